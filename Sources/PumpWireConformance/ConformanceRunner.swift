import Foundation
import PumpWire
import PumpWireCore

/// Runs the corpus against a testee and judges every vector (spec/conformance.md 1.1 and 2.5).
public struct ConformanceRunner {
    public var corpus: Corpus
    public var failureList: FailureList
    /// Run `jsonView` and `capture` vectors against this process's library and validator (only for the reference codec).
    public var checksLibraryJSON: Bool
    /// Called after each vector, for progress.
    public var progress: ((Int, Int) -> Void)?
    /// Recommended vectors count against the run too (spec/conformance.md 2.6).
    public var enforceRecommended = false
    /// Stop at the first vector that fails the run: a quick verdict, for mutation analysis.
    public var stopsAtFirstFailure = false
    /// Skip the vectors that ask for a time-out of their own (a slow implementation needs seconds
    /// for them): mutation analysis runs them only for the mutants that survive the rest.
    public var skipsSlowVectors = false

    public init(corpus: Corpus, failureList: FailureList = FailureList(), checksLibraryJSON: Bool) {
        self.corpus = corpus
        self.failureList = failureList
        self.checksLibraryJSON = checksLibraryJSON
    }

    public func run(_ testee: inout some Testee) -> RunReport {
        var results: [VectorResult] = []
        var crashesInARow = 0
        for (index, vector) in corpus.vectors.enumerated() {
            var result = judge(vector, on: &testee)
            if let listed = failureList.outcomes[vector.name] {
                if result.status == .pass {
                    result.status = .fail
                    result.detail = "listed as a known failure (\(listed)) but it passes: remove it from the list"
                } else if result.status != .skipped && result.outcome == listed {
                    result.status = .expectedFailure
                } else if result.status != .skipped {
                    result.detail = "listed as failing with \(listed), now fails with \(result.outcome): " + result.detail
                    result.status = .fail
                }
            }
            crashesInARow = result.status == .crash ? crashesInARow + 1 : 0
            results.append(result)
            progress?(index + 1, corpus.vectors.count)
            if crashesInARow >= 20 {
                for rest in corpus.vectors[(index + 1)...] {
                    results.append(Self.result(rest, .crash, "crash", "not run: the testee crashed 20 times in a row"))
                }
                break
            }
            if stopsAtFirstFailure && result.status.isFailure && (result.level == .required || enforceRecommended) { break }
        }
        var report = RunReport(testee: testee.name, capabilities: testee.capabilities, results: results)
        report.enforceRecommended = enforceRecommended
        report.stoppedEarly = results.count < corpus.vectors.count
        report.endingProblem = testee.finish()
        return report
    }

    static func result(_ vector: Vector, _ status: VectorResult.Status, _ outcome: String, _ detail: String) -> VectorResult {
        VectorResult(
            id: vector.id, name: vector.name, level: vector.level, kind: vector.kind, messageType: vector.messageType,
            requirements: vector.requirements, status: status, outcome: outcome, detail: detail)
    }

    /// The capability a vector needs (spec/conformance.md section 1): a `protocol` vector names its
    /// own, or none; nil for a kind or capability the runner does not know.
    static func capability(of vector: Vector) -> TesteeCapabilities? {
        guard vector.kind == "protocol" else { return capability(of: vector.kind) }
        return vector.json["capability"]?.stringValue.map { TesteeCapabilities(name: $0) } ?? []
    }

    /// The capability a kind needs (spec/conformance.md section 1).
    static func capability(of kind: String) -> TesteeCapabilities? {
        switch kind {
        case "decodeFrame": .decode
        case "crc16", "crc32": .crc
        case "reassembly": .reassembly
        case "stream": .stream
        case "derived": .derived
        case "session": .session
        case "dump": .dump
        case "log": .log
        case "secureHandshake", "sealedFrame", "sealedRejection", "lowOrderKey", "securePump": .secure
        case ScenarioVectors.kind: .pump
        default: nil
        }
    }

