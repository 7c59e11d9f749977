#!/usr/bin/env python3
"""The core's footprint in a linked firmware image, from the GNU ld map file, and its peak stack
from the testee's stack report (TESTEE_MEASURE_STACK). Only the input sections of the core's
objects (PumpWireCore.o, and PumpWireC.o, its C API) are counted: the C library, libgcc, the
platform layer and the testee are not ours.

    footprint.py --target arm --map .build-firmware/arm/testee.map --stack .build-firmware/arm/stack.txt
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
    for prefix, kind in ((".text", "text"), (".rodata", "rodata"), (".srodata", "rodata"),
                         (".data", "data"), (".sdata", "data"), (".bss", "bss"), (".sbss", "bss"),
                         ("COMMON", "bss"), (".ARM.exidx", "rodata"), (".ARM.extab", "rodata"),
                         (".init_array", "rodata")):
        if section.startswith(prefix):
            return kind
    return "other"


def core_sizes(map_path):
    """Bytes per kind and per object, of the core's input sections kept in the image."""
    lines = open(map_path, encoding="utf-8", errors="replace").read().split("\n")
    try:
        start = lines.index("Linker script and memory map")
    except ValueError:
        sys.exit(f"{map_path}: not a GNU ld map file")
    sizes = {obj: {"text": 0, "rodata": 0, "data": 0, "bss": 0, "other": 0} for obj in CORE_OBJECTS}
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
        kind = kind_of(section)
        if obj in sizes and kind and size:
            sizes[obj][kind] += size
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
    args = parser.parse_args()

    sizes = core_sizes(args.map)
    total = {kind: sum(sizes[obj][kind] for obj in CORE_OBJECTS) for kind in ("text", "rodata", "data", "bss", "other")}
    flash = total["text"] + total["rodata"] + total["data"] + total["other"]  # .data's initial values live in flash
    ram = total["data"] + total["bss"]
    print(f"{args.target}: core flash {flash} B ({flash / 1024:.1f} KiB: text {total['text']}, rodata {total['rodata']}, "
          f"data {total['data']}, other {total['other']}), RAM {ram} B (data {total['data']}, bss {total['bss']})")
    for obj in CORE_OBJECTS:
        s = sizes[obj]
        print(f"  {obj:16} text {s['text']:6}  rodata {s['rodata']:6}  data {s['data']:4}  bss {s['bss']:4}  other {s['other']:4}")
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
