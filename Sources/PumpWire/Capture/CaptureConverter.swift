import PumpWireCore

/// Turns an input into capture packets that mean what it meant (spec 14.4): validating the
/// capture gives the findings of validating the input. A capture file's packets of link type 147
/// are kept as they are. A hex log or raw stream is cut where a fresh reader would read on just
/// as the stream's reader does: before a frame or noise that no earlier item looked past. So a
/// frame is usually a packet of its own, and a rejected frame whose claimed length covers later
/// sync words stays in one packet with them. Memory stays bounded by one packet (65,535 bytes).
public final class CaptureConverter: CaptureConsumer {
    /// Hears each packet's data, the packet's original length when a snap length cut it, and the
    /// stream offset of its first byte in a hex log or raw stream (nil for a capture file's packet).
    public typealias PacketSink = (_ data: [UInt8], _ originalLength: Int?, _ streamOffset: Int?) -> Void

    private let sink: PacketSink
    private var reader = StreamReader()
    /// The bytes of the packet being built, from stream offset `packetStart`.
    private var pending: [UInt8] = []
    private var packetStart = 0
    /// Where the items of the pending packet looked up to: no cut before it.
    private var examinedEnd = 0
    /// Item starts inside the pending packet, for a cut forced by the packet size limit.
    private var itemStarts: [Int] = []
    /// Noise beyond the limit is being dropped until the next item starts.
    private var dropping = false
    /// Where the last frame that passed the frame checks ended.
    private var lastFrameEnd = -1

    /// Hears the problems of the source file (codes 80 to 83) as they are found: they are the
    /// source's, not carried over.
    private let onSourceProblem: (ValidationFinding) -> Void
    /// Where the last item began: a second item there (a fragment refused after its frame was
    /// read) looks at nothing new.
    private var lastItemStart = -1

    /// Noise bytes left out (runs of noise longer than a packet holds).
    public private(set) var noiseBytesDropped = 0
    /// Cuts forced by the size limit inside items that looked further: these may change findings.
    public private(set) var forcedCuts = 0

    static let limit = CaptureFormat.maxPacketLength

    public init(onSourceProblem: @escaping (ValidationFinding) -> Void = { _ in }, sink: @escaping PacketSink) {
        self.onSourceProblem = onSourceProblem
        self.sink = sink
    }

    /// Converts all of `input`.
    public func convert(_ input: CaptureInput) {
        var consumer = self
        input.read(into: &consumer)
        flush()
    }

    public func packet(_ data: UnsafeRawBufferPointer, number: Int) {
        emit(Array(data), originalLength: nil, streamOffset: nil)
    }

    /// A capture file's packet is written as it is, its original length kept (PACKET_TRUNCATED).
    public func packet(_ data: UnsafeRawBufferPointer, number: Int, originalLength: Int) {
        emit(Array(data), originalLength: originalLength > data.count ? originalLength : nil, streamOffset: nil)
    }

    public func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {
        onSourceProblem(ValidationFinding(problem, fileOffset: fileOffset, packet: packet, line: line))
    }

    public func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int {
        var items: [(start: Int, reach: Int, frameEnd: Int?)] = []
        let consumed = reader.read(window, at: offset, isFinal: isFinal) { item, _ in
            guard item.length > 0 else { return }  // reassembly results cover no bytes of their own
            var frameEnd: Int?
            if case .frame = item.kind { frameEnd = item.streamOffset + item.length }
            items.append((item.streamOffset, item.streamOffset + Self.reach(of: item), frameEnd))
        }
        var next = offset  // stream offset of the first window byte not yet in `pending`
        for item in items where item.start != lastItemStart {
            lastItemStart = item.start
            append(window, from: next - offset, to: item.start - offset)
            next = item.start
            startItem(at: item.start, reach: item.reach)
            if let frameEnd = item.frameEnd { lastFrameEnd = frameEnd }
        }
        append(window, from: next - offset, to: consumed)
        return consumed
    }

    /// How far past its first byte a reader looks to decide an item: a frame's own length; a
    /// rejected frame's claimed length, at most the largest frame; noise, its first byte. The
    /// search for a sync word after a rejection or in noise decides nothing: its bytes can be left
    /// out, and no cut falls inside it, since cuts fall at item starts.
    static func reach(of item: StreamItem) -> Int {
        switch item.kind {
        case .frame, .reassembled: item.length
        case .rejected(let error, _): error.code == .badSync ? 1 : WireLimits.maxFrameSize
        }
    }

    private func startItem(at start: Int, reach: Int) {
        dropping = false
        // An a5 at a packet's end would read as half a sync word (TRUNCATED), where the stream
        // read it as noise because of the byte after it: no cut there, but after a whole frame.
        let endsInHalfSync = pending.last == 0xA5 && lastFrameEnd != start
        if start > packetStart, start >= examinedEnd, !endsInHalfSync {
            emitPending()  // a fresh reader at `start` reads on exactly as the stream's reader did
            packetStart = start
        }
        itemStarts.append(start)
        examinedEnd = max(examinedEnd, reach)
    }

    /// Adds window bytes [from, to) to the pending packet; noise past the limit is left out.
    private func append(_ window: UnsafeRawBufferPointer, from: Int, to: Int) {
        guard to > from else { return }
        var piece = UnsafeRawBufferPointer(rebasing: window[from..<to])
        if dropping { noiseBytesDropped += piece.count; return }
        let room = Self.limit - pending.count
        if piece.count > room {
            if packetStart + Self.limit >= examinedEnd {
                // Only the search for a sync word reads these bytes: keep what fits, drop the rest.
                // Kept bytes that end in a5 stay in one packet with the item after them (no cut
                // after half a sync word), so they leave room for the largest frame.
                var kept = room
                if kept > 0, piece[kept - 1] == 0xA5 { kept = max(0, room - WireLimits.maxFrameSize) }
                noiseBytesDropped += piece.count - kept
                piece = UnsafeRawBufferPointer(rebasing: piece[0..<kept])
                dropping = true
            } else {
                pending += UnsafeRawBufferPointer(rebasing: piece[0..<room])
                forceCut()
                append(UnsafeRawBufferPointer(rebasing: piece[room...]), from: 0, to: piece.count - room)
                return
            }
        }
        pending += piece
    }

    /// The pending packet is full and no clean cut exists: cut at the last item start that fits.
    private func forceCut() {
        forcedCuts += 1
        let cut = itemStarts.last { $0 > packetStart && $0 - packetStart <= Self.limit } ?? (packetStart + min(pending.count, Self.limit))
        let count = cut - packetStart
        emit(Array(pending[0..<count]), originalLength: nil, streamOffset: packetStart)
        pending.removeFirst(count)
        packetStart = cut
        itemStarts.removeAll { $0 < cut }
    }

    private func emitPending() {
        guard !pending.isEmpty else { return }
        emit(pending, originalLength: nil, streamOffset: packetStart)
        pending.removeAll(keepingCapacity: true)
        itemStarts.removeAll(keepingCapacity: true)
    }

    private func emit(_ data: [UInt8], originalLength: Int?, streamOffset: Int?) {
        sink(data, originalLength, streamOffset)
    }

    /// The end of the input: the last packet is written.
    private func flush() {
        emitPending()
    }
}
