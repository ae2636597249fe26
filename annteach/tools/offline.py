"""What makes a deck work offline: no remote embeds, and local copies of its assets.

:func:`offline_notebook` turns every remote embed of a notebook (a video, a remote
image or script) into a link, and :func:`copy_deck_assets` copies reveal.js (its
theme with every file the theme loads, checked by :func:`css_dependencies`) and
MathJax from ``slides/node_modules`` beside the decks, so that a deck opened from
``file://`` asks the network for nothing.
"""

import copy
import html
import re
import shutil
from pathlib import Path

from ..paths import REPO_ROOT

__all__ = ["NODE_MODULES", "check_node_modules", "copy_deck_assets", "copy_mathjax",
           "css_dependencies", "offline_notebook", "theme_css"]

#: Where ``npm ci --prefix slides`` installs reveal.js and MathJax.
NODE_MODULES = REPO_ROOT / "slides" / "node_modules"

# Files copied from node_modules into a deck's assets folder (besides the theme).
REVEAL_FILES = ("dist/reveal.css", "dist/reveal.js", "plugin/notes/notes.js")
MATHJAX_FILE = "es5/tex-svg-full.js"

# An HTML element that would load something from the network when displayed: a tag of one
# of these names, then its address among the tag's attributes. Neither pattern can run past
# the next "<" (or "[", "(" for markdown), so every character is looked at a bounded number of
# times: the rewrite takes time linear in the text, whatever the text (hand-written markdown
# with many unclosed "<img " or "![" used to take quadratic time).
_EMBED_TAG = re.compile(
    r"<(iframe|img|video|audio|embed|script|source)\b([^<>]*)>(?:[ \t\r\n]*</\1[ \t]*>)?",
    re.IGNORECASE,
)
_REMOTE_SRC = re.compile(r"""\bsrc[ \t\r\n]*=[ \t\r\n]*["']((?:https?:)?//[^"'<>]+)["']""",
                         re.IGNORECASE)
# A markdown image with a remote address: ![alt](http://... "title")
_REMOTE_MARKDOWN_IMAGE = re.compile(
    r"!\[([^\[\]]*)\]\([ \t]*((?:https?:)?//[^()\[\]\s]+)[^()\[\]]*\)"
)
_CSS_REFERENCE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


def _link(url, what):
    url = html.escape(url, quote=True)
    return (
        '<p class="annteach-online-only">'
        f'{html.escape(what)} (online only): <a href="{url}">{url}</a></p>'
    )


def _offline_html(text):
    def replace(m):
        src = _REMOTE_SRC.search(m.group(2))
        return m.group(0) if src is None else _link(src.group(1), m.group(1).lower())

    return _EMBED_TAG.sub(replace, text)


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


def check_node_modules(node_modules=NODE_MODULES):
    """Return ``node_modules`` as a Path if reveal.js and MathJax are installed there.

    Raises
    ------
    ValueError
        Saying how to install them.
    """
    node_modules = Path(node_modules)
    if not (node_modules / "reveal.js").is_dir() or not (node_modules / "mathjax").is_dir():
        raise ValueError(
            f"{node_modules}: reveal.js and mathjax are not installed; "
            "run `npm ci --prefix slides` (make course does)"
        )
    return node_modules


def theme_css(theme, node_modules=NODE_MODULES):
    """The stylesheet of a reveal.js theme that works offline, and every file it needs.

    Returns
    -------
    list of pathlib.Path
        As :func:`css_dependencies`, the stylesheet first.

    Raises
    ------
    ValueError
        For a theme that is not a plain name of an installed theme, or one that
        loads something from the network.
    """
    reveal = (check_node_modules(node_modules) / "reveal.js").resolve()
    path = reveal / "dist" / "theme" / f"{theme}.css"
    if not isinstance(theme, str) or not re.fullmatch(r"[a-z0-9_-]+", theme) or not path.is_file():
        raise ValueError(f"unknown reveal.js theme {theme!r} (no file {path})")
    return css_dependencies(path)


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
    node_modules = check_node_modules(node_modules)
    reveal = (node_modules / "reveal.js").resolve()
    sources = [reveal / name for name in REVEAL_FILES] + theme_css(theme, node_modules)
    copied = [_copy(source, Path(dest) / "reveal.js" / source.relative_to(reveal))
              for source in sources]
    copied.append(copy_mathjax(dest, node_modules))
    return copied


def copy_mathjax(dest, node_modules=NODE_MODULES):
    """Copy the single-file MathJax (TeX input, SVG output) to ``dest/mathjax/``."""
    node_modules = check_node_modules(node_modules)
    source = node_modules / "mathjax" / MATHJAX_FILE
    return _copy(source, Path(dest) / "mathjax" / source.name)


def _copy(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target
