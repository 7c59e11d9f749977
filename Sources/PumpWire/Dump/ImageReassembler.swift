import PumpWireCore

/// Rebuilds one memory image from the chunks of one transfer (spec 13.2): chunks in any order,
/// duplicates ignored, conflicts rejected, missing chunks listed, and the image inflated (for
/// `zlib`) under a hard output limit and checked against `imageCrc32` before anyone sees it.
public struct ImageReassembler: Sendable {
    public enum Outcome: Equatable, Sendable {
        case added
        /// The index had already arrived with the same data (PW-IMAGE-2 step 3).
        case duplicate
    }

    /// What the first chunk fixed for the whole transfer.
    public struct Transfer: Equatable, Sendable {
        public var region: MemoryRegion
        public var encoding: DumpEncoding
        public var chunkCount: Int
        public var regionOffset: UInt32
        public var imageLength: Int
        public var imageCrc32: UInt32

        init(_ chunk: MemoryDumpChunk) {
            region = chunk.region
            encoding = chunk.encoding
            chunkCount = Int(chunk.chunkCount)
            regionOffset = chunk.regionOffset
            imageLength = Int(chunk.imageLength)
            imageCrc32 = chunk.imageCrc32
        }
    }

    /// The deflate limit: no stream inflates more than 1032 to 1 (PW-IMAGE-5 step 1).
    public static let maxCompressionRatio = 1032

    public private(set) var transfer: Transfer?
    /// The transfer's bytes, sized from `imageLength` once it passed the decoder's limit (PW-IMAGE-4).
    private var data: [UInt8] = []
    private var received: [Bool] = []
    private var receivedCount = 0
    private var lastChunkSize = 0

    public init() {}

    public var isEmpty: Bool { transfer == nil }
    public var isComplete: Bool { transfer != nil && receivedCount == transfer!.chunkCount }

    /// Every index not yet arrived, in rising order (PW-IMAGE-3).
    public var missingChunks: [Int] { received.indices.filter { !received[$0] } }

    /// Adds one decoded chunk. A rejected chunk leaves the reassembler as it was (PW-IMAGE-2).
    @discardableResult
    public mutating func add(_ chunk: MemoryDumpChunk) throws(PumpWireError) -> Outcome {
        guard let transfer else {
            start(chunk)
            return .added
        }
        try PumpWireError.check(Int(chunk.chunkIndex) < transfer.chunkCount, .chunkBeyondTotal, at: 2)  // step 1
        // Step 2, in the spec's order, at each field's payload offset (no array: this runs for every chunk).
        try PumpWireError.check(chunk.region == transfer.region, .chunkImageMismatch, at: 0)
        try PumpWireError.check(chunk.encoding == transfer.encoding, .chunkImageMismatch, at: 1)
        try PumpWireError.check(Int(chunk.chunkCount) == transfer.chunkCount, .chunkImageMismatch, at: 4)
        try PumpWireError.check(chunk.regionOffset == transfer.regionOffset, .chunkImageMismatch, at: 6)
        try PumpWireError.check(Int(chunk.imageLength) == transfer.imageLength, .chunkImageMismatch, at: 10)
        try PumpWireError.check(chunk.imageCrc32 == transfer.imageCrc32, .chunkImageMismatch, at: 14)
        let index = Int(chunk.chunkIndex)
        let start = index * WireLimits.chunkDataSize
        if received[index] {  // step 3
            let held = data[start..<(start + (index == transfer.chunkCount - 1 ? lastChunkSize : WireLimits.chunkDataSize))]
            let incoming = chunk.data.bytes
            // A zlib transfer's last chunk may differ in length too: the first byte past the shorter differs.
            var differ = 0
            while differ < min(held.count, incoming.count), held[held.startIndex + differ] == incoming[differ] { differ += 1 }
            try PumpWireError.check(
                differ == held.count && differ == incoming.count, .chunkDataConflict, at: WireLimits.chunkHeaderSize + differ)
            return .duplicate
        }
        store(chunk)
        return .added
    }

    private mutating func start(_ chunk: MemoryDumpChunk) {
        let transfer = Transfer(chunk)
        self.transfer = transfer
        // imageLength <= 1 MiB (PW-DUMP-3) and chunkCount <= ceil(imageLength / 218) (PW-DUMP-5). A raw
        // transfer is the image, so its buffer is returned as the image without a copy.
        data = [UInt8](repeating: 0, count: transfer.encoding == .raw ? transfer.imageLength : transfer.chunkCount * WireLimits.chunkDataSize)
        received = [Bool](repeating: false, count: transfer.chunkCount)
        receivedCount = 0
        store(chunk)
    }

