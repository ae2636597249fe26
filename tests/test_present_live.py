"""Presenting live: an explorer runs on its slide and follows the keyboard.

Starts JupyterLab as ``make present`` does (:func:`annteach.live_slides.jupyter_command`:
127.0.0.1, random free port and token, its own settings folder; Jupyter state in
a temporary folder; a temporary copy of notebooks/ as root) and drives headless
Chromium through what an instructor does with the address ``make present`` prints:

* open it; Run > Run All Cells, so that the hidden setup cell and the
  explorer run in this kernel;
* click the title, start the slideshow from the toolbar and go forward with the space bar
  (next fragment, subslide or slide) to the XOR explorer;
* focus a weight's slider and press the right arrow three times: the slider
  moves three steps, the explorer's image changes, and the slideshow stays on
  that slide;

with no error in the console, no uncaught exception, no failed request, no
HTTP error and nothing loaded from outside the machine. Screenshots of the
explorer slide go to build/screenshots/.
"""

import pytest
from browser_support import ROOT, SCREENSHOTS, course_server, server_context

from annteach import live_slides

NOTEBOOK = ROOT / "notebooks" / "02_error_surfaces.ipynb"
EXPLORER = "at.widgets.xor_explorer("
KEY_PRESSES = 3
STEP = 0.05  # of the XOR explorer's weight sliders

pytestmark = pytest.mark.skipif(not NOTEBOOK.is_file(), reason=f"{NOTEBOOK.name} is missing")

# The notebook panel on screen, and its cells' DOM nodes and models.
PANEL = "jupyterapp.shell.currentWidget"
READY_JS = (
    f"name => window.jupyterapp && {PANEL} && {PANEL}.title.label === name"
    f" && {PANEL}.sessionContext.session && {PANEL}.sessionContext.session.kernel"
    f" && {PANEL}.sessionContext.session.kernel.status === 'idle'"
)
# Index of the first cell whose source starts with a text.
CELL_INDEX_JS = (
    f"text => {PANEL}.content.widgets.findIndex(c => c.model.sharedModel.getSource()"
    ".startsWith(text))"
)
# All code cells have run (an execution count each) and the kernel is idle again.
ALL_RUN_JS = (
    f"() => {PANEL}.sessionContext.session.kernel.status === 'idle'"
    f" && {PANEL}.content.widgets.every(c => c.model.type !== 'code'"
    " || c.model.executionCount !== null)"
)
# Outputs of type "error" (a traceback), as "cell index: ename: evalue".
ERRORS_JS = (
    f"() => {PANEL}.content.widgets.flatMap((c, i) => c.model.type !== 'code' ? [] :"
    " c.model.outputs.toJSON().filter(o => o.output_type === 'error')"
    ".map(o => `${i}: ${o.ename}: ${o.evalue}`))"
)
# The active cell's index: the slideshow moves it along.
ACTIVE_JS = f"() => {PANEL}.content.activeCellIndex"
# Indices of the cells jupyterlab-slideshow shows on screen.
ONSCREEN_JS = (
    f"() => {PANEL}.content.widgets.flatMap((c, i) =>"
    " c.node.classList.contains('jp-deck-mod-onscreen') ? [i] : [])"
)


@pytest.fixture(scope="module")
def presenting(tmp_path_factory):
    """JupyterLab started as ``make present`` starts it: yields (root, port, token)."""

    def command(root, port, token, state):
        # window.jupyterapp, so the test can read the notebook's state
        return live_slides.jupyter_command(
            root, port, token, state / "present-settings",
            extra=["--LabApp.expose_app_in_browser=True"],
        )  # fmt: skip

    with course_server(tmp_path_factory, command) as server:
        yield server


@pytest.fixture
def page_and_network(presenting):
    """A page that may talk to the server only, and what it loads and logs."""
    with server_context(presenting[1]) as (context, network):
        yield context.new_page(), network


def _press_until_onscreen(page, cell, limit=120):
    """Press Space (next fragment, subslide or slide) until ``cell`` is on screen."""
    for _ in range(limit):
        if cell in page.evaluate(ONSCREEN_JS):
            return
        active = page.evaluate(ACTIVE_JS)
        page.keyboard.press("Space")
        # the slideshow has moved on: a new active cell, and it is on screen
        page.wait_for_function(
            f"old => {{ const now = ({ACTIVE_JS})(); return now !== old"
            f" && ({ONSCREEN_JS})().includes(now); }}",
            arg=active, timeout=10_000,
        )  # fmt: skip
    pytest.fail(f"cell {cell} not on screen after {limit} presses of Space")


def test_explorer_runs_live_on_its_slide(presenting, page_and_network):
    root, port, token = presenting
    page, network = page_and_network
    notebook = root / "notebooks" / NOTEBOOK.name
    page.goto(live_slides.lab_url(notebook, root, port, token))
    page.wait_for_function(READY_JS, arg=notebook.name, timeout=120_000)
    cell = page.evaluate(CELL_INDEX_JS, EXPLORER)
    assert cell > 0, f"no cell starting with {EXPLORER!r} in {notebook.name}"

    # Run > Run All Cells, from the menu bar
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    explorer = page.locator(".jp-Notebook .jp-Cell").nth(cell)
    image = explorer.locator(".jp-OutputArea-output .widget-image")
    image.wait_for(timeout=120_000)
    page.wait_for_function(ALL_RUN_JS, timeout=120_000)
    assert page.evaluate(ERRORS_JS) == []

    # From the title (Run All left the last cell selected), the slideshow, forward to the
    # explorer's slide
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.wait_for_function(f"() => ({ACTIVE_JS})() === 0")
    page.click("[data-command='deck:toggle']")
    page.wait_for_function(f"() => ({ONSCREEN_JS})().length > 0", timeout=30_000)
    _press_until_onscreen(page, cell)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "present_live_explorer_1.png")
    assert image.is_visible()

    # A slider, moved with the keyboard
    slider = explorer.locator(".widget-slider").first
    readout = slider.locator(".widget-readout")
    before_value = float(readout.inner_text())
    before_image = image.get_attribute("src")
    slider.locator(".noUi-handle").first.focus()
    for _ in range(KEY_PRESSES):
        page.keyboard.press("ArrowRight")
    expected = f"{before_value + KEY_PRESSES * STEP:.2f}"
    page.wait_for_function("([node, text]) => node.textContent.trim() === text",
                           arg=[readout.element_handle(), expected], timeout=30_000)
    page.wait_for_function("([node, old]) => node.src !== old",
                           arg=[image.element_handle(), before_image], timeout=30_000)
    page.screenshot(path=SCREENSHOTS / "present_live_explorer_2.png")
    assert cell in page.evaluate(ONSCREEN_JS)  # the keys moved the slider, not the slides

    assert network.console_errors == []
    assert network.errors == []
    assert network.failed == []
    assert network.bad_responses == []
    assert network.outside == []
