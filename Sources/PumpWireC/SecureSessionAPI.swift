import CPumpWire
import PumpWireCore

// spec/security.md over the caller's `pw_crypto_provider` table: the handshakes (`pw_handshake`)
// and the sealed channel (`pw_sealed_channel`) of pumpwire.h, kept in the caller's structs.

/// The C provider table as the core's `CryptoProvider`: each primitive calls the table's function
/// with its `context`. A NULL function fails (the core turns that into its error).
struct CCryptoProvider: CryptoProvider {
    let table: UnsafePointer<pw_crypto_provider>

    /// The table, if every function is set.
    init?(_ table: UnsafePointer<pw_crypto_provider>?) {
        guard let table else { return nil }
        let t = table.pointee
        guard t.x25519 != nil, t.x25519_base != nil, t.aead_seal != nil, t.aead_open != nil, t.sha256 != nil,
              t.hmac_sha256 != nil, t.hkdf_sha256 != nil, t.random != nil else { return nil }
        self.table = table
    }

    @inline(__always)
    private static func bytes(_ raw: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    @inline(__always)
    private static func bytes(_ raw: UnsafeMutableRawBufferPointer) -> UnsafeMutablePointer<UInt8>? {
        raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    func x25519(scalar: Bytes32, point: Bytes32) -> Bytes32? {
        guard let f = table.pointee.x25519 else { return nil }
        var out = Bytes32()
        let result = out.withUnsafeMutableBytes { (o) in
            scalar.withUnsafeBytes { (s) in
                point.withUnsafeBytes { (p) in f(table.pointee.context, Self.bytes(o), Self.bytes(s), Self.bytes(p)) }
            }
        }
        return result == 0 ? out : nil
    }

    func x25519Base(scalar: Bytes32) -> Bytes32? {
        guard let f = table.pointee.x25519_base else { return nil }
        var out = Bytes32()
        let result = out.withUnsafeMutableBytes { (o) in
            scalar.withUnsafeBytes { (s) in f(table.pointee.context, Self.bytes(o), Self.bytes(s)) }
        }
        return result == 0 ? out : nil
    }

    func aeadSeal(
        key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
        text: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard let f = table.pointee.aead_seal, tag.count == 16 else { return false }
        return key.withUnsafeBytes { (k) in
            nonce.withUnsafeBytes { (n) in
                f(table.pointee.context, Self.bytes(text), Self.bytes(tag), Self.bytes(k), Self.bytes(n),
                  Self.bytes(associatedData), associatedData.count, Self.bytes(UnsafeRawBufferPointer(text)), text.count) == 0
            }
        }
    }

    func aeadOpen(
        key: Bytes32, nonce: AEADNonce, associatedData: UnsafeRawBufferPointer,
        text: UnsafeMutableRawBufferPointer, tag: UnsafeRawBufferPointer
    ) -> Bool {
        guard let f = table.pointee.aead_open, tag.count == 16 else { return false }
        return key.withUnsafeBytes { (k) in
            nonce.withUnsafeBytes { (n) in
                f(table.pointee.context, Self.bytes(text), Self.bytes(k), Self.bytes(n), Self.bytes(associatedData),
                  associatedData.count, Self.bytes(UnsafeRawBufferPointer(text)), text.count, Self.bytes(tag)) == 0
            }
        }
    }

    func sha256(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bytes32 {
        var out = Bytes32()
        guard let f = table.pointee.sha256 else { return out }
        out.withUnsafeMutableBytes { (o) in
            f(table.pointee.context, Self.bytes(o), Self.bytes(first), first.count, Self.bytes(second), second.count)
        }
        return out
    }

    func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> Bytes32 {
        var out = Bytes32()
        guard let f = table.pointee.hmac_sha256 else { return out }
        out.withUnsafeMutableBytes { (o) in
            f(table.pointee.context, Self.bytes(o), Self.bytes(key), key.count, Self.bytes(data), data.count)
        }
        return out
    }

    func hkdfSHA256(
        into output: UnsafeMutableRawBufferPointer, salt: UnsafeRawBufferPointer,
        inputKeyMaterial: UnsafeRawBufferPointer, info: UnsafeRawBufferPointer
    ) -> Bool {
        guard let f = table.pointee.hkdf_sha256 else { return false }
        return f(table.pointee.context, Self.bytes(output), output.count, Self.bytes(salt), salt.count,
                 Self.bytes(inputKeyMaterial), inputKeyMaterial.count, Self.bytes(info), info.count) == 0
    }

    func random(into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard let f = table.pointee.random else { return false }
        return f(table.pointee.context, Self.bytes(output), output.count) == 0
    }
}

/// What a `pw_handshake` holds: the core's handshake, and whether it was split already.
struct CHandshake {
    var state: NoiseHandshakeState<CCryptoProvider>
    var isSplit: Bool
}

typealias CSealedChannel = SealedChannel<CCryptoProvider>

func provider(_ table: UnsafePointer<pw_crypto_provider>?) throws(PumpWireError) -> CCryptoProvider {
    guard let provider = CCryptoProvider(table) else { throw PumpWireError(.bufferTooSmall, at: 0) }
    return provider
}

/// 32 bytes from a C pointer, or nil for NULL.
func key(_ bytes: UnsafePointer<UInt8>?) -> Bytes32? {
    guard let bytes else { return nil }
    return Bytes32(copying: UnsafeRawBufferPointer(start: bytes, count: Bytes32.count))
}

private func withHandshake<R>(
    _ storage: UnsafeMutablePointer<pw_handshake>?, _ body: (UnsafeMutablePointer<CHandshake>) throws(PumpWireError) -> R
) throws(PumpWireError) -> R {
    let result = try CStateStorage.withState(try required(storage), as: CHandshake.self, body)
    guard let result else { throw PumpWireError(.bufferTooSmall, at: 0) }
    return result
}

private func withChannel<R>(
    _ storage: UnsafeMutablePointer<pw_sealed_channel>?, _ body: (UnsafeMutablePointer<CSealedChannel>) throws(PumpWireError) -> R
) throws(PumpWireError) -> R {
    let result = try CStateStorage.withState(try required(storage), as: CSealedChannel.self, body)
    guard let result else { throw PumpWireError(.bufferTooSmall, at: 0) }
    return result
}

/// Overwrites a whole state struct with zeros: secrets erased, and the check word then fails.
func wipe<Storage>(_ storage: UnsafeMutablePointer<Storage>) {
    let raw = UnsafeMutableRawPointer(storage)
    for i in 0..<MemoryLayout<Storage>.size { raw.storeBytes(of: 0, toByteOffset: i, as: UInt8.self) }
}

@_cdecl("pw_handshake_prologue")
public func pw_handshake_prologue(_ pattern: UInt8, _ slot: UInt8, _ out: UnsafeMutablePointer<UInt8>?) {
    guard let out else { return }
    let label: StaticString = "PumpWire-v1"
    for i in 0..<11 { out[i] = label.utf8Start[i] }
    out[11] = pattern
    out[12] = slot
}

@_cdecl("pw_handshake_init")
public func pw_handshake_init(
    _ storage: UnsafeMutablePointer<pw_handshake>?, _ table: UnsafePointer<pw_crypto_provider>?, _ pattern: UInt8,
    _ role: UInt8, _ prologue: UnsafePointer<UInt8>?, _ prologueLength: Int, _ staticPrivate: UnsafePointer<UInt8>?,
    _ remoteStaticPublic: UnsafePointer<UInt8>?, _ psk: UnsafePointer<UInt8>?, _ ephemeralPrivate: UnsafePointer<UInt8>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let storage = try required(storage)
        try PumpWireError.check(CStateStorage.fits(CHandshake.self, in: pw_handshake.self), .bufferTooSmall, at: 0)
        let provider = try provider(table)
        guard let local = key(staticPrivate) else { throw PumpWireError(.bufferTooSmall, at: 0) }
        guard let noisePattern = NoisePattern(rawValue: pattern), role <= 1 else { throw PumpWireError(.fieldOutOfRange, at: 0) }
        let state = try NoiseHandshakeState(
            pattern: noisePattern, role: role == 0 ? .initiator : .responder,
            prologue: inputBytes(prologue, cLength(prologueLength)), localStaticPrivateKey: local,
            remoteStaticPublicKey: noisePattern == .kk ? key(remoteStaticPublic) : nil,
            presharedKey: noisePattern == .xxpsk3 ? key(psk) : nil, ephemeralPrivateKey: key(ephemeralPrivate),
            provider: provider)
        CStateStorage.initialize(storage, to: CHandshake(state: state, isSplit: false))
    }
}

@_cdecl("pw_handshake_write_message")
public func pw_handshake_write_message(
    _ storage: UnsafeMutablePointer<pw_handshake>?, _ payload: UnsafePointer<UInt8>?, _ payloadLength: Int,
    _ message: UnsafeMutablePointer<UInt8>?, _ capacity: Int, _ messageLength: UnsafeMutablePointer<Int>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let length = try withHandshake(storage) { (handshake) throws(PumpWireError) -> Int in
            try PumpWireError.check(!handshake.pointee.isSplit, .handshakeOutOfOrder, at: PumpWireError.noOffset)
            return try handshake.pointee.state.writeMessage(
                payload: inputBytes(payload, cLength(payloadLength)), into: outputBytes(message, cLength(capacity)))
        }
        messageLength?.pointee = length
    }
}

@_cdecl("pw_handshake_read_message")
public func pw_handshake_read_message(
    _ storage: UnsafeMutablePointer<pw_handshake>?, _ message: UnsafePointer<UInt8>?, _ length: Int,
    _ payload: UnsafeMutablePointer<UInt8>?, _ capacity: Int, _ payloadLength: UnsafeMutablePointer<Int>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let count = try withHandshake(storage) { (handshake) throws(PumpWireError) -> Int in
            try PumpWireError.check(!handshake.pointee.isSplit, .handshakeOutOfOrder, at: PumpWireError.noOffset)
            return try handshake.pointee.state.readMessage(
                inputBytes(message, cLength(length)), payloadInto: outputBytes(payload, cLength(capacity)))
        }
        payloadLength?.pointee = count
    }
}

