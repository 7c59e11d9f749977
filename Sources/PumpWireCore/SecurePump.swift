/// The pump's side of the security layer (spec/security.md PW-SEC-21): slots and roles, pairing
/// and session handshakes as responder, the session's sealed channel, the role table, command ids,
/// patient bolus limits, enrollment, revocation, session end, and the log records each step makes.
/// No heap: the caller lends the buffers. What goes to therapy is handed back, not executed here.
public struct SecurePump<Provider: CryptoProvider> {
    /// A slot of the pump (security.md 4): empty, or a device's key and role. The last command id
    /// outlives revocation (PW-SEC-18).
    public struct Slot: Equatable, Sendable {
        public var role: DeviceRole?
        public var staticPublicKey: Bytes32
        public var lastCommandId: UInt32

        public init(role: DeviceRole? = nil, staticPublicKey: Bytes32 = Bytes32(), lastCommandId: UInt32 = 0) {
            self.role = role
            self.staticPublicKey = staticPublicKey
            self.lastCommandId = lastCommandId
        }

        public var isEmpty: Bool { role == nil }
    }

    /// The patient bolus of the stored bolus schedule (`pumpwire-v1.md` 9.4), PW-SEC-16's limits.
    public struct PatientBolusLimits: Equatable, Sendable {
        public var doseNanograms: UInt32
        public var lockoutMinutes: UInt16
        public var maxPerDay: UInt8

        public init(doseNanograms: UInt32, lockoutMinutes: UInt16, maxPerDay: UInt8) {
            self.doseNanograms = doseNanograms
            self.lockoutMinutes = lockoutMinutes
            self.maxPerDay = maxPerDay
        }
    }

    /// A request that passed every check and goes to the pump's therapy (PW-SEC-21 step 8); its
    /// message payload (after the `commandId`) is in the work buffer at 0..<payloadLength.
    public struct TherapyRequest: Equatable, Sendable {
        public var messageType: UInt8
        public var sequence: UInt16
        /// 0 for the types without one (PW-SEC-13).
        public var commandId: UInt32
        public var payloadLength: Int
    }

    /// What one frame made the pump do.
    public struct Step {
        /// The frame the pump sends, at the start of the answer buffer; 0 when it sends nothing.
        public var answerLength = 0
        public var therapy: TherapyRequest?
        /// The requested `doseNanograms` of a patient bolus granted in this step (PW-SEC-16), which
        /// the pump's therapy starts after the acknowledgement (behaviour.md PW-PUMP-7, PW-PUMP-26).
        public var patientBolusDose: UInt32?
        /// The log records written, in order (section 11).
        public private(set) var records = InlineArray<4, LogRecord?>(repeating: nil)
        public private(set) var recordCount = 0

        mutating func log(_ record: LogRecord) {
            guard recordCount < 4 else { return }  // at most three per frame (PW-SEC-21)
            records[recordCount] = record
            recordCount += 1
        }
    }

    struct Session {
        var slot: UInt8
        var sessionEpoch: UInt8
        var channel: SealedChannel<Provider>
        /// The later of the handshake's end and the last sealed frame accepted (PW-SEC-21 step 1).
        var lastActivity: UInt32
        var framesAccepted: UInt32
    }

    struct Pairing {
        var handshake: NoiseHandshakeState<Provider>
        var slot: UInt8
        var sessionEpoch: UInt8
    }

    /// Seconds without an accepted sealed frame after which a session ends (PW-SEC-19).
    public static var idleLimit: UInt32 { 600 }

    let provider: Provider
    var staticPrivateKey: Bytes32
    var pairingSecret: Bytes32
    public var pairingWindowOpen: Bool
    /// Sessions started so far, pairings included, kept across power loss (PW-SEC-8).
    public private(set) var sessionCount: UInt32
    public var patientBolusLimits: PatientBolusLimits?
    public private(set) var slots: InlineArray<4, Slot>
    var lastPatientBolusStart: UInt32?
    var patientBolusDay: UInt32 = 0
    var patientBolusesInDay: UInt8 = 0
    var session: Session?
    var pairing: Pairing?
    var reassembler = Reassembler()

    public init(
        staticPrivateKey: Bytes32, pairingSecret: Bytes32, pairingWindowOpen: Bool, sessionCount: UInt32,
        patientBolusLimits: PatientBolusLimits?, slots: InlineArray<4, Slot>, provider: Provider
    ) {
        self.staticPrivateKey = staticPrivateKey
        self.pairingSecret = pairingSecret
        self.pairingWindowOpen = pairingWindowOpen
        self.sessionCount = sessionCount
        self.patientBolusLimits = patientBolusLimits
        self.slots = slots
        self.provider = provider
    }

