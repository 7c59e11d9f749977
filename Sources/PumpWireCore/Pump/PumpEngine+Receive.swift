/// Frames as a pump without the security layer receives them (spec/behaviour.md section 7,
/// PW-ERR-2, PW-ERR-3 of `pumpwire-v1.md`), and requests that reach the therapy some other way.
extension PumpEngine {
    /// One frame's bytes received at the clock now. A frame that fails 4.2 steps 1 to 8 is dropped
    /// (PW-ERR-2), so is a sealed frame (section 7: this pump cannot check it); a fragment goes to
    /// reassembly; a bad fragment header, payload or reassembled message is refused with its
    /// error (PW-ERR-2), a type the pump does not implement with UNKNOWN_MESSAGE_TYPE (PW-ERR-3).
    /// `send` is called with each answer frame, in order.
    public mutating func receive(_ frame: UnsafeRawBufferPointer, send: (UnsafeRawBufferPointer) -> Void) {
        func emit(_ answer: UnsafeMutableRawBufferPointer) { send(UnsafeRawBufferPointer(answer)) }
        guard let view = try? FrameView.decodeFrameLayer(frame, exactly: true) else { return }  // PW-ERR-2
        guard !view.flags.contains(.authenticated) else { return }  // section 7: dropped unanswered
        let type = view.messageType
        guard view.flags.contains(.fragment) else {
            answer(type: type, sequence: view.sequence, payload: view.payload(in: frame), reportingOffset: FrameView.payloadOffset,
                   fieldOffset: 0, sealed: false, keep: true, emit)
            return
        }
        let header: FragmentHeader
        do {
            header = try FragmentHeader.read(fromFramePayload: view.payload(in: frame))  // 4.2 step 9
        } catch {
            Self.refuse(type: type, sequence: view.sequence, error, emit)
            return
        }
        let data = view.fragmentData(in: frame)
        var progress: ReassemblyProgress
        do {
            progress = try reassembler.add(typeCode: type, sequence: view.sequence, header: header, data: data)
        } catch where error.code == .fragmentInterleaved {
            // 5.4: the message in progress is abandoned for the new one (ENGINE-QUESTIONS Q1).
            reassembler.reset()
            guard let retried = try? reassembler.add(typeCode: type, sequence: view.sequence, header: header, data: data) else { return }
            progress = retried
        } catch {
            Self.refuse(type: type, sequence: view.sequence, error, emit)  // PW-FRAG-9
            return
        }
        guard progress == .complete else { return }  // PW-FRAG-8: a duplicate is ignored
        answerReassembled(type: type, sequence: view.sequence, emit)
    }

    /// PW-ERR-2: a `negativeAcknowledgement` with the error's code and offset.
    static func refuse(type: UInt8, sequence: UInt16, _ error: PumpWireError, _ emit: (UnsafeMutableRawBufferPointer) -> Void) {
        AnswerFrame.emit(.refusal(of: type, error.code, offset: error.offset), sequence: sequence, sealed: false, emit)
    }

    /// The message the reassembler completed, checked with payload offsets (PW-FRAG-12). A request
    /// that passes is at most 309 bytes (a prescription of 48 steps): it is executed from a copy
    /// on the stack, as the reassembler's buffer is part of the pump that the request changes.
    @inline(never)  // the copy stays out of the caller's frame
    mutating func answerReassembled(type: UInt8, sequence: UInt16, _ emit: (UnsafeMutableRawBufferPointer) -> Void) {
        var copy = InlineArray<309, UInt8>(repeating: 0)  // WireLimits.largestMessagePayload
        var length = 0
        let check = reassembler.withCompletedPayload { (payload) -> RequestCheck in
            let check = Self.check(type: type, payload: payload, reportingOffset: 0)
            if case .request = check, payload.count <= copy.count {
                for i in 0..<payload.count { copy[i] = payload[i] }
                length = payload.count
            }
            return check
        }
        reassembler.reset()  // PW-FRAG-13
        var span = copy.mutableSpan
        span.withUnsafeMutableBytes { (bytes) in
            answer(check, type: type, sequence: sequence, payload: UnsafeRawBufferPointer(rebasing: bytes[0..<length]),
                   fieldOffset: 0, sealed: false, keep: true, emit)
        }
    }

    /// A request that already decoded at the frame layer and came out of `SecurePump`'s step 8
    /// (PW-SEC-21, PW-PUMP-26): its type, `sequence`, and message payload after the `commandId`.
    /// `payloadOffset` is where that payload starts in the request as sent: 4 after a `commandId`
    /// (PW-SEC-13), so that a refusal naming a field gives its offset there (PW-NAK-2). PW-PUMP-20
    /// does not apply: repeated commands are the security layer's business (PW-SEC-14).
    public mutating func handle(
        messageType: UInt8, sequence: UInt16, payload: UnsafeRawBufferPointer, payloadOffset: Int = 0,
        send: (UnsafeRawBufferPointer) -> Void
    ) {
        func emit(_ answer: UnsafeMutableRawBufferPointer) { send(UnsafeRawBufferPointer(answer)) }
        handle(messageType: messageType, sequence: sequence, payload: payload, payloadOffset: payloadOffset, sealed: false, emit)
    }

    /// As `handle(messageType:sequence:payload:payloadOffset:send:)`; with `sealed`, each answer is
    /// laid out with the AUTHENTICATED flag and an empty block, for `emit` to seal in place.
    @inline(never)  // a check of a request stays out of the caller's frame
    mutating func handle(
        messageType: UInt8, sequence: UInt16, payload: UnsafeRawBufferPointer, payloadOffset: Int, sealed: Bool,
        _ emit: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        answer(type: messageType, sequence: sequence, payload: payload, reportingOffset: payloadOffset, fieldOffset: payloadOffset,
               sealed: sealed, keep: false, emit)
    }
}
