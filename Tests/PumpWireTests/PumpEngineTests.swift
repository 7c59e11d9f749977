import Foundation
import PumpWire
import PumpWireSecurity
import Testing
@testable import PumpWireCore

// The pump's behaviour engine (spec/behaviour.md), checked against numbers computed by hand from
// the spec's text: the worked examples of pumpwire-v1.md 2.3, 9.3 and 9.6 wherever they fit.

/// 2026-11-10 00:00:00 pump time (the date of the spec's examples), a day boundary.
private let midnight: UInt32 = 847_584_000

/// The prescription of 9.3: morphine at 2000 µg/mL, steps (0, 480000), (420, 960000), (1320, 480000).
private func prescription93() throws -> PrescriptionBlock {
    PrescriptionBlock(
        drug: .morphine, mode: .timeOfDay, concentrationMicrogramsPerMillilitre: 2000, reservoirCapacityMicrolitres: 20_000,
        lowReservoirThresholdMicrolitres: 2000, catheterVolumeMicrolitres: 150, maxDailyDoseNanograms: 1_000_000,
        steps: try BoundedArray(elements: [
            DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 480_000),
            DayProfileStep(startMinute: 420, doseRateNanogramsPerDay: 960_000),
            DayProfileStep(startMinute: 1320, doseRateNanogramsPerDay: 480_000),
        ]))
}

/// 48 steps of 30 minutes: a 309-byte payload, which travels in two fragments (5.1).
private func prescription48Steps() throws -> PrescriptionBlock {
    PrescriptionBlock(
        drug: .morphine, mode: .timeOfDay, concentrationMicrogramsPerMillilitre: 2000, reservoirCapacityMicrolitres: 20_000,
        lowReservoirThresholdMicrolitres: 2000, catheterVolumeMicrolitres: 150, maxDailyDoseNanograms: 1_000_000,
        steps: try BoundedArray(elements: (0..<48).map { DayProfileStep(startMinute: UInt16($0 * 30), doseRateNanogramsPerDay: 480_000) }))
}

private func refill(_ microlitres: UInt32, drug: Drug = .morphine, concentration: UInt32 = 2000, at time: UInt32) -> Message {
    .refillConfirmation(RefillConfirmation(
        drug: drug, concentrationMicrogramsPerMillilitre: concentration, volumeWithdrawnMicrolitres: 0,
        volumeAddedMicrolitres: microlitres, resultingReservoirMicrolitres: microlitres, refillTime: time))
}

/// 50000 ng at 2000 µg/mL is D4 = 25000 nL, over 30 minutes.
private let clinicianSchedule = BolusSchedule(clinicianBolus: ClinicianBolus(doseNanograms: 50_000, durationMinutes: 30))

/// Splits frames written back to back (no AUTHENTICATED flag among them).
private func engineFrames(_ bytes: [UInt8]) -> [[UInt8]] {
    var frames: [[UInt8]] = []
    var start = 0
    while start < bytes.count {
        let length = WireLimits.headerSize + (Int(bytes[start + 7]) | Int(bytes[start + 8]) << 8) + WireLimits.crcSize
        frames.append(Array(bytes[start..<(start + length)]))
        start += length
    }
    return frames
}

/// A pump without the security layer, driven as a programmer and a runner would.
private struct Bench {
    var engine: PumpEngine
    var sequence: UInt16 = 0

    init(clock: UInt32 = midnight, battery: UInt16 = 3000) {
        engine = PumpEngine(clock: clock, batteryMillivolts: battery)
    }

    /// One frame to the pump: the frames it answers.
    mutating func receive(_ frame: [UInt8]) -> [[UInt8]] {
        var answers: [[UInt8]] = []
        frame.withUnsafeBytes { raw in engine.receive(raw) { answers.append(Array($0)) } }
        return answers
    }

    /// `message` with the next sequence (or `sequence`), fragmented when above 240 bytes.
    mutating func send(_ message: Message, sequence: UInt16? = nil) throws -> [Frame] {
        if sequence == nil { self.sequence &+= 1 }
        var answers: [[UInt8]] = []
        for frame in engineFrames(try message.encodedFrames(sequence: sequence ?? self.sequence)) { answers += receive(frame) }
        return try answers.map { try Frame.decode($0) }
    }

    /// The one answer of a request, as a message.
    mutating func ask(_ message: Message, sequence: UInt16? = nil) throws -> Message? {
        let answers = try send(message, sequence: sequence)
        guard answers.count == 1, case .message(let answer) = answers[0].content else { return nil }
        return answer
    }

    /// A prescription and a refill at the clock, both accepted.
    mutating func prime(_ prescription: PrescriptionBlock, reservoir microlitres: UInt32 = 20_000) throws {
        guard case .acknowledgement = try ask(.prescriptionBlock(prescription)),
              case .refillReceipt = try ask(refill(microlitres, at: engine.clock)) else {
            throw PumpWireError(.notPermitted, at: 0)
        }
    }

    mutating func advance(minutes: UInt32) throws {
        try engine.advance(seconds: minutes * 60)
    }

    func memory(_ region: MemoryRegion) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: engine.memorySize(of: region))
        try bytes.withUnsafeMutableBytes { raw in
            try typed { () throws(PumpWireError) in
                try engine.readMemory(region: region, offset: 0, length: UInt32(raw.count), into: raw)
            }.get()
        }
        return bytes
    }

    /// The region's slots in order: nil for an erased one.
    func slots(_ region: MemoryRegion) throws -> [LogRecord?] {
        let bytes = try memory(region)
        return try stride(from: 0, to: bytes.count, by: LogRecord.size).map { start in
            let slot = Array(bytes[start..<(start + LogRecord.size)])
            if slot.allSatisfy({ $0 == 0xFF }) { return nil }
            return try slot.withUnsafeBytes { raw in
                try typed { () throws(PumpWireError) in try LogRecord(decoding: raw, region: region) }.get()
            }
        }
    }

    /// The records of a region that has not wrapped, in the order written.
    func log(_ region: MemoryRegion) throws -> [LogRecord] { try slots(region).compactMap { $0 } }

    var observed: PumpObservation { engine.observation }
}

private func bolusRecord(_ record: LogRecord?) -> BolusDeliveredRecord? {
    guard case .bolusDelivered(let body)? = record?.body else { return nil }
    return body
}

private struct Refusal: Equatable {
    var code: ErrorCode
    var offset: UInt16
    init(_ code: ErrorCode, _ offset: UInt16) {
        self.code = code
        self.offset = offset
    }
}

private func refusal(_ message: Message?) -> Refusal? {
    guard case .negativeAcknowledgement(let nak)? = message else { return nil }
    return Refusal(nak.errorCode, nak.errorOffset)
}

@Suite("PumpEngine: basal delivery (PW-PUMP-2, PW-PUMP-6)")
struct PumpEngineBasalTests {
    @Test("PW-PUMP-6's worked example: from 07:00, three ticks deliver 333, 333, 334 nL, keeping 960000, 1920000, 0")
    func workedExample() throws {
        var bench = Bench(clock: midnight + 420 * 60)
        try bench.prime(try prescription93())
        #expect(bench.observed.basalAccumulator == 0)
        for (delivered, kept) in [(UInt32(333), UInt32(960_000)), (666, 1_920_000), (1000, 0)] {
            try bench.advance(minutes: 1)
            #expect(bench.observed.basalDeliveredNanolitres == delivered)
            #expect(bench.observed.basalAccumulator == kept)
            #expect(bench.observed.reservoirNanolitres == 20_000_000 - delivered)
        }
    }

