import FuzzSupport

/// Entry points: the refillConfirmation/refillReceipt payload decoders (spec section 9); bit 1 of the option byte picks one.
@_cdecl("FuzzRefill_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        let input = FuzzInput(data, size)
        checkPayload(type: input.option & 2 == 0 ? 0x04 : 0x84, input.bytes)
        return 0
    }
}
