import ArgumentParser
import Foundation
import PumpWireConformance

struct TesteeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testee",
        abstract: "Serve the reference codec over the testee protocol (spec/conformance.md) on stdin/stdout.",
        discussion: """
            For `pumpwire conformance --testee "pumpwire testee"`: the suite run through this child \
            process must give the in-process result. --broken makes it deliberately wrong, to show that \
            the suite catches a faulty implementation.
            """
    )

    @Option(help: "A deliberate fault: \(ReferenceTestee.Fault.allCases.map(\.rawValue).joined(separator: ", ")).")
    var broken: ReferenceTestee.Fault?

    @Option(help: ArgumentHelp("Misbehave on purpose, for the runner's own tests: crash-on-crc32, hang-on-crc32, garbage-on-crc32.", visibility: .hidden))
    var misbehave: String?

    func run() throws {
        var reference = ReferenceTestee(fault: broken)
        let input = FileHandle.standardInput
        let output = FileHandle.standardOutput
        while let header = readExactly(4, from: input) {
            let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
            guard length <= WireBytes.maxMessageLength, let body = readExactly(length, from: input) else { return }
            guard let request = TesteeRequest.parse(body) else {
                output.write(Data(WireBytes.message(TesteeResponse.runtimeError("malformed request").body)))
                continue
            }
            if case .crc32 = request, let misbehave {
                switch misbehave {
                case "crash-on-crc32": Foundation.exit(3)
                case "hang-on-crc32": while true { sleep(60) }
                case "garbage-on-crc32":
                    output.write(Data(WireBytes.message([0x7F, 0x01])))
                    continue
                default: break
                }
            }
            output.write(Data(WireBytes.message(reference.respond(to: request).body)))
        }
    }

    private func readExactly(_ count: Int, from handle: FileHandle) -> [UInt8]? {
        var bytes: [UInt8] = []
        while bytes.count < count {
            guard let data = try? handle.read(upToCount: count - bytes.count), !data.isEmpty else { return count == 0 ? [] : nil }
            bytes += data
        }
        return bytes
    }
}

extension ReferenceTestee.Fault: ExpressibleByArgument {}
