import PumpWire
import PumpWireCore

/// A device's requests and answers in an established session (spec/security.md sections 7 and 8).
extension SecureSession {
    /// `message` sealed as PW-SEC-9 says, after `commandId` for the types of PW-SEC-13: one frame,
    /// or above 240 bytes of plaintext its fragments, each sealed at its own counter. The caller
    /// numbers commands (PW-SEC-13: above the session info's `lastCommandId`, the same id for a
    /// retransmission). Not established: HANDSHAKE_OUT_OF_ORDER.
    public mutating func seal(_ message: Message, commandId: UInt32? = nil, sequence: UInt16) throws(PumpWireError) -> [[UInt8]] {
        guard channel != nil else { throw PumpWireError(.handshakeOutOfOrder, at: PumpWireError.noOffset) }
        var payload = commandId.map { id in (0..<4).map { UInt8(truncatingIfNeeded: id >> (8 * $0)) } } ?? []
        payload += try message.payloadBytes()
        return try sealPayload(payload, type: message.typeCode, sequence: sequence)
    }

    /// Raw plaintext sealed under `type` (the layer's own requests, whose payloads the caller lays out).
    public mutating func sealPayload(_ payload: [UInt8], type: UInt8, sequence: UInt16) throws(PumpWireError) -> [[UInt8]] {
        guard channel != nil else { throw PumpWireError(.handshakeOutOfOrder, at: PumpWireError.noOffset) }
        return try channel!.sealedFrames(type: type, sequence: sequence, payload: payload)
    }

    /// Opens one sealed frame of the peer (PW-SEC-10, in order) and decodes its cleartext: the
    /// pump's answers are single frames. Errors are the check's code at its frame offset.
    public mutating func open(_ frame: [UInt8]) throws(PumpWireError) -> Frame {
        guard channel != nil else { throw PumpWireError(.handshakeOutOfOrder, at: PumpWireError.noOffset) }
        var buffer = [UInt8](repeating: 0, count: frame.count)
        return try frame.withUnsafeBytes { input in
            buffer.withUnsafeMutableBytes { raw in
                Result { () throws(PumpWireError) -> Frame in try channel!.openFrame(input, into: raw) }
            }
        }.get()
    }
}

extension SealedChannel {
    /// `payload` (a command id first, for a type of PW-SEC-13) sealed as PW-SEC-9 says: one frame,
    /// or above 240 bytes its fragments, each sealed at its own counter.
    public mutating func sealedFrames(type: UInt8, sequence: UInt16, payload: [UInt8]) throws(PumpWireError) -> [[UInt8]] {
        guard payload.count > WireLimits.maxFramePayload else { return [try sealedFrame(type: type, sequence: sequence, payload: payload)] }
        try PumpWireError.check(payload.count <= WireLimits.maxMessagePayload, .payloadTooLarge, at: 0)  // PW-FRAG-4
        let count = FragmentHeader.fragmentCount(forPayloadLength: payload.count)
        var frames: [[UInt8]] = []
        for index in 0..<count {
            let header = FragmentHeader(index: UInt8(index), count: UInt8(count), totalLength: UInt16(payload.count))
            let data = Array(payload[header.dataOffset..<(header.dataOffset + header.expectedDataLength)])
            let fragmentHeader = [header.index, header.count, UInt8(truncatingIfNeeded: header.totalLength),
                                  UInt8(truncatingIfNeeded: header.totalLength >> 8)]
            frames.append(try sealedFrame(type: type, sequence: sequence, payload: fragmentHeader + data, flags: FrameFlags.fragment.rawValue))
        }
        return frames
    }

    /// One frame of `type` laid out with the AUTHENTICATED flag (and `flags`) and an empty block,
    /// then sealed in place at the next counter (PW-SEC-9, PW-SEC-12).
    public mutating func sealedFrame(type: UInt8, sequence: UInt16, payload: [UInt8], flags: UInt8 = 0) throws(PumpWireError) -> [UInt8] {
        var frame: [UInt8] = [WireLimits.syncByte0, WireLimits.syncByte1, WireLimits.version, type, FrameFlags.authenticated.rawValue | flags,
                              UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8),
                              UInt8(truncatingIfNeeded: payload.count), UInt8(truncatingIfNeeded: payload.count >> 8)]
        frame += payload + [UInt8](repeating: 0, count: WireLimits.authenticationBlockSize)
        let crc = frame.withUnsafeBytes { CRC16.checksum($0) }
        frame += [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8)]
        try frame.withUnsafeMutableBytes { raw in
            Result { () throws(PumpWireError) in _ = try seal(frameIn: raw) }
        }.get()
        return frame
    }
}

extension Message {
    /// The payload's bytes as `pumpwire-v1.md` lays them out.
    public func payloadBytes() throws(PumpWireError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: payloadSize)
        let count = try bytes.withUnsafeMutableBytes { raw in
            Result { () throws(PumpWireError) -> Int in
                var writer = ByteWriter(raw)
                try encodePayload(into: &writer)
                return writer.count
            }
        }.get()
        return Array(bytes[..<count])
    }
}
