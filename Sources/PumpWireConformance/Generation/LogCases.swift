import PumpWire
import PumpWireCore

/// Log images (spec 13.4): slots built byte by byte with the generator's own CRC-16, and the
/// items a reader must report, declared by hand.
enum LogCases {
    /// One 20-byte slot: type, reserved, time, 12 body bytes, CRC-16 (or `crc`).
    static func slot(_ type: UInt8, time: UInt32 = 847_591_200, _ body: [UInt8], reserved: UInt8 = 0, crc: UInt16? = nil) -> [UInt8] {
        let bytes = [type, reserved] + V.le(UInt64(time), 4) + body + [UInt8](repeating: 0, count: 12 - body.count)
        let check = crc ?? ReferenceCRC.crc16(bytes)
        return bytes + [UInt8(check & 0xFF), UInt8(check >> 8)]
    }

    static func u32(_ value: UInt32) -> [UInt8] { V.le(UInt64(value), 4) }
    static func u16(_ value: UInt16) -> [UInt8] { V.le(UInt64(value), 2) }

    enum Item {
        case record(Int, [UInt8], [(String, JSONValue)])
        case erased(Int, Int)
        case rejected(Int, ErrorCode, Int)
    }

    static func log(
        _ name: String, _ requirements: [String], region: String, regionOffset: Int = 0, _ image: [UInt8], items: [Item], comment: String
    ) -> VectorCase {
        var valid = true
        let values: [JSONValue] = items.map {
            switch $0 {
            case .record(let offset, let bytes, let fields):
                let time = bytes[2..<6].reversed().reduce(0) { $0 << 8 | Int64($1) }
                return .object([("kind", .string("record")), ("offset", V.int(offset)), ("canonical", V.hex(bytes)),
                                ("decoded", .object([("offset", V.int(offset)), ("record", fields[0].1), ("time", .integer(time))] + fields.dropFirst()))])
            case .erased(let offset, let slots):
                return .object([("kind", .string("erased")), ("offset", V.int(offset)), ("slots", V.int(slots))])
            case .rejected(let offset, let code, let at):
                valid = false
                return .object([("kind", .string("rejected")), ("offset", V.int(offset)), ("error", V.error(code, at))])
            }
        }
        return VectorCase(name, requirements: requirements, kind: "log", comment: comment, body: [
            ("region", .string(region)), ("regionOffset", V.int(regionOffset)), ("input", V.hex(image)),
            ("result", .string(valid ? "valid" : "invalid")), ("items", .array(values)),
        ])
    }

    static func s(_ text: String) -> JSONValue { .string(text) }

    static let alarmNames = ["lowReservoir", "emptyReservoir", "batteryEndOfService", "motorStall", "catheterOcclusion", "memoryError",
                             "clockLost", "pumpReset", "batteryElectiveReplacement"]

