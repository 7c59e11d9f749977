#!/usr/bin/env python3
"""Turn the cryptography known-answer vectors (vectors/crypto/primitives.json) into a C table
for the firmware KAT runner (crypto_kat.c, kat.h). Run at build time by `make -C Firmware`; the
output goes to the build directory, never into the repository.

    kat-to-c.py --input vectors/crypto/primitives.json --output .build-firmware/crypto/kat_vectors.c

The reader does not insist on one layout: a vector is a JSON object that names its primitive (in
`primitive`, or in `kind`, `algorithm` or `type` when that is a primitive's name, or by sitting in
a list under a key that is a primitive's name, or in a group object that names it), with hex
fields either in the object or in objects nested in it (`input`, `expected`, ...). A vector of an
unknown primitive, a field that is not hex, a missing or badly sized field, or a file with no
vector at all is an error (exit 1), so a change of the file's shape is seen, never skipped.

Primitives and fields (hex unless said):
    x25519                        scalar, point -> out
    x25519-base                   scalar -> out (or point)
    x25519-iterated               iterations (integer), scalar and point (both 9 when absent) -> out
    x25519-low-order              scalar, point (out, all zero, optional): the provider must fail
                                  or give an all-zero output
    aead-chacha20poly1305-seal    key, nonce, ad, plaintext -> ciphertext, tag
    aead-chacha20poly1305-open-fail  key, nonce, ad, ciphertext, tag: opening must fail
    sha256                        data -> digest (or out)
    hmac-sha256                   key, data -> out (or digest, tag, mac); truncateTo (bytes, or
                                  bits when over 32) compares only that many leading bytes
    hkdf-sha256                   ikm, salt, info, length (integer) -> okm (or out)
    noise-handshake               skipped here: the core checks those

x25519-iterated vectors of more than --max-iterations iterations are skipped (RFC 7748's
1,000,000 iterations take hours under QEMU); each skipped group is listed in the runner's output.
"""
import argparse
import hashlib
import json
import os
import sys

PRIMITIVES = {
    "x25519": "KAT_X25519",
    "x25519-base": "KAT_X25519_BASE",
    "x25519-iterated": "KAT_X25519_ITERATED",
    "x25519-low-order": "KAT_X25519_LOW_ORDER",
    "aead-chacha20poly1305-seal": "KAT_AEAD_SEAL",
    "aead-chacha20poly1305-open-fail": "KAT_AEAD_OPEN_FAIL",
    "sha256": "KAT_SHA256",
    "hmac-sha256": "KAT_HMAC_SHA256",
    "hkdf-sha256": "KAT_HKDF_SHA256",
}
SKIPPED_PRIMITIVES = {"noise-handshake": "checked by the core, not by the provider"}
KNOWN = set(PRIMITIVES) | set(SKIPPED_PRIMITIVES)
PRIMITIVE_KEYS = ("primitive", "kind", "algorithm", "type")
HEX_FIELDS = ("scalar", "point", "out", "key", "nonce", "ad", "plaintext", "ciphertext", "tag",
              "data", "digest", "ikm", "salt", "info", "okm", "mac")
INT_FIELDS = ("length", "iterations", "truncateTo")
C_BYTE_FIELDS = ("scalar", "point", "key", "nonce", "ad", "plaintext", "ciphertext", "tag", "data",
                 "ikm", "salt", "info", "expected")
BASE_POINT = bytes([9]) + bytes(31)


class KatError(Exception):
    pass


def primitive_of(node):
    """The primitive an object names itself, or None."""
    for key in PRIMITIVE_KEYS:
        value = node.get(key)
        if isinstance(value, str):
            if value in KNOWN:
                return value
            if key == "primitive":
                raise KatError(f"unknown primitive {value!r} (known: {', '.join(sorted(KNOWN))})")
    return None


def has_vector_lists(node):
    return any(isinstance(value, list) and any(isinstance(item, dict) for item in value)
               for value in node.values())