    @Test("A whole day of 9.3's profile from accumulator 0 at midnight delivers D2, 390000 nL, logged as dailyDelivery")
    func wholeDay() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        try bench.engine.advance(seconds: 86_400 - 60)
        #expect(try bench.log(.therapyHistory).count == 1)  // the boundary is the last tick's
        try bench.advance(minutes: 1)
        #expect(bench.observed.basalDeliveredNanolitres == 390_000)
        #expect(bench.observed.basalAccumulator == 0)
        #expect(bench.observed.reservoirNanolitres == 20_000_000 - 390_000)
        let history = try bench.log(.therapyHistory)
        #expect(history.count == 2)
        #expect(history.last == LogRecord(time: midnight, body: .dailyDelivery(DailyDeliveryRecord(
            basalVolumeNanolitres: 390_000, bolusVolumeNanolitres: 0, bolusCount: 0))))
        #expect(try bench.log(.alarmLog).isEmpty)
    }

    @Test("The tick at 00:00 delivers minute 1439 of the day before (PW-PUMP-2): the step that starts at 22:00")
    func midnightTickDeliversTheLastMinute() throws {
        // Two steps whose rates differ tenfold, so the step a tick uses shows in what it delivers.
        let block = PrescriptionBlock(
            drug: .baclofen, mode: .timeOfDay, concentrationMicrogramsPerMillilitre: 1000, reservoirCapacityMicrolitres: 20_000,
            lowReservoirThresholdMicrolitres: 500, catheterVolumeMicrolitres: 0, maxDailyDoseNanograms: 100_000_000,
            steps: try BoundedArray(elements: [DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 1_440_000),
                                               DayProfileStep(startMinute: 1320, doseRateNanogramsPerDay: 14_400_000)]))
        var bench = Bench(clock: midnight - 60)
        guard case .acknowledgement = try bench.ask(.prescriptionBlock(block)),
              case .refillReceipt = try bench.ask(refill(10_000, drug: .baclofen, concentration: 1000, at: midnight - 60)) else {
            Issue.record("not stored")
            return
        }
        // 14400000 ng/day * 1000 / (1440 * 1000) = 10000 nL a minute at 22:00 to 24:00; 1000 before.
        try bench.advance(minutes: 1)
        #expect(bench.observed.basalDeliveredNanolitres == 10_000)
        try bench.advance(minutes: 1)
        #expect(bench.observed.basalDeliveredNanolitres == 11_000)
    }

    @Test("One step a whole day from accumulator 0: floor(rate * 1000 / c) nL, which is D1 when the remainder is below half")
    func oneStepDay() throws {
        // 1000000 ng/day at 700 µg/mL: 1428571.43 nL/day, D1 = 1428571.
        let block = PrescriptionBlock(
            drug: .clonidine, mode: .continuous, concentrationMicrogramsPerMillilitre: 700, reservoirCapacityMicrolitres: 20_000,
            lowReservoirThresholdMicrolitres: 500, catheterVolumeMicrolitres: 0, maxDailyDoseNanograms: 1_000_000,
            steps: try BoundedArray(elements: [DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 1_000_000)]))
        var bench = Bench()
        guard case .acknowledgement = try bench.ask(.prescriptionBlock(block)),
              case .refillReceipt = try bench.ask(refill(20_000, drug: .clonidine, concentration: 700, at: midnight)) else {
            Issue.record("not stored")
            return
        }
        try bench.advance(minutes: 1440)
        #expect(bench.observed.basalDeliveredNanolitres == 1_428_571)
        #expect(UInt64(bench.observed.basalDeliveredNanolitres) == DoseArithmetic.flowNanolitresPerDay(
            doseRateNanogramsPerDay: 1_000_000, concentrationMicrogramsPerMillilitre: 700))
        // The accumulator keeps the rest: 1440 * 10^9 - 1428571 * 1008000 = 432000.
        #expect(bench.observed.basalAccumulator == 432_000)
    }

    @Test("Without a prescription nothing is delivered and no tick writes a record (PW-PUMP-5, PW-PUMP-23)")
    func nothingWithoutPrescription() throws {
        var bench = Bench()
        try bench.advance(minutes: 2 * 1440)
        #expect(bench.observed.basalDeliveredNanolitres == 0)
        #expect(bench.observed.recordsWritten == 0)
        #expect(try bench.memory(.rawAddress).allSatisfy { $0 == 0xFF })  // erased from the factory
    }
}

@Suite("PumpEngine: time (PW-PUMP-3, PW-PUMP-4)")
struct PumpEngineTimeTests {
    @Test("Advancing runs every tick t with t0 < t <= t1; the clock ends at t1")
    func ticksBetween() throws {
        var bench = Bench(clock: midnight + 420 * 60 - 1)
        try bench.prime(try prescription93())
        try bench.engine.advance(seconds: 1)  // to 07:00:00: the tick of minute 419 (step 0, 166 nL)
        #expect(bench.observed.basalDeliveredNanolitres == 166)
        try bench.engine.advance(seconds: 59)  // 07:00:59: no tick
        #expect(bench.observed.basalDeliveredNanolitres == 166)
        try bench.engine.advance(seconds: 1)  // 07:01:00: minute 420, step 1
        // 1920000 kept from minute 419, plus 960000000: 961920000 is 334 nL exactly.
        #expect(bench.observed.clock == midnight + 421 * 60)
        #expect(bench.observed.basalDeliveredNanolitres == 166 + 334)
        #expect(bench.observed.basalAccumulator == 0)
    }

    @Test("Past 0xfffffffe: FIELD_OUT_OF_RANGE at 0 and nothing changes")
    func advanceTooFar() throws {
        var engine = PumpEngine(clock: 0xFFFF_FF00, batteryMillivolts: 3000)
        #expect(caught { () throws(PumpWireError) in try engine.advance(seconds: 0xFF) } == PumpWireError(.fieldOutOfRange, at: 0))
        #expect(engine.clock == 0xFFFF_FF00)
        try engine.advance(seconds: 0xFE)
        #expect(engine.clock == 0xFFFF_FFFE)
    }

    @Test("Setting the clock runs no tick and writes clockChanged with the new time and the previous one")
    func setClock() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        bench.engine.setClock(midnight + 3600)
        #expect(bench.observed.clock == midnight + 3600)
        #expect(bench.observed.basalDeliveredNanolitres == 0)
        #expect(try bench.log(.eventLog).last == LogRecord(time: midnight + 3600, body: .clockChanged(ClockChangedRecord(previousTime: midnight))))
    }
}

@Suite("PumpEngine: boluses (PW-PUMP-7 to PW-PUMP-12)")
struct PumpEngineBolusTests {
    @Test("A clinician bolus of V = 25000 nL over d = 30 ticks gives floor(k * V / d) after k, exactly V after d, then is logged completed")
    func bolusSumsToVolume() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        guard case .acknowledgement(let ack) = try bench.ask(.bolusSchedule(clinicianSchedule)) else {
            Issue.record("not stored")
            return
        }
        #expect(ack.acknowledgedType == BolusSchedule.typeCode)
        #expect(bench.observed.isRunning(.clinician))
        try bench.advance(minutes: 29)
        #expect(bench.observed.bolusDeliveredNanolitres == 24_166)  // 29 * 25000 / 30 = 24166.67
        #expect(bench.observed.isRunning(.clinician))
        try bench.advance(minutes: 1)
        #expect(bench.observed.bolusDeliveredNanolitres == 25_000)
        #expect(!bench.observed.isRunning(.clinician))
        #expect(try bench.log(.eventLog).last == LogRecord(time: midnight, body: .bolusDelivered(BolusDeliveredRecord(
            kind: .clinician, outcome: .completed, volumeNanolitres: 25_000, doseNanograms: 50_000, durationMinutes: 30))))
        // The bolus adds to the basal (PW-PUMP-8), and the day counts it (PW-PUMP-23).
        try bench.advance(minutes: 1440 - 30)
        #expect(bench.observed.basalDeliveredNanolitres == 390_000)
        #expect(try bench.log(.therapyHistory).last == LogRecord(time: midnight, body: .dailyDelivery(DailyDeliveryRecord(
            basalVolumeNanolitres: 390_000, bolusVolumeNanolitres: 25_000, bolusCount: 1))))
    }

    @Test("A priming bolus is given by volume; its dose is RoundHalfUp(delivered * c, 1000) (PW-PUMP-11)")
    func primingBolus() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        let schedule = BolusSchedule(
            clinicianBolus: ClinicianBolus(doseNanograms: 10_000, durationMinutes: 10),
            primingBolus: PrimingBolus(kind: .catheter, volumeMicrolitres: 7, durationMinutes: 3))
        _ = try bench.send(.bolusSchedule(schedule))
        #expect(bench.observed.runningBoluses == 0b0011)  // clinician and priming
        try bench.advance(minutes: 3)
        // 7000 nL at 2000 µg/mL is 14000 ng.
        #expect(try bench.log(.eventLog).last == LogRecord(time: midnight, body: .bolusDelivered(BolusDeliveredRecord(
            kind: .priming, outcome: .completed, volumeNanolitres: 7000, doseNanograms: 14_000, durationMinutes: 3))))
        #expect(bench.observed.runningBoluses == 0b0001)
    }

    @Test("A periodic bolus starts at step 5 of the tick of its start minute and delivers from the next tick")
    func periodicBolus() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        var periodic = BoundedArray<8, PeriodicBolus>()
        try periodic.append(PeriodicBolus(startMinute: 360, doseNanograms: 40_000, durationMinutes: 60))
        _ = try bench.send(.bolusSchedule(BolusSchedule(periodicBoluses: periodic)))
        try bench.advance(minutes: 360)  // to 06:00: the bolus starts at the end of this tick
        #expect(bench.observed.isRunning(.periodic))
        #expect(bench.observed.bolusDeliveredNanolitres == 0)
        #expect(bench.engine.runningBolus(.periodic)?.start == midnight + 360 * 60)
        try bench.advance(minutes: 60)
        #expect(bench.observed.bolusDeliveredNanolitres == 20_000)  // D4 of 40000 ng at 2000 µg/mL
        #expect(bolusRecord(try bench.log(.eventLog).last)?.outcome == .completed)
    }

    @Test("PW-PUMP-9: a periodic bolus due while its slot is busy is not given and not logged")
    func periodicSlotBusy() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        var periodic = BoundedArray<8, PeriodicBolus>()
        try periodic.append(PeriodicBolus(startMinute: 10, doseNanograms: 40_000, durationMinutes: 30))
        try periodic.append(PeriodicBolus(startMinute: 20, doseNanograms: 40_000, durationMinutes: 30))
        _ = try bench.send(.bolusSchedule(BolusSchedule(periodicBoluses: periodic)))
        let written = bench.observed.recordsWritten
        try bench.advance(minutes: 39)
        #expect(bench.observed.recordsWritten == written)  // the one of 00:20 came and went unlogged
        try bench.advance(minutes: 1)
        #expect(bench.engine.runningBolus(.periodic) == nil)
        #expect(bench.observed.bolusDeliveredNanolitres == 20_000)
        #expect(try bench.log(.eventLog).last?.time == midnight + 600)
    }

    @Test("PW-PUMP-12: a bolus that starts while delivery is not possible takes no slot, is logged at once and not counted")
    func bolusWhileSuspended() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        bench.engine.setBattery(millivolts: 2400)
        try bench.advance(minutes: 1)  // batteryEndOfService raised
        _ = try bench.send(.bolusSchedule(clinicianSchedule))
        #expect(bench.observed.runningBoluses == 0)
        #expect(try bench.log(.eventLog).last == LogRecord(time: midnight + 60, body: .bolusDelivered(BolusDeliveredRecord(
            kind: .clinician, outcome: .stoppedByAlarm, volumeNanolitres: 0, doseNanograms: 0, durationMinutes: 0))))
        try bench.advance(minutes: 1439)
        #expect(try bench.log(.therapyHistory).last == LogRecord(time: midnight, body: .dailyDelivery(DailyDeliveryRecord(
            basalVolumeNanolitres: 166, bolusVolumeNanolitres: 0, bolusCount: 0))))
    }
}

