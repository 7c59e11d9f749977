import PumpWireCore

/// Where a finding is (PW-CAP-5): a packet and the stream offset in its data for a capture file,
/// a stream offset (and line) for a hex log or raw stream, a file offset for a file problem.
public struct FindingPlace: Equatable, Sendable {
    public var packet: Int?
    public var streamOffset: Int?
    public var line: Int?
    public var fileOffset: Int?

    public init(packet: Int? = nil, streamOffset: Int? = nil, line: Int? = nil, fileOffset: Int? = nil) {
        self.packet = packet
        self.streamOffset = streamOffset
        self.line = line
        self.fileOffset = fileOffset
    }
}

/// One thing a validator found (spec 14.3): a code of section 10 with its requirement and place.
public struct ValidationFinding: Equatable, Sendable {
    public enum OffsetBase: String, Sendable { case frame, payload }

    public var code: UInt16
    public var name: String
    public var requirement: String
    public var place: FindingPlace
    /// The error's offset, for codes 1 to 61.
    public var offset: Int?
    public var offsetFrom: OffsetBase?
    /// The frame concerned, when it passed the frame checks.
    public var typeCode: UInt8?
    public var sequence: UInt16?
    /// The error behind a session finding, for people (IMAGE_CRC_MISMATCH, CHUNK_CONFLICT).
    public var cause: PumpWireError?
    /// The frame field a frame offset falls in (spec 4.1: `crc`, `payloadLength`, "payload byte 3
    /// of prescriptionBlock"), where the frame's first bytes tell it.
    public var field: String?
    /// The frame was opened with the session's keys: the finding is about its plaintext
    /// (spec/security.md 14.3 step 3).
    public var opened = false

    public init(
        code: UInt16, name: String, place: FindingPlace, offset: Int? = nil, offsetFrom: OffsetBase? = nil,
        typeCode: UInt8? = nil, sequence: UInt16? = nil, cause: PumpWireError? = nil
    ) {
        self.code = code
        self.name = name
        self.requirement = FindingRequirements.requirement(for: code)
        self.place = place
        self.offset = offset
        self.offsetFrom = offsetFrom
        self.typeCode = typeCode
        self.sequence = sequence
        self.cause = cause
    }
}

extension ValidationFinding {
    /// A problem of the capture file (PW-CAP-3): at a packet for PACKET_TRUNCATED, else at a file
    /// offset or a hex log's line.
    public init(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {
        let place = FindingPlace(packet: packet, line: line, fileOffset: packet == nil ? fileOffset : nil)
        self.init(code: problem.rawValue, name: problem.specName, place: place)
    }
}

/// The requirement each code's finding cites: the table of spec 14.3.
public enum FindingRequirements {
    public static func requirement(for code: UInt16) -> String {
        table[code] ?? security[code] ?? "PW-ERR-1"
    }

    /// The findings of opening sealed frames with a key log (spec/security.md 14.3 step 2).
    static let security: [UInt16: String] = [96: "PW-SEC-10", 97: "PW-SEC-10", 98: "PW-SEC-10", 99: "PW-SEC-10"]

    static let table: [UInt16: String] = [
        1: "PW-FRAME-2", 2: "PW-FRAME-11", 3: "PW-FRAME-3", 5: "PW-ENC-2", 6: "PW-FRAME-7", 7: "PW-FRAME-6",
        8: "PW-FRAME-5", 9: "PW-ENC-5", 10: "PW-ENC-1", 11: "PW-ENC-1", 12: "PW-ENC-8", 13: "PW-RX-7",
        14: "PW-RX-8", 15: "PW-RX-5", 16: "PW-RX-9", 17: "PW-RX-3", 18: "PW-BOLUS-4",
        32: "PW-FRAG-5", 33: "PW-FRAG-3", 34: "PW-FRAG-6", 35: "PW-FRAG-9", 36: "PW-FRAG-11", 37: "PW-FRAG-10",
        48: "PW-DUMP-4", 49: "PW-DUMP-5", 50: "PW-DUMP-6", 51: "PW-DUMP-7",
        52: "PW-IMAGE-2", 53: "PW-IMAGE-2", 54: "PW-IMAGE-2", 55: "PW-IMAGE-3",
        56: "PW-IMAGE-5", 57: "PW-IMAGE-5", 58: "PW-IMAGE-5", 59: "PW-IMAGE-5", 60: "PW-LOG-1", 61: "PW-LOG-1",
        64: "PW-SESSION-1", 65: "PW-SESSION-3", 66: "PW-SESSION-2", 67: "PW-SESSION-2", 68: "PW-SESSION-2",
        69: "PW-SESSION-4", 70: "PW-REFILL-4", 71: "PW-DUMP-8", 72: "PW-SESSION-8", 73: "PW-NAK-2",
        74: "PW-SESSION-7", 75: "PW-DUMP-11",
        80: "PW-CAP-3", 81: "PW-CAP-3", 82: "PW-CAP-3", 83: "PW-CAP-3",
    ]

    /// Every code the table names.
    public static var codes: [UInt16] { table.keys.sorted() }
}
