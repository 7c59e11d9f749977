import CPumpWire
import PumpWireCore

extension pw_prescription_block: CLayout {
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        value.pointee.drug = try reader.readUInt8()
        value.pointee.mode = try reader.readUInt8()
        value.pointee.concentration_micrograms_per_millilitre = try reader.readUInt32()
        value.pointee.reservoir_capacity_microlitres = try reader.readUInt32()
        value.pointee.low_reservoir_threshold_microlitres = try reader.readUInt32()
        value.pointee.catheter_volume_microlitres = try reader.readUInt16()
        value.pointee.max_daily_dose_nanograms = try reader.readUInt32()
        let count = try reader.readUInt8()
        try PumpWireError.check(Int(count) <= Int(PW_MAX_DAY_STEPS), .tooManyItems, at: reader.offset - 1)
        value.pointee.step_count = count
        let steps = elements(&value.pointee.steps, of: pw_day_profile_step.self)
        for index in 0..<Int(count) {
            steps[index].start_minute = try reader.readUInt16()
            steps[index].dose_rate_nanograms_per_day = try reader.readUInt32()
        }
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        let start = writer.count
        try writer.writeUInt8(value.pointee.drug)
        try writer.writeUInt8(value.pointee.mode)
        try writer.writeUInt32(value.pointee.concentration_micrograms_per_millilitre)
        try writer.writeUInt32(value.pointee.reservoir_capacity_microlitres)
        try writer.writeUInt32(value.pointee.low_reservoir_threshold_microlitres)
        try writer.writeUInt16(value.pointee.catheter_volume_microlitres)
        try writer.writeUInt32(value.pointee.max_daily_dose_nanograms)
        try writer.writeCount(value.pointee.step_count, capacity: Int(PW_MAX_DAY_STEPS), .tooManyItems, payloadStart: start)
        let steps = elements(&value.pointee.steps, of: pw_day_profile_step.self)
        for index in 0..<Int(value.pointee.step_count) {
            try writer.writeUInt16(steps[index].start_minute)
            try writer.writeUInt32(steps[index].dose_rate_nanograms_per_day)
        }
    }
}
