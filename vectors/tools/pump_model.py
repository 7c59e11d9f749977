#!/usr/bin/env python3
"""A pump as spec/behaviour.md says, written in Python from the spec alone (PW-CONF-7).

This is the second implementation of the pump's behaviour: it shares no code with the Swift engine
(PumpEngine) and was written without reading it. vectors/tools/pump_scenarios.py drives it through
the scenarios of vectors/scenarios/ and writes what it answers, holds and logs as their
expectations.

What it models (section numbers of behaviour.md):

- the state of section 1: clock, prescription, bolus schedule, reservoir in nanolitres, the
  low-reservoir alarm time, the basal accumulator, four bolus slots, active alarms, battery, day
  counters, the last request (PW-PUMP-20) and the three log regions as rings of 20-byte slots
  (Appendix P);
- ticks (PW-PUMP-2 to 5) in their five steps; basal (PW-PUMP-6); boluses (PW-PUMP-7 to 12); the
  reservoir (PW-PUMP-13 to 15); alarms (PW-PUMP-16, 17); requests (7.1, PW-PUMP-18 to 20,
  PW-REFILL-5, D5); restarts (PW-PUMP-22); logs and dumps (PW-PUMP-23 to 25);
- the secure pump of section 11 at the level of messages: sessions of a slot (no cryptography: the
  runner runs Noise and seals; the model keeps what PW-SEC-21 decides with: epochs, frame counters,
  command ids, roles, idle time, patient bolus limits) and the records of security.md 11.

Frames are modelled as `Frame` objects: a message's payload (or one fragment's part of it), its
type and sequence, whether it is sealed (and at which session epoch and counter), and whether a
fault corrupted it. Payloads are real bytes, encoded from the JSON views of pumpwire-v1.md section 12
and decoded again by the pump, so that digests are CRC-32s of real payloads.

Arithmetic is plain Python integers, exactly the formulas of the spec. CRC-32 is zlib's, CRC-16 is
binascii.crc_hqx with init 0xffff (CRC-16/IBM-3740).

    python3 vectors/tools/pump_model.py --self-test
"""
import binascii
import sys
import zlib

NEVER = 0xFFFFFFFF
NO_OFFSET = 0xFFFF
DAY = 86400

# ---------------------------------------------------------------------------------------------
# Names and codes (pumpwire-v1.md 8, 9, 10, 13.4; security.md 9 to 12)

DRUGS = ["morphine", "hydromorphone", "baclofen", "ziconotide", "bupivacaine", "clonidine",
         "fentanyl", "sufentanil"]
DRUG_CODE = {name: i + 1 for i, name in enumerate(DRUGS)}
MODES = {"fixedRate": 1, "continuous": 2, "timeOfDay": 3}
PRIMING_KINDS = {"catheter": 1, "bridge": 2}
REGIONS = {"eventLog": 1, "alarmLog": 2, "therapyHistory": 3, "rawAddress": 4}
REGION_NAMES = {v: k for k, v in REGIONS.items()}

INTERROGATION, PRESCRIPTION, BOLUS_SCHEDULE, REFILL, DUMP_REQUEST, PATIENT_BOLUS = 1, 2, 3, 4, 5, 6
HANDSHAKE_REQUEST, HANDSHAKE_FINISH, ENROLLMENT, REVOCATION, SESSION_CLOSE = 0x10, 0x11, 0x12, 0x13, 0x14
PUMP_STATUS, REFILL_RECEIPT, DUMP_CHUNK, ACK, NAK = 0x81, 0x84, 0x85, 0xF0, 0xF1
TYPE_CODE = {
    "interrogationRequest": INTERROGATION, "prescriptionBlock": PRESCRIPTION,
    "bolusSchedule": BOLUS_SCHEDULE, "refillConfirmation": REFILL, "memoryDumpRequest": DUMP_REQUEST,
    "patientBolusRequest": PATIENT_BOLUS, "handshakeRequest": HANDSHAKE_REQUEST,
    "handshakeFinish": HANDSHAKE_FINISH, "deviceEnrollment": ENROLLMENT,
    "deviceRevocation": REVOCATION, "sessionClose": SESSION_CLOSE, "pumpStatus": PUMP_STATUS,
    "refillReceipt": REFILL_RECEIPT, "memoryDumpChunk": DUMP_CHUNK, "acknowledgement": ACK,
    "negativeAcknowledgement": NAK, "handshakeResponse": 0x90,
}
TYPE_NAME = {v: k for k, v in TYPE_CODE.items()}

ERROR_NAMES = {
    1: "TRUNCATED", 2: "BAD_SYNC", 3: "UNSUPPORTED_VERSION", 4: "UNKNOWN_MESSAGE_TYPE",
    5: "LENGTH_MISMATCH", 6: "TRAILING_BYTES", 7: "BAD_CRC", 8: "PAYLOAD_TOO_LARGE",
    9: "NON_CANONICAL", 10: "FIELD_OUT_OF_RANGE", 11: "TOO_MANY_ITEMS", 12: "INVALID_TEXT",
    13: "DAY_PROFILE_GAP", 14: "DAY_PROFILE_ORDER", 15: "MODE_PROFILE_MISMATCH",
    16: "DAILY_DOSE_EXCEEDS_LIMIT", 17: "THRESHOLD_NOT_BELOW_CAPACITY", 18: "BOLUS_ORDER",
    19: "BUFFER_TOO_SMALL", 32: "FRAGMENT_COUNT_INVALID", 33: "FRAGMENT_INDEX_OUT_OF_RANGE",
    34: "FRAGMENT_SIZE_INVALID", 35: "FRAGMENT_CONFLICT", 36: "FRAGMENT_MISSING",
    37: "FRAGMENT_INTERLEAVED", 96: "AUTHENTICATION_FAILED", 97: "REPLAYED", 98: "COUNTER_ROLLBACK",
    99: "STALE_SESSION", 100: "NOT_SEALED", 101: "COUNTER_EXHAUSTED", 102: "HANDSHAKE_FAILED",
    103: "LOW_ORDER_KEY", 104: "HANDSHAKE_OUT_OF_ORDER", 128: "NOT_PERMITTED", 129: "DRUG_MISMATCH",
    130: "CONCENTRATION_MISMATCH", 131: "RESERVOIR_OVERFILL", 132: "BUSY",
    133: "AUTHENTICATION_REQUIRED", 134: "ROLE_NOT_PERMITTED", 135: "DUPLICATE_COMMAND",
    136: "PATIENT_BOLUS_DOSE_EXCEEDED", 137: "PATIENT_BOLUS_COUNT_EXCEEDED",
    138: "PATIENT_BOLUS_LOCKOUT",
}
UNKNOWN_MESSAGE_TYPE, FIELD_OUT_OF_RANGE, FRAGMENT_CONFLICT, FRAGMENT_INTERLEAVED = 4, 10, 35, 37
REPLAYED, COUNTER_ROLLBACK, STALE_SESSION, HANDSHAKE_FAILED = 97, 98, 99, 102
NOT_PERMITTED, DRUG_MISMATCH, CONCENTRATION_MISMATCH, RESERVOIR_OVERFILL = 128, 129, 130, 131
AUTHENTICATION_REQUIRED, ROLE_NOT_PERMITTED, DUPLICATE_COMMAND = 133, 134, 135
PATIENT_BOLUS_DOSE_EXCEEDED, PATIENT_BOLUS_COUNT_EXCEEDED, PATIENT_BOLUS_LOCKOUT = 136, 137, 138

# Alarms: codes of 13.4; bits of activeAlarms (9.2) are code - 1 for codes 1 to 8.
ALARM_NAMES = {1: "lowReservoir", 2: "emptyReservoir", 3: "batteryEndOfService", 4: "motorStall",
               5: "catheterOcclusion", 6: "memoryError", 7: "clockLost", 8: "pumpReset",
               9: "batteryElectiveReplacement"}
LOW_RESERVOIR, EMPTY_RESERVOIR, END_OF_SERVICE, PUMP_RESET, ELECTIVE_REPLACEMENT = 1, 2, 3, 8, 9

