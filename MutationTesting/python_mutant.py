#!/usr/bin/env python3
"""Run one syntax mutant of the Python testee as the testee itself.

    python3 MutationTesting/python_mutant.py MUTANT_ID [ARGS...]
    python3 MutationTesting/python_mutant.py --original [ARGS...]

Loads examples/python-testee/pumpwire_testee.py (or the driver's snapshot of it, named by the
environment variable PUMPWIRE_MUTANT_SOURCE), applies exactly that mutation in memory, compiles
it and runs it as `python3 pumpwire_testee.py ARGS...` would (`__name__ == "__main__"`, sys.argv[0]
the testee's path, sys.path[0] its folder), so the mutant serves the testee protocol on stdin and
stdout exactly as the original does. `--original` runs the unmutated source the same way (the
driver's sanity check of this launcher). Nothing is written to stdout but what the testee writes.

Exit status 97, with a message on stderr, when the id is unknown or the mutant does not compile.
"""

import builtins
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
NOT_VIABLE = 97


def limit_resources():
    """A mutant can loop or allocate without bound; the runner's time-out ends a hang it sees, and
    these limits end what it does not see (an orphan, a runaway allocation) on a shared machine."""
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_CPU, (300, 300))
        gib = 1024 ** 3
        resource.setrlimit(resource.RLIMIT_AS, (4 * gib, 4 * gib))
    except (ImportError, ValueError, OSError):
        pass


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: python_mutant.py MUTANT_ID|--original [ARGS...]\n")
        return NOT_VIABLE
    sys.dont_write_bytecode = True   # no __pycache__ in the source tree
    sys.path.insert(0, HERE)
    import paths
    import python_operators
    del sys.path[0]

    mutant_id = sys.argv[1]
    if mutant_id.startswith("python:"):
        mutant_id = mutant_id[len("python:"):]
    source = python_operators.read_source(os.environ.get(paths.SOURCE_ENV) or paths.TESTEE)
    try:
        if mutant_id == "--original":
            code = compile(source, paths.TESTEE, "exec")
        else:
            code = python_operators.compile_mutant(source, mutant_id, paths.TESTEE)
    except KeyError:
        sys.stderr.write("python_mutant.py: no mutant %r in %s\n" % (mutant_id, paths.TESTEE))
        return NOT_VIABLE
    except (SyntaxError, ValueError, TypeError) as e:
        sys.stderr.write("python_mutant.py: mutant %s is not viable: %s\n" % (mutant_id, e))
        return NOT_VIABLE

    limit_resources()
    # As `python3 pumpwire_testee.py ARGS...` would see it.
    sys.argv = [paths.TESTEE] + sys.argv[2:]
    sys.path[0] = os.path.dirname(paths.TESTEE)
    module = types.ModuleType("__main__")
    module.__file__ = paths.TESTEE
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    exec(code, module.__dict__)   # the testee ends with sys.exit(main(sys.argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