    /// Every ranged body field of 13.4 at its minimum and its maximum, and one past them (PW-LOG-1 step 7).
    static var bounds: [VectorCase] {
        let minimumEvents: [(Int, [UInt8], [(String, JSONValue)])] = [
            (0, slot(0x04, [1] + u32(1) + u32(0)), [("record", s("refilled")), ("drug", s("morphine")),
                                                    ("concentrationMicrogramsPerMillilitre", V.int(1)), ("resultingReservoirMicrolitres", V.int(0))]),
            (20, slot(0x05, u32(0)), [("record", s("clockChanged")), ("previousTime", V.int(0))]),
        ]
        var minimumAlarms: [(Int, [UInt8], [(String, JSONValue)])] = []
        for alarm in [1, 2, 3, 9] {
            let name = s(alarmNames[alarm - 1])
            let raised: [(String, JSONValue)] = [("record", s("alarmRaised")), ("alarm", name), ("detail", V.int(0))]
            let cleared: [(String, JSONValue)] = [("record", s("alarmCleared")), ("alarm", name), ("cause", s("resolved")), ("detail", V.int(0))]
            minimumAlarms.append((20 * minimumAlarms.count, slot(0x10, [UInt8(alarm), 0] + u32(0)), raised))
            minimumAlarms.append((20 * minimumAlarms.count, slot(0x11, [UInt8(alarm), 1] + u32(0)), cleared))
        }
        let bolus = slot(0x03, [4, 0] + u32(60_000_000) + u32(100_000_000) + u16(1440))
        let refill = slot(0x04, [8] + u32(100_000) + u32(60_000))
        let clock = slot(0x05, u32(0xFFFF_FFFE))
        let events: [(Int, [UInt8], [(String, JSONValue)])] = [
            (0, bolus, [("record", s("bolusDelivered")), ("kind", s("periodic")), ("outcome", s("completed")),
                        ("volumeNanolitres", V.int(60_000_000)), ("doseNanograms", V.int(100_000_000)), ("durationMinutes", V.int(1440))]),
            (20, refill, [("record", s("refilled")), ("drug", s("sufentanil")), ("concentrationMicrogramsPerMillilitre", V.int(100_000)),
                          ("resultingReservoirMicrolitres", V.int(60_000))]),
            (40, clock, [("record", s("clockChanged")), ("previousTime", V.int(0xFFFF_FFFE))]),
        ]
        let alarms: [(Int, [UInt8], [(String, JSONValue)])] = [(1, 60_000), (2, 60_000), (3, 5000), (9, 5000)].enumerated().map { index, alarm in
            (20 * index, slot(0x10, [UInt8(alarm.0), 0] + u32(UInt32(alarm.1))),
             [("record", s("alarmRaised")), ("alarm", s(alarmNames[alarm.0 - 1])), ("detail", V.int(alarm.1))])
        }
        func tooBig(_ name: String, _ region: String, _ bytes: [UInt8], at offset: Int, _ comment: String) -> VectorCase {
            log("Required.Log.\(name)", ["PW-LOG-1"], region: region, bytes, items: [.rejected(0, .fieldOutOfRange, offset)], comment: comment)
                .covering("PW-LOG-1/body-bounds")
        }
        return [
            log("Required.Log.EventBodyMaxima", ["PW-LOG-1", "PW-JSON-6"], region: "eventLog", events.flatMap(\.1),
                items: events.map { .record($0.0, $0.1, $0.2) }, comment: "Every ranged field of the event records at its maximum.")
                .covering("PW-LOG-1/body-bounds"),
            log("Required.Log.AlarmDetailMaxima", ["PW-LOG-1", "PW-JSON-6"], region: "alarmLog", alarms.flatMap(\.1),
                items: alarms.map { .record($0.0, $0.1, $0.2) }, comment: "Each alarm's detail at its maximum: 60000 µL, 60000 µL, 5000 mV, 5000 mV.")
                .covering("PW-LOG-1/body-bounds"),
            log("Required.Log.EventBodyMinima", ["PW-LOG-1", "PW-JSON-6"], region: "eventLog", minimumEvents.flatMap(\.1),
                items: minimumEvents.map { .record($0.0, $0.1, $0.2) }, comment: "Every ranged field of the event records at its minimum.")
                .covering("PW-LOG-1/body-bounds"),
            log("Required.Log.AlarmDetailMinima", ["PW-LOG-1", "PW-JSON-6"], region: "alarmLog", minimumAlarms.flatMap(\.1),
                items: minimumAlarms.map { .record($0.0, $0.1, $0.2) },
                comment: "Each ranged alarm detail at 0, raised and cleared: an empty reservoir of 0 µL, a battery of 0 mV.")
                .covering("PW-LOG-1/body-bounds"),
            log("Required.Log.DailyDeliveryMinima", ["PW-LOG-1", "PW-JSON-6"], region: "therapyHistory",
                slot(0x20, time: 0, u32(0) + u32(0) + u16(0)),
                items: [.record(0, slot(0x20, time: 0, u32(0) + u32(0) + u16(0)),
                                [("record", s("dailyDelivery")), ("basalVolumeNanolitres", V.int(0)), ("bolusVolumeNanolitres", V.int(0)),
                                 ("bolusCount", V.int(0))])],
                comment: "A day with nothing delivered, on day 0 of the pump clock.")
                .covering("PW-LOG-1/body-bounds"),
            tooBig("BolusDoseAboveMaximum", "eventLog", slot(0x03, [1, 0] + u32(0) + u32(100_000_001) + u16(0)), at: 12, "100000001 ng is above the maximum."),
            tooBig("RefillConcentrationZero", "eventLog", slot(0x04, [1] + u32(0) + u32(0)), at: 7, "A concentration of 0 µg/mL."),
            tooBig("RefillConcentrationAboveMaximum", "eventLog", slot(0x04, [1] + u32(100_001) + u32(0)), at: 7, "100001 µg/mL."),
            tooBig("RefillReservoirAboveMaximum", "eventLog", slot(0x04, [1] + u32(2000) + u32(60_001)), at: 11, "60001 µL."),
            tooBig("LowReservoirDetailAboveMaximum", "alarmLog", slot(0x10, [1, 0] + u32(60_001)), at: 8, "A reservoir of 60001 µL."),
            tooBig("EmptyReservoirDetailAboveMaximum", "alarmLog", slot(0x11, [2, 1] + u32(60_001)), at: 8, "A reservoir of 60001 µL."),
            tooBig("ElectiveReplacementDetailAboveMaximum", "alarmLog", slot(0x10, [9, 0] + u32(5001)), at: 8, "5001 mV."),
            tooBig("DailyBasalAboveMaximum", "therapyHistory", slot(0x20, time: 847_584_000, u32(60_000_001) + u32(0) + u16(0)), at: 6, "60000001 nL."),
            tooBig("DailyBolusVolumeAboveMaximum", "therapyHistory", slot(0x20, time: 847_584_000, u32(0) + u32(60_000_001) + u16(0)), at: 10, "60000001 nL."),
        ]
    }

