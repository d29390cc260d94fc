"""Benchmark: servicing cost by history, against a bare ledger; a book's positions; cost by day.

Run with `python benchmarks/loans.py [N]` (N defaults to 100,000; `--quick` for a smoke
run). Times are process CPU time (`time.process_time`), so a busy machine inflates them
less than wall time; each per-call figure is the best of several rounds.

0. Servicing by history: a 360-month equal-installment loan with 10, 100 and 1,000
   postings (three part payments an installment), then the cost of one more `repay`,
   of `position` and of `payoff_amount` after it, and of back-dated calls; the growth
   exponents fitted over 10/100/1,000 (goal: per call <= 0.1, building the history
   <= 1.1). An open-ended loan's `position` and `repay` against a bare mutable ledger
   computing the same figures (goal: within 10x).

1. N twelve-installment equal-installment loans (a handful of distinct schedules, as a
   book has: the generator is not what is measured), each with 0-4 payments (on time,
   late, partial, a prepayment), built before timing; then `position(on=...)` of every
   loan at one date is timed.
2. One loan with three payments: the cost of `position` at day 30 versus day 365 of its
   life. Goal: the day-365 position costs less than 2x the day-30 one (cost grows with
   transactions and installments, not days).
"""

from __future__ import annotations

import gc
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import exponent, once, per_call, us

from microloan import Loan, Money, Rate, Schedule, equal_installment
from microloan._ledger import EVERY

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


SIZES = (10, 100, 1000)


FEE = Money("5")


