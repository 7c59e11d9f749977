import PumpWire
import PumpWireConformance
import PumpWireCore

/// Random valid messages of every type, biased toward the edges of every range and the largest
/// counts: the structure-aware half of the harness. Every value it makes satisfies the spec's
/// rules, so the encoder must accept it.
public struct MessageGenerator {
    public var random: FuzzRandom

    public init(random: FuzzRandom) {
        self.random = random
    }

    /// A value in `range`, at an edge half of the time.
    mutating func value<T: FixedWidthInteger & UnsignedInteger>(_ range: ClosedRange<T>) -> T {
        switch random.below(8) {
        case 0: return range.lowerBound
        case 1: return range.upperBound
        case 2: return range.lowerBound == range.upperBound ? range.lowerBound : range.lowerBound + 1
        case 3: return range.lowerBound == range.upperBound ? range.upperBound : range.upperBound - 1
        default:
            let span = UInt64(range.upperBound - range.lowerBound)
            return range.lowerBound + T(span == UInt64.max ? random.next() : random.next() % (span + 1))
        }
    }

    /// A count up to `maximum`, at the maximum a quarter of the time.
    mutating func count(_ minimum: Int, _ maximum: Int) -> Int {
        random.below(4) == 0 ? maximum : minimum + Int(random.below(UInt64(maximum - minimum + 1)))
    }

    mutating func flag() -> Bool { random.below(2) == 0 }

    mutating func text(_ maximum: Int) -> BoundedText<16> {
        let length = count(1, maximum)
        let bytes = (0..<length).map { _ in UInt8(0x20 + random.below(0x5F)) }
        return try! BoundedText(bytes.map { Character(Unicode.Scalar($0)) }.reduce(into: "") { $0.append($1) })
    }

    /// Strictly rising minutes from `first`, `count` of them, all below 1440.
    mutating func risingMinutes(_ count: Int, first: UInt16?) -> [UInt16] {
        var minutes = Set<UInt16>()
        if let first { minutes.insert(first) }
        while minutes.count < count { minutes.insert(UInt16(random.below(1440))) }
        return minutes.sorted()
    }

    public mutating func message() -> Message {
        switch random.below(11) {
        case 0: return .interrogationRequest(InterrogationRequest())
        case 1: return .pumpStatus(pumpStatus())
        case 2, 3: return .prescriptionBlock(prescription())
        case 4: return .bolusSchedule(bolusSchedule())
        case 5: return .refillConfirmation(refill())
        case 6: return .refillReceipt(RefillReceipt(
            confirmationDigest: UInt32(truncatingIfNeeded: random.next()), resultingReservoirMicrolitres: value(RefillConfirmation.volumeRange),
            lowReservoirAlarmTime: UInt32(truncatingIfNeeded: random.next())))
        case 7: return .memoryDumpRequest(dumpRequest())
        case 8: return .memoryDumpChunk(dumpChunk())
        case 9: return flag()
            ? .acknowledgement(Acknowledgement(acknowledgedType: Acknowledgement.acknowledgeableTypes[Int(random.next() % 7)], digest: UInt32(truncatingIfNeeded: random.next())))
            : .negativeAcknowledgement(negativeAcknowledgement())
        default: return .unknown(unknown())
        }
    }

    mutating func pumpStatus() -> PumpStatus {
        let prescriptionStored = flag(), bolusStored = flag()
        return PumpStatus(
            model: text(16), serial: text(16), firmwareMajor: value(0...255), firmwareMinor: value(0...255), firmwarePatch: value(0...255),
            batteryMillivolts: value(PumpStatus.batteryMillivoltsRange), prescriptionStored: prescriptionStored,
            bolusScheduleStored: bolusStored, deliverySuspended: flag(), electiveReplacementIndicator: flag(),
            reservoirVolumeMicrolitres: value(PumpStatus.reservoirVolumeRange), activeAlarms: ActiveAlarms(rawValue: UInt16(random.below(256))),
            pumpClockTime: value(PumpStatus.pumpClockRange),
            prescriptionDigest: prescriptionStored ? UInt32(truncatingIfNeeded: random.next()) : 0,
            bolusScheduleDigest: bolusStored ? UInt32(truncatingIfNeeded: random.next()) : 0)
    }

    mutating func prescription() -> PrescriptionBlock {
        let mode = [DeliveryMode.fixedRate, .continuous, .timeOfDay, .timeOfDay][Int(random.below(4))]
        let stepCount = mode == .timeOfDay ? count(2, WireLimits.maxDaySteps) : 1
        let capacity = value(PrescriptionBlock.reservoirCapacityRange)
        let threshold = value(PrescriptionBlock.lowReservoirThresholdRange.lowerBound...min(PrescriptionBlock.lowReservoirThresholdRange.upperBound, capacity - 1))
        var steps = BoundedArray<48, DayProfileStep>()
        for minute in risingMinutes(stepCount, first: 0) {
            try! steps.append(DayProfileStep(startMinute: minute, doseRateNanogramsPerDay: value(DayProfileStep.doseRateRange)))
        }
        var rx = PrescriptionBlock(
            drug: Drug(rawValue: UInt8(1 + random.below(8)))!, mode: mode,
            concentrationMicrogramsPerMillilitre: value(PrescriptionBlock.concentrationRange), reservoirCapacityMicrolitres: capacity,
            lowReservoirThresholdMicrolitres: threshold, catheterVolumeMicrolitres: value(PrescriptionBlock.catheterVolumeRange),
            maxDailyDoseNanograms: 1, steps: steps)
        // PW-RX-9: the smallest limit that holds the profile, or more (the rates are at most the limit's maximum).
        let needed = UInt32((rx.dailyDoseMinuteWeighted + 1439) / 1440)
        rx.maxDailyDoseNanograms = flag() ? needed : value(needed...PrescriptionBlock.maxDailyDoseRange.upperBound)
        return rx
    }

