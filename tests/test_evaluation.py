"""Tests of annteach.evaluation: confusion counts, mistakes, top-k, model size, timing."""

import itertools

import numpy as np
import pytest

import annteach as at
from annteach import evaluation as ev


@pytest.fixture
def predictions():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 5, size=200)
    guesses = np.where(rng.uniform(size=200) < 0.7, labels, rng.integers(0, 5, size=200))
    return labels, guesses


def test_reexported():
    for name in ev.__all__:
        assert getattr(at, name) is getattr(ev, name)


def test_accuracy_counts_matches(predictions):
    labels, guesses = predictions
    expected = sum(int(a == p) for a, p in zip(labels, guesses)) / len(labels)
    assert at.accuracy(labels, guesses) == pytest.approx(expected)
    assert at.accuracy([1, 2, 3, 4], [1, 0, 3, 0]) == 0.5


def test_confusion_counts_by_loop(predictions):
    labels, guesses = predictions
    C = at.confusion_counts(labels, guesses, n_classes=6)
    expected = np.zeros((6, 6), dtype=int)
    for a, p in zip(labels, guesses):
        expected[a, p] += 1
    np.testing.assert_array_equal(C, expected)
    assert C.sum() == len(labels)
    assert np.trace(C) == np.sum(labels == guesses)


def test_confusion_counts_default_size_and_small_example():
    C = at.confusion_counts([0, 0, 2, 1], [0, 2, 2, 2])
    np.testing.assert_array_equal(C, [[1, 0, 1], [0, 0, 1], [0, 0, 1]])


def test_misclassified_indices(predictions):
    labels, guesses = predictions
    idx = at.misclassified(labels, guesses)
    assert list(idx) == [i for i in range(len(labels)) if labels[i] != guesses[i]]
    assert at.misclassified([3, 3], [3, 3]).shape == (0,)


def test_most_confused_pairs_by_brute_force(predictions):
    labels, guesses = predictions
    counts = {}
    for a, p in zip(labels, guesses):
        if a != p:
            counts[(int(a), int(p))] = counts.get((int(a), int(p)), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    rows = at.most_confused_pairs(labels, guesses, k=4)
    assert rows.shape == (4, 3)
    assert [(int(a), int(p), int(c)) for a, p, c in rows] == \
        [(a, p, c) for (a, p), c in ranked[:4]]


def test_most_confused_pairs_small_example_and_few_mistakes():
    labels = [4, 4, 4, 9, 7, 7, 1]
    guesses = [9, 9, 4, 4, 1, 1, 1]
    rows = at.most_confused_pairs(labels, guesses, k=5)
    # (4, 9) twice, (7, 1) twice (tie: smaller actual first), (9, 4) once; nothing else.
    np.testing.assert_array_equal(rows, [[4, 9, 2], [7, 1, 2], [9, 4, 1]])
    assert at.most_confused_pairs([1, 2], [1, 2], k=3).shape == (0, 3)


def test_top_k_matches_the_lecture_idiom():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(10), size=30)
    top = at.top_k(P, k=3)
    assert top.shape == (30, 3)
    for n in range(30):
        np.testing.assert_array_equal(top[n], P[n].argsort()[::-1][:3])
        assert P[n, top[n, 0]] == P[n].max()
        assert P[n, top[n, 0]] >= P[n, top[n, 1]] >= P[n, top[n, 2]]


def test_prediction_title_format():
    assert at.prediction_title([4, 9, 7], 9) == "P. 4, 9, 7 / A. 9"
    assert at.prediction_title(np.array([0, 1, 2], dtype=np.int64), np.uint8(5)) == \
        "P. 0, 1, 2 / A. 5"


def test_count_params_of_an_mlp():
    model = at.MLP([784, 30, 10])
    assert at.count_params(model) == 30 * 785 + 10 * 31


def test_timed_returns_the_result():
    result, seconds = at.timed(sorted, [3, 1, 2], reverse=True)
    assert result == [3, 2, 1]
    assert seconds >= 0.0


def test_inputs_untouched(predictions):
    labels, guesses = predictions
    copies = labels.copy(), guesses.copy()
    at.confusion_counts(labels, guesses)
    at.most_confused_pairs(labels, guesses)
    np.testing.assert_array_equal(labels, copies[0])
    np.testing.assert_array_equal(guesses, copies[1])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: at.confusion_counts([0, 1], [0]), "same shape"),
    (lambda: at.confusion_counts([[0, 1]], [[0, 1]]), "1-D"),
    (lambda: at.confusion_counts([0.5, 1.0], [0, 1]), "integer"),
    (lambda: at.confusion_counts([0, -1], [0, 1]), ">= 0"),
    (lambda: at.confusion_counts([0, 5], [0, 1], n_classes=3), "too small"),
    (lambda: at.accuracy([], []), "at least one"),
    (lambda: at.most_confused_pairs([0], [1], k=0), "k must"),
    (lambda: at.top_k(np.ones((2, 3)), k=4), "k must"),
    (lambda: at.top_k(np.ones(3)), "shape"),
    (lambda: at.count_params(object()), "params"),
])
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_all_pairs_listed_when_k_is_large():
    labels = np.array([a for a, p in itertools.permutations(range(3), 2)])
    guesses = np.array([p for a, p in itertools.permutations(range(3), 2)])
    rows = at.most_confused_pairs(labels, guesses, k=100)
    assert rows.shape == (6, 3)
    assert set(map(tuple, rows[:, :2].tolist())) == set(itertools.permutations(range(3), 2))
    assert np.all(rows[:, 2] == 1)


def test_timed_repeat_calls_again_and_keeps_the_fastest():
    calls = []

    def work(n):
        calls.append(n)
        return n * 2

    result, seconds = at.timed(work, 21, repeat=3)
    assert result == 42 and calls == [21, 21, 21] and seconds >= 0
    with pytest.raises(ValueError, match="repeat"):
        at.timed(work, 1, repeat=0)
