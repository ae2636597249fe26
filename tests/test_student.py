"""Tests for annteach.tools.student: student editions generated from the instructor notebooks.

The committed notebooks that have exercises are checked, and so is a small
synthetic notebook built here (so these tests do not wait for the lecture
notebooks). Notebook cells run in one kernel of the current environment, shared
by the whole module and reset between notebooks.
"""

import ast
import copy
import re

import ipykernel.kernelspec
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
    new_raw_cell,
)
from traitlets import default

from annteach.__main__ import main
from annteach.tools import student
from annteach.tools.notebooks import course_notebooks

DELIMITER = re.compile(r"(BEGIN|END) SOLUTION")


# ---------------------------------------------------------------- notebooks


def _nbgrader(grade_id, solution, points=None):
    """nbgrader metadata: an exercise (solution), graded by hand if it has points, or a
    self-check (a locked autograded test with points)."""
    meta = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


CHECK_HELPER = """\
import numpy as np

def check(f, x, expected):
    try:
        got = f(x)
    except NotImplementedError as error:
        raise AssertionError(f"{f.__name__} is not done yet: {error}") from None
    assert np.shape(got) == np.shape(expected), (
        f"{f.__name__} should return shape {np.shape(expected)}, got {np.shape(got)}")
    assert np.allclose(got, expected), f"{f.__name__} should return {expected}, got {got}"
    print(f"Correct: {f.__name__}")"""

TOTAL_SOLUTION = '''\
def total(X):
    """Sum of all entries of X."""
    # Hint: numpy arrays have a method
    # that adds up all "their" entries.
    ### BEGIN SOLUTION
    result = X.sum()
    return result
    ### END SOLUTION'''

# Deliberately wrong answers to the first exercise.
WRONG_TOTALS = {
    "sign flip": ("result = X.sum()", "result = -X.sum()"),
    "dropped .sum": ("result = X.sum()", "result = X"),
}

TOTAL_CHECK = "check(total, np.array([[1.0, 2.0], [3.0, 4.0]]), 10.0)"

ANSWER = """\
Why does the order of the entries not matter?

### BEGIN SOLUTION
Addition of real numbers is associative and commutative.
### END SOLUTION"""

DOUBLE_SOLUTION = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
DOUBLE_CHECK = "check(double, 3.0, 6.0)"


def synthetic_notebook():
    """An instructor edition with two code exercises, a written answer,
    outputs, timing metadata and widget state."""
    cells = [
        new_markdown_cell("# 0. Synthetic"),
        new_code_cell(CHECK_HELPER, execution_count=1),
        new_code_cell(TOTAL_SOLUTION, metadata=_nbgrader("ex-total", True), execution_count=2),
        new_code_cell(
            TOTAL_CHECK,
            metadata=_nbgrader("check-total", False, 2),
            execution_count=3,
            outputs=[new_output("stream", name="stdout", text="Correct: total\n")],
        ),
        new_markdown_cell(ANSWER, metadata=_nbgrader("ex-order", True, 1)),
        new_code_cell(DOUBLE_SOLUTION, metadata=_nbgrader("ex-double", True), execution_count=4),
        new_code_cell(
            DOUBLE_CHECK,
            metadata=_nbgrader("check-double", False, 1),
            execution_count=5,
            outputs=[new_output("stream", name="stdout", text="Correct: double\n")],
        ),
        new_code_cell(
            "double(total(np.ones(3)))",
            execution_count=6,
            outputs=[new_output("execute_result", {"text/plain": "6.0"}, execution_count=6)],
        ),
    ]
    cells[7].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00.000000Z"}
    cells[7].metadata["scrolled"] = True
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
        },
    )
    nbformat.validate(nb)
    return nb


def with_instructor_cells(nb):
    """A copy of ``nb`` with speaker notes and printed reference source between its cells."""
    nb = copy.deepcopy(nb)
    notes = new_markdown_cell("The answer: `X.sum()`.",
                              metadata={"slideshow": {"slide_type": "notes"}})
    heading = new_markdown_cell("### The package's version", metadata={"tags": ["reference-code"]})
    source = new_code_cell("import inspect\nprint(inspect.getsource(total))",
                           metadata={"tags": ["nbval-ignore-output", "reference-code"]})
    nb.cells[4:4] = [notes, heading, source]
    nb.cells.append(new_markdown_cell("Goodbye.", metadata={"slideshow": {"slide_type": "notes"}}))
    nbformat.validate(nb)
    return nb


