#!/usr/bin/env bash
# Compiles PumpWireCore in Embedded Swift with -no-allocations: any heap use in the core is a
# compile error here. Flags from shared/notes/firmware.md. Usage: build-embedded-core.sh [arm|riscv32|all]
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build-embedded
mkdir -p "$out"
common=(-enable-experimental-feature Embedded -wmo -parse-as-library -Osize -module-name PumpWireCore
        -Xfrontend -function-sections -Xfrontend -disable-stack-protector -no-allocations)

build() {
    local name=$1; shift
    swiftc "${common[@]}" "$@" -c Sources/PumpWireCore/*.swift -o "$out/PumpWireCore-$name.o"
    echo "built $out/PumpWireCore-$name.o ($(wc -c < "$out/PumpWireCore-$name.o") bytes)"
}

target=${1:-all}
if [[ $target == arm || $target == all ]]; then
    build armv7em -target armv7em-none-none-eabi -Xcc -mcpu=cortex-m4 -Xcc -mfloat-abi=soft -Xcc -fshort-enums
fi
if [[ $target == riscv32 || $target == all ]]; then
    build riscv32 -target riscv32-none-none-eabi -Xcc -march=rv32imac -Xcc -mabi=ilp32
fi
