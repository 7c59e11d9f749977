/// The one error every PumpWire decoder and encoder throws: a stable code from spec section 10
/// and the byte offset where the problem was found (PW-ENC-6).
public struct PumpWireError: Error, Equatable, Sendable {
    public var code: ErrorCode
    /// Counted from the first byte of the frame, or of the payload for a reassembled message.
    public var offset: Int

    public init(_ code: ErrorCode, at offset: Int) {
        self.code = code
        self.offset = offset
    }
}

/// Throws `code` at `offset` unless `condition` holds: one line per spec check.
@inline(__always)
func require(_ condition: Bool, _ code: ErrorCode, at offset: Int) throws(PumpWireError) {
    if !condition { throw PumpWireError(code, at: offset) }
}

extension PumpWireError {
    /// Throws `code` at `offset` unless `condition` holds, for code outside the core.
    @inline(__always)
    public static func check(_ condition: Bool, _ code: ErrorCode, at offset: Int) throws(PumpWireError) {
        if !condition { throw PumpWireError(code, at: offset) }
    }
}

extension PumpWireError {
    /// The offset of an error that no byte of the input caused (a handshake message out of turn,
    /// a key known before the message): 0xffff, as a negative acknowledgement says it (PW-NAK-2).
    public static let noOffset = 0xFFFF
}
