"""Repayment schedules: exact to the minor unit under every convention a lender uses."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from microloan import (
    CURRENCY_MINOR_UNITS,
    Calendar,
    Frequency,
    Installment,
    InvalidTypeError,
    InvalidValueError,
    MicroloanError,
    Money,
    Rate,
    Schedule,
    bullet,
    due_dates,
    equal_installment,
    equal_principal,
    flat,
    interest_only,
    periods_per_year,
)
from tests.strategies import annual_rates, positive_cny, schedule_arguments, schedule_starts

Generator = Callable[..., Schedule]
GENERATORS: list[Generator] = [equal_installment, equal_principal, interest_only, bullet, flat]


def _units(money: Money) -> int:
    return money.minor_units


# -- invariants of every method -------------------------------------------------
@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.__name__)
@given(loan=schedule_arguments())
def test_every_schedule_repays_exactly_the_principal(generator: Generator, loan: Any) -> None:
    """Principal parts add up to the principal; balances never rise and end at exactly zero."""
    plan = generator(**loan)
    principal = loan["principal"]
    assert plan.total_principal == principal
    assert sum(_units(i.principal) for i in plan) == principal.minor_units
    balance = principal.minor_units
    for item in plan:
        assert _units(item.balance) == balance - _units(item.principal)
        assert _units(item.balance) <= balance
        balance = _units(item.balance)
    assert balance == 0
    assert plan.installments[-1].balance == Money.zero()


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.__name__)
@given(loan=schedule_arguments(max_term=36))
def test_a_generated_schedule_passes_the_checks_of_a_hand_built_one(
    generator: Generator, loan: Any
) -> None:
    """Generators skip re-checking what they guarantee; building the same schedule by hand
    (as a document does) checks every invariant, and must accept it."""
    plan = generator(**loan)
    assert attrs.evolve(plan) == plan
    assert [attrs.evolve(item) for item in plan] == list(plan)


_HAND = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=2, start=date(2026, 1, 15))
_FIRST, _SECOND = _HAND.installments


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"term": 3}, "installments: 2 installments where a term of 3 (equal_installment) has 3"),
        (
            {"start": date(2026, 1, 14)},
            "installments[0].period_start: datetime.date(2026, 1, 15) must be 2026-01-14",
        ),
        (
            {"principal": Money("1000")},
            (
                "installments[0].balance: Money('602.99', 'CNY') must be 402.99 "
                "(the principal less the parts so far)"
            ),
        ),
        ({"method": "bullet"}, "installments: 2 installments where a term of 2 (bullet) has 1"),
        (
            {"first_due": date(2026, 2, 16)},
            "first_due: datetime.date(2026, 2, 16) is not the first due date 2026-02-15",
        ),
        ({"installments": ()}, "installments: () must be a non-empty tuple of Installments"),
        ({"principal": "1200"}, "principal: '1200' is a str; expected Money"),
        (
            {"principal": Money("0")},
            "principal: Money('0', 'CNY') must be positive, in whole minor units",
        ),
        ({"rate": "12%"}, "rate: '12%' is a str; expected a Rate"),
        ({"installments": (_FIRST, "x")}, "installments[1]: 'x' is a str; expected an Installment"),
        (
            {"installments": (attrs.evolve(_FIRST, number=2), _SECOND)},
            "installments[0].number: 2 must be 1 (in due-date order)",
        ),
        (
            {
                "installments": (
                    _FIRST,
                    attrs.evolve(_SECOND, principal=Money("604.99"), total=Money("611.02")),
                )
            },
            (
                "installments[1].balance: Money('0.00', 'CNY') must be -2.00 "
                "(the principal less the parts so far)"
            ),
        ),
        (
            {"installment_multiple": Money("0.001")},
            "installment_multiple: Money('0.001', 'CNY') must be a positive whole number of minor units",
        ),
    ],
)
def test_a_schedule_built_by_hand_must_hold_together(change: dict[str, Any], message: str) -> None:
    """Numbered installments for the term, periods end to end from `start`, parts adding
    up to the principal and a balance falling to zero: refused naming the field."""
    with pytest.raises(MicroloanError) as info:
        attrs.evolve(_HAND, **change)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"total": Money("1")},
            "total: Money('1', 'CNY') is not principal 597.01 CNY + interest 12.00 CNY",
        ),
        (
            {"interest": Money("-1")},
            "interest: Money('-1', 'CNY') must be at least zero, in whole minor units",
        ),
        (
            {"principal": Money("0.001")},
            "principal: Money('0.001', 'CNY') must be at least zero, in whole minor units",
        ),
        (
            {"due_date": date(2026, 1, 15)},
            "due_date: datetime.date(2026, 1, 15) must be after period_start 2026-01-15",
        ),
        ({"number": 0}, "number: 0 must be at least 1"),
        (
            {"balance": Money("1", "USD")},
            "balance: Money('1', 'USD') is not in the principal's currency CNY",
        ),
        ({"principal": "5"}, "principal: '5' is a str; expected Money"),
    ],
)
def test_an_installment_built_by_hand_must_add_up(change: dict[str, Any], message: str) -> None:
    """total = principal + interest, amounts at least zero in whole minor units, due after start."""
    with pytest.raises(MicroloanError) as info:
        attrs.evolve(_FIRST, **change)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("fee", "message"),
    [
        ("5", "fee: '5' is a str; expected Money"),
        (Money("5", "USD"), "fee: Money('5', 'USD') is not in the schedule's currency CNY"),
        (Money("-1"), "fee: Money('-1', 'CNY') must be at least zero and less than the principal"),
        (
            Money("1200"),
            "fee: Money('1200', 'CNY') must be at least zero and less than the principal",
        ),
    ],
)
def test_a_fee_outside_zero_to_the_principal_is_refused(fee: object, message: str) -> None:
    """The APR's upfront fee is in the schedule's currency, at least zero, below the principal."""
    with pytest.raises(MicroloanError) as info:
        _HAND.apr(fee=fee)  # type: ignore[arg-type]
    assert str(info.value) == message


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.__name__)
@given(loan=schedule_arguments())
def test_every_component_is_whole_and_non_negative(generator: Generator, loan: Any) -> None:
    """Every principal, interest, total and balance is >= 0 in whole minor units; total adds up."""
    for item in generator(**loan):
        for amount in (item.principal, item.interest, item.total, item.balance):
            assert amount.is_whole
            assert amount.amount >= 0
            assert amount.amount.as_tuple().exponent == -2  # reported with the currency's places
        assert item.total == item.principal + item.interest


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.__name__)
@given(loan=schedule_arguments(max_term=60))
def test_dates_follow_the_frequency_without_drifting(generator: Generator, loan: Any) -> None:
    """Due dates rise strictly, each period starts at the previous due date, and none drifts."""
    plan = generator(**loan)
    expected = due_dates(
        loan["start"], loan["term"], frequency=loan["frequency"], first_due=loan.get("first_due")
    )
    if generator is bullet:
        assert [i.due_date for i in plan] == [expected[-1]]
        assert plan.installments[0].period_start == loan["start"]
        return
    assert [i.due_date for i in plan] == list(expected)
    assert [i.period_start for i in plan] == [loan["start"], *expected[:-1]]
    assert [i.number for i in plan] == list(range(1, loan["term"] + 1))
    assert plan.first_due == expected[0]


def test_schedule_records_its_inputs() -> None:
    """The schedule keeps the inputs it was built from, for audit and re-amortisation."""
    plan = equal_installment(
        Money("5000"),
        rate=Rate.daily("0.05%"),
        term=3,
        start=date(2026, 1, 31),
        frequency="monthly",
        accrual="daily",
        days_in_year=365,
        rounding="half_even",
        installment_multiple=Money("1"),
    )
    assert (plan.method, plan.term, plan.start, plan.first_due) == (
        "equal_installment",
        3,
        date(2026, 1, 31),
        date(2026, 2, 28),
    )
    assert (plan.accrual, plan.days_in_year, plan.rounding, plan.frequency) == (
        "daily",
        365,
        "half_even",
        "monthly",
    )
    assert plan.installment_multiple == Money("1.00")
    assert plan.rate == Rate.daily("0.05%")
    assert plan.principal == Money("5000")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        plan.term = 4  # type: ignore[misc]


# -- equal installments -----------------------------------------------------------
def _growth(plan: Schedule) -> Decimal:
    """Σ_k Π_{j>k} (1 + r_j) for a uniform schedule: the future value of 1 a period."""
    i = Decimal(str(plan.rate.per_year())) / periods_per_year(plan.frequency, plan.days_in_year)
    return sum(((1 + i) ** k for k in range(plan.term)), Decimal(0))


@given(loan=schedule_arguments())
def test_equal_installments_are_equal_and_the_last_within_term_units(loan: Any) -> None:
    """interest_basis="exact": all totals but the last are level; the last within `term` units.

    With interest on the exact annuity's balance the roundings do not compound: the last
    total differs from the level by n(A - Ā) + Σ(Ī_k - I_k), under n minor units (or n
    installment multiples).
    """
    plan = equal_installment(**loan, interest_basis="exact")
    totals = [_units(i.total) for i in plan]
    level = totals[0]
    assert all(t == level for t in totals[:-1])
    multiple = loan.get("installment_multiple")
    unit = _units(multiple) if multiple is not None else 1
    assert abs(totals[-1] - level) < plan.term * unit or plan.term == 1


@given(loan=schedule_arguments())
def test_rounded_basis_carries_the_compounded_residual(loan: Any) -> None:
    """interest_basis="rounded" (the default): the last differs by at most (|δ| + e) × Σ (1 + i)^k + e.

    Each rounding of interest on the rounded balance (at most e minor units) and the
    rounding of the level installment (δ) is compounded at the periodic rate up to
    maturity: for short and cheap loans that is below `term` minor units; for 360 months
    at 36% it is not (that is what "exact" is for).
    """
    loan.pop("first_due", None)
    assume(loan["accrual"] == "period")
    plan = equal_installment(**loan)
    totals = [_units(i.total) for i in plan]
    level = totals[0]
    assert all(t == level for t in totals[:-1])
    i = loan["rate"].per_year() / periods_per_year(loan["frequency"], loan["days_in_year"])
    exact = npf.pmt(float(i), loan["term"], -float(loan["principal"].amount)) * 100
    e = 0.5 if loan["rounding"].startswith("half") else 1
    delta = abs(exact - level)
    bound = (delta + e) * float(_growth(plan)) * (1 + 1e-9) + e + 1e-6
    assert abs(totals[-1] - level) <= bound


def test_thirty_years_at_36_percent_keeps_the_last_installment_level() -> None:
    """A 360-month loan at 36%: by the exact basis the last installment stays within 360 fen."""
    plan = equal_installment(
        Money("1000000"),
        rate=Rate.annual("36%"),
        term=360,
        start=date(2026, 1, 15),
        interest_basis="exact",
    )
    totals = [i.total for i in plan]
    assert len(set(totals[:-1])) == 1
    assert abs(totals[-1].minor_units - totals[0].minor_units) < 360
    assert sum((i.principal for i in plan), Money.zero()) == Money("1000000")


@given(
    principal=positive_cny(),
    rate=annual_rates,
    term=st.integers(1, 360),
    start=schedule_starts,
    frequency=st.sampled_from(["monthly", "weekly", "biweekly", 10]),
)
def test_level_installment_is_numpy_financial_pmt_rounded(
    principal: Money, rate: Rate, term: int, start: date, frequency: Any
) -> None:
    """Oracle: the level installment equals numpy-financial's pmt, rounded half-up to the fen."""
    plan = equal_installment(principal, rate=rate, term=term, start=start, frequency=frequency)
    i = rate.per_year() / periods_per_year(frequency)
    # float pmt loses about 1e-16 / i of its value to cancellation: useless at tiny rates
    assume(i == 0 or i > Decimal("1e-5"))
    oracle = Decimal(str(npf.pmt(float(i), term, -float(principal.amount))))
    level = plan.installments[0].total.amount
    half_way = (oracle * 100) % 1 - Decimal("0.5")
    assume(abs(half_way) > Decimal("1e-3"))  # a float can round either way near a half fen
    if oracle * 100 > _growth(plan):
        # Below this a rounded-up installment could repay a few fen early and is lowered.
        assert level == oracle.quantize(Decimal("0.01"), decimal.ROUND_HALF_UP)


