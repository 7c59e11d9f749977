import PumpWire
import PumpWireCore

/// Fragmentation and reassembly (spec section 5): single fragment frames, and sequences of
/// fragments given to one reassembler.
enum FragmentCases {
    typealias D = DeclaredMessages

    /// The frames our encoder writes for a declared message.
    static func frames(_ message: Message, sequence: UInt16) -> [[UInt8]] {
        StreamDecoder.frames(in: (try? message.encodedFrames(sequence: sequence)) ?? [])
    }

    /// A fragment frame written by hand.
    static func fragment(type: UInt8 = 0x60, sequence: UInt16 = 1, index: UInt8, count: UInt8, total: Int, data: [UInt8]) -> [UInt8] {
        V.frame(type: type, flags: 0x01, sequence: sequence, payload: [index, count, UInt8(total & 0xFF), UInt8(total >> 8)] + data)
    }

    /// The fragment frame `bytes` sealed (PW-AUTH-3): the AUTHENTICATED flag, a block, the CRC made right.
    static func sealed(_ bytes: [UInt8]) -> [UInt8] {
        let length = Int(bytes[7]) | Int(bytes[8]) << 8
        return V.frame(type: bytes[3], flags: bytes[4] | 0x02, sequence: UInt16(bytes[5]) | UInt16(bytes[6]) << 8,
                       payload: Array(bytes[9..<(9 + length)]), authentication: V.le(0x0500_0001, 4) + [UInt8](repeating: 0x5C, count: 16))
    }

    static let accepted: JSONValue = .object([("result", .string("accepted"))])
    static let duplicate: JSONValue = .object([("result", .string("duplicate"))])
    static let empty: JSONValue = .object([("result", .string("empty"))])
    static func complete(_ message: Message) -> JSONValue {
        .object([("result", .string("complete")), ("typeCode", V.int(message.typeCode)), ("payload", V.hex(V.payload(message)))])
    }
    static func rejected(_ code: ErrorCode, _ offset: Int) -> JSONValue {
        .object([("result", .string("rejected")), ("error", V.error(code, offset))])
    }

    static func reassembly(
        _ name: String, _ requirements: [String], _ frames: [[UInt8]], steps: [JSONValue], giveUp: JSONValue,
        messageType: String?, comment: String
    ) -> VectorCase {
        let rejects = (steps + [giveUp]).contains { $0["result"]?.stringValue == "rejected" }
        return VectorCase(name, requirements: requirements, kind: "reassembly", messageType: messageType, comment: comment, body: [
            ("inputs", .array(frames.map(V.hex))), ("result", .string(rejects ? "invalid" : "valid")),
            ("steps", .array(steps)), ("giveUp", giveUp),
        ])
    }

    /// A declared message's fragments, in order, reassembling to it.
    static func inOrder(_ name: String, _ requirements: [String], _ message: Message, sequence: UInt16, comment: String) -> VectorCase {
        let parts = frames(message, sequence: sequence)
        return reassembly(name, requirements, parts, steps: Array(repeating: accepted, count: parts.count - 1) + [complete(message)],
                          giveUp: empty, messageType: V.name(message.typeCode), comment: comment)
    }

