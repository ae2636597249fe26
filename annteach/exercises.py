"""Self-checks for the exercises of the lecture notebooks.

Each ``check_*`` function takes the student's function, calls it on a few
small seeded random problems and compares the answer with annteach's own
implementation. On success it prints one line starting with ``Correct:``;
otherwise it raises :class:`CheckFailed` (an ``AssertionError``) with a
message that says what is wrong (the first wrong entry with the value found
and the value expected, a wrong shape or type, a missing ``return``, an
exercise that still raises ``NotImplementedError``, or an answer that only
calls the package's own implementation). In a notebook the failure shows as
that message alone, without the check's internals, and the cell fails, so
nbgrader counts it as a failed test. The checks never show the solution code.

Array-like answers are accepted everywhere: every answer is read with
``np.asarray``, so a list (of lists) of numbers where an array is expected is
judged by its values and shape like an array; an answer that numpy cannot read
as numbers gets the same message in every check, and so does a masked array
(``numpy.ma``), whose masked entries would otherwise compare as equal.

An answer must compute the result itself: if, while the check runs it, the
student's function calls the reference implementation the check compares
with (``at.fprop`` in ``fprop``, ``at.backprop`` in ``backprop`` and
``hidden_delta``, ``at.numerical_gradient`` in ``central_difference``,
``at.most_confused_pairs`` in ``most_confused``), under whatever name it
reached that function, the check fails and says so. The calls are recognised
by their code object, with :func:`sys.setprofile`, so aliases, partials and
calls through other package functions are caught as well.

Only numpy is needed, so ``annteach.exercises`` is imported with the package.
"""

import sys

import numpy as np

from .activations import ACTIVATIONS, identity_derivative
from .evaluation import confusion_counts, most_confused_pairs
from .gradcheck import numerical_gradient, relative_error
from .layers import add_bias, backprop, fprop, remove_bias

__all__ = ["CheckFailed", "check_backprop", "check_central_difference", "check_fprop",
           "check_hidden_delta", "check_most_confused"]

_RTOL, _ATOL = 1e-6, 1e-9
# (N samples, n_in, n_out, activation): small layers, each with another g.
_LAYERS = [(4, 2, 3, "tanh"), (5, 3, 1, "logistic"), (3, 4, 2, "identity")]


class CheckFailed(AssertionError):
    """A self-check found the answer wrong or unfinished.

    IPython shows it as its message alone (``_render_traceback_``): the
    student sees what is wrong, not the frames of the check.
    """

    def _render_traceback_(self):
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def _random_layer(seed, n_samples, n_in, n_out):
    """Weights ``W`` (n_out, n_in + 1) and inputs ``X`` (N, n_in + 1) with bias column."""
    rng = np.random.default_rng(seed)
    W = rng.normal(0, 0.8, size=(n_out, n_in + 1))
    X = add_bias(rng.uniform(-1, 1, size=(n_samples, n_in)))
    return W, X, rng


def _reference_watcher(references, found):
    """A profile function that appends to ``found`` the name of every function of
    ``references`` called from outside this module, or by :func:`_call` itself
    (the student's function *is* the reference)."""
    codes = {reference.__code__: reference.__name__ for reference in references}

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            caller = frame.f_back
            if (caller is None or caller.f_code.co_filename != __file__
                    or caller.f_code is _call.__code__):
                found.append(codes[frame.f_code])
    return watch


def _call(name, function, references=(), **kwargs):
    """Call the student's function with the arguments in order.

    An unfinished exercise becomes a CheckFailed, and so does changing an
    input array or calling one of ``references`` (the implementations the
    check compares with) on the way.
    """
    copies = {k: np.array(a, copy=True) for k, a in kwargs.items() if isinstance(a, np.ndarray)}
    found = []
    previous = sys.getprofile()
    sys.setprofile(_reference_watcher(references, found))
    try:
        result = function(*kwargs.values())
    except NotImplementedError as err:
        raise CheckFailed(
            f"{name} is not done yet: it still raises NotImplementedError. "
            "Replace that line with your code and run the cell again.") from err
    finally:
        sys.setprofile(previous)
    if found:
        raise CheckFailed(
            f"{name} calls at.{found[0]}, the package's own implementation that this check "
            f"compares with. Write the computation yourself, without at.{found[0]}.")
    for argname, copy in copies.items():
        if not np.array_equal(kwargs[argname], copy):
            raise CheckFailed(
                f"{name} changed its argument {argname} in place; "
                "compute a new array instead of modifying the inputs.")
    return result


