#!/usr/bin/env python3
"""PumpWire v1 conformance testee, written in Python 3 (standard library only; the security layer
with the `cryptography` package).

An independent implementation of spec/pumpwire-v1.md, written from the specification alone (not
from the Swift reference implementation), speaking the testee protocol of spec/conformance.md
section 2 on its standard input and output.

    python3 pumpwire_testee.py               # testee: binary requests on stdin, responses on stdout
    python3 pumpwire_testee.py --self-test   # decode the spec's worked examples and more, then exit

The module is organised by spec section. Comments cite requirement ids (PW-...) and sections.
Where the spec leaves a choice open, the choice made here is marked "AMBIGUITY" (see README.md).

Nothing but protocol responses is ever written to standard output; logging goes to standard error.
"""

import json
import os
import re
import hashlib
import hmac
import struct
import sys
import zlib

# =============================================================================================
# Section 10. Error codes
# =============================================================================================

TRUNCATED = 1
BAD_SYNC = 2
UNSUPPORTED_VERSION = 3
UNKNOWN_MESSAGE_TYPE = 4
LENGTH_MISMATCH = 5
TRAILING_BYTES = 6
BAD_CRC = 7
PAYLOAD_TOO_LARGE = 8
NON_CANONICAL = 9
FIELD_OUT_OF_RANGE = 10
TOO_MANY_ITEMS = 11
INVALID_TEXT = 12
DAY_PROFILE_GAP = 13
DAY_PROFILE_ORDER = 14
MODE_PROFILE_MISMATCH = 15
DAILY_DOSE_EXCEEDS_LIMIT = 16
THRESHOLD_NOT_BELOW_CAPACITY = 17
BOLUS_ORDER = 18
BUFFER_TOO_SMALL = 19
FRAGMENT_COUNT_INVALID = 32
FRAGMENT_INDEX_OUT_OF_RANGE = 33
FRAGMENT_SIZE_INVALID = 34
FRAGMENT_CONFLICT = 35
FRAGMENT_MISSING = 36
FRAGMENT_INTERLEAVED = 37
CHUNK_INDEX_OUT_OF_RANGE = 48
CHUNK_COUNT_MISMATCH = 49
CHUNK_OFFSET_MISMATCH = 50
CHUNK_SIZE_MISMATCH = 51
CHUNK_BEYOND_TOTAL = 52
CHUNK_IMAGE_MISMATCH = 53
CHUNK_DATA_CONFLICT = 54
CHUNKS_MISSING = 55
IMAGE_CRC_FAILED = 56
INFLATE_FAILED = 57
IMAGE_LENGTH_MISMATCH = 58
COMPRESSION_RATIO_EXCEEDED = 59
RECORD_CRC_MISMATCH = 60
RECORD_TRUNCATED = 61
SEQUENCE_GAP = 64
REQUEST_WHILE_OUTSTANDING = 65
UNSOLICITED_RESPONSE = 66
SEQUENCE_MISMATCH = 67
UNEXPECTED_RESPONSE_TYPE = 68
DIGEST_MISMATCH = 69
RECEIPT_MISMATCH = 70
IMAGE_CRC_MISMATCH = 71
NO_RESPONSE = 72
WRONG_REFUSAL = 73
CHUNK_CONFLICT = 74
ENCODING_NOT_ALLOWED = 75
AUTHENTICATION_FAILED = 96      # 96 to 104 and 134 to 138: spec/security.md section 12
REPLAYED = 97
COUNTER_ROLLBACK = 98
STALE_SESSION = 99
NOT_SEALED = 100
COUNTER_EXHAUSTED = 101
HANDSHAKE_FAILED = 102
LOW_ORDER_KEY = 103
HANDSHAKE_OUT_OF_ORDER = 104
NOT_PERMITTED = 128
DRUG_MISMATCH = 129
CONCENTRATION_MISMATCH = 130
RESERVOIR_OVERFILL = 131
BUSY = 132
AUTHENTICATION_REQUIRED = 133
ROLE_NOT_PERMITTED = 134
DUPLICATE_COMMAND = 135
PATIENT_BOLUS_DOSE_EXCEEDED = 136
PATIENT_BOLUS_COUNT_EXCEEDED = 137
PATIENT_BOLUS_LOCKOUT = 138

ERROR_NAMES = {v: k for k, v in dict(globals()).items()
               if k.isupper() and isinstance(v, int) and not k.startswith("_")}
assert len(ERROR_NAMES) == 71, len(ERROR_NAMES)  # the table of section 10


class PumpWireError(Exception):
    """A decoder, reassembler or encoder error: a section 10 code and a byte offset.

    The offset is a frame offset when a frame is decoded and a payload offset when a reassembled
    payload is decoded (PW-ENC-6); `payload_offset` says which (needed by STREAM items)."""

    def __init__(self, code, offset, payload_offset=False):
        super().__init__("%s at %d" % (ERROR_NAMES.get(code, code), offset))
        self.code = code
        self.offset = offset
        self.payload_offset = payload_offset


def check(condition, code, offset):
    """PW-ENC-1: report the first failing check at the offset of the field being checked."""
    if not condition:
        raise PumpWireError(code, offset)


# =============================================================================================
# Section 1. Conventions: little-endian unsigned integers
# =============================================================================================

def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def get16(b, i):
    return b[i] | (b[i + 1] << 8)


def get32(b, i):
    return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)


# =============================================================================================
# Section 3. Checksums (table-driven; zlib's crc32 is used only by the self-test, as a cross-check,
# and zlib itself only to inflate `zlib` transfers, 13.2)
# =============================================================================================

def _crc16_table():
    # CRC-16/IBM-3740: poly 0x1021, not reflected.
    table = []
    for i in range(256):
        c = i << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else (c << 1)
            c &= 0xffff
        table.append(c)
    return table


def _crc32_table():
    # CRC-32/ISO-HDLC: poly 0x04c11db7 reflected = 0xedb88320.
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xedb88320 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC16 = _crc16_table()
_CRC32 = _crc32_table()


def crc16(data):
    """CRC-16/IBM-3740: init 0xffff, RefIn/RefOut false, XorOut 0 (section 3, PW-CRC-1)."""
    crc = 0xffff
    t = _CRC16
    for b in data:
        crc = ((crc << 8) & 0xffff) ^ t[(crc >> 8) ^ b]
    return crc


def crc32(data):
    """CRC-32/ISO-HDLC: init 0xffffffff, reflected, XorOut 0xffffffff (section 3, PW-CRC-2)."""
    crc = 0xffffffff
    t = _CRC32
    for b in data:
        crc = (crc >> 8) ^ t[(crc ^ b) & 0xff]
    return crc ^ 0xffffffff


# =============================================================================================
# Section 2. Units and derived quantities
# =============================================================================================

NEVER = 0xffffffff  # PW-UNIT-1


def round_half_up(n, d):
    """2.2: RoundHalfUp(n, d) = floor((2n + d) / (2d)), d > 0; integers only (PW-UNIT-3)."""
    assert d > 0
    return (2 * n + d) // (2 * d)


def step_minutes(steps):
    """2.3: minutes[i] = startMinute[i+1] - startMinute[i]; the last step lasts to 1440."""
    starts = [s["startMinute"] for s in steps] + [1440]
    return [starts[i + 1] - starts[i] for i in range(len(steps))]


def weighted_daily_dose(steps):
    """2.3: W = sum of rate[i] * minutes[i] (ng*min/day)."""
    return sum(s["doseRateNanogramsPerDay"] * m for s, m in zip(steps, step_minutes(steps)))


def d1_step_flow(rate, c):
    return round_half_up(rate * 1000, c)


def d2_daily_basal_volume(rx):
    """D2, nL/day: RoundHalfUp(W * 1000, 1440 * c)."""
    return round_half_up(weighted_daily_dose(rx["steps"]) * 1000,
                         1440 * rx["concentrationMicrogramsPerMillilitre"])


def d3_daily_basal_dose(rx):
    """D3, ng/day: RoundHalfUp(W, 1440)."""
    return round_half_up(weighted_daily_dose(rx["steps"]), 1440)


def d4_bolus_volume(m, c):
    return round_half_up(m * 1000, c)


def d5_low_reservoir_alarm_time(rx, refill):
    """D5: alarm time from the refill's R, T and the stored prescription's L and V (D2)."""
    r = refill["resultingReservoirMicrolitres"]
    t = refill["refillTime"]
    low = rx["lowReservoirThresholdMicrolitres"]
    v = d2_daily_basal_volume(rx)
    if r <= low:
        return t
    if v == 0:
        return NEVER
    minutes = (r - low) * 1000 * 1440 // v
    alarm = t + 60 * minutes
    return NEVER if alarm >= NEVER else alarm


# =============================================================================================
# Section 8. Message registry
# =============================================================================================

P2I, I2P = "P->I", "I->P"

INTERROGATION_REQUEST = 0x01
PRESCRIPTION_BLOCK = 0x02
BOLUS_SCHEDULE = 0x03
REFILL_CONFIRMATION = 0x04
MEMORY_DUMP_REQUEST = 0x05
PUMP_STATUS = 0x81
REFILL_RECEIPT = 0x84
MEMORY_DUMP_CHUNK = 0x85
ACKNOWLEDGEMENT = 0xf0
NEGATIVE_ACKNOWLEDGEMENT = 0xf1

# code: (name, direction, answered by)
REGISTRY = {
    INTERROGATION_REQUEST: ("interrogationRequest", P2I, (PUMP_STATUS, NEGATIVE_ACKNOWLEDGEMENT)),
    PRESCRIPTION_BLOCK: ("prescriptionBlock", P2I, (ACKNOWLEDGEMENT, NEGATIVE_ACKNOWLEDGEMENT)),
    BOLUS_SCHEDULE: ("bolusSchedule", P2I, (ACKNOWLEDGEMENT, NEGATIVE_ACKNOWLEDGEMENT)),
    REFILL_CONFIRMATION: ("refillConfirmation", P2I, (REFILL_RECEIPT, NEGATIVE_ACKNOWLEDGEMENT)),
    MEMORY_DUMP_REQUEST: ("memoryDumpRequest", P2I, (MEMORY_DUMP_CHUNK, NEGATIVE_ACKNOWLEDGEMENT)),
    PUMP_STATUS: ("pumpStatus", I2P, ()),
    REFILL_RECEIPT: ("refillReceipt", I2P, ()),
    MEMORY_DUMP_CHUNK: ("memoryDumpChunk", I2P, ()),
    ACKNOWLEDGEMENT: ("acknowledgement", I2P, ()),
    NEGATIVE_ACKNOWLEDGEMENT: ("negativeAcknowledgement", I2P, ()),
}


def type_name(code):
    """PW-JSON-3 / 12: the registry name, or "unknown" (PW-FRAME-8)."""
    return REGISTRY[code][0] if code in REGISTRY else "unknown"


# Enumerations (9.3, 9.4, 9.7, 9.8, 9.2) and their JSON names (PW-JSON-3).
DRUGS = {1: "morphine", 2: "hydromorphone", 3: "baclofen", 4: "ziconotide", 5: "bupivacaine",
         6: "clonidine", 7: "fentanyl", 8: "sufentanil"}
MODES = {1: "fixedRate", 2: "continuous", 3: "timeOfDay"}
PRIMING_KINDS = {1: "catheter", 2: "bridge"}
REGIONS = {1: "eventLog", 2: "alarmLog", 3: "therapyHistory", 4: "rawAddress"}
ENCODINGS = {0: "raw", 1: "zlib"}                                 # 9.8, 13.1
STATUS_FLAGS = ["prescriptionStored", "bolusScheduleStored", "deliverySuspended",
                "electiveReplacementIndicator"]
ALARMS = ["lowReservoir", "emptyReservoir", "batteryEndOfService", "motorStall",
          "catheterOcclusion", "memoryError", "clockLost", "pumpReset"]


def code_of(enum, name):
    for k, v in enum.items():
        if v == name:
            return k
    raise ValueError("no code for %r" % (name,))


# =============================================================================================
# Section 7. Decoding rules: a field reader with PW-ENC-2 / PW-ENC-3 / PW-ENC-6 offsets
# =============================================================================================

class Reader:
    """Reads payload fields in layout order. `base` turns payload offsets into error offsets:
    9 for a payload inside one frame, 0 for a reassembled payload (PW-ENC-6, PW-FRAG-12)."""

    def __init__(self, data, base):
        self.data = data
        self.pos = 0
        self.base = base

    def offset(self):
        return self.base + self.pos

    def take(self, n):
        # PW-ENC-2: a field that does not fit is LENGTH_MISMATCH at the field's offset.
        if self.pos + n > len(self.data):
            raise PumpWireError(LENGTH_MISMATCH, self.offset())
        v = self.data[self.pos:self.pos + n]
        self.pos += n
        return v

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        b = self.take(2)
        return get16(b, 0)

    def u32(self):
        b = self.take(4)
        return get32(b, 0)

    def ranged(self, read, lo, hi):
        """Read a field and check its own range (PW-ENC-1): FIELD_OUT_OF_RANGE at its offset."""
        o = self.offset()
        v = read()
        check(lo <= v <= hi, FIELD_OUT_OF_RANGE, o)
        return v

    def enum(self, table):
        """PW-ENC-7: a value not listed is FIELD_OUT_OF_RANGE."""
        o = self.offset()
        v = self.u8()
        check(v in table, FIELD_OUT_OF_RANGE, o)
        return table[v]

    def text(self, maximum):
        """PW-ENC-8: length 1..maximum, then the text read whole, then each byte printable."""
        o = self.offset()
        n = self.u8()
        check(1 <= n <= maximum, FIELD_OUT_OF_RANGE, o)
        o = self.offset()
        t = self.take(n)  # LENGTH_MISMATCH at the first text byte, whatever the bytes present hold
        for i, c in enumerate(t):
            check(0x20 <= c <= 0x7e, INVALID_TEXT, o + i)
        return t.decode("ascii")

    def rest(self):
        v = self.data[self.pos:]
        self.pos = len(self.data)
        return v

    def finish(self):
        """PW-ENC-3: the payload must be exhausted after the last field."""
        check(self.pos == len(self.data), LENGTH_MISMATCH, self.offset())


# =============================================================================================
# Section 9. Messages: payload decoders (producing the JSON `message` object of section 12)
# =============================================================================================

def decode_interrogation_request(r):
    # PW-INT-1: the payload is empty; anything else is LENGTH_MISMATCH at payload offset 0.
    r.finish()
    return {}


def decode_pump_status(r):
    m = {}
    m["model"] = r.text(16)                                   # PW-STATUS-1
    m["serial"] = r.text(16)
    m["firmwareMajor"] = r.u8()
    m["firmwareMinor"] = r.u8()
    m["firmwarePatch"] = r.u8()
    battery = r.ranged(r.u16, 0, 5000)                        # PW-STATUS-2
    o = r.offset()
    flags = r.u8()
    check(flags & 0xf0 == 0, NON_CANONICAL, o)                # PW-STATUS-3
    reservoir = r.ranged(r.u32, 0, 60000)                     # PW-STATUS-2
    o = r.offset()
    alarms = r.u16()
    check(alarms & 0xff00 == 0, NON_CANONICAL, o)             # PW-STATUS-3
    clock = r.ranged(r.u32, 0, 0xfffffffe)                    # PW-STATUS-2, PW-UNIT-1
    o = r.offset()
    rx_digest = r.u32()
    check(flags & 1 or rx_digest == 0, NON_CANONICAL, o)      # PW-STATUS-4
    o = r.offset()
    bolus_digest = r.u32()
    check(flags & 2 or bolus_digest == 0, NON_CANONICAL, o)   # PW-STATUS-4
    r.finish()
    m["batteryMillivolts"] = battery
    for i, name in enumerate(STATUS_FLAGS):
        m[name] = bool(flags >> i & 1)
    m["reservoirVolumeMicrolitres"] = reservoir
    m["activeAlarms"] = [name for i, name in enumerate(ALARMS) if alarms >> i & 1]
    m["pumpClockTime"] = clock
    m["prescriptionDigest"] = rx_digest
    m["bolusScheduleDigest"] = bolus_digest
    return m


def decode_prescription_block(r):
    m = {}
    m["drug"] = r.enum(DRUGS)                                                  # PW-RX-1
    mode = r.enum(MODES)
    m["mode"] = mode
    m["concentrationMicrogramsPerMillilitre"] = r.ranged(r.u32, 1, 100000)    # PW-RX-2
    capacity = r.ranged(r.u32, 1000, 60000)
    m["reservoirCapacityMicrolitres"] = capacity
    o = r.offset()
    threshold = r.ranged(r.u32, 500, 10000)
    check(threshold < capacity, THRESHOLD_NOT_BELOW_CAPACITY, o)               # PW-RX-3 (at 10)
    m["lowReservoirThresholdMicrolitres"] = threshold
    m["catheterVolumeMicrolitres"] = r.ranged(r.u16, 0, 2000)
    o_max = r.offset()
    max_daily = r.ranged(r.u32, 1, 1000000000)
    m["maxDailyDoseNanograms"] = max_daily
    o = r.offset()
    count = r.u8()
    check(count != 0, FIELD_OUT_OF_RANGE, o)                                   # PW-RX-4
    check(count <= 48, TOO_MANY_ITEMS, o)                                      # PW-RX-4, PW-ENC-2
    if mode in ("fixedRate", "continuous"):                                   # PW-RX-5
        check(count == 1, MODE_PROFILE_MISMATCH, o)
    else:
        check(count >= 2, MODE_PROFILE_MISMATCH, o)
    steps = []
    for i in range(count):
        o = r.offset()
        start = r.ranged(r.u16, 0, 1439)                                       # PW-RX-6
        if i == 0:
            check(start == 0, DAY_PROFILE_GAP, o)                              # PW-RX-7
        else:
            check(start > steps[-1]["startMinute"], DAY_PROFILE_ORDER, o)      # PW-RX-8
        rate = r.ranged(r.u32, 1, 1000000000)                                  # PW-RX-6
        steps.append({"startMinute": start, "doseRateNanogramsPerDay": rate})
    m["steps"] = steps
    r.finish()                                                                 # PW-ENC-3
    # After the payload (PW-ENC-4): PW-RX-9 with exact integers (PW-UNIT-4), at offset 16.
    check(weighted_daily_dose(steps) <= max_daily * 1440, DAILY_DOSE_EXCEEDS_LIMIT, o_max)
    return m


def decode_bolus_schedule(r):
    o = r.offset()
    flags = r.u8()
    check(flags & 0xf8 == 0, NON_CANONICAL, o)                                # PW-BOLUS-1
    m = {"clinicianBolus": None, "primingBolus": None, "patientBolus": None}
    if flags & 1:                                                              # PW-BOLUS-2
        m["clinicianBolus"] = {"doseNanograms": r.ranged(r.u32, 1, 100000000),
                               "durationMinutes": r.ranged(r.u16, 1, 1440)}
    if flags & 2:
        m["primingBolus"] = {"kind": r.enum(PRIMING_KINDS),
                             "volumeMicrolitres": r.ranged(r.u16, 1, 2000),
                             "durationMinutes": r.ranged(r.u16, 1, 1440)}
    if flags & 4:
        m["patientBolus"] = {"doseNanograms": r.ranged(r.u32, 1, 100000000),
                             "durationMinutes": r.ranged(r.u16, 1, 1440),
                             "lockoutMinutes": r.ranged(r.u16, 15, 1440),
                             "maxPerDay": r.ranged(r.u8, 1, 24)}
    o = r.offset()
    count = r.u8()
    check(count <= 8, TOO_MANY_ITEMS, o)                                       # PW-BOLUS-3
    periodic = []
    for _ in range(count):
        o = r.offset()
        start = r.ranged(r.u16, 0, 1439)                                       # own range first
        if periodic:
            check(start > periodic[-1]["startMinute"], BOLUS_ORDER, o)         # PW-BOLUS-4
        periodic.append({"startMinute": start,
                         "doseNanograms": r.ranged(r.u32, 1, 100000000),
                         "durationMinutes": r.ranged(r.u16, 1, 1440)})
    m["periodicBoluses"] = periodic
    r.finish()
    return m


def decode_refill_confirmation(r):
    m = {}
    m["drug"] = r.enum(DRUGS)                                                  # PW-REFILL-1
    m["concentrationMicrogramsPerMillilitre"] = r.ranged(r.u32, 1, 100000)
    m["volumeWithdrawnMicrolitres"] = r.ranged(r.u32, 0, 60000)
    m["volumeAddedMicrolitres"] = r.ranged(r.u32, 0, 60000)
    m["resultingReservoirMicrolitres"] = r.ranged(r.u32, 0, 60000)
    m["refillTime"] = r.ranged(r.u32, 0, 0xfffffffe)
    r.finish()
    return m


def decode_refill_receipt(r):
    m = {}
    m["confirmationDigest"] = r.u32()
    m["resultingReservoirMicrolitres"] = r.ranged(r.u32, 0, 60000)            # PW-REFILL-3
    m["lowReservoirAlarmTime"] = r.u32()                                       # any, 0xffffffff = never
    r.finish()
    return m


def decode_memory_dump_request(r):
    m = {}
    m["region"] = r.enum(REGIONS)                                              # PW-DUMP-1
    o = r.offset()
    flags = r.u8()
    check(flags & 0xfe == 0, NON_CANONICAL, o)
    m["compressionAllowed"] = bool(flags & 1)
    offset = r.u32()
    o = r.offset()
    length = r.ranged(r.u32, 1, 1048576)
    check(offset + length <= 1 << 32, FIELD_OUT_OF_RANGE, o)                  # PW-DUMP-2 (exact)
    m["offset"] = offset
    m["length"] = length
    r.finish()
    return m


CHUNK_DATA_SIZE = 218   # 9.8


