import Foundation
import PumpWire
import PumpWireConformance
import PumpWireCore

/// What a run of the harness saw.
public struct FuzzReport: Sendable {
    public var seed: UInt64
    public var iterations = 0
    public var seconds = 0.0
    public var generated = 0
    public var mutated = 0
    public var crcFixed = 0
    public var accepted = 0
    public var rejections: [UInt16: Int] = [:]
    public var streams = 0
    public var sessions = 0
    /// Memory images sent, rebuilt and damaged (spec 13).
    public var images = 0
    /// Messages sealed, damaged and opened (spec/security.md section 7).
    public var sealed = 0
    public var findings: [FuzzFinding] = []

    public var executionsPerSecond: Double { seconds > 0 ? Double(iterations) / seconds : 0 }
}

/// The round-trip harness (issue: fuzz every decoder). Each iteration either generates a valid
/// message and checks that it survives encode → decode → re-encode unchanged, or damages a
/// valid frame and checks the decoders' invariants:
/// - nothing traps (a trap ends the process; `TrapReporter` prints the input);
/// - every rejection is a typed error whose code is in the spec's table and whose offset lies
///   within the input;
/// - every accepted input re-encodes to exactly itself (it was canonical), and that decodes to
///   the same value.
public struct FuzzHarness {
    public let seed: UInt64
    var random: FuzzRandom
    var generator: MessageGenerator
    /// Valid frames to damage: the corpus's, then what the generator makes.
    var pool: [[UInt8]]
    public internal(set) var report: FuzzReport
    /// The KK session that `checkSealed` seals with, made on first use (spec/security.md section 6).
    var sealedSessions: SealedSessionPair?

    public init(seed: UInt64, corpusFrames: [[UInt8]] = []) {
        self.seed = seed
        random = FuzzRandom(seed: seed)
        generator = MessageGenerator(random: FuzzRandom(seed: seed ^ 0x5A5A_5A5A_5A5A_5A5A))
        pool = corpusFrames
        report = FuzzReport(seed: seed)
    }

