import PumpWireCore

/// An enumerated wire field shown in JSON by its spec name (spec section 12).
public protocol NamedEnumeration: Codable, RawRepresentable where RawValue == UInt8 {
    static var names: KeyValuePairs<Self, String> { get }
}

extension NamedEnumeration {
    /// The spec's name of the value.
    public var name: String { Self.names.first { $0.key == self }!.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = Self.names.first(where: { $0.value == name })?.key else {
            throw JSONViewError(
                container.codingPath,
                "unknown name \(JSONValue.quoted(name)): one of \(Self.names.map(\.value).joined(separator: ", "))")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

extension Drug: NamedEnumeration {
    public static let names: KeyValuePairs<Drug, String> = [
        .morphine: "morphine", .hydromorphone: "hydromorphone", .baclofen: "baclofen",
        .ziconotide: "ziconotide", .bupivacaine: "bupivacaine", .clonidine: "clonidine",
        .fentanyl: "fentanyl", .sufentanil: "sufentanil",
    ]
}

extension DeliveryMode: NamedEnumeration {
    public static let names: KeyValuePairs<DeliveryMode, String> = [
        .fixedRate: "fixedRate", .continuous: "continuous", .timeOfDay: "timeOfDay",
    ]
}

extension PrimingKind: NamedEnumeration {
    public static let names: KeyValuePairs<PrimingKind, String> = [.catheter: "catheter", .bridge: "bridge"]
}

extension MemoryRegion: NamedEnumeration {
    public static let names: KeyValuePairs<MemoryRegion, String> = [
        .eventLog: "eventLog", .alarmLog: "alarmLog", .therapyHistory: "therapyHistory", .rawAddress: "rawAddress",
    ]
}

extension DumpEncoding: NamedEnumeration {
    public static let names: KeyValuePairs<DumpEncoding, String> = [.raw: "raw", .zlib: "zlib"]
}

extension ActiveAlarms: Codable {
    public static let names: KeyValuePairs<ActiveAlarms, String> = [
        .lowReservoir: "lowReservoir", .emptyReservoir: "emptyReservoir",
        .batteryEndOfService: "batteryEndOfService", .motorStall: "motorStall",
        .catheterOcclusion: "catheterOcclusion", .memoryError: "memoryError",
        .clockLost: "clockLost", .pumpReset: "pumpReset",
    ]

    /// The names of the bits set, in bit order.
    public var setNames: [String] { Self.names.filter { contains($0.key) }.map(\.value) }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        self = .none
        var last: UInt16 = 0
        while !container.isAtEnd {
            let itemPath = container.codingPath + [AnyKey(index: container.currentIndex)]
            let name = try container.decode(String.self)
            guard let alarm = Self.names.first(where: { $0.value == name })?.key else {
                throw JSONViewError(
                    itemPath, "unknown name \(JSONValue.quoted(name)): one of \(Self.names.map(\.value).joined(separator: ", "))")
            }
            // Names in bit order, each once (spec section 12).
            guard alarm.rawValue > last else {
                throw JSONViewError(itemPath, "\(JSONValue.quoted(name)) is repeated or out of bit order")
            }
            last = alarm.rawValue
            insert(alarm)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(setNames)
    }
}
