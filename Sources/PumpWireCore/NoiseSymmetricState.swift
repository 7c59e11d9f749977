/// A Noise SymmetricState (rev 34, section 5.2) with hash SHA256: the chaining key `ck`, the
/// handshake hash `h` and a CipherState. Noise's `HKDF(ck, ikm, n)` is the provider's HKDF-SHA256
/// (RFC 5869) with `ck` as salt, empty info and 32 × n bytes of output: with an empty info the two
/// define the same bytes (spec/security.md section 3).
public struct NoiseSymmetricState: Sendable {
    public private(set) var chainingKey: Bytes32
    /// `h`; after the last handshake message, the handshake hash (PW-SEC-8).
    public private(set) var handshakeHash: Bytes32
    public private(set) var cipher: NoiseCipherState

    /// `InitializeSymmetric(protocol_name)`: a name of at most 32 bytes is `h` padded with zeros,
    /// a longer one is hashed.
    public init<P: CryptoProvider>(protocolName: UnsafeRawBufferPointer, provider: P) {
        var hash = Bytes32()
        if protocolName.count <= Bytes32.count {
            for i in 0..<protocolName.count { hash[i] = protocolName[i] }
        } else {
            hash = provider.sha256(protocolName, emptyBytes)
        }
        handshakeHash = hash
        chainingKey = hash
        cipher = NoiseCipherState()
    }

    /// `MixHash(data)`: h = SHA256(h || data).
    public mutating func mixHash<P: CryptoProvider>(_ data: UnsafeRawBufferPointer, provider: P) {
        let h = handshakeHash
        handshakeHash = h.withUnsafeBytes { (raw) in provider.sha256(raw, data) }
    }

    /// `MixKey(ikm)`: ck, k = HKDF(ck, ikm, 2).
    public mutating func mixKey<P: CryptoProvider>(_ inputKeyMaterial: UnsafeRawBufferPointer, provider: P) throws(PumpWireError) {
        let (ck, k, _) = try Self.hkdf(provider, chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 2)
        chainingKey = ck
        cipher.initializeKey(k)
    }

    /// `MixKeyAndHash(ikm)` (the `psk` token): ck, temp_h, k = HKDF(ck, ikm, 3); MixHash(temp_h).
    public mutating func mixKeyAndHash<P: CryptoProvider>(_ inputKeyMaterial: UnsafeRawBufferPointer, provider: P) throws(PumpWireError) {
        let (ck, tempHash, k) = try Self.hkdf(provider, chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 3)
        chainingKey = ck
        tempHash.withUnsafeBytes { (raw) in mixHash(raw, provider: provider) }
        cipher.initializeKey(k)
    }

    /// `EncryptAndHash(plaintext)`: encrypts `buffer[0..<plaintextLength]` in place with `h` as
    /// associated data (the tag after it, once a key is set), then mixes the ciphertext into `h`.
    /// Returns the ciphertext's length.
    public mutating func encryptAndHash<P: CryptoProvider>(
        in buffer: UnsafeMutableRawBufferPointer, plaintextLength: Int, provider: P
    ) throws(PumpWireError) -> Int {
        let h = handshakeHash
        let length = try h.withUnsafeBytes { (ad) throws(PumpWireError) -> Int in
            try cipher.encrypt(with: provider, associatedData: ad, in: buffer, plaintextLength: plaintextLength)
        }
        mixHash(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), provider: provider)
        return length
    }

    /// `DecryptAndHash(ciphertext)`: `buffer` holds the ciphertext; decrypts it in place and
    /// returns the plaintext's length. `h` takes the ciphertext, hashed before it is overwritten.
    /// A tag that does not verify is AUTHENTICATION_FAILED at its offset in `buffer`.
    public mutating func decryptAndHash<P: CryptoProvider>(
        in buffer: UnsafeMutableRawBufferPointer, provider: P
    ) throws(PumpWireError) -> Int {
        let h = handshakeHash
        let nextHash = h.withUnsafeBytes { (raw) in provider.sha256(raw, UnsafeRawBufferPointer(buffer)) }
        let length = try h.withUnsafeBytes { (ad) throws(PumpWireError) -> Int in
            try cipher.decrypt(with: provider, associatedData: ad, in: buffer)
        }
        handshakeHash = nextHash
        return length
    }

    /// `Split()`: the two CipherStates of the transport, initiator to responder first.
    public func split<P: CryptoProvider>(provider: P) throws(PumpWireError) -> (NoiseCipherState, NoiseCipherState) {
        let (k1, k2, _) = try Self.hkdf(provider, chainingKey: chainingKey, inputKeyMaterial: emptyBytes, outputs: 2)
        return (NoiseCipherState(key: k1), NoiseCipherState(key: k2))
    }

    /// Erases the chaining key and the cipher key (the handshake hash is public: it names the session).
    public mutating func erase() {
        chainingKey.erase()
        cipher.erase()
    }

    /// Noise's `HKDF(ck, ikm, outputs)`, 2 or 3 outputs; unused outputs are zero. A provider
    /// failure is HANDSHAKE_FAILED (no offset).
    static func hkdf<P: CryptoProvider>(
        _ provider: P, chainingKey: Bytes32, inputKeyMaterial: UnsafeRawBufferPointer, outputs: Int
    ) throws(PumpWireError) -> (Bytes32, Bytes32, Bytes32) {
        var output = InlineArray<96, UInt8>(repeating: 0)
        let derived: Bool
        do {
            var span = output.mutableSpan
            derived = span.withUnsafeMutableBytes { (raw) -> Bool in
                chainingKey.withUnsafeBytes { (salt) -> Bool in
                    provider.hkdfSHA256(
                        into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(Bytes32.count * outputs)]),
                        salt: salt, inputKeyMaterial: inputKeyMaterial, info: emptyBytes)
                }
            }
        }
        try require(derived, .handshakeFailed, at: PumpWireError.noOffset)
        var first = Bytes32(), second = Bytes32(), third = Bytes32()
        for i in 0..<Bytes32.count {
            first[i] = output[i]
            second[i] = output[Bytes32.count + i]
            third[i] = output[2 * Bytes32.count + i]
        }
        return (first, second, third)
    }
}
