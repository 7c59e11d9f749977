/// The stable error codes of spec section 10. The numbers are part of the wire contract
/// (they travel in negative acknowledgements): never renumber or reuse one.
public enum ErrorCode: UInt16, Sendable {
    case truncated = 1
    case badSync = 2
    case unsupportedVersion = 3
    case unknownMessageType = 4
    case lengthMismatch = 5
    case trailingBytes = 6
    case badCRC = 7
    case payloadTooLarge = 8
    case nonCanonical = 9
    case fieldOutOfRange = 10
    case tooManyItems = 11
    case invalidText = 12
    case dayProfileGap = 13
    case dayProfileOrder = 14
    case modeProfileMismatch = 15
    case dailyDoseExceedsLimit = 16
    case thresholdNotBelowCapacity = 17
    case bolusOrder = 18
    case bufferTooSmall = 19

    case fragmentCountInvalid = 32
    case fragmentIndexOutOfRange = 33
    case fragmentSizeInvalid = 34
    case fragmentConflict = 35
    case fragmentMissing = 36
    case fragmentInterleaved = 37

    case chunkIndexOutOfRange = 48
    case chunkCountMismatch = 49
    case chunkOffsetMismatch = 50
    case chunkSizeMismatch = 51

    // Image reassembly (spec 13.2) and log records (13.4).
    case chunkBeyondTotal = 52
    case chunkImageMismatch = 53
    case chunkDataConflict = 54
    case chunksMissing = 55
    case imageCRCFailed = 56
    case inflateFailed = 57
    case imageLengthMismatch = 58
    case compressionRatioExceeded = 59
    case recordCRCMismatch = 60
    case recordTruncated = 61

    // Session findings (spec 11.3): reported by session checkers with a frame index, never by
    // decoders and never in a negative acknowledgement.
    case sequenceGap = 64
    case requestWhileOutstanding = 65
    case unsolicitedResponse = 66
    case sequenceMismatch = 67
    case unexpectedResponseType = 68
    case digestMismatch = 69
    case receiptMismatch = 70
    case imageCRCMismatch = 71
    case noResponse = 72
    case wrongRefusal = 73
    case chunkConflict = 74
    case encodingNotAllowed = 75

    // The security layer (spec/security.md section 12): reported with a frame offset by a receiver
    // that opens sealed frames or runs a handshake.
    case authenticationFailed = 96
    case replayed = 97
    case counterRollback = 98
    case staleSession = 99
    case notSealed = 100
    case counterExhausted = 101
    case handshakeFailed = 102
    case lowOrderKey = 103
    case handshakeOutOfOrder = 104

    case notPermitted = 128
    case drugMismatch = 129
    case concentrationMismatch = 130
    case reservoirOverfill = 131
    case busy = 132
    case authenticationRequired = 133
    // Refusals only a secure pump sends, in a sealed negativeAcknowledgement (spec/security.md 12).
    case roleNotPermitted = 134
    case duplicateCommand = 135
    case patientBolusDoseExceeded = 136
    case patientBolusCountExceeded = 137
    case patientBolusLockout = 138

    /// A session finding (spec 11.3), reported with a frame index rather than a byte offset.
    public var isSessionFinding: Bool { (64...79).contains(rawValue) }

