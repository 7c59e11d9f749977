#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: one `PumpEngine` (spec/behaviour.md) driven through a run of operations read from
/// the input: well-formed requests (prescriptions with random valid day profiles, fragmented ones
/// above 240 bytes among them, bolus schedules, refills, interrogations, memory dumps), repeated
/// and changed requests, fragments lost and sent again, damaged and random frames, elapsed time
/// from seconds to days, clock changes forward and back, battery changes, restarts and resets.
/// After every operation, and at every tick of elapsed time, the invariants of README.md are
/// checked (`Checks.swift`); a broken one traps with its requirement in the message.
///
/// With option bit 1 the engine sits behind the security layer (`SecurePumpEngine`, PW-PUMP-26,
/// over the fuzzing-only provider): an honest clinician and patient open KK sessions and send
/// their requests sealed, patient boluses included (`Secure.swift`).
///
/// Input: the option byte, 3 bytes of setup (start clock, battery), then operations: an op byte
/// (`op & 31` picks the operation from `operations`, `op >> 5` is its variant) and its operands.
/// Option byte: bit 0 sets the CRC of random and damaged frames right; bit 1 the secure engine;
/// bit 2 compares every elapse with one `advance` of the whole interval on a copy (PW-PUMP-3).
@_cdecl("FuzzPumpEngine_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        var run = EngineRun(FuzzInput(data, size))
        run.play()
        return 0
    }
}

typealias Provider = FuzzingOnlyCryptoProvider

/// FUZZ_TRACE=1 prints each operation and what the pump answered (to read a run by hand).
let traceSteps = getenv("FUZZ_TRACE") != nil

/// What the harness knows of a stored prescription or bolus schedule: none, its content and
/// digest, or stored with a content the harness cannot tell (a fragmented message damaged in a
/// way that still decodes).
enum Stored<Value> {
    case none
    case known(Value, digest: UInt32)
    case unknown

    var isNone: Bool { if case .none = self { true } else { false } }
    var value: Value? { if case .known(let value, _) = self { value } else { nil } }
    var digest: UInt32? {
        switch self {
        case .none: 0
        case .known(_, let digest): digest
        case .unknown: nil
        }
    }
}

/// PW-PUMP-20's kept request, as the harness follows it from outside.
struct Kept {
    var type: UInt8
    var sequence: UInt16
    var digest: UInt32
    var answer: [UInt8]
}

/// A request the harness built: its frames (for repeats, losses and changes).
struct SentRequest {
    var type: UInt8
    var sequence: UInt16
    var frames: [[UInt8]]
}

enum Operation {
    case prescription, schedule, refill, interrogation, dump, repeatRequest, changedRequest, missingFragment
    case damagedFrame, randomFrame, seconds, minutes, hours, days, setClock, battery, restart, reset
    case handshake, patientBolus
}

struct EngineRun {
    static let maxOperations = 96
    /// Ticks one input may run (about 35 days), so that an execution stays short.
    static let maxTicks = 50_000
    /// A pump-clock midnight near the vectors' times (2026-11-10).
    static let dayStart: UInt32 = 847_584_000
    /// Around Appendix P's limits: end of service at or below 2500 mV, elective replacement at or below 2700.
    static let batteries: [UInt16] = [3000, 2701, 2700, 2699, 2501, 2500, 2499, 0, 5000, 65535, 3600, 2600, 2800, 2400, 3100, 2550]
    /// `op & 31`: the common operations more than once.
    static let operations: [Operation] = [
        .prescription, .prescription, .schedule, .schedule, .refill, .refill, .refill, .interrogation,
        .dump, .repeatRequest, .repeatRequest, .changedRequest, .missingFragment, .damagedFrame, .randomFrame, .seconds,
        .minutes, .minutes, .hours, .hours, .days, .days, .setClock, .battery,
        .battery, .restart, .reset, .handshake, .patientBolus, .patientBolus, .interrogation, .minutes,
    ]