# Bolus slots in the order of the tick's steps (behaviour.md 2), and the record's kind codes (13.4).
SLOT_ORDER = ["clinician", "priming", "periodic", "patient"]
KIND_CODE = {"clinician": 1, "priming": 2, "patient": 3, "periodic": 4}
OUTCOMES = ["completed", "stoppedByProgrammer", "stoppedByAlarm"]
COMPLETED, STOPPED_BY_PROGRAMMER, STOPPED_BY_ALARM = OUTCOMES

# Appendix P, the conformance profile
CAPACITY = {"eventLog": 256, "alarmLog": 64, "therapyHistory": 128}
RAW_BASE = {"eventLog": 0, "alarmLog": 5120, "therapyHistory": 6400}
ERI_MILLIVOLTS, EOS_MILLIVOLTS = 2700, 2500
MODEL, SERIAL, FIRMWARE = "PumpModel py", "PY-MODEL-1", (1, 0, 0)

# Security layer (security.md)
CLINICIAN, PATIENT = "clinician", "patient"
PERMITTED = {   # PW-SEC-15
    CLINICIAN: {INTERROGATION, PRESCRIPTION, BOLUS_SCHEDULE, REFILL, DUMP_REQUEST, PATIENT_BOLUS,
                ENROLLMENT, REVOCATION, SESSION_CLOSE},
    PATIENT: {INTERROGATION, PATIENT_BOLUS, SESSION_CLOSE},
}
WITH_COMMAND_ID = {PRESCRIPTION, BOLUS_SCHEDULE, REFILL, PATIENT_BOLUS, ENROLLMENT, REVOCATION}
SESSION_END_REASONS = {1: "closed", 2: "replaced", 3: "idle", 4: "revoked", 5: "counterExhausted"}
IDLE_SECONDS = 600
NO_SLOT = 0xFF

CHUNK = 218          # a dump chunk's data (9.8)
FRAGMENT_DATA = 236  # a fragment's data (5.1)


# ---------------------------------------------------------------------------------------------
# Arithmetic and checksums (pumpwire-v1.md 2, 3)

def round_half_up(n, d):
    """RoundHalfUp(n, d) = floor((2n + d) / (2d)), d > 0 (2.2)."""
    return (2 * n + d) // (2 * d)


def crc16(data):
    """CRC-16/IBM-3740: poly 0x1021, init 0xffff, no reflection, no final xor."""
    return binascii.crc_hqx(bytes(data), 0xFFFF)


def crc32(data):
    return zlib.crc32(bytes(data)) & 0xFFFFFFFF


def u16(v):
    return v.to_bytes(2, "little")


def u32(v):
    return v.to_bytes(4, "little")


def get16(b, i):
    return int.from_bytes(b[i:i + 2], "little")


def get32(b, i):
    return int.from_bytes(b[i:i + 4], "little")


def step_minutes(steps):
    """minutes[i] of 2.3: to the next step's start, the last to midnight."""
    return [(steps[i + 1][0] if i + 1 < len(steps) else 1440) - steps[i][0] for i in range(len(steps))]


def w_of(steps):
    """W = sum of rate[i] * minutes[i] (2.3)."""
    return sum(rate * minutes for (_, rate), minutes in zip(steps, step_minutes(steps)))


def d1(rate, c):
    return round_half_up(rate * 1000, c)


def d2(steps, c):
    return round_half_up(w_of(steps) * 1000, 1440 * c)


def d3(steps):
    return round_half_up(w_of(steps), 1440)


def d4(dose, c):
    return round_half_up(dose * 1000, c)


def d5(resulting, time, threshold, volume):
    """The low-reservoir alarm time (2.3, D5)."""
    if resulting <= threshold:
        return time
    if volume == 0:
        return NEVER
    minutes = (resulting - threshold) * 1000 * 1440 // volume
    alarm = time + 60 * minutes
    return NEVER if alarm >= NEVER else alarm


# ---------------------------------------------------------------------------------------------
# Payloads: JSON views (pumpwire-v1.md 12) to bytes (9.x), with the decoder's checks, so that a
# scenario can never send a message a pump would refuse for its encoding.

class DecodeError(Exception):
    def __init__(self, code, offset):
        super().__init__(f"{ERROR_NAMES.get(code, code)} at {offset}")
        self.code, self.offset = code, offset


def _check(condition, what):
    if not condition:
        raise ValueError(f"not a valid message: {what}")


def encode_prescription(m):
    steps = [(s["startMinute"], s["doseRateNanogramsPerDay"]) for s in m["steps"]]
    c, cap, low = m["concentrationMicrogramsPerMillilitre"], m["reservoirCapacityMicrolitres"], m["lowReservoirThresholdMicrolitres"]
    _check(1 <= c <= 100000 and 1000 <= cap <= 60000 and 500 <= low <= 10000 and low < cap, "PW-RX-2/3")
    _check(0 <= m["catheterVolumeMicrolitres"] <= 2000 and 1 <= m["maxDailyDoseNanograms"] <= 1000000000, "PW-RX-2")
    _check(1 <= len(steps) <= 48, "PW-RX-4")
    _check((len(steps) == 1) == (m["mode"] in ("fixedRate", "continuous")), "PW-RX-5")
    _check(steps[0][0] == 0 and all(a[0] < b[0] for a, b in zip(steps, steps[1:])), "PW-RX-7/8")
    _check(all(s <= 1439 and 1 <= r <= 1000000000 for s, r in steps), "PW-RX-6")
    _check(w_of(steps) <= m["maxDailyDoseNanograms"] * 1440, "PW-RX-9")
    out = bytes([DRUG_CODE[m["drug"]], MODES[m["mode"]]]) + u32(c) + u32(cap) + u32(low)
    out += u16(m["catheterVolumeMicrolitres"]) + u32(m["maxDailyDoseNanograms"]) + bytes([len(steps)])
    for start, rate in steps:
        out += u16(start) + u32(rate)
    return out


def decode_prescription(p):
    """9.3 (the payload a pump stores; encode_prescription made it, so only the layout is read)."""
    count = p[20]
    if len(p) != 21 + 6 * count:
        raise DecodeError(5, min(len(p), 21 + 6 * count))
    return {
        "drug": p[0], "mode": p[1], "c": get32(p, 2), "capacity": get32(p, 6), "threshold": get32(p, 10),
        "catheter": get16(p, 14), "maxDaily": get32(p, 16),
        "steps": [(get16(p, 21 + 6 * i), get32(p, 23 + 6 * i)) for i in range(count)],
    }


def encode_bolus_schedule(m):
    flags, out = 0, b""
    if m.get("clinicianBolus") is not None:
        b = m["clinicianBolus"]
        _check(1 <= b["doseNanograms"] <= 100000000 and 1 <= b["durationMinutes"] <= 1440, "PW-BOLUS-2 clinician")
        flags |= 1
        out += u32(b["doseNanograms"]) + u16(b["durationMinutes"])
    if m.get("primingBolus") is not None:
        b = m["primingBolus"]
        _check(1 <= b["volumeMicrolitres"] <= 2000 and 1 <= b["durationMinutes"] <= 1440, "PW-BOLUS-2 priming")
        flags |= 2
        out += bytes([PRIMING_KINDS[b["kind"]]]) + u16(b["volumeMicrolitres"]) + u16(b["durationMinutes"])
    if m.get("patientBolus") is not None:
        b = m["patientBolus"]
        _check(1 <= b["doseNanograms"] <= 100000000 and 1 <= b["durationMinutes"] <= 1440
               and 15 <= b["lockoutMinutes"] <= 1440 and 1 <= b["maxPerDay"] <= 24, "PW-BOLUS-2 patient")
        flags |= 4
        out += u32(b["doseNanograms"]) + u16(b["durationMinutes"]) + u16(b["lockoutMinutes"]) + bytes([b["maxPerDay"]])
    periodic = m.get("periodicBoluses", [])
    _check(len(periodic) <= 8, "PW-BOLUS-3")
    _check(all(a["startMinute"] < b["startMinute"] for a, b in zip(periodic, periodic[1:])), "PW-BOLUS-4")
    out += bytes([len(periodic)])
    for b in periodic:
        _check(b["startMinute"] <= 1439 and 1 <= b["doseNanograms"] <= 100000000 and 1 <= b["durationMinutes"] <= 1440,
               "PW-BOLUS-2 periodic")
        out += u16(b["startMinute"]) + u32(b["doseNanograms"]) + u16(b["durationMinutes"])
    return bytes([flags]) + out


