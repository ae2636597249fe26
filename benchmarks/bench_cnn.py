"""Speed of the numpy CNN and MLP, against the machine's matmul peak and PyTorch.

Run: ``.venv/bin/python benchmarks/bench_cnn.py [--repeats 5]``

Prints, for one BLAS thread and for the default thread count:

* the machine's float32 matrix-product speed (GFLOP/s, 1024 x 1024 matrices),
* training throughput (images/s: forward, backward and optimiser step on
  batches of 128 MNIST images) of the shipped CNN architecture and of an MNIST
  MLP (784-256-10, tanh, softmax + cross-entropy, float32, SGD with momentum),
  and the CNN's useful GFLOP/s (FLOPs of its convolutions and products,
  counted on valid output positions) as a fraction of the matmul peak,
* the time to classify the 10,000 MNIST test images,
* where PyTorch is importable, the same models trained the same way in
  PyTorch on the CPU with the same thread count, and the ratios
  numpy / PyTorch (above 1: numpy is faster).

Every figure is the median of ``--repeats`` runs, the tasks timed in turns. Other processes on the
machine make absolute numbers noisy; the ratios measured in one run are what
to compare.
"""

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import annteach as at
from annteach.cnn import CNN
from annteach.memory import reuse_freed_memory
from annteach.training import Adam

BATCH = 128
MLP_SIZES = [784, 256, 10]


def interleaved_medians(tasks, repeats):
    """Median wall time of each callable in ``tasks`` (a dict), timed in turns.

    One warm-up call each, then ``repeats`` rounds that call every task once,
    so that load from other processes falls on all of them alike.
    """
    for fn in tasks.values():
        fn()
    times = {name: [] for name in tasks}
    for _ in range(repeats):
        for name, fn in tasks.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})"
                     for i in threadpool_info() if i["user_api"] == "blas")
    return (f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, "
            f"numpy {np.__version__}, BLAS {blas}; OPENBLAS_CORETYPE="
            f"{os.environ.get('OPENBLAS_CORETYPE')}; load average {os.getloadavg()[0]:.2f}")


def matmul_task(n=1024):
    rng = np.random.default_rng(0)
    A, B = (rng.random((n, n), dtype=np.float32) for _ in range(2))
    return lambda: A @ B


def cnn_flops_per_image(model):
    """Useful FLOPs of one training step per image (forward + backward products)."""
    C, H, W = model.input_shape
    k, flops = model.kernel_size, 0
    for i, (F, p) in enumerate(zip(model.conv_channels, model.paddings, strict=True)):
        Ho, Wo = H + 2 * p - k + 1, W + 2 * p - k + 1
        macs = F * C * k * k * Ho * Wo
        flops += 2 * macs * (3 if i else 2)  # forward, dW, and dX except for the input
        C, H, W = F, Ho // 2, Wo // 2
    n_in = C * H * W
    for n_out in ([model.hidden] if model.hidden else []) + [model.n_classes]:
        flops += 2 * n_in * n_out * 3
        n_in = n_out
    return flops


def mnist_batches():
    images, labels = at.load_mnist("train")
    X = at.scale(images[:BATCH * 8])[:, None]
    y = labels[:BATCH * 8].astype(np.int64)
    test_images, test_labels = at.load_mnist("test")
    return X, y, at.scale(test_images)[:, None]


def numpy_tasks(X, y, Xtest, threads):
    """Training epochs (``len(X) // BATCH`` steps) and inference, as callables."""
    model = CNN(seed=0)
    opt = Adam(model.params)
    steps = len(X) // BATCH

    def cnn_epoch():
        for s in range(steps):
            batch = slice(s * BATCH, (s + 1) * BATCH)
            _, grads = model.gradients(X[batch], y[batch])
            opt.step(grads, 1e-3)

    mlp = at.MLP(MLP_SIZES, hidden="tanh", output="softmax", loss="cross_entropy",
                 init="glorot", dtype=np.float32, seed=0)
    X2 = X.reshape(len(X), -1)
    T = at.one_hot(y, 10, dtype=np.float32)

    def mlp_epoch():
        mlp.fit(X2, T, epochs=1, batch_size=BATCH, learning_rate=0.05, momentum=0.9,
                progress=False)

    # predict() runs one batch per core, each with one BLAS thread: allow `threads` of them
    return model, {"numpy CNN train": cnn_epoch, "numpy MLP train": mlp_epoch,
                   "numpy CNN infer": lambda: model.predict_proba(Xtest, workers=threads)}


