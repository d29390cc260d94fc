"""Repayment schedules: the plan of installments for a loan.

A [`Schedule`][microloan.Schedule] is an immutable list of
[`Installment`][microloan.Installment]s plus the inputs it was made from. The
generators ([`equal_installment`][microloan.equal_installment],
[`equal_principal`][microloan.equal_principal],
[`interest_only`][microloan.interest_only], [`bullet`][microloan.bullet],
[`flat`][microloan.flat]) build one; principal parts always add up exactly to
the principal and the balance ends at exactly zero.

The conventions (periodic rates, the pro-rata first period, daily accrual,
rounding and the residual) are set out in the explanation page
"Schedules and the cost of credit".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, Literal, final

import attrs

from microloan._codec import WRITTEN
from microloan._decimal import CONTEXT, ONE, ZERO, RoundingMode, rounding_constant
from microloan._validators import check_date as _check_date
from microloan._validators import check_days_in_year, check_int, check_option, date_field
from microloan.business_days import BusinessDay, Calendar
from microloan.cost import AprMethod, apr
from microloan.daycount import DayCount, add_months, year_fraction
from microloan.daycount import day_count as _count_days
from microloan.errors import MicroloanError, invalid, wrong_type
from microloan.fees import Fee, check_fees, financed_principal
from microloan.interest import daily_interest
from microloan.money import MINOR_UNIT_QUANTA, Money, unchecked_money
from microloan.rates import DaysInYear, Rate

if TYPE_CHECKING:
    from matplotlib.axes import Axes  # the optional `plot` extra, for `.plot()`
    from matplotlib.figure import Figure

    from microloan.conventions import Conventions

Method = Literal["equal_installment", "equal_principal", "interest_only", "bullet", "flat"]
"""The repayment method a schedule was built with."""

InterestBasis = Literal["exact", "rounded"]
"""Which balance an equal installment's interest is charged on.

`"rounded"` (default): the balance actually outstanding, the rounded running balance,
as bank statements, Chinese bank calculators and core-banking systems (Apache
Fineract) print it; on long, high-rate loans the roundings compound into the last
installment. `"exact"`: the balance of the exact, unrounded annuity — the spreadsheet
IPMT/PPMT convention; the last installment differs from the others by less than
`term` minor units.
"""

Split = Literal["interest_first", "principal_first"]
"""How an equal installment is split into interest and principal.

`"interest_first"` (default): the interest is rounded and the principal part is the
installment less the interest — bank statements, Chinese bank calculators, Apache
Fineract. `"principal_first"`: the exact principal part is rounded and the interest
is the rest — the spreadsheet PPMT habit and many online calculators.
"""

Residual = Literal["last", "last_interest", "balanced"]
"""Where an equal-installment schedule's rounding residual goes.

`"last"` (default): the last installment repays the remaining balance plus its own
interest, so it may differ from the others — Chinese banks, spreadsheets.
`"last_interest"`: the last installment stays level too and its interest is the plug
(installment less the remaining balance) — lenders that bill one amount every month.
`"balanced"`: the level installment is moved by a minor unit (or installment
multiple) at a time while that brings the last installment closer to the others —
Apache Fineract's progressive (EMI) schedules.
"""

Accrual = Literal["period", "daily"]
"""How interest accrues: per full period (30/360 habit) or per actual day (按日计息)."""

Frequency = Literal["monthly", "weekly", "biweekly"] | int
"""How often installments fall due: a named frequency or every N days (1 to 36,600, a century)."""

_NAMED_DAYS: Final = {"weekly": 7, "biweekly": 14}
#: The longest period of a frequency in days: a century (every real period is far shorter).
_MAX_PERIOD_DAYS: Final = 36_600
_NAMED_PER_YEAR: Final = {"monthly": 12, "weekly": 52, "biweekly": 26}


def _optional_date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a calendar date or `None`."""
    if value is not None:
        _check_date(value, attribute.name)


