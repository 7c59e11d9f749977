/// The security layer's sealed requests (spec/security.md sections 9 and 10, decoded as 10.0
/// says), and the `commandId` that starts every state-changing one (PW-SEC-13).

/// The command id of PW-SEC-13: 1 to 0xffffffff, read first from the plaintext.
enum CommandIdField {
    static let range: ClosedRange<UInt32> = 1...0xFFFF_FFFF

    static func read(_ reader: inout ByteReader) throws(PumpWireError) -> UInt32 {
        try reader.readUInt32(in: range)
    }
}

/// 0x06, device to pump: a patient bolus within the clinician's limits (PW-SEC-16).
public struct PatientBolusRequest: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x06
    public static let doseRange: ClosedRange<UInt32> = 1...100_000_000

    public var commandId: UInt32
    public var doseNanograms: UInt32
    /// The pump clock as the device last read it: informative, the pump decides by its own.
    public var requestTime: UInt32

    public init(commandId: UInt32, doseNanograms: UInt32, requestTime: UInt32) {
        self.commandId = commandId
        self.doseNanograms = doseNanograms
        self.requestTime = requestTime
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        commandId = try CommandIdField.read(&reader)
        doseNanograms = try reader.readUInt32(in: Self.doseRange)
        requestTime = try reader.readUInt32(in: 0...WireLimits.never - 1)
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(commandId)
        try writer.writeUInt32(doseNanograms)
        try writer.writeUInt32(requestTime)
    }

    public var payloadSize: Int { 12 }
}

/// 0x12, clinician to pump: put a device's key into an empty slot (PW-SEC-17).
public struct DeviceEnrollment: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x12

    public var commandId: UInt32
    public var slot: UInt8
    public var role: DeviceRole
    public var staticPublicKey: Bytes32

    public init(commandId: UInt32, slot: UInt8, role: DeviceRole, staticPublicKey: Bytes32) {
        self.commandId = commandId
        self.slot = slot
        self.role = role
        self.staticPublicKey = staticPublicKey
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        commandId = try CommandIdField.read(&reader)
        slot = try SlotField.read(&reader, allowingNone: false)
        role = try reader.readEnumeration(DeviceRole.self)
        staticPublicKey = Bytes32(copying: try reader.readBytes(count: Bytes32.count)) ?? Bytes32()
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(commandId)
        try writer.writeUInt8(slot)
        try writer.writeUInt8(role.rawValue)
        try staticPublicKey.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
    }

    public var payloadSize: Int { 38 }

    /// The payload offset of `staticPublicKey` (LOW_ORDER_KEY, PW-SEC-17).
    public static let staticPublicKeyOffset = 6
}

/// 0x13, clinician to pump: revoke a slot (PW-SEC-18).
public struct DeviceRevocation: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x13

    public var commandId: UInt32
    public var slot: UInt8

    public init(commandId: UInt32, slot: UInt8) {
        self.commandId = commandId
        self.slot = slot
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        commandId = try CommandIdField.read(&reader)
        slot = try SlotField.read(&reader, allowingNone: false)
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(commandId)
        try writer.writeUInt8(slot)
    }

    public var payloadSize: Int { 5 }
}

/// 0x14, device to pump: end the session (PW-SEC-19). Empty.
public struct SessionClose: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x14

    public init() {}

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {}

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {}

    public var payloadSize: Int { 0 }
}

/// A request that opened in a session, decoded as security.md 10.0 says: the layer's own, or a
/// message of `pumpwire-v1.md` after its `commandId` when the type carries one (PW-SEC-13).
public enum SecureRequest: Equatable {
    case patientBolus(PatientBolusRequest)
    case enrollment(DeviceEnrollment)
    case revocation(DeviceRevocation)
    case sessionClose
    /// A request for the pump's therapy: `commandId` 0 for the types without one.
    case therapy(messageType: UInt8, commandId: UInt32)

    /// The types PW-SEC-15's table lists (others are answered as PW-ERR-3 says): the clinician's
    /// column, which permits every one of them.
    public static func isListed(_ type: UInt8) -> Bool { isPermitted(type, for: .clinician) }

    /// The request's `commandId` (PW-SEC-13), nil for the types without one.
    public var commandId: UInt32? {
        switch self {
        case .patientBolus(let m): m.commandId
        case .enrollment(let m): m.commandId
        case .revocation(let m): m.commandId
        case .sessionClose: nil
        case .therapy(_, let commandId): commandId == 0 ? nil : commandId
        }
    }

    /// Whether `role` may send `type` (PW-SEC-15: deny by default).
    public static func isPermitted(_ type: UInt8, for role: DeviceRole) -> Bool {
        switch type {
        case InterrogationRequest.typeCode, PatientBolusRequest.typeCode, SessionClose.typeCode: true
        case PrescriptionBlock.typeCode, BolusSchedule.typeCode, RefillConfirmation.typeCode,
             MemoryDumpRequest.typeCode, DeviceEnrollment.typeCode, DeviceRevocation.typeCode:
            role == .clinician
        default: false
        }
    }

    /// Whether requests of `type` start with a `commandId` (PW-SEC-13).
    public static func carriesCommandId(_ type: UInt8) -> Bool {
        switch type {
        case PrescriptionBlock.typeCode, BolusSchedule.typeCode, RefillConfirmation.typeCode,
             PatientBolusRequest.typeCode, DeviceEnrollment.typeCode, DeviceRevocation.typeCode: true
        default: false
        }
    }

    /// Decodes the plaintext of a listed type; `reportingOffset` is the offset of its first byte.
    public static func decode(
        type: UInt8, plaintext: UnsafeRawBufferPointer, reportingOffset: Int
    ) throws(PumpWireError) -> SecureRequest {
        switch type {
        case PatientBolusRequest.typeCode:
            return .patientBolus(try .decode(payload: plaintext, reportingOffset: reportingOffset))
        case DeviceEnrollment.typeCode:
            return .enrollment(try .decode(payload: plaintext, reportingOffset: reportingOffset))
        case DeviceRevocation.typeCode:
            return .revocation(try .decode(payload: plaintext, reportingOffset: reportingOffset))
        case SessionClose.typeCode:
            _ = try SessionClose.decode(payload: plaintext, reportingOffset: reportingOffset)
            return .sessionClose
        default:
            var commandId: UInt32 = 0
            var rest = plaintext
            var restOffset = reportingOffset
            if carriesCommandId(type) {
                var reader = ByteReader(plaintext, reportingOffset: reportingOffset)
                commandId = try CommandIdField.read(&reader)
                rest = reader.readRemainingBytes()
                restOffset = reportingOffset + 4
            }
            // The message of pumpwire-v1.md after the command id, at its offsets plus 4 (10.0),
            // each by its own type: a `Message` value would put a kilobyte on a pump's stack.
            switch type {
            case InterrogationRequest.typeCode: _ = try InterrogationRequest.decode(payload: rest, reportingOffset: restOffset)
            case PrescriptionBlock.typeCode: _ = try PrescriptionBlock.decode(payload: rest, reportingOffset: restOffset)
            case BolusSchedule.typeCode: _ = try BolusSchedule.decode(payload: rest, reportingOffset: restOffset)
            case RefillConfirmation.typeCode: _ = try RefillConfirmation.decode(payload: rest, reportingOffset: restOffset)
            case MemoryDumpRequest.typeCode: _ = try MemoryDumpRequest.decode(payload: rest, reportingOffset: restOffset)
            default: throw PumpWireError(.unknownMessageType, at: 3)  // not a request of the table (PW-ERR-3)
            }
            return .therapy(messageType: type, commandId: commandId)
        }
    }
}