    private func judge(_ vector: Vector, on testee: inout some Testee) -> VectorResult {
        if skipsSlowVectors, vector.json["timeout"] != nil {
            return Self.result(vector, .skipped, "skipped", "a slow vector, not run (--skip-slow)")
        }
        if vector.kind == "jsonView" {
            guard checksLibraryJSON else { return Self.result(vector, .skipped, "skipped", "JSON views are checked in the reference library only") }
            return JSONViewJudge.judge(vector)
        }
        if vector.kind == "capture" {
            guard checksLibraryJSON else {
                return Self.result(vector, .skipped, "skipped", "captures are checked against a validator: `pumpwire validate --format json`")
            }
            return CaptureJudge.judge(vector)
        }
        guard let capability = Self.capability(of: vector) else {
            return Self.result(vector, .fail, "wrong-value", "unknown vector kind \(vector.kind) or capability")
        }
        guard testee.capabilities.contains(capability) else {
            return Self.result(vector, .skipped, "skipped", "the testee does not declare \(capability.names.joined())")
        }
        var exchange = Exchange(testee: testee)
        let verdict = exchange.judge(vector)
        testee = exchange.testee
        return Self.result(vector, verdict.status, verdict.outcome, verdict.detail)
    }
}

/// How one vector went, before failure lists.
struct Verdict {
    var status: VectorResult.Status
    var outcome: String
    var detail: String
    static var pass: Verdict { Verdict(status: .pass, outcome: "pass", detail: "") }
    static func fail(_ outcome: String, _ detail: String) -> Verdict { Verdict(status: .fail, outcome: outcome, detail: detail) }
}

/// A reply that is not a response ends the vector with that status.
struct Abort: Error { var verdict: Verdict }


/// The requests of one vector and the comparison of their answers.
struct Exchange<T: Testee> {
    var testee: T

    mutating func ask(_ request: TesteeRequest) throws(Abort) -> TesteeResponse {
        switch try response(to: testee.send(request)) {
        case .skipped:
            // The runner asks only what the testee declared: SKIPPED breaks its declaration (PW-CONF-2).
            throw Abort(verdict: .fail("skipped", "answered SKIPPED to a request of a capability it declares (PW-CONF-2)"))
        case .runtimeError(let message):
            throw Abort(verdict: Verdict(status: .runtimeError, outcome: "runtime-error", detail: message))
        case let response: return response
        }
    }

    /// The response a reply carries; a crash, a time-out or garbage ends the vector.
    func response(to reply: TesteeReply) throws(Abort) -> TesteeResponse {
        switch reply {
        case .response(let response): return response
        case .crash(let how): throw Abort(verdict: Verdict(status: .crash, outcome: "crash", detail: how + stderr))
        case .timeout: throw Abort(verdict: Verdict(status: .timeout, outcome: "timeout", detail: "no answer in time" + stderr))
        case .protocolError(let what): throw Abort(verdict: Verdict(status: .protocolError, outcome: "protocol-error", detail: what + stderr))
        }
    }

    var stderr: String {
        guard let process = testee as? ProcessTestee, !process.lastStandardError.isEmpty else { return "" }
        return "; its stderr: " + process.lastStandardError.suffix(500)
    }

    mutating func judge(_ vector: Vector) -> Verdict {
        do {
            switch vector.kind {
            case "decodeFrame": return try decodeFrame(vector)
            case "crc16", "crc32": return try crc(vector)
            case "reassembly": return try reassembly(vector)
            case "stream": return try stream(vector)
            case "derived": return try derived(vector)
            case "session": return try session(vector)
            case "dump": return try dump(vector)
            case "log": return try log(vector)
            case "protocol": return try protocolEdges(vector)
            case "secureHandshake": return try secureHandshake(vector)
            case "sealedFrame": return try sealedFrame(vector)
            case "sealedRejection": return try sealedRejection(vector)
            case "lowOrderKey": return try lowOrderKey(vector)
            case "securePump": return try securePump(vector)
            case ScenarioVectors.kind: return try pumpScenario(vector)
            default: return .fail("wrong-value", "unknown kind")
            }
        } catch {
            return error.verdict
        }
    }

    static func describe(_ response: TesteeResponse) -> String {
        switch response {
        case .ok(let data): "OK \(Hex.encode(data.prefix(64)))\(data.count > 64 ? "…" : "")"
        case .rejected(let code, let offset): "REJECTED \(ErrorCode(rawValue: code).map { "\($0.specName)" } ?? "code") (\(code)) at \(offset)"
        case .skipped: "SKIPPED"
        case .runtimeError(let message): "RUNTIME_ERROR \(message)"
        }
    }