def _postings(plan: Schedule, count: int) -> list[tuple[str, Money, date]]:
    """`count` postings, three an installment, all on its due date: a service fee, a third
    of what is due, then the rest (so each installment is settled when its date passes)."""
    out: list[tuple[str, Money, date]] = []
    for item in plan.installments:
        third = Money.from_minor_units(item.total.minor_units // 3)
        out.append(("fee", FEE, item.due_date))
        out.append(("repay", third, item.due_date))
        out.append(("repay", item.total + FEE - third, item.due_date))
    return out[:count]


def _posted(loan: Loan, posting: tuple[str, Money, date]) -> Loan:
    kind, amount, on = posting
    if kind == "fee":
        return loan.charge_fee(amount, on=on)
    return loan.repay(amount, on=on)


def servicing(quick: bool) -> None:
    """Cost of one more call on a loan with 10/100/1,000 postings; back-dated calls."""
    plan = equal_installment(Money("300000"), rate=Rate.annual("18%"), term=360, start=START)
    postings = _postings(plan, max(SIZES) + 1)
    repeat = 20 if quick else 200
    rows: dict[str, list[float]] = {}
    history: list[float] = []
    loans: dict[int, Loan] = {}
    for size in SIZES:

        def build(size: int = size) -> Loan:
            loan = Loan.from_schedule(plan, excess="credit")  # an overpayment is held
            for posting in postings[:size]:
                loan = _posted(loan, posting)
            return loan

        history.append(once(build, rounds=1 if quick else 3))
        loan = loans[size] = build()
        amount, on = Money("100"), postings[size][2]  # part of the next installment
        later = on + timedelta(days=1)
        early = postings[size // 2][2] + timedelta(days=1)  # half way through the history
        recent = postings[size - 9][2]  # three installments back
        calls: dict[str, Callable[[], object]] = {
            "repay": lambda loan=loan, amount=amount, on=on: loan.repay(amount, on=on),
            "position": lambda loan=loan, later=later: loan.position(on=later),
            "payoff_amount": lambda loan=loan, later=later: loan.payoff_amount(on=later),
            "back-dated position": lambda loan=loan, early=early: loan.position(on=early),
            "back-dated repay": lambda loan=loan, recent=recent: loan.repay(
                Money("100"), on=recent
            ),
        }
        for name, call in calls.items():
            rows.setdefault(name, []).append(per_call(call, repeat=repeat))
    print(
        "360-month loan, cost of one more call after 10 / 100 / 1,000 postings"
        " (back-dated: a position half way through the history, a repayment held as"
        " credit three installments back):"
    )
    for name, times in rows.items():
        figures = " / ".join(us(t) for t in times)
        print(f"  {name:<20} {figures}   exponent {exponent(SIZES, times):.2f} (goal <= 0.1)")
    figures = " / ".join(f"{t * 1e3:,.1f} ms" for t in history)
    print(
        f"  {'building the history':<20} {figures}   exponent {exponent(SIZES, history):.2f}"
        " (goal <= 1.1)"
    )
    memory(plan, postings)


def memory(plan: Schedule, postings: list[tuple[str, Money, date]]) -> None:
    """What the loan of 1,000 postings holds, and the part its checkpoints take."""
    gc.collect()
    tracemalloc.start()
    loan = Loan.from_schedule(plan, excess="credit")
    for posting in postings[: max(SIZES)]:
        loan = _posted(loan, posting)
    gc.collect()
    whole = tracemalloc.get_traced_memory()[0]
    trail = loan._servicing()  # noqa: SLF001 - what the loan holds, measured
    kept = len(trail.checkpoints) - 1  # the first is the fresh ledger
    trail.checkpoints = trail.checkpoints[:1]  # the benchmark's copy only: drop the others
    gc.collect()
    without = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    per = (whole - without) / max(kept, 1)
    print(
        f"  memory of the loan with {max(SIZES):,} postings: {whole / 1024:,.0f} KiB, of which"
        f" {kept} checkpoints (one every {EVERY} postings) {(whole - without) / 1024:,.0f} KiB"
        f" ({per / 1024:,.1f} KiB each)"
    )


class BareLedger:
    """The floor: a bare mutable open-ended loan (daily rate, 360 days, half-up), no objects.

    It computes the figures of `Loan.position` for a loan repaid before maturity, and
    allocates a repayment as `Loan.repay` does there: interest accrued, then principal,
    the loan closed (and the rest held) when the payment covers the payoff; it keeps
    each repayment's allocation, as a loan keeps its transactions.
    """

    __slots__ = (
        "anchor",
        "fixed",
        "history",
        "interest_paid",
        "maturity",
        "paid",
        "per_day",
        "principal",
    )

    def __init__(self, principal: Decimal, per_day: Decimal, start: date, maturity: date) -> None:
        self.principal, self.paid, self.per_day = principal, Decimal(0), per_day
        self.fixed, self.interest_paid = Decimal(0), Decimal(0)
        self.anchor, self.maturity = start, maturity
        self.history: list[tuple[date, Decimal, Decimal, Decimal, Decimal]] = []

    def clone(self) -> BareLedger:
        """A copy, so that each timed repayment starts from the same state."""
        other = object.__new__(BareLedger)
        other.principal, other.paid, other.per_day = self.principal, self.paid, self.per_day
        other.fixed, other.interest_paid = self.fixed, self.interest_paid
        other.anchor, other.maturity, other.history = self.anchor, self.maturity, self.history
        return other

    def _accrued(self, on: date) -> Decimal:
        days = (min(on, self.maturity) - self.anchor).days
        return self.fixed + (self.principal - self.paid) * (self.per_day * days)

    def position(self, on: date) -> tuple[object, ...]:
        cent = Decimal("0.01")
        principal = self.principal - self.paid
        interest = self._accrued(on).quantize(cent, ROUND_HALF_UP) - self.interest_paid
        at_due = self._accrued(self.maturity).quantize(cent, ROUND_HALF_UP) - self.interest_paid
        zero = Decimal(0)
        payoff = principal + interest
        return (
            "current" if payoff else "paid_off",  # status
            0,  # days past due
            principal,  # principal outstanding
            interest,  # interest accrued
            zero,  # fees
            zero,  # penalty
            (zero, zero, zero, zero),  # due: principal, interest, fees, penalty
            (zero, zero, zero, zero),  # overdue
            self.maturity,  # next due date
            principal + at_due,  # next due amount
            payoff,  # payoff amount
            zero,  # credit
        )

    def repay(self, amount: Decimal, on: date) -> tuple[date, Decimal, Decimal, Decimal, Decimal]:
        cent = Decimal("0.01")
        accrued = self._accrued(on)
        interest = accrued.quantize(cent, ROUND_HALF_UP) - self.interest_paid
        principal = self.principal - self.paid
        if amount >= interest + principal:  # it closes the loan; the rest is held
            record = (on, amount, interest, principal, amount - interest - principal)
        else:
            interest = min(amount, interest)
            record = (on, amount, interest, amount - interest, Decimal(0))
        self.fixed, self.anchor = accrued, on
        self.interest_paid += record[2]
        self.paid += record[3]
        self.history = [*self.history, record]
        return record


def _side_by_side(
    library: Callable[[], object], floor: Callable[[], object], repeat: int, rounds: int = 7
) -> tuple[float, float]:
    """The best per-call time of `library` and of `floor`, measured in alternate rounds
    (so that a busy spell of the machine weighs on both alike)."""
    best_library = best_floor = float("inf")
    for _ in range(rounds):
        best_floor = min(best_floor, per_call(floor, repeat=repeat, rounds=1))
        best_library = min(best_library, per_call(library, repeat=repeat, rounds=1))
    return best_library, best_floor


def open_ended(quick: bool) -> None:
    """An open-ended loan's `position` and `repay` against the bare ledger."""
    start, maturity = date(2026, 1, 1), date(2026, 12, 27)
    on = date(2026, 3, 11)
    loan = Loan.open_ended(
        principal=Money("10000"), rate=Rate.daily("0.05%"), start=start, maturity=maturity
    )
    loan = loan.repay(Money("3000"), on=date(2026, 2, 1))
    bare = BareLedger(Decimal(10000), Decimal("0.0005"), start, maturity)
    bare.repay(Decimal(3000), date(2026, 2, 1))
    repeat = 2000 if quick else 20000
    with localcontext() as ctx:
        ctx.prec = 34
        figures, floor = loan.position(on=on), bare.position(on)
        got = (figures.principal_outstanding.amount, figures.interest_accrued.amount)
        paid = loan.repay(Money("500"), on=on).transactions[-1]
        mine = bare.clone().repay(Decimal(500), on)
        if got != floor[2:4] or (paid.interest.amount, paid.principal.amount) != mine[2:4]:
            raise SystemExit(f"the floor computes other figures: {got}, {floor}, {paid}, {mine}")
        position, floor_position = _side_by_side(
            lambda: loan.position(on=on), lambda: bare.position(on), repeat
        )
        repay, floor_repay = _side_by_side(
            lambda: loan.repay(Money("500"), on=on),
            lambda: bare.clone().repay(Decimal(500), on),
            repeat,
        )
    print("open-ended loan after one repayment, against a bare mutable ledger (same figures):")
    print(
        f"  position {us(position)}, floor {us(floor_position)}: "
        f"ratio {position / floor_position:.1f} (goal <= 10)"
    )
    print(
        f"  repay    {us(repay)}, floor {us(floor_repay)} (a copy of its state, then the"
        f" repayment): ratio {repay / floor_repay:.1f} (goal <= 10)"
    )


def main(n: int, *, quick: bool = False) -> None:
    servicing(quick)
    open_ended(quick)
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
    t30 = per_call(lambda: loan.position(on=day30), repeat=2000)
    t365 = per_call(lambda: loan.position(on=day365), repeat=2000)
    print(
        f"one loan, position at day 30: {t30 * 1e6:.1f} µs; at day 365: {t365 * 1e6:.1f} µs "
        f"(ratio {t365 / t30:.2f}; goal < 2)"
    )
    last = max(t.on for t in loan.transactions)
    t_after = per_call(lambda: loan.position(on=last + timedelta(days=3650)), repeat=2000)
    print(f"same loan, position ten years after its last payment: {t_after * 1e6:.1f} µs")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    quick = "--quick" in sys.argv[1:]
    main(int(args[0]) if args else (10_000 if quick else 100_000), quick=quick)
