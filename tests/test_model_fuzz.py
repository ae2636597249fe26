"""Fuzzing load_cnn with mutated model files (the .npz weights and their .json description).

A seeded loop makes several hundred file pairs from valid ones: truncations, bit flips and
extra bytes in either file, zip members dropped, renamed, duplicated, swapped or
recompressed, .npy headers with other dtypes, shapes, orders and versions, huge declared
shapes over deflated zeros, NaN and infinite weights, and JSON descriptions with entries
removed, replaced by other types, huge or impossible numbers, other dtypes, deep nesting or
broken text; after a change to the weights the recorded SHA-256 is often brought up to date,
so that the checks behind it are reached. Each pair is checked against a decoder written
here from the file format and load_cnn's documented rules: load_cnn must return exactly
the weights that decoder finds, or raise ModelFileError naming one of the two files when it
finds none, and each load must take under 1 s and 200 MB (numpy reports its buffers to
tracemalloc, so the traced peak includes the arrays).
"""

import ast
import bz2
import hashlib
import io
import json
import lzma
import math
import re
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
from fuzz_support import measured

from annteach.cnn import CNN, MAX_PARAMS
from annteach.cnn_files import MAX_JSON_BYTES, ModelFileError, load_cnn, save_cnn

SEED = 1414
CASES = 700

BASES = [
    {"conv_channels": (2, 3), "paddings": (0, 0), "hidden": 4, "dtype": np.float32},
    {"conv_channels": (3,), "paddings": (1,), "hidden": None, "n_classes": 3,
     "input_shape": (2, 9, 9), "dtype": np.float64},
]
KEYS = ("conv_channels", "kernel_size", "paddings", "hidden", "n_classes", "input_shape")


# -- the decoder: what load_cnn must find --------------------------------------------------

class Refused(Exception):
    pass


def integer(value, minimum):
    if type(value) is not int or value < minimum:
        raise Refused(f"bad integer {value!r}")
    return value


def param_shapes(arch):
    """The parameter shapes of a JSON architecture, from the network's definition."""
    if not isinstance(arch, dict) or sorted(arch) != sorted(KEYS):
        raise Refused("architecture entries")
    for key in ("conv_channels", "paddings", "input_shape"):
        if not isinstance(arch[key], list):
            raise Refused(f"{key} not a list")
    channels = [integer(c, 1) for c in arch["conv_channels"]]
    k = integer(arch["kernel_size"], 1)
    paddings = [integer(p, 0) for p in arch["paddings"]]
    hidden = None if arch["hidden"] is None else integer(arch["hidden"], 1)
    n_classes = integer(arch["n_classes"], 2)
    shape = [integer(s, 1) for s in arch["input_shape"]]
    if not channels or len(paddings) != len(channels) or max(paddings) >= k or len(shape) != 3:
        raise Refused("layers")
    C, H, W = shape
    shapes = {}
    for i, (F, p) in enumerate(zip(channels, paddings), start=1):
        H, W = H + 2 * p - k + 1, W + 2 * p - k + 1
        if H < 2 or W < 2:
            raise Refused("too small")
        H, W = H // 2, W // 2
        shapes[f"W{i}"], shapes[f"b{i}"] = (F, C, k, k), (F,)
        C = F
    sizes = [C * H * W] + ([hidden] if hidden else []) + [n_classes]
    for m, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=len(channels) + 1):
        shapes[f"W{m}"] = (n_out, n_in + 1)
    if sum(math.prod(s) for s in shapes.values()) > MAX_PARAMS:
        raise Refused("too many parameters")
    return shapes


