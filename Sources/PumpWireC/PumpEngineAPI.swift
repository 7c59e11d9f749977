import CPumpWire
import PumpWireCore

// The pump of spec/behaviour.md (`pw_pump` of pumpwire.h): the core's PumpEngine, alone or behind
// the security layer (SecurePumpEngine over the caller's `pw_crypto_provider` table), in the
// caller's struct, driven through the hooks of conformance.md 2.4.11.
//
// The struct holds a kind word (which of the two states follows), then, from byte 8, the check word
// and the state as CStateStorage lays them out. The state is some 11 KiB (the engine's log rings
// are 8,960 bytes) and more with the security layer, too much to build on a firmware stack: a reset
// zeroes the caller's struct and resets the engine in place (PumpEngine is a trivial type).

typealias CSecurePumpEngine = SecurePumpEngine<CCryptoProvider>

/// The kind word of `pw_pump`; anything else (a zeroed or erased struct) is no pump.
private enum CPumpKind {
    static let plain: UInt64 = 0x504D_5550_4E49_414C  // "LAINPUMP" little-endian: any constant will do
    static let secure: UInt64 = 0x504D_5545_5255_4345  // "ECUREUMP"
    /// The kind word comes before CStateStorage's check word and state.
    static let headerSize = 8
}

private enum CPumpState {
    case plain(UnsafeMutablePointer<PumpEngine>)
    case secure(UnsafeMutablePointer<CSecurePumpEngine>)
}

/// The part of `pw_pump` after the kind word, where CStateStorage keeps its check word and the state.
private func stateStorage(_ storage: UnsafeMutablePointer<pw_pump>) -> UnsafeMutablePointer<UInt64> {
    (UnsafeMutableRawPointer(storage) + CPumpKind.headerSize).assumingMemoryBound(to: UInt64.self)
}

/// Whether `State` fits in `pw_pump` after the kind word and the check word, and is trivial, so that
/// a reset can make it in place (a test checks both states on a 64-bit host, where they are largest;
/// layout_checks.c pins the struct's size). Checked before a reset writes anything.
func pumpStateFits<State>(_: State.Type) -> Bool {
    _isPOD(State.self) && CPumpKind.headerSize + CStateStorage.usedBytes(State.self) <= MemoryLayout<pw_pump>.size
        && MemoryLayout<State>.alignment <= CStateStorage.stateOffset
}

/// The pump in `storage`, for `body`: NULL, or a struct no reset prepared, is BUFFER_TOO_SMALL at 0.
/// With `writing` false nothing is written (the struct may be `const`, in flash).
private func withPump<R>(
    _ storage: UnsafeMutablePointer<pw_pump>?, writing: Bool, _ body: (CPumpState) throws(PumpWireError) -> R
) throws(PumpWireError) -> R {
    let storage = try required(storage)
    let tail = stateStorage(storage)
    let result: R?
    switch UnsafeRawPointer(storage).load(as: UInt64.self) {
    case CPumpKind.plain:
        result = try withState(tail, as: PumpEngine.self, writing: writing) { (engine) throws(PumpWireError) -> R in
            try body(.plain(engine))
        }
    case CPumpKind.secure:
        result = try withState(tail, as: CSecurePumpEngine.self, writing: writing) { (pump) throws(PumpWireError) -> R in
            try body(.secure(pump))
        }
    default:
        result = nil
    }
    guard let result else { throw PumpWireError(.bufferTooSmall, at: 0) }
    return result
}

private func withState<State, R>(
    _ tail: UnsafeMutablePointer<UInt64>, as _: State.Type, writing: Bool,
    _ body: (UnsafeMutablePointer<State>) throws(PumpWireError) -> R
) throws(PumpWireError) -> R? {
    if writing { return try CStateStorage.withState(tail, as: State.self, body) }
    guard let state = CStateStorage.readState(UnsafePointer(tail), as: State.self) else { return nil }
    return try body(UnsafeMutablePointer(mutating: state))  // only read
}

