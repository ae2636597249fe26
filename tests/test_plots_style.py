"""The course style: sizes and type for a 1280x720 slide, the figure display with alt text."""

import base64

import matplotlib
import matplotlib.pyplot as plt
import pytest

from annteach.plots import alt, style


@pytest.fixture(autouse=True)
def _restore_rc():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def test_text_height_arithmetic():
    # 12 pt at 72 dpi is 12 px; at 100 dpi 16.67 px; reveal's 1/1.04 scale shrinks that
    assert style.text_height_px(12, dpi=72, scale=1) == pytest.approx(12)
    assert style.text_height_px(12, dpi=100, scale=1) == pytest.approx(16.6667, abs=1e-4)
    assert style.text_height_px(12, dpi=100) == pytest.approx(16.0256, abs=1e-4)
    with pytest.raises(ValueError, match="positive"):
        style.text_height_px(12, dpi=0)


def test_every_course_font_is_readable_on_the_slide():
    sizes = [*style.FONT_PT.values(), style.MIN_FONT_PT]
    for size in sizes:
        assert style.text_height_px(size) >= style.MIN_TEXT_PX, size
    for key in ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
                "ytick.labelsize", "legend.fontsize"):
        assert style.COURSE_RC[key] >= style.MIN_FONT_PT, key
    # matplotlib's default (10 pt) is not
    assert style.text_height_px(10) < style.MIN_TEXT_PX


@pytest.mark.parametrize("kind", sorted(style.FIGSIZE))
def test_course_figure_sizes_fill_the_slide(kind):
    width, height = (inches * style.DPI * style.REVEAL_SCALE for inches in style.FIGSIZE[kind])
    screen_w, screen_h = (n * style.REVEAL_SCALE for n in (style.SLIDE_WIDTH, style.SLIDE_HEIGHT))
    assert width >= 0.6 * screen_w or height >= 0.6 * screen_h
    # and the figure fits the slide with a heading above it (about 90 px)
    assert width <= screen_w and height + 90 <= screen_h


def test_use_course_style_sets_rc_outside_ipython():
    rc = style.use_course_style(shell=None)
    assert matplotlib.rcParams["font.size"] == style.FONT_PT["base"] == rc["font.size"]
    assert matplotlib.rcParams["figure.dpi"] == style.DPI


def test_smallest_font_counts_tick_labels_and_annotations():
    with style.course_style():
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        assert style.smallest_font_pt(fig) == style.FONT_PT["tick"]
        ax.text(0.5, 0.5, "small", fontsize=9)
        ax.text(0.5, 0.2, "", fontsize=5)  # empty text does not count
        assert style.smallest_font_pt(fig) == 9


def test_figure_png_is_retina_with_alt_and_font_metadata():
    with style.course_style():
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [1, 0])
        alt.describe(ax, "A falling line.")
        data, metadata = style.figure_png(fig)
    png = base64.b64decode(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") // 2 == metadata["width"]
    assert 380 <= metadata["width"] <= 420 and 280 <= metadata["height"] <= 320
    assert metadata["alt"] == "A falling line."
    assert metadata["annteach"]["font_pt"] == style.FONT_PT["tick"]
    assert metadata["annteach"]["font_px"] == pytest.approx(style.FONT_PT["tick"] / 72 * 100,
                                                            abs=1e-3)


def test_ipython_shows_figures_with_their_alt_text():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        style.use_course_style(shell)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        alt.describe(fig, "The whole figure.")
        data, metadata = shell.display_formatter.format(fig)
        assert set(data) == {"text/plain", "image/png"}
        assert metadata["image/png"]["alt"] == "The whole figure."
        assert metadata["image/png"]["annteach"]["dpi"] == style.DPI
    finally:
        InteractiveShell.clear_instance()


def test_figure_size_names():
    assert style.figsize("wide") == style.FIGSIZE["wide"]
    with pytest.raises(ValueError, match="unknown figure size"):
        style.figsize("huge")
