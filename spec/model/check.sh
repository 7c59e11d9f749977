#!/usr/bin/env bash
# Model check of the security layer (spec/model/security.pml) with SPIN: the correct model must
# have no error (exhaustive search, all five properties); each deliberately broken variant must
# have a counterexample for the property it breaks; each witness must be reached. Installs
# nothing: needs spin (Debian: apt-get install spin) and gcc. Builds in a temporary directory,
# never in the repository. Prints one line per run; exits non-zero on any unexpected outcome.
#
# usage: spec/model/check.sh [-j JOBS]     (JOBS builds at a time; default: 2)
set -euo pipefail

jobs=2
if [ "${1:-}" = "-j" ] && [ -n "${2:-}" ]; then jobs=$2; fi

here=$(cd "$(dirname "$0")" && pwd)
model=$here/security.pml
for tool in spin gcc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "check.sh: '$tool' is missing; install it first (Debian: apt-get install -y spin gcc)" >&2
        exit 2
    fi
done
[ -f "$model" ] || { echo "check.sh: $model is missing" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pumpwire-spin.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS

# Runs: name | expected outcome | spin/gcc defines | pan runs ("-" alone: one run without -N;
# otherwise a comma-separated list of claim names, one run each).
#   pass: exhaustive search, errors: 0 (and the search complete)
#   fail: errors >= 1 (a counterexample)
runs=(
    "correct model, P1-P5|pass||-"
    "broken: no counter check (P1)|fail|-DBROKEN_NO_COUNTER_CHECK -DPROP=1|-"
    "broken: no tag check (P2)|fail|-DBROKEN_NO_TAG_CHECK -DPROP=2|-"
    "broken: one key both directions (P2)|fail|-DBROKEN_SHARED_KEY -DPROP=2|-"
    "broken: static keys, epoch wraps (P3)|fail|-DBROKEN_STATIC_KEYS -DPROP=3|-"
    "broken static keys, NSESS=2, no wrap (P3)|pass|-DBROKEN_STATIC_KEYS -DPROP=3 -DNSESS=2|-"
    "broken: no role check (P4)|fail|-DBROKEN_NO_ROLE_CHECK -DPROP=4|-"
    "broken: revocation keeps the key (P4)|fail|-DBROKEN_REVOKE_KEEPS_KEY -DPROP=4|-"
    "broken: commandId per session (P5)|fail|-DBROKEN_CMDID_PER_SESSION -DPROP=5|-"
    "correct model, re-enrolled device retransmits (P5)|pass|-DNATT_PAT=2 -DPROP=5|-"
    "broken: revocation erases the commandId (P5)|fail|-DBROKEN_REVOKE_ERASES_CMDID -DNATT_PAT=2 -DPROP=5|-"
    "witness|fail|-DWITNESSES|w1,w2,w3,w4,w5,w6,w7,w8,w9,w10,w11"
)

# build and run one entry (index i) into $work/$i/; results in $work/$i/result.N
one() {
    local i=$1 name expect defs claims dir
    IFS='|' read -r name expect defs claims <<<"${runs[$i]}"
    dir=$work/$i
    mkdir -p "$dir"
    cp "$model" "$dir/security.pml"
    (
        cd "$dir"
        # shellcheck disable=SC2086
        if ! spin $defs -a security.pml >spin.out 2>&1 || grep -q -i "error" spin.out; then
            echo "spin failed" >result.0; cat spin.out >>result.0; exit 0
        fi
        # -O2 for the exhaustive searches; -O1 (faster to build) for runs that stop at a counterexample
        local opt=-O2
        [ "$expect" = fail ] && opt=-O1
        # shellcheck disable=SC2086
        if ! gcc -w $opt -DSAFETY -DMEMLIM=4096 $defs -o pan pan.c >gcc.out 2>&1; then
            echo "gcc failed" >result.0; cat gcc.out >>result.0; exit 0
        fi
        local k=0 c
        for c in ${claims//,/ }; do
            if [ "$c" = "-" ]; then ./pan -m100000 >pan.$k 2>&1 || true
            else ./pan -m100000 -N "$c" >pan.$k 2>&1 || true; fi
            echo "$c" >claim.$k
            k=$((k + 1))
        done
    )
}

running=0
for i in "${!runs[@]}"; do
    one "$i" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

# summary
bad=0
printf '%-44s %-8s %-6s %10s %6s %9s %8s\n' "run" "expect" "errors" "states" "depth" "memory" "time"
for i in "${!runs[@]}"; do
    IFS='|' read -r name expect defs claims <<<"${runs[$i]}"
    dir=$work/$i
    if [ -f "$dir/result.0" ]; then
        echo "UNEXPECTED: $name: $(head -n 1 "$dir/result.0")"; sed -n '2,20p' "$dir/result.0"; bad=1; continue
    fi
    k=0
    for c in ${claims//,/ }; do
        out=$dir/pan.$k
        label=$name
        [ "$c" != "-" ] && label="$name $c"
        errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$out" | tail -n 1)
        states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$out" | tail -n 1)
        depth=$(sed -n 's/.*depth reached \([0-9]*\),.*/\1/p' "$out" | tail -n 1)
        mem=$(sed -n 's/^ *\([0-9.]*\).*total actual memory usage.*/\1/p' "$out" | tail -n 1)
        secs=$(sed -n 's/^pan: elapsed time \([0-9.e+]*\) seconds.*/\1/p' "$out" | tail -n 1)
        verdict=ok
        if [ -z "$errors" ]; then
            verdict="UNEXPECTED (no result)"
        elif [ "$expect" = pass ]; then
            if [ "$errors" != 0 ]; then verdict="UNEXPECTED (errors)"
            elif grep -q -E "Search not completed|max search depth too small|reached -DMEMLIM" "$out"; then
                verdict="UNEXPECTED (search incomplete)"
            fi
        elif [ "$errors" = 0 ]; then
            verdict="UNEXPECTED (no counterexample)"
        fi
        printf '%-44s %-8s %-6s %10s %6s %8sM %7ss  %s\n' "$label" "$expect" "${errors:--}" \
            "${states:--}" "${depth:--}" "${mem:--}" "${secs:--}" "$verdict"
        if [ "$verdict" != ok ]; then
            bad=1
            grep -E "assert|error|pan:" "$out" | head -n 5 | sed 's/^/    /'
        fi
        k=$((k + 1))
    done
done
echo "spin model check: $((SECONDS - start)) s in all, $(spin -V | head -n 1)"
if [ "$bad" != 0 ]; then echo "spin model check: FAILED"; exit 1; fi
echo "spin model check: all outcomes as expected"
