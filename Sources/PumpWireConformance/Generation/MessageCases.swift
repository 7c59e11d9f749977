import PumpWire
import PumpWireCore

/// Vectors of each message of spec section 9: valid values, every ranged field at its bounds, and
/// every check of the message's list with its code and frame offset (payload offset + 9).
public enum MessageCases {
    typealias D = DeclaredMessages

    /// Raw fields, as written before the encoder's check: how forbidden payloads are made.
    static func raw(_ message: Message) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = buffer.withUnsafeMutableBytes { raw -> Int in
            var writer = ByteWriter(raw)
            switch message {
            case .interrogationRequest(let m): try? m.writeFields(to: &writer)
            case .pumpStatus(let m): try? m.writeFields(to: &writer)
            case .prescriptionBlock(let m): try? m.writeFields(to: &writer)
            case .bolusSchedule(let m): try? m.writeFields(to: &writer)
            case .refillConfirmation(let m): try? m.writeFields(to: &writer)
            case .refillReceipt(let m): try? m.writeFields(to: &writer)
            case .memoryDumpRequest(let m): try? m.writeFields(to: &writer)
            case .memoryDumpChunk(let m): try? m.writeFields(to: &writer)
            case .acknowledgement(let m): try? m.writeFields(to: &writer)
            case .negativeAcknowledgement(let m): try? m.writeFields(to: &writer)
            case .unknown(let m): for byte in m.payload { try? writer.writeUInt8(byte) }
            }
            return writer.count
        }
        return Array(buffer[..<count])
    }

    /// The registry name with a capital, as vector names use it (`PrescriptionBlock`).
    public static func title(_ typeCode: UInt8) -> String {
        let name = MessageRegistry.name(of: typeCode)
        return name.prefix(1).uppercased() + name.dropFirst()
    }

    /// A declared message that is valid: a decodeFrame vector, or a reassembly vector when its
    /// payload needs fragments.
    static func valid(_ name: String, _ requirements: [String], _ message: Message, sequence: UInt16 = 1, comment: String) -> VectorCase {
        guard message.payloadSize > WireLimits.maxFramePayload else {
            return V.valid(name, requirements, message, sequence: sequence, comment: comment)
        }
        return FragmentCases.inOrder(name, requirements + ["PW-FRAG-1", "PW-FRAG-7"], message, sequence: sequence, comment: comment)
    }

    /// An invalid payload of `type`: the frame around it is sound, the error is at `payloadOffset`.
    static func invalid(
        _ name: String, _ requirements: [String], type: UInt8, payload: [UInt8], _ code: ErrorCode, payloadOffset: Int,
        comment: String, level: Vector.Level = .required
    ) -> VectorCase {
        V.invalid(name, requirements + ["PW-ENC-6"], V.frame(type: type, payload: payload), code, at: 9 + payloadOffset,
                  messageType: V.name(type), comment: comment, level: level)
    }

    /// The bounds of `RangeCases` as vectors.
    static func bounds(_ cases: [FieldCase]) -> [VectorCase] {
        cases.map { field in
            let type = field.message.typeCode
            let name = "Required.Decode.\(field.name)"
            guard let error = field.expected else {
                return valid(name, field.requirements, field.message, comment: "A field at the edge of its range is accepted.")
            }
            return invalid(name, field.requirements, type: type, payload: raw(field.message), error.code, payloadOffset: error.offset,
                           comment: "One past the field's range is \(error.code.specName).")
        }
    }

    static var all: [String: [VectorCase]] {
        var files: [String: [VectorCase]] = [:]
        let bounds = bounds(RangeCases.all)
        func boundsOf(_ type: UInt8) -> [VectorCase] { bounds.filter { $0.messageType == V.name(type) } }
        files["message-interrogationRequest"] = interrogation
        var status = pumpStatus + pumpStatusEdges + boundsOf(0x81)
        status.tag("Required.Decode.PumpStatus.WorkedExampleValues", "PW-STATUS-3/flag-prescriptionStored", "PW-STATUS-4/prescription")
        status.tag("Required.Decode.PumpStatus.BolusDigestWithoutSchedule", "PW-STATUS-4/bolus-schedule")
        status.tag("Required.Decode.PumpStatus.ModelDelete", "PW-ENC-8/printable")
        status.tag("Required.Decode.PumpStatus.modelLength.BelowMinimum", "PW-ENC-8/length")
        status.tag("Required.Decode.PumpStatus.serialLength.AboveMaximum", "PW-ENC-8/length")
        status.tag("Required.Decode.PumpStatus.ModelCutShort", "PW-ENC-8/cut-short")
        files["message-pumpStatus"] = status
        var rx = prescription + prescriptionEdges + boundsOf(0x02)
        rx.tag("Required.Decode.PrescriptionBlock.WorkedExampleValues", "PW-RX-1/drug-each", "PW-RX-1/mode-each", "PW-RX-5/timeOfDay")
        rx.tag("Required.Decode.PrescriptionBlock.FixedRate", "PW-RX-1/mode-each", "PW-RX-5/fixedRate")
        rx.tag("Required.Decode.PrescriptionBlock.FixedRateWithThreeSteps", "PW-RX-5/fixedRate")
        rx.tag("Required.Decode.PrescriptionBlock.ContinuousWithThreeSteps", "PW-RX-5/continuous")
        rx.tag("Required.Decode.PrescriptionBlock.TimeOfDayWithOneStep", "PW-RX-5/timeOfDay")
        rx.tag("Required.Decode.PrescriptionBlock.stepCount.BelowMinimum", "PW-RX-4/order-range-mode")
        rx.tag("Required.Decode.PrescriptionBlock.stepCount.AboveMaximum", "PW-RX-4/order-items-mode")
        rx.tag("Required.Decode.PrescriptionBlock.FirstFaultReported", "PW-RX-1/order-drug-mode")
        files["message-prescriptionBlock"] = rx
        var bolus = bolusSchedule + bolusScheduleEdges + boundsOf(0x03)
        bolus.tag("Required.Decode.BolusSchedule.BridgeOnly", "PW-BOLUS-1/group-each", "PW-BOLUS-2/kind-each")
        files["message-bolusSchedule"] = bolus
        files["message-refill"] = refill + refillEdges + boundsOf(0x04) + boundsOf(0x84)
        var cases = dump + dumpEdges + boundsOf(0x05) + boundsOf(0x85)
        cases.tag("Required.Decode.MemoryDumpRequest.WorkedExampleValues", "PW-DUMP-1/region-each")
        cases.tag("Required.Decode.MemoryDumpRequest.RawAddressCompressionAllowed", "PW-DUMP-1/region-each")
        cases.tag("Required.Decode.MemoryDumpChunk.WorkedExampleValues", "PW-DUMP-3/region-each", "PW-DUMP-3/encoding-each", "PW-DUMP-5/raw", "PW-DUMP-7/raw-last")
        cases.tag("Required.Decode.MemoryDumpChunk.FirstOfThree", "PW-DUMP-3/region-each")
        cases.tag("Required.Decode.MemoryDumpChunk.LastOfThree", "PW-DUMP-7/raw-last")
        cases.tag("Required.Decode.MemoryDumpChunk.ZlibShorterThanImage", "PW-DUMP-3/encoding-each", "PW-DUMP-5/zlib", "PW-DUMP-7/zlib-last")
        cases.tag("Required.Decode.MemoryDumpChunk.ZlibMoreChunksThanRaw", "PW-DUMP-5/zlib")
        cases.tag("Required.Decode.MemoryDumpChunk.CountMismatch", "PW-DUMP-5/raw")
        cases.tag("Required.Decode.MemoryDumpChunk.FirstOfThreeShort", "PW-DUMP-7/not-last")
        cases.tag("Required.Decode.MemoryDumpChunk.DataShort", "PW-DUMP-7/raw-last")
        cases.tag("Required.Decode.MemoryDumpChunk.ZlibLastEmpty", "PW-DUMP-7/zlib-last")
        cases.tag("Required.Decode.MemoryDumpChunk.ZlibLongerThanImage", "PW-DUMP-7/zlib-last")
        files["message-memoryDump"] = cases
        var acknowledgements = acknowledgements + acknowledgementEdges + boundsOf(0xF0) + boundsOf(0xF1)
        acknowledgements.tag("Required.Decode.Acknowledgement.WorkedExampleValues", "PW-ACK-1/each")
        acknowledgements.tag("Required.Decode.Acknowledgement.BolusSchedule", "PW-ACK-1/each")
        for name in acknowledgements.map(\.name) where name.hasPrefix("Required.Decode.NegativeAcknowledgement.Carries") {
            acknowledgements.tag(name, "PW-NAK-1/code-each")
        }
        files["message-acknowledgements"] = acknowledgements
        return files
    }

    static let interrogation: [VectorCase] = [
        valid("Required.Decode.InterrogationRequest.Valid", ["PW-INT-1", "PW-REG-1"], .interrogationRequest(InterrogationRequest()),
              comment: "The empty request."),
        invalid("Required.Decode.InterrogationRequest.PayloadByte", ["PW-INT-1", "PW-ENC-3"], type: 0x01, payload: [0x00],
                .lengthMismatch, payloadOffset: 0, comment: "The payload must be empty."),
        invalid("Required.Decode.InterrogationRequest.PayloadBytes", ["PW-INT-1", "PW-ENC-3"], type: 0x01, payload: [0x01, 0x02, 0x03],
                .lengthMismatch, payloadOffset: 0, comment: "The payload must be empty."),
    ]

    static var pumpStatus: [VectorCase] {
        let base = raw(.pumpStatus(D.pumpStatus))
        var everything = D.pumpStatus
        everything.bolusScheduleStored = true
        everything.bolusScheduleDigest = 0x41D9_12FF
        everything.deliverySuspended = true
        everything.electiveReplacementIndicator = true
        everything.activeAlarms = ActiveAlarms(rawValue: 0xFF)
        var storedZero = D.pumpStatus
        storedZero.prescriptionDigest = 0
        return [
            valid("Required.Decode.PumpStatus.WorkedExampleValues", ["PW-STATUS-1", "PW-STATUS-2", "PW-REG-1", "PW-REG-2"],
                  .pumpStatus(D.pumpStatus), comment: "The status of spec 9.2."),
            valid("Required.Decode.PumpStatus.EveryFlagAndAlarm", ["PW-STATUS-3", "PW-STATUS-4"], .pumpStatus(everything),
                  comment: "Every defined flag and alarm bit set."),
            valid("Required.Decode.PumpStatus.StoredWithDigestZero", ["PW-STATUS-4"], .pumpStatus(storedZero),
                  comment: "With the flag set, a digest of 0 is a digest like any other."),
            invalid("Required.Decode.PumpStatus.ReservedStatusFlag", ["PW-STATUS-3", "PW-ENC-5"], type: 0x81,
                    payload: V.patch(base, at: 32, [base[32] | 0x10]), .nonCanonical, payloadOffset: 32, comment: "Bit 4 of statusFlags is reserved."),
            invalid("Required.Decode.PumpStatus.ReservedStatusFlagHigh", ["PW-STATUS-3", "PW-ENC-5"], type: 0x81,
                    payload: V.patch(base, at: 32, [base[32] | 0x80]), .nonCanonical, payloadOffset: 32, comment: "Bit 7 of statusFlags is reserved."),
            invalid("Required.Decode.PumpStatus.ReservedAlarmBit", ["PW-STATUS-3", "PW-ENC-5"], type: 0x81,
                    payload: V.patch(base, at: 38, [0x01]), .nonCanonical, payloadOffset: 37, comment: "Bit 8 of activeAlarms is reserved."),
            invalid("Required.Decode.PumpStatus.BolusDigestWithoutSchedule", ["PW-STATUS-4", "PW-ENC-5"], type: 0x81,
                    payload: V.patch(base, at: 47, [0x01]), .nonCanonical, payloadOffset: 47,
                    comment: "A digest of a bolus schedule that is not stored must be 0."),
            invalid("Required.Decode.PumpStatus.ModelControlCharacter", ["PW-STATUS-1", "PW-ENC-8"], type: 0x81,
                    payload: V.patch(base, at: 3, [0x07]), .invalidText, payloadOffset: 3, comment: "Text is printable ASCII only."),
            invalid("Required.Decode.PumpStatus.ModelDelete", ["PW-STATUS-1", "PW-ENC-8"], type: 0x81,
                    payload: V.patch(base, at: 1, [0x7F]), .invalidText, payloadOffset: 1, comment: "0x7F is not printable."),
            invalid("Required.Decode.PumpStatus.SerialHighByte", ["PW-STATUS-1", "PW-ENC-8"], type: 0x81,
                    payload: V.patch(base, at: 25, [0x80]), .invalidText, payloadOffset: 25, comment: "Bytes above 0x7E are not ASCII text."),
            invalid("Required.Decode.PumpStatus.modelLength.BelowMinimum", ["PW-STATUS-1", "PW-ENC-8"], type: 0x81,
                    payload: [0] + Array(base.dropFirst(15)), .fieldOutOfRange, payloadOffset: 0, comment: "Text is 1 to 16 bytes."),
            invalid("Required.Decode.PumpStatus.modelLength.AboveMaximum", ["PW-STATUS-1", "PW-ENC-8"], type: 0x81,
                    payload: [17] + [UInt8](repeating: 0x41, count: 17) + Array(base.dropFirst(15)), .fieldOutOfRange, payloadOffset: 0,
                    comment: "Text is 1 to 16 bytes."),
            invalid("Required.Decode.PumpStatus.serialLength.AboveMaximum", ["PW-STATUS-1", "PW-ENC-8"], type: 0x81,
                    payload: Array(base.prefix(15)) + [17] + [UInt8](repeating: 0x41, count: 17), .fieldOutOfRange, payloadOffset: 15,
                    comment: "Text is 1 to 16 bytes."),
            invalid("Required.Decode.PumpStatus.serialLength.BelowMinimum", ["PW-STATUS-1", "PW-ENC-8"], type: 0x81,
                    payload: Array(base.prefix(15)) + [0] + Array(base.dropFirst(27)), .fieldOutOfRange, payloadOffset: 15,
                    comment: "Text is 1 to 16 bytes."),
            invalid("Required.Decode.PumpStatus.ModelCutShort", ["PW-STATUS-1", "PW-ENC-8", "PW-ENC-2"], type: 0x81,
                    payload: [14, 0x41, 0x07], .lengthMismatch, payloadOffset: 1,
                    comment: "The whole text is read before its bytes are checked."),
            invalid("Required.Decode.PumpStatus.CutBeforeLastDigest", ["PW-ENC-2"], type: 0x81, payload: Array(base.dropLast(2)),
                    .lengthMismatch, payloadOffset: 47, comment: "The payload ends inside bolusScheduleDigest."),
            invalid("Required.Decode.PumpStatus.TrailingByte", ["PW-ENC-3"], type: 0x81, payload: base + [0], .lengthMismatch,
                    payloadOffset: base.count, comment: "A byte after the last field."),
        ]
    }

    static var prescription: [VectorCase] {
        let rx = D.prescription
        let base = raw(.prescriptionBlock(rx))
        var atLimit = rx
        atLimit.maxDailyDoseNanograms = 780_000
        var roundsDown = rx
        roundsDown.steps = try! BoundedArray(elements: [
            DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 1000), DayProfileStep(startMinute: 1439, doseRateNanogramsPerDay: 1001),
        ])
        roundsDown.maxDailyDoseNanograms = 1000
        var fixed = rx
        fixed.mode = .fixedRate
        fixed.steps = try! BoundedArray(elements: [rx.steps[0]])
        var ziconotide = rx
        ziconotide.drug = .ziconotide
        ziconotide.concentrationMicrogramsPerMillilitre = 25
        ziconotide.maxDailyDoseNanograms = 19_200
        ziconotide.steps = try! BoundedArray(elements: [
            DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 2400), DayProfileStep(startMinute: 360, doseRateNanogramsPerDay: 3600),
            DayProfileStep(startMinute: 1080, doseRateNanogramsPerDay: 2400),
        ])
        var twoSteps = raw(.prescriptionBlock(rx))
        twoSteps[20] = 2
        twoSteps.removeLast(6)
        return [
            valid("Required.Decode.PrescriptionBlock.WorkedExampleValues", ["PW-RX-1", "PW-RX-2", "PW-RX-3", "PW-RX-7", "PW-RX-8", "PW-RX-9", "PW-REG-1",
                                                                        "PW-ENC-1", "PW-ENC-2", "PW-ENC-3", "PW-ENC-6"],
                  .prescriptionBlock(rx), sequence: 2, comment: "The 3-step morphine profile of spec 2.3 and 9.3."),
            valid("Required.Decode.PrescriptionBlock.FixedRate", ["PW-RX-5"], .prescriptionBlock(fixed), comment: "Fixed rate: one step."),
            valid("Required.Decode.PrescriptionBlock.Ziconotide", ["PW-RX-1"], .prescriptionBlock(ziconotide),
                  comment: "Microgram doses: ziconotide at 25 µg/mL."),
            valid("Required.Decode.PrescriptionBlock.DailyDoseAtLimit", ["PW-RX-9", "PW-UNIT-4", "PW-ENC-4"], .prescriptionBlock(atLimit),
                  comment: "W equals maxDailyDoseNanograms × 1440 exactly: at the limit is within it."),
            valid("Required.Decode.PrescriptionBlock.Steps36OneFrame", ["PW-RX-4", "PW-FRAG-1"], .prescriptionBlock(D.prescription(steps: 36)),
                  comment: "36 steps: a 237-byte payload, still one frame."),
            valid("Required.Decode.PrescriptionBlock.Steps37Fragmented", ["PW-RX-4", "PW-FRAG-1"], .prescriptionBlock(D.prescription(steps: 37)),
                  comment: "37 steps: a 243-byte payload travels in two fragments."),
            invalid("Required.Decode.PrescriptionBlock.DailyDoseOverLimitByRounding", ["PW-RX-9", "PW-UNIT-4", "PW-ENC-4"], type: 0x02,
                    payload: raw(.prescriptionBlock(roundsDown)), .dailyDoseExceedsLimit, payloadOffset: 16,
                    comment: "W = 1440001 exceeds 1000 × 1440 although D3 rounds to 1000: the limit compares exact integers."),
            invalid("Required.Decode.PrescriptionBlock.DailyDoseOverLimit", ["PW-RX-9", "PW-UNIT-4", "PW-ENC-4"], type: 0x02,
                    payload: V.patch(base, at: 16, V.le(779_999, 4)), .dailyDoseExceedsLimit, payloadOffset: 16,
                    comment: "780000 ng/day over a limit of 779999."),
            invalid("Required.Decode.PrescriptionBlock.LengthBeforeDailyDose", ["PW-ENC-3", "PW-ENC-4"], type: 0x02,
                    payload: V.patch(base, at: 16, V.le(1, 4)) + [0], .lengthMismatch, payloadOffset: 39,
                    comment: "A trailing byte and an exceeded limit: the end of the payload is checked first (PW-ENC-4)."),
            invalid("Required.Decode.PrescriptionBlock.DrugZero", ["PW-RX-1", "PW-ENC-7"], type: 0x02, payload: V.patch(base, at: 0, [0]),
                    .fieldOutOfRange, payloadOffset: 0, comment: "Drug code 0 is not listed."),
            invalid("Required.Decode.PrescriptionBlock.DrugNine", ["PW-RX-1", "PW-ENC-7"], type: 0x02, payload: V.patch(base, at: 0, [9]),
                    .fieldOutOfRange, payloadOffset: 0, comment: "Drug code 9 is not listed."),
            invalid("Required.Decode.PrescriptionBlock.ModeZero", ["PW-RX-1", "PW-ENC-7"], type: 0x02, payload: V.patch(base, at: 1, [0]),
                    .fieldOutOfRange, payloadOffset: 1, comment: "Mode 0 is not listed."),
            invalid("Required.Decode.PrescriptionBlock.ModeFour", ["PW-RX-1", "PW-ENC-7"], type: 0x02, payload: V.patch(base, at: 1, [4]),
                    .fieldOutOfRange, payloadOffset: 1, comment: "Mode 4 is not listed."),
            invalid("Required.Decode.PrescriptionBlock.FirstFaultReported", ["PW-ENC-1", "PW-ERR-1"], type: 0x02,
                    payload: V.patch(base, at: 0, [9, 9, 0, 0, 0, 0]), .fieldOutOfRange, payloadOffset: 0,
                    comment: "Drug, mode and concentration are all wrong: the first field read is reported."),
            invalid("Required.Decode.PrescriptionBlock.ThresholdEqualsCapacity", ["PW-RX-3"], type: 0x02,
                    payload: V.patch(base, at: 6, V.le(2000, 4)), .thresholdNotBelowCapacity, payloadOffset: 10,
                    comment: "The threshold must be below the capacity."),
            invalid("Required.Decode.PrescriptionBlock.ThresholdAboveCapacity", ["PW-RX-3"], type: 0x02,
                    payload: V.patch(base, at: 6, V.le(1000, 4) + V.le(1500, 4)), .thresholdNotBelowCapacity, payloadOffset: 10,
                    comment: "The threshold must be below the capacity."),
            invalid("Required.Decode.PrescriptionBlock.stepCount.BelowMinimum", ["PW-RX-4"], type: 0x02, payload: Array(V.patch(base, at: 20, [0]).prefix(21)),
                    .fieldOutOfRange, payloadOffset: 20, comment: "A profile has at least one step."),
            invalid("Required.Decode.PrescriptionBlock.stepCount.AboveMaximum", ["PW-RX-4"], type: 0x02, payload: V.patch(base, at: 20, [49]),
                    .tooManyItems, payloadOffset: 20, comment: "At most 48 steps."),
            invalid("Required.Decode.PrescriptionBlock.StepCount255ShortPayload", ["PW-RX-4", "PW-ENC-2"], type: 0x02,
                    payload: V.patch(base, at: 20, [255]), .tooManyItems, payloadOffset: 20,
                    comment: "The count is checked against its maximum before any step is read."),
            invalid("Required.Decode.PrescriptionBlock.ContinuousWithThreeSteps", ["PW-RX-5"], type: 0x02, payload: V.patch(base, at: 1, [2]),
                    .modeProfileMismatch, payloadOffset: 20, comment: "Continuous mode has exactly one step."),
            invalid("Required.Decode.PrescriptionBlock.FixedRateWithThreeSteps", ["PW-RX-5"], type: 0x02, payload: V.patch(base, at: 1, [1]),
                    .modeProfileMismatch, payloadOffset: 20, comment: "Fixed-rate mode has exactly one step."),
            invalid("Required.Decode.PrescriptionBlock.TimeOfDayWithOneStep", ["PW-RX-5"], type: 0x02,
                    payload: Array(V.patch(base, at: 20, [1]).prefix(27)), .modeProfileMismatch, payloadOffset: 20,
                    comment: "Time-of-day mode has two steps or more."),
            invalid("Required.Decode.PrescriptionBlock.ProfileGap", ["PW-RX-7"], type: 0x02, payload: V.patch(base, at: 21, V.le(60, 2)),
                    .dayProfileGap, payloadOffset: 21, comment: "The first step starts at 01:00: midnight to 01:00 has no rate."),
            invalid("Required.Decode.PrescriptionBlock.ProfileRepeatedStart", ["PW-RX-8"], type: 0x02, payload: V.patch(base, at: 27, V.le(0, 2)),
                    .dayProfileOrder, payloadOffset: 27, comment: "Two steps start at 00:00."),
            invalid("Required.Decode.PrescriptionBlock.ProfileOutOfOrder", ["PW-RX-8"], type: 0x02, payload: V.patch(base, at: 33, V.le(400, 2)),
                    .dayProfileOrder, payloadOffset: 33, comment: "Step 2 starts before step 1."),
            invalid("Required.Decode.PrescriptionBlock.StartMinute1440", ["PW-RX-6", "PW-UNIT-2"], type: 0x02,
                    payload: V.patch(base, at: 33, V.le(1440, 2)), .fieldOutOfRange, payloadOffset: 33, comment: "Minute 1440 is not a minute of day."),
            invalid("Required.Decode.PrescriptionBlock.DoseRateZero", ["PW-RX-6"], type: 0x02, payload: V.patch(base, at: 29, V.le(0, 4)),
                    .fieldOutOfRange, payloadOffset: 29, comment: "A step delivers at least 1 ng/day."),
            invalid("Required.Decode.PrescriptionBlock.CutInsideStepRate", ["PW-ENC-2"], type: 0x02, payload: Array(base.prefix(35)),
                    .lengthMismatch, payloadOffset: 35, comment: "The payload ends inside step 2's rate."),
            invalid("Required.Decode.PrescriptionBlock.CountLargerThanSteps", ["PW-ENC-2"], type: 0x02, payload: V.patch(base, at: 20, [4]),
                    .lengthMismatch, payloadOffset: 39, comment: "Four steps announced, three present."),
            invalid("Required.Decode.PrescriptionBlock.CountSmallerThanSteps", ["PW-ENC-3"], type: 0x02, payload: twoSteps + [0, 0, 0, 0, 0, 0],
                    .lengthMismatch, payloadOffset: 33, comment: "Two steps announced, three present."),
            invalid("Required.Decode.PrescriptionBlock.Empty", ["PW-ENC-2"], type: 0x02, payload: [], .lengthMismatch, payloadOffset: 0,
                    comment: "No fields at all."),
        ]
    }

    static var bolusSchedule: [VectorCase] {
        let full = raw(.bolusSchedule(D.fullBolusSchedule))
        let onlyPriming = BolusSchedule(primingBolus: PrimingBolus(kind: .bridge, volumeMicrolitres: 150, durationMinutes: 60))
        return [
            valid("Required.Decode.BolusSchedule.WorkedExampleValues", ["PW-BOLUS-1", "PW-BOLUS-2", "PW-REG-1"], .bolusSchedule(D.bolusSchedule),
                  sequence: 3, comment: "The schedule of spec 9.4."),
            valid("Required.Decode.BolusSchedule.EveryGroup", ["PW-BOLUS-1", "PW-BOLUS-2", "PW-BOLUS-4", "PW-ENC-5"], .bolusSchedule(D.fullBolusSchedule),
                  comment: "Clinician, priming and patient boluses and two periodic ones."),
            valid("Required.Decode.BolusSchedule.Empty", ["PW-BOLUS-6"], .bolusSchedule(BolusSchedule()), comment: "Clears every bolus: 00 00."),
            valid("Required.Decode.BolusSchedule.BridgeOnly", ["PW-BOLUS-2"], .bolusSchedule(onlyPriming), comment: "A bridge bolus alone."),
            invalid("Required.Decode.BolusSchedule.ReservedFlag", ["PW-BOLUS-1", "PW-ENC-5"], type: 0x03, payload: [0x08, 0x00],
                    .nonCanonical, payloadOffset: 0, comment: "Bit 3 of flags is reserved."),
            invalid("Required.Decode.BolusSchedule.ReservedFlagHigh", ["PW-BOLUS-1", "PW-ENC-5"], type: 0x03, payload: [0x80, 0x00],
                    .nonCanonical, payloadOffset: 0, comment: "Bit 7 of flags is reserved."),
            invalid("Required.Decode.BolusSchedule.PrimingKindZero", ["PW-BOLUS-2", "PW-ENC-7"], type: 0x03, payload: V.patch(full, at: 7, [0]),
                    .fieldOutOfRange, payloadOffset: 7, comment: "Priming kind 0 is not listed."),
            invalid("Required.Decode.BolusSchedule.PrimingKindThree", ["PW-BOLUS-2", "PW-ENC-7"], type: 0x03, payload: V.patch(full, at: 7, [3]),
                    .fieldOutOfRange, payloadOffset: 7, comment: "Priming kind 3 is not listed."),
            invalid("Required.Decode.BolusSchedule.periodicCount.AboveMaximum", ["PW-BOLUS-3"], type: 0x03, payload: [0x00, 9], .tooManyItems,
                    payloadOffset: 1, comment: "At most 8 periodic boluses."),
            invalid("Required.Decode.BolusSchedule.PeriodicCount255", ["PW-BOLUS-3", "PW-ENC-2"], type: 0x03, payload: [0x00, 255],
                    .tooManyItems, payloadOffset: 1, comment: "The count is checked before any bolus is read."),
            invalid("Required.Decode.BolusSchedule.PeriodicOutOfOrder", ["PW-BOLUS-4"], type: 0x03, payload: V.patch(full, at: 30, V.le(360, 2)),
                    .bolusOrder, payloadOffset: 30, comment: "Two periodic boluses at 06:00."),
            invalid("Required.Decode.BolusSchedule.FlagWithoutGroup", ["PW-ENC-2", "PW-ENC-5"], type: 0x03, payload: [0x01, 0x00],
                    .lengthMismatch, payloadOffset: 1, comment: "Bit 0 announces a clinician bolus whose 6 bytes are missing."),
            invalid("Required.Decode.BolusSchedule.MissingCount", ["PW-ENC-2"], type: 0x03, payload: [0x00], .lengthMismatch,
                    payloadOffset: 1, comment: "The periodic count is missing."),
            invalid("Required.Decode.BolusSchedule.TrailingByte", ["PW-ENC-3"], type: 0x03, payload: [0x00, 0x00, 0x00], .lengthMismatch,
                    payloadOffset: 2, comment: "A byte after the empty schedule."),
        ]
    }

    static var refill: [VectorCase] {
        let base = raw(.refillConfirmation(D.refill))
        var never = D.receipt
        never.lowReservoirAlarmTime = WireLimits.never
        return [
            valid("Required.Decode.RefillConfirmation.WorkedExampleValues", ["PW-REFILL-1", "PW-REG-1"], .refillConfirmation(D.refill),
                  sequence: 4, comment: "The refill of spec 9.5."),
            valid("Required.Decode.RefillReceipt.WorkedExampleValues", ["PW-REFILL-3", "PW-REFILL-4", "PW-REG-2"], .refillReceipt(D.receipt),
                  sequence: 4, comment: "The receipt of spec 9.6."),
            valid("Required.Decode.RefillReceipt.AlarmNever", ["PW-REFILL-3", "PW-UNIT-1"], .refillReceipt(never),
                  comment: "0xFFFFFFFF means never."),
            invalid("Required.Decode.RefillConfirmation.DrugZero", ["PW-REFILL-1", "PW-ENC-7"], type: 0x04, payload: V.patch(base, at: 0, [0]),
                    .fieldOutOfRange, payloadOffset: 0, comment: "Drug code 0 is not listed."),
            invalid("Required.Decode.RefillConfirmation.CutShort", ["PW-ENC-2"], type: 0x04, payload: Array(base.prefix(19)),
                    .lengthMismatch, payloadOffset: 17, comment: "The payload ends inside refillTime."),
            invalid("Required.Decode.RefillConfirmation.TrailingByte", ["PW-ENC-3"], type: 0x04, payload: base + [0],
                    .lengthMismatch, payloadOffset: 21, comment: "A byte after refillTime."),
            invalid("Required.Decode.RefillReceipt.TrailingByte", ["PW-ENC-3"], type: 0x84, payload: raw(.refillReceipt(D.receipt)) + [0],
                    .lengthMismatch, payloadOffset: 12, comment: "A byte after lowReservoirAlarmTime."),
        ]
    }

    /// A `zlib` chunk frame built field by field; its data is filler (the decoder does not inflate).
    static func zlibChunk(count: Int, index: Int, imageLength: Int, data: Int) -> [UInt8] {
        let payload: [UInt8] = [1, 1] + V.le(UInt64(index), 2) + V.le(UInt64(count), 2) + V.le(0, 4)
            + V.le(UInt64(imageLength), 4) + V.le(0x1234_5678, 4) + V.le(UInt64(index * 218), 4)
            + (0..<data).map { UInt8(truncatingIfNeeded: 0x78 &+ $0) }
        return V.frame(type: 0x85, payload: payload)
    }

    static func zlibView(count: Int, index: Int, imageLength: Int, data: Int) -> JSONValue {
        .object([("messageType", .string("memoryDumpChunk")), ("typeCode", V.int(133)), ("sequence", V.int(1)),
                 ("authentication", .null), ("message", .object([
                    ("region", .string("eventLog")), ("encoding", .string("zlib")), ("chunkIndex", V.int(index)),
                    ("chunkCount", V.int(count)), ("regionOffset", V.int(0)), ("imageLength", V.int(imageLength)),
                    ("imageCrc32", V.int(0x1234_5678)), ("dataOffset", V.int(index * 218)),
                    ("data", V.hex((0..<data).map { UInt8(truncatingIfNeeded: 0x78 &+ $0) })),
                 ]))])
    }

    static var dump: [VectorCase] {
        let request = raw(.memoryDumpRequest(D.dumpRequest))
        let chunk = raw(.memoryDumpChunk(D.dumpChunk))
        var compressed = D.dumpRequest
        compressed.compressionAllowed = true
        compressed.region = .rawAddress
        compressed.offset = 0x2000_0000
        let image = (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let crc = ZlibCRC32.checksum(image)
        func chunkOf(_ index: Int) -> MemoryDumpChunk {
            let range = (index * 218)..<min(500, index * 218 + 218)
            return MemoryDumpChunk(region: .alarmLog, chunkIndex: UInt16(index), chunkCount: 3, regionOffset: 64, imageLength: 500,
                                   imageCrc32: crc, dataOffset: UInt32(index * 218), data: try! BoundedArray(Array(image[range])))
        }
        return [
            valid("Required.Decode.MemoryDumpRequest.WorkedExampleValues", ["PW-DUMP-1", "PW-REG-1"], .memoryDumpRequest(D.dumpRequest),
                  sequence: 5, comment: "The request of spec 9.7."),
            valid("Required.Decode.MemoryDumpRequest.RawAddressCompressionAllowed", ["PW-DUMP-1"], .memoryDumpRequest(compressed),
                  comment: "Compression allowed; a raw address range."),
            valid("Required.Decode.MemoryDumpChunk.WorkedExampleValues", ["PW-DUMP-3", "PW-DUMP-4", "PW-DUMP-5", "PW-DUMP-6", "PW-DUMP-7"],
                  .memoryDumpChunk(D.dumpChunk), sequence: 5, comment: "The one-chunk image of spec 9.8."),
            valid("Required.Decode.MemoryDumpChunk.FirstOfThree", ["PW-DUMP-6", "PW-DUMP-7"], .memoryDumpChunk(chunkOf(0)),
                  comment: "A full first chunk of 218 bytes."),
            valid("Required.Decode.MemoryDumpChunk.LastOfThree", ["PW-DUMP-6", "PW-DUMP-7"], .memoryDumpChunk(chunkOf(2)),
                  comment: "The last chunk carries the remaining 64 bytes."),
            invalid("Required.Decode.MemoryDumpRequest.RegionZero", ["PW-DUMP-1", "PW-ENC-7"], type: 0x05, payload: V.patch(request, at: 0, [0]),
                    .fieldOutOfRange, payloadOffset: 0, comment: "Region 0 is not listed."),
            invalid("Required.Decode.MemoryDumpRequest.RegionFive", ["PW-DUMP-1", "PW-ENC-7"], type: 0x05, payload: V.patch(request, at: 0, [5]),
                    .fieldOutOfRange, payloadOffset: 0, comment: "Region 5 is not listed."),
            invalid("Required.Decode.MemoryDumpRequest.ReservedFlag", ["PW-DUMP-1", "PW-ENC-5"], type: 0x05, payload: V.patch(request, at: 1, [0x02]),
                    .nonCanonical, payloadOffset: 1, comment: "Bit 1 of flags is reserved."),
            invalid("Required.Decode.MemoryDumpChunk.EncodingTwo", ["PW-DUMP-3", "PW-ENC-7"], type: 0x85, payload: V.patch(chunk, at: 1, [2]),
                    .fieldOutOfRange, payloadOffset: 1, comment: "Encoding 2 is unassigned."),
            V.valid("Required.Decode.MemoryDumpChunk.ZlibShorterThanImage", ["PW-DUMP-3", "PW-DUMP-5", "PW-DUMP-7"], bytes: zlibChunk(count: 2, index: 1, imageLength: 1000, data: 30),
                  decoded: zlibView(count: 2, index: 1, imageLength: 1000, data: 30), messageType: "memoryDumpChunk",
                  comment: "A zlib transfer of 248 bytes for a 1000-byte image: two chunks where raw takes five, the last of 30 bytes."),
            V.valid("Required.Decode.MemoryDumpChunk.ZlibAsLongAsImage", ["PW-DUMP-5", "PW-DUMP-7"], bytes: zlibChunk(count: 1, index: 0, imageLength: 5, data: 5),
                  decoded: zlibView(count: 1, index: 0, imageLength: 5, data: 5), messageType: "memoryDumpChunk",
                  comment: "A zlib transfer may be as long as the image, not longer (PW-DUMP-12)."),
            invalid("Required.Decode.MemoryDumpChunk.ZlibMoreChunksThanRaw", ["PW-DUMP-5", "PW-DUMP-12"], type: 0x85,
                    payload: Array(zlibChunk(count: 6, index: 0, imageLength: 1000, data: 218).dropFirst(9).dropLast(2)),
                    .chunkCountMismatch, payloadOffset: 10, comment: "Six chunks for a 1000-byte image: longer than raw's five."),
            invalid("Required.Decode.MemoryDumpChunk.ZlibLastEmpty", ["PW-DUMP-7"], type: 0x85,
                    payload: Array(zlibChunk(count: 2, index: 1, imageLength: 1000, data: 0).dropFirst(9).dropLast(2)),
                    .chunkSizeMismatch, payloadOffset: 22, comment: "The last chunk of a zlib transfer carries at least one byte."),
            invalid("Required.Decode.MemoryDumpChunk.ZlibLongerThanImage", ["PW-DUMP-7", "PW-DUMP-12"], type: 0x85,
                    payload: Array(zlibChunk(count: 1, index: 0, imageLength: 5, data: 6).dropFirst(9).dropLast(2)),
                    .chunkSizeMismatch, payloadOffset: 22, comment: "Six bytes of zlib transfer for a 5-byte image."),
            invalid("Required.Decode.MemoryDumpChunk.RegionZero", ["PW-DUMP-3"], type: 0x85, payload: V.patch(chunk, at: 0, [0]),
                    .fieldOutOfRange, payloadOffset: 0, comment: "Region 0 is not listed."),
            invalid("Required.Decode.MemoryDumpChunk.IndexEqualsCount", ["PW-DUMP-4"], type: 0x85, payload: V.patch(chunk, at: 2, [1, 0]),
                    .chunkIndexOutOfRange, payloadOffset: 2, comment: "Chunk 1 of 1 does not exist."),
            invalid("Required.Decode.MemoryDumpChunk.CountMismatch", ["PW-DUMP-5"], type: 0x85, payload: V.patch(chunk, at: 4, [2, 0]),
                    .chunkCountMismatch, payloadOffset: 10, comment: "5 bytes take one chunk, not two."),
            invalid("Required.Decode.MemoryDumpChunk.ImagePast4GiB", ["PW-DUMP-9"], type: 0x85,
                    payload: V.patch(chunk, at: 6, [0xFF, 0xFF, 0xFF, 0xFF]), .fieldOutOfRange, payloadOffset: 10,
                    comment: "regionOffset + imageLength is above 2^32."),
            invalid("Required.Decode.MemoryDumpChunk.DataOffsetWrong", ["PW-DUMP-6"], type: 0x85, payload: V.patch(chunk, at: 18, [1]),
                    .chunkOffsetMismatch, payloadOffset: 18, comment: "dataOffset must be chunkIndex × 218."),
            invalid("Required.Decode.MemoryDumpChunk.DataShort", ["PW-DUMP-7"], type: 0x85, payload: Array(chunk.dropLast()),
                    .chunkSizeMismatch, payloadOffset: 22, comment: "4 of the image's 5 bytes."),
            invalid("Required.Decode.MemoryDumpChunk.DataLong", ["PW-DUMP-7"], type: 0x85, payload: chunk + [6],
                    .chunkSizeMismatch, payloadOffset: 22, comment: "6 bytes for a 5-byte image."),
            invalid("Required.Decode.MemoryDumpChunk.FirstOfThreeShort", ["PW-DUMP-7"], type: 0x85,
                    payload: Array(raw(.memoryDumpChunk(chunkOf(0))).dropLast()), .chunkSizeMismatch, payloadOffset: 22,
                    comment: "A chunk that is not the last carries exactly 218 bytes."),
            invalid("Required.Decode.MemoryDumpChunk.HeaderCut", ["PW-ENC-2"], type: 0x85, payload: Array(chunk.prefix(20)),
                    .lengthMismatch, payloadOffset: 18, comment: "The payload ends inside dataOffset."),
        ]
    }

    static var acknowledgements: [VectorCase] {
        var cases: [VectorCase] = [
            valid("Required.Decode.Acknowledgement.WorkedExampleValues", ["PW-ACK-1", "PW-REG-1"], .acknowledgement(D.acknowledgement),
                  sequence: 2, comment: "The acknowledgement of spec 9.9."),
            valid("Required.Decode.Acknowledgement.BolusSchedule", ["PW-ACK-1"], .acknowledgement(Acknowledgement(acknowledgedType: 3, digest: 0x41D9_12FF)),
                  comment: "Acknowledging the empty bolus schedule."),
            valid("Required.Decode.NegativeAcknowledgement.WorkedExampleValues", ["PW-NAK-1", "PW-REG-1"],
                  .negativeAcknowledgement(D.negativeAcknowledgement), sequence: 3, comment: "The refusal of spec 9.10."),
            valid("Required.Decode.NegativeAcknowledgement.UnknownMessageType", ["PW-NAK-1", "PW-ERR-3"],
                  .negativeAcknowledgement(NegativeAcknowledgement(rejectedType: 0x42, errorCode: .unknownMessageType, errorOffset: 3)),
                  comment: "A pump's answer to a type it does not implement."),
            invalid("Required.Decode.NegativeAcknowledgement.CodeZero", ["PW-NAK-1"], type: 0xF1, payload: [0x03, 0, 0, 0xFF, 0xFF],
                    .fieldOutOfRange, payloadOffset: 1, comment: "Code 0 is not in the table."),
            invalid("Required.Decode.NegativeAcknowledgement.CodeTwenty", ["PW-NAK-1"], type: 0xF1, payload: [0x03, 20, 0, 0xFF, 0xFF],
                    .fieldOutOfRange, payloadOffset: 1, comment: "Code 20 is not in the table."),
            invalid("Required.Decode.NegativeAcknowledgement.SessionFinding", ["PW-NAK-1"], type: 0xF1, payload: [0x02, 69, 0, 0xFF, 0xFF],
                    .fieldOutOfRange, payloadOffset: 1, comment: "Session findings (64 to 79) never travel in a refusal."),
            invalid("Required.Decode.NegativeAcknowledgement.CaptureProblem", ["PW-NAK-1"], type: 0xF1, payload: [0x02, 80, 0, 0xFF, 0xFF],
                    .fieldOutOfRange, payloadOffset: 1, comment: "Capture problems (80 to 95) belong to capture readers, never to a refusal."),
            invalid("Required.Decode.NegativeAcknowledgement.Code139", ["PW-NAK-1"], type: 0xF1, payload: [0x03, 139, 0, 0xFF, 0xFF],
                    .fieldOutOfRange, payloadOffset: 1, comment: "Code 139 is not in the table (134 to 138 are the security layer's)."),
            invalid("Required.Decode.NegativeAcknowledgement.Code105", ["PW-NAK-1"], type: 0xF1, payload: [0x03, 105, 0, 0xFF, 0xFF],
                    .fieldOutOfRange, payloadOffset: 1, comment: "Code 105 is not in the table (96 to 104 are the security layer's)."),
            invalid("Required.Decode.Acknowledgement.TypeOne", ["PW-ACK-1"], type: 0xF0, payload: [0x01, 0, 0, 0, 0], .fieldOutOfRange,
                    payloadOffset: 0, comment: "An interrogation is answered by a status, never acknowledged."),
            invalid("Required.Decode.Acknowledgement.TypeFour", ["PW-ACK-1"], type: 0xF0, payload: [0x04, 0, 0, 0, 0], .fieldOutOfRange,
                    payloadOffset: 0, comment: "A refill is answered by a receipt."),
            invalid("Required.Decode.Acknowledgement.CutShort", ["PW-ENC-2"], type: 0xF0, payload: [0x02, 0, 0], .lengthMismatch,
                    payloadOffset: 1, comment: "The digest is cut short."),
            invalid("Required.Decode.Acknowledgement.TrailingByte", ["PW-ENC-3"], type: 0xF0, payload: [0x02, 0, 0, 0, 0, 0],
                    .lengthMismatch, payloadOffset: 5, comment: "A byte after the digest."),
        ]
        // The security layer's acknowledgeable requests (security.md 2), and the codes around them.
        for (type, name) in [(0x06, "PatientBolusRequest"), (0x11, "HandshakeFinish"), (0x12, "DeviceEnrollment"),
                             (0x13, "DeviceRevocation"), (0x14, "SessionClose")] as [(UInt8, String)] {
            cases.append(valid("Required.Decode.Acknowledgement.\(name)", ["PW-ACK-1"],
                               .acknowledgement(Acknowledgement(acknowledgedType: type, digest: type == 0x14 ? 0 : 0x0102_0304)),
                               comment: "An acknowledgement of the security layer's \(name) (0x\(Hex.encode([type])), security.md 2).")
                .covering("PW-ACK-1/each"))
        }
        for (type, why) in [(0x05, "a memory dump is answered by chunks"), (0x07, "0x07 is no request"),
                            (0x10, "a handshakeRequest is answered by a handshakeResponse"), (0x15, "0x15 is no request")] as [(UInt8, String)] {
            cases.append(invalid("Required.Decode.Acknowledgement.Type\(Hex.encode([type]).uppercased())", ["PW-ACK-1"], type: 0xF0,
                                 payload: [type, 0, 0, 0, 0], .fieldOutOfRange, payloadOffset: 0, comment: "acknowledgedType 0x\(Hex.encode([type])): \(why)."))
        }
        // Every code a refusal may carry (all but the session findings, PW-NAK-1).
        for code in (UInt16(1)...UInt16(255)).compactMap({ ErrorCode(rawValue: $0) }).filter({ !$0.isSessionFinding && $0 != .unknownMessageType }) {
            cases.append(valid("Required.Decode.NegativeAcknowledgement.Carries\(code.specName)", ["PW-NAK-1", "PW-NAK-2"],
                               .negativeAcknowledgement(NegativeAcknowledgement(rejectedType: 0x04, errorCode: code, errorOffset: 0)),
                               comment: "A refusal carrying \(code.specName) (\(code.rawValue))."))
        }
        return cases
    }
}
