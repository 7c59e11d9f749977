#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import PumpWire
import PumpWireCore

/// Byte ranges compared with `memcmp`: Swift's element-wise `==` on 9 KiB images, every compare
/// instrumented for coverage, was most of an execution's time.
func same(_ a: [UInt8], _ b: [UInt8], at offset: Int = 0, count: Int? = nil) -> Bool {
    let length = count ?? a.count
    guard count != nil || a.count == b.count else { return false }
    guard length > 0 else { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress! + offset, y.baseAddress! + offset, length) == 0 } }
}

/// PW-PUMP-5 read from outside: a prescription stored, and neither `emptyReservoir` nor
/// `batteryEndOfService` active, as the pump reports them (PUMP_OBSERVE). Computed here from the
/// observation, not taken from the engine's own `deliveryPossible`.
func deliveryPossible(_ o: PumpObservation) -> Bool {
    o.prescriptionStored && !o.activeAlarms.contains(.emptyReservoir) && !o.activeAlarms.contains(.batteryEndOfService)
}

func short(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.prefix(40).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }) + (bytes.count > 40 ? "…(\(bytes.count))" : "")
}

extension PumpObservation {
    /// This observation with the log's record count of `other`: what a step that only logs may change.
    func withRecords(of other: PumpObservation) -> PumpObservation {
        var copy = self
        copy.recordsWritten = other.recordsWritten
        return copy
    }
}

