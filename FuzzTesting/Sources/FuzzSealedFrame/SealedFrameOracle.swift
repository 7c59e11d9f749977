import FuzzSupport
import PumpWireCore

/// PW-SEC-9 and PW-SEC-10 written again from spec/security.md section 7, apart from
/// `SealedChannel`, so that the target can say which check a frame must fail and where.
enum SealedFrameOracle {
    /// PW-SEC-9: the associated data is the header (and the fragment header when FRAGMENT is set).
    static func regionStart(_ frame: [UInt8]) -> Int { frame[4] & 0x01 != 0 ? 13 : 9 }

    static func payloadLength(_ frame: [UInt8]) -> Int { Int(frame[7]) | Int(frame[8]) << 8 }

    /// The block's u32 `freshnessCounter`: `frameCounter` u24, then `sessionEpoch` (section 7).
    static func freshnessCounter(_ frame: [UInt8]) -> UInt32 {
        let block = 9 + payloadLength(frame)
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(frame[block + $1]) << (8 * $1) }
    }

    /// The tag PW-SEC-9 gives the frame's bytes under the fuzzing-only provider.
    static func tag(_ frame: [UInt8]) -> [UInt8] {
        let start = regionStart(frame), end = 9 + payloadLength(frame)
        let tag = Array(frame[0..<start]).withUnsafeBytes { ad in
            Array(frame[start..<end]).withUnsafeBytes { text in
                FuzzingOnlyCryptoProvider.tag(key: SecureFixtures.sessionK1, nonce: AEADNonce(counter: UInt64(freshnessCounter(frame))),
                                              associatedData: ad, text: text)
            }
        }
        return Array(bytes(tag)[0..<16])
    }

    /// Sets the tag of a frame with the AUTHENTICATED flag right, when its block is there.
    static func setTag(in frame: inout [UInt8]) {
        guard frame.count >= 9, frame[4] & 0x02 != 0 else { return }
        let end = 9 + payloadLength(frame)
        guard regionStart(frame) <= end, end + 20 <= frame.count else { return }
        frame.replaceSubrange((end + 4)..<(end + 20), with: tag(frame))
    }

    /// PW-SEC-10: the first check that fails, in order, or nil when the frame opens.
    static func expectedOpen(_ frame: [UInt8], highest: UInt32?, epoch: UInt8, acceptsEveryTag: Bool) -> PumpWireError? {
        let layer = frame.withUnsafeBytes { raw in
            Result { () throws(PumpWireError) -> FrameView in try FrameView.decodeFrameLayer(raw, exactly: true) }
        }
        if case .failure(let error) = layer { return error }  // 4.2 steps 1 to 8
        guard frame[4] & 0x02 != 0 else { return PumpWireError(.notSealed, at: 4) }  // 1.
        if frame[4] & 0x01 != 0 {  // 2. (4.2 step 9)
            let header = frame.withUnsafeBytes { raw in
                Result { () throws(PumpWireError) -> FrameView in try FrameView.decode(raw, exactly: true) }
            }
            if case .failure(let error) = header { return error }
        }
        let p = payloadLength(frame)
        let freshness = freshnessCounter(frame)
        let counter = freshness & 0xFF_FFFF
        if UInt8(freshness >> 24) != epoch { return PumpWireError(.staleSession, at: 9 + p + 3) }  // 3.
        if let highest, counter == highest { return PumpWireError(.replayed, at: 9 + p) }  // 4.
        if let highest, counter < highest { return PumpWireError(.counterRollback, at: 9 + p) }
        if !acceptsEveryTag && Array(frame[(9 + p + 4)..<(9 + p + 20)]) != tag(frame) {  // 5.
            return PumpWireError(.authenticationFailed, at: 9 + p + 4)
        }
        return nil
    }
}

func bytes(_ value: Bytes32) -> [UInt8] { value.withUnsafeBytes { Array($0) } }
