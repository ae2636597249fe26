"""The one rule of every plot helper: draw into the given axes, or a new figure's."""

import matplotlib.pyplot as plt


def get_ax(ax, figsize):
    """``ax`` itself, or the axes of a new figure of ``figsize`` inches when it is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax
