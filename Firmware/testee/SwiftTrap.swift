/// Linked into the trap variant of the testee only (TESTEE_SWIFT_TRAP): a real Swift runtime
/// trap, an arithmetic overflow for any value above 0, so CI can check that a trap in firmware
/// ends QEMU with a non-zero status and that the runner reports it as a crash.
@_cdecl("testee_swift_trap")
public func testeeSwiftTrap(_ value: UInt8) -> UInt8 {
    value + 255
}
