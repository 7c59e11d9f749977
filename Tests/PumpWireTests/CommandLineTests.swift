import Foundation
import PumpWire
import PumpWireCore
import Testing

/// Runs the built `pumpwire` and returns its exit status, stdout and stderr.
func pumpwire(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
    try pumpwire(arguments, stdinBytes: stdin.map { Array($0.utf8) })
}

/// Runs the built `pumpwire` with these bytes on its standard input.
func pumpwire(_ arguments: [String], stdinBytes stdin: [UInt8]?) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent("pumpwire")
    process.arguments = arguments
    process.currentDirectoryURL = packageRoot
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
    try input.fileHandleForWriting.close()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
}

/// Where SwiftPM put the test bundle, and so the `pumpwire` executable.
let productsDirectory: URL = {
    let candidates = [Bundle.main.executableURL?.deletingLastPathComponent()] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    for case let directory? in candidates where FileManager.default.fileExists(atPath: directory.appendingPathComponent("pumpwire").path) {
        return directory
    }
    return packageRoot.appendingPathComponent(".build/debug")
}()

@Suite("The pumpwire command", .serialized)
struct CommandLineTests {
    @Test("decode prints the spec's worked example as JSON and exits 0")
    func decodeExample() throws {
        let result = try pumpwire(["decode", "--file", "vectors/examples/prescriptionBlock.hex", "--format", "json"])
        #expect(result.status == 0)
        let items = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [[String: Any]]
        #expect(items.count == 1)
        #expect(items[0]["messageType"] as? String == "prescriptionBlock")
        #expect((items[0]["message"] as? [String: Any])?["maxDailyDoseNanograms"] as? Int == 1_000_000)
    }

    @Test("decode in text shows the fields and the derived daily dose")
    func decodeText() throws {
        let result = try pumpwire(["decode", "--file", "vectors/examples/prescriptionBlock.hex"])
        #expect(result.status == 0)
        #expect(result.out.contains("concentrationMicrogramsPerMillilitre: 2000"))
        #expect(result.out.contains("daily basal dose 780000 ng/day"))
        #expect(result.out.contains("digest 0xb7e2aad6"))
    }

    @Test("A bad CRC prints the code, its name and the offset, and exits 1")
    func decodeError() throws {
        let result = try pumpwire(["decode", "a5c3 0101 00 0100 0000 a13e", "--format", "text"])
        #expect(result.status == 1)
        #expect(result.out.contains("BAD_CRC (7) at stream offset 9"))
        let json = try pumpwire(["decode", "a5c3010100010000", "--format", "json"])
        #expect(json.status == 1)
        #expect(json.out.contains("\"name\": \"TRUNCATED\""))
    }

    @Test("Several frames from stdin, binary and hex")
    func severalFrames() throws {
        let hex = try String(contentsOf: packageRoot.appendingPathComponent("vectors/examples/interrogationRequest.hex"), encoding: .utf8)
        let result = try pumpwire(["decode", "--format", "json"], stdin: hex + "\n" + hex)
        #expect(result.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [Any]).count == 2)
    }

    @Test("encode turns decode's JSON back into the same bytes")
    func encodeRoundTrip() throws {
        let decoded = try pumpwire(["decode", "--file", "vectors/examples/bolusSchedule.hex", "--format", "json"])
        let encoded = try pumpwire(["encode"], stdin: decoded.out)
        #expect(encoded.status == 0)
        let expected = try String(contentsOf: packageRoot.appendingPathComponent("vectors/examples/bolusSchedule.hex"), encoding: .utf8)
        #expect(encoded.out == Hex.encodeLine(expected))
    }

