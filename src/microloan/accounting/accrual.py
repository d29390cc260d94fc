"""Daily accrual: the income each loan earns, day by day, exactly as its position accrues it.

A loan's income to the end of a day is what it owes of interest, penalty and fees on
that day plus what was paid and waived of them so far: the accrual of a day is the
change in that sum. So the accruals are, by construction, exactly what
[`Loan.position`][microloan.Loan.position] accrues, and they add up over any split of
the days: the accruals over `[a, b)` and `[b, c)` are those over `[a, c)`.

**Non-accrual** (停止计息 / 非应计): from the end of the day a loan reaches
`non_accrual_days` days past due (default 90, the non-performing threshold of the Basel
Committee's *Prudential treatment of problem assets* (2017), and the substandard threshold
of the 2023 measures on the risk classification of financial assets (金融资产风险分类办法))
its accruals are kept off balance sheet (表外) instead of income, and, with
`non_accrual="reverse"` (the default: the 90-day rule of 《金融企业会计制度》 (2001), under
which interest on a loan over 90 days overdue stops accruing, what was accrued is written
back out of income and it is kept off balance sheet), the
interest, penalty and fees accrued and unpaid are reversed out of income into the
off-balance memo. When the loan is cured (below the threshold again) what is still owed
returns to the books.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final, Literal, final

import attrs

from microloan._decimal import in_context
from microloan._validators import check_date, check_int, check_option, date_field, option
from microloan.errors import MicroloanError, invalid, wrong_type
from microloan.money import Money
from microloan.terms import NON_ACCRUAL_DAYS

if TYPE_CHECKING:
    from microloan.lines import CreditLine
    from microloan.loans import Loan, LoanPosition, Transaction

AccrualComponent = Literal["interest", "penalty", "fees"]
"""What a loan earns: contract interest, penalty interest (罚息) and fees."""

Book = Literal["income", "off_balance"]
"""Where an accrual is booked: `"income"`, or `"off_balance"` (表外) while the loan is in
non-accrual."""

NonAccrualPolicy = Literal["reverse", "keep"]
"""What happens to income accrued and unpaid when a loan enters non-accrual: `"reverse"`
(the default: written back out of income into the off-balance memo, as 《金融企业会计制度》
and IFRS 9's stage-3 practice of banks do) or `"keep"` (left in income; only later accruals
go off balance, the US regulators' call-report option of keeping what was accrued when it is
judged collectible)."""


_COMPONENTS: Final[tuple[AccrualComponent, ...]] = ("interest", "penalty", "fees")


@final
@attrs.frozen(kw_only=True)
class AccrualEntry:
    """One day's accrual of one component of one loan.

    Attributes:
        on: the day the income was earned (end of day).
        component: `"interest"`, `"penalty"` or `"fees"`.
        amount: what was earned that day, in whole minor units (negative only when the
            loan's own figures fall, such as interest recomputed after a prepayment).
        book: `"income"`, or `"off_balance"` while the loan is in non-accrual.
        loan_id: the loan it belongs to (a drawdown's index on a credit line; the
            portfolio's key in a portfolio journal), `None` for a loan on its own.

    Examples:
        >>> from datetime import date
        >>> from microloan import Loan, Money, Rate
        >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
        ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
        >>> loan.accruals(start=date(2026, 1, 1), end=date(2026, 1, 3))[0]
        AccrualEntry(on=datetime.date(2026, 1, 2), component='interest', amount=Money('0.50', 'CNY'), book='income', loan_id=None)
    """

    on: date = attrs.field(validator=date_field)
    component: AccrualComponent = attrs.field(validator=option(AccrualComponent))
    amount: Money = attrs.field(validator=lambda _i, _a, v: check_whole_money("amount", v))
    book: Book = attrs.field(validator=option(Book))
    loan_id: str | int | None = attrs.field(
        default=None, validator=lambda _i, _a, v: check_loan_id(v)
    )


def check_whole_money(field: str, value: object, *, positive: bool = False) -> Money:
    """`value` if it is Money in whole minor units (and above zero when `positive`)."""
    if not isinstance(value, Money):
        raise wrong_type(field, value, "Money")
    if not value.is_whole:
        raise invalid(field, value, "must be in whole minor units")
    if positive and value.amount <= 0:
        raise invalid(field, value, "must be positive")
    return value


def check_loan_id(value: object) -> object:
    """`value` if it names a loan: a str, an int (never a bool) or None."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
        raise wrong_type("loan_id", value, "a loan id (a str, an int or None)")
    return value


@final
@attrs.frozen(kw_only=True)
class Day:
    """What the books need of one day of a loan (internal to the wing)."""

    on: date
    earned: tuple[int, int, int]  # interest, penalty, fees earned to the end of the day
    owed: tuple[int, int, int]  # of which still owed
    principal: int
    days_past_due: int
    written_off: bool
    transactions: tuple[Transaction, ...]


def history(loan: Loan, until: date) -> tuple[Transaction, ...]:
    """The loan's transactions dated on or before `until`, automatic credit use included.

    A credit held on the loan pays what falls due on its own; the loan lists that use once a
    later transaction moves it past the date. A fee charged the day after `until` (on a copy)
    moves it there, so every use up to `until` is listed.
    """
    probe = loan
    try:
        probe = loan.charge_fee(Money.from_minor_units(1, loan.currency), on=until + timedelta(1))
    except (MicroloanError, OverflowError):  # the last day of the calendar: nothing after it
        probe = loan
    return tuple(t for t in probe.transactions if t.on <= until)


def _units(money: Money) -> int:
    return money.minor_units


def days(loan: Loan, until: date) -> Iterator[Day]:
    """Each day from the disbursement to `until`, with the loan's figures at its end."""
    txns = history(loan, until)
    paid = [0, 0, 0]
    index = 0
    day = loan.start
    while day <= until:
        todays: list[Transaction] = []
        while index < len(txns) and txns[index].on == day:
            t = txns[index]
            todays.append(t)
            if t.kind in ("repayment", "credit", "waiver", "recovery"):
                for a in t.allocations:
                    if a.component in ("interest", "penalty", "fees"):
                        paid[_COMPONENTS.index(a.component)] += _units(a.amount)
            index += 1
        p: LoanPosition = loan.position(on=day)
        owed = (
            _units(p.interest_accrued),
            _units(p.penalty_outstanding),
            _units(p.fees_outstanding),
        )
        yield Day(
            on=day,
            earned=(owed[0] + paid[0], owed[1] + paid[1], owed[2] + paid[2]),
            owed=owed,
            principal=_units(p.principal_outstanding),
            days_past_due=p.days_past_due,
            written_off=p.status == "written_off",
            transactions=tuple(todays),
        )
        day += timedelta(1)


MAX_BOOKED_DAYS: Final = 3660
"""The longest span the books replay day by day from a loan's disbursement: ten years."""


def check_reach(loan: Loan, last: date, field: str, value: date) -> None:
    """Refuse a last day more than `MAX_BOOKED_DAYS` after the loan's disbursement."""
    if (last - loan.start).days > MAX_BOOKED_DAYS:
        raise invalid(
            field,
            value,
            f"is more than {MAX_BOOKED_DAYS} days after the disbursement on "
            f"{loan.start.isoformat()}: the books replay a loan day by day for ten years at most",
        )


def check_policy(non_accrual_days: object, non_accrual: object) -> tuple[int, NonAccrualPolicy]:
    """The non-accrual options, checked."""
    threshold = check_int("non_accrual_days", non_accrual_days, minimum=1)
    policy: NonAccrualPolicy = check_option("non_accrual", non_accrual, NonAccrualPolicy)
    return threshold, policy


def check_span(start: object, end: object) -> tuple[date, date]:
    """`start` and `end` as dates, `end` not before `start`."""
    first, last = check_date(start, "start"), check_date(end, "end")
    if last < first:
        raise invalid("end", last, f"is before start {first.isoformat()}")
    return first, last


def rows(
    loan: Loan,
    start: date,
    end: date,
    threshold: int,
    loan_id: str | int | None = None,
) -> list[AccrualEntry]:
    """The accrual rows of `loan` on the days of `[start, end)`."""
    last = end - timedelta(1)
    out: list[AccrualEntry] = []
    if last < loan.start:
        return out
    check_reach(loan, last, "end", end)
    before = (0, 0, 0)
    in_non_accrual = False
    currency = loan.currency
    for day in days(loan, last):
        if day.on >= start:
            book: Book = "off_balance" if in_non_accrual else "income"
            for i, component in enumerate(_COMPONENTS):
                change = day.earned[i] - before[i]
                if change:
                    out.append(
                        AccrualEntry(
                            on=day.on,
                            component=component,
                            amount=Money.from_minor_units(change, currency),
                            book=book,
                            loan_id=loan_id,
                        )
                    )
        before = day.earned
        in_non_accrual = not day.written_off and day.days_past_due >= threshold
    return out


@in_context
def loan_accruals(
    loan: Loan,
    start: date,
    end: date,
    *,
    non_accrual_days: int = NON_ACCRUAL_DAYS,
    non_accrual: NonAccrualPolicy = "reverse",
) -> tuple[AccrualEntry, ...]:
    """The rows of [`Loan.accruals`][microloan.Loan.accruals]."""
    first, last = check_span(start, end)
    threshold, _ = check_policy(non_accrual_days, non_accrual)
    return tuple(rows(loan, first, last, threshold))


@in_context
def line_accruals(
    line: CreditLine,
    start: date,
    end: date,
    *,
    non_accrual_days: int = NON_ACCRUAL_DAYS,
    non_accrual: NonAccrualPolicy = "reverse",
) -> tuple[AccrualEntry, ...]:
    """The rows of [`CreditLine.accruals`][microloan.CreditLine.accruals]."""
    first, last = check_span(start, end)
    threshold, _ = check_policy(non_accrual_days, non_accrual)
    out: list[AccrualEntry] = []
    for i, loan in enumerate(line.drawdowns):
        out.extend(rows(loan, first, last, threshold, loan_id=i))
    out.sort(key=lambda r: r.on)
    return tuple(out)
