import PumpWireCore

/// The JSON view of log records (spec PW-JSON-6): `offset`, `record`, `time`, then the body's
/// fields by name; erased runs and rejected slots in their own shapes.
extension PumpWireJSON {
    public static func view(of item: LogItem) -> JSONValue {
        switch item {
        case .record(let offset, let record):
            return .object([("offset", .integer(Int64(offset))), ("record", .string(record.recordType.name)),
                            ("time", .integer(Int64(record.time)))] + bodyFields(record.body))
        case .erased(let offset, let slots):
            return .object([("offset", .integer(Int64(offset))), ("erased", .integer(Int64(slots)))])
        case .rejected(let offset, let error):
            return .object([("offset", .integer(Int64(offset))), ("error", view(of: error))])
        }
    }

    /// An error as tools show it: `{ "code", "name", "offset" }`.
    public static func view(of error: PumpWireError) -> JSONValue {
        .object([("code", .integer(Int64(error.code.rawValue))), ("name", .string("\(error.code.specName)")),
                 ("offset", .integer(Int64(error.offset)))])
    }

    private static func bodyFields(_ body: LogRecord.Body) -> [(String, JSONValue)] {
        func number<N: BinaryInteger>(_ value: N) -> JSONValue { .integer(Int64(value)) }
        switch body {
        case .therapyChanged(let r):
            return [("prescriptionDigest", number(r.prescriptionDigest)), ("previousDigest", number(r.previousDigest)),
                    ("source", .string(r.source.name))]
        case .bolusScheduleChanged(let r):
            return [("scheduleDigest", number(r.scheduleDigest)), ("previousDigest", number(r.previousDigest))]
        case .bolusDelivered(let r):
            return [("kind", .string(r.kind.name)), ("outcome", .string(r.outcome.name)),
                    ("volumeNanolitres", number(r.volumeNanolitres)), ("doseNanograms", number(r.doseNanograms)),
                    ("durationMinutes", number(r.durationMinutes))]
        case .refilled(let r):
            return [("drug", .string(r.drug.name)),
                    ("concentrationMicrogramsPerMillilitre", number(r.concentrationMicrogramsPerMillilitre)),
                    ("resultingReservoirMicrolitres", number(r.resultingReservoirMicrolitres))]
        case .clockChanged(let r):
            return [("previousTime", number(r.previousTime))]
        case .alarmRaised(let r):
            return [("alarm", .string(r.alarm.name)), ("detail", number(r.detail))]
        case .alarmCleared(let r):
            return [("alarm", .string(r.alarm.name)), ("cause", .string(r.cause.name)), ("detail", number(r.detail))]
        case .dailyDelivery(let r):
            return [("basalVolumeNanolitres", number(r.basalVolumeNanolitres)),
                    ("bolusVolumeNanolitres", number(r.bolusVolumeNanolitres)), ("bolusCount", number(r.bolusCount))]
        case .devicePaired(let r): return deviceFields(r.device)
        case .deviceUnpaired(let r): return deviceFields(r.device)
        case .sessionStarted(let r):
            let prefix = String(r.handshakeHashPrefix, radix: 16)
            return [("slot", number(r.slot)), ("sessionEpoch", number(r.sessionEpoch)),
                    ("pattern", .string(r.pattern == .xxpsk3 ? "pairing" : "session")),
                    ("handshakeHashPrefix", .string(String(repeating: "0", count: 8 - prefix.count) + prefix))]
        case .sessionEnded(let r):
            return [("slot", number(r.slot)), ("sessionEpoch", number(r.sessionEpoch)), ("reason", .string(r.reason.name)),
                    ("framesAccepted", number(r.framesAccepted))]
        case .securityRejection(let r):
            return [("slot", number(r.slot)), ("messageType", number(r.messageType)),
                    ("errorCode", number(r.errorCode.rawValue)), ("errorName", .string("\(r.errorCode.specName)")),
                    ("count", number(r.count)), ("sessionEpoch", number(r.sessionEpoch))]
        }
    }

    /// security.md 11: `devicePaired` and `deviceUnpaired` share their fields.
    private static func deviceFields(_ r: DeviceSlotRecord) -> [(String, JSONValue)] {
        [("slot", .integer(Int64(r.slot))), ("role", .string(r.role.name)), ("keyDigest", .integer(Int64(r.keyDigest))),
         ("bySlot", .integer(Int64(r.bySlot)))]
    }
}

extension LogRecordType: NamedEnumeration {
    public static let names: KeyValuePairs<LogRecordType, String> = [
        .therapyChanged: "therapyChanged", .bolusScheduleChanged: "bolusScheduleChanged",
        .bolusDelivered: "bolusDelivered", .refilled: "refilled", .clockChanged: "clockChanged",
        .alarmRaised: "alarmRaised", .alarmCleared: "alarmCleared", .dailyDelivery: "dailyDelivery",
        .devicePaired: "devicePaired", .deviceUnpaired: "deviceUnpaired", .sessionStarted: "sessionStarted",
        .sessionEnded: "sessionEnded", .securityRejection: "securityRejection",
    ]
}

extension DeviceRole: NamedEnumeration {
    public static let names: KeyValuePairs<DeviceRole, String> = [.clinician: "clinician", .patient: "patient"]
}

extension SessionEndReason: NamedEnumeration {
    public static let names: KeyValuePairs<SessionEndReason, String> = [
        .closed: "closed", .replaced: "replaced", .idle: "idle", .revoked: "revoked", .counterExhausted: "counterExhausted",
    ]
}

extension TherapySource: NamedEnumeration {
    public static let names: KeyValuePairs<TherapySource, String> = [.programmer: "programmer", .factoryDefault: "factoryDefault"]
}

extension DeliveredBolusKind: NamedEnumeration {
    public static let names: KeyValuePairs<DeliveredBolusKind, String> = [
        .clinician: "clinician", .priming: "priming", .patient: "patient", .periodic: "periodic",
    ]
}

extension BolusOutcome: NamedEnumeration {
    public static let names: KeyValuePairs<BolusOutcome, String> = [
        .completed: "completed", .stoppedByProgrammer: "stoppedByProgrammer", .stoppedByAlarm: "stoppedByAlarm",
    ]
}

extension LoggedAlarm: NamedEnumeration {
    public static let names: KeyValuePairs<LoggedAlarm, String> = [
        .lowReservoir: "lowReservoir", .emptyReservoir: "emptyReservoir", .batteryEndOfService: "batteryEndOfService",
        .motorStall: "motorStall", .catheterOcclusion: "catheterOcclusion", .memoryError: "memoryError",
        .clockLost: "clockLost", .pumpReset: "pumpReset", .batteryElectiveReplacement: "batteryElectiveReplacement",
    ]
}

extension AlarmClearCause: NamedEnumeration {
    public static let names: KeyValuePairs<AlarmClearCause, String> = [.resolved: "resolved", .acknowledged: "acknowledged"]
}
