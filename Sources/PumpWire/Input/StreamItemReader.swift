/// Reads an input's byte streams (the packets of a capture file, or one hex log or raw stream)
/// and hands on each item as soon as it is found: frames, reassembled messages and rejections,
/// with the frame's bytes, and the problems of the file. Memory is one buffer of the file and one
/// message, whatever the input's size; `decode`, `dump reassemble` and the converters read this way.
public final class StreamItemReader: CaptureConsumer {
    /// Hears each item, the frame bytes when it passed the frame checks, and where it is.
    public typealias ItemHandler = (_ item: StreamItem, _ frameBytes: UnsafeRawBufferPointer?, _ context: ItemContext) -> Void

    /// What a message about an item names besides its offsets.
    public struct ItemContext: Sendable {
        /// A hex log's line holding the item's first byte (PW-CAP-5).
        public var line: Int?
        /// The frame field a rejection's offset falls in (spec 4.1), when the offset is a frame offset.
        public var field: String?
    }

    private var reader = StreamReader()
    private let onItem: ItemHandler
    private let onProblem: (ValidationFinding) -> Void
    private var lines = LineIndex()
    /// Bytes of stream read: every packet's data, or the whole hex log or raw stream.
    public private(set) var streamBytes = 0
    /// Packets numbered (PW-CAP-2) and read.
    public private(set) var packets = 0

    /// `opener` opens sealed frames with the session's keys (spec/security.md 14.3).
    public init(opener: (any SealedFrameOpener)? = nil, onItem: @escaping ItemHandler, onProblem: @escaping (ValidationFinding) -> Void) {
        self.onItem = onItem
        self.onProblem = onProblem
        reader = StreamReader(opener: opener)
    }

    /// Reads every byte of `input`, then ends its stream: a message still in progress is given up.
    public func read(_ input: CaptureInput) {
        var consumer = self
        input.read(into: &consumer)
        reader.finish { item, frameBytes in onItem(item, frameBytes, ItemContext()) }
    }

    public func packet(_ data: UnsafeRawBufferPointer, number: Int) {
        packets += 1
        streamBytes += data.count
        _ = reader.read(data, isFinal: true, packet: number) { item, frameBytes in
            onItem(item, frameBytes, ItemContext(field: Self.field(of: item, in: data, at: 0)))
        }
    }

    public func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int {
        let consumed = reader.read(window, at: offset, isFinal: isFinal) { item, frameBytes in
            onItem(item, frameBytes, ItemContext(line: lines.line(of: item.streamOffset), field: Self.field(of: item, in: window, at: offset)))
        }
        lines.forget(before: offset + consumed)
        streamBytes = offset + consumed
        return consumed
    }

    public func line(_ line: Int, beginsAt offset: Int) {
        lines.add(line, beginsAt: offset)
    }

    /// The field of a rejected frame's error offset, read from the bytes at the frame's start.
    static func field(of item: StreamItem, in window: UnsafeRawBufferPointer, at base: Int) -> String? {
        guard case .rejected(let error, payloadOffsets: false) = item.kind, error.code != .badSync else { return nil }
        let start = item.streamOffset - base
        guard start >= 0, start <= window.count else { return FrameField.name(at: error.offset, frameStart: nil) }
        return FrameField.name(at: error.offset, frameStart: UnsafeRawBufferPointer(rebasing: window[start...]))
    }

    public func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {
        onProblem(ValidationFinding(problem, fileOffset: fileOffset, packet: packet, line: line))
    }
}

/// Where the lines of a hex log begin in its stream, for the part of the stream being read
/// (PW-CAP-5 places a hex log's findings by line).
struct LineIndex {
    private var starts: [(offset: Int, line: Int)] = []
    private var first = 0

    mutating func add(_ line: Int, beginsAt offset: Int) {
        starts.append((offset, line))
    }

    /// The line holding stream offset `offset`; nil before the first line or for no lines.
    func line(of offset: Int) -> Int? {
        guard first < starts.count, starts[first].offset <= offset else { return nil }
        var low = first, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle].offset <= offset { low = middle } else { high = middle - 1 }
        }
        return starts[low].line
    }

    /// Drops the line starts before `offset`, keeping the one that covers it.
    mutating func forget(before offset: Int) {
        while first + 1 < starts.count, starts[first + 1].offset <= offset { first += 1 }
        if first > 4096 {
            starts.removeFirst(first)
            first = 0
        }
    }
}
