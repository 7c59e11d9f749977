import ArgumentParser
import Foundation
import PumpWire
import PumpWireCore
import PumpWireSecurity

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode frames from hex arguments, captures, hex logs, hex dumps or raw streams; fragments are reassembled.",
        discussion: """
            Each input is read as a byte stream, as it arrives, in bounded memory: every frame in it \
            is decoded, noise and bad frames are reported and skipped (the reader resynchronises on \
            the sync word a5 c3). A pcapng or pcap capture (spec 14.1) is read packet by packet, each \
            item naming its packet. Exit status: 0 when nothing was rejected, 1 when something was, \
            2 when an input could not be read.
            Examples:
              pumpwire decode a5c301010001000000a13f
              pumpwire decode --file vectors/examples/prescriptionBlock.hex --format json
              cat capture.bin | pumpwire decode --file - --input-format binary
              pumpwire decode --file vectors/captures/session-complete.pcapng --format json
              pumpwire decode --keylog vectors/captures/session-sealed.keylog --file vectors/captures/session-sealed.pcapng
            """
    )

    @Argument(help: "Hex bytes (spaces allowed inside quotes). With none and no --file, stdin is read.")
    var hex: [String] = []

    @Option(name: .shortAndLong, help: "A capture, hex log, hex dump or raw stream; - for stdin. Repeatable.")
    var file: [String] = []

    @Flag(help: "Read every file under a directory given as --file.")
    var recursive = false

    @Option(help: ArgumentHelp(stringLiteral: InputFormat.help))
    var inputFormat: InputFormat = .auto

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp(KeyLogFile.help, valueName: "file"))
    var keylog: String?

    func run() throws {
        let keyLog = try keylog.map { path throws(CommandFailure) in try KeyLogFile.load(path) }
        var inputs: [CaptureInput] = []
        if !hex.isEmpty { inputs.append(try Inputs.openArguments(hex)) }
        let paths = try Inputs.paths(file.isEmpty && hex.isEmpty ? ["-"] : file, recursive: recursive)
        let output = LineOutput()
        let printer = DecodePrinter(format: format, output: output, namesFiles: inputs.count + paths.count > 1, keyLog: keyLog)
        var rejected = false
        printer.begin()
        for input in inputs { rejected = printer.decode(input) || rejected }
        for path in paths {
            let input: CaptureInput
            do { input = try Inputs.open(path, as: inputFormat) } catch {
                printer.end()
                output.flush()
                throw error
            }
            rejected = printer.decode(input) || rejected
        }
        printer.end()
        output.flush()
        if rejected { throw ExitCode(ExitStatus.findings) }
    }
}

/// Prints what `decode` finds as it finds it, in text or as one JSON array: nothing is held but
/// the item being printed, so a capture of any size decodes in bounded memory.
final class DecodePrinter {
    let format: OutputFormat
    let output: LineOutput
    /// Several inputs: each item's JSON and each summary names its file.
    let namesFiles: Bool
    /// Opens sealed frames (spec/security.md 14.3); a new opener for each input, which is a session of its own.
    let keyLog: KeyLog?
    private var firstItem = true

    init(format: OutputFormat, output: LineOutput, namesFiles: Bool, keyLog: KeyLog? = nil) {
        self.format = format
        self.output = output
        self.namesFiles = namesFiles
        self.keyLog = keyLog
    }

    func begin() { if format == .json { output.write("[", newline: false) } }

    func end() { if format == .json { output.write(firstItem ? "]" : "\n]") } }

