/// A pump with the security layer (spec/behaviour.md section 11, PW-PUMP-26): every frame goes
/// through `SecurePump` (security.md PW-SEC-21) first; a request that reaches its step 8 as therapy
/// is handled by the engine (section 7), whose answers the session seals. The layer's answers and
/// its records come first; a granted patient bolus starts after its acknowledgement; storing a
/// bolus schedule sets the patient bolus limits of PW-SEC-16.
public struct SecurePumpEngine<Provider: CryptoProvider> {
    /// The pump's therapy: drive its clock, battery and power here, and observe it.
    public var engine: PumpEngine
    public internal(set) var pump: SecurePump<Provider>
    /// `SecurePump`'s answer buffer: its longest answer is a pairing `handshakeResponse`, 113 bytes.
    var answer = InlineArray<128, UInt8>(repeating: 0)
    /// `SecurePump`'s work buffer: a whole frame, and a reassembled plaintext of up to 1024 bytes
    /// (section 5 of `pumpwire-v1.md`), so that every payload reaches the decoder whole.
    var work = InlineArray<1024, UInt8>(repeating: 0)

    public init(engine: PumpEngine, pump: SecurePump<Provider>) {
        self.engine = engine
        self.pump = pump
    }

    /// PUMP_RESET in place (`conformance.md` 2.4.11): the engine fresh from the factory
    /// (`PumpEngine.reset(clock:batteryMillivolts:profile:)`), `pump` as the security layer, and the
    /// layer's buffers zeroed (they may hold a previous session's plaintext). Nothing the size of
    /// the engine is built on the stack; `pump` is.
    public mutating func reset(clock: UInt32, batteryMillivolts: UInt16, profile: PumpProfile = .conformance, pump: SecurePump<Provider>) {
        engine.reset(clock: clock, batteryMillivolts: batteryMillivolts, profile: profile)
        self.pump = pump
        for index in 0..<answer.count { answer[index] = 0 }
        for index in 0..<work.count { work[index] = 0 }
    }

    /// One frame's bytes received at the engine's clock (PW-SEC-21, then section 7 for therapy).
    /// `ephemeralPrivateKey` fixes the key of a handshake message the pump writes (test hook);
    /// nil draws it from the provider. `send` is called with each frame the pump sends, in order.
    public mutating func receive(
        _ frame: UnsafeRawBufferPointer, ephemeralPrivateKey: Bytes32?, send: (UnsafeRawBufferPointer) -> Void
    ) {
        Self.receive(frame, ephemeralPrivateKey: ephemeralPrivateKey, engine: &engine, pump: &pump,
                     answer: &answer, work: &work, send: send)
    }

    /// A restart (PW-PUMP-22, PW-PUMP-26): the engine's, and the layer's own (PW-SEC-19): its session
    /// is gone, its persistent state (slots, command ids, session count, patient bolus history) kept.
    public mutating func restart() {
        engine.restart()
        pump.restart()
    }

    /// Over the parts one by one, each `inout`: the closures that seal the therapy's answers then
    /// reach the pump while the engine runs, without overlapping accesses to `self`.
    static func receive(
        _ frame: UnsafeRawBufferPointer, ephemeralPrivateKey: Bytes32?, engine: inout PumpEngine,
        pump: inout SecurePump<Provider>, answer: inout InlineArray<128, UInt8>, work: inout InlineArray<1024, UInt8>,
        send: (UnsafeRawBufferPointer) -> Void
    ) {
        let now = engine.clock
        var answerSpan = answer.mutableSpan
        var workSpan = work.mutableSpan
        answerSpan.withUnsafeMutableBytes { (answerBytes) in
            workSpan.withUnsafeMutableBytes { (workBytes) in
                let step = pump.receive(frame, now: now, ephemeralPrivateKey: ephemeralPrivateKey, answer: answerBytes, work: workBytes)
                // The layer's records first, in its order (PW-PUMP-26), then its own answer.
                for index in 0..<step.recordCount {
                    if let record = step.records[index] { engine.logEvent(record) }
                }
                if step.answerLength > 0 {
                    send(UnsafeRawBufferPointer(rebasing: answerBytes[0..<step.answerLength]))
                }
                if let therapy = step.therapy {
                    var sessionEnded: LogRecord?
                    let payload = UnsafeRawBufferPointer(rebasing: workBytes[0..<therapy.payloadLength])
                    engine.handle(
                        messageType: therapy.messageType, sequence: therapy.sequence, payload: payload,
                        payloadOffset: SecureRequest.carriesCommandId(therapy.messageType) ? 4 : 0,  // PW-SEC-13
                        sealed: true
                    ) { (answerFrame) in
                        let sealed = pump.sealAnswer(frameIn: answerFrame, now: now)
                        if sealed.length > 0 { send(UnsafeRawBufferPointer(rebasing: answerFrame[0..<sealed.length])) }
                        if let record = sealed.sessionEnded { sessionEnded = record }
                    }
                    if let record = sessionEnded { engine.logEvent(record) }
                    // PW-PUMP-19 step 2: the stored schedule's patient bolus is PW-SEC-16's limits.
                    if therapy.messageType == BolusSchedule.typeCode && engine.bolusScheduleStored {
                        pump.patientBolusLimits = engine.patientBolus.map { (bolus) in
                            SecurePump<Provider>.PatientBolusLimits(
                                doseNanograms: bolus.doseNanograms, lockoutMinutes: bolus.lockoutMinutes, maxPerDay: bolus.maxPerDay)
                        }
                    }
                }
                if let dose = step.patientBolusDose {
                    engine.startPatientBolus(doseNanograms: dose)  // PW-PUMP-26: after its acknowledgement
                }
            }
        }
    }
}