def _part(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: an installment's amount is Money, at least zero, in whole minor units."""
    if not isinstance(value, Money):
        raise wrong_type(attribute.name, value, "Money")
    if value.amount < 0 or not value.is_whole:
        raise invalid(attribute.name, value, "must be at least zero, in whole minor units")


def _no_fee(installment: Installment) -> Money:
    """The default `fee` of an installment: zero in its principal's currency."""
    principal = installment.principal
    return Money.zero(principal.currency if isinstance(principal, Money) else "CNY")


@final
@attrs.frozen(kw_only=True)
class Installment:
    """One installment of a schedule: what falls due on one date.

    Attributes:
        number: 1 for the first installment.
        period_start: the first day of the period whose interest this installment carries
            (the disbursement date for the first one, the previous due date after).
        due_date: the date it falls due.
        principal: the principal part, in whole minor units.
        interest: the interest part (for `flat`, the fixed charge), in whole minor units.
        total: principal + interest + fee: what falls due on `due_date`.
        balance: the principal still outstanding after this installment is paid.
        nominal_due: the due date before a business-day rule moved it off a
            non-business day, or `None` (default) when it did not move.
        fee: the per-installment fees charged with it (服务费/手续费; zero by default,
            and left out of documents when zero).

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate, equal_installment
        >>> first = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=12,
        ...                           start=date(2026, 1, 15)).installments[0]
        >>> first.due_date, first.principal, first.interest, first.total
        (datetime.date(2026, 2, 15), Money('94.62', 'CNY'), Money('12.00', 'CNY'), Money('106.62', 'CNY'))
        >>> first.days
        31
    """

    number: int = attrs.field(validator=lambda _i, _a, v: check_int("number", v, minimum=1))
    period_start: date = attrs.field(validator=date_field)
    due_date: date = attrs.field(validator=date_field)
    principal: Money = attrs.field(validator=_part)
    interest: Money = attrs.field(validator=_part)
    total: Money = attrs.field(validator=_part)
    balance: Money = attrs.field(validator=_part)
    nominal_due: date | None = attrs.field(default=None, validator=_optional_date)
    fee: Money = attrs.field(
        default=attrs.Factory(_no_fee, takes_self=True),
        validator=_part,
        metadata={WRITTEN: "unless_zero"},
    )

    def __attrs_post_init__(self) -> None:
        _check_installment(self)

    @property
    def days(self) -> int:
        """The actual days of the period, from `period_start` (counted) to `due_date` (not)."""
        return (self.due_date - self.period_start).days


class _CompactRows:
    """The base of `Schedule`: a slot for a generator's compact rows (internal)."""

    __slots__ = ("_compact",)


@final
@attrs.frozen(kw_only=True)
class Schedule(_CompactRows):
    """An immutable repayment schedule and the inputs it was made from.

    Build one with a generator ([`equal_installment`][microloan.equal_installment] and
    friends); `str(schedule)` is a plain-text table and `as_rows()` a list of dicts.
    A generated schedule keeps its figures as compact rows and builds its
    `Installment`s when they are first read, so building and keeping a batch of
    schedules costs little; one built directly or read from a document is checked in
    full.

    Attributes:
        installments: the installments in due-date order.
        principal: the amount lent.
        rate: the contract rate.
        term: the number of periods (installments; a `bullet` has one, at the end of
            the last period).
        start: the disbursement date.
        method: the repayment method.
        frequency: `"monthly"`, `"weekly"`, `"biweekly"` or a number of days.
        first_due: the first due date (for a `bullet`, the end of the first period).
        accrual: `"period"` or `"daily"`.
        days_in_year: 360, 365 or `"actual"`.
        rounding: the rounding mode of every component.
        installment_multiple: the amount the level installment is rounded to, if any.
        interest_basis: the [`InterestBasis`][microloan.InterestBasis] of an equal
            installment (recorded, `"rounded"`, for the other methods).
        split: the [`Split`][microloan.Split] of an equal installment.
        residual: the [`Residual`][microloan.Residual] of an equal installment.
        day_count: the [`DayCount`][microloan.DayCount] that measured the periods, or
            `None` for actual days over `days_in_year`.
        calendar: the [`Calendar`][microloan.Calendar] of business days, or `None`
            (Saturday and Sunday off, no holidays).
        business_day: the [`BusinessDay`][microloan.BusinessDay] rule that moved the
            due dates off non-business days (`"none"`: they did not move).
        principal_grace: how many first installments pay interest only (grace on
            principal); 0 for none.
        interest_free_periods: how many first periods charge no interest (免息期); 0 for none.
        balloon: the principal the last installment repays on top of its level part,
            or `None`.
        fees: the [`Fee`][microloan.Fee]s of the loan: upfront fees (a financed one is
            in `principal`), per-installment fees (in each installment's `fee`), and the
            late and prepayment fees a [`Loan`][microloan.Loan] made from it charges.

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate, equal_installment
        >>> plan = equal_installment(Money("10000"), rate=Rate.annual("21%"), term=6,
        ...                          start=date(2026, 1, 15))
        >>> len(plan), plan.maturity, plan.total_interest
        (6, datetime.date(2026, 7, 15), Money('621.36', 'CNY'))
        >>> plan.apr(method="simple")  # no fees: the nominal rate
        Decimal('0.21000...')
    """

    installments: tuple[Installment, ...]
    principal: Money
    rate: Rate
    term: int
    start: date
    method: Method
    frequency: Frequency = "monthly"
    first_due: date
    accrual: Accrual = "period"
    days_in_year: DaysInYear = 360
    rounding: RoundingMode = "half_up"
    installment_multiple: Money | None = None
    # the default was "exact" before; a document always says which, for earlier readers
    interest_basis: InterestBasis = attrs.field(default="rounded", metadata={WRITTEN: "always"})
    split: Split = "interest_first"
    residual: Residual = "last"
    day_count: DayCount | None = None
    calendar: Calendar | None = None
    business_day: BusinessDay = "none"
    # origination: grace on principal, interest-free periods, a balloon
    principal_grace: int = 0
    interest_free_periods: int = 0
    balloon: Money | None = None
    fees: tuple[Fee, ...] = ()

    def __attrs_post_init__(self) -> None:
        _check_schedule(self)

    @property
    def conventions(self) -> Conventions:
        """The [`Conventions`][microloan.Conventions] this schedule was built under.

        Examples:
            >>> from datetime import date
            >>> from microloan import Conventions, Money, Rate, equal_installment
            >>> plan = equal_installment(Money("1000"), rate=Rate.annual("12%"), term=3,
            ...                          start=date(2026, 1, 15),
            ...                          conventions=Conventions.fineract())
            >>> plan.conventions == Conventions.fineract(), plan.rounding
            (True, 'half_even')
        """
        from microloan.conventions import Conventions  # noqa: PLC0415 - it builds on this module

        return Conventions(
            rounding=self.rounding,
            accrual=self.accrual,
            days_in_year=self.days_in_year,
            interest_basis=self.interest_basis,
            split=self.split,
            residual=self.residual,
            day_count=self.day_count,
            business_day=self.business_day,
            calendar=self.calendar,
        )

    @property
    def total_interest(self) -> Money:
        """The interest of all installments together."""
        return self._sum(2)

    @property
    def total_principal(self) -> Money:
        """The principal of all installments together: always exactly `principal`."""
        return self._sum(1)

    @property
    def total(self) -> Money:
        """Everything the borrower pays by installments: principal, interest and fees."""
        return self._sum(3)

    @property
    def total_fees(self) -> Money:
        """The per-installment fees of all installments together (upfront fees: `upfront_fees`).

        Examples:
            >>> from datetime import date
            >>> from microloan import Fee, Money, Rate, equal_installment
            >>> plan = equal_installment(Money("10000"), rate=Rate.annual("6%"), term=12,
            ...                          start=date(2026, 1, 15),
            ...                          fees=[Fee.per_installment(rate="0.5%")])
            >>> plan.installments[0].fee, plan.total_fees
            (Money('50.00', 'CNY'), Money('600.00', 'CNY'))
        """
        return self._sum(4)

    @property
    def upfront_fees(self) -> Money:
        """The upfront fees, financed or deducted: the principal less what was paid out.

        Examples:
            >>> from datetime import date
            >>> from microloan import Fee, Money, Rate, bullet
            >>> plan = bullet(Money("1000"), rate=Rate.annual("12%"), term=1,
            ...               start=date(2026, 1, 15), fees=[Fee.upfront(Money("20"))])
            >>> plan.upfront_fees, plan.disbursed
            (Money('20.00', 'CNY'), Money('980.00', 'CNY'))
        """
        total = Money.zero(self.principal.currency)
        for fee in self.fees:
            if fee.kind == "upfront":
                total += fee.amount
        return total

    @property
    def disbursed(self) -> Money:
        """The amount paid out to the borrower: the principal less every upfront fee.

        A deducted fee lowers what is paid out; a financed one is in the principal, so
        what is paid out is the amount asked for.

        Examples:
            >>> from datetime import date
            >>> from microloan import Fee, Money, Rate, bullet
            >>> plan = bullet(Money("1000"), rate=Rate.annual("12%"), term=1,
            ...               start=date(2026, 1, 15), fees=[Fee.upfront(Money("20"), financed=True)])
            >>> plan.principal, plan.disbursed
            (Money('1020.00', 'CNY'), Money('1000.00', 'CNY'))
        """
        return self.principal - self.upfront_fees

    def _sum(self, column: int) -> Money:
        currency = self.principal.currency
        total = Money.zero(currency).amount
        for item in self.installments:
            part = (item.principal, item.interest, item.total, item.fee)[column - 1]
            total = CONTEXT.add(total, part.amount)
        return unchecked_money(total, currency)

    @property
    def maturity(self) -> date:
        """The last due date."""
        return self.installments[-1].due_date

    @property
    def periods_per_year(self) -> Decimal:
        """How many periods of this schedule's frequency make a year (12 for monthly).

        See [`periods_per_year`][microloan.periods_per_year].
        """
        return periods_per_year(self.frequency, self.days_in_year)

    def __iter__(self) -> Iterator[Installment]:
        return iter(self.installments)

    def __len__(self) -> int:
        return len(self.installments)

    # -- cost of credit -----------------------------------------------------
    def cash_flows(self, fee: Money | None = None) -> tuple[Decimal, ...]:
        """The borrower's cash flows, one per period: −(principal − fees) first, then installments.

        The first flow is what the borrower receives: the principal less the upfront
        fees of `fees` (deducted or financed) and less `fee`; each installment's total
        includes its per-installment fees, so the flows are the actual cash flows with
        every fee (PBoC 2021 No. 3). Periods without an installment (a `bullet` before
        maturity) hold zero, so the flows are equally spaced and fit
        [`irr`][microloan.irr] directly.

        Args:
            fee: another upfront fee withheld at disbursement (the borrower receives
                principal − fees − fee), in the schedule's currency.

        Examples:
            >>> from datetime import date
            >>> from microloan import Money, Rate, bullet
            >>> bullet(Money("1000"), rate=Rate.annual("12%"), term=3,
            ...        start=date(2026, 1, 15)).cash_flows()
            (Decimal('-1000.00'), Decimal('0'), Decimal('0'), Decimal('1030.00'))
        """
        net = self._net(fee)
        flows = [CONTEXT.minus(net)]
        if self.method == "bullet":
            flows.extend([ZERO] * (self.term - 1))
        flows.extend(item.total.amount for item in self.installments)
        return tuple(flows)

    def dated_cash_flows(self, fee: Money | None = None) -> tuple[tuple[date, Decimal], ...]:
        """The borrower's cash flows with their dates, for [`xirr`][microloan.xirr].

        Args:
            fee: an upfront fee withheld at disbursement.

        Examples:
            >>> from datetime import date
            >>> from microloan import Money, Rate, bullet
            >>> bullet(Money("1000"), rate=Rate.daily("0.05%"), term=1, frequency=30,
            ...        start=date(2026, 1, 15)).dated_cash_flows()
            ((datetime.date(2026, 1, 15), Decimal('-1000.00')), (datetime.date(2026, 2, 14), Decimal('1015.00')))
        """
        net = self._net(fee)
        flows = [(self.start, CONTEXT.minus(net))]
        flows.extend((item.due_date, item.total.amount) for item in self.installments)
        return tuple(flows)

    def _net(self, fee: Money | None) -> Decimal:
        amount = self.principal.amount
        if self.fees:  # the upfront fees of the schedule are never paid out
            amount = CONTEXT.subtract(amount, self.upfront_fees.amount)
        if fee is None:
            return amount
        if not isinstance(fee, Money):
            raise wrong_type("fee", fee, "Money")
        if fee.currency != self.principal.currency:
            raise invalid(
                "fee", fee, f"is not in the schedule's currency {self.principal.currency}"
            )
        if fee.amount < 0 or fee.amount >= amount:
            raise invalid("fee", fee, "must be at least zero and less than the principal")
        return CONTEXT.subtract(amount, fee.amount)

    def apr(self, fee: Money | None = None, *, method: AprMethod = "compound") -> Decimal:
        """The annualised cost of credit (PBoC 2021 No. 3): the IRR of the cash flows, annualised.

        The schedule's own fees are in the flows (upfront fees lower what is paid out,
        per-installment fees are in each installment), as the rule requires; `fee` adds
        another upfront fee. The periodic IRR of
        [`cash_flows(fee)`][microloan.Schedule.cash_flows] is annualised
        with this schedule's [`periods_per_year`][microloan.Schedule.periods_per_year]:
        `"compound"` = (1 + IRR)^n − 1, `"simple"` = IRR × n (disclose it as simple).
        Periods are taken as equal, as the rule's IRR method does; for the exact days use
        [`xirr`][microloan.xirr] on [`dated_cash_flows`][microloan.Schedule.dated_cash_flows].

        Args:
            fee: an upfront fee withheld at disbursement, in the schedule's currency.
            method: `"compound"` (default) or `"simple"`.

        Returns:
            The rate as a fraction (`Decimal('0.1358…')` for 13.58%).

        Raises:
            InvalidValueError: the fee is negative or not less than the principal.
            ConvergenceError: the flows have no internal rate of return.

        Examples:
            >>> from datetime import date
            >>> from microloan import Money, Rate, flat
            >>> offer = flat(Money("12000"), rate=Rate.monthly("0.5%"), term=12,
            ...              start=date(2026, 1, 15))
            >>> round(offer.apr(method="simple") * 100, 2), round(offer.apr() * 100, 2)
            (Decimal('10.90'), Decimal('11.46'))
        """
        return apr(self.cash_flows(fee), periods_per_year=self.periods_per_year, method=method)

    # -- export -------------------------------------------------------------
    def as_rows(self) -> list[dict[str, Any]]:
        """The installments as dicts of plain values, for services and spreadsheets.

        Each row has `number` (`int`), `period_start` and `due_date` (`date`), `days`
        (`int`), `principal`, `interest`, `total` and `balance` (`Decimal`, whole minor
        units) and `currency` (`str`); a schedule whose `business_day` rule is not
        `"none"` adds `nominal_due` (`date`: the due date before it moved, the due
        date itself when it did not).
        units) and `currency` (`str`); a schedule with per-installment fees adds `fee`
        (`Decimal`) to every row.

        Examples:
            >>> from datetime import date
            >>> from microloan import Money, Rate, interest_only
            >>> rows = interest_only(Money("5000"), rate=Rate.annual("18%"), term=2,
            ...                      start=date(2026, 1, 31)).as_rows()
            >>> rows[1]["due_date"], rows[1]["total"], rows[1]["balance"]
            (datetime.date(2026, 3, 31), Decimal('5075.00'), Decimal('0.00'))
        """
        currency = self.principal.currency
        rows = [
            {
                "number": item.number,
                "period_start": item.period_start,
                "due_date": item.due_date,
                "days": (item.due_date - item.period_start).days,
                "principal": item.principal.amount,
                "interest": item.interest.amount,
                "total": item.total.amount,
                "balance": item.balance.amount,
                "currency": currency,
            }
            for item in self.installments
        ]
        if self.business_day != "none":
            for row, item in zip(rows, self.installments, strict=True):
                row["nominal_due"] = item.nominal_due or item.due_date
        if self.fees and self.total_fees:  # the fee column, only where there are fees
            for row, item in zip(rows, self.installments, strict=True):
                row["fee"] = item.fee.amount
        return rows

    def plot(self, *, ax: Axes | None = None, title: str | None = None) -> Figure:
        """The schedule as a chart: stacked bars of each installment's principal and interest.

        Needs matplotlib (`pip install 'microloan[plot]'`); see
        [Draw the charts](../how-to/charts.md).

        Args:
            ax: matplotlib axes to draw on (default: a new figure of its own).
            title: the chart's title (default: the amount, the term and the interest).

        Returns:
            The `matplotlib.figure.Figure` drawn on.

        Raises:
            MissingDependencyError: matplotlib is not installed.

        Examples:
            >>> from datetime import date
            >>> from microloan import Money, Rate, equal_installment
            >>> plan = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=12,
            ...                          start=date(2026, 1, 15))
            >>> figure = plan.plot()
            >>> len(figure.axes[0].patches)  # a principal and an interest bar per installment
            24
        """
        from microloan._charts import schedule_chart  # noqa: PLC0415 - matplotlib when drawing

        return schedule_chart(self, ax=ax, title=title)

    def __str__(self) -> str:
        """A plain-text table: a heading, one line per installment and a totals line."""
        plural = "s" if self.term != 1 else ""
        periods = (
            f"{self.term} {self.frequency} period{plural}"
            if isinstance(self.frequency, str)
            else f"{self.term} period{plural} of {self.frequency} days"
        )
        year = "actual days" if self.days_in_year == "actual" else f"{self.days_in_year}-day year"
        heading = (
            f"{METHODS[self.method].title}: {self.principal} at {self.rate}, {periods} "
            f"from {self.start.isoformat()} ({self.accrual} accrual, {year}"
            + ("" if self.business_day == "none" else f", business days {self.business_day}")
            + ")"
        )
        header: tuple[str, ...] = (
            "No",
            "Due date",
            "Days",
            "Principal",
            "Interest",
            "Total",
            "Balance",
        )
        body: list[tuple[str, ...]] = [
            (
                str(item.number),
                item.due_date.isoformat(),
                str((item.due_date - item.period_start).days),
                f"{item.principal.amount:,f}",
                f"{item.interest.amount:,f}",
                f"{item.total.amount:,f}",
                f"{item.balance.amount:,f}",
            )
            for item in self.installments
        ]
        footer: tuple[str, ...] = (
            "",
            "Total",
            str((self.maturity - self.start).days),
            f"{self.total_principal.amount:,f}",
            f"{self.total_interest.amount:,f}",
            f"{self.total.amount:,f}",
            "",
        )
        if self.fees and self.total_fees:  # a fee column before the total
            header = (*header[:5], "Fee", *header[5:])
            fees = [f"{item.fee.amount:,f}" for item in self.installments]
            body = [(*row[:5], fee, *row[5:]) for row, fee in zip(body, fees, strict=True)]
            footer = (*footer[:5], f"{self.total_fees.amount:,f}", *footer[5:])
        if any(item.nominal_due is not None for item in self.installments):
            # moved due dates: their nominal dates beside them, blank where none moved
            header = (*header[:2], "Nominal", *header[2:])
            body = [
                (
                    *row[:2],
                    "" if item.nominal_due is None else item.nominal_due.isoformat(),
                    *row[2:],
                )
                for row, item in zip(body, self.installments, strict=True)
            ]
            footer = (*footer[:2], "", *footer[2:])
        rows = [header, *body, footer]
        widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
        lines = [heading]
        for row in rows:
            cells = [
                row[c].ljust(widths[c])
                if header[c] in {"Due date", "Nominal"}
                else row[c].rjust(widths[c])
                for c in range(len(header))
            ]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)


