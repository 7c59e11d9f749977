/// What every message of the catalogue (spec section 9) does: read and write its own payload.
/// Decoding and encoding go through the extension below, so the order of checks of
/// section 7 lives in one place.
public protocol WireMessage: Equatable {
    /// The registry code (spec section 8).
    static var typeCode: UInt8 { get }

    /// Reads the fields in layout order, checking each as it is read (PW-ENC-1, PW-ENC-2).
    init(readingFieldsFrom reader: inout ByteReader) throws(PumpWireError)

    /// Rules that involve a later field (PW-ENC-4). `payloadOffset` is the reported offset of
    /// payload byte 0.
    func checkAfterPayload(payloadOffset: Int) throws(PumpWireError)

    /// Writes the fields in layout order.
    func writeFields(to writer: inout ByteWriter) throws(PumpWireError)

    /// The payload length in bytes.
    var payloadSize: Int { get }
}

extension WireMessage {
    @inline(__always)
    public func checkAfterPayload(payloadOffset: Int) throws(PumpWireError) {}

    /// Decodes a whole payload: fields, then PW-ENC-3 (nothing left), then PW-ENC-4.
    @inline(__always)  // checkAfterPayload would otherwise take a copy of the message (firmware stack)
    public static func decode(
        payload: UnsafeRawBufferPointer, reportingOffset: Int = 0
    ) throws(PumpWireError) -> Self {
        var reader = ByteReader(payload, reportingOffset: reportingOffset)
        let message = try Self(readingFieldsFrom: &reader)
        try reader.expectEnd()
        try message.checkAfterPayload(payloadOffset: reportingOffset)
        return message
    }

    /// Writes the payload, then decodes what was written and refuses it with the decoder's own
    /// error if the decoder would reject it (PW-ENC-5): an encoder never emits what a decoder
    /// rejects. Offsets in errors count from payload byte 0.
    public func encodePayload(into writer: inout ByteWriter) throws(PumpWireError) {
        // PW-ENC-5 comes before the buffer: a value a decoder rejects is refused with the
        // decoder's error even when the buffer is too small as well.
        if writer.remaining < payloadSize { try validate() }
        let start = writer.count
        try writeFields(to: &writer)
        let written = UnsafeRawBufferPointer(rebasing: writer.written[start...])
        do {
            _ = try Self.decode(payload: written)
        } catch {
            writer.rewind(to: start)
            throw error
        }
    }

    /// The error `encodePayload` reports for this value, found without an output buffer: the
    /// fields are written into stack scratch and decoded (PW-ENC-5). Payload offsets.
    @inline(never)  // the scratch is on the stack only when a buffer is too small
    public func validate() throws(PumpWireError) {
        var scratch = InlineArray<309, UInt8>(repeating: 0)  // WireLimits.largestMessagePayload
        var span = scratch.mutableSpan
        try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) in
            var writer = ByteWriter(raw)
            try writeFields(to: &writer)
            _ = try Self.decode(payload: writer.written)
        }
    }
}
