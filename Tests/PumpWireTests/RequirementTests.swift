import Foundation
import Testing

/// Requirement ids (`PW-FRAME-3`) found in `text`, in order, without repeats.
func requirementIDs(in text: String, definitionsOnly: Bool) -> [String] {
    let pattern = definitionsOnly ? #"(?m)^(?:- )?(PW-[A-Z]+-[0-9]+):"# : #"PW-[A-Z]+-[0-9]+"#
    let regex = try! NSRegularExpression(pattern: pattern)
    var seen: [String] = []
    for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
        let range = Range(match.range(at: definitionsOnly ? 1 : 0), in: text)!
        let id = String(text[range])
        if !seen.contains(id) { seen.append(id) }
    }
    return seen
}

@Suite("Requirement ids (spec Appendix B)")
struct RequirementTests {
    let spec = WorkedExample.spec

    @Test("spec/requirements.txt lists exactly the requirements the spec defines, in order")
    func index() throws {
        let listed = try String(contentsOf: packageRoot.appendingPathComponent("spec/requirements.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(listed == requirementIDs(in: spec, definitionsOnly: true))
        #expect(listed.count > 80)
    }

    @Test("Every requirement cited in the spec, the sources and the tests is defined")
    func citationsExist() throws {
        let defined = Set(requirementIDs(in: spec, definitionsOnly: true))
        var texts = [("spec", spec)]
        for folder in ["Sources", "Tests"] {
            let enumerator = FileManager.default.enumerator(at: packageRoot.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                texts.append((url.lastPathComponent, try String(contentsOf: url, encoding: .utf8)))
            }
        }
        for (name, text) in texts {
            for id in requirementIDs(in: text, definitionsOnly: false) where !defined.contains(id) {
                Issue.record("\(name) cites \(id), which the spec does not define")
            }
        }
    }
}
