"""Money: exact amounts, explicit rounding, conservation of every cent."""

from __future__ import annotations

import pickle
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    CurrencyMismatchError,
    InvalidTypeError,
    InvalidValueError,
    MicroloanError,
    Money,
    minor_unit_places,
)
from tests.strategies import any_decimal, ascii_id, currencies, weights, whole_money


def test_float_amount_is_refused_with_advice() -> None:
    """A float never becomes money; the message says to pass a str or Decimal."""
    with pytest.raises(InvalidTypeError, match=r"amount: 0\.1 is a float; pass a str or Decimal"):
        Money(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "sNaN", "abc", ""])
def test_non_finite_or_malformed_amounts_are_refused(bad: str) -> None:
    """NaN, infinities and junk strings raise InvalidValueError naming the field."""
    with pytest.raises(InvalidValueError, match="amount"):
        Money(bad)


def test_int_str_and_decimal_amounts_are_accepted_exactly() -> None:
    """Ints, strings and Decimals all give the same exact amount."""
    assert Money(10) == Money("10.00") == Money(Decimal(10))
    assert Money("10.50").amount == Decimal("10.50")


def test_unknown_currency_is_refused() -> None:
    """A currency must be a known ISO 4217 code."""
    with pytest.raises(InvalidValueError, match="currency: 'XYZ'"):
        Money(1, "XYZ")
    with pytest.raises(InvalidTypeError, match="currency"):
        Money(1, 156)  # type: ignore[arg-type]


def test_minor_units_follow_iso_4217() -> None:
    """CNY and USD have 2 places, JPY and KRW none, KWD 3 (ISO 4217 table)."""
    assert [minor_unit_places(c) for c in ("CNY", "USD", "EUR", "JPY", "KRW", "KWD")] == [
        2,
        2,
        2,
        0,
        0,
        3,
    ]


def test_mixing_currencies_raises() -> None:
    """Adding, subtracting or ordering different currencies raises CurrencyMismatchError."""
    cny, usd = Money(1), Money(1, "USD")
    for op in (lambda: cny + usd, lambda: cny - usd, lambda: cny < usd, lambda: cny >= usd):
        with pytest.raises(CurrencyMismatchError):
            op()
    assert cny != usd


def test_money_is_immutable_and_pickles() -> None:
    """Money cannot be changed in place and survives pickling."""
    m = Money("1.23")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        m.amount = Decimal(2)  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(m)) == m


def test_multiplying_money_by_money_is_refused() -> None:
    """Money times money has no meaning."""
    with pytest.raises(InvalidTypeError):
        Money(2) * Money(3)  # type: ignore[operator]


def test_division_by_zero_is_a_clear_error() -> None:
    """Dividing by zero raises InvalidValueError naming the divisor."""
    with pytest.raises(InvalidValueError, match="divisor"):
        Money(1) / 0


def test_division_by_money_gives_a_ratio() -> None:
    """Money / Money of one currency is a Decimal ratio."""
    assert Money(3) / Money(4) == Decimal("0.75")


def test_rounding_modes_known_answers() -> None:
    """The six modes agree with the definitions in the Python decimal documentation."""
    cases = {
        "half_up": ("2.35", "-2.35", "2.34"),
        "half_even": ("2.34", "-2.34", "2.34"),
        "down": ("2.34", "-2.34", "2.34"),
        "up": ("2.35", "-2.35", "2.35"),
        "ceiling": ("2.35", "-2.34", "2.35"),
        "floor": ("2.34", "-2.35", "2.34"),
    }
    for mode, (pos, neg, low) in cases.items():
        assert Money("2.345").round(mode).amount == Decimal(pos)  # type: ignore[arg-type]
        assert Money("-2.345").round(mode).amount == Decimal(neg)  # type: ignore[arg-type]
        assert Money("2.341").round(mode).amount == Decimal(low)  # type: ignore[arg-type]


def test_unknown_rounding_mode_is_refused() -> None:
    """A rounding mode outside the six names raises InvalidValueError."""
    with pytest.raises(InvalidValueError, match="mode: 'bankers'"):
        Money(1).round("bankers")  # type: ignore[arg-type]


def test_sum_of_money_works() -> None:
    """The built-in sum() adds a list of amounts."""
    assert sum([Money("1.10"), Money("2.20"), Money("3.30")]) == Money("6.60")


