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
            let body = record.body(pw_therapy_changed_record.self)
            body.pointee.prescription_digest = try reader.readUInt32()
            body.pointee.previous_digest = try reader.readUInt32()
            body.pointee.source = try reader.readUInt8()
        case .bolusScheduleChanged?:
            let body = record.body(pw_bolus_schedule_changed_record.self)
            body.pointee.schedule_digest = try reader.readUInt32()
            body.pointee.previous_digest = try reader.readUInt32()
        case .bolusDelivered?:
            let body = record.body(pw_bolus_delivered_record.self)
            body.pointee.kind = try reader.readUInt8()
            body.pointee.outcome = try reader.readUInt8()
            body.pointee.volume_nanolitres = try reader.readUInt32()
            body.pointee.dose_nanograms = try reader.readUInt32()
            body.pointee.duration_minutes = try reader.readUInt16()
        case .refilled?:
            let body = record.body(pw_refilled_record.self)
            body.pointee.drug = try reader.readUInt8()
            body.pointee.concentration_micrograms_per_millilitre = try reader.readUInt32()
            body.pointee.resulting_reservoir_microlitres = try reader.readUInt32()
        case .clockChanged?:
            record.body(pw_clock_changed_record.self).pointee.previous_time = try reader.readUInt32()
        case .alarmRaised?, .alarmCleared?:
            let body = record.body(pw_alarm_record.self)
            body.pointee.alarm = try reader.readUInt8()
            body.pointee.cause = try reader.readUInt8()
            body.pointee.detail = try reader.readUInt32()
        case .dailyDelivery?:
            let body = record.body(pw_daily_delivery_record.self)
            body.pointee.basal_volume_nanolitres = try reader.readUInt32()
            body.pointee.bolus_volume_nanolitres = try reader.readUInt32()
            body.pointee.bolus_count = try reader.readUInt16()
        case .devicePaired?, .deviceUnpaired?:
            let body = record.body(pw_device_slot_record.self)
            body.pointee.slot = try reader.readUInt8()
            body.pointee.role = try reader.readUInt8()
            body.pointee.key_digest = try reader.readUInt32()
            body.pointee.by_slot = try reader.readUInt8()
        case .sessionStarted?:
            let body = record.body(pw_session_started_record.self)
            body.pointee.slot = try reader.readUInt8()
            body.pointee.session_epoch = try reader.readUInt8()
            body.pointee.pattern = try reader.readUInt8()
            body.pointee.handshake_hash_prefix.0 = try reader.readUInt8()
            body.pointee.handshake_hash_prefix.1 = try reader.readUInt8()
            body.pointee.handshake_hash_prefix.2 = try reader.readUInt8()
            body.pointee.handshake_hash_prefix.3 = try reader.readUInt8()
        case .sessionEnded?:
            let body = record.body(pw_session_ended_record.self)
            body.pointee.slot = try reader.readUInt8()
            body.pointee.session_epoch = try reader.readUInt8()
            body.pointee.reason = try reader.readUInt8()
            body.pointee.frames_accepted = try reader.readUInt32()
        case .securityRejection?:
            let body = record.body(pw_security_rejection_record.self)
            body.pointee.slot = try reader.readUInt8()
            body.pointee.message_type = try reader.readUInt8()
            body.pointee.error_code = try reader.readUInt16()
            body.pointee.count = try reader.readUInt16()
            body.pointee.session_epoch = try reader.readUInt8()
        case nil:
            throw PumpWireError(.fieldOutOfRange, at: 0)
        }
        try PumpWireError.check(reader.offset - bodyStart <= bodySize, .lengthMismatch, at: reader.offset)
    }

    /// Writes the 20 bytes, CRC included, into `out` (20 bytes), then reads them back with the
    /// core's decoder, which accepts the record types of every log region. `record` is the
    /// caller's `const` record: only read, its union's members by address.
    static func write(_ record: UnsafeMutablePointer<pw_log_record>, to out: UnsafeMutableRawBufferPointer) throws(PumpWireError) {
        var writer = ByteWriter(out)
        let type = record.pointee.record_type
        try writer.writeUInt8(type)
        try writer.writeUInt8(0)
        try writer.writeUInt32(record.pointee.time)
        let bodyStart = writer.count
        switch LogRecordType(rawValue: type) {
        case .therapyChanged?:
            let body = record.body(pw_therapy_changed_record.self)
            try writer.writeUInt32(body.pointee.prescription_digest)
            try writer.writeUInt32(body.pointee.previous_digest)
            try writer.writeUInt8(body.pointee.source)
        case .bolusScheduleChanged?:
            let body = record.body(pw_bolus_schedule_changed_record.self)
            try writer.writeUInt32(body.pointee.schedule_digest)
            try writer.writeUInt32(body.pointee.previous_digest)
        case .bolusDelivered?:
            let body = record.body(pw_bolus_delivered_record.self)
            try writer.writeUInt8(body.pointee.kind)
            try writer.writeUInt8(body.pointee.outcome)
            try writer.writeUInt32(body.pointee.volume_nanolitres)
            try writer.writeUInt32(body.pointee.dose_nanograms)
            try writer.writeUInt16(body.pointee.duration_minutes)
        case .refilled?:
            let body = record.body(pw_refilled_record.self)
            try writer.writeUInt8(body.pointee.drug)
            try writer.writeUInt32(body.pointee.concentration_micrograms_per_millilitre)
            try writer.writeUInt32(body.pointee.resulting_reservoir_microlitres)
        case .clockChanged?:
            try writer.writeUInt32(record.body(pw_clock_changed_record.self).pointee.previous_time)
        case .alarmRaised?, .alarmCleared?:
            // alarm_raised and alarm_cleared are both this struct at the union's start.
            let body = record.body(pw_alarm_record.self)
            try writer.writeUInt8(body.pointee.alarm)
            try writer.writeUInt8(body.pointee.cause)
            try writer.writeUInt32(body.pointee.detail)
        case .dailyDelivery?:
            let body = record.body(pw_daily_delivery_record.self)
            try writer.writeUInt32(body.pointee.basal_volume_nanolitres)
            try writer.writeUInt32(body.pointee.bolus_volume_nanolitres)
            try writer.writeUInt16(body.pointee.bolus_count)
        case .devicePaired?, .deviceUnpaired?:
            let body = record.body(pw_device_slot_record.self)
            try writer.writeUInt8(body.pointee.slot)
            try writer.writeUInt8(body.pointee.role)
            try writer.writeUInt32(body.pointee.key_digest)
            try writer.writeUInt8(body.pointee.by_slot)
        case .sessionStarted?:
            let body = record.body(pw_session_started_record.self)
            try writer.writeUInt8(body.pointee.slot)
            try writer.writeUInt8(body.pointee.session_epoch)
            try writer.writeUInt8(body.pointee.pattern)
            try writer.writeUInt8(body.pointee.handshake_hash_prefix.0)
            try writer.writeUInt8(body.pointee.handshake_hash_prefix.1)
            try writer.writeUInt8(body.pointee.handshake_hash_prefix.2)
            try writer.writeUInt8(body.pointee.handshake_hash_prefix.3)
        case .sessionEnded?:
            let body = record.body(pw_session_ended_record.self)
            try writer.writeUInt8(body.pointee.slot)
            try writer.writeUInt8(body.pointee.session_epoch)
            try writer.writeUInt8(body.pointee.reason)
            try writer.writeUInt32(body.pointee.frames_accepted)
        case .securityRejection?:
            let body = record.body(pw_security_rejection_record.self)
            try writer.writeUInt8(body.pointee.slot)
            try writer.writeUInt8(body.pointee.message_type)
            try writer.writeUInt16(body.pointee.error_code)
            try writer.writeUInt16(body.pointee.count)
            try writer.writeUInt8(body.pointee.session_epoch)
        case nil:
            throw PumpWireError(.fieldOutOfRange, at: 0)  // PW-LOG-1 step 4
        }
        while writer.count < bodyStart + bodySize { try writer.writeUInt8(0) }  // unused bytes
        try writer.writeUInt16(CRC16.checksum(writer.written))
        _ = try LogRecord(decoding: writer.written, region: nil)
    }
}

@_cdecl("pw_log_record_encode")
public func pw_log_record_encode(
    _ record: UnsafePointer<pw_log_record>?, _ out: UnsafeMutablePointer<UInt8>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        // The record is checked in scratch first, so that a record a reader rejects is refused as
        // such even when `out` is NULL (PW-ENC-5 before BUFFER_TOO_SMALL).
        var scratch = InlineArray<20, UInt8>(repeating: 0)  // LogRecord.size
        var span = scratch.mutableSpan
        try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) in
            try pw_log_record.write(required(record), to: raw)
            var writer = ByteWriter(outputBytes(out, LogRecord.size))
            try writer.writeBytes(UnsafeRawBufferPointer(raw))
        }
    }
}
