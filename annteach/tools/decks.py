"""Build the course for the lecture hall: offline slide decks, HTML pages and an index.

``make course`` executes the notebooks into ``build/notebooks/`` and then calls
:func:`build_course`, which writes

* ``build/slides/NN_name.slides.html``: a reveal.js deck per notebook that works
  from ``file://`` without a network (reveal.js, its speaker-notes plugin and
  MathJax are copied from ``slides/node_modules`` into ``build/slides/assets/``);
* ``build/html/NN_name.html``: the notebook as a plain page (local MathJax in
  ``build/html/assets/``);
* ``build/pdf/NN_name.pdf``, ``build/pdf/NN_name-notes.pdf`` and
  ``build/screenshots/NN_name/``: the PDF handouts and a picture of every slide, printed
  from the decks by :mod:`annteach.tools.handouts` (Chromium through Playwright);
* ``build/index.html``: links to all of them, and to the student editions in
  ``build/student/`` when that folder exists. It is written last, once every other step
  has succeeded.

The nbconvert templates live in ``slides/templates/`` and the pinned JavaScript
packages in ``slides/package.json`` (installed with ``npm ci --prefix slides``).
Presenting live with RISE is :mod:`annteach.tools.present`.

Command line: ``python -m annteach build [--notebooks DIR] [--build DIR] [--no-handouts]``.
"""

import html
import json
import re
from pathlib import Path

from ..files import atomic_write, replace_folder
from ..paths import REPO_ROOT
from .notebooks import NOTEBOOK_PATTERN, NOTEBOOKS_DIR, course_notebooks, read_notebook
from .offline import (
    MATHJAX_FILE,
    NODE_MODULES,
    check_node_modules,
    copy_deck_assets,
    copy_mathjax,
    offline_notebook,
    theme_css,
)

SLIDES_DIR = REPO_ROOT / "slides"
TEMPLATES_DIR = SLIDES_DIR / "templates"

# Size of a slide in CSS pixels: a 1280x720 projector.
SLIDE_WIDTH = 1280
SLIDE_HEIGHT = 720

SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}

__all__ = ["build_course", "build_deck", "build_html", "build_index", "count_slides",
           "notebook_title", "reveal_options", "slide_type"]


def slide_type(cell):
    """Return the RISE/reveal slide type of a notebook cell.

    Parameters
    ----------
    cell : dict
        A notebook cell (``nbformat`` node or plain dict).

    Returns
    -------
    str
        One of ``slide``, ``subslide``, ``fragment``, ``skip``, ``notes`` or
        ``-`` (a cell without slideshow metadata is ``-``: it continues the
        current slide).
    """
    kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
    if kind not in SLIDE_TYPES:
        raise ValueError(f"unknown slide_type {kind!r}; expected one of {sorted(SLIDE_TYPES)}")
    return kind


def count_slides(nb):
    """Count the slides of a notebook's reveal.js deck, as nbconvert builds it.

    nbconvert turns the first cell that is neither ``skip`` nor ``notes`` into
    the start of the first slide, whatever its type. Every later ``slide`` or
    ``subslide`` cell starts a new slide (reveal counts vertical subslides as
    slides too); ``-`` and ``fragment`` cells stay on the current slide and
    ``skip``/``notes`` cells add nothing.

    Parameters
    ----------
    nb : dict
        A notebook with a ``cells`` list.

    Returns
    -------
    int
        The number of slides, at least 1.
    """
    kinds = [slide_type(cell) for cell in nb["cells"]]
    visible = [i for i, kind in enumerate(kinds) if kind not in {"skip", "notes"}]
    if not visible:
        raise ValueError("the notebook has no visible cell, so it has no slides")
    return 1 + sum(kind in {"slide", "subslide"} for kind in kinds[visible[0] + 1 :])


