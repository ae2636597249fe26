"""Fuzzing read_idx with mutated IDX files, plain and gzip-compressed.

A seeded loop makes a few thousand files from valid ones (bit flips, truncations, extra
bytes, header edits, huge declared dimensions, wrong type codes, damaged gzip headers and
trailers, gzip bombs) and checks each against a decoder written here from the format
description and read_idx's documented limits: read_idx must return exactly the array that
decoder finds, or raise a ValueError naming the file when it finds none, and each read
must take under 1 s and 200 MB (numpy reports its buffers to tracemalloc, so the traced
peak includes the array).
"""

import gzip
import io
import math
import struct
import tracemalloc
import zlib

import numpy as np
from fuzz_support import measured

from annteach.idx import GZIP_RATIO_FLOOR, MAX_GZIP_RATIO, MAX_IDX_BYTES, read_idx

SEED = 1402
CASES = 1500

# The IDX type codes and their big-endian types, from the format description.
TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MIB = 1 << 20


def header(code, shape):
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def inflate(blob, at_most):
    """The first ``at_most`` bytes the gzip stream inflates to, or None if it is broken."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(blob)) as f:
            return f.read(at_most)
    except (OSError, EOFError, zlib.error):
        return None


def expected_array(blob):
    """What read_idx must return for a file holding ``blob``, or None if it must refuse it."""
    compressed = blob[:2] == b"\x1f\x8b"
    content = inflate(blob, 4 + 4 * 255) if compressed else blob
    if content is None or len(content) < 4 or content[:2] != b"\0\0":
        return None
    code, ndim = content[2], content[3]
    if code not in TYPES or not 1 <= ndim <= 8 or len(content) < 4 + 4 * ndim:
        return None
    shape = struct.unpack(f">{ndim}I", content[4:4 + 4 * ndim])
    dtype = np.dtype(TYPES[code])
    nbytes = dtype.itemsize * math.prod(shape)
    if 0 in shape or nbytes > MAX_IDX_BYTES:
        return None
    if compressed:
        if nbytes > max(GZIP_RATIO_FLOOR, MAX_GZIP_RATIO * len(blob)):
            return None  # the documented cap on what a gzip file may declare
        content = inflate(blob, 4 + 4 * ndim + nbytes + 1)
        if content is None:
            return None
    if len(content) != 4 + 4 * ndim + nbytes:
        return None
    return np.frombuffer(content, dtype, offset=4 + 4 * ndim).reshape(shape)


def valid_files(rng):
    """Valid IDX contents of every type, one to four dimensions."""
    files = []
    for code, name in TYPES.items():
        for ndim in (1, 2, 3, 4):
            shape = tuple(int(d) for d in rng.integers(1, 7, ndim))
            n = math.prod(shape) * np.dtype(name).itemsize
            files.append(header(code, shape) + rng.integers(0, 256, n, np.uint8).tobytes())
    return files


def zeros_members(n):
    """``n`` MiB of zeros as n gzip members of about 1 KB each."""
    return gzip.compress(bytes(MIB), mtime=0) * n


def bombs():
    """Gzip files that inflate far beyond their size, with honest or lying headers."""
    out = []
    for declared_mib, present_mib in ((128, 128), (200, 128), (64, 8), (15, 15), (8, 1)):
        head = header(0x08, [declared_mib * MIB])
        first = gzip.compress(head + bytes(MIB - len(head)), mtime=0)
        out.append(first + zeros_members(present_mib - 1) + gzip.compress(b"\0" * len(head)))
    return out


def flip_bits(rng, data, lo=0):
    if len(data) <= lo:
        return data
    data = bytearray(data)
    for _ in range(int(rng.integers(1, 5))):
        i = int(rng.integers(lo, len(data)))
        data[i] ^= 1 << int(rng.integers(0, 8))
    return bytes(data)


def edit_header(rng, content):
    """Rewrite one header field: the type code, the number of dimensions or a dimension."""
    data = bytearray(content.ljust(8, b"\0"))
    field = rng.integers(0, 3)
    if field == 0:
        data[2] = int(rng.choice([0x00, 0x07, 0x0A, 0x0F, 0xFF, int(rng.integers(0, 256))]))
    elif field == 1:
        data[3] = int(rng.choice([0, 1, 2, 8, 9, 255, int(rng.integers(0, 16))]))
    else:
        ndim = max(1, min(data[3], (len(data) - 4) // 4))
        i = 4 + 4 * int(rng.integers(0, ndim))
        itemsize = np.dtype(TYPES.get(data[2], ">u1")).itemsize
        value = int(rng.choice([
            0, 1, 2**31, 2**32 - 1, int(rng.integers(0, 2**32)),
            MAX_IDX_BYTES // itemsize, MAX_IDX_BYTES // itemsize + 1,
            GZIP_RATIO_FLOOR // itemsize, GZIP_RATIO_FLOOR // itemsize + 1,
        ]))
        data[i:i + 4] = value.to_bytes(4, "big")
    return bytes(data)


def mutate_content(rng, content):
    kind = rng.integers(0, 6)
    if kind == 0:
        return flip_bits(rng, content)
    if kind == 1:
        return content[: int(rng.integers(0, len(content) + 1))]
    if kind == 2:
        return content + rng.integers(0, 256, int(rng.integers(1, 17)), np.uint8).tobytes()
    if kind == 3:  # huge declared dimensions over the real data
        ndim = int(rng.integers(1, 9))
        dims = rng.integers(2**16, 2**32, ndim, dtype=np.uint64)
        return header(int(rng.choice(list(TYPES))), dims.tolist()) + content[4:]
    return edit_header(rng, content)


def mutate_gzip(rng, blob):
    kind = rng.integers(0, 6)
    if kind == 0:
        return flip_bits(rng, blob)
    if kind == 1:
        return flip_bits(rng, blob[:10]) + blob[10:]  # the gzip header
    if kind == 2:
        return blob[:-8] + flip_bits(rng, blob[-8:])  # the CRC and length
    if kind == 3:
        return blob[: int(rng.integers(2, len(blob)))]
    if kind == 4:
        return blob + rng.integers(0, 256, int(rng.integers(1, 9)), np.uint8).tobytes()
    return blob + gzip.compress(rng.integers(0, 256, 5, np.uint8).tobytes())


def cases(rng):
    files = valid_files(rng)
    for blob in bombs():
        yield blob
        yield flip_bits(rng, blob, lo=len(blob) // 2)
    for i in range(CASES):
        content = files[i % len(files)]
        for _ in range(int(rng.integers(0, 3))):
            content = mutate_content(rng, content)
        if rng.random() < 0.5:
            yield content
        else:
            blob = gzip.compress(content, compresslevel=int(rng.integers(1, 10)), mtime=0)
            yield mutate_gzip(rng, blob) if rng.random() < 0.6 else blob


def test_mutated_files_give_the_right_array_or_a_named_error(tmp_path):
    rng = np.random.default_rng(SEED)
    problems, n_arrays, n_errors = [], 0, 0
    tracemalloc.start()
    try:
        for i, blob in enumerate(cases(rng)):
            path = tmp_path / f"case{i}.idx"
            path.write_bytes(blob)
            expected = expected_array(blob)
            outcome, problem = measured(lambda: read_idx(path), ValueError)  # noqa: B023
            path.unlink()
            if problem:
                problems.append(f"case {i}: {problem}")
                if outcome is None:
                    continue
            if expected is None:
                n_errors += 1
                if not isinstance(outcome, ValueError) or str(path) not in str(outcome):
                    problems.append(f"case {i}: expected a ValueError naming the file: {outcome!r}")
            else:
                n_arrays += 1
                if isinstance(outcome, ValueError):
                    problems.append(f"case {i}: refused a valid file: {outcome}")
                elif not (outcome.dtype == expected.dtype.newbyteorder("=")
                          and outcome.dtype.isnative and outcome.shape == expected.shape
                          and outcome.tobytes() == expected.astype(outcome.dtype).tobytes()):
                    problems.append(f"case {i}: wrong array {outcome.dtype} {outcome.shape}")
    finally:
        tracemalloc.stop()
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:10])
    # The mutations must exercise both outcomes, or the loop proves little.
    assert n_arrays > 150 and n_errors > 900, (n_arrays, n_errors)
