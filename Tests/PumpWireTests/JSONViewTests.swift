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

    @Test("JSON that names no registered message, or a wrong type code, is refused")
    func refused() {
        let decoder = JSONDecoder()
        for text in [
            #"{"messageType": "bolus", "sequence": 1, "message": {}}"#,
            #"{"messageType": "acknowledgement", "typeCode": 3, "sequence": 1, "message": {"acknowledgedType": 2, "digest": 0}}"#,
            #"{"messageType": "prescriptionBlock", "sequence": 1, "message": {"drug": "aspirin"}}"#,
            #"{"messageType": "pumpStatus", "sequence": 1, "message": {"model": "é"}}"#,
        ] {
            #expect(throws: DecodingError.self, "\(text)") { try decoder.decode(Frame.self, from: Data(text.utf8)) }
        }
    }

    @Test("Text is escaped as JSON requires")
    func escaping() {
        #expect(JSONValue.string("a\"b\\c\u{1}").text() == #""a\"b\\c\u0001""#)
    }
}
