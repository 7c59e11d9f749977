import Foundation
import PumpWire

/// Writes the corpus from the catalogue (`pumpwire vectors generate`) and checks that the
/// committed files are exactly what it writes (`pumpwire vectors verify`).
public struct VectorGenerator {
    /// The package root: spec/ and vectors/ are found below it.
    public var root: URL

    public init(root: URL) {
        self.root = root
    }

    public struct Output {
        /// Path relative to vectors/ → contents.
        public var files: [String: String]
        /// Binary files (captures), path relative to vectors/ → bytes.
        public var binaryFiles: [String: [UInt8]] = [:]
        public var vectorCount: Int
        public var newIDs: Int
        /// What the corpus lacks against spec/cases.txt (CaseLedger.problems); empty when complete.
        public var problems: [String] = []
    }

    var vectorsDirectory: URL { root.appendingPathComponent("vectors") }

    /// Builds every file of the corpus in memory.
    public func build() throws -> Output {
        let spec = try String(contentsOf: root.appendingPathComponent("spec/pumpwire-v1.md"), encoding: .utf8)
        let contract = try String(contentsOf: root.appendingPathComponent("spec/conformance.md"), encoding: .utf8)
        let groups = try VectorCatalog.groups(spec: spec)
        var ledger = try IDLedger(text: (try? String(contentsOf: vectorsDirectory.appendingPathComponent("ids.txt"), encoding: .utf8)) ?? "")
        let before = ledger.count
        var files: [String: String] = [:]
        var binaryFiles: [String: [UInt8]] = [:]
        var seen = Set<String>()
        var all: [(VectorCase, Int)] = []
        for group in groups {
            var vectors: [JSONValue] = []
            for vector in group.cases {
                guard seen.insert(vector.name).inserted else { throw CorpusError(description: "two vectors are named \(vector.name)") }
                let id = ledger.id(for: vector.name)
                vectors.append(vector.json(id: id))
                all.append((vector, id))
            }
            let file: JSONValue = .object([
                ("formatVersion", .integer(1)), ("specVersion", .integer(1)), ("file", .string(group.file)),
                ("description", .string(group.description)), ("vectors", .array(vectors)),
            ])
            files["\(Corpus.directoryName)/\(group.file).json"] = file.text() + "\n"
            binaryFiles.merge(group.files) { first, _ in first }
        }
        files["ids.txt"] = ledger.text
        let cases = try CaseLedger(text: String(contentsOf: root.appendingPathComponent(CaseLedger.path), encoding: .utf8))
        files["TRACEABILITY.md"] = try traceability(all, spec: spec, contract: contract, cases: cases)
        return Output(files: files, binaryFiles: binaryFiles, vectorCount: all.count, newIDs: ledger.count - before,
                      problems: cases.problems(all, requirements: Self.requirementTexts(in: spec)))
    }

