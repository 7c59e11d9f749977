import CPumpWire
import Foundation
import PumpWire
@testable import PumpWireC
import PumpWireCore
import PumpWireSecurity
import Testing

// The secure session of pumpwire.h (pw_handshake, pw_sealed_channel) through its C declarations,
// with a C provider table whose functions call SwiftCryptoProvider: every entry of
// vectors/crypto/sessions.json, as SecurityGoldenTests runs them through the core.

private let reference = SwiftCryptoProvider()

/// The C functions of pumpwire.h as C callers see them (module-qualified names do not go through #expect).
private enum C {
    static let pw_frame_decode = CPumpWire.pw_frame_decode
    static let pw_handshake_erase = CPumpWire.pw_handshake_erase
    static let pw_handshake_init = CPumpWire.pw_handshake_init
    static let pw_handshake_is_complete = CPumpWire.pw_handshake_is_complete
    static let pw_handshake_is_write_turn = CPumpWire.pw_handshake_is_write_turn
    static let pw_handshake_prologue = CPumpWire.pw_handshake_prologue
    static let pw_handshake_read_message = CPumpWire.pw_handshake_read_message
    static let pw_handshake_split = CPumpWire.pw_handshake_split
    static let pw_handshake_write_message = CPumpWire.pw_handshake_write_message
    static let pw_sealed_channel_epoch = CPumpWire.pw_sealed_channel_epoch
    static let pw_sealed_channel_erase = CPumpWire.pw_sealed_channel_erase
    static let pw_sealed_channel_highest_accepted = CPumpWire.pw_sealed_channel_highest_accepted
    static let pw_sealed_channel_init = CPumpWire.pw_sealed_channel_init
    static let pw_sealed_channel_next_frame_counter = CPumpWire.pw_sealed_channel_next_frame_counter
    static let pw_sealed_open_frame = CPumpWire.pw_sealed_open_frame
    static let pw_sealed_seal_frame = CPumpWire.pw_sealed_seal_frame
    static let pw_sealed_seal_frame_into = CPumpWire.pw_sealed_seal_frame_into
}

private func key(_ p: UnsafePointer<UInt8>?) -> Bytes32 { Bytes32(copying: UnsafeRawBufferPointer(start: p, count: 32))! }
private func store(_ value: Bytes32, _ out: UnsafeMutablePointer<UInt8>?) {
    value.withUnsafeBytes { raw in for i in 0..<32 { out![i] = raw[i] } }
}
private func input(_ p: UnsafePointer<UInt8>?, _ n: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: n == 0 ? nil : p, count: n) }

