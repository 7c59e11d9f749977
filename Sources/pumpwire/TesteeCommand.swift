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

    @Option(help: ArgumentHelp("Misbehave on purpose, for the runner's own tests: crash-on-crc32, hang-on-crc32, garbage-on-crc32, "
                               + "skip-crc32, runtime-error-for-unknown-codes, exit-1-inside-request.", visibility: .hidden))
    var misbehave: String?

    func run() throws {
        var reference = ReferenceTestee(fault: broken)
        let input = FileHandle.standardInput
        let output = FileHandle.standardOutput
        while let header = readExactly(4, from: input) {
            let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
            guard length <= WireBytes.maxMessageLength else {
                // spec/conformance.md 2.7: read the body to its end without keeping it, then refuse it.
                guard discard(length, from: input) else { return endedInsideRequest() }
                output.write(Data(WireBytes.message(TesteeResponse.runtimeError("request too long: above 16 MiB").body)))
                continue
            }
            guard let body = readExactly(length, from: input) else { return endedInsideRequest() }
            switch (TesteeRequest.read(body), misbehave) {
            case (.request(.crc32), "crash-on-crc32"): Foundation.exit(3)
            case (.request(.crc32), "hang-on-crc32"): while true { sleep(60) }
            case (.request(.crc32), "garbage-on-crc32"):
                output.write(Data(WireBytes.message([0x7F, 0x01])))
                continue
            case (.request(.crc32), "skip-crc32"):
                output.write(Data(WireBytes.message(TesteeResponse.skipped.body)))
                continue
            case (.unknownCode, "runtime-error-for-unknown-codes"):
                output.write(Data(WireBytes.message(TesteeResponse.runtimeError("unknown request").body)))
                continue
            default: break
            }
            output.write(Data(WireBytes.message(reference.respond(toBody: body).body)))
        }
    }

    /// The input ended inside a request's body: exit 0 without answering (conformance.md 2.1).
    private func endedInsideRequest() {
        if misbehave == "exit-1-inside-request" { Foundation.exit(1) }
    }

    /// Reads and drops `count` bytes; false if the input ends first.
    private func discard(_ count: Int, from handle: FileHandle) -> Bool {
        var left = count
        while left > 0 {
            guard let data = try? handle.read(upToCount: min(left, 65_536)), !data.isEmpty else { return false }
            left -= data.count
        }
        return true
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
