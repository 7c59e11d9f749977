import PumpWire
import PumpWireConformance
@testable import PumpWireCore
import Testing

extension FieldCase: CustomTestStringConvertible {
    public var testDescription: String { name }
}

@Suite("Every ranged field at its minimum, its maximum, and one past each")
struct FieldRangeTests {
    @Test("Decoder and encoder agree with the spec's range", arguments: RangeCases.all)
    func boundary(_ field: FieldCase) throws {
        let payload = rawPayload(field.message)
        let decoded = caught { () throws(PumpWireError) in try Message.decode(typeCode: field.message.typeCode, payload: payload) }
        let encoded = caught { () throws(PumpWireError) in try field.message.encodedPayload() }
        #expect(decoded == field.expected, "decoder")
        // PW-ENC-5: the encoder refuses exactly what the decoder rejects, with the same error.
        #expect(encoded == field.expected, "encoder")
        if field.expected == nil {
            #expect(try Message.decode(typeCode: field.message.typeCode, payload: payload) == field.message)
        }
    }

    @Test("There are boundary cases for every message family")
    func coverage() {
        let families = Set(RangeCases.all.map { $0.message.typeCode })
        for code: UInt8 in [0x02, 0x03, 0x04, 0x84, 0x81, 0x05, 0x85, 0xF0, 0xF1] {
            #expect(families.contains(code), "type \(code)")
        }
    }
}

private func rawPayload(_ message: Message) -> [UInt8] {
    switch message {
    case .interrogationRequest(let m): PumpWireTests.rawPayload(m)
    case .pumpStatus(let m): PumpWireTests.rawPayload(m)
    case .prescriptionBlock(let m): PumpWireTests.rawPayload(m)
    case .bolusSchedule(let m): PumpWireTests.rawPayload(m)
    case .refillConfirmation(let m): PumpWireTests.rawPayload(m)
    case .refillReceipt(let m): PumpWireTests.rawPayload(m)
    case .memoryDumpRequest(let m): PumpWireTests.rawPayload(m)
    case .memoryDumpChunk(let m): PumpWireTests.rawPayload(m)
    case .acknowledgement(let m): PumpWireTests.rawPayload(m)
    case .negativeAcknowledgement(let m): PumpWireTests.rawPayload(m)
    case .unknown(let m): m.payload.bytes
    }
}
