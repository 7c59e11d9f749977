/// One direction of a session's sealed frames: its key (PW-SEC-8), the session's epoch, and its
/// counter, the next to seal with when sending (PW-SEC-12) or the highest accepted when receiving
/// (PW-SEC-10).
public struct SealedDirection: Equatable, Sendable {
    public var key: Bytes32
    public var sessionEpoch: UInt8
    /// The highest `frameCounter` accepted in this direction, none before the first.
    public private(set) var highestAccepted: UInt32?
    /// The `frameCounter` of the next frame sealed; above `SealedFrame.maxFrameCounter` once
    /// exhausted.
    public private(set) var nextFrameCounter: UInt32

    /// A direction as a handshake leaves it (no frame yet), or as it was saved.
    public init(key: Bytes32, sessionEpoch: UInt8, highestAccepted: UInt32? = nil, nextFrameCounter: UInt32 = 0) {
        self.key = key
        self.sessionEpoch = sessionEpoch
        self.highestAccepted = highestAccepted
        self.nextFrameCounter = nextFrameCounter
    }

    /// Frame counters left to seal with (0 once exhausted).
    public var remainingFrameCounters: UInt32 {
        nextFrameCounter > SealedFrame.maxFrameCounter ? 0 : SealedFrame.maxFrameCounter - nextFrameCounter + 1
    }

    /// Erases the key (PW-SEC-19).
    public mutating func erase() {
        key.erase()
    }

    mutating func takeFrameCounter() -> UInt32 {
        let counter = nextFrameCounter
        nextFrameCounter += 1
        return counter
    }

    mutating func accept(_ frameCounter: UInt32) {
        highestAccepted = frameCounter
    }
}

/// The sealed frames of one session (spec/security.md section 7): seals outgoing frames with one
/// key and opens incoming ones with the other, keeping each direction's counter. Everything is
/// written into the caller's buffers; nothing is allocated.
public struct SealedChannel<Provider: CryptoProvider> {
    public var sending: SealedDirection
    public var receiving: SealedDirection
    let provider: Provider

    public init(sending: SealedDirection, receiving: SealedDirection, provider: Provider) {
        self.sending = sending
        self.receiving = receiving
        self.provider = provider
    }

    /// The channel of one side after a handshake (PW-SEC-8): `k1` seals the initiator's frames,
    /// `k2` the responder's (the pump's).
    public init(role: NoiseRole, initiatorToResponder k1: Bytes32, responderToInitiator k2: Bytes32, sessionEpoch: UInt8, provider: Provider) {
        let initiator = role == .initiator
        self.init(
            sending: SealedDirection(key: initiator ? k1 : k2, sessionEpoch: sessionEpoch),
            receiving: SealedDirection(key: initiator ? k2 : k1, sessionEpoch: sessionEpoch),
            provider: provider)
    }

    /// The channel of a completed handshake (`Split()`, PW-SEC-8).
    public init(handshake: borrowing NoiseHandshakeState<Provider>, sessionEpoch: UInt8) throws(PumpWireError) {
        let (k1, k2) = try handshake.split()
        self.init(role: handshake.role, initiatorToResponder: k1.key, responderToInitiator: k2.key,
                  sessionEpoch: sessionEpoch, provider: handshake.provider)
    }

    /// Erases both keys: the session has ended (PW-SEC-19).
    public mutating func erase() {
        sending.erase()
        receiving.erase()
    }

    // MARK: - Sealing (PW-SEC-9, PW-SEC-12)

    /// The bytes `seal(_:sequence:into:)` writes for `message`: one frame with its block, or a
    /// block in each fragment frame.
    public static func sealedSize(of message: Message) -> Int {
        let payload = message.payloadSize
        if payload <= WireLimits.maxFramePayload {
            return WireLimits.headerSize + payload + SealedFrame.overhead + WireLimits.crcSize
        }
        return FragmentHeader.fragmentCount(forPayloadLength: payload) * fragmentOverhead + payload
    }

    /// Header, fragment header, block and CRC of one sealed fragment frame.
    static var fragmentOverhead: Int {
        WireLimits.headerSize + WireLimits.fragmentHeaderSize + SealedFrame.overhead + WireLimits.crcSize
    }

