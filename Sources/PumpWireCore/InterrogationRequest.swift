/// 0x01, programmer to pump: "send me your status" (spec 9.1). The payload is empty (PW-INT-1).
public struct InterrogationRequest: WireMessage, Sendable {
    public static let typeCode: UInt8 = 0x01

    public init() {}

    public init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError) {}

    public func writeFields(to writer: inout ByteWriter) throws(PumpWireError) {}

    public var payloadSize: Int { 0 }
}