extension EngineRun {
    /// A region's bytes now (PUMP_READ_MEMORY).
    func memory(_ region: MemoryRegion = .rawAddress) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: pump.engine.memorySize(of: region))
        let result = bytes.withUnsafeMutableBytes { raw in
            Result { () throws(PumpWireError) in
                try pump.engine.readMemory(region: region, offset: 0, length: UInt32(raw.count), into: raw)
            }
        }
        if case .failure(let error) = result { fatalError("the whole \(region) does not read: \(error)") }
        return bytes
    }

    mutating func remember(frame: [UInt8]) {
        history.append(frame)
        if history.count > 16 { history.removeFirst() }
    }

    // MARK: - A frame to the plain pump

    /// One frame to the engine (`receive`) and every check on what it did: no time passes, the
    /// answers decode and carry the request's sequence, a dropped frame does nothing, and the
    /// request's own effects (section 7, PW-PUMP-14, PW-PUMP-18 to PW-PUMP-20, PW-PUMP-25).
    mutating func deliver(_ frame: [UInt8]) {
        remember(frame: frame)
        let before = pump.engine.observation
        let imageBefore = memory()
        var answers: [[UInt8]] = []
        frame.withUnsafeBytes { raw in pump.engine.receive(raw) { answers.append(Array($0)) } }
        let after = pump.engine.observation
        let imageAfter = memory()
        if traceSteps { print("  frame \(short(frame)) -> \(answers.map(short))") }
        invariant(after.clock == before.clock && after.basalDeliveredNanolitres == before.basalDeliveredNanolitres
                  && after.bolusDeliveredNanolitres == before.bolusDeliveredNanolitres,
                  "a request took time or delivered drug (PW-PUMP-3: requests and ticks do not overlap)")
        let unchanged = after == before && same(imageAfter, imageBefore)
        guard let view = frame.withUnsafeBytes({ raw in try? FrameView.decodeFrameLayer(raw, exactly: true) }),
              !view.flags.contains(.authenticated) else {
            invariant(answers.isEmpty && unchanged,
                      "a frame failing 4.2 steps 1 to 8, or sealed, was answered or changed the pump (PW-ERR-2, behaviour.md 7): \(short(frame))")
            return
        }
        let messages = decodeAnswers(answers, sequence: view.sequence)
        let type = view.messageType
        var refilled = false
        if view.flags.contains(.fragment) {
            invariant(messages.count <= 1, "a fragment answered with \(messages.count) frames")
            if let message = messages.first {
                switch message {
                case .negativeAcknowledgement(let refusal):
                    invariant(refusal.rejectedType == type, "a refusal of \(refusal.rejectedType) for a fragment of \(type)")
                    invariant(unchanged, "a refused fragment or reassembled message changed the pump (PW-PUMP-21)")
                case .acknowledgement(let ack) where type == PrescriptionBlock.typeCode && ack.acknowledgedType == type:
                    // The reassembled prescription: its digest is its payload's CRC-32 (PW-RX-10).
                    refilled = therapy(type: type, sequence: view.sequence, digest: ack.digest,
                                       request: prescriptions[ack.digest].map { .prescriptionBlock($0) }, answer: answers[0],
                                       message: message, before: before, after: after, unchanged: unchanged)
                default:
                    fatalError("a fragment of \(type) answered with \(message)")
                }
            } else {
                invariant(unchanged, "a fragment taken in changed the pump (PW-PUMP-21: nothing before the whole message)")
            }
        } else {
            let payload = frame.withUnsafeBytes { raw in Array(view.payload(in: raw)) }
            let decoded = try? Message.decode(typeCode: type, payload: payload)
            if !(0x01...0x05).contains(type) || decoded == nil {
                invariant(messages.count == 1, "\(messages.count) answers to a \(type) that does not decode or is not implemented")
                guard case .negativeAcknowledgement(let refusal) = messages[0], refusal.rejectedType == type else {
                    fatalError("a \(type) that does not decode or is not implemented answered with \(messages[0]) (PW-ERR-2, PW-ERR-3)")
                }
                if decoded != nil {
                    invariant(refusal.errorCode == .unknownMessageType && refusal.errorOffset == 3,
                              "a valid \(type) refused with \(refusal), not UNKNOWN_MESSAGE_TYPE at 3 (PW-ERR-3)")
                }
                invariant(unchanged, "a refused \(type) changed the pump (PW-ERR-2)")
            } else if let request = decoded {
                let digest = payload.withUnsafeBytes { CRC32.checksum($0) }
                switch request {
                case .interrogationRequest:
                    checkStatus(messages, before: before, after: after, imagesEqual: same(imageAfter, imageBefore), sealed: false)
                case .memoryDumpRequest(let dump):
                    checkDump(dump, messages, image: imageAfter)
                    invariant(unchanged, "PW-PUMP-25: a dump changed the pump")
                default:
                    if case .prescriptionBlock(let block) = request { prescriptions[digest] = block }
                    if case .bolusSchedule(let stored) = request { schedules[digest] = stored }
                    invariant(messages.count == 1, "a \(type) answered with \(messages.count) frames")
                    refilled = therapy(type: type, sequence: view.sequence, digest: digest, request: request, answer: answers[0],
                                       message: messages[0], before: before, after: after, unchanged: unchanged)
                }
            }
        }
        // The reservoir changes at a request only by an accepted refill (PW-PUMP-14).
        if !refilled {
            invariant(after.reservoirNanolitres == before.reservoirNanolitres,
                      "the reservoir went from \(before.reservoirNanolitres) to \(after.reservoirNanolitres) nL at a request that was no refill executed")
        }
    }

    /// Each answer decodes (`Frame.decode`), as a plain message, with the request's sequence.
    func decodeAnswers(_ answers: [[UInt8]], sequence: UInt16) -> [Message] {
        answers.map { bytes in
            let result = bytes.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> Frame in try Frame.decode(raw) } }
            guard let frame = try? result.get() else { fatalError("an answer frame does not decode: \(result), \(short(bytes))") }
            invariant(frame.sequence == sequence, "an answer with sequence \(frame.sequence) to a request with \(sequence) (behaviour.md 7)")
            guard frame.authentication == nil, case .message(let message) = frame.content else {
                fatalError("the plain pump answered a sealed or fragmented frame: \(frame)")
            }
            return message
        }
    }

    /// PW-PUMP-20 on a `prescriptionBlock`, `bolusSchedule` or `refillConfirmation` that decoded:
    /// the same type, sequence and payload CRC as the kept request is answered with the kept
    /// answer, byte for byte, and not executed again; any other is executed. True for a refill executed.
    mutating func therapy(
        type: UInt8, sequence: UInt16, digest: UInt32, request: Message?, answer: [UInt8], message: Message,
        before: PumpObservation, after: PumpObservation, unchanged: Bool
    ) -> Bool {
        if let kept, kept.type == type, kept.sequence == sequence, kept.digest == digest {
            invariant(answer == kept.answer,
                      "PW-PUMP-20: a repeated \(type) (sequence \(sequence)) answered \(short(answer)), the kept answer is \(short(kept.answer))")
            invariant(unchanged, "PW-PUMP-20: a repeated \(type) (sequence \(sequence)) was executed again: \(before) -> \(after)")
            return false
        }
        kept = Kept(type: type, sequence: sequence, digest: digest, answer: answer)
        return executed(type: type, digest: digest, request: request, message: message, before: before, after: after,
                        unchanged: unchanged, sealed: false)
    }

    /// A therapy request executed (section 7.1, 8): its answer and its effects. `request` is nil
    /// when the harness cannot tell the payload. `sealed`: from `SecurePumpEngine` (offsets plus 4,
    /// behaviour.md PW-PUMP-26; the patient bolus limits follow the schedule). True for a refill executed.
    mutating func executed(
        type: UInt8, digest: UInt32, request: Message?, message: Message, before: PumpObservation, after: PumpObservation,
        unchanged: Bool, sealed: Bool
    ) -> Bool {
        let possible = deliveryPossible(before)
        switch message {
        case .acknowledgement(let ack) where type == PrescriptionBlock.typeCode:
            invariant(ack.acknowledgedType == type && ack.digest == digest, "PW-RX-10: \(ack) for a prescription of digest \(digest)")
            invariant(after.prescriptionStored && after.runningBoluses == 0 && after.basalAccumulator == 0,
                      "PW-PUMP-18 steps 1 and 2: after storing a prescription, boluses \(after.runningBoluses) run, accumulator \(after.basalAccumulator)")
            invariant(after.recordsWritten != before.recordsWritten, "PW-PUMP-18 step 3: a prescription stored without therapyChanged")
            if case .prescriptionBlock(let block)? = request {
                prescription = .known(block, digest: digest)
                rates = Self.minuteRates(block)
                accumulator = 0
                let expected = Self.d5(resulting: before.reservoirNanolitres / 1000, at: before.clock, block)
                invariant(after.lowReservoirAlarmTime == expected,
                          "PW-PUMP-15: low-reservoir alarm time \(after.lowReservoirAlarmTime) after storing a prescription, D5 gives \(expected)")
            } else {
                prescription = .unknown
                accumulator = nil
            }
        case .acknowledgement(let ack) where type == BolusSchedule.typeCode:
            invariant(ack.acknowledgedType == type && ack.digest == digest, "PW-BOLUS-5: \(ack) for a schedule of digest \(digest)")
            invariant(!prescription.isNone, "PW-PUMP-19: a bolus schedule stored with no prescription")
            invariant(after.recordsWritten != before.recordsWritten, "PW-PUMP-19 step 3: a schedule stored without bolusScheduleChanged")
            if case .bolusSchedule(let stored)? = request {
                schedule = .known(stored, digest: digest)
                let expected: UInt8 = possible
                    ? (stored.clinicianBolus != nil ? BolusKind.clinician.observationBit : 0) | (stored.primingBolus != nil ? BolusKind.priming.observationBit : 0)
                    : 0
                invariant(after.runningBoluses == expected,
                          "PW-PUMP-19 steps 1 and 4 (PW-PUMP-12): boluses \(after.runningBoluses) run after a schedule, expected \(expected) (delivery possible: \(possible))")
                if sealed {
                    patientLimits = stored.patientBolus.map {
                        .init(doseNanograms: $0.doseNanograms, lockoutMinutes: $0.lockoutMinutes, maxPerDay: $0.maxPerDay)
                    }
                    limitsKnown = true
                }
            } else {
                schedule = .unknown
                if sealed { limitsKnown = false }
            }
        case .negativeAcknowledgement(let refusal) where type == BolusSchedule.typeCode:
            invariant(refusal.rejectedType == type && refusal.errorCode == .notPermitted && refusal.errorOffset == NegativeAcknowledgement.noOffset
                      && prescription.isNone, "PW-PUMP-19: a decoded schedule refused with \(refusal), prescription stored: \(!prescription.isNone)")
            invariant(unchanged, "PW-PUMP-19: a refused schedule changed the pump")
        case .refillReceipt(let receipt) where type == RefillConfirmation.typeCode:
            invariant(!prescription.isNone, "PW-REFILL-5 step 1: a refill accepted with no prescription")
            if case .refillConfirmation(let refill)? = request {
                if let block = prescription.value {
                    invariant(refill.drug == block.drug && refill.concentrationMicrogramsPerMillilitre == block.concentrationMicrogramsPerMillilitre
                              && refill.resultingReservoirMicrolitres <= block.reservoirCapacityMicrolitres,
                              "PW-REFILL-5: accepted \(refill) for \(block)")
                    let expected = Self.d5(resulting: refill.resultingReservoirMicrolitres, at: refill.refillTime, block)
                    invariant(receipt.lowReservoirAlarmTime == expected, "PW-REFILL-5, D5: the receipt says \(receipt.lowReservoirAlarmTime), D5 gives \(expected)")
                }
                invariant(receipt.confirmationDigest == digest && receipt.resultingReservoirMicrolitres == refill.resultingReservoirMicrolitres,
                          "PW-REFILL-5: \(receipt) for \(refill) of digest \(digest)")
            }
            // PW-PUMP-14: the reservoir is what the refill says, not what it was plus anything.
            invariant(UInt64(after.reservoirNanolitres) == UInt64(receipt.resultingReservoirMicrolitres) * 1000,
                      "PW-PUMP-14: reservoir \(after.reservoirNanolitres) nL after a refill to \(receipt.resultingReservoirMicrolitres) µL (it was \(before.reservoirNanolitres))")
            invariant(after.lowReservoirAlarmTime == receipt.lowReservoirAlarmTime,
                      "PW-PUMP-14: alarm time \(after.lowReservoirAlarmTime), the receipt says \(receipt.lowReservoirAlarmTime)")
            invariant(after.recordsWritten != before.recordsWritten, "PW-PUMP-14: a refill without its refilled record")
            invariant(after.runningBoluses == before.runningBoluses && after.activeAlarms == before.activeAlarms,
                      "PW-PUMP-14: a refill changed boluses or alarms (alarms change at ticks, section 6)")
            return true
        case .negativeAcknowledgement(let refusal) where type == RefillConfirmation.typeCode:
            invariant(refusal.rejectedType == type, "a refusal of \(refusal.rejectedType) for a refill")
            let base: UInt16 = sealed ? 4 : 0
            if case .refillConfirmation(let refill)? = request, !(prescription.value == nil && !prescription.isNone) {
                var expected: (ErrorCode, UInt16) = (.notPermitted, NegativeAcknowledgement.noOffset)
                if let block = prescription.value {
                    if refill.drug != block.drug {
                        expected = (.drugMismatch, base)
                    } else if refill.concentrationMicrogramsPerMillilitre != block.concentrationMicrogramsPerMillilitre {
                        expected = (.concentrationMismatch, base + 1)
                    } else if refill.resultingReservoirMicrolitres > block.reservoirCapacityMicrolitres {
                        expected = (.reservoirOverfill, base + 13)
                    } else {
                        fatalError("PW-REFILL-5: \(refill) refused with \(refusal) under \(block)")
                    }
                }
                invariant(refusal.errorCode == expected.0 && refusal.errorOffset == expected.1,
                          "PW-REFILL-5: refused with \(refusal), expected \(expected)")
            } else {
                invariant([.notPermitted, .drugMismatch, .concentrationMismatch, .reservoirOverfill].contains(refusal.errorCode),
                          "PW-REFILL-5: a decoded refill refused with \(refusal)")
            }
            invariant(unchanged, "PW-REFILL-5: a refused refill changed the pump")
        default:
            fatalError("a \(type) answered with \(message)")
        }
        invariant(after.reservoirNanolitres == before.reservoirNanolitres, "a \(type) changed the reservoir")
        return false
    }

    /// D5 (spec 2.3) from the harness's own arithmetic: W by steps, D2 rounded half up.
    static func d5(resulting: UInt32, at time: UInt32, _ block: PrescriptionBlock) -> UInt32 {
        let threshold = block.lowReservoirThresholdMicrolitres
        if resulting <= threshold { return time }
        let unit = 1440 * UInt64(block.concentrationMicrogramsPerMillilitre)
        let w = stepWeighted(block) * 1000
        let d2 = w / unit + (2 * (w % unit) >= unit ? 1 : 0)
        if d2 == 0 { return 0xFFFF_FFFF }
        let minutes = UInt64(resulting - threshold) * 1000 * 1440 / d2
        let t = minutes * 60 + UInt64(time)
        return t >= 0xFFFF_FFFF ? 0xFFFF_FFFF : UInt32(t)
    }

    /// 7.1 `interrogationRequest`: the `pumpStatus` of the moment, then PW-PUMP-17.
    mutating func checkStatus(_ messages: [Message], before: PumpObservation, after: PumpObservation, imagesEqual: Bool, sealed: Bool) {
        invariant(messages.count == 1, "an interrogation answered with \(messages.count) frames")
        guard case .pumpStatus(let status) = messages[0] else { fatalError("an interrogation answered with \(messages[0])") }
        invariant(status.pumpClockTime == before.clock, "7.1: pumpClockTime \(status.pumpClockTime), the clock is \(before.clock)")
        invariant(status.reservoirVolumeMicrolitres == before.reservoirNanolitres / 1000,
                  "PW-PUMP-1: \(status.reservoirVolumeMicrolitres) µL reported for \(before.reservoirNanolitres) nL")
        invariant(status.activeAlarms == before.activeAlarms, "7.1: activeAlarms \(status.activeAlarms.rawValue), the pump's are \(before.activeAlarms.rawValue)")
        invariant(status.batteryMillivolts == min(battery, PumpStatus.batteryMillivoltsRange.upperBound), "7.1: battery \(status.batteryMillivolts) for \(battery)")
        invariant(status.deliverySuspended == before.activeAlarms.contains(.batteryEndOfService), "PW-PUMP-5: deliverySuspended \(status.deliverySuspended)")
        invariant(status.electiveReplacementIndicator == before.electiveReplacementIndicator, "PW-PUMP-16: ERI in the status and the flags differ")
        invariant(status.prescriptionStored == !prescription.isNone && status.bolusScheduleStored == !schedule.isNone,
                  "7.1: stored flags \(status.prescriptionStored) \(status.bolusScheduleStored)")
        if let digest = prescription.digest { invariant(status.prescriptionDigest == digest, "7.1: prescription digest \(status.prescriptionDigest), stored \(digest)") }
        if let digest = schedule.digest { invariant(status.bolusScheduleDigest == digest, "7.1: schedule digest \(status.bolusScheduleDigest), stored \(digest)") }
        // PW-PUMP-17: reported, then cleared (acknowledged); nothing else changes.
        let wasReset = before.activeAlarms.contains(.pumpReset)
        var expected = before
        expected.activeAlarms = ActiveAlarms(rawValue: before.activeAlarms.rawValue & ~ActiveAlarms.pumpReset.rawValue)
        expected.recordsWritten = sealed ? after.recordsWritten : before.recordsWritten &+ (wasReset ? 1 : 0)
        invariant(after == expected, "PW-PUMP-17 / 7.1: an interrogation changed \(before) to \(after)")
        if !wasReset && !sealed { invariant(imagesEqual, "an interrogation wrote a record with no pumpReset to clear") }
    }

    /// PW-PUMP-25: the region's bytes of the moment, raw, in ceil(length / 218) chunks in index
    /// order; past the region's end, FIELD_OUT_OF_RANGE at 6 (PW-DUMP-10).
    func checkDump(_ request: MemoryDumpRequest, _ messages: [Message], image: [UInt8]) {
        let size = pump.engine.memorySize(of: request.region)
        guard UInt64(request.offset) + UInt64(request.length) <= UInt64(size) else {
            invariant(messages.count == 1, "\(messages.count) answers to a dump past its region")
            guard case .negativeAcknowledgement(let refusal) = messages[0], refusal.rejectedType == MemoryDumpRequest.typeCode,
                  refusal.errorCode == .fieldOutOfRange, refusal.errorOffset == 6 else {
                fatalError("PW-DUMP-10: a dump past its region answered with \(messages[0])")
            }
            return
        }
        let base = switch request.region {
        case .alarmLog: pump.engine.memorySize(of: .eventLog)
        case .therapyHistory: pump.engine.memorySize(of: .eventLog) + pump.engine.memorySize(of: .alarmLog)
        default: 0
        }
        let bytes = Array(image[(base + Int(request.offset))..<(base + Int(request.offset) + Int(request.length))])
        let count = (bytes.count + WireLimits.chunkDataSize - 1) / WireLimits.chunkDataSize
        invariant(messages.count == count, "PW-PUMP-25: \(messages.count) chunks for \(bytes.count) bytes")
        let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
        for (index, message) in messages.enumerated() {
            guard case .memoryDumpChunk(let chunk) = message else { fatalError("PW-PUMP-25: a dump answered with \(message)") }
            let start = index * WireLimits.chunkDataSize
            let data = Array(bytes[start..<min(start + WireLimits.chunkDataSize, bytes.count)])
            invariant(chunk.region == request.region && chunk.encoding == .raw && Int(chunk.chunkIndex) == index
                      && Int(chunk.chunkCount) == count && chunk.regionOffset == request.offset && chunk.imageLength == request.length
                      && chunk.imageCrc32 == crc && Int(chunk.dataOffset) == start && Array(chunk.data) == data,
                      "PW-PUMP-25: chunk \(index) of a dump of \(request) is not the region's bytes of the moment")
        }
    }

    // MARK: - Time

    /// Time elapses (PW-PUMP-3), run one tick at a time so that every tick is checked against the
    /// state just before it; with option bit 2, a copy of the engine advances the whole interval at
    /// once and must end identical (observation and memory).
    mutating func elapse(_ requested: UInt32) {
        let start = pump.engine.clock
        var seconds = requested
        // At most `ticksLeft` ticks: stop just before the one after them.
        let latest = (UInt64(start) / 60 + UInt64(ticksLeft) + 1) * 60 - 1
        if UInt64(start) + UInt64(seconds) > latest { seconds = UInt32(latest - UInt64(start)) }
        let target = UInt64(start) + UInt64(seconds)
        if target >= 0xFFFF_FFFF {
            let before = pump.engine.observation
            do throws(PumpWireError) {
                try pump.engine.advance(seconds: seconds)
                fatalError("advance past 0xfffffffe accepted (PW-UNIT-1)")
            } catch {
                invariant(error.code == .fieldOutOfRange, "advance past 0xfffffffe refused with \(error)")
            }
            invariant(pump.engine.observation == before, "a refused advance changed the pump")
            return
        }
        ticksLeft -= Int(target / 60 - UInt64(start) / 60)
        let twin: PumpEngine? = compareWholeAdvance ? pump.engine : nil
        var now = UInt64(start)
        while (now / 60 + 1) * 60 <= target {
            now = (now / 60 + 1) * 60
            tick(at: UInt32(now))
        }
        if now < target {
            let before = pump.engine.observation
            try! pump.engine.advance(seconds: UInt32(target - now))
            var expected = before
            expected.clock = UInt32(target)
            invariant(pump.engine.observation == expected, "time between ticks changed the pump (PW-PUMP-2)")
        }
        if var twin {
            try! twin.advance(seconds: seconds)
            let image = memory()
            var twinImage = [UInt8](repeating: 0, count: image.count)
            twinImage.withUnsafeMutableBytes { raw in try! twin.readMemory(region: .rawAddress, offset: 0, length: UInt32(raw.count), into: raw) }
            invariant(twin.observation == pump.engine.observation && same(twinImage, image),
                      "PW-PUMP-3: one advance of \(seconds) s from \(start) ends in \(twin.observation), its ticks one by one in \(pump.engine.observation)")
        }
    }

    /// The tick at `time` (a multiple of 60), alone, checked against the state just before it.
    mutating func tick(at time: UInt32) {
        let before = pump.engine.observation
        let boundary = time % 86_400 == 0
        let historyBefore = boundary ? memory(.therapyHistory) : []
        // PW-PUMP-5: whether delivery is possible is decided by the state as it stands before the tick.
        let possible = deliveryPossible(before)
        try! pump.engine.advance(seconds: time &- before.clock)
        let after = pump.engine.observation
        let basal = UInt64(after.basalDeliveredNanolitres &- before.basalDeliveredNanolitres)
        let bolus = UInt64(after.bolusDeliveredNanolitres &- before.bolusDeliveredNanolitres)
        invariant(after.clock == time, "the tick at \(time) left the clock at \(after.clock)")
        invariant(after.reservoirNanolitres <= before.reservoirNanolitres,
                  "PW-PUMP-13: the reservoir rose from \(before.reservoirNanolitres) to \(after.reservoirNanolitres) nL at the tick \(time)")
        // Conservation: what left the reservoir is what the basal and the boluses delivered.
        invariant(UInt64(before.reservoirNanolitres - after.reservoirNanolitres) == basal + bolus,
                  "PW-PUMP-13: the reservoir fell by \(before.reservoirNanolitres - after.reservoirNanolitres) nL at the tick \(time), basal \(basal) + bolus \(bolus) delivered")
        if !possible {
            invariant(basal == 0 && bolus == 0,
                      "PW-PUMP-5: the tick at \(time) delivered basal \(basal) and bolus \(bolus) nL though delivery was not possible before it (prescription \(before.prescriptionStored), alarms \(before.activeAlarms.rawValue), reservoir \(before.reservoirNanolitres))")
            invariant(after.basalAccumulator == before.basalAccumulator,
                      "PW-PUMP-5: the basal accumulator moved at the tick \(time) though delivery was not possible")
        }
        // PW-PUMP-6 and PW-PUMP-13, computed from the spec: the basal's due, and what it got. Exact at
        // every tick, this also gives PW-PUMP-6's daily bound: with U = 1440 c, summed over a day's
        // ticks, basal <= (a_0 + 1000 W - a_1440) / U < 1 + 1000 W / U, so at most ceil(1000 W / U),
        // and at least its floor when every tick delivered in full with no restart.
        if let block = prescription.value, var a = accumulator {
            let minute = Int(((time - 60) / 60) % 1440)  // PW-PUMP-2: the minute of day the tick delivers
            if possible {
                let unit = 1440 * UInt64(block.concentrationMicrogramsPerMillilitre)
                a += rates[minute] * 1000
                let due = a / unit
                a -= due * unit
                let given = min(due, UInt64(before.reservoirNanolitres))
                invariant(basal == given, "PW-PUMP-6, PW-PUMP-13: the tick at \(time) (minute \(minute)) gave \(basal) nL of basal, the spec \(given) (due \(due))")
            }
            invariant(UInt64(after.basalAccumulator) == a, "PW-PUMP-6: accumulator \(after.basalAccumulator) after the tick at \(time), the spec's \(a)")
            accumulator = a
        }
        dayBasal += basal
        dayBolus += bolus
        if boundary { checkDailyRecord(at: time, before: before, historyBefore: historyBefore) }
        // Section 6 at step 4 (PW-PUMP-16), as the pump reports its alarms after the tick.
        let empty = after.activeAlarms.contains(.emptyReservoir)
        invariant(!empty || after.reservoirNanolitres == 0, "PW-PUMP-16: emptyReservoir active after the tick at \(time) with \(after.reservoirNanolitres) nL")
        if before.activeAlarms.contains(.emptyReservoir) && after.reservoirNanolitres == 0 {
            invariant(empty, "PW-PUMP-16: emptyReservoir cleared at \(time) with the reservoir still empty")
        }
        invariant(after.activeAlarms.contains(.batteryEndOfService) == (battery <= 2500),
                  "PW-PUMP-16, Appendix P: batteryEndOfService \(after.activeAlarms.contains(.batteryEndOfService)) at \(battery) mV after the tick \(time)")
        invariant(after.electiveReplacementIndicator == (battery <= 2700),
                  "PW-PUMP-16, Appendix P: elective replacement \(after.electiveReplacementIndicator) at \(battery) mV after the tick \(time)")
        invariant(after.activeAlarms.contains(.pumpReset) == before.activeAlarms.contains(.pumpReset), "PW-PUMP-17: a tick changed pumpReset")
        if let block = prescription.value {
            let low = UInt64(after.reservoirNanolitres) <= UInt64(block.lowReservoirThresholdMicrolitres) * 1000 || time >= after.lowReservoirAlarmTime
            invariant(after.activeAlarms.contains(.lowReservoir) == low,
                      "PW-PUMP-16: lowReservoir \(after.activeAlarms.contains(.lowReservoir)) after the tick \(time), reservoir \(after.reservoirNanolitres) nL, threshold \(block.lowReservoirThresholdMicrolitres) µL, alarm time \(after.lowReservoirAlarmTime)")
        } else if prescription.isNone {
            invariant(!after.activeAlarms.contains(.lowReservoir), "PW-PUMP-16: lowReservoir with no prescription")
        }
        if !deliveryPossible(after) {
            invariant(after.runningBoluses == 0, "PW-PUMP-13, PW-PUMP-16: boluses \(after.runningBoluses) still run after the tick \(time) stopped delivery")
        }
    }

    /// PW-PUMP-23: at a day boundary with a prescription stored, `dailyDelivery` with `time`
    /// `t - 86400` and the volumes the ticks delivered since the last boundary (capped at
    /// 60000000); with none, nothing in the `therapyHistory`. The counters start again either way.
    mutating func checkDailyRecord(at time: UInt32, before: PumpObservation, historyBefore: [UInt8]) {
        let history = memory(.therapyHistory)
        let size = LogRecord.size
        let changed = stride(from: 0, to: history.count, by: size).filter { !same(history, historyBefore, at: $0, count: size) }
        if before.prescriptionStored {
            invariant(changed.count <= 1, "PW-PUMP-23: \(changed.count) therapyHistory records at the day boundary \(time)")
            let basal = UInt32(min(dayBasal, 60_000_000)), bolus = UInt32(min(dayBolus, 60_000_000))
            // The new record is the changed slot (or, written over a byte-identical one, some slot).
            let candidates = changed.isEmpty ? Array(stride(from: 0, to: history.count, by: size)) : changed
            let found = candidates.contains { slot in
                let record = history.withUnsafeBytes { raw in
                    try? LogRecord(decoding: UnsafeRawBufferPointer(rebasing: raw[slot..<(slot + size)]), region: .therapyHistory)
                }
                guard let record, case .dailyDelivery(let daily) = record.body else { return false }
                return record.time == time - 86_400 && daily.basalVolumeNanolitres == basal && daily.bolusVolumeNanolitres == bolus
            }
            invariant(found, "PW-PUMP-23: no dailyDelivery for the day before \(time) with basal \(dayBasal) and bolus \(dayBolus) nL (slots changed: \(changed.map { short(Array(history[$0..<($0 + size)])) }))")
        } else {
            invariant(changed.isEmpty, "PW-PUMP-23: a therapyHistory record at the day boundary \(time) with no prescription")
        }
        dayBasal = 0
        dayBolus = 0
    }

    // MARK: - Clock, battery, power

    /// PW-PUMP-4: no tick, nothing delivered, a `clockChanged` record; 0xffffffff changes nothing (PW-UNIT-1).
    mutating func setClock(to time: UInt32) {
        let before = pump.engine.observation
        pump.engine.setClock(time)
        var expected = before
        if time != 0xFFFF_FFFF {
            expected.clock = time
            expected.recordsWritten = before.recordsWritten &+ 1
        }
        invariant(pump.engine.observation == expected, "PW-PUMP-4: setting the clock to \(time) changed \(before) to \(pump.engine.observation)")
    }

    /// The battery measures `millivolts` from now on; alarms follow at the next tick (PW-PUMP-16).
    mutating func setBattery(_ millivolts: UInt16) {
        let before = pump.engine.observation
        pump.engine.setBattery(millivolts: millivolts)
        battery = millivolts
        invariant(pump.engine.observation == before, "setting the battery changed the pump before any tick (PW-PUMP-16)")
    }

    /// PW-PUMP-22: the accumulator and the running boluses lost (each logged), the rest kept,
    /// `pumpReset` raised (PW-PUMP-17), no time.
    mutating func restart() {
        let before = pump.engine.observation
        if secure {
            pump.restart()
            device = nil
        } else {
            pump.engine.restart()
        }
        let after = pump.engine.observation
        var expected = before
        expected.runningBoluses = 0
        expected.basalAccumulator = 0
        expected.activeAlarms.insert(.pumpReset)
        expected.recordsWritten = after.recordsWritten
        invariant(after == expected, "PW-PUMP-22: a restart changed \(before) to \(after)")
        let records = before.runningBoluses.nonzeroBitCount + (before.activeAlarms.contains(.pumpReset) ? 0 : 1)
        invariant(after.recordsWritten == before.recordsWritten &+ UInt32(records),
                  "PW-PUMP-22, PW-PUMP-17: \(after.recordsWritten &- before.recordsWritten) records for a restart with boluses \(before.runningBoluses) running")
        if prescription.value != nil { accumulator = 0 }
    }

    /// PUMP_RESET (`conformance.md` 2.4.11): the pump fresh from the factory (section 1).
    mutating func reset() {
        let clock = Self.dayStart &+ UInt32(source.u16()) &* 60
        battery = Self.batteries[Int(source.u8() % 16)]
        pump.engine.reset(clock: clock, batteryMillivolts: battery)
        let expected = PumpObservation(
            clock: clock, reservoirNanolitres: 0, activeAlarms: .none, statusFlags: 0, runningBoluses: 0, basalDeliveredNanolitres: 0,
            bolusDeliveredNanolitres: 0, lowReservoirAlarmTime: 0xFFFF_FFFF, basalAccumulator: 0, recordsWritten: 0)
        invariant(pump.engine.observation == expected, "section 1: after PUMP_RESET the pump is \(pump.engine.observation)")
        let image = memory()
        invariant(image.allSatisfy { $0 == 0xFF }, "section 1: PUMP_RESET left log bytes that are not erased")
        prescription = .none
        schedule = .none
        kept = nil
        last = nil
        accumulator = 0
        dayBasal = 0
        dayBolus = 0
        logImage = image
    }

    // MARK: - After every operation

    mutating func checkState(_ context: String) {
        let o = pump.engine.observation
        invariant(o.reservoirNanolitres <= 60_000_000, "section 1: reservoir \(o.reservoirNanolitres) nL above 60000000, \(context)")
        invariant(o.activeAlarms.rawValue & ~0x87 == 0, "alarms \(o.activeAlarms.rawValue): the engine raises only codes 1, 2, 3 and 8, \(context)")
        if !deliveryPossible(o) {
            invariant(o.runningBoluses == 0, "PW-PUMP-12, PW-PUMP-13, PW-PUMP-16: boluses \(o.runningBoluses) run while delivery is not possible, \(context)")
        }
        invariant(o.prescriptionStored == !prescription.isNone, "the pump says prescription stored \(o.prescriptionStored), \(context)")
        invariant(o.bolusScheduleStored == !schedule.isNone, "the pump says schedule stored \(o.bolusScheduleStored), \(context)")
        checkLogs(context)
    }

    /// PW-PUMP-24, PW-LOG-3: every slot written since the last check reads, with the core's
    /// `LogReader`, as a record of its region (never a rejected or erased slot).
    mutating func checkLogs(_ context: String) {
        let image = memory()
        guard !same(image, logImage) else { return }
        let size = LogRecord.size
        let eventEnd = pump.engine.memorySize(of: .eventLog), alarmEnd = eventEnd + pump.engine.memorySize(of: .alarmLog)
        for slot in stride(from: 0, to: image.count, by: size) where !same(image, logImage, at: slot, count: size) {
            let region: MemoryRegion = slot < eventEnd ? .eventLog : slot < alarmEnd ? .alarmLog : .therapyHistory
            let item = image.withUnsafeBytes { raw -> LogItem? in
                var reader = LogReader(image: UnsafeRawBufferPointer(rebasing: raw[slot..<(slot + size)]), region: region, regionOffset: 0)
                return reader.next()
            }
            guard case .record? = item else {
                fatalError("PW-PUMP-24, PW-LOG-3: the \(region) slot at \(slot) reads as \(String(describing: item)), \(context): \(short(Array(image[slot..<(slot + size)])))")
            }
        }
        logImage = image
    }

    /// At the end of a run: each region read whole with `LogReader`, no slot rejected.
    func checkWholeLogs() {
        for region in [MemoryRegion.eventLog, .alarmLog, .therapyHistory] {
            let image = memory(region)
            image.withUnsafeBytes { raw in
                var reader = LogReader(image: raw, region: region, regionOffset: 0)
                while let item = reader.next() {
                    if case .rejected(let offset, let error) = item { fatalError("PW-LOG-3: \(region) slot at \(offset) rejected: \(error)") }
                }
            }
        }
    }
}