def decode_bolus_schedule(p):
    flags, i = p[0], 1
    s = {"clinician": None, "priming": None, "patient": None, "periodic": []}
    if flags & 1:
        s["clinician"] = {"dose": get32(p, i), "duration": get16(p, i + 4)}
        i += 6
    if flags & 2:
        s["priming"] = {"kind": p[i], "volume": get16(p, i + 1), "duration": get16(p, i + 3)}
        i += 5
    if flags & 4:
        s["patient"] = {"dose": get32(p, i), "duration": get16(p, i + 4), "lockout": get16(p, i + 6), "maxPerDay": p[i + 8]}
        i += 9
    count = p[i]
    i += 1
    for k in range(count):
        s["periodic"].append({"start": get16(p, i), "dose": get32(p, i + 2), "duration": get16(p, i + 6)})
        i += 8
    if i != len(p):
        raise DecodeError(5, i)
    return s


def encode_refill(m):
    for key in ("concentrationMicrogramsPerMillilitre",):
        _check(1 <= m[key] <= 100000, "PW-REFILL-1")
    for key in ("volumeWithdrawnMicrolitres", "volumeAddedMicrolitres", "resultingReservoirMicrolitres"):
        _check(0 <= m[key] <= 60000, "PW-REFILL-1")
    _check(0 <= m["refillTime"] <= 0xFFFFFFFE, "PW-REFILL-1")
    return (bytes([DRUG_CODE[m["drug"]]]) + u32(m["concentrationMicrogramsPerMillilitre"])
            + u32(m["volumeWithdrawnMicrolitres"]) + u32(m["volumeAddedMicrolitres"])
            + u32(m["resultingReservoirMicrolitres"]) + u32(m["refillTime"]))


def decode_refill(p):
    if len(p) != 21:
        raise DecodeError(5, min(len(p), 21))
    return {"drug": p[0], "c": get32(p, 1), "withdrawn": get32(p, 5), "added": get32(p, 9),
            "resulting": get32(p, 13), "time": get32(p, 17)}


def encode_dump_request(m):
    _check(1 <= m["length"] <= 1048576 and m["offset"] + m["length"] <= 1 << 32, "PW-DUMP-1/2")
    return bytes([REGIONS[m["region"]], 1 if m["compressionAllowed"] else 0]) + u32(m["offset"]) + u32(m["length"])


def encode_patient_bolus(m):
    _check(1 <= m["doseNanograms"] <= 100000000 and 0 <= m["requestTime"] <= 0xFFFFFFFE, "security.md 10.0")
    return u32(m["doseNanograms"]) + u32(m["requestTime"])


ENCODERS = {"interrogationRequest": lambda m: b"", "prescriptionBlock": encode_prescription,
            "bolusSchedule": encode_bolus_schedule, "refillConfirmation": encode_refill,
            "memoryDumpRequest": encode_dump_request, "patientBolusRequest": encode_patient_bolus,
            "sessionClose": lambda m: b""}


def encode_message(message_type, message, sealed=False):
    """The payload of a request as it is sent: for a sealed request of a type with a command id,
    the commandId first (PW-SEC-13)."""
    body = ENCODERS[message_type]({k: v for k, v in message.items() if k != "commandId"})
    code = TYPE_CODE[message_type]
    if code == PATIENT_BOLUS or (sealed and code in WITH_COMMAND_ID):
        _check(1 <= message["commandId"] <= 0xFFFFFFFF, "commandId")
        return u32(message["commandId"]) + body
    _check("commandId" not in message, "a commandId outside a sealed request")
    return body


def build_frame(message_type, flags, sequence, payload, block=b""):
    """A frame's bytes (4.1): for the self-test of the encoders against the spec's examples."""
    body = b"\xa5\xc3" + bytes([1, message_type, flags]) + u16(sequence) + u16(len(payload)) + payload + block
    return body + u16(crc16(body))


class Frame:
    """One frame on the air, as the model sees it. `data` is the whole message payload, or one
    fragment's part of it when `fragment` is (index, count, totalLength). A sealed frame carries
    the epoch and counter of its freshness block; the model takes every tag as genuine (a forged
    frame is not a scenario of this suite). `corrupted` frames fail the CRC (4.2 step 7)."""

    def __init__(self, message_type, sequence, data, fragment=None, sealed=False, epoch=0, counter=0,
                 corrupted=False):
        self.type, self.sequence, self.data, self.fragment = message_type, sequence, bytes(data), fragment
        self.sealed, self.epoch, self.counter, self.corrupted = sealed, epoch, counter, corrupted

    def copy(self, **changes):
        f = Frame(self.type, self.sequence, self.data, self.fragment, self.sealed, self.epoch, self.counter,
                  self.corrupted)
        for k, v in changes.items():
            setattr(f, k, v)
        return f


