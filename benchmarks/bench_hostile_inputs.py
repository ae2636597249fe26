"""What hostile files and servers cost `read_idx` and `fetch_mnist`: memory, time, bytes.

Each measurement runs in a fresh interpreter (so `ru_maxrss` is that case's own peak)
and prints the median over `--repeat` runs:

- `bomb`: 1 MB gzip files that inflate to 1 GiB of zeros, read with `read_idx`; their IDX
  headers declare 1 GiB (8 bytes more than the file holds), 200 MiB, and 60 MiB (under
  64 times the file's size, so read: the most such a file can cost);
- `mnist`: the shipped training images (47 MB decompressed), the honest case;
- `endless`: `fetch_mnist` of the 10 KB test labels from a server on 127.0.0.1 that
  sends an endless body (the server gives up after `--cap` bytes), with the number of
  bytes written to the partial file;
- `trickle`: the same file from a server that sends one byte a second (the server
  gives up after `--trickle-cap` seconds), with `deadline=2` where `fetch_mnist`
  takes one.

    .venv/bin/python benchmarks/bench_hostile_inputs.py [--repeat 3] [--only bomb ...]

To measure another copy of the package, put it first on PYTHONPATH.
"""

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

GIB = 1 << 30

# Runs in the child: reads one file, reports seconds, the tracemalloc peak, ru_maxrss and
# the outcome.
READ = """
import json, resource, sys, time, tracemalloc
import annteach
path = sys.argv[1]
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t0 = time.perf_counter()
try:
    a = annteach.read_idx(path)
    outcome = f"array {a.shape}"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:150]}"
seconds = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "traced_peak": peak, "rss_peak_kb": rss,
                  "rss_before_kb": base_rss, "outcome": outcome}))
"""

# Runs in the child: serves an endless or trickling body and fetches from it.
FETCH = """
import builtins, http.server, inspect, json, sys, threading, time
from pathlib import Path
import annteach
import annteach.mnist_fetch
mode, cap, dest = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
sent, written = [0], [0]

def counting_open(path, mode="r", *args, **kwargs):
    # fetch_mnist opens its partial file with the module's `open`: count what it writes.
    f = builtins.open(path, mode, *args, **kwargs)
    if "x" in mode:
        write = f.write
        def counted(data):
            written[0] += len(data)
            return write(data)
        f.write = counted
    return f

annteach.mnist_fetch.open = counting_open

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        start = time.monotonic()
        try:
            while True:
                if mode == "endless":
                    if sent[0] >= cap:
                        break
                    self.wfile.write(b"\\0" * 65536)
                    sent[0] += 65536
                else:
                    if time.monotonic() - start >= cap:
                        break
                    self.wfile.write(b"\\0")
                    self.wfile.flush()
                    sent[0] += 1
                    time.sleep(1)
        except OSError:
            pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
url = f"http://127.0.0.1:{server.server_address[1]}/"
kwargs = {"progress": False, "files": ["t10k-labels-idx1-ubyte"], "timeout": 5}
if "deadline" in inspect.signature(annteach.fetch_mnist).parameters:
    kwargs["deadline"] = 2
t0 = time.perf_counter()
try:
    annteach.fetch_mnist(dest, base_urls=[url], **kwargs)
    outcome = "downloaded"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc).splitlines()[1].strip()[:200]}"
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "server_sent": sent[0], "written": written[0],
                  "outcome": outcome, "deadline": kwargs.get("deadline")}))
server.shutdown()
"""


def make_bomb(folder, declared):
    """``declared`` bytes declared, 1 GiB minus 8 bytes of zeros present, about 1 MB."""
    path = folder / f"bomb{declared}.idx.gz"
    header = bytes([0, 0, 0x08, 1]) + declared.to_bytes(4, "big")
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip wrapper
    zeros = bytes(1 << 24)
    with open(path, "wb") as f:
        f.write(squeeze.compress(header))
        left = GIB - 8  # the whole inflated stream is 1 GiB
        while left:
            n = min(left, len(zeros))
            f.write(squeeze.compress(zeros[:n]))
            left -= n
        f.write(squeeze.flush())
    return path


def run(code, *args):
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def median_of(results, key):
    return statistics.median(r[key] for r in results)


def read_case(label, path, repeat):
    results = [run(READ, path) for _ in range(repeat)]
    print(f"{label}: {Path(path).stat().st_size / 1e6:.2f} MB on disk -> "
          f"{median_of(results, 'seconds'):.2f} s, traced peak "
          f"{median_of(results, 'traced_peak') / 1e6:.1f} MB, ru_maxrss "
          f"{median_of(results, 'rss_peak_kb') / 1e3:.0f} MB (of which "
          f"{median_of(results, 'rss_before_kb') / 1e3:.0f} MB before the read); "
          f"median of {repeat}")
    print(f"    {results[0]['outcome']}")


def fetch_case(label, mode, cap, repeat):
    results = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run(FETCH, mode, cap, Path(tmp) / "dest"))
    print(f"{label}: {median_of(results, 'seconds'):.2f} s until fetch_mnist returned, server "
          f"sent {median_of(results, 'server_sent'):.0f} bytes, "
          f"{median_of(results, 'written'):.0f} bytes written to the partial file (deadline="
          f"{results[0]['deadline']}); median of {repeat}")
    print(f"    {results[0]['outcome']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cap", type=float, default=2 * GIB,
                        help="bytes after which the endless server stops (default 2 GiB)")
    parser.add_argument("--trickle-cap", type=float, default=15,
                        help="seconds after which the trickling server stops (default 15)")
    parser.add_argument("--only", nargs="*", default=["bomb", "mnist", "endless", "trickle"])
    args = parser.parse_args()
    import annteach

    print(f"annteach from {Path(annteach.__file__).parent}")
    with tempfile.TemporaryDirectory() as tmp:
        if "bomb" in args.only:
            for declared, label in ((GIB, "1 GiB"), (200 << 20, "200 MiB"), (60 << 20, "60 MiB")):
                bomb = make_bomb(Path(tmp), declared)
                read_case(f"zip bomb ({label} declared)", bomb, args.repeat)
        if "mnist" in args.only:
            images = Path(annteach.mnist_files("train")[0])
            with gzip.open(images) as f:
                assert f.read(4) == bytes([0, 0, 8, 3])
            read_case("MNIST training images", images, args.repeat)
    if "endless" in args.only:
        fetch_case("endless body", "endless", args.cap, args.repeat)
    if "trickle" in args.only:
        fetch_case("one byte a second", "trickle", args.trickle_cap, args.repeat)


if __name__ == "__main__":
    main()
