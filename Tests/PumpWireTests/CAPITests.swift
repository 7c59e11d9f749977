import CPumpWire
import Foundation
import PumpWire
@testable import PumpWireC
import PumpWireConformance
import PumpWireCore
import Testing

// The C API through its C declarations (pumpwire.h), as a C caller links it: the same checks
// the firmware testee makes under QEMU, here on the host in every `swift test`.

/// Decodes with pw_frame_decode and re-encodes with pw_frame_encode.
private func cRoundTrip(_ input: [UInt8], _ frame: inout pw_frame) -> (code: UInt16, offset: UInt32, bytes: [UInt8]) {
    var offset: UInt32 = 0
    let code = input.withUnsafeBufferPointer { CPumpWire.pw_frame_decode($0.baseAddress, $0.count, &frame, &offset) }
    guard code == 0 else { return (code, offset, []) }
    var out = [UInt8](repeating: 0, count: Int(PW_MAX_FRAME_SIZE))
    var written = 0
    let encoded = out.withUnsafeMutableBufferPointer { CPumpWire.pw_frame_encode(&frame, $0.baseAddress, $0.count, &written, &offset) }
    return (encoded, offset, Array(out[..<written]))
}

@Suite("C API")
struct CAPITests {
    @Test("every decodeFrame vector: pw_frame_decode gives the vector's error, or pw_frame_encode its canonical bytes")
    func decodeFrameVectors() throws {
        var frame = pw_frame()
        var checked = 0
        for vector in corpus.vectors where vector.kind == "decodeFrame" {
            let input = try #require(vector.bytes("input"))
            let result = cRoundTrip(input, &frame)
            let canonical = vector.bytes("canonical") ?? input
            switch vector.result {
            case "invalid":
                let error = try #require(vector.error(vector.json["error"]))
                #expect(result.code == error.code && result.offset == error.offset, "\(vector.name)")
            case "acceptable" where result.code != 0:
                break
            default:
                #expect(result.code == 0 && result.bytes == canonical, "\(vector.name): \(result.code)@\(result.offset)")
            }
            checked += 1
        }
        #expect(checked > 600)
    }

