"""Hostile and damaged model files: load_cnn checks everything before it allocates or trusts,
and save_cnn replaces a model so that the old one loads until the new one is complete."""

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import tracemalloc
import zipfile

import numpy as np
import pytest

from annteach.cnn import CNN
from annteach.cnn_files import MAX_JSON_BYTES, ModelFileError, load_cnn, save_cnn

SMALL = {"conv_channels": (2, 3), "paddings": (0, 0), "hidden": 4}


def small_model(seed=0, **kw):
    return CNN(**(SMALL | kw), seed=seed)


@pytest.fixture
def saved(tmp_path):
    """A small model saved as tmp_path/m.npz and m.json."""
    path = tmp_path / "m.npz"
    save_cnn(small_model(), path)
    return path


def arrays_of(path):
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def fix_sha(path):
    """Record the SHA-256 of the weights file in its JSON, as if it were genuine."""
    jpath = path.with_suffix(".json")
    meta = json.loads(jpath.read_text())
    meta["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    jpath.write_text(json.dumps(meta))


def store(path, blob):
    path.write_bytes(blob)
    fix_sha(path)


def edit_json(path, edit):
    jpath = path.with_suffix(".json")
    meta = json.loads(jpath.read_text())
    edit(meta)
    jpath.write_text(json.dumps(meta))


def refused(path, *words, name=None):
    """load_cnn(path) must raise ModelFileError naming the file (and ``words``)."""
    with pytest.raises(ModelFileError) as info:
        load_cnn(path)
    message = str(info.value)
    assert str(name or path) in message, message
    for word in words:
        assert word in message, message
    assert "allow_pickle" not in message and "pickled" not in message, message
    return message


# -- the JSON description ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    b"[" * 100_000 + b"]" * 100_000,  # RecursionError in json
    b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
    b"[]",
    b'"cnn"',
    b"",
    b"{not json",
    b'{"architecture": NaN}',
    b'\xff\xfe{"architecture": 1}',  # not UTF-8
])
def test_unreadable_descriptions_are_named(saved, text):
    saved.with_suffix(".json").write_bytes(text)
    refused(saved, name=saved.with_suffix(".json"))


def test_a_huge_description_is_not_read(saved):
    jpath = saved.with_suffix(".json")
    jpath.write_text(" " * MAX_JSON_BYTES + "{}")
    refused(saved, "bytes", name=jpath)


@pytest.mark.parametrize("dtype", ["int8", "complex64", "object", "str", "U8", "float16",
                                   "'x'", 5, None, ["float32"]])
def test_only_float32_or_float64_descriptions(saved, dtype):
    edit_json(saved, lambda meta: meta.update(dtype=dtype))
    refused(saved, "dtype", name=saved.with_suffix(".json"))


@pytest.mark.parametrize(("key", "value"), [
    ("hidden", 10**6), ("hidden", 10**9), ("hidden", 10**100), ("hidden", -1), ("hidden", 0),
    ("hidden", 4.0), ("hidden", True), ("hidden", "4"), ("n_classes", 0), ("n_classes", 1),
    ("conv_channels", []), ("conv_channels", 2), ("conv_channels", "23"),
    ("conv_channels", [2, 10**6]), ("conv_channels", [{"a": 1}, 3]), ("kernel_size", 10**4),
    ("paddings", [0]), ("paddings", [7, 0]), ("input_shape", [1, 28]),
    ("input_shape", [1, 10**6, 10**6]), ("input_shape", None),
])
def test_impossible_or_huge_architectures_fail_before_anything_is_built(saved, key, value):
    edit_json(saved, lambda meta: meta["architecture"].update({key: value}))
    tracemalloc.start()
    try:
        refused(saved, "architecture", name=saved.with_suffix(".json"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 10**6


@pytest.mark.parametrize("edit", [
    lambda meta: meta.pop("architecture"),
    lambda meta: meta.pop("sha256"),
    lambda meta: meta.update(sha256=12),
    lambda meta: meta.update(sha256="abc"),
    lambda meta: meta["architecture"].pop("hidden"),
    lambda meta: meta["architecture"].update(extra=1),
    lambda meta: meta.update(architecture=[1, 2]),
    lambda meta: meta.update(n_params=5),
    lambda meta: meta["param_shapes"].update(W1=[2, 1, 4, 4]),
])
def test_incomplete_or_contradictory_descriptions(saved, edit):
    edit_json(saved, edit)
    refused(saved, name=saved.with_suffix(".json"))


# -- the weights file ----------------------------------------------------------------------

def test_an_empty_file(saved):
    store(saved, b"")
    refused(saved, "zip")


def test_a_npy_file_given_as_npz(saved):
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(3, np.float32))
    store(saved, buffer.getvalue())
    refused(saved, "zip")


def test_a_pickle_or_text_file(saved):
    import pickle

    store(saved, pickle.dumps({"W1": [1, 2]}))
    refused(saved, "zip")
    store(saved, b"hello world " * 10)
    refused(saved, "zip")


@pytest.mark.parametrize("dtype", ["i4", "u1", "?", "c8", "c16", "M8[s]", "m8[s]", "U3", "S4",
                                   [("x", "f4")], [("x", "f4", (2,))]])
def test_weights_that_are_not_floats(saved, dtype):
    arrays = arrays_of(saved)
    arrays["b1"] = np.zeros(arrays["b1"].shape, dtype)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    store(saved, buffer.getvalue())
    refused(saved, "b1")


def test_object_arrays_are_never_unpickled(saved, monkeypatch):
    import pickle

    arrays = arrays_of(saved)
    arrays["b1"] = np.array([0.0, 1.0], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    store(saved, buffer.getvalue())
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    refused(saved, "b1")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e300])
def test_non_finite_weights(saved, value):
    arrays = arrays_of(saved)
    arrays["W3"] = arrays["W3"].astype(np.float64)
    arrays["W3"][1, 2] = value  # 1e300 is finite as float64, inf as the model's float32
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    store(saved, buffer.getvalue())
    refused(saved, "W3", "finite")


