import Foundation
import PumpWire
import Testing

/// Text captures (spec 14.2, PW-CAP-4): hex dumps with offsets written by the real tools, the
/// byte-order marks, and the dumps that are refused.
@Suite("Text captures: hex dumps with offsets and byte-order marks (spec 14.2)")
struct TextCaptureTests {
    /// A stream of several frames with findings of its own: noise, a corrupted frame, a cut frame,
    /// a run of zeros long enough that od and hexdump write `*`, and printable bytes.
    static let stream: [UInt8] = {
        let frames = sessionFrames("Required.Session.Complete")
        var bytes: [UInt8] = Array("PumpWire!".utf8)
        for (index, frame) in frames.enumerated() {
            var frame = frame
            if index == 2 { frame[frame.count / 2] ^= 0x10 }  // BAD_CRC
            bytes += frame
            if index == 3 { bytes += [UInt8](repeating: 0, count: 120) }
            if index == 5 { bytes += [0xA5, 0xC3, 0x01] }  // a cut frame: noise
        }
        return bytes + Array("the end".utf8)
    }()

    struct Seen: Equatable, CustomStringConvertible {
        var code: UInt16
        var stream: Int?
        var offset: Int?
        var description: String { "\(code)@\(stream.map(String.init) ?? "-")/\(offset.map(String.init) ?? "-")" }
    }

    static func findings(_ bytes: [UInt8], as format: CaptureFormat? = nil) -> (found: [ValidationFinding], summary: ValidationSummary) {
        var found: [ValidationFinding] = []
        let summary = CaptureValidator.validate(bytes: bytes, as: format) { found.append($0) }
        return (found, summary)
    }

    static func seen(_ findings: [ValidationFinding]) -> [Seen] {
        findings.map { Seen(code: $0.code, stream: $0.place.streamOffset, offset: $0.offset) }
    }

    static func sniff(_ bytes: [UInt8]) -> CaptureSniff {
        CaptureReader.sniffFormat(of: FileInput(bytes: bytes))
    }

    /// The output of `tool arguments` given `input` as a file, or nil when the tool is absent.
    static func run(_ tool: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8]? {
        guard let path = ["/usr/bin/", "/bin/", "/usr/local/bin/"].map({ $0 + tool }).first(where: FileManager.default.isExecutableFile)
        else { return nil }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pumpwire-text-\(UUID().uuidString).bin")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments + [file.path]
        process.environment = ["LC_ALL": "C", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) \(arguments)")
        return [UInt8](output)
    }