@Suite("PumpEngine: the reservoir and alarms (PW-PUMP-13 to PW-PUMP-17)")
struct PumpEngineAlarmTests {
    @Test("The receipt's alarm time is D5; lowReservoir comes at the first tick at or after it, with the reservoir in µL")
    func lowReservoirAtReceiptTime() throws {
        var bench = Bench()
        _ = try bench.send(.prescriptionBlock(try prescription93()))
        // R = 2100, L = 2000, V = 390000: floor(100 * 1000 * 1440 / 390000) = 369 minutes after T.
        guard case .refillReceipt(let receipt) = try bench.ask(refill(2100, at: midnight + 30)) else {
            Issue.record("no receipt")
            return
        }
        #expect(receipt.lowReservoirAlarmTime == midnight + 30 + 369 * 60)
        #expect(receipt.resultingReservoirMicrolitres == 2100)
        #expect(bench.observed.lowReservoirAlarmTime == midnight + 22_170)
        try bench.advance(minutes: 369)  // 06:09: floor(369 * 166.67) = 61500 nL given, 2038500 left
        #expect(!bench.observed.activeAlarms.contains(.lowReservoir))
        try bench.advance(minutes: 1)  // 06:10, the first tick at or after 06:09:30: 61666 given
        #expect(bench.observed.activeAlarms.contains(.lowReservoir))
        #expect(try bench.log(.alarmLog) == [LogRecord(time: midnight + 22_200, body: .alarmRaised(AlarmRaisedRecord(
            alarm: .lowReservoir, detail: 2038)))])
        try bench.advance(minutes: 10)
        #expect(try bench.log(.alarmLog).count == 1)  // an active alarm is not raised again
    }

    @Test("The refill of 9.5 under 9.3's prescription: the receipt of 9.6, 851575260, and a refilled record")
    func workedReceipt() throws {
        var bench = Bench(clock: 847_587_600)
        _ = try bench.send(.prescriptionBlock(try prescription93()))
        guard case .refillReceipt(let receipt) = try bench.ask(.refillConfirmation(RefillConfirmation(
            drug: .morphine, concentrationMicrogramsPerMillilitre: 2000, volumeWithdrawnMicrolitres: 6200,
            volumeAddedMicrolitres: 20_000, resultingReservoirMicrolitres: 20_000, refillTime: 847_587_600))) else {
            Issue.record("no receipt")
            return
        }
        #expect(receipt == RefillReceipt(confirmationDigest: 0xBB24_9D38, resultingReservoirMicrolitres: 20_000,
                                         lowReservoirAlarmTime: 851_575_260))
        #expect(bench.observed.reservoirNanolitres == 20_000_000)
        #expect(try bench.log(.eventLog).last == LogRecord(time: 847_587_600, body: .refilled(RefilledRecord(
            drug: .morphine, concentrationMicrogramsPerMillilitre: 2000, resultingReservoirMicrolitres: 20_000))))
    }

    @Test("A prescription stored over an empty reservoir: D5 with R = 0 is its own clock, so lowReservoir comes at the next tick")
    func prescriptionRecomputesAlarmTime() throws {
        var bench = Bench(clock: midnight + 30)
        _ = try bench.send(.prescriptionBlock(try prescription93()))
        #expect(bench.observed.lowReservoirAlarmTime == midnight + 30)  // PW-PUMP-15
        try bench.advance(minutes: 1)
        // The reservoir was empty: the tick came short (166 nL due), so emptyReservoir too, in code order.
        #expect(bench.observed.activeAlarms == ActiveAlarms(rawValue: 0b11))
        let alarms = try bench.log(.alarmLog).compactMap { record -> LoggedAlarm? in
            guard case .alarmRaised(let raised) = record.body else { return nil }
            return raised.alarm
        }
        #expect(alarms == [.lowReservoir, .emptyReservoir])
    }

    @Test("A tick that comes short stops running boluses (stoppedByAlarm) and raises emptyReservoir; a refill clears it a tick later")
    func emptyReservoir() throws {
        var bench = Bench()
        try bench.prime(try prescription93(), reservoir: 10)  // 10000 nL
        _ = try bench.send(.bolusSchedule(clinicianSchedule))
        // After k ticks the basal has given floor(k * 500 / 3) and the bolus floor(k * 2500 / 3):
        // 1666 + 8333 after 10, so 1 nL is left; the 11th is due 167 + 833 and gets 1 + 0.
        try bench.advance(minutes: 10)
        #expect(bench.observed.reservoirNanolitres == 1)
        #expect(bench.observed.activeAlarms == .lowReservoir)
        try bench.advance(minutes: 1)
        #expect(bench.observed.reservoirNanolitres == 0)
        #expect(bench.observed.basalDeliveredNanolitres == 1667)
        #expect(bench.observed.activeAlarms.contains(.emptyReservoir))
        #expect(bench.observed.runningBoluses == 0)
        // Its 11 ticks, 8333 nL of 25000: floor(50000 * 8333 / 25000) = 16666 ng (ENGINE-QUESTIONS Q4).
        #expect(try bench.log(.eventLog).last == LogRecord(time: midnight, body: .bolusDelivered(BolusDeliveredRecord(
            kind: .clinician, outcome: .stoppedByAlarm, volumeNanolitres: 8333, doseNanograms: 16_666, durationMinutes: 11))))
        let basal = bench.observed.basalDeliveredNanolitres
        try bench.advance(minutes: 5)
        #expect(bench.observed.basalDeliveredNanolitres == basal)  // PW-PUMP-5: no delivery
        _ = try bench.send(refill(1000, at: bench.engine.clock))
        try bench.advance(minutes: 1)  // cleared at step 4, after a tick that could not deliver
        #expect(!bench.observed.activeAlarms.contains(.emptyReservoir))
        #expect(bench.observed.basalDeliveredNanolitres == basal)
        try bench.advance(minutes: 1)
        #expect(bench.observed.basalDeliveredNanolitres > basal)
        guard case .alarmCleared(let cleared)? = try bench.log(.alarmLog).last?.body else {
            Issue.record("not cleared")
            return
        }
        #expect(cleared == AlarmClearedRecord(alarm: .emptyReservoir, cause: .resolved, detail: 1000))
    }

    @Test("Battery: end of service and elective replacement in code order, running boluses stop after the alarm, delivery suspended")
    func battery() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        _ = try bench.send(.bolusSchedule(clinicianSchedule))
        try bench.advance(minutes: 1)
        bench.engine.setBattery(millivolts: 2500)
        #expect(bench.observed.activeAlarms == .none)  // alarms follow at the next tick
        try bench.advance(minutes: 1)
        #expect(try bench.log(.alarmLog) == [
            LogRecord(time: midnight + 120, body: .alarmRaised(AlarmRaisedRecord(alarm: .batteryEndOfService, detail: 2500))),
            LogRecord(time: midnight + 120, body: .alarmRaised(AlarmRaisedRecord(alarm: .batteryElectiveReplacement, detail: 2500))),
        ])
        #expect(bolusRecord(try bench.log(.eventLog).last) == BolusDeliveredRecord(
            kind: .clinician, outcome: .stoppedByAlarm, volumeNanolitres: 1666, doseNanograms: 3332, durationMinutes: 2))
        #expect(bench.observed.deliverySuspended && bench.observed.electiveReplacementIndicator)
        let given = bench.observed.basalDeliveredNanolitres
        try bench.advance(minutes: 10)
        #expect(bench.observed.basalDeliveredNanolitres == given)
        bench.engine.setBattery(millivolts: 2600)  // above end of service, still at or below 2700
        try bench.advance(minutes: 1)
        #expect(!bench.observed.deliverySuspended && bench.observed.electiveReplacementIndicator)
        guard case .alarmCleared(let cleared)? = try bench.log(.alarmLog).last?.body else {
            Issue.record("not cleared")
            return
        }
        #expect(cleared == AlarmClearedRecord(alarm: .batteryEndOfService, cause: .resolved, detail: 2600))
    }

    @Test("A restart stops the running bolus (stoppedByAlarm), zeroes the accumulator and raises pumpReset, which the next pumpStatus reports and clears")
    func restart() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        _ = try bench.send(.bolusSchedule(clinicianSchedule))
        try bench.advance(minutes: 5)
        #expect(bench.observed.basalAccumulator != 0)
        bench.engine.restart()
        #expect(bench.observed.basalAccumulator == 0)
        #expect(bench.observed.runningBoluses == 0)
        // 5 ticks: floor(5 * 25000 / 30) = 4166 nL, floor(50000 * 4166 / 25000) = 8332 ng.
        #expect(try bench.log(.eventLog).last == LogRecord(time: midnight, body: .bolusDelivered(BolusDeliveredRecord(
            kind: .clinician, outcome: .stoppedByAlarm, volumeNanolitres: 4166, doseNanograms: 8332, durationMinutes: 5))))
        #expect(try bench.log(.alarmLog) == [LogRecord(time: midnight + 300, body: .alarmRaised(AlarmRaisedRecord(alarm: .pumpReset)))])
        #expect(bench.observed.activeAlarms == .pumpReset)
        #expect(bench.observed.reservoirNanolitres == 20_000_000 - 833 - 4166)  // kept
        try bench.advance(minutes: 1)
        guard case .pumpStatus(let status) = try bench.ask(.interrogationRequest(InterrogationRequest())) else {
            Issue.record("no status")
            return
        }
        #expect(status.activeAlarms == .pumpReset)
        #expect(status.pumpClockTime == midnight + 360)
        #expect(status.prescriptionDigest == 0xB7E2_AAD6)
        #expect(status.bolusScheduleDigest == (try Message.bolusSchedule(clinicianSchedule).digest()))
        #expect(try bench.log(.alarmLog).last == LogRecord(time: midnight + 360, body: .alarmCleared(AlarmClearedRecord(
            alarm: .pumpReset, cause: .acknowledged))))
        guard case .pumpStatus(let next) = try bench.ask(.interrogationRequest(InterrogationRequest())) else {
            Issue.record("no status")
            return
        }
        #expect(next.activeAlarms == .none)
        #expect(try bench.log(.alarmLog).count == 2)
    }
}

