/// Requests and answers (spec/behaviour.md section 7), therapy changes (section 8) and memory
/// dumps (PW-PUMP-25).

/// What a payload of some type is to a pump: a request it implements (its payload checked
/// whole, PW-PUMP-18), a refusal with the decoder's error (PW-ERR-2), or a valid message of a
/// type it does not implement (PW-ERR-3). Small on purpose: the request is decoded again where it
/// is executed, so that no 400-byte prescription value is carried from call to call on a pump's
/// stack.
enum RequestCheck {
    case request(payloadDigest: UInt32)
    case rejected(PumpWireError)
    case notImplemented
}

extension PumpEngine {
    /// Checks `payload` as a message of `type` (4.2 step 10, or a reassembled message,
    /// PW-FRAG-12); `reportingOffset` is the offset errors give payload byte 0 (PW-ENC-6). Each
    /// type decodes by itself: a `Message` value would put a kilobyte on a pump's stack.
    @inline(never)  // the decoded values stay out of the callers' frames
    static func check(type: UInt8, payload: UnsafeRawBufferPointer, reportingOffset: Int) -> RequestCheck {
        do throws(PumpWireError) {
            switch type {
            case InterrogationRequest.typeCode:
                _ = try InterrogationRequest.decode(payload: payload, reportingOffset: reportingOffset)
            case PrescriptionBlock.typeCode:
                _ = try PrescriptionBlock.decode(payload: payload, reportingOffset: reportingOffset)
            case BolusSchedule.typeCode:
                _ = try BolusSchedule.decode(payload: payload, reportingOffset: reportingOffset)
            case RefillConfirmation.typeCode:
                _ = try RefillConfirmation.decode(payload: payload, reportingOffset: reportingOffset)
            case MemoryDumpRequest.typeCode:
                _ = try MemoryDumpRequest.decode(payload: payload, reportingOffset: reportingOffset)
            default:
                // The pump's own answers decode (PW-REG-2): one that fails is refused with its
                // error (PW-ERR-2), one that decodes is a type the pump does not implement
                // (PW-ERR-3), as is any other code, the security layer's included (section 7).
                try checkAnswerPayload(type: type, payload: payload, reportingOffset: reportingOffset)
                return .notImplemented
            }
        } catch {
            return .rejected(error)
        }
        return .request(payloadDigest: CRC32.checksum(payload))  // PW-CRC-3: a payload that decodes is canonical
    }

    /// Decodes the payload of a pump-to-programmer type (4.2 step 10); any other code is an
    /// unknown message, valid whatever its payload (PW-FRAME-8).
    static func checkAnswerPayload(type: UInt8, payload: UnsafeRawBufferPointer, reportingOffset: Int) throws(PumpWireError) {
        switch type {
        case PumpStatus.typeCode: _ = try PumpStatus.decode(payload: payload, reportingOffset: reportingOffset)
        case RefillReceipt.typeCode: _ = try RefillReceipt.decode(payload: payload, reportingOffset: reportingOffset)
        case MemoryDumpChunk.typeCode: _ = try MemoryDumpChunk.decode(payload: payload, reportingOffset: reportingOffset)
        case Acknowledgement.typeCode: _ = try Acknowledgement.decode(payload: payload, reportingOffset: reportingOffset)
        case NegativeAcknowledgement.typeCode: _ = try NegativeAcknowledgement.decode(payload: payload, reportingOffset: reportingOffset)
        default: break
        }
    }

    /// Answers a payload of `type`: the refusal of PW-ERR-2, UNKNOWN_MESSAGE_TYPE at 3 (PW-ERR-3),
    /// or the request executed. `reportingOffset` is the offset errors give payload byte 0;
    /// `fieldOffset` the payload offset of the message's first byte in the request as sent (4 after
    /// a `commandId`, PW-SEC-13), for the refusals that name a field (PW-NAK-2). `keep` applies
    /// PW-PUMP-20 (not to sealed requests, PW-PUMP-26).
    mutating func answer(
        type: UInt8, sequence: UInt16, payload: UnsafeRawBufferPointer, reportingOffset: Int, fieldOffset: Int,
        sealed: Bool, keep: Bool, _ emit: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        answer(Self.check(type: type, payload: payload, reportingOffset: reportingOffset), type: type, sequence: sequence,
               payload: payload, fieldOffset: fieldOffset, sealed: sealed, keep: keep, emit)
    }

