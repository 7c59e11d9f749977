/// The record types of the log regions, and which regions hold them (spec 13.4).
public enum LogRecordType: UInt8, Sendable {
    case therapyChanged = 0x01
    case bolusScheduleChanged = 0x02
    case bolusDelivered = 0x03
    case refilled = 0x04
    case clockChanged = 0x05
    case alarmRaised = 0x10
    case alarmCleared = 0x11
    case dailyDelivery = 0x20
    // The security layer's (security.md section 11).
    case devicePaired = 0x30
    case deviceUnpaired = 0x31
    case sessionStarted = 0x32
    case sessionEnded = 0x33
    case securityRejection = 0x34

    /// Whether `region` holds records of this type; `nil` stands for "any log region".
    public func isListed(in region: MemoryRegion?) -> Bool {
        switch region {
        case nil: true
        case .eventLog?: rawValue <= 0x05 || (0x30...0x34).contains(rawValue)
        case .alarmLog?: self == .alarmRaised || self == .alarmCleared
        case .therapyHistory?: self == .therapyChanged || self == .bolusScheduleChanged || self == .dailyDelivery
        case .rawAddress?: false
        }
    }
}

/// A record body: the 12 bytes after `time`, read and written in layout order (spec 13.4).
public protocol LogRecordBody: Equatable, Sendable {
    static var recordType: LogRecordType { get }
    /// Reads the body's fields; `time` is given for the checks that involve it (`dailyDelivery`).
    init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError)
    /// Writes exactly 12 bytes, unused ones as 0.
    func writeBody(to writer: inout ByteWriter) throws(PumpWireError)
}

/// One 20-byte log record: type, reserved byte, time, body, CRC-16 (spec 13.4).
public struct LogRecord: Equatable, Sendable {
    public static let size = 20
    public static let bodySize = 12
    static let bodyOffset = 6
    static let crcOffset = 18

    public enum Body: Equatable, Sendable {
        case therapyChanged(TherapyChangedRecord)
        case bolusScheduleChanged(BolusScheduleChangedRecord)
        case bolusDelivered(BolusDeliveredRecord)
        case refilled(RefilledRecord)
        case clockChanged(ClockChangedRecord)
        case alarmRaised(AlarmRaisedRecord)
        case alarmCleared(AlarmClearedRecord)
        case dailyDelivery(DailyDeliveryRecord)
        case devicePaired(DevicePairedRecord)
        case deviceUnpaired(DeviceUnpairedRecord)
        case sessionStarted(SessionStartedRecord)
        case sessionEnded(SessionEndedRecord)
        case securityRejection(SecurityRejectionRecord)
    }

    /// When the record was made, pump clock (PW-UNIT-1).
    public var time: UInt32
    public var body: Body

    public init(time: UInt32, body: Body) {
        self.time = time
        self.body = body
    }

    public var recordType: LogRecordType {
        switch body {
        case .therapyChanged: .therapyChanged
        case .bolusScheduleChanged: .bolusScheduleChanged
        case .bolusDelivered: .bolusDelivered
        case .refilled: .refilled
        case .clockChanged: .clockChanged
        case .alarmRaised: .alarmRaised
        case .alarmCleared: .alarmCleared
        case .dailyDelivery: .dailyDelivery
        case .devicePaired: .devicePaired
        case .deviceUnpaired: .deviceUnpaired
        case .sessionStarted: .sessionStarted
        case .sessionEnded: .sessionEnded
        case .securityRejection: .securityRejection
        }
    }

