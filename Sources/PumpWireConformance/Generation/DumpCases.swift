import PumpWire
import PumpWireCore

/// Memory-image transfers (spec 13.1 to 13.3): chunks given to one image reassembler, each chunk's
/// outcome and the end declared here by hand. Valid images are the bytes the transfer was made
/// from; compressed transfers are made with zlib itself.
enum DumpCases {
    /// A 1000-byte event log image: fifty records of spec 13.4, built by hand (an hour apart:
    /// periodic boluses, refills and clock changes).
    static let image: [UInt8] = (0..<50).flatMap { (index: Int) -> [UInt8] in
        let time = UInt32(847_584_000 + 3600 * index)
        switch index % 3 {
        case 0: return LogCases.slot(0x03, time: time, [4, 0] + LogCases.u32(5000) + LogCases.u32(10_000) + LogCases.u16(5))
        case 1: return LogCases.slot(0x04, time: time, [3] + LogCases.u32(2000) + LogCases.u32(UInt32(20_000 - 5 * index)))
        default: return LogCases.slot(0x05, time: time, LogCases.u32(time - 7))
        }
    }
    static let crc = ZlibCRC32.checksum(image)

    /// A chunk frame built field by field (spec 9.8), with `sequence` 9.
    static func chunk(
        _ index: Int, of count: Int, transfer: [UInt8], encoding: UInt8 = 0, imageLength: Int = 1000, crc: UInt32 = crc,
        region: UInt8 = 1, regionOffset: UInt32 = 0, sequence: UInt16 = 9, patchData: (at: Int, byte: UInt8)? = nil
    ) -> [UInt8] {
        var data = Array(transfer[(index * 218)..<min(transfer.count, index * 218 + 218)])
        if let patchData { data[patchData.at] ^= patchData.byte }
        let payload: [UInt8] = [region, encoding] + V.le(UInt64(index), 2) + V.le(UInt64(count), 2) + V.le(UInt64(regionOffset), 4)
            + V.le(UInt64(imageLength), 4) + V.le(UInt64(crc), 4) + V.le(UInt64(index * 218), 4) + data
        return V.frame(type: 0x85, sequence: sequence, payload: payload)
    }

    /// Every chunk of a transfer, in index order.
    static func chunks(_ transfer: [UInt8], encoding: UInt8 = 0, imageLength: Int = 1000, crc: UInt32 = crc, regionOffset: UInt32 = 0) -> [[UInt8]] {
        let count = (transfer.count + 217) / 218
        return (0..<count).map { chunk($0, of: count, transfer: transfer, encoding: encoding, imageLength: imageLength, crc: crc, regionOffset: regionOffset) }
    }

    enum Step {
        case added, duplicate
        case payloadError(ErrorCode, Int)
        case frameError(ErrorCode, Int)
    }

    enum End {
        case image([UInt8])
        case error(ErrorCode, Int, missing: [Int] = [])
        case empty
    }

    static func dump(
        _ name: String, _ requirements: [String], _ frames: [[UInt8]], steps: [Step], end: End, comment: String
    ) -> VectorCase {
        let stepValues: [JSONValue] = steps.map {
            switch $0 {
            case .added: .object([("result", .string("added"))])
            case .duplicate: .object([("result", .string("duplicate"))])
            case .payloadError(let code, let offset):
                .object([("result", .string("rejected")), ("error", V.error(code, offset)), ("offsetFrom", .string("payload"))])
            case .frameError(let code, let offset):
                .object([("result", .string("rejected")), ("error", V.error(code, offset)), ("offsetFrom", .string("frame"))])
            }
        }
        let endValue: JSONValue
        var valid = true
        switch end {
        case .image(let bytes): endValue = .object([("result", .string("image")), ("image", V.hex(bytes))])
        case .error(let code, let offset, let missing):
            valid = false
            endValue = .object([("result", .string("rejected")), ("error", V.error(code, offset)), ("missingChunks", .array(missing.map(V.int)))])
        case .empty: endValue = .object([("result", .string("empty"))])
        }
        let rejectsAny = steps.contains { if case .added = $0 { false } else if case .duplicate = $0 { false } else { true } }
        return VectorCase(name, requirements: requirements, kind: "dump", messageType: "memoryDumpChunk", comment: comment, body: [
            ("inputs", .array(frames.map(V.hex))), ("result", .string(valid && !rejectsAny ? "valid" : "invalid")),
            ("steps", .array(stepValues)), ("end", endValue),
        ])
    }

