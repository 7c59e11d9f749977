#!/usr/bin/env python3
"""Writes a large capture for measuring the commands: the packets of the committed session and
zlib-dump captures (vectors/captures/), repeated until the file reaches the size asked for, as
pcapng (one section, one interface of link type 147) and, with --raw, as the raw byte stream of
the same frames. Standard library only; the blocks are copied, not re-encoded."""
import struct, sys, argparse, os

def packets(path):
    data = open(path, 'rb').read()
    offset, found = 0, []
    while offset + 12 <= len(data):
        kind, length = struct.unpack_from('<II', data, offset)
        if kind == 6:
            captured = struct.unpack_from('<I', data, offset + 20)[0]
            found.append(data[offset + 28:offset + 28 + captured])
        offset += length
    return found

def epb(frame):
    pad = (4 - len(frame) % 4) % 4
    body = struct.pack('<IIIII', 0, 0, 0, len(frame), len(frame)) + frame + b'\0' * pad
    return struct.pack('<II', 6, len(body) + 12) + body + struct.pack('<I', len(body) + 12)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('output')
    parser.add_argument('--bytes', type=int, default=1_000_000_000)
    parser.add_argument('--raw', help='also write the frames as a raw stream here')
    args = parser.parse_args()
    root = os.path.join(os.path.dirname(__file__), '..', '..', 'vectors', 'captures')
    frames = packets(os.path.join(root, 'session-complete.pcapng')) + packets(os.path.join(root, 'zlib-dump.pcapng'))
    shb_body = struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)
    shb = struct.pack('<II', 0x0A0D0D0A, len(shb_body) + 12) + shb_body + struct.pack('<I', len(shb_body) + 12)
    idb_body = struct.pack('<HHI', 147, 0, 65535)
    idb = struct.pack('<II', 1, len(idb_body) + 12) + idb_body + struct.pack('<I', len(idb_body) + 12)
    block = b''.join(epb(f) for f in frames)
    raw_block = b''.join(frames)
    with open(args.output, 'wb') as out:
        out.write(shb + idb)
        written = len(shb + idb)
        repeats = 0
        while written + len(block) <= args.bytes:
            out.write(block)
            written += len(block)
            repeats += 1
    if args.raw:
        with open(args.raw, 'wb') as out:
            for _ in range(repeats):
                out.write(raw_block)
    print(f'{args.output}: {written} bytes, {repeats} repeats of {len(frames)} frames')

main()