def notebook_title(nb, default):
    """Return the text of the notebook's first markdown heading, or ``default``."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in cell["source"].splitlines():
            match = re.match(r"#+\s+(.*\S)", line)
            if match:
                return match.group(1)
    return default


def reveal_options(nb):
    """Translate the notebook's RISE metadata into nbconvert SlidesExporter options.

    Parameters
    ----------
    nb : dict
        A notebook; ``nb["metadata"]["rise"]`` may hold ``theme``,
        ``transition``, ``scroll`` and ``slideNumber``.

    Returns
    -------
    dict
        Keyword arguments for ``SlidesExporter`` (``reveal_theme``,
        ``reveal_transition``, ``reveal_scroll``, ``reveal_number``,
        ``reveal_width``, ``reveal_height``).
    """
    rise = nb.get("metadata", {}).get("rise", {})
    slide_number = rise.get("slideNumber", False)
    if slide_number is True:
        slide_number = "c/t"
    return {
        "reveal_theme": rise.get("theme", "white"),
        "reveal_transition": rise.get("transition", "none"),
        "reveal_scroll": bool(rise.get("scroll", False)),
        "reveal_number": slide_number or "",
        "reveal_width": str(SLIDE_WIDTH),
        "reveal_height": str(SLIDE_HEIGHT),
    }


def _exporter(kind, **options):
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    name = {"slides": "annteach_reveal", "html": "annteach_html"}[kind]
    cls = SlidesExporter if kind == "slides" else HTMLExporter
    config = Config()
    config[cls.__name__].update(
        template_name=name,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        extra_template_paths=[str(TEMPLATES_DIR / "shared")],
        mathjax_url="assets/mathjax/" + Path(MATHJAX_FILE).name,
        **options,
    )
    return cls(config=config)


def build_deck(notebook, out_dir, node_modules=NODE_MODULES, name=None):
    """Write ``out_dir/<name>.slides.html``, an offline reveal.js deck of ``notebook``.

    Parameters
    ----------
    notebook : path-like
        The notebook (with outputs); it is only read.
    out_dir : path-like
        The decks folder; the deck's assets are copied to ``out_dir/assets``.
    node_modules : path-like
        Where ``npm ci`` installed reveal.js and mathjax.
    name : str, optional
        The deck's file stem; the notebook's stem by default.

    Returns
    -------
    pathlib.Path
        The deck.
    """
    nb = offline_notebook(read_notebook(notebook))
    count_slides(nb)  # a notebook without visible cells has no deck
    options = reveal_options(nb)
    out_dir = Path(out_dir)
    copy_deck_assets(out_dir / "assets", options["reveal_theme"], node_modules)
    exporter = _exporter("slides", reveal_url_prefix="assets/reveal.js", **options)
    body, _ = exporter.from_notebook_node(nb)
    target = out_dir / f"{name or Path(notebook).stem}.slides.html"
    atomic_write(target, lambda f: f.write(body), text=True)
    return target


def build_html(notebook, out_dir, node_modules=NODE_MODULES, name=None):
    """Write ``out_dir/<name>.html``, the notebook as a page with local MathJax.

    Parameters and return value as for :func:`build_deck` (the assets folder
    ``out_dir/assets`` receives MathJax only).
    """
    nb = offline_notebook(read_notebook(notebook))
    out_dir = Path(out_dir)
    copy_mathjax(out_dir / "assets", node_modules)
    body, _ = _exporter("html").from_notebook_node(nb)
    target = out_dir / f"{name or Path(notebook).stem}.html"
    atomic_write(target, lambda f: f.write(body), text=True)
    return target


def build_index(build_dir, entries):
    """Write ``build_dir/index.html`` linking every notebook's deck, page and notebooks.

    Parameters
    ----------
    build_dir : path-like
        The build folder; links are relative to it.
    entries : list of dict
        One per notebook, in order, with ``title`` and the paths (relative to
        ``build_dir``, or None when missing) ``slides``, ``html``,
        ``notebook``, ``student`` and, when printed, ``pdf`` and ``notes_pdf``.

    Returns
    -------
    pathlib.Path
        The index page.
    """
    labels = [("slides", "slides"), ("html", "page"), ("notebook", "notebook"),
              ("student", "student edition"), ("pdf", "PDF handout"),
              ("notes_pdf", "PDF with speaker notes")]
    rows = []
    for entry in entries:
        links = " · ".join(
            f'<a href="{html.escape(Path(entry[key]).as_posix())}">{label}</a>'
            for key, label in labels
            if entry.get(key)
        )
        rows.append(f"<li><strong>{html.escape(entry['title'])}</strong>: {links}</li>")
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8"><title>Learning ANNs</title>',
            "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.6}"
            "</style></head>",
            "<body>",
            "<h1>Learning ANNs: lectures</h1>",
            "<p>Slides open in any browser without a network. Press <kbd>s</kbd> in a deck "
            "for the speaker view with the notes, <kbd>f</kbd> for full screen.</p>",
            "<ul>",
            *rows,
            "</ul>",
            "</body>",
            "</html>",
            "",
        ]
    )
    target = Path(build_dir) / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda f: f.write(page), text=True)
    return target


def build_course(notebooks_dir=NOTEBOOKS_DIR, build_dir=REPO_ROOT / "build",
                 node_modules=NODE_MODULES, handouts=True):
    """Build the decks, the HTML pages, the handouts and the index of all lecture notebooks.

    Each notebook is read from ``build_dir/notebooks/`` when ``make course`` has
    executed it there, else from ``notebooks_dir`` (committed with outputs).
    Nothing in ``notebooks_dir`` is modified.

    Every notebook is read and checked (a valid notebook with slides, known
    slide types and an offline theme), and ``node_modules`` found, before
    anything is written. The decks and the pages are written into temporary
    folders that then replace ``build_dir/slides`` and ``build_dir/html``
    (:func:`annteach.files.replace_folder`), and the index last, so a failure
    leaves the previous build in place.

    Parameters
    ----------
    notebooks_dir : path-like
        Folder of the lecture notebooks ``NN_name.ipynb``.
    build_dir : path-like
        Output folder (``slides/``, ``html/``, ``index.html``).
    node_modules : path-like
        Where ``npm ci`` installed reveal.js and mathjax.
    handouts : bool
        Print the PDF handouts and screenshot every slide (:func:`_add_handouts`), and link
        the PDFs from the index.

    Returns
    -------
    list of dict
        The index entries (see :func:`build_index`).

    Raises
    ------
    ValueError
        One line naming the notebook (or folder) and the problem.
    """
    build_dir = Path(build_dir)
    notebooks = course_notebooks(notebooks_dir)
    if not notebooks:
        raise ValueError(f"{notebooks_dir}: no lecture notebooks ({NOTEBOOK_PATTERN})")
    check_node_modules(node_modules)
    sources = {}
    for committed in notebooks:
        executed = build_dir / "notebooks" / committed.name
        source = executed if executed.is_file() else committed
        nb = read_notebook(source)
        try:
            count_slides(nb)
            theme_css(reveal_options(nb)["reveal_theme"], node_modules)
        except ValueError as error:
            raise ValueError(f"{source}: {error}") from None
        sources[committed] = source

    def each(write, out_dir):
        for committed, source in sources.items():
            try:
                write(source, out_dir, node_modules, name=committed.stem)
            except ValueError as error:
                raise ValueError(f"{source}: {error}") from None

    def write_slides(slides):
        each(build_deck, slides)
        # swapped in just before the decks, once both are complete
        replace_folder(build_dir / "html", lambda pages: each(build_html, pages))

    replace_folder(build_dir / "slides", write_slides)
    entries = []
    for committed, source in sources.items():
        executed = build_dir / "notebooks" / committed.name
        student = build_dir / "student" / committed.name
        entries.append(
            {
                "title": notebook_title(read_notebook(source), committed.stem),
                "slides": Path("slides") / f"{committed.stem}.slides.html",
                "html": Path("html") / f"{committed.stem}.html",
                "notebook": executed.relative_to(build_dir) if executed.is_file() else None,
                "student": student.relative_to(build_dir) if student.is_file() else None,
            }
        )
    if handouts:
        _add_handouts(build_dir, entries)
    build_index(build_dir, entries)
    return entries


def configure_parser(parser):
    """Add the options of ``python -m annteach build``."""
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS_DIR,
                        help="folder of the lecture notebooks (default: %(default)s)")
    parser.add_argument("--build", type=Path, default=REPO_ROOT / "build",
                        help="output folder (default: %(default)s)")
    parser.add_argument("--no-handouts", action="store_true",
                        help="write no PDF handouts or slide screenshots (they need "
                             "playwright and /usr/bin/chromium)")


def run(args):
    """Run ``python -m annteach build``: decks, pages, handouts and index of all notebooks."""
    try:
        entries = build_course(args.notebooks, args.build, handouts=not args.no_handouts)
    except (ValueError, RuntimeError) as error:  # RuntimeError: printing the handouts
        raise SystemExit(f"annteach build: {error}") from error
    except OSError as error:
        raise SystemExit(f"annteach build: {args.build}: cannot write the build there: "
                         f"{error.strerror or error}") from error
    print(json.dumps([str(entry["slides"]) for entry in entries], indent=1))
    return 0


# --- PDF handouts and slide screenshots (annteach.tools.handouts) ---------------------------


def _add_handouts(build_dir, entries):
    """Print the entries' decks and screenshot their slides; add ``pdf`` and ``notes_pdf``
    (relative to ``build_dir``) to each entry. Nothing is moved into place unless every
    deck printed (see :func:`annteach.tools.handouts.build_handouts`)."""
    from .handouts import build_handouts  # Playwright and Chromium only when printing

    printed = build_handouts(build_dir, [build_dir / entry["slides"] for entry in entries])
    for entry, files in zip(entries, printed.values(), strict=True):  # in the decks' order
        entry["pdf"] = files["pdf"].relative_to(build_dir)
        entry["notes_pdf"] = files["notes_pdf"].relative_to(build_dir)
