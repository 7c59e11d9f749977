-- PumpWire version 1 dissector for Wireshark (Lua 5.2, Wireshark 4.0 and later).
--
-- Written from spec/pumpwire-v1.md alone (sections 2-10, 12, 13.1, 14), as an independent
-- second reading of the protocol. Packets of link type 147 (LINKTYPE_USER0) carry PumpWire byte
-- streams without a pseudo-header (spec 14.1). Each packet's data is read as a byte stream of its
-- own (spec 4.3), and every stream-reader event (a frame, a rejected frame, a run of noise) gets
-- one top-level "pumpwire" tree item.
--
-- Field abbreviations: the JSON view of spec section 12 under "pumpwire." (path of keys joined by
-- "."); wire-only details under "pumpwire.wire."; errors under "pumpwire.error.".
--
-- Load it with:  wireshark -X lua_script:pumpwire.lua capture.pcapng
-- or copy it to the personal Lua plugins folder (see tools/wireshark/README.md).

local proto = Proto("pumpwire", "PumpWire Telemetry")

-- Bit operations on 32-bit unsigned values: Lua 5.2's bit32, or Wireshark's "bit" library, or
-- (for a Lua without either) plain arithmetic. No native operators: Lua 5.2 has none.
local bitlib = bit32 or bit
local band, bxor, rshift, lshift
if bitlib then
    local function u(f) return function(...) return f(...) % 4294967296 end end
    band, bxor, rshift, lshift = u(bitlib.band), u(bitlib.bxor), u(bitlib.rshift), u(bitlib.lshift)
else
    local function bitwise(a, b, op)
        local r, m = 0, 1
        a, b = a % 4294967296, b % 4294967296
        for _ = 1, 32 do
            local x, y = a % 2, b % 2
            if op(x, y) then r = r + m end
            a, b, m = (a - x) / 2, (b - y) / 2, m * 2
        end
        return r
    end
    band = function(a, b) return bitwise(a, b, function(x, y) return x == 1 and y == 1 end) end
    bxor = function(a, b) return bitwise(a, b, function(x, y) return x ~= y end) end
    rshift = function(a, n) return math.floor((a % 4294967296) / 2 ^ n) end
    lshift = function(a, n) return (a * 2 ^ n) % 4294967296 end
end

---------------------------------------------------------------------------------------------
-- Tables of the spec
---------------------------------------------------------------------------------------------

local HEADER_SIZE   = 9
local AUTH_SIZE     = 20
local CRC_SIZE      = 2
local MAX_PAYLOAD   = 240
local FRAG_DATA     = 236
local CHUNK_DATA    = 218

local MESSAGE_TYPES = {
    [0x01] = "interrogationRequest",
    [0x02] = "prescriptionBlock",
    [0x03] = "bolusSchedule",
    [0x04] = "refillConfirmation",
    [0x05] = "memoryDumpRequest",
    [0x81] = "pumpStatus",
    [0x84] = "refillReceipt",
    [0x85] = "memoryDumpChunk",
    [0xf0] = "acknowledgement",
    [0xf1] = "negativeAcknowledgement",
}

local DIRECTIONS = {
    [0x01] = "programmer to pump", [0x02] = "programmer to pump", [0x03] = "programmer to pump",
    [0x04] = "programmer to pump", [0x05] = "programmer to pump",
    [0x81] = "pump to programmer", [0x84] = "pump to programmer", [0x85] = "pump to programmer",
    [0xf0] = "pump to programmer", [0xf1] = "pump to programmer",
}

local ERROR_NAMES = {
    [1] = "TRUNCATED", [2] = "BAD_SYNC", [3] = "UNSUPPORTED_VERSION", [4] = "UNKNOWN_MESSAGE_TYPE",
    [5] = "LENGTH_MISMATCH", [6] = "TRAILING_BYTES", [7] = "BAD_CRC", [8] = "PAYLOAD_TOO_LARGE",
    [9] = "NON_CANONICAL", [10] = "FIELD_OUT_OF_RANGE", [11] = "TOO_MANY_ITEMS",
    [12] = "INVALID_TEXT", [13] = "DAY_PROFILE_GAP", [14] = "DAY_PROFILE_ORDER",
    [15] = "MODE_PROFILE_MISMATCH", [16] = "DAILY_DOSE_EXCEEDS_LIMIT",
    [17] = "THRESHOLD_NOT_BELOW_CAPACITY", [18] = "BOLUS_ORDER", [19] = "BUFFER_TOO_SMALL",
    [32] = "FRAGMENT_COUNT_INVALID", [33] = "FRAGMENT_INDEX_OUT_OF_RANGE",
    [34] = "FRAGMENT_SIZE_INVALID", [35] = "FRAGMENT_CONFLICT", [36] = "FRAGMENT_MISSING",
    [37] = "FRAGMENT_INTERLEAVED",
    [48] = "CHUNK_INDEX_OUT_OF_RANGE", [49] = "CHUNK_COUNT_MISMATCH", [50] = "CHUNK_OFFSET_MISMATCH",
    [51] = "CHUNK_SIZE_MISMATCH", [52] = "CHUNK_BEYOND_TOTAL", [53] = "CHUNK_IMAGE_MISMATCH",
    [54] = "CHUNK_DATA_CONFLICT", [55] = "CHUNKS_MISSING", [56] = "IMAGE_CRC_FAILED",
    [57] = "INFLATE_FAILED", [58] = "IMAGE_LENGTH_MISMATCH", [59] = "COMPRESSION_RATIO_EXCEEDED",
    [60] = "RECORD_CRC_MISMATCH", [61] = "RECORD_TRUNCATED",
    [64] = "SEQUENCE_GAP", [65] = "REQUEST_WHILE_OUTSTANDING", [66] = "UNSOLICITED_RESPONSE",
    [67] = "SEQUENCE_MISMATCH", [68] = "UNEXPECTED_RESPONSE_TYPE", [69] = "DIGEST_MISMATCH",
    [70] = "RECEIPT_MISMATCH", [71] = "IMAGE_CRC_MISMATCH", [72] = "NO_RESPONSE",
    [73] = "WRONG_REFUSAL", [74] = "CHUNK_CONFLICT", [75] = "ENCODING_NOT_ALLOWED",
    [80] = "CAPTURE_TRUNCATED", [81] = "CAPTURE_MALFORMED", [82] = "PACKET_TRUNCATED",
    [83] = "LINK_TYPE_UNSUPPORTED",
    [96] = "AUTHENTICATION_FAILED", [97] = "REPLAYED", [98] = "COUNTER_ROLLBACK", [99] = "STALE_SESSION",
    [100] = "NOT_SEALED", [101] = "COUNTER_EXHAUSTED", [102] = "HANDSHAKE_FAILED", [103] = "LOW_ORDER_KEY",
    [104] = "HANDSHAKE_OUT_OF_ORDER",
    [128] = "NOT_PERMITTED", [129] = "DRUG_MISMATCH", [130] = "CONCENTRATION_MISMATCH",
    [131] = "RESERVOIR_OVERFILL", [132] = "BUSY", [133] = "AUTHENTICATION_REQUIRED",
    [134] = "ROLE_NOT_PERMITTED", [135] = "DUPLICATE_COMMAND", [136] = "PATIENT_BOLUS_DOSE_EXCEEDED",
    [137] = "PATIENT_BOLUS_COUNT_EXCEEDED", [138] = "PATIENT_BOLUS_LOCKOUT",
}

local E = {}
for code, name in pairs(ERROR_NAMES) do E[name] = code end

local DRUGS = { "morphine", "hydromorphone", "baclofen", "ziconotide", "bupivacaine",
                "clonidine", "fentanyl", "sufentanil" }
local MODES = { "fixedRate", "continuous", "timeOfDay" }
local PRIMING_KINDS = { "catheter", "bridge" }
local REGIONS = { "eventLog", "alarmLog", "therapyHistory", "rawAddress" }
local ENCODINGS = { [0] = "raw", [1] = "zlib" }
local ALARMS = { [0] = "lowReservoir", "emptyReservoir", "batteryEndOfService", "motorStall",
                 "catheterOcclusion", "memoryError", "clockLost", "pumpReset" }

---------------------------------------------------------------------------------------------
-- Fields
---------------------------------------------------------------------------------------------

local pf = {}
local field_list = {}

