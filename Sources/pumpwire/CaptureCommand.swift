import ArgumentParser
import Foundation
import PumpWire
import PumpWireConformance
import PumpWireCore
import PumpWireSecurity

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Write pcapng (or pcap) captures from session vectors or from captured traffic (spec 14.1, 14.4).",
        discussion: """
            One frame a packet where that keeps the stream's findings (spec 14.4), link type 147, \
            the direction set from the message type. Open the \
            result in Wireshark with tools/wireshark/pumpwire.lua, or check it with `pumpwire validate`.
            Examples:
              pumpwire capture --vector Required.Session.Complete --output session.pcapng
              pumpwire capture --all-sessions --directory /tmp/sessions
              pumpwire capture --from serial-log.hex --output serial-log.pcapng
              pumpwire capture --decrypt vectors/captures/session-sealed.pcapng --keylog vectors/captures/session-sealed.keylog --output opened.pcapng
              pumpwire capture --sealed-example --pump pump.json --device programmer.json --output sealed.pcapng --write-keylog sealed.keylog
            `--decrypt` writes a decrypted view for the Wireshark dissector (spec/security.md 14.4): \
            each sealed frame the key log opens holds its plaintext, and its packet's comment says \
            so ("PumpWire opened at OFFSET: ..."); it is not traffic, so validate the original. \
            `--sealed-example` writes the example sealed session (a KK handshake, interrogation, \
            prescription) between two test identities (pumpwire keys), and its key log; \
            vectors/captures/session-sealed.pcapng is this with the identities beside it.
            """
    )

    @Option(help: "A session vector's name or id (repeatable): its frames, in order.")
    var vector: [String] = []

    @Flag(help: "Every session vector, a file each (needs --directory).")
    var allSessions = false

    @Option(help: "A capture, hex log, hex dump or raw stream (repeatable): written as packets that mean what it meant (spec 14.4).")
    var from: [String] = []

    @Flag(help: "Read every file under a directory given to --from.")
    var recursive = false

    @Option(help: ArgumentHelp(stringLiteral: InputFormat.help))
    var inputFormat: InputFormat = .auto

    @Option(name: .shortAndLong, help: "The capture to write (one vector, or --from).")
    var output: String?

    @Option(help: "Where --all-sessions (or several --vector) writes NAME.pcapng.")
    var directory: String?

    @Option(help: "pcapng or pcap.")
    var format: CaptureWriter.Format = .pcapng

    @Option(name: [.customLong("corpus"), .customLong("vectors")], help: ArgumentHelp("The vectors folder, which holds corpus/ (default: found as for conformance).", valueName: "dir"))
    var corpus: String?

    @Option(help: ArgumentHelp("A pcapng or pcap capture to write as a decrypted view (spec/security.md 14.4); needs --keylog and --output.", valueName: "capture"))
    var decrypt: String?

    @Option(help: ArgumentHelp(KeyLogFile.help, valueName: "file"))
    var keylog: String?

    @Flag(help: "Write the example sealed session between --pump and --device (test identity files).")
    var sealedExample = false

    @Option(help: ArgumentHelp("A test pump identity (pumpwire keys new-pump).", valueName: "file"))
    var pump: String?

    @Option(help: ArgumentHelp("A test device identity (pumpwire keys new-device).", valueName: "file"))
    var device: String?

    @Option(help: ArgumentHelp("Where --sealed-example writes its key log.", valueName: "file"))
    var writeKeylog: String?

    func validate() throws {
        if let decrypt {
            if keylog == nil || output == nil { throw ValidationError("--decrypt \(decrypt) needs --keylog FILE and --output FILE") }
            if sealedExample || !from.isEmpty || !vector.isEmpty || allSessions { throw ValidationError("--decrypt cannot be combined with other sources") }
            return
        }
        if sealedExample {
            if pump == nil || device == nil || output == nil { throw ValidationError("--sealed-example needs --pump, --device and --output") }
            if !from.isEmpty || !vector.isEmpty || allSessions { throw ValidationError("--sealed-example cannot be combined with other sources") }
            return
        }
        if keylog != nil { throw ValidationError("--keylog goes with --decrypt") }
        if from.isEmpty && vector.isEmpty && !allSessions { throw ValidationError("give --vector, --all-sessions, --from, --decrypt or --sealed-example") }
        if !from.isEmpty && (allSessions || !vector.isEmpty) { throw ValidationError("--from cannot be combined with vectors") }
        if (allSessions || vector.count > 1) && directory == nil { throw ValidationError("several captures need --directory") }
        if directory == nil && output == nil { throw ValidationError("give --output (or --directory)") }
    }

    func run() throws {
        if let decrypt { return try decryptCapture(decrypt) }
        if sealedExample { return try writeSealedExample() }
        if !from.isEmpty { return try convert() }
        let (loaded, location) = try loadCorpus(override: corpus)
        let sessions = loaded.vectors.filter { $0.kind == "session" }
        var chosen = allSessions ? sessions : []
        for wanted in vector {
            guard let found = sessions.first(where: { $0.name == wanted || String($0.id) == wanted }) else {
                throw CommandFailure("no session vector named \(wanted) in \(location.directory.path)")
            }
            chosen.append(found)
        }
        for session in chosen {
            let frames = session.byteList("inputs") ?? []
            let bytes = CaptureWriter.capture(of: frames, format: format, comment: "PumpWire vector \(session.name)")
            let path = directory.map { "\($0)/\(session.name).\(format.rawValue)" } ?? output!
            try write(bytes, to: path)
            print("wrote \(path): \(frames.count) packets (\(session.name))")
        }
    }

    /// `--from`: every input, in order, into one capture written as it is read (spec 14.4).
    private func convert() throws {
        let paths = try Inputs.paths(from, recursive: recursive)
        let inputs = try paths.map { path throws(CommandFailure) in try Inputs.open(path, as: inputFormat) }
        guard let sink = FileSink(path: output!) else { throw CommandFailure("\(output!): cannot create the file") }
        var writer = CaptureWriter(format: format, comment: "from " + inputs.map(\.name).joined(separator: ", "))
        var packets = 0, dropped = 0, forced = 0
        for input in inputs {
            let converter = CaptureConverter(onSourceProblem: { printError(ValidationText.line(for: $0, file: input.name)) }) { data, originalLength, _ in
                writer.add(data, microseconds: CaptureWriter.vectorEpochMicroseconds + UInt64(packets) * 50_000, originalLength: originalLength)
                packets += 1
                if writer.bytes.count >= 1 << 16 { sink.write(writer.takeBytes()) }
            }
            converter.convert(input)
            dropped += converter.noiseBytesDropped
            forced += converter.forcedCuts
        }
        sink.write(writer.takeBytes())
        guard sink.close() else { throw CommandFailure("\(output!): cannot write the capture") }
        var note = ""
        if dropped > 0 { note += "; \(dropped) bytes of noise beyond a packet's 65535 left out" }
        if forced > 0 { note += "; \(forced) cuts forced inside rejected frames (findings there may differ)" }
        print("wrote \(output!): \(packets) packets\(note)")
    }

    /// `--decrypt`: the decrypted view of spec/security.md 14.4 (PW-KEYLOG-5).
    private func decryptCapture(_ path: String) throws {
        let keyLog = try KeyLogFile.load(keylog!)
        let input = try Inputs.open(path, as: inputFormat)
        guard input.format == .pcapng || input.format == .pcap else {
            throw CommandFailure("\(input.name): a \(input.format.rawValue), not a capture file: --decrypt reads pcapng and pcap",
                                 hint: "make a capture first: pumpwire capture --from \(input.name) --output FILE.pcapng")
        }
        guard let sink = FileSink(path: output!) else { throw CommandFailure("\(output!): cannot create the file") }
        var writer = CaptureWriter(format: .pcapng, comment: CaptureDecryptor.sectionComment + " Source: \(input.name).")
        var packets = 0
        let decryptor = CaptureDecryptor(opener: KeyLogOpener(keyLog: keyLog)) { data, originalLength, comment in
            writer.add(data, microseconds: CaptureWriter.vectorEpochMicroseconds + UInt64(packets) * 50_000,
                       originalLength: originalLength, comment: comment)
            packets += 1
            if writer.bytes.count >= 1 << 16 { sink.write(writer.takeBytes()) }
        }
        var consumer = decryptor
        input.read(into: &consumer)
        sink.write(writer.takeBytes())
        guard sink.close() else { throw CommandFailure("\(output!): cannot write the capture") }
        for problem in decryptor.problems { printError(ValidationText.line(for: problem, file: input.name)) }
        let rejected = decryptor.rejectedFrames > 0 ? ", \(decryptor.rejectedFrames) failed to open (copied as they were; pumpwire validate --keylog says why)" : ""
        print("wrote \(output!): \(packets) packets, \(decryptor.openedFrames) of \(decryptor.sealedFrames) sealed frames of the key log's sessions opened\(rejected)")
        if let failure = input.readFailure { throw CommandFailure("\(input.name): \(failure)") }
    }

    /// `--sealed-example`: the example session between two test identities, and its key log.
    private func writeSealedExample() throws {
        func identity(_ path: String, _ kind: TestIdentity.Kind) throws -> TestIdentity {
            let text = try KeyLogFile.readText(path, what: "test identity")
            let identity: TestIdentity
            do { identity = try TestIdentity(text: text) } catch { throw CommandFailure("\(path): \(error)") }
            guard identity.kind == kind else { throw CommandFailure("\(path): a \(identity.kind.rawValue) identity, not a \(kind.rawValue)") }
            return identity
        }
        let example = try SealedSessionExample.make(pump: try identity(pump!, .pump), device: try identity(device!, .device))
        try write(example.capture, to: output!)
        if let writeKeylog {
            guard FileManager.default.createFile(atPath: writeKeylog, contents: Data(SealedSessionExample.keyLogText(example).utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw CommandFailure("\(writeKeylog): cannot write the key log")
            }
        }
        print("wrote \(output!): \(example.frames.count) packets (KK handshake, sealed interrogation and prescription)"
            + (writeKeylog.map { "; key log \($0)" } ?? "; no key log (--write-keylog FILE)"))
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        if let directory {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw CommandFailure("\(directory): cannot create the directory")
            }
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw CommandFailure("\(path): cannot write the capture") }
    }
}

/// An output file written a piece at a time.
final class FileSink {
    private let handle: FileHandle
    private var failed = false

    init?(path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { return nil }
        self.handle = handle
    }

    func write(_ bytes: [UInt8]) {
        guard !failed, !bytes.isEmpty else { return }
        do { try handle.write(contentsOf: bytes) } catch { failed = true }
    }

    /// False if any write failed.
    func close() -> Bool {
        do { try handle.close() } catch { failed = true }
        return !failed
    }
}

extension CaptureWriter.Format: ExpressibleByArgument {}
