import Foundation
import Testing
import PumpWire
import PumpWireConformance
import PumpWireCore
import PumpWireSecurity

/// Test identities, key logs, sealed frames opened in captures, decrypted captures
/// (spec/security.md section 14, PW-KEYLOG-1 to 5).
@Suite("Key logs and sealed captures (spec/security.md 14)")
struct KeyLogTests {
    static let capturePath = "vectors/captures/session-sealed.pcapng"
    static let keyLogPath = "vectors/captures/session-sealed.keylog"

    static func committedKeyLog() throws -> KeyLog {
        try KeyLog(text: String(contentsOf: packageRoot.appendingPathComponent(keyLogPath), encoding: .utf8))
    }

    /// The items a stream reader reports for `frames`, a packet each, with the key log's opener.
    static func items(_ frames: [[UInt8]], keyLog: KeyLog?) -> [StreamItem] {
        var reader = StreamReader(opener: keyLog.map { KeyLogOpener(keyLog: $0) })
        var items: [StreamItem] = []
        for (index, frame) in frames.enumerated() {
            frame.withUnsafeBytes { raw in _ = reader.read(raw, isFinal: true, packet: index + 1) { item, _ in items.append(item) } }
        }
        reader.finish { item, _ in items.append(item) }
        return items
    }

    /// What `validate` finds in `frames` written as a capture, a packet each.
    static func findings(_ frames: [[UInt8]], keyLog: KeyLog?) throws -> (findings: [ValidationFinding], summary: ValidationSummary) {
        let input = try CaptureInput.open(bytes: CaptureWriter.capture(of: frames), name: "test.pcapng", as: .pcapng)
        var found: [ValidationFinding] = []
        let summary = CaptureValidator.validate(input, opener: keyLog.map { KeyLogOpener(keyLog: $0) }) { found.append($0) }
        return (found, summary)
    }

    /// The pump's sending channel of the committed session, its counter at `next`.
    static func pumpChannel(_ keyLog: KeyLog, next: Int) throws -> SealedChannel<SwiftCryptoProvider> {
        let session = keyLog.sessions[0]
        var channel = SealedChannel(
            role: .responder, initiatorToResponder: session.k1.withUnsafeBytes { Bytes32(copying: $0)! },
            responderToInitiator: session.k2.withUnsafeBytes { Bytes32(copying: $0)! }, sessionEpoch: session.sessionEpoch,
            provider: SwiftCryptoProvider())
        for _ in 0..<next { _ = try channel.sealedFrame(type: 0xF0, sequence: 0, payload: []) }
        return channel
    }

    /// A frame with its CRC computed again (a change the CRC does not catch).
    static func withCRC(_ frame: [UInt8]) -> [UInt8] {
        var bytes = Array(frame.dropLast(2))
        let crc = bytes.withUnsafeBytes { CRC16.checksum($0) }
        bytes += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        return bytes
    }

