/// How one vector went (spec/conformance.md 2.5, 2.6).
public struct VectorResult: Sendable {
    public enum Status: String, Sendable, CaseIterable {
        case pass, fail, skipped, expectedFailure, crash, timeout, protocolError, runtimeError

        /// Whether this status counts against the run at the vector's level.
        public var isFailure: Bool { [.fail, .crash, .timeout, .protocolError, .runtimeError].contains(self) }
    }

    public var id: Int
    public var name: String
    public var level: Vector.Level
    public var kind: String
    public var messageType: String?
    public var requirements: [String]
    public var status: Status
    /// The outcome word of spec/conformance.md 2.6: `pass`, `rejected:10@27`, `crash`, ...
    public var outcome: String
    /// What was expected and what came, for a person.
    public var detail: String

    public init(
        id: Int, name: String, level: Vector.Level, kind: String, messageType: String?, requirements: [String],
        status: Status, outcome: String, detail: String
    ) {
        self.id = id
        self.name = name
        self.level = level
        self.kind = kind
        self.messageType = messageType
        self.requirements = requirements
        self.status = status
        self.outcome = outcome
        self.detail = detail
    }
}
