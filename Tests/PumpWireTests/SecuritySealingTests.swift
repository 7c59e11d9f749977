import Foundation
import PumpWire
import PumpWireSecurity
import PumpWireConformance
@testable import PumpWireCore
import Testing

/// Back-to-back frames, sealed or not, split by their headers.
func splitSealedFrames(_ bytes: [UInt8]) -> [[UInt8]] {
    var frames: [[UInt8]] = []
    var start = 0
    while start + WireLimits.headerSize <= bytes.count {
        let payload = Int(bytes[start + 7]) | Int(bytes[start + 8]) << 8
        let block = bytes[start + 4] & FrameFlags.authenticated.rawValue != 0 ? WireLimits.authenticationBlockSize : 0
        let end = start + WireLimits.headerSize + payload + block + WireLimits.crcSize
        frames.append(Array(bytes[start..<min(end, bytes.count)]))
        start = end
    }
    return frames
}

/// The frame with its CRC made right again, so that the seal, not the CRC, judges a change.
func withCRC(_ bytes: [UInt8]) -> [UInt8] {
    var bytes = bytes
    Frame.setCRC(in: &bytes)
    return bytes
}

enum SealingFixture {
    static let k1 = Bytes32(repeating: 0x11)
    static let k2 = Bytes32(repeating: 0x22)
    static let epoch: UInt8 = 7

    /// The programmer's (initiator's) and the pump's (responder's) channels of one session.
    static func channels(epoch: UInt8 = epoch, k1: Bytes32 = k1, k2: Bytes32 = k2)
        -> (programmer: SealedChannel<SwiftCryptoProvider>, pump: SealedChannel<SwiftCryptoProvider>) {
        (SealedChannel(role: .initiator, initiatorToResponder: k1, responderToInitiator: k2, sessionEpoch: epoch, provider: swiftCrypto),
         SealedChannel(role: .responder, initiatorToResponder: k1, responderToInitiator: k2, sessionEpoch: epoch, provider: swiftCrypto))
    }

    /// The prescription of spec 9.3, as its worked example's bytes.
    static let workedExample = WorkedExample.all.first { $0.name == "prescriptionBlock" }!.bytes
    static let workedFrame = try! Frame.decode(workedExample)
    static let eightSteps = Message.prescriptionBlock(Samples.prescription(steps: 8))
    static let fortyEightSteps = Message.prescriptionBlock(Samples.prescription(steps: 48))

    /// The worked example sealed by the programmer with frame counter `counter`.
    static func sealedExample(counter: UInt32 = 0, epoch: UInt8 = epoch) throws -> [UInt8] {
        var programmer = channels(epoch: epoch).programmer
        programmer.sending = SealedDirection(key: k1, sessionEpoch: epoch, nextFrameCounter: counter)
        return try programmer.sealed(workedFrame)
    }
}

@Suite("Sealed frames (spec/security.md section 7, PW-SEC-9 to PW-SEC-12)")
struct SecuritySealingTests {
    typealias F = SealingFixture

