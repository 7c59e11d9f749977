import CPumpWire
import Foundation
import PumpWire
import PumpWireConformance
@testable import PumpWireC
import PumpWireCore
import Testing

// The pump engine of pumpwire.h (pw_pump) through its C declarations: the 12 pump scenarios of
// vectors/scenarios/ driven through the hooks of conformance.md 2.4.11 as the firmware testee
// drives them (Firmware/testee/testee.c), with the C provider table over SwiftCryptoProvider for the
// secure pump; and the errors the header promises.

/// A testee whose pump hooks are pw_pump_* calls; every other request goes to the reference testee.
/// A class: the pump keeps the provider table's address, so both live at fixed addresses.
final class CPumpTestee: Testee {
    private var reference = InProcessTestee()
    let pump = UnsafeMutablePointer<pw_pump>.allocate(capacity: 1)
    private let table = UnsafeMutablePointer<pw_crypto_provider>.allocate(capacity: 1)
    private var ready = false

    init() {
        pump.initialize(to: pw_pump())
        table.initialize(to: swiftCryptoTable())
    }

    deinit {
        pw_pump_erase(pump)
        pump.deallocate()
        table.deallocate()
    }

    var name: String { "pw_pump over the reference testee" }
    var capabilities: TesteeCapabilities { reference.capabilities }

    func close() {}
    func finish(after unframed: [UInt8]) -> String? { nil }

    func send(_ request: TesteeRequest) -> TesteeReply {
        .response(respond(to: request))
    }

    private func result(_ call: (UnsafeMutablePointer<UInt32>) -> UInt16, _ data: [UInt8] = []) -> TesteeResponse {
        var offset: UInt32 = 0
        let code = call(&offset)
        return code == 0 ? .ok(data) : .rejected(code: code, offset: offset)
    }

    private func respond(to request: TesteeRequest) -> TesteeResponse {
        switch request {
        case .pumpReset(let reset):
            var offset: UInt32 = 0
            let code: UInt16
            if let security = reset.security {
                var slots = [pw_pump_slot](repeating: pw_pump_slot(), count: 4)
                for (index, slot) in security.slots.prefix(4).enumerated() {
                    slots[index].role = slot.role
                    withUnsafeMutableBytes(of: &slots[index].static_public) { raw in raw.copyBytes(from: slot.staticPublic.prefix(32)) }
                    slots[index].last_command_id = slot.lastCommandId
                }
                code = pw_pump_reset_secure(pump, reset.clock, reset.batteryMillivolts, table, security.staticPrivate,
                                            security.pairingSecret, security.pairingWindowOpen, security.sessionCount, slots, &offset)
            } else {
                code = pw_pump_reset(pump, reset.clock, reset.batteryMillivolts, &offset)
            }
            ready = code == 0
            return code == 0 ? .ok([]) : .rejected(code: code, offset: offset)
        case .pumpFrame, .pumpAdvance, .pumpSetClock, .pumpSetBattery, .pumpRestart, .pumpObserve, .pumpReadMemory:
            guard ready else { return .runtimeError("a pump hook before PUMP_RESET") }
            return hook(request)
        default:
            return reference.send(request).response ?? .runtimeError("no response")
        }
    }

