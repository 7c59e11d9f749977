import Foundation
import PumpWire
import PumpWireSecurity
import PumpWireConformance
@testable import PumpWireCore
import Testing

/// The other party of a handshake: Tests/PumpWireTests/Interop/noise_peer.py, which runs the
/// Python package `noiseprotocol` (an implementation nobody here wrote) and seals frames with
/// Python's `cryptography`. One request a line, one answer a line.
final class NoisePeer {
    static let script = packageRoot.appendingPathComponent("Tests/PumpWireTests/Interop/noise_peer.py")

    /// Why the peer cannot run here (no python3, or no `noiseprotocol`), or nil when it can.
    static let unavailability: String? = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import noise.connection, cryptography"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "python3 cannot be started: \(error)" }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil
            : "python3 lacks noiseprotocol or cryptography (pip install noiseprotocol==0.3.1)"
    }()
    static var isAvailable: Bool { unavailability == nil }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let process = Process()
    private let input: FileHandle
    private let output: FileHandle
    private var pending = Data()

    init(config: [String: String]) throws {
        let stdin = Pipe(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path]
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        try process.run()
        let greeting = try readLine()
        guard greeting == "ready" else { throw Failure(description: "noise_peer.py said \(greeting)") }
        let json = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
        try send(String(decoding: json, as: UTF8.self))
    }

    deinit {
        try? input.close()
        process.waitUntilExit()
    }

    /// Sends a request; returns the answer's words, which must start with `expected`.
    func request(_ line: String, expecting expected: String) throws -> [String] {
        try send(line)
        let answer = try readLine()
        let words = answer.split(separator: " ").map(String.init)
        guard words.first == expected else { throw Failure(description: "asked \(line.prefix(40)), got \(answer)") }
        return Array(words.dropFirst())
    }

    private func send(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    private func readLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                return line
            }
            let chunk = output.availableData
            guard !chunk.isEmpty else { throw Failure(description: "noise_peer.py ended") }
            pending.append(chunk)
        }
    }
}

/// Bytes as the peer writes them: lowercase hex, "-" for none.
func peerHex(_ bytes: [UInt8]) -> String { bytes.isEmpty ? "-" : Hex.encode(bytes) }
func peerBytes(_ text: String) throws -> [UInt8] { text == "-" ? [] : try Hex.decode(text) }

@Suite("Interop with noiseprotocol: handshakes, transport and sealed frames against an independent peer")
struct SecurityInteropTests {
    static let cases: [(NoisePattern, NoiseRole)] = [(.kk, .initiator), (.kk, .responder), (.xxpsk3, .initiator), (.xxpsk3, .responder)]

