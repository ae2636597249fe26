"""The course graded with the real nbgrader, as an instructor grades it.

nbgrader lives in ``.venv-grading/`` (``make grading-venv``; ``make test`` makes it), apart from
the course's ``.venv/``, whose JupyterLab the students use. One course directory is built for
the module with the project's ``grading/nbgrader_config.py``; the nbgrader commands run as the
README tells instructors to run them:

* ``nbgrader generate_assignment`` for every lecture notebook with exercises;
* three submissions: the release filled with the instructor's solutions, the same with one
  deliberately wrong answer (lecture 4 only), and the release untouched;
* ``nbgrader autograde`` and ``nbgrader generate_feedback`` for every assignment.

The scores are read from nbgrader's gradebook by the grading environment's Python.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from annteach.paths import REPO_ROOT
from annteach.tools import student
from annteach.tools.notebooks import course_notebooks

GRADING_VENV = REPO_ROOT / ".venv-grading"
GRADING_BIN = GRADING_VENV / "bin"
CONFIG = REPO_ROOT / "grading" / "nbgrader_config.py"
DELIMITER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")

ASSIGNMENTS = [
    path for path in course_notebooks()
    if any(student.is_solution_cell(c) for c in nbformat.read(path, as_version=4).cells)
]
NAMES = [path.stem for path in ASSIGNMENTS]

# The deliberately wrong answer: lecture 4's fprop forgets the activation.
WRONG = ("04_backpropagation", "fprop", "    return g(A)", "    return A", "check-fprop")

SCORES = """
import json, sys
from nbgrader.api import Gradebook
root, names = sys.argv[1], sys.argv[2:]
scores = {}
with Gradebook(f"sqlite:///{root}/gradebook.db", course_id="annteach") as gb:
    for name in names:
        for submission in gb.assignment_submissions(name):
            nb = gb.find_submission_notebook(name, name, submission.student_id)
            scores[submission.student_id] = {
                "code": nb.code_score, "max_code": nb.max_code_score,
                "written": nb.written_score, "max_written": nb.max_written_score,
                "cells": {g.name: {"score": g.score, "auto": g.auto_score, "max": g.max_score,
                                   "manual": g.needs_manual_grade, "type": g.cell.cell_type}
                          for g in nb.grades},
            }
print(json.dumps(scores))
"""


def _env():
    """nbgrader's environment as if activated: it runs ``alembic`` and the kernel's
    ``python`` from the PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{GRADING_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return env


def _run(root, *command):
    result = subprocess.run(command, cwd=root, env=_env(), capture_output=True, text=True,
                            timeout=1200, check=False)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}")
    return result.stdout + result.stderr


def _nbgrader(root, *args):
    return _run(root, GRADING_BIN / "nbgrader", *args)


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _without_delimiters(source):
    return "\n".join(line for line in source.split("\n") if not DELIMITER.match(line))


def _filled(release, instructor, wrong=None):
    """The release with every answer replaced by the instructor's solution (as a student
    would type it: no delimiter lines); ``wrong = (grade_id, old, new)`` spoils one."""
    solutions = {_grade_id(c): c.source for c in instructor.cells if student.is_solution_cell(c)}
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in nb.cells:
        if student.is_solution_cell(cell):
            cell.source = _without_delimiters(solutions[_grade_id(cell)])
            if wrong and wrong[0] == _grade_id(cell):
                assert wrong[1] in cell.source
                cell.source = cell.source.replace(wrong[1], wrong[2])
    return nb


