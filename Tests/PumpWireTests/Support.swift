import Foundation
import PumpWire
import PumpWireConformance
@testable import PumpWireCore

/// The declared messages of the vector generator: the spec's worked examples and variants.
typealias Samples = DeclaredMessages

/// A frame built by hand, with a correct CRC unless `crc` is given: for provoking each check.
func frameBytes(
    type: UInt8, flags: UInt8 = 0, sequence: UInt16 = 1, payload: [UInt8], authentication: [UInt8] = [],
    version: UInt8 = 1, payloadLength: UInt16? = nil, crc: UInt16? = nil
) -> [UInt8] {
    let length = payloadLength ?? UInt16(payload.count)
    var bytes: [UInt8] = [0xA5, 0xC3, version, type, flags, UInt8(sequence & 0xFF), UInt8(sequence >> 8),
                          UInt8(length & 0xFF), UInt8(length >> 8)]
    bytes += payload + authentication
    let check = crc ?? bytes.withUnsafeBytes { CRC16.checksum($0) }
    return bytes + [UInt8(check & 0xFF), UInt8(check >> 8)]
}

/// The fields as written, without the encoder's check: for payloads the spec forbids.
func rawPayload<M: WireMessage>(_ message: M) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: 1024)
    let count = buffer.withUnsafeMutableBytes { raw in
        var writer = ByteWriter(raw)
        try! message.writeFields(to: &writer)
        return writer.count
    }
    return Array(buffer[..<count])
}

/// The error `body` throws, or nil.
func caught<T>(_ body: () throws(PumpWireError) -> T) -> PumpWireError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

func decodeFrame(_ bytes: [UInt8]) -> PumpWireError? {
    caught { () throws(PumpWireError) in try Frame.decode(bytes) }
}

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
