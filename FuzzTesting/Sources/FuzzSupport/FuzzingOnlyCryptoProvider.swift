#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PumpWireCore

/// NEVER USE OUTSIDE FUZZING. A `CryptoProvider` with no security at all, so that libFuzzer can
/// forge handshake messages and sealed frames and reach the states after each check (the
/// "fuzzing mode" of BoringSSL and NSS). It lives only in the FuzzTesting package, which no
/// product links; nothing in it is a cryptographic primitive:
/// - the AEAD is transparent: the ciphertext is the plaintext, the tag the first 16 bytes of
///   `digest(key, nonce, ad, plaintext)`, compared with `memcmp`, whose interceptor shows
///   libFuzzer the expected tag; with `acceptsEveryTag` every tag verifies;
/// - "X25519": the public key of a private key is the key itself, `DH(a, B) = a XOR B`, so both
///   sides agree (`a ^ b == b ^ a`); a point whose bytes 1 to 31 are zero stands for a low-order
///   point and gives the all-zero result (PW-SEC-4);
/// - SHA-256, HMAC and HKDF are `digest`, four FNV-1a lanes over the labelled inputs;
/// - `random` is a fixed pattern (the targets fix every ephemeral key anyway).
public struct FuzzingOnlyCryptoProvider: CryptoProvider, Sendable {
    /// BoringSSL's fuzzer mode: every tag verifies, so any bytes reach what follows the check.
    public var acceptsEveryTag: Bool

    public init(acceptsEveryTag: Bool = false) {
        self.acceptsEveryTag = acceptsEveryTag
    }

    public func x25519(scalar: Bytes32, point: Bytes32) -> Bytes32? {
        var lowOrder = true
        for i in 1..<Bytes32.count where point[i] != 0 { lowOrder = false }
        if lowOrder { return Bytes32() }  // PW-SEC-4: stands for a low-order point's all-zero result
        var shared = Bytes32()
        for i in 0..<Bytes32.count { shared[i] = scalar[i] ^ point[i] }
        return shared
    }

    public func x25519Base(scalar: Bytes32) -> Bytes32? { scalar }

    public func aeadSeal(
        key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
        text: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard tag.count == 16 else { return false }
        let expected = Self.tag(key: key, nonce: nonce, associatedData: associatedData, text: UnsafeRawBufferPointer(text))
        expected.withUnsafeBytes { tag.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<16])) }
        return true
    }

    public func aeadOpen(
        key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
        text: UnsafeMutableRawBufferPointer, tag: UnsafeRawBufferPointer
    ) -> Bool {
        guard tag.count == 16 else { return false }
        if acceptsEveryTag { return true }
        let expected = Self.tag(key: key, nonce: nonce, associatedData: associatedData, text: UnsafeRawBufferPointer(text))
        // memcmp: ASan's interceptor hands the expected bytes to libFuzzer's value profile.
        return expected.withUnsafeBytes { memcmp($0.baseAddress!, tag.baseAddress!, 16) == 0 }
    }

    public func sha256(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bytes32 {
        Self.digest(label: 1, [first, second])
    }

    public func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> Bytes32 {
        Self.digest(label: 2, [key, data])
    }

    public func hkdfSHA256(
        into output: UnsafeMutableRawBufferPointer, salt: UnsafeRawBufferPointer,
        inputKeyMaterial: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer
    ) -> Bool {
        guard output.count <= 255 * 32 else { return false }
        var block = 0
        while block * 32 < output.count {
            let part = Self.digest(label: 3 + UInt8(truncatingIfNeeded: block), [salt, inputKeyMaterial, info])
            for i in 0..<min(32, output.count - block * 32) { output[block * 32 + i] = part[i] }
            block += 1
        }
        return true
    }

    public func random(into output: UnsafeMutableRawBufferPointer) -> Bool {
        for i in 0..<output.count { output[i] = UInt8(truncatingIfNeeded: 0x5A &+ i) }
        return true
    }

    /// The transparent AEAD's tag: `digest(key, nonce, ad, text)`, first 16 bytes used.
    public static func tag(key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer, text: UnsafeRawBufferPointer) -> Bytes32 {
        key.withUnsafeBytes { keyBytes in
            nonce.withUnsafeBytes { nonceBytes in digest(label: 0, [keyBytes, nonceBytes, associatedData, text]) }
        }
    }

    /// Four FNV-1a lanes over `label` and each part with its length: cheap, deterministic, and
    /// no stand-in for any security property.
    static func digest(label: UInt8, _ parts: [UnsafeRawBufferPointer]) -> Bytes32 {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (0xCBF2_9CE4_8422_2325, 0x84222325CBF29CE4, 0x1234_5678_9ABC_DEF0, 0x0F1E_2D3C_4B5A_6978)
        func feed(_ byte: UInt8) {
            lanes.0 = (lanes.0 ^ UInt64(byte)) &* 0x100_0000_01B3
            lanes.1 = (lanes.1 ^ UInt64(byte)) &* 0x100_0000_01B3 &+ 1
            lanes.2 = (lanes.2 ^ UInt64(byte)) &* 0x100_0000_01B3 &+ 3
            lanes.3 = (lanes.3 ^ UInt64(byte)) &* 0x100_0000_01B3 &+ 7
        }
        feed(label)
        for part in parts {
            feed(UInt8(truncatingIfNeeded: part.count))
            feed(UInt8(truncatingIfNeeded: part.count &>> 8))
            for byte in part { feed(byte) }
        }
        var out = Bytes32()
        let words = [lanes.0, lanes.1, lanes.2, lanes.3]
        for (w, word) in words.enumerated() {
            var mixed = word ^ (word &>> 33)  // a finaliser, so that every output byte depends on every input byte
            mixed = mixed &* 0xFF51_AFD7_ED55_8CCD
            mixed ^= mixed &>> 33
            for i in 0..<8 { out[w * 8 + i] = UInt8(truncatingIfNeeded: mixed &>> (8 * UInt64(i))) }
        }
        return out
    }
}
