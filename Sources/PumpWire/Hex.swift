/// Lowercase hex, the notation of spec/ and vectors/.
public enum Hex {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// "a5c3" from bytes.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, separator: String = "") -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            if !text.isEmpty { text += separator }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    /// Bytes from hex digits. Spaces, tabs, `:`, `-` and `_` between bytes are ignored, as is a
    /// leading `0x`; anything after `;` or `#` on a line is a comment (the hex-log rules of spec
    /// 14.2, read strictly: a broken line is an error, not skipped).
    public static func decode(_ text: String) throws(ParseError) -> [UInt8] {
        var decoder = HexLogDecoder()
        var bytes: [UInt8] = []
        var broken: Int?
        Array(text.utf8).withUnsafeBytes { raw in
            decoder.decode(raw, into: &bytes, outputBase: 0, lineBegins: { _, _ in }, fault: { broken = broken ?? $0 })
        }
        decoder.finish { broken = broken ?? $0 }
        if let broken {
            let line = text.split(separator: "\n", omittingEmptySubsequences: false)[broken - 1]
            throw ParseError(message: "line \(broken) is not hex digits in pairs: \"\(line.trimmingCharacters())\"")
        }
        return bytes
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