@given(loan=schedule_arguments())
def test_flows_discounted_at_the_contract_rate_return_the_principal(loan: Any) -> None:
    """Σ total_k / (1 + i)^k = principal + the discounted rounding errors (uniform periods).

    The identity that makes the rounded schedule fair: the borrower repays the principal's
    present value, give or take one rounding (e) per period.
    """
    loan.pop("first_due", None)
    assume(loan["accrual"] == "period")
    plan = equal_installment(**loan)
    i = loan["rate"].per_year() / periods_per_year(loan["frequency"], loan["days_in_year"])
    present = sum((item.total.amount / (1 + i) ** k for k, item in enumerate(plan, 1)), Decimal(0))
    e = Decimal("0.005") if loan["rounding"].startswith("half") else Decimal("0.01")
    assert abs(present - loan["principal"].amount) <= e * loan["term"] + Decimal("1e-20")


@given(loan=schedule_arguments(max_term=120))
def test_fee_free_apr_is_the_nominal_rate(loan: Any) -> None:
    """With period accrual and no fee, the simple APR is the contract rate within rounding."""
    loan.pop("first_due", None)
    loan["accrual"] = "period"
    # at least 10,000 (drawn, not filtered: most drawn principals are smaller)
    loan["principal"] += Money("10000", loan["principal"].currency)
    plan = equal_installment(**loan)
    nominal = loan["rate"].per_year(360 if loan["days_in_year"] == 360 else 365)
    n = periods_per_year(loan["frequency"], loan["days_in_year"])
    i = nominal / n
    # An error of e per installment moves the periodic IRR by at most term × e × (1 + i) / P.
    tolerance = n * loan["term"] * Decimal("0.01") * (1 + i) / loan["principal"].amount
    assert abs(plan.apr(method="simple") - nominal) <= tolerance + Decimal("1e-20")


