/// Classic pcap as spec 14.1 reads it: microsecond, nanosecond or modified-pcap magic, either byte
/// order, one link type for the whole file (PW-CAP-2, PW-CAP-3).
enum PcapReader {
    static let headerSize = 24

    /// What the magic says: the record header's size and the time stamp's fraction.
    struct Layout {
        var recordHeaderSize: Int
        var fractionsPerSecond: Int
        /// Variants that write the same magic with other record headers, which are not read (PW-CAP-3).
        var sameMagicVariants: [Int]
    }

    /// PW-CAP-2: a1b2c3d4 (microseconds), a1b23c4d (nanoseconds), a1b2cd34 (modified pcap, whose
    /// record header adds an interface index, a protocol, a packet type and a byte of padding).
    /// a1b2c3d4 is also written by Nokia's (20-byte record headers) and Red Hat 6.1's (24) pcap,
    /// a1b2cd34 by SuSE 6.3's (28).
    static func layout(magic: UInt32) -> Layout? {
        switch magic {
        case 0xA1B2_C3D4: Layout(recordHeaderSize: 16, fractionsPerSecond: 1_000_000, sameMagicVariants: [20, 24])
        case 0xA1B2_3C4D: Layout(recordHeaderSize: 16, fractionsPerSecond: 1_000_000_000, sameMagicVariants: [])
        case 0xA1B2_CD34: Layout(recordHeaderSize: 24, fractionsPerSecond: 1_000_000, sameMagicVariants: [28])
        default: nil
        }
    }

    /// How many records tell a variant that shares the magic (PW-CAP-3), as Wireshark tries them.
    static let recordsTried = 3

    static func read<Consumer: CaptureConsumer>(_ input: FileInput, into consumer: inout Consumer) {
        func stop(_ problem: CaptureProblem, at offset: Int) {
            consumer.problem(problem, fileOffset: offset, packet: nil, line: nil)
        }
        guard input.require(headerSize) else { return stop(.captureTruncated, at: 0) }
        let header = input.available
        let written = CaptureByteOrder(isBigEndian: false).u32(header, 0)
        let order = CaptureByteOrder(isBigEndian: layout(magic: written) == nil)
        guard let layout = layout(magic: order.u32(header, 0)), order.u16(header, 4) == 2 else {
            return stop(.captureMalformed, at: 0)
        }
        let isPumpWire = order.u32(header, 20) & 0xFFFF == CaptureFormat.linkType
        // PW-CAP-3: records that make sense only with another variant's headers are not misread.
        if !layout.sameMagicVariants.isEmpty {
            _ = input.require(headerSize + recordsTried * (28 + CaptureFormat.maxPacketLength))
            let head = input.available
            let fits = { (size: Int) in recordsFit(head, recordHeaderSize: size, fractionsPerSecond: layout.fractionsPerSecond, order: order) }
            if !fits(layout.recordHeaderSize), layout.sameMagicVariants.contains(where: fits) { return stop(.captureMalformed, at: 0) }
        }
        if !isPumpWire { stop(.linkTypeUnsupported, at: 0) }
        input.consume(headerSize)
        let recordHeaderSize = layout.recordHeaderSize
        var packetNumber = 0
        while true {
            consumer.progress(fileOffset: input.offset)
            let recordOffset = input.offset
            guard input.require(recordHeaderSize) else {
                if !input.available.isEmpty { stop(.captureTruncated, at: recordOffset) }
                return
            }
            let captured = Int(order.u32(input.available, 8))
            let original = Int(order.u32(input.available, 12))
            guard captured <= CaptureFormat.maxPacketLength else { return stop(.captureMalformed, at: recordOffset) }
            guard input.require(recordHeaderSize + captured) else { return stop(.captureTruncated, at: recordOffset) }
            packetNumber += 1
            consumer.record(number: packetNumber)
            if isPumpWire {
                if captured < original { consumer.problem(.packetTruncated, fileOffset: recordOffset, packet: packetNumber, line: nil) }
                let data = UnsafeRawBufferPointer(rebasing: input.available[recordHeaderSize..<(recordHeaderSize + captured)])
                consumer.packet(data, number: packetNumber, originalLength: original)
            }
            input.consume(recordHeaderSize + captured)
        }
    }

    /// The first records after the file header (up to `recordsTried`), read with record headers of
    /// `recordHeaderSize` bytes, keep their format: a time fraction below one second, a captured
    /// length of at most 65535 and at most the original length, and the file ending at a record's end.
    static func recordsFit(_ file: UnsafeRawBufferPointer, recordHeaderSize: Int, fractionsPerSecond: Int, order: CaptureByteOrder) -> Bool {
        var at = headerSize
        for _ in 0..<recordsTried {
            if at == file.count { return true }
            guard file.count - at >= recordHeaderSize else { return false }
            let fraction = Int(order.u32(file, at + 4)), captured = Int(order.u32(file, at + 8)), original = Int(order.u32(file, at + 12))
            guard fraction < fractionsPerSecond, captured <= CaptureFormat.maxPacketLength, captured <= original,
                  file.count - at - recordHeaderSize >= captured else { return false }
            at += recordHeaderSize + captured
        }
        return true
    }
}
