#!/usr/bin/env bash
# Peak resident memory and wall time of the commands that read captured traffic, on a capture of
# about 1 GB (PUMPWIRE_CAPTURE_BYTES to change it): each command's process as a user runs it,
# measured by GNU time, output to /dev/null. Prints a Markdown table. Run from anywhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bytes="${PUMPWIRE_CAPTURE_BYTES:-1000000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (Debian: apt-get install time)" >&2; exit 2; }
(cd "$root" && flock /tmp/pumpwire-swift-build.lock swift build -c release --product pumpwire >&2)
tool="$root/.build/release/pumpwire"
python3 "$root/Benchmarks/Commands/make-capture.py" "$work/big.pcapng" --bytes "$bytes" --raw "$work/big.bin" >&2

measure() {  # NAME COMMAND...
    local name="$1"; shift
    local status=0
    /usr/bin/time -f "%M %e" -o "$work/time" "$@" >/dev/null 2>"$work/err" || status=$?
    read -r kilobytes seconds < <(tail -n 1 "$work/time")
    printf '| `%s` | %s | %.1f MiB | %s s |\n' "$name" "$status" "$(echo "$kilobytes / 1024" | bc -l)" "$seconds"
}

size=$(stat -c %s "$work/big.pcapng")
echo "Capture: $size bytes of pcapng ($(stat -c %s "$work/big.bin") bytes as a raw stream)"
echo
echo '| Command | Exit | Peak resident memory | Wall time |'
echo '|---|---|---|---|'
measure "validate big.pcapng" "$tool" validate "$work/big.pcapng"
measure "decode --file big.pcapng" "$tool" decode --file "$work/big.pcapng"
measure "decode --file big.pcapng --format json" "$tool" decode --file "$work/big.pcapng" --format json
measure "dump reassemble big.pcapng" "$tool" dump reassemble "$work/big.pcapng"
measure "capture --from big.pcapng" "$tool" capture --from "$work/big.pcapng" --output "$work/copy.pcapng"
rm -f "$work/copy.pcapng"
measure "capture --from big.bin (raw)" "$tool" capture --from "$work/big.bin" --output "$work/copy.pcapng"
measure "decode --file big.bin (raw)" "$tool" decode --file "$work/big.bin"
