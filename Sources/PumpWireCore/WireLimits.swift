/// The numbers of spec Appendix A. Every length or count read from the wire is checked
/// against one of these before it sizes a loop or a copy.
public enum WireLimits {
    public static let syncByte0: UInt8 = 0xA5
    public static let syncByte1: UInt8 = 0xC3
    public static let version: UInt8 = 1
    public static let headerSize = 9
    public static let maxFramePayload = 240
    public static let authenticationBlockSize = 20
    public static let crcSize = 2
    public static let maxFrameSize = headerSize + maxFramePayload + authenticationBlockSize + crcSize
    public static let fragmentHeaderSize = 4
    public static let fragmentDataSize = maxFramePayload - fragmentHeaderSize
    public static let maxMessagePayload = 1024
    public static let maxFragments = 5
    /// The longest payload of a catalogue message (section 9): a prescription of 48 steps,
    /// 21 + 48 × 6 bytes. A bound for stack scratch; the tests check every message against it.
    public static let largestMessagePayload = 309
    public static let maxDaySteps = 48
    public static let maxPeriodicBoluses = 8
    public static let maxTextLength = 16
    public static let chunkHeaderSize = 22
    public static let chunkDataSize = maxFramePayload - chunkHeaderSize
    public static let maxDumpLength = 1_048_576
    public static let maxChunkCount = (maxDumpLength + chunkDataSize - 1) / chunkDataSize
    public static let minutesPerDay: UInt16 = 1440
    /// Pump clock value meaning "never" or "not set" (PW-UNIT-1).
    public static let never: UInt32 = 0xFFFF_FFFF
}
