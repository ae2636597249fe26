"""How long the notebook cells of the XOR seed experiments take (target: under 1 s each).

Times, as medians over the repeats, wall and CPU time of:

* the initialisation table: ``at.train_xor_seeds(range(40), epochs=E, ...)`` for
  the three initialisations (randn * 0.05, randn * 0.5, Glorot), for E = 500
  (lecture 4's budget) and E = 2000;
* the same 40 x 3 trainings done one ``at.MLP.fit`` at a time (once: the
  baseline the stacked computation replaces), and the speed-up;
* lecture 2's batch-against-stochastic comparison, ``at.descent_comparison``
  from six starts with five stochastic runs each, 300 epochs;
* the same comparison on the whole network: 40 seeds, 500 epochs, learning rate
  1.0, full batch and batch size 1;
* lecture 4's seed-9 run, ``at.train_xor_seeds([9], epochs=5000)``.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_xor_seeds.py [--repeat 5]
"""

import argparse
import os
import statistics
import time

import annteach as at

INITS = {"randn * 0.05": {"init_scale": 0.05}, "randn * 0.5": {"init_scale": 0.5},
         "Glorot": {"init": "glorot"}}
STARTS = [(-1.83, 0.17), (-2.0, -1.0), (2.0, 1.0), (-6.0, -6.0), (-8.0, -8.0), (8.0, 8.0)]


def timed(fn, repeat):
    """Medians of wall and CPU seconds of ``fn()`` over ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def table(epochs):
    for kw in INITS.values():
        at.train_xor_seeds(range(40), epochs=epochs, **kw)


def one_by_one(epochs):
    X, T = at.xor_dataset()
    for kw in INITS.values():
        for seed in range(40):
            model = at.MLP([2, 2, 1], hidden="tanh", output="logistic", loss="sse", seed=seed,
                           **kw)
            model.fit(X, T, epochs=epochs, learning_rate=2.0, momentum=0.9, progress=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    rows = [
        ("init table, 3 x 40 seeds, 500 epochs", lambda: table(500)),
        ("init table, 3 x 40 seeds, 2000 epochs", lambda: table(2000)),
        ("batch vs stochastic, 6 starts x (1 + 5), 300 epochs",
         lambda: at.descent_comparison(STARTS, learning_rate=30, epochs=300, runs=5)),
        ("batch and stochastic, 40 seeds, 500 epochs",
         lambda: [at.train_xor_seeds(range(40), epochs=500, learning_rate=1.0, batch_size=b)
                  for b in (None, 1)]),
        ("seed 9, 5000 epochs", lambda: at.train_xor_seeds([9], epochs=5000)),
    ]
    results = {}
    for name, fn in rows:
        results[name] = timed(fn, args.repeat)
        wall, cpu = results[name]
        print(f"{name:55s} wall {wall:6.3f} s  cpu {cpu:6.3f} s  (median of {args.repeat})")
    wall, cpu = timed(lambda: one_by_one(500), 1)
    stacked_wall, stacked_cpu = results["init table, 3 x 40 seeds, 500 epochs"]
    print(f"{'the same table, 120 MLP.fit calls, 500 epochs':55s} wall {wall:6.3f} s  "
          f"cpu {cpu:6.3f} s  (once); stacked is {cpu / stacked_cpu:.0f}x faster in CPU time")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
