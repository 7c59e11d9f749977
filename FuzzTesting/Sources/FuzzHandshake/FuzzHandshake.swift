import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: `NoiseHandshakeState.readMessage` (spec/security.md sections 5 and 6), every
/// message of KK and XXpsk3 read by the side that reads it, over the fuzzing-only provider.
/// Option byte: bit 0 the pattern (0 KK, 1 XXpsk3); bits 1-2 the message (0 to 2, modulo the
/// pattern's count); bit 3 every tag verifies; bit 4 the input is XORed onto the honest message;
/// bit 5 the input is the whole frame (`handshakeRequest`, `handshakeResponse`, `handshakeFinish`).
@_cdecl("FuzzHandshake_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        checkHandshake(FuzzInput(data, size))
        return 0
    }
}

func checkHandshake(_ input: FuzzInput) {
    let pattern: NoisePattern = input.option & 1 == 0 ? .kk : .xxpsk3
    let index = Int(input.option >> 1 & 3) % pattern.messageCount
    let readerProvider = FuzzingOnlyCryptoProvider(acceptsEveryTag: input.option & 8 != 0)
    var honest = HonestHandshake(pattern, readingMessage: index, readerProvider: readerProvider,
                                 writerProvider: FuzzingOnlyCryptoProvider())
    let expected = honest.messages[index]

    // The Noise message, and where it starts in the input (error offsets are input offsets).
    var message = input.bytes
    var base = 0
    var frame = input.bytes
    Frame.setCRC(in: &frame)  // bit 0 is the pattern here: frames always get their CRC set right
    if input.option & 32 != 0 {
        guard let (noise, start) = noiseMessage(inFrame: frame, pattern: pattern, index: index) else { return }
        (message, base) = (noise, start)
    } else if input.option & 16 != 0 {
        for i in message.indices where i < expected.count { message[i] ^= expected[i] }
    }
    let inputCount = input.option & 32 != 0 ? frame.count : message.count

    var reader = honest.reader
    let minimum = reader.messageLength(payloadLength: 0)
    switch reader.read(message) {
    case .failure(let error):
        checkRejection(error, message: message, reader: reader, base: base, inputCount: inputCount,
                       acceptsEveryTag: readerProvider.acceptsEveryTag)
        // A rejection that is not a short message ends the handshake (NoiseHandshakeState's contract):
        // the honest message is then refused; after LENGTH_MISMATCH nothing changed, so it is read.
        var after = reader
        let again = after.read(expected)
        if error.code == .lengthMismatch {
            invariant(reader.messageIndex == index && !reader.hasFailed, "a short message changed the handshake")
            invariant((try? again.get()) == SecureFixtures.payload(pattern, message: index), "after a short message the honest one is refused")
        } else {
            invariant(again == .failure(PumpWireError(.handshakeFailed, at: PumpWireError.noOffset)), "a failed handshake read again: \(again)")
        }
    case .success(let payload):
        // PW-SEC-7: only whole messages are read; the payload is what follows the tokens (the AEAD is transparent here).
        invariant(reader.messageIndex == index + 1 && !reader.hasFailed, "the handshake did not advance")
        invariant(payload.count == message.count - minimum, "payload length \(payload.count) for a message of \(message.count)")
        invariant(payload == Array(message[(minimum - 16)..<(message.count - 16)]), "the payload is not the message's")
        let keyStart = Array(message[0..<32])
        if pattern == .xxpsk3 && index == 2 {
            invariant(reader.remoteStaticPublicKey.map(bytes) == keyStart, "the static key read is not the message's")
        } else {
            invariant(reader.remoteEphemeralPublicKey.map(bytes) == keyStart, "the ephemeral key read is not the message's")
        }
        // Noise binds every byte into h: the same message gives the writer's h, any other another.
        let same = message == expected
        invariant((reader.handshakeHash == honest.writer.handshakeHash) == same, "the handshake hash does not bind the message")
        if same { invariant(payload == SecureFixtures.payload(pattern, message: index), "the honest payload reads differently") }
        checkContinuation(reader: &reader, writer: &honest.writer, same: same, pattern: pattern, index: index, message: message)
    }
}

