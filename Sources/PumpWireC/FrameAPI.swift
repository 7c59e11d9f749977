import CPumpWire
import PumpWireCore

/// The frame layer of pumpwire.h: `pw_frame` to and from frame bytes (spec sections 4 to 6).
enum CFrame {
    static let fragmentFlag = UInt8(PW_FRAME_FRAGMENT.rawValue)
    static let authenticatedFlag = UInt8(PW_FRAME_AUTHENTICATED.rawValue)

    /// Every check of 4.2, then 5.2 or the payload; fills `frame`.
    static func decode(_ bytes: UnsafeRawBufferPointer, into frame: UnsafeMutablePointer<pw_frame>) throws(PumpWireError) {
        let view = try FrameView.decode(bytes, exactly: true)
        if view.fragment == nil {
            // Step 10 before anything is written, so a rejected frame leaves no half-filled message.
            try CMessage.decode(
                type: view.messageType, payload: view.payload(in: bytes), reportingOffset: FrameView.payloadOffset,
                into: &frame.pointee.message)
        } else {
            zero(&frame.pointee.message)
        }
        zero(&frame.pointee.fragment)
        zero(&frame.pointee.authentication)
        frame.pointee.sequence = view.sequence
        frame.pointee.flags = view.flags.rawValue
        if let authentication = view.authentication {
            frame.pointee.authentication.freshness_counter = authentication.freshnessCounter
            let tag = withUnsafeMutablePointer(to: &frame.pointee.authentication.tag) { cBytes($0, count: AuthenticationBlock.tagSize) }
            authentication.tag.withUnsafeBytes { tag.copyMemory(from: $0) }
        }
        if let header = view.fragment {
            let data = view.fragmentData(in: bytes)
            frame.pointee.fragment.message_type = view.messageType
            frame.pointee.fragment.index = header.index
            frame.pointee.fragment.count = header.count
            frame.pointee.fragment.total_length = header.totalLength
            frame.pointee.fragment.data_length = UInt8(truncatingIfNeeded: data.count)
            let storage = withUnsafeMutablePointer(to: &frame.pointee.fragment.data) { cBytes($0, count: data.count) }
            storage.copyMemory(from: data)
        }
    }

