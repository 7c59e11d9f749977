import Foundation
import PumpWire
import PumpWireConformance
import PumpWireCore
import Testing

/// The committed corpus, loaded once.
let corpus: Corpus = (try? Corpus(directory: packageRoot.appendingPathComponent("vectors"))) ?? Corpus(vectors: [])

/// The ranged fields of spec section 9's layout tables: (message, field path, minimum, maximum, width in bits).
func rangedFields(in spec: String) -> [(type: String, field: String, min: UInt64, max: UInt64, bits: Int)] {
    let section = spec.components(separatedBy: "## 9. Messages").last?.components(separatedBy: "## 10. Error codes").first ?? ""
    var current = ""
    var found: [(String, String, UInt64, UInt64, Int)] = []
    func number(_ text: Substring) -> UInt64? {
        let clean = text.replacingOccurrences(of: "`", with: "")
        return clean.hasPrefix("0x") ? UInt64(clean.dropFirst(2), radix: 16) : UInt64(clean)
    }
    for line in section.split(separator: "\n") {
        if line.hasPrefix("### 9."), let name = line.split(separator: "`").dropFirst().first { current = String(name); continue }
        guard line.hasPrefix("|") else { continue }
        let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        let grouped = line.matches(of: /`(\w+)` u(\d+) \((\d+) to (\d+)\)/)
        if !grouped.isEmpty {
            let group = cells.count > 2 ? cells[2].replacingOccurrences(of: "`", with: "") : ""
            for match in grouped {
                found.append((current, "\(group).\(match.1)", number(match.3)!, number(match.4)!, Int(match.2)!))
            }
            continue
        }
        guard cells.count >= 4, let size = Int(cells[1]), let field = line.firstMatch(of: /`(\w+)`/)?.1,
              let range = line.firstMatch(of: /\b(\d+) to (`?0x[0-9a-f]+`?|\d+)\b/), let low = number(range.1), let high = number(range.2)
        else { continue }
        found.append((current, String(field), low, high, size * 8))
    }
    return found
}

@Suite("The golden corpus (vectors/): complete, current, and traced to the spec")
struct CorpusTests {
    let spec = WorkedExample.spec

    @Test("The committed files are exactly what `pumpwire vectors generate` writes")
    func current() throws {
        let differences = try VectorGenerator(root: packageRoot).verify()
        #expect(differences.isEmpty, "\(differences)")
    }

    @Test("At least 600 vectors, ids and names unique, levels in the names")
    func size() {
        #expect(corpus.vectors.count >= 600)
        #expect(Set(corpus.vectors.map(\.id)).count == corpus.vectors.count)
        #expect(Set(corpus.vectors.map(\.name)).count == corpus.vectors.count)
        for vector in corpus.vectors {
            #expect(vector.name.hasPrefix(vector.level == .required ? "Required." : "Recommended."), "\(vector.name)")
        }
    }

    @Test("Every message type, both directions, has valid and invalid vectors")
    func everyMessageType() {
        let valid = Set(corpus.vectors.filter { $0.result == "valid" }.compactMap(\.messageType))
        let invalid = Set(corpus.vectors.filter { $0.result == "invalid" }.compactMap(\.messageType))
        for descriptor in MessageRegistry.all {
            #expect(valid.contains(descriptor.name.description), "no valid \(descriptor.name)")
            #expect(invalid.contains(descriptor.name.description), "no invalid \(descriptor.name)")
        }
        #expect(valid.contains("unknown") && invalid.contains("unknown"))
    }

    @Test("Every ranged field of the spec's layout tables at its minimum, maximum and one past each")
    func everyRangedField() {
        let fields = rangedFields(in: spec)
        #expect(fields.count >= 35, "the spec's tables were not read")
        let names = Set(corpus.vectors.map(\.name))
        for field in fields {
            let type = MessageRegistry.typeCode(named: field.type).map { MessageCases.title($0) } ?? field.type
            let prefix = "Required.Decode.\(type).\(field.field)"
            var wanted = ["Minimum", "Maximum"]
            if field.min > 0 { wanted.append("BelowMinimum") }
            if field.max < (field.bits >= 64 ? UInt64.max : (UInt64(1) << field.bits) - 1) { wanted.append("AboveMaximum") }
            for suffix in wanted {
                #expect(names.contains("\(prefix).\(suffix)"), "missing \(prefix).\(suffix)")
            }
        }
    }

