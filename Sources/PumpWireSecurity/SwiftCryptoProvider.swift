import Crypto
import Foundation
import PumpWireCore

/// The host's cryptography provider (spec/security.md section 3, PW-SEC-3): every primitive from
/// apple/swift-crypto (BoringSSL on Linux). A value without state; randomness comes from
/// `SystemRandomNumberGenerator`.
public struct SwiftCryptoProvider: CryptoProvider, Sendable {
    public init() {}

    public func x25519(scalar: Bytes32, point: Bytes32) -> Bytes32? {
        // swift-crypto throws on an all-zero result (a low-order point): the core reports that as
        // LOW_ORDER_KEY (PW-SEC-4), as it does for a provider that returns the zeros.
        guard let privateKey = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Self.data(scalar)),
              let publicKey = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: Self.data(point)),
              let shared = try? privateKey.sharedSecretFromKeyAgreement(with: publicKey)
        else { return nil }
        return shared.withUnsafeBytes { Bytes32(copying: $0) }
    }

    public func x25519Base(scalar: Bytes32) -> Bytes32? {
        guard let privateKey = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Self.data(scalar)) else { return nil }
        return privateKey.publicKey.rawRepresentation.withUnsafeBytes { Bytes32(copying: $0) }
    }

    public func aeadSeal(
        key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
        text: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard tag.count == 16, let chachaNonce = Self.nonce(nonce),
              let box = try? ChaChaPoly.seal(
                Data(UnsafeRawBufferPointer(text)), using: SymmetricKey(data: Self.data(key)),
                nonce: chachaNonce, authenticating: Data(associatedData))
        else { return false }
        box.ciphertext.withUnsafeBytes { text.copyMemory(from: $0) }
        box.tag.withUnsafeBytes { tag.copyMemory(from: $0) }
        return true
    }

    public func aeadOpen(
        key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
        text: UnsafeMutableRawBufferPointer, tag: UnsafeRawBufferPointer
    ) -> Bool {
        guard tag.count == 16, let chachaNonce = Self.nonce(nonce),
              let box = try? ChaChaPoly.SealedBox(nonce: chachaNonce, ciphertext: Data(UnsafeRawBufferPointer(text)), tag: Data(tag)),
              let plaintext = try? ChaChaPoly.open(box, using: SymmetricKey(data: Self.data(key)), authenticating: Data(associatedData))
        else { return false }
        plaintext.withUnsafeBytes { text.copyMemory(from: $0) }
        return true
    }

    public func sha256(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bytes32 {
        var hasher = SHA256()
        hasher.update(bufferPointer: first)
        hasher.update(bufferPointer: second)
        return hasher.finalize().withUnsafeBytes { Bytes32(copying: $0)! }
    }

    public func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> Bytes32 {
        let code = HMAC<SHA256>.authenticationCode(for: Data(data), using: SymmetricKey(data: Data(key)))
        return code.withUnsafeBytes { Bytes32(copying: $0)! }
    }

    public func hkdfSHA256(
        into output: UnsafeMutableRawBufferPointer, salt: UnsafeRawBufferPointer,
        inputKeyMaterial: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer
    ) -> Bool {
        guard output.count <= 255 * 32 else { return false }
        guard output.count > 0 else { return true }
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(inputKeyMaterial)), salt: Data(salt), info: Data(info),
            outputByteCount: output.count)
        key.withUnsafeBytes { output.copyMemory(from: $0) }
        return true
    }

    public func random(into output: UnsafeMutableRawBufferPointer) -> Bool {
        var generator = SystemRandomNumberGenerator()
        for i in 0..<output.count { output[i] = generator.next() }
        return true
    }

    private static func data(_ bytes: Bytes32) -> Data {
        bytes.withUnsafeBytes { Data($0) }
    }

    private static func nonce(_ nonce: AEADNonce) -> ChaChaPoly.Nonce? {
        nonce.withUnsafeBytes { try? ChaChaPoly.Nonce(data: Data($0)) }
    }
}
