import CPumpWire
import PumpWireCore

/// A 20-byte log record (spec 13.4) to and from `pw_log_record`, by the record layout: type,
/// reserved byte, time, a 12-byte body by type (unused bytes 0), CRC-16. As for messages, `read`
/// meets only slots the core's LogRecord decoder accepted, and `write` is checked by it.
extension pw_log_record {
    static let bodySize = 12

    static func read(_ record: UnsafeMutablePointer<pw_log_record>, from slot: UnsafeRawBufferPointer) throws(PumpWireError) {
        zero(record)
        var reader = ByteReader(slot)
        let type = try reader.readUInt8()
        record.pointee.record_type = type
        _ = try reader.readUInt8()  // reserved
        record.pointee.time = try reader.readUInt32()
        let bodyStart = reader.offset
        switch LogRecordType(rawValue: type) {
        case .therapyChanged?:
            record.pointee.body.therapy_changed.prescription_digest = try reader.readUInt32()
            record.pointee.body.therapy_changed.previous_digest = try reader.readUInt32()
            record.pointee.body.therapy_changed.source = try reader.readUInt8()
        case .bolusScheduleChanged?:
            record.pointee.body.bolus_schedule_changed.schedule_digest = try reader.readUInt32()
            record.pointee.body.bolus_schedule_changed.previous_digest = try reader.readUInt32()
        case .bolusDelivered?:
            record.pointee.body.bolus_delivered.kind = try reader.readUInt8()
            record.pointee.body.bolus_delivered.outcome = try reader.readUInt8()
            record.pointee.body.bolus_delivered.volume_nanolitres = try reader.readUInt32()
            record.pointee.body.bolus_delivered.dose_nanograms = try reader.readUInt32()
            record.pointee.body.bolus_delivered.duration_minutes = try reader.readUInt16()
        case .refilled?:
            record.pointee.body.refilled.drug = try reader.readUInt8()
            record.pointee.body.refilled.concentration_micrograms_per_millilitre = try reader.readUInt32()
            record.pointee.body.refilled.resulting_reservoir_microlitres = try reader.readUInt32()
        case .clockChanged?:
            record.pointee.body.clock_changed.previous_time = try reader.readUInt32()
        case .alarmRaised?:
            try readAlarm(&record.pointee.body.alarm_raised, from: &reader)
        case .alarmCleared?:
            try readAlarm(&record.pointee.body.alarm_cleared, from: &reader)
        case .dailyDelivery?:
            record.pointee.body.daily_delivery.basal_volume_nanolitres = try reader.readUInt32()
            record.pointee.body.daily_delivery.bolus_volume_nanolitres = try reader.readUInt32()
            record.pointee.body.daily_delivery.bolus_count = try reader.readUInt16()
        case nil:
            throw PumpWireError(.fieldOutOfRange, at: 0)
        }
        try PumpWireError.check(reader.offset - bodyStart <= bodySize, .lengthMismatch, at: reader.offset)
    }

    private static func readAlarm(_ alarm: UnsafeMutablePointer<pw_alarm_record>, from reader: inout ByteReader) throws(PumpWireError) {
        alarm.pointee.alarm = try reader.readUInt8()
        alarm.pointee.cause = try reader.readUInt8()
        alarm.pointee.detail = try reader.readUInt32()
    }

    /// Writes the 20 bytes, CRC included, into `out` (20 bytes), then reads them back with the
    /// core's decoder, which accepts the record types of every log region.
    static func write(_ record: UnsafeMutablePointer<pw_log_record>, to out: UnsafeMutableRawBufferPointer) throws(PumpWireError) {
        var writer = ByteWriter(out)
        let type = record.pointee.record_type
        try writer.writeUInt8(type)
        try writer.writeUInt8(0)
        try writer.writeUInt32(record.pointee.time)
        let bodyStart = writer.count
        switch LogRecordType(rawValue: type) {
        case .therapyChanged?:
            try writer.writeUInt32(record.pointee.body.therapy_changed.prescription_digest)
            try writer.writeUInt32(record.pointee.body.therapy_changed.previous_digest)
            try writer.writeUInt8(record.pointee.body.therapy_changed.source)
        case .bolusScheduleChanged?:
            try writer.writeUInt32(record.pointee.body.bolus_schedule_changed.schedule_digest)
            try writer.writeUInt32(record.pointee.body.bolus_schedule_changed.previous_digest)
        case .bolusDelivered?:
            try writer.writeUInt8(record.pointee.body.bolus_delivered.kind)
            try writer.writeUInt8(record.pointee.body.bolus_delivered.outcome)
            try writer.writeUInt32(record.pointee.body.bolus_delivered.volume_nanolitres)
            try writer.writeUInt32(record.pointee.body.bolus_delivered.dose_nanograms)
            try writer.writeUInt16(record.pointee.body.bolus_delivered.duration_minutes)
        case .refilled?:
            try writer.writeUInt8(record.pointee.body.refilled.drug)
            try writer.writeUInt32(record.pointee.body.refilled.concentration_micrograms_per_millilitre)
            try writer.writeUInt32(record.pointee.body.refilled.resulting_reservoir_microlitres)
        case .clockChanged?:
            try writer.writeUInt32(record.pointee.body.clock_changed.previous_time)
        case .alarmRaised?:
            try writeAlarm(&record.pointee.body.alarm_raised, to: &writer)
        case .alarmCleared?:
            try writeAlarm(&record.pointee.body.alarm_cleared, to: &writer)
        case .dailyDelivery?:
            try writer.writeUInt32(record.pointee.body.daily_delivery.basal_volume_nanolitres)
            try writer.writeUInt32(record.pointee.body.daily_delivery.bolus_volume_nanolitres)
            try writer.writeUInt16(record.pointee.body.daily_delivery.bolus_count)
        case nil:
            throw PumpWireError(.fieldOutOfRange, at: 0)  // PW-LOG-1 step 4
        }
        while writer.count < bodyStart + bodySize { try writer.writeUInt8(0) }  // unused bytes
        try writer.writeUInt16(CRC16.checksum(writer.written))
        _ = try LogRecord(decoding: writer.written, region: nil)
    }

    private static func writeAlarm(_ alarm: UnsafeMutablePointer<pw_alarm_record>, to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(alarm.pointee.alarm)
        try writer.writeUInt8(alarm.pointee.cause)
        try writer.writeUInt32(alarm.pointee.detail)
    }
}

@_cdecl("pw_log_record_encode")
public func pw_log_record_encode(
    _ record: UnsafePointer<pw_log_record>?, _ out: UnsafeMutablePointer<UInt8>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try pw_log_record.write(required(record), to: outputBytes(out, LogRecord.size))
    }
}