def npy_array(blob, shape, dtype):
    """The array of a .npy file, if it is a float array of ``shape``."""
    if blob[:6] != b"\x93NUMPY" or len(blob) < 10:
        raise Refused("magic")
    if blob[6:8] == b"\x01\x00":
        n, start = int.from_bytes(blob[8:10], "little"), 10
    elif blob[6:8] == b"\x02\x00" and len(blob) >= 12:
        n, start = int.from_bytes(blob[8:12], "little"), 12
    else:
        raise Refused("version")
    if n > 10_000 or len(blob) < start + n:
        raise Refused("header size")
    try:
        header = ast.literal_eval(blob[start:start + n].decode("latin1"))
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError) as exc:
        raise Refused("header text") from exc
    if not isinstance(header, dict) or sorted(header) != ["descr", "fortran_order", "shape"]:
        raise Refused("header keys")
    if type(header["fortran_order"]) is not bool or header["shape"] != shape or not all(
            type(d) is int for d in header["shape"]):
        raise Refused("header shape or order")
    descr = header["descr"]
    if not isinstance(descr, str):
        raise Refused("structured")
    try:
        stored = np.dtype(descr)
    except TypeError as exc:
        raise Refused("descr") from exc
    if stored.kind != "f" or stored.itemsize > 8:
        raise Refused("not float")
    data = blob[start + n:]
    if len(data) != stored.itemsize * math.prod(shape):
        raise Refused("data size")
    order = "F" if header["fortran_order"] else "C"
    with np.errstate(over="ignore"):
        array = np.frombuffer(data, stored).reshape(shape, order=order).astype(dtype)
    if not np.isfinite(array).all():
        raise Refused("not finite")
    return array


def expected_weights(npz, text):
    """The weights load_cnn must return for this pair of files, or None."""
    try:
        if len(text) > MAX_JSON_BYTES:
            raise Refused("description size")

        def constant(name):
            raise Refused(name)

        try:
            meta = json.loads(text.decode("utf-8"), parse_constant=constant)
        except (ValueError, RecursionError) as exc:
            raise Refused("JSON") from exc
        if not isinstance(meta, dict):
            raise Refused("not an object")
        sha = meta.get("sha256")
        if not (isinstance(sha, str) and re.fullmatch("[0-9a-f]{64}", sha)):
            raise Refused("sha256 entry")
        shapes = param_shapes(meta.get("architecture"))
        dtype = meta.get("dtype", "float32")
        if dtype not in ("float32", "float64"):
            raise Refused("dtype")
        if "param_shapes" in meta and meta["param_shapes"] != {
                k: list(s) for k, s in shapes.items()}:
            raise Refused("param_shapes")
        if "n_params" in meta and meta["n_params"] != sum(map(math.prod, shapes.values())):
            raise Refused("n_params")
        if hashlib.sha256(npz).hexdigest() != sha:
            raise Refused("sha")
        try:
            with zipfile.ZipFile(io.BytesIO(npz)) as zf:
                if sorted(zf.namelist()) != sorted(f"{k}.npy" for k in shapes):
                    raise Refused("members")
                return {k: npy_array(zf.read(f"{k}.npy"), s, dtype) for k, s in shapes.items()}
        except Refused:
            raise
        except Exception as exc:  # noqa: BLE001  -- anything zipfile raises: a broken archive
            raise Refused("zip") from exc
    except Refused:
        return None


# -- the mutations -------------------------------------------------------------------------

def flip_bits(rng, data):
    if not data:
        return data
    data = bytearray(data)
    for _ in range(int(rng.integers(1, 5))):
        i = int(rng.integers(0, len(data)))
        data[i] ^= 1 << int(rng.integers(0, 8))
    return bytes(data)


def members(npz):
    with zipfile.ZipFile(io.BytesIO(npz)) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def rezip(items, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression) as zf:
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        for name, data in items:
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                        compress_type=compression)
    return buffer.getvalue()


def npy_with_header(blob, rng):
    """The .npy ``blob`` with one field of its header rewritten."""
    n = int.from_bytes(blob[8:10], "little")
    header = ast.literal_eval(blob[10:10 + n].decode("latin1"))
    field = int(rng.integers(0, 5))
    if field == 0:
        header["descr"] = str(rng.choice(["<f4", ">f4", "<f8", ">f8", "<f2", "<i4", "|u1",
                                          "|b1", "<c8", "|O", "<M8[s]", "<U2", "|V4", "<f16",
                                          "|S4", "<f5"]))
    elif field == 1:
        shape = header["shape"]
        header["shape"] = [(), (10**9,), (2**62, 2), tuple(d + 1 for d in shape),
                           shape[:-1], shape + (1,), (-1,) + shape[1:]][int(rng.integers(0, 7))]
    elif field == 2:
        header["fortran_order"] = not header["fortran_order"]
    elif field == 3:
        header["descr"] = [("x", "<f4")]
    else:
        header["extra"] = 1
    text = repr(header).encode("latin1")
    text += b" " * ((-(10 + len(text) + 1)) % 64) + b"\n"
    return blob[:8] + len(text).to_bytes(2, "little") + text + blob[10 + n:]


