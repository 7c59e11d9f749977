import PumpWire
import PumpWireCore

/// The systematic fill of spec/cases.txt for the messages of section 9: every value of every
/// enumeration and every flag accepted alone, and for each list of checks, inputs that fail two
/// adjacent checks at once, so that the order of the list is pinned (PW-ENC-1). Expected errors
/// are declared here with the offsets the spec's layout tables give.
extension MessageCases {
    static let drugs: [(Drug, String)] = [
        (.morphine, "Morphine"), (.hydromorphone, "Hydromorphone"), (.baclofen, "Baclofen"), (.ziconotide, "Ziconotide"),
        (.bupivacaine, "Bupivacaine"), (.clonidine, "Clonidine"), (.fentanyl, "Fentanyl"), (.sufentanil, "Sufentanil"),
    ]

    /// An invalid payload made by patching `base`, tagged with the case it pins.
    static func order(
        _ name: String, _ requirements: [String], type: UInt8, _ base: [UInt8], patches: [(Int, [UInt8])], _ code: ErrorCode,
        payloadOffset: Int, case id: String, comment: String
    ) -> VectorCase {
        var payload = base
        for (offset, bytes) in patches { payload = V.patch(payload, at: offset, bytes) }
        return invalid(name, requirements + ["PW-ENC-1"], type: type, payload: payload, code, payloadOffset: payloadOffset, comment: comment)
            .covering(id)
    }

