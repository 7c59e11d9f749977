import Foundation
import PumpWire
import PumpWireSecurity
@testable import PumpWireCore
import Testing

@Suite("SecureSession: the handshakes over frames (spec/security.md sections 5 and 6)")
struct SecuritySessionTests {
    let devicePublic = TestKeys.publicKey(TestKeys.initiatorStatic)
    let pumpPublic = TestKeys.publicKey(TestKeys.responderStatic)

    @Test("A session (KK): handshakeRequest of 50 bytes, handshakeResponse of 54, then sealed frames both ways")
    func session() throws {
        var (device, request) = try SecureSession.initiate(
            pattern: .kk, slot: 2, localStatic: TestKeys.initiatorStatic, remoteStatic: pumpPublic, sequence: 40, provider: swiftCrypto)
        #expect(request[3] == 0x10 && request.count == 9 + 50 + 2 && Array(request[9..<11]) == [2, 2])
        let info = HandshakeMessages.SessionInfo(slot: 2, sessionEpoch: 17, lastCommandId: 1234)
        var (pump, response) = try SecureSession.respond(
            to: request, localStatic: TestKeys.responderStatic, deviceKey: { $0 == 2 ? devicePublic : nil },
            pairingSecret: nil, info: info, provider: swiftCrypto)
        #expect(response[3] == 0x90 && response.count == 9 + 54 + 2 && Array(response[5..<7]) == [40, 0])
        #expect(pump.isEstablished)
        #expect(try device.receiveResponse(response) == nil)
        #expect(device.isEstablished && device.info == info && device.handshakeHash == pump.handshakeHash)
        var programmer = try #require(device.channel), pumpChannel = try #require(pump.channel)
        #expect(programmer.sending.sessionEpoch == 17)
        #expect(try pumpChannel.openedFrame(try programmer.sealed(SealingFixture.workedFrame)).content == SealingFixture.workedFrame.content)
        let ack = Message.acknowledgement(Acknowledgement(acknowledgedType: 2, digest: 0xB7E2_AAD6))
        #expect(try programmer.openedFrame(try pumpChannel.sealed(ack, sequence: 41)).content == .message(ack))
    }

    @Test("A pairing (XXpsk3): request of 50 bytes, response of 102, finish of 64; the pump learns the programmer's key")
    func pairing() throws {
        var (device, request) = try SecureSession.initiate(
            pattern: .xxpsk3, slot: 0, localStatic: TestKeys.initiatorStatic, pairingSecret: TestKeys.pairingSecret,
            sequence: 1, provider: swiftCrypto)
        #expect(request.count == 9 + 50 + 2 && Array(request[9..<11]) == [1, 0])
        let info = HandshakeMessages.SessionInfo(slot: 3, sessionEpoch: 1, lastCommandId: 0)
        var (pump, response) = try SecureSession.respond(
            to: request, localStatic: TestKeys.responderStatic, deviceKey: { _ in nil }, pairingSecret: TestKeys.pairingSecret,
            info: info, provider: swiftCrypto)
        #expect(response.count == 9 + 102 + 2 && !pump.isEstablished)
        let finish = try #require(try device.receiveResponse(response))
        #expect(finish[3] == 0x11 && finish.count == 9 + 64 + 2 && Array(finish[5..<7]) == [2, 0])
        try pump.receiveFinish(finish)
        #expect(pump.isEstablished && device.isEstablished && device.info == info)
        #expect(pump.handshake.remoteStaticPublicKey == devicePublic && device.handshake.remoteStaticPublicKey == pumpPublic)
        var programmer = try #require(device.channel), pumpChannel = try #require(pump.channel)
        #expect(try pumpChannel.openedFrame(try programmer.sealed(SealingFixture.workedFrame)).content == SealingFixture.workedFrame.content)
    }

    @Test("Refusals: an empty slot HANDSHAKE_FAILED (PW-SEC-7), another type out of order, a bad request's fields")
    func refusals() throws {
        let (_, request) = try SecureSession.initiate(
            pattern: .kk, slot: 1, localStatic: TestKeys.initiatorStatic, remoteStatic: pumpPublic, sequence: 5, provider: swiftCrypto)
        let info = HandshakeMessages.SessionInfo(slot: 1, sessionEpoch: 2, lastCommandId: 0)
        func respond(_ frame: [UInt8], slots: [UInt8: Bytes32] = [:]) -> PumpWireError? {
            caught { () throws(PumpWireError) in
                try SecureSession.respond(to: frame, localStatic: TestKeys.responderStatic, deviceKey: { slots[$0] },
                                          pairingSecret: nil, info: info, provider: swiftCrypto)
            }
        }
        #expect(respond(request) == PumpWireError(.handshakeFailed, at: 0xFFFF))
        // A key in the slot that is not the device's: message 1 does not decrypt, the same code.
        #expect(respond(request, slots: [1: Bytes32(repeating: 9)])?.code == .handshakeFailed)
        #expect(respond(request, slots: [1: devicePublic]) == nil)
        let other = try HandshakeMessages.frame(type: 0x11, sequence: 5, payload: Array(request[9..<(request.count - 2)]))
        #expect(respond(other, slots: [1: devicePublic]) == PumpWireError(.handshakeOutOfOrder, at: 3))
        var payload = Array(request[9..<(request.count - 2)])
        payload[0] = 3
        #expect(respond(try HandshakeMessages.frame(type: 0x10, sequence: 5, payload: payload)) == PumpWireError(.fieldOutOfRange, at: 0))
        payload[0] = 2
        payload[1] = 4
        #expect(respond(try HandshakeMessages.frame(type: 0x10, sequence: 5, payload: payload)) == PumpWireError(.fieldOutOfRange, at: 1))
        payload[1] = 1
        #expect(respond(try HandshakeMessages.frame(type: 0x10, sequence: 5, payload: Array(payload.dropLast()))) == PumpWireError(.lengthMismatch, at: 49))
    }
}
