import CPumpWire
import PumpWireCore

// Spec 13.4: the core's LogReader kept in the caller's `pw_log_reader`.

@_cdecl("pw_log_reader_init")
public func pw_log_reader_init(
    _ storage: UnsafeMutablePointer<pw_log_reader>?, _ image: UnsafePointer<UInt8>?, _ length: Int,
    _ region: UInt8, _ regionOffset: UInt32, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let storage = try required(storage)
        try PumpWireError.check(CStateStorage.fits(LogReader.self, in: pw_log_reader.self), .bufferTooSmall, at: 0)
        var logRegion: MemoryRegion?
        if region != 0 {
            // Only the log regions hold records; rawAddress and unlisted values do not (13.4).
            logRegion = MemoryRegion(rawValue: region)
            try PumpWireError.check(logRegion != nil && logRegion != .rawAddress, .fieldOutOfRange, at: 0)
        }
        CStateStorage.initialize(storage, to: LogReader(
            image: inputBytes(image, cLength(length)), region: logRegion, regionOffset: regionOffset))
    }
}

@_cdecl("pw_log_reader_next")
public func pw_log_reader_next(_ storage: UnsafeMutablePointer<pw_log_reader>?, _ item: UnsafeMutablePointer<pw_log_item>?) -> Bool {
    // A struct pw_log_reader_init never prepared has no image to read: the end.
    guard let storage, let item else { return false }
    let read = CStateStorage.withState(storage, as: LogReader.self) { (reader) -> Bool in
        guard let next = reader.pointee.next() else { return false }
        fill(item, with: next, from: reader)
        return true
    }
    return read ?? false
}

private func fill(_ item: UnsafeMutablePointer<pw_log_item>, with next: LogItem, from reader: UnsafeMutablePointer<LogReader>) {
    zero(item)
    switch next {
    case .record(let offset, _):
        item.pointee.kind = UInt8(PW_LOG_RECORD.rawValue)
        item.pointee.offset = UInt32(truncatingIfNeeded: offset)
        // The slot the reader just accepted, read into the C struct by its layout.
        do throws(PumpWireError) {
            try pw_log_record.read(&item.pointee.record, from: reader.pointee.slot(at: offset))
        } catch {
            item.pointee.kind = UInt8(PW_LOG_REJECTED.rawValue)
            item.pointee.error_code = error.code.rawValue
            item.pointee.error_offset = UInt32(truncatingIfNeeded: offset + error.offset)
        }
    case .erased(let offset, let slots):
        item.pointee.kind = UInt8(PW_LOG_ERASED.rawValue)
        item.pointee.offset = UInt32(truncatingIfNeeded: offset)
        item.pointee.erased_slots = UInt32(truncatingIfNeeded: slots)
    case .rejected(let offset, let error):
        item.pointee.kind = UInt8(PW_LOG_REJECTED.rawValue)
        item.pointee.offset = UInt32(truncatingIfNeeded: offset)
        item.pointee.error_code = error.code.rawValue
        item.pointee.error_offset = UInt32(truncatingIfNeeded: error.offset)
    }
}
