import PumpWire
@testable import PumpWireCore
import Testing

/// Splits back-to-back frames.
func splitFrames(_ bytes: [UInt8]) -> [[UInt8]] { StreamDecoder.frames(in: bytes) }

/// Feeds frames to a reassembler; returns each progress, and the message when complete.
func reassemble(_ frames: [[UInt8]]) throws(PumpWireError) -> (progress: [ReassemblyProgress], message: Message?) {
    var reassembler = Reassembler()
    var progress: [ReassemblyProgress] = []
    var message: Message?
    for frame in frames {
        let step = try withBytes(frame) { (raw) throws(PumpWireError) in
            try reassembler.add(try FrameView.decode(raw, exactly: true), in: raw)
        }
        progress.append(step)
        if step == .complete { message = try reassembler.takeMessage() }
    }
    return (progress, message)
}

@Suite("Fragmentation and reassembly (spec section 5)")
struct FragmentationTests {
    let long = Message.prescriptionBlock(Samples.prescription(steps: 48))

    @Test("PW-FRAG-1: 240 bytes travel in one frame, 241 in two, 1024 in five")
    func fragmentCounts() throws {
        for (size, frames) in [(240, 1), (241, 2), (472, 2), (473, 3), (1024, 5)] {
            let message = Message.unknown(UnknownMessage(typeCode: 0x60, payload: try BoundedArray([UInt8](repeating: 0x5A, count: size))))
            let parts = splitFrames(try message.encodedFrames(sequence: 3))
            #expect(parts.count == frames, "\(size) bytes")
            for (index, part) in parts.enumerated() where frames > 1 {
                #expect(part[4] == 0x01, "FRAGMENT flag")
                #expect(part[9] == UInt8(index))
                #expect(part.count == (index < frames - 1 ? 251 : 15 + size - 236 * (frames - 1)))
            }
            if frames > 1 {
                let (_, reassembled) = try reassemble(parts)
                #expect(reassembled == message)
            } else {
                #expect(try Frame.decode(parts[0]).content == .message(message))
            }
        }
    }

    @Test("A 48-step prescription is two fragments that reassemble to it (PW-FRAG-7)")
    func inOrder() throws {
        let frames = splitFrames(try long.encodedFrames(sequence: 7))
        #expect(frames.count == 2)
        let (progress, message) = try reassemble(frames)
        #expect(progress == [.accepted(missing: 1), .complete])
        #expect(message == long)
    }

    @Test("Reversed and shuffled fragments reassemble (PW-FRAG-7)")
    func outOfOrder() throws {
        let message = Message.unknown(UnknownMessage(typeCode: 0x60, payload: try BoundedArray((0..<1000).map { UInt8($0 & 0xFF) })))
        let frames = splitFrames(try message.encodedFrames(sequence: 1))
        #expect(frames.count == 5)
        for order in [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 2, 3, 4, 0]] {
            let (progress, result) = try reassemble(order.map { frames[$0] })
            #expect(progress.last == .complete)
            #expect(result == message, "order \(order)")
        }
    }

    @Test("An identical duplicate is ignored (PW-FRAG-8)")
    func duplicate() throws {
        let frames = splitFrames(try long.encodedFrames(sequence: 7))
        let (progress, message) = try reassemble([frames[0], frames[0], frames[1]])
        #expect(progress == [.accepted(missing: 1), .duplicate, .complete])
        #expect(message == long)
    }

    @Test("A conflicting fragment leaves the message in progress intact (PW-FRAG-9)")
    func conflictKeepsState() throws {
        let frames = splitFrames(try long.encodedFrames(sequence: 7))
        var conflicting = frames[0]
        conflicting[20] ^= 0xFF
        conflicting = frameBytes(type: conflicting[3], flags: 1, sequence: 7, payload: Array(conflicting[9..<(conflicting.count - 2)]))
        var reassembler = Reassembler()
        for (frame, expected) in [(frames[0], nil), (conflicting, PumpWireError(.fragmentConflict, at: 13)), (frames[1], nil)] as [([UInt8], PumpWireError?)] {
            let error = caught { () throws(PumpWireError) in
                try withBytes(frame) { (raw) throws(PumpWireError) in try reassembler.add(try FrameView.decode(raw, exactly: true), in: raw) }
            }
            #expect(error == expected)
        }
        #expect(try reassembler.takeMessage() == long)
    }

    @Test("Missing fragments are listed so they can be asked for again (PW-FRAG-11)")
    func missing() throws {
        let message = Message.unknown(UnknownMessage(typeCode: 0x60, payload: try BoundedArray([UInt8](repeating: 1, count: 1000))))
        let frames = splitFrames(try message.encodedFrames(sequence: 1))
        var reassembler = Reassembler()
        for index in [0, 2, 4] {
            _ = try withBytes(frames[index]) { (raw) throws(PumpWireError) in
                try reassembler.add(try FrameView.decode(raw, exactly: true), in: raw)
            }
        }
        #expect(Array(reassembler.missingFragments) == [1, 3])
        #expect(reassembler.isInProgress)
        #expect(caught { () throws(PumpWireError) in try reassembler.takeMessage() } == PumpWireError(.fragmentMissing, at: 236))
        #expect(reassembler.giveUp() == PumpWireError(.fragmentMissing, at: 236))
        #expect(!reassembler.isInProgress)
        #expect(reassembler.giveUp() == nil)
    }

    @Test("After completion the reassembler is empty; the same message can arrive again (PW-FRAG-13)")
    func reuseAfterCompletion() throws {
        let frames = splitFrames(try long.encodedFrames(sequence: 7))
        let (progress, message) = try reassemble(frames + frames)
        #expect(progress == [.accepted(missing: 1), .complete, .accepted(missing: 1), .complete])
        #expect(message == long)
    }

    @Test("Errors in a reassembled payload carry payload offsets (PW-FRAG-12)")
    func payloadOffsets() throws {
        var payload = rawPayload(Samples.prescription(steps: 48))
        payload[21 + 6 * 40] = 0xFF  // step 40's start minute: 0x..FF > 1439
        payload[21 + 6 * 40 + 1] = 0xFF
        let frames = [
            fragmentFrame(type: 0x02, index: 0, count: 2, total: UInt16(payload.count), data: Array(payload[0..<236])),
            fragmentFrame(type: 0x02, index: 1, count: 2, total: UInt16(payload.count), data: Array(payload[236...])),
        ]
        var reassembler = Reassembler()
        for frame in frames {
            _ = try withBytes(frame) { (raw) throws(PumpWireError) in try reassembler.add(try FrameView.decode(raw, exactly: true), in: raw) }
        }
        #expect(caught { () throws(PumpWireError) in try reassembler.takeMessage() } == PumpWireError(.fieldOutOfRange, at: 261))
    }

    @Test("A fragment frame re-encodes byte for byte, and a bad one is refused by the encoder")
    func fragmentFrameRoundTrip() throws {
        for bytes in splitFrames(try long.encodedFrames(sequence: 7)) {
            #expect(try Frame.decode(bytes).encoded() == bytes)
        }
        let bad = Frame(sequence: 1, content: .fragment(FragmentFrame(
            typeCode: 0x02, header: FragmentHeader(index: 0, count: 2, totalLength: 300), data: try BoundedArray([1, 2, 3]))))
        #expect(caught { () throws(PumpWireError) in try bad.encoded() } == PumpWireError(.fragmentSizeInvalid, at: 7))
    }
}
