/// 0xF0, pump to programmer: a prescription or bolus schedule was stored, or a request of the
/// security layer was granted (spec 9.9, security.md section 2).
public struct Acknowledgement: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0xF0

    /// The request types an acknowledgement may answer (PW-ACK-1): the prescription, the bolus
    /// schedule, and the security layer's requests (security.md 2).
    public static let acknowledgeableTypes: InlineArray<7, UInt8> = [0x02, 0x03, 0x06, 0x11, 0x12, 0x13, 0x14]

    public static func isAcknowledgeable(_ type: UInt8) -> Bool {
        for i in acknowledgeableTypes.indices where acknowledgeableTypes[i] == type { return true }
        return false
    }

    public var acknowledgedType: UInt8
    /// CRC-32 of the payload the pump stored; compare with what was sent (PW-ACK-2).
    public var digest: UInt32

    public init(acknowledgedType: UInt8, digest: UInt32) {
        self.acknowledgedType = acknowledgedType
        self.digest = digest
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        let typeOffset = reader.offset
        acknowledgedType = try reader.readUInt8()
        try require(Self.isAcknowledgeable(acknowledgedType), .fieldOutOfRange, at: typeOffset)  // PW-ACK-1
        digest = try reader.readUInt32()
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(acknowledgedType)
        try writer.writeUInt32(digest)
    }

    public var payloadSize: Int { 5 }
}
