/// The input after its option byte, read as needed by a target that plays operations from it
/// (`FuzzSecurePump`, `FuzzPumpEngine`); zeros once it is used up, so every input plays to the end.
public struct FuzzSource {
    public var bytes: [UInt8]
    public var index = 0

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public var isEmpty: Bool { index >= bytes.count }

    public mutating func u8() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    public mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }

    public mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }

    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, index + count)
        defer { index = end }
        return Array(bytes[index..<end])
    }
}
