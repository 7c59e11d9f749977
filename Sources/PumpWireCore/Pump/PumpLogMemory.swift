/// The pump's three log regions (spec/behaviour.md section 10, Appendix P): rings of 20-byte slots,
/// erased (`0xff`) from the factory, and the `rawAddress` view that lays them end to end. The
/// storage is inline and sized for Appendix P: 5120 + 1280 + 2560 bytes, never on the heap.
public struct PumpLogMemory: Sendable {
    public static let maxEventLogSlots = 256
    public static let maxAlarmLogSlots = 64
    public static let maxTherapyHistorySlots = 128

    var eventLog: InlineArray<5120, UInt8>  // maxEventLogSlots * LogRecord.size
    var alarmLog: InlineArray<1280, UInt8>  // maxAlarmLogSlots * LogRecord.size
    var therapyHistory: InlineArray<2560, UInt8>  // maxTherapyHistorySlots * LogRecord.size
    private(set) var eventLogSlots: Int
    private(set) var alarmLogSlots: Int
    private(set) var therapyHistorySlots: Int
    /// The slot the next record of each region goes to: `n mod capacity` (PW-PUMP-24).
    var nextEventSlot = 0
    var nextAlarmSlot = 0
    var nextTherapySlot = 0
    /// Records written in all regions, modulo 2^32 (PUMP_OBSERVE, `conformance.md` 2.4.11).
    public private(set) var recordsWritten: UInt32 = 0

    /// Erased regions (every byte `0xff`) of the profile's capacities.
    public init(profile: PumpProfile) {
        eventLog = InlineArray(repeating: 0xFF)
        alarmLog = InlineArray(repeating: 0xFF)
        therapyHistory = InlineArray(repeating: 0xFF)
        eventLogSlots = profile.eventLogSlots
        alarmLogSlots = profile.alarmLogSlots
        therapyHistorySlots = profile.therapyHistorySlots
    }

    /// Erased in place, with the capacities of `profile` from now on.
    public mutating func erase(profile: PumpProfile) {
        eventLogSlots = profile.eventLogSlots
        alarmLogSlots = profile.alarmLogSlots
        therapyHistorySlots = profile.therapyHistorySlots
        erase()
    }

    /// Every byte back to `0xff`, in place, and no record written (a pump fresh from the factory).
    public mutating func erase() {
        for i in 0..<eventLog.count { eventLog[i] = 0xFF }
        for i in 0..<alarmLog.count { alarmLog[i] = 0xFF }
        for i in 0..<therapyHistory.count { therapyHistory[i] = 0xFF }
        nextEventSlot = 0
        nextAlarmSlot = 0
        nextTherapySlot = 0
        recordsWritten = 0
    }

    /// The region's length in bytes; for `rawAddress`, the three laid end to end (PW-PUMP-25).
    public func size(of region: MemoryRegion) -> Int {
        switch region {
        case .eventLog: eventLogSlots * LogRecord.size
        case .alarmLog: alarmLogSlots * LogRecord.size
        case .therapyHistory: therapyHistorySlots * LogRecord.size
        case .rawAddress: (eventLogSlots + alarmLogSlots + therapyHistorySlots) * LogRecord.size
        }
    }

    /// Writes `record` whole, with its CRC, in the region's next slot (PW-PUMP-24, PW-LOG-3). A
    /// record a reader would reject is not written (false): a region never holds a bad record.
    @discardableResult
    public mutating func append(_ record: LogRecord, to region: MemoryRegion) -> Bool {
        var scratch = InlineArray<20, UInt8>(repeating: 0)  // LogRecord.size
        var scratchSpan = scratch.mutableSpan
        let encoded = scratchSpan.withUnsafeMutableBytes { (raw) -> Bool in
            do throws(PumpWireError) {
                try record.encode(into: raw)
                return true
            } catch {
                return false
            }
        }
        guard encoded else { return false }
        switch region {
        case .eventLog:
            Self.copy(scratch, into: &eventLog, slot: nextEventSlot)
            nextEventSlot = (nextEventSlot + 1) % eventLogSlots
        case .alarmLog:
            Self.copy(scratch, into: &alarmLog, slot: nextAlarmSlot)
            nextAlarmSlot = (nextAlarmSlot + 1) % alarmLogSlots
        case .therapyHistory:
            Self.copy(scratch, into: &therapyHistory, slot: nextTherapySlot)
            nextTherapySlot = (nextTherapySlot + 1) % therapyHistorySlots
        case .rawAddress:
            return false  // memory as it is: it holds no records of its own (13.4)
        }
        recordsWritten &+= 1
        return true
    }

