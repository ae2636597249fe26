"""The offline slide decks and HTML pages, opened from file:// in a real browser.

For every lecture notebook the decks are built from the committed notebook
into a temporary folder (with ``annteach.tools.decks``), opened in headless
Chromium at 1280x720, and checked: no request leaves the machine, reveal.js
has as many slides as the notebook's slide types imply, every slide and
fragment fits the screen, images have loaded, formulas are typeset and the
speaker notes are hidden. The title slide of each deck is saved as a
screenshot in build/screenshots/.
"""

import base64
import io

import nbformat
import pytest
from browser_support import ROOT, SCREENSHOTS, VIEWPORT, NetworkLog

from annteach.tools import decks, notebooks

NOTEBOOKS = notebooks.course_notebooks(ROOT / "notebooks")

pytestmark = pytest.mark.browser

# Slides known to be too tall for 1280x720, waiting for their notebook to be
# fixed: {notebook stem: {"h.v": heading}} (h = horizontal slide, v = vertical
# subslide, both from 1). Such a slide makes its test xfail; any other tall slide
# fails it, and so does a listed slide that fits. Keep it empty: fix the notebook, not the
# test.
KNOWN_OVERFLOW = {}

# Waits until reveal.js, MathJax, the fonts and the images are ready.
READY_JS = """async () => {
  if (window.Reveal) {
    await new Promise(done => Reveal.isReady() ? done() : Reveal.on('ready', done));
  }
  if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  // load every declared font now, so no slide is measured with a fallback font
  await Promise.all(Array.from(document.fonts, font => font.load().catch(() => null)));
  await document.fonts.ready;
  await Promise.all(Array.from(document.images, img => img.complete ? null :
      new Promise(done => { img.onload = img.onerror = done; })));
}"""

# Visits every slide and fragment; measures the current slide each step.
WALK_JS = """() => {
  const steps = [];
  Reveal.slide(0, 0, -1);
  for (let guard = 0; guard < 10000; guard++) {
    const slide = Reveal.getCurrentSlide();
    const where = Reveal.getIndices();
    const notes = Array.from(document.querySelectorAll('aside.notes'));
    const heading = slide.querySelector('h1, h2, h3');
    const title = heading ? heading.cloneNode(true) : document.createElement('p');
    title.querySelectorAll('.anchor-link').forEach(n => n.remove());
    steps.push({h: where.h, v: where.v || 0, f: where.f === undefined ? null : where.f,
                height: slide.scrollHeight,
                heading: title.textContent.trim(),
                notesVisible: notes.filter(n => n.getClientRects().length > 0).length});
    if (Reveal.isLastSlide() && !Reveal.availableFragments().next) { break; }
    Reveal.next();
  }
  Reveal.slide(0, 0, -1);
  return steps;
}"""

# Text of rendered markdown/LaTeX with the typeset maths and code removed.
UNTYPESET_JS = r"""() => {
  const found = [];
  for (const node of document.querySelectorAll('.jp-RenderedMarkdown, .jp-RenderedLatex')) {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('mjx-container, code, pre').forEach(n => n.remove());
    const raw = copy.textContent.match(/\$[^$]+\$|\\[A-Za-z]+|\\[\[\(]/g);
    if (raw) { found.push(...raw); }
  }
  const errors = Array.from(document.querySelectorAll('mjx-merror'), n => n.textContent);
  return {raw: found, errors: errors, typeset: document.querySelectorAll('mjx-container').length};
}"""

IMAGES_JS = """() => Array.from(document.images).filter(img => !(img.naturalWidth > 0))
  .map(img => img.src.slice(0, 80))"""


def _notes_cells(nb):
    return sum(decks.slide_type(cell) == "notes" for cell in nb.cells)


