"""Benchmark: a full lift table with KS, IV and AUC over 1,000,000 rows.

Run with `python benchmarks/lift.py [N]` (N defaults to 1,000,000). The data is an
integer score 0-30 (say, credit inquiries) with a bad flag of about 10% whose rate
rises with the score, built before timing.

What is timed (best of 5 runs each; 2 for the continuous case):

- floor: one bare pure-Python counting pass over the rows — for each (value, flag),
  add 1 to the value's count and the flag to its bad count in two dicts. Nothing
  less can count the rows in pure Python.
- microloan: `CountTable.from_data` (one counting pass, checks included), then a
  10-bin equal-frequency `lift_table` (with IV, KS, WoE, cumulative lift) and `auc`
  from the same counts. The goal is within 1.3x of the floor.
- microloan, convenience: `lift_table(scores, bads)` and `auc(scores, bads)` called
  on the raw columns (two counting passes).
- toad's `KS_bucket` (its bucket table: 10 quantile buckets, KS, lift) and AUC, and
  scikit-learn's `roc_auc_score`, where installed (numpy conversion not timed).
- continuous scores: 1,000,000 distinct floats; KS and AUC are bound by sorting the
  distinct values, so `sorted()` of the column is printed beside them: `ks` and `auc`
  on the raw columns (each sorts them once), and through a `CountTable` (one count).
"""

from __future__ import annotations

import importlib
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from microloan import CountTable, auc, ks, lift_table


def data(n: int, seed: int = 7) -> tuple[list[int], list[int]]:
    """N integer scores 0-30 and bad flags, ~10% bad, riskier with the score."""
    rng = random.Random(seed)
    scores = [rng.randint(0, 30) for _ in range(n)]
    bads = [1 if rng.random() < 0.03 + 0.14 * s / 30 else 0 for s in scores]
    return scores, bads


def best_of(fn: Callable[[], Any], runs: int = 5) -> tuple[float, Any]:
    """The fastest of `runs` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def floor(scores: list[int], bads: list[int]) -> dict[int, int]:
    """The bare counting pass."""
    totals: dict[int, int] = {}
    bad: dict[int, int] = {}
    for value, flag in zip(scores, bads, strict=True):
        totals[value] = totals.get(value, 0) + 1
        bad[value] = bad.get(value, 0) + flag
    return totals


def full(scores: list[int], bads: list[int]) -> tuple[Any, ...]:
    """One count, then the lift table (IV, KS) and the AUC from it."""
    counts = CountTable.from_data(scores, bads)
    table = lift_table(counts, bins=10)
    return table.iv, table.ks, auc(counts)


def convenience(scores: list[int], bads: list[int]) -> tuple[Any, ...]:
    """The one-call functions on raw columns (each counts the rows itself)."""
    table = lift_table(scores, bads, bins=10)
    return table.iv, table.ks, auc(scores, bads)


def report(name: str, seconds: float, base: float) -> None:
    """One line: time and ratio to the floor."""
    print(f"{name:<48} {seconds * 1000:9.1f} ms  {seconds / base:5.2f}x floor")


def peers(scores: list[int], bads: list[int], base: float) -> None:
    """toad and scikit-learn, where installed."""
    try:
        np = importlib.import_module("numpy")
    except ImportError:
        print("numpy not installed: toad and scikit-learn skipped")
        return
    x, y = np.array(scores), np.array(bads)
    try:
        toad = importlib.import_module("toad")

        seconds, _ = best_of(lambda: toad.metrics.KS_bucket(x, y, bucket=10))
        report("toad KS_bucket (10 quantile buckets)", seconds, base)
        seconds, _ = best_of(lambda: toad.metrics.AUC(x, y))
        report("toad AUC", seconds, base)
    except Exception as exc:  # toad missing or broken: say so and go on
        print(f"toad not available ({type(exc).__name__}: {exc})")
    try:
        roc_auc_score = importlib.import_module("sklearn.metrics").roc_auc_score

        seconds, value = best_of(lambda: roc_auc_score(y, x))
        report("scikit-learn roc_auc_score", seconds, base)
        print(f"{'':<48} AUC {value:.12f}")
    except ImportError:
        print("scikit-learn not installed")


def continuous(n: int, seed: int = 8) -> None:
    """KS and AUC of distinct float scores next to a bare sort."""
    rng = random.Random(seed)
    scores = [rng.random() for _ in range(n)]
    bads = [1 if rng.random() < 0.05 + 0.1 * s else 0 for s in scores]
    sort_time, _ = best_of(lambda: sorted(scores), runs=2)

    def both() -> tuple[Any, Any]:
        counts = CountTable.from_data(scores, bads)
        return ks(counts), auc(counts)

    seconds, counted = best_of(both, runs=2)
    ks_time, ks_value = best_of(lambda: ks(scores, bads), runs=2)
    auc_time, auc_value = best_of(lambda: auc(scores, bads), runs=2)
    if (ks_value, auc_value) != counted:
        raise SystemExit("the sorted route must give the count walk's KS and AUC")
    print(f"\ncontinuous scores ({n:,} distinct floats):")
    print(f"{'sorted(scores), the sort bound':<48} {sort_time * 1000:9.1f} ms")
    for label, spent in (
        ("microloan ks(scores, bads) (goal: within 2x)", ks_time),
        ("microloan auc(scores, bads) (goal: within 2x)", auc_time),
        ("microloan ks + auc on the raw columns", ks_time + auc_time),
        ("microloan CountTable.from_data + ks + auc", seconds),
    ):
        print(f"{label:<48} {spent * 1000:9.1f} ms  {spent / sort_time:5.2f}x sort")


def main() -> None:
    """Run every measurement and print one line each."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    scores, bads = data(n)
    print(f"{n:,} rows, integer score 0-30, {sum(bads) / n:.1%} bad\n")
    base, _ = best_of(lambda: floor(scores, bads))
    report("floor: bare counting pass", base, base)
    seconds, (iv, ks_value, auc_value) = best_of(lambda: full(scores, bads))
    report("microloan: count + lift table + IV + KS + AUC", seconds, base)
    print(f"{'':<48} IV {iv:.6f}  KS {ks_value:.6f}  AUC {auc_value:.12f}")
    seconds, _ = best_of(lambda: convenience(scores, bads))
    report("microloan: lift_table() + auc() on raw columns", seconds, base)
    peers(scores, bads, base)
    continuous(n)


if __name__ == "__main__":
    main()
