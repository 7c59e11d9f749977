import Foundation
import PumpWire

/// Every declared vector, by corpus file (vectors/corpus/NAME.json).
public enum VectorCatalog {
    public struct Group {
        public var file: String
        public var description: String
        public var cases: [VectorCase]
        /// Files the group's vectors name, by path relative to vectors/ (captures).
        public var files: [String: [UInt8]] = [:]
    }

    /// `spec` is the text of spec/pumpwire-v1.md: the worked examples are read from it.
    public static func groups(spec: String) throws -> [Group] {
        let examples = try ExampleCases.examples(spec: spec)
        var groups = [
            Group(file: "examples", description: "The worked examples of spec section 9, bytes and values as the spec states them.",
                  cases: try ExampleCases.cases(spec: spec)),
            Group(file: "frame", description: "The frame layer: every check of spec 4.2 in its order, and the authentication block.",
                  cases: FrameCases.cases(examples: examples)),
            Group(file: "fragments", description: "Fragment frames (spec 5.2) and reassembly sequences (spec 5.3).", cases: FragmentCases.cases),
            Group(file: "crc", description: "CRC-16 and CRC-32 check values (spec section 3).", cases: CRCCases.cases),
            Group(file: "streams", description: "Byte streams: resynchronisation and reassembly (spec 4.3, 5.4).", cases: StreamCases.cases),
            Group(file: "derived", description: "Derived quantities D2, D3 and D5 (spec 2.3).", cases: DerivedCases.cases),
            Group(file: "sessions", description: "Sessions and their findings (spec section 11).", cases: SessionCases.cases),
            Group(file: "dumps", description: "Memory-image transfers: chunks rebuilt into images, raw and zlib (spec 13.1 to 13.3).",
                  cases: DumpCases.cases),
            Group(file: "logs", description: "Log images read as records (spec 13.4).", cases: LogCases.cases),
            Group(file: "json-views", description: "JSON views (spec section 12), for libraries that read and write them.",
                  cases: JSONViewCases.cases(examples: examples)),
        ]
        let sessions = groups.first { $0.file == "sessions" }!.cases + groups.first { $0.file == "dumps" }!.cases
        let captures = CaptureCases.captures(sessions: sessions) + TextCaptureCases.captures(sessions: sessions)
        groups.append(Group(
            file: "captures", description: "Captures (spec section 14): pcapng, pcap, hex logs and raw streams, whole and damaged, "
                + "with the findings a validator reports. The files are also in vectors/captures/.",
            cases: captures.map(\.vector), files: Dictionary(uniqueKeysWithValues: captures.map { ("captures/" + $0.file, $0.bytes) })
                .merging(try sealedSessionFiles()) { first, _ in first }))
        groups.append(Group(file: "testee-protocol", description: "The testee protocol at its edges (spec/conformance.md 2.7); "
            + "recommended, run last.", cases: ProtocolCases.cases))
        for (file, cases) in MessageCases.all.sorted(by: { $0.key < $1.key }) {
            groups.append(Group(file: file, description: "Messages of spec section 9: valid values, field bounds and every check.", cases: cases))
        }
        return groups
    }

    /// The sealed session example and its TEST keys (spec/security.md 14): no vector names them;
    /// `vectors verify` checks that they are current.
    static func sealedSessionFiles() throws -> [String: [UInt8]] {
        let sealed = try SealedSessionExample.committed()
        return [
            SealedSessionExample.capturePath: sealed.capture,
            SealedSessionExample.keyLogPath: Array(SealedSessionExample.keyLogText(sealed).utf8),
            SealedSessionExample.pumpIdentityPath: Array(sealed.pump.text.utf8),
            SealedSessionExample.deviceIdentityPath: Array(sealed.device.text.utf8),
        ]
    }
}
