"""Tests for annteach.idx: IDX round trips, the format itself, and every kind of bad file."""

import gzip
import io
import os
import tempfile
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from annteach import idx
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


def traced(function, *args, **kwargs):
    """Call ``function``; return (its result or the exception it raised, peak bytes traced)."""
    tracemalloc.start()
    try:
        try:
            outcome = function(*args, **kwargs)
        except Exception as exc:  # the caller inspects what was raised
            outcome = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, peak


def zeros_gzip(path, head, n_zeros):
    """A gzip file holding ``head`` then ``n_zeros`` zero bytes, about 1 KB per MiB of zeros.

    Built from 1 MiB members (a gzip file may be several members in a row), so a
    bomb of hundreds of MiB costs the test one small compression.
    """
    mib = 1 << 20
    first = min(n_zeros, mib - len(head))
    member = gzip.compress(bytes(mib), mtime=0)
    full, rest = divmod(n_zeros - first, mib)
    with open(path, "wb") as f:
        f.write(gzip.compress(head + bytes(first), mtime=0))
        for _ in range(full):
            f.write(member)
        if rest:
            f.write(gzip.compress(bytes(rest), mtime=0))
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
    # The header promises 200 MiB (under the cap); the file holds 64 bytes.
    nbytes = 200 << 20
    assert nbytes <= MAX_IDX_BYTES
    for compress in (False, True):
        content = header(0x08, [nbytes]) + b"\x02" * 64
        path = write_bytes(tmp_path / f"promise{compress}", content, compress)
        outcome, peak = traced(read_idx, path)
        assert isinstance(outcome, ValueError) and str(path) in str(outcome)
        assert peak < 2**20, f"peak allocation {peak} bytes"


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



# --- bounded reads: one buffer, gzip bombs, file types, gzip errors -------------------------


def test_gzip_bomb_is_refused_before_inflating(tmp_path):
    # 64 MiB of zeros (and one byte more) behind a header declaring 64 MiB: about 64 KB on disk.
    nbytes = 64 << 20
    path = zeros_gzip(tmp_path / "bomb.gz", header(0x08, [nbytes]), nbytes + 1)
    assert path.stat().st_size < nbytes / 500
    outcome, peak = traced(read_idx, path)
    assert isinstance(outcome, ValueError), outcome
    message = str(outcome)
    assert str(path) in message and "gzip" in message and str(nbytes) in message
    assert peak < 4 * 2**20, f"peak allocation {peak} bytes"


def test_gzip_data_is_inflated_into_one_buffer(tmp_path):
    # Under the floor of the ratio cap, so the 12 MiB are read, then the extra byte is found.
    nbytes = 12 << 20
    assert nbytes <= idx.GZIP_RATIO_FLOOR
    path = zeros_gzip(tmp_path / "zeros.gz", header(0x08, [nbytes]), nbytes + 1)
    outcome, peak = traced(read_idx, path)
    assert isinstance(outcome, ValueError) and "trailing bytes" in str(outcome)
    assert peak < nbytes + 2 * 2**20, f"peak {peak} bytes for {nbytes} bytes of data"


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_plain_data_is_read_into_one_buffer(tmp_path, dtype):
    # float32 is stored big-endian: swapping it to native order must not copy the array.
    a = np.arange(4 << 20, dtype=dtype)
    path = write_idx(tmp_path / "big.idx", a)
    b, peak = traced(read_idx, path)
    np.testing.assert_array_equal(b, a)
    assert b.dtype == a.dtype and b.dtype.isnative and b.flags.writeable
    assert peak < a.nbytes + 2**20, f"peak {peak} bytes for {a.nbytes} bytes of data"


def test_compressed_mnist_images_cost_one_buffer():
    path = DATA / "t10k-images-idx3-ubyte.gz"
    images, peak = traced(read_idx, path)
    assert images.shape == (10000, 28, 28)
    assert peak < images.nbytes + 2 * 2**20, f"peak {peak} bytes for {images.nbytes}"


