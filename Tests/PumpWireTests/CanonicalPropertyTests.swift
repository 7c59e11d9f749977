import PumpWire
@testable import PumpWireCore
import Testing

@Suite("Any bytes: a value that re-encodes to the same bytes, or a typed error")
struct CanonicalPropertyTests {
    static let typeCodes: [UInt8] = MessageRegistry.all.map(\.typeCode) + [0x42]

    @Test("Random payloads under every type, with a valid CRC so the payload checks are reached", arguments: typeCodes)
    func randomPayloads(typeCode: UInt8) throws {
        var generator = SplitMix64(seed: UInt64(typeCode) &* 0x9E37_79B9)
        var accepted = 0
        for round in 0..<3000 {
            // Start from a valid payload of this type and damage it, or take plain random bytes.
            var payload: [UInt8]
            if let sample = Samples.allMessages.first(where: { $0.typeCode == typeCode }), round % 2 == 0 {
                payload = try sample.encodedPayload()
                for _ in 0..<Int.random(in: 0...3, using: &generator) where !payload.isEmpty {
                    payload[Int.random(in: 0..<payload.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                if Bool.random(using: &generator) { payload = Array(payload.prefix(Int.random(in: 0...payload.count, using: &generator))) }
            } else {
                payload = (0..<Int.random(in: 0...60, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            let bytes = frameBytes(type: typeCode, sequence: UInt16(round), payload: payload)
            do throws(PumpWireError) {
                let frame = try Frame.decode(bytes)
                accepted += 1
                // Canonical: the one encoding of the value is the input (PW-ENC-5).
                let again = try frame.encoded()
                #expect(again == bytes, "type \(typeCode) round \(round): \(Hex.encode(bytes))")
            } catch {
                #expect(ErrorCode(rawValue: error.code.rawValue) != nil)
                #expect(error.offset >= 0 && error.offset <= bytes.count, "offset \(error.offset) of \(bytes.count)")
            }
        }
        #expect(accepted > 0, "no random input of type \(typeCode) was valid: the generator is too weak")
    }

    @Test("Random streams never stop the stream decoder, and every item lies inside the stream")
    func randomStreams() throws {
        var generator = SplitMix64(seed: 42)
        let frames = try Samples.allMessages.map { try $0.encodedFrames(sequence: 1) }
        for _ in 0..<300 {
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                switch Int.random(in: 0...2, using: &generator) {
                case 0: stream += frames.randomElement(using: &generator)!
                case 1: stream += (0..<Int.random(in: 1...20, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                default:
                    var frame = frames.randomElement(using: &generator)!
                    frame[Int.random(in: 0..<frame.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                    stream += frame.prefix(Int.random(in: 1...frame.count, using: &generator))
                }
            }
            for item in StreamDecoder.decode(stream) {
                #expect(item.streamOffset >= 0 && item.streamOffset + item.length <= stream.count)
            }
        }
    }
}
