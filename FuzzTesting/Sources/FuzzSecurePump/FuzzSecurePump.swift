import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: `SecurePump.receive` (spec/security.md 10.1, PW-SEC-21) over the fuzzing-only
/// provider, for a whole run of steps. Each step moves the pump clock and delivers a fuzzed frame or
/// the frames of an honest device model (KK handshakes from a slot, pairings, sealed requests with
/// command ids, possibly damaged after sealing), so that runs reach open sessions, patient boluses,
/// enrollment and revocation. Every frame's outcome is checked against the invariants of README.md.
///
/// Input: the option byte, then 6 bytes of setup, then steps (see `PumpRun.init` and `step`).
/// Option byte: bit 0 set the CRC of fuzzed frames right; bit 1 every tag verifies; bit 2 the
/// pairing window is open; bit 3 no patient bolus is stored; bits 4-5 the slots' last command ids;
/// bit 6 slot 2 holds a second patient; bit 7 slot 3 holds a second clinician.
@_cdecl("FuzzSecurePump_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        var run = PumpRun(FuzzInput(data, size))
        run.play()
        return 0
    }
}

typealias Provider = FuzzingOnlyCryptoProvider

/// A device's side of a session the harness started honestly.
struct Device {
    var id: Int
    var slot: UInt8
    var channel: SealedChannel<Provider>
    var lastCommandId: UInt32
}

/// What the harness knows of the pump's session.
enum Tracked {
    case none
    /// Started by a fuzzed handshake: keys unknown.
    case unknown
    /// Started by the honest device `deviceId`: `shadow` opens exactly what the pump opens.
    case known(shadow: SealedChannel<Provider>, deviceId: Int)
}

/// One frame delivered, and what came of it.
struct Delivered {
    var answer: [UInt8]
    var records: [LogRecord]
    var startedSession: Bool
}

struct PumpRun {
    static let maxSteps = 48
    static let dayStart: UInt32 = 847_584_000  // a pump-clock midnight near the vectors' times

    var source: FuzzSource
    let provider: Provider
    let fixCRC: Bool
    var pump: SecurePump<Provider>
    var now: UInt32
    var sequence: UInt16 = 0x100
    /// The highest command id executed per slot, seen from outside (PW-SEC-14).
    var highest: [UInt32]
    var limits: SecurePump<Provider>.PatientBolusLimits?
    /// Pump-clock times of the patient boluses granted.
    var grants: [UInt32] = []
    var tracked = Tracked.none
    /// Upper bound of the session's last activity: the latest `now` at which it started or may
    /// have accepted a sealed frame.
    var activityBound: UInt32 = 0
    var device: Device?
    var nextDeviceId = 0
    /// A pairing the honest programmer started: its handshake after message 2, and the slot.
    var pairing: (handshake: NoiseHandshakeState<Provider>, slot: UInt8, epoch: UInt8, lastCommandId: UInt32, key: Bytes32)?
    var history: [[UInt8]] = []

    static let clinicianKey = SecureFixtures.pairingProgrammerStatic
    static let patientKey = SecureFixtures.sessionDeviceStatic

