import PumpWire
import PumpWireCore
import PumpWireSecurity

/// The reference codec answering testee requests in process. `pumpwire testee` serves it over
/// stdin/stdout; the broken modes exist to prove that the suite catches a faulty implementation.
public struct ReferenceTestee: Sendable {
    /// Deliberate faults (spec/conformance.md is silent on them: they are test equipment).
    public enum Fault: String, CaseIterable, Sendable {
        /// CRC-16 with initial value 0 instead of 0xFFFF, for the CRC16 request and frame checks.
        case crcInitialZero = "crc-init-zero"
        /// Decodes a frame followed by trailing bytes instead of rejecting it (PW-FRAME-7).
        case acceptTrailingBytes = "accept-trailing-bytes"
        /// OPEN takes a frame whose counter equals the highest accepted as fresh (PW-SEC-10 step 4).
        case acceptReplay = "accept-replay"
        /// OPEN skips the session epoch check (PW-SEC-10 step 3).
        case skipEpochCheck = "skip-epoch-check"
        /// PUMP_BEGIN enrolls patient slots as clinician ones: a role escalation (PW-SEC-5, T11).
        case patientAsClinician = "patient-as-clinician"
        /// PUMP_BEGIN forgets the slots' last command ids, as a pump that keeps them in RAM (PW-SEC-14, T12).
        case forgetCommandIds = "forget-command-ids"
        /// PUMP_SET_CLOCK forward lets the time elapse, delivering for the jump (behaviour.md PW-PUMP-4).
        case setClockDelivers = "set-clock-delivers"
        /// PUMP_SET_BATTERY is not measured: no elective-replacement or end-of-service alarm (PW-PUMP-16).
        case ignoreBattery = "ignore-battery"
    }

    public var fault: Fault?
    private var reassembler = Reassembler()
    /// The handshake of HANDSHAKE_BEGIN (spec/conformance.md 2.4.10).
    private var handshake: HandshakeBox?
    /// The secure pump of PUMP_BEGIN (spec/conformance.md 2.4.10).
    private var pump: SecurePumpBox?
    /// The pump of PUMP_RESET (spec/conformance.md 2.4.11).
    private var behaviour: ReferencePump?

    public init(fault: Fault? = nil) {
        self.fault = fault
    }

    public static let name = "pumpwire-swift (reference codec)"
    public var name: String { fault.map { "\(Self.name), broken: \($0.rawValue)" } ?? Self.name }
    public var capabilities: TesteeCapabilities { .all }

    /// The answer to one request body, the edges of spec/conformance.md 2.7 included: an unknown
    /// code is SKIPPED, a malformed or over-long body a RUNTIME_ERROR, and an answer above the
    /// message limit is never sent.
    public mutating func respond(toBody body: [UInt8]) -> TesteeResponse {
        guard body.count <= WireBytes.maxMessageLength else { return .runtimeError("request too long: above 16 MiB") }
        let response: TesteeResponse
        switch TesteeRequest.read(body) {
        case .request(let request): response = respond(to: request)
        case .unknownCode: return .skipped
        case .malformed: return .runtimeError("malformed request: its body does not fit request code \(body.first ?? 0)")
        }
        guard response.body.count <= WireBytes.maxMessageLength else { return .runtimeError("answer too long: above 16 MiB") }
        return response
    }

