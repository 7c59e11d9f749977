import PumpWire
import PumpWireCore
import PumpWireSecurity

/// Both ends of one KK session (spec/security.md section 6) over swift-crypto, made from the
/// harness's seed: the device's channel and the pump's.
struct SealedSessionPair {
    var device: SealedChannel<SwiftCryptoProvider>
    var pump: SealedChannel<SwiftCryptoProvider>

    /// Runs the whole handshake; nil if it fails (a finding: honest keys must always agree).
    init?(random: inout FuzzRandom) {
        let provider = SwiftCryptoProvider()
        func key(_ random: inout FuzzRandom) -> Bytes32 { random.bytes(32).withUnsafeBytes { Bytes32(copying: $0)! } }
        let deviceStatic = key(&random), pumpStatic = key(&random)
        let deviceEphemeral = key(&random), pumpEphemeral = key(&random)
        let slot = UInt8(random.below(4))
        let info: [UInt8] = [slot, UInt8(truncatingIfNeeded: random.next()), 7, 0, 0, 0]
        guard let devicePublic = provider.x25519Base(scalar: deviceStatic), let pumpPublic = provider.x25519Base(scalar: pumpStatic) else { return nil }
        let prologue = HandshakePrologue(pattern: .kk, slot: slot)
        let result = prologue.withUnsafeBytes { raw in
            Result { () throws(PumpWireError) -> (SealedChannel<SwiftCryptoProvider>, SealedChannel<SwiftCryptoProvider>) in
                var initiator = try NoiseHandshakeState.kk(role: .initiator, prologue: raw, localStaticPrivateKey: deviceStatic,
                                                           remoteStaticPublicKey: pumpPublic, ephemeralPrivateKey: deviceEphemeral, provider: provider)
                var responder = try NoiseHandshakeState.kk(role: .responder, prologue: raw, localStaticPrivateKey: pumpStatic,
                                                           remoteStaticPublicKey: devicePublic, ephemeralPrivateKey: pumpEphemeral, provider: provider)
                _ = try responder.readMessage(try initiator.writeMessage([]))
                let read = try initiator.readMessage(try responder.writeMessage(info))
                try PumpWireError.check(read == info, .handshakeFailed, at: PumpWireError.noOffset)  // PW-SEC-8: both sides agree
                return (try SealedChannel(handshake: initiator, sessionEpoch: info[1]), try SealedChannel(handshake: responder, sessionEpoch: info[1]))
            }
        }
        guard case .success(let (device, pump)) = result else { return nil }
        self.device = device
        self.pump = pump
    }
}

/// What PW-SEC-10 says of a sealed frame with one bit flipped: one code at one offset, or, for a
/// changed `flags` or `payloadLength`, any rejection (the frame's layout itself changed).
enum FlipOutcome: Equatable {
    case exactly(PumpWireError)
    case anyRejection
}

extension FuzzHarness {
    /// How often an iteration seals: a sealed check (seal, damaged open, opens, replays through
    /// swift-crypto) costs about 70 plain iterations in release, so 1 in 32 (Benchmarks/README.md).
    static let sealedShare: UInt64 = 32

