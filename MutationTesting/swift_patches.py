"""Semantic mutants of the Swift reference codec: the curated patches MutationTesting/swift/*.patch.

A patch is a unified diff (`git diff` format, paths a/Sources/..., b/Sources/...) preceded by
header lines, which `patch` and `git apply` ignore:

    Requirement: PW-RX-9
    Misreading: compares the rounded daily dose (D3) with the limit instead of the exact W

A mutant is built in a private copy of the package (.build-mutants/tree), never in the working
tree, which other people edit: the copy is refreshed from the working tree at the start of a run,
one patch is applied there, `swift build` builds it into .build-mutants/scratch, and the patched
files are then put back byte for byte. Files the refresh finds unchanged are not rewritten, so the
builds stay incremental.
"""

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field

import paths

# What the package build needs. Tests/ is copied too: Package.swift declares the test target, and
# SwiftPM refuses a manifest whose target folder is missing (the product built is only pumpwire).
TREE_ITEMS = ["Package.swift", "Package.resolved", "Sources", "Tests", "vectors", "spec"]
BUILD_TIMEOUT = 1800   # seconds, the wait for the shared build lock included


@dataclass
class Patch:
    name: str                      # file name without .patch: the mutant is `swift:<name>`
    path: str
    requirements: list = field(default_factory=list)
    misreading: str = ""
    files: list = field(default_factory=list)    # paths (relative to the root) the diff touches
    problems: list = field(default_factory=list)  # a malformed patch: reported, not run

    @property
    def id(self):
        return "swift:" + self.name

    @property
    def description(self):
        where = ", ".join(self.files) or "no file"
        return "%s: %s" % (where, self.misreading or "(no Misreading: header)")


def load_patches(directory=paths.SWIFT_PATCHES):
    if not os.path.isdir(directory):
        return []
    return [parse_patch(os.path.join(directory, f)) for f in sorted(os.listdir(directory)) if f.endswith(".patch")]


def parse_patch(path):
    p = Patch(name=os.path.basename(path)[:-len(".patch")], path=path)
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    in_header = True
    for line in lines:
        if line.startswith("diff --git ") or line.startswith("--- "):
            in_header = False
        if in_header:
            m = re.match(r"^Requirement:\s*(.*)$", line)
            if m:
                p.requirements = [r.strip() for r in m.group(1).split(",") if r.strip()]
            m = re.match(r"^Misreading:\s*(.*)$", line)
            if m:
                p.misreading = m.group(1).strip()
            continue
        m = re.match(r"^(?:---|\+\+\+) (?:[ab]/)?([^\t]+)", line)
        if m and m.group(1).strip() != "/dev/null":
            f = m.group(1).strip()
            if os.path.isabs(f) or ".." in f.split("/"):
                p.problems.append("a path outside the package: %s" % f)
            elif f not in p.files:
                p.files.append(f)
    if not p.requirements:
        p.problems.append("no `Requirement:` header")
    if not p.files:
        p.problems.append("no diff")
    return p


# ---------------------------------------------------------------------------------------------
# The private tree

def sync_tree(root=paths.ROOT, tree=paths.MUTANT_TREE):
    """Make `tree` a copy of the working tree's TREE_ITEMS (no .build* folders), rewriting only
    the files that differ. Returns the number of files written or removed."""
    os.makedirs(tree, exist_ok=True)
    wanted = set()
    changed = 0
    for item in TREE_ITEMS:
        src = os.path.join(root, item)
        if os.path.isfile(src):
            wanted.add(item)
            changed += _copy_if_changed(src, os.path.join(tree, item))
        elif os.path.isdir(src):
            for dirpath, dirnames, filenames in os.walk(src):
                dirnames[:] = [d for d in dirnames if not d.startswith(".build")]
                for name in filenames:
                    rel = os.path.relpath(os.path.join(dirpath, name), root)
                    wanted.add(rel)
                    changed += _copy_if_changed(os.path.join(root, rel), os.path.join(tree, rel))
    for dirpath, dirnames, filenames in os.walk(tree, topdown=False):
        for name in filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), tree)
            if rel not in wanted:
                os.remove(os.path.join(dirpath, name))
                changed += 1
        if dirpath != tree and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return changed


