"""Tests of the exercise self-checks: they accept right answers and explain wrong ones."""

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

@pytest.mark.parametrize("check, answer", [
    (exercises.check_fprop, at.fprop),
    (exercises.check_fprop, lambda W, X, g: g(np.einsum("ji,ni->nj", W, X))),
    (exercises.check_backprop, at.backprop),
    (exercises.check_backprop, lambda W, X, gd, Y, dEdY: (_delta(gd, Y, dEdY) @ W,
                                                          _delta(gd, Y, dEdY).T @ X)),
    (exercises.check_hidden_delta,
     lambda Y, W, D, gd: gd(Y) * at.remove_bias(D @ W)),
    (exercises.check_central_difference, _central),
    (exercises.check_central_difference, lambda f, x, i, eps: np.float64(_central(f, x, i, eps))),
])
def test_right_answer_passes(check, answer, capsys):
    check(answer)
    out = capsys.readouterr().out
    assert out.startswith("Correct: ")
    assert out.count("\n") == 1


def test_success_line_is_deterministic(capsys):
    exercises.check_fprop(at.fprop)
    first = capsys.readouterr().out
    exercises.check_fprop(at.fprop)
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
    (lambda W, X, g: g(X @ W.T).tolist(), r"as a list; expected a numpy array of shape \(4, 3\)"),
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
    monkeypatch.setattr(exercises, "backprop", wrong_reference)
    with pytest.raises(AssertionError, match="differs from the numerical gradient"):
        exercises.check_backprop(wrong_reference)


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
    (lambda f, x, i, eps: at.numerical_gradient(f, x, eps), r"returned a ndarray; expected one"),
    (lambda f, x, i, eps: str(_central(f, x, i, eps)), r"returned a str; expected one number"),
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
