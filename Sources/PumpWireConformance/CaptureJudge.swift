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
        return result(.pass, "pass", "")
    }
}
