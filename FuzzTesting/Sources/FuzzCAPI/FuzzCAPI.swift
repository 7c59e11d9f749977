import CAPIFuzzDriver
import FuzzSupport

/// Entry point: every function of pumpwire.h through its C declaration, with hostile bytes, sizes,
/// NULLs, garbage structs and state, checked against the header's promises (capi_fuzz.c).
@_cdecl("FuzzCAPI_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        pumpwire_capi_fuzz_one(data, size)
    }
}
