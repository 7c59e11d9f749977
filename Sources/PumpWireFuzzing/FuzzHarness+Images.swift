import PumpWire
import PumpWireCore

/// Memory images in the round-trip harness (spec 13): random logs written as records, sent raw or
/// compressed in shuffled chunks with duplicates and losses, rebuilt, resumed, and damaged.
extension FuzzHarness {
    mutating func checkImage() {
        report.images += 1
        let region = MemoryRegion(rawValue: UInt8(1 + random.below(4)))!
        var bytes: [UInt8]
        var records: [LogRecord] = []
        if region == .rawAddress {
            bytes = random.bytes(1 + Int(random.below(3000)))
        } else {
            records = (0..<(1 + Int(random.below(200)))).map { _ in generator.logRecord(in: region) }
            guard let written = try? LogRecord.image(of: records) else {
                record(FuzzFinding(invariant: "ValidRecordRefused", input: [], detail: "the record encoder refused a valid record", iteration: report.iterations))
                return
            }
            bytes = written
            // Written records read back as themselves, each at its slot (PW-LOG-1).
            let expected = records.enumerated().map { LogItem.record(offset: $0.offset * LogRecord.size, $0.element) }
            if LogReader.items(in: bytes, region: region, regionOffset: 0) != expected {
                record(FuzzFinding(invariant: "RecordsDiffer", input: bytes, detail: "a log image does not read back as its records", iteration: report.iterations))
                return
            }
            checkDamagedLog(bytes, region: region, records: records)
        }
        let image = MemoryImage(region: region, regionOffset: UInt32(random.below(1 << 20)) * 20, bytes: bytes)
        checkTransfer(image)
    }

    /// One byte changed: that slot alone is rejected (CRC-16 catches every one-byte change), and
    /// every other slot reads as before (PW-LOG-2).
    mutating func checkDamagedLog(_ bytes: [UInt8], region: MemoryRegion, records: [LogRecord]) {
        var damaged = bytes
        let at = Int(random.below(UInt64(bytes.count)))
        damaged[at] ^= UInt8(1 + random.below(255))
        let slot = at / LogRecord.size
        let items = LogReader.items(in: damaged, region: region, regionOffset: 0)
        var expected = records.enumerated().map { LogItem.record(offset: $0.offset * LogRecord.size, $0.element) }
        expected[slot] = .rejected(offset: slot * LogRecord.size, PumpWireError(.recordCRCMismatch, at: slot * LogRecord.size + 18))
        if items != expected {
            record(FuzzFinding(invariant: "DamageSpread", input: damaged, detail: "a change at \(at) was not confined to its slot", iteration: report.iterations))
        }
    }

    /// Shuffled chunks with duplicates rebuild the image; with chunks lost, the missing list is
    /// exact and resumption completes it; a damaged transfer never yields a wrong image.
    mutating func checkTransfer(_ image: MemoryImage) {
        let chunks = image.chunks(compressionAllowed: random.below(2) == 0)
        var order = chunks
        order.shuffle(using: &random)
        if random.below(2) == 0 { order.insert(order[Int(random.below(UInt64(order.count)))], at: Int(random.below(UInt64(order.count + 1)))) }
        let lost: Set<Int> = random.below(3) == 0 && chunks.count > 1 ? [Int(random.below(UInt64(chunks.count)))] : []
        var reassembler = ImageReassembler()
        for chunk in order where !lost.contains(Int(chunk.chunkIndex)) {
            do throws(PumpWireError) { try reassembler.add(chunk) } catch {
                record(FuzzFinding(invariant: "ChunkRejected", input: [], detail: "a valid chunk was rejected: \(error)", iteration: report.iterations))
                return
            }
        }
        if lost.isEmpty {
            if (try? reassembler.finish()) != image {
                record(FuzzFinding(invariant: "ImageDiffers", input: image.bytes, detail: "the chunks did not rebuild the image", iteration: report.iterations))
            }
        } else {
            guard reassembler.missingChunks == lost.sorted(), var assembly = ImageAssembly(reassembler) else {
                record(FuzzFinding(invariant: "MissingListWrong", input: image.bytes, detail: "lost \(lost), listed \(reassembler.missingChunks)", iteration: report.iterations))
                return
            }
            for request in assembly.resumeRequests() {
                let start = Int(request.offset - image.regionOffset)
                let piece = MemoryImage(region: image.region, regionOffset: request.offset, bytes: Array(image.bytes[start..<(start + Int(request.length))]))
                var again = ImageReassembler()
                for chunk in piece.chunks(compressionAllowed: random.below(2) == 0) { _ = try? again.add(chunk) }
                if let rebuilt = try? again.finish() { try? assembly.fill(with: rebuilt) }
            }
            if (try? assembly.finish()) != image {
                record(FuzzFinding(invariant: "ResumptionFailed", input: image.bytes, detail: "resuming \(lost) did not complete the image", iteration: report.iterations))
            }
        }
        checkDamagedTransfer(chunks)
    }

    /// A transfer with one data byte changed is either rejected with a rebuild code, or (if the
    /// change cancels out, which a CRC-32 makes vanishingly rare) gives an image that passes its check.
    mutating func checkDamagedTransfer(_ chunks: [MemoryDumpChunk]) {
        var damaged = chunks
        let index = Int(random.below(UInt64(chunks.count)))
        var data = damaged[index].data.bytes
        data[Int(random.below(UInt64(data.count)))] ^= UInt8(1 + random.below(255))
        damaged[index].data = try! BoundedArray(data)
        var reassembler = ImageReassembler()
        for chunk in damaged { _ = try? reassembler.add(chunk) }
        do throws(PumpWireError) {
            let image = try reassembler.finish()
            if image.crc32 != chunks[0].imageCrc32 || image.bytes.count != Int(chunks[0].imageLength) {
                record(FuzzFinding(invariant: "DamagedImageAccepted", input: data, detail: "an image that fails its check was returned", iteration: report.iterations))
            }
        } catch {
            if ![.imageCRCFailed, .inflateFailed, .imageLengthMismatch, .compressionRatioExceeded].contains(error.code) {
                record(FuzzFinding(invariant: "UnexpectedRebuildCode", input: data, detail: "\(error)", iteration: report.iterations))
            } else {
                report.rejections[error.code.rawValue, default: 0] += 1
            }
        }
    }
}
