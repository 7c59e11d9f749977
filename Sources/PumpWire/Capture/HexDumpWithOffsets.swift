/// Hex dumps with offsets (spec 14.2): the text of `xxd`, `xxd -g1`, `xxd -c N`, `hexdump -C`,
/// `od -A x -t x1z`, `od -t x1`, `od -A d -t x1` and text2pcap's input. Each line is an offset,
/// the bytes before it in the dump (hexadecimal, octal or decimal: the sequence of offsets tells
/// which), then the line's bytes, two hex digits each, then perhaps a text column (after spaces in
/// xxd, between `|` in hexdump -C, between `>` and `<` in od), which is not data. A line's byte
/// count follows from the next line's offset; the last line's from its text column, whose width is
/// the byte count. A line `*` repeats the line before it up to the next offset. A lone offset ends
/// the dump; an offset of 0 starts another (text2pcap's next packet), whose bytes go on in the
/// stream.
///
/// The decoder holds one line of text and the line before it, whose bytes wait for the next
/// offset: a dump of any size is read in bounded memory.
public struct HexDumpDecoder {
    /// The current line, from 1.
    public private(set) var line = 1
    /// Lines broken so far.
    public private(set) var faults = 0

    /// The longest line read; a longer one is broken (no dump writes such lines).
    static let maxLineLength = 8192
    /// The most bytes a line and its `*` stand for; more is broken.
    static let maxRepeat = 1 << 32

    struct Pending {
        var line: Int
        var offset: [UInt8]
        var body: [UInt8]
        var repeatLine: Int?
        /// The offset the line should have had, when it has another: it is broken, and the next
        /// line's offset may count from either.
        var expected: [UInt8: Int] = [:]
    }

    private var text: [UInt8] = []
    private var lineTooLong = false
    private var pending: Pending?
    /// The first line with an offset has been read.
    private var sawFirstLine = false
    /// The radixes the offsets so far agree with: bits of `Radix`.
    private var radixes: UInt8 = Radix.all
    /// The text columns the lines so far agree with: bits of `Column`.
    private var columns: UInt8 = Column.all
    /// The bytes of a full line, once known (for `*`).
    private var lineWidth: Int?
    /// Whether the first offset ended with `:` (xxd).
    private var colonOffsets = false
    /// Bytes of a `*` still to be written, and the line they repeat.
    private var repeatBytes: [UInt8] = []
    private var repeatsLeft = 0

    // What the sniff (PW-CAP-4) looks at.
    /// Offsets after the first that counted the bytes before them.
    private(set) var matchedOffsets = 0
    /// The widest group of digits seen in a line's bytes (2 for one byte a group).
    private(set) var widestGroup = 0
    /// A text column showed a printable byte where it was expected.
    private(set) var printableConfirmed = false
    /// A text column did not show the line's bytes in order.
    private(set) var columnContradicted = false
    /// Read for the sniff: groups of words and text columns that contradict are noted, not faults.
    var lenient = false

    public init() {}

    enum Radix {
        static let hex: UInt8 = 1, octal: UInt8 = 2, decimal: UInt8 = 4, all: UInt8 = 7
        static let each: [(bit: UInt8, base: Int)] = [(hex, 16), (octal, 8), (decimal, 10)]
    }

    enum Column {
        static let none: UInt8 = 1, bars: UInt8 = 2, angles: UInt8 = 4, plain: UInt8 = 8, all: UInt8 = 15
    }

    /// Appends the bytes of `text` to `output`, whose first byte is at stream offset `outputBase`,
    /// and returns how many bytes of `text` were read: all of them, unless `output` reached
    /// `limit` first (a `*` can stand for many bytes); then call again with the rest once
    /// `output` is passed on. Calls `lineBegins` before a line's first byte, `fault` for a broken line.
    public mutating func decode(
        _ text: UnsafeRawBufferPointer, into output: inout [UInt8], outputBase: Int, limit: Int = .max,
        lineBegins: (_ line: Int, _ offset: Int) -> Void, fault: (_ line: Int) -> Void
    ) -> Int {
        withoutActuallyEscaping(lineBegins) { lineBegins in
            withoutActuallyEscaping(fault) { fault in
                var sink = Sink(output: output, base: outputBase, lineBegins: lineBegins, fault: fault)
                output = []
                defer { output = sink.output }
                guard drainRepeats(&sink, limit: limit) else { return 0 }
                var index = 0
                while index < text.count {
                    let character = text[index]
                    index += 1
                    if character == 0x0A {
                        endLine(&sink)
                        line += 1
                        if !drainRepeats(&sink, limit: limit) || sink.output.count >= limit { return index }
                    } else if self.text.count < Self.maxLineLength {
                        self.text.append(character)
                    } else {
                        lineTooLong = true
                    }
                }
                return index
            }
        }
    }

