import ArgumentParser

@main
struct PumpWireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pumpwire",
        abstract: "Decode, encode and check PumpWire frames (spec/pumpwire-v1.md).",
        discussion: """
            Exit status: 0 when everything decoded or encoded, 1 when a frame or message was \
            rejected (each rejection is printed with its spec error code and byte offset), \
            64 for a usage error.
            """,
        subcommands: [DecodeCommand.self, ValidateCommand.self, CaptureCommand.self, EncodeCommand.self, DumpCommand.self, ConformanceCommand.self, VectorsCommand.self, TesteeCommand.self, FuzzCommand.self]
    )
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
