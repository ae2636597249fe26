"""The worked example of lecture 4 against the computation by hand (tests/xor_by_hand.py)."""

import numpy as np
import pytest
import xor_by_hand

import annteach as at


def _flat(example):
    return {**example["forward"], **example["deltas"], **example["gradient"]}


def test_worked_example_matches_the_hand_computation():
    example = at.xor_backprop_example()                 # x = (0, 1), t = 1, XOR_WEIGHTS
    hand = xor_by_hand.one_sample(0.0, 1.0, 1.0)
    got = _flat(example)
    assert set(got) == set(hand)
    for name, value in hand.items():
        assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
    assert list(example["gradient"]) == list(at.XOR_WEIGHTS)
    assert all(type(v) is float for v in got.values())


def test_worked_example_numbers_to_four_decimals():
    # the values printed to 4 decimals, from the hand computation
    hand = xor_by_hand.one_sample(0.0, 1.0, 1.0)
    got = _flat(at.xor_backprop_example((0, 1), 1))
    assert {k: round(v, 4) for k, v in got.items()} == {k: round(v, 4) for k, v in hand.items()}
    # x1 = 0: the weights from x1 get no gradient; the biases get the deltas
    assert got["w3"] == 0.0 and got["w5"] == 0.0
    assert got["b1"] == got["delta_y"] and got["b2"] == got["delta_h1"]


@pytest.mark.parametrize("x, t", [((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0), ((0.3, -2.0), 0.25)])
def test_other_samples_and_weights(x, t):
    weights = {"w1": 1.5, "w4": -2.0, "b3": 0.7}
    got = _flat(at.xor_backprop_example(x, t, weights))
    hand = xor_by_hand.one_sample(*x, t, **weights)
    for name, value in hand.items():
        assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name


def test_gradient_summed_over_the_four_samples():
    g = at.xor_gradient()
    hand = xor_by_hand.gradient()
    assert list(g) == list(at.XOR_WEIGHTS)
    for name in hand:
        assert g[name] == pytest.approx(hand[name], rel=1e-12, abs=1e-15), name
    examples = [at.xor_backprop_example(x, t)["gradient"] for x, t in xor_by_hand.SAMPLES]
    for name in g:
        assert g[name] == pytest.approx(sum(e[name] for e in examples), rel=1e-12, abs=1e-15)


def test_gradient_is_confirmed_by_central_differences():
    for weights in (None, {"w2": -3.0, "b2": 1.0}):
        g = at.xor_gradient(weights)
        num = at.xor_numerical_gradient(weights)
        assert list(num) == list(g)
        assert at.relative_error(list(g.values()), list(num.values())) < 1e-6
    # and by the project's gradient check, on an MLP holding the same weights
    X, T = at.xor_dataset()
    model = at.MLP([2, 2, 1], hidden="logistic", output="logistic", loss="sse")
    model.weights = list(at.xor_weight_matrices())
    assert at.check_gradient(model, X, T) < 1e-6


def test_gradient_on_given_samples_and_bad_input():
    g = at.xor_gradient(X=[[0.0, 1.0]], T=[1.0])
    assert g == at.xor_backprop_example()["gradient"]
    with pytest.raises(ValueError, match="both X and T"):
        at.xor_gradient(X=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="one target per input"):
        at.xor_gradient(X=np.zeros((4, 2)), T=np.zeros(3))
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        at.xor_gradient(X=np.zeros((4, 3)), T=np.zeros(4))
    with pytest.raises(ValueError, match="one sample"):
        at.xor_backprop_example(x=[[0, 1], [1, 0]], t=[1, 1])
    with pytest.raises(ValueError, match="w0"):
        at.xor_backprop_example(weights={"w0": 1.0})


def test_values_by_unit_puts_each_weight_on_its_units_line():
    # distinct values, so a weight on the wrong line or in the wrong column shows
    values = {name: (k + 1) / 100 for k, name in enumerate(at.XOR_WEIGHTS)}
    lines = at.xor_values_by_unit(values, prefix="dE/d", digits=2).splitlines()
    assert lines == [
        "y : dE/dw1 =  0.01  dE/dw2 =  0.02  dE/db1 =  0.03",
        "h1: dE/dw3 =  0.04  dE/dw4 =  0.05  dE/db2 =  0.06",
        "h2: dE/dw5 =  0.07  dE/dw6 =  0.08  dE/db3 =  0.09",
    ]


def test_values_by_unit_rounds_and_writes_no_negative_zero():
    gradient = at.xor_backprop_example()["gradient"]     # dE/dw3 = dE/dw5 = 0 (x1 = 0)
    text = at.xor_values_by_unit(gradient, prefix="dE/d")
    assert "-0.0000" not in text
    assert "dE/dw3 =  0.0000" in text
    assert f"dE/db1 = {round(gradient['b1'], 4):.4f}" in text


def test_values_by_unit_names_missing_and_unknown_weights():
    values = dict(at.XOR_WEIGHTS)
    del values["b3"]
    with pytest.raises(ValueError, match=r"missing \['b3'\]"):
        at.xor_values_by_unit(values)
    with pytest.raises(ValueError, match="unknown XOR weights"):
        at.xor_values_by_unit({**at.XOR_WEIGHTS, "w7": 1.0})