def test_installment_multiple_bills_whole_yuan() -> None:
    """With installment_multiple=1 yuan the level installment is whole yuan; the last absorbs."""
    plan = equal_installment(
        Money("10000"),
        rate=Rate.annual("18%"),
        term=12,
        start=date(2026, 1, 15),
        installment_multiple=Money("1"),
    )
    # pmt(1.5%, 12, 10000) = 916.7999… (numpy-financial) → 917 whole yuan
    assert {i.total for i in plan.installments[:-1]} == {Money("917.00")}
    assert plan.total_principal == Money("10000")
    assert plan.installments[-1].total < Money("917")


@given(loan=schedule_arguments(max_term=120), multiple=st.sampled_from(["1", "10", "0.10"]))
def test_installment_multiple_rounds_every_level_installment(loan: Any, multiple: str) -> None:
    """Every installment but the last (and those after an early payoff) is a whole multiple."""
    loan.pop("first_due", None)
    loan["accrual"] = "period"
    step = Money(multiple)
    plan = equal_installment(**loan, installment_multiple=step)
    for item in plan.installments[:-1]:
        if item.balance:
            assert item.total.amount % step.amount == 0
    assert plan.total_principal == loan["principal"]


def test_rounding_mode_applies_to_the_level_installment() -> None:
    """pmt(1%, 3, 100) = 34.0022…: half_up and down give 34.00, up and ceiling 34.01."""
    args: dict[str, Any] = {"rate": Rate.monthly("1%"), "term": 3, "start": date(2026, 1, 1)}
    totals = {
        mode: equal_installment(Money("100"), rounding=mode, **args).installments[0].total
        for mode in ("half_up", "half_even", "down", "up", "ceiling", "floor")
    }
    assert totals == {
        "half_up": Money("34.00"),
        "half_even": Money("34.00"),
        "down": Money("34.00"),
        "floor": Money("34.00"),
        "up": Money("34.01"),
        "ceiling": Money("34.01"),
    }


def test_textbook_mortgage_table() -> None:
    """The classic table: 100,000 at 6% over 30 years pays 599.55 a month.

    Source: any amortisation table for a 30-year 6% loan (e.g. the standard US mortgage
    tables): payment 599.55; month 1 interest 500.00, principal 99.55, balance 99,900.45;
    month 2 interest 499.50, principal 100.05, balance 99,800.40.
    """
    plan = equal_installment(
        Money("100000", "USD"), rate=Rate.annual("6%"), term=360, start=date(2026, 1, 1)
    )
    first, second = plan.installments[:2]
    assert (first.total, first.interest, first.principal, first.balance) == (
        Money("599.55", "USD"),
        Money("500.00", "USD"),
        Money("99.55", "USD"),
        Money("99900.45", "USD"),
    )
    assert (second.interest, second.principal, second.balance) == (
        Money("499.50", "USD"),
        Money("100.05", "USD"),
        Money("99800.40", "USD"),
    )


def test_zero_rate_splits_the_principal() -> None:
    """At 0% the installments are principal / term and the last absorbs the odd fen."""
    plan = equal_installment(Money("100"), rate=Rate.annual(0), term=3, start=date(2026, 1, 1))
    assert [i.total for i in plan] == [Money("33.33"), Money("33.33"), Money("33.34")]
    assert plan.total_interest == Money("0")


def test_daily_accrual_keeps_installments_level() -> None:
    """Daily accrual: interest = balance × 0.05% × actual days; installments stay level.

    By hand: 10,000 from 15 Jan 2026 at 0.05% a day: 31 days to 15 Feb → 155.00 interest.
    """
    plan = equal_installment(
        Money("10000"),
        rate=Rate.daily("0.05%"),
        term=6,
        start=date(2026, 1, 15),
        accrual="daily",
    )
    first = plan.installments[0]
    assert first.interest == Money("155.00")
    for item, prior in zip(plan.installments[1:], plan.installments, strict=False):
        expected = (prior.balance.amount * Decimal("0.0005") * item.days).quantize(
            Decimal("0.01"), decimal.ROUND_HALF_UP
        )
        assert item.interest.amount == expected
    totals = [i.total for i in plan]
    assert len(set(totals[:-1])) == 1
    assert abs(totals[-1] - totals[0]) < Money("0.06")


