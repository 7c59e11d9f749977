import Foundation
import PumpWireCore

/// Runs `body` on the bytes of `bytes`, keeping the typed error (Array's `withUnsafeBytes`
/// rethrows untyped).
@inline(__always)
func withBytes<R>(
    _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(PumpWireError) -> R
) throws(PumpWireError) -> R {
    try bytes.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> R in try body(raw) } }.get()
}

/// Runs `body` with a zeroed buffer of `capacity` bytes and returns what it wrote.
func writingBytes(
    capacity: Int, _ body: (UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Int
) throws(PumpWireError) -> [UInt8] {
    var output = [UInt8](repeating: 0, count: capacity)
    let count = try output.withUnsafeMutableBytes { raw in
        Result { () throws(PumpWireError) -> Int in try body(raw) }
    }.get()
    output.removeSubrange(count...)
    return output
}

extension Frame {
    /// Decodes exactly one frame (spec 4.2).
    public static func decode(_ bytes: [UInt8]) throws(PumpWireError) -> Frame {
        try withBytes(bytes) { (raw) throws(PumpWireError) in try Frame.decode(raw) }
    }

    public static func decode(_ data: Data) throws(PumpWireError) -> Frame {
        try decode([UInt8](data))
    }

    /// The frame's bytes.
    public func encoded() throws(PumpWireError) -> [UInt8] {
        try writingBytes(capacity: WireLimits.maxFrameSize) { (raw) throws(PumpWireError) in try encode(into: raw) }
    }
}

extension Frame {
    /// Where the header at the start of `bytes` puts the CRC field (spec 4.1), if the bytes reach
    /// it: for tools that damage frames on purpose (fuzzers, broken testees).
    public static func crcOffset(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= WireLimits.headerSize else { return nil }
        let authentication = bytes[4] & FrameFlags.authenticated.rawValue != 0 ? WireLimits.authenticationBlockSize : 0
        let offset = WireLimits.headerSize + (Int(bytes[7]) | Int(bytes[8]) << 8) + authentication
        return offset + WireLimits.crcSize <= bytes.count ? offset : nil
    }

    /// Writes `crc` of the bytes before the CRC field (the right CRC-16 by default) where the
    /// header puts it; leaves bytes too short to hold it alone.
    public static func setCRC(in bytes: inout [UInt8], using crc: ([UInt8]) -> UInt16 = { frame in
        frame.withUnsafeBytes { CRC16.checksum($0) }
    }) {
        guard let offset = crcOffset(in: bytes) else { return }
        let value = crc(Array(bytes[..<offset]))
        bytes[offset] = UInt8(truncatingIfNeeded: value)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }
}

extension Message {
    /// The message as one frame, or as its fragments back to back (PW-FRAG-1).
    public func encodedFrames(sequence: UInt16) throws(PumpWireError) -> [UInt8] {
        try writingBytes(capacity: FrameEncoder.encodedSize(of: self)) { (raw) throws(PumpWireError) in
            try FrameEncoder.encode(self, sequence: sequence, into: raw)
        }
    }

    /// The canonical payload alone.
    public func encodedPayload() throws(PumpWireError) -> [UInt8] {
        try writingBytes(capacity: WireLimits.maxMessagePayload) { (raw) throws(PumpWireError) in
            var writer = ByteWriter(raw)
            try encodePayload(into: &writer)
            return writer.count
        }
    }

    /// Decodes a reassembled payload; offsets count from payload byte 0 (PW-FRAG-12).
    public static func decode(typeCode: UInt8, payload: [UInt8]) throws(PumpWireError) -> Message {
        try withBytes(payload) { (raw) throws(PumpWireError) in
            try Message.decode(typeCode: typeCode, payload: raw, reportingOffset: 0)
        }
    }
}

extension BoundedArray where Element == UInt8 {
    /// Copies `bytes`, or throws TOO_MANY_ITEMS when they exceed the capacity.
    public init(_ bytes: [UInt8]) throws(PumpWireError) {
        self = try withBytes(bytes) { (raw) throws(PumpWireError) in try BoundedArray(copying: raw) }
    }

    public var bytes: [UInt8] { Array(self) }
}

extension BoundedArray {
    /// Builds from a Swift array, or throws TOO_MANY_ITEMS when it exceeds the capacity.
    public init(elements: [Element]) throws(PumpWireError) {
        self.init()
        for element in elements { try append(element) }
    }
}

extension BoundedText {
    /// Validates like a decoder (PW-ENC-8): 1 to `capacity` printable ASCII characters.
    public init(_ string: String) throws(PumpWireError) {
        self = try withBytes(Array(string.utf8)) { (raw) throws(PumpWireError) in try BoundedText(ascii: raw) }
    }

    public var string: String { String(decoding: Array(bytes), as: UTF8.self) }
}