    /// The security layer's records (spec/security.md section 11): every type and enumeration
    /// value, then each ranged field one past its range and an unused byte set.
    static var securityRecords: [VectorCase] {
        var items: [(Int, [UInt8], [(String, JSONValue)])] = []
        func add(_ type: UInt8, _ body: [UInt8], _ fields: [(String, JSONValue)]) {
            items.append((20 * items.count, slot(type, body), fields))
        }
        for (role, name) in [(1, "clinician"), (2, "patient")] {
            add(0x30, [UInt8(role - 1), UInt8(role)] + u32(0xB7E2_AAD6) + [role == 1 ? 0xFF : 0],
                [("record", s("devicePaired")), ("slot", V.int(role - 1)), ("role", s(name)), ("keyDigest", V.int(0xB7E2_AAD6)),
                 ("bySlot", V.int(role == 1 ? 255 : 0))])
        }
        add(0x31, [3, 2] + u32(0) + [0], [("record", s("deviceUnpaired")), ("slot", V.int(3)), ("role", s("patient")),
                                           ("keyDigest", V.int(0)), ("bySlot", V.int(0))])
        for (pattern, name) in [(1, "pairing"), (2, "session")] {
            add(0x32, [0, 0xFF, UInt8(pattern), 0x0A, 0x1B, 0x2C, 0x3D],
                [("record", s("sessionStarted")), ("slot", V.int(0)), ("sessionEpoch", V.int(255)), ("pattern", s(name)),
                 ("handshakeHashPrefix", s("0a1b2c3d"))])
        }
        for (reason, name) in ["closed", "replaced", "idle", "revoked", "counterExhausted"].enumerated() {
            add(0x33, [1, 7, UInt8(reason + 1)] + u32(0xFFFF_FFFF),
                [("record", s("sessionEnded")), ("slot", V.int(1)), ("sessionEpoch", V.int(7)), ("reason", s(name)),
                 ("framesAccepted", V.int(0xFFFF_FFFF))])
        }
        add(0x34, [0xFF, 0x10] + u16(102) + u16(1) + [0], [("record", s("securityRejection")), ("slot", V.int(255)),
            ("messageType", V.int(16)), ("errorCode", V.int(102)), ("errorName", s("HANDSHAKE_FAILED")), ("count", V.int(1)),
            ("sessionEpoch", V.int(0))])
        add(0x34, [2, 0x02] + u16(134) + u16(0xFFFF) + [9], [("record", s("securityRejection")), ("slot", V.int(2)),
            ("messageType", V.int(2)), ("errorCode", V.int(134)), ("errorName", s("ROLE_NOT_PERMITTED")), ("count", V.int(65535)),
            ("sessionEpoch", V.int(9))])
        func refused(_ name: String, _ bytes: [UInt8], _ code: ErrorCode = .fieldOutOfRange, at offset: Int, _ comment: String) -> VectorCase {
            log("Required.Log.Security.\(name)", ["PW-LOG-1"], region: "eventLog", bytes, items: [.rejected(0, code, offset)], comment: comment)
                .covering("PW-LOG-1/security-records")
        }
        return [
            log("Required.Log.Security.EveryRecord", ["PW-LOG-1", "PW-JSON-6"], region: "eventLog", items.flatMap(\.1),
                items: items.map { .record($0.0, $0.1, $0.2) },
                comment: "Each security record of security.md 11 with every role, pattern and end reason, slots 0 to 3 and 0xff where allowed.")
                .covering("PW-LOG-1/security-records"),
            refused("SlotFour", slot(0x30, [4, 1] + u32(0) + [0xFF]), at: 6, "devicePaired in slot 4: there are four slots, 0 to 3."),
            refused("PairedSlotNone", slot(0x30, [0xFF, 1] + u32(0) + [0xFF]), at: 6, "0xff is no slot for the device itself."),
            refused("RoleThree", slot(0x31, [1, 3] + u32(0) + [0]), at: 7, "Role 3 is neither clinician nor patient."),
            refused("BySlotFour", slot(0x30, [1, 1] + u32(0) + [4]), at: 12, "bySlot 4: only 0 to 3 or 0xff."),
            refused("PatternZero", slot(0x32, [0, 1, 0, 1, 2, 3, 4]), at: 8, "Pattern 0 is neither pairing nor session."),
            refused("ReasonSix", slot(0x33, [0, 1, 6] + u32(0)), at: 8, "End reason 6 is not listed."),
            refused("RejectionCountZero", slot(0x34, [0xFF, 0x10] + u16(102) + u16(0) + [0]), at: 10, "A rejection record counts at least one."),
            refused("RejectionUnknownCode", slot(0x34, [0xFF, 0x10] + u16(200) + u16(1) + [0]), at: 8, "Error code 200 is not in the table of section 10."),
            refused("UnusedByteSet", slot(0x33, [0, 1, 1] + u32(0) + [0, 0, 0, 0, 1]), .nonCanonical, at: 17, "Bytes 13 to 17 are unused: the last one set."),
            log("Required.Log.Security.NotInAlarmLog", ["PW-LOG-1"], region: "alarmLog", slot(0x34, [0xFF, 0x10] + u16(102) + u16(1) + [0]),
                items: [.rejected(0, .fieldOutOfRange, 0)], comment: "securityRejection is an eventLog record only.")
                .covering("PW-LOG-1/security-records"),
        ]
    }

