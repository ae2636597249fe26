"""annteach: the small numpy package behind the "Learning ANNs" lecture notebooks.

Import it as ``import annteach as at``. The maths of the lessons (activations,
losses, layers, the MLP, the gradient check, the XOR net, evaluation) loads with
the package and needs numpy only. The rest loads the first time one of its
names is used: the CNN and its weights, MNIST, the training loop, the comparison
record of lecture 7, ``at.plots`` and ``at.widgets`` (matplotlib, ipywidgets).
The course's authoring tools
(``python -m annteach COMMAND``, :mod:`annteach.tools`) are never imported by
the package.
"""

import importlib

from . import exercises as exercises  # self-checks: at.exercises.check_fprop(...)
from .activations import (
    ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    identity,
    identity_derivative,
    logistic,
    logistic_derivative,
    relu,
    relu_derivative,
    softmax,
    tanh,
    tanh_derivative,
)
from .evaluation import (
    accuracy,
    confusion_counts,
    count_params,
    misclassified,
    model_accuracy,
    most_confused_pairs,
    prediction_title,
    timed,
    top_k,
)
from .gradcheck import check_gradient, numerical_gradient, relative_error
from .landscape import descent_comparison, first_epoch_below, grid_local_minima, line_minimum
from .layers import add_bias, backprop, fprop, remove_bias
from .losses import LOSSES, cross_entropy, one_hot, sum_squared_error
from .mlp import MLP
from .source import show_source
from .surfaces import (
    ERROR_GRID,
    descent_paths,
    error_grid,
    gradient_descent_path,
    xor_error_gradient,
    xor_sample_errors,
)
from .xor import (
    XOR_WEIGHT_POSITIONS,
    XOR_WEIGHTS,
    xor_dataset,
    xor_error,
    xor_net,
    xor_weight_matrices,
    xor_weights_from_matrices,
)
from .xor_backprop import (
    xor_backprop_example,
    xor_gradient,
    xor_numerical_gradient,
    xor_values_by_unit,
)
from .xor_seeds import XorSeedRuns, train_xor_seeds

__version__ = "0.1.0"

#: Names loaded on first use: name -> the module (in this package) that defines it.
_LAZY = {
    "CNN": "cnn",
    "load_cnn": "cnn_files",
    "load_comparison": "comparison",
    "load_pretrained_cnn": "cnn_files",
    "save_cnn": "cnn_files",
    "open_idx": "idx",
    "read_idx": "idx",
    "write_idx": "idx",
    "fetch_mnist": "mnist_fetch",
    "load_mnist": "mnist",
    "mnist_files": "mnist",
    "scale": "mnist",
    "shift_images": "shifting",
    "lost_ink": "shifting",
    "train": "training",
    "train_quick": "training",
}
#: Submodules loaded on first use: ``at.conv.conv_forward(...)``, ``at.plots...``.
_LAZY_SUBMODULES = {"conv", "plots", "widgets"}

__all__ = [
    "ACTIVATIONS", "CNN", "ERROR_GRID", "LOSSES", "MLP", "OUTPUT_ACTIVATIONS", "XOR_WEIGHTS",
    "XOR_WEIGHT_POSITIONS", "XorSeedRuns", "accuracy", "add_bias", "backprop", "check_gradient",
    "confusion_counts", "conv", "count_params", "cross_entropy", "descent_comparison",
    "descent_paths", "error_grid", "exercises", "fetch_mnist", "first_epoch_below", "fprop",
    "gradient_descent_path", "grid_local_minima", "identity", "identity_derivative",
    "line_minimum", "load_cnn", "load_comparison", "load_mnist", "load_pretrained_cnn", "logistic",
    "logistic_derivative", "misclassified", "mnist_files", "model_accuracy",
    "most_confused_pairs", "numerical_gradient", "one_hot", "open_idx", "prediction_title",
    "read_idx", "relative_error", "relu", "relu_derivative", "remove_bias", "save_cnn", "scale",
    "show_source", "softmax", "sum_squared_error", "tanh", "tanh_derivative", "timed", "top_k",
    "train", "train_quick", "train_xor_seeds", "write_idx", "xor_backprop_example",
    "xor_dataset", "xor_error", "xor_error_gradient", "xor_gradient", "xor_net",
    "xor_numerical_gradient", "xor_sample_errors", "xor_weight_matrices",
    "xor_weights_from_matrices",
    "xor_values_by_unit",
    "lost_ink", "shift_images",
]


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    elif name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'annteach' has no attribute {name!r}")
    globals()[name] = value  # found once; later uses are plain attribute lookups
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__) | _LAZY_SUBMODULES)