    static var pumpStatusEdges: [VectorCase] {
        let base = raw(.pumpStatus(D.pumpStatus))  // model 0-14, serial 15-26, battery 30, flags 32, reservoir 33, alarms 37, clock 39, digests 43 and 47
        var cases: [VectorCase] = []
        var nothing = D.pumpStatus
        nothing.prescriptionStored = false
        nothing.prescriptionDigest = 0
        cases.append(valid("Required.Decode.PumpStatus.NothingStored", ["PW-STATUS-3", "PW-STATUS-4"], .pumpStatus(nothing),
                           comment: "A pump with no prescription and no bolus schedule: no flag, both digests 0.")
            .covering("PW-STATUS-4/nothing-stored"))
        for (bit, flag) in ["bolusScheduleStored", "deliverySuspended", "electiveReplacementIndicator"].enumerated() {
            var status = nothing
            switch bit {
            case 0:
                status.bolusScheduleStored = true
                status.bolusScheduleDigest = 0x41D9_12FF
            case 1: status.deliverySuspended = true
            default: status.electiveReplacementIndicator = true
            }
            cases.append(valid("Required.Decode.PumpStatus.Only\(flag.prefix(1).uppercased() + flag.dropFirst())", ["PW-STATUS-3", "PW-JSON-3"],
                               .pumpStatus(status), comment: "statusFlags bit \(bit + 1) alone: \(flag).")
                .covering("PW-STATUS-3/flag-\(flag)", bit == 0 ? "PW-STATUS-4/bolus-schedule" : "PW-STATUS-4/nothing-stored"))
        }
        for (bit, name) in ActiveAlarms.names.map(\.value).enumerated() {
            var status = nothing
            status.activeAlarms = ActiveAlarms(rawValue: 1 << bit)
            cases.append(valid("Required.Decode.PumpStatus.Alarm\(name.prefix(1).uppercased() + name.dropFirst())", ["PW-STATUS-3", "PW-JSON-3"],
                               .pumpStatus(status), comment: "activeAlarms bit \(bit) alone: \(name).")
                .covering("PW-STATUS-3/alarm-each"))
        }
        var edges = D.pumpStatus
        edges.model = [UInt8]([0x20, 0x7E]).withUnsafeBytes { raw in try! BoundedText(ascii: raw) }
        cases.append(valid("Required.Decode.PumpStatus.TextPrintableEdges", ["PW-STATUS-1", "PW-ENC-8"], .pumpStatus(edges),
                           comment: "The model is a space and a tilde, 0x20 and 0x7e: the first and last printable bytes.")
            .covering("PW-ENC-8/printable"))
        let nothingRaw = raw(.pumpStatus(nothing))
        cases += [
            invalid("Required.Decode.PumpStatus.ModelUnitSeparator", ["PW-STATUS-1", "PW-ENC-8"], type: 0x81, payload: V.patch(base, at: 1, [0x1F]),
                    .invalidText, payloadOffset: 1, comment: "0x1f is below the printable range.").covering("PW-ENC-8/printable"),
            invalid("Required.Decode.PumpStatus.PrescriptionDigestWithoutPrescription", ["PW-STATUS-4", "PW-ENC-5"], type: 0x81,
                    payload: V.patch(nothingRaw, at: 43, [0x01]), .nonCanonical, payloadOffset: 43,
                    comment: "A prescription digest while prescriptionStored is clear.").covering("PW-STATUS-4/prescription"),
            order("Required.Decode.PumpStatus.Order.PrescriptionDigestFirst", ["PW-STATUS-4"], type: 0x81, nothingRaw,
                  patches: [(43, [1]), (47, [1])], .nonCanonical, payloadOffset: 43, case: "PW-STATUS-4/order",
                  comment: "Both digests nonzero with nothing stored: the prescription's, read first."),
            order("Required.Decode.PumpStatus.Order.ModelBeforeSerial", ["PW-STATUS-1"], type: 0x81, base, patches: [(3, [0x07]), (15, [0])],
                  .invalidText, payloadOffset: 3, case: "PW-STATUS-1/order", comment: "A control character in the model and a serial of length 0."),
            order("Required.Decode.PumpStatus.Order.BatteryBeforeFlags", ["PW-STATUS-2", "PW-STATUS-3"], type: 0x81, base,
                  patches: [(30, V.le(5001, 2)), (32, [0x11])], .fieldOutOfRange, payloadOffset: 30, case: "PW-STATUS-2/order",
                  comment: "5001 mV and a reserved status flag: the battery, read first."),
            order("Required.Decode.PumpStatus.Order.FlagsBeforeReservoir", ["PW-STATUS-3", "PW-STATUS-2"], type: 0x81, base,
                  patches: [(32, [0x81]), (33, V.le(60_001, 4))], .nonCanonical, payloadOffset: 32, case: "PW-STATUS-2/order",
                  comment: "A reserved status flag and 60001 µL: the flags, read first."),
            order("Required.Decode.PumpStatus.Order.ReservoirBeforeAlarms", ["PW-STATUS-2", "PW-STATUS-3"], type: 0x81, base,
                  patches: [(33, V.le(60_001, 4)), (38, [0x01])], .fieldOutOfRange, payloadOffset: 33, case: "PW-STATUS-2/order",
                  comment: "60001 µL and a reserved alarm bit: the reservoir, read first."),
            order("Required.Decode.PumpStatus.Order.AlarmsBeforeClock", ["PW-STATUS-3", "PW-STATUS-2"], type: 0x81, base,
                  patches: [(38, [0x80]), (39, V.le(0xFFFF_FFFF, 4))], .nonCanonical, payloadOffset: 37, case: "PW-STATUS-2/order",
                  comment: "A reserved alarm bit and the clock 0xffffffff: the alarms, read first."),
            order("Required.Decode.PumpStatus.Order.ClockBeforeDigest", ["PW-STATUS-2", "PW-STATUS-4"], type: 0x81, base,
                  patches: [(39, V.le(0xFFFF_FFFF, 4)), (47, [0x01])], .fieldOutOfRange, payloadOffset: 39, case: "PW-STATUS-2/order",
                  comment: "The clock 0xffffffff and a bolus digest with no schedule: the clock, read first."),
            order("Required.Decode.PumpStatus.Order.DigestBeforeTrailing", ["PW-STATUS-4", "PW-ENC-3"], type: 0x81, base + [0],
                  patches: [(47, [0x01])], .nonCanonical, payloadOffset: 47, case: "PW-STATUS-4/order",
                  comment: "A bolus digest with no schedule and a trailing byte: the last field's check comes before the end."),
        ]
        return cases
    }