# -- dates and periods --------------------------------------------------------
def frequency_days(frequency: object) -> int | None:
    """None for monthly, else the period length in days; refuse anything else."""
    if frequency == "monthly" and isinstance(frequency, str):
        return None
    if isinstance(frequency, str) and frequency in _NAMED_DAYS:
        return _NAMED_DAYS[frequency]
    if isinstance(frequency, int) and not isinstance(frequency, bool) and frequency >= 1:
        if frequency > _MAX_PERIOD_DAYS:
            raise invalid(
                "frequency", frequency, f"must be at most {_MAX_PERIOD_DAYS:,} days (a century)"
            )
        return frequency
    raise invalid(
        "frequency", frequency, 'must be "monthly", "weekly", "biweekly" or a number of days >= 1'
    )


def date_after(anchor: date, periods: int, days: int | None) -> date:
    """The date `periods` periods after `anchor`: months (`days` None) or `days`-day periods."""
    if days is None:
        return add_months(anchor, periods)
    return anchor + timedelta(days=days * periods)


@lru_cache(maxsize=4096)
def _schedule_dates(
    start: date, first_due: date | None, term: int, days: int | None
) -> tuple[date, tuple[date, ...], bool]:
    """The first due date, all due dates, and whether the first period is a regular one.

    A regular first period anchors the dates on `start`, any other on `first_due`.
    Cached: a batch of loans disbursed on one day shares its dates. The last date is
    stepped first, so a schedule that would run past the calendar is refused at once.
    """
    try:
        regular = date_after(start, 1, days)
        if first_due is None or first_due == regular:
            date_after(start, term, days)
            return regular, tuple(date_after(start, k, days) for k in range(1, term + 1)), True
        date_after(first_due, term - 1, days)
        return first_due, tuple(date_after(first_due, k, days) for k in range(term)), False
    except (OverflowError, ValueError):  # past date.max: add_months' refusal is a ValueError
        every = "monthly" if days is None else f"of {days} days"
        anchor = (first_due or start).isoformat()
        raise invalid(
            "term", term, f"periods ({every}) from {anchor} end after {date.max.isoformat()}"
        ) from None


def due_dates(
    start: date, term: int, *, frequency: Frequency = "monthly", first_due: date | None = None
) -> tuple[date, ...]:
    """The due dates of `term` periods: `first_due`, then one period apart, never drifting.

    Every date is stepped from one anchor, never from the previous date. Without
    `first_due` (or with the regular one, one period after `start`) the anchor is
    `start`: monthly dates are `add_months(start, k)`, so a loan made on 31 January
    falls due on 29 February, 31 March, 30 April. With another `first_due` its day of
    the month is the repayment day: `add_months(first_due, k − 1)`. Weekly, biweekly
    and N-day dates are the anchor plus whole multiples of 7, 14 or N days.

    Args:
        start: the disbursement date.
        term: how many periods, at least 1.
        frequency: `"monthly"` (default), `"weekly"`, `"biweekly"` or a number of days.
        first_due: the first due date; by default one period after `start`.

    Raises:
        InvalidValueError: `term` below 1, an unknown frequency, or `first_due` not after `start`.

    Examples:
        >>> from datetime import date
        >>> [d.isoformat() for d in due_dates(date(2024, 1, 31), 3)]
        ['2024-02-29', '2024-03-31', '2024-04-30']
        >>> [d.isoformat() for d in due_dates(date(2026, 1, 10), 3, first_due=date(2026, 2, 20))]
        ['2026-02-20', '2026-03-20', '2026-04-20']
        >>> [d.isoformat() for d in due_dates(date(2026, 1, 1), 2, frequency=10)]
        ['2026-01-11', '2026-01-21']
    """
    _check_date(start, "start")
    _check_term(term)
    days = frequency_days(frequency)
    return _schedule_dates(start, _first_due(start, first_due), term, days)[1]


def periods_per_year(frequency: Frequency = "monthly", days_in_year: DaysInYear = 360) -> Decimal:
    """How many periods of a frequency make a year: the `n` of a nominal and an APR.

    12 monthly, 52 weekly, 26 biweekly; every N days, `days_in_year / N` (365 / N for
    `"actual"`). The periodic rate of an annual rate is annual / n, and the APR of a
    periodic IRR is IRR × n (simple) or (1 + IRR)^n − 1 (compound).

    Examples:
        >>> periods_per_year(), periods_per_year("weekly"), periods_per_year(30)
        (Decimal('12'), Decimal('52'), Decimal('12'))
        >>> periods_per_year(7, 365)
        Decimal('52.14285714285714285714285714285714')
    """
    days = frequency_days(frequency)
    if days is None or isinstance(frequency, str):
        return Decimal(_NAMED_PER_YEAR[str(frequency)])
    return CONTEXT.divide(_year_days(days_in_year), Decimal(days))


def _year_days(days_in_year: object) -> Decimal:
    """The nominal year: 360 or 365; `"actual"` counts a common year of 365 days."""
    checked = check_days_in_year(days_in_year)
    return _YEARS[checked]


_YEARS: Final = {360: Decimal(360), 365: Decimal(365), "actual": Decimal(365)}


@lru_cache(maxsize=1024)
def _nominal_rate(rate: Rate, frequency: Frequency, days_in_year: DaysInYear) -> Decimal:
    """The nominal periodic rate: the annual rate over the periods per year (checked args)."""
    year = _year_days(days_in_year)
    days = frequency_days(frequency)
    if rate.unit == "monthly" and days is None:
        return rate.value
    if rate.unit == "daily" and days is not None and not isinstance(frequency, str):
        return CONTEXT.multiply(rate.value, Decimal(days))
    annual = rate.per_year(360 if year == 360 else 365)
    return CONTEXT.divide(annual, periods_per_year(frequency, days_in_year))


# -- argument checks ----------------------------------------------------------
def _check_installment(item: Installment) -> None:
    """What holds within one installment: its dates in order, one currency, total = parts."""
    if item.due_date <= item.period_start:
        raise invalid("due_date", item.due_date, f"must be after period_start {item.period_start}")
    currency = item.principal.currency
    for name in ("interest", "total", "balance", "fee"):
        part: Money = getattr(item, name)
        if part.currency != currency:
            raise invalid(name, part, f"is not in the principal's currency {currency}")
    parts = CONTEXT.add(item.principal.amount, item.interest.amount)
    if item.total.amount != CONTEXT.add(parts, item.fee.amount):
        fee = f" + fee {item.fee}" if item.fee.amount else ""
        raise invalid(
            "total",
            item.total,
            f"is not principal {item.principal} + interest {item.interest}{fee}",
        )


def _check_schedule(schedule: Schedule) -> None:
    """Every invariant a generated schedule has, for one built directly or read from a document.

    The inputs are checked as a generator checks them; then the installments must be
    numbered 1, 2, … in due-date order, each period starting where the last ended (the
    first on `start`), in the principal's currency, with principal parts that add up to
    the principal and a balance that falls by each part to exactly zero.
    """
    principal = schedule.principal
    if not isinstance(principal, Money):
        raise wrong_type("principal", principal, "Money")
    if principal.amount <= 0 or not principal.is_whole:
        raise invalid("principal", principal, "must be positive, in whole minor units")
    if not isinstance(schedule.rate, Rate):
        raise wrong_type("rate", schedule.rate, "a Rate")
    term = _check_term(schedule.term)
    start = _check_date(schedule.start, "start")
    method = check_option("method", schedule.method, Method)
    frequency_days(schedule.frequency)
    first_due = _check_date(schedule.first_due, "first_due")
    check_option("accrual", schedule.accrual, Accrual)
    check_days_in_year(schedule.days_in_year)
    check_option("rounding", schedule.rounding, RoundingMode)
    _check_multiple(schedule.installment_multiple, principal.currency)
    check_option("interest_basis", schedule.interest_basis, InterestBasis)
    check_option("split", schedule.split, Split)
    check_option("residual", schedule.residual, Residual)
    _check_day_count(schedule.day_count)
    _check_installments(schedule, term, start, method, first_due)
    _check_moves(schedule)
    _check_originated(schedule, term, method)
    if schedule.fees != ():
        _check_schedule_fees(schedule)


def _check_schedule_fees(schedule: Schedule) -> None:
    """The fees of a schedule: Fee values whose per-installment charges are in the installments."""
    if not isinstance(schedule.fees, tuple):
        raise wrong_type("fees", schedule.fees, "a tuple of Fee")
    fees = check_fees(schedule.fees)
    principal = schedule.principal
    per = Money.zero(principal.currency)
    upfront = Money.zero(principal.currency)
    for index, fee in enumerate(fees):
        if fee.amount is not None and fee.amount.currency != principal.currency:
            raise invalid(
                f"fees[{index}].amount", fee.amount, f"is not in the currency {principal.currency}"
            )
        if fee.kind == "per_installment":
            per += fee.per_installment_amount(principal, rounding=schedule.rounding)
        elif fee.kind == "upfront":
            upfront += fee.amount
    if upfront >= principal:
        raise invalid("fees", upfront, f"upfront are not less than the principal {principal}")
    for index, item in enumerate(schedule.installments):
        if item.fee != per:
            raise invalid(f"installments[{index}].fee", item.fee, f"must be {per} (the fees)")


def _check_installments(
    schedule: Schedule, term: int, start: date, method: Method, first_due: date
) -> None:
    """The installments of a schedule whose inputs are checked: see `_check_schedule`."""
    principal = schedule.principal
    installments = schedule.installments
    if not isinstance(installments, tuple) or not installments:
        raise invalid("installments", installments, "must be a non-empty tuple of Installments")
    expected = 1 if method == "bullet" else term
    if len(installments) != expected:
        raise invalid(
            "installments",
            len(installments),
            f"installments where a term of {term} ({method}) has {expected}",
        )
    balance = principal.amount
    previous = start
    for index, item in enumerate(installments):
        balance = _check_next(item, index, previous, balance, principal.currency)
        previous = item.due_date
    if balance != 0:
        raise invalid(
            f"installments[{len(installments) - 1}].balance",
            installments[-1].balance,
            "must be zero",
        )
    first = installments[0].nominal_due or installments[0].due_date
    if method != "bullet" and first != first_due:
        raise invalid("first_due", first_due, f"is not the first due date {first}")


def _check_next(
    item: object, index: int, previous: date, balance: Decimal, currency: str
) -> Decimal:
    """One installment in its place: numbered, starting where the last ended; the new balance."""
    at = f"installments[{index}]."
    if not isinstance(item, Installment):
        raise wrong_type(f"installments[{index}]", item, "an Installment")
    if item.number != index + 1:
        raise invalid(f"{at}number", item.number, f"must be {index + 1} (in due-date order)")
    if item.period_start != previous:
        raise invalid(f"{at}period_start", item.period_start, f"must be {previous}")
    if item.principal.currency != currency:
        raise invalid(f"{at}principal", item.principal, f"is not in the currency {currency}")
    balance = CONTEXT.subtract(balance, item.principal.amount)
    if item.balance.amount != balance:
        raise invalid(
            f"{at}balance", item.balance, f"must be {balance} (the principal less the parts so far)"
        )
    return balance