    init(_ input: FuzzInput) {
        source = FuzzSource(bytes: input.bytes)
        let option = input.option
        fixCRC = option & 1 != 0
        provider = Provider(acceptsEveryTag: option & 2 != 0)
        let ids: [[UInt32]] = [[7, 100, 0, 0], [0xFFFF_FFF0, 0xFFFF_FFFE, 5, 0], [0, 0, 0, 0], [1, 0xFFFF_FFFF, 0, 0xFFFF_FFFF]]
        highest = ids[Int(option >> 4 & 3)]
        let d = source.u8(), l = source.u8(), m = source.u8()
        limits = option & 8 != 0 ? nil : .init(doseNanograms: (UInt32(d) + 1) * 10_000, lockoutMinutes: UInt16(l % 64), maxPerDay: m % 8)
        let count = source.u8()
        // Session counts near the epoch's wrap as well (the epoch is its low 8 bits plus 1).
        let sessionCount = UInt32(count) | (count & 0x80 != 0 ? 0xFFFF_FF00 : 0)
        now = Self.dayStart &+ UInt32(source.u16()) &* 2
        var slots = InlineArray<4, SecurePump<Provider>.Slot>(repeating: .init())
        slots[0] = .init(role: .clinician, staticPublicKey: Self.clinicianKey, lastCommandId: highest[0])
        slots[1] = .init(role: .patient, staticPublicKey: Self.patientKey, lastCommandId: highest[1])
        slots[2] = .init(role: option & 64 != 0 ? .patient : nil, staticPublicKey: option & 64 != 0 ? Self.derivedKey(2) : Bytes32(), lastCommandId: highest[2])
        slots[3] = .init(role: option & 128 != 0 ? .clinician : nil, staticPublicKey: option & 128 != 0 ? Self.derivedKey(3) : Bytes32(), lastCommandId: highest[3])
        pump = SecurePump(staticPrivateKey: SecureFixtures.pumpStatic, pairingSecret: SecureFixtures.pairingSecret,
                          pairingWindowOpen: option & 4 != 0, sessionCount: sessionCount, patientBolusLimits: limits,
                          slots: slots, provider: provider)
    }

    /// A key the harness can use as private and public key alike (the stand-in X25519); never low order.
    static func derivedKey(_ seed: UInt8) -> Bytes32 {
        var key = Bytes32()
        for i in 0..<Bytes32.count { key[i] = UInt8(truncatingIfNeeded: Int(seed) &* 37 &+ i &* 11 &+ 1) }
        return key
    }

    mutating func play() {
        var steps = 0
        while !source.isEmpty && steps < Self.maxSteps {
            step()
            steps += 1
        }
    }

    // MARK: - Steps

    /// One step: an op byte; bits 0-2 move the clock, bits 3-6 pick the frame, bit 7 damages an
    /// honest device's frames after sealing.
    mutating func step() {
        let op = source.u8()
        switch op & 7 {
        case 0: break
        case 1: now &+= UInt32(source.u8())
        case 2: now &+= UInt32(source.u8()) * 60
        case 3: now &+= 599 + UInt32(source.u8() % 3)  // around the idle limit (PW-SEC-19)
        case 4: now &-= UInt32(source.u8())  // the clock set back
        case 5:  // across midnight: just before or after the next one
            let next = (now / 86_400 &+ 1) &* 86_400
            now = next &+ UInt32(bitPattern: Int32(Int8(bitPattern: source.u8())))
        case 6: now &+= UInt32(source.u8()) * 3_600
        default: now = source.u32()
        }
        // PW-UNIT-1: 0xffffffff is no clock value (a pump at it writes records no reader accepts).
        if now == 0xFFFF_FFFF { now = 0xFFFF_FFFE }
        let damage = op & 0x80 != 0
        switch op >> 3 & 15 {
        case 0: rawFrame()
        case 1:
            if history.isEmpty { rawFrame() } else { _ = deliver(history[Int(source.u8()) % history.count], plaintext: nil) }
        case 2, 3: sessionHandshake(damage: damage)
        case 4: pairingRequest(damage: damage)
        case 5: pairingFinish(damage: damage)
        default: sealedRequest(damage: damage)
        }
    }

    mutating func rawFrame() {
        var frame = source.take(Int(source.u8()))
        if fixCRC { Frame.setCRC(in: &frame) }
        _ = deliver(frame, plaintext: nil)
    }

    mutating func nextSequence() -> UInt16 {
        sequence &+= 1
        return sequence
    }

