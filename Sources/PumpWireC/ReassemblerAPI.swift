import CPumpWire
import PumpWireCore

// Spec 5.3 and 5.4, over the core's Reassembler kept in the caller's `pw_reassembler`.

private func reassembler(_ storage: UnsafeMutablePointer<pw_reassembler>) -> UnsafeMutablePointer<Reassembler> {
    CStateStorage.state(storage, as: Reassembler.self)
}

@_cdecl("pw_reassembler_init")
public func pw_reassembler_init(_ storage: UnsafeMutablePointer<pw_reassembler>?) -> UInt16 {
    guard let storage, CStateStorage.fits(Reassembler.self, in: pw_reassembler.self) else { return ErrorCode.bufferTooSmall.rawValue }
    reassembler(storage).initialize(to: Reassembler())
    return 0
}

@_cdecl("pw_reassembler_add")
public func pw_reassembler_add(
    _ storage: UnsafeMutablePointer<pw_reassembler>?, _ frame: UnsafePointer<pw_frame>?,
    _ progress: UnsafeMutablePointer<UInt8>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let state = reassembler(try required(storage))
        let frame = try required(frame)
        try PumpWireError.check(frame.pointee.flags & CFrame.fragmentFlag != 0, .nonCanonical, at: 4)  // only fragments are reassembled
        let fragment = frame.pointee.fragment
        let header = FragmentHeader(index: fragment.index, count: fragment.count, totalLength: fragment.total_length)
        let dataLength = Int(fragment.data_length)
        try PumpWireError.check(dataLength <= WireLimits.fragmentDataSize, .fragmentSizeInvalid, at: 7)  // PW-FRAG-6
        let result = try withUnsafeBytes(of: &frame.pointee.fragment.data) { (data) throws(PumpWireError) -> ReassemblyProgress in
            try state.pointee.add(
                typeCode: fragment.message_type, sequence: frame.pointee.sequence, header: header,
                data: UnsafeRawBufferPointer(rebasing: data[0..<dataLength]))
        }
        let code: pw_reassembly_progress
        switch result {
        case .accepted: code = PW_REASSEMBLY_ACCEPTED
        case .duplicate: code = PW_REASSEMBLY_DUPLICATE
        case .complete: code = PW_REASSEMBLY_COMPLETE
        }
        progress?.pointee = UInt8(code.rawValue)
    }
}

@_cdecl("pw_reassembler_take_message")
public func pw_reassembler_take_message(
    _ storage: UnsafeMutablePointer<pw_reassembler>?, _ message: UnsafeMutablePointer<pw_message>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let state = reassembler(try required(storage))
        let message = try required(message)
        defer { state.pointee.reset() }  // PW-FRAG-13, whether or not the payload decodes
        guard let (type, _) = state.pointee.completedMessage else {
            throw state.pointee.giveUp() ?? PumpWireError(.fragmentMissing, at: 0)
        }
        try state.pointee.withCompletedPayload { (payload) throws(PumpWireError) in
            try CMessage.decode(type: type, payload: payload, reportingOffset: 0, into: message)  // PW-FRAG-12
        }
    }
}

@_cdecl("pw_reassembler_give_up")
public func pw_reassembler_give_up(
    _ storage: UnsafeMutablePointer<pw_reassembler>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        if let error = reassembler(try required(storage)).pointee.giveUp() { throw error }
    }
}

@_cdecl("pw_reassembler_in_progress")
public func pw_reassembler_in_progress(_ storage: UnsafePointer<pw_reassembler>?) -> Bool {
    guard let storage else { return false }
    return reassembler(UnsafeMutablePointer(mutating: storage)).pointee.isInProgress
}
