import Foundation
import PumpWire
import PumpWireConformance
@testable import PumpWireCore
import Testing

@Suite("CRCs (spec section 3)")
struct CRCTests {
    let check = Array("123456789".utf8)

    @Test("CRC-16/IBM-3740 check value is 0x29B1")
    func crc16CheckValue() {
        #expect(check.withUnsafeBytes { CRC16.checksum($0) } == 0x29B1)
        #expect([UInt8]().withUnsafeBytes { CRC16.checksum($0) } == 0xFFFF)
    }

    @Test("CRC-32/ISO-HDLC check value is 0xCBF43926")
    func crc32CheckValue() {
        #expect(check.withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { CRC32.checksum($0) } == 0)
    }

    @Test("The CRC-16 table is the polynomial 0x1021, bit by bit")
    func crc16Table() {
        for index in 0..<256 {
            var crc = UInt16(index) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
            #expect(PumpWireCore.crc16Table[index] == crc, "entry \(index)")
        }
    }

    @Test("The CRC-32 table is the reflected polynomial 0xEDB88320, bit by bit")
    func crc32Table() {
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            #expect(PumpWireCore.crc32Table[index] == crc, "entry \(index)")
        }
    }

    @Test("The CRC-16 slicing tables are the polynomial 0x1021, bit by bit: table k is byte i then k zero bytes")
    func crc16SlicingTables() {
        for k in 0..<8 {
            for index in 0..<256 {
                // The register after byte `index` and then k zero bytes, from a zero register.
                var crc: UInt16 = 0
                for byte in [UInt8(index)] + [UInt8](repeating: 0, count: k) {
                    crc ^= UInt16(byte) << 8
                    for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
                }
                #expect(PumpWireCore.crc16SlicingTables[k * 256 + index] == crc, "table \(k), entry \(index)")
            }
        }
    }

    @Test("The CRC-32 slicing tables are the reflected polynomial 0xEDB88320, bit by bit: table k is byte i then k zero bytes")
    func crc32SlicingTables() {
        for k in 0..<8 {
            for index in 0..<256 {
                var crc: UInt32 = 0
                for byte in [UInt8(index)] + [UInt8](repeating: 0, count: k) {
                    crc ^= UInt32(byte)
                    for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
                }
                #expect(PumpWireCore.crc32SlicingTables[k * 256 + index] == crc, "table \(k), entry \(index)")
            }
        }
    }

    @Test("The sliced CRC-16 equals a bit-by-bit CRC-16 at every length and alignment")
    func crc16MatchesBitwise() {
        func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt16 {
            var crc: UInt16 = 0xFFFF
            for byte in bytes {
                crc ^= UInt16(byte) << 8
                for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
            }
            return crc
        }
        var generator = SplitMix64(seed: 16)
        let data = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for (start, length) in (0..<80).map({ ($0 % 8, $0) }) + [(3, 1024), (1, 65_537)] {
            let slice = data[start..<(start + length)]
            #expect(Array(slice).withUnsafeBytes { CRC16.checksum($0) } == bitwise(slice), "offset \(start) length \(length)")
        }
    }

    @Test("Incremental updates equal one pass")
    func incremental() {
        var crc16 = CRC16()
        var crc32 = CRC32()
        for piece in [Array("1234".utf8), Array("".utf8), Array("56789".utf8)] {
            piece.withUnsafeBytes { crc16.update($0); crc32.update($0) }
        }
        #expect(crc16.value == 0x29B1)
        #expect(crc32.value == 0xCBF4_3926)
    }

    @Test("The core's pure-Swift CRC-32 equals zlib's crc32 on random inputs")
    func crc32MatchesZlib() {
        var generator = SplitMix64(seed: 0x5057_4952_45)
        for length in [0, 1, 2, 3, 7, 8, 9, 63, 64, 65, 255, 1024, 4093, 65_536, 262_144] {
            for _ in 0..<4 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let core = bytes.withUnsafeBytes { CRC32.checksum($0) }
                #expect(core == ZlibCRC32.checksum(bytes), "length \(length)")
                #expect(core == ZlibCRC32.checksum(Data(bytes)), "length \(length), Data")
            }
        }
    }
}

typealias SplitMix64 = SeededGenerator