def torch_tasks(X, y, Xtest, model):
    """The same models and steps in PyTorch, as callables."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    k, (c1, c2) = model.kernel_size, model.conv_channels
    side = model.shapes[-1][1]
    cnn = nn.Sequential(
        nn.Conv2d(1, c1, k), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(c1, c2, k), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
        nn.Linear(c2 * side[1] * side[2], model.hidden), nn.ReLU(),
        nn.Linear(model.hidden, 10))
    mlp = nn.Sequential(nn.Linear(MLP_SIZES[0], MLP_SIZES[1]), nn.Tanh(),
                        nn.Linear(MLP_SIZES[1], MLP_SIZES[2]))
    Xt, yt, Xtt = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(Xtest)
    Xm = Xt.reshape(len(X), -1)
    loss_fn = nn.CrossEntropyLoss()
    steps = len(X) // BATCH

    def trainer(net, data, optimizer):
        def epoch():
            for s in range(steps):
                batch = slice(s * BATCH, (s + 1) * BATCH)
                optimizer.zero_grad()
                loss_fn(net(data[batch]), yt[batch]).backward()
                optimizer.step()
        return epoch

    def infer():
        with torch.no_grad():
            for s in range(0, len(Xtt), 250):
                torch.softmax(cnn(Xtt[s:s + 250]), dim=1)

    return {"PyTorch CNN train": trainer(cnn, Xt, torch.optim.Adam(cnn.parameters(), lr=1e-3)),
            "PyTorch MLP train": trainer(mlp, Xm, torch.optim.SGD(mlp.parameters(), lr=0.05,
                                                                 momentum=0.9)),
            "PyTorch CNN infer": infer}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-reuse-memory", dest="reuse_memory", action="store_false",
                        help="leave glibc's allocator as it is (by default the benchmark "
                             "calls annteach.memory.reuse_freed_memory(), as train-cnn does)")
    args = parser.parse_args(argv)
    if args.reuse_memory:
        reuse_freed_memory()
    try:
        import torch
    except ImportError:
        torch = None
    print(machine())
    print(f"freed memory kept for reuse (annteach.memory.reuse_freed_memory): "
          f"{'yes' if args.reuse_memory else 'no'}")
    if torch is not None:
        print(f"PyTorch {torch.__version__}")
    X, y, Xtest = mnist_batches()
    n_train = (len(X) // BATCH) * BATCH
    for threads in (1, os.cpu_count()):
        with threadpool_limits(limits=threads):
            if torch is not None:
                torch.set_num_threads(threads)
            model, tasks = numpy_tasks(X, y, Xtest, threads)
            tasks["matmul"] = matmul_task()
            if torch is not None:
                tasks.update(torch_tasks(X, y, Xtest, model))
            t = interleaved_medians(tasks, args.repeats)
        peak = 2 * 1024 ** 3 / t["matmul"] / 1e9
        cnn_rate, mlp_rate = n_train / t["numpy CNN train"], n_train / t["numpy MLP train"]
        gflops = cnn_flops_per_image(model) * cnn_rate / 1e9
        print(f"\n== {threads} thread(s), batch {BATCH}, medians of {args.repeats} "
              f"interleaved runs ==")
        print(f"float32 matmul peak (1024^3):  {peak:8.1f} GFLOP/s")
        print(f"numpy CNN training:            {cnn_rate:8.0f} images/s "
              f"({gflops:.1f} GFLOP/s = {100 * gflops / peak:.0f} % of peak)")
        print(f"numpy MLP {'-'.join(map(str, MLP_SIZES))} training:  {mlp_rate:8.0f} images/s")
        print(f"numpy CNN inference, 10,000 test images: {t['numpy CNN infer']:.3f} s")
        if torch is not None:
            t_cnn = n_train / t["PyTorch CNN train"]
            t_mlp = n_train / t["PyTorch MLP train"]
            print(f"PyTorch CNN training:          {t_cnn:8.0f} images/s   "
                  f"numpy/PyTorch {cnn_rate / t_cnn:.2f}")
            print(f"PyTorch MLP training:          {t_mlp:8.0f} images/s   "
                  f"numpy/PyTorch {mlp_rate / t_mlp:.2f}")
            print(f"PyTorch CNN inference, 10,000 test images: {t['PyTorch CNN infer']:.3f} s"
                  f"   numpy/PyTorch speed {t['PyTorch CNN infer'] / t['numpy CNN infer']:.2f}")
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
