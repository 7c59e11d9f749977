import PumpWireCore

/// A pump on the host (spec/behaviour.md): the core's engine alone, or behind the security layer
/// (section 11), over arrays. What the simulator and the reference testee's pump hooks share.
public enum HostPump<Provider: CryptoProvider> {
    case plain(PumpEngine)
    case secure(SecurePumpEngine<Provider>)

    /// The engine, for its state and memory.
    public var engine: PumpEngine {
        switch self {
        case .plain(let engine): engine
        case .secure(let secure): secure.engine
        }
    }

    /// Changes the engine in place: its clock, battery, hooks.
    public mutating func withEngine<R, E: Error>(_ body: (inout PumpEngine) throws(E) -> R) throws(E) -> R {
        switch self {
        case .plain(var engine):
            defer { self = .plain(engine) }
            return try body(&engine)
        case .secure(var secure):
            defer { self = .secure(secure) }
            return try body(&secure.engine)
        }
    }

    /// One frame at the engine's clock; the frames the pump sends in answer, in order.
    /// `ephemeralPrivateKey` fixes a handshake message's key (test vectors); nil draws one.
    public mutating func receive(_ frame: [UInt8], ephemeralPrivateKey: Bytes32? = nil) -> [[UInt8]] {
        var answers: [[UInt8]] = []
        frame.withUnsafeBytes { raw in
            switch self {
            case .plain(var engine):
                engine.receive(raw) { answers.append(Array($0)) }
                self = .plain(engine)
            case .secure(var secure):
                secure.receive(raw, ephemeralPrivateKey: ephemeralPrivateKey) { answers.append(Array($0)) }
                self = .secure(secure)
            }
        }
        return answers
    }

    /// A restart (PW-PUMP-22): the engine's, and the security layer's (its session ends).
    public mutating func restart() {
        switch self {
        case .plain(var engine):
            engine.restart()
            self = .plain(engine)
        case .secure(var secure):
            secure.restart()
            self = .secure(secure)
        }
    }
}
