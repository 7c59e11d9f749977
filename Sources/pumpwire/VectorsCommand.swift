import ArgumentParser
import Foundation
import PumpWireConformance

struct VectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Generate the golden vectors from their declared cases, or verify the committed ones.",
        discussion: """
            Both work on a PumpWire checkout: --root DIR; else the current directory when it is one; \
            else the checkout pumpwire was built from.
            """,
        subcommands: [Generate.self, Verify.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write vectors/corpus/*.json, vectors/ids.txt and vectors/TRACEABILITY.md.",
            discussion: "The checkout: --root DIR; else the current directory when it is one; else the checkout pumpwire was built from.")

        @Option(help: ArgumentHelp("The package root (holds spec/ and vectors/).", valueName: "dir"))
        var root: String?

        func run() throws {
            let root = try VectorsCommand.packageRoot(root)
            let output: VectorGenerator.Output
            do {
                output = try VectorGenerator(root: root).generate()
            } catch {
                throw VectorsCommand.failure(error, root: root)
            }
            print("wrote \(output.vectorCount) vectors in \(output.files.count) files (\(output.newIDs) new ids) under \(root.path)")
            for problem in output.problems { printError("vectors: \(problem)") }
            if !output.problems.isEmpty {
                printError("the corpus lacks \(output.problems.count) vectors or cases (spec/cases.txt)")
                throw ExitCode(1)
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the committed vectors are exactly what the generator writes.",
            discussion: "The checkout: --root DIR; else the current directory when it is one; else the checkout pumpwire was built from.")

        @Option(help: ArgumentHelp("The package root (holds spec/ and vectors/).", valueName: "dir"))
        var root: String?

        func run() throws {
            let root = try VectorsCommand.packageRoot(root)
            let differences: [String]
            do {
                differences = try VectorGenerator(root: root).verify()
            } catch {
                throw VectorsCommand.failure(error, root: root)
            }
            if differences.isEmpty {
                print("vectors are current in \(root.path)")
                return
            }
            for difference in differences { printError("vectors: \(difference)") }
            printError("run `swift run pumpwire vectors generate` in \(root.path) and commit the result")
            throw ExitCode(1)
        }
    }

    static func packageRoot(_ override: String?) throws(CommandFailure) -> URL {
        do {
            return try CorpusLocation.packageRoot(override: override)
        } catch {
            throw CommandFailure(error)
        }
    }

    /// The generator could not read the spec or the ledgers, or could not write the corpus.
    static func failure(_ error: any Error, root: URL) -> CommandFailure {
        if let error = error as? CorpusError { return CommandFailure("the corpus under \(root.path) cannot be built: \(error.description)") }
        return CommandFailure("cannot read or write the corpus under \(root.path): \(error.localizedDescription)")
    }
}
