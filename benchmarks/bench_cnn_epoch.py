"""Full training epochs and test-set inference: numpy (plain and fast path) against PyTorch.

Run: ``.venv/bin/python benchmarks/bench_cnn_epoch.py [--repeats 3] [--images 60000]``

Every task below is timed once per round, the tasks of a round in turns, so that
load from other processes falls on all of them alike; the figures are medians
over ``--repeats`` rounds (after a short warm-up), as wall time and as process
CPU time (user + system of all threads: at one thread, the figure least
disturbed by other processes). The load average is printed for every round.
Both thread settings are measured: one BLAS thread, and the number of cores.

Training tasks (one epoch over ``--images`` MNIST training images, batch 128,
the CNN default architecture, Adam, cosine learning-rate decay, random shifts
of up to 2 pixels, shuffled; the last partial batch included):

* ``numpy plain``: :class:`annteach.cnn.CNN` (the readable layer pairs) trained
  by the package's training loop, :func:`annteach.train_cnn.train`.
* ``numpy fast``: :class:`fast_cnn.FastCNN` (the fused conv block of
  :mod:`annteach.conv`) trained by the same loop, unchanged. With two threads
  it splits every batch over two workers of one BLAS thread each.
* ``numpy fast, recipe loop``: the same model trained by :func:`fast_cnn.train`
  (one gather for the shifts, Adam in place; one-cycle schedule), the loop the
  package's training module is to get.
* ``PyTorch``: the same network in PyTorch (CPU, ``torch.set_num_threads``),
  trained by the same loop: numpy permutation and the package's
  ``random_shifts``, then forward, backward and ``torch.optim.Adam`` with the
  cosine schedule.

Also: the MLP 784-256-10 (tanh, softmax, cross-entropy, float32, SGD with
momentum 0.9, batch 128; :meth:`annteach.MLP.fit`) against the same in PyTorch
over one epoch; the time to classify the 10,000 test images (plain
``CNN.predict``, the fast forward, PyTorch); and the machine's float32 matrix
product speed (1024 x 1024), of which the CNN's useful FLOPs are reported as a
fraction.
"""

import argparse
import os
import statistics
import time

import numpy as np
from bench_cnn import MLP_SIZES, cnn_flops_per_image, numpy_mlp_epoch, print_machine, torch_cnn
from fast_cnn import FastCNN
from fast_cnn import train as recipe_train
from threadpoolctl import threadpool_limits

import annteach as at
from annteach.cnn import CNN
from annteach.train_cnn import random_shifts
from annteach.train_cnn import train as package_train

BATCH = 128
LR = 2e-3


def timed_rounds(tasks, repeats, warmup):
    """Wall and CPU seconds of every task, medians over ``repeats`` rounds in turns."""
    for fn in warmup.values():
        fn()
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


def infer_fast(net, test_images):
    with threadpool_limits(limits=1, user_api="blas"):   # one per worker
        return net.predict_scores(test_images)


def numpy_tasks(images, labels, test_images, threads, warm):
    def plain():
        package_train(CNN(seed=0), images, labels, epochs=1, batch_size=BATCH, lr=LR,
                      progress=False)

    fast_net = FastCNN(CNN(seed=0), workers=threads)

    def fast():
        fast_net.model.weights[:] = CNN(seed=0).weights
        with threadpool_limits(limits=1, user_api="blas"):   # one per worker
            package_train(fast_net, images, labels, epochs=1, batch_size=BATCH, lr=LR,
                          progress=False)

    def recipe():
        fast_net.model.weights[:] = CNN(seed=0).weights
        recipe_train(fast_net, images, labels, epochs=1, batch_size=BATCH, lr=LR)

    mlp_epoch = numpy_mlp_epoch(images, labels)
    shipped = CNN(seed=0)
    tasks = {"numpy CNN plain": plain, "numpy CNN fast": fast,
             "numpy CNN fast, recipe loop": recipe, "numpy MLP": mlp_epoch,
             "numpy infer plain": lambda: shipped.predict(test_images, workers=threads),
             "numpy infer fast": lambda: infer_fast(fast_net, test_images)}
    warmup = {"plain": lambda: package_train(CNN(seed=0), images[:warm], labels[:warm],
                                             epochs=1, batch_size=BATCH, progress=False),
              "fast": lambda: package_train(FastCNN(CNN(seed=0)), images[:warm], labels[:warm],
                                            epochs=1, batch_size=BATCH, progress=False)}
    return tasks, warmup, fast_net