    /// Seals, in place, the cleartext frame at the start of `buffer`, which must be a sound frame
    /// (4.2 steps 1 to 9, its CRC included) with the AUTHENTICATED flag (otherwise NOT_SEALED at
    /// 4): the block and its CRC are overwritten. Returns the frame's length.
    @discardableResult
    public mutating func seal(frameIn buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Int {
        let view = try FrameView.decode(UnsafeRawBufferPointer(buffer), exactly: false)
        try require(view.flags.contains(.authenticated), .notSealed, at: 4)  // PW-SEC-9: a sealed frame has the flag
        return try sealFrame(
            UnsafeMutableRawBufferPointer(rebasing: buffer[0..<view.length]), flags: view.flags,
            payloadLength: view.payloadRange.count)
    }

    /// Writes `frame` sealed into `buffer` and returns the bytes written. Whatever block the frame
    /// carries is replaced: the AUTHENTICATED flag is set and the block is the seal's.
    @discardableResult
    public mutating func seal(_ frame: Frame, into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Int {
        let payloadLength: Int
        var flags = FrameFlags.authenticated
        switch frame.content {
        case .message(let message): payloadLength = message.payloadSize
        case .fragment(let fragment):
            payloadLength = WireLimits.fragmentHeaderSize + fragment.data.count
            flags.insert(.fragment)
        case .sealed:
            throw PumpWireError(.nonCanonical, at: 4)  // already sealed: there is no cleartext to seal
        }
        // PW-SEC-12: no frame after counter 0xffffff.
        try require(sending.remainingFrameCounters > 0, .counterExhausted, at: SealedFrame.frameCounterOffset(payloadLength: payloadLength))  // PW-SEC-12
        var cleartext = frame
        cleartext.authentication = AuthenticationBlock(freshnessCounter: 0, tag: Self.emptyTag)
        let length = try cleartext.encode(into: buffer)
        return try sealFrame(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]), flags: flags, payloadLength: payloadLength)
    }

