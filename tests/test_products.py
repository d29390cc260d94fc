"""Loan products: bounds named all at once, presets of the platform's products, the order-loan limit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    CreditLine,
    CurrencyMismatchError,
    InvalidTypeError,
    InvalidValueError,
    LoanProduct,
    Money,
    ProductViolationError,
    Rate,
    equal_principal,
    from_json,
    order_loan_limit,
    to_json,
)
from tests.strategies import ascii_id

PRESETS = [
    LoanProduct.order_loan(),
    LoanProduct.revolving_credit(),
    LoanProduct.fixed_credit(),
    LoanProduct.installment_loan(),
]


def test_every_violated_bound_is_named() -> None:
    """A request breaking amount, method and term bounds gets three messages, one per bound."""
    found = LoanProduct.installment_loan().violations(Money("10"), method="flat", term=24)
    assert [v.split(":")[0] for v in found] == ["amount", "method", "term"]
    with pytest.raises(ProductViolationError) as caught:
        LoanProduct.installment_loan().check(Money("10"), method="flat", term=24)
    assert caught.value.violations == tuple(found)
    assert isinstance(caught.value, ValueError)


@given(st.integers(1, 2_000_000_00), st.sampled_from([None, 1, 3, 6, 7, 9, 12, 24]))
def test_violations_are_empty_exactly_when_every_bound_holds(units: int, term: int | None) -> None:
    """violations() is empty iff the amount is within bounds and the term is allowed."""
    product = LoanProduct.installment_loan()
    amount = Money.from_minor_units(units)
    fits = product.min_amount <= amount <= product.max_amount and term in (None, 3, 6, 9, 12)
    assert (product.violations(amount, term=term) == []) == fits


def test_open_ended_drawdowns_are_bounded_in_days() -> None:
    """The revolving preset allows open-ended drawdowns of at most 180 days and no term."""
    product = LoanProduct.revolving_credit()
    assert product.violations(Money("1000"), days=180) == []
    assert [v.split(":")[0] for v in product.violations(Money("1000"), days=181, term=3)] == [
        "term",
        "days",
    ]


def test_presets_carry_the_platform_products_terms() -> None:
    """The presets carry the platform's figures: 0.05%/day 30-day order loan, 21% lines of 50,000–1,000,000."""
    order, revolving, fixed, installment = PRESETS
    assert (order.rate, order.frequency, order.max_amount) == (
        Rate.daily("0.05%"),
        30,
        Money("1000000"),
    )
    assert revolving.rate == fixed.rate == installment.rate == Rate.annual("21%")
    assert (revolving.min_limit, revolving.max_limit) == (Money("50000"), Money("1000000"))
    assert (revolving.line_kind, fixed.line_kind) == ("revolving", "fixed")
    assert fixed.terms == (6,)
    assert installment.terms == (3, 6, 9, 12)
    assert installment.methods == ("equal_installment", "interest_only")
    assert all(p.validity_days == 30 for p in PRESETS)


def test_installment_preset_matches_numpy_financial() -> None:
    """A 6-month 50,000 equal-installment loan at 21%: numpy-financial's pmt gives the installment."""
    line = CreditLine.from_product(
        LoanProduct.installment_loan(), limit=Money("50000"), opened=date(2026, 1, 15)
    )
    line = line.draw(Money("50000"), on=date(2026, 1, 15), term=6)
    oracle = Decimal(str(round(-npf.pmt(0.21 / 12, 6, 50000), 2)))
    assert line.drawdowns[0].schedule.installments[0].total.amount == oracle


def test_interest_only_preset_pays_875_a_month() -> None:
    """按月付息，到期还本: 50,000 × 21% / 12 = 875.00 a month, principal at month 6 (by hand)."""
    line = CreditLine.from_product(
        LoanProduct.fixed_credit(), limit=Money("50000"), opened=date(2026, 1, 15)
    )
    plan = (
        line.draw(Money("50000"), on=date(2026, 1, 20), method="interest_only")
        .drawdowns[0]
        .schedule
    )
    assert [i.total for i in plan.installments] == [Money("875.00")] * 5 + [Money("50875.00")]


