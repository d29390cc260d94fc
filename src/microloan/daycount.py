"""Day counts, year fractions and month stepping that never drifts.

Day-count conventions (the `DayCount` option):

- `"act/360"`: actual days / 360 (the PBoC convention for loans in China).
- `"act/365"`: actual days / 365 ("Actual/365 Fixed").
- `"act/act"`: ISDA Actual/Actual: the days in each calendar year over that
  year's length (365 or 366), summed; a range across a year end is split.
- `"30/360"`: the US (NASD/SIA) 30/360: a day 31 counts as 30 when the
  start is on the 30th or 31st, and the last day of February counts as 30.
- `"30e/360"`: the Eurobond basis (ISDA 30E/360): every 31st counts as 30.
- `"30/360 isda"`: the ISDA 2006 Bond Basis (section 4.16(f)): a start on the 31st
  counts as 30, and an end on the 31st counts as 30 when the start is on the 30th
  or 31st; no February rule.
- `"30e/360 isda"`: ISDA 2006 30E/360 (ISDA) (section 4.16(h), the German basis): a
  date on the last day of its month counts as 30, except an end on the last day of
  February that is the contract's `maturity`.

Actual conventions are additive: the fraction of `[a, c)` is the fraction of
`[a, b)` plus that of `[b, c)`. The 30/360 conventions are not (that is the
point of them), so split 30/360 periods at the contract's own dates.

Months are added to an *anchor* date with `python-dateutil`'s `relativedelta`,
following the Civil Code art. 202: a period in months ends on the
corresponding day of the last month, or on that month's last day where it has
none. Due dates are always computed from the anchor, never from the previous
due date, so 31 Jan → 29 Feb → 31 Mar and not 29 Mar.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal, get_args

from dateutil.relativedelta import relativedelta

from microloan._decimal import CONTEXT
from microloan._validators import check_date as _check_date
from microloan._validators import check_int, check_option
from microloan.errors import invalid

#: The most months a date can move and stay in the calendar (0001-01-01 to 9999-12-31).
_MAX_MONTHS: Final = 12 * 9999

DayCount = Literal[
    "act/360", "act/365", "act/act", "30/360", "30e/360", "30/360 isda", "30e/360 isda"
]
"""A day-count convention name.

