/// The memory regions a dump can read (spec section 9.7).
public enum MemoryRegion: UInt8, Sendable {
    case eventLog = 1
    case alarmLog = 2
    case therapyHistory = 3
    case rawAddress = 4
}
