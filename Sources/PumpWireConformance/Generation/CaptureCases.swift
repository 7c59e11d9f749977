import PumpWire
import PumpWireCore

/// Captures (spec section 14): session vectors written as pcapng, pcap, hex logs and raw streams,
/// whole and damaged, with the findings a validator must report, declared here by hand. The
/// files are built by this file's own pcapng and pcap writer, not the library's, and are also
/// committed under vectors/captures/ for Wireshark users.
enum CaptureCases {
    /// A capture file and its vector.
    struct Capture {
        var file: String
        var bytes: [UInt8]
        var vector: VectorCase

        func covering(_ cases: String...) -> Capture {
            Capture(file: file, bytes: bytes, vector: vector.covering(cases))
        }
    }

    /// An expected finding: its code and place, and its offset for codes 1 to 61.
    static func finding(
        _ code: UInt16, packet: Int? = nil, stream: Int? = nil, line: Int? = nil, file: Int? = nil, offset: Int? = nil,
        payload: Bool = false
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("code", V.int(code)), ("name", .string(ValidationText.name(of: code)))]
        if let packet { members.append(("packet", V.int(packet))) }
        if let stream { members.append(("streamOffset", V.int(stream))) }
        if let line { members.append(("line", V.int(line))) }
        if let file { members.append(("fileOffset", V.int(file))) }
        if let offset { members += [("offset", V.int(offset)), ("offsetFrom", .string(payload ? "payload" : "frame"))] }
        return .object(members)
    }

    static func capture(
        _ name: String, _ requirements: [String], file: String, format: CaptureFormat, detectedAs: CaptureFormat? = nil,
        _ bytes: [UInt8], frames: Int, findings: [JSONValue], comment: String
    ) -> Capture {
        // A hex log or raw stream is also written as a capture, which must keep its findings (PW-CAP-6).
        let requirements = format == .hex || format == .raw ? requirements + ["PW-CAP-6"] : requirements
        return Capture(file: file, bytes: bytes, vector: VectorCase(name, requirements: requirements, kind: "capture", comment: comment, body: [
            ("file", .string("captures/" + file)), ("format", .string(format.rawValue)),
            ("detectedAs", .string((detectedAs ?? format).rawValue)), ("input", V.hex(bytes)),
            ("result", .string(findings.isEmpty ? "valid" : "invalid")), ("frames", V.int(frames)), ("findings", .array(findings)),
        ]))
    }

    static func captures(sessions: [VectorCase]) -> [Capture] {
        func frames(_ name: String) -> [[UInt8]] {
            let vector = sessions.first { $0.name == name }
            let inputs = vector?.body.first { $0.0 == "inputs" }?.1.arrayValue ?? []
            return inputs.compactMap { $0.stringValue.flatMap { try? Hex.decode($0) } }
        }
        let full = frames("Required.Session.Complete")
        let complete = Pcapng.capture(full, comment: "PumpWire vector Required.Session.Complete")

        // The pump stored another prescription: its acknowledgement and status carry that one's digest.
        let rxFrame = full[2]
        var storedPayload = Array(rxFrame[9..<(rxFrame.count - 2)])
        storedPayload[storedPayload.count - 1] ^= 0x01  // the last step's dose rate, one unit off
        let storedDigest = V.le(UInt64(ZlibCRC32.checksum(storedPayload)), 4)
        let sentDigest = V.le(UInt64(ZlibCRC32.checksum(Array(rxFrame[9..<(rxFrame.count - 2)]))), 4)
        var stored = full
        for index in [3, 7] {  // the acknowledgement's digest, the later status's prescriptionDigest
            let at = (0...(full[index].count - 4)).first { Array(full[index][$0..<($0 + 4)]) == sentDigest } ?? 0
            stored[index] = reframe(full[index], patching: at, with: storedDigest)
        }

        // Corrupted on the air: the pump drops the frame and the programmer sends it again.
        var corrupted = rxFrame
        corrupted[20] ^= 0x10
        let resent = Array(full[0..<2]) + [corrupted] + Array(full[2...])

        // Noise: before a frame, a packet of its own, after a frame.
        let noise: [UInt8] = [0x00, 0x55, 0xAA, 0xA5]
        var noisy = full
        noisy[2] = noise + full[2]
        noisy.insert([0xFF, 0xFF, 0x7E, 0x00, 0x13], at: 4)
        noisy[8] = full[7] + [0x00, 0x00]
        let noisyStream = noisy.flatMap { $0 }
        let offsetOf = { (packet: Int) in noisy[0..<(packet - 1)].reduce(0) { $0 + $1.count } }

        // A hex log: a frame a line after a comment line, one line broken.
        var hexLines = ["# PumpWire session: interrogate, program, refill, dump"]
        for frame in full { hexLines.append(Hex.encode(frame, separator: " ")) }
        hexLines.insert("00 11 zz", at: 5)  // line 6
        let hexLog = Array((hexLines.joined(separator: "\n") + "\n").utf8)
        let hexStream = full.flatMap { $0 }
        let hexOffset = full[0..<4].reduce(0) { $0 + $1.count }  // the broken line keeps 00 11, before its fault

        // Truncated: the file ends inside the block of packet 10.
        let blocks = Pcapng.blockOffsets(complete)
        let cut = Array(complete[0..<(blocks[11] + 20)])  // blocks: section, interface, packets 1...

        // Problems of the file: another link type, a snap length, a broken block.
        let problems = Pcapng.problemCapture(interrogation: full[0], status: full[1])

        // Blocks Wireshark numbers without a packet, and blocks it does not number, before the
        // corrupted prescription: it is packet 6 (PW-CAP-2).
        let numberedBlocks = Pcapng.section(comment: "Custom Blocks between packets") + Pcapng.interface()
            + Pcapng.packet(resent[0], index: 0) + Pcapng.packet(resent[1], index: 1)
            + Pcapng.customBlock(copiable: true) + Pcapng.decryptionSecrets() + Pcapng.journalEntry() + Pcapng.customBlock(copiable: false)
            + Pcapng.interfaceStatistics() + Pcapng.nameResolution()
            + resent[2...].enumerated().flatMap { Pcapng.packet($1, index: $0 + 2) }

        // The obsolete Packet Block: packets 2 and 3 (the corrupted prescription), with a drops count.
        let obsolete = Pcapng.section(comment: "Obsolete Packet Blocks") + Pcapng.interface()
            + resent.enumerated().flatMap { index, data in
                (1...2).contains(index) ? Pcapng.obsoletePacket(data, index: index, drops: 3) : Pcapng.packet(data, index: index)
            }

        return [
            capture("Required.Capture.Session", ["PW-CAP-1", "PW-CAP-2", "PW-CAP-3", "PW-CAP-4", "PW-CAP-5"], file: "session-complete.pcapng",
                    format: .pcapng, complete, frames: full.count, findings: [],
                    comment: "A whole session, a frame a packet: interrogate, program, refill, dump. Nothing to find."),
            capture("Required.Capture.SessionPcap", ["PW-CAP-2", "PW-CAP-4"], file: "session-complete.pcap", format: .pcap,
                    Pcap.capture(full), frames: full.count, findings: [], comment: "The same session as classic pcap.")
                .covering("PW-CAP-2/pcap-variants"),
            capture("Required.Capture.SessionPcapBigEndian", ["PW-CAP-2", "PW-CAP-4"], file: "session-complete-big-endian.pcap", format: .pcap,
                    Pcap.capture(full, bigEndian: true), frames: full.count, findings: [],
                    comment: "Classic pcap written big-endian (magic a1 b2 c3 d4).").covering("PW-CAP-2/pcap-variants"),
            capture("Required.Capture.SessionPcapNanoseconds", ["PW-CAP-2", "PW-CAP-4"], file: "session-complete-nanoseconds.pcap", format: .pcap,
                    Pcap.capture(full, nanoseconds: true), frames: full.count, findings: [],
                    comment: "Classic pcap with nanosecond time stamps (magic 4d 3c b2 a1).").covering("PW-CAP-2/pcap-variants"),
            capture("Required.Capture.SessionPcapBigEndianNanoseconds", ["PW-CAP-2", "PW-CAP-4"],
                    file: "session-complete-big-endian-nanoseconds.pcap", format: .pcap, Pcap.capture(full, bigEndian: true, nanoseconds: true),
                    frames: full.count, findings: [], comment: "Big-endian, nanoseconds (magic a1 b2 3c 4d).").covering("PW-CAP-2/pcap-variants"),
            capture("Required.Capture.PcapOfAnotherLinkType", ["PW-CAP-3"], file: "other-link-type.pcap", format: .pcap,
                    Pcap.capture(Array(full.prefix(2)), linkType: 1), frames: 0, findings: [finding(83, file: 0)],
                    comment: "A classic pcap of Ethernet (link type 1): LINK_TYPE_UNSUPPORTED at the file header, and its packets are not read.")
                .covering("PW-CAP-3/link-type"),
            capture("Required.Capture.SessionHexLog", ["PW-CAP-4", "PW-CAP-5"], file: "session-complete.hex", format: .hex,
                    Array((["# PumpWire session: interrogate, program, refill, dump"] + full.map { Hex.encode($0, separator: " ") })
                        .joined(separator: "\n").utf8) + [0x0A],
                    frames: full.count, findings: [], comment: "The same session as a hex log, a frame a line."),
            capture("Required.Capture.SessionRawStream", ["PW-CAP-4"], file: "session-complete.bin", format: .raw, hexStream,
                    frames: full.count, findings: [], comment: "The same session as a raw byte stream."),
            capture("Required.Capture.FragmentedPrescription", ["PW-CAP-2"], file: "fragmented-prescription.pcapng", format: .pcapng,
                    Pcapng.capture(frames("Required.Session.FragmentedPrescription"), comment: "PumpWire vector Required.Session.FragmentedPrescription"), frames: 3, findings: [],
                    comment: "Fragments in packets of their own are reassembled across packets."),
            capture("Required.Capture.ZlibDump", ["PW-CAP-2"], file: "zlib-dump.pcapng", format: .pcapng,
                    Pcapng.capture(frames("Required.Session.ZlibDumpAllowed"), comment: "PumpWire vector Required.Session.ZlibDumpAllowed"), frames: frames("Required.Session.ZlibDumpAllowed").count,
                    findings: [], comment: "A compressed memory dump, rebuilt and checked."),
            capture("Required.Capture.StoredOtherPrescription", ["PW-CAP-5", "PW-SESSION-4"], file: "stored-other-prescription.pcapng",
                    format: .pcapng, Pcapng.capture(stored, comment: "The pump stored another prescription"), frames: full.count,
                    findings: [finding(69, packet: 4, stream: 0)],
                    comment: "The pump stored a prescription one unit off: its acknowledgement's digest is not the digest of what was sent."),
            capture("Required.Capture.CorruptedFrame", ["PW-CAP-5", "PW-FRAME-6"], file: "corrupted-frame.pcapng", format: .pcapng,
                    Pcapng.capture(resent, comment: "A frame corrupted on the air, then sent again"), frames: full.count,
                    findings: [finding(7, packet: 3, stream: 0, offset: rxFrame.count - 2)],
                    comment: "The prescription corrupted on the air: the pump drops it, the programmer sends it again."),
            capture("Required.Capture.GarbageBetweenFrames", ["PW-CAP-1", "PW-CAP-2", "PW-CAP-5", "PW-FRAME-11"], file: "garbage-between-frames.pcapng",
                    format: .pcapng, Pcapng.capture(noisy, comment: "Noise between frames"), frames: full.count,
                    findings: [finding(2, packet: 3, stream: 0, offset: 0), finding(2, packet: 5, stream: 0, offset: 0),
                               finding(2, packet: 9, stream: full[7].count, offset: 0)],
                    comment: "Noise before a frame, a packet of noise alone, noise after a frame: each run one BAD_SYNC."),
            capture("Required.Capture.GarbageInRawStream", ["PW-CAP-5", "PW-FRAME-11"], file: "garbage-between-frames.bin", format: .raw,
                    noisyStream, frames: full.count,
                    findings: [finding(2, stream: offsetOf(3), offset: 0), finding(2, stream: offsetOf(5), offset: 0),
                               finding(2, stream: offsetOf(9) + full[7].count, offset: 0)],
                    comment: "The same bytes as one raw stream: places are stream offsets."),
            capture("Required.Capture.BrokenHexLine", ["PW-CAP-4", "PW-CAP-5"], file: "broken-line.hex", format: .hex, detectedAs: .raw, hexLog,
                    frames: full.count,
                    findings: [finding(81, line: 6), finding(2, stream: hexOffset, line: 6, offset: 0)],
                    comment: "A line that is not hex: CAPTURE_MALFORMED; the bytes before its fault are noise in the stream. "
                        + "Its first 4096 bytes are not all hex-log text, so it is read as hex only when told (PW-CAP-4)."),
            capture("Required.Capture.TruncatedFile", ["PW-CAP-3", "PW-SESSION-8"], file: "truncated-file.pcapng", format: .pcapng,
                    cut, frames: 9, findings: [finding(80, file: blocks[11]), finding(72, packet: 9, stream: 0)],
                    comment: "The file ends inside packet 10: the refill before it has no answer in the capture."),
            capture("Required.Capture.FileProblems", ["PW-CAP-3", "PW-FRAME-2", "PW-SESSION-8"], file: "file-problems.pcapng",
                    format: .pcapng, problems.bytes, frames: 1,
                    findings: [finding(83, file: problems.ethernetInterface), finding(82, packet: 3),
                               finding(1, packet: 3, stream: 0, offset: 20), finding(81, file: problems.brokenBlock),
                               finding(72, packet: 1, stream: 0)],
                    comment: "An Ethernet interface beside ours, a status cut by the snap length, then a block whose lengths differ.")
                .covering("PW-CAP-3/link-type"),
            capture("Required.Capture.CustomBlocksNumbered", ["PW-CAP-2", "PW-CAP-5"], file: "custom-blocks.pcapng", format: .pcapng,
                    numberedBlocks, frames: full.count, findings: [finding(7, packet: 6, stream: 0, offset: rxFrame.count - 2)],
                    comment: "Two Custom Blocks (0x00000BAD, 0x40000BAD) and a systemd Journal Export Block between packets 2 and "
                        + "the corrupted prescription, which Wireshark numbers, with a Decryption Secrets, an Interface Statistics and a "
                        + "Name Resolution Block, which it does not: the prescription is packet 6.")
                .covering("PW-CAP-2/numbered-blocks"),
            capture("Required.Capture.ObsoletePacketBlock", ["PW-CAP-2", "PW-CAP-5"], file: "obsolete-packet-block.pcapng", format: .pcapng,
                    obsolete, frames: full.count, findings: [finding(7, packet: 3, stream: 0, offset: rxFrame.count - 2)],
                    comment: "Packets 2 and 3 (the corrupted prescription) in obsolete Packet Blocks: a 16-bit interface ID, then a "
                        + "16-bit drops count of 3.")
                .covering("PW-CAP-2/obsolete-packet-block"),
            capture("Required.Capture.SessionModifiedPcap", ["PW-CAP-2", "PW-CAP-4"], file: "session-complete-modified.pcap", format: .pcap,
                    Pcap.capture(full, magic: 0xA1B2_CD34, extra: 8), frames: full.count, findings: [],
                    comment: "Modified pcap (magic a1 b2 cd 34, `editcap -F modpcap`): 24-byte record headers, whose interface index, "
                        + "protocol and packet type are skipped.")
                .covering("PW-CAP-2/pcap-variants"),
            capture("Required.Capture.PcapRedHat61", ["PW-CAP-3"], file: "variant-red-hat-6-1.pcap", format: .pcap,
                    Pcap.capture(full, extra: 8), frames: 0, findings: [finding(81, file: 0)],
                    comment: "Red Hat 6.1's pcap (`editcap -F rh6_1pcap`): the usual magic a1 b2 c3 d4, 24-byte record headers. Its "
                        + "records make sense only with that variant's headers: CAPTURE_MALFORMED at the file header, nothing read.")
                .covering("PW-CAP-3/pcap-variant"),
            capture("Required.Capture.PcapNokia", ["PW-CAP-3"], file: "variant-nokia.pcap", format: .pcap,
                    Pcap.capture(full, extra: 4), frames: 0, findings: [finding(81, file: 0)],
                    comment: "Nokia's pcap (`editcap -F nokiapcap`): the usual magic, 20-byte record headers: CAPTURE_MALFORMED at "
                        + "the file header, nothing read.")
                .covering("PW-CAP-3/pcap-variant"),
            capture("Required.Capture.PcapSuse63", ["PW-CAP-3"], file: "variant-suse-6-3.pcap", format: .pcap,
                    Pcap.capture(full, magic: 0xA1B2_CD34, extra: 12), frames: 0, findings: [finding(81, file: 0)],
                    comment: "SuSE 6.3's pcap (`editcap -F suse6_3pcap`): the modified magic a1 b2 cd 34, 28-byte record headers: "
                        + "CAPTURE_MALFORMED at the file header, nothing read.")
                .covering("PW-CAP-3/pcap-variant"),
            capture("Required.Capture.EmptyPcap", ["PW-CAP-3", "PW-CAP-4"], file: "empty.pcap", format: .pcap, detectedAs: .raw, [],
                    frames: 0, findings: [finding(80, file: 0)],
                    comment: "An empty file read as classic pcap (told only by `--input-format pcap`): it ends inside the file header.")
                .covering("PW-CAP-3/empty-file"),
            capture("Required.Capture.EmptyPcapng", ["PW-CAP-3", "PW-CAP-4"], file: "empty.pcapng", format: .pcapng, detectedAs: .raw, [],
                    frames: 0, findings: [finding(80, file: 0)],
                    comment: "An empty file read as pcapng (told only by `--input-format pcapng`): it ends inside the Section Header "
                        + "Block it must start with.")
                .covering("PW-CAP-3/empty-file"),
            capture("Required.Capture.NoSectionHeader", ["PW-CAP-3"], file: "no-section-header.pcapng", format: .pcapng, detectedAs: .raw,
                    Array(complete[blocks[1]...]), frames: 0, findings: [finding(81, file: 0)],
                    comment: "The whole session without its Section Header Block, read as pcapng: the file must start with one. "
                        + "Its first bytes (01 00 00 00) tell a raw stream.")
                .covering("PW-CAP-3/no-section-header"),
        ]
    }

    /// A frame with bytes replaced at a frame offset and its CRC made right again.
    static func reframe(_ frame: [UInt8], patching offset: Int, with bytes: [UInt8]) -> [UInt8] {
        var body = Array(frame.dropLast(2))
        for (i, byte) in bytes.enumerated() { body[offset + i] = byte }
        let crc = ReferenceCRC.crc16(body)
        return body + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }

    /// pcapng as spec 14.1 says, written out field by field.
    enum Pcapng {
        static let epoch: UInt64 = 1_795_251_600_000_000  // 2026-11-21 09:00:00 UTC, 50 ms a packet

        static func block(_ type: UInt32, _ body: [UInt8], trailer: Int? = nil) -> [UInt8] {
            let total = 12 + body.count
            return V.le(UInt64(type), 4) + V.le(UInt64(total), 4) + body + V.le(UInt64(trailer ?? total), 4)
        }
        static func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] {
            V.le(UInt64(code), 2) + V.le(UInt64(value.count), 2) + value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        }
        static func section(comment: String?) -> [UInt8] {
            let options = (comment.map { option(1, Array($0.utf8)) } ?? []) + option(4, Array("pumpwire".utf8)) + [0, 0, 0, 0]
            return block(0x0A0D_0D0A, V.le(0x1A2B_3C4D, 4) + V.le(1, 2) + V.le(0, 2) + [UInt8](repeating: 0xFF, count: 8) + options)
        }
        static func interface(linkType: UInt16 = 147) -> [UInt8] {
            block(1, V.le(UInt64(linkType), 2) + V.le(0, 2) + V.le(65535, 4) + option(2, Array("pumpwire telemetry".utf8)) + [0, 0, 0, 0])
        }
        static func packet(_ data: [UInt8], index: Int, interface: UInt32 = 0, original: Int? = nil) -> [UInt8] {
            let time = epoch + UInt64(index) * 50_000
            var body = V.le(UInt64(interface), 4) + V.le(time >> 32, 4) + V.le(time & 0xFFFF_FFFF, 4)
                + V.le(UInt64(data.count), 4) + V.le(UInt64(original ?? data.count), 4) + data
                + [UInt8](repeating: 0, count: (4 - data.count % 4) % 4)
            if data.count > 3, let descriptor = MessageRegistry.descriptor(for: data[3]), data[0] == 0xA5 {
                body += option(2, V.le(descriptor.direction == .programmerToPump ? 2 : 1, 4)) + [0, 0, 0, 0]  // epb_flags
            }
            return block(6, body)
        }
        /// The obsolete Packet Block (type 2): an Enhanced one with a 16-bit interface ID and a 16-bit drops count.
        static func obsoletePacket(_ data: [UInt8], index: Int, interface: UInt16 = 0, drops: UInt16 = 0) -> [UInt8] {
            let time = epoch + UInt64(index) * 50_000
            return block(2, V.le(UInt64(interface), 2) + V.le(UInt64(drops), 2) + V.le(time >> 32, 4) + V.le(time & 0xFFFF_FFFF, 4)
                + V.le(UInt64(data.count), 4) + V.le(UInt64(data.count), 4) + data + [UInt8](repeating: 0, count: (4 - data.count % 4) % 4))
        }
        /// A Custom Block (0x00000BAD, or 0x40000BAD when it may not be copied) of Private Enterprise
        /// Number 32473 (set aside for documentation).
        static func customBlock(copiable: Bool) -> [UInt8] {
            let note = Array("PumpWire note".utf8)
            return block(copiable ? 0x0000_0BAD : 0x4000_0BAD, V.le(32473, 4) + note + [UInt8](repeating: 0, count: (4 - note.count % 4) % 4))
        }
        /// A systemd Journal Export Block: one journal entry.
        static func journalEntry() -> [UInt8] {
            let entry = Array("__REALTIME_TIMESTAMP=1795251600050000\nMESSAGE=programmer connected\n\n".utf8)
            return block(9, entry + [UInt8](repeating: 0, count: (4 - entry.count % 4) % 4))
        }
        /// A Decryption Secrets Block: a TLS key log line.
        static func decryptionSecrets() -> [UInt8] {
            let secrets = Array("CLIENT_RANDOM 00 00\n".utf8)
            return block(0x0A, V.le(0x544C_534B, 4) + V.le(UInt64(secrets.count), 4) + secrets
                + [UInt8](repeating: 0, count: (4 - secrets.count % 4) % 4))
        }
        /// An Interface Statistics Block for interface 0, without options.
        static func interfaceStatistics() -> [UInt8] {
            block(5, V.le(0, 4) + V.le(epoch >> 32, 4) + V.le(epoch & 0xFFFF_FFFF, 4))
        }
        /// A Name Resolution Block: one IPv4 record, then the end of records.
        static func nameResolution() -> [UInt8] {
            block(4, V.le(1, 2) + V.le(17, 2) + [192, 0, 2, 1] + Array("pump.example\0".utf8) + [0, 0, 0] + V.le(0, 2) + V.le(0, 2))
        }
        static func capture(_ packets: [[UInt8]], comment: String? = nil) -> [UInt8] {
            section(comment: comment) + interface() + packets.enumerated().flatMap { packet($1, index: $0) }
        }
        static func blockOffsets(_ bytes: [UInt8]) -> [Int] {
            var offsets: [Int] = []
            var at = 0
            while at + 8 <= bytes.count {
                offsets.append(at)
                at += Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]) << 16 | Int(bytes[at + 7]) << 24
            }
            return offsets
        }
        static func problemCapture(interrogation: [UInt8], status: [UInt8]) -> (bytes: [UInt8], ethernetInterface: Int, brokenBlock: Int) {
            var bytes = section(comment: nil) + interface()
            let ethernetInterface = bytes.count
            bytes += interface(linkType: 1)
            bytes += packet(interrogation, index: 0)
            bytes += packet([UInt8](repeating: 0xFF, count: 12) + [0x08, 0x00], index: 1, interface: 1)
            bytes += packet(Array(status.prefix(20)), index: 2, original: status.count)
            let brokenBlock = bytes.count
            bytes += block(6, V.le(0, 4) + [UInt8](repeating: 0, count: 16), trailer: 36)
            return (bytes, ethernetInterface, brokenBlock)
        }
    }

    /// Classic pcap: little- or big-endian, microsecond (magic a1b2c3d4) or nanosecond (a1b23c4d) time;
    /// `extra` bytes after each 16-byte record header for the variants (modified pcap a1b2cd34: 8;
    /// Nokia: 4, Red Hat 6.1: 8, SuSE 6.3: 12), as Wireshark writes them.
    enum Pcap {
        static func capture(
            _ packets: [[UInt8]], bigEndian: Bool = false, nanoseconds: Bool = false, magic: UInt32? = nil, extra: Int = 0,
            linkType: UInt32 = 147
        ) -> [UInt8] {
            func n(_ value: UInt64, _ width: Int) -> [UInt8] { bigEndian ? V.le(value, width).reversed() : V.le(value, width) }
            let magic = magic ?? (nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4)
            var bytes = n(UInt64(magic), 4) + n(2, 2) + n(4, 2) + n(0, 4) + n(0, 4) + n(65535, 4) + n(UInt64(linkType), 4)
            for (index, data) in packets.enumerated() {
                let time = Pcapng.epoch + UInt64(index) * 50_000
                let fraction = nanoseconds ? time % 1_000_000 * 1000 : time % 1_000_000
                bytes += n(time / 1_000_000, 4) + n(fraction, 4) + n(UInt64(data.count), 4) + n(UInt64(data.count), 4)
                if extra >= 8 {  // interface index 1, protocol 0, packet type 4 (outgoing) or 0 (to us), padding
                    let outgoing = data.count > 3 && MessageRegistry.descriptor(for: data[3])?.direction == .programmerToPump
                    bytes += n(1, 4) + n(0, 2) + [outgoing ? 4 : 0] + [UInt8](repeating: 0, count: extra - 7)
                } else {
                    bytes += [UInt8](repeating: 0, count: extra)
                }
                bytes += data
            }
            return bytes
        }
    }
}
