/// How a dump image travels (spec 13.1).
public enum DumpEncoding: UInt8, Sendable {
    /// The transfer is the image.
    case raw = 0
    /// The transfer is one zlib stream of the image, never longer than the image (PW-DUMP-12).
    case zlib = 1
}

/// 0x85, pump to programmer: one piece of a memory image (spec 9.8).
public struct MemoryDumpChunk: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x85

    public static let chunkCountRange: ClosedRange<UInt16> = 1...UInt16(WireLimits.maxChunkCount)
    public static let imageLengthRange: ClosedRange<UInt32> = 1...UInt32(WireLimits.maxDumpLength)

    public var region: MemoryRegion
    public var encoding: DumpEncoding
    public var chunkIndex: UInt16
    public var chunkCount: UInt16
    /// The request's `offset`.
    public var regionOffset: UInt32
    public var imageLength: UInt32
    /// CRC-32 of the whole image (PW-DUMP-8).
    public var imageCrc32: UInt32
    /// Where `data` starts in the image: always `chunkIndex * 218` (PW-DUMP-6).
    public var dataOffset: UInt32
    public var data: BoundedArray<218, UInt8>

    public init(
        region: MemoryRegion, encoding: DumpEncoding = .raw, chunkIndex: UInt16, chunkCount: UInt16,
        regionOffset: UInt32, imageLength: UInt32, imageCrc32: UInt32, dataOffset: UInt32,
        data: BoundedArray<218, UInt8>
    ) {
        self.region = region
        self.encoding = encoding
        self.chunkIndex = chunkIndex
        self.chunkCount = chunkCount
        self.regionOffset = regionOffset
        self.imageLength = imageLength
        self.imageCrc32 = imageCrc32
        self.dataOffset = dataOffset
        self.data = data
    }

    /// The number of chunks an image of `imageLength` bytes takes.
    public static func chunkCount(forImageLength imageLength: UInt32) -> Int {
        let size = UInt32(WireLimits.chunkDataSize)
        return Int(imageLength / size + (imageLength % size == 0 ? 0 : 1))  // at most 2^32 / 218: fits Int32
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        region = try reader.readEnumeration(MemoryRegion.self)  // PW-DUMP-3
        encoding = try reader.readEnumeration(DumpEncoding.self)
        let indexOffset = reader.offset
        chunkIndex = try reader.readUInt16()
        chunkCount = try reader.readUInt16(in: Self.chunkCountRange)
        try require(chunkIndex < chunkCount, .chunkIndexOutOfRange, at: indexOffset)  // PW-DUMP-4
        regionOffset = try reader.readUInt32()
        let lengthOffset = reader.offset
        imageLength = try reader.readUInt32(in: Self.imageLengthRange)
        // PW-DUMP-9: the image must end within the 32-bit address space.
        try require(widen(regionOffset) + widen(imageLength) <= 0x1_0000_0000, .fieldOutOfRange, at: lengthOffset)
        let rawCount = Self.chunkCount(forImageLength: imageLength)
        try require(  // PW-DUMP-5: a zlib transfer is never longer than the image
            encoding == .raw ? Int(chunkCount) == rawCount : Int(chunkCount) <= rawCount,
            .chunkCountMismatch, at: lengthOffset)
        imageCrc32 = try reader.readUInt32()
        let dataOffsetOffset = reader.offset
        dataOffset = try reader.readUInt32()
        try require(  // PW-DUMP-6
            widen(dataOffset) == widen(chunkIndex) * widen(WireLimits.chunkDataSize),
            .chunkOffsetMismatch, at: dataOffsetOffset)
        let dataStart = reader.offset
        let isLast = chunkIndex == chunkCount - 1
        let imageRest = Int(imageLength) - Int(dataOffset)  // at least 1 for the last chunk (PW-DUMP-5)
        let bytes = reader.readRemainingBytes()
        let sizeFits =  // PW-DUMP-7
            if !isLast { bytes.count == WireLimits.chunkDataSize }
            else if encoding == .raw { bytes.count == imageRest }
            else { bytes.count >= 1 && bytes.count <= min(WireLimits.chunkDataSize, imageRest) }
        try require(sizeFits, .chunkSizeMismatch, at: dataStart)
        data = try BoundedArray(copying: bytes)
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(region.rawValue)
        try writer.writeUInt8(encoding.rawValue)
        try writer.writeUInt16(chunkIndex)
        try writer.writeUInt16(chunkCount)
        try writer.writeUInt32(regionOffset)
        try writer.writeUInt32(imageLength)
        try writer.writeUInt32(imageCrc32)
        try writer.writeUInt32(dataOffset)
        try data.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
    }

    public var payloadSize: Int { WireLimits.chunkHeaderSize + data.count }
}
