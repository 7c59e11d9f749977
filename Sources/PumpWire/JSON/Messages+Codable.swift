import PumpWireCore

// The JSON views of spec section 12: field names of the layout tables, units in the names.

extension InterrogationRequest: Codable {
    /// An interrogation request has no fields: its `message` is `{}`.
    struct CodingKeys: CodingKey, CaseIterable {
        static var allCases: [CodingKeys] { [] }
        var stringValue: String { "" }
        var intValue: Int? { nil }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        _ = try decoder.container(keyedBy: CodingKeys.self)  // refuses every key: this object has none
        self.init()
    }
    public func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: AnyKey.self) }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    /// An array index, for paths.
    init(index: Int) {
        stringValue = String(index)
        intValue = index
    }
}

extension PumpStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, serial, firmwareMajor, firmwareMinor, firmwarePatch, batteryMillivolts
        case prescriptionStored, bolusScheduleStored, deliverySuspended, electiveReplacementIndicator
        case reservoirVolumeMicrolitres, activeAlarms, pumpClockTime, prescriptionDigest, bolusScheduleDigest
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c(.model), serial: try c(.serial), firmwareMajor: try c(.firmwareMajor),
            firmwareMinor: try c(.firmwareMinor), firmwarePatch: try c(.firmwarePatch),
            batteryMillivolts: try c(.batteryMillivolts), prescriptionStored: try c(.prescriptionStored),
            bolusScheduleStored: try c(.bolusScheduleStored), deliverySuspended: try c(.deliverySuspended),
            electiveReplacementIndicator: try c(.electiveReplacementIndicator),
            reservoirVolumeMicrolitres: try c(.reservoirVolumeMicrolitres), activeAlarms: try c(.activeAlarms),
            pumpClockTime: try c(.pumpClockTime), prescriptionDigest: try c(.prescriptionDigest),
            bolusScheduleDigest: try c(.bolusScheduleDigest))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(serial, forKey: .serial)
        try c.encode(firmwareMajor, forKey: .firmwareMajor)
        try c.encode(firmwareMinor, forKey: .firmwareMinor)
        try c.encode(firmwarePatch, forKey: .firmwarePatch)
        try c.encode(batteryMillivolts, forKey: .batteryMillivolts)
        try c.encode(prescriptionStored, forKey: .prescriptionStored)
        try c.encode(bolusScheduleStored, forKey: .bolusScheduleStored)
        try c.encode(deliverySuspended, forKey: .deliverySuspended)
        try c.encode(electiveReplacementIndicator, forKey: .electiveReplacementIndicator)
        try c.encode(reservoirVolumeMicrolitres, forKey: .reservoirVolumeMicrolitres)
        try c.encode(activeAlarms, forKey: .activeAlarms)
        try c.encode(pumpClockTime, forKey: .pumpClockTime)
        try c.encode(prescriptionDigest, forKey: .prescriptionDigest)
        try c.encode(bolusScheduleDigest, forKey: .bolusScheduleDigest)
    }
}

extension DayProfileStep: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case startMinute, doseRateNanogramsPerDay }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(startMinute: try c(.startMinute), doseRateNanogramsPerDay: try c(.doseRateNanogramsPerDay))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(startMinute, forKey: .startMinute)
        try c.encode(doseRateNanogramsPerDay, forKey: .doseRateNanogramsPerDay)
    }
}

