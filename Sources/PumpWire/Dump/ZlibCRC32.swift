import CZlib
import Foundation

/// zlib's `crc32`: the host's CRC-32, the same function as the core's pure-Swift `CRC32`
/// (spec section 3); the tests check the two agree.
public enum ZlibCRC32 {
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = crc32(0, nil, 0)
        var rest = bytes
        // zlib takes a 32-bit length; feed larger buffers in pieces.
        while !rest.isEmpty {
            let piece = min(rest.count, Int(UInt32.max))
            crc = crc32(crc, rest.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(piece))
            rest = UnsafeRawBufferPointer(rebasing: rest[piece...])
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    public static func checksum(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { checksum($0) }
    }
}