    var source: FuzzSource
    let fixCRC: Bool
    let secure: Bool
    let compareWholeAdvance: Bool
    var pump: SecurePumpEngine<Provider>
    var battery: UInt16
    var sequence: UInt16 = 0x200
    var ticksLeft = EngineRun.maxTicks

    // What the harness follows from outside.
    var prescription = Stored<PrescriptionBlock>.none
    var schedule = Stored<BolusSchedule>.none
    var kept: Kept?
    /// Prescriptions and schedules the harness built or saw whole, by digest (CRC-32 of the payload).
    var prescriptions: [UInt32: PrescriptionBlock] = [:]
    var schedules: [UInt32: BolusSchedule] = [:]
    /// PW-PUMP-6's accumulator computed from the spec, nil while the prescription is unknown.
    var accumulator: UInt64? = 0
    /// The known prescription's rate minute by minute (`minuteRates`).
    var rates: [UInt64] = []
    /// Delivered since the last day boundary (PW-PUMP-23).
    var dayBasal: UInt64 = 0
    var dayBolus: UInt64 = 0
    /// The log image as last checked (`Checks.checkLogs`).
    var logImage: [UInt8]
    var history: [[UInt8]] = []
    var last: SentRequest?
    /// The last prescription built (a dictionary's order is not the same from run to run).
    var lastPrescription: PrescriptionBlock?

    // The secure engine's honest devices (Secure.swift).
    var device: Device?
    var patientLimits: SecurePump<Provider>.PatientBolusLimits?
    var limitsKnown = true
    var grants: [UInt32] = []

    init(_ input: FuzzInput) {
        source = FuzzSource(bytes: input.bytes)
        fixCRC = input.option & 1 != 0
        secure = input.option & 2 != 0
        compareWholeAdvance = input.option & 4 != 0
        let start = Self.dayStart &+ UInt32(source.u16()) &* 2
        battery = Self.batteries[Int(source.u8() % 16)]
        pump = SecurePumpEngine(engine: PumpEngine(clock: start, batteryMillivolts: battery), pump: Self.securePump())
        logImage = [UInt8](repeating: 0xFF, count: pump.engine.memorySize(of: .rawAddress))
    }

    mutating func play() {
        checkState("the pump fresh from the factory")
        var count = 0
        while !source.isEmpty && count < Self.maxOperations {
            step()
            count += 1
        }
        checkWholeLogs()
    }

    mutating func step() {
        let op = source.u8()
        let variant = op >> 5
        var operation = Self.operations[Int(op & 31)]
        if !secure && (operation == .handshake || operation == .patientBolus) { operation = operation == .handshake ? .seconds : .refill }
        if secure && operation == .reset { operation = .restart }  // the layer's own state has no PUMP_RESET here
        if traceSteps { print("clock \(pump.engine.clock) op \(operation) variant \(variant)") }
        switch operation {
        case .prescription: request(.prescriptionBlock(makePrescription()), variant: variant)
        case .schedule: request(.bolusSchedule(makeSchedule()), variant: variant)
        case .refill: request(.refillConfirmation(makeRefill()), variant: variant)
        case .interrogation: request(.interrogationRequest(InterrogationRequest()), variant: variant)
        case .dump: request(.memoryDumpRequest(makeDump()), variant: variant)
        case .repeatRequest: repeatLast(variant: variant)
        case .changedRequest: changeLast(variant: variant)
        case .missingFragment:
            guard let last, !last.frames.isEmpty else { return }
            deliverAny(last.frames[Int(source.u8()) % last.frames.count])
        case .damagedFrame: damagedFrame(variant: variant)
        case .randomFrame:
            var frame = source.take(Int(source.u8()))
            if fixCRC { Frame.setCRC(in: &frame) }
            deliverAny(frame)
        case .seconds: elapse(UInt32(source.u8()))
        case .minutes: elapse(UInt32(source.u8()) * 60 + UInt32(source.u8() % 60))
        case .hours: elapse(UInt32(source.u8() % 49) * 3_600 + UInt32(source.u16() % 3_600))
        case .days: elapse(UInt32(1 + source.u8() % 7) * 86_400 + UInt32(source.u16() % 3_600))
        case .setClock: setClock(variant: variant)
        case .battery: setBattery(Self.batteries[Int(source.u8() % 16)])
        case .restart: restart()
        case .reset: reset()
        case .handshake: _ = openSession(patient: variant & 1 != 0)
        case .patientBolus: patientBolus()
        }
        checkState("after \(operation)")
    }

