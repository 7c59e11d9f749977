import PumpWire
import PumpWireCore

/// The payloads of the handshake messages (spec/security.md sections 5 and 6), as plain builders
/// and parsers: the registry does not list their types yet, so they travel as `Message.unknown`.
public enum HandshakeMessages {
    public static let requestType: UInt8 = 0x10
    public static let responseType: UInt8 = 0x90
    public static let finishType: UInt8 = 0x11
    public static let slotCount: UInt8 = 4

    /// `handshakeRequest` (0x10, P→I): pattern, slot, Noise message 1.
    public struct Request: Equatable, Sendable {
        public var pattern: NoisePattern
        public var slot: UInt8
        public var noiseMessage: [UInt8]

        public init(pattern: NoisePattern, slot: UInt8, noiseMessage: [UInt8]) {
            self.pattern = pattern
            self.slot = slot
            self.noiseMessage = noiseMessage
        }

        public var payload: [UInt8] { [pattern.rawValue, slot] + noiseMessage }

        /// Payload offsets: FIELD_OUT_OF_RANGE for an unknown pattern (0) or a slot out of range
        /// (1; a pairing's is 0); LENGTH_MISMATCH for a Noise message not of 48 bytes.
        public init(payload: [UInt8]) throws(PumpWireError) {
            try PumpWireError.check(payload.count >= 2, .lengthMismatch, at: payload.count)
            guard let pattern = NoisePattern(rawValue: payload[0]) else { throw PumpWireError(.fieldOutOfRange, at: 0) }
            try PumpWireError.check(pattern == .kk ? payload[1] < slotCount : payload[1] == 0, .fieldOutOfRange, at: 1)
            try PumpWireError.check(payload.count == 2 + 48, .lengthMismatch, at: min(payload.count, 2 + 48))
            self.init(pattern: pattern, slot: payload[1], noiseMessage: Array(payload[2...]))
        }
    }

    /// The session info that message 2 carries (section 5): the slot, the session's epoch, the
    /// last command id the pump executed for the slot.
    public struct SessionInfo: Equatable, Sendable {
        public static let size = 6
        public var slot: UInt8
        public var sessionEpoch: UInt8
        public var lastCommandId: UInt32

        public init(slot: UInt8, sessionEpoch: UInt8, lastCommandId: UInt32) {
            self.slot = slot
            self.sessionEpoch = sessionEpoch
            self.lastCommandId = lastCommandId
        }

        public var bytes: [UInt8] {
            [slot, sessionEpoch] + (0..<4).map { UInt8(truncatingIfNeeded: lastCommandId >> (8 * $0)) }
        }

        public init(bytes: [UInt8]) throws(PumpWireError) {
            try PumpWireError.check(bytes.count == Self.size, .lengthMismatch, at: min(bytes.count, Self.size))
            try PumpWireError.check(bytes[0] < slotCount, .fieldOutOfRange, at: 0)
            self.init(slot: bytes[0], sessionEpoch: bytes[1],
                      lastCommandId: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[2 + $1]) << (8 * $1) })
        }
    }

    /// A frame of `type` carrying `payload`.
    public static func frame(type: UInt8, sequence: UInt16, payload: [UInt8]) throws(PumpWireError) -> [UInt8] {
        try Frame(sequence: sequence, message: .unknown(UnknownMessage(typeCode: type, payload: try BoundedArray(payload)))).encoded()
    }

    /// The payload of a frame of `type`: HANDSHAKE_OUT_OF_ORDER at 3 for another type, and
    /// NOT_SEALED's opposite, NON_CANONICAL at 4, for a sealed or fragmented one (section 5:
    /// handshake messages are never sealed nor fragmented).
    public static func payload(of bytes: [UInt8], type: UInt8) throws(PumpWireError) -> (sequence: UInt16, payload: [UInt8]) {
        let frame = try Frame.decode(bytes)
        try PumpWireError.check(frame.authentication == nil, .nonCanonical, at: 4)
        guard case .message(.unknown(let message)) = frame.content, message.typeCode == type else {
            throw PumpWireError(.handshakeOutOfOrder, at: 3)
        }
        return (frame.sequence, Array(message.payload))
    }
}

/// One side of a PumpWire handshake over frames (spec/security.md sections 5 and 6), then its
/// sealed channel. The device (programmer or patient device) initiates; the pump responds.
/// Slots, roles, pairing windows and command ids are the pump's application's, not this type's.
public struct SecureSession<Provider: CryptoProvider> {
    public private(set) var handshake: NoiseHandshakeState<Provider>
    /// The session info of message 2: written by the pump, read by the device.
    public private(set) var info: HandshakeMessages.SessionInfo?
    /// Once the handshake is complete: the session's sealed frames (PW-SEC-8).
    public internal(set) var channel: SealedChannel<Provider>?
    let sequence: UInt16

    public var isEstablished: Bool { channel != nil }
    public var handshakeHash: Bytes32 { handshake.handshakeHash }