    @Test("The worked prescription of spec 9.3 sealed as PW-SEC-9 says, opened to the same frame")
    func workedExampleRoundTrip() throws {
        var (programmer, pump) = F.channels()
        let cleartext = F.workedExample
        let sealed = try programmer.sealed(F.workedFrame)
        let p = cleartext.count - 11
        #expect(sealed.count == cleartext.count + 20)
        // Header as built, with the AUTHENTICATED flag; payloadLength counts the plaintext.
        #expect(Array(sealed[0..<4]) == Array(cleartext[0..<4]) && sealed[4] == cleartext[4] | 0x02)
        #expect(Array(sealed[5..<9]) == Array(cleartext[5..<9]))
        #expect(Array(sealed[9..<(9 + p)]) != Array(cleartext[9..<(9 + p)]))
        // Block: frameCounter 0, sessionEpoch 7, then the tag.
        #expect(Array(sealed[(9 + p)..<(9 + p + 4)]) == [0, 0, 0, 7])
        // The layout checked with the bare primitive: nonce 4 zero bytes + u64 LE of the
        // freshness counter, the 9-byte header as associated data, the tag from the block.
        var text = Array(sealed[9..<(9 + p)])
        let opened = text.withUnsafeMutableBytes { textRaw in
            sealed.withUnsafeBytes { raw in
                swiftCrypto.aeadOpen(
                    key: F.k1, nonce: AEADNonce(counter: 7 << 24),
                    associatedData: UnsafeRawBufferPointer(rebasing: raw[0..<9]), text: textRaw,
                    tag: UnsafeRawBufferPointer(rebasing: raw[(9 + p + 4)..<(9 + p + 20)]))
            }
        }
        #expect(opened && text == Array(cleartext[9..<(9 + p)]))
        // The CRC is the last thing computed, over the sealed bytes.
        #expect(caught { () throws(PumpWireError) in try withBytes(sealed) { (raw) throws(PumpWireError) in try FrameView.decodeFrameLayer(raw, exactly: true) } } == nil)
        #expect(withCRC(sealed) == sealed)

        let frame = try pump.openedFrame(sealed)
        #expect(frame.content == F.workedFrame.content && frame.sequence == F.workedFrame.sequence)
        #expect(frame.authentication?.freshnessCounter == 7 << 24)
        #expect(pump.receiving.highestAccepted == 0 && programmer.sending.nextFrameCounter == 1)
        // The opened bytes are the cleartext frame the sender built, block included, CRC made anew.
        let (bytes, view) = try { var pump = F.channels().pump; return try pump.opened(sealed) }()
        #expect(try Frame(sequence: frame.sequence, authentication: frame.authentication, content: frame.content).encoded() == bytes)
        #expect(view.payloadRange == 9..<(9 + p) && view.length == sealed.count)

        // The next frame takes the next counter; the pump's answer is sealed with k2.
        let second = try programmer.sealed(F.eightSteps, sequence: 2)
        #expect(Array(second[(second.count - 22)..<(second.count - 18)]) == [1, 0, 0, 7])
        #expect(try pump.openedFrame(second).content == .message(F.eightSteps))
        let ack = Message.acknowledgement(Acknowledgement(acknowledgedType: 2, digest: 0xB7E2_AAD6))
        let answer = try pump.sealed(ack, sequence: 2)
        #expect(try programmer.openedFrame(answer).content == .message(ack))
    }

    @Test("A fragmented message: each fragment sealed with its own counter, opened, reassembled (PW-SEC-9)")
    func fragmentedRoundTrip() throws {
        var (programmer, pump) = F.channels()
        let message = F.fortyEightSteps
        let sealed = try programmer.sealed(message, sequence: 9)
        #expect(sealed.count == SealedChannel<SwiftCryptoProvider>.sealedSize(of: message))
        let frames = splitSealedFrames(sealed)
        #expect(frames.count == 2 && frames.map(\.count) == [9 + 240 + 22, 9 + 4 + 73 + 22])
        var reassembler = Reassembler()
        for (index, frame) in frames.enumerated() {
            #expect(frame[4] == 0x03)
            #expect(Array(frame[9..<13]) == [UInt8(index), 2, 0x35, 0x01])  // the fragment header stays clear
            let p = frame.count - 31
            #expect(Array(frame[(9 + p)..<(9 + p + 4)]) == [UInt8(index), 0, 0, 7])
            // Associated data: header and fragment header (13 bytes).
            var text = Array(frame[13..<(9 + p)])
            let opened = text.withUnsafeMutableBytes { textRaw in
                frame.withUnsafeBytes { raw in
                    swiftCrypto.aeadOpen(key: F.k1, nonce: AEADNonce(counter: UInt64(index) | 7 << 24),
                                         associatedData: UnsafeRawBufferPointer(rebasing: raw[0..<13]), text: textRaw,
                                         tag: UnsafeRawBufferPointer(rebasing: raw[(9 + p + 4)..<(9 + p + 20)]))
                }
            }
            #expect(opened)
            let (bytes, view) = try pump.opened(frame)
            #expect(view.fragment?.index == UInt8(index))
            let progress = try withBytes(bytes) { (raw) throws(PumpWireError) in try reassembler.add(view, in: raw) }
            #expect(progress == (index == 0 ? .accepted(missing: 1) : .complete))
        }
        #expect(try reassembler.takeMessage() == message)
        // The same fragments as the unsealed encoder writes them, but for the flag and the blocks.
        let plain = splitSealedFrames(try message.encodedFrames(sequence: 9))
        for (sealedFrame, plainFrame) in zip(frames, plain) {
            #expect(Array(sealedFrame[0..<4]) == Array(plainFrame[0..<4]) && Array(sealedFrame[5..<13]) == Array(plainFrame[5..<13]))
        }
    }

