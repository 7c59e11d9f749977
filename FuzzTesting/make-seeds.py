#!/usr/bin/env python3
"""Builds each fuzz target's seed corpus from the golden vectors (vectors/corpus/*.json, and
vectors/crypto/sessions.json for FuzzHandshake and FuzzSealedFrame).

Every seed starts with the option byte (README.md): 0 (CRC as given) or 1 (CRC set right).
Usage: make-seeds.py OUTPUT_DIR
"""
import hashlib, json, pathlib, sys

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root / "FuzzTesting" / "corpus")
vectors = [v for path in sorted((root / "vectors" / "corpus").glob("*.json")) for v in json.loads(path.read_text())["vectors"]]
payload_targets = {0x81: ("FuzzPumpStatus", 0), 0x02: ("FuzzPrescriptionBlock", 0), 0x03: ("FuzzBolusSchedule", 0),
                   0x04: ("FuzzRefill", 0), 0x84: ("FuzzRefill", 2), 0x05: ("FuzzMemoryDump", 0), 0x85: ("FuzzMemoryDump", 2),
                   0xF0: ("FuzzAcknowledgements", 0), 0xF1: ("FuzzAcknowledgements", 2)}
seeds = {}

def add(target, option, data):
    seeds.setdefault(target, set()).add(bytes([option]) + data)

for v in vectors:
    kind = v["kind"]
    if kind == "decodeFrame":
        frame = bytes.fromhex(v["input"])
        add("FuzzFrame", 0, frame)
        add("FuzzFrame", 1, frame)
        add("FuzzStream", 0, frame)
        if len(frame) >= 11 and frame[:2] == b"\xa5\xc3" and frame[4] & 1 == 0:
            length = frame[7] | frame[8] << 8
            if 9 + length + 2 == len(frame) and frame[3] in payload_targets:
                target, option = payload_targets[frame[3]]
                add(target, option, frame[9:9 + length])
    elif kind == "reassembly":
        add("FuzzReassembler", 0, b"".join(bytes.fromhex(f) for f in v["inputs"]))
    elif kind == "stream":
        add("FuzzStream", 0, bytes.fromhex(v["input"]))
    elif kind == "session":
        add("FuzzSession", 0, b"".join(bytes.fromhex(f) for f in v["inputs"]))
    elif kind == "derived":
        add("FuzzFrame", 0, bytes.fromhex(v["inputs"][0]))
    elif kind == "dump":
        add("FuzzImageReassembler", 0, b"".join(bytes.fromhex(f) for f in v["inputs"]))
        add("FuzzImageReassembler", 1, b"".join(bytes.fromhex(f) for f in v["inputs"]))
        # The transfer itself (option bit 1; bit 2 for zlib): imageLength as 3 bytes, then the chunks' data in order.
        chunks = sorted((f for f in map(bytes.fromhex, v["inputs"]) if len(f) > 33 and f[3] == 0x85 and f[4] == 0),
                        key=lambda f: f[11] | f[12] << 8)
        if chunks:
            length = int.from_bytes(chunks[0][19:23], "little")
            if length < 1 << 24:
                add("FuzzImageReassembler", 2 | (chunks[0][10] & 1) << 2,
                    length.to_bytes(3, "little") + b"".join(f[31:-2] for f in chunks))
    elif kind == "log":
        region = {"eventLog": 1, "alarmLog": 2, "therapyHistory": 3}[v["region"]]
        add("FuzzLogReader", region << 1 | (v["regionOffset"] % 20) << 3, bytes.fromhex(v["input"]))
    elif kind == "jsonView":
        add("FuzzJSONView", 0, v["json"].encode())
    if kind == "decodeFrame" and v["result"] == "valid":
        add("FuzzJSONView", 0, json.dumps(v["decoded"]).encode())

