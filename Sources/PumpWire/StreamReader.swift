import PumpWireCore

/// Reads a byte stream incrementally (spec 4.3, 5.3, 5.4): a stream that arrives in windows
/// (a file read a megabyte at a time), or packets that are byte streams of their own but share
/// one reassembler (PW-CAP-2). Memory stays bounded by the window and one message.
///
/// A window that is not the stream's last is read only up to the last `maxFrameSize` bytes, so
/// every frame read from it is whole; the caller keeps the unread tail and passes it again at
/// the start of the next window. Items are those of the whole stream read at once, but for the
/// `length` of a rejected item, whose search for the next sync word is cut at a window's end.
public struct StreamReader {
    private var reassembler = Reassembler()
    /// Where the message in progress began: its first fragment received.
    private var firstFragment: (packet: Int?, offset: Int) = (nil, 0)
    /// The last window ended inside noise or the search after a rejected frame: the next window's
    /// leading noise continues that run and is not reported again (PW-FRAME-11).
    private var continuesSkippedRun = false
    /// Opens sealed frames with the session's keys (spec/security.md 14.3); nil reads every sealed
    /// frame as PW-AUTH-3 says.
    public var opener: (any SealedFrameOpener)?
    /// The message in progress is made of opened fragments: reassembled as spec/security.md 14.3
    /// step 3 says (a command id first), and reported as opened.
    private var reassemblingOpened: OpenedSeal?

    public init(opener: (any SealedFrameOpener)? = nil) {
        self.opener = opener
    }

    /// Reads `window`, whose first byte is at stream offset `base`, and reports each item with the
    /// frame bytes when the frame passed the frame checks (4.2 steps 1 to 8), whatever its payload.
    /// Returns the number of bytes read; the rest must be passed again with more bytes after it.
    public mutating func read(
        _ window: UnsafeRawBufferPointer, at base: Int = 0, isFinal: Bool = true, packet: Int? = nil,
        report: (StreamItem, UnsafeRawBufferPointer?) -> Void
    ) -> Int {
        let limit = isFinal ? window.count : window.count - WireLimits.maxFrameSize
        var scanner = FrameScanner(window)
        var lastWasRejection = false
        while scanner.position < limit, let event = scanner.next() {
            defer { continuesSkippedRun = false }
            switch event {
            case .rejected(let error, let start):
                lastWasRejection = true
                if continuesSkippedRun, start == 0, error.code == .badSync { continue }
                report(StreamItem(packet: packet, streamOffset: base + start, length: scanner.position - start,
                                  kind: .rejected(error, payloadOffsets: false)), nil)
            case .frame(let view, let start):
                let frameBytes = scanner.frameBytes(view, start: start)
                let offset = base + start
                if let opener, let outcome = opener.examine(frameBytes) {
                    if takeOpened(outcome, view: view, frameBytes, at: offset, packet: packet, report: report) {
                        lastWasRejection = false
                    } else {
                        lastWasRejection = true  // 4.3 step 3 applies to every error
                        scanner.resynchronize(afterFrameAt: start)
                    }
                    continue
                }
                do throws(PumpWireError) {
                    let frame = try Frame(view, in: frameBytes)
                    lastWasRejection = false
                    report(StreamItem(packet: packet, streamOffset: offset, length: view.length, kind: .frame(frame)), frameBytes)
                } catch {
                    lastWasRejection = true  // 4.3 step 3 applies to every error
                    report(StreamItem(packet: packet, streamOffset: offset, length: view.length,
                                      kind: .rejected(error, payloadOffsets: false)), frameBytes)
                    scanner.resynchronize(afterFrameAt: start)
                    continue
                }
                // A sealed fragment is not reassembled without keys (PW-AUTH-3): it stays a sealed frame.
                if view.fragment != nil, view.authentication == nil { reassemble(view, frameBytes, at: offset, packet: packet, report: report) }
            }
        }
        // A search that ran to the window's end (or to a lone a5 there) may go on in the next one.
        if !isFinal { continuesSkippedRun = lastWasRejection && scanner.position >= window.count - 1 }
        return min(scanner.position, window.count)
    }

    /// The end of the stream: a message still in progress is given up (PW-FRAG-11).
    public mutating func finish(report: (StreamItem, UnsafeRawBufferPointer?) -> Void) {
        if let missing = reassembler.giveUp() {
            report(StreamItem(packet: firstFragment.packet, streamOffset: firstFragment.offset, length: 0,
                              kind: .rejected(missing, payloadOffsets: true)), nil)
        }
        continuesSkippedRun = false
    }