    /// Answers a check of `payload` (above).
    mutating func answer(
        _ check: RequestCheck, type: UInt8, sequence: UInt16, payload: UnsafeRawBufferPointer, fieldOffset: Int,
        sealed: Bool, keep: Bool, _ emit: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        switch check {
        case .rejected(let error):
            AnswerFrame.emit(.refusal(of: type, error.code, offset: error.offset), sequence: sequence, sealed: sealed, emit)  // PW-ERR-2
        case .notImplemented:
            AnswerFrame.emit(.refusal(of: type, .unknownMessageType, offset: 3), sequence: sequence, sealed: sealed, emit)  // PW-ERR-3
        case .request(let digest):
            execute(type: type, sequence: sequence, payload: payload, payloadDigest: digest, fieldOffset: fieldOffset,
                    sealed: sealed, keep: keep, emit)
        }
    }

    /// Section 7.1, on a payload that `check` passed, at the clock now (PW-PUMP-3: after every
    /// tick up to it).
    @inline(never)
    mutating func execute(
        type: UInt8, sequence: UInt16, payload: UnsafeRawBufferPointer, payloadDigest: UInt32, fieldOffset: Int,
        sealed: Bool, keep: Bool, _ emit: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        let changesDelivery = type == PrescriptionBlock.typeCode || type == BolusSchedule.typeCode
            || type == RefillConfirmation.typeCode
        // PW-PUMP-20: the same type, sequence and payload again: the kept answer, not executed again.
        if keep, changesDelivery, let kept = lastRequest, kept.messageType == type, kept.sequence == sequence,
           kept.payloadDigest == payloadDigest {
            AnswerFrame.emit(kept.answer, sequence: sequence, sealed: sealed, emit)
            return
        }
        let answer: ShortAnswer
        do throws(PumpWireError) {
            switch type {
            case InterrogationRequest.typeCode:
                answerStatus(sequence: sequence, sealed: sealed, emit)
                acknowledgePumpReset(at: clock)  // PW-PUMP-17
                return
            case MemoryDumpRequest.typeCode:
                // Decoded first: an argument evaluated in the call would have `self` copied before it.
                let dump = try MemoryDumpRequest.decode(payload: payload)
                answerDump(dump, sequence: sequence, fieldOffset: fieldOffset, sealed: sealed, emit)
                return
            case PrescriptionBlock.typeCode:
                answer = try storePrescription(payload, digest: payloadDigest)
            case BolusSchedule.typeCode:
                answer = try storeBolusSchedule(payload, digest: payloadDigest)
            case RefillConfirmation.typeCode:
                let refill = try RefillConfirmation.decode(payload: payload)
                answer = acceptRefill(refill, digest: payloadDigest, fieldOffset: fieldOffset)
            default:
                return  // `check` lets no other type through
            }
        } catch {
            return  // `check` decoded the same bytes: not reached
        }
        if keep {
            lastRequest = KeptRequest(messageType: type, sequence: sequence, payloadDigest: payloadDigest, answer: answer)
        }
        AnswerFrame.emit(answer, sequence: sequence, sealed: sealed, emit)
    }

    // MARK: - interrogationRequest (7.1)