    private func hook(_ request: TesteeRequest) -> TesteeResponse {
        switch request {
        case .pumpFrame(let ephemeral, let frame):
            var answers: [[UInt8]] = []
            let code = withUnsafeMutablePointer(to: &answers) { (box) -> UInt16 in
                var offset: UInt32 = 0
                return pw_pump_receive(pump, frame, frame.count, ephemeral, { (context, bytes, length) in
                    let answers = context!.assumingMemoryBound(to: [[UInt8]].self)
                    answers.pointee.append(Array(UnsafeBufferPointer(start: bytes, count: length)))
                }, box, &offset)
            }
            guard code == 0 else { return .runtimeError("pw_pump_receive: \(code)") }
            return .ok([UInt8(answers.count)] + answers.flatMap { WireBytes.u16($0.count) + $0 })
        case .pumpAdvance(let seconds):
            return result { pw_pump_advance(pump, seconds, $0) }
        case .pumpSetClock(let time):
            return result { pw_pump_set_clock(pump, time, $0) }
        case .pumpSetBattery(let millivolts):
            guard millivolts <= 5000 else { return .rejected(code: 10, offset: 0) }
            return result { pw_pump_set_battery(pump, millivolts, $0) }
        case .pumpRestart:
            return result { pw_pump_restart(pump, $0) }
        case .pumpObserve:
            var state = [UInt8](repeating: 0, count: Int(PW_PUMP_OBSERVATION_SIZE))
            let code = result { pw_pump_observe(pump, &state, $0) }
            return code == .ok([]) ? .ok(state) : code
        case .pumpReadMemory(let region, let offset, let length):
            var bytes = [UInt8](repeating: 0, count: Int(min(length, 16_384)))
            let code = result { pw_pump_read_memory(pump, region, offset, length, &bytes, bytes.count, $0) }
            return code == .ok([]) ? .ok(bytes) : code
        default:
            return .runtimeError("not a pump hook")
        }
    }
}

extension TesteeReply {
    var response: TesteeResponse? {
        if case .response(let response) = self { return response }
        return nil
    }
}

@Suite("The pump engine of the C API (pw_pump)", .serialized)
struct PumpEngineCAPITests {
    @Test("pw_pump holds either state after its kind and check words; both are trivial, so a reset makes them in place")
    func layout() {
        #expect(pumpStateFits(PumpEngine.self))
        #expect(pumpStateFits(CSecurePumpEngine.self))
        #expect(_isPOD(PumpEngine.self) && _isPOD(CSecurePumpEngine.self))
        // pw_pump_observe writes the header's size: the core's observation must be exactly that.
        #expect(PumpObservation.size == Int(PW_PUMP_OBSERVATION_SIZE))
        // Room to spare on a 64-bit host, but not a kilobyte of waste.
        #expect(MemoryLayout<pw_pump>.size - 16 - MemoryLayout<CSecurePumpEngine>.size < 1024)
    }

    @Test("Every pump scenario of vectors/scenarios/ passes through pw_pump, the secure one included")
    func scenarios() {
        let pump = Corpus(vectors: corpus.vectors.filter { $0.kind == "pumpScenario" })
        #expect(pump.vectors.count == 12)
        var testee = CPumpTestee()
        let report = ConformanceRunner(corpus: pump, checksLibraryJSON: false).run(&testee)
        #expect(report.passed)
        #expect(report.count(.pass) == 12, "\(report.failures.map { "\($0.name): \($0.detail)" })")
    }

    @Test("A pump made by a reset answers as the core's engine made by its init")
    func resetInPlaceMatchesInit() throws {
        var storage = pw_pump()
        // Garbage first: a reset must not read what the struct held.
        withUnsafeMutableBytes(of: &storage) { raw in for i in raw.indices { raw[i] = UInt8(truncatingIfNeeded: i &* 151) } }
        var offset: UInt32 = 0
        #expect(pw_pump_reset(&storage, 847_612_800, 3100, &offset) == 0)
        var engine = PumpEngine(clock: 847_612_800, batteryMillivolts: 3100)
        var state = [UInt8](repeating: 0, count: 32)
        #expect(pw_pump_observe(&storage, &state, &offset) == 0)
        var expected = [UInt8](repeating: 0, count: 32)
        _ = try expected.withUnsafeMutableBytes { try engine.observation.encode(into: $0) }
        #expect(state == expected)
        // A day of ticks, then the whole memory, byte for byte.
        #expect(pw_pump_advance(&storage, 86_400, &offset) == 0)
        try engine.advance(seconds: 86_400)
        var memory = [UInt8](repeating: 0, count: 8960), reference = [UInt8](repeating: 0, count: 8960)
        #expect(pw_pump_read_memory(&storage, 4, 0, 8960, &memory, memory.count, &offset) == 0)
        try reference.withUnsafeMutableBytes { try engine.readMemory(region: .rawAddress, offset: 0, length: 8960, into: $0) }
        #expect(memory == reference)
    }

