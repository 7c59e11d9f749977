import CPumpWire
import PumpWireCore

// The secure pump of spec/security.md PW-SEC-21 (`pw_secure_pump` of pumpwire.h), in the caller's
// struct, over the caller's `pw_crypto_provider` table.

typealias CSecurePump = SecurePump<CCryptoProvider>

private func withPump<R>(
    _ storage: UnsafeMutablePointer<pw_secure_pump>?, _ body: (UnsafeMutablePointer<CSecurePump>) throws(PumpWireError) -> R
) throws(PumpWireError) -> R {
    let result = try CStateStorage.withState(try required(storage), as: CSecurePump.self, body)
    guard let result else { throw PumpWireError(.bufferTooSmall, at: 0) }
    return result
}

/// The four C slots as the core's, checking roles (FIELD_OUT_OF_RANGE at the slot's index).
func coreSlots(_ slots: UnsafePointer<pw_pump_slot>) throws(PumpWireError) -> InlineArray<4, CSecurePump.Slot> {
    var pumpSlots = InlineArray<4, CSecurePump.Slot>(repeating: .init())
    for i in 0..<4 {
        let slot = slots[i]
        guard slot.role <= 2 else { throw PumpWireError(.fieldOutOfRange, at: i) }
        let publicKey = withUnsafeBytes(of: slot.static_public) { (raw) in Bytes32(copying: raw) } ?? Bytes32()
        pumpSlots[i] = .init(role: DeviceRole(rawValue: slot.role), staticPublicKey: publicKey, lastCommandId: slot.last_command_id)
    }
    return pumpSlots
}

private func coreLimits(_ limits: UnsafePointer<pw_patient_bolus_limits>?) -> CSecurePump.PatientBolusLimits? {
    limits.map {
        CSecurePump.PatientBolusLimits(
            doseNanograms: $0.pointee.dose_nanograms, lockoutMinutes: $0.pointee.lockout_minutes, maxPerDay: $0.pointee.max_per_day)
    }
}

@_cdecl("pw_secure_pump_init")
public func pw_secure_pump_init(
    _ storage: UnsafeMutablePointer<pw_secure_pump>?, _ table: UnsafePointer<pw_crypto_provider>?,
    _ staticPrivate: UnsafePointer<UInt8>?, _ pairingSecret: UnsafePointer<UInt8>?, _ pairingWindowOpen: Bool,
    _ sessionCount: UInt32, _ limits: UnsafePointer<pw_patient_bolus_limits>?, _ slots: UnsafePointer<pw_pump_slot>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let storage = try required(storage)
        try PumpWireError.check(CStateStorage.fits(CSecurePump.self, in: pw_secure_pump.self), .bufferTooSmall, at: 0)
        let provider = try provider(table)
        guard let local = key(staticPrivate), let secret = key(pairingSecret), let slots else {
            throw PumpWireError(.bufferTooSmall, at: 0)
        }
        CStateStorage.initialize(storage, to: CSecurePump(
            staticPrivateKey: local, pairingSecret: secret, pairingWindowOpen: pairingWindowOpen, sessionCount: sessionCount,
            patientBolusLimits: coreLimits(limits), slots: try coreSlots(slots), provider: provider))
    }
}

@_cdecl("pw_secure_pump_persistent_state")
public func pw_secure_pump_persistent_state(
    _ storage: UnsafePointer<pw_secure_pump>?, _ state: UnsafeMutablePointer<pw_pump_persistent_state>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let out = try required(state)
        guard let storage, let pump = CStateStorage.readState(storage, as: CSecurePump.self) else {
            throw PumpWireError(.bufferTooSmall, at: 0)
        }
        let kept = pump.pointee.persistentState
        out.pointee = pw_pump_persistent_state()
        withUnsafeMutableBytes(of: &out.pointee.slots) { (raw) in
            let slots = raw.bindMemory(to: pw_pump_slot.self)
            for i in 0..<4 {
                slots[i].role = kept.slots[i].role?.rawValue ?? 0
                withUnsafeMutableBytes(of: &slots[i].static_public) { (key) in
                    kept.slots[i].staticPublicKey.withUnsafeBytes { (bytes) in key.copyMemory(from: bytes) }
                }
                slots[i].last_command_id = kept.slots[i].lastCommandId
            }
        }
        out.pointee.session_count = kept.sessionCount
        out.pointee.has_patient_bolus_start = kept.lastPatientBolusStart != nil
        out.pointee.last_patient_bolus_start = kept.lastPatientBolusStart ?? 0
        out.pointee.patient_bolus_day = kept.patientBolusDay
        out.pointee.patient_boluses_in_day = kept.patientBolusesInDay
    }
}

