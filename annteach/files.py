"""Reading and writing files safely: regular files only, bounded reads, whole writes."""

import glob
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "open_regular", "read_regular", "replace_folder", "write_temporary"]

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

# What a path that is not a regular file is, for the error message.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO or pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path, why="only regular files are read"):
    """Open ``path`` for binary reading if it is a regular file, else raise ValueError.

    The type is checked before opening (opening a FIFO waits for a writer) and
    again on the open file, in case the path was replaced in between; the file
    is opened non-blocking so that even then nothing waits.

    Parameters
    ----------
    path : str or os.PathLike
    why : str, optional
        Said after the reason in the error message.

    Returns
    -------
    file object
        Open in binary mode, blocking.

    Raises
    ------
    ValueError
        ``"<path>: a FIFO or pipe, not a regular file; <why>"`` (or a directory,
        a device, a socket), or for a path with a null byte.
    OSError
        If the file cannot be opened (``FileNotFoundError`` if it does not exist).
    """
    try:
        mode = os.stat(path).st_mode
    except ValueError as exc:  # an embedded null byte
        raise ValueError(f"{path!r}: not a valid path ({exc})") from None
    _check_regular(path, mode, why)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    try:
        _check_regular(path, os.fstat(fd).st_mode, why)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_regular(path, mode, why):
    if not stat.S_ISREG(mode):
        kind = next((name for is_kind, name in _KINDS if is_kind(mode)), "a special file")
        raise ValueError(f"{path}: {kind}, not a regular file; {why}")


def read_regular(path, max_bytes, what="file"):
    """All bytes of a regular file of at most ``max_bytes`` bytes.

    Parameters
    ----------
    path : str or os.PathLike
    max_bytes : int
        Larger files are refused before anything is read.
    what : str, optional
        What the file is, for the error message.

    Returns
    -------
    bytes

    Raises
    ------
    ValueError
        If ``path`` is not a regular file (see :func:`open_regular`) or holds
        more than ``max_bytes`` bytes (also if it grows while being read).
    OSError
        If it cannot be opened or read.
    """
    with open_regular(path, f"a {what} is read from a file only") as f:
        size = os.fstat(f.fileno()).st_size
        data = f.read(max_bytes + 1) if size <= max_bytes else b""
    if size > max_bytes or len(data) > max_bytes:
        raise ValueError(f"{path}: {max(size, len(data))} bytes, more than the "
                         f"{max_bytes} bytes a {what} may have")
    return data


def write_temporary(path, write, text=False, like=None):
    """Write a new file beside ``path`` under a temporary name, for renaming into place.

    Parameters
    ----------
    path : str or os.PathLike
        The file the content is for. Its folder must exist.
    write : callable
        Called once with the open temporary file; writes the content.
    text : bool, optional
        Open the temporary file in text mode (UTF-8) instead of binary mode.
    like : os.stat_result, optional
        The file being replaced: the new one gets its mode (and, where
        allowed, its owner and group).

    Returns
    -------
    pathlib.Path
        The temporary file, ``.<name>.<pid>-<random>.tmp`` in the folder of
        ``path``, complete and closed, with the mode of ``like`` or else the
        usual permissions (0666 less the umask), not the private mode of a
        fresh temporary file. If ``write`` raises, it is removed.

    Notes
    -----
    Temporary files (and folders, see :func:`replace_folder`) for ``path`` that
    a process killed while writing them left behind (their process id names no
    running process) are removed first.
    """
    path = Path(path)
    _remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}-",
                               suffix=".tmp")
    try:
        if like is None:
            mask = os.umask(0)
            os.umask(mask)
            os.fchmod(fd, 0o666 & ~mask)
        else:
            os.fchmod(fd, stat.S_IMODE(like.st_mode))
            try:
                os.fchown(fd, like.st_uid, like.st_gid)
            except OSError:  # not ours to give away: keep our own
                pass
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})) as f:
            write(f)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _remove_stale_temporaries(path):
    if os.name != "posix":  # os.kill(pid, 0) tests for a process on POSIX only
        return
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)-\w+\.tmp")
    for other in path.parent.glob(f".{glob.escape(path.name)}.*-*.tmp"):
        match = pattern.fullmatch(other.name)
        if match and not _running(int(match[1])):
            if other.is_dir() and not other.is_symlink():
                shutil.rmtree(other, ignore_errors=True)
            else:
                other.unlink(missing_ok=True)


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to someone else
        return True
    return True


def atomic_write(path, write, text=False):
    """Write ``path`` through a temporary file beside it, renamed into place at the end.

    Parameters
    ----------
    path : str or os.PathLike
        The file to (re)write. Its folder must exist. A symbolic link is
        written through: the file it names gets the new content, and the link
        stays.
    write : callable
        Called once with the open temporary file; writes the content.
    text : bool, optional
        Open the temporary file in text mode (UTF-8) instead of binary mode.

    Notes
    -----
    If ``write`` raises, the temporary file is removed and ``path`` is left as
    it was. A file that exists keeps its mode (a private 0600 file stays
    private); a new one gets the usual permissions (0666 less the umask), not
    the private mode of a fresh temporary file. Other hard links to the old
    file keep the old content.
    """
    path = Path(os.path.realpath(path))
    try:
        like = os.stat(path)
    except FileNotFoundError:
        like = None
    tmp = write_temporary(path, write, text, like=like)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_folder(path, write):
    """Write the folder ``path`` anew: fill a temporary folder beside it, then swap it in.

    Parameters
    ----------
    path : str or os.PathLike
        The folder to (re)write; its parent folders are created if missing. A
        symbolic link is followed: the folder it names is replaced.
    write : callable
        Called once with the empty temporary folder (a ``pathlib.Path``);
        writes the whole new content there.

    Notes
    -----
    If ``write`` raises, or the process is killed while it runs, ``path`` is
    left as it was (a killed run's temporary folder is removed by the next
    run). The swap is two renames: the old folder moves to a temporary name
    beside it, the new one into place, and then the old one is deleted. The
    new folder gets the old one's mode, or the usual permissions (0777 less the
    umask) for a new folder, not the private mode of a fresh temporary folder.
    """
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    prefix, suffix = f".{path.name}.{os.getpid()}-", ".tmp"
    new = Path(tempfile.mkdtemp(dir=path.parent, prefix=prefix, suffix=suffix))
    try:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o777 & ~mask
        os.chmod(new, mode)
        write(new)
        if not path.exists():
            os.rename(new, path)
            return
        old = Path(tempfile.mkdtemp(dir=path.parent, prefix=prefix, suffix=suffix))
        try:
            os.rename(path, old)  # onto the empty folder just made: a name nobody else has
        except BaseException:
            old.rmdir()
            raise
        try:
            os.rename(new, path)
        except BaseException:
            os.rename(old, path)
            raise
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