    /// The name used in spec section 10, for logs and tools.
    public var specName: StaticString {
        switch self {
        case .truncated: "TRUNCATED"
        case .badSync: "BAD_SYNC"
        case .unsupportedVersion: "UNSUPPORTED_VERSION"
        case .unknownMessageType: "UNKNOWN_MESSAGE_TYPE"
        case .lengthMismatch: "LENGTH_MISMATCH"
        case .trailingBytes: "TRAILING_BYTES"
        case .badCRC: "BAD_CRC"
        case .payloadTooLarge: "PAYLOAD_TOO_LARGE"
        case .nonCanonical: "NON_CANONICAL"
        case .fieldOutOfRange: "FIELD_OUT_OF_RANGE"
        case .tooManyItems: "TOO_MANY_ITEMS"
        case .invalidText: "INVALID_TEXT"
        case .dayProfileGap: "DAY_PROFILE_GAP"
        case .dayProfileOrder: "DAY_PROFILE_ORDER"
        case .modeProfileMismatch: "MODE_PROFILE_MISMATCH"
        case .dailyDoseExceedsLimit: "DAILY_DOSE_EXCEEDS_LIMIT"
        case .thresholdNotBelowCapacity: "THRESHOLD_NOT_BELOW_CAPACITY"
        case .bolusOrder: "BOLUS_ORDER"
        case .bufferTooSmall: "BUFFER_TOO_SMALL"
        case .fragmentCountInvalid: "FRAGMENT_COUNT_INVALID"
        case .fragmentIndexOutOfRange: "FRAGMENT_INDEX_OUT_OF_RANGE"
        case .fragmentSizeInvalid: "FRAGMENT_SIZE_INVALID"
        case .fragmentConflict: "FRAGMENT_CONFLICT"
        case .fragmentMissing: "FRAGMENT_MISSING"
        case .fragmentInterleaved: "FRAGMENT_INTERLEAVED"
        case .chunkIndexOutOfRange: "CHUNK_INDEX_OUT_OF_RANGE"
        case .chunkCountMismatch: "CHUNK_COUNT_MISMATCH"
        case .chunkOffsetMismatch: "CHUNK_OFFSET_MISMATCH"
        case .chunkSizeMismatch: "CHUNK_SIZE_MISMATCH"
        case .chunkBeyondTotal: "CHUNK_BEYOND_TOTAL"
        case .chunkImageMismatch: "CHUNK_IMAGE_MISMATCH"
        case .chunkDataConflict: "CHUNK_DATA_CONFLICT"
        case .chunksMissing: "CHUNKS_MISSING"
        case .imageCRCFailed: "IMAGE_CRC_FAILED"
        case .inflateFailed: "INFLATE_FAILED"
        case .imageLengthMismatch: "IMAGE_LENGTH_MISMATCH"
        case .compressionRatioExceeded: "COMPRESSION_RATIO_EXCEEDED"
        case .recordCRCMismatch: "RECORD_CRC_MISMATCH"
        case .recordTruncated: "RECORD_TRUNCATED"
        case .sequenceGap: "SEQUENCE_GAP"
        case .requestWhileOutstanding: "REQUEST_WHILE_OUTSTANDING"
        case .unsolicitedResponse: "UNSOLICITED_RESPONSE"
        case .sequenceMismatch: "SEQUENCE_MISMATCH"
        case .unexpectedResponseType: "UNEXPECTED_RESPONSE_TYPE"
        case .digestMismatch: "DIGEST_MISMATCH"
        case .receiptMismatch: "RECEIPT_MISMATCH"
        case .imageCRCMismatch: "IMAGE_CRC_MISMATCH"
        case .noResponse: "NO_RESPONSE"
        case .wrongRefusal: "WRONG_REFUSAL"
        case .chunkConflict: "CHUNK_CONFLICT"
        case .encodingNotAllowed: "ENCODING_NOT_ALLOWED"
        case .authenticationFailed: "AUTHENTICATION_FAILED"
        case .replayed: "REPLAYED"
        case .counterRollback: "COUNTER_ROLLBACK"
        case .staleSession: "STALE_SESSION"
        case .notSealed: "NOT_SEALED"
        case .counterExhausted: "COUNTER_EXHAUSTED"
        case .handshakeFailed: "HANDSHAKE_FAILED"
        case .lowOrderKey: "LOW_ORDER_KEY"
        case .handshakeOutOfOrder: "HANDSHAKE_OUT_OF_ORDER"
        case .notPermitted: "NOT_PERMITTED"
        case .drugMismatch: "DRUG_MISMATCH"
        case .concentrationMismatch: "CONCENTRATION_MISMATCH"
        case .reservoirOverfill: "RESERVOIR_OVERFILL"
        case .busy: "BUSY"
        case .authenticationRequired: "AUTHENTICATION_REQUIRED"
        case .roleNotPermitted: "ROLE_NOT_PERMITTED"
        case .duplicateCommand: "DUPLICATE_COMMAND"
        case .patientBolusDoseExceeded: "PATIENT_BOLUS_DOSE_EXCEEDED"
        case .patientBolusCountExceeded: "PATIENT_BOLUS_COUNT_EXCEEDED"
        case .patientBolusLockout: "PATIENT_BOLUS_LOCKOUT"
        }
    }
}
