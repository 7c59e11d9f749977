import CPumpWire
import PumpWireCore

/// A C struct of pumpwire.h that mirrors a payload's layout field for field (spec section 9).
///
/// `read` fills the struct from a payload that the Swift decoder has already accepted, so it
/// meets only valid bytes; `write` puts the struct's fields on the wire as they are, and the
/// caller then decodes what was written, so that every check and every error offset is the
/// decoder's own (PW-ENC-5) and this file holds nothing but the layout.
protocol CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError)
    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError)
}

extension ByteReader {
    mutating func readBytes(into destination: UnsafeMutableRawBufferPointer) throws(PumpWireError) {
        let source = try readBytes(count: destination.count)
        destination.copyMemory(from: source)
    }
}

extension ByteWriter {
    /// Writes a count field and refuses a count above the struct's capacity with the error a
    /// decoder reports for it, at the count's offset, before any element is read from the struct.
    mutating func writeCount(_ count: UInt8, capacity: Int, _ code: ErrorCode, payloadStart: Int) throws(PumpWireError) {
        let offset = self.count - payloadStart
        try writeUInt8(count)
        try PumpWireError.check(Int(count) <= capacity, code, at: offset)
    }
}
