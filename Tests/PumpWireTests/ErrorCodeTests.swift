import PumpWire
@testable import PumpWireCore
import Testing

/// Bytes that must be rejected with one code at one offset.
struct Provocation: CustomTestStringConvertible, Sendable {
    var name: String
    var requirement: String
    var expected: PumpWireError
    /// What is decoded: a whole frame (frame offsets), or a payload of a type (payload offsets).
    var input: Input

    enum Input: Sendable {
        case frame([UInt8])
        case payload(type: UInt8, [UInt8])
        /// Fragments given to one reassembler in order; the last one is rejected.
        case fragments([[UInt8]])
        /// Fragments given, then the receiver gives up (PW-FRAG-11).
        case givenUp([[UInt8]])
        /// An encoder asked to write into `capacity` bytes.
        case encode(Message, capacity: Int)
        /// Chunk payloads given to one image reassembler in order, then finished (spec 13.2).
        case image([[UInt8]])
        /// A log image; the first rejected slot's error (spec 13.4).
        case log(MemoryRegion, regionOffset: UInt32, [UInt8])
    }

    var testDescription: String { "\(requirement) \(name)" }

    func run() -> PumpWireError? {
        switch input {
        case .frame(let bytes):
            return decodeFrame(bytes)
        case .payload(let type, let bytes):
            return caught { () throws(PumpWireError) in try Message.decode(typeCode: type, payload: bytes) }
        case .fragments(let frames):
            var reassembler = Reassembler()
            for frame in frames {
                let error = caught { () throws(PumpWireError) -> ReassemblyProgress in
                    try withBytes(frame) { (raw) throws(PumpWireError) in
                        try reassembler.add(try FrameView.decode(raw, exactly: true), in: raw)
                    }
                }
                if let error { return error }
            }
            return nil
        case .givenUp(let frames):
            var reassembler = Reassembler()
            for frame in frames {
                _ = try? withBytes(frame) { (raw) throws(PumpWireError) in
                    try reassembler.add(try FrameView.decode(raw, exactly: true), in: raw)
                }
            }
            return reassembler.giveUp()
        case .image(let payloads):
            var reassembler = ImageReassembler()
            for payload in payloads {
                let error = caught { () throws(PumpWireError) in
                    guard case .memoryDumpChunk(let chunk) = try Message.decode(typeCode: 0x85, payload: payload) else { return }
                    try reassembler.add(chunk)
                }
                if let error { return error }
            }
            return caught { () throws(PumpWireError) in _ = try reassembler.finish() }
        case .log(let region, let regionOffset, let bytes):
            for case .rejected(_, let error) in LogReader.items(in: bytes, region: region, regionOffset: regionOffset) { return error }
            return nil
        case .encode(let message, let capacity):
            return caught { () throws(PumpWireError) -> Int in
                var buffer = [UInt8](repeating: 0, count: capacity)
                return try buffer.withUnsafeMutableBytes { raw in
                    Result { () throws(PumpWireError) -> Int in try FrameEncoder.encode(message, sequence: 1, into: raw) }
                }.get()
            }
        }
    }
}

func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(PumpWireError) -> R) throws(PumpWireError) -> R {
    try bytes.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> R in try body(raw) } }.get()
}

/// Fragment frame bytes with a hand-written fragment header.
func fragmentFrame(type: UInt8 = 0x42, sequence: UInt16 = 1, index: UInt8, count: UInt8, total: UInt16, data: [UInt8]) -> [UInt8] {
    frameBytes(type: type, flags: 0x01, sequence: sequence,
               payload: [index, count, UInt8(total & 0xFF), UInt8(total >> 8)] + data)
}

let fill236 = [UInt8](repeating: 0x11, count: 236)

enum Provocations {
    static let rx = rawPayload(Samples.prescription)
    static func rxWith(_ offset: Int, _ bytes: [UInt8]) -> [UInt8] {
        var payload = rx
        payload.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        return payload
    }

