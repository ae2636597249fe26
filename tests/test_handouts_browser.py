"""PDF handouts and slide screenshots (annteach.tools.handouts) in Debian's Chromium.

Decks are built with the course build (annteach.tools.decks) from a sample lecture and from the
lecture notebooks; each PDF must have one page per slide (the notes edition: one more page
per slide with notes) and carry every slide's title (and every note) in its text, read
with pypdf.
"""

import re
import subprocess
import sys

import nbformat
import pytest
from browser_support import ROOT
from course_samples import SAMPLE_NOTES, SAMPLE_TITLES, styled_notebook

from annteach.tools import decks, handouts, notebooks

pypdf = pytest.importorskip("pypdf")
NOTEBOOKS = notebooks.course_notebooks(ROOT / "notebooks")


def pdf_pages(path):
    """The text of each page, with whitespace runs collapsed and case folded (the reveal
    theme writes headings in capitals)."""
    reader = pypdf.PdfReader(path)
    return [re.sub(r"\s+", " ", page.extract_text() or "").casefold() for page in reader.pages]


def _fold(text):
    return re.sub(r"\s+", " ", text).casefold()


@pytest.fixture(scope="module")
def sample_deck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("handout")
    notebook = styled_notebook(folder / "01_sample.ipynb")
    return notebook, decks.build_deck(notebook, folder / "slides")


@pytest.mark.browser
def test_sample_pdf_one_page_per_slide_with_titles(browser, sample_deck, tmp_path):
    notebook, deck = sample_deck
    out = handouts.print_pdf(deck, tmp_path / "pdf" / "01_sample.pdf", browser=browser)
    pages = pdf_pages(out)
    assert len(pages) == decks.count_slides(nbformat.read(notebook, as_version=4)) == 4
    for page, title in zip(pages, SAMPLE_TITLES):
        assert _fold(title) in page
    # fragments are collapsed: the fragment's text is on its slide's page
    assert "with a fragment" in pages[3]
    # 1280x720 slides on pages of the slide's size plus reveal's 4 % margin
    box = pypdf.PdfReader(out).pages[0].mediabox
    assert float(box.width) / float(box.height) == pytest.approx(1280 / 720, rel=0.01)


@pytest.mark.browser
def test_sample_notes_pdf_adds_a_page_of_notes_per_slide_with_notes(browser, sample_deck,
                                                                   tmp_path):
    _, deck = sample_deck
    out = handouts.print_pdf(deck, tmp_path / "01_sample-notes.pdf", notes=True, browser=browser)
    pages = pdf_pages(out)
    notes = handouts.slide_notes(deck, browser=browser)
    assert sum(bool(n) for n in notes) == len(SAMPLE_NOTES)
    assert len(pages) == 4 + len(SAMPLE_NOTES)
    text = " ".join(pages)
    for note in SAMPLE_NOTES:
        assert _fold(note) in text
    # each note directly follows its slide's page
    assert _fold(SAMPLE_NOTES[0]) in pages[1] and _fold(SAMPLE_NOTES[1]) in pages[3]


@pytest.mark.browser
def test_sample_screenshots_every_slide(browser, sample_deck, tmp_path):
    _, deck = sample_deck
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "09_9.9.png").write_bytes(b"stale")
    pictures = handouts.screenshot_slides(deck, tmp_path / "shots", browser=browser)
    assert [p.name for p in pictures] == ["01_1.1.png", "02_2.1.png", "03_2.2.png", "04_3.1.png"]
    assert sorted(p.name for p in (tmp_path / "shots").iterdir()) == [p.name for p in pictures]
    for picture in pictures:
        data = picture.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (
            1280, 720)


