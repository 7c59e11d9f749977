import PumpWireCore

/// A memory image: `bytes` of `region` from `regionOffset`, as a dump delivers it (spec 13).
public struct MemoryImage: Equatable, Sendable {
    public var region: MemoryRegion
    public var regionOffset: UInt32
    public var bytes: [UInt8]

    public init(region: MemoryRegion, regionOffset: UInt32, bytes: [UInt8]) {
        self.region = region
        self.regionOffset = regionOffset
        self.bytes = bytes
    }

    /// The CRC-32 every chunk carries as `imageCrc32` (spec section 3).
    public var crc32: UInt32 { ZlibCRC32.checksum(bytes) }

    /// The log records of a log region (spec 13.4); nothing for `rawAddress`.
    public var logItems: [LogItem] {
        guard region != .rawAddress else { return [] }
        return LogReader.items(in: bytes, region: region, regionOffset: regionOffset)
    }

    /// The pump's side: the image as the chunks of one transfer (spec 9.8, 13.1). With
    /// `compressionAllowed`, the transfer is `zlib` when that is no longer than the image
    /// (PW-DUMP-12), else `raw`. The image must be 1 to 1048576 bytes.
    public func chunks(compressionAllowed: Bool) -> [MemoryDumpChunk] {
        precondition((1...WireLimits.maxDumpLength).contains(bytes.count), "an image is 1 to 1048576 bytes")
        var encoding = DumpEncoding.raw
        var transfer = bytes
        if compressionAllowed {
            let compressed = ZlibDeflate.compress(bytes)
            if compressed.count <= bytes.count { (encoding, transfer) = (.zlib, compressed) }
        }
        return MemoryDumpChunk.chunks(
            carrying: transfer, encoding: encoding, region: region, regionOffset: regionOffset,
            imageLength: UInt32(bytes.count), imageCrc32: crc32)
    }

    /// The chunks as frames with the request's `sequence` (PW-SESSION-2).
    public func frames(sequence: UInt16, compressionAllowed: Bool) -> [[UInt8]] {
        chunks(compressionAllowed: compressionAllowed).map {
            try! Frame(sequence: sequence, message: .memoryDumpChunk($0)).encoded()
        }
    }
}

extension MemoryDumpChunk {
    /// A transfer (the image, or its zlib stream) cut into chunks of 218 bytes (spec 9.8), each
    /// carrying the image's description. The caller keeps the transfer within PW-DUMP-12.
    public static func chunks(
        carrying transfer: [UInt8], encoding: DumpEncoding, region: MemoryRegion, regionOffset: UInt32,
        imageLength: UInt32, imageCrc32: UInt32
    ) -> [MemoryDumpChunk] {
        let size = WireLimits.chunkDataSize
        let count = (transfer.count + size - 1) / size
        return (0..<count).map { index in
            let data = transfer[(index * size)..<min(transfer.count, (index + 1) * size)]
            return MemoryDumpChunk(
                region: region, encoding: encoding, chunkIndex: UInt16(index), chunkCount: UInt16(count),
                regionOffset: regionOffset, imageLength: imageLength, imageCrc32: imageCrc32,
                dataOffset: UInt32(index * size), data: try! BoundedArray(Array(data)))
        }
    }
}

extension LogReader {
    /// Every item of a log image, in image order.
    public static func items(in image: [UInt8], region: MemoryRegion?, regionOffset: UInt32) -> [LogItem] {
        image.withUnsafeBytes { raw in
            var reader = LogReader(image: raw, region: region, regionOffset: regionOffset)
            var items: [LogItem] = []
            while let item = reader.next() { items.append(item) }
            return items
        }
    }
}

extension LogRecord {
    /// The record's 20 bytes, CRC included.
    public func encoded() throws(PumpWireError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: LogRecord.size)
        let written = bytes.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) in try encode(into: raw) } }
        try written.get()
        return bytes
    }

    /// A log image of `records`, one slot each.
    public static func image(of records: [LogRecord]) throws(PumpWireError) -> [UInt8] {
        var bytes: [UInt8] = []
        for record in records { bytes += try record.encoded() }
        return bytes
    }
}
