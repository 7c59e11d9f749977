/// A valid frame of a type the registry does not list (PW-FRAME-8): kept as type and raw
/// payload, so it re-encodes to the identical bytes.
public struct UnknownMessage: Equatable, Sendable {
    public var typeCode: UInt8
    public var payload: BoundedArray<1024, UInt8>

    public init(typeCode: UInt8, payload: BoundedArray<1024, UInt8>) {
        self.typeCode = typeCode
        self.payload = payload
    }
}
