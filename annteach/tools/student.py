"""Student editions of the lecture notebooks, generated from the instructor editions.

The notebooks in ``notebooks/`` are the instructor editions: they hold the
solutions of the exercises and are committed with their outputs. Exercises follow
the nbgrader convention. An exercise cell carries the cell metadata
``{"nbgrader": {"solution": true, "grade_id": "ex-...", ...}}`` and marks its
solution with the lines ``### BEGIN SOLUTION`` and ``### END SOLUTION``; the
self-check cell after it is ``locked`` and not a solution.

:func:`student_edition` does the part of ``nbgrader generate_assignment`` that a
course without a gradebook needs, with the delimiters and stubs of nbgrader's
``ClearSolutions`` (see ``tests/test_student.py`` for the comparison):

* a solution region in a code cell becomes ``# YOUR CODE HERE`` and
  ``raise NotImplementedError("<hint>")``, indented like the ``BEGIN`` line; the
  hint is the comment just above ``### BEGIN SOLUTION``;
* a solution region in a markdown (or raw) cell becomes ``YOUR ANSWER HERE``;
* a solution cell without a region is replaced whole by the stub;
* locked cells (the self-checks) become read-only and solution cells undeletable,
  like nbgrader's ``LockCells``;
* the cells for the instructor only are dropped (:func:`drop_instructor_cells`):
  speaker notes (slide type ``notes``), which often answer the questions, and
  cells tagged ``reference-code``, which print the package's own source;
* all outputs, execution counts, timing metadata and widget state are dropped.

nbgrader's release (``nbgrader generate_assignment`` with the course's
``grading/nbgrader_config.py``, which drops the same cells) gives the same
notebook apart from the stubs' hints and nbgrader's checksums; the tests
compare the two.

A region that does not close, an ``END`` without a ``BEGIN``, nested regions or
a region in a cell that is not a solution cell are errors (``ValueError`` naming
the notebook and the cell), and then nothing is written. The output folder is
replaced as a whole (:func:`write_student_editions`), so an error or a kill
while writing leaves the previous editions.

Command line: ``python -m annteach student [--out DIR] [NOTEBOOK ...]``.
"""

import copy
import json
import re
import shutil
from pathlib import Path

from ..files import replace_folder
from ..paths import REPO_ROOT
from .notebooks import NOTEBOOK_PATTERN, NOTEBOOKS_DIR, course_notebooks, read_notebook

DEFAULT_OUT = REPO_ROOT / "build" / "student"

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
CODE_STUB = "# YOUR CODE HERE"
TEXT_STUB = "YOUR ANSWER HERE"
DEFAULT_HINT = "write your solution here"

# Cells for the instructor only: speaker notes, and printed reference source.
NOTES_SLIDE_TYPE = "notes"
REFERENCE_TAG = "reference-code"

# JupyterLab's checkpoints of the notebooks in a folder it opened.
CHECKPOINTS = ".ipynb_checkpoints"

# Cell metadata that records how a cell was run, not what it says.
RUN_METADATA = {"collapsed", "scrolled", "execution"}

_COMMENT = re.compile(r"^\s*#+\s?(.*?)\s*$")