    @Test("a decoded frame's C struct holds the spec's fields: the worked pumpStatus of 9.2")
    func pumpStatusFields() throws {
        let vector = try #require(corpus.vectors.first { $0.name == "Required.Decode.PumpStatus.WorkedExampleValues" })
        var frame = pw_frame()
        let result = cRoundTrip(try #require(vector.bytes("input")), &frame)
        #expect(result.code == 0)
        let status = frame.message.body.pump_status
        #expect(frame.message.type == 0x81 && frame.sequence == 1 && frame.flags == 0)
        #expect(status.model.length == 14 && status.serial.length == 11)
        #expect(withUnsafeBytes(of: status.model.text) { String(decoding: $0.prefix(14), as: UTF8.self) } == "SynchroFlow 40")
        #expect(withUnsafeBytes(of: status.serial.text) { $0[11] } == 0)  // NUL-terminated for C
        #expect((status.firmware_major, status.firmware_minor, status.firmware_patch) == (3, 2, 1))
        #expect(status.battery_millivolts == 3021)
        #expect(status.status_flags == UInt8(PW_STATUS_PRESCRIPTION_STORED.rawValue))
        #expect(status.reservoir_volume_microlitres == 12840 && status.active_alarms == 0)
        #expect(status.pump_clock_time == 847_584_000)
        #expect(status.prescription_digest == 3_085_085_398 && status.bolus_schedule_digest == 0)
    }

    @Test("an encoder refuses what a decoder rejects, with the decoder's error (PW-ENC-5)")
    func encoderRefuses() {
        var message = pw_message()
        message.type = UInt8(PW_TYPE_REFILL_CONFIRMATION.rawValue)
        message.body.refill_confirmation.drug = 9  // no drug 9
        message.body.refill_confirmation.concentration_micrograms_per_millilitre = 2000
        var out = [UInt8](repeating: 0, count: 64)
        var written = 0
        var offset: UInt32 = 99
        var code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_message_encode(&message, $0.baseAddress, $0.count, &written, &offset) }
        #expect(code == UInt16(PW_ERR_FIELD_OUT_OF_RANGE.rawValue) && offset == 0)
        message.body.refill_confirmation.drug = UInt8(PW_DRUG_BACLOFEN.rawValue)
        code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_message_encode(&message, $0.baseAddress, $0.count, &written, &offset) }
        #expect(code == 0 && written == 21)
        // In a frame the same error carries its frame offset (PW-ENC-6).
        message.body.refill_confirmation.refill_time = 0xFFFF_FFFF
        code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_message_encode_frames(&message, 5, nil, $0.baseAddress, $0.count, &written, &offset) }
        #expect(code == UInt16(PW_ERR_FIELD_OUT_OF_RANGE.rawValue) && offset == 9 + 17)
        // Too small a buffer is BUFFER_TOO_SMALL, never a write past its end.
        message.body.refill_confirmation.refill_time = 0
        code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_message_encode_frames(&message, 5, nil, $0.baseAddress, 20, &written, &offset) }
        #expect(code == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
        // A count above the struct's capacity is the decoder's TOO_MANY_ITEMS at the count.
        message.type = UInt8(PW_TYPE_PRESCRIPTION_BLOCK.rawValue)
        message.body.prescription_block.step_count = 49
        code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_message_encode(&message, $0.baseAddress, $0.count, &written, &offset) }
        #expect(code == UInt16(PW_ERR_TOO_MANY_ITEMS.rawValue) && offset == 20)
    }

    @Test("pw_message_encode_frames fragments as FrameEncoder does, and the C reassembler puts it back")
    func fragmentation() throws {
        let message = Message.prescriptionBlock(Samples.prescription(steps: 48))
        var expected = [UInt8](repeating: 0, count: Int(PW_MAX_ENCODED_MESSAGE_SIZE))
        let count = try expected.withUnsafeMutableBytes { try FrameEncoder.encode(message, sequence: 7, into: $0) }
        expected.removeSubrange(count...)

        var payload = [UInt8](repeating: 0, count: 1024)
        let payloadSize = try payload.withUnsafeMutableBytes { raw in
            var writer = ByteWriter(raw)
            try message.encodePayload(into: &writer)
            return writer.count
        }
        var cMessage = pw_message()
        var offset: UInt32 = 0
        let decoded = payload.withUnsafeBufferPointer { CPumpWire.pw_message_decode(0x02, $0.baseAddress, payloadSize, &cMessage, &offset) }
        #expect(decoded == 0)
        #expect(cMessage.body.prescription_block.step_count == 48)
        var frames = [UInt8](repeating: 0, count: Int(PW_MAX_ENCODED_MESSAGE_SIZE))
        var written = 0
        let encoded = frames.withUnsafeMutableBufferPointer {
            CPumpWire.pw_message_encode_frames(&cMessage, 7, nil, $0.baseAddress, $0.count, &written, &offset)
        }
        #expect(encoded == 0)
        #expect(Array(frames[..<written]) == expected)

        var reassembler = pw_reassembler()
        let initialised = CPumpWire.pw_reassembler_init(&reassembler)
        #expect(initialised == 0)
        var scanner = pw_scanner()
        var event = pw_scan_event()
        var frame = pw_frame()
        var progress: UInt8 = 99
        try frames.withUnsafeBufferPointer { stream in
            _ = CPumpWire.pw_scanner_init(&scanner, stream.baseAddress, written)
            while CPumpWire.pw_scanner_next(&scanner, &event) {
                try #require(event.kind == UInt8(PW_SCAN_FRAME.rawValue))
                do { let result = CPumpWire.pw_frame_decode(stream.baseAddress! + event.start, event.length, &frame, &offset); #expect(result == 0) }
                do { let result = CPumpWire.pw_reassembler_add(&reassembler, &frame, &progress, &offset); #expect(result == 0) }
            }
        }
        #expect(progress == UInt8(PW_REASSEMBLY_COMPLETE.rawValue))
        var reassembled = pw_message()
        do { let result = CPumpWire.pw_reassembler_take_message(&reassembler, &reassembled, &offset); #expect(result == 0) }
        let inProgress = CPumpWire.pw_reassembler_in_progress(&reassembler)
        #expect(!inProgress)
        var digest: UInt32 = 0
        do { let result = CPumpWire.pw_message_digest(&reassembled, &digest, &offset); #expect(result == 0) }
        #expect(digest == (try message.digest()))
    }

    @Test("the opaque state structs of pumpwire.h hold the core's state on this 64-bit host")
    func opaqueStateFits() {
        #expect(CStateStorage.fits(Reassembler.self, in: pw_reassembler.self))
        #expect(CStateStorage.fits(FrameScanner.self, in: pw_scanner.self))
        #expect(CStateStorage.fits(LogReader.self, in: pw_log_reader.self))
    }

    @Test("pumpwire.h's error enum and pw_error_name are the table of spec section 10")
    func errorCodes() throws {
        let header = try String(contentsOf: packageRoot.appendingPathComponent("Sources/CPumpWire/include/pumpwire.h"), encoding: .utf8)
        let wholeSpec = try String(contentsOf: packageRoot.appendingPathComponent("spec/pumpwire-v1.md"), encoding: .utf8)
        let spec = try #require(wholeSpec.firstRange(of: "## 10. Error codes").flatMap { start in
            wholeSpec[start.lowerBound...].firstRange(of: "## 11.").map { wholeSpec[start.lowerBound..<$0.lowerBound] }
        })
        var fromHeader: [Int: String] = [:]
        for match in header.matches(of: /PW_ERR_([A-Z_]+) = (\d+)/) { fromHeader[Int(match.2)!] = String(match.1) }
        var fromSpec: [Int: String] = [:]
        for match in spec.matches(of: /(?m)^\| (\d+) +\| ([A-Z_]+) +\|/) { fromSpec[Int(match.1)!] = String(match.2) }
        #expect(fromSpec.count > 60)
        #expect(fromHeader == fromSpec)
        for (code, name) in fromSpec {
            let cName = String(cString: CPumpWire.pw_error_name(UInt16(code)))
            #expect(cName == name)
        }
        let unknown = String(cString: CPumpWire.pw_error_name(200))
        #expect(unknown == "UNKNOWN")
    }

    @Test("the CRC functions continue across calls and agree with the core and zlib")
    func checksums() {
        let bytes = Array("123456789".utf8)
        bytes.withUnsafeBufferPointer { all in
            do { let result = CPumpWire.pw_crc16(all.baseAddress, 9); #expect(result == 0x29B1) }
            do { let result = CPumpWire.pw_crc32(all.baseAddress, 9); #expect(result == 0xCBF4_3926) }
            do { let result = CPumpWire.pw_crc32(all.baseAddress, 9); #expect(result == ZlibCRC32.checksum(UnsafeRawBufferPointer(all))) }
            let head = CPumpWire.pw_crc16_update(UInt16(PW_CRC16_INITIAL), all.baseAddress, 4)
            do { let result = CPumpWire.pw_crc16_update(head, all.baseAddress! + 4, 5); #expect(result == 0x29B1) }
            do { let result = CPumpWire.pw_crc32_update(CPumpWire.pw_crc32_update(0, all.baseAddress, 4), all.baseAddress! + 4, 5); #expect(result == 0xCBF4_3926) }
            do { let result = CPumpWire.pw_crc16(nil, 0); #expect(result == 0xFFFF) }
        }
    }

    @Test("NULL pointers are errors, never traps")
    func nullPointers() {
        var offset: UInt32 = 0
        do { let result = CPumpWire.pw_frame_decode(nil, 0, nil, &offset); #expect(result == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue)) }
        var frame = pw_frame()
        do { let result = CPumpWire.pw_frame_decode(nil, 5, &frame, &offset); #expect(result == UInt16(PW_ERR_TRUNCATED.rawValue) && offset == 0) }
        do { let result = CPumpWire.pw_reassembler_give_up(nil, nil); #expect(result == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue)) }
        var reader = pw_log_reader()
        do { let result = CPumpWire.pw_log_reader_init(&reader, nil, 0, 4, 0, &offset); #expect(result == UInt16(PW_ERR_FIELD_OUT_OF_RANGE.rawValue)) }
    }
}
