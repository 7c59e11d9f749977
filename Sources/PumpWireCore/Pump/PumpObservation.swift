/// The 32 bytes of PUMP_OBSERVE (`conformance.md` 2.4.11): the pump's state, exact where the
/// protocol shows only microlitres.
public struct PumpObservation: Equatable, Sendable {
    public static let size = 32

    /// The `statusFlags` bits of `pumpStatus` (9.2 of `pumpwire-v1.md`).
    public enum StatusFlag {
        public static let prescriptionStored: UInt8 = 1 << 0
        public static let bolusScheduleStored: UInt8 = 1 << 1
        public static let deliverySuspended: UInt8 = 1 << 2
        public static let electiveReplacementIndicator: UInt8 = 1 << 3
    }

    public var clock: UInt32
    public var reservoirNanolitres: UInt32
    /// As in `pumpStatus` (9.2).
    public var activeAlarms: ActiveAlarms
    /// As in `pumpStatus` (9.2): `StatusFlag`.
    public var statusFlags: UInt8
    /// Bit 0 `clinician`, 1 `priming`, 2 `periodic`, 3 `patient` (`BolusKind.observationBit`).
    public var runningBoluses: UInt8
    /// Basal nanolitres delivered since PUMP_RESET, modulo 2^32.
    public var basalDeliveredNanolitres: UInt32
    /// Bolus nanolitres delivered since PUMP_RESET, modulo 2^32.
    public var bolusDeliveredNanolitres: UInt32
    /// `0xffffffff` for never.
    public var lowReservoirAlarmTime: UInt32
    /// PW-PUMP-6's accumulator, below `1440 * c`.
    public var basalAccumulator: UInt32
    /// Records written since PUMP_RESET, all regions, modulo 2^32.
    public var recordsWritten: UInt32

    public init(
        clock: UInt32, reservoirNanolitres: UInt32, activeAlarms: ActiveAlarms, statusFlags: UInt8, runningBoluses: UInt8,
        basalDeliveredNanolitres: UInt32, bolusDeliveredNanolitres: UInt32, lowReservoirAlarmTime: UInt32,
        basalAccumulator: UInt32, recordsWritten: UInt32
    ) {
        self.clock = clock
        self.reservoirNanolitres = reservoirNanolitres
        self.activeAlarms = activeAlarms
        self.statusFlags = statusFlags
        self.runningBoluses = runningBoluses
        self.basalDeliveredNanolitres = basalDeliveredNanolitres
        self.bolusDeliveredNanolitres = bolusDeliveredNanolitres
        self.lowReservoirAlarmTime = lowReservoirAlarmTime
        self.basalAccumulator = basalAccumulator
        self.recordsWritten = recordsWritten
    }

    public var prescriptionStored: Bool { statusFlags & StatusFlag.prescriptionStored != 0 }
    public var bolusScheduleStored: Bool { statusFlags & StatusFlag.bolusScheduleStored != 0 }
    public var deliverySuspended: Bool { statusFlags & StatusFlag.deliverySuspended != 0 }
    public var electiveReplacementIndicator: Bool { statusFlags & StatusFlag.electiveReplacementIndicator != 0 }

    /// Whether a bolus of `kind` holds its slot.
    public func isRunning(_ kind: BolusKind) -> Bool { runningBoluses & kind.observationBit != 0 }

    /// Writes the 32 bytes, little-endian, in the order of the table of 2.4.11; returns 32.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Int {
        var writer = ByteWriter(buffer)
        try writer.writeUInt32(clock)
        try writer.writeUInt32(reservoirNanolitres)
        try writer.writeUInt16(activeAlarms.rawValue)
        try writer.writeUInt8(statusFlags)
        try writer.writeUInt8(runningBoluses)
        try writer.writeUInt32(basalDeliveredNanolitres)
        try writer.writeUInt32(bolusDeliveredNanolitres)
        try writer.writeUInt32(lowReservoirAlarmTime)
        try writer.writeUInt32(basalAccumulator)
        try writer.writeUInt32(recordsWritten)
        return writer.count
    }

    /// Reads the 32 bytes a testee answers PUMP_OBSERVE with (LENGTH_MISMATCH when not 32).
    public init(decoding bytes: UnsafeRawBufferPointer) throws(PumpWireError) {
        var reader = ByteReader(bytes)
        clock = try reader.readUInt32()
        reservoirNanolitres = try reader.readUInt32()
        activeAlarms = ActiveAlarms(rawValue: try reader.readUInt16())
        statusFlags = try reader.readUInt8()
        runningBoluses = try reader.readUInt8()
        basalDeliveredNanolitres = try reader.readUInt32()
        bolusDeliveredNanolitres = try reader.readUInt32()
        lowReservoirAlarmTime = try reader.readUInt32()
        basalAccumulator = try reader.readUInt32()
        recordsWritten = try reader.readUInt32()
        try reader.expectEnd()
    }
}
