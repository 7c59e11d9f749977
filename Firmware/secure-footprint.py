#!/usr/bin/env python3
"""Flash and RAM the security layer adds to a firmware image (make -C Firmware secure-footprint):
the symbols of the linked secure-golden.elf, by `nm --print-size`, that belong to the core's Noise
and sealed-frame code and the C API's secure session (Swift symbols whose demangled-free mangled
names carry Noise, Sealed, Handshake, Bytes32, AEADNonce, CCryptoProvider; pw_handshake_* and
pw_sealed_*), then the provider (sodium_provider.o, sodium_shim.o) and libsodium's subset as the
map file places them. The golden vectors' tables and the test program are counted in neither."""
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
    args = parser.parse_args()
    flash = ram = 0
    for line in subprocess.run([args.nm, "--print-size", "--size-sort", args.elf], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) != 4 or not SECURITY.search(parts[3]):
            continue
        size, kind = int(parts[1], 16), parts[2].lower()
        if kind in ("t", "r", "w", "v"):
            flash += size
        elif kind in ("d",):
            flash += size
            ram += size
        elif kind in ("b",):
            ram += size
    # The provider and libsodium, by input object in the map (every section they bring).
    crypto_flash = crypto_ram = 0
    section = None
    text = open(args.map).read().split("Linker script and memory map", 1)[-1]
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
        if not re.search(r"libsodium-pumpwire\.a|sodium_provider\.o|sodium_shim\.o", obj):
            continue
        if section.startswith((".text", ".rodata", ".srodata")):
            crypto_flash += size
        elif section.startswith((".data", ".sdata")):
            crypto_flash += size
            crypto_ram += size
        elif section.startswith((".bss", ".sbss")) or "COMMON" in section:
            crypto_ram += size
    print(f"{args.target}: security layer (core Noise + sealed frames + C API): flash {flash} B, RAM {ram} B static; "
          f"provider + libsodium subset: flash {crypto_flash} B, RAM {crypto_ram} B; total flash {flash + crypto_flash} B")


if __name__ == "__main__":
    main()
