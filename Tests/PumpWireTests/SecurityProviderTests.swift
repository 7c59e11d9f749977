import Foundation
import PumpWire
import PumpWireSecurity
@testable import PumpWireCore
import Testing

/// One entry of vectors/crypto/primitives.json (PW-SEC-3): its id, primitive and hex fields.
struct PrimitiveVector: CustomTestStringConvertible, Sendable {
    var id: String
    var primitive: String
    var fields: [String: String]
    var integers: [String: Int]

    var testDescription: String { "\(primitive) \(id)" }

    func bytes(_ name: String) throws -> [UInt8] {
        try Hex.decode(try #require(fields[name], "\(id) has no \(name)"))
    }

    /// The file: in this checkout, or, while issue 16's known answers are on their own branch,
    /// in that branch's work tree beside this one.
    static let file: URL? = [
        packageRoot.appendingPathComponent("vectors/crypto/primitives.json"),
        URL(fileURLWithPath: "/work/wt-kat/vectors/crypto/primitives.json"),
    ].first { FileManager.default.fileExists(atPath: $0.path) }

    static let all: [PrimitiveVector] = {
        guard let file, let data = try? Data(contentsOf: file), let json = try? JSONSerialization.jsonObject(with: data) else { return [] }
        return ((json as? [String: Any])?["vectors"] as? [[String: Any]] ?? []).compactMap { entry in
            guard let id = entry["id"] as? String, let primitive = entry["primitive"] as? String else { return nil }
            return PrimitiveVector(id: id, primitive: primitive, fields: entry.compactMapValues { $0 as? String },
                                   integers: entry.compactMapValues { $0 as? Int })
        }
    }()

    static func of(_ primitives: String...) -> [PrimitiveVector] { all.filter { primitives.contains($0.primitive) } }
}

@Suite("The swift-crypto provider against the known answers of vectors/crypto/primitives.json (PW-SEC-3)",
       .enabled(if: PrimitiveVector.file != nil, "vectors/crypto/primitives.json is not in this checkout yet"))
struct SecurityProviderTests {
    let provider = SwiftCryptoProvider()

    @Test("Every primitive of the file is one this test knows, and each has vectors")
    func coverage() {
        let known: Set = ["x25519", "x25519-base", "x25519-iterated", "x25519-low-order", "aead-chacha20poly1305-seal",
                          "aead-chacha20poly1305-open-fail", "sha256", "hmac-sha256", "hkdf-sha256", "noise-handshake"]
        #expect(!PrimitiveVector.all.isEmpty)
        #expect(Set(PrimitiveVector.all.map(\.primitive)) == known)
    }

    @Test("X25519 (RFC 7748)", arguments: PrimitiveVector.of("x25519"))
    func x25519(vector: PrimitiveVector) throws {
        let out = provider.x25519(scalar: Bytes32(copying: try vector.bytes("scalar")), point: Bytes32(copying: try vector.bytes("point")))
        #expect(out?.bytes == (try vector.bytes("out")))
    }

    @Test("X25519 public keys (RFC 7748 6.1)", arguments: PrimitiveVector.of("x25519-base"))
    func x25519Base(vector: PrimitiveVector) throws {
        #expect(provider.x25519Base(scalar: Bytes32(copying: try vector.bytes("scalar")))?.bytes == (try vector.bytes("out")))
    }

    @Test("X25519 iterated (RFC 7748 5.2)", arguments: PrimitiveVector.of("x25519-iterated"))
    func x25519Iterated(vector: PrimitiveVector) throws {
        var k = Bytes32(copying: try vector.bytes("scalar"))
        var u = Bytes32(copying: try vector.bytes("point"))
        for _ in 0..<(try #require(vector.integers["iterations"])) {
            let next = try #require(provider.x25519(scalar: k, point: u))
            u = k
            k = next
        }
        #expect(k.bytes == (try vector.bytes("out")))
    }