    @Test("The committed capture, key log and identities are the example made again from the seeds")
    func committedIsRegenerated() throws {
        let example = try SealedSessionExample.committed()
        let folder = packageRoot.appendingPathComponent("vectors")
        #expect(Array(try Data(contentsOf: folder.appendingPathComponent(SealedSessionExample.capturePath))) == example.capture)
        #expect(try String(contentsOf: folder.appendingPathComponent(SealedSessionExample.keyLogPath), encoding: .utf8)
            == SealedSessionExample.keyLogText(example))
        #expect(try String(contentsOf: folder.appendingPathComponent(SealedSessionExample.pumpIdentityPath), encoding: .utf8) == example.pump.text)
        #expect(example.frames.count == 6)
        // The key log names the session by the request's clear ephemeral key (frame offsets 11 to 42).
        #expect(example.keyLog.sessions[0].initiatorEphemeral == Array(example.frames[0][11..<43]))
    }

    @Test("With the key log the four sealed frames open as the messages sent, commandId first (14.3); without it they stay sealed")
    func opensCommittedSession() throws {
        let example = try SealedSessionExample.committed()
        let opened = Self.items(example.frames, keyLog: try Self.committedKeyLog())
        #expect(opened.count == 6)
        #expect(opened.compactMap(\.opened).count == 4)
        #expect(opened[2].opened == OpenedSeal(key: .k1, sessionEpoch: 7, frameCounter: 0))
        #expect(opened[3].opened == OpenedSeal(key: .k2, sessionEpoch: 7, frameCounter: 0))
        #expect(opened[4].opened == OpenedSeal(key: .k1, sessionEpoch: 7, frameCounter: 1, commandId: 42))
        guard case .frame(let status) = opened[3].kind, case .frame(let rx) = opened[4].kind, case .frame(let ack) = opened[5].kind else {
            Issue.record("not frames: \(opened)")
            return
        }
        #expect(status.content == .message(.pumpStatus(DeclaredMessages.pumpStatus)))
        #expect(rx.content == .message(.prescriptionBlock(DeclaredMessages.prescription)))
        #expect(rx.authentication != nil)  // the block stays: the JSON view shows it (PW-KEYLOG-4)
        #expect(ack.content == .message(.acknowledgement(Acknowledgement(acknowledgedType: 0x02, digest: 0xB7E2_AAD6))))

        let sealed = Self.items(example.frames, keyLog: nil)
        #expect(sealed.allSatisfy { $0.opened == nil })
        #expect(sealed[2...].allSatisfy { if case .frame(let frame) = $0.kind { frame.isSealed } else { false } })
        // A key log of another session opens nothing, and finds nothing (14.3 step 6).
        let other = KeyLog(sessions: [KeyLog.Session(initiatorEphemeral: [UInt8](repeating: 1, count: 32), sessionEpoch: 7,
                                                     k1: [UInt8](repeating: 2, count: 32), k2: [UInt8](repeating: 3, count: 32),
                                                     handshakeHash: [UInt8](repeating: 4, count: 32))])
        #expect(Self.items(example.frames, keyLog: other) == sealed)
        #expect(try Self.findings(example.frames, keyLog: other).findings.isEmpty)
    }

    @Test("A changed tag, a replay, a rollback and another epoch are findings with their codes and offsets only with keys (PW-SEC-10)")
    func rejections() throws {
        let frames = try SealedSessionExample.committed().frames
        let keyLog = try Self.committedKeyLog()
        var forged = frames
        forged[4][9 + 43 + 4 + 5] ^= 0x01  // a tag bit of the prescription (P = 43), CRC made good again
        forged[4] = Self.withCRC(forged[4])
        #expect(try Self.findings(forged, keyLog: nil).findings.isEmpty)  // PW-AUTH-4: without keys, nothing to say
        let tag = try Self.findings(forged, keyLog: keyLog).findings
        // The prescription is dropped (as a pump drops it, PW-SEC-11), so its acknowledgement answers
        // nothing the validator could authenticate: UNSOLICITED_RESPONSE (PW-SESSION-2).
        #expect(tag.map(\.code) == [96, ErrorCode.unsolicitedResponse.rawValue])
        #expect(tag.first?.offset == 56 && tag.first?.place.packet == 5 && tag.first?.requirement == "PW-SEC-10")

        let replay = try Self.findings(frames + [frames[4]], keyLog: keyLog).findings
        #expect(replay.first.map { ($0.code, $0.offset, $0.place.packet) } ?? (0, nil, nil) == (97, 52, 7))
        let rollback = try Self.findings(frames + [frames[2]], keyLog: keyLog).findings
        #expect(rollback.first.map { ($0.code, $0.offset) } ?? (0, nil) == (98, 9))

        var stale = keyLog.sessions[0]
        stale.sessionEpoch = 8
        let epoch = try Self.findings(frames, keyLog: KeyLog(sessions: [stale])).findings
        #expect(epoch.map(\.code) == [99, 99, 99, 99])
        #expect(epoch.first?.offset == 9 + 0 + 3)  // the interrogation request, P = 0
    }

    @Test("Opened messages take part in the session checks: a wrong digest is found only with keys (14.3 step 4)")
    func sessionChecksSeeOpenedMessages() throws {
        var frames = try SealedSessionExample.committed().frames
        let keyLog = try Self.committedKeyLog()
        var pump = try Self.pumpChannel(keyLog, next: 1)
        frames[5] = try pump.sealedFrame(type: 0xF0, sequence: 3, payload: [0x02, 0xD7, 0xAA, 0xE2, 0xB7])
        #expect(try Self.findings(frames, keyLog: nil).findings.isEmpty)
        let withKeys = try Self.findings(frames, keyLog: keyLog)
        #expect(withKeys.findings.map(\.code) == [ErrorCode.digestMismatch.rawValue])
        #expect(withKeys.findings.first?.place.packet == 6)
        #expect(withKeys.summary.sealedFrames == 4 && withKeys.summary.openedFrames == 4)
    }

    @Test("Opened fragments are reassembled, commandId first; a capture without its handshake is opened by trial (14.3 steps 3, 5)")
    func fragmentsAndTrial() throws {
        let keyLog = try Self.committedKeyLog()
        let session = keyLog.sessions[0]
        var device = SealedChannel(
            role: .initiator, initiatorToResponder: session.k1.withUnsafeBytes { Bytes32(copying: $0)! },
            responderToInitiator: session.k2.withUnsafeBytes { Bytes32(copying: $0)! }, sessionEpoch: 7, provider: SwiftCryptoProvider())
        var rx = DeclaredMessages.prescription
        rx.steps = try BoundedArray(elements: (0..<40).map { DayProfileStep(startMinute: UInt16($0 * 30), doseRateNanogramsPerDay: 480_000) })
        var payload = [UInt8](repeating: 0, count: Message.prescriptionBlock(rx).payloadSize)
        _ = try payload.withUnsafeMutableBytes { raw in
            try Result { () throws(PumpWireError) -> Int in
                var writer = ByteWriter(raw)
                try Message.prescriptionBlock(rx).encodePayload(into: &writer)
                return writer.count
            }.get()
        }
        let fragments = try device.sealedFrames(type: 0x02, sequence: 9, payload: [7, 0, 0, 0] + payload)
        #expect(fragments.count == 2)
        // No handshake in this capture: the first fragment opens by trial, the second with the session so found.
        let items = Self.items(fragments, keyLog: keyLog)
        #expect(items.count == 3)
        guard case .reassembled(let frame) = items.last?.kind else {
            Issue.record("no reassembled message: \(items)")
            return
        }
        #expect(frame.content == .message(.prescriptionBlock(rx)))
        #expect(items.last?.opened == OpenedSeal(key: .k1, sessionEpoch: 7, frameCounter: nil, commandId: 7))
        #expect(items[0].opened?.frameCounter == 0 && items[1].opened?.frameCounter == 1)
        // Without keys, sealed fragments are never reassembled (PW-AUTH-3).
        #expect(Self.items(fragments, keyLog: nil).count == 2)
    }

    @Test("Key log lines: comments, other labels, CR LF; a malformed or conflicting line refuses the file, naming it (PW-KEYLOG-2)")
    func keyLogParsing() throws {
        let line = try Self.committedKeyLog().sessions[0].line
        // Hex in either case: the upper-case copy is the same session, not a conflict.
        let parsed = try KeyLog(text: "# comment\r\n\n  CLIENT_RANDOM aa bb\r\n\(line)\r\n\(line.uppercased())\n")
        #expect(parsed.sessions.count == 1)
        #expect(try KeyLog(text: parsed.text()) == parsed)
        func refusal(_ text: String) -> KeyLog.ParseError? {
            do { _ = try KeyLog(text: text); return nil } catch { return error }
        }
        let fields = line.split(separator: " ")
        #expect(refusal("#\n\(fields.dropLast().joined(separator: " "))\n")?.line == 2)
        let changed = line.dropLast() + (line.last == "0" ? "1" : "0")
        #expect(refusal("\(line)\n\(changed)\n")?.reason.contains("other keys") == true)
        #expect(refusal("\(line)\n\(changed)\n")?.line == 2)
        #expect(refusal(fields[0..<2].joined(separator: " ") + " 7 " + fields[3...].joined(separator: " "))?.reason
            == "sessionEpoch is not 2 hexadecimal digits")
        #expect(refusal(line.replacingOccurrences(of: String(fields[3]), with: "zz" + fields[3].dropFirst(2)))?.reason == "k1 is not 64 hexadecimal digits")
    }

    @Test("Test identities: reproducible from a seed, read back, refused when the public key is not the private key's (PW-KEYLOG-1)")
    func identities() throws {
        let pump = try TestIdentity.make(kind: .pump, name: "p", seed: "seed")
        #expect(try TestIdentity.make(kind: .pump, name: "p", seed: "seed") == pump)
        #expect(try TestIdentity.make(kind: .pump, name: "p", seed: "other") != pump)
        #expect(try TestIdentity.make(kind: .pump, name: "p") != TestIdentity.make(kind: .pump, name: "p"))
        #expect(pump.pairingSecret != nil && pump.role == nil)
        #expect(try TestIdentity(text: pump.text) == pump)
        #expect(pump.text.contains("\"warning\": \"TEST KEYS"))
        let device = try TestIdentity.make(kind: .device, name: "d", role: .patient, seed: "seed")
        #expect(device.staticPrivateKey != pump.staticPrivateKey && device.pairingSecret == nil && device.role == .patient)
        #expect(try TestIdentity(text: device.text) == device)

        var wrong = pump
        wrong.staticPublicKey = device.staticPublicKey
        #expect(throws: TestIdentity.ReadError(key: "staticPublicKey", reason: "is not the public key of staticPrivateKey")) {
            try TestIdentity(text: wrong.text)
        }
        let noSecret = pump.text.replacingOccurrences(of: "\"pairingSecret\"", with: "\"secret\"")
        #expect(throws: TestIdentity.ReadError(key: "pairingSecret", reason: "missing")) { try TestIdentity(text: noSecret) }
    }

    @Test("The decrypted capture: plaintext in place of the ciphertext, block kept, CRC good, and a comment naming the opened frames (PW-KEYLOG-5)")
    func decryptedCapture() throws {
        let example = try SealedSessionExample.committed()
        var written: [(data: [UInt8], comment: String?)] = []
        let decryptor = CaptureDecryptor(opener: KeyLogOpener(keyLog: example.keyLog)) { data, _, comment in written.append((data, comment)) }
        var consumer = decryptor
        try CaptureInput.open(bytes: example.capture, name: "sealed", as: .pcapng).read(into: &consumer)
        #expect(written.count == 6 && decryptor.openedFrames == 4)
        #expect(written[0].data == example.frames[0] && written[0].comment == nil && written[1].comment == nil)
        for index in 2..<6 {
            #expect(written[index].comment?.hasPrefix("PumpWire opened at 0: ") == true)
            #expect(written[index].data.count == example.frames[index].count)
            #expect(written[index].data[4] == example.frames[index][4])  // AUTHENTICATED kept
            #expect(Array(written[index].data.suffix(22).prefix(20)) == Array(example.frames[index].suffix(22).prefix(20)))  // the block
        }
        // The prescription's plaintext: commandId 42, then the v1 payload; the frame passes the frame checks.
        let rx = written[4].data
        #expect(Array(rx[9..<13]) == [42, 0, 0, 0])
        #expect(throws: Never.self) { try rx.withUnsafeBytes { raw in try Result { () throws(PumpWireError) in try FrameView.decode(raw, exactly: true) }.get() } }
    }
}