    static let all: [Provocation] = [
        Provocation(name: "header cut after 5 bytes", requirement: "PW-FRAME-2", expected: .init(.truncated, at: 5),
                    input: .frame([0xA5, 0xC3, 1, 1, 0])),
        Provocation(name: "second sync byte wrong", requirement: "PW-FRAME-1", expected: .init(.badSync, at: 0),
                    input: .frame([0xA5, 0xC4, 1, 1, 0, 1, 0, 0, 0, 0, 0])),
        Provocation(name: "version 2", requirement: "PW-FRAME-3", expected: .init(.unsupportedVersion, at: 2),
                    input: .frame(frameBytes(type: 1, payload: [], version: 2))),
        Provocation(name: "interrogation with a payload byte", requirement: "PW-INT-1", expected: .init(.lengthMismatch, at: 9),
                    input: .frame(frameBytes(type: 1, payload: [0]))),
        Provocation(name: "prescription cut inside the steps", requirement: "PW-ENC-2", expected: .init(.lengthMismatch, at: 35),
                    input: .payload(type: 0x02, Array(rx.prefix(35)))),
        Provocation(name: "prescription with a byte after its last step", requirement: "PW-ENC-3", expected: .init(.lengthMismatch, at: 39),
                    input: .payload(type: 0x02, rx + [0])),
        Provocation(name: "frame followed by a byte", requirement: "PW-FRAME-7", expected: .init(.trailingBytes, at: 11),
                    input: .frame(frameBytes(type: 1, payload: []) + [0xA5])),
        Provocation(name: "CRC off by one", requirement: "PW-FRAME-6", expected: .init(.badCRC, at: 9),
                    input: .frame(frameBytes(type: 1, payload: [], crc: 0x3FA2))),
        Provocation(name: "payload length 241", requirement: "PW-FRAME-5", expected: .init(.payloadTooLarge, at: 7),
                    input: .frame(frameBytes(type: 1, payload: [], payloadLength: 241))),
        Provocation(name: "reserved status flag", requirement: "PW-STATUS-3", expected: .init(.nonCanonical, at: 32),
                    input: .payload(type: 0x81, {
                        var p = rawPayload(Samples.pumpStatus); p[32] |= 0x10; return p }())),
        Provocation(name: "reserved alarm bit", requirement: "PW-STATUS-3", expected: .init(.nonCanonical, at: 37),
                    input: .payload(type: 0x81, {
                        var p = rawPayload(Samples.pumpStatus); p[38] = 0x01; return p }())),
        Provocation(name: "bolus digest without a stored bolus schedule", requirement: "PW-STATUS-4", expected: .init(.nonCanonical, at: 47),
                    input: .payload(type: 0x81, {
                        var p = rawPayload(Samples.pumpStatus); p[47] = 1; return p }())),
        Provocation(name: "reserved bolus flag", requirement: "PW-BOLUS-1", expected: .init(.nonCanonical, at: 0),
                    input: .payload(type: 0x03, [0x08, 0x00])),
        Provocation(name: "reserved dump request flag", requirement: "PW-DUMP-1", expected: .init(.nonCanonical, at: 1),
                    input: .payload(type: 0x05, [1, 2, 0, 0, 0, 0, 5, 0, 0, 0])),
        Provocation(name: "drug code 9", requirement: "PW-RX-1", expected: .init(.fieldOutOfRange, at: 0),
                    input: .payload(type: 0x02, rxWith(0, [9]))),
        Provocation(name: "mode 0", requirement: "PW-RX-1", expected: .init(.fieldOutOfRange, at: 1),
                    input: .payload(type: 0x02, rxWith(1, [0]))),
        Provocation(name: "priming kind 3", requirement: "PW-BOLUS-2", expected: .init(.fieldOutOfRange, at: 1),
                    input: .payload(type: 0x03, [0x02, 3, 10, 0, 10, 0, 0])),
        Provocation(name: "region 5", requirement: "PW-DUMP-1", expected: .init(.fieldOutOfRange, at: 0),
                    input: .payload(type: 0x05, [5, 0, 0, 0, 0, 0, 5, 0, 0, 0])),
        Provocation(name: "chunk encoding 2 (unassigned)", requirement: "PW-DUMP-3", expected: .init(.fieldOutOfRange, at: 1),
                    input: .payload(type: 0x85, { var p = rawPayload(Samples.dumpChunk); p[1] = 2; return p }())),
        Provocation(name: "negative acknowledgement with code 64", requirement: "PW-NAK-1", expected: .init(.fieldOutOfRange, at: 1),
                    input: .payload(type: 0xF1, [3, 64, 0, 0xFF, 0xFF])),
        Provocation(name: "step count 0", requirement: "PW-RX-4", expected: .init(.fieldOutOfRange, at: 20),
                    input: .payload(type: 0x02, Array(rxWith(20, [0]).prefix(21)))),
        Provocation(name: "step count 49", requirement: "PW-RX-4", expected: .init(.tooManyItems, at: 20),
                    input: .payload(type: 0x02, rxWith(20, [49]))),
        Provocation(name: "step count 255 with a 39-byte payload", requirement: "PW-ENC-2", expected: .init(.tooManyItems, at: 20),
                    input: .payload(type: 0x02, rxWith(20, [255]))),
        Provocation(name: "periodic count 9", requirement: "PW-BOLUS-3", expected: .init(.tooManyItems, at: 1),
                    input: .payload(type: 0x03, [0x00, 9])),
        Provocation(name: "model with a control character", requirement: "PW-ENC-8", expected: .init(.invalidText, at: 3),
                    input: .payload(type: 0x81, { var p = rawPayload(Samples.pumpStatus); p[3] = 0x07; return p }())),
        Provocation(name: "serial with a byte above 0x7E", requirement: "PW-ENC-8", expected: .init(.invalidText, at: 25),
                    input: .payload(type: 0x81, { var p = rawPayload(Samples.pumpStatus); p[25] = 0x80; return p }())),
        Provocation(name: "model length 0", requirement: "PW-ENC-8", expected: .init(.fieldOutOfRange, at: 0),
                    input: .payload(type: 0x81, [0] + rawPayload(Samples.pumpStatus).dropFirst(15))),
        Provocation(name: "model length 17", requirement: "PW-ENC-8", expected: .init(.fieldOutOfRange, at: 0),
                    input: .payload(type: 0x81, [17] + [UInt8](repeating: 0x41, count: 17))),
        Provocation(name: "model cut short", requirement: "PW-ENC-8", expected: .init(.lengthMismatch, at: 1),
                    input: .payload(type: 0x81, [14, 0x41, 0x07])),
        Provocation(name: "first step at minute 60", requirement: "PW-RX-7", expected: .init(.dayProfileGap, at: 21),
                    input: .payload(type: 0x02, rxWith(21, [60, 0]))),
        Provocation(name: "steps out of order", requirement: "PW-RX-8", expected: .init(.dayProfileOrder, at: 33),
                    input: .payload(type: 0x02, rxWith(33, [0xA4, 0x01]))),
        Provocation(name: "repeated start minute", requirement: "PW-RX-8", expected: .init(.dayProfileOrder, at: 27),
                    input: .payload(type: 0x02, rxWith(27, [0, 0]))),
        Provocation(name: "continuous mode with 3 steps", requirement: "PW-RX-5", expected: .init(.modeProfileMismatch, at: 20),
                    input: .payload(type: 0x02, rxWith(1, [2]))),
        Provocation(name: "time-of-day mode with 1 step", requirement: "PW-RX-5", expected: .init(.modeProfileMismatch, at: 20),
                    input: .payload(type: 0x02, Array(rxWith(20, [1]).prefix(27)))),
        Provocation(name: "daily dose 780000 over a limit of 779999", requirement: "PW-RX-9", expected: .init(.dailyDoseExceedsLimit, at: 16),
                    input: .payload(type: 0x02, rxWith(16, [0x2F, 0xE6, 0x0B, 0x00]))),
        Provocation(name: "threshold equal to capacity", requirement: "PW-RX-3", expected: .init(.thresholdNotBelowCapacity, at: 10),
                    input: .payload(type: 0x02, rxWith(6, [0xD0, 0x07, 0, 0, 0xD0, 0x07, 0, 0]))),
        Provocation(name: "periodic boluses out of order", requirement: "PW-BOLUS-4", expected: .init(.bolusOrder, at: 10),
                    input: .payload(type: 0x03, [0x00, 2, 0x68, 0x01, 1, 0, 0, 0, 1, 0, 0x68, 0x01, 1, 0, 0, 0, 1, 0])),
        Provocation(name: "prescription into 20 bytes", requirement: "PW-ENC-5", expected: .init(.bufferTooSmall, at: 19),
                    input: .encode(.prescriptionBlock(Samples.prescription), capacity: 20)),
        Provocation(name: "fragment count 1", requirement: "PW-FRAG-2", expected: .init(.fragmentCountInvalid, at: 10),
                    input: .frame(fragmentFrame(index: 0, count: 1, total: 300, data: fill236))),
        Provocation(name: "fragment count 6", requirement: "PW-FRAG-2", expected: .init(.fragmentCountInvalid, at: 10),
                    input: .frame(fragmentFrame(index: 0, count: 6, total: 1024, data: fill236))),
        Provocation(name: "fragment count not ceil(total / 236)", requirement: "PW-FRAG-5", expected: .init(.fragmentCountInvalid, at: 10),
                    input: .frame(fragmentFrame(index: 0, count: 3, total: 300, data: fill236))),
        Provocation(name: "fragment index 2 of 2", requirement: "PW-FRAG-3", expected: .init(.fragmentIndexOutOfRange, at: 9),
                    input: .frame(fragmentFrame(index: 2, count: 2, total: 300, data: fill236))),
        Provocation(name: "fragmented total 1025", requirement: "PW-FRAG-4", expected: .init(.payloadTooLarge, at: 11),
                    input: .frame(fragmentFrame(index: 0, count: 5, total: 1025, data: fill236))),
        Provocation(name: "fragmented total 240 (fits one frame)", requirement: "PW-FRAG-4", expected: .init(.nonCanonical, at: 11),
                    input: .frame(fragmentFrame(index: 0, count: 2, total: 240, data: fill236))),
        Provocation(name: "first fragment of 235 bytes", requirement: "PW-FRAG-6", expected: .init(.fragmentSizeInvalid, at: 7),
                    input: .frame(fragmentFrame(index: 0, count: 2, total: 300, data: Array(fill236.dropLast())))),
        Provocation(name: "last fragment one byte long", requirement: "PW-FRAG-6", expected: .init(.fragmentSizeInvalid, at: 7),
                    input: .frame(fragmentFrame(index: 1, count: 2, total: 300, data: [1]))),
        Provocation(name: "fragment header cut", requirement: "PW-ENC-2", expected: .init(.lengthMismatch, at: 11),
                    input: .frame(frameBytes(type: 0x42, flags: 0x01, payload: [0, 2]))),
        Provocation(name: "same index, other data", requirement: "PW-FRAG-9", expected: .init(.fragmentConflict, at: 13),
                    input: .fragments([fragmentFrame(index: 0, count: 2, total: 300, data: fill236),
                                       fragmentFrame(index: 0, count: 2, total: 300, data: [0x12] + fill236.dropFirst())])),
        Provocation(name: "other total length", requirement: "PW-FRAG-9", expected: .init(.fragmentConflict, at: 11),
                    input: .fragments([fragmentFrame(index: 0, count: 2, total: 300, data: fill236),
                                       fragmentFrame(index: 1, count: 2, total: 301, data: [UInt8](repeating: 1, count: 65))])),
        Provocation(name: "other fragment count", requirement: "PW-FRAG-9", expected: .init(.fragmentConflict, at: 10),
                    input: .fragments([fragmentFrame(index: 0, count: 2, total: 300, data: fill236),
                                       fragmentFrame(index: 2, count: 3, total: 500, data: [UInt8](repeating: 1, count: 28))])),
        Provocation(name: "second fragment never came", requirement: "PW-FRAG-11", expected: .init(.fragmentMissing, at: 236),
                    input: .givenUp([fragmentFrame(index: 0, count: 2, total: 300, data: fill236)])),
        Provocation(name: "fragment of another sequence", requirement: "PW-FRAG-10", expected: .init(.fragmentInterleaved, at: 3),
                    input: .fragments([fragmentFrame(sequence: 1, index: 0, count: 2, total: 300, data: fill236),
                                       fragmentFrame(sequence: 2, index: 0, count: 2, total: 300, data: fill236)])),
        Provocation(name: "fragment of another type", requirement: "PW-FRAG-10", expected: .init(.fragmentInterleaved, at: 3),
                    input: .fragments([fragmentFrame(type: 0x42, index: 0, count: 2, total: 300, data: fill236),
                                       fragmentFrame(type: 0x43, index: 1, count: 2, total: 300, data: [UInt8](repeating: 1, count: 64))])),
        Provocation(name: "chunk index 1 of 1", requirement: "PW-DUMP-4", expected: .init(.chunkIndexOutOfRange, at: 2),
                    input: .payload(type: 0x85, { var p = rawPayload(Samples.dumpChunk); p[2] = 1; return p }())),
        Provocation(name: "chunk count 2 for 5 bytes", requirement: "PW-DUMP-5", expected: .init(.chunkCountMismatch, at: 10),
                    input: .payload(type: 0x85, { var p = rawPayload(Samples.dumpChunk); p[4] = 2; return p }())),
        Provocation(name: "chunk image past 2^32", requirement: "PW-DUMP-9", expected: .init(.fieldOutOfRange, at: 10),
                    input: .payload(type: 0x85, { var p = rawPayload(Samples.dumpChunk); p[6...9] = [0xFF, 0xFF, 0xFF, 0xFF]; return p }())),
        Provocation(name: "chunk data offset 1", requirement: "PW-DUMP-6", expected: .init(.chunkOffsetMismatch, at: 18),
                    input: .payload(type: 0x85, { var p = rawPayload(Samples.dumpChunk); p[18] = 1; return p }())),
        Provocation(name: "chunk with 4 of 5 bytes", requirement: "PW-DUMP-7", expected: .init(.chunkSizeMismatch, at: 22),
                    input: .payload(type: 0x85, Array(rawPayload(Samples.dumpChunk).dropLast()))),
        Provocation(name: "chunk with 6 of 5 bytes", requirement: "PW-DUMP-7", expected: .init(.chunkSizeMismatch, at: 22),
                    input: .payload(type: 0x85, rawPayload(Samples.dumpChunk) + [6])),
    ] + imageProvocations + logProvocations

