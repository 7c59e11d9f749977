import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: the log reader (spec 13.4). Option bits 1-2 pick the region (0 for "any"),
/// bits 3-7 the regionOffset's misalignment. Invariants: the items tile the image in order; a
/// rejected slot's error lies inside its slot; every record re-encodes to exactly its slot's bytes;
/// an erased run is all 0xff.
@_cdecl("FuzzLogReader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        let input = FuzzInput(data, size)
        let region = MemoryRegion(rawValue: (input.option >> 1) & 3)  // 0: any log region
        let regionOffset = UInt32(input.option >> 3) % 20
        let image = input.bytes
        var next = 0
        for item in LogReader.items(in: image, region: region, regionOffset: regionOffset) {
            switch item {
            case .record(let offset, let record):
                precondition(offset == next && offset + 20 <= image.count)
                precondition((try? record.encoded()) == Array(image[offset..<(offset + 20)]), "a record that is not canonical")
                next = offset + 20
            case .erased(let offset, let slots):
                precondition(offset == next && slots > 0 && image[offset..<(offset + 20 * slots)].allSatisfy { $0 == 0xFF })
                next = offset + 20 * slots
            case .rejected(let offset, let error):
                // A slot ends at the next multiple of 20 in region offsets, or at the image's end.
                let end = min(image.count, offset + 20 - Int((regionOffset + UInt32(offset)) % 20))
                precondition(offset == next && error.offset >= offset && error.offset < end, "\(error) in \(offset)..<\(end)")
                precondition([9, 10, 60, 61].contains(error.code.rawValue), "\(error)")
                next = end
            }
        }
        precondition(next == image.count, "the items do not cover the image")
        return 0
    }
}