def torch_tasks(images, labels, test_images, threads):
    import torch
    from torch import nn

    torch.set_num_threads(threads)

    def make_cnn():
        torch.manual_seed(0)
        return torch_cnn(CNN(seed=0))

    loss_fn = nn.CrossEntropyLoss()
    y = torch.from_numpy(labels)

    def cnn_epoch():
        net = make_cnn()
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        rng = np.random.default_rng(0)
        padded = np.pad(images, ((0, 0), (2, 2), (2, 2)))
        n = len(images)
        steps = -(-n // BATCH)
        order = rng.permutation(n)
        for b in range(steps):
            idx = order[b * BATCH:(b + 1) * BATCH]
            X = torch.from_numpy(random_shifts(padded, idx, 2, rng))
            for group in opt.param_groups:
                group["lr"] = LR * 0.5 * (1 + np.cos(np.pi * b / steps))
            opt.zero_grad()
            scores = net(X)
            loss = loss_fn(scores, y[idx])
            loss.backward()
            opt.step()
            int((scores.argmax(dim=1) == y[idx]).sum())   # the accuracy count of the loop

    mlp = nn.Sequential(nn.Linear(MLP_SIZES[0], MLP_SIZES[1]), nn.Tanh(),
                        nn.Linear(MLP_SIZES[1], MLP_SIZES[2]))
    mlp_opt = torch.optim.SGD(mlp.parameters(), lr=0.05, momentum=0.9)
    X2 = torch.from_numpy(images.reshape(len(images), -1))
    mlp_rng = np.random.default_rng(0)

    def mlp_epoch():
        order = torch.from_numpy(mlp_rng.permutation(len(images)))
        for s in range(0, len(images), BATCH):
            idx = order[s:s + BATCH]
            mlp_opt.zero_grad()
            loss_fn(mlp(X2[idx]), y[idx]).backward()
            mlp_opt.step()

    infer_net = make_cnn()
    Xtest = torch.from_numpy(test_images[:, None])

    def infer():
        with torch.no_grad():
            for s in range(0, len(Xtest), 250):
                torch.softmax(infer_net(Xtest[s:s + 250]), dim=1)

    return {"PyTorch CNN": cnn_epoch, "PyTorch MLP": mlp_epoch, "PyTorch infer": infer}


def check_fast_step(images, labels):
    """Print how far the fast step's loss and gradients are from CNN.train_step's (float32)."""
    model = CNN(seed=0)
    X, T = images[:BATCH, None], labels[:BATCH]
    E, grads, _ = model.train_step(X, T)
    for workers in (1, 2):
        net = FastCNN(model, workers=workers)
        with threadpool_limits(limits=1, user_api="blas"):
            E2, grads2, _ = net.train_step(X, T)
        net.close()
        worst = max(float(np.abs(g - h).max() / np.abs(g).max()) for g, h in zip(grads, grads2))
        print(f"fast step, {workers} worker(s): loss {E2:.6f} (plain {E:.6f}), largest gradient "
              f"difference {worst:.1e} of the gradient's largest entry")


def matmul_task(n=1024):
    rng = np.random.default_rng(0)
    A, B = (rng.random((n, n), dtype=np.float32) for _ in range(2))
    return lambda: [A @ B for _ in range(10)]


def report(threads, wall, cpu, n_images, flops_per_image, have_torch):
    peak_wall = 10 * 2 * 1024 ** 3 / wall["matmul"] / 1e9
    peak_cpu = 10 * 2 * 1024 ** 3 / cpu["matmul"] / 1e9
    print(f"\n== {threads} thread(s): medians; images/s by wall time [by CPU time] ==")
    print(f"float32 matmul 1024^3: {peak_wall:6.1f} GFLOP/s [{peak_cpu:6.1f} per CPU second]")

    def rate(name):
        return n_images / wall[name], n_images / cpu[name]

    for name in ("numpy CNN plain", "numpy CNN fast", "numpy CNN fast, recipe loop",
                 "PyTorch CNN", "numpy MLP", "PyTorch MLP"):
        if name not in wall:
            continue
        w, c = rate(name)
        line = f"{name:28s} {w:8.0f} images/s [{c:8.0f}]"
        if "CNN" in name:
            gw, gc = flops_per_image * w / 1e9, flops_per_image * c / 1e9
            line += (f"  {gw:5.1f} GFLOP/s = {100 * gw / peak_wall:4.1f} % of peak "
                     f"[{100 * gc / peak_cpu:4.1f} %]")
        print(line)
    if have_torch:
        for name, ref in (("numpy CNN plain", "PyTorch CNN"), ("numpy CNN fast", "PyTorch CNN"),
                          ("numpy CNN fast, recipe loop", "PyTorch CNN"),
                          ("numpy MLP", "PyTorch MLP")):
            print(f"{name} / {ref}: {wall[ref] / wall[name]:.2f} by wall time "
                  f"[{cpu[ref] / cpu[name]:.2f} by CPU time]")
    for name in ("numpy infer plain", "numpy infer fast", "PyTorch infer"):
        if name in wall:
            print(f"{name:28s} 10,000 test images: {wall[name]:.3f} s [{cpu[name]:.3f} s CPU]")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--images", type=int, default=60000,
                        help="training images per epoch (default: all 60,000)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, os.cpu_count()])
    args = parser.parse_args(argv)
    torch = print_machine()
    images, labels = at.load_mnist("train")
    images, labels = at.scale(images[:args.images]), labels[:args.images].astype(np.int64)
    test_images = at.scale(at.load_mnist("test")[0])
    check_fast_step(images, labels)
    flops = cnn_flops_per_image(CNN(seed=0))
    print(f"{len(images)} training images per epoch, batch {BATCH}; "
          f"{flops / 1e6:.2f} MFLOP per image and training step")
    for threads in args.threads:
        print(f"\n-- {threads} thread(s): {args.repeats} rounds", flush=True)
        with threadpool_limits(limits=threads, user_api="blas"):
            tasks, warmup, fast_net = numpy_tasks(images, labels, test_images, threads,
                                                  warm=min(2048, len(images)))
            tasks["matmul"] = matmul_task()
            if torch is not None:
                tasks.update(torch_tasks(images, labels, test_images, threads))
            wall, cpu = timed_rounds(tasks, args.repeats, warmup)
            fast_net.close()
        report(threads, wall, cpu, len(images), flops, torch is not None)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
