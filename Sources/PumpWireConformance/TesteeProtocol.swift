import PumpWire
import PumpWireCore

/// What a testee can do (spec/conformance.md 2.3).
public struct TesteeCapabilities: OptionSet, Sendable, Hashable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let decode = TesteeCapabilities(rawValue: 1 << 0)
    public static let crc = TesteeCapabilities(rawValue: 1 << 1)
    public static let reassembly = TesteeCapabilities(rawValue: 1 << 2)
    public static let stream = TesteeCapabilities(rawValue: 1 << 3)
    public static let derived = TesteeCapabilities(rawValue: 1 << 4)
    public static let session = TesteeCapabilities(rawValue: 1 << 5)
    public static let fields = TesteeCapabilities(rawValue: 1 << 6)
    public static let dump = TesteeCapabilities(rawValue: 1 << 7)
    public static let log = TesteeCapabilities(rawValue: 1 << 8)
    public static let secure = TesteeCapabilities(rawValue: 1 << 9)
    public static let pump = TesteeCapabilities(rawValue: 1 << 10)

    public static let mandatory: TesteeCapabilities = [.decode, .crc, .reassembly]
    public static let all: TesteeCapabilities = [.decode, .crc, .reassembly, .stream, .derived, .session, .fields, .dump, .log, .secure, .pump]

    private static let named: [(TesteeCapabilities, String)] = [
        (.decode, "decode"), (.crc, "crc"), (.reassembly, "reassembly"), (.stream, "stream"),
        (.derived, "derived"), (.session, "session"), (.fields, "fields"), (.dump, "dump"), (.log, "log"),
        (.secure, "secure"), (.pump, "pump"),
    ]

    public var names: [String] { Self.named.filter { contains($0.0) }.map(\.1) }

    /// The capability of a name of spec/conformance.md 2.3.
    public init?(name: String) {
        guard let capability = Self.named.first(where: { $0.1 == name })?.0 else { return nil }
        self = capability
    }
}

/// A request of the testee protocol (spec/conformance.md 2.4).
public enum TesteeRequest: Equatable, Sendable {
    case hello(version: UInt8)
    case decodeFrame([UInt8])
    case decodeFields([UInt8])
    case crc16([UInt8])
    case crc32([UInt8])
    case reassemblerReset
    case reassemblerAdd([UInt8])
    case reassemblerGiveUp
    case stream([UInt8])
    case derive(prescription: [UInt8], refill: [UInt8])
    case session([[UInt8]])
    case dump([[UInt8]])
    case log(region: UInt8, regionOffset: UInt32, image: [UInt8])
    case handshakeBegin(HandshakeBegin)
    case handshakeWrite(payload: [UInt8])
    case handshakeRead(message: [UInt8])
    case handshakeSplit
    case seal(key: [UInt8], freshnessCounter: UInt32, frame: [UInt8])
    case open(key: [UInt8], sessionEpoch: UInt8, highestAccepted: UInt32?, frame: [UInt8])
    /// PUMP_BEGIN's setup bytes as 2.4.10 lays them out (`PumpSetup`).
    case pumpBegin(PumpSetup)
    case pumpReceive(now: UInt32, ephemeralPrivate: [UInt8], frame: [UInt8])
    /// The pump hooks of 2.4.11: a fresh pump of the conformance profile (`PumpReset`), a frame at
    /// its clock, elapsed time, a set clock or battery, a restart, its state, its memory.
    case pumpReset(PumpReset)
    case pumpFrame(ephemeralPrivate: [UInt8], frame: [UInt8])
    case pumpAdvance(seconds: UInt32)
    case pumpSetClock(UInt32)
    case pumpSetBattery(millivolts: UInt16)
    case pumpRestart
    case pumpObserve
    case pumpReadMemory(region: UInt8, offset: UInt32, length: UInt32)
    /// A body as it is, well formed or not: how `protocol` vectors probe the edges (2.7).
    case raw([UInt8])

    public static let protocolVersion: UInt8 = 1

