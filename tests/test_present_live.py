"""Presenting live: the slideshow starts by itself, and an explorer follows the keyboard.

Starts JupyterLab as ``annteach present`` does (:func:`annteach.tools.lab_server.start`
with :func:`annteach.tools.present.present_options`: its own settings, a fresh workspace
and the package's ``annteach-present`` extension; Jupyter state in a temporary folder;
a temporary copy of notebooks/ as root) and drives headless Chromium through what an
instructor does with the address ``make present`` prints:

* open it: without a click, the slideshow starts at the title and all cells run (the
  hidden setup cell too) without an error;
* go forward with the space bar (next fragment, subslide or slide) to the XOR explorer,
  past speaker notes, which are never on screen;
* click a weight's slider and press the right arrow three times: the slider moves three
  steps, the explorer's image changes, and the slideshow stays on that slide;
* Escape leaves the slideshow, and the toolbar's slideshow button brings it back;

with no error in the console, no uncaught exception, no failed request, no HTTP error
and nothing loaded from outside the machine. Screenshots of the title and the explorer
slide go to build/screenshots/.
"""

import pytest
from browser_support import ROOT, SCREENSHOTS, course_server, server_context

from annteach.tools import present

NOTEBOOK = ROOT / "notebooks" / "02_error_surfaces.ipynb"
EXPLORER = "at.widgets.XorExplorer()"
KEY_PRESSES = 3
STEP = 0.05  # of the XOR explorer's weight sliders

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not NOTEBOOK.is_file(), reason=f"{NOTEBOOK.name} is missing")]

# The notebook panel on screen, and its cells' DOM nodes and models.
PANEL = "jupyterapp.shell.currentWidget"
OPEN_JS = f"name => window.jupyterapp && {PANEL} && {PANEL}.title.label === name"
# Index of the first cell whose source starts with a text.
CELL_INDEX_JS = (
    f"text => {PANEL}.content.widgets.findIndex(c => c.model.sharedModel.getSource()"
    ".startsWith(text))"
)
# Number of code cells.
CODE_CELLS_JS = f"() => {PANEL}.content.widgets.filter(c => c.model.type === 'code').length"
# Whether the kernel is idle and no cell waits to run (a waiting cell has no execution count).
SETTLED_JS = (
    f"() => {PANEL}.sessionContext.session.kernel.status === 'idle'"
    f" && {PANEL}.content.widgets.every(c => c.model.type !== 'code'"
    " || c.model.executionCount !== null)"
)
# What the kernel prints for some code, run without entering its history. The kernel
# answers requests in order, so this comes after the cells the slideshow's start queued.
KERNEL_PRINTS_JS = f"""
async code => {{
  const future = {PANEL}.sessionContext.session.kernel.requestExecute(
    {{code, store_history: false}});
  let text = '';
  future.onIOPub = msg => {{
    if (msg.header.msg_type === 'stream') text += msg.content.text;
  }};
  await future.done;
  return text;
}}
"""
# Outputs of type "error" (a traceback), as "cell index: ename: evalue".
ERRORS_JS = (
    f"() => {PANEL}.content.widgets.flatMap((c, i) => c.model.type !== 'code' ? [] :"
    " c.model.outputs.toJSON().filter(o => o.output_type === 'error')"
    ".map(o => `${i}: ${o.ename}: ${o.evalue}`))"
)
# The active cell's index: the slideshow moves it along.
ACTIVE_JS = f"() => {PANEL}.content.activeCellIndex"
# Indices of the cells jupyterlab-slideshow shows on screen (none: no slideshow).
ONSCREEN_JS = (
    f"() => {PANEL}.content.widgets.flatMap((c, i) =>"
    " c.node.classList.contains('jp-deck-mod-onscreen') ? [i] : [])"
)
# Indices of the speaker notes' cells (slide type "notes").
NOTES_JS = (
    f"() => {PANEL}.content.widgets.flatMap((c, i) =>"
    " (c.model.getMetadata('slideshow') || {}).slide_type === 'notes' ? [i] : [])"
)
# Whether JupyterLab autosaves notebooks, as the settings of the presenting server say.
AUTOSAVE_JS = (
    "async () => (await jupyterapp.serviceManager.settings.fetch("
    "'@jupyterlab/docmanager-extension:plugin')).settings.autosave"
)


@pytest.fixture(scope="module")
def presenting(tmp_path_factory):
    """JupyterLab started as ``annteach present`` starts it: yields (root, port, token)."""

    def options(root, state):
        settings = present.write_settings(state / "present-settings")
        workspaces = state / "workspaces"
        # window.jupyterapp, so that the test can read the notebook's state
        return [*present.present_options(settings, workspaces),
                "--LabApp.expose_app_in_browser=True"]

    with course_server(tmp_path_factory, options) as server:
        yield server


