import PumpWireCore

/// Writes frames as a capture file of spec 14.1: pcapng with one interface of link type 147, or
/// classic pcap; one frame a packet, in the order sent, with the direction as the programmer
/// sees it (PW-CAP-1).
public struct CaptureWriter {
    public enum Format: String, CaseIterable, Sendable { case pcapng, pcap }

    public let format: Format
    public private(set) var bytes: [UInt8] = []
    private var packets = 0

    /// `comment` goes into the pcapng section header (`shb_comment`), e.g. where the frames came from.
    public init(format: Format = .pcapng, comment: String? = nil, application: String = "pumpwire") {
        self.format = format
        switch format {
        case .pcapng:
            var options: [UInt8] = []
            if let comment { options += Self.option(1, Array(comment.utf8)) }
            options += Self.option(4, Array(application.utf8))  // shb_userappl
            options += [0, 0, 0, 0]
            bytes += Self.block(0x0A0D_0D0A, Self.le(0x1A2B_3C4D, 4) + Self.le(1, 2) + Self.le(0, 2)
                + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + options)
            let interfaceOptions = Self.option(2, Array("pumpwire telemetry".utf8)) + [0, 0, 0, 0]  // if_name
            bytes += Self.block(1, Self.le(UInt64(CaptureFormat.linkType), 2) + Self.le(0, 2)
                + Self.le(UInt64(CaptureFormat.maxPacketLength), 4) + interfaceOptions)
        case .pcap:
            bytes += Self.le(0xA1B2_C3D4, 4) + Self.le(2, 2) + Self.le(4, 2) + Self.le(0, 4) + Self.le(0, 4)
                + Self.le(UInt64(CaptureFormat.maxPacketLength), 4) + Self.le(UInt64(CaptureFormat.linkType), 4)
        }
    }

    /// Adds one packet. `microseconds` counts from the Unix epoch; the direction of a frame of a
    /// registered type follows from the registry unless given. `originalLength`, when larger than
    /// the data, records that a snap length cut the packet.
    /// `comment` (pcapng only) goes into the block's `opt_comment`: a decrypted capture marks its
    /// opened frames there (spec/security.md PW-KEYLOG-5).
    public mutating func add(_ data: [UInt8], microseconds: UInt64, outbound: Bool? = nil, originalLength: Int? = nil, comment: String? = nil) {
        packets += 1
        let original = UInt64(max(originalLength ?? data.count, data.count))
        switch format {
        case .pcapng:
            var body = Self.le(0, 4) + Self.le(microseconds >> 32, 4) + Self.le(microseconds & 0xFFFF_FFFF, 4)
                + Self.le(UInt64(data.count), 4) + Self.le(original, 4) + data
            body += [UInt8](repeating: 0, count: (4 - data.count % 4) % 4)
            var options: [UInt8] = []
            if let comment { options += Self.option(1, Array(comment.utf8)) }  // opt_comment
            if let outbound = outbound ?? Self.isOutbound(data) {
                options += Self.option(2, Self.le(outbound ? 2 : 1, 4))  // epb_flags direction
            }
            if !options.isEmpty { body += options + [0, 0, 0, 0] }
            bytes += Self.block(6, body)
        case .pcap:
            bytes += Self.le(microseconds / 1_000_000, 4) + Self.le(microseconds % 1_000_000, 4)
                + Self.le(UInt64(data.count), 4) + Self.le(original, 4) + data
        }
    }

    /// Hands over the bytes written so far and forgets them: a writer streaming to a file holds
    /// one packet at a time.
    public mutating func takeBytes() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    /// P→I frames are outbound from the programmer; nil when the type is not in the registry.
    static func isOutbound(_ frame: [UInt8]) -> Bool? {
        guard frame.count > 3, let descriptor = MessageRegistry.descriptor(for: frame[3]) else { return nil }
        return descriptor.direction == .programmerToPump
    }

    static func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
        let total = UInt64(12 + body.count)
        return le(UInt64(type), 4) + le(total, 4) + body + le(total, 4)
    }

    static func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] {
        le(UInt64(code), 2) + le(UInt64(value.count), 2) + value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
    }

    static func le(_ value: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

extension CaptureWriter {
    /// 2026-11-21 09:00:00 UTC: the clock of captures made from vectors, so that they are the same
    /// byte for byte each time they are made.
    public static let vectorEpochMicroseconds: UInt64 = 1_795_251_600_000_000

    /// A capture of `packets` in order, 50 ms apart from the vector epoch.
    public static func capture(of packets: [[UInt8]], format: Format = .pcapng, comment: String? = nil) -> [UInt8] {
        var writer = CaptureWriter(format: format, comment: comment)
        for (index, packet) in packets.enumerated() {
            writer.add(packet, microseconds: vectorEpochMicroseconds + UInt64(index) * 50_000)
        }
        return writer.bytes
    }
}
