"""Tests for annteach.mnist: loading the shipped data, checksums, data folders, scale, fetching.

The expected labels and label counts come from the dataset's description in
/work/shared/datasets/mnist/README.md (and data/README.md), not from this code.
fetch_mnist is tested against a real HTTP server on 127.0.0.1 serving copies of
the shipped files, and damaged versions of them.
"""

import functools
import gzip
import hashlib
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import annteach
import annteach.mnist_fetch
from annteach import fetch_mnist, load_mnist, read_idx, scale, write_idx
from annteach.mnist import MNIST_SHA256

DATA = Path(__file__).resolve().parent.parent / "data" / "mnist"

TRAIN_FIRST = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
TEST_FIRST = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"

# Decompressed sizes from the dataset's description: 8-byte header + one byte per label,
# 16-byte header + 28 * 28 bytes per image.
SIZES = {
    "train-images-idx3-ubyte": 16 + 60000 * 784,
    "train-labels-idx1-ubyte": 8 + 60000,
    "t10k-images-idx3-ubyte": 16 + 10000 * 784,
    "t10k-labels-idx1-ubyte": 8 + 10000,
}


@pytest.fixture(autouse=True)
def _no_data_env(monkeypatch):
    """Tests start without $ANNTEACH_DATA unless they set it."""
    monkeypatch.delenv("ANNTEACH_DATA", raising=False)


@pytest.fixture(scope="module")
def train():
    return load_mnist("train")


@pytest.fixture(scope="module")
def test_split():
    return load_mnist("test")


def copy_decompressed(names, folder):
    """Decompressed copies of shipped files, as a user might keep them."""
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_bytes(gzip.decompress((DATA / f"{name}.gz").read_bytes()))
    return folder


# --- the shipped data -------------------------------------------------------------------


def test_train_shapes_and_types(train):
    images, labels = train
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.uint8


def test_test_shapes_and_types(test_split):
    images, labels = test_split
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8


def test_first_labels(train, test_split):
    assert train[1][:10].tolist() == TRAIN_FIRST
    assert test_split[1][:10].tolist() == TEST_FIRST


def test_label_counts(train, test_split):
    assert np.bincount(train[1], minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(test_split[1], minlength=10).tolist() == TEST_COUNTS


def test_train_pixel_mean_matches_the_usual_normalisation_constant(train):
    # 0.1307 is the training-set mean of the scaled pixels that MNIST examples normalise with.
    assert round(float(scale(train[0]).mean(dtype=np.float64)), 4) == 0.1307


def test_unknown_split():
    with pytest.raises(ValueError, match="split"):
        load_mnist("validation")


def test_the_clones_folder_is_found_from_the_package_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    _, labels = load_mnist("test")
    assert labels[:10].tolist() == TEST_FIRST
    default = Path(annteach.__file__).resolve().parent.parent / "data" / "mnist"
    assert annteach.mnist.mnist_files("test")[1] == default / f"{TEST_LABELS}.gz"


@pytest.fixture
def outside_a_clone(monkeypatch, tmp_path):
    """The package as if installed from a wheel (no clone), the user cache in tmp_path."""
    monkeypatch.setattr(annteach.mnist, "in_clone", lambda: False)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "annteach" / "mnist"


def test_outside_a_clone_the_user_cache_is_used(outside_a_clone, test_split):
    assert annteach.mnist.mnist_cache_folder() == outside_a_clone
    outside_a_clone.mkdir(parents=True)
    copy_decompressed([TEST_IMAGES, TEST_LABELS], outside_a_clone)
    assert annteach.mnist_files("test") == (outside_a_clone / TEST_IMAGES,
                                           outside_a_clone / TEST_LABELS)
    np.testing.assert_array_equal(load_mnist("test")[1], test_split[1])


def test_the_clone_comes_before_the_cache(monkeypatch, tmp_path):
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "annteach").mkdir()
    copy_decompressed([TEST_IMAGES, TEST_LABELS], tmp_path / "annteach" / "mnist")
    assert annteach.mnist_files("test")[0] == DATA / f"{TEST_IMAGES}.gz"


