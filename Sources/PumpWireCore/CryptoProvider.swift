/// The cryptography a secure session needs (spec/security.md section 3, PW-SEC-3), as the table of
/// `pumpwire_crypto.h` (`pw_crypto_provider`) says it. The core never implements a primitive: it
/// calls these, through generics only (`<P: CryptoProvider>`). The host library plugs in
/// swift-crypto; firmware a C library or a hardware engine.
///
/// Every function that can fail returns false (or nil) rather than throwing: the core turns a
/// failure into the error the spec names for the step that failed.
public protocol CryptoProvider {
    /// X25519 (RFC 7748): `scalar * point`. May fail (as libsodium and swift-crypto do on an
    /// all-zero result); the core checks for an all-zero result itself either way (PW-SEC-4).
    func x25519(scalar: Bytes32, point: Bytes32) -> Bytes32?

    /// X25519 with the base point 9: the public key of a private key.
    func x25519Base(scalar: Bytes32) -> Bytes32?

    /// ChaCha20-Poly1305 (RFC 8439, 12-byte nonce), in place: `text` holds the plaintext and
    /// receives the ciphertext; `tag` (16 bytes) receives the tag.
    func aeadSeal(
        key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
        text: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) -> Bool

    /// ChaCha20-Poly1305 in place: `text` holds the ciphertext and receives the plaintext. False
    /// when the tag does not verify; `text` is then unspecified (the core erases it).
    func aeadOpen(
        key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
        text: UnsafeMutableRawBufferPointer, tag: UnsafeRawBufferPointer
    ) -> Bool

    /// SHA-256 of `first || second` (either may be empty).
    func sha256(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bytes32

    /// HMAC-SHA256 (RFC 2104).
    func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> Bytes32

    /// HKDF-SHA256 (RFC 5869), extract then expand, filling `output` (at most 255 × 32 bytes).
    func hkdfSHA256(
        into output: UnsafeMutableRawBufferPointer, salt: UnsafeRawBufferPointer,
        inputKeyMaterial: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer
    ) -> Bool

    /// Fills `output` from a cryptographically secure source (ephemeral keys).
    func random(into output: UnsafeMutableRawBufferPointer) -> Bool
}

/// A 12-byte ChaCha20-Poly1305 nonce (RFC 8439). Noise's (rev 34, 12.3) is four zero bytes, then
/// the 64-bit counter `n` little-endian; a sealed frame's `n` is its whole `freshnessCounter`
/// (PW-SEC-9).
public struct AEADNonce: Sendable {
    public static let count = 12

    var bytes: InlineArray<12, UInt8>

    /// Noise's nonce of counter `n`.
    public init(counter: UInt64) {
        bytes = InlineArray(repeating: 0)
        var rest = counter
        for i in 0..<8 {
            bytes[4 + i] = UInt8(truncatingIfNeeded: rest)
            rest &>>= 8
        }
    }

    /// Any 12 bytes (known-answer tests); nil for another length.
    public init?(copying raw: UnsafeRawBufferPointer) {
        guard raw.count == Self.count else { return nil }
        bytes = InlineArray(repeating: 0)
        for i in 0..<Self.count { bytes[i] = raw[i] }
    }

    /// Lends the 12 nonce bytes.
    @inline(__always)
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try bytes.span.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(E) -> R in try body(raw) }
    }
}

extension AEADNonce: Equatable {
    public static func == (lhs: AEADNonce, rhs: AEADNonce) -> Bool {
        for i in 0..<count where lhs.bytes[i] != rhs.bytes[i] { return false }
        return true
    }
}

/// An empty buffer, for an empty associated data, salt or info.
var emptyBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }
