"""The 2-2-1 XOR network by hand: plain Python floats and math.exp, one scalar at a time.

Written out independently of the package (no numpy, no fprop/backprop), as a
student would on paper, so that tests can check the package against it.
"""

import math

SAMPLES = [((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((0.0, 0.0), 0.0), ((1.0, 1.0), 0.0)]
DEFAULTS = {"w1": 0.1, "w2": 0.2, "b1": 0.1, "w3": -0.2, "w4": 0.2, "b2": -0.1,
            "w5": -0.3, "w6": -0.25, "b3": 0.2}


def sigma(a):
    return 1.0 / (1.0 + math.exp(-a))


def one_sample(x1, x2, t, **weights):
    """Forward and backward pass for E = 1/2 (y - t)^2; every intermediate value by name."""
    w = {**DEFAULTS, **weights}
    a_h1 = w["w3"] * x1 + w["w4"] * x2 + w["b2"]
    a_h2 = w["w5"] * x1 + w["w6"] * x2 + w["b3"]
    h1, h2 = sigma(a_h1), sigma(a_h2)
    a_y = w["w1"] * h1 + w["w2"] * h2 + w["b1"]
    y = sigma(a_y)
    delta_y = (y - t) * y * (1.0 - y)
    delta_h1 = h1 * (1.0 - h1) * w["w1"] * delta_y
    delta_h2 = h2 * (1.0 - h2) * w["w2"] * delta_y
    return {
        "a_h1": a_h1, "h1": h1, "a_h2": a_h2, "h2": h2, "a_y": a_y, "y": y,
        "E": 0.5 * (y - t) ** 2,
        "delta_y": delta_y, "delta_h1": delta_h1, "delta_h2": delta_h2,
        "w1": delta_y * h1, "w2": delta_y * h2, "b1": delta_y,
        "w3": delta_h1 * x1, "w4": delta_h1 * x2, "b2": delta_h1,
        "w5": delta_h2 * x1, "w6": delta_h2 * x2, "b3": delta_h2,
    }


def gradient(**weights):
    """dE/dw of the nine weights for E = 1/2 sum over the four samples of (y - t)^2."""
    total = dict.fromkeys(DEFAULTS, 0.0)
    for (x1, x2), t in SAMPLES:
        values = one_sample(x1, x2, t, **weights)
        for name in total:
            total[name] += values[name]
    return total