    /// Writes the corpus; returns what was built.
    public func generate() throws -> Output {
        let output = try build()
        try FileManager.default.createDirectory(at: vectorsDirectory.appendingPathComponent(Corpus.directoryName), withIntermediateDirectories: true)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: vectorsDirectory.appendingPathComponent(Corpus.directoryName).path)) ?? []
        for name in existing where name.hasSuffix(".json") && output.files["\(Corpus.directoryName)/\(name)"] == nil {
            try FileManager.default.removeItem(at: vectorsDirectory.appendingPathComponent("\(Corpus.directoryName)/\(name)"))
        }
        for (path, contents) in output.files {
            try contents.write(to: vectorsDirectory.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        let captures = vectorsDirectory.appendingPathComponent(Self.capturesDirectory)
        try FileManager.default.createDirectory(at: captures, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: captures.path)) ?? []
        where Self.isGenerated(name) && output.binaryFiles["\(Self.capturesDirectory)/\(name)"] == nil {
            try FileManager.default.removeItem(at: captures.appendingPathComponent(name))
        }
        for (path, bytes) in output.binaryFiles {
            try Data(bytes).write(to: vectorsDirectory.appendingPathComponent(path), options: .atomic)
        }
        return output
    }

    /// The files that differ from what the generator writes (empty when the corpus is current).
    public func verify() throws -> [String] {
        let output = try build()
        var differences: [String] = []
        for (path, contents) in output.files.sorted(by: { $0.key < $1.key }) {
            let committed = try? String(contentsOf: vectorsDirectory.appendingPathComponent(path), encoding: .utf8)
            if committed != contents { differences.append(committed == nil ? "\(path) is missing" : "\(path) differs") }
        }
        let corpus = vectorsDirectory.appendingPathComponent(Corpus.directoryName)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? [] where name.hasSuffix(".json") {
            if output.files["\(Corpus.directoryName)/\(name)"] == nil { differences.append("\(Corpus.directoryName)/\(name) is not generated") }
        }
        for (path, bytes) in output.binaryFiles.sorted(by: { $0.key < $1.key }) {
            let committed = try? Data(contentsOf: vectorsDirectory.appendingPathComponent(path))
            if committed.map(Array.init) != bytes { differences.append(committed == nil ? "\(path) is missing" : "\(path) differs") }
        }
        let captures = vectorsDirectory.appendingPathComponent(Self.capturesDirectory)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: captures.path)) ?? []
        where Self.isGenerated(name) && output.binaryFiles["\(Self.capturesDirectory)/\(name)"] == nil {
            differences.append("\(Self.capturesDirectory)/\(name) is not generated")
        }
        if output.newIDs > 0 { differences.append("ids.txt lacks \(output.newIDs) new vector ids") }
        return differences + output.problems
    }

    static let capturesDirectory = "captures"

    /// The capture files the generator owns (the folder's README is written by hand).
    static func isGenerated(_ name: String) -> Bool {
        ["pcapng", "pcap", "hex", "bin"].contains { name.hasSuffix("." + $0) }
    }

    /// Requirement → vectors, valid and invalid (vectors/TRACEABILITY.md).
    func traceability(_ vectors: [(VectorCase, Int)], spec: String, contract: String, cases: CaseLedger) throws -> String {
        let ids = Self.requirementIDs(in: spec) + Self.requirementIDs(in: contract)
        var byRequirement: [String: [(VectorCase, Int)]] = [:]
        for entry in vectors {
            for requirement in entry.0.requirements {
                guard ids.contains(requirement) else { throw CorpusError(description: "\(entry.0.name) cites \(requirement), which the spec does not define") }
                byRequirement[requirement, default: []].append(entry)
            }
        }
        var lines = [
            "# Traceability: requirement → vectors", "",
            "Generated by `pumpwire vectors generate` from the catalogue; do not edit. Every requirement of",
            "`spec/pumpwire-v1.md` has at least one valid and one invalid vector (a test checks it).",
            "Every mandatory requirement (one that says MUST, or states a check) has at least one required vector.",
            "Requirements of `spec/conformance.md` (PW-CONF-*) concern runners and testees: the `protocol` vectors",
            "check some of them, and the runner's tests the rest.", "",
            "| Requirement | Valid | Invalid | Required | Vectors |", "|---|---|---|---|---|",
        ]
        for id in ids {
            let entries = byRequirement[id] ?? []
            let valid = entries.filter { $0.0.result == "valid" }.count
            let required = entries.filter { $0.0.level == .required }.count
            let names = entries.prefix(12).map { "\($0.0.name) (#\($0.1))" }.joined(separator: ", ")
                + (entries.count > 12 ? ", … \(entries.count - 12) more" : "")
            lines.append("| \(id) | \(valid) | \(entries.count - valid) | \(required) | \(names) |")
        }
        lines += ["", "## Cases", "",
                  "The requirements that enumerate cases (fields, values, adjacent checks of an ordered list), from",
                  "`\(CaseLedger.path)`; each case has the vectors it needs (`pumpwire vectors verify` fails otherwise).", ""]
        lines += cases.table(vectors)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each requirement the spec defines, with its text (up to the next requirement, list item,
    /// heading or blank line).
    public static func requirementTexts(in spec: String) -> [(id: String, text: String)] {
        var found: [(id: String, text: String)] = []
        var open = false
        for line in spec.split(separator: "\n", omittingEmptySubsequences: false) {
            var text = Substring(line)
            if text.hasPrefix("- ") { text = text.dropFirst(2) }
            if text.hasPrefix("PW-"), let colon = text.firstIndex(of: ":"), text[..<colon].split(separator: "-").count == 3 {
                found.append((String(text[..<colon]), String(text)))
                open = true
            } else if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("- ") || line.hasPrefix("#") {
                open = false
            } else if open {
                found[found.count - 1].text += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        return found
    }

    /// A requirement is optional when its words are SHOULD or MAY only; every other one (a MUST,
    /// or a check stated without a keyword) is mandatory and needs a required vector.
    public static func isMandatory(_ text: String) -> Bool {
        text.contains("MUST") || !(text.contains("SHOULD") || text.contains(" MAY "))
    }

    /// The requirement ids the spec defines, in order.
    public static func requirementIDs(in spec: String) -> [String] {
        var ids: [String] = []
        for line in spec.split(separator: "\n") {
            var text = Substring(line)
            if text.hasPrefix("- ") { text = text.dropFirst(2) }
            guard text.hasPrefix("PW-"), let colon = text.firstIndex(of: ":") else { continue }
            let id = String(text[..<colon])
            if id.split(separator: "-").count == 3, !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}

/// vectors/ids.txt: `ID NAME` a line. Append-only, so an id is never reused; a vector that leaves
/// the catalogue keeps its line as retired.
public struct IDLedger {
    private var ids: [String: Int] = [:]
    private var lines: [String] = []
    private var next = 1

    public init(text: String) throws {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let id = Int(parts[0]) else { throw CorpusError(description: "ids.txt: bad line \(line)") }
            guard ids[String(parts[1])] == nil, id >= next else { throw CorpusError(description: "ids.txt: id \(id) or name \(parts[1]) used twice") }
            ids[String(parts[1])] = id
            lines.append(String(line))
            next = id + 1
        }
    }

    public var count: Int { ids.count }

    public mutating func id(for name: String) -> Int {
        if let id = ids[name] { return id }
        let id = next
        next += 1
        ids[name] = id
        lines.append("\(id) \(name)")
        return id
    }

    public var text: String {
        "# Vector ids: append-only. An id is never reused, even when its vector is removed.\n" + lines.joined(separator: "\n") + "\n"
    }
}
