import PumpWire
import PumpWireCore
import PumpWireSecurity

/// The committed sealed capture (vectors/captures/session-sealed.pcapng, spec/security.md 14):
/// a programmer in slot 0 opens a KK session with the pump (section 6), interrogates it (a sealed
/// `interrogationRequest` and `pumpStatus`), and programs a prescription (a sealed
/// `prescriptionBlock`, command id first as PW-SEC-13 says, and its `acknowledgement`, whose digest
/// is the CRC-32 of the v1 payload). Made from test identities only, and the same byte for byte
/// each time: the ephemeral keys are derived from the static ones (a real device MUST draw them
/// from its random source).
public enum SealedSessionExample {
    public struct Output {
        public var pump: TestIdentity
        public var device: TestIdentity
        public var frames: [[UInt8]]
        public var keyLog: KeyLog
        public var capture: [UInt8]
    }

    /// The seeds of the committed test identities (spec/security.md 14.1):
    /// `pumpwire keys new-pump --seed "PumpWire session-sealed pump"`, and
    /// `pumpwire keys new-device --role clinician --seed "PumpWire session-sealed programmer"`.
    public static let pumpSeed = "PumpWire session-sealed pump"
    public static let deviceSeed = "PumpWire session-sealed programmer"
    public static let slot: UInt8 = 0
    public static let sessionEpoch: UInt8 = 7
    public static let lastCommandId: UInt32 = 41
    public static let commandId: UInt32 = 42
    /// Where the generator writes the files, relative to vectors/.
    public static let capturePath = "captures/session-sealed.pcapng"
    public static let keyLogPath = "captures/session-sealed.keylog"
    public static let pumpIdentityPath = "captures/session-sealed-pump.json"
    public static let deviceIdentityPath = "captures/session-sealed-programmer.json"

    /// The committed example, from the seeds.
    public static func committed() throws -> Output {
        let pump = try TestIdentity.make(kind: .pump, name: "session-sealed pump", seed: pumpSeed)
        let device = try TestIdentity.make(kind: .device, name: "session-sealed programmer", role: .clinician, seed: deviceSeed)
        return try make(pump: pump, device: device)
    }

    /// The example session between `pump` and `device`.
    public static func make(pump: TestIdentity, device: TestIdentity, provider: SwiftCryptoProvider = SwiftCryptoProvider()) throws -> Output {
        let info = HandshakeMessages.SessionInfo(slot: slot, sessionEpoch: sessionEpoch, lastCommandId: lastCommandId)
        var (deviceSession, request) = try SecureSession.initiate(
            pattern: .kk, slot: slot, localStatic: device.staticPrivateKey, remoteStatic: pump.staticPublicKey,
            ephemeral: ephemeral(of: device.staticPrivateKey, provider: provider), sequence: 1, provider: provider)
        let (pumpSession, response) = try SecureSession.respond(
            to: request, localStatic: pump.staticPrivateKey, deviceKey: { $0 == slot ? device.staticPublicKey : nil },
            pairingSecret: nil, info: info, ephemeral: ephemeral(of: pump.staticPrivateKey, provider: provider), provider: provider)
        _ = try deviceSession.receiveResponse(response)
        var pumpSide = pumpSession
        let rx = DeclaredMessages.prescription
        let rxPayload = try Message.prescriptionBlock(rx).payloadBytes()
        let digest = rxPayload.withUnsafeBytes { CRC32.checksum($0) }
        let frames: [[UInt8]] = [request, response]
            + (try deviceSession.seal(.interrogationRequest(InterrogationRequest()), sequence: 2))
            + (try pumpSide.seal(.pumpStatus(DeclaredMessages.pumpStatus), sequence: 2))
            + (try deviceSession.seal(.prescriptionBlock(rx), commandId: commandId, sequence: 3))
            + (try pumpSide.seal(.acknowledgement(Acknowledgement(acknowledgedType: PrescriptionBlock.typeCode, digest: digest)), sequence: 3))
        let keyLog = KeyLog(sessions: [try KeyLog.Session(requestFrame: request, session: deviceSession)])
        let capture = CaptureWriter.capture(
            of: frames, comment: "PumpWire sealed session example (spec/security.md 14): TEST KEYS, key log session-sealed.keylog")
        return Output(pump: pump, device: device, frames: frames, keyLog: keyLog, capture: capture)
    }

    /// The key log file's text.
    public static func keyLogText(_ output: Output) -> String {
        output.keyLog.text(comment: "TEST KEYS of session-sealed.pcapng (pumpwire vectors generate writes both)")
    }

    /// A test ephemeral key: HKDF-SHA256 with salt "PumpWire test ephemeral", the static private
    /// key as input key material and info "session 1". Tests only.
    static func ephemeral(of staticKey: Bytes32, provider: SwiftCryptoProvider) -> Bytes32 {
        var output = Bytes32()
        let salt = Array("PumpWire test ephemeral".utf8), info = Array("session 1".utf8)
        output.withUnsafeMutableBytes { raw in
            _ = salt.withUnsafeBytes { s in staticKey.withUnsafeBytes { k in info.withUnsafeBytes { i in
                provider.hkdfSHA256(into: raw, salt: s, inputKeyMaterial: k, info: i)
            } } }
        }
        return output
    }
}