    static func outcome(_ response: TesteeResponse, expectedBytes: [UInt8]?) -> String {
        switch response {
        case .ok(let data): expectedBytes == nil || data == expectedBytes! ? "accepted" : "accepted-wrong-bytes"
        case .rejected(let code, let offset): "rejected:\(code)@\(offset)"
        case .skipped: "skipped"
        case .runtimeError: "runtime-error"
        }
    }

    mutating func decodeFrame(_ vector: Vector) throws(Abort) -> Verdict {
        guard let input = vector.bytes("input") else { return .fail("wrong-value", "the vector has no input") }
        let response = try ask(.decodeFrame(input))
        let canonical = vector.bytes("canonical") ?? input
        switch vector.result {
        case "valid", "acceptable":
            if case .ok(let data) = response, data == canonical {
                if vector.result == "valid", testee.capabilities.contains(.fields), let decoded = vector.json["decoded"] {
                    return try fields(input, expected: decoded)
                }
                return .pass
            }
            if vector.result == "acceptable", case .rejected = response { return .pass }
            return .fail(Self.outcome(response, expectedBytes: canonical),
                         "expected OK \(Hex.encode(canonical)), got \(Self.describe(response))")
        default:
            guard let expected = vector.error(vector.json["error"]) else { return .fail("wrong-value", "the vector has no error") }
            if response == .rejected(code: expected.code, offset: expected.offset) { return .pass }
            return .fail(Self.outcome(response, expectedBytes: nil),
                         "expected \(Self.describe(.rejected(code: expected.code, offset: expected.offset))), got \(Self.describe(response))")
        }
    }

    mutating func fields(_ input: [UInt8], expected: JSONValue) throws(Abort) -> Verdict {
        let response = try ask(.decodeFields(input))
        guard case .ok(let data) = response else {
            return .fail(Self.outcome(response, expectedBytes: nil), "DECODE_FIELDS: \(Self.describe(response))")
        }
        let want = Set(FieldList.lines(of: expected))
        let got = FieldList.parse(data)
        if want == got { return .pass }
        let missing = want.subtracting(got).sorted().prefix(3), extra = got.subtracting(want).sorted().prefix(3)
        return .fail("wrong-value", "fields differ: expected \(missing.joined(separator: ", ")); got \(extra.joined(separator: ", "))")
    }

    mutating func crc(_ vector: Vector) throws(Abort) -> Verdict {
        guard let input = vector.bytes("input"), let value = vector.json["value"]?.integerValue else {
            return .fail("wrong-value", "the vector has no input or value")
        }
        let response = try ask(vector.kind == "crc16" ? .crc16(input) : .crc32(input))
        var reader: WireBytes.Reader
        guard case .ok(let data) = response else { return .fail(Self.outcome(response, expectedBytes: nil), Self.describe(response)) }
        reader = WireBytes.Reader(data)
        let got: UInt64? = vector.kind == "crc16" ? reader.u16().map(UInt64.init) : reader.u32().map(UInt64.init)
        guard let got, reader.isAtEnd else { return Verdict(status: .protocolError, outcome: "protocol-error", detail: "bad CRC answer") }
        return got == UInt64(value) ? .pass : .fail("wrong-value", "expected \(value), got \(got)")
    }

    mutating func reassembly(_ vector: Vector) throws(Abort) -> Verdict {
        guard let frames = vector.byteList("inputs"), let steps = vector.json["steps"]?.arrayValue, steps.count == frames.count,
              let giveUp = vector.json["giveUp"] else { return .fail("wrong-value", "the vector's inputs and steps do not match") }
        _ = try ask(.reassemblerReset)
        for (index, (frame, step)) in zip(frames, steps).enumerated() {
            let response = try ask(.reassemblerAdd(frame))
            let expected = Self.expectedReassembly(step, vector: vector)
            if response != expected {
                return .fail("wrong-value", "fragment \(index + 1): expected \(Self.describe(expected)), got \(Self.describe(response))")
            }
        }
        let response = try ask(.reassemblerGiveUp)
        let expected = Self.expectedReassembly(giveUp, vector: vector)
        if response != expected { return .fail("wrong-value", "give up: expected \(Self.describe(expected)), got \(Self.describe(response))") }
        return .pass
    }

