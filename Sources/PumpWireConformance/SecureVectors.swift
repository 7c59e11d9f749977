import Foundation
import PumpWire

/// The vectors of the security layer: `vectors/crypto/sessions.json` read as vectors of the kinds
/// `secureHandshake`, `sealedFrame`, `sealedRejection` and `lowOrderKey` (spec/conformance.md
/// 2.4.10). Each vector's JSON holds, under `secure`, what its requests need, so that the judge
/// reads one object. Ids: 100001 on for handshakes (two per entry), 101001 on for sealed messages,
/// 102001 on for rejections, 103001 on for low-order keys, 104001 on for pump scenarios
/// (`securePump`, PW-SEC-21), in the file's order.
public enum SecureVectors {
    public static let fileName = "sessions.json"
    public static let directoryName = "crypto"
    public static let kinds: Set<String> = ["secureHandshake", "sealedFrame", "sealedRejection", "lowOrderKey", "securePump"]

    /// `directory/crypto/sessions.json` as vectors; none if the file is absent.
    public static func load(from directory: URL) throws -> [Vector] {
        let url = directory.appendingPathComponent(directoryName).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let file: JSONValue
        do { file = try JSONValue.parse(Array(data)) } catch { throw CorpusError(description: "\(fileName): \(error)") }
        return try vectors(from: file)
    }

    static func vectors(from file: JSONValue) throws -> [Vector] {
        let handshakes = file["handshakes"]?.arrayValue ?? []
        var byId: [String: JSONValue] = [:]
        for handshake in handshakes { if let id = handshake["id"]?.stringValue { byId[id] = handshake } }
        var vectors: [Vector] = []
        func add(_ id: Int, _ name: String, _ kind: String, _ result: String, _ requirements: [String], _ secure: [(String, JSONValue)]) throws {
            let json = JSONValue.object([
                ("id", .integer(Int64(id))), ("name", .string(name)), ("kind", .string(kind)), ("level", .string("required")),
                ("result", .string(result)), ("requirements", .array(requirements.map { .string($0) })),
                ("secure", .object(secure)),
            ])
            vectors.append(try Vector(json: json, file: "crypto/\(fileName)"))
        }
        for (index, handshake) in handshakes.enumerated() {
            let id = handshake["id"]?.stringValue ?? "\(index)"
            for (side, role) in [("initiator", 0), ("pump", 1)] {
                var steps: [JSONValue] = []
                for message in handshake["messages"]?.arrayValue ?? [] {
                    let own = message["sender"]?.stringValue == side
                    steps.append(.object([
                        ("request", .string(own ? "write" : "read")),
                        ("data", message[own ? "noisePayload" : "noiseMessage"] ?? .string("")),
                        ("expect", message[own ? "noiseMessage" : "noisePayload"] ?? .string("")),
                    ]))
                }
                let split = ["handshakeHash", "k1", "k2"].map { handshake[$0]?.stringValue ?? "" }.joined()
                try add(100_001 + 2 * index + role, "Required.Secure.Handshake.\(id).\(side)", "secureHandshake", "valid",
                        ["PW-SEC-4", "PW-SEC-8"], begin(handshake, side: side) + [("steps", .array(steps)), ("split", .string(split))])
            }
        }
        for (index, sealed) in (file["sealedFrames"]?.arrayValue ?? []).enumerated() {
            guard let session = sealed["session"]?.stringValue, let key = sealed["key"]?.stringValue,
                  let keyBytes = byId[session]?[key] else { throw CorpusError(description: "\(fileName): sealedFrames[\(index)] names no session key") }
            try add(101_001 + index, "Required.Secure.Sealed.\(sealed["id"]?.stringValue ?? "\(index)")", "sealedFrame", "valid",
                    ["PW-SEC-9", "PW-SEC-10", "PW-SEC-12"], [("key", keyBytes), ("frames", sealed["frames"] ?? .array([]))])
        }
        for (index, rejection) in (file["rejections"]?.arrayValue ?? []).enumerated() {
            let receiver = rejection["receiver"]
            guard let session = receiver?["session"]?.stringValue, let key = receiver?["key"]?.stringValue,
                  let keyBytes = byId[session]?[key] else { throw CorpusError(description: "\(fileName): rejections[\(index)] names no session key") }
            try add(102_001 + index, "Required.Secure.Rejection.\(rejection["id"]?.stringValue ?? "\(index)")", "sealedRejection", "invalid",
                    ["PW-SEC-10"], [
                        ("key", keyBytes), ("sessionEpoch", receiver?["sessionEpoch"] ?? .integer(0)),
                        ("highestAcceptedCounter", receiver?["highestAcceptedCounter"] ?? .null),
                        ("frame", rejection["frame"] ?? .string("")), ("error", rejection["expected"] ?? .null),
                    ])
        }
        for (index, lowOrder) in (file["lowOrderKeys"]?.arrayValue ?? []).enumerated() {
            let receiver = lowOrder["receiver"]
            guard let name = receiver?["handshake"]?.stringValue, let handshake = byId[name],
                  let frame = try? Hex.decode(lowOrder["frame"]?.stringValue ?? ""), frame.count > 13,
                  let expected = lowOrder["expected"]?["offset"]?.integerValue else {
                throw CorpusError(description: "\(fileName): lowOrderKeys[\(index)] names no handshake or frame")
            }
            let side = receiver?["role"]?.stringValue == "pump" ? "pump" : "initiator"
            // The Noise message: after pattern and slot in a handshakeRequest (0x10), whole in a response.
            let start = 9 + (frame[3] == 0x10 ? 2 : 0)
            var secure = begin(handshake, side: side) + [
                ("message", .string(Hex.encode(frame[start..<(frame.count - 2)]))),
                ("offset", .integer(expected - Int64(start))),
                ("nextPayload", handshake["sessionInfo"]?["bytes"] ?? .string("")),
            ]
            if let sent = lowOrder["receiver"]?["sentRequest"]?.stringValue, let bytes = try? Hex.decode(sent), bytes.count > 13 {
                secure.append(("sentRequest", .string(Hex.encode(bytes[11..<(bytes.count - 2)]))))
            }
            try add(103_001 + index, "Required.Secure.LowOrderKey.\(lowOrder["id"]?.stringValue ?? "\(index)")", "lowOrderKey", "invalid",
                    ["PW-SEC-4"], secure)
        }
        for (index, scenario) in (file["pumpScenarios"]?.arrayValue ?? []).enumerated() {
            try add(104_001 + index, "Required.Secure.Pump.\(scenario["id"]?.stringValue ?? "\(index)")", "securePump", "valid",
                    ["PW-SEC-21"], [("pump", scenario["pump"] ?? .null), ("steps", scenario["steps"] ?? .array([]))])
        }
        return vectors
    }

