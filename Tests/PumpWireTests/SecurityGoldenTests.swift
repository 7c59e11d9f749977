import Foundation
import PumpWire
import PumpWireSecurity
@testable import PumpWireCore
import Testing

/// vectors/crypto/sessions.json, the golden vectors of the security layer made in Python from
/// spec/security.md alone (vectors/crypto/README.md): handshakes, sealed frames, rejections and
/// low-order keys, read into plain values that the core tests (SecurityGoldenTests) and the C API
/// tests (SecureSessionCAPITests) both run.
enum GoldenSessions {
    static let file = packageRoot.appendingPathComponent("vectors/crypto/sessions.json")

    nonisolated(unsafe) static let json: [String: Any] = {
        guard let data = try? Data(contentsOf: file),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }()

    static func list(_ name: String) -> [[String: Any]] { json[name] as? [[String: Any]] ?? [] }

    static let handshakes: [Handshake] = list("handshakes").map(Handshake.init)
    static let sealedMessages: [SealedMessage] = list("sealedFrames").map(SealedMessage.init)
    static let rejections: [Rejection] = list("rejections").map(Rejection.init)
    static let lowOrderKeys: [LowOrderKey] = list("lowOrderKeys").map(LowOrderKey.init)

    static func handshake(_ id: String) -> Handshake { handshakes.first { $0.id == id }! }

    static func hex(_ object: [String: Any], _ key: String) -> [UInt8] {
        try! Hex.decode(object[key] as! String)
    }

    struct Party: Sendable {
        var staticPrivate: Bytes32, staticPublic: Bytes32, ephemeralPrivate: Bytes32, ephemeralPublic: Bytes32
        init(_ object: [String: Any]) {
            staticPrivate = Bytes32(copying: hex(object, "staticPrivate"))
            staticPublic = Bytes32(copying: hex(object, "staticPublic"))
            ephemeralPrivate = Bytes32(copying: hex(object, "ephemeralPrivate"))
            ephemeralPublic = Bytes32(copying: hex(object, "ephemeralPublic"))
        }
    }

    struct HandshakeMessage: Sendable {
        var name: String, messageType: UInt8, sequence: UInt16, sender: String
        var noisePayload: [UInt8], noiseMessage: [UInt8], framePayload: [UInt8], frame: [UInt8]
        init(_ object: [String: Any]) {
            name = object["name"] as! String
            messageType = UInt8(object["messageType"] as! Int)
            sequence = UInt16(object["sequence"] as! Int)
            sender = object["sender"] as! String
            noisePayload = hex(object, "noisePayload")
            noiseMessage = hex(object, "noiseMessage")
            framePayload = hex(object, "framePayload")
            frame = hex(object, "frame")
        }
    }

    struct Handshake: CustomTestStringConvertible, Sendable {
        var id: String, pattern: NoisePattern, slot: UInt8, prologue: [UInt8], pairingSecret: Bytes32?
        var initiator: Party, pump: Party, sessionInfo: [UInt8], sessionEpoch: UInt8
        var messages: [HandshakeMessage], handshakeHash: Bytes32, k1: Bytes32, k2: Bytes32
        var testDescription: String { id }
        init(_ object: [String: Any]) {
            id = object["id"] as! String
            pattern = NoisePattern(rawValue: UInt8(object["pattern"] as! Int))!
            slot = UInt8(object["slot"] as! Int)
            prologue = hex(object, "prologue")
            pairingSecret = object["pairingSecret"] is String ? Bytes32(copying: hex(object, "pairingSecret")) : nil
            initiator = Party(object["initiator"] as! [String: Any])
            pump = Party(object["pump"] as! [String: Any])
            let info = object["sessionInfo"] as! [String: Any]
            sessionInfo = hex(info, "bytes")
            sessionEpoch = UInt8(info["sessionEpoch"] as! Int)
            messages = (object["messages"] as! [[String: Any]]).map(HandshakeMessage.init)
            handshakeHash = Bytes32(copying: hex(object, "handshakeHash"))
            k1 = Bytes32(copying: hex(object, "k1"))
            k2 = Bytes32(copying: hex(object, "k2"))
        }

