/// The forms a capture comes in (spec section 14).
public enum CaptureFormat: String, CaseIterable, Sendable {
    case pcapng, pcap, hex, raw
    /// A hex dump with offsets: xxd, hexdump -C, od -t x1, text2pcap's input (14.2).
    case hexDump = "hexdump"

    /// The link type PumpWire frames are captured with: LINKTYPE_USER0 (14.1).
    public static let linkType: UInt32 = 147
    /// The longest packet a capture reader accepts (PW-CAP-3).
    public static let maxPacketLength = 65535
    /// How many leading bytes tell a hex log from a raw stream (PW-CAP-4).
    public static let sniffLength = 4096

    /// The UTF-8 byte-order mark, skipped at the start of a hex log or hex dump (14.2).
    public static let utf8ByteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// PW-CAP-4: the form told from the file's first bytes; an input that `sniff` refuses is a raw
    /// stream here.
    public static func detect(_ head: UnsafeRawBufferPointer) -> CaptureFormat {
        sniff(head).format ?? .raw
    }

    /// PW-CAP-4: the form told from the file's first bytes (its first `sniffLength`, or all of a
    /// shorter file), or why it is not read: text in UTF-16 or UTF-32, a hex dump of words in the
    /// byte order of the machine that wrote it, text that starts like a hex dump with offsets but
    /// whose offsets do not count its bytes.
    public static func sniff(_ head: UnsafeRawBufferPointer) -> CaptureSniff {
        sniff(head, isWhole: head.count < sniffLength)
    }

    static func sniff(_ head: UnsafeRawBufferPointer, isWhole: Bool) -> CaptureSniff {
        if head.count >= 4 {
            let magic = (head[0], head[1], head[2], head[3])
            if magic == (0x0A, 0x0D, 0x0D, 0x0A) { return .form(.pcapng) }
            switch magic {
            case (0xD4, 0xC3, 0xB2, 0xA1), (0xA1, 0xB2, 0xC3, 0xD4), (0x4D, 0x3C, 0xB2, 0xA1), (0xA1, 0xB2, 0x3C, 0x4D),
                 (0x34, 0xCD, 0xB2, 0xA1), (0xA1, 0xB2, 0xCD, 0x34):  // the last two: modified pcap (Kuznetzov)
                return .form(.pcap)
            case (0xFF, 0xFE, 0x00, 0x00): return .refused(.utf32("ff fe 00 00"))
            case (0x00, 0x00, 0xFE, 0xFF): return .refused(.utf32("00 00 fe ff"))
            default: break
            }
        }
        if head.count >= 2 {
            if head[0] == 0xFF && head[1] == 0xFE { return .refused(.utf16("ff fe")) }
            if head[0] == 0xFE && head[1] == 0xFF { return .refused(.utf16("fe ff")) }
        }
        let text = UnsafeRawBufferPointer(rebasing: head[textStart(head)..<min(head.count, sniffLength)])
        var sample = text
        if let lastLineEnd = sample.lastIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
            sample = UnsafeRawBufferPointer(rebasing: sample[0...lastLineEnd])
        }
        switch HexDumpDecoder.sniff(isWhole ? text : sample, isWhole: isWhole) {
        case .dump: return .form(.hexDump)
        case .refused(let refusal): return .refused(refusal)
        case .notADump: break
        }
        return !sample.isEmpty && HexLog.isHexLogText(sample) ? .form(.hex) : .form(.raw)
    }

    /// Where a hex log's or hex dump's text begins: after a UTF-8 byte-order mark, if any.
    static func textStart(_ head: UnsafeRawBufferPointer) -> Int {
        head.starts(with: utf8ByteOrderMark) ? utf8ByteOrderMark.count : 0
    }
}