    /// The `pumpStatus` of the moment (9.2, 7.1).
    func answerStatus(sequence: UInt16, sealed: Bool, _ emit: (UnsafeMutableRawBufferPointer) -> Void) {
        let status = PumpStatus(
            model: profile.model, serial: profile.serial, firmwareMajor: profile.firmwareMajor,
            firmwareMinor: profile.firmwareMinor, firmwarePatch: profile.firmwarePatch,
            batteryMillivolts: min(batteryMillivolts, PumpStatus.batteryMillivoltsRange.upperBound),
            prescriptionStored: prescriptionStored, bolusScheduleStored: bolusScheduleStored,
            deliverySuspended: activeAlarms.contains(.batteryEndOfService),  // PW-PUMP-5
            electiveReplacementIndicator: electiveReplacementIndicator,
            reservoirVolumeMicrolitres: reservoirMicrolitres,  // PW-PUMP-1
            activeAlarms: activeAlarms, pumpClockTime: clock,
            prescriptionDigest: prescriptionStored ? prescriptionDigest : 0,
            bolusScheduleDigest: bolusScheduleStored ? bolusScheduleDigest : 0)
        AnswerFrame.withBuffer { (buffer) in
            var writer = ByteWriter(AnswerFrame.payloadArea(of: buffer))
            do throws(PumpWireError) {
                try status.encodePayload(into: &writer)
            } catch {
                return  // a profile whose texts do not encode: nothing a pump can send
            }
            let length = AnswerFrame.finish(
                type: PumpStatus.typeCode, sequence: sequence, payloadLength: writer.count, sealed: sealed, in: buffer)
            emit(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]))
        }
    }

    // MARK: - prescriptionBlock (PW-PUMP-18)

    @inline(never)  // the decoded prescription stays out of the caller's frame
    mutating func storePrescription(_ payload: UnsafeRawBufferPointer, digest: UInt32) throws(PumpWireError) -> ShortAnswer {
        let block = try PrescriptionBlock.decode(payload: payload)  // checked whole before anything changes
        stopBoluses(.stoppedByProgrammer)  // 1.
        let previous = prescriptionStored ? prescriptionDigest : 0
        prescription = block  // 2.
        prescriptionStored = true
        prescriptionDigest = digest
        basalAccumulator = 0
        let record = LogRecord(time: clock, body: .therapyChanged(TherapyChangedRecord(
            prescriptionDigest: digest, previousDigest: previous, source: .programmer)))
        log(record, in: .eventLog)  // 3.
        log(record, in: .therapyHistory)
        lowReservoirAlarmTime = DoseArithmetic.lowReservoirAlarmTime(  // 4. (PW-PUMP-15)
            resultingReservoirMicrolitres: reservoirMicrolitres, refillTime: clock,
            lowReservoirThresholdMicrolitres: prescription.lowReservoirThresholdMicrolitres,
            dailyBasalVolumeNanolitres: prescription.dailyBasalVolumeNanolitres)
        return .acknowledgement(of: PrescriptionBlock.typeCode, digest: digest)  // 5. (PW-RX-10)
    }

    // MARK: - bolusSchedule (PW-PUMP-19)

    @inline(never)  // the decoded schedule stays out of the caller's frame
    mutating func storeBolusSchedule(_ payload: UnsafeRawBufferPointer, digest: UInt32) throws(PumpWireError) -> ShortAnswer {
        let newSchedule = try BolusSchedule.decode(payload: payload)
        guard prescriptionStored else {
            // PW-PUMP-19: a dose in nanograms has no volume without a concentration.
            return .refusal(of: BolusSchedule.typeCode, .notPermitted, offset: PumpWireError.noOffset)
        }
        stopBoluses(.stoppedByProgrammer)  // 1.
        let previous = bolusScheduleStored ? bolusScheduleDigest : 0
        schedule = newSchedule  // 2. (the patient bolus limits: SecurePumpEngine)
        bolusScheduleStored = true
        bolusScheduleDigest = digest
        let record = LogRecord(time: clock, body: .bolusScheduleChanged(BolusScheduleChangedRecord(
            scheduleDigest: digest, previousDigest: previous)))
        log(record, in: .eventLog)  // 3.
        log(record, in: .therapyHistory)
        if let clinician = schedule.clinicianBolus {  // 4. clinician, then priming, at `now`
            startBolus(.clinician, doseNanograms: clinician.doseNanograms, durationMinutes: clinician.durationMinutes, at: clock)
        }
        if let priming = schedule.primingBolus {
            startBolus(.priming, doseNanograms: 0, volumeNanolitres: widen(priming.volumeMicrolitres) * 1000,
                       durationMinutes: priming.durationMinutes, at: clock)
        }
        return .acknowledgement(of: BolusSchedule.typeCode, digest: digest)  // 5. (PW-BOLUS-5)
    }

    /// The stored schedule's patient bolus: PW-SEC-16's limits (PW-PUMP-19 step 2), nil when none.
    public var patientBolus: PatientBolus? { bolusScheduleStored ? schedule.patientBolus : nil }

    // MARK: - refillConfirmation (PW-REFILL-5, PW-PUMP-14)

    mutating func acceptRefill(_ refill: RefillConfirmation, digest: UInt32, fieldOffset: Int) -> ShortAnswer {
        let type = RefillConfirmation.typeCode
        guard prescriptionStored else { return .refusal(of: type, .notPermitted, offset: PumpWireError.noOffset) }  // PW-REFILL-5 1.
        guard refill.drug == prescription.drug else { return .refusal(of: type, .drugMismatch, offset: fieldOffset) }  // 2.
        guard refill.concentrationMicrogramsPerMillilitre == prescription.concentrationMicrogramsPerMillilitre else {
            return .refusal(of: type, .concentrationMismatch, offset: fieldOffset + 1)  // 3.
        }
        guard refill.resultingReservoirMicrolitres <= prescription.reservoirCapacityMicrolitres else {
            return .refusal(of: type, .reservoirOverfill, offset: fieldOffset + 13)  // 4.
        }
        // PW-PUMP-14: what the refill says, and D5 from its own numbers.
        reservoirNanolitres = refill.resultingReservoirMicrolitres * 1000
        lowReservoirAlarmTime = prescription.lowReservoirAlarmTime(after: refill)
        log(LogRecord(time: clock, body: .refilled(RefilledRecord(
            drug: refill.drug, concentrationMicrogramsPerMillilitre: refill.concentrationMicrogramsPerMillilitre,
            resultingReservoirMicrolitres: refill.resultingReservoirMicrolitres))), in: .eventLog)
        return .receipt(RefillReceipt(
            confirmationDigest: digest, resultingReservoirMicrolitres: refill.resultingReservoirMicrolitres,
            lowReservoirAlarmTime: lowReservoirAlarmTime))
    }

    // MARK: - memoryDumpRequest (PW-PUMP-25)

    /// The region's bytes of the moment, `raw`, in `ceil(length / 218)` chunks in index order, each
    /// built in one frame buffer on the stack and handed to `emit`; FIELD_OUT_OF_RANGE at 6 past the
    /// region's end (PW-DUMP-10). Nothing is written and nothing changes. No closure here reaches
    /// `self`: one that did would take a copy of the logs, 9 KiB on a pump's stack.
    func answerDump(
        _ request: MemoryDumpRequest, sequence: UInt16, fieldOffset: Int, sealed: Bool, _ emit: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        guard logs.contains(region: request.region, offset: request.offset, length: request.length) else {
            AnswerFrame.emit(.refusal(of: MemoryDumpRequest.typeCode, .fieldOutOfRange, offset: fieldOffset + 6),
                             sequence: sequence, sealed: sealed, emit)  // PW-DUMP-10
            return
        }
        let imageCrc32 = logs.crc32(region: request.region, offset: request.offset, length: request.length)
        let chunkCount = MemoryDumpChunk.chunkCount(forImageLength: request.length)
        let chunkSize = WireLimits.chunkDataSize
        var frame = AnswerFrame.Storage(repeating: 0)
        for index in 0..<chunkCount {
            let dataOffset = index * chunkSize
            let dataLength = min(chunkSize, Int(request.length) - dataOffset)
            var at = WireLimits.headerSize
            AnswerFrame.put(request.region.rawValue, in: &frame, at: &at)
            AnswerFrame.put(DumpEncoding.raw.rawValue, in: &frame, at: &at)  // PW-DUMP-11: always raw
            AnswerFrame.put(UInt16(truncatingIfNeeded: index), in: &frame, at: &at)
            AnswerFrame.put(UInt16(truncatingIfNeeded: chunkCount), in: &frame, at: &at)
            AnswerFrame.put(request.offset, in: &frame, at: &at)
            AnswerFrame.put(request.length, in: &frame, at: &at)
            AnswerFrame.put(imageCrc32, in: &frame, at: &at)
            AnswerFrame.put(UInt32(truncatingIfNeeded: dataOffset), in: &frame, at: &at)
            logs.copy(region: request.region, offset: Int(request.offset) + dataOffset, length: dataLength, into: &frame, at: at)
            AnswerFrame.emit(&frame, type: MemoryDumpChunk.typeCode, sequence: sequence,
                             payloadLength: WireLimits.chunkHeaderSize + dataLength, sealed: sealed, emit)
        }
    }
}
