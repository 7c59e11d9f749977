/// A small seeded generator (SplitMix64: Steele, Lea and Flood, 2014), so that the corpus, any test
/// that draws from it, and the simulator's faults are the same on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
    /// Uniform enough in 0..<bound, for bound > 0.
    public mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }
    /// True with probability `chance` (0 to 1).
    public mutating func chance(_ chance: Double) -> Bool {
        chance > 0 && Double.random(in: 0..<1, using: &self) < chance
    }
}