    @Test("Low-order points: the provider fails or gives zeros, and the core says LOW_ORDER_KEY (PW-SEC-4)",
          arguments: PrimitiveVector.of("x25519-low-order"))
    func lowOrder(vector: PrimitiveVector) throws {
        let point = Bytes32(copying: try vector.bytes("point"))
        let out = provider.x25519(scalar: TestKeys.initiatorStatic, point: point)
        #expect(out == nil || out!.isZero)
        // A KK handshake with that point as the pump's static key stops before any key is mixed.
        var (initiator, _) = try pumpWireHandshake(.kk, initiatorRemote: point, initiatorProvider: provider, responderProvider: provider)
        #expect(caught { () throws(PumpWireError) in try initiator.write() } == PumpWireError(.lowOrderKey, at: 0xFFFF))
    }

    @Test("ChaCha20-Poly1305 sealing and opening (RFC 8439)", arguments: PrimitiveVector.of("aead-chacha20poly1305-seal"))
    func aeadSeal(vector: PrimitiveVector) throws {
        let key = Bytes32(copying: try vector.bytes("key"))
        let nonce = try #require(try vector.bytes("nonce").withUnsafeBytes { AEADNonce(copying: $0) })
        let ad = try vector.bytes("ad")
        var text = try vector.bytes("plaintext")
        var tag = [UInt8](repeating: 0, count: 16)
        let sealed = ad.withUnsafeBytes { adRaw in
            text.withUnsafeMutableBytes { textRaw in
                tag.withUnsafeMutableBytes { tagRaw in
                    provider.aeadSeal(key: key, nonce: nonce, associatedData: adRaw, text: textRaw, tag: tagRaw)
                }
            }
        }
        let (ciphertext, expectedTag, plaintext) = (try vector.bytes("ciphertext"), try vector.bytes("tag"), try vector.bytes("plaintext"))
        #expect(sealed && text == ciphertext && tag == expectedTag)
        let opened = ad.withUnsafeBytes { adRaw in
            text.withUnsafeMutableBytes { textRaw in
                tag.withUnsafeBytes { tagRaw in provider.aeadOpen(key: key, nonce: nonce, associatedData: adRaw, text: textRaw, tag: tagRaw) }
            }
        }
        #expect(opened && text == plaintext)
    }

    @Test("ChaCha20-Poly1305 refuses a changed tag, ciphertext, AD or nonce", arguments: PrimitiveVector.of("aead-chacha20poly1305-open-fail"))
    func aeadOpenFails(vector: PrimitiveVector) throws {
        let nonce = try #require(try vector.bytes("nonce").withUnsafeBytes { AEADNonce(copying: $0) })
        let ad = try vector.bytes("ad"), tag = try vector.bytes("tag")
        var text = try vector.bytes("ciphertext")
        let opened = ad.withUnsafeBytes { adRaw in
            text.withUnsafeMutableBytes { textRaw in
                tag.withUnsafeBytes { tagRaw in
                    provider.aeadOpen(key: Bytes32(copying: try! vector.bytes("key")), nonce: nonce, associatedData: adRaw, text: textRaw, tag: tagRaw)
                }
            }
        }
        #expect(!opened)
    }

    @Test("SHA-256 (FIPS 180-2), whole and split in two at every point", arguments: PrimitiveVector.of("sha256"))
    func sha256(vector: PrimitiveVector) throws {
        let data = try vector.bytes("data")
        let digest = try vector.bytes("digest")
        for split in Set([0, data.count / 2, data.count]) {
            let first = Array(data[..<split]), second = Array(data[split...])
            let out = first.withUnsafeBytes { a in second.withUnsafeBytes { b in provider.sha256(a, b) } }
            #expect(out.bytes == digest, "split at \(split)")
        }
    }

