import PumpWire
import PumpWireCore

/// The frame layer (spec section 4): every check of 4.2, in its order, and sealed frames
/// (section 6).
enum FrameCases {
    static func cases(examples: [ExampleCases.Example]) -> [VectorCase] {
        var cases: [VectorCase] = []
        let interrogation = V.frame(type: 0x01, payload: [])
        cases.append(V.valid("Required.Frame.Minimal", ["PW-FRAME-1", "PW-FRAME-2", "PW-FRAME-3", "PW-FRAME-4", "PW-FRAME-5",
                                                        "PW-FRAME-6", "PW-FRAME-7", "PW-FRAME-9", "PW-CRC-1"],
                             bytes: interrogation, decoded: V.view(Frame(sequence: 1, message: .interrogationRequest(InterrogationRequest()))),
                             messageType: "interrogationRequest", comment: "The smallest frame: 11 bytes."))

        // PW-FRAME-1
        for (label, bytes) in [("FirstByte", [0x00] + interrogation.dropFirst()), ("SecondByte", [0xA5, 0xC4] + interrogation.dropFirst(2)),
                               ("Swapped", [0xC3, 0xA5] + interrogation.dropFirst(2)), ("OneByte", [0x5A]), ("Ascii", Array("PW".utf8))] {
            cases.append(V.invalid("Required.Frame.BadSync.\(label)", ["PW-FRAME-1", "PW-FRAME-9"], bytes, .badSync, at: 0,
                                   messageType: nil, comment: "A frame starts with a5 c3."))
        }
        // PW-FRAME-2: every prefix of every worked example.
        for example in examples {
            let title = MessageCases.title(MessageRegistry.typeCode(named: example.name) ?? 0)
            for length in 0..<example.bytes.count {
                cases.append(V.invalid("Required.Frame.Truncated.\(title).At\(length)", ["PW-FRAME-2"], Array(example.bytes.prefix(length)),
                                       .truncated, at: length, messageType: example.name,
                                       comment: "The first \(length) bytes of the worked example.")
                    .covering(length < WireLimits.headerSize ? "PW-FRAME-2/header" : "PW-FRAME-2/body"))
            }
        }
        // PW-FRAME-3
        for version: UInt8 in [0, 2, 0x81, 0xFF] {
            cases.append(V.invalid("Required.Frame.Version\(version)", ["PW-FRAME-3"], V.frame(type: 0x01, payload: [], version: version),
                                   .unsupportedVersion, at: 2, messageType: "interrogationRequest", comment: "Only version 1 is known."))
        }
        // PW-FRAME-4
        for bit in 2..<8 {
            cases.append(V.invalid("Required.Frame.ReservedFlagBit\(bit)", ["PW-FRAME-4", "PW-ENC-5"],
                                   V.frame(type: 0x01, flags: UInt8(1 << bit), payload: []), .nonCanonical, at: 4,
                                   messageType: "interrogationRequest", comment: "Flag bits 2 to 7 are reserved."))
        }
        // PW-FRAME-5
        let full = [UInt8](repeating: 0x5A, count: 240)
        cases.append(V.valid("Required.Frame.Payload240", ["PW-FRAME-5", "PW-FRAME-8"], bytes: V.frame(type: 0x60, payload: full),
                             decoded: V.view(Frame(sequence: 1, message: .unknown(UnknownMessage(typeCode: 0x60, payload: try! BoundedArray(full))))),
                             messageType: "unknown", comment: "The largest payload of one frame."))
        for (label, length) in [("241", 241), ("65535", 0xFFFF)] {
            cases.append(V.invalid("Required.Frame.PayloadLength\(label)", ["PW-FRAME-5"],
                                   Array(V.frame(type: 0x60, payload: [], payloadLength: length).prefix(9)), .payloadTooLarge, at: 7,
                                   messageType: "unknown", comment: "Refused from the header alone, before reading further."))
        }
        cases.append(V.invalid("Required.Frame.PayloadLength241Complete", ["PW-FRAME-5"], V.frame(type: 0x60, payload: full + [0]),
                               .payloadTooLarge, at: 7, messageType: "unknown", comment: "241 bytes, all present: still too large."))
        // PW-FRAME-6: a wrong CRC on every example, and a flipped payload bit.
        for example in examples {
            var bytes = example.bytes
            bytes[bytes.count - 2] ^= 0x01
            cases.append(V.invalid("Required.Frame.BadCRC.\(MessageCases.title(MessageRegistry.typeCode(named: example.name) ?? 0))",
                                   ["PW-FRAME-6", "PW-CRC-1", "PW-ERR-1"], bytes, .badCRC, at: bytes.count - 2, messageType: example.name,
                                   comment: "The CRC's low bit flipped."))
            var flipped = example.bytes
            let payloadEnd = flipped.count - 2
            flipped[payloadEnd > 9 ? payloadEnd - 1 : 5] ^= 0x80  // the payload's last byte, or the sequence of an empty one
            cases.append(V.invalid("Required.Frame.FlippedBit.\(MessageCases.title(MessageRegistry.typeCode(named: example.name) ?? 0))",
                                   ["PW-FRAME-6", "PW-CRC-1"], flipped, .badCRC, at: flipped.count - 2, messageType: example.name,
                                   comment: "One bit of the payload (or, for an empty payload, of the sequence) flipped: the CRC catches it."))
        }
        cases.append(V.invalid("Required.Frame.CRCBigEndian", ["PW-FRAME-6", "PW-CRC-1"], {
            var b = interrogation
            b.swapAt(9, 10)
            return b
        }(), .badCRC, at: 9, messageType: "interrogationRequest", comment: "The CRC written big-endian."))
        // PW-FRAME-7
        cases.append(V.invalid("Required.Frame.TrailingByte", ["PW-FRAME-7"], interrogation + [0x00], .trailingBytes, at: 11,
                               messageType: "interrogationRequest", comment: "One byte after the frame."))
        cases.append(V.invalid("Required.Frame.TwoFrames", ["PW-FRAME-7"], interrogation + interrogation, .trailingBytes, at: 11,
                               messageType: "interrogationRequest", comment: "A second frame where exactly one was expected."))
        // PW-FRAME-8 and PW-REG-1: unknown types.
        for (type, payload) in [(0x00, [] as [UInt8]), (0x06, [0x01]), (0x7F, [0xDE, 0xAD]), (0x80, [0x00, 0x00, 0x00]), (0xFF, [0xFF])] as [(UInt8, [UInt8])] {
            let message = Message.unknown(UnknownMessage(typeCode: type, payload: try! BoundedArray(payload)))
            cases.append(V.valid("Required.Frame.UnknownType\(type)", ["PW-FRAME-8", "PW-REG-1"], bytes: V.frame(type: type, sequence: 9, payload: payload),
                                 decoded: V.view(Frame(sequence: 9, message: message)), messageType: "unknown",
                                 comment: "An unregistered type: its payload, kept to re-encode the same bytes."))
        }
        cases.append(V.invalid("Required.Frame.UnknownTypeTrailing", ["PW-FRAME-8", "PW-FRAME-7"], V.frame(type: 0x7F, payload: [1]) + [0],
                               .trailingBytes, at: 12, messageType: "unknown", comment: "Unknown types pass the same frame checks."))
        cases.append(V.invalid("Required.Frame.RegisteredTypeBadPayload", ["PW-REG-1", "PW-REG-2"], V.frame(type: 0x81, payload: [0xFF]),
                               .fieldOutOfRange, at: 9, messageType: "pumpStatus",
                               comment: "A registered type is decoded as that type, whichever way it travels: never as unknown."))
        // PW-FRAME-9: two faults, the first in 4.2's order reported.
        cases.append(V.invalid("Required.Frame.Order.VersionBeforeCRC", ["PW-FRAME-9"], V.frame(type: 0x01, payload: [], version: 2, crc: 0),
                               .unsupportedVersion, at: 2, messageType: "interrogationRequest", comment: "Version 2 and a bad CRC."))
        cases.append(V.invalid("Required.Frame.Order.FlagsBeforeLength", ["PW-FRAME-9"],
                               Array(V.frame(type: 0x01, flags: 0x10, payload: [], payloadLength: 300).prefix(9)), .nonCanonical, at: 4,
                               messageType: "interrogationRequest", comment: "A reserved flag and a length of 300."))
        cases.append(V.invalid("Required.Frame.Order.LengthBeforeTruncation", ["PW-FRAME-9", "PW-FRAME-5"],
                               Array(V.frame(type: 0x01, payload: [], payloadLength: 500).prefix(9)), .payloadTooLarge, at: 7,
                               messageType: "interrogationRequest", comment: "A length of 500 with nothing after the header."))
        cases.append(V.invalid("Required.Frame.Order.CRCBeforeTrailing", ["PW-FRAME-9"], V.frame(type: 0x01, payload: [], crc: 0) + [1],
                               .badCRC, at: 9, messageType: "interrogationRequest", comment: "A bad CRC and a trailing byte."))
        cases.append(V.invalid("Required.Frame.Order.CRCBeforePayload", ["PW-FRAME-9", "PW-ERR-1"], V.frame(type: 0x01, payload: [1], crc: 0),
                               .badCRC, at: 10, messageType: "interrogationRequest", comment: "A bad CRC and a bad payload."))
        cases.append(V.invalid("Required.Frame.Order.TrailingBeforePayload", ["PW-FRAME-9"], V.frame(type: 0x01, payload: [1]) + [1],
                               .trailingBytes, at: 12, messageType: "interrogationRequest", comment: "A trailing byte and a bad payload."))
        // PW-FRAME-9, the other pairs of adjacent checks of 4.2.
        cases.append(V.invalid("Required.Frame.Order.HeaderBeforeVersion", ["PW-FRAME-9", "PW-FRAME-2"], [0xA5, 0xC3, 0x02], .truncated, at: 3,
                               messageType: nil, comment: "Version 2 in an input of 3 bytes: the header is incomplete, and that is checked first.")
            .covering("PW-FRAME-9/order-2-3"))
        cases.append(V.invalid("Required.Frame.Order.VersionBeforeFlags", ["PW-FRAME-9", "PW-FRAME-3"],
                               V.frame(type: 0x01, flags: 0x80, payload: [], version: 2), .unsupportedVersion, at: 2,
                               messageType: "interrogationRequest", comment: "Version 2 and a reserved flag: the version is checked first.")
            .covering("PW-FRAME-9/order-3-4"))
        cases.append(V.invalid("Required.Frame.Order.TrailingBeforeFragmentHeader", ["PW-FRAME-9", "PW-FRAME-7"],
                               V.frame(type: 0x60, flags: 0x01, payload: [0, 9, 0x2C, 0x01] + [UInt8](repeating: 0x11, count: 236)) + [0],
                               .trailingBytes, at: 251, messageType: "unknown",
                               comment: "A trailing byte after a fragment frame whose fragmentCount is 9: step 8 before step 9.")
            .covering("PW-FRAME-9/order-8-9"))
        cases.tag("Required.Frame.BadSync.OneByte", "PW-FRAME-9/order-1-2")
        cases.tag("Required.Frame.Order.FlagsBeforeLength", "PW-FRAME-9/order-4-5")
        cases.tag("Required.Frame.Order.LengthBeforeTruncation", "PW-FRAME-9/order-5-6")
        cases.tag("Required.Frame.Truncated.PrescriptionBlock.At40", "PW-FRAME-9/order-6-7")
        cases.tag("Required.Frame.Order.CRCBeforeTrailing", "PW-FRAME-9/order-7-8")
        cases.tag("Required.Frame.Order.TrailingBeforePayload", "PW-FRAME-9/order-8-10")
        // Section 6: sealed frames (PW-AUTH-3, PW-AUTH-4).
        let block: [UInt8] = V.le(0x0102_0304, 4) + Array(0x10..<0x20)
        let authentication = AuthenticationBlock(freshnessCounter: 0x0102_0304, tag: try! BoundedArray(Array(0x10..<0x20)))
        func sealed(_ type: UInt8, _ sequence: UInt16, _ fragment: FragmentHeader?, _ ciphertext: [UInt8]) -> Frame {
            Frame(sequence: sequence, authentication: authentication,
                  content: .sealed(SealedPayload(typeCode: type, fragment: fragment, ciphertext: try! BoundedArray(ciphertext))))
        }
        let rxPayload = V.payload(.prescriptionBlock(DeclaredMessages.prescription))
        cases.append(V.valid("Required.Frame.AuthenticationBlock", ["PW-AUTH-3", "PW-AUTH-4"],
                             bytes: V.frame(type: 0x02, flags: 0x02, sequence: 2, payload: rxPayload, authentication: block),
                             decoded: V.view(sealed(0x02, 2, nil, rxPayload)), messageType: "prescriptionBlock",
                             comment: "A sealed frame: its payload is ciphertext, kept and shown as hex, never decoded nor reported authenticated without the keys.")
            .covering("PW-AUTH-3/unfragmented"))
        cases.append(V.invalid("Required.Frame.AuthenticationBlockMissing", ["PW-AUTH-3", "PW-FRAME-2"], V.frame(type: 0x01, flags: 0x02, payload: []),
                               .truncated, at: 11, messageType: "interrogationRequest", comment: "The flag promises 20 bytes that are not there.")
            .covering("PW-AUTH-3/block-truncated"))
        var tampered = V.frame(type: 0x02, flags: 0x02, sequence: 2, payload: rxPayload, authentication: block)
        tampered[tampered.count - 3] ^= 0xFF
        cases.append(V.invalid("Required.Frame.AuthenticationBlockInCRC", ["PW-AUTH-3", "PW-AUTH-4", "PW-CRC-1"], tampered, .badCRC,
                               at: tampered.count - 2, messageType: "prescriptionBlock",
                               comment: "The block is covered by the CRC; a changed tag is a CRC error to a decoder without keys, never an authentication failure."))
        let garbage: [UInt8] = [0xFF, 0xFF, 0xFF]
        cases.append(V.valid("Required.Frame.Sealed.NotDecoded", ["PW-AUTH-3", "PW-AUTH-4"],
                             bytes: V.frame(type: 0x02, flags: 0x02, sequence: 3, payload: garbage, authentication: block),
                             decoded: V.view(sealed(0x02, 3, nil, garbage)), messageType: "prescriptionBlock",
                             comment: "Ciphertext that is no prescriptionBlock (LENGTH_MISMATCH or worse as cleartext): a sealed frame is valid as an envelope, its payload never decoded.")
            .covering("PW-AUTH-3/not-decoded"))
        let header = FragmentHeader(index: 1, count: 2, totalLength: 300)
        let tail = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 5) }
        cases.append(V.valid("Required.Frame.Sealed.Fragment", ["PW-AUTH-3", "PW-AUTH-4", "PW-FRAG-2", "PW-FRAG-6"],
                             bytes: V.frame(type: 0x02, flags: 0x03, sequence: 4, payload: [1, 2] + V.le(300, 2) + tail, authentication: block),
                             decoded: V.view(sealed(0x02, 4, header, tail)), messageType: "prescriptionBlock",
                             comment: "A sealed fragment: its header checked (4.2 step 9) and shown, its data ciphertext; not reassembled without keys.")
            .covering("PW-AUTH-3/fragment"))
        cases.append(V.invalid("Required.Frame.Sealed.BadFragmentHeader", ["PW-AUTH-3", "PW-FRAG-2"],
                               V.frame(type: 0x02, flags: 0x03, sequence: 4, payload: [0, 9] + V.le(300, 2) + tail, authentication: block),
                               .fragmentCountInvalid, at: 10, messageType: "prescriptionBlock",
                               comment: "A sealed fragment's header is checked as any fragment's (4.2 step 9): fragmentCount 9.")
            .covering("PW-AUTH-3/fragment-header"))
        var cut = V.frame(type: 0x01, flags: 0x02, sequence: 5, payload: [0xAA, 0xBB], authentication: block)
        cut.removeLast(12)
        cases.append(V.invalid("Required.Frame.Sealed.BlockTruncated", ["PW-AUTH-3", "PW-FRAME-2"], cut, .truncated, at: cut.count,
                               messageType: "interrogationRequest", comment: "A sealed frame cut inside its block.")
            .covering("PW-AUTH-3/block-truncated"))
        return cases
    }
}
