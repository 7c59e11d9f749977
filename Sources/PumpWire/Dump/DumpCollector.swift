import PumpWireCore

/// Puts together the image a capture's chunks carry: the first transfer seen is the image asked
/// for, and later transfers that lie inside it (answers to resumption requests, spec 13.3) fill
/// its gaps. Nothing is lost silently: every chunk that does not fit is reported.
public struct DumpCollector {
    public enum ChunkOutcome: Equatable, Sendable {
        case added
        case duplicate
        /// A chunk of a transfer answering a resumption request.
        case resumption
        case rejected(PumpWireError)
    }

    /// The end of a collection.
    public struct Result: Sendable {
        /// The first transfer's description; nil when no chunk came.
        public var transfer: ImageReassembler.Transfer?
        /// The image, when complete and checked (PW-IMAGE-5, PW-IMAGE-8).
        public var image: MemoryImage?
        /// Why there is no image.
        public var error: PumpWireError?
        /// The first transfer's missing indices, and the requests that would fetch what is still unknown.
        public var missingChunks: [Int] = []
        public var resumeRequests: [MemoryDumpRequest] = []
        /// Resumption transfers that were complete and used, and those that failed.
        public var piecesUsed = 0
        public var pieceErrors: [PumpWireError] = []
    }

    private var first = ImageReassembler()
    private var pieces: [PieceKey: ImageReassembler] = [:]
    private var pieceOrder: [PieceKey] = []

    private struct PieceKey: Hashable {
        var regionOffset: UInt32
        var imageLength: UInt32
        var imageCrc32: UInt32
        var encoding: UInt8
    }

    public init() {}

    public mutating func add(_ chunk: MemoryDumpChunk) -> ChunkOutcome {
        do throws(PumpWireError) {
            return try first.add(chunk) == .added ? .added : .duplicate
        } catch {
            guard error.code == .chunkImageMismatch || error.code == .chunkBeyondTotal, isResumption(chunk) else { return .rejected(error) }
            let key = PieceKey(regionOffset: chunk.regionOffset, imageLength: chunk.imageLength, imageCrc32: chunk.imageCrc32,
                               encoding: chunk.encoding.rawValue)
            if pieces[key] == nil { pieceOrder.append(key) }
            do throws(PumpWireError) {
                try pieces[key, default: ImageReassembler()].add(chunk)
                return .resumption
            } catch {
                return .rejected(error)
            }
        }
    }

    /// A smaller image of the same region inside the first one.
    private func isResumption(_ chunk: MemoryDumpChunk) -> Bool {
        guard let transfer = first.transfer, chunk.region == transfer.region, chunk.regionOffset >= transfer.regionOffset else { return false }
        let start = Int(chunk.regionOffset - transfer.regionOffset)
        return start + Int(chunk.imageLength) <= transfer.imageLength && Int(chunk.imageLength) < transfer.imageLength
    }

    public func finish() -> Result {
        var result = Result(transfer: first.transfer)
        guard first.transfer != nil else { return result }
        if first.isComplete {
            do throws(PumpWireError) { result.image = try first.finish() } catch { result.error = error }
            return result
        }
        result.missingChunks = first.missingChunks
        var assembly = ImageAssembly(first)!
        for key in pieceOrder {
            do throws(PumpWireError) {
                try assembly.fill(with: try pieces[key]!.finish())
                result.piecesUsed += 1
            } catch {
                result.pieceErrors.append(error)
            }
        }
        do throws(PumpWireError) {
            result.image = try assembly.finish()
        } catch {
            // PW-IMAGE-3: a transfer finished with chunks missing is placed at its first missing
            // chunk's transfer offset (218 * index), not at the inflated image's first gap.
            if error.code == .chunksMissing, let first = result.missingChunks.first {
                result.error = PumpWireError(.chunksMissing, at: first * WireLimits.chunkDataSize)
            } else {
                result.error = error
            }
            result.resumeRequests = assembly.resumeRequests()
        }
        return result
    }
}