/// The engine, the plain pump's or the secure pump's, by address (a stored property: no copy).
private func withEngine<R>(
    _ storage: UnsafeMutablePointer<pw_pump>?, writing: Bool, _ body: (UnsafeMutablePointer<PumpEngine>) throws(PumpWireError) -> R
) throws(PumpWireError) -> R {
    try withPump(storage, writing: writing) { (state) throws(PumpWireError) -> R in
        switch state {
        case .plain(let engine):
            return try body(engine)
        case .secure(let pump):
            return try withUnsafeMutablePointer(to: &pump.pointee.engine) { (engine) throws(PumpWireError) -> R in try body(engine) }
        }
    }
}

/// Makes a pump of `kind` in `storage`: the whole struct wiped (a previous pump's keys and logs
/// with it), the state made in place by `body`, then the kind word. The caller has checked
/// `pumpStateFits(State.self)`, so the in-place preparation cannot be refused.
private func prepare<State>(
    _ storage: UnsafeMutablePointer<pw_pump>, kind: UInt64, as _: State.Type, _ body: (UnsafeMutablePointer<State>) -> Void
) {
    wipe(storage)
    _ = CStateStorage.initializeInPlace(stateStorage(storage), as: State.self, body)
    UnsafeMutableRawPointer(storage).storeBytes(of: kind, as: UInt64.self)
}

@_cdecl("pw_pump_reset")
public func pw_pump_reset(
    _ storage: UnsafeMutablePointer<pw_pump>?, _ clock: UInt32, _ batteryMillivolts: UInt16,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let storage = try required(storage)
        try PumpWireError.check(pumpStateFits(PumpEngine.self), .bufferTooSmall, at: 0)
        try PumpWireError.check(clock != WireLimits.never, .fieldOutOfRange, at: 0)  // PW-UNIT-1
        prepare(storage, kind: CPumpKind.plain, as: PumpEngine.self) { (engine) in
            engine.pointee.reset(clock: clock, batteryMillivolts: batteryMillivolts, profile: .conformance)
        }
    }
}

@_cdecl("pw_pump_reset_secure")
public func pw_pump_reset_secure(
    _ storage: UnsafeMutablePointer<pw_pump>?, _ clock: UInt32, _ batteryMillivolts: UInt16,
    _ table: UnsafePointer<pw_crypto_provider>?, _ staticPrivate: UnsafePointer<UInt8>?,
    _ pairingSecret: UnsafePointer<UInt8>?, _ pairingWindowOpen: Bool, _ sessionCount: UInt32,
    _ slots: UnsafePointer<pw_pump_slot>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let storage = try required(storage)
        try PumpWireError.check(pumpStateFits(CSecurePumpEngine.self), .bufferTooSmall, at: 0)
        let provider = try provider(table)
        guard let local = key(staticPrivate), let secret = key(pairingSecret), let slots else {
            throw PumpWireError(.bufferTooSmall, at: 0)
        }
        try PumpWireError.check(clock != WireLimits.never, .fieldOutOfRange, at: 0)  // PW-UNIT-1
        let pumpSlots = try coreSlots(slots)
        prepare(storage, kind: CPumpKind.secure, as: CSecurePumpEngine.self) { (pump) in
            // The patient bolus limits are the stored schedule's (PW-PUMP-19): none yet.
            pump.pointee.reset(
                clock: clock, batteryMillivolts: batteryMillivolts, profile: .conformance,
                pump: CSecurePump(
                    staticPrivateKey: local, pairingSecret: secret, pairingWindowOpen: pairingWindowOpen,
                    sessionCount: sessionCount, patientBolusLimits: nil, slots: pumpSlots, provider: provider))
        }
    }
}

