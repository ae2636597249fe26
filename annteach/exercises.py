"""Self-checks for the exercises of the lecture notebooks.

Each ``check_*`` function takes the student's function, calls it on a few
small seeded random problems and compares the answer with annteach's own
implementation. On success it prints one line starting with ``Correct:``;
otherwise it raises ``AssertionError`` with a message that says what is
wrong (the first wrong entry with the value found and the value expected,
a wrong shape or type, a missing ``return``, or an exercise that still
raises ``NotImplementedError``). The checks never show the solution code.

Only numpy is needed, so ``annteach.exercises`` is imported with the package.
"""

import numpy as np

from .activations import ACTIVATIONS, identity_derivative
from .evaluation import confusion_counts, most_confused_pairs
from .gradcheck import numerical_gradient, relative_error
from .layers import add_bias, backprop, fprop, remove_bias

__all__ = ["check_backprop", "check_central_difference", "check_fprop", "check_hidden_delta",
           "check_most_confused"]

_RTOL, _ATOL = 1e-6, 1e-9
# (N samples, n_in, n_out, activation): small layers, each with another g.
_LAYERS = [(4, 2, 3, "tanh"), (5, 3, 1, "logistic"), (3, 4, 2, "identity")]


def _random_layer(seed, n_samples, n_in, n_out):
    """Weights ``W`` (n_out, n_in + 1) and inputs ``X`` (N, n_in + 1) with bias column."""
    rng = np.random.default_rng(seed)
    W = rng.normal(0, 0.8, size=(n_out, n_in + 1))
    X = add_bias(rng.uniform(-1, 1, size=(n_samples, n_in)))
    return W, X, rng


def _call(name, function, **kwargs):
    """Call the student's function with the arguments in order; an unfinished
    exercise becomes an AssertionError, and so does changing an input array."""
    copies = {k: np.array(a, copy=True) for k, a in kwargs.items() if isinstance(a, np.ndarray)}
    try:
        result = function(*kwargs.values())
    except NotImplementedError as err:
        raise AssertionError(
            f"{name} is not done yet: it still raises NotImplementedError. "
            "Replace that line with your code and run the cell again.") from err
    for argname, copy in copies.items():
        if not np.array_equal(kwargs[argname], copy):
            raise AssertionError(
                f"{name} changed its argument {argname} in place; "
                "compute a new array instead of modifying the inputs.")
    return result


def _compare(name, what, got, expected, context):
    """Raise AssertionError unless ``got`` is an array equal to ``expected``."""
    shape = expected.shape
    if got is None:
        raise AssertionError(
            f"{name} returned None (did you forget `return`?); expected {what} as a "
            f"numpy array of shape {shape} {context}.")
    if not isinstance(got, np.ndarray):
        raise AssertionError(
            f"{name} returned {what} as a {type(got).__name__}; expected a numpy array "
            f"of shape {shape} {context}.")
    if got.shape != shape:
        raise AssertionError(
            f"{name}: {what} has shape {got.shape}, expected shape {shape} {context}.")
    if not np.issubdtype(got.dtype, np.number):
        raise AssertionError(
            f"{name}: {what} has dtype {got.dtype}, expected numbers {context}.")
    wrong = ~np.isclose(got, expected, rtol=_RTOL, atol=_ATOL)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        where = ", ".join(str(i) for i in index)
        raise AssertionError(
            f"{name}: {what}[{where}] is {got[index]:.6g} but should be "
            f"{expected[index]:.6g} ({int(wrong.sum())} of {wrong.size} entries are wrong; "
            f"expected shape {shape}) {context}.")


def _layer_context(W, X, g_name):
    return f"for W of shape {W.shape}, X of shape {X.shape} and g = at.{g_name}"


