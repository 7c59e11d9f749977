import FuzzSupport

/// Entry point: the prescriptionBlock payload decoder (spec section 9).
@_cdecl("FuzzPrescriptionBlock_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        checkPayload(type: 0x02, FuzzInput(data, size).bytes)
        return 0
    }
}