        /// Where the Noise message starts in the frame of `messageType`: after the pattern and
        /// slot bytes of a handshakeRequest, at the payload otherwise.
        static func noiseMessageOffset(messageType: UInt8) -> Int { messageType == 0x10 ? 11 : 9 }
    }

    struct SealedFrameVector: Sendable {
        var frameCounter: UInt32, sessionEpoch: UInt8, freshnessCounter: UInt32
        var associatedData: [UInt8], nonce: [UInt8], plaintext: [UInt8], ciphertext: [UInt8], tag: [UInt8]
        var cleartextFrame: [UInt8], sealedFrame: [UInt8]
        init(_ object: [String: Any]) {
            frameCounter = UInt32(object["frameCounter"] as! Int)
            sessionEpoch = UInt8(object["sessionEpoch"] as! Int)
            freshnessCounter = UInt32(object["freshnessCounter"] as! Int)
            associatedData = hex(object, "associatedData")
            nonce = hex(object, "nonce")
            plaintext = hex(object, "plaintext")
            ciphertext = hex(object, "ciphertext")
            tag = hex(object, "tag")
            cleartextFrame = hex(object, "cleartextFrame")
            sealedFrame = hex(object, "sealedFrame")
        }
    }

    struct SealedMessage: CustomTestStringConvertible, Sendable {
        var id: String, session: String, sender: String, key: String, messageType: UInt8, sequence: UInt16
        var messagePayload: [UInt8], frames: [SealedFrameVector]
        var testDescription: String { id }
        init(_ object: [String: Any]) {
            id = object["id"] as! String
            session = object["session"] as! String
            sender = object["sender"] as! String
            key = object["key"] as! String
            messageType = UInt8(object["messageType"] as! Int)
            sequence = UInt16(object["sequence"] as! Int)
            messagePayload = hex(object, "messagePayload")
            frames = (object["frames"] as! [[String: Any]]).map(SealedFrameVector.init)
        }
        /// The key of the direction, from the session's handshake.
        var keyBytes: Bytes32 { let h = GoldenSessions.handshake(session); return key == "k1" ? h.k1 : h.k2 }
    }

    struct Rejection: CustomTestStringConvertible, Sendable {
        var id: String, session: String, key: String, sessionEpoch: UInt8, highestAccepted: UInt32?
        var frame: [UInt8], code: UInt16, offset: Int
        var testDescription: String { id }
        init(_ object: [String: Any]) {
            id = object["id"] as! String
            let receiver = object["receiver"] as! [String: Any]
            session = receiver["session"] as! String
            key = receiver["key"] as! String
            sessionEpoch = UInt8(receiver["sessionEpoch"] as! Int)
            highestAccepted = (receiver["highestAcceptedCounter"] as? Int).map { UInt32($0) }
            frame = hex(object, "frame")
            let expected = object["expected"] as! [String: Any]
            code = UInt16(expected["code"] as! Int)
            offset = expected["offset"] as! Int
        }
        var keyBytes: Bytes32 { let h = GoldenSessions.handshake(session); return key == "k1" ? h.k1 : h.k2 }
    }

    struct LowOrderKey: CustomTestStringConvertible, Sendable {
        var id: String, handshake: String, pattern: NoisePattern, slot: UInt8, sentRequest: [UInt8]?
        var frame: [UInt8], code: UInt16, offset: Int
        var testDescription: String { id }
        init(_ object: [String: Any]) {
            id = object["id"] as! String
            let receiver = object["receiver"] as! [String: Any]
            handshake = receiver["handshake"] as! String
            pattern = NoisePattern(rawValue: UInt8(receiver["pattern"] as! Int))!
            slot = UInt8(receiver["slot"] as! Int)
            sentRequest = receiver["sentRequest"] is String ? hex(receiver, "sentRequest") : nil
            frame = hex(object, "frame")
            let expected = object["expected"] as! [String: Any]
            code = UInt16(expected["code"] as! Int)
            offset = expected["offset"] as! Int
        }
        /// The pump reads a handshakeRequest; the device reads the handshakeResponse.
        var receiverIsPump: Bool { sentRequest == nil }
    }

