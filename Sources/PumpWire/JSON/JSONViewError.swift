import PumpWireCore

/// Why a JSON view (spec section 12) was refused: text that is not JSON, a view that breaks
/// section 12 (an unknown, duplicate or missing key, a wrong JSON type, an unknown name), or a
/// value refused with a code of section 10, by the reader (a number its field cannot hold) or by
/// the core encoder (a value the decoder would reject, PW-ENC-5). The messages name the JSON path
/// and the spec's terms, never the implementation's.
public struct JSONViewError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where in the JSON value: `$`, `$[2].message.steps[3].doseRateNanogramsPerDay`.
    public var path: String
    /// The code of spec section 10, for a refused value; nil for a view that breaks section 12.
    public var code: ErrorCode?
    /// The offset the core encoder reports with `code` (PW-ENC-6): a frame offset, or a payload
    /// offset when `payloadOffset` is set (a message fragmented on the way out).
    public var offset: Int?
    public var payloadOffset: Bool
    /// The byte of the text, when the text is not JSON at all.
    public var byte: Int?
    public var reason: String

    public init(path: String, code: ErrorCode? = nil, offset: Int? = nil, payloadOffset: Bool = false, reason: String) {
        self.path = path
        self.code = code
        self.offset = offset
        self.payloadOffset = payloadOffset
        self.reason = reason
    }

    init(_ codingPath: [any CodingKey], code: ErrorCode? = nil, _ reason: String) {
        self.init(path: JSONPath.render(codingPath), code: code, reason: reason)
    }

    init(_ error: JSONParseError) {
        if let key = error.duplicateKey {
            self.init(path: error.path, reason: "duplicate key \(JSONValue.quoted(key)) (at byte \(error.offset))")
        } else {
            self.init(path: error.path, reason: error.message)
            byte = error.offset
        }
    }

    /// `$.message.steps[3]: unknown key "dose"`,
    /// `$.message.maxDailyDoseNanograms: DAILY_DOSE_EXCEEDS_LIMIT (16) at offset 25: ...`,
    /// `not valid JSON at byte 17 ($.message): ...`.
    public var description: String {
        if let byte {
            return "not valid JSON at byte \(byte)" + (path == "$" ? "" : " (\(path))") + ": \(reason)"
        }
        guard let code else { return "\(path): \(reason)" }
        let place = offset.map { " at offset \($0)" } ?? ""
        return "\(path): \(code.specName) (\(code.rawValue))\(place): \(reason)"
    }
}

extension ErrorCode {
    /// What the code means, in the words of spec section 10, for the codes an encoder reports.
    public var meaning: String {
        switch self {
        case .truncated: "the input ends before the frame is complete"
        case .lengthMismatch: "the payload is shorter or longer than its fields"
        case .payloadTooLarge: "a payload or message length above its limit"
        case .nonCanonical: "a reserved bit or field is set, or a value is not in its one encoding"
        case .fieldOutOfRange: "a field outside its range or enumeration"
        case .tooManyItems: "a count above its maximum"
        case .invalidText: "a text byte outside printable ASCII"
        case .dayProfileGap: "the day profile does not start at minute 0"
        case .dayProfileOrder: "step start minutes do not rise strictly"
        case .modeProfileMismatch: "the number of steps does not suit the mode"
        case .dailyDoseExceedsLimit: "the profile's daily dose exceeds maxDailyDoseNanograms"
        case .thresholdNotBelowCapacity: "low-reservoir threshold not below the capacity"
        case .bolusOrder: "periodic bolus start minutes do not rise strictly"
        case .bufferTooSmall: "the output buffer cannot hold the encoding"
        case .fragmentCountInvalid: "fragmentCount out of range or not ceil(totalLength / 236)"
        case .fragmentIndexOutOfRange: "fragmentIndex not below fragmentCount"
        case .fragmentSizeInvalid: "a fragment carries the wrong number of bytes"
        case .chunkIndexOutOfRange: "chunkIndex not below chunkCount"
        case .chunkCountMismatch: "chunkCount does not match imageLength"
        case .chunkOffsetMismatch: "dataOffset is not chunkIndex * 218"
        case .chunkSizeMismatch: "a chunk carries the wrong number of bytes"
        default: "refused (spec section 10)"
        }
    }
}
