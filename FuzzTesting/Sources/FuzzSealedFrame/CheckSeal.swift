import FuzzSupport
import PumpWire
import PumpWireCore

/// Sealing any message at any counter (PW-SEC-9, PW-SEC-12): its frames carry consecutive
/// counters, read as sealed frames without keys (PW-SEC-1), open in order to the message, and
/// seal the same again; past counter 0xffffff nothing is sealed and no counter is used.
func checkSeal(_ input: FuzzInput) {
    guard input.bytes.count >= 6 else { return }
    let first = UInt32(input.bytes[0]) | UInt32(input.bytes[1]) << 8 | UInt32(input.bytes[2]) << 16
    let sequence = UInt16(input.bytes[4]) | UInt16(input.bytes[5]) << 8
    let payload = Array(input.bytes[6...].prefix(WireLimits.maxMessagePayload))
    let message = (try? Message.decode(typeCode: input.bytes[3], payload: payload))
        ?? .unknown(UnknownMessage(typeCode: 0x7E, payload: try! BoundedArray(payload)))  // 0x7e: unregistered, carried as it is

    var sender = channel(FuzzingOnlyCryptoProvider(), highest: nil, next: first)
    var buffer = [UInt8](repeating: 0, count: SealedChannel<FuzzingOnlyCryptoProvider>.sealedSize(of: message))
    let sealed = buffer.withUnsafeMutableBytes { raw in
        Result { () throws(PumpWireError) -> Int in try sender.seal(message, sequence: sequence, into: raw) }
    }
    let needed = message.payloadSize <= WireLimits.maxFramePayload ? 1 : FragmentHeader.fragmentCount(forPayloadLength: message.payloadSize)
    guard case .success(let length) = sealed else {
        // PW-SEC-12: no frame after 0xffffff, and the counter is left as it was.
        invariant(sealed.failure?.code == .counterExhausted && UInt64(first) + UInt64(needed) > 0x100_0000,
                     "sealing a valid message failed: \(sealed)")
        invariant(sender.sending.nextFrameCounter == first, "a refused seal used a counter")
        return
    }
    invariant(length == buffer.count, "sealedSize \(buffer.count) but \(length) written")
    invariant(sender.sending.nextFrameCounter == first + UInt32(needed), "\(needed) frames did not take \(needed) counters")

    // The same message at the same counter seals to the same bytes.
    var again = channel(FuzzingOnlyCryptoProvider(), highest: nil, next: first)
    var second = [UInt8](repeating: 0, count: buffer.count)
    _ = second.withUnsafeMutableBytes { raw in Result { () throws(PumpWireError) -> Int in try again.seal(message, sequence: sequence, into: raw) } }
    invariant(second == buffer, "sealing is not a function of key, counter and message")

    var receiver = channel(FuzzingOnlyCryptoProvider(), highest: first == 0 ? nil : first - 1)
    var reassembler = Reassembler()
    var opened: Message?
    let frames = StreamDecoder.frames(in: buffer)  // by length: a transparent ciphertext may hold the sync word
    invariant(frames.count == needed, "\(frames.count) frames for \(needed)")
    for (index, frame) in frames.enumerated() {
        // PW-SEC-1: without keys, a sealed frame that re-encodes to itself.
        guard let envelope = try? Frame.decode(frame), envelope.isSealed, (try? envelope.encoded()) == frame else {
            fatalError("a sealed frame is not read back as sealed without keys")
        }
        invariant(SealedFrameOracle.freshnessCounter(frame) == (first + UInt32(index)) | UInt32(epoch) << 24, "frame \(index) has the wrong counter")
        var clear = [UInt8](repeating: 0, count: frame.count)
        guard case .success(let view) = open(&receiver, frame, into: &clear) else { fatalError("a frame just sealed does not open") }
        let bytes = Array(clear[0..<view.length])
        let outcome = bytes.withUnsafeBytes { raw in
            Result { () throws(PumpWireError) -> Message? in
                let view = try FrameView.decode(raw, exactly: true)
                if view.fragment == nil { return try view.message(in: raw) }
                return try reassembler.add(view, in: raw) == .complete ? try reassembler.takeMessage() : nil
            }
        }
        guard case .success(let message) = outcome else { fatalError("an opened frame does not decode: \(outcome)") }
        if let message { opened = message }
    }
    invariant(opened == message, "the frames opened do not give the message sealed")
}
