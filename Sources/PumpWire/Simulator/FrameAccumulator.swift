import PumpWireCore

/// Cuts a byte stream that arrives in pieces (a serial line, a socket) into frames as the pump's
/// receiver would: it looks for the sync word, reads the header's length, and hands over each
/// frame's bytes once all have arrived, CRC unchecked (the pump checks, spec 4.2). Bytes before a
/// sync word, and a header whose length is above the limit, are skipped (spec 4.3).
public struct FrameAccumulator: Sendable {
    private var buffer: [UInt8] = []
    /// Bytes skipped as noise so far.
    public private(set) var skippedBytes = 0

    public init() {}

    /// Bytes held for a frame not yet complete.
    public var pendingCount: Int { buffer.count }

    /// Adds `bytes` and returns every frame they complete, in order.
    public mutating func append(_ bytes: [UInt8]) -> [[UInt8]] {
        buffer += bytes
        var frames: [[UInt8]] = []
        while let frame = nextFrame() { frames.append(frame) }
        return frames
    }

    /// Drops a frame that never completed (the line went quiet: the sender gave up on it).
    public mutating func discardPartial() {
        skippedBytes += buffer.count
        buffer.removeAll()
    }

    private mutating func nextFrame() -> [UInt8]? {
        while true {
            guard let sync = syncIndex() else {
                // Keep a last 0xa5: it may be the first half of a sync word.
                let keep = buffer.last == 0xa5 ? 1 : 0
                skippedBytes += buffer.count - keep
                buffer.removeFirst(buffer.count - keep)
                return nil
            }
            if sync > 0 {
                skippedBytes += sync
                buffer.removeFirst(sync)
            }
            guard buffer.count >= WireLimits.headerSize else { return nil }
            let payloadLength = Int(buffer[7]) | Int(buffer[8]) << 8
            guard payloadLength <= WireLimits.maxFramePayload else {
                skippedBytes += 1
                buffer.removeFirst()  // not a frame: look for the next sync word
                continue
            }
            let sealed = buffer[4] & FrameFlags.authenticated.rawValue != 0
            let length = WireLimits.headerSize + payloadLength + (sealed ? WireLimits.authenticationBlockSize : 0) + WireLimits.crcSize
            guard buffer.count >= length else { return nil }
            defer { buffer.removeFirst(length) }
            return Array(buffer[..<length])
        }
    }

    private func syncIndex() -> Int? {
        guard buffer.count >= 2 else { return nil }
        for index in 0..<(buffer.count - 1) where buffer[index] == 0xa5 && buffer[index + 1] == 0xc3 { return index }
        return nil
    }
}
