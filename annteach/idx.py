"""Reading and writing IDX files, the simple array format of the MNIST database.

An IDX file is a 4-byte header, one big-endian ``uint32`` per dimension, then
the array's values in C order, big-endian::

    0x00 0x00 <type code> <ndim>   <dim 0> ... <dim ndim-1>   <data>

The file may be gzip-compressed; :func:`read_idx` recognises gzip by its
first two bytes (``1f 8b``), whatever the file's name.

Everything that can be wrong with a file (a bad header, missing or extra
data, a broken gzip stream) is reported as a ``ValueError`` that names the
file. The data is read in bounded chunks, so a header that promises more than
the file holds never causes a large allocation.
"""

import contextlib
import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from .files import atomic_write

__all__ = ["IDX_DTYPES", "MAX_IDX_BYTES", "MAX_IDX_NDIM", "open_idx", "read_idx",
           "write_idx"]

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

#: Largest data size (bytes) accepted; the whole MNIST training set is 47 MB.
MAX_IDX_BYTES = 1 << 30

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 22  # bytes read at a time


def read_idx(path, *, digest=None):
    """Read an IDX file (plain or gzip-compressed) into a numpy array.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Gzip compression is detected from the content, not the name.
    digest : hashlib hash object, optional
        If given, ``digest.update`` is called with every byte of the
        (decompressed) file, header included, so a checksum costs no second
        read.

    Returns
    -------
    ndarray, shape (d0, d1, ...) as declared in the header
        A new, writable, native-endian array of the declared type (uint8,
        int8, int16, int32, float32 or float64).

    Raises
    ------
    ValueError
        If the file is not a valid IDX file (wrong magic, unknown type code,
        zero or too many dimensions, a zero dimension, more than
        ``MAX_IDX_BYTES`` of data, less or more data than the header
        declares) or its gzip stream is truncated or corrupt. The message
        names the file and the problem.
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    try:
        with open_idx(path) as stream:
            return _parse(stream, path, digest)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ValueError(f"{path}: corrupt or truncated gzip stream ({exc})") from exc


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
    """
    with open(path, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if compressed:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield stream
        else:
            yield raw


def _read_upto(stream, n, digest):
    """Read at most ``n`` bytes, ``_CHUNK`` at a time; fewer only at end of file."""
    chunks = []
    got = 0
    while got < n:
        chunk = stream.read(min(_CHUNK, n - got))
        if not chunk:
            break
        if digest is not None:
            digest.update(chunk)
        chunks.append(chunk)
        got += len(chunk)
    return bytearray().join(chunks)


def _parse(stream, path, digest):
    """Parse an IDX file from a binary stream; see :func:`read_idx`."""
    head = _read_upto(stream, 4, digest)
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
    dims_raw = _read_upto(stream, 4 * ndim, digest)
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
    if nbytes > MAX_IDX_BYTES:
        raise ValueError(
            f"{path}: the declared shape {shape} of {dtype.name} needs {nbytes} bytes, "
            f"more than the limit of {MAX_IDX_BYTES} bytes"
        )
    data = _read_upto(stream, nbytes, digest)
    if len(data) < nbytes:
        raise ValueError(
            f"{path}: truncated data: the header promises {nbytes} bytes for shape {shape}, "
            f"the file holds only {len(data)}"
        )
    extra = _read_upto(stream, 1, digest)
    if extra:
        raise ValueError(
            f"{path}: trailing bytes after the {nbytes} bytes of data declared for shape {shape}"
        )
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=not dtype.isnative)


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
        (or read back by :func:`read_idx`).
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
    body = np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()
    if path.suffix == ".gz":
        def write(raw):
            with gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as f:
                f.write(header + body)
    else:
        def write(f):
            f.write(header + body)
    atomic_write(path, write)
    return path