@_cdecl("pw_handshake_is_complete")
public func pw_handshake_is_complete(_ storage: UnsafePointer<pw_handshake>?) -> Bool {
    guard let storage, let handshake = CStateStorage.readState(storage, as: CHandshake.self) else { return false }
    return handshake.pointee.state.isComplete && !handshake.pointee.state.hasFailed
}

@_cdecl("pw_handshake_is_write_turn")
public func pw_handshake_is_write_turn(_ storage: UnsafePointer<pw_handshake>?) -> Bool {
    guard let storage, let handshake = CStateStorage.readState(storage, as: CHandshake.self) else { return false }
    return handshake.pointee.state.isWriteTurn && !handshake.pointee.state.hasFailed
}

@_cdecl("pw_handshake_split")
public func pw_handshake_split(
    _ storage: UnsafeMutablePointer<pw_handshake>?, _ sessionEpoch: UInt8, _ channel: UnsafeMutablePointer<pw_sealed_channel>?,
    _ handshakeHash: UnsafeMutablePointer<UInt8>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let channel = try required(channel)
        try PumpWireError.check(CStateStorage.fits(CSealedChannel.self, in: pw_sealed_channel.self), .bufferTooSmall, at: 0)
        try withHandshake(storage) { (handshake) throws(PumpWireError) in
            try PumpWireError.check(!handshake.pointee.isSplit, .handshakeOutOfOrder, at: PumpWireError.noOffset)  // PW-SEC-8
            let sealed = try CSealedChannel(handshake: handshake.pointee.state, sessionEpoch: sessionEpoch)
            if let handshakeHash {
                handshake.pointee.state.handshakeHash.withUnsafeBytes { (hash) in
                    for i in 0..<Bytes32.count { handshakeHash[i] = hash[i] }
                }
            }
            CStateStorage.initialize(channel, to: sealed)
            handshake.pointee.state.erase()
            handshake.pointee.isSplit = true
        }
    }
}

