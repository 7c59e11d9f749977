import CPumpWire
import PumpWireCore

// Spec 4.3: the core's FrameScanner kept in the caller's `pw_scanner`.

private func scanner(_ storage: UnsafeMutablePointer<pw_scanner>) -> UnsafeMutablePointer<FrameScanner> {
    CStateStorage.state(storage, as: FrameScanner.self)
}

@_cdecl("pw_scanner_init")
public func pw_scanner_init(_ storage: UnsafeMutablePointer<pw_scanner>?, _ bytes: UnsafePointer<UInt8>?, _ length: Int) -> UInt16 {
    guard let storage, CStateStorage.fits(FrameScanner.self, in: pw_scanner.self) else { return ErrorCode.bufferTooSmall.rawValue }
    scanner(storage).initialize(to: FrameScanner(inputBytes(bytes, cLength(length))))
    return 0
}

@_cdecl("pw_scanner_next")
public func pw_scanner_next(_ storage: UnsafeMutablePointer<pw_scanner>?, _ event: UnsafeMutablePointer<pw_scan_event>?) -> Bool {
    guard let storage, let event, let next = scanner(storage).pointee.next() else { return false }
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
    scanner(storage).pointee.resynchronize(afterFrameAt: cLength(start))
}
