/// Classic pcap as spec 14.1 reads it: microsecond or nanosecond magic, either byte order,
/// one link type for the whole file (PW-CAP-2, PW-CAP-3).
enum PcapReader {
    static let headerSize = 24
    static let recordHeaderSize = 16

    static func read<Consumer: CaptureConsumer>(_ input: FileInput, into consumer: inout Consumer) {
        func stop(_ problem: CaptureProblem, at offset: Int) {
            consumer.problem(problem, fileOffset: offset, packet: nil, line: nil)
        }
        guard input.require(headerSize) else { return stop(.captureTruncated, at: 0) }
        let header = input.available
        // The magic a1b2c3d4 or a1b23c4d, written in the file's byte order.
        let order = CaptureByteOrder(isBigEndian: header[0] == 0xA1)
        guard order.u16(header, 4) == 2 else { return stop(.captureMalformed, at: 0) }
        let isPumpWire = order.u32(header, 20) & 0xFFFF == CaptureFormat.linkType
        if !isPumpWire { stop(.linkTypeUnsupported, at: 0) }
        input.consume(headerSize)
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
            if isPumpWire {
                if captured < original { consumer.problem(.packetTruncated, fileOffset: recordOffset, packet: packetNumber, line: nil) }
                let data = UnsafeRawBufferPointer(rebasing: input.available[recordHeaderSize..<(recordHeaderSize + captured)])
                consumer.packet(data, number: packetNumber)
            }
            input.consume(recordHeaderSize + captured)
        }
    }
}
