"""Where the time of an MLP training step goes, and how fast each library does its two products.

Run: ``.venv/bin/python benchmarks/bench_mlp_step.py [--rounds 7]`` (PyTorch optional)

The MLP of ``bench_cnn.py`` (784-256-10, tanh, softmax, cross-entropy, float32,
batch 128, momentum) spends most of a step in two products with the 785 inputs
(bias entry included): the forward ``X_b @ W1.T`` and the weight gradient
``Delta.T @ X_b``. This script times, at one BLAS thread:

* those two products in numpy (OpenBLAS) and the same two in PyTorch (its own
  BLAS), in turns, medians of ``--rounds`` rounds of 200 calls each;
* one epoch of :meth:`annteach.MLP.fit`, with the step's parts timed as
  :meth:`~annteach.MLP.fit` does them (gathering the batch, the two products,
  the rest of the forward and backward passes, the momentum update), so that
  the share of the two products in a step is measured, not guessed.
"""

import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import annteach as at

B, SIZES = 128, [784, 256, 10]


def median_microseconds(fn, calls=200):
    fn()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def product_tasks(rng):
    """The two products of a step in numpy, and in PyTorch when it is installed."""
    X_b = np.hstack([rng.random((B, SIZES[0]), dtype=np.float32), np.ones((B, 1), np.float32)])
    W = rng.standard_normal((SIZES[1], SIZES[0] + 1)).astype(np.float32)
    Delta = rng.standard_normal((B, SIZES[1])).astype(np.float32)
    tasks = {"numpy X_b @ W1.T": lambda: X_b @ W.T, "numpy Delta.T @ X_b": lambda: Delta.T @ X_b}
    try:
        import torch
    except ImportError:
        return tasks
    torch.set_num_threads(1)
    tX, tW, tD = (torch.from_numpy(a) for a in (X_b[:, :-1].copy(), W[:, :-1].copy(), Delta))
    tb = torch.from_numpy(W[:, -1].copy())
    tasks["PyTorch addmm(b, X, W1.T)"] = lambda: torch.addmm(tb, tX, tW.t())
    tasks["PyTorch Delta.T @ X"] = lambda: tD.t() @ tX
    return tasks


def step_parts(X, T, rounds):
    """Seconds per step of the parts of MLP.fit's step, medians over ``rounds`` epochs."""
    from annteach.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
    from annteach.losses import LOSSES

    mlp = at.MLP(SIZES, hidden="tanh", output="softmax", loss="cross_entropy", init="glorot",
                 dtype=np.float32, seed=0)
    W = mlp.weights
    V = [np.zeros_like(w) for w in W]
    g, g_derivative = ACTIVATIONS["tanh"]
    softmax, loss = OUTPUT_ACTIVATIONS["softmax"][0], LOSSES["cross_entropy"]
    X_b = np.ones((B, SIZES[0] + 1), np.float32)
    parts = {}
    for _ in range(rounds):
        spent = dict.fromkeys(["gather the batch", "the two products", "rest of forward and "
                               "backward", "momentum update"], 0.0)
        order = mlp.rng.permutation(len(X))
        for start in range(0, len(X) - B + 1, B):
            t0 = time.perf_counter()
            idx = order[start:start + B]
            np.take(X, idx, axis=0, out=X_b[:, :-1], mode="clip")
            t1 = time.perf_counter()
            Z = X_b @ W[0].T
            t2 = time.perf_counter()
            H_b = at.layers.add_bias(g(Z))
            Y = softmax(H_b @ W[1].T)
            Tb = T[idx]
            loss(Y, Tb)
            Delta2 = Y - Tb
            G2 = Delta2.T @ H_b
            dH = (Delta2 @ W[1])[:, :-1]
            Delta1 = g_derivative(H_b[:, :-1]) * dH
            t3 = time.perf_counter()
            G1 = Delta1.T @ X_b
            t4 = time.perf_counter()
            for w, v, grad in zip(W, V, (G1, G2), strict=True):
                v *= 0.9
                grad *= 0.05 / B
                v -= grad
                w += v
            t5 = time.perf_counter()
            for name, dt in zip(spent, (t1 - t0, (t2 - t1) + (t4 - t3), t3 - t2, t5 - t4)):
                spent[name] += dt
        steps = len(X) // B
        for name, total in spent.items():
            parts.setdefault(name, []).append(total / steps)
    return {name: statistics.median(v) for name, v in parts.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    images, labels = at.load_mnist("train")
    X = at.scale(images).reshape(len(images), -1)
    T = at.one_hot(labels, 10, dtype=np.float32)
    with threadpool_limits(limits=1, user_api="blas"):
        tasks = product_tasks(rng)
        times = {name: [] for name in tasks}
        for _ in range(args.rounds):
            for name, fn in tasks.items():
                times[name].append(median_microseconds(fn))
        print("the two products of a step, one thread (medians):")
        for name, t in times.items():
            print(f"  {name:28s} {statistics.median(t):8.1f} us")
        parts = step_parts(X, T, args.rounds)
    total = sum(parts.values())
    print(f"one step of MLP.fit's work, one thread (medians of {args.rounds} epochs): "
          f"{total * 1e3:.3f} ms")
    for name, t in parts.items():
        print(f"  {name:30s} {t * 1e6:8.1f} us  {100 * t / total:5.1f} %")


if __name__ == "__main__":
    main()
