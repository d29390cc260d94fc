"""The servicing engine as it was before it became incremental: the test oracle.

A verbatim copy of `microloan._ledger` before copy-on-write lines, settled-line
skipping, running totals and checkpoints: every ledger is rebuilt from disbursement
and every call visits every line. `tests/test_incremental.py` replays random
histories through both engines and requires the same figures to the fen, so the
fast paths can only be as right as this plain one. Do not optimise it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

from microloan._decimal import CONTEXT, ZERO, rounding_constant
from microloan.errors import MicroloanError, invalid
from microloan.interest import daily_interest
from microloan.money import Money
from microloan.schedules import METHODS, replan

if TYPE_CHECKING:
    from microloan.rates import DaysInYear
    from microloan.schedules import Schedule
    from microloan.terms import ExcessHandling, ServicingTerms

Component = Literal["penalty", "fees", "interest", "principal"]

#: One allocation: (component, installment number, fee number, prepayment?, amount).
RawAllocation = tuple[Component, int | None, int | None, bool, Decimal]

_ORDER_KEY: Final[dict[str, int]] = {"penalty": 0, "fees": 1, "interest": 2, "principal": 3}


class Line:
    """One installment of the current plan, with what has been paid and waived on it.

    Interest of the line is `fixed` (accrued before `anchor`, full precision)
    plus the accrual from `anchor` to a date. In the *prorated* mode the
    accrual is `amount × days(anchor, x) / days(start, due)`, where `amount` is
    the interest of the whole period on the current principal (a schedule's
    interest, exactly reproduced on the due date). In the *daily* mode (an
    open-ended loan) it is `daily_interest` on the principal outstanding.
    """

    __slots__ = (
        "amount",
        "anchor",
        "daily",
        "due",
        "fixed",
        "interest_paid",
        "interest_waived",
        "number",
        "pen_accrued",
        "pen_from",
        "pen_paid",
        "pen_waived",
        "period_days",
        "planned",
        "principal",
        "principal_paid",
        "start",
    )

    def __init__(
        self,
        *,
        number: int,
        start: date,
        due: date,
        principal: Decimal,
        amount: Decimal,
        daily: bool,
    ) -> None:
        self.number = number
        self.start = start
        self.due = due
        self.period_days = Decimal((due - start).days)
        self.principal = principal
        self.principal_paid = ZERO
        self.fixed = ZERO
        self.anchor = start
        self.amount = amount
        self.daily = daily
        self.planned = not daily  # `amount` is a schedule's whole interest, untouched
        self.interest_paid = ZERO
        self.interest_waived = ZERO
        self.pen_accrued = ZERO
        self.pen_from = due
        self.pen_paid = ZERO
        self.pen_waived = ZERO

    def copy(self) -> Line:
        """A field-by-field copy."""
        other = object.__new__(Line)
        other.number, other.start, other.due = self.number, self.start, self.due
        other.period_days, other.principal = self.period_days, self.principal
        other.principal_paid, other.fixed, other.anchor = (
            self.principal_paid,
            self.fixed,
            self.anchor,
        )
        other.amount, other.daily, other.planned = self.amount, self.daily, self.planned
        other.interest_paid, other.interest_waived = self.interest_paid, self.interest_waived
        other.pen_accrued, other.pen_from = self.pen_accrued, self.pen_from
        other.pen_paid, other.pen_waived = self.pen_paid, self.pen_waived
        return other


class Fee:
    """A fee charged on the loan."""

    __slots__ = ("amount", "due", "number", "on", "paid", "waived")

    def __init__(self, *, number: int, on: date, due: date, amount: Decimal) -> None:
        self.number = number
        self.on = on
        self.due = due
        self.amount = amount
        self.paid = ZERO
        self.waived = ZERO

    @property
    def outstanding(self) -> Decimal:
        """What is left to pay."""
        return self.amount - self.paid - self.waived

    def copy(self) -> Fee:
        """A field-by-field copy."""
        other = Fee(number=self.number, on=self.on, due=self.due, amount=self.amount)
        other.paid, other.waived = self.paid, self.waived
        return other


class Record:
    """What one posting did: the raw material of a `Transaction` (its fields, as Decimals)."""

    __slots__ = ("allocations", "amount", "due", "excess", "kind", "number", "on")

    def __init__(
        self,
        *,
        number: int,
        kind: str,
        on: date,
        amount: Decimal,
        due: date | None = None,
        allocations: tuple[RawAllocation, ...] = (),
        excess: Decimal = ZERO,
    ) -> None:
        self.number, self.kind, self.on, self.amount = number, kind, on, amount
        self.due, self.allocations, self.excess = due, allocations, excess


class Config:
    """The fixed inputs of a ledger: the plan's conventions and the servicing terms."""

    __slots__ = (
        "currency",
        "days_in_year",
        "exponent",
        "level",
        "open_ended",
        "penalty_per_day",
        "penalty_rate",
        "rate",
        "rounding",
        "schedule",
        "target",
        "terms",
    )

    def __init__(
        self,
        *,
        schedule: Schedule,
        terms: ServicingTerms,
        open_ended: bool,
    ) -> None:
        self.schedule, self.terms, self.open_ended = schedule, terms, open_ended
        self.currency = schedule.principal.currency
        self.exponent = Money.zero(self.currency).amount
        self.rounding = rounding_constant(schedule.rounding, "rounding")
        self.rate = schedule.rate
        self.days_in_year: DaysInYear = schedule.days_in_year
        self.penalty_rate = penalty_rate = terms.penalty_for(schedule.rate)
        self.penalty_per_day = (
            None if self.days_in_year == "actual" else penalty_rate.per_day(self.days_in_year)
        )
        # the amount "keep the installment" keeps: the level total, or the level principal
        self.level = METHODS[schedule.method].level
        self.target = None if self.level is None else self.level(schedule)

    def round(self, value: Decimal) -> Decimal:
        """Round an accrual to a payable amount with the loan's rounding mode."""
        return value.quantize(self.exponent, self.rounding, CONTEXT)

    def penalty(self, bearing: Decimal, start: date, end: date) -> Decimal:
        """Unrounded penalty interest on `bearing` from `start` to `end` (`daily_interest`)."""
        if self.penalty_per_day is not None:
            # daily_interest's own formula for 360/365 days, its rate conversion done once
            factor = CONTEXT.multiply(self.penalty_per_day, Decimal((end - start).days))
            return CONTEXT.multiply(bearing, factor)
        money = Money(bearing, self.currency)
        return daily_interest(money, self.penalty_rate, start, end, days_in_year="actual").amount


