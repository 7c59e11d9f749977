import PumpWire
import PumpWireCore

/// Byte streams (spec 4.3, 5.4). Each stream is put together from parts, so every item's offset
/// follows from the parts' lengths, not from running a reader.
enum StreamCases {
    typealias D = DeclaredMessages

    static func frameItem(_ bytes: [UInt8], at offset: Int) -> JSONValue {
        .object([("kind", .string("frame")), ("offset", V.int(offset)), ("canonical", V.hex(bytes))])
    }
    static func messageItem(_ message: Message, at offset: Int) -> JSONValue {
        .object([("kind", .string("reassembled")), ("offset", V.int(offset)), ("typeCode", V.int(message.typeCode)),
                 ("payload", V.hex(V.payload(message)))])
    }
    static func rejectedItem(_ code: ErrorCode, _ errorOffset: Int, at offset: Int, payload: Bool = false) -> JSONValue {
        .object([("kind", .string("rejected")), ("offset", V.int(offset)), ("error", V.error(code, errorOffset)),
                 ("offsetFrom", .string(payload ? "payload" : "frame"))])
    }

    static func stream(_ name: String, _ requirements: [String], _ bytes: [UInt8], _ items: [JSONValue], comment: String) -> VectorCase {
        let rejects = items.contains { $0["kind"]?.stringValue == "rejected" }
        return VectorCase(name, requirements: requirements, kind: "stream", comment: comment, body: [
            ("input", V.hex(bytes)), ("result", .string(rejects ? "invalid" : "valid")), ("items", .array(items)),
        ])
    }