def inspect_page(browser, path, walk, screenshot=None):
    """Open ``path`` from file:// and return what the checks need.

    ``walk``: it is a deck; visit every slide. ``screenshot``: where to save
    the first slide.
    """
    context = browser.new_context(viewport=VIEWPORT)
    network = NetworkLog(context)
    try:
        page = context.new_page()
        network.watch(page)
        page.goto(path.as_uri())
        page.evaluate(READY_JS)
        report = {"maths": page.evaluate(UNTYPESET_JS), "broken_images": page.evaluate(IMAGES_JS)}
        if walk:
            report["total"] = page.evaluate("Reveal.getTotalSlides()")
            report["notes_plugin"] = page.evaluate("Reveal.hasPlugin('notes')")
            report["notes"] = page.evaluate("document.querySelectorAll('aside.notes').length")
            report["height"] = page.evaluate("Reveal.getConfig().height")
            report["steps"] = page.evaluate(WALK_JS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=screenshot)
        report.update(outside=network.outside, failed=network.failed, errors=network.errors)
        report["requests"] = list(network.requests)
        return report
    finally:
        context.close()


@pytest.fixture(scope="session")
def deck_report(browser, built):
    cache = {}

    def report(notebook):
        if notebook not in cache:
            cache[notebook] = inspect_page(
                browser, built(notebook)[0], walk=True,
                screenshot=SCREENSHOTS / f"{notebook.stem}.png",
            )  # fmt: skip
        return cache[notebook]

    return report


def _ids(notebooks):
    return [notebook.stem for notebook in notebooks]


deck = pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))


@deck
def test_deck_stays_offline(deck_report, notebook):
    report = deck_report(notebook)
    assert report["outside"] == []
    assert report["failed"] == []
    assert report["errors"] == []
    assert any(url.endswith("/reveal.js/dist/reveal.js") for url in report["requests"])


@deck
def test_deck_slide_count_matches_notebook(deck_report, notebook):
    expected = decks.count_slides(nbformat.read(notebook, as_version=4))
    assert deck_report(notebook)["total"] == expected


@deck
def test_every_slide_fits_the_screen(deck_report, notebook):
    report = deck_report(notebook)
    assert len(report["steps"]) >= report["total"]
    too_tall = {
        f"{step['h'] + 1}.{step['v'] + 1}": (step["heading"], step["height"])
        for step in report["steps"]
        if step["height"] > report["height"]
    }
    known = KNOWN_OVERFLOW.get(notebook.stem, {})
    # excused only where both the position and the heading match the list
    unknown = {
        where: f"{heading[:50]!r} {height}px"
        for where, (heading, height) in too_tall.items()
        if known.get(where) != heading
    }
    assert unknown == {}
    fixed = sorted(set(known) - set(too_tall))
    assert fixed == [], "listed as too tall but fit now: remove them from KNOWN_OVERFLOW"
    if too_tall:
        pytest.xfail(f"TEMPORARY, known too-tall slides in {notebook.stem}: {too_tall}")


@deck
def test_deck_images_load(deck_report, notebook):
    assert deck_report(notebook)["broken_images"] == []


@deck
def test_deck_formulas_are_typeset(deck_report, notebook):
    maths = deck_report(notebook)["maths"]
    assert maths["raw"] == []
    assert maths["errors"] == []


@deck
def test_speaker_notes_hidden_but_present(deck_report, notebook):
    report = deck_report(notebook)
    assert report["notes_plugin"] is True
    assert report["notes"] == _notes_cells(nbformat.read(notebook, as_version=4))
    assert [step for step in report["steps"] if step["notesVisible"]] == []


@deck
def test_html_page_offline_with_maths_and_images(browser, built, notebook):
    report = inspect_page(browser, built(notebook)[1], walk=False)
    assert report["outside"] == []
    assert report["failed"] == []
    assert report["errors"] == []
    assert report["broken_images"] == []
    assert report["maths"]["raw"] == []
    assert report["maths"]["errors"] == []