    @Test("A forged fragment is dropped before it reaches the reassembler; the genuine one completes it")
    func forgedFragment() throws {
        var (programmer, pump) = F.channels()
        let frames = splitSealedFrames(try programmer.sealed(F.fortyEightSteps, sequence: 9))
        var reassembler = Reassembler()
        let (first, view) = try pump.opened(frames[0])
        _ = try withBytes(first) { (raw) throws(PumpWireError) in try reassembler.add(view, in: raw) }
        var forged = frames[1]
        forged[20] ^= 0x01
        let p = forged.count - 31
        #expect(caught { () throws(PumpWireError) in try pump.opened(withCRC(forged)) } == PumpWireError(.authenticationFailed, at: 9 + p + 4))
        #expect(reassembler.isInProgress)
        let (second, secondView) = try pump.opened(frames[1])
        #expect(try withBytes(second) { (raw) throws(PumpWireError) in try reassembler.add(secondView, in: raw) } == .complete)
    }

    /// What PW-SEC-10 reports for a sealed frame changed in one place, after the frame layer:
    /// the frame layer's own error first (4.2 steps 1 to 9), then the seal's checks in order.
    static func expectedRejection(of bytes: [UInt8], epochOffset: Int, tagOffset: Int, changedByte: Int) -> PumpWireError {
        if let error = caught({ () throws(PumpWireError) in try withBytes(bytes) { (raw) throws(PumpWireError) in try FrameView.decodeFrameLayer(raw, exactly: true) } }) {
            return error
        }
        if bytes[4] & 0x02 == 0 { return PumpWireError(.notSealed, at: 4) }
        if let error = caught({ () throws(PumpWireError) in try withBytes(bytes) { (raw) throws(PumpWireError) in try FrameView.decode(raw, exactly: true) } }) {
            return error
        }
        if changedByte == epochOffset { return PumpWireError(.staleSession, at: epochOffset) }
        return PumpWireError(.authenticationFailed, at: tagOffset)
    }

    @Test("Every bit flip of header, payload and block is rejected, with the CRC made right (T3)",
          arguments: ["worked example", "first fragment", "last fragment"])
    func everyBitFlip(which: String) throws {
        var (programmer, _) = F.channels()
        let sealed: [UInt8] = switch which {
        case "worked example": try programmer.sealed(F.workedFrame)
        case "first fragment": splitSealedFrames(try programmer.sealed(F.fortyEightSteps))[0]
        default: splitSealedFrames(try programmer.sealed(F.fortyEightSteps))[1]
        }
        let p = sealed.count - 31
        let (epochOffset, tagOffset) = (9 + p + 3, 9 + p + 4)
        var authenticationFailures = 0
        for bit in 0..<((sealed.count - 2) * 8) {
            let byte = bit / 8
            var flipped = sealed
            flipped[byte] ^= 1 << (bit % 8)
            flipped = withCRC(flipped)
            var pump = F.channels().pump
            let error = caught { () throws(PumpWireError) in try pump.opened(flipped) }
            let expected: PumpWireError
            switch byte {
            case 3, 5, 6, 13..<(9 + p), (9 + p)..<(9 + p + 3), tagOffset..<(tagOffset + 16):
                // messageType, sequence, ciphertext, frameCounter (a fresh receiver), tag.
                expected = PumpWireError(.authenticationFailed, at: tagOffset)
            case epochOffset:
                expected = PumpWireError(.staleSession, at: epochOffset)
            case 9..<13 where p == 39:
                expected = PumpWireError(.authenticationFailed, at: tagOffset)  // the worked example's payload
            default:
                // Sync, version, flags, payloadLength, the fragment header: what the frame layer says,
                // or the seal when the frame layer finds nothing (the fragment header is associated data).
                expected = Self.expectedRejection(of: flipped, epochOffset: epochOffset, tagOffset: tagOffset, changedByte: byte)
            }
            #expect(error == expected, "\(which): byte \(byte) bit \(bit % 8)")
            if error?.code == .authenticationFailed { authenticationFailures += 1 }
            #expect(pump.receiving.highestAccepted == nil, "nothing recorded")
        }
        // Everything but sync, version, flags, length and (for fragments) the checked fragment
        // header fields reaches the tag check.
        #expect(authenticationFailures >= (3 + (p - (which == "worked example" ? 0 : 4)) + 3 + 16) * 8)
    }

