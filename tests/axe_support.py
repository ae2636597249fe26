"""axe-core in the browser tests: the accessibility rules of WCAG 2.1 A and AA.

axe-core is pinned in ``slides/package.json`` (``npm ci --prefix slides`` installs it); its
script is injected into a page opened by Playwright and run there (decks are walked slide
by slide in ``test_accessibility_browser``).
"""

import pytest
from browser_support import ROOT

AXE_SCRIPT = ROOT / "slides" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Runs axe on the document; returns the violations in a compact form.
RUN_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary,
                              html: n.html.slice(0, 160)}))}));
}"""

def inject_axe(page):
    """Load the pinned axe-core into ``page``; fail clearly when it is not installed."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci --prefix slides`")
    page.add_script_tag(path=str(AXE_SCRIPT))


def axe_page(page, tags=WCAG_TAGS):
    """The WCAG violations of the document open in ``page``.

    Returns
    -------
    list of dict
        One per violated rule: ``id``, ``impact``, ``help`` and ``nodes`` (each with the
        CSS ``target``, a failure ``summary`` and the start of its ``html``).
    """
    inject_axe(page)
    return page.evaluate(RUN_JS, list(tags))


def summarize(violations):
    """``{rule id: number of failing elements}`` of a list of violations."""
    return {v["id"]: len(v["nodes"]) for v in violations}
