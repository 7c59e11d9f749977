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
        #expect(summary.format == .pcapng && summary.packets == 2 && summary.packetsRead == 2 && summary.frames == 2)
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
        #expect(summary.format == .pcap && summary.packets == 2 && summary.packetsRead == 2 && summary.frames == 1)
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
        for magic: [UInt8] in [[0xD4, 0xC3, 0xB2, 0xA1], [0xA1, 0xB2, 0xC3, 0xD4], [0x4D, 0x3C, 0xB2, 0xA1], [0xA1, 0xB2, 0x3C, 0x4D],
                               [0x34, 0xCD, 0xB2, 0xA1], [0xA1, 0xB2, 0xCD, 0x34]] {
            #expect(detect(magic + [2, 0]) == .pcap)
        }
        #expect(detect(Array("a5 c3 01 # µL, UTF-8 in a comment\n".utf8)) == .hex)
        #expect(detect(Array("a5c3\nzz".utf8)) == .hex)  // a last line without its end is not looked at
        #expect(detect(Array("a5c3zz\n".utf8)) == .raw)
        #expect(detect([0xA5, 0xC3, 0x01]) == .raw)
        #expect(detect([]) == .raw)
    }

    /// pcapng blocks, little-endian, written field by field.
    enum Block {
        static func le(_ value: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        static func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4) }
        static func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let body = padded(body)
            return le(UInt64(type), 4) + le(UInt64(12 + body.count), 4) + body + le(UInt64(12 + body.count), 4)
        }
        static let section = block(0x0A0D_0D0A, le(0x1A2B_3C4D, 4) + le(1, 2) + le(0, 2) + [UInt8](repeating: 0xFF, count: 8))
        static func interface(_ linkType: UInt64 = 147) -> [UInt8] { block(1, le(linkType, 2) + le(0, 2) + le(0, 4)) }
        static func enhanced(_ data: [UInt8], interface: UInt64 = 0) -> [UInt8] {
            block(6, le(interface, 4) + le(0, 8) + le(UInt64(data.count), 4) + le(UInt64(data.count), 4) + data)
        }
        static func simple(_ data: [UInt8]) -> [UInt8] { block(3, le(UInt64(data.count), 4) + data) }
        static func obsolete(_ data: [UInt8], drops: UInt64 = 7) -> [UInt8] {
            block(2, le(0, 2) + le(drops, 2) + le(0, 8) + le(UInt64(data.count), 4) + le(UInt64(data.count), 4) + data)
        }
        static func custom(_ type: UInt32) -> [UInt8] { block(type, le(32473, 4) + Array("note".utf8)) }
        static let journal = block(9, Array("__REALTIME_TIMESTAMP=1000000\nMESSAGE=hello\n\n".utf8))
        static func sysdig(_ type: UInt32, version2: Bool) -> [UInt8] {
            block(type, le(1, 2) + le(1000, 8) + le(42, 8) + le(version2 ? 30 : 26, 4) + le(1, 2) + (version2 ? le(0, 4) : []) + le(0, 8))
        }
        static let sysdigWithFlags = block(0x208, le(1, 2) + le(0, 4) + le(1000, 8) + le(42, 8) + le(30, 4) + le(1, 2) + le(0, 8))
        static let statistics = block(5, le(0, 12))
        static let names = block(4, le(1, 2) + le(8, 2) + [10, 0, 0, 1] + Array("a.b\0".utf8) + le(0, 4))
        static let secrets = block(0x0A, le(0x544C_534B, 4) + le(5, 4) + Array("CLIEN".utf8))
    }

    /// What a reader hands on: the packets read, the records numbered, the problems.
    struct Collector: CaptureConsumer {
        var packets: [(number: Int, data: [UInt8])] = []
        var records: [Int] = []
        var problems: [(problem: CaptureProblem, fileOffset: Int?, packet: Int?)] = []
        mutating func packet(_ data: UnsafeRawBufferPointer, number: Int) { packets.append((number, Array(data))) }
        mutating func record(number: Int) { records.append(number) }
        mutating func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int { window.count }
        mutating func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {
            problems.append((problem, fileOffset, packet))
        }

        static func read(_ input: FileInput, as format: CaptureFormat? = nil) -> Collector {
            var collector = Collector()
            CaptureReader.read(input, as: format ?? CaptureReader.detectFormat(of: input), into: &collector)
            return collector
        }
        static func read(_ bytes: [UInt8], as format: CaptureFormat? = nil) -> Collector { read(FileInput(bytes: bytes), as: format) }
        var problemList: [String] { problems.map { "\($0.problem.specName)@\($0.fileOffset.map { "\($0)" } ?? "-")" } }
    }

    @Test("pcapng: the blocks Wireshark 4.0.17 numbers are numbered, the packet blocks read, the others skipped (PW-CAP-2)")
    func numberedBlocks() {
        let frames = sessionFrames("Required.Session.Complete")
        // (block, numbered, read): a packet of the session frame at that place, or a block without one.
        let blocks: [([UInt8], Bool)] = [
            (Block.enhanced(frames[0]), true), (Block.custom(0x0000_0BAD), true), (Block.simple(frames[1]), true),
            (Block.statistics, false), (Block.custom(0x4000_0BAD), true), (Block.obsolete(frames[2]), true), (Block.names, false),
            (Block.journal, true), (Block.secrets, false), (Block.sysdig(0x204, version2: false), true),
            (Block.sysdig(0x216, version2: true), true), (Block.sysdig(0x221, version2: true), true), (Block.sysdigWithFlags, false),
            (Block.block(7, [0, 0, 0, 0]), false), (Block.enhanced(frames[3]), true),
        ]
        let file = Block.section + Block.interface() + blocks.flatMap(\.0)
        let read = Collector.read(file)
        #expect(read.problems.isEmpty, "\(read.problemList)")
        #expect(read.records == Array(1...blocks.filter(\.1).count))
        #expect(read.packets.map(\.number) == [1, 3, 5, 10])
        #expect(read.packets.map(\.data) == Array(frames[0..<4]))
        let summary = CaptureValidator.validate(bytes: file) { _ in }
        #expect(summary.packets == 10 && summary.packetsRead == 4)
    }

    @Test("pcapng: a numbered block shorter than Wireshark reads, an SPB whose packet overflows it: CAPTURE_MALFORMED (PW-CAP-3)")
    func shortNumberedBlocks() {
        let frame = sessionFrames("Required.Session.Complete")[0]
        let start = Block.section + Block.interface() + Block.enhanced(frame)
        let overflowing = Block.block(3, Block.le(UInt64(frame.count + 8), 4) + frame)
        for bad in [Block.block(0xBAD, []), Block.block(0x4000_0BAD, []), Block.block(9, [UInt8](repeating: 0x41, count: 20)),
                    Block.block(0x204, [UInt8](repeating: 0, count: 20)), Block.block(0x216, [UInt8](repeating: 0, count: 24)),
                    Block.block(0x221, [UInt8](repeating: 0, count: 24)), overflowing] {
            let read = Collector.read(start + bad + Block.enhanced(frame))
            #expect(read.problemList == ["CAPTURE_MALFORMED@\(start.count)"])
            #expect(read.packets.map(\.number) == [1])
        }
        // Their smallest lengths are read.
        for good in [Block.block(0xBAD, Block.le(1, 4)), Block.block(9, [UInt8](repeating: 0x41, count: 23)),
                     Block.block(0x204, [UInt8](repeating: 0, count: 24)), Block.block(0x216, [UInt8](repeating: 0, count: 28))] {
            let read = Collector.read(start + good + Block.enhanced(frame))
            #expect(read.problems.isEmpty && read.packets.map(\.number) == [1, 3])
        }
    }

    @Test("An empty file, or one without a Section Header Block first, read as a capture file (PW-CAP-3)")
    func fileStarts() {
        for format in [CaptureFormat.pcap, .pcapng] {
            #expect(Collector.read([], as: format).problemList == ["CAPTURE_TRUNCATED@0"], "\(format)")
            var found: [ValidationFinding] = []
            let summary = CaptureValidator.validate(bytes: [], as: format) { found.append($0) }
            #expect(found.map(\.place) == [FindingPlace(fileOffset: 0)] && found.map(\.code) == [80])
            #expect(summary.packets == 0 && summary.packetsRead == 0)
        }
        #expect(Collector.read([0x0A, 0x0D, 0x0D], as: .pcapng).problemList == ["CAPTURE_TRUNCATED@0"])
        #expect(Collector.read(Array(Block.section.prefix(20)), as: .pcapng).problemList == ["CAPTURE_TRUNCATED@0"])
        let frame = sessionFrames("Required.Session.Complete")[0]
        for start in [Block.interface(), Block.enhanced(frame), Block.custom(0xBAD), [0x0A, 0x0D, 0x0D, 0x0B, 0, 0, 0, 0, 0, 0, 0, 0]] {
            let read = Collector.read(start + Block.interface() + Block.enhanced(frame), as: .pcapng)
            #expect(read.problemList == ["CAPTURE_MALFORMED@0"] && read.packets.isEmpty)
        }
        #expect(Collector.read([0x01, 0x00], as: .pcapng).problemList == ["CAPTURE_MALFORMED@0"])
        // A section header too short to hold its byte-order magic, version and section length.
        let short = Block.block(0x0A0D_0D0A, Block.le(0x1A2B_3C4D, 4) + Block.le(1, 2) + Block.le(0, 2))
        #expect(Collector.read(short + Block.interface() + Block.enhanced(frame)).problemList == ["CAPTURE_MALFORMED@0"])
        // A second section is not the first block: its interfaces are its own, and numbering goes on.
        let two = Block.section + Block.interface() + Block.enhanced(frame) + Block.section + Block.interface(1)
            + Block.interface() + Block.enhanced(frame, interface: 1) + Block.enhanced(frame)
        let read = Collector.read(two)
        #expect(read.problemList == ["LINK_TYPE_UNSUPPORTED@\(Block.section.count * 2 + Block.interface().count + Block.enhanced(frame).count)"])
        #expect(read.packets.map(\.number) == [1, 2] && read.records == [1, 2, 3])  // interface 1 of the second section is of link type 147
    }

    @Test("Classic pcap: modified pcap read; the variants that share a magic refused, not misread (PW-CAP-2, PW-CAP-3)")
    func pcapVariants() {
        let frames = Array(sessionFrames("Required.Session.Complete").prefix(5))
        func file(magic: UInt32, extra: Int, frames: [[UInt8]], bigEndian: Bool = false) -> [UInt8] {
            func n(_ value: UInt64, _ width: Int) -> [UInt8] { bigEndian ? Block.le(value, width).reversed() : Block.le(value, width) }
            var bytes: [UInt8] = n(UInt64(magic), 4) + n(2, 2) + n(4, 2)
            bytes += n(0, 8) + n(65535, 4) + n(147, 4)
            for frame in frames {
                let length = n(UInt64(frame.count), 4)
                bytes += n(1_000, 4) + n(999_999, 4) + length + length
                bytes += [UInt8](repeating: 0xEE, count: extra) + frame
            }
            return bytes
        }
        for bigEndian in [false, true] {
            for count in [0, 1, 2, 5] {
                let modified = Collector.read(file(magic: 0xA1B2_CD34, extra: 8, frames: Array(frames.prefix(count)), bigEndian: bigEndian))
                #expect(modified.problems.isEmpty && modified.packets.map(\.data) == Array(frames.prefix(count)), "\(count)")
                for (magic, extra) in [(0xA1B2_C3D4, 4), (0xA1B2_C3D4, 8), (0xA1B2_CD34, 12)] as [(UInt32, Int)] where count > 0 {
                    let variant = Collector.read(file(magic: magic, extra: extra, frames: Array(frames.prefix(count)), bigEndian: bigEndian))
                    #expect(variant.problemList == ["CAPTURE_MALFORMED@0"] && variant.packets.isEmpty, "\(magic) \(extra) \(count)")
                }
            }
        }
        // A damaged classic pcap that no variant reads better is read up to the damage.
        var damaged = file(magic: 0xA1B2_C3D4, extra: 0, frames: frames)
        let third = 24 + 16 + frames[0].count + 16 + frames[1].count
        damaged.replaceSubrange((third + 8)..<(third + 12), with: [0xFF, 0xFF, 0xFF, 0xFF])
        let read = Collector.read(damaged)
        #expect(read.packets.map(\.number) == [1, 2] && read.problemList == ["CAPTURE_MALFORMED@\(third)"])
        // An unknown magic, forced as pcap.
        #expect(Collector.read(file(magic: 0xA1B2_C3D5, extra: 0, frames: frames), as: .pcap).problemList == ["CAPTURE_MALFORMED@0"])
    }
}

