import PumpWireCore

/// How a sealed frame was opened (spec/security.md 14.3, PW-KEYLOG-4): the key, the session's
/// epoch, the frame's counter and the command id its plaintext starts with (PW-SEC-13).
public struct OpenedSeal: Equatable, Sendable {
    /// `k1` opens the initiator's frames to the pump, `k2` the pump's (PW-SEC-8).
    public enum Key: String, Equatable, Sendable { case k1, k2 }

    public var key: Key
    public var sessionEpoch: UInt8
    /// The frame's `frameCounter`; nil for a message reassembled from opened fragments.
    public var frameCounter: UInt32?
    /// The `commandId` of a whole message of a type of PW-SEC-13; nil otherwise.
    public var commandId: UInt32?

    public init(key: Key, sessionEpoch: UInt8, frameCounter: UInt32?, commandId: UInt32? = nil) {
        self.key = key
        self.sessionEpoch = sessionEpoch
        self.frameCounter = frameCounter
        self.commandId = commandId
    }

    /// The key of a frame of `typeCode`: `k1` below 0x80 (P→I), `k2` from 0x80 on (I→P).
    public static func key(forTypeCode typeCode: UInt8) -> Key { typeCode < 0x80 ? .k1 : .k2 }

    /// The types whose sealed payload starts with a `commandId` (PW-SEC-13): prescriptionBlock,
    /// bolusSchedule, refillConfirmation, patientBolusRequest, deviceEnrollment, deviceRevocation.
    public static let commandTypeCodes: Set<UInt8> = [0x02, 0x03, 0x04, 0x06, 0x12, 0x13]
}

/// What a `SealedFrameOpener` made of a frame.
public enum SealedFrameOutcome: Sendable {
    /// The tag verified: `plaintextFrame` is the frame with its sealed region opened in place (the
    /// AUTHENTICATED flag and block kept, the CRC computed again), as PW-KEYLOG-5 writes it.
    case opened(plaintextFrame: [UInt8], key: OpenedSeal.Key, sessionEpoch: UInt8, frameCounter: UInt32)
    /// A check of PW-SEC-10 failed (STALE_SESSION, REPLAYED, COUNTER_ROLLBACK, AUTHENTICATION_FAILED,
    /// or the fragment header), at its frame offset.
    case rejected(PumpWireError)
}

/// Opens the sealed frames of a capture (spec/security.md 14.3). It sees every frame that passed
/// the checks of 4.2 steps 1 to 8, in stream order (so that it follows handshakes), and returns nil
/// for a frame it does not open: an unsealed frame, or a sealed one of no session it has keys for,
/// which is then read as PW-AUTH-3 says. `PumpWireSecurity`'s `KeyLogOpener` is one, over a key log.
public protocol SealedFrameOpener: AnyObject {
    func examine(_ frame: UnsafeRawBufferPointer) -> SealedFrameOutcome?
}

/// Decodes an opened frame's plaintext (spec/security.md 14.3 step 3).
public enum OpenedFrameDecoder {
    /// The result: the frame its sender sealed (its block kept), its `commandId`, and the unsealed
    /// frame that carries the same message, for the session checks (nil for a fragment).
    public struct Decoded {
        public var frame: Frame
        public var commandId: UInt32?
        public var unsealed: [UInt8]?
    }

    /// Decodes `plaintextFrame`. Errors carry frame offsets of the sealed frame; a payload error
    /// also returns the unsealed frame (the session checks see a request that failed to decode).
    public static func decode(_ plaintextFrame: [UInt8]) -> Result<Decoded, DecodeFailure> {
        plaintextFrame.withUnsafeBytes { bytes in
            let view: FrameView
            do throws(PumpWireError) { view = try FrameView.decode(bytes, exactly: true) } catch {
                return .failure(DecodeFailure(error: error, unsealed: nil))
            }
            if view.fragment != nil {
                do throws(PumpWireError) {
                    return .success(Decoded(frame: try Frame(opened: view, in: bytes), commandId: nil, unsealed: nil))
                } catch { return .failure(DecodeFailure(error: error, unsealed: nil)) }
            }
            let payload = Array(view.payload(in: bytes))
            var commandId: UInt32?
            var messagePayload = payload
            var reportingOffset = FrameView.payloadOffset
            if OpenedSeal.commandTypeCodes.contains(view.messageType) {
                guard payload.count >= 4 else {
                    return .failure(DecodeFailure(error: PumpWireError(.lengthMismatch, at: FrameView.payloadOffset + payload.count), unsealed: nil))
                }
                let id = UInt32(payload[0]) | UInt32(payload[1]) << 8 | UInt32(payload[2]) << 16 | UInt32(payload[3]) << 24
                guard id != 0 else {
                    return .failure(DecodeFailure(error: PumpWireError(.fieldOutOfRange, at: FrameView.payloadOffset), unsealed: nil))
                }
                commandId = id
                messagePayload = Array(payload[4...])
                reportingOffset += 4
            }
            let unsealed = unsealedFrame(typeCode: view.messageType, sequence: view.sequence, payload: messagePayload)
            do throws(PumpWireError) {
                let typeCode = view.messageType
                let message = try messagePayload.withUnsafeBytes { raw in
                    Result { () throws(PumpWireError) -> Message in
                        try Message.decode(typeCode: typeCode, payload: raw, reportingOffset: reportingOffset)
                    }
                }.get()
                let frame = Frame(sequence: view.sequence, authentication: view.authentication, content: .message(message))
                return .success(Decoded(frame: frame, commandId: commandId, unsealed: unsealed))
            } catch {
                return .failure(DecodeFailure(error: error, unsealed: unsealed))
            }
        }
    }

    public struct DecodeFailure: Error {
        public var error: PumpWireError
        public var unsealed: [UInt8]?
    }

    /// A frame without the AUTHENTICATED flag carrying `payload` (at most 240 bytes, as a sealed
    /// frame's payload less a command id is).
    static func unsealedFrame(typeCode: UInt8, sequence: UInt16, payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = [WireLimits.syncByte0, WireLimits.syncByte1, WireLimits.version, typeCode, 0,
                              UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8),
                              UInt8(truncatingIfNeeded: payload.count), UInt8(truncatingIfNeeded: payload.count >> 8)]
        frame += payload
        let crc = frame.withUnsafeBytes { CRC16.checksum($0) }
        frame += [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8)]
        return frame
    }

    /// Decodes a message reassembled from opened fragments: its `commandId` first for a type of
    /// PW-SEC-13. Offsets count from the reassembled payload's first byte (PW-FRAG-12).
    public static func decodeReassembled(typeCode: UInt8, payload: UnsafeRawBufferPointer) throws(PumpWireError) -> (Message, UInt32?) {
        guard OpenedSeal.commandTypeCodes.contains(typeCode) else {
            return (try Message.decode(typeCode: typeCode, payload: payload, reportingOffset: 0), nil)
        }
        try PumpWireError.check(payload.count >= 4, .lengthMismatch, at: payload.count)
        let id = UInt32(payload[0]) | UInt32(payload[1]) << 8 | UInt32(payload[2]) << 16 | UInt32(payload[3]) << 24
        try PumpWireError.check(id != 0, .fieldOutOfRange, at: 0)
        return (try Message.decode(typeCode: typeCode, payload: UnsafeRawBufferPointer(rebasing: payload[4...]), reportingOffset: 4), id)
    }
}