    /// Decodes one whole, non-erased slot; errors carry `reportingOffset` plus the field's offset
    /// in the record (PW-LOG-1 steps 3 to 7).
    public init(
        decoding slot: UnsafeRawBufferPointer, region: MemoryRegion?, reportingOffset: Int = 0
    ) throws(PumpWireError) {
        try require(slot.count == Self.size, .recordTruncated, at: reportingOffset)
        let stored = UInt16(slot[Self.crcOffset]) | UInt16(slot[Self.crcOffset + 1]) &<< 8
        let computed = CRC16.checksum(UnsafeRawBufferPointer(rebasing: slot[0..<Self.crcOffset]))
        try require(stored == computed, .recordCRCMismatch, at: reportingOffset + Self.crcOffset)  // step 3
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: slot[0..<Self.crcOffset]), reportingOffset: reportingOffset)
        let typeOffset = reader.offset
        let type = try reader.readEnumeration(LogRecordType.self)
        try require(type.isListed(in: region), .fieldOutOfRange, at: typeOffset)  // step 4
        _ = try reader.readFlags(allowed: 0)  // step 5: the reserved byte
        let timeOffset = reader.offset
        time = try reader.readUInt32()
        try require(time != WireLimits.never, .fieldOutOfRange, at: timeOffset)  // step 6
        switch type {  // step 7
        case .therapyChanged: body = .therapyChanged(try TherapyChangedRecord(readingBodyFrom: &reader, time: time))
        case .bolusScheduleChanged: body = .bolusScheduleChanged(try BolusScheduleChangedRecord(readingBodyFrom: &reader, time: time))
        case .bolusDelivered: body = .bolusDelivered(try BolusDeliveredRecord(readingBodyFrom: &reader, time: time))
        case .refilled: body = .refilled(try RefilledRecord(readingBodyFrom: &reader, time: time))
        case .clockChanged: body = .clockChanged(try ClockChangedRecord(readingBodyFrom: &reader, time: time))
        case .alarmRaised: body = .alarmRaised(try AlarmRaisedRecord(readingBodyFrom: &reader, time: time))
        case .alarmCleared: body = .alarmCleared(try AlarmClearedRecord(readingBodyFrom: &reader, time: time))
        case .dailyDelivery:
            try require(time % 86_400 == 0, .fieldOutOfRange, at: timeOffset)  // a day starts at 00:00
            body = .dailyDelivery(try DailyDeliveryRecord(readingBodyFrom: &reader, time: time))
        case .devicePaired: body = .devicePaired(try DevicePairedRecord(readingBodyFrom: &reader, time: time))
        case .deviceUnpaired: body = .deviceUnpaired(try DeviceUnpairedRecord(readingBodyFrom: &reader, time: time))
        case .sessionStarted: body = .sessionStarted(try SessionStartedRecord(readingBodyFrom: &reader, time: time))
        case .sessionEnded: body = .sessionEnded(try SessionEndedRecord(readingBodyFrom: &reader, time: time))
        case .securityRejection: body = .securityRejection(try SecurityRejectionRecord(readingBodyFrom: &reader, time: time))
        }
        try reader.expectEnd()
    }

    /// Writes the 20 bytes, CRC included, into `buffer` (at least 20 bytes). The record is decoded
    /// again before it is returned, so it never writes a record a reader rejects (as PW-ENC-5),
    /// and a record a reader rejects is refused as such even when `buffer` is too small as well.
    public func encode(into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) {
        guard buffer.count >= Self.size else {
            var scratch = InlineArray<20, UInt8>(repeating: 0)  // LogRecord.size
            var span = scratch.mutableSpan
            try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) in try write(into: raw) }
            throw PumpWireError(.bufferTooSmall, at: 0)
        }
        try write(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Self.size]))
    }

    private func write(into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) {
        var writer = ByteWriter(buffer)
        try writer.writeUInt8(recordType.rawValue)
        try writer.writeUInt8(0)
        try writer.writeUInt32(time)
        switch body {
        case .therapyChanged(let record): try record.writeBody(to: &writer)
        case .bolusScheduleChanged(let record): try record.writeBody(to: &writer)
        case .bolusDelivered(let record): try record.writeBody(to: &writer)
        case .refilled(let record): try record.writeBody(to: &writer)
        case .clockChanged(let record): try record.writeBody(to: &writer)
        case .alarmRaised(let record): try record.writeBody(to: &writer)
        case .alarmCleared(let record): try record.writeBody(to: &writer)
        case .dailyDelivery(let record): try record.writeBody(to: &writer)
        case .devicePaired(let record): try record.writeBody(to: &writer)
        case .deviceUnpaired(let record): try record.writeBody(to: &writer)
        case .sessionStarted(let record): try record.writeBody(to: &writer)
        case .sessionEnded(let record): try record.writeBody(to: &writer)
        case .securityRejection(let record): try record.writeBody(to: &writer)
        }
        try writer.writeUInt16(CRC16.checksum(writer.written))
        let decoded = try LogRecord(decoding: UnsafeRawBufferPointer(writer.written), region: nil)
        try require(decoded == self, .fieldOutOfRange, at: 0)
    }
}

extension ByteReader {
    /// Bytes a record body does not use: each must be 0, else NON_CANONICAL at its offset.
    mutating func readUnused(count: Int) throws(PumpWireError) {
        for _ in 0..<count { _ = try readFlags(allowed: 0) }
    }
}

extension ByteWriter {
    mutating func writeUnused(count: Int) throws(PumpWireError) {
        for _ in 0..<count { try writeUInt8(0) }
    }
}
