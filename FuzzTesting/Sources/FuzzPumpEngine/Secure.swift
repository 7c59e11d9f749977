import FuzzSupport
import PumpWire
import PumpWireCore

/// An honest device's side of a KK session with the pump (security.md 6).
struct Device {
    var slot: UInt8
    var channel: SealedChannel<Provider>
    var lastCommandId: UInt32
    var lastActivity: UInt32
}

/// The secure engine (option bit 1): `SecurePumpEngine` over the fuzzing-only provider, slot 0 a
/// clinician and slot 1 a patient with known keys. The clinician sends the therapy requests sealed
/// (PW-PUMP-26), the patient asks for patient boluses (PW-SEC-16); damaged, replayed and random
/// frames go through the layer too. The engine's invariants are the plain pump's; PW-PUMP-20 does
/// not apply to sealed requests, and the patient bolus limits are checked on every grant.
extension EngineRun {
    static let clinicianKey = SecureFixtures.pairingProgrammerStatic
    static let patientKey = SecureFixtures.sessionDeviceStatic

    static func securePump() -> SecurePump<Provider> {
        var slots = InlineArray<4, SecurePump<Provider>.Slot>(repeating: .init())
        slots[0] = .init(role: .clinician, staticPublicKey: clinicianKey, lastCommandId: 0)
        slots[1] = .init(role: .patient, staticPublicKey: patientKey, lastCommandId: 0)
        return SecurePump(staticPrivateKey: SecureFixtures.pumpStatic, pairingSecret: SecureFixtures.pairingSecret, pairingWindowOpen: false,
                          sessionCount: 0, patientBolusLimits: nil, slots: slots, provider: Provider())
    }

