import Benchmark
import PumpWire
import PumpWireCore
import PumpWireSecurity

/// The security layer (spec/security.md) over the real provider, swift-crypto: the 8-step
/// prescription sealed and opened (PW-SEC-9, PW-SEC-10), next to the unsealed encode and decode
/// rows of the same message (run them together: `--filter "Prescription8.*"`), and a whole KK
/// session handshake, both sides (section 6).
func securityBenchmarks(message8: Message) {
    let provider = SwiftCryptoProvider()
    func key(_ byte: UInt8) -> Bytes32 {
        var key = Bytes32()
        for i in 0..<Bytes32.count { key[i] = byte &+ UInt8(i) }
        return key
    }
    let deviceStatic = key(0x10), pumpStatic = key(0x40), deviceEphemeral = key(0x70), pumpEphemeral = key(0xA0)
    let devicePublic = provider.x25519Base(scalar: deviceStatic)!, pumpPublic = provider.x25519Base(scalar: pumpStatic)!
    let info: [UInt8] = [1, 2, 7, 0, 0, 0]  // session info: slot 1, epoch 2, last command id 7 (section 5)

    /// Both sides of one KK handshake, to the two sealed channels (PW-SEC-8).
    func handshake() -> (device: SealedChannel<SwiftCryptoProvider>, pump: SealedChannel<SwiftCryptoProvider>) {
        HandshakePrologue(pattern: .kk, slot: 1).withUnsafeBytes { prologue in
            var initiator = try! NoiseHandshakeState.kk(role: .initiator, prologue: prologue, localStaticPrivateKey: deviceStatic,
                                                        remoteStaticPublicKey: pumpPublic, ephemeralPrivateKey: deviceEphemeral, provider: provider)
            var responder = try! NoiseHandshakeState.kk(role: .responder, prologue: prologue, localStaticPrivateKey: pumpStatic,
                                                        remoteStaticPublicKey: devicePublic, ephemeralPrivateKey: pumpEphemeral, provider: provider)
            _ = try! responder.readMessage(try! initiator.writeMessage([]))
            _ = try! initiator.readMessage(try! responder.writeMessage(info))
            return (try! SealedChannel(handshake: initiator, sessionEpoch: 2), try! SealedChannel(handshake: responder, sessionEpoch: 2))
        }
    }

    let (device, pump) = handshake()
    let sealedSize = SealedChannel<SwiftCryptoProvider>.sealedSize(of: message8)
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: sealedSize, alignment: 1)
    var sender = device
    let sealed8: [UInt8] = {
        let count = try! sender.seal(message8, sequence: 1, into: output)
        return Array(output[0..<count])
    }()

    Benchmark(named("Prescription8/seal/PumpWire SealedChannel (swift-crypto, into a caller's buffer)")) { benchmark in
        var channel = device
        for _ in benchmark.scaledIterations {
            // PW-SEC-12: a new session before the counters run out (never within one run here).
            if channel.sending.remainingFrameCounters == 0 { channel = device }
            blackHole(try! channel.seal(message8, sequence: 1, into: output))
        }
    }
    Benchmark(named("Prescription8/open/PumpWire SealedChannel and decode (swift-crypto, CRC checked)")) { benchmark in
        for _ in benchmark.scaledIterations {
            var channel = pump  // the state before this frame: each open is the first of counter 0
            sealed8.withUnsafeBytes { raw in blackHole(try! channel.openFrame(raw, into: output)) }
        }
    }
    // About 0.2 ms a handshake: one per sample, not a thousand.
    let perHandshake = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 2_000,
        thresholds: [.wallClock: .init(relative: [.p50: 35.0]), .mallocCountTotal: .init(absolute: [.p50: 0])])
    Benchmark(named("Handshake/KK both sides to sealed channels (swift-crypto)"), configuration: perHandshake) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(handshake()) }
    }
}
