"""Tests of the exercise self-checks: they accept right answers and explain wrong ones."""

import functools
import sys

import numpy as np
import pytest

import annteach as at
from annteach import exercises


def stub(*args):
    raise NotImplementedError


def _delta(g_derivative, Y, dEdY):
    return g_derivative(Y) * dEdY


def _central(f, x, index, eps):
    step = np.zeros_like(x)
    step[index] = eps
    return (f(x + step) - f(x - step)) / (2 * eps)


# -- right answers pass, with one "Correct:" line ----------------------------

def _fprop(W, X, g):
    return g(X @ W.T)


def _backprop(W, X, gd, Y, dEdY):
    return _delta(gd, Y, dEdY) @ W, _delta(gd, Y, dEdY).T @ X


def _hidden_delta(Y, W, D, gd):
    return gd(Y) * at.remove_bias(D @ W)


@pytest.mark.parametrize("check, answer", [
    (exercises.check_fprop, _fprop),
    (exercises.check_fprop, lambda W, X, g: g(np.einsum("ji,ni->nj", W, X))),
    (exercises.check_backprop, _backprop),
    (exercises.check_hidden_delta, _hidden_delta),
    (exercises.check_central_difference, _central),
    (exercises.check_central_difference, lambda f, x, i, eps: np.float64(_central(f, x, i, eps))),
    # One policy for array-likes: lists (and tuples) of numbers are read like arrays.
    (exercises.check_fprop, lambda W, X, g: _fprop(W, X, g).tolist()),
    (exercises.check_backprop, lambda *a: [r.tolist() for r in _backprop(*a)]),
    (exercises.check_hidden_delta, lambda *a: _hidden_delta(*a).tolist()),
    (exercises.check_central_difference, lambda f, x, i, eps: [_central(f, x, i, eps)]),
])
def test_right_answer_passes(check, answer, capsys):
    check(answer)
    out = capsys.readouterr().out
    assert out.startswith("Correct: ")
    assert out.count("\n") == 1


def test_success_line_is_deterministic(capsys):
    exercises.check_fprop(_fprop)
    first = capsys.readouterr().out
    exercises.check_fprop(_fprop)
    assert capsys.readouterr().out == first


# -- unfinished exercises -----------------------------------------------------

@pytest.mark.parametrize("check, name", [
    (exercises.check_fprop, "fprop"),
    (exercises.check_backprop, "backprop"),
    (exercises.check_hidden_delta, "hidden_delta"),
    (exercises.check_central_difference, "central_difference"),
])
def test_stub_says_not_done(check, name, capsys):
    with pytest.raises(AssertionError, match=f"{name} is not done yet") as info:
        check(stub)
    assert isinstance(info.value.__cause__, NotImplementedError)
    assert "Correct" not in capsys.readouterr().out


# -- wrong answers ------------------------------------------------------------

def test_fprop_without_activation_names_first_wrong_entry():
    with pytest.raises(AssertionError) as info:
        exercises.check_fprop(lambda W, X, g: X @ W.T)
    message = str(info.value)
    assert "Y[0, 0] is" in message and "but should be" in message
    assert "expected shape (4, 3)" in message


def test_fprop_message_holds_the_right_numbers():
    W, X, _ = exercises._random_layer(0, 4, 2, 3)
    wrong = at.fprop(W, X, at.tanh) + 1.0
    with pytest.raises(AssertionError) as info:
        exercises.check_fprop(lambda W_, X_, g: wrong)
    expected = at.fprop(W, X, at.tanh)[0, 0]
    assert f"is {expected + 1:.6g} but should be {expected:.6g}" in str(info.value)


@pytest.mark.parametrize("answer, pattern", [
    (lambda W, X, g: None, r"returned None \(did you forget `return`\?\).*shape \(4, 3\)"),
    (lambda W, X, g: "Y", r"returned Y as a str that numpy cannot read as numbers; "
                          r"expected Y as a numpy array of shape \(4, 3\)"),
    (lambda W, X, g: [[1.0, 2.0], [3.0]], r"returned Y as a list that numpy cannot read"),
    (lambda W, X, g: g(W @ X.T), r"Y has shape \(3, 4\), expected shape \(4, 3\)"),
    (lambda W, X, g: g(X @ W.T)[0], r"Y has shape \(3,\), expected shape \(4, 3\)"),
])
def test_fprop_wrong_type_or_shape(answer, pattern):
    with pytest.raises(AssertionError, match=pattern):
        exercises.check_fprop(answer)


def test_fprop_changing_input_is_reported():
    def in_place(W, X, g):
        X[:, -1] = 0
        return g(X @ W.T)
    with pytest.raises(AssertionError, match="changed its argument X in place"):
        exercises.check_fprop(in_place)


