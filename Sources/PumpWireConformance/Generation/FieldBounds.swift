import PumpWire
import PumpWireCore

/// One value of one field: what the decoder and the encoder must do with it.
public struct FieldCase: Sendable {
    public var name: String
    public var message: Message
    /// nil when the value is valid; otherwise the error, with its payload offset.
    public var expected: PumpWireError?
    /// The spec requirements the field's range comes from.
    public var requirements: [String]
}

/// The four cases of a ranged field: minimum and maximum accepted, one past each rejected
/// (where one past is representable in the field's width).
public func boundaryCases<M: WireMessage>(
    _ field: String, _ requirements: [String], of base: M, as wrap: @escaping (M) -> Message, at offset: Int,
    range: ClosedRange<UInt64>, width: UInt64, code: ErrorCode = .fieldOutOfRange,
    prepare: (inout M) -> Void = { _ in }, set: (inout M, UInt64) -> Void
) -> [FieldCase] {
    var cases: [FieldCase] = []
    func add(_ label: String, _ value: UInt64, _ error: PumpWireError?) {
        var message = base
        prepare(&message)
        set(&message, value)
        cases.append(FieldCase(name: "\(M.self).\(field).\(label)", message: wrap(message), expected: error, requirements: requirements))
    }
    add("Minimum", range.lowerBound, nil)
    add("Maximum", range.upperBound, nil)
    if range.lowerBound > 0 { add("BelowMinimum", range.lowerBound - 1, PumpWireError(code, at: offset)) }
    if range.upperBound < width { add("AboveMaximum", range.upperBound + 1, PumpWireError(code, at: offset)) }
    return cases
}

private let u8: UInt64 = 0xFF, u16: UInt64 = 0xFFFF, u32: UInt64 = 0xFFFF_FFFF

