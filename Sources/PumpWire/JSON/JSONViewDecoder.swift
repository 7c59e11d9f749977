import PumpWireCore

/// Reads a value from a parsed JSON view strictly (spec section 12): every key of an object must
/// be one the value has and be read, every key it needs must be there, each value must have its
/// JSON type, and an integer must fit the field's wire type (FIELD_OUT_OF_RANGE otherwise). Errors
/// are `JSONViewError`s naming the JSON path.
struct JSONViewDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from node: JSONNode, path: [JSONPathComponent] = []) throws(JSONViewError) -> T {
        let state = ViewDecodingState()
        do {
            let value = try T(from: ViewDecoder(node: node, path: path, state: state))
            try state.checkEveryKeyRead()
            return value
        } catch let error as JSONViewError {
            throw error
        } catch {
            throw JSONViewError(path: JSONPath.render(path), reason: "not a frame's JSON view")
        }
    }
}

/// The keys each object read so far has, and those read, to refuse a key present but unused.
private final class ViewDecodingState {
    var objects: [(path: [JSONPathComponent], keys: [String], read: ReadKeys)] = []

    final class ReadKeys { var keys: Set<String> = [] }

    func checkEveryKeyRead() throws(JSONViewError) {
        for object in objects {
            if let key = object.keys.first(where: { !object.read.keys.contains($0) }) {
                throw JSONViewError(path: JSONPath.render(object.path), reason: "unexpected key \(JSONValue.quoted(key)) here")
            }
        }
    }
}

private struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ component: JSONPathComponent) {
        switch component {
        case .key(let key): stringValue = key; intValue = nil
        case .index(let index): stringValue = String(index); intValue = index
        }
    }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

private func codingKeys(for path: [JSONPathComponent]) -> [any CodingKey] { path.map(PathKey.init) }

private func mismatch(_ node: JSONNode, _ path: [JSONPathComponent], expected: String) -> JSONViewError {
    JSONViewError(path: JSONPath.render(path), reason: "expected \(expected), found \(node.kindName)")
}

/// Reads one value of type `T` from `node`: JSON scalars for the standard types, the type's own
/// `init(from:)` for everything else.
private func readValue<T: Decodable>(_ type: T.Type, _ node: JSONNode, _ path: [JSONPathComponent], _ state: ViewDecodingState) throws -> T {
    if T.self == Bool.self {
        guard case .bool(let value) = node.kind else { throw mismatch(node, path, expected: "true or false") }
        return value as! T
    }
    if T.self == String.self {
        guard case .string(let value) = node.kind else { throw mismatch(node, path, expected: "a string") }
        return value as! T
    }
    if let integerType = T.self as? any FixedWidthInteger.Type {
        return try readInteger(integerType, node, path) as! T
    }
    if T.self is any BinaryFloatingPoint.Type {
        throw JSONViewError(path: JSONPath.render(path), reason: "no field of the view is a fraction")
    }
    return try T(from: ViewDecoder(node: node, path: path, state: state))
}

/// An integer for a field of the integer type `I`: a JSON integer of any size is read, then one
/// outside the field's wire type is FIELD_OUT_OF_RANGE (spec section 12).
private func readInteger<I: FixedWidthInteger>(_ type: I.Type, _ node: JSONNode, _ path: [JSONPathComponent]) throws(JSONViewError) -> I {
    guard case .number(let text, let isInteger) = node.kind else { throw mismatch(node, path, expected: "an integer") }
    guard isInteger else {
        throw JSONViewError(path: JSONPath.render(path), reason: "\(text) is not an integer (numbers in the view are integers, PW-JSON-2)")
    }
    // PW-JSON-2: no sign; Swift's parser would take "-0" as 0 for an unsigned field.
    if !(text.hasPrefix("-") && !I.isSigned), let value = I(text, radix: 10) { return value }
    let kind = I.isSigned ? "a signed" : "an unsigned"
    throw JSONViewError(
        path: JSONPath.render(path), code: .fieldOutOfRange,
        reason: "\(text) is out of range: the field is \(kind) \(I.bitWidth)-bit integer, \(I.min) to \(I.max)")
}

private struct ViewDecoder: Decoder {
    let node: JSONNode
    let path: [JSONPathComponent]
    let state: ViewDecodingState