def mutate_npz(rng, npz):
    kind = int(rng.integers(0, 10))
    if kind == 0:
        return npz[: int(rng.integers(0, len(npz)))]
    if kind == 1:
        return flip_bits(rng, npz)
    if kind == 2:
        return npz + rng.integers(0, 256, int(rng.integers(1, 64)), np.uint8).tobytes()
    try:
        items = members(npz)
    except Exception:  # noqa: BLE001  -- an earlier mutation broke the archive
        return flip_bits(rng, npz)
    if kind == 3:  # drop, rename, duplicate or swap members
        i, j = (int(x) for x in rng.integers(0, len(items), 2))
        how = int(rng.integers(0, 4))
        if how == 0:
            items.pop(i)
        elif how == 1:
            items[i] = (str(rng.choice(["W9.npy", "w1.npy", items[i][0][:-4], "../W1.npy",
                                        items[j][0]])), items[i][1])
        elif how == 2:
            items.append(items[i])
        else:
            items[i], items[j] = (items[i][0], items[j][1]), (items[j][0], items[i][1])
    elif kind == 4:  # another header
        i = int(rng.integers(0, len(items)))
        try:
            items[i] = (items[i][0], npy_with_header(items[i][1], rng))
        except (ValueError, SyntaxError):  # an earlier mutation broke it already
            pass
    elif kind == 5:  # a NaN or infinity among the weights
        i = int(rng.integers(0, len(items)))
        name, blob = items[i]
        try:  # an array an earlier mutation left readable
            array = np.load(io.BytesIO(blob), allow_pickle=False).copy()
        except (ValueError, OSError, EOFError):
            array = np.zeros(0)
        if array.dtype.kind == "f" and array.size:
            array.flat[int(rng.integers(0, array.size))] = rng.choice([np.nan, np.inf, -np.inf])
            buffer = io.BytesIO()
            np.save(buffer, array)
            items[i] = (name, buffer.getvalue())
    elif kind == 6:  # more data after an array, deflated: up to 2 MB of zeros
        i = int(rng.integers(0, len(items)))
        extra = int(rng.choice([1, 7, 10**5, 2 * 10**6]))
        items[i] = (items[i][0], items[i][1] + bytes(extra))
        return rezip(items, zipfile.ZIP_DEFLATED)
    elif kind == 7:  # less data
        i = int(rng.integers(0, len(items)))
        items[i] = (items[i][0], items[i][1][: -int(rng.integers(1, 9))])
    elif kind == 8:  # the header's version or magic
        i = int(rng.integers(0, len(items)))
        blob = bytearray(items[i][1])
        blob[int(rng.integers(0, 8))] ^= 1 << int(rng.integers(0, 8))
        items[i] = (items[i][0], bytes(blob))
    # kind 9: only recompressed
    method = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
              zipfile.ZIP_LZMA][int(rng.integers(0, 4))]
    return rezip(items, method)


def deep(depth):
    return "[" * depth + "]" * depth


POOL = [0, 1, -1, 2, 3, 4, 5, 10**6, 10**9, 10**30, 2.0, 1e308, True, False, None, "3",
        [], [2], [0], [2, 3, 4], [10**6], [1, 10**5, 10**5], {"a": 1}, "float32"]


def mutate_json(rng, text):
    kind = int(rng.integers(0, 9))
    if kind == 0:
        return text[: int(rng.integers(0, len(text)))]
    if kind == 1:
        return flip_bits(rng, text)
    if kind == 2:
        return deep(int(rng.choice([100, 990, 5000, 100_000]))).encode()
    meta = json.loads(text)
    arch = meta["architecture"]
    if kind == 3:
        key = str(rng.choice(KEYS))
        arch[key] = POOL[int(rng.integers(0, len(POOL)))]
    elif kind == 4:
        target = meta if rng.random() < 0.5 else arch
        target.pop(str(rng.choice(sorted(target))))
    elif kind == 5:
        meta["dtype"] = str(rng.choice(["float32", "float64", "int8", "complex64", "object",
                                        "float16", "str", "<f4", "float"]))
    elif kind == 6:
        meta["sha256"] = str(rng.choice([meta["sha256"].upper(), meta["sha256"][:63],
                                         "0" * 64, meta["sha256"] + "0"]))
    elif kind == 7:  # deep nesting inside an entry
        return text.replace(b'"history": [', b'"history": [' + deep(800).encode() + b", ", 1)
    else:
        key = str(rng.choice(["n_params", "param_shapes", "architecture"]))
        meta[key] = POOL[int(rng.integers(0, len(POOL)))]
    return json.dumps(meta).encode()