def has_fields(node):
    return any(key in HEX_FIELDS or key in INT_FIELDS or (isinstance(value, dict) and has_fields(value))
               for key, value in node.items())


def walk(node, inherited, path, found):
    """Collect (primitive, vector object, path) in file order."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            walk(item, inherited, f"{path}[{index}]", found)
        return
    if not isinstance(node, dict):
        return
    own = primitive_of(node)
    primitive = own or inherited
    # A vector: an object that names its primitive and holds fields (a noise-handshake vector may
    # hold lists of messages), or an object under a primitive that holds no list of vectors.
    if primitive is not None and (
            (own is not None and (own in SKIPPED_PRIMITIVES or has_fields(node)))
            or not has_vector_lists(node)):
        found.append((primitive, node, path))
        return
    for key, value in node.items():
        if isinstance(value, (list, dict)):
            child = key if key in KNOWN else primitive
            walk(value, child, f"{path}.{key}", found)


def flatten(node, where, fields=None):
    """The vector's fields, from the object and the objects nested in it (not from lists)."""
    fields = {} if fields is None else fields
    for key, value in node.items():
        if isinstance(value, dict):
            flatten(value, where, fields)
        elif key in HEX_FIELDS or key in INT_FIELDS:
            if key in fields and fields[key] != value:
                raise KatError(f"{where}: field {key!r} given twice with different values")
            fields[key] = value
    return fields


