"""RISE in JupyterLab: the first lecture notebook opens as a reveal.js slideshow.

Starts JupyterLab on 127.0.0.1 (random free port, random token, Jupyter and
IPython state in a temporary folder), opens ``/rise/notebooks/<first
notebook>`` in headless Chromium, checks that the title slide shows the
notebook's title and that moving forward reaches the second slide, and saves
both as screenshots in build/screenshots/. The server is stopped by its process
id in the fixture's teardown.
"""

import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request

import nbformat
import pytest
from browser_support import ROOT, SCREENSHOTS, VIEWPORT, NetworkLog, launch, sync_playwright

from annteach import course

NOTEBOOKS = course.course_notebooks(ROOT / "notebooks")
STARTUP_SECONDS = 180
# The horizontal slide on screen in RISE (reveal marks it "present").
PRESENT = ".reveal.ready .slides > section.present"


def _wait_until_up(server, url, log):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with opener.open(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server for this module: yields (port, token)."""
    state = tmp_path_factory.mktemp("jupyter-state")
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # kernels show figures inline
    for name, folder in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
    ]:
        env[name] = str(state / folder)
    port, token = course.free_port(), secrets.token_hex(16)
    log = state / "jupyterlab.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            course.jupyter_lab_command(ROOT, port, token),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        _wait_until_up(server, f"http://127.0.0.1:{port}/api/status?token={token}", log)
        yield port, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def test_rise_opens_first_notebook_as_slideshow(jupyterlab):
    if not NOTEBOOKS:
        pytest.skip("no lecture notebook yet")
    start = sync_playwright()
    port, token = jupyterlab
    notebook = NOTEBOOKS[0]
    title = course.notebook_title(nbformat.read(notebook, as_version=4), notebook.stem)
    server = f"http://127.0.0.1:{port}/"
    with start() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            network = NetworkLog(context, allowed=(server, f"ws://127.0.0.1:{port}/"))
            page = context.new_page()
            network.watch(page)
            page.goto(course.rise_url(notebook, ROOT, port, token))
            page.wait_for_selector(PRESENT, timeout=120_000)
            page.wait_for_function(
                "([slide, title]) => Array.from(document.querySelectorAll("
                "slide + ' .jp-RenderedMarkdown'), n => n.textContent).join(' ').includes(title)",
                arg=[PRESENT, title],
                timeout=60_000,
            )
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"rise_{notebook.stem}_1.png")
            index_js = (
                "s => Array.from(document.querySelectorAll('.reveal .slides > section'))"
                ".indexOf(document.querySelector(s))"
            )
            assert page.evaluate(index_js, PRESENT) == 0

            # forward: through the title slide's fragments (if any) to the next slide
            for _ in range(10):
                page.keyboard.press("ArrowRight")
                page.wait_for_timeout(200)
                if page.evaluate(index_js, PRESENT) != 0:
                    break
            assert page.evaluate(index_js, PRESENT) == 1
            page.screenshot(path=SCREENSHOTS / f"rise_{notebook.stem}_2.png")
            assert title.casefold() not in page.locator(PRESENT).inner_text().casefold()
            assert network.outside == []
            assert network.errors == []
        finally:
            browser.close()
