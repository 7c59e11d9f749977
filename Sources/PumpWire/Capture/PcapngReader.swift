/// pcapng (IETF draft-ietf-opsawg-pcapng) as spec 14.1 reads it: sections of either byte order,
/// Enhanced, Simple and obsolete Packet Blocks read; the other blocks Wireshark numbers counted;
/// the rest skipped (PW-CAP-2, PW-CAP-3).
enum PcapngReader {
    static let sectionHeader: UInt32 = 0x0A0D_0D0A
    static let interfaceDescription: UInt32 = 1
    static let obsoletePacket: UInt32 = 2
    static let simplePacket: UInt32 = 3
    static let enhancedPacket: UInt32 = 6
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    /// A Section Header Block's smallest total length: its byte-order magic, version and section length.
    static let sectionHeaderMinimum = 28
    /// Larger blocks of a kind we skip are skipped without being held in memory.
    static let largestBlockHeld = CaptureFormat.maxPacketLength + 4096

    /// PW-CAP-2: the blocks Wireshark numbers as frames though they hold no packet (Wireshark
    /// 4.0.17), each with the smallest total length Wireshark reads; a shorter one is
    /// CAPTURE_MALFORMED (Wireshark stops there too).
    static let numberedWithoutPacket: [UInt32: Int] = [
        0x0000_0009: 35,  // systemd Journal Export Block
        0x0000_0204: 36,  // Sysdig Event Block
        0x0000_0216: 40,  // Sysdig Event Block, version 2
        0x0000_0221: 40,  // Sysdig Event Block, version 2, large payload
        0x0000_0BAD: 16,  // Custom Block that may be copied
        0x4000_0BAD: 16,  // Custom Block that may not be copied
    ]

    struct Interface {
        var linkType: UInt16
        var snapLength: UInt32
    }

    static func read<Consumer: CaptureConsumer>(_ input: FileInput, into consumer: inout Consumer) {
        var order = CaptureByteOrder(isBigEndian: false)
        var interfaces: [Interface] = []
        var packetNumber = 0
        var inSection = false
        func stop(_ problem: CaptureProblem, at offset: Int) {
            consumer.problem(problem, fileOffset: offset, packet: nil, line: nil)
        }
        while true {
            consumer.progress(fileOffset: input.offset)
            let blockOffset = input.offset
            let whole = input.require(12)
            var head = input.available
            // PW-CAP-3: the file starts with a Section Header Block (its type reads the same in either byte order).
            if !inSection, !zip(head.prefix(4), [0x0A, 0x0D, 0x0D, 0x0A] as [UInt8]).allSatisfy({ $0 == $1 }) {
                return stop(.captureMalformed, at: blockOffset)
            }
            guard whole else {
                // An empty file ends inside the section header it must start with.
                if !head.isEmpty || !inSection { stop(.captureTruncated, at: blockOffset) }
                return
            }
            var type = order.u32(head, 0)
            if type == sectionHeader {
                let magic = CaptureByteOrder(isBigEndian: false).u32(head, 8)
                if magic == byteOrderMagic { order.isBigEndian = false }
                else if magic == byteOrderMagic.byteSwapped { order.isBigEndian = true }
                else { return stop(.captureMalformed, at: blockOffset) }
                type = order.u32(head, 0)
                interfaces = []
                inSection = true
            }
            let totalLength = Int(order.u32(head, 4))
            guard totalLength >= 12, totalLength % 4 == 0 else { return stop(.captureMalformed, at: blockOffset) }
            if type == sectionHeader, totalLength < sectionHeaderMinimum { return stop(.captureMalformed, at: blockOffset) }
            let isPacket = type == enhancedPacket || type == simplePacket || type == obsoletePacket
            let numberedMinimum = numberedWithoutPacket[type]
            if let numberedMinimum, totalLength < numberedMinimum { return stop(.captureMalformed, at: blockOffset) }
            if totalLength > largestBlockHeld {
                if isPacket { return stop(.captureMalformed, at: blockOffset) }  // PW-CAP-3: above 65535 bytes
                guard input.skip(totalLength) else { return stop(.captureTruncated, at: blockOffset) }
                if numberedMinimum != nil {
                    packetNumber += 1
                    consumer.record(number: packetNumber)
                }
                continue
            }
            guard input.require(totalLength) else { return stop(.captureTruncated, at: blockOffset) }
            head = input.available
            let block = UnsafeRawBufferPointer(rebasing: head[0..<totalLength])
            guard Int(order.u32(block, totalLength - 4)) == totalLength else { return stop(.captureMalformed, at: blockOffset) }
            switch type {
            case interfaceDescription:
                guard totalLength >= 20 else { return stop(.captureMalformed, at: blockOffset) }
                let interface = Interface(linkType: order.u16(block, 8), snapLength: order.u32(block, 12))
                interfaces.append(interface)
                if UInt32(interface.linkType) != CaptureFormat.linkType { stop(.linkTypeUnsupported, at: blockOffset) }
            case enhancedPacket, obsoletePacket, simplePacket:
                let interfaceID: Int, captured: Int, original: Int, dataStart: Int
                if type == simplePacket {
                    guard totalLength >= 16 else { return stop(.captureMalformed, at: blockOffset) }
                    interfaceID = 0
                    original = Int(order.u32(block, 8))
                    let snap = interfaces.first.map { $0.snapLength == 0 ? Int.max : Int($0.snapLength) } ?? Int.max
                    captured = min(original, snap)
                    dataStart = 12
                } else {
                    // The obsolete Packet Block is an Enhanced one whose interface ID is 16 bits, then 16 bits of drops count.
                    guard totalLength >= 32 else { return stop(.captureMalformed, at: blockOffset) }
                    interfaceID = Int(type == enhancedPacket ? order.u32(block, 8) : UInt32(order.u16(block, 8)))
                    captured = Int(order.u32(block, 20))
                    original = Int(order.u32(block, 24))
                    dataStart = 28
                }
                guard interfaceID < interfaces.count, captured <= totalLength - dataStart - 4,
                      captured <= CaptureFormat.maxPacketLength else { return stop(.captureMalformed, at: blockOffset) }
                packetNumber += 1
                consumer.record(number: packetNumber)
                if UInt32(interfaces[interfaceID].linkType) == CaptureFormat.linkType {
                    if captured < original { consumer.problem(.packetTruncated, fileOffset: blockOffset, packet: packetNumber, line: nil) }
                    consumer.packet(UnsafeRawBufferPointer(rebasing: block[dataStart..<(dataStart + captured)]), number: packetNumber,
                                    originalLength: original)
                }
            default:
                if numberedMinimum != nil {
                    packetNumber += 1
                    consumer.record(number: packetNumber)
                }
            }
            input.consume(totalLength)
        }
    }
}