/// A `pw_crypto_provider` over SwiftCryptoProvider; `context` counts the calls (an Int).
func swiftCryptoTable(context: UnsafeMutableRawPointer? = nil) -> pw_crypto_provider {
    var table = pw_crypto_provider()
    table.context = context
    table.x25519 = { _, out, scalar, point in
        guard let result = reference.x25519(scalar: key(scalar), point: key(point)) else { return 1 }
        store(result, out)
        return 0
    }
    table.x25519_base = { _, out, scalar in
        guard let result = reference.x25519Base(scalar: key(scalar)) else { return 1 }
        store(result, out)
        return 0
    }
    table.aead_seal = { _, ciphertext, tag, k, nonce, ad, adLength, plaintext, length in
        if length > 0 && UnsafeRawPointer(ciphertext!) != UnsafeRawPointer(plaintext!) {
            UnsafeMutableRawPointer(ciphertext!).copyMemory(from: plaintext!, byteCount: length)
        }
        let ok = reference.aeadSeal(
            key: key(k), nonce: AEADNonce(copying: input(nonce, 12))!, associatedData: input(ad, adLength),
            text: UnsafeMutableRawBufferPointer(start: length == 0 ? nil : ciphertext, count: length),
            tag: UnsafeMutableRawBufferPointer(start: tag, count: 16))
        return ok ? 0 : 1
    }
    table.aead_open = { _, plaintext, k, nonce, ad, adLength, ciphertext, length, tag in
        if length > 0 && UnsafeRawPointer(ciphertext!) != UnsafeRawPointer(plaintext!) {
            UnsafeMutableRawPointer(plaintext!).copyMemory(from: ciphertext!, byteCount: length)
        }
        let ok = reference.aeadOpen(
            key: key(k), nonce: AEADNonce(copying: input(nonce, 12))!, associatedData: input(ad, adLength),
            text: UnsafeMutableRawBufferPointer(start: length == 0 ? nil : plaintext, count: length),
            tag: input(tag, 16))
        return ok ? 0 : 1
    }
    table.sha256 = { _, out, first, firstLength, second, secondLength in
        store(reference.sha256(input(first, firstLength), input(second, secondLength)), out)
    }
    table.hmac_sha256 = { _, out, k, kLength, data, dataLength in
        store(reference.hmacSHA256(key: input(k, kLength), data: input(data, dataLength)), out)
    }
    table.hkdf_sha256 = { _, out, outLength, salt, saltLength, ikm, ikmLength, info, infoLength in
        reference.hkdfSHA256(into: UnsafeMutableRawBufferPointer(start: out, count: outLength), salt: input(salt, saltLength),
                             inputKeyMaterial: input(ikm, ikmLength), info: input(info, infoLength)) ? 0 : 1
    }
    table.random = { _, out, length in
        reference.random(into: UnsafeMutableRawBufferPointer(start: out, count: length)) ? 0 : 1
    }
    return table
}

/// A C handshake of one side of a golden handshake.
private func cHandshake(_ h: GoldenSessions.Handshake, initiator: Bool, table: UnsafePointer<pw_crypto_provider>,
                        fixedEphemeral: Bool = true) -> (state: UnsafeMutablePointer<pw_handshake>, code: UInt16) {
    let state = UnsafeMutablePointer<pw_handshake>.allocate(capacity: 1)
    state.initialize(to: pw_handshake())
    let local = initiator ? h.initiator : h.pump
    let remote = initiator ? h.pump : h.initiator
    var prologue = [UInt8](repeating: 0, count: Int(PW_HANDSHAKE_PROLOGUE_SIZE))
    C.pw_handshake_prologue(h.pattern.rawValue, h.slot, &prologue)
    #expect(prologue == h.prologue)
    let staticKey = local.staticPrivate.bytes, remoteKey = remote.staticPublic.bytes
    let psk = h.pairingSecret?.bytes, ephemeral = local.ephemeralPrivate.bytes
    var offset: UInt32 = 0
    let code = C.pw_handshake_init(
        state, table, h.pattern.rawValue, initiator ? UInt8(PW_ROLE_INITIATOR) : UInt8(PW_ROLE_RESPONDER),
        prologue, prologue.count, staticKey, h.pattern == .kk ? remoteKey : nil, psk, fixedEphemeral ? ephemeral : nil, &offset)
    return (state, code)
}

private func write(_ state: UnsafeMutablePointer<pw_handshake>, _ payload: [UInt8]) -> (code: UInt16, offset: UInt32, message: [UInt8]) {
    var message = [UInt8](repeating: 0, count: Int(PW_HANDSHAKE_MAX_MESSAGE))
    var length = 0
    var offset: UInt32 = 0
    let code = C.pw_handshake_write_message(state, payload, payload.count, &message, message.count, &length, &offset)
    return (code, offset, Array(message[..<length]))
}

private func read(_ state: UnsafeMutablePointer<pw_handshake>, _ message: [UInt8]) -> (code: UInt16, offset: UInt32, payload: [UInt8]) {
    var payload = [UInt8](repeating: 0, count: 64)
    var length = 0
    var offset: UInt32 = 0
    let code = C.pw_handshake_read_message(state, message, message.count, &payload, payload.count, &length, &offset)
    return (code, offset, Array(payload[..<length]))
}