@_cdecl("pw_handshake_erase")
public func pw_handshake_erase(_ storage: UnsafeMutablePointer<pw_handshake>?) {
    guard let storage else { return }
    wipe(storage)
}

@_cdecl("pw_sealed_channel_init")
public func pw_sealed_channel_init(
    _ storage: UnsafeMutablePointer<pw_sealed_channel>?, _ table: UnsafePointer<pw_crypto_provider>?,
    _ sendingKey: UnsafePointer<UInt8>?, _ receivingKey: UnsafePointer<UInt8>?, _ sessionEpoch: UInt8,
    _ nextFrameCounter: UInt32, _ hasHighestAccepted: Bool, _ highestAccepted: UInt32
) -> UInt16 {
    cResult(nil) { () throws(PumpWireError) in
        let storage = try required(storage)
        try PumpWireError.check(CStateStorage.fits(CSealedChannel.self, in: pw_sealed_channel.self), .bufferTooSmall, at: 0)
        let provider = try provider(table)
        guard let sending = key(sendingKey), let receiving = key(receivingKey) else { throw PumpWireError(.bufferTooSmall, at: 0) }
        CStateStorage.initialize(storage, to: CSealedChannel(
            sending: SealedDirection(key: sending, sessionEpoch: sessionEpoch, nextFrameCounter: nextFrameCounter),
            receiving: SealedDirection(key: receiving, sessionEpoch: sessionEpoch,
                                       highestAccepted: hasHighestAccepted ? highestAccepted : nil),
            provider: provider))
    }
}

