import Foundation
import PumpWire
import PumpWireCore
import Testing

/// JSON text of `message`'s view, with `change` applied to the view first.
func viewText(
    _ message: Message, sequence: UInt16 = 7, authentication: AuthenticationBlock? = nil,
    _ change: (inout JSONValue) -> Void = { _ in }
) throws -> String {
    var view = try PumpWireJSON.view(of: Frame(sequence: sequence, authentication: authentication, content: .message(message)))
    change(&view)
    return view.text(indent: nil)
}

extension JSONValue {
    /// Sets (or, with nil, removes) the value at `path`: `String` keys and `Int` indexes.
    mutating func set(_ path: [any Sendable], to value: JSONValue?) {
        guard let first = path.first else {
            if let value { self = value }
            return
        }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.object(var members), let key as String):
            if let index = members.firstIndex(where: { $0.0 == key }) {
                if rest.isEmpty, value == nil {
                    members.remove(at: index)
                } else {
                    members[index].1.set(rest, to: value)
                }
            } else if let value, rest.isEmpty {
                members.append((key, value))
            }
            self = .object(members)
        case (.array(var items), let index as Int):
            items[index].set(rest, to: value)
            self = .array(items)
        default:
            Issue.record("no \(first) in \(self.text(indent: nil))")
        }
    }
}

/// A message the core encoder fragments (40 steps: a 261-byte payload).
let longPrescription = Message.prescriptionBlock(Samples.prescription(steps: 40))
let authenticationBlock = AuthenticationBlock(freshnessCounter: 9, tag: try! BoundedArray([UInt8](repeating: 0xAB, count: 16)))

/// What no message may show a user (README "Exit status and messages").
let swiftInternals = ["DecodingError", "CodingKeys", "NSCocoaErrorDomain", "Swift.", "UInt16", "UInt32", "Optional", "keyNotFound", "typeMismatch"]

struct BadInput: CustomTestStringConvertible, Sendable {
    var name: String
    var json: String
    /// The whole line `encode` prints after `pumpwire encode: stdin: `, or its start.
    var expected: String
    var testDescription: String { name }
}

let interrogation = #"{"messageType": "interrogationRequest", "typeCode": 1, "sequence": 1, "authentication": null, "message": {}}"#

