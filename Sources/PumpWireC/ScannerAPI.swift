import CPumpWire
import PumpWireCore

// Spec 4.3: the core's FrameScanner kept in the caller's `pw_scanner`.

@_cdecl("pw_scanner_init")
public func pw_scanner_init(_ storage: UnsafeMutablePointer<pw_scanner>?, _ bytes: UnsafePointer<UInt8>?, _ length: Int) -> UInt16 {
    guard let storage, CStateStorage.fits(FrameScanner.self, in: pw_scanner.self) else { return ErrorCode.bufferTooSmall.rawValue }
    CStateStorage.initialize(storage, to: FrameScanner(inputBytes(bytes, cLength(length))))
    return 0
}

@_cdecl("pw_scanner_next")
public func pw_scanner_next(_ storage: UnsafeMutablePointer<pw_scanner>?, _ event: UnsafeMutablePointer<pw_scan_event>?) -> Bool {
    // A struct pw_scanner_init never prepared has no stream to read: the end.
    guard let storage, let event,
          let next = CStateStorage.withState(storage, as: FrameScanner.self, { $0.pointee.next() }) ?? nil
    else { return false }
    zero(event)
    switch next {
    case .frame(let view, let start):
        event.pointee.kind = UInt8(PW_SCAN_FRAME.rawValue)
        event.pointee.start = start
        event.pointee.length = view.length
    case .rejected(let error, let start):
        event.pointee.kind = UInt8(PW_SCAN_REJECTED.rawValue)
        event.pointee.start = start
        event.pointee.error_code = error.code.rawValue
        event.pointee.error_offset = UInt32(truncatingIfNeeded: error.offset)
    }
    return true
}

@_cdecl("pw_scanner_resynchronize")
public func pw_scanner_resynchronize(_ storage: UnsafeMutablePointer<pw_scanner>?, _ start: Int) {
    guard let storage else { return }
    // size_t arrives as Int: one above Int.max (SIZE_MAX among them) arrives negative, and is as
    // far past the end as any (PW-FRAME-10: no size traps, and "skip everything" ends).
    let offset = start < 0 ? Int.max : start
    _ = CStateStorage.withState(storage, as: FrameScanner.self) { $0.pointee.resynchronize(afterFrameAt: offset) }
}
