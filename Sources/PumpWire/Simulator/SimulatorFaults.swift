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

/// SplitMix64 (Steele, Lea and Flood, 2014): small, fast and the same on every platform, so a
/// seed gives the same faults everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `chance`.
    public mutating func chance(_ chance: Double) -> Bool {
        chance > 0 && Double.random(in: 0..<1, using: &self) < chance
    }
}