    @Test("Every error code of spec section 10 is expected by some vector")
    func everyErrorCode() {
        var seen = Set<Int64>()
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                for (key, member) in members {
                    if ["error", "findings"].contains(key) || key == "message" { collectCodes(member) }
                    collect(member)
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        func collectCodes(_ value: JSONValue) {
            switch value {
            case .object(let members):
                for (key, member) in members where key == "code" || key == "errorCode" {
                    if let code = member.integerValue { seen.insert(code) }
                }
            case .array(let items): items.forEach(collectCodes)
            default: break
            }
        }
        corpus.vectors.forEach { collect($0.json) }
        for raw in UInt16(0)...UInt16(300) {
            guard let code = ErrorCode(rawValue: raw) else { continue }
            #expect(seen.contains(Int64(raw)), "\(code.specName) (\(raw)) appears in no vector")
        }
    }

    @Test("Every requirement of the spec has at least one valid and one invalid vector")
    func everyRequirement() {
        for id in VectorGenerator.requirementIDs(in: spec) {
            let citing = corpus.vectors.filter { $0.requirements.contains(id) }
            #expect(citing.contains { $0.result == "valid" }, "\(id) has no valid vector")
            #expect(citing.contains { $0.result == "invalid" }, "\(id) has no invalid vector")
        }
    }

    @Test("Every mandatory requirement of the spec (a MUST, or a check stated without a keyword) has a required vector")
    func mandatoryRequirementsHaveRequiredVectors() {
        let texts = VectorGenerator.requirementTexts(in: spec)
        #expect(texts.map(\.id) == VectorGenerator.requirementIDs(in: spec))
        #expect(!VectorGenerator.isMandatory(texts.first { $0.id == "PW-IMAGE-7" }?.text ?? ""), "a MAY alone is optional")
        #expect(VectorGenerator.isMandatory(texts.first { $0.id == "PW-RX-7" }?.text ?? ""), "a stated check is mandatory")
        for (id, text) in texts where VectorGenerator.isMandatory(text) {
            #expect(corpus.vectors.contains { $0.requirements.contains(id) && $0.level == .required }, "\(id) has no required vector")
        }
    }

    @Test("In every session without findings a dump answers its request exactly (PW-DUMP-10), and a log image reads clean")
    func sessionDumpsAnswerTheirRequests() throws {
        var checked = 0
        for vector in corpus.vectors where vector.kind == "session" && vector.result == "valid" {
            var requests: [UInt16: MemoryDumpRequest] = [:]
            var transfers: [UInt16: ImageReassembler] = [:]
            for bytes in vector.byteList("inputs") ?? [] {
                guard let frame = try? Frame.decode(bytes), case .message(let message) = frame.content else { continue }
                if case .memoryDumpRequest(let request) = message {
                    requests[frame.sequence] = request
                    transfers[frame.sequence] = ImageReassembler()
                }
                guard case .memoryDumpChunk(let chunk) = message, let request = requests[frame.sequence] else { continue }
                #expect(chunk.region == request.region && chunk.regionOffset == request.offset && chunk.imageLength == request.length,
                         "\(vector.name): a chunk of \(chunk.imageLength) bytes at \(chunk.regionOffset) answers \(request.length) at \(request.offset)")
                _ = try? transfers[frame.sequence]?.add(chunk)
            }
            for (_, transfer) in transfers where transfer.isComplete {
                let image = try transfer.finish()
                checked += 1
                // A resumption's answer is a piece of a larger image, not whole slots (13.3).
                guard image.region != .rawAddress, image.regionOffset % 20 == 0, image.bytes.count % 20 == 0 else { continue }
                let damaged = image.logItems.filter { if case .rejected = $0 { true } else { false } }
                #expect(damaged.isEmpty, "\(vector.name): \(damaged.count) damaged slots in the dumped \(image.region) image")
            }
        }
        #expect(checked >= 3)
    }

    @Test("The named families are there: CRC checks, fragment sequences, non-canonical and trailing bytes, sessions, examples")
    func families() {
        let names = Set(corpus.vectors.map(\.name))
        for name in ["Required.CRC16.CheckString", "Required.CRC32.CheckString", "Required.Reassembly.InOrder",
                     "Required.Reassembly.Reversed", "Required.Reassembly.Duplicate", "Required.Reassembly.MissingLast",
                     "Required.Reassembly.ConflictingData", "Required.Frame.TrailingByte", "Required.Frame.ReservedFlagBit2",
                     "Required.Session.Complete", "Required.Stream.NoiseEverywhere", "Required.Derived.WorkedExample"] {
            #expect(names.contains(name), "missing \(name)")
        }
        for descriptor in MessageRegistry.all {
            #expect(names.contains("Required.Example.\(MessageCases.title(descriptor.typeCode))"), "no worked example of \(descriptor.name)")
        }
        let kinds = Set(corpus.vectors.map(\.kind))
        #expect(kinds == ["decodeFrame", "crc16", "crc32", "reassembly", "stream", "derived", "session", "dump", "log", "jsonView", "capture",
                          "protocol", "secureHandshake", "sealedFrame", "sealedRejection", "lowOrderKey", "securePump", "pumpScenario"])
    }

    @Test("vectors/TRACEABILITY.md lists every requirement")
    func traceability() throws {
        let table = try String(contentsOf: packageRoot.appendingPathComponent("vectors/TRACEABILITY.md"), encoding: .utf8)
        for id in VectorGenerator.requirementIDs(in: spec) {
            #expect(table.contains("| \(id) |"), "\(id)")
        }
    }
}
