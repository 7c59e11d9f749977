import Benchmark
import BenchZlib
import Foundation
import ProtoModels
import PumpWire
import PumpWireConformance
import PumpWireCore
import PumpWireFuzzing

// Every benchmark runs `benchmark.scaledIterations` operations per sample (scalingFactor .kilo
// for the small ones), so the medians the tool prints are per operation. Ratios between rows are
// what README.md reports; they come from one run of this file.

/// The headline: a time-of-day prescription with 8 steps (spec 9.3).
let prescription8: PrescriptionBlock = {
    var rx = DeclaredMessages.prescription(steps: 8)
    rx.maxDailyDoseNanograms = 1_000_000
    return rx
}()

/// The same prescription as a protobuf message, field for field.
let proto8: Pumpwire_Bench_PrescriptionBlock = {
    var message = Pumpwire_Bench_PrescriptionBlock()
    message.drug = UInt32(prescription8.drug.rawValue)
    message.mode = UInt32(prescription8.mode.rawValue)
    message.concentrationMicrogramsPerMillilitre = prescription8.concentrationMicrogramsPerMillilitre
    message.reservoirCapacityMicrolitres = prescription8.reservoirCapacityMicrolitres
    message.lowReservoirThresholdMicrolitres = prescription8.lowReservoirThresholdMicrolitres
    message.catheterVolumeMicrolitres = UInt32(prescription8.catheterVolumeMicrolitres)
    message.maxDailyDoseNanograms = prescription8.maxDailyDoseNanograms
    message.steps = prescription8.steps.map { step in
        var proto = Pumpwire_Bench_DayProfileStep()
        proto.startMinute = UInt32(step.startMinute)
        proto.doseRateNanogramsPerDay = step.doseRateNanogramsPerDay
        return proto
    }
    return message
}()

/// Typical and largest instances of each message family.
let families: [(String, Message, Message)] = {
    let D = DeclaredMessages.self
    var bigStatus = D.pumpStatus
    bigStatus.model = try! BoundedText(String(repeating: "M", count: 16))
    bigStatus.serial = try! BoundedText(String(repeating: "S", count: 16))
    var bigBolus = D.fullBolusSchedule
    bigBolus.periodicBoluses = try! BoundedArray(elements: (0..<8).map {
        PeriodicBolus(startMinute: UInt16($0 * 180), doseNanograms: 40_000, durationMinutes: 60)
    })
    let bigChunk = MemoryDumpChunk(
        region: .eventLog, chunkIndex: 0, chunkCount: 2, regionOffset: 0, imageLength: 300, imageCrc32: 0,
        dataOffset: 0, data: try! BoundedArray([UInt8](repeating: 0x5A, count: 218)))
    return [
        ("interrogationRequest", .interrogationRequest(InterrogationRequest()), .interrogationRequest(InterrogationRequest())),
        ("pumpStatus", .pumpStatus(D.pumpStatus), .pumpStatus(bigStatus)),
        ("prescriptionBlock", .prescriptionBlock(D.prescription), .prescriptionBlock(D.prescription(steps: 36))),
        ("bolusSchedule", .bolusSchedule(D.bolusSchedule), .bolusSchedule(bigBolus)),
        ("refillConfirmation", .refillConfirmation(D.refill), .refillConfirmation(D.refill)),
        ("refillReceipt", .refillReceipt(D.receipt), .refillReceipt(D.receipt)),
        ("memoryDumpRequest", .memoryDumpRequest(D.dumpRequest), .memoryDumpRequest(D.dumpRequest)),
        ("memoryDumpChunk", .memoryDumpChunk(D.dumpChunk), .memoryDumpChunk(bigChunk)),
        ("acknowledgement", .acknowledgement(D.acknowledgement), .acknowledgement(D.acknowledgement)),
        ("negativeAcknowledgement", .negativeAcknowledgement(D.negativeAcknowledgement), .negativeAcknowledgement(D.negativeAcknowledgement)),
    ]
}()

let buffers: [(String, [UInt8])] = [64, 1024, 262_144].map { size in
    var generator = SeededGenerator(seed: UInt64(size))
    return (size >= 1024 ? "\(size / 1024) KiB" : "\(size) B", generator.bytes(size))
}