    /// Decodes one input; true when anything was rejected (or the file has problems).
    func decode(_ input: CaptureInput) -> Bool {
        var frames = 0, rejections = 0, problems = 0, sealed = 0, opened = 0
        let reader = StreamItemReader(
            opener: keyLog.map { KeyLogOpener(keyLog: $0) },
            onItem: { [self] item, frameBytes, context in
                switch item.kind {
                case .frame(let frame):
                    frames += 1
                    if frame.isSealed || item.opened != nil { sealed += 1 }
                case .reassembled: break
                case .rejected:
                    rejections += 1
                    if item.length > 0, let frameBytes, frameBytes.count > 4,
                       frameBytes[4] & FrameFlags.authenticated.rawValue != 0 || item.opened != nil { sealed += 1 }
                }
                if item.opened != nil, item.length > 0 { opened += 1 }
                switch format {
                case .text:
                    for line in DecodeText.lines(for: item, context: context, file: input.name, keyLogGiven: keyLog != nil) { output.write(line) }
                case .json: writeJSON(DecodeText.json(for: item, context: context, file: namesFiles ? input.name : nil))
                }
            },
            onProblem: { [self] finding in
                problems += 1
                let line = ValidationText.line(for: finding, file: input.name)
                if format == .text { output.write(line) } else { output.flush(); printError(line) }
            })
        reader.read(input)
        if format == .text {
            let name = namesFiles ? "\(input.name): " : ""
            let what = input.format == .pcapng || input.format == .pcap ? "in \(reader.packets) packet\(reader.packets == 1 ? "" : "s") of \(reader.streamBytes) bytes" : "in \(reader.streamBytes) bytes"
            var sealedText = ""
            if sealed > 0 {
                sealedText = keyLog == nil
                    ? "; \(sealed) sealed, not opened (give --keylog FILE to open them)"
                    : "; \(sealed) sealed, \(opened) opened with the key log, \(sealed - opened) not opened"
            }
            output.write("\(name)\(frames) frame\(frames == 1 ? "" : "s") \(what), \(rejections) rejected"
                + (problems > 0 ? ", \(problems) capture problem\(problems == 1 ? "" : "s")" : "") + sealedText)
        }
        return rejections > 0 || problems > 0
    }

    private func writeJSON(_ value: JSONValue) {
        let indented = value.text().split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        output.write((firstItem ? "\n" : ",\n") + indented, newline: false)
        firstItem = false
    }
}

/// What `decode` prints for one item, in text or JSON.
enum DecodeText {
    static func json(for item: StreamItem, context: StreamItemReader.ItemContext, file: String?) -> JSONValue {
        var members: [(String, JSONValue)] = file.map { [("file", .string($0))] } ?? []
        if let packet = item.packet { members.append(("packet", .integer(Int64(packet)))) }
        members.append(("streamOffset", .integer(Int64(item.streamOffset))))
        if let line = context.line { members.append(("line", .integer(Int64(line)))) }
        switch item.kind {
        case .frame(let frame):
            if case .object(let frameMembers)? = try? PumpWireJSON.view(of: frame) { members += frameMembers }
        case .reassembled(let frame):
            members.append(("reassembled", .bool(true)))
            if case .object(let frameMembers)? = try? PumpWireJSON.view(of: frame) { members += frameMembers }
        case .rejected(let error, let payloadOffsets):
            guard case .object(let fields) = PumpWireJSON.view(of: error) else { break }
            var errorMembers = fields + [("offsetFrom", .string(payloadOffsets ? "payload" : "frame"))]
            if let field = context.field { errorMembers.append(("field", .string(field))) }
            members.append(("error", .object(errorMembers)))
        }
        if let opened = item.opened { members.append(("opened", view(of: opened))) }
        return .object(members)
    }

    /// PW-KEYLOG-4: `{"key", "sessionEpoch", "frameCounter", "commandId"}`.
    static func view(of opened: OpenedSeal) -> JSONValue {
        .object([
            ("key", .string(opened.key.rawValue)), ("sessionEpoch", .integer(Int64(opened.sessionEpoch))),
            ("frameCounter", opened.frameCounter.map { .integer(Int64($0)) } ?? .null),
            ("commandId", opened.commandId.map { .integer(Int64($0)) } ?? .null),
        ])
    }

