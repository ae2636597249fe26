"""Plot helpers for the lecture notebooks (matplotlib, imported on first use).

Every helper takes ``ax=None`` (a new figure is made when it is None),
returns what it drew (the artists, or the axes for composite figures) and
never calls ``plt.show()``. Each topic has its own module; the names are
re-exported here so notebooks can write ``at.plots.NAME``.
"""
