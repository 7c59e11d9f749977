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