    /// A plain PumpWire frame (flags 0) around `payload`, CRC-16 last.
    static func plainFrame(type: UInt8, sequence: UInt16, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0xA5, 0xC3, 0x01, type, 0x00, UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8),
                              UInt8(truncatingIfNeeded: payload.count), UInt8(truncatingIfNeeded: payload.count >> 8)]
        bytes += payload + [0, 0]
        Frame.setCRC(in: &bytes)
        return bytes
    }

    /// The handshake frame's payload: pattern and slot before the Noise message of a request.
    static func framePayload(type: UInt8, pattern: NoisePattern, slot: UInt8, noiseMessage: [UInt8]) -> [UInt8] {
        type == 0x10 ? [pattern.rawValue, slot] + noiseMessage : noiseMessage
    }

    /// The payload of a plain frame (its header's length), after checking it decodes as a frame.
    static func payload(ofFrame frame: [UInt8]) -> [UInt8] {
        let length = Int(frame[7]) | Int(frame[8]) << 8
        return Array(frame[9..<(9 + length)])
    }
}

@Suite("The golden vectors of vectors/crypto/sessions.json through the core and SwiftCryptoProvider (spec/security.md)",
       .enabled(if: !GoldenSessions.json.isEmpty, "vectors/crypto/sessions.json is not in this checkout"))
struct SecurityGoldenTests {
    typealias G = GoldenSessions

    @Test("The file holds what its README says: 3 handshakes, 9 sealed messages of 12 frames, 28 rejections, 11 low-order keys")
    func counts() {
        #expect(G.handshakes.count == 3)
        #expect(G.sealedMessages.count == 9 && G.sealedMessages.reduce(0) { $0 + $1.frames.count } == 12)
        #expect(G.rejections.count == 28)
        #expect(G.lowOrderKeys.count == 11)
    }

    func makeState(_ h: G.Handshake, initiator: Bool) throws -> NoiseHandshakeState<SwiftCryptoProvider> {
        let prologue = HandshakePrologue(pattern: h.pattern, slot: h.slot)
        #expect(prologue.withUnsafeBytes { Array($0) } == h.prologue)
        let local = initiator ? h.initiator : h.pump
        let remote = initiator ? h.pump : h.initiator
        return try prologue.withUnsafeBytes { (raw) throws(PumpWireError) in
            try NoiseHandshakeState(
                pattern: h.pattern, role: initiator ? .initiator : .responder, prologue: raw,
                localStaticPrivateKey: local.staticPrivate,
                remoteStaticPublicKey: h.pattern == .kk ? remote.staticPublic : nil,
                presharedKey: h.pairingSecret, ephemeralPrivateKey: local.ephemeralPrivate, provider: swiftCrypto)
        }
    }

    @Test("Each handshake from both sides with the fixed keys: every frame byte-exact, handshake hash, k1 and k2",
          arguments: G.handshakes)
    func handshake(_ h: G.Handshake) throws {
        var initiator = try makeState(h, initiator: true)
        var pump = try makeState(h, initiator: false)
        #expect(initiator.localStaticPublicKey == h.initiator.staticPublic && pump.localStaticPublicKey == h.pump.staticPublic)
        #expect(initiator.localEphemeralPublicKey == h.initiator.ephemeralPublic && pump.localEphemeralPublicKey == h.pump.ephemeralPublic)
        #expect(h.messages.count == h.pattern.messageCount)
        for (index, message) in h.messages.enumerated() {
            let fromInitiator = message.sender == "initiator"
            #expect(fromInitiator == (index % 2 == 0))
            let expectedPayload = index == 1 ? h.sessionInfo : []
            #expect(message.noisePayload == expectedPayload)
            // The sender writes the stored Noise message, framed as the stored frame.
            let written = fromInitiator ? try initiator.write(message.noisePayload) : try pump.write(message.noisePayload)
            #expect(written == message.noiseMessage, "\(h.id) message \(index + 1)")
            let payload = G.framePayload(type: message.messageType, pattern: h.pattern, slot: h.slot, noiseMessage: written)
            #expect(payload == message.framePayload)
            #expect(G.plainFrame(type: message.messageType, sequence: message.sequence, payload: payload) == message.frame)
            #expect(try Frame.decode(message.frame).sequence == message.sequence)
            // The receiver reads the stored frame's Noise message and gets the stored payload.
            let noise = Array(message.frame[G.Handshake.noiseMessageOffset(messageType: message.messageType)..<(message.frame.count - 2)])
            let read = fromInitiator ? try pump.read(noise) : try initiator.read(noise)
            #expect(read == message.noisePayload, "\(h.id) message \(index + 1) read")
        }
        #expect(initiator.isComplete && pump.isComplete)
        #expect(initiator.handshakeHash == h.handshakeHash && pump.handshakeHash == h.handshakeHash)
        for state in [initiator, pump] {
            let (k1, k2) = try state.split()
            #expect(k1.key == h.k1 && k2.key == h.k2, "\(h.id) \(state.role)")
        }
        // The channels each side gets: the initiator seals with k1, the pump with k2 (PW-SEC-8).
        let programmerChannel = try SealedChannel(handshake: initiator, sessionEpoch: h.sessionEpoch)
        let pumpChannel = try SealedChannel(handshake: pump, sessionEpoch: h.sessionEpoch)
        #expect(programmerChannel.sending.key == h.k1 && programmerChannel.receiving.key == h.k2)
        #expect(pumpChannel.sending.key == h.k2 && pumpChannel.receiving.key == h.k1)
    }