    /// A frame the opener opened or rejected (spec/security.md 14.3 steps 2 and 3). True when the
    /// frame was opened and its plaintext decoded.
    private mutating func takeOpened(
        _ outcome: SealedFrameOutcome, view: FrameView, _ frameBytes: UnsafeRawBufferPointer, at offset: Int, packet: Int?,
        report: (StreamItem, UnsafeRawBufferPointer?) -> Void
    ) -> Bool {
        switch outcome {
        case .rejected(let error):
            report(StreamItem(packet: packet, streamOffset: offset, length: view.length, kind: .rejected(error, payloadOffsets: false)), frameBytes)
            return false
        case .opened(let plaintext, let key, let epoch, let counter):
            switch OpenedFrameDecoder.decode(plaintext) {
            case .failure(let failure):
                let item = StreamItem(packet: packet, streamOffset: offset, length: view.length, kind: .rejected(failure.error, payloadOffsets: false),
                                      opened: OpenedSeal(key: key, sessionEpoch: epoch, frameCounter: counter))
                if let unsealed = failure.unsealed {
                    unsealed.withUnsafeBytes { report(item, $0) }
                } else {
                    report(item, frameBytes)
                }
                return false
            case .success(let decoded):
                let seal = OpenedSeal(key: key, sessionEpoch: epoch, frameCounter: counter, commandId: decoded.commandId)
                let item = StreamItem(packet: packet, streamOffset: offset, length: view.length, kind: .frame(decoded.frame), opened: seal)
                if let unsealed = decoded.unsealed {
                    unsealed.withUnsafeBytes { report(item, $0) }
                    return true
                }
                report(item, frameBytes)
                plaintext.withUnsafeBytes { bytes in
                    guard let opened = try? FrameView.decode(bytes, exactly: true) else { return }
                    reassemble(opened, bytes, at: offset, packet: packet, seal: OpenedSeal(key: key, sessionEpoch: epoch, frameCounter: nil), report: report)
                }
                return true
            }
        }
    }

    private mutating func reassemble(
        _ view: FrameView, _ frameBytes: UnsafeRawBufferPointer, at offset: Int, packet: Int?, seal: OpenedSeal? = nil,
        report: (StreamItem, UnsafeRawBufferPointer?) -> Void
    ) {
        if !reassembler.isInProgress { firstFragment = (packet, offset) }
        if !reassembler.isInProgress || reassembler.messageInProgress.map({ $0.typeCode != view.messageType || $0.sequence != view.sequence }) == true {
            reassemblingOpened = seal
        }
        var progress: ReassemblyProgress
        do throws(PumpWireError) {
            progress = try reassembler.add(view, in: frameBytes)
        } catch let error where error.code == .fragmentInterleaved {
            // Spec 5.4: report the message in progress as abandoned, start the new one.
            if let abandoned = reassembler.giveUp() {
                report(StreamItem(packet: firstFragment.packet, streamOffset: firstFragment.offset, length: 0,
                                  kind: .rejected(abandoned, payloadOffsets: true)), nil)
            }
            firstFragment = (packet, offset)
            progress = (try? reassembler.add(view, in: frameBytes)) ?? .duplicate
        } catch {
            report(StreamItem(packet: packet, streamOffset: offset, length: view.length,
                              kind: .rejected(error, payloadOffsets: false)), nil)
            return
        }
        guard progress == .complete else { return }
        let sequence = view.sequence
        if var opened = reassemblingOpened {
            // spec/security.md 14.3 step 3: a command id first, offsets from the payload's first byte.
            reassemblingOpened = nil
            let typeCode = view.messageType
            let result = reassembler.withCompletedPayload { payload in
                Result { () throws(PumpWireError) in try OpenedFrameDecoder.decodeReassembled(typeCode: typeCode, payload: payload) }
            }
            reassembler.reset()
            switch result {
            case .success(let (message, commandId)):
                opened.commandId = commandId
                report(StreamItem(packet: firstFragment.packet, streamOffset: firstFragment.offset, length: 0,
                                  kind: .reassembled(Frame(sequence: sequence, message: message)), opened: opened), nil)
            case .failure(let error):
                report(StreamItem(packet: firstFragment.packet, streamOffset: firstFragment.offset, length: 0,
                                  kind: .rejected(error, payloadOffsets: true), opened: opened), nil)
            }
            return
        }
        do throws(PumpWireError) {
            let message = try reassembler.takeMessage()
            report(StreamItem(packet: firstFragment.packet, streamOffset: firstFragment.offset, length: 0,
                              kind: .reassembled(Frame(sequence: sequence, message: message))), nil)
        } catch {
            report(StreamItem(packet: firstFragment.packet, streamOffset: firstFragment.offset, length: 0,
                              kind: .rejected(error, payloadOffsets: true)), nil)
        }
    }
}