class Ledger:
    """The mutable state of one loan at `time` (everything dated up to `time` applied)."""

    __slots__ = ("config", "credit", "fees", "lines", "records", "time", "written_off")

    def __init__(self, config: Config) -> None:
        self.config = config
        sched = config.schedule
        self.lines: list[Line] = [
            Line(
                number=i.number,
                start=i.period_start,
                due=i.due_date,
                principal=i.principal.amount,
                amount=i.interest.amount,
                daily=config.open_ended,
            )
            for i in sched.installments
        ]
        self.fees: list[Fee] = []
        self.credit = ZERO
        self.time = sched.start
        self.written_off: date | None = None
        self.records: list[Record] = []

    def copy(self) -> Ledger:
        """An independent copy (records are immutable and shared)."""
        other = object.__new__(Ledger)
        other.config = self.config
        other.lines = [line.copy() for line in self.lines]
        other.fees = [fee.copy() for fee in self.fees]
        other.credit = self.credit
        other.time = self.time
        other.written_off = self.written_off
        other.records = list(self.records)
        return other

    # -- accruals -------------------------------------------------------------
    def accrued(self, line: Line, until: date) -> Decimal:
        """The unrounded interest of `line` accrued up to `until` (capped at its due date)."""
        end = min(until, line.due)
        if end <= line.anchor:
            return line.fixed
        if line.daily:
            outstanding = line.principal - line.principal_paid
            if not outstanding:
                return line.fixed
            extra = daily_interest(
                Money(outstanding, self.config.currency),
                self.config.rate,
                line.anchor,
                end,
                days_in_year=self.config.days_in_year,
            ).amount
        elif not line.amount:
            return line.fixed
        else:
            extra = CONTEXT.divide(
                CONTEXT.multiply(line.amount, Decimal((end - line.anchor).days)),
                line.period_days,
            )
        return CONTEXT.add(line.fixed, extra)

    def interest_out(self, line: Line, until: date) -> Decimal:
        """Interest of `line` accrued to `until`, rounded, less what was paid or waived."""
        if until >= line.due and line.planned and line.anchor == line.start and not line.fixed:
            # a whole period as planned: exactly the schedule's (whole) interest
            return line.amount - line.interest_paid - line.interest_waived
        accrued = self.accrued(line, until)
        return self.config.round(accrued) - line.interest_paid - line.interest_waived

    def penalty_out(self, line: Line, until: date | None = None) -> Decimal:
        """Penalty on `line` (rounded) less what was paid or waived; accrued to `until` if given."""
        accrued = line.pen_accrued if until is None else self._penalty_until(line, until)
        if not accrued:
            return -line.pen_paid - line.pen_waived
        return self.config.round(accrued) - line.pen_paid - line.pen_waived

    def crystallize(self, line: Line, until: date) -> None:
        """Fix the interest accrued up to `until` into `line.fixed` and move the anchor there."""
        if until > line.anchor:
            line.fixed = self.accrued(line, until)
            line.anchor = min(until, line.due)

    def _penalty_until(self, line: Line, until: date) -> Decimal:
        """The unrounded penalty of `line` accrued up to `until` (nothing is changed)."""
        cfg = self.config
        if self.written_off is not None and until > self.written_off:
            until = self.written_off
        if until <= line.pen_from or (until - line.due).days <= cfg.terms.grace_days:
            return line.pen_accrued  # within the grace days nothing is charged (yet)
        bearing = line.principal - line.principal_paid
        if cfg.terms.penalty_on_interest:
            bearing += self.interest_out(line, line.due)
        if bearing <= 0:
            return line.pen_accrued
        return CONTEXT.add(line.pen_accrued, cfg.penalty(bearing, line.pen_from, until))

    def _accrue_penalty(self, line: Line, until: date) -> None:
        if self.written_off is not None and until > self.written_off:
            until = self.written_off
        if until <= line.pen_from or (until - line.due).days <= self.config.terms.grace_days:
            return
        line.pen_accrued = self._penalty_until(line, until)
        line.pen_from = until

    def advance(self, on: date) -> None:
        """Move the clock to `on`: accrue penalty, apply any credit to what falls due."""
        if on <= self.time:
            return
        stop = on if self.written_off is None else min(on, self.written_off)
        if self.credit > 0:
            dues = sorted(
                {ln.due for ln in self.lines if self.time < ln.due <= on}
                | {f.due for f in self.fees if self.time < f.due <= on}
            )
            for day in dues:
                for line in self.lines:
                    if line.due < day:
                        self._accrue_penalty(line, min(day, stop))
                self.time = day
                self._apply_credit(day)
                if self.credit <= 0:
                    break
        for line in self.lines:
            if line.due < stop:
                self._accrue_penalty(line, stop)
        self.time = on

    # -- what is due ----------------------------------------------------------
    def _buckets(self, on: date) -> list[tuple[Component, Line | Fee]]:
        """The outstanding items due on or before `on`, in the allocation order."""
        due_lines = [ln for ln in self.lines if ln.due <= on]
        due_fees = sorted(
            (f for f in self.fees if f.due <= on and f.outstanding > 0),
            key=lambda f: (f.due, f.on, f.number),
        )
        order = self.config.terms.allocation
        items: list[tuple[Component, Line | Fee]] = []
        if order == "oldest_first":
            parts: tuple[Component, ...] = ("penalty", "interest", "principal")
            keyed: list[tuple[date, int, int, Component, Line | Fee]] = [
                (ln.due, _ORDER_KEY[comp], ln.number, comp, ln)
                for ln in due_lines
                for comp in parts
            ]
            keyed.extend((f.due, 1, i, "fees", f) for i, f in enumerate(due_fees))
            keyed.sort(key=lambda k: (k[0], k[1], k[2]))
            items = [(k[3], k[4]) for k in keyed]
        else:
            sequence: tuple[Component, ...] = (
                ("penalty", "fees", "interest", "principal")
                if order == "vertical"
                else ("principal", "interest", "fees", "penalty")
            )
            for comp in sequence:
                if comp == "fees":
                    items.extend(("fees", f) for f in due_fees)
                else:
                    items.extend((comp, ln) for ln in due_lines)
        return items

    def outstanding(self, comp: Component, item: Line | Fee) -> Decimal:
        """What is left of one component of one item (a due line's interest counts to its due date)."""
        if isinstance(item, Fee):
            return item.outstanding
        if comp == "penalty":
            return self.penalty_out(item)
        if comp == "interest":
            return self.interest_out(item, item.due)
        return item.principal - item.principal_paid

    def _pay(self, comp: Component, item: Line | Fee, value: Decimal) -> None:
        if isinstance(item, Fee):
            item.paid += value
        elif comp == "penalty":
            item.pen_paid += value
        elif comp == "interest":
            item.interest_paid += value
        else:
            if item.daily:  # interest by the day follows the principal: fix it first
                self.crystallize(item, item.due)
            item.principal_paid += value

    def _pay_dues(self, on: date, pool: Decimal, out: list[RawAllocation] | None) -> Decimal:
        for comp, item in self._buckets(on):
            if pool <= 0:
                break
            owed = self.outstanding(comp, item)
            if owed <= 0:
                continue
            part = min(pool, owed)
            self._pay(comp, item, part)
            pool -= part
            if out is not None:
                out.append(_raw(comp, item, part, prepayment=False))
        return pool

    def _apply_credit(self, on: date) -> None:
        """Pay what is due on `on` from the credit; record it as an automatic transaction."""
        allocations: list[RawAllocation] = []
        self.credit = self._pay_dues(on, self.credit, allocations)
        self._record_credit(on, allocations)

    def _record_credit(self, on: date, allocations: list[RawAllocation]) -> None:
        """Record what the credit held paid on `on` as an automatic transaction (number 0)."""
        if allocations:
            amount = sum((a[4] for a in allocations), ZERO)
            self.records.append(
                Record(
                    number=0, kind="credit", on=on, amount=amount, allocations=tuple(allocations)
                )
            )

    # -- postings -------------------------------------------------------------
    def repay(self, number: int, on: date, amount: Decimal, mode: ExcessHandling | None) -> None:
        """Apply a repayment: dues in the allocation order, then the excess."""
        self.advance(on)
        allocations: list[RawAllocation] = []
        rest = self._pay_dues(on, amount, allocations)
        if rest > 0:
            rest = self._excess(on, rest, allocations, mode or self.config.terms.excess)
        self.credit += rest
        if sum((a[4] for a in allocations), ZERO) + rest != amount:  # pragma: no cover
            raise MicroloanError(f"amount: {amount} was not allocated exactly")
        self.records.append(
            Record(
                number=number,
                kind="repayment",
                on=on,
                amount=amount,
                allocations=tuple(allocations),
                excess=rest,
            )
        )

    def _current_interest(self, line: Line, on: date) -> Decimal:
        until = line.due if self.config.terms.early_interest == "period_end" else on
        return self.interest_out(line, until)

    def _excess(
        self, on: date, money: Decimal, out: list[RawAllocation], mode: ExcessHandling
    ) -> Decimal:
        ahead = [ln for ln in self.lines if ln.due > on]
        ahead_fees = sorted(
            (f for f in self.fees if f.due > on and f.outstanding > 0),
            key=lambda f: (f.due, f.on, f.number),
        )
        principal_ahead = sum((ln.principal - ln.principal_paid for ln in ahead), ZERO)
        current = ahead[0] if ahead else None
        interest_now = self._current_interest(current, on) if current is not None else ZERO
        closing = interest_now + principal_ahead + sum((f.outstanding for f in ahead_fees), ZERO)
        if self.written_off is not None or money + self.credit >= closing:
            return self._close(on, money, out, ahead, ahead_fees)
        if mode == "credit":
            return money
        if current is None or principal_ahead <= 0:  # only interest and fees lie ahead
            return self._close(on, money, out, ahead, ahead_fees)
        self._settle_current_interest(current, on)
        part = min(money, self.interest_out(current, current.anchor))
        if part > 0:
            current.interest_paid += part
            money -= part
            out.append(("interest", current.number, None, True, part))
        if money <= 0:
            return ZERO
        part = min(money, principal_ahead)
        out.append(("principal", current.number, None, True, part))
        self._reamortise(on, principal_ahead - part, part, mode)
        return money - part

    def _settle_current_interest(self, line: Line, on: date) -> None:
        self.crystallize(line, line.due if self.config.terms.early_interest == "period_end" else on)

    def _close(
        self,
        on: date,
        money: Decimal,
        out: list[RawAllocation],
        ahead: list[Line],
        ahead_fees: list[Fee],
    ) -> Decimal:
        """Pay everything not yet due (credit first, then `money`); return what is left."""
        items: list[tuple[Component, Line | Fee]] = []
        if ahead:
            self._settle_current_interest(ahead[0], on)
            items.append(("interest", ahead[0]))
        items.extend(("principal", ln) for ln in ahead)
        items.extend(("fees", f) for f in ahead_fees)
        used: list[RawAllocation] = []  # what the credit held paid: its own transaction
        for comp, item in items:
            if money <= 0 and self.credit <= 0:
                break
            if isinstance(item, Line) and comp == "interest":
                owed = self.interest_out(item, item.anchor)
            else:
                owed = self.outstanding(comp, item)
            if owed <= 0:
                continue
            from_credit = min(self.credit, owed)
            from_money = min(money, owed - from_credit)
            self.credit -= from_credit
            money -= from_money
            if isinstance(item, Line) and comp == "principal":
                self._prepay_line(item, from_credit + from_money, on)
            else:
                self._pay(comp, item, from_credit + from_money)
            if from_credit > 0:
                used.append(_raw(comp, item, from_credit, prepayment=True))
            if from_money > 0:
                out.append(_raw(comp, item, from_money, prepayment=True))
        self._record_credit(on, used)
        if all(ln.principal_paid == ln.principal for ln in ahead):
            _stop_interest(ahead)
        return money

    def _prepay_line(self, line: Line, part: Decimal, on: date) -> None:
        """Pay `part` of a line's principal before its due date; its interest follows the principal."""
        self.crystallize(line, on)
        before = line.principal - line.principal_paid
        line.principal_paid += part
        if not line.daily and line.amount:
            line.amount = CONTEXT.divide(CONTEXT.multiply(line.amount, before - part), before)
            line.planned = False

    def _reamortise(  # noqa: C901 (one straight recipe: scale, or regenerate and maybe shorten)
        self, on: date, remaining: Decimal, part: Decimal, mode: ExcessHandling
    ) -> None:
        """Re-plan the principal still ahead after a prepayment of `part` on `on`."""
        cfg = self.config
        ahead = [ln for ln in self.lines if ln.due > on]
        current = ahead[0]
        if cfg.open_ended or len(ahead) == 1 or not remaining:
            for line in ahead:
                take = min(part, line.principal - line.principal_paid)
                if take > 0:
                    self._prepay_line(line, take, on)
                    part -= take
            if not remaining:
                _stop_interest(ahead)
            return
        sched = cfg.schedule
        principal = Money(remaining, cfg.currency)

        def plan(term: int) -> Schedule:
            return replan(sched, principal, term=term, start=current.start, first_due=current.due)

        term = len(ahead)
        new = plan(term)
        key, target = cfg.level, cfg.target
        # Loan refuses "shorten_term" for a method without a level installment
        if mode == "shorten_term" and key is not None and target is not None:
            low, high = 1, term
            while low < high:
                middle = (low + high) // 2
                if key(plan(middle)) <= target:
                    high = middle
                else:
                    low = middle + 1
            if low < term:
                term = low
                new = plan(term)
        lines: list[Line] = [ln for ln in self.lines if ln.due <= on]
        for j, inst in enumerate(new.installments):
            old = ahead[j]
            line = Line(
                number=old.number,
                start=old.start,
                due=old.due,
                principal=inst.principal.amount,
                amount=inst.interest.amount,
                daily=False,
            )
            if j == 0:
                line.fixed, line.anchor = current.fixed, current.anchor
                line.interest_paid = current.interest_paid
                line.interest_waived = current.interest_waived
            lines.append(line)
        self.lines = lines

    def charge_fee(self, number: int, on: date, due: date, amount: Decimal) -> None:
        """Add a fee charged on `on`, payable on `due`."""
        self.advance(on)
        self.fees.append(Fee(number=number, on=on, due=due, amount=amount))
        if self.credit > 0 and due <= on:
            self._apply_credit(on)
        self.records.append(Record(number=number, kind="fee", on=on, amount=amount, due=due))

    def waive(self, number: int, on: date, comp: Component, amount: Decimal | None) -> None:
        """Waive `amount` (or all) of one component of what is due on `on`, oldest first."""
        self.advance(on)
        items = [
            (c, item)
            for c, item in sorted(
                ((c, i) for c, i in self._buckets_all(on) if c == comp),
                key=lambda ci: _due_of(ci[1]),
            )
        ]
        total = sum((self.outstanding(c, i) for c, i in items), ZERO)
        if total <= 0:
            raise invalid("component", comp, f"has nothing due to waive on {on.isoformat()}")
        if amount is None:
            amount = total
        elif amount > total:
            raise invalid(
                "amount",
                Money(amount, self.config.currency),
                f"is more than the {comp} due ({total})",
            )
        left = amount
        allocations: list[RawAllocation] = []
        for c, item in items:
            if left <= 0:
                break
            part = min(left, self.outstanding(c, item))
            if part <= 0:
                continue
            if isinstance(item, Fee):
                item.waived += part
            elif c == "penalty":
                item.pen_waived += part
            else:
                item.interest_waived += part
            left -= part
            allocations.append(_raw(c, item, part, prepayment=False))
        self.records.append(
            Record(
                number=number, kind="waiver", on=on, amount=amount, allocations=tuple(allocations)
            )
        )

    def _buckets_all(self, on: date) -> list[tuple[Component, Line | Fee]]:
        lines = [ln for ln in self.lines if ln.due <= on]
        fees = [f for f in self.fees if f.due <= on]
        return [
            *(("penalty", ln) for ln in lines),
            *(("fees", f) for f in fees),
            *(("interest", ln) for ln in lines),
        ]

    def write_off(self, number: int, on: date) -> None:
        """Stop every accrual on `on`; balances stay owed and recoveries may still come in."""
        if self.written_off is not None:
            raise invalid(
                "on", on, f"is refused: the loan was already written off on {self.written_off}"
            )
        self.advance(on)
        balance = self.payoff(on)
        for line in self.lines:
            if line.due > on:
                self.crystallize(line, on)
                line.amount = ZERO
                line.daily = False
        self.written_off = on
        self.records.append(Record(number=number, kind="write_off", on=on, amount=balance))

    # -- reading --------------------------------------------------------------
    def payoff(self, on: date) -> Decimal:
        """Everything owed on `on` (the clock must be at `on`), less any credit, at least zero."""
        return max(self.snapshot(on).owed - self.credit, ZERO)

    def snapshot(self, on: date) -> Snapshot:  # noqa: C901 (one pass over lines and fees)
        """The figures of a position on `on` (the clock must be at `on`)."""
        snap = Snapshot()
        current_seen = False
        oldest: date | None = None
        for line in self.lines:
            principal = line.principal - line.principal_paid
            penalty = self.penalty_out(line, on)
            snap.principal += principal
            snap.penalty += penalty
            if line.due <= on:
                interest = self.interest_out(line, line.due)
                snap.due_principal += principal
                snap.due_interest += interest
                snap.accrued += interest
                snap.owed += principal + penalty + interest
                if line.due < on:
                    snap.overdue_principal += principal
                    snap.overdue_interest += interest
                    if (principal or interest) and oldest is None:
                        oldest = line.due
                continue
            snap.accrued += self.interest_out(line, on)
            owed_now = self._current_interest(line, on) if not current_seen else ZERO
            if not current_seen:
                current_seen = True
            snap.owed += principal + penalty + owed_now
            if snap.next_due is None and (principal or self.interest_out(line, line.due)):
                snap.next_due = line.due
                snap.next_amount = principal + self.interest_out(line, line.due)
        for fee in self.fees:
            left = fee.outstanding
            snap.fees += left
            snap.owed += left
            if fee.due <= on:
                snap.due_fees += left
                if fee.due < on:
                    snap.overdue_fees += left
            elif snap.next_due is not None and fee.due == snap.next_due:
                snap.next_amount += left
        snap.days_past_due = (on - oldest).days if oldest is not None else 0
        return snap


