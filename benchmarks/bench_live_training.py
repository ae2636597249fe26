"""Live training: how long the CNN takes from scratch to 99.0 % test accuracy.

Run: ``.venv/bin/python benchmarks/bench_live_training.py [--runs 5] [--threads 2]``

Each run is :func:`annteach.train_quick` as lecture 6 calls it, without the plot
(:data:`annteach.training.QUICK`: the default CNN from seed 0, 2 epochs over the
60,000 training images in batches of 128, Adam with a one-cycle learning rate up
to 5e-3, random shifts of up to 2 pixels, every batch shared by the worker
threads), the accuracy on the 10,000 test images measured every quarter epoch, its
time included. Every run computes the same numbers; the runs differ only in time.

Printed per run: the wall time and accuracy at each evaluation, the time at
which 99.0 % was first reached, the wall and process CPU time and the load
averages; at the end the median time to 99.0 % over the runs.
"""

import argparse
import os
import statistics
import time

from bench_cnn import print_machine

import annteach as at
from annteach.memory import reuse_freed_memory
from annteach.plots import progress_line
from annteach.training import QUICK, default_workers


def run_once(threads, target):
    load = os.getloadavg()[0]
    start, cpu = time.perf_counter(), time.process_time()
    _, history = at.train_quick(plot=False, workers=threads, callback=lambda h: print(
        "    " + progress_line(h, target), flush=True))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    reached = next((e["seconds"] for e in history if e["test_accuracy"] >= target), None)
    return reached, history[-1]["test_accuracy"], wall, cpu, (load, os.getloadavg()[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=default_workers(),
                        help="worker threads (default: %(default)s)")
    parser.add_argument("--target", type=float, default=0.99)
    args = parser.parse_args(argv)
    reuse_freed_memory()
    print_machine()
    print(f"recipe {QUICK}, {args.threads} worker thread(s), target {100 * args.target:.1f} %")
    at.load_mnist("train"), at.load_mnist("test")   # read once, outside the timed runs
    times = []
    for r in range(args.runs):
        print(f"run {r + 1}/{args.runs}", flush=True)
        reached, last, wall, cpu, (l0, l1) = run_once(args.threads, args.target)
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
