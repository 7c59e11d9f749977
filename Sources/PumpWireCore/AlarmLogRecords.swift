/// Records of the alarm log (spec 13.4).

/// The alarms a log records: those of `pumpStatus` (spec 9.2) in bit order plus one, then the
/// battery's elective-replacement alarm.
public enum LoggedAlarm: UInt8, Sendable {
    case lowReservoir = 1
    case emptyReservoir = 2
    case batteryEndOfService = 3
    case motorStall = 4
    case catheterOcclusion = 5
    case memoryError = 6
    case clockLost = 7
    case pumpReset = 8
    case batteryElectiveReplacement = 9

    /// The range of `detail` for this alarm; `nil` when the alarm has none (then `detail` is 0).
    public var detailRange: ClosedRange<UInt32>? {
        switch self {
        case .lowReservoir, .emptyReservoir: 0...60_000  // reservoir volume, µL
        case .batteryEndOfService, .batteryElectiveReplacement: 0...5_000  // battery voltage, mV
        default: nil
        }
    }
}

extension ByteReader {
    /// An alarm's `detail`: in its range, or 0 for an alarm without one (NON_CANONICAL otherwise).
    mutating func readAlarmDetail(for alarm: LoggedAlarm) throws(PumpWireError) -> UInt32 {
        guard let range = alarm.detailRange else {
            let fieldOffset = offset
            try require(try readUInt32() == 0, .nonCanonical, at: fieldOffset)
            return 0
        }
        return try readUInt32(in: range)
    }
}

/// 0x10: an alarm began.
public struct AlarmRaisedRecord: LogRecordBody {
    public static let recordType = LogRecordType.alarmRaised
    public var alarm: LoggedAlarm
    /// Reservoir µL or battery mV, by alarm (`LoggedAlarm.detailRange`); 0 otherwise.
    public var detail: UInt32

    public init(alarm: LoggedAlarm, detail: UInt32 = 0) {
        self.alarm = alarm
        self.detail = detail
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        alarm = try reader.readEnumeration(LoggedAlarm.self)
        try reader.readUnused(count: 1)  // `cause` is unused when an alarm is raised
        detail = try reader.readAlarmDetail(for: alarm)
        try reader.readUnused(count: 6)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(alarm.rawValue)
        try writer.writeUnused(count: 1)
        try writer.writeUInt32(detail)
        try writer.writeUnused(count: 6)
    }
}

public enum AlarmClearCause: UInt8, Sendable {
    case resolved = 1
    /// Acknowledged by the programmer.
    case acknowledged = 2
}

/// 0x11: an alarm ended.
public struct AlarmClearedRecord: LogRecordBody {
    public static let recordType = LogRecordType.alarmCleared
    public var alarm: LoggedAlarm
    public var cause: AlarmClearCause
    public var detail: UInt32

    public init(alarm: LoggedAlarm, cause: AlarmClearCause, detail: UInt32 = 0) {
        self.alarm = alarm
        self.cause = cause
        self.detail = detail
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        alarm = try reader.readEnumeration(LoggedAlarm.self)
        cause = try reader.readEnumeration(AlarmClearCause.self)
        detail = try reader.readAlarmDetail(for: alarm)
        try reader.readUnused(count: 6)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(alarm.rawValue)
        try writer.writeUInt8(cause.rawValue)
        try writer.writeUInt32(detail)
        try writer.writeUnused(count: 6)
    }
}
