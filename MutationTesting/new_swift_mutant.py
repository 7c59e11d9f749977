#!/usr/bin/env python3
"""Writes a semantic mutant of the Swift reference codec as MutationTesting/swift/NAME.patch,
from text to find and text to put in its place, without touching the working tree:

    python3 MutationTesting/new_swift_mutant.py NAME --requirement PW-RX-9 \\
        --misreading "compares the rounded daily dose with the limit" \\
        --file Sources/PumpWireCore/PrescriptionBlock.swift \\
        --find "dailyDoseMinuteWeighted <=" --replace "dailyDoseMinuteWeighted <"

--file, --find and --replace may be repeated (a --file applies to the --find/--replace pairs that
follow it). Each --find must occur exactly once in its file, so that a mutant never lands on the
wrong line. Then run it: python3 MutationTesting/mutate.py run swift --ids swift:NAME
"""
import argparse
import difflib
import os
import sys

import paths


def diff(path, before, after):
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile="a/" + path, tofile="b/" + path, n=3)
    return "diff --git a/%s b/%s\n" % (path, path) + "".join(lines)


def write_mutant(name, requirements, misreading, edits, root=paths.ROOT, directory=paths.SWIFT_PATCHES):
    """`edits`: (file, find, replace) triples, applied in order. Returns the patch's path."""
    changed = {}
    for path, find, replace in edits:
        if path not in changed:
            with open(os.path.join(root, path), encoding="utf-8") as f:
                changed[path] = (f.read(),) * 2
        original, text = changed[path]
        count = text.count(find)
        if count != 1:
            raise ValueError("%s: %r occurs %d times in %s, not once" % (name, find, count, path))
        changed[path] = (original, text.replace(find, replace))
    body = "".join(diff(path, original, text) for path, (original, text) in changed.items())
    header = "Requirement: %s\nMisreading: %s\n\n" % (", ".join(requirements), misreading)
    os.makedirs(directory, exist_ok=True)
    out = os.path.join(directory, name + ".patch")
    with open(out, "w", encoding="utf-8") as f:
        f.write(header + body)
    return out


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name")
    parser.add_argument("--requirement", action="append", required=True)
    parser.add_argument("--misreading", required=True)
    parser.add_argument("--file", action="append", dest="edits", type=lambda v: ("file", v))
    parser.add_argument("--find", action="append", dest="edits", type=lambda v: ("find", v))
    parser.add_argument("--replace", action="append", dest="edits", type=lambda v: ("replace", v))
    args = parser.parse_args(argv)
    edits, current, find = [], None, None
    for kind, value in args.edits or []:
        if kind == "file":
            current = value
        elif kind == "find":
            find = value
        elif current is None or find is None:
            parser.error("give --file, then --find, then --replace")
        else:
            edits.append((current, find, value))
            find = None
    if not edits:
        parser.error("nothing to change")
    try:
        print(write_mutant(args.name, args.requirement, args.misreading, edits))
    except (OSError, ValueError) as error:
        print("new_swift_mutant: %s" % error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
