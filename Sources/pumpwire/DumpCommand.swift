import ArgumentParser
import Foundation
import PumpWire
import PumpWireCore

struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Rebuild memory dumps from captured chunks, and read the pump's logs (spec section 13).",
        subcommands: [Reassemble.self, Show.self]
    )

    struct Reassemble: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the image that memoryDumpChunk frames carry, and print its log records.",
            discussion: """
                The inputs are read as one byte stream, as `decode` reads them (hex lines or binary; \
                other frames and noise are skipped). The first transfer is the image asked for; \
                transfers inside it (answers to resumption requests) fill its gaps. Missing chunks, \
                rejected chunks and damaged records are reported, not fatal: what can be rebuilt and \
                read is shown, with the requests that would fetch what is missing.
                Exit status: 0 when the image is complete and every record reads, 1 otherwise.
                Example:
                  pumpwire dump reassemble capture.hex --output eventlog.bin
                """
        )

        @Argument(help: "Files of frames (hex lines or binary); - for stdin.")
        var files: [String] = ["-"]

        @Option(help: "How to read the files: auto, hex or binary.")
        var inputFormat: InputFormat = .auto

        @Option(name: .shortAndLong, help: "Write the rebuilt image here (only when complete and its CRC-32 matches).")
        var output: String?

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func run() throws {
            var bytes: [UInt8] = []
            do {
                for path in files { bytes += try InputBytes.read(path: path, format: inputFormat) }
            } catch let failure as InputBytes.Failure {
                throw ValidationError(failure.description)
            }
            var collector = DumpCollector()
            var events: [(offset: Int, outcome: DumpCollector.ChunkOutcome)] = []
            var otherFrames = 0, rejectedFrames = 0
            for item in StreamDecoder.decode(bytes) {
                switch item.kind {
                case .frame(let frame):
                    guard case .message(.memoryDumpChunk(let chunk)) = frame.content else { otherFrames += 1; continue }
                    events.append((item.streamOffset, collector.add(chunk)))
                case .reassembled: otherFrames += 1
                case .rejected: rejectedFrames += 1
                }
            }
            let result = collector.finish()
            if let output, let image = result.image {
                guard FileManager.default.createFile(atPath: output, contents: Data(image.bytes)) else {
                    throw ValidationError("cannot write \(output)")
                }
            }
            let items = result.image?.logItems ?? []
            let report = DumpReport(result: result, events: events, otherFrames: otherFrames, rejectedFrames: rejectedFrames, items: items)
            print(format == .json ? report.json.text() : report.text)
            let recordsRead = !items.contains { if case .rejected = $0 { true } else { false } }
            if result.image == nil || !recordsRead { throw ExitCode(1) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read an image file (as `dump reassemble --output` writes it) as log records.",
            discussion: """
                Damaged records are reported with their image offset, and the records after them are \
                still read. Exit status: 0 when every slot reads, 1 otherwise.
                Example:
                  pumpwire dump show eventlog.bin --region eventLog
                """
        )

        @Argument(help: "The image file (binary); - for stdin.")
        var image: String

        @Option(help: "eventLog, alarmLog or therapyHistory; without it, record types of every log region are accepted.")
        var region: String?

        @Option(help: "Where the image starts in its region (records start at multiples of 20 there).")
        var regionOffset: UInt32 = 0

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func run() throws {
            var logRegion: MemoryRegion?
            if let region {
                guard let named = MemoryRegion.names.first(where: { $0.value == region })?.key, named != .rawAddress else {
                    throw ValidationError("--region must be eventLog, alarmLog or therapyHistory")
                }
                logRegion = named
            }
            let bytes: [UInt8]
            do { bytes = try InputBytes.read(path: image, format: .binary) } catch let failure as InputBytes.Failure {
                throw ValidationError(failure.description)
            }
            let items = LogReader.items(in: bytes, region: logRegion, regionOffset: regionOffset)
            switch format {
            case .json: print(JSONValue.array(items.map(PumpWireJSON.view(of:))).text())
            case .text: print(DumpReport.recordsText(items, imageLength: bytes.count))
            }
            if items.contains(where: { if case .rejected = $0 { true } else { false } }) { throw ExitCode(1) }
        }
    }
}

/// What `dump reassemble` prints.
struct DumpReport {
    var result: DumpCollector.Result
    var events: [(offset: Int, outcome: DumpCollector.ChunkOutcome)]
    var otherFrames: Int
    var rejectedFrames: Int
    var items: [LogItem]

    func count(_ wanted: (DumpCollector.ChunkOutcome) -> Bool) -> Int { events.filter { wanted($0.outcome) }.count }

