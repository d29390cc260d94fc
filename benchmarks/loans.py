"""Benchmark: loan positions for a book of twelve-installment loans, and position cost by day.

Run with `python benchmarks/loans.py [N]` (N defaults to 100,000). Times are process CPU
time (`time.process_time`), so a busy machine inflates them less than wall time.

1. N twelve-installment equal-installment loans (a handful of distinct schedules, as a
   book has: the generator is not what is measured), each with 0-4 payments (on time,
   late, partial, a prepayment), built before timing; then `position(on=...)` of every
   loan at one date is timed.
2. One loan with three payments: the cost of `position` at day 30 versus day 365 of its
   life. Goal: the day-365 position costs less than 2x the day-30 one (cost grows with
   transactions and installments, not days).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from microloan import Loan, Money, Rate, Schedule, equal_installment

START = date(2026, 1, 15)
ON = date(2026, 5, 20)


def _schedules() -> list[Schedule]:
    return [
        equal_installment(
            Money(amount), rate=Rate.annual(rate), term=12, start=START + timedelta(days=shift)
        )
        for amount in ("3000", "7600", "12000", "30000", "50000")
        for rate in ("12%", "18%", "21%", "24%")
        for shift in (0, 5, 10)
    ]


def book(n: int, seed: int = 1) -> list[Loan]:
    """N loans, each with a few payments of different kinds before ON."""
    rng = random.Random(seed)
    plans = _schedules()
    base = {id(p): Loan.from_schedule(p) for p in plans}
    loans = []
    for _ in range(n):
        plan = rng.choice(plans)
        loan = base[id(plan)]
        for item in plan.installments[: rng.randint(0, 4)]:
            kind = rng.random()
            if kind < 0.7:  # on time
                loan = loan.repay(item.total, on=item.due_date)
            elif kind < 0.85:  # late
                loan = loan.repay(item.total, on=item.due_date + timedelta(days=rng.randint(1, 20)))
            elif kind < 0.95:  # partial
                loan = loan.repay(
                    Money.from_minor_units(item.total.minor_units // 2), on=item.due_date
                )
            else:  # a prepayment
                loan = loan.repay(item.total + Money("500"), on=item.due_date)
        loans.append(loan)
    return loans


def _time(call: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(5):
        began = time.process_time()
        for _ in range(repeat):
            call()
        best = min(best, (time.process_time() - began) / repeat)
    return best


def main(n: int) -> None:
    began = time.process_time()
    loans = book(n)
    built = time.process_time() - began
    print(
        f"built {n:,} loans with {sum(len(x.transactions) for x in loans):,} payments in {built:.2f}s"
    )

    began = time.process_time()
    positions = [loan.position(on=ON) for loan in loans]
    elapsed = time.process_time() - began
    overdue = sum(1 for p in positions if p.days_past_due > 0)
    print(
        f"positions of {n:,} loans on {ON}: {elapsed:.2f}s "
        f"({elapsed / n * 1e6:.1f} µs a loan; {overdue:,} overdue)"
    )

    plan = equal_installment(Money("12000"), rate=Rate.annual("18%"), term=12, start=START)
    loan = Loan.from_schedule(plan)
    for item in plan.installments[:3]:
        loan = loan.repay(item.total, on=item.due_date - timedelta(days=2))
    day30 = loan.start + timedelta(days=30)
    day365 = loan.start + timedelta(days=365)
    t30 = _time(lambda: loan.position(on=day30), 2000)
    t365 = _time(lambda: loan.position(on=day365), 2000)
    print(
        f"one loan, position at day 30: {t30 * 1e6:.1f} µs; at day 365: {t365 * 1e6:.1f} µs "
        f"(ratio {t365 / t30:.2f}; goal < 2)"
    )
    last = max(t.on for t in loan.transactions)
    t_after = _time(lambda: loan.position(on=last + timedelta(days=3650)), 2000)
    print(f"same loan, position ten years after its last payment: {t_after * 1e6:.1f} µs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
