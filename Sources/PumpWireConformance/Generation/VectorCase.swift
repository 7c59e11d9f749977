import PumpWire
import PumpWireCore

/// A declared vector: everything but its id, which the ledger gives (vectors/ids.txt).
/// Invalid vectors carry the error their case declares; it is never computed by running the
/// decoder, so a codec bug cannot quietly become golden.
public struct VectorCase: Sendable {
    public var name: String
    public var level: Vector.Level
    public var requirements: [String]
    public var kind: String
    public var messageType: String?
    public var comment: String
    /// The cases of spec/cases.txt this vector checks, beyond the requirements it cites.
    public var cases: [String] = []
    /// Input, result and expectation members, in file order.
    public var body: [(String, JSONValue)]

    public init(
        _ name: String, level: Vector.Level = .required, requirements: [String], kind: String,
        messageType: String? = nil, comment: String, body: [(String, JSONValue)]
    ) {
        self.name = name
        self.level = level
        self.requirements = requirements
        self.kind = kind
        self.messageType = messageType
        self.comment = comment
        self.body = body
    }

    public var result: String { body.first { $0.0 == "result" }?.1.stringValue ?? "" }

    /// This vector, also checking `cases` of spec/cases.txt; cited requirements are added.
    public func covering(_ cases: String...) -> VectorCase { covering(cases) }

    public func covering(_ cases: [String]) -> VectorCase {
        var vector = self
        for id in cases where !vector.cases.contains(id) {
            vector.cases.append(id)
            let requirement = String(id.split(separator: "/")[0])
            if !vector.requirements.contains(requirement) { vector.requirements.append(requirement) }
        }
        return vector
    }

    func json(id: Int) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .integer(Int64(id))), ("name", .string(name)), ("level", .string(level.rawValue)),
            ("requirements", .array(requirements.map { .string($0) })), ("kind", .string(kind)),
        ]
        if !cases.isEmpty { members.append(("cases", .array(cases.map { .string($0) }))) }
        if let messageType { members.append(("messageType", .string(messageType))) }
        members.append(("comment", .string(comment)))
        return .object(members + body)
    }
}

extension [VectorCase] {
    /// Marks the vector named `name` as checking `cases` of spec/cases.txt too. The name must be in
    /// the catalogue: a tag that lands nowhere is a mistake in the catalogue itself.
    mutating func tag(_ name: String, _ cases: String...) { tag(name, cases) }

    mutating func tag(_ name: String, _ cases: [String]) {
        guard let index = firstIndex(where: { $0.name == name }) else { preconditionFailure("no vector is named \(name)") }
        self[index] = self[index].covering(cases)
    }
}

/// The pieces vectors are made of.
enum V {
    static func hex(_ bytes: [UInt8]) -> JSONValue { .string(Hex.encode(bytes)) }
    static func int<T: BinaryInteger>(_ value: T) -> JSONValue { .integer(Int64(value)) }

    static func error(_ code: ErrorCode, _ offset: Int) -> JSONValue {
        .object([("code", int(code.rawValue)), ("name", .string(code.specName.description)), ("offset", int(offset))])
    }

    /// The JSON view of the declared frame (spec section 12).
    static func view(_ frame: Frame) -> JSONValue {
        (try? PumpWireJSON.view(of: frame)) ?? .null
    }

    /// A frame built field by field with a correct CRC (or the given one): how invalid vectors are made.
    static func frame(
        type: UInt8, flags: UInt8 = 0, sequence: UInt16 = 1, payload: [UInt8], authentication: [UInt8] = [],
        version: UInt8 = 1, payloadLength: Int? = nil, crc: UInt16? = nil
    ) -> [UInt8] {
        let length = payloadLength ?? payload.count
        var bytes: [UInt8] = [0xA5, 0xC3, version, type, flags, UInt8(sequence & 0xFF), UInt8(sequence >> 8),
                              UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF)]
        bytes += payload + authentication
        let check = crc ?? ReferenceCRC.crc16(bytes)
        return bytes + [UInt8(check & 0xFF), UInt8(check >> 8)]
    }

    /// The canonical payload of a declared message.
    static func payload(_ message: Message) -> [UInt8] {
        (try? message.encodedPayload()) ?? []
    }

    /// The payload with bytes replaced at `offset`.
    static func patch(_ payload: [UInt8], at offset: Int, _ bytes: [UInt8]) -> [UInt8] {
        var patched = payload
        for (i, byte) in bytes.enumerated() where offset + i < patched.count { patched[offset + i] = byte }
        return patched
    }

    static func le(_ value: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    static func name(_ typeCode: UInt8) -> String { MessageRegistry.name(of: typeCode) }

    /// A valid decodeFrame vector from a declared message.
    static func valid(
        _ name: String, _ requirements: [String], _ message: Message, sequence: UInt16 = 1, comment: String,
        level: Vector.Level = .required
    ) -> VectorCase {
        let frame = Frame(sequence: sequence, message: message)
        let bytes = (try? frame.encoded()) ?? []
        return VectorCase(
            name, level: level, requirements: requirements, kind: "decodeFrame", messageType: V.name(message.typeCode),
            comment: comment, body: [("input", hex(bytes)), ("result", .string("valid")), ("decoded", view(frame))])
    }

    /// A valid decodeFrame vector from bytes and the view they must decode to.
    static func valid(
        _ name: String, _ requirements: [String], bytes: [UInt8], decoded: JSONValue, messageType: String?, comment: String
    ) -> VectorCase {
        VectorCase(name, requirements: requirements, kind: "decodeFrame", messageType: messageType, comment: comment,
                   body: [("input", hex(bytes)), ("result", .string("valid")), ("decoded", decoded)])
    }

    /// An invalid decodeFrame vector: these bytes, this error, at this frame offset.
    static func invalid(
        _ name: String, _ requirements: [String], _ bytes: [UInt8], _ code: ErrorCode, at offset: Int,
        messageType: String?, comment: String, level: Vector.Level = .required
    ) -> VectorCase {
        VectorCase(name, level: level, requirements: requirements, kind: "decodeFrame", messageType: messageType,
                   comment: comment, body: [("input", hex(bytes)), ("result", .string("invalid")), ("error", error(code, offset))])
    }
}

/// Bit-by-bit CRCs for the generator, independent of the core's table-driven ones (spec section 3).
enum ReferenceCRC {
    static func crc16(_ bytes: [UInt8], initial: UInt16 = 0xFFFF) -> UInt16 {
        var crc = initial
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }
}
