"""A small lecture notebook made in the course style, for testing the build machinery.

Its figures are drawn with the course style and carry the display metadata the course's
IPython formatter writes (:func:`annteach.plots.figure_png`): alt text and font size.
"""

import nbformat
import numpy as np

SAMPLE_TITLES = ["1. Sample lecture", "A wide figure", "The four samples", "Plain words"]
SAMPLE_NOTES = ["Say hello first.", "Point at the peak of the curve."]


def _cell(kind, source, slide_type, tags=()):
    make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
    cell = make(source)
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _figure_output(fig):
    from annteach.plots import figure_png

    data, metadata = figure_png(fig)
    w, h = (round(v * fig.dpi) for v in fig.get_size_inches())
    return nbformat.v4.new_output(
        "display_data",
        data={"image/png": data, "text/plain": f"<Figure size {w}x{h} with {len(fig.axes)} Axes>"},
        metadata={"image/png": metadata},
    )


def styled_notebook(path):
    """Write the sample notebook to ``path`` and return it (4 slides, 2 figures, 2 notes)."""
    import matplotlib.pyplot as plt

    import annteach as at

    with at.plots.course_style():
        fig, ax = plt.subplots(figsize=at.plots.FIGSIZE["wide"])
        a = np.linspace(-5, 5, 201)
        ax.plot(a, np.exp(-a**2), label="bump")
        ax.set_xlabel("$a$")
        ax.set_ylabel("$g(a)$")
        ax.legend()
        at.plots.describe(ax, "A bell-shaped curve with its peak of 1 at a = 0.")
        wide = _figure_output(fig)
        scatter = at.plots.plot_xor_data()
        square = _figure_output(scatter[0].figure)
        plt.close("all")
    plot_cell = _cell("code", "plt.plot(a, np.exp(-a**2))\nplt.show()", "-", tags=["hide-input"])
    plot_cell.outputs = [wide]
    xor_cell = _cell("code", "at.plots.plot_xor_data()\nplt.show()", "-", tags=["hide-input"])
    xor_cell.outputs = [square]
    nb = nbformat.v4.new_notebook(
        cells=[
            _cell("md", f"# {SAMPLE_TITLES[0]}", "slide"),
            _cell("code", "import annteach as at", "skip"),
            _cell("md", SAMPLE_NOTES[0], "notes"),
            _cell("md", f"## {SAMPLE_TITLES[1]}", "slide"),
            plot_cell,
            _cell("md", SAMPLE_NOTES[1], "notes"),
            _cell("md", f"### {SAMPLE_TITLES[2]}", "subslide"),
            xor_cell,
            _cell("md", f"## {SAMPLE_TITLES[3]}\n\nA slide with text and $x^2$ only.", "slide"),
            _cell("md", "with a fragment", "fragment"),
        ],
        metadata={"rise": {"theme": "white", "scroll": True, "slideNumber": True},
                  "language_info": {"name": "python"}},
    )
    nbformat.write(nb, path)
    return path
