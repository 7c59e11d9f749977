import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: `SealedChannel` (spec/security.md section 7) over the fuzzing-only provider, with
/// the session's `k1` and epoch 2 of vectors/crypto/sessions.json.
/// Option byte: bit 0 set each frame's CRC right; bit 1 every tag verifies; bit 2 seal instead of
/// open; bits 3-4 the highest counter accepted before the first frame (none, 0, 5, 0xfffffe);
/// bit 5 set each frame's tag right (before its CRC), so that frames reach the checks after it.
/// Opening: the input is cut into frames at each sync word, opened in order by one channel.
/// Sealing: 3 bytes of first counter, a type, 2 bytes of sequence, then the payload.
@_cdecl("FuzzSealedFrame_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        let input = FuzzInput(data, size)
        if input.option & 4 != 0 { checkSeal(input) } else { checkOpen(input) }
        return 0
    }
}

let key = SecureFixtures.sessionK1
let epoch = SecureFixtures.sessionEpoch
let startingCounters: [UInt32?] = [nil, 0, 5, 0xFF_FFFE]

func channel(_ provider: FuzzingOnlyCryptoProvider, highest: UInt32?, next: UInt32 = 0) -> SealedChannel<FuzzingOnlyCryptoProvider> {
    SealedChannel(sending: SealedDirection(key: key, sessionEpoch: epoch, nextFrameCounter: next),
                  receiving: SealedDirection(key: key, sessionEpoch: epoch, highestAccepted: highest), provider: provider)
}

func checkOpen(_ input: FuzzInput) {
    let acceptsEveryTag = input.option & 2 != 0
    var receiver = channel(FuzzingOnlyCryptoProvider(acceptsEveryTag: acceptsEveryTag), highest: startingCounters[Int(input.option >> 3 & 3)])
    var accepted: [[UInt8]] = []
    for var frame in FuzzInput(option: input.option & ~1, bytes: input.bytes).frames {
        if input.option & 32 != 0 { SealedFrameOracle.setTag(in: &frame) }
        if input.fixCRC { Frame.setCRC(in: &frame) }
        let before = receiver.receiving.highestAccepted
        let expected = SealedFrameOracle.expectedOpen(frame, highest: before, epoch: epoch, acceptsEveryTag: acceptsEveryTag)
        var buffer = [UInt8](repeating: 0, count: frame.count)
        let result = open(&receiver, frame, into: &buffer)
        switch result {
        case .failure(let error):
            // PW-SEC-10: exactly the first check that fails, at the offset the spec gives.
            invariant(expected == error, "open: \(error), PW-SEC-10 says \(expected.map { "\($0)" } ?? "accepted")")
            invariant(receiver.receiving.highestAccepted == before, "a rejected frame moved the counter")
        case .success(let view):
            invariant(expected == nil, "open accepted a frame that PW-SEC-10 rejects with \(expected!)")
            let counter = frame[view.payloadRange.upperBound...].prefix(3).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
            // Counters only go up (PW-SEC-10 4.), and the one accepted is recorded.
            invariant(before.map { counter > $0 } ?? true, "counter \(counter) accepted after \(before!)")
            invariant(receiver.receiving.highestAccepted == counter, "the accepted counter is not recorded")
            checkResealed(Array(buffer[0..<view.length]), counter: counter, original: frame, tagChecked: !acceptsEveryTag)
            checkCleartext(Array(buffer[0..<view.length]))
            // A frame once accepted is never accepted again: the same bytes at once are REPLAYED.
            var again = [UInt8](repeating: 0, count: frame.count)
            let replay = open(&receiver, frame, into: &again)
            invariant(replay.failure == PumpWireError(.replayed, at: SealedFrame.frameCounterOffset(payloadLength: view.payloadRange.count)),
                         "a frame accepted twice in a row: \(replay)")
            accepted.append(frame)
        }
    }
    // Nor later, whatever came in between (PW-SEC-10 4.: REPLAYED or COUNTER_ROLLBACK).
    for frame in accepted {
        var buffer = [UInt8](repeating: 0, count: frame.count)
        let code = open(&receiver, frame, into: &buffer).failure?.code
        invariant(code == .replayed || code == .counterRollback, "an accepted frame was accepted again later: \(String(describing: code))")
    }
}

/// Re-sealing the opened cleartext at its counter gives the frame that came in (PW-SEC-9 is a
/// function of key, counter and cleartext); with every tag accepted the tag and CRC may differ.
func checkResealed(_ cleartext: [UInt8], counter: UInt32, original: [UInt8], tagChecked: Bool) {
    var sender = channel(FuzzingOnlyCryptoProvider(), highest: nil, next: counter)
    var bytes = cleartext
    let sealed = bytes.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) -> Int in try sender.seal(frameIn: raw) } }
    invariant((try? sealed.get()) == original.count, "the opened frame does not seal again: \(sealed)")
    let blockEnd = original.count - 2 - 16
    if tagChecked {
        invariant(bytes == original, "re-sealing the opened frame at its counter gives other bytes")
    } else {
        invariant(bytes[..<blockEnd] == original[..<blockEnd], "re-sealing the opened frame changes more than its tag")
    }
}

/// The cleartext decodes (4.2 step 10) or is rejected with a decoder code inside the frame.
func checkCleartext(_ cleartext: [UInt8]) {
    let decoded = cleartext.withUnsafeBytes { raw in
        Result { () throws(PumpWireError) -> Frame in try Frame(opened: try FrameView.decode(raw, exactly: true), in: raw) }
    }
    if case .failure(let error) = decoded {
        invariant(error.offset >= 0 && error.offset <= cleartext.count, "cleartext error offset outside the frame")
        invariant((1...63).contains(error.code.rawValue), "not a decoder code: \(error)")
    }
}

func open(_ channel: inout SealedChannel<FuzzingOnlyCryptoProvider>, _ frame: [UInt8], into buffer: inout [UInt8]) -> Result<FrameView, PumpWireError> {
    frame.withUnsafeBytes { sealed in
        buffer.withUnsafeMutableBytes { raw in
            Result { () throws(PumpWireError) -> FrameView in try channel.open(sealed, into: raw) }
        }
    }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
