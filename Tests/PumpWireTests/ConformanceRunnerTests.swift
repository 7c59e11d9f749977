import Foundation
import PumpWire
import PumpWireConformance
import Testing

/// The `pumpwire` executable as a testee command.
func testeeCommand(_ arguments: String = "") -> String {
    "'\(productsDirectory.appendingPathComponent("pumpwire").path)' testee \(arguments)"
}

func statuses(_ report: RunReport) -> [String: VectorResult.Status] {
    Dictionary(uniqueKeysWithValues: report.results.map { ($0.name, $0.status) })
}

@Suite("The conformance runner (spec/conformance.md)", .serialized)
struct ConformanceRunnerTests {
    @Test("The reference codec passes every vector in process")
    func inProcess() {
        var testee = InProcessTestee()
        let report = ConformanceRunner(corpus: corpus, checksLibraryJSON: true).run(&testee)
        #expect(report.passed)
        #expect(report.count(.pass) == corpus.vectors.count, "\(report.failures.prefix(5).map { "\($0.name): \($0.detail)" })")
    }

    @Test("Through `pumpwire testee` as a child process, the result is the in-process one")
    func childProcessMatches() throws {
        var child = try ProcessTestee(command: testeeCommand(), timeout: 20)
        defer { child.close() }
        let external = ConformanceRunner(corpus: corpus, checksLibraryJSON: false).run(&child)
        var local = InProcessTestee()
        let internalReport = ConformanceRunner(corpus: corpus, checksLibraryJSON: false).run(&local)
        #expect(external.passed)
        #expect(statuses(external) == statuses(internalReport))
        #expect(external.count(.skipped) == corpus.vectors.filter { $0.kind == "jsonView" || $0.kind == "capture" }.count)
        #expect(child.capabilities == .all)
    }

