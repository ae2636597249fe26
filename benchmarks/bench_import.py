"""How long `python -c "import annteach"` takes (target: under 0.5 s).

Runs the import in fresh interpreters and prints the median wall time, next to
the time of `import numpy` alone (the floor: annteach's maths needs numpy).

    .venv/bin/python benchmarks/bench_import.py [--repeat 11]
"""

import argparse
import statistics
import subprocess
import sys
import time


def median_seconds(code, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    bare = median_seconds("pass", args.repeat)
    numpy = median_seconds("import numpy", args.repeat)
    annteach = median_seconds("import annteach", args.repeat)
    print(f"python -c pass:             {bare * 1000:7.1f} ms (median of {args.repeat})")
    print(f"python -c 'import numpy':   {numpy * 1000:7.1f} ms")
    print(f"python -c 'import annteach': {annteach * 1000:6.1f} ms  "
          f"({'meets' if annteach < 0.5 else 'MISSES'} the 500 ms target)")


if __name__ == "__main__":
    main()