    /// text2pcap's input as Wireshark writes it: a 4-digit hex offset, two spaces, the bytes, the text.
    static func text2pcapDump(_ bytes: [UInt8], width: Int) -> [UInt8] {
        var text = ""
        for start in stride(from: 0, to: bytes.count, by: width) {
            let line = bytes[start..<min(bytes.count, start + width)]
            let hex = line.map { Hex.encode([$0]) }.joined(separator: " ")
            let shown = String(line.map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "." })
            text += String(format: "%04x  ", start) + hex.padding(toLength: width * 3, withPad: " ", startingAt: 0) + "  " + shown + "\n"
        }
        return Array(text.utf8)
    }

    static let dialects: [(name: String, tool: String, arguments: @Sendable (Int) -> [String]?)] = [
        ("xxd", "xxd", { ["-c", "\($0)"] }),
        ("xxd -g1", "xxd", { ["-g1", "-c", "\($0)"] }),
        ("hexdump -C", "hexdump", { $0 == 16 ? ["-C"] : nil }),  // -C writes 16 bytes a line
        ("od -A x -t x1z", "od", { ["-A", "x", "-t", "x1z", "-w\($0)"] }),
        ("od -t x1", "od", { ["-t", "x1", "-w\($0)"] }),
        ("od -A d -t x1", "od", { ["-A", "d", "-t", "x1", "-w\($0)"] }),
        ("od -A o -t x1 -v", "od", { ["-A", "o", "-t", "x1", "-v", "-w\($0)"] }),
    ]

    @Test("A dump by every tool and width is read as the stream it dumps (PW-CAP-4, 14.2)", arguments: [8, 16, 13])
    func dumpsReadAsTheirStream(width: Int) throws {
        let raw = Self.findings(Self.stream, as: .raw)
        #expect(raw.found.count >= 3, "the stream has findings to compare: \(Self.seen(raw.found))")
        var dumps: [(String, [UInt8])] = [("text2pcap", Self.text2pcapDump(Self.stream, width: width))]
        for dialect in Self.dialects {
            guard let arguments = dialect.arguments(width) else { continue }
            guard let text = try Self.run(dialect.tool, arguments, input: Self.stream) else {
                Issue.record("\(dialect.tool) is not installed: the \(dialect.name) dump is not checked")
                continue
            }
            dumps.append((dialect.name, text))
        }
        for (name, text) in dumps {
            #expect(Self.sniff(text) == .form(.hexDump), "\(name) -w\(width)")
            let dump = Self.findings(text)
            #expect(dump.summary.format == .hexDump, "\(name) -w\(width)")
            #expect(Self.seen(dump.found) == Self.seen(raw.found), "\(name) -w\(width)")
            #expect(dump.summary.frames == raw.summary.frames, "\(name) -w\(width)")
            // Each finding's line is the line of its first byte (where no `*` stands for lines).
            let repeats = String(decoding: text, as: UTF8.self).split(separator: "\n").contains("*")
            for finding in dump.found {
                guard let offset = finding.place.streamOffset, let line = finding.place.line else {
                    Issue.record("\(name) -w\(width): a finding without a line: \(finding)")
                    continue
                }
                if !repeats { #expect(line == offset / width + 1, "\(name) -w\(width): finding at \(offset) on line \(line)") }
            }
            #expect(dump.found.contains { $0.place.line != nil })
        }
    }

    @Test("A dump read in small windows gives the same findings (bounded memory)")
    func dumpInWindows() throws {
        guard let text = try Self.run("xxd", ["-g1"], input: Self.stream) else { return }
        var decoder = HexDumpDecoder()
        var stream: [UInt8] = []
        var faults: [Int] = []
        text.withUnsafeBytes { raw in
            var at = 0
            while at < raw.count {
                let end = min(raw.count, at + 7)
                let read = decoder.decode(UnsafeRawBufferPointer(rebasing: raw[at..<end]), into: &stream, outputBase: 0,
                                          lineBegins: { _, _ in }, fault: { faults.append($0) })
                #expect(read == end - at)
                at = end
            }
        }
        decoder.finish(into: &stream, outputBase: 0, lineBegins: { _, _ in }, fault: { faults.append($0) })
        #expect(faults.isEmpty)
        #expect(stream == Self.stream)
    }

    @Test("A `*` that stands for many bytes is written a window at a time")
    func longRepeat() {
        // Octal offsets (the second tells: 16 bytes a line), then 131056 zeros and a5.
        let text = Array(("0000000 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10\n"
            + "0000020 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n*\n0400000 a5\n0400001\n").utf8)
        var decoder = HexDumpDecoder()
        var stream: [UInt8] = []
        var total = 0
        var largest = 0
        text.withUnsafeBytes { raw in
            var at = 0
            while at < raw.count || decoder.isRepeating {
                at += decoder.decode(UnsafeRawBufferPointer(rebasing: raw[at...]), into: &stream, outputBase: total, limit: 4096,
                                     lineBegins: { _, _ in }, fault: { Issue.record("fault at line \($0)") })
                largest = max(largest, stream.count)
                total += stream.count
                stream.removeAll()
            }
        }
        decoder.finish(into: &stream, outputBase: total, lineBegins: { _, _ in }, fault: { Issue.record("fault at line \($0)") })
        total += stream.count
        #expect(total == 131_073)
        #expect(largest <= 4096 + 16)
    }

    @Test("A UTF-8 byte-order mark before a hex log or a dump is skipped (PW-CAP-4)")
    func utf8ByteOrderMark() throws {
        let frames = sessionFrames("Required.Session.Complete")
        let log = Array((frames.map { Hex.encode($0, separator: " ") }.joined(separator: "\n") + "\n").utf8)
        let plain = Self.findings(log)
        let marked = Self.findings(CaptureFormat.utf8ByteOrderMark + log)
        #expect(marked.summary.format == .hex)
        #expect(marked.found.isEmpty)
        #expect(marked.summary.frames == frames.count)
        #expect(plain.summary.frames == frames.count)
        // Without the skip, the mark is 3 bytes of noise: a BAD_SYNC, and every offset 3 more.
        let broken = Self.findings(CaptureFormat.utf8ByteOrderMark + log, as: .raw)
        #expect(!broken.found.isEmpty)
        if let text = try Self.run("xxd", [], input: Self.stream) {
            let dump = Self.findings(CaptureFormat.utf8ByteOrderMark + text)
            #expect(dump.summary.format == .hexDump)
            #expect(Self.seen(dump.found) == Self.seen(Self.findings(Self.stream, as: .raw).found))
        }
    }

    @Test("UTF-16 and UTF-32 text is refused with a hint to convert it (PW-CAP-4)")
    func wideText() {
        let text = "a5 c3 01 02\n"
        let cases: [([UInt8], String)] = [
            ([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, "UTF-16"),
            ([0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, "UTF-16"),
            ([0xFF, 0xFE, 0, 0] + text.unicodeScalars.flatMap { [UInt8($0.value), 0, 0, 0] }, "UTF-32"),
            ([0, 0, 0xFE, 0xFF] + text.unicodeScalars.flatMap { [0, 0, 0, UInt8($0.value)] }, "UTF-32"),
        ]
        for (bytes, encoding) in cases {
            guard case .refused(let refusal) = Self.sniff(bytes) else {
                Issue.record("\(encoding) \(bytes.prefix(4)) was not refused")
                continue
            }
            #expect(refusal.reason.hasPrefix("\(encoding) text"))
            #expect(refusal.hint.contains("iconv -f \(encoding) -t UTF-8"))
            #expect(bytes.withUnsafeBytes { CaptureFormat.detect($0) } == .raw)
        }
    }

    @Test("Dumps of words in the machine's byte order are refused with a hint (PW-CAP-4)")
    func wordDumps() throws {
        let words: [(String, [String], String)] = [
            ("od", ["-x"], "16-bit words"), ("hexdump", [], "16-bit words"), ("xxd", ["-e"], "reverse order"),
            ("xxd", ["-e", "-g2"], "reverse order"), ("od", ["-A", "x", "-x"], "16-bit words"),
        ]
        for (tool, arguments, reason) in words {
            guard let text = try Self.run(tool, arguments, input: Self.stream) else { continue }
            guard case .refused(let refusal) = Self.sniff(text) else {
                Issue.record("\(tool) \(arguments) was not refused: \(Self.sniff(text))")
                continue
            }
            #expect(refusal.reason.contains(reason), "\(tool) \(arguments): \(refusal.reason)")
            #expect(refusal.hint.contains("xxd -g1") && refusal.hint.contains("od -An -tx1") && refusal.hint.contains("hexdump -C"))
            // Read as a dump when told: every line of 16-bit words broken, no bytes invented; a
            // line of xxd -e broken where its text column shows the order.
            let told = Self.findings(text, as: .hexDump)
            #expect(told.summary.frames == 0, "\(tool) \(arguments)")
            if tool == "xxd" { #expect(told.found.contains { $0.code == 81 }, "\(tool) \(arguments)") }
            else { #expect(!told.found.isEmpty && told.found.allSatisfy { $0.code == 81 }, "\(tool) \(arguments)") }
        }
        // Groups of 4 bytes whose order no printable byte shows.
        let unprintable = [UInt8](repeating: 0x01, count: 8) + [0x02, 0x03, 0x04, 0x05] + [UInt8](repeating: 0x81, count: 20)
        if let text = try Self.run("xxd", ["-g4"], input: unprintable) {
            guard case .refused(let refusal) = Self.sniff(text) else { Issue.record("xxd -g4 of unprintable bytes was read"); return }
            #expect(refusal.reason.contains("4-byte groups"))
        }
        if let text = try Self.run("xxd", ["-g4"], input: Self.stream) {
            #expect(Self.sniff(text) == .form(.hexDump), "xxd -g4 whose text column shows its order")
        }
    }

    @Test("A plain hex log is read as before, even where a line starts with digits like an offset")
    func plainHexLogUnchanged() {
        let frames = sessionFrames("Required.Session.Complete")
        let logs: [String] = [
            frames.map { Hex.encode($0, separator: " ") }.joined(separator: "\n") + "\n",
            "# a comment\n" + frames.map { Hex.encode($0) }.joined(separator: "\n") + "\n",
            // Zeros first: "0000 0000 ..." looks like an offset 0, and the next line's first group counts nothing.
            "0000 0000 " + Hex.encode(frames[0], separator: " ") + "\n0000 0000 " + Hex.encode(frames[1], separator: " ") + "\n",
            "00000000 " + Hex.encode(frames[0]) + "\n" + Hex.encode(frames[1]) + "\n",
        ]
        for log in logs {
            let bytes = Array(log.utf8)
            #expect(Self.sniff(bytes) == .form(.hex), "\(log.prefix(40))")
            var decoded: [UInt8] = []
            var decoder = HexLogDecoder()
            bytes.withUnsafeBytes { decoder.decode($0, into: &decoded, outputBase: 0, lineBegins: { _, _ in }, fault: { _ in }) }
            let asLog = Self.findings(bytes, as: .hex)
            let detected = Self.findings(bytes)
            #expect(Self.seen(detected.found) == Self.seen(asLog.found))
            #expect(Self.seen(detected.found) == Self.seen(Self.findings(decoded, as: .raw).found))
        }
    }

    @Test("A line whose offset does not count the bytes before it is CAPTURE_MALFORMED at that line")
    func malformedOffset() throws {
        let text = Array("""
            00000000: a5 c3 01 02 03 04 05 06  ........
            00000008: 07 08 09 0a 0b 0c 0d 0e  ........
            00000011: 0f 10 11 12 13 14 15 16  ........
            00000018: 17 18                    ..

            """.utf8)
        // In the first 4096 bytes, a broken line makes the text no dump for PW-CAP-4 (as for a hex log).
        guard case .refused = Self.sniff(text) else { Issue.record("not refused"); return }
        let read = Self.findings(text, as: .hexDump)
        let malformed = read.found.filter { $0.code == 81 }
        #expect(malformed.map(\.place.line) == [3])
        #expect(malformed.count == 1)
        // The bytes of every line are kept: 8 + 8 + 8 + 2.
        var stream: [UInt8] = []
        var decoder = HexDumpDecoder()
        var faults: [Int] = []
        text.withUnsafeBytes { _ = decoder.decode($0, into: &stream, outputBase: 0, lineBegins: { _, _ in }, fault: { faults.append($0) }) }
        decoder.finish(into: &stream, outputBase: 0, lineBegins: { _, _ in }, fault: { faults.append($0) })
        #expect(faults == [3])
        #expect(stream == [0xA5, 0xC3] + (1...0x18).map { UInt8($0) })
        // A text column that shows other bytes breaks its line, as does a line that is not a dump's.
        let column = Array("00000000: a5 c3 41 42  ..AC\n00000004: 05 06  ..\n".utf8)
        var faultsOfColumn: [Int] = []
        var columnDecoder = HexDumpDecoder()
        var columnStream: [UInt8] = []
        column.withUnsafeBytes { _ = columnDecoder.decode($0, into: &columnStream, outputBase: 0, lineBegins: { _, _ in }, fault: { faultsOfColumn.append($0) }) }
        columnDecoder.finish(into: &columnStream, outputBase: 0, lineBegins: { _, _ in }, fault: { faultsOfColumn.append($0) })
        #expect(faultsOfColumn == [1])
        #expect(columnStream == [0x05, 0x06])
        // Beyond the first 4096 bytes, the dump is told as one, and the broken line placed.
        let long = Array(repeating: Self.stream, count: 8).flatMap { $0 }
        if var dump = try Self.run("xxd", ["-g1"], input: long) {
            var lines = String(decoding: dump, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines[150] = "0000ffff" + lines[150].dropFirst(8)  // an offset that does not count the bytes before it
            dump = Array(lines.joined(separator: "\n").utf8)
            #expect(Self.sniff(dump) == .form(.hexDump))
            let found = Self.findings(dump)
            #expect(found.found.filter { $0.code == 81 }.map(\.place.line) == [151])
            let raw = Self.findings(long, as: .raw)
            #expect(Self.seen(found.found.filter { $0.code != 81 }) == Self.seen(raw.found))
        }
    }

    @Test("The last line's bytes are told from its text column; an ambiguous split is refused")
    func lastLine() {
        // One line, its text column of hex digits: 2 bytes and the text "ab", or 3 bytes?
        let ambiguous = Array("00000000: 6162  ab\n".utf8)
        #expect(Self.sniff(ambiguous) == .form(.hex))  // hex-log text: read as a hex log, as before
        let told = Self.findings(ambiguous, as: .hexDump)
        #expect(told.found.map(\.code) == [81])
        // A one-line dump whose column is not hex digits is read.
        let one = Array("00000000: a5c3 01                                  ...\n".utf8)
        #expect(Self.sniff(one) == .form(.hexDump))
        var stream: [UInt8] = []
        var decoder = HexDumpDecoder()
        one.withUnsafeBytes { _ = decoder.decode($0, into: &stream, outputBase: 0, lineBegins: { _, _ in }, fault: { _ in Issue.record("fault") }) }
        decoder.finish(into: &stream, outputBase: 0, lineBegins: { _, _ in }, fault: { _ in Issue.record("fault") })
        #expect(stream == [0xA5, 0xC3, 0x01])
        // The last line of a dump of several: its text column is as wide as its bytes.
        let dump = Array("00000000: 6162 6364  abcd\n00000004: 6566  ef\n".utf8)
        var lastStream: [UInt8] = []
        var lastDecoder = HexDumpDecoder()
        dump.withUnsafeBytes { _ = lastDecoder.decode($0, into: &lastStream, outputBase: 0, lineBegins: { _, _ in }, fault: { _ in Issue.record("fault") }) }
        lastDecoder.finish(into: &lastStream, outputBase: 0, lineBegins: { _, _ in }, fault: { _ in Issue.record("fault") })
        #expect(lastStream == Array("abcdef".utf8))
    }

    @Test("A text that starts like a dump but whose offsets do not count its bytes is refused")
    func brokenDumpRefused() {
        let text = Array("00000000: a5 c3 01 02  ....\n00000009: 03 04  ..\n00000020: 05 06  ..\n".utf8)
        guard case .refused(let refusal) = Self.sniff(text) else {
            Issue.record("not refused: \(Self.sniff(text))")
            return
        }
        #expect(refusal.hint.contains("--input-format hexdump"))
    }

    @Test("Damaged dumps give findings placed on their lines, never a trap")
    func damagedDumps() throws {
        guard let clean = try Self.run("od", ["-A", "x", "-t", "x1z"], input: Self.stream) else { return }
        let alphabet = Array("0123456789abcdefx :*|<>.\n\r\t".utf8) + [0x00, 0xFF]
        var rng = SplitMix(state: 15)
        let lineCount = clean.filter { $0 == 0x0A }.count + 1
        for round in 0..<300 {
            var text = clean
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let at = Int.random(in: 0..<text.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: text[at] = alphabet.randomElement(using: &rng)!
                case 1: text.remove(at: at)
                default: text.insert(alphabet.randomElement(using: &rng)!, at: at)
                }
            }
            _ = Self.sniff(text)
            for format: CaptureFormat? in [.hexDump, nil] {
                for finding in Self.findings(text, as: format).found where finding.code == 81 {
                    let line = finding.place.line ?? 0
                    #expect(line >= 1 && line <= lineCount + 3, "round \(round): CAPTURE_MALFORMED at line \(line)")
                }
            }
        }
    }

    @Test("Modified pcap magic in both byte orders is pcap (PW-CAP-4)")
    func modifiedPcapMagic() {
        for magic: [UInt8] in [[0x34, 0xCD, 0xB2, 0xA1], [0xA1, 0xB2, 0xCD, 0x34]] {
            #expect(magic.withUnsafeBytes { CaptureFormat.detect($0) } == .pcap)
        }
        #expect(CaptureFormat(rawValue: "hexdump") == .hexDump)
    }
}

/// A last line's `*` with no line end after it is written a window at a time, like any other.
@Suite("Hex dumps: a `*` on the last line stays in bounded memory (spec 14.3)")
struct HexDumpLastRepeatTests {
    struct Windows: CaptureConsumer {
        var total = 0
        var largest = 0
        mutating func packet(_ data: UnsafeRawBufferPointer, number: Int) {}
        mutating func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {}
        mutating func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int {
            largest = max(largest, window.count)
            total = offset + window.count
            return window.count
        }
    }

    @Test("64 MiB of repeats after the last offset, which has no line end")
    func lastOffsetWithoutLineEnd() {
        // hexdump -C of 64 MiB of zeros, its last line end taken away.
        let line = "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
        let text = "00000000  " + line + "00000010  " + line + "*\n04000000"
        var windows = Windows()
        CaptureReader.read(FileInput(bytes: Array(text.utf8)), as: .hexDump, into: &windows)
        #expect(windows.total == 1 << 26)
        #expect(windows.largest <= 2 * FileInput.bufferSize)
    }
}