@pytest.fixture
def page_and_network(presenting):
    """A page that may talk to the server only, and what it loads and logs."""
    with server_context(presenting[1]) as (context, network):
        yield context.new_page(), network


def _press_until_onscreen(page, cell, limit=120):
    """Press Space (next fragment, subslide or slide) until ``cell`` is on screen.

    Returns
    -------
    set of int
        The cells that were on screen on the way.
    """
    seen = set()
    for _ in range(limit):
        onscreen = page.evaluate(ONSCREEN_JS)
        seen.update(onscreen)
        if cell in onscreen:
            return seen
        active = page.evaluate(ACTIVE_JS)
        page.keyboard.press("Space")
        # the slideshow has moved on: a new active cell, and it is on screen
        page.wait_for_function(
            f"old => {{ const now = ({ACTIVE_JS})(); return now !== old"
            f" && ({ONSCREEN_JS})().includes(now); }}",
            arg=active, timeout=10_000,
        )  # fmt: skip
    pytest.fail(f"cell {cell} not on screen after {limit} presses of Space")


def test_slideshow_starts_with_every_cell_run_and_an_explorer_runs_live(
    presenting, page_and_network
):
    root, port, token = presenting
    page, network = page_and_network
    notebook = root / "notebooks" / NOTEBOOK.name
    page.goto(present.lab_url(notebook, root, port, token))
    page.wait_for_function(OPEN_JS, arg=notebook.name, timeout=120_000)
    page.wait_for_function(f"() => {PANEL}.context.isReady", timeout=120_000)
    cell = page.evaluate(CELL_INDEX_JS, EXPLORER)
    assert cell > 0, f"no cell starting with {EXPLORER!r} in {notebook.name}"
    assert page.evaluate(AUTOSAVE_JS) is False

    # Nothing clicked: the slideshow starts at the title, and every cell runs.
    page.wait_for_function(f"() => ({ONSCREEN_JS})().length > 0", timeout=180_000)
    assert page.evaluate(ACTIVE_JS) == 0
    assert 0 in page.evaluate(ONSCREEN_JS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "present_live_title.png")
    # the kernel has run each code cell once (its history holds them)
    ran = page.evaluate(KERNEL_PRINTS_JS, "print(len(In) - 1)")
    assert int(ran) == page.evaluate(CODE_CELLS_JS)
    page.wait_for_function(SETTLED_JS, timeout=60_000)
    assert page.evaluate(ERRORS_JS) == []
    assert page.evaluate(ACTIVE_JS) == 0  # still at the title

    # Forward with the space bar to the explorer's slide; the speaker notes stay hidden
    notes = page.evaluate(NOTES_JS)
    assert notes and min(notes) < cell  # there are notes on the way
    seen = _press_until_onscreen(page, cell)
    assert seen.isdisjoint(notes), sorted(seen & set(notes))
    explorer = page.locator(".jp-Notebook .jp-Cell").nth(cell)
    image = explorer.locator(".jp-OutputArea-output .widget-image")
    assert image.is_visible()
    page.screenshot(path=SCREENSHOTS / "present_live_explorer_1.png")

    # A slider, clicked, then moved with the keyboard
    slider = explorer.locator(".widget-slider").first
    readout = slider.locator(".widget-readout")
    before_value = float(readout.inner_text())
    before_image = image.get_attribute("src")
    slider.locator(".noUi-handle").first.click()
    assert float(readout.inner_text()) == before_value  # a click on the handle keeps it
    for _ in range(KEY_PRESSES):
        page.keyboard.press("ArrowRight")
    expected = f"{before_value + KEY_PRESSES * STEP:.2f}"
    page.wait_for_function("([node, text]) => node.textContent.trim() === text",
                           arg=[readout.element_handle(), expected], timeout=30_000)
    page.wait_for_function("([node, old]) => node.src !== old",
                           arg=[image.element_handle(), before_image], timeout=30_000)
    page.screenshot(path=SCREENSHOTS / "present_live_explorer_2.png")
    assert cell in page.evaluate(ONSCREEN_JS)  # the keys moved the slider, not the slides

    # Escape leaves the slideshow; the toolbar's slideshow button brings it back, at the
    # selected cell
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => ({ONSCREEN_JS})().length === 0", timeout=10_000)
    active = page.evaluate(ACTIVE_JS)
    page.click(".jp-NotebookPanel-toolbar [data-command='deck:toggle']")
    page.wait_for_function(f"cell => ({ONSCREEN_JS})().includes(cell)", arg=active,
                           timeout=10_000)

    assert network.console_errors == []
    assert network.errors == []
    assert network.failed == []
    assert network.bad_responses == []
    assert network.outside == []
