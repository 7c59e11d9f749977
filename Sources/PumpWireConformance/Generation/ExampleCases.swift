import Foundation
import PumpWire
import PumpWireCore

/// The worked examples of spec section 9, taken from the spec's own text: their bytes from the
/// annotated hex and their values from the stated JSON, so neither comes from our encoder.
enum ExampleCases {
    struct Example {
        var name: String
        var bytes: [UInt8]
        var json: JSONValue
    }

    static func examples(spec: String) throws -> [Example] {
        func blocks(_ info: String) -> [String: String] {
            var found: [String: String] = [:]
            for part in spec.components(separatedBy: "```\(info) ").dropFirst() {
                guard let newline = part.firstIndex(of: "\n"), let end = part.range(of: "\n```") else { continue }
                found[String(part[..<newline])] = String(part[part.index(after: newline)..<end.lowerBound])
            }
            return found
        }
        let hex = blocks("pumpwire-hex"), json = blocks("json")
        return try hex.keys.sorted().map { name in
            guard let text = json[name] else { throw CorpusError(description: "spec: example \(name) has no JSON block") }
            return Example(name: name, bytes: try Hex.decode(hex[name]!), json: try JSONValue.parse(text))
        }
    }

    /// The main requirements each example's message illustrates.
    static let requirements: [String: [String]] = [
        "interrogationRequest": ["PW-INT-1"], "pumpStatus": ["PW-STATUS-1", "PW-STATUS-2", "PW-REG-2"],
        "prescriptionBlock": ["PW-RX-1", "PW-RX-2", "PW-RX-7", "PW-RX-8", "PW-RX-9"], "bolusSchedule": ["PW-BOLUS-1", "PW-BOLUS-2"],
        "refillConfirmation": ["PW-REFILL-1"], "refillReceipt": ["PW-REFILL-3"], "memoryDumpRequest": ["PW-DUMP-1"],
        "memoryDumpChunk": ["PW-DUMP-3", "PW-DUMP-6", "PW-DUMP-7"], "acknowledgement": ["PW-ACK-1"], "negativeAcknowledgement": ["PW-NAK-1"],
    ]

    static func cases(spec: String) throws -> [VectorCase] {
        try examples(spec: spec).map { example in
            V.valid("Required.Example.\(MessageCases.title(MessageRegistry.typeCode(named: example.name) ?? 0))",
                    ["PW-REG-1", "PW-CRC-1", "PW-ERR-1"] + (requirements[example.name] ?? []),
                    bytes: example.bytes, decoded: example.json, messageType: example.name,
                    comment: "The worked example of spec section 9, bytes and values as the spec states them.")
        }
    }
}
