/// Hex logs (spec 14.2): lines of hex digits, two a byte, with separators and comments.
/// `pumpwire decode` reads them whole with `Hex.decode`; a capture reader reads them as a stream.
public enum HexLog {
    /// Text of hex digits, separators and comments only (PW-CAP-4).
    public static func isHexLogText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var inComment = false
        for byte in bytes {
            switch byte {
            case 0x0A, 0x0D: inComment = false
            case _ where inComment: guard byte >= 0x20 && byte != 0x7F || byte == 0x09 else { return false }
            case UInt8(ascii: "#"), UInt8(ascii: ";"): inComment = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: "x"), UInt8(ascii: "X"),
                UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default: return false
            }
        }
        return true
    }

    public static func isHexLogText(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { isHexLogText($0) }
    }
}

/// Turns a hex log into its byte stream a piece at a time, in bounded memory (spec 14.2). A line
/// that breaks the rules is reported once; the bytes before its fault are kept, the rest of the
/// line is skipped.
public struct HexLogDecoder {
    /// The current line, from 1.
    public private(set) var line = 1
    private var inComment = false
    private var skippingFaultyLine = false
    private var pendingNibble: UInt8?
    /// Hex digits (and a prefix `x`) seen on this line, to recognise a leading `0x`.
    private var charactersOnLine = 0
    private var lineAnnounced = false

    public init() {}

    /// Appends the bytes of `text` to `output`; `output`'s first byte is at stream offset
    /// `outputBase`. Calls `lineBegins` before a line's first byte and `fault` for a broken line.
    public mutating func decode(
        _ text: UnsafeRawBufferPointer, into output: inout [UInt8], outputBase: Int,
        lineBegins: (_ line: Int, _ offset: Int) -> Void, fault: (_ line: Int) -> Void
    ) {
        for character in text {
            let kind = Self.classes[Int(character)]
            if kind == Self.newline || kind == Self.carriageReturn {
                if pendingNibble != nil && !skippingFaultyLine && !inComment { fault(line) }  // odd digit count
                if kind == Self.newline { line += 1; lineAnnounced = false }
                inComment = false
                skippingFaultyLine = false
                pendingNibble = nil
                charactersOnLine = 0
                continue
            }
            if inComment || skippingFaultyLine { continue }
            switch kind {
            case Self.separator:
                continue
            case Self.comment:
                if pendingNibble != nil { fault(line); skippingFaultyLine = true } else { inComment = true }
            case Self.prefixX where charactersOnLine == 1 && pendingNibble == 0:
                pendingNibble = nil  // a leading 0x
                charactersOnLine = 2
            case 0..<16:
                charactersOnLine += 1
                if let high = pendingNibble {
                    if !lineAnnounced {
                        lineBegins(line, outputBase + output.count)
                        lineAnnounced = true
                    }
                    output.append(high << 4 | kind)
                    pendingNibble = nil
                } else {
                    pendingNibble = kind
                }
            default:
                fault(line)
                skippingFaultyLine = true
            }
        }
    }

    /// The end of the text: a last line with an odd number of digits is broken.
    public mutating func finish(fault: (_ line: Int) -> Void) {
        if pendingNibble != nil && !skippingFaultyLine && !inComment { fault(line) }
        pendingNibble = nil
    }

    private static let separator: UInt8 = 16
    private static let comment: UInt8 = 17
    private static let newline: UInt8 = 18
    private static let carriageReturn: UInt8 = 19
    private static let prefixX: UInt8 = 20
    private static let other: UInt8 = 21

    /// Each byte's class: its digit value, or one of the constants above.
    private static let classes: [UInt8] = (0...255).map { byte -> UInt8 in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(byte) - UInt8(ascii: "A") + 10
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"): separator
        case UInt8(ascii: "#"), UInt8(ascii: ";"): comment
        case 0x0A: newline
        case 0x0D: carriageReturn
        case UInt8(ascii: "x"), UInt8(ascii: "X"): prefixX
        default: other
        }
    }
}