def test_gzip_ratio_cap_names_the_sizes(tmp_path):
    nbytes = idx.GZIP_RATIO_FLOOR + 1
    path = zeros_gzip(tmp_path / "dense.gz", header(0x08, [nbytes]), nbytes)
    size = path.stat().st_size
    assert nbytes > idx.MAX_GZIP_RATIO * size
    message = assert_rejected(path, "gzip", str(size), str(nbytes), "uncompressed")
    assert str(idx.MAX_GZIP_RATIO) in message


def test_highly_compressible_data_under_the_floor_is_read(tmp_path):
    a = np.zeros((1024, 1024), dtype=np.float64)  # 8 MiB, compresses about 1000:1
    path = write_idx(tmp_path / "zeros.idx.gz", a)
    assert a.nbytes > idx.MAX_GZIP_RATIO * path.stat().st_size
    np.testing.assert_array_equal(read_idx(path), a)


def test_write_refuses_a_gzip_file_read_idx_would_refuse(tmp_path):
    a = np.zeros(idx.GZIP_RATIO_FLOOR + 1, dtype=np.uint8)
    with pytest.raises(ValueError, match="uncompressed") as info:
        write_idx(tmp_path / "z.idx.gz", a)
    assert "z.idx.gz" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "z.idx", a)), a)


def test_max_bytes_lowers_the_limit(tmp_path):
    path = write_idx(tmp_path / "twelve.idx", np.arange(3, dtype=np.int32))
    assert read_idx(path, max_bytes=12).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="limit of 11 bytes") as info:
        read_idx(path, max_bytes=11)
    assert str(path) in str(info.value)


def run_with_time_limit(function, path, seconds=3):
    """Run ``function(path)`` in a thread; fail if it is still waiting after ``seconds``.

    A reader stuck in ``open`` on a FIFO is released by opening the FIFO for writing.
    Returns what the call raised (or None).
    """
    raised = []

    def call():
        try:
            function(path)
        except BaseException as exc:  # reported to the test
            raised.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        with open(path, "wb"):
            pass
        thread.join(seconds)
        pytest.fail(f"{function.__name__} was still waiting after {seconds} s")
    return raised[0] if raised else None


def read_all_with_open_idx(path):
    with open_idx(path) as stream:
        return stream.read()


@pytest.mark.parametrize("function", [read_idx, read_all_with_open_idx])
def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path, function):
    fifo = tmp_path / "labels.fifo"
    os.mkfifo(fifo)
    exc = run_with_time_limit(function, fifo)
    assert isinstance(exc, ValueError), exc
    assert str(fifo) in str(exc) and "FIFO" in str(exc)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_pipe_is_refused_by_name(tmp_path):
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, header(0x08, [1]) + b"\x07")
        os.close(write_end)
        path = Path(f"/proc/self/fd/{read_end}")
        for function in (read_idx, read_all_with_open_idx):
            exc = run_with_time_limit(function, path)
            assert isinstance(exc, ValueError) and not isinstance(exc, io.UnsupportedOperation)
            assert str(path) in str(exc) and "pipe" in str(exc)
    finally:
        os.close(read_end)


def test_directory_is_refused_by_name(tmp_path):
    assert_rejected(tmp_path, "directory")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_device_is_refused_by_name(device):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    assert_rejected(Path(device), "character device")


def test_path_with_a_null_byte_is_named():
    with pytest.raises(ValueError, match="null byte") as info:
        read_idx("labels\0.idx")
    assert "labels" in str(info.value)


def damaged_gzip(tmp_path, damage):
    blob = bytearray(valid_gzip())
    if damage == "truncated":
        blob = blob[: len(blob) // 2]
    elif damage == "corrupt":
        for i in range(20, 60):
            blob[i] ^= 0xFF
    elif damage == "crc":
        blob[-8] ^= 0x01
    else:  # an unknown compression method in the gzip header
        blob[2] = 7
    path = tmp_path / f"{damage}.gz"
    path.write_bytes(bytes(blob))
    return path


@pytest.mark.parametrize("damage", ["truncated", "corrupt", "crc", "method"])
def test_open_idx_reports_gzip_errors_by_name(tmp_path, damage):
    path = damaged_gzip(tmp_path, damage)
    with pytest.raises(ValueError) as info:
        read_all_with_open_idx(path)
    assert not isinstance(info.value, OSError)
    assert str(path) in str(info.value) and "gzip" in str(info.value)
    assert_rejected(path, "gzip")
