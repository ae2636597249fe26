"""Compare the linear model, the MLP and the CNN trained the same way:
``python -m annteach compare [--out FILE] [--max-shift S]``.

Trains the three models of :func:`annteach.comparison.comparison_models` on the
60,000 MNIST training images with the shipped CNN's recipe
(:data:`annteach.training.RECIPE`), evaluates them on the 10,000 test images
and writes the record (:func:`annteach.comparison.compare_models`) as JSON to
``--out``: by default ``comparison.json`` in the per-user cache folder, never
the package folder. ``--max-shift`` replaces the recipe's largest random shift
(0: no shifts). The records shipped with the package (in a clone,
``annteach/results/comparison.json`` and, recorded with ``--max-shift 0``,
``annteach/results/comparison_no_shift.json``, which lecture 7 reads) may be
replaced only by a full run with their own shift, given the file as ``--out``
explicitly. It takes
a few minutes of CPU (the CNN's 12 epochs are most of it); the record notes
the load average, since other programs on the machine slow the wall time down.
"""

import argparse
import json
from pathlib import Path

from ..comparison import SHIPPED_RECORDS, compare_models
from ..files import atomic_write
from ..paths import user_cache_dir
from ..training import RECIPE

__all__ = ["configure_parser", "default_out", "run"]

MODEL_NAMES = ("linear", "MLP", "CNN")


def default_out():
    """Where the record goes by default: ``comparison.json`` in the per-user cache folder."""
    return user_cache_dir() / "comparison.json"


def max_shift_argument(text):
    """``--max-shift``: a whole number of pixels from 0 to 27 (the images are 28 x 28)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of pixels, got {text!r}") \
            from None
    if not 0 <= value < 28:
        raise argparse.ArgumentTypeError(f"must be from 0 to 27 (the images are 28 x 28), "
                                         f"got {value}")
    return value


def configure_parser(parser):
    """Add the options of ``python -m annteach compare``."""
    parser.add_argument("--out", type=Path, default=None,
                        help=f"JSON file for the record (default: {default_out()}); the "
                             f"shipped records take a full run with their own shift only")
    parser.add_argument("--models", nargs="+", choices=MODEL_NAMES, default=list(MODEL_NAMES),
                        help="which models to train (default: all three)")
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first LIMIT images only (for quick tests)")
    parser.add_argument("--threads", type=int, default=None,
                        help="worker threads sharing every batch (default: one per core, "
                             "at most 2); the results do not depend on it")
    parser.add_argument("--max-shift", type=max_shift_argument, default=RECIPE["max_shift"],
                        help=f"largest random shift in pixels, 0 for none (default: the "
                             f"recipe's {RECIPE['max_shift']})")
    parser.add_argument("--no-progress", dest="progress", action="store_false")


def run(args):
    """Train, evaluate and write the record; print a table of the results."""
    from ..memory import reuse_freed_memory

    out = default_out() if args.out is None else Path(args.out)
    partial = args.limit is not None or list(args.models) != list(MODEL_NAMES)
    for shipped, shift in SHIPPED_RECORDS.items():
        if out.resolve() != shipped.resolve():
            continue
        if partial:
            raise SystemExit(f"compare: --limit or --models make a partial record, which must "
                             f"not replace the shipped one in {shipped}; give another --out FILE")
        if args.max_shift != shift:
            raise SystemExit(f"compare: the shipped record {shipped} is recorded with "
                             f"--max-shift {shift}, not {args.max_shift}; give another --out FILE")
    reuse_freed_memory()
    recipe = {**RECIPE, "max_shift": args.max_shift}
    record = compare_models(recipe=recipe, limit=args.limit, workers=args.threads,
                            progress=args.progress, names=args.models)
    record["command"] = "python -m annteach compare" + (
        "" if args.max_shift == RECIPE["max_shift"] else f" --max-shift {args.max_shift}")
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record, indent=2) + "\n"
    atomic_write(out, lambda f: f.write(text), text=True)
    print(f"{'model':<8} {'accuracy':>9} {'errors':>7} {'parameters':>11} {'train CPU s':>12} "
          f"{'train wall s':>13} {'predict s':>10}")
    for name, r in record["models"].items():
        print(f"{name:<8} {100 * r['test_accuracy']:8.2f} % {r['test_errors']:7d} "
              f"{r['n_params']:11,} {r['train_cpu_seconds']:12.1f} {r['train_seconds']:13.1f} "
              f"{r['predict_seconds']:10.3f}")
    if "CNN" in record["models"]:
        same = record["models"]["CNN"]["same_as_shipped"]
        print("the CNN's weights are " + ("" if same else "not ") + "the shipped weights")
    print(f"wrote {out}")
    return 0