# FuzzCAPI (Sources/CAPIFuzzDriver/capi_fuzz.c) reads a program: an operation byte, then its
# operands. Seeds run the decoders on the vectors' valid inputs, whose results the later
# operations of a mutated program take as their structs to garble.
OP_FRAME, OP_MESSAGE, OP_MESSAGE_STRUCT, OP_FRAME_STRUCT, OP_RECORD, OP_LOG, OP_SCANNER, OP_REASSEMBLER = 0, 2, 3, 5, 6, 7, 8, 9
capi_types = [0x01, 0x02, 0x03, 0x04, 0x05, 0x81, 0x84, 0x85, 0xF0, 0xF1]

def capi(*parts):
    seeds.setdefault("FuzzCAPI", set()).add(b"".join(parts))

def blob(data):
    return len(data).to_bytes(2, "little") + data

for v in vectors:
    kind = v["kind"]
    if kind == "decodeFrame" and v["result"] == "valid":
        frame = bytes.fromhex(v["input"])
        capi(bytes([OP_FRAME]), blob(frame), b"\x02")
        # The decoded message, garbled and encoded again; the frame, garbled and encoded again.
        capi(bytes([OP_FRAME]), blob(frame), b"\x02" + bytes(40), bytes([OP_MESSAGE_STRUCT, 0, 3]))
        capi(bytes([OP_FRAME]), blob(frame), b"\x02" + bytes(40), bytes([OP_FRAME_STRUCT, 0]))
        if len(frame) >= 11 and frame[4] & 1 == 0 and frame[3] in capi_types:
            length = frame[7] | frame[8] << 8
            capi(bytes([OP_MESSAGE, capi_types.index(frame[3])]), blob(frame[9:9 + length]))
    elif kind == "reassembly":
        if v["result"] == "valid":
            # The whole payload, for the message decoder and every encoder (payloads over 240 bytes).
            fragments = [bytes.fromhex(f) for f in v["inputs"]]
            if all(len(f) > 15 and f[4] == 1 for f in fragments) and fragments[0][3] in capi_types:
                ordered = sorted(fragments, key=lambda f: f[9])
                payload = b"".join(f[13:-2] for f in ordered)
                if len(payload) == (ordered[0][11] | ordered[0][12] << 8):
                    capi(bytes([OP_MESSAGE, capi_types.index(ordered[0][3])]), blob(payload))
        program = [bytes([OP_REASSEMBLER, 0])]
        for fragment in v["inputs"]:
            program.append(bytes([OP_FRAME]) + blob(bytes.fromhex(fragment)) + b"\x02")
        program.append(bytes([OP_REASSEMBLER, 2]))
        capi(*program)
    elif kind == "stream":
        capi(bytes([OP_SCANNER]), blob(bytes.fromhex(v["input"])))
    elif kind == "log":
        region = {"eventLog": 1, "alarmLog": 2, "therapyHistory": 3}[v["region"]]
        image = bytes.fromhex(v["input"])
        capi(bytes([OP_LOG]), blob(image), bytes([region, 1]), v["regionOffset"].to_bytes(4, "little"))
        for slot in range(0, len(image) - 19, 20):
            if image[slot] != 0xFF:
                # A record read back, garbled and encoded again.
                record_types = [1, 2, 3, 4, 5, 0x10, 0x11, 0x20]
                if image[slot] in record_types:
                    capi(bytes([OP_RECORD, 1, record_types.index(image[slot])]), image[slot + 2:slot + 6])
                break

# The security layer (vectors/crypto/sessions.json). Both targets run over the fuzzing-only
# provider, so the vectors' tags do not verify there: each seed also comes with the option bit
# that accepts every tag, or sets it right, so that the seeds reach the checks after the tag.
secure = json.loads((root / "vectors" / "crypto" / "sessions.json").read_text())
patterns = {1: 1, 2: 0}  # the frame's pattern (1 XXpsk3, 2 KK) -> FuzzHandshake's bit 0
for h in secure["handshakes"]:
    if h["id"] not in ("pairing", "session"):
        continue  # session-256-earlier has the session's keys, not the fixture's
    bit = patterns[h["pattern"]]
    for index, m in enumerate(h["messages"]):
        noise = bytes.fromhex(m["noiseMessage"])
        option = bit | index << 1
        add("FuzzHandshake", option, noise)                       # raw, tags checked
        add("FuzzHandshake", option | 8, noise)                   # raw, every tag verifies
        add("FuzzHandshake", option | 16, bytes(len(noise)))      # the honest message (XOR 0)
        add("FuzzHandshake", option | 32, bytes.fromhex(m["frame"]))
        add("FuzzHandshake", option | 8 | 32, bytes.fromhex(m["frame"]))
