/// What a log reader finds in one place of an image (spec 13.4, PW-LOG-2).
public enum LogItem: Equatable, Sendable {
    /// A record at its image offset.
    case record(offset: Int, LogRecord)
    /// `slots` consecutive erased slots (all `0xff`), the first at `offset`.
    case erased(offset: Int, slots: Int)
    /// A slot that failed PW-LOG-1 at `offset`; the error's offset is the failing field's image offset.
    case rejected(offset: Int, PumpWireError)
}

/// Reads a log image slot by slot without allocating: a damaged slot is reported and the reader
/// goes on with the next one (PW-LOG-2). The image must outlive the reader.
public struct LogReader {
    let image: UnsafeRawBufferPointer
    let region: MemoryRegion?
    var position: Int
    /// Bytes before the first slot boundary, reported once as a partial slot (PW-LOG-1 step 1).
    var leadingPartial: Int

    /// `regionOffset` places the image in its region, so that slots start at multiples of 20 there;
    /// `region` nil accepts the record types of every log region.
    public init(image: UnsafeRawBufferPointer, region: MemoryRegion?, regionOffset: UInt32) {
        self.image = image
        self.region = region
        self.position = 0
        let misalignment = Int(regionOffset % UInt32(LogRecord.size))
        self.leadingPartial = misalignment == 0 ? 0 : min(LogRecord.size - misalignment, image.count)
    }

    public mutating func next() -> LogItem? {
        guard position < image.count else { return nil }
        let start = position
        if leadingPartial > 0 {
            position += leadingPartial
            leadingPartial = 0
            return .rejected(offset: start, PumpWireError(.recordTruncated, at: start))
        }
        guard image.count - position >= LogRecord.size else {  // PW-LOG-1 step 1
            position = image.count
            return .rejected(offset: start, PumpWireError(.recordTruncated, at: start))
        }
        if isErased(at: position) {  // step 2, a run at a time
            var slots = 0
            while image.count - position >= LogRecord.size, isErased(at: position) {
                slots += 1
                position += LogRecord.size
            }
            return .erased(offset: start, slots: slots)
        }
        position += LogRecord.size
        do throws(PumpWireError) {
            let slot = UnsafeRawBufferPointer(rebasing: image[start..<position])
            return .record(offset: start, try LogRecord(decoding: slot, region: region, reportingOffset: start))
        } catch {
            return .rejected(offset: start, error)
        }
    }

    /// The 20 bytes of the slot at image offset `offset` (fewer at the image's end).
    public func slot(at offset: Int) -> UnsafeRawBufferPointer {
        let start = min(max(0, offset), image.count)
        return UnsafeRawBufferPointer(rebasing: image[start..<min(start + LogRecord.size, image.count)])
    }

    func isErased(at start: Int) -> Bool {
        for index in start..<(start + LogRecord.size) where image[index] != 0xFF { return false }
        return true
    }
}
