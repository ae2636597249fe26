"""The architecture of :class:`annteach.CNN`: its arguments checked, and the shapes they give.

:func:`check_architecture` runs before anything of the network's size is
allocated, in the constructor and (through :meth:`annteach.CNN.architecture_shapes`)
when a model file is loaded, so that no architecture, however it arrives, can
ask for an impossible network or for gigabytes of weights.
"""

import math

import numpy as np

from .checks import check_integer

__all__ = ["DTYPES", "MAX_PARAMS", "check_architecture", "check_dtype"]

#: Most parameters a CNN may have: 10 million, 172 times the shipped model.
MAX_PARAMS = 10_000_000

#: The dtypes a CNN computes in: float32 to train and infer, float64 for gradient checks.
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_architecture(conv_channels, kernel_size, paddings, hidden, n_classes, input_shape):
    """The architecture as plain ints and tuples, and the shapes it gives.

    Parameters
    ----------
    conv_channels, kernel_size, paddings, hidden, n_classes, input_shape
        As for :class:`annteach.CNN`.

    Returns
    -------
    architecture : dict
        The six arguments by name: ints, tuples of int, and None for no hidden layer.
    blocks : list of tuple
        Per conv layer, the output shape ``(F, H, W)`` of one image before and
        after pooling.
    param_shapes : dict of str to tuple of int
        The shape of every parameter by name, in the order of
        :attr:`annteach.CNN.param_names`.

    Raises
    ------
    ValueError
        Naming what is impossible (no conv layer, a size below 1 or not an
        integer, fewer than two classes, a padding not less than the kernel,
        images too small for the layers), or the number of parameters when it
        is more than :data:`MAX_PARAMS`.
    """
    channels = tuple(check_integer("conv_channels", c, 1) for c in conv_channels)
    k = check_integer("kernel_size", kernel_size, 1)
    pads = tuple(check_integer("paddings", p, 0) for p in paddings)
    arch = {"conv_channels": channels, "kernel_size": k, "paddings": pads,
            "hidden": None if hidden is None else check_integer("hidden (or None)", hidden, 1),
            "n_classes": check_integer("n_classes", n_classes, 2),
            "input_shape": tuple(check_integer("input_shape", s, 1) for s in input_shape)}
    if not channels:
        raise ValueError("need at least one conv layer")
    if len(pads) != len(channels):
        raise ValueError(f"need one padding per conv layer: {len(channels)} "
                         f"layers, {len(pads)} paddings")
    if max(pads) >= k:
        raise ValueError(f"paddings must be less than kernel_size {k}, got {pads}")
    if len(arch["input_shape"]) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {input_shape}")
    (C, H, W), blocks, shapes = arch["input_shape"], [], []
    for F, p in zip(channels, pads, strict=True):
        H, W = H + 2 * p - k + 1, W + 2 * p - k + 1
        if H < 2 or W < 2:
            raise ValueError(f"images of shape {arch['input_shape']} are too small for "
                             f"{len(channels)} conv layers of {k}x{k}")
        blocks.append(((F, H, W), (F, H // 2, W // 2)))
        shapes += [(F, C, k, k), (F,)]
        C, H, W = F, H // 2, W // 2
    sizes = [math.prod(blocks[-1][1]), *([arch["hidden"]] if arch["hidden"] else []),
             arch["n_classes"]]
    shapes += [(n_out, n_in + 1) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    names = [f"{p}{i}" for i in range(1, len(channels) + 1) for p in "Wb"]
    names += [f"W{len(channels) + m}" for m in range(1, len(sizes))]
    n = sum(math.prod(shape) for shape in shapes)
    if n > MAX_PARAMS:
        raise ValueError(f"this architecture has {n:,} parameters, more than the "
                         f"{MAX_PARAMS:,} a CNN may have (MAX_PARAMS)")
    return arch, blocks, dict(zip(names, shapes, strict=True))


def check_dtype(dtype):
    """``dtype`` as a numpy dtype, if it is one of :data:`DTYPES`.

    Parameters
    ----------
    dtype : object

    Returns
    -------
    numpy.dtype
    """
    try:
        found = np.dtype(dtype)
    except TypeError:
        found = None
    if found not in DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return found
