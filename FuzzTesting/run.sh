#!/usr/bin/env bash
# Builds the libFuzzer targets, replays FailCases/, then fuzzes each target for SECONDS seconds
# (default 60), starting from seeds made from vectors/. Prints executions per second per target.
# Usage: FuzzTesting/run.sh [SECONDS] [TARGET...]
# FUZZ_RUNS=N runs each target for N executions instead; SKIP_BUILD=1 uses the binaries already built.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
all=(FuzzFrame FuzzPumpStatus FuzzPrescriptionBlock FuzzBolusSchedule FuzzRefill FuzzMemoryDump FuzzAcknowledgements
     FuzzReassembler FuzzStream FuzzSession FuzzJSONView FuzzImageReassembler FuzzLogReader FuzzCAPI
     FuzzHandshake FuzzSealedFrame FuzzSecurePump FuzzPumpEngine)
targets=("${@:-${all[@]}}")
export SWIFT_BACKTRACE=enable=no   # otherwise the backtracer hangs on the first crash (shared/notes/firmware.md)

if [[ -z "${SKIP_BUILD:-}" ]]; then
    swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
        -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
    python3 make-seeds.py corpus > /dev/null
fi
bin=.build/release
limit=(-max_total_time="$seconds")
[[ -n "${FUZZ_RUNS:-}" ]] && limit=(-runs="$FUZZ_RUNS")

status=0
for target in "${targets[@]}"; do
    # Regressions first: each file of FailCases/TARGET is run once and must not crash.
    mkdir -p "artifacts/$target"
    if compgen -G "FailCases/$target/*" > /dev/null; then
        if "$bin/$target" FailCases/$target/* > "artifacts/$target/replay.log" 2>&1; then
            echo "$target: $(ls FailCases/$target | wc -l) FailCases replayed"
        else
            echo "$target: a FailCase crashes again, see artifacts/$target/replay.log"
            status=1
        fi
    fi
    dict=pumpwire.dict
    [[ $target == FuzzJSONView ]] && dict=json.dict
    mkdir -p "artifacts/$target"
    log="artifacts/$target/run.log"
    started=$(date +%s)
    if "$bin/$target" "${limit[@]}" -dict="$dict" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="artifacts/$target/" "corpus/$target" > "$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
        elapsed=$(( $(date +%s) - started )); (( elapsed > 0 )) || elapsed=1
        echo "$target: $runs executions in ${elapsed} s ($((runs / elapsed))/s), no finding"
    else
        echo "$target: FINDING, see $log and artifacts/$target/"
        status=1
    fi
done
exit $status
