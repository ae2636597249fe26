"""How long the course's own checks take: ``make test`` and its parts.

Run: ``.venv/bin/python benchmarks/bench_course.py`` (from anywhere; it runs in the
project folder, the venv already installed)

Runs ``make test`` once, with pytest told to report every test's duration
(``PYTEST_ADDOPTS=--durations=0``), and reports from its output:

* the wall time of the whole ``make test`` (ruff, the unit tests, and the strict
  nbval run of all seven notebooks, twice), measured here;
* each pytest session's own time (its summary line "... in 123.45s");
* the slowest unit tests, and the time of each test module;
* for each nbval run, the time of each notebook (its cells, with the kernel's
  start and stop).

The load average before and after is printed: other programs on the machine
slow every figure down.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION = re.compile(r"^\s*([\d.]+)s (setup|call|teardown)\s+(\S+)")
SUMMARY = re.compile(r"^=+ .*\bin ([\d.]+)s\b.*=+$")


def sessions(output):
    """The pytest sessions of ``output``: [(kind, seconds, {test id: seconds})]."""
    found = []
    for chunk in output.split("test session starts")[1:]:
        durations = defaultdict(float)
        seconds = None
        for line in chunk.splitlines():
            m = DURATION.match(line)
            if m:
                durations[m.group(3)] += float(m.group(1))
            m = SUMMARY.match(line.strip())
            if m:
                seconds = float(m.group(1))
        kind = "nbval" if any(".ipynb" in test for test in durations) else "unit tests"
        found.append((kind, seconds, dict(durations)))
    return found


def by_file(durations):
    totals = defaultdict(float)
    for test, seconds in durations.items():
        totals[test.split("::", 1)[0]] += seconds
    return sorted(totals.items(), key=lambda item: -item[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slowest", type=int, default=15, help="unit tests to list")
    parser.add_argument("--log", type=Path, default=None,
                        help="also write make's whole output to this file")
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTEST_ADDOPTS": "--durations=0 --durations-min=0"}
    print(f"make test in {ROOT}; load average {os.getloadavg()[0]:.2f}", flush=True)
    start = time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=ROOT, env=env, capture_output=True, text=True)
    total = time.perf_counter() - start
    output = done.stdout + done.stderr
    if args.log:
        args.log.write_text(output)
    print(f"make test: exit status {done.returncode}, {total:.1f} s wall; load average at "
          f"the end {os.getloadavg()[0]:.2f}")
    nbval_run = 0
    for kind, seconds, durations in sessions(done.stdout):
        if kind == "unit tests":
            print(f"\nunit tests: {seconds} s (pytest's own time)")
            slowest = sorted(durations.items(), key=lambda item: -item[1])[:args.slowest]
            for test, t in slowest:
                print(f"  {t:7.2f} s  {test}")
            print("  by module:")
            for name, t in by_file(durations)[:args.slowest]:
                print(f"  {t:7.2f} s  {name}")
        else:
            nbval_run += 1
            print(f"\nnbval run {nbval_run}: {seconds} s (pytest's own time)")
            for name, t in sorted(by_file(durations)):
                print(f"  {t:7.2f} s  {name}")
    if done.returncode:
        print(output[-3000:], file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
