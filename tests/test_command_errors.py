"""Every error of ``python -m annteach COMMAND`` is one line on stderr and exit status 2.

The commands run in this process through ``annteach.__main__.main`` (an uncaught
exception, a traceback on the command line, fails the test); one case runs the real
``python -m annteach`` to see the line and the status a shell sees.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from annteach.__main__ import main
from annteach.cnn_files import default_model_path
from annteach.paths import PACKAGE_DIR


def command_error(capsys, argv):
    """Run ``main(argv)``, which must fail; return its one-line message."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 2, (info.value.code, err)
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert "Traceback" not in err
    assert err.startswith(f"annteach {argv[0]}"), err
    return err.strip()


def test_a_shell_sees_one_line_and_status_2():
    done = subprocess.run([sys.executable, "-m", "annteach", "train-cnn", "--batch-size", "0"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--batch-size" in done.stderr
    assert done.stdout == ""


def test_an_unknown_option_is_one_line_too(capsys):
    message = command_error(capsys, ["train-cnn", "--epochz", "3"])
    assert "unrecognized arguments: --epochz 3" in message


# -- train-cnn: every setting is checked before MNIST is read --------------------------

@pytest.mark.parametrize(("args", "words"), [
    (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "-4"], "--batch-size"),
    (["--lr", "0"], "--lr"),
    (["--lr", "-0.1"], "--lr"),
    (["--lr", "nan"], "--lr"),
    (["--lr", "inf"], "--lr"),
    (["--lr", "1e400"], "--lr"),
    (["--epochs", "-5"], "--epochs"),
    (["--epochs", "0"], "--epochs"),
    (["--epochs", "2.7"], "--epochs"),
    (["--max-shift", "-1"], "--max-shift"),
    (["--max-shift", "28"], "--max-shift"),
    (["--channels", "0", "8"], "--channels"),
    (["--channels", "4", "-8"], "--channels"),
    (["--channels", "4", "4", "4", "4"], "too small"),
    (["--hidden", "-1"], "--hidden"),
    (["--hidden", "100000000"], "parameters"),
    (["--threads", "-1"], "--threads"),
    (["--limit", "0"], "--limit"),
    (["--limit", "-5"], "--limit"),
    (["--seed", "-1"], "--seed"),
])
def test_train_cnn_rejects_bad_settings(capsys, tmp_path, args, words):
    message = command_error(capsys, ["train-cnn", "--out", str(tmp_path / "m"), *args])
    assert words in message
    assert not (tmp_path / "m").exists()


def test_train_cnn_out_naming_a_file(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    message = command_error(capsys, ["train-cnn", "--out", str(tmp_path / "file")])
    assert str(tmp_path / "file") in message and "not a folder" in message
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("where", ["under a file", "in /proc"])
def test_train_cnn_unwritable_out_fails_before_training(capsys, tmp_path, where):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "models" if where == "under a file" else "/proc/annteach-models"
    message = command_error(capsys, ["train-cnn", "--out", str(out)])
    assert str(out) in message and "cannot write" in message


def _shipped_bytes():
    path = default_model_path()
    return path.read_bytes(), path.with_suffix(".json").read_bytes()


@pytest.mark.parametrize("how", ["symlink", "dotdot", "package folder", "file", "linked files"])
def test_train_cnn_never_writes_over_the_shipped_model(capsys, tmp_path, how):
    weights = default_model_path().parent
    if how == "symlink":
        out = tmp_path / "link"
        out.symlink_to(weights)
    elif how == "dotdot":
        out = weights / ".." / "weights"
    elif how == "package folder":
        out = PACKAGE_DIR
    elif how == "file":
        out = default_model_path()
    else:  # a folder whose cnn.npz and cnn.json are links to the shipped files
        out = tmp_path / "links"
        out.mkdir()
        for suffix in (".npz", ".json"):
            (out / f"cnn{suffix}").symlink_to(default_model_path().with_suffix(suffix))
    before = _shipped_bytes()
    message = command_error(capsys, ["train-cnn", "--out", str(out), "--epochs", "1",
                                     "--limit", "10"])
    assert "shipped" in message or "package" in message or "not a folder" in message
    assert _shipped_bytes() == before


def test_only_the_documented_recipe_may_go_to_the_shipped_folder(tmp_path):
    from annteach.tools.train_cnn import DEFAULTS, check_out

    weights = default_model_path().parent
    check_out(weights, DEFAULTS, limit=None)  # the documented recipe: allowed
    link = tmp_path / "link"
    link.symlink_to(weights)
    check_out(link, DEFAULTS, limit=None)
    with pytest.raises(ValueError, match="epochs"):
        check_out(link, DEFAULTS | {"epochs": 1}, limit=None)
    with pytest.raises(ValueError, match="limit"):
        check_out(weights, DEFAULTS, limit=100)
    with pytest.raises(ValueError, match="package"):
        check_out(PACKAGE_DIR, DEFAULTS, limit=None)
    with pytest.raises(ValueError, match="package"):
        check_out(PACKAGE_DIR / "tools", DEFAULTS, limit=None)
    check_out(tmp_path / "new" / "models", DEFAULTS | {"epochs": 1}, limit=10)
    assert not (tmp_path / "new").exists()  # checking writes nothing


def test_train_cnn_stops_when_training_diverges(capsys, tmp_path):
    # A finite but absurd learning rate: Adam moves each weight by about lr a step, so
    # after a few steps of 1e38 the float32 weights overflow and the loss becomes NaN.
    message = command_error(capsys, ["train-cnn", "--out", str(tmp_path), "--lr", "1e38",
                                     "--epochs", "1", "--limit", "512", "--batch-size", "16",
                                     "--channels", "2", "--hidden", "0", "--no-progress"])
    assert "diverged" in message and "--lr" in message
    assert list(tmp_path.iterdir()) == []  # no weights, no JSON with NaN or Infinity



# -- student, tidy, build: notebooks that are not notebooks ----------------------------

BAD_NOTEBOOKS = {
    "not JSON": "{not json",
    "a top-level list": "[]",
    "missing cells": '{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    "a cell without source": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                             '"execution_count": null}], "metadata": {}, "nbformat": 4, '
                             '"nbformat_minor": 4}',
    "cells not a list": '{"cells": "x", "metadata": {}, "nbformat": 4, "nbformat_minor": 4}',
    "a cell not an object": '{"cells": [1], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}',
    "source a number": '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": 5}], '
                       '"metadata": {}, "nbformat": 4, "nbformat_minor": 4}',
    "outputs a string": '{"cells": [{"cell_type": "code", "metadata": {}, "source": "", '
                        '"outputs": "x", "execution_count": null}], "metadata": {}, '
                        '"nbformat": 4, "nbformat_minor": 4}',
    "metadata a list": '{"cells": [], "metadata": [], "nbformat": 4, "nbformat_minor": 4}',
    "nbformat a string": '{"cells": [], "metadata": {}, "nbformat": "4", "nbformat_minor": 4}',
    "deep nesting": '{"cells": [], "metadata": {"a": ' + "[" * 100_000 + "]" * 100_000
                    + '}, "nbformat": 4, "nbformat_minor": 4}',
    "nesting under the recursion limit": '{"cells": [], "metadata": {"a": ' + "[" * 900
                                         + "]" * 900 + '}, "nbformat": 4, "nbformat_minor": 4}',
    "not UTF-8": b'{"cells": [], "metadata": {"a": "\xff"}, "nbformat": 4, "nbformat_minor": 4}',
    "nbformat 3": '{"worksheets": [], "metadata": {}, "nbformat": 3, "nbformat_minor": 0}',
    "a cell id a list": '{"cells": [{"id": [], "cell_type": "markdown", "metadata": {}, '
                        '"source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    "an unknown cell type": '{"cells": [{"cell_type": "foo", "metadata": {}, "source": ""}], '
                            '"metadata": {}, "nbformat": 4, "nbformat_minor": 4}',
    "nbgrader metadata a number": '{"cells": [{"cell_type": "markdown", "source": "", '
                                  '"metadata": {"nbgrader": 5}}], "metadata": {}, '
                                  '"nbformat": 4, "nbformat_minor": 4}',
    "a slide type a list": '{"cells": [{"cell_type": "markdown", "source": "", "metadata": '
                           '{"slideshow": {"slide_type": []}}}], "metadata": {}, '
                           '"nbformat": 4, "nbformat_minor": 4}',
    "a RISE theme a number": '{"cells": [], "metadata": {"rise": {"theme": 1}}, "nbformat": 4, '
                             '"nbformat_minor": 4}',
}

# What the message says, beyond the file's name.
PROBLEMS = {
    "not JSON": "not JSON", "a top-level list": "array, not an object",
    "missing cells": "'cells'", "a cell without source": "cells[0]: 'source'",
    "cells not a list": "cells is a string", "a cell not an object": "cells[0] is a number",
    "source a number": "cells[0].source is a number", "outputs a string": "cells[0].outputs",
    "metadata a list": "metadata is an array", "nbformat a string": "nbformat is a string",
    "deep nesting": "nested too deeply", "nesting under the recursion limit": "nested more",
    "not UTF-8": "not UTF-8", "nbformat 3": "nbformat 3.0", "a cell id a list": "cells[0].id",
    "an unknown cell type": "cells[0] (cell_type 'foo')",
    "nbgrader metadata a number": "cells[0].metadata.nbgrader is a number",
    "a slide type a list": "cells[0].metadata.slideshow.slide_type is an array",
    "a RISE theme a number": "metadata.rise.theme is a number",
}


def _write_bad(folder, kind, name="01_bad.ipynb"):
    path = folder / name
    text = BAD_NOTEBOOKS[kind]
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("kind", sorted(BAD_NOTEBOOKS))
def test_student_on_a_broken_notebook(capsys, tmp_path, kind):
    path = _write_bad(tmp_path, kind)
    out = tmp_path / "out"
    out.mkdir()
    (out / "01_bad.ipynb").write_text("the old edition")
    message = command_error(capsys, ["student", "--out", str(out), str(path)])
    assert str(path) in message and PROBLEMS[kind] in message
    assert _snapshot(out) == {Path("01_bad.ipynb"): b"the old edition"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_bad.ipynb", "out"]


@pytest.mark.parametrize("kind", sorted(BAD_NOTEBOOKS))
def test_tidy_on_a_broken_notebook(capsys, tmp_path, kind):
    path = _write_bad(tmp_path, kind)
    before = path.read_bytes()
    message = command_error(capsys, ["tidy", str(path)])
    assert str(path) in message and PROBLEMS[kind] in message
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("command", ["student", "tidy"])
@pytest.mark.parametrize("what", ["a FIFO", "a directory", "missing"])
def test_a_notebook_that_is_no_file(capsys, tmp_path, command, what):
    path = tmp_path / "01_x.ipynb"
    if what == "a FIFO":
        os.mkfifo(path)
    elif what == "a directory":
        path.mkdir()
    argv = [command, str(path)] + (["--out", str(tmp_path / "out")] if command == "student"
                                   else [])
    message = command_error(capsys, argv)  # a FIFO must not block
    assert str(path) in message


def _good_notebook(tmp_path, name="01_a.ipynb", hint="add one"):
    import nbformat

    cell = nbformat.v4.new_code_cell(f"def f(x):\n    # {hint}\n    ### BEGIN SOLUTION\n"
                                     "    return x + 1\n    ### END SOLUTION")
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                 "grade_id": "ex-f", "schema_version": 3}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A"), cell])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    path = tmp_path / name
    path.write_text(json.dumps(nb, indent=1))  # ASCII: a lone surrogate as a JSON escape
    return path


def test_student_out_naming_a_file(capsys, tmp_path):
    path = _good_notebook(tmp_path)
    (tmp_path / "file").write_text("x")
    message = command_error(capsys, ["student", "--out", str(tmp_path / "file"), str(path)])
    assert str(tmp_path / "file") in message and "not a folder" in message
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("where", ["under a file", "in /proc"])
def test_student_unwritable_out(capsys, tmp_path, where):
    path = _good_notebook(tmp_path)
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "student" if where == "under a file" else "/proc/annteach-student"
    message = command_error(capsys, ["student", "--out", str(out), str(path)])
    assert str(out) in message


def test_student_out_holding_other_files_is_refused(capsys, tmp_path):
    path = _good_notebook(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    message = command_error(capsys, ["student", "--out", str(out), str(path)])
    assert "notes.txt" in message
    assert _snapshot(out) == {Path("notes.txt"): b"mine"}


def test_an_error_while_writing_leaves_the_folder_as_it_was(capsys, tmp_path):
    first = _good_notebook(tmp_path, "01_a.ipynb")
    second = _good_notebook(tmp_path, "02_b.ipynb", hint="add one \ud800")  # lone surrogate
    out = tmp_path / "out"
    out.mkdir()
    (out / "01_a.ipynb").write_text("old edition of a")
    (out / "03_c.ipynb").write_text("old edition of c")
    message = command_error(capsys, ["student", "--out", str(out), str(first), str(second)])
    assert str(second) in message
    assert _snapshot(out) == {Path("01_a.ipynb"): b"old edition of a",
                              Path("03_c.ipynb"): b"old edition of c"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_a.ipynb", "02_b.ipynb", "out"]


# Runs in a child: writes the student editions of the notebooks given, killing itself
# (SIGKILL) while writing the second file.
KILL_WHILE_WRITING = """
import os, signal, sys
import nbformat
from annteach.tools import student
written = [0]
real = nbformat.write

def write(nb, f, **kwargs):
    written[0] += 1
    if written[0] == 2:
        f.write('{"cells": [')
        f.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return real(nb, f, **kwargs)

nbformat.write = write
student.write_student_editions(sys.argv[2:], sys.argv[1])
"""


def test_a_kill_while_writing_leaves_the_folder_as_it_was(tmp_path):
    notebooks = [str(_good_notebook(tmp_path, f"0{i}_x.ipynb")) for i in (1, 2, 3)]
    out = tmp_path / "out"
    out.mkdir()
    (out / "01_x.ipynb").write_text("old edition")
    done = subprocess.run([sys.executable, "-c", KILL_WHILE_WRITING, str(out), *notebooks],
                          capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _snapshot(out) == {Path("01_x.ipynb"): b"old edition"}
    # the next run completes, and leaves nothing of the killed one behind
    assert main(["student", "--out", str(out), *notebooks]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["01_x.ipynb", "02_x.ipynb", "03_x.ipynb"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [Path(n).name for n in notebooks] + ["out"])


def test_present_refuses_a_notebook_outside_the_course(capsys, tmp_path):
    path = _good_notebook(tmp_path)
    message = command_error(capsys, ["present", str(path)])
    assert str(path) in message and "outside the course folder" in message