`"act/360"` (PBoC loans, money markets), `"act/365"` (spreadsheet XIRR, sterling),
`"act/act"` (ISDA Actual/Actual: government bonds), `"30/360"` (US NASD/SIA:
US mortgages and corporate bonds), `"30e/360"` (Eurobond basis), `"30/360 isda"`
(ISDA 2006 Bond Basis: swaps and euro bonds) and `"30e/360 isda"` (ISDA 2006
30E/360 (ISDA), the German basis: German mortgages and Schuldschein loans).
"""

DAY_COUNTS: Final[tuple[DayCount, ...]] = get_args(DayCount)


def _check_convention(convention: object) -> DayCount:
    return check_option(  # type: ignore[no-any-return]
        "convention",
        convention,
        DayCount,
        reason=f"is not a day count; use one of {list(DAY_COUNTS)}",
    )


def days_in_year(year: int) -> int:
    """Return 366 for a leap year and 365 otherwise.

    Examples:
        >>> days_in_year(2024), days_in_year(2026), days_in_year(1900), days_in_year(2000)
        (366, 365, 365, 366)
    """
    return 366 if calendar.isleap(check_int("year", year, minimum=1)) else 365


def month_end(day: date) -> date:
    """Return the last day of the month of `day`.

    Examples:
        >>> from datetime import date
        >>> month_end(date(2024, 2, 10))
        datetime.date(2024, 2, 29)
    """
    _check_date(day, "day")
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(anchor: date, months: int) -> date:
    """Add whole months to an anchor date, clipping to the month's last day.

    Always step from the *anchor*: `add_months(anchor, k)` for the k-th due
    date, never `add_months(previous_due, 1)`, or the day drifts.

    Args:
        anchor: the start date (a disbursement or first due date).
        months: how many months to add; may be negative.

    Raises:
        InvalidValueError: the result would fall past 9999-12-31 (or before 0001-01-01),
            the ends of Python's calendar.

    Examples:
        >>> from datetime import date
        >>> jan31 = date(2024, 1, 31)
        >>> [add_months(jan31, k).isoformat() for k in range(4)]
        ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']
    """
    _check_date(anchor, "anchor")
    check_int("months", months)
    end = f"past {date.max.isoformat()}" if months > 0 else f"before {date.min.isoformat()}"
    if abs(months) > _MAX_MONTHS:
        raise invalid("months", months, f"takes {anchor.isoformat()} {end}")
    try:
        result: date = anchor + relativedelta(months=months)
    except ValueError:  # "year 10000 is out of range"
        raise invalid("months", months, f"takes {anchor.isoformat()} {end}") from None
    return result


def _is_feb_end(day: date) -> bool:
    return day.month == 2 and day.day == calendar.monthrange(day.year, 2)[1]


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _thirty_360(start: date, end: date, convention: DayCount, maturity: date | None) -> int:
    d1, d2 = start.day, end.day
    if convention == "30e/360":
        d1, d2 = min(d1, 30), min(d2, 30)
    elif convention == "30/360 isda":  # ISDA 2006 4.16(f), the Bond Basis
        d1 = min(d1, 30)
        if d2 == 31 and d1 == 30:
            d2 = 30
    elif convention == "30e/360 isda":  # ISDA 2006 4.16(h)
        if _is_month_end(start):
            d1 = 30
        if _is_month_end(end) and not (end.month == 2 and end == maturity):
            d2 = 30
    else:
        if _is_feb_end(start) and _is_feb_end(end):
            d2 = 30
        if _is_feb_end(start):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
        d1 = min(d1, 30)
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def day_count(
    start: date, end: date, convention: DayCount = "act/360", *, maturity: date | None = None
) -> int:
    """Count the days from `start` to `end` under a convention (negative if `end` is earlier).

    The actual conventions count calendar days (`end - start`): the start day is
    counted and the end day is not (算头不算尾).

    Args:
        start: the first day.
        end: the day after the last.
        convention: the [`DayCount`][microloan.DayCount] (default `"act/360"`).
        maturity: the contract's last date, for `"30e/360 isda"` only: an `end` on
            it that is the last day of February is not moved to the 30th.

    Examples:
        >>> from datetime import date
        >>> day_count(date(2024, 1, 31), date(2024, 3, 1))
        30
        >>> day_count(date(2024, 1, 31), date(2024, 3, 1), "30/360")
        31
        >>> day_count(date(2008, 2, 29), date(2008, 3, 31), "30/360 isda")
        32
        >>> day_count(date(2011, 8, 31), date(2012, 2, 29), "30e/360 isda")
        180
        >>> day_count(date(2011, 8, 31), date(2012, 2, 29), "30e/360 isda",
        ...           maturity=date(2012, 2, 29))
        179
    """
    _check_date(start, "start")
    _check_date(end, "end")
    convention = _check_convention(convention)
    if maturity is not None:
        _check_date(maturity, "maturity")
    if end < start:
        return -day_count(end, start, convention, maturity=maturity)
    if convention.startswith("30"):
        return _thirty_360(start, end, convention, maturity)
    return (end - start).days


def _fraction(
    start: date, end: date, convention: DayCount, maturity: date | None = None
) -> Fraction:
    if convention == "act/act":
        total = Fraction(0)
        cursor = start
        while cursor < end:
            year_end = date(cursor.year + 1, 1, 1)
            stop = min(end, year_end)
            total += Fraction((stop - cursor).days, days_in_year(cursor.year))
            cursor = stop
        return total
    basis = 365 if convention == "act/365" else 360
    return Fraction(day_count(start, end, convention, maturity=maturity), basis)


def year_fraction(
    start: date, end: date, convention: DayCount = "act/360", *, maturity: date | None = None
) -> Decimal:
    """The fraction of a year from `start` to `end` under a convention.

    The result is exact where it terminates and otherwise correct to 34
    significant digits (the library's decimal context). `maturity` is that of
    [`day_count`][microloan.day_count] (`"30e/360 isda"` only).

    Examples:
        >>> from datetime import date
        >>> year_fraction(date(2024, 1, 1), date(2024, 7, 1), "act/360")
        Decimal('0.5055555555555555555555555555555556')
        >>> from decimal import Decimal
        >>> isda = year_fraction(date(2003, 11, 1), date(2004, 5, 1), "act/act")
        >>> isda.quantize(Decimal("1e-12"))  # 61/365 + 121/366, the ISDA example
        Decimal('0.497724380567')
    """
    _check_date(start, "start")
    _check_date(end, "end")
    convention = _check_convention(convention)
    if maturity is not None:
        _check_date(maturity, "maturity")
    if end < start:
        return CONTEXT.minus(year_fraction(end, start, convention, maturity=maturity))
    share = _fraction(start, end, convention, maturity)
    return CONTEXT.divide(Decimal(share.numerator), Decimal(share.denominator))
