"""annteach: the small numpy package behind the "Learning ANNs" lecture notebooks.

Import it as ``import annteach as at``. The maths (activations, layers, the
MLP, the gradient check, the XOR net, MNIST loading) needs numpy only;
``at.plots`` and ``at.widgets`` import matplotlib and ipywidgets the first
time they are used.
"""

import importlib

from . import conv as conv  # the CNN's layer pairs: at.conv.conv_forward(...)
from . import exercises as exercises  # self-checks: at.exercises.check_fprop(...)
from .activations import (
    ACTIVATIONS,
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
from .cnn import CNN, load_pretrained_cnn, model_accuracy
from .evaluation import (
    accuracy,
    confusion_counts,
    count_params,
    misclassified,
    most_confused_pairs,
    prediction_title,
    timed,
    top_k,
)
from .gradcheck import check_gradient, numerical_gradient, relative_error
from .idx import open_idx, read_idx, write_idx
from .landscape import descent_comparison, first_epoch_below, grid_local_minima, line_minimum
from .layers import add_bias, backprop, fprop, remove_bias
from .mlp import MLP, one_hot
from .mnist import fetch_mnist, load_mnist, mnist_files, scale
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
from .xor_backprop import xor_backprop_example, xor_gradient, xor_numerical_gradient
from .xor_seeds import XorSeedRuns, train_xor_seeds

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "CNN",
    "ERROR_GRID",
    "MLP",
    "XOR_WEIGHTS",
    "XOR_WEIGHT_POSITIONS",
    "XorSeedRuns",
    "accuracy",
    "add_bias",
    "backprop",
    "check_gradient",
    "confusion_counts",
    "conv",
    "count_params",
    "descent_comparison",
    "descent_paths",
    "error_grid",
    "exercises",
    "fetch_mnist",
    "first_epoch_below",
    "fprop",
    "gradient_descent_path",
    "grid_local_minima",
    "identity",
    "identity_derivative",
    "line_minimum",
    "load_mnist",
    "load_pretrained_cnn",
    "logistic",
    "logistic_derivative",
    "misclassified",
    "mnist_files",
    "model_accuracy",
    "most_confused_pairs",
    "numerical_gradient",
    "one_hot",
    "open_idx",
    "prediction_title",
    "read_idx",
    "relative_error",
    "relu",
    "relu_derivative",
    "remove_bias",
    "scale",
    "softmax",
    "tanh",
    "tanh_derivative",
    "timed",
    "top_k",
    "train_xor_seeds",
    "write_idx",
    "xor_backprop_example",
    "xor_dataset",
    "xor_error",
    "xor_error_gradient",
    "xor_gradient",
    "xor_net",
    "xor_numerical_gradient",
    "xor_sample_errors",
    "xor_weight_matrices",
    "xor_weights_from_matrices",
]

# Submodules with heavy imports (matplotlib, ipywidgets) load on first use.
_LAZY_SUBMODULES = {"plots", "widgets"}


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'annteach' has no attribute {name!r}")
