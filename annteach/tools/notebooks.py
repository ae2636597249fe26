"""The course's notebooks: their file names, where they are, and reading one.

Shared by the tools that build the decks, write the student editions and tidy
executed notebooks, so that they agree on which files are the lectures.
"""

import json
import warnings
from pathlib import Path

from ..files import read_regular
from ..paths import REPO_ROOT

__all__ = ["MAX_DEPTH", "MAX_NOTEBOOK_BYTES", "NOTEBOOKS_DIR", "NOTEBOOK_PATTERN",
           "check_course_metadata", "course_notebooks", "read_notebook"]

#: File names of the lecture notebooks: ``01_introduction_xor.ipynb``, ...
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"

#: The lecture notebooks of the clone (the instructor editions).
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

#: Larger files are not read as notebooks (the lectures, with outputs, are under 1 MB).
MAX_NOTEBOOK_BYTES = 100 * 2**20

#: Deepest nesting of JSON arrays and objects read in a notebook (the lectures have 8).
MAX_DEPTH = 100

# What a JSON value is, in messages.
_JSON_TYPES = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"),
               (list, "an array"), (dict, "an object"), (type(None), "null"))

# JSON schema type names, in messages.
_SCHEMA_TYPES = {"array": "an array", "object": "an object", "string": "a string",
                 "number": "a number", "integer": "an integer", "boolean": "a boolean"}

_MAX_MESSAGE = 200


def course_notebooks(folder=NOTEBOOKS_DIR):
    """The lecture notebooks ``NN_name.ipynb`` in ``folder``, sorted.

    Parameters
    ----------
    folder : str or os.PathLike, optional
        Default: the clone's ``notebooks/``.

    Returns
    -------
    list of pathlib.Path
    """
    return sorted(Path(folder).glob(NOTEBOOK_PATTERN))


def read_notebook(path):
    """Read and check a notebook (nbformat 4), naming the file in any error.

    The file is read only if it is a regular file of at most
    :data:`MAX_NOTEBOOK_BYTES` bytes (a FIFO never blocks), then checked before
    nbformat builds anything from it: UTF-8 text, JSON nested at most
    :data:`MAX_DEPTH` levels (deeper nesting would overflow the stack of the
    recursive code that copies and writes notebooks) whose strings UTF-8 can
    encode (a ``"\\ud800"`` escape cannot be written back), an object with integer
    ``nbformat`` 4 and ``nbformat_minor``, valid under nbformat's schema
    (``nbformat.validate``), and the metadata the course's tools read of the
    right types (:func:`check_course_metadata`).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    nbformat.NotebookNode
        The notebook, as ``nbformat.read(path, as_version=4)`` gives it.

    Raises
    ------
    ValueError
        One line naming the file: ``"<path>: cannot read the notebook:
        <reason>"`` for a file that is missing, too large, not UTF-8, not JSON
        or nested too deeply; ``"<path>: a FIFO or pipe, not a regular file;
        ..."`` (or a directory...); ``"<path>: not a valid notebook: <place>
        <problem>"`` for JSON that is not a notebook, e.g. ``cells[2].source is
        a number, in none of the forms allowed there``.
    """
    import nbformat
    from nbformat.warnings import MissingIDFieldWarning

    try:
        data = read_regular(path, MAX_NOTEBOOK_BYTES, "notebook")
    except OSError as error:
        raise ValueError(f"{path}: cannot read the notebook: "
                         f"{error.strerror or error}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: cannot read the notebook: not UTF-8 text (byte "
                         f"{error.start} is {data[error.start]:#04x})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: cannot read the notebook: not JSON ({error.msg}, "
                         f"line {error.lineno} column {error.colno})") from None
    except RecursionError:
        raise ValueError(f"{path}: cannot read the notebook: JSON nested too deeply "
                         f"(at most {MAX_DEPTH} levels are read)") from None
    try:
        _check_structure(raw)
        with warnings.catch_warnings():
            # nbformat gives the missing cell ids, as it does when it reads the file
            warnings.simplefilter("ignore", MissingIDFieldWarning)
            nbformat.validate(raw)
            check_course_metadata(raw)
            return nbformat.reads(text, as_version=4)
    except nbformat.ValidationError as error:
        raise ValueError(f"{path}: not a valid notebook: {_schema_message(error)}") from None
    except ValueError as error:
        raise ValueError(f"{path}: not a valid notebook: {error}") from None


