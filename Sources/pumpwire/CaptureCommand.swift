import ArgumentParser
import Foundation
import PumpWire
import PumpWireConformance

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Write pcapng (or pcap) captures from session vectors or from hex logs and raw streams (spec 14.1).",
        discussion: """
            One frame a packet, link type 147, the direction set from the message type. Open the \
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

    @Option(help: "A hex log or raw stream (repeatable): each frame found becomes a packet, and so does each run of noise.")
    var from: [String] = []

    @Option(name: .shortAndLong, help: "The capture to write (one vector, or --from).")
    var output: String?

    @Option(help: "Where --all-sessions (or several --vector) writes NAME.pcapng.")
    var directory: String?

    @Option(help: "pcapng or pcap.")
    var format: CaptureWriter.Format = .pcapng

    @Option(help: "The vectors folder (its corpus/ holds sessions.json).")
    var corpus: String = "vectors"

    func validate() throws {
        if from.isEmpty && vector.isEmpty && !allSessions { throw ValidationError("give --vector, --all-sessions or --from") }
        if !from.isEmpty && (allSessions || !vector.isEmpty) { throw ValidationError("--from cannot be combined with vectors") }
        if (allSessions || vector.count > 1) && directory == nil { throw ValidationError("several captures need --directory") }
        if directory == nil && output == nil { throw ValidationError("give --output (or --directory)") }
    }

    func run() throws {
        if !from.isEmpty {
            var packets: [[UInt8]] = []
            for path in from {
                do {
                    packets += StreamPieces.pieces(of: try InputBytes.read(path: path, format: .auto))
                } catch let failure as InputBytes.Failure {
                    throw ValidationError(failure.description)
                }
            }
            try write(CaptureWriter.capture(of: packets, format: format, comment: "from " + from.joined(separator: ", ")), to: output!)
            print("wrote \(output!): \(packets.count) packets")
            return
        }
        let sessions = try Corpus(directory: URL(fileURLWithPath: corpus)).vectors.filter { $0.kind == "session" }
        var chosen = allSessions ? sessions : []
        for wanted in vector {
            guard let found = sessions.first(where: { $0.name == wanted || String($0.id) == wanted }) else {
                throw ValidationError("no session vector named \(wanted) in \(corpus)")
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

    private func write(_ bytes: [UInt8], to path: String) throws {
        if let directory { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

extension CaptureWriter.Format: ExpressibleByArgument {}

/// A stream cut into its frames and its runs of noise, in order: every byte kept.
enum StreamPieces {
    static func pieces(of bytes: [UInt8]) -> [[UInt8]] {
        var starts: [Int] = []
        var reader = StreamReader()
        bytes.withUnsafeBytes { raw in
            _ = reader.read(raw) { item, _ in
                if item.length > 0 { starts.append(item.streamOffset) }  // reassembly results cover no bytes of their own
            }
        }
        return zip(starts, starts.dropFirst() + [bytes.count]).map { Array(bytes[$0..<$1]) }
    }
}
