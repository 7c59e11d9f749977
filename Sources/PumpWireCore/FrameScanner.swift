/// One step of reading a byte stream (spec 4.3).
public enum ScanEvent: Equatable, Sendable {
    /// A frame that passed the frame checks, starting at stream offset `start`.
    case frame(FrameView, start: Int)
    /// Bytes from `start` rejected with `error` (its offset counts from `start`).
    case rejected(PumpWireError, start: Int)
}

/// Reads frames from a byte stream (a log, a capture), resynchronising on the sync word after
/// noise or a bad frame, and never stopping at the first error (PW-FRAME-10).
public struct FrameScanner {
    private let bytes: UnsafeRawBufferPointer
    /// Stream offset of the next byte to read.
    public private(set) var position = 0

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    public mutating func next() -> ScanEvent? {
        guard position < bytes.count else { return nil }
        let start = position
        if !startsWithSync(at: start) {
            // A run of noise is reported once, as BAD_SYNC at its start.
            position = nextSync(after: start)
            return .rejected(PumpWireError(.badSync, at: 0), start: start)
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
        do {
            let view = try FrameView.decode(rest, exactly: false)
            position = start + view.length
            return .frame(view, start: start)
        } catch {
            // Resume at the next sync word; a frame cut off by the end of the stream ends it
            // unless a sync word follows inside the tail (its length may have been corrupted).
            position = nextSync(after: start)
            return .rejected(error, start: start)
        }
    }

    /// Goes back to the next sync word after `start`: for a frame that passed the frame checks but
    /// whose payload a later step rejected (spec 4.3, step 3, applies to every error). Any `start`
    /// is safe (PW-FRAME-10): at or past the end of the stream the scanner is at its end, and a
    /// negative one finds the first sync word of the stream.
    public mutating func resynchronize(afterFrameAt start: Int) {
        if start >= bytes.count || bytes.isEmpty {
            position = bytes.count  // nothing after it (and `start + 1` could overflow)
        } else if start >= 0 {
            position = nextSync(after: start)
        } else {
            position = startsWithSync(at: 0) ? 0 : nextSync(after: 0)  // before the stream
        }
    }

    /// The bytes of a frame reported by `next()`, for `FrameView` accessors.
    public func frameBytes(_ view: FrameView, start: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[start..<(start + view.length)])
    }

    private func startsWithSync(at index: Int) -> Bool {
        if bytes[index] != WireLimits.syncByte0 { return false }
        // A lone 0xA5 at the very end may be the start of a cut-off frame.
        return index + 1 == bytes.count || bytes[index + 1] == WireLimits.syncByte1
    }

    private func nextSync(after index: Int) -> Int {
        var i = index + 1
        while i < bytes.count {
            if startsWithSync(at: i) { return i }
            i += 1
        }
        return bytes.count
    }
}