class Snapshot:
    """The raw figures of a position."""

    __slots__ = (
        "accrued",
        "days_past_due",
        "due_fees",
        "due_interest",
        "due_principal",
        "fees",
        "next_amount",
        "next_due",
        "overdue_fees",
        "overdue_interest",
        "overdue_principal",
        "owed",
        "penalty",
        "principal",
    )

    def __init__(self) -> None:
        self.principal = ZERO
        self.accrued = ZERO
        self.penalty = ZERO
        self.fees = ZERO
        self.due_principal = ZERO
        self.due_interest = ZERO
        self.due_fees = ZERO
        self.overdue_principal = ZERO
        self.overdue_interest = ZERO
        self.overdue_fees = ZERO
        self.owed = ZERO
        self.next_due: date | None = None
        self.next_amount = ZERO
        self.days_past_due = 0


def _raw(comp: Component, item: Line | Fee, amount: Decimal, *, prepayment: bool) -> RawAllocation:
    if isinstance(item, Fee):
        return ("fees", None, item.number, prepayment, amount)
    return (comp, item.number, None, prepayment, amount)


def _stop_interest(lines: list[Line]) -> None:
    """No principal is left ahead: nothing accrues any more (accruals so far are fixed)."""
    for line in lines:
        line.amount = ZERO
        line.daily = False


def _due_of(item: Line | Fee) -> date:
    return item.due
