/// The 20-byte block of a sealed frame (spec section 6). Decoded without keys it is carried and
/// re-emitted unchanged, never verified: only `SealedChannel` opens a frame (PW-AUTH-4).
public struct AuthenticationBlock: Equatable, Sendable {
    public static let tagSize = 16

    public var freshnessCounter: UInt32
    public var tag: BoundedArray<16, UInt8>

    public init(freshnessCounter: UInt32, tag: BoundedArray<16, UInt8>) {
        self.freshnessCounter = freshnessCounter
        self.tag = tag
    }

    static func read(from reader: inout ByteReader) throws(PumpWireError) -> AuthenticationBlock {
        let counter = try reader.readUInt32()
        return AuthenticationBlock(
            freshnessCounter: counter,
            tag: try BoundedArray(copying: try reader.readBytes(count: tagSize)))
    }

    /// Writes the block; a tag that is not exactly 16 bytes is FIELD_OUT_OF_RANGE.
    func write(to writer: inout ByteWriter) throws(PumpWireError) {
        try require(tag.count == Self.tagSize, .fieldOutOfRange, at: writer.count + 4)
        try writer.writeUInt32(freshnessCounter)
        try tag.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
    }
}
