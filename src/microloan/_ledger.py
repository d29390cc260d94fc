"""The servicing engine behind `microloan.Loan`: a ledger replayed event by event.

Nothing here is public. A `Ledger` holds the mutable state of one loan at one
date (the plan's lines, fees, credit, penalty accruals) and applies postings
(repayments, fees, waivers, a write-off) in date order. `Loan` keeps the ledger
after its last posting and works on *copies*, so a `Loan` never changes.

Costs grow with what a call changes, not with the history:

- A copy is cheap: it shares every `Line` and `Fee` with the ledger it was copied
  from (copy on write). Each ledger has an ownership `token`; a copy gives both
  ledgers new tokens, and an operation copies a line or fee into its own ledger
  (`_own`) before changing it, so a copy never sees another's changes.
- Settled lines are never visited again: `lines[:head]` are due, paid and waived
  to the fen, and can accrue nothing more (no principal left to bear penalty);
  `lines[dead:]` lie ahead with no principal and no interest left. Fees paid or
  waived in full are dropped from `fees`. A settled line or fee adds nothing to
  any figure, so leaving it out changes no number.
- `principal_left` is the principal outstanding over every line, kept as each
  payment is made, so a position reads the principal of the lines after the
  current period (which owe nothing else yet) without visiting them.
- The records are a persistent list, newest first (`log`), shared by copies.

Moving the clock from one date to another accrues interest and penalty once per
open line and segment, with closed formulas, never once per day.

Amounts are plain `Decimal`s in the loan's currency (whole minor units for
everything payable, full precision for accruals); `Loan` turns them into
`Money` at the boundary.
"""

from __future__ import annotations

import bisect
import calendar
import functools
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Final, Generic, Literal, Protocol, TypeVar

import attrs

from microloan._decimal import CONTEXT, ZERO, rounding_constant
from microloan._validators import MAX_EXPONENT
from microloan.errors import MicroloanError, invalid
from microloan.interest import daily_interest
from microloan.money import Money
from microloan.rates import Rate
from microloan.schedules import METHODS, date_after, frequency_days, interest_only, replan
from microloan.terms import ServicingTerms

if TYPE_CHECKING:
    from microloan.loans import DeferredInterest
    from microloan.rates import DaysInYear
    from microloan.schedules import Schedule
    from microloan.terms import ExcessHandling

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
        "owner",
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
        self.owner: object = None  # the token of the ledger that may change it

    def copy(self) -> Line:
        """A field-by-field copy (owned by nobody yet)."""
        other = object.__new__(Line)
        other.owner = None
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
    """A fee charged on the loan.

    `number` is the charging posting's; a fee the ledger charges itself (an
    installment's fee, a late fee, a prepayment fee: see `microloan.Fee`) has number 0
    and, for the first two, the `installment` it belongs to.
    """

    __slots__ = ("amount", "due", "installment", "number", "on", "owner", "paid", "waived")

    def __init__(
        self, *, number: int, on: date, due: date, amount: Decimal, installment: int | None = None
    ) -> None:
        self.number = number
        self.on = on
        self.due = due
        self.amount = amount
        self.installment = installment
        self.paid = ZERO
        self.waived = ZERO
        self.owner: object = None  # the token of the ledger that may change it

    @property
    def outstanding(self) -> Decimal:
        """What is left to pay."""
        return self.amount - self.paid - self.waived

    def copy(self) -> Fee:
        """A field-by-field copy (owned by nobody yet)."""
        other = Fee(
            number=self.number,
            on=self.on,
            due=self.due,
            amount=self.amount,
            installment=self.installment,
        )
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
        "auto_fees",
        "currency",
        "days_in_year",
        "exponent",
        "installment_fees",
        "late_fee",
        "level",
        "open_ended",
        "penalty_per_day",
        "penalty_rate",
        "per_year",
        "prepayment_rate",
        "rate",
        "rounding",
        "schedule",
        "target",
        "terms",
        "year_days",
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
        # daily_interest's conversion of the contract rate, done once (see `interest`)
        self.year_days = None if self.days_in_year == "actual" else self.days_in_year
        self.per_year = self.rate.per_year()
        self.penalty_rate = penalty_rate = _penalty_for(terms, schedule.rate)
        self.penalty_per_day = (
            None if self.days_in_year == "actual" else penalty_rate.per_day(self.days_in_year)
        )
        # the amount "keep the installment" keeps: the level total, or the level principal
        self.level = METHODS[schedule.method].level
        self.target = None if self.level is None else self.level(schedule)
        # the fees the ledger charges itself (`microloan.Fee`): per installment number,
        # late (once per installment unpaid after the grace days), on principal prepaid
        self.installment_fees = {
            i.number: i.fee.amount for i in schedule.installments if i.fee.amount
        }
        self.late_fee = ZERO
        self.prepayment_rate = ZERO
        for fee in schedule.fees:
            if fee.kind == "late" and fee.amount is not None:
                self.late_fee += fee.amount.amount
            elif fee.kind == "prepayment" and fee.rate is not None:
                self.prepayment_rate += fee.rate
        self.auto_fees = bool(self.installment_fees or self.late_fee)

    def round(self, value: Decimal) -> Decimal:
        """Round an accrual to a payable amount with the loan's rounding mode."""
        return value.quantize(self.exponent, self.rounding, CONTEXT)

    def interest(self, outstanding: Decimal, start: date, end: date) -> Decimal:
        """Unrounded contract interest on `outstanding` from `start` to `end` (`daily_interest`).

        `daily_interest`'s own formula with its checks and conversions done once: a
        daily rate × days; else rate a year × days / days-in-year, the fraction reduced
        and divided once at the end. A result past the bound of an amount, and a year
        of actual days, are left to `daily_interest` itself.
        """
        days = (end - start).days
        if self.rate.unit == "daily":
            result = CONTEXT.multiply(outstanding, CONTEXT.multiply(self.rate.value, Decimal(days)))
            if not result or result.adjusted() < MAX_EXPONENT:
                return result
        elif self.year_days is not None:
            share = Fraction(days, self.year_days)
            numerator = CONTEXT.multiply(
                CONTEXT.multiply(outstanding, self.per_year), Decimal(share.numerator)
            )
            return CONTEXT.divide(numerator, Decimal(share.denominator))
        money = Money(outstanding, self.currency)
        return daily_interest(money, self.rate, start, end, days_in_year=self.days_in_year).amount

    def penalty(self, bearing: Decimal, start: date, end: date) -> Decimal:
        """Unrounded penalty interest on `bearing` from `start` to `end` (`daily_interest`)."""
        if self.penalty_per_day is not None:
            # daily_interest's own formula for 360/365 days, its rate conversion done once
            factor = CONTEXT.multiply(self.penalty_per_day, Decimal((end - start).days))
            return CONTEXT.multiply(bearing, factor)
        money = Money(bearing, self.currency)
        return daily_interest(money, self.penalty_rate, start, end, days_in_year="actual").amount


