import PumpWire
import PumpWireCore
import PumpWireSecurity

/// Plays one pump scenario (spec/conformance.md section 4) against a testee's pump hooks (2.4.11),
/// as the programmer would: it numbers requests, fragments and seals them, opens the answers,
/// resumes a memory review, and compares each step with its expectations (PW-CONF-6).
struct PumpScenarioPlayer {
    typealias Ask = (TesteeRequest) throws(Abort) -> TesteeResponse

    /// Why a step failed: a testee that broke the protocol, or an answer that differs.
    enum StepError: Error {
        case abort(Abort)
        case mismatch(String)
    }

    let name: String
    let scenario: JSONValue
    let provider = SwiftCryptoProvider()
    var stepIndex = 0
    /// The next new request's `sequence` (4.1: 1 for the first) and the last one sent.
    var nextSequence: UInt16 = 1
    var lastSequence: UInt16 = 0
    /// The last request sent, for `retransmit`, and its frames as sent, for `replayed`.
    var lastRequest: (type: UInt8, payload: [UInt8], commandId: UInt32?, sealed: Bool)?
    var lastFrames: [[UInt8]] = []
    var pumpPublicKey: Bytes32?
    var deviceKeys: [Bytes32?] = [nil, nil, nil, nil]
    /// The last command id per slot, as the runner has seen it (4.1).
    var commandIds: [UInt32] = [0, 0, 0, 0]
    var session: SecureSession<SwiftCryptoProvider>?
    var sessionSlot: UInt8?

    /// The conformance profile's regions (behaviour.md Appendix P).
    static let regionSizes: [MemoryRegion: UInt32] = [.eventLog: 5120, .alarmLog: 1280, .therapyHistory: 2560, .rawAddress: 8960]

    static let requestTypes: [String: UInt8] = [
        "interrogationRequest": 0x01, "prescriptionBlock": 0x02, "bolusSchedule": 0x03, "refillConfirmation": 0x04,
        "memoryDumpRequest": 0x05, "patientBolusRequest": 0x06, "deviceEnrollment": 0x12, "deviceRevocation": 0x13,
        "sessionClose": 0x14,
    ]
    /// The types whose sealed payload starts with a `commandId` (security.md PW-SEC-13).
    static let commandTypes: Set<UInt8> = [0x02, 0x03, 0x04, 0x06, 0x12, 0x13]

    init(name: String, scenario: JSONValue) {
        self.name = name
        self.scenario = scenario
    }

    mutating func play(_ ask: Ask) throws(Abort) -> Verdict {
        do {
            try reset(ask)
            for (index, step) in (scenario["steps"]?.arrayValue ?? []).enumerated() {
                stepIndex = index
                try run(step, ask)
            }
            return .pass
        } catch {
            switch error {
            case .abort(let abort): throw abort
            case .mismatch(let detail): return .fail("wrong-value", "step \(stepIndex): \(detail)")
            }
        }
    }

    // MARK: - Steps

    mutating func run(_ step: JSONValue, _ ask: Ask) throws(StepError) {
        if let message = step["send"] {
            try send(message, step, ask)
        } else if let seconds = step["advance"]?.integerValue {
            try expectOK(.pumpAdvance(seconds: UInt32(clamping: seconds)), ask, "PUMP_ADVANCE")
        } else if let time = step["setClock"]?.integerValue {
            try expectOK(.pumpSetClock(UInt32(clamping: time)), ask, "PUMP_SET_CLOCK")
        } else if let millivolts = step["setBattery"]?.integerValue {
            try expectOK(.pumpSetBattery(millivolts: UInt16(clamping: millivolts)), ask, "PUMP_SET_BATTERY")
        } else if step["restart"] != nil {
            try expectOK(.pumpRestart, ask, "PUMP_RESTART")
            session = nil  // the pump's session ended with it (PW-PUMP-22)
            sessionSlot = nil
        } else if let open = step["openSession"] {
            try openSession(open, step["expect"], ask)
        } else if let state = step["expectState"] {
            try expectState(state, ask)
        } else if let log = step["expectLog"] {
            try expectLog(log, ask)
        } else if let review = step["review"] {
            try self.review(review, step, ask)
        } else {
            throw .mismatch("a step with no action the runner knows")
        }
    }

