#!/usr/bin/env python3
"""The cost of driving a teacher from Python: a sample() + update() round
trip through the teachkit package, next to the same calls in C through the
standalone host (bench_standalone_roundtrip, the library the package binds
to), for the same teacher, task space, seed and returns.  The difference
is the binding's overhead; docs/python.md states the bound (5 us for
alp-gmm) and the numbers this printed.

usage: python3 tools/bench/python_overhead.py BENCH_BINARY [--teacher ID]
       [--episodes N] [--repeat R]
BENCH_BINARY: BUILD/tools/bench/bench_standalone_roundtrip.  The Python
side uses the teachkit package importable from this Python (the installed
wheel, or python/ of the checkout with its build/); both sides should use
the same build of libteachkit (set TEACHKIT_LIBRARY to BUILD/core/
libteachkit.so to make sure).
"""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "python"))
import teachkit  # noqa: E402  (installed, or the checkout's)


def python_roundtrip(teacher_id, episodes, repeat):
    """Best mean microseconds per round trip over `repeat` fresh teachers."""
    best = None
    for _ in range(repeat):
        t = teachkit.Teacher(teacher_id, [(0.0, 1.0), (0.0, 1.0)], seed=1)
        sample, update = t.sample, t.update
        start = time.perf_counter()
        for _ in range(episodes):
            task = sample()
            r = float(task[0]) * float(task[1])
            update(task, r, r > 0.5)
        seconds = time.perf_counter() - start
        t.close()
        best = seconds if best is None else min(best, seconds)
    return 1e6 * best / episodes


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("bench")
    p.add_argument("--teacher", default="alp-gmm")
    p.add_argument("--episodes", type=int, default=20000)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    # C and Python repetitions alternate, and each side keeps its best, so
    # that a busy spell of a shared machine does not land on one side only.
    c_us = py_us = None
    for _ in range(a.repeat):
        out = subprocess.run([a.bench, "--teacher", a.teacher, "--episodes", str(a.episodes),
                              "--repeat", "1"], check=True, capture_output=True, text=True)
        c = float(out.stdout.split()[-1])
        py = python_roundtrip(a.teacher, a.episodes, 1)
        c_us = c if c_us is None else min(c_us, c)
        py_us = py if py_us is None else min(py_us, py)
    print("%s sample()+update() round trip, 2-D task space, %d episodes, best of %d"
          % (a.teacher, a.episodes, a.repeat))
    print("  C (standalone host)   %8.2f us" % c_us)
    print("  Python (teachkit)     %8.2f us" % py_us)
    print("  Python overhead       %8.2f us  (bound: 5 us)" % (py_us - c_us))


if __name__ == "__main__":
    main()