_ONE_DAY: Final = timedelta(days=1)

#: The records, newest first: (record, the records before it), shared by copies.
Log = tuple["Record", "Log"] | None


@functools.lru_cache(maxsize=256)
def _penalty_for(terms: ServicingTerms, rate: Rate) -> Rate:
    """`terms.penalty_for(rate)`, kept: a credit line's drawdowns share their terms and rate."""
    return terms.penalty_for(rate)


class Ledger:
    """The mutable state of one loan at `time` (everything dated up to `time` applied)."""

    __slots__ = (
        "config",
        "count",
        "credit",
        "day",
        "dead",
        "fees",
        "head",
        "lines",
        "log",
        "principal_left",
        "refunded",
        "time",
        "token",
        "worst",
        "written_off",
    )

    def __init__(self, config: Config) -> None:
        self.config = config
        sched = config.schedule
        self.token = object()
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
        for line in self.lines:
            line.owner = self.token
        self.head = 0  # lines[:head] are settled: nothing owed, nothing to accrue
        self.dead = len(self.lines)  # lines[dead:] lie ahead with nothing left on them
        self.principal_left = sum((line.principal for line in self.lines), ZERO)
        self.fees: list[Fee] = []  # the fees not yet paid or waived in full
        self.credit = ZERO
        self.refunded = ZERO  # credit paid back to the borrower (refunds), in total
        self.time = sched.start
        self.written_off: date | None = None
        self.log: Log = None
        self.count = 0  # the records in `log`
        self.worst = 0  # the most days past due reached at the end of a day before `time`
        # the repayment day of the month the plan's monthly dates keep (see `_shift`)
        days = frequency_days(sched.frequency)
        regular = date_after(sched.start, 1, days) == sched.first_due
        self.day = sched.start.day if regular else sched.first_due.day

    def copy(self) -> Ledger:
        """An independent copy, sharing every line and fee until one of the two changes it."""
        other = object.__new__(Ledger)
        other.config = self.config
        other.lines = list(self.lines)
        other.fees = list(self.fees)
        other.head, other.dead, other.principal_left = self.head, self.dead, self.principal_left
        other.credit = self.credit
        other.refunded = self.refunded
        other.time = self.time
        other.written_off = self.written_off
        other.log, other.count = self.log, self.count
        other.worst, other.day = self.worst, self.day
        self.token, other.token = object(), object()  # neither owns what they share
        return other

    @property
    def records(self) -> list[Record]:
        """What each posting did, oldest first."""
        out: list[Record] = []
        log = self.log
        while log is not None:
            out.append(log[0])
            log = log[1]
        out.reverse()
        return out

    def _record(self, record: Record) -> None:
        self.log = (record, self.log)
        self.count += 1

    def closed(self) -> date | None:
        """`time` if the loan owes nothing from `time` on, for good; None otherwise."""
        if self.written_off is not None or self.credit or self.principal_left:
            return None
        if any(fee.outstanding for fee in self.fees):
            return None
        for line in self.lines[self.head :]:
            if (
                line.principal_paid != line.principal
                or self.interest_out(line, line.due)
                or self.penalty_out(line)
                or (line.due > self.time and line.amount and not line.daily)
            ):
                return None
        return self.time

    # -- ownership and the open window --------------------------------------
    def _own(self, index: int) -> Line:
        """The line at `index`, copied into this ledger first if another ledger shares it."""
        line = self.lines[index]
        if line.owner is not self.token:
            line = line.copy()
            line.owner = self.token
            self.lines[index] = line
        return line

    def _end(self, first: int) -> int:
        """Where the lines ahead that can still matter end.

        The current period's line (`lines[first]`) always counts; the lines from `dead`
        on owe nothing.
        """
        return max(self.dead, min(first + 1, len(self.lines)))

    def _own_from(self, first: int) -> list[Line]:
        """Own the lines ahead from `first` (an operation about to change them all); return them."""
        for i in range(first, self._end(first)):
            self._own(i)
        return self.lines[first : self._end(first)]

    def _ahead(self, on: date) -> int:
        """The index of the first line due after `on` (the current period's)."""
        lines, i = self.lines, self.head
        while i < len(lines) and lines[i].due <= on:
            i += 1
        return i

    def _open(self, on: date) -> None:
        """Own what an operation on `on` may change; drop the fees settled for good.

        That is the open lines due by `on`, the current period's line and every fee
        still owed. A fee settled and due by `time` is dropped (one settled before its
        due date stays: its date still stops the clock).
        """
        stop = min(self._ahead(on) + 1, len(self.lines))
        for i in range(self.head, stop):
            self._own(i)
        fees: list[Fee] = []
        for fee in self.fees:
            if fee.outstanding > 0:
                if fee.owner is not self.token:
                    fee = fee.copy()  # noqa: PLW2901 - the owned copy replaces it
                    fee.owner = self.token
            elif fee.due <= self.time:
                continue
            fees.append(fee)
        self.fees = fees

    def _settle(self) -> None:
        """Move `head` past the lines that are due and settled for good."""
        lines, i = self.lines, self.head
        while i < len(lines):
            line = lines[i]
            if (
                line.due > self.time
                or line.principal_paid != line.principal
                or self.interest_out(line, line.due)
                or self.penalty_out(line)
            ):
                break
            i += 1
        self.head = i

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
            extra = self.config.interest(outstanding, line.anchor, end)
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

    def advance(self, on: date, *, fees: bool = True) -> None:
        """Move the clock to `on`: accrue penalty, apply any credit to what falls due.

        First own what a change on `on` may touch (`_open`). With `fees`, the fees the
        ledger charges itself on the days up to `on` are charged on their days (`_charge_auto`).
        """
        self._open(on)
        if on <= self.time:
            return
        if fees and self.config.auto_fees:  # the fees the ledger charges on the days between
            self._charge_until(on)
        stop = on if self.written_off is None else min(on, self.written_off)
        lines = self.lines
        if self.credit > 0:
            dues = sorted(
                {ln.due for ln in lines[self.head : self._ahead(on)] if self.time < ln.due}
                | {f.due for f in self.fees if self.time < f.due <= on}
            )
            for day in dues:
                for i in range(self.head, len(lines)):
                    if lines[i].due >= day:
                        break
                    self._accrue_penalty(lines[i], min(day, stop))
                self.time = day
                # the worst reached by the end of the day before, when the credit pays what
                # falls due on this day (an installment it pays on time is never past due)
                self.worst = max(self.worst, self.days_past_due(day - _ONE_DAY))
                self._apply_credit(day)
                if self.credit <= 0:
                    break
        self.worst = max(self.worst, self.days_past_due(on - _ONE_DAY))
        for i in range(self.head, len(lines)):
            if lines[i].due >= stop:
                break
            self._accrue_penalty(lines[i], stop)
        self.time = on

    # -- the fees the ledger charges itself ------------------------------------
    def _fee_days(self, on: date) -> list[date]:
        """The days in (`time`, `on`] on which an installment's fee or a late fee may be charged."""
        cfg = self.config
        if self.written_off is not None:
            return []
        grace = timedelta(days=cfg.terms.grace_days + 1)
        days: set[date] = set()
        for line in self.lines[self.head :]:
            if line.due > on:
                break
            if line.number in cfg.installment_fees and self.time < line.due:
                days.add(line.due)
            if cfg.late_fee and self.time < line.due + grace <= on:
                days.add(line.due + grace)
        return sorted(days)

    def _charge_until(self, on: date) -> None:
        """Charge the fees of each fee day up to `on`, the clock moved to the day before each."""
        for day in self._fee_days(on):
            self.advance(day - timedelta(days=1), fees=False)
            self._charge_auto(day)

    def fees_fall_due(self, on: date) -> bool:
        """Whether the ledger charges a fee of its own on a day in (`time`, `on`]."""
        return self.config.auto_fees and bool(self._fee_days(on))

    def _charge_auto(self, day: date) -> None:
        """Charge on `day` the installment fees due that day and the late fees that fall on it.

        An installment's fee is charged while principal is still owed; a late fee once
        per installment whose principal or interest is unpaid after the grace days.
        Each is recorded as a fee of number 0 (automatic, like a credit application).
        """
        cfg = self.config
        if self.written_off is not None:
            return
        grace = timedelta(days=cfg.terms.grace_days + 1)
        charged = False
        for line in self.lines[self.head :]:
            if line.due > day:
                break
            amount = cfg.installment_fees.get(line.number)
            if amount and line.due == day and self.principal_left > 0:
                self._auto_fee(day, amount, line.number)
                charged = True
            if (
                cfg.late_fee
                and line.due + grace == day
                and (line.principal_paid != line.principal or self.interest_out(line, line.due) > 0)
            ):
                self._auto_fee(day, cfg.late_fee, line.number)
                charged = True
        if charged and self.credit > 0:
            self._apply_credit(day)

    def _auto_fee(self, day: date, amount: Decimal, installment: int | None) -> Fee:
        """A fee the ledger charges itself on `day`, payable on `day`, recorded as number 0."""
        fee = Fee(number=0, on=day, due=day, amount=amount, installment=installment)
        fee.owner = self.token
        self.fees.append(fee)
        self._record(Record(number=0, kind="fee", on=day, amount=amount, due=day))
        return fee

    def prepayment_fee(self, principal: Decimal) -> Decimal:
        """The prepayment fee on `principal` repaid ahead of its due dates (rounded), or zero."""
        rate = self.config.prepayment_rate
        if not rate or principal <= 0 or self.written_off is not None:
            return ZERO
        return self.config.round(CONTEXT.multiply(principal, rate))

    def _pay_prepayment_fee(
        self, on: date, money: Decimal, ahead: Decimal, out: list[RawAllocation]
    ) -> tuple[Decimal, Decimal]:
        """Charge and pay the prepayment fee of what `money` prepays: (the principal, money left)."""
        part = self._prepayable(money, ahead)
        charge = self.prepayment_fee(part) if part > 0 else ZERO
        if charge:
            self._auto_fee(on, charge, None).paid = charge
            out.append(("fees", None, None, True, charge))
            money -= charge
        return part, money

    def _prepayable(self, money: Decimal, ahead: Decimal) -> Decimal:
        """The most principal (at most `ahead`) that `money` prepays with its prepayment fee."""
        rate = self.config.prepayment_rate
        step = Decimal(1).scaleb(int(self.config.exponent.as_tuple().exponent))
        share = CONTEXT.divide(money, CONTEXT.add(Decimal(1), rate))
        part = min(ahead, share.quantize(step, ROUND_FLOOR, CONTEXT))
        while part + step <= ahead and part + step + self.prepayment_fee(part + step) <= money:
            part += step
        while part > 0 and part + self.prepayment_fee(part) > money:
            part -= step
        return max(part, ZERO)

    # -- what is due ----------------------------------------------------------
    def _buckets(self, on: date) -> list[tuple[Component, Line | Fee]]:
        """The outstanding items due on or before `on`, in the allocation order."""
        due_lines = self.lines[self.head : self._ahead(on)]
        if not due_lines and not self.fees:
            return []
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
            self.principal_left -= value

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
            self._record(
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
        self._record(
            Record(
                number=number,
                kind="repayment",
                on=on,
                amount=amount,
                allocations=tuple(allocations),
                excess=rest,
            )
        )
        self._settle()

    def _current_interest(self, line: Line, on: date) -> Decimal:
        until = line.due if self.config.terms.early_interest == "period_end" else on
        return self.interest_out(line, until)

    def _excess(
        self, on: date, money: Decimal, out: list[RawAllocation], mode: ExcessHandling
    ) -> Decimal:
        first = self._ahead(on)
        ahead_fees = (
            sorted(
                (f for f in self.fees if f.due > on and f.outstanding > 0),
                key=lambda f: (f.due, f.on, f.number),
            )
            if self.fees
            else []
        )
        principal_ahead = self.principal_left
        for line in self.lines[self.head : first]:  # the lines due: not ahead
            principal_ahead -= line.principal - line.principal_paid
        current = self.lines[first] if first < len(self.lines) else None
        interest_now = self._current_interest(current, on) if current is not None else ZERO
        closing = interest_now + principal_ahead + sum((f.outstanding for f in ahead_fees), ZERO)
        penalty_fee = self.prepayment_fee(principal_ahead)  # zero without a prepayment fee
        if self.written_off is not None or money + self.credit >= closing + penalty_fee:
            if penalty_fee:  # the prepayment fee on all the principal ahead, paid with it
                ahead_fees = [*ahead_fees, self._auto_fee(on, penalty_fee, None)]
            return self._close(on, money, out, first, ahead_fees)
        if mode == "credit":
            return money
        if current is None or principal_ahead <= 0:
            # no principal lies ahead, only interest and fees: pay what can be paid of them
            return self._close(on, money, out, first, ahead_fees)
        self._settle_current_interest(current, on)
        part = min(money, self.interest_out(current, current.anchor))
        if part > 0:
            current.interest_paid += part
            money -= part
            out.append(("interest", current.number, None, True, part))
        if money <= 0:
            return ZERO
        part = min(money, principal_ahead)
        if self.config.prepayment_rate:  # the prepayment fee on what is prepaid comes out of it
            part, money = self._pay_prepayment_fee(on, money, principal_ahead, out)
            if part <= 0:
                return money
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
        first: int,
        ahead_fees: list[Fee],
    ) -> Decimal:
        """Pay everything not yet due (credit first, then `money`); return what is left.

        The lines ahead start at `first` (those from `dead` on owe nothing).
        """
        ahead = self._own_from(first)
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
            self._stop_interest(first)
        return money

    def _prepay_line(self, line: Line, part: Decimal, on: date) -> None:
        """Pay `part` of a line's principal before its due date; its interest follows the principal."""
        self.crystallize(line, on)
        before = line.principal - line.principal_paid
        line.principal_paid += part
        self.principal_left -= part
        if not line.daily and line.amount:
            line.amount = CONTEXT.divide(CONTEXT.multiply(line.amount, before - part), before)
            line.planned = False

    def _reamortise(  # noqa: C901 (one straight recipe: scale, or regenerate and maybe shorten)
        self, on: date, remaining: Decimal, part: Decimal, mode: ExcessHandling
    ) -> None:
        """Re-plan the principal still ahead after a prepayment of `part` on `on`."""
        cfg = self.config
        first = self._ahead(on)
        ahead = self.lines[first : self._end(first)]
        current = ahead[0]
        if cfg.open_ended or len(ahead) == 1 or not remaining:
            for line in self._own_from(first):
                take = min(part, line.principal - line.principal_paid)
                if take > 0:
                    self._prepay_line(line, take, on)
                    part -= take
            if not remaining:
                self._stop_interest(first)
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
        lines: list[Line] = self.lines[:first]
        left = sum((ln.principal - ln.principal_paid for ln in lines[self.head :]), ZERO)
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
            line.owner = self.token
            left += line.principal
            lines.append(line)
        self.lines = lines
        self.dead = len(lines)
        self.principal_left = left

    def _stop_interest(self, first: int) -> None:
        """No principal is left on `lines[first:]`: nothing accrues any more.

        Accruals so far are fixed, and the lines after the current period's owe
        nothing, for good.
        """
        for line in self._own_from(first):
            line.amount = ZERO
            line.daily = False
        self.dead = min(self.dead, first + 1)

    def charge_fee(self, number: int, on: date, due: date, amount: Decimal) -> None:
        """Add a fee charged on `on`, payable on `due`."""
        self.advance(on)
        fee = Fee(number=number, on=on, due=due, amount=amount)
        fee.owner = self.token
        self.fees.append(fee)
        if self.credit > 0 and due <= on:
            self._apply_credit(on)
        self._record(Record(number=number, kind="fee", on=on, amount=amount, due=due))
        self._settle()

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
        self._record(
            Record(
                number=number, kind="waiver", on=on, amount=amount, allocations=tuple(allocations)
            )
        )
        self._settle()

    def _buckets_all(self, on: date) -> list[tuple[Component, Line | Fee]]:
        lines = self.lines[self.head : self._ahead(on)]
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
        if self.config.prepayment_rate:  # a write-off prepays nothing: no prepayment fee
            snap = self.snapshot(on)
            ahead = self.prepayment_fee(snap.principal - snap.due_principal)
            balance = max(snap.owed - ahead - self.credit, ZERO)
        first = self._ahead(on)
        for line in self._own_from(first):
            self.crystallize(line, on)
            line.amount = ZERO
            line.daily = False
        self.written_off = on
        self._record(Record(number=number, kind="write_off", on=on, amount=balance))
        self._settle()

    def refund(self, number: int, on: date, amount: Decimal) -> None:
        """Pay `amount` of the credit held on `on` back to the borrower.

        Checked here, not only by `Loan`: a back-dated posting replayed before it may
        leave less credit on `on` (a fee the credit paid), and a refund must never take
        the credit below zero.
        """
        self.advance(on)
        if amount > self.credit:
            currency = self.config.currency
            raise invalid(
                "amount",
                Money(amount, currency),
                f"is more than the credit of {Money(self.credit, currency).round()} held on "
                f"{on.isoformat()}",
            )
        self.credit -= amount
        self.refunded += amount
        self._record(Record(number=number, kind="refund", on=on, amount=amount))
        self._settle()

    def recover(self, number: int, on: date, amount: Decimal) -> None:
        """Apply money received on a written-off loan: a recovery of its balance.

        It pays the balance in the allocation order, as a repayment would, and may not
        be more than is still owed of it (a recovery never makes a credit). Refused on
        a loan not written off by `on` (a write-off reversed, or dated later).
        """
        if self.written_off is None or self.written_off > on:
            raise invalid(
                "on",
                on,
                "is refused: the loan is not written off on that date (a recovery follows a write-off)",
            )
        self.advance(on)
        owed = self.payoff(on)
        if amount > owed:
            currency = self.config.currency
            raise invalid(
                "amount",
                Money(amount, currency),
                f"is more than the {Money(owed, currency).round()} still owed of the balance "
                f"written off on {self.written_off.isoformat()}",
            )
        allocations: list[RawAllocation] = []
        rest = self._pay_dues(on, amount, allocations)
        if rest > 0:
            rest = self._excess(on, rest, allocations, "reduce_installment")  # closes: written off
        if rest or sum((a[4] for a in allocations), ZERO) != amount:  # pragma: no cover
            raise MicroloanError(f"amount: {amount} was not allocated exactly")
        self._record(
            Record(
                number=number,
                kind="recovery",
                on=on,
                amount=amount,
                allocations=tuple(allocations),
            )
        )
        self._settle()

    # -- restructuring: deferral, extension, re-ageing, re-amortisation, repricing
    def days_past_due(self, on: date) -> int:
        """Days since the oldest due date before `on` whose principal or interest is unpaid."""
        for line in self.lines[self.head :]:
            if line.due >= on:
                break
            if line.principal_paid != line.principal or self.interest_out(line, line.due) > 0:
                return (on - line.due).days
        return 0

    def worst_days_past_due(self, on: date) -> int:
        """The most days past due reached at the end of any day up to `on` (the clock at `on`)."""
        return max(self.worst, self.days_past_due(on))

    def _restructurable(self, on: date, what: str) -> int:
        """Refuse `what` on a written-off or repaid loan; the index of the current period's line."""
        if self.written_off is not None:
            raise invalid(
                "on",
                on,
                f"is refused: the loan was written off on {self.written_off.isoformat()}; "
                f"only a running loan can be {what}",
            )
        if not self.principal_left:
            raise invalid(
                "on", on, f"is refused: no principal is outstanding on it; nothing can be {what}"
            )
        return self._ahead(on)

    def _principal_ahead(self, first: int) -> Decimal:
        """The principal of the lines from `first` on (those not yet due)."""
        due = sum((ln.principal - ln.principal_paid for ln in self.lines[self.head : first]), ZERO)
        return self.principal_left - due

    def _shift(self, day: date, periods: int) -> date:
        """`day` moved `periods` periods later on the plan's grid of due dates."""
        days = frequency_days(self.config.schedule.frequency)
        if days is not None:
            return day + timedelta(days=days * periods)
        first = date_after(day.replace(day=1), periods, None)
        last = calendar.monthrange(first.year, first.month)[1]
        return first.replace(day=min(self.day, last))

    def _own_all(self, first: int) -> list[Line]:
        """Own every line from `first` on (a re-plan touches them all); return them."""
        for i in range(first, len(self.lines)):
            self._own(i)
        return self.lines[first:]

    def _roll_due(self, on: date) -> tuple[Decimal, Decimal]:
        """Take the unpaid principal and interest off the lines due by `on`; return them.

        The lines keep what was paid and waived and their penalty (accrued so far, still
        owed); with no principal left on them no more penalty accrues.
        """
        principal = interest = ZERO
        for i in range(self.head, self._ahead(on)):
            line = self._own(i)
            principal += line.principal - line.principal_paid
            interest += self.interest_out(line, line.due)
            line.principal = line.principal_paid
            _close_interest(line)
        self.principal_left -= principal
        return principal, interest

    def _replan_ahead(
        self, on: date, first: int, principal: Decimal, term: int, interest: Decimal
    ) -> None:
        """Re-amortise `principal` over `term` lines from the current period's (`lines[first]`).

        The current period keeps its dates and the interest accrued on it to `on` (at the
        rate in force before), plus `interest` (rolled over, payable with it); the plan is
        the schedule generator's (`replan`) from the current period's start.
        """
        cfg = self.config
        ahead = self._own_all(first)
        current = ahead[0]
        self.crystallize(current, on)
        new = replan(
            cfg.schedule,
            Money(principal, cfg.currency),
            term=term,
            start=current.start,
            first_due=current.due,
        )
        last = self.lines[-1].number
        lines: list[Line] = self.lines[:first]
        left = sum((ln.principal - ln.principal_paid for ln in lines[self.head :]), ZERO)
        for j, inst in enumerate(new.installments):
            number = ahead[j].number if j < len(ahead) else last + j - len(ahead) + 1
            line = Line(
                number=number,
                start=inst.period_start,
                due=inst.due_date,
                principal=inst.principal.amount,
                amount=inst.interest.amount,
                daily=False,
            )
            if j == 0:
                line.fixed = CONTEXT.add(current.fixed, interest)
                line.anchor = current.anchor
                line.interest_paid = current.interest_paid
                line.interest_waived = current.interest_waived
            line.owner = self.token
            left += line.principal
            lines.append(line)
        self.lines = lines
        self.dead = len(lines)
        self.principal_left = left
        if cfg.level is not None:  # "keep the installment" keeps the new plan's
            cfg.target = cfg.level(new)

    def _own_config(self) -> Config:
        """A config of this ledger's own (checkpoints share theirs) to change."""
        cfg = self.config
        self.config = own = object.__new__(Config)
        for name in Config.__slots__:
            setattr(own, name, getattr(cfg, name))
        return own

    def defer(self, number: int, on: date, periods: int, mode: DeferredInterest) -> None:
        """Postpone the lines not yet due on `on` by `periods` periods (延期还本付息).

        The current period runs `periods` periods longer: its interest accrued to `on`
        stays; the rest of its scheduled interest (with `mode="waive"`) or that plus the
        interest of the added periods on the principal not yet due (`"accrue"`, the
        schedule's own period interest, `interest_only`) accrues over the longer period
        and is payable on its new due date. Every later line keeps its amounts and moves
        `periods` periods. What is already due stays due.
        """
        self.advance(on)
        first = self._restructurable(on, "deferred")
        ahead = self._principal_ahead(first)
        if first >= len(self.lines) or ahead <= 0:
            raise invalid(
                "on", on, "is refused: no installment falls due after it to defer (re-age instead)"
            )
        cfg = self.config
        sched = cfg.schedule
        lines = self._own_all(first)
        current = lines[0]
        self.crystallize(current, on)
        extra = ZERO
        if mode == "accrue":
            extra = interest_only(
                Money(ahead, cfg.currency),
                rate=cfg.rate,
                term=periods,
                start=current.due,
                frequency=sched.frequency,
                accrual=sched.accrual,
                days_in_year=sched.days_in_year,
                rounding=sched.rounding,
                day_count=sched.day_count,
            ).total_interest.amount
        left = ZERO
        if current.amount and not current.daily:
            left = CONTEXT.divide(
                CONTEXT.multiply(current.amount, Decimal((current.due - current.anchor).days)),
                current.period_days,
            )
        current.due = self._shift(current.due, periods)
        current.period_days = Decimal((current.due - current.start).days)
        current.pen_from = current.due
        current.amount = CONTEXT.divide(
            CONTEXT.multiply(CONTEXT.add(left, extra), current.period_days),
            Decimal((current.due - current.anchor).days),
        )
        current.planned = False
        for line in lines[1:]:
            line.start = line.anchor = self._shift(line.start, periods)
            line.due = line.pen_from = self._shift(line.due, periods)
            line.period_days = Decimal((line.due - line.start).days)
        self._record(
            Record(number=number, kind="deferral", on=on, amount=extra, due=self.lines[-1].due)
        )
        self._settle()

    def extend(self, number: int, on: date, term: int) -> None:
        """Re-amortise the principal not yet due over `term` lines from the current period's (展期)."""
        self.advance(on)
        first = self._restructurable(on, "extended")
        ahead = self._principal_ahead(first)
        left = len(self.lines) - first
        if left <= 0 or ahead <= 0:
            raise invalid(
                "on", on, "is refused: no installment falls due after it to extend (re-age instead)"
            )
        if term <= left:
            raise invalid(
                "term",
                term,
                f"must be more than the {left} installments left after {on.isoformat()} "
                "(an extension lengthens the plan)",
            )
        self._own_config()
        self._replan_ahead(on, first, ahead, term, ZERO)
        self._record(
            Record(number=number, kind="extension", on=on, amount=ahead, due=self.lines[-1].due)
        )
        self._settle()

    def _check_overdue(self, on: date, what: str) -> None:
        if not self.days_past_due(on):
            raise invalid("on", on, f"is refused: nothing is overdue on it to {what}")

    def reamortize(self, number: int, on: date) -> None:
        """Spread what is due and unpaid over the lines not yet due (their number unchanged).

        The unpaid principal of the lines due by `on` joins the principal ahead, re-amortised
        over the lines left; their unpaid interest is payable with the current period's.
        """
        self.advance(on)
        first = self._restructurable(on, "re-amortised")
        self._check_overdue(on, "re-amortise")
        left = len(self.lines) - first
        if left <= 0:
            raise invalid(
                "on",
                on,
                "is refused: no installment falls due after it to spread over (re-age instead)",
            )
        ahead = self._principal_ahead(first)
        principal, interest = self._roll_due(on)
        self._own_config()
        self._replan_ahead(on, first, ahead + principal, left, interest)
        self._record(
            Record(
                number=number,
                kind="reamortization",
                on=on,
                amount=principal + interest,
                due=self.lines[-1].due,
            )
        )
        self._settle()

    def reage(self, number: int, on: date, term: int, first_due: date | None) -> None:
        """Roll everything owed but penalty into a new plan of `term` lines from `on`.

        The unpaid principal (due or not) is amortised from `on` with the schedule's
        generator; the unpaid interest due, and that of the current period to `on`, is
        payable with the new plan's first installment; penalty accrued stays owed.
        Days past due restart (the worst reached is kept: `worst`).
        """
        self.advance(on)
        first = self._restructurable(on, "re-aged")
        self._check_overdue(on, "re-age")
        cfg = self.config
        principal, interest = self._roll_due(on)
        last = self.lines[-1].number
        for line in self._own_all(first):
            self.crystallize(line, on)
            principal += line.principal - line.principal_paid
            interest += self.interest_out(line, on)
        days = frequency_days(cfg.schedule.frequency)
        new = replan(
            cfg.schedule,
            Money(principal, cfg.currency),
            term=term,
            start=on,
            first_due=date_after(on, 1, days) if first_due is None else first_due,
        )
        lines = self.lines[:first]
        for j, inst in enumerate(new.installments):
            line = Line(
                number=last + j + 1,
                start=inst.period_start,
                due=inst.due_date,
                principal=inst.principal.amount,
                amount=inst.interest.amount,
                daily=False,
            )
            if j == 0:
                line.fixed = interest
            line.owner = self.token
            lines.append(line)
        self.lines = lines
        self.dead = len(lines)
        self.principal_left = principal
        self.day = new.first_due.day if first_due is not None else on.day
        self._own_config()
        if cfg.level is not None:
            self.config.target = cfg.level(new)
        self._record(
            Record(
                number=number, kind="reage", on=on, amount=principal + interest, due=lines[-1].due
            )
        )
        self._settle()

    def reprice(self, number: int, on: date, rate: Rate) -> None:
        """A new contract rate from `on`: interest to `on` at the old rate, the plan re-amortised.

        The lines not yet due are re-amortised at `rate` over as many lines (the current
        period's interest accrued to `on` stays at the old rate); penalty follows the new
        rate from `on` (accrued to `on` at the old). An open-ended loan accrues by the day
        at `rate` from `on`.
        """
        self.advance(on)
        first = self._restructurable(on, "repriced")
        old = self.config
        for line in self._own_all(self.head):
            if line.daily:  # interest by the day: to `on` at the old rate
                self.crystallize(line, on)
        new = Config(
            schedule=attrs.evolve(old.schedule, rate=rate),
            terms=old.terms,
            open_ended=old.open_ended,
        )
        new.target = old.target
        self.config = new
        ahead = self._principal_ahead(first)
        if not old.open_ended and first < len(self.lines) and ahead > 0:
            self._replan_ahead(on, first, ahead, len(self.lines) - first, ZERO)
        self._record(Record(number=number, kind="repricing", on=on, amount=self.principal_left))
        self._settle()

    # -- reading --------------------------------------------------------------
    def payoff(self, on: date) -> Decimal:
        """Everything owed on `on` (the clock must be at `on`), less any credit, at least zero."""
        return max(self.snapshot(on).owed - self.credit, ZERO)

    def snapshot(self, on: date) -> Snapshot:  # noqa: C901, PLR0915 (one pass over the open lines and fees)
        """The figures of a position on `on` (the clock must be at `on`).

        The settled lines before `head` add nothing. The lines after the current period's
        owe only their principal (no interest has accrued on them and no penalty can),
        which is `principal_left` less the principal of the lines visited; the next due
        date is the first of them with something to pay, and those from `dead` on have nothing.
        """
        snap = Snapshot()
        oldest: date | None = None
        next_number: int | None = None
        lines, count, i = self.lines, len(self.lines), self.head
        visited = ZERO
        while i < count and lines[i].due <= on:
            line = lines[i]
            i += 1
            principal = line.principal - line.principal_paid
            penalty = self.penalty_out(line, on)
            visited += principal
            snap.principal += principal
            snap.penalty += penalty
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
        if i < count:  # the current period's line
            line = lines[i]
            i += 1
            principal = line.principal - line.principal_paid
            penalty = self.penalty_out(line, on)
            visited += principal
            snap.principal += principal
            snap.penalty += penalty
            snap.accrued += self.interest_out(line, on)
            snap.owed += principal + penalty + self._current_interest(line, on)
            if principal or self.interest_out(line, line.due):
                snap.next_due, next_number = line.due, line.number
                snap.next_amount = principal + self.interest_out(line, line.due)
            later = self.principal_left - visited  # the principal of the lines after it
            snap.principal += later
            snap.owed += later
            while snap.next_due is None and i < self.dead:
                line = lines[i]
                i += 1
                principal = line.principal - line.principal_paid
                if principal or self.interest_out(line, line.due):
                    snap.next_due, next_number = line.due, line.number
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
        if self.config.auto_fees or self.config.prepayment_rate:
            self._fee_figures(snap, next_number)
        snap.days_past_due = (on - oldest).days if oldest is not None else 0
        return snap

    def _fee_figures(self, snap: Snapshot, next_number: int | None) -> None:
        """What the loan's own fees add to a position: the next installment's, a payoff's."""
        cfg = self.config
        if next_number is not None and self.principal_left > 0:
            snap.next_amount += cfg.installment_fees.get(next_number, ZERO)  # charged on the day
        if cfg.prepayment_rate:  # a payoff prepays the principal not yet due, with its fee
            snap.owed += self.prepayment_fee(snap.principal - snap.due_principal)


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


