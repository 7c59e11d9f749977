import CPumpWire
import Foundation
import PumpWire
@testable import PumpWireC
import PumpWireConformance
@testable import PumpWireCore
import Testing

// The promises of pumpwire.h's header comment, each checked where a C caller would break them:
// const arguments in read-only memory, the heap on a first call, hostile sizes, state structs that
// init never prepared, and the order of an encoder's refusals. Calls that could fault or trap run
// in a child process (Tests/CAPIProbe, or an exit test), so a broken promise is a failed test, not
// a crashed suite.

/// Runs the CAPIProbe helper built with the tests, `input` on its stdin; stdin, stdout and stderr
/// go through files, so a chatty probe never blocks on a full pipe.
private func probe(_ arguments: [String], input: String = "") throws -> (status: Int32, signalled: Bool, out: String, err: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pumpwire-probe-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let paths = ["in", "out", "err"].map { directory.appendingPathComponent($0) }
    try Data(input.utf8).write(to: paths[0])
    for path in paths.dropFirst() { _ = FileManager.default.createFile(atPath: path.path, contents: nil) }
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent("CAPIProbe")
    process.arguments = arguments
    process.standardInput = try FileHandle(forReadingFrom: paths[0])
    process.standardOutput = try FileHandle(forWritingTo: paths[1])
    process.standardError = try FileHandle(forWritingTo: paths[2])
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, process.terminationReason == .uncaughtSignal,
            String(decoding: try Data(contentsOf: paths[1]), as: UTF8.self), String(decoding: try Data(contentsOf: paths[2]), as: UTF8.self))
}

/// Records what a failed exit test wrote on stderr (its own reason for failing).
private func report(_ result: ExitTest.Result?) {
    guard let result else { return }
    if case .exitCode(0) = result.exitStatus { return }
    Issue.record("child process: \(result.exitStatus): \(String(decoding: result.standardErrorContent, as: UTF8.self))")
}

/// The frames of `bytes` (one frame or fragments back to back), each on its own.
private func frames(in bytes: [UInt8]) -> [[UInt8]] {
    bytes.withUnsafeBytes { raw in
        var scanner = FrameScanner(raw)
        var result: [[UInt8]] = []
        while let event = scanner.next() {
            if case .frame(let view, let start) = event { result.append(Array(bytes[start..<(start + view.length)])) }
        }
        return result
    }
}

/// One record of every type of spec 13.4, and both alarm records for every alarm.
private let everyRecord: [LogRecord] = everyRecordType + (1...9).flatMap { (code: UInt8) -> [LogRecord] in
    let alarm = LoggedAlarm(rawValue: code)!
    return [LogRecord(time: 847_590_000 + UInt32(code), body: .alarmRaised(AlarmRaisedRecord(alarm: alarm))),
            LogRecord(time: 847_590_100 + UInt32(code), body: .alarmCleared(AlarmClearedRecord(alarm: alarm, cause: .resolved)))]
}

private let everyRecordType: [LogRecord] = [
    LogRecord(time: 847_584_000, body: .therapyChanged(TherapyChangedRecord(prescriptionDigest: 0xB7E2_AAD6, previousDigest: 0, source: .programmer))),
    LogRecord(time: 847_584_060, body: .bolusScheduleChanged(BolusScheduleChangedRecord(scheduleDigest: 0x1234_5678, previousDigest: 0))),
    LogRecord(time: 847_584_120, body: .bolusDelivered(BolusDeliveredRecord(kind: .clinician, outcome: .completed, volumeNanolitres: 50_000, doseNanograms: 100_000, durationMinutes: 10))),
    LogRecord(time: 847_584_180, body: .refilled(RefilledRecord(drug: .baclofen, concentrationMicrogramsPerMillilitre: 2000, resultingReservoirMicrolitres: 19_995))),
    LogRecord(time: 847_584_240, body: .clockChanged(ClockChangedRecord(previousTime: 847_584_000))),
    LogRecord(time: 847_584_300, body: .alarmRaised(AlarmRaisedRecord(alarm: .lowReservoir, detail: 1999))),
    LogRecord(time: 847_584_360, body: .alarmCleared(AlarmClearedRecord(alarm: .lowReservoir, cause: .acknowledged, detail: 1999))),
    LogRecord(time: 847_584_000, body: .dailyDelivery(DailyDeliveryRecord(basalVolumeNanolitres: 240_000, bolusVolumeNanolitres: 50_000, bolusCount: 1))),
]

