"""Day counts, year fractions and month stepping."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

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


# ISDA's "30/360 Day Count Conventions" examples (isda.org, 22 December 2008), as QuantLib's
# test-suite/daycounters.cpp reproduces them in testThirty360_BondBasis: the 2006 Bond Basis.
_BOND_BASIS = [
    # Example 1: end dates not on the last day of February
    (date(2006, 8, 20), date(2007, 2, 20), 180),
    (date(2007, 2, 20), date(2007, 8, 20), 180),
    (date(2007, 8, 20), date(2008, 2, 20), 180),
    (date(2008, 2, 20), date(2008, 8, 20), 180),
    (date(2008, 8, 20), date(2009, 2, 20), 180),
    (date(2009, 2, 20), date(2009, 8, 20), 180),
    # Example 2: some end-February dates
    (date(2006, 8, 31), date(2007, 2, 28), 178),
    (date(2007, 2, 28), date(2007, 8, 31), 183),
    (date(2007, 8, 31), date(2008, 2, 29), 179),
    (date(2008, 2, 29), date(2008, 8, 31), 182),
    (date(2008, 8, 31), date(2009, 2, 28), 178),
    (date(2009, 2, 28), date(2009, 8, 31), 183),
    # Example 3: miscellaneous
    (date(2006, 1, 31), date(2006, 2, 28), 28),
    (date(2006, 1, 30), date(2006, 2, 28), 28),
    (date(2006, 2, 28), date(2006, 3, 3), 5),
    (date(2006, 2, 14), date(2006, 2, 28), 14),
    (date(2006, 9, 30), date(2006, 10, 31), 30),
    (date(2006, 10, 31), date(2006, 11, 28), 28),
    (date(2007, 8, 31), date(2008, 2, 28), 178),
    (date(2008, 2, 28), date(2008, 8, 28), 180),
    (date(2008, 2, 28), date(2008, 8, 30), 182),
    (date(2008, 2, 28), date(2008, 8, 31), 183),
    (date(2007, 2, 26), date(2008, 2, 28), 362),
    (date(2007, 2, 26), date(2008, 2, 29), 363),
    (date(2008, 2, 29), date(2009, 2, 28), 359),
    (date(2008, 2, 28), date(2008, 3, 30), 32),
    (date(2008, 2, 28), date(2008, 3, 31), 33),
]


@pytest.mark.parametrize(("start", "end", "days"), _BOND_BASIS)
def test_thirty_360_isda_is_the_bond_basis(start: date, end: date, days: int) -> None:
    """ "30/360 isda": a 31st start is the 30th; a 31st end too when the start is the 30th."""
    assert day_count(start, end, "30/360 isda") == days
    fraction = Fraction(year_fraction(start, end, "30/360 isda"))
    assert abs(fraction - Fraction(days, 360)) < Fraction(1, 10**30)


# The same ISDA examples for 30E/360 (ISDA), as QuantLib's testThirty360_ISDA reproduces
# them, each group with the termination date QuantLib passes (our `maturity`).
_GERMAN = [
    # Example 1, terminating 20 August 2009
    (date(2006, 8, 20), date(2007, 2, 20), date(2009, 8, 20), 180),
    (date(2007, 2, 20), date(2007, 8, 20), date(2009, 8, 20), 180),
    (date(2007, 8, 20), date(2008, 2, 20), date(2009, 8, 20), 180),
    (date(2008, 2, 20), date(2008, 8, 20), date(2009, 8, 20), 180),
    (date(2008, 8, 20), date(2009, 2, 20), date(2009, 8, 20), 180),
    (date(2009, 2, 20), date(2009, 8, 20), date(2009, 8, 20), 180),
    # Example 2, terminating 29 February 2012
    (date(2006, 2, 28), date(2006, 8, 31), date(2012, 2, 29), 180),
    (date(2006, 8, 31), date(2007, 2, 28), date(2012, 2, 29), 180),
    (date(2007, 2, 28), date(2007, 8, 31), date(2012, 2, 29), 180),
    (date(2007, 8, 31), date(2008, 2, 29), date(2012, 2, 29), 180),
    (date(2008, 2, 29), date(2008, 8, 31), date(2012, 2, 29), 180),
    (date(2008, 8, 31), date(2009, 2, 28), date(2012, 2, 29), 180),
    (date(2009, 2, 28), date(2009, 8, 31), date(2012, 2, 29), 180),
    (date(2009, 8, 31), date(2010, 2, 28), date(2012, 2, 29), 180),
    (date(2010, 2, 28), date(2010, 8, 31), date(2012, 2, 29), 180),
    (date(2010, 8, 31), date(2011, 2, 28), date(2012, 2, 29), 180),
    (date(2011, 2, 28), date(2011, 8, 31), date(2012, 2, 29), 180),
    (date(2011, 8, 31), date(2012, 2, 29), date(2012, 2, 29), 179),
    # Example 3, terminating 29 February 2008
    (date(2006, 1, 31), date(2006, 2, 28), date(2008, 2, 29), 30),
    (date(2006, 1, 30), date(2006, 2, 28), date(2008, 2, 29), 30),
    (date(2006, 2, 28), date(2006, 3, 3), date(2008, 2, 29), 3),
    (date(2006, 2, 14), date(2006, 2, 28), date(2008, 2, 29), 16),
    (date(2006, 9, 30), date(2006, 10, 31), date(2008, 2, 29), 30),
    (date(2006, 10, 31), date(2006, 11, 28), date(2008, 2, 29), 28),
    (date(2007, 8, 31), date(2008, 2, 28), date(2008, 2, 29), 178),
    (date(2008, 2, 28), date(2008, 8, 28), date(2008, 2, 29), 180),
    (date(2008, 2, 28), date(2008, 8, 30), date(2008, 2, 29), 182),
    (date(2008, 2, 28), date(2008, 8, 31), date(2008, 2, 29), 182),
    (date(2007, 2, 28), date(2008, 2, 28), date(2008, 2, 29), 358),
    (date(2007, 2, 28), date(2008, 2, 29), date(2008, 2, 29), 359),
    (date(2008, 2, 29), date(2009, 2, 28), date(2008, 2, 29), 360),
    (date(2008, 2, 29), date(2008, 3, 30), date(2008, 2, 29), 30),
    (date(2008, 2, 29), date(2008, 3, 31), date(2008, 2, 29), 30),
]


@pytest.mark.parametrize(("start", "end", "maturity", "days"), _GERMAN)
def test_thirty_e_360_isda_moves_month_ends_but_not_a_february_maturity(
    start: date, end: date, maturity: date, days: int
) -> None:
    """ "30e/360 isda": a month end counts as the 30th, unless it is a February maturity."""
    assert day_count(start, end, "30e/360 isda", maturity=maturity) == days
    fraction = Fraction(year_fraction(start, end, "30e/360 isda", maturity=maturity))
    assert abs(fraction - Fraction(days, 360)) < Fraction(1, 10**30)


@given(start=dates, end=dates)
def test_the_isda_thirty_360_conventions_differ_only_at_month_ends(start: date, end: date) -> None:
    """Away from the 30th, the 31st and February's end every 30/360 variant counts alike."""
    special = {start.day, end.day} & {29, 30, 31} or start.month == 2 or end.month == 2
    counts = {
        day_count(start, end, c) for c in ("30/360", "30e/360", "30/360 isda", "30e/360 isda")
    }
    if not special:
        assert len(counts) == 1


@given(start=dates, end=dates)
def test_thirty_360_isda_counts_are_antisymmetric(start: date, end: date) -> None:
    """The days from end to start are minus those from start to end, under every variant."""
    for convention in ("30/360 isda", "30e/360 isda"):
        assert day_count(end, start, convention) == -day_count(start, end, convention)
