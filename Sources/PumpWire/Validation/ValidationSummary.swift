import PumpWireCore

/// The counts a validator's summary gives (spec 14.3; informative).
public struct ValidationSummary: Equatable, Sendable {
    public var format: CaptureFormat
    /// Bytes of the file read.
    public var fileBytes = 0
    /// Packets of a capture file, numbered as Wireshark numbers them (PW-CAP-2): the number of
    /// the last record reached, whether read or not (another link type, a Custom Block).
    public var packets = 0
    /// Of those, the packets of link type 147 read.
    public var packetsRead = 0
    /// Frames that passed the frame checks, by message type code (payload errors included).
    public var framesByType = [Int](repeating: 0, count: 256)
    public var rejectedFrames = 0
    public var noiseRuns = 0
    public var reassembledMessages = 0
    /// Frames with the AUTHENTICATED flag that passed the frame checks, and of those the frames
    /// opened with the session's keys (spec/security.md 14.3).
    public var sealedFrames = 0
    public var openedFrames = 0
    public var findingsByCode: [UInt16: Int] = [:]

    public init(format: CaptureFormat) {
        self.format = format
    }

    public var frames: Int { framesByType.reduce(0, +) }
    public var findings: Int { findingsByCode.values.reduce(0, +) }

    /// (type code, count) for the types seen, in type-code order.
    public var typeCounts: [(typeCode: UInt8, count: Int)] {
        framesByType.indices.filter { framesByType[$0] > 0 }.map { (UInt8($0), framesByType[$0]) }
    }
}