    @Test("Errors: an unprepared pump, PW_NEVER, a clock past its end, a region, bytes past it, a small buffer")
    func errors() {
        var storage = pw_pump()
        var offset: UInt32 = 99
        var state = [UInt8](repeating: 0, count: 32)
        // Zeroed: refused, never read (pumpwire.h).
        #expect(pw_pump_advance(&storage, 60, &offset) == 19 && offset == 0)
        #expect(pw_pump_observe(&storage, &state, &offset) == 19)
        #expect(pw_pump_receive(&storage, [0xA5], 1, nil, nil, nil, &offset) == 19)
        #expect(pw_pump_reset(nil, 0, 3100, &offset) == 19)
        #expect(pw_pump_reset(&storage, 0xFFFF_FFFF, 3100, &offset) == 10 && offset == 0)
        #expect(pw_pump_reset(&storage, 0xFFFF_FF00, 3100, &offset) == 0)
        #expect(pw_pump_advance(&storage, 0xFF, &offset) == 10 && offset == 0)  // past 0xfffffffe: nothing changed
        #expect(pw_pump_advance(&storage, 0xFE, &offset) == 0)
        #expect(pw_pump_set_clock(&storage, 0xFFFF_FFFF, &offset) == 10)
        #expect(pw_pump_set_clock(&storage, 1000, &offset) == 0)
        #expect(pw_pump_observe(&storage, nil, &offset) == 19)
        #expect(pw_pump_observe(&storage, &state, &offset) == 0)
        #expect(state[0..<4] == [0xE8, 0x03, 0, 0])  // clock 1000
        var bytes = [UInt8](repeating: 0, count: 64)
        #expect(pw_pump_read_memory(&storage, 0, 0, 1, &bytes, 64, &offset) == 10 && offset == 0)
        #expect(pw_pump_read_memory(&storage, 5, 0, 1, &bytes, 64, &offset) == 10 && offset == 0)
        #expect(pw_pump_read_memory(&storage, 2, 1260, 21, &bytes, 64, &offset) == 10 && offset == 5)
        #expect(pw_pump_read_memory(&storage, 2, 0, 1_048_576, &bytes, 64, &offset) == 10 && offset == 5)
        #expect(pw_pump_read_memory(&storage, 2, 1260, 20, &bytes, 19, &offset) == 19 && offset == 19)
        #expect(pw_pump_read_memory(&storage, 2, 1260, 20, &bytes, 20, &offset) == 0)
        // The clockChanged record of PW-PUMP-4 is the eventLog's first.
        #expect(pw_pump_read_memory(&storage, 1, 0, 20, &bytes, 20, &offset) == 0)
        #expect(bytes[0..<20].contains { $0 != 0xFF })
        // A secure reset refuses what pw_secure_pump_init refuses, and leaves the pump as it was.
        var table = swiftCryptoTable()
        let key = [UInt8](repeating: 7, count: 32)
        var slots = [pw_pump_slot](repeating: pw_pump_slot(), count: 4)
        slots[2].role = 3
        #expect(pw_pump_reset_secure(&storage, 0, 3100, &table, key, key, false, 0, slots, &offset) == 10 && offset == 2)
        #expect(pw_pump_reset_secure(&storage, 0, 3100, nil, key, key, false, 0, slots, &offset) == 19)
        #expect(pw_pump_reset_secure(&storage, 0, 3100, &table, nil, key, false, 0, slots, &offset) == 19)
        #expect(pw_pump_reset_secure(&storage, 0, 3100, &table, key, nil, false, 0, slots, &offset) == 19)
        #expect(pw_pump_reset_secure(&storage, 0, 3100, &table, key, key, false, 0, nil, &offset) == 19)
        #expect(pw_pump_observe(&storage, &state, &offset) == 0 && state[0..<4] == [0xE8, 0x03, 0, 0])
        slots[2].role = 0
        #expect(pw_pump_reset_secure(&storage, 0xFFFF_FFFF, 3100, &table, key, key, false, 0, slots, &offset) == 10)
        #expect(pw_pump_reset_secure(&storage, 5, 3100, &table, key, key, false, 0, slots, &offset) == 0)
        #expect(pw_pump_restart(&storage, &offset) == 0)
        #expect(pw_pump_observe(&storage, &state, &offset) == 0 && state[0..<4] == [5, 0, 0, 0] && state[8] == 0x80)  // pumpReset
        // A sealed frame to a plain pump is dropped unanswered (section 7); erased, the pump is refused.
        #expect(pw_pump_reset(&storage, 0, 3100, &offset) == 0)
        var frames = 0
        var sealed: [UInt8] = [0xA5, 0xC3, 0x01, 0x01, 0x02, 0x01, 0x00, 0x00, 0x00] + [UInt8](repeating: 0, count: 20)  // an empty block
        let crc = pw_crc16(sealed, sealed.count)
        sealed += [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8)]
        #expect(withUnsafeMutablePointer(to: &frames) { box in
            pw_pump_receive(&storage, sealed, sealed.count, nil, { context, _, _ in
                context!.assumingMemoryBound(to: Int.self).pointee += 1
            }, box, &offset)
        } == 0)
        #expect(frames == 0)
        pw_pump_erase(&storage)
        #expect(pw_pump_observe(&storage, &state, &offset) == 19)
    }
}