def check_fprop(fprop_student):
    """Check ``fprop(W, X, g) -> Y`` against :func:`annteach.fprop`.

    Parameters
    ----------
    fprop_student : callable
        The student's ``fprop(W, X, g)``: ``W`` (n_out, n_in + 1), ``X``
        (N, n_in + 1) with the bias entry last, returns ``Y`` (N, n_out).

    Raises
    ------
    AssertionError
        If the answer is wrong or the exercise is not done yet.
    """
    for seed, (n_samples, n_in, n_out, g_name) in enumerate(_LAYERS):
        W, X, _ = _random_layer(seed, n_samples, n_in, n_out)
        g = ACTIVATIONS[g_name][0]
        Y = _call("fprop", fprop_student, W=W, X=X, g=g)
        _compare("fprop", "Y", Y, fprop(W, X, g), _layer_context(W, X, g_name))
    print(f"Correct: fprop matches at.fprop on {len(_LAYERS)} random layers.")


def check_backprop(backprop_student):
    """Check ``backprop(W, X, g_derivative, Y, dEdY) -> (dEdX, dEdW)``.

    The answer is compared with :func:`annteach.backprop`, and both
    gradients are compared with central differences
    (:func:`annteach.numerical_gradient`) of ``E = sum(dEdY * fprop(W, X, g))``,
    an error whose gradient with respect to ``Y`` is ``dEdY``.

    Parameters
    ----------
    backprop_student : callable
        The student's ``backprop``: ``W`` (n_out, n_in + 1), ``X``
        (N, n_in + 1), ``Y`` and ``dEdY`` (N, n_out); returns ``dEdX``
        (N, n_in + 1) and ``dEdW`` (n_out, n_in + 1), summed over the N samples.

    Raises
    ------
    AssertionError
        If the answer is wrong or the exercise is not done yet.
    """
    for seed, (n_samples, n_in, n_out, g_name) in enumerate(_LAYERS):
        W, X, rng = _random_layer(seed, n_samples, n_in, n_out)
        g, g_derivative = ACTIVATIONS[g_name]
        Y = fprop(W, X, g)
        dEdY = rng.normal(size=Y.shape)
        context = _layer_context(W, X, g_name)
        result = _call("backprop", backprop_student, W=W, X=X, g_derivative=g_derivative,
                       Y=Y, dEdY=dEdY)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise AssertionError(
                f"backprop must return two arrays, (dEdX, dEdW); it returned "
                f"{type(result).__name__ if result is not None else 'None'} {context}.")
        dEdX, dEdW = backprop(W, X, g_derivative, Y, dEdY)
        _compare("backprop", "dEdW", result[1], dEdW, context)
        _compare("backprop", "dEdX", result[0], dEdX, context)
        # Independent of at.backprop: the gradients of E = sum(dEdY * Y).
        numeric_W = numerical_gradient(lambda V, X=X, R=dEdY, g=g: np.sum(R * fprop(V, X, g)), W)
        numeric_X = numerical_gradient(lambda V, W=W, R=dEdY, g=g: np.sum(R * fprop(W, V, g)), X)
        for what, got, numeric in (("dEdW", result[1], numeric_W),
                                   ("dEdX", result[0], numeric_X)):
            error = relative_error(got, numeric)
            if error > 1e-6:
                raise AssertionError(
                    f"backprop: {what} differs from the numerical gradient (relative "
                    f"error {error:.2g}) {context}.")
    print(f"Correct: backprop matches at.backprop on {len(_LAYERS)} random layers, "
          "and dEdW and dEdX agree with numerical gradients.")


