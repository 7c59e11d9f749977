import Benchmark
import BenchZlib
import PumpWire
import PumpWireCore

/// A 256 KiB event log: 13107 records of spec 13.4 (bolus, refill, therapy change, clock change,
/// an hour apart) and 4 erased bytes, as a pump would hold it.
let eventLog256: [UInt8] = {
    var bytes: [UInt8] = []
    for index in 0..<13_107 {
        let time = 847_584_000 + UInt32(index) * 3600
        let body: LogRecord.Body = switch index % 4 {
        case 0: .bolusDelivered(BolusDeliveredRecord(kind: .periodic, outcome: .completed, volumeNanolitres: 5000, doseNanograms: 10_000, durationMinutes: 5))
        case 1: .refilled(RefilledRecord(drug: .baclofen, concentrationMicrogramsPerMillilitre: 2000, resultingReservoirMicrolitres: UInt32(20_000 - index % 20_000)))
        case 2: .therapyChanged(TherapyChangedRecord(prescriptionDigest: UInt32(index) &* 2_654_435_761, previousDigest: UInt32(index), source: .programmer))
        default: .clockChanged(ClockChangedRecord(previousTime: time - UInt32(index % 60)))
        }
        bytes += try! LogRecord(time: time, body: body).encoded()
    }
    return bytes + [0xFF, 0xFF, 0xFF, 0xFF]
}()

/// Memory images (issue: dumps end to end): reassembly plus CRC-32 of a raw 256 KiB image, and
/// reassembly plus inflate plus CRC-32 of the compressed one, each next to zlib doing the same
/// work directly in the same run. `mallocBytesCount` is every byte allocated in one rebuild: an
/// upper bound of the peak memory it needs.
func memoryImageBenchmarks() {
    let image = MemoryImage(region: .eventLog, regionOffset: 0, bytes: eventLog256)
    let rawChunks = image.chunks(compressionAllowed: false)
    let zlibChunks = image.chunks(compressionAllowed: true)
    let compressed = ZlibDeflate.compress(eventLog256)
    let output = UnsafeMutablePointer<UInt8>.allocate(capacity: eventLog256.count)
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .mallocBytesCount], scalingFactor: .one,
        maxDuration: .seconds(3), maxIterations: 2_000,
        thresholds: [.wallClock: .init(relative: [.p50: 35.0]), .mallocCountTotal: .init(absolute: [.p50: 0])])

    Benchmark(named("Dump/256 KiB raw/ImageReassembler: \(rawChunks.count) chunks and CRC-32"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var reassembler = ImageReassembler()
            for chunk in rawChunks { _ = try? reassembler.add(chunk) }
            blackHole(try? reassembler.finish())
        }
    }
    Benchmark(named("Dump/256 KiB raw/zlib crc32 directly (baseline)"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            eventLog256.withUnsafeBufferPointer { blackHole(crc32(0, $0.baseAddress, uInt($0.count))) }
        }
    }
    let target = UnsafeMutableRawBufferPointer.allocate(byteCount: eventLog256.count, alignment: 64)
    Benchmark(named("Dump/256 KiB raw/memcpy of the chunks' data and zlib crc32 (floor)"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            for chunk in rawChunks {
                chunk.data.withUnsafeBytes { bytes in
                    UnsafeMutableRawBufferPointer(rebasing: target[Int(chunk.dataOffset)..<(Int(chunk.dataOffset) + bytes.count)]).copyMemory(from: bytes)
                }
            }
            blackHole(crc32(0, target.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(target.count)))
        }
    }
    Benchmark(named("Dump/256 KiB zlib/ImageReassembler: \(zlibChunks.count) chunks, inflate and CRC-32"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var reassembler = ImageReassembler()
            for chunk in zlibChunks { _ = try? reassembler.add(chunk) }
            blackHole(try? reassembler.finish())
        }
    }
    Benchmark(named("Dump/256 KiB zlib/zlib uncompress and crc32 directly (baseline)"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var length = uLongf(eventLog256.count)
            _ = compressed.withUnsafeBufferPointer { uncompress(output, &length, $0.baseAddress, uLong($0.count)) }
            blackHole(crc32(0, output, uInt(length)))
        }
    }
    Benchmark(named("Dump/256 KiB zlib/zlib uncompress directly (baseline)"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var length = uLongf(eventLog256.count)
            _ = compressed.withUnsafeBufferPointer { uncompress(output, &length, $0.baseAddress, uLong($0.count)) }
            blackHole(output[0])
        }
    }
    Benchmark(named("Dump/256 KiB/LogReader: 13107 records"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            eventLog256.withUnsafeBytes { raw in
                var reader = LogReader(image: raw, region: .eventLog, regionOffset: 0)
                var count = 0
                while reader.next() != nil { count += 1 }
                blackHole(count)
            }
        }
    }
}
