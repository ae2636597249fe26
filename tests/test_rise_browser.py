"""RISE in JupyterLab: the first lecture notebook opens as a reveal.js slideshow.

Starts JupyterLab on 127.0.0.1 (random free port, random token, Jupyter and
IPython state in a temporary folder, serving a temporary copy of notebooks/ so
nothing RISE saves can touch the committed files) and drives headless Chromium:

* ``/rise/notebooks/<first notebook>`` shows the notebook's title on the first
  slide, and moving forward reaches the second slide (both saved as
  screenshots in build/screenshots/);
* in JupyterLab itself, the notebook's "Open as Reveal Slideshow" command
  opens that slideshow in a new tab.

The server is stopped by its process id in the fixture's teardown.
"""

import nbformat
import pytest
from browser_support import ROOT, SCREENSHOTS, course_server, server_context

from annteach.tools import decks, notebooks, present

NOTEBOOKS = notebooks.course_notebooks(ROOT / "notebooks")
# The horizontal slide on screen in RISE (reveal marks it "present").
PRESENT = ".reveal.ready .slides > section.present"
# Index of the present horizontal slide.
INDEX_JS = (
    "s => Array.from(document.querySelectorAll('.reveal .slides > section'))"
    ".indexOf(document.querySelector(s))"
)
# Whether the present slide's rendered markdown contains a text.
SHOWS_JS = (
    "([slide, text]) => Array.from(document.querySelectorAll(slide + ' .jp-RenderedMarkdown'),"
    " n => n.textContent).join(' ').includes(text)"
)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not NOTEBOOKS, reason="no lecture notebook yet")]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server for this module: yields (root, port, token)."""
    # window.jupyterapp, so the test can run JupyterLab commands
    options = ["--LabApp.expose_app_in_browser=True"]
    with course_server(tmp_path_factory, lambda root, state: options) as server:
        yield server


@pytest.fixture
def lab_browser(jupyterlab):
    """A browser context allowed to talk to the server only; yields (context, network)."""
    with server_context(jupyterlab[1]) as context_and_network:
        yield context_and_network


def _title(notebook):
    return decks.notebook_title(nbformat.read(notebook, as_version=4), notebook.stem)


def test_rise_opens_first_notebook_as_slideshow(jupyterlab, lab_browser):
    root, port, token = jupyterlab
    context, network = lab_browser
    notebook = root / "notebooks" / NOTEBOOKS[0].name
    title = _title(notebook)
    page = context.new_page()
    page.goto(present.rise_url(notebook, root, port, token))
    page.wait_for_selector(PRESENT, timeout=120_000)
    page.wait_for_function(SHOWS_JS, arg=[PRESENT, title], timeout=60_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"rise_{notebook.stem}_1.png")
    assert page.evaluate(INDEX_JS, PRESENT) == 0

    # forward: through the title slide's fragments (if any) to the next slide
    for _ in range(10):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
        if page.evaluate(INDEX_JS, PRESENT) != 0:
            break
    assert page.evaluate(INDEX_JS, PRESENT) == 1
    page.screenshot(path=SCREENSHOTS / f"rise_{notebook.stem}_2.png")
    assert not page.evaluate(SHOWS_JS, [PRESENT, title])
    assert network.outside == []
    assert network.errors == []


def test_lab_command_open_as_reveal_slideshow(jupyterlab, lab_browser):
    root, port, token = jupyterlab
    context, network = lab_browser
    notebook = root / "notebooks" / NOTEBOOKS[0].name
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{port}/lab/tree/notebooks/{notebook.name}?token={token}")
    page.wait_for_function(
        "name => window.jupyterapp && jupyterapp.shell.currentWidget"
        " && jupyterapp.shell.currentWidget.title.label === name"
        " && jupyterapp.commands.isEnabled('RISE:slideshow')",
        arg=notebook.name,
        timeout=120_000,
    )
    label = page.evaluate("jupyterapp.commands.label('RISE:slideshow')")
    assert label == "Open as Reveal Slideshow"
    with context.expect_page(timeout=60_000) as opened:
        page.evaluate("jupyterapp.commands.execute('RISE:slideshow')")
    slideshow = opened.value
    slideshow.wait_for_selector(PRESENT, timeout=120_000)
    assert f"/rise/notebooks/{notebook.name}" in slideshow.url
    slideshow.wait_for_function(SHOWS_JS, arg=[PRESENT, _title(notebook)], timeout=60_000)
    assert network.outside == []
    assert network.errors == []