def test_actual_days_split_across_the_year_end() -> None:
    """days_in_year="actual": 15 Dec 2023 to 15 Jan 2024 is 17 days of 365 + 14 of 366.

    By hand: 100,000 × 18.25% × (17/365 + 14/366) = 850.00 + 698.09… = 1,548.09.
    """
    plan = interest_only(
        Money("100000"),
        rate=Rate.annual("18.25%"),
        term=2,
        start=date(2023, 12, 15),
        accrual="daily",
        days_in_year="actual",
    )
    assert plan.installments[0].interest == Money("1548.09")
    # 15 Jan to 15 Feb 2024, 31 days of 366: 100,000 × 0.1825 × 31 / 366 = 1,545.77
    assert plan.installments[1].interest == Money("1545.77")


def test_a_long_first_period_is_charged_pro_rata() -> None:
    """First period 10 Jan → 20 Feb (41 days) against a regular 20 Jan → 20 Feb (31 days).

    By hand: 10,000 × 1% × 41/31 = 132.26; later periods 100.00 each.
    """
    plan = interest_only(
        Money("10000"),
        rate=Rate.annual("12%"),
        term=3,
        start=date(2026, 1, 10),
        first_due=date(2026, 2, 20),
    )
    assert [i.interest for i in plan] == [Money("132.26"), Money("100.00"), Money("100.00")]
    assert [i.due_date.isoformat() for i in plan] == ["2026-02-20", "2026-03-20", "2026-04-20"]


def test_a_short_first_period_is_charged_pro_rata() -> None:
    """A weekly loan whose first due date is 3 days out pays 3/7 of a week's interest first."""
    plan = interest_only(
        Money("7000"),
        rate=Rate.annual("52%"),
        term=2,
        start=date(2026, 3, 2),
        frequency="weekly",
        first_due=date(2026, 3, 5),
    )
    # 7,000 × 52% / 52 = 70.00 a week; 3/7 of it = 30.00 (by hand)
    assert [i.interest for i in plan] == [Money("30.00"), Money("70.00")]


def test_equal_installment_with_an_irregular_first_period_stays_level() -> None:
    """A long first period enters the annuity: the installments stay level to the fen."""
    plan = equal_installment(
        Money("30000"),
        rate=Rate.annual("18%"),
        term=12,
        start=date(2026, 1, 3),
        first_due=date(2026, 2, 25),
    )
    totals = [i.total for i in plan]
    assert len(set(totals[:-1])) == 1
    assert abs(totals[-1] - totals[0]) < Money("0.12")
    # the first period of 53 days against a regular 31 (25 Jan → 25 Feb): 30,000 × 1.5% × 53/31
    assert plan.installments[0].interest == Money("769.35")


def test_month_end_loans_keep_their_day() -> None:
    """Lent on 31 January: due 29 Feb, 31 Mar, 30 Apr (Civil Code art. 202, from the anchor)."""
    plan = equal_installment(
        Money("3000"), rate=Rate.annual("12%"), term=3, start=date(2024, 1, 31)
    )
    assert [i.due_date for i in plan] == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]


# -- the other methods ------------------------------------------------------------
@given(loan=schedule_arguments())
def test_interest_only_pays_no_principal_before_the_end(loan: Any) -> None:
    """Interest only: every installment but the last has zero principal; the last has all."""
    plan = interest_only(**loan)
    assert all(not i.principal for i in plan.installments[:-1])
    assert plan.installments[-1].principal == loan["principal"]


@given(loan=schedule_arguments())
def test_equal_principal_costs_no_more_than_equal_installments(loan: Any) -> None:
    """Equal principal repays faster, so its interest is at most the annuity's (± rounding).

    Only with a regular first period: after a first period of a day or two the annuity's
    first installment is almost all principal, and repays faster than equal principal.
    """
    loan.pop("first_due", None)
    ep = equal_principal(**loan).total_interest
    ei = equal_installment(**loan).total_interest
    assert ep.minor_units <= ei.minor_units + loan["term"]


def test_equal_principal_has_less_interest_than_equal_installment() -> None:
    """10万 at 4.9% over 12 months: 等额本金 costs 2,654.17 and 等额本息 2,673.99.

    By hand: equal principal interest = P × i × (n + 1) / 2 = 100,000 × 0.049/12 × 6.5.
    """
    args: dict[str, Any] = {"rate": Rate.annual("4.9%"), "term": 12, "start": date(2026, 1, 15)}
    ep = equal_principal(Money("100000"), **args)
    ei = equal_installment(Money("100000"), **args)
    assert ep.total_interest == Money("2654.17")
    assert ep.total_interest < ei.total_interest


def test_equal_principal_declines() -> None:
    """等额本金 12,000 at 12% over 12: principal 1,000 a month, interest 120, 110, … 10 (by hand)."""
    plan = equal_principal(Money("12000"), rate=Rate.annual("12%"), term=12, start=date(2026, 1, 1))
    assert {i.principal for i in plan} == {Money("1000")}
    assert [i.interest.amount for i in plan] == [Decimal(10 * k) for k in range(12, 0, -1)]


@given(loan=schedule_arguments())
def test_equal_principal_parts_are_level_but_the_last(loan: Any) -> None:
    """Equal principal: all parts but the last equal; the last differs by less than `term` units."""
    plan = equal_principal(**loan)
    parts = [_units(i.principal) for i in plan]
    assert len(set(parts[:-1])) <= 1
    assert abs(parts[-1] - parts[0]) < max(loan["term"], 1) or loan["term"] == 1


def test_tiny_loans_over_many_periods_never_overdraw() -> None:
    """1 fen over 360 periods rounded up cannot give 1 fen to every period: the last takes it."""
    plan = equal_principal(
        Money("0.01"), rate=Rate.annual("36%"), term=360, start=date(2026, 1, 1), rounding="up"
    )
    assert [i.principal for i in plan][-1] == Money("0.01")
    assert plan.total_principal == Money("0.01")


def test_order_loan_is_a_bullet() -> None:
    """The platform's order loan: 30 days at 0.05% a day: 200,000 × 0.0005 × 30 = 3,000 (by hand)."""
    plan = bullet(
        Money("200000"), rate=Rate.daily("0.05%"), term=1, frequency=30, start=date(2026, 3, 1)
    )
    assert len(plan) == 1
    (item,) = plan
    assert (item.due_date, item.principal, item.interest) == (
        date(2026, 3, 31),
        Money("200000"),
        Money("3000"),
    )