def _numbers(name, what, got, expected):
    """``got`` read with ``np.asarray`` (the one policy for array-like answers).

    ``expected`` says what the answer should be, for the message when ``got``
    is None or not numbers.
    """
    if got is None:
        raise CheckFailed(
            f"{name} returned None (did you forget `return`?); expected {what} as {expected}.")
    if np.ma.isMaskedArray(got):
        raise CheckFailed(
            f"{name} returned {what} as a masked array (numpy.ma), whose masked entries are "
            f"no answer; expected {what} as {expected}.")
    try:
        array = np.asarray(got)
    except (TypeError, ValueError):  # ragged nested lists
        array = None
    if array is None or not np.issubdtype(array.dtype, np.number):
        raise CheckFailed(
            f"{name} returned {what} as a {type(got).__name__} that numpy cannot read as "
            f"numbers; expected {what} as {expected}.")
    return array


def _compare(name, what, got, expected, context):
    """``got`` as an array; raise CheckFailed unless it equals ``expected``."""
    shape = expected.shape
    got = _numbers(name, what, got,
                   f"a numpy array of shape {shape} (a list of lists works too) {context}")
    if got.shape != shape:
        raise CheckFailed(
            f"{name}: {what} has shape {got.shape}, expected shape {shape} {context}.")
    wrong = ~np.isclose(got, expected, rtol=_RTOL, atol=_ATOL)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        where = ", ".join(str(i) for i in index)
        raise CheckFailed(
            f"{name}: {what}[{where}] is {got[index]:.6g} but should be "
            f"{expected[index]:.6g} ({int(wrong.sum())} of {wrong.size} entries are wrong; "
            f"expected shape {shape}) {context}.")
    return got


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
    CheckFailed
        If the answer is wrong, calls the reference implementation, or the
        exercise is not done yet.
    """
    for seed, (n_samples, n_in, n_out, g_name) in enumerate(_LAYERS):
        W, X, _ = _random_layer(seed, n_samples, n_in, n_out)
        g = ACTIVATIONS[g_name][0]
        Y = _call("fprop", fprop_student, (fprop,), W=W, X=X, g=g)
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
    CheckFailed
        If the answer is wrong, calls the reference implementation, or the
        exercise is not done yet.
    """
    for seed, (n_samples, n_in, n_out, g_name) in enumerate(_LAYERS):
        W, X, rng = _random_layer(seed, n_samples, n_in, n_out)
        g, g_derivative = ACTIVATIONS[g_name]
        Y = fprop(W, X, g)
        dEdY = rng.normal(size=Y.shape)
        context = _layer_context(W, X, g_name)
        result = _call("backprop", backprop_student, (backprop,), W=W, X=X,
                       g_derivative=g_derivative, Y=Y, dEdY=dEdY)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailed(
                f"backprop must return two arrays, (dEdX, dEdW); it returned "
                f"{type(result).__name__ if result is not None else 'None'} {context}.")
        dEdX, dEdW = backprop(W, X, g_derivative, Y, dEdY)
        got_W = _compare("backprop", "dEdW", result[1], dEdW, context)
        got_X = _compare("backprop", "dEdX", result[0], dEdX, context)
        # Independent of at.backprop: the gradients of E = sum(dEdY * Y).
        numeric_W = numerical_gradient(lambda V, X=X, R=dEdY, g=g: np.sum(R * fprop(V, X, g)), W)
        numeric_X = numerical_gradient(lambda V, W=W, R=dEdY, g=g: np.sum(R * fprop(W, V, g)), X)
        for what, got, numeric in (("dEdW", got_W, numeric_W), ("dEdX", got_X, numeric_X)):
            error = relative_error(got, numeric)
            if error > 1e-6:
                raise CheckFailed(
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
    CheckFailed
        If the answer is wrong, calls the reference implementation, or the
        exercise is not done yet.
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
        Delta = _call("hidden_delta", hidden_delta_student, (backprop,), Y=Y, W_above=W_above,
                      Delta_above=Delta_above, g_derivative=g_derivative)
        _compare("hidden_delta", "Delta", Delta, expected, context)
    print(f"Correct: hidden_delta matches backprop through {len(_LAYERS)} random layers.")


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
    CheckFailed
        If the answer is wrong, calls the reference implementation, or the
        exercise is not done yet.
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
            got = _call("central_difference", central_difference_student, (numerical_gradient,),
                        f=f, x=x, index=index, eps=eps)
            value = _numbers("central_difference", "the derivative", got,
                             f"one number (a float) {context}")
            if value.size != 1:
                raise CheckFailed(
                    f"central_difference returned an array of shape {value.shape}; expected "
                    f"one number (a float) {context}.")
            value = float(value.reshape(()))
            if not np.isclose(value, expected[index], rtol=1e-7, atol=1e-9):
                raise CheckFailed(
                    f"central_difference returned {value:.8g} but should return "
                    f"{expected[index]:.8g} {context}.")
            count += 1
    print(f"Correct: central_difference matches at.numerical_gradient on {len(cases)} "
          f"functions ({count} partial derivatives).")


def _confusion_cases():
    """Labels (uint8, like MNIST) and predictions (int64) of four test sets, and k."""
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
    # One mistake, k = 3: the answer has one row, no pairs with count 0.
    cases.append((np.array([1, 1, 2, 3], dtype=np.uint8), np.array([1, 2, 2, 3]), 3))
    return cases


_ROWS_WANTED = ("one row (actual, predicted, count) for each of the k most frequent mistakes, "
                "most frequent first; only pairs that occur, so fewer than k rows when there "
                "are fewer kinds of mistakes")


def check_most_confused(most_confused_student):
    """Check ``most_confused(labels, predictions, k) -> (actual, predicted, count) rows``.

    The answer is compared with :func:`annteach.most_confused_pairs` on
    four small test sets, one of them with fewer kinds of mistakes than k.
    Pairs with equal counts may come in any order.

    Parameters
    ----------
    most_confused_student : callable
        The student's function: ``labels`` (N,) actual classes, ``predictions``
        (N,) predicted classes, ``k`` an int; returns the k most frequent
        mistakes (``actual != predicted``) as rows ``(actual, predicted,
        count)``, most frequent first: a list of tuples or an int array of
        shape (m, 3), where m = min(k, number of distinct mistakes). Pairs
        that do not occur (count 0) are not mistakes and must not be listed.

    Raises
    ------
    CheckFailed
        If the answer is wrong, calls the reference implementation, or the
        exercise is not done yet.
    """
    cases = _confusion_cases()
    for labels, predictions, k in cases:
        expected = most_confused_pairs(labels, predictions, k)
        C = confusion_counts(labels, predictions, n_classes=10)
        context = (f"for {labels.size} labels and predictions with "
                   f"{int(np.sum(labels != predictions))} mistakes and k={k}")
        got = _call("most_confused", most_confused_student, (most_confused_pairs,),
                    labels=labels, predictions=predictions, k=k)
        rows = _numbers("most_confused", "the rows", got,
                        f"{_ROWS_WANTED} (shape {expected.shape}) {context}")
        if rows.shape != expected.shape:
            raise CheckFailed(
                f"most_confused: the answer has shape {rows.shape}, expected shape "
                f"{expected.shape}: {_ROWS_WANTED} {context}.")
        seen = set()
        for i, (row, right) in enumerate(zip(rows, expected)):
            a, p, c = (int(v) if float(v).is_integer() else -1 for v in row)
            valid = (0 <= a < 10 and 0 <= p < 10 and a != p and (a, p) not in seen
                     and c == right[2] == C[a, p])
            if not valid:
                shown = ", ".join(f"{v:g}" for v in row)
                raise CheckFailed(
                    f"most_confused: row {i} is ({shown}) but should be "
                    f"({right[0]}, {right[1]}, {right[2]}) (expected shape {expected.shape}: "
                    f"rows (actual, predicted, count), most frequent first) {context}.")
            seen.add((a, p))
    print(f"Correct: most_confused finds the most frequent mistakes in {len(cases)} test sets.")
