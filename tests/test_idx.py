"""Tests for annteach.idx: IDX round trips, the format itself, and every kind of bad file."""

import gzip
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from annteach.idx import (
    IDX_DTYPES,
    MAX_IDX_BYTES,
    MAX_IDX_NDIM,
    open_idx,
    read_idx,
    write_idx,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "mnist"

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def header(code, shape):
    """An IDX header written out by hand from the format description."""
    out = bytes([0, 0, code, len(shape)])
    for d in shape:
        out += int(d).to_bytes(4, "big")
    return out


def write_bytes(path, content, compress=False):
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


# --- reading what the format says ------------------------------------------------------


def test_reads_hand_made_int16_file_big_endian(tmp_path):
    # 0x0102 = 258 and 0xfffe = -2 as big-endian int16.
    path = write_bytes(tmp_path / "a.idx", header(0x0B, [2]) + b"\x01\x02\xff\xfe")
    a = read_idx(path)
    assert a.dtype == np.int16 and a.dtype.isnative
    np.testing.assert_array_equal(a, [258, -2])


def test_reads_hand_made_float64_matrix(tmp_path):
    values = np.array([[1.5, -2.0, 3.25], [0.0, 1e300, -7.0]])
    content = header(0x0E, [2, 3]) + values.astype(">f8").tobytes()
    a = read_idx(write_bytes(tmp_path / "m.idx", content))
    assert a.dtype == np.float64 and a.dtype.isnative and a.shape == (2, 3)
    np.testing.assert_array_equal(a, values)


def test_type_codes_match_the_format():
    expected = {0x08: "u1", 0x09: "i1", 0x0B: "i2", 0x0C: "i4", 0x0D: "f4", 0x0E: "f8"}
    assert {c: d.newbyteorder("=").str[1:] for c, d in IDX_DTYPES.items()} == expected


def test_result_is_writable(tmp_path):
    a = read_idx(write_bytes(tmp_path / "u.idx", header(0x08, [3]) + b"\x01\x02\x03"))
    a[0] = 9
    assert a.tolist() == [9, 2, 3]


def test_gzip_detected_by_content_not_name(tmp_path):
    content = header(0x08, [2, 2]) + bytes([1, 2, 3, 4])
    a = read_idx(write_bytes(tmp_path / "no_suffix", content, compress=True))
    np.testing.assert_array_equal(a, [[1, 2], [3, 4]])


def test_plain_file_named_gz_is_read_as_plain(tmp_path):
    content = header(0x08, [3]) + bytes([7, 8, 9])
    np.testing.assert_array_equal(read_idx(write_bytes(tmp_path / "x.gz", content)), [7, 8, 9])


def test_reads_shipped_mnist_test_labels():
    labels = read_idx(DATA / "t10k-labels-idx1-ubyte.gz")
    assert labels.dtype == np.uint8 and labels.shape == (10000,)
    # First test labels, as published for MNIST.
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_digest_sees_the_decompressed_bytes(tmp_path):
    import hashlib

    content = header(0x0C, [2]) + np.array([1, -1], ">i4").tobytes()
    digest = hashlib.sha256()
    read_idx(write_bytes(tmp_path / "d.gz", content, compress=True), digest=digest)
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest()


# --- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_each_dtype(tmp_path, dtype, suffix):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    path = write_idx(tmp_path / f"a.idx{suffix}", a)
    b = read_idx(path)
    assert b.dtype == a.dtype and b.shape == a.shape
    np.testing.assert_array_equal(b, a)
    with open(path, "rb") as f:
        assert (f.read(2) == b"\x1f\x8b") == (suffix == ".gz")


def test_write_accepts_big_endian_input(tmp_path):
    a = np.array([1, 256, -3], dtype=">i4")
    b = read_idx(write_idx(tmp_path / "be.idx", a))
    assert b.dtype.isnative
    np.testing.assert_array_equal(b, [1, 256, -3])


def test_written_bytes_follow_the_format(tmp_path):
    path = write_idx(tmp_path / "f.idx", np.array([[1.0, 2.0]], dtype=np.float32))
    expected = header(0x0D, [1, 2]) + np.array([1.0, 2.0], ">f4").tobytes()
    assert path.read_bytes() == expected


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    dtype=st.sampled_from(DTYPES),
    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5),
    compress=st.booleans(),
)
def test_round_trip_property(data, dtype, shape, compress):
    a = data.draw(hnp.arrays(dtype, shape))
    with tempfile.TemporaryDirectory() as tmp:
        path = write_idx(Path(tmp) / ("p.idx.gz" if compress else "p.idx"), a)
        b = read_idx(path)
    assert b.dtype == a.dtype and b.shape == a.shape and b.dtype.isnative
    assert b.tobytes() == a.tobytes()  # bit-exact, NaNs and signed zeros included


