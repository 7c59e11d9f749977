import Foundation
import PumpWire
import PumpWireConformance
@testable import PumpWireCore
import Testing

/// A small repeatable generator for the stream shapes below.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Frames of the session vectors: every message type, fragments and chunks among them.
let sessionFrames: [[UInt8]] = corpus.vectors.filter { $0.kind == "session" }.flatMap { $0.byteList("inputs") ?? [] }

/// The session vector `name`'s frames.
func sessionFrames(_ name: String) -> [[UInt8]] {
    corpus.vectors.first { $0.name == name }?.byteList("inputs") ?? []
}

@Suite("Captures (spec section 14)")
struct CaptureTests {
    /// Frames, noise, sync words without frames, corrupted and cut frames, in random order.
    static func randomStream(_ rng: inout SplitMix) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 20...120, using: &rng) {
            var frame = sessionFrames.randomElement(using: &rng)!
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: bytes += (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1: bytes += [0xA5]
            case 2: bytes += [0xA5, 0xC3]
            case 3: frame[Int.random(in: 0..<frame.count, using: &rng)] ^= 0x20; bytes += frame
            case 4: bytes += frame.prefix(Int.random(in: 1..<frame.count, using: &rng))
            default: bytes += frame
            }
        }
        return bytes
    }

    /// How a capture reader hands a long stream on: windows of `size` bytes, the unread tail again.
    static func readInWindows(_ bytes: [UInt8], size: Int) -> [StreamItem] {
        var reader = StreamReader()
        var items: [StreamItem] = []
        var position = 0
        bytes.withUnsafeBytes { raw in
            while true {
                let end = min(raw.count, position + size)
                let isFinal = end == raw.count
                position += reader.read(UnsafeRawBufferPointer(rebasing: raw[position..<end]), at: position, isFinal: isFinal) { item, _ in
                    items.append(item)
                }
                if isFinal { break }
            }
            reader.finish { item, _ in items.append(item) }
        }
        return items
    }

    @Test("A stream read in windows gives exactly the items of the whole stream (4.3, PW-FRAME-11)", arguments: 0..<40)
    func windowsChangeNothing(seed: Int) {
        var rng = SplitMix(state: UInt64(seed))
        let stream = Self.randomStream(&rng)
        let size = Int.random(in: (WireLimits.maxFrameSize + 1)...(WireLimits.maxFrameSize * 4), using: &rng)
        // Lengths may differ: a rejected item's search is cut at a window's end. Places and kinds may not.
        let windowed = Self.readInWindows(stream, size: size).map { "\($0.streamOffset) \($0.kind)" }
        let whole = StreamDecoder.decode(stream).map { "\($0.streamOffset) \($0.kind)" }
        #expect(windowed.count == whole.count, "seed \(seed), window \(size)")
        if let first = zip(windowed, whole).first(where: { $0 != $1 }) {
            Issue.record("seed \(seed), window \(size): \(first.0.prefix(200)) instead of \(first.1.prefix(200))")
        }
    }

    @Test("Noise across a window's end is one BAD_SYNC, and a search after a bad frame stays silent")
    func runsAcrossWindows() {
        let frame = sessionFrames[0]
        let size = WireLimits.maxFrameSize + 10
        for noise in [[UInt8](repeating: 0x11, count: 700), [UInt8](repeating: 0xA5, count: 700)] {
            let stream = frame + noise + frame
            let items = Self.readInWindows(stream, size: size)
            #expect(items.map(\.streamOffset) == [0, frame.count, frame.count + noise.count])
        }
        var bad = frame
        bad[bad.count - 1] ^= 1
        let stream = bad + [UInt8](repeating: 0x11, count: 700) + frame
        #expect(Self.readInWindows(stream, size: size).map(\.streamOffset) == [0, bad.count + 700])
    }

    @Test("Hex logs read as a stream give what Hex.decode gives, with the line of each byte (14.2)")
    func hexLogs() throws {
        let folder = packageRoot.appendingPathComponent("vectors/examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".hex") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            var decoder = HexLogDecoder()
            var bytes: [UInt8] = []
            var lines: [Int] = []
            var faults: [Int] = []
            Array(text.utf8).withUnsafeBytes { raw in
                // Three bytes at a time: lines and digit pairs split across reads.
                for start in stride(from: 0, to: raw.count, by: 3) {
                    decoder.decode(UnsafeRawBufferPointer(rebasing: raw[start..<min(raw.count, start + 3)]), into: &bytes, outputBase: 0,
                                   lineBegins: { line, _ in lines.append(line) }, fault: { faults.append($0) })
                }
            }
            decoder.finish { faults.append($0) }
            #expect(bytes == (try Hex.decode(text)), "\(name)")
            #expect(faults.isEmpty)
            let withDigits = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                .filter { $0.element.prefix { $0 != "#" && $0 != ";" }.contains { $0.isHexDigit } }
            #expect(lines == withDigits.map { $0.offset + 1 }, "\(name)")
        }
        var decoder = HexLogDecoder()
        var bytes: [UInt8] = []
        var faults: [Int] = []
        Array("0xa5c3\n01 0g 02\n 03 4 ; odd\n05\n7".utf8).withUnsafeBytes {
            decoder.decode($0, into: &bytes, outputBase: 0, lineBegins: { _, _ in }, fault: { faults.append($0) })
        }
        decoder.finish { faults.append($0) }
        #expect(bytes == [0xA5, 0xC3, 0x01, 0x03, 0x05])
        #expect(faults == [2, 3, 5])
    }

    @Test("The library's writer writes the committed captures byte for byte (PW-CAP-1)")
    func writerMatchesTheVectors() throws {
        let frames = sessionFrames("Required.Session.Complete")
        for format in CaptureWriter.Format.allCases {
            let committed = try Data(contentsOf: packageRoot.appendingPathComponent("vectors/captures/session-complete.\(format.rawValue)"))
            #expect(CaptureWriter.capture(of: frames, format: format, comment: "PumpWire vector Required.Session.Complete") == Array(committed), "\(format)")
        }
    }

    @Test("A big-endian pcapng section reads like a little-endian one (PW-CAP-2)")
    func bigEndianSections() {
        let frames = sessionFrames("Required.Session.DigestMismatch")
        func be(_ value: UInt64, _ width: Int) -> [UInt8] { (0..<width).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            be(UInt64(type), 4) + be(UInt64(12 + body.count), 4) + body + be(UInt64(12 + body.count), 4)
        }
        var file = block(0x0A0D_0D0A, be(0x1A2B_3C4D, 4) + be(1, 2) + be(0, 2) + [UInt8](repeating: 0xFF, count: 8))
        file += block(1, be(147, 2) + be(0, 2) + be(0, 4))
        for frame in frames {
            file += block(6, be(0, 4) + be(0, 4) + be(0, 4) + be(UInt64(frame.count), 4) + be(UInt64(frame.count), 4)
                + frame + [UInt8](repeating: 0, count: (4 - frame.count % 4) % 4))
        }
        var found: [ValidationFinding] = []
        let summary = CaptureValidator.validate(bytes: file) { found.append($0) }
        #expect(summary.format == .pcapng && summary.packets == 2 && summary.frames == 2)
        #expect(found.map(\.code) == [ErrorCode.digestMismatch.rawValue])
        #expect(found.first?.place == FindingPlace(packet: 2, streamOffset: 0))
    }

    @Test("Classic pcap: big-endian, nanoseconds, a snap length and a cut record (PW-CAP-2, PW-CAP-3)")
    func classicPcap() {
        let frames = sessionFrames("Required.Session.Complete")
        func be(_ value: UInt64, _ width: Int) -> [UInt8] { (0..<width).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        var file = be(0xA1B2_3C4D, 4) + be(2, 2) + be(4, 2) + be(0, 4) + be(0, 4) + be(65535, 4) + be(147, 4)
        file += be(0, 4) + be(0, 4) + be(UInt64(frames[0].count), 4) + be(UInt64(frames[0].count), 4) + frames[0]
        file += be(0, 4) + be(0, 4) + be(20, 4) + be(UInt64(frames[1].count), 4) + frames[1].prefix(20)  // a snap length of 20
        let cutAt = file.count
        file += be(0, 4) + be(0, 4) + be(UInt64(frames[2].count), 4) + be(UInt64(frames[2].count), 4) + frames[2].prefix(5)
        var found: [ValidationFinding] = []
        let summary = CaptureValidator.validate(bytes: file) { found.append($0) }
        #expect(summary.format == .pcap && summary.packets == 2 && summary.frames == 1)
        #expect(found.map(\.code) == [82, 1, 80, 72])
        #expect(found.map(\.place) == [FindingPlace(packet: 2), FindingPlace(packet: 2, streamOffset: 0), FindingPlace(fileOffset: cutAt),
                                      FindingPlace(packet: 1, streamOffset: 0)])
    }

    @Test("Findings cite the requirements of the table in spec 14.3")
    func requirementTable() throws {
        let spec = try String(contentsOf: packageRoot.appendingPathComponent("spec/pumpwire-v1.md"), encoding: .utf8)
        let section = spec.components(separatedBy: "### 14.3")[1].components(separatedBy: "## Appendix A")[0]
        var table: [UInt16: String] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            for pair in stride(from: 0, to: cells.count - 1, by: 2) {
                if let code = UInt16(cells[pair]) { table[code] = cells[pair + 1] }
            }
        }
        #expect(table.count > 50)
        for (code, requirement) in table { #expect(FindingRequirements.requirement(for: code) == requirement, "code \(code)") }
        #expect(Set(FindingRequirements.codes) == Set(table.keys))
    }

    @Test("Forms are told from the first bytes (PW-CAP-4)")
    func detection() {
        func detect(_ bytes: [UInt8]) -> CaptureFormat { bytes.withUnsafeBytes { CaptureFormat.detect($0) } }
        #expect(detect([0x0A, 0x0D, 0x0D, 0x0A, 0, 0]) == .pcapng)
        for magic: [UInt8] in [[0xD4, 0xC3, 0xB2, 0xA1], [0xA1, 0xB2, 0xC3, 0xD4], [0x4D, 0x3C, 0xB2, 0xA1], [0xA1, 0xB2, 0x3C, 0x4D]] {
            #expect(detect(magic + [2, 0]) == .pcap)
        }
        #expect(detect(Array("a5 c3 01 # µL, UTF-8 in a comment\n".utf8)) == .hex)
        #expect(detect(Array("a5c3\nzz".utf8)) == .hex)  // a last line without its end is not looked at
        #expect(detect(Array("a5c3zz\n".utf8)) == .raw)
        #expect(detect([0xA5, 0xC3, 0x01]) == .raw)
        #expect(detect([]) == .raw)
    }
}
