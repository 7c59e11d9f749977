/// One step of a prescription's day profile (spec 9.3): from `startMinute` until the next
/// step's start (or midnight), the pump delivers `doseRateNanogramsPerDay`.
public struct DayProfileStep: BoundedElement, Sendable {
    public static let startMinuteRange: ClosedRange<UInt16> = 0...1439
    public static let doseRateRange: ClosedRange<UInt32> = 1...1_000_000_000
    public static let encodedSize = 6

    public var startMinute: UInt16
    public var doseRateNanogramsPerDay: UInt32

    public init(startMinute: UInt16, doseRateNanogramsPerDay: UInt32) {
        self.startMinute = startMinute
        self.doseRateNanogramsPerDay = doseRateNanogramsPerDay
    }

    public static var filler: DayProfileStep { DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 0) }
}

/// How the pump delivers the profile (spec 9.3).
public enum DeliveryMode: UInt8, Sendable {
    /// A constant-flow pump: one step, the rate its hardware flow gives at this concentration.
    case fixedRate = 1
    /// A programmable pump delivering one rate all day.
    case continuous = 2
    /// A programmable pump whose rate changes at the step start minutes.
    case timeOfDay = 3

    /// PW-RX-5: the step counts this mode allows.
    public var allowedStepCounts: ClosedRange<Int> {
        switch self {
        case .fixedRate, .continuous: 1...1
        case .timeOfDay: 2...WireLimits.maxDaySteps
        }
    }
}
