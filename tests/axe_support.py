"""axe-core in the browser tests: the accessibility rules of WCAG 2.1 A and AA.

axe-core is pinned in ``slides/package.json`` (``npm ci --prefix slides`` installs it); its
script is injected into a page opened by Playwright and run there. A deck is checked slide
by slide: each slide is shown in turn (with all its fragments) and the whole document is
checked, so what reveal.js hides is skipped and what it shows (the slide, the controls, the
slide number) is checked as the audience sees it.
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

# Number of slides, and a function to show slide k with all its fragments.
SLIDES_JS = """() => {
  const slides = Reveal.getSlides();
  return slides.map(s => { const i = Reveal.getIndices(s); return [i.h, i.v || 0]; });
}"""
SHOW_JS = """async ([h, v]) => {
  Reveal.slide(h, v);
  while (Reveal.nextFragment()) {}
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const heading = Reveal.getCurrentSlide().querySelector('h1, h2, h3');
  return heading ? heading.textContent.replace('¶', '').trim() : '';
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


def axe_deck(page, tags=WCAG_TAGS):
    """The WCAG violations of every slide of the reveal.js deck open in ``page``.

    Returns
    -------
    list of dict
        One per slide: ``where`` (``"h.v"``, both from 1), ``heading`` and ``violations``
        (as :func:`axe_page` returns them).
    """
    inject_axe(page)
    found = []
    for h, v in page.evaluate(SLIDES_JS):
        heading = page.evaluate(SHOW_JS, [h, v])
        found.append({"where": f"{h + 1}.{v + 1}", "heading": heading,
                      "violations": page.evaluate(RUN_JS, list(tags))})
    page.evaluate("Reveal.slide(0, 0)")
    return found


def summarize(violations):
    """``{rule id: number of failing elements}`` of a list of violations."""
    return {v["id"]: len(v["nodes"]) for v in violations}
