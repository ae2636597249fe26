"""The kernel's part of one redraw of each interactive explorer.

Builds each explorer headlessly (Agg backend, no frontend), then changes one
control at a time in code, as dragging a slider does, and times the whole
reaction: recomputing, updating the artists and caption, drawing the figure and
encoding the PNG sent to the browser. The changes run inside an asyncio event
loop, as in a notebook's kernel, so that what the explorers put off until the
sliders rest (the XOR error surface) is put off here too; its redraw once the
sliders rest is timed separately. Prints the medians over the repeats of the
wall time, of the CPU time (less disturbed by other processes on a busy
machine) and of the draw + PNG part alone, with the load average.

    MPLBACKEND=Agg .venv/bin/python benchmarks/bench_widgets.py [--repeat 25]

This is the kernel's share only; the time a student waits, from a key press on
a slider to the new picture in the browser, is measured by
``bench_redraw_browser.py`` (target: a median under 60 ms). The digit explorer
uses the shipped CNN on the first 200 test images.
"""

import argparse
import asyncio
import itertools
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

import annteach as at  # noqa: E402


def time_changes(explorer, changes, repeat):
    """Median seconds of ``change()`` (the whole redraw, wall and CPU) and of the render
    alone, the changes made in a running event loop as in a kernel."""

    async def run():
        total, cpu, render = [], [], []
        for change in itertools.islice(itertools.cycle(changes), repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            change()
            total.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            t0 = time.perf_counter()
            explorer._render()
            render.append(time.perf_counter() - t0)
        return statistics.median(total), statistics.median(cpu), statistics.median(render)

    return asyncio.run(run())


def time_settled(changes, repeat):
    """Median seconds of the redraw an explorer puts off until the controls rest: outside
    an event loop it comes at once, with each change."""
    seconds = []
    for change in itertools.islice(itertools.cycle(changes), repeat):
        t0 = time.perf_counter()
        change()
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds)


def xor_marker_changes(ex):
    # A weight of the surface (w5): the marker moves, the surface stays.
    return [lambda v=v: setattr(ex.controls["w5"], "value", v) for v in np.linspace(-4, 4, 9)]


def xor_surface_changes(ex):
    # Any other weight (w1): the error surface and its colour bar are computed again.
    return [lambda v=v: setattr(ex.controls["w1"], "value", v) for v in np.linspace(-4, 4, 9)]


def activation_changes(ex):
    points = [lambda v=v: setattr(ex.controls["a0"], "value", v) for v in np.linspace(-4, 4, 9)]
    names = [lambda n=n: setattr(ex.controls["name"], "value", n) for n in at.ACTIVATIONS]
    return points + names


def digit_changes(ex):
    return [lambda i=i: setattr(ex.controls["index"], "value", i) for i in range(1, 50)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()

    images, labels = at.load_mnist("test")
    images, labels = at.scale(images[:200]), labels[:200]
    model = at.load_pretrained_cnn()

    cases = [
        ("XorExplorer (w5)", at.widgets.XorExplorer, xor_marker_changes),
        ("XorExplorer (w1)", at.widgets.XorExplorer, xor_surface_changes),
        ("ActivationExplorer", at.widgets.ActivationExplorer, activation_changes),
        ("DigitExplorer", lambda: at.widgets.DigitExplorer(model, images, labels),
         digit_changes),
    ]
    print(f"median of {args.repeat} programmatic control changes (Agg, PNG encode included); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, build, changes in cases:
        ex = build()
        whole, cpu, render = time_changes(ex, changes(ex), args.repeat)
        print(f"{name:20s} redraw {whole * 1000:6.1f} ms wall, {cpu * 1000:6.1f} ms CPU "
              f"(draw + PNG alone {render * 1000:5.1f} ms)")

    ex = at.widgets.XorExplorer()
    settled = time_settled(xor_surface_changes(ex), max(5, args.repeat // 3))
    print(f"XorExplorer (w1)     new surface once the sliders rest {settled * 1000:6.1f} ms wall")

    ex = at.widgets.TrainingExplorer()
    t0 = time.perf_counter()
    ex.step(1)
    step = time.perf_counter() - t0
    print(f"TrainingExplorer     one step + redraw {step * 1000:6.1f} ms (for reference)")


if __name__ == "__main__":
    main()
