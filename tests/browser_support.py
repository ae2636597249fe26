"""Shared helpers for the browser tests: Debian's Chromium driven by Playwright.

The browser is the system one (``apt-get install chromium``, done by
``make browser``); Playwright never downloads its own.
"""

import atexit
import contextlib
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from annteach.tools import handouts

# One definition of the browser, its settings, the window and what counts as local: the
# handouts' (make course prints with the same Chromium the tests use).
CHROMIUM = handouts.CHROMIUM
CHROMIUM_ARGS = handouts.CHROMIUM_ARGS
VIEWPORT = handouts.VIEWPORT
LOCAL_SCHEMES = handouts.LOCAL_SCHEMES
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "build" / "screenshots"
# How long a JupyterLab server may take to answer (a cold start on a busy 2-core machine).
STARTUP_SECONDS = 180


def sync_playwright():
    """Return Playwright's ``sync_playwright``, or skip (fail on CI) when unavailable."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        problem = "playwright is not installed (pip install playwright)"
    if problem is None and not CHROMIUM.is_file():
        problem = f"{CHROMIUM} is missing (make browser installs Debian's chromium)"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    return start


def launch(playwright):
    """Start headless Chromium (the system one) with networking extras turned off."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# One Playwright and one browser for the whole test run: Playwright's sync API
# cannot run twice at once, so every test module shares these.
_SHARED = {}


def shared_browser():
    """Return the test run's Chromium, starting it on first use (stopped at exit)."""
    if "browser" not in _SHARED:
        playwright = sync_playwright()().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = launch(playwright)
        atexit.register(_stop_shared)
    return _SHARED["browser"]


def _stop_shared():
    _SHARED.pop("browser").close()
    _SHARED.pop("playwright").stop()


class NetworkLog:
    """Record what a browser context loads; block anything that would leave the machine.

    ``allowed`` are URL prefixes (besides local schemes) that may be loaded,
    e.g. a local server.
    """

    def __init__(self, context, allowed=()):
        self.allowed = tuple(allowed)
        self.requests = []
        self.failed = []
        self.errors = []
        self.console_errors = []
        self.bad_responses = []
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("requestfailed", self._failed)
        context.on("response", self._response)
        context.on("page", self.watch)
        context.route("**/*", self._route)

    def watch(self, page):
        """Record the uncaught JavaScript errors and the console errors of ``page``."""
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message):
        if message.type == "error":
            where = message.location.get("url", "")
            self.console_errors.append(f"{message.text[:300]} ({where[:120]})")

    def _response(self, response):
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.url[:200]}")

    def _failed(self, request):
        self.failed.append(f"{request.url[:200]} ({request.failure})")

    def _is_local(self, url):
        return url.startswith(LOCAL_SCHEMES + self.allowed)

    def _route(self, route):
        if self._is_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    @property
    def outside(self):
        """The requested URLs that are not local."""
        return [url[:200] for url in self.requests if not self._is_local(url)]


@contextlib.contextmanager
def course_server(tmp_path_factory, options=lambda root, state: []):
    """Run JupyterLab over a temporary copy of notebooks/ until the block ends.

    Started by :func:`annteach.tools.lab_server.start`, as ``make present`` starts it, with
    the command-line options ``options(root, state)`` added (``state`` is a folder for the
    server to write into). The server listens on a free port of 127.0.0.1 with a random
    token; Jupyter, IPython and matplotlib keep their state under ``state`` (the server's
    log too: ``state/jupyterlab.log``). Waits until it answers; stops it (and its kernels)
    by its process id at the end.

    Yields
    ------
    (root, port, token)
    """
    from annteach.tools import lab_server

    state = tmp_path_factory.mktemp("jupyter-state")
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    port, token = lab_server.free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    for name, folder in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
    ]:
        env[name] = str(state / folder)
    log = state / "jupyterlab.log"
    with log.open("w") as output:
        server = lab_server.start(root, port, token, options(root, state), env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        try:
            lab_server.wait_until_up(server, port, token, STARTUP_SECONDS)
        except RuntimeError as error:
            pytest.fail(f"{error}:\n{log.read_text()[-3000:]}")
        yield root, port, token
    finally:
        lab_server.stop(server)


@contextlib.contextmanager
def server_context(port):
    """A browser context that may talk to the server on ``port`` only: yields (context, network)."""
    allowed = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/")
    context = shared_browser().new_context(viewport=VIEWPORT)
    try:
        yield context, NetworkLog(context, allowed=allowed)
    finally:
        context.close()