    /// Seals a generated message with one side of the session, damages one bit of one of its
    /// frames, then opens them all with the other side (PW-SEC-9, PW-SEC-10, PW-SEC-12):
    /// - the damaged frame is rejected with the code and offset PW-SEC-10 gives, and changes nothing;
    /// - every frame opens, in order, and gives the message back (reassembled when fragmented);
    /// - the last frame again is REPLAYED, the first again (if more than one) COUNTER_ROLLBACK.
    mutating func checkSealed() {
        if sealedSessions == nil {
            sealedSessions = SealedSessionPair(random: &random)
            if sealedSessions == nil {
                record(FuzzFinding(invariant: "HandshakeFailed", input: [], detail: "an honest KK handshake failed", iteration: report.iterations))
                return
            }
        }
        report.sealed += 1
        let toPump = random.below(2) == 0
        var sender = toPump ? sealedSessions!.device : sealedSessions!.pump
        var receiver = toPump ? sealedSessions!.pump : sealedSessions!.device
        defer {
            sealedSessions!.device = toPump ? sender : receiver
            sealedSessions!.pump = toPump ? receiver : sender
        }
        let message = generator.message()
        var buffer = [UInt8](repeating: 0, count: SealedChannel<SwiftCryptoProvider>.sealedSize(of: message))
        let sealed = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(PumpWireError) -> Int in try sender.seal(message, sequence: UInt16(truncatingIfNeeded: random.next()), into: raw) }
        }
        guard case .success = sealed else {
            record(FuzzFinding(invariant: "SealRefused", input: [], detail: "sealing a valid message failed: \(sealed)", iteration: report.iterations))
            return
        }
        let frames = StreamDecoder.frames(in: buffer)

        // One bit of one frame flipped, opened by a copy of the receiver: rejected, as PW-SEC-10 says.
        let target = frames[Int(random.below(UInt64(frames.count)))]
        let crcFixed = random.below(2) == 0
        let bit = Int(random.below(UInt64((target.count - (crcFixed ? 2 : 0)) * 8)))
        var damaged = target
        damaged[bit / 8] ^= 1 << UInt8(bit % 8)
        if crcFixed { Mutator.fixCRC(&damaged) }
        TrapReporter.record(damaged)
        var probe = receiver
        let expected = Self.flipOutcome(target, damaged: damaged, byte: bit / 8, mask: 1 << UInt8(bit % 8), crcFixed: crcFixed,
                                        highest: receiver.receiving.highestAccepted)
        switch Self.open(&probe, damaged) {
        case .success:
            record(FuzzFinding(invariant: "FlippedSealedFrameAccepted", input: damaged, detail: "bit \(bit) flipped, the frame opened",
                               iteration: report.iterations))
        case .failure(let error):
            report.rejections[error.code.rawValue, default: 0] += 1
            if !Self.matches(error, expected, frameCount: damaged.count) {
                record(FuzzFinding(invariant: "FlippedSealedFrameWrongCode", input: damaged,
                                   detail: "bit \(bit) flipped: \(error), PW-SEC-10 says \(expected)", iteration: report.iterations))
            } else if probe.receiving != receiver.receiving {
                // PW-SEC-10: only a frame whose tag verifies records its counter.
                record(FuzzFinding(invariant: "RejectedFrameChangedState", input: damaged,
                                   detail: "bit \(bit) flipped: rejected with \(error), but the receiver's counter moved", iteration: report.iterations))
            }
        }

        // Every frame as sealed opens, in order, to the message.
        var reassembler = Reassembler()
        var opened: Message?
        for frame in frames {
            TrapReporter.record(frame)
            var clear = frame
            let outcome = clear.withUnsafeMutableBytes { raw in
                Result { () throws(PumpWireError) -> Message? in
                    let view = try receiver.open(inPlace: raw)
                    let bytes = UnsafeRawBufferPointer(raw)
                    if view.fragment == nil { return try view.message(in: bytes) }
                    return try reassembler.add(view, in: bytes) == .complete ? try reassembler.takeMessage() : nil
                }
            }
            guard case .success(let message) = outcome else {
                record(FuzzFinding(invariant: "SealedFrameRefused", input: frame, detail: "a frame just sealed does not open: \(outcome)",
                                   iteration: report.iterations))
                return
            }
            if let message { opened = message }
        }
        if opened != message {
            record(FuzzFinding(invariant: "SealedRoundTripDiffers", input: buffer, detail: "the opened frames do not give the message sealed",
                               iteration: report.iterations))
        }
        // PW-SEC-10 4.: no frame is accepted twice.
        let payloadLength = { (frame: [UInt8]) in Int(frame[7]) | Int(frame[8]) << 8 }
        var replays = [(frames.last!, ErrorCode.replayed)]
        if frames.count > 1 { replays.append((frames[0], .counterRollback)) }
        for (frame, code) in replays {
            let again = Self.open(&receiver, frame)
            if case .failure(let error) = again, error == PumpWireError(code, at: 9 + payloadLength(frame)) { continue }
            record(FuzzFinding(invariant: "SealedFrameReplayed", input: frame, detail: "opened again: \(again), expected \(code.specName)",
                               iteration: report.iterations))
        }
    }

    static func open(_ channel: inout SealedChannel<SwiftCryptoProvider>, _ frame: [UInt8]) -> Result<FrameView, PumpWireError> {
        var copy = frame
        return copy.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) -> FrameView in try channel.open(inPlace: raw) } }
    }

    /// PW-SEC-10 for `frame` with `mask` flipped at `byte` (4.2 steps 1 to 8 first; PW-SEC-9's
    /// associated data is the header and fragment header, so a change there fails the tag).
    static func flipOutcome(_ frame: [UInt8], damaged: [UInt8], byte: Int, mask: UInt8, crcFixed: Bool, highest: UInt32?) -> FlipOutcome {
        let p = Int(frame[7]) | Int(frame[8]) << 8
        let tag = SealedFrame.tagOffset(payloadLength: p)
        switch byte {
        case 0, 1: return .exactly(PumpWireError(.badSync, at: 0))  // PW-FRAME-1
        case 2: return .exactly(PumpWireError(.unsupportedVersion, at: 2))  // PW-FRAME-3
        case 4, 7, 8: return .anyRejection  // flags or payloadLength: the frame's layout changed
        default: break
        }
        if !crcFixed { return .exactly(PumpWireError(.badCRC, at: frame.count - 2)) }  // PW-FRAME-6
        let fragment = frame[4] & FrameFlags.fragment.rawValue != 0
        if fragment && (9..<13).contains(byte) {
            // PW-SEC-10 2.: the fragment header's own checks (spec 5.2), else 5.: it is associated data.
            let header = damaged.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> FrameView in try FrameView.decode(raw, exactly: true) } }
            if case .failure(let error) = header { return .exactly(error) }
            return .exactly(PumpWireError(.authenticationFailed, at: tag))
        }
        let block = SealedFrame.frameCounterOffset(payloadLength: p)
        if (block..<(block + 3)).contains(byte) {  // PW-SEC-10 4.: the counter changed
            let counter = (UInt32(frame[block]) | UInt32(frame[block + 1]) << 8 | UInt32(frame[block + 2]) << 16)
                ^ UInt32(mask) << (8 * UInt32(byte - block))
            if let highest, counter == highest { return .exactly(PumpWireError(.replayed, at: block)) }
            if let highest, counter < highest { return .exactly(PumpWireError(.counterRollback, at: block)) }
        }
        if byte == block + 3 { return .exactly(PumpWireError(.staleSession, at: block + 3)) }  // PW-SEC-10 3.
        return .exactly(PumpWireError(.authenticationFailed, at: tag))  // PW-SEC-10 5.
    }

    static func matches(_ error: PumpWireError, _ expected: FlipOutcome, frameCount: Int) -> Bool {
        switch expected {
        case .exactly(let value): return error == value
        case .anyRejection:
            let security: [ErrorCode] = [.notSealed, .staleSession, .replayed, .counterRollback, .authenticationFailed]
            return ((1...63).contains(error.code.rawValue) || security.contains(error.code)) && error.offset >= 0 && error.offset <= frameCount
        }
    }
}