def test_a_missing_copy_says_to_run_fetch_mnist(outside_a_clone):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist("test")
    message = str(info.value)
    for part in ("annteach fetch-mnist", str(outside_a_clone), "your cache folder",
                 "ANNTEACH_DATA", f"missing {TEST_IMAGES}[.gz], {TEST_LABELS}[.gz]"):
        assert part in message
    assert "data folder" not in message  # no clone to look in


def test_the_fetch_mnist_command_fills_the_cache(outside_a_clone, server, monkeypatch, capsys,
                                                 test_split):
    from annteach.__main__ import main

    monkeypatch.setattr(annteach.mnist_fetch, "MNIST_MIRRORS", (f"{server}/good/",))
    assert main(["fetch-mnist", "--no-progress"]) == 0
    assert sorted(p.name for p in outside_a_clone.iterdir()) == sorted(
        f"{n}.gz" for n in MNIST_SHA256)
    assert str(outside_a_clone) in capsys.readouterr().out
    np.testing.assert_array_equal(load_mnist("test")[0], test_split[0])
    monkeypatch.setattr(annteach.mnist_fetch, "MNIST_MIRRORS", (f"{server}/corrupt/",))
    other = outside_a_clone.parent / "elsewhere"
    with pytest.raises(SystemExit, match="annteach fetch-mnist: could not download"):
        main(["fetch-mnist", "--dest", str(other), "--no-progress"])
    assert not any(other.iterdir())


def test_loading_writes_nothing_into_the_repository():
    package = Path(annteach.__file__).parent
    before = sorted(p for p in package.rglob("*") if "__pycache__" not in p.parts)
    data_before = sorted(DATA.iterdir())
    load_mnist("test")
    assert sorted(p for p in package.rglob("*") if "__pycache__" not in p.parts) == before
    assert sorted(DATA.iterdir()) == data_before


def test_returned_arrays_are_independent_copies(test_split):
    images, labels = load_mnist("test")
    images[:] = 0
    labels[:] = 99
    again_images, again_labels = load_mnist("test")
    assert again_labels[:10].tolist() == TEST_FIRST
    np.testing.assert_array_equal(again_images, test_split[0])
    assert again_images.flags.writeable


# --- other folders, files and checksums ---------------------------------------------------


def test_decompressed_files_are_accepted(tmp_path, test_split):
    folder = copy_decompressed([TEST_IMAGES, TEST_LABELS], tmp_path / "plain")
    images, labels = load_mnist("test", path=folder)
    np.testing.assert_array_equal(images, test_split[0])
    np.testing.assert_array_equal(labels, test_split[1])


def test_checksum_mismatch_names_the_file(tmp_path):
    folder = copy_decompressed([TEST_IMAGES, TEST_LABELS], tmp_path / "tampered")
    content = bytearray((folder / TEST_IMAGES).read_bytes())
    content[16 + 14 * 28 + 14] ^= 0x01  # one pixel of the first image; the format stays valid
    (folder / TEST_IMAGES).write_bytes(bytes(content))
    with pytest.raises(ValueError, match="checksum mismatch") as info:
        load_mnist("test", path=folder)
    assert str(folder / TEST_IMAGES) in str(info.value)
    assert MNIST_SHA256[TEST_IMAGES] in str(info.value)


