import PumpWire
@testable import PumpWireCore
import Testing

@Suite("Byte streams: resynchronisation (spec 4.3)")
struct StreamTests {
    let status = try! Message.pumpStatus(Samples.pumpStatus).encodedFrames(sequence: 1)
    let rx = try! Message.prescriptionBlock(Samples.prescription).encodedFrames(sequence: 2)

    func summary(_ bytes: [UInt8]) -> [String] {
        StreamDecoder.decode(bytes).map { item in
            switch item.kind {
            case .frame(let frame): "frame@\(item.streamOffset):\(MessageRegistry.name(of: frame.typeCode))"
            case .reassembled(let frame): "message@\(item.streamOffset):\(MessageRegistry.name(of: frame.typeCode))"
            case .rejected(let error, _): "\(error.code.specName)@\(item.streamOffset)+\(error.offset)"
            }
        }
    }

    @Test("Noise before, between and after frames is one BAD_SYNC per run (PW-FRAME-11)")
    func noise() {
        let bytes = [0x00, 0x01] + status + [0xFF, 0xA5, 0x00] + rx + [0x7E]
        #expect(summary(bytes) == [
            "BAD_SYNC@0+0", "frame@2:pumpStatus", "BAD_SYNC@\(2 + status.count)+0",
            "frame@\(5 + status.count):prescriptionBlock", "BAD_SYNC@\(5 + status.count + rx.count)+0",
        ])
    }

    @Test("A corrupted frame is reported and the next frame is still read (PW-FRAME-10)")
    func corruptedFrame() {
        var bad = rx
        bad[20] ^= 0x40
        #expect(summary(status + bad + status) == [
            "frame@0:pumpStatus", "BAD_CRC@\(status.count)+\(rx.count - 2)", "frame@\(status.count + rx.count):pumpStatus",
        ])
    }

    @Test("A length field that claims too much does not hide the frames after it")
    func lyingLength() {
        var bad = status
        bad[7] = 0xF0  // 240 bytes claimed: runs past the end of the stream
        #expect(summary(bad + rx) == ["TRUNCATED@0+\(bad.count + rx.count)", "frame@\(bad.count):prescriptionBlock"])
    }

    @Test("A frame whose payload is rejected is followed by a resync inside it, like any rejected frame (4.3 step 3)")
    func payloadErrorResyncs() throws {
        // An interrogation with a payload byte, one byte of noise, a valid interrogation.
        #expect(summary(try Hex.decode("a5c301010001000100008c51 00 a5c301010001000000a13f")) == [
            "LENGTH_MISMATCH@0+9", "frame@13:interrogationRequest",
        ])
        // An acknowledgement of type 4 whose payload holds a sync word: the reader looks there too.
        #expect(summary(try Hex.decode("a5c301f0000200050004a5c30101c5c8")) == [
            "FIELD_OUT_OF_RANGE@0+9", "TRUNCATED@10+6",
        ])
    }

    @Test("A frame cut off by the end of the stream is TRUNCATED")
    func cutOff() {
        #expect(summary(status + rx.prefix(20)) == ["frame@0:pumpStatus", "TRUNCATED@\(status.count)+20"])
        #expect(summary(status + [0xA5]) == ["frame@0:pumpStatus", "TRUNCATED@\(status.count)+1"])
    }

    @Test("Fragments are reassembled in the stream; an interleaved message abandons the first (spec 5.4)")
    func fragmentsInAStream() throws {
        let long = try Message.prescriptionBlock(Samples.prescription(steps: 48)).encodedFrames(sequence: 5)
        let parts = splitFrames(long)
        #expect(summary(parts[1] + status + parts[0]) == [
            "frame@0:prescriptionBlock", "frame@\(parts[1].count):pumpStatus",
            "frame@\(parts[1].count + status.count):prescriptionBlock", "message@0:prescriptionBlock",
        ])
        let other = splitFrames(try Message.prescriptionBlock(Samples.prescription(steps: 40)).encodedFrames(sequence: 6))
        #expect(summary(parts[0] + other[0] + other[1]) == [
            "frame@0:prescriptionBlock", "frame@\(parts[0].count):prescriptionBlock", "FRAGMENT_MISSING@0+236",
            "frame@\(parts[0].count + other[0].count):prescriptionBlock", "message@\(parts[0].count):prescriptionBlock",
        ])
        #expect(summary(parts[0]) == ["frame@0:prescriptionBlock", "FRAGMENT_MISSING@0+236"])
    }
}
