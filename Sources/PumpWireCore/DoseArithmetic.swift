/// The derived quantities of spec 2.3, in 64-bit unsigned integers with the spec's rounding, so
/// that programmer and firmware compute identical numbers (PW-UNIT-3).
public enum DoseArithmetic {
    /// floor((2n + d) / (2d)): division rounding half up (spec 2.2), computed as quotient plus
    /// one when the remainder is at least half, so no intermediate overflows. 0 when `d` is 0.
    public static func roundHalfUp(_ numerator: UInt64, _ denominator: UInt64) -> UInt64 {
        guard denominator > 0 else { return 0 }
        let remainder = numerator % denominator
        return numerator / denominator + (remainder >= denominator - remainder ? 1 : 0)
    }

    /// D1: the flow of a dose rate at a concentration, nL/day.
    public static func flowNanolitresPerDay(
        doseRateNanogramsPerDay rate: UInt32, concentrationMicrogramsPerMillilitre c: UInt32
    ) -> UInt64 {
        roundHalfUp(widen(rate) * 1000, widen(c))
    }

    /// D4: the volume of a bolus of `dose` ng at a concentration, nL.
    public static func bolusVolumeNanolitres(
        doseNanograms dose: UInt32, concentrationMicrogramsPerMillilitre c: UInt32
    ) -> UInt64 {
        roundHalfUp(widen(dose) * 1000, widen(c))
    }

    /// D5: when the reservoir will reach the low-reservoir threshold, in pump-clock seconds.
    public static func lowReservoirAlarmTime(
        resultingReservoirMicrolitres resulting: UInt32, refillTime: UInt32,
        lowReservoirThresholdMicrolitres threshold: UInt32, dailyBasalVolumeNanolitres volume: UInt64
    ) -> UInt32 {
        if resulting <= threshold { return refillTime }
        if volume == 0 { return WireLimits.never }
        let minutes = widen(resulting - threshold) * 1000 * 1440 / volume
        let (product, productOverflow) = minutes.multipliedReportingOverflow(by: 60)
        let (time, sumOverflow) = product.addingReportingOverflow(widen(refillTime))
        if productOverflow || sumOverflow || time >= widen(WireLimits.never) { return WireLimits.never }
        return UInt32(truncatingIfNeeded: time)  // below 0xFFFFFFFF, checked above
    }
}

extension PrescriptionBlock {
    /// How long step `index` lasts, in minutes (spec 2.3); 0 for a step that a decoder would
    /// reject for its order (so hand-built values never trap).
    @inline(__always)  // a call would copy the 48 steps to the stack
    public func minutes(ofStep index: Int) -> UInt16 {
        let end = index + 1 < steps.count ? steps[index + 1].startMinute : WireLimits.minutesPerDay
        let start = steps[index].startMinute
        return end > start ? end - start : 0
    }

    /// W of spec 2.3: the sum of rate × minutes over the steps, ng·min/day.
    @inline(__always)  // a call would copy the 48 steps to the stack
    public var dailyDoseMinuteWeighted: UInt64 {
        steps.withUnsafeBufferPointer { steps in
            var sum: UInt64 = 0
            for index in steps.indices {
                let end = index + 1 < steps.count ? steps[index + 1].startMinute : WireLimits.minutesPerDay
                let start = steps[index].startMinute
                sum += widen(steps[index].doseRateNanogramsPerDay) * widen(end > start ? end - start : 0)
            }
            return sum
        }
    }

    /// D2: nL/day delivered by the profile.
    @inline(__always)  // a call would copy the 48 steps to the stack
    public var dailyBasalVolumeNanolitres: UInt64 {
        DoseArithmetic.roundHalfUp(
            dailyDoseMinuteWeighted * 1000, 1440 * widen(concentrationMicrogramsPerMillilitre))
    }

    /// D3: ng/day delivered by the profile, rounded for display; limits use the exact W.
    @inline(__always)  // a call would copy the 48 steps to the stack
    public var dailyBasalDoseNanograms: UInt64 {
        DoseArithmetic.roundHalfUp(dailyDoseMinuteWeighted, 1440)
    }

    /// D5 for a refill under this prescription.
    @inline(__always)  // a call would copy the 48 steps to the stack
    public func lowReservoirAlarmTime(after refill: RefillConfirmation) -> UInt32 {
        DoseArithmetic.lowReservoirAlarmTime(
            resultingReservoirMicrolitres: refill.resultingReservoirMicrolitres,
            refillTime: refill.refillTime,
            lowReservoirThresholdMicrolitres: lowReservoirThresholdMicrolitres,
            dailyBasalVolumeNanolitres: dailyBasalVolumeNanolitres)
    }
}
