import PumpWireCore

/// Text fields are JSON strings, checked like the wire on the way in (PW-ENC-8): a string the
/// field cannot hold is refused with the decoder's code, FIELD_OUT_OF_RANGE for its length and
/// INVALID_TEXT for a character outside printable ASCII.
extension BoundedText: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            self = try BoundedText(string)
        } catch {
            let what = error.code == .invalidText
                ? "byte \(error.offset + 1) of the text is not printable ASCII (0x20 to 0x7e)"
                : "\(string.utf8.count) characters, the field holds 1 to \(capacity)"
            throw JSONViewError(container.codingPath, code: error.code, "\(JSONValue.quoted(string)): \(what)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }
}

/// Byte strings are lowercase hex, two digits a byte; lists are JSON arrays (spec section 12). A
/// list longer than its field's maximum is TOO_MANY_ITEMS; bytes beyond what the field can hold
/// are PAYLOAD_TOO_LARGE (no frame payload could carry them).
extension BoundedArray: Codable where Element: Codable {
    public init(from decoder: any Decoder) throws {
        if Element.self == UInt8.self {
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let bytes = Self.lowercaseHex(text) else {
                throw JSONViewError(container.codingPath, "\(JSONValue.quoted(text)) is not lowercase hex, two digits a byte")
            }
            guard bytes.count <= capacity else {
                throw JSONViewError(
                    container.codingPath, code: .payloadTooLarge, "\(bytes.count) bytes, the field holds at most \(capacity)")
            }
            self.init()
            for byte in bytes { try! append(byte as! Element) }
        } else {
            let container = try decoder.singleValueContainer()
            let elements = try container.decode([Element].self)
            guard elements.count <= capacity else {
                throw JSONViewError(
                    container.codingPath, code: .tooManyItems, "\(elements.count) items, at most \(capacity) allowed")
            }
            self.init()
            for element in elements { try! append(element) }
        }
    }

    private static func lowercaseHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if Element.self == UInt8.self {
            try container.encode(Hex.encode(self.map { $0 as! UInt8 }))
        } else {
            try container.encode(Array(self))
        }
    }
}
