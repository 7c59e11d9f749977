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

/// The content of a sealed frame seen without the session's keys (PW-AUTH-3, spec/security.md
/// PW-SEC-1): its type code, its fragment header if FRAGMENT is set, and the ciphertext, which is
/// never decoded as a message.
public struct SealedPayload: Equatable, Sendable {
    public var typeCode: UInt8
    /// Checked as 4.2 step 9 says, when FRAGMENT is set.
    public var fragment: FragmentHeader?
    /// The payload after the fragment header, if any: ciphertext.
    public var ciphertext: BoundedArray<240, UInt8>

    public init(typeCode: UInt8, fragment: FragmentHeader? = nil, ciphertext: BoundedArray<240, UInt8>) {
        self.typeCode = typeCode
        self.fragment = fragment
        self.ciphertext = ciphertext
    }

    /// The frame payload's length: the fragment header and the ciphertext.
    public var payloadLength: Int { (fragment == nil ? 0 : WireLimits.fragmentHeaderSize) + ciphertext.count }
}

/// What one frame carries: a whole message, a fragment of one, or a sealed payload.
public enum FrameContent: Equatable, Sendable {
    case message(Message)
    case fragment(FragmentFrame)
    /// A frame with the AUTHENTICATED flag, decoded without keys (PW-AUTH-3).
    case sealed(SealedPayload)
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
        case .sealed(let sealed): sealed.typeCode
        }
    }

    /// Whether this frame is sealed (has the AUTHENTICATED flag and a block). Never "authenticated":
    /// only opening it with the session's keys tells that (PW-AUTH-4).
    public var isSealed: Bool {
        if case .sealed = content { return true }
        return false
    }

    /// Decodes exactly one frame: every check of spec 4.2, in order.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(PumpWireError) -> Frame {
        let view = try FrameView.decode(bytes, exactly: true)
        return try Frame(view, in: bytes)
    }

    /// Builds the frame from a view made by `FrameView.decode` over the same bytes. A frame with
    /// the AUTHENTICATED flag is sealed: its payload is ciphertext, never decoded (PW-AUTH-3).
    public init(_ view: FrameView, in bytes: UnsafeRawBufferPointer) throws(PumpWireError) {
        if view.authentication != nil {
            let ciphertext = view.fragment == nil ? view.payload(in: bytes) : view.fragmentData(in: bytes)
            self.init(sequence: view.sequence, authentication: view.authentication, content: .sealed(SealedPayload(
                typeCode: view.messageType, fragment: view.fragment, ciphertext: try BoundedArray(copying: ciphertext))))
            return
        }
        try self.init(opened: view, in: bytes)
    }

    /// Builds the frame from a view of cleartext bytes, the AUTHENTICATED flag notwithstanding:
    /// for a frame that `SealedChannel` has opened in place (4.2 step 10 on the plaintext).
    public init(opened view: FrameView, in bytes: UnsafeRawBufferPointer) throws(PumpWireError) {
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
        case .sealed(let sealed):
            // PW-AUTH-3: a sealed frame has its block; without one it is not a sealed frame.
            guard let authentication else { throw PumpWireError(.nonCanonical, at: 4) }
            if let header = sealed.fragment {
                flags.insert(.fragment)
                try header.check(dataLength: sealed.ciphertext.count)  // PW-ENC-5, 4.2 step 9
            }
            try require(sealed.payloadLength <= WireLimits.maxFramePayload, .payloadTooLarge, at: 7)  // PW-FRAME-5
            try FrameEncoder.writeHeader(typeCode: sealed.typeCode, flags: flags, sequence: sequence, to: &writer)
            let payloadStart = writer.count
            if let header = sealed.fragment {
                try writer.writeUInt8(header.index)
                try writer.writeUInt8(header.count)
                try writer.writeUInt16(header.totalLength)
            }
            try sealed.ciphertext.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
            try FrameEncoder.finishFrame(payloadStart: payloadStart, authentication: authentication, writer: &writer)
        }
        return writer.count
    }
}