/// In an exit test's child process: writes why it fails on stderr.
private func say(_ reason: String) { FileHandle.standardError.write(Data((reason + "\n").utf8)) }

/// A value of `T` whose 8-byte words are `word(0)`, `word(1)`, ...: for state structs never prepared.
private func garbage<T>(_: T.Type, _ word: (Int) -> UInt64) -> T {
    let value = UnsafeMutablePointer<T>.allocate(capacity: 1)
    defer { value.deallocate() }
    let raw = UnsafeMutableRawPointer(value)
    for i in 0..<(MemoryLayout<T>.size / 8) { raw.storeBytes(of: word(i), toByteOffset: 8 * i, as: UInt64.self) }
    return value.pointee
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

@Suite("C API contract (pumpwire.h)")
struct CAPIContractTests {
    // MARK: const arguments

    @Test("every const argument may lie in read-only memory: no entry point writes through one")
    func constArgumentsInReadOnlyMemory() throws {
        // Every message type, a fragmented prescription and a fragmented unknown message (through
        // the reassembler), and a log image with a record of every type.
        var messages = DeclaredMessages.allMessages
        messages.append(.prescriptionBlock(DeclaredMessages.prescription(steps: 48)))
        messages.append(.unknown(UnknownMessage(typeCode: 0x42, payload: try BoundedArray(elements: (0..<1024).map { UInt8($0 & 0xFF) }))))
        var input = ""
        for (index, message) in messages.enumerated() {
            for frame in frames(in: try message.encodedFrames(sequence: UInt16(index))) { input += "frame \(hex(frame))\n" }
        }
        input += "log \(hex(try LogRecord.image(of: everyRecord)))\n"

        let result = try probe(["readonly"], input: input)
        let lines = result.err.split(separator: "\n")
        let lastCall = lines.last { $0.hasPrefix("call ") } ?? "none"
        #expect(!result.signalled, "the probe faulted (signal \(result.status)) in: \(lastCall)")
        #expect(result.status == 0, "\(lines.filter { $0.hasPrefix("FAIL") }.joined(separator: "\n"))")
        #expect(lines.last?.hasPrefix("done") == true)
        #if !DEBUG
        // Optimised, no entry point touches the heap (a debug build instantiates generic metadata
        // on the heap at first use, so there the probe's count is only printed).
        #expect(lines.last?.hasSuffix(" 0 heap allocations during them") == true, "\(lines.last ?? "")")
        #endif

        // Every function of the header that takes a const pointer was called with one...
        let header = try String(contentsOf: packageRoot.appendingPathComponent("Sources/CPumpWire/include/pumpwire.h"), encoding: .utf8)
        let flat = header.replacing(/\s+/, with: " ")
        var withConst = Set<String>()
        for match in flat.matches(of: /(?:uint16_t|uint32_t|bool|void) (pw_[a-z0-9_]+)\(([^)]*)\);/) where match.2.contains("const ") {
            withConst.insert(String(match.1))
        }
        #expect(withConst.count >= 15)
        let called = Set(lines.compactMap { line -> String? in
            line.hasPrefix("call ") ? String(line.split(separator: " ")[1]) : nil
        })
        #expect(withConst.subtracting(called).isEmpty, "never called: \(withConst.subtracting(called).sorted())")
        // ...with every message type and every record type, the two alarm records among them.
        for type in [0x01, 0x02, 0x03, 0x04, 0x05, 0x81, 0x84, 0x85, 0xF0, 0xF1, 0x42] {
            #expect(lines.contains("call pw_message_encode type=0x\(String(format: "%02x", type))"), "message type \(type)")
        }
        for record in everyRecord {
            var alarm = 0
            if case .alarmRaised(let body) = record.body { alarm = Int(body.alarm.rawValue) }
            if case .alarmCleared(let body) = record.body { alarm = Int(body.alarm.rawValue) }
            let line = "call pw_log_record_encode record_type=0x\(String(format: "%02x", record.recordType.rawValue)) alarm=\(alarm)"
            #expect(lines.contains(Substring(line)), "\(line)")
        }
    }

    // MARK: no heap

    @Test("the first CRC calls of a process allocate nothing: the slicing tables are constants")
    func firstCRCCallAllocatesNothing() throws {
        let result = try probe(["allocations"])
        #expect(result.status == 0 && !result.signalled, "\(result.out)\(result.err)")
        #expect(result.out.hasPrefix("allocations 0 "))
    }

    // MARK: hostile sizes

    @Test("pw_scanner_resynchronize takes any size_t: at or past the end of the stream it moves to the end")
    func resynchronizeAnySize() async {
        report(await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let frame = frameBytes(type: 0x01, payload: [])
            let stream = frame + frame  // two frames, 11 bytes each
            var scanner = pw_scanner()
            var event = pw_scan_event()
            // size_t values as Swift imports them: SIZE_MAX / 2 is Int.max, SIZE_MAX is -1.
            for start in [Int.max, -1, Int.min, stream.count, stream.count + 1, Int.max - 1] {
                let found = stream.withUnsafeBufferPointer { bytes -> Bool in
                    _ = CPumpWire.pw_scanner_init(&scanner, bytes.baseAddress, bytes.count)
                    _ = CPumpWire.pw_scanner_next(&scanner, &event)
                    CPumpWire.pw_scanner_resynchronize(&scanner, start)
                    return CPumpWire.pw_scanner_next(&scanner, &event)
                }
                if found { say("resynchronize(\(start)) left events to read"); exit(1) }
            }
            // Inside the stream it goes on from the next sync word after `start`.
            let second = stream.withUnsafeBufferPointer { bytes -> Int in
                _ = CPumpWire.pw_scanner_init(&scanner, bytes.baseAddress, bytes.count)
                CPumpWire.pw_scanner_resynchronize(&scanner, 0)
                return CPumpWire.pw_scanner_next(&scanner, &event) ? event.start : -1
            }
            if second != frame.count { say("resynchronize(0) went to \(second)"); exit(1) }
        })
    }

    @Test("a caller that skips everything with (size_t)-1 reaches the end")
    func skipEverythingTerminates() async {
        report(await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let stream = Array(repeating: frameBytes(type: 0x01, payload: []), count: 4).joined().map { $0 }
            var scanner = pw_scanner()
            var event = pw_scan_event()
            var events = 0
            stream.withUnsafeBufferPointer { bytes in
                _ = CPumpWire.pw_scanner_init(&scanner, bytes.baseAddress, bytes.count)
                while CPumpWire.pw_scanner_next(&scanner, &event) {
                    events += 1
                    if events > 100 { say("the scanner never ends"); exit(1) }
                    CPumpWire.pw_scanner_resynchronize(&scanner, -1)  // (size_t)-1: "skip everything"
                }
            }
            if events != 1 { say("\(events) events"); exit(1) }
        })
    }

    @Test("FrameScanner.resynchronize takes any Int")
    func coreResynchronizeAnyInt() async {
        report(await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let stream = frameBytes(type: 0x01, payload: []) + frameBytes(type: 0x01, payload: [])
            for start in [Int.max, Int.max - 1, stream.count, stream.count + 1, stream.count - 1, -1, Int.min] {
                let next = stream.withUnsafeBytes { raw -> ScanEvent? in
                    var scanner = FrameScanner(raw)
                    scanner.resynchronize(afterFrameAt: start)
                    return scanner.next()
                }
                // At or past the end: nothing more. Before the stream: the first sync word after
                // `start`, the frame at 0.
                var fine = next == nil
                if start < 0, case .frame(_, let at)? = next { fine = at == 0 }
                if !fine { say("resynchronize(afterFrameAt: \(start)) gave \(String(describing: next))"); exit(1) }
            }
        })
    }

    // MARK: the order of an encoder's refusals

    @Test("pw_frame_encode: a payload over 240 bytes is PAYLOAD_TOO_LARGE at 7 whatever the buffer (PW-FRAME-5, PW-ENC-5)")
    func frameEncodePayloadTooLarge() throws {
        var frame = pw_frame()
        frame.sequence = 3
        // A 48-step prescription: 309 payload bytes.
        let payload = rawPayload(DeclaredMessages.prescription(steps: 48))
        var offset: UInt32 = 0
        let decoded = payload.withUnsafeBufferPointer { CPumpWire.pw_message_decode(0x02, $0.baseAddress, $0.count, &frame.message, &offset) }
        #expect(decoded == 0)
        var out = [UInt8](repeating: 0, count: Int(PW_MAX_FRAME_SIZE))
        var written = 0
        for capacity in [Int(PW_MAX_FRAME_SIZE), 2000, 0, 100] {
            out = [UInt8](repeating: 0, count: max(capacity, 1))
            offset = 99
            let code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_frame_encode(&frame, $0.baseAddress, capacity, &written, &offset) }
            #expect(code == UInt16(PW_ERR_PAYLOAD_TOO_LARGE.rawValue) && offset == 7, "capacity \(capacity): \(code)@\(offset)")
        }
        // An unknown message of 1000 bytes, and a fragment whose data makes a 244-byte payload.
        frame.message.type = 0x42
        frame.message.body.unknown.length = 1000
        var code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_frame_encode(&frame, $0.baseAddress, $0.count, &written, &offset) }
        #expect(code == UInt16(PW_ERR_PAYLOAD_TOO_LARGE.rawValue) && offset == 7)
        frame = pw_frame()
        frame.flags = UInt8(PW_FRAME_FRAGMENT.rawValue)
        frame.fragment.message_type = 0x02
        frame.fragment.index = 0
        frame.fragment.count = 2
        frame.fragment.total_length = 300
        frame.fragment.data_length = 240
        code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_frame_encode(&frame, $0.baseAddress, $0.count, &written, &offset) }
        #expect(code == UInt16(PW_ERR_PAYLOAD_TOO_LARGE.rawValue) && offset == 7, "\(code)@\(offset)")
        // A fragment header a decoder rejects is refused as such even into a 4-byte buffer (5.2).
        frame.fragment.count = 1
        frame.fragment.data_length = 10
        code = out.withUnsafeMutableBufferPointer { CPumpWire.pw_frame_encode(&frame, $0.baseAddress, 4, &written, &offset) }
        #expect(code == UInt16(PW_ERR_FRAGMENT_COUNT_INVALID.rawValue) && offset == 10, "\(code)@\(offset)")
    }

    /// An encoder's answer for `message` into `capacity` bytes (of a buffer large enough).
    private func encode(_ message: inout pw_message, frames: Bool, capacity: Int) -> (code: UInt16, offset: UInt32, bytes: [UInt8]) {
        var out = [UInt8](repeating: 0xEE, count: Int(PW_MAX_ENCODED_MESSAGE_SIZE) + 16)
        var written = 0
        var offset: UInt32 = 0xFFFF_FFFF
        let code = out.withUnsafeMutableBufferPointer { buffer in
            frames
                ? CPumpWire.pw_message_encode_frames(&message, 9, nil, buffer.baseAddress, capacity, &written, &offset)
                : CPumpWire.pw_message_encode(&message, buffer.baseAddress, capacity, &written, &offset)
        }
        #expect(out[min(capacity, out.count - 16)...].allSatisfy { $0 == 0xEE }, "a write past the capacity")
        return (code, offset, code == 0 ? Array(out[..<written]) : [])
    }

    @Test("an encoder refuses a value with the decoder's error whatever the size of its buffer (PW-ENC-5)")
    func valueErrorsBeforeBufferErrors() throws {
        // Messages a decoder rejects, one error each; every capacity gives the same answer.
        var refill = pw_message()
        refill.type = UInt8(PW_TYPE_REFILL_CONFIRMATION.rawValue)
        refill.body.refill_confirmation.drug = 9
        var prescription = pw_message()
        let payload = rawPayload(DeclaredMessages.prescription(steps: 48))
        var offset: UInt32 = 0
        _ = payload.withUnsafeBufferPointer { CPumpWire.pw_message_decode(0x02, $0.baseAddress, $0.count, &prescription, &offset) }
        prescription.body.prescription_block.steps.20.start_minute = 1439  // out of order
        var status = pw_message()
        status.type = UInt8(PW_TYPE_PUMP_STATUS.rawValue)
        status.body.pump_status.model.length = 3  // unprintable text
        for var message in [refill, prescription, status] {
            for frames in [false, true] {
                let reference = encode(&message, frames: frames, capacity: Int(PW_MAX_ENCODED_MESSAGE_SIZE))
                #expect(reference.code != 0 && reference.code != UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
                let differing = (0..<400).filter { capacity in
                    let small = encode(&message, frames: frames, capacity: capacity)
                    return small.code != reference.code || small.offset != reference.offset
                }
                #expect(differing.isEmpty, "type \(message.type), frames \(frames): not \(reference.code)@\(reference.offset) with capacities \(differing.prefix(5))...")
            }
        }
        // A valid message into too small a buffer is BUFFER_TOO_SMALL, never a write past it.
        var valid = pw_message()
        let receipt = rawPayload(DeclaredMessages.refill)
        _ = receipt.withUnsafeBufferPointer { CPumpWire.pw_message_decode(0x04, $0.baseAddress, $0.count, &valid, &offset) }
        for frames in [false, true] {
            let whole = encode(&valid, frames: frames, capacity: 200)
            #expect(whole.code == 0 && whole.bytes.count == (frames ? 32 : 21))
            let refused = (0..<whole.bytes.count).filter { encode(&valid, frames: frames, capacity: $0).code == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue) }
            #expect(refused.count == whole.bytes.count)
        }
    }

    @Test("pw_log_record_encode refuses a record a reader rejects before it looks at its output")
    func logRecordValueErrorFirst() {
        var record = pw_log_record()
        record.record_type = 0x07  // no such record type (PW-LOG-1 step 4)
        var offset: UInt32 = 99
        let code = CPumpWire.pw_log_record_encode(&record, nil, &offset)
        #expect(code == UInt16(PW_ERR_FIELD_OUT_OF_RANGE.rawValue) && offset == 0, "\(code)@\(offset)")
        record.record_type = UInt8(PW_RECORD_CLOCK_CHANGED.rawValue)
        record.time = 847_584_000
        let valid = CPumpWire.pw_log_record_encode(&record, nil, &offset)
        #expect(valid == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue))
    }

    @Test("every catalogue payload fits the encoders' stack scratch (WireLimits.largestMessagePayload)")
    func largestPayload() {
        let largest = Message.prescriptionBlock(DeclaredMessages.prescription(steps: WireLimits.maxDaySteps)).payloadSize
        #expect(largest == WireLimits.largestMessagePayload)
        // The others at their largest, field by field (spec section 9).
        #expect(WireLimits.chunkHeaderSize + WireLimits.chunkDataSize <= WireLimits.largestMessagePayload)
        #expect(2 * (1 + WireLimits.maxTextLength) + 24 <= WireLimits.largestMessagePayload)  // pumpStatus
        #expect(1 + 6 + 5 + 9 + 1 + WireLimits.maxPeriodicBoluses * 8 <= WireLimits.largestMessagePayload)  // bolusSchedule
    }

    @Test("the core's encoders refuse a value with the decoder's error whatever the size of the buffer")
    func coreValueErrorsBeforeBufferErrors() throws {
        var steps = DeclaredMessages.prescription(steps: 48)
        steps.steps[20] = DayProfileStep(startMinute: 1439, doseRateNanogramsPerDay: 5)
        let invalid: [Message] = [
            .prescriptionBlock(steps),
            .unknown(UnknownMessage(typeCode: 0x02, payload: try BoundedArray(elements: [1, 2, 3]))),
        ]
        func frameError(_ message: Message, capacity: Int) -> PumpWireError? {
            var buffer = [UInt8](repeating: 0, count: capacity)
            return buffer.withUnsafeMutableBytes { raw in
                caught { () throws(PumpWireError) in _ = try FrameEncoder.encode(message, sequence: 1, into: raw) }
            }
        }
        func payloadError(_ message: Message, capacity: Int) -> PumpWireError? {
            var buffer = [UInt8](repeating: 0, count: capacity)
            return buffer.withUnsafeMutableBytes { raw in
                caught { () throws(PumpWireError) in
                    var writer = ByteWriter(raw)
                    try message.encodePayload(into: &writer)
                }
            }
        }
        for message in invalid {
            let reference = try #require(frameError(message, capacity: 2000))
            let payloadReference = try #require(payloadError(message, capacity: 2000))
            #expect(reference.code != .bufferTooSmall && payloadReference.code == reference.code)
            for capacity in [0, 1, 8, 9, 30, 100, 300] {
                let error = frameError(message, capacity: capacity)
                #expect(error == reference, "\(message.typeCode) into \(capacity): \(String(describing: error))")
                let payload = payloadError(message, capacity: capacity)
                #expect(payload == payloadReference, "\(message.typeCode) payload into \(capacity): \(String(describing: payload))")
            }
        }
        // A log record: its time may not be "never" (PW-LOG-1 step 6), whatever the buffer.
        let record = LogRecord(time: 0xFFFF_FFFF, body: .clockChanged(ClockChangedRecord(previousTime: 0)))
        var small = [UInt8](repeating: 0, count: 4)
        let error = small.withUnsafeMutableBytes { raw in caught { () throws(PumpWireError) in try record.encode(into: raw) } }
        #expect(error?.code == .fieldOutOfRange, "\(String(describing: error))")
    }

    // MARK: state structs that init never prepared

    @Test("a state struct its init function never prepared is refused, never read (zeroed, garbage, overwritten)")
    func unpreparedStates() async {
        report(await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            func failed(_ what: String) -> Never { say("\(what)"); exit(1) }
            let tooSmall = UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue)
            // Garbage that points nowhere, with a position before an end: read, it faults.
            let patterns: [(Int) -> UInt64] = [
                { _ in 0 }, { _ in ~0 }, { _ in 0x4141_4141_4141_4141 },
                { ([0x1000, 5000, 0, 0, 0, 0] as [UInt64])[$0 % 6] }, { ([0, 0x1000, 5000, 0, 0, 0] as [UInt64])[$0 % 6] },
                { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 },
            ]
            var event = pw_scan_event()
            var item = pw_log_item()
            var frame = pw_frame()
            var message = pw_message()
            var progress: UInt8 = 0
            var offset: UInt32 = 0
            let fragment = frameBytes(type: 0x02, flags: 1, payload: [0, 2, 0x2C, 0x01] + [UInt8](repeating: 0, count: 236))
            let decoded = fragment.withUnsafeBufferPointer { CPumpWire.pw_frame_decode($0.baseAddress, $0.count, &frame, &offset) }
            if decoded != 0 { failed("fragment \(decoded)") }
            for (index, pattern) in patterns.enumerated() {
                var scanner = garbage(pw_scanner.self, pattern)
                if CPumpWire.pw_scanner_next(&scanner, &event) { failed("scanner \(index): an event") }
                CPumpWire.pw_scanner_resynchronize(&scanner, 0)
                if CPumpWire.pw_scanner_next(&scanner, &event) { failed("scanner \(index): an event after resynchronize") }
                var reader = garbage(pw_log_reader.self, pattern)
                if CPumpWire.pw_log_reader_next(&reader, &item) { failed("log reader \(index): an item") }
                var reassembler = garbage(pw_reassembler.self, pattern)
                if CPumpWire.pw_reassembler_in_progress(&reassembler) { failed("reassembler \(index): in progress") }
                if CPumpWire.pw_reassembler_add(&reassembler, &frame, &progress, &offset) != tooSmall || offset != 0 { failed("reassembler \(index): add") }
                if CPumpWire.pw_reassembler_take_message(&reassembler, &message, &offset) != tooSmall { failed("reassembler \(index): take") }
                if CPumpWire.pw_reassembler_give_up(&reassembler, &offset) != tooSmall { failed("reassembler \(index): give up") }
            }
        })
    }

    @Test("a prepared state with any one byte changed is refused; a copy of it works as the original")
    func overwrittenStates() async {
        report(await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            var failures = 0
            func check(_ condition: Bool, _ what: String) {
                if !condition { say("\(what)"); failures += 1 }
            }
            let stream = frameBytes(type: 0x01, payload: []) + frameBytes(type: 0x01, payload: [])
            stream.withUnsafeBufferPointer { bytes in
                var original = pw_scanner()
                _ = CPumpWire.pw_scanner_init(&original, bytes.baseAddress, bytes.count)
                var event = pw_scan_event()
                for index in 0..<CStateStorage.usedBytes(FrameScanner.self) {
                    var changed = original
                    withUnsafeMutableBytes(of: &changed) { $0[index] ^= 0x20 }
                    check(!CPumpWire.pw_scanner_next(&changed, &event), "scanner, byte \(index) changed: an event")
                }
                var copy = original
                check(CPumpWire.pw_scanner_next(&copy, &event) && event.start == 0, "a copied scanner: no first frame")
                check(CPumpWire.pw_scanner_next(&copy, &event) && event.start == 11, "a copied scanner: no second frame")
                check(!CPumpWire.pw_scanner_next(&copy, &event), "a copied scanner: no end")
            }
            var reassembler = pw_reassembler()
            _ = CPumpWire.pw_reassembler_init(&reassembler)
            var offset: UInt32 = 0
            for index in stride(from: 0, to: CStateStorage.usedBytes(Reassembler.self), by: 7) {
                var changed = reassembler
                withUnsafeMutableBytes(of: &changed) { $0[index] ^= 0x01 }
                check(CPumpWire.pw_reassembler_give_up(&changed, &offset) == UInt16(PW_ERR_BUFFER_TOO_SMALL.rawValue),
                      "reassembler, byte \(index) changed: accepted")
            }
            check(CPumpWire.pw_reassembler_give_up(&reassembler, &offset) == 0, "the prepared reassembler refused")
            let image = try! LogRecord.image(of: everyRecord)
            image.withUnsafeBufferPointer { bytes in
                var reader = pw_log_reader()
                _ = CPumpWire.pw_log_reader_init(&reader, bytes.baseAddress, bytes.count, 0, 0, &offset)
                var item = pw_log_item()
                for index in 0..<CStateStorage.usedBytes(LogReader.self) {
                    var changed = reader
                    withUnsafeMutableBytes(of: &changed) { $0[index] ^= 0x80 }
                    check(!CPumpWire.pw_log_reader_next(&changed, &item), "log reader, byte \(index) changed: an item")
                }
                var items = 0
                while CPumpWire.pw_log_reader_next(&reader, &item) { items += 1 }
                check(items == everyRecord.count, "\(items) items from the prepared log reader")
            }
            if failures > 0 { exit(1) }
        })
    }
}
