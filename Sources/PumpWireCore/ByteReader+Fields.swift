/// Field reads with the range check of PW-ENC-1 done at the field's own offset.
extension ByteReader {
    public mutating func readUInt8(in range: ClosedRange<UInt8>) throws(PumpWireError) -> UInt8 {
        let fieldOffset = offset
        let value = try readUInt8()
        try require(range.contains(value), .fieldOutOfRange, at: fieldOffset)
        return value
    }

    public mutating func readUInt16(in range: ClosedRange<UInt16>) throws(PumpWireError) -> UInt16 {
        let fieldOffset = offset
        let value = try readUInt16()
        try require(range.contains(value), .fieldOutOfRange, at: fieldOffset)
        return value
    }

    public mutating func readUInt32(in range: ClosedRange<UInt32>) throws(PumpWireError) -> UInt32 {
        let fieldOffset = offset
        let value = try readUInt32()
        try require(range.contains(value), .fieldOutOfRange, at: fieldOffset)
        return value
    }

    /// An enumerated `u8`; a value not listed is FIELD_OUT_OF_RANGE (PW-ENC-7).
    public mutating func readEnumeration<Value: RawRepresentable>(
        _: Value.Type
    ) throws(PumpWireError) -> Value where Value.RawValue == UInt8 {
        let fieldOffset = offset
        guard let value = Value(rawValue: try readUInt8()) else {
            throw PumpWireError(.fieldOutOfRange, at: fieldOffset)
        }
        return value
    }

    /// A flags byte whose bits outside `allowed` are reserved and must be zero (PW-ENC-5).
    public mutating func readFlags(allowed: UInt8) throws(PumpWireError) -> UInt8 {
        let fieldOffset = offset
        let value = try readUInt8()
        try require(value & ~allowed == 0, .nonCanonical, at: fieldOffset)
        return value
    }
}
