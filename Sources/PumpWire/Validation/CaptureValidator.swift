import PumpWireCore

/// Validates a capture as spec 14.3 says: every frame checked, fragments reassembled, the session
/// checked (11.3) with its memory dumps rebuilt, and the file's own problems, each reported as
/// soon as found. Holds one frame's worth of stream, one message and one image: never the capture.
public final class CaptureValidator: CaptureConsumer {
    public private(set) var summary: ValidationSummary
    private let report: (ValidationFinding) -> Void
    private var reader = StreamReader()
    private var session = SessionChecker()
    private var frameIndex = 0
    /// Where the outstanding request was: the one earlier frame a finding can name (NO_RESPONSE).
    private var outstanding: (index: Int, place: FindingPlace, typeCode: UInt8, sequence: UInt16)?
    /// Hex logs: where the lines of the current window begin.
    private var lines = LineIndex()
    /// Hears the file offset reached, for a progress display.
    public var progressHandler: ((Int) -> Void)?

    /// `opener` opens sealed frames with the session's keys (spec/security.md 14.3): their
    /// messages are then checked, and take part in the session checks, as unsealed ones do.
    public init(format: CaptureFormat, opener: (any SealedFrameOpener)? = nil, report: @escaping (ValidationFinding) -> Void) {
        summary = ValidationSummary(format: format)
        self.report = report
        reader = StreamReader(opener: opener)
    }

    public func record(number: Int) {
        summary.packets = number
    }

    public func packet(_ data: UnsafeRawBufferPointer, number: Int) {
        summary.packetsRead += 1
        _ = reader.read(data, isFinal: true, packet: number) { item, frameBytes in
            take(item, frameBytes, field: StreamItemReader.field(of: item, in: data, at: 0))
        }
    }

    public func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int {
        let consumed = reader.read(window, at: offset, isFinal: isFinal) { item, frameBytes in
            take(item, frameBytes, field: StreamItemReader.field(of: item, in: window, at: offset))
        }
        lines.forget(before: offset + consumed)
        return consumed
    }

    public func line(_ line: Int, beginsAt offset: Int) {
        lines.add(line, beginsAt: offset)
    }

    public func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?) {
        found(ValidationFinding(problem, fileOffset: fileOffset, packet: packet, line: line))
    }

    public func progress(fileOffset: Int) {
        summary.fileBytes = fileOffset
        progressHandler?(fileOffset)
    }

    /// The end of the capture: a message in progress is given up, an unanswered request reported.
    public func finish() {
        reader.finish { item, frameBytes in take(item, frameBytes) }
        session.finish()
        takeSessionFindings(current: nil)
    }

    private func take(_ item: StreamItem, _ frameBytes: UnsafeRawBufferPointer?, field: String? = nil) {
        let place = FindingPlace(packet: item.packet, streamOffset: item.streamOffset, line: item.packet == nil ? lines.line(of: item.streamOffset) : nil)
        let typeCode = frameBytes.map { $0[3] }
        let sequence = frameBytes.map { UInt16($0[5]) | UInt16($0[6]) << 8 }
        if let frameBytes, item.length > 0, frameBytes.count > 4, frameBytes[4] & FrameFlags.authenticated.rawValue != 0 || item.opened != nil {
            summary.sealedFrames += 1
            if item.opened != nil { summary.openedFrames += 1 }
        }
        switch item.kind {
        case .frame(let frame):
            summary.framesByType[Int(frame.typeCode)] += 1
        case .reassembled:
            summary.reassembledMessages += 1
        case .rejected(let error, let payloadOffsets):
            if error.code == .badSync { summary.noiseRuns += 1 }
            else if !payloadOffsets { summary.rejectedFrames += 1 }
            if let typeCode, !payloadOffsets { summary.framesByType[Int(typeCode)] += 1 }
            var finding = ValidationFinding(
                code: error.code.rawValue, name: error.code.specName.description, place: place, offset: error.offset,
                offsetFrom: payloadOffsets ? .payload : .frame, typeCode: typeCode, sequence: sequence)
            finding.field = field
            finding.opened = item.opened != nil
            found(finding)
        }
        guard let frameBytes, let typeCode, let sequence else { return }
        let index = frameIndex
        frameIndex += 1
        session.add(frameBytes, at: index)
        takeSessionFindings(current: (index, place, typeCode, sequence))
    }

    private func takeSessionFindings(current: (index: Int, place: FindingPlace, typeCode: UInt8, sequence: UInt16)?) {
        for finding in session.takeFindings() {
            let frame = finding.frameIndex == current?.index ? current : outstanding
            found(ValidationFinding(
                code: finding.code.rawValue, name: finding.code.specName.description, place: frame?.place ?? FindingPlace(),
                typeCode: frame?.typeCode, sequence: frame?.sequence, cause: finding.cause))
        }
        if let current, session.outstandingIndex == current.index { outstanding = current }
    }

    private func found(_ finding: ValidationFinding) {
        summary.findingsByCode[finding.code, default: 0] += 1
        report(finding)
    }
}

extension CaptureValidator {
    /// Validates the capture at `path` ("-" for standard input), of the given form or the one its
    /// first bytes tell (PW-CAP-4). `progress` hears the file offset reached and the file's size.
    public static func validate(
        path: String, as format: CaptureFormat? = nil, progress: ((_ offset: Int, _ size: Int?) -> Void)? = nil,
        report: @escaping (ValidationFinding) -> Void
    ) throws(FileInput.OpenFailure) -> ValidationSummary {
        validate(try FileInput(path: path), as: format, progress: progress, report: report)
    }

    /// Validates a capture already in memory.
    public static func validate(
        bytes: [UInt8], as format: CaptureFormat? = nil, report: @escaping (ValidationFinding) -> Void
    ) -> ValidationSummary {
        validate(FileInput(bytes: bytes), as: format, progress: nil, report: report)
    }

    static func validate(
        _ input: FileInput, as format: CaptureFormat?, progress: ((_ offset: Int, _ size: Int?) -> Void)?,
        opener: (any SealedFrameOpener)? = nil, report: @escaping (ValidationFinding) -> Void
    ) -> ValidationSummary {
        let form = format ?? CaptureReader.detectFormat(of: input)
        let validator = CaptureValidator(format: form, opener: opener, report: report)
        if let progress {
            let size = input.size
            validator.progressHandler = { progress($0, size) }
        }
        var consumer = validator
        CaptureReader.read(input, as: form, into: &consumer)
        validator.finish()
        return validator.summary
    }
}

extension CaptureValidator {
    /// Validates an opened input (spec 14.3), in its form.
    public static func validate(
        _ input: CaptureInput, progress: ((_ offset: Int, _ size: Int?) -> Void)? = nil,
        opener: (any SealedFrameOpener)? = nil, report: @escaping (ValidationFinding) -> Void
    ) -> ValidationSummary {
        validate(input.file, as: input.format, progress: progress, opener: opener, report: report)
    }
}