def fragments_of(payload):
    """5.1: a payload of more than 240 bytes in ceil(len / 236) parts; else one part."""
    if len(payload) <= 240:
        return [(None, payload)]
    count = -(-len(payload) // FRAGMENT_DATA)
    return [((k, count, len(payload)), payload[FRAGMENT_DATA * k:FRAGMENT_DATA * (k + 1)]) for k in range(count)]


class Reassembler:
    """5.3, for frames that passed the checks of 5.2 (the model's fragments are well formed)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.key, self.count, self.total, self.parts = None, None, None, {}

    def add(self, message_type, sequence, fragment, data):
        """Returns the payload when complete, None while incomplete; raises DecodeError."""
        index, count, total = fragment
        if self.key is None:
            self.key, self.count, self.total, self.parts = (message_type, sequence), count, total, {}
        elif self.key != (message_type, sequence):
            raise DecodeError(FRAGMENT_INTERLEAVED, 3)                      # PW-FRAG-10
        elif count != self.count:
            raise DecodeError(FRAGMENT_CONFLICT, 10)                        # PW-FRAG-9
        elif total != self.total:
            raise DecodeError(FRAGMENT_CONFLICT, 11)
        if index in self.parts:
            if self.parts[index] != data:
                raise DecodeError(FRAGMENT_CONFLICT, 13)
            return None                                                     # PW-FRAG-8
        self.parts[index] = data
        if len(self.parts) < self.count:
            return None
        payload = b"".join(self.parts[k] for k in range(self.count))
        self.reset()                                                        # PW-FRAG-13
        return payload


# ---------------------------------------------------------------------------------------------
# Log records (pumpwire-v1.md 13.4, security.md 11) and their JSON views (PW-JSON-6)

RECORD_TYPES = {"therapyChanged": 0x01, "bolusScheduleChanged": 0x02, "bolusDelivered": 0x03,
                "refilled": 0x04, "clockChanged": 0x05, "alarmRaised": 0x10, "alarmCleared": 0x11,
                "dailyDelivery": 0x20, "devicePaired": 0x30, "deviceUnpaired": 0x31,
                "sessionStarted": 0x32, "sessionEnded": 0x33, "securityRejection": 0x34}


class Record:
    """A record: its view (PW-JSON-6, without `offset`) and its 20 bytes. `exact` is False when
    the model cannot know every byte (a handshake hash): such a record's view leaves the field out,
    and its bytes hold zeros there."""

    def __init__(self, name, time, fields, body, exact=True):
        assert len(body) <= 12 and 0 <= time <= 0xFFFFFFFE
        self.view = {"record": name, "time": time, **fields}
        data = bytes([RECORD_TYPES[name], 0]) + u32(time) + body.ljust(12, b"\0")
        self.bytes = data + u16(crc16(data))
        self.exact = exact


def rec_therapy_changed(time, digest, previous):
    return Record("therapyChanged", time, {"prescriptionDigest": digest, "previousDigest": previous,
                                           "source": "programmer"}, u32(digest) + u32(previous) + b"\x01")


def rec_schedule_changed(time, digest, previous):
    return Record("bolusScheduleChanged", time, {"scheduleDigest": digest, "previousDigest": previous},
                  u32(digest) + u32(previous))


def rec_bolus_delivered(time, kind, outcome, volume, dose, duration):
    return Record("bolusDelivered", time, {"kind": kind, "outcome": outcome, "volumeNanolitres": volume,
                                           "doseNanograms": dose, "durationMinutes": duration},
                  bytes([KIND_CODE[kind], OUTCOMES.index(outcome)]) + u32(volume) + u32(dose) + u16(duration))


def rec_refilled(time, drug, c, resulting):
    return Record("refilled", time, {"drug": DRUGS[drug - 1], "concentrationMicrogramsPerMillilitre": c,
                                     "resultingReservoirMicrolitres": resulting},
                  bytes([drug]) + u32(c) + u32(resulting))


def rec_clock_changed(time, previous):
    return Record("clockChanged", time, {"previousTime": previous}, u32(previous))


def rec_alarm_raised(time, alarm, detail):
    return Record("alarmRaised", time, {"alarm": ALARM_NAMES[alarm], "detail": detail},
                  bytes([alarm, 0]) + u32(detail))


def rec_alarm_cleared(time, alarm, cause, detail):
    return Record("alarmCleared", time, {"alarm": ALARM_NAMES[alarm], "cause": cause, "detail": detail},
                  bytes([alarm, {"resolved": 1, "acknowledged": 2}[cause]]) + u32(detail))


def rec_daily_delivery(time, basal, bolus, count):
    assert time % DAY == 0
    return Record("dailyDelivery", time, {"basalVolumeNanolitres": basal, "bolusVolumeNanolitres": bolus,
                                          "bolusCount": count}, u32(basal) + u32(bolus) + u16(count))


def rec_session_started(time, slot, epoch, pattern):
    # handshakeHashPrefix is the first 4 bytes of the Noise handshake hash: not the model's to know.
    return Record("sessionStarted", time, {"slot": slot, "sessionEpoch": epoch,
                                           "pattern": {1: "pairing", 2: "session"}[pattern]},
                  bytes([slot, epoch, pattern]) + bytes(4), exact=False)


def rec_session_ended(time, slot, epoch, reason, frames):
    return Record("sessionEnded", time, {"slot": slot, "sessionEpoch": epoch,
                                         "reason": SESSION_END_REASONS[reason], "framesAccepted": frames},
                  bytes([slot, epoch, reason]) + u32(frames))


def rec_security_rejection(time, slot, message_type, code, epoch):
    return Record("securityRejection", time, {"slot": slot, "messageType": message_type, "errorCode": code,
                                              "errorName": ERROR_NAMES[code], "count": 1, "sessionEpoch": epoch},
                  bytes([slot, message_type]) + u16(code) + u16(1) + bytes([epoch]))


class LogRegion:
    """PW-PUMP-24: a ring of 20-byte slots; the n-th record (from 0) goes to slot n mod capacity."""

    def __init__(self, name):
        self.name, self.capacity = name, CAPACITY[name]
        self.slots = [None] * self.capacity
        self.written = 0

    def write(self, record):
        self.slots[self.written % self.capacity] = record
        self.written += 1

    def image(self):
        return b"".join(r.bytes if r is not None else b"\xff" * 20 for r in self.slots)

    def exact(self, offset=0, length=None):
        """Whether the model knows every byte of region bytes offset .. offset + length - 1."""
        end = self.capacity * 20 if length is None else offset + length
        return all(r is None or r.exact for i, r in enumerate(self.slots) if i * 20 < end and i * 20 + 20 > offset)

    def views(self, offset=0, length=None):
        """The records of an image of this region from `offset` (a multiple of 20), as a log reader
        shows them (PW-JSON-6), `offset` their image offset; erased slots are not records."""
        assert offset % 20 == 0
        end = self.capacity * 20 if length is None else offset + length
        assert end % 20 == 0
        return [{"offset": i * 20 - offset, **r.view} for i, r in enumerate(self.slots)
                if r is not None and offset <= i * 20 < end]


# ---------------------------------------------------------------------------------------------
# The pump

class Bolus:
    """A running bolus (PW-PUMP-7, 8): volume V in nL over d ticks, its own accumulator."""

    def __init__(self, kind, start, volume, duration, dose, concentration):
        self.kind, self.start, self.volume, self.duration = kind, start, volume, duration
        self.dose, self.c = dose, concentration     # dose None for priming
        self.acc, self.ticks, self.delivered = 0, 0, 0


class Session:
    def __init__(self, slot, epoch, now):
        self.slot, self.epoch = slot, epoch
        self.highest = None      # highest frame counter accepted from the device (PW-SEC-10 step 4)
        self.last = now          # the later of the start and the last sealed frame accepted
        self.accepted = 0        # framesAccepted


class Security:
    """The persistent state of the security layer (PW-PUMP-26): slots, command ids, session count,
    patient bolus history; and the session (RAM only)."""

    def __init__(self, slots, session_count, window_open=False):
        self.roles = [s["role"] if s is not None else None for s in slots]
        self.last_command_id = [s["lastCommandId"] if s is not None else 0 for s in slots]
        self.session_count = session_count
        self.window_open = window_open
        self.session = None
        self.patient_last_start = None   # PW-SEC-16: the time of the last patient bolus started
        self.patient_day_count = (None, 0)   # (its day, how many started in that day)


class Reject(Exception):
    def __init__(self, code, offset=NO_OFFSET):
        super().__init__(ERROR_NAMES[code])
        self.code, self.offset = code, offset


class Pump:
    def __init__(self, clock, battery, security=None):
        """A pump fresh from the factory (behaviour.md 1) at PUMP_RESET: `security` None, or a dict
        with `slots` (four entries: None or {"role", "lastCommandId"}), `sessionCount` and
        `pairingWindowOpen`."""
        assert 0 <= clock <= 0xFFFFFFFE and 0 <= battery <= 5000
        self.clock, self.battery = clock, battery
        self.prescription = None          # (payload, decoded)
        self.schedule = None              # (payload, decoded)
        self.reservoir = 0                # nL
        self.alarm_time = NEVER           # the low-reservoir alarm time
        self.basal_acc = 0
        self.slots = {kind: None for kind in SLOT_ORDER}
        self.alarms = set()               # active alarm codes (1 to 9)
        self.day_basal = self.day_bolus = self.day_count = 0
        self.last_request = None          # (type, sequence, crc32, answer) for PW-PUMP-20
        self.logs = {name: LogRegion(name) for name in CAPACITY}
        self.reassembler = Reassembler()
        # PUMP_OBSERVE's counters since PUMP_RESET
        self.basal_total = self.bolus_total = self.records_total = 0
        self.security = None
        if security is not None:
            self.security = Security(security["slots"], security.get("sessionCount", 0),
                                     security.get("pairingWindowOpen", False))

    # --- logs ------------------------------------------------------------------------------------

    def _log(self, region, record):
        self.logs[region].write(record)
        self.records_total += 1

    def region_image(self, region):
        if region == "rawAddress":
            return b"".join(self.logs[r].image() for r in ("eventLog", "alarmLog", "therapyHistory"))
        return self.logs[region].image()

    def region_exact(self, region, offset=0, length=None):
        """Whether the model knows every byte of region bytes offset .. offset + length - 1."""
        if region != "rawAddress":
            return self.logs[region].exact(offset, length)
        end = 8960 if length is None else offset + length
        for name, base in RAW_BASE.items():                              # PW-PUMP-25: end to end
            size = CAPACITY[name] * 20
            start, stop = max(offset, base), min(end, base + size)
            if start < stop and not self.logs[name].exact(start - base, stop - start):
                return False
        return True

    # --- derived state ----------------------------------------------------------------------------

    def _c(self):
        return self.prescription[1]["c"]

    def _delivery_possible(self):
        """PW-PUMP-5."""
        return (self.prescription is not None and EMPTY_RESERVOIR not in self.alarms
                and END_OF_SERVICE not in self.alarms)

    def active_alarm_names(self):
        return [ALARM_NAMES[code] for code in sorted(self.alarms) if code <= 8]

    def observe(self):
        """PUMP_OBSERVE, by the names of conformance.md 4.1 `expectState`."""
        return {
            "clock": self.clock,
            "reservoirNanolitres": self.reservoir,
            "activeAlarms": self.active_alarm_names(),
            "prescriptionStored": self.prescription is not None,
            "bolusScheduleStored": self.schedule is not None,
            "deliverySuspended": END_OF_SERVICE in self.alarms,
            "electiveReplacementIndicator": ELECTIVE_REPLACEMENT in self.alarms,
            "runningBoluses": [kind for kind in SLOT_ORDER if self.slots[kind] is not None],
            "basalDeliveredNanolitres": self.basal_total % (1 << 32),
            "bolusDeliveredNanolitres": self.bolus_total % (1 << 32),
            "lowReservoirAlarmTime": self.alarm_time,
            "basalAccumulator": self.basal_acc,
            "recordsWritten": self.records_total % (1 << 32),
        }

    # --- test hooks (conformance.md 2.4.11) --------------------------------------------------------

    def advance(self, seconds):
        """PW-PUMP-3: every tick t with clock < t <= clock + seconds, in order."""
        end = self.clock + seconds
        if end > 0xFFFFFFFE:
            raise ValueError("PUMP_ADVANCE past 0xfffffffe")
        t = (self.clock // 60 + 1) * 60
        while t <= end:
            self.clock = t
            self._tick(t)
            t += 60
        self.clock = end

    def set_clock(self, new):
        """PW-PUMP-4: no tick, a clockChanged record."""
        assert 0 <= new <= 0xFFFFFFFE
        old, self.clock = self.clock, new
        self._log("eventLog", rec_clock_changed(new, old))

    def set_battery(self, millivolts):
        assert 0 <= millivolts <= 5000
        self.battery = millivolts

    def restart(self):
        """PW-PUMP-22."""
        self.basal_acc = 0
        for kind in SLOT_ORDER:
            if self.slots[kind] is not None:
                self._end_bolus(kind, STOPPED_BY_ALARM)
        self.reassembler.reset()
        if self.security is not None:
            # PW-SEC-19: the session ends with the restart (keys in RAM only). security.md 11 has no
            # sessionEnded reason for a restart: the model writes no record (QUESTIONS.md).
            self.security.session = None
        self._raise(PUMP_RESET, 0)                                      # PW-PUMP-17

    # --- ticks --------------------------------------------------------------------------------------

    def _tick(self, t):
        short = False
        if self._delivery_possible():                                    # 1. deliver
            c = self._c()
            minute = ((t - 60) // 60) % 1440                             # PW-PUMP-2
            rate = [r for start, r in self.prescription[1]["steps"] if start <= minute][-1]
            self.basal_acc += rate * 1000                                # PW-PUMP-6
            due = self.basal_acc // (1440 * c)
            self.basal_acc -= due * 1440 * c
            given = self._take(due)
            short |= given < due
            self.day_basal += given
            self.basal_total += given
            for kind in SLOT_ORDER:
                b = self.slots[kind]
                if b is None:
                    continue
                b.acc += b.volume                                        # PW-PUMP-8
                due = b.acc // b.duration
                b.acc -= due * b.duration
                given = self._take(due)
                short |= given < due
                b.ticks += 1
                b.delivered += given
                self.day_bolus += given
                self.bolus_total += given
        else:
            assert all(b is None for b in self.slots.values()), "a bolus runs while delivery is not possible"
        for kind in SLOT_ORDER:                                          # 2. end boluses
            b = self.slots[kind]
            if b is None:
                continue
            if b.ticks == b.duration and b.delivered == b.volume:
                self._end_bolus(kind, COMPLETED)
            elif short:
                self._end_bolus(kind, STOPPED_BY_ALARM)                  # PW-PUMP-13
            else:
                assert b.ticks < b.duration
        if t % DAY == 0:                                                 # 3. day boundary
            if self.prescription is not None:                            # PW-PUMP-23
                self._log("therapyHistory", rec_daily_delivery(t - DAY, min(self.day_basal, 60000000),
                                                               min(self.day_bolus, 60000000), self.day_count))
            self.day_basal = self.day_bolus = self.day_count = 0
        self._alarms(t, short)                                           # 4. alarms
        if self.schedule is not None:                                    # 5. periodic boluses
            minute = (t // 60) % 1440
            for p in self.schedule[1]["periodic"]:
                if p["start"] == minute:                                 # PW-PUMP-10
                    if self.slots["periodic"] is not None:
                        continue                                         # PW-PUMP-9: not given, not logged
                    self._start_bolus("periodic", t, d4(p["dose"], self._c()), p["duration"], p["dose"])

    def _take(self, due):
        """PW-PUMP-13: the pump gives min(due, reservoir)."""
        given = min(due, self.reservoir)
        self.reservoir -= given
        return given

    def _alarms(self, t, short):
        """PW-PUMP-16 at step 4, in the order of the codes."""
        rx = self.prescription[1] if self.prescription is not None else None
        conditions = [
            (LOW_RESERVOIR, rx is not None and (self.reservoir <= rx["threshold"] * 1000 or t >= self.alarm_time),
             self.reservoir // 1000),
            (EMPTY_RESERVOIR, short or (EMPTY_RESERVOIR in self.alarms and self.reservoir == 0), self.reservoir // 1000),
            (END_OF_SERVICE, self.battery <= EOS_MILLIVOLTS, self.battery),
            (ELECTIVE_REPLACEMENT, self.battery <= ERI_MILLIVOLTS, self.battery),
        ]
        for code, active, detail in conditions:
            if active and code not in self.alarms:
                self._raise(code, detail)
                if code == END_OF_SERVICE:                               # delivery stops (PW-PUMP-5)
                    for kind in SLOT_ORDER:
                        if self.slots[kind] is not None:
                            self._end_bolus(kind, STOPPED_BY_ALARM)
            elif not active and code in self.alarms:
                self._clear(code, "resolved", detail)

    def _raise(self, code, detail):
        if code in self.alarms:
            return                                                       # not raised again
        self.alarms.add(code)
        self._log("alarmLog", rec_alarm_raised(self.clock, code, detail))

    def _clear(self, code, cause, detail):
        self.alarms.discard(code)
        self._log("alarmLog", rec_alarm_cleared(self.clock, code, cause, detail))

    # --- boluses ------------------------------------------------------------------------------------

    def _start_bolus(self, kind, now, volume, duration, dose):
        """PW-PUMP-7, 9, 12: dose None for a priming bolus."""
        c = self._c()
        if not self._delivery_possible():                               # PW-PUMP-12
            self._log("eventLog", rec_bolus_delivered(now, kind, STOPPED_BY_ALARM, 0, 0, 0))
            return
        if self.slots[kind] is not None:                                 # PW-PUMP-9
            self._end_bolus(kind, STOPPED_BY_PROGRAMMER)
        self.slots[kind] = Bolus(kind, now, volume, duration, dose, c)
        self.day_count += 1                                              # took a slot (PW-PUMP-23)

    def _end_bolus(self, kind, outcome):
        """PW-PUMP-11: the bolus leaves its slot and is logged."""
        b = self.slots[kind]
        self.slots[kind] = None
        if kind == "priming":
            dose = min(round_half_up(b.delivered * b.c, 1000), 100000000)
        elif outcome == COMPLETED:
            dose = b.dose
        else:
            # floor(m * delivered / V); a bolus of volume 0 has delivered nothing (QUESTIONS.md)
            dose = b.dose * b.delivered // b.volume if b.volume else 0
        self._log("eventLog", rec_bolus_delivered(b.start, kind, outcome, b.delivered, dose, b.ticks))

    def _stop_all(self, outcome):
        for kind in SLOT_ORDER:
            if self.slots[kind] is not None:
                self._end_bolus(kind, outcome)

    # --- frames ---------------------------------------------------------------------------------

    def receive(self, frame):
        """One frame at the pump's clock. Returns the answers, each (messageType name, JSON view of
        its message), in the order sent."""
        if frame.corrupted:
            return []                                                    # PW-ERR-2: dropped
        if self.security is not None:
            return self._receive_secure(frame)
        if frame.sealed:
            return []                                                    # behaviour.md 7: dropped
        payload = frame.data
        if frame.fragment is not None:
            try:
                try:
                    payload = self.reassembler.add(frame.type, frame.sequence, frame.fragment, frame.data)
                except DecodeError as e:
                    if e.code != FRAGMENT_INTERLEAVED:
                        raise
                    # behaviour.md 8: a pump without the security layer abandons the message in
                    # progress for the new one (5.4), silently.
                    self.reassembler.reset()
                    payload = self.reassembler.add(frame.type, frame.sequence, frame.fragment, frame.data)
            except DecodeError as e:
                return [nak(frame.type, e.code, e.offset)]
            if payload is None:
                return []
        if frame.type not in (INTERROGATION, PRESCRIPTION, BOLUS_SCHEDULE, REFILL, DUMP_REQUEST):
            return [nak(frame.type, UNKNOWN_MESSAGE_TYPE, 3)]            # PW-ERR-3
        key = (frame.type, frame.sequence, crc32(payload))
        if frame.type in (PRESCRIPTION, BOLUS_SCHEDULE, REFILL):         # PW-PUMP-20
            if self.last_request is not None and self.last_request[0] == key:
                return list(self.last_request[1])
        answers = self._therapy(frame.type, payload)
        if frame.type in (PRESCRIPTION, BOLUS_SCHEDULE, REFILL):
            self.last_request = (key, list(answers))
        return answers

    def _therapy(self, message_type, payload):
        """Section 7.1: one request that decoded, at the pump's clock."""
        now = self.clock
        if message_type == INTERROGATION:
            answer = ("pumpStatus", self._status())
            if PUMP_RESET in self.alarms:                                # PW-PUMP-17
                self._clear(PUMP_RESET, "acknowledged", 0)
            return [answer]
        if message_type == PRESCRIPTION:
            return [self._store_prescription(payload, now)]
        if message_type == BOLUS_SCHEDULE:
            return [self._store_schedule(payload, now)]
        if message_type == REFILL:
            return [self._refill(payload, now)]
        if message_type == DUMP_REQUEST:
            return self._dump(payload)
        raise AssertionError(message_type)

    def _status(self):
        """pumpStatus (9.2) as 7.1 says."""
        return {
            "model": MODEL, "serial": SERIAL, "firmwareMajor": FIRMWARE[0], "firmwareMinor": FIRMWARE[1],
            "firmwarePatch": FIRMWARE[2], "batteryMillivolts": self.battery,
            "prescriptionStored": self.prescription is not None,
            "bolusScheduleStored": self.schedule is not None,
            "deliverySuspended": END_OF_SERVICE in self.alarms,
            "electiveReplacementIndicator": ELECTIVE_REPLACEMENT in self.alarms,
            "reservoirVolumeMicrolitres": self.reservoir // 1000,         # PW-PUMP-1
            "activeAlarms": self.active_alarm_names(),
            "pumpClockTime": self.clock,
            "prescriptionDigest": crc32(self.prescription[0]) if self.prescription else 0,
            "bolusScheduleDigest": crc32(self.schedule[0]) if self.schedule else 0,
        }

    def _store_prescription(self, payload, now):
        """PW-PUMP-18."""
        rx = decode_prescription(payload)
        self._stop_all(STOPPED_BY_PROGRAMMER)                            # 1.
        previous = crc32(self.prescription[0]) if self.prescription else 0
        self.prescription = (payload, rx)                                # 2.
        self.basal_acc = 0
        digest = crc32(payload)
        self._log("eventLog", rec_therapy_changed(now, digest, previous))     # 3.
        self._log("therapyHistory", rec_therapy_changed(now, digest, previous))
        self.alarm_time = d5(self.reservoir // 1000, now, rx["threshold"], d2(rx["steps"], rx["c"]))   # 4. PW-PUMP-15
        return ack(PRESCRIPTION, digest)                                 # 5. PW-RX-10

    def _store_schedule(self, payload, now):
        """PW-PUMP-19."""
        if self.prescription is None:
            return nak(BOLUS_SCHEDULE, NOT_PERMITTED, NO_OFFSET)
        s = decode_bolus_schedule(payload)
        self._stop_all(STOPPED_BY_PROGRAMMER)                            # 1.
        previous = crc32(self.schedule[0]) if self.schedule else 0
        self.schedule = (payload, s)                                     # 2.
        digest = crc32(payload)
        self._log("eventLog", rec_schedule_changed(now, digest, previous))    # 3.
        self._log("therapyHistory", rec_schedule_changed(now, digest, previous))
        c = self._c()
        if s["clinician"] is not None:                                   # 4.
            self._start_bolus("clinician", now, d4(s["clinician"]["dose"], c), s["clinician"]["duration"],
                              s["clinician"]["dose"])
        if s["priming"] is not None:
            self._start_bolus("priming", now, s["priming"]["volume"] * 1000, s["priming"]["duration"], None)
        return ack(BOLUS_SCHEDULE, digest)                               # 5. PW-BOLUS-5

    def _refill(self, payload, now):
        """PW-REFILL-5, then PW-PUMP-14."""
        r = decode_refill(payload)
        if self.prescription is None:
            return nak(REFILL, NOT_PERMITTED, NO_OFFSET)
        rx = self.prescription[1]
        if r["drug"] != rx["drug"]:
            return nak(REFILL, DRUG_MISMATCH, 0)
        if r["c"] != rx["c"]:
            return nak(REFILL, CONCENTRATION_MISMATCH, 1)
        if r["resulting"] > rx["capacity"]:
            return nak(REFILL, RESERVOIR_OVERFILL, 13)
        alarm = d5(r["resulting"], r["time"], rx["threshold"], d2(rx["steps"], rx["c"]))
        self.reservoir = r["resulting"] * 1000
        self.alarm_time = alarm
        self._log("eventLog", rec_refilled(now, r["drug"], r["c"], r["resulting"]))
        return ("refillReceipt", {"confirmationDigest": crc32(payload),
                                  "resultingReservoirMicrolitres": r["resulting"],
                                  "lowReservoirAlarmTime": alarm})

    def _dump(self, payload):
        """PW-PUMP-25: the region's bytes now, raw, in ceil(length / 218) chunks."""
        region, offset, length = REGION_NAMES[payload[0]], get32(payload, 2), get32(payload, 6)
        image = self.region_image(region)
        if offset + length > len(image):
            return [nak(DUMP_REQUEST, FIELD_OUT_OF_RANGE, 6)]           # PW-DUMP-10
        image = image[offset:offset + length]
        count = -(-length // CHUNK)
        return [("memoryDumpChunk", {
            "region": region, "encoding": "raw", "chunkIndex": i, "chunkCount": count, "regionOffset": offset,
            "imageLength": length, "imageCrc32": crc32(image), "dataOffset": CHUNK * i,
            "data": image[CHUNK * i:CHUNK * (i + 1)].hex()}) for i in range(count)]

    # --- the secure pump (section 11; security.md PW-SEC-21) ------------------------------------------

    def open_session(self, slot):
        """A session handshakeRequest of `slot` that verifies (PW-SEC-21 steps 1 and 2): returns the
        session info (slot, sessionEpoch, lastCommandId) that message 2 carries."""
        sec, now = self.security, self.clock
        self._idle_check(now)
        if sec.roles[slot] is None:
            raise Reject(HANDSHAKE_FAILED)
        epoch = (sec.session_count + 1) & 0xFF
        info = (slot, epoch, sec.last_command_id[slot])
        if sec.session is not None:                                      # a new session starts thus
            self._end_session(2, now)
        sec.session_count += 1
        sec.session = Session(slot, epoch, now)
        self.reassembler.reset()
        self._log("eventLog", rec_session_started(now, slot, epoch, 2))
        return info

    def _idle_check(self, now):
        s = self.security.session
        if s is not None and now >= s.last + IDLE_SECONDS:               # PW-SEC-21 step 1
            self._end_session(3, now)

    def _end_session(self, reason, now):
        s = self.security.session
        self._log("eventLog", rec_session_ended(now, s.slot, s.epoch, reason, s.accepted))
        self.security.session = None
        self.reassembler.reset()                                         # PW-SEC-19

    def _receive_secure(self, f):
        sec, now = self.security, self.clock
        self._idle_check(now)                                            # 1.
        assert f.type not in (HANDSHAKE_REQUEST, HANDSHAKE_FINISH), "handshakes are open_session's"
        s = sec.session
        if not f.sealed:                                                 # 3.
            epoch = s.epoch if s is not None else 0
            self._log("eventLog", rec_security_rejection(now, NO_SLOT, f.type, AUTHENTICATION_REQUIRED, epoch))
            return [nak(f.type, AUTHENTICATION_REQUIRED, NO_OFFSET)]
        if s is None:                                                    # 4.
            self._log("eventLog", rec_security_rejection(now, NO_SLOT, f.type, STALE_SESSION, 0))
            return []
        drop = None
        if f.epoch != s.epoch:
            drop = STALE_SESSION
        elif s.highest is not None and f.counter <= s.highest:
            drop = REPLAYED if f.counter == s.highest else COUNTER_ROLLBACK
        if drop is not None:
            self._log("eventLog", rec_security_rejection(now, s.slot, f.type, drop, s.epoch))
            return []
        s.highest, s.last = f.counter, now
        s.accepted += 1
        plaintext = f.data
        try:
            if f.fragment is not None:
                plaintext = self.reassembler.add(f.type, f.sequence, f.fragment, f.data)
                if plaintext is None:
                    return []
            return self._secure_request(f.type, plaintext, now)
        except DecodeError as e:
            self._log("eventLog", rec_security_rejection(now, s.slot, f.type, e.code, s.epoch))
            return [nak(f.type, e.code, e.offset)]
        except Reject as r:
            self._log("eventLog", rec_security_rejection(now, s.slot, f.type, r.code, s.epoch))
            return [nak(f.type, r.code, r.offset)]

    def _secure_request(self, message_type, plaintext, now):
        """PW-SEC-21 steps 5 to 8 for a message that opened (the model's messages all decode)."""
        sec = self.security
        s = sec.session
        if message_type not in PERMITTED[CLINICIAN]:                     # 5.
            raise Reject(UNKNOWN_MESSAGE_TYPE, 3)
        command_id, body = 0, plaintext
        if message_type in WITH_COMMAND_ID:
            command_id, body = get32(plaintext, 0), plaintext[4:]
        if message_type not in PERMITTED[sec.roles[s.slot]]:             # 6. PW-SEC-15
            raise Reject(ROLE_NOT_PERMITTED)
        if message_type in WITH_COMMAND_ID:                              # 7. PW-SEC-14
            if command_id <= sec.last_command_id[s.slot]:
                raise Reject(DUPLICATE_COMMAND, 0)
            sec.last_command_id[s.slot] = command_id
        if message_type == PATIENT_BOLUS:                                # 8. PW-SEC-16
            dose = get32(body, 0)
            self._grant_patient_bolus(dose, now)
            answer = ack(PATIENT_BOLUS, crc32(plaintext))
            c = self._c()
            limits = self.schedule[1]["patient"]
            self._start_bolus("patient", now, d4(dose, c), limits["duration"], dose)   # PW-PUMP-7, after the ack
            return [answer]
        if message_type == SESSION_CLOSE:
            answer = ack(SESSION_CLOSE, crc32(plaintext))
            self._end_session(1, now)
            return [answer]
        if message_type in (ENROLLMENT, REVOCATION):
            raise NotImplementedError("no scenario of this suite enrolls or revokes")
        return self._therapy(message_type, body)                         # PW-PUMP-26; not PW-PUMP-20

    def _grant_patient_bolus(self, dose, now):
        """PW-SEC-16, in its order; a grant is kept (the start, the day's count)."""
        sec = self.security
        limits = self.schedule[1]["patient"] if self.schedule is not None else None
        if limits is None:
            raise Reject(NOT_PERMITTED)
        if dose > limits["dose"]:
            raise Reject(PATIENT_BOLUS_DOSE_EXCEEDED, 4)
        day = now // DAY
        today = sec.patient_day_count[1] if sec.patient_day_count[0] == day else 0
        if today >= limits["maxPerDay"]:
            raise Reject(PATIENT_BOLUS_COUNT_EXCEEDED)
        if sec.patient_last_start is not None and now < sec.patient_last_start + limits["lockout"] * 60:
            raise Reject(PATIENT_BOLUS_LOCKOUT)
        sec.patient_last_start = now
        sec.patient_day_count = (day, today + 1)


def ack(acknowledged_type, digest):
    return ("acknowledgement", {"acknowledgedType": acknowledged_type, "digest": digest})


def nak(rejected_type, code, offset):
    return ("negativeAcknowledgement", {"rejectedType": rejected_type, "errorCode": code,
                                        "errorName": ERROR_NAMES[code], "errorOffset": offset})


# ---------------------------------------------------------------------------------------------
# Self-test: the spec's worked examples, computed by hand in the spec, checked against the model.

SPEC_PRESCRIPTION = {   # pumpwire-v1.md 9.3
    "drug": "morphine", "mode": "timeOfDay", "concentrationMicrogramsPerMillilitre": 2000,
    "reservoirCapacityMicrolitres": 20000, "lowReservoirThresholdMicrolitres": 2000,
    "catheterVolumeMicrolitres": 150, "maxDailyDoseNanograms": 1000000,
    "steps": [{"startMinute": 0, "doseRateNanogramsPerDay": 480000},
              {"startMinute": 420, "doseRateNanogramsPerDay": 960000},
              {"startMinute": 1320, "doseRateNanogramsPerDay": 480000}]}
SPEC_REFILL = {   # pumpwire-v1.md 9.5
    "drug": "morphine", "concentrationMicrogramsPerMillilitre": 2000, "volumeWithdrawnMicrolitres": 6200,
    "volumeAddedMicrolitres": 20000, "resultingReservoirMicrolitres": 20000, "refillTime": 847587600}
SPEC_SCHEDULE = {   # pumpwire-v1.md 9.4
    "clinicianBolus": {"doseNanograms": 50000, "durationMinutes": 30}, "primingBolus": None,
    "patientBolus": {"doseNanograms": 25000, "durationMinutes": 10, "lockoutMinutes": 180, "maxPerDay": 4},
    "periodicBoluses": [{"startMinute": 360, "doseNanograms": 40000, "durationMinutes": 60},
                        {"startMinute": 1080, "doseNanograms": 40000, "durationMinutes": 60}]}


def _send(pump, message_type, message, sequence):
    return pump.receive(Frame(TYPE_CODE[message_type], sequence, encode_message(message_type, message)))


def self_test():
    failures = []

    def check(what, got, want):
        if got != want:
            failures.append(f"{what}: got {got!r}, expected {want!r}")

    # 2.2 and 3
    check("RoundHalfUp(5, 2)", round_half_up(5, 2), 3)
    check("RoundHalfUp(7, 3)", round_half_up(7, 3), 2)
    check("RoundHalfUp(3, 2)", round_half_up(3, 2), 2)
    check("CRC-16 check", crc16(b"123456789"), 0x29B1)
    check("CRC-16 of nothing", crc16(b""), 0xFFFF)
    check("CRC-32 check", crc32(b"123456789"), 0xCBF43926)

    # 2.3's worked example and 9.3, 9.4, 9.5, 9.9's frames
    rx = encode_prescription(SPEC_PRESCRIPTION)
    steps = [(0, 480000), (420, 960000), (1320, 480000)]
    check("W of 2.3", w_of(steps), 1123200000)
    check("D2 of 2.3", d2(steps, 2000), 390000)
    check("D3 of 2.3", d3(steps), 780000)
    check("D1 of step 1", d1(960000, 2000), 480000)
    check("9.3 payload length", len(rx), 39)
    check("9.3 digest", crc32(rx), 0xB7E2AAD6)
    check("9.3 frame CRC", get16(build_frame(PRESCRIPTION, 0, 2, rx), 48), 0x0DC5)
    bs = encode_bolus_schedule(SPEC_SCHEDULE)
    check("9.4 payload length", len(bs), 33)
    check("9.4 frame CRC", get16(build_frame(BOLUS_SCHEDULE, 0, 3, bs), 42), 0xFAEC)
    check("PW-BOLUS-6 empty schedule digest", crc32(encode_bolus_schedule({"periodicBoluses": []})), 0x41D912FF)
    rf = encode_refill(SPEC_REFILL)
    check("9.5 digest", crc32(rf), 0xBB249D38)
    check("9.5 frame CRC", get16(build_frame(REFILL, 0, 4, rf), 30), 0x4C52)
    check("9.9 frame CRC", get16(build_frame(ACK, 0, 2, bytes([2]) + u32(0xB7E2AAD6)), 14), 0x5BEF)
    check("9.7 frame CRC", get16(build_frame(DUMP_REQUEST, 0, 5, encode_dump_request(
        {"region": "eventLog", "compressionAllowed": False, "offset": 0, "length": 5})), 19), 0xBB72)
    check("9.10 frame CRC", get16(build_frame(NAK, 0, 3, bytes([3]) + u16(128) + u16(0xFFFF)), 14), 0x56C8)

    # D5, 9.6's worked example, through the pump: prescription then refill
    pump = Pump(847587600, 3000)
    check("9.6 prescription ack", _send(pump, "prescriptionBlock", SPEC_PRESCRIPTION, 2),
          [ack(2, 0xB7E2AAD6)])
    check("PW-PUMP-15 with an empty reservoir", pump.alarm_time, 847587600)
    receipt = _send(pump, "refillConfirmation", SPEC_REFILL, 4)
    check("9.6 receipt", receipt, [("refillReceipt", {"confirmationDigest": 0xBB249D38,
                                                      "resultingReservoirMicrolitres": 20000,
                                                      "lowReservoirAlarmTime": 851575260})])
    check("D5 of 9.6", d5(20000, 847587600, 2000, 390000), 851575260)
    check("PW-PUMP-14 reservoir", pump.reservoir, 20000000)

    # PW-PUMP-6's worked example: stored at 07:00:00, the ticks at 07:01, 07:02, 07:03
    seven = 847584000 + 7 * 3600
    pump = Pump(seven, 3000)
    _send(pump, "prescriptionBlock", SPEC_PRESCRIPTION, 1)
    _send(pump, "refillConfirmation", dict(SPEC_REFILL, refillTime=seven), 2)
    got = []
    for _ in range(3):
        before = pump.reservoir
        pump.advance(60)
        got.append((before - pump.reservoir, pump.basal_acc))
    check("PW-PUMP-6 worked example", got, [(333, 960000), (333, 1920000), (334, 0)])

    # A whole day of the profile from accumulator 0 at midnight: D2, and its dailyDelivery record
    midnight = 847584000
    pump = Pump(midnight, 3000)
    _send(pump, "prescriptionBlock", SPEC_PRESCRIPTION, 1)
    _send(pump, "refillConfirmation", dict(SPEC_REFILL, refillTime=midnight), 2)
    pump.advance(DAY)
    check("a day of 9.3's profile", pump.basal_total, 390000)
    check("its dailyDelivery", pump.logs["therapyHistory"].views()[-1],
          {"offset": 20, "record": "dailyDelivery", "time": midnight, "basalVolumeNanolitres": 390000,
           "bolusVolumeNanolitres": 0, "bolusCount": 0})
    check("the basal accumulator after a day", pump.basal_acc, 0)

    # 13.4's worked example record: its CRC-16 and its view
    r = rec_bolus_delivered(847591200, "clinician", COMPLETED, 50000, 100000, 10)
    check("13.4 record bytes", r.bytes.hex(), "030020378532" "01" "00" "50c30000" "a0860100" "0a00" "b077")
    check("13.4 record view", r.view, {"record": "bolusDelivered", "time": 847591200, "kind": "clinician",
                                       "outcome": "completed", "volumeNanolitres": 50000,
                                       "doseNanograms": 100000, "durationMinutes": 10})

    # 9.8's worked example: a 5-byte image's CRC
    check("9.8 imageCrc32", crc32(bytes([1, 2, 3, 4, 5])), 0x470B99F4)

    # PW-PUMP-8: a clinician bolus of 50000 ng at 2000 ug/mL is 25000 nL (D4) over 30 ticks,
    # 833 or 834 nL a tick, 25000 nL in all; started at 09:00:15 its first tick is 09:01:00.
    start = midnight + 9 * 3600 + 15
    pump = Pump(start, 3000)
    _send(pump, "prescriptionBlock", SPEC_PRESCRIPTION, 1)
    _send(pump, "refillConfirmation", dict(SPEC_REFILL, refillTime=start), 2)
    _send(pump, "bolusSchedule", {"clinicianBolus": {"doseNanograms": 50000, "durationMinutes": 30},
                                  "periodicBoluses": []}, 3)
    per_tick = []
    for _ in range(30):
        before = pump.bolus_total
        pump.advance(60 if pump.clock % 60 == 0 else 60 - pump.clock % 60)
        per_tick.append(pump.bolus_total - before)
    check("PW-PUMP-8 ticks", (sum(per_tick), sorted(set(per_tick)), pump.slots["clinician"]), (25000, [833, 834], None))
    check("PW-PUMP-11 record", pump.logs["eventLog"].views()[-1],
          {"offset": 60, "record": "bolusDelivered", "time": start, "kind": "clinician", "outcome": "completed",
           "volumeNanolitres": 25000, "doseNanograms": 50000, "durationMinutes": 30})

    # Closed forms of PW-PUMP-6 and PW-PUMP-8, on profiles drawn at random (a fixed seed): from
    # accumulator 0, the basal delivered after k ticks is floor(sum of rate * 1000 / (1440 * c)) over
    # those ticks' steps, and a bolus has delivered floor(k * V / d) after k of its ticks.
    import random
    rng = random.Random(20261110)
    checked = 0
    for trial in range(40):
        c = rng.choice([1, 7, 500, 2000, 3333, 100000])
        starts = [0] + sorted(rng.sample(range(1, 1440), rng.randint(1, 6)))
        steps = [(st, rng.randint(1, 3000000)) for st in starts]
        rx = {"drug": "morphine", "mode": "timeOfDay", "concentrationMicrogramsPerMillilitre": c,
              "reservoirCapacityMicrolitres": 60000, "lowReservoirThresholdMicrolitres": 500,
              "catheterVolumeMicrolitres": 0, "maxDailyDoseNanograms": 1000000000,
              "steps": [{"startMinute": st, "doseRateNanogramsPerDay": r} for st, r in steps]}
        start = midnight + rng.randint(0, DAY - 1)
        pump = Pump(start, 3000)
        _send(pump, "prescriptionBlock", rx, 1)
        _send(pump, "refillConfirmation", {"drug": "morphine", "concentrationMicrogramsPerMillilitre": c,
                                           "volumeWithdrawnMicrolitres": 0, "volumeAddedMicrolitres": 60000,
                                           "resultingReservoirMicrolitres": 60000, "refillTime": start}, 2)
        dose, minutes = rng.randint(1, 100000000 // 1000), rng.randint(1, 1440)
        _send(pump, "bolusSchedule", {"clinicianBolus": {"doseNanograms": dose, "durationMinutes": minutes},
                                      "periodicBoluses": []}, 3)
        volume = d4(dose, c)
        k = rng.randint(1, 2 * 1440)
        ticks = [(start // 60 + j) * 60 for j in range(1, k + 1)]
        total = sum([r for st, r in steps if st <= ((t - 60) // 60) % 1440][-1] * 1000 for t in ticks)
        if total // (1440 * c) + volume * min(k, minutes) // minutes > 60000000:
            continue                                                     # would come short
        checked += 1
        pump.advance((start // 60 + k) * 60 - start)
        check(f"basal closed form {trial}", pump.basal_total, total // (1440 * c))
        check(f"basal accumulator {trial}", pump.basal_acc, total % (1440 * c))
        check(f"bolus closed form {trial}", pump.bolus_total, volume * min(k, minutes) // minutes)
    check("closed forms checked", checked >= 10, True)

    if failures:
        for f in failures:
            print("FAIL", f, file=sys.stderr)
        return 1
    print("pump_model self-test: every check passed")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    print(__doc__)
    sys.exit(2)
