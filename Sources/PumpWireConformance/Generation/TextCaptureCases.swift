import PumpWire

/// Text captures (spec 14.2, PW-CAP-4): a hex log after a UTF-8 byte-order mark, and hex dumps
/// with offsets as xxd and od write them. The dumps are written by this file's own writers, line
/// by line as the tools do, not by the library.
enum TextCaptureCases {
    static func captures(sessions: [VectorCase]) -> [CaptureCases.Capture] {
        let vector = sessions.first { $0.name == "Required.Session.Complete" }
        let inputs = vector?.body.first { $0.0 == "inputs" }?.1.arrayValue ?? []
        let full = inputs.compactMap { $0.stringValue.flatMap { try? Hex.decode($0) } }
        let stream = full.flatMap { $0 }

        let bomLog = [0xEF, 0xBB, 0xBF] + Array(("# PumpWire session after a UTF-8 byte-order mark\n"
            + full.map { Hex.encode($0, separator: " ") }.joined(separator: "\n") + "\n").utf8)

        // A run of 64 zeros after the fourth frame: od writes `*` for the lines that repeat. Two
        // bytes of noise after the sixth frame are placed after the zeros: a reader that misreads
        // the `*` places them elsewhere.
        let zerosAt = full[0..<4].reduce(0) { $0 + $1.count }
        let noise: [UInt8] = [0x00, 0x55]
        let noiseAt = zerosAt + 64 + full[4].count + full[5].count
        let zeroed = Array(full[0..<4].joined()) + [UInt8](repeating: 0, count: 64) + Array(full[4..<6].joined()) + noise
            + Array(full[6...].joined())
        let od = Dump.od(zeroed)

        return [
            CaptureCases.capture(
                "Required.Capture.HexLogByteOrderMark", ["PW-CAP-4", "PW-CAP-5"], file: "session-byte-order-mark.hex", format: .hex,
                bomLog, frames: full.count, findings: [],
                comment: "The session as a hex log that starts with the UTF-8 byte-order mark ef bb bf, skipped: read as "
                    + "a BOM-less log would be. A reader that takes the mark for text, or for 3 bytes of stream, fails.")
                .covering("PW-CAP-4/byte-order-mark"),
            CaptureCases.capture(
                "Required.Capture.XxdDump", ["PW-CAP-4", "PW-CAP-5"], file: "session-complete-xxd.txt", format: .hexDump,
                Dump.xxd(stream), frames: full.count, findings: [],
                comment: "The session as xxd dumps it: offsets, groups of two bytes, a text column; the last line shorter, "
                    + "its byte count told by its text column. A reader that takes offsets or the text column for bytes fails.")
                .covering("PW-CAP-4/hex-dump"),
            CaptureCases.capture(
                "Required.Capture.OdDumpWithRepeats", ["PW-CAP-4", "PW-CAP-5", "PW-FRAME-11"], file: "zeros-od.txt", format: .hexDump,
                od.text, frames: full.count,
                findings: [CaptureCases.finding(2, stream: zerosAt, line: od.line(zerosAt), offset: 0),
                           CaptureCases.finding(2, stream: noiseAt, line: od.line(noiseAt), offset: 0)],
                comment: "The session with 64 zeros after its fourth frame and 2 bytes of noise after its sixth, as od -t x1 "
                    + "dumps it: octal offsets, a `*` for the lines that repeat, the file's length last. Each run of noise is a "
                    + "BAD_SYNC at its stream offset and line; the second counts the bytes the `*` stands for.")
                .covering("PW-CAP-4/hex-dump"),
        ]
    }

    /// Hex dumps with offsets, written as the tools write them.
    enum Dump {
        static func hex(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }

        static func shown(_ bytes: ArraySlice<UInt8>) -> String {
            String(bytes.map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "." })
        }

        /// `xxd`: an 8-digit offset and `:`, 16 bytes a line in groups of two, two spaces, the text.
        static func xxd(_ bytes: [UInt8]) -> [UInt8] {
            var text = ""
            for start in stride(from: 0, to: bytes.count, by: 16) {
                let line = bytes[start..<min(bytes.count, start + 16)]
                var hexArea = ""
                for (index, byte) in line.enumerated() {
                    if index > 0 && index % 2 == 0 { hexArea += " " }
                    hexArea += Hex.encode([byte])
                }
                hexArea += String(repeating: " ", count: 39 - hexArea.count)
                text += hex(start, width: 8) + ": " + hexArea + "  " + shown(line) + "\n"
            }
            return Array(text.utf8)
        }

        /// `od -t x1`: a 7-digit octal offset, 16 bytes a line, `*` for lines that repeat the one
        /// before, the length last. `line` tells the line of a stream offset (a `*` line for the
        /// bytes it stands for).
        static func od(_ bytes: [UInt8]) -> (text: [UInt8], line: (Int) -> Int) {
            func octal(_ value: Int) -> String {
                let digits = String(value, radix: 8)
                return String(repeating: "0", count: max(0, 7 - digits.count)) + digits
            }
            var text = ""
            var starts: [(offset: Int, line: Int)] = []
            var lineNumber = 0
            var previous: ArraySlice<UInt8>?
            var repeating = false
            for start in stride(from: 0, to: bytes.count, by: 16) {
                let line = bytes[start..<min(bytes.count, start + 16)]
                if let previous, previous.count == 16, line.elementsEqual(previous) {
                    if !repeating {
                        lineNumber += 1
                        text += "*\n"
                        starts.append((start, lineNumber))
                        repeating = true
                    }
                    continue
                }
                repeating = false
                previous = line
                lineNumber += 1
                starts.append((start, lineNumber))
                text += octal(start) + line.map { " " + Hex.encode([$0]) }.joined() + "\n"
            }
            text += octal(bytes.count) + "\n"
            let line = { (offset: Int) in starts.last { $0.offset <= offset }?.line ?? 1 }
            return (Array(text.utf8), line)
        }
    }
}