def _by_id(nb):
    return {cell.id: cell for cell in nb.cells}


def _exercises(nb):
    """Indices of the solution cells and of the self-check after each code exercise."""
    pairs = []
    for index, cell in enumerate(nb.cells):
        if not student.is_solution_cell(cell):
            continue
        check = None
        if cell.cell_type == "code":
            for later in range(index + 1, len(nb.cells)):
                if student.is_solution_cell(nb.cells[later]):
                    break
                if nb.cells[later].cell_type == "code" and student.is_locked_cell(nb.cells[later]):
                    check = later
                    break
        pairs.append((index, check))
    return pairs


def _solution_lines(source):
    """The non-blank lines strictly between BEGIN and END SOLUTION (the whole
    source for a solution cell without delimiters)."""
    lines = source.split("\n")
    if not any(DELIMITER.search(line) for line in lines):
        return [line.strip() for line in lines if line.strip()]
    inside, body = False, []
    for line in lines:
        if "BEGIN SOLUTION" in line:
            inside = True
        elif "END SOLUTION" in line:
            inside = False
        elif inside and line.strip():
            body.append(line.strip())
    return body


def _read(path):
    return nbformat.read(path, as_version=4)


COMMITTED = course_notebooks()


@pytest.fixture(params=COMMITTED, ids=[p.name for p in COMMITTED])
def committed(request):
    """(path, instructor notebook) of a committed notebook with exercises."""
    nb = _read(request.param)
    if not _exercises(nb):
        pytest.skip(f"{request.param.name} has no exercises")
    return request.param, nb


# ------------------------------------------------------ the transformation


def test_student_edition_of_synthetic_notebook():
    instructor = synthetic_notebook()
    before = copy.deepcopy(instructor)
    nb = student.student_edition(instructor, "synthetic.ipynb")

    assert instructor == before, "the instructor notebook must not be modified"
    nbformat.validate(nb)
    assert [c.id for c in nb.cells] == [c.id for c in instructor.cells]
    assert "widgets" not in nb.metadata

    total = nb.cells[2].source
    assert total == (
        'def total(X):\n    """Sum of all entries of X."""\n'
        "    # Hint: numpy arrays have a method\n"
        '    # that adds up all "their" entries.\n'
        "    # YOUR CODE HERE\n"
        '    raise NotImplementedError("Hint: numpy arrays have a method '
        'that adds up all \\"their\\" entries.")'
    )
    ast.parse(total)
    assert nb.cells[4].source == "Why does the order of the entries not matter?\n\nYOUR ANSWER HERE"
    # Without a hint comment the stub still says what to do.
    assert nb.cells[5].source == (
        "def double(x):\n    # YOUR CODE HERE\n"
        f'    raise NotImplementedError("{student.DEFAULT_HINT}")'
    )

    for index in (0, 1, 3, 6, 7):
        assert nb.cells[index].source == instructor.cells[index].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert not {"execution", "scrolled", "collapsed"} & set(cell.metadata)
    # Self-checks are read-only, exercises cannot be deleted.
    for index in (3, 6):
        assert nb.cells[index].metadata["editable"] is False
        assert nb.cells[index].metadata["deletable"] is False
    for index in (2, 4, 5):
        assert nb.cells[index].metadata["deletable"] is False
        assert "editable" not in nb.cells[index].metadata


def test_solution_cell_without_region_is_replaced_whole():
    instructor = synthetic_notebook()
    instructor.cells[5].source = "def double(x):\n    return 2 * x"
    instructor.cells[4].source = "Addition is associative."
    nb = student.student_edition(instructor)
    assert nb.cells[5].source == (
        f'# YOUR CODE HERE\nraise NotImplementedError("{student.DEFAULT_HINT}")'
    )
    assert nb.cells[4].source == "YOUR ANSWER HERE"


def _assert_no_solutions(instructor, nb):
    """No solution line, speaker note, printed reference source or output."""
    nbformat.validate(nb)
    text = "\n".join(cell.source for cell in nb.cells)
    assert not DELIMITER.search(text)
    student_cells = _by_id(nb)
    for index, _ in _exercises(instructor):
        body = _solution_lines(instructor.cells[index].source)
        assert body, f"cell {index}: an empty solution"
        leaked = [line for line in body if line in student_cells[instructor.cells[index].id].source]
        assert not leaked, f"cell {index}: solution lines in the student edition: {leaked}"
    for cell in nb.cells:
        meta = cell.metadata
        assert meta.get("slideshow", {}).get("slide_type") != "notes", cell.source
        assert "reference-code" not in meta.get("tags", []), cell.source
        for printer in ("getsource", "show_source"):
            assert printer not in cell.source, f"package source printed: {cell.source}"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    # Everything else is kept, in order.
    kept = [c.id for c in instructor.cells if not student.is_instructor_cell(c)]
    assert [c.id for c in nb.cells] == kept


