import PumpWireCore

/// One image put together from a transfer that lost chunks and the answers to resumption requests
/// (spec 13.3). The whole is checked against the first transfer's `imageCrc32` (PW-IMAGE-8).
public struct ImageAssembly: Sendable {
    public let region: MemoryRegion
    public let regionOffset: UInt32
    public let imageCrc32: UInt32
    private var bytes: [UInt8]
    /// Which image bytes are known, as sorted, disjoint ranges.
    public private(set) var known: [Range<Int>] = []

    /// Starts from what a first transfer's reassembler holds; nil before its first chunk.
    public init?(_ first: ImageReassembler) {
        guard let transfer = first.transfer else { return nil }
        region = transfer.region
        regionOffset = transfer.regionOffset
        imageCrc32 = transfer.imageCrc32
        bytes = [UInt8](repeating: 0, count: transfer.imageLength)
        for part in first.knownParts { fill(at: part.offset, with: part.bytes) }
    }

    public var imageLength: Int { bytes.count }

    /// The image ranges still unknown.
    public var missing: [Range<Int>] {
        var gaps: [Range<Int>] = []
        var next = 0
        for range in known {
            if range.lowerBound > next { gaps.append(next..<range.lowerBound) }
            next = range.upperBound
        }
        if next < bytes.count { gaps.append(next..<bytes.count) }
        return gaps
    }

    public var isComplete: Bool { missing.isEmpty }

    /// A request per missing range: for `raw` these are the runs of missing chunks, for `zlib` the
    /// rest of the image after its inflated prefix (PW-IMAGE-7).
    public func resumeRequests() -> [MemoryDumpRequest] {
        missing.map { MemoryDumpRequest(region: region, compressionAllowed: true, offset: regionOffset + UInt32($0.lowerBound), length: UInt32($0.count)) }
    }

    /// Fills part of the image from a checked image of its own (the answer to a resumption request).
    /// A piece of another region, or not inside this image, is CHUNK_IMAGE_MISMATCH.
    public mutating func fill(with piece: MemoryImage) throws(PumpWireError) {
        try PumpWireError.check(piece.region == region, .chunkImageMismatch, at: 0)
        let start = Int(piece.regionOffset) - Int(regionOffset)
        try PumpWireError.check(start >= 0 && start + piece.bytes.count <= bytes.count, .chunkImageMismatch, at: 6)
        fill(at: start, with: piece.bytes[...])
    }

    private mutating func fill(at start: Int, with piece: ArraySlice<UInt8>) {
        bytes.replaceSubrange(start..<(start + piece.count), with: piece)
        var ranges = known + [start..<(start + piece.count)]
        ranges.sort { $0.lowerBound < $1.lowerBound }
        known = ranges.reduce(into: []) { merged, range in
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
    }

    /// The whole image, once every byte is known and the CRC-32 matches (PW-IMAGE-8).
    public func finish() throws(PumpWireError) -> MemoryImage {
        if let gap = missing.first { throw PumpWireError(.chunksMissing, at: gap.lowerBound) }
        try PumpWireError.check(ZlibCRC32.checksum(bytes) == imageCrc32, .imageCRCFailed, at: 0)
        return MemoryImage(region: region, regionOffset: regionOffset, bytes: bytes)
    }
}
