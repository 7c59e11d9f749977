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
        var rows = 0
        for line in spec.split(separator: "\n") where line.hasPrefix("| `0x") {
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