class Course:
    """One nbgrader course directory holding one assignment (each has its own gradebook,
    so the assignments are graded side by side)."""

    def __init__(self, root, path):
        self.root, self.name, self.path = root, path.stem, path
        self.seconds = {}
        root.mkdir()
        shutil.copy(CONFIG, root)
        (root / "source" / self.name).mkdir(parents=True)
        shutil.copy(path, root / "source" / self.name)

    def step(self, command):
        start = time.perf_counter()
        _nbgrader(self.root, command, self.name)
        self.seconds[command] = time.perf_counter() - start

    def release(self):
        return nbformat.read(self.root / "release" / self.name / f"{self.name}.ipynb",
                             as_version=4)

    def submit(self, who, nb):
        folder = self.root / "submitted" / who / self.name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{self.name}.ipynb")

    def autograded(self, who):
        return nbformat.read(self.root / "autograded" / who / self.name / f"{self.name}.ipynb",
                             as_version=4)

    def feedback(self, who):
        page = self.root / "feedback" / who / self.name / f"{self.name}.html"
        return page.read_text(encoding="utf-8")

    def round_trip(self):
        """generate_assignment, the submissions, autograde, generate_feedback; the scores."""
        self.step("generate_assignment")
        instructor = nbformat.read(self.path, as_version=4)
        release = self.release()
        self.submit("solutions", _filled(release, instructor))
        self.submit("untouched", release)
        if self.name == WRONG[0]:
            self.submit("wrong", _filled(release, instructor, WRONG[1:4]))
        self.step("autograde")
        self.step("generate_feedback")
        self.scores = json.loads(_run(self.root, GRADING_BIN / "python", "-c", SCORES,
                                      self.root, self.name))
        return self


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """Every assignment graded, each in its own course directory, in parallel."""
    if not (GRADING_BIN / "nbgrader").exists():
        pytest.fail(f"nbgrader is not installed in {GRADING_VENV}: run `make grading-venv` "
                    "(make test does)")
    base = tmp_path_factory.mktemp("grading")
    with ThreadPoolExecutor(len(ASSIGNMENTS)) as pool:
        done = list(pool.map(lambda path: Course(base / path.stem, path).round_trip(),
                             ASSIGNMENTS))
    for course in done:
        print(f"nbgrader {course.name} (s):",
              {k: round(v, 1) for k, v in course.seconds.items()})
    return {course.name: course for course in done}


# ------------------------------------------------------------ the set-up


def test_the_course_environment_has_no_nbgrader():
    """Students' JupyterLab (make lab, the course's .venv) shows no nbgrader panels."""
    assert not (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter"
                / "nbgrader").exists()
    import importlib.util
    assert importlib.util.find_spec("nbgrader") is None


def test_lectures_4_and_6_are_the_assignments():
    assert {"04_backpropagation", "06_convolutional_networks"} <= set(NAMES)


@pytest.mark.parametrize("path", ASSIGNMENTS, ids=NAMES)
def test_every_exercise_is_graded(path):
    """Written answers are graded by hand, code exercises by a locked self-check with points."""
    nb = nbformat.read(path, as_version=4)
    checks = []
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        assert meta["schema_version"] == 3
        if cell.cell_type == "markdown":
            assert meta["solution"] and meta["grade"] and meta["points"] > 0, _grade_id(cell)
        elif meta["solution"]:
            assert not meta["grade"], f"{_grade_id(cell)}: the answer cell itself has no points"
            check = nb.cells[index + 1]
            assert "at.exercises.check_" in check.source, _grade_id(cell)
        else:
            assert meta["grade"] and meta["locked"] and meta["points"] > 0, _grade_id(cell)
            assert cell.source.startswith("at.exercises.check_"), _grade_id(cell)
            checks.append(_grade_id(cell))
    assert checks


# ------------------------------------------------------------ generate_assignment


@pytest.mark.roundtrip
@pytest.mark.parametrize("name", NAMES)
def test_generate_assignment_releases_every_notebook_with_exercises(courses, name):
    release = courses[name].release()
    nbformat.validate(release)
    assert any(student.is_solution_cell(c) for c in release.cells)


def _stubs_alike(source):
    """nbgrader's stub raises NotImplementedError(); ours passes the hint."""
    return re.sub(r"raise NotImplementedError\(.*\)", "raise NotImplementedError()", source)


def _metadata(cell):
    """Cell metadata without what only nbgrader's release records."""
    meta = json.loads(json.dumps(cell.metadata))
    for key in ("checksum", "cell_type"):
        meta.get("nbgrader", {}).pop(key, None)
    return meta


