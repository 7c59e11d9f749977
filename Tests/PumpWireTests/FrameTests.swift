import PumpWire
@testable import PumpWireCore
import Testing

@Suite("Frame checks, in the order of spec 4.2")
struct FrameTests {
    let interrogation = frameBytes(type: 0x01, payload: [])

    @Test("A valid frame decodes; the spec's 11-byte interrogation")
    func validFrame() throws {
        #expect(Hex.encode(interrogation) == "a5c301010001000000a13f")
        let frame = try Frame.decode(interrogation)
        #expect(frame == Frame(sequence: 1, message: .interrogationRequest(InterrogationRequest())))
    }

    @Test("PW-FRAME-1: sync, on the bytes present")
    func badSync() {
        #expect(decodeFrame([0x00]) == PumpWireError(.badSync, at: 0))
        #expect(decodeFrame([0xA5, 0x00]) == PumpWireError(.badSync, at: 0))
        #expect(decodeFrame([0xC3, 0xA5] + interrogation.dropFirst(2)) == PumpWireError(.badSync, at: 0))
    }

    @Test("PW-FRAME-2: an incomplete header is TRUNCATED at the bytes present", arguments: 0...8)
    func truncatedHeader(length: Int) {
        #expect(decodeFrame(Array(interrogation.prefix(length))) == PumpWireError(.truncated, at: length))
    }

    @Test("PW-FRAME-2: an incomplete frame is TRUNCATED at the bytes present")
    func truncatedFrame() {
        let frame = frameBytes(type: 0x02, payload: rawPayload(Samples.prescription))
        for length in 9..<frame.count {
            #expect(decodeFrame(Array(frame.prefix(length))) == PumpWireError(.truncated, at: length))
        }
    }

    @Test("PW-FRAME-3: version other than 1", arguments: [0, 2, 255] as [UInt8])
    func unsupportedVersion(version: UInt8) {
        #expect(decodeFrame(frameBytes(type: 0x01, payload: [], version: version)) == PumpWireError(.unsupportedVersion, at: 2))
    }

    @Test("PW-FRAME-4: reserved flag bits", arguments: [0x04, 0x08, 0x80, 0xFC] as [UInt8])
    func reservedFlags(flags: UInt8) {
        #expect(decodeFrame(frameBytes(type: 0x01, flags: flags, payload: [])) == PumpWireError(.nonCanonical, at: 4))
    }

    @Test("PW-FRAME-5: payload length 240 is accepted, 241 is PAYLOAD_TOO_LARGE before reading further")
    func payloadLimit() {
        let unknown240 = frameBytes(type: 0x42, payload: [UInt8](repeating: 7, count: 240))
        #expect(decodeFrame(unknown240) == nil)
        // 241 is refused even though only the header is present.
        let header241: [UInt8] = [0xA5, 0xC3, 0x01, 0x42, 0x00, 0x01, 0x00, 0xF1, 0x00]
        #expect(decodeFrame(header241) == PumpWireError(.payloadTooLarge, at: 7))
        #expect(decodeFrame(frameBytes(type: 0x42, payload: [UInt8](repeating: 7, count: 241))) == PumpWireError(.payloadTooLarge, at: 7))
    }

    @Test("PW-FRAME-6: CRC mismatch is BAD_CRC at the CRC field; any flipped bit is caught")
    func badCRC() {
        var frame = frameBytes(type: 0x02, payload: rawPayload(Samples.prescription))
        let crcOffset = frame.count - 2
        frame[crcOffset] ^= 0x01
        #expect(decodeFrame(frame) == PumpWireError(.badCRC, at: crcOffset))
        let good = frameBytes(type: 0x02, payload: rawPayload(Samples.prescription))
        for index in 9..<good.count {  // every payload and CRC bit (header bits hit earlier checks)
            for bit in 0..<8 {
                var flipped = good
                flipped[index] ^= 1 << bit
                #expect(decodeFrame(flipped)?.code == .badCRC, "byte \(index) bit \(bit)")
            }
        }
    }

    @Test("PW-FRAME-7: bytes after the frame are TRAILING_BYTES at the first of them")
    func trailingBytes() {
        #expect(decodeFrame(interrogation + [0x00]) == PumpWireError(.trailingBytes, at: 11))
        #expect(decodeFrame(interrogation + interrogation) == PumpWireError(.trailingBytes, at: 11))
    }

    @Test("PW-FRAME-9: the first failing check in the order of 4.2 is reported")
    func checkOrder() {
        // Bad version and bad CRC: the version is checked first.
        #expect(decodeFrame(frameBytes(type: 0x01, payload: [], version: 2, crc: 0)) == PumpWireError(.unsupportedVersion, at: 2))
        // Reserved flags and an oversized length: flags first.
        #expect(decodeFrame(frameBytes(type: 0x01, flags: 0x10, payload: [], payloadLength: 300)) == PumpWireError(.nonCanonical, at: 4))
        // Bad CRC and trailing bytes: the CRC first.
        #expect(decodeFrame(frameBytes(type: 0x01, payload: [], crc: 0) + [1]) == PumpWireError(.badCRC, at: 9))
        // Bad CRC and a bad payload: the CRC first.
        #expect(decodeFrame(frameBytes(type: 0x01, payload: [1], crc: 0)) == PumpWireError(.badCRC, at: 10))
        // A good frame with a bad payload: the payload error, at its frame offset (PW-ENC-6).
        #expect(decodeFrame(frameBytes(type: 0x01, payload: [1])) == PumpWireError(.lengthMismatch, at: 9))
    }