    mutating func reset(_ ask: Ask) throws(StepError) {
        let pump = scenario["pump"]
        var security: PumpReset.Security?
        if let secure = pump?["security"], secure != .null {
            let identity = try testIdentity(kind: .pump, seed: secure["pumpSeed"]?.stringValue)
            pumpPublicKey = identity.staticPublicKey
            var slots: [PumpSetup.Slot] = []
            for index in 0..<4 {
                let slot = secure["slots"]?.arrayValue?.dropFirst(index).first
                guard let slot, slot != .null else {
                    slots.append(PumpSetup.Slot(role: 0, staticPublic: [UInt8](repeating: 0, count: 32), lastCommandId: 0))
                    continue
                }
                let device = try testIdentity(kind: .device, seed: slot["deviceSeed"]?.stringValue)
                deviceKeys[index] = device.staticPrivateKey
                let last = UInt32(clamping: slot["lastCommandId"]?.integerValue ?? 0)
                commandIds[index] = last
                slots.append(PumpSetup.Slot(role: slot["role"]?.stringValue == "patient" ? 2 : 1,
                                            staticPublic: device.staticPublicKey.byteArray, lastCommandId: last))
            }
            security = PumpReset.Security(
                staticPrivate: identity.staticPrivateKey.byteArray, pairingSecret: identity.pairingSecret?.byteArray ?? [UInt8](repeating: 0, count: 32),
                pairingWindowOpen: secure["pairingWindowOpen"]?.boolValue ?? false,
                sessionCount: UInt32(clamping: secure["sessionCount"]?.integerValue ?? 0), slots: slots)
        }
        let reset = PumpReset(clock: UInt32(clamping: pump?["clock"]?.integerValue ?? 0),
                              batteryMillivolts: UInt16(clamping: pump?["batteryMillivolts"]?.integerValue ?? 3000), security: security)
        try expectOK(.pumpReset(reset), ask, "PUMP_RESET")
    }

    func testIdentity(kind: TestIdentity.Kind, seed: String?) throws(StepError) -> TestIdentity {
        guard let seed else { throw .mismatch("the scenario's pump security names no seed") }
        do { return try TestIdentity.make(kind: kind, name: seed, seed: seed) } catch {
            throw .mismatch("no test identity from seed \(seed): \(error)")
        }
    }

    /// `send`: the request's frames, after the step's fault, and the answers compared with `expect`.
    mutating func send(_ message: JSONValue, _ step: JSONValue, _ ask: Ask) throws(StepError) {
        let fault = step["fault"]?.stringValue
        var frames: [[UInt8]]
        var sequence: UInt16
        if fault == "replayed" {
            frames = lastFrames
            sequence = lastSequence
        } else {
            let retransmit = step["retransmit"]?.boolValue ?? false
            let sealed = step["sealed"]?.boolValue ?? false
            guard let typeName = message["messageType"]?.stringValue, let type = Self.requestTypes[typeName] else {
                throw .mismatch("a message type the runner cannot send: \(message["messageType"]?.text(indent: nil) ?? "none")")
            }
            let payload = try Self.payload(type: type, message: message["message"] ?? .object([]), keys: self)
            sequence = retransmit ? lastSequence : nextSequence
            if !retransmit { nextSequence &+= 1 }
            var commandId: UInt32?
            if sealed && Self.commandTypes.contains(type) {
                if let given = message["message"]?["commandId"]?.integerValue {
                    commandId = UInt32(clamping: given)
                } else if retransmit, let last = lastRequest?.commandId {
                    commandId = last
                } else {
                    commandId = commandIds[Int(sessionSlot ?? 0)] &+ 1
                }
                if let id = commandId, let slot = sessionSlot { commandIds[Int(slot)] = max(commandIds[Int(slot)], id) }
            }
            frames = try self.frames(type: type, payload: payload, commandId: commandId, sealed: sealed, sequence: sequence)
            lastRequest = (type, payload, commandId, sealed)
            lastSequence = sequence
            lastFrames = frames
        }
        let lost = Set((step["lostFragments"]?.arrayValue ?? []).compactMap { $0.integerValue.map(Int.init) })
        var delivered: [[UInt8]] = []
        for (index, frame) in frames.enumerated() where !lost.contains(index) {
            switch fault {
            case "lost": continue
            case "corrupted":
                var damaged = frame
                damaged[damaged.count - 1] ^= 0x01
                delivered.append(damaged)
            case "duplicated": delivered += [frame, frame]
            default: delivered.append(frame)
            }
        }
        var answers: [[UInt8]] = []
        for frame in delivered { answers += try deliver(frame, ask) }
        guard let expected = step["expect"]?.arrayValue else { return }
        try compare(answers, expected, sequence: sequence)
    }

