"""Redraw latency as the student sees it: from a key press on a slider to the new image.

Starts JupyterLab on 127.0.0.1 (:func:`annteach.tools.lab_server.start`, as
``make present`` and the browser tests do, Jupyter state in a temporary folder),
opens a notebook that builds the explorers as the lectures do, runs it, and
drives headless Chromium (Debian's, through Playwright). For
each case, the page itself focuses a slider's handle and dispatches one arrow
key press (``keydown``) after the other; a MutationObserver notes, with
``performance.now()``, when the explorer's ``<img>`` gets its new ``src``, and
the page then waits for the image to be decoded and for the next frame. Each
press waits for its image; ``--gap`` ms separate the presses. Prints, per case,
the median and the quartiles over ``--presses`` presses (after ``--warmup``):

* ``key -> src``: key press to the new image address in the page;
* ``key -> shown``: the same plus decoding the image and the next frame;

and, measured inside the kernel for the same presses (unless ``--no-profile``;
the timing wraps some of the explorer's methods and costs microseconds): ``up``,
key press to the kernel starting on the slider's message; ``kernel``, its
handling (wall and CPU time); ``down``, its end to the new ``src`` in the page
(page and kernel share this machine's clock); and, within the kernel's part,
recomputing the view, drawing, encoding the image and sending it. Also prints
the size of the image sent, and the load average.

    .venv/bin/python benchmarks/bench_redraw_browser.py [--presses 25] [--warmup 5]
    .venv/bin/python benchmarks/bench_redraw_browser.py --kernel-code try.py

``--kernel-code FILE`` runs FILE in the kernel after ``import annteach as at``
and before the explorers are built: a way to measure a change (another image
encoding, a smaller figure) without editing the package.
"""

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from annteach.tools import lab_server, present

CHROMIUM = "/usr/bin/chromium"

# name -> (code building the explorer, index of the slider pressed, its label, the key).
# w5 is pressed with PageUp (five slider steps, 0.25): one step of 0.05 can move the marker
# by less than a pixel, and an unchanged picture is never sent, so there is nothing to time.
CASES = {
    "xor_w5": ("at.widgets.XorExplorer()", 6, "w5: only the marker moves", "PageUp"),
    "xor_w1": ("at.widgets.XorExplorer()", 0, "w1: the error surface is recomputed",
               "ArrowRight"),
    "activation": ("at.widgets.ActivationExplorer()", 2, "a0: tangent point", "ArrowRight"),
    "digit": ("at.widgets.DigitExplorer(cnn, X, labels)", 0, "image index", "ArrowRight"),
}
DIGIT_DATA = (
    'images, labels = at.load_mnist("test")\n'
    "X = at.scale(images)[:, None]\n"
    "cnn = at.load_pretrained_cnn()"
)

# Kernel side: time the slider message's handling and the redraw's parts, per press.
PROFILE_CODE = r'''
import time as _time

import ipywidgets as _ipw

_PROFILE = []


def _timed(owner, name, label):
    original = getattr(owner, name, None)
    if original is None:  # not in this version of the package: not profiled
        return

    def timed(*args, **kwargs):
        start, cpu = _time.time(), _time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            _PROFILE.append((label, start, _time.time(), _time.process_time() - cpu))

    setattr(owner, name, timed)


_engine = at.widgets.engine
_timed(_ipw.Widget, "_handle_msg", "message")
_timed(_engine.Explorer, "update", "update")
for _cls in [_engine.Explorer, *_engine.Explorer.__subclasses__()]:
    if "_refresh" in vars(_cls):
        _timed(_cls, "_refresh", "refresh")
_timed(_engine.Explorer, "_render", "render")
_timed(_engine, "png_bytes", "encode")
_timed(_ipw.Image, "send_state", "send")


def _profile_report():
    import json

    print(json.dumps(_PROFILE))
    _PROFILE.clear()
'''