/// Every ranged field at its minimum, its maximum, and one past each (issue: boundary coverage).
public enum RangeCases {
    public static let prescription: [FieldCase] = {
        let rx = DeclaredMessages.prescription
        let wrap = { Message.prescriptionBlock($0) }
        // A flat profile whose daily dose is far below any limit, so only the field under test fails.
        let lowDose: (inout PrescriptionBlock) -> Void = { m in
            m.steps = try! BoundedArray(elements: [
                DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 1), DayProfileStep(startMinute: 720, doseRateNanogramsPerDay: 1),
            ])
        }
        var cases: [FieldCase] = []
        cases += boundaryCases("drug", ["PW-RX-1", "PW-ENC-7"], of: rx, as: wrap, at: 0, range: 1...8, width: u8) { $0.drug = Drug(rawValue: UInt8($1)) ?? .morphine }
            .filter { $0.expected == nil }
        cases += boundaryCases("concentrationMicrogramsPerMillilitre", ["PW-RX-2"], of: rx, as: wrap, at: 2, range: 1...100_000, width: u32, prepare: lowDose) {
            $0.concentrationMicrogramsPerMillilitre = UInt32($1)
        }
        cases += boundaryCases("reservoirCapacityMicrolitres", ["PW-RX-2"], of: rx, as: wrap, at: 6, range: 1_000...60_000, width: u32,
                               prepare: { $0.lowReservoirThresholdMicrolitres = 500 }) { $0.reservoirCapacityMicrolitres = UInt32($1) }
        cases += boundaryCases("lowReservoirThresholdMicrolitres", ["PW-RX-2"], of: rx, as: wrap, at: 10, range: 500...10_000, width: u32) {
            $0.lowReservoirThresholdMicrolitres = UInt32($1)
        }
        cases += boundaryCases("catheterVolumeMicrolitres", ["PW-RX-2"], of: rx, as: wrap, at: 14, range: 0...2_000, width: u16) {
            $0.catheterVolumeMicrolitres = UInt16($1)
        }
        cases += boundaryCases("maxDailyDoseNanograms", ["PW-RX-2"], of: rx, as: wrap, at: 16, range: 1...1_000_000_000, width: u32, prepare: lowDose) {
            $0.maxDailyDoseNanograms = UInt32($1)
        }
        // 0 on the first step (it must be), 1439 and 1440 on the last.
        cases += boundaryCases("startMinute", ["PW-RX-6", "PW-UNIT-2"], of: rx, as: wrap, at: 33, range: 0...1439, width: u16) {
            if $1 == 0 { $0.steps[0].startMinute = 0 } else { $0.steps[2].startMinute = UInt16($1) }
        }
        cases += boundaryCases("doseRateNanogramsPerDay", ["PW-RX-6"], of: rx, as: wrap, at: 23, range: 1...1_000_000_000, width: u32,
                               prepare: { $0.maxDailyDoseNanograms = 1_000_000_000 }) {
            $0.steps[0].doseRateNanogramsPerDay = UInt32($1)
        }
        // stepCount: 1 and 48 accepted (with a mode that allows them), 0 and 49 rejected.
        var one = rx
        one.mode = .continuous
        one.steps = try! BoundedArray(elements: [rx.steps[0]])
        cases.append(FieldCase(name: "PrescriptionBlock.stepCount.Minimum", message: wrap(one), expected: nil, requirements: ["PW-RX-4", "PW-RX-5"]))
        cases.append(FieldCase(name: "PrescriptionBlock.stepCount.Maximum", message: wrap(DeclaredMessages.prescription(steps: 48)), expected: nil, requirements: ["PW-RX-4", "PW-FRAG-1"]))
        return cases
    }()

    public static let bolusSchedule: [FieldCase] = {
        let bolus = DeclaredMessages.fullBolusSchedule
        let wrap = { Message.bolusSchedule($0) }
        var cases: [FieldCase] = []
        cases += boundaryCases("clinicianBolus.doseNanograms", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 1, range: 1...100_000_000, width: u32) {
            $0.clinicianBolus!.doseNanograms = UInt32($1)
        }
        cases += boundaryCases("clinicianBolus.durationMinutes", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 5, range: 1...1440, width: u16) {
            $0.clinicianBolus!.durationMinutes = UInt16($1)
        }
        cases += boundaryCases("primingBolus.volumeMicrolitres", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 8, range: 1...2000, width: u16) {
            $0.primingBolus!.volumeMicrolitres = UInt16($1)
        }
        cases += boundaryCases("primingBolus.durationMinutes", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 10, range: 1...1440, width: u16) {
            $0.primingBolus!.durationMinutes = UInt16($1)
        }
        cases += boundaryCases("patientBolus.doseNanograms", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 12, range: 1...100_000_000, width: u32) {
            $0.patientBolus!.doseNanograms = UInt32($1)
        }
        cases += boundaryCases("patientBolus.durationMinutes", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 16, range: 1...1440, width: u16) {
            $0.patientBolus!.durationMinutes = UInt16($1)
        }
        cases += boundaryCases("patientBolus.lockoutMinutes", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 18, range: 15...1440, width: u16) {
            $0.patientBolus!.lockoutMinutes = UInt16($1)
        }
        cases += boundaryCases("patientBolus.maxPerDay", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 20, range: 1...24, width: u8) {
            $0.patientBolus!.maxPerDay = UInt8($1)
        }
        cases += boundaryCases("periodicBoluses.startMinute", ["PW-BOLUS-2", "PW-UNIT-2"], of: bolus, as: wrap, at: 22, range: 0...1439, width: u16,
                               prepare: { m in m.periodicBoluses = try! BoundedArray(elements: [m.periodicBoluses[0]]) }) {
            $0.periodicBoluses[0].startMinute = UInt16($1)
        }
        cases += boundaryCases("periodicBoluses.doseNanograms", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 24, range: 1...100_000_000, width: u32) {
            $0.periodicBoluses[0].doseNanograms = UInt32($1)
        }
        cases += boundaryCases("periodicBoluses.durationMinutes", ["PW-BOLUS-2"], of: bolus, as: wrap, at: 28, range: 1...1440, width: u16) {
            $0.periodicBoluses[0].durationMinutes = UInt16($1)
        }
        var eight = bolus
        eight.periodicBoluses = try! BoundedArray(elements: (0..<8).map {
            PeriodicBolus(startMinute: UInt16($0 * 180), doseNanograms: 1000, durationMinutes: 10)
        })
        cases.append(FieldCase(name: "BolusSchedule.periodicCount.Maximum", message: wrap(eight), expected: nil, requirements: ["PW-BOLUS-3"]))
        cases.append(FieldCase(name: "BolusSchedule.periodicCount.Minimum", message: wrap(BolusSchedule()), expected: nil, requirements: ["PW-BOLUS-3", "PW-BOLUS-6"]))
        return cases
    }()

    public static let refill: [FieldCase] = {
        let refill = DeclaredMessages.refill
        let wrap = { Message.refillConfirmation($0) }
        var cases: [FieldCase] = []
        cases += boundaryCases("concentrationMicrogramsPerMillilitre", ["PW-REFILL-1"], of: refill, as: wrap, at: 1, range: 1...100_000, width: u32) {
            $0.concentrationMicrogramsPerMillilitre = UInt32($1)
        }
        cases += boundaryCases("volumeWithdrawnMicrolitres", ["PW-REFILL-1"], of: refill, as: wrap, at: 5, range: 0...60_000, width: u32) {
            $0.volumeWithdrawnMicrolitres = UInt32($1)
        }
        cases += boundaryCases("volumeAddedMicrolitres", ["PW-REFILL-1"], of: refill, as: wrap, at: 9, range: 0...60_000, width: u32) {
            $0.volumeAddedMicrolitres = UInt32($1)
        }
        cases += boundaryCases("resultingReservoirMicrolitres", ["PW-REFILL-1"], of: refill, as: wrap, at: 13, range: 0...60_000, width: u32) {
            $0.resultingReservoirMicrolitres = UInt32($1)
        }
        cases += boundaryCases("refillTime", ["PW-REFILL-1", "PW-UNIT-1"], of: refill, as: wrap, at: 17, range: 0...0xFFFF_FFFE, width: u32) {
            $0.refillTime = UInt32($1)
        }
        cases += boundaryCases("resultingReservoirMicrolitres", ["PW-REFILL-3"], of: DeclaredMessages.receipt, as: { .refillReceipt($0) }, at: 4,
                               range: 0...60_000, width: u32) { $0.resultingReservoirMicrolitres = UInt32($1) }
        return cases
    }()

    public static let status: [FieldCase] = {
        let status = DeclaredMessages.pumpStatus
        let wrap = { Message.pumpStatus($0) }
        var cases: [FieldCase] = []
        cases += boundaryCases("batteryMillivolts", ["PW-STATUS-2"], of: status, as: wrap, at: 30, range: 0...5000, width: u16) { $0.batteryMillivolts = UInt16($1) }
        cases += boundaryCases("reservoirVolumeMicrolitres", ["PW-STATUS-2"], of: status, as: wrap, at: 33, range: 0...60_000, width: u32) {
            $0.reservoirVolumeMicrolitres = UInt32($1)
        }
        cases += boundaryCases("pumpClockTime", ["PW-STATUS-2", "PW-UNIT-1"], of: status, as: wrap, at: 39, range: 0...0xFFFF_FFFE, width: u32) { $0.pumpClockTime = UInt32($1) }
        for (label, length) in [("Minimum", 1), ("Maximum", 16)] {
            var model = status
            model.model = try! BoundedText(String(repeating: "M", count: length))
            cases.append(FieldCase(name: "PumpStatus.modelLength.\(label)", message: wrap(model), expected: nil, requirements: ["PW-STATUS-1", "PW-ENC-8"]))
            var serial = status
            serial.serial = try! BoundedText(String(repeating: "7", count: length))
            cases.append(FieldCase(name: "PumpStatus.serialLength.\(label)", message: wrap(serial), expected: nil, requirements: ["PW-STATUS-1", "PW-ENC-8"]))
        }
        cases += boundaryCases("firmwareMajor", ["PW-STATUS-2"], of: status, as: wrap, at: 27, range: 0...255, width: u8) { $0.firmwareMajor = UInt8($1) }
        cases += boundaryCases("firmwareMinor", ["PW-STATUS-2"], of: status, as: wrap, at: 28, range: 0...255, width: u8) { $0.firmwareMinor = UInt8($1) }
        cases += boundaryCases("firmwarePatch", ["PW-STATUS-2"], of: status, as: wrap, at: 29, range: 0...255, width: u8) { $0.firmwarePatch = UInt8($1) }
        return cases
    }()

    public static let dump: [FieldCase] = {
        let request = DeclaredMessages.dumpRequest
        var cases: [FieldCase] = []
        cases += boundaryCases("length", ["PW-DUMP-1"], of: request, as: { .memoryDumpRequest($0) }, at: 6, range: 1...1_048_576, width: u32) {
            $0.length = UInt32($1)
        }
        // PW-DUMP-2: offset + length up to 2^32 exactly.
        var edge = request
        edge.offset = 0xFFFF_FFFF
        edge.length = 1
        cases.append(FieldCase(name: "MemoryDumpRequest.offsetPlusLength.Maximum", message: .memoryDumpRequest(edge), expected: nil, requirements: ["PW-DUMP-2"]))
        edge.length = 2
        cases.append(FieldCase(name: "MemoryDumpRequest.offsetPlusLength.AboveMaximum", message: .memoryDumpRequest(edge),
                               expected: PumpWireError(.fieldOutOfRange, at: 6), requirements: ["PW-DUMP-2"]))
        // imageLength 1 (one chunk) and 1048576 (4810 chunks, the last of 1048576 - 218 * 4809 = 214 bytes).
        let last = MemoryDumpChunk(
            region: .rawAddress, chunkIndex: 4809, chunkCount: 4810, regionOffset: 0, imageLength: 1_048_576,
            imageCrc32: 0, dataOffset: 4809 * 218, data: try! BoundedArray([UInt8](repeating: 0xEE, count: 214)))
        cases.append(FieldCase(name: "MemoryDumpChunk.imageLength.Maximum", message: .memoryDumpChunk(last), expected: nil, requirements: ["PW-DUMP-3", "PW-DUMP-7", "PW-DUMP-9"]))
        var one = DeclaredMessages.dumpChunk
        one.imageLength = 1
        one.data = try! BoundedArray([9])
        cases.append(FieldCase(name: "MemoryDumpChunk.imageLength.Minimum", message: .memoryDumpChunk(one), expected: nil, requirements: ["PW-DUMP-3"]))
        var zero = one
        zero.imageLength = 0
        cases.append(FieldCase(name: "MemoryDumpChunk.imageLength.BelowMinimum", message: .memoryDumpChunk(zero),
                               expected: PumpWireError(.fieldOutOfRange, at: 10), requirements: ["PW-DUMP-3"]))
        var over = last
        over.imageLength = 1_048_577
        cases.append(FieldCase(name: "MemoryDumpChunk.imageLength.AboveMaximum", message: .memoryDumpChunk(over),
                               expected: PumpWireError(.fieldOutOfRange, at: 10), requirements: ["PW-DUMP-3"]))
        cases.append(FieldCase(name: "MemoryDumpChunk.chunkCount.Maximum", message: .memoryDumpChunk(last), expected: nil, requirements: ["PW-DUMP-3", "PW-DUMP-5"]))
        cases.append(FieldCase(name: "MemoryDumpChunk.chunkCount.Minimum", message: .memoryDumpChunk(one), expected: nil, requirements: ["PW-DUMP-3", "PW-DUMP-5"]))
        var countOver = last
        countOver.chunkCount = 4811
        cases.append(FieldCase(name: "MemoryDumpChunk.chunkCount.AboveMaximum", message: .memoryDumpChunk(countOver),
                               expected: PumpWireError(.fieldOutOfRange, at: 4), requirements: ["PW-DUMP-3"]))
        var countZero = one
        countZero.chunkCount = 0
        cases.append(FieldCase(name: "MemoryDumpChunk.chunkCount.BelowMinimum", message: .memoryDumpChunk(countZero),
                               expected: PumpWireError(.fieldOutOfRange, at: 4), requirements: ["PW-DUMP-3"]))
        return cases
    }()

    public static let acknowledgements: [FieldCase] = {
        var cases: [FieldCase] = []
        cases += boundaryCases("acknowledgedType", ["PW-ACK-1"], of: DeclaredMessages.acknowledgement, as: { .acknowledgement($0) }, at: 0,
                               range: 2...3, width: u8) { $0.acknowledgedType = UInt8($1) }
        cases += boundaryCases("errorOffset", ["PW-NAK-1"], of: DeclaredMessages.negativeAcknowledgement, as: { .negativeAcknowledgement($0) }, at: 3,
                               range: 0...1023, width: u16) { $0.errorOffset = UInt16($1) }
            .filter { !$0.name.hasSuffix("AboveMaximum") }
        var noOffset = DeclaredMessages.negativeAcknowledgement
        noOffset.errorOffset = 0xFFFF
        cases.append(FieldCase(name: "NegativeAcknowledgement.errorOffset.None", message: .negativeAcknowledgement(noOffset), expected: nil, requirements: ["PW-NAK-1"]))
        noOffset.errorOffset = 1024
        cases.append(FieldCase(name: "NegativeAcknowledgement.errorOffset.AboveMaximum", message: .negativeAcknowledgement(noOffset),
                               expected: PumpWireError(.fieldOutOfRange, at: 3), requirements: ["PW-NAK-1"]))
        noOffset.errorOffset = 0xFFFE
        cases.append(FieldCase(name: "NegativeAcknowledgement.errorOffset.Reserved0xFFFE", message: .negativeAcknowledgement(noOffset),
                               expected: PumpWireError(.fieldOutOfRange, at: 3), requirements: ["PW-NAK-1"]))
        return cases
    }()

    public static let all = prescription + bolusSchedule + refill + status + dump + acknowledgements
}