    static func le(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    /// A KK handshake from the clinician's or the patient's slot; the device keeps the session.
    mutating func openSession(patient: Bool) -> Bool {
        guard secure else { return false }
        device = nil
        let slot: UInt8 = patient ? 1 : 0
        let key = patient ? Self.patientKey : Self.clinicianKey
        let provider = Provider()
        let started = HandshakePrologue(pattern: .kk, slot: slot).withUnsafeBytes { raw in
            Result { () throws(PumpWireError) -> NoiseHandshakeState<Provider> in
                try .kk(role: .initiator, prologue: raw, localStaticPrivateKey: key, remoteStaticPublicKey: SecureFixtures.pumpStatic,
                        ephemeralPrivateKey: SecureFixtures.sessionDeviceEphemeral, provider: provider)
            }
        }
        guard var handshake = try? started.get(), let message = try? handshake.write([]).get() else {
            fatalError("the honest KK handshake does not start")
        }
        let frame = Self.frames(type: 0x10, sequence: nextSequence(), payload: [NoisePattern.kk.rawValue, slot] + message)[0]
        let answers = deliverSecure(frame)
        // A damaged or forged frame may have revoked the slot: then no session, and no fault.
        guard answers.count == 1, answers[0].count > 11, answers[0][3] == 0x90,
              let info = try? handshake.read(Array(answers[0][9..<(answers[0].count - 2)])).get(), info.count == 6,
              let channel = try? SealedChannel(handshake: handshake, sessionEpoch: info[1]) else { return false }
        let lastId = UInt32(info[2]) | UInt32(info[3]) << 8 | UInt32(info[4]) << 16 | UInt32(info[5]) << 24
        device = Device(slot: slot, channel: channel, lastCommandId: lastId, lastActivity: pump.engine.clock)
        return true
    }

    /// A request of the device's session, sealed (PW-SEC-9), with the next command id where the
    /// type carries one (PW-SEC-13); fragmented above 240 bytes, a fragment lost or the fragments
    /// reversed by `variant` as in the plain pump.
    mutating func sealedRequest(_ type: UInt8, payload body: [UInt8], patient: Bool, variant: UInt8) {
        let clock = pump.engine.clock
        let slot: UInt8 = patient ? 1 : 0
        if let current = device, current.slot == slot, clock >= current.lastActivity, UInt64(clock) < UInt64(current.lastActivity) + 590 {
            // the session is still open (PW-SEC-19: 600 s idle ends it)
        } else {
            guard openSession(patient: patient) else { return }
        }
        guard var current = device else { return }
        let carries = SecureRequest.carriesCommandId(type)
        current.lastCommandId &+= 1
        let payload = carries ? Self.le(current.lastCommandId) + body : body
        let sequence = nextSequence()
        var frames = Self.frames(type: type, sequence: sequence, payload: payload, sealed: true)
        for index in frames.indices {
            let result = frames[index].withUnsafeMutableBytes { raw in
                Result { () throws(PumpWireError) -> Int in try current.channel.seal(frameIn: raw) }
            }
            guard (try? result.get()) != nil else {
                device = nil  // counters used up (PW-SEC-12): a new session next time
                return
            }
        }
        current.lastActivity = clock
        device = current
        last = SentRequest(type: type, sequence: sequence, frames: frames)  // repeated: replays, dropped (PW-SEC-10)
        let request = try? Message.decode(typeCode: type, payload: body)
        let digest = body.withUnsafeBytes { CRC32.checksum($0) }  // PW-PUMP-26: the payload without the commandId
        var order = frames
        if frames.count > 1 {
            switch variant & 3 {
            case 1: order.remove(at: Int(source.u8()) % order.count)
            case 2: order.reverse()
            default: break
            }
        }
        var answered = false
        for frame in order {
            let answers = deliverSecure(frame, request: request, digest: digest, dose: type == 0x06 ? UInt32(body[0]) | UInt32(body[1]) << 8 | UInt32(body[2]) << 16 | UInt32(body[3]) << 24 : nil)
            answered = answered || !answers.isEmpty
        }
        if !answered && order.count == frames.count { device = nil }  // the session ended: dropped unanswered
    }

    /// A patient bolus request of the patient's session (PW-SEC-16): the dose at, above or far
    /// from the limit, the pump's clock as `requestTime`.
    mutating func patientBolus() {
        let how = source.u8()
        let limit = patientLimits?.doseNanograms ?? 50_000
        let dose: UInt32 = switch how & 3 {
        case 0: limit
        case 1: min(limit &+ 1, 100_000_000)
        case 2: 1
        default: 1 + source.u32() % 100_000_000
        }
        sealedRequest(0x06, payload: Self.le(dose) + Self.le(pump.engine.clock), patient: true, variant: 0)
    }

    /// One frame through `SecurePumpEngine.receive` (PW-SEC-21, then section 7): no time passes;
    /// every answer decodes with the frame's sequence; the therapy changes only through the
    /// answers that say so (acknowledged prescription or schedule, refill receipt, granted patient
    /// bolus, status), each checked as in the plain pump. `request` and `digest` are the honest
    /// request's (its payload after the command id); `dose` that of a patient bolus request.
    @discardableResult
    mutating func deliverSecure(_ frame: [UInt8], request: Message? = nil, digest: UInt32? = nil, dose: UInt32? = nil) -> [[UInt8]] {
        remember(frame: frame)
        let before = pump.engine.observation
        let imageBefore = memory()
        var answers: [[UInt8]] = []
        frame.withUnsafeBytes { raw in pump.receive(raw, ephemeralPrivateKey: nil) { answers.append(Array($0)) } }
        let after = pump.engine.observation
        let image = memory()
        if traceSteps { print("  sealed frame \(short(frame)) -> \(answers.map(short))") }
        invariant(after.clock == before.clock && after.basalDeliveredNanolitres == before.basalDeliveredNanolitres
                  && after.bolusDeliveredNanolitres == before.bolusDeliveredNanolitres,
                  "a request took time or delivered drug (PW-PUMP-3)")
        let therapyUnchanged = after.withRecords(of: before) == before
        guard let view = frame.withUnsafeBytes({ raw in try? FrameView.decodeFrameLayer(raw, exactly: true) }) else {
            invariant(answers.isEmpty && after == before && same(image, imageBefore), "a frame failing 4.2 steps 1 to 8 was answered or changed the pump (PW-ERR-2)")
            return answers
        }
        var refilled = false
        var changesTherapy = false
        var dumpChecked = false
        for answer in answers {
            let decoded = answer.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> Frame in try Frame.decode(raw) } }
            guard let answerFrame = try? decoded.get() else { fatalError("an answer frame does not decode: \(decoded), \(short(answer))") }
            invariant(answerFrame.sequence == view.sequence, "an answer with sequence \(answerFrame.sequence) to a request with \(view.sequence)")
            guard let answerView = answer.withUnsafeBytes({ raw in try? FrameView.decode(raw, exactly: true) }) else {
                fatalError("an answer that decodes as a Frame and not as a FrameView")
            }
            invariant(!answerView.flags.contains(.fragment), "a fragmented answer")
            // Only sealed answers of the session speak for the therapy; the stand-in AEAD is
            // transparent, so the payload is the plaintext.
            guard answerView.flags.contains(.authenticated), answerView.messageType != 0x90 else { continue }
            let plaintext = answer.withUnsafeBytes { raw in Array(raw[answerView.payloadRange]) }
            guard let message = try? Message.decode(typeCode: answerView.messageType, payload: plaintext) else {
                fatalError("a sealed answer's plaintext does not decode: \(short(answer))")
            }
            let type = view.messageType
            switch message {
            case .acknowledgement(let ack) where ack.acknowledgedType == 0x06:
                changesTherapy = true
                granted(dose: dose, before: before, after: after)
            case .acknowledgement(let ack) where ack.acknowledgedType == 0x02 || ack.acknowledgedType == 0x03:
                changesTherapy = true
                let known: Message? = request ?? (ack.acknowledgedType == 0x02 ? prescriptions[ack.digest].map { .prescriptionBlock($0) }
                                                                              : schedules[ack.digest].map { .bolusSchedule($0) })
                _ = executed(type: type, digest: digest ?? ack.digest, request: known, message: message,
                             before: before, after: after, unchanged: therapyUnchanged, sealed: true)
            case .refillReceipt(let receipt):
                changesTherapy = true
                refilled = executed(type: 0x04, digest: digest ?? receipt.confirmationDigest, request: request, message: message,
                                    before: before, after: after, unchanged: therapyUnchanged, sealed: true)
            case .negativeAcknowledgement(let refusal) where refusal.rejectedType == 0x04 && request != nil
                && [.notPermitted, .drugMismatch, .concentrationMismatch, .reservoirOverfill].contains(refusal.errorCode):
                _ = executed(type: 0x04, digest: digest ?? 0, request: request, message: message, before: before, after: after,
                             unchanged: therapyUnchanged, sealed: true)
            case .pumpStatus:
                changesTherapy = true
                if case .interrogationRequest? = request, type == 0x01 {
                    checkStatus([message], before: before, after: after, imagesEqual: true, sealed: true)
                }
            case .memoryDumpChunk, .negativeAcknowledgement:
                if case .memoryDumpRequest(let dump)? = request, type == 0x05, !dumpChecked {
                    dumpChecked = true
                    let messages = answers.compactMap { bytes -> Message? in
                        guard let v = bytes.withUnsafeBytes({ raw in try? FrameView.decode(raw, exactly: true) }) else { return nil }
                        return try? Message.decode(typeCode: v.messageType, payload: bytes.withUnsafeBytes { Array($0[v.payloadRange]) })
                    }
                    checkDump(dump, messages, image: image)
                }
            default:
                break
            }
        }
        if !changesTherapy {
            invariant(therapyUnchanged, "a frame the layer answered with no therapy answer changed the therapy: \(before) -> \(after)")
        }
        if !refilled {
            invariant(after.reservoirNanolitres == before.reservoirNanolitres,
                      "the reservoir went from \(before.reservoirNanolitres) to \(after.reservoirNanolitres) nL at a frame that executed no refill")
        }
        return answers
    }

    /// PW-SEC-16 on every granted patient bolus, from the limits of the last schedule stored:
    /// a patient bolus stored, the dose within it, fewer than `maxPerDay` started in the pump-clock
    /// day of `now` (the pump counts the starts of the day of its last start), and the lockout
    /// since the last start passed. Then the bolus starts if delivery is possible (PW-PUMP-26, PW-PUMP-12).
    mutating func granted(dose: UInt32?, before: PumpObservation, after: PumpObservation) {
        let now = before.clock
        if limitsKnown {
            guard let limits = patientLimits else { fatalError("PW-SEC-16 step 1: a patient bolus granted with no patient bolus stored") }
            if let dose { invariant(dose <= limits.doseNanograms, "PW-SEC-16 step 2: a patient bolus of \(dose) ng granted, the limit is \(limits.doseNanograms)") }
            var today = 0
            for start in grants.reversed() {
                guard start / 86_400 == now / 86_400 else { break }
                today += 1
            }
            invariant(today < Int(limits.maxPerDay), "PW-SEC-16 step 3: patient bolus \(today + 1) granted in pump-clock day \(now / 86_400), maxPerDay \(limits.maxPerDay)")
            if let last = grants.last {
                invariant(UInt64(now) >= UInt64(last) + UInt64(limits.lockoutMinutes) * 60,
                          "PW-SEC-16 step 4: a patient bolus at \(now), the last at \(last), lockout \(limits.lockoutMinutes) min")
            }
        }
        grants.append(now)
        let running = after.runningBoluses & BolusKind.patient.observationBit != 0
        invariant(running == deliveryPossible(before),
                  "PW-PUMP-26, PW-PUMP-12: after a granted patient bolus it runs: \(running), delivery possible: \(deliveryPossible(before))")
    }
}
