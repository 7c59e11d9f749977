/// A bolus given once by the clinician, now (spec 9.4).
public struct ClinicianBolus: Equatable, Sendable {
    public var doseNanograms: UInt32
    public var durationMinutes: UInt16
    public init(doseNanograms: UInt32, durationMinutes: UInt16) {
        self.doseNanograms = doseNanograms
        self.durationMinutes = durationMinutes
    }
}

/// What a priming bolus fills (spec 9.4).
public enum PrimingKind: UInt8, Sendable {
    /// Fills an empty catheter with drug.
    case catheter = 1
    /// Pushes the old drug out of the catheter after a change of drug or concentration.
    case bridge = 2
}

/// A priming bolus, given by volume (spec 9.4).
public struct PrimingBolus: Equatable, Sendable {
    public var kind: PrimingKind
    public var volumeMicrolitres: UInt16
    public var durationMinutes: UInt16
    public init(kind: PrimingKind, volumeMicrolitres: UInt16, durationMinutes: UInt16) {
        self.kind = kind
        self.volumeMicrolitres = volumeMicrolitres
        self.durationMinutes = durationMinutes
    }
}

/// The bolus the patient may ask for, with its lockout and daily maximum (spec 9.4).
public struct PatientBolus: Equatable, Sendable {
    public var doseNanograms: UInt32
    public var durationMinutes: UInt16
    public var lockoutMinutes: UInt16
    public var maxPerDay: UInt8
    public init(doseNanograms: UInt32, durationMinutes: UInt16, lockoutMinutes: UInt16, maxPerDay: UInt8) {
        self.doseNanograms = doseNanograms
        self.durationMinutes = durationMinutes
        self.lockoutMinutes = lockoutMinutes
        self.maxPerDay = maxPerDay
    }
}

/// A bolus given every day at a minute of day (spec 9.4).
public struct PeriodicBolus: BoundedElement, Sendable {
    public var startMinute: UInt16
    public var doseNanograms: UInt32
    public var durationMinutes: UInt16
    public init(startMinute: UInt16, doseNanograms: UInt32, durationMinutes: UInt16) {
        self.startMinute = startMinute
        self.doseNanograms = doseNanograms
        self.durationMinutes = durationMinutes
    }
    public static var filler: PeriodicBolus { PeriodicBolus(startMinute: 0, doseNanograms: 0, durationMinutes: 0) }
}

/// 0x03, programmer to pump: every bolus the pump may give (spec 9.4).
public struct BolusSchedule: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x03

    public static let doseRange: ClosedRange<UInt32> = 1...100_000_000
    public static let durationRange: ClosedRange<UInt16> = 1...1440
    public static let primingVolumeRange: ClosedRange<UInt16> = 1...2_000
    public static let lockoutRange: ClosedRange<UInt16> = 15...1440
    public static let maxPerDayRange: ClosedRange<UInt8> = 1...24
    public static let startMinuteRange: ClosedRange<UInt16> = 0...1439

    public var clinicianBolus: ClinicianBolus?
    public var primingBolus: PrimingBolus?
    public var patientBolus: PatientBolus?
    public var periodicBoluses: BoundedArray<8, PeriodicBolus>

    public init(
        clinicianBolus: ClinicianBolus? = nil, primingBolus: PrimingBolus? = nil,
        patientBolus: PatientBolus? = nil, periodicBoluses: BoundedArray<8, PeriodicBolus> = BoundedArray()
    ) {
        self.clinicianBolus = clinicianBolus
        self.primingBolus = primingBolus
        self.patientBolus = patientBolus
        self.periodicBoluses = periodicBoluses
    }

    private enum Flag {
        static let clinician: UInt8 = 1 << 0
        static let priming: UInt8 = 1 << 1
        static let patient: UInt8 = 1 << 2
        static let all: UInt8 = 0x07
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        let flags = try reader.readFlags(allowed: Flag.all)  // PW-BOLUS-1
        // PW-BOLUS-2: every field in its range, in layout order.
        if flags & Flag.clinician != 0 {
            clinicianBolus = ClinicianBolus(
                doseNanograms: try reader.readUInt32(in: Self.doseRange),
                durationMinutes: try reader.readUInt16(in: Self.durationRange))
        } else {
            clinicianBolus = nil
        }
        if flags & Flag.priming != 0 {
            primingBolus = PrimingBolus(
                kind: try reader.readEnumeration(PrimingKind.self),
                volumeMicrolitres: try reader.readUInt16(in: Self.primingVolumeRange),
                durationMinutes: try reader.readUInt16(in: Self.durationRange))
        } else {
            primingBolus = nil
        }
        if flags & Flag.patient != 0 {
            patientBolus = PatientBolus(
                doseNanograms: try reader.readUInt32(in: Self.doseRange),
                durationMinutes: try reader.readUInt16(in: Self.durationRange),
                lockoutMinutes: try reader.readUInt16(in: Self.lockoutRange),
                maxPerDay: try reader.readUInt8(in: Self.maxPerDayRange))
        } else {
            patientBolus = nil
        }
        let countOffset = reader.offset
        let count = Int(try reader.readUInt8())
        try require(count <= WireLimits.maxPeriodicBoluses, .tooManyItems, at: countOffset)  // PW-BOLUS-3
        var periodicBoluses = BoundedArray<8, PeriodicBolus>()  // built locally and moved in once
        var previousStart: UInt16 = 0
        for index in 0..<count {
            let startOffset = reader.offset
            let start = try reader.readUInt16(in: Self.startMinuteRange)
            if index > 0 {
                try require(start > previousStart, .bolusOrder, at: startOffset)  // PW-BOLUS-4
            }
            previousStart = start
            try periodicBoluses.append(PeriodicBolus(
                startMinute: start,
                doseNanograms: try reader.readUInt32(in: Self.doseRange),
                durationMinutes: try reader.readUInt16(in: Self.durationRange)))
        }
        self.periodicBoluses = periodicBoluses
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        var flags: UInt8 = 0
        if clinicianBolus != nil { flags |= Flag.clinician }
        if primingBolus != nil { flags |= Flag.priming }
        if patientBolus != nil { flags |= Flag.patient }
        try writer.writeUInt8(flags)
        if let bolus = clinicianBolus {
            try writer.writeUInt32(bolus.doseNanograms)
            try writer.writeUInt16(bolus.durationMinutes)
        }
        if let bolus = primingBolus {
            try writer.writeUInt8(bolus.kind.rawValue)
            try writer.writeUInt16(bolus.volumeMicrolitres)
            try writer.writeUInt16(bolus.durationMinutes)
        }
        if let bolus = patientBolus {
            try writer.writeUInt32(bolus.doseNanograms)
            try writer.writeUInt16(bolus.durationMinutes)
            try writer.writeUInt16(bolus.lockoutMinutes)
            try writer.writeUInt8(bolus.maxPerDay)
        }
        try writer.writeUInt8(UInt8(periodicBoluses.count))
        try periodicBoluses.withUnsafeBufferPointer { (boluses) throws(PumpWireError) in  // borrowed: no copy per element
            for bolus in boluses {
                try writer.writeUInt16(bolus.startMinute)
                try writer.writeUInt32(bolus.doseNanograms)
                try writer.writeUInt16(bolus.durationMinutes)
            }
        }
    }

    public var payloadSize: Int {
        1 + (clinicianBolus == nil ? 0 : 6) + (primingBolus == nil ? 0 : 5)
            + (patientBolus == nil ? 0 : 9) + 1 + 8 * periodicBoluses.count
    }
}