    static var cases: [VectorCase] {
        let raw = chunks(image)
        let compressed = ZlibDeflate.compress(image)
        let zlib = chunks(compressed, encoding: 1)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let bomb = ZlibDeflate.compress(zeros)  // about 1 KiB that inflates to 1 MiB
        let tiny = ZlibDeflate.compress([UInt8](repeating: 0, count: 100_000))
        let short = Array(image.prefix(900))
        let presetDictionary: [UInt8] = [0x78, 0xBB, 0x01, 0x02, 0x03, 0x04] + compressed.dropFirst(2)
        let resumedPiece = Array(image[436..<872])
        // PW-DUMP-13: 300 bytes twice; the second copy refers 300 bytes back.
        let half = (0..<300).map { UInt8(truncatingIfNeeded: ($0 * 7919 + 13) % 251 ^ ($0 * 31 & 0xFF)) }
        let twice = half + half
        let farBack = ZlibDeflate.compress(twice)
        func header(_ cmf: UInt8, _ flg: UInt8, _ stream: [UInt8]) -> [UInt8] { [cmf, flg] + stream.dropFirst(2) }
        // A fixed-Huffman block by hand: literal 'A', then a copy of 3 bytes from 5 back, before the image starts.
        let beforeImage: [UInt8] = [0x78, 0x9C, 0x73, 0x04, 0x12, 0x00, 0x02, 0x8E, 0x01, 0x05]
        // A stored block of 4100 bytes, then a dynamic-Huffman block by hand (the code of 'A' is 0, of
        // length 258 is 11, and the one distance code, distance 1, is 0, so 1 is invalid): 'A', two
        // matches of 258, then length 258 with the invalid distance code, in the same input byte as
        // the second match's distance. imageLength + 1 is reached inside the second match.
        let stored = (0..<4100).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let limitInsideByte: [UInt8] = [0x78, 0x9C, 0x00, 0x04, 0x10, 0xFB, 0xEF] + stored
            + [0xED, 0xC0, 0x31, 0x09, 0x00, 0x00, 0x00, 0xC0, 0xA0, 0x6C, 0xF6, 0x2F, 0xB5, 0x22, 0xD3, 0xF6, 0x00, 0x00, 0x00, 0x00, 0x00]
        // A fixed-Huffman block by hand: literal 'A', a copy of 258 at distance 1 (259 bytes, ending on an input
        // byte boundary), then length code 257 with distance code 30, which does not exist. zlib decodes that
        // distance code even when the copy has filled its output. Two bytes of padding follow, so the bad
        // code is not in the transfer's last byte.
        let literalsThenBadDistance: [UInt8] = [0x78, 0x9C, 0x73, 0x1C, 0x05, 0xC0, 0x07, 0x00, 0x00]
        func zlibDump(_ name: String, _ requirements: [String], _ transfer: [UInt8], imageLength: Int = 1000, crc: UInt32 = crc,
                      end: End, comment: String) -> VectorCase {
            let frames = chunks(transfer, encoding: 1, imageLength: imageLength, crc: crc)
            return dump(name, requirements, frames, steps: added(frames.count), end: end, comment: comment)
        }
        let added = { (count: Int) in [Step](repeating: .added, count: count) }
        let status = V.frame(type: 0x81, sequence: 9, payload: (try? Message.pumpStatus(DeclaredMessages.pumpStatus).encodedPayload()) ?? [])
        var badCRC = raw[1]
        badCRC[badCRC.count - 1] ^= 0xFF
        // Chunk 1 of another transfer, described field by field: each differs from the first chunk's in its own way.
        func other(region: UInt8 = 1, encoding: UInt8 = 0, count: Int = 5, regionOffset: UInt32 = 0, imageLength: Int = 1000,
                   crc: UInt32 = crc, patchData: (at: Int, byte: UInt8)? = nil, index: Int = 1) -> [UInt8] {
            var transfer = image
            if imageLength > transfer.count { transfer += [UInt8](repeating: 0, count: imageLength - transfer.count) }
            return chunk(index, of: count, transfer: transfer, encoding: encoding, imageLength: imageLength, crc: crc, region: region,
                         regionOffset: regionOffset, patchData: patchData)
        }
        func mismatch(_ name: String, _ frame: [UInt8], at offset: Int, case id: String, comment: String) -> VectorCase {
            dump("Required.Dump.\(name)", ["PW-IMAGE-2"], [raw[0], frame] + raw[1...],
                 steps: [.added, .payloadError(.chunkImageMismatch, offset)] + added(4), end: .image(image), comment: comment).covering(id)
        }
        var cases = [
            dump("Required.Dump.WorkedExample", ["PW-IMAGE-1", "PW-IMAGE-5", "PW-DUMP-8"],
                 [V.frame(type: 0x85, sequence: 5, payload: [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0xF4, 0x99, 0x0B, 0x47, 0, 0, 0, 0, 1, 2, 3, 4, 5])],
                 steps: added(1), end: .image([1, 2, 3, 4, 5]), comment: "The one-chunk image of spec 9.8."),
            dump("Required.Dump.RawInOrder", ["PW-IMAGE-1", "PW-IMAGE-4", "PW-IMAGE-5", "PW-IMAGE-6", "PW-DUMP-8"], raw, steps: added(5), end: .image(image),
                 comment: "Five raw chunks in order rebuild the 1000-byte image."),
            dump("Required.Dump.RawShuffledWithDuplicate", ["PW-IMAGE-1", "PW-IMAGE-2", "PW-IMAGE-3"], [raw[3], raw[0], raw[4], raw[0], raw[2], raw[1]],
                 steps: [.added, .added, .added, .duplicate, .added, .added], end: .image(image),
                 comment: "Chunks in any order; an identical duplicate is ignored without error."),
            dump("Required.Dump.ZlibInOrder", ["PW-DUMP-12", "PW-IMAGE-1", "PW-IMAGE-5", "PW-IMAGE-6"], zlib, steps: added(zlib.count), end: .image(image),
                 comment: "The image compressed with zlib, in \(zlib.count) chunks, inflates to the image."),
            dump("Required.Dump.ZlibReversed", ["PW-IMAGE-1", "PW-IMAGE-5"], zlib.reversed(), steps: added(zlib.count), end: .image(image),
                 comment: "A zlib transfer's chunks in reverse order."),
            dump("Required.Dump.MissingChunks", ["PW-IMAGE-3", "PW-IMAGE-7"], [raw[0], raw[2]], steps: added(2),
                 end: .error(.chunksMissing, 218, missing: [1, 3, 4]),
                 comment: "Chunks 1, 3 and 4 never came: reported at chunk 1's transfer offset, with every missing index for resumption."),
            dump("Required.Dump.ConflictingDuplicate", ["PW-IMAGE-2"],
                 [raw[0], raw[1], chunk(1, of: 5, transfer: image, patchData: (5, 0x40)), raw[2], raw[3], raw[4]],
                 steps: [.added, .added, .payloadError(.chunkDataConflict, 27), .added, .added, .added], end: .image(image),
                 comment: "Chunk 1 again with data byte 5 changed is rejected; the first copy is kept."),
            dump("Required.Dump.OtherImageCRC", ["PW-IMAGE-2"], [raw[0], chunk(1, of: 5, transfer: image, crc: crc ^ 1)] + raw[1...],
                 steps: [.added, .payloadError(.chunkImageMismatch, 14)] + added(4), end: .image(image),
                 comment: "A chunk with another imageCrc32 belongs to another image."),
            dump("Required.Dump.OtherRegionOffset", ["PW-IMAGE-2"], [raw[0], chunk(1, of: 5, transfer: image, regionOffset: 20)],
                 steps: [.added, .payloadError(.chunkImageMismatch, 6)], end: .error(.chunksMissing, 218, missing: [1, 2, 3, 4]),
                 comment: "A chunk of the image at another regionOffset is rejected at offset 6."),
            dump("Required.Dump.OtherEncoding", ["PW-IMAGE-2"], [zlib[0], raw[0]] + zlib[1...],
                 steps: [.added, .payloadError(.chunkImageMismatch, 1)] + added(zlib.count - 1), end: .image(image),
                 comment: "A raw chunk among zlib ones: the encoding differs (compared before chunkCount)."),
            dump("Required.Dump.ChunkBeyondTotal", ["PW-IMAGE-2"], [zlib[0], raw[4]] + zlib[1...],
                 steps: [.added, .payloadError(.chunkBeyondTotal, 2)] + added(zlib.count - 1), end: .image(image),
                 comment: "Chunk 4 of a raw transfer after the first chunk of a \(zlib.count)-chunk zlib transfer: beyond the declared total."),
            dump("Required.Dump.BadImageCRC", ["PW-IMAGE-5", "PW-IMAGE-6", "PW-DUMP-8"], chunks(image, crc: crc ^ 0x8000_0000), steps: added(5),
                 end: .error(.imageCRCFailed, 0), comment: "Every chunk agrees on an imageCrc32 the image does not have."),
            dump("Required.Dump.ZlibBadImageCRC", ["PW-IMAGE-5", "PW-DUMP-8"], chunks(compressed, encoding: 1, crc: crc ^ 1), steps: added(zlib.count),
                 end: .error(.imageCRCFailed, 0), comment: "The stream inflates, but not to the image the chunks declare."),
            dump("Required.Dump.DecompressionBomb", ["PW-IMAGE-5"], chunks(bomb, encoding: 1, imageLength: 2000), steps: added((bomb.count + 217) / 218),
                 end: .error(.imageLengthMismatch, 0),
                 comment: "\(bomb.count) bytes that inflate to 1 MiB, declared as 2000: inflating stops at 2001 bytes."),
            dump("Required.Dump.CompressionRatioExceeded", ["PW-IMAGE-5"], chunks(tiny, encoding: 1, imageLength: 1 << 20), steps: added(1),
                 end: .error(.compressionRatioExceeded, 0),
                 comment: "\(tiny.count) bytes claiming a 1 MiB image: more than 1032 to 1, refused before inflating."),
            dump("Required.Dump.ZlibStreamCut", ["PW-DUMP-12", "PW-IMAGE-5"], chunks(Array(compressed.dropLast(4)), encoding: 1), steps: added((compressed.count + 213) / 218),
                 end: .error(.inflateFailed, 0), comment: "The transfer ends before the stream's Adler-32."),
            dump("Required.Dump.ZlibTrailingByte", ["PW-DUMP-12", "PW-IMAGE-5"], chunks(compressed + [0], encoding: 1), steps: added((compressed.count + 218) / 218),
                 end: .error(.inflateFailed, 0), comment: "A byte after the stream's end."),
            dump("Required.Dump.ZlibBadAdler", ["PW-DUMP-12", "PW-IMAGE-5"], chunks(Array(compressed.dropLast()) + [compressed.last! ^ 1], encoding: 1),
                 steps: added(zlib.count), end: .error(.inflateFailed, 0), comment: "The Adler-32 at the stream's end is wrong."),
            dump("Required.Dump.ZlibPresetDictionary", ["PW-DUMP-12", "PW-IMAGE-5"], chunks(presetDictionary, encoding: 1),
                 steps: added((presetDictionary.count + 217) / 218), end: .error(.inflateFailed, 0),
                 comment: "FDICT set: a stream that needs a preset dictionary."),
            dump("Required.Dump.ZlibInflatesShort", ["PW-IMAGE-5"], chunks(ZlibDeflate.compress(short), encoding: 1),
                 steps: added((ZlibDeflate.compress(short).count + 217) / 218), end: .error(.imageLengthMismatch, 0),
                 comment: "A valid stream of 900 bytes for a 1000-byte image."),
            dump("Required.Dump.FramesThatAreNotChunks", ["PW-IMAGE-1"], [status, badCRC] + raw,
                 steps: [.frameError(.fieldOutOfRange, 3), .frameError(.badCRC, badCRC.count - 2)] + added(5), end: .image(image),
                 comment: "A pumpStatus frame and a damaged chunk are rejected at their frame offsets; the good chunks rebuild the image."),
            dump("Required.Dump.NoChunk", ["PW-IMAGE-1"], [status], steps: [.frameError(.fieldOutOfRange, 3)], end: .empty,
                 comment: "No chunk was added: the end is empty."),
            dump("Required.Dump.ImageLengthAboveLimit", ["PW-IMAGE-4", "PW-DUMP-3"],
                 [chunk(0, of: 1, transfer: [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01], encoding: 1, imageLength: (1 << 20) + 1)],
                 steps: [.frameError(.fieldOutOfRange, 19)], end: .empty,
                 comment: "An imageLength of 1 MiB + 1 is refused by the decoder, before any buffer is made."),
            dump("Required.Dump.ResumedRun", ["PW-IMAGE-7", "PW-IMAGE-8"], chunks(resumedPiece, imageLength: 436, crc: ZlibCRC32.checksum(resumedPiece), regionOffset: 436),
                 steps: added(2), end: .image(resumedPiece),
                 comment: "The answer to a resumption request for chunks 2 and 3 (offset 436, length 436) is an image of its own."),
            dump("Required.Dump.ResumedRunWithFirstCRC", ["PW-IMAGE-8"], chunks(resumedPiece, imageLength: 436, crc: crc, regionOffset: 436),
                 steps: added(2), end: .error(.imageCRCFailed, 0),
                 comment: "A resumption answer carries its own imageCrc32, not the first image's."),
            // PW-DUMP-13: what a receiver accepts of a zlib header and of back-references.
            zlibDump("Required.Dump.ZlibReachesBeyondDeclaredWindow", ["PW-DUMP-13", "PW-DUMP-12", "PW-IMAGE-5"],
                     header(0x08, 0x1D, farBack), imageLength: 600, crc: ZlibCRC32.checksum(twice), end: .image(twice),
                     comment: "CINFO 0 declares a 256-byte window and the data refers 300 bytes back: accepted, as zlib accepts it."),
            zlibDump("Required.Dump.ZlibWindow32KiB", ["PW-DUMP-13", "PW-DUMP-12"], farBack, imageLength: 600,
                     crc: ZlibCRC32.checksum(twice), end: .image(twice), comment: "The same data under CINFO 7, the usual header: accepted."),
            zlibDump("Required.Dump.ZlibWindowAbove32KiB", ["PW-DUMP-13", "PW-DUMP-12", "PW-IMAGE-5"], header(0x88, 0x1C, farBack),
                     imageLength: 600, crc: ZlibCRC32.checksum(twice), end: .error(.inflateFailed, 0),
                     comment: "CINFO 8 (a 64 KiB window) is not allowed (RFC 1950)."),
            zlibDump("Required.Dump.ZlibNotDeflate", ["PW-DUMP-13", "PW-DUMP-12", "PW-IMAGE-5"], header(0x7F, 0x07, farBack),
                     imageLength: 600, crc: ZlibCRC32.checksum(twice), end: .error(.inflateFailed, 0),
                     comment: "Compression method 15, not deflate (FCHECK right)."),
            zlibDump("Required.Dump.ZlibHeaderCheckWrong", ["PW-DUMP-13", "PW-IMAGE-5"], header(0x78, 0x9D, farBack),
                     imageLength: 600, crc: ZlibCRC32.checksum(twice), end: .error(.inflateFailed, 0),
                     comment: "FCHECK does not make the header a multiple of 31."),
            zlibDump("Required.Dump.ZlibReferenceBeforeImage", ["PW-DUMP-13", "PW-IMAGE-5"], beforeImage, imageLength: 16,
                     end: .error(.inflateFailed, 0), comment: "A copy from 5 bytes back when 1 byte has been inflated."),
            // PW-IMAGE-5: the order of the rebuild's checks.
            zlibDump("Required.Dump.LengthLimitBeforeBadAdler", ["PW-IMAGE-5"], Array(compressed.dropLast()) + [compressed.last! ^ 1],
                     imageLength: 999, end: .error(.imageLengthMismatch, 0),
                     comment: "Inflating reaches 1000 bytes, imageLength + 1, before the wrong Adler-32 is read."),
            // PW-IMAGE-5 step 1 at its limit: imageLength exactly 1032 times the transfer is not refused.
            zlibDump("Required.Dump.RatioAtTheLimit", ["PW-IMAGE-5"], ZlibDeflate.compress(short), imageLength: 1032 * ZlibDeflate.compress(short).count,
                     crc: crc, end: .error(.imageLengthMismatch, 0),
                     comment: "\(ZlibDeflate.compress(short).count) bytes claiming exactly 1032 times as many: the ratio passes, the stream inflates to 900 bytes."),
            zlibDump("Required.Dump.RatioOneAboveTheLimit", ["PW-IMAGE-5"], ZlibDeflate.compress(short),
                     imageLength: 1032 * ZlibDeflate.compress(short).count + 1, crc: crc, end: .error(.compressionRatioExceeded, 0),
                     comment: "One byte more than 1032 times the transfer: refused before inflating."),
            zlibDump("Required.Dump.LengthLimitInsideTheByteOfBadData", ["PW-IMAGE-5"], limitInsideByte, imageLength: 4459,
                     end: .error(.imageLengthMismatch, 0),
                     comment: "The output reaches imageLength + 1 inside a match, and an invalid distance code follows in the same input "
                         + "byte: the limit is met first (an inflater limited to imageLength + 1 bytes of output never decodes it)."),
            zlibDump("Required.Dump.LengthLimitBeforeBadDistance", ["PW-IMAGE-5"], literalsThenBadDistance, imageLength: 258,
                     end: .error(.imageLengthMismatch, 0),
                     comment: "The copy makes 259 bytes, imageLength + 1; an invalid distance code follows in the next input bytes: "
                         + "the limit is met first."),
            zlibDump("Required.Dump.BadDistanceBeforeLength", ["PW-IMAGE-5"], literalsThenBadDistance, imageLength: 259,
                     end: .error(.inflateFailed, 0),
                     comment: "The same stream for an image of 259 bytes: the copy makes exactly imageLength, and the invalid distance code comes next."),
            zlibDump("Required.Dump.BadDataBeforeLength", ["PW-IMAGE-5"], beforeImage, imageLength: 4000,
                     end: .error(.inflateFailed, 0), comment: "Invalid data before any length is reached: INFLATE_FAILED."),
            zlibDump("Required.Dump.RatioBeforeBadHeader", ["PW-IMAGE-5"], header(0x88, 0x1C, tiny), imageLength: 1 << 20,
                     end: .error(.compressionRatioExceeded, 0), comment: "The ratio is checked before the stream is read: a bad header is not reached."),
            zlibDump("Required.Dump.LengthBeforeCRC", ["PW-IMAGE-5"], ZlibDeflate.compress(short), crc: crc ^ 1,
                     end: .error(.imageLengthMismatch, 0), comment: "900 bytes for a 1000-byte image whose CRC is also wrong: the length first."),
            // PW-IMAGE-2: each field of step 2, and pairs of its checks failing at once.
            mismatch("OtherRegion", other(region: 2), at: 0, case: "PW-IMAGE-2/field-each", comment: "A chunk of the alarm log among the event log's."),
            mismatch("OtherChunkCount", other(count: 6, imageLength: 1200), at: 4, case: "PW-IMAGE-2/field-each",
                     comment: "Chunk 1 of a 6-chunk transfer of 1200 bytes."),
            mismatch("OtherImageLength", other(imageLength: 999), at: 10, case: "PW-IMAGE-2/field-each",
                     comment: "Chunk 1 of a 999-byte image: five chunks too, but another image."),
            mismatch("RegionBeforeEncoding", other(region: 2, encoding: 1, count: 5), at: 0, case: "PW-IMAGE-2/order",
                     comment: "Another region and another encoding: the region, compared first."),
            mismatch("CountBeforeRegionOffset", other(count: 6, regionOffset: 20, imageLength: 1200), at: 4, case: "PW-IMAGE-2/order",
                     comment: "Another chunkCount and another regionOffset: chunkCount."),
            mismatch("RegionOffsetBeforeImageLength", other(regionOffset: 20, imageLength: 999), at: 6, case: "PW-IMAGE-2/order",
                     comment: "Another regionOffset and another imageLength: regionOffset."),
            mismatch("ImageLengthBeforeCRC", other(imageLength: 999, crc: crc ^ 1), at: 10, case: "PW-IMAGE-2/order",
                     comment: "Another imageLength and another imageCrc32: imageLength."),
            dump("Required.Dump.ImageBeforeData", ["PW-IMAGE-2"], [raw[0], raw[1], other(crc: crc ^ 1, patchData: (0, 0x01))] + raw[2...],
                 steps: [.added, .added, .payloadError(.chunkImageMismatch, 14)] + added(3), end: .image(image),
                 comment: "Chunk 1 again with another imageCrc32 and other data: step 2 before step 3.").covering("PW-IMAGE-2/order"),
        ] + sessions(zlib: zlib, bomb: bomb)
        for (name, ids) in Self.caseTags { cases.tag(name, ids) }
        return cases
    }

