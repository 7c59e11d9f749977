import PumpWireCore

/// The Swift state behind an opaque C struct (`pw_reassembler`, `pw_scanner`, `pw_log_reader`):
/// the caller owns the storage, so nothing is allocated and no state is global.
enum CStateStorage {
    /// Whether `State` fits in the C struct `Storage`; the header sizes them with room to spare, and
    /// a test checks every state on a 64-bit host, where they are largest.
    static func fits<State, Storage>(_: State.Type, in _: Storage.Type) -> Bool {
        MemoryLayout<State>.size <= MemoryLayout<Storage>.size
            && MemoryLayout<State>.alignment <= MemoryLayout<Storage>.alignment
    }

    static func state<State, Storage>(_ storage: UnsafeMutablePointer<Storage>, as: State.Type) -> UnsafeMutablePointer<State> {
        UnsafeMutableRawPointer(storage).assumingMemoryBound(to: State.self)
    }
}
