"""Full training epochs and test-set inference of the numpy CNN and MLP, against PyTorch.

Run: ``.venv/bin/python benchmarks/bench_cnn.py [--repeats 3] [--images 60000] [--threads 1 2]``

Every task below is timed once per round, the tasks of a round in turns, so that
load from other processes falls on all of them alike; the figures are medians
over ``--repeats`` rounds (after a warm-up), as wall time and as process CPU time
(user + system of all threads: at one thread, the figure least disturbed by other
processes). The load average is printed for every round. Each thread setting is
measured: numpy's BLAS, the package's worker threads and PyTorch's threads are
all set to it.

Training tasks, one epoch over ``--images`` MNIST training images each (60,000:
469 steps of 128, the last one of 96):

* ``numpy CNN``: ``annteach.CNN(seed=0)`` (the fused conv blocks) trained by the
  package's loop, :func:`annteach.training.train` with the shipped recipe
  (shuffling, random shifts of up to 2 pixels, Adam, cosine learning rate,
  accuracy count; every batch in 2 parts on ``threads`` workers).
* ``numpy CNN, lesson's pairs``: the same with ``CNN(fused=False)``.
* ``PyTorch CNN``: the same network in PyTorch (CPU), the same loop: numpy
  permutation and the package's ``random_shifts``, forward, backward,
  ``torch.optim.Adam`` with the cosine learning rate, the accuracy count.
* ``numpy MLP`` / ``PyTorch MLP``: 784-256-10 (tanh, softmax, cross-entropy,
  float32, Glorot), SGD with momentum 0.9, learning rate 0.05, batch 128:
  :meth:`annteach.MLP.fit` for one epoch against the same in PyTorch.

Inference: the 10,000 test images classified by ``CNN.predict_proba`` (fused,
and with the lesson's pairs) and by PyTorch (batches of 500 as the numpy CNN's default, softmax).

Also the machine's float32 matrix-product speed (1024 x 1024), of which the
CNN's useful training FLOPs are reported as a fraction; and a check that the
fused step's loss and gradients match those of the lesson's pairs.
"""

import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import annteach as at
from annteach.cnn import CNN
from annteach.comparison import machine_description
from annteach.memory import reuse_freed_memory
from annteach.training import RECIPE, random_shifts, train

BATCH = RECIPE["batch_size"]
MLP_SIZES = [784, 256, 10]


