import Foundation

/// The vectors an implementation is known to fail, each with its outcome (spec/conformance.md
/// 2.6). A listed vector that passes, or fails otherwise, fails the run: the list cannot go stale.
public struct FailureList: Sendable, Equatable {
    public var outcomes: [String: String]

    public init(outcomes: [String: String] = [:]) {
        self.outcomes = outcomes
    }

    public init(text: String) {
        var outcomes: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(separator: " ", omittingEmptySubsequences: true)
            guard let name = words.first else { continue }
            outcomes[String(name)] = words.count > 1 ? String(words[1]) : ""
        }
        self.outcomes = outcomes
    }

    public var text: String {
        outcomes.keys.sorted().map { "\($0) \(outcomes[$0]!)\n" }.joined()
    }
}
