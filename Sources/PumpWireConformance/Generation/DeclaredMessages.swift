import PumpWire
import PumpWireCore

/// The messages of the spec's worked examples (spec section 9), as values.
public enum DeclaredMessages {
    public static let prescription = PrescriptionBlock(
        drug: .morphine, mode: .timeOfDay, concentrationMicrogramsPerMillilitre: 2000,
        reservoirCapacityMicrolitres: 20000, lowReservoirThresholdMicrolitres: 2000,
        catheterVolumeMicrolitres: 150, maxDailyDoseNanograms: 1_000_000,
        steps: try! BoundedArray(elements: [
            DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 480_000),
            DayProfileStep(startMinute: 420, doseRateNanogramsPerDay: 960_000),
            DayProfileStep(startMinute: 1320, doseRateNanogramsPerDay: 480_000),
        ]))

    public static let pumpStatus = PumpStatus(
        model: try! BoundedText("SynchroFlow 40"), serial: try! BoundedText("PW2K-004127"),
        firmwareMajor: 3, firmwareMinor: 2, firmwarePatch: 1, batteryMillivolts: 3021,
        prescriptionStored: true, bolusScheduleStored: false, deliverySuspended: false,
        electiveReplacementIndicator: false, reservoirVolumeMicrolitres: 12840, activeAlarms: .none,
        pumpClockTime: 847_584_000, prescriptionDigest: 0xB7E2_AAD6, bolusScheduleDigest: 0)

    public static let bolusSchedule = BolusSchedule(
        clinicianBolus: ClinicianBolus(doseNanograms: 50_000, durationMinutes: 30),
        patientBolus: PatientBolus(doseNanograms: 25_000, durationMinutes: 10, lockoutMinutes: 180, maxPerDay: 4),
        periodicBoluses: try! BoundedArray(elements: [
            PeriodicBolus(startMinute: 360, doseNanograms: 40_000, durationMinutes: 60),
            PeriodicBolus(startMinute: 1080, doseNanograms: 40_000, durationMinutes: 60),
        ]))

    /// Every optional group present, so every bolus field has an offset.
    public static let fullBolusSchedule = BolusSchedule(
        clinicianBolus: ClinicianBolus(doseNanograms: 50_000, durationMinutes: 30),
        primingBolus: PrimingBolus(kind: .catheter, volumeMicrolitres: 150, durationMinutes: 20),
        patientBolus: PatientBolus(doseNanograms: 25_000, durationMinutes: 10, lockoutMinutes: 180, maxPerDay: 4),
        periodicBoluses: try! BoundedArray(elements: [
            PeriodicBolus(startMinute: 360, doseNanograms: 40_000, durationMinutes: 60),
            PeriodicBolus(startMinute: 1080, doseNanograms: 40_000, durationMinutes: 60),
        ]))

    public static let refill = RefillConfirmation(
        drug: .morphine, concentrationMicrogramsPerMillilitre: 2000, volumeWithdrawnMicrolitres: 6200,
        volumeAddedMicrolitres: 20000, resultingReservoirMicrolitres: 20000, refillTime: 847_587_600)

    public static let receipt = RefillReceipt(
        confirmationDigest: 0xBB24_9D38, resultingReservoirMicrolitres: 20000, lowReservoirAlarmTime: 851_575_260)

    public static let dumpRequest = MemoryDumpRequest(region: .eventLog, offset: 0, length: 5)

    public static let dumpChunk = MemoryDumpChunk(
        region: .eventLog, chunkIndex: 0, chunkCount: 1, regionOffset: 0, imageLength: 5,
        imageCrc32: 0x470B_99F4, dataOffset: 0, data: try! BoundedArray([1, 2, 3, 4, 5]))

    public static let acknowledgement = Acknowledgement(acknowledgedType: 0x02, digest: 0xB7E2_AAD6)

    public static let negativeAcknowledgement = NegativeAcknowledgement(rejectedType: 0x03, errorCode: .notPermitted)

    public static let unknown = UnknownMessage(typeCode: 0x42, payload: try! BoundedArray([0xDE, 0xAD, 0xBE, 0xEF]))

    public static let allMessages: [Message] = [
        .interrogationRequest(InterrogationRequest()), .pumpStatus(pumpStatus), .prescriptionBlock(prescription),
        .bolusSchedule(bolusSchedule), .bolusSchedule(fullBolusSchedule), .bolusSchedule(BolusSchedule()),
        .refillConfirmation(refill), .refillReceipt(receipt), .memoryDumpRequest(dumpRequest),
        .memoryDumpChunk(dumpChunk), .acknowledgement(acknowledgement),
        .negativeAcknowledgement(negativeAcknowledgement), .unknown(unknown),
    ]

    /// An event log of `count` records, an hour apart from 2026-11-10 00:00: periodic boluses of the
    /// worked prescription's drug, every fifth a refill. Sessions dump it, so their images read clean.
    public static func eventLogImage(records count: Int) -> [UInt8] {
        let records = (0..<count).map { index in
            LogRecord(time: 847_584_000 + 3600 * UInt32(index), body: index % 5 == 4
                ? .refilled(RefilledRecord(drug: .morphine, concentrationMicrogramsPerMillilitre: 2000, resultingReservoirMicrolitres: 20_000))
                : .bolusDelivered(BolusDeliveredRecord(kind: .periodic, outcome: .completed, volumeNanolitres: 20_000,
                                                       doseNanograms: 40_000, durationMinutes: 60)))
        }
        return (try? LogRecord.image(of: records)) ?? []
    }

    /// A time-of-day prescription with `count` half-hourly steps.
    public static func prescription(steps count: Int) -> PrescriptionBlock {
        var rx = prescription
        rx.steps = try! BoundedArray(elements: (0..<count).map {
            DayProfileStep(startMinute: UInt16($0 * (1440 / count)), doseRateNanogramsPerDay: 100_000 + UInt32($0))
        })
        return rx
    }
}
