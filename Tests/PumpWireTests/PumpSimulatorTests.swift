import PumpWire
import PumpWireCore
import PumpWireSecurity
import Testing

@Suite("The simulator: its link, its clock and its console (issue 17)")
struct PumpSimulatorTests {
    static let interrogation: [UInt8] = [0xa5, 0xc3, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa1, 0x3f]
    /// 2026-11-10 00:00:00 pump time (the spec's pumpStatus example, 9.2).
    static let midnight: UInt32 = 847_584_000

    func simulator(faults: SimulatorFaults = .none, speed: Double = 1, seed: UInt64 = 7) -> PumpSimulator<SwiftCryptoProvider> {
        PumpSimulator(pump: .plain(PumpEngine(clock: Self.midnight, batteryMillivolts: 3100)), faults: faults, speed: speed, seed: seed)
    }

    @Test("A frame that arrives in pieces is answered once it is whole, with the request's sequence")
    func piecesMakeAFrame() throws {
        var pump = simulator()
        pump.receive(Array(Self.interrogation[..<5]), at: 0)
        #expect(pump.takeOutput(at: 0).isEmpty)
        pump.receive(Array(Self.interrogation[5...]), at: 0)
        let answers = pump.takeOutput(at: 0)
        try #require(answers.count == 1)
        let frame = try Frame.decode(answers[0])
        guard case .message(.pumpStatus(let status)) = frame.content else { Issue.record("not a pumpStatus"); return }
        #expect(frame.sequence == 1)
        #expect(status.pumpClockTime == Self.midnight)
        #expect(status.reservoirVolumeMicrolitres == 0)
    }

    @Test("Noise before a frame and an impossible length are skipped, as a receiver resynchronises (4.3)")
    func accumulatorSkipsNoise() {
        var accumulator = FrameAccumulator()
        let noise: [UInt8] = [0x00, 0xa5, 0x17, 0xa5, 0xc3, 0x01, 0x01, 0x00, 0x01, 0x00, 0xff, 0x01]  // payloadLength 511
        var frames: [[UInt8]] = []
        for byte in noise + Self.interrogation + Self.interrogation { frames += accumulator.append([byte]) }
        #expect(frames == [Self.interrogation, Self.interrogation])
        #expect(accumulator.skippedBytes == noise.count)
        #expect(accumulator.pendingCount == 0)
    }

    @Test("A lost frame gets no answer; a duplicated one reaches the pump twice and each answer twice")
    func lossAndDuplication() {
        var lossy = simulator(faults: SimulatorFaults(lossRate: 1))
        lossy.receive(Self.interrogation, at: 0)
        #expect(lossy.takeOutput(at: 1).isEmpty)
        #expect(lossy.counters.lost == 1)

        var doubled = simulator(faults: SimulatorFaults(duplicationRate: 1))
        doubled.receive(Self.interrogation, at: 0)
        let answers = doubled.takeOutput(at: 1)
        #expect(answers.count == 4)  // two requests in, each answer duplicated out
        #expect(Set(answers).count == 1)
        #expect(doubled.counters.duplicated == 3)
    }

    @Test("A corrupted frame fails the pump's CRC check and is dropped unanswered (PW-ERR-2)")
    func corruption() {
        var pump = simulator(faults: SimulatorFaults(corruptionRate: 1))
        pump.receive(Self.interrogation, at: 0)
        #expect(pump.takeOutput(at: 1).isEmpty)
        #expect(pump.counters.corrupted == 1)
        #expect(pump.events.contains { $0.text.hasPrefix("the pump did not answer") })
    }

    @Test("A delayed answer leaves when its delay has passed, not before")
    func delay() {
        var pump = simulator(faults: SimulatorFaults(delayMilliseconds: 250...250))
        pump.receive(Self.interrogation, at: 10)
        #expect(pump.takeOutput(at: 10.2).isEmpty)  // the request itself is on the link for 250 ms
        #expect(pump.takeOutput(at: 10.3).isEmpty)  // the answer leaves at 10.25 and arrives at 10.5
        #expect(pump.takeOutput(at: 10.5).count == 1)
    }

    @Test("The same seed gives the same faults")
    func reproducible() {
        let faults = SimulatorFaults(lossRate: 0.3, corruptionRate: 0.2, duplicationRate: 0.3)
        func run() -> [[UInt8]] {
            var pump = simulator(faults: faults, seed: 42)
            var out: [[UInt8]] = []
            for index in 0..<40 {
                pump.receive(Self.interrogation, at: Double(index))
                out += pump.takeOutput(at: Double(index) + 0.5)
            }
            return out
        }
        let first = run()
        #expect(first == run())
        #expect(!first.isEmpty && first.count != 40)
    }

