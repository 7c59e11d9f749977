import PumpWireCore

/// Text fields are JSON strings, checked like the wire on the way in (PW-ENC-8).
extension BoundedText: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            self = try BoundedText(string)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "\(error.code.specName) (\(error.code.rawValue)): \"\(string)\" is not 1 to \(capacity) printable ASCII characters")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }
}

/// Byte strings are lowercase hex; lists are JSON arrays (spec section 12).
extension BoundedArray: Codable where Element: Codable {
    public init(from decoder: any Decoder) throws {
        if Element.self == UInt8.self {
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            let bytes: [UInt8]
            do { bytes = try Hex.decode(text) } catch {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
            }
            guard bytes.count <= capacity else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "TOO_MANY_ITEMS (11): \(bytes.count) bytes, at most \(capacity) allowed")
            }
            self.init()
            for byte in bytes { try! append(byte as! Element) }
        } else {
            let container = try decoder.singleValueContainer()
            let elements = try container.decode([Element].self)
            guard elements.count <= capacity else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "TOO_MANY_ITEMS (11): \(elements.count) items, at most \(capacity) allowed")
            }
            self.init()
            for element in elements { try! append(element) }
        }
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
