"""Unit tests of the course build tools: annteach.tools.decks and .offline (no browser; see
test_slides_browser.py for that; presenting is tested in test_present.py)."""

import time

import nbformat
import pytest

from annteach.tools import decks, offline


def _nb(*slide_types, rise=None):
    cells = []
    for kind in slide_types:
        cell = nbformat.v4.new_markdown_cell(f"cell {len(cells)}")
        if kind is not None:
            cell.metadata["slideshow"] = {"slide_type": kind}
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells, metadata={"rise": rise} if rise else {})


def _reveal_sections(nb):
    """Count the innermost <section>s nbconvert's own preprocessor would open."""
    from nbconvert.exporters.slides import _RevealMetadataPreprocessor

    processed, _ = _RevealMetadataPreprocessor().preprocess(nb, {})
    return sum(bool(cell.metadata.get("subslide_start")) for cell in processed.cells)


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["slide"], 1),
        (["-"], 1),  # the first cell starts a slide even when marked "-"
        (["skip", "notes", "-", "fragment"], 1),  # first visible cell starts it
        (["slide", "skip", "subslide", "-", "slide", "notes", "fragment"], 3),
        (["notes", "subslide", "subslide"], 2),  # first visible subslide is the first slide
        ([None, "slide", None, "subslide"], 3),  # no metadata counts as "-"
        (["slide", "skip", "skip", "slide"], 2),
    ],
)
def test_count_slides(types, expected):
    nb = _nb(*types)
    assert decks.count_slides(nb) == expected
    # and it agrees with what nbconvert itself builds
    assert _reveal_sections(nb) == expected


def test_count_slides_rejects_a_notebook_without_visible_cells():
    with pytest.raises(ValueError, match="no visible cell"):
        decks.count_slides(_nb("skip", "notes"))


def test_slide_type_rejects_unknown_types():
    with pytest.raises(ValueError, match="unknown slide_type 'slides'"):
        decks.slide_type(_nb("slides").cells[0])


def test_reveal_options_from_rise_metadata():
    rise = {"theme": "serif", "transition": "fade", "scroll": True, "slideNumber": True}
    options = decks.reveal_options(_nb("slide", rise=rise))
    assert options["reveal_theme"] == "serif"
    assert options["reveal_transition"] == "fade"
    assert options["reveal_scroll"] is True
    assert options["reveal_number"] == "c/t"
    assert (options["reveal_width"], options["reveal_height"]) == ("1280", "720")
    defaults = decks.reveal_options(_nb("slide"))
    assert (defaults["reveal_theme"], defaults["reveal_scroll"], defaults["reveal_number"]) == (
        "white",
        False,
        "",
    )


def test_notebook_title():
    nb = _nb("slide")
    nb.cells.insert(0, nbformat.v4.new_code_cell("# not a heading"))
    nb.cells.append(nbformat.v4.new_markdown_cell("text\n\n## 2. Error surfaces  "))
    assert decks.notebook_title(nb, "x") == "2. Error surfaces"
    assert decks.notebook_title(_nb("slide"), "fallback") == "fallback"


def test_css_dependencies_follows_imports_and_fonts(tmp_path):
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "a.woff").write_bytes(b"font")
    (tmp_path / "fonts" / "a.ttf").write_bytes(b"font")
    (tmp_path / "fonts" / "font.css").write_text(
        "src: url('./a.woff?#iefix') format('woff'), url(a.ttf);"
    )
    (tmp_path / "theme.css").write_text(
        '@import url(./fonts/font.css);\n@import "fonts/font.css";\n'
        "b{background:url(data:image/png;base64,AAAA)}"
    )
    found = offline.css_dependencies(tmp_path / "theme.css")
    names = [path.relative_to(tmp_path).as_posix() for path in found]
    assert names == ["theme.css", "fonts/font.css", "fonts/a.woff", "fonts/a.ttf"]


@pytest.mark.parametrize(
    "reference",
    ["@import url(https://fonts.example.org/css?family=Lato);", "a{src:url(//cdn.example/x.woff)}"],
)
def test_css_dependencies_rejects_web_fonts(tmp_path, reference):
    (tmp_path / "theme.css").write_text(reference)
    with pytest.raises(ValueError, match="network"):
        offline.css_dependencies(tmp_path / "theme.css")


def test_css_dependencies_rejects_missing_files(tmp_path):
    (tmp_path / "theme.css").write_text("a{src:url(missing.woff)}")
    with pytest.raises(ValueError, match="missing file missing.woff"):
        offline.css_dependencies(tmp_path / "theme.css")


