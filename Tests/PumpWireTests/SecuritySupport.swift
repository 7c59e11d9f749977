import Foundation
import PumpWire
import PumpWireSecurity
@testable import PumpWireCore

/// Helpers of the security tests (Security*Tests.swift): keys from hex, handshakes and channels
/// over arrays.

let swiftCrypto = SwiftCryptoProvider()

extension Bytes32 {
    init(hex: String) {
        self.init(copying: try! Hex.decode(hex))
    }

    init(copying bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Bytes32(copying: $0)! }
    }

    init(repeating byte: UInt8) {
        self.init(copying: [UInt8](repeating: byte, count: 32))
    }

    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
    var hex: String { Hex.encode(bytes) }
}

/// Runs a typed-throws body inside an untyped `withUnsafe…` call.
func typed<R>(_ body: () throws(PumpWireError) -> R) -> Result<R, PumpWireError> {
    Result { () throws(PumpWireError) -> R in try body() }
}

extension NoiseHandshakeState {
    /// Writes the next message with `payload`.
    mutating func write(_ payload: [UInt8] = []) throws(PumpWireError) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: messageLength(payloadLength: payload.count))
        let count = try payload.withUnsafeBytes { payloadRaw in
            message.withUnsafeMutableBytes { messageRaw in
                typed { () throws(PumpWireError) in try self.writeMessage(payload: payloadRaw, into: messageRaw) }
            }
        }.get()
        return Array(message[..<count])
    }

    /// Reads the next message; returns its payload.
    mutating func read(_ message: [UInt8]) throws(PumpWireError) -> [UInt8] {
        var payload = [UInt8](repeating: 0, count: message.count)
        let count = try message.withUnsafeBytes { messageRaw in
            payload.withUnsafeMutableBytes { payloadRaw in
                typed { () throws(PumpWireError) in try self.readMessage(messageRaw, payloadInto: payloadRaw) }
            }
        }.get()
        return Array(payload[..<count])
    }
}

extension NoiseCipherState {
    /// A Noise transport message: `EncryptWithAd(empty, plaintext)`.
    mutating func encrypt(_ plaintext: [UInt8], provider: some CryptoProvider = swiftCrypto) throws(PumpWireError) -> [UInt8] {
        var buffer = plaintext + [UInt8](repeating: 0, count: NoiseCipherState.tagSize)
        let count = try buffer.withUnsafeMutableBytes { raw in
            typed { () throws(PumpWireError) in
                try self.encrypt(with: provider, associatedData: UnsafeRawBufferPointer(start: nil, count: 0), in: raw, plaintextLength: plaintext.count)
            }
        }.get()
        return Array(buffer[..<count])
    }

    /// `DecryptWithAd(empty, ciphertext)`.
    mutating func decrypt(_ ciphertext: [UInt8], provider: some CryptoProvider = swiftCrypto) throws(PumpWireError) -> [UInt8] {
        var buffer = ciphertext
        let count = try buffer.withUnsafeMutableBytes { raw in
            typed { () throws(PumpWireError) in
                try self.decrypt(with: provider, associatedData: UnsafeRawBufferPointer(start: nil, count: 0), in: raw)
            }
        }.get()
        return Array(buffer[..<count])
    }
}

extension SealedChannel {
    /// `message` sealed: one frame or its fragments, back to back.
    mutating func sealed(_ message: Message, sequence: UInt16 = 1) throws(PumpWireError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: Self.sealedSize(of: message))
        let count = try buffer.withUnsafeMutableBytes { raw in
            typed { () throws(PumpWireError) in try self.seal(message, sequence: sequence, into: raw) }
        }.get()
        return Array(buffer[..<count])
    }

    /// `frame` sealed.
    mutating func sealed(_ frame: Frame) throws(PumpWireError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: WireLimits.maxFrameSize)
        let count = try buffer.withUnsafeMutableBytes { raw in
            typed { () throws(PumpWireError) in try self.seal(frame, into: raw) }
        }.get()
        return Array(buffer[..<count])
    }

    /// Opens one sealed frame: the cleartext frame's bytes and its view.
    mutating func opened(_ sealed: [UInt8]) throws(PumpWireError) -> (bytes: [UInt8], view: FrameView) {
        var buffer = [UInt8](repeating: 0, count: sealed.count)
        let view = try sealed.withUnsafeBytes { sealedRaw in
            buffer.withUnsafeMutableBytes { raw in
                typed { () throws(PumpWireError) in try self.open(sealedRaw, into: raw) }
            }
        }.get()
        return (buffer, view)
    }

    /// Opens and decodes one sealed frame.
    mutating func openedFrame(_ sealed: [UInt8]) throws(PumpWireError) -> Frame {
        var buffer = [UInt8](repeating: 0, count: sealed.count)
        return try sealed.withUnsafeBytes { sealedRaw in
            buffer.withUnsafeMutableBytes { raw in
                typed { () throws(PumpWireError) in try self.openFrame(sealedRaw, into: raw) }
            }
        }.get()
    }
}

/// Fixed keys: those of the cacophony vectors (initiator, responder), and a pairing secret.
enum TestKeys {
    static let initiatorStatic = Bytes32(hex: "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1")
    static let initiatorEphemeral = Bytes32(hex: "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a")
    static let responderStatic = Bytes32(hex: "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893")
    static let responderEphemeral = Bytes32(hex: "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b")
    static let pairingSecret = Bytes32(hex: "54686973206973206d7920417573747269616e20706572737065637469766521")

    static func publicKey(_ privateKey: Bytes32) -> Bytes32 { swiftCrypto.x25519Base(scalar: privateKey)! }

