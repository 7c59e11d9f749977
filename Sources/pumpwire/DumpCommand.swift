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
                Each input is read as `decode` reads it (a capture, hex log, hex dump or raw stream; \
                other frames and noise are skipped), and the chunks of all inputs go to one image. The first transfer is the image asked for; \
                transfers inside it (answers to resumption requests) fill its gaps. Missing chunks, \
                rejected chunks and damaged records are reported, not fatal: what can be rebuilt and \
                read is shown, with the requests that would fetch what is missing.
                Exit status: 0 when the image is complete and every record reads, 1 otherwise, 2 when \
                an input could not be read.
                Example:
                  pumpwire dump reassemble capture.hex --output eventlog.bin
                """
        )

        @Argument(help: "Captures, hex logs, hex dumps or raw streams of frames; - for stdin.")
        var files: [String] = ["-"]

        @Flag(help: "Read every file under a directory given.")
        var recursive = false

        @Option(help: ArgumentHelp(stringLiteral: InputFormat.help))
        var inputFormat: InputFormat = .auto

        @Option(name: .shortAndLong, help: "Write the rebuilt image here (only when complete and its CRC-32 matches).")
        var output: String?

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let paths = try Inputs.paths(files, recursive: recursive)
            var collector = DumpCollector()
            var tally = DumpReport.Tally()
            var problems: [String] = []
            for path in paths {
                let input = try Inputs.open(path, as: inputFormat)
                let reader = StreamItemReader(
                    onItem: { item, _, _ in
                        switch item.kind {
                        case .frame(let frame):
                            guard case .message(.memoryDumpChunk(let chunk)) = frame.content else { tally.otherFrames += 1; return }
                            tally.add(collector.add(chunk), file: input.name, at: item)
                        case .reassembled: tally.otherFrames += 1
                        case .rejected: tally.rejectedFrames += 1
                        }
                    },
                    onProblem: { problems.append(ValidationText.line(for: $0, file: input.name)) })
                reader.read(input)
            }
            for problem in problems { printError(problem) }
            let result = collector.finish()
            if let output, let image = result.image {
                guard FileManager.default.createFile(atPath: output, contents: Data(image.bytes)) else {
                    throw CommandFailure("\(output): cannot write the image")
                }
            }
            let items = result.image?.logItems ?? []
            let report = DumpReport(result: result, tally: tally, items: items)
            print(format == .json ? report.json.text() : report.text)
            let recordsRead = !items.contains { if case .rejected = $0 { true } else { false } }
            if result.image == nil || !recordsRead || !problems.isEmpty { throw ExitCode(ExitStatus.findings) }
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

        // Unconditional, so that "-1" is read as the value it is and refused as such, not as a missing value.
        @Option(parsing: .unconditional, help: "Where the image starts in its region, 0 to 4294967295 (records start at multiples of 20 there).")
        var regionOffset: UInt32 = 0

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func run() throws {
            var logRegion: MemoryRegion?
            if let region {
                guard let named = MemoryRegion.names.first(where: { $0.value == region })?.key, named != .rawAddress else {
                    throw ValidationError("--region must be eventLog, alarmLog or therapyHistory, not \(region)")
                }
                logRegion = named
            }
            let bytes = try Inputs.readImage(image)
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
    /// The chunks and frames seen, counted as they pass: a capture of any size is read in bounded memory.
    struct Tally {
        var added = 0, duplicates = 0, resumption = 0, rejected = 0
        var otherFrames = 0, rejectedFrames = 0
        /// The first rejected chunks, with their place, for the report (the rest are counted).
        var rejections: [(file: String, packet: Int?, offset: Int, error: PumpWireError)] = []
        static let rejectionsShown = 100

        mutating func add(_ outcome: DumpCollector.ChunkOutcome, file: String, at item: StreamItem) {
            switch outcome {
            case .added: added += 1
            case .duplicate: duplicates += 1
            case .resumption: resumption += 1
            case .rejected(let error):
                rejected += 1
                if rejections.count < Self.rejectionsShown { rejections.append((file, item.packet, item.streamOffset, error)) }
            }
        }
    }

    var result: DumpCollector.Result
    var tally: Tally
    var items: [LogItem]

    var text: String {
        guard let transfer = result.transfer else {
            return "no memoryDumpChunk frame found (\(tally.otherFrames) other frames, \(tally.rejectedFrames) rejected)"
        }
        var lines = [
            "transfer: \(transfer.region.name) from offset \(transfer.regionOffset), \(transfer.imageLength) bytes, "
                + "\(transfer.encoding.name), \(transfer.chunkCount) chunks, imageCrc32 \(hex32(transfer.imageCrc32))",
            "chunks: \(tally.added) added, \(tally.duplicates) duplicates, "
                + "\(tally.resumption) from resumption transfers, \(tally.rejected) rejected"
                + "; \(tally.otherFrames) other frames, \(tally.rejectedFrames) rejected frames",
        ]
        for rejection in tally.rejections {
            let packet = rejection.packet.map { "packet \($0), " } ?? ""
            lines.append("  \(rejection.file): \(packet)stream offset \(rejection.offset): \(rejection.error)")
        }
        if tally.rejected > tally.rejections.count { lines.append("  and \(tally.rejected - tally.rejections.count) more rejected chunks") }
        if let image = result.image {
            lines.append("image: complete, \(image.bytes.count) bytes, CRC-32 \(hex32(image.crc32)) matches")
            if !result.missingChunks.isEmpty {
                lines.append("  chunks \(result.missingChunks.map(String.init).joined(separator: ", ")) of the first transfer were lost and filled by resumption transfers")
            }
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
            ("added", .integer(Int64(tally.added))), ("duplicates", .integer(Int64(tally.duplicates))),
            ("resumption", .integer(Int64(tally.resumption))), ("rejectedCount", .integer(Int64(tally.rejected))),
            ("rejected", .array(tally.rejections.map { rejection in
                var place: [(String, JSONValue)] = [("file", .string(rejection.file))]
                if let packet = rejection.packet { place.append(("packet", .integer(Int64(packet)))) }
                return .object(place + [("streamOffset", .integer(Int64(rejection.offset))), ("error", PumpWireJSON.view(of: rejection.error))])
            })),
        ])))
        let complete = result.image != nil
        members.append(("complete", .bool(complete)))
        members.append(("error", result.error.map(PumpWireJSON.view(of:)) ?? .null))
        // Missing: what is still unknown. Recovered: what the first transfer lost and resumption filled.
        members.append(("missingChunks", .array((complete ? [] : result.missingChunks).map { .integer(Int64($0)) })))
        members.append(("recoveredChunks", .array((complete ? result.missingChunks : []).map { .integer(Int64($0)) })))
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
