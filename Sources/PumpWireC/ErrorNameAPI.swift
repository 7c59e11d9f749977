import CPumpWire
import PumpWireCore

/// The spec's name of a code (section 10), as a constant NUL-terminated C string.
@_cdecl("pw_error_name")
public func pw_error_name(_ code: UInt16) -> UnsafePointer<CChar>? {
    let name: StaticString
    if let known = ErrorCode(rawValue: code) {
        name = known.specName
    } else {
        // Capture codes (section 14) belong to host validators, not to the core's ErrorCode.
        switch code {
        case 0: name = "OK"
        case 80: name = "CAPTURE_TRUNCATED"
        case 81: name = "CAPTURE_MALFORMED"
        case 82: name = "PACKET_TRUNCATED"
        case 83: name = "LINK_TYPE_UNSUPPORTED"
        default: name = "UNKNOWN"
        }
    }
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}
