/// The two Noise handshake patterns of the security layer (spec/security.md sections 5 and 6),
/// numbered as the `pattern` byte of `handshakeRequest` numbers them.
public enum NoisePattern: UInt8, Sendable {
    /// Pairing: `Noise_XXpsk3_25519_ChaChaPoly_SHA256`, the pairing secret as psk (spec 5).
    ///     -> e
    ///     <- e, ee, s, es
    ///     -> s, se, psk
    case xxpsk3 = 1
    /// Session: `Noise_KK_25519_ChaChaPoly_SHA256` (spec 6).
    ///     -> s
    ///     <- s
    ///     ...
    ///     -> e, es, ss
    ///     <- e, ee, se
    case kk = 2

    /// The Noise protocol name (rev 34, section 8), the input of `InitializeSymmetric`.
    public var protocolName: StaticString {
        switch self {
        case .xxpsk3: "Noise_XXpsk3_25519_ChaChaPoly_SHA256"
        case .kk: "Noise_KK_25519_ChaChaPoly_SHA256"
        }
    }

    /// Handshake messages, the initiator's first.
    public var messageCount: Int {
        switch self {
        case .xxpsk3: 3
        case .kk: 2
        }
    }

    /// A psk pattern: each `e` token also runs `MixKey(e.public)` (Noise rev 34, 9.2).
    var usesPresharedKey: Bool { self == .xxpsk3 }

    /// KK's pre-messages `-> s` and `<- s`: both static keys are known before the first message.
    var hasStaticPreMessages: Bool { self == .kk }

    func tokenCount(inMessage message: Int) -> Int {
        switch (self, message) {
        case (.xxpsk3, 0): 1
        case (.xxpsk3, 1): 4
        case (.xxpsk3, 2): 3
        case (.kk, 0), (.kk, 1): 3
        default: 0
        }
    }

    func token(_ index: Int, inMessage message: Int) -> NoiseToken {
        switch (self, message, index) {
        case (.xxpsk3, 0, _): .e
        case (.xxpsk3, 1, 0): .e
        case (.xxpsk3, 1, 1): .ee
        case (.xxpsk3, 1, 2): .s
        case (.xxpsk3, 1, _): .es
        case (.xxpsk3, _, 0): .s
        case (.xxpsk3, _, 1): .se
        case (.xxpsk3, _, _): .psk
        case (.kk, 0, 0): .e
        case (.kk, 0, 1): .es
        case (.kk, 0, _): .ss
        case (.kk, _, 0): .e
        case (.kk, _, 1): .ee
        case (.kk, _, _): .se
        }
    }
}

/// Which side of a handshake: the initiator sends the first message (the programmer or patient
/// device), the responder answers (the pump).
public enum NoiseRole: Sendable {
    case initiator
    case responder
}

/// The tokens of a message pattern (Noise rev 34, 7.1 and 9.1).
enum NoiseToken {
    case e, s, ee, es, se, ss, psk
}
