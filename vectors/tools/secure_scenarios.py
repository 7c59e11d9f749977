"""The `pumpScenarios` of vectors/crypto/sessions.json: a secure pump (secure_pump.py, PW-SEC-21) run
through scripted exchanges with devices whose frames are made here, from fixed keys.

Called by secure_golden.py, which passes itself as `golden` (its labelled keys, frame builder, its own
Noise `Handshake` and noiseprotocol parties). Each step states what the spec says must happen (the
answer, what goes to therapy, the log records), and the step is kept only if the pump does exactly
that: every sealed answer is opened by the device with its own keys (k2, the pump's counter, the
checks of PW-SEC-10) and every log record is read back field by field.
"""
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

import secure_pump as sp

T0 = 847591200                 # 2026-11-10 02:00:00 pump time (pumpwire-v1.md 13.4's example)
MIDNIGHT = (T0 // 86400 + 1) * 86400   # 2026-11-11 00:00:00
ZERO_KEY = bytes(32)

NAMES = {0x30: "devicePaired", 0x31: "deviceUnpaired", 0x32: "sessionStarted", 0x33: "sessionEnded",
         0x34: "securityRejection"}


class Mismatch(Exception):
    pass


def expect(what, got, want):
    if got != want:
        show = lambda v: v.hex() if isinstance(v, (bytes, bytearray)) else repr(v)
        raise Mismatch(f"{what}: got {show(got)}, expected {show(want)}")


class Device:
    """A programmer or patient device: the initiator of a handshake (noiseprotocol, checked against
    secure_golden's own Noise), then the sender of sealed frames under k1 and the receiver of the
    pump's under k2 (PW-SEC-9, PW-SEC-10)."""

    def __init__(self, golden, name, static):
        self.g, self.name, self.static = golden, name, static
        self.public = golden.public_key(static["value"])
        self.keys = None

    def _begin(self, pattern, slot, ephemeral, psk=None, remote=None):
        g = self.g
        prologue = g.PROLOGUE_PREFIX + bytes([1 if pattern == "XXpsk3" else 2, slot])
        self.np = g.noiseprotocol_party(pattern, True, prologue, self.static["value"], ephemeral["value"], remote, psk)
        self.own = g.Handshake(pattern, True, prologue, self.static["value"], ephemeral["value"], remote, psk)
        self.pattern = pattern

    def _write(self, payload=b""):
        message = bytes(self.np.write_message(payload))
        expect(f"{self.name}: noiseprotocol and secure_golden's Noise", self.own.write(payload), message)
        return message

    def _keys(self):
        k1 = bytes(self.np.noise_protocol.cipher_state_encrypt.k)
        k2 = bytes(self.np.noise_protocol.cipher_state_decrypt.k)
        expect(f"{self.name}: split keys", self.own.split(), [k1, k2])
        return k1, k2

    def kk_request(self, slot, ephemeral, sequence, pump_public):
        self._begin("KK", slot, ephemeral, remote=pump_public)
        self.slot = slot
        return self.g.frame(0x10, 0, sequence, bytes([2, slot]) + self._write())

    def pairing_request(self, ephemeral, sequence, psk):
        self._begin("XXpsk3", 0, ephemeral, psk=psk)
        return self.g.frame(0x10, 0, sequence, bytes([1, 0]) + self._write())

    def read_response(self, answer):
        """Reads a handshakeResponse; returns the session info (slot, epoch, lastCommandId)."""
        f = self.g.check_frame(answer)
        expect(f"{self.name}: answer type", (f["type"], f["flags"]), (0x90, 0))
        info = bytes(self.np.read_message(f["payload"]))
        expect(f"{self.name}: session info by secure_golden's Noise", self.own.read(f["payload"]), info)
        expect(f"{self.name}: session info length", len(info), 6)
        self.info = (info[0], info[1], int.from_bytes(info[2:6], "little"))
        if self.pattern == "KK":
            self._session()
        return self.info

    def pairing_finish(self, sequence):
        data = self.g.frame(0x11, 0, sequence, self._write())
        self._session()
        return data

    def _session(self):
        self.k1, self.k2 = self._keys()
        self.slot, self.epoch = self.info[0], self.info[1]
        self.counter, self.pump_counter = 0, 0
        self.hh = bytes(self.np.get_handshake_hash())

    def seal(self, message_type, sequence, payload, counter=None):
        """A sealed frame at the device's next counter (or at `counter`, which then is not counted)."""
        if counter is None:
            counter, self.counter = self.counter, self.counter + 1
        return sp.seal(self.k1, self.epoch, counter, message_type, sequence, payload)

    def seal_fragment(self, message_type, sequence, frame_payload, counter=None):
        """A sealed fragment frame (PW-SEC-9): frame_payload is the fragment header and the fragment's data;
        the associated data is the 9-byte header and the fragment header, the data is encrypted. At the
        device's next counter (or at `counter`, which then is not counted). Opened again by secure_golden's
        Receiver (PW-SEC-10) as a witness."""
        if counter is None:
            counter, self.counter = self.counter, self.counter + 1
        flags = sp.FRAGMENT | sp.AUTHENTICATED
        freshness = (self.epoch << 24) | counter
        ad = self.g.header(message_type, flags, sequence, len(frame_payload)) + frame_payload[:4]
        out = ChaCha20Poly1305(self.k1).encrypt(bytes(4) + freshness.to_bytes(8, "little"), frame_payload[4:], ad)
        data = self.g.frame(message_type, flags, sequence, frame_payload[:4] + out[:-16], u32(freshness) + out[-16:])
        expect(f"{self.name}: a sealed fragment opens", self.g.Receiver(self.k1, self.epoch).open(data), frame_payload)
        return data

    def seal_fragments(self, message_type, sequence, payload):
        """A message over 240 bytes fragmented first (pumpwire-v1.md 5.1), then each fragment frame sealed on
        its own at the device's next counter (PW-SEC-9); the frames in index order."""
        return [self.seal_fragment(message_type, sequence, header + data)
                for header, data in self.g.fragments_of(payload)]

    def open(self, answer):
        """Opens a pump frame with PW-SEC-10 (secure_golden's Receiver) at the pump's next counter."""
        receiver = self.g.Receiver(self.k2, self.epoch, self.pump_counter - 1 if self.pump_counter else None)
        plaintext = receiver.open(answer)
        f = self.g.check_frame(answer)
        expect(f"{self.name}: the pump's frame counter", int.from_bytes(f["block"][0:3], "little"), self.pump_counter)
        self.pump_counter += 1
        return f["type"], f["sequence"], plaintext


def u32(v):
    return v.to_bytes(4, "little")


def parse_record(data):
    """A security log record (security.md 11) read back field by field, with its CRC and its zeros."""
    expect("record length", len(data), 20)
    expect("record CRC", int.from_bytes(data[18:20], "little"), sp.crc16(data[:18]))
    expect("record reserved byte", data[1], 0)
    t = data[0]
    if t in (0x30, 0x31):
        fields, used = (t, data[6], data[7], int.from_bytes(data[8:12], "little"), data[12]), 13
    elif t == 0x32:
        fields, used = (t, data[6], data[7], data[8], data[9:13].hex()), 13
    elif t == 0x33:
        fields, used = (t, data[6], data[7], data[8], int.from_bytes(data[9:13], "little")), 13
    elif t == 0x34:
        fields, used = (t, data[6], data[7], int.from_bytes(data[8:10], "little"),
                        int.from_bytes(data[10:12], "little"), data[12]), 13
    else:
        raise Mismatch(f"record type {t:#x}")
    expect("record unused bytes", data[used:18], bytes(18 - used))
    return int.from_bytes(data[2:6], "little"), fields


class Scenario:
    def __init__(self, golden, ident, description, window=True, session_count=0, patient_bolus=None, slots=()):
        self.g, self.ident, self.description = golden, ident, description
        slot_list = list(slots) + [None] * (4 - len(slots))
        self.pump = sp.SecurePump(golden.V1, golden.PUMP_STATIC["value"], golden.PAIRING_SECRET["value"], window,
                                  session_count, patient_bolus,
                                  [None if s is None else (s[0], s[1].public) for s in slot_list],
                                  [0 if s is None else s[2] for s in slot_list])
        self.config = {
            "staticPrivateLabel": golden.PUMP_STATIC["label"], "staticPrivate": golden.PUMP_STATIC["value"].hex(),
            "pairingSecretLabel": golden.PAIRING_SECRET["label"],
            "pairingSecret": golden.PAIRING_SECRET["value"].hex(),
            "pairingWindowOpen": bool(window), "sessionCount": session_count,
            "patientBolus": None if patient_bolus is None else dict(zip(
                ("doseNanograms", "lockoutMinutes", "maxPerDay"), patient_bolus)),
            "slots": [None if s is None else {"role": s[0], "device": s[1].static["label"],
                                              "staticPublic": s[1].public.hex(), "lastCommandId": s[2]}
                      for s in slot_list]}
        self.steps = []
        self.now = T0

    def step(self, description, frame, now=None, ephemeral=None, device=None, answer=None, therapy=None, log=()):
        """Gives `frame` to the pump and checks the outcome the spec names:
        answer None (nothing sent), "response" (a handshakeResponse), ("ack", type, digest) or ("nak",
        type, code, offset), sealed when `device` holds the session (it opens it), plain otherwise;
        therapy None or (messageType, commandId, payload); log a list of expected records as tuples
        (type, fields...), `time` being now. Returns the answer bytes."""
        if now is not None:
            self.now = now
        label = ephemeral["label"] if ephemeral else None
        got, got_therapy, got_log = self.pump.receive(self.now, ephemeral["value"] if ephemeral else ZERO_KEY, frame)
        where = f"pump scenario {self.ident}, step {len(self.steps) + 1} ({description})"
        if answer is None:
            expect(f"{where}: no answer", got, None)
        elif answer == "response":
            expect(f"{where}: a handshakeResponse", got is not None and got[3] == 0x90, True)
            if device is not None:
                device.read_response(got)
        else:
            if got is None:
                raise Mismatch(f"{where}: no answer, expected {answer}")
            if device is not None:
                message_type, sequence, payload = device.open(got)
            else:
                f = self.g.check_frame(got)
                expect(f"{where}: unsealed answer", f["flags"], 0)
                message_type, sequence, payload = f["type"], f["sequence"], f["payload"]
            expect(f"{where}: answer's sequence", sequence, int.from_bytes(frame[5:7], "little"))
            if answer[0] == "ack":
                expect(f"{where}: acknowledgement", (message_type, payload), (0xF0, bytes([answer[1]]) + u32(answer[2])))
            else:
                want = bytes([answer[1]]) + answer[2].to_bytes(2, "little") + answer[3].to_bytes(2, "little")
                expect(f"{where}: negativeAcknowledgement", (message_type, payload.hex()), (0xF1, want.hex()))
        expect(f"{where}: therapy", got_therapy, therapy)
        records = [parse_record(r) for r in got_log]
        # an expected record may be a function: sessionStarted needs the hash the device reads
        expect(f"{where}: log", records, [(self.now, tuple(e() if callable(e) else e)) for e in log])
        for r in got_log:   # the Python testee's log reader (PW-LOG-1) must read each record
            self.g.V1.decode_log_record(r, 0, "eventLog")
        entry = {"description": description, "now": self.now}
        if ephemeral is not None:
            entry["ephemeralPrivateLabel"] = label
            entry["ephemeralPrivate"] = ephemeral["value"].hex()
        entry.update({"frame": bytes(frame).hex(), "answer": got.hex() if got is not None else None,
                      "therapy": None if got_therapy is None else {
                          "messageType": got_therapy[0], "commandId": got_therapy[1],
                          "payload": bytes(got_therapy[2]).hex()},
                      "log": [r.hex() for r in got_log]})
        self.steps.append(entry)
        return got

    def vector(self):
        return {"id": self.ident, "description": self.description, "pump": self.config, "steps": self.steps}


# Log record tuples, as parse_record gives them
def paired(slot, role, device, by=0xFF):
    return (0x30, slot, role, sp.crc32(device.public), by)


def unpaired(slot, role, device, by):
    return (0x31, slot, role, sp.crc32(device.public), by)


def started(device, pattern):
    return (0x32, device.slot, device.epoch, pattern, device.hh[:4].hex())


def ended(slot, epoch, reason, frames):
    return (0x33, slot, epoch, reason, frames)


def rejection(slot, message_type, code, epoch=0):
    return (0x34, slot, message_type, code, 1, epoch)


def build(golden, materials, document):
    g = golden
    lab = g.labelled
    pump_public = g.public_key(g.PUMP_STATIC["value"])
    programmer = lambda: Device(g, "programmer", g.PROGRAMMER_STATIC)
    slot1 = lambda: Device(g, "slot 1 programmer", g.SLOT1_STATIC)
    patient = lambda: Device(g, "patient device", lab("PumpWire golden patient static"))
    second_patient = lambda: Device(g, "second patient device", lab("PumpWire golden second patient static"))
    eph = lambda scenario, n: lab(f"PumpWire golden pump scenario {scenario} ephemeral {n}")
    psk = g.PAIRING_SECRET["value"]
    rx = g.PRESCRIPTION_93
    scenarios = []
    hs = {h["id"]: h for h in document["handshakes"]}
    sealed = {s["id"]: s for s in document["sealedFrames"]}

    # 1. Pairing in the window ------------------------------------------------------------------------
    s = Scenario(g, "pairing", "Pairing in the pairing window (PW-SEC-6, PW-SEC-21 step 2): the programmer's "
                 "handshakeRequest (XXpsk3, slot 0) is answered with a handshakeResponse whose session info is "
                 "slot 0 (the lowest empty), epoch 1 (session count 0 plus 1), lastCommandId 0; its "
                 "handshakeFinish fills slot 0 with role clinician, logs devicePaired (bySlot 0xff) and "
                 "sessionStarted, and is answered with the sealed acknowledgement of type 0x11 (digest: CRC-32 "
                 "of the handshakeFinish payload) at the pump's counter 0. A sealed interrogationRequest of the "
                 "new session then goes to therapy (no commandId, empty payload), unanswered by the security "
                 "layer. The frames are those of handshakes `pairing` and sealedFrames `pairing.*`.")
    d = programmer()
    request = d.pairing_request(lab("PumpWire golden pairing programmer ephemeral"), 1, psk)
    expect("pairing request as in handshakes", request.hex(), hs["pairing"]["messages"][0]["frame"])
    response = s.step("handshakeRequest, pattern 1 (pairing), slot 0: the window is open and slot 0 empty",
                      request, ephemeral=lab("PumpWire golden pairing pump ephemeral"), answer="response")
    expect("pairing response as in handshakes", response.hex(), hs["pairing"]["messages"][1]["frame"])
    expect("pairing session info", d.read_response(response), (0, 1, 0))
    finish = d.pairing_finish(2)
    ack = s.step("handshakeFinish: message 3 verifies; slot 0 becomes the programmer's (clinician), the session "
                 "of epoch 1 starts, and the acknowledgement 0x11 is its first pump frame",
                 finish, now=T0 + 2, device=d, answer=("ack", 0x11, sp.crc32(finish[9:-2])),
                 log=[paired(0, 1, d), started(d, 1)])
    expect("pairing acknowledgement as in sealedFrames", ack.hex(),
           sealed["pairing.acknowledgement-handshakeFinish"]["frames"][0]["sealedFrame"])
    frame = d.seal(0x01, 3, b"")
    expect("interrogationRequest as in sealedFrames", frame.hex(),
           sealed["pairing.interrogationRequest"]["frames"][0]["sealedFrame"])
    s.step("a sealed interrogationRequest (counter 0) goes to therapy", frame, now=T0 + 5,
           therapy=(0x01, 0, b""))
    scenarios.append(s)

    # 2. Window closed ---------------------------------------------------------------------------------
    s = Scenario(g, "pairing-window-closed", "Pairing while the pairing window is closed (PW-SEC-6, PW-SEC-21 "
                 "step 2): the handshakeRequest is rejected with an unsealed negativeAcknowledgement NOT_PERMITTED "
                 "(128), offset 0xffff, and a securityRejection (slot 0xff, no session: epoch 0). No slot "
                 "changes: a handshakeFinish that follows finds no pairing in progress.", window=False)
    d = programmer()
    s.step("handshakeRequest, pattern 1, with the window closed",
           d.pairing_request(lab("PumpWire golden pairing programmer ephemeral"), 1, psk),
           ephemeral=eph("pairing-window-closed", 1), answer=("nak", 0x10, 128, 0xFFFF),
           log=[rejection(0xFF, 0x10, 128)])
    s.step("the handshakeFinish of handshakes `pairing`: no pairing is in progress",
           bytes.fromhex(hs["pairing"]["messages"][2]["frame"]), now=T0 + 2, answer=("nak", 0x11, 102, 0xFFFF),
           log=[rejection(0xFF, 0x11, 104)])
    scenarios.append(s)

    # 3. Wrong pairing secret --------------------------------------------------------------------------
    s = Scenario(g, "pairing-wrong-secret", "Pairing by a programmer that holds a wrong pairing secret: "
                 "messages 1 and 2 do not use the psk, so the pump answers the handshakeRequest; message 3 "
                 "(psk3) does not verify, so the handshakeFinish is rejected with HANDSHAKE_FAILED (102), "
                 "offset 0xffff, unsealed, and logged HANDSHAKE_FAILED (PW-SEC-7). The pairing in progress "
                 "ends either way: slot 0 stays empty (a KK handshakeRequest for slot 0 is HANDSHAKE_FAILED) "
                 "and a second handshakeFinish is out of order (logged HANDSHAKE_OUT_OF_ORDER).")
    d = programmer()
    response = s.step("handshakeRequest, pattern 1 (the pump cannot tell the psk yet)",
                      d.pairing_request(lab("PumpWire golden pairing programmer ephemeral"), 1,
                                        lab("PumpWire golden wrong pairing secret")["value"]),
                      ephemeral=lab("PumpWire golden pairing pump ephemeral"), answer="response")
    d.read_response(response)
    finish = d.pairing_finish(2)
    s.step("handshakeFinish made with the wrong psk: its payload tag fails", finish, now=T0 + 2,
           answer=("nak", 0x11, 102, 0xFFFF), log=[rejection(0xFF, 0x11, 102)])
    s.step("the same handshakeFinish again: no pairing is in progress any more", finish, now=T0 + 3,
           answer=("nak", 0x11, 102, 0xFFFF), log=[rejection(0xFF, 0x11, 104)])
    s.step("a KK handshakeRequest for slot 0: the slot is still empty",
           programmer().kk_request(0, eph("pairing-wrong-secret", 2), 3, pump_public), now=T0 + 4,
           ephemeral=eph("pairing-wrong-secret", 3), answer=("nak", 0x10, 102, 0xFFFF),
           log=[rejection(0, 0x10, 102)])
    scenarios.append(s)

    # 4. handshakeFinish without a pairing -----------------------------------------------------------------
    s = Scenario(g, "finish-out-of-order", "A handshakeFinish with no pairing in progress (PW-SEC-21 step 2): "
                 "rejected with HANDSHAKE_FAILED (102), offset 0xffff, unsealed; the securityRejection carries "
                 "the precise code HANDSHAKE_OUT_OF_ORDER (104).")
    s.step("handshakeFinish (the one of handshakes `pairing`) to a pump with no pairing in progress",
           bytes.fromhex(hs["pairing"]["messages"][2]["frame"]), answer=("nak", 0x11, 102, 0xFFFF),
           log=[rejection(0xFF, 0x11, 104)])
    scenarios.append(s)

    # 5. A clinician's session ------------------------------------------------------------------------------
    s = Scenario(g, "clinician-session", "A KK session of the clinician of slot 1 (lastCommandId 7; session "
                 "count 1, so epoch 2: the frames of handshakes `session`), through the checks of PW-SEC-21: "
                 "a sealed prescriptionBlock with commandId 8 goes to therapy without its commandId; its "
                 "retransmission (commandId 8, the next counter) is DUPLICATE_COMMAND at payload offset 0; a "
                 "frame given again is dropped (REPLAYED), an older one too (COUNTER_ROLLBACK), and one with a "
                 "changed tag (AUTHENTICATION_FAILED); an unsealed interrogationRequest is answered unsealed "
                 "with AUTHENTICATION_REQUIRED; a sealed frame of the unregistered type 0x07 is "
                 "UNKNOWN_MESSAGE_TYPE at 3; commandId 0 is FIELD_OUT_OF_RANGE at frame offset 9 (a decoder's "
                 "error in a single frame: a frame offset, security.md 10.0); sessionClose is acknowledged "
                 "(type 0x14, digest 0) and the session ends (closed, 5 frames accepted); a sealed frame "
                 "after it is dropped with STALE_SESSION. Every rejection is logged.",
                 session_count=1, slots=[(1, programmer(), 0), (1, slot1(), 7)])
    d = slot1()
    request = d.kk_request(1, lab("PumpWire golden session slot 1 ephemeral"), 1, pump_public)
    expect("KK request as in handshakes", request.hex(), hs["session"]["messages"][0]["frame"])
    response = s.step("handshakeRequest, pattern 2 (KK), slot 1", request,
                      ephemeral=lab("PumpWire golden session pump ephemeral"), answer="response",
                      log=[(0x32, 1, 2, 2, bytes.fromhex(hs["session"]["handshakeHash"])[:4].hex())])
    expect("KK response as in handshakes", response.hex(), hs["session"]["messages"][1]["frame"])
    expect("session info", d.read_response(response), (1, 2, 7))
    first = d.seal(0x02, 2, u32(8) + rx)
    expect("prescription as in sealedFrames", first.hex(), sealed["session.prescription"]["frames"][0]["sealedFrame"])
    s.step("sealed prescriptionBlock, commandId 8 (counter 0): to therapy, without the commandId", first,
           now=T0 + 10, therapy=(0x02, 8, rx))
    again = d.seal(0x02, 2, u32(8) + rx)
    s.step("the same command again, a new frame (counter 1): already executed", again, now=T0 + 20, device=d,
           answer=("nak", 0x02, 135, 0), log=[rejection(1, 0x02, 135, 2)])
    s.step("the counter 1 frame given again", again, now=T0 + 21, log=[rejection(1, 0x02, 97, 2)])
    s.step("the counter 0 frame given again (below the highest accepted)", first, now=T0 + 22,
           log=[rejection(1, 0x02, 98, 2)])
    tampered = bytearray(d.seal(0x01, 3, b"", counter=2))
    tampered[-3] ^= 0x01
    tampered = g.with_crc(bytes(tampered[:-2]))
    s.step("a sealed interrogationRequest (counter 2) whose tag has one bit changed (CRC recomputed)", tampered,
           now=T0 + 23, log=[rejection(1, 0x01, 96, 2)])
    s.step("an unsealed interrogationRequest inside the session", g.frame(0x01, 0, 4, b""), now=T0 + 24,
           answer=("nak", 0x01, 133, 0xFFFF), log=[rejection(0xFF, 0x01, 133, 2)])
    s.step("a sealed frame of the unregistered type 0x07 (counter 2)", d.seal(0x07, 5, b"\x01\x02"), now=T0 + 25,
           device=d, answer=("nak", 0x07, 4, 3), log=[rejection(1, 0x07, 4, 2)])
    s.step("a sealed prescriptionBlock with commandId 0 (counter 3)", d.seal(0x02, 6, u32(0) + rx), now=T0 + 26,
           device=d, answer=("nak", 0x02, 10, 9), log=[rejection(1, 0x02, 10, 2)])
    s.step("sessionClose (counter 4): acknowledged, then the session ends", d.seal(0x14, 7, b""), now=T0 + 27,
           device=d, answer=("ack", 0x14, 0), log=[ended(1, 2, 1, 5)])
    s.step("a sealed interrogationRequest (counter 5) after the close: no session", d.seal(0x01, 8, b""),
           now=T0 + 28, log=[rejection(0xFF, 0x01, 99)])
    scenarios.append(s)

    # 6. KK for an empty slot, and a low-order ephemeral ----------------------------------------------------
    s = Scenario(g, "session-refused", "Session handshakes the pump refuses (PW-SEC-7, PW-SEC-21 step 2), "
                 "each answered with an unsealed HANDSHAKE_FAILED (102), offset 0xffff: a KK handshakeRequest "
                 "for the empty slot 2 (logged HANDSHAKE_FAILED with slot 2), and the KK handshakeRequest of "
                 "lowOrderKeys `session-request-" + document["lowOrderKeys"][0]["id"].split("session-request-")[1]
                 + "` (slot 1, a low-order ephemeral key: es is all zero; logged LOW_ORDER_KEY). Neither "
                 "starts a session: a sealed frame after them is STALE_SESSION.",
                 session_count=1, slots=[(1, programmer(), 0), (1, slot1(), 7)])
    s.step("KK handshakeRequest for slot 2, which is empty",
           patient().kk_request(2, eph("session-refused", 1), 1, pump_public), ephemeral=eph("session-refused", 2),
           answer=("nak", 0x10, 102, 0xFFFF), log=[rejection(2, 0x10, 102)])
    s.step("KK handshakeRequest for slot 1 with a low-order ephemeral key",
           bytes.fromhex(document["lowOrderKeys"][0]["frame"]), now=T0 + 1, ephemeral=eph("session-refused", 3),
           answer=("nak", 0x10, 102, 0xFFFF), log=[rejection(1, 0x10, 103)])
    d = slot1()
    d.kk_request(1, lab("PumpWire golden session slot 1 ephemeral"), 1, pump_public)
    d.read_response(bytes.fromhex(hs["session"]["messages"][1]["frame"]))
    s.step("the sealed prescriptionBlock of sealedFrames `session` (no session is open)", d.seal(0x02, 2, u32(8) + rx),
           now=T0 + 2, log=[rejection(0xFF, 0x02, 99)])
    scenarios.append(s)

    # 7. The patient's slot ------------------------------------------------------------------------------------
    bolus = (25000, 60, 2)
    s = Scenario(g, "patient", "A patient device (slot 2, role patient) with a patient bolus of 25000 ng, lockout "
                 "60 minutes, at most 2 a day (PW-SEC-15, PW-SEC-16): a prescriptionBlock and a deviceEnrollment "
                 "are ROLE_NOT_PERMITTED (134, offset 0xffff; the role is checked before the command id, so "
                 "commandId 1 stays unused); an interrogationRequest goes to therapy; a patient bolus within the "
                 "dose is acknowledged (type 0x06, digest the CRC-32 of the plaintext payload with its "
                 "commandId) and does not go to therapy; another at once is PATIENT_BOLUS_LOCKOUT (138); after "
                 "the lockout one is granted (the second of the day); a dose above 25000 is "
                 "PATIENT_BOLUS_DOSE_EXCEEDED (136) at payload offset 4; a third of the day, the lockout passed, "
                 "is PATIENT_BOLUS_COUNT_EXCEEDED (137); after the pump-clock midnight one is granted again. "
                 "The device starts a new KK session after each gap of 10 minutes or more: the step logs "
                 "sessionEnded (idle) of the previous session before sessionStarted.",
                 session_count=4, patient_bolus=bolus,
                 slots=[(1, programmer(), 12), None, (2, patient(), 0)])
    d = patient()

    def session(scenario, device, slot, index, now, before=()):
        return scenario.step(f"KK handshakeRequest of the {device.name}, slot {slot}",
                             device.kk_request(slot, eph(scenario.ident, 2 * index), 1, pump_public), now=now,
                             ephemeral=eph(scenario.ident, 2 * index + 1), device=device, answer="response",
                             log=list(before) + [lambda: started(device, 2)])

    def bolus(command_id, dose, request_time):
        return u32(command_id) + u32(dose) + u32(request_time)

    session(s, d, 2, 1, T0)
    expect("patient session info", d.info, (2, 5, 0))
    s.step("sealed prescriptionBlock, commandId 1", d.seal(0x02, 2, u32(1) + rx), now=T0 + 10, device=d,
           answer=("nak", 0x02, 134, 0xFFFF), log=[rejection(2, 0x02, 134, 5)])
    enroll = u32(1) + bytes([3, 2]) + second_patient().public
    s.step("sealed deviceEnrollment, commandId 1 (slot 3, role patient)", d.seal(0x12, 3, enroll), now=T0 + 20,
           device=d, answer=("nak", 0x12, 134, 0xFFFF), log=[rejection(2, 0x12, 134, 5)])
    s.step("sealed interrogationRequest: permitted to a patient, to therapy", d.seal(0x01, 4, b""), now=T0 + 30,
           therapy=(0x01, 0, b""))
    request = bolus(1, 25000, T0 + 35)
    s.step("patientBolusRequest, commandId 1, 25000 ng: granted (the first of the day)", d.seal(0x06, 5, request),
           now=T0 + 40, device=d, answer=("ack", 0x06, sp.crc32(request)))
    s.step("patientBolusRequest, commandId 2, 60 s later: within the 60-minute lockout",
           d.seal(0x06, 6, bolus(2, 25000, T0 + 95)), now=T0 + 100, device=d, answer=("nak", 0x06, 138, 0xFFFF),
           log=[rejection(2, 0x06, 138, 5)])
    session(s, d, 2, 2, T0 + 3640, before=[ended(2, 5, 3, 5)])
    request = bolus(3, 20000, T0 + 3645)
    s.step("patientBolusRequest, commandId 3, 20000 ng, 3610 s after the first: granted (the second of the day)",
           d.seal(0x06, 2, request), now=T0 + 3650, device=d, answer=("ack", 0x06, sp.crc32(request)))
    s.step("patientBolusRequest, commandId 4, 25001 ng: above the dose", d.seal(0x06, 3, bolus(4, 25001, T0 + 3655)),
           now=T0 + 3660, device=d, answer=("nak", 0x06, 136, 4), log=[rejection(2, 0x06, 136, 6)])
    session(s, d, 2, 3, T0 + 7300, before=[ended(2, 6, 3, 2)])
    s.step("patientBolusRequest, commandId 5, the lockout passed: 2 started today already",
           d.seal(0x06, 2, bolus(5, 25000, T0 + 7305)), now=T0 + 7310, device=d, answer=("nak", 0x06, 137, 0xFFFF),
           log=[rejection(2, 0x06, 137, 7)])
    session(s, d, 2, 4, MIDNIGHT + 60, before=[ended(2, 7, 3, 1)])
    request = bolus(6, 25000, MIDNIGHT + 65)
    s.step("patientBolusRequest, commandId 6, after the pump-clock midnight: granted (the first of the new day)",
           d.seal(0x06, 2, request), now=MIDNIGHT + 70, device=d, answer=("ack", 0x06, sp.crc32(request)))
    scenarios.append(s)

    # 8. No patient bolus in the schedule -----------------------------------------------------------------------
    s = Scenario(g, "patient-bolus-none", "A patientBolusRequest when the stored bolus schedule has no patient "
                 "bolus: NOT_PERMITTED (128, offset 0xffff, PW-SEC-16 step 1). Its command id is used all the "
                 "same (PW-SEC-14): the same request again is DUPLICATE_COMMAND at 0.",
                 session_count=4, slots=[(1, programmer(), 12), None, (2, patient(), 0)])
    d = patient()
    session(s, d, 2, 1, T0)
    s.step("patientBolusRequest, commandId 1", d.seal(0x06, 2, bolus(1, 1000, T0 + 5)), now=T0 + 10, device=d,
           answer=("nak", 0x06, 128, 0xFFFF), log=[rejection(2, 0x06, 128, 5)])
    s.step("the same request again (commandId 1, the next counter)", d.seal(0x06, 2, bolus(1, 1000, T0 + 5)),
           now=T0 + 20, device=d, answer=("nak", 0x06, 135, 0), log=[rejection(2, 0x06, 135, 5)])
    scenarios.append(s)

    # 9. Enrollment -------------------------------------------------------------------------------------------
    low = document["lowOrderKeys"][1]
    s = Scenario(g, "enrollment", "The clinician of slot 0 (lastCommandId 3) enrolls a patient device (PW-SEC-17): "
                 "into the empty slot 2 with role patient, acknowledged (type 0x12, digest the CRC-32 of the "
                 "payload with its commandId) and logged devicePaired (bySlot 0); into slot 0, which is filled, "
                 "NOT_PERMITTED; a low-order key (the point of lowOrderKeys `" + low["id"] + "`) into slot 3, "
                 "LOW_ORDER_KEY (103) at payload offset 6. The patient device then starts a KK session for slot "
                 "2 (session info lastCommandId 0), which replaces the clinician's, and its interrogationRequest "
                 "goes to therapy.", session_count=7, slots=[(1, programmer(), 3)])
    c, p = programmer(), patient()
    session(s, c, 0, 1, T0)
    payload = u32(4) + bytes([2, 2]) + p.public
    s.step("deviceEnrollment, commandId 4: slot 2, role patient", c.seal(0x12, 2, payload), now=T0 + 10, device=c,
           answer=("ack", 0x12, sp.crc32(payload)), log=[paired(2, 2, p, 0)])
    s.step("deviceEnrollment, commandId 5: slot 0, which holds the clinician",
           c.seal(0x12, 3, u32(5) + bytes([0, 2]) + second_patient().public), now=T0 + 20, device=c,
           answer=("nak", 0x12, 128, 0xFFFF), log=[rejection(0, 0x12, 128, 8)])
    s.step("deviceEnrollment, commandId 6: slot 3, a low-order key",
           c.seal(0x12, 4, u32(6) + bytes([3, 2]) + bytes.fromhex(low["lowOrderPoint"])), now=T0 + 30, device=c,
           answer=("nak", 0x12, 103, 6), log=[rejection(0, 0x12, 103, 8)])
    session(s, p, 2, 2, T0 + 60, before=[ended(0, 8, 2, 3)])
    expect("enrolled patient's session info", p.info, (2, 9, 0))
    s.step("the patient's sealed interrogationRequest: to therapy", p.seal(0x01, 2, b""), now=T0 + 70,
           therapy=(0x01, 0, b""))
    scenarios.append(s)

    # 10. Revocation ------------------------------------------------------------------------------------------
    s = Scenario(g, "revocation", "The clinician of slot 0 (lastCommandId 20) revokes the patient device of slot "
                 "2 (lastCommandId 5) (PW-SEC-18): acknowledged (type 0x13) and logged deviceUnpaired (bySlot 0). "
                 "Revoking its own slot 0, or the now empty slot 2, is NOT_PERMITTED. The revoked device's KK "
                 "handshakeRequest is HANDSHAKE_FAILED (the slot is empty; the clinician's session goes on). A "
                 "second patient device enrolled into slot 2 starts a session whose session info carries "
                 "lastCommandId 5, the revoked device's, kept.",
                 session_count=10, slots=[(1, programmer(), 20), (1, slot1(), 7), (2, patient(), 5)])
    c, p, q = programmer(), patient(), second_patient()
    session(s, c, 0, 1, T0)
    payload = u32(21) + bytes([2])
    s.step("deviceRevocation, commandId 21: slot 2", c.seal(0x13, 2, payload), now=T0 + 10, device=c,
           answer=("ack", 0x13, sp.crc32(payload)), log=[unpaired(2, 2, p, 0)])
    s.step("deviceRevocation, commandId 22: slot 0, the session's own", c.seal(0x13, 3, u32(22) + bytes([0])),
           now=T0 + 20, device=c, answer=("nak", 0x13, 128, 0xFFFF), log=[rejection(0, 0x13, 128, 11)])
    s.step("deviceRevocation, commandId 23: slot 2, now empty", c.seal(0x13, 4, u32(23) + bytes([2])),
           now=T0 + 30, device=c, answer=("nak", 0x13, 128, 0xFFFF), log=[rejection(0, 0x13, 128, 11)])
    s.step("KK handshakeRequest of the revoked patient device, slot 2",
           p.kk_request(2, eph("revocation", 2), 1, pump_public), now=T0 + 40, ephemeral=eph("revocation", 3),
           answer=("nak", 0x10, 102, 0xFFFF), log=[rejection(2, 0x10, 102, 11)])
    payload = u32(24) + bytes([2, 2]) + q.public
    s.step("deviceEnrollment, commandId 24: the second patient device into slot 2", c.seal(0x12, 5, payload),
           now=T0 + 50, device=c, answer=("ack", 0x12, sp.crc32(payload)), log=[paired(2, 2, q, 0)])
    session(s, q, 2, 4, T0 + 60, before=[ended(0, 11, 2, 4)])
    expect("re-enrolled slot's session info: the kept lastCommandId", q.info, (2, 12, 5))
    payload = u32(6) + u32(1000) + u32(T0 + 65)
    s.step("the second patient device's patientBolusRequest, commandId 6 (above the kept 5): no patient bolus "
           "in the schedule", q.seal(0x06, 2, payload), now=T0 + 70, device=q, answer=("nak", 0x06, 128, 0xFFFF),
           log=[rejection(2, 0x06, 128, 12)])
    scenarios.append(s)

    # 11. Idle, and a session replaced ------------------------------------------------------------------------
    s = Scenario(g, "idle-and-replaced", "Session end by idleness and by a new handshake (PW-SEC-19, PW-SEC-21 "
                 "steps 1 and 2), with the session count at 254 so that the epochs are 255, then 0 (the low 8 "
                 "bits of 256), then 1: a sealed frame 600 s after the last accepted one ends the session "
                 "(sessionEnded, idle) and is then dropped with STALE_SESSION (no session: slot 0xff, epoch 0); "
                 "a new KK session of slot 1; a KK of slot 0 while it is open ends it (sessionEnded, replaced) "
                 "and starts its own; a frame of the replaced session is then STALE_SESSION (its epoch is not "
                 "the session's).", session_count=254, slots=[(1, programmer(), 0), (1, slot1(), 7)])
    a, c = slot1(), programmer()
    session(s, a, 1, 1, T0)
    s.step("sealed interrogationRequest, 100 s after the start: to therapy", a.seal(0x01, 2, b""), now=T0 + 100,
           therapy=(0x01, 0, b""))
    s.step("sealed interrogationRequest 600 s after the last accepted frame", a.seal(0x01, 3, b""), now=T0 + 700,
           log=[ended(1, 255, 3, 1), rejection(0xFF, 0x01, 99)])
    session(s, a, 1, 2, T0 + 800)
    expect("epoch after 255", a.info, (1, 0, 7))
    s.step("sealed interrogationRequest of the new session, 599 s after its start: to therapy",
           a.seal(0x01, 2, b""), now=T0 + 1399, therapy=(0x01, 0, b""))
    session(s, c, 0, 3, T0 + 1400, before=[ended(1, 0, 2, 1)])
    expect("epoch 1", c.info, (0, 1, 0))
    s.step("a sealed interrogationRequest of the replaced session", a.seal(0x01, 3, b""), now=T0 + 1410,
           log=[rejection(0, 0x01, 99, 1)])
    scenarios.append(s)

    # 12. Pairing while a session is open ----------------------------------------------------------------------
    s = Scenario(g, "pairing-during-session", "Pairing while the clinician of slot 1 has a session open (PW-SEC-21 "
                 "step 2): the pairing's handshakeResponse names slot 0 and epoch 4 (session count 2, plus the "
                 "KK session, plus 1); the open session goes on until the pairing completes (its "
                 "interrogationRequest goes to therapy); the handshakeFinish then writes sessionEnded (replaced) "
                 "of that session, devicePaired, sessionStarted, in this order, and the new programmer's first "
                 "command (commandId 1, slot 0 never used) goes to therapy.",
                 session_count=2, slots=[None, (1, slot1(), 7)])
    a, c = slot1(), programmer()
    session(s, a, 1, 1, T0)
    response = s.step("handshakeRequest, pattern 1, while the session of slot 1 is open",
                      c.pairing_request(eph("pairing-during-session", 4), 1, psk), now=T0 + 10,
                      ephemeral=eph("pairing-during-session", 5), answer="response")
    expect("pairing session info", c.read_response(response), (0, 4, 0))
    s.step("sealed interrogationRequest of the slot 1 session: it is still open", a.seal(0x01, 2, b""),
           now=T0 + 20, therapy=(0x01, 0, b""))
    finish = c.pairing_finish(2)
    s.step("handshakeFinish: the pairing completes", finish, now=T0 + 30, device=c,
           answer=("ack", 0x11, sp.crc32(finish[9:-2])),
           log=[ended(1, 3, 2, 1), paired(0, 1, c), lambda: started(c, 1)])
    s.step("the programmer's sealed prescriptionBlock, commandId 1: to therapy", c.seal(0x02, 3, u32(1) + rx),
           now=T0 + 40, therapy=(0x02, 1, rx))
    scenarios.append(s)

    # 13. A fragmented sealed prescription --------------------------------------------------------------------
    big = g.prescription_48_steps()
    s = Scenario(g, "fragmented-prescription", "A sealed prescriptionBlock that needs fragments (PW-SEC-9, PW-SEC-13, "
                 "PW-SEC-21 step 4): in the KK session of the slot 1 clinician (lastCommandId 7; the frames of "
                 "handshakes `session`, and of sealedFrames `session.prescription`, `session.interrogationRequest` "
                 "and `session.prescription-48-steps`), the 9.3 prescription (commandId 8) and an "
                 "interrogationRequest go to therapy; then the 48-step prescription with commandId 9 (313 bytes: "
                 "two fragments, 236 + 77, sequence 4), each fragment frame sealed with the next counter (2, 3): "
                 "the first is accepted and answers nothing (no therapy, no record); the second completes the "
                 "message, which goes to therapy whole, without its commandId (the 309-byte payload). The same "
                 "command is then retransmitted (commandId 9, sequence 4) in two new fragment frames, sent in the "
                 "other order (fragment 1 at counter 4, fragment 0 at counter 5; pumpwire-v1.md PW-FRAG-7: any "
                 "order, and PW-FRAG-13: the first message completed, this is a new one): the first answers "
                 "nothing, the second completes it and it is DUPLICATE_COMMAND (135) at payload offset 0, a "
                 "sealed negativeAcknowledgement at the pump's counter 0 (the requests handed to therapy are "
                 "answered by therapy, not by the layer), logged.",
                 session_count=1, slots=[(1, programmer(), 0), (1, slot1(), 7)])
    d = slot1()
    request = d.kk_request(1, lab("PumpWire golden session slot 1 ephemeral"), 1, pump_public)
    expect("KK request as in handshakes", request.hex(), hs["session"]["messages"][0]["frame"])
    s.step("handshakeRequest, pattern 2 (KK), slot 1", request, ephemeral=lab("PumpWire golden session pump ephemeral"),
           device=d, answer="response", log=[lambda: started(d, 2)])
    expect("session info", d.info, (1, 2, 7))
    s.step("sealed prescriptionBlock of 9.3, commandId 8 (counter 0): to therapy", d.seal(0x02, 2, u32(8) + rx),
           now=T0 + 10, therapy=(0x02, 8, rx))
    s.step("sealed interrogationRequest (counter 1): to therapy", d.seal(0x01, 3, b""), now=T0 + 20,
           therapy=(0x01, 0, b""))
    payload = u32(9) + big
    expect("a sealed 48-step prescription needs two fragments", len(payload), 313)
    frames = d.seal_fragments(0x02, 4, payload)
    expect("the 48-step prescription's fragment frames as in sealedFrames", [f.hex() for f in frames],
           [r["sealedFrame"] for r in sealed["session.prescription-48-steps"]["frames"]])
    s.step("fragment 0 of 2 of the 48-step prescription, commandId 9 (counter 2, 236 bytes): accepted, the "
           "message is incomplete", frames[0], now=T0 + 30)
    s.step("fragment 1 of 2 (counter 3, 77 bytes): the message completes, to therapy without its commandId",
           frames[1], now=T0 + 31, therapy=(0x02, 9, big))
    (h0, d0), (h1, d1) = g.fragments_of(payload)
    s.step("the same command retransmitted: fragment 1 of 2 first (counter 4)", d.seal_fragment(0x02, 4, h1 + d1),
           now=T0 + 40)
    s.step("then fragment 0 of 2 (counter 5): the message completes; commandId 9 is not above the slot's last",
           d.seal_fragment(0x02, 4, h0 + d0), now=T0 + 41, device=d, answer=("nak", 0x02, 135, 0),
           log=[rejection(1, 0x02, 135, 2)])
    scenarios.append(s)

    # 14. A forged fragment -----------------------------------------------------------------------------------
    V1 = g.V1
    rate = 4 + 21 + 6 * 40 + 2 + 2          # payload offset of byte 2 of step 40's rate (800000 = 0x000c3500)
    forged_at = 13 + rate - 236             # its frame offset in fragment 1
    s = Scenario(g, "fragment-forged", "A forged fragment cannot disturb reassembly (PW-SEC-9: the receiver opens "
                 "each fragment frame before it gives it to the reassembler; PW-SEC-10, PW-SEC-11): in a KK session "
                 "of the slot 0 clinician (lastCommandId 40, epoch 21), fragment 0 of a sealed 48-step "
                 "prescription (commandId 41, sequence 2, counter 0) is accepted; then fragment 1 with one bit of "
                 "its ciphertext changed after sealing (frame offset " + str(forged_at) + ", the third byte of step "
                 "40's rate: opened without the tag it would read 865536 ng/day instead of 800000, still a valid "
                 "prescription), the CRC recomputed: the tag does not verify, so it is dropped with "
                 "AUTHENTICATION_FAILED (PW-SEC-10 step 5, at the tag's frame offset 94, which the record does not "
                 "carry), logged, and its counter is not accepted; then the genuine fragment 1 (the same counter 1) "
                 "completes the message, which goes to therapy as the device sent it.",
                 session_count=20, slots=[(1, programmer(), 40)])
    c = programmer()
    session(s, c, 0, 1, T0)
    expect("fragment-forged session info", c.info, (0, 21, 40))
    payload = u32(41) + big
    frames = c.seal_fragments(0x02, 2, payload)
    s.step("fragment 0 of 2 of the 48-step prescription, commandId 41 (counter 0): accepted", frames[0],
           now=T0 + 10)
    expect("the forged byte is the third of step 40's rate", (payload[rate - 2:rate + 2], rate - 236 + 13),
           (u32(800000), forged_at))
    expect("the forged bit gives a valid prescription", V1.decode_payload(0x02, big[:rate - 4] + bytes([0x0D])
                                                                         + big[rate - 3:], 0) is not None, True)
    forged = bytearray(frames[1])
    forged[forged_at] ^= 0x01
    forged = g.with_crc(bytes(forged[:-2]))
    s.step("fragment 1 of 2 (counter 1) with one bit of its data changed after sealing, the CRC recomputed: the "
           "tag fails", forged, now=T0 + 11, log=[rejection(0, 0x02, 96, 21)])
    s.step("the genuine fragment 1 of 2 (counter 1): the message completes, to therapy", frames[1], now=T0 + 12,
           therapy=(0x02, 41, big))
    scenarios.append(s)

    # 15. Conflicting fragments --------------------------------------------------------------------------------
    big47 = big[:20] + bytes([47]) + big[21:21 + 6 * 47]
    s = Scenario(g, "fragment-conflict", "Sealed fragments that conflict with the message in progress "
                 "(pumpwire-v1.md PW-FRAG-8, PW-FRAG-9; PW-SEC-21 step 4: errors as PW-ERR-2 says; PW-NAK-2: the "
                 "reassembler's frame offset): in a KK session of the slot 0 clinician (lastCommandId 50, epoch 31), "
                 "fragment 0 of a sealed 48-step prescription (commandId 51, sequence 2, counter 0) is accepted; "
                 "the same fragment sealed again (counter 1, identical data) is a duplicate, ignored: no answer, no "
                 "record. Then three fragment frames of the same type and sequence, each opened (so accepted: they "
                 "count in framesAccepted) and each rejected with FRAGMENT_CONFLICT (35) in a sealed "
                 "negativeAcknowledgement, logged: fragment 0 of a 500-byte message (fragmentCount 3: at frame "
                 "offset 10), fragment 0 of a 47-step prescription (totalLength 307: at 11), fragment 0 of the "
                 "48-step prescription with commandId 52 (other data: at 13, the first data byte). The message in "
                 "progress is kept unchanged: the genuine fragment 1 (counter 5) completes it and it goes to "
                 "therapy with commandId 51. sessionClose (counter 6) is acknowledged and the session ends "
                 "(closed, 7 frames accepted).",
                 session_count=30, slots=[(1, programmer(), 50)])
    c = programmer()
    session(s, c, 0, 1, T0)
    expect("fragment-conflict session info", c.info, (0, 31, 50))
    (h0, d0), (h1, d1) = g.fragments_of(u32(51) + big)
    s.step("fragment 0 of 2 of the 48-step prescription, commandId 51 (counter 0): accepted",
           c.seal_fragment(0x02, 2, h0 + d0), now=T0 + 10)
    s.step("the same fragment 0 sealed again (counter 1): a duplicate, ignored", c.seal_fragment(0x02, 2, h0 + d0),
           now=T0 + 11)
    h, data = g.fragments_of(u32(52) + big + bytes(500 - 313))[0]
    expect("a 500-byte message's fragment header", h, bytes([0, 3]) + (500).to_bytes(2, "little"))
    s.step("fragment 0 of 3 of a 500-byte message, same type and sequence (counter 2): fragmentCount differs",
           c.seal_fragment(0x02, 2, h + data), now=T0 + 12, device=c, answer=("nak", 0x02, 35, 10),
           log=[rejection(0, 0x02, 35, 31)])
    h, data = g.fragments_of(u32(52) + big47)[0]
    expect("a 47-step prescription's fragment header", h, bytes([0, 2]) + (307).to_bytes(2, "little"))
    s.step("fragment 0 of 2 of a 47-step prescription, commandId 52 (counter 3): totalLength differs",
           c.seal_fragment(0x02, 2, h + data), now=T0 + 13, device=c, answer=("nak", 0x02, 35, 11),
           log=[rejection(0, 0x02, 35, 31)])
    h, data = g.fragments_of(u32(52) + big)[0]
    expect("the same header", h, h0)
    s.step("fragment 0 of 2 of the 48-step prescription with commandId 52 (counter 4): its data differs",
           c.seal_fragment(0x02, 2, h + data), now=T0 + 14, device=c, answer=("nak", 0x02, 35, 13),
           log=[rejection(0, 0x02, 35, 31)])
    s.step("the genuine fragment 1 of 2 (counter 5): the message in progress completes, to therapy",
           c.seal_fragment(0x02, 2, h1 + d1), now=T0 + 15, therapy=(0x02, 51, big))
    s.step("sessionClose (counter 6): acknowledged, then the session ends", c.seal(0x14, 3, b""), now=T0 + 16,
           device=c, answer=("ack", 0x14, 0), log=[ended(0, 31, 1, 7)])
    scenarios.append(s)

    # 16. A pairing whose slot is filled meanwhile ---------------------------------------------------------
    s = Scenario(g, "pairing-slot-taken", "A pairing whose slot the current session fills meanwhile (PW-SEC-21 step "
                 "2, handshakeFinish; PW-SEC-6, PW-SEC-17: a slot is filled only when empty): the pairing window "
                 "is open and the clinician of slot 0 (lastCommandId 60) has a KK session open (epoch 41). A new "
                 "programmer's pairing handshakeRequest is answered, its session info naming slot 1 (the lowest "
                 "empty), epoch 42, lastCommandId 0; the clinician then enrolls a patient device into slot 1 "
                 "(acknowledged, type 0x12; devicePaired, bySlot 0). The new programmer's handshakeFinish verifies "
                 "but its slot is no longer empty: it is rejected with HANDSHAKE_FAILED (102), offset 0xffff, "
                 "unsealed, and logged NOT_PERMITTED (128) in a securityRejection with slot 0xff (the frame is "
                 "unsealed) and the open clinician session's epoch 41 (security.md 11); no slot is filled and no "
                 "session starts (no devicePaired, sessionEnded or sessionStarted). The pairing in progress has "
                 "ended: the same handshakeFinish again is HANDSHAKE_FAILED, logged HANDSHAKE_OUT_OF_ORDER. The "
                 "enrolled patient device then starts a KK session on slot 1 (session info epoch 42, the pairing "
                 "having started no session, lastCommandId 0): the slot kept its enrolled key. It replaces the "
                 "clinician's session (sessionEnded replaced, 1 frame accepted; sessionStarted).",
                 session_count=40, slots=[(1, programmer(), 60)])
    c, p = programmer(), patient()
    n = Device(g, "second programmer", lab("PumpWire golden second programmer static"))
    session(s, c, 0, 1, T0)
    expect("pairing-slot-taken clinician session info", c.info, (0, 41, 60))
    response = s.step("a second programmer's handshakeRequest, pattern 1, while the clinician's session is open",
                      n.pairing_request(eph("pairing-slot-taken", 4), 1, psk), now=T0 + 10,
                      ephemeral=eph("pairing-slot-taken", 5), answer="response")
    expect("pairing session info: slot 1, the lowest empty", n.read_response(response), (1, 42, 0))
    payload = u32(61) + bytes([1, 2]) + p.public
    s.step("the clinician's deviceEnrollment, commandId 61: the patient device into slot 1, role patient",
           c.seal(0x12, 2, payload), now=T0 + 20, device=c, answer=("ack", 0x12, sp.crc32(payload)),
           log=[paired(1, 2, p, 0)])
    finish = n.pairing_finish(2)
    s.step("the second programmer's handshakeFinish: message 3 verifies, but slot 1 is no longer empty", finish,
           now=T0 + 30, answer=("nak", 0x11, 102, 0xFFFF), log=[rejection(0xFF, 0x11, 128, 41)])
    s.step("the same handshakeFinish again: the pairing in progress has ended", finish, now=T0 + 31,
           answer=("nak", 0x11, 102, 0xFFFF), log=[rejection(0xFF, 0x11, 104, 41)])
    session(s, p, 1, 3, T0 + 40, before=[ended(0, 41, 2, 1)])
    expect("enrolled patient's session info", p.info, (1, 42, 0))
    scenarios.append(s)

    return [x.vector() for x in scenarios]