def _close_interest(line: Line) -> None:
    """Nothing more of `line`'s interest is owed: what was paid or waived is all it had."""
    line.fixed = CONTEXT.add(line.interest_paid, line.interest_waived)
    line.anchor = line.due
    line.amount = ZERO
    line.daily = False
    line.planned = False


def _raw(comp: Component, item: Line | Fee, amount: Decimal, *, prepayment: bool) -> RawAllocation:
    if isinstance(item, Fee):
        if not item.number:  # a fee the ledger charged itself: its installment, if any
            return ("fees", item.installment, None, prepayment, amount)
        return ("fees", None, item.number, prepayment, amount)
    return (comp, item.number, None, prepayment, amount)


def _due_of(item: Line | Fee) -> date:
    return item.due


class Dated(Protocol):
    """A posting as the trail sorts it: by value date, then by number."""

    @property
    def on(self) -> date: ...

    @property
    def number(self) -> int: ...


P = TypeVar("P", bound=Dated)

#: Postings between two checkpoints: a back-dated call replays at most this many
#: postings before the ones it changes, and a loan keeps one checkpoint per this many.
EVERY: Final = 32


class Trail(Generic[P]):
    """A loan's active postings in date order, the ledger after them, and its checkpoints.

    `checkpoints[k]` is the ledger after `order[: k * EVERY]` (`checkpoints[0]` the fresh
    ledger). A checkpoint is never changed: a call that needs it works on a copy, which
    shares its lines and fees until it changes one. So a checkpoint costs one list of
    references to the plan's lines and fees, plus the lines and fees changed since the
    one before; a back-dated call replays only from the checkpoint before its date.
    A trail is immutable once built: an operation makes a new one, sharing the
    checkpoints of the postings it leaves as they were.
    """

    __slots__ = ("apply", "checkpoints", "closed", "ledger", "order")

    def __init__(
        self,
        *,
        order: tuple[P, ...],
        ledger: Ledger,
        checkpoints: tuple[Ledger, ...],
        apply: Callable[[Ledger, P], None],
    ) -> None:
        self.order, self.ledger, self.checkpoints, self.apply = order, ledger, checkpoints, apply
        self.closed: date | bool | None = False  # not yet known (see `closed_from`)

    def closed_from(self) -> date | None:
        """The date from which the loan owes nothing and never will again, if it is closed.

        Closed: not written off, no credit held, every fee settled, and every line's
        principal, interest (to its due date) and penalty settled, with nothing left to
        accrue (no principal bears interest or penalty; a line not yet due accrues no
        interest). Then every figure of a position is zero on any date from the last
        posting's. Worked out once per loan, on first use.
        """
        if self.closed is False:
            self.closed = self.ledger.closed()
        return self.closed  # type: ignore[return-value]  # False was replaced just above

    @classmethod
    def fresh(cls, config: Config, apply: Callable[[Ledger, P], None]) -> Trail[P]:
        """The trail of a loan with no postings."""
        start = Ledger(config)  # no call changes it: each works on a copy
        return cls(order=(), ledger=start, checkpoints=(start,), apply=apply)

    def _count_by(self, on: date) -> int:
        """How many postings are dated on or before `on`."""
        return bisect.bisect_right(self.order, on, key=_on_of)

    def at(self, on: date) -> Ledger:
        """The ledger with every posting dated up to `on` applied, its clock at `on`.

        It may be the trail's own ledger (read it, never change it) when nothing falls due
        that a credit would pay; otherwise a copy.
        """
        ledger = self.ledger
        if on >= ledger.time:
            if not ledger.credit and not ledger.fees_fall_due(on):
                return ledger  # read-only: penalty to `on` is computed, not stored
            ledger = ledger.copy()
        else:
            count = self._count_by(on)
            k = count // EVERY
            ledger = self.checkpoints[k].copy()
            for posting in self.order[k * EVERY : count]:
                self.apply(ledger, posting)
        ledger.advance(on)
        return ledger

    def post(self, posting: P) -> Trail[P]:
        """The trail with `posting` (numbered after every other) applied in its place."""
        if posting.on >= self.ledger.time:  # the last in date order: apply it to a copy
            ledger = self.ledger.copy()
            self.apply(ledger, posting)
            order = (*self.order, posting)
            checkpoints = self.checkpoints
            if len(order) % EVERY == 0:  # no call changes a trail's ledger: it is the checkpoint
                checkpoints = (*checkpoints, ledger)
            return Trail(order=order, ledger=ledger, checkpoints=checkpoints, apply=self.apply)
        at = self._count_by(posting.on)
        return self._replayed((*self.order[:at], posting, *self.order[at:]), at)

    def without(self, number: int) -> Trail[P]:
        """The trail with the posting numbered `number` taken out (a reversal)."""
        at = next(i for i, p in enumerate(self.order) if p.number == number)
        return self._replayed((*self.order[:at], *self.order[at + 1 :]), at)

    def _replayed(self, order: tuple[P, ...], same: int) -> Trail[P]:
        """The trail of `order`, whose first `same` postings are this trail's."""
        k = same // EVERY
        checkpoints = list(self.checkpoints[: k + 1])
        ledger = checkpoints[k].copy()
        for index in range(k * EVERY, len(order)):
            self.apply(ledger, order[index])
            if (index + 1) % EVERY == 0:
                checkpoints.append(ledger.copy())
        return Trail(order=order, ledger=ledger, checkpoints=tuple(checkpoints), apply=self.apply)


def _on_of(posting: Dated) -> date:
    return posting.on
