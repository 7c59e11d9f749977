import PumpWire
import PumpWireCore

/// Derived quantities (spec 2.3): D2, D3 and D5. The expected numbers were computed by hand from
/// the spec's formulas (and checked with a separate script), never by our DoseArithmetic.
enum DerivedCases {
    typealias D = DeclaredMessages

    static func derived(
        _ name: String, _ requirements: [String], prescription: PrescriptionBlock, refill: RefillConfirmation,
        volume: UInt64, dose: UInt64, alarm: UInt32, comment: String
    ) -> VectorCase {
        let frames = [Frame(sequence: 1, message: .prescriptionBlock(prescription)), Frame(sequence: 2, message: .refillConfirmation(refill))]
        return VectorCase(name, requirements: requirements, kind: "derived", messageType: "prescriptionBlock", comment: comment, body: [
            ("inputs", .array(frames.map { V.hex((try? $0.encoded()) ?? []) })), ("result", .string("valid")),
            ("values", .object([("dailyBasalVolumeNanolitres", V.int(volume)), ("dailyBasalDoseNanograms", V.int(dose)),
                                ("lowReservoirAlarmTime", V.int(alarm))])),
        ])
    }

    /// A DERIVE the testee must refuse with `code` at `offset`.
    static func refused(
        _ name: String, _ requirements: [String], prescription: [UInt8], refill: [UInt8], _ code: ErrorCode, at offset: Int,
        comment: String
    ) -> VectorCase {
        VectorCase(name, requirements: requirements, kind: "derived", messageType: "prescriptionBlock", comment: comment, body: [
            ("inputs", .array([V.hex(prescription), V.hex(refill)])), ("result", .string("invalid")), ("error", V.error(code, offset)),
        ])
    }

    /// The rounding cases of spec/cases.txt each edge checks.
    static let edgeCases: [String: [String]] = [
        "DailyDoseTieEven": ["round-tie-even"],
        "DailyDoseTieOdd": ["round-tie-odd"],
        "DailyDoseJustBelowHalf": ["round-below-half"],
        "DailyDoseJustAboveHalf": ["round-above-half"],
        "VolumeTieEven": ["round-tie-even"],
        "VolumeTieOdd": ["round-tie-odd"],
        "VolumeJustBelowHalf": ["round-below-half"],
        "VolumeJustAboveHalf": ["round-above-half"],
        "VolumeFromExactSum": ["volume-from-w"],
        "VolumeNotSumOfSteps": ["volume-from-w"],
        "AlarmMinuteHalf": ["alarm-floor"],
        "AlarmMinuteJustBelowWhole": ["alarm-floor"],
        "AlarmOneAboveThreshold": ["alarm-floor"],
        "AlarmNoBasalVolume": ["alarm-no-volume"],
        "AlarmNoBasalVolumeAtThreshold": ["alarm-at-threshold"],
        "AlarmLastSecondIsNever": ["alarm-saturates"],
        "AlarmSecondBeforeNever": ["alarm-saturates"],
    ]

