import CPumpWire
import PumpWireCore

// Spec 2.3: the derived quantities, from the core's DoseArithmetic with its rounding (PW-UNIT-3).

extension CLayout {
    /// The Swift message of this C struct, with every check of its decoder (payload offsets).
    static func decoded<Message: WireMessage>(_ value: UnsafeMutablePointer<Self>, as: Message.Type) throws(PumpWireError) -> Message {
        var scratch = InlineArray<320, UInt8>(repeating: 0)  // the largest of these payloads is 309 bytes
        var span = scratch.mutableSpan
        return try span.withUnsafeMutableBytes { (raw) throws(PumpWireError) -> Message in
            var writer = ByteWriter(raw)
            try write(value, to: &writer)
            return try Message.decode(payload: writer.written)
        }
    }
}

@_cdecl("pw_daily_basal")
public func pw_daily_basal(
    _ prescription: UnsafePointer<pw_prescription_block>?, _ volume: UnsafeMutablePointer<UInt64>?,
    _ dose: UnsafeMutablePointer<UInt64>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let block = try pw_prescription_block.decoded(required(prescription), as: PrescriptionBlock.self)
        volume?.pointee = block.dailyBasalVolumeNanolitres  // D2
        dose?.pointee = block.dailyBasalDoseNanograms  // D3
    }
}

@_cdecl("pw_low_reservoir_alarm_time")
public func pw_low_reservoir_alarm_time(
    _ prescription: UnsafePointer<pw_prescription_block>?, _ refill: UnsafePointer<pw_refill_confirmation>?,
    _ alarmTime: UnsafeMutablePointer<UInt32>?, _ errorOffset: UnsafeMutablePointer<UInt32>?
) -> UInt16 {
    cResult(errorOffset) { () throws(PumpWireError) in
        let block = try pw_prescription_block.decoded(required(prescription), as: PrescriptionBlock.self)
        let confirmation = try pw_refill_confirmation.decoded(required(refill), as: RefillConfirmation.self)
        alarmTime?.pointee = block.lowReservoirAlarmTime(after: confirmation)  // D5
    }
}
