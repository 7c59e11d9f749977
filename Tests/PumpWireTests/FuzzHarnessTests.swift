import Foundation
import PumpWire
import PumpWireCore
import PumpWireFuzzing
import Testing

@Suite("The round-trip fuzz harness (pumpwire fuzz)")
struct FuzzHarnessTests {
    @Test("A fixed-seed run generates, mutates, reaches the payload checks, and finds nothing")
    func smoke() {
        var harness = FuzzHarness(seed: 7, corpusFrames: corpus.vectors.filter { $0.kind == "decodeFrame" && $0.result == "valid" }
            .compactMap { $0.bytes("input") })
        let report = harness.run(iterations: 20_000, duration: nil)
        #expect(report.findings.isEmpty, "\(report.findings.map { "\($0.invariant): \($0.detail) \(Hex.encode($0.input))" })")
        #expect(report.iterations == 20_000)
        #expect(report.generated > 4_000 && report.mutated > 10_000 && report.crcFixed > 4_000)
        #expect(report.accepted > 4_000 && report.streams > 0 && report.sessions > 0)
        // With the CRC set right, damage reaches the message checks, not only the frame's.
        for code in [ErrorCode.badCRC, .truncated, .lengthMismatch, .fieldOutOfRange, .nonCanonical] {
            #expect(report.rejections[code.rawValue, default: 0] > 0, "\(code.specName) never seen")
        }
    }

    @Test("The same seed gives the same run")
    func deterministic() {
        var first = FuzzHarness(seed: 42)
        var second = FuzzHarness(seed: 42)
        let a = first.run(iterations: 3_000, duration: nil), b = second.run(iterations: 3_000, duration: nil)
        #expect(a.accepted == b.accepted && a.rejections == b.rejections && a.generated == b.generated)
    }

    @Test("Generated messages are valid, of every type, and round-trip")
    func generatorIsValid() throws {
        var generator = MessageGenerator(random: FuzzRandom(seed: 3))
        var types = Set<String>()
        for _ in 0..<3_000 {
            let message = generator.message()
            types.insert(MessageRegistry.name(of: message.typeCode))
            let bytes = try message.encodedFrames(sequence: 1)
            let frames = StreamDecoder.frames(in: bytes)
            if frames.count == 1 { #expect(try Frame.decode(bytes).content == .message(message)) }
        }
        #expect(types.isSuperset(of: MessageRegistry.all.map { $0.name.description } + ["unknown"]))
    }

    @Test("The shrinker finds a minimal input that still breaks the invariant")
    func shrinker() {
        // A pretend invariant: it breaks when the input holds 0x42 somewhere after a 0xA5.
        let breaks: ([UInt8]) -> Bool = { bytes in
            guard let sync = bytes.firstIndex(of: 0xA5) else { return false }
            return bytes[sync...].contains(0x42)
        }
        let input: [UInt8] = [1, 2, 3, 0xA5, 9, 9, 9, 9, 0x42, 7, 7, 7]
        #expect(breaks(input))
        #expect(FuzzHarness.shrink(input, breaks: breaks) == [0xA5, 0x42])
    }

    @Test("A finding is printed as a vector skeleton to add to the corpus")
    func findingAsVector() {
        let finding = FuzzFinding(invariant: "NotCanonical", input: [0xA5, 0xC3], detail: "example", iteration: 9)
        let vector = finding.vector(seed: 5)
        #expect(vector["name"] == .string("Required.Fuzz.NotCanonical.Seed5Iteration9"))
        #expect(vector["input"] == .string("a5c3"))
        #expect(vector["kind"] == .string("decodeFrame"))
    }

    @Test("`pumpwire fuzz --format json` reports the run and exits 0 when nothing is found")
    func commandLine() throws {
        let result = try pumpwire(["fuzz", "--seed", "1", "--iterations", "5000", "--format", "json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [String: Any]
        #expect(object["iterations"] as? Int == 5000)
        #expect((object["findings"] as? [Any])?.isEmpty == true)
        #expect(try pumpwire(["fuzz"]).status != 0)  // a bound is required
    }
}