def fix_sha(npz, text):
    try:
        meta = json.loads(text)
        meta["sha256"] = hashlib.sha256(npz).hexdigest()
        return json.dumps(meta).encode()
    except (ValueError, TypeError, RecursionError):
        return text


def base_files(tmp_path):
    files = []
    for i, base in enumerate(BASES):
        model = CNN(**base, seed=i)
        path = tmp_path / f"base{i}.npz"
        save_cnn(model, path, {"history": [{"loss": 0.5, "accuracy": 0.9}]})
        files.append((path.read_bytes(), path.with_suffix(".json").read_bytes()))
    return files


def cases(rng, bases):
    hostile = [b"", b"\x93NUMPY\x01\x00" + bytes(118), b"PK\x05\x06" + bytes(18),
               b"\x80\x04K\x01.", b"hello"]
    for npz, text in bases:
        yield npz, text  # valid
        for blob in hostile:
            yield blob, fix_sha(blob, text)
    for i in range(CASES):
        npz, text = bases[i % len(bases)]
        what = rng.random()
        if what < 0.55:
            for _ in range(int(rng.integers(1, 3))):
                npz = mutate_npz(rng, npz)
            if rng.random() < 0.8:
                text = fix_sha(npz, text)
        elif what < 0.9:
            text = mutate_json(rng, text)
        else:
            npz = mutate_npz(rng, npz)
            text = fix_sha(npz, mutate_json(rng, text))
        yield npz, text


def test_mutated_model_files_load_right_or_raise_a_named_error(tmp_path):
    rng = np.random.default_rng(SEED)
    # made (and decoded) first, so that tracemalloc slows only the loads
    pairs = [(npz, text, expected_weights(npz, text))
             for npz, text in cases(rng, base_files(tmp_path))]
    problems, n_loaded, n_refused = [], 0, 0
    path, jpath = tmp_path / "model.npz", tmp_path / "model.json"
    tracemalloc.start()
    try:
        for i, (npz, text, expected) in enumerate(pairs):
            path.write_bytes(npz)
            jpath.write_bytes(text)
            outcome, problem = measured(lambda: load_cnn(path), ModelFileError)
            if problem:
                problems.append(f"case {i}: {problem}")
                if outcome is None:
                    continue
            if expected is None:
                n_refused += 1
                named = str(path) in str(outcome) or str(jpath) in str(outcome)
                if not isinstance(outcome, ModelFileError) or not named:
                    problems.append(f"case {i}: expected an error naming a file: {outcome!r}")
                elif "allow_pickle" in str(outcome):
                    problems.append(f"case {i}: numpy's pickle hint shown: {outcome}")
            elif isinstance(outcome, ModelFileError):
                n_loaded += 1
                problems.append(f"case {i}: refused a valid model: {outcome}")
            else:
                n_loaded += 1
                if list(outcome.weights) != list(expected) or not all(
                        W.dtype == expected[k].dtype and np.array_equal(W, expected[k])
                        for k, W in outcome.weights.items()):
                    problems.append(f"case {i}: wrong weights")
    finally:
        tracemalloc.stop()
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:10])
    # The mutations must reach both outcomes, or the loop proves little.
    assert n_loaded > 40 and n_refused > 500, (n_loaded, n_refused)


def test_the_decoder_knows_valid_and_broken_files(tmp_path):
    (npz, text), _ = base_files(tmp_path)
    weights = expected_weights(npz, text)
    assert weights is not None and list(weights) == ["W1", "b1", "W2", "b2", "W3", "W4"]
    assert expected_weights(npz[:-1], text) is None
    assert expected_weights(npz, fix_sha(npz[:-1], text)) is None
    recompressed = rezip(members(npz), zipfile.ZIP_LZMA)
    assert expected_weights(recompressed, fix_sha(recompressed, text)) is not None
    assert bz2 and lzma and zlib  # the compressions zipfile needs are present