@pytest.mark.browser
def test_bad_deck_is_reported(browser, tmp_path):
    with pytest.raises(ValueError, match="no such deck"):
        handouts.print_pdf(tmp_path / "missing.slides.html", tmp_path / "x.pdf", browser=browser)
    page = tmp_path / "plain.html"
    page.write_text("<!DOCTYPE html><html lang='en'><title>x</title><p>no deck</p></html>")
    with pytest.raises(ValueError, match="plain.html: not a reveal.js deck"):
        handouts.print_pdf(page, tmp_path / "x.pdf", browser=browser)
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.browser
def test_build_prints_the_handouts_and_links_them(tmp_path):
    """``annteach build`` (the command make course runs), end to end in its own process."""
    (tmp_path / "notebooks").mkdir()
    styled_notebook(tmp_path / "notebooks" / "01_sample.ipynb")
    build = tmp_path / "build"
    done = subprocess.run([sys.executable, "-m", "annteach", "build", "--notebooks",
                           str(tmp_path / "notebooks"), "--build", str(build)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert len(pdf_pages(build / "pdf" / "01_sample.pdf")) == 4
    assert len(pdf_pages(build / "pdf" / "01_sample-notes.pdf")) == 4 + len(SAMPLE_NOTES)
    assert len(list((build / "screenshots" / "01_sample").glob("*.png"))) == 4
    index = (build / "index.html").read_text()
    assert '<a href="pdf/01_sample.pdf">PDF handout</a>' in index
    assert '<a href="pdf/01_sample-notes.pdf">PDF with speaker notes</a>' in index
    assert sorted(p.name for p in build.iterdir()) == [
        "html", "index.html", "pdf", "screenshots", "slides"]  # no staging folder left


@pytest.mark.browser
def test_a_failing_deck_leaves_the_earlier_handouts(browser, sample_deck, tmp_path):
    _, deck = sample_deck
    build = tmp_path / "build"
    for path, data in [("pdf/01_sample.pdf", b"earlier"), ("screenshots/01_sample/x.png", b"x")]:
        (build / path).parent.mkdir(parents=True, exist_ok=True)
        (build / path).write_bytes(data)
    broken = tmp_path / "02_broken.slides.html"
    broken.write_text("<!DOCTYPE html><html lang='en'><title>x</title><p>no deck</p></html>")
    with pytest.raises(ValueError, match="02_broken.slides.html: not a reveal.js deck"):
        handouts.build_handouts(build, [deck, broken], browser=browser)
    # the first deck printed fine, but nothing moved into place: all as before
    assert sorted(str(p.relative_to(build)) for p in build.rglob("*")) == [
        "pdf", "pdf/01_sample.pdf", "screenshots", "screenshots/01_sample",
        "screenshots/01_sample/x.png"]
    assert (build / "pdf" / "01_sample.pdf").read_bytes() == b"earlier"
    printed = handouts.build_handouts(build, [deck], browser=browser)
    assert printed["01_sample"]["pdf"] == build / "pdf" / "01_sample.pdf"
    assert len(pdf_pages(build / "pdf" / "01_sample.pdf")) == 4
    assert sorted(p.name for p in (build / "screenshots" / "01_sample").iterdir()) == [
        p.name for p in printed["01_sample"]["screenshots"]]  # the old picture is gone
    assert sorted(p.name for p in build.iterdir()) == ["pdf", "screenshots"]


def test_the_index_is_not_rewritten_when_the_handouts_fail(tmp_path, monkeypatch):
    if not (ROOT / "slides" / "node_modules" / "reveal.js").is_dir():
        pytest.skip("run `npm ci --prefix slides` first (make test does)")
    (tmp_path / "notebooks").mkdir()
    styled_notebook(tmp_path / "notebooks" / "01_sample.ipynb")
    build = tmp_path / "build"
    build.mkdir()
    (build / "index.html").write_text("the earlier index")

    def fail(*args, **kwargs):
        raise RuntimeError("/usr/bin/chromium is missing")

    monkeypatch.setattr(handouts, "build_handouts", fail)
    with pytest.raises(RuntimeError, match="chromium is missing"):
        decks.build_course(tmp_path / "notebooks", build)
    assert (build / "index.html").read_text() == "the earlier index"


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_lecture_pdf_one_page_per_slide_with_titles(browser, built, notebook, tmp_path):
    deck = built(notebook)[0]
    pages = pdf_pages(handouts.print_pdf(deck, tmp_path / f"{notebook.stem}.pdf",
                                         browser=browser))
    nb = nbformat.read(notebook, as_version=4)
    assert len(pages) == decks.count_slides(nb)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(deck.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        # a title's words; its formulas are drawn as SVG paths, which carry no PDF text
        titles = page.evaluate("""() => Reveal.getSlides().map(s => {
            const h = s.querySelector('h1, h2, h3');
            if (!h) { return ''; }
            const words = h.cloneNode(true);
            words.querySelectorAll('mjx-container, .anchor-link').forEach(n => n.remove());
            return words.textContent.trim(); })""")
    finally:
        context.close()
    assert len(titles) == len(pages)
    missing = [(k + 1, title) for k, (title, text) in enumerate(zip(titles, pages))
               if any(_fold(part).replace(" ", "") not in text.replace(" ", "")
                      for part in re.split(r"\s{2,}", title) if part.strip())]
    assert missing == []
