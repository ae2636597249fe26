"""Build the course for the lecture hall: offline slide decks, HTML pages and an index.

``make course`` executes the notebooks into ``build/notebooks/`` and then calls
:func:`build_course`, which writes

* ``build/slides/NN_name.slides.html``: a reveal.js deck per notebook that works
  from ``file://`` without a network (reveal.js, its speaker-notes plugin and
  MathJax are copied from ``slides/node_modules`` into ``build/slides/assets/``);
* ``build/html/NN_name.html``: the notebook as a plain page (local MathJax in
  ``build/html/assets/``);
* ``build/index.html``: links to all of them, and to the student editions in
  ``build/student/`` when that folder exists.

The nbconvert templates live in ``slides/templates/`` and the pinned JavaScript
packages in ``slides/package.json`` (installed with ``npm ci --prefix slides``).
``make present NB=...`` starts JupyterLab for presenting a notebook with RISE.

Command line: ``python -m annteach course build`` and
``python -m annteach course present notebooks/01_introduction_xor.ipynb``.
"""

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from .files import REPO_ROOT, atomic_write

# The project folder: this module is annteach/course.py inside it.
ROOT = REPO_ROOT
SLIDES_DIR = ROOT / "slides"
TEMPLATES_DIR = SLIDES_DIR / "templates"
NODE_MODULES = SLIDES_DIR / "node_modules"

# Size of a slide in CSS pixels: a 1280x720 projector.
SLIDE_WIDTH = 1280
SLIDE_HEIGHT = 720

# Files copied from node_modules into a deck's assets folder (besides the theme).
REVEAL_FILES = ("dist/reveal.css", "dist/reveal.js", "plugin/notes/notes.js")
MATHJAX_FILE = "es5/tex-svg-full.js"

SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"

