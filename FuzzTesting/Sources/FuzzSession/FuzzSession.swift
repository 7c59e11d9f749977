import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: the session checker (spec 11.3): findings are session codes at frame indices.
@_cdecl("FuzzSession_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        let frames = FuzzInput(data, size).frames
        for finding in SessionChecker.check(frames) {
            precondition(finding.code.isSessionFinding && finding.frameIndex < frames.count)
        }
        return 0
    }
}