    public var code: UInt8 {
        switch self {
        case .hello: 0x00
        case .decodeFrame: 0x01
        case .decodeFields: 0x02
        case .crc16: 0x03
        case .crc32: 0x04
        case .reassemblerReset: 0x05
        case .reassemblerAdd: 0x06
        case .reassemblerGiveUp: 0x07
        case .stream: 0x08
        case .derive: 0x09
        case .session: 0x0A
        case .dump: 0x0B
        case .log: 0x0C
        case .handshakeBegin: 0x10
        case .handshakeWrite: 0x11
        case .handshakeRead: 0x12
        case .handshakeSplit: 0x13
        case .seal: 0x14
        case .open: 0x15
        case .pumpBegin: 0x16
        case .pumpReceive: 0x17
        case .pumpReset: 0x18
        case .pumpFrame: 0x19
        case .pumpAdvance: 0x1A
        case .pumpSetClock: 0x1B
        case .pumpSetBattery: 0x1C
        case .pumpRestart: 0x1D
        case .pumpObserve: 0x1E
        case .pumpReadMemory: 0x1F
        case .raw(let body): body.first ?? 0
        }
    }

    public var body: [UInt8] {
        switch self {
        case .hello(let version): [code, version]
        case .decodeFrame(let bytes), .decodeFields(let bytes), .crc16(let bytes), .crc32(let bytes),
             .reassemblerAdd(let bytes), .stream(let bytes):
            [code] + bytes
        case .reassemblerReset, .reassemblerGiveUp: [code]
        case .derive(let prescription, let refill):
            [code] + WireBytes.u16(prescription.count) + prescription + WireBytes.u16(refill.count) + refill
        case .session(let frames), .dump(let frames):
            [code] + WireBytes.u16(frames.count) + frames.flatMap { WireBytes.u16($0.count) + $0 }
        case .log(let region, let regionOffset, let image):
            [code, region] + WireBytes.u32(regionOffset) + image
        case .handshakeBegin(let begin): [code] + begin.bytes
        case .handshakeWrite(let bytes), .handshakeRead(let bytes): [code] + bytes
        case .handshakeSplit: [code]
        case .seal(let key, let freshnessCounter, let frame): [code] + key + WireBytes.u32(freshnessCounter) + frame
        case .open(let key, let sessionEpoch, let highest, let frame):
            [code] + key + [sessionEpoch, highest == nil ? 0 : 1] + WireBytes.u32(highest ?? 0) + frame
        case .pumpBegin(let setup): [code] + setup.bytes
        case .pumpReceive(let now, let ephemeral, let frame): [code] + WireBytes.u32(now) + ephemeral + frame
        case .pumpReset(let reset): [code] + reset.bytes
        case .pumpFrame(let ephemeral, let frame): [code] + ephemeral + frame
        case .pumpAdvance(let seconds): [code] + WireBytes.u32(seconds)
        case .pumpSetClock(let time): [code] + WireBytes.u32(time)
        case .pumpSetBattery(let millivolts): [code] + WireBytes.u16(Int(millivolts))
        case .pumpRestart, .pumpObserve: [code]
        case .pumpReadMemory(let region, let offset, let length): [code, region] + WireBytes.u32(offset) + WireBytes.u32(length)
        case .raw(let body): body
        }
    }

    /// How a request body reads (spec/conformance.md 2.4 and 2.7).
    public enum Parsed: Equatable, Sendable {
        case request(TesteeRequest)
        /// A code that 2.4 does not list: answered SKIPPED.
        case unknownCode(UInt8)
        /// A body that does not fit its code: answered RUNTIME_ERROR.
        case malformed
    }

    public static func read(_ body: [UInt8]) -> Parsed {
        guard let code = body.first else { return .malformed }
        guard code <= 0x0C || (0x10...0x1F).contains(code) else { return .unknownCode(code) }
        return parse(body).map { .request($0) } ?? .malformed
    }