    /// The open session's slot, if any.
    public var sessionSlot: UInt8? { session?.slot }

    /// What a pump keeps across power loss (PW-SEC-8, PW-SEC-14, PW-SEC-16): slots with their last
    /// command ids, the session count, the patient bolus history. Keys of a session are not in it:
    /// a restart ends the session (PW-SEC-19).
    public struct PersistentState: Equatable, Sendable {
        public var slots: InlineArray<4, Slot>
        public var sessionCount: UInt32
        /// When the last patient bolus started, if one has.
        public var lastPatientBolusStart: UInt32?
        /// The pump-clock day (`now / 86400`) of `patientBolusesInDay`.
        public var patientBolusDay: UInt32
        public var patientBolusesInDay: UInt8

        public init(slots: InlineArray<4, Slot>, sessionCount: UInt32, lastPatientBolusStart: UInt32? = nil,
                    patientBolusDay: UInt32 = 0, patientBolusesInDay: UInt8 = 0) {
            self.slots = slots
            self.sessionCount = sessionCount
            self.lastPatientBolusStart = lastPatientBolusStart
            self.patientBolusDay = patientBolusDay
            self.patientBolusesInDay = patientBolusesInDay
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            for i in 0..<4 where lhs.slots[i] != rhs.slots[i] { return false }
            return lhs.sessionCount == rhs.sessionCount && lhs.lastPatientBolusStart == rhs.lastPatientBolusStart
                && lhs.patientBolusDay == rhs.patientBolusDay && lhs.patientBolusesInDay == rhs.patientBolusesInDay
        }
    }

    /// The state to write to non-volatile memory after each frame that changed it.
    public var persistentState: PersistentState {
        PersistentState(slots: slots, sessionCount: sessionCount, lastPatientBolusStart: lastPatientBolusStart,
                        patientBolusDay: patientBolusDay, patientBolusesInDay: patientBolusesInDay)
    }

    /// A pump after a restart: its kept state, no session, no pairing in progress (PW-SEC-19).
    public init(
        staticPrivateKey: Bytes32, pairingSecret: Bytes32, pairingWindowOpen: Bool, restoring state: PersistentState,
        patientBolusLimits: PatientBolusLimits?, provider: Provider
    ) {
        self.init(staticPrivateKey: staticPrivateKey, pairingSecret: pairingSecret, pairingWindowOpen: pairingWindowOpen,
                  sessionCount: state.sessionCount, patientBolusLimits: patientBolusLimits, slots: state.slots, provider: provider)
        lastPatientBolusStart = state.lastPatientBolusStart
        patientBolusDay = state.patientBolusDay
        patientBolusesInDay = state.patientBolusesInDay
    }

    /// Handles one received frame at pump clock `now` (PW-SEC-21; below 0xffffffff, else nothing). `ephemeralPrivateKey` fixes the
    /// key of a handshake message the pump writes (test vectors); nil draws it from the provider.
    /// `answer` receives the frame to send (313 + 35 bytes suffice); `work` (at least the frame's
    /// length and 313 bytes) is where the frame is opened and a therapy payload handed back.
    public mutating func receive(
        _ frame: UnsafeRawBufferPointer, now: UInt32, ephemeralPrivateKey: Bytes32? = nil,
        answer: UnsafeMutableRawBufferPointer, work: UnsafeMutableRawBufferPointer
    ) -> Step {
        var step = Step()
        // PW-UNIT-1: 0xffffffff is "never", not a time; a record made at it would be unreadable.
        guard now != WireLimits.never, let view = try? FrameView.decodeFrameLayer(frame, exactly: true) else {
            return step  // PW-ERR-2: a frame failing 4.2 steps 1 to 8 is dropped unanswered
        }
        endIdleSession(now: now, into: &step)  // step 1
        let request = Request(type: view.messageType, sequence: view.sequence)
        switch view.messageType {
        case HandshakeRequest.typeCode, HandshakeFinish.typeCode:  // step 2
            handshake(frame, view, request, now: now, ephemeralPrivateKey: ephemeralPrivateKey, answer: answer, into: &step)
        default:
            guard view.flags.contains(.authenticated) else {  // step 3 (PW-SEC-2)
                reject(request, .authenticationRequired, sealed: false, slot: SlotField.none, now: now, answer: answer, into: &step)
                return step
            }
            sealedRequest(frame, request, now: now, answer: answer, work: work, into: &step)
        }
        return step
    }