def test_synthetic_has_no_solutions():
    instructor = synthetic_notebook()
    _assert_no_solutions(instructor, student.student_edition(instructor))


def test_synthetic_without_instructor_cells():
    plain = synthetic_notebook()
    instructor = with_instructor_cells(plain)
    nb = student.student_edition(instructor)
    _assert_no_solutions(instructor, nb)
    assert nb == student.student_edition(plain)


@pytest.mark.parametrize("path", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_has_no_solutions_notes_or_reference_source(path):
    instructor = _read(path)
    _assert_no_solutions(instructor, student.student_edition(instructor, path.name))


def test_lecture_4_prints_reference_source_only_in_tagged_cells():
    """The instructor edition shows at.fprop/at.backprop; the student edition must not."""
    instructor = _read(student.NOTEBOOKS_DIR / "04_backpropagation.ipynb")
    printing = [c for c in instructor.cells if "show_source" in c.source]
    assert printing, "lecture 4 no longer shows the package's fprop/backprop"
    assert all(student.is_instructor_cell(c) for c in printing)
    shown = "".join(o.get("text", "") for c in printing for o in c.get("outputs", []))
    assert "def fprop(" in shown and "def backprop(" in shown


def test_an_exercise_marked_as_notes_is_an_error():
    nb = synthetic_notebook()
    nb.cells[3].metadata["slideshow"] = {"slide_type": "notes"}
    with pytest.raises(ValueError, match=r"bad\.ipynb: cell 3 \(check-total\): an nbgrader cell"):
        student.student_edition(nb, "bad.ipynb")


BROKEN = {
    "no END": ("    ### END SOLUTION", ""),
    "END without BEGIN": ("    ### BEGIN SOLUTION", ""),
    "nested BEGIN": ("    return result", "    ### BEGIN SOLUTION\n    return result"),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_unbalanced_region_is_an_error(kind):
    nb = synthetic_notebook()
    old, new = BROKEN[kind]
    nb.cells[2].source = nb.cells[2].source.replace(old, new)
    with pytest.raises(ValueError, match=r"bad\.ipynb: cell 2 \(ex-total\)"):
        student.student_edition(nb, "bad.ipynb")


@pytest.mark.parametrize("index", [0, 1, 8], ids=["markdown", "code", "raw"])
def test_region_outside_a_solution_cell_is_an_error(index):
    nb = synthetic_notebook()
    nb.cells.append(new_raw_cell("raw text"))
    nb.cells[index].source += "\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"
    with pytest.raises(ValueError, match=rf"bad\.ipynb: cell {index} .*solution metadata"):
        student.student_edition(nb, "bad.ipynb")


# ------------------------------------------------------ writing the files


def test_write_student_editions(tmp_path):
    first, second = tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"
    nbformat.write(synthetic_notebook(), first)
    other = synthetic_notebook()
    del other.cells[4:]
    nbformat.write(other, second)
    out = tmp_path / "out" / "student"
    written = student.write_student_editions([first, second], out)
    assert written == [out / "01_a.ipynb", out / "02_b.ipynb"]
    assert sorted(p.name for p in out.iterdir()) == ["01_a.ipynb", "02_b.ipynb"]
    for source, path in zip([first, second], written, strict=True):
        assert _read(path) == student.student_edition(_read(source))
        # Readable like any file the user writes (not mkstemp's private 0600).
        assert path.stat().st_mode & 0o777 == first.stat().st_mode & 0o777


def test_bad_notebook_writes_nothing(tmp_path):
    good, bad = tmp_path / "01_good.ipynb", tmp_path / "02_bad.ipynb"
    nbformat.write(synthetic_notebook(), good)
    broken = synthetic_notebook()
    broken.cells[5].source = broken.cells[5].source.replace("    ### END SOLUTION", "")
    nbformat.write(broken, bad)
    out = tmp_path / "out"
    out.mkdir()
    (out / "01_good.ipynb").write_text("old edition")
    with pytest.raises(ValueError, match=r"02_bad\.ipynb: cell 5 \(ex-double\).*no 'END"):
        student.write_student_editions([good, bad], out)
    assert [p.name for p in out.iterdir()] == ["01_good.ipynb"]
    assert (out / "01_good.ipynb").read_text() == "old edition"


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "01_a.ipynb"
    nbformat.write(synthetic_notebook(), path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "01_a.ipynb").write_text("old edition")

    def write_half(nb, f):
        f.write('{"cells": [')
        raise OSError("disk full")

    monkeypatch.setattr(nbformat, "write", write_half)
    with pytest.raises(OSError, match="disk full"):
        student.write_student_editions([path], out)
    assert [p.name for p in out.iterdir()] == ["01_a.ipynb"]
    assert (out / "01_a.ipynb").read_text() == "old edition"


def test_unreadable_notebook_is_named(tmp_path):
    path = tmp_path / "01_broken.ipynb"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="01_broken.ipynb: cannot read"):
        student.write_student_editions([path], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_command_line(tmp_path, capsys):
    path = tmp_path / "01_a.ipynb"
    nbformat.write(synthetic_notebook(), path)
    out = tmp_path / "student"
    assert main(["student", "--out", str(out), str(path)]) == 0
    assert _read(out / "01_a.ipynb") == student.student_edition(_read(path))
    assert str(out / "01_a.ipynb") in capsys.readouterr().out


def test_command_line_error_names_the_notebook(tmp_path):
    path = tmp_path / "01_a.ipynb"
    nb = synthetic_notebook()
    nb.cells[2].source = nb.cells[2].source.replace("    ### END SOLUTION", "")
    nbformat.write(nb, path)
    with pytest.raises(SystemExit, match=r"01_a\.ipynb: cell 2 \(ex-total\)"):
        main(["student", "--out", str(tmp_path / "student"), str(path)])
    assert not (tmp_path / "student" / "01_a.ipynb").exists()


@pytest.mark.skipif(not COMMITTED, reason="no committed notebooks yet")
def test_command_line_defaults_to_the_project_notebooks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the notebooks are found from the package, not the cwd
    assert all(p.parent == student.NOTEBOOKS_DIR for p in COMMITTED)
    assert main(["student", "--out", "student"]) == 0
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == [p.name for p in COMMITTED]


# ------------------------------------------------------ running the cells


class _CurrentEnvSpecs(KernelSpecManager):
    """Every kernel name means ipykernel in the Python running the tests."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


class _CurrentEnvKernel(AsyncKernelManager):
    @default("kernel_spec_manager")
    def _current_env_specs(self):
        return _CurrentEnvSpecs(parent=self)


@pytest.fixture(scope="module")
def kernel():
    """One kernel for the module, started in notebooks/ like nbval does."""
    client = NotebookClient(
        new_notebook(), kernel_name="python3", kernel_manager_class=_CurrentEnvKernel, timeout=120
    )
    with client.setup_kernel(cwd=str(student.NOTEBOOKS_DIR)):
        yield client


def _start(kernel, nb):
    """Forget the previous notebook and run ``nb`` from here on."""
    kernel.nb = copy.deepcopy(nb)
    kernel.execute_cell(new_code_cell("%reset -f"), 0)


def _run(kernel, cell, index):
    """Execute one cell; return (stdout text, None) or (None, (ename, evalue))."""
    cell = copy.deepcopy(cell)
    try:
        cell = kernel.execute_cell(cell, index)
    except CellExecutionError as error:
        return None, (error.ename, error.evalue)
    out = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return out, None


def _run_until(kernel, nb, stop):
    """Execute cells 0..stop-1, which must all succeed."""
    for index in range(stop):
        if nb.cells[index].cell_type == "code":
            out, error = _run(kernel, nb.cells[index], index)
            assert error is None, f"cell {index} failed: {error}"


def _assert_not_done(error, index):
    assert error is not None, f"self-check in cell {index} passed on the stub"
    ename, evalue = error
    # CheckFailed: the package's self-checks; AssertionError: the synthetic notebook's.
    assert ename in ("CheckFailed", "AssertionError") and "not done" in evalue, (
        f"self-check in cell {index} should report 'not done', got {ename}: {evalue}"
    )


def _check_notebook(kernel, instructor, name):
    """Run the student edition up to its first self-check, which must report the
    stub; then go through every exercise: the check fails on the stub and passes
    after the instructor's solution has been run."""
    nb = student.student_edition(instructor, name)
    solutions = _by_id(instructor)
    exercises = [(ex, check) for ex, check in _exercises(nb) if nb.cells[ex].cell_type == "code"]
    unchecked = [nb.cells[ex].metadata.nbgrader.grade_id for ex, c in exercises if c is None]
    assert not unchecked, f"{name}: code exercises without a self-check after them: {unchecked}"
    if not exercises:
        pytest.skip(f"{name}: only written exercises, nothing to run")

    first, first_check = exercises[0]
    _start(kernel, nb)
    _run_until(kernel, nb, first_check)
    _assert_not_done(_run(kernel, nb.cells[first_check], first_check)[1], first_check)

    _start(kernel, nb)
    done = 0
    for ex, check in exercises:
        for index in range(done, check):
            cell = nb.cells[index]
            if cell.cell_type == "code" and index != ex:
                source = solutions[cell.id] if student.is_solution_cell(cell) else cell
                out, error = _run(kernel, source, index)
                assert error is None, f"{name}: cell {index} failed: {error}"
        _run(kernel, nb.cells[ex], ex)  # the stub (defines the function)
        _assert_not_done(_run(kernel, nb.cells[check], check)[1], check)
        assert _run(kernel, solutions[nb.cells[ex].id], ex)[1] is None
        out, error = _run(kernel, nb.cells[check], check)
        assert error is None, f"{name}: self-check in cell {check} fails on the solution: {error}"
        assert out.strip(), f"{name}: self-check in cell {check} printed nothing on success"
        done = check + 1


@pytest.mark.roundtrip
def test_synthetic_checks_fail_on_stub_and_pass_on_solution(kernel):
    _check_notebook(kernel, synthetic_notebook(), "synthetic.ipynb")


@pytest.mark.roundtrip
@pytest.mark.parametrize("mistake", WRONG_TOTALS)
def test_synthetic_check_fails_on_wrong_answer(kernel, mistake):
    nb = synthetic_notebook()
    old, new = WRONG_TOTALS[mistake]
    wrong = new_code_cell(nb.cells[2].source.replace(old, new))
    assert wrong.source != nb.cells[2].source
    _start(kernel, nb)
    _run_until(kernel, nb, 2)
    assert _run(kernel, wrong, 2)[1] is None
    out, error = _run(kernel, nb.cells[3], 3)
    assert error is not None, f"the self-check passed on a wrong answer ({mistake})"
    assert error[0] == "AssertionError" and "total should return" in error[1]


@pytest.mark.roundtrip
def test_committed_checks_fail_on_stub_and_pass_on_solution(kernel, committed):
    path, instructor = committed
    _check_notebook(kernel, instructor, path.name)


def test_the_other_editions_stay_and_checkpoints_go(tmp_path):
    path = tmp_path / "01_a.ipynb"
    nbformat.write(synthetic_notebook(), path)
    out = tmp_path / "out"
    (out / ".ipynb_checkpoints").mkdir(parents=True)
    (out / ".ipynb_checkpoints" / "01_a-checkpoint.ipynb").write_text("{}")
    (out / "01_a.ipynb").write_text("old edition of a")
    (out / "02_b.ipynb").write_text("edition of b")
    out.chmod(0o750)
    student.write_student_editions([path], out)
    assert sorted(p.name for p in out.iterdir()) == ["01_a.ipynb", "02_b.ipynb"]
    assert _read(out / "01_a.ipynb") == student.student_edition(_read(path))
    assert (out / "02_b.ipynb").read_text() == "edition of b"
    assert out.stat().st_mode & 0o777 == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_a.ipynb", "out"]


def test_out_in_the_folder_of_the_instructor_editions_is_refused(tmp_path):
    path = tmp_path / "notebooks" / "01_a.ipynb"
    path.parent.mkdir()
    nbformat.write(synthetic_notebook(), path)
    before = path.read_bytes()
    link = tmp_path / "link"
    link.symlink_to(path.parent)
    for out in (path.parent, link, path.parent / ".." / "notebooks"):
        with pytest.raises(ValueError, match="would replace the instructor editions"):
            student.write_student_editions([path], out)
    assert path.read_bytes() == before and [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_link_to_the_output_folder_stays(tmp_path):
    path = tmp_path / "01_a.ipynb"
    nbformat.write(synthetic_notebook(), path)
    (tmp_path / "real").mkdir()
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "real")
    assert student.write_student_editions([path], link) == [link / "01_a.ipynb"]
    assert link.is_symlink()
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["01_a.ipynb"]