@Suite("pumpwire keys, decode/validate --keylog, capture --decrypt (spec/security.md 14)", .serialized)
struct KeyLogCommandTests {
    @Test("keys new-pump --seed writes the committed test identity; keys show prints the card's secret; an existing file is kept")
    func keysCommand() throws {
        let made = try pumpwire(["keys", "new-pump", "--seed", SealedSessionExample.pumpSeed, "--name", "session-sealed pump"])
        #expect(made.status == 0)
        #expect(made.out == (try String(contentsOf: packageRoot.appendingPathComponent("vectors/" + SealedSessionExample.pumpIdentityPath), encoding: .utf8)))
        let show = try pumpwire(["keys", "show", "vectors/" + SealedSessionExample.pumpIdentityPath])
        #expect(show.status == 0 && show.out.contains("TEST pump identity") && show.out.contains("pairing secret"))
        let kept = try pumpwire(["keys", "new-device", "--output", "vectors/" + SealedSessionExample.deviceIdentityPath])
        #expect(kept.status == 2 && kept.err.contains("exists"))
        let broken = try pumpwire(["keys", "show", KeyLogTests.keyLogPath])
        #expect(broken.status == 2 && broken.err.contains("not JSON"))
    }

    @Test("decode shows sealed frames without the key log and opened messages with it, text and JSON")
    func decode() throws {
        let without = try pumpwire(["decode", "--file", KeyLogTests.capturePath])
        #expect(without.status == 0)
        #expect(without.out.contains("prescriptionBlock (0x02), sequence 3, sealed, 43 bytes of ciphertext"))
        #expect(without.out.contains("4 sealed, not opened (give --keylog FILE to open them)"))
        // The handshake, named and read as the security layer's (security.md 10.0), not "unknown".
        #expect(without.out.contains("handshakeRequest (0x10, spec/security.md), sequence 1"))
        #expect(without.out.contains("security layer: pattern session (Noise_KK), slot 0, initiator's ephemeral key 92f98181"))
        #expect(without.out.contains("handshakeResponse (0x90, spec/security.md), sequence 1"))
        #expect(!without.out.contains("opened with the key log ("))
        let with = try pumpwire(["decode", "--keylog", KeyLogTests.keyLogPath, "--file", KeyLogTests.capturePath])
        #expect(with.status == 0)
        #expect(with.out.contains("prescriptionBlock (0x02), sequence 3, sealed, opened with the key log (k1, epoch 7, counter 1, commandId 42)"))
        #expect(with.out.contains("digest 0xb7e2aad6"))
        #expect(with.out.contains("4 sealed, 4 opened with the key log, 0 not opened"))
        let json = try pumpwire(["decode", "--format", "json", "--keylog", KeyLogTests.keyLogPath, "--file", KeyLogTests.capturePath])
        let items = try JSONValue.parse(Array(json.out.utf8))
        guard case .array(let list) = items else { Issue.record("not an array"); return }
        #expect(list[4]["opened"] == .object([("key", .string("k1")), ("sessionEpoch", .integer(7)), ("frameCounter", .integer(1)), ("commandId", .integer(42))]))
        #expect(list[4]["message"]?["drug"] == .string("morphine"))
        #expect(list[1]["opened"] == nil)
    }

