/// A pump as spec/behaviour.md says: what it delivers tick by tick, its alarms, its answers, what
/// it keeps across a restart and what it logs. It runs on a pump's own clock, which the caller
/// drives (`advance`, `setClock`: the hooks of `conformance.md` 2.4.11). No heap: every buffer is
/// inline and bounded by the spec's limits; answers are built on the stack, one frame at a time,
/// and handed to the caller's `send`.
public struct PumpEngine: Sendable {
    /// Appendix P's parameters; `reset(clock:batteryMillivolts:profile:)` may change them.
    public internal(set) var profile: PumpProfile
    /// The pump clock (PW-UNIT-1), 0 to 0xfffffffe.
    public internal(set) var clock: UInt32
    /// What the battery measures, mV.
    public internal(set) var batteryMillivolts: UInt16

    /// The stored prescription, valid while `prescriptionStored` (held in place, not optional, so
    /// that reading its steps never copies it).
    var prescription: PrescriptionBlock
    public internal(set) var prescriptionStored = false
    /// CRC-32 of the stored prescription's payload (PW-CRC-3), 0 when none.
    public internal(set) var prescriptionDigest: UInt32 = 0
    /// The stored bolus schedule, valid while `bolusScheduleStored`.
    var schedule: BolusSchedule
    public internal(set) var bolusScheduleStored = false
    public internal(set) var bolusScheduleDigest: UInt32 = 0

    /// The drug in the reservoir, nL (PW-PUMP-1): 0 to 60000000.
    public internal(set) var reservoirNanolitres: UInt32 = 0
    /// D5's time, or 0xffffffff for never (PW-PUMP-14, PW-PUMP-15).
    public internal(set) var lowReservoirAlarmTime: UInt32 = WireLimits.never
    /// PW-PUMP-6: below `1440 * c` between ticks.
    public internal(set) var basalAccumulator: UInt64 = 0
    /// The slots in tick order (`BolusKind.rawValue`), each empty or one running bolus.
    var boluses = InlineArray<4, BolusSlot?>(repeating: nil)
    /// The alarms of `pumpStatus` (9.2).
    public internal(set) var activeAlarms = ActiveAlarms.none
    /// `batteryElectiveReplacement` (code 9), which has no bit in `activeAlarms`.
    public internal(set) var electiveReplacementIndicator = false
    /// Since the last day boundary (PW-PUMP-23).
    var dayBasalNanolitres: UInt64 = 0
    var dayBolusNanolitres: UInt64 = 0
    var dayBolusCount: UInt32 = 0
    /// PW-PUMP-20: the last `prescriptionBlock`, `bolusSchedule` or `refillConfirmation` answered.
    var lastRequest: KeptRequest?
    /// Since the engine was made (PUMP_OBSERVE), modulo 2^32.
    var basalDeliveredTotal: UInt32 = 0
    var bolusDeliveredTotal: UInt32 = 0

    /// The three log regions (section 10).
    var logs: PumpLogMemory
    /// A fragmented request in progress (section 5 of `pumpwire-v1.md`); lost at a restart.
    var reassembler = Reassembler()

    /// A pump fresh from the factory (section 1) at this clock and battery: no prescription, no
    /// schedule, an empty reservoir, no alarm, erased logs, no last request.
    public init(clock: UInt32, batteryMillivolts: UInt16, profile: PumpProfile = .conformance) {
        self.profile = profile
        self.clock = min(clock, WireLimits.never - 1)  // PW-UNIT-1: 0xffffffff is not a time
        self.batteryMillivolts = batteryMillivolts
        prescription = Self.noPrescription
        schedule = BolusSchedule()
        logs = PumpLogMemory(profile: profile)
    }

    /// What `prescription` holds while none is stored: any valid block will do.
    static var noPrescription: PrescriptionBlock {
        PrescriptionBlock(
            drug: .morphine, mode: .continuous, concentrationMicrogramsPerMillilitre: 1,
            reservoirCapacityMicrolitres: 1_000, lowReservoirThresholdMicrolitres: 500, catheterVolumeMicrolitres: 0,
            maxDailyDoseNanograms: 1, steps: BoundedArray())
    }

    // MARK: - The hooks of conformance.md 2.4.11

    /// PUMP_RESET in place: the pump fresh from the factory (section 1) at this clock and battery,
    /// its profile kept. Nothing the size of the pump is built on the stack, as `init` may.
    public mutating func reset(clock: UInt32, batteryMillivolts: UInt16) {
        reset(clock: clock, batteryMillivolts: batteryMillivolts, profile: profile)
    }

    /// PUMP_RESET in place with `profile`. Every stored property is assigned before anything reads
    /// it (the reassembler's buffer and fragment fields only after its `reset`, once fragments
    /// come), so that a C caller can make a pump in its own zeroed storage (the engine is a trivial
    /// type, `_isPOD`) without an 11 KiB value on its stack.
    public mutating func reset(clock: UInt32, batteryMillivolts: UInt16, profile: PumpProfile) {
        self.profile = profile
        self.clock = min(clock, WireLimits.never - 1)
        self.batteryMillivolts = batteryMillivolts
        prescription = Self.noPrescription
        prescriptionStored = false
        prescriptionDigest = 0
        schedule = BolusSchedule()
        bolusScheduleStored = false
        bolusScheduleDigest = 0
        reservoirNanolitres = 0
        lowReservoirAlarmTime = WireLimits.never
        basalAccumulator = 0
        for index in 0..<BolusKind.slotCount { boluses[index] = nil }
        activeAlarms = .none
        electiveReplacementIndicator = false
        dayBasalNanolitres = 0
        dayBolusNanolitres = 0
        dayBolusCount = 0
        lastRequest = nil
        basalDeliveredTotal = 0
        bolusDeliveredTotal = 0
        logs.erase(profile: profile)
        reassembler.reset()
    }

