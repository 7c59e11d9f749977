/// An input a command cannot read at all: missing, a directory, unreadable, empty, or of a form
/// PumpWire does not read. Its text names the file and, where the user can act, a hint; it never
/// shows a Swift type.
public struct InputFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path as the user gave it ("stdin" for "-").
    public var file: String
    public var reason: String
    public var hint: String?

    public init(file: String, reason: String, hint: String? = nil) {
        self.file = file == "-" ? "stdin" : file
        self.reason = reason
        self.hint = hint
    }

    public var description: String { "\(file): \(reason)" + (hint.map { "\nhint: \($0)" } ?? "") }
}
