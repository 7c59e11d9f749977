/// The handshake messages of the security layer (spec/security.md sections 5, 6 and 10.0): never
/// sealed, never fragmented. The registry of `pumpwire-v1.md` section 8 lists them under the layer.

/// 0x10, device to pump: the first message of a pairing (`pattern` 1) or a session (`pattern` 2).
public struct HandshakeRequest: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x10
    public static let noiseMessageSize = 48

    public var pattern: NoisePattern
    /// Pairing: 0; session: the initiator's slot.
    public var slot: UInt8
    public var noiseMessage: BoundedArray<48, UInt8>

    public init(pattern: NoisePattern, slot: UInt8, noiseMessage: BoundedArray<48, UInt8>) {
        self.pattern = pattern
        self.slot = slot
        self.noiseMessage = noiseMessage
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        pattern = try reader.readEnumeration(NoisePattern.self)
        let slotOffset = reader.offset
        slot = try reader.readUInt8()
        // security.md 10.0: slots 0 to 3, and 0 for a pairing.
        try require(slot <= 3 && (pattern == .kk || slot == 0), .fieldOutOfRange, at: slotOffset)
        noiseMessage = try BoundedArray(copying: try reader.readBytes(count: Self.noiseMessageSize))
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(pattern.rawValue)
        try writer.writeUInt8(slot)
        try noiseMessage.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
    }

    public var payloadSize: Int { 2 + noiseMessage.count }

    /// The 13-byte Noise prologue this request binds (section 5).
    public var prologue: HandshakePrologue { HandshakePrologue(pattern: pattern, slot: slot) }
}

/// 0x90, pump to device: message 2 of either pattern (54 bytes for a session, 102 for a pairing).
public struct HandshakeResponse: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x90
    public static let sessionSize = 54
    public static let pairingSize = 102

    public var noiseMessage: BoundedArray<102, UInt8>

    public init(noiseMessage: BoundedArray<102, UInt8>) {
        self.noiseMessage = noiseMessage
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        // security.md 10.0: read as the longest of the two sizes that fits, so that any other size
        // is LENGTH_MISMATCH at 0 (shorter than 54) or after the 54 or 102 bytes (PW-ENC-3).
        let size = reader.remaining >= Self.pairingSize ? Self.pairingSize : Self.sessionSize
        noiseMessage = try BoundedArray(copying: try reader.readBytes(count: size))
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try noiseMessage.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
    }

    public var payloadSize: Int { noiseMessage.count }
}

/// 0x11, programmer to pump: message 3 of a pairing.
public struct HandshakeFinish: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x11
    public static let noiseMessageSize = 64

    public var noiseMessage: BoundedArray<64, UInt8>

    public init(noiseMessage: BoundedArray<64, UInt8>) {
        self.noiseMessage = noiseMessage
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        noiseMessage = try BoundedArray(copying: try reader.readBytes(count: Self.noiseMessageSize))
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try noiseMessage.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
    }

    public var payloadSize: Int { noiseMessage.count }
}
