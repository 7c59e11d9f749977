/// Ticks (spec/behaviour.md section 2), basal delivery (3), boluses (4) and the reservoir (5).
extension PumpEngine {
    /// The tick at `clock` (a multiple of 60): the steps of section 2, in order.
    mutating func tick() {
        let time = clock
        var cameShort = false
        // The slots that got their whole due at this tick (PW-PUMP-13), for step 2.
        var givenInFull: UInt8 = 0
        // 1. Deliver, if possible as the alarms stand before the tick (PW-PUMP-5).
        if deliveryPossible {
            if !deliverBasal(at: time) { cameShort = true }
            for index in 0..<BolusKind.slotCount where boluses[index] != nil {
                let due = boluses[index]!.due()  // PW-PUMP-8
                let given = take(due)  // PW-PUMP-13
                boluses[index]!.deliveredNanolitres += given
                dayBolusNanolitres += given
                bolusDeliveredTotal &+= UInt32(truncatingIfNeeded: given)
                if given == due { givenInFull |= 1 << UInt8(truncatingIfNeeded: index) } else { cameShort = true }
            }
        }
        // 2. End boluses, in slot order: the last tick delivered, or the tick came short (PW-PUMP-13).
        for index in 0..<BolusKind.slotCount where boluses[index] != nil {
            let lastInFull = boluses[index]!.deliveredLastTick && givenInFull & (1 << UInt8(truncatingIfNeeded: index)) != 0
            if lastInFull {
                endBolus(index, .completed)  // PW-PUMP-11 (ENGINE-QUESTIONS Q3)
            } else if cameShort {
                endBolus(index, .stoppedByAlarm)  // PW-PUMP-13
            }
        }
        // 3. Day boundary (PW-PUMP-23).
        if time % 86_400 == 0 { closeDay(at: time) }
        // 4. Alarms, in the order of their codes (section 6).
        evaluateAlarms(at: time, cameShort: cameShort)
        // 5. Periodic boluses of the minute that begins at `time` (PW-PUMP-10).
        startPeriodicBolus(at: time)
    }

    /// PW-PUMP-6 at the tick `time`: the basal of the minute that ends at `time`. False when the
    /// reservoir could not give the whole due (the tick came short, PW-PUMP-13).
    mutating func deliverBasal(at time: UInt32) -> Bool {
        let minute = UInt16(truncatingIfNeeded: ((time &- 60) / 60) % 1440)  // PW-PUMP-2: the minute of day delivered
        let rate = prescription.steps.withElementsInPlace { (steps) -> UInt32 in  // no copy of the 48 steps
            var rate: UInt32 = 0
            for step in steps where step.startMinute <= minute { rate = step.doseRateNanogramsPerDay }  // the last such step
            return rate
        }
        let unit = 1440 * widen(prescription.concentrationMicrogramsPerMillilitre)
        let accumulator = basalAccumulator + widen(rate) * 1000
        let due = accumulator / unit
        basalAccumulator = accumulator - due * unit
        let given = take(due)
        dayBasalNanolitres += given
        basalDeliveredTotal &+= UInt32(truncatingIfNeeded: given)
        return given == due
    }

    /// PW-PUMP-13: gives `min(due, reservoir)` and takes it from the reservoir.
    mutating func take(_ due: UInt64) -> UInt64 {
        let given = min(due, widen(reservoirNanolitres))
        reservoirNanolitres -= UInt32(truncatingIfNeeded: given)
        return given
    }

    /// Tick step 3 (PW-PUMP-23): the day's `dailyDelivery` when a prescription is stored, and the
    /// day counters start again from 0 either way.
    mutating func closeDay(at time: UInt32) {
        if prescriptionStored {
            let cap = widen(DailyDeliveryRecord.volumeRange.upperBound)
            log(LogRecord(time: time - 86_400, body: .dailyDelivery(DailyDeliveryRecord(
                basalVolumeNanolitres: UInt32(truncatingIfNeeded: min(dayBasalNanolitres, cap)),
                bolusVolumeNanolitres: UInt32(truncatingIfNeeded: min(dayBolusNanolitres, cap)),
                // The record holds 0 to 1440 (13.4; ENGINE-QUESTIONS Q9).
                bolusCount: UInt16(truncatingIfNeeded: min(dayBolusCount, UInt32(DailyDeliveryRecord.bolusCountRange.upperBound)))))),
                in: .therapyHistory)
        }
        dayBasalNanolitres = 0
        dayBolusNanolitres = 0
        dayBolusCount = 0
    }

