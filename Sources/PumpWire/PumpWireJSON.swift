import Foundation
import PumpWireCore

/// JSON in the view of spec section 12.
public enum PumpWireJSON {
    /// The JSON view of a frame, keys in layout order.
    public static func view(of frame: Frame) throws -> JSONValue {
        try OrderedJSONEncoder().encode(frame)
    }

    /// One frame, or an array of frames, from JSON text, read strictly (spec section 12): an
    /// unknown, duplicate or missing key, a wrong JSON type, a number that is not an integer or
    /// that its field cannot hold (FIELD_OUT_OF_RANGE), an unknown name is refused with the JSON
    /// path. The array `pumpwire decode --format json` prints is accepted: its error entries and
    /// its reassembled copies of fragmented messages (the fragments themselves are in the array)
    /// are skipped, and the keys `packet` and `streamOffset` it adds are allowed.
    public static func frames(from data: Data) throws(JSONViewError) -> [Frame] {
        try strictFrames([UInt8](data))
    }

    /// `frames(from:)` for text.
    public static func frames(from text: String) throws(JSONViewError) -> [Frame] {
        try strictFrames(Array(text.utf8))
    }
}

extension PumpWireError: CustomStringConvertible {
    /// "BAD_CRC (7) at offset 48".
    public var description: String { "\(code.specName) (\(code.rawValue)) at offset \(offset)" }
}

extension JSONValue {
    /// An indented `key: value` rendering for people reading a capture.
    public func readableText(indent: String = "  ") -> String {
        var lines: [String] = []
        JSONValue.render(self, prefix: indent, into: &lines)
        return lines.joined(separator: "\n")
    }

    private static func render(_ value: JSONValue, prefix: String, into lines: inout [String]) {
        guard case .object(let members) = value else { return }
        for (key, member) in members {
            switch member {
            case .object(let nested) where !nested.isEmpty:
                lines.append("\(prefix)\(key):")
                render(member, prefix: prefix + "  ", into: &lines)
            case .array(let items) where items.contains(where: { if case .object = $0 { true } else { false } }):
                lines.append("\(prefix)\(key):")
                for (i, item) in items.enumerated() {
                    lines.append("\(prefix)  [\(i)]")
                    render(item, prefix: prefix + "    ", into: &lines)
                }
            default:
                lines.append("\(prefix)\(key): \(member.scalarText)")
            }
        }
    }

    private var scalarText: String {
        switch self {
        case .null: "none"
        case .bool(let value): value ? "yes" : "no"
        case .integer(let value): String(value)
        case .string(let value): value
        case .array(let items): items.isEmpty ? "none" : items.map(\.scalarText).joined(separator: ", ")
        case .object: "{}"
        }
    }
}
