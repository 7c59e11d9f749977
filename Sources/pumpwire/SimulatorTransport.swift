import Foundation
import PumpWire
import PumpWireSecurity

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `pumpwire simulate` serves frames: its own standard streams, a loopback TCP port (one
/// programmer at a time), or a pseudo-terminal in raw mode. Plain POSIX: the bytes are the
/// protocol's, with nothing added.
final class SimulatorTransport {
    struct Failure: Error {
        var message: String
        var hint: String?
    }

    enum Kind {
        case streams
        case listener(Int32)
        case pseudoTerminal(master: Int32, slave: Int32)
    }

    let kind: Kind
    /// The frames' file descriptor: standard input, the connected programmer (-1 while none), the
    /// pseudo-terminal's master side.
    var data: Int32
    private(set) var port: UInt16 = 0
    private(set) var path = ""

    /// Whether standard input is free for console commands.
    var console: Bool {
        if case .streams = kind { return false }
        return true
    }

    private init(kind: Kind, data: Int32) {
        self.kind = kind
        self.data = data
        signal(SIGPIPE, SIG_IGN)  // a programmer that hangs up must not end the simulator
    }

    static func standardStreams() -> SimulatorTransport {
        SimulatorTransport(kind: .streams, data: STDIN_FILENO)
    }

    static func listen(port: UInt16) throws(Failure) -> SimulatorTransport {
        #if canImport(Glibc)
        let socketType = Int32(SOCK_STREAM.rawValue)
        #else
        let socketType = SOCK_STREAM
        #endif
        let fd = socket(AF_INET, socketType, 0)
        guard fd >= 0 else { throw Failure(message: "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian  // 127.0.0.1: a simulator is not a service
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 1) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(message: "127.0.0.1:\(port): \(reason)", hint: "another program may hold the port; --tcp 0 picks a free one")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let transport = SimulatorTransport(kind: .listener(fd), data: -1)
        transport.port = UInt16(bigEndian: address.sin_port)
        return transport
    }

    static func pseudoTerminal() throws(Failure) -> SimulatorTransport {
        // Glibc's Swift module leaves out the XSI pseudo-terminal calls: they are looked up by name.
        typealias OpenPT = @convention(c) (Int32) -> Int32
        typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: type) }
        }
        guard let openpt = symbol("posix_openpt", as: OpenPT.self), let grantpt = symbol("grantpt", as: OpenPT.self),
              let unlockpt = symbol("unlockpt", as: OpenPT.self), let ptsname = symbol("ptsname", as: Name.self) else {
            throw Failure(message: "this C library has no posix_openpt")
        }
        let master = openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grantpt(master) == 0, unlockpt(master) == 0, let name = ptsname(master) else {
            throw Failure(message: "no pseudo-terminal: \(String(cString: strerror(errno)))", hint: "is /dev/pts mounted?")
        }
        let path = String(cString: name)
        // Hold the slave open in raw mode: bytes pass unchanged, and the master does not see EIO
        // while no programmer has the port open.
        let slave = open(path, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw Failure(message: "\(path): \(String(cString: strerror(errno)))") }
        var settings = termios()
        tcgetattr(slave, &settings)
        cfmakeraw(&settings)
        tcsetattr(slave, TCSANOW, &settings)
        let transport = SimulatorTransport(kind: .pseudoTerminal(master: master, slave: slave), data: master)
        transport.path = path
        return transport
    }

    /// The descriptor to wait on for a new programmer, if any.
    var listener: Int32? {
        if case .listener(let fd) = kind { return fd }
        return nil
    }

    /// Takes a programmer that connects; one at a time, the newest wins.
    func accept() -> Bool {
        guard let listener else { return false }
        let client = Glibc.accept(listener, nil, nil)
        guard client >= 0 else { return false }
        if data >= 0 { close(data) }
        data = client
        return true
    }

    /// The programmer hung up (TCP): wait for the next.
    func hangUp() {
        if case .listener = kind, data >= 0 {
            close(data)
            data = -1
        }
    }

    func write(_ bytes: [UInt8]) {
        let fd: Int32
        switch kind {
        case .streams: fd = STDOUT_FILENO
        default: fd = data
        }
        guard fd >= 0 else { return }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count <= 0 {
                if errno == EINTR { continue }
                return
            }
            sent += count
        }
    }
}

