import ArgumentParser
import Foundation

/// The command could not do its job (exit status 2, README "Exit status and messages"): an input
/// that is missing, unreadable or of a form it cannot read, an output it cannot write, a filter
/// that matches nothing. Printed as `pumpwire COMMAND: MESSAGE`, never with the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    /// What the user can do about it, on a line of its own.
    var hint: String?

    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    var description: String { hint.map { "\(message)\nhint: \($0)" } ?? message }
}

/// The exit statuses every command uses.
enum ExitStatus {
    /// Everything read was clean, or the job was done.
    static let clean: Int32 = 0
    /// The input was read and has findings or rejections (each printed with its spec code).
    static let findings: Int32 = 1
    /// The command could not do its job: usage, input missing or unreadable, output unwritable.
    static let failure: Int32 = 2
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
