import PumpWireCore

/// A breach of the session rules of spec 11.3: a code from 64 to 79 and the index of the frame.
public struct SessionFinding: Equatable, Sendable, CustomStringConvertible {
    public var frameIndex: Int
    public var code: ErrorCode
    /// What lies behind the finding, for people: the rebuild's error behind IMAGE_CRC_MISMATCH,
    /// the reassembler's behind CHUNK_CONFLICT. Not compared: the spec reports the code alone.
    public var cause: PumpWireError?

    public init(frameIndex: Int, code: ErrorCode, cause: PumpWireError? = nil) {
        self.frameIndex = frameIndex
        self.code = code
        self.cause = cause
    }

    public static func == (lhs: SessionFinding, rhs: SessionFinding) -> Bool {
        lhs.frameIndex == rhs.frameIndex && lhs.code == rhs.code
    }

    public var description: String { "frame \(frameIndex): \(code.specName) (\(code.rawValue))" }
}

/// Checks a session, both directions in the order sent, against spec 11.3 (PW-SESSION-5 to 8):
/// sequence numbers, request/response pairing, digests, refill receipts, dump images, and the
/// refusals the pump owes.
public struct SessionChecker {
    /// A request that awaits its answer.
    private struct Outstanding {
        var index: Int
        var typeCode: UInt8
        var sequence: UInt16
        var payload: [UInt8]
        var message: Message?
        /// The negative acknowledgement the pump must answer with (PW-SESSION-5, PW-SESSION-6).
        var requiredRefusal: (code: ErrorCode, offset: Int)?
        var dump = ImageReassembler()
    }

    public private(set) var findings: [SessionFinding] = []
    private var outstanding: Outstanding?
    private var lastRequestSequence: UInt16?
    private var confirmedPrescription: (block: PrescriptionBlock, digest: UInt32)?
    private var confirmedBolusDigest: UInt32?
    private var reassembler = Reassembler()

    public init() {}

    /// The index of the request awaiting its answer: the only earlier frame a later finding can
    /// concern (NO_RESPONSE). A reader of a long capture keeps where that frame was, nothing more.
    public var outstandingIndex: Int? { outstanding?.index }

    /// A `handshakeRequest` awaiting its `handshakeResponse` (spec/security.md section 5).
    fileprivate var outstandingHandshakeRequest: (index: Int, sequence: UInt16)? {
        outstanding.flatMap { $0.typeCode == 0x10 ? ($0.index, $0.sequence) : nil }
    }
    fileprivate mutating func clearOutstanding() { outstanding = nil }
    fileprivate mutating func clearRequiredRefusal() { outstanding?.requiredRefusal = nil }

    /// Hands over the findings so far, so that a long capture's findings are not all held.
    public mutating func takeFindings() -> [SessionFinding] {
        guard !findings.isEmpty else { return [] }  // the usual case: no copy, no allocation
        defer { findings = [] }
        return findings
    }

    /// The findings for a whole session of single frames.
    public static func check(_ frames: [[UInt8]]) -> [SessionFinding] {
        var checker = SessionChecker()
        for (index, frame) in frames.enumerated() { checker.add(frame, at: index) }
        checker.finish()
        return checker.findings
    }

    /// Takes the next frame of the session.
    public mutating func add(_ bytes: [UInt8], at index: Int) {
        bytes.withUnsafeBytes { raw in add(raw, at: index) }
    }