    @Test("encode takes decode's JSON of a stream with fragments and errors, and writes each frame once")
    func encodeStream() throws {
        let long = try Message.prescriptionBlock(Samples.prescription(steps: 48)).encodedFrames(sequence: 5)
        let stream = Hex.encode(long) + " 00 " + Hex.encode(try Message.interrogationRequest(InterrogationRequest()).encodedFrames(sequence: 6))
        let decoded = try pumpwire(["decode", "--format", "json"], stdin: stream)
        #expect(decoded.status == 1)  // the noise byte
        let encoded = try pumpwire(["encode"], stdin: decoded.out)
        #expect(encoded.status == 0)
        let lines = encoded.out.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.prefix(2).joined() == Hex.encode(long))
    }

    @Test("encode refuses a value the spec forbids, with the decoder's code")
    func encodeRefuses() throws {
        let json = #"{"messageType": "refillReceipt", "sequence": 4, "message": {"confirmationDigest": 1, "resultingReservoirMicrolitres": 60001, "lowReservoirAlarmTime": 0}}"#
        let result = try pumpwire(["encode"], stdin: json)
        #expect(result.status == 1)
        #expect(result.err.contains("$.message.resultingReservoirMicrolitres: FIELD_OUT_OF_RANGE (10) at offset 13"))
    }
}

extension Hex {
    /// The hex of an annotated example file, as one line.
    static func encodeLine(_ annotated: String) -> String { Hex.encode(try! Hex.decode(annotated)) + "\n" }
}

@Suite("pumpwire validate and capture (spec section 14)", .serialized)
struct ValidateCommandTests {
    @Test("Exit 0 when nothing is found, 1 with findings, 2 for a file it cannot read")
    func exitStatus() throws {
        let clean = try pumpwire(["validate", "vectors/captures/session-complete.pcapng"])
        #expect(clean.status == 0)
        #expect(clean.out.contains("14 frames") && clean.out.contains("no findings"))
        let stored = try pumpwire(["validate", "vectors/captures/stored-other-prescription.pcapng"])
        #expect(stored.status == 1)
        #expect(stored.out.contains("packet 4, stream offset 0: DIGEST_MISMATCH (69) [PW-SESSION-4]"))
        let missing = try pumpwire(["validate", "vectors/captures/session-complete.pcapng", "no-such-file.pcapng"])
        #expect(missing.status == 2 && missing.err.contains("no-such-file.pcapng"))
    }

    @Test("JSON Lines: a finding a line, then the summary; --input-format forces the form")
    func jsonLines() throws {
        let result = try pumpwire(["validate", "--format", "json", "--input-format", "hex", "vectors/captures/broken-line.hex"])
        #expect(result.status == 1)
        let lines = try result.out.split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) }
        #expect(lines.count == 3)
        #expect(lines[0]["name"] == .string("CAPTURE_MALFORMED") && lines[0]["line"] == .integer(6))
        #expect(lines[1]["name"] == .string("BAD_SYNC") && lines[1]["requirement"] == .string("PW-FRAME-11"))
        #expect(lines[2]["summary"]?["format"] == .string("hex") && lines[2]["summary"]?["frames"] == .integer(14))
    }

    @Test("pumpwire capture writes the committed capture of a session vector, and pcapng from a hex log")
    func capture() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pumpwire-capture-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("session.pcapng").path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let written = try pumpwire(["capture", "--vector", "Required.Session.Complete", "--output", output])
        #expect(written.status == 0)
        #expect(FileManager.default.contents(atPath: output)
            == FileManager.default.contents(atPath: packageRoot.appendingPathComponent("vectors/captures/session-complete.pcapng").path))
        let fromHex = folder.appendingPathComponent("from-hex.pcapng").path
        #expect(try pumpwire(["capture", "--from", "vectors/captures/session-complete.hex", "--output", fromHex]).status == 0)
        let validated = try pumpwire(["validate", fromHex])
        #expect(validated.status == 0 && validated.out.contains("14 packets (14 of link type 147 read), 14 frames"))
    }
}

@Suite("The README's validate example", .serialized)
struct ReadmeValidateExampleTests {
    @Test("prints what README.md shows")
    func readmeOutput() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let command = "$ swift run pumpwire validate vectors/captures/stored-other-prescription.pcapng\n"
        let shown = try #require(readme.components(separatedBy: command).dropFirst().first?.components(separatedBy: "```").first)
        let result = try pumpwire(["validate", "vectors/captures/stored-other-prescription.pcapng"])
        #expect(result.out == shown)
    }
}
