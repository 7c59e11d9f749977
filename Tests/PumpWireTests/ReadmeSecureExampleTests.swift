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

@Suite("A secure pump across a restart (PW-SEC-14, PW-SEC-16, PW-SEC-19)")
struct SecurePumpRestartTests {
    @Test("Restored from its kept state, a pump has no session, still refuses an executed command id, and keeps the patient bolus lockout")
    func restart() throws {
        let crypto = SwiftCryptoProvider()
        let pumpKeys = try TestIdentity.make(kind: .pump, name: "pump", seed: "restart pump")
        let patientKeys = try TestIdentity.make(kind: .device, name: "handheld", role: .patient, seed: "restart patient")
        var slots = InlineArray<4, SecurePump<SwiftCryptoProvider>.Slot>(repeating: .init())
        slots[2] = .init(role: .patient, staticPublicKey: patientKeys.staticPublicKey, lastCommandId: 10)
        let limits = SecurePump<SwiftCryptoProvider>.PatientBolusLimits(doseNanograms: 25_000, lockoutMinutes: 180, maxPerDay: 4)
        var pump = SecurePump(staticPrivateKey: pumpKeys.staticPrivateKey, pairingSecret: pumpKeys.pairingSecret!,
                              pairingWindowOpen: false, sessionCount: 5, patientBolusLimits: limits, slots: slots, provider: crypto)
        func session(_ pump: inout SecurePump<SwiftCryptoProvider>, at now: UInt32) throws -> SecureSession<SwiftCryptoProvider> {
            var (device, request) = try SecureSession.initiate(pattern: .kk, slot: 2, localStatic: patientKeys.staticPrivateKey,
                                                              remoteStatic: pumpKeys.staticPublicKey, sequence: 1, provider: crypto)
            _ = try device.receiveResponse(pump.receive(request, now: now).answer!)
            return device
        }
        var handheld = try session(&pump, at: 847_591_200)
        let bolus = PatientBolusRequest(commandId: 11, doseNanograms: 20_000, requestTime: 847_591_200)
        var payload = [UInt8](repeating: 0, count: bolus.payloadSize)
        _ = try payload.withUnsafeMutableBytes { raw in
            try Result { () throws(PumpWireError) in var writer = ByteWriter(raw); try bolus.writeFields(to: &writer) }.get()
        }
        let granted = try handheld.open(pump.receive(try handheld.sealPayload(payload, type: 0x06, sequence: 2)[0], now: 847_591_260).answer!)
        guard case .message(.acknowledgement(let ack)) = granted.content else { Issue.record("not granted"); return }
        #expect(ack.acknowledgedType == PatientBolusRequest.typeCode)

        // Power fails; the pump comes back with what it kept, and no session (PW-SEC-19).
        let kept = pump.persistentState
        #expect(kept.slots[2].lastCommandId == 11 && kept.sessionCount == 6 && kept.lastPatientBolusStart == 847_591_260)
        var restarted = SecurePump(staticPrivateKey: pumpKeys.staticPrivateKey, pairingSecret: pumpKeys.pairingSecret!,
                                   pairingWindowOpen: false, restoring: kept, patientBolusLimits: limits, provider: crypto)
        let stale = restarted.receive(try handheld.sealPayload(payload, type: 0x06, sequence: 3)[0], now: 847_591_300)
        #expect(stale.answer == nil)
        guard case .securityRejection(let dropped)? = stale.records.first?.body else { Issue.record("not logged"); return }
        #expect(dropped.errorCode == ErrorCode.staleSession)   // the session's keys died with the power

        // A new session: the executed command id is still refused, and the lockout still runs.
        var again = try session(&restarted, at: 847_591_400)
        let duplicate = try again.open(restarted.receive(try again.sealPayload(payload, type: 0x06, sequence: 2)[0], now: 847_591_410).answer!)
        guard case .message(.negativeAcknowledgement(let refusal)) = duplicate.content else { Issue.record("not refused"); return }
        #expect(refusal.errorCode == ErrorCode.duplicateCommand)
        let next = PatientBolusRequest(commandId: 12, doseNanograms: 20_000, requestTime: 847_591_400)
        var nextPayload = [UInt8](repeating: 0, count: next.payloadSize)
        _ = try nextPayload.withUnsafeMutableBytes { raw in
            try Result { () throws(PumpWireError) in var writer = ByteWriter(raw); try next.writeFields(to: &writer) }.get()
        }
        let locked = try again.open(restarted.receive(try again.sealPayload(nextPayload, type: 0x06, sequence: 3)[0], now: 847_591_420).answer!)
        guard case .message(.negativeAcknowledgement(let lockout)) = locked.content else { Issue.record("not refused"); return }
        #expect(lockout.errorCode == ErrorCode.patientBolusLockout)
    }
}
