import Foundation

/// A progress bar on standard error, shown only when standard error is a terminal and the input
/// is large; redrawn at most ten times a second.
final class ProgressBar {
    static let threshold = 64 << 20

    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private var drawn = false

    init(label: String) {
        self.label = label
    }

    func update(_ offset: Int, of size: Int?) {
        guard enabled, size.map({ $0 >= Self.threshold }) ?? (offset >= Self.threshold) else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        drawn = true
        let seconds = max(now.timeIntervalSince(started), 0.001)
        let rate = String(format: "%.0f MB/s", Double(offset) / seconds / 1e6)
        var text = "\r\(label) "
        if let size, size > 0 {
            let fraction = min(Double(offset) / Double(size), 1)
            let filled = Int(fraction * 30)
            text += "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled) + "] "
            text += String(format: "%3.0f%% %@ of %@, ", fraction * 100, megabytes(offset), megabytes(size))
        } else {
            text += megabytes(offset) + ", "
        }
        FileHandle.standardError.write(Data((text + rate + "\u{1B}[K").utf8))
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }

    private func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
