/// Alarms (spec/behaviour.md section 6): raised and cleared at tick step 4 in the order of their
/// codes, `pumpReset` at a restart and at the next `pumpStatus` (PW-PUMP-17).
extension PumpEngine {
    /// Tick step 4 at `time`: PW-PUMP-16's conditions, code 1, 2, 3, then 9.
    mutating func evaluateAlarms(at time: UInt32, cameShort: Bool) {
        let reservoir = reservoirMicrolitres  // PW-PUMP-1: the detail of the reservoir alarms
        let battery = UInt32(min(batteryMillivolts, PumpStatus.batteryMillivoltsRange.upperBound))
        // 1: at or below the threshold, or at or after D5's time, while a prescription is stored.
        let low = prescriptionStored
            && (widen(reservoirNanolitres) <= widen(prescription.lowReservoirThresholdMicrolitres) * 1000
                || time >= lowReservoirAlarmTime)
        update(.lowReservoir, active: low, detail: reservoir, at: time)
        // 2: this tick came short, or it was active and the reservoir is still empty.
        let empty = cameShort || (activeAlarms.contains(.emptyReservoir) && reservoirNanolitres == 0)
        update(.emptyReservoir, active: empty, detail: reservoir, at: time)
        // 3: raising it stops delivery; running boluses stop, logged after the alarm (PW-PUMP-16).
        if update(.batteryEndOfService, active: batteryMillivolts <= profile.endOfServiceMillivolts, detail: battery, at: time) {
            stopBoluses(.stoppedByAlarm)
        }
        // 9: reported as `electiveReplacementIndicator`, not in `activeAlarms`.
        update(.batteryElectiveReplacement, active: batteryMillivolts <= profile.electiveReplacementMillivolts, detail: battery, at: time)
    }

    /// Raises or clears (cause `resolved`) `alarm` so that it is active exactly when `active`;
    /// true when it was raised now.
    @discardableResult
    mutating func update(_ alarm: LoggedAlarm, active: Bool, detail: UInt32, at time: UInt32) -> Bool {
        if active { return raise(alarm, detail: detail, at: time) }
        clear(alarm, cause: .resolved, detail: detail, at: time)
        return false
    }

    /// Raises `alarm` unless it is active already (section 6): `alarmRaised` in the `alarmLog`.
    @discardableResult
    mutating func raise(_ alarm: LoggedAlarm, detail: UInt32, at time: UInt32) -> Bool {
        guard !isActive(alarm) else { return false }
        setActive(alarm, true)
        log(LogRecord(time: time, body: .alarmRaised(AlarmRaisedRecord(alarm: alarm, detail: detail))), in: .alarmLog)
        return true
    }

    /// Clears `alarm` if it is active: `alarmCleared` with `cause` in the `alarmLog`.
    mutating func clear(_ alarm: LoggedAlarm, cause: AlarmClearCause, detail: UInt32, at time: UInt32) {
        guard isActive(alarm) else { return }
        setActive(alarm, false)
        log(LogRecord(time: time, body: .alarmCleared(AlarmClearedRecord(alarm: alarm, cause: cause, detail: detail))), in: .alarmLog)
    }

    /// Whether `alarm` is active: its bit of `activeAlarms` (code - 1), or the ERI.
    public func isActive(_ alarm: LoggedAlarm) -> Bool {
        alarm == .batteryElectiveReplacement ? electiveReplacementIndicator : activeAlarms.contains(Self.bit(of: alarm))
    }

    mutating func setActive(_ alarm: LoggedAlarm, _ active: Bool) {
        if alarm == .batteryElectiveReplacement {
            electiveReplacementIndicator = active
        } else if active {
            activeAlarms.insert(Self.bit(of: alarm))
        } else {
            activeAlarms = ActiveAlarms(rawValue: activeAlarms.rawValue & ~Self.bit(of: alarm).rawValue)
        }
    }

    /// The `activeAlarms` bit of an alarm code 1 to 8 (9.2: bit order, code minus one).
    static func bit(of alarm: LoggedAlarm) -> ActiveAlarms {
        ActiveAlarms(rawValue: 1 << UInt16(alarm.rawValue - 1))
    }

    /// PW-PUMP-17: after the `pumpStatus` that reported it, `pumpReset` clears, acknowledged.
    mutating func acknowledgePumpReset(at time: UInt32) {
        clear(.pumpReset, cause: .acknowledged, detail: 0, at: time)
    }
}
