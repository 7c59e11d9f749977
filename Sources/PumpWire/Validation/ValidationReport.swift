import PumpWireCore

/// How findings and summaries are written: a JSON object a line for tooling, a sentence a line
/// for people (spec 14.3).
extension PumpWireJSON {
    /// `{"file", "packet", "streamOffset", "line", "fileOffset", "code", "name", "requirement",
    /// "offset", "offsetFrom", "messageType", "typeCode", "sequence", "cause"}`; absent keys do not apply.
    public static func view(of finding: ValidationFinding, file: String) -> JSONValue {
        var members: [(String, JSONValue)] = [("file", .string(file))]
        let place = finding.place
        if let packet = place.packet { members.append(("packet", int(packet))) }
        if let offset = place.streamOffset { members.append(("streamOffset", int(offset))) }
        if let line = place.line { members.append(("line", int(line))) }
        if let offset = place.fileOffset { members.append(("fileOffset", int(offset))) }
        members += [("code", int(finding.code)), ("name", .string(finding.name)), ("requirement", .string(finding.requirement))]
        if let offset = finding.offset { members.append(("offset", int(offset))) }
        if let base = finding.offsetFrom { members.append(("offsetFrom", .string(base.rawValue))) }
        if let field = finding.field { members.append(("field", .string(field))) }
        if let typeCode = finding.typeCode {
            members += [("messageType", .string(MessageRegistry.name(of: typeCode).description)), ("typeCode", int(typeCode))]
        }
        if let sequence = finding.sequence { members.append(("sequence", int(sequence))) }
        if let cause = finding.cause { members.append(("cause", view(of: cause))) }
        if finding.opened { members.append(("opened", .bool(true))) }
        return .object(members)
    }

    /// `{"summary": {...}}`, the last line of a file's JSON Lines.
    public static func view(of summary: ValidationSummary, file: String) -> JSONValue {
        let types: [(String, JSONValue)] = summary.typeCounts.map {
            let name = MessageRegistry.descriptor(for: $0.typeCode) != nil
                ? MessageRegistry.name(of: $0.typeCode).description : "unknown 0x" + Hex.encode([$0.typeCode])
            return (name, int($0.count))
        }
        let findings: [JSONValue] = summary.findingsByCode.sorted { $0.key < $1.key }.map { code, count in
            .object([("code", int(code)), ("name", .string(ValidationText.name(of: code))), ("count", int(count))])
        }
        var members: [(String, JSONValue)] = [
            ("file", .string(file)), ("format", .string(summary.format.rawValue)), ("bytes", int(summary.fileBytes)),
            ("packets", int(summary.packets)), ("packetsRead", int(summary.packetsRead)), ("frames", int(summary.frames)), ("framesByType", .object(types)),
            ("rejectedFrames", int(summary.rejectedFrames)), ("noiseRuns", int(summary.noiseRuns)),
            ("reassembledMessages", int(summary.reassembledMessages)),
        ]
        if summary.sealedFrames > 0 {
            members += [("sealedFrames", int(summary.sealedFrames)), ("openedFrames", int(summary.openedFrames))]
        }
        members += [("findings", int(summary.findings)), ("findingsByCode", .array(findings))]
        return .object([("summary", .object(members))])
    }

    private static func int<T: BinaryInteger>(_ value: T) -> JSONValue { .integer(Int64(value)) }
}

/// The text forms.
public enum ValidationText {
    /// "capture.pcapng: packet 4, stream offset 0: BAD_CRC (7) at frame offset 40 [PW-FRAME-6]; prescriptionBlock, sequence 2"
    public static func line(for finding: ValidationFinding, file: String) -> String {
        var text = "\(file): \(place(finding.place)): \(finding.name) (\(finding.code))"
        if let offset = finding.offset, finding.code != ErrorCode.badSync.rawValue {  // noise has no frame to count in
            text += finding.offsetFrom == .payload
                ? " at payload offset \(offset) of the message reassembled from the fragment here" : " at frame offset \(offset)"
            if let field = finding.field { text += " (field \(field))" }
        }
        text += " [\(finding.requirement)]"
        if finding.opened { text += " in the plaintext of a frame opened with the key log" }
        if let typeCode = finding.typeCode {
            text += "; \(MessageRegistry.name(of: typeCode)) (0x\(Hex.encode([typeCode])))"
            if let sequence = finding.sequence { text += ", sequence \(sequence)" }
        }
        if let cause = finding.cause { text += "; cause: \(cause)" }
        return text
    }

    public static func place(_ place: FindingPlace) -> String {
        var parts: [String] = []
        if let packet = place.packet { parts.append("packet \(packet)") }
        if let offset = place.streamOffset { parts.append("stream offset \(offset)") }
        if let line = place.line { parts.append("line \(line)") }
        if let offset = place.fileOffset { parts.append("file offset \(offset)") }
        return parts.isEmpty ? "end of session" : parts.joined(separator: ", ")
    }

    public static func summary(_ summary: ValidationSummary, file: String) -> String {
        var lines = ["\(file): \(summary.format.rawValue), \(summary.fileBytes) bytes read"
            + (summary.format == .pcapng || summary.format == .pcap
                ? ", \(summary.packets) packets (\(summary.packetsRead) of link type 147 read)" : "")
            + ", \(summary.frames) frames"]
        let types = summary.typeCounts.map { "\(MessageRegistry.name(of: $0.typeCode)) \($0.count)" }
        if !types.isEmpty { lines.append("  frames by type: " + types.joined(separator: ", ")) }
        lines.append("  rejected frames \(summary.rejectedFrames), noise runs \(summary.noiseRuns), "
            + "messages reassembled \(summary.reassembledMessages)")
        if summary.sealedFrames > 0 {
            let notOpened = summary.sealedFrames - summary.openedFrames
            lines.append("  sealed frames \(summary.sealedFrames): \(summary.openedFrames) opened with the key log, \(notOpened) not opened"
                + (summary.openedFrames == 0 ? " (give --keylog FILE to open them)" : ""))
        }
        let findings = summary.findingsByCode.sorted { $0.key < $1.key }.map { "\(name(of: $0.key)) (\($0.key)) \($0.value)" }
        lines.append(findings.isEmpty ? "  no findings" : "  findings \(summary.findings): " + findings.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    public static func name(of code: UInt16) -> String {
        if let problem = CaptureProblem(rawValue: code) { return problem.specName }
        return ErrorCode(rawValue: code).map { $0.specName.description } ?? "CODE_\(code)"
    }
}