    /// The end of the text: the last line's bytes, told by its text column. Call `decode` with
    /// `limit` until it has read all the text first, and after this, while `isRepeating`, with no
    /// text: a last line's `*` may stand for gigabytes, written `limit` bytes at a time.
    public mutating func finish(
        into output: inout [UInt8], outputBase: Int, limit: Int = .max, lineBegins: (_ line: Int, _ offset: Int) -> Void,
        fault: (_ line: Int) -> Void
    ) {
        withoutActuallyEscaping(lineBegins) { lineBegins in
            withoutActuallyEscaping(fault) { fault in
                var sink = Sink(output: output, base: outputBase, lineBegins: lineBegins, fault: fault)
                output = []
                defer { output = sink.output }
                if !text.isEmpty || lineTooLong { endLine(&sink) }
                if let last = pending {
                    pending = nil
                    if let repeated = last.repeatLine { report(repeated, &sink) }  // `*` with no offset after it
                    else { emitLast(last, &sink) }
                }
                _ = drainRepeats(&sink, limit: limit)
            }
        }
    }

    /// Whether bytes of a `*` are still to be written (`decode` stopped at its `limit`).
    public var isRepeating: Bool { repeatsLeft > 0 }

    struct Sink {
        var output: [UInt8]
        var base: Int
        let lineBegins: (_ line: Int, _ offset: Int) -> Void
        let fault: (_ line: Int) -> Void
        var offset: Int { base + output.count }
    }

    private mutating func report(_ line: Int, _ sink: inout Sink) {
        faults += 1
        sink.fault(line)
    }

    private mutating func drainRepeats(_ sink: inout Sink, limit: Int) -> Bool {
        while repeatsLeft > 0 {
            if sink.output.count >= limit { return false }
            sink.output += repeatBytes
            repeatsLeft -= 1
        }
        return true
    }

    // MARK: Lines

    private mutating func endLine(_ sink: inout Sink) {
        defer { text.removeAll(keepingCapacity: true); lineTooLong = false }
        if lineTooLong { return report(line, &sink) }
        var chars = text[...]
        if chars.last == 0x0D { chars = chars.dropLast() }
        guard let first = chars.firstIndex(where: { !Self.isSpace($0) }) else { return }  // a blank line
        if chars[first] == UInt8(ascii: "*"), chars[(first + 1)...].allSatisfy(Self.isSpace) {
            guard pending != nil, pending?.repeatLine == nil else { return report(line, &sink) }
            pending?.repeatLine = line
            return
        }
        var index = chars.startIndex
        while index < chars.endIndex, Self.digitValue(chars[index]) != nil { index += 1 }
        let offset = Array(chars[chars.startIndex..<index])
        var colon = false
        if index < chars.endIndex, chars[index] == UInt8(ascii: ":") { colon = true; index += 1 }
        guard !offset.isEmpty, offset.count <= 15, index == chars.endIndex || Self.isSpace(chars[index]) else {
            return report(line, &sink)
        }
        let body = Array(chars[index...])
        let isZero = offset.allSatisfy { $0 == UInt8(ascii: "0") }
        let isLone = body.allSatisfy(Self.isSpace)
        if !sawFirstLine {
            sawFirstLine = true
            colonOffsets = colon
        }
        guard let before = pending else {
            // A dump begins at offset 0.
            guard isZero else { return report(line, &sink) }
            if !isLone { pending = Pending(line: line, offset: offset, body: body) }
            return
        }
        if isZero {
            // Another dump (text2pcap's next packet): the line before is the last of its dump.
            pending = nil
            if let repeated = before.repeatLine { report(repeated, &sink) } else { emitLast(before, &sink) }
            pending = isLone ? nil : Pending(line: line, offset: offset, body: body)
            return
        }
        pending = nil
        let expected = resolve(before, nextOffset: offset, &sink)
        if !isLone { pending = Pending(line: line, offset: offset, body: body, expected: expected) }
    }