    /// The cases of spec/cases.txt that vectors above check.
    static let caseTags: [(String, [String])] = [
        ("Required.Dump.ChunkBeyondTotal", ["PW-IMAGE-2/beyond-total", "PW-IMAGE-2/order"]),
        ("Required.Dump.OtherImageCRC", ["PW-IMAGE-2/field-each"]),
        ("Required.Dump.OtherRegionOffset", ["PW-IMAGE-2/field-each"]),
        ("Required.Dump.OtherEncoding", ["PW-IMAGE-2/field-each", "PW-IMAGE-2/order"]),
        ("Required.Dump.ConflictingDuplicate", ["PW-IMAGE-2/data"]),
        ("Required.Dump.CompressionRatioExceeded", ["PW-IMAGE-5/ratio"]),
        ("Required.Dump.RatioAtTheLimit", ["PW-IMAGE-5/ratio-limit"]),
        ("Required.Dump.RatioOneAboveTheLimit", ["PW-IMAGE-5/ratio", "PW-IMAGE-5/ratio-limit"]),
        ("Required.Dump.DecompressionBomb", ["PW-IMAGE-5/over-length"]),
        ("Required.Dump.ZlibStreamCut", ["PW-IMAGE-5/inflate"]),
        ("Required.Dump.ZlibTrailingByte", ["PW-IMAGE-5/inflate"]),
        ("Required.Dump.ZlibBadAdler", ["PW-IMAGE-5/inflate"]),
        ("Required.Dump.ZlibInflatesShort", ["PW-IMAGE-5/short"]),
        ("Required.Dump.BadImageCRC", ["PW-IMAGE-5/crc"]),
        ("Required.Dump.LengthLimitBeforeBadAdler", ["PW-IMAGE-5/order"]),
        ("Required.Dump.BadDataBeforeLength", ["PW-IMAGE-5/order"]),
        ("Required.Dump.LengthLimitInsideTheByteOfBadData", ["PW-IMAGE-5/order"]),
        ("Required.Dump.LengthLimitBeforeBadDistance", ["PW-IMAGE-5/order"]),
        ("Required.Dump.BadDistanceBeforeLength", ["PW-IMAGE-5/order"]),
        ("Required.Dump.RatioBeforeBadHeader", ["PW-IMAGE-5/order"]),
        ("Required.Dump.LengthBeforeCRC", ["PW-IMAGE-5/order"]),
        ("Required.Dump.ZlibReachesBeyondDeclaredWindow", ["PW-DUMP-13/window"]),
        ("Required.Dump.ZlibWindowAbove32KiB", ["PW-DUMP-13/header"]),
        ("Required.Dump.ZlibNotDeflate", ["PW-DUMP-13/header"]),
        ("Required.Dump.ZlibHeaderCheckWrong", ["PW-DUMP-13/header"]),
        ("Required.Dump.ZlibReferenceBeforeImage", ["PW-DUMP-13/before-image"]),
        ("Required.Session.ZlibDumpNotAllowed", ["PW-SESSION-7/encoding-once"]),
    ]