# A small deck made here, so the checks themselves are tested even before (and
# independently of) the lecture notebooks: it has a formula, an image, notes, a
# fragment, a subslide and one slide that is deliberately too tall.


def _png():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _cell(kind, source, slide_type):
    cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(
        source
    )
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


@pytest.fixture(scope="session")
def sample_deck(tmp_path_factory):
    picture = _cell("code", "plt.show()", "subslide")
    picture.outputs = [nbformat.v4.new_output("display_data", data={"image/png": _png()})]
    nb = nbformat.v4.new_notebook(
        cells=[
            _cell("md", "# 1. Sample title", "-"),
            _cell("code", "import annteach as at", "skip"),
            _cell("md", "Say hello first: $x^2$.", "notes"),
            _cell("md", "## Error\n\n$$E = \\frac{1}{2}\\sum_n (y_n - t_n)^2$$", "slide"),
            _cell("md", r"with learning rate $\eta$", "fragment"),
            picture,
            _cell("md", "The plot is a line.", "notes"),
            _cell("md", "## Long\n\n" + "\n\n".join(f"line {i}" for i in range(40)), "slide"),
        ],
        metadata={"rise": {"theme": "white", "scroll": True, "slideNumber": True}},
    )
    folder = tmp_path_factory.mktemp("sample")
    path = folder / "01_sample.ipynb"
    nbformat.write(nb, path)
    return path, decks.build_deck(path, folder / "slides")


def test_checks_on_a_sample_deck(browser, sample_deck):
    notebook, deck_file = sample_deck
    report = inspect_page(browser, deck_file, walk=True)
    assert report["outside"] == [] and report["failed"] == [] and report["errors"] == []
    assert report["total"] == 4 == decks.count_slides(nbformat.read(notebook, as_version=4))
    assert report["maths"]["typeset"] == 3 and report["maths"]["raw"] == []
    assert report["broken_images"] == []
    assert report["notes"] == 2
    # one step per slide plus one for the fragment
    assert [(s["h"], s["v"], s["f"]) for s in report["steps"]] == [
        (0, 0, None), (1, 0, -1), (1, 0, 0), (1, 1, None), (2, 0, None)
    ]  # fmt: skip
    too_tall = [s["heading"] for s in report["steps"] if s["height"] > report["height"]]
    assert too_tall == ["Long"]
    assert all(step["notesVisible"] == 0 for step in report["steps"])


def test_sample_deck_speaker_view_shows_notes(browser, sample_deck):
    context = browser.new_context(viewport=VIEWPORT)
    network = NetworkLog(context)
    try:
        page = context.new_page()
        page.goto(sample_deck[1].as_uri())
        page.evaluate(READY_JS)
        with context.expect_page() as popup:
            page.keyboard.press("s")
        speaker = popup.value
        speaker.wait_for_selector(".speaker-controls-notes .value", state="attached")
        speaker.wait_for_function(
            "document.querySelector('.speaker-controls-notes .value').textContent.length > 0"
        )
        assert "Say hello first" in speaker.inner_text(".speaker-controls-notes .value")
        # the formula in the notes is drawn there too (its glyphs travel with it)
        drawn = speaker.evaluate(
            """() => Array.from(document.querySelectorAll('.speaker-controls-notes .value svg'),
                svg => svg.getBBox().width)"""
        )
        assert len(drawn) == 1 and drawn[0] > 0
        assert network.outside == []
    finally:
        context.close()


def test_sample_deck_untypeset_formula_is_detected(browser, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[_cell("md", "# Title $x^2$", "slide")])
    path = tmp_path / "02_plain.ipynb"
    nbformat.write(nb, path)
    page_file = decks.build_html(path, tmp_path / "html")
    # remove MathJax: the formula must then be reported as raw TeX
    (tmp_path / "html" / "assets" / "mathjax" / "tex-svg-full.js").write_text("")
    report = inspect_page(browser, page_file, walk=False)
    assert report["maths"]["raw"] == ["$x^2$"]
