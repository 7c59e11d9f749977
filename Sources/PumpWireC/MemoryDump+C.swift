import CPumpWire
import PumpWireCore

extension pw_memory_dump_request: CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        value.pointee.region = try reader.readUInt8()
        value.pointee.flags = try reader.readUInt8()
        value.pointee.offset = try reader.readUInt32()
        value.pointee.length = try reader.readUInt32()
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(value.pointee.region)
        try writer.writeUInt8(value.pointee.flags)
        try writer.writeUInt32(value.pointee.offset)
        try writer.writeUInt32(value.pointee.length)
    }
}

extension pw_memory_dump_chunk: CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        value.pointee.region = try reader.readUInt8()
        value.pointee.encoding = try reader.readUInt8()
        value.pointee.chunk_index = try reader.readUInt16()
        value.pointee.chunk_count = try reader.readUInt16()
        value.pointee.region_offset = try reader.readUInt32()
        value.pointee.image_length = try reader.readUInt32()
        value.pointee.image_crc32 = try reader.readUInt32()
        value.pointee.data_offset = try reader.readUInt32()
        let dataOffset = reader.offset
        try PumpWireError.check(reader.remaining <= Int(PW_CHUNK_DATA_SIZE), .chunkSizeMismatch, at: dataOffset)
        value.pointee.data_length = UInt8(truncatingIfNeeded: reader.remaining)
        let data = withUnsafeMutablePointer(to: &value.pointee.data) { cBytes($0, count: reader.remaining) }
        try reader.readBytes(into: data)
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        let start = writer.count
        try writer.writeUInt8(value.pointee.region)
        try writer.writeUInt8(value.pointee.encoding)
        try writer.writeUInt16(value.pointee.chunk_index)
        try writer.writeUInt16(value.pointee.chunk_count)
        try writer.writeUInt32(value.pointee.region_offset)
        try writer.writeUInt32(value.pointee.image_length)
        try writer.writeUInt32(value.pointee.image_crc32)
        try writer.writeUInt32(value.pointee.data_offset)
        // PW-DUMP-7: a chunk never carries more than 218 bytes.
        let length = Int(value.pointee.data_length)
        try PumpWireError.check(length <= Int(PW_CHUNK_DATA_SIZE), .chunkSizeMismatch, at: writer.count - start)
        let data = withUnsafeMutablePointer(to: &value.pointee.data) { cBytes($0, count: length) }
        try writer.writeBytes(UnsafeRawBufferPointer(data))
    }
}
