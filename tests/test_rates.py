"""Rates: kept as quoted, converted by the PBoC convention or the caller's days-in-year."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import InvalidTypeError, InvalidValueError, Rate
from tests.strategies import ascii_id, rate_fractions


@pytest.mark.parametrize(
    ("text", "fraction"),
    [("18%", "0.18"), ("1.5‰", "0.0015"), ("5‱", "0.0005"), ("0.18", "0.18"), ("0.05 %", "0.0005")],
    ids=ascii_id,
)
def test_quoted_units_parse_exactly(text: str, fraction: str) -> None:
    """Percent, per mille, per ten thousand and plain fractions parse exactly."""
    assert Rate.annual(text).value == Decimal(fraction)


def test_pboc_conversions_known_answers() -> None:
    """银发〔2005〕129号: daily = annual / 360 = monthly / 30; monthly = annual / 12."""
    assert Rate.annual("18%").per_day() == Decimal("0.0005")
    assert Rate.annual("18%").per_month() == Decimal("0.015")
    assert Rate.monthly("1.5%").per_day() == Decimal("0.0005")
    assert Rate.daily("0.05%").per_month() == Decimal("0.015")


def test_daily_five_per_ten_thousand_is_18_on_360_and_18_25_on_365() -> None:
    """万分之五 a day: 18% a year on 360 days, 18.25% on 365 (card-industry quote)."""
    daily = Rate.daily("5‱")
    assert daily.per_year(360) == Decimal("0.18")
    assert daily.per_year(365) == Decimal("0.1825")


def test_actual_days_in_year_needs_the_year() -> None:
    """days_in_year="actual" uses 366 in a leap year and must be told the year."""
    assert Rate.daily("0.05%").per_year("actual", year=2024) == Decimal("0.183")
    assert Rate.daily("0.05%").per_year("actual", year=2023) == Decimal("0.1825")
    with pytest.raises(InvalidValueError, match="year"):
        Rate.daily("0.05%").per_year("actual")


def test_bad_days_in_year_is_refused() -> None:
    """Only 360, 365 and "actual" are conventions."""
    with pytest.raises(InvalidValueError, match="days_in_year: 364"):
        Rate.annual("18%").per_day(364)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["-1%", Decimal("-0.01")])
def test_negative_rates_are_refused(bad: object) -> None:
    """A negative rate is refused, naming the field."""
    with pytest.raises(InvalidValueError, match="rate"):
        Rate.annual(bad)  # type: ignore[arg-type]


def test_absurd_rate_is_refused_with_a_hint() -> None:
    """18 as a fraction is 1,800%: refused with a hint to write '18%'."""
    with pytest.raises(InvalidValueError, match="18%"):
        Rate.annual(18)
    with pytest.raises(InvalidValueError, match="rate"):
        Rate.daily("5%")


def test_float_rate_is_refused() -> None:
    """A float rate is a type error, like a float amount."""
    with pytest.raises(InvalidTypeError):
        Rate.annual(0.18)  # type: ignore[arg-type]


def test_rate_is_immutable() -> None:
    """Rates are frozen."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Rate.annual("18%").value = Decimal(0)  # type: ignore[misc]


def test_scaled_rate_keeps_its_unit() -> None:
    """A 1.5x penalty rate of 0.05%/day is 0.075%/day."""
    assert Rate.daily("0.05%").scaled("1.5") == Rate.daily("0.075%")


@given(rate_fractions, st.sampled_from(["annual", "monthly", "daily"]))
def test_repr_round_trips(value: Decimal, unit: str) -> None:
    """eval(repr(rate)) == rate for every unit."""
    if unit == "daily":
        value = value / 100
    rate = Rate(value=value, unit=unit)  # type: ignore[arg-type]
    assert eval(repr(rate), {"Rate": Rate}) == rate  # noqa: S307 - the property under test


@given(rate_fractions, st.sampled_from([360, 365]))
def test_unit_round_trips(value: Decimal, days: int) -> None:
    """annual -> daily -> annual and annual -> monthly -> annual return the figure (34 digits)."""
    annual = Rate.annual(value)
    via_day = Rate.daily(annual.per_day(days)).per_year(days)  # type: ignore[arg-type]
    via_month = Rate.monthly(annual.per_month()).per_year()
    assert abs(via_day - value) < Decimal("1e-30")
    assert abs(via_month - value) < Decimal("1e-30")
