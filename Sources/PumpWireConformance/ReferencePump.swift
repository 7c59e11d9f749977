import PumpWire
import PumpWireCore
import PumpWireSecurity

/// The reference pump behind the pump hooks (spec/conformance.md 2.4.11): the core's engine, alone
/// or behind the security layer (behaviour.md section 11), answering each hook. A class, as
/// `SecurePumpBox`: one testee serves one request at a time.
final class ReferencePump: @unchecked Sendable {
    var pump: HostPump<SwiftCryptoProvider>

    init(_ reset: PumpReset) {
        let engine = PumpEngine(clock: reset.clock, batteryMillivolts: reset.batteryMillivolts)
        guard let security = reset.security else {
            pump = .plain(engine)
            return
        }
        var slots = InlineArray<4, SecurePump<SwiftCryptoProvider>.Slot>(repeating: .init())
        for (index, slot) in security.slots.prefix(4).enumerated() where slot.role != 0 {
            slots[index] = .init(role: slot.role == 2 ? .patient : .clinician, staticPublicKey: ReferenceTestee.key(slot.staticPublic),
                                 lastCommandId: slot.lastCommandId)
        }
        let secure = SecurePump(staticPrivateKey: ReferenceTestee.key(security.staticPrivate), pairingSecret: ReferenceTestee.key(security.pairingSecret),
                                pairingWindowOpen: security.pairingWindowOpen, sessionCount: security.sessionCount,
                                patientBolusLimits: nil, slots: slots, provider: SwiftCryptoProvider())
        pump = .secure(SecurePumpEngine(engine: engine, pump: secure))
    }

    var engine: PumpEngine { pump.engine }

    func respond(to request: TesteeRequest) -> TesteeResponse {
        switch request {
        case .pumpFrame(let ephemeral, let frame):
            let answers = pump.receive(frame, ephemeralPrivateKey: ReferenceTestee.key(ephemeral))
            guard answers.count <= 255 else { return .runtimeError("answer too long: \(answers.count) frames") }
            return .ok([UInt8(answers.count)] + answers.flatMap { WireBytes.u16($0.count) + $0 })
        case .pumpAdvance(let seconds):
            let result = pump.withEngine { engine in Result { () throws(PumpWireError) in try engine.advance(seconds: seconds) } }
            if case .failure(let error) = result { return .rejected(error) }
            return .ok([])
        case .pumpSetClock(let time):
            guard time != WireLimits.never else { return .rejected(PumpWireError(.fieldOutOfRange, at: 0)) }
            pump.withEngine { $0.setClock(time) }
            return .ok([])
        case .pumpSetBattery(let millivolts):
            guard millivolts <= 5000 else { return .rejected(PumpWireError(.fieldOutOfRange, at: 0)) }
            pump.withEngine { $0.setBattery(millivolts: millivolts) }
            return .ok([])
        case .pumpRestart:
            pump.restart()
            return .ok([])
        case .pumpObserve:
            var bytes = [UInt8](repeating: 0, count: PumpObservation.size)
            let observation = engine.observation
            _ = bytes.withUnsafeMutableBytes { try? observation.encode(into: $0) }
            return .ok(bytes)
        case .pumpReadMemory(let code, let offset, let length):
            guard let region = MemoryRegion(rawValue: code) else { return .rejected(PumpWireError(.fieldOutOfRange, at: 0)) }
            guard length <= 1_048_576 else { return .rejected(PumpWireError(.fieldOutOfRange, at: 5)) }
            var bytes = [UInt8](repeating: 0, count: Int(length))
            let result = bytes.withUnsafeMutableBytes { raw in
                Result { () throws(PumpWireError) in try engine.readMemory(region: region, offset: offset, length: length, into: raw) }
            }
            if case .failure(let error) = result { return .rejected(error) }
            return .ok(bytes)
        default:
            return .runtimeError("not a pump hook")
        }
    }
}