    /// An unsealed frame of `type` carrying `payload`.
    func plainFrame(type: UInt8, sequence: UInt16, payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = [0xA5, 0xC3, 0x01, type, 0, UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8),
                              UInt8(truncatingIfNeeded: payload.count), UInt8(truncatingIfNeeded: payload.count >> 8)] + payload + [0, 0]
        Frame.setCRC(in: &frame)
        return frame
    }

    /// Damage after sealing: a flipped bit (the CRC set right or not), a dropped, reordered or
    /// duplicated frame.
    mutating func damage(_ frames: inout [[UInt8]]) {
        let how = source.u8()
        let where_ = Int(source.u16())
        guard !frames.isEmpty else { return }
        switch how & 3 {
        case 0:
            let total = frames.reduce(0) { $0 + $1.count }
            guard total > 0 else { return }
            var position = where_ % total
            var index = 0
            while position >= frames[index].count { position -= frames[index].count; index += 1 }
            frames[index][position] ^= 1 << (how >> 2 & 7)
            if how & 0x20 != 0 { Frame.setCRC(in: &frames[index]) }
        case 1: frames.remove(at: where_ % frames.count)
        case 2: frames.reverse()
        default: frames.append(frames[where_ % frames.count])
        }
    }

    // MARK: - The honest device

    /// A KK handshake from a slot with the slot's key (or a wrong one), read back by the device.
    mutating func sessionHandshake(damage damaged: Bool) {
        let choice = source.u8()
        let slot = choice & 3
        var key = pump.slots[Int(slot)].staticPublicKey  // public == private under the stand-in
        if choice & 4 != 0 { key[5] ^= 1 }
        let ephemeral = Self.derivedKey(0x40 | choice >> 3)
        let prologueResult = HandshakePrologue(pattern: .kk, slot: slot).withUnsafeBytes { raw in
            Result { () throws(PumpWireError) -> NoiseHandshakeState<Provider> in
                try .kk(role: .initiator, prologue: raw, localStaticPrivateKey: key, remoteStaticPublicKey: SecureFixtures.pumpStatic,
                        ephemeralPrivateKey: ephemeral, provider: provider)
            }
        }
        guard var handshake = try? prologueResult.get(), let message = try? handshake.write([]).get() else { return }
        let sequence = nextSequence()
        var frames = [plainFrame(type: 0x10, sequence: sequence, payload: [NoisePattern.kk.rawValue, slot] + message)]
        if damaged { damage(&frames) }
        for frame in frames {
            let expectedEpoch = UInt8(truncatingIfNeeded: pump.sessionCount &+ 1)
            let delivered = deliver(frame, plaintext: nil)
            var handshake = handshake
            guard let info = readResponse(delivered.answer, sequence: sequence, handshake: &handshake) else { continue }
            // Section 5: the session info is the slot's, the next epoch, the slot's kept last command id (PW-SEC-18).
            invariant(info.slot == slot && info.epoch == expectedEpoch, "session info \(info) for slot \(slot), epoch \(expectedEpoch)")
            invariant(info.lastCommandId == highest[Int(slot)], "session info says last command id \(info.lastCommandId), \(highest[Int(slot)]) was executed")
            guard let channel = try? SealedChannel(handshake: handshake, sessionEpoch: info.epoch) else { fatalError("a complete KK does not split") }
            invariant(delivered.startedSession, "a handshakeResponse the device accepts, and no sessionStarted")
            establish(Device(id: nextDeviceId, slot: slot, channel: channel, lastCommandId: info.lastCommandId))
        }
    }

    /// The session info of a `handshakeResponse` the device reads, or nil when it does not read.
    func readResponse(_ answer: [UInt8], sequence: UInt16, handshake: inout NoiseHandshakeState<Provider>) -> (slot: UInt8, epoch: UInt8, lastCommandId: UInt32)? {
        guard answer.count > 11, answer[3] == 0x90, answer[4] == 0, UInt16(answer[5]) | UInt16(answer[6]) << 8 == sequence else { return nil }
        guard let payload = try? handshake.read(Array(answer[9..<(answer.count - 2)])).get(), payload.count == 6 else { return nil }
        return (payload[0], payload[1], UInt32(payload[2]) | UInt32(payload[3]) << 8 | UInt32(payload[4]) << 16 | UInt32(payload[5]) << 24)
    }

    mutating func establish(_ new: Device) {
        nextDeviceId += 1
        device = new
        let channel = new.channel
        tracked = .known(shadow: SealedChannel(
            sending: SealedDirection(key: channel.receiving.key, sessionEpoch: channel.receiving.sessionEpoch),
            receiving: SealedDirection(key: channel.sending.key, sessionEpoch: channel.sending.sessionEpoch), provider: provider),
            deviceId: new.id)
    }

    /// A programmer's XXpsk3 message 1 (the right pairing secret or not), and message 2 read.
    mutating func pairingRequest(damage damaged: Bool) {
        let choice = source.u8()
        let key = Self.derivedKey(0x80 | choice & 0x3F)
        var secret = SecureFixtures.pairingSecret
        if choice & 0x40 != 0 { secret[0] ^= 1 }
        let result = HandshakePrologue(pattern: .xxpsk3, slot: 0).withUnsafeBytes { raw in
            Result { () throws(PumpWireError) -> NoiseHandshakeState<Provider> in
                try .xxpsk3(role: .initiator, prologue: raw, localStaticPrivateKey: key, presharedKey: secret,
                            ephemeralPrivateKey: Self.derivedKey(0xC0 | choice >> 6), provider: provider)
            }
        }
        guard var handshake = try? result.get(), let message = try? handshake.write([]).get() else { return }
        let sequence = nextSequence()
        var frames = [plainFrame(type: 0x10, sequence: sequence, payload: [NoisePattern.xxpsk3.rawValue, 0] + message)]
        if damaged { damage(&frames) }
        for frame in frames {
            let lowest = (0..<4).first { pump.slots[$0].isEmpty }
            let expectedEpoch = UInt8(truncatingIfNeeded: pump.sessionCount &+ 1)
            let windowOpen = pump.pairingWindowOpen
            let delivered = deliver(frame, plaintext: nil)
            if delivered.answer.count > 3 && delivered.answer[3] == 0x90 {
                invariant(windowOpen && lowest != nil, "a pairing answered with the window closed or no empty slot (PW-SEC-6)")
            }
            var reader = handshake
            guard let info = readResponse(delivered.answer, sequence: sequence, handshake: &reader) else { continue }
            invariant(info.slot == UInt8(lowest ?? 9) && info.epoch == expectedEpoch, "pairing info \(info): lowest empty slot \(String(describing: lowest))")
            invariant(info.lastCommandId == highest[Int(info.slot)], "pairing info says last command id \(info.lastCommandId), \(highest[Int(info.slot)]) was executed")
            pairing = (reader, info.slot, info.epoch, info.lastCommandId, key)
        }
    }

    /// The programmer's message 3, after its pairing request was answered.
    mutating func pairingFinish(damage damaged: Bool) {
        guard var started = pairing else {
            _ = deliver(plainFrame(type: 0x11, sequence: nextSequence(), payload: source.take(64)), plaintext: nil)
            return
        }
        pairing = nil
        guard let message = try? started.handshake.write([]).get(),
              let channel = try? SealedChannel(handshake: started.handshake, sessionEpoch: started.epoch) else { return }
        var frames = [plainFrame(type: 0x11, sequence: nextSequence(), payload: message)]
        if damaged { damage(&frames) }
        for frame in frames {
            let delivered = deliver(frame, plaintext: nil)
            guard delivered.startedSession, frame == frames.first, !damaged else { continue }
            var new = Device(id: nextDeviceId, slot: started.slot, channel: channel, lastCommandId: started.lastCommandId)
            var buffer = [UInt8](repeating: 0, count: delivered.answer.count)
            let opened = delivered.answer.withUnsafeBytes { sealed in
                buffer.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) -> FrameView in try new.channel.open(sealed, into: raw) } }
            }
            // With every tag accepted the pump may have finished another pairing (a replayed request):
            // then its session is not the device's, and stays unknown.
            guard (try? opened.get()) != nil else {
                invariant(provider.acceptsEveryTag, "the pairing's acknowledgement does not open in the new session: \(opened)")
                continue
            }
            // PW-SEC-6: the slot is the programmer's (the acknowledgement opened: it was this pairing).
            invariant(pump.slots[Int(started.slot)].role == .clinician && pump.slots[Int(started.slot)].staticPublicKey == started.key,
                      "the paired slot does not hold the programmer's key as clinician")
            establish(new)
        }
    }

    /// A sealed request of the device's session (or of no session), honest or not in its command id.
    mutating func sealedRequest(damage damaged: Bool) {
        let kind = source.u8()
        let idMode = source.u8()
        var current = device ?? Device(id: -1, slot: 0, channel: SealedChannel(
            sending: SealedDirection(key: Bytes32(), sessionEpoch: 1), receiving: SealedDirection(key: Bytes32(), sessionEpoch: 1),
            provider: provider), lastCommandId: 0)
        var commandId: UInt32
        switch idMode & 7 {
        case 0...3: commandId = current.lastCommandId &+ 1
        case 4: commandId = current.lastCommandId  // a retransmission
        case 5: commandId = current.lastCommandId &+ 1 &+ UInt32(source.u8())
        case 6: commandId = source.u32()
        default: commandId = current.lastCommandId &- 1
        }
        let id = (0..<4).map { UInt8(truncatingIfNeeded: commandId >> (8 * $0)) }
        var type: UInt8
        var payload: [UInt8]
        switch kind % 12 {
        case 0: (type, payload) = (0x01, [])
        case 1, 2, 3, 4:
            type = 0x02 + (kind % 12 - 1)
            let choices = therapyPayloads[type]!
            let body = choices[Int(kind >> 4) % choices.count]
            payload = type == 0x05 ? body : id + body  // memoryDumpRequest carries no command id
        case 5, 6, 7:
            type = 0x06
            let dose = UInt32(source.u8()) &* 10_000 &+ UInt32(source.u8())
            payload = id + le(dose) + le(now)
        case 8:
            type = 0x12
            let choice = source.u8()
            let key = choice & 0x80 != 0 ? Bytes32() : Self.derivedKey(0x20 | choice & 0x1F)
            payload = id + [choice >> 5 & 3, 1 + (choice & 0x10 != 0 ? 1 : 0)] + key.withUnsafeBytes { Array($0) }
        case 9: (type, payload) = (0x13, id + [source.u8() & 3])
        case 10: (type, payload) = (0x14, [])
        default:
            // Any type and plaintext, honestly sealed: reaches the decoders behind the tag.
            type = source.u8()
            payload = source.take(Int(source.u8()) + Int(source.u8() & 1) * 64)
        }
        if idMode & 7 <= 3 || idMode & 7 == 5 { current.lastCommandId = max(current.lastCommandId, commandId) }
        let sequence = nextSequence()
        var frames = seal(&current.channel, type: type, sequence: sequence, payload: payload)
        if current.id >= 0 { device = current }
        if damaged { damage(&frames) }
        for frame in frames {
            _ = deliver(frame, plaintext: damaged ? nil : payload)
        }
    }

    func le(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    /// The frames of `payload` sealed as PW-SEC-9 says: one frame, or above 240 bytes its
    /// fragments, each laid out with the AUTHENTICATED flag and sealed in place at its own counter.
    func seal(_ channel: inout SealedChannel<Provider>, type: UInt8, sequence: UInt16, payload: [UInt8]) -> [[UInt8]] {
        var pieces: [(flags: UInt8, payload: [UInt8])] = []
        if payload.count <= WireLimits.maxFramePayload {
            pieces = [(0x02, payload)]
        } else {
            guard payload.count <= WireLimits.maxMessagePayload else { return [] }
            let count = FragmentHeader.fragmentCount(forPayloadLength: payload.count)
            for index in 0..<count {
                let header = FragmentHeader(index: UInt8(index), count: UInt8(count), totalLength: UInt16(payload.count))
                let data = payload[header.dataOffset..<(header.dataOffset + header.expectedDataLength)]
                pieces.append((0x03, [header.index, header.count, UInt8(truncatingIfNeeded: header.totalLength),
                                      UInt8(truncatingIfNeeded: header.totalLength >> 8)] + data))
            }
        }
        var frames: [[UInt8]] = []
        for piece in pieces {
            var frame: [UInt8] = [0xA5, 0xC3, 0x01, type, piece.flags, UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8),
                                  UInt8(truncatingIfNeeded: piece.payload.count), UInt8(truncatingIfNeeded: piece.payload.count >> 8)]
            frame += piece.payload + [UInt8](repeating: 0, count: WireLimits.authenticationBlockSize) + [0, 0]
            Frame.setCRC(in: &frame)
            let sealed = frame.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) -> Int in try channel.seal(frameIn: raw) } }
            guard (try? sealed.get()) != nil else { return frames }
            frames.append(frame)
        }
        return frames
    }
}