# In the page: press a key on a slider's handle, time the new image.
MEASURE_JS = """
async ({cell, slider, presses, warmup, gap, key}) => {
  const node = jupyterapp.shell.currentWidget.content.widgets[cell].node;
  const img = node.querySelector('.widget-image');
  const handle = node.querySelectorAll('.widget-slider .noUi-handle')[slider];
  handle.focus();
  const nextFrame = () => new Promise(r => requestAnimationFrame(() => r(performance.now())));
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const times = [];
  for (let i = 0; i < warmup + presses; i++) {
    const old = img.src;
    const changed = new Promise((resolve, reject) => {
      const observer = new MutationObserver(() => {
        if (img.src !== old) { observer.disconnect(); resolve(performance.now()); }
      });
      observer.observe(img, {attributes: true, attributeFilter: ['src']});
      setTimeout(() => { observer.disconnect(); reject(new Error('no new image in 20 s')); },
                 20000);
    });
    const start = performance.now();
    handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
    const src = await changed;
    await img.decode();
    const shown = await nextFrame();
    if (i >= warmup) {
      const origin = performance.timeOrigin;
      times.push({src: src - start, shown: shown - start,
                  epoch_key: origin + start, epoch_src: origin + src});
    }
    await sleep(gap);
  }
  const bytes = (await (await fetch(img.src)).blob()).size;
  return {times, bytes, width: img.naturalWidth, height: img.naturalHeight};
}
"""

# Run code in the notebook's kernel from the page; resolve with what it printed.
KERNEL_JS = """
async code => {
  const kernel = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let text = '';
  const future = kernel.requestExecute({code});
  future.onIOPub = msg => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error') text += msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return text;
}
"""


def _notebook(cases, kernel_code, profile):
    setup = "import numpy as np\nimport matplotlib.pyplot as plt\nimport annteach as at"
    cells = [nbformat.v4.new_code_cell(setup)]
    if kernel_code:
        cells.append(nbformat.v4.new_code_cell(kernel_code))
    if profile:
        cells.append(nbformat.v4.new_code_cell(PROFILE_CODE))
    if any("DigitExplorer" in CASES[name][0] for name in cases):
        cells.append(nbformat.v4.new_code_cell(DIGIT_DATA))
    indices = {}
    for name in cases:
        indices[name] = len(cells)
        cells.append(nbformat.v4.new_code_cell(CASES[name][0]))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb, indices


def _quartiles(values):
    q1, median, q3 = statistics.quantiles(values, n=4)
    return median, q1, q3


