import CPumpWire
import PumpWireCore

extension pw_text {
    /// PW-ENC-8: a length byte, then the text. Decoding NUL-terminates it for C.
    static func read(_ text: UnsafeMutablePointer<pw_text>, from reader: inout ByteReader) throws(PumpWireError) {
        let length = try reader.readUInt8()
        try PumpWireError.check(Int(length) <= Int(PW_MAX_TEXT_LENGTH), .fieldOutOfRange, at: reader.offset - 1)
        text.pointee.length = length
        let storage = withUnsafeMutablePointer(to: &text.pointee.text) { cBytes($0, count: Int(PW_MAX_TEXT_LENGTH) + 1) }
        try reader.readBytes(into: UnsafeMutableRawBufferPointer(rebasing: storage[0..<Int(length)]))
        storage[Int(length)] = 0
    }

    static func write(_ text: UnsafeMutablePointer<pw_text>, to writer: inout ByteWriter, payloadStart: Int) throws(PumpWireError) {
        let offset = writer.count - payloadStart
        let length = text.pointee.length
        try writer.writeUInt8(length)
        try PumpWireError.check(length >= 1 && Int(length) <= Int(PW_MAX_TEXT_LENGTH), .fieldOutOfRange, at: offset)
        let storage = withUnsafeMutablePointer(to: &text.pointee.text) { cBytes($0, count: Int(length)) }
        try writer.writeBytes(UnsafeRawBufferPointer(storage))
    }
}

extension pw_pump_status: CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        try pw_text.read(&value.pointee.model, from: &reader)
        try pw_text.read(&value.pointee.serial, from: &reader)
        value.pointee.firmware_major = try reader.readUInt8()
        value.pointee.firmware_minor = try reader.readUInt8()
        value.pointee.firmware_patch = try reader.readUInt8()
        value.pointee.battery_millivolts = try reader.readUInt16()
        value.pointee.status_flags = try reader.readUInt8()
        value.pointee.reservoir_volume_microlitres = try reader.readUInt32()
        value.pointee.active_alarms = try reader.readUInt16()
        value.pointee.pump_clock_time = try reader.readUInt32()
        value.pointee.prescription_digest = try reader.readUInt32()
        value.pointee.bolus_schedule_digest = try reader.readUInt32()
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        let start = writer.count
        try pw_text.write(&value.pointee.model, to: &writer, payloadStart: start)
        try pw_text.write(&value.pointee.serial, to: &writer, payloadStart: start)
        try writer.writeUInt8(value.pointee.firmware_major)
        try writer.writeUInt8(value.pointee.firmware_minor)
        try writer.writeUInt8(value.pointee.firmware_patch)
        try writer.writeUInt16(value.pointee.battery_millivolts)
        try writer.writeUInt8(value.pointee.status_flags)
        try writer.writeUInt32(value.pointee.reservoir_volume_microlitres)
        try writer.writeUInt16(value.pointee.active_alarms)
        try writer.writeUInt32(value.pointee.pump_clock_time)
        try writer.writeUInt32(value.pointee.prescription_digest)
        try writer.writeUInt32(value.pointee.bolus_schedule_digest)
    }
}
