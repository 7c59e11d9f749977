/// The parameters a pump behaves with (spec/behaviour.md Appendix P): log capacities, battery
/// thresholds, and what `pumpStatus` names it. A product has its own; the scenarios use
/// `conformance`.
public struct PumpProfile: Sendable {
    /// Slots of the `eventLog` ring (PW-PUMP-24), at most `PumpLogMemory.maxEventLogSlots`.
    public var eventLogSlots: Int
    /// Slots of the `alarmLog` ring, at most `PumpLogMemory.maxAlarmLogSlots`.
    public var alarmLogSlots: Int
    /// Slots of the `therapyHistory` ring, at most `PumpLogMemory.maxTherapyHistorySlots`.
    public var therapyHistorySlots: Int
    /// `batteryElectiveReplacement` is active at or below this voltage (PW-PUMP-16).
    public var electiveReplacementMillivolts: UInt16
    /// `batteryEndOfService` is active at or below this voltage (PW-PUMP-16).
    public var endOfServiceMillivolts: UInt16
    public var model: BoundedText<16>
    public var serial: BoundedText<16>
    public var firmwareMajor: UInt8
    public var firmwareMinor: UInt8
    public var firmwarePatch: UInt8

    public init(
        eventLogSlots: Int, alarmLogSlots: Int, therapyHistorySlots: Int,
        electiveReplacementMillivolts: UInt16, endOfServiceMillivolts: UInt16,
        model: BoundedText<16>, serial: BoundedText<16>, firmwareMajor: UInt8, firmwareMinor: UInt8, firmwarePatch: UInt8
    ) {
        // The rings' storage is sized for Appendix P; a profile may use less of it, never more.
        self.eventLogSlots = max(1, min(eventLogSlots, PumpLogMemory.maxEventLogSlots))
        self.alarmLogSlots = max(1, min(alarmLogSlots, PumpLogMemory.maxAlarmLogSlots))
        self.therapyHistorySlots = max(1, min(therapyHistorySlots, PumpLogMemory.maxTherapyHistorySlots))
        self.electiveReplacementMillivolts = electiveReplacementMillivolts
        self.endOfServiceMillivolts = endOfServiceMillivolts
        self.model = model
        self.serial = serial
        self.firmwareMajor = firmwareMajor
        self.firmwareMinor = firmwareMinor
        self.firmwarePatch = firmwarePatch
    }

    /// Appendix P: 256, 64 and 128 log slots, elective replacement at 2700 mV, end of service at
    /// 2500 mV; model, serial and firmware are this implementation's own.
    public static var conformance: PumpProfile {
        PumpProfile(
            eventLogSlots: 256, alarmLogSlots: 64, therapyHistorySlots: 128,
            electiveReplacementMillivolts: 2700, endOfServiceMillivolts: 2500,
            model: text("PumpWire Engine"), serial: text("ENGINE-0001"),
            firmwareMajor: 1, firmwareMinor: 0, firmwarePatch: 0)
    }

    /// A text field from a literal known to be valid (1 to 16 printable ASCII bytes).
    static func text(_ literal: StaticString) -> BoundedText<16> {
        literal.withUTF8Buffer { (utf8) -> BoundedText<16> in
            do throws(PumpWireError) {
                return try BoundedText(ascii: UnsafeRawBufferPointer(utf8))
            } catch {
                fatalError("profile text is not 1 to 16 printable ASCII bytes")
            }
        }
    }
}