    /// A chunk payload of a 1000-byte image (spec 9.8).
    static func chunk(_ index: Int, of count: Int, _ transfer: [UInt8], encoding: UInt8 = 0, imageLength: Int = 1000, crc: UInt32? = nil) -> [UInt8] {
        let crc = crc ?? ZlibCRC32.checksum(dumpImage)
        func le(_ value: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        return [1, encoding] + le(index, 2) + le(count, 2) + le(0, 4) + le(imageLength, 4) + le(Int(crc), 4) + le(index * 218, 4)
            + transfer[(index * 218)..<min(transfer.count, index * 218 + 218)]
    }
    static let dumpImage = (0..<1000).map { UInt8(truncatingIfNeeded: $0 / 7) }
    static let compressed = ZlibDeflate.compress(dumpImage)

    static var imageProvocations: [Provocation] {
        let zeros = ZlibDeflate.compress([UInt8](repeating: 0, count: 100_000))
        return [
            Provocation(name: "chunk 4 after a 1-chunk transfer", requirement: "PW-IMAGE-2", expected: .init(.chunkBeyondTotal, at: 2),
                        input: .image([chunk(0, of: 1, compressed, encoding: 1), chunk(4, of: 5, dumpImage)])),
            Provocation(name: "chunk of another image CRC", requirement: "PW-IMAGE-2", expected: .init(.chunkImageMismatch, at: 14),
                        input: .image([chunk(0, of: 5, dumpImage), chunk(1, of: 5, dumpImage, crc: 7)])),
            Provocation(name: "chunk 0 again, other data", requirement: "PW-IMAGE-2", expected: .init(.chunkDataConflict, at: 22 + 217),
                        input: .image([chunk(0, of: 5, dumpImage), chunk(0, of: 5, Array(dumpImage.prefix(217)) + [0xEE])])),
            Provocation(name: "chunk 1 never came", requirement: "PW-IMAGE-3", expected: .init(.chunksMissing, at: 218),
                        input: .image([0, 2, 3, 4].map { chunk($0, of: 5, dumpImage) })),
            Provocation(name: "image CRC off by one bit", requirement: "PW-IMAGE-5", expected: .init(.imageCRCFailed, at: 0),
                        input: .image((0..<5).map { chunk($0, of: 5, dumpImage, crc: ZlibCRC32.checksum(dumpImage) ^ 1) })),
            Provocation(name: "zlib stream missing its Adler-32", requirement: "PW-IMAGE-5", expected: .init(.inflateFailed, at: 0),
                        input: .image([chunk(0, of: 1, Array(compressed.dropLast(4)), encoding: 1)])),
            Provocation(name: "100000 zeros declared as 1000 bytes", requirement: "PW-IMAGE-5", expected: .init(.imageLengthMismatch, at: 0),
                        input: .image([chunk(0, of: 1, zeros, encoding: 1)])),
            Provocation(name: "\(zeros.count) bytes declared as 1 MiB", requirement: "PW-IMAGE-5", expected: .init(.compressionRatioExceeded, at: 0),
                        input: .image([chunk(0, of: 1, zeros, encoding: 1, imageLength: 1 << 20)])),
        ]
    }

    static var logProvocations: [Provocation] {
        var record = [UInt8](repeating: 0, count: 20)
        record[0] = 0x05
        let good = { (bytes: [UInt8]) -> [UInt8] in
            let crc = Array(bytes.prefix(18)).withUnsafeBytes { CRC16.checksum($0) }
            return Array(bytes.prefix(18)) + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        }
        return [
            Provocation(name: "record with a wrong CRC", requirement: "PW-LOG-1", expected: .init(.recordCRCMismatch, at: 38),
                        input: .log(.eventLog, regionOffset: 0, good(record) + record)),
            Provocation(name: "image ending inside a slot", requirement: "PW-LOG-1", expected: .init(.recordTruncated, at: 20),
                        input: .log(.eventLog, regionOffset: 0, good(record) + [1, 2, 3])),
            Provocation(name: "image starting inside a slot", requirement: "PW-LOG-1", expected: .init(.recordTruncated, at: 0),
                        input: .log(.eventLog, regionOffset: 19, [0x20] + good(record))),
        ]
    }
}

@Suite("Every error code, provoked, with its offset (spec section 10)")
struct ErrorCodeTests {
    @Test("Rejected with the spec's code at the spec's offset", arguments: Provocations.all)
    func provoke(_ provocation: Provocation) {
        #expect(provocation.run() == provocation.expected)
    }