    /// "opened with the key log (k1, epoch 7, counter 2, commandId 42)".
    static func openedText(_ opened: OpenedSeal) -> String {
        var parts = [opened.key.rawValue, "epoch \(opened.sessionEpoch)"]
        if let counter = opened.frameCounter { parts.append("counter \(counter)") }
        if let id = opened.commandId { parts.append("commandId \(id)") }
        return "opened with the key log (" + parts.joined(separator: ", ") + ")"
    }

    static func lines(for item: StreamItem, context: StreamItemReader.ItemContext, file: String, keyLogGiven: Bool = false) -> [String] {
        var lines: [String] = []
        switch item.kind {
        case .frame(let frame):
            lines.append("frame at \(place(item, context)) (\(item.length) bytes): \(heading(frame, opened: item.opened, keyLogGiven: keyLogGiven))")
            if let view = try? PumpWireJSON.view(of: frame) { lines.append(body(of: view)) }
            lines += derivedLines(frame)
        case .reassembled(let frame):
            lines.append("message reassembled from the fragments starting at \(place(item, context)): \(heading(frame, opened: item.opened, keyLogGiven: keyLogGiven))")
            if let view = try? PumpWireJSON.view(of: frame) { lines.append(body(of: view)) }
            lines += derivedLines(frame)
        case .rejected(let error, let payloadOffsets):
            let packet = item.packet.map { "packet \($0), " } ?? ""
            let lineText = context.line.map { ", line \($0)" } ?? ""
            let field = context.field.map { ", field \($0)" } ?? ""
            let where_ = payloadOffsets
                ? "payload offset \(error.offset) of the message whose fragments start at \(place(item, context))"
                : "\(packet)stream offset \(item.streamOffset + error.offset) (offset \(error.offset) in the frame at \(item.streamOffset)\(lineText)\(field))"
            let inPlaintext = item.opened.map { ", in the plaintext " + openedText($0) } ?? ""
            lines.append("\(file): \(error.code.specName) (\(error.code.rawValue)) at \(where_)\(inPlaintext)")
        }
        return lines
    }

    private static func place(_ item: StreamItem, _ context: StreamItemReader.ItemContext) -> String {
        (item.packet.map { "packet \($0), " } ?? "") + "offset \(item.streamOffset)" + (context.line.map { " (line \($0))" } ?? "")
    }

    private static func heading(_ frame: Frame, opened: OpenedSeal? = nil, keyLogGiven: Bool = false) -> String {
        let code = "0x" + Hex.encode([frame.typeCode])
        var text = "\(MessageRegistry.name(of: frame.typeCode)) (\(code)), sequence \(frame.sequence)"
        if MessageRegistry.descriptor(for: frame.typeCode) == nil, let layer = SecurityLayerMessages.name(of: frame.typeCode) {
            text = "\(layer) (\(code), spec/security.md), sequence \(frame.sequence)"
        }
        if case .fragment(let fragment) = frame.content {
            text += ", fragment \(fragment.header.index + 1) of \(fragment.header.count)"
        }
        if case .sealed(let sealed) = frame.content {
            // PW-AUTH-4: sealed, never "authenticated" without the session's keys.
            if let header = sealed.fragment { text += ", fragment \(header.index + 1) of \(header.count)" }
            text += keyLogGiven
                ? ", sealed, \(sealed.ciphertext.count) bytes of ciphertext; its session is not in the key log"
                : ", sealed, \(sealed.ciphertext.count) bytes of ciphertext; give the session keys to open it (--keylog FILE)"
        }
        if let opened { text += ", sealed, " + openedText(opened) }
        return text
    }

    /// The view without the envelope keys the heading already shows.
    private static func body(of view: JSONValue) -> String {
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
    private static func derivedLines(_ frame: Frame) -> [String] {
        guard case .message(let message) = frame.content else { return [] }
        if case .unknown(let unknown) = message,
           let described = SecurityLayerMessages.describe(typeCode: unknown.typeCode, payload: Array(unknown.payload)) {
            return ["  security layer: " + described]
        }
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
