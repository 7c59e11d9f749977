/// 0x84, pump to programmer: the answer to a refill confirmation (spec 9.6).
public struct RefillReceipt: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x84

    /// CRC-32 of the refill confirmation's payload as the pump received it.
    public var confirmationDigest: UInt32
    public var resultingReservoirMicrolitres: UInt32
    /// D5 of spec 2.3, or `WireLimits.never`.
    public var lowReservoirAlarmTime: UInt32

    public init(confirmationDigest: UInt32, resultingReservoirMicrolitres: UInt32, lowReservoirAlarmTime: UInt32) {
        self.confirmationDigest = confirmationDigest
        self.resultingReservoirMicrolitres = resultingReservoirMicrolitres
        self.lowReservoirAlarmTime = lowReservoirAlarmTime
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        confirmationDigest = try reader.readUInt32()
        resultingReservoirMicrolitres = try reader.readUInt32(in: RefillConfirmation.volumeRange)  // PW-REFILL-3
        lowReservoirAlarmTime = try reader.readUInt32()
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt32(confirmationDigest)
        try writer.writeUInt32(resultingReservoirMicrolitres)
        try writer.writeUInt32(lowReservoirAlarmTime)
    }

    public var payloadSize: Int { 12 }
}