    /// Reads a request body; nil if it is malformed or of an unknown code.
    public static func parse(_ body: [UInt8]) -> TesteeRequest? {
        guard let code = body.first else { return nil }
        var reader = WireBytes.Reader(Array(body.dropFirst()))
        switch code {
        case 0x00: return body.count == 2 ? .hello(version: body[1]) : nil
        case 0x01: return .decodeFrame(reader.rest())
        case 0x02: return .decodeFields(reader.rest())
        case 0x03: return .crc16(reader.rest())
        case 0x04: return .crc32(reader.rest())
        case 0x05: return body.count == 1 ? .reassemblerReset : nil
        case 0x06: return .reassemblerAdd(reader.rest())
        case 0x07: return body.count == 1 ? .reassemblerGiveUp : nil
        case 0x08: return .stream(reader.rest())
        case 0x09:
            guard let rx = reader.lengthPrefixed(), let refill = reader.lengthPrefixed(), reader.isAtEnd else { return nil }
            return .derive(prescription: rx, refill: refill)
        case 0x0A, 0x0B:
            guard let count = reader.u16() else { return nil }
            var frames: [[UInt8]] = []
            for _ in 0..<count {
                guard let frame = reader.lengthPrefixed() else { return nil }
                frames.append(frame)
            }
            guard reader.isAtEnd else { return nil }
            return code == 0x0A ? .session(frames) : .dump(frames)
        case 0x0C:
            guard let region = reader.u8(), let regionOffset = reader.u32() else { return nil }
            return .log(region: region, regionOffset: regionOffset, image: reader.rest())
        case 0x10: return HandshakeBegin(reading: &reader).map { .handshakeBegin($0) }
        case 0x11: return .handshakeWrite(payload: reader.rest())
        case 0x12: return .handshakeRead(message: reader.rest())
        case 0x13: return body.count == 1 ? .handshakeSplit : nil
        case 0x14:
            guard let key = reader.take(32), let counter = reader.u32() else { return nil }
            return .seal(key: key, freshnessCounter: counter, frame: reader.rest())
        case 0x15:
            guard let key = reader.take(32), let epoch = reader.u8(), let has = reader.u8(), has <= 1,
                  let highest = reader.u32() else { return nil }
            return .open(key: key, sessionEpoch: epoch, highestAccepted: has == 1 ? highest : nil, frame: reader.rest())
        case 0x16: return PumpSetup(reading: &reader).map { .pumpBegin($0) }
        case 0x17:
            guard let now = reader.u32(), let ephemeral = reader.take(32) else { return nil }
            return .pumpReceive(now: now, ephemeralPrivate: ephemeral, frame: reader.rest())
        case 0x18: return PumpReset(reading: &reader).map { .pumpReset($0) }
        case 0x19:
            guard let ephemeral = reader.take(32) else { return nil }
            return .pumpFrame(ephemeralPrivate: ephemeral, frame: reader.rest())
        case 0x1A, 0x1B:
            guard let value = reader.u32(), reader.isAtEnd else { return nil }
            return code == 0x1A ? .pumpAdvance(seconds: value) : .pumpSetClock(value)
        case 0x1C:
            guard let millivolts = reader.u16(), reader.isAtEnd else { return nil }
            return .pumpSetBattery(millivolts: millivolts)
        case 0x1D, 0x1E: return body.count == 1 ? (code == 0x1D ? .pumpRestart : .pumpObserve) : nil
        case 0x1F:
            guard let region = reader.u8(), let offset = reader.u32(), let length = reader.u32(), reader.isAtEnd else { return nil }
            return .pumpReadMemory(region: region, offset: offset, length: length)
        default: return nil
        }
    }
}

/// HANDSHAKE_BEGIN's parameters (spec/conformance.md 2.4.10).
public struct HandshakeBegin: Equatable, Sendable {
    /// 1 XXpsk3, 2 KK (the numbers of a `handshakeRequest`).
    public var pattern: UInt8
    /// 0 initiator, 1 responder.
    public var role: UInt8
    public var prologue: [UInt8]
    public var staticPrivate: [UInt8]
    public var ephemeralPrivate: [UInt8]
    public var remoteStatic: [UInt8]?
    public var presharedKey: [UInt8]?

