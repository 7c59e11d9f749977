#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import PumpWire
import PumpWireCore

/// What the pump showed before a frame: everything public that a frame may change.
struct Observed: Equatable {
    var slots: [SecurePump<Provider>.Slot]
    var sessionCount: UInt32
    var sessionSlot: UInt8?

    init(_ pump: SecurePump<Provider>) {
        slots = (0..<4).map { pump.slots[$0] }
        sessionCount = pump.sessionCount
        sessionSlot = pump.sessionSlot
    }
}

/// FUZZ_TRACE=1 prints each frame delivered and what the pump did (to read a run by hand).
let traceSteps = getenv("FUZZ_TRACE") != nil

/// The codes of PW-SEC-16 to PW-SEC-18: a request refused by its own rules has used its command id.
let ownRuleCodes: [ErrorCode] = [.notPermitted, .lowOrderKey, .patientBolusDoseExceeded, .patientBolusCountExceeded, .patientBolusLockout]
/// The requests of PW-SEC-15 a patient slot may never send.
let clinicianOnly: [UInt8] = [0x02, 0x03, 0x04, 0x05, 0x12, 0x13]
/// The requests that carry a command id (PW-SEC-13), as the spec lists them.
let withCommandId: [UInt8] = [0x02, 0x03, 0x04, 0x06, 0x12, 0x13]