    struct Request {
        var type: UInt8
        var sequence: UInt16
    }

    // MARK: - Step 1: idle

    mutating func endIdleSession(now: UInt32, into step: inout Step) {
        guard let open = session, widen(now) >= widen(open.lastActivity) + widen(Self.idleLimit) else { return }
        endSession(.idle, now: now, into: &step)
    }

    mutating func endSession(_ reason: SessionEndReason, now: UInt32, into step: inout Step) {
        guard var open = session else { return }
        step.log(LogRecord(time: now, body: .sessionEnded(SessionEndedRecord(
            slot: open.slot, sessionEpoch: open.sessionEpoch, reason: reason, framesAccepted: open.framesAccepted))))
        open.channel.erase()  // PW-SEC-19: keys are erased
        session = nil
        reassembler = Reassembler()
    }

    // MARK: - Step 2: handshakes (sections 5 and 6)

    mutating func handshake(
        _ frame: UnsafeRawBufferPointer, _ view: FrameView, _ request: Request, now: UInt32,
        ephemeralPrivateKey: Bytes32?, answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        guard !view.flags.contains(.authenticated), !view.flags.contains(.fragment) else {
            // Logged with the session's slot when it came sealed in a session (section 11).
            let slot = view.flags.contains(.authenticated) ? session?.slot ?? SlotField.none : SlotField.none
            reject(request, .handshakeFailed, sealed: false, slot: slot, now: now, answer: answer, into: &step)
            return
        }
        let payload = view.payload(in: frame)
        if request.type == HandshakeRequest.typeCode {
            let message: HandshakeRequest
            do {
                message = try .decode(payload: payload, reportingOffset: FrameView.payloadOffset)
            } catch {
                reject(request, error.code, offset: error.offset, sealed: false, slot: SlotField.none, now: now, answer: answer, into: &step)
                return
            }
            if message.pattern == .xxpsk3 {
                startPairing(message, request, now: now, ephemeralPrivateKey: ephemeralPrivateKey, answer: answer, into: &step)
            } else {
                startSession(message, request, now: now, ephemeralPrivateKey: ephemeralPrivateKey, answer: answer, into: &step)
            }
        } else {
            let message: HandshakeFinish
            do {
                message = try .decode(payload: payload, reportingOffset: FrameView.payloadOffset)
            } catch {
                reject(request, error.code, offset: error.offset, sealed: false, slot: SlotField.none, now: now, answer: answer, into: &step)
                return
            }
            finishPairing(message, payload, request, now: now, answer: answer, into: &step)
        }
    }

    /// Static, over the slots borrowed: a getter on the pump copies the whole pump onto the stack.
    static func lowestEmptySlot(_ slots: borrowing InlineArray<4, Slot>) -> UInt8? {
        for i in 0..<4 where slots[i].role == nil { return UInt8(i) }
        return nil
    }

    var nextSessionEpoch: UInt8 { UInt8(truncatingIfNeeded: sessionCount &+ 1) }

    /// The 6-byte session info of message 2 (section 5).
    static func sessionInfo(_ slots: borrowing InlineArray<4, Slot>, slot: UInt8, sessionEpoch: UInt8) -> InlineArray<6, UInt8> {
        let last = slots[Int(slot)].lastCommandId
        return [slot, sessionEpoch, UInt8(truncatingIfNeeded: last), UInt8(truncatingIfNeeded: last &>> 8),
                UInt8(truncatingIfNeeded: last &>> 16), UInt8(truncatingIfNeeded: last &>> 24)]
    }

    mutating func startPairing(
        _ message: HandshakeRequest, _ request: Request, now: UInt32, ephemeralPrivateKey: Bytes32?,
        answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        guard pairingWindowOpen, let slot = Self.lowestEmptySlot(slots) else {  // PW-SEC-6
            reject(request, .notPermitted, sealed: false, slot: SlotField.none, now: now, answer: answer, into: &step)
            return
        }
        pairing = nil
        let epoch = nextSessionEpoch
        do {
            // Made in place in `pairing`: a handshake state held in locals as well costs its size
            // again on a pump's stack for each copy.
            pairing = Pairing(handshake: try message.prologue.withUnsafeBytes { (prologue) throws(PumpWireError) in
                try NoiseHandshakeState.xxpsk3(
                    role: .responder, prologue: prologue, localStaticPrivateKey: staticPrivateKey,
                    presharedKey: pairingSecret, ephemeralPrivateKey: ephemeralPrivateKey, provider: provider)
            }, slot: slot, sessionEpoch: epoch)
            step.answerLength = try respond(
                &pairing!.handshake, to: message, info: Self.sessionInfo(slots, slot: slot, sessionEpoch: epoch), request, answer: answer)
        } catch {
            pairing = nil
            handshakeFailed(error, request, slot: SlotField.none, now: now, answer: answer, into: &step)
        }
    }