    @Test("Counter bits flipped after frames 0 to 4: REPLAYED, COUNTER_ROLLBACK or the tag, at 9 + P (PW-SEC-10 4.)")
    func counterFlips() throws {
        let sealed = try F.sealedExample(counter: 5)
        let p = sealed.count - 31
        for bit in 0..<24 {
            var flipped = sealed
            flipped[9 + p + bit / 8] ^= 1 << (bit % 8)
            var pump = F.channels().pump
            pump.receiving = SealedDirection(key: F.k1, sessionEpoch: F.epoch, highestAccepted: 4)
            let counter = UInt32(5) ^ (1 << bit)
            let expected: PumpWireError = counter == 4 ? .init(.replayed, at: 9 + p)
                : counter < 4 ? .init(.counterRollback, at: 9 + p) : .init(.authenticationFailed, at: 9 + p + 4)
            #expect(caught { () throws(PumpWireError) in try pump.opened(withCRC(flipped)) } == expected, "bit \(bit)")
        }
    }

    @Test("A cut tag is TRUNCATED by the frame layer")
    func truncatedTag() throws {
        let sealed = try F.sealedExample()
        let p = sealed.count - 31
        for cut in 1...16 {
            var bytes = sealed
            bytes.removeSubrange((9 + p + 20 - cut)..<(9 + p + 20))
            var pump = F.channels().pump
            #expect(caught { () throws(PumpWireError) in try pump.opened(bytes) } == PumpWireError(.truncated, at: bytes.count))
        }
        var pump = F.channels().pump
        let noBlock = Array(sealed.prefix(9 + p))
        #expect(caught { () throws(PumpWireError) in try pump.opened(noBlock) } == PumpWireError(.truncated, at: 9 + p))
    }

    @Test("A frame reflected to its sender fails the tag: the other direction's key (T6)")
    func otherDirection() throws {
        var (programmer, pump) = F.channels()
        let fromProgrammer = try programmer.sealed(F.workedFrame)
        let p = fromProgrammer.count - 31
        #expect(caught { () throws(PumpWireError) in try programmer.opened(fromProgrammer) } == PumpWireError(.authenticationFailed, at: 9 + p + 4))
        let ack = Message.acknowledgement(Acknowledgement(acknowledgedType: 2, digest: 1))
        let fromPump = try pump.sealed(ack)
        #expect(caught { () throws(PumpWireError) in try pump.opened(fromPump) } == PumpWireError(.authenticationFailed, at: 9 + 5 + 4))
        // Each still opens where it was meant to.
        #expect(try pump.openedFrame(fromProgrammer).content == F.workedFrame.content)
        #expect(try programmer.openedFrame(fromPump).content == .message(ack))
    }

    @Test("The same frame twice is REPLAYED at 9 + P (T4)")
    func replay() throws {
        var (programmer, pump) = F.channels()
        let sealed = try programmer.sealed(F.workedFrame)
        let p = sealed.count - 31
        _ = try pump.opened(sealed)
        #expect(caught { () throws(PumpWireError) in try pump.opened(sealed) } == PumpWireError(.replayed, at: 9 + p))
        #expect(pump.receiving.highestAccepted == 0)
    }

    @Test("An older frame after a newer one is COUNTER_ROLLBACK; gaps are accepted (T7)")
    func rollbackAndGaps() throws {
        var (programmer, pump) = F.channels()
        let frames = try (0..<3).map { _ in try programmer.sealed(F.workedFrame) }
        let p = frames[0].count - 31
        _ = try pump.opened(frames[0])
        _ = try pump.opened(frames[2])  // frame 1 lost: a gap
        #expect(pump.receiving.highestAccepted == 2)
        #expect(caught { () throws(PumpWireError) in try pump.opened(frames[1]) } == PumpWireError(.counterRollback, at: 9 + p))
        #expect(caught { () throws(PumpWireError) in try pump.opened(frames[0]) } == PumpWireError(.counterRollback, at: 9 + p))
    }

