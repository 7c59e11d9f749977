import PumpWire
import PumpWireCore

/// JSON views (spec section 12), checked against a library's JSON reading and writing. The valid
/// texts are the spec's own example views; the invalid ones each break one rule.
enum JSONViewCases {
    static func view(_ name: String, _ requirements: [String], _ text: String, encoded: [UInt8]?, comment: String) -> VectorCase {
        var body: [(String, JSONValue)] = [("json", .string(text)), ("result", .string(encoded == nil ? "invalid" : "valid"))]
        if let encoded { body.append(("encoded", V.hex(encoded))) }
        return VectorCase(name, requirements: requirements, kind: "jsonView", comment: comment, body: body)
    }

    static func cases(examples: [ExampleCases.Example]) -> [VectorCase] {
        var cases: [VectorCase] = []
        for example in examples {
            cases.append(view("Required.JSON.Example.\(MessageCases.title(MessageRegistry.typeCode(named: example.name) ?? 0))",
                              ["PW-JSON-1", "PW-JSON-2", "PW-JSON-3"], example.json.text(), encoded: example.bytes,
                              comment: "The spec's JSON view of its worked example encodes to the example's bytes."))
        }
        let rx = examples.first { $0.name == "prescriptionBlock" }!
        // PW-JSON-1: key order does not matter.
        if case .object(let members) = rx.json {
            cases.append(view("Required.JSON.KeysReordered", ["PW-JSON-1"], JSONValue.object(members.reversed()).text(indent: nil),
                              encoded: rx.bytes, comment: "The same view with its keys in reverse order."))
        }
        let text = rx.json.text()
        func breaking(_ label: String, _ requirements: [String], _ old: String, _ new: String, _ comment: String) {
            precondition(text.contains(old), "the example view lacks \(old)")
            cases.append(view("Required.JSON.\(label)", requirements, text.replacingOccurrences(of: old, with: new), encoded: nil, comment: comment))
        }
        breaking("NumberAsFloat", ["PW-JSON-2"], "\"concentrationMicrogramsPerMillilitre\": 2000", "\"concentrationMicrogramsPerMillilitre\": 2000.0",
                 "Numbers are integers.")
        breaking("NumberAsString", ["PW-JSON-2"], "\"concentrationMicrogramsPerMillilitre\": 2000", "\"concentrationMicrogramsPerMillilitre\": \"2000\"",
                 "Numbers are JSON numbers.")
        breaking("NumberWithExponent", ["PW-JSON-2"], "\"maxDailyDoseNanograms\": 1000000", "\"maxDailyDoseNanograms\": 1e6",
                 "Digits only: no exponent.")
        breaking("EnumerationAsNumber", ["PW-JSON-3"], "\"drug\": \"morphine\"", "\"drug\": 1", "Enumerations are names.")
        breaking("EnumerationUnknownName", ["PW-JSON-3"], "\"drug\": \"morphine\"", "\"drug\": \"Morphine\"", "Names are exact.")
        breaking("MissingField", ["PW-JSON-1"], "\"catheterVolumeMicrolitres\": 150,", "", "Every field of the layout is present.")
        breaking("UnknownMessageType", ["PW-JSON-3"], "\"messageType\": \"prescriptionBlock\"", "\"messageType\": \"prescription\"",
                 "messageType is a registry name, or unknown.")
        breaking("TypeCodeDisagrees", ["PW-JSON-3"], "\"typeCode\": 2", "\"typeCode\": 3", "typeCode agrees with messageType.")

        let ack = examples.first { $0.name == "acknowledgement" }!.json.text()
        cases.append(view("Required.JSON.DigestAsHex", ["PW-JSON-2"],
                          ack.replacingOccurrences(of: "\"digest\": 3085085398", with: "\"digest\": \"0xb7e2aad6\""), encoded: nil,
                          comment: "Digests are integers like every number."))
        let status = examples.first { $0.name == "pumpStatus" }!.json.text()
        cases.append(view("Required.JSON.TextNotASCII", ["PW-JSON-3", "PW-ENC-8"],
                          status.replacingOccurrences(of: "\"model\": \"SynchroFlow 40\"", with: "\"model\": \"SynchroFlöw 40\""), encoded: nil,
                          comment: "Text is printable ASCII, in JSON as on the wire."))
        cases.append(view("Required.JSON.UnknownWithRegisteredCode", ["PW-JSON-3", "PW-FRAME-8"],
                          #"{"messageType": "unknown", "typeCode": 2, "sequence": 1, "authentication": null, "message": {"payload": "00"}}"#,
                          encoded: nil, comment: "A registered code is shown under its name, never as unknown."))
        cases.append(view("Required.JSON.Unknown", ["PW-JSON-3", "PW-FRAME-8"],
                          #"{"messageType": "unknown", "typeCode": 66, "sequence": 9, "authentication": null, "message": {"payload": "dead"}}"#,
                          encoded: V.frame(type: 0x42, sequence: 9, payload: [0xDE, 0xAD]), comment: "An unregistered type and its payload in hex."))

        // PW-JSON-4 and PW-JSON-5: fragments and reassembled messages.
        let long = Message.prescriptionBlock(DeclaredMessages.prescription(steps: 48))
        let parts = FragmentCases.frames(long, sequence: 7)
        if let first = try? Frame.decode(parts[0]) {
            cases.append(view("Required.JSON.FragmentFrame", ["PW-JSON-4"], V.view(first).text(), encoded: parts[0],
                              comment: "A fragment frame is shown with its fragment header and data, and no message."))
            if case .object(let members) = V.view(first) {
                let withoutData = members.map { key, value -> (String, JSONValue) in
                    guard key == "fragment", case .object(let fields) = value else { return (key, value) }
                    return (key, .object(fields.filter { $0.0 != "data" }))
                }
                cases.append(view("Required.JSON.FragmentWithoutData", ["PW-JSON-4"], JSONValue.object(withoutData).text(), encoded: nil,
                                  comment: "A fragment's view carries its data."))
            }
        }
        cases.append(view("Required.JSON.ReassembledMessage", ["PW-JSON-5"], V.view(Frame(sequence: 7, message: long)).text(),
                          encoded: parts.flatMap { $0 }, comment: "A reassembled message is shown as one frame; it encodes to its fragments."))
        var longWithBlock = V.view(Frame(sequence: 7, message: long))
        if case .object(let members) = longWithBlock {
            longWithBlock = .object(members.map { $0.0 == "authentication"
                ? ($0.0, .object([("freshnessCounter", .integer(1)), ("tag", .string(String(repeating: "00", count: 16)))])) : $0 })
        }
        cases.append(view("Required.JSON.ReassembledWithAuthentication", ["PW-JSON-5", "PW-AUTH-3"], longWithBlock.text(), encoded: nil,
                          comment: "A message with an authentication block is sealed: a view with a block and a message is refused."))
        let tag = try! BoundedArray<16, UInt8>([UInt8](repeating: 0xAB, count: 16))
        let authenticated = Frame(sequence: 2, authentication: AuthenticationBlock(freshnessCounter: 7, tag: tag),
                                  content: .sealed(SealedPayload(typeCode: 0x01, ciphertext: try! BoundedArray([0x5A, 0x00, 0xC3]))))
        cases.append(view("Required.JSON.AuthenticationBlock", ["PW-JSON-3", "PW-AUTH-3"], V.view(authenticated).text(),
                          encoded: (try? authenticated.encoded()) ?? [],
                          comment: "A sealed frame: the block (its counter, its tag in hex) and the ciphertext in hex, no message."))
        cases.append(view("Required.JSON.AuthenticationTagShort", ["PW-JSON-3", "PW-AUTH-3"],
                          V.view(authenticated).text().replacingOccurrences(of: String(repeating: "ab", count: 16), with: String(repeating: "ab", count: 15)),
                          encoded: nil, comment: "The tag is 16 bytes."))
        let sealedFragment = Frame(sequence: 4, authentication: AuthenticationBlock(freshnessCounter: 7, tag: tag),
                                   content: .sealed(SealedPayload(typeCode: 0x42, fragment: FragmentHeader(index: 1, count: 2, totalLength: 241),
                                                                  ciphertext: try! BoundedArray([0x01, 0x02, 0x03, 0x04, 0x05]))))
        cases.append(view("Required.JSON.SealedFragment", ["PW-AUTH-3"], V.view(sealedFragment).text(),
                          encoded: (try? sealedFragment.encoded()) ?? [],
                          comment: "A sealed fragment: its fragment header without data, the ciphertext in hex."))
        var unsealed = V.view(authenticated)
        if case .object(let members) = unsealed {
            unsealed = .object(members.map { $0.0 == "authentication" ? ($0.0, .null) : $0 })
        }
        cases.append(view("Required.JSON.SealedWithoutBlock", ["PW-AUTH-3"], unsealed.text(), encoded: nil,
                          comment: "A sealed frame has its authentication block."))
        return cases
    }
}
