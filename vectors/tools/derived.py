#!/usr/bin/env python3
"""The derived quantities of spec 2.3, computed from the spec's words alone, for the `derived`
vectors. Nothing here comes from the reference codec.

    python3 vectors/tools/derived.py            # the rounding edges: each case, its values, and
                                                # which misreadings of 2.2 and 2.3 it tells apart
    python3 vectors/tools/derived.py --check    # recompute every derived vector of the corpus
                                                # from its input frames; exit 1 on a difference
"""
import json
import os
import sys

NEVER = 0xFFFFFFFF


def round_half_up(n, d):
    """Spec 2.2: RoundHalfUp(n, d) = floor((2n + d) / (2d))."""
    return (2 * n + d) // (2 * d)


def minutes_of_steps(starts):
    return [(starts[i + 1] if i + 1 < len(starts) else 1440) - starts[i] for i in range(len(starts))]


def w(steps):
    """W: the sum of rate x minutes over the day profile (2.3)."""
    starts = [s for s, _ in steps]
    return sum(rate * minutes for (_, rate), minutes in zip(steps, minutes_of_steps(starts)))


def d2(steps, c):
    return round_half_up(w(steps) * 1000, 1440 * c)


def d3(steps):
    return round_half_up(w(steps), 1440)


def d5(resulting, time, threshold, volume):
    if resulting <= threshold:
        return time
    if volume == 0:
        return NEVER
    minutes = (resulting - threshold) * 1000 * 1440 // volume
    alarm = time + 60 * minutes
    return NEVER if alarm >= NEVER else alarm