@_cdecl("pw_sealed_seal_frame")
public func pw_sealed_seal_frame(
    _ storage: UnsafeMutablePointer<pw_sealed_channel>?, _ frame: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ frameLength: UnsafeMutablePointer<Int>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let count = try withChannel(storage) { (channel) throws(PumpWireError) -> Int in
            try channel.pointee.seal(frameIn: outputBytes(frame, cLength(length)))
        }
        frameLength?.pointee = count
    }
}

@_cdecl("pw_sealed_seal_frame_into")
public func pw_sealed_seal_frame_into(
    _ storage: UnsafeMutablePointer<pw_sealed_channel>?, _ cleartext: UnsafePointer<UInt8>?, _ length: Int,
    _ out: UnsafeMutablePointer<UInt8>?, _ capacity: Int, _ outLength: UnsafeMutablePointer<Int>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let input = inputBytes(cleartext, cLength(length))
        let output = outputBytes(out, cLength(capacity))
        let count = try withChannel(storage) { (channel) throws(PumpWireError) -> Int in
            // The frame's own length, so that a short buffer is judged against what is written.
            let view = try FrameView.decode(input, exactly: false)
            try PumpWireError.check(view.flags.contains(.authenticated), .notSealed, at: 4)  // PW-SEC-9
            try PumpWireError.check(output.count >= view.length, .bufferTooSmall, at: output.count)  // PW-ENC-5
            let frame = UnsafeMutableRawBufferPointer(rebasing: output[0..<view.length])
            frame.copyMemory(from: UnsafeRawBufferPointer(rebasing: input[0..<view.length]))
            return try channel.pointee.seal(frameIn: frame)
        }
        outLength?.pointee = count
    }
}

@_cdecl("pw_sealed_open_frame")
public func pw_sealed_open_frame(
    _ storage: UnsafeMutablePointer<pw_sealed_channel>?, _ sealed: UnsafePointer<UInt8>?, _ length: Int,
    _ out: UnsafeMutablePointer<UInt8>?, _ capacity: Int, _ outLength: UnsafeMutablePointer<Int>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let count = try withChannel(storage) { (channel) throws(PumpWireError) -> Int in
            try channel.pointee.open(inputBytes(sealed, cLength(length)), into: outputBytes(out, cLength(capacity))).length
        }
        outLength?.pointee = count
    }
}

@_cdecl("pw_sealed_channel_next_frame_counter")
public func pw_sealed_channel_next_frame_counter(_ storage: UnsafePointer<pw_sealed_channel>?) -> UInt32 {
    guard let storage, let channel = CStateStorage.readState(storage, as: CSealedChannel.self) else { return 0 }
    return channel.pointee.sending.nextFrameCounter
}

@_cdecl("pw_sealed_channel_highest_accepted")
public func pw_sealed_channel_highest_accepted(
    _ storage: UnsafePointer<pw_sealed_channel>?, _ highestAccepted: UnsafeMutablePointer<UInt32>?
) -> Bool {
    guard let storage, let channel = CStateStorage.readState(storage, as: CSealedChannel.self),
          let highest = channel.pointee.receiving.highestAccepted else { return false }
    highestAccepted?.pointee = highest
    return true
}

@_cdecl("pw_sealed_channel_epoch")
public func pw_sealed_channel_epoch(_ storage: UnsafePointer<pw_sealed_channel>?) -> UInt8 {
    guard let storage, let channel = CStateStorage.readState(storage, as: CSealedChannel.self) else { return 0 }
    return channel.pointee.sending.sessionEpoch
}

@_cdecl("pw_sealed_channel_erase")
public func pw_sealed_channel_erase(_ storage: UnsafeMutablePointer<pw_sealed_channel>?) {
    guard let storage else { return }
    wipe(storage)
}
