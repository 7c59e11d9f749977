import Foundation
import PumpWireConformance
import Testing

/// Runs a `pumpwire` executable (the built one unless `executable` is given) with `directory` as
/// its current directory, and returns its exit status, stdout and stderr.
func pumpwire(_ arguments: [String], in directory: URL, executable: URL? = nil) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = executable ?? productsDirectory.appendingPathComponent("pumpwire")
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()  // the commands here write little on stderr
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
}

/// A fresh, empty folder outside any checkout; removed by `body`'s end.
func withTemporaryFolder<T>(_ body: (URL) throws -> T) throws -> T {
    let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("pumpwire-anywhere-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(!CorpusLocation.isCheckout(folder))
    return try body(folder)
}

/// The built `pumpwire` as PREFIX/bin/pumpwire (a hard link when it can be: no 14 MB copy).
func install(into prefix: URL) throws -> URL {
    let bin = prefix.appendingPathComponent("bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    let tool = bin.appendingPathComponent("pumpwire")
    do {
        try FileManager.default.linkItem(at: productsDirectory.appendingPathComponent("pumpwire"), to: tool)
    } catch {
        try FileManager.default.copyItem(at: productsDirectory.appendingPathComponent("pumpwire"), to: tool)
    }
    return tool
}

/// The corpus of this checkout.
private let vectorsFolder = packageRoot.appendingPathComponent("vectors").standardizedFileURL
private let vectorCount = (try? Corpus(directory: vectorsFolder).vectors.count) ?? 0

@Suite("pumpwire runs from any directory, and never passes on nothing (issue 15)", .serialized)
struct RunsAnywhereTests {
    // MARK: Runs from anywhere

    @Test("conformance from a folder outside the checkout runs every vector of the checkout it was built from")
    func conformanceFromElsewhere() throws {
        #expect(vectorCount > 1000)
        try withTemporaryFolder { folder in
            let result = try pumpwire(["conformance"], in: folder)
            #expect(result.status == 0, "\(result.err)")
            #expect(result.out.hasPrefix("corpus: \(vectorsFolder.path) (the checkout pumpwire was built from)\n"))
            #expect(result.out.contains("\(vectorCount) vectors: \(vectorCount) passed, 0 required failed"))
            #expect(result.out.hasSuffix("conformance: PASS\n"))
        }
    }

    @Test("capture --vector from a folder outside the checkout writes the committed capture")
    func captureFromElsewhere() throws {
        try withTemporaryFolder { folder in
            let result = try pumpwire(["capture", "--vector", "Required.Session.Complete", "--output", "session.pcapng"], in: folder)
            #expect(result.status == 0, "\(result.err)")
            let written = FileManager.default.contents(atPath: folder.appendingPathComponent("session.pcapng").path)
            #expect(written != nil)
            #expect(written == FileManager.default.contents(atPath: vectorsFolder.appendingPathComponent("captures/session-complete.pcapng").path))
        }
    }

    @Test("vectors verify from a folder outside the checkout finds the checkout it was built from")
    func verifyFromElsewhere() throws {
        try withTemporaryFolder { folder in
            let result = try pumpwire(["vectors", "verify"], in: folder)
            #expect(result.status == 0, "\(result.err)")
            #expect(result.out == "vectors are current in \(packageRoot.standardizedFileURL.path)\n")
        }
    }

    @Test("fuzz from a folder outside the checkout seeds its mutations with the corpus, without a warning")
    func fuzzFromElsewhere() throws {
        try withTemporaryFolder { folder in
            let result = try pumpwire(["fuzz", "--seed", "3", "--iterations", "2000"], in: folder)
            #expect(result.status == 0)
            #expect(result.out.contains("2000 iterations") && result.out.contains("no invariant broken"))
            #expect(result.err.isEmpty, "\(result.err)")
        }
    }

    @Test("Installed as PREFIX/bin/pumpwire, it reads PREFIX/share/pumpwire/vectors before the checkout it was built from, and ./vectors of a checkout before both")
    func installedLayout() throws {
        try withTemporaryFolder { prefix in
            let installed = prefix.appendingPathComponent("share/pumpwire/vectors")
            try FileManager.default.createDirectory(at: installed.appendingPathComponent("corpus"), withIntermediateDirectories: true)
            let tool = try install(into: prefix)
            // A smaller corpus than the checkout's, so that the count tells which one ran.
            try FileManager.default.copyItem(at: vectorsFolder.appendingPathComponent("corpus/crc.json"), to: installed.appendingPathComponent("corpus/crc.json"))
            let crcCount = try Corpus(directory: installed).vectors.count
            #expect(crcCount > 0 && crcCount < vectorCount)

            let elsewhere = try pumpwire(["conformance"], in: prefix, executable: tool)
            #expect(elsewhere.status == 0, "\(elsewhere.err)")
            #expect(elsewhere.out.hasPrefix("corpus: \(installed.standardizedFileURL.path) (installed with pumpwire)\n"))
            #expect(elsewhere.out.contains("\(crcCount) vectors: \(crcCount) passed"))

            let inCheckout = try pumpwire(["conformance", "--filter", "Required.CRC16"], in: packageRoot, executable: tool)
            #expect(inCheckout.status == 0, "\(inCheckout.err)")
            #expect(inCheckout.out.hasPrefix("corpus: \(vectorsFolder.path) (the checkout in the current directory)\n"))
        }
    }

    @Test("An installation as README \"Installing pumpwire\" makes it (vectors and spec in PREFIX/share/pumpwire) runs and verifies from anywhere")
    func fullInstallation() throws {
        try withTemporaryFolder { prefix in
            let share = prefix.appendingPathComponent("share/pumpwire")
            let tool = try install(into: prefix)
            try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
            for folder in ["vectors", "spec"] {
                try FileManager.default.copyItem(at: packageRoot.appendingPathComponent(folder), to: share.appendingPathComponent(folder))
            }
            let run = try pumpwire(["conformance"], in: prefix, executable: tool)
            #expect(run.status == 0, "\(run.err)")
            #expect(run.out.hasPrefix("corpus: \(share.appendingPathComponent("vectors").standardizedFileURL.path) (installed with pumpwire)\n"))
            #expect(run.out.contains("\(vectorCount) vectors: \(vectorCount) passed, 0 required failed"))
            let verified = try pumpwire(["vectors", "verify", "--root", share.path], in: prefix, executable: tool)
            #expect(verified.status == 0, "\(verified.err)")
            #expect(verified.out == "vectors are current in \(share.standardizedFileURL.path)\n")
            // A corpus file lost in the installed copy is found.
            try FileManager.default.removeItem(at: share.appendingPathComponent("vectors/corpus/crc.json"))
            let damaged = try pumpwire(["vectors", "verify", "--root", share.path], in: prefix, executable: tool)
            #expect(damaged.status == 1 && damaged.err.contains("vectors: corpus/crc.json is missing"))
        }
    }

    @Test("--corpus DIR (and its old name --vectors) runs that corpus, relative to the current directory")
    func corpusOverride() throws {
        try withTemporaryFolder { folder in
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("mine/corpus"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: vectorsFolder.appendingPathComponent("corpus/frame.json"),
                                             to: folder.appendingPathComponent("mine/corpus/frame.json"))
            let count = try Corpus(directory: folder.appendingPathComponent("mine")).vectors.count
            for name in ["--corpus", "--vectors"] {
                let result = try pumpwire(["conformance", name, "mine"], in: folder)
                #expect(result.status == 0, "\(result.err)")
                #expect(result.out.contains("(given with --corpus)"))
                #expect(result.out.contains("\(count) vectors: \(count) passed"))
            }
        }
    }

    @Test("The resolution order, called directly: the current checkout, then the installed copy, then the recorded checkout")
    func resolutionOrder() throws {
        let inCheckout = try CorpusLocation.findVectors(override: nil, currentDirectory: packageRoot, executable: nil)
        #expect(inCheckout.source == .currentCheckout && inCheckout.directory.path == vectorsFolder.path)
        try withTemporaryFolder { folder in
            let fromElsewhere = try CorpusLocation.findVectors(override: nil, currentDirectory: folder, executable: folder.appendingPathComponent("bin/pumpwire"))
            #expect(fromElsewhere.source == .builtFrom && fromElsewhere.directory.path == vectorsFolder.path)
            #expect(try CorpusLocation.packageRoot(override: nil, currentDirectory: folder).path == packageRoot.standardizedFileURL.path)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("share/pumpwire/vectors/corpus"), withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: folder.appendingPathComponent("share/pumpwire/vectors/corpus/x.json"))
            let installed = try CorpusLocation.findVectors(override: nil, currentDirectory: folder, executable: folder.appendingPathComponent("bin/pumpwire"))
            #expect(installed.source == .installed && installed.directory.path == folder.appendingPathComponent("share/pumpwire/vectors").path)
        }
    }

    // MARK: No vacuous success

    @Test("--corpus that does not exist, or holds no corpus/, is exit 2 naming it, without the usage text")
    func corpusMissing() throws {
        let missing = try pumpwire(["conformance", "--corpus", "/nonexistent"], in: packageRoot)
        #expect(missing.status == 2)
        #expect(missing.err.hasPrefix("pumpwire conformance: no folder at /nonexistent"))
        #expect(!missing.err.contains("Usage:") && missing.out.isEmpty)
        let corpusItself = try pumpwire(["conformance", "--corpus", "vectors/corpus"], in: packageRoot)
        #expect(corpusItself.status == 2)
        #expect(corpusItself.err.contains("hint: give --corpus \(vectorsFolder.path)"))
        try withTemporaryFolder { folder in
            let empty = try pumpwire(["conformance", "--corpus", "."], in: folder)
            #expect(empty.status == 2 && empty.err.contains("holds no corpus/"))
            let fuzz = try pumpwire(["fuzz", "--iterations", "10", "--corpus", "/nonexistent"], in: folder)
            #expect(fuzz.status == 2 && fuzz.err.hasPrefix("pumpwire fuzz: no folder at /nonexistent"))
        }
    }

    @Test("--filter that matches no vector is exit 2 naming the filter, not a pass on 0 vectors")
    func filterMatchesNothing() throws {
        let result = try pumpwire(["conformance", "--filter", "NoSuchVector"], in: packageRoot)
        #expect(result.status == 2)
        #expect(result.err.hasPrefix("pumpwire conformance: --filter NoSuchVector matches none of the \(vectorCount) vectors"))
        #expect(!result.out.contains("PASS"))
        let wrongCase = try pumpwire(["conformance", "--filter", "required.crc16"], in: packageRoot)
        #expect(wrongCase.status == 2 && wrongCase.err.contains("case-sensitive"))
        let matching = try pumpwire(["conformance", "--filter", "Required.CRC16"], in: packageRoot)
        #expect(matching.status == 0)
    }

    @Test("vectors verify with no checkout to find, or a --root that is not one, is exit 2 with a hint")
    func verifyWithoutCheckout() throws {
        let missing = try pumpwire(["vectors", "verify", "--root", "/nonexistent"], in: packageRoot)
        #expect(missing.status == 2 && missing.err.contains("no folder at /nonexistent") && missing.err.contains("\nhint: "))
        try withTemporaryFolder { folder in
            let notCheckout = try pumpwire(["vectors", "verify", "--root", "."], in: packageRoot.appendingPathComponent("spec"))
            #expect(notCheckout.status == 2 && notCheckout.err.contains("is not a PumpWire checkout"))
            #expect(throws: CorpusLocation.Failure.self) { try CorpusLocation.packageRoot(override: folder.path) }
        }
    }

    @Test("fuzz --duration 0 and --iterations 0 are usage errors (exit 2): zero iterations is not a run")
    func fuzzZero() throws {
        let duration = try pumpwire(["fuzz", "--duration", "0"], in: packageRoot)
        #expect(duration.status == 2)
        #expect(duration.err.contains("--duration must be at least 1, got 0"))
        #expect(!duration.out.contains("iterations"))
        let iterations = try pumpwire(["fuzz", "--iterations", "0"], in: packageRoot)
        #expect(iterations.status == 2 && iterations.err.contains("--iterations must be at least 1, got 0"))
    }

    @Test("Negative numbers say what is wrong with them, not 'Missing value'")
    func negativeValues() throws {
        let cases: [([String], String)] = [
            (["fuzz", "--iterations", "-5"], "--iterations must be at least 1, got -5"),
            (["fuzz", "--duration", "-5"], "--duration must be at least 1, got -5"),
            (["fuzz", "--seed", "-5", "--iterations", "10"], "The value '-5' is invalid for '--seed <n>': it must be a whole number from 0 to 18446744073709551615"),
            (["conformance", "--timeout", "-5"], "--timeout must be more than 0 seconds, got -5"),
            (["conformance", "--timeout", "-0.5"], "--timeout must be more than 0 seconds, got -0.5"),
        ]
        for (arguments, message) in cases {
            let result = try pumpwire(arguments, in: packageRoot)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
            #expect(!result.err.contains("Missing value"), "\(arguments)")
        }
    }

    @Test("A testee that cannot be started is exit 2 with the shell's words; one that starts and fails its handshake is a finding (1)")
    func testeeCannotStart() throws {
        let missing = try pumpwire(["conformance", "--testee", "./no-such-testee --serve", "--filter", "Required.CRC16"], in: packageRoot)
        #expect(missing.status == 2)
        #expect(missing.err.hasPrefix("pumpwire conformance: cannot start the testee `./no-such-testee --serve`: "))
        #expect(missing.err.contains("not found") && missing.err.contains("\nhint: "))
        let notExecutable = try pumpwire(["conformance", "--testee", "./Package.swift", "--filter", "Required.CRC16"], in: packageRoot)
        #expect(notExecutable.status == 2 && notExecutable.err.contains("Permission denied"))
        let silent = try pumpwire(["conformance", "--testee", "cat /dev/null", "--filter", "Required.CRC16", "--timeout", "2"], in: packageRoot)
        #expect(silent.status == 1)
        #expect(silent.err.contains("error: the testee did not shake hands: it exited with status 0"))
    }
}
