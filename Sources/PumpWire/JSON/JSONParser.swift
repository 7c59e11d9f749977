/// Reads JSON text (RFC 8259) into a `JSONValue`, keeping key order and telling integers from
/// everything else (the corpus and the JSON views hold integers only, PW-JSON-2). An object that
/// repeats a key is refused: its meaning would depend on the reader (spec section 12).
public struct JSONParseError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The byte of the text where the problem was found.
    public var offset: Int
    public var message: String
    /// Where in the value the problem is, `$.message.steps[3]` style (spec section 12).
    public var path: String
    /// The key an object repeats, when that is the problem (the text is JSON, but not a view).
    public var duplicateKey: String?

    public init(offset: Int, message: String, path: String = "$", duplicateKey: String? = nil) {
        self.offset = offset
        self.message = message
        self.path = path
        self.duplicateKey = duplicateKey
    }

    public var description: String { "JSON error at byte \(offset) (\(path)): \(message)" }
}

extension JSONValue {
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses `bytes`; a number that is not an integer of 64 bits is refused (PW-JSON-2).
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try JSONNode.parse(bytes).jsonValue()
    }
}

/// One parsed JSON value with where it was written: what the strict reader of the JSON view
/// (spec section 12) works on. Numbers keep their text, so that any JSON number, of any size, is
/// read and then judged against the field it is for.
struct JSONNode: Sendable {
    enum Kind: Sendable {
        case null
        case bool(Bool)
        /// The number as written; `isInteger` when it has no fraction and no exponent.
        case number(String, isInteger: Bool)
        case string(String)
        case array([JSONNode])
        case object([(key: String, value: JSONNode)])
    }

    var kind: Kind
    /// The byte of the text where the value starts.
    var offset: Int

    /// Parses a whole text: one value, with only whitespace around it.
    static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONNode {
        var parser = JSONTextParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.position < bytes.count else { throw parser.error("no JSON value: the text is empty") }
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("text after the JSON value") }
        return value
    }

    /// What the value is, for messages: "a string", "an integer"...
    var kindName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number(_, let isInteger): isInteger ? "an integer" : "a number with a fraction or exponent"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as a `JSONValue`: integers of 64 bits only (PW-JSON-2).
    func jsonValue(path: [JSONPathComponent] = []) throws(JSONParseError) -> JSONValue {
        switch kind {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let text, let isInteger):
            guard isInteger else {
                throw JSONParseError(offset: offset, message: "only integers are allowed (PW-JSON-2)", path: JSONPath.render(path))
            }
            guard let value = Int64(text) else {
                throw JSONParseError(offset: offset, message: "\(text) does not fit in 64 bits", path: JSONPath.render(path))
            }
            return .integer(value)
        case .string(let value): return .string(value)
        case .array(let items):
            var values: [JSONValue] = []
            for (index, item) in items.enumerated() { values.append(try item.jsonValue(path: path + [.index(index)])) }
            return .array(values)
        case .object(let members):
            var values: [(String, JSONValue)] = []
            for member in members { values.append((member.key, try member.value.jsonValue(path: path + [.key(member.key)]))) }
            return .object(values)
        }
    }
}

/// One step of a JSON path.
enum JSONPathComponent: Equatable, Sendable {
    case key(String)
    case index(Int)
}