    /// Device: the `handshakeRequest` frame that starts a session (KK: `remoteStatic` is the pump's
    /// key) or a pairing (XXpsk3: `pairingSecret` from the implant card, slot 0).
    public static func initiate(
        pattern: NoisePattern, slot: UInt8, localStatic: Bytes32, remoteStatic: Bytes32? = nil,
        pairingSecret: Bytes32? = nil, ephemeral: Bytes32? = nil, sequence: UInt16, provider: Provider
    ) throws(PumpWireError) -> (session: SecureSession, request: [UInt8]) {
        var handshake = try HandshakePrologue(pattern: pattern, slot: slot).withUnsafeBytes { (prologue) throws(PumpWireError) in
            try NoiseHandshakeState(pattern: pattern, role: .initiator, prologue: prologue, localStaticPrivateKey: localStatic,
                                    remoteStaticPublicKey: remoteStatic, presharedKey: pairingSecret,
                                    ephemeralPrivateKey: ephemeral, provider: provider)
        }
        let message = try handshake.writeMessage([])
        let request = HandshakeMessages.Request(pattern: pattern, slot: slot, noiseMessage: message)
        let frame = try HandshakeMessages.frame(type: HandshakeMessages.requestType, sequence: sequence, payload: request.payload)
        return (SecureSession(handshake: handshake, sequence: sequence), frame)
    }

    /// Pump: reads a `handshakeRequest` frame and answers it with the `handshakeResponse` frame
    /// carrying `info`. `deviceKey` gives a session's slot key (nil for an empty slot:
    /// HANDSHAKE_FAILED, PW-SEC-7); a pairing uses `pairingSecret`. Handshake errors carry offsets
    /// in the Noise message.
    public static func respond(
        to requestFrame: [UInt8], localStatic: Bytes32, deviceKey: (UInt8) -> Bytes32?, pairingSecret: Bytes32?,
        info: HandshakeMessages.SessionInfo, ephemeral: Bytes32? = nil, provider: Provider
    ) throws(PumpWireError) -> (session: SecureSession, response: [UInt8]) {
        let (sequence, payload) = try HandshakeMessages.payload(of: requestFrame, type: HandshakeMessages.requestType)
        let request = try HandshakeMessages.Request(payload: payload)
        var remote: Bytes32?
        if request.pattern == .kk {
            remote = deviceKey(request.slot)
            // PW-SEC-7: an empty slot is told apart from a failed decryption by nobody.
            try PumpWireError.check(remote != nil, .handshakeFailed, at: PumpWireError.noOffset)
        }
        var handshake = try HandshakePrologue(pattern: request.pattern, slot: request.slot).withUnsafeBytes { (prologue) throws(PumpWireError) in
            try NoiseHandshakeState(pattern: request.pattern, role: .responder, prologue: prologue, localStaticPrivateKey: localStatic,
                                    remoteStaticPublicKey: remote, presharedKey: pairingSecret, ephemeralPrivateKey: ephemeral,
                                    provider: provider)
        }
        _ = try handshake.readMessage(request.noiseMessage)
        let message = try handshake.writeMessage(info.bytes)
        var session = SecureSession(handshake: handshake, info: info, sequence: sequence)
        if handshake.isComplete { session.channel = try SealedChannel(handshake: handshake, sessionEpoch: info.sessionEpoch) }
        return (session, try HandshakeMessages.frame(type: HandshakeMessages.responseType, sequence: sequence, payload: message))
    }

    /// Device: reads the `handshakeResponse` frame. A session is then established; a pairing
    /// returns the `handshakeFinish` frame to send, with `finishSequence`, and is established too.
    public mutating func receiveResponse(_ frame: [UInt8], finishSequence: UInt16? = nil) throws(PumpWireError) -> [UInt8]? {
        let (sequence, payload) = try HandshakeMessages.payload(of: frame, type: HandshakeMessages.responseType)
        try PumpWireError.check(sequence == self.sequence, .handshakeOutOfOrder, at: 5)  // the request's answer (PW-SESSION-2)
        let plaintext = try handshake.readMessage(payload)
        let info = try HandshakeMessages.SessionInfo(bytes: plaintext)
        self.info = info
        var finish: [UInt8]?
        if !handshake.isComplete {
            let message = try handshake.writeMessage([])
            finish = try HandshakeMessages.frame(type: HandshakeMessages.finishType, sequence: finishSequence ?? sequence &+ 1, payload: message)
        }
        channel = try SealedChannel(handshake: handshake, sessionEpoch: info.sessionEpoch)
        return finish
    }

    /// Pump, pairing only: reads the `handshakeFinish` frame; the pairing is established when
    /// message 3 decrypts and verifies (PW-SEC-6). Its initiator's static key is then
    /// `handshake.remoteStaticPublicKey`, for the slot.
    public mutating func receiveFinish(_ frame: [UInt8]) throws(PumpWireError) {
        let (_, payload) = try HandshakeMessages.payload(of: frame, type: HandshakeMessages.finishType)
        _ = try handshake.readMessage(payload)
        channel = try SealedChannel(handshake: handshake, sessionEpoch: info?.sessionEpoch ?? 0)
    }
}

extension NoiseHandshakeState {
    /// Writes the next message with `payload`, as an array.
    public mutating func writeMessage(_ payload: [UInt8]) throws(PumpWireError) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: messageLength(payloadLength: payload.count))
        let count = try payload.withUnsafeBytes { payloadRaw in
            message.withUnsafeMutableBytes { messageRaw in
                Result { () throws(PumpWireError) -> Int in try self.writeMessage(payload: payloadRaw, into: messageRaw) }
            }
        }.get()
        return Array(message[..<count])
    }

    /// Reads the next message; returns its payload, as an array.
    public mutating func readMessage(_ message: [UInt8]) throws(PumpWireError) -> [UInt8] {
        var payload = [UInt8](repeating: 0, count: message.count)
        let count = try message.withUnsafeBytes { messageRaw in
            payload.withUnsafeMutableBytes { payloadRaw in
                Result { () throws(PumpWireError) -> Int in try self.readMessage(messageRaw, payloadInto: payloadRaw) }
            }
        }.get()
        return Array(payload[..<count])
    }
}
