"""Tidy executed notebooks so that refreshing their outputs is reproducible.

``make outputs`` executes the notebooks in place without timing or widget-state
metadata; what is left that changes on every run is the widget *view* of an
explorer cell: ``application/vnd.jupyter.widget-view+json`` holds a random
``model_id``, and without the widget state no viewer can show it anyway. This
module drops those views and keeps each output's plain-text stand-in, so a
refresh of an unchanged notebook gives no diff.
"""

import os
import tempfile
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def strip_widget_views(nb):
    """Remove widget views from the outputs of a notebook, in place.

    Parameters
    ----------
    nb : dict
        A notebook (as read by ``nbformat`` or ``json``).

    Returns
    -------
    int
        How many widget views were removed.
    """
    removed = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data and WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                removed += 1
    return removed


def tidy_notebook(path):
    """Strip the widget views of the notebook at ``path``; rewrite it only if it changed.

    The file is replaced atomically (temporary file + rename), so an
    interrupted run never leaves half a notebook.

    Returns
    -------
    int
        How many widget views were removed.
    """
    import nbformat

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    removed = strip_widget_views(nb)
    if removed:
        nbformat.validate(nb)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                nbformat.write(nb, file)
            os.chmod(tmp, path.stat().st_mode & 0o777)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return removed


def configure_parser(parser):
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to tidy in place")


def run(args):
    for path in args.notebooks:
        removed = tidy_notebook(path)
        if removed:
            print(f"{path}: removed {removed} widget view(s)")
    return 0