    mutating func bolusSchedule() -> BolusSchedule {
        var schedule = BolusSchedule()
        if flag() { schedule.clinicianBolus = ClinicianBolus(doseNanograms: value(BolusSchedule.doseRange), durationMinutes: value(BolusSchedule.durationRange)) }
        if flag() {
            schedule.primingBolus = PrimingBolus(kind: flag() ? .catheter : .bridge, volumeMicrolitres: value(BolusSchedule.primingVolumeRange),
                                                 durationMinutes: value(BolusSchedule.durationRange))
        }
        if flag() {
            schedule.patientBolus = PatientBolus(doseNanograms: value(BolusSchedule.doseRange), durationMinutes: value(BolusSchedule.durationRange),
                                                 lockoutMinutes: value(BolusSchedule.lockoutRange), maxPerDay: value(BolusSchedule.maxPerDayRange))
        }
        for minute in risingMinutes(count(0, WireLimits.maxPeriodicBoluses), first: nil) {
            try! schedule.periodicBoluses.append(PeriodicBolus(startMinute: minute, doseNanograms: value(BolusSchedule.doseRange),
                                                               durationMinutes: value(BolusSchedule.durationRange)))
        }
        return schedule
    }

    mutating func refill() -> RefillConfirmation {
        RefillConfirmation(
            drug: Drug(rawValue: UInt8(1 + random.below(8)))!, concentrationMicrogramsPerMillilitre: value(PrescriptionBlock.concentrationRange),
            volumeWithdrawnMicrolitres: value(RefillConfirmation.volumeRange), volumeAddedMicrolitres: value(RefillConfirmation.volumeRange),
            resultingReservoirMicrolitres: value(RefillConfirmation.volumeRange), refillTime: value(RefillConfirmation.timeRange))
    }

    mutating func dumpRequest() -> MemoryDumpRequest {
        let length = value(MemoryDumpRequest.lengthRange)
        let offset = UInt32(truncatingIfNeeded: random.next() % (UInt64(UInt32.max) - UInt64(length) + 2))
        return MemoryDumpRequest(region: MemoryRegion(rawValue: UInt8(1 + random.below(4)))!, compressionAllowed: flag(), offset: offset, length: length)
    }

    mutating func dumpChunk() -> MemoryDumpChunk {
        let imageLength = value(MemoryDumpChunk.imageLengthRange)
        let rawCount = MemoryDumpChunk.chunkCount(forImageLength: imageLength)
        let encoding: DumpEncoding = flag() ? .raw : .zlib
        // A zlib transfer takes at most as many chunks as raw, and its last chunk 1 to 218 bytes (PW-DUMP-5, PW-DUMP-7).
        let count = encoding == .raw ? rawCount : 1 + Int(random.below(UInt64(rawCount)))
        let index = random.below(3) == 0 ? count - 1 : Int(random.below(UInt64(count)))
        let rest = Int(imageLength) - index * WireLimits.chunkDataSize
        let size = index < count - 1 ? WireLimits.chunkDataSize
            : encoding == .raw ? rest : 1 + Int(random.below(UInt64(min(WireLimits.chunkDataSize, rest))))
        let regionOffset = UInt32(truncatingIfNeeded: random.next() % (UInt64(UInt32.max) - UInt64(imageLength) + 2))
        return MemoryDumpChunk(
            region: MemoryRegion(rawValue: UInt8(1 + random.below(4)))!, encoding: encoding, chunkIndex: UInt16(index), chunkCount: UInt16(count),
            regionOffset: regionOffset, imageLength: imageLength, imageCrc32: UInt32(truncatingIfNeeded: random.next()),
            dataOffset: UInt32(index * WireLimits.chunkDataSize), data: try! BoundedArray(random.bytes(size)))
    }

    mutating func negativeAcknowledgement() -> NegativeAcknowledgement {
        var code: ErrorCode
        repeat { code = ErrorCode(rawValue: UInt16(random.below(140))) ?? .busy } while code.isSessionFinding
        return NegativeAcknowledgement(rejectedType: UInt8(truncatingIfNeeded: random.next()), errorCode: code,
                                       errorOffset: flag() ? NegativeAcknowledgement.noOffset : value(NegativeAcknowledgement.errorOffsetRange))
    }

    mutating func unknown() -> UnknownMessage {
        var type: UInt8
        repeat { type = UInt8(truncatingIfNeeded: random.next()) } while MessageRegistry.descriptor(for: type) != nil
        return UnknownMessage(typeCode: type, payload: try! BoundedArray(random.bytes(count(0, random.below(8) == 0 ? 1024 : 240))))
    }
}

/// The harness's randomness: reproducible from `--seed`.
public typealias FuzzRandom = SeededGenerator