@Suite("The secure session of the C API against vectors/crypto/sessions.json (pumpwire.h, spec/security.md)",
       .enabled(if: !GoldenSessions.json.isEmpty, "vectors/crypto/sessions.json is not in this checkout"))
struct SecureSessionCAPITests {
    typealias G = GoldenSessions

    @Test("The state structs hold the Swift state after their check word")
    func layout() {
        #expect(CStateStorage.fits(CHandshake.self, in: pw_handshake.self))
        #expect(CStateStorage.fits(CSealedChannel.self, in: pw_sealed_channel.self))
        #expect(MemoryLayout<pw_handshake>.size == 640 && MemoryLayout<pw_sealed_channel>.size == 160)
    }

    @Test("Each handshake from both sides through pw_handshake: frames byte-exact, handshake hash, split channels with k1 and k2",
          arguments: G.handshakes)
    func handshake(_ h: G.Handshake) throws {
        var table = swiftCryptoTable()
        let (initiator, initCode) = cHandshake(h, initiator: true, table: &table)
        let (pump, pumpCode) = cHandshake(h, initiator: false, table: &table)
        defer { initiator.deallocate(); pump.deallocate() }
        #expect(initCode == 0 && pumpCode == 0)
        for (index, message) in h.messages.enumerated() {
            let fromInitiator = message.sender == "initiator"
            let (writer, reader) = fromInitiator ? (initiator, pump) : (pump, initiator)
            #expect(C.pw_handshake_is_write_turn(writer) && !C.pw_handshake_is_write_turn(reader))
            let written = write(writer, message.noisePayload)
            #expect(written.code == 0 && written.message == message.noiseMessage, "\(h.id) message \(index + 1)")
            let payload = G.framePayload(type: message.messageType, pattern: h.pattern, slot: h.slot, noiseMessage: written.message)
            #expect(G.plainFrame(type: message.messageType, sequence: message.sequence, payload: payload) == message.frame)
            let got = read(reader, Array(message.frame[G.Handshake.noiseMessageOffset(messageType: message.messageType)..<(message.frame.count - 2)]))
            #expect(got.code == 0 && got.payload == message.noisePayload)
            // Out of turn: the writer may not write again before reading.
            if index + 1 < h.messages.count {
                let again = write(writer, [])
                #expect(again.code == UInt16(PW_ERR_HANDSHAKE_OUT_OF_ORDER.rawValue) && again.offset == 0xFFFF)
            }
        }
        #expect(C.pw_handshake_is_complete(initiator) && C.pw_handshake_is_complete(pump))
        var channels = [pw_sealed_channel(), pw_sealed_channel()]
        for (index, state) in [initiator, pump].enumerated() {
            var hash = [UInt8](repeating: 0, count: 32)
            var offset: UInt32 = 0
            #expect(C.pw_handshake_split(state, h.sessionEpoch, &channels[index], &hash, &offset) == 0)
            #expect(hash == h.handshakeHash.bytes)
            #expect(C.pw_sealed_channel_epoch(&channels[index]) == h.sessionEpoch)
            #expect(C.pw_sealed_channel_next_frame_counter(&channels[index]) == 0)
            #expect(!C.pw_sealed_channel_highest_accepted(&channels[index], nil))
            // PW-SEC-8: a second split is out of turn; the handshake's secrets are gone.
            #expect(C.pw_handshake_split(state, h.sessionEpoch, &channels[index], nil, &offset)
                    == UInt16(PW_ERR_HANDSHAKE_OUT_OF_ORDER.rawValue))
            C.pw_handshake_erase(state)
            #expect(!C.pw_handshake_is_complete(state))
        }
        // The split keys: the initiator seals with k1 and opens with k2, the pump the other way.
        let programmer = try CStateStorage.readState(&channels[0], as: CSealedChannel.self).map { $0.pointee }.unwrap()
        let pumpSide = try CStateStorage.readState(&channels[1], as: CSealedChannel.self).map { $0.pointee }.unwrap()
        #expect(programmer.sending.key == h.k1 && programmer.receiving.key == h.k2)
        #expect(pumpSide.sending.key == h.k2 && pumpSide.receiving.key == h.k1)
    }

    @Test("A handshake with the provider's random ephemeral keys completes and both sides agree")
    func randomEphemeral() throws {
        var table = swiftCryptoTable()
        let h = G.handshake("session")
        let (initiator, _) = cHandshake(h, initiator: true, table: &table, fixedEphemeral: false)
        let (pump, _) = cHandshake(h, initiator: false, table: &table, fixedEphemeral: false)
        defer { initiator.deallocate(); pump.deallocate() }
        let m1 = write(initiator, [])
        #expect(m1.code == 0 && m1.message.count == 48 && m1.message != h.messages[0].noiseMessage)
        #expect(read(pump, m1.message).code == 0)
        let m2 = write(pump, h.sessionInfo)
        #expect(m2.code == 0 && m2.message.count == 54)
        #expect(read(initiator, m2.message).payload == h.sessionInfo)
        var a = pw_sealed_channel(), b = pw_sealed_channel()
        var ha = [UInt8](repeating: 0, count: 32), hb = [UInt8](repeating: 1, count: 32)
        #expect(C.pw_handshake_split(initiator, 2, &a, &ha, nil) == 0 && C.pw_handshake_split(pump, 2, &b, &hb, nil) == 0)
        #expect(ha == hb)
    }

    @Test("Refusals: NULL and unprepared structs, a NULL provider function, a bad pattern or role, a missing key")
    func refusals() {
        var table = swiftCryptoTable()
        let h = G.handshake("session")
        var state = pw_handshake()
        var offset: UInt32 = 0
        let key = h.initiator.staticPrivate.bytes
        #expect(C.pw_handshake_init(nil, &table, 2, 0, nil, 0, key, key, nil, nil, &offset) == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
        #expect(C.pw_handshake_init(&state, nil, 2, 0, nil, 0, key, key, nil, nil, &offset) == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
        var broken = table
        broken.hkdf_sha256 = nil
        #expect(C.pw_handshake_init(&state, &broken, 2, 0, nil, 0, key, key, nil, nil, &offset) == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
        #expect(C.pw_handshake_init(&state, &table, 3, 0, nil, 0, key, key, nil, nil, &offset) == UInt16(PW_ERR_FIELD_OUT_OF_RANGE.rawValue))
        #expect(C.pw_handshake_init(&state, &table, 2, 2, nil, 0, key, key, nil, nil, &offset) == UInt16(PW_ERR_FIELD_OUT_OF_RANGE.rawValue))
        #expect(C.pw_handshake_init(&state, &table, 2, 0, nil, 0, key, nil, nil, nil, &offset) == UInt16(PW_ERR_HANDSHAKE_FAILED.rawValue)
                && offset == 0xFFFF)
        #expect(C.pw_handshake_init(&state, &table, 1, 0, nil, 0, key, nil, nil, nil, &offset) == UInt16(PW_ERR_HANDSHAKE_FAILED.rawValue))
        // Never prepared: refused without being read.
        var unprepared = pw_handshake()
        var length = 0
        #expect(C.pw_handshake_write_message(&unprepared, nil, 0, nil, 0, &length, &offset) == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue) && offset == 0)
        #expect(!C.pw_handshake_is_complete(&unprepared) && !C.pw_handshake_is_write_turn(nil))
        var channel = pw_sealed_channel()
        #expect(C.pw_sealed_open_frame(&channel, nil, 0, nil, 0, &length, &offset) == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
        #expect(C.pw_sealed_channel_init(&channel, &table, key, nil, 0, 0, false, 0) == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
        #expect(C.pw_sealed_channel_init(&channel, &table, key, key, 0, 0xFFFFFF, false, 0) == 0)
        // PW-SEC-12: the last counter seals, then COUNTER_EXHAUSTED.
        var frame = G.sealedMessages[0].frames[0].cleartextFrame
        #expect(C.pw_sealed_seal_frame(&channel, &frame, frame.count, &length, &offset) == 0)
        #expect(C.pw_sealed_seal_frame(&channel, &frame, frame.count, &length, &offset) == UInt16(PW_ERR_COUNTER_EXHAUSTED.rawValue))
        #expect(C.pw_sealed_channel_next_frame_counter(&channel) == 0x100_0000)
        // A frame without the AUTHENTICATED flag is NOT_SEALED at 4.
        var plain = G.handshake("session").messages[0].frame
        #expect(C.pw_sealed_seal_frame(&channel, &plain, plain.count, &length, &offset) == UInt16(PW_ERR_NOT_SEALED.rawValue) && offset == 4)
        C.pw_sealed_channel_erase(&channel)
        #expect(C.pw_sealed_channel_epoch(&channel) == 0)
    }

    @Test("Each sealed frame sealed byte-exact (in place and into a buffer) and opened to its cleartext frame",
          arguments: G.sealedMessages)
    func sealedFrames(_ message: G.SealedMessage) {
        var table = swiftCryptoTable()
        let keyBytes = message.keyBytes.bytes, other = [UInt8](repeating: 0, count: 32)
        var receiver = pw_sealed_channel()
        #expect(C.pw_sealed_channel_init(&receiver, &table, other, keyBytes, message.frames[0].sessionEpoch, 0, false, 0) == 0)
        var plaintext: [UInt8] = []
        for vector in message.frames {
            var sender = pw_sealed_channel()
            #expect(C.pw_sealed_channel_init(&sender, &table, keyBytes, other, vector.sessionEpoch, vector.frameCounter, false, 0) == 0)
            var frame = vector.cleartextFrame + [0xEE]  // a byte after the frame stays as it is
            var length = 0
            var offset: UInt32 = 0
            #expect(C.pw_sealed_seal_frame(&sender, &frame, frame.count, &length, &offset) == 0)
            #expect(length == vector.sealedFrame.count && Array(frame[..<length]) == vector.sealedFrame && frame.last == 0xEE, "\(message.id)")
            #expect(C.pw_sealed_channel_next_frame_counter(&sender) == vector.frameCounter + 1)
            // Into a buffer, from a cleartext frame only read; a buffer one byte short is refused.
            var again = pw_sealed_channel()
            _ = C.pw_sealed_channel_init(&again, &table, keyBytes, other, vector.sessionEpoch, vector.frameCounter, false, 0)
            var out = [UInt8](repeating: 0, count: vector.cleartextFrame.count)
            #expect(C.pw_sealed_seal_frame_into(&again, vector.cleartextFrame, vector.cleartextFrame.count, &out, out.count - 1, &length, &offset)
                    == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
            #expect(C.pw_sealed_seal_frame_into(&again, vector.cleartextFrame, vector.cleartextFrame.count, &out, out.count, &length, &offset) == 0)
            #expect(out == vector.sealedFrame)
            // Opened: the cleartext frame with the received tag and a fresh CRC.
            var opened = [UInt8](repeating: 0, count: vector.sealedFrame.count)
            #expect(C.pw_sealed_open_frame(&receiver, vector.sealedFrame, vector.sealedFrame.count, &opened, opened.count, &length, &offset) == 0)
            var expected = vector.cleartextFrame
            let tagStart = vector.associatedData.count + vector.plaintext.count + 4
            expected.replaceSubrange(tagStart..<(tagStart + 16), with: vector.tag)
            Frame.setCRC(in: &expected)
            #expect(length == expected.count && opened == expected, "\(message.id) opened")
            var highest: UInt32 = 0
            #expect(C.pw_sealed_channel_highest_accepted(&receiver, &highest) && highest == vector.frameCounter)
            plaintext += Array(opened[vector.associatedData.count..<(vector.associatedData.count + vector.plaintext.count)])
            // The opened frame decodes with pw_frame_decode (where pumpwire-v1.md's registry knows
            // its payload: not commandIds, type 0x7e, nor acknowledgedType 0x11 yet).
            var decoded = pw_frame()
            let decodes = C.pw_frame_decode(opened, opened.count, &decoded, &offset) == 0
            #expect(decodes || message.messageType == 0x7E || message.commandIdPresent || message.id.hasSuffix("handshakeFinish"),
                    "\(message.id) decode")
        }
        #expect(plaintext == message.messagePayload)
    }

    @Test("Each rejection with exactly its code and offset through pw_sealed_open_frame; the channel unchanged",
          arguments: G.rejections)
    func rejection(_ r: G.Rejection) {
        var table = swiftCryptoTable()
        var receiver = pw_sealed_channel()
        #expect(C.pw_sealed_channel_init(&receiver, &table, [UInt8](repeating: 0, count: 32), r.keyBytes.bytes, r.sessionEpoch, 0,
                                                 r.highestAccepted != nil, r.highestAccepted ?? 0) == 0)
        var out = [UInt8](repeating: 0, count: r.frame.count)
        var length = 0
        var offset: UInt32 = 0
        let code = C.pw_sealed_open_frame(&receiver, r.frame, r.frame.count, &out, out.count, &length, &offset)
        #expect(code == r.code && offset == UInt32(r.offset), "\(r.id): \(code)@\(offset)")
        var highest: UInt32 = 0
        let has = C.pw_sealed_channel_highest_accepted(&receiver, &highest)
        #expect(has == (r.highestAccepted != nil) && (!has || highest == r.highestAccepted))
    }

    @Test("Each low-order key: LOW_ORDER_KEY at the key's offset, no message written, no split", arguments: G.lowOrderKeys)
    func lowOrderKey(_ l: G.LowOrderKey) {
        var table = swiftCryptoTable()
        let h = G.handshake(l.handshake)
        let (state, initCode) = cHandshake(h, initiator: !l.receiverIsPump, table: &table)
        defer { state.deallocate() }
        #expect(initCode == 0)
        let frameOffset = G.Handshake.noiseMessageOffset(messageType: l.frame[3])
        let noise = Array(l.frame[frameOffset..<(l.frame.count - 2)])
        var code: UInt16
        var offset: UInt32
        if let sent = l.sentRequest {
            let request = write(state, [])
            #expect(G.plainFrame(type: 0x10, sequence: 1, payload: [h.pattern.rawValue, h.slot] + request.message) == sent)
            (code, offset, _) = read(state, noise)
        } else {
            (code, offset, _) = read(state, noise)
            if code == 0 {
                let response = write(state, h.sessionInfo)
                #expect(response.message.isEmpty)
                (code, offset) = (response.code, response.offset)
            }
        }
        #expect(code == l.code && Int(offset) + frameOffset == l.offset, "\(l.id): \(code)@\(offset)")
        var channel = pw_sealed_channel()
        #expect(C.pw_handshake_split(state, 1, &channel, nil, nil) == UInt16(PW_ERR_HANDSHAKE_OUT_OF_ORDER.rawValue))
        // A failed handshake stays failed.
        #expect(write(state, []).code == UInt16(PW_ERR_HANDSHAKE_FAILED.rawValue))
    }
}

extension GoldenSessions.SealedMessage {
    /// Whether the plaintext starts with a commandId (PW-SEC-13), which pumpwire-v1.md's decoder
    /// does not know yet.
    var commandIdPresent: Bool { [0x02, 0x03, 0x04, 0x06, 0x12, 0x13].contains(messageType) }
}

extension Optional {
    func unwrap() throws -> Wrapped {
        guard let self else { throw CancellationError() }
        return self
    }
}
