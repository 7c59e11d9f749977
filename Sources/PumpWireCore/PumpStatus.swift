/// Alarms the pump reports as active (spec 9.2); bits 8 to 15 are reserved.
/// A plain bit set rather than an OptionSet: OptionSet needs the heap in Embedded Swift.
public struct ActiveAlarms: Equatable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let lowReservoir = ActiveAlarms(rawValue: 1 << 0)
    public static let emptyReservoir = ActiveAlarms(rawValue: 1 << 1)
    public static let batteryEndOfService = ActiveAlarms(rawValue: 1 << 2)
    public static let motorStall = ActiveAlarms(rawValue: 1 << 3)
    public static let catheterOcclusion = ActiveAlarms(rawValue: 1 << 4)
    public static let memoryError = ActiveAlarms(rawValue: 1 << 5)
    public static let clockLost = ActiveAlarms(rawValue: 1 << 6)
    public static let pumpReset = ActiveAlarms(rawValue: 1 << 7)

    public static let none = ActiveAlarms(rawValue: 0)
    /// Every defined bit; the rest are reserved (PW-STATUS-3).
    public static let defined = ActiveAlarms(rawValue: 0x00FF)

    public func contains(_ other: ActiveAlarms) -> Bool { rawValue & other.rawValue == other.rawValue }
    public func isSubset(of other: ActiveAlarms) -> Bool { rawValue & ~other.rawValue == 0 }
    public mutating func insert(_ other: ActiveAlarms) { rawValue |= other.rawValue }
}

/// 0x81, pump to programmer: the answer to an interrogation (spec 9.2).
public struct PumpStatus: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x81

    public static let batteryMillivoltsRange: ClosedRange<UInt16> = 0...5000
    public static let reservoirVolumeRange: ClosedRange<UInt32> = 0...60_000
    public static let pumpClockRange: ClosedRange<UInt32> = 0...0xFFFF_FFFE

    public var model: BoundedText<16>
    public var serial: BoundedText<16>
    public var firmwareMajor: UInt8
    public var firmwareMinor: UInt8
    public var firmwarePatch: UInt8
    public var batteryMillivolts: UInt16
    public var prescriptionStored: Bool
    public var bolusScheduleStored: Bool
    public var deliverySuspended: Bool
    /// The battery's early warning that the pump is due for replacement.
    public var electiveReplacementIndicator: Bool
    public var reservoirVolumeMicrolitres: UInt32
    public var activeAlarms: ActiveAlarms
    public var pumpClockTime: UInt32
    /// CRC-32 of the stored prescription's payload; 0 when none is stored (PW-STATUS-4).
    public var prescriptionDigest: UInt32
    public var bolusScheduleDigest: UInt32

    public init(
        model: BoundedText<16>, serial: BoundedText<16>,
        firmwareMajor: UInt8, firmwareMinor: UInt8, firmwarePatch: UInt8,
        batteryMillivolts: UInt16, prescriptionStored: Bool, bolusScheduleStored: Bool,
        deliverySuspended: Bool, electiveReplacementIndicator: Bool,
        reservoirVolumeMicrolitres: UInt32, activeAlarms: ActiveAlarms, pumpClockTime: UInt32,
        prescriptionDigest: UInt32, bolusScheduleDigest: UInt32
    ) {
        self.model = model
        self.serial = serial
        self.firmwareMajor = firmwareMajor
        self.firmwareMinor = firmwareMinor
        self.firmwarePatch = firmwarePatch
        self.batteryMillivolts = batteryMillivolts
        self.prescriptionStored = prescriptionStored
        self.bolusScheduleStored = bolusScheduleStored
        self.deliverySuspended = deliverySuspended
        self.electiveReplacementIndicator = electiveReplacementIndicator
        self.reservoirVolumeMicrolitres = reservoirVolumeMicrolitres
        self.activeAlarms = activeAlarms
        self.pumpClockTime = pumpClockTime
        self.prescriptionDigest = prescriptionDigest
        self.bolusScheduleDigest = bolusScheduleDigest
    }

    private enum StatusFlag {
        static let prescriptionStored: UInt8 = 1 << 0
        static let bolusScheduleStored: UInt8 = 1 << 1
        static let deliverySuspended: UInt8 = 1 << 2
        static let electiveReplacementIndicator: UInt8 = 1 << 3
        static let all: UInt8 = 0x0F
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        model = try BoundedText.read(from: &reader)  // PW-STATUS-1
        serial = try BoundedText.read(from: &reader)
        firmwareMajor = try reader.readUInt8()
        firmwareMinor = try reader.readUInt8()
        firmwarePatch = try reader.readUInt8()
        batteryMillivolts = try reader.readUInt16(in: Self.batteryMillivoltsRange)  // PW-STATUS-2
        let flags = try reader.readFlags(allowed: StatusFlag.all)  // PW-STATUS-3
        prescriptionStored = flags & StatusFlag.prescriptionStored != 0
        bolusScheduleStored = flags & StatusFlag.bolusScheduleStored != 0
        deliverySuspended = flags & StatusFlag.deliverySuspended != 0
        electiveReplacementIndicator = flags & StatusFlag.electiveReplacementIndicator != 0
        reservoirVolumeMicrolitres = try reader.readUInt32(in: Self.reservoirVolumeRange)
        let alarmsOffset = reader.offset
        activeAlarms = ActiveAlarms(rawValue: try reader.readUInt16())
        try require(activeAlarms.isSubset(of: .defined), .nonCanonical, at: alarmsOffset)
        pumpClockTime = try reader.readUInt32(in: Self.pumpClockRange)
        // PW-STATUS-4: no digest for what is not stored.
        let prescriptionDigestOffset = reader.offset
        prescriptionDigest = try reader.readUInt32()
        try require(prescriptionStored || prescriptionDigest == 0, .nonCanonical, at: prescriptionDigestOffset)
        let bolusDigestOffset = reader.offset
        bolusScheduleDigest = try reader.readUInt32()
        try require(bolusScheduleStored || bolusScheduleDigest == 0, .nonCanonical, at: bolusDigestOffset)
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try model.write(to: &writer)
        try serial.write(to: &writer)
        try writer.writeUInt8(firmwareMajor)
        try writer.writeUInt8(firmwareMinor)
        try writer.writeUInt8(firmwarePatch)
        try writer.writeUInt16(batteryMillivolts)
        var flags: UInt8 = 0
        if prescriptionStored { flags |= StatusFlag.prescriptionStored }
        if bolusScheduleStored { flags |= StatusFlag.bolusScheduleStored }
        if deliverySuspended { flags |= StatusFlag.deliverySuspended }
        if electiveReplacementIndicator { flags |= StatusFlag.electiveReplacementIndicator }
        try writer.writeUInt8(flags)
        try writer.writeUInt32(reservoirVolumeMicrolitres)
        try writer.writeUInt16(activeAlarms.rawValue)
        try writer.writeUInt32(pumpClockTime)
        try writer.writeUInt32(prescriptionDigest)
        try writer.writeUInt32(bolusScheduleDigest)
    }

    public var payloadSize: Int { 26 + model.count + serial.count }
}
