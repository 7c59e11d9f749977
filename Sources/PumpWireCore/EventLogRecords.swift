/// Records of the event log (spec 13.4); the first two also appear in the therapy history.

/// Who stored a prescription.
public enum TherapySource: UInt8, Sendable {
    case programmer = 1
    case factoryDefault = 2
}

/// 0x01: a new prescription was stored.
public struct TherapyChangedRecord: LogRecordBody {
    public static let recordType = LogRecordType.therapyChanged
    /// CRC-32 of the stored `prescriptionBlock` payload (PW-ACK-2).
    public var prescriptionDigest: UInt32
    /// The replaced prescription's digest; 0 if none.
    public var previousDigest: UInt32
    public var source: TherapySource

    public init(prescriptionDigest: UInt32, previousDigest: UInt32, source: TherapySource) {
        self.prescriptionDigest = prescriptionDigest
        self.previousDigest = previousDigest
        self.source = source
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        prescriptionDigest = try reader.readUInt32()
        previousDigest = try reader.readUInt32()
        source = try reader.readEnumeration(TherapySource.self)
        try reader.readUnused(count: 3)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(prescriptionDigest)
        try writer.writeUInt32(previousDigest)
        try writer.writeUInt8(source.rawValue)
        try writer.writeUnused(count: 3)
    }
}

/// 0x02: a new bolus schedule was stored.
public struct BolusScheduleChangedRecord: LogRecordBody {
    public static let recordType = LogRecordType.bolusScheduleChanged
    /// CRC-32 of the stored `bolusSchedule` payload (PW-ACK-2).
    public var scheduleDigest: UInt32
    public var previousDigest: UInt32

    public init(scheduleDigest: UInt32, previousDigest: UInt32) {
        self.scheduleDigest = scheduleDigest
        self.previousDigest = previousDigest
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        scheduleDigest = try reader.readUInt32()
        previousDigest = try reader.readUInt32()
        try reader.readUnused(count: 4)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(scheduleDigest)
        try writer.writeUInt32(previousDigest)
        try writer.writeUnused(count: 4)
    }
}

public enum DeliveredBolusKind: UInt8, Sendable {
    case clinician = 1
    case priming = 2
    case patient = 3
    case periodic = 4
}

public enum BolusOutcome: UInt8, Sendable {
    case completed = 0
    case stoppedByProgrammer = 1
    case stoppedByAlarm = 2
}

/// 0x03: a bolus ended; the record's `time` is when it started.
public struct BolusDeliveredRecord: LogRecordBody {
    public static let recordType = LogRecordType.bolusDelivered
    public static let volumeRange: ClosedRange<UInt32> = 0...60_000_000
    public static let doseRange: ClosedRange<UInt32> = 0...100_000_000
    public static let durationRange: ClosedRange<UInt16> = 0...WireLimits.minutesPerDay

    public var kind: DeliveredBolusKind
    public var outcome: BolusOutcome
    public var volumeNanolitres: UInt32
    public var doseNanograms: UInt32
    public var durationMinutes: UInt16

    public init(kind: DeliveredBolusKind, outcome: BolusOutcome, volumeNanolitres: UInt32, doseNanograms: UInt32, durationMinutes: UInt16) {
        self.kind = kind
        self.outcome = outcome
        self.volumeNanolitres = volumeNanolitres
        self.doseNanograms = doseNanograms
        self.durationMinutes = durationMinutes
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        kind = try reader.readEnumeration(DeliveredBolusKind.self)
        outcome = try reader.readEnumeration(BolusOutcome.self)
        volumeNanolitres = try reader.readUInt32(in: Self.volumeRange)
        doseNanograms = try reader.readUInt32(in: Self.doseRange)
        durationMinutes = try reader.readUInt16(in: Self.durationRange)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(kind.rawValue)
        try writer.writeUInt8(outcome.rawValue)
        try writer.writeUInt32(volumeNanolitres)
        try writer.writeUInt32(doseNanograms)
        try writer.writeUInt16(durationMinutes)
    }
}

/// 0x04: a refill was confirmed (spec 9.5).
public struct RefilledRecord: LogRecordBody {
    public static let recordType = LogRecordType.refilled
    public var drug: Drug
    public var concentrationMicrogramsPerMillilitre: UInt32
    public var resultingReservoirMicrolitres: UInt32

    public init(drug: Drug, concentrationMicrogramsPerMillilitre: UInt32, resultingReservoirMicrolitres: UInt32) {
        self.drug = drug
        self.concentrationMicrogramsPerMillilitre = concentrationMicrogramsPerMillilitre
        self.resultingReservoirMicrolitres = resultingReservoirMicrolitres
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        drug = try reader.readEnumeration(Drug.self)
        concentrationMicrogramsPerMillilitre = try reader.readUInt32(in: PrescriptionBlock.concentrationRange)
        resultingReservoirMicrolitres = try reader.readUInt32(in: RefillConfirmation.volumeRange)
        try reader.readUnused(count: 3)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(drug.rawValue)
        try writer.writeUInt32(concentrationMicrogramsPerMillilitre)
        try writer.writeUInt32(resultingReservoirMicrolitres)
        try writer.writeUnused(count: 3)
    }
}

/// 0x05: the clock was set; the record's `time` is the new clock.
public struct ClockChangedRecord: LogRecordBody {
    public static let recordType = LogRecordType.clockChanged
    public var previousTime: UInt32

    public init(previousTime: UInt32) {
        self.previousTime = previousTime
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        previousTime = try reader.readUInt32(in: 0...(WireLimits.never - 1))
        try reader.readUnused(count: 8)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(previousTime)
        try writer.writeUnused(count: 8)
    }
}