    @Test("A testee with a wrong CRC-16 initial value fails, and the failures say where", arguments: ["crc-init-zero", "accept-trailing-bytes"])
    func brokenTesteeIsCaught(mode: String) throws {
        var child = try ProcessTestee(command: testeeCommand("--broken \(mode)"))
        defer { child.close() }
        let report = ConformanceRunner(corpus: corpus, checksLibraryJSON: false).run(&child)
        #expect(!report.passed)
        let failed = Set(report.requiredFailures.map(\.name))
        switch mode {
        case "crc-init-zero":
            #expect(failed.contains("Required.CRC16.CheckString"))
            #expect(failed.contains("Required.Example.PrescriptionBlock"))
            #expect(!failed.contains("Required.CRC32.CheckString"))
        default:
            #expect(failed == ["Required.Frame.TrailingByte", "Required.Frame.TwoFrames", "Required.Frame.UnknownTypeTrailing",
                               "Required.Frame.Order.TrailingBeforePayload", "Required.Frame.Order.TrailingBeforeFragmentHeader"])
            #expect(report.results.first { $0.name == "Required.Frame.TrailingByte" }?.outcome == "accepted")
        }
    }

    /// The vectors of vectors/crypto/sessions.json (spec/conformance.md 2.4.10).
    static var secureVectors: Corpus { Corpus(vectors: corpus.vectors.filter { SecureVectors.kinds.contains($0.kind) }) }

    @Test("The security vectors of sessions.json are in the corpus, by kind, and the reference passes them all")
    func secureVectorsPass() {
        let secure = Self.secureVectors
        let kinds = Dictionary(grouping: secure.vectors, by: \.kind).mapValues(\.count)
        #expect(kinds == ["secureHandshake": 6, "sealedFrame": 9, "sealedRejection": 28, "lowOrderKey": 11, "securePump": 16])
        var testee = InProcessTestee()
        let report = ConformanceRunner(corpus: secure, checksLibraryJSON: false).run(&testee)
        #expect(report.passed)
        #expect(report.count(.pass) == secure.vectors.count, "\(report.failures.prefix(5).map { "\($0.name): \($0.detail)" })")
        #expect(report.text.contains("sealedRejection"))
    }

    /// The reference codec without the capability `secure`.
    struct WithoutSecure: Testee {
        var inner = InProcessTestee()
        var name: String { "without secure" }
        var capabilities: TesteeCapabilities { inner.capabilities.subtracting(.secure) }
        mutating func send(_ request: TesteeRequest) -> TesteeReply { inner.send(request) }
        mutating func close() {}
        mutating func finish(after unframed: [UInt8]) -> String? { nil }
    }

    @Test("A testee that does not declare secure has the security vectors skipped, never passed")
    func secureSkipped() {
        var testee = WithoutSecure()
        let report = ConformanceRunner(corpus: Self.secureVectors, checksLibraryJSON: false).run(&testee)
        #expect(report.passed)
        #expect(report.count(.skipped) == Self.secureVectors.vectors.count)
        #expect(report.count(.pass) == 0)
    }

    @Test("A testee that accepts a replay, or skips the epoch check, fails the security vectors that say so",
          arguments: [ReferenceTestee.Fault.acceptReplay, .skipEpochCheck])
    func secureFaultsCaught(fault: ReferenceTestee.Fault) {
        var testee = InProcessTestee(fault: fault)
        let report = ConformanceRunner(corpus: Self.secureVectors, checksLibraryJSON: false).run(&testee)
        #expect(!report.passed)
        let failed = Set(report.requiredFailures.map(\.name))
        #expect(failed.allSatisfy { $0.hasPrefix("Required.Secure.Rejection.") }, "\(failed)")
        switch fault {
        case .acceptReplay:
            #expect(failed.isSuperset(of: ["Required.Secure.Rejection.replayed", "Required.Secure.Rejection.reflected-to-pump"]))
            #expect(report.results.first { $0.name == "Required.Secure.Rejection.replayed" }?.outcome == "accepted")
        default:
            #expect(failed == ["Required.Secure.Rejection.block-sessionEpoch-bit0", "Required.Secure.Rejection.earlier-session-other-epoch"])
        }
    }

    @Test("`pumpwire testee --broken accept-replay` declares secure and fails the replay vectors as a child process")
    func brokenSecureChild() throws {
        var child = try ProcessTestee(command: testeeCommand("--broken accept-replay"), timeout: 20)
        defer { child.close() }
        let report = ConformanceRunner(corpus: Self.secureVectors, checksLibraryJSON: false).run(&child)
        #expect(child.capabilities.contains(.secure))
        #expect(!report.passed)
        #expect(report.requiredFailures.contains { $0.name == "Required.Secure.Rejection.replayed" })
        #expect(report.count(.pass) == Self.secureVectors.vectors.count - report.requiredFailures.count)
    }

    @Test("A testee that crashes is restarted, and each crash is reported as such")
    func crash() throws {
        var child = try ProcessTestee(command: testeeCommand("--misbehave crash-on-crc32"))
        defer { child.close() }
        let report = ConformanceRunner(corpus: corpus, checksLibraryJSON: false).run(&child)
        let crc32 = report.results.filter { $0.kind == "crc32" }
        #expect(!crc32.isEmpty && crc32.allSatisfy { $0.status == .crash })
        #expect(crc32.first?.detail.contains("exited with status 3") == true)
        // Protocol vectors that ask for a CRC-32 in one of their exchanges crash too; nothing else may.
        let crashed = report.results.filter { $0.status == .crash }
        #expect(crashed.allSatisfy { $0.kind == "crc32" || $0.kind == "protocol" })
        #expect(report.results.filter { !["crc32", "protocol", "jsonView", "capture"].contains($0.kind) }.allSatisfy { $0.status == .pass })
        #expect(child.restarts == crashed.count)
    }

    @Test("A testee that hangs is timed out and restarted")
    func hang() throws {
        var child = try ProcessTestee(command: testeeCommand("--misbehave hang-on-crc32"), timeout: 0.5)
        defer { child.close() }
        let subset = Corpus(vectors: corpus.vectors.filter { $0.name.hasPrefix("Required.CRC") && $0.name.contains("Check") })
        let report = ConformanceRunner(corpus: subset, checksLibraryJSON: false).run(&child)
        #expect(report.results.map(\.status) == [.pass, .timeout])
    }

    @Test("A testee that answers garbage is a protocol error, and the run goes on")
    func garbage() throws {
        var child = try ProcessTestee(command: testeeCommand("--misbehave garbage-on-crc32"))
        defer { child.close() }
        let subset = Corpus(vectors: corpus.vectors.filter { $0.name.hasPrefix("Required.CRC") && $0.name.contains("Check") })
        let report = ConformanceRunner(corpus: subset, checksLibraryJSON: false).run(&child)
        #expect(report.results.map(\.status) == [.pass, .protocolError])
    }

    @Test("SKIPPED to a request of a declared capability fails the vector (PW-CONF-2), and the run")
    func skippedDeclaredCapability() throws {
        var child = try ProcessTestee(command: testeeCommand("--misbehave skip-crc32"))
        defer { child.close() }
        let subset = Corpus(vectors: corpus.vectors.filter { $0.name.hasPrefix("Required.CRC") && $0.name.contains("Check") })
        let report = ConformanceRunner(corpus: subset, checksLibraryJSON: false).run(&child)
        #expect(report.results.map(\.status) == [.pass, .fail])
        #expect(report.results.last?.outcome == "skipped")
        #expect(!report.passed)
    }

    @Test("A testee must exit with status 0, promptly and silently, when its input ends (PW-CONF-4)",
          arguments: [("; exit 3", "exited with status 3"), ("; sleep 30", "did not exit"), ("; printf x", "wrote 1 bytes"), ("", nil)])
    func ending(suffix: String, problem: String?) throws {
        var child = try ProcessTestee(command: testeeCommand() + suffix, timeout: 1)
        let subset = Corpus(vectors: corpus.vectors.filter { $0.name == "Required.CRC16.CheckString" })
        let report = ConformanceRunner(corpus: subset, checksLibraryJSON: false).run(&child)
        #expect(report.results.map(\.status) == [.pass])
        if let problem {
            #expect(report.endingProblem?.contains(problem) == true, "\(report.endingProblem ?? "nil")")
            #expect(!report.passed)
            #expect(report.text.contains("PW-CONF-4"))
        } else {
            #expect(report.endingProblem == nil)
            #expect(report.passed)
        }
    }

    @Test("--fail-fast stops at the first failure that fails the run")
    func failFast() throws {
        var child = try ProcessTestee(command: testeeCommand("--broken crc-init-zero"))
        defer { child.close() }
        var runner = ConformanceRunner(corpus: corpus, checksLibraryJSON: false)
        runner.stopsAtFirstFailure = true
        let report = runner.run(&child)
        #expect(!report.passed && report.stoppedEarly)
        #expect(report.failures.count == 1)
        #expect(report.results.count < corpus.vectors.count)
    }

    @Test("The protocol's edges (spec/conformance.md 2.7): a testee that misreads one fails its protocol vector")
    func protocolEdges() throws {
        let edges = Corpus(vectors: corpus.vectors.filter { $0.kind == "protocol" && !$0.name.hasSuffix("TooLong") })
        #expect(edges.vectors.count >= 8)
        var good = try ProcessTestee(command: testeeCommand())
        defer { good.close() }
        #expect(ConformanceRunner(corpus: edges, checksLibraryJSON: false).run(&good).count(.pass) == edges.vectors.count)
        var bad = try ProcessTestee(command: testeeCommand("--misbehave runtime-error-for-unknown-codes"))
        defer { bad.close() }
        let report = ConformanceRunner(corpus: edges, checksLibraryJSON: false).run(&bad)
        #expect(report.results.filter { $0.status != .pass }.map(\.name) == ["Recommended.Protocol.UnknownRequestCode"])
        #expect(report.passed, "protocol vectors are recommended")
        // A testee that exits 1 when its input ends inside a request's body (PW-CONF-4).
        var cut = try ProcessTestee(command: testeeCommand("--misbehave exit-1-inside-request"))
        defer { cut.close() }
        let cutReport = ConformanceRunner(corpus: edges, checksLibraryJSON: false).run(&cut)
        #expect(cutReport.results.filter { $0.status != .pass }.map(\.name)
                == ["Recommended.Protocol.InputEndsInsideBody", "Recommended.Protocol.InputEndsInsideLongBody"])
        #expect(cutReport.results.first { $0.name == "Recommended.Protocol.InputEndsInsideBody" }?.detail.contains("exited with status 1") == true)
    }

    @Test("A command that is not a testee fails the handshake")
    func notATestee() {
        #expect(throws: ProcessTestee.StartError.self) { try ProcessTestee(command: "cat /dev/null", timeout: 2) }
    }

    @Test("Failure lists: an expected failure passes; a listed vector that passes, or fails otherwise, fails the run")
    func failureLists() throws {
        let subset = Corpus(vectors: corpus.vectors.filter { $0.name.hasPrefix("Required.Frame.Trailing") || $0.name == "Required.Frame.Minimal" })
        func run(_ list: String) throws -> RunReport {
            var child = try ProcessTestee(command: testeeCommand("--broken accept-trailing-bytes"))
            defer { child.close() }
            return ConformanceRunner(corpus: subset, failureList: FailureList(text: list), checksLibraryJSON: false).run(&child)
        }
        let exact = try run("Required.Frame.TrailingByte accepted  # known\n")
        #expect(exact.passed)
        #expect(exact.count(.expectedFailure) == 1)
        let stale = try run("Required.Frame.TrailingByte accepted\nRequired.Frame.Minimal accepted\n")
        #expect(!stale.passed)
        #expect(stale.results.first { $0.name == "Required.Frame.Minimal" }?.detail.contains("passes") == true)
        let other = try run("Required.Frame.TrailingByte rejected:6@11\n")
        #expect(!other.passed)
    }

    @Test("Recommended failures warn, and fail the run only when enforced")
    func recommended() {
        let vector = corpus.vectors.first { $0.level == .recommended }!
        var report = RunReport(testee: "t", capabilities: .all, results: [VectorResult(
            id: vector.id, name: vector.name, level: .recommended, kind: vector.kind, messageType: nil,
            requirements: vector.requirements, status: .fail, outcome: "wrong-value", detail: "")])
        #expect(report.passed)
        report.enforceRecommended = true
        #expect(!report.passed)
        #expect(!RunReport(testee: "t", capabilities: [.decode], results: []).passed)  // mandatory capabilities
    }

    @Test("`pumpwire conformance` prints the summary by requirement and exits 0; --format json is machine-readable")
    func commandLine() throws {
        let text = try pumpwire(["conformance"])
        #expect(text.status == 0)
        #expect(text.out.contains("PW-FRAME-1 "))
        #expect(text.out.contains("conformance: PASS"))
        let json = try pumpwire(["conformance", "--format", "json", "--filter", "Required.CRC"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        #expect(object["passed"] as? Bool == true)
        let broken = try pumpwire(["conformance", "--testee", testeeCommand("--broken crc-init-zero"), "--filter", "Required.CRC16"])
        #expect(broken.status == 1)
    }
}
