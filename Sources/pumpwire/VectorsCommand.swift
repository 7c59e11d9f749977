import ArgumentParser
import Foundation
import PumpWireConformance

struct VectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Generate the golden vectors from their declared cases, or verify the committed ones.",
        subcommands: [Generate.self, Verify.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write vectors/corpus/*.json, vectors/ids.txt and vectors/TRACEABILITY.md.")

        @Option(help: "The package root (holds spec/ and vectors/).")
        var root: String = "."

        func run() throws {
            let output = try VectorGenerator(root: URL(fileURLWithPath: root)).generate()
            print("wrote \(output.vectorCount) vectors in \(output.files.count) files (\(output.newIDs) new ids)")
            for problem in output.problems { printError("vectors: \(problem)") }
            if !output.problems.isEmpty {
                printError("the corpus lacks \(output.problems.count) vectors or cases (spec/cases.txt)")
                throw ExitCode(1)
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the committed vectors are exactly what the generator writes.")

        @Option(help: "The package root (holds spec/ and vectors/).")
        var root: String = "."

        func run() throws {
            let differences = try VectorGenerator(root: URL(fileURLWithPath: root)).verify()
            if differences.isEmpty {
                print("vectors are current")
                return
            }
            for difference in differences { printError("vectors: \(difference)") }
            printError("run `swift run pumpwire vectors generate` and commit the result")
            throw ExitCode(1)
        }
    }
}
