import Foundation

/// spec/cases.txt: every requirement of the spec split into the cases it enumerates (each field of
/// a list, each value of an enumeration, each pair of adjacent checks of an ordered list), and the
/// vectors each case needs. The ledger is written from the spec's words, apart from the vectors,
/// so a case that no vector checks shows up as missing (vectors/TRACEABILITY.md).
public struct CaseLedger: Sendable {
    public struct Entry: Sendable, Equatable {
        /// `PW-RX-1` for a requirement with one case, `PW-RX-1/drug` for one of several.
        public var id: String
        public var needsValid: Bool
        public var needsInvalid: Bool
        public var description: String

        /// The requirement the case belongs to.
        public var requirement: String { String(id.split(separator: "/", maxSplits: 1)[0]) }
        /// A case named by the requirement alone is checked by every vector that cites it.
        public var isWholeRequirement: Bool { !id.contains("/") }
    }

    public var entries: [Entry]

    public static let path = "spec/cases.txt"

    /// Reads `ID NEEDS DESCRIPTION` lines, NEEDS being `valid`, `invalid` or `valid+invalid`.
    public init(text: String) throws {
        entries = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let words = trimmed.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard words.count == 3, words[0].hasPrefix("PW-"), ["valid", "invalid", "valid+invalid"].contains(words[1]) else {
                throw CorpusError(description: "\(Self.path):\(number + 1): not `ID valid|invalid|valid+invalid DESCRIPTION`: \(line)")
            }
            guard !entries.contains(where: { $0.id == words[0] }) else {
                throw CorpusError(description: "\(Self.path):\(number + 1): \(words[0]) is listed twice")
            }
            entries.append(Entry(id: String(words[0]), needsValid: words[1].contains("valid") && words[1] != "invalid",
                                 needsInvalid: words[1].contains("invalid"),
                                 description: words[2].trimmingCharacters(in: .whitespaces)))
        }
    }

    /// The vectors of one case.
    func vectors(of entry: Entry, in vectors: [(VectorCase, Int)]) -> [(VectorCase, Int)] {
        vectors.filter { entry.isWholeRequirement ? $0.0.requirements.contains(entry.id) : $0.0.cases.contains(entry.id) }
    }

    /// What the corpus lacks: a requirement with no case, a case without the vectors it needs, a
    /// vector naming a case the ledger does not have, a mandatory requirement without a required
    /// vector (spec/conformance.md 2.6). Empty when the corpus is complete.
    public func problems(_ vectors: [(VectorCase, Int)], requirements: [(id: String, text: String)]) -> [String] {
        var problems: [String] = []
        let ids = Set(entries.map(\.id))
        for requirement in requirements where !entries.contains(where: { $0.requirement == requirement.id }) {
            problems.append("\(requirement.id) has no case in \(Self.path)")
        }
        for entry in entries where !requirements.contains(where: { $0.id == entry.requirement }) {
            problems.append("\(Self.path) lists \(entry.id), but the spec does not define \(entry.requirement)")
        }
        for entry in entries {
            let checking = self.vectors(of: entry, in: vectors)
            if entry.needsValid && !checking.contains(where: { $0.0.result == "valid" }) {
                problems.append("\(entry.id) (\(entry.description)) has no valid vector")
            }
            if entry.needsInvalid && !checking.contains(where: { $0.0.result == "invalid" }) {
                problems.append("\(entry.id) (\(entry.description)) has no invalid vector")
            }
        }
        for (vector, _) in vectors {
            for id in vector.cases where !ids.contains(id) {
                problems.append("\(vector.name) names the case \(id), which \(Self.path) does not list")
            }
            for id in vector.cases where !vector.requirements.contains(String(id.split(separator: "/")[0])) {
                problems.append("\(vector.name) names the case \(id) without citing its requirement")
            }
        }
        for requirement in requirements where VectorGenerator.isMandatory(requirement.text)
            && !vectors.contains(where: { $0.0.level == .required && $0.0.requirements.contains(requirement.id) }) {
            problems.append("\(requirement.id) is mandatory and has no required vector")
        }
        return problems
    }

    /// The cases table of vectors/TRACEABILITY.md.
    func table(_ vectors: [(VectorCase, Int)]) -> [String] {
        var lines = ["| Case | Needs | Valid | Invalid | Vectors |", "|---|---|---|---|---|"]
        for entry in entries where !entry.isWholeRequirement {
            let checking = self.vectors(of: entry, in: vectors)
            let valid = checking.filter { $0.0.result == "valid" }.count
            let needs = [entry.needsValid ? "valid" : nil, entry.needsInvalid ? "invalid" : nil].compactMap { $0 }.joined(separator: "+")
            let names = checking.prefix(4).map { "\($0.0.name) (#\($0.1))" }.joined(separator: ", ")
                + (checking.count > 4 ? ", … \(checking.count - 4) more" : "")
            lines.append("| \(entry.id): \(entry.description) | \(needs) | \(valid) | \(checking.count - valid) | \(names) |")
        }
        return lines
    }
}