def test_order_loan_limit_from_shipped_orders() -> None:
    """The order-loan limit is the orders' value × advance, rounded down, capped at 1,000,000."""
    assert order_loan_limit([Money("300000"), Money("450000.50")]) == Money("750000.50")
    assert order_loan_limit([Money("600000"), Money("600000")]) == Money("1000000.00")
    assert order_loan_limit(Money("100.01"), advance="50%") == Money("50.00")
    assert order_loan_limit(Money("100"), advance="0.7", maximum=Money("60")) == Money("60.00")


@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=8), st.integers(0, 100))
def test_order_loan_limit_never_exceeds_orders_or_cap(units: list[int], percent: int) -> None:
    """The limit is at most the orders' value, at most the cap, and whole minor units."""
    orders = [Money.from_minor_units(u) for u in units]
    limit = order_loan_limit(orders, advance=f"{percent}%")
    assert Money.zero() <= limit <= sum(orders, Money.zero())
    assert limit <= Money("1000000")
    assert limit.is_whole


def test_order_loan_limit_refuses_bad_input() -> None:
    """No orders, negative orders, an advance above 100% or mixed currencies are refused."""
    with pytest.raises(InvalidValueError, match="orders"):
        order_loan_limit([])
    with pytest.raises(InvalidValueError, match="orders"):
        order_loan_limit(Money("-1"))
    with pytest.raises(InvalidValueError, match="advance"):
        order_loan_limit(Money("1"), advance="120%")
    with pytest.raises(CurrencyMismatchError):
        order_loan_limit([Money("1"), Money("1", "USD")])


def test_inconsistent_products_are_refused() -> None:
    """Bounds out of order, unknown options, missing terms and mixed currencies raise."""
    base = {
        "name": "p",
        "rate": Rate.annual("10%"),
        "min_amount": Money("10"),
        "max_amount": Money("100"),
    }
    with pytest.raises(InvalidValueError, match="max_amount"):
        LoanProduct(**{**base, "max_amount": Money("5")})  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="terms"):
        LoanProduct(**base, methods=("equal_installment",))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="methods"):
        LoanProduct(**base, methods=("balloon",))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="frequency"):
        LoanProduct(**base, frequency=0)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="grace_days"):
        LoanProduct(**base, grace_days=-1)  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatchError):
        LoanProduct(**base, max_limit=Money("100", "USD"))  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="rate"):
        LoanProduct(**{**base, "rate": "10%"})  # type: ignore[arg-type]


@pytest.mark.parametrize("product", PRESETS, ids=lambda p: ascii_id(p.name))
def test_products_round_trip_through_json(product: LoanProduct) -> None:
    """Every preset is written and read back equal."""
    assert from_json(to_json(product)) == product


def test_product_conventions_reach_the_drawdown() -> None:
    """A drawdown follows its product's day count, rounding and servicing terms."""
    product = LoanProduct(
        name="weekly",
        rate=Rate.annual("18.25%"),
        min_amount=Money("100"),
        max_amount=Money("10000"),
        methods=("equal_principal",),
        terms=(4,),
        frequency="weekly",
        accrual="daily",
        days_in_year=365,
        grace_days=3,
    )
    line = CreditLine.revolving(
        limit=Money("10000"),
        rate=product.rate,
        opened=date(2026, 1, 1),
        expires=date(2026, 12, 31),
        product=product,
    )
    loan = line.draw(Money("1000"), on=date(2026, 1, 1)).drawdowns[0]
    assert loan.terms.grace_days == 3
    # 1,000 × 0.1825 / 365 × 7 days = 3.50 interest in week one (by hand)
    assert loan.schedule.installments[0].interest == Money("3.50")
    assert loan.schedule == equal_principal(
        Money("1000"),
        rate=product.rate,
        term=4,
        start=date(2026, 1, 1),
        frequency="weekly",
        accrual="daily",
        days_in_year=365,
    )