def test_bullet_over_several_periods_charges_simple_interest() -> None:
    """A 6-month bullet at 12%: one installment, 6 × 1% simple interest (by hand: 600)."""
    plan = bullet(Money("10000"), rate=Rate.annual("12%"), term=6, start=date(2026, 1, 15))
    assert [(i.due_date, i.interest) for i in plan] == [(date(2026, 7, 15), Money("600"))]
    assert plan.cash_flows() == (Decimal("-10000.00"), *[Decimal(0)] * 5, Decimal("10600.00"))


def test_flat_rate_offer_and_its_true_cost() -> None:
    """ "0.5% a month" on 12,000 over 12: 1,060 a month; its APR is about 10.9%, not 6%.

    Oracle: numpy-financial irr([-12000] + [1060] * 12) × 12 = 0.10896…, and
    (1 + irr)^12 - 1 = 0.11457….
    """
    plan = flat(Money("12000"), rate=Rate.monthly("0.5%"), term=12, start=date(2026, 1, 15))
    assert {i.total for i in plan} == {Money("1060")}
    oracle = npf.irr([-12000] + [1060] * 12)
    assert abs(float(plan.apr(method="simple")) - oracle * 12) < 1e-12
    assert abs(float(plan.apr()) - ((1 + oracle) ** 12 - 1)) < 1e-12


@given(loan=schedule_arguments())
def test_flat_charges_the_original_principal(loan: Any) -> None:
    """Flat: with period accrual and regular periods every charge is the same fixed amount."""
    loan.pop("first_due", None)
    loan["accrual"] = "period"
    plan = flat(**loan)
    assert len({i.interest for i in plan}) == 1
    assert plan.total_interest.minor_units >= equal_principal(**loan).total_interest.minor_units


# -- dates and periods ------------------------------------------------------------
def test_weekly_biweekly_and_n_day_due_dates() -> None:
    """Weekly, biweekly and every-N-days dates step from the anchor by whole periods."""
    start = date(2026, 1, 1)
    assert due_dates(start, 2, frequency="weekly") == (date(2026, 1, 8), date(2026, 1, 15))
    assert due_dates(start, 2, frequency="biweekly") == (date(2026, 1, 15), date(2026, 1, 29))
    assert due_dates(start, 2, frequency=10) == (date(2026, 1, 11), date(2026, 1, 21))
    assert due_dates(start, 2, first_due=date(2026, 1, 20)) == (
        date(2026, 1, 20),
        date(2026, 2, 20),
    )


def test_periods_per_year_of_each_frequency() -> None:
    """12 monthly, 52 weekly, 26 biweekly; every N days, days-in-year / N."""
    assert periods_per_year("monthly") == 12
    assert periods_per_year("weekly") == 52
    assert periods_per_year("biweekly") == 26
    assert periods_per_year(30) == 12
    assert periods_per_year(73, 365) == 5
    assert periods_per_year(73, "actual") == 5


# -- the object -------------------------------------------------------------------
def test_str_is_a_readable_table() -> None:
    """str(schedule) has a heading, a column header, one line per installment and totals."""
    plan = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 1))
    lines = str(plan).splitlines()
    assert lines[0].startswith("Equal installments: 1,200.00 CNY at 12% a year, 3 monthly")
    assert lines[1].split() == [
        "No",
        "Due",
        "date",
        "Days",
        "Principal",
        "Interest",
        "Total",
        "Balance",
    ]
    assert len(lines) == 2 + 3 + 1
    assert lines[2].split()[:2] == ["1", "2026-02-01"]
    assert lines[-1].split()[0] == "Total"
    assert "1,200.00" in lines[-1]


def test_as_rows_gives_plain_values() -> None:
    """as_rows() gives one dict per installment with ints, dates, Decimals and the currency."""
    plan = equal_principal(Money("300"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 1))
    rows = plan.as_rows()
    assert rows[0] == {
        "number": 1,
        "period_start": date(2026, 1, 1),
        "due_date": date(2026, 2, 1),
        "days": 31,
        "principal": Decimal("100.00"),
        "interest": Decimal("3.00"),
        "total": Decimal("103.00"),
        "balance": Decimal("200.00"),
        "currency": "CNY",
    }
    assert [r["balance"] for r in rows] == [Decimal("200.00"), Decimal("100.00"), Decimal("0.00")]


def test_other_currencies_use_their_minor_unit() -> None:
    """A JPY schedule is in whole yen and a KWD one in fils (3 places)."""
    yen = equal_installment(
        Money("100000", "JPY"), rate=Rate.annual("15%"), term=5, start=date(2026, 1, 1)
    )
    assert all(i.total.amount.as_tuple().exponent == 0 for i in yen)
    assert CURRENCY_MINOR_UNITS["KWD"] == 3
    dinar = equal_installment(
        Money("1000", "KWD"), rate=Rate.annual("15%"), term=5, start=date(2026, 1, 1)
    )
    assert all(i.total.amount.as_tuple().exponent == -3 for i in dinar)
    assert dinar.total_principal == Money("1000", "KWD")


def test_fee_must_be_in_range() -> None:
    """An upfront fee must be non-negative, below the principal and in the same currency."""
    plan = equal_installment(Money("1000"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 1))
    with pytest.raises(InvalidValueError, match="fee"):
        plan.apr(fee=Money("1000"))
    with pytest.raises(InvalidValueError, match="fee"):
        plan.apr(fee=Money("1", "USD"))
    with pytest.raises(InvalidTypeError, match="fee"):
        plan.apr(fee="10")  # type: ignore[arg-type]
    assert plan.dated_cash_flows(fee=Money("10"))[0] == (date(2026, 1, 1), Decimal("-990.00"))


def test_the_callers_decimal_context_changes_nothing() -> None:
    """A caller's precision of 5 and ROUND_DOWN do not leak into the schedule."""
    args: dict[str, Any] = {"rate": Rate.annual("18%"), "term": 24, "start": date(2026, 1, 15)}
    expected = equal_installment(Money("123456.78"), **args)
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_DOWN
        got = equal_installment(Money("123456.78"), **args)
        assert got.apr() == expected.apr()
    assert got == expected


