"""A secure pump (spec/security.md PW-SEC-21), written in Python from the spec alone.

It is the pump side of the security layer: slots and roles (section 4), pairing with
Noise_XXpsk3 and sessions with Noise_KK as responder (sections 5, 6), sealed frames (section 7),
command ids (section 8), roles and the patient bolus (section 9), enrollment, revocation and session
end (section 10), the decoding rules of 10.0, the steps of 10.1, and the log records of section 11.

Used by vectors/tools/secure_golden.py to make the `pumpScenarios` of vectors/crypto/sessions.json,
and by examples/python-testee/pumpwire_testee.py for PUMP_BEGIN and PUMP_RECEIVE (spec/conformance.md
2.4.10). Nothing here reads or runs the Swift code.

Primitives come from libraries, never written here: the Noise handshakes from PyPI `noiseprotocol`
0.3.1 (over `cryptography`), ChaCha20-Poly1305 and X25519 from `cryptography`, CRC-16/IBM-3740 from
`binascii.crc_hqx` and CRC-32 from `zlib`.

The decoding of the messages of pumpwire-v1.md (section 9: the payload after a `commandId`) and
reassembly (section 5) are not repeated here: the caller gives a `v1` module with
`decode_payload(type, payload, base)`, `Reassembler`, and `PumpWireError` (code, offset); the Python
testee is such a module.
"""
import binascii
import warnings
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from noise.connection import Keypair, NoiseConnection

# Error codes (pumpwire-v1.md section 10, security.md section 12)
TRUNCATED, BAD_SYNC, UNSUPPORTED_VERSION, UNKNOWN_MESSAGE_TYPE, LENGTH_MISMATCH = 1, 2, 3, 4, 5
TRAILING_BYTES, BAD_CRC, PAYLOAD_TOO_LARGE, NON_CANONICAL, FIELD_OUT_OF_RANGE = 6, 7, 8, 9, 10
FRAGMENT_COUNT_INVALID, FRAGMENT_INDEX_OUT_OF_RANGE, FRAGMENT_SIZE_INVALID = 32, 33, 34
AUTHENTICATION_FAILED, REPLAYED, COUNTER_ROLLBACK, STALE_SESSION = 96, 97, 98, 99
COUNTER_EXHAUSTED, HANDSHAKE_FAILED, LOW_ORDER_KEY, HANDSHAKE_OUT_OF_ORDER = 101, 102, 103, 104
NOT_PERMITTED, AUTHENTICATION_REQUIRED, ROLE_NOT_PERMITTED, DUPLICATE_COMMAND = 128, 133, 134, 135
PATIENT_BOLUS_DOSE_EXCEEDED, PATIENT_BOLUS_COUNT_EXCEEDED, PATIENT_BOLUS_LOCKOUT = 136, 137, 138
NO_OFFSET = 0xFFFF

# Message types
INTERROGATION, PRESCRIPTION, BOLUS_SCHEDULE, REFILL, DUMP_REQUEST = 0x01, 0x02, 0x03, 0x04, 0x05
PATIENT_BOLUS, HANDSHAKE_REQUEST, HANDSHAKE_FINISH = 0x06, 0x10, 0x11
ENROLLMENT, REVOCATION, SESSION_CLOSE, HANDSHAKE_RESPONSE = 0x12, 0x13, 0x14, 0x90
ACKNOWLEDGEMENT, NEGATIVE_ACKNOWLEDGEMENT = 0xF0, 0xF1

CLINICIAN, PATIENT = 1, 2
PAIRING, SESSION = 1, 2
# PW-SEC-15: deny by default; the types a role may send.
PERMITTED = {
    CLINICIAN: {INTERROGATION, PRESCRIPTION, BOLUS_SCHEDULE, REFILL, DUMP_REQUEST, PATIENT_BOLUS,
                ENROLLMENT, REVOCATION, SESSION_CLOSE},
    PATIENT: {INTERROGATION, PATIENT_BOLUS, SESSION_CLOSE},
}
SECURE_TYPES = PERMITTED[CLINICIAN]
WITH_COMMAND_ID = {PRESCRIPTION, BOLUS_SCHEDULE, REFILL, PATIENT_BOLUS, ENROLLMENT, REVOCATION}  # PW-SEC-13