@Suite("PumpEngine: requests (section 7, PW-ERR-2, PW-ERR-3)")
struct PumpEngineRequestTests {
    @Test("A fresh pump's status: no prescription, no schedule, no digests, the clock and battery of the moment")
    func freshStatus() throws {
        var bench = Bench(clock: midnight + 5, battery: 3021)
        guard case .pumpStatus(let status) = try bench.ask(.interrogationRequest(InterrogationRequest())) else {
            Issue.record("no status")
            return
        }
        #expect(!status.prescriptionStored && !status.bolusScheduleStored && !status.deliverySuspended)
        #expect(status.batteryMillivolts == 3021 && status.pumpClockTime == midnight + 5)
        #expect(status.reservoirVolumeMicrolitres == 0 && status.prescriptionDigest == 0 && status.bolusScheduleDigest == 0)
        #expect(status.model.string == "PumpWire Engine")
    }

    @Test("PW-REFILL-5, in order: NOT_PERMITTED at 0xffff, DRUG_MISMATCH at 0, CONCENTRATION_MISMATCH at 1, RESERVOIR_OVERFILL at 13")
    func refillRefusals() throws {
        var bench = Bench()
        #expect(refusal(try bench.ask(refill(1000, at: midnight))) == Refusal(.notPermitted, 0xFFFF))
        _ = try bench.send(.prescriptionBlock(try prescription93()))
        let written = bench.observed.recordsWritten
        #expect(refusal(try bench.ask(refill(1000, drug: .baclofen, concentration: 500, at: midnight))) == Refusal(.drugMismatch, 0))
        #expect(refusal(try bench.ask(refill(1000, concentration: 500, at: midnight))) == Refusal(.concentrationMismatch, 1))
        #expect(refusal(try bench.ask(refill(20_001, at: midnight))) == Refusal(.reservoirOverfill, 13))
        #expect(bench.observed.reservoirNanolitres == 0)
        #expect(bench.observed.recordsWritten == written)  // nothing refilled, nothing logged
        guard case .refillReceipt = try bench.ask(refill(20_000, at: midnight)) else {
            Issue.record("the capacity itself is accepted")
            return
        }
    }

    @Test("A bolus schedule without a prescription: NOT_PERMITTED at 0xffff, nothing stored (PW-PUMP-19)")
    func scheduleWithoutPrescription() throws {
        var bench = Bench()
        let answers = try bench.send(.bolusSchedule(clinicianSchedule))
        #expect(answers.count == 1)
        #expect(answers.first?.sequence == 1)
        guard case .message(.negativeAcknowledgement(let nak))? = answers.first?.content else {
            Issue.record("not refused")
            return
        }
        #expect(nak == NegativeAcknowledgement(rejectedType: 0x03, errorCode: .notPermitted, errorOffset: 0xFFFF))
        #expect(!bench.observed.bolusScheduleStored && bench.observed.runningBoluses == 0)
        #expect(bench.observed.recordsWritten == 0)
    }

    @Test("PW-PUMP-18: storing a prescription stops the running bolus, logs therapyChanged in both regions, zeroes the accumulator")
    func storePrescription() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        _ = try bench.send(.bolusSchedule(clinicianSchedule))
        try bench.advance(minutes: 3)
        let replacement = try prescription48Steps()
        guard case .acknowledgement(let ack) = try bench.ask(.prescriptionBlock(replacement)) else {
            Issue.record("not stored")
            return
        }
        let digest = try Message.prescriptionBlock(replacement).digest()
        #expect(ack == Acknowledgement(acknowledgedType: 0x02, digest: digest))
        let events = try bench.log(.eventLog)
        #expect(bolusRecord(events[events.count - 2])?.outcome == .stoppedByProgrammer)
        let changed = LogRecord(time: midnight + 180, body: .therapyChanged(TherapyChangedRecord(
            prescriptionDigest: digest, previousDigest: 0xB7E2_AAD6, source: .programmer)))
        #expect(events.last == changed)
        #expect(try bench.log(.therapyHistory).last == changed)
        #expect(bench.observed.basalAccumulator == 0 && bench.observed.runningBoluses == 0)
        #expect(bench.engine.bolusScheduleStored)  // the schedule stays
    }

    @Test("PW-PUMP-20: the same schedule again with the same sequence gets the kept answer and does not start the clinician bolus twice")
    func repeatedSchedule() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        let first = try bench.send(.bolusSchedule(clinicianSchedule))
        try bench.advance(minutes: 10)
        let written = bench.observed.recordsWritten
        let again = try bench.send(.bolusSchedule(clinicianSchedule), sequence: bench.sequence)
        #expect(again == first)
        #expect(bench.observed.recordsWritten == written)  // not executed: nothing stopped, nothing logged
        #expect(bench.engine.runningBolus(.clinician)?.ticks == 10)
        // A new sequence is a new request: executed, the running bolus stopped and a new one started.
        _ = try bench.send(.bolusSchedule(clinicianSchedule))
        #expect(bench.engine.runningBolus(.clinician)?.start == midnight + 600)
        #expect(bolusRecord(try bench.log(.eventLog).dropLast().last)?.outcome == .stoppedByProgrammer)
        // An interrogation between does not replace the kept request.
        _ = try bench.send(.interrogationRequest(InterrogationRequest()))
        _ = try bench.send(.bolusSchedule(clinicianSchedule), sequence: bench.sequence - 1)
        #expect(bench.engine.runningBolus(.clinician)?.start == midnight + 600)
    }

    @Test("PW-PUMP-20 survives a restart: a retransmitted prescription is answered, not executed again")
    func keptAcrossRestart() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        let block = try prescription48Steps()
        let first = try bench.send(.prescriptionBlock(block))
        bench.engine.restart()
        let written = bench.observed.recordsWritten
        #expect(try bench.send(.prescriptionBlock(block), sequence: bench.sequence) == first)
        #expect(bench.observed.recordsWritten == written)
    }

    @Test("A fragmented prescription cut by a restart leaves the old one stored and delivering (PW-PUMP-21, PW-PUMP-22)")
    func fragmentsCutByRestart() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        let fragments = engineFrames(try Message.prescriptionBlock(try prescription48Steps()).encodedFrames(sequence: 9))
        #expect(fragments.count == 2)
        #expect(bench.receive(fragments[0]).isEmpty)
        bench.engine.restart()
        #expect(bench.receive(fragments[1]).isEmpty)  // a new message, still missing fragment 0
        guard case .pumpStatus(let status) = try bench.ask(.interrogationRequest(InterrogationRequest())) else {
            Issue.record("no status")
            return
        }
        #expect(status.prescriptionDigest == 0xB7E2_AAD6)
        try bench.advance(minutes: 1)
        #expect(bench.observed.basalDeliveredNanolitres == 166)  // the old profile's minute 0
        // Fragment 0 again completes the message that fragment 1 began after the restart (the
        // interrogation between, unfragmented, left it alone): stored, with the payload's digest.
        let answers = bench.receive(fragments[0])
        guard answers.count == 1, case .message(.acknowledgement(let ack)) = try Frame.decode(answers[0]).content else {
            Issue.record("not acknowledged")
            return
        }
        #expect(ack.digest == (try Message.prescriptionBlock(try prescription48Steps()).digest()))
    }

    @Test("PW-ERR-2 and PW-ERR-3: dropped, refused with the decoder's code and offset, or UNKNOWN_MESSAGE_TYPE at 3")
    func frameLayer() throws {
        var bench = Bench()
        var corrupted = try Message.interrogationRequest(InterrogationRequest()).encodedFrames(sequence: 1)
        corrupted[corrupted.count - 1] ^= 1
        #expect(bench.receive(corrupted).isEmpty)  // BAD_CRC: dropped
        #expect(bench.receive(frameBytes(type: 0x01, flags: 0x02, payload: [], authentication: [UInt8](repeating: 0, count: 20))).isEmpty)
        // A prescription with stepCount 0: FIELD_OUT_OF_RANGE at frame offset 9 + 20.
        var payload = rawPayload(try prescription93())
        payload = Array(payload[..<20]) + [0]
        let refused = bench.receive(frameBytes(type: 0x02, sequence: 7, payload: payload))
        #expect(try refused.map { try Frame.decode($0) } == [Frame(sequence: 7, message: .negativeAcknowledgement(
            NegativeAcknowledgement(rejectedType: 0x02, errorCode: .fieldOutOfRange, errorOffset: 29)))])
        for type: UInt8 in [0x10, 0x06, 0x42, 0xF0] {
            let payload: [UInt8] = type == 0xF0 ? [0x02, 1, 2, 3, 4] : [1, 2, 3]
            let answers = bench.receive(frameBytes(type: type, sequence: 8, payload: payload))
            #expect(try answers.map { try Frame.decode($0) } == [Frame(sequence: 8, message: .negativeAcknowledgement(
                NegativeAcknowledgement(rejectedType: type, errorCode: .unknownMessageType, errorOffset: 3)))])
        }
        // A pump-to-programmer type that does not decode is refused with its own error (PW-ERR-2).
        let badAck = bench.receive(frameBytes(type: 0xF0, sequence: 9, payload: [0x07, 1, 2, 3, 4]))
        #expect(try badAck.map { try Frame.decode($0) } == [Frame(sequence: 9, message: .negativeAcknowledgement(
            NegativeAcknowledgement(rejectedType: 0xF0, errorCode: .fieldOutOfRange, errorOffset: 9)))])
        #expect(bench.observed.recordsWritten == 0)
    }

    @Test("A fragment of another message abandons the one in progress (5.4; ENGINE-QUESTIONS Q1)")
    func interleavedFragments() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        let old = engineFrames(try Message.prescriptionBlock(try prescription48Steps()).encodedFrames(sequence: 20))
        var newer = try prescription48Steps()
        newer.steps[47] = DayProfileStep(startMinute: 1410, doseRateNanogramsPerDay: 960_000)
        let new = engineFrames(try Message.prescriptionBlock(newer).encodedFrames(sequence: 21))
        #expect(bench.receive(old[0]).isEmpty)
        #expect(bench.receive(new[0]).isEmpty)
        #expect(bench.receive(old[1]).isEmpty)  // interleaved again: abandons 21 for a 20 missing its first
        _ = bench.receive(new[0])
        let answers = bench.receive(new[1])
        guard answers.count == 1, case .message(.acknowledgement(let ack)) = try Frame.decode(answers[0]).content else {
            Issue.record("not acknowledged")
            return
        }
        #expect(ack.digest == (try Message.prescriptionBlock(newer).digest()))
    }
}

