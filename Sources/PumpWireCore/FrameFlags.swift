/// The `flags` byte of the frame header (spec 4.1); bits 2 to 7 are reserved (PW-FRAME-4).
/// A plain bit set rather than an OptionSet: OptionSet needs the heap in Embedded Swift.
public struct FrameFlags: Equatable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The payload is one fragment of a larger message (section 5).
    public static let fragment = FrameFlags(rawValue: 1 << 0)
    /// An authentication block follows the payload (section 6).
    public static let authenticated = FrameFlags(rawValue: 1 << 1)

    public static let none = FrameFlags(rawValue: 0)
    public static let defined = FrameFlags(rawValue: 0x03)

    public func contains(_ other: FrameFlags) -> Bool { rawValue & other.rawValue == other.rawValue }
    public func isSubset(of other: FrameFlags) -> Bool { rawValue & ~other.rawValue == 0 }
    public mutating func insert(_ other: FrameFlags) { rawValue |= other.rawValue }
}