    /// Tick step 5 (PW-PUMP-10): the periodic bolus whose `startMinute` is `(time / 60) mod 1440`.
    mutating func startPeriodicBolus(at time: UInt32) {
        guard bolusScheduleStored else { return }
        let minute = UInt16(truncatingIfNeeded: (time / 60) % 1440)
        let due = schedule.periodicBoluses.withElementsInPlace { (periodic) -> PeriodicBolus? in
            for bolus in periodic where bolus.startMinute == minute { return bolus }
            return nil
        }
        guard let bolus = due else { return }
        // PW-PUMP-9: a periodic bolus due while its slot is busy is not given, and not logged.
        if deliveryPossible && boluses[BolusKind.periodic.rawValue] != nil { return }
        startBolus(.periodic, doseNanograms: bolus.doseNanograms, durationMinutes: bolus.durationMinutes, at: time)
    }

    // MARK: - Boluses (section 4)

    /// Starts a bolus of `kind` at `time` (PW-PUMP-7): its volume is D4 of the dose at the stored
    /// concentration, or `volumeNanolitres` for a priming bolus.
    mutating func startBolus(
        _ kind: BolusKind, doseNanograms: UInt32, volumeNanolitres: UInt64? = nil, durationMinutes: UInt16, at time: UInt32
    ) {
        guard deliveryPossible else {
            // PW-PUMP-12: no slot, logged at once with nothing delivered, not counted.
            log(LogRecord(time: time, body: .bolusDelivered(BolusDeliveredRecord(
                kind: kind.recordKind, outcome: .stoppedByAlarm, volumeNanolitres: 0, doseNanograms: 0, durationMinutes: 0))),
                in: .eventLog)
            return
        }
        if boluses[kind.rawValue] != nil { endBolus(kind.rawValue, .stoppedByProgrammer) }  // PW-PUMP-9
        let concentration = prescription.concentrationMicrogramsPerMillilitre
        let volume = volumeNanolitres ?? DoseArithmetic.bolusVolumeNanolitres(  // D4
            doseNanograms: doseNanograms, concentrationMicrogramsPerMillilitre: concentration)
        boluses[kind.rawValue] = BolusSlot(
            start: time, volumeNanolitres: volume, durationMinutes: max(durationMinutes, 1),
            doseNanograms: doseNanograms, concentration: concentration)
        dayBolusCount &+= 1  // it took a slot (PW-PUMP-23)
    }

    /// The bolus in slot `index` leaves it and is logged (PW-PUMP-11).
    mutating func endBolus(_ index: Int, _ outcome: BolusOutcome) {
        guard let bolus = boluses[index], let kind = BolusKind(rawValue: index) else { return }
        boluses[index] = nil
        log(bolus.record(kind: kind, outcome: outcome), in: .eventLog)
    }

    /// Every running bolus stops with `outcome`, logged in slot order (PW-PUMP-18, PW-PUMP-19,
    /// PW-PUMP-16, PW-PUMP-22).
    mutating func stopBoluses(_ outcome: BolusOutcome) {
        for index in 0..<BolusKind.slotCount where boluses[index] != nil { endBolus(index, outcome) }
    }

    /// A granted `patientBolusRequest` (PW-PUMP-7, PW-PUMP-26): a patient bolus of D4 of the
    /// requested dose over the stored schedule's patient `durationMinutes`, from the clock now. A
    /// pump whose schedule has no patient bolus gives none, logged as PW-PUMP-12 says
    /// (ENGINE-QUESTIONS Q10).
    public mutating func startPatientBolus(doseNanograms: UInt32) {
        let duration: UInt16 = bolusScheduleStored ? schedule.patientBolus?.durationMinutes ?? 0 : 0
        guard duration > 0 else {
            log(LogRecord(time: clock, body: .bolusDelivered(BolusDeliveredRecord(
                kind: .patient, outcome: .stoppedByAlarm, volumeNanolitres: 0, doseNanograms: 0, durationMinutes: 0))),
                in: .eventLog)
            return
        }
        startBolus(.patient, doseNanograms: doseNanograms, durationMinutes: duration, at: clock)
    }
}