for v in secure["lowOrderKeys"]:
    frame = bytes.fromhex(v["frame"])
    index = 0 if frame[3] == 0x10 else 1
    bit = patterns[frame[9]] if index == 0 else 0
    add("FuzzHandshake", bit | index << 1 | 8 | 32, frame)
    noise = frame[11:-2] if index == 0 else frame[9:-2]
    add("FuzzHandshake", bit | index << 1 | 8, noise)

# FuzzSealedFrame: opening (option bit 5 sets each tag right, bits 3-4 the highest counter
# accepted before: 0 none, 1 counter 0), and sealing (bit 2: counter, type, sequence, payload).
for s in secure["sealedFrames"]:
    frames = [bytes.fromhex(f["sealedFrame"]) for f in s["frames"]]
    for option in (0, 2, 32, 33):
        add("FuzzSealedFrame", option, b"".join(frames))
    add("FuzzSealedFrame", 32, b"".join(frames + frames))  # replayed at once
    first = s["frames"][0]["frameCounter"]
    payload = bytes.fromhex(s["messagePayload"]) if "messagePayload" in s else bytes.fromhex(s["frames"][0]["plaintext"])
    add("FuzzSealedFrame", 4, first.to_bytes(3, "little") + bytes([s["messageType"]]) + s["sequence"].to_bytes(2, "little") + payload)
    add("FuzzSealedFrame", 4, (0xFFFFFF).to_bytes(3, "little") + bytes([s["messageType"]]) + s["sequence"].to_bytes(2, "little") + payload)
for v in secure["rejections"]:
    highest = v["receiver"]["highestAcceptedCounter"]
    bits = 0 if highest is None else 1 << 3 if highest == 0 else 0
    add("FuzzSealedFrame", bits, bytes.fromhex(v["frame"]))
    add("FuzzSealedFrame", bits | 32, bytes.fromhex(v["frame"]))

# FuzzSecurePump (Sources/FuzzSecurePump): a program of steps for a SecurePump over the fuzzing-only
# provider. Option byte (bit 2 pairing window open), 6 bytes of setup (patient bolus dose, lockout,
# maxPerDay, session count, start time), then steps: an op byte (bits 0-2 the clock, bits 3-6 the
# frame: 0 raw, 2 KK from a slot, 4 pairing request, 5 pairing finish, 6-15 a sealed request; bit 7
# damage) and its operands. The seeds replay the pumpScenarios of sessions.json with the honest
# device model, and send the scenarios' own frames raw.
RAW, KK, PAIR, FINISH, SEALED = 0, 2, 4, 5, 6
def op(kind, clock=0, damage=False):
    return bytes([clock | kind << 3 | (0x80 if damage else 0)])
def kk(slot, clock=0, arg=b""):
    return op(KK, clock) + arg + bytes([slot])
def sealed(kind, clock=0, arg=b"", id_mode=0, extra=b""):
    return op(SEALED, clock) + arg + bytes([kind, id_mode]) + extra
INTERROGATE, PRESCRIPTION, SCHEDULE, REFILL, DUMP, BOLUS, ENROLL, REVOKE, CLOSE = 0, 1, 2, 3, 4, 5, 8, 9, 10
def bolus(dose_byte, clock=0, arg=b"", id_mode=0):
    return sealed(BOLUS, clock, arg, id_mode, bytes([dose_byte, 0]))