    public init(pattern: UInt8, role: UInt8, prologue: [UInt8], staticPrivate: [UInt8], ephemeralPrivate: [UInt8],
                remoteStatic: [UInt8]?, presharedKey: [UInt8]?) {
        self.pattern = pattern
        self.role = role
        self.prologue = prologue
        self.staticPrivate = staticPrivate
        self.ephemeralPrivate = ephemeralPrivate
        self.remoteStatic = remoteStatic
        self.presharedKey = presharedKey
    }

    public var bytes: [UInt8] {
        func optional(_ key: [UInt8]?) -> [UInt8] { key.map { [1] + $0 } ?? [0] }
        return [pattern, role] + WireBytes.u16(prologue.count) + prologue + staticPrivate + ephemeralPrivate
            + optional(remoteStatic) + optional(presharedKey)
    }

    /// Reads the body after the code; nil if it is malformed (an unknown pattern or role included).
    init?(reading reader: inout WireBytes.Reader) {
        guard let pattern = reader.u8(), (1...2).contains(pattern), let role = reader.u8(), role <= 1,
              let prologue = reader.lengthPrefixed(), let local = reader.take(32), let ephemeral = reader.take(32) else { return nil }
        func optional() -> [UInt8]?? {
            guard let present = reader.u8(), present <= 1 else { return nil }
            guard present == 1 else { return .some(nil) }
            guard let key = reader.take(32) else { return nil }
            return .some(key)
        }
        guard let remote = optional(), let psk = optional(), reader.isAtEnd else { return nil }
        self.init(pattern: pattern, role: role, prologue: prologue, staticPrivate: local, ephemeralPrivate: ephemeral,
                  remoteStatic: remote, presharedKey: psk)
    }
}

/// A response of the testee protocol (spec/conformance.md 2.2).
public enum TesteeResponse: Equatable, Sendable {
    case ok([UInt8])
    case rejected(code: UInt16, offset: UInt32)
    case skipped
    case runtimeError(String)

    public var body: [UInt8] {
        switch self {
        case .ok(let data): [0] + data
        case .rejected(let code, let offset): [1] + WireBytes.u16(Int(code)) + WireBytes.u32(offset)
        case .skipped: [2]
        case .runtimeError(let message): [3] + Array(message.utf8)
        }
    }

    public static func parse(_ body: [UInt8]) -> TesteeResponse? {
        guard let status = body.first else { return nil }
        switch status {
        case 0: return .ok(Array(body.dropFirst()))
        case 1:
            var reader = WireBytes.Reader(Array(body.dropFirst()))
            guard let code = reader.u16(), let offset = reader.u32(), reader.isAtEnd else { return nil }
            return .rejected(code: code, offset: offset)
        case 2: return body.count == 1 ? .skipped : nil
        case 3: return .runtimeError(String(decoding: body.dropFirst(), as: UTF8.self))
        default: return nil
        }
    }

    public static func rejected(_ error: PumpWireError) -> TesteeResponse {
        .rejected(code: error.code.rawValue, offset: UInt32(clamping: error.offset))
    }
}

/// Little-endian integers and length prefixes of the testee protocol.
public enum WireBytes {
    /// The most a message may hold (spec/conformance.md 2.1).
    public static let maxMessageLength = 16 * 1024 * 1024

    public static func u16(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
    public static func u32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    public static func u64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    /// Appends `value` little-endian in `width` bytes.
    public static func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        for index in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }

    /// A message: `u32` length, then the body.
    public static func message(_ body: [UInt8]) -> [UInt8] { u32(UInt32(body.count)) + body }

    public struct Reader {
        var bytes: [UInt8]
        var position = 0
        public init(_ bytes: [UInt8]) { self.bytes = bytes }
        public var isAtEnd: Bool { position == bytes.count }