@pytest.mark.parametrize("answer", [
    # forgot to sum the gradient over the samples: only the first one
    lambda W, X, gd, Y, dEdY: (_delta(gd, Y, dEdY) @ W,
                               _delta(gd, Y, dEdY)[:1].T @ X[:1]),
    # averaged instead of summed
    lambda W, X, gd, Y, dEdY: (_delta(gd, Y, dEdY) @ W,
                               _delta(gd, Y, dEdY).T @ X / len(X)),
    # wrong sign
    lambda W, X, gd, Y, dEdY: (-(_delta(gd, Y, dEdY) @ W), -(_delta(gd, Y, dEdY).T @ X)),
    # forgot g'
    lambda W, X, gd, Y, dEdY: (dEdY @ W, dEdY.T @ X),
])
def test_backprop_wrong_values(answer):
    with pytest.raises(AssertionError, match=r"backprop: dEdW\[0, 0\] is .* but should be"):
        exercises.check_backprop(answer)


def test_backprop_wrong_dEdX_is_named():
    with pytest.raises(AssertionError, match=r"dEdX\[\d+, \d+\] is .*expected shape \(4, 3\)"):
        exercises.check_backprop(lambda W, X, gd, Y, dEdY: (
            _delta(gd, Y, dEdY) @ W * 2, _delta(gd, Y, dEdY).T @ X))


def test_backprop_bias_removed_too_early_is_a_shape_error():
    with pytest.raises(AssertionError, match=r"dEdX has shape \(4, 2\), expected shape \(4, 3\)"):
        exercises.check_backprop(lambda W, X, gd, Y, dEdY: (
            at.remove_bias(_delta(gd, Y, dEdY) @ W), _delta(gd, Y, dEdY).T @ X))


@pytest.mark.parametrize("answer", [lambda *a: None, lambda W, X, gd, Y, dEdY: W])
def test_backprop_must_return_two_arrays(answer):
    with pytest.raises(AssertionError, match=r"must return two arrays, \(dEdX, dEdW\)"):
        exercises.check_backprop(answer)


def test_backprop_gradient_check_catches_what_the_reference_check_would_miss(monkeypatch):
    # If the reference itself were wrong, the numerical gradient still catches it.
    def wrong_reference(W, X, gd, Y, dEdY):
        return 2 * _delta(gd, Y, dEdY) @ W, 2 * _delta(gd, Y, dEdY).T @ X

    def same_answer(W, X, gd, Y, dEdY):  # written out again, not a call of the reference
        return 2 * _delta(gd, Y, dEdY) @ W, 2 * _delta(gd, Y, dEdY).T @ X
    monkeypatch.setattr(exercises, "backprop", wrong_reference)
    with pytest.raises(AssertionError, match="differs from the numerical gradient"):
        exercises.check_backprop(same_answer)


@pytest.mark.parametrize("answer, pattern", [
    # forgot to remove the bias column
    (lambda Y, W, D, gd: gd(at.add_bias(Y)) * (D @ W),
     r"Delta has shape \(4, 3\), expected shape \(4, 2\)"),
    # removed the first column instead of the bias (last) column
    (lambda Y, W, D, gd: gd(Y) * (D @ W)[:, 1:], r"Delta\[0, 0\] is .* but should be"),
    # wrong sign
    (lambda Y, W, D, gd: -gd(Y) * at.remove_bias(D @ W), r"Delta\[0, 0\] is .* but should be"),
    # forgot g'
    (lambda Y, W, D, gd: at.remove_bias(D @ W), r"Delta\[0, 0\] is .* but should be"),
])
def test_hidden_delta_wrong(answer, pattern):
    with pytest.raises(AssertionError, match=pattern):
        exercises.check_hidden_delta(answer)


def _forward(f, x, index, eps):
    step = np.zeros_like(x)
    step[index] = eps
    return (f(x + step) - f(x)) / eps


def _not_restoring(f, x, index, eps):
    x[index] += eps
    f_plus = f(x)
    x[index] -= 2 * eps
    return (f_plus - f(x)) / (2 * eps)


@pytest.mark.parametrize("answer, pattern", [
    (_forward, r"returned .* but should return .* at index \(0,\)"),
    (lambda f, x, i, eps: -_central(f, x, i, eps), r"returned .* but should return"),
    (lambda f, x, i, eps: _central(f, x, i, eps) / 2, r"returned .* but should return"),
    (_not_restoring, r"changed its argument x in place"),
    (lambda f, x, i, eps: None, r"returned None"),
    (lambda f, x, i, eps: np.full(x.shape, _central(f, x, i, eps)),
     r"returned an array of shape \(3,\); expected one number"),
    (lambda f, x, i, eps: str(_central(f, x, i, eps)),
     r"returned the derivative as a str that numpy cannot read as numbers; expected the "
     r"derivative as one number"),
])
def test_central_difference_wrong(answer, pattern):
    with pytest.raises(AssertionError, match=pattern):
        exercises.check_central_difference(answer)


def test_central_difference_restoring_in_place_is_fine(capsys):
    def restoring(f, x, index, eps):
        old = x[index]
        x[index] = old + eps
        f_plus = f(x)
        x[index] = old - eps
        f_minus = f(x)
        x[index] = old
        return (f_plus - f_minus) / (2 * eps)
    exercises.check_central_difference(restoring)
    assert capsys.readouterr().out.startswith("Correct: central_difference")