/// Errors of a read: LENGTH_MISMATCH at the message's end, HANDSHAKE_FAILED at a tag, LOW_ORDER_KEY
/// at a key that is low order (PW-SEC-4, PW-SEC-7), each at its offset in the input.
func checkRejection(_ error: PumpWireError, message: [UInt8], reader: NoiseHandshakeState<FuzzingOnlyCryptoProvider>,
                    base: Int, inputCount: Int, acceptsEveryTag: Bool) {
    invariant(base + error.offset <= inputCount, "offset \(error.offset) outside the input")
    switch error.code {
    case .lengthMismatch:
        invariant(error.offset == message.count, "LENGTH_MISMATCH not at the message's end")
    case .handshakeFailed:
        invariant(!acceptsEveryTag, "HANDSHAKE_FAILED with every tag accepted")
        invariant(error.offset + 16 <= message.count, "HANDSHAKE_FAILED at \(error.offset): no tag there")
    case .lowOrderKey:
        invariant(error.offset + 32 <= message.count, "LOW_ORDER_KEY at \(error.offset): no key there")
        invariant(isLowOrder(Array(message[error.offset..<(error.offset + 32)]), for: reader), "LOW_ORDER_KEY at a key that is not low order")
    default:
        fatalError("not a handshake code: \(error)")
    }
}

/// A key whose stand-in X25519 with one of the reader's private keys is zero.
func isLowOrder(_ key: [UInt8], for reader: NoiseHandshakeState<FuzzingOnlyCryptoProvider>) -> Bool {
    if key[1...].allSatisfy({ $0 == 0 }) { return true }
    let locals = [reader.localStaticPublicKey, reader.localEphemeralPublicKey].compactMap { $0 }.map(bytes)  // public == private here
    return locals.contains(key)
}

/// After a read: a complete handshake splits into the writer's keys when the message was honest;
/// an incomplete one writes its next message, which the writer accepts exactly when the message
/// read was the honest one (PW-SEC-8: both sides agree on everything they saw).
func checkContinuation(reader: inout NoiseHandshakeState<FuzzingOnlyCryptoProvider>, writer: inout NoiseHandshakeState<FuzzingOnlyCryptoProvider>,
                       same: Bool, pattern: NoisePattern, index: Int, message: [UInt8]) {
    if reader.isComplete {
        guard let keys = try? reader.split() else { fatalError("a complete handshake does not split") }
        if same, let theirs = try? writer.split() {
            invariant(keys.initiatorToResponder.key == theirs.initiatorToResponder.key
                         && keys.responderToInitiator.key == theirs.responderToInitiator.key, "the two sides split different keys")
        }
        return
    }
    switch reader.write(SecureFixtures.payload(pattern, message: index + 1)) {
    case .failure(let error):
        // PW-SEC-7: a pairing's pump finds an all-zero `e` of message 1 when it computes `ee`.
        invariant(error.code == .lowOrderKey && error.offset == 0
                     && isLowOrder(Array(message[0..<32]), for: reader), "writing after a read failed: \(error)")
    case .success(let next):
        let read = writer.read(next)
        if same {
            invariant((try? read.get()) == SecureFixtures.payload(pattern, message: index + 1), "the honest writer refuses the answer: \(read)")
        } else if case .success = read {
            fatalError("the writer accepted an answer to a message it did not send")
        }
    }
}

/// The Noise message in a handshake frame (section 5), and its frame offset; nil when the frame is
/// another one. Frame errors are checked as every frame target checks them.
func noiseMessage(inFrame frame: [UInt8], pattern: NoisePattern, index: Int) -> ([UInt8], Int)? {
    let decoded = frame.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> Frame in try Frame.decode(raw) } }
    switch decoded {
    case .failure(let error):
        invariant(error.offset >= 0 && error.offset <= frame.count, "frame error offset outside the frame")
        invariant((1...63).contains(error.code.rawValue), "not a frame-layer code: \(error)")
        return nil
    case .success(let value):
        let type: UInt8 = [0x10, 0x90, 0x11][index]
        guard value.authentication == nil, case .message(.unknown(let unknown)) = value.content, unknown.typeCode == type else { return nil }
        let payload = Array(unknown.payload)
        if index == 0 {
            // The prologue holds pattern and slot: another pair is another handshake (section 5).
            guard payload.count >= 2, payload[0] == pattern.rawValue, payload[1] == SecureFixtures.slot(pattern) else { return nil }
            return (Array(payload[2...]), WireLimits.headerSize + 2)
        }
        return (payload, WireLimits.headerSize)
    }
}

func bytes(_ key: Bytes32) -> [UInt8] { key.withUnsafeBytes { Array($0) } }
