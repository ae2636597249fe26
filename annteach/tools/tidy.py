"""Tidy executed notebooks so that refreshing their outputs is reproducible.

``make outputs`` executes the notebooks in place without timing or widget-state
metadata; what is left that changes on every run is the widget *view* of an
explorer cell: ``application/vnd.jupyter.widget-view+json`` holds a random
``model_id``, and without the widget state no viewer can show it anyway. This
module drops those views and keeps each output's plain-text stand-in, so a
refresh of an unchanged notebook gives no diff.
"""

from pathlib import Path

from ..files import atomic_write
from .notebooks import read_notebook

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
    nb = read_notebook(path)
    removed = strip_widget_views(nb)
    if removed:
        nbformat.validate(nb)
        atomic_write(path, lambda f: nbformat.write(nb, f), text=True)
    return removed


def configure_parser(parser):
    """Add the argument of ``python -m annteach tidy``."""
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to tidy in place")


def run(args):
    """Run ``python -m annteach tidy NOTEBOOK...``."""
    for path in args.notebooks:
        try:
            removed = tidy_notebook(path)
        except ValueError as exc:
            raise SystemExit(f"annteach tidy: {exc}") from exc
        except OSError as exc:
            raise SystemExit(f"annteach tidy: {path}: cannot write the notebook: "
                             f"{exc.strerror or exc}") from exc
        if removed:
            print(f"{path}: removed {removed} widget view(s)")
    return 0