@pytest.mark.roundtrip
@pytest.mark.parametrize("path", ASSIGNMENTS, ids=NAMES)
def test_release_and_student_edition_agree(courses, path):
    """Same cells (no notes, no reference source), same sources apart from the stubs' hints,
    same locked cells, no outputs."""
    release = courses[path.stem].release()
    ours = student.student_edition(nbformat.read(path, as_version=4), path.name)
    assert [c.id for c in release.cells] == [c.id for c in ours.cells]
    hints = 0
    for theirs, mine in zip(release.cells, ours.cells):
        assert theirs.cell_type == mine.cell_type
        assert theirs.source == _stubs_alike(mine.source), theirs.id
        hints += theirs.source != mine.source
        assert _metadata(theirs) == _metadata(mine), theirs.id  # incl. editable, deletable
        assert not student.is_instructor_cell(theirs)
        if theirs.cell_type == "code":
            assert theirs.outputs == [] and theirs.execution_count is None
    code_answers = [c for c in ours.cells if student.is_solution_cell(c) and c.cell_type == "code"]
    assert hints == len(code_answers) > 0  # only the hints differ


# ------------------------------------------------------------ autograde


def _checks(nb):
    """The autograded test cells (the self-checks) of a notebook."""
    return [c for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.roundtrip
@pytest.mark.parametrize("name", NAMES)
def test_solutions_get_full_code_marks(courses, name):
    grades = courses[name].scores["solutions"]
    assert grades["code"] == grades["max_code"] > 0
    for grade_id, cell in grades["cells"].items():
        if cell["type"] == "code":
            assert cell["score"] == cell["max"] > 0, grade_id
        else:  # written answers wait for the instructor
            assert cell["manual"] and cell["auto"] is None and cell["max"] > 0, grade_id
    for cell in _checks(courses[name].autograded("solutions")):
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert text.startswith("Correct: "), (_grade_id(cell), cell.outputs)


@pytest.mark.roundtrip
def test_one_wrong_answer_loses_exactly_its_points(courses):
    name, _, _, _, check = WRONG
    right, wrong = courses[name].scores["solutions"], courses[name].scores["wrong"]
    lost = right["cells"][check]["max"]
    assert wrong["cells"][check]["score"] == 0 < lost
    assert wrong["code"] == right["max_code"] - lost
    assert len(right["cells"]) > 2
    for grade_id in right["cells"]:
        if grade_id != check:
            assert wrong["cells"][grade_id] == right["cells"][grade_id], grade_id


@pytest.mark.roundtrip
def test_a_failed_check_shows_its_message_alone(courses):
    name, _, _, _, check = WRONG
    cell, = [c for c in courses[name].autograded("wrong").cells if _grade_id(c) == check]
    error, = [o for o in cell.outputs if o.output_type == "error"]
    assert error.ename == "CheckFailed"
    shown = "\n".join(error.traceback)
    assert re.search(r"fprop: Y\[0, 0\] is -?[\d.]+ but should be -?[\d.]+", shown)
    assert "exercises.py" not in shown and "Traceback" not in shown


@pytest.mark.roundtrip
@pytest.mark.parametrize("name", NAMES)
def test_untouched_student_edition_gets_nothing(courses, name):
    grades = courses[name].scores["untouched"]
    assert grades["max_code"] > 0 and grades["max_written"] > 0
    assert grades["code"] == 0 and grades["written"] == 0
    for cell in _checks(courses[name].autograded("untouched")):
        error, = [o for o in cell.outputs if o.output_type == "error"]
        assert "is not done yet" in error.evalue, _grade_id(cell)


# ------------------------------------------------------------ generate_feedback


@pytest.mark.roundtrip
@pytest.mark.parametrize("name", NAMES)
def test_generate_feedback_writes_a_page_per_submission(courses, name):
    course = courses[name]
    for who, grades in course.scores.items():
        html = course.feedback(who)
        assert f"<title>{name}</title>" in html
        score = f"{grades['code'] + grades['written']:g}"
        total = f"{grades['max_code'] + grades['max_written']:g}"
        assert re.search(rf"Score: {score}(\.0)? / {total}(\.0)?", html), who
    assert "is not done yet" in course.feedback("untouched")
    if name == WRONG[0]:
        assert "fprop: Y[0, 0] is" in course.feedback("wrong")
