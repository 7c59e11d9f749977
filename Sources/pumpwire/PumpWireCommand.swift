import ArgumentParser
import Foundation

@main
struct PumpWireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pumpwire",
        abstract: "Decode, encode and check PumpWire frames (spec/pumpwire-v1.md).",
        discussion: """
            Exit status, the same for every command: 0 when the input was clean or the job done; \
            1 when the input was read and has findings or rejections (each printed with the file, \
            the spec's error code and name, and the offset); 2 when the command could not do its \
            job (a usage error, an input missing, unreadable or of an unsupported form, an output \
            that cannot be written, a filter that matches nothing).
            """,
        subcommands: [DecodeCommand.self, ValidateCommand.self, CaptureCommand.self, KeysCommand.self, EncodeCommand.self, DumpCommand.self, ConformanceCommand.self, VectorsCommand.self, TesteeCommand.self, SimulateCommand.self, FuzzCommand.self]
    )

    /// Runs the command with the one convention for exit statuses: usage errors exit 2, not 64.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            finish(error, command: nil)
        }
        do {
            try command.run()
        } catch {
            finish(error, command: command)
        }
        Foundation.exit(ExitStatus.clean)
    }

    private static func finish(_ error: any Error, command: (any ParsableCommand)?) -> Never {
        let name = command.map { commandPath(type(of: $0)) } ?? "pumpwire"
        if let failure = error as? CommandFailure {
            printError("\(name): \(failure)")
            Foundation.exit(ExitStatus.failure)
        }
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }  // --help, --version
            Foundation.exit(ExitStatus.clean)
        }
        if !message.isEmpty { printError(message) }
        // ArgumentParser's usage errors are 64 (EX_USAGE); ours are 2. ExitCode(1) stays 1.
        Foundation.exit(code.rawValue == 1 ? ExitStatus.findings : ExitStatus.failure)
    }
}

/// "pumpwire vectors verify": the names from the root to `command`, for messages.
private func commandPath(_ command: any ParsableCommand.Type) -> String {
    func path(from parent: any ParsableCommand.Type, _ names: [String]) -> [String]? {
        let names = names + [parent._commandName]
        if parent == command { return names }
        for child in parent.configuration.subcommands {
            if let found = path(from: child, names) { return found }
        }
        return nil
    }
    return path(from: PumpWireCommand.self, [])?.joined(separator: " ") ?? "pumpwire " + command._commandName
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
