import PumpWire

/// The flattened JSON view of DECODE_FIELDS (spec/conformance.md 2.4.2): `path=value` lines.
public enum FieldList {
    public static func lines(of view: JSONValue) -> [String] {
        var lines: [String] = []
        flatten(view, path: "", into: &lines)
        return lines
    }

    public static func text(of view: JSONValue) -> String {
        lines(of: view).map { $0 + "\n" }.joined()
    }

    /// The lines of a testee's answer, as a set (their order is free).
    public static func parse(_ bytes: [UInt8]) -> Set<String> {
        Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init))
    }

    private static func flatten(_ value: JSONValue, path: String, into lines: inout [String]) {
        let prefix = path.isEmpty ? "" : path + "."
        switch value {
        case .object(let members) where !members.isEmpty:
            for (key, member) in members { flatten(member, path: prefix + key, into: &lines) }
        case .array(let items) where !items.isEmpty:
            for (index, item) in items.enumerated() { flatten(item, path: prefix + String(index), into: &lines) }
        case .object: lines.append("\(path)={}")
        case .array: lines.append("\(path)=[]")
        case .null: lines.append("\(path)=null")
        case .bool(let flag): lines.append("\(path)=\(flag)")
        case .integer(let number): lines.append("\(path)=\(number)")
        case .string(let string): lines.append("\(path)=\(string)")
        }
    }
}