# -- bad input --------------------------------------------------------------------
BAD: list[tuple[dict[str, Any], type[MicroloanError], str]] = [
    ({"principal": Money("0")}, InvalidValueError, "principal"),
    ({"principal": Money("-5")}, InvalidValueError, "principal"),
    ({"principal": Money("1.005")}, InvalidValueError, "principal"),
    ({"principal": "1000"}, InvalidTypeError, "principal"),
    ({"rate": "18%"}, InvalidTypeError, "rate"),
    ({"rate": Decimal("0.18")}, InvalidTypeError, "rate"),
    ({"term": 0}, InvalidValueError, "term"),
    ({"term": -3}, InvalidValueError, "term"),
    ({"term": 2.0}, InvalidTypeError, "term"),
    ({"term": True}, InvalidTypeError, "term"),
    ({"start": "2026-01-01"}, InvalidTypeError, "start"),
    ({"start": datetime(2026, 1, 1, 9, 0, tzinfo=UTC)}, InvalidTypeError, "start"),
    ({"first_due": date(2025, 12, 31)}, InvalidValueError, "first_due"),
    ({"first_due": date(2026, 1, 1)}, InvalidValueError, "first_due"),
    ({"frequency": "daily"}, InvalidValueError, "frequency"),
    ({"frequency": 0}, InvalidValueError, "frequency"),
    ({"frequency": True}, InvalidValueError, "frequency"),
    ({"accrual": "monthly"}, InvalidValueError, "accrual"),
    ({"days_in_year": 366}, InvalidValueError, "days_in_year"),
    ({"rounding": "bankers"}, InvalidValueError, "rounding"),
    ({"installment_multiple": Money("1", "USD")}, InvalidValueError, "installment_multiple"),
    ({"installment_multiple": Money("0")}, InvalidValueError, "installment_multiple"),
    ({"installment_multiple": Money("0.001")}, InvalidValueError, "installment_multiple"),
    ({"installment_multiple": 1}, InvalidTypeError, "installment_multiple"),
]


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.__name__)
@pytest.mark.parametrize(("change", "error", "field"), BAD)
def test_bad_input_is_refused_naming_the_field(
    generator: Generator, change: dict[str, Any], error: type[MicroloanError], field: str
) -> None:
    """Bad input raises a specific MicroloanError whose message names the field."""
    args: dict[str, Any] = {
        "principal": Money("1000"),
        "rate": Rate.annual("18%"),
        "term": 6,
        "start": date(2026, 1, 1),
    }
    args.update(change)
    principal = args.pop("principal")
    with pytest.raises(error, match=field):
        generator(principal, **args)


def test_generators_take_options_by_keyword_only() -> None:
    """Everything after the principal is keyword-only, so no option can be passed by position."""
    with pytest.raises(TypeError):
        equal_installment(Money("1000"), Rate.annual("18%"), 6, date(2026, 1, 1))  # type: ignore[call-arg]


def test_every_method_has_one_registry_entry() -> None:
    """One registry: each `Method` has its generator, title and level in `METHODS`."""
    from typing import get_args

    from microloan.schedules import METHODS, Method

    assert list(METHODS) == list(get_args(Method))
    for name, spec in METHODS.items():
        assert spec.generate.__name__ == name


def test_a_zero_rate_annuity_divides_the_principal_exactly() -> None:
    """At 0% the level installment is P / n: 1.85 over 185 months is 185 × 0.01.

    By hand (no interest, so each installment is an equal share of the principal);
    rounding down must not turn 0.01 into 0.00.
    """
    plan = equal_installment(
        Money("1.85"), rate=Rate.annual("0%"), term=185, start=date(2000, 1, 1), rounding="down"
    )
    assert {i.total for i in plan.installments} == {Money("0.01")}


@pytest.mark.parametrize(
    ("start", "term", "frequency"),
    [
        (date(9999, 6, 1), 12, "monthly"),
        (date(2026, 1, 15), 100_000, "monthly"),
        (date(2026, 1, 15), 300, 36_600),  # every century: the longest period there is
    ],
)
def test_due_dates_past_the_last_calendar_date_are_refused_naming_the_term(
    start: date, term: int, frequency: Frequency
) -> None:
    """A plan that ends after 9999-12-31 is an InvalidValueError, not an OverflowError."""
    with pytest.raises(InvalidValueError, match=r"^term: .* end after 9999-12-31$"):
        due_dates(start, term, frequency=frequency)
    with pytest.raises(InvalidValueError, match="end after 9999-12-31"):
        equal_installment(
            Money("1000"), rate=Rate.annual("18%"), term=term, start=start, frequency=frequency
        )


_TWELVE = equal_installment(
    Money("12000"), rate=Rate.annual("18%"), term=12, start=date(2026, 1, 31)
)


def _unpaid_fen() -> Any:
    """The schedule with its last installment a fen short, the fen left as its balance."""
    last = _TWELVE.installments[-1]
    short = attrs.evolve(
        last,
        principal=last.principal - Money("0.01"),
        total=last.total - Money("0.01"),
        balance=Money("0.01"),
    )
    return attrs.evolve(_TWELVE, installments=(*_TWELVE.installments[:-1], short))


_START = date(2026, 1, 15)


def _in_usd(item: Installment) -> Installment:
    """The installment with every amount in USD: consistent in itself, not with its schedule."""
    return attrs.evolve(
        item,
        principal=Money(item.principal.amount, "USD"),
        interest=Money(item.interest.amount, "USD"),
        total=Money(item.total.amount, "USD"),
        balance=Money(item.balance.amount, "USD"),
        fee=Money(item.fee.amount, "USD"),
    )


