/// The 4 bytes that start the payload of a FRAGMENT frame (spec 5.1).
public struct FragmentHeader: Equatable, Sendable {
    public var index: UInt8
    public var count: UInt8
    /// The length of the whole message payload.
    public var totalLength: UInt16

    public init(index: UInt8, count: UInt8, totalLength: UInt16) {
        self.index = index
        self.count = count
        self.totalLength = totalLength
    }

    /// Fragments needed for a payload of `totalLength` bytes (PW-FRAG-1).
    public static func fragmentCount(forPayloadLength totalLength: Int) -> Int {
        (totalLength + WireLimits.fragmentDataSize - 1) / WireLimits.fragmentDataSize
    }

    public var isLast: Bool { index == count &- 1 }

    /// How many data bytes this fragment must carry (PW-FRAG-6).
    public var expectedDataLength: Int {
        isLast
            ? Int(totalLength) - WireLimits.fragmentDataSize * (Int(count) - 1)
            : WireLimits.fragmentDataSize
    }

    /// Where this fragment's data goes in the message payload.
    public var dataOffset: Int { Int(index) * WireLimits.fragmentDataSize }

    /// Reads and checks the header, in the order of spec 5.2. `payload` is the frame payload,
    /// which starts at frame offset 9; offsets reported are frame offsets.
    static func read(fromFramePayload payload: UnsafeRawBufferPointer) throws(PumpWireError) -> FragmentHeader {
        let base = WireLimits.headerSize
        var reader = ByteReader(payload, reportingOffset: base)
        let index = try reader.readUInt8()
        let count = try reader.readUInt8()
        let total = try reader.readUInt16()
        let header = FragmentHeader(index: index, count: count, totalLength: total)
        try header.check(dataLength: reader.remaining)
        return header
    }

    /// The checks of spec 5.2 after the fields are read, in order; offsets are frame offsets.
    public func check(dataLength: Int) throws(PumpWireError) {
        let base = WireLimits.headerSize
        try require(count >= 2 && Int(count) <= WireLimits.maxFragments, .fragmentCountInvalid, at: base + 1)  // PW-FRAG-2
        try require(index < count, .fragmentIndexOutOfRange, at: base)  // PW-FRAG-3
        try require(Int(totalLength) <= WireLimits.maxMessagePayload, .payloadTooLarge, at: base + 2)  // PW-FRAG-4
        try require(Int(totalLength) > WireLimits.maxFramePayload, .nonCanonical, at: base + 2)
        try require(Int(count) == Self.fragmentCount(forPayloadLength: Int(totalLength)), .fragmentCountInvalid, at: base + 1)  // PW-FRAG-5
        try require(dataLength == expectedDataLength, .fragmentSizeInvalid, at: 7)  // PW-FRAG-6
    }
}