@_cdecl("pw_pump_receive")
public func pw_pump_receive(
    _ storage: UnsafeMutablePointer<pw_pump>?, _ frame: UnsafePointer<UInt8>?, _ length: Int,
    _ ephemeralPrivate: UnsafePointer<UInt8>?, _ send: pw_pump_send_fn?, _ context: UnsafeMutableRawPointer?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let input = inputBytes(frame, cLength(length))
        try withPump(storage, writing: true) { (state) throws(PumpWireError) in
            // Each answer frame, as the engine lays it out on the stack, straight to the caller.
            func deliver(_ answer: UnsafeRawBufferPointer) {
                guard let send, let bytes = answer.baseAddress else { return }
                send(context, bytes.assumingMemoryBound(to: UInt8.self), answer.count)
            }
            switch state {
            case .plain(let engine):
                engine.pointee.receive(input, send: deliver)
            case .secure(let pump):
                pump.pointee.receive(input, ephemeralPrivateKey: key(ephemeralPrivate), send: deliver)
            }
        }
    }
}

@_cdecl("pw_pump_advance")
public func pw_pump_advance(
    _ storage: UnsafeMutablePointer<pw_pump>?, _ seconds: UInt32, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try withEngine(storage, writing: true) { (engine) throws(PumpWireError) in try engine.pointee.advance(seconds: seconds) }
    }
}

@_cdecl("pw_pump_set_clock")
public func pw_pump_set_clock(
    _ storage: UnsafeMutablePointer<pw_pump>?, _ time: UInt32, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try withEngine(storage, writing: true) { (engine) throws(PumpWireError) in
            try PumpWireError.check(time != WireLimits.never, .fieldOutOfRange, at: 0)  // PW-UNIT-1
            engine.pointee.setClock(time)
        }
    }
}

@_cdecl("pw_pump_set_battery")
public func pw_pump_set_battery(
    _ storage: UnsafeMutablePointer<pw_pump>?, _ millivolts: UInt16, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try withEngine(storage, writing: true) { (engine) throws(PumpWireError) in engine.pointee.setBattery(millivolts: millivolts) }
    }
}

@_cdecl("pw_pump_restart")
public func pw_pump_restart(_ storage: UnsafeMutablePointer<pw_pump>?, _ errorOffset: UnsafeMutablePointer<UInt32>?) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try withPump(storage, writing: true) { (state) throws(PumpWireError) in
            switch state {
            case .plain(let engine): engine.pointee.restart()
            case .secure(let pump): pump.pointee.restart()
            }
        }
    }
}

@_cdecl("pw_pump_observe")
public func pw_pump_observe(
    _ storage: UnsafePointer<pw_pump>?, _ out: UnsafeMutablePointer<UInt8>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let out = try required(out)
        try withEngine(try required(storage), writing: false) { (engine) throws(PumpWireError) in
            _ = try engine.pointee.observation.encode(into: UnsafeMutableRawBufferPointer(start: out, count: Int(PW_PUMP_OBSERVATION_SIZE)))
        }
    }
}

@_cdecl("pw_pump_read_memory")
public func pw_pump_read_memory(
    _ storage: UnsafePointer<pw_pump>?, _ region: UInt8, _ offset: UInt32, _ length: UInt32,
    _ out: UnsafeMutablePointer<UInt8>?, _ capacity: Int, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let buffer = outputBytes(out, cLength(capacity))
        try withEngine(try required(storage), writing: false) { (engine) throws(PumpWireError) in
            guard let region = MemoryRegion(rawValue: region) else { throw PumpWireError(.fieldOutOfRange, at: 0) }
            try engine.pointee.readMemoryInPlace(region: region, offset: offset, length: length, into: buffer)
        }
    }
}

extension PumpEngine {
    /// `readMemory` reached in place. Called on a pointer's `pointee`, a non-mutating method of the
    /// engine gets a copy of it, 11 KiB on the stack (the engine is a large loadable value, passed
    /// by address, and nothing says the pointer's memory stays unchanged during the call); an
    /// inout access passes the engine's own address. Nothing is written: the struct may be `const`.
    mutating func readMemoryInPlace(
        region: MemoryRegion, offset: UInt32, length: UInt32, into buffer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) {
        try readMemory(region: region, offset: offset, length: length, into: buffer)
    }
}

@_cdecl("pw_pump_erase")
public func pw_pump_erase(_ storage: UnsafeMutablePointer<pw_pump>?) {
    guard let storage else { return }
    wipe(storage)
}
