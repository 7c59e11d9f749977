#!/usr/bin/env python3
"""Golden vectors of the PumpWire security layer (spec/security.md), vectors/crypto/sessions.json:
the pairing (Noise XXpsk3) and session (Noise KK) handshakes in PumpWire frames, sealed frames,
rejected frames and low-order keys, all from fixed keys, byte for byte; and the pump scenarios
(pumpScenarios: the secure pump of secure_pump.py driven by secure_scenarios.py, PW-SEC-21).

    python3 vectors/tools/secure_golden.py --write   # regenerate vectors/crypto/sessions.json
    python3 vectors/tools/secure_golden.py --check   # regenerate and compare with the committed
                                                     # file; exit 1 on any difference (CI)

Written from spec/security.md and spec/pumpwire-v1.md alone, in Python, independently of the Swift
code (nothing here reads or runs it). Every value is computed twice and the two must agree:

- the handshakes by PyPI `noiseprotocol` on both sides (initiator and pump), and by a small Noise
  written here from the Noise specification (revision 34) over Python `cryptography`, which first
  passes the cacophony and snow KK and XXpsk3 vectors of vectors/crypto/primitives.json;
- the split keys k1 and k2 are read from noiseprotocol's cipher states (CipherState.k after
  SymmetricState.split(): the initiator's cipher_state_encrypt is c1, its cipher_state_decrypt c2);
- every sealed frame is sealed by noiseprotocol's CipherState (nonce n set to the freshness counter)
  and by `cryptography`'s ChaCha20Poly1305 with the nonce and associated data of PW-SEC-9, and opened
  again by `cryptography` and by the receiver below;
- every rejection's expected error is written where the case is made, from the spec's words, and
  must equal what the receiver written here from PW-SEC-10 (and pumpwire-v1.md 4.2 and 5.2) reports;
- CRC-16 is a bit-by-bit transcription of spec section 3, checked against its check value and the
  CRC of every worked example of spec/pumpwire-v1.md; CRC-32 is zlib's.

Fixed keys: every private key, ephemeral ones included, is SHA-256 of an ASCII label that the file
states, and so is the pairing secret. Needs `cryptography` and `noiseprotocol`
(python3 -m pip install cryptography noiseprotocol==0.3.1).
"""
import hashlib
import json
import os
import re
import sys
import warnings
import zlib

HINT = "python3 -m pip install cryptography noiseprotocol==0.3.1"
try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError as error:
    sys.exit(f"secure_golden.py needs the cryptography package ({error}): {HINT}")
try:
    from noise.connection import Keypair, NoiseConnection
except ImportError as error:
    sys.exit(f"secure_golden.py needs the noiseprotocol package ({error}): {HINT}")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
TESTEE = os.path.join(ROOT, "examples", "python-testee", "pumpwire_testee.py")


def load_testee():
    """The Python testee as a module: the secure pump (secure_pump.py) decodes the messages of
    pumpwire-v1.md section 9 and reassembles fragments with it (both written from the spec alone)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("pumpwire_testee", TESTEE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sys.path.insert(0, HERE)
import secure_pump  # noqa: E402  (the secure pump of PW-SEC-21)
import secure_scenarios  # noqa: E402  (its scripted exchanges, pumpScenarios)

V1 = load_testee()
OUTPUT = os.path.join(ROOT, "vectors", "crypto", "sessions.json")
PRIMITIVES = os.path.join(ROOT, "vectors", "crypto", "primitives.json")
SPEC = os.path.join(ROOT, "spec", "pumpwire-v1.md")


class Mismatch(Exception):
    """Two computations of one value disagree, or a case does not do what it says."""


def expect(what, got, want):
    if got != want:
        show = lambda v: v.hex() if isinstance(v, (bytes, bytearray)) else repr(v)
        raise Mismatch(f"{what}: got {show(got)}, expected {show(want)}")


def sha256(data):
    return hashlib.sha256(data).digest()


def u16(v):
    return v.to_bytes(2, "little")


def u32(v):
    return v.to_bytes(4, "little")


# --- Checksums (pumpwire-v1.md section 3) ---------------------------------------------------------

def crc16(data):
    """CRC-16/IBM-3740: width 16, poly 0x1021, init 0xffff, not reflected, xorout 0, bit by bit."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def crc32(data):
    """CRC-32/ISO-HDLC, zlib's crc32 (section 3)."""
    return zlib.crc32(data) & 0xFFFFFFFF


def spec_examples():
    """The worked examples of spec/pumpwire-v1.md: name -> frame bytes, read from its hex dumps."""
    with open(SPEC, encoding="utf-8") as f:
        text = f.read()
    examples = re.findall(r"```pumpwire-hex (\w+)\n(.*?)```", text, re.S)
    return {name: bytes.fromhex("".join(line.split(";")[0] for line in body.splitlines()))
            for name, body in examples}


def check_crcs_against_spec():
    """The check values of section 3, and the CRC of every worked example's frame (its last two
    bytes) in spec/pumpwire-v1.md. Returns the number of worked examples checked."""
    expect("CRC-16 check value", crc16(b"123456789"), 0x29B1)
    expect("CRC-16 of no bytes", crc16(b""), 0xFFFF)
    expect("CRC-32 check value", crc32(b"123456789"), 0xCBF43926)
    examples = spec_examples()
    if len(examples) < 10:
        raise Mismatch(f"only {len(examples)} worked examples found in {SPEC}")
    for name, data in examples.items():
        expect(f"CRC-16 of the worked example {name}", u16(crc16(data[:-2])), data[-2:])
    # The examples this file builds on, rebuilt here from their fields.
    expect("9.1 interrogationRequest", frame(0x01, 0, 1, b""), examples["interrogationRequest"])
    expect("9.3 prescriptionBlock", frame(0x02, 0, 2, PRESCRIPTION_93), examples["prescriptionBlock"])
    expect("9.3 digest", crc32(PRESCRIPTION_93), 0xB7E2AAD6)
    expect("9.9 acknowledgement", frame(0xF0, 0, 2, bytes([0x02]) + u32(0xB7E2AAD6)), examples["acknowledgement"])
    return len(examples)


# --- Frames (pumpwire-v1.md 4.1, 5.1) -------------------------------------------------------------

SYNC = b"\xa5\xc3"
FRAGMENT, AUTHENTICATED = 0x01, 0x02


def header(message_type, flags, sequence, payload_length):
    return SYNC + bytes([1, message_type, flags]) + u16(sequence) + u16(payload_length)


def frame(message_type, flags, sequence, payload, block=b""):
    body = header(message_type, flags, sequence, len(payload)) + payload + block
    return body + u16(crc16(body))


def with_crc(frame_without_crc):
    return frame_without_crc + u16(crc16(frame_without_crc))


