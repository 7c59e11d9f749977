/// One input of a command, opened and its form known: a pcapng or pcap capture, a hex log, a hex
/// dump with offsets or a raw byte stream (spec 14), from a file or standard input. Every command
/// reads its inputs through this, a buffer at a time, so memory stays bounded whatever the size.
public struct CaptureInput {
    /// The path as given; "-" is standard input.
    public let path: String
    /// How the input is read: the form forced, or the one its first bytes tell (PW-CAP-4).
    public let format: CaptureFormat
    let file: FileInput

    /// The name messages use for this input.
    public var name: String { path == "-" ? "stdin" : path }

    /// Opens `path` and tells its form, unless `forced`. An empty input is refused unless it is
    /// forced as a capture file (then it is CAPTURE_TRUNCATED at 0, PW-CAP-3).
    public static func open(_ path: String, as forced: CaptureFormat? = nil) throws(InputFailure) -> CaptureInput {
        if path != "-", case .directory = InputPaths.kind(of: path) {
            throw InputFailure(file: path, reason: "is a directory", hint: "give its files, or --recursive to read every file under it")
        }
        let file: FileInput
        do { file = try FileInput(path: path) } catch {
            throw InputFailure(file: path, reason: error.reason)
        }
        return try open(file, path: path, as: forced)
    }

    /// Bytes already in memory (hex given as arguments, tests), read as a file would be.
    public static func open(bytes: [UInt8], name: String, as forced: CaptureFormat? = nil) throws(InputFailure) -> CaptureInput {
        try open(FileInput(bytes: bytes), path: name, as: forced)
    }

    static func open(_ file: FileInput, path: String, as forced: CaptureFormat?) throws(InputFailure) -> CaptureInput {
        _ = file.require(CaptureFormat.sniffLength)
        if file.available.isEmpty, forced != .pcapng, forced != .pcap {
            throw InputFailure(file: path, reason: "is empty: there is nothing to read")
        }
        if let readFailure = file.readFailure {
            throw InputFailure(file: path, reason: readFailure)
        }
        if let forced { return CaptureInput(path: path, format: forced, file: file) }
        return CaptureInput(path: path, format: try sniff(file, path: path), file: file)
    }

    /// PW-CAP-4; a form PumpWire cannot read unambiguously (UTF-16 text, a dump of 16-bit words)
    /// is refused with its hint.
    static func sniff(_ file: FileInput, path: String) throws(InputFailure) -> CaptureFormat {
        switch CaptureReader.sniffFormat(of: file) {
        case .form(let format): return format
        case .refused(let refusal): throw InputFailure(file: path, reason: refusal.reason, hint: refusal.hint)
        }
    }

    /// Reads the whole input into `consumer`, a buffer at a time.
    public func read<Consumer: CaptureConsumer>(into consumer: inout Consumer) {
        CaptureReader.read(file, as: format, into: &consumer)
    }

    /// The input's size when it is a regular file, for progress.
    public var size: Int? { file.size }

    /// Why reading stopped early, if the system refused a read (EIO, EISDIR...).
    public var readFailure: String? { file.readFailure }
}
