import FuzzSupport

/// Entry point: the bolusSchedule payload decoder (spec section 9).
@_cdecl("FuzzBolusSchedule_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        checkPayload(type: 0x03, FuzzInput(data, size).bytes)
        return 0
    }
}