def _check_moves(schedule: Schedule) -> None:
    """Each due date is its nominal date moved by the schedule's business-day rule.

    An installment that did not move has no `nominal_due` (and, under a rule, falls on
    a business day); one that moved names its nominal date, and the due date must be
    that date adjusted by the rule on the schedule's calendar.
    """
    rule: BusinessDay = check_option("business_day", schedule.business_day, BusinessDay)
    calendar = _check_calendar(schedule.calendar)
    for index, item in enumerate(schedule.installments):
        nominal = item.nominal_due
        if rule == "none":
            if nominal is not None:
                raise invalid(
                    f"installments[{index}].nominal_due",
                    nominal,
                    "must be None: the schedule's business_day is 'none'",
                )
            continue
        if nominal == item.due_date:
            raise invalid(
                f"installments[{index}].nominal_due",
                nominal,
                "must be None when it is the due date",
            )
        base = item.due_date if nominal is None else nominal
        moved = calendar.adjust(base, rule)
        if moved != item.due_date:
            raise invalid(
                f"installments[{index}].due_date",
                item.due_date,
                f"is not {base} moved by {rule!r} ({moved})",
            )


def _check_calendar(calendar: object) -> Calendar:
    """The calendar a schedule's dates move on: the one given, or weekends only."""
    if calendar is None:
        return _WEEKENDS_ONLY
    if not isinstance(calendar, Calendar):
        raise wrong_type("calendar", calendar, "a Calendar or None")
    return calendar


_WEEKENDS_ONLY: Final = Calendar()


def _moved(
    start: date, dues: tuple[date, ...], calendar: Calendar, rule: BusinessDay
) -> tuple[date, ...]:
    """The due dates moved by `rule`, refused if two fall together or one before `start`."""
    moved = []
    previous = start
    for due in dues:
        try:
            day = calendar.adjust(due, rule)
        except MicroloanError:
            raise invalid(
                "business_day",
                rule,
                f"finds no business day for the due date {due} in the calendar",
            ) from None
        if day <= previous:
            before = "the start" if previous == start else "the due date before it"
            raise invalid(
                "business_day",
                rule,
                f"moves the due date {due} to {day}, not after {before} {previous}: "
                "a period would be empty",
            )
        moved.append(day)
        previous = day
    return tuple(moved)


def _check_term(term: object) -> int:
    return check_int("term", term, minimum=1)


def _check_day_count(day_count: object) -> DayCount | None:
    if day_count is None:
        return None
    return check_option("day_count", day_count, DayCount)  # type: ignore[no-any-return]


def _first_due(start: date, first_due: object) -> date | None:
    if first_due is None:
        return None
    first = _check_date(first_due, "first_due")
    if first <= start:
        raise invalid("first_due", first, f"must be after the start {start.isoformat()}")
    return first


def _check_multiple(multiple: object, currency: str) -> Decimal | None:
    if multiple is None:
        return None
    if not isinstance(multiple, Money):
        raise wrong_type("installment_multiple", multiple, "Money or None")
    if multiple.currency != currency:
        raise invalid(
            "installment_multiple", multiple, f"is not in the principal's currency {currency}"
        )
    if multiple.amount <= 0 or not multiple.is_whole:
        raise invalid(
            "installment_multiple", multiple, "must be a positive whole number of minor units"
        )
    return multiple.amount


# -- origination: grace on principal, interest-free periods, a balloon -------------
#: The methods each origination option applies to; the others refuse it, for the reason given.
_ORIGINATION: Final[Mapping[str, frozenset[str]]] = {
    "principal_grace": frozenset({"equal_installment", "equal_principal", "flat"}),
    "interest_free_periods": frozenset({"equal_installment", "equal_principal", "bullet", "flat"}),
    "balloon": frozenset({"equal_installment", "equal_principal", "flat"}),
}
_NOT_APPLICABLE: Final = {
    "bullet": "it has one installment",
    "interest_only": "it repays all principal at the end already",
    "free": "its first installments would have nothing due",  # interest-free interest only
}


def origination_applies(option: str, method: str) -> bool:
    """Whether `method` takes the origination option `option` (a product's default or not)."""
    return method in _ORIGINATION[option]


def _check_origination(  # noqa: PLR0917 - the options and what they depend on
    method: Method,
    term: int,
    principal: Decimal,
    currency: str,
    principal_grace: object,
    interest_free_periods: object,
    balloon: object,
    residual: Residual = "last",
) -> tuple[int, int, Decimal | None]:
    """The checked grace, interest-free periods and balloon amount of a `term`-period schedule.

    Each is refused where it means nothing for `method` (grace or a balloon on a
    `bullet`, which has one installment; on `interest_only`, which already repays all
    principal at the end, and whose first installments would have nothing due with
    interest-free periods), and grace together with interest-free periods is refused:
    the first installments would have nothing due.
    """
    if (
        balloon is None
        and type(principal_grace) is int
        and type(interest_free_periods) is int
        and not principal_grace
        and not interest_free_periods
    ):
        return 0, 0, None  # none of them (the default), at once
    grace = check_int("principal_grace", principal_grace, minimum=0)
    free = check_int("interest_free_periods", interest_free_periods, minimum=0)
    for name, value in (("principal_grace", grace), ("interest_free_periods", free)):
        if value >= term:
            raise invalid(name, value, f"must be less than the term {term}")
    amount = _check_balloon(balloon, principal, currency)
    given: dict[str, object] = {
        "principal_grace": grace,
        "interest_free_periods": free,
        "balloon": amount,
    }
    for name, option_value in given.items():
        if option_value and not origination_applies(name, method):
            shown = balloon if name == "balloon" else option_value
            why = _NOT_APPLICABLE["free" if name == "interest_free_periods" else method]
            raise invalid(name, shown, f"does not apply to {method}: {why}")
    if grace and free:  # an installment with nothing due is no installment
        first = min(grace, free)
        what = "installment 1" if first == 1 else f"installments 1 to {first}"
        raise invalid(
            "interest_free_periods",
            free,
            f"cannot be combined with principal_grace={grace}: {what} would have nothing due",
        )
    if amount is not None and residual == "last_interest":
        raise invalid(
            "residual", residual, "cannot keep the last installment level: it repays the balloon"
        )
    return grace, free, amount


def _check_balloon(balloon: object, principal: Decimal, currency: str) -> Decimal | None:
    """The amount of a balloon: None, or Money in the currency, 0 < balloon < principal."""
    if balloon is None:
        return None
    if not isinstance(balloon, Money):
        raise wrong_type("balloon", balloon, "Money or None")
    if balloon.currency != currency:
        raise invalid("balloon", balloon, f"is not in the principal's currency {currency}")
    if not balloon.is_whole or not 0 < balloon.amount < principal:
        raise invalid(
            "balloon",
            balloon,
            f"must be more than zero and less than the principal {principal} {currency}, "
            "in whole minor units",
        )
    return balloon.amount


def _check_originated(schedule: Schedule, term: int, method: Method) -> None:
    """The installments show the schedule's grace, interest-free periods and balloon."""
    principal = schedule.principal
    grace, free, balloon = _check_origination(
        method,
        term,
        principal.amount,
        principal.currency,
        schedule.principal_grace,
        schedule.interest_free_periods,
        schedule.balloon,
        schedule.residual,
    )
    installments = schedule.installments
    for index, item in enumerate(installments[:grace]):
        if item.principal.amount:
            raise invalid(
                f"installments[{index}].principal",
                item.principal,
                f"must be zero within the principal grace of {grace} installments",
            )
    if method != "bullet":
        for index, item in enumerate(installments[:free]):
            if item.interest.amount:
                raise invalid(
                    f"installments[{index}].interest",
                    item.interest,
                    f"must be zero within the {free} interest-free periods",
                )
    if balloon is not None and installments[-1].principal.amount < balloon:
        raise invalid(
            f"installments[{len(installments) - 1}].principal",
            installments[-1].principal,
            f"is less than the balloon {schedule.balloon}",
        )


def _originate(  # noqa: PLR0917 - the plan and the three options
    plan: _Plan,
    method: Method,
    principal_grace: object,
    interest_free_periods: object,
    balloon: object,
    residual: Residual = "last",
    *,
    zero_rates: bool = True,
) -> None:
    """Check the origination options and set them on `plan`.

    With `zero_rates` the free periods get a zero rate (their interest, a flat charge
    or a bullet's share, is nothing); an annuity instead keeps the rates, to split its
    level installment as the contract does, and charges the free periods nothing.
    """
    plan.grace, plan.free, plan.balloon = _check_origination(
        method,
        plan.term,
        plan.principal,
        plan.currency,
        principal_grace,
        interest_free_periods,
        balloon,
        residual,
    )
    if plan.balloon is not None:  # whole minor units: written as the principal is
        plan.balloon = plan.balloon.quantize(plan.exp, context=CONTEXT)
    if plan.free and zero_rates:
        zero = ZERO.quantize(plan.exp, context=CONTEXT)
        plan.rates = [zero] * plan.free + plan.rates[plan.free :]
        plan.uniform = False


def _grace_rows(plan: _Plan) -> list[_Row]:
    """The interest-only installments of the principal grace: no principal, the balance intact."""
    exp, decimal_rounding, ctx = plan.exp, plan.decimal_rounding, CONTEXT
    amount = plan.principal
    rows: list[_Row] = []
    for r in plan.rates[: plan.grace]:
        interest = ctx.multiply(amount, r).quantize(exp, decimal_rounding, ctx)
        rows.append((ZERO.quantize(exp, context=ctx), interest, interest, amount))
    return rows