    mutating func nextSequence() -> UInt16 {
        sequence &+= 1
        return sequence
    }

    // MARK: - Requests

    /// A well-formed request, fragmented when its payload is above 240 bytes; variant 1 loses a
    /// fragment (the programmer sends it again later), 2 delivers the fragments in reverse, 3
    /// duplicates one (PW-FRAG-8). Sealed by the honest clinician on the secure engine.
    mutating func request(_ message: Message, variant: UInt8) {
        let payload = Self.payload(message)
        remember(message, payload: payload)
        if secure {
            sealedRequest(message.typeCode, payload: payload, patient: false, variant: variant)
            return
        }
        let sequence = nextSequence()
        let frames = Self.frames(type: message.typeCode, sequence: sequence, payload: payload)
        if [0x02, 0x03, 0x04].contains(message.typeCode) { last = SentRequest(type: message.typeCode, sequence: sequence, frames: frames) }
        deliver(frames, variant: variant)
    }

    mutating func deliver(_ frames: [[UInt8]], variant: UInt8) {
        var order = frames
        if frames.count > 1 {
            switch variant & 3 {
            case 1: order.remove(at: Int(source.u8()) % order.count)
            case 2: order.reverse()
            case 3: order.insert(order[Int(source.u8()) % order.count], at: Int(source.u8()) % order.count)
            default: break
            }
        }
        for frame in order { deliverAny(frame) }
    }

    /// The last prescription, schedule or refill again with the same sequence (PW-PUMP-20, and
    /// PW-SESSION-1 for a message whose fragment was lost).
    mutating func repeatLast(variant: UInt8) {
        guard let last else { return }
        deliver(last.frames, variant: variant)
    }

    /// Another request of the last one's type with the same sequence: a changed request is executed (PW-PUMP-20).
    mutating func changeLast(variant: UInt8) {
        guard var last else { return }
        let message: Message = switch last.type {
        case 0x02: .prescriptionBlock(makePrescription())
        case 0x03: .bolusSchedule(makeSchedule())
        default: .refillConfirmation(makeRefill())
        }
        let payload = Self.payload(message)
        remember(message, payload: payload)
        last.type = message.typeCode
        last.frames = Self.frames(type: message.typeCode, sequence: last.sequence, payload: payload)
        self.last = last
        deliver(last.frames, variant: variant)
    }

    /// One of the last frames sent, damaged: a bit flipped, a byte set, cut short, or bytes added.
    mutating func damagedFrame(variant: UInt8) {
        guard !history.isEmpty else { return }
        var frame = history[Int(source.u8()) % history.count]
        let at = Int(source.u16())
        switch variant & 3 {
        case 0: if !frame.isEmpty { frame[at % frame.count] ^= 1 << (source.u8() & 7) }
        case 1: if !frame.isEmpty { frame[at % frame.count] = source.u8() }
        case 2: frame = Array(frame.prefix(at % (frame.count + 1)))
        default: frame += source.take(Int(source.u8() % 8))
        }
        if fixCRC || variant & 4 != 0 { Frame.setCRC(in: &frame) }
        deliverAny(frame)
    }

    mutating func deliverAny(_ frame: [UInt8]) {
        if secure { deliverSecure(frame) } else { deliver(frame) }
    }

    /// Keeps a built prescription or schedule by digest, so that an acknowledgement's digest names it.
    mutating func remember(_ message: Message, payload: [UInt8]) {
        let digest = payload.withUnsafeBytes { CRC32.checksum($0) }
        switch message {
        case .prescriptionBlock(let block):
            prescriptions[digest] = block
            lastPrescription = block
        case .bolusSchedule(let schedule): schedules[digest] = schedule
        default: break
        }
    }

