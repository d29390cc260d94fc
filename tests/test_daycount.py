"""Day counts, year fractions and month stepping."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    InvalidTypeError,
    InvalidValueError,
    add_months,
    day_count,
    month_end,
    year_fraction,
)
from tests.strategies import actual_conventions, dates


def test_actual_days_count_the_first_day_not_the_last() -> None:
    """算头不算尾: 1 Jan to 31 Jan is 30 days of interest."""
    assert day_count(date(2026, 1, 1), date(2026, 1, 31)) == 30


def test_isda_actual_actual_known_answer() -> None:
    """ISDA 'Actual/Actual' (1999 memo, as in QuantLib's tests): 1 Nov 2003 - 1 May 2004."""
    got = year_fraction(date(2003, 11, 1), date(2004, 5, 1), "act/act")
    assert abs(got - Decimal("0.497724380567")) < Decimal("1e-12")  # 61/365 + 121/366


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        # ISDA 2006 §4.16(g) 30E/360 examples (reproduced in QuantLib's day-counter tests)
        (date(2006, 8, 20), date(2007, 2, 20), 180),
        (date(2006, 2, 28), date(2006, 8, 31), 182),
        (date(2007, 2, 26), date(2007, 8, 31), 184),
        (date(2008, 2, 29), date(2008, 8, 31), 181),
        (date(2007, 1, 31), date(2007, 2, 28), 28),
    ],
)
def test_thirty_e_360_known_answers(start: date, end: date, days: int) -> None:
    """30E/360 (Eurobond basis): every 31st counts as the 30th."""
    assert day_count(start, end, "30e/360") == days


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        # 30/360 US (SIA rules, as documented for the "30U/360" basis):
        (date(2006, 2, 28), date(2006, 8, 31), 180),  # Feb end counts as 30, then 31 -> 30
        (date(2008, 2, 29), date(2008, 8, 31), 180),
        (date(2007, 2, 28), date(2008, 2, 29), 360),  # both Feb ends
        (date(2007, 1, 15), date(2007, 1, 31), 16),  # 31st kept: start before the 30th
        (date(2007, 1, 30), date(2007, 1, 31), 0),
    ],
)
def test_thirty_360_us_known_answers(start: date, end: date, days: int) -> None:
    """30/360 US: the February and 31st rules of the SIA standard."""
    assert day_count(start, end, "30/360") == days


def test_unknown_convention_is_refused() -> None:
    """A convention outside the list raises InvalidValueError naming it."""
    with pytest.raises(InvalidValueError, match="convention: 'act/364'"):
        day_count(date(2026, 1, 1), date(2026, 2, 1), "act/364")  # type: ignore[arg-type]


def test_non_dates_are_refused() -> None:
    """Strings are not dates."""
    with pytest.raises(InvalidTypeError, match="start"):
        day_count("2026-01-01", date(2026, 2, 1))  # type: ignore[arg-type]


def test_month_stepping_from_the_31st_returns_to_the_31st() -> None:
    """Civil Code art. 202: 31 Jan -> 29 Feb 2024 -> 31 Mar -> 30 Apr."""
    anchor = date(2024, 1, 31)
    assert [add_months(anchor, k) for k in range(1, 4)] == [
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


@given(dates, st.integers(0, 400))
def test_month_stepping_never_drifts(anchor: date, months: int) -> None:
    """The k-th month is the anchor's day, or the month's last day if it is shorter."""
    due = add_months(anchor, months)
    assert (due.year * 12 + due.month) - (anchor.year * 12 + anchor.month) == months
    assert due.day == anchor.day or (due == month_end(due) and due.day < anchor.day)


@given(dates, st.integers(0, 2000), st.integers(0, 2000), actual_conventions)
def test_year_fraction_is_additive_over_adjacent_ranges(
    start: date, first: int, second: int, convention: str
) -> None:
    """For actual conventions, fraction(a, c) = fraction(a, b) + fraction(b, c)."""
    middle, end = start + timedelta(first), start + timedelta(first + second)
    whole = year_fraction(start, end, convention)  # type: ignore[arg-type]
    parts = year_fraction(start, middle, convention) + year_fraction(middle, end, convention)  # type: ignore[arg-type]
    assert abs(whole - parts) < Decimal("1e-25")  # 34-digit rounding of each part


@given(dates, dates, st.sampled_from(["act/360", "act/365", "act/act", "30/360", "30e/360"]))
def test_reversing_the_range_negates_the_count(a: date, b: date, convention: str) -> None:
    """day_count(b, a) == -day_count(a, b)."""
    assert day_count(b, a, convention) == -day_count(a, b, convention)  # type: ignore[arg-type]