    @Test("Swift and Python agree on every message, the handshake hash, the keys and the frames",
          .enabled(if: NoisePeer.isAvailable, Comment(rawValue: NoisePeer.unavailability ?? "")),
          arguments: cases)
    func interop(pattern: NoisePattern, swiftRole: NoiseRole) throws {
        let swiftIsInitiator = swiftRole == .initiator
        let slot: UInt8 = pattern == .kk ? 2 : 0
        let prologue = HandshakePrologue(pattern: pattern, slot: slot).withUnsafeBytes { Array($0) }
        let (swiftStatic, swiftEphemeral, peerStatic, peerEphemeral) = swiftIsInitiator
            ? (TestKeys.initiatorStatic, TestKeys.initiatorEphemeral, TestKeys.responderStatic, TestKeys.responderEphemeral)
            : (TestKeys.responderStatic, TestKeys.responderEphemeral, TestKeys.initiatorStatic, TestKeys.initiatorEphemeral)
        var config = [
            "pattern": pattern == .kk ? "KK" : "XXpsk3", "role": swiftIsInitiator ? "responder" : "initiator",
            "prologue": Hex.encode(prologue), "static": peerStatic.hex, "ephemeral": peerEphemeral.hex,
        ]
        if pattern == .kk { config["remote_static"] = TestKeys.publicKey(swiftStatic).hex }
        if pattern == .xxpsk3 { config["psk"] = TestKeys.pairingSecret.hex }
        let peer = try NoisePeer(config: config)

        var swift = try prologue.withUnsafeBytes { raw in
            try typed { () throws(PumpWireError) in
                try NoiseHandshakeState(
                    pattern: pattern, role: swiftRole, prologue: raw, localStaticPrivateKey: swiftStatic,
                    remoteStaticPublicKey: pattern == .kk ? TestKeys.publicKey(peerStatic) : nil,
                    presharedKey: pattern == .xxpsk3 ? TestKeys.pairingSecret : nil,
                    ephemeralPrivateKey: swiftEphemeral, provider: swiftCrypto)
            }.get()
        }
        let info = sessionInfo(slot: slot, epoch: 9, lastCommandId: 41)
        for index in 0..<pattern.messageCount {
            let payload = index == 1 ? info : []
            let swiftWrites = (index % 2 == 0) == swiftIsInitiator
            if swiftWrites {
                let message = try swift.write(payload)
                #expect(try peer.request("read \(peerHex(message))", expecting: "payload") == [peerHex(payload)], "message \(index)")
            } else {
                let message = try peerBytes(try peer.request("write \(peerHex(payload))", expecting: "message")[0])
                #expect(message.count == (pattern == .kk ? [48, 54] : [48, 102, 64])[index])
                #expect(try swift.read(message) == payload, "message \(index)")
            }
        }
        #expect(swift.isComplete)
        let done = try peer.request("finish", expecting: "done")
        let (k1, k2) = try swift.split()
        #expect(done == [swift.handshakeHash.hex, k1.key.hex, k2.key.hex])
        if pattern == .xxpsk3 { #expect(swift.remoteStaticPublicKey == TestKeys.publicKey(peerStatic)) }

        // Noise transport messages, both ways.
        var (sending, receiving) = swiftIsInitiator ? (k1, k2) : (k2, k1)
        for text in [Array("PumpWire".utf8), [], [UInt8](repeating: 0xA5, count: 300)] {
            let ciphertext = try sending.encrypt(text)
            #expect(try peer.request("decrypt \(peerHex(ciphertext))", expecting: "plaintext") == [peerHex(text)])
            let reply = try peerBytes(try peer.request("encrypt \(peerHex(text))", expecting: "ciphertext")[0])
            #expect(try receiving.decrypt(reply) == text)
        }

        // Sealed frames (PW-SEC-9), each way: Swift seals and Python opens, Python seals and Swift opens.
        var channel = try SealedChannel(handshake: swift, sessionEpoch: 9)
        for sealed in [try channel.sealed(SealingFixture.workedFrame)]
            + splitSealedFrames(try channel.sealed(SealingFixture.fortyEightSteps, sequence: 4)) {
            let opened = try peerBytes(try peer.request("open \(peerHex(sealed))", expecting: "opened")[0])
            var twin = channel
            twin.receiving = channel.sending  // a receiver with Swift's sending key, to compare the bytes
            #expect(opened == (try twin.opened(sealed).bytes))
        }
        let status = Message.pumpStatus(Samples.pumpStatus)
        let cleartext = try Frame(sequence: 4, authentication: AuthenticationBlock(freshnessCounter: 0, tag: try BoundedArray([UInt8](repeating: 0, count: 16))),
                                  content: .message(status)).encoded()
        let fromPeer = try peerBytes(try peer.request("seal 9 0 \(peerHex(cleartext))", expecting: "sealed")[0])
        #expect(try channel.openedFrame(fromPeer).content == .message(status))
        let later = try peerBytes(try peer.request("seal 9 5 \(peerHex(cleartext))", expecting: "sealed")[0])
        #expect(try channel.openedFrame(later).content == .message(status))
        let p = status.payloadSize
        #expect(caught { () throws(PumpWireError) in try channel.openedFrame(later) } == PumpWireError(.replayed, at: 9 + p))
        let stale = try peerBytes(try peer.request("seal 8 6 \(peerHex(cleartext))", expecting: "sealed")[0])
        #expect(caught { () throws(PumpWireError) in try channel.openedFrame(stale) } == PumpWireError(.staleSession, at: 9 + p + 3))
    }

    @Test("The peer refuses a handshake message Swift wrote with another pairing secret",
          .enabled(if: NoisePeer.isAvailable, Comment(rawValue: NoisePeer.unavailability ?? "")))
    func peerRefusesWrongSecret() throws {
        let prologue = HandshakePrologue(pattern: .xxpsk3, slot: 0).withUnsafeBytes { Array($0) }
        let peer = try NoisePeer(config: [
            "pattern": "XXpsk3", "role": "responder", "prologue": Hex.encode(prologue),
            "static": TestKeys.responderStatic.hex, "ephemeral": TestKeys.responderEphemeral.hex,
            "psk": TestKeys.pairingSecret.hex,
        ])
        var swift = try prologue.withUnsafeBytes { raw in
            try typed { () throws(PumpWireError) in
                try NoiseHandshakeState.xxpsk3(role: .initiator, prologue: raw, localStaticPrivateKey: TestKeys.initiatorStatic,
                                               presharedKey: Bytes32(repeating: 0x42), ephemeralPrivateKey: TestKeys.initiatorEphemeral,
                                               provider: swiftCrypto)
            }.get()
        }
        _ = try peer.request("read \(peerHex(try swift.write()))", expecting: "payload")
        let second = try peerBytes(try peer.request("write \(peerHex(sessionInfo(slot: 0, epoch: 1, lastCommandId: 0)))", expecting: "message")[0])
        _ = try swift.read(second)
        _ = try peer.request("read \(peerHex(try swift.write()))", expecting: "error")
    }
}