    public mutating func add(_ bytes: UnsafeRawBufferPointer, at index: Int) {
        // PW-SESSION-5: a frame that fails steps 1 to 8 is dropped.
        guard let view = try? FrameView.decodeFrameLayer(bytes, exactly: true) else { return }
        // PW-SESSION-5, PW-AUTH-3: a sealed frame is ciphertext to a checker without keys.
        if view.authentication != nil { return }
        if takeHandshake(view, bytes, at: index) { return }
        let isResponse = MessageRegistry.descriptor(for: view.messageType)?.direction == .pumpToProgrammer
        let payload: [UInt8]
        var decoded: Message?
        var failure: PumpWireError?
        if view.flags.contains(.fragment) {
            do throws(PumpWireError) {
                let checked = try FrameView.decode(bytes, exactly: true)
                var progress: ReassemblyProgress
                do throws(PumpWireError) {
                    progress = try reassembler.add(checked, in: bytes)
                } catch where error.code == .fragmentInterleaved {
                    _ = reassembler.giveUp()  // 5.4: abandon the message in progress, start the new one
                    progress = try reassembler.add(checked, in: bytes)
                }
                guard progress == .complete else { return }
                payload = reassembler.withCompletedPayload { Array($0) }
                do throws(PumpWireError) { decoded = try reassembler.takeMessage() } catch { failure = error }
            } catch where error.code == .fragmentConflict {
                return  // left to the reassembler's report
            } catch {
                payload = Array(view.payload(in: bytes))
                failure = error
            }
        } else {
            payload = isResponse ? [] : Array(view.payload(in: bytes))  // only a request's payload is kept (digests)
            do throws(PumpWireError) { decoded = try view.message(in: bytes) } catch { failure = error }
        }
        if isResponse {
            guard let decoded else { return }  // an unusable response changes nothing
            respond(decoded, sequence: view.sequence, index: index)
        } else {
            request(view.messageType, sequence: view.sequence, payload: payload, message: decoded, failure: failure, index: index)
        }
    }

    /// PW-SESSION-8: a request still waiting when the session ends.
    public mutating func finish() {
        if let outstanding { findings.append(SessionFinding(frameIndex: outstanding.index, code: .noResponse)) }
        outstanding = nil
    }

    // PW-SESSION-6
    private mutating func request(
        _ typeCode: UInt8, sequence: UInt16, payload: [UInt8], message: Message?, failure: PumpWireError?, index: Int
    ) {
        if let current = outstanding,
           !(current.typeCode == typeCode && current.sequence == sequence && current.payload == payload),
           current.dump.isEmpty {  // PW-SESSION-9: a partly answered dump is abandoned, not overtaken
            findings.append(SessionFinding(frameIndex: index, code: .requestWhileOutstanding))
        }
        if let last = lastRequestSequence, sequence != last, sequence != last &+ 1 {
            findings.append(SessionFinding(frameIndex: index, code: .sequenceGap))
        }
        lastRequestSequence = sequence
        var next = Outstanding(index: index, typeCode: typeCode, sequence: sequence, payload: payload, message: message)
        if let failure {
            next.requiredRefusal = (failure.code, failure.offset)  // PW-SESSION-5
        } else if MessageRegistry.descriptor(for: typeCode) == nil {
            next.requiredRefusal = (.unknownMessageType, 3)  // PW-ERR-3
        } else if case .refillConfirmation(let refill)? = message, let rx = confirmedPrescription?.block {
            // PW-REFILL-5, in its order.
            if refill.drug != rx.drug {
                next.requiredRefusal = (.drugMismatch, 0)
            } else if refill.concentrationMicrogramsPerMillilitre != rx.concentrationMicrogramsPerMillilitre {
                next.requiredRefusal = (.concentrationMismatch, 1)
            } else if refill.resultingReservoirMicrolitres > rx.reservoirCapacityMicrolitres {
                next.requiredRefusal = (.reservoirOverfill, 13)
            }
        }
        outstanding = next
    }