def setup(dose=20, lockout=1, per_day=3, count=0, start=0x7e90):
    return bytes([dose, lockout, per_day, count]) + start.to_bytes(2, "little")
def pump_seed(option, *steps, **kw):
    add("FuzzSecurePump", option, setup(**kw) + b"".join(steps))
WINDOW = 4
two_minutes = (2, b"\x02")
pump_seed(0, kk(1), bolus(5), bolus(5, 2, b"\x02"), bolus(5, 2, b"\x02"), bolus(5, 2, b"\x02"), bolus(30), sealed(INTERROGATE),
          sealed(PRESCRIPTION), sealed(CLOSE), bolus(5))
pump_seed(0, kk(0), *[sealed(PRESCRIPTION | k << 4) for k in range(4)], *[sealed(SCHEDULE | k << 4) for k in range(4)],
          sealed(REFILL), sealed(DUMP), sealed(ENROLL, extra=bytes([0x40 | 0x10 | 3])), sealed(REVOKE, extra=b"\x01"),
          sealed(PRESCRIPTION, id_mode=4), sealed(ENROLL, extra=bytes([0x20 | 2])), kk(1), kk(2), bolus(1), bolus(1, id_mode=4))
pump_seed(WINDOW, op(PAIR) + b"\x01", op(FINISH), sealed(INTERROGATE), sealed(ENROLL, extra=bytes([0x40 | 0x10])),
          sealed(PRESCRIPTION), kk(3), kk(2), bolus(2), sealed(CLOSE))
pump_seed(WINDOW | 0x80, kk(0), op(PAIR) + b"\x01", sealed(ENROLL, extra=bytes([0x40 | 0x10])), op(FINISH), sealed(INTERROGATE))
pump_seed(0, kk(1), bolus(3), op(SEALED, 3) + b"\x02" + bytes([BOLUS, 0, 3, 0]), kk(1, 3, b"\x01"), bolus(3),
          op(SEALED, 3) + b"\x00" + bytes([BOLUS, 0, 3, 0]), per_day=2, lockout=5)
pump_seed(0, kk(1), bolus(3), op(SEALED, 5) + b"\xfb" + bytes([BOLUS, 0, 3, 0]), op(SEALED, 5) + b"\x05" + bytes([BOLUS, 0, 3, 0]),
          kk(1, 2, b"\x0a"), bolus(3, 2, b"\x3c"), per_day=1, lockout=0, start=0xa8b0)
pump_seed(0x10, kk(0), sealed(PRESCRIPTION), sealed(REFILL), kk(1), bolus(1), bolus(1, 2, b"\x0a"))
pump_seed(0x08, kk(1), bolus(1), sealed(PRESCRIPTION), sealed(ENROLL, extra=b"\x40"), sealed(REVOKE, extra=b"\x00"), sealed(CLOSE))
for scenario in secure["pumpScenarios"]:
    frames = b"".join(op(RAW) + bytes([len(bytes.fromhex(st["frame"]))]) + bytes.fromhex(st["frame"])
                      for st in scenario["steps"] if len(bytes.fromhex(st["frame"])) < 256)
    add("FuzzSecurePump", WINDOW | 2, setup() + kk(0) + frames)
    add("FuzzSecurePump", WINDOW, setup() + frames)

# FuzzPumpEngine (Sources/FuzzPumpEngine): a program of operations on one PumpEngine. Option byte
# (bit 0 fix the CRC of random and damaged frames, bit 1 the secure engine, bit 2 compare each elapse
# with one advance of the whole interval), setup (start clock u16: midnight + 2 s each; battery
# index), then operations: an op byte (`op & 31` the operation, `op >> 5` its variant) and operands,
# as FuzzPumpEngine.swift reads them. The seeds are short clinical sessions: a prescription and a
# refill, boluses, days of delivery, an empty reservoir and its refill, a failing battery, a
# fragmented prescription with a lost fragment, repeated and changed requests, clock changes,
# restarts, reviews (dumps), and the same with the security layer and patient boluses.
PE = {"rx": 0, "schedule": 2, "refill": 4, "status": 7, "dump": 8, "repeat": 9, "change": 11, "missing": 12, "damage": 13,
      "random": 14, "seconds": 15, "minutes": 16, "hours": 18, "days": 20, "clock": 22, "battery": 23, "restart": 25,
      "reset": 26, "handshake": 27, "bolus": 28}