def _generated(**options: Any) -> Any:
    return equal_installment(
        Money("12000"), rate=Rate.annual("18%"), term=12, start=date(2026, 1, 31), **options
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: _generated(balloon=Money("0.001")),
            "balloon: Money('0.001', 'CNY') must be more than zero and less than the principal "
            "12000.00 CNY, in whole minor units",
            id="balloon fraction",
        ),
        pytest.param(
            lambda: _generated(installment_multiple=Money("1", "USD")),
            "installment_multiple: Money('1', 'USD') is not in the principal's currency CNY",
            id="multiple in usd",
        ),
        pytest.param(
            lambda: _generated(day_count="x", accrual="daily"),
            "day_count: 'x' is not one of ['act/360', 'act/365', 'act/act', '30/360', '30e/360', "
            "'30/360 isda', '30e/360 isda']",
            id="day count daily",
        ),
        pytest.param(
            lambda: _generated(day_count="x"),
            "day_count: 'x' is not one of ['act/360', 'act/365', 'act/act', '30/360', '30e/360', "
            "'30/360 isda', '30e/360 isda']",
            id="day count period",
        ),
        pytest.param(
            lambda: attrs.evolve(_TWELVE, split="x"),  # type: ignore[arg-type]
            "split: 'x' is not one of ['interest_first', 'principal_first']",
            id="split",
        ),
        pytest.param(
            lambda: attrs.evolve(_TWELVE, first_due="x"),  # type: ignore[arg-type]
            "first_due: 'x' is a str; expected a datetime.date",
            id="first due",
        ),
        pytest.param(
            _unpaid_fen,
            "installments[11].balance: Money('0.01', 'CNY') must be zero",
            id="a fen unpaid",
        ),
        pytest.param(
            lambda: attrs.evolve(_TWELVE, method="x"),  # type: ignore[arg-type]
            "method: 'x' is not one of ['equal_installment', 'equal_principal', 'interest_only', "
            "'bullet', 'flat']",
            id="method by hand",
        ),
        pytest.param(
            lambda: attrs.evolve(_TWELVE, rounding="x"),  # type: ignore[arg-type]
            "rounding: 'x' is not one of ['half_up', 'half_even', 'down', 'up', 'ceiling', "
            "'floor']",
            id="rounding by hand",
        ),
        pytest.param(
            lambda: _generated(first_due=date(2026, 1, 20)),
            "first_due: datetime.date(2026, 1, 20) must be after the start 2026-01-31",
            id="first due before the start",
        ),
        pytest.param(
            lambda: equal_installment(
                Money("1200"),
                rate=Rate.annual("12%"),
                term=1,
                start=date(1, 1, 1),
                calendar=Calendar(holidays=[date(1, 1, 1) + timedelta(days=k) for k in range(40)]),
                business_day="preceding",
            ),
            "business_day: 'preceding' finds no business day for the due date 0001-02-01 in the "
            "calendar",
            id="no business day before the calendar begins",
        ),
        pytest.param(
            lambda: _generated(interest_free_periods=-1),
            "interest_free_periods: -1 must not be negative",
            id="negative free periods",
        ),
        pytest.param(
            lambda: _generated(rounding="x"),
            "rounding: 'x' is not a rounding mode; use one of ['ceiling', 'down', 'floor', "
            "'half_even', 'half_up', 'up']",
            id="rounding",
        ),
        pytest.param(
            lambda: _generated(interest_basis="x"),
            'interest_basis: \'x\' must be "rounded" or "exact"',
            id="interest basis",
        ),
        pytest.param(
            lambda: equal_installment(Money("0"), rate=Rate.annual("12%"), term=2, start=_START),
            "principal: Money('0', 'CNY') must be positive",
            id="zero principal",
        ),
        pytest.param(
            lambda: equal_installment(Money("1000"), rate="18%", term=2, start=_START),  # type: ignore[arg-type]
            "rate: '18%' is a str; expected a Rate, e.g. Rate.annual('18%')",
            id="rate as text",
        ),
        pytest.param(
            lambda: attrs.evolve(_HAND, installments=(_in_usd(_FIRST), _SECOND)),
            "installments[0].principal: Money('597.01', 'USD') is not in the currency CNY",
            id="an installment in another currency",
        ),
        pytest.param(
            lambda: attrs.evolve(_HAND, fees=[]),  # type: ignore[arg-type]
            "fees: [] is a list; expected a tuple of Fee",
            id="fees as a list",
        ),
        pytest.param(
            lambda: attrs.evolve(_TWELVE, day_count="x"),  # type: ignore[arg-type]
            "day_count: 'x' is not one of ['act/360', 'act/365', 'act/act', '30/360', '30e/360', "
            "'30/360 isda', '30e/360 isda']",
            id="day count by hand",
        ),
        pytest.param(
            lambda: attrs.evolve(_FIRST, nominal_due="x"),  # type: ignore[arg-type]
            "nominal_due: 'x' is a str; expected a datetime.date",
            id="nominal due",
        ),
    ],
)
def test_a_schedules_refusals_are_word_for_word(call: Any, message: str) -> None:
    """A generator's and a hand-built schedule's refusals name the field and say why, exactly."""
    with pytest.raises(MicroloanError) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("days_in_year", [365, "actual"])
@pytest.mark.parametrize("accrual", ["period", "daily"])
@pytest.mark.parametrize("day_count", [None, "act/365", "30/360"])
@pytest.mark.parametrize("daily", ["0.05%", "0.03%"])
def test_a_daily_rate_schedules_as_its_annual_rate_on_a_365_day_year(
    days_in_year: Any, accrual: Any, day_count: Any, daily: str
) -> None:
    """On a 365-day (or actual) year a daily rate r is the annual rate 365 × r: same rows,
    with or without a day count."""
    annual = Rate.annual(f"{Decimal(daily.rstrip('%')) * 365}%")
    args: dict[str, Any] = {
        "term": 12,
        "start": date(2026, 1, 31),
        "days_in_year": days_in_year,
        "accrual": accrual,
        "day_count": day_count,
    }
    by_day = equal_installment(Money("12000"), rate=Rate.daily(daily), **args)
    by_year = equal_installment(Money("12000"), rate=annual, **args)
    assert by_day.installments == by_year.installments


def test_an_irregular_first_period_is_pro_rata_by_the_day_counts_days() -> None:
    """Period accrual with a day count: the first period's rate is the nominal one × its days
    over a regular period's, both counted by the day count.

    12,000 at 18% (1.5% a month), lent 15 January 2026, first due 1 March. On 30/360 the
    first period counts (3 − 1) × 30 + (1 − 15) = 46 days and the regular one before the
    first due date (1 February to 1 March) 30: 12,000 × 1.5% × 46 / 30 = 276.00. On actual
    days it is 45 over 28: 12,000 × 1.5% × 45 / 28 = 289.2857… → 289.29.
    """
    loan: dict[str, Any] = {"rate": Rate.annual("18%"), "term": 12, "start": _START}
    first_due = date(2026, 3, 1)
    by_30_360 = equal_installment(Money("12000"), first_due=first_due, day_count="30/360", **loan)
    by_actual = equal_installment(Money("12000"), first_due=first_due, **loan)
    assert by_30_360.installments[0].interest == Money("276.00")
    assert by_actual.installments[0].interest == Money("289.29")


