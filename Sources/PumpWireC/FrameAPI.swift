import CPumpWire
import PumpWireCore

/// The frame layer of pumpwire.h: `pw_frame` to and from frame bytes (spec sections 4 to 6).
enum CFrame {
    static let fragmentFlag = UInt8(PW_FRAME_FRAGMENT.rawValue)
    static let authenticatedFlag = UInt8(PW_FRAME_AUTHENTICATED.rawValue)

    /// Every check of 4.2, then 5.2 or the payload; fills `frame`.
    static func decode(_ bytes: UnsafeRawBufferPointer, into frame: UnsafeMutablePointer<pw_frame>) throws(PumpWireError) {
        let view = try FrameView.decode(bytes, exactly: true)
        if view.authentication != nil, view.fragment == nil {
            // PW-AUTH-3: sealed, the ciphertext kept as it is, never decoded.
            let payload = view.payload(in: bytes)
            zero(&frame.pointee.message)
            let message = withUnsafeMutablePointer(to: &frame.pointee.message) { $0 }
            message.pointee.type = view.messageType
            let unknown = message.body(pw_unknown_message.self)
            unknown.pointee.length = UInt16(truncatingIfNeeded: payload.count)
            let storage = withUnsafeMutablePointer(to: &unknown.pointee.payload) { cBytes($0, count: payload.count) }
            if payload.count > 0 { storage.copyMemory(from: payload) }
        } else if view.fragment == nil {
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

    /// Writes exactly this frame. Every check a decoder of the frame would make comes before the
    /// buffer can run out, in the decoder's order (PW-ENC-5): flags (PW-FRAME-4), the payload
    /// length (PW-FRAME-5), then the fragment header (5.2) or the message (section 9), with frame
    /// offsets (PW-ENC-6). Only then BUFFER_TOO_SMALL, at the output offset where it ran out.
    static func encode(_ frame: UnsafeMutablePointer<pw_frame>, into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Int {
        let flags = frame.pointee.flags
        try PumpWireError.check(flags & ~(fragmentFlag | authenticatedFlag) == 0, .nonCanonical, at: 4)  // PW-FRAME-4
        let authentication = flags & authenticatedFlag != 0 ? frame.pointee.authentication : nil
        var writer = ByteWriter(buffer)
        if flags & fragmentFlag != 0 {
            let fragment = withUnsafeMutablePointer(to: &frame.pointee.fragment) { $0 }
            let dataLength = Int(fragment.pointee.data_length)
            try PumpWireError.check(
                WireLimits.fragmentHeaderSize + dataLength <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)  // PW-FRAME-5
            let header = FragmentHeader(index: fragment.pointee.index, count: fragment.pointee.count, totalLength: fragment.pointee.total_length)
            try header.check(dataLength: dataLength)  // 5.2, frame offsets
            let data = withUnsafeMutablePointer(to: &fragment.pointee.data) { cBytes($0, count: dataLength) }
            try writeFrame(type: fragment.pointee.message_type, flags: flags, sequence: frame.pointee.sequence,
                           authentication: authentication, to: &writer) { (writer) throws(PumpWireError) in
                try writer.writeUInt8(header.index)
                try writer.writeUInt8(header.count)
                try writer.writeUInt16(header.totalLength)
                try writer.writeBytes(UnsafeRawBufferPointer(data))
            }
        } else if authentication != nil {
            // PW-AUTH-3: a sealed frame's ciphertext, written as it is.
            let message = withUnsafeMutablePointer(to: &frame.pointee.message) { $0 }
            let unknown = message.body(pw_unknown_message.self)
            let length = Int(unknown.pointee.length)
            try PumpWireError.check(length <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)  // PW-FRAME-5
            let ciphertext = withUnsafeMutablePointer(to: &unknown.pointee.payload) { cBytes($0, count: length) }
            try writeFrame(type: message.pointee.type, flags: flags, sequence: frame.pointee.sequence,
                           authentication: authentication, to: &writer) { (writer) throws(PumpWireError) in
                try writer.writeBytes(UnsafeRawBufferPointer(ciphertext))
            }
        } else {
            let message = withUnsafeMutablePointer(to: &frame.pointee.message) { $0 }
            if !CMessage.isCatalogued(message.pointee.type) {
                // An unknown message's struct may declare up to 65535 bytes: PW-FRAME-5 all the same.
                let length = Int(message.body(pw_unknown_message.self).pointee.length)
                try PumpWireError.check(length <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)
            }
            try CMessage.withPayload(message, reportingOffset: FrameView.payloadOffset) { (payload) throws(PumpWireError) in
                try PumpWireError.check(payload.count <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)  // PW-FRAME-5
                try CMessage.check(type: message.pointee.type, payload: payload, reportingOffset: FrameView.payloadOffset)
                try writeFrame(type: message.pointee.type, flags: flags, sequence: frame.pointee.sequence,
                               authentication: authentication, to: &writer) { (writer) throws(PumpWireError) in
                    try writer.writeBytes(payload)
                }
            }
        }
        _ = try FrameView.decode(writer.written, exactly: true)  // 4.2 and 5.2 on what was written
        return writer.count
    }

    /// Header, payload, authentication block and CRC (4.1), for a payload already checked.
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
        try payload(&writer)
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

    /// One frame, or fragments back to back when the payload exceeds 240 bytes (PW-FRAG-1). The
    /// message is checked before anything is written (PW-ENC-5 before BUFFER_TOO_SMALL): one frame
    /// reports frame offsets, fragments report payload offsets (PW-ENC-6, PW-FRAG-12).
    static func encodeFrames(
        _ message: UnsafeMutablePointer<pw_message>, sequence: UInt16,
        authentication: pw_authentication_block?, into buffer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) -> Int {
        try CMessage.withPayload(message, reportingOffset: 0) { (payload) throws(PumpWireError) -> Int in
            let type = message.pointee.type
            if payload.count <= WireLimits.maxFramePayload {
                try CMessage.check(type: type, payload: payload, reportingOffset: FrameView.payloadOffset)
                var writer = ByteWriter(buffer)
                try writeFrame(type: type, flags: authentication == nil ? 0 : authenticatedFlag, sequence: sequence,
                               authentication: authentication, to: &writer) { (writer) throws(PumpWireError) in
                    try writer.writeBytes(payload)
                }
                return writer.count
            }
            try CMessage.check(type: type, payload: payload, reportingOffset: 0)
            // Version 1 has no tag per fragment (section 6).
            try PumpWireError.check(authentication == nil, .nonCanonical, at: 4)
            let payloadStart = FrameEncoder.fragmentedPayloadStart(payloadSize: payload.count)
            try PumpWireError.check(buffer.count >= payloadStart + payload.count, .bufferTooSmall, at: buffer.count)
            // The payload where FrameEncoder.writeFragments expects it; it writes the frames in place.
            let destination = UnsafeMutableRawBufferPointer(rebasing: buffer[payloadStart..<(payloadStart + payload.count)])
            destination.copyMemory(from: payload)
            return try FrameEncoder.writeFragments(typeCode: type, sequence: sequence, payloadSize: payload.count, in: buffer)
        }
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