    /// The bytes of `line`, now that the next offset tells how many. When that offset does not
    /// count them, returns the offset it should have been, in each radix still possible.
    private mutating func resolve(_ line: Pending, nextOffset: [UInt8], _ sink: inout Sink) -> [UInt8: Int] {
        struct Reading { var radix: UInt8; var count: Int; var repeats: Int; var split: Split }
        var readings: [Reading] = []
        for (bit, base) in Radix.each where radixes & bit != 0 {
            guard let written = Self.value(line.offset, base: base), let end = Self.value(nextOffset, base: base) else { continue }
            for start in [written] + (line.expected[bit].map { [$0] } ?? []) where end > start {
                if line.repeatLine != nil {
                    guard end - start <= Self.maxRepeat, let width = lineWidth ?? onlyWidth(line.body), (end - start) % width == 0,
                          let split = split(line.body, count: width), split.columns & columns != 0 else { continue }
                    readings.append(Reading(radix: bit, count: width, repeats: (end - start) / width, split: split))
                } else {
                    guard let split = split(line.body, count: end - start), split.columns & columns != 0 else { continue }
                    readings.append(Reading(radix: bit, count: end - start, repeats: 1, split: split))
                }
                break
            }
        }
        guard let reading = readings.first,
              readings.allSatisfy({ $0.count == reading.count && $0.repeats == reading.repeats }) else {
            // The offset does not count the bytes of the line before (or two radixes read it as
            // different counts). If that line tells its own bytes by its text column, it keeps
            // them and the offset is broken; else that line is.
            guard line.repeatLine == nil, let width = onlyWidth(line.body), let split = split(line.body, count: width) else {
                report(line.repeatLine ?? line.line, &sink)
                return [:]
            }
            report(self.line, &sink)
            emit(line, split, repeats: 1, &sink)
            var expected: [UInt8: Int] = [:]
            for (bit, base) in Radix.each where radixes & bit != 0 {
                if let start = line.expected[bit] ?? Self.value(line.offset, base: base) { expected[bit] = start + width }
            }
            return expected
        }
        radixes = readings.reduce(0) { $0 | $1.radix }
        columns &= reading.split.columns
        matchedOffsets += 1
        if lineWidth == nil { lineWidth = reading.count }
        emit(line, reading.split, repeats: reading.repeats, &sink)
        return [:]
    }

    /// The last line of a dump: its bytes told by its text column.
    private mutating func emitLast(_ line: Pending, _ sink: inout Sink) {
        guard let width = onlyWidth(line.body), let split = split(line.body, count: width) else {
            return report(line.line, &sink)  // no reading, or more than one
        }
        emit(line, split, repeats: 1, &sink)
    }

    private mutating func emit(_ line: Pending, _ split: Split, repeats: Int, _ sink: inout Sink) {
        widestGroup = max(widestGroup, split.widest)
        if split.printable { printableConfirmed = true }
        if !split.columnAgrees { columnContradicted = true }
        // Words in the machine's byte order (od -x, hexdump), or a text column that shows other bytes.
        if !lenient && (split.wideGroups && !colonOffsets || !split.columnAgrees) { return report(line.line, &sink) }
        sink.lineBegins(line.line, sink.offset)
        sink.output += split.bytes
        if let repeated = line.repeatLine, repeats > 1, !lenient {
            sink.lineBegins(repeated, sink.offset)
            repeatBytes = split.bytes
            repeatsLeft = repeats - 1
        }
    }

    /// The one byte count the line's text column allows (with the columns still possible), or nil.
    /// Only counts that end at the end of a group of digits are tried, and only those whose rest
    /// of the line could be a text column of that width.
    private func onlyWidth(_ body: [UInt8]) -> Int? {
        var trimmedEnd = body.count
        while trimmedEnd > 0, Self.isSpace(body[trimmedEnd - 1]) { trimmedEnd -= 1 }
        var found: Int?
        var index = 0, digits = 0
        while true {
            while index < body.count, Self.isSpace(body[index]) { index += 1 }
            let runStart = index
            while index < body.count, Self.digitValue(body[index]) != nil { index += 1 }
            let run = index - runStart
            guard run > 0, index == body.count || Self.isSpace(body[index]) else { break }
            digits += run
            guard digits % 2 == 0 else { continue }
            let count = digits / 2
            var next = index
            while next < body.count, Self.isSpace(body[next]) { next += 1 }
            let couldFit = next == body.count || (next > index && (next >= body.count - count || trimmedEnd - next == count + 2))
            guard couldFit, let split = split(body, count: count), split.columns & columns != 0 else { continue }
            if found != nil { return nil }
            found = count
        }
        return found
    }

    struct Split {
        var bytes: [UInt8]
        /// The text columns the rest of the line fits: bits of `Column`.
        var columns: UInt8
        var widest: Int
        var wideGroups: Bool { widest > 2 }
        var columnAgrees: Bool
        var printable: Bool
    }

