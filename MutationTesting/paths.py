"""Where things are. Everything is found from this file's location, so the tool runs from the
repository root or from anywhere else."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

TESTEE = os.path.join(ROOT, "examples", "python-testee", "pumpwire_testee.py")
SPEC = os.path.join(ROOT, "spec", "pumpwire-v1.md")
CONFORMANCE_SPEC = os.path.join(ROOT, "spec", "conformance.md")
VECTORS = os.path.join(ROOT, "vectors")
DEFAULT_PUMPWIRE = os.path.join(ROOT, ".build", "debug", "pumpwire")

EQUIVALENT = os.path.join(HERE, "equivalent.txt")
SWIFT_PATCHES = os.path.join(HERE, "swift")
PYTHON_LAUNCHER = os.path.join(HERE, "python_mutant.py")

# The Swift mutants' private package tree and build folder (.gitignore covers `.build-*/`).
MUTANT_BUILD = os.path.join(ROOT, ".build-mutants")
MUTANT_TREE = os.path.join(MUTANT_BUILD, "tree")
MUTANT_SCRATCH = os.path.join(MUTANT_BUILD, "scratch")
# The testee's source as it was when the run started: every mutant of a run is made from it, even
# if someone edits the testee meanwhile (python_mutant.py reads it through this variable).
SNAPSHOTS = os.path.join(MUTANT_BUILD, "python")    # one file a run: pumpwire_testee.<pid>.py
SOURCE_ENV = "PUMPWIRE_MUTANT_SOURCE"
BUILD_LOCK = "/tmp/pumpwire-swift-build.lock"   # shared with everyone who builds Swift here
