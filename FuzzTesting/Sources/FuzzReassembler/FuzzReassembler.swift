import FuzzSupport
import PumpWireCore

/// Entry point: the reassembler (spec 5.3), fed the input's frames in order, then given up.
@_cdecl("FuzzReassembler_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        var reassembler = Reassembler()
        for frame in FuzzInput(data, size).frames {
            frame.withUnsafeBytes { raw in
                guard let view = try? FrameView.decode(raw, exactly: true), view.fragment != nil else { return }
                do throws(PumpWireError) {
                    if try reassembler.add(view, in: raw) == .complete { _ = try? reassembler.takeMessage() }
                } catch {
                    precondition([ErrorCode.fragmentConflict, .fragmentInterleaved].contains(error.code), "unexpected reassembly error \(error)")
                }
            }
        }
        if let error = reassembler.giveUp() {
            precondition(error.code == .fragmentMissing && error.offset % WireLimits.fragmentDataSize == 0 && error.offset < 1024)
        }
        return 0
    }
}
