/// A Noise CipherState (Noise Protocol Framework rev 34, section 5.1) over ChaCha20-Poly1305:
/// a key, if any, and the nonce `n` of the next message. It works in place in the caller's
/// buffers; nothing is allocated.
public struct NoiseCipherState: Sendable {
    public static let tagSize = 16

    public private(set) var key: Bytes32
    public private(set) var hasKey: Bool
    /// `n`: the nonce of the next EncryptWithAd or DecryptWithAd.
    public var nonce: UInt64

    /// No key: encryption passes the plaintext through (Noise 5.1, `InitializeKey(empty)`).
    public init() {
        key = Bytes32()
        hasKey = false
        nonce = 0
    }

    public init(key: Bytes32) {
        self.key = key
        hasKey = true
        nonce = 0
    }

    /// `InitializeKey(k)`: sets the key and resets the nonce.
    public mutating func initializeKey(_ key: Bytes32) {
        self.key = key
        hasKey = true
        nonce = 0
    }

    /// Erases the key (PW-SEC-19).
    public mutating func erase() {
        key.erase()
        hasKey = false
        nonce = 0
    }

    /// `EncryptWithAd(ad, plaintext)`: encrypts `buffer[0..<plaintextLength]` in place and writes
    /// the 16-byte tag after it; returns the ciphertext's length. Without a key the plaintext is
    /// left as it is. BUFFER_TOO_SMALL when the tag does not fit; COUNTER_EXHAUSTED once `n`
    /// reaches 2^64 - 1, which Noise reserves.
    public mutating func encrypt<P: CryptoProvider>(
        with provider: P, associatedData: UnsafeRawBufferPointer,
        in buffer: UnsafeMutableRawBufferPointer, plaintextLength: Int
    ) throws(PumpWireError) -> Int {
        try require(plaintextLength >= 0 && plaintextLength <= buffer.count, .bufferTooSmall, at: buffer.count)  // PW-ENC-5
        guard hasKey else { return plaintextLength }
        try require(buffer.count - plaintextLength >= Self.tagSize, .bufferTooSmall, at: buffer.count)  // PW-ENC-5
        try require(nonce != UInt64.max, .counterExhausted, at: 0)  // Noise 5.1: 2^64 - 1 is reserved
        let sealed = provider.aeadSeal(
            key: key, nonce: AEADNonce(counter: nonce), associatedData: associatedData,
            text: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<plaintextLength]),
            tag: UnsafeMutableRawBufferPointer(rebasing: buffer[plaintextLength..<(plaintextLength + Self.tagSize)]))
        // A provider that cannot seal leaves no valid ciphertext: report it where the tag goes.
        try require(sealed, .authenticationFailed, at: plaintextLength)
        nonce += 1
        return plaintextLength + Self.tagSize
    }

    /// `DecryptWithAd(ad, ciphertext)`: `buffer` holds ciphertext and tag; decrypts in place and
    /// returns the plaintext's length (the plaintext is `buffer[0..<length]`). Without a key the
    /// bytes are the plaintext. A tag that does not verify is AUTHENTICATION_FAILED at the tag's
    /// offset; the plaintext is erased and `n` is unchanged (Noise 5.1).
    public mutating func decrypt<P: CryptoProvider>(
        with provider: P, associatedData: UnsafeRawBufferPointer, in buffer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        guard hasKey else { return buffer.count }
        try require(buffer.count >= Self.tagSize, .lengthMismatch, at: 0)  // PW-ENC-2: no room for a tag
        try require(nonce != UInt64.max, .counterExhausted, at: 0)  // Noise 5.1: 2^64 - 1 is reserved
        let length = buffer.count - Self.tagSize
        let text = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
        let opened = provider.aeadOpen(
            key: key, nonce: AEADNonce(counter: nonce), associatedData: associatedData, text: text,
            tag: UnsafeRawBufferPointer(rebasing: buffer[length..<buffer.count]))
        if !opened {
            for i in 0..<length { text[i] = 0 }  // never hand out unverified plaintext
            throw PumpWireError(.authenticationFailed, at: length)
        }
        nonce += 1
        return length
    }
}
