import PumpWire
import PumpWireCore
import PumpWireSecurity
import Testing

@Suite("The README's security example works as written")
struct ReadmeSecureExampleTests {
    @Test("Pairing a programmer with a pump, a sealed prescription, its retransmission refused")
    func pairingAndSealedSession() throws {
        // Kept in step with README.md, "Pairing and a sealed session from Swift".
        let crypto = SwiftCryptoProvider()
        let pumpKeys = try TestIdentity.make(kind: .pump, name: "pump")
        let programmerKeys = try TestIdentity.make(kind: .device, name: "programmer")

        // The pump: four empty slots; a magnet over the implant opens its pairing window.
        var pump = SecurePump(
            staticPrivateKey: pumpKeys.staticPrivateKey, pairingSecret: pumpKeys.pairingSecret!, pairingWindowOpen: true,
            sessionCount: 0, patientBolusLimits: nil, slots: .init(repeating: .init()), provider: crypto)

        // The programmer pairs with the secret printed on the implant card (Noise XXpsk3).
        var (programmer, request) = try SecureSession.initiate(
            pattern: .xxpsk3, slot: 0, localStatic: programmerKeys.staticPrivateKey,
            pairingSecret: pumpKeys.pairingSecret, sequence: 1, provider: crypto)
        let response = pump.receive(request, now: 847_591_200).answer!
        let finish = try programmer.receiveResponse(response)!
        let paired = pump.receive(finish, now: 847_591_201)
        guard case .message(.acknowledgement(let ack)) = try programmer.open(paired.answer!).content else {
            Issue.record("no acknowledgement")
            return
        }
        #expect(ack.acknowledgedType == HandshakeFinish.typeCode)   // paired: slot 0, role clinician
        #expect(paired.records.map(\.recordType) == [.devicePaired, .sessionStarted])

        // A prescription, sealed with a command id above the session info's last one.
        let rx = Message.prescriptionBlock(PrescriptionBlock(
            drug: .baclofen, mode: .continuous, concentrationMicrogramsPerMillilitre: 500,
            reservoirCapacityMicrolitres: 20_000, lowReservoirThresholdMicrolitres: 2_000,
            catheterVolumeMicrolitres: 150, maxDailyDoseNanograms: 300_000,
            steps: try BoundedArray(elements: [DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 200_000)])))
        let next = programmer.info!.lastCommandId + 1
        let prescription = try programmer.seal(rx, commandId: next, sequence: 3)
        let delivered = pump.receive(prescription[0], now: 847_591_210)
        #expect(delivered.therapy?.commandId == next)                // to therapy, without its command id
        #expect(delivered.therapy?.payload == (try rx.payloadBytes()))

        // Its answer was lost; the retransmission is a new frame with the same command id.
        let again = try programmer.seal(rx, commandId: next, sequence: 3)
        let refused = try programmer.open(pump.receive(again[0], now: 847_591_230).answer!)
        guard case .message(.negativeAcknowledgement(let nak)) = refused.content else {
            Issue.record("no refusal")
            return
        }
        #expect(nak.errorCode == ErrorCode.duplicateCommand)                  // executed once (PW-SEC-14)

        // The last frame again, as a radio would replay it: dropped unanswered, and logged.
        let replay = pump.receive(again[0], now: 847_591_240)
        #expect(replay.answer == nil)
        guard case .securityRejection(let logged)? = replay.records.first?.body else {
            Issue.record("not logged")
            return
        }
        #expect(logged.errorCode == ErrorCode.replayed)
    }
}
