import CPumpWire
import PumpWireCore

/// The message layer of pumpwire.h: `pw_message` to and from payload bytes (spec sections 7 and 9).
enum CMessage {
    /// Every check of the payload's type (section 9), with the Swift decoder, offsets reported
    /// from `reportingOffset`. Types the registry does not list only have the size limit (PW-FRAME-8).
    static func check(type: UInt8, payload: UnsafeRawBufferPointer, reportingOffset: Int) throws(PumpWireError) {
        // One function per type, so that the stack holds one decoded message at a time, not one
        // of each (the largest, a prescription, is about 400 bytes).
        switch type {
        case InterrogationRequest.typeCode: try checkPayload(InterrogationRequest.self, payload, reportingOffset)
        case PumpStatus.typeCode: try checkPayload(PumpStatus.self, payload, reportingOffset)
        case PrescriptionBlock.typeCode: try checkPayload(PrescriptionBlock.self, payload, reportingOffset)
        case BolusSchedule.typeCode: try checkPayload(BolusSchedule.self, payload, reportingOffset)
        case RefillConfirmation.typeCode: try checkPayload(RefillConfirmation.self, payload, reportingOffset)
        case RefillReceipt.typeCode: try checkPayload(RefillReceipt.self, payload, reportingOffset)
        case MemoryDumpRequest.typeCode: try checkPayload(MemoryDumpRequest.self, payload, reportingOffset)
        case MemoryDumpChunk.typeCode: try checkPayload(MemoryDumpChunk.self, payload, reportingOffset)
        case Acknowledgement.typeCode: try checkPayload(Acknowledgement.self, payload, reportingOffset)
        case NegativeAcknowledgement.typeCode: try checkPayload(NegativeAcknowledgement.self, payload, reportingOffset)
        default: try PumpWireError.check(payload.count <= WireLimits.maxMessagePayload, .payloadTooLarge, at: reportingOffset)
        }
    }

    @inline(never)
    private static func checkPayload<Message: WireMessage>(
        _: Message.Type, _ payload: UnsafeRawBufferPointer, _ reportingOffset: Int
    ) throws(PumpWireError) {
        _ = try Message.decode(payload: payload, reportingOffset: reportingOffset)
    }

    /// Checks the payload, then fills `message` from it.
    static func decode(
        type: UInt8, payload: UnsafeRawBufferPointer, reportingOffset: Int, into message: UnsafeMutablePointer<pw_message>
    ) throws(PumpWireError) {
        try check(type: type, payload: payload, reportingOffset: reportingOffset)
        zero(message)
        message.pointee.type = type
        var reader = ByteReader(payload, reportingOffset: reportingOffset)
        switch type {
        case InterrogationRequest.typeCode: break
        case PumpStatus.typeCode: try pw_pump_status.read(message.body(pw_pump_status.self), from: &reader)
        case PrescriptionBlock.typeCode: try pw_prescription_block.read(message.body(pw_prescription_block.self), from: &reader)
        case BolusSchedule.typeCode: try pw_bolus_schedule.read(message.body(pw_bolus_schedule.self), from: &reader)
        case RefillConfirmation.typeCode: try pw_refill_confirmation.read(message.body(pw_refill_confirmation.self), from: &reader)
        case RefillReceipt.typeCode: try pw_refill_receipt.read(message.body(pw_refill_receipt.self), from: &reader)
        case MemoryDumpRequest.typeCode: try pw_memory_dump_request.read(message.body(pw_memory_dump_request.self), from: &reader)
        case MemoryDumpChunk.typeCode: try pw_memory_dump_chunk.read(message.body(pw_memory_dump_chunk.self), from: &reader)
        case Acknowledgement.typeCode: try pw_acknowledgement.read(message.body(pw_acknowledgement.self), from: &reader)
        case NegativeAcknowledgement.typeCode: try pw_negative_acknowledgement.read(message.body(pw_negative_acknowledgement.self), from: &reader)
        default: try pw_unknown_message.read(message.body(pw_unknown_message.self), from: &reader)
        }
        try reader.expectEnd()
    }