    mutating func startSession(
        _ message: HandshakeRequest, _ request: Request, now: UInt32, ephemeralPrivateKey: Bytes32?,
        answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        let slot = slots[Int(message.slot)]
        guard !slot.isEmpty else {  // PW-SEC-7
            reject(request, .handshakeFailed, sealed: false, slot: message.slot, now: now, answer: answer, into: &step)
            return
        }
        pairing = nil
        do {
            var handshake = try message.prologue.withUnsafeBytes { (prologue) throws(PumpWireError) in
                try NoiseHandshakeState.kk(
                    role: .responder, prologue: prologue, localStaticPrivateKey: staticPrivateKey,
                    remoteStaticPublicKey: slot.staticPublicKey, ephemeralPrivateKey: ephemeralPrivateKey, provider: provider)
            }
            let epoch = nextSessionEpoch
            let length = try respond(&handshake, to: message, info: Self.sessionInfo(slots, slot: message.slot, sessionEpoch: epoch), request, answer: answer)
            try beginSession(handshake, slot: message.slot, sessionEpoch: epoch, now: now, into: &step)
            step.answerLength = length
        } catch {
            handshakeFailed(error, request, slot: message.slot, now: now, answer: answer, into: &step)
        }
    }

    /// Reads message 1 and writes message 2 in a `handshakeResponse` frame laid out straight in
    /// `answer` (no message value on the stack); returns its length.
    func respond(
        _ handshake: inout NoiseHandshakeState<Provider>, to message: HandshakeRequest,
        info: InlineArray<6, UInt8>, _ request: Request, answer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        var payload = InlineArray<16, UInt8>(repeating: 0)
        var payloadSpan = payload.mutableSpan
        try payloadSpan.withUnsafeMutableBytes { (raw) throws(PumpWireError) in
            try message.noiseMessage.withUnsafeBytes { (noise) throws(PumpWireError) in
                _ = try handshake.readMessage(noise, payloadInto: raw)
            }
        }
        let headerSize = WireLimits.headerSize
        try require(answer.count >= headerSize + HandshakeResponse.pairingSize + WireLimits.crcSize, .bufferTooSmall, at: answer.count)
        var infoCopy = info
        var infoSpan = infoCopy.mutableSpan
        let length = try infoSpan.withUnsafeMutableBytes { (info) throws(PumpWireError) -> Int in
            try handshake.writeMessage(
                payload: UnsafeRawBufferPointer(info),
                into: UnsafeMutableRawBufferPointer(rebasing: answer[headerSize..<(headerSize + HandshakeResponse.pairingSize)]))
        }
        return try Self.finishFrame(type: HandshakeResponse.typeCode, flags: .none, sequence: request.sequence, payloadLength: length, in: answer)
    }