    /// Writes exactly this frame, then checks the written frame as a decoder would (PW-ENC-5), so
    /// errors carry frame offsets. BUFFER_TOO_SMALL carries the output offset.
    static func encode(_ frame: UnsafeMutablePointer<pw_frame>, into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Int {
        let flags = frame.pointee.flags
        try PumpWireError.check(flags & ~(fragmentFlag | authenticatedFlag) == 0, .nonCanonical, at: 4)  // PW-FRAME-4
        let isFragment = flags & fragmentFlag != 0
        let type = isFragment ? frame.pointee.fragment.message_type : frame.pointee.message.type
        let authentication = flags & authenticatedFlag != 0 ? frame.pointee.authentication : nil
        var writer = ByteWriter(buffer)
        try writeFrame(type: type, flags: flags, sequence: frame.pointee.sequence, authentication: authentication, to: &writer) {
            (writer) throws(PumpWireError) in
            if isFragment {
                try writeFragment(&frame.pointee.fragment, to: &writer)
            } else {
                try CMessage.encode(&frame.pointee.message, to: &writer)
            }
        }
        _ = try FrameView.decode(writer.written, exactly: true)  // 4.2 and 5.2 on what was written
        return writer.count
    }

    /// Header, payload, authentication block and CRC (4.1). Payload errors become frame offsets.
    static func writeFrame(
        type: UInt8, flags: UInt8, sequence: UInt16, authentication: pw_authentication_block?,
        to writer: inout ByteWriter, payload: (inout ByteWriter) throws(PumpWireError) -> Void
    ) throws(PumpWireError) {
        try writer.writeUInt8(WireLimits.syncByte0)
        try writer.writeUInt8(WireLimits.syncByte1)
        try writer.writeUInt8(WireLimits.version)
        try writer.writeUInt8(type)
        try writer.writeUInt8(flags)
        try writer.writeUInt16(sequence)
        try writer.writeUInt16(0)  // the payload length, set below
        let payloadStart = writer.count
        do {
            try payload(&writer)
        } catch where error.code != .bufferTooSmall {
            throw PumpWireError(error.code, at: payloadStart + error.offset)  // PW-ENC-6
        }
        let payloadLength = writer.count - payloadStart
        try PumpWireError.check(payloadLength <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)  // PW-FRAME-5
        let end = writer.count
        writer.rewind(to: 7)
        try writer.writeUInt16(UInt16(payloadLength))
        writer.skip(end - writer.count)
        if var authentication {
            try writer.writeUInt32(authentication.freshness_counter)
            try withUnsafeBytes(of: &authentication.tag) { (tag) throws(PumpWireError) in try writer.writeBytes(tag) }
        }
        try writer.writeUInt16(CRC16.checksum(writer.written))
    }

    /// The fragment header and data of 5.1; their checks (5.2) are the decoder's, on the frame written.
    static func writeFragment(_ fragment: UnsafeMutablePointer<pw_fragment>, to writer: inout ByteWriter) throws(PumpWireError) {
        try writer.writeUInt8(fragment.pointee.index)
        try writer.writeUInt8(fragment.pointee.count)
        try writer.writeUInt16(fragment.pointee.total_length)
        let length = Int(fragment.pointee.data_length)
        try PumpWireError.check(length <= WireLimits.fragmentDataSize, .fragmentSizeInvalid, at: 0)
        let data = withUnsafeMutablePointer(to: &fragment.pointee.data) { cBytes($0, count: length) }
        try writer.writeBytes(UnsafeRawBufferPointer(data))
    }

    /// One frame, or fragments back to back when the payload exceeds 240 bytes (PW-FRAG-1).
    static func encodeFrames(
        _ message: UnsafeMutablePointer<pw_message>, sequence: UInt16,
        authentication: pw_authentication_block?, into buffer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        // The fields first, at the front, to learn the payload's size: one frame reports frame
        // offsets, fragments report payload offsets (PW-ENC-6, PW-FRAG-12).
        var payloadWriter = ByteWriter(buffer)
        try CMessage.writeFields(message, to: &payloadWriter)
        let payloadSize = payloadWriter.count
        let flags = authentication == nil ? 0 : authenticatedFlag
        if payloadSize <= WireLimits.maxFramePayload {
            var writer = ByteWriter(buffer)
            try writeFrame(type: message.pointee.type, flags: flags, sequence: sequence, authentication: authentication, to: &writer) {
                (writer) throws(PumpWireError) in try CMessage.encode(message, to: &writer)
            }
            return writer.count
        }
        try CMessage.check(type: message.pointee.type, payload: payloadWriter.written, reportingOffset: 0)
        // Version 1 has no tag per fragment (section 6).
        try PumpWireError.check(authentication == nil, .nonCanonical, at: 4)
        let payloadStart = FrameEncoder.fragmentedPayloadStart(payloadSize: payloadSize)
        try PumpWireError.check(buffer.count >= payloadStart + payloadSize, .bufferTooSmall, at: buffer.count)
        let destination = UnsafeMutableRawPointer(buffer.baseAddress!) + payloadStart
        destination.copyMemory(from: UnsafeRawPointer(buffer.baseAddress!), byteCount: payloadSize)  // memmove
        return try FrameEncoder.writeFragments(typeCode: message.pointee.type, sequence: sequence, payloadSize: payloadSize, in: buffer)
    }
}

@_cdecl("pw_frame_decode")
public func pw_frame_decode(
    _ bytes: UnsafePointer<UInt8>?, _ length: Int, _ frame: UnsafeMutablePointer<pw_frame>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        try CFrame.decode(inputBytes(bytes, cLength(length)), into: required(frame))
    }
}

@_cdecl("pw_frame_encode")
public func pw_frame_encode(
    _ frame: UnsafePointer<pw_frame>?, _ out: UnsafeMutablePointer<UInt8>?, _ capacity: Int,
    _ written: UnsafeMutablePointer<Int>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let count = try CFrame.encode(required(frame), into: outputBytes(out, cLength(capacity)))
        written?.pointee = count
    }
}

@_cdecl("pw_message_encode_frames")
public func pw_message_encode_frames(
    _ message: UnsafePointer<pw_message>?, _ sequence: UInt16, _ authentication: UnsafePointer<pw_authentication_block>?,
    _ out: UnsafeMutablePointer<UInt8>?, _ capacity: Int, _ written: UnsafeMutablePointer<Int>?,
    _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let count = try CFrame.encodeFrames(
            required(message), sequence: sequence, authentication: authentication?.pointee,
            into: outputBytes(out, cLength(capacity)))
        written?.pointee = count
    }
}
