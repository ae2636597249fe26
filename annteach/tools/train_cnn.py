"""Train the CNN from scratch on MNIST: ``python -m annteach train-cnn [--quick] [--out DIR]``.

The defaults (:data:`DEFAULTS`) are the recipe of the shipped weights: the
:class:`~annteach.CNN` default architecture (conv 12 and 24 channels, dense 128)
trained by :func:`annteach.training.train` with its :data:`~annteach.training.RECIPE`
(12 epochs over the 60,000 training images in mini-batches of 128, Adam with a
cosine learning-rate decay from 2e-3 to 0, random shifts of up to 2 pixels,
seed 0), every batch shared by ``--threads`` worker threads (one per core by
default; the weights do not depend on it), with glibc keeping freed memory
for reuse (:func:`annteach.memory.reuse_freed_memory`). ``--quick`` trains with
the live-training recipe instead (:func:`annteach.training.train_quick`:
:data:`~annteach.training.QUICK`, two epochs, the test accuracy printed every
quarter epoch). At the end the command measures the accuracy on the 10,000 test
images and writes ``cnn.npz`` and ``cnn.json`` (:func:`annteach.cnn_files.save_cnn`)
into ``--out``: by default ``models/`` in the per-user cache folder, never the
package folder. The shipped model (``annteach/weights/`` in a clone) may be
replaced only by the documented recipe, given that folder as ``--out`` explicitly
(:func:`check_out`).

Every setting is checked before MNIST is read (a bad one is a one-line error and
exit status 2), and so is ``--out``: a folder that can be written, not the
package's. Training that diverges (the loss or a weight becomes NaN or
infinite, say with a far too large ``--lr``) ends with an error and writes
nothing.
"""

import argparse
import json
import math
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from ..cnn import CNN
from ..cnn_files import MODEL_NAME, default_model_path, save_cnn
from ..paths import PACKAGE_DIR, user_cache_dir
from ..training import QUICK, RECIPE, default_workers, train_quick

__all__ = ["DEFAULTS", "check_out", "configure_parser", "default_out", "run"]

#: Side of the MNIST images, for the bound on --max-shift.
IMAGE_SIZE = 28

#: The documented recipe (the command-line defaults).
DEFAULTS = {**RECIPE, "conv_channels": (12, 24), "hidden": 128}


def default_out():
    """Where a trained model goes by default: ``models/`` in the per-user cache folder."""
    return user_cache_dir() / "models"


def _count(minimum, maximum=None):
    """An argparse type: an integer from ``minimum`` to ``maximum``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {value}")
        return value
    parse.__name__ = f"integer >= {minimum}"
    return parse


def _learning_rate(text):
    """An argparse type: a finite positive number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite positive number, got {text!r}")
    return value


def configure_parser(parser):
    """Add the options of ``annteach train-cnn`` (defaults: :data:`DEFAULTS`)."""
    d = DEFAULTS
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder for cnn.npz and cnn.json (default: {default_out()}); "
                             f"the shipped model's folder {default_model_path().parent} takes "
                             "the documented recipe only")
    parser.add_argument("--epochs", type=_count(1), default=d["epochs"],
                        help="passes over the training images (default: %(default)s)")
    parser.add_argument("--batch-size", type=_count(1), default=d["batch_size"],
                        help="images per step (default: %(default)s)")
    parser.add_argument("--lr", type=_learning_rate, default=d["lr"],
                        help="initial Adam learning rate, decayed to 0 on a cosine "
                             "(default: %(default)s)")
    parser.add_argument("--max-shift", type=_count(0, IMAGE_SIZE - 1), default=d["max_shift"],
                        help="largest random shift of the training images, in pixels, less "
                             f"than {IMAGE_SIZE} (default: %(default)s)")
    parser.add_argument("--seed", type=_count(0), default=d["seed"],
                        help="seed of the initial weights, shuffling and shifts "
                             "(default: %(default)s)")
    parser.add_argument("--threads", type=_count(1), default=None,
                        help="worker threads sharing every batch, each with a one-thread BLAS "
                             "(default: one per core, at most 2); the weights do not depend "
                             "on it")
    parser.add_argument("--channels", type=_count(1), nargs="+",
                        default=list(d["conv_channels"]),
                        help="filters of each conv layer (default: %(default)s)")
    parser.add_argument("--hidden", type=_count(0), default=d["hidden"],
                        help="units of the hidden dense layer, 0 for none (default: %(default)s)")
    parser.add_argument("--limit", type=_count(1), default=None,
                        help="train on the first LIMIT images only (for quick tests)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("--quick", action="store_true",
                        help="train with the live-training recipe (2 epochs, one-cycle "
                             f"learning rate up to {QUICK['lr']}) instead; it takes no other "
                             "recipe option")


