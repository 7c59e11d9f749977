import PumpWire
import PumpWireCore

/// What a secure pump did with one frame, as a host holds it (spec/security.md PW-SEC-21).
public struct SecurePumpReceipt: Equatable, Sendable {
    /// A request that goes to the pump's therapy: its message payload, after the `commandId`.
    public struct TherapyRequest: Equatable, Sendable {
        public var messageType: UInt8
        public var sequence: UInt16
        /// 0 for the types without one (PW-SEC-13).
        public var commandId: UInt32
        public var payload: [UInt8]
    }

    /// The frame the pump sends, if any.
    public var answer: [UInt8]?
    public var therapy: TherapyRequest?
    /// The event log records written for this frame (section 11), in order.
    public var records: [LogRecord]
}

extension SecurePump {
    /// Handles one frame at pump clock `now` (PW-SEC-21) with buffers of its own.
    /// `ephemeralPrivateKey` fixes a handshake message's key: test vectors only.
    public mutating func receive(_ frame: [UInt8], now: UInt32, ephemeralPrivateKey: Bytes32? = nil) -> SecurePumpReceipt {
        var answer = [UInt8](repeating: 0, count: 512)
        var work = [UInt8](repeating: 0, count: max(512, frame.count))
        let step = frame.withUnsafeBytes { input in
            answer.withUnsafeMutableBytes { out in
                work.withUnsafeMutableBytes { scratch in
                    receive(input, now: now, ephemeralPrivateKey: ephemeralPrivateKey, answer: out, work: scratch)
                }
            }
        }
        let therapy = step.therapy.map {
            SecurePumpReceipt.TherapyRequest(messageType: $0.messageType, sequence: $0.sequence, commandId: $0.commandId,
                                             payload: Array(work[..<$0.payloadLength]))
        }
        let records = (0..<step.recordCount).compactMap { step.records[$0] }
        return SecurePumpReceipt(answer: step.answerLength == 0 ? nil : Array(answer[..<step.answerLength]), therapy: therapy, records: records)
    }
}