    /// Lends the payload of `message` as its struct lays it out, unchecked but for the struct's
    /// capacities (those errors at offsets from `reportingOffset`): a catalogue message is written
    /// into stack scratch, an unknown one's bytes are lent where they are. So the encoders check a
    /// message before anything goes to the caller's buffer (PW-ENC-5, then BUFFER_TOO_SMALL).
    static func withPayload<R>(
        _ message: UnsafeMutablePointer<pw_message>, reportingOffset: Int,
        _ body: (UnsafeRawBufferPointer) throws(PumpWireError) -> R
    ) throws(PumpWireError) -> R {
        if !isCatalogued(message.pointee.type) {
            let unknown = message.body(pw_unknown_message.self)
            let length = Int(unknown.pointee.length)
            try PumpWireError.check(length <= Int(PW_MAX_MESSAGE_PAYLOAD), .payloadTooLarge, at: reportingOffset)  // PW-FRAG-4
            let payload = withUnsafeMutablePointer(to: &unknown.pointee.payload) { cBytes($0, count: length) }
            return try body(UnsafeRawBufferPointer(payload))
        }
        var scratch = InlineArray<320, UInt8>(repeating: 0)  // at least WireLimits.largestMessagePayload
        var span = scratch.mutableSpan
        return try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) -> R in
            var writer = ByteWriter(raw)
            do throws(PumpWireError) {
                try writeFields(message, to: &writer)
            } catch {
                throw PumpWireError(error.code, at: reportingOffset + error.offset)
            }
            return try body(writer.written)
        }
    }

    /// Whether `type` is a message of section 9, with a struct of its own in `pw_message`; any other
    /// code is an unknown message (PW-FRAME-8). A switch rather than MessageRegistry, whose names
    /// would cost firmware 1.6 KiB of flash.
    static func isCatalogued(_ type: UInt8) -> Bool {
        switch type {
        case InterrogationRequest.typeCode, PumpStatus.typeCode, PrescriptionBlock.typeCode, BolusSchedule.typeCode,
             RefillConfirmation.typeCode, RefillReceipt.typeCode, MemoryDumpRequest.typeCode, MemoryDumpChunk.typeCode,
             Acknowledgement.typeCode, NegativeAcknowledgement.typeCode:
            true
        default:
            false
        }
    }

    /// The payload as the struct's fields lay it out, for a message type of the registry.
    static func writeFields(_ message: UnsafeMutablePointer<pw_message>, to writer: inout ByteWriter) throws(PumpWireError) {
        switch message.pointee.type {
        case PumpStatus.typeCode: try pw_pump_status.write(message.body(pw_pump_status.self), to: &writer)
        case PrescriptionBlock.typeCode: try pw_prescription_block.write(message.body(pw_prescription_block.self), to: &writer)
        case BolusSchedule.typeCode: try pw_bolus_schedule.write(message.body(pw_bolus_schedule.self), to: &writer)
        case RefillConfirmation.typeCode: try pw_refill_confirmation.write(message.body(pw_refill_confirmation.self), to: &writer)
        case RefillReceipt.typeCode: try pw_refill_receipt.write(message.body(pw_refill_receipt.self), to: &writer)
        case MemoryDumpRequest.typeCode: try pw_memory_dump_request.write(message.body(pw_memory_dump_request.self), to: &writer)
        case MemoryDumpChunk.typeCode: try pw_memory_dump_chunk.write(message.body(pw_memory_dump_chunk.self), to: &writer)
        case Acknowledgement.typeCode: try pw_acknowledgement.write(message.body(pw_acknowledgement.self), to: &writer)
        case NegativeAcknowledgement.typeCode: try pw_negative_acknowledgement.write(message.body(pw_negative_acknowledgement.self), to: &writer)
        default: break  // interrogationRequest: no fields
        }
    }

    /// The canonical payload of `message`, checked as a decoder would check it (PW-ENC-5, offsets
    /// from `reportingOffset`), lent to `body`.
    static func withCheckedPayload<R>(
        _ message: UnsafeMutablePointer<pw_message>, reportingOffset: Int,
        _ body: (UnsafeRawBufferPointer) throws(PumpWireError) -> R
    ) throws(PumpWireError) -> R {
        try withPayload(message, reportingOffset: reportingOffset) { (payload) throws(PumpWireError) -> R in
            try check(type: message.pointee.type, payload: payload, reportingOffset: reportingOffset)
            return try body(payload)
        }
    }
}

@_cdecl("pw_message_decode")
public func pw_message_decode(
    _ type: UInt8, _ payload: UnsafePointer<UInt8>?, _ length: Int,
    _ message: UnsafeMutablePointer<pw_message>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try CMessage.decode(type: type, payload: inputBytes(payload, cLength(length)), reportingOffset: 0, into: required(message))
    }
}

@_cdecl("pw_message_encode")
public func pw_message_encode(
    _ message: UnsafePointer<pw_message>?, _ out: UnsafeMutablePointer<UInt8>?, _ capacity: Int,
    _ written: UnsafeMutablePointer<Int>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try CMessage.withCheckedPayload(required(message), reportingOffset: 0) { (payload) throws(PumpWireError) in
            var writer = ByteWriter(outputBytes(out, cLength(capacity)))
            try writer.writeBytes(payload)
            written?.pointee = writer.count
        }
    }
}

@_cdecl("pw_message_digest")
public func pw_message_digest(
    _ message: UnsafePointer<pw_message>?, _ digest: UnsafeMutablePointer<UInt32>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        // PW-CRC-3: the CRC-32 of the canonical payload.
        let crc = try CMessage.withCheckedPayload(required(message), reportingOffset: 0) { (payload) throws(PumpWireError) -> UInt32 in
            CRC32.checksum(payload)
        }
        digest?.pointee = crc
    }
}
