import ArgumentParser
import Foundation
import PumpWire
import PumpWireCore

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode frames from their JSON view (spec section 12) to hex or binary.",
        discussion: """
            Input is one frame's JSON view or an array of them (the output of \
            `pumpwire decode --format json` is accepted). A message longer than one frame is \
            fragmented. The view is read strictly: an unknown, duplicate or missing key, a wrong \
            JSON type, or a number its field cannot hold is refused with its JSON path; values \
            the spec forbids are refused by the encoder with the decoder's error code and offset. \
            Exit status 1 when anything is refused (nothing is written), 2 when the input cannot \
            be read or the output written.
            Example:
              pumpwire decode --file vectors/examples/prescriptionBlock.hex --format json | pumpwire encode
            """
    )

    @Argument(help: "A JSON file; - or nothing for stdin.")
    var input: String = "-"

    @Option(help: "hex (one frame a line) or binary.")
    var format: EncodedFormat = .hex

    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.")
    var output: String?

    enum EncodedFormat: String, ExpressibleByArgument, CaseIterable {
        case hex, binary
    }

    func run() throws {
        let name = input == "-" ? "stdin" : input
        let data = try readInput()
        // Every refusal is the reader's (spec section 12) or the core encoder's (PW-ENC-5).
        let result = PumpWireJSON.encode(json: [UInt8](data))
        guard result.problems.isEmpty else {
            for problem in result.problems { printError("pumpwire encode: \(name): \(problem)") }
            throw ExitCode(ExitStatus.findings)  // nothing written
        }
        let encoded = result.frames

        let bytes: [UInt8]
        switch format {
        case .hex: bytes = Array((encoded.map { Hex.encode($0) }.joined(separator: "\n") + "\n").utf8)
        case .binary: bytes = encoded.flatMap { $0 }
        }
        if let output {
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: output))
            } catch {
                throw CommandFailure("cannot write \(output)")
            }
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }

    /// The input's bytes, or a `CommandFailure` (exit status 2) when there is none to read.
    private func readInput() throws -> Data {
        if input == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw CommandFailure("\(input): no such file")
        }
        guard !isDirectory.boolValue else { throw CommandFailure("\(input): is a directory, not a JSON file") }
        guard let contents = FileManager.default.contents(atPath: input) else {
            throw CommandFailure("\(input): cannot be read")
        }
        return contents
    }
}
