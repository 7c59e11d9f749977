/// 0x02, programmer to pump: the therapy to deliver (spec 9.3).
public struct PrescriptionBlock: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x02

    public static let concentrationRange: ClosedRange<UInt32> = 1...100_000
    public static let reservoirCapacityRange: ClosedRange<UInt32> = 1_000...60_000
    public static let lowReservoirThresholdRange: ClosedRange<UInt32> = 500...10_000
    public static let catheterVolumeRange: ClosedRange<UInt16> = 0...2_000
    public static let maxDailyDoseRange: ClosedRange<UInt32> = 1...1_000_000_000
    public static let fixedFieldsSize = 21

    public var drug: Drug
    public var mode: DeliveryMode
    public var concentrationMicrogramsPerMillilitre: UInt32
    public var reservoirCapacityMicrolitres: UInt32
    public var lowReservoirThresholdMicrolitres: UInt32
    public var catheterVolumeMicrolitres: UInt16
    public var maxDailyDoseNanograms: UInt32
    public var steps: BoundedArray<48, DayProfileStep>

    public init(
        drug: Drug, mode: DeliveryMode, concentrationMicrogramsPerMillilitre: UInt32,
        reservoirCapacityMicrolitres: UInt32, lowReservoirThresholdMicrolitres: UInt32,
        catheterVolumeMicrolitres: UInt16, maxDailyDoseNanograms: UInt32,
        steps: BoundedArray<48, DayProfileStep>
    ) {
        self.drug = drug
        self.mode = mode
        self.concentrationMicrogramsPerMillilitre = concentrationMicrogramsPerMillilitre
        self.reservoirCapacityMicrolitres = reservoirCapacityMicrolitres
        self.lowReservoirThresholdMicrolitres = lowReservoirThresholdMicrolitres
        self.catheterVolumeMicrolitres = catheterVolumeMicrolitres
        self.maxDailyDoseNanograms = maxDailyDoseNanograms
        self.steps = steps
    }

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {
        drug = try reader.readEnumeration(Drug.self)  // PW-RX-1
        mode = try reader.readEnumeration(DeliveryMode.self)
        concentrationMicrogramsPerMillilitre = try reader.readUInt32(in: Self.concentrationRange)  // PW-RX-2
        reservoirCapacityMicrolitres = try reader.readUInt32(in: Self.reservoirCapacityRange)
        let thresholdOffset = reader.offset
        lowReservoirThresholdMicrolitres = try reader.readUInt32(in: Self.lowReservoirThresholdRange)
        try require(  // PW-RX-3
            lowReservoirThresholdMicrolitres < reservoirCapacityMicrolitres,
            .thresholdNotBelowCapacity, at: thresholdOffset)
        catheterVolumeMicrolitres = try reader.readUInt16(in: Self.catheterVolumeRange)
        maxDailyDoseNanograms = try reader.readUInt32(in: Self.maxDailyDoseRange)

        let countOffset = reader.offset
        let stepCount = Int(try reader.readUInt8())
        try require(stepCount >= 1, .fieldOutOfRange, at: countOffset)  // PW-RX-4
        try require(stepCount <= WireLimits.maxDaySteps, .tooManyItems, at: countOffset)
        try require(mode.allowedStepCounts.contains(stepCount), .modeProfileMismatch, at: countOffset)  // PW-RX-5

        var steps = BoundedArray<48, DayProfileStep>()  // built locally and moved in once: no copies
        var previousStart: UInt16 = 0
        for index in 0..<stepCount {
            let startOffset = reader.offset
            let start = try reader.readUInt16(in: DayProfileStep.startMinuteRange)  // PW-RX-6
            if index == 0 {
                try require(start == 0, .dayProfileGap, at: startOffset)  // PW-RX-7
            } else {
                try require(start > previousStart, .dayProfileOrder, at: startOffset)  // PW-RX-8
            }
            previousStart = start
            let rate = try reader.readUInt32(in: DayProfileStep.doseRateRange)
            try steps.append(DayProfileStep(startMinute: start, doseRateNanogramsPerDay: rate))
        }
        self.steps = steps
    }

    @inline(__always)  // a call would copy the 48 steps to the stack
    public func checkAfterPayload(payloadOffset: Int) throws(PumpWireError) {
        // PW-RX-9 with PW-UNIT-4: exact integers, no rounding.
        try require(
            dailyDoseMinuteWeighted <= widen(maxDailyDoseNanograms) * widen(WireLimits.minutesPerDay),
            .dailyDoseExceedsLimit, at: payloadOffset + 16)
    }

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(drug.rawValue)
        try writer.writeUInt8(mode.rawValue)
        try writer.writeUInt32(concentrationMicrogramsPerMillilitre)
        try writer.writeUInt32(reservoirCapacityMicrolitres)
        try writer.writeUInt32(lowReservoirThresholdMicrolitres)
        try writer.writeUInt16(catheterVolumeMicrolitres)
        try writer.writeUInt32(maxDailyDoseNanograms)
        try writer.writeUInt8(UInt8(steps.count))
        try steps.withUnsafeBufferPointer { (steps) throws(PumpWireError) in  // borrowed: no copy per element
            for step in steps {
                try writer.writeUInt16(step.startMinute)
                try writer.writeUInt32(step.doseRateNanogramsPerDay)
            }
        }
    }

    public var payloadSize: Int { Self.fixedFieldsSize + DayProfileStep.encodedSize * steps.count }
}