    @Test("Accelerated time moves the pump's clock by real time times the speed, in whole seconds; stepped time does not move")
    func speeds() {
        var fast = simulator(speed: 60)
        fast.run(until: 100)
        fast.run(until: 110.5)
        #expect(fast.clock == Self.midnight + 630)
        var stepped = simulator(speed: 0)
        stepped.run(until: 100)
        stepped.run(until: 10_000)
        #expect(stepped.clock == Self.midnight)
        stepped.advance(pumpSeconds: 3600)
        #expect(stepped.clock == Self.midnight + 3600)
    }

    @Test("A restart and a low battery reach the engine (PW-PUMP-17, PW-PUMP-16)")
    func pumpFaults() {
        var pump = simulator(speed: 0)
        pump.restart()
        #expect(pump.engine.observation.activeAlarms.contains(.pumpReset))
        pump.setBattery(millivolts: 2600)
        pump.advance(pumpSeconds: 60)
        #expect(pump.engine.observation.electiveReplacementIndicator)
    }

    @Test("Console commands read as the help says")
    func console() {
        #expect(SimulatorConsole.parse("advance 4h") == .advance(14_400))
        #expect(SimulatorConsole.parse("advance 90s") == .advance(90))
        #expect(SimulatorConsole.parse("advance 7d") == .advance(604_800))
        #expect(SimulatorConsole.parse("advance soon") == nil)
        #expect(SimulatorConsole.parse("battery 2650") == .battery(millivolts: 2650))
        #expect(SimulatorConsole.parse("battery 5001") == nil)
        #expect(SimulatorConsole.parse("power-loss") == .powerLoss)
        #expect(SimulatorConsole.parse("clock 2026-11-10T00:00:00") == .setClock(Self.midnight))
        #expect(SimulatorConsole.parse("speed 3600") == .speed(3600))
        #expect(SimulatorConsole.parse("speed -1") == nil)
        #expect(SimulatorConsole.parse("quit") == .quit)
        #expect(SimulatorConsole.parse("") == nil)
    }

    @Test("Pump clock and calendar agree both ways (PW-UNIT-1)")
    func clockText() {
        #expect(SimulatorConsole.clockText(Self.midnight) == "2026-11-10 00:00:00")
        #expect(SimulatorConsole.clockText(851_575_260) == "2026-12-26 04:41:00")  // 9.6's alarm time
        #expect(SimulatorConsole.clockText(0) == "2000-01-01 00:00:00")
        #expect(SimulatorConsole.pumpClock("2026-12-26T04:41:00") == 851_575_260)
        #expect(SimulatorConsole.pumpClock("2000-02-29T00:00:00") == 5_097_600)  // 59 days
        #expect(SimulatorConsole.pumpClock("2026-13-01T00:00:00") == nil)
    }

    @Test("A secure simulator: a KK session from a slot's device, a sealed interrogation answered sealed, an unsealed one refused (PW-SEC-2)")
    func secureSession() throws {
        let provider = SwiftCryptoProvider()
        let pumpIdentity = try TestIdentity.make(kind: .pump, name: "pump", seed: "simulator pump")
        let device = try TestIdentity.make(kind: .device, name: "clinician", role: .clinician, seed: "simulator clinician")
        var slots = InlineArray<4, SecurePump<SwiftCryptoProvider>.Slot>(repeating: .init())
        slots[0] = .init(role: .clinician, staticPublicKey: device.staticPublicKey)
        let pump = SecurePump(staticPrivateKey: pumpIdentity.staticPrivateKey, pairingSecret: pumpIdentity.pairingSecret!,
                              pairingWindowOpen: false, sessionCount: 0, patientBolusLimits: nil, slots: slots, provider: provider)
        var simulator = PumpSimulator(pump: .secure(SecurePumpEngine(engine: PumpEngine(clock: Self.midnight, batteryMillivolts: 3100), pump: pump)),
                                      speed: 0)

        simulator.receive(Self.interrogation, at: 0)
        let refused = try Frame.decode(try #require(simulator.takeOutput(at: 0).first))
        guard case .message(.negativeAcknowledgement(let nak)) = refused.content else { Issue.record("not a NAK"); return }
        #expect(nak.errorCode == .authenticationRequired)

        var (session, request) = try SecureSession.initiate(pattern: .kk, slot: 0, localStatic: device.staticPrivateKey,
                                                            remoteStatic: pumpIdentity.staticPublicKey, sequence: 2, provider: provider)
        simulator.receive(request, at: 1)
        _ = try session.receiveResponse(try #require(simulator.takeOutput(at: 1).first))
        #expect(session.isEstablished)
        for frame in try session.sealPayload([], type: 0x01, sequence: 3) { simulator.receive(frame, at: 2) }
        let answer = try #require(simulator.takeOutput(at: 2).first)
        #expect(answer[4] & FrameFlags.authenticated.rawValue != 0)
        guard case .message(.pumpStatus(let status)) = try session.open(answer).content else { Issue.record("not a pumpStatus"); return }
        #expect(status.pumpClockTime == Self.midnight)
    }
}