    @Test("HMAC-SHA256 (RFC 4231)", arguments: PrimitiveVector.of("hmac-sha256"))
    func hmac(vector: PrimitiveVector) throws {
        let key = try vector.bytes("key"), data = try vector.bytes("data")
        let mac = key.withUnsafeBytes { k in data.withUnsafeBytes { d in provider.hmacSHA256(key: k, data: d) } }
        let expected = try vector.bytes("mac")
        #expect(Array(mac.bytes.prefix(vector.integers["truncateTo"] ?? 32)) == expected)
    }

    @Test("HKDF-SHA256 (RFC 5869): the output, and the extract step as HMAC(salt, ikm)", arguments: PrimitiveVector.of("hkdf-sha256"))
    func hkdf(vector: PrimitiveVector) throws {
        let ikm = try vector.bytes("ikm"), salt = try vector.bytes("salt"), info = try vector.bytes("info")
        var okm = [UInt8](repeating: 0, count: try #require(vector.integers["length"]))
        let derived = okm.withUnsafeMutableBytes { out in
            salt.withUnsafeBytes { s in ikm.withUnsafeBytes { i in info.withUnsafeBytes { f in
                provider.hkdfSHA256(into: out, salt: s, inputKeyMaterial: i, info: f)
            } } }
        }
        let expected = try vector.bytes("okm")
        #expect(derived && okm == expected)
        let prk = salt.withUnsafeBytes { s in ikm.withUnsafeBytes { i in provider.hmacSHA256(key: s, data: i) } }
        #expect(prk.bytes == (try vector.bytes("prk")))
    }
}

@Suite("The swift-crypto provider's own contract (pumpwire_crypto.h)")
struct SecurityProviderContractTests {
    let provider = SwiftCryptoProvider()

    @Test("Random bytes differ from call to call; HKDF refuses more than 255 × 32 bytes")
    func randomAndLimits() {
        var a = Bytes32(), b = Bytes32()
        #expect(a.withUnsafeMutableBytes { provider.random(into: $0) } && b.withUnsafeMutableBytes { provider.random(into: $0) })
        #expect(a != b && !a.isZero)
        var big = [UInt8](repeating: 0, count: 255 * 32 + 1)
        #expect(!big.withUnsafeMutableBytes { provider.hkdfSHA256(into: $0, salt: .init(start: nil, count: 0), inputKeyMaterial: .init(start: nil, count: 0), info: .init(start: nil, count: 0)) })
    }

    @Test("Noise's HKDF is RFC 5869 with the chaining key as salt and empty info (spec/security.md 3)")
    func noiseHKDF() throws {
        // Noise rev 34, 4.3: temp = HMAC(ck, ikm); out1 = HMAC(temp, 0x01); out2 = HMAC(temp, out1 || 0x02).
        let ck = Bytes32(repeating: 0x5C), ikm = Array("input key material".utf8)
        let temp = ck.withUnsafeBytes { k in ikm.withUnsafeBytes { provider.hmacSHA256(key: k, data: $0) } }
        let out1 = temp.withUnsafeBytes { k in [UInt8(1)].withUnsafeBytes { provider.hmacSHA256(key: k, data: $0) } }
        let out2 = temp.withUnsafeBytes { k in (out1.bytes + [2]).withUnsafeBytes { provider.hmacSHA256(key: k, data: $0) } }
        let (first, second, third) = try ikm.withUnsafeBytes { raw in
            try typed { () throws(PumpWireError) in try NoiseSymmetricState.hkdf(provider, chainingKey: ck, inputKeyMaterial: raw, outputs: 2) }.get()
        }
        #expect(first == out1 && second == out2 && third.isZero)
    }

    @Test("A nonce is Noise's: four zero bytes, then the counter little-endian")
    func nonce() {
        #expect(AEADNonce(counter: 0x0102_0304_0506_0708).withUnsafeBytes { Array($0) } == [0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
        #expect([UInt8](repeating: 9, count: 11).withUnsafeBytes { AEADNonce(copying: $0) } == nil)
    }
}
