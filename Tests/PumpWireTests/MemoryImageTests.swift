import Foundation
import PumpWire
import PumpWireConformance
import PumpWireCore
import Testing

/// Memory images end to end (spec 13): the pump's chunking, reassembly in any order, resumption,
/// bounded inflate, and the pump's logs.
@Suite("Memory images: transfer, reassembly, resumption and logs (spec 13)")
struct MemoryImageTests {
    /// A realistic event log: 2000 records, 40000 bytes.
    static let records: [LogRecord] = (0..<2000).map { index in
        let time = 847_584_000 + UInt32(index) * 3600
        switch index % 4 {
        case 0: return LogRecord(time: time, body: .bolusDelivered(BolusDeliveredRecord(
            kind: .periodic, outcome: .completed, volumeNanolitres: 5000, doseNanograms: 10_000, durationMinutes: 5)))
        case 1: return LogRecord(time: time, body: .refilled(RefilledRecord(drug: .baclofen, concentrationMicrogramsPerMillilitre: 2000,
                                                                               resultingReservoirMicrolitres: UInt32(20_000 - index))))
        case 2: return LogRecord(time: time, body: .therapyChanged(TherapyChangedRecord(prescriptionDigest: UInt32(index), previousDigest: 0, source: .programmer)))
        default: return LogRecord(time: time, body: .clockChanged(ClockChangedRecord(previousTime: time - 5)))
        }
    }
    static let image = MemoryImage(region: .eventLog, regionOffset: 0, bytes: try! LogRecord.image(of: records))

    func rebuild(_ chunks: [MemoryDumpChunk]) throws -> MemoryImage {
        var reassembler = ImageReassembler()
        for chunk in chunks { try reassembler.add(chunk) }
        return try reassembler.finish()
    }

    @Test("Raw and zlib transfers, in shuffled order with duplicates, rebuild the image", arguments: [false, true])
    func roundTrip(compressed: Bool) throws {
        let chunks = Self.image.chunks(compressionAllowed: compressed)
        #expect(chunks.allSatisfy { $0.encoding == (compressed ? .zlib : .raw) })
        #expect(chunks.count == (compressed ? chunks.count : (40_000 + 217) / 218))
        if compressed { #expect(chunks.count < 184 / 2, "a repetitive log compresses at least 2:1") }
        var generator = SeededGenerator(seed: 7)
        let shuffled = (chunks + chunks.prefix(3)).shuffled(using: &generator)
        var reassembler = ImageReassembler()
        var outcomes: [ImageReassembler.Outcome] = []
        for chunk in shuffled { outcomes.append(try reassembler.add(chunk)) }
        #expect(outcomes.filter { $0 == .duplicate }.count == 3)
        #expect(try reassembler.finish() == Self.image)
        // Every chunk encodes to a frame the decoder accepts (PW-ENC-5), with the request's sequence.
        for frame in Self.image.frames(sequence: 44, compressionAllowed: compressed) {
            let decoded = try Frame.decode(frame)
            #expect(decoded.sequence == 44)
        }
    }

    @Test("Incompressible images travel raw even when compression is allowed (PW-DUMP-12)")
    func incompressible() throws {
        var generator = SeededGenerator(seed: 3)
        let noise = MemoryImage(region: .rawAddress, regionOffset: 0x2000_0000, bytes: (0..<3000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let chunks = noise.chunks(compressionAllowed: true)
        #expect(chunks.allSatisfy { $0.encoding == .raw })
        #expect(try rebuild(chunks) == noise)
    }

    @Test("The core's CRC-32 and zlib's agree on every image")
    func crcAgreement() {
        for length in [1, 5, 218, 219, 40_000] {
            let bytes = Array(Self.image.bytes.prefix(length))
            #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == ZlibCRC32.checksum(bytes))
        }
    }

    @Test("Missing chunks are listed, asked for again, and merged into the image (spec 13.3)", arguments: [false, true])
    func resume(compressed: Bool) throws {
        let chunks = Self.image.chunks(compressionAllowed: compressed)
        let lost: Set<Int> = compressed ? [chunks.count / 2, chunks.count - 1] : [3, 4, 5, 100, 183]
        var first = ImageReassembler()
        for (index, chunk) in chunks.enumerated() where !lost.contains(index) { try first.add(chunk) }
        #expect(first.missingChunks == lost.sorted())
        #expect(throws: PumpWireError(.chunksMissing, at: lost.min()! * 218)) { try first.finish() }

        var assembly = try #require(ImageAssembly(first))
        let requests = assembly.resumeRequests()
        if compressed {
            // Everything from the inflated prefix on, in one request.
            #expect(requests.count == 1 && requests[0].offset > 0 && Int(requests[0].offset + requests[0].length) == Self.image.bytes.count)
        } else {
            #expect(requests.map { [$0.offset, $0.length] } == [[654, 654], [21800, 218], [39894, 106]])
        }
        for request in requests {  // the pump answers each with an image of its own
            let start = Int(request.offset), end = start + Int(request.length)
            let piece = MemoryImage(region: .eventLog, regionOffset: request.offset, bytes: Array(Self.image.bytes[start..<end]))
            try assembly.fill(with: try rebuild(piece.chunks(compressionAllowed: compressed)))
        }
        #expect(assembly.isComplete)
        #expect(try assembly.finish() == Self.image)
    }

    @Test("A resumed piece from memory that changed fails the whole image's CRC (PW-IMAGE-8)")
    func resumeAfterChange() throws {
        var first = ImageReassembler()
        for chunk in Self.image.chunks(compressionAllowed: false) where chunk.chunkIndex != 2 { try first.add(chunk) }
        var assembly = try #require(ImageAssembly(first))
        var changed = Array(Self.image.bytes[436..<654])
        changed[0] ^= 1
        try assembly.fill(with: MemoryImage(region: .eventLog, regionOffset: 436, bytes: changed))
        #expect(throws: PumpWireError(.imageCRCFailed, at: 0)) { try assembly.finish() }
        #expect(throws: PumpWireError(.chunkImageMismatch, at: 0)) {
            try assembly.fill(with: MemoryImage(region: .alarmLog, regionOffset: 436, bytes: changed))
        }
    }

    @Test("A decompression bomb stops after imageLength + 1 bytes of output")
    func bomb() {
        let bomb = ZlibDeflate.compress([UInt8](repeating: 0, count: 1 << 20))
        let inflater = ZlibInflater(imageLength: 4096)
        bomb.withUnsafeBytes { inflater.feed($0) }
        #expect(inflater.state == .overLimit)
        #expect(inflater.outputCount == 4097)
        #expect(inflater.peakZlibBytes > 0 && inflater.peakZlibBytes < 64 * 1024, "zlib's state is bounded: \(inflater.peakZlibBytes)")
    }

    @Test("Every record type encodes, decodes and re-encodes to itself")
    func recordRoundTrip() throws {
        let bodies: [LogRecord.Body] = [
            .therapyChanged(TherapyChangedRecord(prescriptionDigest: 1, previousDigest: 2, source: .factoryDefault)),
            .bolusScheduleChanged(BolusScheduleChangedRecord(scheduleDigest: 3, previousDigest: 4)),
            .bolusDelivered(BolusDeliveredRecord(kind: .patient, outcome: .stoppedByAlarm, volumeNanolitres: 60_000_000, doseNanograms: 100_000_000, durationMinutes: 1440)),
            .refilled(RefilledRecord(drug: .ziconotide, concentrationMicrogramsPerMillilitre: 100_000, resultingReservoirMicrolitres: 60_000)),
            .clockChanged(ClockChangedRecord(previousTime: 0xFFFF_FFFE)),
            .alarmRaised(AlarmRaisedRecord(alarm: .emptyReservoir, detail: 0)),
            .alarmCleared(AlarmClearedRecord(alarm: .catheterOcclusion, cause: .resolved)),
            .dailyDelivery(DailyDeliveryRecord(basalVolumeNanolitres: 0, bolusVolumeNanolitres: 0, bolusCount: 0)),
        ]
        for body in bodies {
            let record = LogRecord(time: 847_584_000, body: body)
            let bytes = try record.encoded()
            let items = LogReader.items(in: bytes, region: nil, regionOffset: 0)
            #expect(items == [.record(offset: 0, record)])
            #expect(try LogRecord(decoding: bytes.withUnsafeBytes { UnsafeRawBufferPointer($0) }, region: nil).encoded() == bytes)
        }
        // The encoder refuses what a reader would reject (out of range, an alarm detail where none is allowed).
        #expect(throws: PumpWireError.self) {
            try LogRecord(time: 1, body: .alarmRaised(AlarmRaisedRecord(alarm: .motorStall, detail: 5))).encoded()
        }
        #expect(throws: PumpWireError.self) {
            try LogRecord(time: 5, body: .dailyDelivery(DailyDeliveryRecord(basalVolumeNanolitres: 0, bolusVolumeNanolitres: 0, bolusCount: 0))).encoded()
        }
    }