def test_checksum_mismatch_in_recompressed_labels(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    shutil.copy(DATA / f"{TEST_IMAGES}.gz", folder)
    labels = read_idx(DATA / f"{TEST_LABELS}.gz")
    labels[0] = 1  # was 7
    write_idx(folder / f"{TEST_LABELS}.gz", labels)
    with pytest.raises(ValueError, match="checksum mismatch") as info:
        load_mnist("test", path=folder)
    assert str(folder / f"{TEST_LABELS}.gz") in str(info.value)


def test_a_file_changed_after_loading_is_read_again(tmp_path):
    folder = copy_decompressed([TEST_IMAGES, TEST_LABELS], tmp_path / "changing")
    load_mnist("test", path=folder)
    labels = read_idx(folder / TEST_LABELS)
    labels[0] = 3
    (folder / TEST_LABELS).unlink()
    write_idx(folder / TEST_LABELS, labels)
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_mnist("test", path=folder)


def test_missing_files_say_where_and_how_to_fix(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    with pytest.raises(FileNotFoundError) as info:
        load_mnist("train", path=folder)
    message = str(info.value)
    for part in (str(folder), "train-images-idx3-ubyte", "fetch_mnist", "ANNTEACH_DATA",
                 f"annteach fetch-mnist --dest {folder}"):
        assert part in message


def test_one_missing_file_is_named(tmp_path):
    folder = copy_decompressed([TEST_IMAGES], tmp_path / "half")
    with pytest.raises(FileNotFoundError, match=TEST_LABELS) as info:
        load_mnist("test", path=folder)
    assert f"missing {TEST_LABELS}" in str(info.value)


def test_data_env_variable_is_used(tmp_path, monkeypatch, test_split):
    folder = copy_decompressed([TEST_IMAGES, TEST_LABELS], tmp_path / "env")
    monkeypatch.setenv("ANNTEACH_DATA", str(folder))
    _, labels = load_mnist("test")
    np.testing.assert_array_equal(labels, test_split[1])
    # A tampered copy there proves it is the folder that was read.
    (folder / TEST_LABELS).write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07")
    with pytest.raises(ValueError, match="checksum") as info:
        load_mnist("test")
    assert str(folder) in str(info.value)


def test_data_env_variable_without_files_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNTEACH_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="ANNTEACH_DATA") as info:
        load_mnist("test")
    assert str(tmp_path) in str(info.value)


def test_path_argument_wins_over_data_env_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNTEACH_DATA", str(tmp_path / "does-not-exist"))
    _, labels = load_mnist("test", path=DATA)
    assert labels[:10].tolist() == TEST_FIRST


def small_split(folder, n_images, n_labels, image_shape=(28, 28)):
    folder.mkdir()
    rng = np.random.default_rng(0)
    write_idx(folder / TEST_IMAGES, rng.integers(0, 256, (n_images, *image_shape), np.uint8))
    write_idx(folder / TEST_LABELS, rng.integers(0, 10, n_labels, np.uint8))
    return folder


def test_unverified_loading_of_other_data(tmp_path):
    folder = small_split(tmp_path / "small", 5, 5)
    with pytest.raises(ValueError, match="checksum"):
        load_mnist("test", path=folder)
    images, labels = load_mnist("test", path=folder, verify=False)
    assert images.shape == (5, 28, 28) and labels.shape == (5,)


def test_image_and_label_counts_must_agree(tmp_path):
    folder = small_split(tmp_path / "counts", 5, 4)
    with pytest.raises(ValueError, match="5 images .* 4 labels"):
        load_mnist("test", path=folder, verify=False)


def test_images_must_be_28_by_28(tmp_path):
    folder = small_split(tmp_path / "shape", 5, 5, image_shape=(28, 27))
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)") as info:
        load_mnist("test", path=folder, verify=False)
    assert TEST_IMAGES in str(info.value)


def test_invalid_idx_file_is_reported_by_name(tmp_path):
    folder = copy_decompressed([TEST_LABELS], tmp_path / "broken")
    (folder / TEST_IMAGES).write_bytes(b"\x00\x00\x08\x03")
    with pytest.raises(ValueError, match="header is truncated") as info:
        load_mnist("test", path=folder)
    assert str(folder / TEST_IMAGES) in str(info.value)


# --- scale ------------------------------------------------------------------------------


def test_scale_range_and_type():
    x = np.array([[0, 51], [255, 128]], dtype=np.uint8)
    y = scale(x)
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_allclose(y, [[0.0, 0.2], [1.0, 128 / 255]], rtol=1e-6)
    assert y.min() == 0.0 and y.max() == 1.0


def test_scale_leaves_input_alone_and_returns_a_new_array():
    x = np.arange(256, dtype=np.uint8)
    y = scale(x)
    assert x.tolist() == list(range(256))
    assert not np.shares_memory(x, y)
    assert np.all(np.diff(y) > 0)


def test_scale_on_mnist_stays_in_unit_interval(test_split):
    y = scale(test_split[0])
    assert y.dtype == np.float32 and y.shape == (10000, 28, 28)
    assert y.min() == 0.0 and y.max() == 1.0