    private static func copy<let count: Int>(_ record: InlineArray<20, UInt8>, into storage: inout InlineArray<count, UInt8>, slot: Int) {
        let base = slot * LogRecord.size
        for i in 0..<LogRecord.size { storage[base + i] = record[i] }
    }

    /// Copies `length` bytes at `offset` of `region` into `buffer`: FIELD_OUT_OF_RANGE at 5 (the
    /// length of PUMP_READ_MEMORY, `conformance.md` 2.4.11) when they run past the region's end
    /// (PW-DUMP-10), BUFFER_TOO_SMALL when `buffer` is shorter than `length`.
    public func read(
        region: MemoryRegion, offset: UInt32, length: UInt32, into buffer: UnsafeMutableRawBufferPointer
    ) throws(PumpWireError) {
        try require(contains(region: region, offset: offset, length: length), .fieldOutOfRange, at: 5)
        try require(buffer.count >= Int(length), .bufferTooSmall, at: buffer.count)
        var written = 0
        forEachPiece(region: region, offset: Int(offset), length: Int(length)) { (piece) in
            UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + piece.count)]).copyMemory(from: piece)
            written += piece.count
        }
    }

    /// Copies `length` bytes at `offset` of `region`, which must lie inside it, into `storage` from
    /// `start` (a dump chunk's data, PW-PUMP-25).
    func copy<let count: Int>(region: MemoryRegion, offset: Int, length: Int, into storage: inout InlineArray<count, UInt8>, at start: Int) {
        var written = start
        forEachPiece(region: region, offset: offset, length: length) { (piece) in
            for i in 0..<piece.count { storage[written + i] = piece[i] }
            written += piece.count
        }
    }

    /// Whether `offset ..< offset + length` lies inside `region` (PW-DUMP-10), in 64 bits.
    public func contains(region: MemoryRegion, offset: UInt32, length: UInt32) -> Bool {
        widen(offset) + widen(length) <= widen(size(of: region))
    }

    /// The CRC-32 of the bytes a dump of that range sends (`imageCrc32`, PW-DUMP-8), read in place.
    public func crc32(region: MemoryRegion, offset: UInt32, length: UInt32) -> UInt32 {
        var crc = CRC32()
        guard contains(region: region, offset: offset, length: length) else { return crc.value }
        forEachPiece(region: region, offset: Int(offset), length: Int(length)) { (piece) in crc.update(piece) }
        return crc.value
    }

    /// Lends the bytes of a range inside `region` in place, in address order: one piece for a log
    /// region, up to three for `rawAddress` (`eventLog`, then `alarmLog`, then `therapyHistory`).
    func forEachPiece(region: MemoryRegion, offset: Int, length: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = offset
        let end = offset + length
        var base = 0  // the rawAddress of the segment below
        for segment in 0..<3 {
            let segmentRegion: MemoryRegion = segment == 0 ? .eventLog : segment == 1 ? .alarmLog : .therapyHistory
            let segmentSize = size(of: segmentRegion)
            if region == .rawAddress || region == segmentRegion {
                let limit = region == .rawAddress ? base + segmentSize : segmentSize
                let origin = region == .rawAddress ? base : 0
                if start < end && start < limit {
                    let pieceEnd = min(end, limit)
                    withBytes(of: segmentRegion) { (bytes) in
                        body(UnsafeRawBufferPointer(rebasing: bytes[(start - origin)..<(pieceEnd - origin)]))
                    }
                    start = pieceEnd
                }
            }
            base += segmentSize
        }
    }

    /// Lends a log region's bytes (its profile's capacity) without copying the storage.
    func withBytes(of region: MemoryRegion, _ body: (UnsafeRawBufferPointer) -> Void) {
        let size = size(of: region)
        switch region {
        case .eventLog: eventLog.span.withUnsafeBytes { (raw) in body(UnsafeRawBufferPointer(rebasing: raw[0..<size])) }
        case .alarmLog: alarmLog.span.withUnsafeBytes { (raw) in body(UnsafeRawBufferPointer(rebasing: raw[0..<size])) }
        case .therapyHistory: therapyHistory.span.withUnsafeBytes { (raw) in body(UnsafeRawBufferPointer(rebasing: raw[0..<size])) }
        case .rawAddress: break
        }
    }
}