    @Test("PW-FRAME-8: an unknown type decodes to its raw payload and re-encodes byte for byte")
    func unknownType() throws {
        for payload in [[], [0x01], [UInt8](repeating: 0xAB, count: 240)] as [[UInt8]] {
            let bytes = frameBytes(type: 0x7E, sequence: 0xBEEF, payload: payload)
            let frame = try Frame.decode(bytes)
            guard case .message(.unknown(let unknown)) = frame.content else {
                Issue.record("not unknown: \(frame)")
                continue
            }
            #expect(unknown.typeCode == 0x7E)
            #expect(unknown.payload.bytes == payload)
            #expect(try frame.encoded() == bytes)
        }
    }

    @Test("PW-AUTH-3: a sealed frame decodes as an envelope, exposed and re-emitted unchanged")
    func authenticationBlock() throws {
        let block: [UInt8] = [0x04, 0x03, 0x02, 0x01] + Array(0x10..<0x20)
        let bytes = frameBytes(type: 0x02, flags: 0x02, sequence: 2, payload: rawPayload(Samples.prescription), authentication: block)
        let frame = try Frame.decode(bytes)
        #expect(frame.authentication?.freshnessCounter == 0x0102_0304)
        #expect(frame.authentication?.tag.bytes == Array(0x10..<0x20))
        let ciphertext = rawPayload(Samples.prescription)
        #expect(frame.content == .sealed(SealedPayload(typeCode: 0x02, ciphertext: try BoundedArray(ciphertext))))
        #expect(frame.isSealed)
        #expect(try frame.encoded() == bytes)
        // Ciphertext that would be no prescription as cleartext is still a valid envelope.
        let garbage = frameBytes(type: 0x02, flags: 0x02, payload: [0xFF], authentication: block)
        #expect(try Frame.decode(garbage).encoded() == garbage)
        // A sealed fragment keeps its header, checked as 5.2 says.
        let fragment = frameBytes(type: 0x02, flags: 0x03, payload: [1, 2, 0x2C, 0x01] + [UInt8](repeating: 7, count: 64), authentication: block)
        let sealedFragment = try Frame.decode(fragment)
        #expect(sealedFragment.content == .sealed(SealedPayload(
            typeCode: 0x02, fragment: FragmentHeader(index: 1, count: 2, totalLength: 300),
            ciphertext: try BoundedArray([UInt8](repeating: 7, count: 64)))))
        #expect(try sealedFragment.encoded() == fragment)
        let badHeader = frameBytes(type: 0x02, flags: 0x03, payload: [0, 9, 0x2C, 0x01] + [UInt8](repeating: 7, count: 64), authentication: block)
        #expect(decodeFrame(badHeader) == PumpWireError(.fragmentCountInvalid, at: 10))
        // The block is inside the CRC (PW-CRC-1).
        var tampered = bytes
        tampered[bytes.count - 3] ^= 0xFF
        #expect(decodeFrame(tampered) == PumpWireError(.badCRC, at: bytes.count - 2))
        // A frame with the flag but no room for the block is TRUNCATED.
        #expect(decodeFrame(frameBytes(type: 0x01, flags: 0x02, payload: [])) == PumpWireError(.truncated, at: 11))
    }

    @Test("Every message round-trips through a frame, byte for byte", arguments: Samples.allMessages)
    func roundTrip(message: Message) throws {
        let bytes = try message.encodedFrames(sequence: 0x1234)
        let frame = try Frame.decode(bytes)
        #expect(frame.content == .message(message))
        #expect(frame.sequence == 0x1234)
        #expect(try frame.encoded() == bytes)
        #expect(bytes.count == FrameEncoder.encodedSize(of: message))
    }

    @Test("Raw bytes under a registered type code are checked as that type (PW-ENC-5)")
    func unknownUnderRegisteredCode() throws {
        let bad = Message.unknown(UnknownMessage(typeCode: 0x02, payload: try BoundedArray([0x09])))
        #expect(caught { () throws(PumpWireError) in try bad.encodedPayload() } == PumpWireError(.fieldOutOfRange, at: 0))
        #expect(caught { () throws(PumpWireError) in try Frame(sequence: 1, message: bad).encoded() } == PumpWireError(.fieldOutOfRange, at: 9))
        // Valid bytes under a registered code encode to the registered message's bytes.
        let raw = Message.unknown(UnknownMessage(typeCode: 0x02, payload: try BoundedArray(rawPayload(Samples.prescription))))
        #expect(try raw.encodedFrames(sequence: 2) == (try Message.prescriptionBlock(Samples.prescription).encodedFrames(sequence: 2)))
    }

    @Test("One frame cannot hold a longer message: PAYLOAD_TOO_LARGE at offset 7, whatever its size")
    func singleFrameLimit() {
        for steps in [37, 41, 48] {
            let frame = Frame(sequence: 1, message: .prescriptionBlock(Samples.prescription(steps: steps)))
            #expect(caught { () throws(PumpWireError) in try frame.encoded() } == PumpWireError(.payloadTooLarge, at: 7), "\(steps) steps")
        }
    }

    @Test("Encoding into a buffer that is too small is BUFFER_TOO_SMALL, never a partial frame")
    func bufferTooSmall() {
        var buffer = [UInt8](repeating: 0, count: 20)
        let error = caught { () throws(PumpWireError) -> Int in
            try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(PumpWireError) -> Int in
                    try FrameEncoder.encode(.prescriptionBlock(Samples.prescription), sequence: 1, into: raw)
                }
            }.get()
        }
        #expect(error?.code == .bufferTooSmall)
    }
}

extension Message: CustomTestStringConvertible {
    public var testDescription: String { MessageRegistry.name(of: typeCode) }
}
