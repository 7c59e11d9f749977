import FuzzSupport

/// Entry point: the pumpStatus payload decoder (spec section 9).
@_cdecl("FuzzPumpStatus_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        checkPayload(type: 0x81, FuzzInput(data, size).bytes)
        return 0
    }
}
