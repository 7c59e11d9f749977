import Foundation
import PumpWire
import PumpWireCore
import Testing

@Suite("JSON views (spec section 12)")
struct JSONViewTests {
    @Test("Every message's JSON view decodes back to the same frame", arguments: Samples.allMessages)
    func roundTrip(message: Message) throws {
        let frame = Frame(sequence: 77, message: message)
        let text = try PumpWireJSON.view(of: frame).text()
        #expect(try JSONDecoder().decode(Frame.self, from: Data(text.utf8)) == frame)
        #expect(try PumpWireJSON.frames(from: text) == [frame])
    }

    @Test("Field names carry their units, enumerations are names, bytes are hex, numbers are integers")
    func shape() throws {
        let view = try PumpWireJSON.view(of: Frame(sequence: 2, message: .prescriptionBlock(Samples.prescription)))
        #expect(view["messageType"] == .string("prescriptionBlock"))
        #expect(view["typeCode"] == .integer(2))
        #expect(view["authentication"] == .null)
        #expect(view["message"]?["drug"] == .string("morphine"))
        #expect(view["message"]?["concentrationMicrogramsPerMillilitre"] == .integer(2000))
        let chunk = try PumpWireJSON.view(of: Frame(sequence: 5, message: .memoryDumpChunk(Samples.dumpChunk)))
        #expect(chunk["message"]?["data"] == .string("0102030405"))
        #expect(chunk["message"]?["encoding"] == .string("raw"))
        var status = Samples.pumpStatus
        status.activeAlarms = ActiveAlarms(rawValue: 0x81)
        let statusView = try PumpWireJSON.view(of: Frame(sequence: 1, message: .pumpStatus(status)))
        #expect(statusView["message"]?["activeAlarms"] == .array([.string("lowReservoir"), .string("pumpReset")]))
    }

