import PumpWireCore

/// What a person at the simulator's console can type, and the status line it shows them: the
/// words of `pumpwire simulate`, kept out of the command so that they can be tested.
public enum SimulatorConsole {
    public enum Command: Equatable, Sendable {
        /// Pump time elapses (stepped time, or a jump): seconds.
        case advance(UInt32)
        case battery(millivolts: UInt16)
        case restart
        case powerLoss
        case setClock(UInt32)
        case speed(Double)
        case status
        case help
        case quit
    }

    public static let help = """
        commands: advance DURATION (90s, 30m, 4h, 7d) · battery MV · restart · power-loss · \
        clock YYYY-MM-DDTHH:MM:SS · speed N (pump seconds per second, 0 stops) · status · quit
        """

    /// One line typed at the console; nil if it is not a command (the caller shows `help`).
    public static func parse(_ line: String) -> Command? {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first?.lowercased() else { return nil }
        let argument = words.count > 1 ? words[1] : nil
        switch (verb, argument) {
        case ("advance", let value?): return duration(value).map { .advance($0) }
        case ("battery", let value?): return UInt16(value).flatMap { $0 <= 5000 ? .battery(millivolts: $0) : nil }
        case ("restart", nil): return .restart
        case ("power-loss", nil): return .powerLoss
        case ("clock", let value?): return pumpClock(value).map { .setClock($0) }
        case ("speed", let value?): return Double(value).flatMap { $0 >= 0 && $0.isFinite ? .speed($0) : nil }
        case ("status", nil): return .status
        case ("help", nil), ("?", nil): return .help
        case ("quit", nil), ("exit", nil): return .quit
        default: return nil
        }
    }

    /// `90s`, `30m`, `4h`, `7d` or plain seconds, in seconds.
    public static func duration(_ text: String) -> UInt32? {
        let units: [Character: UInt64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text)
        var unit: UInt64 = 1
        if let last = text.last, let scale = units[last] {
            unit = scale
            digits = digits.dropLast()
        }
        guard let value = UInt64(digits), value.multipliedReportingOverflow(by: unit).overflow == false,
              value * unit <= UInt64(UInt32.max) else { return nil }
        return UInt32(value * unit)
    }

    /// The pump clock (PW-UNIT-1: seconds since 2000-01-01T00:00:00 pump time) of
    /// `YYYY-MM-DDTHH:MM:SS`, or of a plain number of seconds.
    public static func pumpClock(_ text: String) -> UInt32? {
        if let seconds = UInt32(text), seconds != WireLimits.never { return seconds }
        let parts = text.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count == 6, (2000...2136).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]),
              (0...23).contains(parts[3]), (0...59).contains(parts[4]), (0...59).contains(parts[5]) else { return nil }
        let days = daysFromCivil(year: parts[0], month: parts[1], day: parts[2]) - daysFromCivil(year: 2000, month: 1, day: 1)
        let seconds = Int64(days) * 86_400 + Int64(parts[3] * 3600 + parts[4] * 60 + parts[5])
        guard seconds >= 0, seconds < Int64(WireLimits.never) else { return nil }
        return UInt32(seconds)
    }

    /// `2026-11-10 07:00:00` for a pump clock.
    public static func clockText(_ clock: UInt32) -> String {
        let days = Int(clock / 86_400) + daysFromCivil(year: 2000, month: 1, day: 1)
        let (year, month, day) = civil(fromDays: days)
        let second = Int(clock % 86_400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))"
    }

    /// The one-line summary of the pump: clock, reservoir, alarms, boluses, therapy, link.
    public static func statusLine<Provider>(_ simulator: PumpSimulator<Provider>) -> String {
        let state = simulator.engine.observation
        let alarms = state.activeAlarms.setNames
        let kinds = ["clinician", "priming", "periodic", "patient"].enumerated()
            .filter { state.runningBoluses & UInt8(1 << $0.offset) != 0 }.map(\.element)
        let millilitres = Double(state.reservoirNanolitres) / 1_000_000
        var parts = [
            clockText(state.clock),
            "reservoir \(String(format3: millilitres)) mL",
            state.statusFlags & 1 != 0 ? "therapy stored" : "no therapy",
        ]
        if state.statusFlags & 4 != 0 { parts.append("DELIVERY SUSPENDED") }
        if state.statusFlags & 8 != 0 { parts.append("ERI") }
        parts.append(alarms.isEmpty ? "no alarm" : "ALARM " + alarms.joined(separator: ","))
        if !kinds.isEmpty { parts.append("bolus " + kinds.joined(separator: ",")) }
        let counters = simulator.counters
        parts.append("frames in \(counters.framesIn) out \(counters.framesOut)")
        if counters.lost + counters.corrupted + counters.duplicated > 0 {
            parts.append("lost \(counters.lost) corrupted \(counters.corrupted) duplicated \(counters.duplicated)")
        }
        parts.append(simulator.speed == 0 ? "stepped" : simulator.speed == 1 ? "real time" : "×\(Int(simulator.speed))")
        return parts.joined(separator: " · ")
    }

    // Howard Hinnant's days_from_civil and civil_from_days (the proleptic Gregorian calendar).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension String {
    /// A number with three decimals, without Foundation's formatter.
    init(format3 value: Double) {
        let thousandths = Int64((value * 1000).rounded())
        let whole = thousandths / 1000, fraction = abs(thousandths % 1000)
        self = "\(whole)." + String(repeating: "0", count: fraction < 10 ? 2 : fraction < 100 ? 1 : 0) + "\(fraction)"
    }
}
