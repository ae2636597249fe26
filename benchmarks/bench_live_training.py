"""Live training: how long the CNN takes from scratch to 99.0 % test accuracy.

Run: ``.venv/bin/python benchmarks/bench_live_training.py [--runs 5] [--workers 2]``

The recipe (the defaults below): the CNN default architecture (conv 5x5 with 12
and 24 channels, each followed by 2x2 max-pooling and ReLU, dense 128, 10
classes; 58,106 parameters) from ``seed`` 0, the fast training step of
:class:`fast_cnn.FastCNN` with every batch split over ``--workers`` threads,
2 epochs over the 60,000 training images in batches of 128, Adam with a
one-cycle learning rate (rising from 5e-4 to 5e-3 over the first 20 % of the
steps, then a cosine decay to 5e-5), every image shifted at random by up to 2
pixels each time it is used. The test accuracy (10,000 images) is measured
every half epoch; its time counts.

Every run starts from the same seed, so all runs compute the same numbers;
they differ only in time. Printed per run: the wall time at each evaluation and
the accuracy, the time at which 99.0 % was first reached, the process CPU time
and the load averages; at the end the median time to 99.0 % over the runs.
"""

import argparse
import os
import statistics
import time

import numpy as np
from bench_cnn import machine
from fast_cnn import FastCNN, train

import annteach as at
from annteach.cnn import CNN

RECIPE = {"epochs": 2, "batch_size": 128, "lr": 5e-3, "warmup": 0.2, "max_shift": 2,
          "seed": 0, "evaluations_per_epoch": 2}


def run_once(images, labels, test_images, test_labels, workers, recipe, target, stop):
    net = FastCNN(CNN(seed=recipe["seed"]), workers=workers)
    steps = len(images) // recipe["batch_size"]
    load = os.getloadavg()[0]
    start, cpu = time.perf_counter(), time.process_time()
    history = train(net, images, labels, epochs=recipe["epochs"],
                    batch_size=recipe["batch_size"], lr=recipe["lr"],
                    max_shift=recipe["max_shift"], seed=recipe["seed"],
                    warmup=recipe["warmup"],
                    evaluate_every=steps // recipe["evaluations_per_epoch"],
                    evaluate=lambda n: n.accuracy(test_images, test_labels),
                    target=target if stop else None,
                    on_evaluate=lambda e: print(
                        f"    {e['seconds']:6.1f} s  epoch {e['epoch']:4.2f}  "
                        f"loss {e['loss']:.4f}  test accuracy {100 * e['accuracy']:.2f} %",
                        flush=True))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    net.close()
    reached = next((e["seconds"] for e in history if e["accuracy"] >= target), None)
    return reached, history[-1]["accuracy"], wall, cpu, (load, os.getloadavg()[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--no-stop", dest="stop", action="store_false",
                        help="train all epochs instead of stopping at the target")
    for key, value in RECIPE.items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value), default=value)
    args = parser.parse_args(argv)
    recipe = {key: getattr(args, key) for key in RECIPE}
    print(machine())
    print(f"recipe {recipe}, {args.workers} worker thread(s), target {100 * args.target:.1f} %")
    images, labels = at.load_mnist("train")
    test_images, test_labels = at.load_mnist("test")
    images, labels = at.scale(images), labels.astype(np.int64)
    test_images = at.scale(test_images)
    times = []
    for r in range(args.runs):
        print(f"run {r + 1}/{args.runs}")
        reached, last, wall, cpu, (l0, l1) = run_once(images, labels, test_images, test_labels,
                                                      args.workers, recipe, args.target,
                                                      args.stop)
        where = "not reached" if reached is None else f"{reached:.1f} s"
        print(f"  {100 * args.target:.1f} %: {where}; last accuracy {100 * last:.2f} %; "
              f"wall {wall:.1f} s, CPU {cpu:.1f} s; load average {l0:.2f} -> {l1:.2f}")
        times.append(reached)
    done = [t for t in times if t is not None]
    if len(done) == len(times):
        print(f"\nmedian time to {100 * args.target:.1f} % over {len(times)} runs: "
              f"{statistics.median(done):.1f} s (all: {', '.join(f'{t:.1f}' for t in done)})")
    else:
        print(f"\n{len(times) - len(done)} of {len(times)} runs did not reach the target")


if __name__ == "__main__":
    main()