@final
class _Plan:
    """Checked inputs and the per-period rates of one schedule (internal)."""

    __slots__ = (
        "accrual",
        "balloon",
        "business_day",
        "calendar",
        "currency",
        "day_count",
        "days",
        "days_in_year",
        "decimal_rounding",
        "dues",
        "exp",
        "first_due",
        "free",
        "frequency",
        "grace",
        "multiple",
        "nominal",
        "nominal_dues",
        "principal",
        "rate",
        "rates",
        "regular",
        "rounding",
        "start",
        "term",
        "uniform",
    )

    def __init__(  # noqa: PLR0917 (the five generators pass their arguments through)
        self,
        principal: object,
        rate: object,
        term: object,
        start: object,
        frequency: object,
        first_due: object,
        settled: tuple[object, object, object, object],
        installment_multiple: object,
        business: tuple[object, object] = (None, "none"),
    ) -> None:
        accrual, days_in_year, rounding, day_count = settled
        if not isinstance(principal, Money):
            raise wrong_type("principal", principal, "Money, e.g. Money('10000')")
        self.currency = currency = principal.currency
        self.exp = exp = MINOR_UNIT_QUANTA[currency]
        self.principal = principal.amount.quantize(exp, context=CONTEXT)
        if principal.amount <= 0:
            raise invalid("principal", principal, "must be positive")
        if self.principal != principal.amount:
            raise invalid(
                "principal", principal, f"is not a whole number of {currency} minor units"
            )
        if not isinstance(rate, Rate):
            raise wrong_type("rate", rate, "a Rate, e.g. Rate.annual('18%')")
        self.term = _check_term(term)
        self.start = _check_date(start, "start")
        self.days = frequency_days(frequency)
        self.frequency: Frequency = frequency  # type: ignore[assignment]
        # accrual, days in year, day count, calendar and rule: checked by `_settled`, `_business`
        self.accrual: Accrual = accrual  # type: ignore[assignment]
        self.days_in_year: DaysInYear = days_in_year  # type: ignore[assignment]
        self.decimal_rounding = rounding_constant(rounding, "rounding")  # type: ignore[arg-type]
        self.rounding: RoundingMode = rounding  # type: ignore[assignment]
        self.multiple = _check_multiple(installment_multiple, currency)
        self.day_count: DayCount | None = day_count  # type: ignore[assignment]
        self.rate = rate
        self.first_due, self.dues, self.regular = _schedule_dates(
            self.start, _first_due(self.start, first_due), self.term, self.days
        )
        # business days: the due dates move, the nominal ones are kept (and price period accrual)
        self.calendar: Calendar | None = business[0]  # type: ignore[assignment]
        self.business_day: BusinessDay = business[1]  # type: ignore[assignment]
        self.nominal_dues = self.dues
        if self.business_day != "none":
            calendar = _check_calendar(self.calendar)  # checked already: None is weekends only
            self.dues = _moved(self.start, self.dues, calendar, self.business_day)
        # one rate for every period: the textbook annuity applies
        self.uniform = self.regular and self.accrual == "period"
        self.nominal = _nominal_rate(rate, self.frequency, self.days_in_year)
        self.rates = self._period_rates()
        # origination options (set by `_originate`): none by default
        self.grace = self.free = 0
        self.balloon: Decimal | None = None

    def after_grace(self) -> _Plan:
        """This plan less its grace periods: the periods that amortise the whole principal."""
        if not self.grace:
            return self
        tail = object.__new__(_Plan)
        for name in _Plan.__slots__:
            setattr(tail, name, getattr(self, name))
        tail.rates = self.rates[self.grace :]
        tail.dues = self.dues[self.grace :]
        tail.term = self.term - self.grace
        tail.grace = 0
        tail.uniform = self.accrual == "period" and all(r == self.nominal for r in tail.rates)
        return tail

    def _period_rates(self) -> list[Decimal]:
        """The rate of each period: nominal (pro rata first) or daily × actual days.

        With a day count, a daily-accrual period's rate is the annual rate × its year
        fraction, and an irregular first period is pro rata by the day count's days.
        """
        dues = self.dues
        convention = self.day_count
        if convention is not None and self.accrual == "daily":
            year = _year_days(self.days_in_year)
            annual = self.rate.per_year(360 if year == 360 else 365)
            starts = (self.start, *dues[:-1])
            maturity = dues[-1]
            return [
                CONTEXT.multiply(annual, year_fraction(a, b, convention, maturity=maturity))
                for a, b in zip(starts, dues, strict=True)
            ]
        if self.accrual == "daily":
            # The interest on one unit: daily rate × actual days, split at 1 January.
            one, rate, diy = unchecked_money(ONE, self.currency), self.rate, self.days_in_year
            starts = (self.start, *dues[:-1])
            return [
                daily_interest(one, rate, a, b, days_in_year=diy).amount
                for a, b in zip(starts, dues, strict=True)
            ]
        rates = [self.nominal] * self.term
        first = self.nominal_dues[0]  # period accrual: the nominal periods, moved or not
        if not self.regular:
            before = date_after(first, -1, self.days)
            if convention is None:
                regular, actual = (first - before).days, (first - self.start).days
            else:
                maturity = self.nominal_dues[-1]
                regular = _count_days(before, first, convention, maturity=maturity)
                actual = _count_days(self.start, first, convention, maturity=maturity)
                if regular <= 0:
                    raise invalid(
                        "day_count",
                        convention,
                        f"counts the regular period {before} to {first} as {regular} days",
                    )
            rates[0] = CONTEXT.divide(
                CONTEXT.multiply(self.nominal, Decimal(actual)), Decimal(regular)
            )
        return rates

    # -- rounding -----------------------------------------------------------
    def round(self, value: Decimal) -> Decimal:
        return value.quantize(self.exp, rounding=self.decimal_rounding, context=CONTEXT)

    def round_level(self, value: Decimal) -> Decimal:
        """Round a level amount with the mode, to the installment multiple if there is one."""
        if self.multiple is None:
            return value.quantize(self.exp, self.decimal_rounding, CONTEXT)
        units = CONTEXT.divide(value, self.multiple).quantize(ONE, self.decimal_rounding, CONTEXT)
        return CONTEXT.multiply(units, self.multiple).quantize(self.exp, context=CONTEXT)

    def floor_level(self, value: Decimal) -> Decimal:
        """Round a level amount down, to the installment multiple if there is one."""
        step = self.multiple if self.multiple is not None else self.exp
        units = CONTEXT.divide(value, step).to_integral_value(ROUND_FLOOR, CONTEXT)
        return CONTEXT.multiply(units, step).quantize(self.exp, context=CONTEXT)

    def level_principal(self, level: Decimal) -> Decimal:
        """A level principal part such that the last part, P − (n − 1) × level, is >= 0.

        With grace on principal only the n − N periods after it have a part, and with a
        balloon B the last part is at least B: (n − N − 1) × level <= P − B.
        """
        n = self.term - self.grace
        amortised = (
            self.principal
            if self.balloon is None
            else CONTEXT.subtract(self.principal, self.balloon)
        )
        if level < 0 or CONTEXT.multiply(level, Decimal(n - 1)) > amortised:
            # Rounding up a tiny share would overdraw the last part: take the floor instead.
            level = self.floor_level(CONTEXT.divide(amortised, Decimal(n)))
        return level

    def level_share(self) -> Decimal:
        """The exact level principal part: (P − B) / (n − N), the balloon and grace left out."""
        amortised = (
            self.principal
            if self.balloon is None
            else CONTEXT.subtract(self.principal, self.balloon)
        )
        return CONTEXT.divide(amortised, Decimal(self.term - self.grace))

    # -- output -------------------------------------------------------------
    def schedule(
        self,
        method: Method,
        rows: list[_Row],
        interest_basis: InterestBasis = "rounded",
        split: Split = "interest_first",
        residual: Residual = "last",
    ) -> Schedule:
        """Wrap (principal, interest, total, balance) rows, one per due date, into a Schedule.

        This is the hot path of every generator: the amounts are known-good whole minor
        units, so the schedule keeps the rows as they are and builds its `Installment`s
        and their `Money`s only when they are first read (see `_LazyInstallments`).
        """
        currency = self.currency
        dues = self.dues if method != "bullet" else self.dues[-1:]
        nominals = self.nominal_dues if method != "bullet" else self.nominal_dues[-1:]
        moved = None  # the nominal due dates, where any moved off a non-business day
        if nominals != dues:
            moved = tuple(None if n == d else n for n, d in zip(nominals, dues, strict=True))
        # built as checked above: the invariants `Schedule(...)` checks hold by construction
        return _generated(
            (currency, dues, rows, moved),
            (  # in the order of `_GENERATED_FIELDS`
                unchecked_money(self.principal, currency),
                self.rate,
                self.term,
                self.start,
                method,
                self.frequency,
                self.first_due,
                self.accrual,
                self.days_in_year,
                self.rounding,
                None if self.multiple is None else unchecked_money(self.multiple, currency),
                interest_basis,
                split,
                residual,
                self.day_count,
                self.calendar,
                self.business_day,
                self.grace,
                self.free,
                None if self.balloon is None else unchecked_money(self.balloon, currency),
                (),  # fees: `_charged` adds them
            ),
        )


_Row = tuple[Decimal, ...]
"""One installment's amounts, a `Decimal` per name of `_ROW_FIELDS`, in that order."""

_ROW_FIELDS: Final = ("principal", "interest", "total", "balance")
"""The `Installment` fields a generator's row holds, in order (each a `Money`)."""

_Compact = tuple[str, tuple[date, ...], "list[_Row]", "tuple[date | None, ...] | None"]
"""What a generated schedule keeps until its installments are read: currency, due dates, rows,
and the nominal due dates (`None` where a date did not move; `None` if none did)."""


def _unchecked(cls: type[Any], values: Mapping[str, object]) -> Any:  # noqa: ANN401 - an instance of cls
    """An instance of the attrs class `cls` from known-good `values`, its validators skipped.

    Every field not in `values` takes its declared default, so a field added with a
    default needs nothing here. (A field without one must be in `values`, except a
    schedule's `installments`, which `_LazyInstallments` builds on first read.)
    """
    instance = object.__new__(cls)
    setters, defaults, factories = _FIELDS.get(cls) or _fields_of(cls)
    for name, value in values.items():
        setters[name](instance, value)
    for name, value in defaults.items():
        if name not in values:
            setters[name](instance, value)
    for name, factory in factories:
        if name not in values:
            value = factory.factory(instance) if factory.takes_self else factory.factory()
            setters[name](instance, value)
    return instance


def _fields_of(cls: type[Any]) -> _Fields:
    """The slot setter of each field of the attrs class `cls`, its plain defaults, its factories."""
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    setters = {f.name: cls.__dict__[f.name].__set__ for f in fields}
    factories = [(f.name, f.default) for f in fields if isinstance(f.default, attrs.Factory)]  # type: ignore[arg-type]
    defaults = {
        f.name: f.default
        for f in fields
        if f.default is not attrs.NOTHING and not isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
    }
    known = _FIELDS[cls] = (setters, defaults, factories)
    return known


_Fields = tuple[
    dict[str, Callable[[object, object], None]], dict[str, object], list[tuple[str, Any]]
]
_FIELDS: dict[type[Any], _Fields] = {}
"""`_fields_of` each class `_unchecked` has built, remembered."""


def _charged(schedule: Schedule, fees: tuple[Fee, ...]) -> Schedule:
    """`schedule` with `fees`: each installment's per-installment fees added to it (checked)."""
    if not fees:
        return schedule
    per = Money.zero(schedule.principal.currency)
    for fee in fees:
        if fee.kind == "per_installment":
            per += fee.per_installment_amount(schedule.principal, rounding=schedule.rounding)
    installments = schedule.installments
    if per:
        installments = tuple(
            attrs.evolve(item, fee=per, total=item.total + per) for item in installments
        )
    return attrs.evolve(schedule, installments=installments, fees=fees)


def _generated(compact: _Compact, values: tuple[object, ...]) -> Schedule:
    """A schedule from a generator, without re-checking what the generator guarantees.

    `values` are its fields in the order of `_GENERATED_FIELDS` (every field but
    `installments`, which are kept as the compact rows until they are first read). The
    hot path of every generator: each slot is set directly, as `_unchecked` does
    without looking its setter up by name.
    """
    schedule: Schedule = object.__new__(Schedule)
    for setter, value in zip(_GENERATED_SETTERS, values, strict=True):
        setter(schedule, value)
    _SET_COMPACT(schedule, compact)
    return schedule


_GENERATED_FIELDS: Final = (
    "principal", "rate", "term", "start", "method", "frequency", "first_due", "accrual",
    "days_in_year", "rounding", "installment_multiple", "interest_basis", "split", "residual",
    "day_count", "calendar", "business_day", "principal_grace", "interest_free_periods",
    "balloon", "fees",
)  # fmt: skip
"""The fields `_generated` sets, in the order a generator gives them: all but `installments`."""


def _installments(schedule: Schedule) -> tuple[Installment, ...]:
    """The installments of a generated schedule, built from its compact rows, unchecked.

    A `Money` is shared by the installments whose rows hold the same `Decimal` (the
    level installment), as the amounts are immutable.
    """
    currency, dues, rows, moved = _GET_COMPACT(schedule)
    previous = schedule.start
    made: dict[int, Money] = {}
    no_fee = Money.zero(currency)  # one for all: a generator's rows carry no fees
    built = []
    for number, (due, row) in enumerate(zip(dues, rows, strict=True), 1):
        values: dict[str, object] = {
            "number": number,
            "period_start": previous,
            "due_date": due,
            "fee": no_fee,
        }
        if moved is not None and moved[number - 1] is not None:
            values["nominal_due"] = moved[number - 1]
        for name, amount in zip(_ROW_FIELDS, row, strict=True):
            money = made.get(id(amount))
            if money is None:
                money = made[id(amount)] = unchecked_money(amount, currency)
            values[name] = money
        built.append(_unchecked(Installment, values))
        previous = due
    return tuple(built)


