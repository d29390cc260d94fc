"""Shared timing helpers of the servicing benchmarks (`loans.py`, `lines.py`).

Times are process CPU time (`time.process_time`): the machine is shared, and CPU time is
disturbed less than the wall clock. Each figure is the best of several rounds, so one
slow round (another process, a garbage collection) does not make it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence


def per_call(call: Callable[[], object], *, repeat: int, rounds: int = 5) -> float:
    """Seconds a call of `call` takes: the best of `rounds` rounds of `repeat` calls.

    A slow call is repeated fewer times, so that a round takes about a tenth of a second.
    """
    began = time.process_time()
    call()
    first = time.process_time() - began
    repeat = max(1, min(repeat, int(0.1 / max(first, 1e-6))))
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for _ in range(repeat):
            call()
        best = min(best, (time.process_time() - began) / repeat)
    return best


def once(call: Callable[[], object], *, rounds: int = 3) -> float:
    """Seconds one run of `call` takes: the best of `rounds` runs."""
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        call()
        best = min(best, time.process_time() - began)
    return best


def exponent(sizes: Sequence[int], seconds: Sequence[float]) -> float:
    """The growth exponent k of seconds ~ size**k, a least-squares fit in log-log."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-12)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def us(seconds: float) -> str:
    """Seconds as microseconds, for a table."""
    return f"{seconds * 1e6:,.1f} µs"
