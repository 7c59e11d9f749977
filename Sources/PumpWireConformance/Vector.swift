import Foundation
import PumpWire

/// One golden vector, read from a corpus file (vectors/README.md). A thin view over its JSON, so
/// the runner reads exactly what a consumer in any other language reads.
public struct Vector: Sendable {
    public enum Level: String, Sendable { case required, recommended }

    public let json: JSONValue
    public let file: String

    public init(json: JSONValue, file: String) throws {
        self.json = json
        self.file = file
        guard case .integer? = json["id"], case .string? = json["name"], case .string? = json["kind"],
              case .string? = json["result"], let level = json["level"]?.stringValue, Level(rawValue: level) != nil else {
            throw CorpusError(description: "\(file): a vector lacks id, name, kind, level or result: \(json.text(indent: nil).prefix(120))")
        }
    }

    public var id: Int { Int(json["id"]?.integerValue ?? 0) }
    public var name: String { json["name"]?.stringValue ?? "" }
    public var level: Level { Level(rawValue: json["level"]?.stringValue ?? "") ?? .required }
    public var kind: String { json["kind"]?.stringValue ?? "" }
    public var result: String { json["result"]?.stringValue ?? "" }
    public var messageType: String? { json["messageType"]?.stringValue }
    public var requirements: [String] { json["requirements"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    /// The cases of spec/cases.txt the vector checks (vectors/README.md).
    public var cases: [String] { json["cases"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// Bytes of a hex field.
    public func bytes(_ key: String) -> [UInt8]? {
        guard let text = json[key]?.stringValue else { return nil }
        return try? Hex.decode(text)
    }

    /// Bytes of a list of hex strings.
    public func byteList(_ key: String) -> [[UInt8]]? {
        json[key]?.arrayValue?.map { (try? Hex.decode($0.stringValue ?? "")) ?? [] }
    }

    /// The `{code, offset}` of an expected error.
    public func error(_ value: JSONValue?) -> (code: UInt16, offset: UInt32)? {
        guard let code = value?["code"]?.integerValue, let offset = value?["offset"]?.integerValue else { return nil }
        return (UInt16(clamping: code), UInt32(clamping: offset))
    }
}

public struct CorpusError: Error, CustomStringConvertible {
    public var description: String
}

extension JSONValue {
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var integerValue: Int64? { if case .integer(let n) = self { n } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
}

/// The corpus: every vector file under `vectors/corpus/`.
public struct Corpus: Sendable {
    public var vectors: [Vector]

    public static let directoryName = "corpus"

    public init(vectors: [Vector]) {
        self.vectors = vectors
    }

    /// Loads `directory/corpus/*.json` in name order.
    public init(directory: URL) throws {
        let corpus = directory.appendingPathComponent(Self.directoryName)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw CorpusError(description: "no corpus at \(corpus.path): \(error.localizedDescription)")
        }
        var vectors: [Vector] = []
        for name in names {
            let data = try Data(contentsOf: corpus.appendingPathComponent(name))
            let file: JSONValue
            do { file = try JSONValue.parse(Array(data)) } catch { throw CorpusError(description: "\(name): \(error)") }
            guard file["formatVersion"] == .integer(1), let items = file["vectors"]?.arrayValue else {
                throw CorpusError(description: "\(name): not a version 1 vector file")
            }
            for item in items { vectors.append(try Vector(json: item, file: name)) }
        }
        // The security layer's golden vectors (spec/conformance.md 2.4.10), when the folder has them.
        vectors += try SecureVectors.load(from: directory)
        // The pump scenarios (spec/conformance.md section 4), when the folder has them.
        vectors += try ScenarioVectors.load(from: directory)
        self.vectors = vectors
    }
}
