import PumpWire
import PumpWireCore

/// A key log file (spec/security.md 14.2): a `PUMPWIRE_SESSION` line per session, naming it by the
/// initiator's ephemeral public key, which its `handshakeRequest` carries in clear, and giving its
/// epoch, its two keys (PW-SEC-8) and its handshake hash. It holds secrets (PW-KEYLOG-3).
public struct KeyLog: Equatable, Sendable {
    public static let label = "PUMPWIRE_SESSION"

    public struct Session: Equatable, Sendable {
        public var initiatorEphemeral: [UInt8]
        public var sessionEpoch: UInt8
        /// The initiator's frames to the pump.
        public var k1: [UInt8]
        /// The pump's frames.
        public var k2: [UInt8]
        public var handshakeHash: [UInt8]

        public init(initiatorEphemeral: [UInt8], sessionEpoch: UInt8, k1: [UInt8], k2: [UInt8], handshakeHash: [UInt8]) {
            self.initiatorEphemeral = initiatorEphemeral
            self.sessionEpoch = sessionEpoch
            self.k1 = k1
            self.k2 = k2
            self.handshakeHash = handshakeHash
        }

        /// The session's line, without its line end.
        public var line: String {
            [KeyLog.label, Hex.encode(initiatorEphemeral), Hex.encode([sessionEpoch]), Hex.encode(k1), Hex.encode(k2),
             Hex.encode(handshakeHash)].joined(separator: " ")
        }
    }

    /// A malformed key log (PW-KEYLOG-2): the line, counted from 1, and what is wrong with it.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason) (spec/security.md 14.2, PW-KEYLOG-2)" }
    }

    public private(set) var sessions: [Session] = []

    public init(sessions: [Session] = []) {
        self.sessions = sessions
    }

    /// The session whose `handshakeRequest` carried `initiatorEphemeral`.
    public func session(initiatorEphemeral: [UInt8]) -> Session? {
        sessions.first { $0.initiatorEphemeral == initiatorEphemeral }
    }

    /// Reads a key log's text; the first malformed line refuses the whole file (PW-KEYLOG-2).
    public init(text: String) throws(ParseError) {
        let fields: [(name: String, digits: Int)] = [
            ("initiatorEphemeral", 64), ("sessionEpoch", 2), ("k1", 64), ("k2", 64), ("handshakeHash", 64),
        ]
        // "\r\n" is one Character in Swift: both line ends are separators (14.2).
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let number = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            guard first == Self.label else { continue }  // another label: ignored (14.2)
            guard words.count == 1 + fields.count else {
                throw ParseError(line: number, reason: "\(Self.label) has \(words.count - 1) fields, not \(fields.count) "
                    + "(initiatorEphemeral sessionEpoch k1 k2 handshakeHash)")
            }
            var values: [[UInt8]] = []
            for (word, field) in zip(words.dropFirst(), fields) {
                guard word.count == field.digits, word.allSatisfy(\.isHexDigit), let bytes = try? Hex.decode(String(word)) else {
                    throw ParseError(line: number, reason: "\(field.name) is not \(field.digits) hexadecimal digits")
                }
                values.append(bytes)
            }
            let session = Session(initiatorEphemeral: values[0], sessionEpoch: values[1][0], k1: values[2], k2: values[3], handshakeHash: values[4])
            if let earlier = self.session(initiatorEphemeral: session.initiatorEphemeral) {
                guard earlier == session else {
                    throw ParseError(line: number, reason: "a second session with the same initiatorEphemeral and other keys")
                }
                continue
            }
            sessions.append(session)
        }
    }

    /// The text of the file: a comment naming it, then a line per session.
    public func text(comment: String? = nil) -> String {
        var lines = ["# PumpWire key log (spec/security.md 14.2): SECRET keys of the sessions below."]
        if let comment { lines.append("# " + comment) }
        lines.append("# \(Self.label) initiatorEphemeral sessionEpoch k1 k2 handshakeHash")
        return (lines + sessions.map(\.line)).joined(separator: "\n") + "\n"
    }

    public mutating func append(_ session: Session) {
        sessions.append(session)
    }
}

extension KeyLog.Session {
    /// The line for a session whose handshake is complete (`session.isEstablished`), from either
    /// side: the keys of `Split()` (PW-SEC-8), the handshake hash, the epoch of the session info,
    /// and the initiator's ephemeral key from the `handshakeRequest` frame.
    public init<P: CryptoProvider>(requestFrame: [UInt8], session: SecureSession<P>) throws(PumpWireError) {
        let (_, payload) = try HandshakeMessages.payload(of: requestFrame, type: HandshakeMessages.requestType)
        let request = try HandshakeMessages.Request(payload: payload)
        try PumpWireError.check(session.isEstablished, .handshakeOutOfOrder, at: 3)
        let (k1, k2) = try session.handshake.split()
        self.init(
            initiatorEphemeral: Array(request.noiseMessage.prefix(32)), sessionEpoch: session.info?.sessionEpoch ?? 0,
            k1: k1.key.withUnsafeBytes { Array($0) }, k2: k2.key.withUnsafeBytes { Array($0) },
            handshakeHash: session.handshakeHash.withUnsafeBytes { Array($0) })
    }
}