        public mutating func u8() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }
        public mutating func u16() -> UInt16? {
            guard let data = take(2) else { return nil }
            return UInt16(data[0]) | UInt16(data[1]) << 8
        }
        public mutating func u32() -> UInt32? {
            guard let data = take(4) else { return nil }
            return data.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
        public mutating func u64() -> UInt64? {
            guard let data = take(8) else { return nil }
            return data.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        public mutating func take(_ count: Int) -> [UInt8]? {
            guard count >= 0, bytes.count - position >= count else { return nil }
            defer { position += count }
            return Array(bytes[position..<(position + count)])
        }
        public mutating func lengthPrefixed() -> [UInt8]? {
            guard let length = u16() else { return nil }
            return take(Int(length))
        }
        public mutating func rest() -> [UInt8] {
            defer { position = bytes.count }
            return Array(bytes[position...])
        }
    }
}

/// PUMP_BEGIN's parameters (spec/conformance.md 2.4.10): a secure pump's keys, window, session
/// count, patient bolus limits and four slots.
public struct PumpSetup: Equatable, Sendable {
    public struct Slot: Equatable, Sendable {
        /// 0 empty, 1 clinician, 2 patient.
        public var role: UInt8
        public var staticPublic: [UInt8]
        public var lastCommandId: UInt32

        public init(role: UInt8, staticPublic: [UInt8], lastCommandId: UInt32) {
            self.role = role
            self.staticPublic = staticPublic
            self.lastCommandId = lastCommandId
        }
    }

    public struct PatientBolus: Equatable, Sendable {
        public var doseNanograms: UInt32
        public var lockoutMinutes: UInt16
        public var maxPerDay: UInt8

        public init(doseNanograms: UInt32, lockoutMinutes: UInt16, maxPerDay: UInt8) {
            self.doseNanograms = doseNanograms
            self.lockoutMinutes = lockoutMinutes
            self.maxPerDay = maxPerDay
        }
    }

    public var staticPrivate: [UInt8]
    public var pairingSecret: [UInt8]
    public var pairingWindowOpen: Bool
    public var sessionCount: UInt32
    public var patientBolus: PatientBolus?
    public var slots: [Slot]

    public init(staticPrivate: [UInt8], pairingSecret: [UInt8], pairingWindowOpen: Bool, sessionCount: UInt32,
                patientBolus: PatientBolus?, slots: [Slot]) {
        self.staticPrivate = staticPrivate
        self.pairingSecret = pairingSecret
        self.pairingWindowOpen = pairingWindowOpen
        self.sessionCount = sessionCount
        self.patientBolus = patientBolus
        self.slots = slots
    }

    public var bytes: [UInt8] {
        var out = staticPrivate + pairingSecret + [pairingWindowOpen ? 1 : 0] + WireBytes.u32(sessionCount)
        if let bolus = patientBolus {
            out += [1] + WireBytes.u32(bolus.doseNanograms) + WireBytes.u16(Int(bolus.lockoutMinutes)) + [bolus.maxPerDay]
        } else {
            out += [0] + [UInt8](repeating: 0, count: 7)
        }
        for slot in slots { out += [slot.role] + slot.staticPublic + WireBytes.u32(slot.lastCommandId) }
        return out
    }

    init?(reading reader: inout WireBytes.Reader) {
        guard let key = reader.take(32), let secret = reader.take(32), let window = reader.u8(), window <= 1,
              let count = reader.u32(), let has = reader.u8(), has <= 1, let dose = reader.u32(), let lockout = reader.u16(),
              let maxPerDay = reader.u8() else { return nil }
        var slots: [Slot] = []
        for _ in 0..<4 {
            guard let role = reader.u8(), role <= 2, let key = reader.take(32), let last = reader.u32() else { return nil }
            slots.append(Slot(role: role, staticPublic: key, lastCommandId: last))
        }
        guard reader.isAtEnd else { return nil }
        self.init(staticPrivate: key, pairingSecret: secret, pairingWindowOpen: window == 1, sessionCount: count,
                  patientBolus: has == 1 ? PatientBolus(doseNanograms: dose, lockoutMinutes: lockout, maxPerDay: maxPerDay) : nil,
                  slots: slots)
    }
}
