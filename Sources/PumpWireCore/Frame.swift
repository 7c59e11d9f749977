/// One fragment frame's content (spec 5.1): which message it belongs to and its part of it.
public struct FragmentFrame: Equatable, Sendable {
    public var typeCode: UInt8
    public var header: FragmentHeader
    public var data: BoundedArray<236, UInt8>

    public init(typeCode: UInt8, header: FragmentHeader, data: BoundedArray<236, UInt8>) {
        self.typeCode = typeCode
        self.header = header
        self.data = data
    }
}

/// What one frame carries: a whole message, or a fragment of one.
public enum FrameContent: Equatable, Sendable {
    case message(Message)
    case fragment(FragmentFrame)
}

/// One frame, fully decoded (spec section 4), and able to re-encode itself byte for byte.
public struct Frame: Equatable, Sendable {
    public var sequence: UInt16
    public var authentication: AuthenticationBlock?
    public var content: FrameContent

    public init(sequence: UInt16, authentication: AuthenticationBlock? = nil, content: FrameContent) {
        self.sequence = sequence
        self.authentication = authentication
        self.content = content
    }

    public init(sequence: UInt16, message: Message) {
        self.init(sequence: sequence, content: .message(message))
    }

    public var typeCode: UInt8 {
        switch content {
        case .message(let message): message.typeCode
        case .fragment(let fragment): fragment.typeCode
        }
    }

    /// Decodes exactly one frame: every check of spec 4.2, in order.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(PumpWireError) -> Frame {
        let view = try FrameView.decode(bytes, exactly: true)
        return try Frame(view, in: bytes)
    }

    /// Builds the frame from a view made by `FrameView.decode` over the same bytes.
    public init(_ view: FrameView, in bytes: UnsafeRawBufferPointer) throws(PumpWireError) {
        sequence = view.sequence
        authentication = view.authentication
        if let header = view.fragment {
            content = .fragment(FragmentFrame(
                typeCode: view.messageType, header: header,
                data: try BoundedArray(copying: view.fragmentData(in: bytes))))
        } else {
            content = .message(try view.message(in: bytes))
        }
    }

    /// Writes exactly this frame. A message whose payload exceeds one frame is PAYLOAD_TOO_LARGE
    /// here; `FrameEncoder.encode` fragments it. Errors carry frame offsets, as a decoder of the
    /// frame would report them; BUFFER_TOO_SMALL carries the output offset. Returns the bytes written.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) throws(PumpWireError) -> Int {
        var writer = ByteWriter(buffer)
        var flags = FrameFlags(rawValue: authentication == nil ? 0 : FrameFlags.authenticated.rawValue)
        switch content {
        case .message(let message):
            try require(message.payloadSize <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)  // PW-FRAME-5
            let frameSize = WireLimits.headerSize + message.payloadSize + WireLimits.crcSize
                + (authentication == nil ? 0 : WireLimits.authenticationBlockSize)
            if buffer.count < frameSize {
                // PW-ENC-5 before BUFFER_TOO_SMALL, with frame offsets (PW-ENC-6).
                do { try message.validate() } catch { throw PumpWireError(error.code, at: WireLimits.headerSize + error.offset) }
            }
            try FrameEncoder.writeHeader(typeCode: message.typeCode, flags: flags, sequence: sequence, to: &writer)
            let payloadStart = writer.count
            do {
                try message.encodePayload(into: &writer)
            } catch where error.code != .bufferTooSmall {
                // Offsets as a decoder of this frame would report them (PW-ENC-6).
                throw PumpWireError(error.code, at: payloadStart + error.offset)
            }
            try FrameEncoder.finishFrame(payloadStart: payloadStart, authentication: authentication, writer: &writer)
        case .fragment(let fragment):
            flags.insert(.fragment)
            try fragment.header.check(dataLength: fragment.data.count)  // PW-ENC-5
            try FrameEncoder.writeHeader(typeCode: fragment.typeCode, flags: flags, sequence: sequence, to: &writer)
            let payloadStart = writer.count
            try writer.writeUInt8(fragment.header.index)
            try writer.writeUInt8(fragment.header.count)
            try writer.writeUInt16(fragment.header.totalLength)
            try fragment.data.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
            try FrameEncoder.finishFrame(payloadStart: payloadStart, authentication: authentication, writer: &writer)
        }
        return writer.count
    }
}