    static func expectedReassembly(_ step: JSONValue, vector: Vector) -> TesteeResponse {
        switch step["result"]?.stringValue {
        case "accepted": return .ok([0])
        case "duplicate": return .ok([1])
        case "complete":
            let payload = (try? Hex.decode(step["payload"]?.stringValue ?? "")) ?? []
            return .ok([2, UInt8(clamping: step["typeCode"]?.integerValue ?? 0)] + payload)
        case "empty": return .ok([])
        default:
            let error = vector.error(step["error"]) ?? (0, 0)
            return .rejected(code: error.code, offset: error.offset)
        }
    }

    mutating func stream(_ vector: Vector) throws(Abort) -> Verdict {
        guard let input = vector.bytes("input"), let items = vector.json["items"]?.arrayValue else {
            return .fail("wrong-value", "the vector has no input or items")
        }
        let response = try ask(.stream(input))
        guard case .ok(let data) = response else { return .fail(Self.outcome(response, expectedBytes: nil), Self.describe(response)) }
        var expected = WireBytes.u32(UInt32(items.count))
        for item in items {
            let offset = WireBytes.u32(UInt32(clamping: item["offset"]?.integerValue ?? 0))
            switch item["kind"]?.stringValue {
            case "frame":
                let bytes = (try? Hex.decode(item["canonical"]?.stringValue ?? "")) ?? []
                expected += [0] + offset + WireBytes.u16(bytes.count) + bytes
            case "reassembled":
                let payload = (try? Hex.decode(item["payload"]?.stringValue ?? "")) ?? []
                expected += [1] + offset + [UInt8(clamping: item["typeCode"]?.integerValue ?? 0)] + WireBytes.u16(payload.count) + payload
            default:
                let error = vector.error(item["error"]) ?? (0, 0)
                expected += [2] + offset + WireBytes.u16(Int(error.code)) + WireBytes.u32(error.offset)
                    + [item["offsetFrom"]?.stringValue == "payload" ? 1 : 0]
            }
        }
        if data == expected { return .pass }
        return .fail("wrong-value", "stream items differ: expected \(Hex.encode(expected.prefix(80))), got \(Hex.encode(data.prefix(80)))")
    }

    mutating func derived(_ vector: Vector) throws(Abort) -> Verdict {
        guard let frames = vector.byteList("inputs"), frames.count == 2 else { return .fail("wrong-value", "needs two inputs") }
        let response = try ask(.derive(prescription: frames[0], refill: frames[1]))
        if vector.result == "invalid" {
            guard let error = vector.error(vector.json["error"]) else { return .fail("wrong-value", "the vector has no error") }
            return response == .rejected(code: error.code, offset: error.offset)
                ? .pass : .fail(Self.outcome(response, expectedBytes: nil), "expected rejection, got \(Self.describe(response))")
        }
        guard let values = vector.json["values"], case .ok(let data) = response else {
            return .fail(Self.outcome(response, expectedBytes: nil), Self.describe(response))
        }
        var reader = WireBytes.Reader(data)
        let got = [reader.u64(), reader.u64(), reader.u32().map(UInt64.init)]
        let want = ["dailyBasalVolumeNanolitres", "dailyBasalDoseNanograms", "lowReservoirAlarmTime"].map {
            values[$0]?.integerValue.map { UInt64($0) }
        }
        return got == want && reader.isAtEnd
            ? .pass : .fail("wrong-value", "expected \(want.map { $0.map(String.init) ?? "?" }), got \(got.map { $0.map(String.init) ?? "?" })")
    }

