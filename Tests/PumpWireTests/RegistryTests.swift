import PumpWire
@testable import PumpWireCore
import Testing

@Suite("Message registry (spec section 8)")
struct RegistryTests {
    @Test("A code has a registry entry exactly when a message type decodes it")
    func everyTypeRegistered() {
        for raw in 0...255 {
            let code = UInt8(raw)
            let decoded = caught { () throws(PumpWireError) -> Message in
                try Message.decode(typeCode: code, payload: [])
            }
            var isUnknown = false
            if decoded == nil, case .unknown = try! Message.decode(typeCode: code, payload: []) { isUnknown = true }
            #expect((MessageRegistry.descriptor(for: code) != nil) == !isUnknown, "type code \(code)")
        }
        #expect(MessageRegistry.all.count == MessageRegistry.count)
    }

    @Test("Every message value's type is registered, under its JSON name", arguments: Samples.allMessages)
    func messageTypes(message: Message) {
        if case .unknown = message {
            #expect(MessageRegistry.descriptor(for: message.typeCode) == nil)
        } else {
            #expect(MessageRegistry.descriptor(for: message.typeCode) != nil)
        }
    }

    @Test("Requests are answered by registered responses, and only requests change delivery")
    func pairs() {
        for descriptor in MessageRegistry.all {
            #expect(descriptor.minimumVersion == 1)
            switch descriptor.direction {
            case .programmerToPump:
                #expect(descriptor.isAnswered(by: NegativeAcknowledgement.typeCode))
                for response in [descriptor.responseTypes.0, descriptor.responseTypes.1] {
                    #expect(MessageRegistry.descriptor(for: response)?.direction == .pumpToProgrammer)
                }
            case .pumpToProgrammer:
                #expect(descriptor.responseTypes == (0, 0))
                #expect(!descriptor.changesDelivery)
            }
        }
        #expect(MessageRegistry.descriptor(for: 0x02)!.isAnswered(by: Acknowledgement.typeCode))
        #expect(!MessageRegistry.descriptor(for: 0x02)!.isAnswered(by: PumpStatus.typeCode))
        let changing = MessageRegistry.all.filter(\.changesDelivery).map(\.typeCode)
        #expect(changing == [0x02, 0x03, 0x04])
    }

    @Test("The registry table of the spec lists the same codes, names and directions")
    func matchesSpec() throws {
        let spec = try String(contentsOf: packageRoot.appendingPathComponent("spec/pumpwire-v1.md"), encoding: .utf8)
        var rows = 0, layerRows = 0
        // Section 8's first table is the codec's; the second, after this sentence, the security layer's.
        let parts = spec.components(separatedBy: "The security layer (`security.md`) holds these codes")
        try #require(parts.count == 2)
        let layer: [UInt8: (String, Bool)] = [
            PatientBolusRequest.typeCode: ("patientBolusRequest", true), HandshakeRequest.typeCode: ("handshakeRequest", true),
            HandshakeFinish.typeCode: ("handshakeFinish", true), DeviceEnrollment.typeCode: ("deviceEnrollment", true),
            DeviceRevocation.typeCode: ("deviceRevocation", true), SessionClose.typeCode: ("sessionClose", true),
            HandshakeResponse.typeCode: ("handshakeResponse", false),
        ]
        for line in parts[1].prefix(while: { _ in true }).split(separator: "\n").prefix(while: { !$0.hasPrefix("Every other code") })
        where line.hasPrefix("| `0x") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "") }
            let code = try #require(UInt8(cells[0].dropFirst(2), radix: 16))
            layerRows += 1
            #expect(layer[code]?.0 == cells[1], "0x\(cells[0])")
            #expect(layer[code]?.1 == (cells[2] == "P→I"), "0x\(cells[0])")
            #expect(MessageRegistry.descriptor(for: code) == nil, "0x\(cells[0]) is the layer's, not the codec's")
        }
        #expect(layerRows == layer.count)
        for line in parts[0].split(separator: "\n") where line.hasPrefix("| `0x") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "") }
            guard let code = UInt8(cells[0].dropFirst(2), radix: 16) else { continue }
            rows += 1
            let descriptor = MessageRegistry.descriptor(for: code)
            #expect(descriptor?.name.description == cells[1], "0x\(cells[0])")
            #expect((descriptor?.direction == .programmerToPump) == (cells[2] == "P→I"), "0x\(cells[0])")
            #expect(descriptor?.changesDelivery == (cells[5] == "yes"), "0x\(cells[0])")
        }
        #expect(rows == MessageRegistry.count)
    }
}
