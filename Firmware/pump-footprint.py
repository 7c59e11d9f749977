#!/usr/bin/env python3
"""What the pump engine (spec/behaviour.md: PumpEngine and SecurePumpEngine of the core, pw_pump_* of
the C API) costs a firmware, for `make -C Firmware pump-footprint`:

- flash and static RAM: the input sections of PumpWireCore.o and PumpWireC.o in testee.map less
  those in testee-nopump.map (the same testee built with -DTESTEE_PUMP=0), so that code the engine
  shares with the codec and the security layer is not counted, and code only the engine pulls in
  is; then what the testee's hooks add (testee.o);
- the caller-owned state: the size of the testee's `g_hooks` (a pw_pump, two flags and the frame count);
- peak stack: of each pw_pump call over the conformance run (the testee's stack report, stack.txt)
  and in pump-measure.elf (a simulated day, whole-region dumps: pump-measure.txt).

    pump-footprint.py --target cortex-m4 --nm arm-none-eabi-nm --elf testee.elf --map testee.map \\
        --map-without-pump testee-nopump.map --stack stack.txt --measure pump-measure.txt
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from footprint import core_sizes, stack_report  # noqa: E402

CORE = ("PumpWireCore.o", "PumpWireC.o")


def flash_ram(sizes, objects):
    total = {kind: sum(sizes[obj][kind] for obj in objects) for kind in ("text", "rodata", "data", "bss", "other")}
    flash = total["text"] + total["rodata"] + total["data"] + total["other"]
    return flash, total["data"] + total["bss"], total


def symbol_size(nm, elf, name):
    """The size of the symbol `name` (a static one too), or None."""
    out = subprocess.run([nm, "--print-size", elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and parts[3] == name:
            return int(parts[1], 16)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True)
    parser.add_argument("--nm", required=True)
    parser.add_argument("--elf", required=True, help="testee.elf")
    parser.add_argument("--map", required=True, help="testee.map")
    parser.add_argument("--map-without-pump", required=True, help="testee-nopump.map")
    parser.add_argument("--stack", help="the testee's stack report from the conformance run")
    parser.add_argument("--measure", help="pump-measure.elf's output")
    args = parser.parse_args()

    with_core = flash_ram(core_sizes(args.map, CORE), CORE)
    without_core = flash_ram(core_sizes(args.map_without_pump, CORE), CORE)
    with_testee = flash_ram(core_sizes(args.map, ("testee.o",)), ("testee.o",))
    without_testee = flash_ram(core_sizes(args.map_without_pump, ("testee-nopump.o",)), ("testee-nopump.o",))
    hooks = symbol_size(args.nm, args.elf, "g_hooks")

    print(f"{args.target}: pump engine (core + C API, pw_pump_*): flash {with_core[0] - without_core[0]} B "
          f"(text {with_core[2]['text'] - without_core[2]['text']}, rodata {with_core[2]['rodata'] - without_core[2]['rodata']}; "
          f"{with_core[0]} B with it, {without_core[0]} B without), static RAM {with_core[1] - without_core[1]} B")
    print(f"  the testee's pump hooks (testee.o): flash {with_testee[0] - without_testee[0]} B, "
          f"RAM {with_testee[1] - without_testee[1]} B (g_hooks {hooks} B: a pw_pump, two flags and the frame count)")
    if args.stack:
        peaks = stack_report(args.stack)
        calls = {name: value for name, value in peaks.items() if name.startswith("pw_pump_")}
        if not calls:
            sys.exit(f"{args.stack}: no pw_pump_* call in the stack report (did the pump scenarios run?)")
        print("  peak stack per pw_pump call over the conformance run (bytes below the caller's stack pointer):")
        for name, value in sorted(calls.items(), key=lambda item: -item[1]):
            print(f"    {name:24} {value:6}")
    if args.measure:
        lines = [line.rstrip("\n") for line in open(args.measure, encoding="utf-8", errors="replace")]
        stack = [line for line in lines if line.startswith("stack ")]
        if not stack or not lines or lines[-1] != "pump measure: passed":
            sys.exit(f"{args.measure}: no passing run of pump-measure.elf")
        print("  peak stack in pump-measure.elf:")
        for line in stack:
            label, value = line[len("stack "):].rsplit(" ", 1)
            print(f"    {label:76} {int(value):6}")


if __name__ == "__main__":
    main()
