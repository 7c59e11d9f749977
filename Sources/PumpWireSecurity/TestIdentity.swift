import PumpWire
import PumpWireCore

/// A test identity file (spec/security.md 14.1): a pump's or a device's static X25519 key pair,
/// and a pump's pairing secret, as JSON. For tests, simulators and example captures only: real
/// devices make their keys on the device and never export them (section 4).
public struct TestIdentity: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable { case pump, device }
    public enum Role: String, Sendable, CaseIterable { case clinician, patient }

    public static let formatVersion = 1
    public static let warning = "TEST KEYS: for tests, simulators and example captures only. "
        + "Never load them into a pump or a device used on a patient (spec/security.md 14.1)."

    public var kind: Kind
    public var name: String
    /// Devices: the role the tools pair or enroll it with (the pump sets a slot's role, PW-SEC-5).
    public var role: Role?
    public var staticPrivateKey: Bytes32
    public var staticPublicKey: Bytes32
    /// Pumps: the pairing secret of the implant card (section 5).
    public var pairingSecret: Bytes32?

    /// A problem of an identity file (PW-KEYLOG-1): the key concerned and what is wrong.
    public struct ReadError: Error, Equatable, CustomStringConvertible {
        public var key: String?
        public var reason: String

        public init(key: String?, reason: String) {
            self.key = key
            self.reason = reason
        }

        public var description: String {
            (key.map { "\"\($0)\": " } ?? "") + reason + " (spec/security.md 14.1, PW-KEYLOG-1)"
        }
    }

    /// An identity from `privateKey` (and, for a pump, `pairingSecret`).
    public init(kind: Kind, name: String, role: Role? = nil, privateKey: Bytes32, pairingSecret: Bytes32? = nil,
                provider: SwiftCryptoProvider = SwiftCryptoProvider()) throws(PumpWireError) {
        self.kind = kind
        self.name = name
        self.role = kind == .device ? (role ?? .clinician) : nil
        staticPrivateKey = privateKey
        staticPublicKey = try NoiseKeyPair(privateKey: privateKey, provider: provider).publicKey
        self.pairingSecret = kind == .pump ? pairingSecret : nil
    }

    /// A new identity: its keys from the host's random source, or with `seed` reproducibly (14.1:
    /// HKDF-SHA256, salt "PumpWire test identity", the seed as input key material, and info
    /// "pump static key", "device static key" or "pump pairing secret").
    public static func make(kind: Kind, name: String, role: Role? = nil, seed: String? = nil,
                            provider: SwiftCryptoProvider = SwiftCryptoProvider()) throws(PumpWireError) -> TestIdentity {
        func value(_ info: String) -> Bytes32 {
            var output = Bytes32()
            output.withUnsafeMutableBytes { raw in
                if let seed {
                    let salt = Array("PumpWire test identity".utf8), ikm = Array(seed.utf8), infoBytes = Array(info.utf8)
                    _ = salt.withUnsafeBytes { s in ikm.withUnsafeBytes { k in infoBytes.withUnsafeBytes { i in
                        provider.hkdfSHA256(into: raw, salt: s, inputKeyMaterial: k, info: i)
                    } } }
                } else {
                    _ = provider.random(into: raw)
                }
            }
            return output
        }
        let privateKey = value(kind == .pump ? "pump static key" : "device static key")
        let secret = kind == .pump ? value("pump pairing secret") : nil
        return try TestIdentity(kind: kind, name: name, role: role, privateKey: privateKey, pairingSecret: secret, provider: provider)
    }

    /// The JSON view of 14.1.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("pumpwireTestIdentity", .integer(Int64(Self.formatVersion))), ("warning", .string(Self.warning)),
            ("kind", .string(kind.rawValue)), ("name", .string(name)),
        ]
        if let role { members.append(("role", .string(role.rawValue))) }
        members += [("staticPrivateKey", .string(staticPrivateKey.hexString)), ("staticPublicKey", .string(staticPublicKey.hexString))]
        if let pairingSecret { members.append(("pairingSecret", .string(pairingSecret.hexString))) }
        return .object(members)
    }

    /// The file's text.
    public var text: String { json.text() + "\n" }

    /// Reads an identity file, refusing a missing or malformed key and a public key that is not
    /// that of the private key (PW-KEYLOG-1).
    public init(text: String, provider: SwiftCryptoProvider = SwiftCryptoProvider()) throws(ReadError) {
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch { throw ReadError(key: nil, reason: "not JSON: \(error)") }
        guard case .object = value else { throw ReadError(key: nil, reason: "not a JSON object") }
        func string(_ key: String) throws(ReadError) -> String {
            guard let member = value[key] else { throw ReadError(key: key, reason: "missing") }
            guard case .string(let text) = member else { throw ReadError(key: key, reason: "not a string") }
            return text
        }
        func key32(_ key: String) throws(ReadError) -> Bytes32 {
            let text = try string(key)
            guard text.count == 64, text.allSatisfy(\.isHexDigit), let bytes = try? Hex.decode(text) else {
                throw ReadError(key: key, reason: "not 64 hexadecimal digits")
            }
            return bytes.withUnsafeBytes { Bytes32(copying: $0)! }
        }
        guard value["pumpwireTestIdentity"] == .integer(Int64(Self.formatVersion)) else {
            throw ReadError(key: "pumpwireTestIdentity", reason: value["pumpwireTestIdentity"] == nil
                ? "missing: not a PumpWire test identity file" : "not \(Self.formatVersion), the version read here")
        }
        guard try string("warning").hasPrefix("TEST KEYS") else { throw ReadError(key: "warning", reason: "does not start with TEST KEYS") }
        guard let kind = Kind(rawValue: try string("kind")) else { throw ReadError(key: "kind", reason: "neither \"pump\" nor \"device\"") }
        var role: Role?
        if kind == .device {
            guard let parsed = Role(rawValue: try string("role")) else { throw ReadError(key: "role", reason: "neither \"clinician\" nor \"patient\"") }
            role = parsed
        }
        let privateKey = try key32("staticPrivateKey")
        let publicKey = try key32("staticPublicKey")
        let secret = kind == .pump ? try key32("pairingSecret") : nil
        let name = try string("name")
        do throws(PumpWireError) {
            self = try TestIdentity(kind: kind, name: name, role: role, privateKey: privateKey, pairingSecret: secret, provider: provider)
        } catch {
            throw ReadError(key: "staticPrivateKey", reason: "X25519 refuses it (\(error.code.specName))")
        }
        guard staticPublicKey == publicKey else {
            throw ReadError(key: "staticPublicKey", reason: "is not the public key of staticPrivateKey")
        }
    }

    /// CRC-32 of the static public key: the `keyDigest` of the log records (section 11).
    public var keyDigest: UInt32 {
        staticPublicKey.withUnsafeBytes { CRC32.checksum($0) }
    }
}

extension Bytes32 {
    /// Lowercase hexadecimal, two digits a byte.
    public var hexString: String { withUnsafeBytes { Hex.encode($0) } }
    /// The bytes, as an array.
    public var byteArray: [UInt8] { withUnsafeBytes { Array($0) } }
}