    /// PUMP_BEGIN of a vector's `secure.pump` object.
    static func pumpBeginRequest(_ pump: JSONValue) -> TesteeRequest {
        func bytes(_ value: JSONValue?) -> [UInt8] { (try? Hex.decode(value?.stringValue ?? "")) ?? [] }
        let slots = (0..<4).map { index -> PumpSetup.Slot in
            let slot = pump["slots"]?.arrayValue?.dropFirst(index).first
            guard let slot, slot != .null else { return PumpSetup.Slot(role: 0, staticPublic: [UInt8](repeating: 0, count: 32), lastCommandId: 0) }
            return PumpSetup.Slot(role: UInt8(clamping: slot["role"]?.integerValue ?? 0), staticPublic: bytes(slot["staticPublic"]),
                                  lastCommandId: UInt32(clamping: slot["lastCommandId"]?.integerValue ?? 0))
        }
        let bolus = pump["patientBolus"].flatMap { value -> PumpSetup.PatientBolus? in
            guard value != .null else { return nil }
            return PumpSetup.PatientBolus(
                doseNanograms: UInt32(clamping: value["doseNanograms"]?.integerValue ?? 0),
                lockoutMinutes: UInt16(clamping: value["lockoutMinutes"]?.integerValue ?? 0),
                maxPerDay: UInt8(clamping: value["maxPerDay"]?.integerValue ?? 0))
        }
        return .pumpBegin(PumpSetup(
            staticPrivate: bytes(pump["staticPrivate"]), pairingSecret: bytes(pump["pairingSecret"]),
            pairingWindowOpen: pump["pairingWindowOpen"]?.boolValue ?? false,
            sessionCount: UInt32(clamping: pump["sessionCount"]?.integerValue ?? 0), patientBolus: bolus, slots: slots))
    }

    /// PUMP_RECEIVE's expected answer for a step of a scenario.
    static func pumpStepAnswer(_ step: JSONValue) -> [UInt8] {
        func bytes(_ value: JSONValue?) -> [UInt8] { (try? Hex.decode(value?.stringValue ?? "")) ?? [] }
        let answer = bytes(step["answer"])
        var out = WireBytes.u16(answer.count) + answer
        if let therapy = step["therapy"], therapy != .null {
            let payload = bytes(therapy["payload"])
            out += [1, UInt8(clamping: therapy["messageType"]?.integerValue ?? 0)]
                + WireBytes.u32(UInt32(clamping: therapy["commandId"]?.integerValue ?? 0)) + WireBytes.u16(payload.count) + payload
        } else {
            out += [0]
        }
        let records = step["log"]?.arrayValue ?? []
        out.append(UInt8(clamping: records.count))
        for record in records { out += bytes(record) }
        return out
    }

    /// HANDSHAKE_BEGIN's fields for one side of a handshake of sessions.json.
    static func begin(_ handshake: JSONValue, side: String) -> [(String, JSONValue)] {
        let other = side == "pump" ? "initiator" : "pump"
        let pattern = handshake["pattern"]?.integerValue ?? 0
        return [
            ("pattern", .integer(pattern)), ("role", .integer(side == "pump" ? 1 : 0)),
            ("prologue", handshake["prologue"] ?? .string("")),
            ("staticPrivate", handshake[side]?["staticPrivate"] ?? .string("")),
            ("ephemeralPrivate", handshake[side]?["ephemeralPrivate"] ?? .string("")),
            ("remoteStatic", pattern == 2 ? handshake[other]?["staticPublic"] ?? .null : .null),
            ("presharedKey", handshake["pairingSecret"] ?? .null),
        ]
    }

    /// HANDSHAKE_BEGIN of a vector's `secure` object.
    static func beginRequest(_ secure: JSONValue) -> TesteeRequest {
        func bytes(_ key: String) -> [UInt8] { (try? Hex.decode(secure[key]?.stringValue ?? "")) ?? [] }
        func optional(_ key: String) -> [UInt8]? { secure[key]?.stringValue.flatMap { try? Hex.decode($0) } }
        return .handshakeBegin(HandshakeBegin(
            pattern: UInt8(clamping: secure["pattern"]?.integerValue ?? 0), role: UInt8(clamping: secure["role"]?.integerValue ?? 0),
            prologue: bytes("prologue"), staticPrivate: bytes("staticPrivate"), ephemeralPrivate: bytes("ephemeralPrivate"),
            remoteStatic: optional("remoteStatic"), presharedKey: optional("presharedKey")))
    }
}