    /// Every value of every enumeration of the record bodies.
    static var enumerations: [VectorCase] {
        let kinds = ["clinician", "priming", "patient", "periodic"], outcomes = ["completed", "stoppedByProgrammer", "stoppedByAlarm"]
        let drugs = ["morphine", "hydromorphone", "baclofen", "ziconotide", "bupivacaine", "clonidine", "fentanyl", "sufentanil"]
        var events: [(Int, [UInt8], [(String, JSONValue)])] = []
        for (index, kind) in kinds.enumerated() {
            let outcome = index % 3
            events.append((20 * events.count, slot(0x03, [UInt8(index + 1), UInt8(outcome)] + u32(1000) + u32(2000) + u16(5)),
                           [("record", s("bolusDelivered")), ("kind", s(kind)), ("outcome", s(outcomes[outcome])),
                            ("volumeNanolitres", V.int(1000)), ("doseNanograms", V.int(2000)), ("durationMinutes", V.int(5))]))
        }
        events.append((20 * events.count, slot(0x03, [1, 2] + u32(0) + u32(0) + u16(0)),
                       [("record", s("bolusDelivered")), ("kind", s("clinician")), ("outcome", s("stoppedByAlarm")),
                        ("volumeNanolitres", V.int(0)), ("doseNanograms", V.int(0)), ("durationMinutes", V.int(0))]))
        for (index, drug) in drugs.enumerated() {
            events.append((20 * events.count, slot(0x04, [UInt8(index + 1)] + u32(500) + u32(10_000)),
                           [("record", s("refilled")), ("drug", s(drug)), ("concentrationMicrogramsPerMillilitre", V.int(500)),
                            ("resultingReservoirMicrolitres", V.int(10_000))]))
        }
        for (index, source) in ["programmer", "factoryDefault"].enumerated() {
            events.append((20 * events.count, slot(0x01, u32(0x0102_0304) + u32(0) + [UInt8(index + 1)]),
                           [("record", s("therapyChanged")), ("prescriptionDigest", V.int(0x0102_0304)), ("previousDigest", V.int(0)),
                            ("source", s(source))]))
        }
        var alarms: [(Int, [UInt8], [(String, JSONValue)])] = []
        for (index, name) in alarmNames.enumerated() {
            let detail: UInt32 = [1, 2].contains(index + 1) ? 1500 : [3, 9].contains(index + 1) ? 2600 : 0
            alarms.append((20 * alarms.count, slot(0x10, [UInt8(index + 1), 0] + u32(detail)),
                           [("record", s("alarmRaised")), ("alarm", s(name)), ("detail", V.int(detail))]))
        }
        for (index, cause) in ["resolved", "acknowledged"].enumerated() {
            alarms.append((20 * alarms.count, slot(0x11, [7, UInt8(index + 1)] + u32(0)),
                           [("record", s("alarmCleared")), ("alarm", s("clockLost")), ("cause", s(cause)), ("detail", V.int(0))]))
        }
        return [
            log("Required.Log.EveryEventEnumerationValue", ["PW-LOG-1", "PW-JSON-6"], region: "eventLog", events.flatMap(\.1),
                items: events.map { .record($0.0, $0.1, $0.2) },
                comment: "Every bolus kind and outcome, every drug, every therapy source, each in a record of its own.")
                .covering("PW-LOG-1/enum-each"),
            log("Required.Log.EveryAlarmEnumerationValue", ["PW-LOG-1", "PW-JSON-6"], region: "alarmLog", alarms.flatMap(\.1),
                items: alarms.map { .record($0.0, $0.1, $0.2) }, comment: "Every alarm code raised, and both causes of a cleared alarm.")
                .covering("PW-LOG-1/enum-each"),
        ]
    }

