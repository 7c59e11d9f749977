import ArgumentParser
import Foundation
import PumpWire
import PumpWireConformance

struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run the golden vectors against the reference codec, or against another implementation.",
        discussion: """
            Without --testee the vectors run against this tool's own codec, in process. With --testee \
            the command is started as a child process and spoken to over its stdin/stdout with the \
            testee protocol of spec/conformance.md. Exit status 1 when a required vector fails.
            Examples:
              pumpwire conformance
              pumpwire conformance --testee "python3 examples/python-testee/pumpwire_testee.py"
              pumpwire conformance --testee "./my-firmware-harness" --failure-list known-failures.txt
            """
    )

    @Option(help: "A shell command that starts the implementation under test.")
    var testee: String?

    @Option(help: "The vectors folder (holds corpus/).")
    var vectors: String = "vectors"

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Fail on recommended vectors too.")
    var enforceRecommended = false

    @Flag(help: "Stop at the first vector that fails the run (for mutation analysis).")
    var failFast = false

    @Flag(help: "Skip the vectors that ask for a time-out of their own (for mutation analysis's first pass).")
    var skipSlow = false

    @Option(help: "Known failures: one `NAME OUTCOME` a line (spec/conformance.md 2.6).")
    var failureList: String?

    @Option(help: "Write the present failures as a failure list to this file.")
    var writeFailureList: String?

    @Option(help: "Seconds to wait for each answer of a testee.")
    var timeout: Double = 10

    @Option(help: "Run only vectors whose name contains this text.")
    var filter: String?

    func run() throws {
        var corpus: Corpus
        do {
            corpus = try Corpus(directory: URL(fileURLWithPath: vectors))
        } catch {
            throw ValidationError("\(error)")
        }
        if let filter { corpus.vectors = corpus.vectors.filter { $0.name.contains(filter) } }
        var list = FailureList()
        if let failureList {
            guard let text = try? String(contentsOfFile: failureList, encoding: .utf8) else {
                throw ValidationError("cannot read \(failureList)")
            }
            list = FailureList(text: text)
        }

        var report: RunReport
        if let testee {
            var process: ProcessTestee
            do {
                process = try ProcessTestee(command: testee, timeout: timeout)
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
            var runner = ConformanceRunner(corpus: corpus, failureList: list, checksLibraryJSON: false)
            runner.progress = Self.progressLine
            runner.enforceRecommended = enforceRecommended
            runner.stopsAtFirstFailure = failFast
            runner.skipsSlowVectors = skipSlow
            report = runner.run(&process)
            process.close()
            if process.restarts > 0 { printError("the testee was restarted \(process.restarts) times") }
        } else {
            var inProcess = InProcessTestee()
            var runner = ConformanceRunner(corpus: corpus, failureList: list, checksLibraryJSON: true)
            runner.progress = Self.progressLine
            runner.enforceRecommended = enforceRecommended
            runner.stopsAtFirstFailure = failFast
            runner.skipsSlowVectors = skipSlow
            report = runner.run(&inProcess)
        }
        clearProgress()

        if let writeFailureList {
            var failures = FailureList()
            for result in report.results where result.status.isFailure || result.status == .expectedFailure {
                failures.outcomes[result.name] = result.outcome
            }
            try failures.text.write(toFile: writeFailureList, atomically: true, encoding: .utf8)
        }
        switch format {
        case .text: print(report.text)
        case .json: print(report.json.text())
        }
        if !report.passed { throw ExitCode(1) }
    }

    /// A progress line on stderr when it is a terminal.
    static func progressLine(done: Int, total: Int) {
        guard isatty(STDERR_FILENO) != 0, done % 25 == 0 || done == total else { return }
        FileHandle.standardError.write(Data("\r\(done)/\(total) vectors".utf8))
    }

    func clearProgress() {
        if isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