    static var cases: [VectorCase] {
        let long = Message.prescriptionBlock(D.prescription(steps: 48))
        let parts = frames(long, sequence: 7)
        let big = Message.unknown(UnknownMessage(typeCode: 0x60, payload: try! BoundedArray((0..<1024).map { UInt8(truncatingIfNeeded: $0 * 31) })))
        let five = frames(big, sequence: 1)
        let fill = [UInt8](repeating: 0x11, count: 236)
        var cases: [VectorCase] = []

        // One fragment frame: the checks of 5.2.
        let firstView = Frame(sequence: 7, content: .fragment(FragmentFrame(
            typeCode: 0x02, header: FragmentHeader(index: 0, count: 2, totalLength: UInt16(long.payloadSize)),
            data: try! BoundedArray(Array(parts[0][13..<249])))))
        cases.append(V.valid("Required.Fragment.FirstFrame", ["PW-FRAG-2", "PW-FRAG-3", "PW-FRAG-4", "PW-FRAG-5", "PW-FRAG-6"],
                             bytes: parts[0], decoded: V.view(firstView), messageType: "prescriptionBlock",
                             comment: "The first of two fragments of a 48-step prescription: 236 bytes of its 309."))
        cases.append(V.valid("Required.Fragment.LastFrame", ["PW-FRAG-6"], bytes: parts[1],
                             decoded: V.view(try! Frame.decode(parts[1])), messageType: "prescriptionBlock",
                             comment: "The last fragment carries the remaining 73 bytes."))
        let singleFrame: [(String, [String], [UInt8], ErrorCode, Int, String)] = [
            ("CountOne", ["PW-FRAG-2"], fragment(index: 0, count: 1, total: 300, data: fill), .fragmentCountInvalid, 10, "A message of one fragment is not fragmented."),
            ("CountSix", ["PW-FRAG-2"], fragment(index: 0, count: 6, total: 1024, data: fill), .fragmentCountInvalid, 10, "At most 5 fragments."),
            ("CountNotCeiling", ["PW-FRAG-5"], fragment(index: 0, count: 3, total: 300, data: fill), .fragmentCountInvalid, 10, "300 bytes take 2 fragments, not 3."),
            ("IndexEqualsCount", ["PW-FRAG-3"], fragment(index: 2, count: 2, total: 300, data: fill), .fragmentIndexOutOfRange, 9, "Index 2 of 2."),
            ("IndexBeforeCount", ["PW-FRAG-3", "PW-FRAG-2"], fragment(index: 9, count: 9, total: 300, data: fill), .fragmentCountInvalid, 10,
             "The count is checked before the index."),
            ("TotalTooLarge", ["PW-FRAG-4"], fragment(index: 0, count: 5, total: 1025, data: fill), .payloadTooLarge, 11, "A message is at most 1024 bytes."),
            ("TotalFitsOneFrame", ["PW-FRAG-4", "PW-FRAG-1", "PW-ENC-5"], fragment(index: 0, count: 2, total: 240, data: fill), .nonCanonical, 11,
             "240 bytes travel in one frame: fragmenting them is not canonical."),
            ("FirstShort", ["PW-FRAG-6"], fragment(index: 0, count: 2, total: 300, data: Array(fill.dropLast())), .fragmentSizeInvalid, 7,
             "A fragment that is not the last carries 236 bytes."),
            ("LastWrongSize", ["PW-FRAG-6"], fragment(index: 1, count: 2, total: 300, data: [1]), .fragmentSizeInvalid, 7,
             "The last fragment of 300 bytes carries 64."),
            ("HeaderCut", ["PW-ENC-2"], V.frame(type: 0x60, flags: 0x01, payload: [0, 2]), .lengthMismatch, 11, "totalLength is cut."),
            ("HeaderEmpty", ["PW-ENC-2"], V.frame(type: 0x60, flags: 0x01, payload: []), .lengthMismatch, 9, "No fragment header at all."),
            ("HeaderOfOneByte", ["PW-ENC-2"], V.frame(type: 0x60, flags: 0x01, payload: [0]), .lengthMismatch, 10,
             "fragmentIndex only: the first field that does not fit is fragmentCount, at 10."),
            ("HeaderOfThreeBytes", ["PW-ENC-2"], V.frame(type: 0x60, flags: 0x01, payload: [0, 2, 0x2C]), .lengthMismatch, 11,
             "totalLength has one of its two bytes."),
            // 5.2 in order: two checks failing at once, the first reported.
            ("HeaderCutBeforeCount", ["PW-ENC-2", "PW-FRAG-2"], V.frame(type: 0x60, flags: 0x01, payload: [0, 9]), .lengthMismatch, 11,
             "fragmentCount 9 in a header cut short: the fields are read before they are checked."),
            ("IndexBeforeTotal", ["PW-FRAG-3", "PW-FRAG-4"], fragment(index: 2, count: 2, total: 1025, data: fill), .fragmentIndexOutOfRange, 9,
             "Index 2 of 2 and a totalLength of 1025: the index is checked first."),
            ("TotalTooLargeBeforeCeiling", ["PW-FRAG-4", "PW-FRAG-5"], fragment(index: 0, count: 2, total: 1025, data: fill), .payloadTooLarge, 11,
             "1025 bytes in 2 fragments: totalLength is checked before fragmentCount is compared with its ceiling."),
            ("TotalFitsOneFrameBeforeCeiling", ["PW-FRAG-4", "PW-FRAG-5"], fragment(index: 0, count: 3, total: 240, data: fill), .nonCanonical, 11,
             "240 bytes in 3 fragments: NON_CANONICAL before the count."),
            ("CeilingBeforeSize", ["PW-FRAG-5", "PW-FRAG-6"], fragment(index: 0, count: 3, total: 300, data: [1]), .fragmentCountInvalid, 10,
             "300 bytes in 3 fragments, the first carrying 1 byte: the count is checked first."),
            ("TwoFullFragmentsInThree", ["PW-FRAG-5"], fragment(index: 0, count: 3, total: 472, data: fill), .fragmentCountInvalid, 10,
             "472 bytes, exactly 2 × 236, take 2 fragments: ceil, not floor + 1."),
            ("OneByteMoreInTwo", ["PW-FRAG-5"], fragment(index: 0, count: 2, total: 473, data: fill), .fragmentCountInvalid, 10,
             "473 bytes take 3 fragments."),
        ]
        for (label, requirements, bytes, code, offset, comment) in singleFrame {
            cases.append(V.invalid("Required.Fragment.\(label)", requirements, bytes, code, at: offset, messageType: "unknown", comment: comment))
        }

        for (label, total, count, last) in [("TwoFull", 472, 2, 236), ("OneByteMore", 473, 3, 1)] {
            let frame = fragment(index: UInt8(count - 1), count: UInt8(count), total: total, data: [UInt8](repeating: 0x22, count: last))
            cases.append(V.valid("Required.Fragment.\(label)Last", ["PW-FRAG-5", "PW-FRAG-6"], bytes: frame,
                                 decoded: V.view(try! Frame.decode(frame)), messageType: "unknown",
                                 comment: "The last of \(count) fragments of \(total) bytes carries \(last).")
                .covering("PW-FRAG-5/ceiling"))
        }
        cases.tag("Required.Fragment.TwoFullFragmentsInThree", "PW-FRAG-5/ceiling")
        cases.tag("Required.Fragment.OneByteMoreInTwo", "PW-FRAG-5/ceiling")
        cases.tag("Required.Fragment.IndexBeforeCount", "PW-FRAG-2/order-count-index")
        cases.tag("Required.Fragment.HeaderCutBeforeCount", "PW-FRAG-2/order-header-cut")
        cases.tag("Required.Fragment.IndexBeforeTotal", "PW-FRAG-3/order-index-total")
        cases.tag("Required.Fragment.TotalTooLargeBeforeCeiling", "PW-FRAG-4/order-total-ceiling", "PW-FRAG-4/too-large")
        cases.tag("Required.Fragment.TotalFitsOneFrameBeforeCeiling", "PW-FRAG-4/order-total-ceiling", "PW-FRAG-4/fits-one-frame")
        cases.tag("Required.Fragment.CeilingBeforeSize", "PW-FRAG-5/order-ceiling-size")
        cases.tag("Required.Fragment.TotalTooLarge", "PW-FRAG-4/too-large")
        cases.tag("Required.Fragment.TotalFitsOneFrame", "PW-FRAG-4/fits-one-frame")
        cases.tag("Required.Fragment.FirstShort", "PW-FRAG-6/not-last")
        cases.tag("Required.Fragment.LastWrongSize", "PW-FRAG-6/last")

        // Sequences (5.3).
        cases.append(inOrder("Required.Reassembly.InOrder", ["PW-FRAG-1", "PW-FRAG-7", "PW-FRAG-12", "PW-RX-4"], long, sequence: 7,
                             comment: "A 48-step prescription in two fragments."))
        cases.append(reassembly("Required.Reassembly.Reversed", ["PW-FRAG-7"], parts.reversed(), steps: [accepted, complete(long)],
                                giveUp: empty, messageType: "prescriptionBlock", comment: "The last fragment first."))
        cases.append(reassembly("Required.Reassembly.FiveShuffled", ["PW-FRAG-7", "PW-FRAG-14"], [2, 0, 4, 1, 3].map { five[$0] },
                                steps: [accepted, accepted, accepted, accepted, complete(big)], giveUp: empty, messageType: "unknown",
                                comment: "1024 bytes of an unknown type in five fragments, shuffled."))
        cases.append(reassembly("Required.Reassembly.Duplicate", ["PW-FRAG-8", "PW-FRAG-9"], [parts[0], parts[0], parts[1]],
                                steps: [accepted, duplicate, complete(long)], giveUp: empty, messageType: "prescriptionBlock",
                                comment: "An identical duplicate is ignored."))
        cases.append(reassembly("Required.Reassembly.DuplicateAfterAll", ["PW-FRAG-8", "PW-FRAG-13"], [five[0], five[0], five[1], five[2], five[3], five[4]],
                                steps: [accepted, duplicate, accepted, accepted, accepted, complete(big)], giveUp: empty, messageType: "unknown",
                                comment: "Duplicates do not count towards completion."))
        var conflicting = parts[0]
        conflicting[20] ^= 0xFF
        conflicting = V.frame(type: 0x02, flags: 0x01, sequence: 7, payload: Array(conflicting[9..<(conflicting.count - 2)]))
        cases.append(reassembly("Required.Reassembly.ConflictingData", ["PW-FRAG-9", "PW-FRAG-8"], [parts[0], conflicting, parts[1]],
                                steps: [accepted, rejected(.fragmentConflict, 13), complete(long)], giveUp: empty, messageType: "prescriptionBlock",
                                comment: "Same index, other data: rejected, and the message in progress is kept."))
        cases.append(reassembly("Required.Reassembly.ConflictingTotal", ["PW-FRAG-9"],
                                [fragment(index: 0, count: 2, total: 300, data: fill), fragment(index: 1, count: 2, total: 301, data: [UInt8](repeating: 2, count: 65))],
                                steps: [accepted, rejected(.fragmentConflict, 11)], giveUp: rejected(.fragmentMissing, 236), messageType: "unknown",
                                comment: "totalLength differs from the first fragment's."))
        cases.append(reassembly("Required.Reassembly.ConflictingCount", ["PW-FRAG-9"],
                                [fragment(index: 0, count: 2, total: 300, data: fill), fragment(index: 2, count: 3, total: 500, data: [UInt8](repeating: 2, count: 28))],
                                steps: [accepted, rejected(.fragmentConflict, 10)], giveUp: rejected(.fragmentMissing, 236), messageType: "unknown",
                                comment: "fragmentCount differs from the first fragment's; it is checked before totalLength."))
        cases.append(reassembly("Required.Reassembly.InterleavedSequence", ["PW-FRAG-10"],
                                [fragment(sequence: 1, index: 0, count: 2, total: 300, data: fill), fragment(sequence: 2, index: 0, count: 2, total: 300, data: fill)],
                                steps: [accepted, rejected(.fragmentInterleaved, 3)], giveUp: rejected(.fragmentMissing, 236), messageType: "unknown",
                                comment: "A fragment of another message while one is in progress."))
        cases.append(reassembly("Required.Reassembly.InterleavedType", ["PW-FRAG-10"],
                                [fragment(type: 0x60, index: 0, count: 2, total: 300, data: fill), fragment(type: 0x61, index: 1, count: 2, total: 300, data: [UInt8](repeating: 2, count: 64))],
                                steps: [accepted, rejected(.fragmentInterleaved, 3)], giveUp: rejected(.fragmentMissing, 236), messageType: "unknown",
                                comment: "Same sequence, other type: another message."))
        cases.append(reassembly("Required.Reassembly.MissingLast", ["PW-FRAG-11"], [parts[0]], steps: [accepted],
                                giveUp: rejected(.fragmentMissing, 236), messageType: "prescriptionBlock",
                                comment: "Given up with fragment 1 missing: its payload offset is 236."))
        cases.append(reassembly("Required.Reassembly.MissingFirst", ["PW-FRAG-11"], [parts[1]], steps: [accepted],
                                giveUp: rejected(.fragmentMissing, 0), messageType: "prescriptionBlock", comment: "Given up with fragment 0 missing."))
        cases.append(reassembly("Required.Reassembly.MissingMiddle", ["PW-FRAG-11"], [five[0], five[1], five[2], five[4]],
                                steps: [accepted, accepted, accepted, accepted], giveUp: rejected(.fragmentMissing, 708), messageType: "unknown",
                                comment: "Fragment 3 of 5 missing: offset 3 × 236."))
        cases.append(reassembly("Required.Reassembly.Again", ["PW-FRAG-13", "PW-FRAG-10", "PW-FRAG-11"], parts + parts,
                                steps: [accepted, complete(long), accepted, complete(long)], giveUp: empty, messageType: "prescriptionBlock",
                                comment: "A completed message leaves the reassembler empty: the same message can come again."))
        cases.append(reassembly("Required.Reassembly.NewAfterComplete", ["PW-FRAG-13"], parts + [five[0]],
                                steps: [accepted, complete(long), accepted], giveUp: rejected(.fragmentMissing, 236), messageType: "prescriptionBlock",
                                comment: "After completion another message starts without interleaving; it is then given up."))
        cases.append(reassembly("Required.Reassembly.UnknownType", ["PW-FRAG-14"], five, steps: [accepted, accepted, accepted, accepted, complete(big)],
                                giveUp: empty, messageType: "unknown", comment: "An unknown type is reassembled like any other."))
        cases.append(reassembly("Required.Reassembly.UnknownTypeBadHeader", ["PW-FRAG-14", "PW-FRAG-2"], [fragment(index: 0, count: 7, total: 300, data: fill)],
                                steps: [rejected(.fragmentCountInvalid, 10)], giveUp: empty, messageType: "unknown",
                                comment: "An unknown type's fragments are checked like any other."))
        // PW-FRAG-9 and PW-FRAG-10 in order, and the message kept after a conflict.
        let second = fragment(index: 1, count: 2, total: 300, data: [UInt8](repeating: 2, count: 64))
        cases.append(reassembly("Required.Reassembly.ConflictingCountKeepsMessage", ["PW-FRAG-9"],
                                [fragment(index: 0, count: 2, total: 300, data: fill), fragment(index: 1, count: 3, total: 500, data: fill), second],
                                steps: [accepted, rejected(.fragmentConflict, 10), complete(.unknown(UnknownMessage(typeCode: 0x60, payload:
                                    try! BoundedArray(fill + [UInt8](repeating: 2, count: 64)))))], giveUp: empty, messageType: "unknown",
                                comment: "A fragment with another count is rejected; the message in progress completes with its own second fragment."))
        cases.append(reassembly("Required.Reassembly.ConflictingTotalBeforeData", ["PW-FRAG-9"],
                                [fragment(index: 0, count: 2, total: 300, data: fill), fragment(index: 0, count: 2, total: 301, data: [UInt8](repeating: 3, count: 236))],
                                steps: [accepted, rejected(.fragmentConflict, 11)], giveUp: rejected(.fragmentMissing, 236), messageType: "unknown",
                                comment: "Index 0 again with another totalLength and other data: totalLength is compared before the data."))
        cases.append(reassembly("Required.Reassembly.InterleavedBeforeConflict", ["PW-FRAG-10", "PW-FRAG-9"],
                                [fragment(sequence: 1, index: 0, count: 2, total: 300, data: fill), fragment(sequence: 2, index: 0, count: 3, total: 500, data: fill)],
                                steps: [accepted, rejected(.fragmentInterleaved, 3)], giveUp: rejected(.fragmentMissing, 236), messageType: "unknown",
                                comment: "Another sequence and another count: another message, not a conflict with this one."))
        cases.tag("Required.Reassembly.ConflictingCount", "PW-FRAG-9/count", "PW-FRAG-9/order-count-total")
        cases.tag("Required.Reassembly.ConflictingTotal", "PW-FRAG-9/total")
        cases.tag("Required.Reassembly.ConflictingData", "PW-FRAG-9/data", "PW-FRAG-9/kept")
        cases.tag("Required.Reassembly.ConflictingCountKeepsMessage", "PW-FRAG-9/kept")
        cases.tag("Required.Reassembly.ConflictingTotalBeforeData", "PW-FRAG-9/order-total-data")
        cases.tag("Required.Reassembly.InterleavedSequence", "PW-FRAG-10/sequence")
        cases.tag("Required.Reassembly.InterleavedType", "PW-FRAG-10/type")
        cases.tag("Required.Reassembly.InterleavedBeforeConflict", "PW-FRAG-10/order-interleaved-conflict")

        var badPayload = MessageCases.raw(long)
        badPayload[21 + 6 * 40] = 0xFF
        badPayload[21 + 6 * 40 + 1] = 0xFF
        cases.append(reassembly("Required.Reassembly.PayloadErrorAtPayloadOffset", ["PW-FRAG-12", "PW-ENC-6"],
                                [fragment(type: 0x02, index: 0, count: 2, total: badPayload.count, data: Array(badPayload[0..<236])),
                                 fragment(type: 0x02, index: 1, count: 2, total: badPayload.count, data: Array(badPayload[236...]))],
                                steps: [accepted, rejected(.fieldOutOfRange, 261)], giveUp: empty, messageType: "prescriptionBlock",
                                comment: "Step 40's start minute is 65535: reported at its offset in the reassembled payload."))
        cases.append(reassembly("Required.Reassembly.NotAFragment", ["PW-FRAG-7"], [V.frame(type: 0x01, payload: [])],
                                steps: [rejected(.nonCanonical, 4)], giveUp: empty, messageType: "interrogationRequest",
                                comment: "A frame without the FRAGMENT flag is not given to a reassembler (spec/conformance.md 2.4.4)."))
        var badCRC = parts[0]
        badCRC[badCRC.count - 1] ^= 0x01
        cases.append(reassembly("Required.Reassembly.BadCRCLeavesStateAlone", ["PW-FRAG-7", "PW-FRAME-6"], [badCRC, parts[1], parts[0]],
                                steps: [rejected(.badCRC, 249), accepted, complete(long)], giveUp: empty, messageType: "prescriptionBlock",
                                comment: "A damaged fragment changes nothing; its retransmission completes the message."))
        cases.append(reassembly("Required.Reassembly.SealedFragmentRefused", ["PW-AUTH-3"], [sealed(parts[0]), parts[0], parts[1]],
                                steps: [rejected(.nonCanonical, 4), accepted, complete(long)], giveUp: empty, messageType: "prescriptionBlock",
                                comment: "A sealed fragment is not given to a reassembler without keys (spec/conformance.md 2.4.4); it changes nothing.")
            .covering("PW-AUTH-3/reassembler"))
        return cases
    }
}
