import PumpWire
import PumpWireCore

/// Random valid log records (spec 13.4), biased toward range edges like the messages.
extension MessageGenerator {
    public mutating func logRecord(in region: MemoryRegion) -> LogRecord {
        let time = value(0...(WireLimits.never - 1))
        let types: [LogRecordType] = switch region {
        case .eventLog: [.therapyChanged, .bolusScheduleChanged, .bolusDelivered, .refilled, .clockChanged,
                         .devicePaired, .deviceUnpaired, .sessionStarted, .sessionEnded, .securityRejection]
        case .alarmLog: [.alarmRaised, .alarmCleared]
        default: [.therapyChanged, .bolusScheduleChanged, .dailyDelivery]
        }
        let digest = { (random: inout FuzzRandom) in UInt32(truncatingIfNeeded: random.next()) }
        switch types[Int(random.below(UInt64(types.count)))] {
        case .therapyChanged:
            return LogRecord(time: time, body: .therapyChanged(TherapyChangedRecord(
                prescriptionDigest: digest(&random), previousDigest: digest(&random), source: flag() ? .programmer : .factoryDefault)))
        case .bolusScheduleChanged:
            return LogRecord(time: time, body: .bolusScheduleChanged(BolusScheduleChangedRecord(scheduleDigest: digest(&random), previousDigest: digest(&random))))
        case .bolusDelivered:
            return LogRecord(time: time, body: .bolusDelivered(BolusDeliveredRecord(
                kind: DeliveredBolusKind(rawValue: UInt8(1 + random.below(4)))!, outcome: BolusOutcome(rawValue: UInt8(random.below(3)))!,
                volumeNanolitres: value(BolusDeliveredRecord.volumeRange), doseNanograms: value(BolusDeliveredRecord.doseRange),
                durationMinutes: value(BolusDeliveredRecord.durationRange))))
        case .refilled:
            return LogRecord(time: time, body: .refilled(RefilledRecord(
                drug: Drug(rawValue: UInt8(1 + random.below(8)))!, concentrationMicrogramsPerMillilitre: value(PrescriptionBlock.concentrationRange),
                resultingReservoirMicrolitres: value(RefillConfirmation.volumeRange))))
        case .clockChanged:
            return LogRecord(time: time, body: .clockChanged(ClockChangedRecord(previousTime: value(0...(WireLimits.never - 1)))))
        case .alarmRaised, .alarmCleared:
            let alarm = LoggedAlarm(rawValue: UInt8(1 + random.below(9)))!
            let detail = alarm.detailRange.map { value($0) } ?? 0
            return flag()
                ? LogRecord(time: time, body: .alarmRaised(AlarmRaisedRecord(alarm: alarm, detail: detail)))
                : LogRecord(time: time, body: .alarmCleared(AlarmClearedRecord(alarm: alarm, cause: flag() ? .resolved : .acknowledged, detail: detail)))
        case .dailyDelivery:
            return LogRecord(time: time - time % 86_400, body: .dailyDelivery(DailyDeliveryRecord(
                basalVolumeNanolitres: value(DailyDeliveryRecord.volumeRange), bolusVolumeNanolitres: value(DailyDeliveryRecord.volumeRange),
                bolusCount: value(DailyDeliveryRecord.bolusCountRange))))
        case .devicePaired, .deviceUnpaired:
            let device = DeviceSlotRecord(
                slot: UInt8(random.below(4)), role: flag() ? .clinician : .patient, keyDigest: digest(&random),
                bySlot: flag() ? 0xFF : UInt8(random.below(4)))
            return flag()
                ? LogRecord(time: time, body: .devicePaired(DevicePairedRecord(device: device)))
                : LogRecord(time: time, body: .deviceUnpaired(DeviceUnpairedRecord(device: device)))
        case .sessionStarted:
            return LogRecord(time: time, body: .sessionStarted(SessionStartedRecord(
                slot: UInt8(random.below(4)), sessionEpoch: UInt8(truncatingIfNeeded: random.next()),
                pattern: flag() ? .xxpsk3 : .kk, handshakeHashPrefix: digest(&random))))
        case .sessionEnded:
            return LogRecord(time: time, body: .sessionEnded(SessionEndedRecord(
                slot: UInt8(random.below(4)), sessionEpoch: UInt8(truncatingIfNeeded: random.next()),
                reason: SessionEndReason(rawValue: UInt8(1 + random.below(5)))!, framesAccepted: digest(&random))))
        case .securityRejection:
            let codes: [ErrorCode] = [.authenticationFailed, .replayed, .staleSession, .handshakeFailed, .lowOrderKey,
                                      .roleNotPermitted, .duplicateCommand, .patientBolusLockout, .authenticationRequired]
            return LogRecord(time: time, body: .securityRejection(SecurityRejectionRecord(
                slot: flag() ? 0xFF : UInt8(random.below(4)), messageType: UInt8(truncatingIfNeeded: random.next()),
                errorCode: codes[Int(random.below(UInt64(codes.count)))], count: value(1...UInt16.max),
                sessionEpoch: UInt8(truncatingIfNeeded: random.next()))))
        }
    }
}
