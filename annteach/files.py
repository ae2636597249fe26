"""Writing a file so that a failed write never leaves half of it."""

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write"]


def atomic_write(path, write, text=False):
    """Write ``path`` through a temporary file beside it, renamed into place at the end.

    Parameters
    ----------
    path : str or os.PathLike
        The file to (re)write. Its folder must exist.
    write : callable
        Called once with the open temporary file; writes the content.
    text : bool, optional
        Open the temporary file in text mode (UTF-8) instead of binary mode.

    Notes
    -----
    If ``write`` raises, the temporary file is removed and ``path`` is left as
    it was. The new file gets the usual permissions (0666 less the umask),
    not the private mode of a fresh temporary file.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})) as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
