import PumpWire
import PumpWireCore

/// Sessions (spec section 11): ordered frames of both directions and the findings of 11.3, with
/// frame indices counted from 0. Findings are declared here, never computed by our checker.
enum SessionCases {
    typealias D = DeclaredMessages

    static func f(_ message: Message, _ sequence: UInt16) -> [UInt8] {
        (try? Frame(sequence: sequence, message: message).encoded()) ?? []
    }
    static func ack(_ type: UInt8, _ payload: [UInt8], _ sequence: UInt16) -> [UInt8] {
        f(.acknowledgement(Acknowledgement(acknowledgedType: type, digest: ZlibCRC32.checksum(payload))), sequence)
    }
    static func nak(_ type: UInt8, _ code: ErrorCode, _ offset: UInt16, _ sequence: UInt16) -> [UInt8] {
        f(.negativeAcknowledgement(NegativeAcknowledgement(rejectedType: type, errorCode: code, errorOffset: offset)), sequence)
    }

    static func session(
        _ name: String, _ requirements: [String], _ frames: [[UInt8]], findings: [(Int, ErrorCode)], comment: String,
        level: Vector.Level = .required
    ) -> VectorCase {
        VectorCase(name, level: level, requirements: requirements, kind: "session", comment: comment, body: [
            ("inputs", .array(frames.map(V.hex))), ("result", .string(findings.isEmpty ? "valid" : "invalid")),
            ("findings", .array(findings.map { .object([("frame", V.int($0.0)), ("code", V.int($0.1.rawValue)),
                                                        ("name", .string($0.1.specName.description))]) })),
        ])
    }

