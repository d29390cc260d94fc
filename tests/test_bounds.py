"""Bounds and junk at the edges: every public constructor validates, magnitudes are bounded.

Issues #12.7-#12.10 and #12.12: a value built directly, an unhashable or signalling option,
an amount or a date past what the library computes with, and a foreign operand are all
refused with the specific MicroloanError naming the field, never a bare KeyError or Overflow.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from microloan import (
    InvalidTypeError,
    InvalidValueError,
    Rate,
    from_dict,
    to_dict,
)

# -- A. Rate(value=..., unit=...) validates as the named constructors do (#12.9) ---------


@pytest.mark.parametrize("unit", ["yearly", [], None, 1, Decimal("sNaN")])
def test_a_rate_built_directly_has_a_known_unit(unit: Any) -> None:
    """An unknown unit is refused naming `unit`, not a KeyError or an unhashable crash."""
    with pytest.raises(InvalidValueError, match="unit"):
        Rate(value=Decimal("0.18"), unit=unit)


@pytest.mark.parametrize("value", [None, 0.18, [], object()])
def test_a_rate_built_directly_takes_a_decimal_int_or_str(value: Any) -> None:
    """A value of another type is refused naming the rate, not a TypeError from `<`."""
    with pytest.raises(InvalidTypeError, match="rate"):
        Rate(value=value, unit="annual")


@pytest.mark.parametrize("value", ["abc", "NaN", "-1%", "18", Decimal("sNaN"), "1e999999"])
def test_a_rate_built_directly_is_checked_against_the_same_bounds(value: Any) -> None:
    """Malformed, negative, non-finite or over-1,000% values are refused as by Rate.annual."""
    with pytest.raises(InvalidValueError, match="rate"):
        Rate(value=value, unit="annual")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, Rate.annual("100%")), ("18%", Rate.annual("18%")), (Decimal("0.18"), Rate.annual("18%"))],
)
def test_a_rate_built_directly_reads_the_named_constructors_grammar(
    value: Any, expected: Rate
) -> None:
    """`Rate(value=1, unit="annual")` is 100% a year, with a repr that works."""
    rate = Rate(value=value, unit="annual")
    assert rate == expected
    assert isinstance(rate.value, Decimal)
    assert repr(rate) == repr(expected)


def test_a_rate_document_still_round_trips() -> None:
    """Serialization rebuilds a Rate through its constructor: the format is unchanged."""
    rate = Rate.daily("5‱")
    assert from_dict(to_dict(rate)) == rate
    assert to_dict(rate)["value"] == "0.0005"