def is_solution_cell(cell):
    """Return True for an nbgrader solution cell (an exercise the student answers)."""
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def is_locked_cell(cell):
    """Return True for a locked nbgrader cell that is not a solution (a self-check)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked", False)) and not meta.get("solution", False)


def is_instructor_cell(cell):
    """Return True for a speaker-notes cell or a cell tagged ``reference-code``."""
    meta = cell.get("metadata", {})
    return (meta.get("slideshow", {}).get("slide_type") == NOTES_SLIDE_TYPE
            or REFERENCE_TAG in meta.get("tags", []))


def drop_instructor_cells(nb, name="notebook"):
    """Return a copy of a notebook without its instructor-only cells.

    Speaker notes (slide type ``notes``) and cells tagged ``reference-code``
    (library source printed for comparison) are left out; a solution or
    self-check cell is never instructor-only. ``name`` names the notebook in
    error messages.

    Raises
    ------
    ValueError
        If an nbgrader cell (exercise or self-check) is marked instructor-only.
    """
    for index, cell in enumerate(nb.cells):
        if is_instructor_cell(cell) and "nbgrader" in cell.get("metadata", {}):
            raise ValueError(f"{_where(name, index, cell)}: an nbgrader cell cannot be "
                             "speaker notes or reference code")
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if not is_instructor_cell(cell)]
    return nb


def _where(name, index, cell):
    ident = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id")
    return f"{name}: cell {index}" + (f" ({ident})" if ident else "")


def _hint(lines):
    """The comment lines directly above a ``BEGIN SOLUTION`` line, as one sentence."""
    hint = []
    for line in reversed(lines):
        match = _COMMENT.match(line)
        if match is None or BEGIN_SOLUTION in line or END_SOLUTION in line:
            break
        if match.group(1):
            hint.append(match.group(1))
    return " ".join(reversed(hint))


def _code_stub(indent, hint):
    # json.dumps writes a valid Python string literal (double quotes, escapes).
    message = json.dumps(hint or DEFAULT_HINT, ensure_ascii=False)
    return [indent + CODE_STUB, f"{indent}raise NotImplementedError({message})"]


def _clear_regions(source, cell_type, where):
    """Replace each solution region of a cell source by the stub.

    Returns the new source and whether there was a region at all.
    """
    lines = source.split("\n")
    out = []
    begin = None  # line number of the open BEGIN SOLUTION
    found = False
    for number, line in enumerate(lines, start=1):
        if BEGIN_SOLUTION in line:
            if begin is not None:
                raise ValueError(
                    f"{where}: '{BEGIN_SOLUTION}' on line {number} inside the solution "
                    f"region opened on line {begin} (nested regions)"
                )
            begin, found = number, True
            indent = re.match(r"\s*", line).group(0)
            if cell_type == "code":
                out.extend(_code_stub(indent, _hint(lines[: number - 1])))
            else:
                out.append(indent + TEXT_STUB)
        elif END_SOLUTION in line:
            if begin is None:
                raise ValueError(
                    f"{where}: '{END_SOLUTION}' on line {number} without a '{BEGIN_SOLUTION}'"
                )
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise ValueError(f"{where}: the '{BEGIN_SOLUTION}' on line {begin} has no '{END_SOLUTION}'")
    return "\n".join(out), found


def clear_solutions(nb, name="notebook"):
    """Return a copy of a notebook with every solution replaced by a stub.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An instructor edition (nbformat 4). Not modified.
    name : str
        How to call the notebook in error messages (e.g. its file name).

    Returns
    -------
    nbformat.NotebookNode
        The notebook with the same cells, solution regions replaced by stubs
        (see the module docstring). Outputs are left as they are.

    Raises
    ------
    ValueError
        If a solution region is unbalanced or nested, or lies in a cell that is
        not a solution cell, or the notebook's language is not Python.
    """
    language = nb.get("metadata", {}).get("kernelspec", {}).get("language", "python")
    if language != "python":
        raise ValueError(f"{name}: kernel language {language!r}; only python is supported")
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        where = _where(name, index, cell)
        source, found = _clear_regions(cell.source, cell.cell_type, where)
        if found and not is_solution_cell(cell):
            raise ValueError(
                f"{where}: solution region in a cell without nbgrader solution metadata"
            )
        if is_solution_cell(cell) and not found:
            stub = _code_stub("", "") if cell.cell_type == "code" else [TEXT_STUB]
            source = "\n".join(stub)
        cell.source = source
    return nb


def _lock_cells(nb):
    """Make self-checks read-only and exercises undeletable (nbgrader's LockCells)."""
    for cell in nb.cells:
        if is_locked_cell(cell):
            cell.metadata["deletable"] = False
            cell.metadata["editable"] = False
        elif is_solution_cell(cell):
            cell.metadata["deletable"] = False


def student_edition(nb, name="notebook"):
    """Return the student edition of an instructor notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An instructor edition (nbformat 4). Not modified.
    name : str
        How to call the notebook in error messages.

    Returns
    -------
    nbformat.NotebookNode
        A valid notebook with the same cells less the instructor-only ones
        (:func:`drop_instructor_cells`): solutions replaced by stubs,
        self-checks locked, no outputs, execution counts or widget state.

    Raises
    ------
    ValueError
        As :func:`clear_solutions`.
    """
    import nbformat
    from nbconvert.preprocessors import ClearOutputPreprocessor

    nb = clear_solutions(drop_instructor_cells(nb, name), name)
    nb, _ = ClearOutputPreprocessor(remove_metadata_fields=RUN_METADATA).preprocess(nb, {})
    _lock_cells(nb)
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    return nb


def write_student_editions(notebooks, out):
    """Write the student edition of each notebook into a folder.

    Every notebook is read and converted, and the folder checked, before
    anything is written. The new editions, and the old editions of notebooks
    not given, are written into a temporary folder beside ``out`` that then
    replaces it (:func:`annteach.files.replace_folder`): an error or a kill
    while writing leaves the folder as it was.

    Parameters
    ----------
    notebooks : iterable of str or Path
        Instructor editions.
    out : str or Path
        Output folder (created if missing). Files keep their names. It may hold
        notebooks only (it is rewritten as a whole; JupyterLab's
        ``.ipynb_checkpoints`` is dropped) and must not be the folder of an
        instructor edition given.

    Returns
    -------
    list of Path
        The files written, in the order given.

    Raises
    ------
    ValueError
        If ``out`` is not a folder or holds other files, a notebook cannot be
        read, is not a valid notebook, or has a bad solution region (the
        message names the file and the cell), or two notebooks have the same
        file name.
    OSError
        If the folder cannot be written (it is then left as it was).
    """
    import nbformat

    out = Path(out)
    notebooks = [Path(path) for path in notebooks]
    kept = _check_out(out, notebooks)
    editions = {}
    for path in notebooks:
        if path.name in editions:
            raise ValueError(f"{path}: two notebooks named {path.name!r}")
        nb = read_notebook(path)
        try:
            editions[path.name] = student_edition(nb, str(path))
        except nbformat.ValidationError as error:
            raise ValueError(f"{path}: not a valid notebook: {error.message}") from error

    def write(folder):
        for filename, nb in editions.items():
            with open(folder / filename, "w", encoding="utf-8") as f:
                nbformat.write(nb, f)
        for old in kept:
            if old.name not in editions:
                shutil.copy2(old, folder / old.name)

    replace_folder(out, write)
    return [out / filename for filename in editions]


def _check_out(out, notebooks):
    """The notebooks already in ``out``; ValueError if it cannot take the student editions."""
    if not out.exists():
        if out.is_symlink():
            raise ValueError(f"{out}: a link to nothing, not a folder")
        return []
    if not out.is_dir():
        raise ValueError(f"{out}: not a folder; the student editions go into a folder")
    for path in notebooks:
        if path.parent.exists() and path.parent.resolve() == out.resolve():
            raise ValueError(f"{out}: the folder of {path}; the student editions would "
                             "replace the instructor editions")
    kept = []
    for entry in sorted(out.iterdir()):
        if entry.name == CHECKPOINTS and entry.is_dir() and not entry.is_symlink():
            continue  # JupyterLab's, of editions that are replaced: dropped
        if entry.suffix != ".ipynb" or entry.is_symlink() or not entry.is_file():
            raise ValueError(f"{out}: holds {entry.name!r}, which is not a student edition; "
                             "the folder is rewritten as a whole, so give a folder of student "
                             "editions or a new one")
        kept.append(entry)
    return kept


def configure_parser(parser):
    """Add the options of ``python -m annteach student``."""
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help=f"instructor notebooks (default: {NOTEBOOKS_DIR}/{NOTEBOOK_PATTERN})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder for the student editions (default: {DEFAULT_OUT})",
    )


def run(args):
    """Entry point of ``python -m annteach student``."""
    notebooks = args.notebooks or course_notebooks()
    if not notebooks:
        raise SystemExit(f"annteach student: no notebooks match {NOTEBOOKS_DIR / NOTEBOOK_PATTERN}")
    try:
        written = write_student_editions(notebooks, args.out)
    except ValueError as error:
        raise SystemExit(f"annteach student: {error}") from error
    except OSError as error:
        raise SystemExit(f"annteach student: {args.out}: cannot write the student editions "
                         f"there: {error.strerror or error}") from error
    for path in written:
        print(f"wrote {path}")
    return 0
