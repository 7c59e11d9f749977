#!/usr/bin/env python3
"""Drive the Python testee as a child process over the binary testee protocol
(spec/conformance.md section 2), end to end: HELLO, DECODE_FRAME, DECODE_FIELDS, a REJECTED case,
CRC16, CRC32, reassembly, STREAM, DERIVE, SESSION, DUMP, LOG, an unknown request, and exit on EOF.

    python3 examples/python-testee/drive.py [TESTEE COMMAND...]

Without arguments it runs `python3 pumpwire_testee.py` from this directory. Standard library only;
it builds its frames itself (with its own bitwise CRC-16) instead of importing the testee.
"""

import os
import re
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.normpath(os.path.join(HERE, "..", "..", "spec", "pumpwire-v1.md"))


def crc16(data):  # CRC-16/IBM-3740, bitwise (independent of the testee's table-driven one)
    crc = 0xffff
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xffff if crc & 0x8000 else (crc << 1) & 0xffff
    return crc


def frame(tc, seq, payload, flags=0):
    body = b"\xa5\xc3\x01" + bytes([tc, flags]) + struct.pack("<HH", seq, len(payload)) + payload
    return body + struct.pack("<H", crc16(body))


def hex_block(block):
    return bytes.fromhex("".join(line.split(";", 1)[0] for line in block.splitlines()))


def spec_frames():
    text = open(SPEC, encoding="utf-8").read()
    out = {}
    for name, block in re.findall(r"```pumpwire-hex (\w+)\n(.*?)```", text, re.S):
        out[name] = hex_block(block)
    return out


def spec_log_record():
    """The worked example record of spec 13.4 (a ```text block)."""
    text = open(SPEC, encoding="utf-8").read()
    return hex_block(re.search(r"```text\n(.*?)```", text[text.index("### 13.4"):], re.S).group(1))


class Child:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, body):
        self.p.stdin.write(struct.pack("<I", len(body)) + body)
        self.p.stdin.flush()
        n = self.p.stdout.read(4)
        if len(n) != 4:
            raise SystemExit("testee closed its output (exit %r)" % self.p.poll())
        (length,) = struct.unpack("<I", n)
        return self.p.stdout.read(length)

    def close(self):
        self.p.stdin.close()
        extra = self.p.stdout.read()
        return self.p.wait(timeout=10), extra


failures = 0


def expect(what, got, want):
    global failures
    ok = got == want
    failures += not ok
    print("%-4s %s" % ("ok" if ok else "FAIL", what)
          + ("" if ok else "\n     got  %.300r\n     want %.300r" % (got, want)))


