import Foundation
import PumpWire
import PumpWireSecurity

/// `--keylog FILE` of `decode`, `validate` and `capture --decrypt` (spec/security.md 14.2): a key
/// log that cannot be read or is malformed stops the command (exit status 2), naming the file and
/// the line; no part of it is used (PW-KEYLOG-2).
enum KeyLogFile {
    static let help = "A key log (spec/security.md 14.2): sealed frames of its sessions are opened (PW-SEC-10) and decoded."

    static func load(_ path: String) throws(CommandFailure) -> KeyLog {
        let text = try readText(path, what: "key log")
        do { return try KeyLog(text: text) } catch {
            throw CommandFailure("\(path): \(error)", hint: "each session is a line: PUMPWIRE_SESSION initiatorEphemeral sessionEpoch k1 k2 handshakeHash")
        }
    }

    /// A small text file (a key log, an identity), whole.
    static func readText(_ path: String, what: String) throws(CommandFailure) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandFailure("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw CommandFailure("\(path): is a directory", hint: "give the \(what) file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("\(path): cannot be read") }
        guard data.count <= 1 << 24 else { throw CommandFailure("\(path): larger than 16 MiB, not a \(what)") }
        guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("\(path): not UTF-8 text, not a \(what)") }
        return text
    }
}