    mutating func session(_ vector: Vector) throws(Abort) -> Verdict {
        guard let frames = vector.byteList("inputs"), let findings = vector.json["findings"]?.arrayValue else {
            return .fail("wrong-value", "the vector has no inputs or findings")
        }
        let response = try ask(.session(frames))
        guard case .ok(let data) = response else { return .fail(Self.outcome(response, expectedBytes: nil), Self.describe(response)) }
        let expected = WireBytes.u16(findings.count) + findings.flatMap {
            WireBytes.u16(Int($0["frame"]?.integerValue ?? 0)) + WireBytes.u16(Int($0["code"]?.integerValue ?? 0))
        }
        if data == expected { return .pass }
        var reader = WireBytes.Reader(data)
        var got: [String] = []
        if let count = reader.u16() {
            for _ in 0..<count {
                guard let frame = reader.u16(), let code = reader.u16() else { break }
                got.append("frame \(frame): \(ErrorCode(rawValue: code).map { "\($0.specName)" } ?? String(code))")
            }
        }
        let want = findings.map { "frame \($0["frame"]?.integerValue ?? 0): \($0["name"]?.stringValue ?? "")" }
        return .fail("wrong-value", "expected findings [\(want.joined(separator: "; "))], got [\(got.joined(separator: "; "))]")
    }
}

extension Exchange {
    /// DUMP (spec/conformance.md 2.4.8): the answer is compared with the one the vector implies.
    mutating func dump(_ vector: Vector) throws(Abort) -> Verdict {
        guard let frames = vector.byteList("inputs"), let steps = vector.json["steps"]?.arrayValue, steps.count == frames.count,
              let end = vector.json["end"] else { return .fail("wrong-value", "the vector's inputs and steps do not match") }
        let response = try ask(.dump(frames))
        guard case .ok(let data) = response else { return .fail(Self.outcome(response, expectedBytes: nil), Self.describe(response)) }
        var expected = WireBytes.u16(steps.count)
        for step in steps {
            switch step["result"]?.stringValue {
            case "added": expected += [0]
            case "duplicate": expected += [1]
            default:
                let error = vector.error(step["error"]) ?? (0, 0)
                expected += [2] + WireBytes.u16(Int(error.code)) + WireBytes.u32(error.offset)
                    + [step["offsetFrom"]?.stringValue == "payload" ? 1 : 0]
            }
        }
        switch end["result"]?.stringValue {
        case "image":
            let image = (try? Hex.decode(end["image"]?.stringValue ?? "")) ?? []
            expected += [0] + WireBytes.u32(UInt32(image.count)) + image
        case "empty":
            expected += [2]
        default:
            let error = vector.error(end["error"]) ?? (0, 0)
            let missing = end["missingChunks"]?.arrayValue?.compactMap(\.integerValue) ?? []
            expected += [1] + WireBytes.u16(Int(error.code)) + WireBytes.u32(error.offset) + WireBytes.u16(missing.count)
                + missing.flatMap { WireBytes.u16(Int($0)) }
        }
        if data == expected { return .pass }
        return .fail("wrong-value", "DUMP answers differ: expected \(Hex.encode(expected.prefix(48))), got \(Hex.encode(data.prefix(48)))")
    }

    /// A `protocol` vector (spec/conformance.md 2.7): raw requests on one connection, each answer
    /// compared by status and, where the vector says, by its data or message.
    mutating func protocolEdges(_ vector: Vector) throws(Abort) -> Verdict {
        guard let exchanges = vector.json["exchanges"]?.arrayValue else { return .fail("wrong-value", "the vector has no exchanges") }
        let wait = Double(vector.json["timeout"]?.integerValue ?? 0)
        for (index, exchange) in exchanges.enumerated() {
            var body = (try? Hex.decode(exchange["request"]?.stringValue ?? "")) ?? []
            if let fill = exchange["fill"], let pattern = try? Hex.decode(fill["pattern"]?.stringValue ?? ""), !pattern.isEmpty,
               let length = fill["length"]?.integerValue {
                let start = body.count
                body.reserveCapacity(Int(length))
                while body.count < Int(length) { body.append(pattern[(body.count - start) % pattern.count]) }
            }
            let response = try self.response(to: testee.send(.raw(body), waitingAtLeast: wait))
            if let problem = Self.mismatch(response, exchange["response"]) {
                return .fail(Self.outcome(response, expectedBytes: nil), "request \(index + 1) (\(Hex.encode(body.prefix(8)))…): \(problem)")
            }
        }
        // The input ends inside a request (2.1, PW-CONF-4): the testee answers nothing more and exits 0.
        if let end = vector.json["endInput"]?.stringValue {
            let unframed = (try? Hex.decode(end)) ?? []
            if let problem = testee.finish(after: unframed) {
                return .fail("ending", "input ended after \(Hex.encode(unframed.prefix(8)))…: the testee \(problem)")
            }
        }
        return .pass
    }

