/// 0x04, programmer to pump: what the clinician did at a refill (spec 9.5).
public struct RefillConfirmation: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x04

    public static let volumeRange: ClosedRange<UInt32> = 0...60_000
    public static let timeRange: ClosedRange<UInt32> = 0...0xFFFF_FFFE

    public var drug: Drug
    public var concentrationMicrogramsPerMillilitre: UInt32
    public var volumeWithdrawnMicrolitres: UInt32
    public var volumeAddedMicrolitres: UInt32
    public var resultingReservoirMicrolitres: UInt32
    public var refillTime: UInt32

    public init(
        drug: Drug, concentrationMicrogramsPerMillilitre: UInt32, volumeWithdrawnMicrolitres: UInt32,
        volumeAddedMicrolitres: UInt32, resultingReservoirMicrolitres: UInt32, refillTime: UInt32
    ) {
        self.drug = drug
        self.concentrationMicrogramsPerMillilitre = concentrationMicrogramsPerMillilitre
        self.volumeWithdrawnMicrolitres = volumeWithdrawnMicrolitres
        self.volumeAddedMicrolitres = volumeAddedMicrolitres
        self.resultingReservoirMicrolitres = resultingReservoirMicrolitres
        self.refillTime = refillTime
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        // PW-REFILL-1
        drug = try reader.readEnumeration(Drug.self)
        concentrationMicrogramsPerMillilitre = try reader.readUInt32(in: PrescriptionBlock.concentrationRange)
        volumeWithdrawnMicrolitres = try reader.readUInt32(in: Self.volumeRange)
        volumeAddedMicrolitres = try reader.readUInt32(in: Self.volumeRange)
        resultingReservoirMicrolitres = try reader.readUInt32(in: Self.volumeRange)
        refillTime = try reader.readUInt32(in: Self.timeRange)
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(drug.rawValue)
        try writer.writeUInt32(concentrationMicrogramsPerMillilitre)
        try writer.writeUInt32(volumeWithdrawnMicrolitres)
        try writer.writeUInt32(volumeAddedMicrolitres)
        try writer.writeUInt32(resultingReservoirMicrolitres)
        try writer.writeUInt32(refillTime)
    }

    public var payloadSize: Int { 21 }
}
