/// Problems of a capture file, codes 80 to 95 of spec section 10 (PW-CAP-3, 14.2).
public enum CaptureProblem: UInt16, CaseIterable, Sendable {
    case captureTruncated = 80
    case captureMalformed = 81
    case packetTruncated = 82
    case linkTypeUnsupported = 83

    public var specName: String {
        switch self {
        case .captureTruncated: "CAPTURE_TRUNCATED"
        case .captureMalformed: "CAPTURE_MALFORMED"
        case .packetTruncated: "PACKET_TRUNCATED"
        case .linkTypeUnsupported: "LINK_TYPE_UNSUPPORTED"
        }
    }
}