@final
class _LazyInstallments:
    """`Schedule.installments`: the stored tuple, built from the compact rows on first read.

    A schedule made by a generator stores its rows; one built by `Schedule(...)`, read
    from a document or evolved stores (and has checked) the tuple it was given.
    """

    __slots__ = ("read", "write")

    def __init__(self, slot: Any) -> None:  # noqa: ANN401 - the attrs slot's member descriptor
        self.read = slot.__get__
        self.write = slot.__set__

    def __get__(self, schedule: Schedule | None, owner: object = None) -> Any:  # noqa: ANN401 - the installments, or this descriptor on the class
        if schedule is None:
            return self
        try:
            return self.read(schedule, owner)
        except AttributeError:  # not built yet: a generated schedule's first read
            built = _installments(schedule)
            self.write(schedule, built)
            return built

    def __set__(self, schedule: Schedule, value: object) -> None:
        self.write(schedule, value)


setattr(Schedule, "installments", _LazyInstallments(Schedule.__dict__["installments"]))  # noqa: B010 - replaces the attrs slot
_GET_COMPACT: Final = _CompactRows.__dict__["_compact"].__get__
_SET_COMPACT: Final = _CompactRows.__dict__["_compact"].__set__
_GENERATED_SETTERS: Final = tuple(Schedule.__dict__[name].__set__ for name in _GENERATED_FIELDS)


def _annuity(
    principal: Decimal, rates: list[Decimal], *, uniform: bool, balloon: Decimal | None = None
) -> Decimal:
    """The exact level payment that repays `principal` over periods with these rates.

    With one rate i for all n periods (`uniform`) it is the textbook
    P × i / (1 − (1 + i)^−n) (numpy-financial's `pmt`); otherwise the payment A that
    solves P × Π(1 + r_k) = A × Σ_k Π_{j>k}(1 + r_j). A `balloon` B repaid on top of
    the last payment is taken out at its present value: P becomes P − B / Π(1 + r_k)
    (`pmt(i, n, -P, fv=B)`).
    """
    if balloon is not None:
        growth = ONE
        if uniform:
            growth = CONTEXT.power(CONTEXT.add(ONE, rates[0]), len(rates))
        else:
            for r in rates:
                growth = CONTEXT.multiply(growth, CONTEXT.add(ONE, r))
        principal = CONTEXT.subtract(principal, CONTEXT.divide(balloon, growth))
    if uniform and not rates[0]:
        # P / n, not P × (1 / n): 1.85 / 185 is 0.01 exactly, 1.85 × (1 / 185) is 0.0099…9
        return CONTEXT.divide(principal, Decimal(len(rates)))
    if uniform:
        return CONTEXT.multiply(principal, _annuity_factor(rates[0], len(rates)))
    growth = ONE  # Π_{j>k} (1 + r_j), built from the last period backwards
    weights = ZERO
    for r in reversed(rates):
        weights = CONTEXT.add(weights, growth)
        growth = CONTEXT.multiply(growth, CONTEXT.add(ONE, r))
    return CONTEXT.divide(CONTEXT.multiply(principal, growth), weights)


@lru_cache(maxsize=1024)
def _annuity_factor(rate: Decimal, periods: int) -> Decimal:
    """The payment per unit borrowed: i / (1 − (1 + i)^−n), or 1 / n at a zero rate."""
    if not rate:
        return CONTEXT.divide(ONE, Decimal(periods))
    discount = CONTEXT.power(CONTEXT.add(ONE, rate), -periods)
    return CONTEXT.divide(rate, CONTEXT.subtract(ONE, discount))


# -- the generators -----------------------------------------------------------
def _bundle(conventions: object) -> Conventions:
    """The conventions a generator starts from: the caller's bundle or the library's defaults."""
    if conventions is None:
        return _library_conventions()
    if not isinstance(conventions, _conventions_class()):
        raise wrong_type("conventions", conventions, "Conventions or None")
    return conventions


@lru_cache(maxsize=1)
def _conventions_class() -> type[Conventions]:
    from microloan.conventions import Conventions  # noqa: PLC0415 - it builds on this module

    return Conventions


@lru_cache(maxsize=1)
def _library_conventions() -> Conventions:
    from microloan.conventions import Conventions  # noqa: PLC0415 - it builds on this module

    return Conventions()


def _settled(
    bundle: Conventions, accrual: object, days_in_year: object, rounding: object, day_count: object
) -> tuple[object, object, object, object]:
    """accrual, days in year, rounding and day count: each the explicit one, else the bundle's.

    An explicit option is checked here; the bundle's were checked when it was made
    (the rounding is checked where `_Plan` reads its constant).
    """
    return (
        bundle.accrual
        if accrual is None
        else check_option("accrual", accrual, Accrual, reason='must be "period" or "daily"'),
        bundle.days_in_year if days_in_year is None else check_days_in_year(days_in_year),
        bundle.rounding if rounding is None else rounding,
        bundle.day_count if day_count is None else _check_day_count(day_count),
    )


def _business(bundle: Conventions, calendar: object, business_day: object) -> tuple[object, object]:
    """The calendar and the business-day rule: each the explicit one (checked), else the bundle's."""
    return (
        bundle.calendar if calendar is None else _check_calendar(calendar),
        bundle.business_day
        if business_day is None
        else check_option("business_day", business_day, BusinessDay),
    )


def equal_installment(
    principal: Money,
    *,
    rate: Rate,
    term: int,
    start: date,
    frequency: Frequency = "monthly",
    first_due: date | None = None,
    accrual: Accrual | None = None,
    days_in_year: DaysInYear | None = None,
    rounding: RoundingMode | None = None,
    installment_multiple: Money | None = None,
    interest_basis: InterestBasis | None = None,
    split: Split | None = None,
    residual: Residual | None = None,
    day_count: DayCount | None = None,
    calendar: Calendar | None = None,
    business_day: BusinessDay | None = None,
    conventions: Conventions | None = None,
    principal_grace: int = 0,
    interest_free_periods: int = 0,
    balloon: Money | None = None,
    fees: Sequence[Fee] = (),
) -> Schedule:
    """Equal installments (等额本息, the annuity): the same total every period.

    The level installment A is the exact annuity Ā over the periods' rates, rounded with
    `rounding` (or to `installment_multiple`). Each period's interest is the period's
    rate on the balance actually outstanding, the rounded running balance
    (`interest_basis="rounded"`, the default: bank statements, Chinese bank calculators,
    Apache Fineract), rounded; the principal part is the installment less the interest
    (`split="interest_first"`). The last installment repays the whole remaining
    balance with its interest (`residual="last"`), absorbing every rounding residual,
    so the balance ends at exactly zero. Each rounding of interest (at most e: half a
    minor unit for the half modes, one otherwise) and the rounding of the level
    (δ = A − Ā) compounds at the periodic rate i until maturity, so the last
    installment differs from the others by at most (|δ| + e) × Σ_{k<n} (1 + i)^k + e:
    a few minor units on a consumer loan, about two yuan on 1,000,000 over 30 years at
    4.9% (5,305.19 against 5,307.27), more at high rates.

    `interest_basis="exact"` charges the rate on the balance of the exact, unrounded
    annuity instead (the spreadsheet IPMT convention): the roundings do not compound,
    and the last installment differs from the others by less than `term` minor units
    (or installment multiples). `split="principal_first"` rounds the exact principal
    part (the spreadsheet PPMT) and makes the interest the rest. `residual=
    "last_interest"` keeps the last installment level too, its interest being the plug
    (refused when the balance left exceeds the level, as the plug would be negative);
    `residual="balanced"` moves the level a minor unit (or multiple) at a time while
    that brings the last installment closer to the others, as Apache Fineract's
    progressive schedules do. Should the rounded installment repay the loan before
    the last period (a few minor units lent over many periods), it is lowered a minor
    unit (or multiple) at a time until it does not, so the schedule always has `term`
    installments.

    With `accrual="period"` and a regular first period every period has the nominal
    rate (annual / periods per year) and the installment is the textbook
    P × i / (1 − (1 + i)^−n). With `accrual="daily"`, or a first period longer or
    shorter than a full one, the periods' own rates enter the annuity so the installments
    stay level. If one period's interest exceeds the installment (a long first period),
    the excess is carried, without interest, into the next installment's interest.
    A `day_count` measures the periods: with daily accrual each period's rate is the
    annual rate × its year fraction under the day count, and with period accrual an
    irregular first period is pro rata by the day count's days.

    Args:
        principal: the amount lent, positive, in whole minor units.
        rate: the contract rate (a [`Rate`][microloan.Rate] in any unit).
        term: the number of installments, at least 1.
        start: the disbursement date.
        frequency: `"monthly"` (default), `"weekly"`, `"biweekly"` or every N days (an int).
        first_due: the first due date; by default one period after `start`. The later
            dates follow one period apart from it (a fixed repayment day for monthly).
        accrual: `"period"` (each full period accrues the nominal periodic rate; a
            shorter or longer first period pro rata by actual days) or `"daily"`
            (balance × daily rate × actual days, 按日计息).
        days_in_year: 360 (default, PBoC), 365 or `"actual"` (365/366, a period across
            1 January split).
        rounding: the rounding mode of every component (default `"half_up"`).
        installment_multiple: round the level installment to a multiple of this
            amount (`Money("1")` for lenders that bill whole yuan).
        interest_basis: `"rounded"` (default) or `"exact"`; see above.
        split: `"interest_first"` (default) or `"principal_first"`.
        residual: `"last"` (default), `"last_interest"` or `"balanced"`.
        day_count: a [`DayCount`][microloan.DayCount] that measures the periods, or
            `None` (default) for actual days over `days_in_year`.
        calendar: the [`Calendar`][microloan.Calendar] of business days the due dates
            move on (`None`: Saturday and Sunday off, no holidays).
        business_day: the [`BusinessDay`][microloan.BusinessDay] rule for a due date
            on a non-business day (default `"none"`: it stays). A moved date keeps its
            nominal date in `Installment.nominal_due`; with daily accrual the interest
            runs over the actual days between the moved dates, with period accrual
            each period keeps its nominal rate. Refused if two due dates would fall on
            one day.
        conventions: a [`Conventions`][microloan.Conventions] bundle for every option
            left out (`None`: the library's defaults); an option given explicitly
            overrides the bundle's.
        principal_grace: the first N installments pay interest only (grace on
            principal, Apache Fineract's `graceOnPrincipalPayment`); the level
            installment amortises the whole principal over the other term − N. Default 0.
        interest_free_periods: the first K periods charge no interest (免息期): each
            repays the principal part it would have repaid, and the other installments
            are those of the schedule without them (Apache Fineract's interest-free
            grace). Refused together with `principal_grace` (nothing would be due).
            Default 0.
        balloon: principal the last installment repays on top of its level part; the
            level installment amortises the rest, the balloon's present value taken
            out (`pmt(i, n, -P, fv=balloon)`). More than zero, less than the
            principal, in its currency; refused with `residual="last_interest"`.
        fees: the loan's [`Fee`][microloan.Fee]s. A financed upfront fee is added to
            the principal before it is amortised; a deducted one lowers what is paid
            out ([`disbursed`][microloan.Schedule.disbursed]); a per-installment fee
            is added to each installment (`fee`, and `total`); late and prepayment
            fees are kept for the [`Loan`][microloan.Loan] made from the schedule. All
            but the late and prepayment fees enter the APR.

    Returns:
        The schedule.

    Raises:
        InvalidValueError: a non-positive or fractional principal, a term below 1, a
            first due date not after `start`, or an unknown option value.
        InvalidTypeError: `principal` is not Money, `rate` is not a Rate, a date is not a date.

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate
        >>> plan = equal_installment(Money("100000"), rate=Rate.annual("4.9%"), term=12,
        ...                          start=date(2026, 1, 15))
        >>> {item.total for item in plan.installments[:-1]}
        {Money('8556.17', 'CNY')}
        >>> plan.installments[-1].total, plan.total_interest
        (Money('8556.12', 'CNY'), Money('2673.99', 'CNY'))

        Three months' grace on principal, then a 20,000 balloon on top of the last:

        >>> plan = equal_installment(Money("100000"), rate=Rate.annual("4.9%"), term=12,
        ...                          start=date(2026, 1, 15), principal_grace=3,
        ...                          balloon=Money("20000"))
        >>> [str(item.total.amount) for item in plan.installments[2:5]]
        ['408.33', '9153.02', '9153.02']
        >>> plan.installments[-1].principal >= plan.balloon
        True
    """
    principal, charges = financed_principal(principal, fees)
    bundle = _bundle(conventions)
    settled = _settled(bundle, accrual, days_in_year, rounding, day_count)
    business = _business(bundle, calendar, business_day)
    plan = _Plan(
        principal, rate, term, start, frequency, first_due, settled, installment_multiple, business
    )
    # an explicit option checked; the bundle's were checked when it was made
    basis: InterestBasis = (
        bundle.interest_basis
        if interest_basis is None
        else check_option(
            "interest_basis", interest_basis, InterestBasis, reason='must be "rounded" or "exact"'
        )
    )
    how: Split = bundle.split if split is None else check_option("split", split, Split)
    where: Residual = (
        bundle.residual if residual is None else check_option("residual", residual, Residual)
    )
    _originate(
        plan, "equal_installment", principal_grace, interest_free_periods, balloon, where,
        zero_rates=False,
    )  # fmt: skip
    free = plan.free
    tail = plan.after_grace()  # the periods that amortise: all but the grace
    exact = _annuity(tail.principal, tail.rates, uniform=tail.uniform, balloon=plan.balloon)
    level = plan.round_level(exact)
    path = exact if basis == "exact" else None
    principal_first = how == "principal_first"
    rows, early = _annuity_rows(
        tail, level, path, exact, principal_first=principal_first, free=free
    )
    step = plan.multiple if plan.multiple is not None else plan.exp
    # it repays before the end (tiny loans), or eats into the balloon: lower it a step at a time
    while _short(rows, early, plan.balloon) and level:
        level = max(CONTEXT.subtract(level, step), ZERO.quantize(plan.exp))
        rows, early = _annuity_rows(
            tail, level, path, exact, principal_first=principal_first, free=free
        )
    if where == "balanced":
        rows = _balanced(
            tail, level, rows, path, exact, step, principal_first=principal_first, free=free
        )
    elif where == "last_interest":
        rows = _last_interest(rows, level)
    return _charged(
        plan.schedule(
            "equal_installment", _grace_rows(plan) + rows if plan.grace else rows, basis, how, where
        ),
        charges,
    )


