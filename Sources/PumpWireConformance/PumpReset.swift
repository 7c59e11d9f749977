/// PUMP_RESET's parameters (spec/conformance.md 2.4.11): the clock and battery of a pump fresh from
/// the factory, and for a secure pump its keys, pairing window, session count and four slots.
public struct PumpReset: Equatable, Sendable {
    /// A secure pump's security state, laid out as PUMP_BEGIN lays it out without the patient bolus
    /// (the pump's own bolus schedule sets that, behaviour.md PW-PUMP-19).
    public struct Security: Equatable, Sendable {
        public var staticPrivate: [UInt8]
        public var pairingSecret: [UInt8]
        public var pairingWindowOpen: Bool
        public var sessionCount: UInt32
        public var slots: [PumpSetup.Slot]

        public init(staticPrivate: [UInt8], pairingSecret: [UInt8], pairingWindowOpen: Bool, sessionCount: UInt32,
                    slots: [PumpSetup.Slot]) {
            self.staticPrivate = staticPrivate
            self.pairingSecret = pairingSecret
            self.pairingWindowOpen = pairingWindowOpen
            self.sessionCount = sessionCount
            self.slots = slots
        }
    }

    public var clock: UInt32
    public var batteryMillivolts: UInt16
    public var security: Security?

    public init(clock: UInt32, batteryMillivolts: UInt16, security: Security? = nil) {
        self.clock = clock
        self.batteryMillivolts = batteryMillivolts
        self.security = security
    }

    public var bytes: [UInt8] {
        var out = WireBytes.u32(clock) + WireBytes.u16(Int(batteryMillivolts))
        guard let security else { return out + [0] }
        out += [1] + security.staticPrivate + security.pairingSecret + [security.pairingWindowOpen ? 1 : 0]
            + WireBytes.u32(security.sessionCount)
        for slot in security.slots { out += [slot.role] + slot.staticPublic + WireBytes.u32(slot.lastCommandId) }
        return out
    }

    /// Reads the body after the code; nil if it is malformed (2.7): a wrong length, security byte or role.
    init?(reading reader: inout WireBytes.Reader) {
        guard let clock = reader.u32(), clock != 0xffff_ffff, let battery = reader.u16(), battery <= 5000,
              let secure = reader.u8(), secure <= 1 else { return nil }
        guard secure == 1 else {
            guard reader.isAtEnd else { return nil }
            self.init(clock: clock, batteryMillivolts: battery)
            return
        }
        guard let key = reader.take(32), let secret = reader.take(32), let window = reader.u8(), window <= 1,
              let count = reader.u32() else { return nil }
        var slots: [PumpSetup.Slot] = []
        for _ in 0..<4 {
            guard let role = reader.u8(), role <= 2, let publicKey = reader.take(32), let last = reader.u32() else { return nil }
            slots.append(PumpSetup.Slot(role: role, staticPublic: publicKey, lastCommandId: last))
        }
        guard reader.isAtEnd else { return nil }
        self.init(clock: clock, batteryMillivolts: battery, security: Security(
            staticPrivate: key, pairingSecret: secret, pairingWindowOpen: window == 1, sessionCount: count, slots: slots))
    }
}