    /// A channel of `message`'s sender whose next counter is `counter`.
    static func sender(_ message: G.SealedMessage, counter: UInt32, epoch: UInt8) -> SealedChannel<SwiftCryptoProvider> {
        SealedChannel(sending: SealedDirection(key: message.keyBytes, sessionEpoch: epoch, nextFrameCounter: counter),
                      receiving: SealedDirection(key: Bytes32(), sessionEpoch: epoch), provider: swiftCrypto)
    }

    @Test("Each sealed frame sealed byte-exact from its cleartext frame, opened back, the message reassembled (PW-SEC-9, PW-SEC-10)",
          arguments: G.sealedMessages)
    func sealedFrames(_ message: G.SealedMessage) throws {
        var receiver = SealedChannel(
            sending: SealedDirection(key: Bytes32(), sessionEpoch: message.frames[0].sessionEpoch),
            receiving: SealedDirection(key: message.keyBytes, sessionEpoch: message.frames[0].sessionEpoch), provider: swiftCrypto)
        var reassembler = Reassembler()
        var plaintext: [UInt8] = []
        for (index, vector) in message.frames.enumerated() {
            #expect(vector.freshnessCounter == SealedFrame.freshnessCounter(frameCounter: vector.frameCounter, sessionEpoch: vector.sessionEpoch))
            #expect(vector.nonce == AEADNonce(counter: UInt64(vector.freshnessCounter)).withUnsafeBytes { Array($0) })
            // Sealed in place from the cleartext frame at the stored counter.
            var channel = Self.sender(message, counter: vector.frameCounter, epoch: vector.sessionEpoch)
            var buffer = vector.cleartextFrame
            let length = try buffer.withUnsafeMutableBytes { raw in
                typed { () throws(PumpWireError) in try channel.seal(frameIn: raw) }
            }.get()
            #expect(length == vector.sealedFrame.count)
            #expect(buffer == vector.sealedFrame, "\(message.id) frame \(index)")
            #expect(channel.sending.nextFrameCounter == vector.frameCounter + 1)
            // The parts: associated data, ciphertext and tag where PW-SEC-9 puts them.
            let ad = vector.associatedData.count
            #expect(Array(vector.sealedFrame[0..<ad]) == vector.associatedData)
            #expect(Array(vector.sealedFrame[ad..<(ad + vector.ciphertext.count)]) == vector.ciphertext)
            let tagStart = ad + vector.ciphertext.count + 4
            #expect(Array(vector.sealedFrame[tagStart..<(tagStart + 16)]) == vector.tag)
            // Opened back: the cleartext frame (the block keeps the tag; the CRC is made anew).
            let (opened, view) = try receiver.opened(vector.sealedFrame)
            #expect(receiver.receiving.highestAccepted == vector.frameCounter)
            var expected = vector.cleartextFrame
            expected.replaceSubrange(tagStart..<(tagStart + 16), with: vector.tag)
            Frame.setCRC(in: &expected)
            #expect(opened == expected, "\(message.id) frame \(index) opened")
            plaintext += Array(opened[ad..<(ad + vector.plaintext.count)])
            #expect(Array(opened[ad..<(ad + vector.plaintext.count)]) == vector.plaintext)
            if message.frames.count > 1 {
                _ = try opened.withUnsafeBytes { raw in
                    typed { () throws(PumpWireError) in try reassembler.add(view, in: raw) }
                }.get()
            }
        }
        #expect(plaintext == message.messagePayload)
        if message.frames.count > 1 {
            #expect(reassembler.isComplete)
            #expect(reassembler.withCompletedPayload { Array($0) } == message.messagePayload)
        }
    }

