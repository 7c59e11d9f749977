import PumpWireCore

/// The field of spec 4.1 that a frame offset falls in, named as the spec and the Wireshark
/// dissector name it: what a message about a rejected frame points at.
public enum FrameField {
    /// `frameStart` holds the frame's first bytes as received (as many as there are); nil when only
    /// the offset is known.
    public static func name(at offset: Int, frameStart: UnsafeRawBufferPointer?) -> String? {
        switch offset {
        case 0, 1: return "sync"
        case 2: return "version"
        case 3: return "messageType"
        case 4: return "flags"
        case 5, 6: return "sequence"
        case 7, 8: return "payloadLength"
        default: break
        }
        guard offset >= 0, let bytes = frameStart, bytes.count >= WireLimits.headerSize else { return nil }
        let payloadLength = Int(bytes[7]) | Int(bytes[8]) << 8
        let authenticated = FrameFlags(rawValue: bytes[4]).contains(.authenticated)
        let payloadEnd = WireLimits.headerSize + payloadLength
        let authenticationEnd = payloadEnd + (authenticated ? WireLimits.authenticationBlockSize : 0)
        switch offset {
        case ..<payloadEnd:
            let name = MessageRegistry.name(of: bytes[3])
            return "payload byte \(offset - WireLimits.headerSize) of \(name)"
        case ..<authenticationEnd: return "authentication"
        case ..<(authenticationEnd + 2): return "crc"
        default: return nil
        }
    }
}
