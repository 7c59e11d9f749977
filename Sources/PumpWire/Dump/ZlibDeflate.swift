import CZlib

/// zlib compression, for the pump's side of a `zlib` transfer (spec 13.1): one zlib stream,
/// deflate with a 32 KiB window and no preset dictionary (PW-DUMP-12).
public enum ZlibDeflate {
    /// The image compressed at `level` (0 to 9).
    public static func compress(_ bytes: [UInt8], level: Int32 = Z_BEST_COMPRESSION) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), level)
            }
        }
        precondition(status == Z_OK, "compress2 cannot fail with a compressBound buffer: \(status)")
        output.removeSubrange(Int(capacity)...)
        return output
    }
}
