"""Handouts of the offline slide decks: PDFs and a screenshot of every slide.

* :func:`print_pdf` prints a deck with reveal.js's print-pdf mode in headless Chromium
  (Debian's ``/usr/bin/chromium`` driven by Playwright, which downloads no browser of its
  own): one page per slide, fragments collapsed (every fragment shown); with
  ``notes=True`` each slide that has speaker notes is followed by a page with them.
* :func:`screenshot_slides` saves every slide, all fragments shown, at 1280x720.
* :func:`build_handouts` does both for every deck of a build:
  ``build/pdf/NN_name.pdf``, ``build/pdf/NN_name-notes.pdf`` and
  ``build/screenshots/NN_name/SS_H.V.png``.

Command line: ``python -m annteach.tools.handouts [--build build]``.
"""

import argparse
import contextlib
import sys
from pathlib import Path

from ..files import atomic_write

__all__ = ["build_handouts", "chromium", "print_pdf", "screenshot_slides", "slide_notes"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 720}
# reveal.js reads its settings from the query too: one page per slide (a slide taller than
# the page is cut, as on the screen), fragments collapsed, notes on a page of their own.
PRINT_QUERY = "?print-pdf&pdfSeparateFragments=false&pdfMaxPagesPerSlide=1"
NOTES_QUERY = PRINT_QUERY + "&showNotes=separate-page"

# Waits until reveal.js (and, in print mode, its pages), MathJax, fonts and images are ready.
_READY_JS = """async () => {
  if (!window.Reveal) { throw new Error('not a reveal.js deck: window.Reveal is missing'); }
  await new Promise(done => Reveal.isReady() ? done() : Reveal.on('ready', done));
  if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  await document.fonts.ready;
  await Promise.all(Array.from(document.images, img => img.complete ? null :
      new Promise(done => { img.onload = img.onerror = done; })));
  if (Reveal.isPrintView()) {
    // reveal lays the pages out after 'ready': wait until every slide sits on a page
    const slides = Reveal.getTotalSlides();
    for (let frame = 0; frame < 600; frame++) {
      const pages = document.querySelectorAll('.reveal .slides .pdf-page').length;
      if (pages >= slides) { break; }
      await new Promise(done => requestAnimationFrame(done));
    }
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  }
}"""
# The (h, v) position of every slide, in order; showing one slide with all its fragments.
SLIDES_JS = """() => Reveal.getSlides().map(s => {
  const i = Reveal.getIndices(s); return [i.h, i.v || 0]; })"""
SHOW_JS = """async ([h, v]) => {
  Reveal.slide(h, v);
  while (Reveal.nextFragment()) {}
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  // fragments fade in: wait for the CSS transitions (not reveal's looping hints) to end
  const fading = document.getAnimations().filter(a => a instanceof CSSTransition);
  await Promise.race([Promise.all(fading.map(a => a.finished.catch(() => null))),
                      new Promise(done => setTimeout(done, 3000))]);
}"""


