import PumpWireCore

/// The keys of `vectors/crypto/sessions.json` (the `session` KK handshake of slot 1 and the
/// `pairing` XXpsk3 one), fixed so that every fuzz run starts from the same states, and the honest
/// handshakes run over them with whatever provider the target chose.
public enum SecureFixtures {
    public static func key(_ hex: StaticString) -> Bytes32 {
        var key = Bytes32()
        let text = hex.utf8Start
        func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10 }
        for i in 0..<Bytes32.count { key[i] = nibble(text[2 * i]) << 4 | nibble(text[2 * i + 1]) }
        return key
    }

    public static let pumpStatic = key("70b37da58b9d66056aeaacaec7746d8481bcef850f66d7e3d100177171a93057")
    public static let sessionDeviceStatic = key("0994d135854b579861470b925390556de73442cccb9e3282a72da53708520d8e")
    public static let sessionDeviceEphemeral = key("f78c8cbacb26b38c6d5f639dddedac615d7fc2ca70e21ff0b8838e0fa0934ef8")
    public static let sessionPumpEphemeral = key("36c598dcdd73080c942197f3da9f1c06d814ba31936f2dba1748094964d97d8b")
    public static let pairingProgrammerStatic = key("9add97900419ffbab80bdf214bd7878ce6bcac74811e3327deb0ffb6dd010a72")
    public static let pairingProgrammerEphemeral = key("bd976dd5a8a4c13559317b1e26446beea28d13c1852ea09b417a9df74abd1d63")
    public static let pairingPumpEphemeral = key("51e2e3e61b24f972bb28602f3b50875a6a6e7991893f291e795f06a4a7e92e5b")
    public static let pairingSecret = key("74671951393c90df57a3204a1333449e4a1eb7cd41af9ceb76d884b36134185d")
    /// The session's `k1` as sessions.json has it: the key a pump opens the device's frames with.
    public static let sessionK1 = key("2c7b92234bc130b458cc828948793229e2c2f70a4335c9bb0b0d9f32ac6b70d7")
    /// The session's epoch (its session info: slot 1, epoch 2, last command id 7).
    public static let sessionEpoch: UInt8 = 2

    /// The slot of each vector's `handshakeRequest` (the prologue's last byte, section 5).
    public static func slot(_ pattern: NoisePattern) -> UInt8 { pattern == .kk ? 1 : 0 }

    /// The Noise payload of message `index` (section 5): session info in message 2, else empty.
    public static func payload(_ pattern: NoisePattern, message index: Int) -> [UInt8] {
        index == 1 ? (pattern == .kk ? [1, 2, 7, 0, 0, 0] : [0, 1, 0, 0, 0, 0]) : []
    }

    /// A fresh side of the vector's handshake, before any message.
    public static func start<P: CryptoProvider>(_ pattern: NoisePattern, role: NoiseRole, provider: P) -> NoiseHandshakeState<P> {
        let initiator = role == .initiator
        let prologue = HandshakePrologue(pattern: pattern, slot: slot(pattern))
        let result = prologue.withUnsafeBytes { raw in
            Result { () throws(PumpWireError) -> NoiseHandshakeState<P> in
                switch pattern {
                case .kk:
                    try .kk(role: role, prologue: raw,
                            localStaticPrivateKey: initiator ? sessionDeviceStatic : pumpStatic,
                            remoteStaticPublicKey: provider.x25519Base(scalar: initiator ? pumpStatic : sessionDeviceStatic)!,
                            ephemeralPrivateKey: initiator ? sessionDeviceEphemeral : sessionPumpEphemeral, provider: provider)
                case .xxpsk3:
                    try .xxpsk3(role: role, prologue: raw,
                                localStaticPrivateKey: initiator ? pairingProgrammerStatic : pumpStatic, presharedKey: pairingSecret,
                                ephemeralPrivateKey: initiator ? pairingProgrammerEphemeral : pairingPumpEphemeral, provider: provider)
                }
            }
        }
        guard case .success(let state) = result else { fatalError("the fixture's handshake does not start: \(result)") }
        return state
    }

    /// The sender of message `index`: the initiator sends the even ones (Noise 7.1).
    public static func sender(ofMessage index: Int) -> NoiseRole { index % 2 == 0 ? .initiator : .responder }
}

extension NoiseHandshakeState {
    /// Writes the next message with `payload`, as an array.
    public mutating func write(_ payload: [UInt8]) -> Result<[UInt8], PumpWireError> {
        var message = [UInt8](repeating: 0, count: messageLength(payloadLength: payload.count))
        return payload.withUnsafeBytes { payloadRaw in
            message.withUnsafeMutableBytes { messageRaw in
                Result { () throws(PumpWireError) -> Int in try self.writeMessage(payload: payloadRaw, into: messageRaw) }
            }
        }.map { Array(message[..<$0]) }
    }

    /// Reads the next message; its payload, as an array.
    public mutating func read(_ message: [UInt8]) -> Result<[UInt8], PumpWireError> {
        var payload = [UInt8](repeating: 0, count: message.count)
        return message.withUnsafeBytes { messageRaw in
            payload.withUnsafeMutableBytes { payloadRaw in
                Result { () throws(PumpWireError) -> Int in try self.readMessage(messageRaw, payloadInto: payloadRaw) }
            }
        }.map { Array(payload[..<$0]) }
    }
}

/// The vector's handshake run honestly up to the message a target fuzzes: the side that reads
/// message `index`, ready to read it, and the side that wrote it, just after writing it.
public struct HonestHandshake<P: CryptoProvider> {
    public var reader: NoiseHandshakeState<P>
    public var writer: NoiseHandshakeState<P>
    /// Every message of the honest run, in order.
    public var messages: [[UInt8]]

    public init(_ pattern: NoisePattern, readingMessage index: Int, readerProvider: P, writerProvider: P) {
        let writerRole = SecureFixtures.sender(ofMessage: index)
        var initiator = SecureFixtures.start(pattern, role: .initiator, provider: writerRole == .initiator ? writerProvider : readerProvider)
        var responder = SecureFixtures.start(pattern, role: .responder, provider: writerRole == .responder ? writerProvider : readerProvider)
        messages = []
        for i in 0..<pattern.messageCount {
            let payload = SecureFixtures.payload(pattern, message: i)
            let message: [UInt8]
            do throws(PumpWireError) {
                message = try (i % 2 == 0 ? initiator.write(payload) : responder.write(payload)).get()
                if i < index { _ = try (i % 2 == 0 ? responder.read(message) : initiator.read(message)).get() }
            } catch {
                fatalError("the honest handshake fails at message \(i): \(error)")
            }
            messages.append(message)
            if i == index { break }
        }
        reader = writerRole == .initiator ? responder : initiator
        writer = writerRole == .initiator ? initiator : responder
    }
}
