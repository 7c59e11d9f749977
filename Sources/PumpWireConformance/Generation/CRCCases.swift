import PumpWire

/// CRC check vectors (spec section 3). CRC-32 values come from zlib and CRC-16 values from a
/// bit-by-bit reference, not from the core's tables.
enum CRCCases {
    static var cases: [VectorCase] {
        var generator = SeededGenerator(seed: 0x5057_4952)
        let inputs: [(String, [UInt8])] = [
            ("CheckString", Array("123456789".utf8)), ("Empty", []), ("Zero", [0x00]), ("FF", [0xFF]),
            ("Sync", [0xA5, 0xC3]), ("Zeros256", [UInt8](repeating: 0, count: 256)), ("Ones64", [UInt8](repeating: 0xFF, count: 64)),
            ("Random63", generator.bytes(63)), ("Random64", generator.bytes(64)), ("Random1024", generator.bytes(1024)),
            ("Random4099", generator.bytes(4099)),
        ]
        var cases: [VectorCase] = []
        for (label, bytes) in inputs {
            cases.append(VectorCase("Required.CRC16.\(label)", requirements: ["PW-CRC-1"], kind: "crc16",
                                    comment: "CRC-16/IBM-3740 of \(bytes.count) bytes.",
                                    body: [("input", V.hex(bytes)), ("result", .string("valid")), ("value", V.int(ReferenceCRC.crc16(bytes)))]))
            cases.append(VectorCase("Required.CRC32.\(label)", requirements: ["PW-CRC-2"], kind: "crc32",
                                    comment: "CRC-32/ISO-HDLC (zlib's crc32) of \(bytes.count) bytes.",
                                    body: [("input", V.hex(bytes)), ("result", .string("valid")), ("value", V.int(ZlibCRC32.checksum(bytes)))]))
        }
        return cases
    }
}

/// A small seeded generator (SplitMix64), so the corpus, and any test that draws from it, is the
/// same on every machine.
public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
    /// Uniform enough in 0..<bound, for bound > 0.
    public mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }
}