# Log records (security.md 11)
DEVICE_PAIRED, DEVICE_UNPAIRED, SESSION_STARTED, SESSION_ENDED, SECURITY_REJECTION = 0x30, 0x31, 0x32, 0x33, 0x34
CLOSED, REPLACED, IDLE, REVOKED, EXHAUSTED = 1, 2, 3, 4, 5
NO_SLOT = 0xFF

IDLE_SECONDS = 600            # PW-SEC-19, PW-SEC-21 step 1
MAX_FRAME_COUNTER = 0xFFFFFF  # PW-SEC-12
PROLOGUE_PREFIX = b"PumpWire-v1"
SYNC = b"\xa5\xc3"
FRAGMENT, AUTHENTICATED = 0x01, 0x02


def u16(v):
    return v.to_bytes(2, "little")


def u32(v):
    return v.to_bytes(4, "little")


def get16(b, i):
    return int.from_bytes(b[i:i + 2], "little")


def get32(b, i):
    return int.from_bytes(b[i:i + 4], "little")


def crc16(data):
    """CRC-16/IBM-3740 (pumpwire-v1.md section 3): binascii's CRC-CCITT with init 0xffff."""
    return binascii.crc_hqx(bytes(data), 0xFFFF)


def crc32(data):
    return zlib.crc32(bytes(data)) & 0xFFFFFFFF


def public_key(private):
    return X25519PrivateKey.from_private_bytes(bytes(private)).public_key().public_bytes_raw()


def dh_is_zero(private, public):
    """PW-SEC-4: True when X25519(private, public) is all zero (cryptography refuses that result)."""
    try:
        shared = X25519PrivateKey.from_private_bytes(bytes(private)).exchange(
            X25519PublicKey.from_public_bytes(bytes(public)))
    except ValueError:
        return True
    return shared == bytes(32)


def build_frame(message_type, flags, sequence, payload, block=b""):
    body = SYNC + bytes([1, message_type, flags]) + u16(sequence) + u16(len(payload)) + payload + block
    return body + u16(crc16(body))


def seal(key, epoch, counter, message_type, sequence, payload):
    """PW-SEC-9 for an unfragmented frame (a pump's answers are all short)."""
    freshness = (epoch << 24) | counter
    ad = SYNC + bytes([1, message_type, AUTHENTICATED]) + u16(sequence) + u16(len(payload))
    out = ChaCha20Poly1305(key).encrypt(bytes(4) + freshness.to_bytes(8, "little"), payload, ad)
    return build_frame(message_type, AUTHENTICATED, sequence, out[:-16], u32(freshness) + out[-16:])


def record(record_type, now, body):
    """A 20-byte log record (pumpwire-v1.md 13.4): type, reserved 0, time, the 12-byte body (unused
    bytes 0), CRC-16 of bytes 0 to 17."""
    assert len(body) <= 12
    data = bytes([record_type, 0]) + u32(now) + body.ljust(12, b"\0")
    return data + u16(crc16(data))


class Drop(Exception):
    """Drop with C (PW-SEC-21): no answer; `code` None for 4.2 steps 1 to 8, which log nothing."""

    def __init__(self, code=None):
        super().__init__(code)
        self.code = code


class Reject(Exception):
    """Reject with C at an offset (PW-SEC-21); `logged` the code to log when it is another
    (PW-SEC-7: HANDSHAKE_FAILED answered, the precise code logged)."""

    def __init__(self, code, offset=NO_OFFSET, logged=None):
        super().__init__(code)
        self.code, self.offset, self.logged = code, offset, logged if logged is not None else code