def test_float64_and_fortran_order_weights_load(saved):
    model = small_model()
    arrays = {k: np.asfortranarray(v.astype(np.float64)) for k, v in model.weights.items()}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    store(saved, buffer.getvalue())
    loaded = load_cnn(saved)
    for name, W in model.weights.items():
        assert loaded.weights[name].dtype == np.float32 and loaded.weights[name].flags.c_contiguous
        assert loaded.weights[name].flags.writeable
        np.testing.assert_array_equal(loaded.weights[name], W)


def _zip(members, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def _npy(array=None, header=None):
    buffer = io.BytesIO()
    np.save(buffer, array)
    blob = buffer.getvalue()
    if header is not None:  # replace the header dict, keeping the data
        n = int.from_bytes(blob[8:10], "little")
        text = repr(header).encode("latin1")
        text += b" " * ((-(10 + len(text) + 1)) % 64) + b"\n"
        blob = blob[:8] + len(text).to_bytes(2, "little") + text + blob[10 + n:]
    return blob


def _members(path):
    return [(f"{k}.npy", _npy(v)) for k, v in arrays_of(path).items()]


def test_a_huge_declared_shape_is_not_inflated(saved):
    # W3 declares 10**9 float32 (4 GB) over 40 MB of deflated zeros (about 40 KB on disk)
    members = [m for m in _members(saved) if m[0] != "W3.npy"]
    header = {"descr": "<f4", "fortran_order": False, "shape": (10**9,)}
    members.append(("W3.npy", _npy(np.zeros(10**7, np.float32), header)))
    store(saved, _zip(members, zipfile.ZIP_DEFLATED))
    tracemalloc.start()
    try:
        refused(saved, "W3", "shape")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 10**6


def test_more_data_than_the_header_declares(saved):
    members = _members(saved)
    name, blob = members[0]
    members[0] = (name, blob + bytes(10**6))
    store(saved, _zip(members, zipfile.ZIP_DEFLATED))
    refused(saved, name[:-4])


def test_less_data_than_the_header_declares(saved):
    members = _members(saved)
    name, blob = members[-1]
    members[-1] = (name, blob[:-3])
    store(saved, _zip(members))
    refused(saved, name[:-4])


@pytest.mark.parametrize("change", ["missing", "extra", "duplicate", "renamed", "directory"])
def test_members_must_be_exactly_the_parameters(saved, change):
    members = _members(saved)
    if change == "missing":
        members.pop(2)
    elif change == "extra":
        members.append(("extra.npy", _npy(np.zeros(2, np.float32))))
    elif change == "duplicate":
        members.append(members[0])
    elif change == "renamed":
        members[0] = ("W1", members[0][1])
    else:
        members.append(("W9.npy/", b""))
    with pytest.warns(UserWarning) if change == "duplicate" else _nothing():
        store(saved, _zip(members))
    refused(saved, "arrays")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_bad_npy_magic_or_version(saved):
    members = _members(saved)
    members[0] = (members[0][0], b"\x93NUMPY\x09\x00" + members[0][1][8:])
    store(saved, _zip(members))
    refused(saved, "W1")
    members[0] = (members[0][0], b"PK" + members[0][1][2:])
    store(saved, _zip(members))
    refused(saved, "W1")


def _flag_first_member(blob, offset, value):
    """Set a 2-byte field of the first member in its local header and the central directory
    (``offset`` within the central record; the local record has it 2 bytes earlier)."""
    blob = bytearray(blob)
    central = blob.find(b"PK\x01\x02")
    for at in (offset - 2, central + offset):
        blob[at:at + 2] = value.to_bytes(2, "little")
    return bytes(blob)


def test_an_encrypted_member(saved):
    store(saved, _flag_first_member(_zip(_members(saved)), 8, 1))  # flags: encrypted
    refused(saved)


def test_a_member_in_an_unknown_compression(saved):
    store(saved, _flag_first_member(_zip(_members(saved)), 10, 99))  # method 99: AES
    refused(saved)


@pytest.mark.parametrize("which", ["npz", "json"])
def test_a_fifo_is_refused_without_blocking(saved, which):
    target = saved if which == "npz" else saved.with_suffix(".json")
    target.unlink()
    os.mkfifo(target)
    outcome = []

    def load():
        try:
            load_cnn(saved)
        except Exception as exc:  # the type is checked below
            outcome.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # release the reader before failing
        with open(target, "wb"):
            pass
        pytest.fail("load_cnn blocked on a FIFO")
    assert isinstance(outcome[0], ModelFileError) and str(target) in str(outcome[0])
    assert "FIFO" in str(outcome[0])


def test_a_directory_is_refused(saved):
    saved.unlink()
    saved.mkdir()
    refused(saved, "directory")


def test_a_huge_weights_file_is_not_hashed(saved):
    with open(saved, "ab") as f:
        f.truncate(10**9)  # sparse: 1 GB in size, nothing on disk
    refused(saved, "bytes")


# -- save_cnn ------------------------------------------------------------------------------

def test_save_refuses_non_finite_weights_and_writes_nothing(tmp_path):
    model = small_model()
    model.weights["W2"][0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="W2"):
        save_cnn(model, tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("info", [{"lr": float("inf")}, {"history": [{"loss": float("nan")}]}])
def test_save_refuses_a_description_that_is_not_json(tmp_path, info):
    with pytest.raises(ValueError, match="JSON"):
        save_cnn(small_model(), tmp_path / "m.npz", info)
    assert list(tmp_path.iterdir()) == []


def test_save_over_a_model_keeps_the_names_and_leaves_nothing_else(saved):
    new = small_model(seed=5)
    save_cnn(new, saved)
    assert sorted(p.name for p in saved.parent.iterdir()) == ["m.json", "m.npz"]
    np.testing.assert_array_equal(load_cnn(saved).weights["W1"], new.weights["W1"])


def test_a_failed_json_write_leaves_the_old_model(saved, monkeypatch):
    import annteach.cnn_files as cnn_files

    old = load_cnn(saved).weights["W1"].copy()
    real = cnn_files.os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if str(dst).endswith(".json"):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(cnn_files.os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        save_cnn(small_model(seed=5), saved)
    monkeypatch.undo()
    assert any(str(c).endswith(".npz") for c in calls)  # the npz had been replaced already
    np.testing.assert_array_equal(load_cnn(saved).weights["W1"], old)
    assert sorted(p.name for p in saved.parent.iterdir()) == ["m.json", "m.npz"]


# Runs in a child: saves a new model over tmp/m.npz, killing itself (SIGKILL) just before
# the k-th file-system step of the save.
KILL_AT = """
import os, signal, sys, tempfile
import annteach.cnn_files as cnn_files
from annteach.cnn import CNN
k, path = int(sys.argv[1]), sys.argv[2]
steps = [0]

def step(function):
    def wrapped(*args, **kwargs):
        steps[0] += 1
        if steps[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return wrapped

for name in ("replace", "link", "unlink", "rename", "fsync"):
    setattr(os, name, step(getattr(os, name)))
tempfile.mkstemp = step(tempfile.mkstemp)
cnn_files.save_cnn(CNN(conv_channels=(2, 3), paddings=(0, 0), hidden=4, seed=5), path)
print("steps", steps[0])
"""


def test_a_kill_at_any_step_of_a_save_leaves_a_model_that_loads(tmp_path):
    old, new = small_model(seed=0), small_model(seed=5)
    path = tmp_path / "m.npz"
    outcomes = []
    for k in range(1, 30):
        save_cnn(old, path)
        done = subprocess.run([sys.executable, "-c", KILL_AT, str(k), str(path)],
                              capture_output=True, text=True)
        loaded = load_cnn(path).weights["W1"]
        if np.array_equal(loaded, old.weights["W1"]):
            outcomes.append("old")
        else:
            np.testing.assert_array_equal(loaded, new.weights["W1"])
            outcomes.append("new")
        if done.returncode == 0:
            break
        assert done.returncode == -signal.SIGKILL, done.stderr
    else:
        pytest.fail("the save never finished")
    assert outcomes[0] == "old" and outcomes[-1] == "new"
    assert outcomes == sorted(outcomes, reverse=True)  # old ... old new ... new
    # the next save cleans up whatever a killed one left
    save_cnn(old, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.npz"]


def test_save_replaces_links_instead_of_writing_through_them(tmp_path, saved):
    other = tmp_path / "other"
    other.mkdir()
    for suffix in (".npz", ".json"):
        (other / f"m{suffix}").symlink_to(saved.with_suffix(suffix))
    before = saved.read_bytes(), saved.with_suffix(".json").read_bytes()
    save_cnn(small_model(seed=5), other / "m.npz")
    assert (saved.read_bytes(), saved.with_suffix(".json").read_bytes()) == before
    assert not (other / "m.npz").is_symlink()
    load_cnn(other / "m.npz")
