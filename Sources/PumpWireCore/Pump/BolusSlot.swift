/// The four bolus slots of a pump, in the order ticks deliver them (spec/behaviour.md 2, PW-PUMP-9).
public enum BolusKind: Int, Sendable {
    case clinician = 0
    case priming = 1
    case periodic = 2
    case patient = 3

    /// The slots in tick order: clinician, priming, periodic, patient (tick step 1).
    public static let slotCount = 4

    /// The `kind` of a `bolusDelivered` record (13.4 of `pumpwire-v1.md`), whose numbering differs
    /// from the slot order.
    public var recordKind: DeliveredBolusKind {
        switch self {
        case .clinician: .clinician
        case .priming: .priming
        case .periodic: .periodic
        case .patient: .patient
        }
    }

    /// Its bit in PUMP_OBSERVE's running boluses (`conformance.md` 2.4.11): the slot order.
    public var observationBit: UInt8 { 1 << UInt8(truncatingIfNeeded: rawValue) }
}

/// A running bolus in its slot (PW-PUMP-7, PW-PUMP-8): its volume and duration fixed at its start,
/// and what it has delivered so far.
public struct BolusSlot: Equatable, Sendable {
    /// When it started (`s` of PW-PUMP-8); the `time` of its `bolusDelivered` record.
    public internal(set) var start: UInt32
    /// `V`, nanolitres (PW-PUMP-7): up to 10^11 for a large dose at a low concentration.
    public internal(set) var volumeNanolitres: UInt64
    /// `d`, the ticks it delivers at.
    public internal(set) var durationMinutes: UInt16
    /// Its dose `m` in ng; 0 for a priming bolus, which is given by volume.
    public internal(set) var doseNanograms: UInt32
    /// The prescription's concentration when it started (PW-PUMP-11's `c` for priming).
    public internal(set) var concentration: UInt32
    /// PW-PUMP-8's own accumulator: below `d` between ticks.
    public internal(set) var accumulator: UInt64
    /// Nanolitres given so far.
    public internal(set) var deliveredNanolitres: UInt64
    /// Ticks it has delivered at so far.
    public internal(set) var ticks: UInt16

    init(start: UInt32, volumeNanolitres: UInt64, durationMinutes: UInt16, doseNanograms: UInt32, concentration: UInt32) {
        self.start = start
        self.volumeNanolitres = volumeNanolitres
        self.durationMinutes = durationMinutes
        self.doseNanograms = doseNanograms
        self.concentration = concentration
        accumulator = 0
        deliveredNanolitres = 0
        ticks = 0
    }

    /// PW-PUMP-8: the nanolitres due at its next tick.
    mutating func due() -> UInt64 {
        let divisor = widen(durationMinutes)
        accumulator += volumeNanolitres
        let due = accumulator / divisor
        accumulator -= due * divisor
        ticks &+= 1
        return due
    }

    /// Whether the tick just run was its last (PW-PUMP-8).
    var deliveredLastTick: Bool { ticks >= durationMinutes }

    /// PW-PUMP-11: the `doseNanograms` of its record when it ends with `outcome`.
    func loggedDose(kind: BolusKind, outcome: BolusOutcome) -> UInt32 {
        if kind == .priming {
            // min(RoundHalfUp(delivered * c, 1000), 100000000)
            let dose = DoseArithmetic.roundHalfUp(deliveredNanolitres * widen(concentration), 1000)
            return UInt32(truncatingIfNeeded: min(dose, widen(BolusDeliveredRecord.doseRange.upperBound)))
        }
        if outcome == .completed { return doseNanograms }
        // floor(m * delivered / V); a bolus of volume 0 has given none of its dose (ENGINE-QUESTIONS Q7).
        guard volumeNanolitres > 0 else { return 0 }
        // m <= 10^8 and delivered <= V <= 10^11 (D4 at 1 ug/mL): the product stays below 2^64.
        let dose = widen(doseNanograms) * deliveredNanolitres / volumeNanolitres
        return UInt32(truncatingIfNeeded: min(dose, widen(doseNanograms)))
    }

    /// The `bolusDelivered` record of PW-PUMP-11 for this bolus ending with `outcome`.
    func record(kind: BolusKind, outcome: BolusOutcome) -> LogRecord {
        LogRecord(time: start, body: .bolusDelivered(BolusDeliveredRecord(
            kind: kind.recordKind, outcome: outcome,
            // The record's field holds 0 to 60000000 (13.4; ENGINE-QUESTIONS Q8).
            volumeNanolitres: UInt32(truncatingIfNeeded: min(deliveredNanolitres, widen(BolusDeliveredRecord.volumeRange.upperBound))),
            doseNanograms: loggedDose(kind: kind, outcome: outcome),
            durationMinutes: ticks)))
    }
}
