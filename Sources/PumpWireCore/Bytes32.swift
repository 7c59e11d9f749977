/// 32 bytes held inline: an X25519 key, a ChaCha20-Poly1305 key, a hash or a chaining key
/// (spec/security.md section 3). No heap; comparisons and the zero test look at every byte, so
/// their time does not depend on where two values differ.
public struct Bytes32: Sendable {
    public static let count = 32

    var storage: InlineArray<32, UInt8>

    /// 32 zero bytes.
    public init() {
        storage = InlineArray(repeating: 0)
    }

    /// Copies exactly 32 bytes; nil for any other length.
    public init?(copying bytes: UnsafeRawBufferPointer) {
        guard bytes.count == Self.count else { return nil }
        storage = InlineArray(repeating: 0)
        for i in 0..<Self.count { storage[i] = bytes[i] }
    }

    public subscript(position: Int) -> UInt8 {
        @inline(__always) get { storage[position] }
        @inline(__always) set { storage[position] = newValue }
    }

    /// Whether every byte is zero (PW-SEC-4: an X25519 result of a low-order point).
    public var isZero: Bool {
        var accumulated: UInt8 = 0
        for i in 0..<Self.count { accumulated |= storage[i] }
        return accumulated == 0
    }

    /// Overwrites the bytes with zeros (PW-SEC-19: keys are erased when a session ends).
    public mutating func erase() {
        for i in 0..<Self.count { storage[i] = 0 }
    }

    /// Lends the 32 bytes in place.
    @inline(__always)
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try storage.span.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(E) -> R in try body(raw) }
    }

    /// Lends the 32 bytes for writing, in place.
    @inline(__always)
    public mutating func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var span = storage.mutableSpan
        return try span.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) throws(E) -> R in try body(raw) }
    }
}

extension Bytes32: Equatable {
    public static func == (lhs: Bytes32, rhs: Bytes32) -> Bool {
        var difference: UInt8 = 0
        for i in 0..<count { difference |= lhs.storage[i] ^ rhs.storage[i] }
        return difference == 0
    }
}
