import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: the image reassembler and its bounded inflate (spec 13.2).
/// - option bit 1 clear: the input is frames; the memoryDumpChunk ones go to one reassembler.
/// - option bit 1 set: the input is a transfer: 3 bytes of imageLength (little-endian), the
///   encoding in bit 2 (zlib when set), then the transfer, cut into chunks here so that the
///   fuzzer reaches the inflater directly.
/// Invariants: chunk errors carry payload offsets inside the chunk; a finished image has exactly
/// `imageLength` bytes and its CRC-32; zlib never holds more than `imageLength + 1` bytes of output.
@_cdecl("FuzzImageReassembler_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        let input = FuzzInput(data, size)
        var reassembler = ImageReassembler()
        for chunk in input.option & 2 == 0 ? chunksFromFrames(input) : chunksFromTransfer(input) {
            do throws(PumpWireError) {
                try reassembler.add(chunk)
            } catch {
                precondition((52...54).contains(error.code.rawValue) && error.offset <= WireLimits.maxFramePayload, "\(error)")
            }
        }
        guard let transfer = reassembler.transfer else { return 0 }
        do throws(PumpWireError) {
            let image = try reassembler.finish()
            precondition(image.bytes.count == transfer.imageLength && image.crc32 == transfer.imageCrc32)
        } catch {
            precondition((55...59).contains(error.code.rawValue), "\(error)")
        }
        return 0
    }
}

func chunksFromFrames(_ input: FuzzInput) -> [MemoryDumpChunk] {
    input.frames.compactMap { frame in
        guard case .message(.memoryDumpChunk(let chunk))? = (try? Frame.decode(frame))?.content else { return nil }
        return chunk
    }
}

func chunksFromTransfer(_ input: FuzzInput) -> [MemoryDumpChunk] {
    guard input.bytes.count > 3 else { return [] }
    let declared = Int(input.bytes[0]) | Int(input.bytes[1]) << 8 | Int(input.bytes[2]) << 16
    let imageLength = min(max(declared, 1), WireLimits.maxDumpLength)
    let transfer = Array(input.bytes.dropFirst(3).prefix(imageLength))  // never longer than the image (PW-DUMP-12)
    let encoding: DumpEncoding = input.option & 4 != 0 ? .zlib : .raw
    if encoding == .raw && transfer.count != imageLength { return [] }
    return MemoryDumpChunk.chunks(carrying: transfer, encoding: encoding, region: .eventLog, regionOffset: 0,
                                  imageLength: UInt32(imageLength), imageCrc32: ZlibCRC32.checksum(transfer))
}