    var codingPath: [any CodingKey] { codingKeys(for: path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = node.kind else { throw mismatch(node, path, expected: "an object") }
        for member in members where Key(stringValue: member.key) == nil {
            var reason = "unknown key \(JSONValue.quoted(member.key))"
            if let iterable = Key.self as? any CaseIterable.Type {
                let known = Self.names(of: iterable)
                reason += known.isEmpty ? " (this object has no keys)" : " (the keys here: \(known.joined(separator: ", ")))"
            }
            throw JSONViewError(path: JSONPath.render(path), reason: reason)
        }
        let read = ViewDecodingState.ReadKeys()
        state.objects.append((path, members.map(\.key), read))
        return KeyedDecodingContainer(ViewKeyedContainer<Key>(members: members, path: path, state: state, read: read))
    }

    private static func names<C: CaseIterable>(of type: C.Type) -> [String] {
        C.allCases.compactMap { ($0 as? any CodingKey)?.stringValue }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = node.kind else { throw mismatch(node, path, expected: "an array") }
        return ViewUnkeyedContainer(items: items, path: path, state: state)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ViewSingleValueContainer(node: node, path: path, state: state)
    }
}

private struct ViewKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: JSONNode)]
    let path: [JSONPathComponent]
    let state: ViewDecodingState
    let read: ViewDecodingState.ReadKeys

    var codingPath: [any CodingKey] { codingKeys(for: path) }
    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { members.contains { $0.key == key.stringValue } }

    private func member(_ key: Key) throws(JSONViewError) -> JSONNode {
        guard let node = members.first(where: { $0.key == key.stringValue })?.value else {
            throw JSONViewError(path: JSONPath.render(path), reason: "missing key \(JSONValue.quoted(key.stringValue))")
        }
        read.keys.insert(key.stringValue)
        return node
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try member(key).kind { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try readValue(type, try member(key), path + [.key(key.stringValue)], state)
    }

    /// Absent is nil; present must be a value of the field's type (`null` is one only where the
    /// view says so, and a caller asks for it with `decodeNil`).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(type, key) }
    // The standard library's defaults for these read null as absent; here it is a wrong type.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try present(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try present(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try present(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try present(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try present(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try present(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try present(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(type, key) }

    private func present<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        guard contains(key) else { return nil }
        return try decode(type, key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type as Bool.Type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type as String.Type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type as Double.Type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type as Float.Type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type as Int.Type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type as Int8.Type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type as Int16.Type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type as Int32.Type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type as Int64.Type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type as UInt.Type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type as UInt8.Type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type as UInt16.Type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type as UInt32.Type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type as UInt64.Type, key) }

    private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try readValue(type, try member(key), path + [.key(key.stringValue)], state)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ViewDecoder(node: try member(key), path: path + [.key(key.stringValue)], state: state).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ViewDecoder(node: try member(key), path: path + [.key(key.stringValue)], state: state).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        throw JSONViewError(path: JSONPath.render(path), reason: "not a frame's JSON view")
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ViewDecoder(node: try member(key), path: path + [.key(key.stringValue)], state: state)
    }
}

private struct ViewUnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONNode]
    let path: [JSONPathComponent]
    let state: ViewDecodingState
    var currentIndex = 0

    init(items: [JSONNode], path: [JSONPathComponent], state: ViewDecodingState) {
        self.items = items
        self.path = path
        self.state = state
    }

    var codingPath: [any CodingKey] { codingKeys(for: path) }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws(JSONViewError) -> (JSONNode, [JSONPathComponent]) {
        guard !isAtEnd else { throw JSONViewError(path: JSONPath.render(path), reason: "the array has too few items") }
        defer { currentIndex += 1 }
        return (items[currentIndex], path + [.index(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = items[currentIndex].kind else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (node, itemPath) = try next()
        return try readValue(type, node, itemPath, state)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decode(type as Bool.Type, 0) }
    mutating func decode(_ type: String.Type) throws -> String { try decode(type as String.Type, 0) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decode(type as Double.Type, 0) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decode(type as Float.Type, 0) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decode(type as Int.Type, 0) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decode(type as Int8.Type, 0) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decode(type as Int16.Type, 0) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decode(type as Int32.Type, 0) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decode(type as Int64.Type, 0) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decode(type as UInt.Type, 0) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decode(type as UInt8.Type, 0) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decode(type as UInt16.Type, 0) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decode(type as UInt32.Type, 0) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decode(type as UInt64.Type, 0) }

    private mutating func decode<T: Decodable>(_ type: T.Type, _ unused: Int) throws -> T {
        let (node, itemPath) = try next()
        return try readValue(type, node, itemPath, state)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (node, itemPath) = try next()
        return try ViewDecoder(node: node, path: itemPath, state: state).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (node, itemPath) = try next()
        return try ViewDecoder(node: node, path: itemPath, state: state).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (node, itemPath) = try next()
        return ViewDecoder(node: node, path: itemPath, state: state)
    }
}

private struct ViewSingleValueContainer: SingleValueDecodingContainer {
    let node: JSONNode
    let path: [JSONPathComponent]
    let state: ViewDecodingState

    var codingPath: [any CodingKey] { codingKeys(for: path) }

    func decodeNil() -> Bool {
        if case .null = node.kind { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try readValue(type, node, path, state) }
    func decode(_ type: Bool.Type) throws -> Bool { try readValue(type, node, path, state) }
    func decode(_ type: String.Type) throws -> String { try readValue(type, node, path, state) }
    func decode(_ type: Double.Type) throws -> Double { try readValue(type, node, path, state) }
    func decode(_ type: Float.Type) throws -> Float { try readValue(type, node, path, state) }
    func decode(_ type: Int.Type) throws -> Int { try readValue(type, node, path, state) }
    func decode(_ type: Int8.Type) throws -> Int8 { try readValue(type, node, path, state) }
    func decode(_ type: Int16.Type) throws -> Int16 { try readValue(type, node, path, state) }
    func decode(_ type: Int32.Type) throws -> Int32 { try readValue(type, node, path, state) }
    func decode(_ type: Int64.Type) throws -> Int64 { try readValue(type, node, path, state) }
    func decode(_ type: UInt.Type) throws -> UInt { try readValue(type, node, path, state) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try readValue(type, node, path, state) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try readValue(type, node, path, state) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try readValue(type, node, path, state) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try readValue(type, node, path, state) }
}