    /// Runs until `iterations` or `duration` (whichever is given and comes first).
    public mutating func run(iterations: Int?, duration: Double?, progress: ((FuzzReport) -> Void)? = nil) -> FuzzReport {
        TrapReporter.install()
        let start = Date()
        var lastProgress = start
        while true {
            if let iterations, report.iterations >= iterations { break }
            if let duration, Date().timeIntervalSince(start) >= duration { break }
            step()
            report.iterations += 1
            if progress != nil, report.iterations % 1024 == 0, Date().timeIntervalSince(lastProgress) >= 2 {
                lastProgress = Date()
                report.seconds = Date().timeIntervalSince(start)
                progress?(report)
            }
            if report.findings.count >= 20 { break }
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    mutating func step() {
        if random.below(64) == 0 {
            checkImage()
        } else if random.below(Self.sealedShare) == 0 {
            checkSealed()
        } else if pool.isEmpty || random.below(10) < 3 {
            generate()
        } else {
            mutate()
        }
    }

    // MARK: Generation

    mutating func generate() {
        report.generated += 1
        let message = generator.message()
        let sequence = UInt16(truncatingIfNeeded: random.next())
        let bytes: [UInt8]
        do throws(PumpWireError) {
            bytes = try message.encodedFrames(sequence: sequence)
        } catch {
            record(FuzzFinding(invariant: "ValidValueRefused", input: [], detail: "the encoder refused a valid \(MessageRegistry.name(of: message.typeCode)): \(error)",
                               iteration: report.iterations))
            return
        }
        let frames = StreamDecoder.frames(in: bytes)
        if frames.count == 1 {
            checkFrame(bytes, expected: message)
        } else {
            for frame in frames { checkFrame(frame, expected: nil) }
            checkReassembly(frames, expected: message)
        }
        if pool.count < 512 { pool += frames } else { pool[Int(random.below(UInt64(pool.count)))] = frames[0] }
    }

    /// Fragments in a shuffled order, with a duplicate now and then, must give the message back.
    mutating func checkReassembly(_ frames: [[UInt8]], expected: Message) {
        var order = frames
        order.shuffle(using: &random)
        if random.below(3) == 0 { order.insert(order[0], at: Int(random.below(UInt64(order.count + 1)))) }
        var reassembler = Reassembler()
        var result: Message?
        for frame in order {
            TrapReporter.record(frame)
            let outcome = Result { () throws(PumpWireError) -> Message? in
                try frame.withUnsafeBytes { raw in
                    Result { () throws(PumpWireError) -> Message? in
                        let view = try FrameView.decode(raw, exactly: true)
                        return try reassembler.add(view, in: raw) == .complete ? try reassembler.takeMessage() : nil
                    }
                }.get()
            }
            switch outcome {
            case .success(let message?): result = message
            case .success(nil): break
            case .failure(let error):
                record(FuzzFinding(invariant: "FragmentsRejected", input: frame, detail: "a valid fragment was rejected: \(error)", iteration: report.iterations))
                return
            }
        }
        if result != expected {
            record(FuzzFinding(invariant: "ReassemblyDiffers", input: order.flatMap { $0 }, detail: "shuffled fragments did not give the message back",
                               iteration: report.iterations))
        }
    }

    // MARK: Mutation

    mutating func mutate() {
        report.mutated += 1
        let base = pool[Int(random.below(UInt64(pool.count)))]
        let other = pool[Int(random.below(UInt64(pool.count)))]
        var (bytes, _) = Mutator.mutate(base, other: other, random: &random)
        let fixed = random.below(2) == 0
        if fixed {
            Mutator.fixCRC(&bytes)
            report.crcFixed += 1
        }
        switch Self.check(bytes) {
        case .broken(let invariant, let detail):
            record(shrink(FuzzFinding(invariant: invariant, input: bytes, detail: detail, iteration: report.iterations), fixCRC: fixed))
        case .rejected(let error):
            report.rejections[error.code.rawValue, default: 0] += 1
        case .accepted:
            report.accepted += 1
        }
        if random.below(8) == 0 { checkStream(around: bytes) }
        if random.below(16) == 0 { checkSession(with: bytes) }
    }

    /// What one frame did: broke an invariant, was rejected, or was accepted and round-tripped.
    enum FrameOutcome {
        case broken(invariant: String, detail: String)
        case rejected(PumpWireError)
        case accepted(Frame)
    }

    /// Decodes `bytes` once and checks the frame invariants.
    static func check(_ bytes: [UInt8]) -> FrameOutcome {
        TrapReporter.record(bytes)
        let frame: Frame
        do throws(PumpWireError) {
            frame = try Frame.decode(bytes)
        } catch {
            if error.offset < 0 || error.offset > bytes.count {
                return .broken(invariant: "OffsetOutsideInput", detail: "\(error) for \(bytes.count) bytes")
            }
            // Decoders report codes 1 to 63, but never UNKNOWN_MESSAGE_TYPE or BUFFER_TOO_SMALL (spec section 10).
            if !(1...63).contains(error.code.rawValue) || error.code == .unknownMessageType || error.code == .bufferTooSmall {
                return .broken(invariant: "CodeNotADecoderCode", detail: "\(error)")
            }
            return .rejected(error)
        }
        // PW-AUTH-3: the AUTHENTICATED flag, and only it, makes a sealed frame, whose payload is
        // never decoded.
        if (bytes[4] & FrameFlags.authenticated.rawValue != 0) != frame.isSealed {
            return .broken(invariant: "SealedMisread", detail: "the AUTHENTICATED flag and the sealed content disagree")
        }
        let again: [UInt8]
        do throws(PumpWireError) {
            again = try frame.encoded()
        } catch {
            return .broken(invariant: "AcceptedButNotEncodable", detail: "decoded, then the encoder refused it: \(error)")
        }
        if again != bytes { return .broken(invariant: "NotCanonical", detail: "accepted, but re-encodes as \(Hex.encode(again))") }
        guard let decodedAgain = try? Frame.decode(again), decodedAgain == frame else {
            return .broken(invariant: "ReencodingDecodesDifferently", detail: "its re-encoding decodes to another value")
        }
        return .accepted(frame)
    }

    /// The broken invariant of `bytes`, as (name, detail), or nil.
    static func frameInvariant(_ bytes: [UInt8]) -> (String, String)? {
        if case .broken(let invariant, let detail) = check(bytes) { return (invariant, detail) }
        return nil
    }

    mutating func checkFrame(_ bytes: [UInt8], expected: Message?) {
        switch Self.check(bytes) {
        case .broken(let invariant, let detail):
            record(FuzzFinding(invariant: invariant, input: bytes, detail: detail, iteration: report.iterations))
        case .rejected where expected != nil:
            record(FuzzFinding(invariant: "ValidEncodingRejected", input: bytes, detail: "the encoder's output does not decode",
                               iteration: report.iterations))
        case .accepted(let frame) where expected != nil:
            report.accepted += 1
            if frame.content != .message(expected!) {
                record(FuzzFinding(invariant: "DecodedValueDiffers", input: bytes, detail: "decodes to another value than was encoded",
                                   iteration: report.iterations))
            }
        default:
            break
        }
    }

    /// Damaged bytes between valid frames, in a stream: every item lies inside the stream, and
    /// every frame item is the exact bytes at its offset.
    mutating func checkStream(around bytes: [UInt8]) {
        report.streams += 1
        var stream: [UInt8] = []
        for _ in 0..<Int(random.below(4)) { stream += pool[Int(random.below(UInt64(pool.count)))] }
        stream += bytes
        for _ in 0..<Int(random.below(4)) { stream += pool[Int(random.below(UInt64(pool.count)))] }
        TrapReporter.record(stream)
        for item in StreamDecoder.decode(stream) {
            guard item.streamOffset >= 0, item.streamOffset + item.length <= stream.count else {
                record(FuzzFinding(invariant: "StreamItemOutside", input: stream, detail: "an item at \(item.streamOffset)+\(item.length)",
                                   iteration: report.iterations))
                return
            }
            if case .frame(let frame) = item.kind, (try? frame.encoded()) != Array(stream[item.streamOffset..<(item.streamOffset + item.length)]) {
                record(FuzzFinding(invariant: "StreamFrameNotCanonical", input: stream, detail: "the frame at \(item.streamOffset)",
                                   iteration: report.iterations))
                return
            }
        }
    }

    /// Sessions of pool frames and the damaged one: only session findings come out.
    mutating func checkSession(with bytes: [UInt8]) {
        report.sessions += 1
        var frames = (0..<Int(random.below(6))).map { _ in pool[Int(random.below(UInt64(pool.count)))] }
        frames.insert(bytes, at: Int(random.below(UInt64(frames.count + 1))))
        TrapReporter.record(frames.flatMap { $0 })
        for finding in SessionChecker.check(frames) where !finding.code.isSessionFinding || finding.frameIndex >= frames.count {
            record(FuzzFinding(invariant: "SessionFindingInvalid", input: frames.flatMap { $0 }, detail: "\(finding)", iteration: report.iterations))
            return
        }
    }

    // MARK: Findings

    mutating func record(_ finding: FuzzFinding) {
        report.findings.append(finding)
    }

    /// The smallest input found that breaks the same invariant, with the CRC set right again
    /// when the original had it set right.
    func shrink(_ finding: FuzzFinding, fixCRC: Bool) -> FuzzFinding {
        var shrunk = finding
        shrunk.input = Self.shrink(finding.input) { candidate in
            var bytes = candidate
            if fixCRC { Mutator.fixCRC(&bytes) }
            return Self.frameInvariant(bytes)?.0 == finding.invariant
        }
        if fixCRC { Mutator.fixCRC(&shrunk.input) }
        shrunk.detail = Self.frameInvariant(shrunk.input)?.1 ?? finding.detail
        return shrunk
    }

    /// Delta debugging: removes blocks of halving size, then zeroes bytes, while `breaks` holds.
    /// At most `budget` evaluations.
    public static func shrink(_ input: [UInt8], budget: Int = 20_000, breaks: ([UInt8]) -> Bool) -> [UInt8] {
        var current = input
        var remaining = budget
        func test(_ candidate: [UInt8]) -> Bool {
            remaining -= 1
            return breaks(candidate)
        }
        var chunk = max(1, current.count / 2)
        while chunk >= 1 && remaining > 0 {
            var index = 0
            var removed = false
            while index < current.count && remaining > 0 {
                var candidate = current
                candidate.removeSubrange(index..<min(current.count, index + chunk))
                if test(candidate) { current = candidate; removed = true } else { index += chunk }
            }
            if !removed { chunk /= 2 }
        }
        for index in current.indices where current[index] != 0 && remaining > 0 {
            var candidate = current
            candidate[index] = 0
            if test(candidate) { current = candidate }
        }
        return current
    }
}
