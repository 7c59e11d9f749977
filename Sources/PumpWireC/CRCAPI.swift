import CPumpWire
import PumpWireCore

// Section 3. The core's pure-Swift tables, because firmware has no zlib.

@_cdecl("pw_crc16")
public func pw_crc16(_ bytes: UnsafePointer<UInt8>?, _ length: Int) -> UInt16 {
    CRC16.checksum(inputBytes(bytes, cLength(length)))
}

@_cdecl("pw_crc16_update")
public func pw_crc16_update(_ crc: UInt16, _ bytes: UnsafePointer<UInt8>?, _ length: Int) -> UInt16 {
    var state = CRC16(continuing: crc)
    state.update(inputBytes(bytes, cLength(length)))
    return state.value
}

@_cdecl("pw_crc32")
public func pw_crc32(_ bytes: UnsafePointer<UInt8>?, _ length: Int) -> UInt32 {
    CRC32.checksum(inputBytes(bytes, cLength(length)))
}

@_cdecl("pw_crc32_update")
public func pw_crc32_update(_ crc: UInt32, _ bytes: UnsafePointer<UInt8>?, _ length: Int) -> UInt32 {
    var state = CRC32(continuing: crc)
    state.update(inputBytes(bytes, cLength(length)))
    return state.value
}