    @Test("validate --keylog: a forged tag is AUTHENTICATION_FAILED at its frame offset; a malformed key log is exit 2 naming the line")
    func validate() throws {
        var frames = try SealedSessionExample.committed().frames
        frames[4][9 + 43 + 4] ^= 0x80
        frames[4] = KeyLogTests.withCRC(frames[4])
        let path = NSTemporaryDirectory() + "pumpwire-forged-\(getpid()).pcapng"
        try Data(CaptureWriter.capture(of: frames)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try pumpwire(["validate", path]).status == 0)
        let forged = try pumpwire(["validate", "--keylog", KeyLogTests.keyLogPath, path])
        #expect(forged.status == 1)
        #expect(forged.out.contains("packet 5, stream offset 0: AUTHENTICATION_FAILED (96) at frame offset 56 (field authentication) [PW-SEC-10]; prescriptionBlock (0x02), sequence 3"))
        #expect(forged.out.contains("[PW-SEC-10]"))
        let decoded = try pumpwire(["decode", "--keylog", KeyLogTests.keyLogPath, "--file", path])
        #expect(decoded.status == 1 && decoded.out.contains("AUTHENTICATION_FAILED (96) at packet 5, stream offset 56"))

        let badLog = NSTemporaryDirectory() + "pumpwire-bad-\(getpid()).keylog"
        try "# a comment\nPUMPWIRE_SESSION 00 07\n".write(toFile: badLog, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: badLog) }
        let bad = try pumpwire(["validate", "--keylog", badLog, KeyLogTests.capturePath])
        #expect(bad.status == 2)
        #expect(bad.err.contains("\(badLog): line 2: PUMPWIRE_SESSION has 2 fields, not 5"))
        #expect(try pumpwire(["decode", "--keylog", "no-such.keylog", "--file", KeyLogTests.capturePath]).status == 2)
    }

    @Test("capture --decrypt writes the decrypted view; --sealed-example with the committed identities writes the committed capture")
    func captureCommand() throws {
        let directory = NSTemporaryDirectory() + "pumpwire-decrypt-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try pumpwire(["capture", "--decrypt", KeyLogTests.capturePath, "--keylog", KeyLogTests.keyLogPath, "--output", directory + "/opened.pcapng"])
        #expect(result.status == 0 && result.out.contains("4 of 4 sealed frames"))
        let opened = try Data(contentsOf: URL(fileURLWithPath: directory + "/opened.pcapng"))
        #expect(String(decoding: opened, as: UTF8.self).contains("PumpWire opened at 0: "))
        let example = try pumpwire(["capture", "--sealed-example", "--pump", "vectors/" + SealedSessionExample.pumpIdentityPath,
                                    "--device", "vectors/" + SealedSessionExample.deviceIdentityPath,
                                    "--output", directory + "/sealed.pcapng", "--write-keylog", directory + "/sealed.keylog"])
        #expect(example.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/sealed.pcapng")) == Data(contentsOf: packageRoot.appendingPathComponent(KeyLogTests.capturePath)))
        let hexLog = try pumpwire(["capture", "--decrypt", "vectors/captures/session-complete.hex", "--keylog", KeyLogTests.keyLogPath, "--output", directory + "/x.pcapng"])
        #expect(hexLog.status == 2 && hexLog.err.contains("not a capture file"))
    }
}