def _short(rows: list[_Row], early: bool, balloon: Decimal | None) -> bool:
    """Whether a level repays the loan early, or leaves the last part below the balloon."""
    return early or (balloon is not None and rows[-1][0] < balloon)


def _balanced(  # noqa: PLR0917 - the state of one annuity
    plan: _Plan,
    level: Decimal,
    rows: list[_Row],
    path: Decimal | None,
    exact: Decimal,
    step: Decimal,
    *,
    principal_first: bool,
    free: int = 0,
) -> list[_Row]:
    """residual="balanced": move the level a step at a time while the last comes closer.

    The rounded level is the starting point, so the last installment never ends
    further from the others than with `residual="last"`; a level that would repay
    the loan early is not taken.
    """
    balloon = ZERO if plan.balloon is None else plan.balloon  # the last repays it on top

    def distance(last: _Row, candidate: Decimal) -> Decimal:
        return CONTEXT.abs(CONTEXT.subtract(CONTEXT.subtract(last[2], balloon), candidate))

    best = distance(rows[-1], level)
    for direction in (step, CONTEXT.minus(step)):
        candidate = level
        while best:
            candidate = CONTEXT.add(candidate, direction)
            if candidate <= 0:
                break
            moved, early = _annuity_rows(
                plan, candidate, path, exact, principal_first=principal_first, free=free
            )
            gap = distance(moved[-1], candidate)
            if _short(moved, early, plan.balloon) or gap >= best:
                break
            best, rows = gap, moved
    return rows


def _last_interest(rows: list[_Row], level: Decimal) -> list[_Row]:
    """residual="last_interest": the last installment is level; its interest is the plug."""
    balance = rows[-1][0]
    interest = CONTEXT.subtract(level, balance)
    if interest < 0:
        raise invalid(
            "residual",
            "last_interest",
            f"cannot keep the last installment level at {level}: the balance left, "
            f"{balance}, is more than it, so its interest would be {interest}",
        )
    rows[-1] = (balance, interest, level, rows[-1][3])
    return rows


def _annuity_rows(
    plan: _Plan,
    level: Decimal,
    exact_level: Decimal | None,
    annuity: Decimal,
    *,
    principal_first: bool = False,
    free: int = 0,
) -> tuple[list[_Row], bool]:
    """The rows of a level installment, and whether it repaid the loan before the end.

    With `exact_level` (the unrounded annuity), interest is charged on the balance of
    the exact annuity; without it, on the rounded running balance. With
    `principal_first` the exact principal part (the exact annuity `annuity` less the
    exact interest on the exact basis — moved by as much as a lowered or balanced level
    has moved — and the level less it on the rounded one) is rounded and the interest
    is the rest. The first `free` periods are interest-free: each repays the principal
    part it would have repaid and charges no interest (nor carries any).
    """
    if exact_level is None and not principal_first and not free and plan.uniform:
        fast = _level_rows(plan, level)
        if fast is not None:
            return fast, False
    return _general_rows(
        plan, level, exact_level, annuity, principal_first=principal_first, free=free
    )


def _general_rows(
    plan: _Plan,
    level: Decimal,
    exact_level: Decimal | None,
    annuity: Decimal,
    *,
    principal_first: bool,
    free: int,
) -> tuple[list[_Row], bool]:
    """`_annuity_rows` by the general loop: every rule, a row at a time, checked as it goes."""
    # the exact annuity, moved as far as the level has been moved from its rounding
    principal_level = (
        level
        if exact_level is None
        else CONTEXT.add(annuity, CONTEXT.subtract(level, plan.round_level(annuity)))
    )
    rates = plan.rates
    exp, decimal_rounding, ctx = plan.exp, plan.decimal_rounding, CONTEXT
    multiply, subtract = ctx.multiply, ctx.subtract
    balance = plan.principal
    path = plan.principal  # the exact annuity's balance
    carry = ZERO
    early = False
    rows: list[_Row] = []
    append = rows.append
    nothing = ZERO.quantize(exp)
    for k, r in enumerate(rates[:-1]):
        if exact_level is None:
            exact_interest = multiply(balance, r)
        else:
            exact_interest = multiply(path, r)
            path = subtract(path, subtract(exact_level, exact_interest))
        if principal_first:
            exact_part = subtract(principal_level, exact_interest)
            interest = subtract(level, exact_part.quantize(exp, decimal_rounding, ctx))
            if interest < 0:  # a level rounded below the exact principal part
                interest = ZERO.quantize(exp)
        else:
            interest = exact_interest.quantize(exp, decimal_rounding, ctx)
        if carry:
            interest, carry = ctx.add(interest, carry), ZERO
        if interest > level:  # more interest than the installment: carry the excess
            interest, carry = level, subtract(interest, level)
        part = subtract(level, interest)
        if k < free:  # interest-free: the interest it would bear is not charged
            interest, carry = nothing, ZERO
        if part > balance:  # an installment rounded up far enough repays the loan early
            part = balance
            balance = ZERO.quantize(exp)
            early = True
            append((part, interest, ctx.add(part, interest), balance))
        else:
            balance = subtract(balance, part)
            append((part, interest, level if k >= free else part, balance))
    basis = balance if exact_level is None else path
    interest = ctx.add(multiply(basis, rates[-1]).quantize(exp, decimal_rounding, ctx), carry)
    append((balance, interest, ctx.add(balance, interest), ZERO.quantize(exp)))
    return rows, early


def _level_rows(plan: _Plan, level: Decimal) -> list[_Row] | None:
    """`_annuity_rows` of the default rules at one rate (the hot path), or None: take the general.

    Interest on the rounded balance, interest first, every period at the one rate
    i >= 0. The general loop's checks are not needed row by row: if the first interest is
    at most the level, every principal part is >= 0, so the balance never rises, and
    (rounding being monotone) no later interest exceeds the first, so nothing is ever
    carried; and an installment that repays the loan early (a part above the balance)
    leaves the balance below zero from then on, which the last balance shows. In both
    cases this returns None and the general loop computes the rows.
    """
    rates = plan.rates
    rate = rates[0]
    exp, mode, ctx = plan.exp, plan.decimal_rounding, CONTEXT
    multiply, subtract = ctx.multiply, ctx.subtract
    balance = plan.principal
    interest = multiply(balance, rate).quantize(exp, mode, ctx)
    if rate < 0 or interest > level:
        return None
    rows: list[_Row] = []
    append = rows.append
    for _ in range(len(rates) - 1):
        part = subtract(level, interest)
        balance = subtract(balance, part)
        append((part, interest, level, balance))
        interest = multiply(balance, rate).quantize(exp, mode, ctx)
    if balance < 0:
        return None
    append((balance, interest, ctx.add(balance, interest), ZERO.quantize(exp)))
    return rows


def equal_principal(
    principal: Money,
    *,
    rate: Rate,
    term: int,
    start: date,
    frequency: Frequency = "monthly",
    first_due: date | None = None,
    accrual: Accrual | None = None,
    days_in_year: DaysInYear | None = None,
    rounding: RoundingMode | None = None,
    installment_multiple: Money | None = None,
    day_count: DayCount | None = None,
    calendar: Calendar | None = None,
    business_day: BusinessDay | None = None,
    conventions: Conventions | None = None,
    principal_grace: int = 0,
    interest_free_periods: int = 0,
    balloon: Money | None = None,
    fees: Sequence[Fee] = (),
) -> Schedule:
    """Equal principal (等额本金): the same principal part every period, interest on the balance.

    The principal part is principal / term rounded with `rounding` (or to
    `installment_multiple`); the last part is what remains. Should rounding up leave the
    last part negative (a few minor units over many periods) the parts are rounded down
    instead. Interest is the balance × the period's rate, rounded, so installments
    decline. Arguments are those of [`equal_installment`][microloan.equal_installment].

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate
        >>> plan = equal_principal(Money("12000"), rate=Rate.annual("12%"), term=12,
        ...                        start=date(2026, 1, 15))
        >>> [str(i.total.amount) for i in plan.installments[:3]], plan.total_interest
        (['1120.00', '1110.00', '1100.00'], Money('780.00', 'CNY'))
    """
    principal, charges = financed_principal(principal, fees)
    bundle = _bundle(conventions)
    settled = _settled(bundle, accrual, days_in_year, rounding, day_count)
    business = _business(bundle, calendar, business_day)
    plan = _Plan(
        principal, rate, term, start, frequency, first_due, settled, installment_multiple, business
    )
    _originate(plan, "equal_principal", principal_grace, interest_free_periods, balloon)
    level = plan.level_principal(plan.round_level(plan.level_share()))
    return _charged(
        plan.schedule("equal_principal", _level_parts(plan, level, on_original=False)), charges
    )


def _level_parts(plan: _Plan, level: Decimal, *, on_original: bool) -> list[_Row]:
    """Rows with a level principal part and the rest in the last one.

    Interest is on the declining balance, or on the original principal with
    `on_original` (the flat rate's charge).
    """
    exp, decimal_rounding, ctx = plan.exp, plan.decimal_rounding, CONTEXT
    multiply, subtract, add = ctx.multiply, ctx.subtract, ctx.add
    balance = original = plan.principal
    rows: list[_Row] = []
    grace, zero = plan.grace, ZERO.quantize(exp, context=ctx)
    for k, r in enumerate(plan.rates[:-1]):
        interest = multiply(original if on_original else balance, r).quantize(
            exp, decimal_rounding, ctx
        )
        part = zero if k < grace else level
        balance = subtract(balance, part)
        rows.append((part, interest, add(part, interest), balance))
    interest = multiply(original if on_original else balance, plan.rates[-1])
    interest = interest.quantize(exp, decimal_rounding, ctx)
    rows.append((balance, interest, add(balance, interest), ZERO.quantize(exp)))
    return rows