/// Opens the sealed frames of a capture with a key log (spec/security.md 14.3, for `decode` and
/// `validate --keylog`, and `capture decrypt`): follows the handshake requests, opens each sealed
/// frame of a logged session with PW-SEC-10's checks, and leaves every other frame alone.
public final class KeyLogOpener: SealedFrameOpener {
    private let keyLog: KeyLog
    private let provider: SwiftCryptoProvider
    /// The current session: its line and a receiving channel per direction.
    private var current: (session: KeyLog.Session, toPump: SealedChannel<SwiftCryptoProvider>, fromPump: SealedChannel<SwiftCryptoProvider>)?
    /// A handshake request was seen: no more trials (14.3 step 5).
    private var sawHandshake = false
    private var buffer = [UInt8](repeating: 0, count: WireLimits.maxFrameSize)

    public init(keyLog: KeyLog, provider: SwiftCryptoProvider = SwiftCryptoProvider()) {
        self.keyLog = keyLog
        self.provider = provider
    }

    public func examine(_ frame: UnsafeRawBufferPointer) -> SealedFrameOutcome? {
        guard frame.count >= WireLimits.headerSize + WireLimits.crcSize else { return nil }
        let typeCode = frame[3]
        let sealed = frame[4] & FrameFlags.authenticated.rawValue != 0
        let payloadLength = Int(frame[7]) | Int(frame[8]) << 8
        // 14.3 step 1: a handshake request names its session.
        if !sealed, typeCode == HandshakeMessages.requestType, payloadLength >= 34 {
            sawHandshake = true
            let ephemeral = Array(UnsafeRawBufferPointer(rebasing: frame[(WireLimits.headerSize + 2)..<(WireLimits.headerSize + 34)]))
            current = keyLog.session(initiatorEphemeral: ephemeral).map(channels)
            return nil
        }
        guard sealed else { return nil }
        if current == nil, !sawHandshake { return trial(frame) }  // 14.3 step 5
        guard var state = current else { return nil }  // 14.3 step 6
        let key = OpenedSeal.key(forTypeCode: typeCode)
        let outcome: SealedFrameOutcome
        if key == .k1 {
            outcome = open(frame, with: &state.toPump, key: key)
        } else {
            outcome = open(frame, with: &state.fromPump, key: key)
        }
        current = state
        return outcome
    }

    /// 14.3 step 5: a capture that starts inside a session. The first logged session of the
    /// frame's epoch whose key verifies the tag becomes current; a failed trial is no finding.
    private func trial(_ frame: UnsafeRawBufferPointer) -> SealedFrameOutcome? {
        let payloadLength = Int(frame[7]) | Int(frame[8]) << 8
        let epochOffset = SealedFrame.sessionEpochOffset(payloadLength: payloadLength)
        guard epochOffset < frame.count else { return nil }
        let key = OpenedSeal.key(forTypeCode: frame[3])
        for session in keyLog.sessions where session.sessionEpoch == frame[epochOffset] {
            var state = channels(session)
            let outcome = key == .k1 ? open(frame, with: &state.toPump, key: key) : open(frame, with: &state.fromPump, key: key)
            if case .opened = outcome {
                current = state
                return outcome
            }
        }
        return nil
    }

    private func channels(_ session: KeyLog.Session) -> (session: KeyLog.Session, toPump: SealedChannel<SwiftCryptoProvider>, fromPump: SealedChannel<SwiftCryptoProvider>) {
        let k1 = session.k1.withUnsafeBytes { Bytes32(copying: $0)! }
        let k2 = session.k2.withUnsafeBytes { Bytes32(copying: $0)! }
        // The pump's side receives with k1, the initiator's with k2 (PW-SEC-8).
        let toPump = SealedChannel(role: .responder, initiatorToResponder: k1, responderToInitiator: k2,
                                   sessionEpoch: session.sessionEpoch, provider: provider)
        let fromPump = SealedChannel(role: .initiator, initiatorToResponder: k1, responderToInitiator: k2,
                                     sessionEpoch: session.sessionEpoch, provider: provider)
        return (session, toPump, fromPump)
    }

    private func open(_ frame: UnsafeRawBufferPointer, with channel: inout SealedChannel<SwiftCryptoProvider>, key: OpenedSeal.Key) -> SealedFrameOutcome {
        let count = frame.count
        let result = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(PumpWireError) -> FrameView in try channel.open(frame, into: raw) }
        }
        switch result {
        case .failure(let error):
            return .rejected(error)
        case .success(let view):
            let block = view.authentication?.freshnessCounter ?? 0
            return .opened(plaintextFrame: Array(buffer[0..<count]), key: key,
                           sessionEpoch: UInt8(truncatingIfNeeded: block >> 24), frameCounter: block & SealedFrame.maxFrameCounter)
        }
    }
}
