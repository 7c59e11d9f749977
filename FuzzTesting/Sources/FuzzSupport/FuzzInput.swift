import CFuzzDriver
import PumpWire
import PumpWireCore

/// The first byte of every fuzz input is an option byte (FuzzTesting/README.md):
/// - bit 0: set the CRC of each frame right before decoding, so that coverage reaches the
///   payload parsers instead of stopping at BAD_CRC;
/// - bits 1 to 7: free for the target (a message type, a split point).
public struct FuzzInput {
    public var fixCRC: Bool
    public var option: UInt8
    public var bytes: [UInt8]

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let all = Array(UnsafeBufferPointer(start: data, count: size))
        option = all.first ?? 0
        fixCRC = option & 1 != 0
        bytes = Array(all.dropFirst())
    }

    /// The input as one frame, its CRC set right when asked.
    public var frame: [UInt8] {
        var frame = bytes
        if fixCRC { Frame.setCRC(in: &frame) }
        return frame
    }

    /// The input cut into frames at each sync word, each CRC set right when asked.
    public var frames: [[UInt8]] {
        var frames: [[UInt8]] = []
        var start = 0
        var index = 1
        while index < bytes.count {
            if bytes[index] == 0xA5, index + 1 < bytes.count, bytes[index + 1] == 0xC3 {
                frames.append(Array(bytes[start..<index]))
                start = index
            }
            index += 1
        }
        if start < bytes.count { frames.append(Array(bytes[start...])) }
        if fixCRC { for i in frames.indices { Frame.setCRC(in: &frames[i]) } }
        return frames
    }
}

/// Decodes a payload of `type`, and checks the round trip: an accepted payload re-encodes to itself.
/// A broken invariant traps, which libFuzzer reports as a crash with the input.
public func checkPayload(type: UInt8, _ payload: [UInt8]) {
    let decoded = payload.withUnsafeBytes { raw in
        Result { () throws(PumpWireError) -> Message in try Message.decode(typeCode: type, payload: raw, reportingOffset: 0) }
    }
    switch decoded {
    case .success(let message):
        var buffer = [UInt8](repeating: 0, count: 1024)
        let written = buffer.withUnsafeMutableBytes { raw -> Int in
            var writer = ByteWriter(raw)
            do { try message.encodePayload(into: &writer) } catch { fatalError("accepted payload not encodable: \(error)") }
            return writer.count
        }
        precondition(Array(buffer[..<written]) == payload, "accepted payload is not canonical")
    case .failure(let error):
        precondition(error.offset >= 0 && error.offset <= payload.count, "error offset outside the payload")
        precondition((1...63).contains(error.code.rawValue), "not a decoder error code")
    }
}

/// Decodes one frame and checks the round trip and the error's offset and code.
public func checkFrame(_ frame: [UInt8]) {
    let decoded = frame.withUnsafeBytes { raw in Result { () throws(PumpWireError) -> Frame in try Frame.decode(raw) } }
    switch decoded {
    case .success(let value):
        var buffer = [UInt8](repeating: 0, count: WireLimits.maxFrameSize)
        let written = buffer.withUnsafeMutableBytes { raw -> Int in
            do { return try value.encode(into: raw) } catch { fatalError("accepted frame not encodable: \(error)") }
        }
        precondition(Array(buffer[..<written]) == frame, "accepted frame is not canonical")
    case .failure(let error):
        precondition(error.offset >= 0 && error.offset <= frame.count, "error offset outside the frame")
        precondition((1...63).contains(error.code.rawValue), "not a decoder error code")
    }
}

/// Hands control to libFuzzer with `body` as the target (see CFuzzDriver.h for why).
public func runLibFuzzer(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32 {
    pumpwire_fuzz_main(argc, argv, body)
}

extension FuzzInput {
    /// The input libFuzzer passes (a null pointer for no bytes).
    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        guard let data, size > 0 else {
            self.init(option: 0, bytes: [])
            return
        }
        self.init(data, size)
    }

    /// An input made by a target itself (the frames of a sealed message, say).
    public init(option: UInt8, bytes: [UInt8]) {
        self.option = option
        self.fixCRC = option & 1 != 0
        self.bytes = bytes
    }
}

/// `precondition` that keeps its message in release builds (-O drops precondition's), so that a
/// crash report says which invariant broke.
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