/// Names with only letters, digits, `.`, `-` and `_`: the threshold files are named after them, and
/// package-benchmark reads them back by the raw name (a `/` or a space would never match).
func named(_ name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        .replacingOccurrences(of: "__", with: "_").trimmingCharacters(in: CharacterSet(charactersIn: "_"))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],  // instructions: perf counters are not available on this machine
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000,
        // Regressions fail `swift package benchmark thresholds check` (Thresholds/): wall clock may
        // drift within 35% (shared 2-core machines are noisy); allocations may not grow at all.
        thresholds: [
            .wallClock: .init(relative: [.p50: 35.0]),
            .mallocCountTotal: .init(absolute: [.p50: 0]),
        ])

    // MARK: The headline: an 8-step prescription, PumpWire against swift-protobuf and Foundation.

    let frame8 = try! Message.prescriptionBlock(prescription8).encodedFrames(sequence: 1)
    let protoBytes = try! proto8.serializedBytes() as [UInt8]
    let json8 = try! JSONEncoder().encode(prescription8)
    let plistEncoder: PropertyListEncoder = {
        let encoder = PropertyListEncoder()
        encoder.outputFormat = .binary
        return encoder
    }()
    let plist8 = try! plistEncoder.encode(prescription8)

    Benchmark(named("Prescription8/decode/PumpWire (frame, CRC checked)")) { benchmark in
        for _ in benchmark.scaledIterations {
            frame8.withUnsafeBytes { raw in blackHole(try! Frame.decode(raw)) }
        }
    }
    Benchmark(named("Prescription8/decode/PumpWire typed (FrameView + PrescriptionBlock, CRC checked)")) { benchmark in
        for _ in benchmark.scaledIterations {
            frame8.withUnsafeBytes { raw in
                let view = try! FrameView.decode(raw, exactly: true)
                blackHole(try! PrescriptionBlock.decode(payload: view.payload(in: raw), reportingOffset: FrameView.payloadOffset))
            }
        }
    }
    Benchmark(named("Prescription8/decode/swift-protobuf")) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! Pumpwire_Bench_PrescriptionBlock(serializedBytes: protoBytes))
        }
    }
    Benchmark(named("Prescription8/decode/JSONDecoder")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! JSONDecoder().decode(PrescriptionBlock.self, from: json8)) }
    }
    Benchmark(named("Prescription8/decode/PropertyListDecoder (binary)")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! PropertyListDecoder().decode(PrescriptionBlock.self, from: plist8)) }
    }

    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 8)
    let message8 = Message.prescriptionBlock(prescription8)
    Benchmark(named("Prescription8/encode/PumpWire (into a caller's buffer)")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! FrameEncoder.encode(message8, sequence: 1, into: output)) }
    }
    Benchmark(named("Prescription8/encode/PumpWire ([UInt8])")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! message8.encodedFrames(sequence: 1)) }
    }
    Benchmark(named("Prescription8/encode/swift-protobuf")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! proto8.serializedBytes() as [UInt8]) }
    }
    Benchmark(named("Prescription8/encode/JSONEncoder")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! JSONEncoder().encode(prescription8)) }
    }
    Benchmark(named("Prescription8/encode/PropertyListEncoder (binary)")) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! plistEncoder.encode(prescription8)) }
    }

    // MARK: Every message family, typical and largest, through the frame layer.

    for (name, typical, largest) in families {
        for (size, message) in [("typical", typical), ("largest", largest)] {
            let bytes = try! message.encodedFrames(sequence: 1)
            Benchmark(named("Frame/decode/\(name)/\(size)")) { benchmark in
                for _ in benchmark.scaledIterations { bytes.withUnsafeBytes { raw in blackHole(try! Frame.decode(raw)) } }
            }
            Benchmark(named("Frame/encode/\(name)/\(size)")) { benchmark in
                for _ in benchmark.scaledIterations { blackHole(try! FrameEncoder.encode(message, sequence: 1, into: output)) }
            }
        }
    }
    // The largest message: 48 steps in two fragments, reassembled.
    let fragments = StreamDecoder.frames(in: try! Message.prescriptionBlock(DeclaredMessages.prescription(steps: 48)).encodedFrames(sequence: 1))
    Benchmark(named("Frame/decode/prescriptionBlock/48 steps, 2 fragments reassembled")) { benchmark in
        for _ in benchmark.scaledIterations {
            var reassembler = Reassembler()
            for fragment in fragments {
                fragment.withUnsafeBytes { raw in
                    if try! reassembler.add(try! FrameView.decode(raw, exactly: true), in: raw) == .complete {
                        blackHole(try! reassembler.takeMessage())
                    }
                }
            }
        }
    }

    // MARK: CRCs: the core's pure-Swift ones, zlib called directly and through the host, memcpy as the ceiling.

    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: 262_144, alignment: 64)
    for (size, data) in buffers {
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal], scalingFactor: data.count >= 262_144 ? .one : .kilo,
            maxDuration: .seconds(2), maxIterations: 1_000,
            thresholds: [.wallClock: .init(relative: [.p50: 35.0]), .mallocCountTotal: .init(absolute: [.p50: 0])])
        Benchmark(named("CRC/\(size)/CRC-16 (core)"), configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations { data.withUnsafeBytes { blackHole(CRC16.checksum($0)) } }
        }
        Benchmark(named("CRC/\(size)/CRC-32 (core)"), configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations { data.withUnsafeBytes { blackHole(CRC32.checksum($0)) } }
        }
        Benchmark(named("CRC/\(size)/CRC-32 (zlib directly)"), configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                data.withUnsafeBufferPointer { blackHole(crc32(0, $0.baseAddress, uInt($0.count))) }
            }
        }
        Benchmark(named("CRC/\(size)/CRC-32 (zlib through the host)"), configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations { data.withUnsafeBytes { blackHole(ZlibCRC32.checksum($0)) } }
        }
        Benchmark(named("CRC/\(size)/memcpy (ceiling)"), configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                data.withUnsafeBytes { source in _ = memcpy(copy.baseAddress!, source.baseAddress!, source.count) }
                blackHole(copy[0])
            }
        }
    }

    // MARK: Memory images: reassembly, inflate and CRC-32 of a 256 KiB event log, next to zlib.

    securityBenchmarks(message8: message8)
    memoryImageBenchmarks()
    validationBenchmarks()
    pumpEngineBenchmarks()

    // MARK: The round-trip fuzz harness: one operation is one iteration.

    Benchmark(named("Fuzz/harness iteration"), configuration: .init(
        metrics: [.wallClock], scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 200,
        thresholds: [.wallClock: .init(relative: [.p50: 35.0])])) { benchmark in
        var harness = FuzzHarness(seed: 1)
        blackHole(harness.run(iterations: benchmark.scaledIterations.count, duration: nil))
    }
}