@_cdecl("pw_secure_pump_restore")
public func pw_secure_pump_restore(
    _ storage: UnsafeMutablePointer<pw_secure_pump>?, _ table: UnsafePointer<pw_crypto_provider>?,
    _ staticPrivate: UnsafePointer<UInt8>?, _ pairingSecret: UnsafePointer<UInt8>?, _ pairingWindowOpen: Bool,
    _ state: UnsafePointer<pw_pump_persistent_state>?, _ limits: UnsafePointer<pw_patient_bolus_limits>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let storage = try required(storage)
        try PumpWireError.check(CStateStorage.fits(CSecurePump.self, in: pw_secure_pump.self), .bufferTooSmall, at: 0)
        let provider = try provider(table)
        guard let local = key(staticPrivate), let secret = key(pairingSecret), let state else {
            throw PumpWireError(.bufferTooSmall, at: 0)
        }
        let slots = try withUnsafeBytes(of: state.pointee.slots) { (raw) throws(PumpWireError) in
            try coreSlots(raw.bindMemory(to: pw_pump_slot.self).baseAddress!)
        }
        let kept = CSecurePump.PersistentState(
            slots: slots, sessionCount: state.pointee.session_count,
            lastPatientBolusStart: state.pointee.has_patient_bolus_start ? state.pointee.last_patient_bolus_start : nil,
            patientBolusDay: state.pointee.patient_bolus_day, patientBolusesInDay: state.pointee.patient_boluses_in_day)
        CStateStorage.initialize(storage, to: CSecurePump(
            staticPrivateKey: local, pairingSecret: secret, pairingWindowOpen: pairingWindowOpen, restoring: kept,
            patientBolusLimits: coreLimits(limits), provider: provider))
    }
}

@_cdecl("pw_secure_pump_set_pairing_window")
public func pw_secure_pump_set_pairing_window(
    _ storage: UnsafeMutablePointer<pw_secure_pump>?, _ open: Bool, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try withPump(storage) { (pump) throws(PumpWireError) in pump.pointee.pairingWindowOpen = open }
    }
}

@_cdecl("pw_secure_pump_receive")
public func pw_secure_pump_receive(
    _ storage: UnsafeMutablePointer<pw_secure_pump>?, _ frame: UnsafePointer<UInt8>?, _ length: Int, _ now: UInt32,
    _ ephemeralPrivate: UnsafePointer<UInt8>?, _ answer: UnsafeMutablePointer<UInt8>?, _ answerCapacity: Int,
    _ work: UnsafeMutablePointer<UInt8>?, _ workCapacity: Int, _ step: UnsafeMutablePointer<pw_pump_step>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let step = try required(step)
        try PumpWireError.check(now != WireLimits.never, .fieldOutOfRange, at: 0)  // PW-UNIT-1: never is not a time
        // The caller's buffers: room for the pump's longest answer and a whole frame or message.
        try PumpWireError.check(answerCapacity >= Int(PW_SECURE_PUMP_ANSWER_CAPACITY), .bufferTooSmall, at: 0)
        try PumpWireError.check(workCapacity >= Int(PW_SECURE_PUMP_WORK_CAPACITY) && workCapacity >= length, .bufferTooSmall, at: 0)
        let input = inputBytes(frame, cLength(length))
        let out = outputBytes(answer, cLength(answerCapacity))
        let scratch = outputBytes(work, cLength(workCapacity))
        let result = try withPump(storage) { (pump) throws(PumpWireError) -> CSecurePump.Step in
            pump.pointee.receive(input, now: now, ephemeralPrivateKey: key(ephemeralPrivate), answer: out, work: scratch)
        }
        step.pointee = pw_pump_step()
        step.pointee.answer_length = result.answerLength
        if let therapy = result.therapy {
            step.pointee.has_therapy = true
            step.pointee.therapy_message_type = therapy.messageType
            step.pointee.therapy_sequence = therapy.sequence
            step.pointee.therapy_command_id = therapy.commandId
            step.pointee.therapy_length = therapy.payloadLength
        }
        step.pointee.record_count = UInt8(result.recordCount)
        withUnsafeMutableBytes(of: &step.pointee.records) { (records) in
            for index in 0..<result.recordCount {
                let slot = UnsafeMutableRawBufferPointer(rebasing: records[(index * LogRecord.size)..<((index + 1) * LogRecord.size)])
                try? result.records[index]?.encode(into: slot)
            }
        }
    }
}

@_cdecl("pw_secure_pump_erase")
public func pw_secure_pump_erase(_ storage: UnsafeMutablePointer<pw_secure_pump>?) {
    guard let storage else { return }
    wipe(storage)
}