def main(argv):
    cmd = argv[1:] or [sys.executable, os.path.join(HERE, "pumpwire_testee.py")]
    ex = spec_frames()
    c = Child(cmd)

    r = c.call(b"\x00\x01")                                                     # HELLO
    capabilities = struct.unpack("<I", r[2:6])[0]    # 0x3ff with `cryptography` (secure), else 0x1ff
    expect("HELLO", (r[0], r[1], capabilities in (0x1ff, 0x3ff), r[6:].decode()),
           (0, 1, True, "pumpwire-python-testee 1"))
    if capabilities & 0x200:                                                    # secure (2.4.10)
        expect("HANDSHAKE_SPLIT before HANDSHAKE_BEGIN", c.call(b"\x13"), b"\x01" + struct.pack("<HI", 104, 0xffff))
        expect("HANDSHAKE_BEGIN with an unknown pattern", c.call(b"\x10\x03\x00")[:18], b"\x03malformed request")

    for name, f in sorted(ex.items()):                                          # DECODE_FRAME
        expect("DECODE_FRAME %s (canonical = input)" % name, c.call(b"\x01" + f), b"\x00" + f)

    lines = c.call(b"\x02" + ex["prescriptionBlock"])                           # DECODE_FIELDS
    fields = dict(line.split("=", 1) for line in lines[1:].decode().splitlines())
    expect("DECODE_FIELDS prescriptionBlock", (lines[0], fields["message.steps.1.startMinute"],
                                               fields["message.drug"], fields["authentication"]),
           (0, "420", "morphine", "null"))

    bad = bytearray(ex["interrogationRequest"])                                 # REJECTED
    bad[-1] ^= 0xff
    expect("REJECTED BAD_CRC at 9", c.call(b"\x01" + bytes(bad)), b"\x01" + struct.pack("<HI", 7, 9))
    expect("REJECTED TRAILING_BYTES at 11", c.call(b"\x01" + ex["interrogationRequest"] + b"\x00"),
           b"\x01" + struct.pack("<HI", 6, 11))
    expect("REJECTED DAY_PROFILE_GAP at 30",
           c.call(b"\x01" + frame(2, 2, ex["prescriptionBlock"][9:30] + b"\x01" + ex["prescriptionBlock"][31:-2])),
           b"\x01" + struct.pack("<HI", 13, 30))

    expect("CRC16", c.call(b"\x03123456789"), b"\x00" + struct.pack("<H", 0x29b1))
    expect("CRC32", c.call(b"\x04123456789"), b"\x00" + struct.pack("<I", 0xcbf43926))

    # Reassembly: an unknown type 0x7f, 300-byte payload, 2 fragments, sent out of order.
    payload = bytes(range(256)) + bytes(44)
    frags = [frame(0x7f, 3, bytes([k, 2]) + struct.pack("<H", 300) + payload[236 * k:236 * (k + 1)], flags=1)
             for k in range(2)]
    expect("REASSEMBLER_RESET", c.call(b"\x05"), b"\x00")
    expect("REASSEMBLER_ADD 1", c.call(b"\x06" + frags[1]), b"\x00\x00")
    expect("REASSEMBLER_ADD 1 again (duplicate)", c.call(b"\x06" + frags[1]), b"\x00\x01")
    expect("REASSEMBLER_ADD 0 (complete)", c.call(b"\x06" + frags[0]), b"\x00\x02\x7f" + payload)
    expect("REASSEMBLER_ADD 0 (new message)", c.call(b"\x06" + frags[0]), b"\x00\x00")
    expect("REASSEMBLER_GIVE_UP", c.call(b"\x07"), b"\x01" + struct.pack("<HI", 36, 236))
    expect("REASSEMBLER_GIVE_UP (empty)", c.call(b"\x07"), b"\x00")

    # STREAM: noise, a frame, a frame with a bad CRC, then a cut-off frame.
    a = ex["interrogationRequest"]
    stream = b"\x00\x00" + a + bytes(bad) + a[:5]
    want = (struct.pack("<I", 4)
            + b"\x02" + struct.pack("<I", 0) + struct.pack("<HIB", 2, 0, 0)
            + b"\x00" + struct.pack("<I", 2) + struct.pack("<H", len(a)) + a
            + b"\x02" + struct.pack("<I", 2 + len(a)) + struct.pack("<HIB", 7, 9, 0)
            + b"\x02" + struct.pack("<I", 2 + 2 * len(a)) + struct.pack("<HIB", 1, 5, 0))
    expect("STREAM", c.call(b"\x08" + stream), b"\x00" + want)

    rx, refill = ex["prescriptionBlock"], ex["refillConfirmation"]               # DERIVE
    expect("DERIVE", c.call(b"\x09" + struct.pack("<H", len(rx)) + rx + struct.pack("<H", len(refill)) + refill),
           b"\x00" + struct.pack("<QQI", 390000, 780000, 851575260))

    def session(frames):
        return b"\x0a" + struct.pack("<H", len(frames)) + b"".join(struct.pack("<H", len(f)) + f for f in frames)
    # The typical session of 11.2 (sequences 1 to 5), from the worked examples plus the bolus
    # schedule's acknowledgement (digest: zlib's CRC-32, used here only as a cross-check).
    bolus = ex["bolusSchedule"]
    bolus_ack = frame(0xf0, 3, b"\x03" + struct.pack("<I", zlib.crc32(bolus[9:-2])))
    clean = [ex["interrogationRequest"], ex["pumpStatus"], ex["prescriptionBlock"], ex["acknowledgement"],
             bolus, bolus_ack, ex["refillConfirmation"], ex["refillReceipt"], ex["memoryDumpRequest"],
             ex["memoryDumpChunk"]]
    expect("SESSION clean", c.call(session(clean)), b"\x00\x00\x00")
    skipped = [f for f in clean if f not in (bolus, bolus_ack)]
    expect("SESSION gap (bolus schedule left out)", c.call(session(skipped)),
           b"\x00" + struct.pack("<HHH", 1, 4, 64))
    # A request answered with the wrong sequence: SEQUENCE_MISMATCH at 1, then NO_RESPONSE at 0.
    expect("SESSION findings", c.call(session([ex["interrogationRequest"], ex["acknowledgement"]])),
           b"\x00" + struct.pack("<H", 2) + struct.pack("<HH", 1, 67) + struct.pack("<HH", 0, 72))

    # DUMP (conformance.md 2.4.8): each frame's outcome, then the image or the error.
    def dump(frames):
        return b"\x0b" + struct.pack("<H", len(frames)) + b"".join(struct.pack("<H", len(f)) + f for f in frames)

    def zlib_chunks(image, seq=5):
        z = zlib.compress(image)
        count = -(-len(z) // 218)
        return [frame(0x85, seq, struct.pack("<BBHHIIII", 1, 1, i, count, 0, len(image), zlib.crc32(image), 218 * i)
                      + z[218 * i:218 * (i + 1)]) for i in range(count)]
    expect("DUMP the 9.8 example", c.call(dump([ex["memoryDumpChunk"]])),
           b"\x00" + struct.pack("<H", 1) + b"\x00" + b"\x00" + struct.pack("<I", 5) + bytes([1, 2, 3, 4, 5]))
    image = b"".join(b"%06d event\n" % i for i in range(2000))
    zc = zlib_chunks(image)
    expect("DUMP a zlib transfer of %d chunks, last first, two duplicates" % len(zc),
           c.call(dump(zc[-1:] + zc + zc[:1])),
           b"\x00" + struct.pack("<H", len(zc) + 2) + bytes(len(zc)) + b"\x01\x01"
           + b"\x00" + struct.pack("<I", len(image)) + image)
    expect("DUMP chunks missing, a frame that is not a chunk", c.call(dump([zc[1], ex["acknowledgement"]])),
           b"\x00" + struct.pack("<H", 2) + b"\x00" + b"\x02" + struct.pack("<HIB", 10, 3, 0)
           + b"\x01" + struct.pack("<HIH", 55, 0, len(zc) - 1)
           + b"".join(struct.pack("<H", i) for i in range(len(zc)) if i != 1))
    bomb = zlib.compress(bytes(4 * 1024 * 1024), 9)       # 4 MiB of zeros in about 4 KB
    n_bomb = -(-len(bomb) // 218)
    bomb_chunks = [frame(0x85, 5, struct.pack("<BBHHIIII", 1, 1, i, n_bomb, 0, len(bomb), 0, 218 * i)
                         + bomb[218 * i:218 * (i + 1)]) for i in range(n_bomb)]
    expect("DUMP a decompression bomb: IMAGE_LENGTH_MISMATCH", c.call(dump(bomb_chunks)),
           b"\x00" + struct.pack("<H", n_bomb) + bytes(n_bomb) + b"\x01" + struct.pack("<HIH", 58, 0, 0))
    expect("DUMP nothing added", c.call(dump([])), b"\x00" + struct.pack("<H", 0) + b"\x02")

    # LOG (conformance.md 2.4.9): the 13.4 example after a partial slot, then two erased slots.
    def log(region, region_offset, image):
        return b"\x0c" + struct.pack("<BI", region, region_offset) + image
    record = spec_log_record()
    expect("LOG", c.call(log(1, 15, b"\x00" * 5 + record + b"\xff" * 40)),
           b"\x00" + struct.pack("<I", 3) + b"\x02" + struct.pack("<IHI", 0, 61, 0)
           + b"\x00" + struct.pack("<I", 5) + record + b"\x01" + struct.pack("<II", 25, 2))
    expect("LOG a damaged record", c.call(log(1, 0, record[:-1] + b"\x00")),
           b"\x00" + struct.pack("<I", 1) + b"\x02" + struct.pack("<IHI", 0, 60, 18))
    expect("LOG rawAddress: REJECTED", c.call(log(4, 0, record)), b"\x01" + struct.pack("<HI", 10, 0))

    expect("unknown request code: SKIPPED", c.call(b"\x7e"), b"\x02")
    status, extra = c.close()
    expect("exit 0 on EOF, nothing else on stdout", (status, extra), (0, b""))
    print("drive.py: %s" % ("all passed" if not failures else "%d FAILED" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
