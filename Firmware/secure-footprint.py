#!/usr/bin/env python3
"""Flash and RAM the security layer adds to a firmware image (make -C Firmware secure-footprint):
the symbols of the linked secure-golden.elf, by `nm --print-size`, that belong to the core's Noise
and sealed-frame code and the C API's secure session (Swift symbols whose demangled-free mangled
names carry Noise, Sealed, Handshake, Bytes32, AEADNonce, CCryptoProvider; pw_handshake_* and
pw_sealed_*), then the provider (sodium_provider.o, sodium_shim.o) and libsodium's subset as the
map file places them. The golden vectors' tables and the test program are counted in neither.

The pump's own symbols (PUMP below) are left out of the security layer's line. With --map-without-pump (secure-golden-nopump.elf, the same program built
without the secure pump), it also prints what the secure pump (PW-SEC-21, pw_secure_pump_*) adds:
the core's and the C API's input sections (PumpWireCore.o, PumpWireC.o) in the map with the pump
less without it, so code the pump shares with the codec and the session is not counted twice and
code only the pump pulls in (message types, log records, sealing a Message) is; the pump's own
symbols by name; and the caller-owned RAM secure_golden.c gives it (its state, step and buffers)."""
import argparse
import re
import subprocess

SECURITY = re.compile(r"Noise|Sealed|Handshake|Bytes32|AEADNonce|CCryptoProvider|CHandshake|CSealedChannel|"
                      r"^pw_handshake_|^pw_sealed_|CryptoProvider")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nm", required=True)
    parser.add_argument("--elf", required=True)
    parser.add_argument("--map", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--map-without-pump")
    args = parser.parse_args()
    flash = ram = 0
    for line in subprocess.run([args.nm, "--print-size", "--size-sort", args.elf], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) != 4 or not SECURITY.search(parts[3]) or PUMP.search(parts[3]):
            continue
        size, kind = int(parts[1], 16), parts[2].lower()
        if kind in ("t", "r", "w", "v"):
            flash += size
        elif kind in ("d",):
            flash += size
            ram += size
        elif kind in ("b",):
            ram += size
    crypto_flash, crypto_ram = objects_in_map(args.map, r"libsodium-pumpwire\.a|sodium_provider\.o|sodium_shim\.o")
    print(f"{args.target}: security layer (core Noise + sealed frames + C API): flash {flash} B, RAM {ram} B static; "
          f"provider + libsodium subset: flash {crypto_flash} B, RAM {crypto_ram} B; total flash {flash + crypto_flash} B")
    if args.map_without_pump:
        core = r"PumpWireCore\.o|PumpWireC\.o"
        with_flash, with_ram = objects_in_map(args.map, core)
        without_flash, without_ram = objects_in_map(args.map_without_pump, core)
        own = symbols(args.nm, args.elf, PUMP)
        state = symbols(args.nm, args.elf, re.compile(r"^(pump|pump_step|pump_answer|pump_work)$"), sizes=True)
        print(f"{args.target}: secure pump (core + C API, pw_secure_pump_*): flash {with_flash - without_flash} B "
              f"({with_flash} B with it, {without_flash} B without), static RAM {with_ram - without_ram} B; "
              f"of which its own symbols by name {own[0]} B; caller-owned RAM {sum(state[2].values())} B "
              + "(" + ", ".join(f"{k} {v}" for k, v in sorted(state[2].items())) + ")")


PUMP = re.compile(r"SecurePump|pw_secure_pump_|SecureRequest|PatientBolusRequest|DeviceEnrollment|DeviceRevocation|"
                  r"SessionClose|SecurityLog|SessionStarted|SessionEnded|DevicePaired|DeviceUnpaired|DeviceSlotRecord|"
                  r"SecurityRejection|HandshakeFinish|HandshakeRequest|HandshakeResponse")


def symbols(nm, elf, pattern, sizes=False):
    """Flash and RAM of the symbols whose names match, and (sizes) each one's size."""
    flash = ram = 0
    each = {}
    for line in subprocess.run([nm, "--print-size", "--size-sort", elf], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) != 4 or not pattern.search(parts[3]):
            continue
        size, kind = int(parts[1], 16), parts[2].lower()
        if kind in ("t", "r", "w", "v"):
            flash += size
        elif kind == "d":
            flash += size
            ram += size
        elif kind == "b":
            ram += size
        if sizes:
            each[parts[3]] = size
    return flash, ram, each


def objects_in_map(map_path, objects):
    """Flash and RAM of the input sections of the objects (a regex on the map's object column)."""
    flash = ram = 0
    section = None
    text = open(map_path).read().split("Linker script and memory map", 1)[-1]
    pending = None
    for line in text.splitlines():
        m = re.match(r"^ (\.[\w.$]+)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.[\w.$]+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$", line)
        if not m:
            pending = None if not line.startswith("  ") else pending
            continue
        section = m.group(1) or pending
        pending = None
        size, obj = int(m.group(3), 16), m.group(4)
        if size == 0 or section is None:
            continue
        if not re.search(objects, obj):
            continue
        if section.startswith((".text", ".rodata", ".srodata")):
            flash += size
        elif section.startswith((".data", ".sdata")):
            flash += size
            ram += size
        elif section.startswith((".bss", ".sbss")) or "COMMON" in section:
            ram += size
    return flash, ram


if __name__ == "__main__":
    main()
