import Foundation
import PumpWire
import PumpWireCore
import Testing

/// Hostile inputs through every command that reads captured traffic, each with the exit status
/// and message the README's convention promises: 0 clean, 1 findings, 2 could not do the job;
/// every message names the file and never shows a Swift internal.
@Suite("Hostile inputs: one convention for exit statuses and messages", .serialized)
struct HostileInputTests {
    /// A folder of hostile files, made once.
    static let folder: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pumpwire-hostile-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try! FileManager.default.createDirectory(at: folder.appendingPathComponent("folder/inner"), withIntermediateDirectories: true)
        let frames = sessionFrames("Required.Session.Complete")
        let capture = CaptureWriter.capture(of: frames)
        var rng = SplitMix(state: 15)
        var hugeBlock = Array(capture.prefix(headerBlocks))  // the section and interface blocks
        hugeBlock += [6, 0, 0, 0, 0xF0, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 24)  // an EPB claiming 4 GiB
        let files: [String: [UInt8]] = [
            "empty": [],
            "garbage.bin": (0..<4096).map { _ in UInt8.random(in: 0...0x7F, using: &rng) },
            "session.pcapng": capture,
            "truncated.pcapng": Array(capture.prefix(capture.count - 37)),
            "huge-block.pcapng": hugeBlock,
            "huge-length.bin": [0xA5, 0xC3, 0x01, 0x01, 0x00, 0x01, 0x00, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 40),
            "folder/inner/session.pcapng": capture,
            "bom.hex": CaptureFormat.utf8ByteOrderMark + Array(frames.map { Hex.encode($0) + "\n" }.joined().utf8),
            "utf16.hex": [0xFF, 0xFE] + Array(frames.map { Hex.encode($0) + "\n" }.joined().utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
            "xxd.txt": Array(Self.xxd(frames.flatMap { $0 }).utf8),
            "words.txt": Array("0000000 c3a5 0101 0100 0000 3fa1\n0000012\n".utf8),
            "folder/garbage.bin": [0x00, 0x01, 0x02],
        ]
        for (name, bytes) in files { FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data(bytes)) }
        return folder
    }()

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// `xxd`'s default form, written here so the test does not need the tool.
    static func xxd(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: bytes.count, by: 16).map { start in
            let line = Array(bytes[start..<min(start + 16, bytes.count)])
            let groups = stride(from: 0, to: line.count, by: 2).map { Hex.encode(Array(line[$0..<min($0 + 2, line.count)])) }.joined(separator: " ")
            let text = String(line.map { (0x20..<0x7F).contains($0) ? Character(UnicodeScalar($0)) : "." })
            return String(format: "%08x: ", start) + groups.padding(toLength: 39, withPad: " ", startingAt: 0) + "  " + text + "\n"
        }.joined()
    }

    /// The length of the writer's section header and interface description blocks.
    static let headerBlocks: Int = {
        let capture = CaptureWriter.capture(of: [])
        return capture.count
    }()

    /// Each command that reads captured traffic, given one input path.
    static let readers: [(name: String, arguments: @Sendable (String) -> [String])] = [
        ("validate", { ["validate", $0] }),
        ("decode", { ["decode", "--file", $0] }),
        ("dump reassemble", { ["dump", "reassemble", $0] }),
        ("capture --from", { ["capture", "--from", $0, "--output", path("out.pcapng")] }),
    ]

    struct Case: CustomStringConvertible, Sendable {
        var input: String
        var status: Int32
        /// Text the message must hold (on stderr for status 2).
        var message: String
        var description: String { input }
    }

    /// Inputs no command can read: exit 2 with the file named, for every command.
    static let unreadable: [Case] = [
        Case(input: "empty", status: 2, message: "empty: there is nothing to read"),
        Case(input: "folder", status: 2, message: "folder: is a directory"),
        Case(input: "missing.pcapng", status: 2, message: "missing.pcapng: no such file"),
        Case(input: "session.pcapng/inside", status: 2, message: "session.pcapng/inside: Not a directory"),
        Case(input: "utf16.hex", status: 2, message: "utf16.hex: UTF-16 text"),
        Case(input: "words.txt", status: 2, message: "words.txt: a hex dump of 16-bit words"),
    ]

    @Test("A hex log with a UTF-8 byte-order mark and an xxd dump read as the frames they hold")
    func textForms() throws {
        for name in ["bom.hex", "xxd.txt"] {
            let result = try pumpwire(["decode", "--file", Self.path(name)])
            #expect(result.status == 0, "\(name): \(result.out) \(result.err)")
            #expect(result.out.contains("14 frames in 947 bytes, 0 rejected"), "\(name)")
        }
        let refused = try pumpwire(["validate", Self.path("words.txt")])
        #expect(refused.err.contains("hint: "))
    }

    @Test("An input that cannot be read is status 2 for every command, naming the file", arguments: unreadable)
    func cannotRead(_ test: Case) throws {
        for reader in Self.readers {
            let result = try pumpwire(reader.arguments(Self.path(test.input)))
            #expect(result.status == test.status, "\(reader.name) \(test.input)")
            #expect(result.err.contains(test.message), "\(reader.name): \(result.err)")
            Self.expectNoInternals(result, reader.name)
            #expect(!result.err.contains("Usage:"), "a data error is not a usage error: \(reader.name)")
        }
    }

    @Test("A directory is read with --recursive, every file under it")
    func recursive() throws {
        let result = try pumpwire(["validate", "--recursive", Self.path("folder")])
        #expect(result.status == 1)  // folder/garbage.bin is noise
        #expect(result.out.contains("folder/garbage.bin: stream offset 0: BAD_SYNC (2)"))
        #expect(result.out.contains("folder/inner/session.pcapng: pcapng"))
        let decoded = try pumpwire(["decode", "--recursive", "--file", Self.path("folder/inner")])
        #expect(decoded.status == 0)
        #expect(decoded.out.contains("14 frames in 14 packets"))
    }

    @Test("Unreadable permissions are status 2 (not checkable as root)")
    func permissions() throws {
        let file = Self.path("no-permission.bin")
        FileManager.default.createFile(atPath: file, contents: Data([0xA5]), attributes: [.posixPermissions: 0])
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard getuid() != 0 else { return }  // root reads any file: CI's container runs as root
        let result = try pumpwire(["validate", file])
        #expect(result.status == 2)
        #expect(result.err.contains("no-permission.bin: Permission denied"))
    }

    /// Inputs that are read and have findings: status 1, with the spec's code and name and the place.
    static let damaged: [Case] = [
        Case(input: "garbage.bin", status: 1, message: "garbage.bin: stream offset 0: BAD_SYNC (2)"),
        Case(input: "truncated.pcapng", status: 1, message: "truncated.pcapng: file offset"),
        Case(input: "huge-block.pcapng", status: 1, message: "huge-block.pcapng: file offset \(headerBlocks): CAPTURE_MALFORMED (81)"),
        Case(input: "huge-length.bin", status: 1, message: "huge-length.bin: stream offset 0: PAYLOAD_TOO_LARGE (8)"),
    ]

    @Test("Damaged inputs: status 1, the spec's code and name at its place", arguments: damaged)
    func damagedInputs(_ test: Case) throws {
        let result = try pumpwire(["validate", Self.path(test.input)])
        #expect(result.status == test.status)
        #expect(result.out.contains(test.message), "\(result.out)")
        Self.expectNoInternals(result, "validate")
        let decoded = try pumpwire(["decode", "--file", Self.path(test.input)])
        #expect(decoded.status == 1)
        Self.expectNoInternals(decoded, "decode")
    }

    @Test("decode names the file, the code, the offset and the frame field")
    func decodeNamesTheField() throws {
        let result = try pumpwire(["decode", "--file", Self.path("huge-length.bin")])
        #expect(result.out.contains("huge-length.bin: PAYLOAD_TOO_LARGE (8) at stream offset 7 (offset 7 in the frame at 0, field payloadLength)"))
        let crc = try pumpwire(["decode", "a5c3 0101 00 0100 0000 a13e"])
        #expect(crc.out.contains("argument: BAD_CRC (7) at stream offset 9 (offset 9 in the frame at 0, field crc)"))
    }

    @Test("Usage errors are status 2 with the usage; bad hex in an argument is status 2 without it")
    func usage() throws {
        let unknown = try pumpwire(["decode", "--no-such-option"])
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("Usage:"))
        let badHex = try pumpwire(["decode", "zz"])
        #expect(badHex.status == 2)
        #expect(badHex.err.contains("argument 1:") && !badHex.err.contains("Usage:"))
        let format = try pumpwire(["validate", "--input-format", "pcapx", Self.path("session.pcapng")])
        #expect(format.status == 2)
        // A negative number is a wrong value, not a missing one.
        let negative = try pumpwire(["dump", "show", Self.path("garbage.bin"), "--region-offset", "-1"])
        #expect(negative.status == 2)
        #expect(negative.err.contains("-1") && !negative.err.contains("Missing value"), "\(negative.err)")
    }

    @Test("Forcing a capture form on an empty file reports CAPTURE_TRUNCATED at 0 for pcap and pcapng alike")
    func emptyForced() throws {
        for form in ["pcap", "pcapng"] {
            let result = try pumpwire(["validate", "--input-format", form, Self.path("empty")])
            #expect(result.status == 1)
            #expect(result.out.contains("file offset 0: CAPTURE_TRUNCATED (80)"), "\(form): \(result.out)")
        }
    }

    @Test("decode, dump reassemble and capture --from read pcapng as packets, not as raw bytes")
    func capturesAreCaptures() throws {
        let decoded = try pumpwire(["decode", "--file", Self.path("session.pcapng")])
        #expect(decoded.status == 0)
        #expect(decoded.out.contains("14 frames in 14 packets"))
        let fromStdin = try pumpwire(["decode", "--file", "-"], stdinBytes: CaptureWriter.capture(of: sessionFrames("Required.Session.Complete")))
        #expect(fromStdin.status == 0)
        #expect(fromStdin.out.contains("14 frames in 14 packets"))
        let dump = try pumpwire(["dump", "reassemble", "--input-format", "pcapng", Self.path("session.pcapng")])
        #expect(dump.out.contains("image: complete"))
        let converted = try pumpwire(["capture", "--from", Self.path("session.pcapng"), "--output", Self.path("copy.pcapng")])
        #expect(converted.status == 0)
        #expect(converted.out.contains("14 packets"))
    }

    /// The capture variants Wireshark's own tools write, made now from our capture when the tools
    /// are installed (CI installs them): each read as the packets it holds, or refused as a whole.
    @Test("Captures written by editcap, mergecap and text2pcap, through decode and validate")
    func wiresharkTools() throws {
        guard let editcap = Self.tool("editcap"), let mergecap = Self.tool("mergecap"), let text2pcap = Self.tool("text2pcap") else {
            withKnownIssue("Wireshark's tools (editcap, mergecap, text2pcap) are not installed; CI installs them") { throw ToolMissing() }
            return
        }
        let source = Self.path("session.pcapng")
        let frames = sessionFrames("Required.Session.Complete")
        var made: [(file: String, read: Bool)] = []
        for (variant, read) in [("pcap", true), ("nsecpcap", true), ("modpcap", true), ("pcapng", true),
                                ("nokiapcap", false), ("rh6_1pcap", false), ("suse6_3pcap", false)] {
            let out = Self.path("editcap-\(variant)")
            try Self.run(editcap, ["-F", variant, source, out])
            made.append((out, read))
        }
        let merged = Self.path("mergecap.pcapng")
        try Self.run(mergecap, ["-w", merged, source, Self.path("editcap-pcap")])
        let dump = Self.path("text2pcap-input.txt")
        try Data(frames.map { frame in
            stride(from: 0, to: frame.count, by: 16).map { start in
                String(format: "%06x ", start) + frame[start..<min(start + 16, frame.count)].map { String(format: " %02x", $0) }.joined() + "\n"
            }.joined()
        }.joined().utf8).write(to: URL(fileURLWithPath: dump))
        let text2 = Self.path("text2pcap.pcap")
        try Self.run(text2pcap, ["-q", "-l", "147", dump, text2])
        for (file, read) in made + [(text2, true)] {
            let decoded = try pumpwire(["decode", "--file", file])
            Self.expectNoInternals(decoded, file)
            if read {
                #expect(decoded.status == 0, "\(file): \(decoded.out)")
                #expect(decoded.out.contains("14 frames in 14 packets"), "\(file): \(decoded.out)")
            } else {
                #expect(decoded.status == 1, "\(file)")
                #expect(decoded.out.contains("file offset 0: CAPTURE_MALFORMED (81)"), "\(file): \(decoded.out)")
            }
        }
        let validated = try pumpwire(["validate", merged])
        #expect(validated.out.contains("28 packets"), "\(validated.out)")
    }

    struct ToolMissing: Error {}

    static func tool(_ name: String) -> String? {
        ["/usr/bin/", "/usr/local/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) \(arguments.joined(separator: " "))")
    }

    static func expectNoInternals(_ result: (status: Int32, out: String, err: String), _ command: String) {
        for leak in ["Swift.", "DecodingError", "CodingKeys", "NSCocoaErrorDomain", "Error Domain", "OpenFailure", "InputFailure", "Fatal error"] {
            #expect(!result.err.contains(leak) && !result.out.contains(leak), "\(command) shows \(leak)")
        }
    }
}
