import Foundation
import PumpWire

/// How to read an input file.
enum InputFormat: String, CaseIterable {
    case auto, hex, binary, pcapng, pcap
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
        case .binary, .pcapng, .pcap: return bytes
        case .hex: return try parseHex(bytes, source: path)
        case .auto: return looksLikeHex(bytes) ? try parseHex(bytes, source: path) : bytes
        }
    }

    /// The capture form of a file given or told from its first bytes (PW-CAP-4); nil for hex and binary.
    static func captureFormat(path: String, format: InputFormat) throws -> CaptureFormat? {
        switch format {
        case .pcapng: return .pcapng
        case .pcap: return .pcap
        case .hex, .binary: return nil
        case .auto:
            guard path != "-" else { return nil }
            let detected = CaptureReader.detectFormat(of: try FileInput(path: path))
            return detected == .pcapng || detected == .pcap ? detected : nil
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
        !bytes.isEmpty && HexLog.isHexLogText(bytes)
    }
}