    @Test("Every code a decoder or encoder reports (1 to 63) is provoked at least once")
    func everyCodeProvoked() {
        let provoked = Set(Provocations.all.map(\.expected.code.rawValue))
        for raw in UInt16(1)...63 {
            guard let code = ErrorCode(rawValue: raw), code != .unknownMessageType else { continue }
            #expect(provoked.contains(raw), "\(code.specName) is never provoked")
        }
    }

    @Test("UNKNOWN_MESSAGE_TYPE and the pump's refusals travel in a negative acknowledgement")
    func negativeAcknowledgementCodes() throws {
        for raw in UInt16(0)...UInt16(300) {
            guard let code = ErrorCode(rawValue: raw) else { continue }
            let nak = NegativeAcknowledgement(rejectedType: 0x7E, errorCode: code, errorOffset: code == .unknownMessageType ? 3 : 0xFFFF)
            if code.isSessionFinding {  // PW-NAK-1: never in a negative acknowledgement
                #expect(caught { () throws(PumpWireError) in try Message.negativeAcknowledgement(nak).encodedFrames(sequence: 9) }
                    == PumpWireError(.fieldOutOfRange, at: 10))
                continue
            }
            let bytes = try Message.negativeAcknowledgement(nak).encodedFrames(sequence: 9)
            #expect(try Frame.decode(bytes).content == .message(.negativeAcknowledgement(nak)))
        }
    }

    @Test("The codes are the numbers of spec section 10")
    func codesMatchTheSpec() throws {
        let spec = try String(contentsOf: packageRoot.appendingPathComponent("spec/pumpwire-v1.md"), encoding: .utf8)
        var rows = 0
        for line in spec.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let number = UInt16(cells[0]), cells[1].count > 2,
                  cells[1].allSatisfy({ $0.isUppercase || $0 == "_" }) else { continue }
            rows += 1
            let name = CaptureProblem(rawValue: number)?.specName ?? ErrorCode(rawValue: number)?.specName.description
            #expect(name == cells[1], "code \(number)")
        }
        var defined = CaptureProblem.allCases.count
        for raw in UInt16(0)...UInt16(1000) where ErrorCode(rawValue: raw) != nil { defined += 1 }
        #expect(rows == defined)
    }
}