local function def(abbrev, field)
    assert(pf[abbrev] == nil, "duplicate field " .. abbrev)
    pf[abbrev] = field
    field_list[#field_list + 1] = field
end
local function none(a, name)           def(a, ProtoField.none(a, name)) end
local function str(a, name)            def(a, ProtoField.string(a, name)) end
local function bytes(a, name)          def(a, ProtoField.bytes(a, name)) end
local function u8(a, name, b)          def(a, ProtoField.uint8(a, name, b or base.DEC)) end
local function u16(a, name, b)         def(a, ProtoField.uint16(a, name, b or base.DEC)) end
local function u32(a, name, b)         def(a, ProtoField.uint32(a, name, b or base.DEC)) end
local function u64(a, name)            def(a, ProtoField.uint64(a, name, base.DEC)) end
local function flag(a, name, mask)     def(a, ProtoField.bool(a, name, 8, nil, mask)) end

-- Frame keys of the JSON view (spec 12).
str("pumpwire.messageType", "Message type")
u8 ("pumpwire.typeCode", "Type code")
u16("pumpwire.sequence", "Sequence")
none("pumpwire.authentication", "Authentication block")
u32("pumpwire.authentication.freshnessCounter", "Freshness counter")
bytes("pumpwire.authentication.tag", "Tag")
none("pumpwire.fragment", "Fragment")
u8 ("pumpwire.fragment.index", "Fragment index")
u8 ("pumpwire.fragment.count", "Fragment count")
u16("pumpwire.fragment.totalLength", "Total message length")
bytes("pumpwire.fragment.data", "Fragment data")
none("pumpwire.sealed", "Sealed payload")
none("pumpwire.sealed.fragment", "Sealed fragment header")
u8 ("pumpwire.sealed.fragment.index", "Fragment index")
u8 ("pumpwire.sealed.fragment.count", "Fragment count")
u16("pumpwire.sealed.fragment.totalLength", "Total message length")
bytes("pumpwire.sealed.ciphertext", "Ciphertext")
none("pumpwire.message", "Message")
-- A frame opened with a key log, from a decrypted capture (spec/security.md 14.3, 14.4).
none("pumpwire.opened", "Opened with a key log")
str("pumpwire.opened.key", "Key (k1: to the pump, k2: from the pump)")
u8 ("pumpwire.opened.sessionEpoch", "Session epoch")
u32("pumpwire.opened.frameCounter", "Frame counter")
u32("pumpwire.opened.commandId", "Command id (PW-SEC-13)")

-- pumpStatus (9.2)
str("pumpwire.message.model", "Model")
str("pumpwire.message.serial", "Serial number")
u8 ("pumpwire.message.firmwareMajor", "Firmware major")
u8 ("pumpwire.message.firmwareMinor", "Firmware minor")
u8 ("pumpwire.message.firmwarePatch", "Firmware patch")
u16("pumpwire.message.batteryMillivolts", "Battery (mV)")
flag("pumpwire.message.prescriptionStored", "Prescription stored", 0x01)
flag("pumpwire.message.bolusScheduleStored", "Bolus schedule stored", 0x02)
flag("pumpwire.message.deliverySuspended", "Delivery suspended", 0x04)
flag("pumpwire.message.electiveReplacementIndicator", "Elective replacement indicator (ERI)", 0x08)
u32("pumpwire.message.reservoirVolumeMicrolitres", "Reservoir volume (uL)")
str("pumpwire.message.activeAlarms", "Active alarm")
u32("pumpwire.message.pumpClockTime", "Pump clock (s since 2000-01-01)")
u32("pumpwire.message.prescriptionDigest", "Prescription digest")
u32("pumpwire.message.bolusScheduleDigest", "Bolus schedule digest")

-- prescriptionBlock (9.3) and refillConfirmation (9.5)
str("pumpwire.message.drug", "Drug")
str("pumpwire.message.mode", "Mode")
u32("pumpwire.message.concentrationMicrogramsPerMillilitre", "Concentration (ug/mL)")
u32("pumpwire.message.reservoirCapacityMicrolitres", "Reservoir capacity (uL)")
u32("pumpwire.message.lowReservoirThresholdMicrolitres", "Low-reservoir threshold (uL)")
u16("pumpwire.message.catheterVolumeMicrolitres", "Catheter volume (uL)")
u32("pumpwire.message.maxDailyDoseNanograms", "Maximum daily dose (ng)")
none("pumpwire.message.steps", "Step")
u16("pumpwire.message.steps.startMinute", "Start minute")
u32("pumpwire.message.steps.doseRateNanogramsPerDay", "Dose rate (ng/day)")

-- bolusSchedule (9.4)
none("pumpwire.message.clinicianBolus", "Clinician bolus")
u32("pumpwire.message.clinicianBolus.doseNanograms", "Dose (ng)")
u16("pumpwire.message.clinicianBolus.durationMinutes", "Duration (min)")
none("pumpwire.message.primingBolus", "Priming bolus")
str("pumpwire.message.primingBolus.kind", "Kind")
u16("pumpwire.message.primingBolus.volumeMicrolitres", "Volume (uL)")
u16("pumpwire.message.primingBolus.durationMinutes", "Duration (min)")
none("pumpwire.message.patientBolus", "Patient bolus")
u32("pumpwire.message.patientBolus.doseNanograms", "Dose (ng)")
u16("pumpwire.message.patientBolus.durationMinutes", "Duration (min)")
u16("pumpwire.message.patientBolus.lockoutMinutes", "Lockout (min)")
u8 ("pumpwire.message.patientBolus.maxPerDay", "Maximum per day")
none("pumpwire.message.periodicBoluses", "Periodic bolus")
u16("pumpwire.message.periodicBoluses.startMinute", "Start minute")
u32("pumpwire.message.periodicBoluses.doseNanograms", "Dose (ng)")
u16("pumpwire.message.periodicBoluses.durationMinutes", "Duration (min)")

-- refillConfirmation (9.5), refillReceipt (9.6)
u32("pumpwire.message.volumeWithdrawnMicrolitres", "Volume withdrawn (uL)")
u32("pumpwire.message.volumeAddedMicrolitres", "Volume added (uL)")
u32("pumpwire.message.resultingReservoirMicrolitres", "Resulting reservoir (uL)")
u32("pumpwire.message.refillTime", "Refill time (s since 2000-01-01)")
u32("pumpwire.message.confirmationDigest", "Confirmation digest")
u32("pumpwire.message.lowReservoirAlarmTime", "Low-reservoir alarm time (s since 2000-01-01)")

-- memoryDumpRequest (9.7), memoryDumpChunk (9.8)
str("pumpwire.message.region", "Region")
flag("pumpwire.message.compressionAllowed", "Compression allowed", 0x01)
u32("pumpwire.message.offset", "Offset")
u32("pumpwire.message.length", "Length (bytes)")
str("pumpwire.message.encoding", "Encoding")
u16("pumpwire.message.chunkIndex", "Chunk index")
u16("pumpwire.message.chunkCount", "Chunk count")
u32("pumpwire.message.regionOffset", "Region offset")
u32("pumpwire.message.imageLength", "Image length (bytes)")
u32("pumpwire.message.imageCrc32", "Image CRC-32")
u32("pumpwire.message.dataOffset", "Data offset")
bytes("pumpwire.message.data", "Data")

-- acknowledgement (9.9), negativeAcknowledgement (9.10), unknown messages
u8 ("pumpwire.message.acknowledgedType", "Acknowledged type")
u32("pumpwire.message.digest", "Digest")
u8 ("pumpwire.message.rejectedType", "Rejected type")
u16("pumpwire.message.errorCode", "Error code")
str("pumpwire.message.errorName", "Error name")
u16("pumpwire.message.errorOffset", "Error offset")
bytes("pumpwire.message.payload", "Payload")

-- Errors
u16("pumpwire.error.code", "Error code")
str("pumpwire.error.name", "Error name")
u16("pumpwire.error.offset", "Error offset (from frame start)")

-- Wire-only details (the CI check ignores these)
none("pumpwire.wire.header", "Frame header")
bytes("pumpwire.wire.sync", "Sync word")
u8 ("pumpwire.wire.version", "Version")
u8 ("pumpwire.wire.flags", "Flags", base.HEX)
flag("pumpwire.wire.flags.fragment", "FRAGMENT", 0x01)
flag("pumpwire.wire.flags.authenticated", "AUTHENTICATED", 0x02)
def("pumpwire.wire.flags.reserved",
    ProtoField.uint8("pumpwire.wire.flags.reserved", "Reserved", base.HEX, nil, 0xfc))
u16("pumpwire.wire.payloadLength", "Payload length")
str("pumpwire.wire.messageType", "Message type")
u8 ("pumpwire.wire.typeCode", "Type code", base.HEX)
u16("pumpwire.wire.sequence", "Sequence")
str("pumpwire.wire.direction", "Direction")
bytes("pumpwire.wire.payload", "Payload")
bytes("pumpwire.wire.authentication", "Authentication block")
u16("pumpwire.wire.crc", "CRC-16", base.HEX)
u16("pumpwire.wire.crc.computed", "Computed CRC-16", base.HEX)
str("pumpwire.wire.crc.status", "CRC status")
u32("pumpwire.wire.frameLength", "Frame length")
u32("pumpwire.wire.streamOffset", "Stream offset")
u32("pumpwire.wire.skipped", "Bytes skipped to the next sync word")
bytes("pumpwire.wire.noise", "Noise")
none("pumpwire.wire.fragmentHeader", "Fragment header")
u8 ("pumpwire.wire.fragmentIndex", "fragmentIndex")
u8 ("pumpwire.wire.fragmentCount", "fragmentCount")
u16("pumpwire.wire.totalLength", "totalLength")
u32("pumpwire.wire.fragmentMessageOffset", "Offset of this data in the message payload")
u8 ("pumpwire.wire.textLength", "Text length")
u8 ("pumpwire.wire.statusFlags", "Status flags", base.HEX)
def("pumpwire.wire.statusFlags.reserved",
    ProtoField.uint8("pumpwire.wire.statusFlags.reserved", "Reserved", base.HEX, nil, 0xf0))
u16("pumpwire.wire.activeAlarms", "Active alarms", base.HEX)
str("pumpwire.wire.firmwareVersion", "Firmware version")
u8 ("pumpwire.wire.drugCode", "Drug code")
u8 ("pumpwire.wire.stepCount", "Step count")
u64("pumpwire.wire.stepMinutes", "Step duration (min)")
u64("pumpwire.wire.stepFlowNanolitresPerDay", "Step flow (nL/day, D1)")
u64("pumpwire.wire.dailyBasalVolumeNanolitres", "Daily basal volume (nL/day, D2)")
u64("pumpwire.wire.dailyBasalDoseNanograms", "Daily basal dose (ng/day, D3)")
u8 ("pumpwire.wire.bolusFlags", "Bolus flags", base.HEX)
u8 ("pumpwire.wire.periodicCount", "Periodic bolus count")
u8 ("pumpwire.wire.dumpFlags", "Dump request flags", base.HEX)
u32("pumpwire.wire.payloadCrc32", "CRC-32 of the payload (digest)", base.HEX)
u32("pumpwire.wire.transferEnd", "End of this chunk's data in the transfer")

local ef = {
    noise    = ProtoExpert.new("pumpwire.error.expert.noise", "Bytes that are not a frame",
                               expert.group.MALFORMED, expert.severity.WARN),
    frame    = ProtoExpert.new("pumpwire.error.expert.frame", "Rejected frame",
                               expert.group.MALFORMED, expert.severity.ERROR),
    fragment = ProtoExpert.new("pumpwire.error.expert.fragment", "Rejected fragment header",
                               expert.group.PROTOCOL, expert.severity.ERROR),
    payload  = ProtoExpert.new("pumpwire.error.expert.payload", "Rejected message payload",
                               expert.group.PROTOCOL, expert.severity.ERROR),
    unknown  = ProtoExpert.new("pumpwire.wire.expert.unknown", "Message type not in the registry",
                               expert.group.UNDECODED, expert.severity.NOTE),
    auth     = ProtoExpert.new("pumpwire.wire.expert.auth",
                               "Sealed frame: ciphertext, not opened without the session's keys (PW-AUTH-4)",
                               expert.group.SECURITY, expert.severity.NOTE),
    opened   = ProtoExpert.new("pumpwire.wire.expert.opened",
                               "Opened with a key log: plaintext put in place of the ciphertext by pumpwire capture --decrypt, not the bytes sent (spec/security.md 14.4)",
                               expert.group.SECURITY, expert.severity.NOTE),
    frag     = ProtoExpert.new("pumpwire.wire.expert.fragment", "Fragment of a larger message",
                               expert.group.REASSEMBLE, expert.severity.CHAT),
    nak      = ProtoExpert.new("pumpwire.wire.expert.nak", "Pump refused a request",
                               expert.group.RESPONSE_CODE, expert.severity.WARN),
    alarm    = ProtoExpert.new("pumpwire.wire.expert.alarm", "Pump alarm active",
                               expert.group.PROTOCOL, expert.severity.WARN),
}

proto.fields = field_list
proto.experts = { ef.noise, ef.frame, ef.fragment, ef.payload, ef.unknown, ef.auth, ef.frag,
                  ef.nak, ef.alarm, ef.opened }

---------------------------------------------------------------------------------------------
-- Checksums (spec 3)
---------------------------------------------------------------------------------------------

local CRC16_TABLE = {}
for i = 0, 255 do
    local c = lshift(i, 8)
    for _ = 1, 8 do
        if band(c, 0x8000) ~= 0 then
            c = band(bxor(lshift(c, 1), 0x1021), 0xffff)
        else
            c = band(lshift(c, 1), 0xffff)
        end
    end
    CRC16_TABLE[i] = c
end

local CRC32_TABLE = {}
for i = 0, 255 do
    local c = i
    for _ = 1, 8 do
        if band(c, 1) ~= 0 then c = bxor(rshift(c, 1), 0xedb88320) else c = rshift(c, 1) end
    end
    CRC32_TABLE[i] = c
end

local function crc16(b, from, to)          -- CRC-16/IBM-3740 of b[from .. to-1]
    local c = 0xffff
    for i = from, to - 1 do
        c = bxor(band(lshift(c, 8), 0xffff), CRC16_TABLE[bxor(rshift(c, 8), b[i])])
    end
    return c
end

local function crc32(b, from, to)          -- CRC-32/ISO-HDLC of b[from .. to-1]
    local c = 0xffffffff
    for i = from, to - 1 do
        c = bxor(rshift(c, 8), CRC32_TABLE[band(bxor(c, b[i]), 0xff)])
    end
    return band(bxor(c, 0xffffffff), 0xffffffff)
end

---------------------------------------------------------------------------------------------
-- Helpers
---------------------------------------------------------------------------------------------

local function hex(v, digits) return string.format("0x%0" .. digits .. "x", v) end

local function hhmm(minute)
    if minute > 1439 then return "?" end
    return string.format("%02d:%02d", math.floor(minute / 60), minute % 60)
end

local PUMP_EPOCH = 946684800      -- 2000-01-01T00:00:00 as a Unix time
local function pump_time(t)
    if t == 0xffffffff then return "never" end
    return os.date("!%Y-%m-%d %H:%M:%S", t + PUMP_EPOCH) .. " pump time"
end

-- RoundHalfUp(n, d) = floor((2n + d) / (2d)) on UInt64 values (spec 2.2)
local function round_half_up(n, d)
    return (n * 2 + d) / (d * 2)
end

-- A decoding failure, raised with error() and caught by pcall.
local Fail = {}
Fail.__index = Fail
local function fail(code, offset, stage, detail)
    error(setmetatable({ code = code, offset = offset, stage = stage, detail = detail }, Fail), 0)
end

---------------------------------------------------------------------------------------------
-- View nodes: what a successfully decoded frame adds to the tree, in JSON-view order.
-- A node is { f = field, off = absolute offset, len = n, v = value or nil, text = appended,
--             label = replacement label, kids = { ... } }
---------------------------------------------------------------------------------------------

local function node(parent, abbrev, off, len, v, text)
    local n = { f = assert(pf[abbrev], abbrev), off = off, len = len, v = v, text = text }
    parent.kids[#parent.kids + 1] = n
    return n
end
local function group(parent, abbrev, off, len, label)
    local n = node(parent, abbrev, off, len, nil, nil)
    n.kids = {}
    n.label = label
    return n
end

---------------------------------------------------------------------------------------------
-- Payload reader (spec 7): offsets are payload offsets, errors are frame offsets (9 + p).
---------------------------------------------------------------------------------------------

local Reader = {}
Reader.__index = Reader

local function new_reader(b, base_abs, frame_abs, len)
    return setmetatable({ b = b, base = base_abs, frame = frame_abs, len = len, pos = 0 }, Reader)
end

function Reader:abs(p) return self.base + p end
function Reader:frame_off(p) return self.base - self.frame + p end
function Reader:fail(code, p, detail) fail(code, self:frame_off(p), "payload", detail) end

function Reader:need(n)
    if self.pos + n > self.len then self:fail(E.LENGTH_MISMATCH, self.pos, "payload ends inside a field") end
end

function Reader:uint(n)
    self:need(n)
    local v, mul = 0, 1
    for i = 0, n - 1 do
        v = v + self.b[self.base + self.pos + i] * mul
        mul = mul * 256
    end
    local p = self.pos
    self.pos = self.pos + n
    return v, p
end
function Reader:u8() return self:uint(1) end
function Reader:u16() return self:uint(2) end
function Reader:u32() return self:uint(4) end

function Reader:range(v, lo, hi, p, what)
    if v < lo or v > hi then
        self:fail(E.FIELD_OUT_OF_RANGE, p, string.format("%s %d not in %d..%d", what, v, lo, hi))
    end
end

function Reader:finish()
    if self.pos ~= self.len then
        self:fail(E.LENGTH_MISMATCH, self.pos, "bytes left after the last field")
    end
end

-- PW-ENC-8: a text field, returns the string and the payload offsets.
function Reader:text(max, what)
    local n, p = self:u8()
    if n < 1 or n > max then
        self:fail(E.FIELD_OUT_OF_RANGE, p, string.format("%s length %d not in 1..%d", what, n, max))
    end
    local tp = self.pos
    if self.pos + n > self.len then self:fail(E.LENGTH_MISMATCH, tp, what .. " cut short") end
    local chars = {}
    for i = 0, n - 1 do
        local c = self.b[self.base + tp + i]
        if c < 0x20 or c > 0x7e then
            self:fail(E.INVALID_TEXT, tp + i, string.format("%s byte 0x%02x is not printable ASCII", what, c))
        end
        chars[#chars + 1] = string.char(c)
    end
    self.pos = tp + n
    return table.concat(chars), p, tp, n
end

---------------------------------------------------------------------------------------------
-- Messages (spec 9)
---------------------------------------------------------------------------------------------

local decoders = {}

-- 9.1 interrogationRequest
decoders[0x01] = function(r, m)
    r:finish()   -- PW-INT-1
end

-- 9.2 pumpStatus
decoders[0x81] = function(r, m)
    local model, mlp, mtp, mn = r:text(16, "model")
    node(m, "pumpwire.wire.textLength", r:abs(mlp), 1, mn)
    node(m, "pumpwire.message.model", r:abs(mtp), mn, model)
    local serial, slp, stp, sn = r:text(16, "serial")
    node(m, "pumpwire.wire.textLength", r:abs(slp), 1, sn)
    node(m, "pumpwire.message.serial", r:abs(stp), sn, serial)
    local maj, pmaj = r:u8()
    local min, pmin = r:u8()
    local pat, ppat = r:u8()
    node(m, "pumpwire.message.firmwareMajor", r:abs(pmaj), 1, maj)
    node(m, "pumpwire.message.firmwareMinor", r:abs(pmin), 1, min)
    node(m, "pumpwire.message.firmwarePatch", r:abs(ppat), 1, pat)
    node(m, "pumpwire.wire.firmwareVersion", r:abs(pmaj), 3, string.format("%d.%d.%d", maj, min, pat))
    local mv, pmv = r:u16()
    r:range(mv, 0, 5000, pmv, "batteryMillivolts")
    node(m, "pumpwire.message.batteryMillivolts", r:abs(pmv), 2, mv, " mV")
    local sf, psf = r:u8()
    if band(sf, 0xf0) ~= 0 then r:fail(E.NON_CANONICAL, psf, "reserved statusFlags bits set") end
    local sfn = node(m, "pumpwire.wire.statusFlags", r:abs(psf), 1, sf)
    sfn.kids = {}
    node(sfn, "pumpwire.message.prescriptionStored", r:abs(psf), 1)
    node(sfn, "pumpwire.message.bolusScheduleStored", r:abs(psf), 1)
    node(sfn, "pumpwire.message.deliverySuspended", r:abs(psf), 1)
    node(sfn, "pumpwire.message.electiveReplacementIndicator", r:abs(psf), 1)
    local res, pres = r:u32()
    r:range(res, 0, 60000, pres, "reservoirVolumeMicrolitres")
    node(m, "pumpwire.message.reservoirVolumeMicrolitres", r:abs(pres), 4, res, " uL")
    local al, pal = r:u16()
    if band(al, 0xff00) ~= 0 then r:fail(E.NON_CANONICAL, pal, "reserved activeAlarms bits set") end
    local aln = node(m, "pumpwire.wire.activeAlarms", r:abs(pal), 2, al)
    aln.kids = {}
    local names = {}
    for bitno = 0, 7 do
        if band(al, lshift(1, bitno)) ~= 0 then
            node(aln, "pumpwire.message.activeAlarms", r:abs(pal), 2, ALARMS[bitno])
            names[#names + 1] = ALARMS[bitno]
        end
    end
    aln.text = (#names > 0) and (": " .. table.concat(names, ", ")) or ": none"
    if #names > 0 then m.alarms = names end
    local clk, pclk = r:u32()
    if clk == 0xffffffff then r:fail(E.FIELD_OUT_OF_RANGE, pclk, "pumpClockTime 0xffffffff") end
    node(m, "pumpwire.message.pumpClockTime", r:abs(pclk), 4, clk, " (" .. pump_time(clk) .. ")")
    local pd, ppd = r:u32()
    if band(sf, 0x01) == 0 and pd ~= 0 then
        r:fail(E.NON_CANONICAL, ppd, "prescriptionDigest not 0 without a stored prescription")
    end
    node(m, "pumpwire.message.prescriptionDigest", r:abs(ppd), 4, pd, " (" .. hex(pd, 8) .. ")")
    local bd, pbd = r:u32()
    if band(sf, 0x02) == 0 and bd ~= 0 then
        r:fail(E.NON_CANONICAL, pbd, "bolusScheduleDigest not 0 without a stored schedule")
    end
    node(m, "pumpwire.message.bolusScheduleDigest", r:abs(pbd), 4, bd, " (" .. hex(bd, 8) .. ")")
    r:finish()
    m.summary = string.format("%s %s, battery %d mV, reservoir %d uL", model, serial, mv, res)
end

-- 9.3 prescriptionBlock
decoders[0x02] = function(r, m)
    local drug, pdrug = r:u8()
    if DRUGS[drug] == nil then r:fail(E.FIELD_OUT_OF_RANGE, pdrug, "drug code " .. drug .. " not listed") end
    node(m, "pumpwire.message.drug", r:abs(pdrug), 1, DRUGS[drug], " (" .. drug .. ")")
    local mode, pmode = r:u8()
    if MODES[mode] == nil then r:fail(E.FIELD_OUT_OF_RANGE, pmode, "mode " .. mode .. " not listed") end
    node(m, "pumpwire.message.mode", r:abs(pmode), 1, MODES[mode], " (" .. mode .. ")")
    local conc, pconc = r:u32()
    r:range(conc, 1, 100000, pconc, "concentrationMicrogramsPerMillilitre")
    node(m, "pumpwire.message.concentrationMicrogramsPerMillilitre", r:abs(pconc), 4, conc, " ug/mL")
    local cap, pcap = r:u32()
    r:range(cap, 1000, 60000, pcap, "reservoirCapacityMicrolitres")
    node(m, "pumpwire.message.reservoirCapacityMicrolitres", r:abs(pcap), 4, cap, " uL")
    local thr, pthr = r:u32()
    r:range(thr, 500, 10000, pthr, "lowReservoirThresholdMicrolitres")
    if thr >= cap then
        r:fail(E.THRESHOLD_NOT_BELOW_CAPACITY, pthr, "threshold not below the capacity")
    end
    node(m, "pumpwire.message.lowReservoirThresholdMicrolitres", r:abs(pthr), 4, thr, " uL")
    local cat, pcat = r:u16()
    r:range(cat, 0, 2000, pcat, "catheterVolumeMicrolitres")
    node(m, "pumpwire.message.catheterVolumeMicrolitres", r:abs(pcat), 2, cat, " uL")
    local maxd, pmaxd = r:u32()
    r:range(maxd, 1, 1000000000, pmaxd, "maxDailyDoseNanograms")
    node(m, "pumpwire.message.maxDailyDoseNanograms", r:abs(pmaxd), 4, maxd, " ng")
    local n, pn = r:u8()
    if n == 0 then r:fail(E.FIELD_OUT_OF_RANGE, pn, "stepCount 0") end
    if n > 48 then r:fail(E.TOO_MANY_ITEMS, pn, "stepCount " .. n .. " above 48") end
    if (mode == 1 or mode == 2) and n ~= 1 then
        r:fail(E.MODE_PROFILE_MISMATCH, pn, MODES[mode] .. " needs exactly 1 step")
    end
    if mode == 3 and n < 2 then
        r:fail(E.MODE_PROFILE_MISMATCH, pn, "timeOfDay needs 2 or more steps")
    end
    node(m, "pumpwire.wire.stepCount", r:abs(pn), 1, n)
    local starts, rates, snodes = {}, {}, {}
    for i = 1, n do
        local p0 = r.pos
        local sm, psm = r:u16()
        r:range(sm, 0, 1439, psm, "startMinute")
        if i == 1 and sm ~= 0 then
            r:fail(E.DAY_PROFILE_GAP, psm, "first step does not start at minute 0")
        end
        if i > 1 and sm <= starts[i - 1] then
            r:fail(E.DAY_PROFILE_ORDER, psm, "startMinute not after the previous step's")
        end
        local rate, prate = r:u32()
        r:range(rate, 1, 1000000000, prate, "doseRateNanogramsPerDay")
        starts[i], rates[i] = sm, rate
        local s = group(m, "pumpwire.message.steps", r:abs(p0), 6,
                        string.format("Step %d: from %s, %d ng/day", i - 1, hhmm(sm), rate))
        node(s, "pumpwire.message.steps.startMinute", r:abs(psm), 2, sm, " (" .. hhmm(sm) .. ")")
        node(s, "pumpwire.message.steps.doseRateNanogramsPerDay", r:abs(prate), 4, rate, " ng/day")
        snodes[i] = s
    end
    r:finish()
    -- PW-RX-9 (after the payload), exact integers (PW-UNIT-4); W < 2^53 so doubles are exact.
    local W = 0
    for i = 1, n do
        local stop = (i < n) and starts[i + 1] or 1440
        W = W + rates[i] * (stop - starts[i])
    end
    if W > maxd * 1440 then
        r:fail(E.DAILY_DOSE_EXCEEDS_LIMIT, pmaxd, "daily dose above maxDailyDoseNanograms")
    end
    -- Derived quantities (2.3) as wire-only details, on UInt64.
    local c64 = UInt64(conc)
    for i = 1, n do
        local stop = (i < n) and starts[i + 1] or 1440
        local s = snodes[i]
        node(s, "pumpwire.wire.stepMinutes", s.off, 6, UInt64(stop - starts[i]))
        node(s, "pumpwire.wire.stepFlowNanolitresPerDay", s.off, 6,
             round_half_up(UInt64(rates[i]) * 1000, c64))
    end
    local W64 = UInt64(0)
    for i = 1, n do
        local stop = (i < n) and starts[i + 1] or 1440
        W64 = W64 + UInt64(rates[i]) * (stop - starts[i])
    end
    m.derived = {
        { "pumpwire.wire.dailyBasalVolumeNanolitres", round_half_up(W64 * 1000, c64 * 1440) },
        { "pumpwire.wire.dailyBasalDoseNanograms", round_half_up(W64, UInt64(1440)) },
    }
    m.summary = string.format("%s %s, %d ug/mL, %d step%s", DRUGS[drug], MODES[mode], conc, n,
                              n == 1 and "" or "s")
    m.digest = true
end

-- 9.4 bolusSchedule
decoders[0x03] = function(r, m)
    local fl, pfl = r:u8()
    if band(fl, 0xf8) ~= 0 then r:fail(E.NON_CANONICAL, pfl, "reserved bolus flags bits set") end
    node(m, "pumpwire.wire.bolusFlags", r:abs(pfl), 1, fl)
    local parts = {}
    if band(fl, 0x01) ~= 0 then
        local p0 = r.pos
        local dose, pd = r:u32()
        r:range(dose, 1, 100000000, pd, "clinicianBolus doseNanograms")
        local dur, pdu = r:u16()
        r:range(dur, 1, 1440, pdu, "clinicianBolus durationMinutes")
        local g = group(m, "pumpwire.message.clinicianBolus", r:abs(p0), 6,
                        string.format("Clinician bolus: %d ng over %d min", dose, dur))
        node(g, "pumpwire.message.clinicianBolus.doseNanograms", r:abs(pd), 4, dose, " ng")
        node(g, "pumpwire.message.clinicianBolus.durationMinutes", r:abs(pdu), 2, dur, " min")
        parts[#parts + 1] = "clinician"
    end
    if band(fl, 0x02) ~= 0 then
        local p0 = r.pos
        local kind, pk = r:u8()
        if PRIMING_KINDS[kind] == nil then r:fail(E.FIELD_OUT_OF_RANGE, pk, "priming kind " .. kind) end
        local vol, pv = r:u16()
        r:range(vol, 1, 2000, pv, "primingBolus volumeMicrolitres")
        local dur, pdu = r:u16()
        r:range(dur, 1, 1440, pdu, "primingBolus durationMinutes")
        local g = group(m, "pumpwire.message.primingBolus", r:abs(p0), 5,
                        string.format("Priming bolus (%s): %d uL over %d min", PRIMING_KINDS[kind], vol, dur))
        node(g, "pumpwire.message.primingBolus.kind", r:abs(pk), 1, PRIMING_KINDS[kind], " (" .. kind .. ")")
        node(g, "pumpwire.message.primingBolus.volumeMicrolitres", r:abs(pv), 2, vol, " uL")
        node(g, "pumpwire.message.primingBolus.durationMinutes", r:abs(pdu), 2, dur, " min")
        parts[#parts + 1] = "priming"
    end
    if band(fl, 0x04) ~= 0 then
        local p0 = r.pos
        local dose, pd = r:u32()
        r:range(dose, 1, 100000000, pd, "patientBolus doseNanograms")
        local dur, pdu = r:u16()
        r:range(dur, 1, 1440, pdu, "patientBolus durationMinutes")
        local lock, pl = r:u16()
        r:range(lock, 15, 1440, pl, "patientBolus lockoutMinutes")
        local mx, pm = r:u8()
        r:range(mx, 1, 24, pm, "patientBolus maxPerDay")
        local g = group(m, "pumpwire.message.patientBolus", r:abs(p0), 9,
                        string.format("Patient bolus: %d ng over %d min, lockout %d min, at most %d a day",
                                      dose, dur, lock, mx))
        node(g, "pumpwire.message.patientBolus.doseNanograms", r:abs(pd), 4, dose, " ng")
        node(g, "pumpwire.message.patientBolus.durationMinutes", r:abs(pdu), 2, dur, " min")
        node(g, "pumpwire.message.patientBolus.lockoutMinutes", r:abs(pl), 2, lock, " min")
        node(g, "pumpwire.message.patientBolus.maxPerDay", r:abs(pm), 1, mx)
        parts[#parts + 1] = "patient"
    end
    local n, pn = r:u8()
    if n > 8 then r:fail(E.TOO_MANY_ITEMS, pn, "periodicCount " .. n .. " above 8") end
    node(m, "pumpwire.wire.periodicCount", r:abs(pn), 1, n)
    local prev
    for i = 1, n do
        local p0 = r.pos
        local sm, psm = r:u16()
        r:range(sm, 0, 1439, psm, "periodic startMinute")
        if prev ~= nil and sm <= prev then
            r:fail(E.BOLUS_ORDER, psm, "periodic startMinute not after the previous one")
        end
        prev = sm
        local dose, pd = r:u32()
        r:range(dose, 1, 100000000, pd, "periodic doseNanograms")
        local dur, pdu = r:u16()
        r:range(dur, 1, 1440, pdu, "periodic durationMinutes")
        local g = group(m, "pumpwire.message.periodicBoluses", r:abs(p0), 8,
                        string.format("Periodic bolus %d: at %s, %d ng over %d min", i - 1, hhmm(sm), dose, dur))
        node(g, "pumpwire.message.periodicBoluses.startMinute", r:abs(psm), 2, sm, " (" .. hhmm(sm) .. ")")
        node(g, "pumpwire.message.periodicBoluses.doseNanograms", r:abs(pd), 4, dose, " ng")
        node(g, "pumpwire.message.periodicBoluses.durationMinutes", r:abs(pdu), 2, dur, " min")
    end
    r:finish()
    if n > 0 then parts[#parts + 1] = n .. " periodic" end
    m.summary = (#parts > 0) and table.concat(parts, ", ") or "empty schedule (no boluses)"
    m.digest = true
end

-- 9.5 refillConfirmation
decoders[0x04] = function(r, m)
    local drug, pdrug = r:u8()
    if DRUGS[drug] == nil then r:fail(E.FIELD_OUT_OF_RANGE, pdrug, "drug code " .. drug .. " not listed") end
    node(m, "pumpwire.message.drug", r:abs(pdrug), 1, DRUGS[drug], " (" .. drug .. ")")
    local conc, pconc = r:u32()
    r:range(conc, 1, 100000, pconc, "concentrationMicrogramsPerMillilitre")
    node(m, "pumpwire.message.concentrationMicrogramsPerMillilitre", r:abs(pconc), 4, conc, " ug/mL")
    local wd, pwd = r:u32()
    r:range(wd, 0, 60000, pwd, "volumeWithdrawnMicrolitres")
    node(m, "pumpwire.message.volumeWithdrawnMicrolitres", r:abs(pwd), 4, wd, " uL")
    local ad, pad = r:u32()
    r:range(ad, 0, 60000, pad, "volumeAddedMicrolitres")
    node(m, "pumpwire.message.volumeAddedMicrolitres", r:abs(pad), 4, ad, " uL")
    local rs, prs = r:u32()
    r:range(rs, 0, 60000, prs, "resultingReservoirMicrolitres")
    node(m, "pumpwire.message.resultingReservoirMicrolitres", r:abs(prs), 4, rs, " uL")
    local t, pt = r:u32()
    if t == 0xffffffff then r:fail(E.FIELD_OUT_OF_RANGE, pt, "refillTime 0xffffffff") end
    node(m, "pumpwire.message.refillTime", r:abs(pt), 4, t, " (" .. pump_time(t) .. ")")
    r:finish()
    m.summary = string.format("%s %d ug/mL, reservoir now %d uL", DRUGS[drug], conc, rs)
    m.digest = true
end

-- 9.6 refillReceipt
decoders[0x84] = function(r, m)
    local d, pd = r:u32()
    node(m, "pumpwire.message.confirmationDigest", r:abs(pd), 4, d, " (" .. hex(d, 8) .. ")")
    local rs, prs = r:u32()
    r:range(rs, 0, 60000, prs, "resultingReservoirMicrolitres")
    node(m, "pumpwire.message.resultingReservoirMicrolitres", r:abs(prs), 4, rs, " uL")
    local t, pt = r:u32()
    node(m, "pumpwire.message.lowReservoirAlarmTime", r:abs(pt), 4, t, " (" .. pump_time(t) .. ")")
    r:finish()
    m.summary = string.format("reservoir %d uL, low-reservoir alarm %s", rs, pump_time(t))
end

-- 9.7 memoryDumpRequest
decoders[0x05] = function(r, m)
    local reg, preg = r:u8()
    if REGIONS[reg] == nil then r:fail(E.FIELD_OUT_OF_RANGE, preg, "region " .. reg .. " not listed") end
    node(m, "pumpwire.message.region", r:abs(preg), 1, REGIONS[reg], " (" .. reg .. ")")
    local fl, pfl = r:u8()
    if band(fl, 0xfe) ~= 0 then r:fail(E.NON_CANONICAL, pfl, "reserved dump flags bits set") end
    local fn = node(m, "pumpwire.wire.dumpFlags", r:abs(pfl), 1, fl)
    fn.kids = {}
    node(fn, "pumpwire.message.compressionAllowed", r:abs(pfl), 1)
    local off, poff = r:u32()
    node(m, "pumpwire.message.offset", r:abs(poff), 4, off)
    local len, plen = r:u32()
    r:range(len, 1, 1048576, plen, "length")
    if off + len > 4294967296 then
        r:fail(E.FIELD_OUT_OF_RANGE, plen, "offset + length above 2^32")
    end
    node(m, "pumpwire.message.length", r:abs(plen), 4, len, " bytes")
    r:finish()
    m.summary = string.format("%s, %d bytes at %d", REGIONS[reg], len, off)
end

-- 9.8 memoryDumpChunk
decoders[0x85] = function(r, m)
    local reg, preg = r:u8()
    if REGIONS[reg] == nil then r:fail(E.FIELD_OUT_OF_RANGE, preg, "region " .. reg .. " not listed") end
    local enc, penc = r:u8()
    if ENCODINGS[enc] == nil then r:fail(E.FIELD_OUT_OF_RANGE, penc, "encoding " .. enc .. " unassigned") end
    local idx, pidx = r:u16()
    local cnt, pcnt = r:u16()
    r:range(cnt, 1, 4810, pcnt, "chunkCount")
    if idx >= cnt then r:fail(E.CHUNK_INDEX_OUT_OF_RANGE, pidx, "chunkIndex not below chunkCount") end
    local roff, proff = r:u32()
    local ilen, pilen = r:u32()
    r:range(ilen, 1, 1048576, pilen, "imageLength")
    if roff + ilen > 4294967296 then
        r:fail(E.FIELD_OUT_OF_RANGE, pilen, "regionOffset + imageLength above 2^32")
    end
    local need = math.ceil(ilen / CHUNK_DATA)
    if (enc == 0 and cnt ~= need) or (enc == 1 and cnt > need) then
        r:fail(E.CHUNK_COUNT_MISMATCH, pilen, "chunkCount does not fit imageLength")
    end
    local icrc, picrc = r:u32()
    local doff, pdoff = r:u32()
    if doff ~= idx * CHUNK_DATA then
        r:fail(E.CHUNK_OFFSET_MISMATCH, pdoff, "dataOffset is not chunkIndex * 218")
    end
    local pdata = r.pos
    local dlen = r.len - pdata
    local ok
    if idx < cnt - 1 then
        ok = (dlen == CHUNK_DATA)
    elseif enc == 0 then
        ok = (dlen == ilen - CHUNK_DATA * (cnt - 1))
    else
        ok = dlen >= 1 and dlen <= math.min(CHUNK_DATA, ilen - doff)
    end
    if not ok then r:fail(E.CHUNK_SIZE_MISMATCH, pdata, "chunk data length " .. dlen) end
    r.pos = r.len
    node(m, "pumpwire.message.region", r:abs(preg), 1, REGIONS[reg], " (" .. reg .. ")")
    node(m, "pumpwire.message.encoding", r:abs(penc), 1, ENCODINGS[enc], " (" .. enc .. ")")
    node(m, "pumpwire.message.chunkIndex", r:abs(pidx), 2, idx)
    node(m, "pumpwire.message.chunkCount", r:abs(pcnt), 2, cnt)
    node(m, "pumpwire.message.regionOffset", r:abs(proff), 4, roff)
    node(m, "pumpwire.message.imageLength", r:abs(pilen), 4, ilen, " bytes")
    node(m, "pumpwire.message.imageCrc32", r:abs(picrc), 4, icrc, " (" .. hex(icrc, 8) .. ")")
    node(m, "pumpwire.message.dataOffset", r:abs(pdoff), 4, doff)
    node(m, "pumpwire.message.data", r:abs(pdata), dlen, nil, nil)
    m.summary = string.format("%s chunk %d/%d (%s), %d bytes", REGIONS[reg], idx + 1, cnt, ENCODINGS[enc], dlen)
end

-- 9.9 acknowledgement
decoders[0xf0] = function(r, m)
    local t, pt = r:u8()
    if t ~= 0x02 and t ~= 0x03 then r:fail(E.FIELD_OUT_OF_RANGE, pt, "acknowledgedType " .. t) end
    node(m, "pumpwire.message.acknowledgedType", r:abs(pt), 1, t, " (" .. MESSAGE_TYPES[t] .. ")")
    local d, pd = r:u32()
    node(m, "pumpwire.message.digest", r:abs(pd), 4, d, " (" .. hex(d, 8) .. ")")
    r:finish()
    m.summary = string.format("%s stored, digest %s", MESSAGE_TYPES[t], hex(d, 8))
end

-- 9.10 negativeAcknowledgement
decoders[0xf1] = function(r, m)
    local t, pt = r:u8()
    node(m, "pumpwire.message.rejectedType", r:abs(pt), 1, t,
         " (" .. (MESSAGE_TYPES[t] or "unknown") .. ")")
    local code, pcode = r:u16()
    if ERROR_NAMES[code] == nil or (code >= 64 and code <= 95) then  -- PW-NAK-1: no session finding, no capture problem
        r:fail(E.FIELD_OUT_OF_RANGE, pcode, "errorCode " .. code)
    end
    node(m, "pumpwire.message.errorCode", r:abs(pcode), 2, code)
    node(m, "pumpwire.message.errorName", r:abs(pcode), 2, ERROR_NAMES[code])
    local eo, peo = r:u16()
    if eo > 1023 and eo ~= 0xffff then r:fail(E.FIELD_OUT_OF_RANGE, peo, "errorOffset " .. eo) end
    node(m, "pumpwire.message.errorOffset", r:abs(peo), 2, eo, eo == 0xffff and " (none)" or nil)
    r:finish()
    m.summary = string.format("%s refused: %s at %s", MESSAGE_TYPES[t] or ("type " .. t),
                              ERROR_NAMES[code], eo == 0xffff and "-" or tostring(eo))
    m.nak = true
end

---------------------------------------------------------------------------------------------
-- One frame (spec 4.2, steps 1-7, 9, 10) at absolute offset s of a stream of n bytes.
-- Returns an event table.
---------------------------------------------------------------------------------------------

-- Types whose sealed payload starts with a u32 commandId (spec/security.md PW-SEC-13).
local COMMAND_TYPES = { [0x02] = true, [0x03] = true, [0x04] = true, [0x06] = true, [0x12] = true, [0x13] = true }

local function decode_frame(b, s, n, opened)
    local ev = { start = s, ok = false }
    local avail = n - s
    -- 1. sync, on the bytes present
    if b[s] ~= 0xa5 or (avail >= 2 and b[s + 1] ~= 0xc3) then
        ev.err = { code = E.BAD_SYNC, offset = 0, stage = "sync" }
        return ev
    end
    -- 2. header complete
    if avail < HEADER_SIZE then
        ev.err = { code = E.TRUNCATED, offset = avail, stage = "frame", detail = "header cut short" }
        return ev
    end
    ev.version = b[s + 2]
    ev.typeCode = b[s + 3]
    ev.flags = b[s + 4]
    ev.sequence = b[s + 5] + 256 * b[s + 6]
    ev.payloadLength = b[s + 7] + 256 * b[s + 8]
    -- 3. version
    if ev.version ~= 1 then
        ev.err = { code = E.UNSUPPORTED_VERSION, offset = 2, stage = "frame",
                   detail = "version " .. ev.version }
        return ev
    end
    -- 4. reserved flags
    if band(ev.flags, 0xfc) ~= 0 then
        ev.err = { code = E.NON_CANONICAL, offset = 4, stage = "frame", detail = "reserved flag bits set" }
        return ev
    end
    -- 5. payload length limit
    if ev.payloadLength > MAX_PAYLOAD then
        ev.err = { code = E.PAYLOAD_TOO_LARGE, offset = 7, stage = "frame",
                   detail = "payloadLength " .. ev.payloadLength }
        return ev
    end
    ev.fragment = band(ev.flags, 0x01) ~= 0
    ev.authenticated = band(ev.flags, 0x02) ~= 0
    local P = ev.payloadLength
    local crc_at = HEADER_SIZE + P + (ev.authenticated and AUTH_SIZE or 0)
    ev.frameLength = crc_at + CRC_SIZE
    ev.crcAt = crc_at
    -- 6. whole frame present
    if avail < ev.frameLength then
        ev.err = { code = E.TRUNCATED, offset = avail, stage = "frame",
                   detail = string.format("frame of %d bytes, %d present", ev.frameLength, avail) }
        return ev
    end
    -- 7. CRC
    ev.crc = b[s + crc_at] + 256 * b[s + crc_at + 1]
    ev.crcComputed = crc16(b, s, s + crc_at)
    if ev.crc ~= ev.crcComputed then
        ev.err = { code = E.BAD_CRC, offset = crc_at, stage = "frame",
                   detail = string.format("CRC %s, computed %s", hex(ev.crc, 4), hex(ev.crcComputed, 4)) }
        return ev
    end
    local pbase = s + HEADER_SIZE
    if ev.fragment then
        -- 9. fragment header (5.2); offsets are frame offsets
        local function ffail(code, off, detail)
            ev.err = { code = code, offset = off, stage = "fragment", detail = detail }
            return ev
        end
        if P < 1 then return ffail(E.LENGTH_MISMATCH, 9, "no fragmentIndex") end
        if P < 2 then return ffail(E.LENGTH_MISMATCH, 10, "no fragmentCount") end
        if P < 4 then return ffail(E.LENGTH_MISMATCH, 11, "no totalLength") end
        local idx, cnt = b[pbase], b[pbase + 1]
        local total = b[pbase + 2] + 256 * b[pbase + 3]
        if cnt < 2 or cnt > 5 then return ffail(E.FRAGMENT_COUNT_INVALID, 10, "fragmentCount " .. cnt) end
        if idx >= cnt then return ffail(E.FRAGMENT_INDEX_OUT_OF_RANGE, 9, "fragmentIndex " .. idx) end
        if total > 1024 then return ffail(E.PAYLOAD_TOO_LARGE, 11, "totalLength " .. total) end
        if total <= MAX_PAYLOAD then return ffail(E.NON_CANONICAL, 11, "totalLength " .. total .. " needs no fragments") end
        if cnt ~= math.ceil(total / FRAG_DATA) then
            return ffail(E.FRAGMENT_COUNT_INVALID, 10, "fragmentCount is not ceil(totalLength / 236)")
        end
        local dlen = P - 4
        local want = (idx < cnt - 1) and FRAG_DATA or (total - FRAG_DATA * (cnt - 1))
        if dlen ~= want then
            return ffail(E.FRAGMENT_SIZE_INVALID, 7, string.format("data length %d, expected %d", dlen, want))
        end
        ev.frag = { index = idx, count = cnt, total = total, dlen = dlen }
    elseif ev.authenticated and not opened then
        -- PW-AUTH-3: a sealed frame's payload is ciphertext, never decoded (no step 10)
    else
        -- 10. message payload; an opened frame's plaintext after its commandId (spec/security.md 14.3)
        local m = { kids = {} }
        local mbase, mlen = pbase, P
        if opened and COMMAND_TYPES[ev.typeCode] then
            if P < 4 then
                ev.err = { code = E.LENGTH_MISMATCH, offset = HEADER_SIZE + P, stage = "payload", detail = "no commandId" }
                return ev
            end
            local id = b[pbase] + 256 * b[pbase + 1] + 65536 * b[pbase + 2] + 16777216 * b[pbase + 3]
            if id == 0 then
                ev.err = { code = E.FIELD_OUT_OF_RANGE, offset = HEADER_SIZE, stage = "payload", detail = "commandId 0" }
                return ev
            end
            ev.commandId = id
            mbase, mlen = pbase + 4, P - 4
        end
        ev.mbase, ev.mlen = mbase, mlen
        local dec = decoders[ev.typeCode]
        if dec ~= nil then
            local r = new_reader(b, mbase, s, mlen)
            local okp, e = pcall(dec, r, m)
            if not okp then
                if getmetatable(e) == Fail then
                    ev.err = { code = e.code, offset = e.offset, stage = e.stage, detail = e.detail }
                    return ev
                end
                error(e, 0)
            end
        end
        ev.msg = m
    end
    ev.ok = true
    return ev
end

-- Next stream offset after s where a5 c3 starts (a lone a5 as the last byte counts), or nil.
local function next_sync(b, s, n)
    for j = s + 1, n - 1 do
        if b[j] == 0xa5 and (j == n - 1 or b[j + 1] == 0xc3) then return j end
    end
    return nil
end

---------------------------------------------------------------------------------------------
-- Tree building
---------------------------------------------------------------------------------------------

local function render(tvb, tree, n)
    local item
    local range = tvb(n.off, n.len)
    if n.v ~= nil then
        item = tree:add(n.f, range, n.v)
    else
        item = tree:add(n.f, range)
    end
    if n.label then item:set_text(n.label) end
    if n.text then item:append_text(n.text) end
    if n.kids then
        for _, k in ipairs(n.kids) do render(tvb, item, k) end
    end
    return item
end

local function add_header(tvb, t, ev, view)
    local s = ev.start
    local h = t:add(pf["pumpwire.wire.header"], tvb(s, HEADER_SIZE))
    h:add(pf["pumpwire.wire.sync"], tvb(s, 2))
    h:add(pf["pumpwire.wire.version"], tvb(s + 2, 1))
    if not view then
        h:add(pf["pumpwire.wire.typeCode"], tvb(s + 3, 1))
            :append_text(" (" .. (MESSAGE_TYPES[ev.typeCode] or "unknown") .. ")")
    end
    local fl = h:add(pf["pumpwire.wire.flags"], tvb(s + 4, 1))
    fl:add(pf["pumpwire.wire.flags.fragment"], tvb(s + 4, 1))
    fl:add(pf["pumpwire.wire.flags.authenticated"], tvb(s + 4, 1))
    fl:add(pf["pumpwire.wire.flags.reserved"], tvb(s + 4, 1))
    if not view then
        h:add(pf["pumpwire.wire.sequence"], tvb(s + 5, 2), ev.sequence)
    end
    h:add(pf["pumpwire.wire.payloadLength"], tvb(s + 7, 2), ev.payloadLength)
    h:set_text(string.format("Frame header: version %d, flags 0x%02x, payload %d bytes",
                             ev.version, ev.flags, ev.payloadLength))
end

local function add_crc(tvb, t, ev)
    local s = ev.start
    local c = t:add(pf["pumpwire.wire.crc"], tvb(s + ev.crcAt, 2), ev.crc)
    local good = ev.crc == ev.crcComputed
    c:append_text(good and " [correct]" or " [incorrect]")
    c:add(pf["pumpwire.wire.crc.computed"], tvb(s + ev.crcAt, 2), ev.crcComputed):set_generated()
    c:add(pf["pumpwire.wire.crc.status"], tvb(s + ev.crcAt, 2), good and "Good" or "Bad"):set_generated()
end

local function add_good_frame(tvb, tree, ev, b)
    local s = ev.start
    local tc = ev.typeCode
    local name = MESSAGE_TYPES[tc] or "unknown"
    local item = tree:add(proto, tvb(s, ev.frameLength))
    local P = ev.payloadLength
    local pbase = s + HEADER_SIZE
    local info

    item:add(pf["pumpwire.messageType"], tvb(s + 3, 1), name)
    local tci = item:add(pf["pumpwire.typeCode"], tvb(s + 3, 1), tc)
    tci:append_text(string.format(" (0x%02x)", tc))
    if DIRECTIONS[tc] then
        item:add(pf["pumpwire.wire.direction"], tvb(s + 3, 1), DIRECTIONS[tc]):set_generated()
    end
    item:add(pf["pumpwire.sequence"], tvb(s + 5, 2), ev.sequence)
    add_header(tvb, item, ev, true)
    if ev.authenticated then
        local ab = s + HEADER_SIZE + P
        local a = item:add(pf["pumpwire.authentication"], tvb(ab, AUTH_SIZE))
        local fc = b[ab] + 256 * b[ab + 1] + 65536 * b[ab + 2] + 16777216 * b[ab + 3]
        a:add(pf["pumpwire.authentication.freshnessCounter"], tvb(ab, 4), fc)
        a:add(pf["pumpwire.authentication.tag"], tvb(ab + 4, 16))
        if ev.opened then
            a:add_proto_expert_info(ef.opened)
        else
            a:add_proto_expert_info(ef.auth)
        end
    end
    if ev.authenticated and not ev.opened then
        -- PW-AUTH-3: the sealed envelope, its ciphertext not dissected
        local si = item:add(pf["pumpwire.sealed"], tvb(pbase, P))
        local cbase, clen = pbase, P
        if ev.frag then
            local f = ev.frag
            local fh = si:add(pf["pumpwire.sealed.fragment"], tvb(pbase, 4))
            fh:add(pf["pumpwire.sealed.fragment.index"], tvb(pbase, 1), f.index)
            fh:add(pf["pumpwire.sealed.fragment.count"], tvb(pbase + 1, 1), f.count)
            fh:add(pf["pumpwire.sealed.fragment.totalLength"], tvb(pbase + 2, 2), f.total)
            cbase, clen = pbase + 4, f.dlen
        end
        local ci = si:add(pf["pumpwire.sealed.ciphertext"], tvb(cbase, clen))
        if clen == 0 then ci:set_text("Ciphertext: (empty)") end
        si:set_text(string.format("Sealed: %d bytes of ciphertext (give the session keys to open it)", clen))
        info = string.format("%s seq=%d sealed%s", name, ev.sequence,
                             ev.frag and string.format(" fragment %d/%d", ev.frag.index + 1, ev.frag.count) or "")
    elseif ev.frag then
        local f = ev.frag
        local fi = item:add(pf["pumpwire.fragment"], tvb(pbase, P))
        fi:set_text(string.format("Fragment %d of %d (message of %d bytes)", f.index + 1, f.count, f.total))
        local hdr = fi:add(pf["pumpwire.wire.fragmentHeader"], tvb(pbase, 4))
        fi:add(pf["pumpwire.fragment.index"], tvb(pbase, 1), f.index)
        fi:add(pf["pumpwire.fragment.count"], tvb(pbase + 1, 1), f.count)
        fi:add(pf["pumpwire.fragment.totalLength"], tvb(pbase + 2, 2), f.total)
        fi:add(pf["pumpwire.fragment.data"], tvb(pbase + 4, f.dlen))
        fi:add(pf["pumpwire.wire.fragmentMessageOffset"], tvb(pbase + 4, f.dlen), f.index * FRAG_DATA)
            :set_generated()
        hdr:append_text(string.format(": index %d, count %d, totalLength %d", f.index, f.count, f.total))
        fi:add_proto_expert_info(ef.frag, string.format("Fragment %d of %d of %s seq %d (not reassembled here)",
                                 f.index + 1, f.count, name, ev.sequence))
        info = string.format("%s seq=%d fragment %d/%d", name, ev.sequence, f.index + 1, f.count)
    else
        local m = ev.msg
        local mi = item:add(pf["pumpwire.message"], tvb(pbase, P))
        if P == 0 then mi:set_text("Message: (empty payload)") end
        if MESSAGE_TYPES[tc] == nil then
            local pi = mi:add(pf["pumpwire.message.payload"], tvb(pbase, P))
            if P == 0 then pi:set_text("Payload: (empty)") end
            mi:add_proto_expert_info(ef.unknown,
                string.format("Message type 0x%02x is not in the registry (a pump answers UNKNOWN_MESSAGE_TYPE)", tc))
        else
            for _, k in ipairs(m.kids) do render(tvb, mi, k) end
            if m.derived then
                for _, d in ipairs(m.derived) do
                    mi:add(pf[d[1]], tvb(pbase, P), d[2]):set_generated()
                end
            end
            if m.digest then
                mi:add(pf["pumpwire.wire.payloadCrc32"], tvb(ev.mbase, ev.mlen), crc32(b, ev.mbase, ev.mbase + ev.mlen))
                    :set_generated()
            end
            if m.summary then mi:append_text(": " .. m.summary) end
            if m.nak then mi:add_proto_expert_info(ef.nak, "Refusal: " .. m.summary) end
            if m.alarms then
                mi:add_proto_expert_info(ef.alarm, "Active alarms: " .. table.concat(m.alarms, ", "))
            end
        end
        info = string.format("%s seq=%d", name, ev.sequence)
        if m.summary then info = info .. " (" .. m.summary .. ")" end
    end
    if ev.opened then
        -- spec/security.md PW-KEYLOG-4: the "opened" member of the JSON view, last
        local ab = s + HEADER_SIZE + P
        local fc = b[ab] + 256 * b[ab + 1] + 65536 * b[ab + 2] + 16777216 * b[ab + 3]
        local oi = item:add(pf["pumpwire.opened"], tvb(s, ev.frameLength))
        oi:set_text("Opened with a key log: plaintext in place of the ciphertext, not the bytes sent")
        oi:add(pf["pumpwire.opened.key"], tvb(s + 3, 1), tc < 0x80 and "k1" or "k2")
        oi:add(pf["pumpwire.opened.sessionEpoch"], tvb(ab + 3, 1), math.floor(fc / 16777216))
        oi:add(pf["pumpwire.opened.frameCounter"], tvb(ab, 3), fc % 16777216)
        if ev.commandId then oi:add(pf["pumpwire.opened.commandId"], tvb(pbase, 4), ev.commandId) end
        info = info .. " [opened]"
    end
    add_crc(tvb, item, ev)
    item:append_text(string.format(", %s, seq %d%s", name, ev.sequence,
                                   ev.frag and string.format(", fragment %d/%d", ev.frag.index + 1, ev.frag.count) or ""))
    return info
end

local function add_error_fields(tvb, item, ev, n)
    local e = ev.err
    local s = ev.start
    local name = ERROR_NAMES[e.code]
    local at = s + e.offset
    local len = (at < n) and 1 or 0
    if at > n then at, len = n, 0 end
    local where = tvb(at, len)
    item:add(pf["pumpwire.error.code"], where, e.code)
    item:add(pf["pumpwire.error.name"], where, name)
    item:add(pf["pumpwire.error.offset"], where, e.offset)
    local text = string.format("%s (%d) at frame offset %d", name, e.code, e.offset)
    if e.detail then text = text .. ": " .. e.detail end
    local ex = ef.frame
    if e.stage == "sync" then ex = ef.noise
    elseif e.stage == "fragment" then ex = ef.fragment
    elseif e.stage == "payload" then ex = ef.payload end
    item:add_tvb_expert_info(ex, where, text)
end

local function add_bad_event(tvb, tree, ev, n, resume)
    local s = ev.start
    local e = ev.err
    local stop = resume or n
    local len
    if ev.frameLength then
        len = math.min(ev.frameLength, n - s)
    else
        len = stop - s
    end
    local item = tree:add(proto, tvb(s, len))
    local name = ERROR_NAMES[e.code]
    local info
    if e.code == E.BAD_SYNC then
        item:append_text(string.format(", noise: %d byte%s (BAD_SYNC)", stop - s, (stop - s == 1) and "" or "s"))
        add_error_fields(tvb, item, ev, n)
        item:add(pf["pumpwire.wire.noise"], tvb(s, stop - s))
        info = string.format("[noise %d bytes: BAD_SYNC]", stop - s)
    else
        item:append_text(string.format(", rejected frame: %s at offset %d", name, e.offset))
        add_error_fields(tvb, item, ev, n)
        if ev.version then
            local tn = MESSAGE_TYPES[ev.typeCode] or "unknown"
            item:add(pf["pumpwire.wire.messageType"], tvb(s + 3, 1), tn)
            add_header(tvb, item, ev, false)
            if ev.frameLength and n - s >= ev.frameLength then
                local P = ev.payloadLength
                item:add(pf["pumpwire.wire.payload"], tvb(s + HEADER_SIZE, P))
                if ev.authenticated then
                    item:add(pf["pumpwire.wire.authentication"], tvb(s + HEADER_SIZE + P, AUTH_SIZE))
                end
                add_crc(tvb, item, ev)
            end
            info = string.format("[%s seq=%d rejected: %s]", tn, ev.sequence, name)
        else
            info = string.format("[rejected: %s]", name)
        end
        item:add(pf["pumpwire.wire.frameLength"], tvb(s, len), len):set_generated()
    end
    item:add(pf["pumpwire.wire.streamOffset"], tvb(s, 0), s):set_generated()
    if e.code ~= E.BAD_SYNC then
        local skip = item:add(pf["pumpwire.wire.skipped"], tvb(s, 0), stop - s)
        skip:set_generated()
        if resume then
            skip:append_text(string.format(" (next sync word at stream offset %d)", resume))
        else
            skip:append_text(" (no further sync word: end of stream)")
        end
    end
    return info
end

---------------------------------------------------------------------------------------------
-- The dissector: one stream per packet (spec 4.3, 14.1)
---------------------------------------------------------------------------------------------

-- The frames a decrypted capture opened (spec/security.md PW-KEYLOG-5): the stream offsets a
-- packet comment "PumpWire opened at OFFSET ...: ..." names. Only those are read as plaintext.
local f_comment = Field.new("frame.comment")

local function opened_offsets()
    local at = {}
    for _, fi in ipairs({ f_comment() }) do
        local text = tostring(fi.value)
        local list = text:match("^PumpWire opened at ([%d ]+):")
        if list then
            for offset in list:gmatch("%d+") do at[tonumber(offset)] = true end
        end
    end
    return at
end

function proto.dissector(tvb, pinfo, tree)
    local n = tvb:len()
    if n == 0 then return 0 end
    local opened_at = opened_offsets()
    pinfo.cols.protocol = "PumpWire"
    local ba = tvb:bytes()
    local b = {}
    for i = 0, n - 1 do b[i] = ba:get_index(i) end

    local infos = {}
    local s = 0
    local direction_set = false
    while s < n do
        local opened = opened_at[s] == true
        local ev = decode_frame(b, s, n, opened)
        if opened and ev.authenticated then ev.opened = true end
        if not direction_set and ev.typeCode and DIRECTIONS[ev.typeCode] then
            -- Source and destination columns: who sends this type (spec 8).
            local from_programmer = ev.typeCode < 0x80
            pinfo.cols.src = from_programmer and "programmer" or "pump"
            pinfo.cols.dst = from_programmer and "pump" or "programmer"
            direction_set = true
        end
        if ev.ok then
            infos[#infos + 1] = add_good_frame(tvb, tree, ev, b)
            s = s + ev.frameLength
        else
            local resume = next_sync(b, s, n)
            infos[#infos + 1] = add_bad_event(tvb, tree, ev, n, resume)
            if resume == nil then break end
            s = resume
        end
    end
    pinfo.cols.info = table.concat(infos, "; ")
    return n
end

DissectorTable.get("wtap_encap"):add(wtap.USER0, proto)
