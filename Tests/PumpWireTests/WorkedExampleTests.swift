import Foundation
import PumpWire
import PumpWireCore
import Testing

/// A worked example of spec section 9: its annotated hex and the JSON view the spec states.
struct WorkedExample: CustomTestStringConvertible, Sendable {
    var name: String
    var hexBlock: String
    var json: String
    var testDescription: String { name }

    static let spec: String = (try? String(contentsOf: packageRoot.appendingPathComponent("spec/pumpwire-v1.md"), encoding: .utf8)) ?? ""

    /// Every ```pumpwire-hex NAME block of the spec, with the ```json NAME block of the same name.
    static let all: [WorkedExample] = {
        func blocks(_ info: String) -> [String: String] {
            var found: [String: String] = [:]
            let parts = spec.components(separatedBy: "```\(info) ")
            for part in parts.dropFirst() {
                guard let newline = part.firstIndex(of: "\n"), let end = part.range(of: "\n```") else { continue }
                found[String(part[..<newline])] = String(part[part.index(after: newline)..<end.lowerBound]) + "\n"
            }
            return found
        }
        let hex = blocks("pumpwire-hex")
        let json = blocks("json")
        return hex.keys.sorted().map { WorkedExample(name: $0, hexBlock: hex[$0]!, json: json[$0] ?? "") }
    }()

    var bytes: [UInt8] { (try? Hex.decode(hexBlock)) ?? [] }
}

@Suite("The worked examples of the spec decode to the values the spec states")
struct WorkedExampleTests {
    @Test("There is a worked example, with its JSON, for every registered message")
    func everyMessageHasAnExample() {
        let names = Set(WorkedExample.all.map(\.name))
        for descriptor in MessageRegistry.all {
            #expect(names.contains(descriptor.name.description), "\(descriptor.name)")
        }
        #expect(WorkedExample.all.allSatisfy { !$0.json.isEmpty })
    }

    @Test("Decodes to the stated JSON view and re-encodes byte for byte", arguments: WorkedExample.all)
    func decodes(example: WorkedExample) throws {
        let frame = try Frame.decode(example.bytes)
        #expect(MessageRegistry.name(of: frame.typeCode) == example.name)
        let ours = try JSONSerialization.jsonObject(with: Data(try PumpWireJSON.view(of: frame).text().utf8)) as! NSDictionary
        let stated = try JSONSerialization.jsonObject(with: Data(example.json.utf8)) as! NSDictionary
        #expect(ours == stated)
        // The spec's JSON decodes back to the same frame, and encodes to the spec's bytes.
        let fromJSON = try JSONDecoder().decode(Frame.self, from: Data(example.json.utf8))
        #expect(fromJSON == frame)
        #expect(try fromJSON.encoded() == example.bytes)
    }

    @Test("vectors/examples holds the spec's examples unchanged", arguments: WorkedExample.all)
    func shippedCopies(example: WorkedExample) throws {
        let directory = packageRoot.appendingPathComponent("vectors/examples")
        let hex = try String(contentsOf: directory.appendingPathComponent("\(example.name).hex"), encoding: .utf8)
        #expect(try Hex.decode(hex) == example.bytes)
        #expect(hex.hasSuffix(example.hexBlock))
        let json = try String(contentsOf: directory.appendingPathComponent("\(example.name).json"), encoding: .utf8)
        #expect(json == example.json)
    }

    @Test("The digests and the alarm time in the examples agree with one another (PW-CRC-3, D5)")
    func crossReferences() throws {
        var examples: [String: Frame] = [:]
        for example in WorkedExample.all { examples[example.name] = try Frame.decode(example.bytes) }
        guard case .message(let rx) = examples["prescriptionBlock"]?.content,
              case .message(.acknowledgement(let ack)) = examples["acknowledgement"]?.content,
              case .message(.pumpStatus(let status)) = examples["pumpStatus"]?.content,
              case .message(let refillMessage) = examples["refillConfirmation"]?.content,
              case .message(.refillConfirmation(let refill)) = examples["refillConfirmation"]?.content,
              case .message(.refillReceipt(let receipt)) = examples["refillReceipt"]?.content,
              case .message(.prescriptionBlock(let prescription)) = examples["prescriptionBlock"]?.content,
              case .message(.memoryDumpChunk(let chunk)) = examples["memoryDumpChunk"]?.content
        else {
            Issue.record("an example is missing")
            return
        }
        #expect(ack.digest == (try rx.digest()))
        #expect(ack.digest == 0xB7E2_AAD6)
        #expect(status.prescriptionDigest == ack.digest)
        #expect(receipt.confirmationDigest == (try refillMessage.digest()))
        #expect(receipt.lowReservoirAlarmTime == prescription.lowReservoirAlarmTime(after: refill))
        #expect(chunk.imageCrc32 == ZlibCRC32.checksum(chunk.data.bytes))
    }
}
