import Foundation
import PumpWire

/// How to read an input file.
enum InputFormat: String, CaseIterable {
    case auto, hex, binary
}

extension InputFormat: ExpressibleByArgument {}
import ArgumentParser

/// Reads the bytes the user gave: hex on the command line, files (hex or binary), or stdin.
struct InputBytes {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `path` "-" is standard input.
    static func read(path: String, format: InputFormat) throws -> [UInt8] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw Failure(description: "cannot read \(path)")
            }
            data = contents
        }
        let bytes = [UInt8](data)
        switch format {
        case .binary: return bytes
        case .hex: return try parseHex(bytes, source: path)
        case .auto: return looksLikeHex(bytes) ? try parseHex(bytes, source: path) : bytes
        }
    }

    static func parseHex(_ bytes: [UInt8], source: String) throws -> [UInt8] {
        do {
            return try Hex.decode(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw Failure(description: "\(source): \(error)")
        }
    }

    /// Text of hex digits, separators and comments only (what `Hex.decode` reads).
    static func looksLikeHex(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return false }
        var inComment = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): inComment = false
            case _ where inComment: guard byte >= 0x20 || byte == 0x09 else { return false }
            case UInt8(ascii: "#"), UInt8(ascii: ";"): inComment = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: "x"), UInt8(ascii: "X"),
                UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default: return false
            }
        }
        return true
    }
}