def _copy_if_changed(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    try:
        with open(dst, "rb") as f:
            if f.read() == data:
                return 0
    except OSError:
        pass
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(data)
    shutil.copymode(src, dst)
    return 1


class StalePatch(Exception):
    pass


def apply_patch(patch, tree=paths.MUTANT_TREE):
    """Apply `patch` in the tree; returns what `restore` needs. Raises StalePatch when it does not
    apply cleanly (no fuzz; a hunk found a few lines away is fine)."""
    saved = {}
    for f in patch.files:
        try:
            with open(os.path.join(tree, f), "rb") as fh:
                saved[f] = fh.read()
        except OSError:
            saved[f] = None
    base = ["patch", "-p1", "--batch", "--forward", "--fuzz=0", "--no-backup-if-mismatch",
            "--reject-file=-", "-d", tree, "-i", os.path.abspath(patch.path)]
    check = subprocess.run(base + ["--dry-run"], capture_output=True, text=True)
    if check.returncode != 0:
        raise StalePatch(_first_lines(check.stdout + check.stderr))
    done = subprocess.run(base, capture_output=True, text=True)
    if done.returncode != 0:
        restore(saved, tree)
        raise StalePatch(_first_lines(done.stdout + done.stderr))
    return saved


def restore(saved, tree=paths.MUTANT_TREE):
    for f, data in saved.items():
        target = os.path.join(tree, f)
        if data is None:
            if os.path.exists(target):
                os.remove(target)
        else:
            with open(target, "rb") as fh:
                if fh.read() == data:
                    continue
            with open(target, "wb") as fh:
                fh.write(data)


def check_applies(patch, root=paths.ROOT):
    """Whether the patch applies to the working tree as it is now (a dry run: nothing written)."""
    r = subprocess.run(["patch", "-p1", "--batch", "--forward", "--fuzz=0", "--dry-run", "-d", root,
                        "-i", os.path.abspath(patch.path)], capture_output=True, text=True)
    return r.returncode == 0, _first_lines(r.stdout + r.stderr)


# ---------------------------------------------------------------------------------------------
# Building

def build(tree=paths.MUTANT_TREE, scratch=paths.MUTANT_SCRATCH):
    """`swift build` of the pumpwire product of the tree, under the machine's shared build lock so
    that no two Swift builds overlap. Returns (ok, seconds, message)."""
    cmd = ["flock", paths.BUILD_LOCK, "swift", "build", "--product", "pumpwire",
           "--package-path", tree, "--scratch-path", scratch]
    start = time.monotonic()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT, start_new_session=True)
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - start, "build over %d s" % BUILD_TIMEOUT
    seconds = time.monotonic() - start
    if r.returncode != 0:
        # The compiler's diagnostics (`path:line:col: error: ...`), each once, paths from the tree.
        errors = []
        for l in (r.stdout + r.stderr).splitlines():
            m = re.match(r"^(\S+?):(\d+):(\d+): error: (.*)$", l.strip())
            if m:
                text = "%s:%s: %s" % (os.path.relpath(m.group(1), tree), m.group(2), m.group(4))
                if text not in errors:
                    errors.append(text)
        if not errors:
            errors = [l.strip() for l in (r.stdout + r.stderr).splitlines() if "error:" in l][:1]
        return False, seconds, "; ".join(errors[:3]) or _first_lines(r.stdout + r.stderr)
    return True, seconds, ""


def mutant_pumpwire(scratch=paths.MUTANT_SCRATCH):
    return os.path.join(scratch, "debug", "pumpwire")


def _first_lines(text, n=3):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return " / ".join(lines[:n])
