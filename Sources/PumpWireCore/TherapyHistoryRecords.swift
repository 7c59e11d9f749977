/// Records of the therapy history (spec 13.4), beside `therapyChanged` and `bolusScheduleChanged`.

/// 0x20: what the pump delivered in one pump-clock day; the record's `time` is that day's 00:00.
public struct DailyDeliveryRecord: LogRecordBody {
    public static let recordType = LogRecordType.dailyDelivery
    public static let volumeRange: ClosedRange<UInt32> = 0...60_000_000
    public static let bolusCountRange: ClosedRange<UInt16> = 0...WireLimits.minutesPerDay

    public var basalVolumeNanolitres: UInt32
    public var bolusVolumeNanolitres: UInt32
    public var bolusCount: UInt16

    public init(basalVolumeNanolitres: UInt32, bolusVolumeNanolitres: UInt32, bolusCount: UInt16) {
        self.basalVolumeNanolitres = basalVolumeNanolitres
        self.bolusVolumeNanolitres = bolusVolumeNanolitres
        self.bolusCount = bolusCount
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        basalVolumeNanolitres = try reader.readUInt32(in: Self.volumeRange)
        bolusVolumeNanolitres = try reader.readUInt32(in: Self.volumeRange)
        bolusCount = try reader.readUInt16(in: Self.bolusCountRange)
        try reader.readUnused(count: 2)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(basalVolumeNanolitres)
        try writer.writeUInt32(bolusVolumeNanolitres)
        try writer.writeUInt16(bolusCount)
        try writer.writeUnused(count: 2)
    }
}