    /// Sessions with compressed dumps (11.3 step 9, PW-DUMP-11).
    static func sessions(zlib: [[UInt8]], bomb: [UInt8]) -> [VectorCase] {
        func request(compression: Bool) -> [UInt8] {
            (try? Frame(sequence: 9, message: .memoryDumpRequest(MemoryDumpRequest(
                region: .eventLog, compressionAllowed: compression, offset: 0, length: 1000))).encoded()) ?? []
        }
        let bombChunks = chunks(bomb, encoding: 1, imageLength: 2000)
        return [
            SessionCases.session("Required.Session.ZlibDumpAllowed", ["PW-DUMP-11", "PW-SESSION-7"], [request(compression: true)] + zlib,
                                 findings: [], comment: "Compression allowed: the pump answers with a zlib transfer."),
            SessionCases.session("Required.Session.ZlibDumpNotAllowed", ["PW-DUMP-11", "PW-SESSION-7"], [request(compression: false)] + zlib,
                                 findings: [(1, .encodingNotAllowed)], comment: "A zlib answer to a request that did not allow compression."),
            SessionCases.session("Required.Session.ZlibDumpBomb", ["PW-DUMP-8", "PW-SESSION-7"], [request(compression: true)] + bombChunks,
                                 findings: [(bombChunks.count, .imageCRCMismatch)],
                                 comment: "A transfer that inflates past its imageLength fails the rebuild: IMAGE_CRC_MISMATCH at its last chunk."),
        ]
    }
}
