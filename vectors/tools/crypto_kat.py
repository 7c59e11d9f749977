#!/usr/bin/env python3
"""Known-answer vectors of the secure session's cryptography (vectors/crypto/primitives.json),
recomputed with independent implementations: Python's `cryptography` package for the primitives,
and PyPI `noiseprotocol` for whole Noise handshakes. Nothing here uses PumpWire code.

    python3 vectors/tools/crypto_kat.py --check    # recompute every vector; one line per
                                                   # primitive; exit 1 on any mismatch

Needs `cryptography` and `noiseprotocol` (python3 -m pip install cryptography noiseprotocol==0.3.1). It
installs nothing itself: a missing package is an error with the command that installs it.
"""
import json
import os
import sys
import warnings

HINT = "python3 -m pip install cryptography noiseprotocol==0.3.1"
try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError as error:
    sys.exit(f"crypto_kat.py needs the cryptography package ({error}): {HINT}")
try:
    from noise.connection import Keypair, NoiseConnection
except ImportError as error:
    sys.exit(f"crypto_kat.py needs the noiseprotocol package ({error}): {HINT}")

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crypto", "primitives.json")


class Mismatch(Exception):
    """A vector whose recomputed value differs from the stored one."""


def expect_equal(what, got, want):
    if got != want:
        raise Mismatch(f"{what}: computed {got.hex()}, the vector says {want.hex()}")


def h(vector, field):
    return bytes.fromhex(vector[field])


# --- X25519 -----------------------------------------------------------------------------------

def x25519(scalar, point):
    return X25519PrivateKey.from_private_bytes(scalar).exchange(X25519PublicKey.from_public_bytes(point))


def check_x25519(v):
    expect_equal("X25519(scalar, point)", x25519(h(v, "scalar"), h(v, "point")), h(v, "out"))


def check_x25519_base(v):
    public = X25519PrivateKey.from_private_bytes(h(v, "scalar")).public_key().public_bytes_raw()
    expect_equal("public key of scalar", public, h(v, "out"))
    # The base point is u = 9: the same value through the general function.
    expect_equal("X25519(scalar, 9)", x25519(h(v, "scalar"), bytes([9]) + bytes(31)), h(v, "out"))


def check_x25519_iterated(v):
    # RFC 7748 5.2: k, u = X25519(k, u), k, starting from k = u = 9.
    k, u = h(v, "scalar"), h(v, "point")
    for _ in range(v["iterations"]):
        k, u = x25519(k, u), k
    expect_equal(f"k after {v['iterations']} iterations", k, h(v, "out"))


# Fixed scalars for the low-order points: any scalar must give all zeros, since clamping makes every
# scalar a multiple of the cofactor 8. RFC 7748 6.1's Alice, and two patterned ones.
LOW_ORDER_SCALARS = [
    bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
    bytes([1]) * 32,
    bytes([0xFF]) * 32,
]


def check_x25519_low_order(v):
    point = h(v, "point")
    for scalar in LOW_ORDER_SCALARS:
        # OpenSSL, under `cryptography`, refuses an all-zero shared secret with ValueError (and only
        # that: the control below shows the same scalars succeed on the base point).
        try:
            out = x25519(scalar, point)
        except ValueError:
            pass
        else:
            raise Mismatch(f"cryptography returned {out.hex()} for scalar {scalar.hex()}, not a refusal")
    # The refusal must come from the point: the same scalars with the base point succeed.
    for scalar in LOW_ORDER_SCALARS:
        x25519(scalar, bytes([9]) + bytes(31))


# --- ChaCha20-Poly1305 --------------------------------------------------------------------------

def check_aead_seal(v):
    aead = ChaCha20Poly1305(h(v, "key"))
    # `cryptography` returns ciphertext || tag; the vectors keep the two apart, as the provider does.
    sealed = aead.encrypt(h(v, "nonce"), h(v, "plaintext"), h(v, "ad"))
    expect_equal("ciphertext", sealed[:-16], h(v, "ciphertext"))
    expect_equal("tag", sealed[-16:], h(v, "tag"))
    # Every seal vector is an open vector too.
    opened = aead.decrypt(h(v, "nonce"), h(v, "ciphertext") + h(v, "tag"), h(v, "ad"))
    expect_equal("opened plaintext", opened, h(v, "plaintext"))


def check_aead_open_fail(v):
    aead = ChaCha20Poly1305(h(v, "key"))
    try:
        opened = aead.decrypt(h(v, "nonce"), h(v, "ciphertext") + h(v, "tag"), h(v, "ad"))
    except InvalidTag:
        return
    raise Mismatch(f"opened without InvalidTag, to {opened.hex()}")


# --- SHA-256, HMAC-SHA256, HKDF-SHA256 ------------------------------------------------------------

def sha256(data):
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize()


def hmac_sha256(key, data):
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac.finalize()


def check_sha256(v):
    expect_equal("SHA-256", sha256(h(v, "data")), h(v, "digest"))


def check_hmac_sha256(v):
    mac = hmac_sha256(h(v, "key"), h(v, "data"))
    # RFC 4231 test case 5 gives only the first 128 bits: compare that prefix.
    if "truncateTo" in v:
        mac = mac[: v["truncateTo"]]
    expect_equal("HMAC-SHA256", mac, h(v, "mac"))


