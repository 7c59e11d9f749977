import Foundation
import PumpWire

/// The pump scenarios of `vectors/scenarios/` (spec/conformance.md section 4), one vector of kind
/// `pumpScenario` each, named `Required.Pump.` and the scenario's name, with ids from 105001 in the
/// order of the file names. The vector's JSON holds the whole scenario under `scenario`.
public enum ScenarioVectors {
    public static let directoryName = "scenarios"
    public static let kind = "pumpScenario"

    /// `directory/scenarios/*.json` as vectors; none if the folder is absent.
    public static func load(from directory: URL) throws -> [Vector] {
        let folder = directory.appendingPathComponent(directoryName)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var vectors: [Vector] = []
        for (index, name) in names.filter({ $0.hasSuffix(".json") }).sorted().enumerated() {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let scenario: JSONValue
            do { scenario = try JSONValue.parse(Array(data)) } catch { throw CorpusError(description: "scenarios/\(name): \(error)") }
            guard let title = scenario["scenario"]?.stringValue, title + ".json" == name, scenario["steps"]?.arrayValue != nil,
                  scenario["pump"] != nil else {
                throw CorpusError(description: "scenarios/\(name): not a scenario (a `scenario` named as the file, `pump` and `steps`)")
            }
            let json = JSONValue.object([
                ("id", .integer(Int64(105_001 + index))), ("name", .string("Required.Pump.\(title)")), ("kind", .string(kind)),
                ("level", .string("required")), ("result", .string("valid")),
                ("requirements", scenario["requirements"] ?? .array([])), ("scenario", scenario),
            ])
            vectors.append(try Vector(json: json, file: "scenarios/\(name)"))
        }
        return vectors
    }
}
