import PumpWire
import PumpWireCore

/// Byte-level damage to valid frames: what a noisy link, a buggy peer or an attacker sends.
public struct Mutator {
    public enum Kind: String, CaseIterable, Sendable {
        case bitFlip, interestingByte, truncate, extend, lyingLength, splice, insert, delete, duplicateBlock
    }

    static let interesting: [UInt8] = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xA5, 0xC3, 0xFE, 0xFF]

    public static func mutate(_ input: [UInt8], other: [UInt8], random: inout FuzzRandom) -> (bytes: [UInt8], kinds: [Kind]) {
        var bytes = input
        var kinds: [Kind] = []
        for _ in 0..<(1 + Int(random.below(3))) {
            let kind = Kind.allCases[Int(random.below(UInt64(Kind.allCases.count)))]
            kinds.append(kind)
            switch kind {
            case .bitFlip where !bytes.isEmpty:
                bytes[Int(random.below(UInt64(bytes.count)))] ^= 1 << UInt8(random.below(8))
            case .interestingByte where !bytes.isEmpty:
                bytes[Int(random.below(UInt64(bytes.count)))] = interesting[Int(random.below(UInt64(interesting.count)))]
            case .truncate where !bytes.isEmpty:
                bytes.removeLast(1 + Int(random.below(UInt64(bytes.count))))
            case .extend:
                bytes += random.bytes(1 + Int(random.below(16)))
            case .lyingLength where bytes.count >= 9:
                // The payload length field (offset 7) off by a little, or anything.
                let length = Int(bytes[7]) | Int(bytes[8]) << 8
                let lie = random.below(2) == 0 ? length + Int(random.below(5)) - 2 : Int(random.below(0x10000))
                bytes[7] = UInt8(truncatingIfNeeded: lie)
                bytes[8] = UInt8(truncatingIfNeeded: lie >> 8)
            case .splice where !other.isEmpty:
                let cut = Int(random.below(UInt64(bytes.count + 1)))
                let from = Int(random.below(UInt64(other.count)))
                bytes = Array(bytes[..<cut]) + other[from...]
            case .insert:
                let at = Int(random.below(UInt64(bytes.count + 1)))
                bytes.insert(contentsOf: random.bytes(1 + Int(random.below(4))), at: at)
            case .delete where !bytes.isEmpty:
                let at = Int(random.below(UInt64(bytes.count)))
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(random.below(4))))
            case .duplicateBlock where !bytes.isEmpty:
                let start = Int(random.below(UInt64(bytes.count)))
                let end = min(bytes.count, start + 1 + Int(random.below(16)))
                bytes.insert(contentsOf: bytes[start..<end], at: end)
            default:
                break
            }
        }
        return (bytes, kinds)
    }

    /// Sets the frame's CRC right, so that the damage reaches the payload parsers instead of
    /// stopping at the CRC check.
    public static func fixCRC(_ bytes: inout [UInt8]) {
        Frame.setCRC(in: &bytes)
    }
}