def check_hidden_delta(hidden_delta_student):
    """Check ``hidden_delta(Y, W_above, Delta_above, g_derivative) -> Delta``.

    The expected answer is ``g_derivative(Y) * (Delta_above @ W_above)``
    without the last (bias) column, built here from :func:`annteach.backprop`
    and :func:`annteach.remove_bias`.

    Parameters
    ----------
    hidden_delta_student : callable
        The student's function: ``Y`` (N, n_hidden) outputs of the hidden
        layer (no bias column), ``W_above`` (n_above, n_hidden + 1) weights of
        the layer above, ``Delta_above`` (N, n_above) deltas of the layer
        above; returns ``Delta`` (N, n_hidden).

    Raises
    ------
    AssertionError
        If the answer is wrong or the exercise is not done yet.
    """
    for seed, (n_samples, n_hidden, n_above, g_name) in enumerate(_LAYERS):
        W_above, X_above, rng = _random_layer(seed, n_samples, n_hidden, n_above)
        g, g_derivative = ACTIVATIONS[g_name]
        Y = g(remove_bias(X_above))
        Delta_above = rng.normal(size=(n_samples, n_above))
        # backprop with g' = 1 turns Delta_above into dEdX = Delta_above @ W_above.
        dEdX, _ = backprop(W_above, add_bias(Y), identity_derivative,
                           np.zeros_like(Delta_above), Delta_above)
        expected = g_derivative(Y) * remove_bias(dEdX)
        context = (f"for Y of shape {Y.shape}, W_above of shape {W_above.shape}, "
                   f"Delta_above of shape {Delta_above.shape} and g = at.{g_name}")
        Delta = _call("hidden_delta", hidden_delta_student, Y=Y, W_above=W_above,
                      Delta_above=Delta_above, g_derivative=g_derivative)
        _compare("hidden_delta", "Delta", Delta, expected, context)
    print(f"Correct: hidden_delta matches backprop through {len(_LAYERS)} random layers.")


def _as_number(got):
    """The student's partial derivative as a float, or None if it is not one number."""
    if isinstance(got, (bool, np.bool_)):
        return None
    if isinstance(got, (int, float, np.integer, np.floating)):
        return float(got)
    if isinstance(got, np.ndarray) and got.size == 1 and np.issubdtype(got.dtype, np.number):
        return float(got.reshape(()))
    return None


def check_central_difference(central_difference_student):
    """Check ``central_difference(f, x, index, eps) -> float``.

    Every partial derivative of three test functions is compared with the
    same entry of :func:`annteach.numerical_gradient` (same ``eps``).

    Parameters
    ----------
    central_difference_student : callable
        The student's function: ``f`` maps an array shaped like ``x`` to a
        number, ``index`` is a tuple indexing one entry of ``x``; returns
        ``(f(x + eps e) - f(x - eps e)) / (2 eps)`` where ``e`` is 1 at
        ``index`` and 0 elsewhere, and leaves ``x`` unchanged.

    Raises
    ------
    AssertionError
        If the answer is wrong or the exercise is not done yet.
    """
    rng = np.random.default_rng(0)
    W, X, _ = _random_layer(1, 4, 2, 2)
    T = rng.uniform(size=(4, 2))
    cases = [
        ("f(x) = sum(sin(x) * x**2)", lambda x: float(np.sum(np.sin(x) * x**2)),
         rng.uniform(-2, 2, size=(3,)), 1e-4),
        ("f(x) = exp(x[0, 0]) * x[1, 1] + x[0, 1]**3",
         lambda x: float(np.exp(x[0, 0]) * x[1, 1] + x[0, 1] ** 3),
         rng.uniform(-1, 1, size=(2, 2)), 1e-3),
        ("the SSE of a tanh layer as a function of W",
         lambda V: 0.5 * float(np.sum((fprop(V, X, ACTIVATIONS["tanh"][0]) - T) ** 2)),
         W, 1e-5),
    ]
    count = 0
    for description, f, x, eps in cases:
        expected = numerical_gradient(f, x, eps)
        for index in np.ndindex(x.shape):
            context = f"for {description} at index {index} of x with shape {x.shape}, eps={eps}"
            got = _call("central_difference", central_difference_student,
                        f=f, x=x, index=index, eps=eps)
            if got is None:
                raise AssertionError(
                    "central_difference returned None (did you forget `return`?); "
                    f"expected one number {context}.")
            value = _as_number(got)
            if value is None:
                raise AssertionError(
                    f"central_difference returned a {type(got).__name__}; expected one "
                    f"number (a float) {context}.")
            if not np.isclose(value, expected[index], rtol=1e-7, atol=1e-9):
                raise AssertionError(
                    f"central_difference returned {value:.8g} but should return "
                    f"{expected[index]:.8g} {context}.")
            count += 1
    print(f"Correct: central_difference matches at.numerical_gradient on {len(cases)} "
          f"functions ({count} partial derivatives).")