    /// Why `response` is not the `response` a protocol vector expects, or nil. `anyOf` lists
    /// answers of which any one passes (a testee with a small buffer may refuse what another holds).
    static func mismatch(_ response: TesteeResponse, _ expected: JSONValue?) -> String? {
        if let choices = expected?["anyOf"]?.arrayValue {
            let problems = choices.compactMap { mismatch(response, $0) }
            return problems.count < choices.count ? nil : problems.joined(separator: "; or ")
        }
        let status = expected?["status"]?.stringValue ?? ""
        let got = describe(response)
        switch (status, response) {
        case ("ok", .ok(let data)):
            if let whole = expected?["data"]?.stringValue, Hex.encode(data) != whole { return "expected OK \(whole), got \(got)" }
            if let prefix = expected?["dataPrefix"]?.stringValue, !Hex.encode(data).hasPrefix(prefix) {
                return "expected OK starting \(prefix), got \(got)"
            }
            return nil
        case ("skipped", .skipped): return nil
        case ("rejected", .rejected(let code, let offset)):
            if let want = expected?["code"]?.integerValue, want != Int64(code) { return "expected REJECTED code \(want), got \(got)" }
            if let want = expected?["offset"]?.integerValue, want != Int64(offset) { return "expected REJECTED at \(want), got \(got)" }
            return nil
        case ("runtimeError", .runtimeError(let message)):
            let prefixes = expected?["messagePrefix"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return prefixes.isEmpty || prefixes.contains(where: message.hasPrefix)
                ? nil : "expected RUNTIME_ERROR starting \(prefixes.map { "\"\($0)\"" }.joined(separator: " or ")), got \(got)"
        default: return "expected \(status), got \(got)"
        }
    }

    // MARK: - Secure sessions (spec/conformance.md 2.4.10)

    static func hex(_ value: JSONValue?) -> [UInt8] { (try? Hex.decode(value?.stringValue ?? "")) ?? [] }

    /// The data of an OK, or a failure that says what came instead.
    mutating func expectOK(_ request: TesteeRequest, _ expected: [UInt8], _ what: String) throws(Abort) -> Verdict? {
        let response = try ask(request)
        if response == .ok(expected) { return nil }
        return .fail(Self.outcome(response, expectedBytes: expected),
                     "\(what): expected OK \(Hex.encode(expected.prefix(64))), got \(Self.describe(response))")
    }

    /// `secureHandshake`: one side of a handshake, message by message, then the split.
    mutating func secureHandshake(_ vector: Vector) throws(Abort) -> Verdict {
        guard let secure = vector.json["secure"], let steps = secure["steps"]?.arrayValue else {
            return .fail("wrong-value", "the vector has no handshake")
        }
        if let failure = try expectOK(SecureVectors.beginRequest(secure), [], "HANDSHAKE_BEGIN") { return failure }
        for (index, step) in steps.enumerated() {
            let data = Self.hex(step["data"]), expected = Self.hex(step["expect"])
            let write = step["request"]?.stringValue == "write"
            let request: TesteeRequest = write ? .handshakeWrite(payload: data) : .handshakeRead(message: data)
            if let failure = try expectOK(request, expected, "message \(index + 1) (\(write ? "HANDSHAKE_WRITE" : "HANDSHAKE_READ"))") {
                return failure
            }
        }
        if let failure = try expectOK(.handshakeSplit, Self.hex(secure["split"]), "HANDSHAKE_SPLIT (h, k1, k2)") { return failure }
        return .pass
    }

    /// `sealedFrame`: each frame sealed at its counter, then opened with the previous frame's
    /// counter as the highest accepted.
    mutating func sealedFrame(_ vector: Vector) throws(Abort) -> Verdict {
        guard let secure = vector.json["secure"], let frames = secure["frames"]?.arrayValue else {
            return .fail("wrong-value", "the vector has no frames")
        }
        let key = Self.hex(secure["key"])
        var highest: UInt32?
        for (index, frame) in frames.enumerated() {
            let cleartext = Self.hex(frame["cleartextFrame"]), sealed = Self.hex(frame["sealedFrame"])
            let counter = UInt32(clamping: frame["freshnessCounter"]?.integerValue ?? 0)
            if let failure = try expectOK(.seal(key: key, freshnessCounter: counter, frame: cleartext), sealed, "frame \(index + 1) SEAL") {
                return failure
            }
            let epoch = UInt8(clamping: frame["sessionEpoch"]?.integerValue ?? 0)
            if let failure = try expectOK(.open(key: key, sessionEpoch: epoch, highestAccepted: highest, frame: sealed), cleartext,
                                          "frame \(index + 1) OPEN") {
                return failure
            }
            highest = UInt32(clamping: frame["frameCounter"]?.integerValue ?? 0)
        }
        return .pass
    }

    /// `sealedRejection`: OPEN must refuse with the error PW-SEC-10 names.
    mutating func sealedRejection(_ vector: Vector) throws(Abort) -> Verdict {
        guard let secure = vector.json["secure"], let expected = vector.error(secure["error"]) else {
            return .fail("wrong-value", "the vector has no expected error")
        }
        let highest = secure["highestAcceptedCounter"]?.integerValue.map { UInt32(clamping: $0) }
        let response = try ask(.open(
            key: Self.hex(secure["key"]), sessionEpoch: UInt8(clamping: secure["sessionEpoch"]?.integerValue ?? 0),
            highestAccepted: highest, frame: Self.hex(secure["frame"])))
        let want = TesteeResponse.rejected(code: expected.code, offset: expected.offset)
        if response == want { return .pass }
        return .fail(Self.outcome(response, expectedBytes: nil), "expected \(Self.describe(want)), got \(Self.describe(response))")
    }

    /// `pumpScenario`: a programmer's session with a pump over time (spec/conformance.md section 4).
    mutating func pumpScenario(_ vector: Vector) throws(Abort) -> Verdict {
        guard let scenario = vector.json["scenario"] else { return .fail("wrong-value", "the vector holds no scenario") }
        var player = PumpScenarioPlayer(name: scenario["scenario"]?.stringValue ?? vector.name, scenario: scenario)
        return try player.play { (request) throws(Abort) in try ask(request) }
    }

    /// `securePump`: a scripted exchange with a secure pump, step by step (PW-SEC-21).
    mutating func securePump(_ vector: Vector) throws(Abort) -> Verdict {
        guard let secure = vector.json["secure"], let pump = secure["pump"], let steps = secure["steps"]?.arrayValue else {
            return .fail("wrong-value", "the vector has no pump or steps")
        }
        if let failure = try expectOK(SecureVectors.pumpBeginRequest(pump), [], "PUMP_BEGIN") { return failure }
        for (index, step) in steps.enumerated() {
            let ephemeral = step["ephemeralPrivate"].map { Self.hex($0) } ?? [UInt8](repeating: 0, count: 32)
            let request = TesteeRequest.pumpReceive(
                now: UInt32(clamping: step["now"]?.integerValue ?? 0), ephemeralPrivate: ephemeral, frame: Self.hex(step["frame"]))
            let what = "step \(index + 1) (\(step["description"]?.stringValue ?? "PUMP_RECEIVE"))"
            if let failure = try expectOK(request, SecureVectors.pumpStepAnswer(step), what) { return failure }
        }
        return .pass
    }

    /// `lowOrderKey`: the handshake stops with LOW_ORDER_KEY and derives no key (PW-SEC-4).
    mutating func lowOrderKey(_ vector: Vector) throws(Abort) -> Verdict {
        guard let secure = vector.json["secure"], let offset = secure["offset"]?.integerValue else {
            return .fail("wrong-value", "the vector has no message")
        }
        if let failure = try expectOK(SecureVectors.beginRequest(secure), [], "HANDSHAKE_BEGIN") { return failure }
        if secure["sentRequest"] != nil,
           let failure = try expectOK(.handshakeWrite(payload: []), Self.hex(secure["sentRequest"]), "message 1 (HANDSHAKE_WRITE)") {
            return failure
        }
        let lowOrder = ErrorCode.lowOrderKey.rawValue
        let read = try ask(.handshakeRead(message: Self.hex(secure["message"])))
        switch read {
        case .rejected(lowOrder, UInt32(clamping: offset)): break
        case .ok where secure["role"]?.integerValue == 1:
            // XXpsk3's message 1 has no DH: the pump stops at `ee`, writing message 2.
            let write = try ask(.handshakeWrite(payload: Self.hex(secure["nextPayload"])))
            guard case .rejected(lowOrder, _) = write else {
                return .fail(Self.outcome(write, expectedBytes: nil),
                             "message 2 (HANDSHAKE_WRITE): expected REJECTED LOW_ORDER_KEY, got \(Self.describe(write))")
            }
        default:
            let want = TesteeResponse.rejected(code: lowOrder, offset: UInt32(clamping: offset))
            return .fail(Self.outcome(read, expectedBytes: nil), "HANDSHAKE_READ: expected \(Self.describe(want)), got \(Self.describe(read))")
        }
        let split = try ask(.handshakeSplit)
        guard case .rejected = split else {
            return .fail("wrong-value", "HANDSHAKE_SPLIT after LOW_ORDER_KEY: expected REJECTED (no key), got \(Self.describe(split))")
        }
        return .pass
    }

    /// LOG (spec/conformance.md 2.4.9).
    mutating func log(_ vector: Vector) throws(Abort) -> Verdict {
        guard let image = vector.bytes("input"), let region = vector.json["region"]?.stringValue,
              let regionOffset = vector.json["regionOffset"]?.integerValue, let items = vector.json["items"]?.arrayValue else {
            return .fail("wrong-value", "the vector has no input, region, regionOffset or items")
        }
        let code = MemoryRegion.names.first { $0.value == region }?.key.rawValue ?? 0
        let response = try ask(.log(region: code, regionOffset: UInt32(clamping: regionOffset), image: image))
        guard case .ok(let data) = response else { return .fail(Self.outcome(response, expectedBytes: nil), Self.describe(response)) }
        var expected = WireBytes.u32(UInt32(items.count))
        for item in items {
            let offset = WireBytes.u32(UInt32(clamping: item["offset"]?.integerValue ?? 0))
            switch item["kind"]?.stringValue {
            case "record": expected += [0] + offset + ((try? Hex.decode(item["canonical"]?.stringValue ?? "")) ?? [])
            case "erased": expected += [1] + offset + WireBytes.u32(UInt32(clamping: item["slots"]?.integerValue ?? 0))
            default:
                let error = vector.error(item["error"]) ?? (0, 0)
                expected += [2] + offset + WireBytes.u16(Int(error.code)) + WireBytes.u32(error.offset)
            }
        }
        if data == expected { return .pass }
        return .fail("wrong-value", "LOG items differ: expected \(Hex.encode(expected.prefix(64))), got \(Hex.encode(data.prefix(64)))")
    }
}

