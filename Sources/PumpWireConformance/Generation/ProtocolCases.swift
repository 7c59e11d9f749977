import PumpWire
import PumpWireCore

/// The testee protocol at its edges (spec/conformance.md 2.7): requests that 2.4 does not
/// describe, each followed by an ordinary request to show that the testee goes on serving.
/// Recommended: they check the harness, not the codec.
enum ProtocolCases {
    /// One request and the answer it must get.
    static func exchange(_ request: [UInt8], fill: (pattern: [UInt8], length: Int)? = nil, _ response: JSONValue) -> JSONValue {
        var members: [(String, JSONValue)] = [("request", V.hex(request))]
        if let fill { members.append(("fill", .object([("pattern", V.hex(fill.pattern)), ("length", V.int(fill.length))]))) }
        return .object(members + [("response", response)])
    }

    static func ok(data: [UInt8]? = nil, prefix: [UInt8]? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("status", .string("ok"))]
        if let data { members.append(("data", V.hex(data))) }
        if let prefix { members.append(("dataPrefix", V.hex(prefix))) }
        return .object(members)
    }

    static let skipped: JSONValue = .object([("status", .string("skipped"))])

    static func rejected(_ code: ErrorCode, _ offset: Int) -> JSONValue {
        .object([("status", .string("rejected")), ("code", V.int(code.rawValue)), ("offset", V.int(offset))])
    }

    static func runtimeError(_ prefixes: String...) -> JSONValue {
        .object([("status", .string("runtimeError")), ("messagePrefix", .array(prefixes.map { .string($0) }))])
    }

    static let malformed = runtimeError("malformed request")

    /// A REJECTED of this code, at whatever offset.
    static func rejectedCode(_ code: ErrorCode) -> JSONValue {
        .object([("status", .string("rejected")), ("code", V.int(code.rawValue))])
    }

    /// A key of HANDSHAKE_BEGIN's edges (any 32 bytes).
    static let key = [UInt8](repeating: 0x42, count: 32)

    /// HANDSHAKE_BEGIN (spec/conformance.md 2.4.10): the prologue of the pattern (KK in slot 1), the
    /// two private keys, then `remote` and `psk` as they are (each with its presence byte first).
    static func begin(pattern: UInt8, role: UInt8 = 0, remote: [UInt8]?, psk: [UInt8] = [0]) -> [UInt8] {
        let prologue = Array("PumpWire-v1".utf8) + [pattern, pattern == 2 ? 1 : 0]
        return [0x10, pattern, role] + WireBytes.u16(prologue.count) + prologue + key + key + (remote ?? [0]) + psk
    }

    /// CRC16 of the check string, answered b1 29: the testee still serves after an edge.
    static let stillServing = exchange([0x03] + Array("123456789".utf8), ok(data: [0xB1, 0x29]))

    static func vector(
        _ name: String, capability: String? = nil, timeout: Int? = nil, comment: String, _ exchanges: [JSONValue],
        endInput: [UInt8]? = nil
    ) -> VectorCase {
        var body: [(String, JSONValue)] = [("result", .string("valid"))]
        if let capability { body.append(("capability", .string(capability))) }
        if let timeout { body.append(("timeout", V.int(timeout))) }
        body.append(("exchanges", .array(exchanges)))
        if let endInput { body.append(("endInput", V.hex(endInput))) }
        let requirements = endInput == nil ? ["PW-CONF-5", "PW-CONF-1"] : ["PW-CONF-4", "PW-CONF-1"]
        return VectorCase("Recommended.Protocol.\(name)", level: .recommended, requirements: requirements, kind: "protocol",
                          comment: comment, body: body)
    }

    static var cases: [VectorCase] {
        let fragments = FragmentCases.frames(.prescriptionBlock(DeclaredMessages.prescription(steps: 37)), sequence: 4)
        let payload = V.payload(.prescriptionBlock(DeclaredMessages.prescription(steps: 37)))
        // Every 2 bytes of a5 c3 a5 c3 ... is a 12-byte rejection item: 2,800,000 bytes answer 16,800,004.
        let syncWords = 2_800_000
        let workedRx = (try? Frame(sequence: 2, message: .prescriptionBlock(DeclaredMessages.prescription)).encoded()) ?? []
        let zerosCRC = ZlibCRC32.checksum([UInt8](repeating: 0, count: WireBytes.maxMessageLength - 1))
        return [
            vector("UnknownRequestCode", comment: "Codes 2.4 does not list are SKIPPED, whatever follows them.", [
                exchange([0x0D], skipped), exchange([0xFF, 0x01, 0x02], skipped), exchange([0x80], skipped), stillServing,
            ]),
            vector("HelloAgain", comment: "A second HELLO is answered as the first, and resets nothing.", [
                exchange([0x00, 0x01], ok(prefix: [0x01])), stillServing,
            ]),
            vector("HelloOfAnotherVersion", comment: "HELLO of version 0, 2 or 255: the testee answers with the version it speaks, 1.", [
                exchange([0x00, 0x02], ok(prefix: [0x01])), exchange([0x00, 0x00], ok(prefix: [0x01])),
                exchange([0x00, 0xFF], ok(prefix: [0x01])), stillServing,
            ]),
            vector("EmptyRequest", comment: "A message of length 0 has no request code: malformed.", [exchange([], malformed), stillServing]),
            vector("MalformedHello", comment: "HELLO is exactly two bytes.", [
                exchange([0x00], malformed), exchange([0x00, 0x01, 0x00], malformed), stillServing,
            ]),
            vector("MalformedRequestKeepsState",
                   comment: "RESET and GIVE_UP with a byte too many are malformed, and leave the message in progress as it was.", [
                exchange([0x05], ok(data: [])), exchange([0x06] + fragments[0], ok(data: [0])),
                exchange([0x05, 0x00], malformed), exchange([0x07, 0xFF], malformed),
                exchange([0x06] + fragments[1], ok(data: [2, 0x02] + payload)),
            ]),
            vector("SecureEdges", capability: "secure", comment: "HANDSHAKE_BEGIN of KK without the remote static key is "
                       + "REJECTED and leaves no handshake: WRITE and SPLIT are then out of order. Malformed: an unknown pattern or "
                       + "role, a key's presence byte of 2, a key cut short, a byte too many, SPLIT with a body, SEAL and OPEN "
                       + "shorter than their fixed fields, OPEN's highest-counter byte of 2 (spec/conformance.md 2.4.10).", [
                exchange(Self.begin(pattern: 2, remote: nil), Self.rejectedCode(.handshakeFailed)),
                exchange([0x11], Self.rejectedCode(.handshakeOutOfOrder)),
                exchange([0x13], Self.rejectedCode(.handshakeOutOfOrder)),
                exchange(Self.begin(pattern: 3, remote: [1] + Self.key), malformed),
                exchange(Self.begin(pattern: 2, role: 2, remote: [1] + Self.key), malformed),
                exchange(Self.begin(pattern: 2, remote: [2] + Self.key), malformed),
                exchange(Self.begin(pattern: 2, remote: [1] + Self.key.dropLast()), malformed),
                exchange(Self.begin(pattern: 2, remote: [1] + Self.key) + [0x00], malformed),
                exchange([0x13, 0x00], malformed),
                exchange([0x14] + Self.key + [0, 0, 0], malformed),
                exchange([0x15] + Self.key + [2, 2, 0, 0, 0, 0], malformed),
                exchange([0x15] + Self.key + [2, 0, 0, 0, 0], malformed),
                stillServing,
            ]),
            vector("SecureShortHandshakeMessages", capability: "secure", comment: "Noise messages shorter than their tokens are "
                       + "LENGTH_MISMATCH at their length, and change nothing (spec/conformance.md 2.4.10): a KK message 1 of "
                       + "31 and of 47 bytes (48 with its tag), an XXpsk3 message 1 of 40 bytes (48: the psk keys its payload's "
                       + "tag), an XXpsk3 message 2 of 40 and of 95 bytes (96).", [
                exchange(Self.begin(pattern: 2, role: 1, remote: [1] + Self.key), ok(data: [])),
                exchange([0x12] + [UInt8](repeating: 0x09, count: 31), rejected(.lengthMismatch, 31)),
                exchange([0x12] + [UInt8](repeating: 0x09, count: 47), rejected(.lengthMismatch, 47)),
                exchange(Self.begin(pattern: 1, role: 1, remote: [0], psk: [1] + Self.key), ok(data: [])),
                exchange([0x12] + [UInt8](repeating: 0x09, count: 40), rejected(.lengthMismatch, 40)),
                exchange(Self.begin(pattern: 1, role: 0, remote: [0], psk: [1] + Self.key), ok(data: [])),
                exchange([0x11], ok()),
                exchange([0x12] + [UInt8](repeating: 0x09, count: 40), rejected(.lengthMismatch, 40)),
                exchange([0x12] + [UInt8](repeating: 0x09, count: 95), rejected(.lengthMismatch, 95)),
                stillServing,
            ]),
            vector("MalformedDerive", capability: "derived", comment: "DERIVE's lengths disagree with its body: a frame longer than "
                       + "what follows, a byte after the second frame, no second length, half of one.", [
                exchange([0x09, 0x05, 0x00, 0xA5, 0xC3], malformed),
                exchange([0x09, 0x00, 0x00, 0x00, 0x00, 0xFF], malformed),
                exchange([0x09] + WireBytes.u16(workedRx.count) + workedRx, malformed),
                exchange([0x09] + WireBytes.u16(workedRx.count) + workedRx + [0x00], malformed), stillServing,
            ]),
            vector("MalformedSession", capability: "session", comment: "SESSION's count promises a frame that is not there, or half "
                       + "of its length, or a byte follows the last.", [
                exchange([0x0A, 0x01, 0x00], malformed), exchange([0x0A, 0x01, 0x00, 0x05], malformed),
                exchange([0x0A, 0x00, 0x00, 0x00], malformed), stillServing,
            ]),
            vector("MalformedDump", capability: "dump", comment: "DUMP's frame length runs past the body, or only half of it is there.", [
                exchange([0x0B, 0x01, 0x00, 0x05, 0x00, 0xA5], malformed), exchange([0x0B, 0x01, 0x00, 0x05], malformed), stillServing,
            ]),
            vector("SessionWithEmptyFrame", capability: "session", comment: "A SESSION whose last frame has length 0 is well formed: "
                       + "an empty entry fails 4.2 (TRUNCATED at 0), so it is neither request nor response, and there is no finding.", [
                exchange([0x0A, 0x01, 0x00, 0x00, 0x00], ok(data: [0x00, 0x00])), stillServing,
            ]),
            vector("DumpWithEmptyFrame", capability: "dump", comment: "A DUMP whose only frame is empty: that frame is rejected, "
                       + "TRUNCATED at frame offset 0, and no chunk was added.", [
                exchange([0x0B, 0x01, 0x00, 0x00, 0x00], ok(data: [0x01, 0x00, 0x02] + WireBytes.u16(Int(ErrorCode.truncated.rawValue))
                                                             + WireBytes.u32(0) + [0x00, 0x02])), stillServing,
            ]),
            vector("LogOfEmptyImage", capability: "log", comment: "A LOG of exactly 5 bytes after its code is well formed: an empty "
                       + "image holds no items.", [
                exchange([0x0C, 0x01, 0, 0, 0, 0], ok(data: WireBytes.u32(0))), stillServing,
            ]),
            vector("MalformedLog", capability: "log", comment: "LOG needs at least 5 bytes after its code.", [
                exchange([0x0C, 0x01, 0x00, 0x00, 0x00], malformed), stillServing,
            ]),
            vector("DeriveWithEmptyRefill", capability: "derived", comment: "A DERIVE whose refill frame is empty: a well-formed "
                       + "request, whose second frame is TRUNCATED at 0.", [
                exchange([0x09] + WireBytes.u16(workedRx.count) + workedRx + [0x00, 0x00], rejected(.truncated, 0)), stillServing,
            ]),
            vector("SessionOfNoFrames", capability: "session", comment: "A SESSION of 0 frames is well formed: no findings.", [
                exchange([0x0A, 0x00, 0x00], ok(data: [0x00, 0x00])), exchange([0x0A, 0x00], malformed), stillServing,
            ]),
            vector("LogOfRegionWithoutRecords", capability: "log", comment: "LOG of rawAddress (4) or of region 0: FIELD_OUT_OF_RANGE at 0 "
                       + "(conformance.md 2.4.9).", [
                exchange([0x0C, 0x04, 0, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 20), rejected(.fieldOutOfRange, 0)),
                exchange([0x0C, 0x00, 0, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 20), rejected(.fieldOutOfRange, 0)), stillServing,
            ]),
            vector("RequestAtTheLimit", timeout: 120, comment: "A body of exactly 16 MiB is held and answered: CRC32 of 16 MiB - 1 zero "
                       + "bytes. A testee whose own buffer is smaller refuses it as too long instead.", [
                exchange([0x04], fill: ([0x00], WireBytes.maxMessageLength),
                         .object([("anyOf", .array([ok(data: WireBytes.u32(zerosCRC)), runtimeError("request too long")]))])), stillServing,
            ]),
            vector("InputEndsInsideLength", comment: "The input ends after 2 bytes of a request's length: the testee answers "
                       + "nothing more and exits with status 0 (2.1, PW-CONF-4).", [stillServing], endInput: [0x05, 0x00]),
            vector("InputEndsInsideBody", comment: "The input ends after 3 of a request's 10 bytes: no answer, exit status 0.",
                   [stillServing], endInput: WireBytes.u32(10) + [0x03, 0x31, 0x32]),
            vector("InputEndsInsideLongBody", comment: "The input ends inside a body above 16 MiB, which the testee was reading to "
                       + "its end without keeping it (2.7): no answer, exit status 0.",
                   [stillServing], endInput: WireBytes.u32(UInt32(WireBytes.maxMessageLength + 1)) + [0x03] + [UInt8](repeating: 0, count: 64)),
            vector("RequestTooLong", comment: "A body of 16 MiB + 1: read to its end without keeping it, refused, and the next request found.", [
                exchange([0x03], fill: ([0x00], WireBytes.maxMessageLength + 1), runtimeError("request too long")), stillServing,
            ]),
            vector("AnswerTooLong", capability: "stream", timeout: 120,
                   comment: "2,800,000 bytes of sync words answer 16,800,004 bytes, above the limit: never sent. "
                       + "A testee whose buffer cannot hold the request refuses it as too long instead.", [
                exchange([0x08], fill: ([0xA5, 0xC3], 1 + syncWords), runtimeError("answer too long", "request too long")), stillServing,
            ]),
        ]
    }
}
