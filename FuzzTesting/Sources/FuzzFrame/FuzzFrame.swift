import FuzzSupport

/// Entry point: `Frame.decode` (spec 4.2), whole frames.
@_cdecl("FuzzFrame_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        checkFrame(FuzzInput(data, size).frame)
        return 0
    }
}
