/// 0x05, programmer to pump: read a range of the pump's memory (spec 9.7).
public struct MemoryDumpRequest: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x05

    public static let lengthRange: ClosedRange<UInt32> = 1...UInt32(WireLimits.maxDumpLength)

    public var region: MemoryRegion
    /// The pump may answer compressed; version 1 pumps always answer raw.
    public var compressionAllowed: Bool
    /// Byte offset in the region; for `rawAddress`, the absolute address.
    public var offset: UInt32
    public var length: UInt32

    public init(region: MemoryRegion, compressionAllowed: Bool = false, offset: UInt32, length: UInt32) {
        self.region = region
        self.compressionAllowed = compressionAllowed
        self.offset = offset
        self.length = length
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        region = try reader.readEnumeration(MemoryRegion.self)  // PW-DUMP-1
        compressionAllowed = try reader.readFlags(allowed: 0x01) != 0
        offset = try reader.readUInt32()
        let lengthOffset = reader.offset
        length = try reader.readUInt32(in: Self.lengthRange)
        // PW-DUMP-2: the range must end within the 32-bit address space.
        try require(widen(offset) + widen(length) <= 0x1_0000_0000, .fieldOutOfRange, at: lengthOffset)
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(region.rawValue)
        try writer.writeUInt8(compressionAllowed ? 1 : 0)
        try writer.writeUInt32(offset)
        try writer.writeUInt32(length)
    }

    public var payloadSize: Int { 10 }
}