def print_machine():
    """Print the machine and the PyTorch version; return the torch module, or None."""
    try:
        import torch
    except ImportError:
        torch = None
    m = machine_description()
    print(f"{m['cores']} cores, {m['cpu']}; Python {m['python']}, numpy {m['numpy']}, "
          f"BLAS {m['blas']}; OPENBLAS_CORETYPE={m['OPENBLAS_CORETYPE']}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"PyTorch {torch.__version__}" if torch is not None else "PyTorch not installed")
    return torch


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


def timed_rounds(tasks, repeats):
    """Wall and CPU seconds of every task, medians over ``repeats`` rounds in turns."""
    wall = {name: [] for name in tasks}
    cpu = {name: [] for name in tasks}
    for r in range(repeats):
        load = os.getloadavg()[0]
        for name, fn in tasks.items():
            w, c = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
        print(f"  round {r + 1}/{repeats}: load average {load:.2f} -> {os.getloadavg()[0]:.2f}",
              flush=True)
    return ({n: statistics.median(t) for n, t in wall.items()},
            {n: statistics.median(t) for n, t in cpu.items()})


def numpy_tasks(images, labels, test_images, threads, plain):
    recipe = {**RECIPE, "epochs": 1}

    def cnn_epoch(fused):
        return lambda: train(CNN(seed=0, fused=fused), images, labels, **recipe,
                             workers=threads, progress=False)

    mlp = at.MLP(MLP_SIZES, hidden="tanh", output="softmax", loss="cross_entropy",
                 init="glorot", dtype=np.float32, seed=0)
    X2 = images.reshape(len(images), -1)
    T = at.one_hot(labels, 10, dtype=np.float32)

    def mlp_epoch():
        mlp.fit(X2, T, epochs=1, batch_size=BATCH, learning_rate=0.05, momentum=0.9,
                progress=False)

    fused_model, plain_model = CNN(seed=0), CNN(seed=0, fused=False)
    tasks = {"numpy CNN": cnn_epoch(True)}
    if plain:
        tasks["numpy CNN, lesson's pairs"] = cnn_epoch(False)
    tasks["numpy MLP"] = mlp_epoch
    tasks["numpy infer"] = lambda: fused_model.predict_proba(test_images, workers=threads)
    if plain:
        tasks["numpy infer, lesson's pairs"] = lambda: plain_model.predict_proba(
            test_images, workers=threads)
    return tasks


def torch_cnn(model):
    """The architecture of ``model`` (a CNN with two conv layers) in PyTorch."""
    from torch import nn

    k, (c1, c2) = model.kernel_size, model.conv_channels
    side = model.shapes[-1][1]
    return nn.Sequential(
        nn.Conv2d(1, c1, k), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(c1, c2, k), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
        nn.Linear(c2 * side[1] * side[2], model.hidden), nn.ReLU(),
        nn.Linear(model.hidden, 10))


def torch_tasks(images, labels, test_images):
    import torch
    from torch import nn

    loss_fn = nn.CrossEntropyLoss()
    y = torch.from_numpy(labels)
    lr, s = RECIPE["lr"], RECIPE["max_shift"]

    def cnn_epoch():
        torch.manual_seed(0)
        net = torch_cnn(CNN(seed=0))
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        rng = np.random.default_rng(0)
        padded = np.pad(images, ((0, 0), (s, s), (s, s)))
        n = len(images)
        steps = -(-n // BATCH)
        order = rng.permutation(n)
        for b in range(steps):
            idx = order[b * BATCH:(b + 1) * BATCH]
            X = torch.from_numpy(random_shifts(padded, idx, s, rng))
            for group in opt.param_groups:
                group["lr"] = lr * 0.5 * (1 + np.cos(np.pi * b / steps))
            opt.zero_grad()
            scores = net(X)
            loss = loss_fn(scores, y[idx])
            loss.backward()
            opt.step()
            int((scores.argmax(dim=1) == y[idx]).sum())   # the accuracy count of the loop

    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(MLP_SIZES[0], MLP_SIZES[1]), nn.Tanh(),
                        nn.Linear(MLP_SIZES[1], MLP_SIZES[2]))
    mlp_opt = torch.optim.SGD(mlp.parameters(), lr=0.05, momentum=0.9)
    X2 = torch.from_numpy(images.reshape(len(images), -1))
    mlp_rng = np.random.default_rng(0)

    def mlp_epoch():
        order = torch.from_numpy(mlp_rng.permutation(len(images)))
        for start in range(0, len(images), BATCH):
            idx = order[start:start + BATCH]
            mlp_opt.zero_grad()
            loss_fn(mlp(X2[idx]), y[idx]).backward()
            mlp_opt.step()

    torch.manual_seed(0)
    infer_net = torch_cnn(CNN(seed=0))
    Xtest = torch.from_numpy(test_images[:, None])

    def infer():
        with torch.no_grad():
            for start in range(0, len(Xtest), 500):
                torch.softmax(infer_net(Xtest[start:start + 500]), dim=1)

    return {"PyTorch CNN": cnn_epoch, "PyTorch MLP": mlp_epoch, "PyTorch infer": infer}


def check_fused_step(images, labels):
    """Print how far the fused step's loss and gradients are from the lesson's pairs'."""
    X, T = images[:BATCH, None], labels[:BATCH]
    E, grads = CNN(seed=0, fused=False).gradients(X, T)
    E2, grads2 = CNN(seed=0).gradients(X, T)
    worst = max(float(np.abs(g - h).max() / np.abs(g).max()) for g, h in zip(grads, grads2))
    print(f"fused step: loss {E2:.6f} (lesson's pairs {E:.6f}), largest gradient difference "
          f"{worst:.1e} of the gradient's largest entry (float32)")


def matmul_task(n=1024):
    rng = np.random.default_rng(0)
    A, B = (rng.random((n, n), dtype=np.float32) for _ in range(2))
    return lambda: [A @ B for _ in range(10)]


def report(threads, wall, cpu, n_images, flops_per_image):
    peak_wall = 10 * 2 * 1024 ** 3 / wall["matmul"] / 1e9
    peak_cpu = 10 * 2 * 1024 ** 3 / cpu["matmul"] / 1e9
    print(f"\n== {threads} thread(s): medians; images/s by wall time [by CPU time] ==")
    print(f"float32 matmul 1024^3: {peak_wall:6.1f} GFLOP/s [{peak_cpu:6.1f} per CPU second]")
    for name in ("numpy CNN", "numpy CNN, lesson's pairs", "PyTorch CNN", "numpy MLP",
                 "PyTorch MLP"):
        if name not in wall:
            continue
        w, c = n_images / wall[name], n_images / cpu[name]
        line = f"{name:26s} {w:8.0f} images/s [{c:8.0f}]"
        if "CNN" in name:
            gw, gc = flops_per_image * w / 1e9, flops_per_image * c / 1e9
            line += (f"  {gw:5.1f} GFLOP/s = {100 * gw / peak_wall:4.1f} % of peak "
                     f"[{100 * gc / peak_cpu:4.1f} %]")
        print(line)
    for name, ref in (("numpy CNN", "PyTorch CNN"), ("numpy CNN, lesson's pairs", "PyTorch CNN"),
                      ("numpy MLP", "PyTorch MLP")):
        if name in wall and ref in wall:
            print(f"{name} / {ref}: {wall[ref] / wall[name]:.2f} by wall time "
                  f"[{cpu[ref] / cpu[name]:.2f} by CPU time]")
    for name in ("numpy infer", "numpy infer, lesson's pairs", "PyTorch infer"):
        if name in wall:
            print(f"{name:28s} 10,000 test images: {wall[name]:.3f} s [{cpu[name]:.3f} s CPU]")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--images", type=int, default=60000,
                        help="training images per epoch (default: all 60,000)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, os.cpu_count()])
    parser.add_argument("--no-plain", dest="plain", action="store_false",
                        help="leave out the CNN with the lesson's pairs (the slowest task)")
    parser.add_argument("--only", nargs="+", default=None, metavar="WORD",
                        help="time only the tasks whose names contain one of these words "
                             "(for example: MLP infer); the matmul peak is always measured")
    args = parser.parse_args(argv)
    reuse_freed_memory()  # as train-cnn does
    torch = print_machine()
    images, labels = at.load_mnist("train")
    images, labels = at.scale(images[:args.images]), labels[:args.images].astype(np.int64)
    test_images = at.scale(at.load_mnist("test")[0])
    check_fused_step(images, labels)
    flops = cnn_flops_per_image(CNN(seed=0))
    print(f"{len(images)} training images per epoch, batch {BATCH}; "
          f"{flops / 1e6:.2f} MFLOP per image and training step")
    for threads in args.threads:
        print(f"\n-- {threads} thread(s): {args.repeats} rounds", flush=True)
        with threadpool_limits(limits=threads, user_api="blas"):
            tasks = numpy_tasks(images, labels, test_images, threads, args.plain)
            tasks["matmul"] = matmul_task()
            if torch is not None:
                torch.set_num_threads(threads)
                tasks.update(torch_tasks(images, labels, test_images))
            warm = min(2048, len(images))   # a short epoch of each, not timed
            train(CNN(seed=0), images[:warm], labels[:warm], epochs=1, workers=threads,
                  progress=False)
            if args.only:
                tasks = {name: fn for name, fn in tasks.items()
                         if name == "matmul" or any(word in name for word in args.only)}
            wall, cpu = timed_rounds(tasks, args.repeats)
        report(threads, wall, cpu, len(images), flops)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