def hex_field(fields, key, where):
    value = fields.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise KatError(f"{where}: field {key!r} is not a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise KatError(f"{where}: field {key!r} is not hex: {value[:40]!r}") from None


def int_field(fields, key, where):
    value = fields.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise KatError(f"{where}: field {key!r} is not an integer")
    if isinstance(value, str):
        if not value.isdigit():
            raise KatError(f"{where}: field {key!r} is not an integer: {value!r}")
        value = int(value)
    if value < 0 or value > 0xFFFFFFFF:
        raise KatError(f"{where}: field {key!r} out of range: {value}")
    return value


def first_of(fields, keys, where):
    for key in keys:
        value = hex_field(fields, key, where)
        if value is not None:
            return value
    return None


def need(value, name, where, size=None):
    if value is None:
        raise KatError(f"{where}: missing field {name!r}")
    if size is not None and len(value) != size:
        raise KatError(f"{where}: field {name!r} has {len(value)} bytes, not {size}")
    return value


LOW_ORDER_SCALAR = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")


def build(primitive, fields, where):
    """The C row of one vector: a dict of C_BYTE_FIELDS (bytes or None), length, iterations."""
    h = lambda key: hex_field(fields, key, where)
    row = {key: None for key in C_BYTE_FIELDS}
    row["length"] = 0
    row["iterations"] = 0
    if primitive == "x25519":
        row["scalar"] = need(h("scalar"), "scalar", where, 32)
        row["point"] = need(h("point"), "point", where, 32)
        row["expected"] = need(h("out"), "out", where, 32)
    elif primitive == "x25519-base":
        row["scalar"] = need(h("scalar"), "scalar", where, 32)
        row["expected"] = need(first_of(fields, ("out", "point"), where), "out", where, 32)
    elif primitive == "x25519-iterated":
        row["scalar"] = need(h("scalar") if "scalar" in fields else BASE_POINT, "scalar", where, 32)
        row["point"] = need(h("point") if "point" in fields else BASE_POINT, "point", where, 32)
        row["iterations"] = need(int_field(fields, "iterations", where), "iterations", where)
        row["expected"] = need(h("out"), "out", where, 32)
    elif primitive == "x25519-low-order":
        # vectors/crypto/primitives.json gives the point only (X25519 of any scalar and it is zero):
        # then RFC 7748 6.1's Alice's private key is the scalar.
        row["scalar"] = need(h("scalar") if "scalar" in fields else LOW_ORDER_SCALAR, "scalar", where, 32)
        row["point"] = need(h("point"), "point", where, 32)
        out = h("out")
        if out is not None:
            if out != bytes(32):
                raise KatError(f"{where}: an x25519-low-order output must be all zero")
            row["expected"] = out
    elif primitive in ("aead-chacha20poly1305-seal", "aead-chacha20poly1305-open-fail"):
        row["key"] = need(h("key"), "key", where, 32)
        row["nonce"] = need(h("nonce"), "nonce", where, 12)
        row["ad"] = h("ad") if h("ad") is not None else b""
        row["ciphertext"] = need(h("ciphertext"), "ciphertext", where)
        row["tag"] = need(h("tag"), "tag", where, 16)
        if primitive == "aead-chacha20poly1305-seal":
            row["plaintext"] = need(h("plaintext"), "plaintext", where, len(row["ciphertext"]))
    elif primitive == "sha256":
        row["data"] = need(h("data"), "data", where)
        row["expected"] = need(first_of(fields, ("digest", "out"), where), "digest", where, 32)
    elif primitive == "hmac-sha256":
        row["key"] = need(h("key"), "key", where)
        row["data"] = need(h("data"), "data", where)
        expected = need(first_of(fields, ("out", "digest", "tag", "mac"), where), "out", where)
        truncate = int_field(fields, "truncateTo", where)
        if truncate is not None:
            size = truncate if truncate <= 32 else truncate // 8
            if truncate > 32 and (truncate % 8 or size > 32) or size == 0:
                raise KatError(f"{where}: truncateTo {truncate} is neither 1..32 bytes nor a whole number of bytes in bits")
            if len(expected) < size:
                raise KatError(f"{where}: output has {len(expected)} bytes, fewer than truncateTo {truncate}")
            expected = expected[:size]
        elif len(expected) != 32:
            raise KatError(f"{where}: output has {len(expected)} bytes, not 32, and no truncateTo")
        if not 1 <= len(expected) <= 32:
            raise KatError(f"{where}: output has {len(expected)} bytes")
        row["expected"] = expected
    elif primitive == "hkdf-sha256":
        row["ikm"] = need(h("ikm"), "ikm", where)
        row["salt"] = h("salt") if h("salt") is not None else b""
        row["info"] = h("info") if h("info") is not None else b""
        row["expected"] = need(first_of(fields, ("okm", "out"), where), "okm", where)
        length = int_field(fields, "length", where)
        if length is None:
            length = len(row["expected"])
        if length != len(row["expected"]):
            raise KatError(f"{where}: length {length} but okm has {len(row['expected'])} bytes")
        if length > 255 * 32:
            raise KatError(f"{where}: length {length} is over HKDF-SHA256's 8160 bytes")
        row["length"] = length
    return row


def c_string(text):
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F and ch != "?":
            out.append(ch)
        else:
            for byte in ch.encode("utf-8"):
                out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def c_bytes(name, data):
    lines = [f"static const uint8_t {name}[{len(data)}] = {{"]
    for start in range(0, len(data), 16):
        lines.append("    " + ", ".join(f"0x{b:02x}" for b in data[start:start + 16]) + ",")
    lines.append("};")
    return "\n".join(lines)


def generate(input_path, max_iterations, source_name=None):
    raw = open(input_path, "rb").read()
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise KatError(f"not JSON: {error}") from None
    found = []
    walk(document, None, "$", found)
    if not found:
        raise KatError("no vector found (no object names a primitive)")

    rows, skipped = [], {}
    for index, (primitive, node, path) in enumerate(found):
        name = node.get("name") or node.get("id") or f"{primitive}#{index}"
        name = str(name)
        where = f"{path} ({name})"
        if primitive in SKIPPED_PRIMITIVES:
            key = (primitive, SKIPPED_PRIMITIVES[primitive])
            skipped[key] = skipped.get(key, 0) + 1
            continue
        row = build(primitive, flatten(node, where), where)
        if primitive == "x25519-iterated" and row["iterations"] > max_iterations:
            key = (primitive, f"over {max_iterations} iterations (make KAT_MAX_ITERATIONS=N to run them)")
            skipped[key] = skipped.get(key, 0) + 1
            continue
        row["primitive"], row["name"] = primitive, name
        rows.append(row)
    if not rows:
        raise KatError("every vector was skipped: nothing to run")

    buffer_size = 64
    for row in rows:
        for key in C_BYTE_FIELDS:
            if row[key] is not None:
                buffer_size = max(buffer_size, len(row[key]) + 1)
        buffer_size = max(buffer_size, row["length"] + 1)

    digest = hashlib.sha256(raw).hexdigest()
    out = [
        f"/* Generated by Firmware/crypto/kat-to-c.py from {os.path.basename(input_path)} "
        f"(sha256 {digest}). Do not edit. */",
        "#include <stddef.h>",
        "#include <stdint.h>",
        '#include "kat.h"',
        "",
    ]
    if any(row[key] == b"" for row in rows for key in C_BYTE_FIELDS):
        out.append("static const uint8_t kat_empty[1] = {0}; /* an empty field: a pointer, length 0 */")
    for number, row in enumerate(rows):
        for key in C_BYTE_FIELDS:
            if row[key]:
                out.append(c_bytes(f"v{number}_{key}", row[key]))
    out.append("")
    out.append("const kat_vector kat_vectors[] = {")
    for number, row in enumerate(rows):
        parts = [f".primitive = {PRIMITIVES[row['primitive']]}", f".name = {c_string(row['name'])}"]
        for key in C_BYTE_FIELDS:
            value = row[key]
            if value is None:
                continue
            pointer = f"v{number}_{key}" if value else "kat_empty"
            parts.append(f".{key} = {{{pointer}, {len(value)}u}}")
        if row["length"]:
            parts.append(f".length = {row['length']}u")
        if row["iterations"]:
            parts.append(f".iterations = {row['iterations']}u")
        out.append("    { " + ", ".join(parts) + " },")
    out.append("};")
    out.append(f"const uint32_t kat_vector_count = {len(rows)}u;")
    out.append(f"const char kat_source[] = {c_string(source_name or os.path.relpath(input_path))};")
    lines = [f"{primitive}: {count} skipped, {why}" for (primitive, why), count in skipped.items()]
    out.append("const char *const kat_skipped[] = {" + "".join(f"\n    {c_string(line)}," for line in lines)
               + ("\n    NULL,\n" if not lines else "\n") + "};")
    out.append(f"const uint32_t kat_skipped_count = {len(lines)}u;")
    out.append(f"const uint32_t kat_buffer_size = {buffer_size}u;")
    out.append(f"uint8_t kat_buffer_a[{buffer_size}];")
    out.append(f"uint8_t kat_buffer_b[{buffer_size}];")
    summary = {}
    for row in rows:
        summary[row["primitive"]] = summary.get(row["primitive"], 0) + 1
    return "\n".join(out) + "\n", summary, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help="the vectors (JSON)")
    parser.add_argument("--output", required=True, help="the C file to write")
    parser.add_argument("--name", help="what the runner calls the input (default: its relative path)")
    parser.add_argument("--max-iterations", type=int, default=1000,
                        help="skip x25519-iterated vectors over this many iterations (default 1000)")
    args = parser.parse_args()
    try:
        text, summary, skipped = generate(args.input, args.max_iterations, args.name)
    except (KatError, OSError) as error:
        sys.exit(f"kat-to-c.py: {args.input}: {error}")
    # Written only when it changes, so that make, which runs this every time (the iteration limit
    # may change), recompiles the table only when it must.
    try:
        unchanged = open(args.output, encoding="utf-8").read() == text
    except OSError:
        unchanged = False
    if not unchanged:
        temporary = args.output + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, args.output)
    described = ", ".join(f"{name} {count}" for name, count in summary.items())
    print(f"kat-to-c.py: {args.input}: {sum(summary.values())} vectors ({described})"
          + "".join(f"; {line}" for line in skipped))


if __name__ == "__main__":
    main()