def test_allocate_refuses_fractions_of_a_minor_unit() -> None:
    """Allocation needs a whole number of minor units to start with."""
    with pytest.raises(InvalidValueError, match="minor units"):
        Money("1.005").allocate([1, 1])


def test_allocate_refuses_bad_weights() -> None:
    """Negative weights, all-zero weights and no weights are refused."""
    with pytest.raises(InvalidValueError, match=r"weights\[1\]"):
        Money(1).allocate([1, -1])
    with pytest.raises(InvalidValueError, match="weights"):
        Money(1).allocate([0, 0])
    with pytest.raises(InvalidValueError, match="weights"):
        Money(1).allocate([])


def test_allocate_tie_goes_to_the_earlier_part() -> None:
    """Equal remainders: the left-over minor unit goes to the earlier part."""
    assert Money("0.01").allocate([1, 1]) == (Money("0.01"), Money("0.00"))
    assert Money("-0.01").allocate([1, 1]) == (Money("-0.01"), Money("0.00"))


@given(whole_money(), weights)
def test_allocation_conserves_every_minor_unit(money: Money, ws: list[int]) -> None:
    """Allocated parts add up exactly to the whole."""
    parts = money.allocate(ws)
    assert len(parts) == len(ws)
    assert sum(parts, Money.zero(money.currency)) == money
    assert all(p.is_whole and p.currency == money.currency for p in parts)


@given(whole_money(), weights)
def test_allocation_is_fair_to_within_one_minor_unit(money: Money, ws: list[int]) -> None:
    """No part differs from its exact share by a whole minor unit or more."""
    total = sum(ws)
    for part, w in zip(money.allocate(ws), ws, strict=True):
        exact = Fraction(money.minor_units) * w / total
        assert abs(part.minor_units - exact) < 1


@given(whole_money(), st.integers(1, 50))
def test_split_conserves_and_parts_differ_by_at_most_one_unit(money: Money, n: int) -> None:
    """split(n) gives n parts summing to the whole, none more than one unit apart."""
    parts = money.split(n)
    assert sum(parts, Money.zero(money.currency)) == money
    units = [p.minor_units for p in parts]
    assert max(units) - min(units) <= 1


@given(any_decimal, currencies)
def test_repr_round_trips(amount: Decimal, currency: str) -> None:
    """eval(repr(m)) == m, and keeps the same places."""
    m = Money(amount, currency)
    back = eval(repr(m), {"Money": Money})  # noqa: S307 - the property under test
    assert back == m
    assert str(back.amount) == str(m.amount)


@given(whole_money(currency="CNY"), whole_money(currency="USD"))
def test_currency_safety(cny: Money, usd: Money) -> None:
    """Any two amounts of different currencies refuse to combine."""
    with pytest.raises(MicroloanError):
        cny + usd


@given(whole_money(currency="CNY"), whole_money(currency="CNY"), whole_money(currency="CNY"))
def test_addition_is_exact_associative_and_commutative(a: Money, b: Money, c: Money) -> None:
    """Addition of amounts is exact, so order never matters."""
    assert (a + b) + c == a + (b + c) == c + b + a
    assert a + b - b == a


@given(any_decimal)
def test_rounding_lands_on_minor_units_within_one_unit(amount: Decimal) -> None:
    """Every mode gives whole minor units less than one unit away."""
    m = Money(amount)
    for mode in ("half_up", "half_even", "down", "up", "ceiling", "floor"):
        r = m.round(mode)
        assert r.is_whole
        assert abs(r.amount - m.amount) < Decimal("0.01")


@pytest.mark.parametrize(
    "text", ["１２３", "١٢", "_1", "1_", "1__0", "1,000", "0x10", "", "NaN"], ids=ascii_id
)
def test_amounts_as_text_are_ascii_decimal_numbers(text: str) -> None:
    """Only ASCII digits, a sign, a point, an exponent, and `_` between digits (as Python)."""
    with pytest.raises(InvalidValueError, match="is not a decimal number"):
        Money(text)


def test_negative_zero_is_zero() -> None:
    """-0 is normalised, so no amount prints as -0.00."""
    assert str(Money("-0")) == str(Money("0"))
    assert Money("-0.00").amount.is_signed() is False
    assert Money("1_000") == Money("1000")
