"""Handouts of the offline slide decks: PDFs and a screenshot of every slide.

* :func:`print_pdf` prints a deck with reveal.js's print-pdf mode in headless Chromium
  (Debian's ``/usr/bin/chromium`` driven by Playwright, which downloads no browser of its
  own): one page per slide, fragments collapsed (every fragment shown); with
  ``notes=True`` each slide that has speaker notes is followed by a page with them.
* :func:`screenshot_slides` saves every slide, all fragments shown, at 1280x720.
* :func:`build_handouts` does both for every deck of a build:
  ``build/pdf/NN_name.pdf``, ``build/pdf/NN_name-notes.pdf`` and
  ``build/screenshots/NN_name/SS_H.V.png``. Everything is first written into a staging
  folder inside the build and moved into place only when every deck has been printed, so
  a failure leaves the earlier handouts as they were.

``python -m annteach build`` calls :func:`build_handouts` after the decks and before the
index (which links the PDFs); ``python -m annteach handouts`` prints the decks of an
existing build again.
"""

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..files import atomic_write

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "LOCAL_SCHEMES", "VIEWPORT", "build_handouts",
           "chromium", "print_pdf", "screenshot_slides", "slide_notes"]

#: Debian's Chromium (``apt-get install chromium``); Playwright never downloads a browser.
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, and nothing that talks to the network by itself.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: The projector: a 1280x720 window.
VIEWPORT = {"width": 1280, "height": 720}
#: URL schemes that never leave the machine.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
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
# Shows slide (h, v) with all its fragments and waits until they have faded in (their CSS
# transitions, not reveal's looping hints). With ``whole`` it also waits for the controls and
# the progress bar (0.8 s), which a picture of the screen shows; the slide alone is enough
# for checking its content.
SHOW_JS = """async ([h, v, whole]) => {
  Reveal.slide(h, v);
  while (Reveal.nextFragment()) {}
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const slide = Reveal.getCurrentSlide();
  const fading = document.getAnimations().filter(a => a instanceof CSSTransition
      && (whole || (a.effect && slide.contains(a.effect.target))));
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
                  if route.request.url.startswith(LOCAL_SCHEMES) else route.abort())
    page = context.new_page()
    try:
        page.goto(url)
        page.evaluate(_READY_JS)
    except Exception as error:  # playwright's Error, raised from the page's JavaScript
        context.close()
        where = url.split("?")[0]
        if "not a reveal.js deck" in str(error):
            raise ValueError(f"{where}: not a reveal.js deck (it has no window.Reveal)") \
                from error
        raise RuntimeError(f"{where}: the deck did not load: {error}") from error
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
                page.evaluate(SHOW_JS, [h, v, True])
                target = out_dir / f"{k:02d}_{h + 1}.{v + 1}.png"
                png = page.screenshot()
                atomic_write(target, lambda f, png=png: f.write(png))
                pictures.append(target)
        finally:
            context.close()
    return pictures


def _deck_stem(deck):
    return Path(deck).name.removesuffix(".slides.html")


def build_handouts(build_dir, decks=None, screenshots=True, browser=None):
    """Print the decks of a build (with and without notes) and screenshot every slide.

    Everything is written into a staging folder inside ``build_dir`` first; only when every
    deck is done are the files moved into place (``build_dir/pdf/``,
    ``build_dir/screenshots/NN_name/``, each deck's folder replaced as a whole). When a deck
    fails, the staging folder is removed and the earlier handouts stay as they were.

    Parameters
    ----------
    build_dir : path-like
        The build folder.
    decks : list of path-like, optional
        The decks to print; every ``build_dir/slides/*.slides.html`` by default.
    screenshots : bool
        Also save a 1280x720 picture of every slide.
    browser : playwright Browser, optional
        A running Chromium; one is started and stopped when None.

    Returns
    -------
    dict
        Per deck stem (``NN_name``): ``{"pdf", "notes_pdf", "screenshots"}``, the final
        paths (``screenshots`` a list, empty without screenshots), in the decks' order.

    Raises
    ------
    ValueError
        No decks, or a deck that is missing or not a reveal.js deck.
    RuntimeError
        Playwright or Chromium missing, or reveal.js not printing.
    """
    build_dir = Path(build_dir)
    decks = sorted((build_dir / "slides").glob("*.slides.html")) if decks is None else [
        _deck(deck) for deck in decks]
    if not decks:
        raise ValueError(f"{build_dir / 'slides'}: no decks (*.slides.html); build them first")
    build_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".handouts-", dir=build_dir))
    try:
        staged = {}
        with _browser(browser) as running:
            for deck in decks:
                stem = _deck_stem(deck)
                staged[stem] = {
                    "pdf": print_pdf(deck, stage / "pdf" / f"{stem}.pdf", browser=running),
                    "notes_pdf": print_pdf(deck, stage / "pdf" / f"{stem}-notes.pdf",
                                           notes=True, browser=running),
                    "screenshots": screenshot_slides(deck, stage / "screenshots" / stem,
                                                     browser=running) if screenshots else [],
                }
        return {stem: _move_into_place(files, stage, build_dir)
                for stem, files in staged.items()}
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _move_into_place(files, stage, build_dir):
    """Move one deck's staged handouts to their places in ``build_dir``; return the paths."""
    placed = {}
    for key in ("pdf", "notes_pdf"):
        target = build_dir / files[key].relative_to(stage)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(files[key], target)
        placed[key] = target
    placed["screenshots"] = []
    if files["screenshots"]:
        folder = files["screenshots"][0].parent
        target = build_dir / folder.relative_to(stage)
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(folder, target)
        shutil.rmtree(old, ignore_errors=True)
        placed["screenshots"] = [target / picture.name for picture in files["screenshots"]]
    return placed


def configure_parser(parser):
    """Add the options of ``python -m annteach handouts``."""
    from ..paths import REPO_ROOT

    parser.add_argument("--build", type=Path, default=REPO_ROOT / "build",
                        help="the build folder holding slides/ (default: %(default)s)")
    parser.add_argument("--no-screenshots", action="store_true",
                        help="print the PDFs only")


def run(args):
    """Run ``python -m annteach handouts``: PDFs and screenshots of a build's decks."""
    try:
        printed = build_handouts(args.build, screenshots=not args.no_screenshots)
    except (ValueError, RuntimeError) as error:
        raise SystemExit(f"annteach handouts: {error}") from error
    for files in printed.values():
        print(f"{files['pdf']}  {files['notes_pdf']}  {len(files['screenshots'])} screenshots",
              file=sys.stdout)
    return 0
