"""The course's notebooks: their file names, where they are, and reading one.

Shared by the tools that build the decks, write the student editions and tidy
executed notebooks, so that they agree on which files are the lectures.
"""

from pathlib import Path

from ..paths import REPO_ROOT

__all__ = ["NOTEBOOKS_DIR", "NOTEBOOK_PATTERN", "course_notebooks", "read_notebook"]

#: File names of the lecture notebooks: ``01_introduction_xor.ipynb``, ...
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"

#: The lecture notebooks of the clone (the instructor editions).
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


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
    """Read a notebook (nbformat 4), naming the file in any error.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    ValueError
        ``"<path>: cannot read the notebook: <reason>"`` for a missing file or
        one that is not a notebook.
    """
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError) as error:  # nbformat's NotJSONError is a ValueError
        raise ValueError(f"{path}: cannot read the notebook: {error}") from error
