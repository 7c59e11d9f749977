#!/usr/bin/env python3
"""PumpWire mutation analysis: how many plausible faults does the golden corpus catch?

    python3 MutationTesting/mutate.py list python|swift [--format text|json]
    python3 MutationTesting/mutate.py run python|swift|all [--sample N --seed S] [--ids ID,...]
        [--ids-from FILE] [--jobs J] [--time-box SECONDS] [--pumpwire PATH]
        [--format text|json] [--output FILE]

Two mutant sets (README.md): syntax mutants of the Python testee, run through the testee protocol,
and curated semantic patches of the Swift reference codec, run in process. Exit status: 0 when no
mutant survived without an equivalence note and nothing is stale or not viable; 1 otherwise; 2 for
a usage error or when the tool cannot run.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter, deque

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attribution  # noqa: E402
import conformance  # noqa: E402
import paths  # noqa: E402
import python_operators  # noqa: E402
import report  # noqa: E402
import swift_patches  # noqa: E402

SETS = ("python", "swift")


class ToolError(Exception):
    """The tool cannot run (exit status 2)."""


# ---------------------------------------------------------------------------------------------
# The mutants, with their attribution

def python_mutants(index, source=None):
    source = source if source is not None else python_operators.read_source()
    notes = attribution.source_notes(source)
    banners = attribution.section_banners(source)
    lines = source.splitlines()
    out = []
    for m in python_operators.generate(source):
        first, head_end, last = m.scope
        if m.function != "<module>":
            first = attribution.attached_start(lines, first)
        reqs = attribution.attribute(m.line, (first, head_end, last), notes, banners,
                                     in_function=m.function != "<module>")
        out.append(_entry("python:" + m.id, "python", reqs, m.description, index, line=m.line, operator=m.operator))
    return out


def swift_mutants(index):
    out = []
    for p in swift_patches.load_patches():
        e = _entry(p.id, "swift", p.requirements, p.description, index, files=p.files)
        e["patch"] = p
        out.append(e)
    return out


def _entry(mutant_id, set_name, requirements, description, index, **extra):
    sections = [index.section(r) for r in requirements] or [("unattributed", "unattributed")]
    e = {"id": mutant_id, "set": set_name, "status": None, "requirements": list(requirements),
         "section": sections[0][0], "subsection": sections[0][1],
         "sections": _unique(s for s, _ in sections), "subsections": _unique(s for _, s in sections),
         "description": description, "killedBy": None}
    e.update(extra)
    return e


def _unique(items):
    out = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


# ---------------------------------------------------------------------------------------------
# Equivalence notes

def load_equivalent(path=paths.EQUIVALENT):
    """`MUTANT_ID  reason in one line` per line; `#` starts a comment line."""
    notes = {}
    if not os.path.exists(path):
        return notes
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            where = "%s:%d" % (os.path.relpath(path, paths.ROOT), n)
            if not parts[0].startswith(("python:", "swift:")):
                raise ToolError("%s: a mutant id starts with python: or swift: (%r)" % (where, parts[0]))
            if len(parts) < 2:
                raise ToolError("%s: %s has no reason (one line of why no vector can fail it)" % (where, parts[0]))
            if parts[0] in notes:
                raise ToolError("%s: %s is listed twice" % (where, parts[0]))
            notes[parts[0]] = parts[1]
    return notes


# ---------------------------------------------------------------------------------------------
# Selection

def select(mutants, args):
    by_id = {m["id"]: m for m in mutants}
    wanted = []
    if args.ids:
        wanted += [i.strip() for i in args.ids.split(",") if i.strip()]
    if args.ids_from:
        try:
            with open(args.ids_from, encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        wanted.append(line.split()[0])   # an equivalent.txt line works too
        except OSError as e:
            raise UsageError("--ids-from: %s" % e)
    chosen = mutants
    if args.ids or args.ids_from:
        chosen, unknown = [], []
        for i in wanted:
            match = by_id.get(i) or next((by_id[p + i] for p in ("python:", "swift:") if p + i in by_id), None)
            if match is None:
                unknown.append(i)
            elif match not in chosen:
                chosen.append(match)
        if unknown:
            raise UsageError("no such mutant in the selected set: %s" % ", ".join(unknown[:10]))
    if args.sample is not None:
        # The same ids on every machine and Python version: order by a hash of seed and id.
        keyed = sorted(chosen, key=lambda m: hashlib.sha256(("%s\0%s" % (args.seed, m["id"])).encode()).hexdigest())
        picked = {m["id"] for m in keyed[:args.sample]}
        chosen = [m for m in chosen if m["id"] in picked]
    return chosen


class UsageError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Running

class Progress:
    def __init__(self, total, noted=()):
        self.total, self.done, self.counts = total, 0, Counter()
        self.noted = noted     # ids with an equivalence note: counted apart as they come
        self.tty = sys.stderr.isatty()

    def step(self, m):
        self.done += 1
        noted = m["status"] == "survived" and m["id"] in self.noted
        self.counts["equivalent" if noted else m["status"]] += 1
        text = "[%d/%d] killed %d, survived %d, equivalent %d, not viable %d, stale %d  (%s)" % (
            self.done, self.total, self.counts["killed"], self.counts["survived"], self.counts["equivalent"],
            self.counts["not viable"], self.counts["stale patch"], m["id"])
        if m["status"] == "survived" and not noted:
            # On record at once: a long run that is cut short still names what it found.
            sys.stderr.write(("\r\033[K" if self.tty else "") + "survived: %s\n" % m["id"])
        if self.tty:
            sys.stderr.write("\r\033[K" + text[:150])
        elif self.done % 25 == 0 or self.done == self.total:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def end(self):
        if self.tty and self.done:
            sys.stderr.write("\n")


def check_pumpwire(pumpwire):
    if not os.path.isfile(pumpwire) or not os.access(pumpwire, os.X_OK):
        raise ToolError("no pumpwire binary at %s: build it with `swift build` at the repository root (%s), "
                        "or give one with --pumpwire PATH" % (pumpwire, paths.ROOT))
    r = subprocess.run([pumpwire, "conformance", "--help"], capture_output=True, text=True)
    if "--skip-slow" not in r.stdout + r.stderr:
        raise ToolError("%s has no `conformance --skip-slow`: rebuild it with `swift build`" % pumpwire)


def run_python(selected, args, deadline, progress):
    pumpwire = os.path.abspath(args.pumpwire)
    check_pumpwire(pumpwire)
    python = sys.executable or "python3"
    # The unmutated testee, through the launcher, must pass: otherwise every verdict is noise.
    base = conformance.run(conformance.python_command(pumpwire, "--original", python=python, slow=True))
    if base.killed:
        raise ToolError("the unmutated Python testee fails the corpus (%s): fix that first" % base.killed_by)
    queue = deque(selected)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not queue or (deadline and time.monotonic() > deadline):
                    return
                m = queue.popleft()
            v = conformance.two_passes(lambda slow: conformance.python_command(pumpwire, m["id"], python=python, slow=slow))
            with lock:
                m["seconds"] = round(v.seconds, 2)
                if "exited with status %d" % 97 in v.killed_by:
                    m["status"], m["reason"] = "not viable", v.killed_by   # python_mutant.py's NOT_VIABLE
                else:
                    m["status"], m["killedBy"] = ("killed", v.killed_by) if v.killed else ("survived", None)
                progress.step(m)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        with lock:
            queue.clear()
        conformance.kill_all()
        raise


def run_swift(selected, args, deadline, progress, log):
    for tool in ("swift", "patch", "flock"):
        if shutil.which(tool) is None:
            raise ToolError("`%s` is not on PATH: the Swift mutants need it" % tool)
    changed = swift_patches.sync_tree()
    log("swift: private tree %s refreshed (%d files written or removed)" % (
        os.path.relpath(paths.MUTANT_TREE, paths.ROOT), changed))
    ok, seconds, message = swift_patches.build()
    if not ok:
        raise ToolError("the unmutated working tree does not build (%s)" % message)
    base = conformance.run(conformance.swift_command(swift_patches.mutant_pumpwire(), slow=True))
    if base.killed:
        raise ToolError("the unmutated reference codec fails the corpus (%s)" % base.killed_by)
    log("swift: unmutated build %.0f s, conformance run %.1f s" % (seconds, base.seconds))
    for m in selected:
        if deadline and time.monotonic() > deadline:
            return
        patch = m["patch"]
        if patch.problems:
            m["status"], m["reason"] = "stale patch", "malformed patch: " + "; ".join(patch.problems)
            progress.step(m)
            continue
        start = time.monotonic()
        try:
            saved = swift_patches.apply_patch(patch)
        except swift_patches.StalePatch as e:
            m["status"], m["reason"] = "stale patch", "does not apply: %s" % e
            progress.step(m)
            continue
        try:
            ok, build_seconds, message = swift_patches.build()
            m["buildSeconds"] = round(build_seconds, 1)
            if not ok:
                m["status"], m["reason"] = "not viable", "does not compile: %s" % message
            else:
                v = conformance.two_passes(lambda slow: conformance.swift_command(swift_patches.mutant_pumpwire(), slow=slow))
                m["runSeconds"] = round(v.seconds, 1)
                m["status"], m["killedBy"] = ("killed", v.killed_by) if v.killed else ("survived", None)
        finally:
            swift_patches.restore(saved)
        m["seconds"] = round(time.monotonic() - start, 1)
        progress.step(m)


def classify(selected, everything, notes, full):
    """Equivalence notes turn survivors into `equivalent`; a note on a killed mutant (or on no
    mutant at all, in a full run of its set) is stale."""
    stale = []
    for m in selected:
        reason = notes.get(m["id"])
        if reason is None:
            continue
        m["equivalenceNote"] = reason
        if m["status"] == "survived":
            m["status"] = "equivalent"
        elif m["status"] == "killed":
            stale.append({"id": m["id"], "note": "listed as equivalent, but killed by %s" % m["killedBy"]})
    known = {m["id"] for m in everything}
    for set_name in full:
        for i in notes:
            if i.startswith(set_name + ":") and i not in known:
                stale.append({"id": i, "note": "listed as equivalent, but there is no such mutant"})
    return stale


def command_run(args):
    try:
        return _command_run(args)
    finally:
        snapshot = os.environ.pop(paths.SOURCE_ENV, None)
        if snapshot and os.path.exists(snapshot):
            os.remove(snapshot)


def _command_run(args):
    started = time.monotonic()
    deadline = started + args.time_box if args.time_box else None
    index = attribution.RequirementIndex()
    notes = load_equivalent(args.equivalent)
    sets = SETS if args.set == "all" else (args.set,)
    everything = []
    if "swift" in sets:
        everything += swift_mutants(index)
    if "python" in sets:
        # One snapshot of the testee for the whole run (mutate.py and every launcher read it).
        source = python_operators.read_source()
        snapshot = os.path.join(paths.SNAPSHOTS, "pumpwire_testee.%d.py" % os.getpid())
        os.makedirs(paths.SNAPSHOTS, exist_ok=True)
        with open(snapshot, "w", encoding="utf-8") as f:
            f.write(source)
        os.environ[paths.SOURCE_ENV] = snapshot
        everything += python_mutants(index, source)
    selected = select(everything, args)
    for m in selected:
        m["status"] = "not run"

    def log(text):
        sys.stderr.write(text + "\n")

    progress = Progress(len(selected), noted=notes)
    swift_selected = [m for m in selected if m["set"] == "swift"]
    python_selected = [m for m in selected if m["set"] == "python"]
    try:
        if swift_selected:
            run_swift(swift_selected, args, deadline, progress, log)
        if python_selected and not (deadline and time.monotonic() > deadline):
            run_python(python_selected, args, deadline, progress)
    finally:
        progress.end()

    partial = args.sample is not None or args.ids or args.ids_from
    reached = any(m["status"] == "not run" for m in selected)
    full = [] if partial or reached else list(sets)
    stale = classify(selected, everything, notes, full)
    errors = []
    for m in selected:
        if m["status"] in ("not viable", "stale patch"):
            errors.append("%s: %s: %s" % (m["id"], m["status"], m.get("reason", "")))
    if full:
        errors += ["%s: stale equivalence note: %s" % (n["id"], n["note"]) for n in stale]

    for m in selected:
        m.pop("patch", None)
    total = {s: sum(1 for m in everything if m["set"] == s) for s in sets}
    what = ", ".join("%s (%d)" % (s, total[s]) for s in sets)
    if args.ids or args.ids_from:
        what += ", %d chosen by id" % len(selected)
    if args.sample is not None:
        what += ", sample of %d (seed %s)" % (len(selected), args.seed)
    meta = {
        "sets": list(sets),
        "selectionText": what,
        "selection": {"sample": args.sample, "seed": args.seed if args.sample is not None else None,
                      "ids": bool(args.ids or args.ids_from), "jobs": args.jobs},
        "complete": bool(full),
        "timeBox": {"seconds": args.time_box, "reached": reached} if args.time_box else None,
        "seconds": round(time.monotonic() - started, 1),
        "pumpwire": os.path.abspath(args.pumpwire) if python_selected else None,
    }
    rep = report.build(selected, stale, errors, index, meta)
    sys.stdout.write(report.to_json(rep) if args.format == "json" else report.to_text(rep))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(report.to_json(rep))
    return 0 if rep["passed"] else 1


def command_list(args):
    index = attribution.RequirementIndex()
    if args.set == "python":
        mutants = python_mutants(index)
        if args.format == "json":
            sys.stdout.write(json.dumps(mutants, indent=2) + "\n")
            return 0
        for m in mutants:
            print("%s  %s  [%s]" % (m["id"], m["description"], ", ".join(m["requirements"]) or "unattributed"))
        ops = Counter(m["operator"] for m in mutants)
        print("%d python mutants (%s)" % (len(mutants), ", ".join("%s %d" % kv for kv in ops.most_common())))
        return 0
    mutants = swift_mutants(index)
    stale = 0
    for m in mutants:
        patch = m.pop("patch")
        applies, message = swift_patches.check_applies(patch)
        m["appliesToWorkingTree"] = applies
        m["problems"] = patch.problems
        stale += (not applies) or bool(patch.problems)
    if args.format == "json":
        sys.stdout.write(json.dumps(mutants, indent=2) + "\n")
        return 0
    for m in mutants:
        flags = [] if m["appliesToWorkingTree"] else ["STALE: does not apply to the working tree"]
        flags += ["MALFORMED: " + p for p in m["problems"]]
        print("%s  [%s]  %s%s" % (m["id"], ", ".join(m["requirements"]), m["description"],
                                  "  (" + "; ".join(flags) + ")" if flags else ""))
    print("%d swift mutants%s" % (len(mutants), " (%d stale or malformed)" % stale if stale else ""))
    return 0


def parser():
    p = argparse.ArgumentParser(prog="mutate.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    lp = sub.add_parser("list", help="list the mutants of a set")
    lp.add_argument("set", choices=SETS)
    lp.add_argument("--format", choices=("text", "json"), default="text")
    rp = sub.add_parser("run", help="run the corpus against mutants")
    rp.add_argument("set", choices=SETS + ("all",))
    rp.add_argument("--sample", type=_positive, metavar="N", help="a reproducible sample of N mutants")
    rp.add_argument("--seed", default="0", metavar="S", help="the sample's seed (default 0)")
    rp.add_argument("--ids", metavar="ID,...", help="only these mutants (python:... or swift:...)")
    rp.add_argument("--ids-from", metavar="FILE", help="only the mutants listed in FILE (first word a line)")
    rp.add_argument("--jobs", type=_positive, default=2, metavar="J",
                    help="Python mutants run in parallel (default 2); Swift mutants run one at a time")
    rp.add_argument("--time-box", type=_positive, metavar="SECONDS",
                    help="start no mutant after this many seconds; the rest are reported as not run")
    rp.add_argument("--pumpwire", default=paths.DEFAULT_PUMPWIRE, metavar="PATH",
                    help="the runner for Python mutants (default .build/debug/pumpwire)")
    rp.add_argument("--format", choices=("text", "json"), default="text")
    rp.add_argument("--output", metavar="FILE", help="also write the JSON report to FILE")
    rp.add_argument("--vectors", default=paths.VECTORS, metavar="DIR",
                    help="the corpus to run (default vectors/; a copy keeps a long run apart from edits)")
    rp.add_argument("--equivalent", default=paths.EQUIVALENT, metavar="FILE",
                    help="the equivalence notes (default MutationTesting/equivalent.txt)")
    return p


def _positive(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a whole number" % text)
    if v < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return v


def main(argv=None):
    args = parser().parse_args(argv)
    if getattr(args, "vectors", None):
        paths.VECTORS = os.path.abspath(args.vectors)
    try:
        if args.command == "list":
            return command_list(args)
        return command_run(args)
    except UsageError as e:
        sys.stderr.write("mutate.py: %s\n" % e)
        return 2
    except ToolError as e:
        sys.stderr.write("mutate.py: cannot run: %s\n" % e)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("mutate.py: interrupted\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
