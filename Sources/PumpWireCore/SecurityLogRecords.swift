/// Records of the security layer in the event log (spec/security.md section 11, PW-SEC-20).

/// A slot's role (security.md section 4, PW-SEC-5).
public enum DeviceRole: UInt8, Sendable {
    case clinician = 1
    case patient = 2
}

/// Why a session ended (PW-SEC-19).
public enum SessionEndReason: UInt8, Sendable {
    case closed = 1
    case replaced = 2
    case idle = 3
    case revoked = 4
    case counterExhausted = 5
}

/// The pump's slots, and 0xff where a record names none (security.md 11).
enum SlotField {
    static let slots: ClosedRange<UInt8> = 0...3
    static let none: UInt8 = 0xFF

    static func read(_ reader: inout ByteReader, allowingNone: Bool) throws(PumpWireError) -> UInt8 {
        let offset = reader.offset
        let value = try reader.readUInt8()
        try require(slots.contains(value) || (allowingNone && value == none), .fieldOutOfRange, at: offset)
        return value
    }
}

/// 0x30 and 0x31: a slot was filled (pairing, enrollment) or revoked (security.md 11).
public struct DeviceSlotRecord: Equatable, Sendable {
    public var slot: UInt8
    public var role: DeviceRole
    /// CRC-32 of the device's static public key.
    public var keyDigest: UInt32
    /// The session's slot that enrolled or revoked it; 0xff for a pairing.
    public var bySlot: UInt8

    public init(slot: UInt8, role: DeviceRole, keyDigest: UInt32, bySlot: UInt8) {
        self.slot = slot
        self.role = role
        self.keyDigest = keyDigest
        self.bySlot = bySlot
    }

    init(readingBodyFrom reader: inout ByteReader) throws(PumpWireError) {
        slot = try SlotField.read(&reader, allowingNone: false)
        role = try reader.readEnumeration(DeviceRole.self)
        keyDigest = try reader.readUInt32()
        bySlot = try SlotField.read(&reader, allowingNone: true)
        try reader.readUnused(count: 5)
    }

    func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(slot)
        try writer.writeUInt8(role.rawValue)
        try writer.writeUInt32(keyDigest)
        try writer.writeUInt8(bySlot)
        try writer.writeUnused(count: 5)
    }
}

/// 0x30: a device was paired or enrolled into a slot.
public struct DevicePairedRecord: LogRecordBody {
    public static let recordType = LogRecordType.devicePaired
    public var device: DeviceSlotRecord

    public init(device: DeviceSlotRecord) { self.device = device }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        device = try DeviceSlotRecord(readingBodyFrom: &reader)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) { try device.writeBody(to: &writer) }
}

/// 0x31: a slot was revoked (PW-SEC-18).
public struct DeviceUnpairedRecord: LogRecordBody {
    public static let recordType = LogRecordType.deviceUnpaired
    public var device: DeviceSlotRecord

    public init(device: DeviceSlotRecord) { self.device = device }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        device = try DeviceSlotRecord(readingBodyFrom: &reader)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) { try device.writeBody(to: &writer) }
}

/// 0x32: a session started (PW-SEC-8).
public struct SessionStartedRecord: LogRecordBody {
    public static let recordType = LogRecordType.sessionStarted
    public var slot: UInt8
    public var sessionEpoch: UInt8
    public var pattern: NoisePattern
    /// The first 4 bytes of the handshake hash, big-endian as they stand in the hash.
    public var handshakeHashPrefix: UInt32

    public init(slot: UInt8, sessionEpoch: UInt8, pattern: NoisePattern, handshakeHashPrefix: UInt32) {
        self.slot = slot
        self.sessionEpoch = sessionEpoch
        self.pattern = pattern
        self.handshakeHashPrefix = handshakeHashPrefix
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        slot = try SlotField.read(&reader, allowingNone: false)
        sessionEpoch = try reader.readUInt8()
        pattern = try reader.readEnumeration(NoisePattern.self)
        var prefix: UInt32 = 0
        for _ in 0..<4 { prefix = prefix &<< 8 | UInt32(try reader.readUInt8()) }
        handshakeHashPrefix = prefix
        try reader.readUnused(count: 5)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(slot)
        try writer.writeUInt8(sessionEpoch)
        try writer.writeUInt8(pattern.rawValue)
        for shift in stride(from: 24, through: 0, by: -8) {
            try writer.writeUInt8(UInt8(truncatingIfNeeded: handshakeHashPrefix &>> UInt32(shift)))
        }
        try writer.writeUnused(count: 5)
    }
}

/// 0x33: a session ended (PW-SEC-19).
public struct SessionEndedRecord: LogRecordBody {
    public static let recordType = LogRecordType.sessionEnded
    public var slot: UInt8
    public var sessionEpoch: UInt8
    public var reason: SessionEndReason
    /// The sealed frames the pump accepted in the session.
    public var framesAccepted: UInt32

    public init(slot: UInt8, sessionEpoch: UInt8, reason: SessionEndReason, framesAccepted: UInt32) {
        self.slot = slot
        self.sessionEpoch = sessionEpoch
        self.reason = reason
        self.framesAccepted = framesAccepted
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        slot = try SlotField.read(&reader, allowingNone: false)
        sessionEpoch = try reader.readUInt8()
        reason = try reader.readEnumeration(SessionEndReason.self)
        framesAccepted = try reader.readUInt32()
        try reader.readUnused(count: 5)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(slot)
        try writer.writeUInt8(sessionEpoch)
        try writer.writeUInt8(reason.rawValue)
        try writer.writeUInt32(framesAccepted)
        try writer.writeUnused(count: 5)
    }
}

/// 0x34: a frame or request the pump refused or dropped (PW-SEC-20).
public struct SecurityRejectionRecord: LogRecordBody {
    public static let recordType = LogRecordType.securityRejection
    /// The session's slot, the requested slot of a session handshake, or 0xff.
    public var slot: UInt8
    public var messageType: UInt8
    public var errorCode: ErrorCode
    /// Rejections of this code since the last such record, at least 1.
    public var count: UInt16
    /// The open session's epoch, 0 when none was open.
    public var sessionEpoch: UInt8

    public init(slot: UInt8, messageType: UInt8, errorCode: ErrorCode, count: UInt16 = 1, sessionEpoch: UInt8) {
        self.slot = slot
        self.messageType = messageType
        self.errorCode = errorCode
        self.count = count
        self.sessionEpoch = sessionEpoch
    }

    public init(readingBodyFrom reader: inout ByteReader, time: UInt32) throws(PumpWireError) {
        slot = try SlotField.read(&reader, allowingNone: true)
        messageType = try reader.readUInt8()
        let codeOffset = reader.offset
        guard let code = ErrorCode(rawValue: try reader.readUInt16()) else {
            throw PumpWireError(.fieldOutOfRange, at: codeOffset)  // a code of the table of section 10
        }
        errorCode = code
        count = try reader.readUInt16(in: 1...0xFFFF)
        sessionEpoch = try reader.readUInt8()
        try reader.readUnused(count: 5)
    }

    public func writeBody(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(slot)
        try writer.writeUInt8(messageType)
        try writer.writeUInt16(errorCode.rawValue)
        try writer.writeUInt16(count)
        try writer.writeUInt8(sessionEpoch)
        try writer.writeUnused(count: 5)
    }
}
