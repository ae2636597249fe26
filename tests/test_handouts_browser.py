"""PDF handouts and slide screenshots (annteach.tools.handouts) in Debian's Chromium.

Decks are built with the course build (annteach.tools.decks) from a sample lecture and from the
lecture notebooks; each PDF must have one page per slide (the notes edition: one more page
per slide with notes) and carry every slide's title (and every note) in its text, read
with pypdf.
"""

import re

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


def test_bad_deck_is_reported(browser, tmp_path):
    with pytest.raises(ValueError, match="no such deck"):
        handouts.print_pdf(tmp_path / "missing.slides.html", tmp_path / "x.pdf", browser=browser)
    page = tmp_path / "plain.html"
    page.write_text("<!DOCTYPE html><html lang='en'><title>x</title><p>no deck</p></html>")
    with pytest.raises(Exception, match="not a reveal.js deck"):
        handouts.print_pdf(page, tmp_path / "x.pdf", browser=browser)
    assert not (tmp_path / "x.pdf").exists()


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