def test_student_errors_propagate():
    def broken(W, X, g):
        raise ValueError("shapes do not fit")
    with pytest.raises(ValueError, match="shapes do not fit"):
        exercises.check_fprop(broken)


# -- one policy for answers that are not arrays of numbers --------------------

@pytest.mark.parametrize("check", [
    exercises.check_fprop, exercises.check_backprop, exercises.check_hidden_delta,
    exercises.check_central_difference,
])
def test_not_numbers_get_the_same_message_everywhere(check):
    def words(*args):
        return ("not", "numbers")  # backprop takes the pair apart: "numbers" is dEdW
    with pytest.raises(exercises.CheckFailed, match=r"returned (Y|dEdW|Delta|the derivative) as "
                                                    r"a (tuple|str) that numpy cannot read as "
                                                    r"numbers; expected \1 as "):
        check(words)


@pytest.mark.parametrize(("check", "answer"), [
    (exercises.check_fprop, lambda W, X, g: np.ma.masked_all((X.shape[0], W.shape[0]))),
    (exercises.check_fprop, lambda W, X, g: np.ma.masked_array(_fprop(W, X, g), mask=True)),
    (exercises.check_fprop, lambda W, X, g: np.ma.masked_array(_fprop(W, X, g))),
    (exercises.check_backprop, lambda *a: tuple(np.ma.masked_array(r, mask=True)
                                                for r in _backprop(*a))),
    (exercises.check_hidden_delta, lambda *a: np.ma.masked_array(_hidden_delta(*a), mask=True)),
    (exercises.check_central_difference,
     lambda f, x, i, eps: np.ma.masked_array(_central(f, x, i, eps), mask=True)),
])
def test_masked_arrays_are_no_answer(check, answer, capsys):
    with pytest.raises(exercises.CheckFailed, match=r"masked array \(numpy\.ma\)"):
        check(answer)
    assert "Correct" not in capsys.readouterr().out


# -- answers that only call the package's own implementation ------------------

def _layer_calls(reference):
    """Ways a student could hand in ``reference`` itself."""
    alias = reference  # captured before the check runs
    return {
        "the reference itself": reference,
        "a wrapper": lambda *args: reference(*args),
        "an alias captured earlier": lambda *args: alias(*args),
        "functools.partial": functools.partial(reference),
    }


def _through_mlp(W, X, g):
    """The layer's output as the hidden layer of an at.MLP (which calls at.fprop)."""
    name = next(n for n, (f, _) in at.ACTIVATIONS.items() if f is g)
    model = at.MLP([W.shape[1] - 1, W.shape[0], 1], hidden=name)
    inputs, _ = model.forward(X[:, :-1], params=[W, model.weights[1]])
    return at.remove_bias(inputs[1])


REFERENCE_CALLS = [
    (exercises.check_fprop, "fprop", way, answer)
    for way, answer in _layer_calls(at.fprop).items()
] + [
    (exercises.check_backprop, "backprop", way, answer)
    for way, answer in _layer_calls(at.backprop).items()
] + [
    (exercises.check_fprop, "fprop", "through at.layers",
     lambda W, X, g: at.layers.fprop(W, X, g)),
    (exercises.check_fprop, "fprop", "through at.MLP", _through_mlp),
    (exercises.check_backprop, "backprop", "after own work",
     lambda W, X, gd, Y, dEdY: (_backprop(W, X, gd, Y, dEdY)[0],
                                at.backprop(W, X, gd, Y, dEdY)[1])),
    (exercises.check_hidden_delta, "backprop", "backprop with g' = 1",
     lambda Y, W, D, gd: gd(Y) * at.remove_bias(
         at.backprop(W, at.add_bias(Y), at.identity_derivative, np.zeros_like(D), D)[0])),
    (exercises.check_central_difference, "numerical_gradient", "the whole gradient",
     lambda f, x, i, eps: at.numerical_gradient(f, x, eps)[i]),
]


@pytest.mark.parametrize("check, reference, way, answer", REFERENCE_CALLS,
                         ids=[f"{r}-{w}" for _, r, w, _ in REFERENCE_CALLS])
def test_calling_the_reference_is_detected(check, reference, way, answer, capsys):
    with pytest.raises(exercises.CheckFailed, match=rf"calls at\.{reference}, the package's own "
                                                    "implementation that this check compares"):
        check(answer)
    assert "Correct" not in capsys.readouterr().out


def test_the_check_restores_the_profile_function():
    calls = []

    def profile(frame, event, arg):
        calls.append(event)
    sys.setprofile(profile)
    try:
        with pytest.raises(exercises.CheckFailed):
            exercises.check_fprop(at.fprop)
        exercises.check_fprop(_fprop)
        assert sys.getprofile() is profile
    finally:
        sys.setprofile(None)


def test_check_failed_renders_as_its_message_alone():
    error = exercises.CheckFailed("fprop: Y[0, 0] is 1 but should be 2")
    assert isinstance(error, AssertionError)
    assert error._render_traceback_() == [
        "\x1b[0;31mCheckFailed\x1b[0m: fprop: Y[0, 0] is 1 but should be 2"]