    @Test("JSON that names no registered message, or a wrong type code, is refused with its path")
    func refused() {
        for (text, expected) in [
            (#"{"messageType": "bolus", "sequence": 1, "message": {}}"#,
             #"$.messageType: "bolus" is not a message of the registry (use "unknown" with a typeCode)"#),
            (#"{"messageType": "acknowledgement", "typeCode": 3, "sequence": 1, "message": {"acknowledgedType": 2, "digest": 0}}"#,
             "$.typeCode: acknowledgement has type code 240, not 3"),
            (#"{"messageType": "unknown", "typeCode": 2, "sequence": 1, "message": {"payload": ""}}"#,
             #"$.messageType: type code 2 is registered: use "messageType": "prescriptionBlock""#),
            (#"{"messageType": "unknown", "sequence": 1, "message": {"payload": ""}}"#,
             #"$: missing key "typeCode" (a message of type "unknown" needs its type code)"#),
            (#"[{"messageType": "prescriptionBlock", "sequence": 1, "message": {"drug": "aspirin"}}]"#,
             #"$[0].message.drug: unknown name "aspirin""#),
            (#"{"messageType": "pumpStatus", "sequence": 1, "message": {"model": "é"}}"#,
             #"$.message.model: INVALID_TEXT (12): "é": byte 1 of the text is not printable ASCII (0x20 to 0x7e)"#),
            (#"{"messageType": "interrogationRequest", "sequence": 1, "message": {}, "fragment": {}}"#,
             #"$: a frame has one of "message", "fragment" and "sealed""#),
            (#"{"messageType": "acknowledgement", "sequence": 1, "authentication": {"freshnessCounter": 1, "tag": "00"}, "message": {}}"#,
             "$.authentication.tag: the tag is 16 bytes (32 hex digits), not 1"),
            (#"{"messageType": "memoryDumpChunk", "sequence": 1, "message": {"region": "eventLog", "encoding": "raw", "chunkIndex": 0, "chunkCount": 1, "regionOffset": 0, "imageLength": 1, "imageCrc32": 0, "dataOffset": 0, "data": "0A"}}"#,
             #"$.message.data: "0A" is not lowercase hex, two digits a byte"#),
            (#"{"messageType": "negativeAcknowledgement", "sequence": 1, "message": {"rejectedType": 2, "errorCode": 10, "errorName": "BAD_CRC", "errorOffset": 9}}"#,
             #"$.message.errorName: "BAD_CRC" is not the name of error code 10 (FIELD_OUT_OF_RANGE)"#),
            (#"{"messageType": "negativeAcknowledgement", "sequence": 1, "message": {"rejectedType": 2, "errorCode": 20, "errorOffset": 9}}"#,
             "$.message.errorCode: FIELD_OUT_OF_RANGE (10) at offset 10: 20 is not an error code of spec section 10"),
        ] {
            #expect(throws: (any Error).self, "\(text)") { try PumpWireJSON.frames(from: text) }
            do { _ = try PumpWireJSON.frames(from: text) } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
            }
        }
    }

    @Test("Bit sets are names in bit order, each once")
    func alarmOrder() throws {
        for (alarms, expected) in [
            (JSONValue.array([.string("pumpReset"), .string("lowReservoir")]), #"$.message.activeAlarms[1]: "lowReservoir" is repeated or out of bit order"#),
            (.array([.string("lowReservoir"), .string("lowReservoir")]), #"$.message.activeAlarms[1]: "lowReservoir" is repeated or out of bit order"#),
            (.array([.string("fire")]), #"$.message.activeAlarms[0]: unknown name "fire""#),
        ] {
            let text = try viewText(.pumpStatus(Samples.pumpStatus)) { $0.set(["message", "activeAlarms"], to: alarms) }
            #expect(throws: JSONViewError.self) { try PumpWireJSON.frames(from: text) }
            do { _ = try PumpWireJSON.frames(from: text) } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
            }
        }
    }

    @Test("Duplicate keys are refused by the parser, with the path of the object")
    func duplicateKeys() throws {
        #expect(throws: JSONParseError(offset: 9, message: #"duplicate key "a""#, path: "$[0]", duplicateKey: "a")) {
            try JSONValue.parse(#"[{"a":1, "a":2}]"#)
        }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(#"{"a":{"b":1,"b":1}}"#) }
        #expect(try JSONValue.parse(#"{"a":{"b":1},"b":{"a":1}}"#)["b"]?["a"] == .integer(1))
    }

    @Test("Any JSON number is read; one that is not an integer of 64 bits is refused by JSONValue")
    func numbers() throws {
        #expect(try JSONValue.parse("[0, -0, 9223372036854775807, -9223372036854775808]") == .array([.integer(0), .integer(0), .integer(Int64.max), .integer(Int64.min)]))
        for text in ["1e3", "1.5", "-1E-2", "18446744073709551616"] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue.parse(text) }
        }
        for text in ["01", "-", "1.", ".5", "+1", "1e", "0x10", "NaN", "[1,]", "{\"a\":1,}", "\"\\x\""] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue.parse(text) }
        }
        #expect(try JSONValue.parse(#""\ud83d\ude00 \u00e9""#) == .string("\u{1F600} \u{E9}"))
    }

    @Test("PW-AUTH-3: a view with a block is sealed; a message with a block is refused, the core encoder refuses to fragment one")
    func authenticatedFragments() throws {
        let message = Message.prescriptionBlock(Samples.prescription(steps: 40))
        // The core encoder's own answer.
        var buffer = [UInt8](repeating: 0, count: 1024)
        var coreError: PumpWireError?
        buffer.withUnsafeMutableBytes { raw in
            do throws(PumpWireError) {
                try FrameEncoder.encode(message, sequence: 7, authentication: authenticationBlock, into: raw)
            } catch { coreError = error }
        }
        #expect(coreError == PumpWireError(.nonCanonical, at: 4))
        let result = PumpWireJSON.encode(json: Array(try viewText(message, authentication: authenticationBlock).utf8))
        #expect(result.frames.isEmpty)
        #expect(result.problems.map(\.code) == [nil])
        #expect(result.problems.first?.path == "$.authentication")
        // Without the block the same message is encoded as its fragments.
        let plain = PumpWireJSON.encode(json: Array(try viewText(message).utf8))
        #expect(plain.problems.isEmpty)
        #expect(plain.frames.flatMap { $0 } == (try message.encodedFrames(sequence: 7)))
        #expect(plain.frames.count == 2)
        // A sealed frame's view encodes to the sealed frame, and decodes back to the same view.
        let sealed = Frame(sequence: 7, authentication: authenticationBlock,
                           content: .sealed(SealedPayload(typeCode: 0xF0, ciphertext: try BoundedArray([1, 2, 3]))))
        let bytes = try sealed.encoded()
        let view = try PumpWireJSON.view(of: sealed)
        let back = PumpWireJSON.encode(json: Array(view.text().utf8))
        #expect(back.problems.isEmpty)
        #expect(back.frames == [bytes])
        #expect(try Frame.decode(bytes) == sealed)
    }

    @Test("A refusal of the core encoder names the field at its offset", arguments: [
        (["message", "concentrationMicrogramsPerMillilitre"], JSONValue.integer(0), "$.message.concentrationMicrogramsPerMillilitre", ErrorCode.fieldOutOfRange, 11),
        // The path is the field at the encoder's offset, not the value changed.
        (["message", "reservoirCapacityMicrolitres"], .integer(1000), "$.message.lowReservoirThresholdMicrolitres", .thresholdNotBelowCapacity, 19),
        (["message", "steps", 0, "startMinute"], .integer(5), "$.message.steps[0].startMinute", .dayProfileGap, 30),
        (["message", "steps", 2, "doseRateNanogramsPerDay"], .integer(0), "$.message.steps[2].doseRateNanogramsPerDay", .fieldOutOfRange, 44),
        // An empty list has no value to change: the count's field is named by its message.
        (["message", "steps"], .array([]), "$.message", .fieldOutOfRange, 29),
        (["message", "steps"], .array([.object([("startMinute", .integer(0)), ("doseRateNanogramsPerDay", .integer(1))])]), "$.message.steps", .modeProfileMismatch, 29),
    ] as [([any Sendable], JSONValue, String, ErrorCode, Int)])
    func refusalPath(change: [any Sendable], value: JSONValue, path: String, code: ErrorCode, offset: Int) throws {
        let text = try viewText(.prescriptionBlock(Samples.prescription)) { $0.set(change, to: value) }
        let result = PumpWireJSON.encode(json: Array(text.utf8))
        #expect(result.frames.isEmpty)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.path == path)
        #expect(result.problems.first?.code == code)
        #expect(result.problems.first?.offset == offset)
        // The same code and offset as the core encoder of the value read.
        let frame = try JSONDecoder().decode(Frame.self, from: Data(text.utf8))
        #expect(throws: PumpWireError(code, at: offset)) { try frame.encoded() }
    }

    @Test("decode's array: its annotations are allowed, its rejections and reassembled copies skipped, and checked")
    func decodeAnnotations() throws {
        let frame = try viewText(.acknowledgement(Samples.acknowledgement))
        let annotated = "[{\"streamOffset\": 0, \"packet\": 1, " + frame.dropFirst()
            + ", {\"streamOffset\": 16, \"error\": {\"code\": 7}}, {\"reassembled\": true, " + frame.dropFirst() + "]"
        #expect(try PumpWireJSON.frames(from: annotated).count == 1)
        for (text, expected) in [
            ("[{\"streamOffset\": \"0\", " + frame.dropFirst() + "]", "$[0].streamOffset: expected a count"),
            ("[{\"reassembled\": 1, " + frame.dropFirst() + "]", "$[0].reassembled: expected true or false, found an integer"),
            ("[{\"error\": {}, " + frame.dropFirst() + "]", #"$[0]: unexpected key "messageType" in a rejection's entry"#),
        ] {
            #expect(throws: JSONViewError.self) { try PumpWireJSON.frames(from: text) }
            do { _ = try PumpWireJSON.frames(from: text) } catch { #expect(error.description.hasPrefix(expected), "\(error.description)") }
        }
    }

    @Test("No message of the reader shows the implementation's names")
    func noInternals() {
        for input in badInputs {
            let result = PumpWireJSON.encode(json: Array(input.json.utf8))
            #expect(result.problems.count == 1, "\(input.name)")
            for problem in result.problems {
                #expect(problem.description == input.expected || problem.description.hasPrefix(input.expected), "\(input.name): \(problem)")
                for forbidden in swiftInternals { #expect(!problem.description.contains(forbidden), "\(problem)") }
            }
        }
    }

    @Test("Text is escaped as JSON requires")
    func escaping() {
        #expect(JSONValue.string("a\"b\\c\u{1}").text() == #""a\"b\\c\u0001""#)
    }
}

@Suite("Reading a view back: null and signs (spec section 12, PW-JSON-2)")
struct JSONViewNullAndSignTests {
    @Test("null is a value only for authentication; elsewhere it is a wrong type")
    func nullOnlyForAuthentication() {
        let accepted = PumpWireJSON.encode(json: Array(#"{"messageType": "interrogationRequest", "sequence": 1, "authentication": null, "message": {}}"#.utf8))
        #expect(accepted.problems.isEmpty)
        let typeCode = PumpWireJSON.encode(json: Array(#"{"messageType": "interrogationRequest", "typeCode": null, "sequence": 1, "message": {}}"#.utf8))
        #expect(typeCode.problems.first?.path == "$.typeCode")
        let name = PumpWireJSON.encode(json: Array(#"{"messageType": "negativeAcknowledgement", "sequence": 1, "message": {"rejectedType": 2, "errorCode": 7, "errorName": null, "errorOffset": 9}}"#.utf8))
        #expect(name.problems.first?.path == "$.message.errorName")
    }

    @Test("-0 has a sign: refused for an unsigned field")
    func minusZero() {
        let result = PumpWireJSON.encode(json: Array(#"{"messageType": "interrogationRequest", "sequence": -0, "message": {}}"#.utf8))
        #expect(result.problems.first?.path == "$.sequence")
        #expect(result.problems.first?.code == .fieldOutOfRange)
    }
}
