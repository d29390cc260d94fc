"""Benchmark: building equal-installment schedules and solving IRRs, against the floor and peers.

Run from the repository root:

    python benchmarks/schedules.py            # 100,000 schedules, 10,000 irr calls
    python benchmarks/schedules.py --quick    # a tenth of each, for a smoke run

It prints, from one run on one machine:

- microloan: `equal_installment` for 100,000 twelve-month loans (varied principal, rate
  and disbursement date), full `Schedule` objects with `Money` amounts and due dates;
- the floor: a bare, minimal pure-Python `Decimal` loop computing the same numbers
  (level installment, then interest, principal, total and balance per month, rounded
  half-up to the fen; no objects, no dates, no checks);
- numpy-financial (`pmt`, `ipmt`, `ppmt` per loan, floats, unrounded) and the
  `amortization` package (floats rounded to cents, the same convention) where installed;
- 10,000 `irr` calls on PBoC-style flows (net amount, 12 installments) against
  numpy-financial's `irr` and pyxirr's `irr` where installed.

Peers that are not installed are skipped. Times are the process's CPU time
(`time.process_time`), which other processes on a busy machine disturb less than the wall
clock; still, compare the ratios printed in one run, not numbers from different runs.
"""

from __future__ import annotations

import argparse
import decimal
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from microloan import Money, Rate, equal_installment, irr

TERM = 12


def _loans(count: int) -> list[tuple[Decimal, Decimal, date]]:
    """Principal (fen-exact), annual rate and start date for `count` loans, reproducibly."""
    rng = random.Random(2021)
    first = date(2026, 1, 1)
    rates = [Decimal(r) / 1000 for r in range(60, 361, 5)]  # 6% to 36% a year
    return [
        (
            Decimal(rng.randint(100_000, 50_000_000)).scaleb(-2),
            rng.choice(rates),
            first + timedelta(days=rng.randrange(365)),
        )
        for _ in range(count)
    ]


def _timed(label: str, run: Callable[[], object], results: list[tuple[str, float]]) -> float:
    began = time.process_time()
    run()
    seconds = time.process_time() - began
    results.append((label, seconds))
    return seconds


def bench_schedules(count: int) -> list[tuple[str, float]]:
    """Time each way of building `count` twelve-month equal-installment schedules."""
    loans = _loans(count)
    results: list[tuple[str, float]] = []
    inputs = [(Money(p), Rate.annual(r), d) for p, r, d in loans]

    def library() -> None:
        for principal, rate, start in inputs:
            equal_installment(principal, rate=rate, term=TERM, start=start)

    cent = Decimal("0.01")
    up = decimal.ROUND_HALF_UP
    ctx = decimal.Context(prec=34)

    def bare() -> None:
        twelve = Decimal(12)
        one = Decimal(1)
        for principal, annual, _start in loans:
            i = ctx.divide(annual, twelve)
            level = ctx.divide(
                ctx.multiply(principal, i), one - ctx.power(one + i, -TERM)
            ).quantize(cent, up)
            balance = principal
            rows = []
            for _ in range(TERM - 1):
                interest = ctx.multiply(balance, i).quantize(cent, up)
                part = level - interest
                balance -= part
                rows.append((part, interest, level, balance))
            interest = ctx.multiply(balance, i).quantize(cent, up)
            rows.append((balance, interest, balance + interest, Decimal("0.00")))

    _timed("microloan equal_installment (Schedule objects)", library, results)
    _timed("bare Decimal loop (numbers only, the floor)", bare, results)
    _bench_peers(loans, results)
    return results


def _bench_peers(
    loans: list[tuple[Decimal, Decimal, date]], results: list[tuple[str, float]]
) -> None:
    """Time numpy-financial and the `amortization` package, where installed."""
    try:
        import numpy as np
        import numpy_financial as npf
    except ImportError:
        print("numpy-financial not installed: skipped")
    else:
        floats = [(float(p), float(r) / 12) for p, r, _ in loans]
        periods = np.arange(1, TERM + 1)

        def numpy_per_loan() -> None:
            for principal, i in floats:
                npf.pmt(i, TERM, -principal)
                npf.ipmt(i, periods, TERM, -principal)
                npf.ppmt(i, periods, TERM, -principal)

        def numpy_vectorised() -> None:
            principal = np.array([p for p, _ in floats])
            i = np.array([r for _, r in floats])[:, None]
            npf.ipmt(i, periods, TERM, -principal[:, None])
            npf.ppmt(i, periods, TERM, -principal[:, None])

        _timed("numpy-financial pmt/ipmt/ppmt per loan (floats)", numpy_per_loan, results)
        _timed("numpy-financial, all loans in one array call", numpy_vectorised, results)

    try:
        from amortization.schedule import amortization_schedule
    except ImportError:
        print("amortization not installed: skipped")
    else:
        floats_annual = [(float(p), float(r)) for p, r, _ in loans]

        def peer() -> None:
            for principal, annual in floats_annual:
                list(amortization_schedule(principal, annual, TERM))

        _timed("amortization package (floats rounded to cents)", peer, results)


def bench_irr(count: int) -> list[tuple[str, float]]:
    """Time `count` IRR solutions of PBoC-style flows with each library."""
    rng = random.Random(3)
    flows: list[list[Decimal]] = []
    for _ in range(count):
        principal = Decimal(rng.randint(1_000, 500_000))
        fee = principal * Decimal(rng.randint(0, 30)) / 1000
        payment = (principal * Decimal(rng.randint(840, 940)) / 10_000).quantize(Decimal("0.01"))
        flows.append([fee - principal] + [payment] * TERM)
    results: list[tuple[str, float]] = []
    _timed("microloan irr (Decimal, 25 digits)", lambda: [irr(f) for f in flows], results)
    floats = [[float(x) for x in f] for f in flows]
    try:
        import numpy_financial as npf
    except ImportError:
        print("numpy-financial not installed: skipped")
    else:
        _timed("numpy-financial irr (float)", lambda: [npf.irr(f) for f in floats], results)
    try:
        import pyxirr
    except ImportError:
        print("pyxirr not installed: skipped")
    else:
        _timed("pyxirr irr (Rust, float)", lambda: [pyxirr.irr(f) for f in floats], results)
    return results


def _report(title: str, count: int, results: list[tuple[str, float]], base: int) -> None:
    print(f"\n{title}")
    reference = results[base][1]
    for label, seconds in results:
        ratio = seconds / reference
        print(
            f"  {label:<52} {seconds:8.3f} s  {seconds / count * 1e6:9.2f} µs each  {ratio:6.2f}x"
        )


def main(argv: list[str] | None = None) -> None:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a tenth of the work")
    args = parser.parse_args(argv)
    schedules, irrs = (10_000, 1_000) if args.quick else (100_000, 10_000)
    print(f"Python {sys.version.split()[0]}; ratios relative to the first or second line")
    sched = bench_schedules(schedules)
    _report(f"{schedules:,} twelve-month equal-installment schedules", schedules, sched, 1)
    irr_results = bench_irr(irrs)
    _report(f"{irrs:,} irr calls (13 flows each)", irrs, irr_results, 0)
    check: Any = equal_installment(
        Money("100000"), rate=Rate.annual("18%"), term=12, start=date(2026, 1, 1)
    )
    print(
        f"\nsanity: level installment of 100,000 at 18% over 12 months = {check.installments[0].total}"
    )


if __name__ == "__main__":
    main()