    /// The line read as `count` bytes, then a text column of `count` characters (or none).
    private func split(_ body: [UInt8], count: Int) -> Split? {
        guard count > 0, count <= body.count / 2 else { return nil }  // never more bytes than digits
        var index = 0, digits = 0, widest = 0
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var high: UInt8?
        while digits < 2 * count {
            while index < body.count, Self.isSpace(body[index]) { index += 1 }
            let runStart = index
            while index < body.count, let value = Self.digitValue(body[index]) {
                if let first = high { bytes.append(first << 4 | value); high = nil } else { high = value }
                index += 1
            }
            let run = index - runStart
            guard run > 0, run % 2 == 0, index == body.count || Self.isSpace(body[index]) else { return nil }
            digits += run
            widest = max(widest, run)
        }
        guard digits == 2 * count else { return nil }
        let rest = body[index...]
        var columns: UInt8 = 0
        var agrees = true, printable = false
        func check(_ column: ArraySlice<UInt8>) -> Bool {
            var ok = true
            for (byte, shown) in zip(bytes, column) {
                let isPrintable = byte >= 0x20 && byte < 0x7F
                if isPrintable && shown == byte { printable = true }
                if shown != (isPrintable ? byte : UInt8(ascii: ".")) { ok = false }
            }
            return ok
        }
        var sawColumn = false, anyColumnAgrees = false
        if rest.allSatisfy(Self.isSpace) { columns |= Column.none }
        let leading = rest.prefix { Self.isSpace($0) }.count
        if leading > 0 {
            var trimmed = rest.dropFirst(leading)
            while let last = trimmed.last, Self.isSpace(last), trimmed.count > count + 2 { trimmed = trimmed.dropLast() }
            for (open, close, bit) in [(UInt8(ascii: "|"), UInt8(ascii: "|"), Column.bars), (UInt8(ascii: ">"), UInt8(ascii: "<"), Column.angles)]
            where trimmed.count == count + 2 && trimmed.first == open && trimmed.last == close {
                columns |= bit
                sawColumn = true
                if check(trimmed.dropFirst().dropLast()) { anyColumnAgrees = true }
            }
            if rest.count >= count + 1, rest.dropLast(count).allSatisfy(Self.isSpace) {
                columns |= Column.plain
                sawColumn = true
                if check(rest.suffix(count)) { anyColumnAgrees = true }
            }
        }
        if sawColumn && !anyColumnAgrees && columns & Column.none == 0 { agrees = false }
        guard columns != 0 else { return nil }
        return Split(bytes: bytes, columns: columns, widest: widest, columnAgrees: agrees, printable: printable)
    }

    static func isSpace(_ character: UInt8) -> Bool { character == 0x20 || character == 0x09 }

    static func digitValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// An offset's value in `base`, or nil if it has a digit that base lacks.
    static func value(_ digits: [UInt8], base: Int) -> Int? {
        var value = 0
        for character in digits {
            guard let digit = digitValue(character), Int(digit) < base else { return nil }
            value = value * base + Int(digit)
        }
        return value
    }
}

extension HexDumpDecoder {
    enum Sniffed: Equatable {
        case notADump
        case dump
        case refused(InputRefusal)
    }

    /// PW-CAP-4: whether `text` (whole lines; `isWhole` when it is all of the input) is a hex dump
    /// with offsets. Its first line must begin with an offset 0 of at least 4 digits, and a later
    /// offset must count the bytes before it (so that no hex log is taken for a dump), unless the
    /// input is one line whose text column tells its bytes and that is not hex-log text.
    static func sniff(_ text: UnsafeRawBufferPointer, isWhole: Bool) -> Sniffed {
        guard startsLikeDump(text) else { return .notADump }
        var decoder = HexDumpDecoder()
        decoder.lenient = true
        var output: [UInt8] = []
        _ = decoder.decode(text, into: &output, outputBase: 0, lineBegins: { _, _ in }, fault: { _ in })
        if isWhole { decoder.finish(into: &output, outputBase: 0, lineBegins: { _, _ in }, fault: { _ in }) }
        let isHexLog = HexLog.isHexLogText(text)
        guard decoder.matchedOffsets > 0 || (isWhole && decoder.faults == 0 && !output.isEmpty && !isHexLog) else {
            return isHexLog ? .notADump : .refused(.brokenDump)
        }
        if decoder.widestGroup > 2 && !decoder.colonOffsets { return .refused(.wordDump) }
        if decoder.columnContradicted {
            return .refused(decoder.widestGroup > 2 ? .littleEndianDump : .brokenDump)
        }
        if decoder.widestGroup >= 8 && !decoder.printableConfirmed { return .refused(.unconfirmedGroups) }
        if decoder.faults > 0 { return isHexLog ? .notADump : .refused(.brokenDump) }
        return .dump
    }

    /// An offset 0 of at least 4 digits (then `:` or a space), then a hex digit.
    static func startsLikeDump(_ text: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < text.count, text[index] == UInt8(ascii: "0") { index += 1 }
        guard index >= 4, index < text.count else { return false }
        if text[index] == UInt8(ascii: ":") { index += 1 }
        guard index < text.count, isSpace(text[index]) else { return false }
        while index < text.count, isSpace(text[index]) { index += 1 }
        return index < text.count && digitValue(text[index]) != nil
    }
}