def _confusion_cases():
    """Labels (uint8, like MNIST) and predictions (int64) of three test sets, and k."""
    rng = np.random.default_rng(7)
    cases = []
    for mistakes, n_right, k in (
            ({(4, 9): 7, (7, 2): 5, (3, 5): 4, (9, 4): 3, (8, 3): 2, (1, 7): 1}, 100, 3),
            ({(0, 1): 3, (1, 0): 2, (2, 1): 1}, 20, 2)):
        pairs = [pair for pair, count in mistakes.items() for _ in range(count)]
        pairs += [(c, c) for c in rng.integers(0, 10, size=n_right)]
        pairs = np.array(pairs)[rng.permutation(len(pairs))]
        cases.append((pairs[:, 0].astype(np.uint8), pairs[:, 1].astype(np.int64), k))
    labels = rng.integers(0, 10, size=400)
    wrong = rng.uniform(size=400) < 0.25
    predictions = np.where(wrong, rng.integers(0, 10, size=400), labels)
    cases.append((labels.astype(np.uint8), predictions.astype(np.int64), 5))
    return cases


def check_most_confused(most_confused_student):
    """Check ``most_confused(labels, predictions, k) -> (actual, predicted, count) rows``.

    The answer is compared with :func:`annteach.most_confused_pairs` on
    three small test sets. Pairs with equal counts may come in any order.

    Parameters
    ----------
    most_confused_student : callable
        The student's function: ``labels`` (N,) actual classes, ``predictions``
        (N,) predicted classes, ``k`` an int; returns the k most frequent
        mistakes (``actual != predicted``) as k rows ``(actual, predicted,
        count)``, most frequent first: a list of tuples or an int array of
        shape (k, 3).

    Raises
    ------
    AssertionError
        If the answer is wrong or the exercise is not done yet.
    """
    cases = _confusion_cases()
    for labels, predictions, k in cases:
        expected = most_confused_pairs(labels, predictions, k)
        C = confusion_counts(labels, predictions, n_classes=10)
        context = (f"for {labels.size} labels and predictions with "
                   f"{int(np.sum(labels != predictions))} mistakes and k={k}")
        got = _call("most_confused", most_confused_student,
                    labels=labels, predictions=predictions, k=k)
        if got is None:
            raise AssertionError(
                "most_confused returned None (did you forget `return`?); expected "
                f"{k} rows (actual, predicted, count), shape {expected.shape}, {context}.")
        try:
            rows = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            rows = None
        if rows is None or rows.shape != expected.shape:
            found = "something that is not a table of numbers" if rows is None \
                else f"shape {rows.shape}"
            raise AssertionError(
                f"most_confused returned {found}; expected {k} rows (actual, predicted, "
                f"count), shape {expected.shape}, {context}.")
        seen = set()
        for i, (row, right) in enumerate(zip(rows, expected)):
            a, p, c = (int(v) if float(v).is_integer() else -1 for v in row)
            valid = (0 <= a < 10 and 0 <= p < 10 and a != p and (a, p) not in seen
                     and c == right[2] == C[a, p])
            if not valid:
                shown = ", ".join(f"{v:g}" for v in row)
                raise AssertionError(
                    f"most_confused: row {i} is ({shown}) but should be "
                    f"({right[0]}, {right[1]}, {right[2]}) (expected shape {expected.shape}: "
                    f"rows (actual, predicted, count), most frequent first) {context}.")
            seen.add((a, p))
    print(f"Correct: most_confused finds the most frequent mistakes in {len(cases)} test sets.")