/// Wireshark's tools, when installed (CI installs them): the reference for packet numbers and data.
enum Wireshark {
    static func path(_ tool: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") + ["/usr/bin", "/usr/local/bin"]
        return directories.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let installed = ["tshark", "editcap", "mergecap", "text2pcap"].allSatisfy { path($0) != nil }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(tool) ?? tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// tshark's frames: (frame number, data) of each frame of link type 147, and the last frame number.
    static func frames(_ file: String) throws -> (packets: [(number: Int, data: [UInt8])], last: Int) {
        let out = try run("tshark", ["-r", file, "-T", "fields", "-e", "frame.number", "-e", "frame.protocols", "-e", "data.data"]).out
        var packets: [(Int, [UInt8])] = []
        var last = 0
        for line in out.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard let number = Int(fields[0]) else { continue }
            last = number
            if fields.count > 2, fields[1].hasPrefix("user_dlt") { packets.append((number, (try? Hex.decode(String(fields[2]))) ?? [])) }
        }
        return (packets, last)
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pumpwire-wireshark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

@Suite("Captures against Wireshark (PW-CAP-2)", .enabled(if: Wireshark.installed, "Wireshark's tshark, editcap, mergecap and text2pcap are not installed"))
struct WiresharkCaptureTests {
    /// Our packets, numbers and data, are tshark's; the last record numbered is its last frame.
    func expectSameAsTshark(_ path: String, _ note: String) throws {
        let ours = CaptureTests.Collector.read(try FileInput(path: path))
        let theirs = try Wireshark.frames(path)
        #expect(ours.packets.map(\.number) == theirs.packets.map(\.number), "\(note)")
        #expect(ours.packets.map(\.data) == theirs.packets.map(\.data), "\(note)")
        #expect((ours.records.last ?? 0) == theirs.last, "\(note)")
        #expect(!theirs.packets.isEmpty, "\(note): tshark read no packet of link type 147")
    }

    @Test("Every pcap variant editcap writes: read as tshark reads it, or refused at the file header")
    func editcapVariants() throws {
        let folder = try Wireshark.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source.pcap").path
        try Data(CaptureWriter.capture(of: sessionFrames, format: .pcap)).write(to: URL(fileURLWithPath: source))
        let read = ["pcap", "nsecpcap", "modpcap", "pcapng"], refused = ["nokiapcap", "rh6_1pcap", "suse6_3pcap"]
        for variant in read + refused {
            let path = folder.appendingPathComponent("\(variant).pcap").path
            try #require(try Wireshark.run("editcap", ["-F", variant, source, path]).status == 0, "editcap -F \(variant)")
            if read.contains(variant) {
                try expectSameAsTshark(path, variant)
            } else {
                let ours = CaptureTests.Collector.read(try FileInput(path: path))
                #expect(ours.problemList == ["CAPTURE_MALFORMED@0"] && ours.packets.isEmpty, "\(variant)")
                #expect(try Wireshark.frames(path).packets.count == sessionFrames.count, "\(variant): tshark reads it")
            }
        }
    }

    @Test("mergecap's merge of two captures, and text2pcap's capture of a hex dump, read as tshark reads them")
    func mergecapAndText2pcap() throws {
        let folder = try Wireshark.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("first.pcapng").path, second = folder.appendingPathComponent("second.pcap").path
        let frames = sessionFrames
        var a = CaptureWriter(format: .pcapng), b = CaptureWriter(format: .pcap)
        for (index, frame) in frames.enumerated() {  // interleaved in time
            if index % 3 == 0 { b.add(frame, microseconds: CaptureWriter.vectorEpochMicroseconds + UInt64(index) * 1000) }
            else { a.add(frame, microseconds: CaptureWriter.vectorEpochMicroseconds + UInt64(index) * 1000) }
        }
        try Data(a.bytes).write(to: URL(fileURLWithPath: first))
        try Data(b.bytes).write(to: URL(fileURLWithPath: second))
        for format in ["pcapng", "pcap"] {
            let merged = folder.appendingPathComponent("merged.\(format)").path
            try #require(try Wireshark.run("mergecap", ["-F", format, "-w", merged, first, second]).status == 0)
            try expectSameAsTshark(merged, "mergecap -F \(format)")
            #expect(CaptureTests.Collector.read(try FileInput(path: merged)).packets.map(\.data) == frames, "mergecap -F \(format)")
        }
        // A hex dump as text2pcap reads it: offsets, then bytes.
        let dump = frames.prefix(60).map { frame in
            stride(from: 0, to: frame.count, by: 16).map { start in
                String(format: "%06x ", start) + frame[start..<min(frame.count, start + 16)].map { String(format: "%02x", $0) }.joined(separator: " ")
            }.joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
        let text = folder.appendingPathComponent("dump.txt").path
        try Data(dump.utf8).write(to: URL(fileURLWithPath: text))
        for format in ["pcapng", "pcap"] {
            let path = folder.appendingPathComponent("text2pcap.\(format)").path
            try #require(try Wireshark.run("text2pcap", ["-l", "147", "-F", format, text, path]).status == 0)
            try expectSameAsTshark(path, "text2pcap -F \(format)")
            #expect(CaptureTests.Collector.read(try FileInput(path: path)).packets.map(\.data) == Array(frames.prefix(60)), "text2pcap -F \(format)")
        }
    }

    @Test("The committed captures: our packet numbers and data are tshark's, but where we refuse the file at its start")
    func committedCaptures() throws {
        let folder = packageRoot.appendingPathComponent("vectors/captures")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") {
            let path = folder.appendingPathComponent(name).path
            let format: CaptureFormat = name.hasSuffix(".pcapng") ? .pcapng : .pcap
            let ours = CaptureTests.Collector.read(try FileInput(path: path), as: format)
            if ours.problems.contains(where: { $0.fileOffset == 0 && $0.problem != .linkTypeUnsupported }) {
                #expect(ours.packets.isEmpty, "\(name)")
                continue
            }
            let theirs = try Wireshark.frames(path)
            #expect(ours.packets.map(\.number) == theirs.packets.map(\.number), "\(name)")
            #expect(ours.packets.map(\.data) == theirs.packets.map(\.data), "\(name)")
            #expect((ours.records.last ?? 0) == theirs.last, "\(name)")
        }
    }
}