    static var cases: [VectorCase] {
        let erased = [UInt8](repeating: 0xFF, count: 20)
        // The worked example of 13.4, and one record of every event-log type.
        let bolus = slot(0x03, [1, 0] + u32(50000) + u32(100_000) + u16(10))
        let bolusFields: [(String, JSONValue)] = [("record", s("bolusDelivered")), ("kind", s("clinician")), ("outcome", s("completed")),
            ("volumeNanolitres", V.int(50000)), ("doseNanograms", V.int(100_000)), ("durationMinutes", V.int(10))]
        let therapy = slot(0x01, time: 847_584_000, u32(0x1B4C_B7A6) + u32(0) + [1])
        let therapyFields: [(String, JSONValue)] = [("record", s("therapyChanged")), ("prescriptionDigest", V.int(0x1B4C_B7A6)),
            ("previousDigest", V.int(0)), ("source", s("programmer"))]
        let schedule = slot(0x02, time: 847_584_060, u32(0x41D9_12FF) + u32(0x0102_0304))
        let scheduleFields: [(String, JSONValue)] = [("record", s("bolusScheduleChanged")), ("scheduleDigest", V.int(0x41D9_12FF)),
            ("previousDigest", V.int(0x0102_0304))]
        let refill = slot(0x04, time: 847_587_600, [3] + u32(2000) + u32(20000))
        let refillFields: [(String, JSONValue)] = [("record", s("refilled")), ("drug", s("baclofen")),
            ("concentrationMicrogramsPerMillilitre", V.int(2000)), ("resultingReservoirMicrolitres", V.int(20000))]
        let clock = slot(0x05, time: 847_590_000, u32(847_589_000))
        let clockFields: [(String, JSONValue)] = [("record", s("clockChanged")), ("previousTime", V.int(847_589_000))]
        // Alarms.
        let low = slot(0x10, [1, 0] + u32(1500))
        let lowFields: [(String, JSONValue)] = [("record", s("alarmRaised")), ("alarm", s("lowReservoir")), ("detail", V.int(1500))]
        let lowCleared = slot(0x11, time: 847_600_000, [1, 2] + u32(19500))
        let lowClearedFields: [(String, JSONValue)] = [("record", s("alarmCleared")), ("alarm", s("lowReservoir")), ("cause", s("acknowledged")), ("detail", V.int(19500))]
        let stall = slot(0x10, [4, 0] + u32(0))
        let stallFields: [(String, JSONValue)] = [("record", s("alarmRaised")), ("alarm", s("motorStall")), ("detail", V.int(0))]
        let eri = slot(0x10, [9, 0] + u32(5000))
        let eriFields: [(String, JSONValue)] = [("record", s("alarmRaised")), ("alarm", s("batteryElectiveReplacement")), ("detail", V.int(5000))]
        // Therapy history.
        let day1 = slot(0x20, time: 847_584_000, u32(390_000) + u32(50000) + u16(1))
        let day1Fields: [(String, JSONValue)] = [("record", s("dailyDelivery")), ("basalVolumeNanolitres", V.int(390_000)),
            ("bolusVolumeNanolitres", V.int(50000)), ("bolusCount", V.int(1))]
        let day2 = slot(0x20, time: 847_670_400, u32(60_000_000) + u32(60_000_000) + u16(1440))
        let day2Fields: [(String, JSONValue)] = [("record", s("dailyDelivery")), ("basalVolumeNanolitres", V.int(60_000_000)),
            ("bolusVolumeNanolitres", V.int(60_000_000)), ("bolusCount", V.int(1440))]
        var flipped = bolus
        flipped[9] ^= 0x01
        var almostErased = erased
        almostErased[19] = 0xFE

        var cases = [
            log("Required.Log.WorkedExample", ["PW-LOG-1", "PW-JSON-6"], region: "eventLog", bolus,
                items: [.record(0, bolus, bolusFields)], comment: "The bolusDelivered record of spec 13.4."),
            log("Required.Log.EveryEventType", ["PW-LOG-1", "PW-LOG-2", "PW-LOG-3", "PW-JSON-6"], region: "eventLog",
                therapy + schedule + bolus + refill + clock + erased + erased + erased,
                items: [.record(0, therapy, therapyFields), .record(20, schedule, scheduleFields), .record(40, bolus, bolusFields),
                        .record(60, refill, refillFields), .record(80, clock, clockFields), .erased(100, 3)],
                comment: "One record of each event-log type, then three erased slots reported as one run."),
            log("Required.Log.Alarms", ["PW-LOG-1", "PW-JSON-6"], region: "alarmLog", low + stall + eri + lowCleared,
                items: [.record(0, low, lowFields), .record(20, stall, stallFields), .record(40, eri, eriFields), .record(60, lowCleared, lowClearedFields)],
                comment: "Alarms raised with their details (reservoir µL, battery mV at its maximum, none), and one cleared."),
            log("Required.Log.TherapyHistory", ["PW-LOG-1", "PW-JSON-6"], region: "therapyHistory", therapy + day1 + day2 + schedule,
                items: [.record(0, therapy, therapyFields), .record(20, day1, day1Fields), .record(40, day2, day2Fields), .record(60, schedule, scheduleFields)],
                comment: "Therapy changes and daily totals, the second day at every maximum."),
            log("Required.Log.ErasedBetweenRecords", ["PW-LOG-2"], region: "eventLog", bolus + erased + erased + clock,
                items: [.record(0, bolus, bolusFields), .erased(20, 2), .record(60, clock, clockFields)],
                comment: "An erased run between two records."),
            log("Required.Log.CorruptRecordThenGood", ["PW-LOG-1", "PW-LOG-2", "PW-JSON-6"], region: "eventLog", therapy + flipped + clock,
                items: [.record(0, therapy, therapyFields), .rejected(20, .recordCRCMismatch, 38), .record(40, clock, clockFields)],
                comment: "One bit flipped in the middle record: it fails its CRC, and the next record is still read."),
            log("Required.Log.AlmostErased", ["PW-LOG-1"], region: "eventLog", almostErased,
                items: [.rejected(0, .recordCRCMismatch, 18)], comment: "Nineteen 0xff bytes and one 0xfe: not erased, and not a record."),
            log("Required.Log.TypeOfAnotherRegion", ["PW-LOG-1"], region: "eventLog", low + bolus,
                items: [.rejected(0, .fieldOutOfRange, 0), .record(20, bolus, bolusFields)], comment: "alarmRaised belongs to the alarm log."),
            log("Required.Log.UnlistedType", ["PW-LOG-1"], region: "eventLog", slot(0x06, []),
                items: [.rejected(0, .fieldOutOfRange, 0)], comment: "Record type 0x06 is not listed."),
            log("Required.Log.ReservedByteSet", ["PW-LOG-1"], region: "eventLog", slot(0x05, u32(1), reserved: 0x80),
                items: [.rejected(0, .nonCanonical, 1)], comment: "The reserved byte must be 0."),
            log("Required.Log.TimeNever", ["PW-LOG-1"], region: "eventLog", slot(0x05, time: 0xFFFF_FFFF, u32(1)),
                items: [.rejected(0, .fieldOutOfRange, 2)], comment: "0xffffffff is not a time a record was made."),
            log("Required.Log.UnusedByteSet", ["PW-LOG-1"], region: "eventLog", slot(0x01, u32(1) + u32(0) + [1, 0, 0, 7]),
                items: [.rejected(0, .nonCanonical, 17)], comment: "The last unused byte of therapyChanged is 7."),
            log("Required.Log.SourceZero", ["PW-LOG-1"], region: "therapyHistory", slot(0x01, u32(1) + u32(0) + [0]),
                items: [.rejected(0, .fieldOutOfRange, 14)], comment: "source 0 is not listed."),
            log("Required.Log.BolusVolumeAboveMaximum", ["PW-LOG-1"], region: "eventLog", slot(0x03, [1, 0] + u32(60_000_001) + u32(0) + u16(0)),
                items: [.rejected(0, .fieldOutOfRange, 8)], comment: "60000001 nL is above the maximum."),
            log("Required.Log.BolusDurationAboveMaximum", ["PW-LOG-1"], region: "eventLog", slot(0x03, [4, 2] + u32(0) + u32(0) + u16(1441)),
                items: [.rejected(0, .fieldOutOfRange, 16)], comment: "1441 minutes is longer than a day."),
            log("Required.Log.BolusOutcomeThree", ["PW-LOG-1"], region: "eventLog", slot(0x03, [1, 3] + u32(0) + u32(0) + u16(0)),
                items: [.rejected(0, .fieldOutOfRange, 7)], comment: "Outcome 3 is not listed."),
            log("Required.Log.RefillDrugZero", ["PW-LOG-1"], region: "eventLog", slot(0x04, [0] + u32(2000) + u32(0)),
                items: [.rejected(0, .fieldOutOfRange, 6)], comment: "Drug code 0 is not listed."),
            log("Required.Log.ClockPreviousNever", ["PW-LOG-1"], region: "eventLog", slot(0x05, u32(0xFFFF_FFFF)),
                items: [.rejected(0, .fieldOutOfRange, 6)], comment: "previousTime 0xffffffff is out of range."),
            log("Required.Log.DetailOnMotorStall", ["PW-LOG-1"], region: "alarmLog", slot(0x10, [4, 0] + u32(1)),
                items: [.rejected(0, .nonCanonical, 8)], comment: "motorStall has no detail: it must be 0."),
            log("Required.Log.BatteryDetailAboveMaximum", ["PW-LOG-1"], region: "alarmLog", slot(0x10, [3, 0] + u32(5001)),
                items: [.rejected(0, .fieldOutOfRange, 8)], comment: "5001 mV is above the battery detail's range."),
            log("Required.Log.RaisedWithCause", ["PW-LOG-1"], region: "alarmLog", slot(0x10, [5, 1] + u32(0)),
                items: [.rejected(0, .nonCanonical, 7)], comment: "An alarm raised has no cause: the byte is unused."),
            log("Required.Log.ClearedCauseZero", ["PW-LOG-1"], region: "alarmLog", slot(0x11, [5, 0] + u32(0)),
                items: [.rejected(0, .fieldOutOfRange, 7)], comment: "An alarm cleared needs a cause, 1 or 2."),
            log("Required.Log.AlarmNine", ["PW-LOG-1"], region: "alarmLog", slot(0x10, [10, 0] + u32(0)),
                items: [.rejected(0, .fieldOutOfRange, 6)], comment: "Alarm code 10 is not listed."),
            log("Required.Log.DayNotAtMidnight", ["PW-LOG-1"], region: "therapyHistory", slot(0x20, time: 847_584_001, u32(0) + u32(0) + u16(0)),
                items: [.rejected(0, .fieldOutOfRange, 2)], comment: "A daily total's time is the day's 00:00."),
            log("Required.Log.BolusCountAboveMaximum", ["PW-LOG-1"], region: "therapyHistory", slot(0x20, time: 847_584_000, u32(0) + u32(0) + u16(1441)),
                items: [.rejected(0, .fieldOutOfRange, 14)], comment: "1441 boluses in a day is above the maximum."),
            log("Required.Log.EndsInsideSlot", ["PW-LOG-1", "PW-LOG-3"], region: "eventLog", bolus + clock + Array(bolus.prefix(7)),
                items: [.record(0, bolus, bolusFields), .record(20, clock, clockFields), .rejected(40, .recordTruncated, 40)],
                comment: "The image ends 7 bytes into its third slot."),
            log("Required.Log.StartsInsideSlot", ["PW-LOG-1", "PW-LOG-3"], region: "eventLog", regionOffset: 30, Array(bolus.suffix(10)) + clock,
                items: [.rejected(0, .recordTruncated, 0), .record(10, clock, clockFields)],
                comment: "regionOffset 30: the first 10 bytes finish a slot that began before the image."),
            log("Required.Log.ErasedOnly", ["PW-LOG-2"], region: "alarmLog", [UInt8](repeating: 0xFF, count: 100),
                items: [.erased(0, 5)], comment: "An alarm log never written."),
            // A record type in a region that does not list it, in each region.
            log("Required.Log.DailyDeliveryInEventLog", ["PW-LOG-1"], region: "eventLog", day1 + bolus,
                items: [.rejected(0, .fieldOutOfRange, 0), .record(20, bolus, bolusFields)], comment: "dailyDelivery belongs to the therapy history."),
            log("Required.Log.BolusDeliveredInTherapyHistory", ["PW-LOG-1"], region: "therapyHistory", bolus + day1,
                items: [.rejected(0, .fieldOutOfRange, 0), .record(20, day1, day1Fields)], comment: "bolusDelivered belongs to the event log."),
            log("Required.Log.TherapyChangedInAlarmLog", ["PW-LOG-1"], region: "alarmLog", therapy + low,
                items: [.rejected(0, .fieldOutOfRange, 0), .record(20, low, lowFields)], comment: "therapyChanged is no alarm."),
            // PW-LOG-1 in order: a slot that fails two adjacent checks.
            log("Required.Log.Order.TruncatedBeforeErased", ["PW-LOG-1"], region: "eventLog", erased + [UInt8](repeating: 0xFF, count: 7),
                items: [.erased(0, 1), .rejected(20, .recordTruncated, 20)],
                comment: "Seven 0xff bytes at the end: a partial slot, not an erased one (step 1 before step 2)."),
            log("Required.Log.Order.LeadingPartialErased", ["PW-LOG-1"], region: "eventLog", regionOffset: 30,
                [UInt8](repeating: 0xFF, count: 10) + clock, items: [.rejected(0, .recordTruncated, 0), .record(10, clock, clockFields)],
                comment: "regionOffset 30, and the partial slot before the first whole one is all 0xff: still RECORD_TRUNCATED."),
            log("Required.Log.Order.CRCBeforeType", ["PW-LOG-1"], region: "eventLog", slot(0x06, [], crc: 0x1234),
                items: [.rejected(0, .recordCRCMismatch, 18)], comment: "Type 0x06 and a wrong CRC: the CRC (step 3) before the type (step 4)."),
            log("Required.Log.Order.TypeBeforeReserved", ["PW-LOG-1"], region: "eventLog", slot(0x06, [], reserved: 0x80),
                items: [.rejected(0, .fieldOutOfRange, 0)], comment: "Type 0x06 and the reserved byte set: the type."),
            log("Required.Log.Order.ReservedBeforeTime", ["PW-LOG-1"], region: "eventLog", slot(0x05, time: 0xFFFF_FFFF, u32(1), reserved: 0x01),
                items: [.rejected(0, .nonCanonical, 1)], comment: "The reserved byte set and time 0xffffffff: the reserved byte."),
            log("Required.Log.Order.TimeBeforeBody", ["PW-LOG-1"], region: "eventLog",
                slot(0x03, time: 0xFFFF_FFFF, [1, 0] + u32(60_000_001) + u32(0) + u16(0)),
                items: [.rejected(0, .fieldOutOfRange, 2)], comment: "Time 0xffffffff and a volume above the maximum: the time."),
        ]
        cases += bounds + enumerations + securityRecords
        for name in ["Required.Log.EveryEventType", "Required.Log.Alarms", "Required.Log.TherapyHistory"] { cases.tag(name, "PW-LOG-1/type-each") }
        for name in ["Required.Log.TypeOfAnotherRegion", "Required.Log.DailyDeliveryInEventLog", "Required.Log.BolusDeliveredInTherapyHistory",
                     "Required.Log.TherapyChangedInAlarmLog"] { cases.tag(name, "PW-LOG-1/type-region") }
        cases.tag("Required.Log.Order.TruncatedBeforeErased", "PW-LOG-1/order-truncated-erased")
        cases.tag("Required.Log.Order.LeadingPartialErased", "PW-LOG-1/order-truncated-erased")
        cases.tag("Required.Log.Order.CRCBeforeType", "PW-LOG-1/order-crc-type")
        cases.tag("Required.Log.Order.TypeBeforeReserved", "PW-LOG-1/order-type-reserved")
        cases.tag("Required.Log.Order.ReservedBeforeTime", "PW-LOG-1/order-reserved-time")
        cases.tag("Required.Log.Order.TimeBeforeBody", "PW-LOG-1/order-time-body")
        return cases
    }
}
