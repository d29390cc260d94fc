"""Funding limits: lending capacity under leverage rules, and the single-borrower check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    CurrencyMismatchError,
    FundingLimitError,
    FundingLimits,
    InvalidValueError,
    LeverageRule,
    Money,
    from_json,
    to_json,
)

BILLION = Money("1000000000")


def test_1_6_bn_capital_with_half_as_much_bank_funding_lends_2_4_bn() -> None:
    """The platform lender: 1.6 bn capital plus bank funds of up to 50% lends at most 2.4 bn."""
    capital = Money("1600000000")
    assert LeverageRule.guidance_2008().lending_capacity(capital) == Money("2400000000")
    assert FundingLimits(net_capital=capital, rule=LeverageRule.guidance_2008()).capacity == Money(
        "2400000000"
    )


def test_2020_notice_allows_one_times_net_assets() -> None:
    """2020 notice: borrowings up to 1× net assets, so 1.6 bn lends at most 3.2 bn."""
    assert LeverageRule.notice_2020().lending_capacity(Money("1600000000")) == Money("3200000000")


def test_single_borrower_limits_are_5_and_10_percent() -> None:
    """One borrower: 5% of net capital (2008), 10% of net assets (2020); 1 bn → 50 m and 100 m."""
    assert LeverageRule.guidance_2008().single_borrower_limit(BILLION) == Money("50000000")
    assert LeverageRule.notice_2020().single_borrower_limit(BILLION) == Money("100000000")


def test_every_breach_is_listed() -> None:
    """Over-borrowing, over-lending and over-concentration are all named in one error."""
    limits = FundingLimits(
        net_capital=BILLION, rule=LeverageRule.guidance_2008(), borrowings=Money("600000000")
    )
    found = limits.breaches(Money("60000000"), lent=Money("1480000000"))
    assert [b.split(":")[0] for b in found] == ["borrowings", "lent", "borrower_owes"]
    with pytest.raises(FundingLimitError) as caught:
        limits.check(Money("60000000"), lent=Money("1480000000"))
    assert caught.value.breaches == tuple(found)
    assert isinstance(caught.value, ValueError)


def test_actual_borrowings_bound_the_capacity() -> None:
    """With 200 m borrowed on 1 bn of capital, the lender can have lent 1.2 bn, not 1.5 bn."""
    limits = FundingLimits(
        net_capital=BILLION, rule=LeverageRule.guidance_2008(), borrowings=Money("200000000")
    )
    assert limits.capacity == Money("1200000000")
    assert limits.breaches(Money("1"), lent=Money("1200000000")) != []


@given(
    st.integers(1, 10**14),
    st.decimals(min_value=0, max_value=5, places=3),
    st.decimals(min_value=0, max_value=1, places=3),
)
def test_limits_are_the_ratios_rounded_down(units: int, ratio: Decimal, share: Decimal) -> None:
    """Capacity and the borrower limit are capital × ratio rounded down, never up."""
    capital = Money.from_minor_units(units)
    rule = LeverageRule(name="r", borrowing_ratio=ratio, single_borrower_share=share)
    borrow = rule.max_borrowings(capital)
    exact = capital.amount * ratio  # a brute-force reference in plain Decimal arithmetic
    assert borrow.amount <= exact < borrow.amount + Decimal("0.01")
    assert rule.lending_capacity(capital) == capital + borrow
    assert rule.single_borrower_limit(capital) <= capital


@given(st.integers(0, 10**11), st.integers(1, 10**10), st.integers(0, 10**10))
def test_a_loan_passes_exactly_when_within_both_limits(lent: int, amount: int, owes: int) -> None:
    """check() passes iff book + amount <= capacity and borrower + amount <= the borrower limit."""
    limits = FundingLimits(net_capital=Money("500000000"), rule=LeverageRule.notice_2020())
    new, book, exposure = (Money.from_minor_units(u) for u in (amount, lent, owes))
    fits = book + new <= limits.capacity and exposure + new <= limits.single_borrower_limit
    assert (limits.breaches(new, lent=book, borrower_owes=exposure) == []) == fits


def test_bad_figures_are_refused() -> None:
    """Non-positive capital, negative ratios and mixed currencies raise."""
    with pytest.raises(InvalidValueError, match="net_capital"):
        FundingLimits(net_capital=Money("0"), rule=LeverageRule.notice_2020())
    with pytest.raises(InvalidValueError, match="borrowing_ratio"):
        LeverageRule(name="x", borrowing_ratio=Decimal(-1), single_borrower_share=Decimal(0))
    with pytest.raises(CurrencyMismatchError):
        FundingLimits(
            net_capital=BILLION, rule=LeverageRule.notice_2020(), borrowings=Money("1", "USD")
        )
    assert LeverageRule.custom("x", borrowing_ratio="50%", single_borrower_share="0.05") == (
        LeverageRule(
            name="x", borrowing_ratio=Decimal("0.5"), single_borrower_share=Decimal("0.05")
        )
    )


def test_limits_round_trip_through_json() -> None:
    """Funding limits and their rule are written and read back equal."""
    limits = FundingLimits(net_capital=BILLION, rule=LeverageRule.guidance_2008())
    assert from_json(to_json(limits)) == limits
