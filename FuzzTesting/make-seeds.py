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

total = 0
for target, items in sorted(seeds.items()):
    directory = out / target
    directory.mkdir(parents=True, exist_ok=True)
    for item in items:
        (directory / hashlib.sha1(item).hexdigest()).write_bytes(item)
    total += len(items)
    print(f"{target}: {len(items)} seeds")
print(f"{total} seeds in {out}")
