import PumpWireCore

/// One thing found in a byte stream (spec 4.3).
public struct StreamItem: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A frame: a whole message, or one fragment.
        case frame(Frame)
        /// A message put back together from its fragments (spec 5.3); the fragments were
        /// reported as `.frame` items before it.
        case reassembled(Frame)
        /// Something rejected. `error.offset` is a frame offset from `streamOffset`, or a payload
        /// offset when `payloadOffsets` is set (a reassembled message, PW-FRAG-12).
        case rejected(PumpWireError, payloadOffsets: Bool)
    }

    /// Stream offset of the frame (or of the first byte of noise) this item is about.
    public var streamOffset: Int
    /// Bytes of the stream this item covers (0 for reassembly results).
    public var length: Int
    public var kind: Kind
}

/// Reads every frame of a byte stream, resynchronising after noise and bad frames (PW-FRAME-10)
/// and reassembling fragmented messages (section 5). Never stops at the first error.
public enum StreamDecoder {
    /// The bytes of each frame that passes the frame checks, in stream order (what an encoder
    /// wrote back to back, split again).
    public static func frames(in bytes: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        bytes.withUnsafeBytes { raw in
            var scanner = FrameScanner(raw)
            while let event = scanner.next() {
                if case .frame(let view, let start) = event { frames.append(Array(bytes[start..<(start + view.length)])) }
            }
        }
        return frames
    }

    public static func decode(_ bytes: [UInt8]) -> [StreamItem] {
        var items: [StreamItem] = []
        bytes.withUnsafeBytes { raw in
            var scanner = FrameScanner(raw)
            var reassembler = Reassembler()
            var firstFragmentOffset = 0
            while let event = scanner.next() {
                switch event {
                case .rejected(let error, let start):
                    items.append(StreamItem(
                        streamOffset: start, length: scanner.position - start,
                        kind: .rejected(error, payloadOffsets: false)))
                case .frame(let view, let start):
                    let frameBytes = scanner.frameBytes(view, start: start)
                    do throws(PumpWireError) {
                        let frame = try Frame(view, in: frameBytes)
                        items.append(StreamItem(streamOffset: start, length: view.length, kind: .frame(frame)))
                    } catch {
                        items.append(StreamItem(
                            streamOffset: start, length: view.length, kind: .rejected(error, payloadOffsets: false)))
                        scanner.resynchronize(afterFrameAt: start)
                        continue
                    }
                    guard view.fragment != nil else { continue }
                    if !reassembler.isInProgress { firstFragmentOffset = start }
                    var progress: ReassemblyProgress
                    do throws(PumpWireError) {
                        progress = try reassembler.add(view, in: frameBytes)
                    } catch let error where error.code == .fragmentInterleaved {
                        // Spec 5.4: report the message in progress as abandoned, start the new one.
                        if let abandoned = reassembler.giveUp() {
                            items.append(StreamItem(
                                streamOffset: firstFragmentOffset, length: 0,
                                kind: .rejected(abandoned, payloadOffsets: true)))
                        }
                        firstFragmentOffset = start
                        progress = (try? reassembler.add(view, in: frameBytes)) ?? .duplicate
                    } catch {
                        items.append(StreamItem(
                            streamOffset: start, length: view.length, kind: .rejected(error, payloadOffsets: false)))
                        continue
                    }
                    if progress == .complete {
                        let sequence = view.sequence
                        do throws(PumpWireError) {
                            let message = try reassembler.takeMessage()
                            items.append(StreamItem(
                                streamOffset: firstFragmentOffset, length: 0,
                                kind: .reassembled(Frame(sequence: sequence, message: message))))
                        } catch {
                            items.append(StreamItem(
                                streamOffset: firstFragmentOffset, length: 0,
                                kind: .rejected(error, payloadOffsets: true)))
                        }
                    }
                }
            }
            if let missing = reassembler.giveUp() {  // PW-FRAG-11 at the end of the stream
                items.append(StreamItem(
                    streamOffset: firstFragmentOffset, length: 0, kind: .rejected(missing, payloadOffsets: true)))
            }
        }
        return items
    }
}
