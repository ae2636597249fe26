"""Download MNIST: ``python -m annteach fetch-mnist [--dest DIR]``.

By default the four files go to the per-user cache folder
(:func:`annteach.mnist.mnist_cache_folder`), where :func:`annteach.load_mnist`
finds them without further settings; this is what an installed package (no clone,
so no ``data/mnist/``) needs. Each file is verified before it is kept.
"""

from pathlib import Path

from ..mnist import mnist_cache_folder
from ..mnist_fetch import fetch_mnist

__all__ = ["configure_parser", "run"]


def configure_parser(parser):
    """Add the options of ``python -m annteach fetch-mnist``."""
    parser.add_argument("--dest", type=Path, default=None,
                        help=f"folder for the files (default: {mnist_cache_folder()}; another "
                             "folder must then be given as $ANNTEACH_DATA or path=)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")


def run(args):
    """Download (or confirm) the four MNIST files and say where they are."""
    try:
        dest = fetch_mnist(args.dest, progress=args.progress)
    except (OSError, ValueError) as error:
        raise SystemExit(f"annteach fetch-mnist: {error}") from error
    print(f"MNIST is in {dest}")
    return 0
