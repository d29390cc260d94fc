"""Interest by the day (按日计息): the accrual every schedule and loan builds on.

Interest for a range of days is `principal × daily rate × days`, counting the
first day and not the last (算头不算尾). With `days_in_year="actual"` the daily
rate of an annual rate depends on the calendar year, so a range across 1
January is split and each part charged at its own year's daily rate.

The result is *unrounded*: round it (with an explicit mode) where it becomes
payable, or keep accruing and round once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from microloan._decimal import CONTEXT
from microloan._validators import check_date, check_days_in_year
from microloan.daycount import days_in_year as days_in_year_of
from microloan.errors import invalid, wrong_type
from microloan.money import Money, unchecked_money
from microloan.rates import DaysInYear, Rate


def daily_interest(
    principal: Money,
    rate: Rate,
    start: date,
    end: date,
    *,
    days_in_year: DaysInYear = 360,
) -> Money:
    """The unrounded interest on `principal` from `start` (counted) to `end` (not counted).

    Args:
        principal: the principal outstanding throughout the range.
        rate: the contract rate, in any unit.
        start: the first day that bears interest (a disbursement date).
        end: the day the range stops, not charged itself (a repayment date).
        days_in_year: 360 (PBoC, default), 365, or `"actual"` (365/366 by year,
            the range split at each 1 January).

    Returns:
        The interest, in full precision; round it where it becomes payable.

    Raises:
        InvalidValueError: `end` is before `start`, or `days_in_year` is not a convention.
        InvalidTypeError: `principal` is not Money or `rate` is not a Rate.

    Examples:
        >>> from datetime import date
        >>> daily_interest(Money("7600"), Rate.daily("0.05%"), date(2026, 1, 15), date(2026, 5, 18))
        Money('467.4000', 'CNY')
        >>> across = daily_interest(Money("10000"), Rate.annual("18.25%"),
        ...                         date(2023, 12, 31), date(2024, 1, 2), days_in_year="actual")
        >>> across.round()  # 5.00 for 31 Dec 2023 (365-day year) + 4.99 for 1 Jan 2024 (366)
        Money('9.99', 'CNY')
    """
    if not isinstance(principal, Money):
        raise wrong_type("principal", principal, "Money")
    if not isinstance(rate, Rate):
        raise wrong_type("rate", rate, "a Rate, e.g. Rate.annual('18%')")
    check_date(start, "start")
    check_date(end, "end")
    if end < start:
        raise invalid("end", end, f"is before start {start.isoformat()}")
    if rate.unit == "daily":
        # a quoted daily rate needs no days-in-year: principal × rate × days
        days = Decimal((end - start).days)
        return principal * CONTEXT.multiply(rate.value, days)
    # principal × annual rate × days / days-in-year, divided once at the end, so an
    # interest that is exactly half a fen stays exact (a tie rounds as it should)
    share = Fraction(0)
    year_days = check_days_in_year(days_in_year)
    if year_days != "actual":
        share = Fraction((end - start).days, year_days)
    else:
        cursor = start
        while cursor < end:
            stop = min(end, date(cursor.year + 1, 1, 1))
            share += Fraction((stop - cursor).days, days_in_year_of(cursor.year))
            cursor = stop
    numerator = CONTEXT.multiply(
        CONTEXT.multiply(principal.amount, rate.per_year()), Decimal(share.numerator)
    )
    return unchecked_money(
        CONTEXT.divide(numerator, Decimal(share.denominator)), principal.currency
    )
