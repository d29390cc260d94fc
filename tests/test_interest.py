"""Daily interest accrual: principal × daily rate × days, first day counted, last not."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import InvalidTypeError, InvalidValueError, Money, Rate
from microloan.interest import daily_interest
from tests.strategies import dates, positive_cny


def test_a_merchant_pays_for_the_days_used() -> None:
    """The platform's average merchant: 7,600 at 0.05%/day for 123 days = 7600 × 0.0005 × 123 = 467.40 (by hand)."""
    got = daily_interest(Money("7600"), Rate.daily("0.05%"), date(2026, 1, 15), date(2026, 5, 18))
    assert got == Money("467.40")


def test_actual_days_split_at_the_year_end() -> None:
    """10,000 at 18.25%: 1 day in 2023 costs 10000×0.1825/365 = 5; 1 day in 2024, /366."""
    got = daily_interest(
        Money("10000"),
        Rate.annual("18.25%"),
        date(2023, 12, 31),
        date(2024, 1, 2),
        days_in_year="actual",
    )
    expected = Decimal(5) + Decimal(1825) / Decimal(366)
    assert abs(got.amount - expected) < Decimal("1e-25")


def test_end_before_start_is_refused() -> None:
    """A range that runs backwards is an error naming `end`."""
    with pytest.raises(InvalidValueError, match="end"):
        daily_interest(Money(1), Rate.annual("18%"), date(2026, 2, 1), date(2026, 1, 1))


def test_rate_must_be_a_rate() -> None:
    """A bare number is not a rate."""
    with pytest.raises(InvalidTypeError, match="rate"):
        daily_interest(Money(1), Decimal("0.18"), date(2026, 1, 1), date(2026, 2, 1))  # type: ignore[arg-type]


@given(positive_cny(), dates, st.integers(0, 800), st.integers(0, 800))
def test_accrual_is_additive_over_adjacent_ranges(
    principal: Money, start: date, first: int, second: int
) -> None:
    """Interest for [a, c) is interest for [a, b) plus [b, c), under every days-in-year."""
    rate = Rate.annual("18%")
    middle, end = start + timedelta(first), start + timedelta(first + second)
    for diy in (360, 365, "actual"):
        whole = daily_interest(principal, rate, start, end, days_in_year=diy)
        parts = daily_interest(principal, rate, start, middle, days_in_year=diy) + daily_interest(
            principal,
            rate,
            middle,
            end,
            days_in_year=diy,
        )
        assert abs(whole.amount - parts.amount) < Decimal("1e-20")


def test_an_exact_half_fen_is_kept_exact_so_it_rounds_half_up() -> None:
    """15,315 × 21% × 28 / 360 = 250.145 exactly (by hand), which rounds half-up to 250.15."""
    got = daily_interest(Money("15315"), Rate.annual("21%"), date(2026, 1, 1), date(2026, 1, 29))
    assert got.amount == Decimal("250.145")
    assert got.round() == Money("250.15")


def test_unknown_days_in_year_is_refused() -> None:
    """Only 360, 365 and "actual" are conventions."""
    with pytest.raises(InvalidValueError, match="days_in_year: 364"):
        daily_interest(
            Money(1),
            Rate.annual("18%"),
            date(2026, 1, 1),
            date(2026, 2, 1),
            days_in_year=364,  # type: ignore[arg-type]
        )