    @Test("Registered messages sealed from their message payload (fragmented as spec 5.1 says) give the stored frames",
          arguments: G.sealedMessages)
    func sealedFromMessage(_ message: G.SealedMessage) throws {
        // Only messages of the registry can be built from their payload; type 0x7e is not one.
        let result: Result<Message, PumpWireError> = message.messagePayload.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            typed { () throws(PumpWireError) -> Message in
                try Message.decode(typeCode: message.messageType, payload: raw, reportingOffset: 0)
            }
        }
        guard case .success(let decoded) = result, decoded.payloadSize == message.messagePayload.count else { return }
        var channel = Self.sender(message, counter: message.frames[0].frameCounter, epoch: message.frames[0].sessionEpoch)
        let sealed = try channel.sealed(decoded, sequence: message.sequence)
        #expect(sealed == message.frames.flatMap(\.sealedFrame), "\(message.id)")
    }

    @Test("Each rejection with exactly its code and offset, and the receiver's state unchanged (PW-SEC-10)",
          arguments: G.rejections)
    func rejection(_ r: G.Rejection) {
        var receiver = SealedChannel(
            sending: SealedDirection(key: Bytes32(), sessionEpoch: r.sessionEpoch),
            receiving: SealedDirection(key: r.keyBytes, sessionEpoch: r.sessionEpoch, highestAccepted: r.highestAccepted),
            provider: swiftCrypto)
        let error = caught { () throws(PumpWireError) in _ = try receiver.opened(r.frame) }
        #expect(error?.code.rawValue == r.code, "\(r.id)")
        #expect(error?.offset == r.offset, "\(r.id)")
        #expect(receiver.receiving.highestAccepted == r.highestAccepted)
    }

    @Test("Each low-order key refused with LOW_ORDER_KEY at the key's frame offset, no key derived, no message sent (PW-SEC-4)",
          arguments: G.lowOrderKeys)
    func lowOrderKey(_ l: G.LowOrderKey) throws {
        let h = G.handshake(l.handshake)
        #expect(h.pattern == l.pattern && h.slot == l.slot)
        let error: PumpWireError?
        var state = try makeState(h, initiator: !l.receiverIsPump)
        let type = l.frame[3]
        let offset = G.Handshake.noiseMessageOffset(messageType: type)
        let noise = Array(l.frame[offset..<(l.frame.count - 2)])
        #expect(try Frame.decode(l.frame).sequence == 1)
        if let sent = l.sentRequest {
            // The device sent its request (the stored one: its fixed ephemeral key), then reads.
            let request = try state.write([])
            #expect(G.plainFrame(type: 0x10, sequence: 1, payload: [h.pattern.rawValue, h.slot] + request) == sent)
            error = caught { () throws(PumpWireError) in _ = try state.read(noise) }
        } else {
            #expect(Array(l.frame[9..<11]) == [l.pattern.rawValue, l.slot])
            error = caught { () throws(PumpWireError) in
                _ = try state.read(noise)
                // A pairing's message 1 reads; the pump stops at ee, building message 2.
                if state.isWriteTurn { _ = try state.write(h.sessionInfo) }
            }
        }
        #expect(error?.code.rawValue == l.code, "\(l.id)")
        // The core reports the offset within the Noise message that carried the key (for the
        // pairing, the request read before the pump's failing write of message 2).
        #expect(error.map { $0.offset + offset } == l.offset, "\(l.id): \(String(describing: error))")
        #expect(state.hasFailed)
        #expect(caught { () throws(PumpWireError) in _ = try state.split() } != nil)
    }
}