extension PumpRun {
    /// Hands `frame` to the pump at `now` and checks every invariant on what it did. `plaintext` is
    /// the whole request when the harness sealed it and did not damage it.
    mutating func deliver(_ frame: [UInt8], plaintext known: [UInt8]?) -> Delivered {
        history.append(frame)
        if history.count > 16 { history.removeFirst() }
        let before = Observed(pump)
        var answerBuffer = [UInt8](repeating: 0xEE, count: 512)
        var work = [UInt8](repeating: 0xEE, count: max(frame.count, 313) + 16)
        let step = frame.withUnsafeBytes { input in
            answerBuffer.withUnsafeMutableBytes { answer in
                work.withUnsafeMutableBytes { work in pump.receive(input, now: now, answer: answer, work: work) }
            }
        }
        invariant(step.answerLength >= 0 && step.answerLength <= 348, "answer length \(step.answerLength)")
        let answer = Array(answerBuffer[0..<step.answerLength])
        if traceSteps {
            print("now \(now) frame \(frame.prefix(9).map { String($0, radix: 16) }) -> answer \(answer.prefix(14).map { String($0, radix: 16) }) therapy \(String(describing: step.therapy)) records \(step.recordCount) session \(String(describing: pump.sessionSlot))")
        }
        let after = Observed(pump)

        // Log records: at most 4, each a valid eventLog record at `now`.
        invariant(step.recordCount <= 4, "\(step.recordCount) records for one frame")
        var records: [LogRecord] = []
        for i in 0..<step.recordCount {
            guard let record = step.records[i] else { fatalError("record \(i) of \(step.recordCount) missing") }
            var slot = [UInt8](repeating: 0, count: LogRecord.size)
            let written = slot.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) in try record.encode(into: raw) } }
            invariant((try? written.get()) != nil, "a log record that does not encode: \(record), \(written)")
            let read = slot.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> LogRecord in try LogRecord(decoding: raw, region: .eventLog) } }
            invariant((try? read.get()) == record, "a log record that does not read back as eventLog: \(record), \(read)")
            invariant(record.time == now, "a record at \(record.time), now is \(now)")
            records.append(record)
        }
        var delivered = Delivered(answer: answer, records: records, startedSession: false)

        // 4.2 steps 1 to 8: anything else is dropped, and changes nothing.
        guard let view = frame.withUnsafeBytes({ raw in try? FrameView.decodeFrameLayer(raw, exactly: true) }) else {
            invariant(answer.isEmpty && records.isEmpty && step.therapy == nil && after == before, "an unsound frame had an effect")
            return delivered
        }
        let type = view.messageType
        let isHandshake = type == 0x10 || type == 0x11
        let sealedRequest = view.flags.contains(.authenticated)

        // Step 1: idle. The session's last activity is at most `activityBound`.
        var rest = records[...]
        var idleEnded = false
        if let first = rest.first, case .sessionEnded(let ended) = first.body, ended.reason == .idle {
            invariant(before.sessionSlot != nil, "an idle end without a session")
            idleEnded = true
            tracked = .none
            rest = rest.dropFirst()
        } else if before.sessionSlot != nil {
            invariant(UInt64(now) < UInt64(activityBound) + 600,
                      "a session idle since \(activityBound) still open at \(now) (PW-SEC-19, PW-SEC-21 step 1)")
        }
        let sessionOpen = before.sessionSlot != nil && !idleEnded

        // Step 4 seen from outside: does the frame open? The shadow of a known session says exactly.
        var opened: Bool?
        if isHandshake || !sealedRequest || !sessionOpen {
            opened = false
        } else {
            if case .known(var shadow, let id) = tracked {
                var buffer = [UInt8](repeating: 0, count: frame.count)
                let result = frame.withUnsafeBytes { sealed in
                    buffer.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) -> FrameView in try shadow.open(sealed, into: raw) } }
                }
                opened = (try? result.get()) != nil
                tracked = .known(shadow: shadow, deviceId: id)
            }
            activityBound = max(activityBound, now)  // it may have been accepted
        }
        if opened == false && sealedRequest && !isHandshake {
            // A frame that did not open: dropped, logged, nothing else (PW-SEC-11).
            invariant(answer.isEmpty && step.therapy == nil, "a sealed frame that did not open was answered or handed to therapy")
            var expected = before
            if idleEnded { expected.sessionSlot = nil }
            invariant(after == expected, "a sealed frame that did not open changed the pump: \(before) -> \(after)")
            for record in rest {
                guard case .securityRejection = record.body else { fatalError("a frame that did not open logged \(record)") }
            }
        }

        // The answer: a valid frame of 0x90, 0xF0 or 0xF1, sealed exactly when it should be.
        var acknowledgement: Acknowledgement?
        var refusal: NegativeAcknowledgement?
        var answerSealed = false
        if !answer.isEmpty {
            let answerView = answer.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> FrameView in try FrameView.decode(raw, exactly: true) } }
            guard let answerView = try? answerView.get() else { fatalError("the answer is not a valid frame: \(answerView)") }
            invariant(answerView.sequence == view.sequence, "the answer's sequence is not the request's")
            invariant(!answerView.flags.contains(.fragment), "a fragmented answer")
            answerSealed = answerView.flags.contains(.authenticated)
            // The fuzzing provider's AEAD is transparent: a sealed answer's payload is its plaintext.
            let payload = answer.withUnsafeBytes { Array(answerView.payload(in: $0)) }
            switch answerView.messageType {
            case 0x90:
                invariant(!answerSealed && type == 0x10 && !sealedRequest, "a handshakeResponse sealed, or to a \(type)")
                let decoded = payload.withUnsafeBytes { raw in Result { () throws(PumpWireError) in try HandshakeResponse.decode(payload: raw) } }
                invariant((try? decoded.get()) != nil, "the handshakeResponse does not decode: \(decoded)")
            case 0xF0:
                let decoded = payload.withUnsafeBytes { raw in Result { () throws(PumpWireError) in try Acknowledgement.decode(payload: raw) } }
                guard let ack = try? decoded.get() else { fatalError("the acknowledgement does not decode: \(decoded)") }
                invariant(answerSealed, "an unsealed acknowledgement")
                invariant(ack.acknowledgedType == type, "acknowledgement of \(ack.acknowledgedType) for a \(type)")
                acknowledgement = ack
            case 0xF1:
                let decoded = payload.withUnsafeBytes { raw in Result { () throws(PumpWireError) in try NegativeAcknowledgement.decode(payload: raw) } }
                guard let nak = try? decoded.get() else { fatalError("the refusal does not decode: \(decoded)") }
                invariant(nak.rejectedType == type, "refusal of \(nak.rejectedType) for a \(type)")
                if !answerSealed {
                    invariant((nak.errorCode == .authenticationRequired && !sealedRequest && !isHandshake) || isHandshake,
                              "an unsealed refusal with \(nak.errorCode) of a \(type)")
                } else {
                    invariant(!isHandshake, "a sealed refusal of a handshake request")
                }
                refusal = nak
            default:
                fatalError("an answer of type \(answerView.messageType)")
            }
            if answerSealed, case .known(_, let id) = tracked, var current = device, current.id == id, !isHandshake {
                // The session's device opens every sealed answer (k2, the pump's next counter).
                var buffer = [UInt8](repeating: 0, count: answer.count)
                let result = answer.withUnsafeBytes { sealed in
                    buffer.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) -> FrameView in try current.channel.open(sealed, into: raw) } }
                }
                invariant((try? result.get()) != nil, "the device cannot open the pump's sealed answer: \(result)")
                device = current
            }
        }

        // What the request did: handed to therapy, granted, or refused after its command id was used.
        let slot = before.sessionSlot.map(Int.init)
        let role = slot.flatMap { before.slots[$0].role }
        // The plaintext: a single sealed frame's payload (transparent AEAD), or the honest request.
        var plaintext = known
        if sealedRequest && !view.flags.contains(.fragment) {
            plaintext = frame.withUnsafeBytes { Array(view.payload(in: $0)) }
        }
        var executed = [false, false, false, false]
        let granted = step.therapy != nil || (acknowledgement != nil && type != 0x11)
        if granted {
            invariant(sessionOpen && opened != false, "granted without an open session, or from a frame that did not open")
        }
        if let therapy = step.therapy {
            invariant(answer.isEmpty, "a request both answered and handed to therapy")
            invariant((0x01...0x05).contains(therapy.messageType) && therapy.messageType == type && therapy.sequence == view.sequence,
                      "therapy \(therapy) for a \(type)")
            invariant(role == .clinician || therapy.messageType == 0x01,
                      "a \(therapy.messageType) from a patient slot handed to therapy (PW-SEC-15)")
            let carries = withCommandId.contains(type)
            invariant((therapy.commandId != 0) == carries, "command id \(therapy.commandId) handed with a \(type)")
            let payload = Array(work[0..<therapy.payloadLength])
            let decoded = payload.withUnsafeBytes { raw in Result { () throws(PumpWireError) in try Message.decode(typeCode: type, payload: raw, reportingOffset: 0) } }
            invariant((try? decoded.get()) != nil, "the therapy payload does not decode: \(decoded)")
            if carries { execute(slot: slot!, id: therapy.commandId, executed: &executed) }
        }
        var commandIdUsed = false
        if let ack = acknowledgement, [0x06, 0x12, 0x13].contains(ack.acknowledgedType) { commandIdUsed = true }
        if let nak = refusal, answerSealed, [0x06, 0x12, 0x13].contains(type), ownRuleCodes.contains(nak.errorCode) { commandIdUsed = true }
        if commandIdUsed {
            guard let slot, sessionOpen, opened != false else { fatalError("a command executed without an open session") }
            invariant(role == .clinician || !clinicianOnly.contains(type), "a \(type) from a patient slot executed (PW-SEC-15)")
            let id = plaintext.flatMap { $0.count >= 4 ? UInt32($0[0]) | UInt32($0[1]) << 8 | UInt32($0[2]) << 16 | UInt32($0[3]) << 24 : nil }
            execute(slot: slot, id: id ?? after.slots[slot].lastCommandId, executed: &executed)
        }
        if let ack = acknowledgement, ack.acknowledgedType == 0x06 {
            patientBolusGranted(dose: plaintext.flatMap { $0.count >= 8 ? UInt32($0[4]) | UInt32($0[5]) << 8 | UInt32($0[6]) << 16 | UInt32($0[7]) << 24 : nil })
        }
        // PW-SEC-14: a slot's last command id never goes down, and moves only with a command executed.
        for i in 0..<4 {
            let old = before.slots[i].lastCommandId, new = after.slots[i].lastCommandId
            invariant(new >= old, "slot \(i)'s last command id went from \(old) to \(new)")
            invariant(new == old || executed[i], "slot \(i)'s last command id moved to \(new) with no command executed")
            if executed[i] { invariant(new == highest[i], "slot \(i) executed \(highest[i]) but keeps \(new)") }
        }

        // Records after step 1: the session's transitions, in order.
        for record in rest {
            switch record.body {
            case .sessionEnded:
                if case .none = tracked { fatalError("a session ended that was not open: \(record)") }
                tracked = .none
            case .sessionStarted:
                tracked = .unknown
                activityBound = now
                delivered.startedSession = true
            case .devicePaired(let paired):
                if paired.device.bySlot == 0xFF {
                    invariant(pump.pairingWindowOpen && type == 0x11, "a pairing with the window closed (PW-SEC-6)")
                    invariant(before.slots[Int(paired.device.slot)].isEmpty, "a pairing overwrote slot \(paired.device.slot), filled since its request")
                } else {
                    invariant(type == 0x12 && role == .clinician, "an enrollment from a \(String(describing: role)) slot")
                }
            default: break
            }
        }
        if type == 0x11 && acknowledgement != nil {
            invariant(delivered.startedSession && pump.pairingWindowOpen, "a handshakeFinish acknowledged without a new session")
        }
        switch tracked {
        case .none: invariant(after.sessionSlot == nil, "the pump has a session the log never started")
        default: invariant(after.sessionSlot != nil, "the pump has no session and the log never ended it")
        }
        return delivered
    }

    /// A command of `slot` executed with `id`: above every one before, across the whole run.
    mutating func execute(slot: Int, id: UInt32, executed: inout [Bool]) {
        invariant(id > highest[slot], "slot \(slot) executed command id \(id) after \(highest[slot]) (PW-SEC-14)")
        highest[slot] = id
        executed[slot] = true
    }

    /// PW-SEC-16 on every grant: the dose, the day's count and the lockout.
    mutating func patientBolusGranted(dose: UInt32?) {
        guard let limits else { fatalError("a patient bolus granted with none stored") }
        if let dose { invariant(dose <= limits.doseNanograms, "a patient bolus of \(dose) ng granted, the limit is \(limits.doseNanograms)") }
        let today = grants.filter { $0 / 86_400 == now / 86_400 }.count
        invariant(today < Int(limits.maxPerDay), "patient bolus \(today + 1) granted in day \(now / 86_400), maxPerDay \(limits.maxPerDay)")
        if let last = grants.last {
            invariant(UInt64(now) >= UInt64(last) + UInt64(limits.lockoutMinutes) * 60,
                      "patient bolus at \(now) after one at \(last), lockout \(limits.lockoutMinutes) min")
        }
        grants.append(now)
    }
}
