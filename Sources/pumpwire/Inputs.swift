import ArgumentParser
import PumpWire
import PumpWireCore

/// How to read an input, for every command that reads captured traffic: told from its first
/// bytes (PW-CAP-4) or forced. `binary` is another name for `raw`.
enum InputFormat: String, CaseIterable, ExpressibleByArgument {
    case auto, pcapng, pcap, hex, hexdump, raw, binary

    /// The form forced, or nil to tell it from the first bytes.
    var captureFormat: CaptureFormat? {
        switch self {
        case .auto: nil
        case .binary: .raw
        default: CaptureFormat(rawValue: rawValue)
        }
    }

    static let help = "How to read the input: auto (told from its first bytes), pcapng, pcap, hex (a hex log), "
        + "hexdump (offsets first: xxd, hexdump -C, od -t x1), or raw (binary)."
}

/// The inputs of a command, each opened through the library's one input layer: a missing path, a
/// directory (without --recursive), an unreadable or empty file or one of a form PumpWire cannot
/// read is a `CommandFailure` (exit status 2) naming the file.
enum Inputs {
    static func paths(_ paths: [String], recursive: Bool) throws(CommandFailure) -> [String] {
        do { return try InputPaths.expand(paths, recursive: recursive) } catch { throw CommandFailure(error) }
    }

    static func open(_ path: String, as format: InputFormat) throws(CommandFailure) -> CaptureInput {
        do { return try CaptureInput.open(path, as: format.captureFormat) } catch { throw CommandFailure(error) }
    }

    /// Hex given on the command line: one stream, the arguments in order.
    static func openArguments(_ arguments: [String]) throws(CommandFailure) -> CaptureInput {
        var bytes: [UInt8] = []
        for (index, argument) in arguments.enumerated() {
            do { bytes += try Hex.decode(argument) } catch {
                throw CommandFailure("argument \(index + 1): \(error)", hint: "give hex digits in pairs, e.g. a5c30101..., or --file FILE")
            }
        }
        do { return try CaptureInput.open(bytes: bytes, name: "argument", as: .raw) } catch { throw CommandFailure(error) }
    }
}

extension CommandFailure {
    init(_ failure: InputFailure) {
        self.init("\(failure.file): \(failure.reason)", hint: failure.hint)
    }
}

extension Inputs {
    /// An image file (`dump show`): whole, since a record may sit anywhere in it, but never more
    /// than the largest image a transfer carries (PW-DUMP-1).
    static func readImage(_ path: String) throws(CommandFailure) -> [UInt8] {
        let input = try open(path, as: .raw)
        var reader = WholeStream(limit: WireLimits.maxDumpLength)
        input.read(into: &reader)
        if let failure = input.readFailure { throw CommandFailure("\(input.name): \(failure)") }
        guard !reader.exceeded else {
            throw CommandFailure("\(input.name): longer than the largest memory image (\(WireLimits.maxDumpLength) bytes, PW-DUMP-1)")
        }
        return reader.bytes
    }

    /// Collects a raw stream up to a limit.
    struct WholeStream: CaptureConsumer {
        let limit: Int
        var bytes: [UInt8] = []
        var exceeded = false

        init(limit: Int) { self.limit = limit }

        mutating func packet(_ data: UnsafeRawBufferPointer, number: Int) {}
        mutating func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {}
        mutating func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int {
            if bytes.count + window.count > limit { exceeded = true } else if !exceeded { bytes += window }
            return window.count
        }
    }
}
