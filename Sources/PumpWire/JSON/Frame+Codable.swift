import PumpWireCore

/// The JSON view of a frame (spec section 12):
/// `{ "messageType", "typeCode", "sequence", "authentication", "message" | "fragment" | "sealed" }`.
extension Frame: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case messageType, typeCode, sequence, authentication, message, fragment, sealed
    }

    /// A sealed frame (PW-AUTH-3): `{ "fragment": {...} | null, "ciphertext": "<hex>" }`.
    enum SealedKeys: String, CodingKey, CaseIterable { case fragment, ciphertext }
    enum SealedFragmentKeys: String, CodingKey, CaseIterable { case index, count, totalLength }

    enum FragmentKeys: String, CodingKey, CaseIterable { case index, count, totalLength, data }
    enum UnknownKeys: String, CodingKey, CaseIterable { case payload }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name: String = try c(.messageType)
        let givenCode = try c.decodeIfPresent(UInt8.self, forKey: .typeCode)
        let typeCode: UInt8
        if let registered = MessageRegistry.typeCode(named: name) {
            if let givenCode, givenCode != registered {
                throw JSONViewError(c.codingPath + [CodingKeys.typeCode], "\(name) has type code \(registered), not \(givenCode)")
            }
            typeCode = registered
        } else if name == "unknown" {
            guard let givenCode else {
                throw JSONViewError(c.codingPath, "missing key \"typeCode\" (a message of type \"unknown\" needs its type code)")
            }
            if let registered = MessageRegistry.descriptor(for: givenCode) {
                throw JSONViewError(
                    c.codingPath + [CodingKeys.messageType],
                    "type code \(givenCode) is registered: use \"messageType\": \"\(registered.name)\"")
            }
            typeCode = givenCode
        } else {
            throw JSONViewError(
                c.codingPath + [CodingKeys.messageType],
                "\(JSONValue.quoted(name)) is not a message of the registry (use \"unknown\" with a typeCode)")
        }
        if [c.contains(.fragment), c.contains(.message), c.contains(.sealed)].filter({ $0 }).count > 1 {
            throw JSONViewError(c.codingPath, "a frame has one of \"message\", \"fragment\" and \"sealed\"")
        }
        let sequence: UInt16 = try c(.sequence)
        // The one field whose value may be null (spec section 12).
        let isAbsent = try !c.contains(.authentication) || c.decodeNil(forKey: .authentication)
        let authentication = isAbsent ? nil : try c.decode(AuthenticationBlock.self, forKey: .authentication)
        // PW-AUTH-3: a frame with a block is sealed, and a sealed frame has its block.
        if c.contains(.sealed) {
            guard let authentication else {
                throw JSONViewError(c.codingPath + [CodingKeys.authentication], "a sealed frame has its authentication block (PW-AUTH-3)")
            }
            let s = try c.nestedContainer(keyedBy: SealedKeys.self, forKey: .sealed)
            var header: FragmentHeader?
            if try !s.decodeNil(forKey: .fragment) {
                let f = try s.nestedContainer(keyedBy: SealedFragmentKeys.self, forKey: .fragment)
                header = FragmentHeader(index: try f(.index), count: try f(.count), totalLength: try f(.totalLength))
            }
            self.init(sequence: sequence, authentication: authentication, content: .sealed(SealedPayload(
                typeCode: typeCode, fragment: header, ciphertext: try s(.ciphertext))))
            return
        }
        if authentication != nil {
            throw JSONViewError(
                c.codingPath + [CodingKeys.authentication],
                "a frame with an authentication block is sealed: it has \"sealed\", not \"message\" or \"fragment\" (PW-AUTH-3)")
        }
        if c.contains(.fragment) {
            let f = try c.nestedContainer(keyedBy: FragmentKeys.self, forKey: .fragment)
            let header = FragmentHeader(index: try f(.index), count: try f(.count), totalLength: try f(.totalLength))
            self.init(
                sequence: sequence, authentication: authentication,
                content: .fragment(FragmentFrame(typeCode: typeCode, header: header, data: try f(.data))))
            return
        }
        let message: Message
        switch typeCode {
        case InterrogationRequest.typeCode: message = .interrogationRequest(try c(.message))
        case PumpStatus.typeCode: message = .pumpStatus(try c(.message))
        case PrescriptionBlock.typeCode: message = .prescriptionBlock(try c(.message))
        case BolusSchedule.typeCode: message = .bolusSchedule(try c(.message))
        case RefillConfirmation.typeCode: message = .refillConfirmation(try c(.message))
        case RefillReceipt.typeCode: message = .refillReceipt(try c(.message))
        case MemoryDumpRequest.typeCode: message = .memoryDumpRequest(try c(.message))
        case MemoryDumpChunk.typeCode: message = .memoryDumpChunk(try c(.message))
        case Acknowledgement.typeCode: message = .acknowledgement(try c(.message))
        case NegativeAcknowledgement.typeCode: message = .negativeAcknowledgement(try c(.message))
        default:
            let u = try c.nestedContainer(keyedBy: UnknownKeys.self, forKey: .message)
            message = .unknown(UnknownMessage(typeCode: typeCode, payload: try u(.payload)))
        }
        self.init(sequence: sequence, authentication: authentication, content: .message(message))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(MessageRegistry.name(of: typeCode), forKey: .messageType)
        try c.encode(typeCode, forKey: .typeCode)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(authentication, forKey: .authentication)
        switch content {
        case .sealed(let sealed):
            var s = c.nestedContainer(keyedBy: SealedKeys.self, forKey: .sealed)
            if let header = sealed.fragment {
                var f = s.nestedContainer(keyedBy: SealedFragmentKeys.self, forKey: .fragment)
                try f.encode(header.index, forKey: .index)
                try f.encode(header.count, forKey: .count)
                try f.encode(header.totalLength, forKey: .totalLength)
            } else {
                try s.encodeNil(forKey: .fragment)
            }
            try s.encode(sealed.ciphertext, forKey: .ciphertext)
        case .fragment(let fragment):
            var f = c.nestedContainer(keyedBy: FragmentKeys.self, forKey: .fragment)
            try f.encode(fragment.header.index, forKey: .index)
            try f.encode(fragment.header.count, forKey: .count)
            try f.encode(fragment.header.totalLength, forKey: .totalLength)
            try f.encode(fragment.data, forKey: .data)
        case .message(let message):
            switch message {
            case .interrogationRequest(let m): try c.encode(m, forKey: .message)
            case .pumpStatus(let m): try c.encode(m, forKey: .message)
            case .prescriptionBlock(let m): try c.encode(m, forKey: .message)
            case .bolusSchedule(let m): try c.encode(m, forKey: .message)
            case .refillConfirmation(let m): try c.encode(m, forKey: .message)
            case .refillReceipt(let m): try c.encode(m, forKey: .message)
            case .memoryDumpRequest(let m): try c.encode(m, forKey: .message)
            case .memoryDumpChunk(let m): try c.encode(m, forKey: .message)
            case .acknowledgement(let m): try c.encode(m, forKey: .message)
            case .negativeAcknowledgement(let m): try c.encode(m, forKey: .message)
            case .unknown(let m):
                var u = c.nestedContainer(keyedBy: UnknownKeys.self, forKey: .message)
                try u.encode(m.payload, forKey: .payload)
            }
        }
    }
}

extension MessageRegistry {
    /// The registry name of `typeCode`, or "unknown".
    public static func name(of typeCode: UInt8) -> String {
        descriptor(for: typeCode).map { $0.name.description } ?? "unknown"
    }

    /// The type code registered under `name`.
    public static func typeCode(named name: String) -> UInt8? {
        (0...255).lazy.map { UInt8($0) }.first { descriptor(for: $0)?.name.description == name }
    }

    /// Every registered descriptor, in code order.
    public static var all: [MessageDescriptor] {
        (0...255).compactMap { descriptor(for: UInt8($0)) }
    }
}
