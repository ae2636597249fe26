"""Reading and writing IDX files, the simple array format of the MNIST database.

An IDX file is a 4-byte header, one big-endian ``uint32`` per dimension, then
the array's values in C order, big-endian::

    0x00 0x00 <type code> <ndim>   <dim 0> ... <dim ndim-1>   <data>

The file may be gzip-compressed; :func:`read_idx` recognises gzip by its
first two bytes (``1f 8b``), whatever the file's name.

Everything that can be wrong with a file (a bad header, missing or extra
data, a broken gzip stream, a path that is not a regular file) is reported as
a ``ValueError`` that names the file; a file that cannot be opened raises the
usual ``OSError`` (``FileNotFoundError``, ``PermissionError``).

What a read may cost is bounded before anything is allocated. The data goes
into one buffer of the size the header declares, and a header may declare:

- at most ``MAX_IDX_BYTES`` (256 MiB, over five times the largest MNIST file,
  47 MB), or the ``max_bytes`` passed to :func:`read_idx`;
- in a plain file, exactly what the file holds after the header;
- in a gzip file of ``s`` bytes, at most ``max(GZIP_RATIO_FLOOR,
  MAX_GZIP_RATIO * s)``, that is 64 times its size or 16 MiB. Deflate can
  inflate about 1000-fold, so without this a 1 MB file could make the reader
  allocate and inflate 1 GB; real data compresses far less (the MNIST files
  2- to 5-fold). :func:`write_idx` refuses to write a gzip file that breaks
  this rule, so everything it writes reads back.
"""

import contextlib
import gzip
import io
import math
import os
import zlib
from pathlib import Path

import numpy as np

from .files import atomic_write, open_regular

__all__ = ["GZIP_RATIO_FLOOR", "IDX_DTYPES", "MAX_GZIP_RATIO", "MAX_IDX_BYTES", "MAX_IDX_NDIM",
           "open_idx", "read_idx", "write_idx"]

#: IDX type code -> numpy dtype of the values as stored in the file (big-endian).
IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

#: Largest number of dimensions accepted.
MAX_IDX_NDIM = 8

#: Largest data size (bytes) accepted by default: 256 MiB, over five times the
#: largest MNIST file (the training images, 47 MB).
MAX_IDX_BYTES = 1 << 28

#: A gzip-compressed file may declare at most this many times its own size in data ...
MAX_GZIP_RATIO = 64

#: ... or this many bytes, whichever is more (small files of zeros compress further).
GZIP_RATIO_FLOOR = 1 << 24

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 18  # bytes read (and, from gzip, inflated) at a time

def read_idx(path, *, digest=None, max_bytes=MAX_IDX_BYTES):
    """Read an IDX file (plain or gzip-compressed) into a numpy array.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Gzip compression is detected from the content, not the name.
    digest : hashlib hash object, optional
        If given, ``digest.update`` is called with every byte of the
        (decompressed) file, header included, so a checksum costs no second
        read.
    max_bytes : int, default MAX_IDX_BYTES
        Most bytes of data the header may declare.

    Returns
    -------
    ndarray, shape (d0, d1, ...) as declared in the header
        A new, writable, native-endian array of the declared type (uint8,
        int8, int16, int32, float32 or float64).

    Raises
    ------
    ValueError
        If the path is not a regular file (a directory, FIFO, pipe or
        device), or the file is not a valid IDX file (wrong magic, unknown
        type code, zero or too many dimensions, a zero dimension, more than
        ``max_bytes`` of data, less or more data than the header declares, a
        gzip file declaring more than ``MAX_GZIP_RATIO`` times its size and
        more than ``GZIP_RATIO_FLOOR``), or its gzip stream is truncated or
        corrupt. The message names the file and the problem.
    OSError
        If the file cannot be opened (``FileNotFoundError`` if it does not
        exist).
    """
    path = Path(path)
    with _open(path) as (stream, size, compressed):
        return _parse(stream, path, size, compressed, digest, max_bytes)


@contextlib.contextmanager
def open_idx(path):
    """Open an IDX file for reading its raw bytes, decompressing it if needed.

    Gzip compression is detected from the content, not the name, as in
    :func:`read_idx`.

    Parameters
    ----------
    path : str or os.PathLike

    Yields
    ------
    file object
        A binary stream of the (decompressed) IDX bytes, header first.

    Raises
    ------
    ValueError
        If the path is not a regular file, or (while reading) the gzip stream
        turns out truncated or corrupt; the message names the file.
    OSError
        If the file cannot be opened (``FileNotFoundError`` if it does not
        exist).
    """
    with _open(path) as (stream, _, _):
        yield stream


@contextlib.contextmanager
def _open(path):
    """Yield (stream, size on disk, compressed?) for a regular file; see :func:`open_idx`."""
    with open_regular(path, "IDX data is read from files only") as raw:
        size = os.fstat(raw.fileno()).st_size
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not compressed:
            yield raw, size, False
            return
        with gzip.GzipFile(fileobj=raw, mode="rb") as inflating, \
                io.BufferedReader(_GzipStream(inflating, path)) as stream:
            yield stream, size, True


class _GzipStream(io.RawIOBase):
    """The inflated bytes of a gzip file, with the gzip layer's errors as ValueError naming it."""

    def __init__(self, inflating, path):
        self._inflating = inflating
        self._path = path

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            return self._inflating.readinto(buffer)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise ValueError(f"{self._path}: corrupt or truncated gzip stream ({exc})") from exc


def _gzip_limit(size):
    """Most bytes of data a gzip file of ``size`` bytes may declare."""
    return max(GZIP_RATIO_FLOOR, MAX_GZIP_RATIO * size)


