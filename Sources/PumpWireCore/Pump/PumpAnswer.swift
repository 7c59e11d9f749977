/// A short answer of a pump, kept for PW-PUMP-20: an `acknowledgement`, a `refillReceipt` or a
/// `negativeAcknowledgement` (at most 12 bytes of payload).
struct ShortAnswer: Sendable {
    var messageType: UInt8
    var payload = InlineArray<12, UInt8>(repeating: 0)  // RefillReceipt, the longest
    var length = 0

    init(messageType: UInt8) {
        self.messageType = messageType
    }

    /// An `acknowledgement` (9.9) of `type` with `digest` (PW-RX-10, PW-BOLUS-5).
    static func acknowledgement(of type: UInt8, digest: UInt32) -> ShortAnswer {
        var answer = ShortAnswer(messageType: Acknowledgement.typeCode)
        answer.append(type)
        answer.append(digest)
        return answer
    }

    /// A `negativeAcknowledgement` (9.10); an offset above 1023 is none, 0xffff (PW-NAK-1, PW-NAK-2).
    static func refusal(of type: UInt8, _ code: ErrorCode, offset: Int) -> ShortAnswer {
        var answer = ShortAnswer(messageType: NegativeAcknowledgement.typeCode)
        answer.append(type)
        answer.append(code.rawValue)
        let limit = Int(NegativeAcknowledgement.errorOffsetRange.upperBound)
        answer.append(offset >= 0 && offset <= limit ? UInt16(truncatingIfNeeded: offset) : NegativeAcknowledgement.noOffset)
        return answer
    }

    /// A `refillReceipt` (9.6).
    static func receipt(_ receipt: RefillReceipt) -> ShortAnswer {
        var answer = ShortAnswer(messageType: RefillReceipt.typeCode)
        answer.append(receipt.confirmationDigest)
        answer.append(receipt.resultingReservoirMicrolitres)
        answer.append(receipt.lowReservoirAlarmTime)
        return answer
    }

    mutating func append(_ byte: UInt8) {
        payload[length] = byte
        length += 1
    }

    mutating func append(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value &>> 8))
    }

    mutating func append(_ value: UInt32) {
        for shift in 0..<4 { append(UInt8(truncatingIfNeeded: value &>> UInt32(8 * shift))) }
    }
}

/// Answer frames laid out in a stack buffer of the largest frame (271 bytes), one at a time: a
/// payload written at offset 9, then the header, the empty authentication block of a frame to be
/// sealed (PW-SEC-9), and the CRC (PW-CRC-1).
enum AnswerFrame {
    /// A buffer of the largest frame.
    typealias Storage = InlineArray<271, UInt8>  // WireLimits.maxFrameSize

    /// Runs `body` with a zeroed buffer of the largest frame, on the stack.
    static func withBuffer(_ body: (UnsafeMutableRawBufferPointer) -> Void) {
        var storage = Storage(repeating: 0)
        var span = storage.mutableSpan
        span.withUnsafeMutableBytes { (raw) in body(raw) }
    }

    /// Writes `value` little-endian at `offset` of `storage` and moves `offset` past it.
    static func put(_ value: UInt8, in storage: inout Storage, at offset: inout Int) {
        storage[offset] = value
        offset += 1
    }

    static func put(_ value: UInt16, in storage: inout Storage, at offset: inout Int) {
        put(UInt8(truncatingIfNeeded: value), in: &storage, at: &offset)
        put(UInt8(truncatingIfNeeded: value &>> 8), in: &storage, at: &offset)
    }

    static func put(_ value: UInt32, in storage: inout Storage, at offset: inout Int) {
        for shift in 0..<4 { put(UInt8(truncatingIfNeeded: value &>> UInt32(8 * shift)), in: &storage, at: &offset) }
    }

    /// Finishes the frame whose payload is at offset 9 of `storage` (see `finish`) and hands it to `emit`.
    static func emit(
        _ storage: inout Storage, type: UInt8, sequence: UInt16, payloadLength: Int, sealed: Bool,
        _ emit: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        var span = storage.mutableSpan
        span.withUnsafeMutableBytes { (buffer) in
            let length = finish(type: type, sequence: sequence, payloadLength: payloadLength, sealed: sealed, in: buffer)
            emit(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]))
        }
    }

    /// Where a payload goes in the buffer: 240 bytes from offset 9.
    static func payloadArea(of buffer: UnsafeMutableRawBufferPointer) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: buffer[WireLimits.headerSize..<(WireLimits.headerSize + WireLimits.maxFramePayload)])
    }

    /// Writes the header before the `payloadLength` bytes already at offset 9, the empty block when
    /// `sealed`, and the CRC; returns the frame's length.
    static func finish(
        type: UInt8, sequence: UInt16, payloadLength: Int, sealed: Bool, in buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        let block = sealed ? WireLimits.authenticationBlockSize : 0
        let end = WireLimits.headerSize + payloadLength + block
        buffer[0] = WireLimits.syncByte0
        buffer[1] = WireLimits.syncByte1
        buffer[2] = WireLimits.version
        buffer[3] = type
        buffer[4] = sealed ? FrameFlags.authenticated.rawValue : 0
        buffer[5] = UInt8(truncatingIfNeeded: sequence)
        buffer[6] = UInt8(truncatingIfNeeded: sequence &>> 8)
        buffer[7] = UInt8(truncatingIfNeeded: payloadLength)
        buffer[8] = UInt8(truncatingIfNeeded: payloadLength &>> 8)
        for i in (WireLimits.headerSize + payloadLength)..<end { buffer[i] = 0 }
        let crc = CRC16.checksum(UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
        buffer[end] = UInt8(truncatingIfNeeded: crc)
        buffer[end + 1] = UInt8(truncatingIfNeeded: crc &>> 8)
        return end + WireLimits.crcSize
    }

    /// Builds the frame of a short answer and hands it to `emit`.
    static func emit(
        _ answer: ShortAnswer, sequence: UInt16, sealed: Bool, _ emit: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        withBuffer { (buffer) in
            for i in 0..<answer.length { buffer[WireLimits.headerSize + i] = answer.payload[i] }
            let length = finish(type: answer.messageType, sequence: sequence, payloadLength: answer.length, sealed: sealed, in: buffer)
            emit(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]))
        }
    }
}
