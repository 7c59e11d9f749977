/// The layout of a sealed frame (spec/security.md section 7): a frame of `pumpwire-v1.md` with the
/// AUTHENTICATED flag, whose payload after the fragment header is ciphertext and whose block holds
/// `frameCounter` (u24), `sessionEpoch` (u8) and the ChaCha20-Poly1305 tag. Stateless: the counters
/// and the order of the receiver's checks are `SealedChannel`'s.
public enum SealedFrame {
    /// The highest `frameCounter` (PW-SEC-12).
    public static let maxFrameCounter: UInt32 = 0xFF_FFFF
    /// Bytes a sealed frame adds to a cleartext one: the authentication block.
    public static let overhead = WireLimits.authenticationBlockSize

    /// The `freshnessCounter` of a sealed frame: `frameCounter | sessionEpoch << 24` (section 7).
    @inline(__always)
    public static func freshnessCounter(frameCounter: UInt32, sessionEpoch: UInt8) -> UInt32 {
        (frameCounter & maxFrameCounter) | UInt32(truncatingIfNeeded: sessionEpoch) &<< 24
    }

    /// Frame offset of `frameCounter` in a frame whose payload is `payloadLength` bytes (9 + P).
    @inline(__always)
    public static func frameCounterOffset(payloadLength: Int) -> Int { WireLimits.headerSize + payloadLength }
    /// Frame offset of `sessionEpoch` (9 + P + 3).
    @inline(__always)
    public static func sessionEpochOffset(payloadLength: Int) -> Int { WireLimits.headerSize + payloadLength + 3 }
    /// Frame offset of the tag (9 + P + 4).
    @inline(__always)
    public static func tagOffset(payloadLength: Int) -> Int { WireLimits.headerSize + payloadLength + 4 }

    /// Where the sealed region starts: after the header, and after the fragment header when
    /// FRAGMENT is set (PW-SEC-9). Everything before it is the associated data.
    @inline(__always)
    public static func sealedRegionStart(flags: FrameFlags) -> Int {
        WireLimits.headerSize + (flags.contains(.fragment) ? WireLimits.fragmentHeaderSize : 0)
    }

    /// Seals, in place, the cleartext frame `frame` (exactly one frame, the AUTHENTICATED flag
    /// set, `payloadLength` bytes of payload): writes the freshness counter into the block,
    /// encrypts the sealed region with `key` and the nonce of the freshness counter, puts the tag
    /// in the block and the CRC last (PW-SEC-9). Returns false if the provider fails.
    static func seal<P: CryptoProvider>(
        _ frame: UnsafeMutableRawBufferPointer, flags: FrameFlags, payloadLength: Int,
        key: Bytes32, freshnessCounter: UInt32, provider: P
    ) -> Bool {
        let regionStart = sealedRegionStart(flags: flags)
        let regionEnd = WireLimits.headerSize + payloadLength
        let blockStart = regionEnd
        for i in 0..<4 { frame[blockStart + i] = UInt8(truncatingIfNeeded: freshnessCounter &>> (8 * UInt32(i))) }
        let tagStart = blockStart + 4
        let sealed = provider.aeadSeal(
            key: key, nonce: AEADNonce(counter: widen(freshnessCounter)),
            associatedData: UnsafeRawBufferPointer(rebasing: frame[0..<regionStart]),
            text: UnsafeMutableRawBufferPointer(rebasing: frame[regionStart..<regionEnd]),
            tag: UnsafeMutableRawBufferPointer(rebasing: frame[tagStart..<(tagStart + AuthenticationBlock.tagSize)]))
        writeCRC(frame, payloadLength: payloadLength)
        return sealed
    }

    /// Opens, in place, the sealed region of `frame` (already checked by PW-SEC-10 steps 1 to 4)
    /// with `key`; on success the region holds the plaintext and the CRC is recomputed over the
    /// cleartext frame, so that the bytes decode as the frame the sender built. On failure the
    /// region is erased and false returned.
    static func open<P: CryptoProvider>(
        _ frame: UnsafeMutableRawBufferPointer, flags: FrameFlags, payloadLength: Int,
        key: Bytes32, freshnessCounter: UInt32, provider: P
    ) -> Bool {
        let regionStart = sealedRegionStart(flags: flags)
        let regionEnd = WireLimits.headerSize + payloadLength
        let tagStart = regionEnd + 4
        let text = UnsafeMutableRawBufferPointer(rebasing: frame[regionStart..<regionEnd])
        let opened = provider.aeadOpen(
            key: key, nonce: AEADNonce(counter: widen(freshnessCounter)),
            associatedData: UnsafeRawBufferPointer(rebasing: frame[0..<regionStart]), text: text,
            tag: UnsafeRawBufferPointer(rebasing: frame[tagStart..<(tagStart + AuthenticationBlock.tagSize)]))
        guard opened else {
            for i in 0..<text.count { text[i] = 0 }  // never hand out unverified plaintext
            return false
        }
        writeCRC(frame, payloadLength: payloadLength)
        return true
    }

    /// PW-CRC-1: the CRC over everything before it.
    private static func writeCRC(_ frame: UnsafeMutableRawBufferPointer, payloadLength: Int) {
        let crcOffset = WireLimits.headerSize + payloadLength + WireLimits.authenticationBlockSize
        let crc = CRC16.checksum(UnsafeRawBufferPointer(rebasing: frame[0..<crcOffset]))
        frame[crcOffset] = UInt8(truncatingIfNeeded: crc)
        frame[crcOffset + 1] = UInt8(truncatingIfNeeded: crc &>> 8)
    }
}