def check_hkdf_sha256(v):
    if v["length"] != len(h(v, "okm")):
        raise Mismatch(f"length {v['length']} but okm has {len(h(v, 'okm'))} bytes")
    # Extract alone is HMAC(salt, ikm) (RFC 5869 2.2); `cryptography` has no public extract step.
    # An empty salt means HashLen zero bytes, and HMAC pads a key with zeros, so both give one PRK.
    expect_equal("PRK (extract)", hmac_sha256(h(v, "salt") or bytes(32), h(v, "ikm")), h(v, "prk"))
    okm = HKDF(algorithm=hashes.SHA256(), length=v["length"], salt=h(v, "salt") or None, info=h(v, "info")).derive(h(v, "ikm"))
    expect_equal("OKM", okm, h(v, "okm"))


# --- Noise handshakes ----------------------------------------------------------------------------

def noise_party(v, side, initiator):
    """One side of the vector's handshake, with the vector's fixed keys (side: 'init' or 'resp')."""
    party = NoiseConnection.from_name(v["protocol_name"].encode("ascii"))
    if initiator:
        party.set_as_initiator()
    else:
        party.set_as_responder()
    party.set_prologue(bytes.fromhex(v.get(side + "_prologue", "")))
    if v.get(side + "_psks"):
        party.set_psks(psks=[bytes.fromhex(psk) for psk in v[side + "_psks"]])
    if side + "_static" in v:
        party.set_keypair_from_private_bytes(Keypair.STATIC, h(v, side + "_static"))
    if side + "_remote_static" in v:
        party.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, h(v, side + "_remote_static"))
    # A fixed ephemeral is what makes the messages reproducible; noiseprotocol uses a preset one
    # instead of generating it, and warns that this is for tests only: this is a test.
    party.set_keypair_from_private_bytes(Keypair.EPHEMERAL, h(v, side + "_ephemeral"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        party.start_handshake()
    return party


def check_noise_handshake(v):
    initiator = noise_party(v, "init", True)
    responder = noise_party(v, "resp", False)
    # Messages alternate, initiator first, through the handshake and then in transport mode (the
    # convention of the cacophony and snow vector files for interactive patterns).
    for index, message in enumerate(v["messages"]):
        writer, reader = (initiator, responder) if index % 2 == 0 else (responder, initiator)
        who = "initiator" if index % 2 == 0 else "responder"
        payload, ciphertext = bytes.fromhex(message["payload"]), bytes.fromhex(message["ciphertext"])
        if not writer.handshake_finished:
            written = bytes(writer.write_message(payload))
            expect_equal(f"handshake message {index} written by the {who}", written, ciphertext)
            expect_equal(f"handshake message {index} read", bytes(reader.read_message(ciphertext)), payload)
            if writer.handshake_finished != reader.handshake_finished:
                raise Mismatch(f"after message {index} one side has finished the handshake and the other not")
            if writer.handshake_finished and "handshake_hash" in v:
                expect_equal("handshake hash of the initiator", initiator.get_handshake_hash(), h(v, "handshake_hash"))
                expect_equal("handshake hash of the responder", responder.get_handshake_hash(), h(v, "handshake_hash"))
        else:
            expect_equal(f"transport message {index} sent by the {who}", writer.encrypt(payload), ciphertext)
            expect_equal(f"transport message {index} received", reader.decrypt(ciphertext), payload)
    if not initiator.handshake_finished:
        raise Mismatch("the messages end before the handshake does")
    expect_equal("handshake hashes of the two sides", initiator.get_handshake_hash(), responder.get_handshake_hash())


CHECKS = {
    "x25519": check_x25519,
    "x25519-base": check_x25519_base,
    "x25519-iterated": check_x25519_iterated,
    "x25519-low-order": check_x25519_low_order,
    "aead-chacha20poly1305-seal": check_aead_seal,
    "aead-chacha20poly1305-open-fail": check_aead_open_fail,
    "sha256": check_sha256,
    "hmac-sha256": check_hmac_sha256,
    "hkdf-sha256": check_hkdf_sha256,
    "noise-handshake": check_noise_handshake,
}


def check(path):
    with open(path) as f:
        vectors = json.load(f)["vectors"]
    passed, failures, seen = {}, 0, set()
    for v in vectors:
        primitive, ident = v.get("primitive"), v.get("id")
        try:
            # Ids are how an implementation's test reports a failure: they must be unique.
            if ident in seen:
                raise Mismatch("the id is used twice")
            seen.add(ident)
            if primitive not in CHECKS:
                raise Mismatch(f"unknown primitive {primitive!r}")
            CHECKS[primitive](v)
        except Exception as error:  # a library error on a vector is a failure of that vector too
            failures += 1
            kind = "" if isinstance(error, Mismatch) else type(error).__name__ + ": "
            print(f"FAIL {ident} ({primitive}): {kind}{error}", file=sys.stderr)
            continue
        passed[primitive] = passed.get(primitive, 0) + 1
    totals = {}
    for v in vectors:
        totals[v.get("primitive")] = totals.get(v.get("primitive"), 0) + 1
    for primitive, total in totals.items():
        print(f"{primitive}: {passed.get(primitive, 0)}/{total} passed")
    print(f"{len(vectors) - failures}/{len(vectors)} crypto vectors passed")
    return failures == 0


def main(argv):
    if argv[1:] != ["--check"]:
        print(__doc__.strip())
        return 2
    return 0 if check(VECTORS) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
