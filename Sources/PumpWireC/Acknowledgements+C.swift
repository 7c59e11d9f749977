import CPumpWire
import PumpWireCore

extension pw_acknowledgement: CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        value.pointee.acknowledged_type = try reader.readUInt8()
        value.pointee.digest = try reader.readUInt32()
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(value.pointee.acknowledged_type)
        try writer.writeUInt32(value.pointee.digest)
    }
}

extension pw_negative_acknowledgement: CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        value.pointee.rejected_type = try reader.readUInt8()
        value.pointee.error_code = try reader.readUInt16()
        value.pointee.error_offset = try reader.readUInt16()
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(value.pointee.rejected_type)
        try writer.writeUInt16(value.pointee.error_code)
        try writer.writeUInt16(value.pointee.error_offset)
    }
}

extension pw_unknown_message {
    /// PW-FRAME-8: the raw payload of a type the registry does not list (encoders lend it in
    /// place, see `CMessage.withPayload`).
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        try PumpWireError.check(reader.remaining <= Int(PW_MAX_MESSAGE_PAYLOAD), .payloadTooLarge, at: reader.offset)
        value.pointee.length = UInt16(truncatingIfNeeded: reader.remaining)
        let payload = withUnsafeMutablePointer(to: &value.pointee.payload) { cBytes($0, count: reader.remaining) }
        try reader.readBytes(into: payload)
    }
}
