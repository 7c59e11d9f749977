/// Reads a capture of any form and size, handing its packets or stream windows to a consumer
/// (spec section 14). Memory stays bounded: one buffer of the file, one packet.
public enum CaptureReader {
    /// Tells the form from the file's first bytes (PW-CAP-4), without consuming them; an input
    /// that `sniffFormat` refuses is a raw stream here.
    public static func detectFormat(of input: FileInput) -> CaptureFormat {
        sniffFormat(of: input).format ?? .raw
    }

    /// Tells the form from the file's first bytes (PW-CAP-4), or why it is not read, without
    /// consuming them.
    public static func sniffFormat(of input: FileInput) -> CaptureSniff {
        _ = input.require(CaptureFormat.sniffLength)
        let isWhole = input.reachedEnd && input.available.count <= CaptureFormat.sniffLength
        return CaptureFormat.sniff(input.available, isWhole: isWhole)
    }

    public static func read<Consumer: CaptureConsumer>(_ input: FileInput, as format: CaptureFormat, into consumer: inout Consumer) {
        switch format {
        case .pcapng: PcapngReader.read(input, into: &consumer)
        case .pcap: PcapReader.read(input, into: &consumer)
        case .hex: readHexLog(input, into: &consumer)
        case .hexDump: readHexDump(input, into: &consumer)
        case .raw: readRawStream(input, into: &consumer)
        }
        consumer.progress(fileOffset: input.offset)
    }

    /// A raw stream: the file's bytes are the stream, read window by window.
    static func readRawStream<Consumer: CaptureConsumer>(_ input: FileInput, into consumer: inout Consumer) {
        while true {
            input.fill()
            let isFinal = input.reachedEnd
            let consumed = consumer.stream(input.available, at: input.offset, isFinal: isFinal)
            input.consume(consumed)
            consumer.progress(fileOffset: input.offset)
            if isFinal { return }
        }
    }

    /// A hex log: its lines decoded into a stream, passed on a window at a time (14.2).
    static func readHexLog<Consumer: CaptureConsumer>(_ input: FileInput, into consumer: inout Consumer) {
        skipByteOrderMark(input)
        var decoder = HexLogDecoder()
        var stream: [UInt8] = []
        stream.reserveCapacity(FileInput.bufferSize + FileInput.bufferSize / 2)
        var streamBase = 0
        while true {
            let more = input.available.isEmpty ? input.fill() : true
            if more {
                decoder.decode(
                    input.available, into: &stream, outputBase: streamBase,
                    lineBegins: { consumer.line($0, beginsAt: $1) },
                    fault: { consumer.problem(.captureMalformed, fileOffset: nil, packet: nil, line: $0) })
                input.consume(input.available.count)
            } else {
                decoder.finish { consumer.problem(.captureMalformed, fileOffset: nil, packet: nil, line: $0) }
            }
            guard !more || stream.count >= FileInput.bufferSize else { continue }
            let consumed = stream.withUnsafeBytes { consumer.stream($0, at: streamBase, isFinal: !more) }
            stream.removeFirst(consumed)
            streamBase += consumed
            consumer.progress(fileOffset: input.offset)
            if !more { return }
        }
    }
}

extension CaptureReader {
    /// A UTF-8 byte-order mark at the start of a hex log or hex dump is not text (14.2).
    static func skipByteOrderMark(_ input: FileInput) {
        guard input.offset == 0, input.require(3) else { return }
        if CaptureFormat.textStart(input.available) == 3 { input.consume(3) }
    }

    /// A hex dump with offsets: its lines decoded into a stream, passed on a window at a time (14.2).
    static func readHexDump<Consumer: CaptureConsumer>(_ input: FileInput, into consumer: inout Consumer) {
        skipByteOrderMark(input)
        var decoder = HexDumpDecoder()
        var stream: [UInt8] = []
        let limit = FileInput.bufferSize
        stream.reserveCapacity(limit + limit / 2)
        var streamBase = 0
        while true {
            var more = input.available.isEmpty && !decoder.isRepeating ? input.fill() : true
            if more {
                let read = decoder.decode(
                    input.available, into: &stream, outputBase: streamBase, limit: limit,
                    lineBegins: { consumer.line($0, beginsAt: $1) },
                    fault: { consumer.problem(.captureMalformed, fileOffset: nil, packet: nil, line: $0) })
                input.consume(read)
            } else {
                decoder.finish(
                    into: &stream, outputBase: streamBase, limit: limit, lineBegins: { consumer.line($0, beginsAt: $1) },
                    fault: { consumer.problem(.captureMalformed, fileOffset: nil, packet: nil, line: $0) })
                more = decoder.isRepeating  // the last line's `*` goes on: the stream is not at its end
            }
            guard !more || stream.count >= limit else { continue }
            let consumed = stream.withUnsafeBytes { consumer.stream($0, at: streamBase, isFinal: !more) }
            stream.removeFirst(consumed)
            streamBase += consumed
            consumer.progress(fileOffset: input.offset)
            if !more { return }
        }
    }
}

/// Little- or big-endian integers of a capture file's own byte order.
struct CaptureByteOrder {
    var isBigEndian: Bool

    func u16(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
        let value = UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
        return isBigEndian ? value.byteSwapped : value
    }

    func u32(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        let value = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        return isBigEndian ? value.byteSwapped : value
    }
}
