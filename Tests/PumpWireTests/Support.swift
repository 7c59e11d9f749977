import Foundation
import PumpWire
@testable import PumpWireCore

/// The messages of the spec's worked examples (spec section 9), as values.
enum Samples {
    static let prescription = PrescriptionBlock(
        drug: .morphine, mode: .timeOfDay, concentrationMicrogramsPerMillilitre: 2000,
        reservoirCapacityMicrolitres: 20000, lowReservoirThresholdMicrolitres: 2000,
        catheterVolumeMicrolitres: 150, maxDailyDoseNanograms: 1_000_000,
        steps: try! BoundedArray(elements: [
            DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 480_000),
            DayProfileStep(startMinute: 420, doseRateNanogramsPerDay: 960_000),
            DayProfileStep(startMinute: 1320, doseRateNanogramsPerDay: 480_000),
        ]))

    static let pumpStatus = PumpStatus(
        model: try! BoundedText("SynchroFlow 40"), serial: try! BoundedText("PW2K-004127"),
        firmwareMajor: 3, firmwareMinor: 2, firmwarePatch: 1, batteryMillivolts: 3021,
        prescriptionStored: true, bolusScheduleStored: false, deliverySuspended: false,
        electiveReplacementIndicator: false, reservoirVolumeMicrolitres: 12840, activeAlarms: .none,
        pumpClockTime: 847_584_000, prescriptionDigest: 0xB7E2_AAD6, bolusScheduleDigest: 0)

    static let bolusSchedule = BolusSchedule(
        clinicianBolus: ClinicianBolus(doseNanograms: 50_000, durationMinutes: 30),
        patientBolus: PatientBolus(doseNanograms: 25_000, durationMinutes: 10, lockoutMinutes: 180, maxPerDay: 4),
        periodicBoluses: try! BoundedArray(elements: [
            PeriodicBolus(startMinute: 360, doseNanograms: 40_000, durationMinutes: 60),
            PeriodicBolus(startMinute: 1080, doseNanograms: 40_000, durationMinutes: 60),
        ]))

    /// Every optional group present, so every bolus field has an offset.
    static let fullBolusSchedule = BolusSchedule(
        clinicianBolus: ClinicianBolus(doseNanograms: 50_000, durationMinutes: 30),
        primingBolus: PrimingBolus(kind: .catheter, volumeMicrolitres: 150, durationMinutes: 20),
        patientBolus: PatientBolus(doseNanograms: 25_000, durationMinutes: 10, lockoutMinutes: 180, maxPerDay: 4),
        periodicBoluses: try! BoundedArray(elements: [
            PeriodicBolus(startMinute: 360, doseNanograms: 40_000, durationMinutes: 60),
            PeriodicBolus(startMinute: 1080, doseNanograms: 40_000, durationMinutes: 60),
        ]))

    static let refill = RefillConfirmation(
        drug: .morphine, concentrationMicrogramsPerMillilitre: 2000, volumeWithdrawnMicrolitres: 6200,
        volumeAddedMicrolitres: 20000, resultingReservoirMicrolitres: 20000, refillTime: 847_587_600)

    static let receipt = RefillReceipt(
        confirmationDigest: 0xBB24_9D38, resultingReservoirMicrolitres: 20000, lowReservoirAlarmTime: 851_575_260)

    static let dumpRequest = MemoryDumpRequest(region: .eventLog, offset: 0, length: 5)

    static let dumpChunk = MemoryDumpChunk(
        region: .eventLog, chunkIndex: 0, chunkCount: 1, regionOffset: 0, imageLength: 5,
        imageCrc32: 0x470B_99F4, dataOffset: 0, data: try! BoundedArray([1, 2, 3, 4, 5]))

    static let acknowledgement = Acknowledgement(acknowledgedType: 0x02, digest: 0xB7E2_AAD6)

    static let negativeAcknowledgement = NegativeAcknowledgement(rejectedType: 0x03, errorCode: .notPermitted)

    static let unknown = UnknownMessage(typeCode: 0x42, payload: try! BoundedArray([0xDE, 0xAD, 0xBE, 0xEF]))

    static let allMessages: [Message] = [
        .interrogationRequest(InterrogationRequest()), .pumpStatus(pumpStatus), .prescriptionBlock(prescription),
        .bolusSchedule(bolusSchedule), .bolusSchedule(fullBolusSchedule), .bolusSchedule(BolusSchedule()),
        .refillConfirmation(refill), .refillReceipt(receipt), .memoryDumpRequest(dumpRequest),
        .memoryDumpChunk(dumpChunk), .acknowledgement(acknowledgement),
        .negativeAcknowledgement(negativeAcknowledgement), .unknown(unknown),
    ]

    /// A time-of-day prescription with `count` half-hourly steps.
    static func prescription(steps count: Int) -> PrescriptionBlock {
        var rx = prescription
        rx.steps = try! BoundedArray(elements: (0..<count).map {
            DayProfileStep(startMinute: UInt16($0 * (1440 / count)), doseRateNanogramsPerDay: 100_000 + UInt32($0))
        })
        return rx
    }
}

/// A frame built by hand, with a correct CRC unless `crc` is given: for provoking each check.
func frameBytes(
    type: UInt8, flags: UInt8 = 0, sequence: UInt16 = 1, payload: [UInt8], authentication: [UInt8] = [],
    version: UInt8 = 1, payloadLength: UInt16? = nil, crc: UInt16? = nil
) -> [UInt8] {
    let length = payloadLength ?? UInt16(payload.count)
    var bytes: [UInt8] = [0xA5, 0xC3, version, type, flags, UInt8(sequence & 0xFF), UInt8(sequence >> 8),
                          UInt8(length & 0xFF), UInt8(length >> 8)]
    bytes += payload + authentication
    let check = crc ?? bytes.withUnsafeBytes { CRC16.checksum($0) }
    return bytes + [UInt8(check & 0xFF), UInt8(check >> 8)]
}

/// The fields as written, without the encoder's check: for payloads the spec forbids.
func rawPayload<M: WireMessage>(_ message: M) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: 1024)
    let count = buffer.withUnsafeMutableBytes { raw in
        var writer = ByteWriter(raw)
        try! message.writeFields(to: &writer)
        return writer.count
    }
    return Array(buffer[..<count])
}

/// The error `body` throws, or nil.
func caught<T>(_ body: () throws(PumpWireError) -> T) -> PumpWireError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

func decodeFrame(_ bytes: [UInt8]) -> PumpWireError? {
    caught { () throws(PumpWireError) in try Frame.decode(bytes) }
}

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