extension PrescriptionBlock: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case drug, mode, concentrationMicrogramsPerMillilitre, reservoirCapacityMicrolitres
        case lowReservoirThresholdMicrolitres, catheterVolumeMicrolitres, maxDailyDoseNanograms, steps
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            drug: try c(.drug), mode: try c(.mode),
            concentrationMicrogramsPerMillilitre: try c(.concentrationMicrogramsPerMillilitre),
            reservoirCapacityMicrolitres: try c(.reservoirCapacityMicrolitres),
            lowReservoirThresholdMicrolitres: try c(.lowReservoirThresholdMicrolitres),
            catheterVolumeMicrolitres: try c(.catheterVolumeMicrolitres),
            maxDailyDoseNanograms: try c(.maxDailyDoseNanograms), steps: try c(.steps))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(drug, forKey: .drug)
        try c.encode(mode, forKey: .mode)
        try c.encode(concentrationMicrogramsPerMillilitre, forKey: .concentrationMicrogramsPerMillilitre)
        try c.encode(reservoirCapacityMicrolitres, forKey: .reservoirCapacityMicrolitres)
        try c.encode(lowReservoirThresholdMicrolitres, forKey: .lowReservoirThresholdMicrolitres)
        try c.encode(catheterVolumeMicrolitres, forKey: .catheterVolumeMicrolitres)
        try c.encode(maxDailyDoseNanograms, forKey: .maxDailyDoseNanograms)
        try c.encode(steps, forKey: .steps)
    }
}

extension ClinicianBolus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case doseNanograms, durationMinutes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(doseNanograms: try c(.doseNanograms), durationMinutes: try c(.durationMinutes))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(doseNanograms, forKey: .doseNanograms)
        try c.encode(durationMinutes, forKey: .durationMinutes)
    }
}

extension PrimingBolus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case kind, volumeMicrolitres, durationMinutes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c(.kind), volumeMicrolitres: try c(.volumeMicrolitres), durationMinutes: try c(.durationMinutes))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(volumeMicrolitres, forKey: .volumeMicrolitres)
        try c.encode(durationMinutes, forKey: .durationMinutes)
    }
}

extension PatientBolus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case doseNanograms, durationMinutes, lockoutMinutes, maxPerDay }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            doseNanograms: try c(.doseNanograms), durationMinutes: try c(.durationMinutes),
            lockoutMinutes: try c(.lockoutMinutes), maxPerDay: try c(.maxPerDay))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(doseNanograms, forKey: .doseNanograms)
        try c.encode(durationMinutes, forKey: .durationMinutes)
        try c.encode(lockoutMinutes, forKey: .lockoutMinutes)
        try c.encode(maxPerDay, forKey: .maxPerDay)
    }
}

extension PeriodicBolus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case startMinute, doseNanograms, durationMinutes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(startMinute: try c(.startMinute), doseNanograms: try c(.doseNanograms), durationMinutes: try c(.durationMinutes))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(startMinute, forKey: .startMinute)
        try c.encode(doseNanograms, forKey: .doseNanograms)
        try c.encode(durationMinutes, forKey: .durationMinutes)
    }
}

extension BolusSchedule: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case clinicianBolus, primingBolus, patientBolus, periodicBoluses }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            clinicianBolus: try c(.clinicianBolus), primingBolus: try c(.primingBolus),
            patientBolus: try c(.patientBolus), periodicBoluses: try c(.periodicBoluses))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clinicianBolus, forKey: .clinicianBolus)
        try c.encode(primingBolus, forKey: .primingBolus)
        try c.encode(patientBolus, forKey: .patientBolus)
        try c.encode(periodicBoluses, forKey: .periodicBoluses)
    }
}

extension RefillConfirmation: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case drug, concentrationMicrogramsPerMillilitre, volumeWithdrawnMicrolitres, volumeAddedMicrolitres
        case resultingReservoirMicrolitres, refillTime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            drug: try c(.drug), concentrationMicrogramsPerMillilitre: try c(.concentrationMicrogramsPerMillilitre),
            volumeWithdrawnMicrolitres: try c(.volumeWithdrawnMicrolitres),
            volumeAddedMicrolitres: try c(.volumeAddedMicrolitres),
            resultingReservoirMicrolitres: try c(.resultingReservoirMicrolitres), refillTime: try c(.refillTime))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(drug, forKey: .drug)
        try c.encode(concentrationMicrogramsPerMillilitre, forKey: .concentrationMicrogramsPerMillilitre)
        try c.encode(volumeWithdrawnMicrolitres, forKey: .volumeWithdrawnMicrolitres)
        try c.encode(volumeAddedMicrolitres, forKey: .volumeAddedMicrolitres)
        try c.encode(resultingReservoirMicrolitres, forKey: .resultingReservoirMicrolitres)
        try c.encode(refillTime, forKey: .refillTime)
    }
}

