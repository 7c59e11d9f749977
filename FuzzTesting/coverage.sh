#!/usr/bin/env bash
# Line coverage of PumpWireCore reached by running each fuzz target over a corpus once
# (libFuzzer -runs=0). Usage: FuzzTesting/coverage.sh CORPUS_DIR [REPORT_FILE]
# CORPUS_DIR holds one folder per target (as make-seeds.py and run.sh write them).
set -euo pipefail
cd "$(dirname "$0")"
corpus=$(cd "$1" && pwd)
report=${2:-/dev/stdout}
build=.build-coverage
swift build -c debug --scratch-path "$build" -Xswiftc -profile-generate -Xswiftc -profile-coverage-mapping \
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld > /dev/null
bin=$build/debug
profiles=$(mktemp -d)
objects=()
for dir in "$corpus"/*/; do
    target=$(basename "$dir")
    [[ -x "$bin/$target" ]] || continue
    LLVM_PROFILE_FILE="$profiles/$target-%p.profraw" SWIFT_BACKTRACE=enable=no "$bin/$target" -runs=0 "$dir" > /dev/null 2>&1 || true
    objects+=(-object "$bin/$target")
done
llvm-profdata merge -sparse "$profiles"/*.profraw -o "$profiles/merged.profdata"
core=$(cd .. && pwd)/Sources/PumpWireCore
# The first object is the binary; the rest are added with -object.
llvm-cov report "${objects[1]}" "${objects[@]:2}" -instr-profile="$profiles/merged.profdata" "$core" > "$report"
llvm-cov show "${objects[1]}" "${objects[@]:2}" -instr-profile="$profiles/merged.profdata" "$core" \
    -show-line-counts-or-regions -format=text > "${report%.txt}-lines.txt" 2>/dev/null || true
rm -rf "$profiles"
