#!/usr/bin/env python3
"""The other party of a PumpWire handshake, for the interop tests (SecurityInteropTests.swift).

It runs `noiseprotocol` (PyPI, an implementation nobody here wrote) and seals and opens frames as
spec/security.md PW-SEC-9 says, with `cryptography`'s ChaCha20-Poly1305. One request a line on
stdin, one answer a line on stdout; bytes are lowercase hex, "-" for none.

First line: a JSON object: pattern ("KK" or "XXpsk3"), role ("initiator" or "responder"),
prologue, static (private key), ephemeral (private key), remote_static (public key, KK only),
psk (XXpsk3 only).

Then, per handshake message, in order:
  write PAYLOAD   -> "message HEX"           (this side's turn)
  read MESSAGE    -> "payload HEX"           (the other side's message)
  any failure     -> "error TEXT"
Once complete:
  finish          -> "done HASH K1 K2"       (handshake hash; keys initiator->responder, responder->initiator)
  encrypt HEX     -> "ciphertext HEX"        (the next Noise transport message of this side)
  decrypt HEX     -> "plaintext HEX"         (the other side's next transport message)
  seal EPOCH COUNTER FRAME  -> "sealed HEX"  (PW-SEC-9 with this side's sending key)
  open FRAME      -> "opened HEX"            (PW-SEC-9 reversed with this side's receiving key)
"""
import json
import sys

try:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from noise.connection import NoiseConnection, Keypair
except ImportError as missing:  # the Swift test skips, saying so
    print("missing %s" % missing.name, flush=True)
    sys.exit(3)


def crc16(data):
    """CRC-16/IBM-3740 (spec section 3)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def unhex(text):
    return b"" if text == "-" else bytes.fromhex(text)


def tohex(data):
    return data.hex() if data else "-"


def layout(frame):
    """(associated data end, sealed region end) of a frame with the AUTHENTICATED flag."""
    assert frame[4] & 0x02, "not AUTHENTICATED"
    length = frame[7] | frame[8] << 8
    start = 9 + (4 if frame[4] & 0x01 else 0)
    return start, 9 + length


def nonce(freshness):
    return bytes(4) + freshness.to_bytes(8, "little")


def seal(key, epoch, counter, frame):
    frame = bytearray(frame)
    start, end = layout(frame)
    freshness = counter | epoch << 24
    sealed = ChaCha20Poly1305(key).encrypt(nonce(freshness), bytes(frame[start:end]), bytes(frame[:start]))
    frame[start:end] = sealed[:-16]
    frame[end:end + 4] = freshness.to_bytes(4, "little")
    frame[end + 4:end + 20] = sealed[-16:]
    crc = crc16(frame[:end + 20])
    frame[end + 20:end + 22] = bytes([crc & 0xFF, crc >> 8])
    return bytes(frame)


def open_frame(key, frame):
    frame = bytearray(frame)
    start, end = layout(frame)
    freshness = int.from_bytes(frame[end:end + 4], "little")
    plain = ChaCha20Poly1305(key).decrypt(nonce(freshness), bytes(frame[start:end]) + bytes(frame[end + 4:end + 20]),
                                          bytes(frame[:start]))
    frame[start:end] = plain
    crc = crc16(frame[:end + 20])
    frame[end + 20:end + 22] = bytes([crc & 0xFF, crc >> 8])
    return bytes(frame)


def main():
    print("ready", flush=True)
    config = json.loads(sys.stdin.readline())
    name = "Noise_%s_25519_ChaChaPoly_SHA256" % config["pattern"]
    connection = NoiseConnection.from_name(name.encode())
    if config["role"] == "initiator":
        connection.set_as_initiator()
    else:
        connection.set_as_responder()
    connection.set_prologue(unhex(config["prologue"]))
    connection.set_keypair_from_private_bytes(Keypair.STATIC, unhex(config["static"]))
    connection.set_keypair_from_private_bytes(Keypair.EPHEMERAL, unhex(config["ephemeral"]))
    if config.get("remote_static"):
        connection.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, unhex(config["remote_static"]))
    if config.get("psk"):
        connection.set_psks(psk=unhex(config["psk"]))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setting the ephemeral key is meant for test vectors: it is one
        connection.start_handshake()
    initiator = config["role"] == "initiator"
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        verb, args = words[0], words[1:]
        try:
            if verb == "write":
                answer = "message " + tohex(connection.write_message(unhex(args[0])))
            elif verb == "read":
                answer = "payload " + tohex(connection.read_message(unhex(args[0])))
            elif verb == "finish":
                protocol = connection.noise_protocol
                send, receive = protocol.cipher_state_encrypt.k, protocol.cipher_state_decrypt.k
                k1, k2 = (send, receive) if initiator else (receive, send)
                answer = "done %s %s %s" % (connection.get_handshake_hash().hex(), k1.hex(), k2.hex())
            elif verb == "encrypt":
                answer = "ciphertext " + tohex(connection.encrypt(unhex(args[0])))
            elif verb == "decrypt":
                answer = "plaintext " + tohex(connection.decrypt(unhex(args[0])))
            elif verb == "seal":
                answer = "sealed " + tohex(seal(connection.noise_protocol.cipher_state_encrypt.k,
                                                int(args[0]), int(args[1]), unhex(args[2])))
            elif verb == "open":
                answer = "opened " + tohex(open_frame(connection.noise_protocol.cipher_state_decrypt.k, unhex(args[0])))
            else:
                answer = "error unknown request " + verb
        except Exception as failure:  # the test reads the failure, it never needs a trace
            answer = "error %s: %s" % (type(failure).__name__, failure)
        print(answer, flush=True)


if __name__ == "__main__":
    main()
