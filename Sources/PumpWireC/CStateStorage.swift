import PumpWireCore

/// The Swift state behind an opaque C struct (`pw_reassembler`, `pw_scanner`, `pw_log_reader`):
/// the caller owns the storage, so nothing is allocated and no state is global.
///
/// The storage holds a check word, then the state. Every function that changes the state sets
/// the check word from the state's bytes; every function checks it before it reads the state. A
/// struct its init function never prepared (zeroed, uninitialised stack, overwritten) fails the
/// check and is refused, never read: a scanner or log reader made of garbage would otherwise read
/// through a garbage pointer, and a reassembler made of garbage index past its buffer. A change
/// confined to one 8-byte word always fails it; other garbage passes with probability 2^-64. A
/// byte-for-byte copy of a prepared struct is as good as the original (no addresses are sealed).
enum CStateStorage {
    /// Bytes before the state: the check word.
    static let stateOffset = 8

    /// Whether `State` fits in the C struct `Storage` after the check word; the header sizes them
    /// with room to spare, and a test checks every state on a 64-bit host, where they are largest.
    static func fits<State, Storage>(_: State.Type, in _: Storage.Type) -> Bool {
        stateOffset + MemoryLayout<State>.size <= MemoryLayout<Storage>.size
            && MemoryLayout<State>.alignment <= MemoryLayout<Storage>.alignment
            && MemoryLayout<State>.alignment <= stateOffset
    }

    /// The bytes of the C struct that the check covers or is: the rest is unused.
    static func usedBytes<State>(_: State.Type) -> Int { stateOffset + MemoryLayout<State>.size }

    /// Prepares the storage: the state, then its check word.
    static func initialize<State, Storage>(_ storage: UnsafeMutablePointer<Storage>, to state: State) {
        statePointer(storage, as: State.self).initialize(to: state)
        seal(storage, as: State.self)
    }

    /// Prepares the storage in place, for a state too large to build on a firmware stack: the
    /// state's bytes zeroed, `body` makes a state of them (it must assign everything it later
    /// reads), then the check word. Only for a trivial `State` (`_isPOD`: no reference counts, so a
    /// store over zeroed bytes frees nothing); false, and nothing written, otherwise.
    static func initializeInPlace<State, Storage>(
        _ storage: UnsafeMutablePointer<Storage>, as _: State.Type, _ body: (UnsafeMutablePointer<State>) -> Void
    ) -> Bool {
        guard _isPOD(State.self) else { return false }
        let raw = UnsafeMutableRawPointer(storage) + stateOffset
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<State>.size)
        body(raw.bindMemory(to: State.self, capacity: 1))
        seal(storage, as: State.self)
        return true
    }

    /// The state, for `body` to read and change, if the storage holds a prepared one; nil otherwise,
    /// and then nothing is read or written. The check word is set again afterwards, whether or not
    /// `body` throws.
    @inline(__always)
    static func withState<State, Storage, R, E: Error>(
        _ storage: UnsafeMutablePointer<Storage>, as _: State.Type, _ body: (UnsafeMutablePointer<State>) throws(E) -> R
    ) throws(E) -> R? {
        guard isSealed(storage, as: State.self) else { return nil }
        defer { seal(storage, as: State.self) }
        return try body(statePointer(storage, as: State.self))
    }

    /// The state, to read only, if the storage holds a prepared one.
    @inline(__always)
    static func readState<State, Storage>(_ storage: UnsafePointer<Storage>, as _: State.Type) -> UnsafePointer<State>? {
        let storage = UnsafeMutablePointer(mutating: storage)  // only read
        guard isSealed(storage, as: State.self) else { return nil }
        return UnsafePointer(statePointer(storage, as: State.self))
    }

    private static func statePointer<State, Storage>(_ storage: UnsafeMutablePointer<Storage>, as _: State.Type) -> UnsafeMutablePointer<State> {
        (UnsafeMutableRawPointer(storage) + stateOffset).assumingMemoryBound(to: State.self)
    }

    private static func isSealed<State, Storage>(_ storage: UnsafeMutablePointer<Storage>, as _: State.Type) -> Bool {
        let raw = UnsafeRawPointer(storage)
        return raw.loadUnaligned(as: UInt64.self) == checkWord(raw + stateOffset, count: MemoryLayout<State>.size)
    }

    private static func seal<State, Storage>(_ storage: UnsafeMutablePointer<Storage>, as _: State.Type) {
        let raw = UnsafeMutableRawPointer(storage)
        raw.storeBytes(of: checkWord(raw + stateOffset, count: MemoryLayout<State>.size), as: UInt64.self)
    }

    /// A 64-bit hash of the state's bytes, padding included (the padding a function leaves is
    /// sealed with the rest). Each step, h = (h ^ word) × odd prime, is a bijection of h and of the
    /// word, so a change to one word always changes the result; the final mix spreads it.
    static func checkWord(_ bytes: UnsafeRawPointer, count: Int) -> UInt64 {
        // Widened with _truncatingBits, as in the core's Widening.swift: the generic integer
        // conversions need the heap on 32-bit Embedded targets.
        let prime: UInt64 = 0x0000_0100_0000_01B3  // FNV-1a's 64-bit prime
        var hash: UInt64 = 0x5057_5354_4154_4531 ^ UInt64(_truncatingBits: UInt(bitPattern: count))  // "PWSTATE1"
        var index = 0
        while index + 8 <= count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* prime
            index += 8
        }
        if index < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(_truncatingBits: UInt(bytes.load(fromByteOffset: index, as: UInt8.self))) &<< shift
                shift &+= 8
                index += 1
            }
            hash = (hash ^ tail) &* prime
        }
        // MurmurHash3's finaliser: a bijection that spreads every bit over the word.
        hash ^= hash &>> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash &>> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash &>> 33
        return hash
    }
}
