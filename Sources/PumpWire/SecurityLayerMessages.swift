import PumpWireCore

/// The security layer's message types as tools show them (spec/security.md 10.0, `pumpwire-v1.md`
/// section 8): the codec's registry leaves them to the layer, so a plain decode calls them unknown.
public enum SecurityLayerMessages {
    /// The layer's name of `typeCode`, if the layer holds it.
    public static func name(of typeCode: UInt8) -> String? {
        switch typeCode {
        case PatientBolusRequest.typeCode: "patientBolusRequest"
        case HandshakeRequest.typeCode: "handshakeRequest"
        case HandshakeFinish.typeCode: "handshakeFinish"
        case DeviceEnrollment.typeCode: "deviceEnrollment"
        case DeviceRevocation.typeCode: "deviceRevocation"
        case SessionClose.typeCode: "sessionClose"
        case HandshakeResponse.typeCode: "handshakeResponse"
        default: nil
        }
    }

    /// What an unsealed handshake message says, read as 10.0 says; nil for other types. A payload
    /// that does not decode is described by its error (payload offsets).
    public static func describe(typeCode: UInt8, payload: [UInt8]) -> String? {
        payload.withUnsafeBytes { raw -> String? in
            do throws(PumpWireError) {
                switch typeCode {
                case HandshakeRequest.typeCode:
                    let request = try HandshakeRequest.decode(payload: raw)
                    let pattern = request.pattern == .kk ? "session (Noise_KK)" : "pairing (Noise_XXpsk3)"
                    let ephemeral = request.noiseMessage.withUnsafeBytes { Hex.encode(Array($0.prefix(32))) }
                    return "pattern \(pattern), slot \(request.slot), initiator's ephemeral key \(ephemeral) "
                        + "(a key log names the session by it)"
                case HandshakeResponse.typeCode:
                    let response = try HandshakeResponse.decode(payload: raw)
                    let kind = response.noiseMessage.count == HandshakeResponse.sessionSize ? "a session's" : "a pairing's"
                    return "\(kind) message 2, \(response.noiseMessage.count) bytes; its session info is encrypted"
                case HandshakeFinish.typeCode:
                    _ = try HandshakeFinish.decode(payload: raw)
                    return "a pairing's message 3, \(HandshakeFinish.noiseMessageSize) bytes"
                default:
                    return nil
                }
            } catch {
                return "does not decode as the security layer's \(name(of: typeCode) ?? "message"): "
                    + "\(error.code.specName) (\(error.code.rawValue)) at payload offset \(error.offset)"
            }
        }
    }
}