    public mutating func respond(to request: TesteeRequest) -> TesteeResponse {
        switch request {
        case .raw(let body):
            return respond(toBody: body)
        case .hello:
            // 2.7: whatever version the runner asks for, the answer is the one this testee speaks.
            return .ok([TesteeRequest.protocolVersion] + WireBytes.u32(capabilities.rawValue) + Array(name.utf8))
        case .decodeFrame(let bytes):
            return result { () throws(PumpWireError) in try canonical(decodeFrame(bytes)) }
        case .decodeFields(let bytes):
            return result { () throws(PumpWireError) in
                let frame = try decodeFrame(bytes)
                guard let view = try? PumpWireJSON.view(of: frame) else { return [] }
                return Array(FieldList.text(of: view).utf8)
            }
        case .crc16(let bytes):
            return .ok(WireBytes.u16(Int(crc16(bytes))))
        case .crc32(let bytes):
            return .ok(WireBytes.u32(bytes.withUnsafeBytes { CRC32.checksum($0) }))
        case .reassemblerReset:
            reassembler.reset()
            return .ok([])
        case .reassemblerAdd(let bytes):
            return reassemble(bytes)
        case .reassemblerGiveUp:
            if let error = reassembler.giveUp() { return .rejected(error) }
            return .ok([])
        case .stream(let bytes):
            guard let answer = Self.streamAnswer(bytes) else { return .runtimeError("answer too long: above 16 MiB") }
            return .ok(answer)
        case .derive(let prescription, let refill):
            return result { () throws(PumpWireError) in
                guard case .message(.prescriptionBlock(let rx)) = try decodeFrame(prescription).content else {
                    throw PumpWireError(.fieldOutOfRange, at: 3)
                }
                guard case .message(.refillConfirmation(let confirmation)) = try decodeFrame(refill).content else {
                    throw PumpWireError(.fieldOutOfRange, at: 3)
                }
                return WireBytes.u64(rx.dailyBasalVolumeNanolitres) + WireBytes.u64(rx.dailyBasalDoseNanograms)
                    + WireBytes.u32(rx.lowReservoirAlarmTime(after: confirmation))
            }
        case .session(let frames):
            let findings = SessionChecker.check(frames)
            return .ok(WireBytes.u16(findings.count) + findings.flatMap {
                WireBytes.u16($0.frameIndex) + WireBytes.u16(Int($0.code.rawValue))
            })
        case .dump(let frames):
            return .ok(dump(frames))
        case .log(let region, let regionOffset, let image):
            guard let region = MemoryRegion(rawValue: region), region != .rawAddress else {
                return .rejected(PumpWireError(.fieldOutOfRange, at: 0))
            }
            return .ok(Self.logItems(LogReader.items(in: image, region: region, regionOffset: regionOffset)))
        case .handshakeBegin(let begin):
            handshake = nil
            let started = begin.prologue.withUnsafeBytes { prologue in
                Result { () throws(PumpWireError) -> NoiseHandshakeState<SwiftCryptoProvider> in
                    try NoiseHandshakeState(
                        pattern: NoisePattern(rawValue: begin.pattern) ?? .kk, role: begin.role == 0 ? .initiator : .responder,
                        prologue: prologue, localStaticPrivateKey: Self.key(begin.staticPrivate),
                        remoteStaticPublicKey: begin.remoteStatic.map(Self.key), presharedKey: begin.presharedKey.map(Self.key),
                        ephemeralPrivateKey: Self.key(begin.ephemeralPrivate), provider: SwiftCryptoProvider())
                }
            }
            switch started {
            case .success(let state):
                handshake = HandshakeBox(state: state)
                return .ok([])
            case .failure(let error):
                return .rejected(error)
            }
        case .handshakeWrite(let payload):
            return result { () throws(PumpWireError) in
                guard let box = handshake else { throw PumpWireError(.handshakeOutOfOrder, at: PumpWireError.noOffset) }
                return try box.state.writeMessage(payload)
            }
        case .handshakeRead(let message):
            return result { () throws(PumpWireError) in
                guard let box = handshake else { throw PumpWireError(.handshakeOutOfOrder, at: PumpWireError.noOffset) }
                return try box.state.readMessage(message)
            }
        case .handshakeSplit:
            return result { () throws(PumpWireError) in
                guard let box = handshake else { throw PumpWireError(.handshakeOutOfOrder, at: PumpWireError.noOffset) }
                let (k1, k2) = try box.state.split()
                return Self.bytes(box.state.handshakeHash) + Self.bytes(k1.key) + Self.bytes(k2.key)
            }
        case .seal(let key, let freshnessCounter, let frame):
            return result { () throws(PumpWireError) in
                let direction = SealedDirection(
                    key: Self.key(key), sessionEpoch: UInt8(truncatingIfNeeded: freshnessCounter >> 24),
                    nextFrameCounter: freshnessCounter & SealedFrame.maxFrameCounter)
                var channel = SealedChannel(sending: direction, receiving: direction, provider: SwiftCryptoProvider())
                var bytes = frame
                let length = try bytes.withUnsafeMutableBytes { raw in
                    Result { () throws(PumpWireError) -> Int in try channel.seal(frameIn: raw) }
                }.get()
                return Array(bytes[..<length])
            }
        case .pumpBegin(var setup):
            for index in setup.slots.indices {
                if fault == .patientAsClinician, setup.slots[index].role == 2 { setup.slots[index].role = 1 }
                if fault == .forgetCommandIds { setup.slots[index].lastCommandId = 0 }
            }
            pump = SecurePumpBox(setup: setup)
            return .ok([])
        case .pumpReceive(let now, let ephemeral, let frame):
            guard let box = pump else { return .runtimeError("PUMP_RECEIVE before PUMP_BEGIN") }
            return .ok(box.receive(frame, now: now, ephemeralPrivate: ephemeral))
        case .pumpReset(let reset):
            behaviour = ReferencePump(reset)
            return .ok([])
        case .pumpSetClock(let time) where fault == .setClockDelivers && behaviour != nil && time > behaviour!.engine.clock:
            return behaviour!.respond(to: .pumpAdvance(seconds: time - behaviour!.engine.clock))
        case .pumpSetBattery where fault == .ignoreBattery && behaviour != nil:
            return .ok([])
        case .pumpFrame, .pumpAdvance, .pumpSetClock, .pumpSetBattery, .pumpRestart, .pumpObserve, .pumpReadMemory:
            guard behaviour != nil else { return .runtimeError("a pump hook before PUMP_RESET") }
            return behaviour!.respond(to: request)
        case .open(let key, let sessionEpoch, var highest, let frame):
            if fault == .acceptReplay, let accepted = highest { highest = accepted == 0 ? nil : accepted - 1 }
            var epoch = sessionEpoch
            if fault == .skipEpochCheck, frame.count >= 2 + 20 + WireLimits.headerSize { epoch = frame[frame.count - 2 - 16 - 1] }
            let direction = SealedDirection(key: Self.key(key), sessionEpoch: epoch, highestAccepted: highest)
            return result { () throws(PumpWireError) in
                var channel = SealedChannel(sending: direction, receiving: direction, provider: SwiftCryptoProvider())
                var bytes = frame
                _ = try bytes.withUnsafeMutableBytes { raw in
                    Result { () throws(PumpWireError) -> FrameView in try channel.open(inPlace: raw) }
                }.get()
                // The cleartext frame in the form SEAL takes: the tag zeroed, the CRC recomputed.
                let tag = bytes.count - WireLimits.crcSize - AuthenticationBlock.tagSize
                for index in tag..<(tag + AuthenticationBlock.tagSize) { bytes[index] = 0 }
                Frame.setCRC(in: &bytes)
                return bytes
            }
        }
    }

