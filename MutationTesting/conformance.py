"""One conformance run against one mutant, and its verdict.

`pumpwire conformance ... --enforce-recommended --fail-fast --format json` exits 0 when the run
passes: the mutant survived. Exit 1 with the JSON report: killed, by the first result that did not
pass (its vector name and outcome) or, if every result passed, by how the testee ended (`ending`).
Anything else (exit 1 without a report, as when the handshake fails; exit 2 or 64; a run over the
wall-clock limit) is killed too, with the reason recorded.
"""

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

import paths

WALL_CLOCK_LIMIT = 120      # seconds per mutant
NOT_FAILED = ("pass", "skipped", "expectedFailure")


@dataclass
class Verdict:
    killed: bool
    killed_by: str          # "" for a survivor
    seconds: float


_active = set()            # process groups of the runs under way (ended on an interrupt)
_active_lock = threading.Lock()


def run(cmd, limit=WALL_CLOCK_LIMIT):
    start = time.monotonic()
    # A session of its own: the runner's testee (and anything the testee leaves behind) is ended
    # with the run, by process group, however the run ends.
    # A mutant runs as a plain `python3` would: PYTHONUNBUFFERED (set on some machines) would hide
    # a testee that forgets to flush its answer (PW-CONF-1).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen(cmd, cwd=paths.ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, env=env)
    with _active_lock:
        _active.add(proc.pid)
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.communicate()
        return Verdict(True, "wall-clock limit (%d s)" % limit, time.monotonic() - start)
    finally:
        with _active_lock:
            _active.discard(proc.pid)
    _kill_group(proc.pid)
    seconds = time.monotonic() - start
    return judge(proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), seconds)


def judge(status, stdout, stderr, seconds):
    report = None
    try:
        report = json.loads(stdout) if stdout.strip() else None
    except ValueError:
        pass
    if status == 0:
        return Verdict(False, "", seconds)
    if status == 1 and isinstance(report, dict):
        for r in report.get("results", []):
            if r.get("status") not in NOT_FAILED:
                return Verdict(True, "%s %s" % (r.get("name"), r.get("outcome")), seconds)
        if report.get("ending"):
            return Verdict(True, "ending: %s" % report["ending"], seconds)
        return Verdict(True, "run failed (%s)" % ", ".join(
            "%s %s" % (k, v) for k, v in sorted(report.get("counts", {}).items()) if v), seconds)
    message = _last_error(stderr)
    if status == 1 and ("shake hands" in message or "HELLO" in message):
        return Verdict(True, "handshake failed: %s" % message, seconds)
    return Verdict(True, "exit %s: %s" % (status, message or "no report"), seconds)


def _last_error(stderr):
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("error:")]
    text = (errors or lines or [""])[-1]
    return text[len("error:"):].strip() if text.startswith("error:") else text[:200]


def kill_all():
    """End every run under way (the driver was interrupted)."""
    with _active_lock:
        pids = list(_active)
    for pid in pids:
        _kill_group(pid)


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def python_command(pumpwire, mutant_id, launcher=paths.PYTHON_LAUNCHER, python="python3", slow=False):
    import shlex
    testee = " ".join(shlex.quote(a) for a in (python, launcher, mutant_id))
    return [pumpwire, "conformance", "--vectors", paths.VECTORS, "--testee", testee,
            "--enforce-recommended", "--fail-fast", "--timeout", "5", "--format", "json"] + ([] if slow else ["--skip-slow"])


def swift_command(pumpwire, slow=False):
    return [pumpwire, "conformance", "--vectors", paths.VECTORS, "--enforce-recommended",
            "--fail-fast", "--format", "json"] + ([] if slow else ["--skip-slow"])


def two_passes(command):
    """The corpus without its slow vectors first; a mutant that survives that meets them too.
    `command(slow)` builds the runner's command line. Most mutants die in the first pass, so the
    slow vectors (seconds each for a Python testee) cost only the survivors."""
    first = run(command(False))
    if first.killed:
        return first
    second = run(command(True))
    second.seconds += first.seconds
    return second