BATTERY = {3000: 0, 2700: 2, 2500: 5, 2499: 6, 2699: 3}
def pe(name, *operands, variant=0):
    return bytes([variant << 5 | PE[name]]) + b"".join(bytes([o]) if isinstance(o, int) else o for o in operands)
def le16(v):
    return v.to_bytes(2, "little")
def pe_rx(rates=(0, 1, 0), jitters=(0, 192), conc=0, cap=0, threshold_operand=1500, drug=0, catheter=21, extra=0, variant=0):
    # rates: rate-table bytes (0 480000, 1 960000, 3 1e9, 6 333333 ng/day); jitters: where steps 1.. start in their slot (of 256);
    # threshold_operand: the u16 the harness maps to 500 + v % (min(10000, capacity - 1) - 499) µL.
    n = len(rates)
    if n == 1:
        head = bytes([1 | drug << 5])
    elif n <= 8:
        head = bytes([2 | drug << 5, n - 2])
    else:
        head = bytes([2 | 4 | drug << 5, n - 36])
    steps = bytes([rates[0]]) + b"".join(bytes([j, r]) for j, r in zip(jitters, rates[1:]))
    return pe("rx", head + bytes([conc, cap]) + le16(threshold_operand) + steps + bytes([catheter, extra]), variant=variant)
def pe_schedule(clinician=None, priming=None, patient=None, periodic=(), variant=0):
    flags = (1 if clinician else 0) | (2 if priming else 0) | (4 if patient else 0) | len(periodic) << 4
    body = bytes([flags])
    if clinician: body += bytes(clinician)                              # dose byte, duration byte (1 + b % 60)
    if priming: body += le16(priming[0]) + bytes([priming[1]])          # volume (1 + v % 2000), duration byte
    if patient: body += bytes(patient[:2]) + le16(patient[2]) + bytes([patient[3]])  # dose, duration, lockout 15 + v, maxPerDay 1 + b
    previous = -1
    for start, dose, duration in periodic:
        body += le16(start - previous - 1) + bytes([dose, duration])
        previous = start
    return pe("schedule", body, variant=variant)
def pe_refill(mode=0, mismatch=0, operand=b"", withdrawn=0):
    # mode 0 capacity, 1 zero, 2 one microlitre, 3 overfill (operand u8), 4 random (operand u16)
    return pe("refill", bytes([mismatch | mode << 4]) + operand + bytes([withdrawn]))
def pe_days(days, seconds=0):
    return pe("days", days - 1, le16(seconds))
def pe_hours(hours, seconds=0):
    return pe("hours", hours, le16(seconds))
def pe_minutes(minutes, seconds=0):
    return pe("minutes", minutes, seconds)
def engine_seed(option, *ops, clock=0, battery=3000):
    add("FuzzPumpEngine", option, le16(clock) + bytes([BATTERY[battery]]) + b"".join(bytes([o]) if isinstance(o, int) else o for o in ops))
TWIN = 4
rx3, refill = pe_rx(), pe_refill()
bolus_schedule = pe_schedule(clinician=(0, 29), priming=(9, 9), patient=(0, 9, 0, 2), periodic=((60, 6, 14), (600, 0, 29), (1380, 3, 59)))
engine_seed(0, rx3, refill, pe_days(1), pe("status"), pe_days(2, 30), pe("dump", 0x00))
engine_seed(TWIN, rx3, refill, pe_days(1), pe_hours(7), pe("status"), pe("dump", 0x04))
engine_seed(0, rx3, refill, bolus_schedule, pe_days(1), pe_minutes(90), pe("status"), pe("repeat"), pe_days(1), pe("dump", 0x03))
engine_seed(TWIN, pe_rx(rates=(3,), conc=1), pe_refill(2), pe_minutes(5), pe("status"), refill, pe_minutes(3), pe_days(1), pe("status"))
engine_seed(0, rx3, pe_refill(4, operand=le16(40)), bolus_schedule, pe_hours(30), refill, pe_minutes(2), pe_days(1))
engine_seed(0, rx3, refill, pe_schedule(clinician=(4, 59)), pe("battery", 6), pe_minutes(3), pe("status"), pe("battery", 0),
            pe_minutes(3), pe("battery", 3), pe_days(1), pe("status"))