    static func key(_ bytes: [UInt8]) -> Bytes32 {
        bytes.withUnsafeBytes { Bytes32(copying: $0) } ?? Bytes32()
    }

    private static func bytes(_ key: Bytes32) -> [UInt8] {
        key.withUnsafeBytes { Array($0) }
    }

    private func result(_ body: () throws(PumpWireError) -> [UInt8]) -> TesteeResponse {
        do {
            return .ok(try body())
        } catch {
            return .rejected(error)
        }
    }

    private func crc16(_ bytes: [UInt8]) -> UInt16 {
        fault == .crcInitialZero ? ReferenceCRC.crc16(bytes, initial: 0) : bytes.withUnsafeBytes { CRC16.checksum($0) }
    }

    private func decodeFrame(_ bytes: [UInt8]) throws(PumpWireError) -> Frame {
        switch fault {
        case .acceptTrailingBytes:
            return try bytes.withUnsafeBytes { raw in
                Result { () throws(PumpWireError) -> Frame in
                    try Frame(try FrameView.decode(raw, exactly: false), in: raw)
                }
            }.get()
        case .crcInitialZero:
            // Check the CRC the broken way, then decode as if it were right.
            guard let offset = Frame.crcOffset(in: bytes) else { return try Frame.decode(bytes) }
            let stored = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
            guard stored == crc16(Array(bytes[..<offset])) else { throw PumpWireError(.badCRC, at: offset) }
            var fixed = bytes
            Frame.setCRC(in: &fixed)
            return try Frame.decode(fixed)
        case nil, .acceptReplay, .skipEpochCheck, .patientAsClinician, .forgetCommandIds, .setClockDelivers, .ignoreBattery:
            return try Frame.decode(bytes)
        }
    }

