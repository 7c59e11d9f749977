import CPumpWire
import PumpWireCore

extension pw_refill_confirmation: CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        value.pointee.drug = try reader.readUInt8()
        value.pointee.concentration_micrograms_per_millilitre = try reader.readUInt32()
        value.pointee.volume_withdrawn_microlitres = try reader.readUInt32()
        value.pointee.volume_added_microlitres = try reader.readUInt32()
        value.pointee.resulting_reservoir_microlitres = try reader.readUInt32()
        value.pointee.refill_time = try reader.readUInt32()
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(value.pointee.drug)
        try writer.writeUInt32(value.pointee.concentration_micrograms_per_millilitre)
        try writer.writeUInt32(value.pointee.volume_withdrawn_microlitres)
        try writer.writeUInt32(value.pointee.volume_added_microlitres)
        try writer.writeUInt32(value.pointee.resulting_reservoir_microlitres)
        try writer.writeUInt32(value.pointee.refill_time)
    }
}

extension pw_refill_receipt: CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        value.pointee.confirmation_digest = try reader.readUInt32()
        value.pointee.resulting_reservoir_microlitres = try reader.readUInt32()
        value.pointee.low_reservoir_alarm_time = try reader.readUInt32()
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(value.pointee.confirmation_digest)
        try writer.writeUInt32(value.pointee.resulting_reservoir_microlitres)
        try writer.writeUInt32(value.pointee.low_reservoir_alarm_time)
    }
}
