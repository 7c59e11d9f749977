/// An X25519 key pair.
public struct NoiseKeyPair: Equatable, Sendable {
    public var privateKey: Bytes32
    public var publicKey: Bytes32

    /// The key pair of `privateKey`: its public key from the provider. A provider failure is
    /// HANDSHAKE_FAILED (no offset).
    public init<P: CryptoProvider>(privateKey: Bytes32, provider: P) throws(PumpWireError) {
        guard let publicKey = provider.x25519Base(scalar: privateKey) else {
            throw PumpWireError(.handshakeFailed, at: PumpWireError.noOffset)
        }
        self.privateKey = privateKey
        self.publicKey = publicKey
    }
}

/// A Noise HandshakeState (rev 34, section 5.3) for the two patterns of the security layer
/// (`NoisePattern`): messages are written into and read from the caller's buffers, nothing is
/// allocated. The prologue is any bytes, so that the standard Noise test vectors run as well as
/// PumpWire's own prologue (`HandshakePrologue`, spec/security.md section 5).
///
/// Errors carry offsets within the handshake message:
/// - LOW_ORDER_KEY (PW-SEC-4): a DH result is all zero; at the offset of the remote key in the
///   handshake message that carried it, which is the message being read, or, when the DH is
///   computed while writing, the message read before (a pairing's pump finds an all-zero `e` of
///   message 1 at `ee`, writing message 2: offset 0 of message 1, spec PW-SEC-7); a key known
///   before the handshake (KK's pre-messages) is at `PumpWireError.noOffset`.
/// - HANDSHAKE_FAILED: an encrypted static key or payload does not decrypt, at its tag's offset;
///   a provider failure at `noOffset`.
/// - HANDSHAKE_OUT_OF_ORDER: a message written or read out of turn, at `noOffset`.
/// - LENGTH_MISMATCH: a message too short for its tokens; BUFFER_TOO_SMALL: an output buffer.
/// After a failed DH or decryption the handshake is over: every later call is HANDSHAKE_FAILED.
public struct NoiseHandshakeState<Provider: CryptoProvider> {
    public let pattern: NoisePattern
    public let role: NoiseRole
    let provider: Provider
    var symmetric: NoiseSymmetricState
    var localStatic: NoiseKeyPair
    var localEphemeral: NoiseKeyPair?
    public private(set) var remoteStaticPublicKey: Bytes32?
    public private(set) var remoteEphemeralPublicKey: Bytes32?
    /// Where the remote keys were found in the message that carried them (LOW_ORDER_KEY offsets).
    var remoteStaticKeyOffset: Int?
    var remoteEphemeralKeyOffset: Int?
    var presharedKey: Bytes32
    /// The index of the next message, 0 to `pattern.messageCount`.
    public private(set) var messageIndex: Int = 0
    public private(set) var hasFailed: Bool = false

