"""Money: exact amounts, explicit rounding, conservation of every cent."""

from __future__ import annotations

import pickle
from collections.abc import Callable
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


# -- every refusal names its field and value, word for word ---------------------------
# (the messages are the library's contract with services that log or show them)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(
            lambda: Money("1") / Money("0"),
            InvalidValueError,
            "divisor: Money('0', 'CNY') must not be zero",
            id="money / zero money",
        ),
        pytest.param(
            lambda: Money("1") / 0, InvalidValueError, "divisor: 0 must not be zero", id="money / 0"
        ),
        pytest.param(
            lambda: Money.from_minor_units("5"),  # type: ignore[arg-type]
            InvalidTypeError,
            "units: '5' is a str; expected an int",
            id="from_minor_units str",
        ),
        pytest.param(
            lambda: Money.from_minor_units(10**40),
            InvalidValueError,
            "units: 10000000000000000000000000000000000000000 is beyond the bound of an amount, |amount| < 10**18",
            id="from_minor_units huge",
        ),
        pytest.param(
            lambda: Money("1", 5),  # type: ignore[arg-type]
            InvalidTypeError,
            "currency: 5 is an int; expected an ISO 4217 code such as 'CNY'",
            id="currency int",
        ),
        pytest.param(
            lambda: Money("1", "XYZ"),
            InvalidValueError,
            "currency: 'XYZ' is not a known ISO 4217 code (write it in capitals, e.g. 'CNY')",
            id="currency unknown",
        ),
        pytest.param(
            lambda: Money("1").allocate([0, 0]),
            InvalidValueError,
            "weights: ['0', '0'] must not all be zero",
            id="allocate zeros",
        ),
        pytest.param(
            lambda: Money("1").allocate([]),
            InvalidValueError,
            "weights: [] must name at least one part",
            id="allocate empty",
        ),
        pytest.param(
            lambda: Money("1").allocate([1, -1]),
            InvalidValueError,
            "weights[1]: -1 must not be negative",
            id="allocate negative",
        ),
        pytest.param(
            lambda: Money("1").allocate(["x"]),
            InvalidValueError,
            "weights[0]: 'x' is not a decimal number",
            id="allocate text",
        ),
        pytest.param(
            lambda: Money("1").allocate([Money("1", "USD")]),
            CurrencyMismatchError,
            "currency: cannot combine CNY with USD",
            id="allocate usd",
        ),
        pytest.param(
            lambda: Money("1").split(0),
            InvalidValueError,
            "parts: 0 must be at least 1",
            id="split 0",
        ),
        pytest.param(
            lambda: Money("1").split(2**62),
            InvalidValueError,
            "parts: 4611686018427387904 is more than 1,000,000 parts",
            id="split huge",
        ),
        pytest.param(
            lambda: Money("1") - "x",
            InvalidTypeError,
            "operand: 'x' is a str; expected Money for - (only the int 0 is added, so that sum() works)",
            id="sub str",
        ),
        pytest.param(
            lambda: "x" - Money("1"),
            InvalidTypeError,
            "operand: 'x' is a str; expected Money for - (only the int 0 is added, so that sum() works)",
            id="rsub str",
        ),
        pytest.param(
            lambda: Money("1") + "x",
            InvalidTypeError,
            "operand: 'x' is a str; expected Money for + (only the int 0 is added, so that sum() works)",
            id="add str",
        ),
        pytest.param(
            lambda: 5 / Money("1"),
            InvalidTypeError,
            "operand: 5 is an int; expected Money for /",
            id="rtruediv",
        ),
        pytest.param(
            lambda: Money("1") < "x",
            InvalidTypeError,
            "operand: 'x' is a str; expected Money for <",
            id="lt",
        ),
        pytest.param(
            lambda: Money("1") <= "x",
            InvalidTypeError,
            "operand: 'x' is a str; expected Money for <=",
            id="le",
        ),
        pytest.param(
            lambda: Money("1") > "x",
            InvalidTypeError,
            "operand: 'x' is a str; expected Money for >",
            id="gt",
        ),
        pytest.param(
            lambda: Money("1") >= "x",
            InvalidTypeError,
            "operand: 'x' is a str; expected Money for >=",
            id="ge",
        ),
        pytest.param(
            lambda: Money("1e17") / Decimal("1e-5"),
            InvalidValueError,
            "divisor: Decimal('0.00001') takes Money('1E+17', 'CNY') beyond the bound of an amount, |amount| < 10**18",
            id="div beyond",
        ),
        pytest.param(
            lambda: Money("1e17") * 10**5,
            InvalidValueError,
            "multiplier: 100000 takes Money('1E+17', 'CNY') beyond the bound of an amount, |amount| < 10**18",
            id="mul beyond",
        ),
        pytest.param(
            lambda: Money("9e17") * 2,
            InvalidValueError,
            "multiplier: 2 takes Money('9E+17', 'CNY') beyond the bound of an amount, |amount| < 10**18",
            id="mul beyond exp",
        ),
        pytest.param(
            lambda: Money("1") * "x",  # type: ignore[operator]
            InvalidValueError,
            "multiplier: 'x' is not a decimal number",
            id="mul str",
        ),
        pytest.param(
            lambda: Money("1") / "x",  # type: ignore[operator]
            InvalidValueError,
            "divisor: 'x' is not a decimal number",
            id="div str",
        ),
        pytest.param(
            lambda: Money.zero("XYZ"),
            InvalidValueError,
            "currency: 'XYZ' is not a known ISO 4217 code (write it in capitals, e.g. 'CNY')",
            id="zero unknown",
        ),
        pytest.param(
            lambda: Money.zero(5),  # type: ignore[arg-type]
            InvalidTypeError,
            "currency: 5 is an int; expected an ISO 4217 code such as 'CNY'",
            id="zero int",
        ),
        pytest.param(
            lambda: Money("10").allocate("12"),
            InvalidTypeError,
            "weights: '12' is a str; expected a sequence of numbers, such as a list",
            id="allocate str",
        ),
        pytest.param(
            lambda: Money("1") / Money("1E-999001"),
            InvalidValueError,
            "divisor: Money('1E-999001', 'CNY') is too small beside Money('1', 'CNY'): "
            "the ratio overflows",
            id="ratio overflows",
        ),
        pytest.param(
            lambda: Money("1e18"),
            InvalidValueError,
            "amount: '1e18' is beyond the bound of an amount, |amount| < 10**18",
            id="amount huge",
        ),
    ],
)
def test_every_refusal_names_its_field_and_value(
    call: Callable[[], object], error: type[MicroloanError], message: str
) -> None:
    """Each refusal of an operation on money is its specific error with its exact message."""
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_bounds_refuse_only_past_their_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each bound admits its edge: the largest ratio, a quotient just under 10**18, a
    quotient from a large amount and a large divisor, and exactly the most parts."""
    assert Money("1") / Money("1E-999000") == Decimal("1E+999000")
    assert Money("900000000000000000") / 1 == Money("900000000000000000")
    assert Money("100000000000000000") / 100 == Money("1000000000000000")
    monkeypatch.setattr("microloan.money.MAX_PARTS", 3)  # a million parts take seconds
    assert Money("1").split(3) == (Money("0.34"), Money("0.33"), Money("0.33"))
    with pytest.raises(InvalidValueError, match="parts: 4 is more than 3 parts"):
        Money("1").split(4)


def test_amounts_are_weights_of_an_allocation() -> None:
    """Amounts of the same currency weigh like their numbers."""
    assert Money("10").allocate([Money("1"), Money("3")]) == (Money("2.50"), Money("7.50"))
    assert Money("10").allocate([Money("1"), 3]) == (Money("2.50"), Money("7.50"))


def test_distinct_amounts_hash_apart() -> None:
    """The hash spreads different amounts (a constant hash would still be correct, but slow)."""
    assert len({hash(Money(n)) for n in range(100)}) == 100


def test_edge_results_of_the_arithmetic() -> None:
    """Zero divided keeps its currency; a negative amount splits with the odd
    units first; equal amounts compare as equal both ways; a hash ignores trailing zeros."""
    assert Money("0", "USD") / 3 == Money("0", "USD")
    assert Money("0") * Decimal("1e30") == Money("0")  # zero times anything is no overflow
    assert Money("0") / Decimal("1e-30") == Money("0")
    assert repr(Money("0", "JPY") / Decimal("2.5")) == "Money('0', 'JPY')"  # not 0E+1
    assert repr(Money("0.00") / 4) == "Money('0.00', 'CNY')"
    assert Money("-10").split(3) == (Money("-3.34"), Money("-3.33"), Money("-3.33"))
    assert Money("1") >= Money("1.00")
    assert Money("1") <= Money("1.00")
    assert not Money("1") > Money("1.00")
    assert not Money("1") < Money("1.00")
    assert hash(Money("1")) == hash(Money("1.00"))
    assert len({Money("1", "CNY"), Money("1", "USD")}) == 2
    assert Money.zero("JPY").amount.as_tuple().exponent == 0
    assert Money.zero("BHD") == Money("0.000", "BHD")