rx48 = lambda variant=0: pe_rx(rates=[0, 1] * 24, jitters=[0] * 47, variant=variant)
engine_seed(0, rx48(variant=1), 0, pe("status"), pe("repeat"), pe_days(1), pe("repeat"), pe("change", *([0] * 8)), pe("status"))
engine_seed(0, rx48(variant=1), 1, pe("missing", 1), refill, pe_days(1), pe("repeat", variant=2), pe("dump", 0x03))
engine_seed(0, pe_rx(rates=[6] * 37, jitters=[128] * 36), refill, pe_days(2), pe("repeat", variant=3), 0, 1, pe("status"))
engine_seed(0, rx3, refill, pe_hours(5), pe("repeat"), pe("status"), pe_refill(0, mismatch=1), pe_refill(0, mismatch=2),
            pe_refill(3, operand=b"\x05"), pe("change", 0x10, 0), pe("repeat"), pe_hours(1))
engine_seed(0, rx3, refill, pe("clock", le16(600), variant=0), pe_hours(3), pe("clock", le16(1440), variant=1), pe_hours(30),
            pe("clock", 0, variant=2), pe_minutes(3), pe("restart"), pe("status"), pe_days(2), pe("clock", variant=4))
engine_seed(0, rx3, refill, bolus_schedule, pe_minutes(10), pe("restart"), pe_minutes(10), pe("status"), pe("reset", le16(0), 0),
            rx3, refill, pe_days(1))
engine_seed(1, rx3, refill, pe("damage", 0, le16(20), 1), pe("damage", 1, le16(9), 0x42, variant=1), pe("random", 10, bytes.fromhex("a5c30101000102000000")),
            pe_days(1), pe("damage", 0, le16(5), variant=2))
engine_seed(0, pe("status"), pe_schedule(clinician=(0, 9)), pe_refill(), pe("dump", 0x08, le16(5000)), pe("dump", 0x0F, bytes(8)), rx3,
            pe_schedule(), pe_days(1))
SECURE = 2
engine_seed(SECURE, pe("handshake"), rx3, refill, bolus_schedule, pe("bolus", 0), pe_minutes(20), pe("bolus", 0), pe_minutes(20),
            pe("bolus", 0), pe_days(1), pe("bolus", 0), pe("bolus", 1), pe("status"), pe("dump", 0x03))
engine_seed(SECURE | TWIN, rx48(), refill, pe_schedule(patient=(0, 29, 0, 0)), pe("bolus", 0), pe_minutes(16), pe("bolus", 2),
            pe("restart"), pe("bolus", 0), pe("clock", 0, variant=2), pe_minutes(1), pe("bolus", 0), pe("repeat"), pe_days(1))
engine_seed(SECURE, rx3, pe_refill(2), pe_schedule(clinician=(0, 9), patient=(3, 9, 0, 5)), pe_minutes(3), refill, pe_minutes(2),
            pe("bolus", 0), pe("battery", 6), pe_minutes(1), pe("bolus", 0), pe("status"))

total = 0
for target, items in sorted(seeds.items()):
    directory = out / target
    directory.mkdir(parents=True, exist_ok=True)
    for item in items:
        (directory / hashlib.sha1(item).hexdigest()).write_bytes(item)
    total += len(items)
    print(f"{target}: {len(items)} seeds")
print(f"{total} seeds in {out}")