    /// Writes the header before a payload already at `answer[9...]`, and the CRC after it (and an
    /// empty block for a frame to be sealed): the frame's length.
    static func finishFrame(
        type: UInt8, flags: FrameFlags, sequence: UInt16, payloadLength: Int, in answer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        let block = flags.contains(.authenticated) ? WireLimits.authenticationBlockSize : 0
        let end = WireLimits.headerSize + payloadLength + block
        try require(answer.count >= end + WireLimits.crcSize, .bufferTooSmall, at: answer.count)
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: answer[0..<WireLimits.headerSize]))
        try FrameEncoder.writeHeader(typeCode: type, flags: flags, sequence: sequence, to: &writer)
        answer[7] = UInt8(truncatingIfNeeded: payloadLength)
        answer[8] = UInt8(truncatingIfNeeded: payloadLength &>> 8)
        for i in (WireLimits.headerSize + payloadLength)..<end { answer[i] = 0 }
        let crc = CRC16.checksum(UnsafeRawBufferPointer(rebasing: answer[0..<end]))
        answer[end] = UInt8(truncatingIfNeeded: crc)
        answer[end + 1] = UInt8(truncatingIfNeeded: crc &>> 8)
        return end + WireLimits.crcSize
    }

    mutating func finishPairing(
        _ message: HandshakeFinish, _ payload: UnsafeRawBufferPointer, _ request: Request, now: UInt32,
        answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        guard var inProgress = pairing else {
            reject(request, .handshakeFailed, logging: .handshakeOutOfOrder, sealed: false, slot: SlotField.none, now: now, answer: answer, into: &step)
            return
        }
        pairing = nil  // the pairing in progress ends either way
        do throws(PumpWireError) {
            var scratch = InlineArray<64, UInt8>(repeating: 0)
            var span = scratch.mutableSpan
            try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) in
                try message.noiseMessage.withUnsafeBytes { (noise) throws(PumpWireError) in
                    _ = try inProgress.handshake.readMessage(noise, payloadInto: raw)
                }
            }
            guard let key = inProgress.handshake.remoteStaticPublicKey else { throw PumpWireError(.handshakeFailed, at: PumpWireError.noOffset) }
            let slot = inProgress.slot
            // PW-SEC-21: a slot is filled only when empty; the session may have enrolled into it meanwhile.
            guard slots[Int(slot)].role == nil else {
                reject(request, .handshakeFailed, logging: .notPermitted, sealed: false, slot: SlotField.none, now: now, answer: answer, into: &step)
                return
            }
            endSession(.replaced, now: now, into: &step)  // section 11: the previous session's end is logged first
            slots[Int(slot)].role = .clinician  // PW-SEC-5: pairing gives clinician
            slots[Int(slot)].staticPublicKey = key
            step.log(LogRecord(time: now, body: .devicePaired(DevicePairedRecord(device: DeviceSlotRecord(
                slot: slot, role: .clinician, keyDigest: keyDigest(key), bySlot: SlotField.none)))))
            try beginSession(inProgress.handshake, slot: slot, sessionEpoch: inProgress.sessionEpoch, now: now, into: &step)
            // PW-SEC-6: the sealed acknowledgement, the new session's first pump frame.
            acknowledge(request, HandshakeFinish.typeCode, digest: CRC32.checksum(payload), now: now, answer: answer, into: &step)
        } catch {
            handshakeFailed(error, request, slot: SlotField.none, now: now, answer: answer, into: &step)
        }
    }

    /// A completed handshake: the previous session ends, the count goes up, the new one starts.
    mutating func beginSession(
        _ handshake: borrowing NoiseHandshakeState<Provider>, slot: UInt8, sessionEpoch: UInt8, now: UInt32, into step: inout Step
    ) throws(PumpWireError) {
        let channel = try SealedChannel(handshake: handshake, sessionEpoch: sessionEpoch)
        endSession(.replaced, now: now, into: &step)
        sessionCount &+= 1
        session = Session(slot: slot, sessionEpoch: sessionEpoch, channel: channel, lastActivity: now, framesAccepted: 0)
        let hash = handshake.handshakeHash
        let prefix = UInt32(hash[0]) &<< 24 | UInt32(hash[1]) &<< 16 | UInt32(hash[2]) &<< 8 | UInt32(hash[3])
        step.log(LogRecord(time: now, body: .sessionStarted(SessionStartedRecord(
            slot: slot, sessionEpoch: sessionEpoch, pattern: handshake.pattern, handshakeHashPrefix: prefix))))
    }

    /// PW-SEC-7: the answer never says why; the log does.
    mutating func handshakeFailed(
        _ error: PumpWireError, _ request: Request, slot: UInt8, now: UInt32,
        answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        let logged: ErrorCode = error.code == .lowOrderKey ? .lowOrderKey : .handshakeFailed
        reject(request, .handshakeFailed, logging: logged, sealed: false, slot: slot, now: now, answer: answer, into: &step)
    }

    func keyDigest(_ key: Bytes32) -> UInt32 {
        key.withUnsafeBytes { (raw) in CRC32.checksum(raw) }
    }

    // MARK: - Steps 4 to 8: a sealed request

    mutating func sealedRequest(
        _ frame: UnsafeRawBufferPointer, _ request: Request, now: UInt32,
        answer: UnsafeMutableRawBufferPointer, work: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        guard session != nil else {  // step 4: nothing can open it
            drop(request, .staleSession, slot: SlotField.none, now: now, into: &step)
            return
        }
        guard work.count >= frame.count else { return }  // the caller's buffer (documented above)
        let opened = UnsafeMutableRawBufferPointer(rebasing: work[0..<frame.count])
        opened.copyMemory(from: frame)
        let view: FrameView
        do {
            view = try session!.channel.open(inPlace: opened)
        } catch {
            drop(request, error.code, slot: session!.slot, now: now, into: &step)  // PW-SEC-11
            return
        }
        session!.framesAccepted &+= 1
        session!.lastActivity = now
        let cleartext = UnsafeRawBufferPointer(opened)
        guard view.fragment != nil else {
            let plaintext = view.payload(in: cleartext)
            handle(request, plaintext: plaintext, reportingOffset: FrameView.payloadOffset, now: now, answer: answer, work: work, into: &step)
            return
        }
        // An opened fragment goes to reassembly (PW-SEC-21 step 4, PW-ERR-2).
        do {
            guard try reassembler.add(view, in: cleartext) == .complete else { return }
        } catch {
            reject(request, error.code, offset: error.offset, sealed: true, slot: session!.slot, now: now, answer: answer, into: &step)
            return
        }
        // The whole message into `work` (its frame is no longer needed), as a single frame's lies there.
        var length = 0
        try? reassembler.withCompletedPayload { (payload) throws(PumpWireError) in
            length = min(payload.count, work.count)
            UnsafeMutableRawBufferPointer(rebasing: work[0..<length]).copyMemory(from: UnsafeRawBufferPointer(rebasing: payload[0..<length]))
        }
        handle(request, plaintext: UnsafeRawBufferPointer(rebasing: work[0..<length]), reportingOffset: 0,
               now: now, answer: answer, work: work, into: &step)
    }

    /// Steps 5 to 8 on an opened request's plaintext.
    mutating func handle(
        _ request: Request, plaintext: UnsafeRawBufferPointer, reportingOffset: Int, now: UInt32,
        answer: UnsafeMutableRawBufferPointer, work: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        let slotIndex = session!.slot
        guard SecureRequest.isListed(request.type) else {  // step 5 (PW-ERR-3)
            reject(request, .unknownMessageType, offset: 3, sealed: true, slot: slotIndex, now: now, answer: answer, into: &step)
            return
        }
        let decoded: SecureRequest
        do {
            decoded = try SecureRequest.decode(type: request.type, plaintext: plaintext, reportingOffset: reportingOffset)
        } catch {
            reject(request, error.code, offset: error.offset, sealed: true, slot: slotIndex, now: now, answer: answer, into: &step)
            return
        }
        guard let role = slots[Int(slotIndex)].role, SecureRequest.isPermitted(request.type, for: role) else {  // step 6
            reject(request, .roleNotPermitted, sealed: true, slot: slotIndex, now: now, answer: answer, into: &step)
            return
        }
        if let commandId = decoded.commandId {  // step 7 (PW-SEC-14)
            guard commandId > slots[Int(slotIndex)].lastCommandId else {
                reject(request, .duplicateCommand, offset: 0, sealed: true, slot: slotIndex, now: now, answer: answer, into: &step)
                return
            }
            slots[Int(slotIndex)].lastCommandId = commandId
        }
        switch decoded {  // step 8
        case .patientBolus(let bolus):
            patientBolus(bolus, plaintext, request, now: now, answer: answer, into: &step)
        case .enrollment(let enrollment):
            enroll(enrollment, plaintext, request, now: now, answer: answer, into: &step)
        case .revocation(let revocation):
            revoke(revocation, plaintext, request, now: now, answer: answer, into: &step)
        case .sessionClose:
            acknowledge(request, SessionClose.typeCode, digest: CRC32.checksum(plaintext), now: now, answer: answer, into: &step)
            endSession(.closed, now: now, into: &step)
        case .therapy(let type, let commandId):
            let skip = commandId == 0 ? 0 : 4
            let length = plaintext.count - skip
            guard work.count >= length else { return }
            // The plaintext lies in `work` or in a copy: move it to the front, overlap allowed.
            UnsafeMutableRawBufferPointer(rebasing: work[0..<length])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: plaintext[skip...]))
            step.therapy = TherapyRequest(messageType: type, sequence: request.sequence, commandId: commandId, payloadLength: length)
        }
    }

    mutating func patientBolus(
        _ bolus: PatientBolusRequest, _ plaintext: UnsafeRawBufferPointer, _ request: Request, now: UInt32,
        answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        let slot = session!.slot
        guard let limits = patientBolusLimits else {  // PW-SEC-16 1.
            reject(request, .notPermitted, sealed: true, slot: slot, now: now, answer: answer, into: &step)
            return
        }
        guard bolus.doseNanograms <= limits.doseNanograms else {  // 2.
            reject(request, .patientBolusDoseExceeded, offset: 4, sealed: true, slot: slot, now: now, answer: answer, into: &step)
            return
        }
        let day = now / 86_400
        let startedToday = day == patientBolusDay ? patientBolusesInDay : 0
        guard startedToday < limits.maxPerDay else {  // 3.
            reject(request, .patientBolusCountExceeded, sealed: true, slot: slot, now: now, answer: answer, into: &step)
            return
        }
        if let last = lastPatientBolusStart, widen(now) < widen(last) + widen(limits.lockoutMinutes) * 60 {  // 4.
            reject(request, .patientBolusLockout, sealed: true, slot: slot, now: now, answer: answer, into: &step)
            return
        }
        lastPatientBolusStart = now
        patientBolusDay = day
        patientBolusesInDay = startedToday + 1
        step.patientBolusDose = bolus.doseNanograms  // granted: the therapy starts it (PW-PUMP-26)
        acknowledge(request, PatientBolusRequest.typeCode, digest: CRC32.checksum(plaintext), now: now, answer: answer, into: &step)
    }

    mutating func enroll(
        _ enrollment: DeviceEnrollment, _ plaintext: UnsafeRawBufferPointer, _ request: Request, now: UInt32,
        answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        let bySlot = session!.slot
        guard slots[Int(enrollment.slot)].isEmpty else {  // PW-SEC-17
            reject(request, .notPermitted, sealed: true, slot: bySlot, now: now, answer: answer, into: &step)
            return
        }
        let shared = provider.x25519(scalar: staticPrivateKey, point: enrollment.staticPublicKey)
        guard let shared, !shared.isZero else {  // PW-SEC-4
            reject(request, .lowOrderKey, offset: DeviceEnrollment.staticPublicKeyOffset, sealed: true, slot: bySlot, now: now, answer: answer, into: &step)
            return
        }
        slots[Int(enrollment.slot)].role = enrollment.role
        slots[Int(enrollment.slot)].staticPublicKey = enrollment.staticPublicKey
        step.log(LogRecord(time: now, body: .devicePaired(DevicePairedRecord(device: DeviceSlotRecord(
            slot: enrollment.slot, role: enrollment.role, keyDigest: keyDigest(enrollment.staticPublicKey), bySlot: bySlot)))))
        acknowledge(request, DeviceEnrollment.typeCode, digest: CRC32.checksum(plaintext), now: now, answer: answer, into: &step)
    }

    mutating func revoke(
        _ revocation: DeviceRevocation, _ plaintext: UnsafeRawBufferPointer, _ request: Request, now: UInt32,
        answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        let bySlot = session!.slot
        let target = Int(revocation.slot)
        guard let role = slots[target].role, revocation.slot != bySlot else {  // PW-SEC-18
            reject(request, .notPermitted, sealed: true, slot: bySlot, now: now, answer: answer, into: &step)
            return
        }
        step.log(LogRecord(time: now, body: .deviceUnpaired(DeviceUnpairedRecord(device: DeviceSlotRecord(
            slot: revocation.slot, role: role, keyDigest: keyDigest(slots[target].staticPublicKey), bySlot: bySlot)))))
        slots[target].role = nil  // PW-SEC-18: key and role erased, the last command id kept
        slots[target].staticPublicKey.erase()
        acknowledge(request, DeviceRevocation.typeCode, digest: CRC32.checksum(plaintext), now: now, answer: answer, into: &step)
    }

    // MARK: - The therapy's answers and restarts (behaviour.md section 11)

    /// What sealing a therapy answer did: the sealed frame's length (0 when nothing is to be sent),
    /// and the `sessionEnded` record to log when the session ended for it.
    public struct SealedAnswer {
        public var length: Int
        public var sessionEnded: LogRecord?
    }

    /// Seals in place, in the open session at the pump's next counter, an answer of the therapy to
    /// a request of step 8 (PW-SEC-21: "answered as `pumpwire-v1.md` says", sealed like every
    /// answer in a session): `frame` holds exactly one sound frame with the AUTHENTICATED flag and
    /// an empty block. Without a session nothing is sent; when sealing fails with
    /// COUNTER_EXHAUSTED the session ends (reason `counterExhausted`) and nothing is sent
    /// (PW-SEC-12, PW-SEC-21).
    public mutating func sealAnswer(frameIn frame: UnsafeMutableRawBufferPointer, now: UInt32) -> SealedAnswer {
        guard session != nil else { return SealedAnswer(length: 0, sessionEnded: nil) }
        do {
            let length = try session!.channel.seal(frameIn: frame)
            return SealedAnswer(length: length, sessionEnded: nil)
        } catch {
            guard error.code == .counterExhausted else { return SealedAnswer(length: 0, sessionEnded: nil) }
            var step = Step()
            endSession(.counterExhausted, now: now, into: &step)
            return SealedAnswer(length: 0, sessionEnded: step.records[0])
        }
    }

    /// A restart (behaviour.md PW-PUMP-22, PW-SEC-19): the session's keys, a pairing and a message
    /// in progress are lost, as RAM is; what `persistentState` holds, the pairing window and the
    /// patient bolus limits are kept. The same pump as `init(...restoring: persistentState...)`
    /// makes, without building a second one on the stack. Nothing is logged: section 11 has no
    /// reason for a session lost to a restart.
    public mutating func restart() {
        session?.channel.erase()
        session = nil
        pairing = nil
        reassembler.reset()
    }

    // MARK: - Answers and the log

    /// An `acknowledgement` (9.9) of `type` with `digest`, sealed in the session.
    mutating func acknowledge(
        _ request: Request, _ type: UInt8, digest: UInt32, now: UInt32, answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        answerWith(Acknowledgement.typeCode, sealed: true, request, now: now, answer: answer, into: &step) { (payload) in
            payload[0] = type
            for i in 0..<4 { payload[1 + i] = UInt8(truncatingIfNeeded: digest &>> UInt32(8 * i)) }
        }
    }

    /// Lays out a 5-byte answer (an acknowledgement or a refusal, 9.9 and 9.10) straight in
    /// `answer`, sealed at the pump's next counter when `sealed` (COUNTER_EXHAUSTED ends the
    /// session and nothing is sent, PW-SEC-12, PW-SEC-21). No message value goes on the stack.
    mutating func answerWith(
        _ type: UInt8, sealed: Bool, _ request: Request, now: UInt32, answer: UnsafeMutableRawBufferPointer,
        into step: inout Step, _ fill: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        step.answerLength = 0
        guard answer.count >= WireLimits.headerSize + 5 + WireLimits.authenticationBlockSize + WireLimits.crcSize else { return }
        guard !sealed || session != nil else { return }
        fill(UnsafeMutableRawBufferPointer(rebasing: answer[WireLimits.headerSize..<(WireLimits.headerSize + 5)]))
        do {
            let length = try Self.finishFrame(
                type: type, flags: sealed ? .authenticated : .none, sequence: request.sequence, payloadLength: 5, in: answer)
            if sealed { _ = try session!.channel.seal(frameIn: UnsafeMutableRawBufferPointer(rebasing: answer[0..<length])) }
            step.answerLength = length
        } catch {
            if error.code == .counterExhausted { endSession(.counterExhausted, now: now, into: &step) }
        }
    }

    /// Reject with `code` (PW-SEC-21): answer, sealed or not, and log `logging` (the code itself
    /// unless a handshake hides it).
    mutating func reject(
        _ request: Request, _ code: ErrorCode, offset: Int = PumpWireError.noOffset, logging: ErrorCode? = nil,
        sealed: Bool, slot: UInt8, now: UInt32, answer: UnsafeMutableRawBufferPointer, into step: inout Step
    ) {
        log(request, logging ?? code, slot: slot, now: now, into: &step)
        answerWith(NegativeAcknowledgement.typeCode, sealed: sealed, request, now: now, answer: answer, into: &step) { (payload) in
            payload[0] = request.type
            payload[1] = UInt8(truncatingIfNeeded: code.rawValue)
            payload[2] = UInt8(truncatingIfNeeded: code.rawValue &>> 8)
            let at = UInt16(truncatingIfNeeded: offset)
            payload[3] = UInt8(truncatingIfNeeded: at)
            payload[4] = UInt8(truncatingIfNeeded: at &>> 8)
        }
    }

    /// Drop with `code`: no answer, a log record (PW-SEC-11).
    mutating func drop(_ request: Request, _ code: ErrorCode, slot: UInt8, now: UInt32, into step: inout Step) {
        log(request, code, slot: slot, now: now, into: &step)
    }

    mutating func log(_ request: Request, _ code: ErrorCode, slot: UInt8, now: UInt32, into step: inout Step) {
        step.log(LogRecord(time: now, body: .securityRejection(SecurityRejectionRecord(
            slot: slot, messageType: request.type, errorCode: code, count: 1, sessionEpoch: session?.sessionEpoch ?? 0))))
    }
}