    private func canonical(_ frame: Frame) throws(PumpWireError) -> [UInt8] {
        var bytes = try frame.encoded()
        if fault == .crcInitialZero { Frame.setCRC(in: &bytes, using: crc16) }  // a broken encoder writes its broken CRC
        return bytes
    }

    private mutating func reassemble(_ bytes: [UInt8]) -> TesteeResponse {
        let frame: Frame
        do throws(PumpWireError) {
            frame = try decodeFrame(bytes)
        } catch {
            return .rejected(error)
        }
        guard case .fragment(let fragment) = frame.content else { return .rejected(PumpWireError(.nonCanonical, at: 4)) }
        do throws(PumpWireError) {
            switch try reassembler.add(fragment, sequence: frame.sequence) {
            case .accepted: return .ok([0])
            case .duplicate: return .ok([1])
            case .complete:
                let message = try reassembler.takeMessage()
                return .ok([2, message.typeCode] + (try message.encodedPayload()))
            }
        } catch {
            return .rejected(error)
        }
    }

    /// DUMP's answer (spec/conformance.md 2.4.8): each frame's outcome, then the image or the error.
    private func dump(_ frames: [[UInt8]]) -> [UInt8] {
        var reassembler = ImageReassembler()
        var data = WireBytes.u16(frames.count)
        for bytes in frames {
            do throws(PumpWireError) {
                guard case .message(.memoryDumpChunk(let chunk)) = try decodeFrame(bytes).content else {
                    throw PumpWireError(.fieldOutOfRange, at: 3)
                }
                do throws(PumpWireError) {
                    data += [try reassembler.add(chunk) == .added ? 0 : 1]
                } catch {
                    data += rejectedStep(error, payloadOffset: true)
                }
            } catch {
                data += rejectedStep(error, payloadOffset: false)
            }
        }
        guard !reassembler.isEmpty else { return data + [2] }
        do throws(PumpWireError) {
            let image = try reassembler.finish()
            return data + [0] + WireBytes.u32(UInt32(image.bytes.count)) + image.bytes
        } catch {
            let missing = error.code == .chunksMissing ? reassembler.missingChunks : []
            return data + [1] + WireBytes.u16(Int(error.code.rawValue)) + WireBytes.u32(UInt32(error.offset))
                + WireBytes.u16(missing.count) + missing.flatMap { WireBytes.u16($0) }
        }
    }

    /// A rejected DUMP step: 2, the code, the offset, and whether it counts in the chunk's payload.
    private func rejectedStep(_ error: PumpWireError, payloadOffset: Bool) -> [UInt8] {
        [2] + WireBytes.u16(Int(error.code.rawValue)) + WireBytes.u32(UInt32(clamping: error.offset)) + [payloadOffset ? 1 : 0]
    }

    /// LOG's answer (spec/conformance.md 2.4.9).
    public static func logItems(_ items: [LogItem]) -> [UInt8] {
        var data = WireBytes.u32(UInt32(items.count))
        for item in items {
            switch item {
            case .record(let offset, let record):
                data += [0] + WireBytes.u32(UInt32(offset)) + ((try? record.encoded()) ?? [])
            case .erased(let offset, let slots):
                data += [1] + WireBytes.u32(UInt32(offset)) + WireBytes.u32(UInt32(slots))
            case .rejected(let offset, let error):
                data += [2] + WireBytes.u32(UInt32(offset)) + WireBytes.u16(Int(error.code.rawValue)) + WireBytes.u32(UInt32(error.offset))
            }
        }
        return data
    }

    /// STREAM's answer (spec/conformance.md 2.4.5), item by item as the reader finds them, or nil
    /// when it would exceed the message limit (2.7).
    static func streamAnswer(_ bytes: [UInt8]) -> [UInt8]? {
        var data = WireBytes.u32(0)
        var count: UInt32 = 0
        var tooLong = false
        func add(_ item: StreamItem, _: UnsafeRawBufferPointer?) {
            guard !tooLong else { return }
            count += 1
            streamItem(item, into: &data)
            tooLong = data.count > WireBytes.maxMessageLength - 1  // the status byte comes first
        }
        var reader = StreamReader()
        bytes.withUnsafeBytes { raw in
            _ = reader.read(raw, report: add)
            reader.finish(report: add)
        }
        guard !tooLong else { return nil }
        data.replaceSubrange(0..<4, with: WireBytes.u32(count))
        return data
    }

