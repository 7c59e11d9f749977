/// A read cursor over borrowed bytes. Every read checks the bytes remaining first; running out
/// inside a payload is LENGTH_MISMATCH at the field's offset (PW-ENC-2).
public struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let reportingBase: Int

    /// `reportingOffset` is the offset reported in errors for `bytes[0]` (PW-ENC-6).
    public init(_ bytes: UnsafeRawBufferPointer, reportingOffset: Int = 0) {
        self.bytes = bytes
        self.position = 0
        self.reportingBase = reportingOffset
    }

    /// The offset, as reported in errors, of the next byte to be read.
    public var offset: Int { reportingBase + position }
    public var remaining: Int { bytes.count - position }
    public var isAtEnd: Bool { position == bytes.count }

    public mutating func readUInt8() throws(PumpWireError) -> UInt8 {
        try require(remaining >= 1, .lengthMismatch, at: offset)
        let value = bytes[position]
        position += 1
        return value
    }

    public mutating func readUInt16() throws(PumpWireError) -> UInt16 {
        try require(remaining >= 2, .lengthMismatch, at: offset)
        let value = UInt16(bytes[position]) | UInt16(bytes[position + 1]) &<< 8
        position += 2
        return value
    }

    public mutating func readUInt32() throws(PumpWireError) -> UInt32 {
        try require(remaining >= 4, .lengthMismatch, at: offset)
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[position + i]) &<< (8 * i) }
        position += 4
        return value
    }

    /// Borrows the next `count` bytes without copying them.
    public mutating func readBytes(count: Int) throws(PumpWireError) -> UnsafeRawBufferPointer {
        try require(count >= 0 && remaining >= count, .lengthMismatch, at: offset)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        position += count
        return slice
    }

    /// Borrows everything left.
    public mutating func readRemainingBytes() -> UnsafeRawBufferPointer {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<bytes.count])
        position = bytes.count
        return slice
    }

    /// PW-ENC-3: the payload must be exhausted after its last field.
    public func expectEnd() throws(PumpWireError) {
        try require(isAtEnd, .lengthMismatch, at: offset)
    }
}