let badInputs: [BadInput] = {
    func input(_ name: String, _ json: String, _ expected: String) -> BadInput { BadInput(name: name, json: json, expected: expected) }
    let acknowledgement = Message.acknowledgement(Samples.acknowledgement)
    let prescription = Message.prescriptionBlock(Samples.prescription)
    return [
        input("unknown key", #"{"messageType": "interrogationRequest", "sequence": 1, "message": {}, "extra": 2}"#,
              #"$: unknown key "extra" (the keys here: messageType, typeCode, sequence, authentication, message, fragment, sealed)"#),
        input("unknown key in a step", try! viewText(prescription) { $0.set(["message", "steps", 1, "dose"], to: .integer(5)) },
              #"$.message.steps[1]: unknown key "dose" (the keys here: startMinute, doseRateNanogramsPerDay)"#),
        input("unknown key in an empty message", #"{"messageType": "interrogationRequest", "sequence": 1, "message": {"x": 1}}"#,
              #"$.message: unknown key "x" (this object has no keys)"#),
        input("duplicate key", #"{"messageType": "interrogationRequest", "sequence": 1, "sequence": 2, "message": {}}"#,
              #"$: duplicate key "sequence" (at byte 55)"#),
        input("duplicate key in a step", try! viewText(prescription).replacingOccurrences(of: #""startMinute":420"#, with: #""startMinute":420,"startMinute":421"#),
              #"$.message.steps[1]: duplicate key "startMinute""#),
        input("missing key", #"{"messageType": "interrogationRequest", "message": {}}"#, #"$: missing key "sequence""#),
        input("missing key in a message", try! viewText(acknowledgement) { $0.set(["message", "digest"], to: nil) },
              #"$.message: missing key "digest""#),
        input("wrong type", #"{"messageType": "interrogationRequest", "sequence": "1", "message": {}}"#,
              "$.sequence: expected an integer, found a string"),
        input("wrong type for a message", #"{"messageType": "interrogationRequest", "sequence": 1, "message": []}"#,
              "$.message: expected an object, found an array"),
        input("70000 in a u16", #"{"messageType": "interrogationRequest", "sequence": 70000, "message": {}}"#,
              "$.sequence: FIELD_OUT_OF_RANGE (10): 70000 is out of range: the field is an unsigned 16-bit integer, 0 to 65535"),
        input("-1 in an unsigned field", try! viewText(acknowledgement) { $0.set(["message", "acknowledgedType"], to: .integer(-1)) },
              "$.message.acknowledgedType: FIELD_OUT_OF_RANGE (10): -1 is out of range: the field is an unsigned 8-bit integer, 0 to 255"),
        input("1e3", #"{"messageType": "interrogationRequest", "sequence": 1e3, "message": {}}"#,
              "$.sequence: 1e3 is not an integer (numbers in the view are integers, PW-JSON-2)"),
        input("1.0", #"{"messageType": "interrogationRequest", "sequence": 1.0, "message": {}}"#,
              "$.sequence: 1.0 is not an integer"),
        input("2^64", try! viewText(acknowledgement).replacingOccurrences(of: "\"digest\":3085085398", with: "\"digest\":18446744073709551616"),
              "$.message.digest: FIELD_OUT_OF_RANGE (10): 18446744073709551616 is out of range: the field is an unsigned 32-bit integer, 0 to 4294967295"),
        input("unknown drug name", try! viewText(prescription) { $0.set(["message", "drug"], to: .string("aspirin")) },
              #"$.message.drug: unknown name "aspirin": one of morphine, hydromorphone"#),
        input("unknown message type", #"{"messageType": "bolus", "sequence": 1, "message": {}}"#,
              #"$.messageType: "bolus" is not a message of the registry"#),
        input("text outside printable ASCII", try! viewText(.pumpStatus(Samples.pumpStatus)) { $0.set(["message", "serial"], to: .string("ab\u{e9}")) },
              #"$.message.serial: INVALID_TEXT (12): "abé": byte 3 of the text is not printable ASCII"#),
        input("too many steps", try! viewText(prescription) {
            $0.set(["message", "steps"], to: .array(Array(repeating: .object([("startMinute", .integer(0)), ("doseRateNanogramsPerDay", .integer(1))]), count: 49)))
        }, "$.message.steps: TOO_MANY_ITEMS (11): 49 items, at most 48 allowed"),
        input("an authenticated message needing fragments", try! viewText(longPrescription, authentication: authenticationBlock),
              "$.authentication: a frame with an authentication block is sealed"),
        input("a value the decoder refuses, in one frame",
              #"{"messageType": "refillReceipt", "sequence": 4, "message": {"confirmationDigest": 1, "resultingReservoirMicrolitres": 60001, "lowReservoirAlarmTime": 0}}"#,
              "$.message.resultingReservoirMicrolitres: FIELD_OUT_OF_RANGE (10) at offset 13: a field outside its range or enumeration (the value is 60001)"),
        input("a value the decoder refuses, in a fragmented message", try! viewText(longPrescription) { $0.set(["message", "steps", 3, "startMinute"], to: .integer(36)) },
              "$.message.steps[3].startMinute: DAY_PROFILE_ORDER (14) at offset 39: step start minutes do not rise strictly (the value is 36); the offset is in the message payload"),
        input("a count the decoder refuses", try! viewText(prescription) { $0.set(["message", "mode"], to: .string("continuous")) },
              "$.message.steps: MODE_PROFILE_MISMATCH (15) at offset 29"),
        input("a rule after the payload", try! viewText(prescription) { $0.set(["message", "maxDailyDoseNanograms"], to: .integer(100)) },
              "$.message.maxDailyDoseNanograms: DAILY_DOSE_EXCEEDS_LIMIT (16) at offset 25"),
        input("truncated JSON", String(interrogation.dropLast(20)),
              "not valid JSON at byte \(interrogation.utf8.count - 20) ($.authentication): the text ends where a value was expected"),
        input("empty input", "", "not valid JSON at byte 0: no JSON value: the text is empty"),
        input("not JSON at all", "a5c3 0101 00 0100 0000", "not valid JSON at byte 0: 'a' where a value was expected"),
        input("JSON that is no view", "42", "$: expected a frame's JSON view (an object) or an array of them, found an integer"),
        input("second entry of an array", "[\(interrogation), {\"messageType\": \"interrogationRequest\"}]", #"$[1]: missing key "sequence""#),
    ]
}()

@Suite("pumpwire encode is strict (spec section 12)", .serialized)
struct EncodeCommandTests {
    @Test("A bad input is refused with the JSON path, exit 1, and nothing written", arguments: badInputs)
    func refused(input: BadInput) throws {
        let result = try pumpwire(["encode"], stdin: input.json)
        #expect(result.status == 1)
        #expect(result.out.isEmpty)
        #expect(result.err.hasPrefix("pumpwire encode: stdin: " + input.expected), "\(result.err)")
        #expect(result.err.split(separator: "\n").count == 1, "one line per refused entry: \(result.err)")
        for forbidden in swiftInternals { #expect(!result.err.contains(forbidden), "\(result.err)") }
    }

    @Test("Every refused entry of an array is reported, and nothing is written")
    func everyEntry() throws {
        let bad = #"{"messageType": "interrogationRequest", "sequence": 70000, "message": {}}"#
        let result = try pumpwire(["encode"], stdin: "[\(bad), \(interrogation), \(bad)]")
        #expect(result.status == 1)
        #expect(result.out.isEmpty)
        #expect(result.err == """
            pumpwire encode: stdin: $[0].sequence: FIELD_OUT_OF_RANGE (10): 70000 is out of range: the field is an unsigned 16-bit integer, 0 to 65535
            pumpwire encode: stdin: $[2].sequence: FIELD_OUT_OF_RANGE (10): 70000 is out of range: the field is an unsigned 16-bit integer, 0 to 65535

            """)
    }

    @Test("A refused file names the file, and --output is not created")
    func fileNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("encode-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("bad.json")
        try Data(#"{"messageType": "interrogationRequest", "sequence": 1e3, "message": {}}"#.utf8).write(to: input)
        let output = directory.appendingPathComponent("out.hex")
        let result = try pumpwire(["encode", input.path, "--output", output.path])
        #expect(result.status == 1)
        #expect(result.err.hasPrefix("pumpwire encode: \(input.path): $.sequence: 1e3 is not an integer"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("An input that cannot be read or an output that cannot be written: exit 2, no usage text")
    func couldNotDoTheJob() throws {
        let missing = try pumpwire(["encode", "vectors/examples/no-such-file.json"])
        #expect(missing.status == 2)
        #expect(missing.err == "pumpwire encode: vectors/examples/no-such-file.json: no such file\n")
        let directory = try pumpwire(["encode", "vectors/examples"])
        #expect(directory.status == 2)
        #expect(directory.err == "pumpwire encode: vectors/examples: is a directory, not a JSON file\n")
        let unwritable = try pumpwire(["encode", "vectors/examples/acknowledgement.json", "--output", "/no-such-directory/out.hex"])
        #expect(unwritable.status == 2)
        #expect(unwritable.err == "pumpwire encode: cannot write /no-such-directory/out.hex\n")
        for result in [missing, directory, unwritable] {
            #expect(!result.err.contains("Usage"))
            for forbidden in swiftInternals { #expect(!result.err.contains(forbidden), "\(result.err)") }
        }
    }

    @Test("decode --format json | encode gives back every example of vectors/examples")
    func roundTripExamples() throws {
        let folder = packageRoot.appendingPathComponent("vectors/examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".hex") }.sorted()
        #expect(names.count >= 10)
        for name in names {
            let decoded = try pumpwire(["decode", "--file", "vectors/examples/\(name)", "--format", "json"])
            #expect(decoded.status == 0, "\(name)")
            let encoded = try pumpwire(["encode"], stdin: decoded.out)
            #expect(encoded.status == 0, "\(name): \(encoded.err)")
            let expected = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(encoded.out == Hex.encodeLine(expected), "\(name)")
            // The spec's own JSON of the example encodes to the same bytes.
            let json = try pumpwire(["encode", "vectors/examples/" + name.replacingOccurrences(of: ".hex", with: ".json")])
            #expect(json.status == 0, "\(name): \(json.err)")
            #expect(json.out == Hex.encodeLine(expected), "\(name)")
        }
    }

    @Test("A fragmented message without authentication is encoded as its fragments")
    func fragments() throws {
        let result = try pumpwire(["encode"], stdin: try viewText(longPrescription))
        #expect(result.status == 0)
        let frames = StreamDecoder.frames(in: try longPrescription.encodedFrames(sequence: 7))
        #expect(frames.count == 2)
        #expect(result.out == frames.map { Hex.encode($0) + "\n" }.joined())
    }
}