/// JSON paths as the messages show them: `$`, `$[2].message.steps[3].startMinute`.
public enum JSONPath {
    static func render(_ components: [JSONPathComponent]) -> String {
        var text = "$"
        for component in components {
            switch component {
            case .key(let key): text += isPlainName(key) ? ".\(key)" : "[\(JSONValue.quoted(key))]"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The path of a coding path: keys with an integer value are array indexes.
    public static func render(_ codingPath: [any CodingKey]) -> String {
        render(codingPath.map { key in key.intValue.map(JSONPathComponent.index) ?? .key(key.stringValue) })
    }

    private static func isPlainName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

private struct JSONTextParser {
    let bytes: [UInt8]
    var position = 0
    /// Where the value being read is, for messages.
    var path: [JSONPathComponent] = []
    static let maxDepth = 64

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(offset: position, message: message, path: JSONPath.render(path))
    }

    /// "unexpected end of the text" or "unexpected character 'x'", at the current byte.
    func unexpected(_ expected: String) -> JSONParseError {
        guard position < bytes.count else { return error("the text ends where \(expected) was expected") }
        return error("\(describe(bytes[position])) where \(expected) was expected")
    }

    func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(Hex.encode([byte]))"
    }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func expect(_ literal: String) throws(JSONParseError) {
        let start = position
        for byte in literal.utf8 {
            guard position < bytes.count, bytes[position] == byte else {
                position = start
                throw unexpected("\(literal)")
            }
            position += 1
        }
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONNode {
        guard depth < Self.maxDepth else { throw error("nested more than \(Self.maxDepth) deep") }
        skipWhitespace()
        guard position < bytes.count else { throw unexpected("a value") }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var members: [(key: String, value: JSONNode)] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return JSONNode(kind: .object(members), offset: start)
            }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw unexpected("a key in quotes") }
                let keyOffset = position
                let key = try string()
                if members.contains(where: { $0.key == key }) {
                    position = keyOffset
                    var duplicate = error("duplicate key \(JSONValue.quoted(key))")
                    duplicate.duplicateKey = key
                    throw duplicate
                }
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw unexpected("':'") }
                position += 1
                path.append(.key(key))
                members.append((key, try value(depth: depth + 1)))
                path.removeLast()
                skipWhitespace()
                guard position < bytes.count else { throw unexpected("',' or '}'") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "}") else { throw unexpected("',' or '}'") }
                position += 1
                return JSONNode(kind: .object(members), offset: start)
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [JSONNode] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return JSONNode(kind: .array(items), offset: start)
            }
            while true {
                path.append(.index(items.count))
                items.append(try value(depth: depth + 1))
                path.removeLast()
                skipWhitespace()
                guard position < bytes.count else { throw unexpected("',' or ']'") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "]") else { throw unexpected("',' or ']'") }
                position += 1
                return JSONNode(kind: .array(items), offset: start)
            }
        case UInt8(ascii: "\""): return JSONNode(kind: .string(try string()), offset: start)
        case UInt8(ascii: "t"): try expect("true"); return JSONNode(kind: .bool(true), offset: start)
        case UInt8(ascii: "f"): try expect("false"); return JSONNode(kind: .bool(false), offset: start)
        case UInt8(ascii: "n"): try expect("null"); return JSONNode(kind: .null, offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw unexpected("a value")
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, of any size.
    mutating func number() throws(JSONParseError) -> JSONNode {
        let start = position
        func isDigit(_ index: Int) -> Bool { index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else { throw unexpected("a digit") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if isDigit(position) { throw error("a number does not start with 0 followed by digits") }
        } else {
            while isDigit(position) { position += 1 }
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard isDigit(position) else { throw unexpected("a digit after '.'") }
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard isDigit(position) else { throw unexpected("a digit in the exponent") }
            while isDigit(position) { position += 1 }
        }
        return JSONNode(kind: .number(String(decoding: bytes[start..<position], as: UTF8.self), isInteger: isInteger), offset: start)
    }

    mutating func string() throws(JSONParseError) -> String {
        try expect("\"")
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
            utf8.removeAll()
        }
        while true {
            guard position < bytes.count else { throw error("the text ends inside a string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw error("the text ends inside a string") }
                let escape = bytes[position]
                position += 1
                flush()
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "u"):
                    position -= 2
                    let first = try hexEscape()
                    var code = first
                    if (0xD800..<0xDC00).contains(first) {  // a surrogate pair
                        let second = try hexEscape()
                        guard (0xDC00..<0xE000).contains(second) else { throw error("a lone surrogate in a \\u escape") }
                        code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("a lone surrogate in a \\u escape") }
                    scalars.append(scalar)
                default:
                    position -= 2
                    throw error("an escape that JSON does not have")
                }
            case 0..<0x20: throw error("a control character inside a string (write it as an escape)")
            default:
                position += 1
                utf8.append(byte)
            }
        }
    }

    /// `\uXXXX` at the current position.
    mutating func hexEscape() throws(JSONParseError) -> UInt32 {
        guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u"),
              let code = UInt32(String(decoding: bytes[(position + 2)..<(position + 6)], as: UTF8.self), radix: 16),
              bytes[(position + 2)..<(position + 6)].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
        else { throw error("a \\u escape needs 4 hex digits") }
        position += 6
        return code
    }
}
