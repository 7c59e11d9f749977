#!/usr/bin/env python3
"""Writes eventlog-resumed.hex: a programmer reading a 4000-byte event log (spec 13), compressed.

Two chunks of the first transfer are lost; the programmer asks again for the rest of the image
from the point it had inflated to (PW-IMAGE-7), and the pump answers with a transfer of its own.
Frames are built from the spec alone (section 4.1, 9.7, 9.8, 13.4), one per line, with comments.
"""
import binascii, struct, zlib

def crc16(data): return binascii.crc_hqx(data, 0xFFFF)

def frame(msg_type, seq, payload):
    head = bytes([0xA5, 0xC3, 1, msg_type, 0]) + struct.pack("<HH", seq, len(payload))
    body = head + payload
    return body + struct.pack("<H", crc16(body))

def record(rtype, time, body):
    raw = bytes([rtype, 0]) + struct.pack("<I", time) + body.ljust(12, b"\0")
    return raw + struct.pack("<H", crc16(raw))

records = []
for i in range(200):
    t = 847584000 + 3600 * i
    if i % 4 == 0: records.append(record(0x03, t, bytes([4, 0]) + struct.pack("<IIH", 5000, 10000, 5)))
    elif i % 4 == 1: records.append(record(0x04, t, bytes([3]) + struct.pack("<II", 2000, 20000 - 5 * i)))
    elif i % 4 == 2: records.append(record(0x01, t, struct.pack("<II", 0x1B4CB7A6 + i, 0x1B4CB7A5 + i) + bytes([1])))
    else: records.append(record(0x05, t, struct.pack("<I", t - 7)))
image = b"".join(records)
crc = zlib.crc32(image)

def chunks(img, region_offset, seq):
    transfer = zlib.compress(img, 9)
    assert len(transfer) <= len(img)
    count = (len(transfer) + 217) // 218
    return [frame(0x85, seq, bytes([1, 1]) + struct.pack("<HHIIII", i, count, region_offset, len(img), zlib.crc32(img), i * 218)
                  + transfer[i * 218:(i + 1) * 218]) for i in range(count)], transfer

def request(seq, offset, length):
    return frame(0x05, seq, bytes([1, 1]) + struct.pack("<II", offset, length))

first, transfer = chunks(image, 0, 12)
lost = {3, 4}
# What inflates from chunks 0..2, held in order: the point to resume from.
prefix = len(zlib.decompressobj().decompress(transfer[:3 * 218]))
second, _ = chunks(image[prefix:], prefix, 13)
lines = ["# pumpwire dump reassemble example: event log of 200 records (4000 bytes), zlib, two chunks lost",
         "# request: eventLog, compressionAllowed, offset 0, length 4000", request(12, 0, len(image)).hex()]
lines += [f.hex() for i, f in enumerate(first) if i not in lost]
lines += [f"# resumption request: the rest from image offset {prefix}", request(13, prefix, len(image) - prefix).hex()]
lines += [f.hex() for f in second]
open("eventlog-resumed.hex", "w").write("\n".join(lines) + "\n")
print(f"image {len(image)} bytes, crc32 {crc:#010x}, first transfer {len(first)} chunks ({len(lost)} lost), resumed from {prefix} in {len(second)} chunks")
