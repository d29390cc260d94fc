"""Benchmark: a revolving credit line's cost by the number of drawdowns drawn and repaid.

Run with `python benchmarks/lines.py` (`--quick` for a smoke run). Times are process CPU
time (`time.process_time`); each per-call figure is the best of several rounds.

A revolving line draws 1,000 yuan open-ended every day and repays it (with the day's
interest) the next. After 10, 100 and 1,000 such cycles, the cost of one more `draw`,
`repay` (of a drawdown open that day), `available` and `position` is measured, and the
growth exponents fitted over 10/100/1,000 (goal: <= 0.1 a call, <= 1.1 for the whole
history). Goal: the 1,000 draws and repays in under 0.3 s.

`position` returns one `LoanPosition` per drawdown (`LinePosition.drawdowns`), so its
output grows with the drawdowns; a repaid drawdown's position is built without the
servicing engine, so it costs a reference in a tuple.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import exponent, once, per_call, us

from microloan import CreditLine, Money, Rate

OPENED = date(2026, 1, 1)
SIZES = (10, 100, 1000)
AMOUNT, PAYOFF = Money("1000"), Money("1000.50")  # one day at 0.05%


def fresh() -> CreditLine:
    return CreditLine.revolving(
        limit=Money("50000"),
        rate=Rate.daily("0.05%"),
        opened=OPENED,
        expires=OPENED + timedelta(days=4000),
    )


def cycles(count: int) -> CreditLine:
    """`count` draws, each repaid the next day."""
    line = fresh()
    for k in range(count):
        day = OPENED + timedelta(days=k)
        line = line.draw(AMOUNT, on=day, maturity=day + timedelta(days=30))
        line = line.repay(PAYOFF, on=day + timedelta(days=1))
    return line


def main(*, quick: bool) -> None:
    repeat = 50 if quick else 500
    rows: dict[str, list[float]] = {}
    totals: list[float] = []
    for size in SIZES:
        totals.append(once(lambda size=size: cycles(size), rounds=1 if quick else 3))
        line = cycles(size)
        day = OPENED + timedelta(days=size)
        later = day + timedelta(days=1)
        drawn = line.draw(AMOUNT, on=day, maturity=day + timedelta(days=30))
        calls = {
            "draw": lambda line=line, day=day: line.draw(
                AMOUNT, on=day, maturity=day + timedelta(days=30)
            ),
            "repay": lambda drawn=drawn, later=later: drawn.repay(PAYOFF, on=later),
            "available": lambda drawn=drawn, later=later: drawn.available(on=later),
            "position": lambda drawn=drawn, later=later: drawn.position(on=later),
        }
        for name, call in calls.items():
            rows.setdefault(name, []).append(per_call(call, repeat=repeat))
    print("revolving line, cost of one more call after 10 / 100 / 1,000 draws repaid:")
    for name, times in rows.items():
        figures = " / ".join(us(t) for t in times)
        print(f"  {name:<10} {figures}   exponent {exponent(SIZES, times):.2f} (goal <= 0.1)")
    figures = " / ".join(f"{t * 1e3:,.1f} ms" for t in totals)
    print(f"  {'all cycles':<10} {figures}   exponent {exponent(SIZES, totals):.2f} (goal <= 1.1)")
    print(f"1,000 draws and repays on one line: {totals[-1]:.3f} s (goal < 0.3 s)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
