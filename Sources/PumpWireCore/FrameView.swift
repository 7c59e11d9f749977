/// A frame checked and located in borrowed bytes, without copying its payload (spec 4.1, 4.2).
public struct FrameView: Equatable, Sendable {
    public var messageType: UInt8
    public var flags: FrameFlags
    public var sequence: UInt16
    /// Where the payload lies in the bytes given to `decode`.
    public var payloadRange: Range<Int>
    public var authentication: AuthenticationBlock?
    /// The fragment header, checked (5.2), when FRAGMENT is set.
    public var fragment: FragmentHeader?
    /// The frame's length in bytes.
    public var length: Int

    /// Frame offset of the payload.
    public static let payloadOffset = WireLimits.headerSize

    /// Checks the frame at the start of `bytes` in the order of spec 4.2 (PW-FRAME-9).
    /// With `exactly`, bytes after the frame are TRAILING_BYTES (PW-FRAME-7); without it they
    /// are left for the caller (a stream reader).
    public static func decode(_ bytes: UnsafeRawBufferPointer, exactly: Bool) throws(PumpWireError) -> FrameView {
        var view = try decodeFrameLayer(bytes, exactly: exactly)
        // 9. section 5.2
        if view.flags.contains(.fragment) {
            view.fragment = try FragmentHeader.read(fromFramePayload: view.payload(in: bytes))
        }
        return view
    }

    /// Steps 1 to 8 of spec 4.2 only: the frame is sound, its fragment header and payload are
    /// not yet checked. A session checker tells these apart (PW-SESSION-5).
    public static func decodeFrameLayer(_ bytes: UnsafeRawBufferPointer, exactly: Bool) throws(PumpWireError) -> FrameView {
        // 1. PW-FRAME-1, on the bytes present.
        if bytes.count >= 1 { try require(bytes[0] == WireLimits.syncByte0, .badSync, at: 0) }
        if bytes.count >= 2 { try require(bytes[1] == WireLimits.syncByte1, .badSync, at: 0) }
        // 2. PW-FRAME-2: the header.
        try require(bytes.count >= WireLimits.headerSize, .truncated, at: bytes.count)
        // 3. PW-FRAME-3
        try require(bytes[2] == WireLimits.version, .unsupportedVersion, at: 2)
        // 4. PW-FRAME-4
        let flags = FrameFlags(rawValue: bytes[4])
        try require(flags.isSubset(of: .defined), .nonCanonical, at: 4)
        // 5. PW-FRAME-5
        let payloadLength = Int(bytes[7]) | Int(bytes[8]) << 8
        try require(payloadLength <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)
        // 6. PW-FRAME-2: the whole frame.
        let authSize = flags.contains(.authenticated) ? WireLimits.authenticationBlockSize : 0
        let crcOffset = WireLimits.headerSize + payloadLength + authSize
        let length = crcOffset + WireLimits.crcSize
        try require(bytes.count >= length, .truncated, at: bytes.count)
        // 7. PW-FRAME-6
        let expectedCRC = CRC16.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<crcOffset]))
        let storedCRC = UInt16(bytes[crcOffset]) | UInt16(bytes[crcOffset + 1]) << 8
        try require(storedCRC == expectedCRC, .badCRC, at: crcOffset)
        // 8. PW-FRAME-7
        if exactly { try require(bytes.count == length, .trailingBytes, at: length) }

        let payloadRange = WireLimits.headerSize..<(WireLimits.headerSize + payloadLength)
        var authentication: AuthenticationBlock?
        if authSize > 0 {
            var reader = ByteReader(
                UnsafeRawBufferPointer(rebasing: bytes[payloadRange.upperBound..<crcOffset]),
                reportingOffset: payloadRange.upperBound)
            authentication = try AuthenticationBlock.read(from: &reader)
        }
        return FrameView(
            messageType: bytes[3], flags: flags, sequence: UInt16(bytes[5]) | UInt16(bytes[6]) << 8,
            payloadRange: payloadRange, authentication: authentication, fragment: nil, length: length)
    }

    /// The payload within `bytes` (the same bytes given to `decode`).
    public func payload(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[payloadRange])
    }

    /// A fragment's data within `bytes`: the payload after the fragment header.
    public func fragmentData(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(payloadRange.lowerBound + WireLimits.fragmentHeaderSize)..<payloadRange.upperBound])
    }

    /// 10. Decodes the message of an unfragmented frame; offsets are frame offsets (PW-ENC-6).
    public func message(in bytes: UnsafeRawBufferPointer) throws(PumpWireError) -> Message {
        try Message.decode(typeCode: messageType, payload: payload(in: bytes), reportingOffset: Self.payloadOffset)
    }
}
