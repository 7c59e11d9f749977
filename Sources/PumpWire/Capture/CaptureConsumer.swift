/// What a capture reader hands on: the packets of a capture file, or the windows of one byte
/// stream, and the problems of the file (spec section 14).
public protocol CaptureConsumer {
    /// The data of a packet of link type 147, a byte stream of its own (PW-CAP-2). Packets are
    /// numbered as `record` counts (`number` skips the records not read).
    mutating func packet(_ data: UnsafeRawBufferPointer, number: Int)
    /// The same, with the length the packet had before a snap length cut it (PW-CAP-3), for a
    /// consumer that writes packets again; others read the data alone.
    mutating func packet(_ data: UnsafeRawBufferPointer, number: Int, originalLength: Int)
    /// A capture file's record `number` (from 1) was reached: each record Wireshark numbers
    /// (PW-CAP-2), before `packet` hands on its data when it is a packet of link type 147.
    mutating func record(number: Int)
    /// Part of a hex log's or raw stream's bytes, from stream offset `offset`; returns how many
    /// were read. The rest is passed again, with more after it, unless `isFinal`.
    mutating func stream(_ window: UnsafeRawBufferPointer, at offset: Int, isFinal: Bool) -> Int
    /// A hex log's line `line` (from 1) begins at stream offset `offset` (PW-CAP-5).
    mutating func line(_ line: Int, beginsAt offset: Int)
    /// `packet` is set for PACKET_TRUNCATED, `fileOffset` for the others, `line` for a hex log.
    mutating func problem(_ problem: CaptureProblem, fileOffset: Int?, packet: Int?, line: Int?)
    /// How far the reader has come in the file.
    mutating func progress(fileOffset: Int)
}

extension CaptureConsumer {
    public mutating func packet(_ data: UnsafeRawBufferPointer, number: Int, originalLength: Int) {
        packet(data, number: number)
    }
    public mutating func record(number: Int) {}
    public mutating func line(_ line: Int, beginsAt offset: Int) {}
    public mutating func progress(fileOffset: Int) {}
}
