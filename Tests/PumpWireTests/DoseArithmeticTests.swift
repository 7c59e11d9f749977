@testable import PumpWireCore
import Testing

@Suite("Derived quantities (spec 2.2 and 2.3)")
struct DoseArithmeticTests {
    @Test("RoundHalfUp, with the spec's examples")
    func roundHalfUp() {
        #expect(DoseArithmetic.roundHalfUp(5, 2) == 3)
        #expect(DoseArithmetic.roundHalfUp(7, 3) == 2)
        #expect(DoseArithmetic.roundHalfUp(3, 2) == 2)
        #expect(DoseArithmetic.roundHalfUp(4, 3) == 1)
        #expect(DoseArithmetic.roundHalfUp(0, 9) == 0)
    }

    @Test("The worked example of 2.3: W, D1, D2, D3")
    func workedExample() {
        let rx = Samples.prescription
        #expect(rx.dailyDoseMinuteWeighted == 1_123_200_000)
        #expect(rx.dailyBasalVolumeNanolitres == 390_000)
        #expect(rx.dailyBasalDoseNanograms == 780_000)
        #expect(DoseArithmetic.flowNanolitresPerDay(doseRateNanogramsPerDay: 960_000, concentrationMicrogramsPerMillilitre: 2000) == 480_000)
        #expect(rx.minutes(ofStep: 0) == 420 && rx.minutes(ofStep: 1) == 900 && rx.minutes(ofStep: 2) == 120)
    }

    @Test("D1 and D4 round half up, not down")
    func halfUp() {
        // 1 ng at 3 µg/mL is 333.33 nL; 1 ng at 2000 µg/mL is 0.5 nL, which rounds up to 1.
        #expect(DoseArithmetic.bolusVolumeNanolitres(doseNanograms: 1, concentrationMicrogramsPerMillilitre: 3) == 333)
        #expect(DoseArithmetic.bolusVolumeNanolitres(doseNanograms: 1, concentrationMicrogramsPerMillilitre: 2000) == 1)
        #expect(DoseArithmetic.bolusVolumeNanolitres(doseNanograms: 1, concentrationMicrogramsPerMillilitre: 2001) == 0)
        // The largest inputs stay within 64 bits.
        #expect(DoseArithmetic.flowNanolitresPerDay(doseRateNanogramsPerDay: 1_000_000_000, concentrationMicrogramsPerMillilitre: 1) == 1_000_000_000_000)
    }

    @Test("The arithmetic is total: no trap on values a decoder would reject")
    func total() throws {
        #expect(DoseArithmetic.roundHalfUp(UInt64.max, 1) == UInt64.max)
        #expect(DoseArithmetic.roundHalfUp(UInt64.max, UInt64.max) == 1)
        #expect(DoseArithmetic.roundHalfUp(UInt64.max / 2, UInt64.max) == 0)
        #expect(DoseArithmetic.roundHalfUp(UInt64.max / 2 + 1, UInt64.max) == 1)
        #expect(DoseArithmetic.roundHalfUp(7, 0) == 0)
        var rx = Samples.prescription
        rx.steps = try BoundedArray(elements: [DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 1),
                                               DayProfileStep(startMinute: 1500, doseRateNanogramsPerDay: 1)])
        #expect(rx.minutes(ofStep: 1) == 0)
        rx.concentrationMicrogramsPerMillilitre = 0
        #expect(rx.dailyBasalVolumeNanolitres == 0)
        #expect(MemoryDumpChunk.chunkCount(forImageLength: UInt32.max) == 19_701_685)
    }

    @Test("D5: the refill example's alarm time, and its edges")
    func lowReservoirAlarm() {
        #expect(Samples.prescription.lowReservoirAlarmTime(after: Samples.refill) == 851_575_260)
        #expect(Samples.receipt.lowReservoirAlarmTime == 851_575_260)
        let at = { (resulting: UInt32, time: UInt32, volume: UInt64) in
            DoseArithmetic.lowReservoirAlarmTime(
                resultingReservoirMicrolitres: resulting, refillTime: time,
                lowReservoirThresholdMicrolitres: 2000, dailyBasalVolumeNanolitres: volume)
        }
        #expect(at(2000, 100, 390_000) == 100)  // already at the threshold
        #expect(at(1000, 100, 390_000) == 100)
        #expect(at(20000, 100, 0) == WireLimits.never)  // nothing delivered
        #expect(at(60000, 0xFFFF_FF00, 1) == WireLimits.never)  // past the clock's range
        // One microlitre above the threshold at 1440000 nL/day is one minute.
        #expect(at(2001, 0, 1_440_000) == 60)
    }

    @Test("PW-UNIT-4: the limit compares exact integers, not the rounded daily dose")
    func exactLimit() throws {
        // 1000 ng/day for 1439 minutes and 1001 for 1: W = 1440001, D3 rounds to 1000.
        var rx = Samples.prescription
        rx.steps = try BoundedArray(elements: [
            DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 1000),
            DayProfileStep(startMinute: 1439, doseRateNanogramsPerDay: 1001),
        ])
        rx.maxDailyDoseNanograms = 1000
        #expect(rx.dailyBasalDoseNanograms == 1000)
        #expect(caught { () throws(PumpWireError) in try rx.encodePayloadBytes() } == PumpWireError(.dailyDoseExceedsLimit, at: 16))
        rx.maxDailyDoseNanograms = 1001
        #expect(caught { () throws(PumpWireError) in try rx.encodePayloadBytes() } == nil)
    }
}

extension PrescriptionBlock {
    func encodePayloadBytes() throws(PumpWireError) -> [UInt8] {
        try Message.prescriptionBlock(self).encodedPayload()
    }
}
