/// A write cursor over a caller-owned buffer; little-endian like the wire. Running out of room
/// is BUFFER_TOO_SMALL at the offset of the byte that did not fit.
public struct ByteWriter {
    let buffer: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    public private(set) var count: Int

    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
        self.count = 0
    }

    public var remaining: Int { buffer.count - count }

    public mutating func writeUInt8(_ value: UInt8) throws(PumpWireError) {
        try require(remaining >= 1, .bufferTooSmall, at: count)
        buffer[count] = value
        count += 1
    }

    public mutating func writeUInt16(_ value: UInt16) throws(PumpWireError) {
        try require(remaining >= 2, .bufferTooSmall, at: count)
        buffer[count] = UInt8(truncatingIfNeeded: value)
        buffer[count + 1] = UInt8(truncatingIfNeeded: value &>> 8)
        count += 2
    }

    public mutating func writeUInt32(_ value: UInt32) throws(PumpWireError) {
        try require(remaining >= 4, .bufferTooSmall, at: count)
        for i in 0..<4 { buffer[count + i] = UInt8(truncatingIfNeeded: value &>> (8 * i)) }
        count += 4
    }

    public mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) throws(PumpWireError) {
        try require(remaining >= bytes.count, .bufferTooSmall, at: count)
        UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + bytes.count)]).copyMemory(from: bytes)
        count += bytes.count
    }

    /// The bytes written so far, for checksums over what was just written.
    public var written: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }

    /// Moves forward over `byteCount` bytes already in the buffer (clamped to its end).
    public mutating func skip(_ byteCount: Int) {
        count = min(count + max(0, byteCount), buffer.count)
    }

    /// Rewinds to `position`, so a caller can overwrite what it wrote after it.
    public mutating func rewind(to position: Int) {
        count = min(max(0, position), count)
    }
}