    /// PUMP_FRAME: one frame to the pump, its answers back.
    func deliver(_ frame: [UInt8], _ ask: Ask) throws(StepError) -> [[UInt8]] {
        let response = try call(.pumpFrame(ephemeralPrivate: ephemeralKey("pump").byteArray, frame: frame), ask)
        guard case .ok(let data) = response else { throw .mismatch("PUMP_FRAME answered \(Self.describe(response))") }
        var reader = WireBytes.Reader(data)
        guard let count = reader.u8() else { throw .mismatch("PUMP_FRAME answered OK without a count") }
        var answers: [[UInt8]] = []
        for _ in 0..<count {
            guard let answer = reader.lengthPrefixed() else { throw .mismatch("PUMP_FRAME's answer frames do not fit its data") }
            answers.append(answer)
        }
        guard reader.isAtEnd else { throw .mismatch("PUMP_FRAME's data has bytes after its \(count) frames") }
        return answers
    }

    /// The ephemeral key of this step (4.1): SHA-256 of `PumpWire scenario NAME step N SIDE`.
    func ephemeralKey(_ side: String) -> Bytes32 {
        let text = Array("PumpWire scenario \(name) step \(stepIndex) \(side)".utf8)
        return text.withUnsafeBytes { first in [UInt8]().withUnsafeBytes { provider.sha256(first, $0) } }
    }

    /// The frames of a request: one, or its fragments (PW-FRAG-1); sealed in the session if asked.
    mutating func frames(type: UInt8, payload: [UInt8], commandId: UInt32?, sealed: Bool, sequence: UInt16) throws(StepError) -> [[UInt8]] {
        if sealed {
            guard session != nil else { throw .mismatch("a sealed request with no session open") }
            let plaintext = (commandId.map { WireBytes.u32($0) } ?? []) + payload
            do { return try session!.sealPayload(plaintext, type: type, sequence: sequence) } catch {
                throw .mismatch("cannot seal the request: \(error)")
            }
        }
        let bytes: [UInt8]
        do {
            bytes = try Message.decode(typeCode: type, payload: payload).encodedFrames(sequence: sequence)
        } catch {
            throw .mismatch("the scenario's message does not encode: \(error)")
        }
        return Self.split(bytes)
    }

