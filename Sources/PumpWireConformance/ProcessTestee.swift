import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A testee run as a child process (`sh -c COMMAND`), spoken to over its stdin and stdout with
/// the protocol of spec/conformance.md. It is restarted after a crash, a time-out or garbage.
public final class ProcessTestee: Testee {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
        /// The command could not be run at all (the shell found no such command, or could not
        /// execute it), as against a testee that started and failed its handshake.
        public var couldNotStart = false
        /// What the testee (or the shell) wrote on its standard error before it failed.
        public var standardError = ""
    }

    public let command: String
    public private(set) var timeout: Double
    public private(set) var name = ""
    public private(set) var capabilities: TesteeCapabilities = []
    /// How many times the testee had to be started again.
    public private(set) var restarts = 0
    /// The testee's standard error since the last request, for failure reports.
    public private(set) var lastStandardError = ""

    private var process: Process?
    private var input: FileHandle?
    private var outputDescriptor: Int32 = -1
    private var errorPipe: Pipe?
    private var errorBuffer = ErrorBuffer()

    /// Starts the testee and shakes hands (spec/conformance.md 2.3).
    public init(command: String, timeout: Double = 10) throws {
        self.command = command
        self.timeout = timeout
        signal(SIGPIPE, SIG_IGN)  // a testee that dies must not take the runner with it
        try start()
    }

    deinit { stop() }

    private func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let buffer = errorBuffer
        stderr.fileHandleForReading.readabilityHandler = { handle in buffer.append(handle.availableData) }
        do {
            try process.run()
        } catch {
            throw StartError(description: "cannot start /bin/sh -c \(command): \(error.localizedDescription)", couldNotStart: true)
        }
        self.process = process
        input = stdin.fileHandleForWriting
        outputDescriptor = stdout.fileHandleForReading.fileDescriptor
        errorPipe = stderr
        // Keep the read end alive for as long as we read from its descriptor.
        outputHandle = stdout.fileHandleForReading

        switch exchange(.hello(version: TesteeRequest.protocolVersion)) {
        case .response(.ok(let data)):
            var reader = WireBytes.Reader(data)
            guard let version = reader.u8(), version == TesteeRequest.protocolVersion, let bits = reader.u32() else {
                stop()
                throw StartError(description: "the testee's HELLO answer is malformed or of another version")
            }
            capabilities = TesteeCapabilities(rawValue: bits)
            name = String(decoding: reader.rest(), as: UTF8.self)
        case let other:
            // sh exits 127 for a command it cannot find and 126 for one it cannot execute.
            let notRun = !process.isRunning && process.terminationReason == .exit && [126, 127].contains(process.terminationStatus)
            let said = Self.describe(other)
            stop()
            let stderr = errorBuffer.take().trimmingCharacters(in: .whitespacesAndNewlines)
            throw StartError(description: "the testee did not shake hands: it \(said)" + (stderr.isEmpty ? "" : "\nits stderr:\n\(stderr.suffix(500))"),
                             couldNotStart: notRun, standardError: String(stderr.suffix(500)))
        }
    }

    private var outputHandle: FileHandle?

    /// A reply that is not a response, in words.
    static func describe(_ reply: TesteeReply) -> String {
        switch reply {
        case .crash(let how): how
        case .timeout: "gave no answer to HELLO in time"
        case .protocolError(let what): "answered HELLO with something else: \(what)"
        case .response(.ok): "answered HELLO with OK"
        case .response(.rejected(let code, let offset)): "answered HELLO with REJECTED (code \(code), offset \(offset))"
        case .response(.skipped): "answered HELLO with SKIPPED"
        case .response(.runtimeError(let message)): "answered HELLO with RUNTIME_ERROR: \(message)"
        }
    }

    public func send(_ request: TesteeRequest) -> TesteeReply {
        if process == nil {
            do { try start() } catch { return .crash("could not restart: \(error)") }
        }
        let reply = exchange(request)
        lastStandardError = errorBuffer.take()
        switch reply {
        case .response: break
        case .crash, .timeout, .protocolError:
            stop()
            restarts += 1
        }
        return reply
    }

    public func close() { stop() }

    public func send(_ request: TesteeRequest, waitingAtLeast seconds: Double) -> TesteeReply {
        let usual = timeout
        timeout = max(usual, seconds)
        defer { timeout = usual }
        return send(request)
    }

    /// Writes `unframed` as it is, ends the testee's input and checks how it ends (spec/conformance.md
    /// 2.1, PW-CONF-1, PW-CONF-4): nil when it exits with status 0 within the time-out and writes
    /// nothing more. The next `send` starts the testee again.
    public func finish(after unframed: [UInt8]) -> String? {
        if process == nil {
            do { try start() } catch { return "could not be started to check its exit: \(error)" }
        }
        guard let process else { return "not running" }
        if !unframed.isEmpty {
            do { try input?.write(contentsOf: Data(unframed)) } catch { return "closed its input before the end: \(exitDescription())" }
        }
        try? input?.close()
        input = nil
        let deadline = Date().addingTimeInterval(timeout)
        let extra = drain(until: deadline)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        defer { stop() }
        if process.isRunning { return "did not exit within \(timeout) s of the end of its input" }
        if extra > 0 { return "wrote \(extra) bytes to its standard output after its last response" }
        switch process.terminationReason {
        case .exit where process.terminationStatus == 0: return nil
        case .exit: return "exited with status \(process.terminationStatus) at the end of its input"
        case .uncaughtSignal: return "was killed by signal \(process.terminationStatus) at the end of its input"
        @unknown default: return "ended abnormally at the end of its input"
        }
    }

    /// Reads and counts whatever the testee still writes, until end of file or the deadline.
    private func drain(until deadline: Date) -> Int {
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while deadline.timeIntervalSinceNow > 0 {
            var descriptor = pollfd(fd: outputDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(deadline.timeIntervalSinceNow, 3600) * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return count }
            let got = buffer.withUnsafeMutableBytes { Glibc.read(outputDescriptor, $0.baseAddress, $0.count) }
            if got < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard got > 0 else { return count }
            count += got
        }
        return count
    }

    private func exchange(_ request: TesteeRequest) -> TesteeReply {
        let message = WireBytes.message(request.body)
        do {
            try input?.write(contentsOf: Data(message))
        } catch {
            return .crash(exitDescription())
        }
        let deadline = Date().addingTimeInterval(timeout)
        guard let header = read(count: 4, deadline: deadline) else { return failure(deadline) }
        let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
        guard length <= WireBytes.maxMessageLength else {
            return .protocolError("response length \(length) above the limit")
        }
        guard let body = read(count: length, deadline: deadline) else { return failure(deadline) }
        guard let response = TesteeResponse.parse(body) else {
            return .protocolError("not a response: \(body.prefix(16).map { String(format: "%02x", $0) }.joined())")
        }
        return .response(response)
    }

    private var sawEndOfFile = false

    private func failure(_ deadline: Date) -> TesteeReply {
        if sawEndOfFile { return .crash(exitDescription()) }
        return Date() >= deadline ? .timeout : .crash(exitDescription())
    }

    /// Reads exactly `count` bytes, or nil at end of file or at the deadline.
    private func read(count: Int, deadline: Date) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        sawEndOfFile = false
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < count {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            var descriptor = pollfd(fd: outputDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 3600) * 1000) + 1)
            if ready < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if ready == 0 { continue }
            let wanted = min(buffer.count, count - bytes.count)
            let got = buffer.withUnsafeMutableBytes { Glibc.read(outputDescriptor, $0.baseAddress, wanted) }
            if got < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                sawEndOfFile = true
                return nil
            }
            if got == 0 {
                sawEndOfFile = true
                return nil
            }
            bytes += buffer[..<got]
        }
        return bytes
    }

    private func exitDescription() -> String {
        guard let process else { return "not running" }
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { return "closed its output but is still running" }
        switch process.terminationReason {
        case .exit: return "exited with status \(process.terminationStatus)"
        case .uncaughtSignal: return "killed by signal \(process.terminationStatus)"
        @unknown default: return "ended"
        }
    }

    private func stop() {
        guard let process else { return }
        try? input?.close()
        // Kill the whole tree: `sh -c` may have children of its own. Never wait without a bound.
        Self.killTree(process.processIdentifier)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        errorPipe?.fileHandleForReading.readabilityHandler = nil
        try? outputHandle?.close()
        self.process = nil
        input = nil
        outputHandle = nil
        outputDescriptor = -1
    }
}

extension ProcessTestee {
    /// SIGKILL to `pid` and every process below it (found through /proc).
    static func killTree(_ pid: Int32) {
        for child in children(of: pid) { killTree(child) }
        kill(pid, SIGKILL)
    }

    static func children(of pid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let candidate = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // Fields after the command name: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? candidate : nil
        }
    }
}

/// Collects the testee's standard error from its reader thread.
private final class ErrorBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ more: Data) {
        lock.lock()
        defer { lock.unlock() }
        if data.count < 65_536 { data.append(more) }
    }

    func take() -> String {
        lock.lock()
        defer { lock.unlock() }
        defer { data.removeAll() }
        return String(decoding: data, as: UTF8.self)
    }
}