    static var cases: [VectorCase] {
        func steps(_ list: [(UInt16, UInt32)]) -> BoundedArray<48, DayProfileStep> {
            try! BoundedArray(elements: list.map { DayProfileStep(startMinute: $0.0, doseRateNanogramsPerDay: $0.1) })
        }
        var baclofen = D.prescription
        baclofen.drug = .baclofen
        baclofen.mode = .continuous
        baclofen.concentrationMicrogramsPerMillilitre = 500
        baclofen.steps = steps([(0, 200_000)])
        var third = D.prescription
        third.mode = .continuous
        third.concentrationMicrogramsPerMillilitre = 3
        third.lowReservoirThresholdMicrolitres = 500
        third.steps = steps([(0, 1)])
        var ziconotide = D.prescription
        ziconotide.drug = .ziconotide
        ziconotide.concentrationMicrogramsPerMillilitre = 25
        ziconotide.lowReservoirThresholdMicrolitres = 1000
        ziconotide.maxDailyDoseNanograms = 19_200
        ziconotide.steps = steps([(0, 2400), (360, 3600), (1080, 2400)])
        var pure = D.prescription
        pure.mode = .continuous
        pure.concentrationMicrogramsPerMillilitre = 1
        pure.lowReservoirThresholdMicrolitres = 500
        pure.steps = steps([(0, 1)])
        var strongest = D.prescription
        strongest.mode = .continuous
        strongest.concentrationMicrogramsPerMillilitre = 1
        strongest.lowReservoirThresholdMicrolitres = 10_000
        strongest.reservoirCapacityMicrolitres = 60_000
        strongest.maxDailyDoseNanograms = 1_000_000_000
        strongest.steps = steps([(0, 1_000_000_000)])
        func refill(_ resulting: UInt32, at time: UInt32, drug: Drug = .morphine, concentration: UInt32 = 2000) -> RefillConfirmation {
            RefillConfirmation(drug: drug, concentrationMicrogramsPerMillilitre: concentration, volumeWithdrawnMicrolitres: 0,
                               volumeAddedMicrolitres: resulting, resultingReservoirMicrolitres: resulting, refillTime: time)
        }
        /// A morphine prescription at `c` with these steps, threshold 500 µL, and a refill to `resulting` at `time`.
        func edge(
            _ name: String, _ mode: DeliveryMode, c: UInt32, _ list: [(UInt16, UInt32)], resulting: UInt32, at time: UInt32,
            volume: UInt64, dose: UInt64, alarm: UInt32, comment: String
        ) -> VectorCase {
            var rx = D.prescription
            rx.mode = mode
            rx.concentrationMicrogramsPerMillilitre = c
            rx.lowReservoirThresholdMicrolitres = 500
            rx.maxDailyDoseNanograms = 1_000_000_000
            rx.steps = steps(list)
            return derived("Required.Derived.\(name)", ["PW-UNIT-3", "PW-REFILL-4"], prescription: rx,
                           refill: refill(resulting, at: time, concentration: c), volume: volume, dose: dose, alarm: alarm, comment: comment)
                .covering(Self.edgeCases[name, default: []].map { "PW-UNIT-3/\($0)" })
        }
        let refillFrame = (try? Frame(sequence: 2, message: .refillConfirmation(D.refill)).encoded()) ?? []
        let badRx = V.frame(type: 0x02, payload: V.patch(MessageCases.raw(.prescriptionBlock(D.prescription)), at: 21, V.le(60, 2)))
        return [
            derived("Required.Derived.WorkedExample", ["PW-UNIT-3", "PW-REFILL-4"], prescription: D.prescription, refill: D.refill,
                    volume: 390_000, dose: 780_000, alarm: 851_575_260,
                    comment: "Spec 2.3 and 9.6: W = 1123200000, D2 = 390000, D3 = 780000, 66461 minutes."),
            derived("Required.Derived.Continuous", ["PW-UNIT-3"], prescription: baclofen, refill: refill(20000, at: 847_587_600, drug: .baclofen, concentration: 500),
                    volume: 400_000, dose: 200_000, alarm: 851_475_600, comment: "200000 ng/day at 500 µg/mL: 400000 nL/day, 64800 minutes."),
            derived("Required.Derived.RoundsHalfUp", ["PW-UNIT-3"], prescription: third, refill: refill(600, at: 847_587_600, concentration: 3),
                    volume: 333, dose: 1, alarm: 873_533_520, comment: "1 ng/day at 3 µg/mL is 333.3 nL/day: rounds to 333."),
            derived("Required.Derived.ThreeSteps", ["PW-UNIT-3", "PW-UNIT-2"], prescription: ziconotide,
                    refill: refill(18000, at: 900_000_000, drug: .ziconotide, concentration: 25),
                    volume: 120_000, dose: 3000, alarm: 912_240_000, comment: "Ziconotide: 3000 ng/day, 120000 nL/day."),
            derived("Required.Derived.AtThreshold", ["PW-UNIT-3"], prescription: D.prescription, refill: refill(2000, at: 847_587_600),
                    volume: 390_000, dose: 780_000, alarm: 847_587_600, comment: "Refilled to the threshold: the alarm is due at once."),
            derived("Required.Derived.PastTheClock", ["PW-UNIT-3", "PW-UNIT-1"], prescription: pure, refill: refill(60000, at: 0, concentration: 1),
                    volume: 1000, dose: 1, alarm: 0xFFFF_FFFF, comment: "85680000 minutes from 0 lie past the clock's range: never."),
            derived("Required.Derived.Largest", ["PW-UNIT-3"], prescription: strongest, refill: refill(60000, at: 0, concentration: 1),
                    volume: 1_000_000_000_000, dose: 1_000_000_000, alarm: 0,
                    comment: "The largest rate at the weakest concentration: every intermediate fits 64 bits."),
            // Rounding edges (2.2): exact ties, just below and just above a half, for D3 (W / 1440) and
            // D2 (W * 1000 / (1440 c)); D5's floor to whole minutes; the order of 2.3's formulas.
            // vectors/tools/derived.py computes every value from the spec's words and names the
            // misreadings each case tells apart.
            edge("DailyDoseTieEven", .timeOfDay, c: 1000, [(0, 2), (720, 3)], resulting: 501, at: 847_587_600,
                 volume: 3, dose: 3, alarm: 876_387_600, comment: "W = 3600: 2.5 rounds half up to 3 (floor, half down and half even give 2)."),
            edge("DailyDoseTieOdd", .timeOfDay, c: 1000, [(0, 3), (720, 4)], resulting: 501, at: 847_587_600,
                 volume: 4, dose: 4, alarm: 869_187_600, comment: "W = 5040: 3.5 rounds half up to 4 (floor and half down give 3)."),
            edge("DailyDoseJustBelowHalf", .timeOfDay, c: 1000, [(0, 721), (1, 2)], resulting: 501, at: 847_587_600,
                 volume: 2, dose: 2, alarm: 890_787_600, comment: "W = 3599: 2.4993 rounds to 2 (ceiling gives 3)."),
            edge("DailyDoseJustAboveHalf", .timeOfDay, c: 1000, [(0, 723), (1, 2)], resulting: 501, at: 847_587_600,
                 volume: 3, dose: 3, alarm: 876_387_600, comment: "W = 3601: 2.5007 rounds to 3 (floor gives 2)."),
            edge("VolumeTieEven", .continuous, c: 400, [(0, 1)], resulting: 501, at: 847_587_600,
                 volume: 3, dose: 1, alarm: 876_387_600, comment: "1 ng/day at 400 µg/mL: D2 = 2.5 nL/day rounds half up to 3."),
            edge("VolumeTieOdd", .continuous, c: 2000, [(0, 3)], resulting: 501, at: 847_587_600,
                 volume: 2, dose: 3, alarm: 890_787_600, comment: "3 ng/day at 2000 µg/mL: D2 = 1.5 nL/day rounds half up to 2."),
            edge("VolumeJustBelowHalf", .continuous, c: 401, [(0, 1)], resulting: 501, at: 847_587_600,
                 volume: 2, dose: 1, alarm: 890_787_600, comment: "1 ng/day at 401 µg/mL: D2 = 2.494 rounds to 2."),
            edge("VolumeJustAboveHalf", .continuous, c: 399, [(0, 1)], resulting: 501, at: 847_587_600,
                 volume: 3, dose: 1, alarm: 876_387_600, comment: "1 ng/day at 399 µg/mL: D2 = 2.506 rounds to 3."),
            edge("VolumeFromExactSum", .timeOfDay, c: 3, [(0, 2), (720, 3)], resulting: 501, at: 847_587_600,
                 volume: 833, dose: 3, alarm: 847_691_280,
                 comment: "D2 is RoundHalfUp(W * 1000, 1440 c) = 833, not RoundHalfUp(D3 * 1000, c) = 1000 from the rounded D3."),
            edge("VolumeNotSumOfSteps", .timeOfDay, c: 1000, [(0, 1), (720, 1)], resulting: 501, at: 847_587_600,
                 volume: 1, dose: 1, alarm: 933_987_600, comment: "Two half-days of 0.5 nL/day each: D2 = 1, not the sum of two rounded halves, 2."),
            edge("AlarmMinuteHalf", .continuous, c: 1, [(0, 2880)], resulting: 1501, at: 847_587_600,
                 volume: 2_880_000, dose: 2880, alarm: 847_617_600, comment: "500.5 minutes to the threshold: floor gives 500 (30000 s), not 501 or 30030 s."),
            edge("AlarmMinuteJustBelowWhole", .continuous, c: 1000, [(0, 1_438_560)], resulting: 1498, at: 847_587_600,
                 volume: 1_438_560, dose: 1_438_560, alarm: 847_647_480,
                 comment: "998.999 minutes: floor gives 998 (59880 s), not 999, nor 59939 s counted in seconds."),
            edge("AlarmOneAboveThreshold", .continuous, c: 1, [(0, 1)], resulting: 501, at: 847_587_600,
                 volume: 1000, dose: 1, alarm: 847_674_000, comment: "1 µL above the threshold at 1000 nL/day: 1440 minutes."),
            edge("AlarmNoBasalVolume", .continuous, c: 100_000, [(0, 1)], resulting: 20000, at: 847_587_600,
                 volume: 0, dose: 1, alarm: 0xFFFF_FFFF, comment: "1 ng/day at 100000 µg/mL: D2 rounds to 0 nL/day, so the alarm never comes."),
            edge("AlarmNoBasalVolumeAtThreshold", .continuous, c: 100_000, [(0, 1)], resulting: 500, at: 847_587_600,
                 volume: 0, dose: 1, alarm: 847_587_600, comment: "At the threshold the alarm is due at once, even with D2 = 0: R <= L is checked first."),
            edge("AlarmLastSecondIsNever", .continuous, c: 1, [(0, 1)], resulting: 501, at: 4_294_880_895,
                 volume: 1000, dose: 1, alarm: 0xFFFF_FFFF, comment: "The alarm would fall at 0xffffffff itself: never."),
            edge("AlarmSecondBeforeNever", .continuous, c: 1, [(0, 1)], resulting: 501, at: 4_294_880_894,
                 volume: 1000, dose: 1, alarm: 0xFFFF_FFFE, comment: "The alarm falls at 0xfffffffe, the last second the clock has."),
            refused("Required.Derived.WrongMessageType", ["PW-UNIT-3"], prescription: refillFrame, refill: refillFrame,
                    .fieldOutOfRange, at: 3, comment: "The first frame must be a prescription (spec/conformance.md 2.4.6)."),
            refused("Required.Derived.FragmentFrame", ["PW-UNIT-3"],
                    prescription: FragmentCases.frames(.prescriptionBlock(D.prescription(steps: 48)), sequence: 1)[0], refill: refillFrame,
                    .fieldOutOfRange, at: 3, comment: "DERIVE takes whole messages, not fragments (spec/conformance.md 2.4.6)."),
            refused("Required.Derived.PrescriptionRejected", ["PW-UNIT-3", "PW-RX-7"], prescription: badRx, refill: refillFrame,
                    .dayProfileGap, at: 30, comment: "Nothing is derived from a prescription that does not decode."),
        ]
    }
}
