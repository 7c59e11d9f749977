import ArgumentParser
import Foundation
import PumpWire
import PumpWireConformance

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

    func validate() throws {
        if from.isEmpty && vector.isEmpty && !allSessions { throw ValidationError("give --vector, --all-sessions or --from") }
        if !from.isEmpty && (allSessions || !vector.isEmpty) { throw ValidationError("--from cannot be combined with vectors") }
        if (allSessions || vector.count > 1) && directory == nil { throw ValidationError("several captures need --directory") }
        if directory == nil && output == nil { throw ValidationError("give --output (or --directory)") }
    }

    func run() throws {
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