# Misreadings an implementer might make, each a function like the real one. A case "tells apart"
# a misreading when the two give different values.
def floor_div(n, d): return n // d
def ceil_div(n, d): return -(-n // d)
def half_down(n, d): return (2 * n + d - 1) // (2 * d)
def half_even(n, d):
    q, r = divmod(n, d)
    return q + (1 if 2 * r > d or (2 * r == d and q % 2 == 1) else 0)


ROUNDINGS = {"floor": floor_div, "ceiling": ceil_div, "half down": half_down, "half even": half_even}


def misread_values(steps, c, refill, threshold):
    """(name, (D2, D3, D5)) for each misreading."""
    resulting, time = refill
    out = []
    for name, rnd in ROUNDINGS.items():
        v = rnd(w(steps) * 1000, 1440 * c)
        out.append(("D2, D3 by " + name, (v, rnd(w(steps), 1440), d5(resulting, time, threshold, v))))
    v = d2(steps, c)
    out.append(("D2 from the rounded D3", (round_half_up(d3(steps) * 1000, c), d3(steps), None)))
    out.append(("D2 as the sum of rounded steps", (sum(round_half_up(rate * 1000 * m, 1440 * c) for (_, rate), m in
                                                      zip(steps, minutes_of_steps([s for s, _ in steps]))), d3(steps), None)))
    out.append(("D2 with W divided by 1440 first", (round_half_up(w(steps) // 1440 * 1000, c), d3(steps), None)))

    def d5_with(minutes_of):
        if resulting <= threshold:
            return time
        if v == 0:
            return NEVER
        alarm = time + minutes_of(resulting - threshold)
        return NEVER if alarm >= NEVER else alarm
    out.append(("D5 minutes rounded half up", (v, d3(steps), d5_with(lambda x: 60 * round_half_up(x * 1440000, v)))))
    out.append(("D5 in seconds, not whole minutes", (v, d3(steps), d5_with(lambda x: x * 1000 * 86400 // v))))
    out.append(("D5 dividing before multiplying", (v, d3(steps), d5_with(lambda x: 60 * (x * 1440 // v * 1000)))))
    out.append(("D5 in 32 bits", (v, d3(steps), None if v == 0 or resulting <= threshold else
                                   (time + 60 * ((resulting - threshold) * 1440000 // v)) % (1 << 32))))
    out.append(("D5 with V = 0 read as now", (v, d3(steps), time if v == 0 else d5(resulting, time, threshold, v))))
    return out


# The cases of DerivedCases.swift that sit on rounding edges: (name, mode, c, steps, threshold,
# (resultingReservoir, refillTime)). The values are printed for the Swift declarations.
CASES = [
    ("DailyDoseTieEven", "timeOfDay", 1000, [(0, 2), (720, 3)], 500, (501, 847587600)),
    ("DailyDoseTieOdd", "timeOfDay", 1000, [(0, 3), (720, 4)], 500, (501, 847587600)),
    ("DailyDoseJustBelowHalf", "timeOfDay", 1000, [(0, 721), (1, 2)], 500, (501, 847587600)),
    ("DailyDoseJustAboveHalf", "timeOfDay", 1000, [(0, 723), (1, 2)], 500, (501, 847587600)),
    ("VolumeTieEven", "continuous", 400, [(0, 1)], 500, (501, 847587600)),
    ("VolumeTieOdd", "continuous", 2000, [(0, 3)], 500, (501, 847587600)),
    ("VolumeJustBelowHalf", "continuous", 401, [(0, 1)], 500, (501, 847587600)),
    ("VolumeJustAboveHalf", "continuous", 399, [(0, 1)], 500, (501, 847587600)),
    ("VolumeFromExactSum", "timeOfDay", 3, [(0, 2), (720, 3)], 500, (501, 847587600)),
    ("VolumeNotSumOfSteps", "timeOfDay", 1000, [(0, 1), (720, 1)], 500, (501, 847587600)),
    ("AlarmMinuteHalf", "continuous", 1, [(0, 2880)], 500, (1501, 847587600)),
    ("AlarmMinuteJustBelowWhole", "continuous", 1000, [(0, 1438560)], 500, (1498, 847587600)),
    ("AlarmOneAboveThreshold", "continuous", 1, [(0, 1)], 500, (501, 847587600)),
    ("AlarmNoBasalVolume", "continuous", 100000, [(0, 1)], 500, (20000, 847587600)),
    ("AlarmNoBasalVolumeAtThreshold", "continuous", 100000, [(0, 1)], 500, (500, 847587600)),
    ("AlarmLastSecondIsNever", "continuous", 1, [(0, 1)], 500, (501, 4294880895)),
    ("AlarmSecondBeforeNever", "continuous", 1, [(0, 1)], 500, (501, 4294880894)),
]


def table():
    for name, mode, c, steps, threshold, refill in CASES:
        v = d2(steps, c)
        values = (v, d3(steps), d5(refill[0], refill[1], threshold, v))
        told = [m for m, got in misread_values(steps, c, refill, threshold)
                if any(g is not None and g != e for g, e in zip(got, values))]
        print(f"{name}: {mode} c={c} steps={steps} L={threshold} R,T={refill}: W={w(steps)} "
              f"D2={values[0]} D3={values[1]} D5={values[2]}")
        print(f"    tells apart: {', '.join(told) or 'nothing'}")


def u16(b, i): return b[i] | b[i + 1] << 8
def u32(b, i): return b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24


def check(corpus):
    """Every derived vector: its frames read by the layouts of 9.3 and 9.5, its values recomputed."""
    with open(os.path.join(corpus, "derived.json")) as f:
        vectors = json.load(f)["vectors"]
    bad = 0
    checked = 0
    for vector in vectors:
        if vector["result"] != "valid":
            continue
        rx, refill = (bytes.fromhex(h) for h in vector["inputs"])
        p, q = rx[9:-2], refill[9:-2]
        c, threshold, count = u32(p, 2), u32(p, 10), p[20]
        steps = [(u16(p, 21 + 6 * i), u32(p, 23 + 6 * i)) for i in range(count)]
        resulting, time = u32(q, 13), u32(q, 17)
        v = d2(steps, c)
        want = {"dailyBasalVolumeNanolitres": v, "dailyBasalDoseNanograms": d3(steps),
                "lowReservoirAlarmTime": d5(resulting, time, threshold, v)}
        checked += 1
        if want != vector["values"]:
            bad += 1
            print(f"{vector['name']}: the spec's formulas give {want}, the vector says {vector['values']}")
    print(f"derived vectors: {checked} recomputed from the spec's formulas, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    if "--check" in sys.argv:
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")
        sys.exit(check(root))
    table()