/// `jsonView` vectors, against this process's library (spec section 12): read strictly and
/// encoded by the core encoder, as `pumpwire encode` does.
enum JSONViewJudge {
    static func judge(_ vector: Vector) -> VectorResult {
        guard let text = vector.json["json"]?.stringValue else {
            return ConformanceRunner.result(vector, .fail, "wrong-value", "the vector has no json")
        }
        let encoding = PumpWireJSON.encode(json: Array(text.utf8))
        switch vector.result {
        case "valid":
            if let problem = encoding.problems.first {
                return ConformanceRunner.result(vector, .fail, "rejected", "rejected: \(String(describing: problem).prefix(200))")
            }
            let encoded = encoding.frames.flatMap { $0 }  // fragments when too long (PW-JSON-5)
            guard encoded == vector.bytes("encoded") else {
                return ConformanceRunner.result(vector, .fail, "accepted-wrong-bytes", "encoded \(Hex.encode(encoded))")
            }
            let view = (try? PumpWireJSON.frames(from: Data(text.utf8)))?.first.flatMap { try? PumpWireJSON.view(of: $0) }
            guard let view, let stated = try? JSONValue.parse(text), view == stated else {
                return ConformanceRunner.result(vector, .fail, "wrong-value", "the library's view differs from the vector's JSON")
            }
            return ConformanceRunner.result(vector, .pass, "pass", "")
        default:
            // Refused when it does not read, or reads as nothing a frame or message can be written from.
            return encoding.problems.isEmpty
                ? ConformanceRunner.result(vector, .fail, "accepted", "accepted a JSON view the spec forbids")
                : ConformanceRunner.result(vector, .pass, "pass", "")
        }
    }
}
