import Benchmark
import Foundation
import PumpWire
import PumpWireConformance
import PumpWireCore

/// A synthetic capture of realistic sessions, written at benchmark time (never committed): each
/// session interrogates, programs a prescription and a bolus schedule, interrogates again,
/// refills, and dumps the 256 KiB event log, raw in one session and zlib in the next. Sequence
/// numbers run on across sessions, so the whole file is one clean session (PW-CAP-2).
enum SyntheticCapture {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("pumpwire-validate-benchmark.pcapng").path
    static let targetSize = 1_000_000_000

    /// One packet block of a template session: its bytes and the request number within the session.
    struct Packet {
        var block: [UInt8]
        var request: UInt16
    }

    /// The frames of Required.Session.Complete up to the refill receipt, then a 256 KiB dump.
    static func session(compressed: Bool) -> [Packet] {
        let corpus = try! Corpus(directory: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../vectors").standardizedFileURL)
        let complete = corpus.vectors.first { $0.name == "Required.Session.Complete" }!.byteList("inputs")!
        var frames = complete.prefix(10).map { frame in (frame, UInt16(frame[5]) - 1) }
        let request = MemoryDumpRequest(region: .eventLog, compressionAllowed: compressed, offset: 0, length: UInt32(eventLog256.count))
        frames.append((try! Frame(sequence: 6, message: .memoryDumpRequest(request)).encoded(), 5))
        for chunk in MemoryImage(region: .eventLog, regionOffset: 0, bytes: eventLog256).chunks(compressionAllowed: compressed) {
            frames.append((try! Frame(sequence: 6, message: .memoryDumpChunk(chunk)).encoded(), 5))
        }
        return frames.map { frame, request in
            var writer = CaptureWriter(format: .pcapng)
            let header = writer.bytes.count
            writer.add(frame, microseconds: CaptureWriter.vectorEpochMicroseconds)
            return Packet(block: Array(writer.bytes[header...]), request: request)
        }
    }

    /// Writes the file if it is not there yet; returns its size.
    @discardableResult
    static func make() -> Int {
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size >= targetSize { return size }
        FileManager.default.createFile(atPath: path, contents: nil)
        let file = FileHandle(forWritingAtPath: path)!
        defer { try? file.close() }
        var out = CaptureWriter(format: .pcapng, comment: "PumpWire benchmark: synthetic sessions").bytes
        let templates = [session(compressed: false), session(compressed: true)]
        var written = 0
        var sessionIndex = 0
        let frameStart = 28  // an Enhanced Packet Block's header
        while written + out.count < targetSize {
            let base = UInt16(truncatingIfNeeded: sessionIndex * 6 + 1)
            for packet in templates[sessionIndex % 2] {
                var block = packet.block
                let sequence = base &+ packet.request
                block[frameStart + 5] = UInt8(sequence & 0xFF)
                block[frameStart + 6] = UInt8(sequence >> 8)
                let frameLength = Int(block[frameStart + 7]) | Int(block[frameStart + 8]) << 8
                let crcAt = frameStart + WireLimits.headerSize + frameLength
                let crc = block.withUnsafeBytes { CRC16.checksum(UnsafeRawBufferPointer(rebasing: $0[frameStart..<crcAt])) }
                block[crcAt] = UInt8(crc & 0xFF)
                block[crcAt + 1] = UInt8(crc >> 8)
                out += block
            }
            sessionIndex += 1
            if out.count >= 4 << 20 {
                file.write(Data(out))
                written += out.count
                out.removeAll(keepingCapacity: true)
            }
        }
        file.write(Data(out))
        return written + out.count
    }
}

/// Reads packets and does nothing with them: the floor that reading the file sets.
struct PacketCounter: CaptureConsumer {
    var bytes = 0
    mutating func packet(_ data: UnsafeRawBufferPointer, number: Int) { bytes &+= data.count }
    mutating func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int { window.count }
    mutating func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {}
}

/// Frame checks and reassembly only, no session: how much the session checks cost.
struct FrameOnlyConsumer: CaptureConsumer {
    var reader = StreamReader()
    var items = 0
    mutating func packet(_ data: UnsafeRawBufferPointer, number: Int) {
        var count = 0
        _ = reader.read(data, packet: number) { _, _ in count += 1 }
        items += count
    }
    mutating func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int { window.count }
    mutating func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {}
}

/// Validation of a 1 GB capture (issue 7): throughput and peak resident memory, next to reading
/// the file alone and to frame checks without the session, in the same run.
func validationBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 1,
        scalingFactor: .one, maxDuration: .seconds(60), maxIterations: 5)
    let setup: () -> Void = { SyntheticCapture.make() }
    let teardown: () -> Void = { if ProcessInfo.processInfo.environment["PUMPWIRE_KEEP_CAPTURE"] == nil { try? FileManager.default.removeItem(atPath: SyntheticCapture.path) } }

    Benchmark("Validate/1 GB pcapng/pumpwire validate: frames, reassembly, session, dumps", configuration: configuration, closure: { benchmark in
        var findings = 0
        let summary = try? CaptureValidator.validate(path: SyntheticCapture.path) { _ in findings += 1 }
        precondition(findings == 0 && (summary?.frames ?? 0) > 0, "the synthetic capture must be clean")
        blackHole(summary)
    }, setup: setup)
    Benchmark("Validate/1 GB pcapng/frame checks and reassembly only", configuration: configuration, closure: { benchmark in
        var consumer = FrameOnlyConsumer()
        CaptureReader.read(try! FileInput(path: SyntheticCapture.path), as: .pcapng, into: &consumer)
        blackHole(consumer.items)
    }, setup: setup)
    Benchmark("Validate/1 GB pcapng/reading the packets only (floor)", configuration: configuration, closure: { benchmark in
        var consumer = PacketCounter()
        CaptureReader.read(try! FileInput(path: SyntheticCapture.path), as: .pcapng, into: &consumer)
        blackHole(consumer.bytes)
    }, setup: setup, teardown: teardown)
}
