"""How benchmarks/bench_course.py reads pytest's output: sessions, durations, test groups."""

import importlib.util
import re
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_course",
                                               ROOT / "benchmarks" / "bench_course.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

# What `make test` prints with PYTEST_ADDOPTS="--durations=0 --durations-min=0", shortened:
# the session over tests/ (an id with a space, one naming a notebook), then one nbval run.
MAKE_TEST = """\
.venv/bin/ruff check .
All checks passed!
.venv/bin/python -m pytest tests
============================= test session starts ==============================
collected 4 items

tests/test_a.py ...s                                                     [100%]

=============================== warnings summary ===============================
tests/test_a.py::test_q
  tests/test_a.py:6: UserWarning: w

============================== slowest durations ===============================
12.50s call     tests/test_b.py::test_page[notebooks/01_x.ipynb]
2.25s setup    tests/test_b.py::test_page[notebooks/01_x.ipynb]
1.00s call     tests/test_a.py::test_p[a b]
0.50s call     tests/test_a.py::test_p[c]
0.25s setup    tests/test_a.py::test_p[a b]
0.05s teardown tests/test_b.py::test_page[notebooks/01_x.ipynb]
0.01s setup    tests/test_c.py::test_skipped
0.00s teardown tests/test_a.py::test_p[a b]
0.00s setup    tests/test_a.py::test_p[c]
0.00s teardown tests/test_a.py::test_p[c]
=========================== short test summary info ============================
SKIPPED [1] tests/test_c.py:3: not here
============= 3 passed, 1 skipped, 1 warning in 17.40s (0:00:17) ==============
.venv/bin/python -m pytest -p no:cacheprovider --nbval --nbval-current-env notebooks/01_x.ipynb
============================= test session starts ==============================
collected 2 items

notebooks/01_x.ipynb ..                                                  [100%]

============================== slowest durations ===============================
3.00s call     notebooks/01_x.ipynb::Cell 0
1.50s setup    notebooks/01_x.ipynb::Cell 0
0.25s call     notebooks/01_x.ipynb::Cell 1
============================== 2 passed in 4.90s ===============================
"""

COLLECTED = """\
tests/test_a.py::test_p[a b]
tests/test_a.py::test_p[c]

2/5 tests collected (3 deselected) in 1.65s
"""


def test_sessions_tell_the_tests_from_the_nbval_runs_and_keep_whole_ids():
    (kind, seconds, durations), (nb_kind, nb_seconds, cells) = bench.sessions(MAKE_TEST)
    assert (kind, seconds, nb_kind, nb_seconds) == ("tests", 17.40, "nbval", 4.90)
    assert durations == pytest.approx({
        "tests/test_b.py::test_page[notebooks/01_x.ipynb]": 14.80,
        "tests/test_a.py::test_p[a b]": 1.25,
        "tests/test_a.py::test_p[c]": 0.50,
        "tests/test_c.py::test_skipped": 0.01,
    })
    assert cells == pytest.approx({"notebooks/01_x.ipynb::Cell 0": 4.50,
                                   "notebooks/01_x.ipynb::Cell 1": 0.25})
    assert bench.by_file(cells) == [("notebooks/01_x.ipynb", pytest.approx(4.75))]


def test_collected_reads_the_ids_up_to_the_summary():
    assert bench.collected(COLLECTED) == ["tests/test_a.py::test_p[a b]",
                                          "tests/test_a.py::test_p[c]"]
    assert bench.collected("\nno tests collected (5 deselected) in 1.09s\n") == []


def test_group_times_sum_the_durations_of_each_group():
    (_, _, durations), _ = bench.sessions(MAKE_TEST)
    groups = {"unit tests": set(bench.collected(COLLECTED)) | {"tests/test_c.py::test_skipped"},
              "browser tests": {"tests/test_b.py::test_page[notebooks/01_x.ipynb]"},
              "round trips": set()}
    times = bench.group_times(durations, groups)
    assert list(times) == list(groups)
    assert times["unit tests"] == (3, pytest.approx(1.76))
    assert times["browser tests"] == (1, pytest.approx(14.80))
    assert times["round trips"] == (0, 0.0)


def test_a_test_in_no_group_or_in_two_is_named():
    durations = {"tests/test_a.py::test_p[a b]": 1.0, "tests/test_a.py::test_p[c]": 2.0}
    with pytest.raises(ValueError, match=re.escape("test_p[c] (no group)")):
        bench.group_times(durations, {"unit tests": {"tests/test_a.py::test_p[a b]"}})
    with pytest.raises(ValueError, match=re.escape("test_p[a b] (unit tests, round trips)")):
        bench.group_times(durations, {"unit tests": set(durations),
                                      "round trips": {"tests/test_a.py::test_p[a b]"}})


def test_the_groups_select_by_registered_marks_and_the_readme_names_the_unit_tests():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    registered = {line.split(":", 1)[0] for line in options["ini_options"]["markers"]}
    used = {word for marks in bench.GROUPS.values() for word in marks.split()} - {"and", "not"}
    assert used == registered == {"browser", "roundtrip"}
    assert "--strict-markers" in options["ini_options"]["addopts"]
    unit = f'.venv/bin/python -m pytest tests -m "{bench.GROUPS["unit tests"]}"'
    assert unit in (ROOT / "README.md").read_text(encoding="utf-8")