    /// Points whose X25519 product with any scalar is all zero (RFC 7748 section 6.1): 0, 1, a
    /// point of order 8, p - 1, p and p + 1.
    static let lowOrderPoints: [Bytes32] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ].map { Bytes32(hex: $0) }
}

/// The session info of a handshake's message 2 (spec/security.md section 5): slot, sessionEpoch,
/// lastCommandId.
func sessionInfo(slot: UInt8, epoch: UInt8, lastCommandId: UInt32) -> [UInt8] {
    [slot, epoch] + (0..<4).map { UInt8(truncatingIfNeeded: lastCommandId >> (8 * $0)) }
}

/// A provider that behaves like another but can be told to lie, for the attacks the real
/// primitives never perform: a "public key" that is a low-order point for a chosen private key
/// (a malicious peer's ephemeral or static key), and an X25519 that returns the all-zero result
/// instead of failing, as a bare implementation of RFC 7748 does.
struct ScriptedProvider: CryptoProvider {
    var base = SwiftCryptoProvider()
    /// Private keys whose public key is reported as the paired point.
    var fakePublicKeys: [(privateKey: Bytes32, publicKey: Bytes32)] = []
    /// Return 32 zero bytes where the base provider fails.
    var zeroOnFailure = false

    func x25519(scalar: Bytes32, point: Bytes32) -> Bytes32? {
        base.x25519(scalar: scalar, point: point) ?? (zeroOnFailure ? Bytes32() : nil)
    }
    func x25519Base(scalar: Bytes32) -> Bytes32? {
        fakePublicKeys.first { $0.privateKey == scalar }?.publicKey ?? base.x25519Base(scalar: scalar)
    }
    func aeadSeal(key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
                  text: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer) -> Bool {
        base.aeadSeal(key: key, nonce: nonce, associatedData: associatedData, text: text, tag: tag)
    }
    func aeadOpen(key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
                  text: UnsafeMutableRawBufferPointer, tag: UnsafeRawBufferPointer) -> Bool {
        base.aeadOpen(key: key, nonce: nonce, associatedData: associatedData, text: text, tag: tag)
    }
    func sha256(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bytes32 { base.sha256(first, second) }
    func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> Bytes32 { base.hmacSHA256(key: key, data: data) }
    func hkdfSHA256(into output: UnsafeMutableRawBufferPointer, salt: UnsafeRawBufferPointer,
                    inputKeyMaterial: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer) -> Bool {
        base.hkdfSHA256(into: output, salt: salt, inputKeyMaterial: inputKeyMaterial, info: info)
    }
    func random(into output: UnsafeMutableRawBufferPointer) -> Bool { base.random(into: output) }
}

/// A PumpWire handshake of `pattern` with the fixed keys, both sides, prologue of `slot`.
func pumpWireHandshake<P: CryptoProvider>(
    _ pattern: NoisePattern, slot: UInt8 = 1, initiatorSlot: UInt8? = nil, psk: Bytes32 = TestKeys.pairingSecret,
    initiatorStatic: Bytes32 = TestKeys.initiatorStatic, responderStatic: Bytes32 = TestKeys.responderStatic,
    initiatorRemote: Bytes32? = nil, responderRemote: Bytes32? = nil,
    initiatorProvider: P, responderProvider: P
) throws(PumpWireError) -> (initiator: NoiseHandshakeState<P>, responder: NoiseHandshakeState<P>) {
    func make(_ role: NoiseRole, _ slot: UInt8, _ local: Bytes32, _ remote: Bytes32?, _ ephemeral: Bytes32, _ provider: P) throws(PumpWireError) -> NoiseHandshakeState<P> {
        try HandshakePrologue(pattern: pattern, slot: slot).withUnsafeBytes { (prologue) throws(PumpWireError) in
            try NoiseHandshakeState(
                pattern: pattern, role: role, prologue: prologue, localStaticPrivateKey: local,
                remoteStaticPublicKey: pattern == .kk ? remote : nil, presharedKey: pattern == .xxpsk3 ? psk : nil,
                ephemeralPrivateKey: ephemeral, provider: provider)
        }
    }
    return (try make(.initiator, initiatorSlot ?? slot, initiatorStatic, initiatorRemote ?? TestKeys.publicKey(responderStatic),
                     TestKeys.initiatorEphemeral, initiatorProvider),
            try make(.responder, slot, responderStatic, responderRemote ?? TestKeys.publicKey(initiatorStatic),
                     TestKeys.responderEphemeral, responderProvider))
}

func pumpWireHandshake(_ pattern: NoisePattern, slot: UInt8 = 1) throws(PumpWireError)
    -> (initiator: NoiseHandshakeState<SwiftCryptoProvider>, responder: NoiseHandshakeState<SwiftCryptoProvider>) {
    try pumpWireHandshake(pattern, slot: slot, initiatorProvider: swiftCrypto, responderProvider: swiftCrypto)
}

/// Runs every message of a handshake; message 2 carries `info`. Returns the messages.
func complete<P>(_ initiator: inout NoiseHandshakeState<P>, _ responder: inout NoiseHandshakeState<P>,
                 info: [UInt8] = sessionInfo(slot: 1, epoch: 7, lastCommandId: 0)) throws(PumpWireError) -> [[UInt8]] {
    var messages: [[UInt8]] = []
    for index in 0..<initiator.pattern.messageCount {
        let payload = index == 1 ? info : []
        if index % 2 == 0 {
            let message = try initiator.write(payload)
            messages.append(message)
            _ = try responder.read(message)
        } else {
            let message = try responder.write(payload)
            messages.append(message)
            _ = try initiator.read(message)
        }
    }
    return messages
}