@pytest.mark.parametrize(
    "array, problem",
    [
        (np.zeros(3, dtype=np.int64), "dtype"),
        (np.zeros(3, dtype=bool), "dtype"),
        (np.float64(1.0), "dimensions"),
        (np.zeros((1,) * (MAX_IDX_NDIM + 1), dtype=np.uint8), "dimensions"),
        (np.zeros((2, 0), dtype=np.uint8), "empty"),
    ],
)
def test_write_rejects_what_cannot_be_stored(tmp_path, array, problem):
    with pytest.raises(ValueError, match=problem) as info:
        write_idx(tmp_path / "bad.idx", array)
    assert "bad.idx" in str(info.value)


# --- bad files: each a ValueError naming the file and the problem ---------------------------


def assert_rejected(path, *problem_words):
    with pytest.raises(ValueError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message
    for word in problem_words:
        assert word in message, message
    return message


def test_empty_file(tmp_path):
    assert_rejected(write_bytes(tmp_path / "empty.idx", b""), "header is truncated")


def test_header_cut_short(tmp_path):
    assert_rejected(write_bytes(tmp_path / "short.idx", b"\x00\x00\x08"), "header is truncated")


def test_dimensions_cut_short(tmp_path):
    content = bytes([0, 0, 8, 3]) + (5).to_bytes(4, "big")  # 3 dims declared, 1 given
    assert_rejected(write_bytes(tmp_path / "dims.idx", content), "header is truncated", "3")


def test_wrong_magic(tmp_path):
    content = b"\x01\x00\x08\x01" + (1).to_bytes(4, "big") + b"\x00"
    assert_rejected(write_bytes(tmp_path / "magic.idx", content), "magic", "first two bytes")


def test_wrong_magic_second_byte(tmp_path):
    content = b"\x00\x07\x08\x01" + (1).to_bytes(4, "big") + b"\x00"
    assert_rejected(write_bytes(tmp_path / "magic2.idx", content), "magic")


def test_unknown_type_code(tmp_path):
    content = header(0x0A, [1]) + b"\x00"
    assert_rejected(write_bytes(tmp_path / "code.idx", content), "unknown IDX type code 0x0A")


def test_zero_dimensions(tmp_path):
    assert_rejected(write_bytes(tmp_path / "ndim0.idx", bytes([0, 0, 8, 0])), "dimensions 0")


def test_too_many_dimensions(tmp_path):
    ndim = MAX_IDX_NDIM + 1
    content = header(0x08, [1] * ndim) + b"\x00"
    assert_rejected(write_bytes(tmp_path / "ndim.idx", content), f"dimensions {ndim}")


def test_a_zero_dimension(tmp_path):
    content = header(0x08, [3, 0, 2])
    assert_rejected(write_bytes(tmp_path / "zero.idx", content), "dimension is zero")


def test_absurd_total_size(tmp_path):
    shape = [0xFFFFFFFF] * 3  # about 8e28 values
    path = write_bytes(tmp_path / "huge.idx", header(0x0E, shape) + b"\x00" * 8)
    assert_rejected(path, "more than the limit", str(MAX_IDX_BYTES))


def test_size_just_over_the_cap(tmp_path):
    # One int16 more than the limit allows; nothing else wrong with the header.
    shape = [MAX_IDX_BYTES // 2 + 1]
    assert_rejected(write_bytes(tmp_path / "cap.idx", header(0x0B, shape)), "limit")


def test_header_promises_more_than_plain_file_holds(tmp_path):
    content = header(0x0C, [10]) + b"\x00" * 12  # 40 bytes promised, 12 given
    assert_rejected(write_bytes(tmp_path / "trunc.idx", content), "truncated data", "40", "12")


def test_header_promises_more_than_gzip_file_holds(tmp_path):
    content = header(0x08, [10, 10]) + b"\x01" * 30
    path = write_bytes(tmp_path / "trunc.idx.gz", content, compress=True)
    assert_rejected(path, "truncated data", "100", "30")


def test_big_promise_allocates_only_what_the_data_provides(tmp_path):
    # The header promises 512 MiB (under the cap); the gzip stream holds 64 bytes.
    nbytes = 1 << 29
    assert nbytes <= MAX_IDX_BYTES
    content = header(0x08, [nbytes]) + b"\x02" * 64
    path = write_bytes(tmp_path / "promise.gz", content, compress=True)
    tracemalloc.start()
    try:
        assert_rejected(path, "truncated data", str(nbytes))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"peak allocation {peak} bytes"


@pytest.mark.parametrize("compress", [False, True])
def test_trailing_bytes(tmp_path, compress):
    content = header(0x08, [4]) + bytes([1, 2, 3, 4]) + b"\x00"
    path = write_bytes(tmp_path / f"trail{compress}.idx", content, compress)
    assert_rejected(path, "trailing bytes")


def valid_gzip(n=5000):
    rng = np.random.default_rng(1)
    content = header(0x08, [n]) + rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    return gzip.compress(content)


def test_truncated_gzip_stream(tmp_path):
    blob = valid_gzip()
    path = tmp_path / "cut.gz"
    path.write_bytes(blob[: len(blob) // 2])
    assert_rejected(path, "gzip")


def test_gzip_stream_without_its_trailer(tmp_path):
    blob = valid_gzip()
    path = tmp_path / "notrailer.gz"
    path.write_bytes(blob[:-8])  # the CRC and size are missing: all data, no end marker
    assert_rejected(path, "gzip")


def test_corrupt_gzip_data(tmp_path):
    blob = bytearray(valid_gzip())
    for i in range(20, 60):
        blob[i] ^= 0xFF
    path = tmp_path / "flipped.gz"
    path.write_bytes(bytes(blob))
    assert_rejected(path, "gzip")


def test_gzip_crc_mismatch(tmp_path):
    blob = bytearray(valid_gzip())
    blob[-8] ^= 0x01  # the CRC-32 of the data, stored in the trailer
    path = tmp_path / "crc.gz"
    path.write_bytes(bytes(blob))
    assert_rejected(path, "gzip")


def test_gzip_with_garbage_header(tmp_path):
    path = write_bytes(tmp_path / "badhead.gz", b"\x1f\x8b" + b"\x00" * 30)
    assert_rejected(path, "gzip")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "absent.idx")


@pytest.mark.parametrize("name", ["plain.idx", "packed.idx.gz", "gzip-without-suffix.idx"])
def test_open_idx_gives_the_raw_bytes_plain_or_compressed(tmp_path, name):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    path = tmp_path / name
    if name.startswith("gzip-without"):
        plain = write_idx(tmp_path / "x.idx", array)
        path.write_bytes(gzip.compress(plain.read_bytes()))
    else:
        write_idx(path, array)
    with open_idx(path) as stream:
        data = stream.read()
    assert data[:4] == bytes([0, 0, 0x08, 2])
    assert np.frombuffer(data[4:12], dtype=">u4").tolist() == [3, 4]
    assert data[12:] == array.tobytes()

