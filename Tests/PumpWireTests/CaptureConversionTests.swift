import Foundation
import PumpWire
import PumpWireCore
import Testing

/// `capture --from` keeps meaning (spec 14.4): validating the capture it writes gives the findings
/// of validating its source, at the same source offsets, and no packet it writes is refused.
@Suite("Converting a stream into a capture keeps its findings (spec 14.4)")
struct CaptureConversionTests {
    /// A finding placed back in the source stream: code, stream offset of the item, error offset.
    struct Placed: Equatable, CustomStringConvertible {
        var code: UInt16
        var sourceOffset: Int?
        var offset: Int?
        var offsetFrom: ValidationFinding.OffsetBase?
        var description: String { "\(code)@\(sourceOffset.map(String.init) ?? "-")+\(offset.map(String.init) ?? "-")\(offsetFrom.map { "/\($0.rawValue)" } ?? "")" }
    }

    struct Conversion {
        var packets: [[UInt8]] = []
        var starts: [Int] = []
        var dropped = 0
        var forced = 0
    }

    static func findings(ofStream bytes: [UInt8]) -> [Placed] {
        var found: [Placed] = []
        _ = CaptureValidator.validate(bytes: bytes, as: .raw) { finding in
            found.append(Placed(code: finding.code, sourceOffset: finding.place.streamOffset, offset: finding.offset, offsetFrom: finding.offsetFrom))
        }
        return found
    }

    static func convert(_ input: CaptureInput) -> Conversion {
        var conversion = Conversion()
        let converter = CaptureConverter { data, _, start in
            conversion.packets.append(data)
            conversion.starts.append(start ?? -1)
        }
        converter.convert(input)
        conversion.dropped = converter.noiseBytesDropped
        conversion.forced = converter.forcedCuts
        return conversion
    }

    /// The findings of the capture written from `conversion`, placed back at source offsets.
    static func findings(ofCapture conversion: Conversion) -> [Placed] {
        let capture = CaptureWriter.capture(of: conversion.packets)
        var found: [Placed] = []
        _ = CaptureValidator.validate(bytes: capture, as: .pcapng) { finding in
            let source = finding.place.packet.flatMap { packet in finding.place.streamOffset.map { conversion.starts[packet - 1] + $0 } }
            found.append(Placed(code: finding.code, sourceOffset: source, offset: finding.offset, offsetFrom: finding.offsetFrom))
        }
        return found
    }

    /// Checks the property on one stream, read from memory or from a file (in windows).
    static func check(_ stream: [UInt8], throughFile: Bool = false) throws -> Conversion {
        let input: CaptureInput
        if throughFile {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("pumpwire-conversion-\(UUID().uuidString).bin")
            try Data(stream).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            input = try CaptureInput.open(url.path, as: .raw)
            let conversion = convert(input)
            try verify(stream, conversion)
            return conversion
        }
        input = try CaptureInput.open(bytes: stream, name: "stream", as: .raw)
        let conversion = convert(input)
        try verify(stream, conversion)
        return conversion
    }

    static func verify(_ stream: [UInt8], _ conversion: Conversion) throws {
        #expect(conversion.packets.allSatisfy { !$0.isEmpty && $0.count <= CaptureFormat.maxPacketLength })
        let fromCapture = findings(ofCapture: conversion)
        #expect(!fromCapture.contains { (80...83).contains($0.code) }, "a packet its own reader refuses")
        #expect(fromCapture == findings(ofStream: stream))
        // Every byte is kept but noise left out of over-long runs.
        #expect(conversion.packets.reduce(0) { $0 + $1.count } + conversion.dropped == stream.count)
    }

    @Test("Random streams of frames, noise, corrupted and cut frames", arguments: 0..<60)
    func randomStreams(seed: Int) throws {
        var rng = SplitMix(state: UInt64(seed) &+ 1000)
        let conversion = try Self.check(CaptureTests.randomStream(&rng))
        #expect(conversion.forced == 0)
    }

    @Test("A frame with a bad CRC whose bytes hold a5 c3 stays one packet with what it covers")
    func badFrameHoldingSyncWords() throws {
        let good = sessionFrames("Required.Session.Complete")
        var bad = good[1]
        bad[12] = 0xA5
        bad[13] = 0xC3
        let stream = good[0] + bad + good[2] + good[3]
        let conversion = try Self.check(stream)
        #expect(Self.findings(ofStream: stream).contains { $0.code == ErrorCode.badCRC.rawValue })
        // The bad frame and the frame its claimed length covers stay together: cut apart, the bad
        // frame would be TRUNCATED and the sync words inside it read as frames of their own.
        #expect(conversion.packets.contains { $0.starts(with: bad) && $0.count > bad.count })
    }

    @Test("A noise run longer than a packet: the packets after it are kept, and so are the findings")
    func longNoiseRun() throws {
        var rng = SplitMix(state: 7)
        let noise = (0..<200_000).map { _ in UInt8.random(in: 0...0x7F, using: &rng) }  // no a5: one run
        let frames = sessionFrames("Required.Session.Complete")
        let stream = frames[0] + noise + frames.dropFirst().flatMap { $0 }
        let conversion = try Self.check(stream, throughFile: true)
        #expect(conversion.dropped == 200_000 - CaptureFormat.maxPacketLength)
        #expect(conversion.packets.count == frames.count + 1)
    }

    @Test("A stream of several megabytes, read in windows, converts the same as in memory")
    func windowedStream() throws {
        var rng = SplitMix(state: 99)
        var stream: [UInt8] = []
        while stream.count < 3 << 20 { stream += CaptureTests.randomStream(&rng) }
        let fromFile = try Self.check(stream, throughFile: true)
        let inMemory = try Self.check(stream)
        #expect(fromFile.packets == inMemory.packets)
    }

    @Test("A capture file's packets are kept as they are")
    func captureFilePackets() throws {
        let frames = sessionFrames("Required.Session.Complete")
        let input = try CaptureInput.open(bytes: CaptureWriter.capture(of: frames, format: .pcap), name: "capture")
        #expect(input.format == .pcap)
        #expect(Self.convert(input).packets == frames)
    }

    @Test("A noise run of a5 bytes longer than a packet: no a5 is left as a packet's last byte")
    func longRunOfHalfSyncWords() throws {
        let frames = sessionFrames("Required.Session.Complete")
        let stream = frames[0] + [UInt8](repeating: 0xA5, count: 70_000) + frames[1]
        let conversion = try Self.check(stream)
        #expect(conversion.packets.allSatisfy { $0.last != 0xA5 || frames.contains($0) })
    }

    @Test("A capture file's packet cut by a snap length stays cut: PACKET_TRUNCATED is kept")
    func snapLengthKept() throws {
        let frame = sessionFrames("Required.Session.Complete")[0]
        var writer = CaptureWriter(format: .pcap)
        writer.add(Array(frame.prefix(5)), microseconds: 0, originalLength: frame.count)
        var written: [(data: [UInt8], original: Int?)] = []
        CaptureConverter { data, original, _ in written.append((data, original)) }
            .convert(try CaptureInput.open(bytes: writer.bytes, name: "cut"))
        #expect(written.count == 1 && written[0].data == Array(frame.prefix(5)) && written[0].original == frame.count)
    }
}
