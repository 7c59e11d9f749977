import PumpWire
import PumpWireCore

/// Judges `capture` vectors (spec section 14) against this process's validator: the frames read,
/// and every finding's code, place and offset, in order.
enum CaptureJudge {
    static func judge(_ vector: Vector) -> VectorResult {
        func result(_ status: VectorResult.Status, _ outcome: String, _ detail: String) -> VectorResult {
            ConformanceRunner.result(vector, status, outcome, detail)
        }
        guard let input = vector.bytes("input"), let format = vector.json["format"]?.stringValue.flatMap(CaptureFormat.init),
              let expected = vector.json["findings"]?.arrayValue else {
            return result(.fail, "wrong-value", "the vector lacks input, format or findings")
        }
        var found: [JSONValue] = []
        let summary = CaptureValidator.validate(bytes: input, as: format) { found.append(PumpWireJSON.view(of: $0, file: "")) }
        let detected = input.withUnsafeBytes { CaptureFormat.detect($0) }
        if let told = vector.json["detectedAs"]?.stringValue, detected.rawValue != told {
            return result(.fail, "wrong-value", "the file's first bytes tell \(detected.rawValue), not \(told) (PW-CAP-4)")
        }
        let keys = ["code", "packet", "streamOffset", "line", "fileOffset", "offset", "offsetFrom"]
        let got = found.map { finding in keys.map { finding[$0] } }
        let wanted = expected.map { finding in keys.map { finding[$0] } }
        if got != wanted {
            let describe = { (items: [JSONValue]) in
                items.map { item in keys.compactMap { key in item[key].map { "\(key) \($0.text(indent: nil))" } }.joined(separator: " ") }
                    .joined(separator: "; ")
            }
            return result(.fail, "wrong-findings", "expected [\(describe(expected))], found [\(describe(found))]")
        }
        if let frames = vector.json["frames"]?.integerValue, summary.frames != Int(frames) {
            return result(.fail, "wrong-value", "expected \(frames) frames, read \(summary.frames)")
        }
        if format == .hex || format == .raw, vector.requirements.contains("PW-CAP-6"),
           let problem = conversionProblem(input, format: format, expected: expected) {
            return result(.fail, "wrong-findings", problem)
        }
        return result(.pass, "pass", "")
    }

    /// PW-CAP-6: the stream written as a capture gives the vector's findings at the same source
    /// offsets (the source's own line problems, codes 80 to 83, stay with the source).
    static func conversionProblem(_ input: [UInt8], format: CaptureFormat, expected: [JSONValue]) -> String? {
        guard let source = try? CaptureInput.open(bytes: input, name: "vector", as: format) else { return "the input cannot be opened" }
        var packets: [[UInt8]] = [], starts: [Int] = []
        CaptureConverter { data, _, start in
            packets.append(data)
            starts.append(start ?? 0)
        }.convert(source)
        if let long = packets.firstIndex(where: { $0.count > CaptureFormat.maxPacketLength }) {
            return "converted packet \(long + 1) is \(packets[long].count) bytes, above 65535 (PW-CAP-6)"
        }
        var found: [[JSONValue?]] = []
        _ = CaptureValidator.validate(bytes: CaptureWriter.capture(of: packets), as: .pcapng) { finding in
            let offset = finding.place.packet.flatMap { packet in finding.place.streamOffset.map { starts[packet - 1] + $0 } }
            found.append([.integer(Int64(finding.code)), offset.map { .integer(Int64($0)) }, finding.offset.map { .integer(Int64($0)) }])
        }
        let wanted: [[JSONValue?]] = expected.compactMap { finding in
            guard let code = finding["code"]?.integerValue, !(80...83).contains(code) else { return nil }
            return [finding["code"], finding["streamOffset"], finding["offset"]]
        }
        return found == wanted ? nil : "written as a capture, the stream gives other findings: \(found.count) against \(wanted.count) (PW-CAP-6)"
    }
}