def test_offline_notebook_replaces_remote_embeds_with_links():
    code = nbformat.v4.new_code_cell("video")
    iframe = '<iframe width="640" src="https://www.youtube.com/embed/ID" allowfullscreen></iframe>'
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/html": iframe})]
    local = nbformat.v4.new_code_cell("table")
    table = "<table><tr><td>1</td></tr></table>"
    local.outputs = [nbformat.v4.new_output("display_data", data={"text/html": table})]
    markdown = nbformat.v4.new_markdown_cell(
        "![a net](https://example.org/net.png) and ![local](figures/net.png) "
        '<img src="//example.org/x.png">'
    )
    nb = nbformat.v4.new_notebook(cells=[code, local, markdown])
    copy = offline.offline_notebook(nb)

    html = copy.cells[0].outputs[0]["data"]["text/html"]
    assert "<iframe" not in html
    assert '<a href="https://www.youtube.com/embed/ID">' in html
    assert copy.cells[1].outputs[0]["data"]["text/html"] == table
    source = copy.cells[2].source
    assert "![" not in source.replace("![local](figures/net.png)", "")
    assert '<a href="https://example.org/net.png">' in source
    assert '<a href="//example.org/x.png">' in source
    assert "![local](figures/net.png)" in source
    # the input is untouched
    assert nb.cells[0].outputs[0]["data"]["text/html"] == iframe


def test_copy_deck_assets_is_self_contained(tmp_path):
    if not (offline.NODE_MODULES / "reveal.js").is_dir():
        pytest.skip("run `npm ci --prefix slides` first (make test does)")
    copied = offline.copy_deck_assets(tmp_path, theme="white")
    names = {path.relative_to(tmp_path).as_posix() for path in copied}
    assert {
        "reveal.js/dist/reveal.js",
        "reveal.js/dist/reveal.css",
        "reveal.js/plugin/notes/notes.js",
        "reveal.js/dist/theme/white.css",
        "reveal.js/dist/theme/fonts/source-sans-pro/source-sans-pro.css",
        "reveal.js/dist/theme/fonts/source-sans-pro/source-sans-pro-regular.woff",
        "mathjax/tex-svg-full.js",
    } <= names
    assert all(path.is_file() for path in copied)
    # a theme that imports web fonts is refused, and nonsense is too
    with pytest.raises(ValueError, match="network"):
        offline.copy_deck_assets(tmp_path, theme="simple")
    with pytest.raises(ValueError, match="unknown reveal.js theme"):
        offline.copy_deck_assets(tmp_path, theme="../../x")


def test_missing_node_modules_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="npm ci --prefix slides"):
        offline.copy_mathjax(tmp_path, node_modules=tmp_path / "node_modules")


def test_build_index_links_what_exists(tmp_path):
    entries = [
        {"title": "1. XOR & friends", "slides": "slides/01_x.slides.html",
         "html": "html/01_x.html", "notebook": None, "student": "student/01_x.ipynb",
         "pdf": "pdf/01_x.pdf", "notes_pdf": "pdf/01_x-notes.pdf"},
        {"title": "2. Y", "slides": "slides/02_y.slides.html", "html": "html/02_y.html"},
    ]  # fmt: skip
    page = decks.build_index(tmp_path, entries).read_text()
    assert "1. XOR &amp; friends" in page
    assert '<a href="slides/01_x.slides.html">slides</a>' in page
    assert '<a href="student/01_x.ipynb">student edition</a>' in page
    assert '<a href="pdf/01_x.pdf">PDF handout</a>' in page
    assert '<a href="pdf/01_x-notes.pdf">PDF with speaker notes</a>' in page
    assert page.count("PDF") == 2  # the second lecture has none
    assert "notebook</a>" not in page
    assert "http" not in page


def test_build_course_from_committed_and_executed_notebooks(tmp_path):
    if not (offline.NODE_MODULES / "reveal.js").is_dir():
        pytest.skip("run `npm ci --prefix slides` first (make test does)")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    first = _nb("slide", "notes")
    first.cells[0].source = "# 1. First"
    nbformat.write(first, notebooks / "01_first.ipynb")
    nbformat.write(_nb("slide"), notebooks / "02_second.ipynb")
    nbformat.write(_nb("slide"), notebooks / "scratch.ipynb")  # not a lecture
    build = tmp_path / "build"
    (build / "notebooks").mkdir(parents=True)
    executed = _nb("slide")
    executed.cells[0].source = "# 2. Executed"
    nbformat.write(executed, build / "notebooks" / "02_second.ipynb")
    (build / "student").mkdir()
    (build / "student" / "01_first.ipynb").write_text("{}")
    before = (notebooks / "01_first.ipynb").read_bytes()

    entries = decks.build_course(notebooks, build, handouts=False)  # printed: handouts tests

    assert [entry["title"] for entry in entries] == ["1. First", "2. Executed"]
    assert (build / "slides" / "01_first.slides.html").is_file()
    assert (build / "html" / "02_second.html").is_file()
    assert not (build / "slides" / "scratch.slides.html").exists()
    index = (build / "index.html").read_text()
    assert "student/01_first.ipynb" in index and "student/02_second.ipynb" not in index
    assert "notebooks/02_second.ipynb" in index and "notebooks/01_first.ipynb" not in index
    assert "PDF" not in index and not (build / "pdf").exists()
    assert (notebooks / "01_first.ipynb").read_bytes() == before
    deck = (build / "slides" / "01_first.slides.html").read_text()
    assert '<aside class="notes">' in deck
    assert "unpkg.com" not in deck and "cdnjs" not in deck and "require.js" not in deck