    @Test("The library's JSON views of records equal the vectors' (PW-JSON-6)")
    func recordViews() throws {
        var checked = 0
        for vector in corpus.vectors where vector.kind == "log" {
            let region = try #require(MemoryRegion.names.first { $0.value == vector.json["region"]?.stringValue }?.key)
            let items = LogReader.items(in: try #require(vector.bytes("input")), region: region,
                                        regionOffset: UInt32(vector.json["regionOffset"]?.integerValue ?? 0))
            for (item, expected) in zip(items, vector.json["items"]?.arrayValue ?? []) {
                guard case .record = item, let decoded = expected["decoded"] else { continue }
                #expect(PumpWireJSON.view(of: item) == decoded, "\(vector.name)")
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    @Test("A damaged record is reported and the records after it are still read (PW-LOG-2)")
    func damagedRecord() {
        var bytes = Self.image.bytes
        bytes[20 * 7 + 9] ^= 0x10
        let items = LogReader.items(in: bytes, region: .eventLog, regionOffset: 0)
        #expect(items.count == 2000)
        #expect(items[7] == .rejected(offset: 140, PumpWireError(.recordCRCMismatch, at: 158)))
        #expect(items[8] == .record(offset: 160, Self.records[8]))
    }

    @Test("The session checker rebuilds zlib images and flags compression that was not allowed")
    func sessionChecker() throws {
        func request(_ compression: Bool) throws -> [UInt8] {
            try Frame(sequence: 3, message: .memoryDumpRequest(MemoryDumpRequest(region: .eventLog, compressionAllowed: compression, offset: 0, length: 40_000))).encoded()
        }
        let frames = Self.image.frames(sequence: 3, compressionAllowed: true)
        #expect(SessionChecker.check([try request(true)] + frames).isEmpty)
        #expect(SessionChecker.check([try request(false)] + frames) == [SessionFinding(frameIndex: 1, code: .encodingNotAllowed)])
        #expect(SessionChecker.check([try request(true)] + frames.reversed()).isEmpty)
    }
}
