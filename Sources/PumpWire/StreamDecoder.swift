import PumpWireCore

/// One thing found in a byte stream (spec 4.3).
public struct StreamItem: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A frame: a whole message, or one fragment.
        case frame(Frame)
        /// A message put back together from its fragments (spec 5.3); the fragments were
        /// reported as `.frame` items before it.
        case reassembled(Frame)
        /// Something rejected. `error.offset` is a frame offset from `streamOffset`, or a payload
        /// offset when `payloadOffsets` is set (a reassembled message, PW-FRAG-12).
        case rejected(PumpWireError, payloadOffsets: Bool)
    }

    /// The capture packet whose data is the stream (PW-CAP-2); nil for a hex log or a raw stream.
    public var packet: Int?
    /// Stream offset of the frame (or of the first byte of noise) this item is about.
    public var streamOffset: Int
    /// Bytes of the stream this item covers (0 for reassembly results).
    public var length: Int
    public var kind: Kind
    /// A frame (or a message reassembled from fragments) opened with the session's keys
    /// (spec/security.md 14.3): how. Nil for everything else, sealed frames not opened included.
    public var opened: OpenedSeal?

    public init(packet: Int? = nil, streamOffset: Int, length: Int, kind: Kind, opened: OpenedSeal? = nil) {
        self.packet = packet
        self.streamOffset = streamOffset
        self.length = length
        self.kind = kind
        self.opened = opened
    }
}

/// Reads every frame of a byte stream, resynchronising after noise and bad frames (PW-FRAME-10)
/// and reassembling fragmented messages (section 5). Never stops at the first error.
public enum StreamDecoder {
    /// The bytes of each frame that passes the frame checks, in stream order (what an encoder
    /// wrote back to back, split again).
    public static func frames(in bytes: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        bytes.withUnsafeBytes { raw in
            var scanner = FrameScanner(raw)
            while let event = scanner.next() {
                if case .frame(let view, let start) = event { frames.append(Array(bytes[start..<(start + view.length)])) }
            }
        }
        return frames
    }

    public static func decode(_ bytes: [UInt8]) -> [StreamItem] {
        var items: [StreamItem] = []
        var reader = StreamReader()
        bytes.withUnsafeBytes { raw in
            _ = reader.read(raw) { item, _ in items.append(item) }
            reader.finish { item, _ in items.append(item) }
        }
        return items
    }
}
