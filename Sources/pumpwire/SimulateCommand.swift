import ArgumentParser
import Foundation
import PumpWire
import PumpWireCore
import PumpWireSecurity

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Be a pump (spec/behaviour.md) that a programmer in development talks to.",
        discussion: """
            Serves PumpWire frames, as a pump's telemetry would, over standard input and output \
            (--stdio), a TCP port on loopback (--tcp PORT, 0 picks a free one), or a pseudo-terminal \
            (--pty, as a serial port would be; its path is printed). The pump starts fresh from the \
            factory (no prescription, an empty reservoir) at --start, or with --secure as a pump with \
            the security layer whose keys come from a test identity file (pumpwire keys new-pump).
            Time runs in real time, --speed N times faster, or --stepped (only `advance` moves it). \
            The link can lose, corrupt, duplicate and delay frames (--loss, --corrupt, --duplicate, \
            --delay, reproducibly with --seed). With --tcp or --pty the console (standard input) takes \
            commands: advance 4h, battery 2650, restart, power-loss, clock 2026-11-10T08:00:00, \
            speed 3600, status, quit. A status line on standard error shows the clock, the \
            reservoir, alarms, boluses and the link.
            Exit status 0 when the console or the input ends; 2 when the transport cannot be opened.
            Examples:
              pumpwire simulate --tcp 4127 --speed 60
              pumpwire simulate --pty --stepped
              pumpwire decode --hex-log session.txt  # what a programmer sent, read back
            """
    )

    @Flag(help: "Serve frames on standard input and output (the default).")
    var stdio = false

    @Option(help: ArgumentHelp("Serve frames on this TCP port of 127.0.0.1 (0 picks a free one).", valueName: "port"))
    var tcp: Int?

    @Flag(help: "Serve frames on a new pseudo-terminal, as a serial port.")
    var pty = false

    @Option(help: ArgumentHelp("The pump clock at the start: YYYY-MM-DDTHH:MM:SS pump time, or seconds since 2000.", valueName: "time"))
    var start = "2026-11-10T08:00:00"

    @Option(help: "Pump seconds per real second.")
    var speed: Double = 1

    @Flag(help: "Time moves only when told (`advance` at the console; with --stdio, --step-seconds per frame).")
    var stepped = false

    @Option(help: ArgumentHelp("With --stepped and --stdio: pump seconds that pass before each frame is received.", valueName: "seconds"))
    var stepSeconds: UInt32 = 0

    @Option(help: ArgumentHelp("Battery voltage at the start.", valueName: "mV"))
    var battery: UInt16 = 3100

    @Option(help: ArgumentHelp("A pump test identity file: be a secure pump with its keys (spec/security.md 14.1).", valueName: "file"))
    var secure: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("With --secure: a device test identity file to put in the next free slot, as clinician or patient by its role.", valueName: "file"))
    var device: [String] = []

    @Flag(help: "With --secure: open the pairing window (XXpsk3 pairing with the implant card's secret).")
    var pairingWindow = false

    @Option(help: "Chance that a frame is lost (0 to 1).")
    var loss: Double = 0

    @Option(help: "Chance that a frame has a bit flipped (0 to 1).")
    var corrupt: Double = 0

    @Option(help: "Chance that a frame arrives twice (0 to 1).")
    var duplicate: Double = 0

    @Option(help: ArgumentHelp("Extra latency per frame, ms, or a range MIN-MAX.", valueName: "ms"))
    var delay: String = "0"

    @Option(help: "Seed of the link's faults.")
    var seed: UInt64 = 1

    @Flag(help: "No status line.")
    var quiet = false

    func validate() throws {
        let transports = (stdio ? 1 : 0) + (tcp != nil ? 1 : 0) + (pty ? 1 : 0)
        guard transports <= 1 else { throw ValidationError("give one of --stdio, --tcp PORT and --pty") }
        if let tcp, !(0...65535).contains(tcp) { throw ValidationError("--tcp takes a port from 0 to 65535, got \(tcp)") }
        for (name, value) in [("--loss", loss), ("--corrupt", corrupt), ("--duplicate", duplicate)] where !(0...1).contains(value) {
            throw ValidationError("\(name) takes a chance from 0 to 1, got \(value)")
        }
        guard speed >= 0, speed.isFinite else { throw ValidationError("--speed must be 0 or more") }
        guard battery <= 5000 else { throw ValidationError("--battery takes 0 to 5000 mV") }
        guard SimulatorConsole.pumpClock(start) != nil else { throw ValidationError("--start takes YYYY-MM-DDTHH:MM:SS or seconds since 2000, got \(start)") }
        guard delayRange != nil else { throw ValidationError("--delay takes milliseconds or MIN-MAX, got \(delay)") }
        if !device.isEmpty && secure == nil { throw ValidationError("--device needs --secure") }
    }

    var delayRange: ClosedRange<Double>? {
        let parts = delay.split(separator: "-").compactMap { Double($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 >= 0 && $0.isFinite }), parts.first! <= parts.last! else { return nil }
        return parts.first!...parts.last!
    }

    func run() throws {
        let simulator = try makeSimulator()
        let transport: SimulatorTransport
        switch openTransport() {
        case .success(let opened): transport = opened
        case .failure(let failure): throw CommandFailure("cannot open the transport: \(failure.message)", hint: failure.hint)
        }
        if transport.console { printError(SimulatorConsole.help) }
        var loop = SimulatorLoop(simulator: simulator, transport: transport, showsStatus: !quiet && isatty(STDERR_FILENO) != 0,
                      stepSeconds: stepped && transport.console == false ? stepSeconds : 0)
        loop.run()
    }

    func openTransport() -> Result<SimulatorTransport, SimulatorTransport.Failure> {
        Result { () throws(SimulatorTransport.Failure) -> SimulatorTransport in
            if let tcp {
                let transport = try SimulatorTransport.listen(port: UInt16(tcp))
                printError("pumpwire simulate: listening on 127.0.0.1:\(transport.port) (a programmer connects to it as to a pump)")
                return transport
            }
            if pty {
                let transport = try SimulatorTransport.pseudoTerminal()
                printError("pumpwire simulate: serial port \(transport.path) (open it raw, any baud rate)")
                return transport
            }
            return SimulatorTransport.standardStreams()
        }
    }

    func makeSimulator() throws -> PumpSimulator<SwiftCryptoProvider> {
        let clock = SimulatorConsole.pumpClock(start)!
        let engine = PumpEngine(clock: clock, batteryMillivolts: battery)
        let faults = SimulatorFaults(lossRate: loss, corruptionRate: corrupt, duplicationRate: duplicate, delayMilliseconds: delayRange!)
        let pace = stepped ? 0 : speed
        guard let secure else { return PumpSimulator(pump: .plain(engine), faults: faults, speed: pace, seed: seed) }
        let identity = try KeysCommand.readIdentity(secure, kind: .pump)
        var slots = InlineArray<4, SecurePump<SwiftCryptoProvider>.Slot>(repeating: .init())
        for (index, file) in device.enumerated() {
            guard index < 4 else { throw CommandFailure("at most 4 devices: the pump has 4 slots (spec/security.md 4)") }
            let device = try KeysCommand.readIdentity(file, kind: .device)
            slots[index] = .init(role: device.role == .patient ? .patient : .clinician, staticPublicKey: device.staticPublicKey)
        }
        let pump = SecurePump(staticPrivateKey: identity.staticPrivateKey, pairingSecret: identity.pairingSecret ?? Bytes32(),
                              pairingWindowOpen: pairingWindow, sessionCount: 0, patientBolusLimits: nil, slots: slots,
                              provider: SwiftCryptoProvider())
        return PumpSimulator(pump: .secure(SecurePumpEngine(engine: engine, pump: pump)), faults: faults, speed: pace, seed: seed)
    }
}