def check_frame(data):
    """pumpwire-v1.md 4.2 steps 1 to 8 on one frame; a failure is a Drop without a log (PW-ERR-2)."""
    data = bytes(data)
    if data[:2] != SYNC[:len(data[:2])] or len(data) < 9 or data[2] != 1 or data[4] & 0xFC:
        raise Drop()
    p = get16(data, 7)
    if p > 240:
        raise Drop()
    end = 9 + p + (20 if data[4] & AUTHENTICATED else 0)
    if len(data) != end + 2 or get16(data, end) != crc16(data[:end]):
        raise Drop()
    return data[3], data[4], get16(data, 5), data[9:9 + p], data[9 + p:end]


def fragment_header(payload):
    """pumpwire-v1.md 5.2 (frame offsets); raises Drop with the code (PW-SEC-10 step 2, PW-SEC-11)."""
    if len(payload) < 4:
        raise Drop(LENGTH_MISMATCH)
    index, count, total = payload[0], payload[1], get16(payload, 2)
    if not 2 <= count <= 5:
        raise Drop(FRAGMENT_COUNT_INVALID)
    if index >= count:
        raise Drop(FRAGMENT_INDEX_OUT_OF_RANGE)
    if total > 1024:
        raise Drop(PAYLOAD_TOO_LARGE)
    if total <= 240:
        raise Drop(NON_CANONICAL)
    if count != -(-total // 236):
        raise Drop(FRAGMENT_COUNT_INVALID)
    if len(payload) - 4 != (236 if index < count - 1 else total - 236 * (count - 1)):
        raise Drop(FRAGMENT_SIZE_INVALID)
    return index, count, total, payload[4:]


class _Fragment:
    """What the v1 reassembler reads of a fragment frame."""

    def __init__(self, type_code, sequence, fragment):
        self.type_code, self.sequence, self.fragment = type_code, sequence, fragment


class Slot:
    def __init__(self, role, key):
        self.role, self.key = role, bytes(key)


class Session:
    def __init__(self, slot, epoch, pattern, k1, k2, hh, now):
        self.slot, self.epoch, self.pattern, self.k1, self.k2, self.hh = slot, epoch, pattern, k1, k2, hh
        self.highest = None        # highest frame counter accepted from the device (PW-SEC-10 step 4)
        self.counter = 0           # the pump's next frame counter (PW-SEC-12)
        self.last = now            # the later of the start and the last sealed frame accepted
        self.accepted = 0          # framesAccepted


def _responder(pattern, prologue, static, ephemeral, remote=None, psk=None):
    name = b"Noise_XXpsk3_25519_ChaChaPoly_SHA256" if pattern == PAIRING else b"Noise_KK_25519_ChaChaPoly_SHA256"
    party = NoiseConnection.from_name(name)
    party.set_as_responder()
    party.set_prologue(prologue)
    if psk is not None:
        party.set_psks(psk=psk)
    party.set_keypair_from_private_bytes(Keypair.STATIC, static)
    if remote is not None:
        party.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, remote)
    party.set_keypair_from_private_bytes(Keypair.EPHEMERAL, ephemeral)  # the test hook of PUMP_RECEIVE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        party.start_handshake()
    return party


def _noise(step):
    """Runs one Noise step; maps its failures to PW-SEC-7: HANDSHAKE_FAILED answered, the precise code
    logged (a tag that does not verify, or an all-zero DH result, which cryptography refuses)."""
    try:
        return bytes(step())
    except InvalidTag:
        raise Reject(HANDSHAKE_FAILED) from None
    except ValueError:
        raise Reject(HANDSHAKE_FAILED, logged=LOW_ORDER_KEY) from None


