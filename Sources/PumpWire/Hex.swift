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

    /// Bytes from hex digits. Spaces, tabs, `:` and `-` between bytes are ignored, as is a
    /// leading `0x`; anything after `;` or `#` on a line is a comment.
    public static func decode(_ text: String) throws(ParseError) -> [UInt8] {
        var bytes: [UInt8] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var content = Substring(line)
            if let cut = content.firstIndex(where: { $0 == ";" || $0 == "#" }) { content = content[..<cut] }
            var digits = content.filter { !" \t:-_".contains($0) }
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits.removeFirst(2) }
            guard digits.count % 2 == 0 else {
                throw ParseError(message: "odd number of hex digits in \"\(line.trimmingCharacters())\"")
            }
            var high: UInt8?
            for character in digits {
                guard let value = character.hexDigitValue else {
                    throw ParseError(message: "\"\(character)\" is not a hex digit")
                }
                if let h = high {
                    bytes.append(h << 4 | UInt8(value))
                    high = nil
                } else {
                    high = UInt8(value)
                }
            }
        }
        return bytes
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