    static var cases: [VectorCase] {
        let interrogate = Message.interrogationRequest(InterrogationRequest())
        let rx = Message.prescriptionBlock(D.prescription)
        let rxPayload = V.payload(rx)
        let bolus = Message.bolusSchedule(D.bolusSchedule)
        let bolusPayload = V.payload(bolus)
        let refill = Message.refillConfirmation(D.refill)
        var stored = D.pumpStatus
        stored.bolusScheduleStored = true
        stored.bolusScheduleDigest = ZlibCRC32.checksum(bolusPayload)
        let dumpRequest = Message.memoryDumpRequest(D.dumpRequest)
        let chunk = Message.memoryDumpChunk(D.dumpChunk)
        // The event log's first 500 bytes, 25 records, asked for and answered whole (PW-DUMP-10).
        let eventLogRequest = Message.memoryDumpRequest(MemoryDumpRequest(region: .eventLog, offset: 0, length: 500))
        let image = D.eventLogImage(records: 25)
        func chunkOf(_ index: Int, crc: UInt32? = nil, sequence: UInt16 = 6) -> [UInt8] {
            let range = (index * 218)..<min(500, index * 218 + 218)
            return f(.memoryDumpChunk(MemoryDumpChunk(
                region: .eventLog, chunkIndex: UInt16(index), chunkCount: 3, regionOffset: 0, imageLength: 500,
                imageCrc32: crc ?? ZlibCRC32.checksum(image), dataOffset: UInt32(index * 218), data: try! BoundedArray(Array(image[range])))), sequence)
        }
        // 13.3: chunk 1 was lost; the programmer asks for its 218 bytes again, as request 7.
        // Chunk 1 with its first data byte changed: a sound frame carrying wrong data.
        let damagedChunk1 = f(.memoryDumpChunk(MemoryDumpChunk(
            region: .eventLog, chunkIndex: 1, chunkCount: 3, regionOffset: 0, imageLength: 500, imageCrc32: ZlibCRC32.checksum(image),
            dataOffset: 218, data: try! BoundedArray([image[218] ^ 0xFF] + Array(image[219..<436])))), 6)
        let resumption = f(.memoryDumpRequest(MemoryDumpRequest(region: .eventLog, offset: 218, length: 218)), 7)
        let resumed = f(.memoryDumpChunk(MemoryDumpChunk(
            region: .eventLog, chunkIndex: 0, chunkCount: 1, regionOffset: 218, imageLength: 218,
            imageCrc32: ZlibCRC32.checksum(Array(image[218..<436])), dataOffset: 0, data: try! BoundedArray(Array(image[218..<436])))), 7)
        let longRx = Message.prescriptionBlock(D.prescription(steps: 48))
        let longParts = FragmentCases.frames(longRx, sequence: 2)
        let empty = Message.bolusSchedule(BolusSchedule())
        var emptyStored = D.pumpStatus
        emptyStored.bolusScheduleStored = true
        emptyStored.bolusScheduleDigest = 0x41D9_12FF
        var wrongRefill = D.refill
        wrongRefill.drug = .baclofen
        var overfill = D.refill
        overfill.resultingReservoirMicrolitres = 25000
        overfill.volumeAddedMicrolitres = 25000
        var wrongReceipt = D.receipt
        wrongReceipt.lowReservoirAlarmTime += 60
        var otherDigest = D.pumpStatus
        otherDigest.prescriptionDigest ^= 1
        var otherBolusDigest = stored
        otherBolusDigest.bolusScheduleDigest ^= 1
        otherBolusDigest.prescriptionStored = false
        otherBolusDigest.prescriptionDigest = 0
        var bothWrong = stored
        bothWrong.prescriptionDigest ^= 1
        bothWrong.bolusScheduleDigest ^= 1
        var nothingStored = D.pumpStatus
        nothingStored.prescriptionStored = false
        nothingStored.prescriptionDigest = 0
        var otherReservoir = D.receipt
        otherReservoir.resultingReservoirMicrolitres -= 1
        var otherRx = D.prescription
        otherRx.catheterVolumeMicrolitres += 1
        var strongerRefill = D.refill
        strongerRefill.concentrationMicrogramsPerMillilitre = 4000
        var otherDrugAndConcentration = strongerRefill
        otherDrugAndConcentration.drug = .hydromorphone
        var strongerOverfill = strongerRefill
        strongerOverfill.resultingReservoirMicrolitres = 25000
        strongerOverfill.volumeAddedMicrolitres = 25000
        let swappedDigest = f(.acknowledgement(Acknowledgement(acknowledgedType: 2, digest: ZlibCRC32.checksum(rxPayload).byteSwapped)), 2)
        let frameDigest = f(.acknowledgement(Acknowledgement(acknowledgedType: 2, digest: ZlibCRC32.checksum(f(rx, 2)))), 2)
        let badPayloadRequest = V.frame(type: 0x02, sequence: 2, payload: V.patch(rxPayload, at: 21, V.le(60, 2)))
        // A 48-step prescription whose step 40 starts at minute 65535: FIELD_OUT_OF_RANGE at payload offset 261 of the reassembled message.
        var badLongPayload = MessageCases.raw(longRx)
        badLongPayload.replaceSubrange((21 + 6 * 40)..<(21 + 6 * 40 + 2), with: [0xFF, 0xFF])
        let badLongParts = [0, 1].map { index in
            FragmentCases.fragment(type: 0x02, sequence: 2, index: UInt8(index), count: 2, total: badLongPayload.count,
                                   data: Array(badLongPayload[(236 * index)..<min(badLongPayload.count, 236 * index + 236)]))
        }
        var wrongDigestReceipt = D.receipt
        wrongDigestReceipt.confirmationDigest ^= 1
        var badCRCRequest = f(rx, 2)
        badCRCRequest[badCRCRequest.count - 1] ^= 0xFF

        let full: [[UInt8]] = [
            f(interrogate, 1), f(.pumpStatus(D.pumpStatus), 1), f(rx, 2), ack(2, rxPayload, 2), f(bolus, 3), ack(3, bolusPayload, 3),
            f(interrogate, 4), f(.pumpStatus(stored), 4), f(refill, 5), f(.refillReceipt(D.receipt), 5),
            f(eventLogRequest, 6), chunkOf(0), chunkOf(1), chunkOf(2),
        ]
        var cases = [
            session("Required.Session.Complete", ["PW-SESSION-1", "PW-SESSION-2", "PW-SESSION-3", "PW-SESSION-4", "PW-SESSION-6",
                                                   "PW-SESSION-7", "PW-SESSION-8", "PW-RX-10", "PW-BOLUS-5", "PW-ACK-2", "PW-CRC-2",
                                                   "PW-CRC-3", "PW-REFILL-2", "PW-REFILL-4", "PW-DUMP-8"], full, findings: [],
                    comment: "Interrogate, program a prescription and a bolus schedule (digests confirmed), check the status, refill, "
                        + "dump the event log's first 500 bytes (25 records)."),
            session("Required.Session.WorkedExamples", ["PW-SESSION-2", "PW-DUMP-8"],
                    [f(interrogate, 1), f(.pumpStatus(D.pumpStatus), 1), f(rx, 2), f(.acknowledgement(D.acknowledgement), 2),
                     f(refill, 4), f(.refillReceipt(D.receipt), 4), f(dumpRequest, 5), f(chunk, 5)], findings: [(4, .sequenceGap)],
                    comment: "The worked examples as one session: the refill skips sequence 3."),
            session("Required.Session.SequenceGap", ["PW-SESSION-1", "PW-SESSION-6"], [f(interrogate, 1), f(.pumpStatus(D.pumpStatus), 1),
                    f(interrogate, 3), f(.pumpStatus(D.pumpStatus), 3)], findings: [(2, .sequenceGap)], comment: "Requests 1, then 3."),
            session("Required.Session.SequenceWraps", ["PW-SESSION-1"], [f(interrogate, 0xFFFF), f(.pumpStatus(D.pumpStatus), 0xFFFF),
                    f(interrogate, 0), f(.pumpStatus(D.pumpStatus), 0)], findings: [], comment: "65535 is followed by 0."),
            session("Required.Session.Retransmission", ["PW-SESSION-1", "PW-SESSION-3", "PW-SESSION-6"],
                    [f(rx, 2), f(rx, 2), ack(2, rxPayload, 2)], findings: [], comment: "The same request again, with its number: no finding."),
            session("Required.Session.RequestWhileOutstanding", ["PW-SESSION-3", "PW-SESSION-6"],
                    [f(interrogate, 1), f(interrogate, 2), f(.pumpStatus(D.pumpStatus), 2)], findings: [(1, .requestWhileOutstanding)],
                    comment: "A second request before the first is answered."),
            session("Required.Session.UnsolicitedResponse", ["PW-SESSION-2", "PW-SESSION-7"], [f(.pumpStatus(D.pumpStatus), 1)],
                    findings: [(0, .unsolicitedResponse)], comment: "A status nobody asked for."),
            session("Required.Session.SequenceMismatch", ["PW-SESSION-2", "PW-SESSION-7", "PW-SESSION-8"],
                    [f(interrogate, 1), f(.pumpStatus(D.pumpStatus), 2)], findings: [(1, .sequenceMismatch), (0, .noResponse)],
                    comment: "The answer carries another number; the request stays unanswered."),
            session("Required.Session.UnexpectedResponseType", ["PW-SESSION-2", "PW-SESSION-7", "PW-REFILL-2"],
                    [f(refill, 4), f(.pumpStatus(D.pumpStatus), 4)], findings: [(1, .unexpectedResponseType)],
                    comment: "A refill is answered by a receipt or a refusal, not a status."),
            session("Required.Session.NoResponse", ["PW-SESSION-8"], [f(interrogate, 1)], findings: [(0, .noResponse)],
                    comment: "The session ends with the request unanswered."),
            session("Required.Session.DigestMismatch", ["PW-SESSION-4", "PW-ACK-2", "PW-RX-10"],
                    [f(rx, 2), f(.acknowledgement(Acknowledgement(acknowledgedType: 2, digest: 0x1234_5678)), 2)],
                    findings: [(1, .digestMismatch)], comment: "The pump stored something else."),
            session("Required.Session.DigestByteSwapped", ["PW-CRC-2", "PW-SESSION-4"], [f(rx, 2), swappedDigest],
                    findings: [(1, .digestMismatch)], comment: "The digest written big-endian."),
            session("Required.Session.DigestOfWholeFrame", ["PW-CRC-3", "PW-SESSION-4"], [f(rx, 2), frameDigest],
                    findings: [(1, .digestMismatch)], comment: "A digest over the frame, not the payload."),
            session("Required.Session.AcknowledgedOtherType", ["PW-SESSION-4", "PW-BOLUS-5"],
                    [f(bolus, 3), ack(2, bolusPayload, 3)], findings: [(1, .digestMismatch)],
                    comment: "A bolus schedule acknowledged as a prescription."),
            session("Required.Session.StatusPrescriptionDigestMismatch", ["PW-SESSION-4", "PW-SESSION-7"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(interrogate, 3), f(.pumpStatus(otherDigest), 3)], findings: [(3, .digestMismatch)],
                    comment: "After the acknowledgement the status reports another prescription digest: step 7 of PW-SESSION-7, "
                        + "which every checker applies.").covering("PW-SESSION-7/status-prescription"),
            session("Required.Session.StatusBolusDigestMismatch", ["PW-SESSION-4", "PW-SESSION-7"],
                    [f(bolus, 3), ack(3, bolusPayload, 3), f(interrogate, 4), f(.pumpStatus(otherBolusDigest), 4)], findings: [(3, .digestMismatch)],
                    comment: "After the acknowledgement the status reports another bolus schedule digest.").covering("PW-SESSION-7/status-bolus-schedule"),
            session("Required.Session.StatusBothDigestsWrong", ["PW-SESSION-7"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(bolus, 3), ack(3, bolusPayload, 3), f(interrogate, 4), f(.pumpStatus(bothWrong), 4)],
                    findings: [(5, .digestMismatch), (5, .digestMismatch)],
                    comment: "Both digests of the status differ from what was confirmed: two findings.").covering("PW-SESSION-7/status-both"),
            session("Required.Session.StatusNotStoredNotCompared", ["PW-SESSION-7"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(interrogate, 3), f(.pumpStatus(nothingStored), 3)], findings: [],
                    comment: "A status whose prescriptionStored is clear carries digest 0; it is not compared.").covering("PW-SESSION-7/status-not-stored"),
            session("Required.Session.ReceiptReservoirWrong", ["PW-SESSION-7", "PW-REFILL-4"],
                    [f(refill, 4), f(.refillReceipt(otherReservoir), 4)], findings: [(1, .receiptMismatch)],
                    comment: "The receipt's reservoir is not the refill's.").covering("PW-SESSION-7/receipt-reservoir"),
            session("Required.Session.SequenceGoesBack", ["PW-SESSION-1", "PW-SESSION-6"], [f(interrogate, 5), f(.pumpStatus(D.pumpStatus), 5),
                    f(interrogate, 4), f(.pumpStatus(D.pumpStatus), 4)], findings: [(2, .sequenceGap)],
                    comment: "Request 4 after request 5: neither the last number nor the next.").covering("PW-SESSION-1/backwards"),
            session("Required.Session.RetransmissionWithOtherPayload", ["PW-SESSION-6", "PW-SESSION-3"],
                    [f(rx, 2), f(.prescriptionBlock(otherRx), 2), ack(2, V.payload(.prescriptionBlock(otherRx)), 2)], findings: [(1, .requestWhileOutstanding)],
                    comment: "Same type and sequence, another payload: not a retransmission.").covering("PW-SESSION-6/retransmission"),
            session("Required.Session.OutstandingThenGap", ["PW-SESSION-6"], [f(interrogate, 1), f(interrogate, 3), f(.pumpStatus(D.pumpStatus), 3)],
                    findings: [(1, .requestWhileOutstanding), (1, .sequenceGap)],
                    comment: "A request overtakes request 1 and skips 2: REQUEST_WHILE_OUTSTANDING, then SEQUENCE_GAP.")
                .covering("PW-SESSION-6/order-outstanding-gap"),
            session("Required.Session.MismatchWhileRefusalOwed", ["PW-SESSION-7", "PW-ERR-3"],
                    [V.frame(type: 0x42, sequence: 1, payload: [1, 2]), f(.pumpStatus(D.pumpStatus), 2)], findings: [(1, .sequenceMismatch), (0, .noResponse)],
                    comment: "An unknown type owed a refusal, answered under another number: SEQUENCE_MISMATCH alone; the request stays unanswered.")
                .covering("PW-SESSION-7/order-mismatch-refusal"),
            session("Required.Session.RefusalOwedAnsweredByStatus", ["PW-SESSION-7", "PW-SESSION-5"],
                    [badPayloadRequest, f(.pumpStatus(D.pumpStatus), 2)], findings: [(1, .wrongRefusal)],
                    comment: "A prescription that fails its payload is owed a refusal; a status is not one: WRONG_REFUSAL, not UNEXPECTED_RESPONSE_TYPE.")
                .covering("PW-SESSION-7/order-refusal-type"),
            session("Required.Session.RefillConcentrationNotRefused", ["PW-REFILL-5", "PW-SESSION-6"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(.refillConfirmation(strongerRefill), 3), f(.refillReceipt(D.receipt), 3)],
                    findings: [(3, .wrongRefusal)], comment: "A refill at another concentration accepted.").covering("PW-REFILL-5/concentration"),
            session("Required.Session.RefillDrugBeforeConcentration", ["PW-REFILL-5"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(.refillConfirmation(otherDrugAndConcentration), 3), nak(4, .concentrationMismatch, 1, 3)],
                    findings: [(3, .wrongRefusal)], comment: "Drug and concentration both differ: the refusal owed is DRUG_MISMATCH.")
                .covering("PW-REFILL-5/order-drug-concentration"),
            session("Required.Session.RefillConcentrationBeforeOverfill", ["PW-REFILL-5"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(.refillConfirmation(strongerOverfill), 3), nak(4, .reservoirOverfill, 13, 3)],
                    findings: [(3, .wrongRefusal)], comment: "Another concentration and an overfill: the refusal owed is CONCENTRATION_MISMATCH.")
                .covering("PW-REFILL-5/order-concentration-overfill"),
            session("Required.Session.RetransmittedDumpStartsAgain", ["PW-SESSION-7", "PW-SESSION-6"],
                    [f(eventLogRequest, 6), chunkOf(0), damagedChunk1, f(eventLogRequest, 6), chunkOf(0), chunkOf(1), chunkOf(2)], findings: [],
                    comment: "A damaged chunk 1, then the request again: the chunks before it are dropped, and the image is whole.")
                .covering("PW-SESSION-7/retransmitted-dump"),
            session("Required.Session.FragmentedPrescription", ["PW-SESSION-4", "PW-CRC-3", "PW-FRAG-12"],
                    longParts + [ack(2, V.payload(longRx), 2)], findings: [],
                    comment: "The digest of a 48-step prescription is over its reassembled payload."),
            session("Required.Session.InterleavedFragmentsAbandonFirst", ["PW-SESSION-5", "PW-FRAG-10"],
                    [longParts[0]] + FragmentCases.frames(longRx, sequence: 3) + [ack(2, V.payload(longRx), 3)], findings: [],
                    comment: "A prescription abandoned after one fragment and sent again whole, as 3: only the second is a request."),
            session("Required.Session.EmptyBolusSchedule", ["PW-BOLUS-6", "PW-BOLUS-5"],
                    [f(empty, 3), f(.acknowledgement(Acknowledgement(acknowledgedType: 3, digest: 0x41D9_12FF)), 3),
                     f(interrogate, 4), f(.pumpStatus(emptyStored), 4)], findings: [],
                    comment: "The empty schedule is stored like any other: digest 0x41d912ff."),
            session("Required.Session.EmptyBolusScheduleDigestZero", ["PW-BOLUS-6"],
                    [f(empty, 3), f(.acknowledgement(Acknowledgement(acknowledgedType: 3, digest: 0)), 3)], findings: [(1, .digestMismatch)],
                    comment: "Clearing the boluses still stores 00 00, whose digest is not 0."),
            session("Required.Session.ReceiptAlarmWrong", ["PW-REFILL-4", "PW-UNIT-3"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(refill, 3), f(.refillReceipt(wrongReceipt), 3)], findings: [(3, .receiptMismatch)],
                    comment: "The alarm time is one minute off D5."),
            session("Required.Session.ReceiptDigestWrong", ["PW-REFILL-4"],
                    [f(refill, 4), f(.refillReceipt(RefillReceipt(confirmationDigest: 1, resultingReservoirMicrolitres: 20000, lowReservoirAlarmTime: 0)), 4)],
                    findings: [(1, .receiptMismatch)], comment: "The receipt's digest is not the refill's."),
            session("Required.Session.RefillRefusedForDrug", ["PW-REFILL-5", "PW-NAK-2", "PW-REFILL-2"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(.refillConfirmation(wrongRefill), 3), nak(4, .drugMismatch, 0, 3)], findings: [],
                    comment: "Baclofen into a morphine pump: refused with DRUG_MISMATCH at offset 0."),
            session("Required.Session.RefillRefusedForConcentration", ["PW-REFILL-5", "PW-NAK-2"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(.refillConfirmation(strongerRefill), 3), nak(4, .concentrationMismatch, 1, 3)], findings: [],
                    comment: "4000 µg/mL into a pump programmed for another concentration: refused with CONCENTRATION_MISMATCH at offset 1.")
                .covering("PW-REFILL-5/concentration"),
            session("Required.Session.ReceiptDigestWrongAlarmRight", ["PW-REFILL-4", "PW-SESSION-7"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(refill, 3), f(.refillReceipt(wrongDigestReceipt), 3)], findings: [(3, .receiptMismatch)],
                    comment: "With a prescription confirmed, a receipt whose alarm time is D5's but whose digest is not the refill's: still RECEIPT_MISMATCH."),
            session("Required.Session.ReassembledRequestRefused", ["PW-NAK-2", "PW-FRAG-12", "PW-SESSION-5"],
                    badLongParts + [nak(2, .fieldOutOfRange, 261, 2)], findings: [],
                    comment: "A fragmented prescription whose reassembled payload fails at payload offset 261: the refusal carries 261 (PW-FRAG-12).")
                .covering("PW-SESSION-5/reassembled-refusal"),
            session("Required.Session.ReassembledRequestRefusedAtFrameOffset", ["PW-NAK-2", "PW-FRAG-12", "PW-SESSION-5"],
                    badLongParts + [nak(2, .fieldOutOfRange, 270, 2)], findings: [(2, .wrongRefusal)],
                    comment: "The same refusal at 270, as if the offset were in a single frame: WRONG_REFUSAL.")
                .covering("PW-SESSION-5/reassembled-refusal"),
            session("Required.Session.RefillNotRefused", ["PW-REFILL-5"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(.refillConfirmation(wrongRefill), 3), f(.refillReceipt(D.receipt), 3)],
                    findings: [(3, .wrongRefusal)], comment: "The pump accepted a refill of another drug."),
            session("Required.Session.RefillOverfill", ["PW-REFILL-5", "PW-NAK-2"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(.refillConfirmation(overfill), 3), nak(4, .reservoirOverfill, 13, 3)], findings: [],
                    comment: "25000 µL into a 20000 µL reservoir: RESERVOIR_OVERFILL at offset 13."),
            session("Required.Session.RefillWrongRefusal", ["PW-REFILL-5", "PW-NAK-2"],
                    [f(rx, 2), ack(2, rxPayload, 2), f(.refillConfirmation(overfill), 3), nak(4, .notPermitted, 0xFFFF, 3)],
                    findings: [(3, .wrongRefusal)], comment: "The overfill must be refused as RESERVOIR_OVERFILL."),
            session("Required.Session.UnknownTypeRefused", ["PW-ERR-3", "PW-FRAME-8"],
                    [V.frame(type: 0x42, sequence: 1, payload: [1, 2]), nak(0x42, .unknownMessageType, 3, 1)], findings: [],
                    comment: "A type the pump does not implement: UNKNOWN_MESSAGE_TYPE at offset 3."),
            session("Required.Session.UnknownTypeAnswered", ["PW-ERR-3"],
                    [V.frame(type: 0x42, sequence: 1, payload: [1, 2]), f(.pumpStatus(D.pumpStatus), 1)], findings: [(1, .wrongRefusal)],
                    comment: "The pump answered a type it cannot know."),
            session("Required.Session.BadPayloadRefused", ["PW-NAK-2", "PW-ERR-2", "PW-SESSION-5"],
                    [badPayloadRequest, nak(2, .dayProfileGap, 30, 2)], findings: [],
                    comment: "A prescription whose profile starts at 01:00: refused with DAY_PROFILE_GAP at frame offset 30."),
            session("Required.Session.BadPayloadWrongOffset", ["PW-NAK-2", "PW-SESSION-5"],
                    [badPayloadRequest, nak(2, .dayProfileGap, 21, 2)], findings: [(1, .wrongRefusal)],
                    comment: "The refusal must carry the decoder's offset, 30, not the payload's 21."),
            session("Required.Session.DroppedFrameNotAnswered", ["PW-ERR-2", "PW-SESSION-5"],
                    [badCRCRequest, f(rx, 2), ack(2, rxPayload, 2)], findings: [],
                    comment: "A frame with a bad CRC is dropped; the programmer sends it again."),
            session("Required.Session.DroppedFrameAnswered", ["PW-ERR-2", "PW-SESSION-5"],
                    [badCRCRequest, nak(2, .badCRC, 48, 2)], findings: [(1, .unsolicitedResponse)],
                    comment: "A pump must not answer a frame that fails the CRC."),
            session("Required.Session.RefusalOfOtherType", ["PW-SESSION-7", "PW-NAK-1"], [f(rx, 2), nak(3, .notPermitted, 0xFFFF, 2)],
                    findings: [(1, .wrongRefusal)], comment: "The refusal names another request type."),
            session("Required.Session.PumpMayRefuse", ["PW-SESSION-7", "PW-NAK-2"], [f(rx, 2), nak(2, .notPermitted, 0xFFFF, 2)],
                    findings: [], comment: "A pump may refuse for its own reasons."),
            session("Required.Session.DumpPastRegionRefused", ["PW-DUMP-10", "PW-NAK-2"],
                    [f(dumpRequest, 5), nak(5, .fieldOutOfRange, 6, 5)], findings: [], comment: "A request past the region's end is refused at offset 6."),
            session("Required.Session.DumpRefusalOfOtherType", ["PW-DUMP-10", "PW-NAK-2"],
                    [f(dumpRequest, 5), nak(4, .fieldOutOfRange, 6, 5)], findings: [(1, .wrongRefusal)],
                    comment: "A refusal of the dump request must name the dump request's type."),
            session("Required.Session.DumpImageCRCMismatch", ["PW-DUMP-8"],
                    [f(eventLogRequest, 6), chunkOf(0, crc: 1), chunkOf(1, crc: 1), chunkOf(2, crc: 1)], findings: [(3, .imageCRCMismatch)],
                    comment: "The image does not match its CRC-32."),
            session("Required.Session.DumpChunkConflict", ["PW-DUMP-8", "PW-SESSION-7"],
                    [f(eventLogRequest, 6), chunkOf(0), chunkOf(1, crc: 1), chunkOf(1), chunkOf(2)], findings: [(2, .chunkConflict)],
                    comment: "A chunk with another imageCrc32 is set aside; its good copy completes the image."),
            session("Required.Session.UnusableResponseIgnored", ["PW-SESSION-5", "PW-SESSION-7"],
                    [f(rx, 2), V.frame(type: 0xF0, sequence: 2, payload: [0x04, 0, 0, 0, 0]), ack(2, rxPayload, 2)], findings: [],
                    comment: "An acknowledgement that does not decode is no answer; the valid one that follows is."),
            session("Required.Session.DumpDuplicateChunkFirstCounts", ["PW-DUMP-8", "PW-SESSION-7"],
                    [f(eventLogRequest, 6), chunkOf(0), V.frame(type: 0x85, sequence: 6, payload: V.patch(Array(chunkOf(1)[9..<(chunkOf(1).count - 2)]), at: 30, [0xEE])),
                     chunkOf(1), chunkOf(2)], findings: [(4, .imageCRCMismatch)],
                    comment: "Of two copies of chunk 1 the first counts: it was damaged, so the image fails its CRC."),
            session("Required.Session.DumpIncomplete", ["PW-SESSION-8", "PW-DUMP-8"], [f(eventLogRequest, 6), chunkOf(0), chunkOf(2)],
                    findings: [(0, .noResponse)], comment: "Chunk 1 never came."),
            // PW-SESSION-9: a dump the pump began to answer is abandoned by the next request.
            session("Required.Session.ResumedDump", ["PW-SESSION-9", "PW-SESSION-6", "PW-IMAGE-7", "PW-IMAGE-8"],
                    [f(eventLogRequest, 6), chunkOf(0), chunkOf(2), resumption, resumed], findings: [],
                    comment: "Chunk 1 was lost; its 218 bytes are asked for again as request 7 (13.3): no finding."),
            session("Required.Session.OtherRequestAbandonsDump", ["PW-SESSION-9"],
                    [f(eventLogRequest, 6), chunkOf(0), f(interrogate, 7), f(.pumpStatus(D.pumpStatus), 7)], findings: [],
                    comment: "After one chunk the programmer gives up the dump and interrogates: no finding."),
            session("Required.Session.AbandonedDumpHasNoNoResponse", ["PW-SESSION-9", "PW-SESSION-8"],
                    [f(eventLogRequest, 6), chunkOf(0), f(interrogate, 7)], findings: [(2, .noResponse)],
                    comment: "Only the interrogation is unanswered at the end: the abandoned dump is not reported."),
            session("Required.Session.LateChunkOfAbandonedDump", ["PW-SESSION-9", "PW-SESSION-7"],
                    [f(eventLogRequest, 6), chunkOf(0), resumption, chunkOf(1), resumed], findings: [(3, .sequenceMismatch)],
                    comment: "Chunk 1 of the abandoned transfer arrives while request 7 is outstanding."),
            session("Required.Session.LateChunkAfterAbandonedDumpAnswered", ["PW-SESSION-9", "PW-SESSION-7"],
                    [f(eventLogRequest, 6), chunkOf(0), f(interrogate, 7), f(.pumpStatus(D.pumpStatus), 7), chunkOf(1)],
                    findings: [(4, .unsolicitedResponse)], comment: "Chunk 1 of the abandoned transfer arrives when nothing is outstanding."),
            session("Required.Session.UnansweredDumpIsNotAbandoned", ["PW-SESSION-9", "PW-SESSION-6"],
                    [f(eventLogRequest, 6), f(interrogate, 7), f(.pumpStatus(D.pumpStatus), 7)], findings: [(1, .requestWhileOutstanding)],
                    comment: "No chunk of the dump has come: the next request overtakes it."),
            session("Required.Session.AbandoningRequestSkipsSequence", ["PW-SESSION-9", "PW-SESSION-6"],
                    [f(eventLogRequest, 6), chunkOf(0), f(interrogate, 9), f(.pumpStatus(D.pumpStatus), 9)], findings: [(2, .sequenceGap)],
                    comment: "Abandoning spares REQUEST_WHILE_OUTSTANDING, not SEQUENCE_GAP."),
        ]
        // PW-AUTH-3: a sealed frame is opaque to a checker without keys.
        let sealedGarbage = V.frame(type: 0x02, flags: 0x02, sequence: 2, payload: [0xFF],
                                    authentication: V.le(0x0100_0001, 4) + [UInt8](repeating: 0x3C, count: 16))
        cases.append(session("Required.Session.SealedFrameIgnored", ["PW-SESSION-5", "PW-AUTH-3"],
                             [f(interrogate, 1), sealedGarbage, f(.pumpStatus(D.pumpStatus), 1)], findings: [],
                             comment: "A sealed frame between a request and its answer is neither request nor response without the keys: its ciphertext (no prescription as cleartext) is not decoded.")
            .covering("PW-SESSION-5/sealed"))
        cases.tag("Required.Session.Complete", "PW-REFILL-5/drug", "PW-REFILL-5/overfill", "PW-SESSION-7/status-prescription",
                  "PW-SESSION-7/status-bolus-schedule")
        cases.tag("Required.Session.RefillRefusedForDrug", "PW-REFILL-5/drug")
        cases.tag("Required.Session.RefillNotRefused", "PW-REFILL-5/drug")
        cases.tag("Required.Session.RefillOverfill", "PW-REFILL-5/overfill")
        cases.tag("Required.Session.RefillWrongRefusal", "PW-REFILL-5/overfill")
        cases.tag("Required.Session.Retransmission", "PW-SESSION-1/repeat", "PW-SESSION-6/retransmission")
        cases.tag("Required.Session.ReceiptAlarmWrong", "PW-SESSION-7/receipt-alarm")
        cases.tag("Required.Session.DumpChunkConflict", "PW-SESSION-7/chunk-conflict")
        return cases
    }
}
