import PumpWire

/// The results of a run, summarised by requirement and by message type (spec/conformance.md 2.6).
public struct RunReport: Sendable {
    public var testee: String
    public var capabilities: TesteeCapabilities
    public var results: [VectorResult]
    public var enforceRecommended = false
    /// What was wrong with how the testee ended when its input ended (PW-CONF-4), or nil.
    public var endingProblem: String?
    /// The run stopped at its first failure (`--fail-fast`): the results after it are missing.
    public var stoppedEarly = false

    public init(testee: String, capabilities: TesteeCapabilities, results: [VectorResult]) {
        self.testee = testee
        self.capabilities = capabilities
        self.results = results
    }

    public var missingCapabilities: TesteeCapabilities { TesteeCapabilities.mandatory.subtracting(capabilities) }

    public func count(_ status: VectorResult.Status, level: Vector.Level? = nil) -> Int {
        results.filter { $0.status == status && (level == nil || $0.level == level) }.count
    }

    public var failures: [VectorResult] { results.filter(\.status.isFailure) }
    public var requiredFailures: [VectorResult] { failures.filter { $0.level == .required } }
    public var recommendedFailures: [VectorResult] { failures.filter { $0.level == .recommended } }

    /// Whether the run passes: no required failure, mandatory capabilities declared, a clean exit at
    /// the end of the input, and with `enforceRecommended`, no recommended failure either.
    public var passed: Bool {
        missingCapabilities.isEmpty && endingProblem == nil && requiredFailures.isEmpty
            && (!enforceRecommended || recommendedFailures.isEmpty)
    }

    /// Per key (requirement id or message type): passed, failed, skipped.
    public func tally(by key: (VectorResult) -> [String]) -> [(key: String, pass: Int, fail: Int, skipped: Int)] {
        var table: [String: (Int, Int, Int)] = [:]
        for result in results {
            for name in key(result) {
                var entry = table[name] ?? (0, 0, 0)
                switch result.status {
                case .pass, .expectedFailure: entry.0 += 1
                case .skipped: entry.2 += 1
                default: entry.1 += 1
                }
                table[name] = entry
            }
        }
        return table.keys.sorted(by: Self.naturalOrder).map { ($0, table[$0]!.0, table[$0]!.1, table[$0]!.2) }
    }

    /// PW-FRAME-10 after PW-FRAME-9.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let (pa, na) = split(a), (pb, nb) = split(b)
        return pa == pb ? na < nb : pa < pb
    }

    private static func split(_ id: String) -> (String, Int) {
        guard let dash = id.lastIndex(of: "-"), let number = Int(id[id.index(after: dash)...]) else { return (id, 0) }
        return (String(id[..<dash]), number)
    }

    public var text: String {
        var lines: [String] = ["PumpWire conformance: \(testee)", "capabilities: \(capabilities.names.joined(separator: ", "))"]
        if !missingCapabilities.isEmpty {
            lines.append("FAIL: the testee does not declare the mandatory \(missingCapabilities.names.joined(separator: ", "))")
        }
        if let endingProblem {
            lines.append("FAIL: the testee \(endingProblem) (spec/conformance.md 2.1, PW-CONF-4)")
        }
        lines.append("")
        lines.append("By requirement (pass / fail / skipped):")
        for row in tally(by: \.requirements) {
            lines.append("  \(row.key.padding(toLength: 16, withPad: " ", startingAt: 0)) \(row.pass) / \(row.fail) / \(row.skipped)")
        }
        lines.append("")
        lines.append("By kind (pass / fail / skipped):")
        for row in tally(by: { [$0.kind] }) {
            lines.append("  \(row.key.padding(toLength: 26, withPad: " ", startingAt: 0)) \(row.pass) / \(row.fail) / \(row.skipped)")
        }
        lines.append("")
        lines.append("By message type (pass / fail / skipped):")
        for row in tally(by: { [$0.messageType ?? "(none)"] }) {
            lines.append("  \(row.key.padding(toLength: 26, withPad: " ", startingAt: 0)) \(row.pass) / \(row.fail) / \(row.skipped)")
        }
        let shown = failures.prefix(50)
        if !shown.isEmpty {
            lines.append("")
            lines.append("Failures:")
            for failure in shown {
                lines.append("  \(failure.level == .required ? "FAIL" : "warn") #\(failure.id) \(failure.name) [\(failure.outcome)]")
                lines.append("       \(failure.detail)")
            }
            if failures.count > shown.count { lines.append("  … and \(failures.count - shown.count) more (see --format json)") }
        }
        lines.append("")
        let expected = count(.expectedFailure)
        lines.append("\(results.count) vectors: \(count(.pass)) passed, \(requiredFailures.count) required failed, "
            + "\(recommendedFailures.count) recommended failed, \(count(.skipped)) skipped"
            + (expected > 0 ? ", \(expected) expected failures" : "")
            + " (crashes \(count(.crash)), timeouts \(count(.timeout)), protocol errors \(count(.protocolError)))")
        if stoppedEarly { lines.append("stopped at the first failure (--fail-fast): \(results.count) vectors run") }
        lines.append(passed ? "conformance: PASS" : "conformance: FAIL")
        return lines.joined(separator: "\n")
    }

    public var json: JSONValue {
        func rows(_ table: [(key: String, pass: Int, fail: Int, skipped: Int)]) -> JSONValue {
            .object(table.map { ($0.key, .object([("pass", .integer(Int64($0.pass))), ("fail", .integer(Int64($0.fail))),
                                                  ("skipped", .integer(Int64($0.skipped)))])) })
        }
        return .object([
            ("testee", .string(testee)),
            ("capabilities", .array(capabilities.names.map { .string($0) })),
            ("passed", .bool(passed)),
            ("ending", endingProblem.map { .string($0) } ?? .null),
            ("stoppedEarly", .bool(stoppedEarly)),
            ("counts", .object(VectorResult.Status.allCases.map { ($0.rawValue, .integer(Int64(count($0)))) })),
            ("byRequirement", rows(tally(by: \.requirements))),
            ("byMessageType", rows(tally(by: { [$0.messageType ?? "(none)"] }))),
            ("byKind", rows(tally(by: { [$0.kind] }))),
            ("results", .array(results.map { result in
                .object([
                    ("id", .integer(Int64(result.id))), ("name", .string(result.name)), ("level", .string(result.level.rawValue)),
                    ("status", .string(result.status.rawValue)), ("outcome", .string(result.outcome)),
                    ("detail", .string(result.detail)),
                ])
            })),
        ])
    }
}
