/// Where a fragment left its message (spec 5.3).
public enum ReassemblyProgress: Equatable, Sendable {
    /// Stored; `missing` fragments still to come.
    case accepted(missing: Int)
    /// Already had it, byte for byte (PW-FRAG-8).
    case duplicate
    /// Every fragment is in: take the message with `takeMessage()`.
    case complete
}

/// A set of fragment indices, 0 to 7.
public struct FragmentIndexSet: Equatable, Sendable {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public var isEmpty: Bool { bits == 0 }
    public var count: Int { bits.nonzeroBitCount }
    public func contains(_ index: Int) -> Bool { index >= 0 && index < 8 && bits & (1 << index) != 0 }
    /// Removes and returns the smallest index.
    public mutating func popFirst() -> Int? {
        guard bits != 0 else { return nil }
        let index = bits.trailingZeroBitCount
        bits &= bits &- 1
        return index
    }
}

/// Puts a fragmented message back together (spec 5.3). One message at a time; its storage is
/// inline (1 KiB), so firmware places it wherever it likes, and nothing is allocated.
public struct Reassembler: Sendable {
    private var buffer: InlineArray<1024, UInt8>
    private var state: State = .empty
    private var typeCode: UInt8 = 0
    private var sequence: UInt16 = 0
    private var header = FragmentHeader(index: 0, count: 0, totalLength: 0)
    private var received: UInt8 = 0

    private enum State { case empty, collecting, complete }

    public init() {
        buffer = InlineArray(repeating: 0)
    }

    /// Whether a message is in progress (some fragments in, not all).
    @inline(__always)  // no copy of the 1 KiB buffer at the call
    public var isInProgress: Bool { state == .collecting }
    @inline(__always)  // no copy of the 1 KiB buffer at the call
    public var isComplete: Bool { state == .complete }
    /// The message in progress, if any.
    @inline(__always)  // no copy of the 1 KiB buffer at the call
    public var messageInProgress: (typeCode: UInt8, sequence: UInt16)? {
        state == .collecting ? (typeCode, sequence) : nil
    }

    /// The message whose fragments are all in, until it is taken or the reassembler is reset.
    @inline(__always)  // no copy of the 1 KiB buffer at the call
    public var completedMessage: (typeCode: UInt8, sequence: UInt16)? {
        state == .complete ? (typeCode, sequence) : nil
    }

    /// Indices not yet received of the message in progress (PW-FRAG-11), so a receiver can ask
    /// for just those again.
    @inline(__always)  // no copy of the 1 KiB buffer at the call
    public var missingFragments: FragmentIndexSet {
        guard state == .collecting else { return FragmentIndexSet(bits: 0) }
        let all: UInt8 = header.count >= 8 ? 0xFF : (1 << header.count) &- 1
        return FragmentIndexSet(bits: all & ~received)
    }

    /// Adds one fragment, already checked by `FrameView.decode` (5.2). Errors carry frame offsets.
    public mutating func add(
        typeCode: UInt8, sequence: UInt16, header fragment: FragmentHeader, data: UnsafeRawBufferPointer
    ) throws(PumpWireError) -> ReassemblyProgress {
        try fragment.check(dataLength: data.count)
        if state == .complete { reset() }  // PW-FRAG-13: a completed message is handed over once
        let dataStart = WireLimits.headerSize + WireLimits.fragmentHeaderSize
        if state == .empty {
            state = .collecting
            self.typeCode = typeCode
            self.sequence = sequence
            header = fragment
            received = 0
        } else {
            try require(typeCode == self.typeCode && sequence == self.sequence, .fragmentInterleaved, at: 3)  // PW-FRAG-10
            try require(fragment.count == header.count, .fragmentConflict, at: WireLimits.headerSize + 1)  // PW-FRAG-9
            try require(fragment.totalLength == header.totalLength, .fragmentConflict, at: WireLimits.headerSize + 2)
        }
        let bit: UInt8 = 1 << fragment.index
        let start = fragment.dataOffset
        if received & bit != 0 {
            for i in 0..<data.count where buffer[start + i] != data[i] {
                throw PumpWireError(.fragmentConflict, at: dataStart)  // PW-FRAG-9
            }
            return .duplicate  // PW-FRAG-8
        }
        for i in 0..<data.count { buffer[start + i] = data[i] }
        received |= bit
        let missing = missingFragments.count
        if missing == 0 {
            state = .complete
            return .complete
        }
        return .accepted(missing: missing)
    }

    /// Adds the fragment of a decoded frame view over `bytes`.
    public mutating func add(_ view: FrameView, in bytes: UnsafeRawBufferPointer) throws(PumpWireError) -> ReassemblyProgress {
        guard let fragment = view.fragment else { throw PumpWireError(.nonCanonical, at: 4) }
        return try add(typeCode: view.messageType, sequence: view.sequence, header: fragment, data: view.fragmentData(in: bytes))
    }

    /// Adds the fragment of a decoded frame.
    public mutating func add(_ frame: FragmentFrame, sequence: UInt16) throws(PumpWireError) -> ReassemblyProgress {
        try frame.data.withUnsafeBytes { (raw) throws(PumpWireError) -> ReassemblyProgress in
            try add(typeCode: frame.typeCode, sequence: sequence, header: frame.header, data: raw)
        }
    }

    /// Lends the completed payload (empty when no message is complete).
    /// Mutating only so that the buffer is lent in place: a borrowed copy would put 1 KiB on the stack.
    @inline(__always)
    public mutating func withCompletedPayload<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let length = state == .complete ? Int(header.totalLength) : 0
        var span = buffer.mutableSpan
        return try span.withUnsafeMutableBytes { (raw) throws(E) -> R in
            try body(UnsafeRawBufferPointer(rebasing: raw[0..<length]))
        }
    }

    /// The same, not generic: a caller in another module (the C API) then runs no unspecialized
    /// generic code, which on a host instantiates type metadata on the heap at its first call.
    @inline(__always)
    public mutating func withCompletedPayload(_ body: (UnsafeRawBufferPointer) throws(PumpWireError) -> Void) throws(PumpWireError) {
        let length = state == .complete ? Int(header.totalLength) : 0
        var span = buffer.mutableSpan
        try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) in
            try body(UnsafeRawBufferPointer(rebasing: raw[0..<length]))
        }
    }

    /// Decodes the completed message (offsets count from payload byte 0, PW-FRAG-12) and
    /// empties the reassembler.
    public mutating func takeMessage() throws(PumpWireError) -> Message {
        try require(state == .complete, .fragmentMissing, at: firstMissingOffset)
        let type = typeCode
        defer { reset() }
        return try withCompletedPayload { (payload) throws(PumpWireError) -> Message in
            try Message.decode(typeCode: type, payload: payload, reportingOffset: 0)
        }
    }

    /// Gives up on the message in progress: FRAGMENT_MISSING at the payload offset of the first
    /// missing fragment (PW-FRAG-11), and empties the reassembler. Nil if nothing was in progress.
    public mutating func giveUp() -> PumpWireError? {
        guard state == .collecting else { return nil }
        let error = PumpWireError(.fragmentMissing, at: firstMissingOffset)
        reset()
        return error
    }

    @inline(__always)  // no copy of the 1 KiB buffer at the call
    private var firstMissingOffset: Int {
        var missing = missingFragments
        return (missing.popFirst() ?? 0) * WireLimits.fragmentDataSize
    }

    public mutating func reset() {
        state = .empty
        received = 0
    }
}

#if !hasFeature(Embedded)
extension FragmentIndexSet: Sequence, IteratorProtocol {
    public mutating func next() -> Int? { popFirst() }
}
#endif