class SecurePump:
    """PW-SEC-21. `slots`: four entries, None or (role, static public key); `last_command_ids`: four
    u32 (kept for empty slots too, PW-SEC-18); `patient_bolus`: None or (doseNanograms,
    lockoutMinutes, maxPerDay) of the stored bolus schedule."""

    def __init__(self, v1, static_private, pairing_secret, window_open, session_count, patient_bolus,
                 slots, last_command_ids):
        self.v1 = v1
        self.static, self.psk = bytes(static_private), bytes(pairing_secret)
        self.window_open, self.session_count = bool(window_open), session_count
        self.patient_bolus = patient_bolus
        self.slots = [Slot(*s) if s is not None else None for s in slots]
        self.last_command_id = list(last_command_ids)
        self.session = None
        self.pairing = None                # (noise party, handshake state, slot, epoch, session info)
        self.bolus_last_start = None       # PW-SEC-16: the last patient bolus started
        self.bolus_day, self.bolus_count = None, 0
        self.reassembler = v1.Reassembler()

    # --- helpers ---------------------------------------------------------------------------------

    def _end_session(self, reason, now, logs):
        s = self.session
        logs.append(record(SESSION_ENDED, now, bytes([s.slot, s.epoch, reason]) + u32(s.accepted)))
        self.session = None
        self.reassembler.reset()

    def _start_session(self, slot, epoch, pattern, party, now, logs, paired=None):
        """PW-SEC-21 step 2, "A new session starts thus", with PW-SEC-6's devicePaired between the end of
        the previous session and sessionStarted (security.md 11)."""
        hh = bytes(party.get_handshake_hash())
        k1 = bytes(party.noise_protocol.cipher_state_decrypt.k)   # initiator to pump
        k2 = bytes(party.noise_protocol.cipher_state_encrypt.k)   # pump to initiator
        if self.session is not None:
            self._end_session(REPLACED, now, logs)
        if paired is not None:
            logs.append(paired)
        self.session_count += 1
        self.session = Session(slot, epoch, pattern, k1, k2, hh, now)
        self.reassembler.reset()
        logs.append(record(SESSION_STARTED, now, bytes([slot, epoch, pattern]) + hh[:4]))

    def _next_epoch(self):
        return (self.session_count + 1) & 0xFF

    def _rejection(self, now, slot, message_type, code):
        epoch = self.session.epoch if self.session is not None else 0
        return record(SECURITY_REJECTION, now, bytes([slot, message_type]) + u16(code) + u16(1) + bytes([epoch]))

    def _answer(self, message_type, sequence, payload, sealed, now, logs):
        """An answer; sealed in the session with k2 at the pump's next counter (PW-SEC-21)."""
        if not sealed:
            return build_frame(message_type, 0, sequence, payload)
        s = self.session
        if s.counter > MAX_FRAME_COUNTER:
            self._end_session(EXHAUSTED, now, logs)
            return None
        data = seal(s.k2, s.epoch, s.counter, message_type, sequence, payload)
        s.counter += 1
        return data

    # --- PW-SEC-21 ---------------------------------------------------------------------------------

    def receive(self, now, ephemeral, data):
        """One frame at the pump clock `now`. Returns (answer frame or None, therapy or None, log
        records): therapy is (messageType, commandId or 0, the message payload after the commandId)."""
        logs = []
        try:
            message_type, flags, sequence, payload, block = check_frame(data)
        except Drop:
            return None, None, logs                                   # PW-ERR-2: nothing logged
        s = self.session
        if s is not None and now >= s.last + IDLE_SECONDS:            # 1. idle
            self._end_session(IDLE, now, logs)
        state = {"sealed": False, "slot": NO_SLOT}
        therapy = None
        try:
            if message_type in (HANDSHAKE_REQUEST, HANDSHAKE_FINISH):  # 2. handshake
                answer = self._handshake(now, ephemeral, message_type, flags, sequence, payload, state, logs)
                return answer, None, logs
            if not flags & AUTHENTICATED:                               # 3. not sealed
                raise Reject(AUTHENTICATION_REQUIRED)
            message = self._open(now, message_type, flags, payload, block, data, state, logs)   # 4.
            if message is None:
                return None, None, logs                               # a fragment, more to come
            plaintext, base = message
            answer, therapy = self._request(now, message_type, sequence, plaintext, base, logs)  # 5. to 8.
            return answer, therapy, logs
        except Drop as drop:
            logs.append(self._rejection(now, state["slot"], message_type, drop.code))
            return None, None, logs
        except Reject as reject:
            logs.append(self._rejection(now, state["slot"], message_type, reject.logged))
            nak = bytes([message_type]) + u16(reject.code) + u16(reject.offset)
            return self._answer(NEGATIVE_ACKNOWLEDGEMENT, sequence, nak, state["sealed"], now, logs), None, logs

    def _handshake(self, now, ephemeral, message_type, flags, sequence, payload, state, logs):
        if flags & (AUTHENTICATED | FRAGMENT):
            if flags & AUTHENTICATED and self.session is not None:
                state["slot"] = self.session.slot   # security.md 11: arrived sealed while a session was open
            raise Reject(HANDSHAKE_FAILED)
        if message_type == HANDSHAKE_FINISH:
            if len(payload) != 64:                  # 10.0: 64 bytes; PW-ENC-2, PW-ENC-3 (frame offsets)
                raise Reject(LENGTH_MISMATCH, 9 if len(payload) < 64 else 73)
            return self._finish(now, sequence, payload, logs)
        # handshakeRequest, 10.0: pattern (at 0), slot (at 1), noiseMessage (48 bytes)
        if len(payload) < 1:
            raise Reject(LENGTH_MISMATCH, 9)
        pattern = payload[0]
        if pattern not in (PAIRING, SESSION):
            raise Reject(FIELD_OUT_OF_RANGE, 9)
        if len(payload) < 2:
            raise Reject(LENGTH_MISMATCH, 10)
        slot = payload[1]
        if slot > 3 or (pattern == PAIRING and slot != 0):
            raise Reject(FIELD_OUT_OF_RANGE, 10)
        if len(payload) != 50:
            raise Reject(LENGTH_MISMATCH, 11 if len(payload) < 50 else 59)
        if pattern == SESSION:
            state["slot"] = slot                    # security.md 11: the slot of a session handshakeRequest
        prologue = PROLOGUE_PREFIX + payload[:2]
        noise_message = payload[2:]
        if pattern == PAIRING:
            empty = [i for i in range(4) if self.slots[i] is None]
            if not self.window_open or not empty:
                raise Reject(NOT_PERMITTED)
            self.pairing = None
            target, epoch = empty[0], self._next_epoch()
            info = bytes([target, epoch]) + u32(self.last_command_id[target])
            party = _responder(PAIRING, prologue, self.static, ephemeral, psk=self.psk)
            _noise(lambda: party.read_message(noise_message))
            response = _noise(lambda: party.write_message(info))
            self.pairing = (party, party.noise_protocol.handshake_state, target, epoch)
            return build_frame(HANDSHAKE_RESPONSE, 0, sequence, response)
        if self.slots[slot] is None:
            raise Reject(HANDSHAKE_FAILED)
        self.pairing = None
        epoch = self._next_epoch()
        info = bytes([slot, epoch]) + u32(self.last_command_id[slot])
        party = _responder(SESSION, prologue, self.static, ephemeral, remote=self.slots[slot].key)
        _noise(lambda: party.read_message(noise_message))
        response = _noise(lambda: party.write_message(info))
        self._start_session(slot, epoch, SESSION, party, now, logs)
        return build_frame(HANDSHAKE_RESPONSE, 0, sequence, response)

    def _finish(self, now, sequence, payload, logs):
        if self.pairing is None:
            raise Reject(HANDSHAKE_FAILED, logged=HANDSHAKE_OUT_OF_ORDER)
        party, handshake_state, target, epoch = self.pairing
        self.pairing = None                          # the pairing in progress ends either way
        _noise(lambda: party.read_message(payload))
        if self.slots[target] is not None:           # the current session enrolled a device into it meanwhile
            raise Reject(HANDSHAKE_FAILED, logged=NOT_PERMITTED)
        key = bytes(handshake_state.rs.public_bytes)
        self.slots[target] = Slot(CLINICIAN, key)
        paired = record(DEVICE_PAIRED, now, bytes([target, CLINICIAN]) + u32(crc32(key)) + bytes([NO_SLOT]))
        self._start_session(target, epoch, PAIRING, party, now, logs, paired)
        ack = bytes([HANDSHAKE_FINISH]) + u32(crc32(payload))          # PW-SEC-6
        return self._answer(ACKNOWLEDGEMENT, sequence, ack, True, now, logs)

    def _open(self, now, message_type, flags, payload, block, data, state, logs):
        """PW-SEC-21 step 4 and PW-SEC-10 steps 2 to 5; returns (plaintext, base) of a whole message,
        or None while a fragmented one is incomplete."""
        s = self.session
        if s is None:
            raise Drop(STALE_SESSION)
        state["slot"] = s.slot
        fragment = None
        if flags & FRAGMENT:
            fragment = fragment_header(payload)                       # 2.
        counter, epoch, tag = get32(block, 0) & 0xFFFFFF, block[3], block[4:]
        if epoch != s.epoch:                                          # 3.
            raise Drop(STALE_SESSION)
        if s.highest is not None and counter <= s.highest:            # 4.
            raise Drop(REPLAYED if counter == s.highest else COUNTER_ROLLBACK)
        start = 4 if fragment else 0                                  # 5.
        nonce = bytes(4) + get32(block, 0).to_bytes(8, "little")
        try:
            plaintext = ChaCha20Poly1305(s.k1).decrypt(nonce, payload[start:] + tag, data[:9 + start])
        except InvalidTag:
            raise Drop(AUTHENTICATION_FAILED) from None
        s.highest, s.last = counter, now
        s.accepted += 1
        state["sealed"] = True
        if fragment is None:
            return plaintext, 9
        index, count, total, _ = fragment
        try:
            result = self.reassembler.add(_Fragment(message_type, get16(data, 5), (index, count, total, plaintext)))
        except self.v1.PumpWireError as error:                        # PW-ERR-2
            raise Reject(error.code, error.offset) from None
        if result[0] != 2:                                            # ACCEPTED or DUPLICATE
            return None
        return result[1], 0

    def _request(self, now, message_type, sequence, plaintext, base, logs):
        """PW-SEC-21 steps 5 to 8 for an opened message; returns (answer, therapy)."""
        s = self.session
        if message_type not in SECURE_TYPES:                          # 5. decode
            raise Reject(UNKNOWN_MESSAGE_TYPE, 3)
        command_id, body = 0, plaintext
        if message_type in WITH_COMMAND_ID:
            if len(plaintext) < 4:
                raise Reject(LENGTH_MISMATCH, base)
            command_id, body = get32(plaintext, 0), plaintext[4:]
            if command_id == 0:
                raise Reject(FIELD_OUT_OF_RANGE, base)
        fields = self._decode(message_type, body, base + (4 if message_type in WITH_COMMAND_ID else 0))
        role = self.slots[s.slot].role
        if message_type not in PERMITTED[role]:                       # 6. role
            raise Reject(ROLE_NOT_PERMITTED)
        if message_type in WITH_COMMAND_ID:                           # 7. command id
            if command_id <= self.last_command_id[s.slot]:
                raise Reject(DUPLICATE_COMMAND, 0)
            self.last_command_id[s.slot] = command_id
        digest = crc32(plaintext)                                     # 8. the request's own rules
        if message_type == PATIENT_BOLUS:
            self._patient_bolus(now, fields)
            return self._answer(ACKNOWLEDGEMENT, sequence, bytes([PATIENT_BOLUS]) + u32(digest), True, now, logs), None
        if message_type == ENROLLMENT:
            slot, role, key = fields
            if self.slots[slot] is not None:
                raise Reject(NOT_PERMITTED)
            if dh_is_zero(self.static, key):
                raise Reject(LOW_ORDER_KEY, 6)
            self.slots[slot] = Slot(role, key)
            logs.append(record(DEVICE_PAIRED, now, bytes([slot, role]) + u32(crc32(key)) + bytes([s.slot])))
            return self._answer(ACKNOWLEDGEMENT, sequence, bytes([ENROLLMENT]) + u32(digest), True, now, logs), None
        if message_type == REVOCATION:
            slot = fields
            if self.slots[slot] is None or slot == s.slot:
                raise Reject(NOT_PERMITTED)
            revoked = self.slots[slot]
            self.slots[slot] = None                                   # PW-SEC-18: the last command id stays
            logs.append(record(DEVICE_UNPAIRED, now, bytes([slot, revoked.role]) + u32(crc32(revoked.key))
                               + bytes([s.slot])))
            return self._answer(ACKNOWLEDGEMENT, sequence, bytes([REVOCATION]) + u32(digest), True, now, logs), None
        if message_type == SESSION_CLOSE:
            answer = self._answer(ACKNOWLEDGEMENT, sequence, bytes([SESSION_CLOSE]) + u32(digest), True, now, logs)
            if self.session is not None:
                self._end_session(CLOSED, now, logs)
            return answer, None
        return None, (message_type, command_id, body)                 # to therapy; therapy answers

    def _decode(self, message_type, body, base):
        """security.md 10.0 after the commandId, or pumpwire-v1.md section 9 (by the v1 module)."""
        def field(index, low, high):
            if len(body) <= index:
                raise Reject(LENGTH_MISMATCH, base + index)
            if not low <= body[index] <= high:
                raise Reject(FIELD_OUT_OF_RANGE, base + index)
            return body[index]

        def exact(size):
            if len(body) != size:
                raise Reject(LENGTH_MISMATCH, base + min(len(body), size))

        if message_type == PATIENT_BOLUS:
            for offset, low, high in ((0, 1, 100000000), (4, 0, 0xFFFFFFFE)):
                if len(body) < offset + 4:
                    raise Reject(LENGTH_MISMATCH, base + offset)
                if not low <= get32(body, offset) <= high:
                    raise Reject(FIELD_OUT_OF_RANGE, base + offset)
            exact(8)
            return get32(body, 0), get32(body, 4)
        if message_type == ENROLLMENT:
            slot, role = field(0, 0, 3), field(1, 1, 2)
            if len(body) < 34:
                raise Reject(LENGTH_MISMATCH, base + 2)
            exact(34)
            return slot, role, body[2:34]
        if message_type == REVOCATION:
            slot = field(0, 0, 3)
            exact(1)
            return slot
        if message_type == SESSION_CLOSE:
            exact(0)
            return None
        try:
            return self.v1.decode_payload(message_type, body, base)
        except self.v1.PumpWireError as error:
            raise Reject(error.code, error.offset) from None

    def _patient_bolus(self, now, fields):
        """PW-SEC-16, in its order."""
        dose, _request_time = fields
        if self.patient_bolus is None:
            raise Reject(NOT_PERMITTED)
        max_dose, lockout_minutes, max_per_day = self.patient_bolus
        if dose > max_dose:
            raise Reject(PATIENT_BOLUS_DOSE_EXCEEDED, 4)
        day = now // 86400
        started_today = self.bolus_count if self.bolus_day == day else 0
        if started_today >= max_per_day:
            raise Reject(PATIENT_BOLUS_COUNT_EXCEEDED)
        if self.bolus_last_start is not None and now < self.bolus_last_start + lockout_minutes * 60:
            raise Reject(PATIENT_BOLUS_LOCKOUT)
        self.bolus_last_start = now
        self.bolus_day, self.bolus_count = day, started_today + 1