def fragments_of(payload):
    """Section 5.1: (fragment header, data) of each fragment of a payload over 240 bytes."""
    assert 240 < len(payload) <= 1024
    count = -(-len(payload) // 236)
    return [(bytes([k, count]) + u16(len(payload)), payload[236 * k: 236 * (k + 1)]) for k in range(count)]


# Error codes used here (pumpwire-v1.md section 10, security.md section 12).
ERRORS = {
    1: "TRUNCATED", 2: "BAD_SYNC", 3: "UNSUPPORTED_VERSION", 5: "LENGTH_MISMATCH", 6: "TRAILING_BYTES",
    7: "BAD_CRC", 8: "PAYLOAD_TOO_LARGE", 9: "NON_CANONICAL", 32: "FRAGMENT_COUNT_INVALID",
    33: "FRAGMENT_INDEX_OUT_OF_RANGE", 34: "FRAGMENT_SIZE_INVALID", 96: "AUTHENTICATION_FAILED",
    97: "REPLAYED", 98: "COUNTER_ROLLBACK", 99: "STALE_SESSION", 100: "NOT_SEALED", 103: "LOW_ORDER_KEY",
}
CODES = {name: code for code, name in ERRORS.items()}


class Rejected(Exception):
    def __init__(self, name, offset):
        super().__init__(f"{name} at {offset}")
        self.code, self.name, self.offset = CODES[name], name, offset


def check_frame(data):
    """pumpwire-v1.md 4.2 steps 1 to 8 on exactly one frame; returns the frame's fields."""
    for i, byte in enumerate(data[:2]):
        if byte != SYNC[i]:
            raise Rejected("BAD_SYNC", 0)
    if len(data) < 9:
        raise Rejected("TRUNCATED", len(data))
    if data[2] != 1:
        raise Rejected("UNSUPPORTED_VERSION", 2)
    flags = data[4]
    if flags & 0xFC:
        raise Rejected("NON_CANONICAL", 4)
    p = int.from_bytes(data[7:9], "little")
    if p > 240:
        raise Rejected("PAYLOAD_TOO_LARGE", 7)
    block = 20 if flags & AUTHENTICATED else 0
    length = 9 + p + block + 2
    if len(data) < length:
        raise Rejected("TRUNCATED", len(data))
    if data[length - 2: length] != u16(crc16(data[: length - 2])):
        raise Rejected("BAD_CRC", length - 2)
    if len(data) > length:
        raise Rejected("TRAILING_BYTES", length)
    return {"type": data[3], "flags": flags, "sequence": int.from_bytes(data[5:7], "little"),
            "p": p, "payload": data[9: 9 + p], "block": data[9 + p: 9 + p + block]}


def check_fragment_header(f):
    """pumpwire-v1.md 5.2 (frame offsets: the fragment header starts at 9)."""
    payload = f["payload"]
    for offset, size in ((0, 1), (1, 1), (2, 2)):
        if len(payload) < offset + size:
            raise Rejected("LENGTH_MISMATCH", 9 + offset)
    index, count, total = payload[0], payload[1], int.from_bytes(payload[2:4], "little")
    if not 2 <= count <= 5:
        raise Rejected("FRAGMENT_COUNT_INVALID", 10)
    if index >= count:
        raise Rejected("FRAGMENT_INDEX_OUT_OF_RANGE", 9)
    if total > 1024:
        raise Rejected("PAYLOAD_TOO_LARGE", 11)
    if total <= 240:
        raise Rejected("NON_CANONICAL", 11)
    if count != -(-total // 236):
        raise Rejected("FRAGMENT_COUNT_INVALID", 10)
    want = 236 if index < count - 1 else total - 236 * (count - 1)
    if len(payload) - 4 != want:
        raise Rejected("FRAGMENT_SIZE_INVALID", 7)


class Receiver:
    """One direction of one session as its receiver holds it: the key, the session's epoch, and the
    highest frame counter accepted so far (None before the first). open() is PW-SEC-10."""

    def __init__(self, key, epoch, highest=None):
        self.key, self.epoch, self.highest = key, epoch, highest

    def open(self, data):
        f = check_frame(data)                                      # 4.2 steps 1 to 8
        if not f["flags"] & AUTHENTICATED:                         # 1.
            raise Rejected("NOT_SEALED", 4)
        fragment = bool(f["flags"] & FRAGMENT)
        if fragment:                                               # 2.
            check_fragment_header(f)
        p, block = f["p"], f["block"]
        counter, epoch, tag = int.from_bytes(block[0:3], "little"), block[3], block[4:20]
        if epoch != self.epoch:                                    # 3.
            raise Rejected("STALE_SESSION", 9 + p + 3)
        if self.highest is not None and counter <= self.highest:  # 4.
            raise Rejected("REPLAYED" if counter == self.highest else "COUNTER_ROLLBACK", 9 + p)
        sealed_from = 13 if fragment else 9                        # 5.
        freshness = int.from_bytes(block[0:4], "little")
        nonce = bytes(4) + freshness.to_bytes(8, "little")
        try:
            plaintext = ChaCha20Poly1305(self.key).decrypt(nonce, data[sealed_from: 9 + p] + tag, data[:sealed_from])
        except InvalidTag:
            raise Rejected("AUTHENTICATION_FAILED", 9 + p + 4) from None
        self.highest = counter
        return data[9:sealed_from] + plaintext                     # fragment header (if any) + plaintext


# --- Noise, written here from the Noise specification (revision 34) -------------------------------

def public_key(private):
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


class LowOrder(Exception):
    """An all-zero X25519 result (PW-SEC-4)."""


def dh(private, public, allow_zero=False):
    try:
        return X25519PrivateKey.from_private_bytes(private).exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError:  # OpenSSL refuses an all-zero result: a low-order point (RFC 7748 6.1)
        if allow_zero:
            # A forged vector's tag is made with the result a receiver that skips PW-SEC-4 would use.
            return bytes(32)
        raise LowOrder() from None


def hkdf(ck, ikm, outputs):
    """Noise's HKDF as security.md section 3 describes it: HKDF-SHA256 (RFC 5869) with the chaining
    key as salt and empty info, 32 bytes per output."""
    okm = HKDF(algorithm=hashes.SHA256(), length=32 * outputs, salt=ck, info=b"").derive(ikm)
    return [okm[32 * i: 32 * (i + 1)] for i in range(outputs)]


PATTERNS = {
    # name: (pre-messages: initiator's and responder's static keys known before, message tokens)
    "KK": ((True, True), [["e", "es", "ss"], ["e", "ee", "se"]]),
    "XXpsk3": ((False, False), [["e"], ["e", "ee", "s", "es"], ["s", "se", "psk"]]),
    # the Noise specification's other vectors' patterns are not needed
}


class Handshake:
    """A Noise HandshakeState for KK and XXpsk3 with 25519, ChaChaPoly and SHA256."""

    def __init__(self, pattern, initiator, prologue, s, e, rs=None, psk=None, allow_zero=False):
        name = f"Noise_{pattern}_25519_ChaChaPoly_SHA256".encode("ascii")
        self.h = name.ljust(32, b"\0") if len(name) <= 32 else sha256(name)
        self.ck, self.k, self.n = self.h, None, 0
        self.initiator, self.s, self.e, self.rs, self.re, self.psk = initiator, s, e, rs, None, psk
        self.is_psk, self.allow_zero = "psk" in pattern, allow_zero
        (pre_i, pre_r), self.messages = PATTERNS[pattern]
        self.messages = [list(m) for m in self.messages]
        self.mix_hash(prologue)
        if pre_i:
            self.mix_hash(public_key(s) if initiator else rs)
        if pre_r:
            self.mix_hash(rs if initiator else public_key(s))

    def mix_hash(self, data):
        self.h = sha256(self.h + data)

    def mix_key(self, ikm):
        self.ck, self.k = hkdf(self.ck, ikm, 2)
        self.n = 0

    def mix_key_and_hash(self, ikm):
        self.ck, temp_h, self.k = hkdf(self.ck, ikm, 3)
        self.mix_hash(temp_h)
        self.n = 0

    def encrypt_and_hash(self, plaintext):
        if self.k is None:
            out = plaintext
        else:
            out = ChaCha20Poly1305(self.k).encrypt(bytes(4) + self.n.to_bytes(8, "little"), plaintext, self.h)
            self.n += 1
        self.mix_hash(out)
        return out

    def decrypt_and_hash(self, ciphertext):
        if self.k is None:
            out = ciphertext
        else:
            out = ChaCha20Poly1305(self.k).decrypt(bytes(4) + self.n.to_bytes(8, "little"), ciphertext, self.h)
            self.n += 1
        self.mix_hash(ciphertext)
        return out

    def dh(self, private, public):
        return dh(private, public, self.allow_zero)

    def _token(self, token):
        if token == "ee":
            self.mix_key(self.dh(self.e, self.re))
        elif token == "es":
            self.mix_key(self.dh(self.e, self.rs) if self.initiator else self.dh(self.s, self.re))
        elif token == "se":
            self.mix_key(self.dh(self.s, self.re) if self.initiator else self.dh(self.e, self.rs))
        elif token == "ss":
            self.mix_key(self.dh(self.s, self.rs))
        elif token == "psk":
            self.mix_key_and_hash(self.psk)
        else:
            raise ValueError(token)

    def write(self, payload, e_public=None):
        """e_public replaces the ephemeral public key sent (a low-order point: this side has then
        no private key for it, and must not compute a DH with it)."""
        out = b""
        for token in self.messages.pop(0):
            if token == "e":
                ephemeral = e_public if e_public is not None else public_key(self.e)
                out += ephemeral
                self.mix_hash(ephemeral)
                if self.is_psk:
                    self.mix_key(ephemeral)
            elif token == "s":
                out += self.encrypt_and_hash(public_key(self.s))
            else:
                self._token(token)
        return out + self.encrypt_and_hash(payload)

    def read(self, message):
        rest = message
        for token in self.messages.pop(0):
            if token == "e":
                self.re, rest = rest[:32], rest[32:]
                self.mix_hash(self.re)
                if self.is_psk:
                    self.mix_key(self.re)
            elif token == "s":
                size = 48 if self.k is not None else 32
                self.rs = self.decrypt_and_hash(rest[:size])
                rest = rest[size:]
            else:
                self._token(token)
        return self.decrypt_and_hash(rest)

    def split(self):
        return hkdf(self.ck, b"", 2)


def check_own_noise_against_published_vectors():
    """The Noise above must pass every KK and XXpsk3 vector of primitives.json (cacophony, snow)."""
    with open(PRIMITIVES) as f:
        vectors = [v for v in json.load(f)["vectors"] if v["primitive"] == "noise-handshake"]
    checked = 0
    for v in vectors:
        pattern = v["protocol_name"].split("_")[1]
        if pattern not in PATTERNS:
            continue
        x = lambda k: bytes.fromhex(v[k]) if k in v else None
        psk = lambda side: bytes.fromhex(v[side + "_psks"][0]) if v.get(side + "_psks") else None
        parties = [Handshake(pattern, True, x("init_prologue"), x("init_static"), x("init_ephemeral"),
                             x("init_remote_static"), psk("init")),
                   Handshake(pattern, False, x("resp_prologue"), x("resp_static"), x("resp_ephemeral"),
                             x("resp_remote_static"), psk("resp"))]
        handshake_messages = len(PATTERNS[pattern][1])
        for index, message in enumerate(v["messages"][:handshake_messages]):
            writer, reader = parties[index % 2], parties[1 - index % 2]
            payload, ciphertext = bytes.fromhex(message["payload"]), bytes.fromhex(message["ciphertext"])
            expect(f"{v['id']} message {index}", writer.write(payload), ciphertext)
            expect(f"{v['id']} message {index} read", reader.read(ciphertext), payload)
        if "handshake_hash" in v:
            expect(f"{v['id']} handshake hash", parties[0].h, x("handshake_hash"))
        expect(f"{v['id']} split", parties[0].split(), parties[1].split())
        # the first transport message, n = 0, empty AD: messages alternate, so after an odd number of
        # handshake messages it is the responder's, under k2; after an even number the initiator's, under k1
        key = parties[0].split()[handshake_messages % 2]
        transport = v["messages"][handshake_messages]
        expect(f"{v['id']} first transport message",
               ChaCha20Poly1305(key).encrypt(bytes(12), bytes.fromhex(transport["payload"]), b""),
               bytes.fromhex(transport["ciphertext"]))
        checked += 1
    if checked < 3:
        raise Mismatch(f"only {checked} published Noise vectors checked")
    return checked


# --- noiseprotocol, the other witness --------------------------------------------------------------

def noiseprotocol_party(pattern, initiator, prologue, s, e, rs=None, psk=None):
    party = NoiseConnection.from_name(f"Noise_{pattern}_25519_ChaChaPoly_SHA256".encode("ascii"))
    party.set_as_initiator() if initiator else party.set_as_responder()
    party.set_prologue(prologue)
    if psk is not None:
        party.set_psks(psk=psk)
    party.set_keypair_from_private_bytes(Keypair.STATIC, s)
    if rs is not None:
        party.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, rs)
    # A fixed ephemeral makes the messages reproducible; noiseprotocol warns that this is for tests.
    party.set_keypair_from_private_bytes(Keypair.EPHEMERAL, e)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        party.start_handshake()
    return party


# --- The fixed material ----------------------------------------------------------------------------

def labelled(label):
    return {"label": label, "value": sha256(label.encode("ascii"))}


PUMP_STATIC = labelled("PumpWire golden pump static")
PROGRAMMER_STATIC = labelled("PumpWire golden programmer static")          # slot 0, by pairing
SLOT1_STATIC = labelled("PumpWire golden slot 1 programmer static")        # slot 1, enrolled
PAIRING_SECRET = labelled("PumpWire golden pairing secret")

PROLOGUE_PREFIX = b"PumpWire-v1"
HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE, HANDSHAKE_FINISH = 0x10, 0x90, 0x11
INTERROGATION, PRESCRIPTION, ACKNOWLEDGEMENT = 0x01, 0x02, 0xF0

# The worked example of pumpwire-v1.md 9.3, its payload as the spec prints it.
PRESCRIPTION_93 = bytes.fromhex(
    "0103d0070000204e0000d007000096004042 0f0003 0000 00530700 a401 00a60e00 2805 00530700".replace(" ", ""))


def prescription_48_steps():
    """A valid prescriptionBlock (9.3) with the most steps, 48: morphine, timeOfDay, steps every 30
    minutes from 00:00, step i at 400000 + 10000 * i ng/day; 309 bytes."""
    steps = [(30 * i, 400000 + 10000 * i) for i in range(48)]
    concentration, capacity, threshold, catheter, max_daily = 2000, 20000, 2000, 150, 1000000
    w = sum(rate * 30 for _, rate in steps)
    assert w <= max_daily * 1440  # PW-RX-9
    payload = bytes([1, 3]) + u32(concentration) + u32(capacity) + u32(threshold) + u16(catheter) \
        + u32(max_daily) + bytes([len(steps)]) + b"".join(u16(m) + u32(r) for m, r in steps)
    assert len(payload) == 21 + 6 * 48 == 309
    return payload


UNKNOWN_TYPE = 0x7E
UNKNOWN_PAYLOAD = bytes(i % 256 for i in range(500))  # byte i is i mod 256


def session_info(slot, epoch, last_command_id):
    return bytes([slot, epoch]) + u32(last_command_id)


def handshake_request_payload(pattern, slot, noise_message):
    return bytes([pattern, slot]) + noise_message


# --- Handshakes ------------------------------------------------------------------------------------

NOISE_LENGTHS = {("XXpsk3", 0): 48, ("XXpsk3", 1): 102, ("XXpsk3", 2): 64, ("KK", 0): 48, ("KK", 1): 54}


def run_handshake(spec):
    """Runs one handshake with both witnesses; returns (vector, material) where material holds the
    keys and noiseprotocol's cipher states for sealing."""
    pattern, code, slot = spec["pattern"], spec["patternCode"], spec["slot"]
    prologue = PROLOGUE_PREFIX + bytes([code, slot])
    init, pump = spec["initiator"], spec["pump"]
    init_s, init_e = init["static"]["value"], init["ephemeral"]["value"]
    pump_s, pump_e = pump["static"]["value"], pump["ephemeral"]["value"]
    psk = PAIRING_SECRET["value"] if pattern == "XXpsk3" else None
    kk = pattern == "KK"
    info = session_info(*spec["sessionInfo"])
    payloads = [b"", info, b""] if pattern == "XXpsk3" else [b"", info]

    np_i = noiseprotocol_party(pattern, True, prologue, init_s, init_e, public_key(pump_s) if kk else None, psk)
    np_r = noiseprotocol_party(pattern, False, prologue, pump_s, pump_e, public_key(init_s) if kk else None, psk)
    own_i = Handshake(pattern, True, prologue, init_s, init_e, public_key(pump_s) if kk else None, psk)
    own_r = Handshake(pattern, False, prologue, pump_s, pump_e, public_key(init_s) if kk else None, psk)

    names = ["handshakeRequest", "handshakeResponse", "handshakeFinish"]
    types = [HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE, HANDSHAKE_FINISH]
    messages = []
    for index, payload in enumerate(payloads):
        by_initiator = index % 2 == 0
        np_w, np_rd = (np_i, np_r) if by_initiator else (np_r, np_i)
        own_w, own_rd = (own_i, own_r) if by_initiator else (own_r, own_i)
        noise_message = bytes(np_w.write_message(payload))
        expect(f"{spec['id']} message {index}: noiseprotocol and this file's Noise", own_w.write(payload), noise_message)
        expect(f"{spec['id']} message {index} read by noiseprotocol", bytes(np_rd.read_message(noise_message)), payload)
        expect(f"{spec['id']} message {index} read by this file's Noise", own_rd.read(noise_message), payload)
        expect(f"{spec['id']} message {index} length", len(noise_message), NOISE_LENGTHS[(pattern, index)])
        frame_payload = handshake_request_payload(code, slot, noise_message) if index == 0 else noise_message
        sequence = spec["sequences"][index]
        data = frame(types[index], 0, sequence, frame_payload)
        parsed = check_frame(data)
        expect("handshake frame payload", parsed["payload"], frame_payload)
        messages.append({
            "name": names[index], "messageType": types[index], "sequence": sequence,
            "sender": "initiator" if by_initiator else "pump",
            "noisePayload": payload.hex(), "noiseMessage": noise_message.hex(),
            "framePayload": frame_payload.hex(), "frame": data.hex()})
    for party in (np_i, np_r):
        if not party.handshake_finished:
            raise Mismatch(f"{spec['id']}: noiseprotocol did not finish the handshake")
    hh = np_i.get_handshake_hash()
    expect(f"{spec['id']} handshake hash of the pump (noiseprotocol)", np_r.get_handshake_hash(), hh)
    expect(f"{spec['id']} handshake hash (this file's Noise, both sides)", (own_i.h, own_r.h), (hh, hh))
    # The split keys, where noiseprotocol keeps them: SymmetricState.split() gives the initiator
    # cipher_state_encrypt = c1 and cipher_state_decrypt = c2, the responder the reverse.
    k1, k2 = np_i.noise_protocol.cipher_state_encrypt.k, np_i.noise_protocol.cipher_state_decrypt.k
    expect(f"{spec['id']} pump's k1 and k2 (noiseprotocol)",
           (np_r.noise_protocol.cipher_state_decrypt.k, np_r.noise_protocol.cipher_state_encrypt.k), (k1, k2))
    expect(f"{spec['id']} k1, k2 by this file's Noise", (own_i.split(), own_r.split()), ([k1, k2], [k1, k2]))
    expect(f"{spec['id']} k1 differs from k2", k1 != k2, True)

    def party(p, role):
        return {"role": role,
                "staticPrivateLabel": p["static"]["label"], "staticPrivate": p["static"]["value"].hex(),
                "staticPublic": public_key(p["static"]["value"]).hex(),
                "ephemeralPrivateLabel": p["ephemeral"]["label"], "ephemeralPrivate": p["ephemeral"]["value"].hex(),
                "ephemeralPublic": public_key(p["ephemeral"]["value"]).hex()}

    vector = {
        "id": spec["id"], "description": spec["description"],
        "protocolName": f"Noise_{pattern}_25519_ChaChaPoly_SHA256",
        "pattern": code, "slot": slot, "prologue": prologue.hex(),
    }
    if psk is not None:
        vector["pairingSecretLabel"] = PAIRING_SECRET["label"]
        vector["pairingSecret"] = psk.hex()
    vector.update({
        "initiator": party(init, init["role"]), "pump": party(pump, "pump"),
        "sessionInfo": {"slot": spec["sessionInfo"][0], "sessionEpoch": spec["sessionInfo"][1],
                        "lastCommandId": spec["sessionInfo"][2], "bytes": info.hex()},
        "messages": messages, "handshakeHash": hh.hex(), "k1": k1.hex(), "k2": k2.hex()})
    material = {"k1": k1, "k2": k2, "epoch": spec["sessionInfo"][1], "slot": slot, "messages": messages,
                "np": {"initiator": np_i, "pump": np_r}, "init_s": init_s, "init_e": init_e, "pump_s": pump_s,
                "prologue": prologue}
    return vector, material


HANDSHAKES = [
    {"id": "pairing", "pattern": "XXpsk3", "patternCode": 1, "slot": 0, "sessionInfo": (0, 1, 0),
     "sequences": (1, 1, 2),
     "description": "Pairing (security.md 5): the programmer puts itself into slot 0 with "
                    "Noise_XXpsk3_25519_ChaChaPoly_SHA256, the pairing secret as psk. The pump answers with "
                    "session info slot 0, sessionEpoch 1, lastCommandId 0 (a new slot). The handshake starts "
                    "the session of epoch 1, whose first pump frame is the sealed acknowledgement of the "
                    "handshakeFinish (PW-SEC-6; sealedFrames pairing.acknowledgement-handshakeFinish).",
     "initiator": {"role": "programmer", "static": PROGRAMMER_STATIC,
                   "ephemeral": labelled("PumpWire golden pairing programmer ephemeral")},
     "pump": {"static": PUMP_STATIC, "ephemeral": labelled("PumpWire golden pairing pump ephemeral")}},
    {"id": "session", "pattern": "KK", "patternCode": 2, "slot": 1, "sessionInfo": (1, 2, 7),
     "sequences": (1, 1),
     "description": "Session (security.md 6): the device of slot 1 (a second programmer, enrolled with role "
                    "clinician, so that the prescription of sealedFrames is permitted, PW-SEC-15) starts a "
                    "session with Noise_KK_25519_ChaChaPoly_SHA256; both static keys are known beforehand. "
                    "Session info slot 1, sessionEpoch 2, lastCommandId 7. Most sealed frames and rejections "
                    "use this session's k1 and k2.",
     "initiator": {"role": "slot 1 programmer", "static": SLOT1_STATIC,
                   "ephemeral": labelled("PumpWire golden session slot 1 ephemeral")},
     "pump": {"static": PUMP_STATIC, "ephemeral": labelled("PumpWire golden session pump ephemeral")}},
    {"id": "session-256-earlier", "pattern": "KK", "patternCode": 2, "slot": 1, "sessionInfo": (1, 2, 7),
     "sequences": (1, 1),
     "description": "A session of the same two devices 256 sessions before `session`, so with the same "
                    "sessionEpoch 2 (the low 8 bits of the session count, PW-SEC-8) and the same session info, "
                    "but other ephemeral keys and so other k1 and k2. Its frames pass the epoch check of the "
                    "later session and fail at the tag (rejections earlier-session-same-epoch).",
     "initiator": {"role": "slot 1 programmer", "static": SLOT1_STATIC,
                   "ephemeral": labelled("PumpWire golden earlier session slot 1 ephemeral")},
     "pump": {"static": PUMP_STATIC, "ephemeral": labelled("PumpWire golden earlier session pump ephemeral")}},
]


# --- Sealed frames (PW-SEC-9) ----------------------------------------------------------------------

def seal_frame(material, sender, message_type, sequence, frame_payload, counter, fragment):
    """Seals one frame whose payload is frame_payload (fragment header included when fragment).
    Returns the per-frame record and the sealed bytes."""
    key_name = "k1" if sender == "initiator" else "k2"
    key, epoch = material[key_name], material["epoch"]
    flags = AUTHENTICATED | (FRAGMENT if fragment else 0)
    freshness = (epoch << 24) | counter
    assert counter <= 0xFFFFFF
    nonce = bytes(4) + freshness.to_bytes(8, "little")
    hdr = header(message_type, flags, sequence, len(frame_payload))
    sealed_from = 4 if fragment else 0
    ad = hdr + frame_payload[:sealed_from]
    plaintext = frame_payload[sealed_from:]
    out = ChaCha20Poly1305(key).encrypt(nonce, plaintext, ad)
    ciphertext, tag = out[:-16], out[-16:]
    # Witness: noiseprotocol's CipherState of the sender, with its nonce n set to the freshness counter.
    state = material["np"][sender].noise_protocol.cipher_state_encrypt
    state.set_nonce(freshness)
    expect("noiseprotocol's seal", bytes(state.encrypt_with_ad(ad, plaintext)), out)
    block_clear = u32(freshness) + bytes(16)
    cleartext_frame = with_crc(ad + plaintext + block_clear)
    sealed = with_crc(ad + ciphertext + u32(freshness) + tag)
    expect("sealed frame length", len(sealed), 9 + len(frame_payload) + 20 + 2)
    # Witnesses on the receiving side: cryptography, noiseprotocol's receiving CipherState, and PW-SEC-10.
    expect("cryptography opens", ChaCha20Poly1305(key).decrypt(nonce, ciphertext + tag, ad), plaintext)
    receiving = material["np"]["pump" if sender == "initiator" else "initiator"].noise_protocol.cipher_state_decrypt
    receiving.set_nonce(freshness)
    expect("noiseprotocol opens", bytes(receiving.decrypt_with_ad(ad, ciphertext + tag)), plaintext)
    expect("PW-SEC-10 opens", Receiver(key, epoch).open(sealed), frame_payload)
    record = {
        "frameCounter": counter, "sessionEpoch": epoch, "freshnessCounter": freshness,
        "cleartextFrame": cleartext_frame.hex(), "associatedData": ad.hex(), "nonce": nonce.hex(),
        "plaintext": plaintext.hex(), "ciphertext": ciphertext.hex(), "tag": tag.hex(), "sealedFrame": sealed.hex()}
    return record, sealed


def sealed_message(material, session_id, ident, description, sender, message_type, sequence, payload,
                   first_counter, command_id=None):
    """A message sealed as one frame, or fragmented (section 5.1) and sealed fragment by fragment."""
    records, frames = [], []
    if len(payload) <= 240:
        parts = [(b"", payload)]
    else:
        parts = fragments_of(payload)
    for index, (fragment_header, data) in enumerate(parts):
        record, sealed = seal_frame(material, sender, message_type, sequence, fragment_header + data,
                                    first_counter + index, bool(fragment_header))
        records.append(record)
        frames.append(sealed)
    # Reassembled after opening, the fragments give the message payload back.
    receiver = Receiver(material["k1" if sender == "initiator" else "k2"], material["epoch"])
    opened = [receiver.open(f) for f in frames]
    expect(f"{ident} reassembled", b"".join(o[4:] if len(parts) > 1 else o for o in opened), payload)
    vector = {"id": ident, "description": description, "session": session_id, "sender": sender,
              "key": "k1" if sender == "initiator" else "k2", "messageType": message_type, "sequence": sequence,
              "commandId": command_id, "messagePayload": payload.hex(), "frames": records}
    return vector, frames


def build_sealed(materials):
    pairing = materials["pairing"]
    big = prescription_48_steps()
    finish_payload = bytes.fromhex(pairing["messages"][2]["framePayload"])
    table = [
        ("session", "session.prescription",
         "The prescriptionBlock of pumpwire-v1.md 9.3 (its 39-byte payload) sent by the slot 1 programmer, "
         "with commandId 8 before it (PW-SEC-13; the session info said lastCommandId 7), sequence 2, sealed "
         "with k1 at frameCounter 0.",
         "initiator", PRESCRIPTION, 2, u32(8) + PRESCRIPTION_93, 0, 8),
        ("session", "session.acknowledgement",
         "The pump's acknowledgement of session.prescription: the payload of pumpwire-v1.md 9.9 (type 0x02, "
         "digest 0xb7e2aad6, the CRC-32 of the 39-byte prescription without its commandId: see the README), "
         "sequence 2, sealed with k2 at frameCounter 0.",
         "pump", ACKNOWLEDGEMENT, 2, bytes([PRESCRIPTION]) + u32(crc32(PRESCRIPTION_93)), 0, None),
        ("session", "session.interrogationRequest",
         "An interrogationRequest (pumpwire-v1.md 9.1, empty payload: the plaintext is empty and the "
         "ciphertext too, the tag authenticates the header and the nonce), sequence 3, sealed with k1 at "
         "frameCounter 1.",
         "initiator", INTERROGATION, 3, b"", 1, None),
        ("session", "session.prescription-48-steps",
         "A prescriptionBlock with 48 steps, the most (morphine, timeOfDay, 2000 ug/mL, capacity 20000, "
         "threshold 2000, catheter 150, maxDailyDose 1000000, step i at minute 30*i and 400000 + 10000*i "
         "ng/day), commandId 9 before it: 313 bytes, so two fragments (236 + 77), sequence 4, each fragment "
         "sealed with k1, frameCounters 2 and 3. (Counter 1 of the pump, its pumpStatus, is not in this file.)",
         "initiator", PRESCRIPTION, 4, u32(9) + big, 2, 9),
        ("session", "session.acknowledgement-48-steps",
         "The pump's acknowledgement of session.prescription-48-steps (type 0x02, digest the CRC-32 of the "
         "309-byte prescription without its commandId), sequence 4, sealed with k2 at frameCounter 2 "
         "(frameCounter 1 was the pumpStatus answering session.interrogationRequest, not in this file).",
         "pump", ACKNOWLEDGEMENT, 4, bytes([PRESCRIPTION]) + u32(crc32(big)), 2, None),
        ("session", "session.unknown-0x7e",
         "A message of type 0x7e, not in the registry (PW-FRAME-8, PW-FRAG-14), of 500 bytes, byte i = i mod "
         "256: three fragments (236 + 236 + 28), sequence 5, sealed with k1 at frameCounters 4, 5 and 6. "
         "It has no commandId (PW-SEC-13 lists the types that have one).",
         "initiator", UNKNOWN_TYPE, 5, UNKNOWN_PAYLOAD, 4, None),
        ("pairing", "pairing.acknowledgement-handshakeFinish",
         "The pump's acknowledgement of the pairing's handshakeFinish (PW-SEC-6): type 0x11, digest the "
         "CRC-32 of the 64-byte handshakeFinish payload, sequence 2 (the handshakeFinish's), sealed with the "
         "pairing session's k2 at frameCounter 0, sessionEpoch 1.",
         "pump", ACKNOWLEDGEMENT, 2, bytes([HANDSHAKE_FINISH]) + u32(crc32(finish_payload)), 0, None),
        ("pairing", "pairing.interrogationRequest",
         "An interrogationRequest of the pairing session (epoch 1), sequence 3, sealed with its k1 at "
         "frameCounter 0. Sent to the pump during `session`, it is STALE_SESSION (rejections).",
         "initiator", INTERROGATION, 3, b"", 0, None),
        ("session-256-earlier", "session-256-earlier.prescription",
         "The cleartext frame of session.prescription (same commandId, sequence, counter 0 and epoch 2) sealed "
         "with the k1 of session-256-earlier: only the keys differ.",
         "initiator", PRESCRIPTION, 2, u32(8) + PRESCRIPTION_93, 0, 8),
    ]
    vectors, frames = [], {}
    for session_id, ident, description, sender, message_type, sequence, payload, counter, command_id in table:
        vector, sealed = sealed_message(materials[session_id], session_id, ident, description, sender,
                                        message_type, sequence, payload, counter, command_id)
        vectors.append(vector)
        frames[ident] = sealed
    # The cleartext frame of session.prescription is the 9.3 worked example with AUTHENTICATED set, the
    # commandId before the payload and the block; the two earlier-session frames share it.
    expect("the two prescriptions' cleartext frames", vectors[8]["frames"][0]["cleartextFrame"],
           vectors[0]["frames"][0]["cleartextFrame"])
    return vectors, frames


# --- Rejections (PW-SEC-10) ------------------------------------------------------------------------

def flip(data, offset, bit, recompute_crc=True):
    out = bytearray(data)
    out[offset] ^= 1 << bit
    return with_crc(bytes(out[:-2])) if recompute_crc else bytes(out)


def build_rejections(materials, frames):
    rx = frames["session.prescription"][0]       # 74 bytes: P = 43, block at 52, epoch 55, tag 56, CRC 72
    ack = frames["session.acknowledgement"][0]
    p = 43
    big0, big1 = frames["session.prescription-48-steps"]
    unk0 = frames["session.unknown-0x7e"][0]
    truncated = with_crc(rx[: 9 + p + 4 + 10])  # the tag cut to 10 bytes, a CRC after them

    def case(ident, description, receiver, key, highest, data, name, offset, session="session"):
        return {"ident": ident, "description": description, "session": session, "receiver": receiver,
                "key": key, "highest": highest, "frame": data, "name": name, "offset": offset}

    pump, device = "pump", "initiator"
    cases = [
        # header bits, CRC recomputed: the header is the associated data
        case("header-messageType-bit0", "session.prescription with messageType 0x02 changed to 0x03 (bit 0 of "
             "offset 3), CRC recomputed: the header is associated data, so the tag fails.",
             pump, "k1", None, flip(rx, 3, 0), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("header-sequence-bit0", "session.prescription with sequence 2 changed to 3 (bit 0 of offset 5), "
             "CRC recomputed.", pump, "k1", None, flip(rx, 5, 0), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("header-sequence-bit15", "session.prescription with bit 15 of sequence set (bit 7 of offset 6), "
             "CRC recomputed.", pump, "k1", None, flip(rx, 6, 7), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("header-flags-fragment", "session.prescription with the FRAGMENT flag set (bit 0 of offset 4), CRC "
             "recomputed: step 2 of PW-SEC-10 reads the first 4 ciphertext bytes as a fragment header, before "
             "any key is used; its fragmentCount (ciphertext byte 1, frame offset 10) is not 2 to 5 (PW-FRAG-2).",
             pump, "k1", None, flip(rx, 4, 0), "FRAGMENT_COUNT_INVALID", 10),
        case("fragment-header-index", "Fragment 0 of session.unknown-0x7e with fragmentIndex 0 changed to 1 (bit "
             "0 of offset 9), CRC recomputed: the fragment header still passes 5.2 (index 1 of 3 carries 236 "
             "bytes), but it is associated data, so the tag fails.",
             pump, "k1", 3, flip(unk0, 9, 0), "AUTHENTICATION_FAILED", 9 + 240 + 4),
        case("fragment-header-totalLength", "Fragment 0 of session.unknown-0x7e with totalLength 500 changed to "
             "501 (bit 0 of offset 11), CRC recomputed: still 3 fragments, so 5.2 passes; the tag fails.",
             pump, "k1", 3, flip(unk0, 11, 0), "AUTHENTICATION_FAILED", 9 + 240 + 4),
        # payload bits
        case("payload-first-bit", "session.prescription with bit 0 of the first ciphertext byte (offset 9, in the "
             "commandId) flipped, CRC recomputed.", pump, "k1", None, flip(rx, 9, 0),
             "AUTHENTICATION_FAILED", 9 + p + 4),
        case("payload-middle-bit", "session.prescription with bit 3 of ciphertext byte 20 (offset 29) flipped, "
             "CRC recomputed.", pump, "k1", None, flip(rx, 29, 3), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("payload-last-bit", "session.prescription with bit 7 of the last ciphertext byte (offset 51) "
             "flipped, CRC recomputed.", pump, "k1", None, flip(rx, 51, 7), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("payload-fragment-bit", "Fragment 1 of session.prescription-48-steps with bit 0 of its last "
             "ciphertext byte flipped, CRC recomputed: a forged fragment is dropped before reassembly.",
             pump, "k1", 2, flip(big1, 9 + 81 - 1, 0), "AUTHENTICATION_FAILED", 9 + 81 + 4),
        # block bits
        case("block-frameCounter-bit0", "session.prescription with frameCounter 0 changed to 1 (bit 0 of offset "
             "52), CRC recomputed: the counter passes step 4 (nothing accepted yet) but is the nonce, so the tag "
             "fails.", pump, "k1", None, flip(rx, 52, 0), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("block-frameCounter-bit23", "session.prescription with bit 23 of frameCounter set (bit 7 of offset "
             "54), CRC recomputed: above the highest accepted, 0, but the nonce differs.",
             pump, "k1", 0, flip(rx, 54, 7), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("block-sessionEpoch-bit0", "session.prescription with sessionEpoch 2 changed to 3 (bit 0 of offset "
             "55), CRC recomputed.", pump, "k1", None, flip(rx, 55, 0), "STALE_SESSION", 9 + p + 3),
        case("tag-first-bit", "session.prescription with bit 0 of the first tag byte (offset 56) flipped, CRC "
             "recomputed.", pump, "k1", None, flip(rx, 56, 0), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("tag-last-bit", "session.prescription with bit 7 of the last tag byte (offset 71) flipped, CRC "
             "recomputed.", pump, "k1", None, flip(rx, 71, 7), "AUTHENTICATION_FAILED", 9 + p + 4),
        case("payload-bit-crc-kept", "session.prescription with bit 0 of offset 9 flipped and the CRC left as it "
             "was: the frame layer (4.2 step 7) rejects it before the security layer sees it.",
             pump, "k1", None, flip(rx, 9, 0, recompute_crc=False), "BAD_CRC", 9 + p + 20),
        # direction, freshness, sessions
        case("reflected-to-programmer", "session.prescription (sealed with k1) reflected back to the slot 1 "
             "programmer, which opens frames from the pump with k2: epoch and counter pass, the tag fails.",
             device, "k2", None, rx, "AUTHENTICATION_FAILED", 9 + p + 4),
        case("reflected-to-pump", "session.acknowledgement (sealed with k2, frameCounter 0) reflected to the "
             "pump after it accepted session.prescription (frameCounter 0 in its direction): the counter check "
             "(step 4) comes before the tag (step 5), so this is REPLAYED, not AUTHENTICATION_FAILED.",
             pump, "k1", 0, ack, "REPLAYED", 9 + 5),
        case("reflected-to-pump-fresh-counter", "session.acknowledgement-48-steps (sealed with k2, frameCounter "
             "2) reflected to the pump when it has accepted frameCounter 1 from the programmer: the counter "
             "passes, the tag fails under k1.",
             pump, "k1", 1, frames["session.acknowledgement-48-steps"][0], "AUTHENTICATION_FAILED", 9 + 5 + 4),
        case("replayed", "session.prescription again after the pump accepted it (highest accepted 0).",
             pump, "k1", 0, rx, "REPLAYED", 9 + p),
        case("replayed-and-tampered", "session.prescription with a tag bit flipped (offset 56), CRC recomputed, "
             "after the pump accepted the original: step 4 fails first.", pump, "k1", 0, flip(rx, 56, 0),
             "REPLAYED", 9 + p),
        case("rollback", "session.prescription (frameCounter 0) after the pump accepted "
             "session.interrogationRequest (frameCounter 1).", pump, "k1", 1, rx, "COUNTER_ROLLBACK", 9 + p),
        case("rollback-fragment", "Fragment 0 of session.prescription-48-steps (frameCounter 2) after the pump "
             "accepted fragment 1 (frameCounter 3).", pump, "k1", 3, big0, "COUNTER_ROLLBACK", 9 + 240),
        case("earlier-session-other-epoch", "pairing.interrogationRequest (session of epoch 1, frameCounter 0) "
             "sent to the pump during `session` (epoch 2) after it accepted frameCounter 1: the epoch check "
             "(step 3) comes before the counter (step 4).", pump, "k1", 1,
             frames["pairing.interrogationRequest"][0], "STALE_SESSION", 9 + 0 + 3),
        case("earlier-session-same-epoch", "session-256-earlier.prescription: the same cleartext frame as "
             "session.prescription (epoch 2, frameCounter 0) sealed 256 sessions earlier with other keys; the "
             "epoch and the counter pass, the tag fails.", pump, "k1", None,
             frames["session-256-earlier.prescription"][0], "AUTHENTICATION_FAILED", 9 + p + 4),
        case("not-sealed-request", "The interrogationRequest of pumpwire-v1.md 9.1 as printed (no AUTHENTICATED "
             "flag) received by the pump in a session.", pump, "k1", None,
             frame(INTERROGATION, 0, 1, b""), "NOT_SEALED", 4),
        case("not-sealed-response", "The acknowledgement of pumpwire-v1.md 9.9 as printed (unsealed) received "
             "by the programmer in a session.", device, "k2", None,
             frame(ACKNOWLEDGEMENT, 0, 2, bytes([PRESCRIPTION]) + u32(crc32(PRESCRIPTION_93))), "NOT_SEALED", 4),
        case("truncated-tag", "session.prescription with its tag cut to 10 bytes and a CRC of the 66 bytes left "
             "after them (68 bytes): payloadLength 43 with AUTHENTICATED asks for 74, so the frame layer reports "
             "TRUNCATED at the byte count (4.2 step 6), before any security check.", pump, "k1", None,
             truncated, "TRUNCATED", len(truncated)),
    ]
    examples = spec_examples()
    expect("the spec 9.1 and 9.9 examples", (cases[-3]["frame"], cases[-2]["frame"]),
           (examples["interrogationRequest"], examples["acknowledgement"]))
    vectors = []
    seen = set()
    for c in cases:
        if c["ident"] in seen:
            raise Mismatch(f"rejection id {c['ident']} twice")
        seen.add(c["ident"])
        m = materials[c["session"]]
        receiver = Receiver(m[c["key"]], m["epoch"], c["highest"])
        try:
            receiver.open(c["frame"])
        except Rejected as rejected:
            expect(f"rejection {c['ident']}: what PW-SEC-10 reports", (rejected.name, rejected.offset),
                   (c["name"], c["offset"]))
        else:
            raise Mismatch(f"rejection {c['ident']}: the frame opens")
        vectors.append({
            "id": c["ident"], "description": c["description"],
            "receiver": {"role": "pump" if c["receiver"] == pump else "slot 1 programmer", "session": c["session"],
                         "key": c["key"], "sessionEpoch": m["epoch"], "highestAcceptedCounter": c["highest"]},
            "frame": c["frame"].hex(),
            "expected": {"code": CODES[c["name"]], "name": c["name"], "offset": c["offset"]}})
    return vectors


# --- Low-order keys (PW-SEC-4) -----------------------------------------------------------------------

def build_low_order(materials):
    with open(PRIMITIVES) as f:
        points = [(v["id"], bytes.fromhex(v["point"])) for v in json.load(f)["vectors"]
                  if v["primitive"] == "x25519-low-order"]
    if len(points) < 9:
        raise Mismatch("fewer low-order points in primitives.json than expected")
    s, pairing = materials["session"], materials["pairing"]
    pump_s, device_s = s["pump_s"], s["init_s"]
    vectors = []
    for point_id, point in points:
        # What a pump without the check would verify: message 1 of KK as the pump reads it, with es (the
        # pump's static and the point) all zero and ss real. The device of slot 1 (or anyone with its
        # static key) could make it; the pump must stop at es.
        forger = Handshake("KK", False, s["prologue"], pump_s, None, public_key(device_s), allow_zero=True)
        forger.re = point
        forger.mix_hash(point)
        expect(f"{point_id}: es", forger.dh(pump_s, point), bytes(32))
        forger.mix_key(forger.dh(pump_s, point))
        forger.mix_key(forger.dh(pump_s, public_key(device_s)))
        tag = forger.encrypt_and_hash(b"")
        noise_message = point + tag
        payload = handshake_request_payload(2, 1, noise_message)
        data = frame(HANDSHAKE_REQUEST, 0, 1, payload)
        # The pump's side, with the check: the Noise above stops with LowOrder at es.
        pump = Handshake("KK", False, s["prologue"], pump_s, bytes(32), public_key(device_s))
        try:
            pump.read(noise_message)
        except LowOrder:
            pass
        else:
            raise Mismatch(f"{point_id}: the pump read message 1")
        # noiseprotocol refuses it too (cryptography raises on the all-zero result).
        np_pump = noiseprotocol_party("KK", False, s["prologue"], pump_s, bytes(32), public_key(device_s))
        try:
            np_pump.read_message(noise_message)
        except ValueError:
            pass
        else:
            raise Mismatch(f"{point_id}: noiseprotocol read message 1")
        # Without the check the tag verifies: the vector tells a missing check from a failed decryption.
        lax = Handshake("KK", False, s["prologue"], pump_s, bytes(32), public_key(device_s), allow_zero=True)
        lax.read(noise_message)
        vectors.append({
            "id": f"session-request-{point_id}",
            "description": f"A KK handshakeRequest for slot 1 whose ephemeral key is the low-order point "
                           f"{point_id} of primitives.json; its tag is what Noise computes with the all-zero es "
                           f"(so a pump that omits the check of PW-SEC-4 would accept message 1). The pump "
                           f"computes es = X25519(pump static, point) = 0 and must stop there.",
            "receiver": {"role": "pump", "handshake": "session", "pattern": 2, "slot": 1},
            "lowOrderPoint": point.hex(), "frame": data.hex(),
            "expected": {"code": 103, "name": "LOW_ORDER_KEY", "offset": 11}})

    # Pairing: message 1 of XXpsk3 (-> e) has no DH; its tag comes from public values only (MixKey(e)
    # of the psk rule), so anyone can make it. The pump stops at ee, writing message 2.
    point = bytes(32)
    forger = Handshake("XXpsk3", True, pairing["prologue"], pairing["init_s"], None, psk=PAIRING_SECRET["value"])
    noise_message = forger.write(b"", e_public=point)
    data = frame(HANDSHAKE_REQUEST, 0, 1, handshake_request_payload(1, 0, noise_message))
    pump = Handshake("XXpsk3", False, pairing["prologue"], pairing["pump_s"],
                     labelled("PumpWire golden pairing pump ephemeral")["value"], psk=PAIRING_SECRET["value"])
    expect("pairing message 1 with the zero point is read", pump.read(noise_message), b"")
    try:
        pump.write(session_info(0, 1, 0))
    except LowOrder:
        pass
    else:
        raise Mismatch("the pump wrote pairing message 2 to a zero ephemeral key")
    np_pump = noiseprotocol_party("XXpsk3", False, pairing["prologue"], pairing["pump_s"],
                                  labelled("PumpWire golden pairing pump ephemeral")["value"], psk=PAIRING_SECRET["value"])
    expect("noiseprotocol reads pairing message 1 with the zero point", bytes(np_pump.read_message(noise_message)), b"")
    try:
        np_pump.write_message(session_info(0, 1, 0))
    except ValueError:
        pass
    else:
        raise Mismatch("noiseprotocol wrote pairing message 2 to a zero ephemeral key")
    vectors.append({
        "id": "pairing-request-low-order-0",
        "description": "A pairing handshakeRequest whose ephemeral key is all zero, with a valid tag (message 1 of "
                       "XXpsk3 is keyed by public values only). It reads; the pump then computes ee = X25519(pump "
                       "ephemeral, point) = 0 for message 2 and must stop there, sending no handshakeResponse.",
        "receiver": {"role": "pump", "handshake": "pairing", "pattern": 1, "slot": 0},
        "lowOrderPoint": point.hex(), "frame": data.hex(),
        "expected": {"code": 103, "name": "LOW_ORDER_KEY", "offset": 11}})

    # Device side: a KK handshakeResponse whose ephemeral key is all zero, after the device sent the
    # session's handshakeRequest. Its tag is what the device would verify without the check (ee and se
    # all zero).
    forger = Handshake("KK", True, s["prologue"], device_s, s["init_e"], public_key(pump_s), allow_zero=True)
    forger.write(b"")
    forger.re = point
    forger.mix_hash(point)
    forger.mix_key(forger.dh(s["init_e"], point))
    forger.mix_key(forger.dh(device_s, point))
    noise_message = point + forger.encrypt_and_hash(session_info(1, 2, 7))
    data = frame(HANDSHAKE_RESPONSE, 0, 1, noise_message)
    device = Handshake("KK", True, s["prologue"], device_s, s["init_e"], public_key(pump_s))
    expect("the device's request", device.write(b""), bytes.fromhex(s["messages"][0]["noiseMessage"]))
    try:
        device.read(noise_message)
    except LowOrder:
        pass
    else:
        raise Mismatch("the device read a zero ephemeral key")
    np_device = noiseprotocol_party("KK", True, s["prologue"], device_s, s["init_e"], public_key(pump_s))
    expect("noiseprotocol's request", bytes(np_device.write_message(b"")), bytes.fromhex(s["messages"][0]["noiseMessage"]))
    try:
        np_device.read_message(noise_message)
    except ValueError:
        pass
    else:
        raise Mismatch("noiseprotocol read a zero ephemeral key in message 2")
    lax = Handshake("KK", True, s["prologue"], device_s, s["init_e"], public_key(pump_s), allow_zero=True)
    lax.write(b"")
    expect("message 2 read without the check", lax.read(noise_message), session_info(1, 2, 7))
    vectors.append({
        "id": "session-response-low-order-0",
        "description": "A KK handshakeResponse whose ephemeral key is all zero, received by the slot 1 programmer "
                       "after it sent the handshakeRequest of `session`; its tag is what Noise computes with ee "
                       "and se all zero (a device without the check would accept it). The device computes ee = "
                       "X25519(its ephemeral, point) = 0 and must stop there.",
        "receiver": {"role": "slot 1 programmer", "handshake": "session", "pattern": 2, "slot": 1,
                     "sentRequest": s["messages"][0]["frame"]},
        "lowOrderPoint": point.hex(), "frame": data.hex(),
        "expected": {"code": 103, "name": "LOW_ORDER_KEY", "offset": 9}})
    return vectors


# --- The document -----------------------------------------------------------------------------------

DESCRIPTION = (
    "Golden vectors of the PumpWire security layer (spec/security.md, draft): the pairing (Noise XXpsk3) and "
    "session (Noise KK) handshakes carried in PumpWire frames, sealed frames, rejected frames with the error "
    "PW-SEC-10 names, and low-order keys (PW-SEC-4). Made by vectors/tools/secure_golden.py from the spec alone, "
    "independently of the Swift code, with Python cryptography and noiseprotocol 0.3.1, from fixed keys: every "
    "private key and the pairing secret is SHA-256 of the ASCII label given beside it. Bytes are lowercase hex; "
    "offsets are frame offsets. See vectors/crypto/README.md.")

CONVENTIONS = [
    "handshakes: frames are plain (unsealed) PumpWire frames, flags 0. noisePayload is the plaintext Noise "
    "carries (empty, or the 6-byte session info), noiseMessage the Noise message, framePayload the frame's "
    "payload (for a handshakeRequest: pattern, slot, noiseMessage). k1 seals initiator-to-pump frames, k2 "
    "pump-to-initiator frames (PW-SEC-8); they are the two keys of Noise's Split().",
    "sealedFrames: one entry per message; frames holds one record per frame (one per fragment). freshnessCounter "
    "is the u32 of the block's first 4 bytes: sessionEpoch << 24 | frameCounter. nonce is 4 zero bytes and "
    "freshnessCounter as u64 little-endian. associatedData is the 9-byte header, then the 4-byte fragment header "
    "when FRAGMENT is set. plaintext is the rest of the frame payload; ciphertext replaces it in place; tag is "
    "the 16-byte Poly1305 tag.",
    "cleartextFrame is the frame before sealing, stored as a complete frame: header with the AUTHENTICATED flag "
    "(and FRAGMENT), payloadLength counting the plaintext, the plaintext payload, the block with frameCounter and "
    "sessionEpoch and 16 zero bytes in place of the tag, and a CRC-16 computed over those bytes (so it is itself "
    "a valid version 1 frame). sealedFrame is the frame on the wire: ciphertext, the real tag, the CRC over them.",
    "rejections: give frame to a receiver holding receiver.session's key receiver.key, that session's epoch, "
    "and highestAcceptedCounter (null: none accepted yet in that direction); it must report expected (code, "
    "name, frame offset) and accept nothing. Frame-layer errors (TRUNCATED, BAD_CRC) and the fragment header's "
    "errors come from pumpwire-v1.md 4.2 and 5.2, which PW-SEC-10 runs first.",
    "lowOrderKeys: give frame to the receiver described, holding the keys of that handshake; it must refuse "
    "with LOW_ORDER_KEY at the frame offset of the low-order public key (11 in a handshakeRequest, 9 in a "
    "handshakeResponse), derive no key, and not answer with a handshake message.",
]


def build():
    examples = check_crcs_against_spec()
    published = check_own_noise_against_published_vectors()
    handshakes, materials = [], {}
    for spec in HANDSHAKES:
        vector, material = run_handshake(spec)
        handshakes.append(vector)
        materials[spec["id"]] = material
    sealed, frames = build_sealed(materials)
    rejections = build_rejections(materials, frames)
    low_order = build_low_order(materials)
    partial = {"handshakes": handshakes, "sealedFrames": sealed, "lowOrderKeys": low_order}
    try:
        pump_scenarios = secure_scenarios.build(sys.modules[__name__], materials, partial)
    except secure_scenarios.Mismatch as error:
        raise Mismatch(str(error)) from None
    document = {
        "description": DESCRIPTION,
        "specVersion": 1,
        "securityDraft": "spec/security.md, issue 16",
        "conventions": CONVENTIONS,
        "handshakes": handshakes,
        "sealedFrames": sealed,
        "rejections": rejections,
        "lowOrderKeys": low_order,
        "pumpScenarios": pump_scenarios,
    }
    stats = {"worked examples' CRCs": examples, "published Noise vectors": published}
    return document, stats


def render(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} against {type(b).__name__}"
    if isinstance(a, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}.{key}: present on one side only"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        if list(a) != list(b):
            return f"{path}: keys in another order"
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None if len(a) == len(b) else f"{path}: {len(a)} items against {len(b)}"
    return None if a == b else f"{path}: {a!r} against {b!r}"


def main(argv):
    if argv[1:] not in (["--write"], ["--check"]):
        print(__doc__.strip())
        return 2
    try:
        document, stats = build()
    except Mismatch as error:
        print(f"secure_golden.py: {error}", file=sys.stderr)
        return 1
    text = render(document)
    counts = ", ".join(f"{len(document[k])} {k}" for k in ("handshakes", "sealedFrames", "rejections", "lowOrderKeys",
                                                            "pumpScenarios"))
    counts += " (%d steps)" % sum(len(x["steps"]) for x in document["pumpScenarios"])
    checked = ", ".join(f"{v} {k}" for k, v in stats.items())
    if argv[1] == "--write":
        with open(OUTPUT, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(OUTPUT, ROOT)}: {counts} (checked: {checked})")
        return 0
    try:
        with open(OUTPUT, encoding="utf-8") as f:
            committed = f.read()
    except FileNotFoundError:
        print(f"{os.path.relpath(OUTPUT, ROOT)} is missing: run secure_golden.py --write", file=sys.stderr)
        return 1
    if committed != text:
        try:
            where = first_difference(json.loads(committed), document) or "formatting only"
        except ValueError as error:
            where = f"the committed file is not JSON ({error})"
        print(f"{os.path.relpath(OUTPUT, ROOT)} differs from what secure_golden.py computes: {where}", file=sys.stderr)
        return 1
    print(f"{os.path.relpath(OUTPUT, ROOT)} matches: {counts} (checked: {checked})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