    var text: String {
        guard let transfer = result.transfer else {
            return "no memoryDumpChunk frame found (\(otherFrames) other frames, \(rejectedFrames) rejected)"
        }
        var lines = [
            "transfer: \(transfer.region.name) from offset \(transfer.regionOffset), \(transfer.imageLength) bytes, "
                + "\(transfer.encoding.name), \(transfer.chunkCount) chunks, imageCrc32 \(hex32(transfer.imageCrc32))",
            "chunks: \(count { $0 == .added }) added, \(count { $0 == .duplicate }) duplicates, "
                + "\(count { $0 == .resumption }) from resumption transfers, \(count { if case .rejected = $0 { true } else { false } }) rejected"
                + "; \(otherFrames) other frames, \(rejectedFrames) rejected frames",
        ]
        for event in events {
            if case .rejected(let error) = event.outcome { lines.append("  stream offset \(event.offset): \(error)") }
        }
        if let image = result.image {
            lines.append("image: complete, \(image.bytes.count) bytes, CRC-32 \(hex32(image.crc32)) matches")
        } else if let error = result.error {
            lines.append("image: not usable: \(error)")
            if !result.missingChunks.isEmpty {
                lines.append("  missing chunks: \(result.missingChunks.map(String.init).joined(separator: ", "))")
            }
            for request in result.resumeRequests {
                lines.append("  ask again: region \(request.region.name), offset \(request.offset), length \(request.length)")
            }
            for pieceError in result.pieceErrors { lines.append("  a resumption transfer failed: \(pieceError)") }
        }
        if result.image != nil, transfer.region != .rawAddress {
            lines.append(Self.recordsText(items, imageLength: transfer.imageLength))
        }
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if let transfer = result.transfer {
            members.append(("transfer", .object([
                ("region", .string(transfer.region.name)), ("encoding", .string(transfer.encoding.name)),
                ("regionOffset", .integer(Int64(transfer.regionOffset))), ("imageLength", .integer(Int64(transfer.imageLength))),
                ("chunkCount", .integer(Int64(transfer.chunkCount))), ("imageCrc32", .integer(Int64(transfer.imageCrc32))),
            ])))
        } else {
            members.append(("transfer", .null))
        }
        members.append(("chunks", .object([
            ("added", .integer(Int64(count { $0 == .added }))), ("duplicates", .integer(Int64(count { $0 == .duplicate }))),
            ("resumption", .integer(Int64(count { $0 == .resumption }))),
            ("rejected", .array(events.compactMap { event in
                guard case .rejected(let error) = event.outcome else { return nil }
                return .object([("streamOffset", .integer(Int64(event.offset))), ("error", PumpWireJSON.view(of: error))])
            })),
        ])))
        members.append(("complete", .bool(result.image != nil)))
        members.append(("error", result.error.map(PumpWireJSON.view(of:)) ?? .null))
        members.append(("missingChunks", .array(result.missingChunks.map { .integer(Int64($0)) })))
        members.append(("resumeRequests", .array(result.resumeRequests.map {
            .object([("region", .string($0.region.name)), ("offset", .integer(Int64($0.offset))), ("length", .integer(Int64($0.length)))])
        })))
        members.append(("records", .array(items.map(PumpWireJSON.view(of:)))))
        return .object(members)
    }

    /// One line a record, with the pump time written out, then a summary line.
    static func recordsText(_ items: [LogItem], imageLength: Int) -> String {
        var lines: [String] = []
        var records = 0, erased = 0, rejected = 0
        for item in items {
            let view = PumpWireJSON.view(of: item)
            switch item {
            case .record(let offset, let record):
                records += 1
                let fields = (view.objectMembers ?? []).dropFirst(3).map { "\($0.0) \($0.1.stringValue ?? $0.1.text(indent: nil))" }
                lines.append("  \(pad(offset))  \(pumpTime(record.time))  \(record.recordType.name)  \(fields.joined(separator: ", "))")
            case .erased(let offset, let slots):
                erased += slots
                lines.append("  \(pad(offset))  (\(slots) erased slot\(slots == 1 ? "" : "s"))")
            case .rejected(let offset, let error):
                rejected += 1
                lines.append("  \(pad(offset))  damaged: \(error)")
            }
        }
        lines.insert("records: \(records) read, \(rejected) damaged, \(erased) erased slots, in \(imageLength) bytes", at: 0)
        return lines.joined(separator: "\n")
    }

    static func pad(_ offset: Int) -> String { String(repeating: " ", count: max(0, 7 - String(offset).count)) + String(offset) }

    /// Pump clock (PW-UNIT-1): seconds since 2000-01-01 00:00:00, pump local time.
    static func pumpTime(_ time: UInt32) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let epoch = calendar.date(from: DateComponents(year: 2000, month: 1, day: 1))!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: epoch.addingTimeInterval(TimeInterval(time)))
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
    }

    func hex32(_ value: UInt32) -> String { String(format: "0x%08x", value) }
}

extension JSONValue {
    var objectMembers: [(String, JSONValue)]? { if case .object(let members) = self { members } else { nil } }
}
