/// Any message of the catalogue, or an unknown one (spec sections 8 and 9).
public enum Message: Equatable, Sendable {
    case interrogationRequest(InterrogationRequest)
    case pumpStatus(PumpStatus)
    case prescriptionBlock(PrescriptionBlock)
    case bolusSchedule(BolusSchedule)
    case refillConfirmation(RefillConfirmation)
    case refillReceipt(RefillReceipt)
    case memoryDumpRequest(MemoryDumpRequest)
    case memoryDumpChunk(MemoryDumpChunk)
    case acknowledgement(Acknowledgement)
    case negativeAcknowledgement(NegativeAcknowledgement)
    case unknown(UnknownMessage)

    /// The registry code this message travels under.
    public var typeCode: UInt8 {
        switch self {
        case .interrogationRequest: InterrogationRequest.typeCode
        case .pumpStatus: PumpStatus.typeCode
        case .prescriptionBlock: PrescriptionBlock.typeCode
        case .bolusSchedule: BolusSchedule.typeCode
        case .refillConfirmation: RefillConfirmation.typeCode
        case .refillReceipt: RefillReceipt.typeCode
        case .memoryDumpRequest: MemoryDumpRequest.typeCode
        case .memoryDumpChunk: MemoryDumpChunk.typeCode
        case .acknowledgement: Acknowledgement.typeCode
        case .negativeAcknowledgement: NegativeAcknowledgement.typeCode
        case .unknown(let message): message.typeCode
        }
    }

    /// Decodes a payload of type `typeCode`. `reportingOffset` is the offset reported for payload
    /// byte 0: 9 inside a single frame, 0 for a reassembled payload (PW-ENC-6).
    public static func decode(
        typeCode: UInt8, payload: UnsafeRawBufferPointer, reportingOffset: Int
    ) throws(PumpWireError) -> Message {
        switch typeCode {
        case InterrogationRequest.typeCode:
            .interrogationRequest(try .decode(payload: payload, reportingOffset: reportingOffset))
        case PumpStatus.typeCode:
            .pumpStatus(try .decode(payload: payload, reportingOffset: reportingOffset))
        case PrescriptionBlock.typeCode:
            .prescriptionBlock(try .decode(payload: payload, reportingOffset: reportingOffset))
        case BolusSchedule.typeCode:
            .bolusSchedule(try .decode(payload: payload, reportingOffset: reportingOffset))
        case RefillConfirmation.typeCode:
            .refillConfirmation(try .decode(payload: payload, reportingOffset: reportingOffset))
        case RefillReceipt.typeCode:
            .refillReceipt(try .decode(payload: payload, reportingOffset: reportingOffset))
        case MemoryDumpRequest.typeCode:
            .memoryDumpRequest(try .decode(payload: payload, reportingOffset: reportingOffset))
        case MemoryDumpChunk.typeCode:
            .memoryDumpChunk(try .decode(payload: payload, reportingOffset: reportingOffset))
        case Acknowledgement.typeCode:
            .acknowledgement(try .decode(payload: payload, reportingOffset: reportingOffset))
        case NegativeAcknowledgement.typeCode:
            .negativeAcknowledgement(try .decode(payload: payload, reportingOffset: reportingOffset))
        default:
            // PW-FRAME-8: an unknown type is not an error at this layer.
            .unknown(UnknownMessage(typeCode: typeCode, payload: try Message.copyUnknownPayload(payload, reportingOffset)))
        }
    }

    private static func copyUnknownPayload(
        _ payload: UnsafeRawBufferPointer, _ reportingOffset: Int
    ) throws(PumpWireError) -> BoundedArray<1024, UInt8> {
        try require(payload.count <= WireLimits.maxMessagePayload, .payloadTooLarge, at: reportingOffset)
        return try BoundedArray(copying: payload)
    }

    /// The payload length in bytes.
    public var payloadSize: Int {
        switch self {
        case .interrogationRequest(let m): m.payloadSize
        case .pumpStatus(let m): m.payloadSize
        case .prescriptionBlock(let m): m.payloadSize
        case .bolusSchedule(let m): m.payloadSize
        case .refillConfirmation(let m): m.payloadSize
        case .refillReceipt(let m): m.payloadSize
        case .memoryDumpRequest(let m): m.payloadSize
        case .memoryDumpChunk(let m): m.payloadSize
        case .acknowledgement(let m): m.payloadSize
        case .negativeAcknowledgement(let m): m.payloadSize
        case .unknown(let m): m.payload.count
        }
    }

    /// Writes the canonical payload, refusing anything a decoder would reject (PW-ENC-5), with the
    /// decoder's error even when the buffer is too small as well.
    public func encodePayload(into writer: inout ByteWriter) throws(PumpWireError) {
        if case .unknown = self, writer.remaining < payloadSize { try validate() }
        switch self {
        case .interrogationRequest(let m): try m.encodePayload(into: &writer)
        case .pumpStatus(let m): try m.encodePayload(into: &writer)
        case .prescriptionBlock(let m): try m.encodePayload(into: &writer)
        case .bolusSchedule(let m): try m.encodePayload(into: &writer)
        case .refillConfirmation(let m): try m.encodePayload(into: &writer)
        case .refillReceipt(let m): try m.encodePayload(into: &writer)
        case .memoryDumpRequest(let m): try m.encodePayload(into: &writer)
        case .memoryDumpChunk(let m): try m.encodePayload(into: &writer)
        case .acknowledgement(let m): try m.encodePayload(into: &writer)
        case .negativeAcknowledgement(let m): try m.encodePayload(into: &writer)
        case .unknown(let m):
            let start = writer.count
            try m.payload.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
            // Raw bytes under a registered code must pass that type's checks like any payload.
            if MessageRegistry.descriptor(for: m.typeCode) != nil {
                do {
                    _ = try Message.decode(
                        typeCode: m.typeCode, payload: UnsafeRawBufferPointer(rebasing: writer.written[start...]),
                        reportingOffset: 0)
                } catch {
                    writer.rewind(to: start)
                    throw error
                }
            }
        }
    }
}

extension Message {
    /// The error `encodePayload` reports for this value, if any, found without an output buffer,
    /// so that an encoder refuses a value before it runs out of room (PW-ENC-5). Payload offsets.
    public func validate() throws(PumpWireError) {
        switch self {
        case .interrogationRequest(let m): try m.validate()
        case .pumpStatus(let m): try m.validate()
        case .prescriptionBlock(let m): try m.validate()
        case .bolusSchedule(let m): try m.validate()
        case .refillConfirmation(let m): try m.validate()
        case .refillReceipt(let m): try m.validate()
        case .memoryDumpRequest(let m): try m.validate()
        case .memoryDumpChunk(let m): try m.validate()
        case .acknowledgement(let m): try m.validate()
        case .negativeAcknowledgement(let m): try m.validate()
        case .unknown(let m):
            // Raw bytes under a registered code must pass that type's checks (see encodePayload).
            guard MessageRegistry.descriptor(for: m.typeCode) != nil else { return }
            try m.payload.withUnsafeBytes { (raw) throws(PumpWireError) in
                _ = try Message.decode(typeCode: m.typeCode, payload: raw, reportingOffset: 0)
            }
        }
    }
}
