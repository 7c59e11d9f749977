import ArgumentParser
import Foundation
import PumpWire
import PumpWireCore

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode frames from hex or binary input; fragments are reassembled.",
        discussion: """
            Input is read as one byte stream: every frame in it is decoded, noise and bad frames \
            are reported and skipped (the reader resynchronises on the sync word a5 c3). A pcapng \
            or pcap capture (spec 14.1) is read packet by packet, each item naming its packet.
            Examples:
              pumpwire decode a5c301010001000000a13f
              pumpwire decode --file vectors/examples/prescriptionBlock.hex --format json
              cat capture.bin | pumpwire decode --file - --input-format binary
              pumpwire decode --file vectors/captures/session-complete.pcapng --format json
            """
    )

    @Argument(help: "Hex bytes (spaces allowed inside quotes). With none and no --file, stdin is read.")
    var hex: [String] = []

    @Option(name: .shortAndLong, help: "A file of hex lines or raw bytes; - for stdin. Repeatable.")
    var file: [String] = []

    @Option(help: "How to read --file: auto, hex, binary, pcapng or pcap.")
    var inputFormat: InputFormat = .auto

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        var bytes: [UInt8] = []
        var captureItems: [StreamItem] = []
        var problems: [ValidationFinding] = []
        do {
            for argument in hex { bytes += try InputBytes.parseHex(Array(argument.utf8), source: "argument") }
            for path in file {
                if let format = try InputBytes.captureFormat(path: path, format: inputFormat) {
                    let capture = try StreamDecoder.decodeCapture(path: path, as: format)
                    captureItems += capture.items
                    problems += capture.problems
                } else {
                    bytes += try InputBytes.read(path: path, format: inputFormat)
                }
            }
            if hex.isEmpty && file.isEmpty { bytes = try InputBytes.read(path: "-", format: inputFormat) }
        } catch let failure as InputBytes.Failure {
            throw ValidationError(failure.description)
        } catch let failure as FileInput.OpenFailure {
            throw ValidationError(failure.description)
        }

        let items = StreamDecoder.decode(bytes) + captureItems
        for problem in problems { printError("error: " + ValidationText.line(for: problem, file: "capture")) }
        let report = try DecodeReport(items: items)
        switch format {
        case .text: print(report.text(inputLength: bytes.count))
        case .json: print(report.json.text())
        }
        if report.rejectedCount > 0 || !problems.isEmpty { throw ExitCode(1) }
    }
}

/// What `decode` prints, in text or JSON.
struct DecodeReport {
    var items: [StreamItem]
    var views: [JSONValue?]
    var rejectedCount: Int

    init(items: [StreamItem]) throws {
        self.items = items
        views = try items.map { item in
            switch item.kind {
            case .frame(let frame), .reassembled(let frame): try PumpWireJSON.view(of: frame)
            case .rejected: nil
            }
        }
        rejectedCount = items.filter { if case .rejected = $0.kind { true } else { false } }.count
    }

    var json: JSONValue {
        .array(zip(items, views).map { item, view in
            var members: [(String, JSONValue)] = item.packet.map { [("packet", .integer(Int64($0)))] } ?? []
            members.append(("streamOffset", .integer(Int64(item.streamOffset))))
            switch item.kind {
            case .frame:
                if case .object(let frameMembers)? = view { members += frameMembers }
            case .reassembled:
                members.append(("reassembled", .bool(true)))
                if case .object(let frameMembers)? = view { members += frameMembers }
            case .rejected(let error, let payloadOffsets):
                guard case .object(let fields) = PumpWireJSON.view(of: error) else { break }
                members.append(("error", .object(fields + [("offsetFrom", .string(payloadOffsets ? "payload" : "frame"))])))
            }
            return .object(members)
        })
    }

    func text(inputLength: Int) -> String {
        var lines: [String] = []
        var frameCount = 0
        for (item, view) in zip(items, views) {
            switch item.kind {
            case .frame(let frame):
                frameCount += 1
                lines.append("frame at \(place(item)) (\(item.length) bytes): \(heading(frame))")
                if let view { lines.append(body(of: view)) }
                lines += derivedLines(frame)
            case .reassembled(let frame):
                lines.append("message reassembled from the fragments starting at \(place(item)): \(heading(frame))")
                if let view { lines.append(body(of: view)) }
                lines += derivedLines(frame)
            case .rejected(let error, let payloadOffsets):
                let packet = item.packet.map { "packet \($0), " } ?? ""
                let place = payloadOffsets
                    ? "payload offset \(error.offset) of the message whose fragments start at \(self.place(item))"
                    : "\(packet)stream offset \(item.streamOffset + error.offset) (offset \(error.offset) in the frame at \(item.streamOffset))"
                lines.append("error: \(error.code.specName) (\(error.code.rawValue)) at \(place)")
            }
        }
        lines.append("\(frameCount) frame\(frameCount == 1 ? "" : "s") in \(inputLength) bytes, \(rejectedCount) rejected")
        return lines.joined(separator: "\n")
    }

    private func place(_ item: StreamItem) -> String {
        (item.packet.map { "packet \($0), " } ?? "") + "offset \(item.streamOffset)"
    }

    private func heading(_ frame: Frame) -> String {
        let code = "0x" + Hex.encode([frame.typeCode])
        var text = "\(MessageRegistry.name(of: frame.typeCode)) (\(code)), sequence \(frame.sequence)"
        if case .fragment(let fragment) = frame.content {
            text += ", fragment \(fragment.header.index + 1) of \(fragment.header.count)"
        }
        if frame.authentication != nil { text += ", authentication block present (not verified)" }
        return text
    }

    /// The view without the envelope keys the heading already shows.
    private func body(of view: JSONValue) -> String {
        guard case .object(let members) = view else { return "" }
        let shown = members.filter { !["messageType", "typeCode", "sequence"].contains($0.0) }
            .filter { !($0.0 == "authentication" && $0.1 == .null) }
        var flattened: [(String, JSONValue)] = []
        for (key, value) in shown {
            if key == "message", case .object(let fields) = value { flattened += fields } else { flattened.append((key, value)) }
        }
        return JSONValue.object(flattened).readableText()
    }

    /// Quantities of spec 2.3 that a clinical engineer checks by hand.
    private func derivedLines(_ frame: Frame) -> [String] {
        guard case .message(let message) = frame.content else { return [] }
        switch message {
        case .prescriptionBlock(let rx):
            let digest = (try? message.digest()).map { String(format: "0x%08x", $0) } ?? "?"
            return [
                "  derived: daily basal dose \(rx.dailyBasalDoseNanograms) ng/day (D3), "
                    + "daily basal volume \(rx.dailyBasalVolumeNanolitres) nL/day (D2), digest \(digest)",
            ]
        case .bolusSchedule, .refillConfirmation:
            let digest = (try? message.digest()).map { String(format: "0x%08x", $0) } ?? "?"
            return ["  derived: digest \(digest)"]
        default:
            return []
        }
    }
}