    /// Writes `message` sealed into `buffer`: one frame, or its fragments (section 5 of
    /// `pumpwire-v1.md`) each sealed on its own with its own counter (PW-SEC-9), back to back.
    /// Returns the bytes written. A message that needs more counters than are left is
    /// COUNTER_EXHAUSTED before any is used. Offsets are as `FrameEncoder.encode` reports them.
    @discardableResult
    public mutating func seal(_ message: Message, sequence: UInt16, into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Int {
        let payloadSize = message.payloadSize
        try require(payloadSize <= WireLimits.maxMessagePayload, .payloadTooLarge, at: 0)  // PW-FRAG-4
        if payloadSize <= WireLimits.maxFramePayload {
            return try seal(Frame(sequence: sequence, message: message), into: buffer)
        }
        let count = FragmentHeader.fragmentCount(forPayloadLength: payloadSize)
        // PW-SEC-12: every fragment needs a counter of its own.
        try require(sending.remainingFrameCounters >= UInt32(truncatingIfNeeded: count), .counterExhausted,
                    at: SealedFrame.frameCounterOffset(payloadLength: WireLimits.maxFramePayload))
        // The payload is encoded at the end of the buffer, then each frame is written from the
        // front: a frame adds `fragmentOverhead` bytes and the payload starts that many times
        // `count` in, so no frame overtakes payload bytes it has yet to read.
        let payloadStart = count * Self.fragmentOverhead
        let total = payloadStart + payloadSize
        if buffer.count < total { try message.validate() }  // PW-ENC-5 before BUFFER_TOO_SMALL
        try require(buffer.count >= total, .bufferTooSmall, at: buffer.count)  // PW-ENC-5
        var payloadWriter = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: buffer[payloadStart..<total]))
        try message.encodePayload(into: &payloadWriter)
        try require(payloadWriter.count == payloadSize, .lengthMismatch, at: payloadWriter.count)  // PW-ENC-2
        let flags = FrameFlags(rawValue: FrameFlags.fragment.rawValue | FrameFlags.authenticated.rawValue)
        var frameStart = 0
        for index in 0..<count {
            let header = FragmentHeader(index: UInt8(index), count: UInt8(count), totalLength: UInt16(payloadSize))
            let dataLength = header.expectedDataLength
            let payloadLength = WireLimits.fragmentHeaderSize + dataLength
            let frameLength = Self.fragmentOverhead + dataLength
            let frame = UnsafeMutableRawBufferPointer(rebasing: buffer[frameStart..<(frameStart + frameLength)])
            var writer = ByteWriter(frame)
            try FrameEncoder.writeHeader(typeCode: message.typeCode, flags: flags, sequence: sequence, to: &writer)
            frame[7] = UInt8(truncatingIfNeeded: payloadLength)
            frame[8] = UInt8(truncatingIfNeeded: payloadLength &>> 8)
            try writer.writeUInt8(header.index)
            try writer.writeUInt8(header.count)
            try writer.writeUInt16(header.totalLength)
            // Forward copy: the destination never lies after the source (see above).
            let source = payloadStart + header.dataOffset
            let destination = frameStart + writer.count
            for i in 0..<dataLength { buffer[destination + i] = buffer[source + i] }
            try sealFrame(frame, flags: flags, payloadLength: payloadLength)
            frameStart += frameLength
        }
        return frameStart
    }

    /// PW-SEC-9 on a laid-out frame: the next counter, the seal, the CRC.
    @discardableResult
    private mutating func sealFrame(_ frame: UnsafeMutableRawBufferPointer, flags: FrameFlags, payloadLength: Int) throws(PumpWireError) -> Int {
        // PW-SEC-12: no frame after counter 0xffffff.
        try require(sending.remainingFrameCounters > 0, .counterExhausted, at: SealedFrame.frameCounterOffset(payloadLength: payloadLength))  // PW-SEC-12
        let counter = sending.takeFrameCounter()  // used even if the provider fails: a nonce is never reused
        let sealed = SealedFrame.seal(
            frame, flags: flags, payloadLength: payloadLength, key: sending.key,
            freshnessCounter: SealedFrame.freshnessCounter(frameCounter: counter, sessionEpoch: sending.sessionEpoch),
            provider: provider)
        // A provider that cannot seal leaves no valid tag: reported where the tag goes.
        try require(sealed, .authenticationFailed, at: SealedFrame.tagOffset(payloadLength: payloadLength))
        return frame.count
    }

    private static var emptyTag: BoundedArray<16, UInt8> {
        var tag = BoundedArray<16, UInt8>()
        for _ in 0..<AuthenticationBlock.tagSize { try? tag.append(0) }
        return tag
    }

    // MARK: - Opening (PW-SEC-10)

    /// Opens, in place, the sealed frame that `frame` holds exactly: the checks of 4.2 steps 1 to
    /// 8, then PW-SEC-10 in order (NOT_SEALED at 4; the fragment header; STALE_SESSION at 9+P+3;
    /// REPLAYED or COUNTER_ROLLBACK at 9+P; AUTHENTICATION_FAILED at 9+P+4); the first that fails
    /// is thrown. Only when the tag verifies is the counter recorded. The bytes then hold the
    /// cleartext frame, its CRC recomputed, for `Frame(_:in:)` or a `Reassembler` (4.2 step 10);
    /// the view returned locates it. After AUTHENTICATION_FAILED the sealed region is erased.
    public mutating func open(inPlace frame: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> FrameView {
        let bytes = UnsafeRawBufferPointer(frame)
        var view = try FrameView.decodeFrameLayer(bytes, exactly: true)  // 4.2 steps 1 to 8
        // PW-SEC-10 1.
        guard view.flags.contains(.authenticated), let block = view.authentication else {
            throw PumpWireError(.notSealed, at: 4)  // PW-SEC-10 1.
        }
        // PW-SEC-10 2. (4.2 step 9)
        if view.flags.contains(.fragment) {
            view.fragment = try FragmentHeader.read(fromFramePayload: view.payload(in: bytes))
        }
        let payloadLength = view.payloadRange.count
        let epoch = UInt8(truncatingIfNeeded: block.freshnessCounter &>> 24)
        let counter = block.freshnessCounter & SealedFrame.maxFrameCounter
        // PW-SEC-10 3.
        try require(epoch == receiving.sessionEpoch, .staleSession, at: SealedFrame.sessionEpochOffset(payloadLength: payloadLength))
        // PW-SEC-10 4.
        if let highest = receiving.highestAccepted {
            let offset = SealedFrame.frameCounterOffset(payloadLength: payloadLength)
            try require(counter != highest, .replayed, at: offset)
            try require(counter > highest, .counterRollback, at: offset)
        }
        // PW-SEC-10 5.
        let opened = SealedFrame.open(
            frame, flags: view.flags, payloadLength: payloadLength, key: receiving.key,
            freshnessCounter: block.freshnessCounter, provider: provider)
        try require(opened, .authenticationFailed, at: SealedFrame.tagOffset(payloadLength: payloadLength))  // PW-SEC-10 5.
        receiving.accept(counter)
        return view
    }

    /// Copies the sealed frame `sealed` (exactly one frame) into `buffer` and opens it there, as
    /// `open(inPlace:)` says; the view returned locates the cleartext frame in `buffer`. A buffer
    /// shorter than `sealed` is BUFFER_TOO_SMALL before any check.
    public mutating func open(_ sealed: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> FrameView {
        try require(buffer.count >= sealed.count, .bufferTooSmall, at: buffer.count)  // PW-ENC-5: the caller's buffer
        let frame = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<sealed.count])
        if sealed.count > 0 { frame.copyMemory(from: sealed) }
        return try open(inPlace: frame)
    }

    /// Opens `sealed` into `buffer` and decodes the cleartext frame (4.2 step 10): a message, or a
    /// fragment for a `Reassembler`. Offsets are frame offsets.
    public mutating func openFrame(_ sealed: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Frame {
        let view = try open(sealed, into: buffer)
        return try Frame(opened: view, in: UnsafeRawBufferPointer(rebasing: buffer[0..<view.length]))
    }
}
