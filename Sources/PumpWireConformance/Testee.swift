/// What came back for one request (spec/conformance.md 2.5).
public enum TesteeReply: Equatable, Sendable {
    case response(TesteeResponse)
    /// The testee exited or closed its output; the text says how.
    case crash(String)
    case timeout
    /// An answer that is not a response of the protocol.
    case protocolError(String)
}

/// An implementation under test: the reference codec in process, or a child process.
public protocol Testee {
    var name: String { get }
    var capabilities: TesteeCapabilities { get }
    /// Sends one request and waits for its answer.
    mutating func send(_ request: TesteeRequest) -> TesteeReply
    /// Sends one request and waits at least `seconds` for its answer (a slow `protocol` vector).
    mutating func send(_ request: TesteeRequest, waitingAtLeast seconds: Double) -> TesteeReply
    /// Ends the testee.
    mutating func close()
    /// Writes `unframed` (bytes with no length prefix added: the start of a request that never
    /// ends), ends the testee's input, and says what was wrong with how it ended, or nil (PW-CONF-4).
    /// The next request starts the testee again.
    mutating func finish(after unframed: [UInt8]) -> String?
}

extension Testee {
    /// Ends the testee's input between requests (PW-CONF-4).
    public mutating func finish() -> String? { finish(after: []) }

    public mutating func send(_ request: TesteeRequest, waitingAtLeast seconds: Double) -> TesteeReply { send(request) }
}

/// The reference codec, in process.
public struct InProcessTestee: Testee {
    private var reference: ReferenceTestee

    public init(fault: ReferenceTestee.Fault? = nil) {
        reference = ReferenceTestee(fault: fault)
    }

    public var name: String { reference.name }
    public var capabilities: TesteeCapabilities { reference.capabilities }

    public mutating func send(_ request: TesteeRequest) -> TesteeReply {
        .response(reference.respond(toBody: request.body))
    }

    public mutating func close() {}

    /// In process there is no input to end.
    public mutating func finish(after unframed: [UInt8]) -> String? { nil }
}