def decode_memory_dump_chunk(r):
    # The table of 9.8 gives the order of checks, field by field.
    m = {}
    m["region"] = r.enum(REGIONS)                                              # PW-DUMP-3
    m["encoding"] = r.enum(ENCODINGS)                                          # PW-DUMP-3, PW-ENC-7
    o_index = r.offset()
    index = r.u16()
    count = r.ranged(r.u16, 1, 4810)                                           # PW-DUMP-3
    check(index < count, CHUNK_INDEX_OUT_OF_RANGE, o_index)                    # PW-DUMP-4 (at 2)
    region_offset = r.u32()
    o = r.offset()
    image_length = r.ranged(r.u32, 1, 1048576)                                 # PW-DUMP-3
    check(region_offset + image_length <= 1 << 32, FIELD_OUT_OF_RANGE, o)     # PW-DUMP-9
    most = -(-image_length // CHUNK_DATA_SIZE)
    if m["encoding"] == "raw":                                                 # PW-DUMP-5
        check(count == most, CHUNK_COUNT_MISMATCH, o)
    else:   # zlib: a transfer is never longer than the image (PW-DUMP-12)
        check(count <= most, CHUNK_COUNT_MISMATCH, o)
    image_crc = r.u32()
    o = r.offset()
    data_offset = r.u32()
    check(data_offset == index * CHUNK_DATA_SIZE, CHUNK_OFFSET_MISMATCH, o)    # PW-DUMP-6
    o = r.offset()
    data = r.rest()
    if index < count - 1:                                                      # PW-DUMP-7 (at 22)
        check(len(data) == CHUNK_DATA_SIZE, CHUNK_SIZE_MISMATCH, o)
    elif m["encoding"] == "raw":
        check(len(data) == image_length - CHUNK_DATA_SIZE * (count - 1), CHUNK_SIZE_MISMATCH, o)
    else:
        check(1 <= len(data) <= min(CHUNK_DATA_SIZE, image_length - data_offset), CHUNK_SIZE_MISMATCH, o)
    m.update(chunkIndex=index, chunkCount=count, regionOffset=region_offset,
             imageLength=image_length, imageCrc32=image_crc, dataOffset=data_offset,
             data=data.hex())
    return m


# PW-ACK-1: 0x02, 0x03, and the security layer's 0x06, 0x11, 0x12, 0x13, 0x14 (security.md 2).
ACKNOWLEDGED_TYPES = (PRESCRIPTION_BLOCK, BOLUS_SCHEDULE, 0x06, 0x11, 0x12, 0x13, 0x14)


def decode_acknowledgement(r):
    o = r.offset()
    t = r.u8()
    check(t in ACKNOWLEDGED_TYPES, FIELD_OUT_OF_RANGE, o)                      # PW-ACK-1
    m = {"acknowledgedType": t, "digest": r.u32()}
    r.finish()
    return m


# PW-NAK-1: the table of section 10 but the session findings. AMBIGUITY (README A16): this now takes
# in 52 to 61, the reassembler's and log reader's codes, which no pump reports.
NAK_CODES = {c for c in ERROR_NAMES if not 64 <= c <= 79}


def decode_negative_acknowledgement(r):
    t = r.u8()                                                                 # any value
    o = r.offset()
    code = r.u16()
    check(code in NAK_CODES, FIELD_OUT_OF_RANGE, o)                           # PW-NAK-1
    o = r.offset()
    offset = r.u16()
    check(offset <= 1023 or offset == 0xffff, FIELD_OUT_OF_RANGE, o)          # PW-NAK-1
    r.finish()
    return {"rejectedType": t, "errorCode": code, "errorName": ERROR_NAMES[code],
            "errorOffset": offset}


DECODERS = {
    INTERROGATION_REQUEST: decode_interrogation_request,
    PUMP_STATUS: decode_pump_status,
    PRESCRIPTION_BLOCK: decode_prescription_block,
    BOLUS_SCHEDULE: decode_bolus_schedule,
    REFILL_CONFIRMATION: decode_refill_confirmation,
    REFILL_RECEIPT: decode_refill_receipt,
    MEMORY_DUMP_REQUEST: decode_memory_dump_request,
    MEMORY_DUMP_CHUNK: decode_memory_dump_chunk,
    ACKNOWLEDGEMENT: decode_acknowledgement,
    NEGATIVE_ACKNOWLEDGEMENT: decode_negative_acknowledgement,
}


def decode_payload(type_code, payload, base):
    """Decode a message payload (section 9). base 9: payload of one frame; base 0: reassembled.
    A type not in the registry decodes to an unknown message (PW-FRAME-8, PW-FRAG-14)."""
    decoder = DECODERS.get(type_code)
    if decoder is None:
        return {"payload": bytes(payload).hex()}
    return decoder(Reader(bytes(payload), base))


# =============================================================================================
# Section 7 / 9. Canonical encoding (PW-ENC-5): from decoded values, never by echoing input
# =============================================================================================

def encode_text(s):
    b = s.encode("ascii")
    return u8(len(b)) + b


def encode_payload_unchecked(type_code, m):
    if type_code == INTERROGATION_REQUEST:
        return b""
    if type_code == PUMP_STATUS:
        flags = sum(1 << i for i, n in enumerate(STATUS_FLAGS) if m[n])
        alarms = sum(1 << ALARMS.index(a) for a in m["activeAlarms"])
        return (encode_text(m["model"]) + encode_text(m["serial"]) + u8(m["firmwareMajor"])
                + u8(m["firmwareMinor"]) + u8(m["firmwarePatch"]) + u16(m["batteryMillivolts"])
                + u8(flags) + u32(m["reservoirVolumeMicrolitres"]) + u16(alarms)
                + u32(m["pumpClockTime"]) + u32(m["prescriptionDigest"])
                + u32(m["bolusScheduleDigest"]))
    if type_code == PRESCRIPTION_BLOCK:
        out = (u8(code_of(DRUGS, m["drug"])) + u8(code_of(MODES, m["mode"]))
               + u32(m["concentrationMicrogramsPerMillilitre"]) + u32(m["reservoirCapacityMicrolitres"])
               + u32(m["lowReservoirThresholdMicrolitres"]) + u16(m["catheterVolumeMicrolitres"])
               + u32(m["maxDailyDoseNanograms"]) + u8(len(m["steps"])))
        for s in m["steps"]:
            out += u16(s["startMinute"]) + u32(s["doseRateNanogramsPerDay"])
        return out
    if type_code == BOLUS_SCHEDULE:
        c, p, pt = m["clinicianBolus"], m["primingBolus"], m["patientBolus"]
        out = u8((1 if c else 0) | (2 if p else 0) | (4 if pt else 0))
        if c:
            out += u32(c["doseNanograms"]) + u16(c["durationMinutes"])
        if p:
            out += u8(code_of(PRIMING_KINDS, p["kind"])) + u16(p["volumeMicrolitres"]) + u16(p["durationMinutes"])
        if pt:
            out += (u32(pt["doseNanograms"]) + u16(pt["durationMinutes"]) + u16(pt["lockoutMinutes"])
                    + u8(pt["maxPerDay"]))
        out += u8(len(m["periodicBoluses"]))
        for b in m["periodicBoluses"]:
            out += u16(b["startMinute"]) + u32(b["doseNanograms"]) + u16(b["durationMinutes"])
        return out
    if type_code == REFILL_CONFIRMATION:
        return (u8(code_of(DRUGS, m["drug"])) + u32(m["concentrationMicrogramsPerMillilitre"])
                + u32(m["volumeWithdrawnMicrolitres"]) + u32(m["volumeAddedMicrolitres"])
                + u32(m["resultingReservoirMicrolitres"]) + u32(m["refillTime"]))
    if type_code == REFILL_RECEIPT:
        return (u32(m["confirmationDigest"]) + u32(m["resultingReservoirMicrolitres"])
                + u32(m["lowReservoirAlarmTime"]))
    if type_code == MEMORY_DUMP_REQUEST:
        return (u8(code_of(REGIONS, m["region"])) + u8(1 if m["compressionAllowed"] else 0)
                + u32(m["offset"]) + u32(m["length"]))
    if type_code == MEMORY_DUMP_CHUNK:
        return (u8(code_of(REGIONS, m["region"])) + u8(code_of(ENCODINGS, m["encoding"]))
                + u16(m["chunkIndex"]) + u16(m["chunkCount"]) + u32(m["regionOffset"])
                + u32(m["imageLength"]) + u32(m["imageCrc32"]) + u32(m["dataOffset"])
                + bytes.fromhex(m["data"]))
    if type_code == ACKNOWLEDGEMENT:
        return u8(m["acknowledgedType"]) + u32(m["digest"])
    if type_code == NEGATIVE_ACKNOWLEDGEMENT:
        return u8(m["rejectedType"]) + u16(m["errorCode"]) + u16(m["errorOffset"])
    return bytes.fromhex(m["payload"])  # unknown message: type + raw payload (PW-FRAME-8)


def encode_payload(type_code, m):
    """Canonical payload of a message value. PW-ENC-5: an encoder refuses, with the decoder's code,
    a value the decoder would reject; this is done by decoding the candidate (payload offsets)."""
    try:
        out = encode_payload_unchecked(type_code, m)
    except (KeyError, ValueError, struct.error, UnicodeError, TypeError):
        raise PumpWireError(FIELD_OUT_OF_RANGE, 0, payload_offset=True)
    check(len(out) <= 1024, PAYLOAD_TOO_LARGE, 0)
    decoded = decode_payload(type_code, out, 0)
    if decoded != m:
        raise PumpWireError(NON_CANONICAL, 0, payload_offset=True)
    return out


# =============================================================================================
# Section 4. Frame (and section 6, the authentication placeholder)
# =============================================================================================

SYNC = b"\xa5\xc3"
HEADER_SIZE = 9
MAX_FRAME_PAYLOAD = 240
AUTH_SIZE = 20
FLAG_FRAGMENT = 0x01
FLAG_AUTHENTICATED = 0x02


class Frame:
    """A frame that passed the frame checks of 4.2 steps 1 to 8.

    After the content checks (step 9 or 10) exactly one of `fragment` (index, count, totalLength,
    data) and `message` (the section 12 `message` object) is set."""

    def __init__(self, type_code, sequence, flags, payload, auth, length):
        self.type_code = type_code
        self.sequence = sequence
        self.flags = flags
        self.payload = payload          # the frame payload as received
        self.auth = auth                # None or (freshnessCounter, tag bytes): PW-AUTH-3
        self.length = length            # whole frame length in bytes
        self.fragment = None
        self.message = None
        self.sealed = None              # PW-AUTH-3: (fragment header or None, ciphertext bytes)

    @property
    def is_fragment(self):
        return bool(self.flags & FLAG_FRAGMENT)


def decode_frame_header(buf, single=True):
    """4.2 steps 1 to 8 (step 8 only when `single`: one frame alone, not a stream, 4.3).
    Errors are frame offsets. PW-FRAME-9: the first failing check is reported."""
    n = len(buf)
    k = min(n, 2)
    check(bytes(buf[:k]) == SYNC[:k], BAD_SYNC, 0)                 # 1. PW-FRAME-1 (bytes present)
    check(n >= HEADER_SIZE, TRUNCATED, n)                          # 2. PW-FRAME-2
    check(buf[2] == 1, UNSUPPORTED_VERSION, 2)                     # 3. PW-FRAME-3
    flags = buf[4]
    check(flags & 0xfc == 0, NON_CANONICAL, 4)                     # 4. PW-FRAME-4
    payload_length = get16(buf, 7)
    check(payload_length <= MAX_FRAME_PAYLOAD, PAYLOAD_TOO_LARGE, 7)  # 5. PW-FRAME-5
    authenticated = bool(flags & FLAG_AUTHENTICATED)
    crc_offset = HEADER_SIZE + payload_length + (AUTH_SIZE if authenticated else 0)
    length = crc_offset + 2
    check(n >= length, TRUNCATED, n)                               # 6. PW-FRAME-2
    check(get16(buf, crc_offset) == crc16(buf[:crc_offset]), BAD_CRC, crc_offset)  # 7. PW-FRAME-6
    if single:
        check(n == length, TRAILING_BYTES, length)                 # 8. PW-FRAME-7
    payload = bytes(buf[HEADER_SIZE:HEADER_SIZE + payload_length])
    auth = None
    if authenticated:                                              # PW-AUTH-3: expose both fields
        block = bytes(buf[HEADER_SIZE + payload_length:crc_offset])
        auth = (get32(block, 0), block[4:])
    return Frame(buf[3], get16(buf, 5), flags, payload, auth, length)


def decode_frame_content(frame):
    """4.2 step 9 (fragment header, 5.2) or step 10 (message payload, sections 7 and 9).
    PW-AUTH-3: a frame with the AUTHENTICATED flag is sealed: its payload (after the fragment
    header) is ciphertext, never decoded as a message."""
    if frame.auth is not None:
        if frame.is_fragment:
            index, count, total, data = decode_fragment_header(frame.payload)   # step 9
            frame.sealed = ((index, count, total), data)
        else:
            frame.sealed = (None, frame.payload)
    elif frame.is_fragment:
        frame.fragment = decode_fragment_header(frame.payload)
    else:
        frame.message = decode_payload(frame.type_code, frame.payload, HEADER_SIZE)
    return frame


def decode_frame(buf, single=True):
    """Decode one frame, every check of 4.2 in order (steps 1 to 10; step 8 only if single)."""
    return decode_frame_content(decode_frame_header(buf, single))


def build_frame(type_code, sequence, payload, fragment=False, auth=None):
    """Frame layout of 4.1: header, payload, optional authentication block, CRC-16 (PW-CRC-1)."""
    if len(payload) > MAX_FRAME_PAYLOAD:
        raise PumpWireError(PAYLOAD_TOO_LARGE, 7)  # PW-ENC-5: refuse what the decoder rejects
    flags = (FLAG_FRAGMENT if fragment else 0) | (FLAG_AUTHENTICATED if auth is not None else 0)
    body = SYNC + u8(1) + u8(type_code) + u8(flags) + u16(sequence) + u16(len(payload)) + payload
    if auth is not None:
        counter, tag = auth
        assert len(tag) == 16
        body += u32(counter) + tag          # PW-AUTH-3: re-emit a decoded block unchanged
    return body + u16(crc16(body))


def encode_frame(frame):
    """Canonical re-encoding of a decoded frame, from its decoded values (not the input bytes)."""
    if frame.sealed is not None:                                   # PW-AUTH-3: re-encoded as it is
        header, ciphertext = frame.sealed
        payload = (u8(header[0]) + u8(header[1]) + u16(header[2]) if header else b"") + ciphertext
        return build_frame(frame.type_code, frame.sequence, payload, header is not None, frame.auth)
    if frame.fragment is not None:
        index, count, total, data = frame.fragment
        payload = u8(index) + u8(count) + u16(total) + data
        return build_frame(frame.type_code, frame.sequence, payload, True, frame.auth)
    payload = encode_payload(frame.type_code, frame.message)
    return build_frame(frame.type_code, frame.sequence, payload, False, frame.auth)


def encode_message_frames(type_code, sequence, message):
    """PW-FRAG-1: one frame for a payload of 240 bytes or less, else ceil(n / 236) fragments."""
    payload = encode_payload(type_code, message)
    if len(payload) <= MAX_FRAME_PAYLOAD:
        return [build_frame(type_code, sequence, payload)]
    count = -(-len(payload) // FRAGMENT_DATA_SIZE)
    return [build_frame(type_code, sequence,
                        u8(k) + u8(count) + u16(len(payload))
                        + payload[FRAGMENT_DATA_SIZE * k:FRAGMENT_DATA_SIZE * (k + 1)], fragment=True)
            for k in range(count)]


# =============================================================================================
# Section 5. Fragmentation and reassembly
# =============================================================================================

FRAGMENT_DATA_SIZE = 236
MAX_MESSAGE_PAYLOAD = 1024


def decode_fragment_header(p):
    """5.2, with frame offsets (the fragment header starts at frame offset 9)."""
    # The four header fields are read first: the first that does not fit is LENGTH_MISMATCH.
    check(len(p) >= 1, LENGTH_MISMATCH, 9)     # fragmentIndex
    check(len(p) >= 2, LENGTH_MISMATCH, 10)    # fragmentCount
    check(len(p) >= 4, LENGTH_MISMATCH, 11)    # totalLength
    index, count, total = p[0], p[1], get16(p, 2)
    check(2 <= count <= 5, FRAGMENT_COUNT_INVALID, 10)                       # PW-FRAG-2
    check(index < count, FRAGMENT_INDEX_OUT_OF_RANGE, 9)                     # PW-FRAG-3
    check(total <= MAX_MESSAGE_PAYLOAD, PAYLOAD_TOO_LARGE, 11)               # PW-FRAG-4
    check(total > MAX_FRAME_PAYLOAD, NON_CANONICAL, 11)
    check(count == -(-total // FRAGMENT_DATA_SIZE), FRAGMENT_COUNT_INVALID, 10)  # PW-FRAG-5
    expected = FRAGMENT_DATA_SIZE if index < count - 1 else total - FRAGMENT_DATA_SIZE * (count - 1)
    check(len(p) - 4 == expected, FRAGMENT_SIZE_INVALID, 7)                  # PW-FRAG-6
    return (index, count, total, bytes(p[4:]))


ACCEPTED, DUPLICATE, COMPLETE = 0, 1, 2


class Reassembler:
    """5.3: at most one message in progress, keyed by (messageType, sequence), with the
    fragmentCount and totalLength of its first fragment (the first received, whatever its index:
    conformance.md 2.4.5).
    Duplicates are compared on their data only, not their authentication block (README A14)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.key = None
        self.count = None
        self.total = None
        self.parts = {}
        self.first_start = None   # stream offset of its first fragment (STREAM items)

    @property
    def in_progress(self):
        return self.key is not None

    def add(self, frame, start=None):
        """Add a decoded fragment frame. Returns (ACCEPTED|DUPLICATE,) or (COMPLETE, payload,
        start of the message's first fragment).
        Raises FRAGMENT_INTERLEAVED / FRAGMENT_CONFLICT (frame offsets), state unchanged."""
        index, count, total, data = frame.fragment
        key = (frame.type_code, frame.sequence)
        if self.key is None:
            self.key, self.count, self.total, self.parts = key, count, total, {}
            self.first_start = start
        check(key == self.key, FRAGMENT_INTERLEAVED, 3)             # PW-FRAG-10
        check(count == self.count, FRAGMENT_CONFLICT, 10)            # PW-FRAG-9, in this order:
        check(total == self.total, FRAGMENT_CONFLICT, 11)            # count, totalLength, data
        if index in self.parts:
            check(self.parts[index] == data, FRAGMENT_CONFLICT, 13)
            return (DUPLICATE,)                                      # PW-FRAG-8
        self.parts[index] = data
        if len(self.parts) < self.count:                             # PW-FRAG-7: any order
            return (ACCEPTED,)
        payload = b"".join(self.parts[i] for i in range(self.count))
        first_start = self.first_start
        self.reset()                                                 # PW-FRAG-13
        return (COMPLETE, payload, first_start)

    def missing(self):
        """PW-FRAG-11: every missing index."""
        if not self.in_progress:
            return []
        return [i for i in range(self.count) if i not in self.parts]

    def give_up(self):
        """PW-FRAG-11: FRAGMENT_MISSING at the payload offset 236 * first missing index; the
        reassembler is then empty. Returns None when nothing is in progress."""
        if not self.in_progress:
            return None
        err = PumpWireError(FRAGMENT_MISSING, FRAGMENT_DATA_SIZE * self.missing()[0],
                            payload_offset=True)
        err.stream_offset = self.first_start
        self.reset()
        return err


# =============================================================================================
# Section 4.3 (with 5.4). Byte streams
# =============================================================================================

ITEM_FRAME, ITEM_MESSAGE, ITEM_REJECTION = 0, 1, 2


def next_sync(data, start):
    """4.3 step 3: the next a5 c3 after the current frame start; a lone a5 as the last byte of
    the stream counts as a sync word. None if there is none."""
    i = data.find(SYNC, start + 1)
    if i >= 0:
        return i
    last = len(data) - 1
    if last > start and data[last] == 0xa5:
        return last
    return None


def read_stream(data):
    """Read a byte stream as 4.3 says, reassembling fragments (5.3) and abandoning on
    interleaving (5.4). Returns the STREAM items of conformance.md 2.4.5 as tuples:
      (ITEM_FRAME, start, canonical frame bytes)
      (ITEM_MESSAGE, first fragment's start, type code, canonical payload)
      (ITEM_REJECTION, stream offset, code, offset, 1 if payload offset else 0)"""
    data = bytes(data)
    view = memoryview(data)      # no copy of the rest of the stream at each attempt
    items = []
    reasm = Reassembler()
    pos = 0
    while pos < len(data):
        try:
            frame = decode_frame(view[pos:], single=False)       # 4.3 step 1: 4.2 except step 8
        except PumpWireError as e:
            # PW-FRAME-10 / PW-FRAME-11: report at the frame start, resume at the next sync word,
            # also after a step 9 or 10 error in a frame whose CRC is good (conformance.md 2.4.5).
            items.append((ITEM_REJECTION, pos, e.code, e.offset, 0))
            nxt = next_sync(data, pos)
            if nxt is None:
                break
            pos = nxt
            continue
        items.append((ITEM_FRAME, pos, encode_frame(frame)))
        if frame.is_fragment and frame.sealed is None:             # PW-AUTH-3: not reassembled without keys
            add_fragment_to_stream(reasm, frame, pos, items)
        pos += frame.length                                        # 4.3 step 2
    abandoned = reasm.give_up()                                    # end of capture: PW-FRAG-11
    if abandoned is not None:
        items.append((ITEM_REJECTION, abandoned.stream_offset, FRAGMENT_MISSING, abandoned.offset, 1))
    return items


def add_fragment_to_stream(reasm, frame, pos, items):
    try:
        result = reasm.add(frame, pos)
    except PumpWireError as e:
        if e.code != FRAGMENT_INTERLEAVED:
            # conformance.md 2.4.5: a fragment that decodes but that the reassembler rejects
            # (FRAGMENT_CONFLICT) gives its frame item, then a rejection at the frame's start with
            # the frame offset of 5.3, and the reader goes on after the frame.
            items.append((ITEM_REJECTION, pos, e.code, e.offset, 0))
            return
        # 5.4: report the message in progress as abandoned, reset, give the new fragment again.
        # conformance.md 2.4.5: FRAGMENT_INTERLEAVED itself is not an item.
        abandoned = reasm.give_up()
        items.append((ITEM_REJECTION, abandoned.stream_offset, FRAGMENT_MISSING, abandoned.offset, 1))
        result = reasm.add(frame, pos)
    if result[0] != COMPLETE:
        return
    payload, first_start = result[1], result[2]
    try:
        message = decode_payload(frame.type_code, payload, 0)      # PW-FRAG-12: payload offsets
    except PumpWireError as e:
        items.append((ITEM_REJECTION, first_start, e.code, e.offset, 1))
        return
    items.append((ITEM_MESSAGE, first_start, frame.type_code, encode_payload(frame.type_code, message)))


# =============================================================================================
# Section 11.3. Session checks
# =============================================================================================

class Outstanding:
    def __init__(self, index, type_code, sequence, payload, message, refusal):
        self.index = index
        self.type_code = type_code
        self.sequence = sequence
        self.payload = payload
        self.message = message
        self.refusal = refusal          # None, or the required (rejectedType, errorCode, errorOffset)
        # A memory dump's transfer: the first chunk's (chunkCount, imageLength, imageCrc32, region,
        # regionOffset, encoding), the chunks that count, and whether ENCODING_NOT_ALLOWED was
        # reported. A retransmission makes a new Outstanding, so a new transfer (README A24).
        self.first_chunk = None
        self.chunks = {}
        self.encoding_reported = False


class SessionChecker:
    """Reads the frames of a session in order (both directions) and reports findings (codes 64
    to 75) with the index of the frame concerned (PW-SESSION-5 to PW-SESSION-8)."""

    def __init__(self):
        self.findings = []
        self.outstanding = None
        self.last_sequence = None
        self.confirmed_rx = None        # (payload, message) of the last confirmed prescription
        self.confirmed_bolus = None     # payload of the last confirmed bolus schedule
        self.reasm = Reassembler()

    def find(self, index, code):
        self.findings.append((index, code))

    def feed(self, index, data):
        try:
            frame = decode_frame_header(data, single=True)    # 11.3: exactly one frame per entry
        except PumpWireError:
            return  # PW-SESSION-5: fails 4.2 steps 1 to 8: neither request nor response
        if frame.auth is not None:
            return  # PW-SESSION-5, PW-AUTH-3: a sealed frame is ciphertext without the keys
        tc = frame.type_code
        error = None
        message = None
        payload = frame.payload
        if frame.is_fragment:
            try:
                frame.fragment = decode_fragment_header(frame.payload)     # step 9
            except PumpWireError as e:
                error = (e.code, e.offset)
            if error is None:
                try:
                    result = self.reasm.add(frame, index)
                except PumpWireError as e:
                    if e.code != FRAGMENT_INTERLEAVED:
                        # PW-SESSION-5, 11.3: a fragment that the reassembler rejects
                        # (FRAGMENT_CONFLICT) is the reassembler's to report; the checker's state
                        # is unchanged.
                        return
                    # 5.4 (AMBIGUITY, README A9): the message in progress is abandoned (the
                    # reassembler's to report) and the new fragment is given again.
                    self.reasm.give_up()
                    result = self.reasm.add(frame, index)
                if result[0] != COMPLETE:
                    # 11.3: fragments count only once their message is complete, at the index of
                    # the last fragment; a message still incomplete at the end is not a finding.
                    return
                payload = result[1]
                try:
                    message = decode_payload(tc, payload, 0)                # PW-FRAG-12
                except PumpWireError as e:
                    error = (e.code, e.offset)
        else:
            try:
                message = decode_payload(tc, payload, HEADER_SIZE)          # step 10
            except PumpWireError as e:
                error = (e.code, e.offset)
        if tc in REGISTRY and REGISTRY[tc][1] == I2P:
            if error is not None:
                # PW-SESSION-5: a response whose fragment header or payload fails a check is not
                # a response; the checker leaves its state unchanged (its decoder reports it).
                return
            self.response(index, tc, frame.sequence, message)
        else:
            self.request(index, tc, frame.sequence, payload, message, error)

    # PW-SESSION-6
    def request(self, index, tc, seq, payload, message, error):
        o = self.outstanding
        retransmission = (o is not None and o.type_code == tc and o.sequence == seq
                          and o.payload == payload)
        # PW-SESSION-9: a memory dump whose answer has begun (a chunk counted) is abandoned by
        # the next request, not overtaken by it.
        abandons = o is not None and o.first_chunk is not None
        if o is not None and not retransmission and not abandons:   # 1.
            self.find(index, REQUEST_WHILE_OUTSTANDING)
        if self.last_sequence is not None and seq not in (self.last_sequence,
                                                          (self.last_sequence + 1) & 0xffff):
            self.find(index, SEQUENCE_GAP)
        self.last_sequence = seq
        refusal = None
        if error is not None:                       # PW-SESSION-5, PW-ERR-2, PW-NAK-2
            refusal = (tc, error[0], error[1])
        elif tc not in REGISTRY:                    # PW-ERR-3
            refusal = (tc, UNKNOWN_MESSAGE_TYPE, 3)
        elif tc == REFILL_CONFIRMATION and self.confirmed_rx is not None:   # PW-REFILL-5
            rx = self.confirmed_rx[1]
            if message["drug"] != rx["drug"]:
                refusal = (tc, DRUG_MISMATCH, 0)
            elif message["concentrationMicrogramsPerMillilitre"] != rx["concentrationMicrogramsPerMillilitre"]:
                refusal = (tc, CONCENTRATION_MISMATCH, 1)
            elif message["resultingReservoirMicrolitres"] > rx["reservoirCapacityMicrolitres"]:
                refusal = (tc, RESERVOIR_OVERFILL, 13)
        # 3. The request becomes the outstanding one. A retransmission replaces the outstanding
        # request by itself (11.3): its index becomes the retransmission's, and dump chunks
        # received before it are dropped (the pump sends them again).
        self.outstanding = Outstanding(index, tc, seq, payload, message, refusal)

    # PW-SESSION-7
    def response(self, index, tc, seq, m):
        o = self.outstanding
        if o is None:
            self.find(index, UNSOLICITED_RESPONSE)                  # 1.
            return
        if seq != o.sequence:
            self.find(index, SEQUENCE_MISMATCH)                     # 2.
            return
        if o.refusal is not None:                                   # 3. (terminal)
            if not (tc == NEGATIVE_ACKNOWLEDGEMENT and m is not None and
                    (m["rejectedType"], m["errorCode"], m["errorOffset"]) == o.refusal):
                self.find(index, WRONG_REFUSAL)
            self.outstanding = None
            return
        if tc not in REGISTRY[o.type_code][2]:                      # 4. (terminal)
            self.find(index, UNEXPECTED_RESPONSE_TYPE)
            self.outstanding = None
            return
        if tc == NEGATIVE_ACKNOWLEDGEMENT:                          # 5.
            if m["rejectedType"] != o.type_code:
                self.find(index, WRONG_REFUSAL)
        elif tc == ACKNOWLEDGEMENT:                                 # 6.
            if m["acknowledgedType"] != o.type_code or m["digest"] != crc32(o.payload):
                self.find(index, DIGEST_MISMATCH)
            elif o.type_code == PRESCRIPTION_BLOCK:
                self.confirmed_rx = (o.payload, o.message)
            else:
                self.confirmed_bolus = o.payload
        elif tc == PUMP_STATUS:                  # 7. one finding per wrong digest
            if (m["prescriptionStored"] and self.confirmed_rx is not None
                    and m["prescriptionDigest"] != crc32(self.confirmed_rx[0])):
                self.find(index, DIGEST_MISMATCH)
            if (m["bolusScheduleStored"] and self.confirmed_bolus is not None
                    and m["bolusScheduleDigest"] != crc32(self.confirmed_bolus)):
                self.find(index, DIGEST_MISMATCH)
        elif tc == REFILL_RECEIPT:                                  # 8.
            refill = o.message
            bad = (m["confirmationDigest"] != crc32(o.payload)
                   or m["resultingReservoirMicrolitres"] != refill["resultingReservoirMicrolitres"])
            if not bad and self.confirmed_rx is not None:
                bad = m["lowReservoirAlarmTime"] != d5_low_reservoir_alarm_time(self.confirmed_rx[1], refill)
            if bad:
                self.find(index, RECEIPT_MISMATCH)
        elif tc == MEMORY_DUMP_CHUNK:                               # 9.
            key = (m["chunkCount"], m["imageLength"], m["imageCrc32"], m["region"], m["regionOffset"],
                   m["encoding"])
            if o.first_chunk is None:
                o.first_chunk = key
            elif key != o.first_chunk:
                self.find(index, CHUNK_CONFLICT)
                # The chunk is set aside: it is not kept, does not answer the request, and is not
                # checked further (no ENCODING_NOT_ALLOWED for it: README A23).
                # AMBIGUITY (README A12): chunks are not compared with the request (PW-DUMP-10).
                return
            if (m["encoding"] == "zlib" and not o.message["compressionAllowed"]
                    and not o.encoding_reported):
                # PW-DUMP-11: once a transfer, at its first such chunk; the chunk is used all the same.
                self.find(index, ENCODING_NOT_ALLOWED)
                o.encoding_reported = True
            # Of two chunks with the same index the first counts.
            o.chunks.setdefault(m["chunkIndex"], bytes.fromhex(m["data"]))
            count, image_length, image_crc, encoding = key[0], key[1], key[2], key[5]
            if len(o.chunks) < count:
                return  # chunks still to come: the request is not answered yet
            transfer = b"".join(o.chunks[i] for i in range(count))
            try:
                rebuild_image(encoding, transfer, image_length, image_crc)   # PW-IMAGE-5
            except PumpWireError:
                self.find(index, IMAGE_CRC_MISMATCH)   # any of its three steps (PW-DUMP-8)
        self.outstanding = None  # every other response answers the request

    def end(self):
        if self.outstanding is not None:
            self.find(self.outstanding.index, NO_RESPONSE)          # PW-SESSION-8
        return self.findings


def check_session(frames):
    checker = SessionChecker()
    for i, f in enumerate(frames):
        checker.feed(i, f)
    # 11.3, conformance.md 1.1 and 2.4.7: findings in the order found (NO_RESPONSE last).
    return checker.end()


# =============================================================================================
# Section 12. JSON view, and its flattening for DECODE_FIELDS (conformance.md 2.4.2)
# =============================================================================================

def frame_view(frame):
    """PW-JSON-1..4: the JSON view of one decoded frame."""
    view = {"messageType": type_name(frame.type_code), "typeCode": frame.type_code,
            "sequence": frame.sequence, "authentication": None}
    if frame.auth is not None:
        view["authentication"] = {"freshnessCounter": frame.auth[0], "tag": frame.auth[1].hex()}
    if frame.sealed is not None:                                   # PW-AUTH-3
        header, ciphertext = frame.sealed
        view["sealed"] = {"fragment": None if header is None else
                          {"index": header[0], "count": header[1], "totalLength": header[2]},
                          "ciphertext": ciphertext.hex()}
    elif frame.fragment is not None:
        index, count, total, data = frame.fragment
        view["fragment"] = {"index": index, "count": count, "totalLength": total, "data": data.hex()}
    else:
        view["message"] = frame.message
    return view


def reassembled_view(type_code, sequence, message):
    """PW-JSON-5."""
    return {"messageType": type_name(type_code), "typeCode": type_code, "sequence": sequence,
            "authentication": None, "message": message}


def flatten(value, path="", out=None):
    """conformance.md 2.4.2: `path=value` lines; empty arrays/objects as [] / {}."""
    if out is None:
        out = []
    if isinstance(value, dict):
        if not value:
            out.append("%s={}" % path)
        for k, v in value.items():
            flatten(v, "%s.%s" % (path, k) if path else k, out)
    elif isinstance(value, list):
        if not value:
            out.append("%s=[]" % path)
        for i, v in enumerate(value):
            flatten(v, "%s.%d" % (path, i), out)
    elif value is None:
        out.append("%s=null" % path)
    elif isinstance(value, bool):
        out.append("%s=%s" % (path, "true" if value else "false"))
    elif isinstance(value, int):
        out.append("%s=%d" % (path, value))
    else:
        out.append("%s=%s" % (path, value))
    return out


# =============================================================================================
# Section 13. Memory images: transfer encodings (13.1), rebuilding (13.2), log records (13.4)
# =============================================================================================

MAX_COMPRESSION_RATIO = 1032      # PW-IMAGE-5 step 1, Appendix A
INFLATE_PIECE = 4096              # transfer bytes given to the inflater at a time


def _inflate_feed(d, data, cap, out, produced):
    """Give `data` to the inflater `d`, never letting its total output pass `cap` bytes: each call
    asks for at most `cap - produced` more bytes (max_length, never 0, which would mean no limit),
    and input held back by the limit (unconsumed_tail) is given again. Returns the new total."""
    while True:
        chunk = d.decompress(data, cap - produced)
        out.append(chunk)
        produced += len(chunk)
        if produced >= cap or d.eof:
            return produced
        data = d.unconsumed_tail
        if not data:
            return produced


def inflate_limited(transfer, image_length):
    """PW-IMAGE-5 step 2: inflate a `zlib` transfer with the output limited to imageLength + 1
    bytes. Returns (None, image) or (code, output so far); the output never exceeds
    imageLength + 1 bytes (a decompression bomb stops there).

    Order (the stream's order, which a correct inflater meets first):
      - output reaching imageLength + 1: IMAGE_LENGTH_MISMATCH, inflating stops;
      - otherwise a stream not as PW-DUMP-12 says: INFLATE_FAILED (a bad header, CINFO above 7
        (zlib's 32 KiB window, wbits 15), a preset dictionary (FDICT: zlib asks for a dictionary,
        and none is given), invalid deflate data, a wrong Adler-32, a transfer that ends before the
        stream, bytes after the stream's end);
      - otherwise output shorter than imageLength: IMAGE_LENGTH_MISMATCH.

    zlib may go on decoding after the output is full (the next code, the Adler-32) and then
    raises an error that discards the output of that call. So when a piece of input fails, it is
    given again, from a copy of the inflater taken before it, one byte at a time: the output
    limit is then seen before any error in a later input byte. AMBIGUITY (README A18): an error
    detected inside the very byte that completes byte imageLength + 1 is still reported as
    INFLATE_FAILED: Python's zlib gives no finer grain."""
    cap = image_length + 1
    d = zlib.decompressobj()     # zlib wrapper, 32 KiB window: CINFO above 7 is rejected
    out = []
    produced = 0
    pos = 0
    n = len(transfer)
    view = memoryview(transfer)
    while pos < n and not d.eof:
        piece = view[pos:pos + INFLATE_PIECE]
        saved, saved_produced, saved_parts = d.copy(), produced, len(out)
        consumed = len(piece)
        try:
            produced = _inflate_feed(d, piece, cap, out, produced)
        except zlib.error:
            d, produced = saved, saved_produced
            del out[saved_parts:]
            for i in range(len(piece)):
                try:
                    produced = _inflate_feed(d, piece[i:i + 1], cap, out, produced)
                except zlib.error:
                    return INFLATE_FAILED, b"".join(out)
                if produced >= cap or d.eof:
                    consumed = i + 1
                    break
            else:
                # Not reached in practice (zlib's result does not depend on how its input is cut);
                # kept so that an inconsistent inflater is reported, not trusted.
                return INFLATE_FAILED, b"".join(out)
        if produced >= cap:
            return IMAGE_LENGTH_MISMATCH, b"".join(out)
        if d.eof:
            pos += consumed - len(d.unused_data)   # the stream's end, in the transfer
            break
        pos += consumed
    if not d.eof:
        return INFLATE_FAILED, b"".join(out)       # the transfer ends before the stream
    if pos < n:
        return INFLATE_FAILED, b"".join(out)       # bytes after the stream's end (PW-DUMP-12)
    image = b"".join(out)
    if len(image) < image_length:
        return IMAGE_LENGTH_MISMATCH, image
    return None, image


def rebuild_image(encoding, transfer, image_length, image_crc):
    """PW-IMAGE-5: the first step that fails is reported at transfer offset 0 (a payload-side
    offset, not a frame offset)."""
    if encoding == "zlib":
        # 1. the ratio check, before any inflating
        check(image_length <= MAX_COMPRESSION_RATIO * len(transfer), COMPRESSION_RATIO_EXCEEDED, 0)
        # 2. inflate, output limited to imageLength + 1
        code, image = inflate_limited(transfer, image_length)
        if code is not None:
            raise PumpWireError(code, 0, payload_offset=True)
    else:
        image = bytes(transfer)   # `raw`: the transfer is the image (the decoder checked its size)
    # 3. PW-DUMP-8
    if crc32(image) != image_crc:
        raise PumpWireError(IMAGE_CRC_FAILED, 0, payload_offset=True)
    return image


CHUNK_ADDED, CHUNK_DUPLICATE = 0, 1

# PW-IMAGE-2 step 2: the fields that describe the image, in the order compared, with their
# payload offsets.
IMAGE_FIELDS = (("region", 0), ("encoding", 1), ("chunkCount", 4), ("regionOffset", 6),
                ("imageLength", 10), ("imageCrc32", 14))


class ImageReassembler:
    """13.2: the chunks of one transfer, given as decoded `memoryDumpChunk` messages (9.8). The first
    chunk accepted fixes the image's fields; errors are payload offsets in the chunk concerned."""

    def __init__(self):
        self.first = None      # the IMAGE_FIELDS values of the first chunk accepted
        self.parts = {}        # chunkIndex -> data

    def add(self, m):
        """PW-IMAGE-1, PW-IMAGE-2. Returns CHUNK_ADDED or CHUNK_DUPLICATE; raises (state unchanged)."""
        index = m["chunkIndex"]
        data = bytes.fromhex(m["data"])
        if self.first is None:
            self.first = {name: m[name] for name, _ in IMAGE_FIELDS}
            self.parts[index] = data
            return CHUNK_ADDED
        check(index < self.first["chunkCount"], CHUNK_BEYOND_TOTAL, 2)                 # 1.
        for name, offset in IMAGE_FIELDS:                                               # 2.
            check(m[name] == self.first[name], CHUNK_IMAGE_MISMATCH, offset)
        if index in self.parts:                                                         # 3.
            old = self.parts[index]
            if old != data:
                # The first byte that differs. AMBIGUITY (README A19): two last chunks of a `zlib`
                # transfer may differ in length; when one is a prefix of the other, the first
                # byte that differs is taken to be the first byte that only the longer one has.
                i = next((k for k, (a, b) in enumerate(zip(old, data)) if a != b), min(len(old), len(data)))
                raise PumpWireError(CHUNK_DATA_CONFLICT, 22 + i, payload_offset=True)
            return CHUNK_DUPLICATE
        self.parts[index] = data
        return CHUNK_ADDED

    @property
    def empty(self):
        return self.first is None

    @property
    def complete(self):
        """PW-IMAGE-1: every index from 0 to chunkCount - 1 has arrived."""
        return self.first is not None and len(self.parts) == self.first["chunkCount"]

    def missing(self):
        """PW-IMAGE-3: every missing index, in rising order, at any time."""
        if self.first is None:
            return []
        return [i for i in range(self.first["chunkCount"]) if i not in self.parts]

    def transfer(self):
        """13.1: the data fields in chunkIndex order."""
        return b"".join(self.parts[i] for i in range(self.first["chunkCount"]))

    def finish(self):
        """PW-IMAGE-3 then PW-IMAGE-5: the image, or CHUNKS_MISSING at the transfer offset of the
        first missing chunk, or the rebuild's error at 0."""
        missing = self.missing()
        if missing:
            raise PumpWireError(CHUNKS_MISSING, CHUNK_DATA_SIZE * missing[0], payload_offset=True)
        f = self.first
        return rebuild_image(f["encoding"], self.transfer(), f["imageLength"], f["imageCrc32"])


# 13.4 Log records ---------------------------------------------------------------------------

RECORD_SIZE = 20
LOG_REGIONS = {1: "eventLog", 2: "alarmLog", 3: "therapyHistory"}   # rawAddress holds no records
RECORD_TYPES = {0x01: "therapyChanged", 0x02: "bolusScheduleChanged", 0x03: "bolusDelivered",
                0x04: "refilled", 0x05: "clockChanged", 0x10: "alarmRaised", 0x11: "alarmCleared",
                0x20: "dailyDelivery", 0x30: "devicePaired", 0x31: "deviceUnpaired", 0x32: "sessionStarted",
                0x33: "sessionEnded", 0x34: "securityRejection"}
SECURITY_RECORD_TYPES = {0x30, 0x31, 0x32, 0x33, 0x34}                # security.md 11
REGION_RECORD_TYPES = {"eventLog": {0x01, 0x02, 0x03, 0x04, 0x05} | SECURITY_RECORD_TYPES,
                       "alarmLog": {0x10, 0x11},
                       "therapyHistory": {0x01, 0x02, 0x20}}
THERAPY_SOURCES = {1: "programmer", 2: "factoryDefault"}
BOLUS_KINDS = {1: "clinician", 2: "priming", 3: "patient", 4: "periodic"}
BOLUS_OUTCOMES = {0: "completed", 1: "stoppedByProgrammer", 2: "stoppedByAlarm"}
ALARM_CODES = {i + 1: name for i, name in enumerate(ALARMS)}         # the alarms of 9.2 plus one
ALARM_CODES[9] = "batteryElectiveReplacement"
ALARM_CAUSES = {1: "resolved", 2: "acknowledged"}
SECONDS_PER_DAY = 86400

# Bodies, in layout order: (name, size, values) with values None (any), (lo, hi), or an
# enumeration; (None, n) is n unused bytes. The alarm bodies depend on `alarm` and are read by
# read_alarm_body.
RECORD_BODIES = {
    0x01: [("prescriptionDigest", 4, None), ("previousDigest", 4, None), ("source", 1, THERAPY_SOURCES),
           (None, 3)],
    0x02: [("scheduleDigest", 4, None), ("previousDigest", 4, None), (None, 4)],
    0x03: [("kind", 1, BOLUS_KINDS), ("outcome", 1, BOLUS_OUTCOMES), ("volumeNanolitres", 4, (0, 60000000)),
           ("doseNanograms", 4, (0, 100000000)), ("durationMinutes", 2, (0, 1440))],
    0x04: [("drug", 1, DRUGS), ("concentrationMicrogramsPerMillilitre", 4, (1, 100000)),
           ("resultingReservoirMicrolitres", 4, (0, 60000)), (None, 3)],
    0x05: [("previousTime", 4, (0, 0xfffffffe)), (None, 8)],
    0x20: [("basalVolumeNanolitres", 4, (0, 60000000)), ("bolusVolumeNanolitres", 4, (0, 60000000)),
           ("bolusCount", 2, (0, 1440)), (None, 2)],
}
ALARM_DETAIL_RANGES = {"lowReservoir": (0, 60000), "emptyReservoir": (0, 60000),        # µL
                       "batteryEndOfService": (0, 5000), "batteryElectiveReplacement": (0, 5000)}  # mV


def _read_unused(r, n):
    """PW-LOG-1 step 7: an unused byte that is not 0 is NON_CANONICAL at its own offset.
    AMBIGUITY (README A22): the offset of the first such byte, not of the unused run."""
    for _ in range(n):
        o = r.offset()
        check(r.u8() == 0, NON_CANONICAL, o)


def _read_sized(r, size):
    return {1: r.u8, 2: r.u16, 4: r.u32}[size]()


def read_alarm_body(r, rtype, rec):
    # AMBIGUITY (README A26): alarmRaised's `cause` is an unused byte.
    rec["alarm"] = r.enum(ALARM_CODES)                                    # offset 6
    o = r.offset()
    cause = r.u8()                                                        # offset 7
    if rtype == 0x11:                                                     # alarmCleared
        check(cause in ALARM_CAUSES, FIELD_OUT_OF_RANGE, o)
        rec["cause"] = ALARM_CAUSES[cause]
    else:                                                                 # alarmRaised: unused, 0
        check(cause == 0, NON_CANONICAL, o)
    o = r.offset()
    detail = r.u32()                                                      # offset 8
    if rec["alarm"] in ALARM_DETAIL_RANGES:
        lo, hi = ALARM_DETAIL_RANGES[rec["alarm"]]
        check(lo <= detail <= hi, FIELD_OUT_OF_RANGE, o)
    else:
        check(detail == 0, NON_CANONICAL, o)
    rec["detail"] = detail
    _read_unused(r, 6)                                                    # offsets 12 to 17


SECURITY_ROLES = {1: "clinician", 2: "patient"}                      # security.md 4
SECURITY_PATTERNS = {1: "pairing", 2: "session"}                     # security.md 5
SESSION_END_REASONS = {1: "closed", 2: "replaced", 3: "idle", 4: "revoked", 5: "counterExhausted"}


def read_security_body(r, rtype, rec):
    """security.md 11: the bodies of records 0x30 to 0x34, each field checked as read (PW-LOG-1
    step 7); bytes 13 to 17 are unused in every type."""
    def slot(allow_none):
        o = r.offset()
        v = r.u8()
        check(v <= 3 or (allow_none and v == 0xff), FIELD_OUT_OF_RANGE, o)
        return v

    if rtype in (0x30, 0x31):                                 # devicePaired, deviceUnpaired
        rec["slot"] = slot(False)
        rec["role"] = r.enum(SECURITY_ROLES)
        rec["keyDigest"] = r.u32()
        rec["bySlot"] = slot(True)
    elif rtype == 0x32:                                       # sessionStarted
        rec["slot"] = slot(False)
        rec["sessionEpoch"] = r.u8()
        rec["pattern"] = r.enum(SECURITY_PATTERNS)
        rec["handshakeHashPrefix"] = bytes(r.take(4)).hex()
    elif rtype == 0x33:                                       # sessionEnded
        rec["slot"] = slot(False)
        rec["sessionEpoch"] = r.u8()
        rec["reason"] = r.enum(SESSION_END_REASONS)
        rec["framesAccepted"] = r.u32()
    else:                                                     # securityRejection
        rec["slot"] = slot(True)
        rec["messageType"] = r.u8()
        o = r.offset()
        code = r.u16()
        check(code in ERROR_NAMES, FIELD_OUT_OF_RANGE, o)
        rec["errorCode"], rec["errorName"] = code, ERROR_NAMES[code]
        rec["count"] = r.ranged(r.u16, 1, 65535)
        rec["sessionEpoch"] = r.u8()
    _read_unused(r, 5)


def encode_security_body(rtype, rec):
    if rtype in (0x30, 0x31):
        return (u8(rec["slot"]) + u8(code_of(SECURITY_ROLES, rec["role"])) + u32(rec["keyDigest"])
                + u8(rec["bySlot"]))
    if rtype == 0x32:
        return (u8(rec["slot"]) + u8(rec["sessionEpoch"]) + u8(code_of(SECURITY_PATTERNS, rec["pattern"]))
                + bytes.fromhex(rec["handshakeHashPrefix"]))
    if rtype == 0x33:
        return (u8(rec["slot"]) + u8(rec["sessionEpoch"]) + u8(code_of(SESSION_END_REASONS, rec["reason"]))
                + u32(rec["framesAccepted"]))
    return (u8(rec["slot"]) + u8(rec["messageType"]) + u16(rec["errorCode"]) + u16(rec["count"])
            + u8(rec["sessionEpoch"]))


def decode_log_record(slot, base, region):
    """PW-LOG-1 steps 3 to 7 for one whole, non-erased 20-byte slot at image offset `base`.
    Returns the record's value: {"record": name, "time": t, ...body fields} (PW-JSON-6 without
    "offset"); errors carry image offsets."""
    check(get16(slot, 18) == crc16(slot[:18]), RECORD_CRC_MISMATCH, base + 18)          # 3.
    r = Reader(bytes(slot[:18]), base)
    rtype = r.u8()
    check(rtype in REGION_RECORD_TYPES[region], FIELD_OUT_OF_RANGE, base)              # 4.
    check(r.u8() == 0, NON_CANONICAL, base + 1)                                         # 5.
    time = r.u32()
    check(time != NEVER, FIELD_OUT_OF_RANGE, base + 2)                                  # 6.
    if rtype == 0x20:
        # dailyDelivery: that day's 00:00. AMBIGUITY (README A21): checked with `time`, before the body.
        check(time % SECONDS_PER_DAY == 0, FIELD_OUT_OF_RANGE, base + 2)
    rec = {"record": RECORD_TYPES[rtype], "time": time}
    if rtype in (0x10, 0x11):                                                           # 7.
        read_alarm_body(r, rtype, rec)
    elif rtype in SECURITY_RECORD_TYPES:
        read_security_body(r, rtype, rec)
    else:
        for field in RECORD_BODIES[rtype]:
            if field[0] is None:
                _read_unused(r, field[1])
                continue
            name, size, values = field
            if isinstance(values, dict):
                assert size == 1
                rec[name] = r.enum(values)
            elif values is None:
                rec[name] = _read_sized(r, size)
            else:
                rec[name] = r.ranged(lambda: _read_sized(r, size), values[0], values[1])
    r.finish()   # the body is exactly 12 bytes: always true here
    return rec


def encode_log_record(rec):
    """The canonical 20 bytes of a record value, built from its fields (never from input bytes):
    type, reserved 0, time, body with unused bytes 0, CRC-16 of bytes 0 to 17 (13.4)."""
    rtype = code_of(RECORD_TYPES, rec["record"])
    out = u8(rtype) + u8(0) + u32(rec["time"])
    if rtype in (0x10, 0x11):
        out += u8(code_of(ALARM_CODES, rec["alarm"]))
        out += u8(code_of(ALARM_CAUSES, rec["cause"]) if rtype == 0x11 else 0)
        out += u32(rec["detail"]) + bytes(6)
    elif rtype in SECURITY_RECORD_TYPES:
        out += encode_security_body(rtype, rec) + bytes(5)
    else:
        for field in RECORD_BODIES[rtype]:
            if field[0] is None:
                out += bytes(field[1])
                continue
            name, size, values = field
            v = code_of(values, rec[name]) if isinstance(values, dict) else rec[name]
            out += {1: u8, 2: u16, 4: u32}[size](v)
    assert len(out) == 18
    return out + u16(crc16(out))


LOG_RECORD, LOG_ERASED, LOG_REJECTED = 0, 1, 2
ERASED_SLOT = b"\xff" * RECORD_SIZE


def read_log(region, region_offset, image):
    """13.4: read a log image of `region` (a name of LOG_REGIONS) starting at `region_offset`.
    Returns the items in image order (conformance.md 2.4.9, PW-JSON-6):
      (LOG_RECORD, image offset, record value)
      (LOG_ERASED, image offset of the run's first slot, number of slots)   (PW-LOG-2)
      (LOG_REJECTED, image offset of the slot, code, image offset of the failing field)"""
    image = bytes(image)
    items = []
    n = len(image)
    # Slots lie at region offsets that are multiples of 20 (13.4, PW-LOG-3).
    pos = (-region_offset) % RECORD_SIZE
    if pos and n:
        # PW-LOG-1 step 1: the bytes before the next multiple of 20 are one partial slot,
        # RECORD_TRUNCATED at its first byte in the image, 0 (conformance.md 2.4.9); one item even
        # when the image ends before that multiple, and even if its bytes are all 0xff (README A25).
        items.append((LOG_REJECTED, 0, RECORD_TRUNCATED, 0))
    while pos < n:
        slot = image[pos:pos + RECORD_SIZE]
        if len(slot) < RECORD_SIZE:                                     # 1. the image ends inside it
            items.append((LOG_REJECTED, pos, RECORD_TRUNCATED, pos))
        elif slot == ERASED_SLOT:                                       # 2. erased
            last = items[-1] if items else None
            if last is not None and last[0] == LOG_ERASED and last[1] + RECORD_SIZE * last[2] == pos:
                items[-1] = (LOG_ERASED, last[1], last[2] + 1)          # PW-LOG-2: one item a run
            else:
                items.append((LOG_ERASED, pos, 1))
        else:
            try:
                items.append((LOG_RECORD, pos, decode_log_record(slot, pos, region)))
            except PumpWireError as e:                                  # PW-LOG-2: go on
                items.append((LOG_REJECTED, pos, e.code, e.offset))
        pos += RECORD_SIZE
    return items


def log_item_view(item):
    """PW-JSON-6."""
    if item[0] == LOG_RECORD:
        return dict({"offset": item[1]}, **item[2])
    if item[0] == LOG_ERASED:
        return {"offset": item[1], "erased": item[2]}
    return {"offset": item[1], "error": {"code": item[2], "name": ERROR_NAMES[item[2]], "offset": item[3]}}


# =============================================================================================
# conformance.md section 2. The testee protocol
# =============================================================================================

OK, REJECTED, SKIPPED, RUNTIME_ERROR = 0, 1, 2, 3
CAPABILITIES = 0x1ff  # decode, crc, reassembly, stream, derived, session, fields, dump, log
NAME = "pumpwire-python-testee 1"
MAX_MESSAGE = 16 * 1024 * 1024

# The security layer (capability `secure`, conformance.md 2.4.10) needs `cryptography` for X25519
# and ChaCha20-Poly1305; everything else is the standard library.
try:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.exceptions import InvalidTag
    SECURE_AVAILABLE = True
except ImportError:  # pragma: no cover
    SECURE_AVAILABLE = False

if SECURE_AVAILABLE:
    CAPABILITIES |= 0x200  # secure (2.4.10): only with the `cryptography` package


# PUMP_BEGIN and PUMP_RECEIVE (2.4.10): the secure pump of security.md PW-SEC-21 is
# vectors/tools/secure_pump.py, written from the spec alone in Python (the generator of the
# `securePump` vectors uses it too); it needs `noiseprotocol` for its Noise handshakes and decodes the
# messages of section 9 with this module's decoders.
SECURE_PUMP_ERROR = None
if SECURE_AVAILABLE:
    try:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "vectors", "tools"))
        import secure_pump
    except ImportError as e:  # pragma: no cover
        SECURE_PUMP_ERROR = "the secure pump needs vectors/tools/secure_pump.py and noiseprotocol: %s" % e


class BadRequest(Exception):
    pass


def rejected(e):
    return u8(REJECTED) + u16(e.code) + u32(e.offset)


class Testee:
    def __init__(self):
        self.reasm = Reassembler()   # 2.4.4: one reassembler kept between requests
        self.handshake = None        # 2.4.10: one handshake, replaced by HANDSHAKE_BEGIN
        self.pump = None             # 2.4.10: one secure pump, replaced by PUMP_BEGIN

    def handle(self, body):
        """One request body, one response body (PW-CONF-1); conformance.md 2.7 for the requests
        2.4 does not describe: an unknown code is SKIPPED, a malformed body a RUNTIME_ERROR, and
        neither changes the testee's state (PW-CONF-5)."""
        if not body:
            return u8(RUNTIME_ERROR) + b"malformed request: empty body"
        code, rest = body[0], bytes(body[1:])
        handler = {0x00: self.hello, 0x01: self.decode_frame, 0x02: self.decode_fields,
                   0x03: self.crc16, 0x04: self.crc32, 0x05: self.reassembler_reset,
                   0x06: self.reassembler_add, 0x07: self.reassembler_give_up,
                   0x08: self.stream, 0x09: self.derive, 0x0a: self.session,
                   0x0b: self.dump, 0x0c: self.log}.get(code)
        if SECURE_AVAILABLE and handler is None:
            handler = {0x10: self.handshake_begin, 0x11: self.handshake_write,
                       0x12: self.handshake_read, 0x13: self.handshake_split,
                       0x14: self.seal, 0x15: self.open,
                       0x16: self.pump_begin, 0x17: self.pump_receive}.get(code)
        if handler is None:
            return u8(SKIPPED)
        try:
            return handler(rest)
        except PumpWireError as e:
            return rejected(e)
        except BadRequest as e:
            return u8(RUNTIME_ERROR) + ("malformed request: %s" % e).encode("utf-8")
        except Exception as e:  # noqa: BLE001 -- reported to the runner, never a crash
            log("request 0x%02x failed: %r" % (code, e))
            return u8(RUNTIME_ERROR) + ("%s: %s" % (type(e).__name__, e)).encode("utf-8")

    # 2.3
    def hello(self, rest):
        if len(rest) != 1:
            raise BadRequest("HELLO is 2 bytes")
        if rest[0] != 1:    # 2.7: answer with the version this testee speaks
            log("HELLO with protocol version %d; answering version 1" % rest[0])
        return u8(OK) + u8(1) + u32(CAPABILITIES) + NAME.encode("utf-8")

    # 2.4.1
    def decode_frame(self, rest):
        return u8(OK) + encode_frame(decode_frame(rest))

    # 2.4.2
    def decode_fields(self, rest):
        lines = flatten(frame_view(decode_frame(rest)))
        return u8(OK) + "".join(line + "\n" for line in lines).encode("utf-8")

    # 2.4.3
    def crc16(self, rest):
        return u8(OK) + u16(crc16(rest))

    def crc32(self, rest):
        return u8(OK) + u32(crc32(rest))

    # 2.4.4
    def reassembler_reset(self, rest):
        if rest:
            raise BadRequest("REASSEMBLER_RESET has no body")
        self.reasm.reset()
        return u8(OK)

    def reassembler_add(self, rest):
        frame = decode_frame(rest)             # any failing check: REJECTED, reassembler unchanged
        # conformance.md 2.4.4: an unfragmented frame is decoded fully first, so a payload error
        # is reported before NON_CANONICAL at offset 4.
        if not frame.is_fragment or frame.sealed is not None:   # a sealed fragment is not reassembled
            raise PumpWireError(NON_CANONICAL, 4)
        result = self.reasm.add(frame)         # FRAGMENT_CONFLICT / _INTERLEAVED: unchanged
        if result[0] != COMPLETE:
            return u8(OK) + u8(result[0])
        message = decode_payload(frame.type_code, result[1], 0)   # PW-FRAG-12, now empty
        return u8(OK) + u8(COMPLETE) + u8(frame.type_code) + encode_payload(frame.type_code, message)

    def reassembler_give_up(self, rest):
        if rest:
            raise BadRequest("REASSEMBLER_GIVE_UP has no body")
        err = self.reasm.give_up()
        if err is None:
            return u8(OK)
        return rejected(err)

    # 2.4.5
    def stream(self, rest):
        items = read_stream(rest)
        out = [u8(OK), u32(len(items))]
        for item in items:
            kind, offset = item[0], item[1]
            out.append(u8(kind) + u32(offset))
            if kind == ITEM_FRAME:
                out.append(u16(len(item[2])) + item[2])
            elif kind == ITEM_MESSAGE:
                out.append(u8(item[2]) + u16(len(item[3])) + item[3])
            else:
                out.append(u16(item[2]) + u32(item[3]) + u8(item[4]))
        return b"".join(out)

    # 2.4.6
    def derive(self, rest):
        pos = 0
        frames = []
        for _ in range(2):
            if pos + 2 > len(rest):
                raise BadRequest("DERIVE body too short")
            n = get16(rest, pos)
            pos += 2
            if pos + n > len(rest):
                raise BadRequest("DERIVE frame length %d beyond the body" % n)
            frames.append(rest[pos:pos + n])
            pos += n
        if pos != len(rest):
            raise BadRequest("DERIVE body has %d bytes after the second frame" % (len(rest) - pos))
        # conformance.md 2.4.6: "a frame of another message type, or a fragment frame, is REJECTED
        # with FIELD_OUT_OF_RANGE at offset 3. The prescription frame is decoded and its type checked
        # first, then the refill frame."
        decoded = []
        for raw, want in ((frames[0], PRESCRIPTION_BLOCK), (frames[1], REFILL_CONFIRMATION)):
            f = decode_frame(raw)
            if f.type_code != want or f.message is None:
                raise PumpWireError(FIELD_OUT_OF_RANGE, 3)
            decoded.append(f)
        rx_frame, refill_frame = decoded
        rx, refill = rx_frame.message, refill_frame.message
        # "DERIVE is arithmetic only: the pump's refill checks (PW-REFILL-5) do not apply."
        return (u8(OK) + u64(d2_daily_basal_volume(rx)) + u64(d3_daily_basal_dose(rx))
                + u32(d5_low_reservoir_alarm_time(rx, refill)))

    @staticmethod
    def frame_list(rest, what):
        """2.4.7, 2.4.8: a u16 frame count, then each frame as a u16 length and its bytes; a body
        that does not fit is malformed (PW-CONF-5)."""
        if len(rest) < 2:
            raise BadRequest("%s body too short" % what)
        count = get16(rest, 0)
        pos = 2
        frames = []
        for _ in range(count):
            if pos + 2 > len(rest):
                raise BadRequest("%s body too short for %d frames" % (what, count))
            n = get16(rest, pos)
            pos += 2
            if pos + n > len(rest):
                raise BadRequest("%s frame length %d beyond the body" % (what, n))
            frames.append(rest[pos:pos + n])
            pos += n
        if pos != len(rest):
            raise BadRequest("%s body has %d bytes after the last frame" % (what, len(rest) - pos))
        return frames

    # 2.4.7
    def session(self, rest):
        findings = check_session(self.frame_list(rest, "SESSION"))
        return u8(OK) + u16(len(findings)) + b"".join(u16(i) + u16(c) for i, c in findings)

    # 2.4.8
    def dump(self, rest):
        frames = self.frame_list(rest, "DUMP")
        ra = ImageReassembler()                      # one empty image reassembler (13.2)
        out = [u8(OK), u16(len(frames))]
        for raw in frames:
            try:
                # As DECODE_FRAME (frame offsets), then the type (AMBIGUITY, README A27).
                f = decode_frame(raw)
                if f.type_code != MEMORY_DUMP_CHUNK or f.message is None:
                    raise PumpWireError(FIELD_OUT_OF_RANGE, 3)   # another type, or a fragment frame
            except PumpWireError as e:
                out.append(u8(2) + u16(e.code) + u32(e.offset) + u8(0))
                continue
            try:
                out.append(u8(ra.add(f.message)))    # PW-IMAGE-2: 0 added, 1 duplicate
            except PumpWireError as e:
                out.append(u8(2) + u16(e.code) + u32(e.offset) + u8(1))   # chunk-payload offset
        if ra.empty:
            out.append(u8(2))                        # no chunk was added
            return b"".join(out)
        missing = ra.missing()
        try:
            image = ra.finish()                      # PW-IMAGE-3, else PW-IMAGE-5
        except PumpWireError as e:
            listed = missing if e.code == CHUNKS_MISSING else []
            out.append(u8(1) + u16(e.code) + u32(e.offset) + u16(len(listed))
                       + b"".join(u16(i) for i in listed))
            return b"".join(out)
        out.append(u8(0) + u32(len(image)) + image)
        return b"".join(out)

    # 2.4.9
    def log(self, rest):
        if len(rest) < 5:
            raise BadRequest("LOG body too short")      # malformed (2.7, PW-CONF-5)
        # rawAddress, or a value not listed in 9.7, holds no records.
        check(rest[0] in LOG_REGIONS, FIELD_OUT_OF_RANGE, 0)
        items = read_log(LOG_REGIONS[rest[0]], get32(rest, 1), rest[5:])
        out = [u8(OK), u32(len(items))]
        for item in items:
            out.append(u8(item[0]) + u32(item[1]))
            if item[0] == LOG_RECORD:
                out.append(encode_log_record(item[2]))   # re-encoded from the decoded value
            elif item[0] == LOG_ERASED:
                out.append(u32(item[2]))
            else:
                out.append(u16(item[2]) + u32(item[3]))
        return b"".join(out)


    # 2.4.10: the security layer (capability `secure`)
    def handshake_begin(self, rest):
        if len(rest) < 4:
            raise BadRequest("HANDSHAKE_BEGIN too short")
        pattern, role, n = rest[0], rest[1], get16(rest, 2)
        if pattern not in NOISE_PATTERNS or role > 1:
            raise BadRequest("HANDSHAKE_BEGIN: unknown pattern or role")
        i = 4 + n
        prologue = rest[4:i]
        if len(prologue) != n or len(rest) < i + 64:
            raise BadRequest("HANDSHAKE_BEGIN too short")
        static, ephemeral = rest[i:i + 32], rest[i + 32:i + 64]
        i += 64
        optional = []
        for _ in range(2):
            if i >= len(rest) or rest[i] > 1:
                raise BadRequest("HANDSHAKE_BEGIN: a key's presence byte is missing or not 0 or 1")
            if rest[i] == 1:
                if len(rest) < i + 33:
                    raise BadRequest("HANDSHAKE_BEGIN: a key is cut short")
                optional.append(rest[i + 1:i + 33])
                i += 33
            else:
                optional.append(None)
                i += 1
        if i != len(rest):
            raise BadRequest("HANDSHAKE_BEGIN has extra bytes")
        self.handshake = None       # a malformed request changes nothing (2.7); a well-formed one drops it
        self.handshake = NoiseHandshake(pattern, role == 0, prologue, static, ephemeral,
                                        optional[0], optional[1])
        return u8(OK)

    def _handshake(self):
        if self.handshake is None:
            raise PumpWireError(HANDSHAKE_OUT_OF_ORDER, NO_OFFSET)
        return self.handshake

    def handshake_write(self, rest):
        return u8(OK) + self._handshake().write_message(rest)

    def handshake_read(self, rest):
        return u8(OK) + self._handshake().read_message(rest)

    def handshake_split(self, rest):
        if rest:
            raise BadRequest("HANDSHAKE_SPLIT has no body")
        h, k1, k2 = self._handshake().split()
        return u8(OK) + h + k1 + k2

    def seal(self, rest):
        if len(rest) < 36:
            raise BadRequest("SEAL too short")
        return u8(OK) + seal_frame(rest[:32], get32(rest, 32), rest[36:])

    def open(self, rest):
        if len(rest) < 38 or rest[33] > 1:
            raise BadRequest("OPEN too short, or its highest-counter byte is not 0 or 1")
        highest = get32(rest, 34) if rest[33] == 1 else None
        return u8(OK) + open_frame(rest[:32], rest[32], highest, rest[38:])

    def pump_begin(self, rest):
        """2.4.10 PUMP_BEGIN: static private key, pairing secret, u8 window, u32 session count, the
        patient bolus as u8 0, or u8 1 and u32 dose, u16 lockoutMinutes, u8 maxPerDay (AMBIGUITY:
        "u8 0 (none)" is also accepted followed by the 7 bytes of the fields, which are then
        ignored), then four slots of u8 role, 32-byte key, u32 last command id."""
        if SECURE_PUMP_ERROR:
            return u8(RUNTIME_ERROR) + SECURE_PUMP_ERROR.encode("utf-8")
        slots_size = 4 * 37
        if len(rest) < 70:
            raise BadRequest("PUMP_BEGIN too short")
        static, secret, window, count, has_bolus = rest[:32], rest[32:64], rest[64], get32(rest, 65), rest[69]
        if window > 1 or has_bolus > 1:
            raise BadRequest("PUMP_BEGIN: the window or patient bolus byte is not 0 or 1")
        i = 70
        bolus = None
        if has_bolus == 1 or len(rest) == 70 + 7 + slots_size:
            if len(rest) != 70 + 7 + slots_size:
                raise BadRequest("PUMP_BEGIN has the wrong length")
            if has_bolus:
                bolus = (get32(rest, 70), get16(rest, 74), rest[76])
            i = 77
        elif len(rest) != 70 + slots_size:
            raise BadRequest("PUMP_BEGIN has the wrong length")
        slots, last = [], []
        for k in range(4):
            role, key, last_id = rest[i], rest[i + 1:i + 33], get32(rest, i + 33)
            if role > 2:
                raise BadRequest("PUMP_BEGIN: slot %d has role %d" % (k, role))
            slots.append((role, key) if role else None)
            last.append(last_id)
            i += 37
        self.pump = None
        self.pump = secure_pump.SecurePump(sys.modules[__name__], static, secret, window, count, bolus, slots, last)
        return u8(OK)

    def pump_receive(self, rest):
        """2.4.10 PUMP_RECEIVE: u32 now, the 32-byte ephemeral private key, one frame. OK with u16 length
        and the frame sent, the therapy (u8 0, or u8 1, u8 type, u32 commandId, u16 length, payload),
        u8 count and the log records."""
        if self.pump is None:
            return u8(RUNTIME_ERROR) + b"PUMP_RECEIVE before PUMP_BEGIN"
        if len(rest) < 36:
            raise BadRequest("PUMP_RECEIVE too short")
        answer, therapy, records = self.pump.receive(get32(rest, 0), rest[4:36], rest[36:])
        answer = answer or b""
        out = u8(OK) + u16(len(answer)) + answer
        if therapy is None:
            out += u8(0)
        else:
            out += u8(1) + u8(therapy[0]) + u32(therapy[1]) + u16(len(therapy[2])) + bytes(therapy[2])
        return out + u8(len(records)) + b"".join(records)


def log(msg):
    sys.stderr.write("pumpwire-python-testee: %s\n" % msg)
    sys.stderr.flush()


def read_exact(stream, n):
    chunks = []
    while n > 0:
        b = stream.read(n)
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def serve(stdin, stdout):
    """2.1: u32 little-endian length, then the body; one response per request, flushed
    (PW-CONF-1); exit 0 at the end of the input (PW-CONF-4); the edges of 2.7 (PW-CONF-5)."""
    testee = Testee()
    while True:
        header = read_exact(stdin, 4)
        if header is None:
            return 0                                    # end of input: exit 0
        n = get32(header, 0)
        if n > MAX_MESSAGE:
            # 2.7: read the body to its end without keeping it, so the next request is found.
            while n > 0:
                chunk = stdin.read(min(n, 65536))
                if not chunk:
                    log("input ended inside a request")
                    return 0
                n -= len(chunk)
            response = u8(RUNTIME_ERROR) + b"request too long: above 16 MiB"
        else:
            body = read_exact(stdin, n)
            if body is None:
                log("input ended inside a request")
                return 0
            response = testee.handle(body)
            if len(response) > MAX_MESSAGE:    # 2.7: never send an answer above the limit
                response = u8(RUNTIME_ERROR) + b"answer too long: above 16 MiB"
        stdout.write(u32(len(response)) + response)
        stdout.flush()


# =============================================================================================
# spec/security.md: the Noise handshakes (sections 5, 6) and sealed frames (section 7)
# =============================================================================================
#
# Written from the Noise Protocol Framework (revision 34) and spec/security.md: the primitives
# come from `cryptography` (X25519, ChaCha20-Poly1305); SHA-256 and HMAC from the standard
# library. Without `cryptography` the testee does not declare `secure`.


NO_OFFSET = 0xFFFF
MAX_FRAME_COUNTER = 0xFFFFFF

# Noise patterns by the numbers of a handshakeRequest (security.md 5, 6): name, pre-messages
# (initiator's, responder's), messages (initiator first).
NOISE_PATTERNS = {
    1: (b"Noise_XXpsk3_25519_ChaChaPoly_SHA256", ([], []),
        [["e"], ["e", "ee", "s", "es"], ["s", "se", "psk"]]),
    2: (b"Noise_KK_25519_ChaChaPoly_SHA256", (["s"], ["s"]),
        [["e", "es", "ss"], ["e", "ee", "se"]]),
}


def x25519_public(private):
    return X25519PrivateKey.from_private_bytes(bytes(private)).public_key().public_bytes_raw()


def x25519(private, public):
    """DH(); None for an all-zero result (PW-SEC-4), which `cryptography` refuses itself."""
    try:
        shared = X25519PrivateKey.from_private_bytes(bytes(private)).exchange(
            X25519PublicKey.from_public_bytes(bytes(public)))
    except ValueError:
        return None
    return None if shared == bytes(32) else shared


def aead_nonce(n):
    return bytes(4) + struct.pack("<Q", n)


def noise_hkdf(ck, ikm, outputs):
    """Noise 4.3 HKDF with HMAC-SHA256."""
    temp = hmac.new(ck, ikm, hashlib.sha256).digest()
    out, prev = [], b""
    for i in range(1, outputs + 1):
        prev = hmac.new(temp, prev + bytes([i]), hashlib.sha256).digest()
        out.append(prev)
    return out


class NoiseHandshake:
    """Noise 5.1 to 5.3: CipherState, SymmetricState and HandshakeState in one."""

    def __init__(self, pattern, initiator, prologue, static, ephemeral, remote_static, psk):
        name, premessages, self.messages = NOISE_PATTERNS[pattern]
        self.initiator = initiator
        self.psk_mode = pattern == 1
        self.h = name + bytes(32 - len(name)) if len(name) <= 32 else hashlib.sha256(name).digest()
        self.ck = self.h
        self.k = None
        self.n = 0
        self.s = bytes(static)
        self.s_pub = x25519_public(static)
        self.e = bytes(ephemeral)          # the fixed ephemeral key of 2.4.10
        self.e_pub = None
        self.rs = bytes(remote_static) if remote_static is not None else None
        self.re = None
        self.psk = bytes(psk) if psk is not None else None
        self.index = 0
        self.failed = False
        self.mix_hash(prologue)
        if premessages[0] or premessages[1]:
            if self.rs is None:
                raise PumpWireError(HANDSHAKE_FAILED, NO_OFFSET)
            initiator_key, responder_key = (self.s_pub, self.rs) if initiator else (self.rs, self.s_pub)
            self.mix_hash(initiator_key)
            self.mix_hash(responder_key)
        if self.psk_mode and self.psk is None:
            raise PumpWireError(HANDSHAKE_FAILED, NO_OFFSET)

    def mix_hash(self, data):
        self.h = hashlib.sha256(self.h + bytes(data)).digest()

    def mix_key(self, ikm):
        self.ck, k = noise_hkdf(self.ck, ikm, 2)
        self.k, self.n = k, 0

    def mix_key_and_hash(self, ikm):
        self.ck, temp_h, k = noise_hkdf(self.ck, ikm, 3)
        self.mix_hash(temp_h)
        self.k, self.n = k, 0

    def encrypt_and_hash(self, plaintext):
        if self.k is None:
            ciphertext = bytes(plaintext)
        else:
            ciphertext = ChaCha20Poly1305(self.k).encrypt(aead_nonce(self.n), bytes(plaintext), self.h)
            self.n += 1
        self.mix_hash(ciphertext)
        return ciphertext

    def decrypt_and_hash(self, ciphertext, offset):
        if self.k is None:
            plaintext = bytes(ciphertext)
        else:
            try:
                plaintext = ChaCha20Poly1305(self.k).decrypt(aead_nonce(self.n), bytes(ciphertext), self.h)
            except InvalidTag:
                raise PumpWireError(HANDSHAKE_FAILED, offset + max(len(ciphertext) - 16, 0))
            self.n += 1
        self.mix_hash(ciphertext)
        return plaintext

    def dh(self, token, offsets):
        """ee, es, se, ss: MixKey(DH()), an all-zero result refused first (PW-SEC-4)."""
        local_e = {"ee": True, "es": self.initiator, "se": not self.initiator, "ss": False}[token]
        remote_e = {"ee": True, "es": not self.initiator, "se": self.initiator, "ss": False}[token]
        remote = self.re if remote_e else self.rs
        shared = x25519(self.e if local_e else self.s, remote)
        if shared is None:
            raise PumpWireError(LOW_ORDER_KEY, offsets.get("re" if remote_e else "rs", NO_OFFSET))
        self.mix_key(shared)

    def _turn(self, writing):
        if self.failed:
            raise PumpWireError(HANDSHAKE_FAILED, NO_OFFSET)     # a failed handshake stays failed
        if self.index >= len(self.messages) or ((self.index % 2 == 0) == self.initiator) != writing:
            raise PumpWireError(HANDSHAKE_OUT_OF_ORDER, NO_OFFSET)

    def write_message(self, payload):
        self._turn(True)
        try:
            out = b""
            for token in self.messages[self.index]:
                if token == "e":
                    self.e_pub = x25519_public(self.e)
                    out += self.e_pub
                    self.mix_hash(self.e_pub)
                    if self.psk_mode:
                        self.mix_key(self.e_pub)
                elif token == "s":
                    out += self.encrypt_and_hash(self.s_pub)
                elif token == "psk":
                    self.mix_key_and_hash(self.psk)
                else:
                    self.dh(token, {})
            out += self.encrypt_and_hash(payload)
        except PumpWireError:
            self.failed = True
            raise
        self.index += 1
        return out

    def minimum_length(self):
        """The bytes of the next message's tokens and of its payload's tag, with an empty payload."""
        length, keyed = 0, self.k is not None
        for token in self.messages[self.index]:
            if token == "e":
                length += 32
                keyed = keyed or self.psk_mode
            elif token == "s":
                length += 48 if keyed else 32
            else:
                keyed = True
        return length + (16 if keyed else 0)

    def read_message(self, message):
        self._turn(False)
        message = bytes(message)
        # Shorter than its tokens: refused before anything, and the handshake goes on (2.4.10).
        check(len(message) >= self.minimum_length(), LENGTH_MISMATCH, len(message))
        try:
            position, offsets = 0, {}
            for token in self.messages[self.index]:
                if token == "e":
                    self.re = message[position:position + 32]
                    offsets["re"] = position
                    position += 32
                    self.mix_hash(self.re)
                    if self.psk_mode:
                        self.mix_key(self.re)
                elif token == "s":
                    size = 48 if self.k is not None else 32
                    self.rs = self.decrypt_and_hash(message[position:position + size], position)
                    offsets["rs"] = position
                    position += size
                elif token == "psk":
                    self.mix_key_and_hash(self.psk)
                else:
                    self.dh(token, offsets)
            payload = self.decrypt_and_hash(message[position:], position)
        except PumpWireError:
            self.failed = True
            raise
        self.index += 1
        return payload

    def split(self):
        if self.failed or self.index != len(self.messages):
            raise PumpWireError(HANDSHAKE_OUT_OF_ORDER, NO_OFFSET)   # PW-SEC-8: keys once complete
        k1, k2 = noise_hkdf(self.ck, b"", 2)
        return self.h, k1, k2


def sealed_layout(frame):
    """Header, fragment header and block of a frame to seal or open: (payload length, start of the
    sealed region). 4.2 steps 1 to 8, NOT_SEALED (PW-SEC-10 step 1), the fragment header (step 2)."""
    header = decode_frame_header(frame)
    check(header.flags & FLAG_AUTHENTICATED, NOT_SEALED, 4)
    start = HEADER_SIZE
    if header.is_fragment:
        decode_fragment_header(header.payload)
        start += 4
    return len(header.payload), start


def seal_frame(key, freshness_counter, frame):
    """PW-SEC-9: the counter into the block, the sealed region encrypted in place, the tag, the CRC."""
    frame = bytearray(frame)
    p, start = sealed_layout(frame)
    end = HEADER_SIZE + p
    frame[end:end + 4] = u32(freshness_counter)
    sealed = ChaCha20Poly1305(bytes(key)).encrypt(aead_nonce(freshness_counter), bytes(frame[start:end]),
                                                  bytes(frame[:start]))
    frame[start:end] = sealed[:-16]
    frame[end + 4:end + 20] = sealed[-16:]
    frame[end + 20:end + 22] = u16(crc16(frame[:end + 20]))
    return bytes(frame)


def open_frame(key, session_epoch, highest, frame):
    """PW-SEC-10 in order; the cleartext frame with its tag zeroed and its CRC recomputed."""
    frame = bytearray(frame)
    p, start = sealed_layout(frame)
    end = HEADER_SIZE + p
    freshness = get32(frame, end)
    check(freshness >> 24 == session_epoch, STALE_SESSION, end + 3)          # 3.
    counter = freshness & MAX_FRAME_COUNTER
    if highest is not None:                                                  # 4.
        check(counter != highest, REPLAYED, end)
        check(counter > highest, COUNTER_ROLLBACK, end)
    try:                                                                     # 5.
        plaintext = ChaCha20Poly1305(bytes(key)).decrypt(
            aead_nonce(freshness), bytes(frame[start:end]) + bytes(frame[end + 4:end + 20]), bytes(frame[:start]))
    except InvalidTag:
        raise PumpWireError(AUTHENTICATION_FAILED, end + 4)
    frame[start:end] = plaintext
    frame[end + 4:end + 20] = bytes(16)
    frame[end + 20:end + 22] = u16(crc16(frame[:end + 20]))
    return bytes(frame)


# =============================================================================================
# Self-test
# =============================================================================================

def parse_hex_block(text):
    out = bytearray()
    for line in text.splitlines():
        h = line.split(";", 1)[0].strip()
        if h:
            out += bytes.fromhex(h)
    return bytes(out)


def spec_examples(spec_text):
    hexes = dict(re.findall(r"```pumpwire-hex (\w+)\n(.*?)```", spec_text, re.S))
    jsons = dict(re.findall(r"```json (\w+)\n(.*?)```", spec_text, re.S))
    return [(name, parse_hex_block(hexes[name]), json.loads(jsons[name])) for name in hexes]


class SelfTest:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def eq(self, what, got, want):
        if got == want:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s\n  got  %r\n  want %r" % (what, got, want))

    def err(self, what, fn, code, offset):
        try:
            fn()
        except PumpWireError as e:
            self.eq(what, (ERROR_NAMES[e.code], e.offset), (ERROR_NAMES[code], offset))
            return
        self.eq(what, "no error", (ERROR_NAMES[code], offset))


def frame(tc, seq, payload, flags=0, auth=b""):
    """A raw frame with a correct CRC, for the negative tests (no checks at all)."""
    body = SYNC + u8(1) + u8(tc) + u8(flags) + u16(seq) + u16(len(payload)) + payload + auth
    return body + u16(crc16(body))


def self_test(spec_path):
    import random
    t = SelfTest()

    # ---- Section 3: check values, empty input, cross-check with zlib
    t.eq("CRC-16 check", crc16(b"123456789"), 0x29b1)
    t.eq("CRC-32 check", crc32(b"123456789"), 0xcbf43926)
    t.eq("CRC-16 of nothing", crc16(b""), 0xffff)
    t.eq("CRC-32 of nothing", crc32(b""), 0)
    t.eq("PW-BOLUS-6 digest of 00 00", crc32(b"\x00\x00"), 0x41d912ff)
    rnd = random.Random(1)
    for _ in range(50):
        b = bytes(rnd.randrange(256) for _ in range(rnd.randrange(300)))
        t.eq("CRC-32 vs zlib", crc32(b), zlib.crc32(b))

    # ---- Section 2: rounding and the worked example
    t.eq("RoundHalfUp", [round_half_up(5, 2), round_half_up(7, 3), round_half_up(3, 2)], [3, 2, 2])

    # ---- Section 9 worked examples: decode, JSON view equality (PW-JSON-1), canonical bytes
    spec = open(spec_path, encoding="utf-8").read()
    examples = spec_examples(spec)
    t.eq("number of worked examples", sorted(n for n, _, _ in examples),
         sorted(v[0] for v in REGISTRY.values()))
    decoded = {}
    for name, data, view in examples:
        try:
            f = decode_frame(data)
        except PumpWireError as e:
            t.eq("example %s decodes" % name, str(e), "ok")
            continue
        decoded[name] = f
        t.eq("example %s JSON view" % name, frame_view(f), view)
        t.eq("example %s canonical bytes" % name, encode_frame(f), data)
        t.eq("example %s flatten round trip" % name, sorted(flatten(view)), sorted(flatten(frame_view(f))))
    rx = decoded["prescriptionBlock"].message
    rx_payload = decoded["prescriptionBlock"].payload
    refill = decoded["refillConfirmation"].message
    refill_payload = decoded["refillConfirmation"].payload
    t.eq("9.3 digest", crc32(rx_payload), 0xb7e2aad6)
    t.eq("9.5 digest", crc32(refill_payload), 0xbb249d38)
    t.eq("9.8 image CRC", crc32(bytes([1, 2, 3, 4, 5])), 0x470b99f4)
    t.eq("2.3 W", weighted_daily_dose(rx["steps"]), 1123200000)
    t.eq("2.3 D2", d2_daily_basal_volume(rx), 390000)
    t.eq("2.3 D3", d3_daily_basal_dose(rx), 780000)
    t.eq("2.3 D1 step 1", d1_step_flow(960000, 2000), 480000)
    t.eq("9.6 D5", d5_low_reservoir_alarm_time(rx, refill), 851575260)
    t.eq("9.6 receipt carries D5", decoded["refillReceipt"].message["lowReservoirAlarmTime"], 851575260)
    t.eq("D5 R <= L", d5_low_reservoir_alarm_time(rx, dict(refill, resultingReservoirMicrolitres=2000)),
         refill["refillTime"])
    t.eq("D5 never (overflow)", d5_low_reservoir_alarm_time(rx, dict(refill, refillTime=0xfffffff0)), NEVER)
    tiny = dict(rx, mode="continuous", concentrationMicrogramsPerMillilitre=100000,
                steps=[{"startMinute": 0, "doseRateNanogramsPerDay": 1}])
    t.eq("D2 can be 0", d2_daily_basal_volume(tiny), 0)
    t.eq("D5 V = 0 is never", d5_low_reservoir_alarm_time(tiny, refill), NEVER)
    flat = flatten(frame_view(decoded["bolusSchedule"]))
    t.eq("flatten bolus", [x for x in flat if x.startswith(("message.primingBolus", "message.periodicBoluses.1.s"))],
         ["message.primingBolus=null", "message.periodicBoluses.1.startMinute=1080"])
    t.eq("flatten interrogation", flatten(frame_view(decoded["interrogationRequest"]))[-1], "message={}")
    t.eq("flatten alarms", "message.activeAlarms=[]" in flatten(frame_view(decoded["pumpStatus"])), True)

    # ---- Section 4.2: frame checks in order
    ir = decoded["interrogationRequest"]
    ok = encode_frame(ir)
    t.err("empty input", lambda: decode_frame(b""), TRUNCATED, 0)
    t.err("lone a5", lambda: decode_frame(b"\xa5"), TRUNCATED, 1)
    t.err("a5 00", lambda: decode_frame(b"\xa5\x00"), BAD_SYNC, 0)
    t.err("one wrong byte", lambda: decode_frame(b"\x00"), BAD_SYNC, 0)
    t.err("short header", lambda: decode_frame(ok[:8]), TRUNCATED, 8)
    t.err("version before flags", lambda: decode_frame(ok[:2] + b"\x02\x01\xfc" + ok[5:]), UNSUPPORTED_VERSION, 2)
    t.err("reserved flags", lambda: decode_frame(ok[:4] + b"\x04" + ok[5:]), NON_CANONICAL, 4)
    t.err("payload length 241", lambda: decode_frame(ok[:7] + u16(241)), PAYLOAD_TOO_LARGE, 7)
    t.err("whole frame", lambda: decode_frame(ok[:7] + u16(5) + b"\x00\x00"), TRUNCATED, 11)
    t.err("bad crc", lambda: decode_frame(ok[:-1] + b"\x00"), BAD_CRC, 9)
    t.err("trailing", lambda: decode_frame(ok + b"\x00"), TRAILING_BYTES, 11)
    t.err("PW-INT-1", lambda: decode_frame(frame(1, 1, b"\x00")), LENGTH_MISMATCH, 9)
    auth = u32(7) + bytes(range(16))
    fa = decode_frame(frame(1, 1, b"", flags=2, auth=auth))
    t.eq("PW-AUTH-3 view", frame_view(fa)["authentication"],
         {"freshnessCounter": 7, "tag": bytes(range(16)).hex()})
    t.eq("PW-AUTH-3 sealed view", frame_view(fa)["sealed"], {"fragment": None, "ciphertext": ""})
    t.eq("PW-AUTH-3 re-emit", encode_frame(fa), frame(1, 1, b"", flags=2, auth=auth))
    unk = decode_frame(frame(0x42, 9, b"\x01\x02"))
    t.eq("PW-FRAME-8 unknown view", frame_view(unk)["message"], {"payload": "0102"})
    t.eq("PW-FRAME-8 unknown re-encodes", encode_frame(unk), frame(0x42, 9, b"\x01\x02"))

    # ---- Section 9 checks (payload offsets p are frame offsets 9 + p in one frame)
    def rxp(off, new):
        p = bytearray(rx_payload)
        p[off:off + len(new)] = new
        return lambda: decode_frame(frame(2, 2, bytes(p)))
    t.err("RX drug", rxp(0, u8(9)), FIELD_OUT_OF_RANGE, 9)
    t.err("RX threshold range before PW-RX-3", rxp(10, u32(20000)), FIELD_OUT_OF_RANGE, 19)
    t.err("PW-RX-3", rxp(6, u32(2000)), THRESHOLD_NOT_BELOW_CAPACITY, 19)
    t.err("PW-RX-9", rxp(16, u32(779999)), DAILY_DOSE_EXCEEDS_LIMIT, 25)
    t.err("PW-RX-7", rxp(21, u16(1)), DAY_PROFILE_GAP, 30)
    t.err("PW-RX-8", rxp(33, u16(420)), DAY_PROFILE_ORDER, 42)
    t.err("PW-RX-6 range before order", rxp(33, u16(1440)), FIELD_OUT_OF_RANGE, 42)
    t.err("PW-RX-5", rxp(1, u8(2)), MODE_PROFILE_MISMATCH, 29)
    t.err("PW-RX-4 zero", rxp(20, u8(0)), FIELD_OUT_OF_RANGE, 29)
    t.err("PW-RX-4 many", rxp(20, u8(49)), TOO_MANY_ITEMS, 29)
    t.err("RX short step", lambda: decode_frame(frame(2, 2, rx_payload[:-1])), LENGTH_MISMATCH, 9 + 35)
    t.err("RX extra byte", lambda: decode_frame(frame(2, 2, rx_payload + b"\x00")), LENGTH_MISMATCH, 9 + 39)
    t.err("PW-ENC-8 cut short", lambda: decode_frame(frame(0x81, 1, u8(5) + b"A\x01")), LENGTH_MISMATCH, 10)
    t.err("PW-ENC-8 length", lambda: decode_frame(frame(0x81, 1, u8(17) + b"A")), FIELD_OUT_OF_RANGE, 9)
    t.err("PW-ENC-8 text", lambda: decode_frame(frame(0x81, 1, u8(2) + b"A\x7f")), INVALID_TEXT, 11)
    st = bytearray(decoded["pumpStatus"].payload)
    st[32] = 0   # statusFlags (a = 2 + 14 + 11 = 27; a+5 = 32): prescription digest must then be 0
    t.err("PW-STATUS-4", lambda: decode_frame(frame(0x81, 1, bytes(st))), NON_CANONICAL, 9 + 27 + 16)
    t.err("PW-BOLUS-1", lambda: decode_frame(frame(3, 3, b"\x08\x00")), NON_CANONICAL, 9)
    t.err("PW-BOLUS-3", lambda: decode_frame(frame(3, 3, b"\x00\x09")), TOO_MANY_ITEMS, 10)
    t.err("PW-BOLUS-4", lambda: decode_frame(frame(3, 3, b"\x00\x02" + (u16(5) + u32(1) + u16(1)) * 2)),
          BOLUS_ORDER, 19)
    t.eq("PW-BOLUS-6 empty schedule", decode_frame(frame(3, 3, b"\x00\x00")).message,
         {"clinicianBolus": None, "primingBolus": None, "patientBolus": None, "periodicBoluses": []})

    def chunk(region_offset, image_length, count, data, index=0, data_offset=0):
        return lambda: decode_frame(frame(0x85, 5, u8(1) + u8(0) + u16(index) + u16(count) + u32(region_offset)
                                          + u32(image_length) + u32(0) + u32(data_offset) + data))
    t.err("PW-DUMP-4", chunk(0, 5, 1, bytes(5), index=1), CHUNK_INDEX_OUT_OF_RANGE, 11)
    t.err("PW-DUMP-9", chunk(2 ** 32 - 4, 5, 2, bytes(5)), FIELD_OUT_OF_RANGE, 19)
    t.eq("PW-DUMP-9 exactly 2^32", chunk(2 ** 32 - 5, 5, 1, bytes(5))().message["regionOffset"], 2 ** 32 - 5)
    t.err("PW-DUMP-5", chunk(0, 5, 2, bytes(5)), CHUNK_COUNT_MISMATCH, 19)
    t.err("PW-DUMP-6", chunk(0, 5, 1, bytes(5), data_offset=1), CHUNK_OFFSET_MISMATCH, 27)
    t.err("PW-DUMP-7", chunk(0, 5, 1, bytes(4)), CHUNK_SIZE_MISMATCH, 31)
    t.err("PW-DUMP-2", lambda: decode_frame(frame(5, 5, u8(1) + u8(0) + u32(2 ** 32 - 4) + u32(5))),
          FIELD_OUT_OF_RANGE, 15)
    t.err("PW-NAK-1 session code", lambda: decode_frame(frame(0xf1, 1, u8(3) + u16(64) + u16(0))),
          FIELD_OUT_OF_RANGE, 10)
    t.err("PW-NAK-1 offset", lambda: decode_frame(frame(0xf1, 1, u8(3) + u16(5) + u16(1024))),
          FIELD_OUT_OF_RANGE, 12)
    t.err("PW-ACK-1", lambda: decode_frame(frame(0xf0, 1, u8(4) + u32(0))), FIELD_OUT_OF_RANGE, 9)

    # ---- Section 5: fragments and reassembly (a 48-step prescription of 309 bytes)
    rx48 = dict(rx, mode="timeOfDay",
                steps=[{"startMinute": 30 * i, "doseRateNanogramsPerDay": 1000} for i in range(48)])
    frags = encode_message_frames(2, 7, rx48)
    p48 = encode_payload(2, rx48)
    t.eq("PW-FRAG-1 count and sizes", [len(f) for f in frags], [251, 9 + 4 + 73 + 2])
    f0, f1 = decode_frame(frags[0]), decode_frame(frags[1])
    t.eq("PW-JSON-4", frame_view(f1)["fragment"],
         {"index": 1, "count": 2, "totalLength": 309, "data": p48[236:].hex()})
    t.err("5.2 short header", lambda: decode_frame(frame(2, 7, b"\x00\x02\x35", flags=1)), LENGTH_MISMATCH, 11)
    t.err("PW-FRAG-2", lambda: decode_frame(frame(2, 7, b"\x00\x06" + u16(309), flags=1)), FRAGMENT_COUNT_INVALID, 10)
    t.err("PW-FRAG-3", lambda: decode_frame(frame(2, 7, b"\x02\x02" + u16(309), flags=1)),
          FRAGMENT_INDEX_OUT_OF_RANGE, 9)
    t.err("PW-FRAG-4 large", lambda: decode_frame(frame(2, 7, b"\x00\x05" + u16(1025), flags=1)), PAYLOAD_TOO_LARGE, 11)
    t.err("PW-FRAG-4 small", lambda: decode_frame(frame(2, 7, b"\x00\x02" + u16(240), flags=1)), NON_CANONICAL, 11)
    t.err("PW-FRAG-5", lambda: decode_frame(frame(2, 7, b"\x00\x03" + u16(309), flags=1)), FRAGMENT_COUNT_INVALID, 10)
    t.err("PW-FRAG-6", lambda: decode_frame(frame(2, 7, b"\x01\x02" + u16(309) + bytes(72), flags=1)),
          FRAGMENT_SIZE_INVALID, 7)

    ra = Reassembler()
    t.eq("PW-FRAG-7 any order", ra.add(f1), (ACCEPTED,))
    t.eq("PW-FRAG-8 duplicate", ra.add(f1), (DUPLICATE,))
    t.eq("PW-FRAG-11 missing list", ra.missing(), [0])
    other = decode_frame(frame(2, 8, f1.payload, flags=1))
    t.err("PW-FRAG-10", lambda: ra.add(other), FRAGMENT_INTERLEAVED, 3)
    c3 = decode_frame(frame(2, 7, b"\x01\x03" + u16(500) + bytes(236), flags=1))
    t.err("PW-FRAG-9 count first", lambda: ra.add(c3), FRAGMENT_CONFLICT, 10)
    c2 = decode_frame(frame(2, 7, b"\x01\x02" + u16(400) + bytes(164), flags=1))
    t.err("PW-FRAG-9 totalLength", lambda: ra.add(c2), FRAGMENT_CONFLICT, 11)
    cd = decode_frame(frame(2, 7, b"\x01\x02" + u16(309) + b"\xff" + p48[237:], flags=1))
    t.err("PW-FRAG-9 data", lambda: ra.add(cd), FRAGMENT_CONFLICT, 13)
    t.eq("PW-FRAG-7 complete", ra.add(f0), (COMPLETE, p48, None))
    t.eq("PW-FRAG-13 empty", ra.in_progress, False)
    t.eq("PW-FRAG-13 new message", ra.add(f1), (ACCEPTED,))
    gu = ra.give_up()
    t.eq("PW-FRAG-11 give up", (gu.code, gu.offset), (FRAGMENT_MISSING, 0))

    # ---- Testee protocol: reassembly requests
    te = Testee()
    t.eq("ADD unfragmented", te.handle(b"\x06" + ok), rejected(PumpWireError(NON_CANONICAL, 4)))
    t.eq("ADD 1", te.handle(b"\x06" + frags[1]), u8(OK) + u8(0))
    t.eq("ADD dup", te.handle(b"\x06" + frags[1]), u8(OK) + u8(1))
    t.eq("ADD 0", te.handle(b"\x06" + frags[0]), u8(OK) + u8(2) + u8(2) + p48)
    t.eq("GIVE_UP empty", te.handle(b"\x07"), u8(OK))
    t.eq("ADD 0 again", te.handle(b"\x06" + frags[0]), u8(OK) + u8(0))
    t.eq("GIVE_UP", te.handle(b"\x07"), rejected(PumpWireError(FRAGMENT_MISSING, 236)))
    bad48 = dict(rx48, maxDailyDoseNanograms=1)
    bad_payload = encode_payload_unchecked(2, bad48)
    bad_frags = [frame(2, 9, u8(k) + u8(2) + u16(309) + bad_payload[236 * k:236 * (k + 1)], flags=1)
                 for k in range(2)]
    te.handle(b"\x06" + bad_frags[0])
    t.eq("ADD payload error", te.handle(b"\x06" + bad_frags[1]),
         rejected(PumpWireError(DAILY_DOSE_EXCEEDS_LIMIT, 16)))
    t.eq("after payload error: empty", te.handle(b"\x07"), u8(OK))
    unk_payload = bytes(range(256)) + bytes(44)
    unk_frags = [frame(0x7f, 3, u8(k) + u8(2) + u16(300) + unk_payload[236 * k:236 * (k + 1)], flags=1)
                 for k in range(2)]
    te.handle(b"\x06" + unk_frags[1])
    t.eq("PW-FRAG-14", te.handle(b"\x06" + unk_frags[0]), u8(OK) + u8(2) + u8(0x7f) + unk_payload)

    # ---- Section 4.3: streams
    ack = encode_frame(decoded["acknowledgement"])
    nak = encode_frame(decoded["negativeAcknowledgement"])
    dump = encode_frame(decoded["memoryDumpRequest"])
    bad_ack = ack[:-1] + bytes([ack[-1] ^ 1])
    s = b"\x00\xa5\x11" + ok + b"\x22" + bad_ack + nak + b"\x33\x44" + dump[:10]
    o1 = 3
    o2 = o1 + len(ok)
    o3 = o2 + 1
    o4 = o3 + len(bad_ack)
    o5 = o4 + len(nak)
    o6 = o5 + 2
    t.eq("stream noise, crc, truncated", read_stream(s), [
        (ITEM_REJECTION, 0, BAD_SYNC, 0, 0), (ITEM_FRAME, o1, ok), (ITEM_REJECTION, o2, BAD_SYNC, 0, 0),
        (ITEM_REJECTION, o3, BAD_CRC, len(ack) - 2, 0), (ITEM_FRAME, o4, nak),
        (ITEM_REJECTION, o5, BAD_SYNC, 0, 0), (ITEM_REJECTION, o6, TRUNCATED, 10, 0)])
    # A TRUNCATED frame whose tail holds frames: its length field is the corrupted part.
    corrupt = ok[:7] + u16(200) + ok[9:]
    t.eq("stream truncated then tail", read_stream(corrupt + nak), [
        (ITEM_REJECTION, 0, TRUNCATED, len(corrupt + nak), 0), (ITEM_FRAME, len(corrupt), nak)])
    t.eq("stream lone a5", read_stream(ok + b"\x01\xa5"), [
        (ITEM_FRAME, 0, ok), (ITEM_REJECTION, len(ok), BAD_SYNC, 0, 0),
        (ITEM_REJECTION, len(ok) + 1, TRUNCATED, 1, 0)])
    # fragments interleaved (5.4), then completed, then an unfragmented frame in between
    f_other = frame(2, 8, b"\x00\x02" + u16(309) + bytes(236), flags=1)
    s2 = frags[1] + f_other + ok + frags[0] + frags[1]
    a, b_, c_, d_ = len(frags[1]), len(frags[1]) + len(f_other), len(frags[1]) + len(f_other) + len(ok), \
        len(frags[1]) + len(f_other) + len(ok) + len(frags[0])
    t.eq("stream interleave", read_stream(s2), [
        (ITEM_FRAME, 0, frags[1]), (ITEM_FRAME, a, f_other), (ITEM_REJECTION, 0, FRAGMENT_MISSING, 0, 1),
        (ITEM_FRAME, b_, ok), (ITEM_FRAME, c_, frags[0]), (ITEM_REJECTION, a, FRAGMENT_MISSING, 236, 1),
        (ITEM_FRAME, d_, frags[1]), (ITEM_MESSAGE, c_, 2, p48)])
    t.eq("stream reassembled payload error", read_stream(bad_frags[0] + bad_frags[1]), [
        (ITEM_FRAME, 0, bad_frags[0]), (ITEM_FRAME, len(bad_frags[0]), bad_frags[1]),
        (ITEM_REJECTION, 0, DAILY_DOSE_EXCEEDS_LIMIT, 16, 1)])
    t.eq("stream empty", read_stream(b""), [])
    conflict = frame(0x7f, 3, b"\x01\x02" + u16(300) + b"\xff" + unk_payload[237:], flags=1)
    n1, n2 = len(unk_frags[1]), len(unk_frags[1]) + len(conflict)
    t.eq("stream conflict (A2)", read_stream(unk_frags[1] + conflict + unk_frags[0]), [
        (ITEM_FRAME, 0, unk_frags[1]), (ITEM_FRAME, n1, conflict), (ITEM_REJECTION, n1, FRAGMENT_CONFLICT, 13, 0),
        (ITEM_FRAME, n2, unk_frags[0]), (ITEM_MESSAGE, 0, 0x7f, unk_payload)])
    inner = frame(1, 1, b"\xa5\xc3\x01\x01\x00")
    t.eq("stream resync inside a CRC-valid frame (A5)", read_stream(inner + ok), [
        (ITEM_REJECTION, 0, LENGTH_MISMATCH, 9, 0), (ITEM_REJECTION, 9, PAYLOAD_TOO_LARGE, 7, 0),
        (ITEM_FRAME, len(inner), ok)])
    big = (SYNC * 200000)[:-1]
    t.eq("stream of sync words", len(read_stream(big)), 200000)

    # ---- Section 11.3: sessions
    def f(name):
        return encode_frame(decoded[name])
    typical = [f("interrogationRequest"), f("pumpStatus"),
               frame(2, 2, rx_payload), f("acknowledgement"),
               frame(3, 3, decoded["bolusSchedule"].payload),
               frame(0xf0, 3, u8(3) + u32(crc32(decoded["bolusSchedule"].payload))),
               f("refillConfirmation"), f("refillReceipt"),
               f("memoryDumpRequest"), f("memoryDumpChunk")]
    t.eq("session typical", check_session(typical), [])
    t.eq("session no response", check_session(typical[:1]), [(0, NO_RESPONSE)])
    t.eq("session unsolicited", check_session(typical[1:2]), [(0, UNSOLICITED_RESPONSE)])
    t.eq("session gap", check_session([typical[0], typical[1], frame(2, 5, rx_payload), typical[3]]),
         [(2, SEQUENCE_GAP), (3, SEQUENCE_MISMATCH), (2, NO_RESPONSE)])
    t.eq("session outstanding", check_session([typical[0], typical[2], typical[2], typical[3]]),
         [(1, REQUEST_WHILE_OUTSTANDING)])
    t.eq("session ignores bad frames", check_session([typical[0], bad_ack, typical[1]]), [])
    t.eq("session unknown type refusal", check_session([frame(0x42, 1, b""),
                                                        frame(0xf1, 1, u8(0x42) + u16(4) + u16(3))]), [])
    t.eq("session unknown type wrong", check_session([frame(0x42, 1, b""),
                                                      frame(0xf1, 1, u8(0x42) + u16(4) + u16(9))]), [(1, WRONG_REFUSAL)])
    t.eq("session payload error refusal", check_session([frame(1, 1, b"\x00"),
                                                         frame(0xf1, 1, u8(1) + u16(5) + u16(9))]), [])
    t.eq("PW-SESSION-5 frame with bad CRC dropped", check_session([typical[0], typical[3][:5] + b"\x01" + typical[3][6:]]),
         [(0, NO_RESPONSE)])  # the sequence field changed without fixing the CRC: dropped
    t.eq("session unexpected type 2", check_session([typical[0], frame(0xf0, 1, u8(2) + u32(0))]),
         [(1, UNEXPECTED_RESPONSE_TYPE)])
    t.eq("session digest", check_session([typical[2], frame(0xf0, 2, u8(2) + u32(1))]), [(1, DIGEST_MISMATCH)])
    status_bad = frame(0x81, 3, decoded["pumpStatus"].payload[:-8] + u32(1) + u32(0))
    t.eq("session status digest", check_session(typical[2:4] + [frame(1, 3, b""), status_bad]),
         [(3, DIGEST_MISMATCH)])
    receipt = decoded["refillReceipt"].message
    bad_receipt = frame(0x84, 4, encode_payload(0x84, dict(receipt, lowReservoirAlarmTime=851575200)))
    t.eq("session receipt D5", check_session(typical[2:4] + [frame(4, 3, refill_payload),
                                                               frame(0x84, 3, bad_receipt[9:-2])]),
         [(3, RECEIPT_MISMATCH)])
    t.eq("session receipt D5 ok", check_session(typical[2:4] + [frame(4, 3, refill_payload),
                                                                  frame(0x84, 3, typical[7][9:-2])]), [])
    refill_wrong_drug = bytes([2]) + refill_payload[1:]
    t.eq("session refill refusal", check_session(typical[2:4] + [frame(4, 3, refill_wrong_drug),
                                                                   frame(0x84, 3, typical[7][9:-2])]),
         [(3, WRONG_REFUSAL)])
    t.eq("session refill refusal ok", check_session(typical[2:4] + [frame(4, 3, refill_wrong_drug),
                                                                      frame(0xf1, 3, u8(4) + u16(129) + u16(0))]), [])
    chunk_bad = bytearray(typical[9][9:-2])
    chunk_bad[-1] ^= 0xff
    t.eq("session image crc", check_session([typical[8], frame(0x85, 5, bytes(chunk_bad))]),
         [(1, IMAGE_CRC_MISMATCH)])
    image = bytes(range(250))
    req = frame(5, 5, u8(1) + u8(0) + u32(0) + u32(250))

    def ch(i, crc=crc32(image), count=2, damage=False):
        d = bytearray(image[218 * i:218 * (i + 1)])
        if damage:
            d[0] ^= 0xff
        return frame(0x85, 5, u8(1) + u8(0) + u16(i) + u16(count) + u32(0) + u32(250) + u32(crc) + u32(218 * i)
                     + bytes(d))
    req1 = frame(1, 1, b"")
    status1 = frame(0x81, 1, decoded["pumpStatus"].payload)
    t.eq("session retransmission: NO_RESPONSE at its index", check_session([req1, req1, req1]),
         [(2, NO_RESPONSE)])
    t.eq("session retransmission answered", check_session([req1, req1, status1]), [])
    t.eq("PW-SESSION-5 unusable response is no answer", check_session([req1, frame(0x81, 1, b"\x00")]),
         [(0, NO_RESPONSE)])
    t.eq("PW-SESSION-5 unusable response ignored", check_session([req1, frame(0x81, 1, b"\x00"), status1]), [])
    t.eq("PW-SESSION-5 unusable response is not unsolicited", check_session([frame(0x81, 1, b"\x00")]), [])
    t.eq("PW-SESSION-5 response with a bad fragment header ignored",
         check_session([req1, frame(0x81, 1, b"\x00", flags=1), status1]), [])
    bad_status_frags = [frame(0x81, 1, u8(0) + u8(2) + u16(300) + bytes(236), flags=1),
                        frame(0x81, 1, u8(1) + u8(2) + u16(300) + bytes(64), flags=1)]
    t.eq("PW-SESSION-5 reassembled response that fails is ignored",
         check_session([req1] + bad_status_frags + [status1]), [])
    t.eq("session step 3 terminal", check_session([frame(0x42, 1, b""), frame(0x81, 1, decoded["pumpStatus"].payload)]),
         [(1, WRONG_REFUSAL)])
    t.eq("session findings in the order found", check_session([req1, frame(1, 5, b"")]),
         [(1, REQUEST_WHILE_OUTSTANDING), (1, SEQUENCE_GAP), (1, NO_RESPONSE)])
    t.eq("session NO_RESPONSE last", check_session([req1, frame(0x81, 2, decoded["pumpStatus"].payload)]),
         [(1, SEQUENCE_MISMATCH), (0, NO_RESPONSE)])
    both_bad = frame(0x81, 4, decoded["pumpStatus"].payload[:27 + 5] + b"\x03" + decoded["pumpStatus"].payload[33:-8]
                     + u32(1) + u32(2))
    t.eq("session two wrong digests (A8)", check_session(typical[2:6] + [frame(1, 4, b""), both_bad]),
         [(5, DIGEST_MISMATCH), (5, DIGEST_MISMATCH)])
    t.eq("session two chunks", check_session([req, ch(1), ch(0)]), [])
    t.eq("session chunk conflict", check_session([req, ch(0), ch(1, crc=5), ch(1)]), [(2, CHUNK_CONFLICT)])
    t.eq("session chunks missing", check_session([req, ch(0)]), [(0, NO_RESPONSE)])
    t.eq("session duplicate chunk: the first counts", check_session([req, ch(0, damage=True), ch(0), ch(1)]),
         [(3, IMAGE_CRC_MISMATCH)])
    t.eq("session duplicate chunk: the first counts (good first)", check_session([req, ch(0), ch(0, damage=True), ch(1)]),
         [])
    t.eq("session conflicting chunk set aside", check_session([req, ch(0), ch(1, crc=5)]),
         [(2, CHUNK_CONFLICT), (0, NO_RESPONSE)])
    t.eq("session retransmission drops chunks", check_session([req, ch(0), req, ch(1)]), [(2, NO_RESPONSE)])
    t.eq("session retransmission, chunks sent again", check_session([req, ch(0), req, ch(1), ch(0)]), [])
    t.eq("session retransmission drops the first chunk too", check_session([req, ch(0, crc=5), req, ch(1), ch(0)]), [])
    conflicting = bytearray(frags[0])
    conflicting[20] ^= 0xff
    conflicting = bytes(conflicting[:-2]) + u16(crc16(bytes(conflicting[:-2])))
    t.eq("session fragment conflict leaves the checker unchanged",
         check_session([frags[0], conflicting, frags[1], frame(0xf0, 7, u8(2) + u32(crc32(p48)))]), [])
    t.eq("session incomplete message is not a finding", check_session([frags[0]]), [])
    t.eq("session fragmented request", check_session(frags + [frame(0xf0, 7, u8(2) + u32(crc32(p48)))]), [])
    t.eq("session fragmented request at last index",
         check_session([frame(1, 6, b"")] + frags), [(2, REQUEST_WHILE_OUTSTANDING), (2, NO_RESPONSE)])

    # ---- Testee protocol: HELLO, CRC, DERIVE, DECODE_FIELDS
    t.eq("HELLO", Testee().handle(b"\x00\x01"), b"\x00\x01" + u32(CAPABILITIES) + NAME.encode())
    t.eq("CRC16 request", Testee().handle(b"\x03123456789"), b"\x00\xb1\x29")
    t.eq("CRC32 request", Testee().handle(b"\x04123456789"), b"\x00" + u32(0xcbf43926))
    rxf, rff = f("prescriptionBlock"), f("refillConfirmation")
    t.eq("DERIVE", Testee().handle(b"\x09" + u16(len(rxf)) + rxf + u16(len(rff)) + rff),
         b"\x00" + u64(390000) + u64(780000) + u32(851575260))
    t.eq("DERIVE first frame of another type", Testee().handle(b"\x09" + u16(len(rff)) + rff + u16(len(rff)) + rff),
         rejected(PumpWireError(FIELD_OUT_OF_RANGE, 3)))
    t.eq("DERIVE second frame of another type", Testee().handle(b"\x09" + u16(len(rxf)) + rxf + u16(len(rxf)) + rxf),
         rejected(PumpWireError(FIELD_OUT_OF_RANGE, 3)))
    t.eq("DERIVE rejected", Testee().handle(b"\x09" + u16(len(rxf)) + rxf[:-1] + b"\x00" + u16(len(rff)) + rff),
         rejected(PumpWireError(BAD_CRC, len(rxf) - 2)))
    fields = Testee().handle(b"\x02" + f("negativeAcknowledgement"))
    t.eq("DECODE_FIELDS", sorted(fields[1:].decode().splitlines()), sorted([
        "messageType=negativeAcknowledgement", "typeCode=241", "sequence=3", "authentication=null",
        "message.rejectedType=3", "message.errorCode=128", "message.errorName=NOT_PERMITTED",
        "message.errorOffset=65535"]))
    t.eq("unknown request", Testee().handle(b"\x42"), b"\x02")

    # ---- 9.8 with `zlib` (PW-DUMP-3, PW-DUMP-5, PW-DUMP-7)
    def zchunk(image_length, count, data, index=0, encoding=1, data_offset=None):
        if data_offset is None:
            data_offset = 218 * index
        return lambda: decode_frame(frame(0x85, 5, u8(1) + u8(encoding) + u16(index) + u16(count) + u32(0)
                                          + u32(image_length) + u32(0) + u32(data_offset) + data))
    t.eq("PW-DUMP-3 encoding 1 is zlib", zchunk(5, 1, bytes(5))().message["encoding"], "zlib")
    t.err("PW-DUMP-3 encoding 2", zchunk(5, 1, bytes(5), encoding=2), FIELD_OUT_OF_RANGE, 10)
    t.eq("PW-DUMP-5 zlib: fewer chunks than the image", zchunk(1000, 2, bytes(218))().message["chunkCount"], 2)
    t.err("PW-DUMP-5 zlib: more chunks than the image", zchunk(436, 3, bytes(218)), CHUNK_COUNT_MISMATCH, 19)
    t.eq("PW-DUMP-5 zlib: as many chunks as the image", zchunk(437, 3, bytes(1), index=2)().message["chunkIndex"], 2)
    t.err("PW-DUMP-7 zlib: not the last, short", zchunk(1000, 2, bytes(217)), CHUNK_SIZE_MISMATCH, 31)
    t.err("PW-DUMP-7 zlib: last, empty", zchunk(1000, 2, b"", index=1), CHUNK_SIZE_MISMATCH, 31)
    t.eq("PW-DUMP-7 zlib: last, 1 byte", len(zchunk(1000, 2, b"\x01", index=1)().message["data"]), 2)
    t.eq("PW-DUMP-7 zlib: last, 218 bytes", len(zchunk(1000, 2, bytes(218), index=1)().message["data"]), 436)
    t.err("PW-DUMP-7 zlib: last, beyond the image", zchunk(437, 3, bytes(2), index=2), CHUNK_SIZE_MISMATCH, 31)
    t.err("PW-DUMP-7 zlib: last, 219 bytes (a reassembled payload: no frame holds it)",
          lambda: decode_payload(0x85, u8(1) + u8(1) + u16(1) + u16(2) + u32(0) + u32(1000) + u32(0) + u32(218)
                                 + bytes(219), 0), CHUNK_SIZE_MISMATCH, 22)
    t.err("PW-DUMP-7 raw unchanged", zchunk(1000, 5, bytes(1), index=4, encoding=0), CHUNK_SIZE_MISMATCH, 31)
    t.err("PW-DUMP-5 raw unchanged", zchunk(1000, 4, bytes(218), encoding=0), CHUNK_COUNT_MISMATCH, 19)
    zf = zchunk(1000, 2, b"\x01", index=1)()
    t.eq("zlib chunk re-encodes", encode_frame(zf), frame(0x85, 5, zf.payload))
    t.eq("zlib chunk JSON name", frame_view(zf)["message"]["encoding"], "zlib")

    # ---- 13.2 image reassembler (PW-IMAGE-1 to 5), chunks as decoded messages
    def chunks_of(transfer, image_length, image_crc, encoding="raw", region="eventLog", region_offset=0):
        count = max(1, -(-len(transfer) // 218))
        return [{"region": region, "encoding": encoding, "chunkIndex": i, "chunkCount": count,
                 "regionOffset": region_offset, "imageLength": image_length, "imageCrc32": image_crc,
                 "dataOffset": 218 * i, "data": transfer[218 * i:218 * (i + 1)].hex()} for i in range(count)]

    def chunk_frames(chunks, seq=5):
        return [frame(0x85, seq, encode_payload(0x85, c)) for c in chunks]

    def rebuild(chunks):
        ra = ImageReassembler()
        for c in chunks:
            ra.add(c)
        return ra.finish()
    img = bytes(rnd.randrange(256) for _ in range(1000))
    raw_chunks = chunks_of(img, 1000, crc32(img))
    for c in raw_chunks:
        decode_payload(0x85, encode_payload(0x85, c), 0)     # every chunk is valid
    ra = ImageReassembler()
    t.eq("PW-IMAGE-1 any order", [ra.add(raw_chunks[i]) for i in (3, 1, 4)], [CHUNK_ADDED] * 3)
    t.eq("PW-IMAGE-2 duplicate", ra.add(raw_chunks[1]), CHUNK_DUPLICATE)
    t.eq("PW-IMAGE-3 missing list", ra.missing(), [0, 2])
    t.err("PW-IMAGE-3 CHUNKS_MISSING", ra.finish, CHUNKS_MISSING, 0)
    t.err("PW-IMAGE-2 beyond total", lambda: ra.add(dict(raw_chunks[0], chunkIndex=5, chunkCount=6)),
          CHUNK_BEYOND_TOTAL, 2)
    for name, offset, value in (("region", 0, "alarmLog"), ("encoding", 1, "zlib"), ("chunkCount", 4, 6),
                                ("regionOffset", 6, 20), ("imageLength", 10, 999), ("imageCrc32", 14, 1)):
        t.err("PW-IMAGE-2 image mismatch: %s" % name, lambda: ra.add(dict(raw_chunks[0], **{name: value})),
              CHUNK_IMAGE_MISMATCH, offset)
    t.err("PW-IMAGE-2 image mismatch: the first field in order",
          lambda: ra.add(dict(raw_chunks[0], imageCrc32=1, regionOffset=20)), CHUNK_IMAGE_MISMATCH, 6)
    t.err("PW-IMAGE-2 beyond total before mismatch",
          lambda: ra.add(dict(raw_chunks[0], chunkIndex=5, chunkCount=6, region="alarmLog")), CHUNK_BEYOND_TOTAL, 2)
    conflict = bytearray(bytes.fromhex(raw_chunks[1]["data"]))
    conflict[7] ^= 1
    t.err("PW-IMAGE-2 data conflict", lambda: ra.add(dict(raw_chunks[1], data=conflict.hex())),
          CHUNK_DATA_CONFLICT, 22 + 7)
    t.eq("PW-IMAGE-2 rejected chunks leave it unchanged", (ra.missing(), ra.first["chunkCount"]), ([0, 2], 5))
    t.eq("PW-IMAGE-1 complete", [ra.add(raw_chunks[i]) for i in (2, 0)] + [ra.complete], [0, 0, True])
    t.eq("PW-IMAGE-5 raw", ra.finish(), img)
    t.err("PW-IMAGE-5 raw CRC", lambda: rebuild(chunks_of(img, 1000, crc32(img) ^ 1)), IMAGE_CRC_FAILED, 0)

    # zlib transfers made by zlib.compress, chunked, given in a random order
    text = b"".join(b"%08d pump log line\n" % i for i in range(3000))
    z = zlib.compress(text, 9)
    zc = chunks_of(z, len(text), crc32(text), "zlib")
    for c in zc:
        decode_payload(0x85, encode_payload(0x85, c), 0)
    rnd.shuffle(zc)
    t.eq("PW-IMAGE-5 zlib rebuilds (%d chunks)" % len(zc), rebuild(zc + zc[:3]), text)
    t.eq("PW-IMAGE-5 zlib, level 0 (stored blocks)", rebuild(chunks_of(zlib.compress(img[:900], 0), 900,
                                                                        crc32(img[:900]), "zlib")), img[:900])

    def zerr(what, transfer, image_length, image_crc, code):
        t.err(what, lambda: rebuild_image("zlib", transfer, image_length, image_crc), code, 0)
    small = b"hello hello hello hello hello hello"
    zs = zlib.compress(small)
    zerr("PW-IMAGE-5 zlib CRC", zs, len(small), crc32(small) ^ 1, IMAGE_CRC_FAILED)
    zerr("PW-IMAGE-5 ratio exceeded", zs, 1032 * len(zs) + 1, 0, COMPRESSION_RATIO_EXCEEDED)
    zerr("PW-IMAGE-5 ratio 1032 is allowed (then too short)", zs, 1032 * len(zs), 0, IMAGE_LENGTH_MISMATCH)
    zerr("PW-IMAGE-5 too short", zs, len(small) + 1, crc32(small), IMAGE_LENGTH_MISMATCH)
    zerr("PW-IMAGE-5 too long", zs, len(small) - 1, crc32(small), IMAGE_LENGTH_MISMATCH)
    zerr("PW-IMAGE-5 truncated stream", zs[:-1], len(small), crc32(small), INFLATE_FAILED)
    zerr("PW-IMAGE-5 truncated after the deflate data", zs[:-4], len(small), crc32(small), INFLATE_FAILED)
    zerr("PW-IMAGE-5 bytes after the stream", zs + b"\x00", len(small), crc32(small), INFLATE_FAILED)
    zerr("PW-IMAGE-5 wrong Adler-32", zs[:-1] + bytes([zs[-1] ^ 1]), len(small), crc32(small), INFLATE_FAILED)
    zerr("PW-IMAGE-5 raw deflate, no zlib header", zlib.compress(small)[2:-4], len(small), crc32(small),
         INFLATE_FAILED)
    zerr("PW-IMAGE-5 bad header check", bytes([0x78, 0x9d]) + zs[2:], len(small), crc32(small), INFLATE_FAILED)
    zerr("PW-IMAGE-5 method 9", bytes([0x79, 0x9c ^ 0x00]) + zs[2:], len(small), crc32(small), INFLATE_FAILED)
    cmf = 0x88                                  # CINFO 8: a 64 KiB window (PW-DUMP-12)
    flg = (31 - (cmf * 256) % 31) % 31
    zerr("PW-IMAGE-5 CINFO 8", bytes([cmf, flg]) + zs[2:], len(small), crc32(small), INFLATE_FAILED)
    co = zlib.compressobj(zdict=b"hello ")
    zd = co.compress(small) + co.flush()
    t.eq("FDICT set", zd[1] & 0x20, 0x20)
    zerr("PW-IMAGE-5 preset dictionary", zd, len(small), crc32(small), INFLATE_FAILED)
    zerr("PW-IMAGE-5 invalid deflate data (block type 3)", zs[:2] + b"\x07" + zs[3:], len(small), crc32(small),
         INFLATE_FAILED)
    zerr("PW-IMAGE-5 short and a wrong Adler-32: INFLATE_FAILED first", zs[:-1] + bytes([zs[-1] ^ 1]),
         len(small) + 1, crc32(small), INFLATE_FAILED)
    # The stream's order: the output passes imageLength before zlib meets the wrong Adler-32.
    zerr("PW-IMAGE-5 one byte too long, then a wrong Adler-32", zs[:-1] + bytes([zs[-1] ^ 1]), len(small) - 1,
         crc32(small), IMAGE_LENGTH_MISMATCH)
    zerr("PW-IMAGE-5 one byte too long, then bytes after the stream", zs + b"\x01", len(small) - 1,
         crc32(small), IMAGE_LENGTH_MISMATCH)
    big_z = zlib.compress(text * 3)
    zerr("PW-IMAGE-5 too long, then a wrong Adler-32, many pieces", big_z[:-1] + bytes([big_z[-1] ^ 1]),
         len(text * 3) - 1, crc32(text * 3), IMAGE_LENGTH_MISMATCH)
    zerr("PW-IMAGE-5 exact, then a wrong Adler-32, many pieces", big_z[:-1] + bytes([big_z[-1] ^ 1]),
         len(text * 3), crc32(text * 3), INFLATE_FAILED)
    # A decompression bomb: 20 MB of zeros in about 20 KB. The output stops at imageLength + 1.
    bomb = zlib.compress(bytes(20 * 1024 * 1024), 9)
    code, produced = inflate_limited(bomb, len(bomb))
    t.eq("PW-IMAGE-5 bomb stopped at imageLength + 1", (code, len(produced)), (IMAGE_LENGTH_MISMATCH, len(bomb) + 1))
    bomb_chunks = chunks_of(bomb, len(bomb), 0, "zlib")
    t.err("PW-IMAGE-5 bomb through the reassembler", lambda: rebuild(bomb_chunks), IMAGE_LENGTH_MISMATCH, 0)
    t.eq("PW-IMAGE-5 the bomb's ratio passes step 1", len(bomb) <= 1032 * len(bomb), True)

    # ---- conformance.md 2.4.8 DUMP
    def dump_request(frames):
        return b"\x0b" + u16(len(frames)) + b"".join(u16(len(f)) + f for f in frames)
    zc_frames = chunk_frames(chunks_of(z, len(text), crc32(text), "zlib"))
    got = Testee().handle(dump_request([zc_frames[-1]] + zc_frames[:-1] + [zc_frames[0]]))
    t.eq("DUMP zlib", got, u8(OK) + u16(len(zc_frames) + 1) + bytes(len(zc_frames)) + u8(1)
         + u8(0) + u32(len(text)) + text)
    rf = chunk_frames(raw_chunks)
    bad_crc_frame = rf[1][:-1] + bytes([rf[1][-1] ^ 1])
    conflict_frame = frame(0x85, 5, encode_payload(0x85, dict(raw_chunks[1], data=conflict.hex())))
    got = Testee().handle(dump_request([rf[1], bad_crc_frame, ok, frags[0], conflict_frame,
                                        chunk_frames([dict(raw_chunks[0], regionOffset=20)])[0], rf[3]]))
    t.eq("DUMP steps and CHUNKS_MISSING", got, u8(OK) + u16(7) + u8(0)
         + u8(2) + u16(BAD_CRC) + u32(len(rf[1]) - 2) + u8(0)
         + u8(2) + u16(FIELD_OUT_OF_RANGE) + u32(3) + u8(0)
         + u8(2) + u16(FIELD_OUT_OF_RANGE) + u32(3) + u8(0)
         + u8(2) + u16(CHUNK_DATA_CONFLICT) + u32(29) + u8(1)
         + u8(2) + u16(CHUNK_IMAGE_MISMATCH) + u32(6) + u8(1)
         + u8(0)
         + u8(1) + u16(CHUNKS_MISSING) + u32(0) + u16(3) + u16(0) + u16(2) + u16(4))
    t.eq("DUMP no chunk", Testee().handle(dump_request([ok])),
         u8(OK) + u16(1) + u8(2) + u16(FIELD_OUT_OF_RANGE) + u32(3) + u8(0) + u8(2))
    t.eq("DUMP nothing", Testee().handle(dump_request([])), u8(OK) + u16(0) + u8(2))
    t.eq("DUMP rebuild error", Testee().handle(dump_request(chunk_frames(chunks_of(img, 1000, 7)))),
         u8(OK) + u16(5) + bytes(5) + u8(1) + u16(IMAGE_CRC_FAILED) + u32(0) + u16(0))
    t.eq("DUMP bomb", Testee().handle(dump_request(chunk_frames(bomb_chunks))),
         u8(OK) + u16(len(bomb_chunks)) + bytes(len(bomb_chunks)) + u8(1) + u16(IMAGE_LENGTH_MISMATCH) + u32(0)
         + u16(0))
    t.eq("DUMP the spec's 9.8 example", Testee().handle(dump_request([f("memoryDumpChunk")])),
         u8(OK) + u16(1) + u8(0) + u8(0) + u32(5) + bytes([1, 2, 3, 4, 5]))

    # ---- 13.4 log records: the worked example, its view (PW-JSON-6), canonical bytes
    sec134 = spec[spec.index("### 13.4"):]
    example_record = parse_hex_block(re.search(r"```text\n(.*?)```", sec134, re.S).group(1))
    example_view = json.loads(re.search(r"```json\n(.*?)```", sec134, re.S).group(1))
    t.eq("13.4 example is 20 bytes", len(example_record), 20)
    t.eq("13.4 example CRC-16", crc16(example_record[:18]), 0x77b0)
    items = read_log("eventLog", 0, example_record)
    t.eq("13.4 example decodes", [i[0] for i in items], [LOG_RECORD])
    t.eq("PW-JSON-6 example view", log_item_view(items[0]), example_view)
    t.eq("13.4 example re-encodes", encode_log_record(items[0][2]), example_record)

    def rec(rtype, time, body, reserved=0, crc=None):
        b = u8(rtype) + u8(reserved) + u32(time) + body
        assert len(b) == 18
        return b + u16(crc16(b) if crc is None else crc)
    day = 847584000                                   # 2026-11-10 00:00:00, a multiple of 86400
    good = {
        "therapyChanged": rec(0x01, day, u32(0xb7e2aad6) + u32(0) + u8(1) + bytes(3)),
        "bolusScheduleChanged": rec(0x02, day, u32(0x41d912ff) + u32(5) + bytes(4)),
        "refilled": rec(0x04, day, u8(1) + u32(2000) + u32(20000) + bytes(3)),
        "clockChanged": rec(0x05, day, u32(day - 60) + bytes(8)),
        "alarmRaised": rec(0x10, day, u8(1) + u8(0) + u32(2000) + bytes(6)),
        "alarmCleared": rec(0x11, day, u8(4) + u8(2) + u32(0) + bytes(6)),
        "dailyDelivery": rec(0x20, day, u32(390000) + u32(50000) + u16(1) + bytes(2)),
    }
    regions_of = {"therapyChanged": "therapyHistory", "bolusScheduleChanged": "eventLog", "refilled": "eventLog",
                  "clockChanged": "eventLog", "alarmRaised": "alarmLog", "alarmCleared": "alarmLog",
                  "dailyDelivery": "therapyHistory"}
    for name, b in good.items():
        items = read_log(regions_of[name], 40, b)
        t.eq("13.4 %s decodes" % name, (items[0][0], items[0][2]["record"]), (LOG_RECORD, name))
        t.eq("13.4 %s re-encodes" % name, encode_log_record(items[0][2]), b)
    t.eq("PW-JSON-6 alarmCleared view", log_item_view(read_log("alarmLog", 0, good["alarmCleared"])[0]),
         {"offset": 0, "record": "alarmCleared", "time": day, "alarm": "motorStall", "cause": "acknowledged",
          "detail": 0})
    t.eq("PW-JSON-6 alarmRaised view has no cause", log_item_view(read_log("alarmLog", 0, good["alarmRaised"])[0]),
         {"offset": 0, "record": "alarmRaised", "time": day, "alarm": "lowReservoir", "detail": 2000})

    def log_err(what, region, slot, code, offset):
        items = read_log(region, 0, slot)
        t.eq(what, items, [(LOG_REJECTED, 0, code, offset)])
    ev = example_record
    log_err("PW-LOG-1 CRC", "eventLog", ev[:5] + b"\x33" + ev[6:], RECORD_CRC_MISMATCH, 18)
    log_err("PW-LOG-1 type not of the region", "alarmLog", ev, FIELD_OUT_OF_RANGE, 0)
    log_err("PW-LOG-1 type not listed", "eventLog", rec(0x06, day, bytes(12)), FIELD_OUT_OF_RANGE, 0)
    log_err("PW-LOG-1 reserved", "eventLog", rec(0x03, day, ev[6:18], reserved=1), NON_CANONICAL, 1)
    log_err("PW-LOG-1 type before reserved", "eventLog", rec(0x10, day, ev[6:18], reserved=1), FIELD_OUT_OF_RANGE, 0)
    log_err("PW-LOG-1 time", "eventLog", rec(0x03, NEVER, ev[6:18]), FIELD_OUT_OF_RANGE, 2)
    log_err("PW-LOG-1 bolus kind", "eventLog", rec(0x03, day, u8(5) + ev[7:18]), FIELD_OUT_OF_RANGE, 6)
    log_err("PW-LOG-1 bolus outcome", "eventLog", rec(0x03, day, u8(1) + u8(3) + ev[8:18]), FIELD_OUT_OF_RANGE, 7)
    log_err("PW-LOG-1 bolus volume", "eventLog", rec(0x03, day, ev[6:8] + u32(60000001) + ev[12:18]),
            FIELD_OUT_OF_RANGE, 8)
    log_err("PW-LOG-1 bolus dose", "eventLog", rec(0x03, day, ev[6:12] + u32(100000001) + ev[16:18]),
            FIELD_OUT_OF_RANGE, 12)
    log_err("PW-LOG-1 bolus duration", "eventLog", rec(0x03, day, ev[6:16] + u16(1441)), FIELD_OUT_OF_RANGE, 16)
    log_err("PW-LOG-1 fields in layout order", "eventLog", rec(0x03, day, u8(9) + u8(9) + ev[8:18]),
            FIELD_OUT_OF_RANGE, 6)
    log_err("PW-LOG-1 therapy source", "therapyHistory", rec(0x01, day, bytes(8) + u8(3) + bytes(3)),
            FIELD_OUT_OF_RANGE, 14)
    log_err("PW-LOG-1 therapy unused", "eventLog", rec(0x01, day, bytes(8) + u8(1) + b"\x00\x00\x01"),
            NON_CANONICAL, 17)
    log_err("PW-LOG-1 schedule unused", "eventLog", rec(0x02, day, bytes(9) + b"\x01" + bytes(2)), NON_CANONICAL, 15)
    log_err("PW-LOG-1 refill drug", "eventLog", rec(0x04, day, u8(9) + u32(1) + u32(0) + bytes(3)),
            FIELD_OUT_OF_RANGE, 6)
    log_err("PW-LOG-1 refill concentration", "eventLog", rec(0x04, day, u8(1) + u32(0) + u32(0) + bytes(3)),
            FIELD_OUT_OF_RANGE, 7)
    log_err("PW-LOG-1 refill reservoir", "eventLog", rec(0x04, day, u8(1) + u32(1) + u32(60001) + bytes(3)),
            FIELD_OUT_OF_RANGE, 11)
    log_err("PW-LOG-1 clock previousTime", "eventLog", rec(0x05, day, u32(NEVER) + bytes(8)), FIELD_OUT_OF_RANGE, 6)
    log_err("PW-LOG-1 clock unused", "eventLog", rec(0x05, day, u32(0) + bytes(7) + b"\x80"), NON_CANONICAL, 17)
    log_err("PW-LOG-1 alarm code", "alarmLog", rec(0x10, day, u8(10) + bytes(11)), FIELD_OUT_OF_RANGE, 6)
    log_err("PW-LOG-1 alarm code 0", "alarmLog", rec(0x11, day, u8(0) + u8(1) + bytes(10)), FIELD_OUT_OF_RANGE, 6)
    log_err("PW-LOG-1 alarmRaised cause unused", "alarmLog", rec(0x10, day, u8(4) + u8(1) + bytes(10)),
            NON_CANONICAL, 7)
    log_err("PW-LOG-1 alarmCleared cause", "alarmLog", rec(0x11, day, u8(4) + u8(3) + bytes(10)),
            FIELD_OUT_OF_RANGE, 7)
    log_err("PW-LOG-1 alarmCleared cause 0", "alarmLog", rec(0x11, day, u8(4) + u8(0) + bytes(10)),
            FIELD_OUT_OF_RANGE, 7)
    log_err("PW-LOG-1 reservoir detail", "alarmLog", rec(0x10, day, u8(2) + u8(0) + u32(60001) + bytes(6)),
            FIELD_OUT_OF_RANGE, 8)
    log_err("PW-LOG-1 battery detail", "alarmLog", rec(0x11, day, u8(9) + u8(1) + u32(5001) + bytes(6)),
            FIELD_OUT_OF_RANGE, 8)
    log_err("PW-LOG-1 other detail is 0", "alarmLog", rec(0x10, day, u8(8) + u8(0) + u32(1) + bytes(6)),
            NON_CANONICAL, 8)
    log_err("PW-LOG-1 alarm unused", "alarmLog", rec(0x10, day, u8(3) + u8(0) + u32(5000) + bytes(5) + b"\x01"),
            NON_CANONICAL, 17)
    log_err("PW-LOG-1 daily time", "therapyHistory", rec(0x20, day + 1, bytes(12)), FIELD_OUT_OF_RANGE, 2)
    log_err("PW-LOG-1 daily time before the body", "therapyHistory", rec(0x20, day + 1, u32(NEVER) + bytes(8)),
            FIELD_OUT_OF_RANGE, 2)
    log_err("PW-LOG-1 daily basal", "therapyHistory", rec(0x20, day, u32(60000001) + bytes(8)), FIELD_OUT_OF_RANGE, 6)
    log_err("PW-LOG-1 daily bolus", "therapyHistory", rec(0x20, day, u32(0) + u32(60000001) + bytes(4)),
            FIELD_OUT_OF_RANGE, 10)
    log_err("PW-LOG-1 daily count", "therapyHistory", rec(0x20, day, bytes(8) + u16(1441) + bytes(2)),
            FIELD_OUT_OF_RANGE, 14)
    log_err("PW-LOG-1 daily unused", "therapyHistory", rec(0x20, day, bytes(11) + b"\x01"), NON_CANONICAL, 17)
    t.eq("PW-LOG-1 erased slot is no error", read_log("alarmLog", 0, ERASED_SLOT), [(LOG_ERASED, 0, 1)])

    # An image starting at region offset 30: 10 bytes of a partial slot, then whole slots, then a cut one.
    erased = ERASED_SLOT
    bad_slot = ev[:5] + b"\x33" + ev[6:]
    image = (b"\x01" * 10 + ev + erased + erased + bad_slot + erased + good["refilled"] + erased * 3
             + ev[:7])
    items = read_log("eventLog", 30, image)
    t.eq("PW-LOG-1/2 image", [(i[0], i[1]) + (i[2:] if i[0] != LOG_RECORD else ()) for i in items], [
        (LOG_REJECTED, 0, RECORD_TRUNCATED, 0), (LOG_RECORD, 10), (LOG_ERASED, 30, 2),
        (LOG_REJECTED, 70, RECORD_CRC_MISMATCH, 88), (LOG_ERASED, 90, 1), (LOG_RECORD, 110),
        (LOG_ERASED, 130, 3), (LOG_REJECTED, 190, RECORD_TRUNCATED, 190)])
    t.eq("PW-LOG-1 a short image inside one slot", read_log("eventLog", 1, b"\xff" * 5),
         [(LOG_REJECTED, 0, RECORD_TRUNCATED, 0)])
    t.eq("PW-LOG-1 empty image", read_log("eventLog", 7, b""), [])
    t.eq("PW-LOG-1 slots at multiples of 20 near 2^32", read_log("eventLog", 2 ** 32 - 20, bytes(4) + ev),
         [(LOG_REJECTED, 0, RECORD_TRUNCATED, 0), (LOG_RECORD, 4, read_log("eventLog", 0, ev)[0][2])])

    # ---- conformance.md 2.4.9 LOG
    got = Testee().handle(b"\x0c" + u8(1) + u32(30) + image)
    t.eq("LOG", got, u8(OK) + u32(8)
         + u8(2) + u32(0) + u16(RECORD_TRUNCATED) + u32(0)
         + u8(0) + u32(10) + ev
         + u8(1) + u32(30) + u32(2)
         + u8(2) + u32(70) + u16(RECORD_CRC_MISMATCH) + u32(88)
         + u8(1) + u32(90) + u32(1)
         + u8(0) + u32(110) + good["refilled"]
         + u8(1) + u32(130) + u32(3)
         + u8(2) + u32(190) + u16(RECORD_TRUNCATED) + u32(190))
    t.eq("LOG rawAddress", Testee().handle(b"\x0c" + u8(4) + u32(0) + ev),
         rejected(PumpWireError(FIELD_OUT_OF_RANGE, 0)))
    t.eq("LOG region 0", Testee().handle(b"\x0c" + u8(0) + u32(0)), rejected(PumpWireError(FIELD_OUT_OF_RANGE, 0)))
    t.eq("LOG empty image", Testee().handle(b"\x0c" + u8(2) + u32(0)), u8(OK) + u32(0))

    # ---- 11.3 step 9 with encodings (ENCODING_NOT_ALLOWED, CHUNK_CONFLICT on encoding, PW-IMAGE-5)
    zreq = frame(5, 5, u8(1) + u8(1) + u32(0) + u32(len(text)))
    zreq_no = frame(5, 5, u8(1) + u8(0) + u32(0) + u32(len(text)))
    t.eq("session zlib allowed", check_session([zreq] + zc_frames), [])
    t.eq("session zlib not allowed: once, used all the same", check_session([zreq_no] + zc_frames[::-1]),
         [(1, ENCODING_NOT_ALLOWED)])
    t.eq("session raw answer with compressionAllowed", check_session([frame(5, 5, u8(1) + u8(1) + u32(0) + u32(5)),
                                                                      f("memoryDumpChunk")]), [])
    raw_as_zlib = chunk_frames([dict(raw_chunks[0], encoding="zlib", chunkCount=1, imageLength=1000,
                                     data=raw_chunks[0]["data"][:200])])
    t.eq("session chunk conflict on encoding",
         check_session([zreq_no, rf[0], raw_as_zlib[0], rf[1], rf[2], rf[3], rf[4]]),
         [(2, CHUNK_CONFLICT)])
    t.eq("session zlib rebuild fails: IMAGE_CRC_MISMATCH", check_session([zreq] + chunk_frames(bomb_chunks)),
         [(len(bomb_chunks), IMAGE_CRC_MISMATCH)])
    t.eq("session zlib not allowed, then rebuild fails", check_session([zreq_no] + chunk_frames(bomb_chunks[:1])),
         [(1, ENCODING_NOT_ALLOWED), (0, NO_RESPONSE)])
    t.eq("session ENCODING_NOT_ALLOWED again after a retransmission",
         check_session([zreq_no, zc_frames[0], zreq_no] + zc_frames),
         [(1, ENCODING_NOT_ALLOWED), (3, ENCODING_NOT_ALLOWED)])
    one_chunk_bomb = chunk_frames(chunks_of(zlib.compress(bytes(200000)), 300, 0, "zlib"))
    t.eq("session one zlib chunk: both findings at its index",
         check_session([frame(5, 5, u8(1) + u8(0) + u32(0) + u32(300))] + one_chunk_bomb),
         [(1, ENCODING_NOT_ALLOWED), (1, IMAGE_CRC_MISMATCH)])

    # ---- Property: log slots that decode re-encode to the same 20 bytes (PW-ENC-5 for records)
    log_accepted = 0
    log_mismatches = 0
    seeds = [ev] + list(good.values())
    for _ in range(3000):
        s_ = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randrange(1, 3)):
            s_[rnd.randrange(18)] = rnd.choice([0, 1, 0xff, rnd.randrange(256)])
        s_[18:20] = u16(crc16(bytes(s_[:18])))
        for region in ("eventLog", "alarmLog", "therapyHistory"):
            it = read_log(region, 0, bytes(s_))[0]
            if it[0] == LOG_RECORD:
                log_accepted += 1
                if encode_log_record(it[2]) != bytes(s_):
                    log_mismatches += 1
                    print("non-canonical log record: %s" % bytes(s_).hex())
    t.eq("property: accepted log records re-encode identically (%d accepted)" % log_accepted, log_mismatches, 0)

    # ---- Property: mutated example payloads either fail with a code, or re-encode to the same
    # bytes (there is exactly one encoding of each value, PW-ENC-5); streams never crash.
    mismatches = 0
    accepted = 0
    for name, data, _ in examples:
        tc, payload = data[3], data[9:-2]
        for _ in range(400):
            p = bytearray(payload)
            for _ in range(rnd.randrange(1, 4)):
                op = rnd.randrange(3)
                if op == 0 and p:
                    p[rnd.randrange(len(p))] = rnd.choice([0, 1, 0xff, rnd.randrange(256)])
                elif op == 1 and p:
                    del p[rnd.randrange(len(p)):]
                else:
                    p += bytes([rnd.randrange(256)])
            raw = frame(tc, 1, bytes(p[:240]))
            try:
                fr = decode_frame(raw)
            except PumpWireError:
                continue
            accepted += 1
            if encode_frame(fr) != raw:
                mismatches += 1
                print("non-canonical acceptance: %s" % raw.hex())
    t.eq("property: accepted frames re-encode identically (%d accepted)" % accepted, mismatches, 0)
    blob = b"".join(d for _, d, _ in examples) + b"".join(frags)
    for _ in range(300):
        s = bytearray(blob)
        for _ in range(rnd.randrange(1, 6)):
            s[rnd.randrange(len(s))] = rnd.randrange(256)
        items = read_stream(bytes(s))
        starts = [i[1] for i in items if i[0] == ITEM_FRAME]
        if starts != sorted(starts):
            t.eq("stream frame starts increase", starts, sorted(starts))

    # ---- security.md: the Noise handshakes against the published vectors (cacophony, snow) of
    # vectors/crypto/primitives.json, both sides, through the handshake and two transport messages
    primitives = os.path.join(os.path.dirname(os.path.abspath(spec_path)), "..", "vectors", "crypto", "primitives.json")
    if SECURE_AVAILABLE and os.path.exists(primitives):
        with open(primitives) as f:
            noise_vectors = [v for v in json.load(f)["vectors"] if v["primitive"] == "noise-handshake"]
        for v in noise_vectors:
            pattern = 1 if "XXpsk3" in v["protocol_name"] else 2
            sides = []
            for side in ("init", "resp"):
                psks = v.get(side + "_psks") or [None]
                remote = v.get(side + "_remote_static")
                sides.append(NoiseHandshake(pattern, side == "init", bytes.fromhex(v[side + "_prologue"]),
                                            bytes.fromhex(v[side + "_static"]), bytes.fromhex(v[side + "_ephemeral"]),
                                            bytes.fromhex(remote) if remote else None,
                                            bytes.fromhex(psks[0]) if psks[0] else None))
            count = len(NOISE_PATTERNS[pattern][2])
            for i, m in enumerate(v["messages"][:count]):
                writer, reader = (sides[0], sides[1]) if i % 2 == 0 else (sides[1], sides[0])
                sent = writer.write_message(bytes.fromhex(m["payload"]))
                t.eq("%s message %d" % (v["id"], i + 1), sent.hex(), m["ciphertext"])
                t.eq("%s message %d read" % (v["id"], i + 1), reader.read_message(sent).hex(), m["payload"])
            (h, k1, k2), (h2, k1b, k2b) = sides[0].split(), sides[1].split()
            t.eq("%s split agrees" % v["id"], (h, k1, k2), (h2, k1b, k2b))
            if "handshake_hash" in v:
                t.eq("%s handshake hash" % v["id"], h.hex(), v["handshake_hash"])
            for i, m in enumerate(v["messages"][count:count + 2]):   # transport: nonce 0 in each direction
                key = k1 if (count + i) % 2 == 0 else k2
                sealed = ChaCha20Poly1305(key).encrypt(aead_nonce(0), bytes.fromhex(m["payload"]), b"")
                t.eq("%s transport %d" % (v["id"], i + 1), sealed.hex(), m["ciphertext"])

    print("self-test: %d passed, %d failed (%d worked examples from %s)"
          % (t.passed, t.failed, len(examples), spec_path))
    return 0 if t.failed == 0 else 1


def main(argv):
    if len(argv) > 1 and argv[1] == "--self-test":
        here = os.path.dirname(os.path.abspath(__file__))
        spec = argv[2] if len(argv) > 2 else os.path.join(here, "..", "..", "spec", "pumpwire-v1.md")
        return self_test(os.path.normpath(spec))
    if len(argv) > 1:
        sys.stderr.write("usage: %s [--self-test [SPEC.md]]\n" % argv[0])
        return 2
    return serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
