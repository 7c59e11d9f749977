import CPumpWire
import Foundation
import PumpWire
@testable import PumpWireC
import PumpWireCore
import Testing

// The secure pump of pumpwire.h (pw_secure_pump) through its C declarations, with the C provider
// table over SwiftCryptoProvider: every step of the `pumpScenarios` of vectors/crypto/sessions.json,
// which the independent Python pump generated (PW-SEC-21).

@Suite("The secure pump of the C API against the pump scenarios of vectors/crypto/sessions.json",
       .enabled(if: !GoldenSessions.list("pumpScenarios").isEmpty, "no pump scenarios in this checkout"))
struct SecurePumpCAPITests {
    nonisolated(unsafe) static let scenarios = GoldenSessions.list("pumpScenarios")
    static let names = scenarios.map { $0["id"] as? String ?? "?" }

    @Test("pw_secure_pump holds the Swift state after its check word")
    func layout() {
        #expect(CStateStorage.fits(CSecurePump.self, in: pw_secure_pump.self))
    }

    @Test("Each scenario step by step: the answer, the request for therapy and the log records", arguments: names)
    func scenario(_ name: String) throws {
        let scenario = try #require(Self.scenarios.first { $0["id"] as? String == name })
        let pump = try #require(scenario["pump"] as? [String: Any])
        var table = swiftCryptoTable()
        var state = pw_secure_pump()
        var slots = [pw_pump_slot](repeating: pw_pump_slot(), count: 4)
        for (index, value) in (pump["slots"] as? [Any] ?? []).enumerated() {
            guard let slot = value as? [String: Any] else { continue }
            slots[index].role = UInt8(slot["role"] as? Int ?? 0)
            let key = GoldenSessions.hex(slot, "staticPublic")
            withUnsafeMutableBytes(of: &slots[index].static_public) { raw in for i in 0..<32 { raw[i] = key[i] } }
            slots[index].last_command_id = UInt32(slot["lastCommandId"] as? Int ?? 0)
        }
        var limits = pw_patient_bolus_limits()
        let bolus = pump["patientBolus"] as? [String: Any]
        if let bolus {
            limits.dose_nanograms = UInt32(bolus["doseNanograms"] as? Int ?? 0)
            limits.lockout_minutes = UInt16(bolus["lockoutMinutes"] as? Int ?? 0)
            limits.max_per_day = UInt8(bolus["maxPerDay"] as? Int ?? 0)
        }
        let key = GoldenSessions.hex(pump, "staticPrivate"), secret = GoldenSessions.hex(pump, "pairingSecret")
        var offset: UInt32 = 0
        let begun = withUnsafePointer(to: &table) { table in
            withUnsafePointer(to: &limits) { limitsPointer in
                pw_secure_pump_init(&state, table, key, secret, pump["pairingWindowOpen"] as? Bool ?? false,
                                    UInt32(pump["sessionCount"] as? Int ?? 0), bolus == nil ? nil : limitsPointer, slots, &offset)
            }
        }
        #expect(begun == 0)
        for (index, step) in (scenario["steps"] as? [[String: Any]] ?? []).enumerated() {
            let frame = GoldenSessions.hex(step, "frame")
            let ephemeral = step["ephemeralPrivate"] == nil ? nil : GoldenSessions.hex(step, "ephemeralPrivate")
            var answer = [UInt8](repeating: 0, count: Int(PW_SECURE_PUMP_ANSWER_CAPACITY))
            var work = [UInt8](repeating: 0, count: Int(PW_SECURE_PUMP_WORK_CAPACITY))
            var result = pw_pump_step()
            let status = pw_secure_pump_receive(&state, frame, frame.count, UInt32(step["now"] as? Int ?? 0), ephemeral,
                                                &answer, answer.count, &work, work.count, &result, &offset)
            let what = "\(name) step \(index + 1): \(step["description"] as? String ?? "")"
            #expect(status == 0, "\(what)")
            let expectedAnswer = (step["answer"] as? String).map { try! Hex.decode($0) } ?? []
            #expect(Array(answer[..<result.answer_length]) == expectedAnswer, "\(what): the answer")
            if let therapy = step["therapy"] as? [String: Any] {
                #expect(result.has_therapy, "\(what): to therapy")
                #expect(result.therapy_message_type == UInt8(therapy["messageType"] as? Int ?? -1))
                #expect(result.therapy_command_id == UInt32(therapy["commandId"] as? Int ?? -1))
                #expect(Array(work[..<result.therapy_length]) == GoldenSessions.hex(therapy, "payload"), "\(what): the payload")
            } else {
                #expect(!result.has_therapy, "\(what): nothing to therapy")
            }
            let records = (step["log"] as? [String] ?? []).map { try! Hex.decode($0) }
            #expect(Int(result.record_count) == records.count, "\(what): the records")
            let written = withUnsafeBytes(of: result.records) { Array($0) }
            for (number, record) in records.enumerated() where number < Int(result.record_count) {
                #expect(Array(written[(number * 20)..<((number + 1) * 20)]) == record, "\(what): record \(number + 1)")
            }
        }
        // What it keeps across power loss comes back whole in a restored pump (pumpwire.h).
        var kept = pw_pump_persistent_state()
        #expect(pw_secure_pump_persistent_state(&state, &kept, &offset) == 0)
        var restored = pw_secure_pump()
        let restoredStatus = withUnsafePointer(to: &table) { table in
            withUnsafePointer(to: &limits) { limitsPointer in
                pw_secure_pump_restore(&restored, table, key, secret, false, &kept, bolus == nil ? nil : limitsPointer, &offset)
            }
        }
        #expect(restoredStatus == 0)
        var again = pw_pump_persistent_state()
        #expect(pw_secure_pump_persistent_state(&restored, &again, &offset) == 0)
        #expect(withUnsafeBytes(of: &kept) { Array($0) } == withUnsafeBytes(of: &again) { Array($0) })
        pw_secure_pump_erase(&restored)
        pw_secure_pump_erase(&state)
        var after = pw_pump_step()
        var out = [UInt8](repeating: 0, count: 512), work = [UInt8](repeating: 0, count: 512)
        // An erased pump is refused, never read (pumpwire.h: a state struct needs its init).
        let refused = pw_secure_pump_receive(&state, [0xA5], 1, 0, nil, &out, 128, &work, 512, &after, &offset)
        #expect(refused == 19)
    }
}