@Suite("PumpEngine: logs and memory (PW-PUMP-24, PW-PUMP-25)")
struct PumpEngineMemoryTests {
    @Test("The eventLog is a ring of 256 slots: record n goes to slot n mod 256, the 257th over the first")
    func ringWrap() throws {
        var bench = Bench()
        for n in 0..<257 { bench.engine.setClock(midnight + UInt32(n) + 1) }
        let slots = try bench.slots(.eventLog)
        #expect(slots.count == 256)
        #expect(slots[0] == LogRecord(time: midnight + 257, body: .clockChanged(ClockChangedRecord(previousTime: midnight + 256))))
        #expect(slots[1] == LogRecord(time: midnight + 2, body: .clockChanged(ClockChangedRecord(previousTime: midnight + 1))))
        #expect(slots[255] == LogRecord(time: midnight + 256, body: .clockChanged(ClockChangedRecord(previousTime: midnight + 255))))
        #expect(bench.observed.recordsWritten == 257)
        #expect(try bench.memory(.alarmLog).allSatisfy { $0 == 0xFF })
    }

    @Test("A dump of the whole eventLog: 24 raw chunks in index order, the image CRC over 5120 bytes, nothing changed")
    func wholeRegionDump() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        let written = bench.observed.recordsWritten
        let answers = try bench.send(.memoryDumpRequest(MemoryDumpRequest(region: .eventLog, compressionAllowed: true, offset: 0, length: 5120)))
        #expect(answers.count == 24)
        let image = try bench.memory(.eventLog)
        var rebuilt: [UInt8] = []
        for (index, frame) in answers.enumerated() {
            guard case .message(.memoryDumpChunk(let chunk)) = frame.content else {
                Issue.record("not a chunk")
                return
            }
            #expect(frame.sequence == bench.sequence)
            #expect(chunk.chunkIndex == UInt16(index) && chunk.chunkCount == 24 && chunk.encoding == .raw)
            #expect(chunk.imageLength == 5120 && chunk.dataOffset == UInt32(index * 218))
            #expect(chunk.imageCrc32 == image.withUnsafeBytes { CRC32.checksum($0) })
            rebuilt += chunk.data.bytes
        }
        #expect(rebuilt == image)
        #expect(rebuilt.count == 5120)  // the last chunk: 5120 - 23 * 218 = 106 bytes
        #expect(bench.observed.recordsWritten == written)
    }

    @Test("rawAddress lays the regions end to end (Appendix P); a dump past a region's end is FIELD_OUT_OF_RANGE at 6")
    func rawAddressAndLimits() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        #expect(bench.engine.memorySize(of: .rawAddress) == 8960)
        let raw = try bench.memory(.rawAddress)
        #expect(raw == (try bench.memory(.eventLog)) + (try bench.memory(.alarmLog)) + (try bench.memory(.therapyHistory)))
        // 5100 ..< 6420 spans all three regions: three pieces, one image.
        let answers = try bench.send(.memoryDumpRequest(MemoryDumpRequest(region: .rawAddress, offset: 5100, length: 1320)))
        let data = answers.flatMap { frame -> [UInt8] in
            guard case .message(.memoryDumpChunk(let chunk)) = frame.content else { return [] }
            return chunk.data.bytes
        }
        #expect(data == Array(raw[5100..<6420]))
        #expect(refusal(try bench.ask(.memoryDumpRequest(MemoryDumpRequest(region: .alarmLog, offset: 1, length: 1280)))) == Refusal(.fieldOutOfRange, 6))
        #expect(refusal(try bench.ask(.memoryDumpRequest(MemoryDumpRequest(region: .rawAddress, offset: 8960, length: 1)))) == Refusal(.fieldOutOfRange, 6))
        var buffer = [UInt8](repeating: 0, count: 4)
        let error = buffer.withUnsafeMutableBytes { out in
            caught { () throws(PumpWireError) in try bench.engine.readMemory(region: .therapyHistory, offset: 2557, length: 4, into: out) }
        }
        #expect(error == PumpWireError(.fieldOutOfRange, at: 5))
    }

    @Test("reset (PUMP_RESET) in place: the pump fresh from the factory, as a new engine is, logs erased")
    func resetInPlace() throws {
        var bench = Bench()
        try bench.prime(try prescription93())
        _ = try bench.send(.bolusSchedule(clinicianSchedule))
        try bench.advance(minutes: 1441)
        bench.engine.restart()
        bench.engine.reset(clock: midnight + 7, batteryMillivolts: 2900)
        let fresh = PumpEngine(clock: midnight + 7, batteryMillivolts: 2900)
        #expect(bench.observed == fresh.observation)
        #expect(bench.observed == PumpObservation(
            clock: midnight + 7, reservoirNanolitres: 0, activeAlarms: .none, statusFlags: 0, runningBoluses: 0,
            basalDeliveredNanolitres: 0, bolusDeliveredNanolitres: 0, lowReservoirAlarmTime: 0xFFFF_FFFF, basalAccumulator: 0,
            recordsWritten: 0))
        #expect(try bench.memory(.rawAddress).allSatisfy { $0 == 0xFF })
        #expect(!bench.engine.prescriptionStored && !bench.engine.bolusScheduleStored)
        // No kept request either (PW-PUMP-20): the same schedule and sequence is executed, and refused.
        #expect(refusal(try bench.ask(.bolusSchedule(clinicianSchedule), sequence: 3)) == Refusal(.notPermitted, 0xFFFF))
    }

    @Test("PUMP_OBSERVE's 32 bytes: each field at its offset of the table of 2.4.11, little-endian")
    func observationLayout() throws {
        let observation = PumpObservation(
            clock: 0x0403_0201, reservoirNanolitres: 0x0807_0605, activeAlarms: ActiveAlarms(rawValue: 0x0A09), statusFlags: 0x0B,
            runningBoluses: 0x0C, basalDeliveredNanolitres: 0x100F_0E0D, bolusDeliveredNanolitres: 0x1413_1211,
            lowReservoirAlarmTime: 0x1817_1615, basalAccumulator: 0x1C1B_1A19, recordsWritten: 0x201F_1E1D)
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = try bytes.withUnsafeMutableBytes { raw in try typed { () throws(PumpWireError) in try observation.encode(into: raw) }.get() }
        #expect(count == 32)
        #expect(bytes == (1...32).map { UInt8($0) })
        #expect(try bytes.withUnsafeBytes { raw in try typed { () throws(PumpWireError) in try PumpObservation(decoding: raw) }.get() } == observation)
    }
}