def test_a_level_below_the_first_interest_carries_the_excess_never_a_negative_part() -> None:
    """A level rounded down below a period's interest repays no principal and carries the rest.

    10,000 at 42% (3.5% a month) over 360 months: the annuity is 350.00… and rounded down
    to a multiple of 100 it is 300, less than the 350.00 of interest a month. No principal
    part may be negative; the parts still add up to the principal.
    """
    plan = equal_installment(
        Money("10000"),
        rate=Rate.annual("42%"),
        term=360,
        start=_START,
        installment_multiple=Money("100"),
        rounding="down",
    )
    assert plan.installments[0].total == Money("300.00")
    assert all(item.principal >= Money.zero() for item in plan)
    assert plan.total_principal == Money("10000")


@pytest.mark.parametrize(
    ("principal", "annual", "residual"),
    [
        ("1000000", "0.049", "last"),
        ("1000000", "0.049", "balanced"),
        ("175554", "0.018", "balanced"),  # here the balanced rule moves the level a fen
    ],
)
def test_on_the_exact_basis_interest_follows_the_exact_annuitys_balance(
    principal: str, annual: str, residual: Any
) -> None:
    """`interest_basis="exact"`: each installment but the last charges the rounded interest on
    the balance of the exact, unrounded annuity (the spreadsheet IPMT), whatever the level
    the residual rule settles on.

    The exact balances are this test's own arithmetic in 50 digits: B₀ = P, Bₖ = Bₖ₋₁ −
    (Ā − Bₖ₋₁ i), Ā = P i / (1 − (1 + i)^−n), over 360 months.
    """
    plan = equal_installment(
        Money(principal),
        rate=Rate.annual(annual),
        term=360,
        start=_START,
        interest_basis="exact",
        residual=residual,
    )
    ctx = decimal.Context(prec=50)
    i = ctx.divide(Decimal(annual), 12)
    balance = Decimal(principal)
    exact = ctx.divide(ctx.multiply(balance, i), ctx.subtract(1, ctx.power(ctx.add(1, i), -360)))
    for item in plan.installments[:-1]:
        interest = ctx.multiply(balance, i)
        assert item.interest.amount == interest.quantize(Decimal("0.01"), decimal.ROUND_HALF_UP)
        balance = ctx.subtract(balance, ctx.subtract(exact, interest))


def test_the_due_dates_of_a_printed_schedule_are_left_aligned_under_their_header() -> None:
    """Text columns (the dates) align left, figures right: each date starts under "Due date"."""
    lines = str(_TWELVE).splitlines()
    header, rows = lines[1], lines[2:-1]
    column = header.index("Due date")
    for row, item in zip(rows, _TWELVE.installments, strict=True):
        assert row.index(item.due_date.isoformat()) == column


def test_on_the_exact_basis_a_fen_off_the_level_moves_the_last_installment_by_the_others() -> None:
    """On the exact basis interest does not depend on the level, so lowering the level a fen
    leaves each of the n − 1 others' interest as it is and adds n − 1 fen of principal to the
    last installment; the balanced residual takes that step when it brings the last closer.

    175,554 at 1.8% over 360 months: the rounded level leaves the last installment 1.81 below
    it; one fen lower, it is 3.59 higher and 1.79 above the level: closer, so taken.
    """
    loan: dict[str, Any] = {
        "rate": Rate.annual("1.8%"),
        "term": 360,
        "start": _START,
        "interest_basis": "exact",
    }
    plain = equal_installment(Money("175554"), residual="last", **loan)
    balanced = equal_installment(Money("175554"), residual="balanced", **loan)
    level, last = plain.installments[0].total, plain.installments[-1].total
    assert [i.interest for i in balanced] == [i.interest for i in plain]
    assert balanced.installments[0].total == level - Money("0.01")
    assert balanced.installments[-1].total == last + Money("3.59")
    assert abs((last - level).amount) == Decimal("1.81")
    assert abs(
        (balanced.installments[-1].total - balanced.installments[0].total).amount
    ) == Decimal("1.79")


def test_30e_360_isda_keeps_the_end_of_february_that_is_the_maturity() -> None:
    """30E/360 (ISDA) counts the last day of February as the 30th, except when it is the
    maturity date (ISDA 2006 Definitions, section 4.16(h)).

    12,000 at 18% (1.5% a month), lent 10 January 2026, one installment due 28 February, the
    maturity. The first period counts 30 + (28 − 10) = 48 days and the regular one before it
    (28 January to 28 February) 30, the 28th kept as the maturity:
    12,000 × 1.5% × 48 / 30 = 288.00.
    """
    plan = equal_installment(
        Money("12000"),
        rate=Rate.annual("18%"),
        term=1,
        start=date(2026, 1, 10),
        first_due=date(2026, 2, 28),
        day_count="30e/360 isda",
    )
    assert plan.installments[0].interest == Money("288.00")


def test_a_flat_level_rounded_to_a_multiple_keeps_the_flat_charge() -> None:
    """Flat: the installment is the share of principal plus the flat charge, rounded to the
    multiple; the principal part is the rounded installment less the charge.

    12,000 flat at 12% a year over 12 months: 1,000 of principal and 12,000 × 1% = 120 a month,
    1,120 rounded half-up to a multiple of 100 is 1,100, so 980 of principal; the last repays
    the rest, 12,000 − 11 × 980 = 1,220, with its 120.
    """
    plan = flat(
        Money("12000"),
        rate=Rate.annual("12%"),
        term=12,
        start=_START,
        installment_multiple=Money("100"),
    )
    first, last = plan.installments[0], plan.installments[-1]
    assert (first.principal, first.interest, first.total) == (
        Money("980"),
        Money("120"),
        Money("1100"),
    )
    assert (last.principal, last.total) == (Money("1220"), Money("1340"))