    /// `Initialize(...)`: KK needs `remoteStaticPublicKey` (its pre-message), XXpsk3 needs
    /// `presharedKey`; a missing one is HANDSHAKE_FAILED. `ephemeralPrivateKey` fixes the
    /// ephemeral key (test vectors); otherwise it comes from the provider's random source when
    /// the `e` token is written.
    public init(
        pattern: NoisePattern, role: NoiseRole, prologue: UnsafeRawBufferPointer,
        localStaticPrivateKey: Bytes32, remoteStaticPublicKey: Bytes32? = nil,
        presharedKey: Bytes32? = nil, ephemeralPrivateKey: Bytes32? = nil, provider: Provider
    ) throws(PumpWireError) {
        self.pattern = pattern
        self.role = role
        self.provider = provider
        let name = pattern.protocolName
        symmetric = NoiseSymmetricState(
            protocolName: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), provider: provider)
        localStatic = try NoiseKeyPair(privateKey: localStaticPrivateKey, provider: provider)
        if let ephemeralPrivateKey {
            localEphemeral = try NoiseKeyPair(privateKey: ephemeralPrivateKey, provider: provider)
        }
        self.remoteStaticPublicKey = remoteStaticPublicKey
        if pattern.usesPresharedKey {
            guard let presharedKey else { throw PumpWireError(.handshakeFailed, at: PumpWireError.noOffset) }
            self.presharedKey = presharedKey
        } else {
            self.presharedKey = Bytes32()
        }
        symmetric.mixHash(prologue, provider: provider)
        if pattern.hasStaticPreMessages {
            // KK: -> s, <- s (Noise 7.1: the initiator's pre-message first).
            guard let remote = remoteStaticPublicKey else { throw PumpWireError(.handshakeFailed, at: PumpWireError.noOffset) }
            let initiatorKey = role == .initiator ? localStatic.publicKey : remote
            let responderKey = role == .initiator ? remote : localStatic.publicKey
            initiatorKey.withUnsafeBytes { (raw) in symmetric.mixHash(raw, provider: provider) }
            responderKey.withUnsafeBytes { (raw) in symmetric.mixHash(raw, provider: provider) }
        }
    }

    /// A session handshake, `Noise_KK_25519_ChaChaPoly_SHA256` (spec/security.md section 6).
    public static func kk(
        role: NoiseRole, prologue: UnsafeRawBufferPointer, localStaticPrivateKey: Bytes32,
        remoteStaticPublicKey: Bytes32, ephemeralPrivateKey: Bytes32? = nil, provider: Provider
    ) throws(PumpWireError) -> Self {
        try Self(pattern: .kk, role: role, prologue: prologue, localStaticPrivateKey: localStaticPrivateKey,
                 remoteStaticPublicKey: remoteStaticPublicKey, ephemeralPrivateKey: ephemeralPrivateKey, provider: provider)
    }

    /// A pairing, `Noise_XXpsk3_25519_ChaChaPoly_SHA256` with the pairing secret (section 5).
    public static func xxpsk3(
        role: NoiseRole, prologue: UnsafeRawBufferPointer, localStaticPrivateKey: Bytes32,
        presharedKey: Bytes32, ephemeralPrivateKey: Bytes32? = nil, provider: Provider
    ) throws(PumpWireError) -> Self {
        try Self(pattern: .xxpsk3, role: role, prologue: prologue, localStaticPrivateKey: localStaticPrivateKey,
                 presharedKey: presharedKey, ephemeralPrivateKey: ephemeralPrivateKey, provider: provider)
    }

    public var localStaticPublicKey: Bytes32 { localStatic.publicKey }
    public var localEphemeralPublicKey: Bytes32? { localEphemeral?.publicKey }

    /// Every message written and read.
    public var isComplete: Bool { messageIndex == pattern.messageCount }

    /// Whether the next message is this side's to write (false once complete).
    public var isWriteTurn: Bool {
        !isComplete && (messageIndex % 2 == 0) == (role == .initiator)
    }

    /// Whether the next message is this side's to read (false once complete).
    public var isReadTurn: Bool { !isComplete && !isWriteTurn }

    /// `h`: once complete, the handshake hash, the session's name (PW-SEC-8).
    public var handshakeHash: Bytes32 { symmetric.handshakeHash }

    /// The length of the next message with a payload of `payloadLength` bytes.
    public func messageLength(payloadLength: Int) -> Int {
        guard !isComplete else { return 0 }
        var keyed = symmetric.cipher.hasKey
        var length = 0
        for index in 0..<pattern.tokenCount(inMessage: messageIndex) {
            switch pattern.token(index, inMessage: messageIndex) {
            case .e:
                length += Bytes32.count
                if pattern.usesPresharedKey { keyed = true }
            case .s:
                length += Bytes32.count + (keyed ? NoiseCipherState.tagSize : 0)
            case .ee, .es, .se, .ss, .psk:
                keyed = true
            }
        }
        return length + payloadLength + (keyed ? NoiseCipherState.tagSize : 0)
    }

    /// `WriteMessage(payload, message_buffer)`: writes the next message into `message` and returns
    /// its length. `payload` must not overlap `message`.
    public mutating func writeMessage(
        payload: UnsafeRawBufferPointer, into message: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        try require(!hasFailed, .handshakeFailed, at: PumpWireError.noOffset)  // security.md 12: a failed handshake stays failed
        try require(isWriteTurn, .handshakeOutOfOrder, at: PumpWireError.noOffset)  // security.md 12
        let length = messageLength(payloadLength: payload.count)
        try require(message.count >= length, .bufferTooSmall, at: message.count)  // PW-ENC-5: the caller's buffer
        do {
            return try performWrite(payload: payload, into: message)
        } catch {
            hasFailed = true
            throw error
        }
    }

    /// `ReadMessage(message, payload_buffer)`: reads the next message, writes its payload into
    /// `payload` and returns the payload's length.
    public mutating func readMessage(
        _ message: UnsafeRawBufferPointer, payloadInto payload: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        try require(!hasFailed, .handshakeFailed, at: PumpWireError.noOffset)  // security.md 12: a failed handshake stays failed
        try require(isReadTurn, .handshakeOutOfOrder, at: PumpWireError.noOffset)  // security.md 12
        let minimum = messageLength(payloadLength: 0)
        try require(message.count >= minimum, .lengthMismatch, at: message.count)  // PW-ENC-2: shorter than its tokens
        try require(payload.count >= message.count - minimum, .bufferTooSmall, at: payload.count)  // PW-ENC-5: the caller's buffer
        do {
            return try performRead(message, payloadInto: payload)
        } catch {
            hasFailed = true
            throw error
        }
    }

    /// `Split()`, once complete: the cipher states initiator to responder (`k1`) and responder to
    /// initiator (`k2`), PW-SEC-8. Out of turn before the last message.
    public func split() throws(PumpWireError) -> (initiatorToResponder: NoiseCipherState, responderToInitiator: NoiseCipherState) {
        try require(isComplete && !hasFailed, .handshakeOutOfOrder, at: PumpWireError.noOffset)  // PW-SEC-8: keys once complete
        let (first, second) = try symmetric.split(provider: provider)
        return (first, second)
    }

    /// Erases every secret the handshake holds (call after `split`).
    public mutating func erase() {
        symmetric.erase()
        localStatic.privateKey.erase()
        localEphemeral?.privateKey.erase()
        presharedKey.erase()
    }

    // MARK: - Tokens

    private mutating func performWrite(
        payload: UnsafeRawBufferPointer, into message: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        let provider = self.provider
        var position = 0
        for index in 0..<pattern.tokenCount(inMessage: messageIndex) {
            let token = pattern.token(index, inMessage: messageIndex)
            switch token {
            case .e:
                if localEphemeral == nil { localEphemeral = try generateEphemeral() }
                let ephemeral = localEphemeral!
                ephemeral.publicKey.withUnsafeBytes { (raw) in
                    UnsafeMutableRawBufferPointer(rebasing: message[position..<(position + Bytes32.count)]).copyMemory(from: raw)
                }
                try mixEphemeral(ephemeral.publicKey)
                position += Bytes32.count
            case .s:
                localStatic.publicKey.withUnsafeBytes { (raw) in
                    UnsafeMutableRawBufferPointer(rebasing: message[position..<(position + Bytes32.count)]).copyMemory(from: raw)
                }
                position += try symmetric.encryptAndHash(
                    in: UnsafeMutableRawBufferPointer(rebasing: message[position..<message.count]),
                    plaintextLength: Bytes32.count, provider: provider)
            case .psk:
                let psk = presharedKey
                try psk.withUnsafeBytes { (raw) throws(PumpWireError) in try symmetric.mixKeyAndHash(raw, provider: provider) }
            case .ee, .es, .se, .ss:
                // PW-SEC-7: a key read in an earlier message is reported where that message had it.
                try mixDH(token, remoteStaticOffset: remoteStaticKeyOffset, remoteEphemeralOffset: remoteEphemeralKeyOffset)
            }
        }
        if payload.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: message[position..<(position + payload.count)]).copyMemory(from: payload)
        }
        position += try symmetric.encryptAndHash(
            in: UnsafeMutableRawBufferPointer(rebasing: message[position..<message.count]),
            plaintextLength: payload.count, provider: provider)
        messageIndex += 1
        return position
    }

    private mutating func performRead(
        _ message: UnsafeRawBufferPointer, payloadInto payload: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        let provider = self.provider
        var position = 0
        var remoteStaticOffset: Int?
        var remoteEphemeralOffset: Int?
        for index in 0..<pattern.tokenCount(inMessage: messageIndex) {
            let token = pattern.token(index, inMessage: messageIndex)
            switch token {
            case .e:
                let key = Bytes32(copying: UnsafeRawBufferPointer(rebasing: message[position..<(position + Bytes32.count)]))!
                remoteEphemeralPublicKey = key
                remoteEphemeralOffset = position
                remoteEphemeralKeyOffset = position
                try mixEphemeral(key)
                position += Bytes32.count
            case .s:
                let length = Bytes32.count + (symmetric.cipher.hasKey ? NoiseCipherState.tagSize : 0)
                var scratch = InlineArray<48, UInt8>(repeating: 0)
                for i in 0..<length { scratch[i] = message[position + i] }
                var key = Bytes32()
                do {
                    var span = scratch.mutableSpan
                    try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) in
                        _ = try decryptAndHash(UnsafeMutableRawBufferPointer(rebasing: raw[0..<length]), reportingOffset: position)
                        for i in 0..<Bytes32.count { key[i] = raw[i] }
                    }
                }
                remoteStaticPublicKey = key
                remoteStaticOffset = position
                remoteStaticKeyOffset = position
                position += length
            case .psk:
                let psk = presharedKey
                try psk.withUnsafeBytes { (raw) throws(PumpWireError) in try symmetric.mixKeyAndHash(raw, provider: provider) }
            case .ee, .es, .se, .ss:
                try mixDH(token, remoteStaticOffset: remoteStaticOffset, remoteEphemeralOffset: remoteEphemeralOffset)
            }
        }
        let ciphertextLength = message.count - position
        let text = UnsafeMutableRawBufferPointer(rebasing: payload[0..<ciphertextLength])
        if ciphertextLength > 0 {
            text.copyMemory(from: UnsafeRawBufferPointer(rebasing: message[position..<message.count]))
        }
        let length = try decryptAndHash(text, reportingOffset: position)
        messageIndex += 1
        return length
    }

    /// `DecryptAndHash` in place; a tag that does not verify is HANDSHAKE_FAILED at its offset
    /// in the message.
    private mutating func decryptAndHash(_ buffer: UnsafeMutableRawBufferPointer, reportingOffset base: Int) throws(PumpWireError) -> Int {
        do {
            return try symmetric.decryptAndHash(in: buffer, provider: provider)
        } catch where error.code == .authenticationFailed {
            throw PumpWireError(.handshakeFailed, at: base + error.offset)  // PW-SEC-7
        }
    }

    /// The `e` token after the key is written or read: MixHash, and MixKey in a psk pattern.
    private mutating func mixEphemeral(_ key: Bytes32) throws(PumpWireError) {
        let provider = self.provider
        key.withUnsafeBytes { (raw) in symmetric.mixHash(raw, provider: provider) }
        if pattern.usesPresharedKey {
            try key.withUnsafeBytes { (raw) throws(PumpWireError) in try symmetric.mixKey(raw, provider: provider) }
        }
    }

    /// `ee`, `es`, `se`, `ss`: MixKey(DH(local, remote)), the result checked first (PW-SEC-4).
    private mutating func mixDH(_ token: NoiseToken, remoteStaticOffset: Int?, remoteEphemeralOffset: Int?) throws(PumpWireError) {
        let initiator = role == .initiator
        let localIsEphemeral: Bool
        let remoteIsEphemeral: Bool
        switch token {
        case .ee: (localIsEphemeral, remoteIsEphemeral) = (true, true)
        case .es: (localIsEphemeral, remoteIsEphemeral) = (initiator, !initiator)
        case .se: (localIsEphemeral, remoteIsEphemeral) = (!initiator, initiator)
        default: (localIsEphemeral, remoteIsEphemeral) = (false, false)
        }
        let local = localIsEphemeral ? localEphemeral : localStatic
        let remote = remoteIsEphemeral ? remoteEphemeralPublicKey : remoteStaticPublicKey
        let remoteOffset = (remoteIsEphemeral ? remoteEphemeralOffset : remoteStaticOffset) ?? PumpWireError.noOffset
        guard let local, let remote else { throw PumpWireError(.handshakeFailed, at: PumpWireError.noOffset) }
        // PW-SEC-4: an all-zero result (a low-order or all-zero point) never reaches a key.
        guard var shared = provider.x25519(scalar: local.privateKey, point: remote), !shared.isZero else {
            throw PumpWireError(.lowOrderKey, at: remoteOffset)
        }
        let provider = self.provider
        defer { shared.erase() }
        try shared.withUnsafeBytes { (raw) throws(PumpWireError) in try symmetric.mixKey(raw, provider: provider) }
    }

    /// A fresh ephemeral key pair from the provider's random source.
    private func generateEphemeral() throws(PumpWireError) -> NoiseKeyPair {
        let provider = self.provider
        var privateKey = Bytes32()
        let filled = privateKey.withUnsafeMutableBytes { (raw) in provider.random(into: raw) }
        try require(filled, .handshakeFailed, at: PumpWireError.noOffset)
        return try NoiseKeyPair(privateKey: privateKey, provider: provider)
    }
}