/// The simulator's event loop: real time, the link's bytes, console commands, the status line.
struct SimulatorLoop {
    var simulator: PumpSimulator<SwiftCryptoProvider>
    let transport: SimulatorTransport
    let showsStatus: Bool
    /// Stepped time over standard streams: pump seconds before each piece of input.
    let stepSeconds: UInt32

    init(simulator: PumpSimulator<SwiftCryptoProvider>, transport: SimulatorTransport, showsStatus: Bool, stepSeconds: UInt32) {
        self.simulator = simulator
        self.transport = transport
        self.showsStatus = showsStatus
        self.stepSeconds = stepSeconds
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    mutating func run() {
        var lastInput = Self.now()
        var lastStatus = 0.0
        var eventsShown = 0
        var consoleLine: [UInt8] = []
        simulator.run(until: lastInput)
        while true {
            var fds: [pollfd] = []
            if let listener = transport.listener { fds.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
            if transport.data >= 0 { fds.append(pollfd(fd: transport.data, events: Int16(POLLIN), revents: 0)) }
            if transport.console { fds.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            let waitUntil = min(Self.now() + 0.1, simulator.nextDue ?? .infinity)
            let timeout = Int32(max(0, (waitUntil - Self.now()) * 1000).rounded(.up))
            _ = poll(&fds, nfds_t(fds.count), timeout)
            let now = Self.now()
            simulator.run(until: now)
            for entry in fds where entry.revents != 0 {
                if entry.fd == transport.listener {
                    if transport.accept() { printLine("a programmer connected") }
                } else if entry.fd == STDIN_FILENO && transport.console {
                    guard let bytes = readSome(STDIN_FILENO) else { clearStatus(); return }  // the console ended
                    consoleLine += bytes
                    while let newline = consoleLine.firstIndex(of: 10) {
                        let line = String(decoding: consoleLine[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                        consoleLine.removeSubrange(...newline)
                        if !line.isEmpty, !command(line) { clearStatus(); return }
                    }
                } else if entry.fd == transport.data {
                    guard let bytes = readSome(transport.data) else {
                        if case .streams = transport.kind {  // the programmer's input ended
                            for frame in simulator.takeOutput(at: .infinity) { transport.write(frame) }
                            clearStatus()
                            return
                        }
                        if transport.listener != nil { printLine("the programmer hung up") }
                        transport.hangUp()
                        continue
                    }
                    if stepSeconds > 0 { simulator.advance(pumpSeconds: stepSeconds) }
                    simulator.receive(bytes, at: now)
                    lastInput = now
                }
            }
            if now - lastInput > 1 { simulator.lineIdle() }
            for frame in simulator.takeOutput(at: now) { transport.write(frame) }
            if simulator.eventCount > eventsShown {
                for event in simulator.events.suffix(min(simulator.events.count, simulator.eventCount - eventsShown)) {
                    printLine("\(SimulatorConsole.clockText(event.pumpClock))  \(event.text)")
                }
                eventsShown = simulator.eventCount
            }
            if showsStatus && now - lastStatus >= 0.25 {
                lastStatus = now
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + SimulatorConsole.statusLine(simulator)).utf8))
            }
        }
    }

    /// One console command; false to quit.
    mutating func command(_ line: String) -> Bool {
        guard let command = SimulatorConsole.parse(line) else {
            printLine("not a command: \(line)\n" + SimulatorConsole.help)
            return true
        }
        switch command {
        case .advance(let seconds): simulator.advance(pumpSeconds: seconds)
        case .battery(let millivolts): simulator.setBattery(millivolts: millivolts)
        case .restart: simulator.restart()
        case .powerLoss: simulator.powerLoss()
        case .setClock(let time): simulator.setClock(time)
        case .speed(let speed): simulator.speed = speed
        case .status: printLine(SimulatorConsole.statusLine(simulator))
        case .help: printLine(SimulatorConsole.help)
        case .quit: return false
        }
        return true
    }

    func readSome(_ fd: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return [] }
        guard count > 0 else { return nil }
        return Array(buffer[..<count])
    }

    func printLine(_ text: String) {
        clearStatus()
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func clearStatus() {
        if showsStatus { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
