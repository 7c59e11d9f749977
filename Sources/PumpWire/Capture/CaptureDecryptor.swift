import PumpWireCore

/// Writes a decrypted capture (spec/security.md 14.4, PW-KEYLOG-5): the packets of a capture file,
/// in order, each sealed frame that `opener` opens holding its plaintext in place of the
/// ciphertext (flag and block kept, CRC computed again), and each packet with opened frames
/// marked by the comment `PumpWire opened at OFFSET ...: ...`. It is a view for a dissector that
/// cannot decrypt, not traffic. One packet is held at a time.
public final class CaptureDecryptor: CaptureConsumer {
    /// The comment a packet with opened frames starts with (PW-KEYLOG-5).
    public static let commentPrefix = "PumpWire opened at "
    public static let sectionComment = "PumpWire decrypted view (spec/security.md 14.4): frames named in a packet's comment hold "
        + "their plaintext in place of the ciphertext; they are not the bytes sent on the air. Validate the original capture."

    private let opener: any SealedFrameOpener
    private let write: (_ packet: [UInt8], _ originalLength: Int, _ comment: String?) -> Void
    public private(set) var packets = 0
    public private(set) var openedFrames = 0
    public private(set) var sealedFrames = 0
    /// PW-SEC-10 failures met (the frame is copied as it was).
    public private(set) var rejectedFrames = 0
    public private(set) var problems: [ValidationFinding] = []

    public init(opener: any SealedFrameOpener, write: @escaping (_ packet: [UInt8], _ originalLength: Int, _ comment: String?) -> Void) {
        self.opener = opener
        self.write = write
    }

    public func packet(_ data: UnsafeRawBufferPointer, number: Int) {
        packet(data, number: number, originalLength: data.count)
    }

    public func packet(_ data: UnsafeRawBufferPointer, number: Int, originalLength: Int) {
        packets += 1
        var bytes = Array(data)
        var opened: [Int] = []
        // The frames a stream reader reads (4.3), in its order, so that the opener follows the
        // same handshakes and counters as `decode --keylog` does.
        var scanner = FrameScanner(data)
        while let event = scanner.next() {
            guard case .frame(let view, let start) = event else { continue }
            let frameBytes = scanner.frameBytes(view, start: start)
            if let outcome = opener.examine(frameBytes) {
                sealedFrames += 1
                switch outcome {
                case .opened(let plaintext, _, _, _):
                    bytes.replaceSubrange(start..<(start + plaintext.count), with: plaintext)
                    opened.append(start)
                    openedFrames += 1
                    // A plaintext that does not decode is shown as the dissector finds it: the
                    // stream reader resumes at the next sync word, as `decode` does.
                    if case .failure = OpenedFrameDecoder.decode(plaintext) { scanner.resynchronize(afterFrameAt: start) }
                case .rejected:
                    rejectedFrames += 1
                    scanner.resynchronize(afterFrameAt: start)
                }
                continue
            }
            if (try? Frame(view, in: frameBytes)) == nil { scanner.resynchronize(afterFrameAt: start) }
        }
        let comment = opened.isEmpty ? nil : Self.commentPrefix + opened.map(String.init).joined(separator: " ")
            + ": plaintext in place of the ciphertext, not the bytes sent (spec/security.md 14.4)"
        write(bytes, originalLength, comment)
    }

    public func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int { window.count }

    public func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {
        problems.append(ValidationFinding(problem, fileOffset: fileOffset, packet: packet, line: line))
    }
}
