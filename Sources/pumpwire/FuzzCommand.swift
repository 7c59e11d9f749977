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
            The valid frames of the golden vectors seed the mutations; the vectors are found as for \
            `pumpwire conformance` (--corpus DIR, else ./vectors in a checkout, else those installed \
            with pumpwire, else those of the checkout it was built from).
            Examples:
              pumpwire fuzz --seed 1 --iterations 100000
              pumpwire fuzz --duration 600 --format json
            """
    )

    // The numeric options are parsed .unconditional, so that `--iterations -5` is read as the value
    // -5 and refused with what is wrong with it, not taken for an option whose value is missing.
    @Option(parsing: .unconditional, help: ArgumentHelp("The seed, from 0 to \(UInt64.max): the same seed and count give the same run (default: 1).", valueName: "n"),
            transform: FuzzCommand.seed)
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many iterations (at least 1).", valueName: "n"))
    var iterations: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many seconds (at least 1).", valueName: "seconds"))
    var duration: Double?

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Option(name: [.customLong("corpus"), .customLong("vectors")],
            help: ArgumentHelp("The vectors folder (holds corpus/) whose valid frames seed the mutations (default: found as described above).",
                               valueName: "dir"))
    var corpus: String?

    func validate() throws {
        if iterations == nil && duration == nil { throw ValidationError("give --iterations or --duration") }
        // Zero iterations is not a run: it would pass on nothing.
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        if let duration, !(duration >= 1) || !duration.isFinite {
            throw ValidationError("--duration must be at least 1, got \(ConformanceCommand.number(duration))")
        }
    }

    /// `--seed`: a whole number from 0 to 2^64 - 1, said plainly when it is not.
    static func seed(_ text: String) throws -> UInt64 {
        guard let value = UInt64(text) else {
            throw ValidationError("it must be a whole number from 0 to \(UInt64.max)")
        }
        return value
    }

    func run() throws {
        var frames: [[UInt8]] = []
        var vectors: [Vector] = []
        if corpus != nil {
            vectors = try loadCorpus(override: corpus).corpus.vectors  // a --corpus that is not one is an error
        } else {
            // The seeds help but are not needed: without them the run still fuzzes generated frames.
            do { vectors = try loadCorpus(override: nil).corpus.vectors } catch {
                printError("pumpwire fuzz: \(error.message); fuzzing without the corpus's frames (give --corpus DIR)")
            }
        }
        for vector in vectors where vector.kind == "decodeFrame" && vector.result == "valid" {
            if let input = vector.bytes("input") { frames.append(input) }
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
        if report.iterations == 0 { throw CommandFailure("no iteration ran", hint: "give a longer --duration") }
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
                + "\(report.streams) streams, \(report.sessions) sessions, \(report.images) memory images, "
                + "\(report.sealed) sealed messages checked",
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
            ("crcFixed", .integer(Int64(report.crcFixed))), ("sealed", .integer(Int64(report.sealed))), ("accepted", .integer(Int64(report.accepted))),
            ("rejections", .object(report.rejections.sorted { $0.key < $1.key }.map { (Self.codeName($0.key), JSONValue.integer(Int64($0.value))) })),
            ("findings", .array(report.findings.map { $0.vector(seed: report.seed) })),
        ])
    }
}