@Suite("BoundedArray.withElementsInPlace")
struct BoundedArrayInPlaceTests {
    @Test("lends exactly the stored elements, as withUnsafeBufferPointer does, and changes nothing")
    func lendsTheElements() throws {
        var steps = BoundedArray<48, DayProfileStep>()
        try steps.append(DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 400_000))
        try steps.append(DayProfileStep(startMinute: 360, doseRateNanogramsPerDay: 800_000))
        let before = steps
        let lent = steps.withElementsInPlace { Array($0) }
        #expect(lent == steps.withUnsafeBufferPointer { Array($0) })
        #expect(lent.map(\.startMinute) == [0, 360])
        #expect(steps == before)
        var empty = BoundedArray<8, PeriodicBolus>()
        #expect(empty.withElementsInPlace { $0.count } == 0)
    }
}

@Suite("PumpEngine.reset in place")
struct PumpEngineResetTests {
    @Test("reset(clock:batteryMillivolts:profile:) takes the profile's capacities; reset(clock:batteryMillivolts:) keeps them")
    func resetTakesTheProfile() throws {
        var engine = PumpEngine(clock: 0, batteryMillivolts: 3100)
        #expect(engine.memorySize(of: .eventLog) == 5120)
        var small = PumpProfile.conformance
        small.eventLogSlots = 4
        small.alarmLogSlots = 2
        small.therapyHistorySlots = 3
        engine.reset(clock: 600, batteryMillivolts: 2600, profile: small)
        #expect(engine.memorySize(of: .rawAddress) == 9 * 20)
        #expect(engine.clock == 600 && engine.batteryMillivolts == 2600 && engine.profile.eventLogSlots == 4)
        // Five clock changes in a ring of four slots: the fifth wraps to slot 0 (PW-PUMP-24).
        for time in UInt32(1)...5 { engine.setClock(1000 * time) }
        engine.reset(clock: 60, batteryMillivolts: 3100)
        #expect(engine.memorySize(of: .eventLog) == 80)
        var bytes = [UInt8](repeating: 0, count: 80)
        try bytes.withUnsafeMutableBytes { try engine.readMemory(region: .eventLog, offset: 0, length: 80, into: $0) }
        #expect(bytes.allSatisfy { $0 == 0xFF } && engine.observation.recordsWritten == 0)
    }
}
