/// The forms a capture comes in (spec section 14).
public enum CaptureFormat: String, CaseIterable, Sendable {
    case pcapng, pcap, hex, raw

    /// The link type PumpWire frames are captured with: LINKTYPE_USER0 (14.1).
    public static let linkType: UInt32 = 147
    /// The longest packet a capture reader accepts (PW-CAP-3).
    public static let maxPacketLength = 65535
    /// How many leading bytes tell a hex log from a raw stream (PW-CAP-4).
    public static let sniffLength = 4096

    /// PW-CAP-4: the form told from the file's first bytes.
    public static func detect(_ head: UnsafeRawBufferPointer) -> CaptureFormat {
        if head.count >= 4 {
            let magic = (head[0], head[1], head[2], head[3])
            if magic == (0x0A, 0x0D, 0x0D, 0x0A) { return .pcapng }
            switch magic {
            case (0xD4, 0xC3, 0xB2, 0xA1), (0xA1, 0xB2, 0xC3, 0xD4), (0x4D, 0x3C, 0xB2, 0xA1), (0xA1, 0xB2, 0x3C, 0x4D),
                 (0x34, 0xCD, 0xB2, 0xA1), (0xA1, 0xB2, 0xCD, 0x34):  // modified pcap
                return .pcap
            default: break
            }
        }
        var sample = UnsafeRawBufferPointer(rebasing: head[0..<min(head.count, sniffLength)])
        if let lastLineEnd = sample.lastIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
            sample = UnsafeRawBufferPointer(rebasing: sample[0...lastLineEnd])
        }
        return !sample.isEmpty && HexLog.isHexLogText(sample) ? .hex : .raw
    }
}
