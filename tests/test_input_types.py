"""Bad input types get a specific MicroloanError naming the field (issue: every cent right)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from microloan import (
    InvalidTypeError,
    InvalidValueError,
    Money,
    Rate,
    add_months,
    daily_interest,
    day_count,
    days_in_year,
    irr,
    month_end,
    year_fraction,
)


@pytest.mark.parametrize(
    "call",
    [
        lambda: daily_interest(
            Money("1000"),
            Rate.annual("36%"),
            datetime(2026, 1, 1, 23, tzinfo=UTC),
            date(2026, 1, 2),
        ),
        lambda: daily_interest(
            Money("1000"), Rate.annual("36%"), date(2026, 1, 1), datetime(2026, 1, 2, 1, tzinfo=UTC)
        ),
        lambda: add_months(datetime(2026, 1, 31, tzinfo=UTC), 1),
        lambda: month_end(datetime(2026, 1, 31, tzinfo=UTC)),
        lambda: day_count(datetime(2026, 1, 1, tzinfo=UTC), date(2026, 2, 1)),
        lambda: year_fraction(date(2026, 1, 1), datetime(2026, 2, 1, tzinfo=UTC)),
    ],
)
def test_a_datetime_is_not_a_date(call: Any) -> None:
    """A datetime carries a time of day the day counts would drop: refused, as elsewhere."""
    with pytest.raises(InvalidTypeError, match="datetime"):
        call()


@pytest.mark.parametrize("weights", ["12", b"12", {1: 1, 2: 2}, 5])
def test_allocate_takes_a_sequence_of_weights_not_a_string_or_mapping(weights: Any) -> None:
    """'12' is not the weights [1, 2], nor a dict its keys."""
    with pytest.raises(InvalidTypeError, match="weights"):
        Money("10").allocate(weights)


@pytest.mark.parametrize("value", [365.0, Decimal(360), True, "360"])
def test_days_in_year_is_the_int_360_or_365_or_actual(value: Any) -> None:
    """Other types would be stored as given and could not be written to a document."""
    with pytest.raises(InvalidValueError, match="days_in_year"):
        Rate.annual("18%").per_day(value)
    with pytest.raises(InvalidValueError, match="days_in_year"):
        daily_interest(
            Money("1000"),
            Rate.annual("18%"),
            date(2026, 1, 1),
            date(2026, 2, 1),
            days_in_year=value,
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda: days_in_year(True),
        lambda: days_in_year("2024"),  # type: ignore[arg-type]
        lambda: month_end(1),  # type: ignore[arg-type]
        lambda: irr(5),  # type: ignore[arg-type]
    ],
)
def test_public_helpers_check_their_arguments(call: Any) -> None:
    """A bool is not a year, an int is not a date, one number is not a list of flows."""
    with pytest.raises(InvalidTypeError):
        call()