# An HTML element that would load something from the network when displayed.
_REMOTE_ELEMENT = re.compile(
    r"""<(iframe|img|video|audio|embed|script|source)\b[^>]*?\bsrc\s*=\s*["']"""
    r"""((?:https?:)?//[^"']+)["'][^>]*>(?:\s*</\1\s*>)?""",
    re.IGNORECASE,
)
# A markdown image with a remote address: ![alt](http://...)
_REMOTE_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*((?:https?:)?//[^)\s]+)[^)]*\)")
_CSS_REFERENCE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


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


def _link(url, what):
    url = html.escape(url, quote=True)
    return (
        '<p class="annteach-online-only">'
        f'{html.escape(what)} (online only): <a href="{url}">{url}</a></p>'
    )


def _offline_html(text):
    return _REMOTE_ELEMENT.sub(lambda m: _link(m.group(2), m.group(1).lower()), text)


def offline_notebook(nb):
    """Return a copy of ``nb`` in which nothing loads from the network.

    Remote embeds (an ``<iframe>`` such as ``IPython.display.YouTubeVideo``, a
    remote ``<img>``, ``<video>``, ``<script>``...) in HTML outputs and in
    markdown cells, and remote markdown images, become a paragraph with a link
    to the address: clicking it still works when there is a network.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook; it is not modified.

    Returns
    -------
    nbformat.NotebookNode
        The offline copy.
    """
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = _offline_html(cell.source)
            cell.source = _REMOTE_MARKDOWN_IMAGE.sub(
                lambda m: _link(m.group(2), m.group(1) or "image"), source
            )
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                value = data["text/html"]
                joined = "".join(value) if isinstance(value, list) else value
                data["text/html"] = _offline_html(joined)
    return nb


def css_dependencies(css_file):
    """List the local files a stylesheet needs, following ``@import`` recursively.

    Parameters
    ----------
    css_file : path-like
        The stylesheet.

    Returns
    -------
    list of pathlib.Path
        The stylesheet itself, then every file it references (fonts, imported
        stylesheets), each once. ``data:`` URLs need no file and are skipped.

    Raises
    ------
    ValueError
        When the stylesheet, or one it imports, loads something from the
        network (a web font, say) or references a missing file.
    """
    todo = [Path(css_file).resolve()]
    found = []
    while todo:
        path = todo.pop()
        if path in found:
            continue
        if not path.is_file():
            raise ValueError(f"{path}: stylesheet not found")
        found.append(path)
        for match in _CSS_REFERENCE.finditer(path.read_text(encoding="utf-8")):
            url = match.group(2) or match.group(4)
            if url.startswith("data:"):
                continue
            if re.match(r"[a-z][a-z0-9+.-]*:|//", url, re.IGNORECASE):
                raise ValueError(f"{path}: loads {url} from the network; it cannot work offline")
            target = (path.parent / re.split(r"[?#]", url)[0]).resolve()
            if target.suffix == ".css":
                todo.append(target)
            elif not target.is_file():
                raise ValueError(f"{path}: references missing file {url}")
            elif target not in found:
                found.append(target)
    return found


def _require_node_modules(node_modules):
    node_modules = Path(node_modules)
    if not (node_modules / "reveal.js").is_dir() or not (node_modules / "mathjax").is_dir():
        raise ValueError(
            f"{node_modules}: reveal.js and mathjax are not installed; "
            "run `npm ci --prefix slides` (make course does)"
        )
    return node_modules


def copy_deck_assets(dest, theme="white", node_modules=NODE_MODULES):
    """Copy what an offline deck loads into ``dest`` (``dest/reveal.js``, ``dest/mathjax``).

    Parameters
    ----------
    dest : path-like
        The assets folder beside the decks.
    theme : str
        A reveal.js theme without web fonts (e.g. ``white``, ``black``, ``serif``).
    node_modules : path-like
        Where ``npm ci`` installed reveal.js and mathjax.

    Returns
    -------
    list of pathlib.Path
        The copied files.
    """
    node_modules = _require_node_modules(node_modules)
    reveal = (node_modules / "reveal.js").resolve()
    theme_css = reveal / "dist" / "theme" / f"{theme}.css"
    if not re.fullmatch(r"[a-z0-9_-]+", theme) or not theme_css.is_file():
        raise ValueError(f"unknown reveal.js theme {theme!r} (no file {theme_css})")
    sources = [reveal / name for name in REVEAL_FILES] + css_dependencies(theme_css)
    copied = [_copy(source, Path(dest) / "reveal.js" / source.relative_to(reveal))
              for source in sources]
    copied.append(copy_mathjax(dest, node_modules))
    return copied


def copy_mathjax(dest, node_modules=NODE_MODULES):
    """Copy the single-file MathJax (TeX input, SVG output) to ``dest/mathjax/``."""
    node_modules = _require_node_modules(node_modules)
    source = node_modules / "mathjax" / MATHJAX_FILE
    return _copy(source, Path(dest) / "mathjax" / source.name)


def _copy(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


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


def _read(notebook):
    import nbformat

    try:
        return nbformat.read(notebook, as_version=4)
    except (OSError, ValueError) as error:
        raise ValueError(f"{notebook}: cannot read notebook: {error}") from error


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
    nb = offline_notebook(_read(notebook))
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
    nb = offline_notebook(_read(notebook))
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
        ``notebook`` and ``student``.

    Returns
    -------
    pathlib.Path
        The index page.
    """
    labels = [("slides", "slides"), ("html", "page"), ("notebook", "notebook"),
              ("student", "student edition")]
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


def course_notebooks(notebooks_dir):
    """Return the lecture notebooks ``NN_name.ipynb`` in ``notebooks_dir``, sorted."""
    return sorted(Path(notebooks_dir).glob(NOTEBOOK_PATTERN))


def build_course(notebooks_dir=ROOT / "notebooks", build_dir=ROOT / "build",
                 node_modules=NODE_MODULES):
    """Build the decks, the HTML pages and the index of all lecture notebooks.

    Each notebook is read from ``build_dir/notebooks/`` when ``make course`` has
    executed it there, else from ``notebooks_dir`` (committed with outputs).
    Nothing in ``notebooks_dir`` is modified.

    Parameters
    ----------
    notebooks_dir : path-like
        Folder of the lecture notebooks ``NN_name.ipynb``.
    build_dir : path-like
        Output folder (``slides/``, ``html/``, ``index.html``).
    node_modules : path-like
        Where ``npm ci`` installed reveal.js and mathjax.

    Returns
    -------
    list of dict
        The index entries (see :func:`build_index`).
    """
    build_dir = Path(build_dir)
    notebooks = course_notebooks(notebooks_dir)
    if not notebooks:
        raise ValueError(f"{notebooks_dir}: no lecture notebooks ({NOTEBOOK_PATTERN})")
    entries = []
    for committed in notebooks:
        executed = build_dir / "notebooks" / committed.name
        source = executed if executed.is_file() else committed
        deck = build_deck(source, build_dir / "slides", node_modules)
        page = build_html(source, build_dir / "html", node_modules)
        student = build_dir / "student" / committed.name
        entries.append(
            {
                "title": notebook_title(_read(source), committed.stem),
                "slides": deck.relative_to(build_dir),
                "html": page.relative_to(build_dir),
                "notebook": executed.relative_to(build_dir) if executed.is_file() else None,
                "student": student.relative_to(build_dir) if student.is_file() else None,
            }
        )
    build_index(build_dir, entries)
    return entries


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_lab_command(root, port, token, extra=()):
    """Return the command that starts JupyterLab on 127.0.0.1 without a browser.

    It asks nothing from the internet (no extension manager, news or update
    check) and runs as root too (CI does). ``extra``: more command-line options.
    """
    return [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *extra,
    ]  # fmt: skip


def rise_url(notebook, root, port, token):
    """Return the URL of a notebook's RISE slideshow on a JupyterLab started as above."""
    relative = Path(notebook).resolve().relative_to(Path(root).resolve())
    return f"http://127.0.0.1:{port}/rise/{relative.as_posix()}?token={token}"


def present(notebook, root=ROOT):
    """Start JupyterLab for presenting ``notebook`` live (see :mod:`annteach.live_slides`)."""
    from jupyter_core.paths import jupyter_config_dir

    from . import live_slides

    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise ValueError(f"{notebook}: no such notebook")
    port, token = free_port(), secrets.token_hex(16)
    url = live_slides.lab_url(notebook, root, port, token)
    print(f"\nPresent live (Ctrl-C here to stop the server):\n\n    {url}\n\n{live_slides.STEPS}\n",
          flush=True)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # a non-interactive backend would hide the inline figures
    settings = Path(jupyter_config_dir()) / "lab" / "present-settings"
    server = subprocess.Popen(live_slides.jupyter_command(root, port, token, settings), cwd=root,
                              env=env)
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        return server.wait()


def configure_parser(parser):
    """Add the ``build`` and ``present`` subcommands (``python -m annteach course``)."""
    sub = parser.add_subparsers(dest="course_command", required=True, metavar="ACTION")
    build = sub.add_parser("build", help="write slide decks, HTML pages and index.html")
    build.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    build.add_argument("--build", type=Path, default=ROOT / "build")
    show = sub.add_parser("present", help="start JupyterLab and print the live slides' URL")
    show.add_argument("notebook", type=Path)


def main(args):
    """Run ``python -m annteach course build|present``."""
    if args.course_command == "present":
        return present(args.notebook)
    entries = build_course(args.notebooks, args.build)
    print(json.dumps([str(entry["slides"]) for entry in entries], indent=1))
    return 0
