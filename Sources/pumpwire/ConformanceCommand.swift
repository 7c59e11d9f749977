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
            testee protocol of spec/conformance.md. Exit status 1 when a required vector fails; 2 when \
            no vector could be run (no corpus found, a --filter that matches nothing, a testee that \
            cannot be started).
            The vectors: --corpus DIR; else ./vectors when the current directory is a PumpWire \
            checkout; else those installed with pumpwire (PREFIX/share/pumpwire/vectors for \
            PREFIX/bin/pumpwire); else those of the checkout pumpwire was built from.
            Examples:
              pumpwire conformance
              pumpwire conformance --testee "python3 examples/python-testee/pumpwire_testee.py"
              pumpwire conformance --testee "./my-firmware-harness" --failure-list known-failures.txt
              pumpwire conformance --pump "pumpwire testee"
            With --pump only the pump scenarios of vectors/scenarios/ run (spec/conformance.md section 4), \
            against a testee that declares the `pump` capability; a testee that does not fails the run.
            """
    )

    @Option(help: "A shell command that starts the implementation under test.")
    var testee: String?

    @Option(help: ArgumentHelp("A shell command that starts a pump speaking the testee protocol's pump hooks: run the pump scenarios against it.", valueName: "command"))
    var pump: String?

    @Option(name: [.customLong("corpus"), .customLong("vectors")],
            help: ArgumentHelp("The vectors folder, which holds corpus/ (default: found as described above).", valueName: "dir"))
    var corpus: String?

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

    // .unconditional: `--timeout -5` is read as the value -5 and refused by validate(), not as a missing value.
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds to wait for each answer of a testee (more than 0).", valueName: "seconds"))
    var timeout: Double = 10

    @Option(help: ArgumentHelp("Run only vectors whose name contains this text (case-sensitive).", valueName: "text"))
    var filter: String?

    func validate() throws {
        if testee != nil && pump != nil { throw ValidationError("give --testee or --pump, not both: --pump runs the pump scenarios alone") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be more than 0 seconds, got \(Self.number(timeout))") }
    }

    func run() throws {
        let (loaded, location) = try loadCorpus(override: corpus)
        var corpus = loaded
        if pump != nil {
            corpus.vectors = corpus.vectors.filter { $0.kind == ScenarioVectors.kind }
            if corpus.vectors.isEmpty {
                throw CommandFailure("no pump scenarios in \(location.directory.path)/scenarios", hint: "the scenarios are vectors/scenarios/*.json of a PumpWire checkout")
            }
        }
        if let filter {
            corpus.vectors = corpus.vectors.filter { $0.name.contains(filter) }
            if corpus.vectors.isEmpty { throw Self.nothingMatched(filter, in: loaded, at: location.directory) }
        }
        var list = FailureList()
        if let failureList {
            guard let text = try? String(contentsOfFile: failureList, encoding: .utf8) else {
                throw CommandFailure("cannot read the failure list \(failureList)", hint: "give a readable file of `NAME OUTCOME` lines (spec/conformance.md 2.6)")
            }
            list = FailureList(text: text)
        }

        var report: RunReport
        if let testee = testee ?? pump {
            var process: ProcessTestee
            do {
                process = try ProcessTestee(command: testee, timeout: timeout)
            } catch let error as ProcessTestee.StartError where error.couldNotStart {
                let said = error.standardError.isEmpty ? "\(error)" : error.standardError
                throw CommandFailure("cannot start the testee `\(testee)`: \(said)",
                                     hint: "the command is run with /bin/sh -c from the current directory; check its path and that it is executable")
            } catch {
                // It started but failed its handshake: a finding about the testee (exit 1).
                printError("error: \(error)")
                throw ExitCode(1)
            }
            if pump != nil && !process.capabilities.contains(.pump) {
                printError("error: the pump `\(testee)` does not declare the pump capability (spec/conformance.md 2.4.11); it declares \(process.capabilities.names.joined(separator: ", "))")
                process.close()
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
            do {
                try failures.text.write(toFile: writeFailureList, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure("cannot write the failure list \(writeFailureList)", hint: "check that its folder exists and can be written")
            }
        }
        switch format {
        case .text:
            print("corpus: \(location.directory.path) (\(location.source.description))")
            print(report.text)
        case .json: print(report.json.text())
        }
        if !report.passed { throw ExitCode(1) }
    }

    /// A filter that matches no vector: the run would pass on nothing.
    static func nothingMatched(_ filter: String, in corpus: Corpus, at directory: URL) -> CommandFailure {
        let folded = corpus.vectors.filter { $0.name.range(of: filter, options: .caseInsensitive) != nil }
        let hint = folded.first.map { "the filter is case-sensitive: \(folded.count) vector names contain it in other letters, e.g. \($0.name)" }
            ?? "vector names look like \(corpus.vectors.first?.name ?? "Required.CRC16.Check"); `pumpwire conformance --filter Required.CRC16` runs the CRC-16 ones"
        return CommandFailure("--filter \(filter) matches none of the \(corpus.vectors.count) vectors in \(directory.path)", hint: hint)
    }

    /// A number as the user wrote it: no ".0" for a whole one.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
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

extension CommandFailure {
    init(_ failure: CorpusLocation.Failure) {
        self.init(failure.message, hint: failure.hint)
    }
}

/// The golden vectors for a command that reads them (conformance, capture --vector, fuzz): those of
/// `--corpus DIR` when given, else the ones found (CorpusLocation). Exit 2 when none is found or
/// the files cannot be read.
func loadCorpus(override: String?) throws(CommandFailure) -> (corpus: Corpus, location: CorpusLocation.Found) {
    let location: CorpusLocation.Found
    do {
        location = try CorpusLocation.findVectors(override: override)
    } catch {
        throw CommandFailure(error)
    }
    do {
        return (try Corpus(directory: location.directory), location)
    } catch let error as CorpusError {
        throw CommandFailure("cannot read the vectors in \(location.directory.path): \(error.description)")
    } catch {
        throw CommandFailure("cannot read the vectors in \(location.directory.path): \(error.localizedDescription)")
    }
}
