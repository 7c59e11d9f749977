import CPumpWire
import PumpWireCore

// Spec 5.3 and 5.4, over the core's Reassembler kept in the caller's `pw_reassembler`.

/// The reassembler in `storage`, for `body`; a NULL pointer or a struct pw_reassembler_init never
/// prepared is BUFFER_TOO_SMALL at 0, as for any unusable struct (pumpwire.h).
private func withReassembler<R>(
    _ storage: UnsafeMutablePointer<pw_reassembler>?, _ body: (UnsafeMutablePointer<Reassembler>) throws(PumpWireError) -> R
) throws(PumpWireError) -> R {
    let result = try CStateStorage.withState(try required(storage), as: Reassembler.self, body)
    guard let result else { throw PumpWireError(.bufferTooSmall, at: 0) }
    return result
}

@_cdecl("pw_reassembler_init")
public func pw_reassembler_init(_ storage: UnsafeMutablePointer<pw_reassembler>?) -> UInt16 {
    guard let storage, CStateStorage.fits(Reassembler.self, in: pw_reassembler.self) else { return ErrorCode.bufferTooSmall.rawValue }
    CStateStorage.initialize(storage, to: Reassembler())
    return 0
}

@_cdecl("pw_reassembler_add")
public func pw_reassembler_add(
    _ storage: UnsafeMutablePointer<pw_reassembler>?, _ frame: UnsafePointer<pw_frame>?,
    _ progress: UnsafeMutablePointer<UInt8>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let frame = try required(frame)
        let result = try withReassembler(storage) { (state) throws(PumpWireError) -> ReassemblyProgress in
            // Only fragments are reassembled, and a sealed one not without keys (PW-AUTH-3).
            try PumpWireError.check(
                frame.pointee.flags & (CFrame.fragmentFlag | CFrame.authenticatedFlag) == CFrame.fragmentFlag, .nonCanonical, at: 4)
            let fragment = withUnsafeMutablePointer(to: &frame.pointee.fragment) { $0 }
            let header = FragmentHeader(index: fragment.pointee.index, count: fragment.pointee.count, totalLength: fragment.pointee.total_length)
            let dataLength = Int(fragment.pointee.data_length)
            try PumpWireError.check(dataLength <= WireLimits.fragmentDataSize, .fragmentSizeInvalid, at: 7)  // PW-FRAG-6
            let data = withUnsafeMutablePointer(to: &fragment.pointee.data) { cBytes($0, count: dataLength) }
            return try state.pointee.add(
                typeCode: fragment.pointee.message_type, sequence: frame.pointee.sequence, header: header,
                data: UnsafeRawBufferPointer(data))
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
        let message = try required(message)
        try withReassembler(storage) { (state) throws(PumpWireError) in
            defer { state.pointee.reset() }  // PW-FRAG-13, whether or not the payload decodes
            guard let (type, _) = state.pointee.completedMessage else {
                throw state.pointee.giveUp() ?? PumpWireError(.fragmentMissing, at: 0)
            }
            try state.pointee.withCompletedPayload { (payload) throws(PumpWireError) in
                try CMessage.decode(type: type, payload: payload, reportingOffset: 0, into: message)  // PW-FRAG-12
            }
        }
    }
}

@_cdecl("pw_reassembler_give_up")
public func pw_reassembler_give_up(
    _ storage: UnsafeMutablePointer<pw_reassembler>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try withReassembler(storage) { (state) throws(PumpWireError) in
            if let error = state.pointee.giveUp() { throw error }
        }
    }
}

@_cdecl("pw_reassembler_in_progress")
public func pw_reassembler_in_progress(_ storage: UnsafePointer<pw_reassembler>?) -> Bool {
    guard let storage, let state = CStateStorage.readState(storage, as: Reassembler.self) else { return false }
    return state.pointee.isInProgress
}
