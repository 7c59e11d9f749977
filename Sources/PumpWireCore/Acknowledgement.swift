/// 0xF0, pump to programmer: a prescription or bolus schedule was stored (spec 9.9).
public struct Acknowledgement: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0xF0

    /// The request types an acknowledgement may answer (PW-ACK-1).
    public static let acknowledgeableTypes: ClosedRange<UInt8> = PrescriptionBlock.typeCode...BolusSchedule.typeCode

    public var acknowledgedType: UInt8
    /// CRC-32 of the payload the pump stored; compare with what was sent (PW-ACK-2).
    public var digest: UInt32

    public init(acknowledgedType: UInt8, digest: UInt32) {
        self.acknowledgedType = acknowledgedType
        self.digest = digest
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        acknowledgedType = try reader.readUInt8(in: Self.acknowledgeableTypes)
        digest = try reader.readUInt32()
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(acknowledgedType)
        try writer.writeUInt32(digest)
    }

    public var payloadSize: Int { 5 }
}