    static var prescriptionEdges: [VectorCase] {
        let base = raw(.prescriptionBlock(D.prescription))  // drug 0, mode 1, c 2, capacity 6, threshold 10, catheter 14, max 16, count 20, steps 21
        var cases: [VectorCase] = []
        for (drug, name) in drugs where drug != .morphine {
            var rx = D.prescription
            rx.drug = drug
            cases.append(valid("Required.Decode.PrescriptionBlock.Drug\(name)", ["PW-RX-1", "PW-JSON-3"], .prescriptionBlock(rx),
                               comment: "Drug code \(drug.rawValue), \(name.lowercased()).").covering("PW-RX-1/drug-each"))
        }
        var continuous = D.prescription
        continuous.mode = .continuous
        continuous.steps = try! BoundedArray(elements: [DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 600_000)])
        cases.append(valid("Required.Decode.PrescriptionBlock.Continuous", ["PW-RX-1", "PW-RX-5", "PW-JSON-3"], .prescriptionBlock(continuous),
                           comment: "Continuous mode: one rate all day.").covering("PW-RX-1/mode-each", "PW-RX-5/continuous"))
        cases += [
            invalid("Required.Decode.PrescriptionBlock.ContinuousWithTwoSteps", ["PW-RX-5"], type: 0x02,
                    payload: Array(V.patch(base, at: 1, [2]).prefix(33)) .enumerated().map { $0.offset == 20 ? 2 : $0.element },
                    .modeProfileMismatch, payloadOffset: 20, comment: "Continuous mode has exactly one step, not two.").covering("PW-RX-5/continuous"),
            invalid("Required.Decode.PrescriptionBlock.FixedRateWithTwoSteps", ["PW-RX-5"], type: 0x02,
                    payload: Array(V.patch(base, at: 1, [1]).prefix(33)).enumerated().map { $0.offset == 20 ? 2 : $0.element },
                    .modeProfileMismatch, payloadOffset: 20, comment: "Fixed-rate mode has exactly one step, not two.").covering("PW-RX-5/fixedRate"),
            order("Required.Decode.PrescriptionBlock.Order.ConcentrationBeforeCapacity", ["PW-RX-2"], type: 0x02, base,
                  patches: [(2, V.le(0, 4)), (6, V.le(999, 4))], .fieldOutOfRange, payloadOffset: 2, case: "PW-RX-2/order",
                  comment: "Concentration 0 and capacity 999 µL: the concentration, read first."),
            order("Required.Decode.PrescriptionBlock.Order.CapacityBeforeThreshold", ["PW-RX-2"], type: 0x02, base,
                  patches: [(6, V.le(60_001, 4)), (10, V.le(499, 4))], .fieldOutOfRange, payloadOffset: 6, case: "PW-RX-2/order",
                  comment: "Capacity 60001 µL and threshold 499 µL: the capacity."),
            order("Required.Decode.PrescriptionBlock.Order.ThresholdBeforeCatheter", ["PW-RX-2"], type: 0x02, base,
                  patches: [(10, V.le(499, 4)), (14, V.le(2001, 2))], .fieldOutOfRange, payloadOffset: 10, case: "PW-RX-2/order",
                  comment: "Threshold 499 µL and catheter 2001 µL: the threshold."),
            order("Required.Decode.PrescriptionBlock.Order.CatheterBeforeLimit", ["PW-RX-2"], type: 0x02, base,
                  patches: [(14, V.le(2001, 2)), (16, V.le(0, 4))], .fieldOutOfRange, payloadOffset: 14, case: "PW-RX-2/order",
                  comment: "Catheter 2001 µL and a limit of 0: the catheter."),
            order("Required.Decode.PrescriptionBlock.Order.LimitBeforeStepCount", ["PW-RX-2", "PW-RX-4"], type: 0x02, base,
                  patches: [(16, V.le(0, 4)), (20, [0])], .fieldOutOfRange, payloadOffset: 16, case: "PW-RX-2/order",
                  comment: "A limit of 0 and no steps: the limit."),
            order("Required.Decode.PrescriptionBlock.Order.ThresholdRangeBeforeCapacityRule", ["PW-RX-2", "PW-RX-3"], type: 0x02, base,
                  patches: [(6, V.le(10_000, 4)), (10, V.le(10_001, 4))], .fieldOutOfRange, payloadOffset: 10, case: "PW-RX-3/order-range",
                  comment: "Threshold 10001 µL, above its range and not below the 10000 µL capacity: the range comes first."),
            order("Required.Decode.PrescriptionBlock.Order.RangeBeforeGap", ["PW-RX-6", "PW-RX-7"], type: 0x02, base,
                  patches: [(21, V.le(1440, 2))], .fieldOutOfRange, payloadOffset: 21, case: "PW-RX-6/order-range-gap",
                  comment: "The first step starts at 1440: out of range before it is a gap."),
            order("Required.Decode.PrescriptionBlock.Order.OrderBeforeRate", ["PW-RX-8", "PW-RX-6"], type: 0x02, base,
                  patches: [(27, V.le(0, 2)), (29, V.le(0, 4))], .dayProfileOrder, payloadOffset: 27, case: "PW-RX-6/order-order-rate",
                  comment: "Step 1 starts at 00:00 again and has a rate of 0: its start is read and checked before its rate."),
            order("Required.Decode.PrescriptionBlock.Order.RateBeforeTrailing", ["PW-RX-6", "PW-ENC-3"], type: 0x02, base + [0],
                  patches: [(35, V.le(0, 4))], .fieldOutOfRange, payloadOffset: 35, case: "PW-RX-2/order",
                  comment: "The last rate is 0 and a byte follows: the last field before the end."),
        ]
        return cases
    }

    static var bolusScheduleEdges: [VectorCase] {
        let full = raw(.bolusSchedule(D.fullBolusSchedule))  // clinician 1, priming 7, patient 12, count 21, periodic 22 and 30
        var periodicThree: [UInt8] = []
        for start: UInt64 in [100, 500, 300] { periodicThree += V.le(start, 2) + V.le(40_000, 4) + V.le(10, 2) }
        let clinician = BolusSchedule(clinicianBolus: ClinicianBolus(doseNanograms: 100_000, durationMinutes: 10))
        let catheter = BolusSchedule(primingBolus: PrimingBolus(kind: .catheter, volumeMicrolitres: 150, durationMinutes: 15))
        let patient = BolusSchedule(patientBolus: PatientBolus(doseNanograms: 25_000, durationMinutes: 10, lockoutMinutes: 15, maxPerDay: 24))
        let midnight = BolusSchedule(periodicBoluses: try! BoundedArray(elements: [
            PeriodicBolus(startMinute: 0, doseNanograms: 40_000, durationMinutes: 60), PeriodicBolus(startMinute: 1439, doseNanograms: 40_000, durationMinutes: 1),
        ]))
        return [
            valid("Required.Decode.BolusSchedule.ClinicianOnly", ["PW-BOLUS-1", "PW-BOLUS-2"], .bolusSchedule(clinician),
                  comment: "A clinician bolus alone: flags 0x01.").covering("PW-BOLUS-1/group-each"),
            valid("Required.Decode.BolusSchedule.CatheterOnly", ["PW-BOLUS-1", "PW-BOLUS-2"], .bolusSchedule(catheter),
                  comment: "A catheter priming bolus alone: flags 0x02.").covering("PW-BOLUS-1/group-each", "PW-BOLUS-2/kind-each"),
            valid("Required.Decode.BolusSchedule.PatientOnly", ["PW-BOLUS-1", "PW-BOLUS-2"], .bolusSchedule(patient),
                  comment: "A patient bolus alone, with the shortest lockout and the most a day: flags 0x04.").covering("PW-BOLUS-1/group-each"),
            valid("Required.Decode.BolusSchedule.PeriodicAtMidnight", ["PW-BOLUS-4", "PW-UNIT-2"], .bolusSchedule(midnight),
                  comment: "Periodic boluses at 00:00 and 23:59: the first has nothing before it to follow.").covering("PW-BOLUS-4/first-at-midnight"),
            order("Required.Decode.BolusSchedule.Order.ClinicianDoseBeforeDuration", ["PW-BOLUS-2"], type: 0x03, full,
                  patches: [(1, V.le(0, 4)), (5, V.le(0, 2))], .fieldOutOfRange, payloadOffset: 1, case: "PW-BOLUS-2/order",
                  comment: "A clinician bolus of 0 ng over 0 minutes: the dose, read first."),
            order("Required.Decode.BolusSchedule.Order.KindBeforeVolume", ["PW-BOLUS-2"], type: 0x03, full,
                  patches: [(7, [0]), (8, V.le(0, 2))], .fieldOutOfRange, payloadOffset: 7, case: "PW-BOLUS-2/order",
                  comment: "Priming kind 0 and a volume of 0: the kind."),
            order("Required.Decode.BolusSchedule.Order.VolumeBeforeDuration", ["PW-BOLUS-2"], type: 0x03, full,
                  patches: [(8, V.le(2001, 2)), (10, V.le(1441, 2))], .fieldOutOfRange, payloadOffset: 8, case: "PW-BOLUS-2/order",
                  comment: "A priming volume of 2001 µL over 1441 minutes: the volume."),
            order("Required.Decode.BolusSchedule.Order.LockoutBeforeMaximum", ["PW-BOLUS-2"], type: 0x03, full,
                  patches: [(18, V.le(14, 2)), (20, [0])], .fieldOutOfRange, payloadOffset: 18, case: "PW-BOLUS-2/order",
                  comment: "A 14-minute lockout and at most 0 a day: the lockout."),
            order("Required.Decode.BolusSchedule.Order.MaximumBeforeCount", ["PW-BOLUS-2", "PW-BOLUS-3"], type: 0x03, full,
                  patches: [(20, [25]), (21, [9])], .fieldOutOfRange, payloadOffset: 20, case: "PW-BOLUS-2/order",
                  comment: "25 patient boluses a day and 9 periodic ones: maxPerDay, read first."),
            order("Required.Decode.BolusSchedule.Order.StartOrderBeforeDose", ["PW-BOLUS-4", "PW-BOLUS-2"], type: 0x03, full,
                  patches: [(30, V.le(300, 2)), (32, V.le(0, 4))], .bolusOrder, payloadOffset: 30, case: "PW-BOLUS-4/order-order-dose",
                  comment: "The second periodic bolus starts before the first and has a dose of 0: its start, read first."),
            invalid("Required.Decode.BolusSchedule.PeriodicComparedWithTheOneBefore", ["PW-BOLUS-4"], type: 0x03,
                    payload: [0x00, 3] + periodicThree, .bolusOrder, payloadOffset: 18,
                    comment: "Starts 100, 500, 300: the third is after the first but before the one before it."),
            order("Required.Decode.BolusSchedule.Order.FlagsBeforeGroup", ["PW-BOLUS-1", "PW-ENC-2"], type: 0x03, [0x09, 0x00],
                  patches: [], .nonCanonical, payloadOffset: 0, case: "PW-BOLUS-2/order",
                  comment: "A reserved flag, and a clinician bolus announced but missing: the flags."),
        ]
    }

    static var refillEdges: [VectorCase] {
        let base = raw(.refillConfirmation(D.refill))  // drug 0, c 1, withdrawn 5, added 9, resulting 13, time 17
        var cases: [VectorCase] = []
        for (drug, name) in drugs {
            var refill = D.refill
            refill.drug = drug
            cases.append(valid("Required.Decode.RefillConfirmation.Drug\(name)", ["PW-REFILL-1", "PW-JSON-3"], .refillConfirmation(refill),
                               comment: "Drug code \(drug.rawValue), \(name.lowercased()).").covering("PW-REFILL-1/drug-each"))
        }
        cases += [
            order("Required.Decode.RefillConfirmation.Order.DrugBeforeConcentration", ["PW-REFILL-1"], type: 0x04, base,
                  patches: [(0, [9]), (1, V.le(0, 4))], .fieldOutOfRange, payloadOffset: 0, case: "PW-REFILL-1/order",
                  comment: "Drug 9 and concentration 0: the drug."),
            order("Required.Decode.RefillConfirmation.Order.ConcentrationBeforeWithdrawn", ["PW-REFILL-1"], type: 0x04, base,
                  patches: [(1, V.le(100_001, 4)), (5, V.le(60_001, 4))], .fieldOutOfRange, payloadOffset: 1, case: "PW-REFILL-1/order",
                  comment: "Concentration 100001 and 60001 µL withdrawn: the concentration."),
            order("Required.Decode.RefillConfirmation.Order.WithdrawnBeforeAdded", ["PW-REFILL-1"], type: 0x04, base,
                  patches: [(5, V.le(60_001, 4)), (9, V.le(60_001, 4))], .fieldOutOfRange, payloadOffset: 5, case: "PW-REFILL-1/order",
                  comment: "60001 µL withdrawn and 60001 µL added: withdrawn."),
            order("Required.Decode.RefillConfirmation.Order.AddedBeforeResulting", ["PW-REFILL-1"], type: 0x04, base,
                  patches: [(9, V.le(60_001, 4)), (13, V.le(60_001, 4))], .fieldOutOfRange, payloadOffset: 9, case: "PW-REFILL-1/order",
                  comment: "60001 µL added and 60001 µL resulting: added."),
            order("Required.Decode.RefillConfirmation.Order.ResultingBeforeTime", ["PW-REFILL-1", "PW-UNIT-1"], type: 0x04, base,
                  patches: [(13, V.le(60_001, 4)), (17, V.le(0xFFFF_FFFF, 4))], .fieldOutOfRange, payloadOffset: 13, case: "PW-REFILL-1/order",
                  comment: "60001 µL resulting and refillTime 0xffffffff: resulting."),
        ]
        return cases
    }

    static var dumpEdges: [VectorCase] {
        let request = raw(.memoryDumpRequest(D.dumpRequest))  // region 0, flags 1, offset 2, length 6
        let chunk = raw(.memoryDumpChunk(D.dumpChunk))  // region 0, encoding 1, index 2, count 4, regionOffset 6, length 10, crc 14, dataOffset 18, data 22
        var cases: [VectorCase] = []
        for (region, name) in [(MemoryRegion.alarmLog, "AlarmLog"), (.therapyHistory, "TherapyHistory")] {
            var asked = D.dumpRequest
            asked.region = region
            cases.append(valid("Required.Decode.MemoryDumpRequest.Region\(name)", ["PW-DUMP-1", "PW-JSON-3"], .memoryDumpRequest(asked),
                               comment: "Region \(region.rawValue).").covering("PW-DUMP-1/region-each"))
        }
        for (region, name) in [(MemoryRegion.therapyHistory, "TherapyHistory"), (.rawAddress, "RawAddress")] {
            var answer = D.dumpChunk
            answer.region = region
            cases.append(valid("Required.Decode.MemoryDumpChunk.Region\(name)", ["PW-DUMP-3", "PW-JSON-3"], .memoryDumpChunk(answer),
                               comment: "Region \(region.rawValue).").covering("PW-DUMP-3/region-each"))
        }
        cases += [
            valid("Required.Decode.MemoryDumpChunk.TwoFullChunks", ["PW-DUMP-5", "PW-DUMP-7"], .memoryDumpChunk(MemoryDumpChunk(
                region: .eventLog, chunkIndex: 1, chunkCount: 2, regionOffset: 0, imageLength: 436, imageCrc32: 0,
                dataOffset: 218, data: try! BoundedArray([UInt8](repeating: 0x33, count: 218)))),
                  comment: "436 bytes, exactly 2 × 218, in 2 raw chunks: the last carries 218.").covering("PW-DUMP-5/ceiling"),
            valid("Required.Decode.MemoryDumpChunk.OneByteMoreThreeChunks", ["PW-DUMP-5", "PW-DUMP-7"], .memoryDumpChunk(MemoryDumpChunk(
                region: .eventLog, chunkIndex: 2, chunkCount: 3, regionOffset: 0, imageLength: 437, imageCrc32: 0,
                dataOffset: 436, data: try! BoundedArray([0x33]))),
                  comment: "437 bytes in 3 raw chunks: the last carries 1.").covering("PW-DUMP-5/ceiling"),
            order("Required.Decode.MemoryDumpChunk.TwoFullChunksInThree", ["PW-DUMP-5"], type: 0x85, chunk,
                  patches: [(4, V.le(3, 2)), (10, V.le(436, 4))], .chunkCountMismatch, payloadOffset: 10, case: "PW-DUMP-5/ceiling",
                  comment: "436 bytes in 3 raw chunks: ceil, not floor + 1."),
            V.valid("Required.Decode.MemoryDumpChunk.ZlibLastOneByte", ["PW-DUMP-7", "PW-DUMP-5"],
                    bytes: zlibChunk(count: 2, index: 1, imageLength: 1000, data: 1), decoded: zlibView(count: 2, index: 1, imageLength: 1000, data: 1),
                    messageType: "memoryDumpChunk", comment: "The last chunk of a zlib transfer may carry a single byte.").covering("PW-DUMP-7/zlib-last"),
            order("Required.Decode.MemoryDumpRequest.Order.RegionBeforeFlags", ["PW-DUMP-1"], type: 0x05, request,
                  patches: [(0, [0, 0x02])], .fieldOutOfRange, payloadOffset: 0, case: "PW-DUMP-1/order",
                  comment: "Region 0 and a reserved flag: the region."),
            order("Required.Decode.MemoryDumpRequest.Order.FlagsBeforeLength", ["PW-DUMP-1"], type: 0x05, request,
                  patches: [(1, [0x80]), (6, V.le(0, 4))], .nonCanonical, payloadOffset: 1, case: "PW-DUMP-1/order",
                  comment: "A reserved flag and a length of 0: the flags."),
            order("Required.Decode.MemoryDumpChunk.Order.RegionBeforeEncoding", ["PW-DUMP-3"], type: 0x85, chunk,
                  patches: [(0, [5, 2])], .fieldOutOfRange, payloadOffset: 0, case: "PW-DUMP-3/order",
                  comment: "Region 5 and encoding 2: the region."),
            order("Required.Decode.MemoryDumpChunk.Order.EncodingBeforeCount", ["PW-DUMP-3"], type: 0x85, chunk,
                  patches: [(1, [2]), (4, V.le(0, 2))], .fieldOutOfRange, payloadOffset: 1, case: "PW-DUMP-3/order",
                  comment: "Encoding 2 and chunkCount 0: the encoding."),
            order("Required.Decode.MemoryDumpChunk.Order.CountRangeBeforeIndex", ["PW-DUMP-3", "PW-DUMP-4"], type: 0x85, chunk,
                  patches: [(4, V.le(0, 2))], .fieldOutOfRange, payloadOffset: 4, case: "PW-DUMP-3/order",
                  comment: "chunkCount 0, so index 0 is not below it either: the count's range comes first."),
            order("Required.Decode.MemoryDumpChunk.Order.IndexBeforeImageLength", ["PW-DUMP-4", "PW-DUMP-3"], type: 0x85, chunk,
                  patches: [(2, V.le(1, 2)), (10, V.le(0, 4))], .chunkIndexOutOfRange, payloadOffset: 2, case: "PW-DUMP-3/order",
                  comment: "Chunk 1 of 1 and imageLength 0: the index, checked when chunkCount is read."),
            order("Required.Decode.MemoryDumpChunk.Order.AddressSpaceBeforeCount", ["PW-DUMP-9", "PW-DUMP-5"], type: 0x85, chunk,
                  patches: [(6, V.le(0xFFFF_FF00, 4)), (10, V.le(0x200, 4))], .fieldOutOfRange, payloadOffset: 10, case: "PW-DUMP-3/order",
                  comment: "512 bytes at 0xffffff00 run past 2^32, and 1 chunk cannot hold them: PW-DUMP-9 before PW-DUMP-5."),
            order("Required.Decode.MemoryDumpChunk.Order.CountBeforeDataOffset", ["PW-DUMP-5", "PW-DUMP-6"], type: 0x85, chunk,
                  patches: [(10, V.le(300, 4)), (18, V.le(1, 4))], .chunkCountMismatch, payloadOffset: 10, case: "PW-DUMP-3/order",
                  comment: "300 bytes in 1 raw chunk, and dataOffset 1: the count."),
            order("Required.Decode.MemoryDumpChunk.Order.DataOffsetBeforeSize", ["PW-DUMP-6", "PW-DUMP-7"], type: 0x85, chunk + [6],
                  patches: [(18, V.le(1, 4))], .chunkOffsetMismatch, payloadOffset: 18, case: "PW-DUMP-3/order",
                  comment: "dataOffset 1 and 6 data bytes for a 5-byte image: the offset."),
            order("Required.Decode.MemoryDumpChunk.Order.RegionBeforeCut", ["PW-DUMP-3", "PW-ENC-2"], type: 0x85, Array(chunk.prefix(5)),
                  patches: [(0, [0])], .fieldOutOfRange, payloadOffset: 0, case: "PW-DUMP-3/order",
                  comment: "Region 0 in a payload that ends inside chunkCount: the region, read first."),
        ]
        return cases
    }

    static var acknowledgementEdges: [VectorCase] {
        [
            order("Required.Decode.Acknowledgement.Order.TypeBeforeCut", ["PW-ACK-1", "PW-ENC-2"], type: 0xF0, [0x04, 0, 0], patches: [],
                  .fieldOutOfRange, payloadOffset: 0, case: "PW-ACK-1/order", comment: "acknowledgedType 4 and a digest cut short: the type."),
            invalid("Required.Decode.NegativeAcknowledgement.FirstSessionFinding", ["PW-NAK-1"], type: 0xF1, payload: [0x02, 64, 0, 0xFF, 0xFF],
                    .fieldOutOfRange, payloadOffset: 1, comment: "SEQUENCE_GAP (64), the first session finding, never travels in a refusal."),
            invalid("Required.Decode.NegativeAcknowledgement.LastSessionFinding", ["PW-NAK-1"], type: 0xF1, payload: [0x02, 75, 0, 0xFF, 0xFF],
                    .fieldOutOfRange, payloadOffset: 1, comment: "ENCODING_NOT_ALLOWED (75), the last session finding, never travels in a refusal."),
            order("Required.Decode.NegativeAcknowledgement.Order.CodeBeforeOffset", ["PW-NAK-1"], type: 0xF1, [0x03, 0, 0, 0x00, 0x04], patches: [],
                  .fieldOutOfRange, payloadOffset: 1, case: "PW-NAK-1/order", comment: "Code 0 and errorOffset 1024: the code."),
        ]
    }
}