@contextlib.contextmanager
def chromium():
    """Headless Chromium (Debian's) through Playwright, closed on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise RuntimeError("printing handouts needs playwright (pip install playwright)") \
            from error
    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install chromium; make browser)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def _browser(browser):
    if browser is not None:
        yield browser
    else:
        with chromium() as own:
            yield own


def _deck(deck_html):
    deck_html = Path(deck_html).resolve()
    if not deck_html.is_file():
        raise ValueError(f"{deck_html}: no such deck")
    return deck_html


def _open(browser, url):
    context = browser.new_context(viewport=VIEWPORT)
    # a deck is offline: nothing may come from the network
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(("file:", "data:", "blob:", "about:"))
                  else route.abort())
    page = context.new_page()
    page.goto(url)
    page.evaluate(_READY_JS)
    return context, page


def print_pdf(deck_html, out_pdf, notes=False, browser=None):
    """Print a reveal.js deck to PDF: one 1280x720-slide page per slide, fragments collapsed.

    Parameters
    ----------
    deck_html : path-like
        An offline deck (``build/slides/NN_name.slides.html``).
    out_pdf : path-like
        The PDF to write (replaced atomically; its folder is created).
    notes : bool
        Follow each slide that has speaker notes by a page with its notes (the
        instructor's edition).
    browser : playwright Browser, optional
        A running Chromium (several decks in a row print faster); one is started and
        stopped when None.

    Returns
    -------
    pathlib.Path
        ``out_pdf``.
    """
    deck_html, out_pdf = _deck(deck_html), Path(out_pdf)
    with _browser(browser) as running:
        context, page = _open(running, deck_html.as_uri() + (NOTES_QUERY if notes else
                                                              PRINT_QUERY))
        try:
            if not page.evaluate("Reveal.isPrintView()"):
                raise RuntimeError(f"{deck_html}: reveal.js did not switch to print mode")
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            context.close()
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out_pdf, lambda f: f.write(pdf))
    return out_pdf


def slide_notes(deck_html, browser=None):
    """The speaker notes of every slide, in order (empty string for a slide without)."""
    deck_html = _deck(deck_html)
    with _browser(browser) as running:
        context, page = _open(running, deck_html.as_uri())
        try:
            return page.evaluate("""() => Reveal.getSlides().map(s =>
                Array.from(s.querySelectorAll('aside.notes'), n => n.innerText.trim())
                .join('\\n'))""")
        finally:
            context.close()


def screenshot_slides(deck_html, out_dir, browser=None):
    """Save every slide of a deck, all its fragments shown, as a 1280x720 PNG.

    Parameters
    ----------
    deck_html : path-like
        An offline deck.
    out_dir : path-like
        Folder for the pictures, ``SS_H.V.png`` (SS counts the slides from 01; H.V are
        reveal's horizontal and vertical positions from 1); created if missing, and
        emptied of earlier pictures.
    browser : playwright Browser, optional

    Returns
    -------
    list of pathlib.Path
        One picture per slide, in order.
    """
    deck_html, out_dir = _deck(deck_html), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*_*.*.png"):
        old.unlink()
    pictures = []
    with _browser(browser) as running:
        context, page = _open(running, deck_html.as_uri())
        try:
            for k, (h, v) in enumerate(page.evaluate(SLIDES_JS), start=1):
                page.evaluate(SHOW_JS, [h, v])
                target = out_dir / f"{k:02d}_{h + 1}.{v + 1}.png"
                png = page.screenshot()
                atomic_write(target, lambda f, png=png: f.write(png))
                pictures.append(target)
        finally:
            context.close()
    return pictures


def build_handouts(build_dir, screenshots=True):
    """Print every deck in ``build_dir/slides`` (with and without notes) and screenshot it.

    Returns
    -------
    list of dict
        Per deck: ``deck``, ``pdf``, ``notes_pdf`` and ``screenshots`` (list of paths).
    """
    build_dir = Path(build_dir)
    decks = sorted((build_dir / "slides").glob("*.slides.html"))
    if not decks:
        raise ValueError(f"{build_dir / 'slides'}: no decks (*.slides.html); build them first")
    done = []
    with chromium() as browser:
        for deck in decks:
            stem = deck.name[: -len(".slides.html")]
            entry = {
                "deck": deck,
                "pdf": print_pdf(deck, build_dir / "pdf" / f"{stem}.pdf", browser=browser),
                "notes_pdf": print_pdf(deck, build_dir / "pdf" / f"{stem}-notes.pdf",
                                       notes=True, browser=browser),
                "screenshots": [],
            }
            if screenshots:
                entry["screenshots"] = screenshot_slides(
                    deck, build_dir / "screenshots" / stem, browser=browser)
            done.append(entry)
    return done


def main(argv=None):
    """``python -m annteach.tools.handouts``: PDFs and screenshots of a build's decks."""
    parser = argparse.ArgumentParser(prog="python -m annteach.tools.handouts",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path("build"),
                        help="the build folder holding slides/ (default: build)")
    parser.add_argument("--no-screenshots", action="store_true",
                        help="print the PDFs only")
    args = parser.parse_args(argv)
    try:
        entries = build_handouts(args.build, screenshots=not args.no_screenshots)
    except (ValueError, RuntimeError) as error:
        print(f"handouts: {error}", file=sys.stderr)
        return 2
    for entry in entries:
        print(f"{entry['pdf']}  {entry['notes_pdf']}  {len(entry['screenshots'])} screenshots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
