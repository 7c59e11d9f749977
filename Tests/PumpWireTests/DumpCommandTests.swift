import Foundation
import PumpWire
import PumpWireCore
import Testing

@Suite("pumpwire dump reassemble and show", .serialized)
struct DumpCommandTests {
    let image = MemoryImageTests.image
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pumpwire-dump-\(getpid())")

    func write(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func hexLines(_ frames: [[UInt8]]) -> String { frames.map { Hex.encode($0) }.joined(separator: "\n") + "\n" }

    @Test("A compressed transfer with lost chunks and its resumption answer rebuild the image; the image file reads back")
    func reassembleWithResumption() throws {
        let frames = image.frames(sequence: 5, compressionAllowed: true)
        let kept = frames.enumerated().filter { $0.offset != 10 && $0.offset != 11 }.map(\.element)
        // First only what arrived: incomplete, with the request that fetches the rest (PW-IMAGE-7).
        let partial = try pumpwire(["dump", "reassemble", try write("partial.hex", hexLines(kept)), "--format", "json"])
        #expect(partial.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(partial.out.utf8)) as? [String: Any])
        #expect(report["complete"] as? Bool == false)
        #expect(report["missingChunks"] as? [Int] == [10, 11])
        #expect(report["recoveredChunks"] as? [Int] == [])
        // PW-IMAGE-3: at the first missing chunk's transfer offset, 218 x 10, not at an inflated offset.
        let error = try #require(report["error"] as? [String: Any])
        #expect(error["name"] as? String == "CHUNKS_MISSING" && error["offset"] as? Int == 2180)
        let resume = try #require((report["resumeRequests"] as? [[String: Any]])?.first)
        let offset = try #require(resume["offset"] as? Int), length = try #require(resume["length"] as? Int)
        #expect(offset > 0 && offset + length == image.bytes.count)

        // Then with the pump's answer to that request: complete, and written out.
        let piece = MemoryImage(region: .eventLog, regionOffset: UInt32(offset), bytes: Array(image.bytes[offset...]))
        let answer = piece.frames(sequence: 6, compressionAllowed: true)
        let output = directory.appendingPathComponent("image.bin").path
        let whole = try pumpwire(["dump", "reassemble", try write("all.hex", hexLines(kept + answer)), "--output", output])
        #expect(whole.status == 0, "\(whole.out)\(whole.err)")
        #expect(whole.out.contains("image: complete, 40000 bytes"))
        #expect(whole.out.contains("chunks 10, 11 of the first transfer were lost and filled by resumption transfers"))
        let wholeJSON = try pumpwire(["dump", "reassemble", try write("all.hex", hexLines(kept + answer)), "--format", "json"])
        let wholeReport = try #require(try JSONSerialization.jsonObject(with: Data(wholeJSON.out.utf8)) as? [String: Any])
        #expect(wholeReport["complete"] as? Bool == true)
        #expect(wholeReport["missingChunks"] as? [Int] == [] && wholeReport["recoveredChunks"] as? [Int] == [10, 11])
        #expect(whole.out.contains("records: 2000 read, 0 damaged"))
        #expect(FileManager.default.contents(atPath: output) == Data(image.bytes))

        let shown = try pumpwire(["dump", "show", output, "--region", "eventLog", "--format", "json"])
        #expect(shown.status == 0)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [[String: Any]])
        #expect(records.count == 2000)
        #expect(records[0]["record"] as? String == "bolusDelivered" && records[0]["kind"] as? String == "periodic")
    }

    @Test("The README's example capture: a lost pair of chunks, resumed, gives the 200 records")
    func readmeCapture() throws {
        let result = try pumpwire(["dump", "reassemble", "examples/dumps/eventlog-resumed.hex"])
        #expect(result.status == 0)
        #expect(result.out.contains("chunks: 7 added, 0 duplicates, 7 from resumption transfers, 0 rejected"))
        #expect(result.out.contains("image: complete, 4000 bytes, CRC-32 0x15932b8b matches"))
        #expect(result.out.contains("records: 200 read, 0 damaged, 0 erased slots"))
    }

    @Test("The README's example capture is a clean session: its resumption abandons the partly answered dump (PW-SESSION-9)")
    func readmeCaptureValidates() throws {
        let result = try pumpwire(["validate", "examples/dumps/eventlog-resumed.hex"])
        #expect(result.status == 0, "\(result.out)")
        #expect(result.out.contains("no findings"))
    }

    @Test("Damaged records are reported with their offsets and the rest still read; exit status 1")
    func damagedRecords() throws {
        var bytes = image.bytes
        bytes[45] ^= 0xFF
        let path = directory.appendingPathComponent("damaged.bin").path
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let shown = try pumpwire(["dump", "show", path, "--region", "eventLog"])
        #expect(shown.status == 1)
        #expect(shown.out.contains("records: 1999 read, 1 damaged"))
        #expect(shown.out.contains("40  damaged: RECORD_CRC_MISMATCH (60) at offset 58"))
        #expect(try pumpwire(["dump", "show", path, "--region", "rawAddress"]).status == 2)
    }

    @Test("A conflicting chunk is reported with its stream offset, not fatal")
    func conflictingChunk() throws {
        var frames = image.frames(sequence: 5, compressionAllowed: false)
        var conflicting = frames[1]
        conflicting[9 + 22 + 3] ^= 1
        Frame.setCRC(in: &conflicting)
        frames.insert(conflicting, at: 2)
        let result = try pumpwire(["dump", "reassemble", try write("conflict.hex", hexLines(frames))])
        #expect(result.status == 0, "\(result.out)")
        #expect(result.out.contains("CHUNK_DATA_CONFLICT (54) at offset 25"))
        #expect(result.out.contains("1 rejected"))
    }
}
