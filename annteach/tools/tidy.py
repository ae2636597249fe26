"""Tidy executed notebooks so that refreshing their outputs is reproducible.

``make outputs`` executes the notebooks in place without timing or widget-state
metadata; what is left that changes on every run is the widget *view* of an
explorer cell: ``application/vnd.jupyter.widget-view+json`` holds a random
``model_id``, and without the widget state no viewer can show it anyway. This
module drops those views and keeps each output's plain-text stand-in, so a
refresh of an unchanged notebook gives no diff. It also merges the pieces of
text a cell printed while it computed (consecutive stream outputs), which
viewers and slide decks would otherwise draw as separate boxes, the lines of
one printed table standing apart.
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


def merge_streams(nb):
    """Merge consecutive stream outputs of the same name in every cell, in place.

    A cell that prints while it computes leaves one ``stdout`` output per
    burst of printing. Merged, the text is the same (nbval compares the
    streams of a cell merged as well); outputs of another kind in between
    (a figure) keep their place.

    Parameters
    ----------
    nb : dict
        A notebook (as read by ``nbformat`` or ``json``).

    Returns
    -------
    int
        How many outputs were merged into the one before them.
    """
    merged = 0
    for cell in nb.get("cells", []):
        kept = []
        for output in cell.get("outputs", []):
            last = kept[-1] if kept else None
            if (output.get("output_type") == "stream" and last is not None
                    and last.get("output_type") == "stream"
                    and last.get("name") == output.get("name")):
                last["text"] = _text(last.get("text")) + _text(output.get("text"))
                merged += 1
            else:
                kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return merged


def _text(text):
    """A stream's text as one string (a JSON file may hold it as a list of lines)."""
    return "".join(text) if isinstance(text, list) else (text or "")


def tidy_notebook(path):
    """Tidy the notebook at ``path``; rewrite it only if it changed.

    Strips the widget views (:func:`strip_widget_views`) and merges
    consecutive stream outputs (:func:`merge_streams`). The file is replaced
    atomically (temporary file + rename), so an interrupted run never leaves
    half a notebook.

    Returns
    -------
    removed : int
        How many widget views were removed.
    merged : int
        How many stream outputs were merged into the one before them.
    """
    import nbformat

    path = Path(path)
    nb = read_notebook(path)
    removed, merged = strip_widget_views(nb), merge_streams(nb)
    if removed or merged:
        nbformat.validate(nb)
        atomic_write(path, lambda f: nbformat.write(nb, f), text=True)
    return removed, merged


def configure_parser(parser):
    """Add the argument of ``python -m annteach tidy``."""
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to tidy in place")


def run(args):
    """Run ``python -m annteach tidy NOTEBOOK...``."""
    for path in args.notebooks:
        try:
            removed, merged = tidy_notebook(path)
        except ValueError as exc:
            raise SystemExit(f"annteach tidy: {exc}") from exc
        except OSError as exc:
            raise SystemExit(f"annteach tidy: {path}: cannot write the notebook: "
                             f"{exc.strerror or exc}") from exc
        if removed:
            print(f"{path}: removed {removed} widget view(s)")
        if merged:
            print(f"{path}: merged {merged} stream output(s) into the one before")
    return 0