def interest_only(
    principal: Money,
    *,
    rate: Rate,
    term: int,
    start: date,
    frequency: Frequency = "monthly",
    first_due: date | None = None,
    accrual: Accrual | None = None,
    days_in_year: DaysInYear | None = None,
    rounding: RoundingMode | None = None,
    installment_multiple: Money | None = None,
    day_count: DayCount | None = None,
    calendar: Calendar | None = None,
    business_day: BusinessDay | None = None,
    conventions: Conventions | None = None,
    principal_grace: int = 0,
    interest_free_periods: int = 0,
    balloon: Money | None = None,
    fees: Sequence[Fee] = (),
) -> Schedule:
    """Interest only (按月付息，到期还本 / 先息后本): interest each period, principal at the end.

    Each installment is the principal × the period's rate, rounded; the last adds the
    whole principal. There is no level installment, so `installment_multiple` has no
    effect (it is recorded on the schedule). Arguments are those of
    [`equal_installment`][microloan.equal_installment].

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate
        >>> plan = interest_only(Money("50000"), rate=Rate.annual("21%"), term=6,
        ...                      start=date(2026, 1, 15))
        >>> [str(i.total.amount) for i in plan.installments]
        ['875.00', '875.00', '875.00', '875.00', '875.00', '50875.00']
        >>> plan = interest_only(Money("50000"), rate=Rate.annual("21%"), term=2,
        ...                      start=date(2026, 1, 15), accrual="daily")
        >>> [(i.days, str(i.interest.amount)) for i in plan.installments]  # 50000 × 0.21 / 360 × days
        [(31, '904.17'), (28, '816.67')]
    """
    principal, charges = financed_principal(principal, fees)
    bundle = _bundle(conventions)
    settled = _settled(bundle, accrual, days_in_year, rounding, day_count)
    business = _business(bundle, calendar, business_day)
    plan = _Plan(
        principal, rate, term, start, frequency, first_due, settled, installment_multiple, business
    )
    _originate(plan, "interest_only", principal_grace, interest_free_periods, balloon)
    exp, decimal_rounding, ctx = plan.exp, plan.decimal_rounding, CONTEXT
    amount = plan.principal
    zero = ZERO.quantize(exp, context=ctx)
    last = plan.term - 1
    rows: list[_Row] = []
    for k, r in enumerate(plan.rates):
        interest = ctx.multiply(amount, r).quantize(exp, decimal_rounding, ctx)
        if k == last:
            rows.append((amount, interest, ctx.add(amount, interest), zero))
        else:
            rows.append((zero, interest, interest, amount))
    return _charged(plan.schedule("interest_only", rows), charges)


def bullet(
    principal: Money,
    *,
    rate: Rate,
    term: int,
    start: date,
    frequency: Frequency = "monthly",
    first_due: date | None = None,
    accrual: Accrual | None = None,
    days_in_year: DaysInYear | None = None,
    rounding: RoundingMode | None = None,
    installment_multiple: Money | None = None,
    day_count: DayCount | None = None,
    calendar: Calendar | None = None,
    business_day: BusinessDay | None = None,
    conventions: Conventions | None = None,
    principal_grace: int = 0,
    interest_free_periods: int = 0,
    balloon: Money | None = None,
    fees: Sequence[Fee] = (),
) -> Schedule:
    """Bullet (到期一次还本付息): one installment at maturity with the principal and all interest.

    Maturity is the end of the last of `term` periods (`term=1, frequency=30`: a 30-day
    order loan). Interest is simple: the principal × the sum of the periods' rates,
    rounded once. There is no level installment, so `installment_multiple` has no effect.
    Arguments are those of [`equal_installment`][microloan.equal_installment].

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate
        >>> order = bullet(Money("200000"), rate=Rate.daily("0.05%"), term=1, frequency=30,
        ...                start=date(2026, 3, 1))
        >>> order.maturity, order.installments[0].interest, order.total
        (datetime.date(2026, 3, 31), Money('3000.00', 'CNY'), Money('203000.00', 'CNY'))
    """
    principal, charges = financed_principal(principal, fees)
    bundle = _bundle(conventions)
    settled = _settled(bundle, accrual, days_in_year, rounding, day_count)
    business = _business(bundle, calendar, business_day)
    plan = _Plan(
        principal, rate, term, start, frequency, first_due, settled, installment_multiple, business
    )
    _originate(plan, "bullet", principal_grace, interest_free_periods, balloon)
    factor = ZERO
    for r in plan.rates:
        factor = CONTEXT.add(factor, r)
    interest = plan.round(CONTEXT.multiply(plan.principal, factor))
    zero = ZERO.quantize(plan.exp, context=CONTEXT)
    total = CONTEXT.add(plan.principal, interest)
    return _charged(plan.schedule("bullet", [(plan.principal, interest, total, zero)]), charges)


def flat(
    principal: Money,
    *,
    rate: Rate,
    term: int,
    start: date,
    frequency: Frequency = "monthly",
    first_due: date | None = None,
    accrual: Accrual | None = None,
    days_in_year: DaysInYear | None = None,
    rounding: RoundingMode | None = None,
    installment_multiple: Money | None = None,
    day_count: DayCount | None = None,
    calendar: Calendar | None = None,
    business_day: BusinessDay | None = None,
    conventions: Conventions | None = None,
    principal_grace: int = 0,
    interest_free_periods: int = 0,
    balloon: Money | None = None,
    fees: Sequence[Fee] = (),
) -> Schedule:
    """Flat rate (等本等息): equal principal plus a fixed charge on the *original* principal.

    The charge of each period is the original principal × the period's rate, rounded
    (the same every full period with `accrual="period"`); the principal part is
    principal / term rounded, the last part what remains. With `installment_multiple`
    the level installment (principal share + charge) is rounded to the multiple and the
    principal part is what it leaves after the charge. The "0.5% a month" offers: their
    true cost is [`Schedule.apr`][microloan.Schedule.apr], about twice the quoted 6% a
    year. Arguments are those of [`equal_installment`][microloan.equal_installment].

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate
        >>> offer = flat(Money("12000"), rate=Rate.monthly("0.5%"), term=12,
        ...              start=date(2026, 1, 15))
        >>> offer.installments[0].principal, offer.installments[0].interest, offer.total_interest
        (Money('1000.00', 'CNY'), Money('60.00', 'CNY'), Money('720.00', 'CNY'))
    """
    principal, charges = financed_principal(principal, fees)
    bundle = _bundle(conventions)
    settled = _settled(bundle, accrual, days_in_year, rounding, day_count)
    business = _business(bundle, calendar, business_day)
    plan = _Plan(
        principal, rate, term, start, frequency, first_due, settled, installment_multiple, business
    )
    _originate(plan, "flat", principal_grace, interest_free_periods, balloon)
    exp, decimal_rounding, ctx = plan.exp, plan.decimal_rounding, CONTEXT
    amount = plan.principal
    share = plan.level_share()
    if plan.multiple is None:
        level = plan.round(share)
    else:
        charge = ctx.multiply(amount, plan.nominal).quantize(exp, decimal_rounding, ctx)
        level = ctx.subtract(plan.round_level(ctx.add(share, charge)), charge)
    level = plan.level_principal(level)
    return _charged(plan.schedule("flat", _level_parts(plan, level, on_original=True)), charges)


@final
@attrs.frozen
class MethodSpec:
    """One schedule method as the library uses it: an entry of `METHODS`.

    Attributes:
        generate: the generator (`equal_installment`, …).
        title: how a schedule's summary names the method.
        level: what a re-amortised plan keeps level when a prepayment shortens the
            term (the first installment's total or principal part); `None` where the
            method has no level installment, so the term cannot be shortened.
        options: the schedule attributes, beyond the common ones, that the generator
            takes and a re-amortised plan inherits.
    """

    generate: Callable[..., Schedule]
    title: str
    level: Callable[[Schedule], Decimal] | None
    options: tuple[str, ...] = ()


def _first_level(schedule: Schedule) -> Installment:
    """The first installment past the grace and the interest-free periods: a level one."""
    after = max(schedule.principal_grace, schedule.interest_free_periods)
    return schedule.installments[min(after, len(schedule.installments) - 1)]


def _first_total(schedule: Schedule) -> Decimal:
    """The level installment, without its fees (a re-amortised plan carries none)."""
    first = _first_level(schedule)
    return CONTEXT.subtract(first.total.amount, first.fee.amount)


def _first_principal(schedule: Schedule) -> Decimal:
    return _first_level(schedule).principal.amount


METHODS: Final[Mapping[Method, MethodSpec]] = {
    "equal_installment": MethodSpec(
        equal_installment,
        "Equal installments",
        _first_total,
        ("interest_basis", "split", "residual"),
    ),
    "equal_principal": MethodSpec(equal_principal, "Equal principal", _first_principal),
    "interest_only": MethodSpec(interest_only, "Interest only", None),
    "bullet": MethodSpec(bullet, "Bullet", None),
    "flat": MethodSpec(flat, "Flat rate", _first_total),
}
"""Every [`Method`][microloan.Method] and how to use it: the one registry that credit lines,
products, the servicing engine and the command line select from. A new method is a
generator above, its name in `Method` and its entry here."""


def replan(
    schedule: Schedule, principal: Money, *, term: int, start: date, first_due: date
) -> Schedule:
    """`principal` re-amortised over `term` periods with `schedule`'s method and conventions.

    The periods run from `start`, the first falling due on `first_due`; rate, frequency,
    accrual, day count, rounding and the method's own options are the schedule's.
    """
    spec = METHODS[schedule.method]
    inherited = {name: getattr(schedule, name) for name in (*_CONVENTIONS, *spec.options)}
    # the grace, free periods and balloon ahead, found on the due dates as they fall
    inherited |= _origination_ahead(schedule, principal, term, first_due)
    if schedule.business_day != "none":  # step the new dates from the nominal ones
        nominal = {item.due_date: item.nominal_due for item in schedule.installments}
        first_due = nominal.get(first_due) or first_due
        if schedule.accrual == "period":  # periods priced on their nominal dates
            start = nominal.get(start) or start
    return spec.generate(principal, term=term, start=start, first_due=first_due, **inherited)


def _origination_ahead(
    schedule: Schedule, principal: Money, term: int, first_due: date
) -> dict[str, Any]:
    """The grace, interest-free periods and balloon still ahead of a plan re-made from `first_due`.

    The grace and interest-free periods already past are not granted again; the
    balloon stays while it is less than the principal re-planned. When a prepayment
    leaves no more principal than the balloon, every installment but the last pays
    interest only (a grace over all but the last) and the last repays the principal.
    """
    options: dict[str, Any] = {}
    if not (schedule.principal_grace or schedule.interest_free_periods or schedule.balloon):
        return options
    dues = [item.due_date for item in schedule.installments]
    past = dues.index(first_due) if first_due in dues else 0
    grace = min(max(schedule.principal_grace - past, 0), term - 1)
    free = min(max(schedule.interest_free_periods - past, 0), term - 1)
    balloon = schedule.balloon
    if balloon is not None and balloon.amount >= principal.amount:
        balloon = None
        if not free:
            grace = term - 1
    options.update(principal_grace=grace, interest_free_periods=free, balloon=balloon)
    return options


#: The schedule attributes every generator takes and a re-amortised plan keeps.
_CONVENTIONS: Final = (
    "rate",
    "frequency",
    "accrual",
    "days_in_year",
    "rounding",
    "installment_multiple",
    "day_count",
    "calendar",
    "business_day",
)
