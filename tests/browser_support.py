"""Shared helpers for the browser tests: Debian's Chromium driven by Playwright.

The browser is the system one (``apt-get install chromium``, done by
``make browser``); Playwright never downloads its own.
"""

import atexit
import os
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
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("requestfailed", self._failed)
        context.on("page", self.watch)
        context.route("**/*", self._route)

    def watch(self, page):
        """Record the uncaught JavaScript errors of ``page``."""
        page.on("pageerror", lambda error: self.errors.append(str(error)))

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
