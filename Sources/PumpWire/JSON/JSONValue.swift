/// A JSON value whose objects keep their keys in the order they were written, so output follows
/// the spec's layout order (Foundation's JSONEncoder sorts keys on this platform).
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        // PW-JSON-1: compared as parsed values, so key order does not matter.
        case (.object(let a), .object(let b)):
            a.count == b.count && a.allSatisfy { key, value in b.contains { $0.0 == key && $0.1 == value } }
        default: false
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// The value of `key` in an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    /// JSON text; `indent` spaces per level, or compact with nil.
    public func text(indent: Int? = 2) -> String {
        var output = ""
        write(to: &output, indent: indent, level: 0)
        return output
    }

    private func write(to output: inout String, indent: Int?, level: Int) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (level: Int) in String(repeating: " ", count: (indent ?? 0) * level) }
        let colon = indent == nil ? ":" : ": "
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .string(let value): output += JSONValue.quoted(value)
        case .array(let items):
            if items.isEmpty { output += "[]"; return }
            if indent != nil, items.allSatisfy(\.isScalar) {  // short lists of scalars on one line
                output += "[" + items.map { $0.text(indent: nil) }.joined(separator: ", ") + "]"
                return
            }
            output += "[" + newline
            for (i, item) in items.enumerated() {
                output += pad(level + 1)
                item.write(to: &output, indent: indent, level: level + 1)
                output += (i + 1 < items.count ? "," : "") + newline
            }
            output += pad(level) + "]"
        case .object(let members):
            if members.isEmpty { output += "{}"; return }
            output += "{" + newline
            for (i, (key, value)) in members.enumerated() {
                output += pad(level + 1) + JSONValue.quoted(key) + colon
                value.write(to: &output, indent: indent, level: level + 1)
                output += (i + 1 < members.count ? "," : "") + newline
            }
            output += pad(level) + "}"
        }
    }

    static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