extension RefillReceipt: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case confirmationDigest, resultingReservoirMicrolitres, lowReservoirAlarmTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            confirmationDigest: try c(.confirmationDigest),
            resultingReservoirMicrolitres: try c(.resultingReservoirMicrolitres),
            lowReservoirAlarmTime: try c(.lowReservoirAlarmTime))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(confirmationDigest, forKey: .confirmationDigest)
        try c.encode(resultingReservoirMicrolitres, forKey: .resultingReservoirMicrolitres)
        try c.encode(lowReservoirAlarmTime, forKey: .lowReservoirAlarmTime)
    }
}

extension MemoryDumpRequest: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case region, compressionAllowed, offset, length }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            region: try c(.region), compressionAllowed: try c(.compressionAllowed),
            offset: try c(.offset), length: try c(.length))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(region, forKey: .region)
        try c.encode(compressionAllowed, forKey: .compressionAllowed)
        try c.encode(offset, forKey: .offset)
        try c.encode(length, forKey: .length)
    }
}

extension MemoryDumpChunk: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case region, encoding, chunkIndex, chunkCount, regionOffset, imageLength, imageCrc32, dataOffset, data
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            region: try c(.region), encoding: try c(.encoding), chunkIndex: try c(.chunkIndex),
            chunkCount: try c(.chunkCount), regionOffset: try c(.regionOffset), imageLength: try c(.imageLength),
            imageCrc32: try c(.imageCrc32), dataOffset: try c(.dataOffset), data: try c(.data))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(region, forKey: .region)
        try c.encode(encoding, forKey: .encoding)
        try c.encode(chunkIndex, forKey: .chunkIndex)
        try c.encode(chunkCount, forKey: .chunkCount)
        try c.encode(regionOffset, forKey: .regionOffset)
        try c.encode(imageLength, forKey: .imageLength)
        try c.encode(imageCrc32, forKey: .imageCrc32)
        try c.encode(dataOffset, forKey: .dataOffset)
        try c.encode(data, forKey: .data)
    }
}

extension Acknowledgement: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case acknowledgedType, digest }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(acknowledgedType: try c(.acknowledgedType), digest: try c(.digest))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(acknowledgedType, forKey: .acknowledgedType)
        try c.encode(digest, forKey: .digest)
    }
}

extension NegativeAcknowledgement: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case rejectedType, errorCode, errorName, errorOffset }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rejectedType: UInt8 = try c(.rejectedType)
        let raw: UInt16 = try c(.errorCode)
        guard let code = ErrorCode(rawValue: raw) else {
            // What the encoder would report for it (PW-NAK-1): `errorCode` is at frame offset 10.
            var error = JSONViewError(c.codingPath + [CodingKeys.errorCode], code: .fieldOutOfRange, "\(raw) is not an error code of spec section 10")
            error.offset = WireLimits.headerSize + 1
            throw error
        }
        // `errorName` is for reading only (spec section 12): the code decides, and a name given
        // must be the code's.
        if let name = try c.decodeIfPresent(String.self, forKey: .errorName), name != code.specName.description {
            throw JSONViewError(
                c.codingPath + [CodingKeys.errorName],
                "\(JSONValue.quoted(name)) is not the name of error code \(raw) (\(code.specName))")
        }
        self.init(rejectedType: rejectedType, errorCode: code, errorOffset: try c(.errorOffset))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rejectedType, forKey: .rejectedType)
        try c.encode(errorCode.rawValue, forKey: .errorCode)
        try c.encode(errorCode.specName.description, forKey: .errorName)
        try c.encode(errorOffset, forKey: .errorOffset)
    }
}

extension AuthenticationBlock: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case freshnessCounter, tag }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(freshnessCounter: try c(.freshnessCounter), tag: try c(.tag))
        guard tag.count == Self.tagSize else {
            throw JSONViewError(c.codingPath + [CodingKeys.tag], "the tag is 16 bytes (32 hex digits), not \(tag.count)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(freshnessCounter, forKey: .freshnessCounter)
        try c.encode(tag, forKey: .tag)
    }
}