def check_out(out, recipe, limit):
    """Refuse an output folder that would replace the shipped model with another recipe.

    The shipped model's folder (however it is named: through links, ``..`` or a
    folder whose ``cnn.npz`` or ``cnn.json`` link to the shipped files) takes the
    documented recipe only; any other folder inside the package takes nothing.
    Nothing is written.

    Parameters
    ----------
    out : path-like
        The ``--out`` folder (it need not exist yet).
    recipe : dict
        The settings, with the keys of :data:`DEFAULTS`.
    limit : int or None
        The ``--limit`` option.

    Raises
    ------
    ValueError
        Saying why.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is not a folder")
    shipped = default_model_path()
    resolved = out.resolve()
    is_shipped = resolved == shipped.parent.resolve() or any(
        (out / name).exists() and os.path.samefile(out / name, shipped.with_name(name))
        for name in (MODEL_NAME, shipped.with_suffix(".json").name))
    if is_shipped:
        changed = sorted(k for k in DEFAULTS if recipe[k] != DEFAULTS[k])
        changed += ["limit"] if limit is not None else []
        if changed:
            raise ValueError(
                f"options {', '.join(changed)} differ from the documented recipe, so the "
                f"result must not replace the shipped model in {shipped.parent}; give another "
                f"--out DIR")
    elif resolved.is_relative_to(PACKAGE_DIR.resolve()):
        raise ValueError(f"--out {out} is inside the package folder {PACKAGE_DIR}; give a "
                         f"folder outside it")


def _prepare_out(out):
    """Create ``out`` and make sure a file can be written there, before training."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise ValueError(f"cannot write to --out {out}: {error.strerror or error}") from None


def _diverged(history, model):
    """Why the training result is unusable (a NaN or infinite loss or weight), or None."""
    for entry in history:
        if not math.isfinite(entry["loss"]):
            return f"the loss became {entry['loss']} by epoch {entry['epoch']:.3g}"
    for name, W in model.weights.items():
        if not np.isfinite(W).all():
            return f"the weights {name} became NaN or infinite"
    return None


def run(args):
    """Train, evaluate on the 10,000 test images and write the weights and JSON."""
    from ..comparison import machine_description, measure_training
    from ..memory import reuse_freed_memory
    from ..mnist import load_mnist, scale

    recipe = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
              "schedule": RECIPE["schedule"], "max_shift": args.max_shift, "seed": args.seed,
              "conv_channels": tuple(args.channels), "hidden": args.hidden}
    if args.quick:
        given = sorted(k for k in DEFAULTS if recipe[k] != DEFAULTS[k])
        if given:
            raise SystemExit(f"annteach train-cnn: --quick is a fixed recipe; leave out the "
                             f"options {', '.join(given)}")
        if args.limit is not None:
            raise SystemExit("annteach train-cnn: --quick trains on all 60,000 images; leave "
                             "out --limit")
        recipe = {**recipe, **QUICK}
    out = default_out() if args.out is None else Path(args.out)
    channels = tuple(args.channels)
    try:
        try:
            model = CNN(conv_channels=channels, paddings=(0,) * len(channels),
                        hidden=args.hidden or None, seed=args.seed)
        except ValueError as error:
            raise ValueError(f"--channels {' '.join(map(str, channels))} --hidden "
                             f"{args.hidden}: {error}") from None
        check_out(out, recipe, args.limit)
        _prepare_out(out)
    except ValueError as error:
        raise SystemExit(f"annteach train-cnn: {error}") from None
    reuse_freed_memory()
    print(model.summary())
    command = "python -m annteach train-cnn" + (" --quick" if args.quick else "")
    # Divergence is checked after training: no overflow warnings (from any thread) on the way.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if args.quick:
            info = _quick(model, args)
        else:
            train_images, train_labels = load_mnist("train")
            test_images, test_labels = load_mnist("test")
            if args.limit is not None:
                train_images, train_labels = train_images[:args.limit], train_labels[:args.limit]
            settings = {k: recipe[k] for k in RECIPE}
            info = measure_training(model, scale(train_images), train_labels,
                                    scale(test_images), test_labels, settings,
                                    workers=args.threads, progress=args.progress)
    problem = _diverged(info["history"], model)
    if problem:
        raise SystemExit(f"annteach train-cnn: training diverged: {problem}; nothing was "
                         f"written. Try a smaller --lr (it was {recipe['lr']})")
    info.update({"machine": machine_description(), "command": command})
    try:
        meta = save_cnn(model, out / MODEL_NAME, info)
    except (OSError, ValueError) as error:
        raise SystemExit(f"annteach train-cnn: could not save the model: {error}") from None
    print(f"trained in {info['train_seconds']:.0f} s ({info['train_cpu_seconds']:.0f} s of CPU);"
          f" accuracy on the MNIST test set: {100 * info['test_accuracy']:.2f} %")
    print(f"wrote {out / MODEL_NAME} and {out / 'cnn.json'} (sha256 {meta['sha256'][:12]}...)")
    print(json.dumps(info["training"]))
    return 0


def _quick(model, args):
    """Train ``model`` by :func:`annteach.training.train_quick`, printing every evaluation."""
    from ..plots.progress import progress_line

    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    _, history = train_quick(model, plot=False, progress=args.progress, workers=args.threads,
                             callback=lambda h: print(progress_line(h, target=0.99), flush=True))
    train_seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {"training": {**QUICK, "optimizer": "adam", "train_images": 60000,
                         "workers": default_workers() if args.threads is None else args.threads},
            "history": history, "test_accuracy": history[-1]["test_accuracy"],
            "test_images": 10000, "train_seconds": round(train_seconds, 1),
            "train_cpu_seconds": round(cpu_seconds, 1),
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