    private mutating func store(_ chunk: MemoryDumpChunk) {
        let index = Int(chunk.chunkIndex)
        let start = index * WireLimits.chunkDataSize
        chunk.data.withUnsafeBytes { bytes in
            data.withUnsafeMutableBytes { target in
                UnsafeMutableRawBufferPointer(rebasing: target[start..<(start + bytes.count)]).copyMemory(from: bytes)
            }
        }
        if index == transfer!.chunkCount - 1 { lastChunkSize = chunk.data.count }
        received[index] = true
        receivedCount += 1
    }

    /// The transfer's bytes, in index order, once complete.
    private var transferBytes: ArraySlice<UInt8> {
        data[0..<(WireLimits.chunkDataSize * (transfer!.chunkCount - 1) + lastChunkSize)]
    }

    /// Finishes the transfer: CHUNKS_MISSING if indices are missing (PW-IMAGE-3), else the image
    /// rebuilt and checked as PW-IMAGE-5 says.
    public func finish() throws(PumpWireError) -> MemoryImage {
        guard let transfer else { throw PumpWireError(.chunksMissing, at: 0) }
        if let first = missingChunks.first { throw PumpWireError(.chunksMissing, at: first * WireLimits.chunkDataSize) }
        let bytes: [UInt8]
        switch transfer.encoding {
        case .raw:
            bytes = data  // shares the buffer (copy on write)
        case .zlib:
            let transferLength = transferBytes.count
            try PumpWireError.check(  // step 1, before any inflating
                transfer.imageLength <= Self.maxCompressionRatio * transferLength, .compressionRatioExceeded, at: 0)
            bytes = try Self.inflate(transferBytes, imageLength: transfer.imageLength)
        }
        try PumpWireError.check(ZlibCRC32.checksum(bytes) == transfer.imageCrc32, .imageCRCFailed, at: 0)  // step 3
        return MemoryImage(region: transfer.region, regionOffset: transfer.regionOffset, bytes: bytes)
    }

    /// Step 2: a chunk at a time through the limited inflater.
    static func inflate(_ transfer: ArraySlice<UInt8>, imageLength: Int) throws(PumpWireError) -> [UInt8] {
        let inflater = ZlibInflater(imageLength: imageLength)
        transfer.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count, inflater.state == .needsInput {
                let end = min(raw.count, start + WireLimits.chunkDataSize)
                inflater.feed(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
            }
        }
        switch inflater.state {
        case .overLimit: throw PumpWireError(.imageLengthMismatch, at: 0)
        case .failed, .needsInput: throw PumpWireError(.inflateFailed, at: 0)
        case .ended:
            guard let image = inflater.takeImage() else { throw PumpWireError(.imageLengthMismatch, at: 0) }
            return image
        }
    }

    /// The image bytes known so far, as runs from image offset 0 (spec 13.3): for `raw`, the
    /// received chunks; for `zlib`, what inflates from the chunks held from index 0 on.
    public var knownParts: [(offset: Int, bytes: ArraySlice<UInt8>)] {
        guard let transfer else { return [] }
        let size = WireLimits.chunkDataSize
        switch transfer.encoding {
        case .raw:
            return received.indices.filter { received[$0] }.map { index in
                let end = min(transfer.imageLength, (index + 1) * size)
                return (index * size, data[(index * size)..<end])
            }
        case .zlib:
            var held = 0
            while held < received.count, received[held] { held += 1 }
            let end = held == received.count ? transferBytes.count : held * size
            let inflater = ZlibInflater(imageLength: transfer.imageLength)
            data[0..<end].withUnsafeBytes { inflater.feed($0) }
            let prefix = inflater.state == .failed || inflater.state == .overLimit ? [] : inflater.inflatedPrefix
            return prefix.isEmpty ? [] : [(0, prefix)]
        }
    }

    /// The requests that fetch what is missing (PW-IMAGE-7), each answered by a transfer of its own.
    public func resumeRequests() -> [MemoryDumpRequest] {
        ImageAssembly(self)?.resumeRequests() ?? []
    }

    /// Empties the reassembler for another transfer.
    public mutating func reset() {
        self = ImageReassembler()
    }
}
