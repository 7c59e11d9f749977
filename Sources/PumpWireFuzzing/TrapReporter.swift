#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints the input under test if the process traps, so a crash found by `pumpwire fuzz` can
/// be reproduced. Only async-signal-safe calls run in the handler.
public enum TrapReporter {
    static let capacity = 1 << 16
    nonisolated(unsafe) static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    nonisolated(unsafe) static var length = 0
    nonisolated(unsafe) static var installed = false

    /// Remembers the input about to be tested.
    @inline(__always)
    public static func record(_ bytes: [UInt8]) {
        let count = min(bytes.count, capacity)
        bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: count) }
        length = count
    }

    public static func install() {
        guard !installed else { return }
        installed = true
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            signal(sig) { number in
                let prefix: StaticString = "\npumpwire fuzz: the process trapped on this input (hex):\n"
                _ = write(2, prefix.utf8Start, prefix.utf8CodeUnitCount)
                let digits: StaticString = "0123456789abcdef"
                var pair: (UInt8, UInt8) = (0, 0)
                for i in 0..<TrapReporter.length {
                    let byte = TrapReporter.buffer[i]
                    pair = (digits.utf8Start[Int(byte >> 4)], digits.utf8Start[Int(byte & 0x0F)])
                    withUnsafeBytes(of: &pair) { _ = write(2, $0.baseAddress, 2) }
                }
                var newline: UInt8 = 0x0A
                _ = write(2, &newline, 1)
                _exit(128 + number)
            }
        }
    }
}
