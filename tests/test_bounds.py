"""Bounds and junk at the edges: every public constructor validates, magnitudes are bounded.

Issues #12.7-#12.10 and #12.12: a value built directly, an unhashable or signalling option,
an amount or a date past what the library computes with, and a foreign operand are all
refused with the specific MicroloanError naming the field, never a bare KeyError or Overflow.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest

from microloan import (
    MAX_AMOUNT,
    CreditLine,
    DaysInYear,
    InvalidTypeError,
    InvalidValueError,
    Loan,
    LoanProduct,
    Money,
    Rate,
    ServicingTerms,
    add_months,
    apr,
    bullet,
    due_dates,
    equal_installment,
    equal_principal,
    flat,
    from_dict,
    interest_only,
    irr,
    periods_per_year,
    to_dict,
)
from microloan._validators import check_option

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


# -- B. unhashable and signalling option values (#12.10) -----------------------------------

_UNHASHABLE_OR_SIGNALLING = [[], {}, {"a": 1}, Decimal("sNaN"), Decimal("NaN")]


@pytest.mark.parametrize("value", _UNHASHABLE_OR_SIGNALLING)
def test_check_option_refuses_unhashable_and_signalling_values_naming_the_field(
    value: Any,
) -> None:
    """Options are compared by type, never hashed, so no value crashes the check."""
    with pytest.raises(InvalidValueError, match=r"^field: "):
        check_option("field", value, DaysInYear)


@pytest.mark.parametrize("value", [360.0, Decimal(360), True, "360"])
def test_check_option_takes_only_the_options_own_type(value: Any) -> None:
    """360.0 or Decimal(360) would be stored as given and could not be written to a document."""
    with pytest.raises(InvalidValueError, match="days_in_year"):
        check_option("days_in_year", value, DaysInYear)


@pytest.mark.parametrize("value", _UNHASHABLE_OR_SIGNALLING)
def test_servicing_terms_refuse_unhashable_and_signalling_penalty_rates(value: Any) -> None:
    with pytest.raises(InvalidValueError, match="penalty_rate"):
        ServicingTerms(penalty_rate=value)


@pytest.mark.parametrize("value", _UNHASHABLE_OR_SIGNALLING)
def test_a_product_refuses_unhashable_and_signalling_days_in_year(value: Any) -> None:
    with pytest.raises(InvalidValueError, match="days_in_year"):
        attrs.evolve(LoanProduct.installment_loan(), days_in_year=value)


@pytest.mark.parametrize("value", _UNHASHABLE_OR_SIGNALLING)
def test_a_credit_line_draw_refuses_an_unhashable_or_signalling_method(value: Any) -> None:
    line = CreditLine.revolving(
        limit=Money("50000"),
        rate=Rate.daily("0.05%"),
        opened=date(2026, 1, 1),
        expires=date(2026, 12, 31),
    )
    with pytest.raises(InvalidValueError, match="method"):
        line.draw(Money("100"), on=date(2026, 1, 2), method=value)


# -- C. a magnitude bound on amounts, rates and periods (#12.7) ----------------------------


@pytest.mark.parametrize("amount", ["1e18", "-1e18", "1e33", "1e999999", 10**40, Decimal("1E+40")])
def test_an_amount_of_10_to_the_18_or_more_is_refused_at_construction(amount: Any) -> None:
    """Beyond MAX_AMOUNT an amount could not be rounded in 34 digits: refused, naming the bound."""
    with pytest.raises(InvalidValueError, match=r"amount: .* 10\*\*18"):
        Money(amount)


def test_an_amount_just_under_the_bound_rounds_exactly() -> None:
    """Every amount under the bound can be rounded and counted in minor units."""
    top = Money(MAX_AMOUNT - Decimal("0.001"), "KWD")
    assert top.is_whole
    assert top.round() == top
    assert top.minor_units == 10**21 - 1
    assert Money("-999999999999999999.994").round() == Money("-999999999999999999.99")


def test_from_minor_units_is_bounded_as_the_amount_is() -> None:
    with pytest.raises(InvalidValueError, match=r"units: .* 10\*\*18"):
        Money.from_minor_units(10**20)
    assert Money.from_minor_units(10**20 - 1).amount == Decimal("999999999999999999.99")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Money("1e17") * 10, "multiplier"),
        (lambda: Money("1e17") * Decimal("1e999999"), "multiplier"),
        (lambda: Money("-5e17") * 2, "multiplier"),
        (lambda: Money("1") / Decimal("1e-18"), "divisor"),
        (lambda: Money("1") / Decimal("1e-999999"), "divisor"),
        (lambda: Money("1e17") / Decimal("0.1"), "divisor"),
    ],
)
def test_a_product_or_quotient_beyond_the_bound_is_refused(call: Any, field: str) -> None:
    """`*` and `/` refuse a result past MAX_AMOUNT before it can overflow the context."""
    with pytest.raises(InvalidValueError, match=rf"^{field}: .* 10\*\*18"):
        call()


def test_a_ratio_of_amounts_that_would_overflow_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="divisor"):
        Money("1e17") / Money("1e-999990")


def test_products_and_quotients_under_the_bound_are_unchanged() -> None:
    assert Money("1e17") * 9 == Money("9e17")
    assert Money("1") * Decimal("1e-999999") == Money("1e-999999")
    assert (Money("1") / 3).round() == Money("0.33")


@pytest.mark.parametrize("value", ["1e999999", Decimal("1e999999"), 10**40, "1e999999%"])
@pytest.mark.parametrize("unit", ["annual", "monthly", "daily"])
def test_a_huge_rate_is_refused_before_it_is_converted(value: Any, unit: str) -> None:
    """A rate beyond 1,000% a year is refused without the conversion overflowing."""
    with pytest.raises(InvalidValueError, match=r"rate: .* over 1,000% a year"):
        getattr(Rate, unit)(value)


@pytest.mark.parametrize("factor", ["1e999999", 10**40, "1e10"])
def test_a_huge_scale_factor_is_refused_before_it_overflows(factor: Any) -> None:
    with pytest.raises(InvalidValueError, match="factor"):
        Rate.daily("0.05%").scaled(factor)


@pytest.mark.parametrize("periods", ["1e40", 367, Decimal("1e999999")])
def test_apr_periods_per_year_is_at_most_one_a_day(periods: Any) -> None:
    with pytest.raises(InvalidValueError, match=r"periods_per_year: .* at most 366"):
        apr([Money(-100), Money(110)], periods_per_year=periods)


@pytest.mark.parametrize("flow", ["1e18", Decimal("1e40"), 10**30])
def test_a_cash_flow_beyond_the_bound_is_refused(flow: Any) -> None:
    with pytest.raises(InvalidValueError, match=r"flows\[1\]: .* 10\*\*18"):
        irr([-100, flow])


def test_equal_installment_of_a_huge_principal_is_refused_at_the_amount() -> None:
    with pytest.raises(InvalidValueError, match="amount"):
        equal_installment(Money("1e40"), rate=Rate.annual("18%"), term=12, start=date(2026, 1, 1))


def test_interest_accruing_past_the_bound_of_an_amount_is_refused_never_reported() -> None:
    """Repriced to 1.8 % a day, 5 x 10**17 would owe 3.267 x 10**18 of interest: refused."""
    loan = Loan.open_ended(
        principal=Money("5e17"),
        rate=Rate.daily("0.01%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 12, 31),
    )
    dearer = loan.reprice(Rate.daily("1.8%"), on=date(2026, 1, 2))
    # the 363 days from 2 Jan to 31 Dec at 1.8 %: 5 x 10**17 x 0.018 x 363 = 3.267 x 10**18
    with pytest.raises(
        InvalidValueError, match=r"beyond the bound of an amount, \|amount\| < 10\*\*18"
    ):
        dearer.position(on=date(2026, 2, 1))


# -- D. dates past 9999-12-31, huge months and frequencies (#12.8) -------------------------

_PLAN: dict[str, Any] = {"rate": Rate.annual("18%"), "term": 12}


@pytest.mark.parametrize(
    "generator", [equal_installment, equal_principal, interest_only, bullet, flat]
)
def test_a_schedule_running_past_9999_12_31_is_refused(generator: Any) -> None:
    """The calendar ends at 9999-12-31: the schedule is refused naming it, not a ValueError."""
    with pytest.raises(InvalidValueError, match="end after 9999-12-31"):
        generator(Money("1000"), start=date(9999, 6, 1), **_PLAN)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": date(2026, 1, 1), "frequency": 2**63}, "frequency"),
        ({"start": date(2026, 1, 1), "frequency": 36_601}, "frequency"),
        ({"start": date(2026, 1, 1), "frequency": 36_600, "term": 300}, "term"),
        ({"start": date(2026, 1, 1), "term": 2**63}, "term"),
        ({"start": date(2026, 1, 1), "term": 10**30, "frequency": "weekly"}, "term"),
        ({"start": date(9999, 12, 31), "term": 1}, "term"),
        ({"start": date(2026, 1, 1), "first_due": date(9999, 12, 1), "term": 2}, "term"),
    ],
)
def test_a_huge_frequency_or_term_is_refused_naming_the_field(
    kwargs: dict[str, Any], field: str
) -> None:
    arguments = {**_PLAN, **kwargs}
    with pytest.raises(InvalidValueError, match=f"^{field}: "):
        equal_installment(Money("1000"), **arguments)


def test_due_dates_past_the_calendar_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="end after 9999-12-31"):
        due_dates(date(9999, 6, 1), 12)
    with pytest.raises(InvalidValueError, match="frequency"):
        due_dates(date(2026, 1, 1), 1, frequency=2**63)


def test_periods_per_year_bounds_the_frequency() -> None:
    with pytest.raises(InvalidValueError, match="frequency"):
        periods_per_year(10**40)


@pytest.mark.parametrize(
    ("anchor", "months", "end"),
    [
        (date(2020, 1, 1), 10**30, "past 9999-12-31"),
        (date(2020, 1, 1), 10**5, "past 9999-12-31"),
        (date(9999, 12, 1), 1, "past 9999-12-31"),
        (date(2020, 1, 1), -(10**30), "before 0001-01-01"),
        (date(1, 1, 31), -1, "before 0001-01-01"),
    ],
)
def test_add_months_past_the_calendar_is_refused_naming_months(
    anchor: date, months: int, end: str
) -> None:
    with pytest.raises(InvalidValueError, match=f"^months: .* {end}"):
        add_months(anchor, months)


def test_add_months_still_reaches_the_ends_of_the_calendar() -> None:
    assert add_months(date(1, 1, 31), 12 * 9999 - 1) == date(9999, 12, 31)
    assert add_months(date(9999, 12, 31), -(12 * 9999 - 1)) == date(1, 1, 31)


# -- E. Money's operators with a foreign operand (#12.12) ----------------------------------

_FOREIGN = [1, Decimal(1), "1", 1.5, None, [], Decimal("sNaN"), True]


@pytest.mark.parametrize("other", _FOREIGN)
@pytest.mark.parametrize(
    "operation",
    [
        lambda m, o: m + o,
        lambda m, o: o + m,
        lambda m, o: m - o,
        lambda m, o: o - m,
        lambda m, o: m < o,
        lambda m, o: m <= o,
        lambda m, o: m > o,
        lambda m, o: m >= o,
        lambda m, o: o < m,
        lambda m, o: o / m,
    ],
)
def test_money_operators_refuse_a_foreign_operand_with_invalid_type_error(
    operation: Any, other: Any
) -> None:
    """+, -, comparisons and number / Money raise InvalidTypeError (also a TypeError)."""
    with pytest.raises(InvalidTypeError, match=type(other).__name__):
        operation(Money("10"), other)


@pytest.mark.parametrize("other", [1.5, None, [], Money("2"), True])
def test_money_times_or_over_a_foreign_operand_is_invalid_type_error(other: Any) -> None:
    with pytest.raises(InvalidTypeError, match="multiplier"):
        Money("10") * other
    if not isinstance(other, Money):
        with pytest.raises(InvalidTypeError, match="divisor"):
            Money("10") / other


@pytest.mark.parametrize("other", _FOREIGN)
def test_money_equality_with_a_foreign_operand_is_false(other: Any) -> None:
    assert Money("1") != other
    assert not Money("1") == other  # noqa: SIM201 - the == operator is what is tested


def test_money_still_sums_from_the_int_zero() -> None:
    assert sum([Money("1"), Money("2")]) == Money("3")
    assert Money("1") + 0 == 0 + Money("1") == Money("1") - 0 == Money("1")
    assert 0 - Money("1") == Money("-1")


def test_a_split_into_more_than_a_million_parts_is_refused() -> None:
    """`split(2**62)` would build parts until memory ran out; it names `parts` instead."""
    with pytest.raises(InvalidValueError, match=r"^parts: .* more than 1,000,000 parts"):
        Money("10").split(2**62)
    assert len(Money("10").split(1_000)) == 1_000