@pytest.mark.parametrize("bad", [np.array([-1.0, 3.0]), np.array([0, 256]), np.array(["a"])])
def test_scale_rejects_values_that_are_not_grey_levels(bad):
    with pytest.raises(ValueError):
        scale(bad)


# --- fetch_mnist against a local HTTP server ----------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Serve good/, truncated/ and corrupt/ copies of the MNIST .gz files on 127.0.0.1."""
    root = tmp_path_factory.mktemp("mirror")
    good, truncated, corrupt = (root / d for d in ("good", "truncated", "corrupt"))
    for folder in (good, truncated, corrupt):
        folder.mkdir()
    for name in MNIST_SHA256:
        blob = (DATA / f"{name}.gz").read_bytes()
        (good / f"{name}.gz").write_bytes(blob)
        (truncated / f"{name}.gz").write_bytes(blob[: len(blob) // 2])
        flipped = bytearray(blob)
        for i in range(len(blob) // 3, len(blob) // 3 + 64):
            flipped[i] ^= 0xFF
        (corrupt / f"{name}.gz").write_bytes(bytes(flipped))
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """Loopback requests must not go through a proxy from the environment."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def sha256_decompressed(path):
    return hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()


def test_fetch_one_small_file(server, tmp_path):
    dest = tmp_path / "dest"
    result = fetch_mnist(dest, base_urls=[f"{server}/good/"], progress=False, files=[TEST_LABELS])
    assert result == dest
    assert [p.name for p in dest.iterdir()] == [f"{TEST_LABELS}.gz"]
    assert sha256_decompressed(dest / f"{TEST_LABELS}.gz") == MNIST_SHA256[TEST_LABELS]


def test_fetch_everything_then_load(server, tmp_path, test_split):
    dest = fetch_mnist(tmp_path / "all", base_urls=[f"{server}/good"], progress=False)
    assert sorted(p.name for p in dest.iterdir()) == sorted(f"{n}.gz" for n in MNIST_SHA256)
    images, labels = load_mnist("train", path=dest)
    assert images.shape == (60000, 28, 28) and labels[:10].tolist() == TRAIN_FIRST
    images, labels = load_mnist("test", path=dest)
    np.testing.assert_array_equal(images, test_split[0])


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_damaged_download_leaves_nothing_behind(server, tmp_path, damage):
    dest = tmp_path / "dest"
    with pytest.raises(OSError, match=f"{damage}/{TEST_LABELS}.gz") as info:
        fetch_mnist(dest, base_urls=[f"{server}/{damage}/"], progress=False, files=[TEST_LABELS])
    assert "gzip" in str(info.value)
    assert list(dest.iterdir()) == []


def test_missing_on_server_is_reported(server, tmp_path):
    dest = tmp_path / "dest"
    with pytest.raises(OSError, match="404"):
        fetch_mnist(dest, base_urls=[f"{server}/nowhere/"], progress=False, files=[TEST_LABELS])
    assert list(dest.iterdir()) == []


def test_next_mirror_is_tried(server, tmp_path):
    mirrors = [f"{server}/truncated/", f"{server}/nowhere/", f"{server}/good/"]
    dest = fetch_mnist(tmp_path / "d", base_urls=mirrors, progress=False, files=[TEST_LABELS])
    assert [p.name for p in dest.iterdir()] == [f"{TEST_LABELS}.gz"]
    assert sha256_decompressed(dest / f"{TEST_LABELS}.gz") == MNIST_SHA256[TEST_LABELS]


def test_unreachable_server_says_what_to_do(closed_port_url, tmp_path):
    dest = tmp_path / "offline"
    with pytest.raises(OSError) as info:
        fetch_mnist(dest, base_urls=[closed_port_url], progress=False, files=[TEST_LABELS])
    message = str(info.value)
    for part in (closed_port_url, "offline", "copy", str(dest), "ANNTEACH_DATA"):
        assert part in message
    assert list(dest.iterdir()) == []


def test_valid_files_present_are_not_downloaded_again(closed_port_url, tmp_path):
    dest = tmp_path / "present"
    dest.mkdir()
    shutil.copy(DATA / f"{TEST_LABELS}.gz", dest)
    copy_decompressed([TRAIN_LABELS], dest)
    before = {p.name: p.stat().st_mtime_ns for p in dest.iterdir()}
    files = [TEST_LABELS, TRAIN_LABELS]
    fetch_mnist(dest, base_urls=[closed_port_url], progress=False, files=files)
    assert {p.name: p.stat().st_mtime_ns for p in dest.iterdir()} == before


def test_invalid_file_present_is_replaced(server, tmp_path):
    dest = tmp_path / "stale"
    dest.mkdir()
    (dest / f"{TEST_LABELS}.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07"))
    fetch_mnist(dest, base_urls=[f"{server}/good/"], progress=False, files=[f"{TEST_LABELS}.gz"])
    assert sha256_decompressed(dest / f"{TEST_LABELS}.gz") == MNIST_SHA256[TEST_LABELS]


def test_interrupted_download_leaves_nothing_behind(server, tmp_path, monkeypatch):
    def interrupted(url, target, name, **kwargs):
        target.write(b"\x1f\x8b partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(annteach.mnist_fetch, "_download", interrupted)
    dest = tmp_path / "interrupted"
    with pytest.raises(KeyboardInterrupt):
        fetch_mnist(dest, base_urls=[f"{server}/good/"], progress=False, files=[TEST_LABELS])
    assert list(dest.iterdir()) == []


def test_progress_bar_is_shown(server, tmp_path, capsys):
    fetch_mnist(tmp_path / "p", base_urls=[f"{server}/good/"], progress=True, files=[TEST_LABELS])
    assert TEST_LABELS in capsys.readouterr().err


def test_fetch_rejects_unknown_file_names(tmp_path):
    with pytest.raises(ValueError, match="unknown MNIST file"):
        fetch_mnist(tmp_path, base_urls=[], files=["cifar-10.tar"])


def test_mnist_files_finds_the_shipped_files_and_follows_the_data_env(tmp_path, monkeypatch):
    from annteach import mnist_files

    images, labels = mnist_files("test")
    assert images == DATA / f"{TEST_IMAGES}.gz" and labels == DATA / f"{TEST_LABELS}.gz"
    folder = copy_decompressed([TEST_IMAGES, TEST_LABELS], tmp_path / "env")
    monkeypatch.setenv("ANNTEACH_DATA", str(folder))
    assert mnist_files("test") == (folder / TEST_IMAGES, folder / TEST_LABELS)
    with pytest.raises(FileNotFoundError, match="train"):
        mnist_files("train")
    with pytest.raises(ValueError, match="split"):
        mnist_files("validation")


# --- fetch_mnist against misbehaving servers ----------------------------------------------


class _HostileHandler(http.server.BaseHTTPRequestHandler):
    """Misbehaves as the first part of the path says; records what it did in server.records.

    /endless/       200, no length, zeros until the client hangs up (or CAP bytes)
    /lying-length/  200 announcing 10 GB, then the same
    /trickle-body/  200 announcing the real size, then one byte every 0.05 s (for 5 s)
    /trickle-head/  a status line, then a header line one byte every 0.05 s (for 5 s)
    /short/         200 announcing the real size, then 100 bytes and the end
    /blob/          200 with server.blob as the body
    """

    protocol_version = "HTTP/1.0"
    CAP = 128 << 20
    TRICKLE_SECONDS = 5

    def log_message(self, *args):
        pass

    def do_GET(self):
        kind = self.path.strip("/").split("/")[0]
        record = {"kind": kind, "sent": 0, "largest_part": 0, "cut_off": False}
        self.server.records.append(record)
        start = time.monotonic()
        try:
            getattr(self, "_" + kind.replace("-", "_"))(record)
        except OSError:
            record["cut_off"] = True  # the client hung up
        record["seconds"] = time.monotonic() - start
        record["done"] = True

    def _send(self, record, data):
        self.wfile.write(data)
        record["sent"] += len(data)
        watch = self.server.watch
        if watch is not None and watch.is_dir():
            sizes = [p.stat().st_size for p in watch.glob(".*.part") if p.is_file()]
            record["largest_part"] = max([record["largest_part"], *sizes])

    def _endless(self, record, length=None):
        self.send_response(200)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        block = bytes(1 << 16)
        while record["sent"] < self.CAP:
            self._send(record, block)

    def _lying_length(self, record):
        self._endless(record, length=10**10)

    def _trickle(self, record, byte):
        start = time.monotonic()
        while time.monotonic() - start < self.TRICKLE_SECONDS:
            self._send(record, byte)
            time.sleep(0.05)

    def _trickle_body(self, record):
        self.send_response(200)
        self.send_header("Content-Length", str(SIZES[TEST_LABELS]))
        self.end_headers()
        self._trickle(record, b"\x1f")

    def _trickle_head(self, record):
        self._send(record, b"HTTP/1.0 200 OK\r\nX-Slow: ")
        self._trickle(record, b"a")

    def _short(self, record):
        self.send_response(200)
        self.send_header("Content-Length", str(SIZES[TEST_LABELS]))
        self.end_headers()
        self._send(record, b"\x1f\x8b" + bytes(98))

    def _blob(self, record):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.server.blob)))
        self.end_headers()
        self._send(record, self.server.blob)


@pytest.fixture(scope="module")
def hostile_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HostileHandler)
    httpd.records, httpd.watch, httpd.blob = [], None, b""
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def hostile(hostile_server, tmp_path):
    """The hostile server, watching tmp_path/"dest" for partial files."""
    hostile_server.records.clear()
    hostile_server.watch = tmp_path / "dest"
    yield hostile_server
    hostile_server.watch = None


def finished(record, seconds=10):
    """Wait until the handler that wrote ``record`` has returned."""
    end = time.monotonic() + seconds
    while "done" not in record and time.monotonic() < end:
        time.sleep(0.01)
    assert "done" in record, "the server was still sending"
    return record


def test_mnist_sizes_are_the_decompressed_sizes():
    from annteach.mnist import MNIST_SIZES

    assert MNIST_SIZES == SIZES
    for name in MNIST_SHA256:
        assert len(gzip.decompress((DATA / f"{name}.gz").read_bytes())) == SIZES[name]


def test_data_readme_table_matches_the_sizes_and_checksums():
    import re

    readme = (DATA.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([\w-]+)` \| ([\d,]+) \| `([0-9a-f]{64})` \|$", readme, re.M)
    table = {name: (int(size.replace(",", "")), sha) for name, size, sha in rows}
    assert table == {name: (SIZES[name], MNIST_SHA256[name]) for name in MNIST_SHA256}


@pytest.mark.parametrize(
    "kind, said, largest_part",
    [
        ("endless", "sent more than", range(2 * SIZES[TEST_LABELS] + 1)),
        ("lying-length", "announces 10000000000 bytes", range(1)),  # refused before reading
    ],
)
def test_endless_body_stops_at_the_files_size(hostile, tmp_path, kind, said, largest_part):
    dest = tmp_path / "dest"
    with pytest.raises(OSError, match=said) as info:
        fetch_mnist(dest, base_urls=[f"{hostile.url}/{kind}/"], progress=False,
                    files=[TEST_LABELS])
    assert f"{hostile.url}/{kind}/{TEST_LABELS}.gz" in str(info.value)
    assert f"more than {TEST_LABELS}.gz can" in str(info.value)
    record = finished(hostile.records[-1])
    assert record["largest_part"] in largest_part
    assert record["cut_off"] and record["sent"] < 32 << 20
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize("kind", ["trickle-body", "trickle-head"])
def test_trickling_server_hits_the_deadline(hostile, tmp_path, kind):
    # Every read gets a byte well within the timeout; only a deadline for the whole file helps.
    dest = tmp_path / "dest"
    start = time.monotonic()
    with pytest.raises(OSError, match="deadline") as info:
        fetch_mnist(dest, base_urls=[f"{hostile.url}/{kind}/"], progress=False,
                    files=[TEST_LABELS], timeout=2, deadline=0.5)
    elapsed = time.monotonic() - start
    assert elapsed < 3, f"fetch_mnist gave up after {elapsed:.1f} s"
    assert f"{kind}/{TEST_LABELS}.gz" in str(info.value) and "0.5 s" in str(info.value)
    assert list(dest.iterdir()) == []


def test_body_shorter_than_announced_is_reported(hostile, tmp_path):
    with pytest.raises(OSError, match=f"closed after 100 of the {SIZES[TEST_LABELS]} bytes"):
        fetch_mnist(tmp_path / "dest", base_urls=[f"{hostile.url}/short/"], progress=False,
                    files=[TEST_LABELS])
    assert list((tmp_path / "dest").iterdir()) == []


@pytest.mark.parametrize("seconds", [0, -1, float("nan"), float("inf"), "10", True, None])
@pytest.mark.parametrize("setting", ["timeout", "deadline"])
def test_timeout_and_deadline_must_be_positive_seconds(tmp_path, setting, seconds):
    with pytest.raises(ValueError, match=f"{setting} must be a positive number of seconds"):
        fetch_mnist(tmp_path, base_urls=[], files=[TEST_LABELS], **{setting: seconds})


def test_bomb_from_a_mirror_is_refused_by_its_header(hostile, tmp_path):
    import tqdm.auto  # noqa: F401 - imported before measuring, as fetch_mnist imports it

    nbytes = 8 << 20  # labels declared: 8 MiB of zeros, about 8 KB compressed
    member = gzip.compress(bytes(1 << 20), mtime=0)
    head = bytes([0, 0, 8, 1]) + nbytes.to_bytes(4, "big")
    hostile.blob = gzip.compress(head + bytes((1 << 20) - 8), mtime=0) + member * 7
    assert len(hostile.blob) < SIZES[TEST_LABELS]
    dest = tmp_path / "dest"
    tracemalloc.start()
    try:
        with pytest.raises(OSError) as info:
            fetch_mnist(dest, base_urls=[f"{hostile.url}/blob/"], progress=False,
                        files=[TEST_LABELS])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(nbytes) in str(info.value) and "limit" in str(info.value)
    assert peak < 4 << 20, f"peak allocation {peak} bytes"
    assert list(dest.iterdir()) == []


def test_base_url_given_as_a_string(server, tmp_path):
    dest = fetch_mnist(tmp_path / "d", base_urls=f"{server}/good/", progress=False,
                       files=[TEST_LABELS])
    assert sha256_decompressed(dest / f"{TEST_LABELS}.gz") == MNIST_SHA256[TEST_LABELS]


def part_name(name, tag="0123456789ab"):
    return f".{name}.gz.{tag}.part"


@pytest.mark.skipif(sys.platform == "win32", reason="locks partial files with fcntl.flock")
def test_stale_partial_files_are_removed(server, tmp_path):
    import fcntl

    dest = tmp_path / "stale"
    dest.mkdir()
    stale = dest / part_name(TEST_LABELS)
    stale.write_bytes(b"\x1f\x8b" + bytes(1000))
    busy = dest / part_name(TRAIN_LABELS, "ba9876543210")  # another download, still running
    busy.write_bytes(b"\x1f\x8b")
    foreign = [dest / "notes.part", dest / ".unrelated.gz.0123456789ab.part"]
    for path in foreign:
        path.write_bytes(b"keep")
    with open(busy, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        fetch_mnist(dest, base_urls=[f"{server}/good/"], progress=False, files=[TEST_LABELS])
        assert sorted(p.name for p in dest.iterdir()) == sorted(
            [f"{TEST_LABELS}.gz", busy.name, *(p.name for p in foreign)]
        )


def test_partial_file_of_a_killed_run_is_removed(hostile, server, tmp_path):
    dest = tmp_path / "dest"
    code = (
        "import sys, annteach; annteach.fetch_mnist(sys.argv[1], base_urls=[sys.argv[2]], "
        f"progress=False, files=[{TEST_LABELS!r}])"
    )
    url = f"{hostile.url}/trickle-body/"
    child = subprocess.Popen([sys.executable, "-c", code, str(dest), url])
    try:
        end = time.monotonic() + 30
        while not list(dest.glob(".*.part")) and child.poll() is None and time.monotonic() < end:
            time.sleep(0.02)
    finally:
        child.kill()
        child.wait()
    left = list(dest.glob(".*.part"))
    assert len(left) == 1, "the killed download left no partial file to clean up"
    fetch_mnist(dest, base_urls=[f"{server}/good/"], progress=False, files=[TEST_LABELS])
    assert [p.name for p in dest.iterdir()] == [f"{TEST_LABELS}.gz"]