    /// Back-to-back frames cut apart by their headers' lengths.
    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var start = 0
        while start + WireLimits.headerSize <= bytes.count {
            let sealed = bytes[start + 4] & FrameFlags.authenticated.rawValue != 0
            let length = WireLimits.headerSize + (Int(bytes[start + 7]) | Int(bytes[start + 8]) << 8)
                + (sealed ? WireLimits.authenticationBlockSize : 0) + WireLimits.crcSize
            frames.append(Array(bytes[start..<min(bytes.count, start + length)]))
            start += length
        }
        return frames
    }

    /// A request's payload from its JSON view (pumpwire-v1.md 12) or, for the security layer's
    /// requests, from the fields of their tables (security.md 9 and 10), without a `commandId`.
    static func payload(type: UInt8, message: JSONValue, keys: PumpScenarioPlayer) throws(StepError) -> [UInt8] {
        func u32(_ key: String) -> [UInt8] { WireBytes.u32(UInt32(clamping: message[key]?.integerValue ?? 0)) }
        switch type {
        case 0x06: return u32("doseNanograms") + u32("requestTime")
        case 0x14: return []
        case 0x13: return [UInt8(clamping: message["slot"]?.integerValue ?? 0)]
        case 0x12:
            let device = try keys.testIdentity(kind: .device, seed: message["deviceSeed"]?.stringValue)
            return [UInt8(clamping: message["slot"]?.integerValue ?? 0), message["role"]?.stringValue == "patient" ? 2 : 1]
                + device.staticPublicKey.byteArray
        default:
            let fields: [(String, JSONValue)]
            if case .object(let members) = message { fields = members.filter { $0.0 != "commandId" } } else { fields = [] }
            let name = requestTypes.first { $0.value == type }?.key ?? ""
            let view = JSONValue.object([("messageType", .string(name)), ("typeCode", .integer(Int64(type))), ("sequence", .integer(1)),
                                         ("authentication", .null), ("message", .object(fields))])
            do {
                guard let frame = try PumpWireJSON.frames(from: view.text()).first, case .message(let decoded) = frame.content else {
                    throw StepError.mismatch("the scenario's \(name) is not a message")
                }
                return try decoded.encodedPayload()
            } catch let error as StepError {
                throw error
            } catch {
                throw .mismatch("the scenario's \(name) does not read as its JSON view: \(error)")
            }
        }
    }

    /// The answers against `expect`: as many, each of the type, with the request's `sequence`, and
    /// the listed fields equal.
    mutating func compare(_ answers: [[UInt8]], _ expected: [JSONValue], sequence: UInt16) throws(StepError) {
        let views = try answers.map { (answer) throws(StepError) in try view(of: answer) }
        guard views.count == expected.count else {
            throw .mismatch("expected \(expected.count) answers, the pump sent \(views.count): "
                + views.map { $0["messageType"]?.stringValue ?? "?" }.joined(separator: ", "))
        }
        for (index, (view, expect)) in zip(views, expected).enumerated() {
            let type = view["messageType"]?.stringValue ?? "?"
            if let want = expect["messageType"]?.stringValue, want != type {
                throw .mismatch("answer \(index) is a \(type), expected a \(want): \(view["message"]?.text(indent: nil) ?? "")")
            }
            if view["sequence"]?.integerValue != Int64(sequence) {
                throw .mismatch("answer \(index) carries sequence \(view["sequence"]?.integerValue ?? -1), the request's is \(sequence)")
            }
            if let difference = Self.difference(expect["message"], view["message"]) {
                throw .mismatch("answer \(index) (\(type)): \(difference)")
            }
        }
    }

    /// An answer's frame, opened in the session when sealed.
    mutating func frame(of answer: [UInt8]) throws(StepError) -> Frame {
        do {
            if answer.count > 4, answer[4] & FrameFlags.authenticated.rawValue != 0 {
                guard session != nil else { throw StepError.mismatch("a sealed answer with no session open") }
                return try session!.open(answer)
            }
            return try Frame.decode(answer)
        } catch let error as StepError {
            throw error
        } catch {
            throw .mismatch("an answer does not decode (\(error)): \(Hex.encode(answer.prefix(48)))")
        }
    }

    /// An answer's JSON view (pumpwire-v1.md 12).
    mutating func view(of answer: [UInt8]) throws(StepError) -> JSONValue {
        let frame = try self.frame(of: answer)
        do { return try PumpWireJSON.view(of: frame) } catch { throw .mismatch("an answer has no JSON view: \(error)") }
    }

    /// The first listed field of `expected` that `actual` does not hold equal, described; nil if none.
    static func difference(_ expected: JSONValue?, _ actual: JSONValue?) -> String? {
        guard case .object(let members)? = expected else { return nil }
        for (key, value) in members where actual?[key] != value {
            return "\(key) is \(actual?[key]?.text(indent: nil) ?? "absent"), expected \(value.text(indent: nil))"
        }
        return nil
    }

    // MARK: - Sessions

    mutating func openSession(_ open: JSONValue, _ expect: JSONValue?, _ ask: Ask) throws(StepError) {
        let slot = UInt8(clamping: open["slot"]?.integerValue ?? 0)
        guard slot < 4, let deviceKey = deviceKeys[Int(slot)], let pumpKey = pumpPublicKey else {
            throw .mismatch("openSession names slot \(slot), which the scenario's pump has no device for")
        }
        let sequence = nextSequence
        nextSequence &+= 1
        var started: (session: SecureSession<SwiftCryptoProvider>, request: [UInt8])
        do {
            started = try SecureSession.initiate(pattern: .kk, slot: slot, localStatic: deviceKey, remoteStatic: pumpKey,
                                                 ephemeral: ephemeralKey("device"), sequence: sequence, provider: provider)
        } catch {
            throw .mismatch("cannot start the handshake: \(error)")
        }
        let answers = try deliver(started.request, ask)
        guard answers.count == 1 else { throw .mismatch("the pump answered the handshakeRequest with \(answers.count) frames") }
        do { _ = try started.session.receiveResponse(answers[0]) } catch {
            throw .mismatch("the pump's answer to the handshakeRequest does not complete the handshake (\(error)): \(Hex.encode(answers[0].prefix(16)))")
        }
        guard let info = started.session.info else { throw .mismatch("no session info") }
        let actual = JSONValue.object([("slot", .integer(Int64(info.slot))), ("sessionEpoch", .integer(Int64(info.sessionEpoch))),
                                       ("lastCommandId", .integer(Int64(info.lastCommandId)))])
        if let difference = Self.difference(expect, actual) { throw .mismatch("session info: \(difference)") }
        session = started.session
        sessionSlot = slot
        commandIds[Int(slot)] = info.lastCommandId
        lastSequence = sequence
    }

    // MARK: - State and memory

    mutating func expectState(_ expected: JSONValue, _ ask: Ask) throws(StepError) {
        let response = try call(.pumpObserve, ask)
        guard case .ok(let data) = response,
              let state = data.withUnsafeBytes({ try? PumpObservation(decoding: $0) }) else {
            throw .mismatch("PUMP_OBSERVE answered \(Self.describe(response)), not 32 bytes")
        }
        let kinds = ["clinician", "priming", "periodic", "patient"]
        func flag(_ bit: Int) -> JSONValue { .bool(state.statusFlags & UInt8(1 << bit) != 0) }
        let actual = JSONValue.object([
            ("clock", .integer(Int64(state.clock))), ("reservoirNanolitres", .integer(Int64(state.reservoirNanolitres))),
            ("activeAlarms", .array(state.activeAlarms.setNames.map { .string($0) })),
            ("prescriptionStored", flag(0)), ("bolusScheduleStored", flag(1)), ("deliverySuspended", flag(2)),
            ("electiveReplacementIndicator", flag(3)),
            ("runningBoluses", .array(kinds.indices.filter { state.runningBoluses & UInt8(1 << $0) != 0 }.map { .string(kinds[$0]) })),
            ("basalDeliveredNanolitres", .integer(Int64(state.basalDeliveredNanolitres))),
            ("bolusDeliveredNanolitres", .integer(Int64(state.bolusDeliveredNanolitres))),
            ("lowReservoirAlarmTime", .integer(Int64(state.lowReservoirAlarmTime))),
            ("basalAccumulator", .integer(Int64(state.basalAccumulator))), ("recordsWritten", .integer(Int64(state.recordsWritten))),
        ])
        if let difference = Self.difference(expected, actual) { throw .mismatch("state: \(difference)") }
    }

    mutating func expectLog(_ log: JSONValue, _ ask: Ask) throws(StepError) {
        let region = try Self.region(log["region"])
        let size = Self.regionSizes[region] ?? 0
        let response = try call(.pumpReadMemory(region: region.rawValue, offset: 0, length: size), ask)
        guard case .ok(let bytes) = response, bytes.count == Int(size) else {
            throw .mismatch("PUMP_READ_MEMORY answered \(Self.describe(response))")
        }
        try compareRecords(MemoryImage(region: region, regionOffset: 0, bytes: bytes), log["records"], what: "\(region) records")
    }

    static func region(_ name: JSONValue?) throws(StepError) -> MemoryRegion {
        guard let region = MemoryRegion.names.first(where: { $0.value == name?.stringValue })?.key else {
            throw .mismatch("no region named \(name?.text(indent: nil) ?? "none")")
        }
        return region
    }

    /// The image's records (erased slots left out) against the expected list, field by listed field.
    func compareRecords(_ image: MemoryImage, _ expected: JSONValue?, what: String) throws(StepError) {
        var records: [JSONValue] = []
        for item in image.logItems {
            switch item {
            case .erased: continue
            case .record: records.append(PumpWireJSON.view(of: item))
            case .rejected: throw .mismatch("\(what): a damaged slot, \(PumpWireJSON.view(of: item).text(indent: nil))")
            }
        }
        let wanted = expected?.arrayValue ?? []
        for (index, (record, expect)) in zip(records, wanted).enumerated() {
            if let difference = Self.difference(expect, record) {
                throw .mismatch("\(what): record \(index): \(difference); the pump's: \(record.text(indent: nil))")
            }
        }
        guard records.count == wanted.count else {
            let extra = records.count > wanted.count ? "; the first extra: \(records[wanted.count].text(indent: nil))" : ""
            throw .mismatch("\(what): expected \(wanted.count) records, the pump holds \(records.count)\(extra)")
        }
    }

    /// `review`: a memory dump through the protocol, with lost chunks resumed (13.3).
    mutating func review(_ review: JSONValue, _ step: JSONValue, _ ask: Ask) throws(StepError) {
        let region = try Self.region(review["region"])
        let request = MemoryDumpRequest(region: region, offset: UInt32(clamping: review["offset"]?.integerValue ?? 0),
                                        length: UInt32(clamping: review["length"]?.integerValue ?? 0))
        let lost = Set((review["lostChunks"]?.arrayValue ?? []).compactMap { $0.integerValue.map(Int.init) })
        var requests = 1
        var first = ImageReassembler()
        for chunk in try dump(request, ask) where !lost.contains(Int(chunk.chunkIndex)) {
            do { _ = try first.add(chunk) } catch { throw .mismatch("the first transfer's chunk \(chunk.chunkIndex): \(error)") }
        }
        let image: MemoryImage
        do {
            if first.isComplete {
                image = try first.finish()
            } else {
                guard var assembly = ImageAssembly(first) else { throw StepError.mismatch("every chunk of the first transfer was lost") }
                for resume in assembly.resumeRequests() {
                    requests += 1
                    var part = ImageReassembler()
                    for chunk in try dump(resume, ask) { _ = try part.add(chunk) }
                    try assembly.fill(with: part.finish())
                }
                image = try assembly.finish()
            }
        } catch let error as StepError {
            throw error
        } catch {
            throw .mismatch("the review's image: \(error)")
        }
        if let wanted = step["requests"]?.integerValue, wanted != requests {
            throw .mismatch("the review took \(requests) dump requests, expected \(wanted)")
        }
        try compareRecords(image, step["records"], what: "reviewed \(region) records")
    }

    /// One dump request through the protocol (sealed when a session is open): its chunks.
    mutating func dump(_ request: MemoryDumpRequest, _ ask: Ask) throws(StepError) -> [MemoryDumpChunk] {
        let sequence = nextSequence
        nextSequence &+= 1
        lastSequence = sequence
        let payload: [UInt8]
        do { payload = try Message.memoryDumpRequest(request).encodedPayload() } catch { throw .mismatch("\(error)") }
        var chunks: [MemoryDumpChunk] = []
        for frame in try frames(type: MemoryDumpRequest.typeCode, payload: payload, commandId: nil, sealed: session != nil, sequence: sequence) {
            for answer in try deliver(frame, ask) {
                let opened = try self.frame(of: answer)
                guard case .message(.memoryDumpChunk(let chunk)) = opened.content, opened.sequence == sequence else {
                    let view = (try? PumpWireJSON.view(of: opened))?.text(indent: nil) ?? "?"
                    throw .mismatch("the dump request was answered by \(view)")
                }
                chunks.append(chunk)
            }
        }
        return chunks
    }

    // MARK: - Requests to the testee

    func call(_ request: TesteeRequest, _ ask: Ask) throws(StepError) -> TesteeResponse {
        do { return try ask(request) } catch { throw .abort(error) }
    }

    func expectOK(_ request: TesteeRequest, _ ask: Ask, _ what: String) throws(StepError) {
        let response = try call(request, ask)
        guard case .ok = response else { throw .mismatch("\(what) answered \(Self.describe(response))") }
    }

    static func describe(_ response: TesteeResponse) -> String {
        switch response {
        case .ok(let data): "OK \(Hex.encode(data.prefix(32)))"
        case .rejected(let code, let offset): "REJECTED \(code) at \(offset)"
        case .skipped: "SKIPPED"
        case .runtimeError(let message): "RUNTIME_ERROR \(message)"
        }
    }
}
