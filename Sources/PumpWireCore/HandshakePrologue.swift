/// The Noise prologue of a PumpWire handshake (spec/security.md section 5): the 11 ASCII bytes
/// `PumpWire-v1`, then the `pattern` and `slot` bytes of the `handshakeRequest`, so that a changed
/// pattern or slot fails the handshake.
public struct HandshakePrologue: Equatable, Sendable {
    public static let count = 13

    public var pattern: NoisePattern
    public var slot: UInt8

    public init(pattern: NoisePattern, slot: UInt8) {
        self.pattern = pattern
        self.slot = slot
    }

    /// Lends the 13 bytes.
    @inline(__always)
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let label: StaticString = "PumpWire-v1"
        var bytes = InlineArray<13, UInt8>(repeating: 0)
        let start = label.utf8Start
        for i in 0..<11 { bytes[i] = start[i] }
        bytes[11] = pattern.rawValue
        bytes[12] = slot
        return try bytes.span.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(E) -> R in try body(raw) }
    }
}