    @Test("A frame of an earlier session is STALE_SESSION at 9 + P + 3; 256 sessions on, the tag fails (T5)")
    func earlierSession() throws {
        let old = try F.sealedExample(epoch: 6)
        let p = old.count - 31
        var pump = F.channels().pump
        #expect(caught { () throws(PumpWireError) in try pump.opened(old) } == PumpWireError(.staleSession, at: 9 + p + 3))
        // Same epoch, the keys of another session.
        var other = F.channels(k1: Bytes32(repeating: 0x33), k2: Bytes32(repeating: 0x44)).programmer
        let wrapped = try other.sealed(F.workedFrame)
        #expect(caught { () throws(PumpWireError) in try pump.opened(wrapped) } == PumpWireError(.authenticationFailed, at: 9 + p + 4))
        #expect(pump.receiving.highestAccepted == nil)
    }

    @Test("The checks run in the order of PW-SEC-10")
    func order() throws {
        let p = F.workedExample.count - 11
        var pump = F.channels().pump
        // 1. before all: an unsealed frame (even the cleartext of an acceptable one).
        #expect(caught { () throws(PumpWireError) in try pump.opened(F.workedExample) } == PumpWireError(.notSealed, at: 4))
        // The frame layer before 1.: an unsealed frame with a bad CRC.
        var badCRC = F.workedExample
        badCRC[badCRC.count - 1] ^= 1
        #expect(caught { () throws(PumpWireError) in try pump.opened(badCRC) } == PumpWireError(.badCRC, at: badCRC.count - 2))
        // 3. before 4.: stale and replayed.
        let first = try F.sealedExample(counter: 0)
        _ = try pump.opened(first)
        let staleReplay = try F.sealedExample(counter: 0, epoch: 8)
        #expect(caught { () throws(PumpWireError) in try pump.opened(staleReplay) } == PumpWireError(.staleSession, at: 9 + p + 3))
        // 4. before 5.: a replay with a broken tag.
        var brokenReplay = first
        brokenReplay[9 + p + 10] ^= 0xFF
        #expect(caught { () throws(PumpWireError) in try pump.opened(withCRC(brokenReplay)) } == PumpWireError(.replayed, at: 9 + p))
        // 2. before 3.: a fragment with a bad header in a stale frame.
        var programmer = F.channels(epoch: 8).programmer
        var fragment = splitSealedFrames(try programmer.sealed(F.fortyEightSteps))[0]
        fragment[10] = 1  // fragmentCount 1
        #expect(caught { () throws(PumpWireError) in try pump.opened(withCRC(fragment)) } == PumpWireError(.fragmentCountInvalid, at: 10))
    }

    @Test("A frame that fails is not recorded: the genuine frame with its counter still opens")
    func failureRecordsNothing() throws {
        let sealed = try F.sealedExample(counter: 3)
        var forged = sealed
        forged[12] ^= 0x80
        var pump = F.channels().pump
        #expect(caught { () throws(PumpWireError) in try pump.opened(withCRC(forged)) }?.code == .authenticationFailed)
        #expect(pump.receiving.highestAccepted == nil)
        #expect(try pump.openedFrame(sealed).content == F.workedFrame.content)
        #expect(pump.receiving.highestAccepted == 3)
    }

