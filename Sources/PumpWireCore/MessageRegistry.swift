/// Which way a message travels (spec section 8).
public enum Direction: UInt8, Sendable {
    case programmerToPump = 0
    case pumpToProgrammer = 1
}

/// One row of the registry of spec section 8.
public struct MessageDescriptor: Equatable, Sendable {
    public var typeCode: UInt8
    /// The name of spec section 8, also the JSON view's `messageType`.
    public var name: StaticString
    public var direction: Direction
    /// The response types that may answer this request (0 marks an unused slot); empty for responses.
    public var responseTypes: (UInt8, UInt8)
    public var minimumVersion: UInt8
    public var changesDelivery: Bool

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.typeCode == rhs.typeCode && lhs.direction == rhs.direction
            && lhs.responseTypes == rhs.responseTypes && lhs.minimumVersion == rhs.minimumVersion
            && lhs.changesDelivery == rhs.changesDelivery
    }

    /// Whether `typeCode` may answer this request (PW-SESSION-2).
    public func isAnswered(by typeCode: UInt8) -> Bool {
        typeCode != 0 && (responseTypes.0 == typeCode || responseTypes.1 == typeCode)
    }
}

/// The registry of spec section 8: the metadata of every message type.
public enum MessageRegistry {
    /// Number of registered types.
    public static let count = 10

    /// The descriptor of `typeCode`, or nil if the code is unassigned.
    public static func descriptor(for typeCode: UInt8) -> MessageDescriptor? {
        let nak = NegativeAcknowledgement.typeCode
        switch typeCode {
        case 0x01:
            return request(typeCode, "interrogationRequest", answers: (PumpStatus.typeCode, nak), changesDelivery: false)
        case 0x02:
            return request(typeCode, "prescriptionBlock", answers: (Acknowledgement.typeCode, nak), changesDelivery: true)
        case 0x03:
            return request(typeCode, "bolusSchedule", answers: (Acknowledgement.typeCode, nak), changesDelivery: true)
        case 0x04:
            return request(typeCode, "refillConfirmation", answers: (RefillReceipt.typeCode, nak), changesDelivery: true)
        case 0x05:
            return request(typeCode, "memoryDumpRequest", answers: (MemoryDumpChunk.typeCode, nak), changesDelivery: false)
        case 0x81: return response(typeCode, "pumpStatus")
        case 0x84: return response(typeCode, "refillReceipt")
        case 0x85: return response(typeCode, "memoryDumpChunk")
        case 0xF0: return response(typeCode, "acknowledgement")
        case 0xF1: return response(typeCode, "negativeAcknowledgement")
        default: return nil
        }
    }

    private static func request(
        _ code: UInt8, _ name: StaticString, answers: (UInt8, UInt8), changesDelivery: Bool
    ) -> MessageDescriptor {
        MessageDescriptor(
            typeCode: code, name: name, direction: .programmerToPump, responseTypes: answers,
            minimumVersion: 1, changesDelivery: changesDelivery)
    }

    private static func response(_ code: UInt8, _ name: StaticString) -> MessageDescriptor {
        MessageDescriptor(
            typeCode: code, name: name, direction: .pumpToProgrammer, responseTypes: (0, 0),
            minimumVersion: 1, changesDelivery: false)
    }
}
