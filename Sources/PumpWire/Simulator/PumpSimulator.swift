import PumpWireCore

/// A pump to program against (spec/behaviour.md): the core's engine with a virtual clock that runs
/// at real, accelerated or stepped speed, and a telemetry link that loses, corrupts, delays and
/// duplicates frames on demand. Restarts, power loss mid-programming and a low battery are one
/// call each. Bytes come in as a stream in pieces; frames go out when their delay has passed.
public struct PumpSimulator<Provider: CryptoProvider> {
    /// The pump behind the link: without the security layer, or with it (behaviour.md section 11).
    public typealias Pump = HostPump<Provider>

    /// Something the simulator did that a user watching it wants to know.
    public struct Event: Equatable, Sendable {
        public var realTime: Double
        public var pumpClock: UInt32
        public var text: String
    }

    public private(set) var pump: Pump
    public var faults: SimulatorFaults
    /// Pump seconds per real second (1 real time, 3600 an hour a second); 0 stops the clock (stepped).
    public var speed: Double
    /// The most recent events, oldest first (at most `eventLimit`).
    public private(set) var events: [Event] = []
    public var eventLimit = 200
    /// Events noted since the start (more than `events` holds once it is full).
    public private(set) var eventCount = 0
    /// Frames that went each way, and what the link did to them.
    public private(set) var counters = Counters()

    public struct Counters: Equatable, Sendable {
        public var framesIn = 0
        public var framesOut = 0
        public var lost = 0
        public var corrupted = 0
        public var duplicated = 0
    }

    private var random: SeededGenerator
    private var accumulator = FrameAccumulator()
    private var carriedSeconds: Double = 0
    private var lastRealTime: Double?
    /// Frames on the link, each with the real time it arrives.
    private var inbound: [(due: Double, frame: [UInt8])] = []
    private var outbound: [(due: Double, frame: [UInt8])] = []

    public init(pump: Pump, faults: SimulatorFaults = .none, speed: Double = 1, seed: UInt64 = 1) {
        self.pump = pump
        self.faults = faults
        self.speed = speed
        random = SeededGenerator(seed: seed)
    }

    /// The engine, for its state and memory.
    public var engine: PumpEngine { pump.engine }

    public var clock: UInt32 { engine.clock }

    // MARK: - Time

    /// Real time has reached `realTime` (seconds, any origin): the pump's clock moves by the elapsed
    /// real time times `speed`, in whole pump seconds, and frames due by then are delivered.
    public mutating func run(until realTime: Double) {
        if let last = lastRealTime, realTime > last, speed > 0 {
            carriedSeconds += (realTime - last) * speed
            let whole = carriedSeconds.rounded(.down)
            if whole >= 1 {
                carriedSeconds -= whole
                advance(pumpSeconds: UInt32(clamping: Int64(min(whole, Double(UInt32.max)))))
            }
        }
        lastRealTime = max(lastRealTime ?? realTime, realTime)
        deliverDue(at: realTime)
    }

    /// Pump time elapses by `seconds` (stepped time, or a jump forward): every tick runs (PW-PUMP-3).
    public mutating func advance(pumpSeconds seconds: UInt32) {
        let room = WireLimits.never - 1 - clock
        let step = min(seconds, room)
        do {
            try mutateEngine { (engine) throws(PumpWireError) in try engine.advance(seconds: step) }
        } catch {
            note("the pump clock cannot pass 0xfffffffe")
        }
        if step < seconds { note("the pump clock stopped at its last second") }
    }

    // MARK: - The link

    /// Bytes from the programmer, arriving at `realTime`: each frame they complete goes onto the link.
    public mutating func receive(_ bytes: [UInt8], at realTime: Double) {
        for frame in accumulator.append(bytes) {
            counters.framesIn += 1
            for (delay, damaged) in link(frame, direction: "programmer → pump") { inbound.append((realTime + delay, damaged)) }
        }
        deliverDue(at: realTime)
    }

