"""Shared test settings: a non-interactive matplotlib backend; the browser tests' Chromium
and the lecture decks and pages, built once per test run."""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def browser():
    """The test run's headless Chromium (see browser_support)."""
    from browser_support import shared_browser

    return shared_browser()


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build decks and pages lazily, once per notebook, into a temporary folder:
    ``built(notebook) -> (deck, page)``."""
    from annteach.tools import decks

    out = tmp_path_factory.mktemp("course")
    cache = {}

    def build(notebook):
        if notebook not in cache:
            cache[notebook] = (
                decks.build_deck(notebook, out / "slides"),
                decks.build_html(notebook, out / "html"),
            )
        return cache[notebook]

    return build


def pytest_collection_modifyitems(items):
    """A test given the browser fixture drives Chromium: it must say so with the browser mark,
    or a run of the unit tests alone (``-m "not browser and not roundtrip"``) would start it."""
    unmarked = [item.nodeid for item in items
                if "browser" in getattr(item, "fixturenames", ())
                and item.get_closest_marker("browser") is None]
    if unmarked:
        raise pytest.UsageError("tests using the browser fixture without @pytest.mark.browser: "
                                + ", ".join(unmarked))
