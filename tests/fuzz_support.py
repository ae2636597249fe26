"""What the fuzz tests share: the bounds on one read, and measuring a read against them."""

import time
import tracemalloc

#: Each read of a mutated file must take less time and traced memory than this.
MAX_SECONDS = 1.0
MAX_TRACED = 200 * 10**6


def measured(call, error_type):
    """Call ``call()`` and see what it returned or raised, and what it cost.

    tracemalloc must be running (numpy reports its buffers to it, so the traced
    peak includes the arrays).

    Returns
    -------
    outcome : object
        What ``call()`` returned, or the ``error_type`` exception it raised
        (None if it raised anything else).
    problem : str or None
        The exception of any other type, or the time and memory when over the
        bounds; None when all is well.
    """
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    try:
        outcome = call()
    except error_type as exc:
        outcome = exc
    except Exception as exc:  # any other type is a finding
        return None, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1] - before
    if seconds > MAX_SECONDS or traced > MAX_TRACED:
        return outcome, f"{seconds:.2f} s, {traced / 1e6:.0f} MB traced"
    return outcome, None
