/// The faults a simulated telemetry link and pump suffer (issue 17: lost, corrupted, delayed and
/// duplicated frames), drawn from a seeded generator so that a run can be repeated.
public struct SimulatorFaults: Equatable, Sendable {
    /// Chance that a frame is lost, in either direction (0 to 1).
    public var lossRate: Double
    /// Chance that one bit of a frame flips on the way (the receiver's CRC check drops it).
    public var corruptionRate: Double
    /// Chance that a frame arrives twice.
    public var duplicationRate: Double
    /// Extra latency of each frame, in real milliseconds, drawn uniformly from this range.
    public var delayMilliseconds: ClosedRange<Double>

    public init(lossRate: Double = 0, corruptionRate: Double = 0, duplicationRate: Double = 0,
                delayMilliseconds: ClosedRange<Double> = 0...0) {
        self.lossRate = lossRate
        self.corruptionRate = corruptionRate
        self.duplicationRate = duplicationRate
        self.delayMilliseconds = delayMilliseconds
    }

    public static let none = SimulatorFaults()

    public var isNone: Bool { self == .none }
}