    // PW-SESSION-7, steps 1 to 9.
    private mutating func respond(_ response: Message, sequence: UInt16, index: Int) {
        guard let expected = outstanding?.sequence else {
            findings.append(SessionFinding(frameIndex: index, code: .unsolicitedResponse))
            return
        }
        guard sequence == expected else {
            findings.append(SessionFinding(frameIndex: index, code: .sequenceMismatch))
            return
        }
        // Moved out, not copied: a dump's image buffer is then changed in place, never duplicated.
        var request = outstanding.take()!
        var answered = true
        defer { if !answered { outstanding = request } }
        if let refusal = request.requiredRefusal {
            let isRequired: Bool
            if case .negativeAcknowledgement(let nak) = response {
                isRequired = nak.rejectedType == request.typeCode && nak.errorCode == refusal.code
                    && Int(nak.errorOffset) == refusal.offset
            } else {
                isRequired = false
            }
            if !isRequired { findings.append(SessionFinding(frameIndex: index, code: .wrongRefusal)) }
            return
        }
        guard MessageRegistry.descriptor(for: request.typeCode)?.isAnswered(by: response.typeCode) == true else {
            findings.append(SessionFinding(frameIndex: index, code: .unexpectedResponseType))
            return
        }
        switch response {
        case .negativeAcknowledgement(let nak):
            if nak.rejectedType != request.typeCode { findings.append(SessionFinding(frameIndex: index, code: .wrongRefusal)) }
        case .acknowledgement(let ack):
            let digest = ZlibCRC32.checksum(request.payload)
            if ack.acknowledgedType != request.typeCode || ack.digest != digest {
                findings.append(SessionFinding(frameIndex: index, code: .digestMismatch))
            } else if case .prescriptionBlock(let block)? = request.message {
                confirmedPrescription = (block, digest)
            } else if case .bolusSchedule? = request.message {
                confirmedBolusDigest = digest
            }
        case .pumpStatus(let status):
            if status.prescriptionStored, let confirmed = confirmedPrescription, status.prescriptionDigest != confirmed.digest {
                findings.append(SessionFinding(frameIndex: index, code: .digestMismatch))
            }
            if status.bolusScheduleStored, let confirmed = confirmedBolusDigest, status.bolusScheduleDigest != confirmed {
                findings.append(SessionFinding(frameIndex: index, code: .digestMismatch))
            }
        case .refillReceipt(let receipt):
            if case .refillConfirmation(let refill)? = request.message {
                var matches = receipt.confirmationDigest == ZlibCRC32.checksum(request.payload)
                    && receipt.resultingReservoirMicrolitres == refill.resultingReservoirMicrolitres
                if let rx = confirmedPrescription?.block {
                    matches = matches && receipt.lowReservoirAlarmTime == rx.lowReservoirAlarmTime(after: refill)
                }
                if !matches { findings.append(SessionFinding(frameIndex: index, code: .receiptMismatch)) }
            }
        case .memoryDumpChunk(let chunk):
            answered = addChunk(chunk, to: &request, index: index)
        default:
            break
        }
    }

    /// Collects a chunk; true once every chunk is in (and the image is rebuilt and checked, PW-DUMP-8).
    private mutating func addChunk(_ chunk: MemoryDumpChunk, to request: inout Outstanding, index: Int) -> Bool {
        if request.dump.isEmpty, chunk.encoding == .zlib,
           case .memoryDumpRequest(let asked)? = request.message, !asked.compressionAllowed {
            findings.append(SessionFinding(frameIndex: index, code: .encodingNotAllowed))  // PW-DUMP-11, used all the same
        }
        do throws(PumpWireError) {
            try request.dump.add(chunk)
        } catch where error.code == .chunkDataConflict {
            return false  // of two chunks with the same index the first counts (11.3)
        } catch {
            findings.append(SessionFinding(frameIndex: index, code: .chunkConflict, cause: error))  // another image: set aside
            return false
        }
        guard request.dump.isComplete else { return false }
        do throws(PumpWireError) {
            _ = try request.dump.finish()
        } catch {
            findings.append(SessionFinding(frameIndex: index, code: .imageCRCMismatch, cause: error))  // any rebuild failure (11.3 step 9)
        }
        return true
    }
}

extension SessionChecker {
    /// The handshake messages of spec/security.md sections 5 and 6, which the registry does not
    /// list yet: `handshakeRequest` (0x10) and `handshakeFinish` (0x11) are requests a secure pump
    /// answers (not UNKNOWN_MESSAGE_TYPE), and `handshakeResponse` (0x90) answers a
    /// `handshakeRequest` with its sequence (section 5: numbered as requests and answers are).
    /// True when the frame was taken here.
    mutating func takeHandshake(_ view: FrameView, _ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        let type = view.messageType
        guard MessageRegistry.descriptor(for: type) == nil, [0x10, 0x11, 0x90].contains(type), view.fragment == nil else { return false }
        let payload = Array(view.payload(in: bytes))
        let message = Message.unknown(UnknownMessage(typeCode: type, payload: (try? BoundedArray(payload)) ?? BoundedArray()))
        if type == 0x90 {
            guard let current = outstandingHandshakeRequest, current.sequence == view.sequence else {
                respond(message, sequence: view.sequence, index: index)  // its findings, as any other answer's
                return true
            }
            clearOutstanding()
            return true
        }
        request(type, sequence: view.sequence, payload: payload, message: message, failure: nil, index: index)
        clearRequiredRefusal()
        return true
    }
}