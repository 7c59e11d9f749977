import PumpWire

/// A broken invariant, with the smallest input found that still breaks it.
public struct FuzzFinding: Sendable {
    public var invariant: String
    public var input: [UInt8]
    public var detail: String
    /// The iteration that found it, to replay with the same seed.
    public var iteration: Int

    public init(invariant: String, input: [UInt8], detail: String, iteration: Int) {
        self.invariant = invariant
        self.input = input
        self.detail = detail
        self.iteration = iteration
    }

    /// A vector skeleton to add to the corpus once its expected result is decided from the spec.
    public func vector(seed: UInt64) -> JSONValue {
        .object([
            ("name", .string("Required.Fuzz.\(invariant).Seed\(seed)Iteration\(iteration)")),
            ("level", .string("required")),
            ("requirements", .array([.string("PW-ENC-5")])),
            ("kind", .string("decodeFrame")),
            ("comment", .string("Found by `pumpwire fuzz --seed \(seed)`: \(detail)")),
            ("input", .string(Hex.encode(input))),
            ("result", .string("DECIDE FROM THE SPEC: valid (with decoded) or invalid (with error)")),
        ])
    }
}