    static var cases: [VectorCase] {
        let status = (try? Message.pumpStatus(D.pumpStatus).encodedFrames(sequence: 1)) ?? []
        let rx = (try? Message.prescriptionBlock(D.prescription).encodedFrames(sequence: 2)) ?? []
        let ping = V.frame(type: 0x01, sequence: 3, payload: [])
        let long = Message.prescriptionBlock(D.prescription(steps: 48))
        let parts = FragmentCases.frames(long, sequence: 5)
        let other = Message.prescriptionBlock(D.prescription(steps: 40))
        let otherParts = FragmentCases.frames(other, sequence: 6)
        var badCRC = rx
        badCRC[20] ^= 0x40
        var lying = status
        lying[7] = 0xF0
        lying[8] = 0x00
        let s = status.count, r = rx.count, p = ping.count
        var cases = [
            stream("Required.Stream.TwoFrames", ["PW-FRAME-10", "PW-FRAME-11"], status + rx,
                   [frameItem(status, at: 0), frameItem(rx, at: s)], comment: "Two frames back to back."),
            stream("Required.Stream.Empty", ["PW-FRAME-10"], [], [], comment: "Nothing at all."),
            stream("Required.Stream.NoiseEverywhere", ["PW-FRAME-10", "PW-FRAME-11"], [0x00, 0x01] + status + [0xFF, 0xA5, 0x00] + rx + [0x7E],
                   [rejectedItem(.badSync, 0, at: 0), frameItem(status, at: 2), rejectedItem(.badSync, 0, at: 2 + s),
                    frameItem(rx, at: 5 + s), rejectedItem(.badSync, 0, at: 5 + s + r)],
                   comment: "Each run of noise is one BAD_SYNC at its first byte."),
            stream("Required.Stream.CorruptedFrame", ["PW-FRAME-10", "PW-FRAME-11", "PW-FRAME-6"], status + badCRC + status,
                   [frameItem(status, at: 0), rejectedItem(.badCRC, r - 2, at: s), frameItem(status, at: s + r)],
                   comment: "A bad frame is reported and the next one read."),
            stream("Required.Stream.LyingLength", ["PW-FRAME-10", "PW-FRAME-2"], lying + rx,
                   [rejectedItem(.truncated, s + r, at: 0), frameItem(rx, at: s)],
                   comment: "A length that runs past the end does not hide the frame after it (4.3 step 3)."),
            stream("Required.Stream.CutOff", ["PW-FRAME-10", "PW-FRAME-2"], status + Array(rx.prefix(20)),
                   [frameItem(status, at: 0), rejectedItem(.truncated, 20, at: s)], comment: "The stream ends inside a frame."),
            stream("Required.Stream.LoneSyncByteAtEnd", ["PW-FRAME-10"], status + [0xA5],
                   [frameItem(status, at: 0), rejectedItem(.truncated, 1, at: s)],
                   comment: "A final a5 may start a frame cut off by the end."),
            stream("Required.Stream.PayloadErrorResynchronises", ["PW-FRAME-10", "PW-FRAME-11"],
                   V.frame(type: 0x01, payload: [0]) + [0x00] + ping,
                   [rejectedItem(.lengthMismatch, 9, at: 0), frameItem(ping, at: 13)],
                   comment: "A frame whose payload fails is followed by a search for the next sync word, like any rejected frame."),
            stream("Required.Stream.SyncInsideRejectedPayload", ["PW-FRAME-10"],
                   V.frame(type: 0xF0, sequence: 2, payload: [0x04, 0xA5, 0xC3, 0x01, 0x01]),
                   [rejectedItem(.fieldOutOfRange, 9, at: 0), rejectedItem(.truncated, 6, at: 10)],
                   comment: "The search for a sync word starts inside the rejected frame."),
            stream("Required.Stream.Fragments", ["PW-FRAME-10", "PW-FRAG-7"], parts[1] + ping + parts[0],
                   [frameItem(parts[1], at: 0), frameItem(ping, at: parts[1].count), frameItem(parts[0], at: parts[1].count + p),
                    messageItem(long, at: 0)],
                   comment: "Fragments reassemble around another frame; the message counts from its first fragment received."),
            stream("Required.Stream.InterleavedAbandons", ["PW-FRAG-10", "PW-FRAG-11"], parts[0] + otherParts[0] + otherParts[1],
                   [frameItem(parts[0], at: 0), frameItem(otherParts[0], at: parts[0].count), rejectedItem(.fragmentMissing, 236, at: 0, payload: true),
                    frameItem(otherParts[1], at: parts[0].count + otherParts[0].count), messageItem(other, at: parts[0].count)],
                   comment: "Spec 5.4: the first message is abandoned when another interleaves."),
            stream("Required.Stream.MissingAtEnd", ["PW-FRAG-11"], parts[0],
                   [frameItem(parts[0], at: 0), rejectedItem(.fragmentMissing, 236, at: 0, payload: true)],
                   comment: "At the end of the stream the message in progress is given up."),
        ]
        // A fragment the reassembler rejects, and a reassembled payload that does not decode.
        var conflicting = parts[0]
        conflicting[20] ^= 0xFF
        conflicting = V.frame(type: 0x02, flags: 0x01, sequence: 5, payload: Array(conflicting[9..<(conflicting.count - 2)]))
        let c0 = parts[0].count, c1 = conflicting.count
        var badPayload = MessageCases.raw(long)
        badPayload[21 + 6 * 40] = 0xFF
        badPayload[21 + 6 * 40 + 1] = 0xFF
        let badParts = [FragmentCases.fragment(type: 0x02, sequence: 7, index: 0, count: 2, total: badPayload.count, data: Array(badPayload[0..<236])),
                        FragmentCases.fragment(type: 0x02, sequence: 7, index: 1, count: 2, total: badPayload.count, data: Array(badPayload[236...]))]
        cases += [
            stream("Required.Stream.NoiseThenLoneSyncByte", ["PW-FRAME-10", "PW-FRAME-11"], [0x00, 0xA5],
                   [rejectedItem(.badSync, 0, at: 0), rejectedItem(.truncated, 1, at: 1)],
                   comment: "Noise, then a lone a5 as the last byte: the search finds it, and it is a frame cut off at 1 byte.")
                .covering("PW-FRAME-10/lone-sync-byte"),
            stream("Required.Stream.ConflictingFragment", ["PW-FRAG-9", "PW-FRAME-10"], parts[0] + conflicting + parts[1],
                   [frameItem(parts[0], at: 0), frameItem(conflicting, at: c0), rejectedItem(.fragmentConflict, 13, at: c0),
                    frameItem(parts[1], at: c0 + c1), messageItem(long, at: 0)],
                   comment: "Fragment 0 again with other data: its frame item, then FRAGMENT_CONFLICT at its start; the message completes all the same.")
                .covering("PW-FRAG-9/data", "PW-FRAG-9/kept"),
            stream("Required.Stream.ReassembledPayloadError", ["PW-FRAG-12", "PW-ENC-6"], badParts[0] + badParts[1],
                   [frameItem(badParts[0], at: 0), frameItem(badParts[1], at: badParts[0].count), rejectedItem(.fieldOutOfRange, 261, at: 0, payload: true)],
                   comment: "Step 40's start minute is 65535: a payload offset in the reassembled message, at its first fragment's start."),
        ]
        // PW-AUTH-3: sealed fragments are not reassembled without keys, nor do they touch the
        // message in progress.
        let sealedParts = parts.map(FragmentCases.sealed)
        let sealedOther = FragmentCases.sealed(otherParts[0])
        cases.append(stream("Required.Stream.SealedFragmentsNotReassembled", ["PW-AUTH-3", "PW-FRAME-10"], sealedParts[0] + sealedParts[1],
                            [frameItem(sealedParts[0], at: 0), frameItem(sealedParts[1], at: sealedParts[0].count)],
                            comment: "Two sealed fragments that would make a whole message: each is a sealed frame, no message is reassembled and none is missing.")
            .covering("PW-AUTH-3/stream"))
        cases.append(stream("Required.Stream.SealedFragmentDoesNotInterleave", ["PW-AUTH-3", "PW-FRAG-7"], parts[0] + sealedOther + parts[1],
                            [frameItem(parts[0], at: 0), frameItem(sealedOther, at: parts[0].count),
                             frameItem(parts[1], at: parts[0].count + sealedOther.count), messageItem(long, at: 0)],
                            comment: "A sealed fragment of another message between two cleartext fragments: no FRAGMENT_INTERLEAVED, the message completes.")
            .covering("PW-AUTH-3/stream"))
        cases.tag("Required.Stream.PayloadErrorResynchronises", "PW-FRAME-10/after-payload-error")
        cases.tag("Required.Stream.SyncInsideRejectedPayload", "PW-FRAME-10/after-payload-error")
        cases.tag("Required.Stream.LyingLength", "PW-FRAME-10/truncated-tail")
        cases.tag("Required.Stream.LoneSyncByteAtEnd", "PW-FRAME-10/lone-sync-byte")
        return cases
    }
}
