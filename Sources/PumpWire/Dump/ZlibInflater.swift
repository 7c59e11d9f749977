import CZlib

/// Streaming zlib inflate with a hard output limit (spec PW-IMAGE-5 step 2): input is fed in
/// pieces, and inflating stops as soon as the output would pass `imageLength`, so a
/// decompression bomb costs at most `imageLength + 1` bytes of output.
///
/// A class because zlib keeps a pointer to its `z_stream`, which therefore must not move.
public final class ZlibInflater {
    public enum State: Equatable, Sendable {
        /// The stream has not ended; give it more input.
        case needsInput
        /// The stream ended (Adler-32 checked) with exactly the output so far.
        case ended
        /// The output reached `imageLength + 1` bytes: IMAGE_LENGTH_MISMATCH.
        case overLimit
        /// Not a valid zlib stream, a preset dictionary, or bytes after its end: INFLATE_FAILED.
        case failed
    }

    private let stream: UnsafeMutablePointer<z_stream>
    /// `imageLength + 1` bytes: the extra byte is how a stream that runs long is noticed.
    private var output: [UInt8]
    private let imageLength: Int
    public private(set) var state: State = .needsInput
    public private(set) var outputCount = 0
    /// Bytes of zlib's own state, now and at most (for the benchmark's memory figures).
    public private(set) var zlibBytes = 0
    public private(set) var peakZlibBytes = 0

    public init(imageLength: Int) {
        self.imageLength = imageLength
        output = [UInt8](repeating: 0, count: imageLength + 1)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        stream.pointee.zalloc = { opaque, items, size in
            let inflater = Unmanaged<ZlibInflater>.fromOpaque(opaque!).takeUnretainedValue()
            return inflater.allocate(Int(items) * Int(size))
        }
        stream.pointee.zfree = { opaque, address in
            Unmanaged<ZlibInflater>.fromOpaque(opaque!).takeUnretainedValue().free(address)
        }
        stream.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
        // windowBits 15: a zlib header, a window of at most 32 KiB (PW-DUMP-12).
        if inflateInit_(stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) != Z_OK { state = .failed }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates `input`; afterwards `state` says whether more is wanted.
    public func feed(_ input: UnsafeRawBufferPointer) {
        guard !input.isEmpty else { return }
        guard state == .needsInput else {
            if state == .ended { state = .failed }  // bytes after the stream's end
            return
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        output.withUnsafeMutableBufferPointer { out in
            while state == .needsInput, stream.pointee.avail_in > 0 {
                stream.pointee.next_out = out.baseAddress! + outputCount
                stream.pointee.avail_out = uInt(out.count - outputCount)
                let before = Int(stream.pointee.avail_out)
                let status = inflate(stream, Z_NO_FLUSH)
                outputCount += before - Int(stream.pointee.avail_out)
                if outputCount > imageLength {
                    state = .overLimit
                } else if status == Z_STREAM_END {
                    state = stream.pointee.avail_in == 0 ? .ended : .failed  // PW-DUMP-12: nothing after the Adler-32
                } else if status != Z_OK {
                    state = .failed  // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR; Z_BUF_ERROR cannot happen with input and room
                }
            }
        }
        stream.pointee.next_in = nil
    }

    /// The image, once the stream has ended with exactly `imageLength` bytes; the output buffer is
    /// handed over without a copy, so call it once.
    public func takeImage() -> [UInt8]? {
        guard state == .ended, outputCount == imageLength, output.count == imageLength + 1 else { return nil }
        var image: [UInt8] = []
        swap(&image, &output)
        image.removeLast()  // the byte that catches a stream running long
        return image
    }

    /// The bytes inflated so far, whatever the state (for resumption, spec 13.3).
    public var inflatedPrefix: ArraySlice<UInt8> { output[0..<min(outputCount, imageLength)] }

    private func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        // A header before each block remembers its size for `free`.
        let header = 16  // keeps zlib's blocks 16-byte aligned
        let block = UnsafeMutableRawPointer.allocate(byteCount: byteCount + header, alignment: 16)
        block.storeBytes(of: byteCount, as: Int.self)
        zlibBytes += byteCount
        peakZlibBytes = max(peakZlibBytes, zlibBytes)
        return block + header
    }

    private func free(_ address: UnsafeMutableRawPointer?) {
        guard let address else { return }
        let block = address - 16
        zlibBytes -= block.load(as: Int.self)
        block.deallocate()
    }
}
