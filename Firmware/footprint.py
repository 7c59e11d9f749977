#!/usr/bin/env python3
"""The core's footprint in a linked firmware image, from the GNU ld map file, and its peak stack
from the testee's stack report (TESTEE_MEASURE_STACK). Only the input sections of the core's
objects (PumpWireCore.o, and PumpWireC.o, its C API) are counted: the C library, libgcc, the
platform layer and the testee are not ours.

    footprint.py --target arm --map .build-firmware/arm/testee.map --stack .build-firmware/arm/stack.txt

With --objects, the named objects or static libraries instead (a library's members are listed one
by one), e.g. the cryptography provider as the KAT program links it:

    footprint.py --target arm --map .build-firmware/crypto/arm/crypto-kat.map --label crypto \
        --objects libsodium-pumpwire.a sodium_provider.o sodium_shim.o
"""
import argparse
import re
import sys

CORE_OBJECTS = ("PumpWireCore.o", "PumpWireC.o")
SKIPPED = (".debug", ".comment", ".note", ".ARM.attributes", ".riscv.attributes", ".stab", ".swift_modhash")


def kind_of(section):
    """text, rodata, data or bss by the input section's name; None for what is not loaded."""
    if section.startswith(SKIPPED):
        return None
    if section.startswith(".bigbuf"):  # NOLOAD RAM of the QEMU machines (the testee's request and response buffers)
        return "bigbuf"
    for prefix, kind in ((".text", "text"), (".rodata", "rodata"), (".srodata", "rodata"),
                         (".data", "data"), (".sdata", "data"), (".bss", "bss"), (".sbss", "bss"),
                         ("COMMON", "bss"), (".ARM.exidx", "rodata"), (".ARM.extab", "rodata"),
                         (".init_array", "rodata")):
        if section.startswith(prefix):
            return kind
    return "other"


def zero_sizes():
    return {"text": 0, "rodata": 0, "data": 0, "bss": 0, "other": 0, "bigbuf": 0}


def core_sizes(map_path, objects=CORE_OBJECTS, members=None):
    """Bytes per kind and per object, of the objects' input sections kept in the image. An object
    may be a static library (name.a): its members count towards it, and each member is also
    counted in `members` ("name.a(member.o)") when a dict is given."""
    lines = open(map_path, encoding="utf-8", errors="replace").read().split("\n")
    try:
        start = lines.index("Linker script and memory map")
    except ValueError:
        sys.exit(f"{map_path}: not a GNU ld map file")
    sizes = {obj: zero_sizes() for obj in objects}
    entry = re.compile(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)")
    section = None
    for line in lines[start:]:
        if line.startswith(" .") or line.startswith(" COMMON"):
            parts = line.split()
            section = parts[0]
            if len(parts) >= 4 and parts[1].startswith("0x"):  # name, address, size and file on one line
                line = "  " + " ".join(parts[1:])
            else:
                continue
        match = entry.match(line)
        if not match or section is None:
            continue
        size, path = int(match.group(1), 16), match.group(2)
        obj = path.rsplit("/", 1)[-1]
        member = None
        if obj.endswith(")") and "(" in obj:  # an archive member: lib.a(member.o)
            obj, member = obj[:-1].split("(", 1)
        kind = kind_of(section)
        if obj in sizes and kind and size:
            sizes[obj][kind] += size
            if member is not None and members is not None:
                members.setdefault(f"{obj}({member})", zero_sizes())[kind] += size
        section = None
    return sizes


def stack_report(path):
    """The most per function over every report in the file: the testee may have been started
    several times in one conformance run, and each run prints its own report."""
    peaks = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        parts = line.split()
        if len(parts) == 3 and parts[0] == "stack" and parts[2].isdigit():
            peaks[parts[1]] = max(peaks.get(parts[1], 0), int(parts[2]))
    return peaks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True)
    parser.add_argument("--map", required=True)
    parser.add_argument("--stack", help="the testee's stderr from a conformance run")
    parser.add_argument("--objects", nargs="+", default=list(CORE_OBJECTS),
                        help="objects or static libraries to count (default: the core's)")
    parser.add_argument("--label", default="core", help="what they are called in the report")
    args = parser.parse_args()

    members = {}
    sizes = core_sizes(args.map, tuple(args.objects), members)
    if not any(sum(s.values()) for s in sizes.values()):
        sys.exit(f"{args.map}: none of {', '.join(args.objects)} is in the image")
    total = {kind: sum(sizes[obj][kind] for obj in args.objects) for kind in zero_sizes()}
    flash = total["text"] + total["rodata"] + total["data"] + total["other"]  # .data's initial values live in flash
    ram = total["data"] + total["bss"]
    print(f"{args.target}: {args.label} flash {flash} B ({flash / 1024:.1f} KiB: text {total['text']}, rodata {total['rodata']}, "
          f"data {total['data']}, other {total['other']}), RAM {ram} B (data {total['data']}, bss {total['bss']})"
          + (f", and {total['bigbuf']} B in .bigbuf" if total["bigbuf"] else ""))
    width = max(16, max(len(obj) for obj in args.objects), max((len(m) - 2 for m in members), default=0))
    for obj in args.objects:
        s = sizes[obj]
        print(f"  {obj:{width}} text {s['text']:6}  rodata {s['rodata']:6}  data {s['data']:4}  bss {s['bss']:4}  other {s['other']:4}")
        kept = sorted(((name, m) for name, m in members.items() if name.startswith(obj + "(")),
                      key=lambda item: -sum(item[1].values()))
        for name, m in kept:
            print(f"    {name[len(obj) + 1:-1]:{width - 2}} text {m['text']:6}  rodata {m['rodata']:6}  data {m['data']:4}  bss {m['bss']:4}  other {m['other']:4}")
    if args.stack:
        peaks = stack_report(args.stack)
        if not peaks:
            sys.exit(f"{args.stack}: no stack report (was the testee built with TESTEE_MEASURE_STACK and run to the end?)")
        width = max(len(name) for name in peaks)
        print(f"  peak stack per call over the whole corpus (bytes below the caller's stack pointer):")
        for name, value in sorted(peaks.items(), key=lambda item: -item[1]):
            if name != "peak":
                print(f"    {name:{width}} {value:5}")
        print(f"    {'peak':{width}} {peaks.get('peak', max(peaks.values())):5}")


if __name__ == "__main__":
    main()
