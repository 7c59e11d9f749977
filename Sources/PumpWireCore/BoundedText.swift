/// A text field (PW-ENC-8): 1 to `capacity` bytes of printable ASCII, 0x20 to 0x7E.
public struct BoundedText<let capacity: Int>: Equatable {
    public private(set) var bytes: BoundedArray<capacity, UInt8>

    /// Validates as a decoder would; offsets count from the first text byte.
    public init(ascii: UnsafeRawBufferPointer) throws(PumpWireError) {
        try require(ascii.count >= 1 && ascii.count <= capacity, .fieldOutOfRange, at: 0)
        for i in 0..<ascii.count {
            try require(BoundedText.isPrintable(ascii[i]), .invalidText, at: i)
        }
        bytes = try BoundedArray(copying: ascii)
    }

    public var count: Int { bytes.count }

    static func isPrintable(_ byte: UInt8) -> Bool { byte >= 0x20 && byte <= 0x7E }

    /// Reads a `u8` length then the text, with the checks of PW-ENC-8.
    static func read(from reader: inout ByteReader) throws(PumpWireError) -> BoundedText {
        let lengthOffset = reader.offset
        let length = Int(try reader.readUInt8())
        try require(length >= 1 && length <= capacity, .fieldOutOfRange, at: lengthOffset)
        let textOffset = reader.offset
        let text = try reader.readBytes(count: length)
        do {
            return try BoundedText(ascii: text)
        } catch {
            throw PumpWireError(error.code, at: textOffset + error.offset)
        }
    }

    func write(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(UInt8(bytes.count))
        try bytes.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
    }
}

extension BoundedText: Sendable {}