    /// One STREAM item (spec/conformance.md 2.4.5).
    static func streamItem(_ item: StreamItem, into data: inout [UInt8]) {
        switch item.kind {
        case .frame(let frame):
            let bytes = (try? frame.encoded()) ?? []
            data += [0] + WireBytes.u32(UInt32(item.streamOffset)) + WireBytes.u16(bytes.count) + bytes
        case .reassembled(let frame):
            guard case .message(let message) = frame.content else { return }
            let payload = (try? message.encodedPayload()) ?? []
            data += [1] + WireBytes.u32(UInt32(item.streamOffset)) + [message.typeCode] + WireBytes.u16(payload.count) + payload
        case .rejected(let error, let payloadOffsets):
            // Written byte by byte: a stream of noise has a rejection every two bytes.
            data.append(2)
            WireBytes.append(UInt64(item.streamOffset), width: 4, to: &data)
            WireBytes.append(UInt64(error.code.rawValue), width: 2, to: &data)
            WireBytes.append(UInt64(UInt32(clamping: error.offset)), width: 4, to: &data)
            data.append(payloadOffsets ? 1 : 0)
        }
    }
}

/// The handshake a testee keeps between requests: a class, so that the Sendable testee can hold a
/// provider-generic state; only ever used from the one thread that serves the testee.
/// The reference secure pump (PW-SEC-21) behind PUMP_BEGIN and PUMP_RECEIVE.
final class SecurePumpBox: @unchecked Sendable {
    var pump: SecurePump<SwiftCryptoProvider>

    init(setup: PumpSetup) {
        func key(_ bytes: [UInt8]) -> Bytes32 { bytes.withUnsafeBytes { Bytes32(copying: $0) } ?? Bytes32() }
        var slots = InlineArray<4, SecurePump<SwiftCryptoProvider>.Slot>(repeating: .init())
        for (index, slot) in setup.slots.prefix(4).enumerated() {
            slots[index] = .init(role: DeviceRole(rawValue: slot.role), staticPublicKey: key(slot.staticPublic), lastCommandId: slot.lastCommandId)
        }
        pump = SecurePump(
            staticPrivateKey: key(setup.staticPrivate), pairingSecret: key(setup.pairingSecret),
            pairingWindowOpen: setup.pairingWindowOpen, sessionCount: setup.sessionCount,
            patientBolusLimits: setup.patientBolus.map {
                .init(doseNanograms: $0.doseNanograms, lockoutMinutes: $0.lockoutMinutes, maxPerDay: $0.maxPerDay)
            },
            slots: slots, provider: SwiftCryptoProvider())
    }

    /// PUMP_RECEIVE's answer: the frame sent, what goes to therapy, the records written.
    func receive(_ frame: [UInt8], now: UInt32, ephemeralPrivate: [UInt8]) -> [UInt8] {
        let ephemeral = ephemeralPrivate.allSatisfy { $0 == 0 } ? nil : ephemeralPrivate.withUnsafeBytes { Bytes32(copying: $0) }
        let receipt = pump.receive(frame, now: now, ephemeralPrivateKey: ephemeral)
        let answer = receipt.answer ?? []
        var out = WireBytes.u16(answer.count) + answer
        if let therapy = receipt.therapy {
            out += [1, therapy.messageType] + WireBytes.u32(therapy.commandId) + WireBytes.u16(therapy.payload.count) + therapy.payload
        } else {
            out += [0]
        }
        out.append(UInt8(receipt.records.count))
        for record in receipt.records {
            var bytes = [UInt8](repeating: 0, count: LogRecord.size)
            _ = bytes.withUnsafeMutableBytes { raw in try? record.encode(into: raw) }
            out += bytes
        }
        return out
    }
}

final class HandshakeBox: @unchecked Sendable {
    var state: NoiseHandshakeState<SwiftCryptoProvider>
    init(state: NoiseHandshakeState<SwiftCryptoProvider>) { self.state = state }
}
