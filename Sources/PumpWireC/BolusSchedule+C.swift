import CPumpWire
import PumpWireCore

extension pw_bolus_schedule: CLayout {
    // The groups follow the flags byte in table order; an absent group takes no bytes (9.4).
    static func read(_ value: UnsafeMutablePointer<Self>, from reader: inout ByteReader) throws(PumpWireError) {
        let flags = try reader.readUInt8()
        value.pointee.flags = flags
        if flags & UInt8(PW_BOLUS_CLINICIAN.rawValue) != 0 {
            value.pointee.clinician_bolus.dose_nanograms = try reader.readUInt32()
            value.pointee.clinician_bolus.duration_minutes = try reader.readUInt16()
        }
        if flags & UInt8(PW_BOLUS_PRIMING.rawValue) != 0 {
            value.pointee.priming_bolus.kind = try reader.readUInt8()
            value.pointee.priming_bolus.volume_microlitres = try reader.readUInt16()
            value.pointee.priming_bolus.duration_minutes = try reader.readUInt16()
        }
        if flags & UInt8(PW_BOLUS_PATIENT.rawValue) != 0 {
            value.pointee.patient_bolus.dose_nanograms = try reader.readUInt32()
            value.pointee.patient_bolus.duration_minutes = try reader.readUInt16()
            value.pointee.patient_bolus.lockout_minutes = try reader.readUInt16()
            value.pointee.patient_bolus.max_per_day = try reader.readUInt8()
        }
        let count = try reader.readUInt8()
        try PumpWireError.check(Int(count) <= Int(PW_MAX_PERIODIC_BOLUSES), .tooManyItems, at: reader.offset - 1)
        value.pointee.periodic_count = count
        let periodic = elements(&value.pointee.periodic_boluses, of: pw_periodic_bolus.self)
        for index in 0..<Int(count) {
            periodic[index].start_minute = try reader.readUInt16()
            periodic[index].dose_nanograms = try reader.readUInt32()
            periodic[index].duration_minutes = try reader.readUInt16()
        }
    }

    static func write(_ value: UnsafeMutablePointer<Self>, to writer: inout ByteWriter) throws(PumpWireError) {
        let start = writer.count
        let flags = value.pointee.flags
        try writer.writeUInt8(flags)
        if flags & UInt8(PW_BOLUS_CLINICIAN.rawValue) != 0 {
            try writer.writeUInt32(value.pointee.clinician_bolus.dose_nanograms)
            try writer.writeUInt16(value.pointee.clinician_bolus.duration_minutes)
        }
        if flags & UInt8(PW_BOLUS_PRIMING.rawValue) != 0 {
            try writer.writeUInt8(value.pointee.priming_bolus.kind)
            try writer.writeUInt16(value.pointee.priming_bolus.volume_microlitres)
            try writer.writeUInt16(value.pointee.priming_bolus.duration_minutes)
        }
        if flags & UInt8(PW_BOLUS_PATIENT.rawValue) != 0 {
            try writer.writeUInt32(value.pointee.patient_bolus.dose_nanograms)
            try writer.writeUInt16(value.pointee.patient_bolus.duration_minutes)
            try writer.writeUInt16(value.pointee.patient_bolus.lockout_minutes)
            try writer.writeUInt8(value.pointee.patient_bolus.max_per_day)
        }
        try writer.writeCount(value.pointee.periodic_count, capacity: Int(PW_MAX_PERIODIC_BOLUSES), .tooManyItems, payloadStart: start)
        let periodic = elements(&value.pointee.periodic_boluses, of: pw_periodic_bolus.self)
        for index in 0..<Int(value.pointee.periodic_count) {
            try writer.writeUInt16(periodic[index].start_minute)
            try writer.writeUInt32(periodic[index].dose_nanograms)
            try writer.writeUInt16(periodic[index].duration_minutes)
        }
    }
}