def check_course_metadata(nb):
    """Check the types of the metadata the course's tools read, where present.

    Cell metadata ``nbgrader`` and ``slideshow`` are objects, a slide type is a
    string; notebook metadata ``rise`` is an object whose ``theme`` and
    ``transition`` are strings and ``slideNumber`` a boolean or a string.
    nbformat's schema leaves all of them open.

    Parameters
    ----------
    nb : dict
        A notebook valid under nbformat's schema.

    Raises
    ------
    ValueError
        Naming the place, e.g. ``"cells[3].metadata.nbgrader is a string, not an object"``.
    """
    checks = []
    for index, cell in enumerate(nb["cells"]):
        where = f"cells[{index}].metadata"
        checks += [(cell["metadata"], where, "nbgrader", dict),
                   (cell["metadata"], where, "slideshow", dict)]
    checks.append((nb["metadata"], "metadata", "rise", dict))
    for parent, where, key, kind in checks:
        _check_type(parent, where, key, kind)
        if key == "slideshow" and key in parent:
            _check_type(parent[key], f"{where}.{key}", "slide_type", str)
        if key == "rise" and key in parent:
            for name, kinds in (("theme", str), ("transition", str),
                                ("slideNumber", (bool, str))):
                _check_type(parent[key], f"{where}.{key}", name, kinds)


def _check_type(parent, where, key, kinds):
    if key in parent and not isinstance(parent[key], kinds):
        expected = " or ".join(_json_type_name(kind) for kind in
                               (kinds if isinstance(kinds, tuple) else (kinds,)))
        raise ValueError(f"{where}.{key} is {_json_type(parent[key])}, not {expected}")


def _json_type(value):
    return next(name for kind, name in _JSON_TYPES if isinstance(value, kind))


def _json_type_name(kind):
    return next(name for known, name in _JSON_TYPES if known is kind)


def _check_structure(raw):
    """What nbformat's schema check needs to run at all, and the nesting depth."""
    if not isinstance(raw, dict):
        raise ValueError(f"the file holds {_json_type(raw)}, not an object")
    for key in ("nbformat", "nbformat_minor"):
        if key not in raw:
            raise ValueError(f"no {key!r}")
        if type(raw[key]) is not int:
            raise ValueError(f"{key} is {_json_type(raw[key])}, not an integer")
    if raw["nbformat"] != 4 or raw["nbformat_minor"] < 0:
        raise ValueError(f"nbformat {raw['nbformat']}.{raw['nbformat_minor']}; only "
                         "nbformat 4 notebooks are read")
    if "cells" not in raw:
        raise ValueError("no 'cells'")
    if not isinstance(raw["cells"], list):
        raise ValueError(f"cells is {_json_type(raw['cells'])}, not an array")
    for index, cell in enumerate(raw["cells"]):
        if not isinstance(cell, dict):
            raise ValueError(f"cells[{index}] is {_json_type(cell)}, not an object")
        if "id" in cell and not isinstance(cell["id"], str):
            raise ValueError(f"cells[{index}].id is {_json_type(cell['id'])}, not a string")
    _check_values(raw)


def _check_values(raw):
    """The nesting depth, and strings UTF-8 can encode, walking without recursion."""
    todo = [(raw, ())]
    while todo:
        value, path = todo.pop()
        if len(path) >= MAX_DEPTH:
            raise ValueError(f"JSON nested more than {MAX_DEPTH} levels deep")
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            if isinstance(key, str):
                _check_text(key, path)
            if isinstance(child, str):
                _check_text(child, (*path, key))
            elif isinstance(child, (dict, list)):
                todo.append((child, (*path, key)))


def _check_text(text, path):
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(f"{_place(path)} holds the lone surrogate "
                             f"{text[error.start]!r}, which UTF-8 cannot encode") from None


def _place(path):
    """``cells[0].source`` for the JSON path ``("cells", 0, "source")``."""
    return "".join(f"[{key}]" if isinstance(key, int) else f".{key}"
                   for key in path).lstrip(".") or "the notebook"


def _schema_message(error):
    """One short line for a schema error: where in the notebook, and what is wrong there."""
    path = _place(error.absolute_path)
    instance = error.instance
    if error.validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        message = (f"{path} is {_json_type(instance)}, not "
                   + " or ".join(_SCHEMA_TYPES.get(name, name) for name in expected))
    elif error.validator in ("oneOf", "anyOf"):
        kind = next((key for key in ("cell_type", "output_type")
                     if isinstance(instance, dict) and key in instance), None)
        message = (f"{path} ({kind} {instance[kind]!r}) is in none of the forms allowed there"
                   if kind else
                   f"{path} is {_json_type(instance)}, in none of the forms allowed there")
    else:
        message = f"{path}: {error.message}"
    message = " ".join(message.split())
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."