def _split(records, times):
    """Medians (ms) of the parts of a press, from the kernel's records and the page's times.

    ``records``: (label, start, end, cpu seconds) of the kernel's timed calls, in
    order; ``times``: the counted presses (the warm-up ones come first in
    ``records``). ``up``: key press to the kernel starting on the message;
    ``kernel``: its handling (wall, and ``kernel_cpu``); ``down``: its end to
    the new image address in the page (clocks: both this machine's).
    """
    messages = [r for r in records if r[0] == "message"]
    if len(messages) < len(times):
        raise SystemExit(f"{len(messages)} slider messages in the kernel for {len(times)} presses")
    messages = messages[-len(times):]
    first = messages[0][1]
    parts = {label: [r[2] - r[1] for r in records if r[0] == label and r[1] >= first]
             for label in ("refresh", "render", "encode", "send")}
    med = {label: statistics.median(v) * 1000 if v else float("nan")
           for label, v in parts.items()}
    return {
        "up": statistics.median(m[1] * 1000 - t["epoch_key"] for m, t in zip(messages, times)),
        "kernel": statistics.median((m[2] - m[1]) * 1000 for m in messages),
        "kernel_cpu": statistics.median(m[3] * 1000 for m in messages),
        "down": statistics.median(t["epoch_src"] - m[2] * 1000 for m, t in zip(messages, times)),
        "refresh": med["refresh"],
        "draw": med["render"] - med["encode"] - med["send"],
        "encode": med["encode"],
        "send": med["send"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=25)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--gap", type=float, default=100, help="ms between presses")
    parser.add_argument("--cases", default=",".join(CASES), help=f"of {', '.join(CASES)}")
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--kernel-code", type=Path, help="Python run in the kernel first")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    cases = args.cases.split(",")
    unknown = [name for name in cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    kernel_code = args.kernel_code.read_text() if args.kernel_code else ""

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-redraw-"))
    root = tmp / "root"
    root.mkdir()
    nb, indices = _notebook(cases, kernel_code, args.profile)
    notebook = root / "bench.ipynb"
    nbformat.write(nb, notebook)
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                 "MPLCONFIGDIR"):
        env[name] = str(tmp / name.lower())
    port, token = lab_server.free_port(), secrets.token_hex(16)
    log = (tmp / "jupyterlab.log").open("w")
    server = lab_server.start(root, port, token, ["--LabApp.expose_app_in_browser=True"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    results = {}
    try:
        try:
            lab_server.wait_until_up(server, port, token)
        except RuntimeError as error:
            sys.exit(f"{error}; its log: {tmp / 'jupyterlab.log'}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(present.lab_url(notebook, root, port, token))
            page.wait_for_function(
                "() => window.jupyterapp && jupyterapp.shell.currentWidget"
                " && jupyterapp.shell.currentWidget.sessionContext.session"
                " && jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                " && jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
                " === 'idle'", timeout=180_000)
            page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
            for name in cases:
                page.wait_for_function(
                    "i => jupyterapp.shell.currentWidget.content.widgets[i].node"
                    ".querySelector('.widget-image[src]')", arg=indices[name], timeout=300_000)
            page.wait_for_function(
                "() => jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
                " === 'idle'", timeout=300_000)
            load = os.getloadavg()[0]
            print(f"Chromium + JupyterLab on 127.0.0.1; {args.presses} presses after "
                  f"{args.warmup} warm-up, {args.gap:g} ms apart; load average {load:.1f} on "
                  f"{os.cpu_count()} cores" + (f"; kernel code: {args.kernel_code}"
                                               if kernel_code else ""))
            print(f"{'case':11s} {'key->src':>19s} {'key->shown':>19s} | {'up':>5s} {'kernel':>5s} "
                  f"{'(cpu)':>6s} {'down':>5s} | {'recomp':>6s} {'draw':>5s} {'encode':>6s} "
                  f"{'send':>5s} | image     (ms: median, quartiles)")
            for name in cases:
                code, slider, label, key = CASES[name]
                if args.profile:
                    page.evaluate(KERNEL_JS, "_PROFILE.clear()")
                measured = page.evaluate(MEASURE_JS, {
                    "cell": indices[name], "slider": slider, "presses": args.presses,
                    "warmup": args.warmup, "gap": args.gap, "key": key})
                times = measured["times"]
                src = _quartiles([t["src"] for t in times])
                shown = _quartiles([t["shown"] for t in times])
                line = (f"{name:11s} {src[0]:5.1f} ({src[1]:4.0f}-{src[2]:4.0f}) "
                        f"{shown[0]:5.1f} ({shown[1]:4.0f}-{shown[2]:4.0f}) | ")
                profile = {}
                if args.profile:
                    records = json.loads(page.evaluate(KERNEL_JS, "_profile_report()")
                                         .strip().splitlines()[-1])
                    profile = _split(records, times)
                    line += " ".join(f"{profile[k]:{w}.1f}" for k, w in (
                        ("up", 5), ("kernel", 5), ("kernel_cpu", 6), ("down", 5))) + " | "
                    line += " ".join(f"{profile[k]:{w}.1f}" for k, w in (
                        ("refresh", 6), ("draw", 5), ("encode", 6), ("send", 5))) + " | "
                line += (f"{measured['width']}x{measured['height']} "
                         f"{measured['bytes'] / 1000:.0f} kB  [{label}]")
                print(line, flush=True)
                results[name] = {"src": src, "shown": shown, "profile": profile,
                                 "bytes": measured["bytes"],
                                 "size": [measured["width"], measured["height"]],
                                 "times": times}
            browser.close()
    finally:
        lab_server.stop(server)
        log.close()
    if args.json:
        args.json.write_text(json.dumps({"load": os.getloadavg()[0], "results": results},
                                        indent=1))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
