import ArgumentParser
import Foundation
import PumpWire
import PumpWireSecurity

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check captured traffic: every frame, reassembly, memory dumps and the session (spec 14).",
        discussion: """
            Reads pcapng and classic pcap captures (link type 147, spec 14.1), hex logs and raw \
            byte streams, in bounded memory whatever their size. Reports every finding with its \
            place (packet and stream offset, or stream offset and line), its spec error code and \
            the requirement it breaks, then a summary by message type and by finding.
            Exit status: 0 when nothing was found, 1 when something was, 2 when a file could not be \
            read (missing, a directory without --recursive, empty, or of a form PumpWire does not read).
            Examples:
              pumpwire validate vectors/captures/stored-other-prescription.pcapng
              pumpwire validate --format json capture.pcapng | jq -c 'select(.code)'
              pumpwire validate --input-format raw serial-log.bin
              pumpwire validate --keylog vectors/captures/session-sealed.keylog vectors/captures/session-sealed.pcapng
            """
    )

    @Argument(help: "Capture files; - for standard input.")
    var files: [String]

    @Option(help: ArgumentHelp(stringLiteral: InputFormat.help))
    var inputFormat: InputFormat = .auto

    @Flag(help: "Validate every file under a directory given.")
    var recursive = false

    @Option(help: "text, or json (JSON Lines: a finding a line, then the file's summary).")
    var format: OutputFormat = .text

    @Flag(help: "Print the summaries only.")
    var summaryOnly = false

    @Flag(help: "Never show the progress bar (it shows on a terminal for inputs of 64 MiB or more).")
    var noProgress = false

    @Option(help: ArgumentHelp(KeyLogFile.help, valueName: "file"))
    var keylog: String?

    func run() throws {
        let keyLog = try keylog.map { path throws(CommandFailure) in try KeyLogFile.load(path) }
        var found = false
        var unreadable = false
        let output = LineOutput()
        for path in try Inputs.paths(files, recursive: recursive) {
            let bar = noProgress ? nil : ProgressBar(label: path)
            do {
                let input = try Inputs.open(path, as: inputFormat)
                let name = input.name
                let opener = keyLog.map { KeyLogOpener(keyLog: $0) }  // each file is a session of its own
                let summary = CaptureValidator.validate(input, progress: bar.map { bar in { bar.update($0, of: $1) } }, opener: opener) { finding in
                    guard !summaryOnly else { return }
                    switch format {
                    case .text: output.write(ValidationText.line(for: finding, file: name))
                    case .json: output.write(PumpWireJSON.view(of: finding, file: name).text(indent: nil))
                    }
                }
                bar?.finish()
                switch format {
                case .text: output.write(ValidationText.summary(summary, file: name))
                case .json: output.write(PumpWireJSON.view(of: summary, file: name).text(indent: nil))
                }
                found = found || summary.findings > 0
            } catch {
                bar?.finish()
                output.flush()
                printError("pumpwire validate: \(error)")
                unreadable = true
            }
        }
        output.flush()
        if unreadable { throw ExitCode(ExitStatus.failure) }
        if found { throw ExitCode(ExitStatus.findings) }
    }
}

/// Standard output through one buffer: a capture with a million findings prints quickly.
final class LineOutput {
    private var buffer: [UInt8] = []

    func write(_ line: String, newline: Bool = true) {
        buffer += line.utf8
        if newline { buffer.append(0x0A) }
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
