import Benchmark
import PumpWire
import PumpWireCore

/// The pump's behaviour engine (spec/behaviour.md) on the host: simulated time per second of
/// wall clock. Each sample starts from a copy of a primed engine (one 9 KiB copy, outside no
/// loop that matters: a day is 1440 ticks), so every sample simulates the same therapy:
/// - the prescription of 9.3 of `pumpwire-v1.md` (morphine 2000 µg/mL, 3 steps: 480000, 960000 and
///   480000 ng/day from minutes 0, 420 and 1320), refilled to 20000 µL at midnight;
/// - with boluses: a clinician bolus of 50000 ng over 30 minutes started at midnight, and four
///   periodic boluses of 20000 ng a day (06:00, 12:00 and 18:00 over 60 minutes, 23:00 over 30);
/// - a review: after a week, a memory dump of each log region (`eventLog`, `alarmLog`,
///   `therapyHistory`: 42 chunk frames), answered through `receive`.
/// Baselines of the same run: one tick (`advance` of 60 s) and `Frame.decode` of the 9.3
/// prescription's frame, CRC checked. README.md quotes simulated days per second and the ratios.
func pumpEngineBenchmarks() {
    let midnight: UInt32 = 847_584_000  // 2026-11-10 00:00:00, pump clock
    let prescription93 = PrescriptionBlock(
        drug: .morphine, mode: .timeOfDay, concentrationMicrogramsPerMillilitre: 2000, reservoirCapacityMicrolitres: 20_000,
        lowReservoirThresholdMicrolitres: 2000, catheterVolumeMicrolitres: 150, maxDailyDoseNanograms: 1_000_000,
        steps: try! BoundedArray(elements: [
            DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 480_000),
            DayProfileStep(startMinute: 420, doseRateNanogramsPerDay: 960_000),
            DayProfileStep(startMinute: 1320, doseRateNanogramsPerDay: 480_000),
        ]))
    let boluses = BolusSchedule(
        clinicianBolus: ClinicianBolus(doseNanograms: 50_000, durationMinutes: 30),
        periodicBoluses: try! BoundedArray(elements: [
            PeriodicBolus(startMinute: 360, doseNanograms: 20_000, durationMinutes: 60),
            PeriodicBolus(startMinute: 720, doseNanograms: 20_000, durationMinutes: 60),
            PeriodicBolus(startMinute: 1080, doseNanograms: 20_000, durationMinutes: 60),
            PeriodicBolus(startMinute: 1380, doseNanograms: 20_000, durationMinutes: 30),
        ]))
    let refill = RefillConfirmation(
        drug: .morphine, concentrationMicrogramsPerMillilitre: 2000, volumeWithdrawnMicrolitres: 0, volumeAddedMicrolitres: 20_000,
        resultingReservoirMicrolitres: 20_000, refillTime: midnight)

    /// An engine at midnight that has stored `messages`, each answered with `expected` (type codes).
    func primed(_ messages: [(Message, UInt8)]) -> PumpEngine {
        var engine = PumpEngine(clock: midnight, batteryMillivolts: 3000)
        for (index, (message, expected)) in messages.enumerated() {
            var answers: [UInt8] = []
            for frame in StreamDecoder.frames(in: try! message.encodedFrames(sequence: UInt16(index + 1))) {
                frame.withUnsafeBytes { raw in engine.receive(raw) { answers.append($0[3]) } }
            }
            precondition(answers == [expected], "the benchmark's pump answered \(answers) to \(message)")
        }
        return engine
    }
    let basal = primed([(.prescriptionBlock(prescription93), 0xF0), (.refillConfirmation(refill), 0x84)])
    let withBoluses = primed([(.prescriptionBlock(prescription93), 0xF0), (.refillConfirmation(refill), 0x84), (.bolusSchedule(boluses), 0xF0)])
    let reviews = [MemoryRegion.eventLog, .alarmLog, .therapyHistory].map { region in
        try! Message.memoryDumpRequest(MemoryDumpRequest(region: region, offset: 0, length: UInt32(basal.memorySize(of: region))))
            .encodedFrames(sequence: 100 + UInt16(region.rawValue))
    }
    let frame93 = try! Message.prescriptionBlock(prescription93).encodedFrames(sequence: 1)

    // Sanity, once: a day of the 9.3 profile from accumulator 0 delivers D2, 390000 nL (PW-PUMP-6's worked example).
    var check = basal
    try! check.advance(seconds: 86_400)
    precondition(check.observation.basalDeliveredNanolitres == 390_000, "a day of the 9.3 profile delivered \(check.observation.basalDeliveredNanolitres) nL")

    let perDay = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 2_000,
        thresholds: [.wallClock: .init(relative: [.p50: 35.0]), .mallocCountTotal: .init(absolute: [.p50: 0])])
    let perOperation = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], scalingFactor: .kilo, maxDuration: .seconds(2), maxIterations: 1_000,
        thresholds: [.wallClock: .init(relative: [.p50: 35.0]), .mallocCountTotal: .init(absolute: [.p50: 0])])

    Benchmark(named("PumpEngine/baseline/Frame.decode of the 9.3 prescription (CRC checked)"), configuration: perOperation) { benchmark in
        for _ in benchmark.scaledIterations { frame93.withUnsafeBytes { raw in blackHole(try! Frame.decode(raw)) } }
    }
    // A thousand ticks a sample (16 h 40 min) from the primed engine: the reservoir never runs out.
    Benchmark(named("PumpEngine/baseline/one tick (advance 60 s), 3-step profile"), configuration: perOperation) { benchmark in
        var engine = basal
        for _ in benchmark.scaledIterations { try! engine.advance(seconds: 60) }
        blackHole(engine.observation)
    }
    Benchmark(named("PumpEngine/one day, 3-step profile (1440 ticks)"), configuration: perDay) { benchmark in
        for _ in benchmark.scaledIterations {
            var engine = basal
            try! engine.advance(seconds: 86_400)
            blackHole(engine.observation)
        }
    }
    Benchmark(named("PumpEngine/one day with periodic and clinician boluses"), configuration: perDay) { benchmark in
        for _ in benchmark.scaledIterations {
            var engine = withBoluses
            try! engine.advance(seconds: 86_400)
            blackHole(engine.observation)
        }
    }
    Benchmark(named("PumpEngine/a week with boluses and a review (dump of every region)"), configuration: perDay) { benchmark in
        for _ in benchmark.scaledIterations {
            var engine = withBoluses
            try! engine.advance(seconds: 7 * 86_400)
            var sent = 0
            for request in reviews {
                request.withUnsafeBytes { raw in engine.receive(raw) { sent += $0.count } }
            }
            blackHole(sent)
        }
    }
}