// MARK: - The secure pump (section 11)

private struct SecureBench {
    let crypto = SwiftCryptoProvider()
    let pumpKeys: TestIdentity
    let clinicianKeys: TestIdentity
    let patientKeys: TestIdentity
    var pump: SecurePumpEngine<SwiftCryptoProvider>
    var sequence: UInt16 = 1
    var commandId: UInt32 = 0

    init() throws {
        pumpKeys = try TestIdentity.make(kind: .pump, name: "pump", seed: "engine pump")
        clinicianKeys = try TestIdentity.make(kind: .device, name: "programmer", role: .clinician, seed: "engine clinician")
        patientKeys = try TestIdentity.make(kind: .device, name: "handheld", role: .patient, seed: "engine patient")
        var slots = InlineArray<4, SecurePump<SwiftCryptoProvider>.Slot>(repeating: .init())
        slots[0] = .init(role: .clinician, staticPublicKey: clinicianKeys.staticPublicKey, lastCommandId: 100)
        slots[1] = .init(role: .patient, staticPublicKey: patientKeys.staticPublicKey, lastCommandId: 0)
        let layer = SecurePump(staticPrivateKey: pumpKeys.staticPrivateKey, pairingSecret: pumpKeys.pairingSecret!, pairingWindowOpen: false,
                               sessionCount: 0, patientBolusLimits: nil, slots: slots, provider: crypto)
        pump = SecurePumpEngine(engine: PumpEngine(clock: midnight, batteryMillivolts: 3000), pump: layer)
    }

    mutating func receive(_ frame: [UInt8]) -> [[UInt8]] {
        var answers: [[UInt8]] = []
        frame.withUnsafeBytes { raw in pump.receive(raw, ephemeralPrivateKey: nil) { answers.append(Array($0)) } }
        return answers
    }

    /// A KK session of `slot`'s device.
    mutating func session(slot: UInt8) throws -> SecureSession<SwiftCryptoProvider> {
        let keys = slot == 0 ? clinicianKeys : patientKeys
        var (device, request) = try SecureSession.initiate(pattern: .kk, slot: slot, localStatic: keys.staticPrivateKey,
                                                          remoteStatic: pumpKeys.staticPublicKey, sequence: sequence, provider: crypto)
        sequence &+= 1
        let answers = receive(request)
        _ = try device.receiveResponse(answers[0])
        commandId = device.info!.lastCommandId
        return device
    }

    /// `message` sealed in `device`'s session (with the next command id for the types of PW-SEC-13): the answers, opened.
    mutating func send(_ message: Message, in device: inout SecureSession<SwiftCryptoProvider>) throws -> [Frame] {
        let carries = SecureRequest.carriesCommandId(message.typeCode)
        if carries { commandId += 1 }
        let frames = try device.seal(message, commandId: carries ? commandId : nil, sequence: sequence)
        sequence &+= 1
        var answers: [[UInt8]] = []
        for frame in frames { answers += receive(frame) }
        return try answers.map { try device.open($0) }
    }

    func log(_ region: MemoryRegion) throws -> [LogRecord] {
        let engine = pump.engine
        var bytes = [UInt8](repeating: 0, count: engine.memorySize(of: region))
        try bytes.withUnsafeMutableBytes { raw in
            try typed { () throws(PumpWireError) in try engine.readMemory(region: region, offset: 0, length: UInt32(raw.count), into: raw) }.get()
        }
        return try stride(from: 0, to: bytes.count, by: 20).compactMap { start in
            let slot = Array(bytes[start..<(start + 20)])
            if slot.allSatisfy({ $0 == 0xFF }) { return nil }
            return try slot.withUnsafeBytes { raw in try typed { () throws(PumpWireError) in try LogRecord(decoding: raw, region: region) }.get() }
        }
    }
}

private func message(_ frame: Frame?) -> Message? {
    guard case .message(let message)? = frame?.content else { return nil }
    return message
}

