"""How long the course's own checks take: ``make test`` and its parts.

Run: ``.venv/bin/python benchmarks/bench_course.py`` (from anywhere; it runs in the
project folder, the venv already installed)

Runs ``make test`` once, with pytest told to report every test's duration
(``PYTEST_ADDOPTS=--durations=0``), and reports from its output:

* the wall time of the whole ``make test`` (ruff, the unit tests, and the strict
  nbval run of all seven notebooks, twice), measured here;
* each pytest session's own time (its summary line "... in 123.45s");
* in the session over tests/, the time of the unit tests, of the browser tests and of the
  round trips: the sums of their tests' durations (setup, call and teardown), each test put
  in its group by its marks (``pytest --collect-only -m ...`` before the run; see
  ``[tool.pytest.ini_options] markers`` in pyproject.toml);
* the slowest tests, and the time of each test module;
* for each nbval run, the time of each notebook (its cells, with the kernel's
  start and stop);
* then, once ``make test`` has passed, the wall time of the unit tests run alone, as while
  editing code (``pytest -m "not browser and not roundtrip"``, one BLAS thread as in
  ``make test``).

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
# A line of --durations: "0.12s call     tests/test_x.py::test_y[a b]" (ids may hold spaces).
DURATION = re.compile(r"^\s*([\d.]+)s (setup|call|teardown)\s+(.*\S)\s*$")
SUMMARY = re.compile(r"^=+ .*\bin ([\d.]+)s\b.*=+$")
# The groups of the session over tests/, each a selection by marks (pytest -m).
GROUPS = {
    "unit tests": "not browser and not roundtrip",
    "browser tests": "browser",
    "round trips": "roundtrip and not browser",
}


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
        notebooks = [test.split("::", 1)[0].endswith(".ipynb") for test in durations]
        kind = "nbval" if notebooks and all(notebooks) else "tests"
        found.append((kind, seconds, dict(durations)))
    return found


def collected(output):
    """The test ids that ``pytest --collect-only -q`` printed in ``output``."""
    ids = []
    for line in output.splitlines():
        if not line.strip():
            break  # the ids end with a blank line, before the summary
        ids.append(line.strip())
    return ids


def marked_groups(python=sys.executable):
    """{group: set of test ids} for GROUPS, from one collection per group (no test runs)."""
    groups = {}
    for group, marks in GROUPS.items():
        done = subprocess.run([str(python), "-m", "pytest", "--collect-only", "-q",
                               "-p", "no:cacheprovider", "-m", marks, "tests"],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode not in (0, 5):  # 5: no test selected
            raise RuntimeError(f"collecting the {group} (-m {marks!r}) failed:\n"
                               + (done.stdout + done.stderr)[-3000:])
        groups[group] = set(collected(done.stdout))
    return groups


def group_times(durations, groups):
    """{group: (number of tests, seconds)}: the durations of ``durations`` ({test id:
    seconds}) summed over the tests of each group of ``groups`` ({group: set of test ids}).
    Every test must be in exactly one group: ValueError names those that are not."""
    found = {test: [g for g, ids in groups.items() if test in ids] for test in durations}
    wrong = sorted(f"{test} ({', '.join(where) or 'no group'})"
                   for test, where in found.items() if len(where) != 1)
    if wrong:
        raise ValueError(f"{len(wrong)} tests not in exactly one group: " + "; ".join(wrong[:10]))
    times = {group: (0, 0.0) for group in groups}
    for test, (group,) in found.items():
        count, seconds = times[group]
        times[group] = (count + 1, seconds + durations[test])
    return times


def by_file(durations):
    totals = defaultdict(float)
    for test, seconds in durations.items():
        totals[test.split("::", 1)[0]] += seconds
    return sorted(totals.items(), key=lambda item: -item[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slowest", type=int, default=15, help="tests and modules to list")
    parser.add_argument("--log", type=Path, default=None,
                        help="also write make's whole output to this file")
    parser.add_argument("--from-log", type=Path, default=None, metavar="LOG",
                        help="report from the output a passing run saved with --log instead of "
                             "running make test again (the unit tests alone are still run)")
    args = parser.parse_args(argv)
    if args.from_log:
        output, returncode = args.from_log.read_text(), 0
        print(f"make test output from {args.from_log}")
    else:
        env = {**os.environ, "PYTEST_ADDOPTS": "--durations=0 --durations-min=0"}
        print(f"make test in {ROOT}; load average {os.getloadavg()[0]:.2f}", flush=True)
        start = time.perf_counter()
        done = subprocess.run(["make", "test"], cwd=ROOT, env=env, capture_output=True, text=True)
        total = time.perf_counter() - start
        output, returncode = done.stdout + done.stderr, done.returncode
        if args.log:
            args.log.write_text(output)
        print(f"make test: exit status {returncode}, {total:.1f} s wall; load average at "
              f"the end {os.getloadavg()[0]:.2f}")
    # Collected after make test, whose install step may have just changed the venv.
    groups = marked_groups()
    nbval_run = 0
    for kind, seconds, durations in sessions(output):
        if kind == "tests":
            print(f"\npytest tests: {seconds} s (pytest's own time)")
            for group, (count, t) in group_times(durations, groups).items():
                print(f"  {t:7.2f} s  {group} ({count} tests: -m {GROUPS[group]!r})")
            print("  slowest tests:")
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
    if returncode:
        print(output[-3000:], file=sys.stderr)
        return returncode
    # The unit tests as a developer runs them while editing code: their own session.
    command = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p",
               "no:cacheprovider", "-m", GROUPS["unit tests"], "tests"]
    start = time.perf_counter()
    unit = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    print(f"\nunit tests alone ({' '.join(command[1:])}): exit status {unit.returncode}, "
          f"{time.perf_counter() - start:.1f} s wall; load average at the end "
          f"{os.getloadavg()[0]:.2f}")
    if unit.returncode:
        print(unit.stdout[-3000:] + unit.stderr[-3000:], file=sys.stderr)
    return unit.returncode


if __name__ == "__main__":
    sys.exit(main())
