/// pcapng (IETF draft-ietf-opsawg-pcapng) as spec 14.1 reads it: sections of either byte order,
/// Enhanced and Simple Packet Blocks, other blocks skipped (PW-CAP-2, PW-CAP-3).
enum PcapngReader {
    static let sectionHeader: UInt32 = 0x0A0D_0D0A
    static let interfaceDescription: UInt32 = 1
    static let simplePacket: UInt32 = 3
    static let enhancedPacket: UInt32 = 6
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    /// Larger blocks of a kind we skip are skipped without being held in memory.
    static let largestBlockHeld = CaptureFormat.maxPacketLength + 4096

    struct Interface {
        var linkType: UInt16
        var snapLength: UInt32
    }

    static func read<Consumer: CaptureConsumer>(_ input: FileInput, into consumer: inout Consumer) {
        var order = CaptureByteOrder(isBigEndian: false)
        var interfaces: [Interface] = []
        var packetNumber = 0
        func stop(_ problem: CaptureProblem, at offset: Int) {
            consumer.problem(problem, fileOffset: offset, packet: nil, line: nil)
        }
        while true {
            consumer.progress(fileOffset: input.offset)
            let blockOffset = input.offset
            guard input.require(12) else {
                if !input.available.isEmpty { stop(.captureTruncated, at: blockOffset) }
                return
            }
            var head = input.available
            var type = order.u32(head, 0)
            if type == sectionHeader {  // the same in either byte order
                let magic = CaptureByteOrder(isBigEndian: false).u32(head, 8)
                if magic == byteOrderMagic { order.isBigEndian = false }
                else if magic == byteOrderMagic.byteSwapped { order.isBigEndian = true }
                else { return stop(.captureMalformed, at: blockOffset) }
                type = order.u32(head, 0)
                interfaces = []
            }
            let totalLength = Int(order.u32(head, 4))
            guard totalLength >= 12, totalLength % 4 == 0 else { return stop(.captureMalformed, at: blockOffset) }
            let isPacket = type == enhancedPacket || type == simplePacket
            if totalLength > largestBlockHeld {
                if isPacket { return stop(.captureMalformed, at: blockOffset) }  // PW-CAP-3: above 65535 bytes
                guard input.skip(totalLength) else { return stop(.captureTruncated, at: blockOffset) }
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
            case enhancedPacket, simplePacket:
                packetNumber += 1
                let interfaceID: Int, captured: Int, original: Int, dataStart: Int
                if type == enhancedPacket {
                    guard totalLength >= 32 else { return stop(.captureMalformed, at: blockOffset) }
                    interfaceID = Int(order.u32(block, 8))
                    captured = Int(order.u32(block, 20))
                    original = Int(order.u32(block, 24))
                    dataStart = 28
                } else {
                    guard totalLength >= 16 else { return stop(.captureMalformed, at: blockOffset) }
                    interfaceID = 0
                    original = Int(order.u32(block, 8))
                    let snap = interfaces.first.map { $0.snapLength == 0 ? Int.max : Int($0.snapLength) } ?? Int.max
                    captured = min(original, snap, totalLength - 16)
                    dataStart = 12
                }
                guard interfaceID < interfaces.count, captured <= totalLength - dataStart - 4,
                      captured <= CaptureFormat.maxPacketLength else { return stop(.captureMalformed, at: blockOffset) }
                if UInt32(interfaces[interfaceID].linkType) == CaptureFormat.linkType {
                    if captured < original { consumer.problem(.packetTruncated, fileOffset: blockOffset, packet: packetNumber, line: nil) }
                    consumer.packet(UnsafeRawBufferPointer(rebasing: block[dataStart..<(dataStart + captured)]), number: packetNumber)
                }
            default:
                break
            }
            input.consume(totalLength)
        }
    }
}