@Suite("SecurePumpEngine: SecurePump in front of PumpEngine (PW-PUMP-26)")
struct SecurePumpEngineTests {
    @Test("Sealed therapy: the answers open in the session, the layer's records come first, refusals name fields after the command id")
    func sealedTherapy() throws {
        var bench = try SecureBench()
        var clinician = try bench.session(slot: 0)
        let prescription = try bench.send(.prescriptionBlock(try prescription93()), in: &clinician)
        #expect(prescription.count == 1)
        #expect(message(prescription.first) == .acknowledgement(Acknowledgement(acknowledgedType: 0x02, digest: 0xB7E2_AAD6)))
        let events = try bench.log(.eventLog)
        #expect(events.map(\.recordType) == [.sessionStarted, .therapyChanged])
        // PW-REFILL-5's offsets count from the command id: the concentration at 1 + 4.
        let refused = try bench.send(refill(1000, concentration: 500, at: midnight), in: &clinician)
        #expect(refusal(message(refused.first)) == Refusal(.concentrationMismatch, 5))
        // PW-PUMP-20 does not apply: the same request with the same sequence is a new command.
        let receipt = try bench.send(refill(20_000, at: midnight), in: &clinician)
        guard case .refillReceipt(let first)? = message(receipt.first) else {
            Issue.record("no receipt")
            return
        }
        #expect(first.resultingReservoirMicrolitres == 20_000)
        #expect(bench.pump.engine.reservoirNanolitres == 20_000_000)
        // A dump's chunks are sealed one by one, each at the next counter.
        let chunks = try bench.send(.memoryDumpRequest(MemoryDumpRequest(region: .eventLog, offset: 0, length: 500)), in: &clinician)
        #expect(chunks.count == 3)
        #expect(chunks.allSatisfy { $0.authentication != nil })
    }

    @Test("A sealed prescription of 48 steps (313 bytes with its command id) comes in two sealed fragments and is stored once whole")
    func sealedFragments() throws {
        var bench = try SecureBench()
        var clinician = try bench.session(slot: 0)
        bench.commandId += 1
        let frames = try clinician.seal(.prescriptionBlock(try prescription48Steps()), commandId: bench.commandId, sequence: 7)
        #expect(frames.count == 2)
        #expect(bench.receive(frames[0]).isEmpty)
        #expect(!bench.pump.engine.prescriptionStored)  // PW-PUMP-21: nothing until the whole message
        let answers = try bench.receive(frames[1]).map { try clinician.open($0) }
        #expect(answers.map(\.sequence) == [7])
        #expect(message(answers.first) == .acknowledgement(Acknowledgement(
            acknowledgedType: 0x02, digest: try Message.prescriptionBlock(try prescription48Steps()).digest())))
        #expect(bench.pump.engine.prescriptionDigest == (try Message.prescriptionBlock(try prescription48Steps()).digest()))
    }

    @Test("A stored schedule sets the patient bolus limits; a granted patient bolus starts after its acknowledgement")
    func patientBolus() throws {
        var bench = try SecureBench()
        var clinician = try bench.session(slot: 0)
        _ = try bench.send(.prescriptionBlock(try prescription93()), in: &clinician)
        _ = try bench.send(refill(20_000, at: midnight), in: &clinician)
        let schedule = BolusSchedule(patientBolus: PatientBolus(doseNanograms: 25_000, durationMinutes: 10, lockoutMinutes: 180, maxPerDay: 4))
        _ = try bench.send(.bolusSchedule(schedule), in: &clinician)
        #expect(bench.pump.pump.patientBolusLimits == SecurePump<SwiftCryptoProvider>.PatientBolusLimits(
            doseNanograms: 25_000, lockoutMinutes: 180, maxPerDay: 4))
        try bench.pump.engine.advance(seconds: 60)
        var patient = try bench.session(slot: 1)
        let request = PatientBolusRequest(commandId: bench.commandId + 1, doseNanograms: 20_000, requestTime: midnight)
        let answers = try bench.receive(patient.sealPayload(rawPayload(request), type: 0x06, sequence: 9)[0]).map { try patient.open($0) }
        guard answers.count == 1, case .acknowledgement(let ack)? = message(answers.first) else {
            Issue.record("not granted")
            return
        }
        #expect(ack.acknowledgedType == 0x06)
        // D4 of the requested 20000 ng at 2000 µg/mL: 10000 nL over the schedule's 10 minutes.
        let bolus = bench.pump.engine.runningBolus(.patient)
        #expect(bolus?.volumeNanolitres == 10_000 && bolus?.durationMinutes == 10 && bolus?.start == midnight + 60)
        #expect(try bench.log(.eventLog).suffix(2).map(\.recordType) == [.sessionEnded, .sessionStarted])
        // Inside the lockout: refused (PW-SEC-16 4.), logged by the layer, and the running bolus goes on.
        try bench.pump.engine.advance(seconds: 300)
        let again = PatientBolusRequest(commandId: 2, doseNanograms: 20_000, requestTime: midnight + 360)
        let refused = try bench.receive(patient.sealPayload(rawPayload(again), type: 0x06, sequence: 10)[0]).map { try patient.open($0) }
        #expect(refusal(message(refused.first)) == Refusal(.patientBolusLockout, 0xFFFF))
        #expect(bench.pump.engine.runningBolus(.patient)?.start == midnight + 60)
        #expect(try bench.log(.eventLog).last?.recordType == .securityRejection)
        try bench.pump.engine.advance(seconds: 300)
        #expect(bolusRecord(try bench.log(.eventLog).last) == BolusDeliveredRecord(
            kind: .patient, outcome: .completed, volumeNanolitres: 10_000, doseNanograms: 20_000, durationMinutes: 10))
    }

    @Test("A restart ends the session and keeps the layer's persistent state and the engine's kept state")
    func restart() throws {
        var bench = try SecureBench()
        var clinician = try bench.session(slot: 0)
        _ = try bench.send(.prescriptionBlock(try prescription93()), in: &clinician)
        let kept = bench.pump.pump.persistentState
        #expect(kept.slots[0].lastCommandId == 101 && kept.sessionCount == 1)
        bench.pump.restart()
        #expect(bench.pump.pump.persistentState == kept)
        #expect(bench.pump.pump.sessionSlot == nil)
        #expect(bench.pump.engine.activeAlarms == .pumpReset)
        let stale = try bench.send(.interrogationRequest(InterrogationRequest()), in: &clinician)
        #expect(stale.isEmpty)
        guard case .securityRejection(let dropped)? = try bench.log(.eventLog).last?.body else {
            Issue.record("not logged")
            return
        }
        #expect(dropped.errorCode == .staleSession)
        var again = try bench.session(slot: 0)
        guard case .pumpStatus(let status)? = message(try bench.send(.interrogationRequest(InterrogationRequest()), in: &again).first) else {
            Issue.record("no status")
            return
        }
        #expect(status.prescriptionDigest == 0xB7E2_AAD6 && status.activeAlarms == .pumpReset)
        #expect(bench.pump.engine.activeAlarms == .none)  // PW-PUMP-17, in a session too
    }

    @Test("A therapy answer that finds the counters exhausted is not sent, and the session ends (counterExhausted, PW-SEC-21)")
    func counterExhausted() throws {
        var bench = try SecureBench()
        var clinician = try bench.session(slot: 0)
        let sending = bench.pump.pump.session!.channel.sending
        bench.pump.pump.session!.channel.sending = SealedDirection(
            key: sending.key, sessionEpoch: sending.sessionEpoch, nextFrameCounter: SealedFrame.maxFrameCounter + 1)
        #expect(try bench.send(.interrogationRequest(InterrogationRequest()), in: &clinician).isEmpty)
        #expect(bench.pump.pump.sessionSlot == nil)
        guard case .sessionEnded(let ended)? = try bench.log(.eventLog).last?.body else {
            Issue.record("not logged")
            return
        }
        #expect(ended.reason == .counterExhausted && ended.framesAccepted == 1)
    }
}