    /// The payload's fields as the message holds them, written without the encoder's check (a
    /// request may be invalid on purpose).
    static func payload(_ message: Message) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: WireLimits.maxMessagePayload)
        let count = buffer.withUnsafeMutableBytes { raw -> Int in
            var writer = ByteWriter(raw)
            do {
                switch message {
                case .interrogationRequest: break
                case .prescriptionBlock(let block): try block.writeFields(to: &writer)
                case .bolusSchedule(let schedule): try schedule.writeFields(to: &writer)
                case .refillConfirmation(let refill): try refill.writeFields(to: &writer)
                case .memoryDumpRequest(let dump): try dump.writeFields(to: &writer)
                default: fatalError("the harness sends no \(message)")
                }
            } catch {
                fatalError("the harness cannot write \(message): \(error)")
            }
            return writer.count
        }
        return Array(buffer[..<count])
    }

    /// Frames of a payload (4.1, 5.1): one, or fragments of 236 bytes of data with their header.
    /// With `sealed`, each has the AUTHENTICATED flag and an empty block, to be sealed in place.
    static func frames(type: UInt8, sequence: UInt16, payload: [UInt8], sealed: Bool = false) -> [[UInt8]] {
        var pieces: [(flags: UInt8, payload: [UInt8])] = []
        let auth: UInt8 = sealed ? 0x02 : 0
        if payload.count <= WireLimits.maxFramePayload {
            pieces = [(auth, payload)]
        } else {
            let count = FragmentHeader.fragmentCount(forPayloadLength: payload.count)
            for index in 0..<count {
                let header = FragmentHeader(index: UInt8(index), count: UInt8(count), totalLength: UInt16(payload.count))
                let data = payload[header.dataOffset..<(header.dataOffset + header.expectedDataLength)]
                pieces.append((auth | 0x01, [header.index, header.count, UInt8(truncatingIfNeeded: header.totalLength),
                                             UInt8(truncatingIfNeeded: header.totalLength >> 8)] + data))
            }
        }
        return pieces.map { piece in
            var frame: [UInt8] = [0xA5, 0xC3, 0x01, type, piece.flags, UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8),
                                  UInt8(truncatingIfNeeded: piece.payload.count), UInt8(truncatingIfNeeded: piece.payload.count >> 8)]
            frame += piece.payload
            if sealed { frame += [UInt8](repeating: 0, count: WireLimits.authenticationBlockSize) }
            frame += [0, 0]
            Frame.setCRC(in: &frame)
            return frame
        }
    }

    // MARK: - Well-formed messages from the input

    static let concentrations: [UInt32] = [2000, 1, 1000, 600, 7, 100_000, 20, 50]
    static let rates: [UInt32] = [480_000, 960_000, 1, 1_000_000_000, 1000, 24_000_000, 333_333, 7]

    /// A prescription with a random valid day profile (PW-RX-1 to PW-RX-9): one step, 2 to 8, or
    /// 36 to 48 (above 240 bytes from 37: fragmented); 1 in 8 exceeds its daily limit (refused).
    mutating func makePrescription() -> PrescriptionBlock {
        let shape = source.u8()
        let mode: DeliveryMode = [.fixedRate, .continuous, .timeOfDay, .timeOfDay][Int(shape & 3)]
        var count = 1
        if mode == .timeOfDay { count = shape & 4 != 0 ? 36 + Int(source.u8() % 13) : 2 + Int(source.u8() % 7) }
        let c = source.u8()
        let concentration = c < 240 ? Self.concentrations[Int(c & 7)] : 1 + source.u32() % 100_000
        let k = source.u8()
        let capacity: UInt32 = k < 240 ? [20_000, 60_000, 1_000, 5_000][Int(k & 3)] : 1_000 + source.u32() % 59_001
        let threshold = 500 + UInt32(source.u16()) % (min(10_000, capacity - 1) - 499)
        var steps: [DayProfileStep] = []
        let slot = 1440 / count
        for index in 0..<count {
            let start = index == 0 ? 0 : UInt16(index * slot + Int(source.u8()) * slot / 256)
            let r = source.u8()
            let rate = r < 192 ? Self.rates[Int(r & 7)] : 1 + source.u32() % 1_000_000_000
            steps.append(DayProfileStep(startMinute: start, doseRateNanogramsPerDay: rate))
        }
        var block = PrescriptionBlock(
            drug: Drug(rawValue: 1 + shape >> 5) ?? .morphine, mode: mode, concentrationMicrogramsPerMillilitre: concentration,
            reservoirCapacityMicrolitres: capacity, lowReservoirThresholdMicrolitres: threshold,
            catheterVolumeMicrolitres: UInt16(source.u8()) * 7, maxDailyDoseNanograms: 1,
            steps: (try? BoundedArray(elements: steps)) ?? BoundedArray())
        // PW-RX-9: W <= maxDailyDose * 1440 exactly; the least allowed, or more, or (1 in 8) one less.
        let least = (Self.stepWeighted(block) + 1439) / 1440
        let extra = source.u8()
        if extra & 7 == 7 && least > 1 {
            block.maxDailyDoseNanograms = UInt32(least - 1)
        } else {
            block.maxDailyDoseNanograms = UInt32(min(least + UInt64(extra >> 3) * UInt64(extra >> 3) * 1000, 1_000_000_000))
        }
        return block
    }

    /// A valid bolus schedule (PW-BOLUS-1 to PW-BOLUS-4), short durations more often.
    mutating func makeSchedule() -> BolusSchedule {
        let flags = source.u8()
        func dose(_ b: UInt8) -> UInt32 {
            b < 200 ? [50_000, 1, 100_000_000, 10_000, 1_000_000, 2_000, 25_000, 3][Int(b & 7)] : 1 + source.u32() % 100_000_000
        }
        func duration(_ b: UInt8) -> UInt16 { b < 224 ? UInt16(1 + b % 60) : UInt16(1 + source.u16() % 1440) }
        var schedule = BolusSchedule()
        if flags & 1 != 0 { schedule.clinicianBolus = ClinicianBolus(doseNanograms: dose(source.u8()), durationMinutes: duration(source.u8())) }
        if flags & 2 != 0 {
            schedule.primingBolus = PrimingBolus(kind: flags & 8 != 0 ? .bridge : .catheter,
                                                 volumeMicrolitres: 1 + source.u16() % 2000, durationMinutes: duration(source.u8()))
        }
        if flags & 4 != 0 {
            schedule.patientBolus = PatientBolus(doseNanograms: dose(source.u8()), durationMinutes: duration(source.u8()),
                                                 lockoutMinutes: 15 + source.u16() % 1426, maxPerDay: 1 + source.u8() % 24)
        }
        let periodic = Int(flags >> 4) % 9
        var previous = -1
        for index in 0..<periodic {
            let room = 1440 - (periodic - index) - previous
            guard room > 0 else { break }
            let start = previous + 1 + Int(source.u16()) % room
            guard start <= 1439 else { break }
            previous = start
            try? schedule.periodicBoluses.append(PeriodicBolus(startMinute: UInt16(start), doseNanograms: dose(source.u8()), durationMinutes: duration(source.u8())))
        }
        return schedule
    }

    /// A refill of the stored prescription's drug and concentration mostly, within its capacity
    /// mostly (PW-REFILL-5), at the clock now or another time.
    mutating func makeRefill() -> RefillConfirmation {
        let how = source.u8()
        let rx = prescription.value ?? lastPrescription
        var drug = rx?.drug ?? .morphine
        var concentration = rx?.concentrationMicrogramsPerMillilitre ?? 2000
        let capacity = rx?.reservoirCapacityMicrolitres ?? 20_000
        if how & 0x0F == 1 { drug = Drug(rawValue: 1 + (drug.rawValue % 8)) ?? .baclofen }
        if how & 0x0F == 2 { concentration = concentration % 100_000 + 1 }
        var resulting: UInt32
        switch how >> 4 & 7 {
        case 0: resulting = capacity
        case 1: resulting = 0
        case 2: resulting = 1
        case 3: resulting = min(capacity + 1 + UInt32(source.u8()), 60_000)
        default: resulting = UInt32(source.u16()) % (capacity + 1)
        }
        let time = how & 0x80 != 0 ? source.u32() % 0xFFFF_FFFF : pump.engine.clock
        return RefillConfirmation(drug: drug, concentrationMicrogramsPerMillilitre: concentration,
                                  volumeWithdrawnMicrolitres: UInt32(source.u8()) * 100, volumeAddedMicrolitres: resulting,
                                  resultingReservoirMicrolitres: resulting, refillTime: time)
    }

    /// A dump inside its region mostly, of any region (PW-DUMP-10: past its end is refused).
    mutating func makeDump() -> MemoryDumpRequest {
        let how = source.u8()
        let region = MemoryRegion(rawValue: 1 + how & 3) ?? .eventLog
        let size = UInt32(pump.engine.memorySize(of: region))
        var offset: UInt32, length: UInt32
        switch how >> 2 & 3 {
        case 0: (offset, length) = (0, size)
        case 1:
            offset = UInt32(source.u16()) % size
            length = 1 + UInt32(source.u16()) % (size - offset)
        case 2:
            offset = UInt32(source.u16()) % (size + 1)
            length = size - offset + 1  // one byte past the end
        default:
            offset = source.u32()
            length = 1 + source.u32() % UInt32(WireLimits.maxDumpLength)
            if UInt64(offset) + UInt64(length) > 0x1_0000_0000 { offset = 0 }
        }
        return MemoryDumpRequest(region: region, compressionAllowed: how & 0x10 != 0, offset: offset, length: length)
    }

    // MARK: - Time, clock, battery, power

    mutating func setClock(variant: UInt8) {
        let clock = pump.engine.clock
        let time: UInt32 = switch variant & 7 {
        case 0: clock &+ UInt32(source.u16()) &* 60
        case 1: clock &- UInt32(source.u16()) &* 60
        case 2: (clock / 86_400 &+ 1) &* 86_400 &+ UInt32(bitPattern: Int32(Int8(bitPattern: source.u8())))
        case 3: clock &- UInt32(source.u8()) * 86_400
        case 4: 0xFFFF_FFFF  // not a time (PW-UNIT-1): nothing changes
        case 5: clock
        default: source.u32()
        }
        setClock(to: time)
    }
}

/// A day profile's rates and W (spec 2.3), from PW-PUMP-6's step rule: the harness's own reading,
/// not the core's `dailyDoseMinuteWeighted`.
extension EngineRun {
    /// W by steps (rate times minutes), for building prescriptions quickly.
    static func stepWeighted(_ block: PrescriptionBlock) -> UInt64 {
        let steps = Array(block.steps)
        var sum: UInt64 = 0
        for (index, step) in steps.enumerated() {
            let end = index + 1 < steps.count ? Int(steps[index + 1].startMinute) : 1440
            sum += UInt64(step.doseRateNanogramsPerDay) * UInt64(end - Int(step.startMinute))
        }
        return sum
    }

    /// The rate of each minute of the day (PW-PUMP-6: the last step that starts at or before it).
    static func minuteRates(_ block: PrescriptionBlock) -> [UInt64] {
        let steps = Array(block.steps)
        var rates = [UInt64](repeating: 0, count: 1440)
        var index = -1
        for minute in 0..<1440 {
            while index + 1 < steps.count && Int(steps[index + 1].startMinute) <= minute { index += 1 }
            rates[minute] = index >= 0 ? UInt64(steps[index].doseRateNanogramsPerDay) : 0
        }
        return rates
    }
}
