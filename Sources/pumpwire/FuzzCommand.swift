import ArgumentParser
import Foundation
import PumpWire
import PumpWireConformance
import PumpWireCore
import PumpWireFuzzing

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Fuzz the decoders: random valid messages round-tripped, and damaged frames checked against the invariants.",
        discussion: """
            Invariants: no trap; every rejection is a typed error with a decoder code of spec section 10 and an \
            offset inside the input; every accepted input re-encodes to exactly itself and decodes back to the same \
            value; shuffled fragments reassemble to the message. A broken invariant is shrunk to a small input and \
            printed as a vector to add to the corpus. Exit status 1 when anything was found.
            Examples:
              pumpwire fuzz --seed 1 --iterations 100000
              pumpwire fuzz --duration 600 --format json
            """
    )

    @Option(help: "The seed: the same seed and count give the same run.")
    var seed: UInt64 = 1

    @Option(help: "Stop after this many iterations.")
    var iterations: Int?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Option(help: "The vectors folder whose valid frames seed the mutations.")
    var vectors: String = "vectors"

    func validate() throws {
        if iterations == nil && duration == nil { throw ValidationError("give --iterations or --duration") }
    }

    func run() throws {
        var frames: [[UInt8]] = []
        if let corpus = try? Corpus(directory: URL(fileURLWithPath: vectors)) {
            for vector in corpus.vectors where vector.kind == "decodeFrame" && vector.result == "valid" {
                if let input = vector.bytes("input") { frames.append(input) }
            }
        }
        var harness = FuzzHarness(seed: seed, corpusFrames: frames)
        let showProgress = isatty(STDERR_FILENO) != 0 || (duration ?? 0) >= 10 || (iterations ?? 0) >= 1_000_000
        let report = harness.run(iterations: iterations, duration: duration) { report in
            guard showProgress else { return }
            let line = String(format: "\r%d iterations, %.0f/s, %d accepted, %d findings", report.iterations,
                              report.executionsPerSecond, report.accepted, report.findings.count)
            FileHandle.standardError.write(Data(line.utf8))
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        switch format {
        case .text: print(text(report))
        case .json: print(json(report).text())
        }
        if !report.findings.isEmpty { throw ExitCode(1) }
    }

    func text(_ report: FuzzReport) -> String {
        var lines = [
            "pumpwire fuzz --seed \(report.seed): \(report.iterations) iterations in \(String(format: "%.1f", report.seconds)) s "
                + "(\(String(format: "%.0f", report.executionsPerSecond))/s)",
            "  \(report.generated) generated and round-tripped, \(report.mutated) mutated (\(report.crcFixed) with the CRC set right), "
                + "\(report.streams) streams, \(report.sessions) sessions, \(report.images) memory images",
            "  \(report.accepted) accepted; rejections by code: "
                + rejectionText(report),
        ]
        if report.findings.isEmpty {
            lines.append("no invariant broken")
        } else {
            lines.append("\(report.findings.count) invariant(s) broken; each as a vector to add once its result is decided:")
            for finding in report.findings {
                lines.append("- \(finding.invariant) at iteration \(finding.iteration): \(finding.detail)")
                lines.append(finding.vector(seed: report.seed).text())
            }
        }
        return lines.joined(separator: "\n")
    }

    static func codeName(_ raw: UInt16) -> String {
        ErrorCode(rawValue: raw).map { $0.specName.description } ?? String(raw)
    }

    func rejectionText(_ report: FuzzReport) -> String {
        report.rejections.sorted { $0.key < $1.key }.map { "\(Self.codeName($0.key)) \($0.value)" }.joined(separator: ", ")
    }

    func json(_ report: FuzzReport) -> JSONValue {
        .object([
            ("seed", .integer(Int64(bitPattern: report.seed))), ("iterations", .integer(Int64(report.iterations))),
            ("seconds", .string(String(format: "%.3f", report.seconds))),
            ("executionsPerSecond", .integer(Int64(report.executionsPerSecond))),
            ("generated", .integer(Int64(report.generated))), ("mutated", .integer(Int64(report.mutated))),
            ("crcFixed", .integer(Int64(report.crcFixed))), ("accepted", .integer(Int64(report.accepted))),
            ("rejections", .object(report.rejections.sorted { $0.key < $1.key }.map { (Self.codeName($0.key), JSONValue.integer(Int64($0.value))) })),
            ("findings", .array(report.findings.map { $0.vector(seed: report.seed) })),
        ])
    }
}