def test_build_course_needs_notebooks(tmp_path):
    with pytest.raises(ValueError, match="no lecture notebooks"):
        decks.build_course(tmp_path, tmp_path / "build")


def _built(build):
    return {p.relative_to(build): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("problem", ["not JSON", "a cell not an object", "no visible cell",
                                     "an unknown slide type", "a theme with web fonts"])
def test_a_bad_notebook_leaves_the_previous_build(tmp_path, capsys, problem):
    if not (offline.NODE_MODULES / "reveal.js").is_dir():
        pytest.skip("run `npm ci --prefix slides` first (make test does)")
    from annteach.__main__ import main

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(_nb("slide"), notebooks / "01_good.ipynb")
    build = tmp_path / "build"
    for folder in ("slides", "html"):
        (build / folder).mkdir(parents=True)
        (build / folder / "old").write_text("the previous build")
    (build / "index.html").write_text("the previous index")
    before = _built(build)
    bad = notebooks / "02_bad.ipynb"
    if problem == "not JSON":
        bad.write_text("{not json")
    elif problem == "a cell not an object":
        bad.write_text('{"cells": [1], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}')
    elif problem == "no visible cell":
        nbformat.write(_nb("skip"), bad)
    elif problem == "an unknown slide type":
        nbformat.write(_nb("slide", "sideways"), bad)
    else:
        nbformat.write(_nb("slide", rise={"theme": "simple"}), bad)
    with pytest.raises(SystemExit) as info:
        main(["build", "--notebooks", str(notebooks), "--build", str(build)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and str(bad) in err, err
    assert _built(build) == before
    assert sorted(p.name for p in build.iterdir()) == ["html", "index.html", "slides"]


def test_missing_node_modules_writes_nothing(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(_nb("slide"), notebooks / "01_good.ipynb")
    with pytest.raises(ValueError, match="npm ci --prefix slides"):
        decks.build_course(notebooks, tmp_path / "build", node_modules=tmp_path / "none")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks"]


def test_a_failure_while_writing_leaves_the_previous_build(tmp_path, monkeypatch):
    if not (offline.NODE_MODULES / "reveal.js").is_dir():
        pytest.skip("run `npm ci --prefix slides` first (make test does)")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("01_a", "02_b"):
        nbformat.write(_nb("slide"), notebooks / f"{name}.ipynb")
    build = tmp_path / "build"
    decks.build_course(notebooks, build, handouts=False)  # handouts: test_handouts_browser
    before = _built(build)
    real = decks.build_html

    def fail_on_the_second(notebook, *args, **kwargs):
        if "02_b" in str(notebook):
            raise OSError("disk full")
        return real(notebook, *args, **kwargs)

    monkeypatch.setattr(decks, "build_html", fail_on_the_second)
    nbformat.write(_nb("slide", "slide"), notebooks / "01_a.ipynb")
    with pytest.raises(OSError, match="disk full"):
        decks.build_course(notebooks, build, handouts=False)
    assert _built(build) == before
    assert sorted(p.name for p in build.iterdir()) == ["html", "index.html", "slides"]


HOSTILE_MARKDOWN = {
    "unclosed img tags": "<img " * 16_000,
    "img tags without an address": '<img alt="x" ' * 8_000,
    "unclosed markdown images": "![" * 40_000,
    "markdown images without a closing parenthesis": "![a](//x " * 10_000,
    "remote addresses without an end": 'src="//' * 12_000,
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_MARKDOWN))
def test_offline_rewrite_of_hostile_markdown_is_fast_and_keeps_it(kind):
    # 80 KB of markdown made to defeat a backtracking pattern: the rewrite used to take
    # quadratic time (26 s for 40 KB of "<img "). The bound is 50 times what a linear
    # rewrite needs on a loaded machine, and a tenth of what the quadratic one took.
    text = HOSTILE_MARKDOWN[kind]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    start = time.process_time()
    copy = offline.offline_notebook(nb)
    assert time.process_time() - start < 2.0
    assert copy.cells[0].source == text  # nothing remote in it: unchanged


def test_offline_rewrite_keeps_finding_remote_embeds_among_hostile_text():
    text = "<img " * 1000 + '<img alt="a" src="https://example.org/a.png">' + "![" * 1000 \
        + "![b](http://example.org/b.png 'title')"
    copy = offline.offline_notebook(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)]))
    source = copy.cells[0].source
    assert '<a href="https://example.org/a.png">' in source
    assert '<a href="http://example.org/b.png">' in source
    assert "example.org/a.png\"" not in source.replace('href="https://example.org/a.png"', "")