def _read_into(stream, view, digest):
    """Fill ``view`` from ``stream``, ``_CHUNK`` bytes at a time; return how many bytes came."""
    got = 0
    while got < len(view):
        n = stream.readinto(view[got:got + _CHUNK])
        if not n:
            break
        if digest is not None:
            digest.update(view[got:got + n])
        got += n
    return got


def _read_small(stream, n, digest):
    """Up to ``n`` bytes (a header); fewer only at the end of the file."""
    buffer = bytearray(n)
    return buffer[:_read_into(stream, memoryview(buffer), digest)]


def _parse(stream, path, size, compressed, digest, max_bytes):
    """Parse an IDX file from a binary stream; see :func:`read_idx`."""
    head = _read_small(stream, 4, digest)
    if len(head) < 4:
        raise ValueError(
            f"{path}: not an IDX file: the header is truncated ({len(head)} of 4 bytes)"
        )
    if head[0] != 0 or head[1] != 0:
        raise ValueError(
            f"{path}: not an IDX file: wrong magic, the first two bytes must be zero, "
            f"found {bytes(head[:2]).hex(' ')}"
        )
    code, ndim = head[2], head[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X} (known: {known})")
    if not 1 <= ndim <= MAX_IDX_NDIM:
        raise ValueError(
            f"{path}: unsupported number of dimensions {ndim} (must be 1 to {MAX_IDX_NDIM})"
        )
    dims_raw = _read_small(stream, 4 * ndim, digest)
    if len(dims_raw) < 4 * ndim:
        raise ValueError(
            f"{path}: the header is truncated: {ndim} dimensions need {4 * ndim} bytes, "
            f"found {len(dims_raw)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(dims_raw, dtype=">u4"))
    if 0 in shape:
        raise ValueError(f"{path}: a dimension is zero in the declared shape {shape}")
    dtype = IDX_DTYPES[code]
    nbytes = dtype.itemsize * math.prod(shape)
    declared = f"the declared shape {shape} of {dtype.name} needs {nbytes} bytes"
    if nbytes > max_bytes:
        raise ValueError(f"{path}: {declared}, more than the limit of {max_bytes} bytes")
    held = size - 4 - 4 * ndim  # what a plain file holds after its header
    if compressed and nbytes > _gzip_limit(size):
        raise ValueError(
            f"{path}: {declared}, but a gzip file of {size} bytes may declare at most "
            f"{_gzip_limit(size)} ({MAX_GZIP_RATIO} times its size, or {GZIP_RATIO_FLOOR} "
            f"bytes); refused as a possible gzip bomb. Store data that compresses this well "
            f"uncompressed."
        )
    if not compressed and held < nbytes:
        _truncated(path, nbytes, shape, held)
    if not compressed and held > nbytes:
        _trailing(path, nbytes, shape)
    data = np.empty(nbytes, dtype=np.uint8)
    got = _read_into(stream, memoryview(data), digest)
    if got < nbytes:
        _truncated(path, nbytes, shape, got)
    if _read_small(stream, 1, digest):
        _trailing(path, nbytes, shape)
    array = data.view(dtype)
    if not dtype.isnative:  # swap to native byte order in place, no second copy
        array = array.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return array.reshape(shape)


def _truncated(path, nbytes, shape, held):
    raise ValueError(
        f"{path}: truncated data: the header promises {nbytes} bytes for shape {shape}, "
        f"the file holds only {held}"
    )


def _trailing(path, nbytes, shape):
    raise ValueError(
        f"{path}: trailing bytes after the {nbytes} bytes of data declared for shape {shape}"
    )


def write_idx(path, array):
    """Write an array to an IDX file, gzip-compressed if the name ends in ``.gz``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create (or overwrite).
    array : array_like, shape (d0, d1, ...)
        1 to ``MAX_IDX_NDIM`` dimensions, none of them zero, of type uint8,
        int8, int16, int32, float32 or float64 (any byte order).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If the array's type, number of dimensions or shape cannot be stored
        (or read back by :func:`read_idx`: more than ``MAX_IDX_BYTES`` of
        data, or a ``.gz`` file that compresses more than ``MAX_GZIP_RATIO``
        to 1 and holds more than ``GZIP_RATIO_FLOOR`` bytes). Nothing is
        written then.
    """
    path = Path(path)
    array = np.asarray(array)
    native = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    code = native.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"{path}: cannot store dtype {array.dtype} in an IDX file")
    if not 1 <= array.ndim <= MAX_IDX_NDIM:
        raise ValueError(f"{path}: cannot store {array.ndim} dimensions (1 to {MAX_IDX_NDIM})")
    if 0 in array.shape:
        raise ValueError(f"{path}: cannot store an empty array of shape {array.shape}")
    if array.nbytes > MAX_IDX_BYTES:
        raise ValueError(f"{path}: {array.nbytes} bytes exceed the limit of {MAX_IDX_BYTES}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    body = np.ascontiguousarray(array, dtype=IDX_DTYPES[code])
    if path.suffix == ".gz":
        def write(raw):
            with gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as f:
                f.write(header)
                f.write(body.data.cast("B"))
            if body.nbytes > _gzip_limit(raw.tell()):
                raise ValueError(
                    f"{path}: {body.nbytes} bytes of data compress to {raw.tell()}, more than "
                    f"{MAX_GZIP_RATIO}-fold, so read_idx would refuse the file as a possible "
                    f"gzip bomb; write it uncompressed (a name without .gz)"
                )
    else:
        def write(f):
            f.write(header)
            f.write(body.data.cast("B"))
    atomic_write(path, write)
    return path

