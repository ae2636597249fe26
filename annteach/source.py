"""Showing the package's own code in a notebook: a function's source without its docstring.

The lectures show the library's ``fprop`` and ``backprop`` next to the students'
versions. The source is taken from the package (never pasted into a notebook) and
the docstring is found by parsing the code, so what is shown follows any change
of the code or its documentation.
"""

import ast
import inspect
import textwrap

__all__ = ["show_source", "source_without_docstring"]


def source_without_docstring(function):
    """The source code of a function (or class) without its docstring.

    Parameters
    ----------
    function : function or class
        Defined in a file (not typed into an interactive session).

    Returns
    -------
    str
        The definition, decorators included, dedented, ending in one newline;
        the lines of the docstring are left out.

    Raises
    ------
    TypeError
        If ``function`` is not a function or class defined in a file.
    ValueError
        If the docstring shares a line with other code (it cannot be cut out
        without cutting code).
    """
    if not (inspect.isfunction(function) or inspect.isclass(function)):
        raise TypeError(f"need a function or a class, got {type(function).__name__}")
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except OSError as error:
        raise TypeError(f"the source of {function.__qualname__} is not available: "
                        f"{error}") from error
    definition = ast.parse(source).body[0]
    first = definition.body[0]
    lines = source.splitlines()
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        start, end = first.lineno - 1, first.end_lineno  # the docstring's lines, [start, end)
        rest = definition.body[1:]
        if (lines[start][:first.col_offset].strip() or lines[end - 1][first.end_col_offset:].strip()
                or (rest and rest[0].lineno <= end)):
            raise ValueError(f"the docstring of {function.__qualname__} shares a line with code")
        while end < len(lines) and not lines[end].strip():
            end += 1  # and the blank lines after it
        del lines[start:end]
    return "\n".join(lines).rstrip() + "\n"


def show_source(*functions):
    """Print the source of each function without its docstring, a blank line between.

    Parameters
    ----------
    *functions : function or class
        For example ``at.show_source(at.fprop, at.backprop)``.
    """
    print("\n".join(source_without_docstring(f) for f in functions), end="")