    /// The frames for the programmer whose time has come, in order.
    public mutating func takeOutput(at realTime: Double) -> [[UInt8]] {
        deliverDue(at: realTime)
        let due = outbound.filter { $0.due <= realTime }.sorted { $0.due < $1.due }.map(\.frame)
        outbound.removeAll { $0.due <= realTime }
        return due
    }

    /// The real time at which the next frame on the link arrives, if any.
    public var nextDue: Double? { (inbound.map(\.due) + outbound.map(\.due)).min() }

    /// The line went quiet with a frame half received: the pump drops it.
    public mutating func lineIdle() {
        if accumulator.pendingCount > 0 { note("dropped \(accumulator.pendingCount) bytes of an unfinished frame") }
        accumulator.discardPartial()
    }

    private mutating func deliverDue(at realTime: Double) {
        while let index = inbound.indices.min(by: { inbound[$0].due < inbound[$1].due }), inbound[index].due <= realTime {
            let (arrival, frame) = inbound.remove(at: index)
            for answer in deliver(frame) {  // the pump answers when the frame arrived
                counters.framesOut += 1
                for (delay, damaged) in link(answer, direction: "pump → programmer") { outbound.append((arrival + delay, damaged)) }
            }
        }
    }

    /// What the link does to one frame: nothing, lose it, flip a bit, send it twice, delay it.
    private mutating func link(_ frame: [UInt8], direction: String) -> [(Double, [UInt8])] {
        guard !faults.isNone else { return [(0, frame)] }
        if random.chance(faults.lossRate) {
            counters.lost += 1
            note("lost a frame \(direction) (sequence \(Self.sequence(frame)))")
            return []
        }
        var copy = frame
        if random.chance(faults.corruptionRate), !copy.isEmpty {
            let bit = Int.random(in: 0..<(copy.count * 8), using: &random)
            copy[bit / 8] ^= UInt8(1 << (bit % 8))
            counters.corrupted += 1
            note("flipped bit \(bit % 8) of byte \(bit / 8) of a frame \(direction)")
        }
        let range = faults.delayMilliseconds
        var copies = [(Double.random(in: range, using: &random) / 1000, copy)]
        if random.chance(faults.duplicationRate) {
            counters.duplicated += 1
            note("sent a frame \(direction) twice (sequence \(Self.sequence(frame)))")
            copies.append((Double.random(in: range, using: &random) / 1000, copy))
        }
        return copies
    }

    static func sequence(_ frame: [UInt8]) -> Int { frame.count >= 7 ? Int(frame[5]) | Int(frame[6]) << 8 : -1 }

    /// One frame to the pump at its clock; its answers.
    private mutating func deliver(_ frame: [UInt8]) -> [[UInt8]] {
        let answers = pump.receive(frame)
        if answers.isEmpty { note("the pump did not answer a frame (sequence \(Self.sequence(frame)))") }
        return answers
    }

    // MARK: - The pump's own faults

    /// A restart (watchdog, reboot): what is not kept is lost, `pumpReset` is raised (PW-PUMP-22).
    public mutating func restart() {
        pump.restart()
        note("the pump restarted")
    }

    /// Power lost and back: the frames on their way are gone with the half-received one, then a
    /// restart. A therapy change in progress is not applied (PW-PUMP-21).
    public mutating func powerLoss() {
        inbound.removeAll()
        outbound.removeAll()
        accumulator.discardPartial()
        note("power lost")
        restart()
    }

    public mutating func setBattery(millivolts: UInt16) {
        mutateEngine { $0.setBattery(millivolts: millivolts) }
        note("battery now \(millivolts) mV")
    }

    public mutating func setClock(_ time: UInt32) {
        mutateEngine { $0.setClock(time) }
        note("clock set")
    }

    private mutating func mutateEngine<E: Error>(_ body: (inout PumpEngine) throws(E) -> Void) throws(E) {
        try pump.withEngine(body)
    }

    private mutating func note(_ text: String) {
        eventCount += 1
        events.append(Event(realTime: lastRealTime ?? 0, pumpClock: clock, text: text))
        if events.count > eventLimit { events.removeFirst(events.count - eventLimit) }
    }
}
