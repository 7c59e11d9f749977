/// Why an input is not read, and what to do about it (PW-CAP-4): text in UTF-16 or UTF-32, a hex
/// dump of words in the byte order of the machine that wrote it, a dump whose offsets do not
/// count its bytes. `reason` says what the input looks like, `hint` how to give it in a form
/// that is read.
public struct InputRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public var hint: String

    public init(reason: String, hint: String) {
        self.reason = reason
        self.hint = hint
    }

    public var description: String { "\(reason); \(hint)" }
}

/// What the first bytes of an input tell (PW-CAP-4): the form to read it as, or why it is not read.
public enum CaptureSniff: Equatable, Sendable {
    case form(CaptureFormat)
    case refused(InputRefusal)

    /// The form, or nil when refused.
    public var format: CaptureFormat? {
        if case .form(let format) = self { format } else { nil }
    }
}

extension InputRefusal {
    static func utf16(_ magic: String) -> InputRefusal {
        InputRefusal(reason: "UTF-16 text (it starts with the byte-order mark \(magic))",
                     hint: "convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.txt")
    }

    static func utf32(_ magic: String) -> InputRefusal {
        InputRefusal(reason: "UTF-32 text (it starts with the byte-order mark \(magic))",
                     hint: "convert it to UTF-8 first, e.g. iconv -f UTF-32 -t UTF-8 FILE > FILE.txt")
    }

    static let byteDumpHint = "dump the bytes one by one instead: xxd -g1, xxd -p, od -An -tx1 or hexdump -C"

    static let wordDump = InputRefusal(
        reason: "a hex dump of 16-bit words (od -x or hexdump without -C), whose byte order depends on the machine that wrote it",
        hint: byteDumpHint)

    static let littleEndianDump = InputRefusal(
        reason: "a hex dump whose groups of bytes are written in reverse order (xxd -e), as its text column shows",
        hint: byteDumpHint)

    static let unconfirmedGroups = InputRefusal(
        reason: "a hex dump of 4-byte groups (xxd -g4 or xxd -e) whose byte order its text column does not show",
        hint: byteDumpHint)

    static let brokenDump = InputRefusal(
        reason: "text that starts like a hex dump with offsets, but whose offsets do not count the bytes of its lines, "
            + "or whose bytes cannot be told from its text column",
        hint: "dump the file with xxd -g1 or xxd -p, or give --input-format hexdump to read it line by line")
}