    /// Time elapses (PW-PUMP-3): every tick `t` with `clock < t <= clock + seconds` runs, in order.
    /// FIELD_OUT_OF_RANGE (offset 0), and nothing changed, if the clock would pass 0xfffffffe.
    public mutating func advance(seconds: UInt32) throws(PumpWireError) {
        let target = widen(clock) + widen(seconds)
        try require(target < widen(WireLimits.never), .fieldOutOfRange, at: 0)
        var tickTime = (widen(clock) / 60 + 1) * 60  // PW-PUMP-2: ticks at multiples of 60
        while tickTime <= target {
            clock = UInt32(truncatingIfNeeded: tickTime)
            tick()
            tickTime += 60
        }
        clock = UInt32(truncatingIfNeeded: target)
    }

    /// Sets the clock (PW-PUMP-4): no tick runs, nothing is delivered, a `clockChanged` record is
    /// written. 0xffffffff is not a time (PW-UNIT-1) and changes nothing.
    public mutating func setClock(_ time: UInt32) {
        guard time != WireLimits.never else { return }
        let previous = clock
        clock = time
        logEvent(LogRecord(time: time, body: .clockChanged(ClockChangedRecord(previousTime: previous))))  // PW-PUMP-4
    }

    /// The battery measures `millivolts` from now on; the alarms follow at the next tick (PW-PUMP-16).
    public mutating func setBattery(millivolts: UInt16) {
        batteryMillivolts = millivolts
    }

    /// A restart (PW-PUMP-22): the basal accumulator and the running boluses are lost (each logged
    /// `stoppedByAlarm`), so is a message whose fragments were arriving (PW-PUMP-21); the clock runs
    /// on, and `pumpReset` is raised (PW-PUMP-17). Everything else of section 1 is kept.
    public mutating func restart() {
        basalAccumulator = 0
        stopBoluses(.stoppedByAlarm)
        reassembler.reset()
        raise(.pumpReset, detail: 0, at: clock)  // PW-PUMP-17
    }

    /// What PUMP_OBSERVE answers (`conformance.md` 2.4.11).
    public var observation: PumpObservation {
        var running: UInt8 = 0
        for index in 0..<BolusKind.slotCount where boluses[index] != nil { running |= 1 << UInt8(truncatingIfNeeded: index) }
        return PumpObservation(
            clock: clock, reservoirNanolitres: reservoirNanolitres, activeAlarms: activeAlarms, statusFlags: statusFlags,
            runningBoluses: running, basalDeliveredNanolitres: basalDeliveredTotal, bolusDeliveredNanolitres: bolusDeliveredTotal,
            lowReservoirAlarmTime: lowReservoirAlarmTime, basalAccumulator: UInt32(truncatingIfNeeded: basalAccumulator),
            recordsWritten: logs.recordsWritten)
    }

    /// The bytes of a region as a dump reads them (PUMP_READ_MEMORY): FIELD_OUT_OF_RANGE at 5 when
    /// they run past its end (PW-DUMP-10), BUFFER_TOO_SMALL when `into` is shorter than `length`.
    public func readMemory(region: MemoryRegion, offset: UInt32, length: UInt32, into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) {
        try logs.read(region: region, offset: offset, length: length, into: buffer)
    }

    /// A region's length in bytes (Appendix P); for `rawAddress`, the three log regions together.
    public func memorySize(of region: MemoryRegion) -> Int { logs.size(of: region) }

    /// The running bolus of `kind`, if its slot holds one.
    public func runningBolus(_ kind: BolusKind) -> BolusSlot? { boluses[kind.rawValue] }

    // MARK: - State as pumpStatus reports it (9.2)

    /// `statusFlags` of `pumpStatus`: `deliverySuspended` exactly while `batteryEndOfService` is
    /// active (PW-PUMP-5).
    public var statusFlags: UInt8 {
        var flags: UInt8 = 0
        if prescriptionStored { flags |= PumpObservation.StatusFlag.prescriptionStored }
        if bolusScheduleStored { flags |= PumpObservation.StatusFlag.bolusScheduleStored }
        if activeAlarms.contains(.batteryEndOfService) { flags |= PumpObservation.StatusFlag.deliverySuspended }
        if electiveReplacementIndicator { flags |= PumpObservation.StatusFlag.electiveReplacementIndicator }
        return flags
    }

    /// PW-PUMP-1: the reservoir in microlitres, rounded down.
    var reservoirMicrolitres: UInt32 { reservoirNanolitres / 1000 }

    /// PW-PUMP-5: a prescription is stored and neither `emptyReservoir` nor
    /// `batteryEndOfService` is active.
    public var deliveryPossible: Bool {
        prescriptionStored && !activeAlarms.contains(.emptyReservoir) && !activeAlarms.contains(.batteryEndOfService)
    }

    // MARK: - Logs

    /// Writes a record of the `eventLog`: the security layer's (PW-PUMP-26) and the engine's own.
    mutating func logEvent(_ record: LogRecord) {
        logs.append(record, to: .eventLog)
    }

    mutating func log(_ record: LogRecord, in region: MemoryRegion) {
        logs.append(record, to: region)
    }
}

/// PW-PUMP-20: a request that changed delivery, kept with its answer (across restarts too).
struct KeptRequest: Sendable {
    var messageType: UInt8
    var sequence: UInt16
    /// CRC-32 of its payload.
    var payloadDigest: UInt32
    var answer: ShortAnswer
}
