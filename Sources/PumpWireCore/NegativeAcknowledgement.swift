/// 0xF1, pump to programmer: a request was refused, with a code of spec section 10 (spec 9.10).
public struct NegativeAcknowledgement: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0xF1
    /// `errorOffset` when no offset applies.
    public static let noOffset: UInt16 = 0xFFFF
    public static let errorOffsetRange: ClosedRange<UInt16> = 0...UInt16(WireLimits.maxMessagePayload - 1)

    public var rejectedType: UInt8
    public var errorCode: ErrorCode
    public var errorOffset: UInt16

    public init(rejectedType: UInt8, errorCode: ErrorCode, errorOffset: UInt16 = NegativeAcknowledgement.noOffset) {
        self.rejectedType = rejectedType
        self.errorCode = errorCode
        self.errorOffset = errorOffset
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        rejectedType = try reader.readUInt8()
        // PW-NAK-1
        let codeOffset = reader.offset
        guard let code = ErrorCode(rawValue: try reader.readUInt16()), !code.isSessionFinding else {
            throw PumpWireError(.fieldOutOfRange, at: codeOffset)
        }
        errorCode = code
        let offsetOffset = reader.offset
        errorOffset = try reader.readUInt16()
        try require(
            errorOffset == Self.noOffset || Self.errorOffsetRange.contains(errorOffset),
            .fieldOutOfRange, at: offsetOffset)
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(rejectedType)
        try writer.writeUInt16(errorCode.rawValue)
        try writer.writeUInt16(errorOffset)
    }

    public var payloadSize: Int { 5 }
}
