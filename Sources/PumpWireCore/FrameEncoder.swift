/// Writes messages as frames: one frame, or fragments when the payload exceeds 240 bytes
/// (PW-FRAG-1). Everything is written into the caller's buffer; nothing is allocated.
public enum FrameEncoder {
    /// The bytes `encode` will write for `message`.
    public static func encodedSize(of message: Message, authenticated: Bool = false) -> Int {
        let payload = message.payloadSize
        let overhead = WireLimits.headerSize + WireLimits.crcSize
        if payload <= WireLimits.maxFramePayload {
            return overhead + payload + (authenticated ? WireLimits.authenticationBlockSize : 0)
        }
        let count = FragmentHeader.fragmentCount(forPayloadLength: payload)
        return count * (overhead + WireLimits.fragmentHeaderSize) + payload
    }

    /// Writes `message` with `sequence` as one frame or as its fragments, back to back, and
    /// returns the bytes written. Errors carry frame offsets for a single frame and payload
    /// offsets for a fragmented message, as a decoder would report them (PW-ENC-6, PW-FRAG-12).
    /// An authentication block is carried by a single frame only: version 1 has no way to make a
    /// tag per fragment, so a fragmented message with one is refused (NON_CANONICAL at offset 4).
    @discardableResult
    public static func encode(
        _ message: Message, sequence: UInt16, authentication: AuthenticationBlock? = nil,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        let payloadSize = message.payloadSize
        try require(payloadSize <= WireLimits.maxMessagePayload, .payloadTooLarge, at: 0)
        if payloadSize <= WireLimits.maxFramePayload {
            return try Frame(sequence: sequence, authentication: authentication, content: .message(message))
                .encode(into: buffer)
        }
        try require(authentication == nil, .nonCanonical, at: 4)
        return try encodeFragments(message, payloadSize: payloadSize, sequence: sequence, into: buffer)
    }

    /// Fragments in place: the payload is encoded at the end of the output, then each frame is
    /// written from the front by `writeFragments`.
    private static func encodeFragments(
        _ message: Message, payloadSize: Int, sequence: UInt16, into buffer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        let payloadStart = fragmentedPayloadStart(payloadSize: payloadSize)
        let total = payloadStart + payloadSize
        if buffer.count < total { try message.validate() }  // PW-ENC-5 before BUFFER_TOO_SMALL
        try require(buffer.count >= total, .bufferTooSmall, at: buffer.count)
        var payloadWriter = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: buffer[payloadStart..<total]))
        try message.encodePayload(into: &payloadWriter)
        try require(payloadWriter.count == payloadSize, .lengthMismatch, at: payloadWriter.count)
        return try writeFragments(typeCode: message.typeCode, sequence: sequence, payloadSize: payloadSize, in: buffer)
    }

    /// Where `writeFragments` expects a payload of `payloadSize` bytes (above 240): after room for
    /// every fragment's 15 bytes of overhead.
    public static func fragmentedPayloadStart(payloadSize: Int) -> Int {
        FragmentHeader.fragmentCount(forPayloadLength: payloadSize)
            * (WireLimits.headerSize + WireLimits.fragmentHeaderSize + WireLimits.crcSize)
    }

    /// Writes the fragment frames of a canonical payload that lies at
    /// `buffer[fragmentedPayloadStart(payloadSize:)...]`, from the front of `buffer`, and returns
    /// the bytes written. A frame never overtakes the payload bytes it has yet to read, because
    /// each frame adds 15 bytes of overhead and the payload starts 15 × count bytes in.
    public static func writeFragments(
        typeCode: UInt8, sequence: UInt16, payloadSize: Int, in buffer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        try require(payloadSize > WireLimits.maxFramePayload && payloadSize <= WireLimits.maxMessagePayload, .payloadTooLarge, at: 0)
        let count = FragmentHeader.fragmentCount(forPayloadLength: payloadSize)
        let payloadStart = fragmentedPayloadStart(payloadSize: payloadSize)
        let total = payloadStart + payloadSize
        try require(buffer.count >= total, .bufferTooSmall, at: buffer.count)
        var frameStart = 0
        for index in 0..<count {
            let header = FragmentHeader(index: UInt8(index), count: UInt8(count), totalLength: UInt16(payloadSize))
            let dataLength = header.expectedDataLength
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: buffer[frameStart..<total]))
            try writeHeader(typeCode: typeCode, flags: FrameFlags.fragment, sequence: sequence, to: &writer)
            try writer.writeUInt8(header.index)
            try writer.writeUInt8(header.count)
            try writer.writeUInt16(header.totalLength)
            // Forward copy: the destination is never after the source (see above).
            let source = payloadStart + header.dataOffset
            let destination = frameStart + writer.count
            for i in 0..<dataLength { buffer[destination + i] = buffer[source + i] }
            let frameLength = WireLimits.headerSize + WireLimits.fragmentHeaderSize + dataLength
            var crcWriter = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: buffer[frameStart..<total]))
            crcWriter.skip(frameLength)
            try setPayloadLength(WireLimits.fragmentHeaderSize + dataLength, writer: &crcWriter)
            try crcWriter.writeUInt16(CRC16.checksum(crcWriter.written))
            frameStart += crcWriter.count
        }
        return frameStart
    }

    static func writeHeader(
        typeCode: UInt8, flags: FrameFlags, sequence: UInt16, to writer: inout ByteWriter
    ) throws(PumpWireError) {
        try writer.writeUInt8(WireLimits.syncByte0)
        try writer.writeUInt8(WireLimits.syncByte1)
        try writer.writeUInt8(WireLimits.version)
        try writer.writeUInt8(typeCode)
        try writer.writeUInt8(flags.rawValue)
        try writer.writeUInt16(sequence)
        try writer.writeUInt16(0)  // payload length, set by finishFrame
    }

    /// Sets the payload length, appends the authentication block and the CRC (PW-CRC-1).
    static func finishFrame(
        payloadStart: Int, authentication: AuthenticationBlock?, writer: inout ByteWriter
    ) throws(PumpWireError) {
        let payloadLength = writer.count - payloadStart
        try require(payloadLength <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)
        try setPayloadLength(payloadLength, writer: &writer)
        if let authentication { try authentication.write(to: &writer) }
        try writer.writeUInt16(CRC16.checksum(writer.written))
    }

    private static func setPayloadLength(_ length: Int, writer: inout ByteWriter) throws(PumpWireError) {
        let end = writer.count
        writer.rewind(to: 7)
        try writer.writeUInt16(UInt16(length))
        writer.skip(end - writer.count)
    }
}
