"""Tests of the self-check of the MNIST exercise (lecture 6): check_most_confused."""

import collections

import nbformat
import numpy as np
import pytest

import annteach as at
from annteach import exercises
from annteach.paths import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "06_convolutional_networks.ipynb"


def _by_counter(labels, predictions, k=3):
    """A right answer written independently of annteach: a Counter of pairs."""
    pairs = collections.Counter((int(a), int(p)) for a, p in zip(labels, predictions) if a != p)
    ranked = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    return [(a, p, c) for (a, p), c in ranked[:k]]


def _by_matrix(labels, predictions, k=3):
    C = np.zeros((10, 10), dtype=int)
    np.add.at(C, (labels, predictions), 1)
    np.fill_diagonal(C, 0)
    order = np.argsort(C, axis=None)[::-1][:k]  # ties in another order: still right
    a, p = np.unravel_index(order, C.shape)
    rows = np.stack([a, p, C[a, p]], axis=1)
    return rows[rows[:, 2] > 0]


def _with_zero_counts(labels, predictions, k=3):
    """Always k rows: pairs that never occur (count 0) fill up the list."""
    C = np.zeros((10, 10), dtype=int)
    np.add.at(C, (labels, predictions), 1)
    np.fill_diagonal(C, 0)
    order = np.argsort(C, axis=None)[::-1][:k]
    actual, predicted = np.unravel_index(order, C.shape)
    return [(int(a), int(p), int(C[a, p])) for a, p in zip(actual, predicted)]


@pytest.mark.parametrize("answer", [_by_counter, _by_matrix])
def test_right_answers_pass(answer, capsys):
    exercises.check_most_confused(answer)
    out = capsys.readouterr().out
    assert out.startswith("Correct:")
    assert out.count("\n") == 1


def test_not_done_yet():
    def stub(labels, predictions, k=3):
        raise NotImplementedError

    with pytest.raises(AssertionError, match="not done yet"):
        exercises.check_most_confused(stub)


def test_missing_return():
    with pytest.raises(AssertionError, match=r"returned None.*shape \(3, 3\)"):
        exercises.check_most_confused(lambda labels, predictions, k=3: None)


def test_wrong_shape_names_expected_shape():
    def only_pairs(labels, predictions, k=3):
        return [(a, p) for a, p, _ in _by_counter(labels, predictions, k)]

    with pytest.raises(AssertionError, match=r"has shape \(3, 2\), expected shape \(3, 3\)"):
        exercises.check_most_confused(only_pairs)


def test_fewer_mistakes_than_k():
    labels, predictions = np.array([1, 1, 2, 3]), np.array([1, 2, 2, 3])
    assert _by_counter(labels, predictions, 3) == [(1, 2, 1)]
    np.testing.assert_array_equal(at.most_confused_pairs(labels, predictions, 3), [[1, 2, 1]])
    # k rows padded with pairs of count 0 (possibly diagonal ones) are wrong, and the check
    # says why; the three larger test sets alone would not notice.
    assert len(_with_zero_counts(labels, predictions, 3)) == 3
    with pytest.raises(AssertionError, match=r"has shape \(3, 3\), expected shape \(1, 3\).*"
                                             r"only pairs that occur.*4 labels .* 1 mistakes and "
                                             r"k=3"):
        exercises.check_most_confused(_with_zero_counts)


def test_the_lecture_solution_lists_only_mistakes_that_occur():
    """The instructor's solution in lecture 6, run as the notebook defines it."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell, = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
             == "ex-most-confused"]
    namespace = {"np": np}
    exec(cell.source, namespace)
    most_confused = namespace["most_confused"]
    assert most_confused(np.array([1, 1, 2, 3]), np.array([1, 2, 2, 3]), k=3) == [(1, 2, 1)]
    assert most_confused(np.array([0, 1]), np.array([0, 1]), k=2) == []
    exercises.check_most_confused(most_confused)


def test_calling_the_reference_is_detected():
    with pytest.raises(AssertionError, match=r"calls at\.most_confused_pairs"):
        exercises.check_most_confused(at.most_confused_pairs)
    with pytest.raises(AssertionError, match=r"calls at\.most_confused_pairs"):
        exercises.check_most_confused(lambda labels, predictions, k: [
            tuple(row) for row in at.most_confused_pairs(labels, predictions, k)])


def test_counting_correct_predictions_is_wrong():
    def with_diagonal(labels, predictions, k=3):
        pairs = collections.Counter((int(a), int(p)) for a, p in zip(labels, predictions))
        return [(a, p, c) for (a, p), c in pairs.most_common(k)]

    with pytest.raises(AssertionError, match=r"row 0 is \(\d, \d, \d+\) but should be "
                                             r"\(4, 9, 7\).*expected shape \(3, 3\)"):
        exercises.check_most_confused(with_diagonal)


def test_swapped_actual_and_predicted_is_wrong():
    def swapped(labels, predictions, k=3):
        return [(p, a, c) for a, p, c in _by_counter(labels, predictions, k)]

    with pytest.raises(AssertionError, match=r"row 0 is \(9, 4, 7\) but should be \(4, 9, 7\)"):
        exercises.check_most_confused(swapped)


def test_least_frequent_first_is_wrong():
    def ascending(labels, predictions, k=3):
        return _by_counter(labels, predictions, 100)[-k:]

    with pytest.raises(AssertionError, match="row 0"):
        exercises.check_most_confused(ascending)


def test_repeated_pair_is_wrong():
    def repeated(labels, predictions, k=3):
        rows = _by_counter(labels, predictions, k)
        return [rows[0]] * k

    with pytest.raises(AssertionError, match="row 1"):
        exercises.check_most_confused(repeated)


def test_changing_the_inputs_is_reported():
    def sorts_in_place(labels, predictions, k=3):
        result = _by_counter(labels, predictions, k)
        labels.sort()
        return result

    with pytest.raises(AssertionError, match="changed its argument labels"):
        exercises.check_most_confused(sorts_in_place)


def test_reachable_from_the_package():
    assert at.exercises.check_most_confused is exercises.check_most_confused