    @Test("After counter 0xffffff sealing is COUNTER_EXHAUSTED at 9 + P (PW-SEC-12, T13)")
    func counterExhaustion() throws {
        var (programmer, pump) = F.channels()
        programmer.sending = SealedDirection(key: F.k1, sessionEpoch: F.epoch, nextFrameCounter: 0xFF_FFFF)
        let last = try programmer.sealed(F.workedFrame)
        let p = last.count - 31
        #expect(Array(last[(9 + p)..<(9 + p + 4)]) == [0xFF, 0xFF, 0xFF, 7])
        #expect(programmer.sending.remainingFrameCounters == 0)
        #expect(caught { () throws(PumpWireError) in try programmer.sealed(F.workedFrame) } == PumpWireError(.counterExhausted, at: 9 + p))
        #expect(caught { () throws(PumpWireError) in try programmer.sealed(F.eightSteps) }
            == PumpWireError(.counterExhausted, at: 9 + F.eightSteps.payloadSize))
        pump.receiving = SealedDirection(key: F.k1, sessionEpoch: F.epoch, highestAccepted: 0xFF_FFFE)
        #expect(try pump.openedFrame(last).content == F.workedFrame.content)
        // A fragmented message needs a counter per fragment, and uses none if they are not all left.
        programmer.sending = SealedDirection(key: F.k1, sessionEpoch: F.epoch, nextFrameCounter: 0xFF_FFFF)
        #expect(caught { () throws(PumpWireError) in try programmer.sealed(F.fortyEightSteps) }
            == PumpWireError(.counterExhausted, at: 9 + 240))
        #expect(programmer.sending.remainingFrameCounters == 1)
        // In-place sealing of an encoded frame too.
        _ = try programmer.sealed(F.workedFrame)
        var frame = try Frame(sequence: 1, authentication: AuthenticationBlock(freshnessCounter: 0, tag: try BoundedArray([UInt8](repeating: 0, count: 16))),
                              content: F.workedFrame.content).encoded()
        #expect(caught { () throws(PumpWireError) in
            try frame.withUnsafeMutableBytes { raw in typed { () throws(PumpWireError) in try programmer.seal(frameIn: raw) } }.get()
        } == PumpWireError(.counterExhausted, at: 9 + p))
    }

    @Test("Sealing an encoded cleartext frame in place gives the same bytes; without the flag it is NOT_SEALED")
    func sealInPlace() throws {
        var (programmer, _) = F.channels()
        var twin = programmer
        var frame = try Frame(sequence: F.workedFrame.sequence,
                              authentication: AuthenticationBlock(freshnessCounter: 0xDEAD_BEEF, tag: try BoundedArray([UInt8](repeating: 0xAB, count: 16))),
                              content: F.workedFrame.content).encoded()
        frame += [0xEE, 0xEE]  // room after the frame is left alone
        let length = try frame.withUnsafeMutableBytes { raw in typed { () throws(PumpWireError) in try programmer.seal(frameIn: raw) } }.get()
        #expect(length == frame.count - 2 && frame.suffix(2) == [0xEE, 0xEE])
        #expect(Array(frame.prefix(length)) == (try twin.sealed(F.workedFrame)))
        var unsealed = F.workedExample
        #expect(caught { () throws(PumpWireError) in
            try unsealed.withUnsafeMutableBytes { raw in typed { () throws(PumpWireError) in try programmer.seal(frameIn: raw) } }.get()
        } == PumpWireError(.notSealed, at: 4))
    }

    @Test("A buffer too small for the opened frame is BUFFER_TOO_SMALL; erasing a channel erases its keys")
    func bufferAndErase() throws {
        var (programmer, pump) = F.channels()
        let sealed = try programmer.sealed(F.workedFrame)
        var small = [UInt8](repeating: 0, count: sealed.count - 1)
        let error = caught { () throws(PumpWireError) in
            try sealed.withUnsafeBytes { sealedRaw in
                small.withUnsafeMutableBytes { raw in typed { () throws(PumpWireError) in try pump.open(sealedRaw, into: raw) } }
            }.get()
        }
        #expect(error == PumpWireError(.bufferTooSmall, at: sealed.count - 1))
        pump.erase()
        #expect(pump.sending.key.isZero && pump.receiving.key.isZero)
    }

    @Test("Channels from a completed handshake seal and open both ways (PW-SEC-8)", arguments: [NoisePattern.kk, .xxpsk3])
    func fromHandshake(pattern: NoisePattern) throws {
        var (initiator, responder) = try pumpWireHandshake(pattern)
        _ = try complete(&initiator, &responder)
        var programmer = try SealedChannel(handshake: initiator, sessionEpoch: 7)
        var pump = try SealedChannel(handshake: responder, sessionEpoch: 7)
        #expect(programmer.sending.key == pump.receiving.key && programmer.receiving.key == pump.sending.key)
        #expect(try pump.openedFrame(try programmer.sealed(F.workedFrame)).content == F.workedFrame.content)
        let status = Message.pumpStatus(Samples.pumpStatus)
        #expect(try programmer.openedFrame(try pump.sealed(status, sequence: 1)).content == .message(status))
        initiator.erase()
        #expect(caught { () throws(PumpWireError) in try SealedChannel(handshake: try pumpWireHandshake(pattern).initiator, sessionEpoch: 0) }
            == PumpWireError(.handshakeOutOfOrder, at: 0xFFFF))
    }
}
