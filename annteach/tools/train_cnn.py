"""Train the CNN from scratch on MNIST: ``python -m annteach train-cnn [--out DIR]``.

The defaults (:data:`DEFAULTS`) are the recipe of the shipped weights: the
:class:`~annteach.CNN` default architecture (conv 12 and 24 channels, dense 128)
trained by :func:`annteach.training.train` with its :data:`~annteach.training.RECIPE`
(12 epochs over the 60,000 training images in mini-batches of 128, Adam with a
cosine learning-rate decay from 2e-3 to 0, random shifts of up to 2 pixels,
seed 0), with BLAS on one thread (its products are small; a second thread
gains little and loses a lot when the cores are shared) and glibc keeping freed
memory for reuse (:func:`annteach.memory.reuse_freed_memory`). At the end the
command measures the accuracy on the 10,000 test images and writes ``cnn.npz``
and ``cnn.json`` (:func:`annteach.cnn_files.save_cnn`) into ``--out``: by
default ``models/`` in the per-user cache folder, never the package folder. The
shipped model (``annteach/weights/`` in a clone) may be replaced only by the
documented recipe, given that folder as ``--out`` explicitly.
"""

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from ..cnn import CNN
from ..cnn_files import MODEL_NAME, default_model_path, save_cnn
from ..evaluation import model_accuracy
from ..paths import user_cache_dir
from ..training import RECIPE, train

__all__ = ["DEFAULTS", "configure_parser", "default_out", "run"]

#: The documented recipe (the command-line defaults).
DEFAULTS = {**RECIPE, "threads": 1, "conv_channels": (12, 24), "hidden": 128}


def default_out():
    """Where a trained model goes by default: ``models/`` in the per-user cache folder."""
    return user_cache_dir() / "models"


def _machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "numpy": np.__version__,
            "python": platform.python_version(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")}


def configure_parser(parser):
    """Add the options of ``annteach train-cnn`` (defaults: :data:`DEFAULTS`)."""
    d = DEFAULTS
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder for cnn.npz and cnn.json (default: {default_out()}); "
                             f"the shipped model's folder {default_model_path().parent} takes "
                             "the documented recipe only")
    parser.add_argument("--epochs", type=int, default=d["epochs"],
                        help="passes over the training images (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=d["batch_size"],
                        help="images per step (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=d["lr"],
                        help="initial Adam learning rate, decayed to 0 on a cosine "
                             "(default: %(default)s)")
    parser.add_argument("--max-shift", type=int, default=d["max_shift"],
                        help="largest random shift of the training images, in pixels "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=d["seed"],
                        help="seed of the initial weights, shuffling and shifts "
                             "(default: %(default)s)")
    parser.add_argument("--threads", type=int, default=d["threads"],
                        help="BLAS threads, 0 for the library's default (default: %(default)s)")
    parser.add_argument("--channels", type=int, nargs="+", default=list(d["conv_channels"]),
                        help="filters of each conv layer (default: %(default)s)")
    parser.add_argument("--hidden", type=int, default=d["hidden"],
                        help="units of the hidden dense layer, 0 for none (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first LIMIT images only (for quick tests)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")


def run(args):
    """Train, evaluate on the 10,000 test images and write the weights and JSON."""
    from threadpoolctl import threadpool_limits

    from ..memory import reuse_freed_memory
    from ..mnist import load_mnist, scale

    recipe = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
              "max_shift": args.max_shift, "seed": args.seed, "threads": args.threads,
              "conv_channels": tuple(args.channels), "hidden": args.hidden}
    out = default_out() if args.out is None else Path(args.out)
    shipped = default_model_path().parent
    if out.resolve() == shipped.resolve() and (recipe != DEFAULTS or args.limit is not None):
        changed = sorted(k for k in DEFAULTS if recipe[k] != DEFAULTS[k])
        changed += ["limit"] if args.limit is not None else []
        raise SystemExit(
            f"train-cnn: options {', '.join(changed)} differ from the documented recipe, so the "
            f"result must not replace the shipped model in {shipped}; give another --out DIR")
    reuse_freed_memory()
    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    if args.limit is not None:
        train_images, train_labels = train_images[:args.limit], train_labels[:args.limit]
    channels = tuple(args.channels)
    model = CNN(conv_channels=channels, paddings=(0,) * len(channels),
                hidden=args.hidden or None, seed=args.seed)
    print(model.summary())
    settings = {"epochs": args.epochs, "batch_size": args.batch_size, "optimizer": "adam",
                "lr": args.lr, "lr_schedule": "cosine to 0", "max_shift": args.max_shift,
                "seed": args.seed, "threads": args.threads,
                "train_images": int(train_images.shape[0])}
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    with threadpool_limits(limits=args.threads or None):
        history = train(model, scale(train_images), train_labels.astype(np.int64),
                        epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                        max_shift=args.max_shift, seed=args.seed, progress=args.progress)
    train_seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    load_after = os.getloadavg()[0]
    accuracy = model_accuracy(model, scale(test_images), test_labels)
    info = {"training": settings, "history": history,
            "test_accuracy": accuracy, "test_images": int(test_images.shape[0]),
            "train_seconds": round(train_seconds, 1),
            "train_cpu_seconds": round(cpu_seconds, 1),
            "load_average_1min": [round(load_before, 2), round(load_after, 2)],
            "machine": _machine(),
            "command": "python -m annteach train-cnn"}
    meta = save_cnn(model, out / MODEL_NAME, info)
    print(f"trained in {train_seconds:.0f} s ({cpu_seconds:.0f} s of CPU); "
          f"accuracy on the MNIST test set: {100 * accuracy:.2f} %")
    print(f"wrote {out / MODEL_NAME} and {out / 'cnn.json'} (sha256 {meta['sha256'][:12]}...)")
    print(json.dumps(settings))
    return 0
