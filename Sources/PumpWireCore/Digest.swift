extension Message {
    /// CRC-32 of the canonical payload (PW-CRC-3): what the pump's acknowledgement and status
    /// report for a stored prescription or bolus schedule. Encoding errors carry payload offsets.
    public func digest() throws(PumpWireError) -> UInt32 {
        try payloadCRC32 { (writer) throws(PumpWireError) in try encodePayload(into: &writer) }
    }
}

extension WireMessage {
    /// CRC-32 of the canonical payload (PW-CRC-3).
    public func digest() throws(PumpWireError) -> UInt32 {
        try payloadCRC32 { (writer) throws(PumpWireError) in try encodePayload(into: &writer) }
    }
}

/// Encodes a payload into stack scratch of the largest payload size and returns its CRC-32.
private func payloadCRC32(
    _ encode: (inout ByteWriter) throws(PumpWireError) -> Void
) throws(PumpWireError) -> UInt32 {
    var scratch = InlineArray<1024, UInt8>(repeating: 0)
    var span = scratch.mutableSpan
    return try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) -> UInt32 in
        var writer = ByteWriter(raw)
        try encode(&writer)
        return CRC32.checksum(writer.written)
    }
}
