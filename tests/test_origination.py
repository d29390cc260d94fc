"""Origination: grace on principal, interest-free periods (免息期) and balloons on schedules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from microloan import (
    CreditLine,
    InvalidTypeError,
    InvalidValueError,
    Loan,
    LoanProduct,
    MicroloanError,
    Money,
    Rate,
    Schedule,
    SerializationError,
    bullet,
    equal_installment,
    equal_principal,
    flat,
    from_dict,
    interest_only,
    to_dict,
)
from tests.strategies import origination_arguments

START = date(2026, 1, 15)
Generator = Callable[..., Schedule]
GENERATORS: dict[str, Generator] = {
    "equal_installment": equal_installment,
    "equal_principal": equal_principal,
    "interest_only": interest_only,
    "bullet": bullet,
    "flat": flat,
}


def _units(money: Money) -> int:
    return int(money.amount.scaleb(2))


# -- properties ------------------------------------------------------------------------


@given(origination_arguments())
def test_principal_parts_add_up_to_the_principal(case: tuple[str, dict[str, Any]]) -> None:
    """Whatever the grace, free periods or balloon, the parts sum to the principal, to the fen."""
    method, arguments = case
    plan = GENERATORS[method](**arguments)
    assert sum(_units(i.principal) for i in plan) == _units(plan.principal)
    assert plan.installments[-1].balance.amount == 0
    assert all(_units(i.total) == _units(i.principal) + _units(i.interest) for i in plan)


@given(origination_arguments())
def test_grace_installments_repay_no_principal(case: tuple[str, dict[str, Any]]) -> None:
    """The first `principal_grace` installments pay interest only; the balance stays whole."""
    method, arguments = case
    plan = GENERATORS[method](**arguments)
    grace = plan.principal_grace
    assert grace == arguments.get("principal_grace", 0)
    for item in plan.installments[:grace]:
        assert item.principal.amount == 0
        assert item.balance == plan.principal


@given(origination_arguments())
def test_interest_free_periods_charge_no_interest(case: tuple[str, dict[str, Any]]) -> None:
    """The first `interest_free_periods` installments carry no interest."""
    method, arguments = case
    plan = GENERATORS[method](**arguments)
    free = plan.interest_free_periods
    assert free == arguments.get("interest_free_periods", 0)
    if method != "bullet":
        assert all(item.interest.amount == 0 for item in plan.installments[:free])


@given(origination_arguments())
def test_the_last_installment_repays_at_least_the_balloon(
    case: tuple[str, dict[str, Any]],
) -> None:
    """A balloon is repaid by the last installment, on top of its level part."""
    method, arguments = case
    plan = GENERATORS[method](**arguments)
    assert plan.balloon == arguments.get("balloon")
    if plan.balloon is not None:
        assert plan.installments[-1].principal >= plan.balloon


@given(origination_arguments())
def test_an_originated_schedule_is_a_valid_schedule_and_round_trips(
    case: tuple[str, dict[str, Any]],
) -> None:
    """Built field by field it passes every invariant; its document reads back equal."""
    method, arguments = case
    plan = GENERATORS[method](**arguments)
    assert Schedule(**attrs.asdict(plan, recurse=False)) == plan
    assert from_dict(to_dict(plan), Schedule) == plan


@given(
    st.integers(10_000, 10_000_000),
    st.decimals(min_value=0, max_value=Decimal("0.36"), places=4),
    st.integers(2, 36),
    st.data(),
)
def test_after_the_grace_the_installments_are_those_of_the_shorter_term(
    units: int, annual: Decimal, term: int, data: st.DataObject
) -> None:
    """Grace N on a term of n: the rows after it are the plain n − N schedule of the principal."""
    grace = data.draw(st.integers(1, term - 1))
    principal = Money.from_minor_units(units)
    for maker in (equal_installment, equal_principal):
        graced = maker(principal, rate=Rate.annual(annual), term=term, start=START,
                       principal_grace=grace)  # fmt: skip
        plain = maker(principal, rate=Rate.annual(annual), term=term - grace, start=START)
        tail = graced.installments[grace:]
        assert [(i.principal, i.interest) for i in tail] == [
            (i.principal, i.interest) for i in plain
        ]


def test_no_option_means_the_schedule_of_before() -> None:
    """Zero grace, zero free periods and no balloon are the plain schedule, left out of documents."""
    for maker in GENERATORS.values():
        plain = maker(Money("12000"), rate=Rate.annual("12%"), term=6, start=START)
        same = maker(
            Money("12000"),
            rate=Rate.annual("12%"),
            term=6,
            start=START,
            principal_grace=0,
            interest_free_periods=0,
            balloon=None,
        )
        assert same == plain
        assert not {"principal_grace", "interest_free_periods", "balloon"} & set(to_dict(plain))


# -- known answers ----------------------------------------------------------------------


def test_grace_pays_interest_only_then_the_published_annuity() -> None:
    """200,000 at 7.5% over 15 years after 6 months' grace: 1,250.00 six times, then 1,854.02."""
    # numpy-financial's pmt documentation example (numpy.org/numpy-financial/latest/pmt.html):
    # "a monthly payment of $1,854.02 would be required" to repay $200,000 in 15 years at
    # 7.5% a year (np.pmt(0.075/12, 12*15, 200000) = -1854.02...). The grace rows are the
    # interest alone, 200,000 × 0.075 / 12 = 1,250.00 (Apache Fineract's grace on principal).
    plan = equal_installment(
        Money("200000"), rate=Rate.annual("7.5%"), term=186, start=START, principal_grace=6
    )
    assert [i.total for i in plan.installments[:6]] == [Money("1250.00")] * 6
    assert {i.total for i in plan.installments[6:-1]} == {Money("1854.02")}


def test_a_balloon_lowers_the_level_installment_as_pmt_with_a_future_value() -> None:
    """50,000 at 14% over 120 months with a 30,000 balloon: 660.53 a month (776.33 without)."""
    # Oracle PeopleSoft PeopleTools 8.63, Analytic Calculation Engine, PMT:
    # PMT(0.14/12, 120, 50000, 0) = -776.33 and, "if the loan has a balloon payment of
    # 30000 USD at the end of the 120 months", PMT(0.14/12, 120, 50000, -30000) = -660.53.
    # https://docs.oracle.com/en/applications/peoplesoft/peopletools/8.63/analytic-calculation-engine/pmt.html
    plain = equal_installment(Money("50000"), rate=Rate.annual("14%"), term=120, start=START)
    plan = equal_installment(
        Money("50000"), rate=Rate.annual("14%"), term=120, start=START, balloon=Money("30000")
    )
    assert plain.installments[0].total == Money("776.33")
    assert {i.total for i in plan.installments[:-1]} == {Money("660.53")}
    last = plan.installments[-1]
    assert last.principal >= Money("30000")
    assert abs(last.total.amount - Decimal("30660.53")) < 1  # balloon + level, ± the residual


def test_a_balloon_agrees_with_numpy_financial_pmt_with_fv() -> None:
    """The level part of a balloon loan is numpy-financial's pmt(i, n, -P, fv=B), to the fen."""
    for principal, annual, term, balloon in [
        ("100000", "0.06", 60, "40000"),
        ("8000", "0.18", 12, "2000"),
        ("250000", "0.049", 84, "100000"),
    ]:
        plan = equal_installment(
            Money(principal),
            rate=Rate.annual(annual),
            term=term,
            start=START,
            balloon=Money(balloon),
        )
        i = Decimal(annual) / 12
        expected = npf.pmt(i, term, -Decimal(principal), fv=Decimal(balloon))
        assert plan.installments[0].total.amount == expected.quantize(Decimal("0.01"))


def test_interest_free_periods_of_the_textbook_mortgage_repay_its_principal_parts() -> None:
    """100,000 at 6% over 30 years, 2 months free: 99.55 and 100.05, then 599.55 as before."""
    # The table: any 30-year 6% amortisation table (payment 599.55; month 1 principal
    # 99.55, balance 99,900.45; month 2 principal 100.05, balance 99,800.40). The free
    # months follow Apache Fineract's interest-free grace (LoanApplicationTerms,
    # `graceOnInterestCharged`: "the loan is interest-free for the period of time
    # indicated"): the interest is zeroed, the principal part is the installment less the
    # interest it would have borne, so the rest of the table is unchanged.
    plan = equal_installment(
        Money("100000", "USD"),
        rate=Rate.annual("6%"),
        term=360,
        start=date(2026, 1, 1),
        interest_free_periods=2,
    )
    first, second, third = plan.installments[:3]

    def usd(amount: str) -> Money:
        return Money(amount, "USD")

    assert (first.total, first.interest, first.balance) == (usd("99.55"), usd("0"), usd("99900.45"))
    assert (second.total, second.balance) == (usd("100.05"), usd("99800.40"))
    assert third.total == usd("599.55")


@given(origination_arguments())
def test_an_interest_free_period_is_the_contract_installment_without_its_interest(
    case: tuple[str, dict[str, Any]],
) -> None:
    """Free periods repay the principal they would have; every other row is as without them."""
    method, arguments = case
    free = arguments.pop("interest_free_periods", 0)
    if method == "bullet" or not free:
        return
    plain = GENERATORS[method](**arguments)
    # an interest the installment cannot hold is carried to the next: not from a free period
    assume(all(contract.principal.amount for contract in plain.installments[:free]))
    plan = GENERATORS[method](**arguments, interest_free_periods=free)
    for item, contract in zip(plan.installments[:free], plain.installments, strict=False):
        assert (item.principal, item.interest.amount) == (contract.principal, Decimal(0))
    assert plan.installments[free:] == plain.installments[free:]


def test_equal_principal_with_grace_and_a_balloon_spreads_the_rest() -> None:
    """12,000 over 12 months, 2 of grace and a 2,000 balloon: 1,000 a month, 3,000 at the end."""
    # (12,000 − 2,000) / (12 − 2) = 1,000 per amortising month; interest 1% of the balance.
    plan = equal_principal(
        Money("12000"),
        rate=Rate.annual("12%"),
        term=12,
        start=START,
        principal_grace=2,
        balloon=Money("2000"),
    )
    assert [i.principal.amount for i in plan] == [0, 0, *[1000] * 9, 3000]
    assert [i.interest.amount for i in plan][:4] == [120, 120, 120, 110]


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "options", "error", "message"),
    [
        ("equal_installment", {"principal_grace": 12}, InvalidValueError, "principal_grace: 12"),
        ("equal_installment", {"principal_grace": -1}, InvalidValueError, "principal_grace: -1"),
        ("equal_installment", {"principal_grace": True}, InvalidTypeError, "principal_grace"),
        ("equal_principal", {"interest_free_periods": 12}, InvalidValueError, "interest_free"),
        ("flat", {"balloon": Money("12000")}, InvalidValueError, "balloon: Money('12000'"),
        ("equal_installment", {"balloon": Money("0")}, InvalidValueError, "balloon"),
        ("equal_installment", {"balloon": Money("10", "USD")}, InvalidValueError, "currency"),
        ("equal_installment", {"balloon": Money("0.001")}, InvalidValueError, "balloon"),
        ("equal_installment", {"balloon": "100"}, InvalidTypeError, "balloon: '100'"),
        ("bullet", {"balloon": Money("100")}, InvalidValueError, "does not apply to bullet"),
        ("bullet", {"principal_grace": 1}, InvalidValueError, "principal_grace: 1 does not"),
        ("interest_only", {"principal_grace": 1}, InvalidValueError, "principal_grace: 1"),
        ("interest_only", {"balloon": Money("100")}, InvalidValueError, "interest_only"),
        ("interest_only", {"interest_free_periods": 1}, InvalidValueError, "nothing due"),
        (
            "equal_installment",
            {"principal_grace": 2, "interest_free_periods": 1},
            InvalidValueError,
            "installment 1 would have nothing due",
        ),
        (
            "equal_installment",
            {"balloon": Money("100"), "residual": "last_interest"},
            InvalidValueError,
            "residual: 'last_interest'",
        ),
    ],
)
def test_an_option_that_does_not_fit_is_refused_naming_it(
    method: str, options: dict[str, Any], error: type[MicroloanError], message: str
) -> None:
    """Out of range, of the wrong type, meaningless for the method or contradictory: refused."""
    with pytest.raises(error, match=message.replace("(", r"\(")):
        GENERATORS[method](Money("12000"), rate=Rate.annual("12%"), term=12, start=START, **options)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principal_grace": 3}, r"installments\[2\].principal"),
        (
            {"principal_grace": 0, "interest_free_periods": 1},
            r"installments\[0\].interest: .* must be zero within the 1 interest-free periods",
        ),
        (
            {"principal_grace": 0, "balloon": {"amount": "5000"}, "residual": "last_interest"},
            "residual: 'last_interest' cannot keep the last installment level: it repays the balloon",
        ),
        ({"balloon": {"amount": "40000"}}, r"installments\[11\].principal"),
        ({"principal_grace": 12}, "principal_grace: 12 must be less than the term 12"),
        ({"balloon": {"amount": "30000", "currency": "USD"}}, "balloon"),
        ({"interest_free_periods": 1}, "cannot be combined with principal_grace=2"),
    ],
)
def test_a_tampered_document_is_refused(changes: dict[str, object], message: str) -> None:
    """A document whose rows contradict its grace, free periods or balloon does not load."""
    plan = equal_installment(
        Money("50000"), rate=Rate.annual("14%"), term=12, start=START, principal_grace=2
    )
    with pytest.raises(SerializationError, match=message):
        from_dict(to_dict(plan) | changes, Schedule)


# -- servicing, products and lines ----------------------------------------------------------------


def _repaid_on_time(plan: Schedule) -> Loan:
    loan = Loan.from_schedule(plan)
    for item in plan:
        loan = loan.repay(item.total, on=item.due_date)
    return loan


@pytest.mark.parametrize(
    "options",
    [
        {"principal_grace": 3},
        {"interest_free_periods": 3},
        {"balloon": Money("5000")},
        {"principal_grace": 2, "balloon": Money("5000"), "accrual": "daily"},
    ],
)
def test_an_originated_loan_repaid_on_time_closes_at_zero(options: dict[str, Any]) -> None:
    """Paying each installment on its due date pays the loan off, with no credit left over."""
    plan = equal_installment(Money("12000"), rate=Rate.annual("18%"), term=12, start=START,
                             **options)  # fmt: skip
    position = _repaid_on_time(plan).position(on=plan.maturity)
    assert position.status == "paid_off"
    assert position.principal_outstanding == Money("0")
    assert position.credit == Money("0")


def test_a_loan_in_its_grace_owes_interest_only() -> None:
    """On a grace due date the whole principal is outstanding and only interest is due."""
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("12%"), term=12, start=START, principal_grace=3
    )
    position = Loan.from_schedule(plan).position(on=date(2026, 2, 15))
    assert position.principal_outstanding == Money("12000")
    assert position.due.principal == Money("0")
    assert position.due.interest == Money("120")
    assert position.next_due_amount == Money("120")


def test_a_prepayment_in_the_grace_keeps_the_grace_left() -> None:
    """A prepayment during grace re-plans the rest with the grace periods still ahead."""
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("12%"), term=12, start=START, principal_grace=3
    )
    loan = Loan.from_schedule(plan).repay(Money("3120"), on=date(2026, 2, 15))
    position = loan.position(on=date(2026, 2, 15))
    assert position.principal_outstanding == Money("9000")
    assert position.next_due_amount == Money("90")  # installment 2: still interest only


def test_a_prepayment_after_a_grace_installment_does_not_grant_it_again() -> None:
    """Three installments of grace; a prepayment on the first's due date leaves two of them:
    the second and third pay interest only, the fourth repays principal again."""
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("12%"), term=12, start=START, principal_grace=3
    )
    loan = Loan.from_schedule(plan).repay(Money("3120"), on=plan.installments[0].due_date)
    for item in plan.installments[1:3]:
        due = loan.position(on=item.due_date).due
        assert due.principal == Money("0")
        loan = loan.repay(due.total, on=item.due_date)
    assert loan.position(on=plan.installments[3].due_date).due.principal > Money("0")


def test_a_prepayment_below_the_balloon_leaves_interest_only_until_the_end() -> None:
    """With no more principal left than the balloon, the installments ahead pay interest only."""
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("12%"), term=12, start=START, balloon=Money("8000")
    )
    first = plan.installments[0]
    loan = Loan.from_schedule(plan).repay(first.total + Money("6000"), on=first.due_date)
    left = loan.position(on=first.due_date).principal_outstanding
    assert left < Money("8000")
    closed = loan
    for item in plan.installments[1:]:
        owed = closed.position(on=item.due_date).due.total
        if item is not plan.installments[-1]:
            assert closed.position(on=item.due_date).due.principal == Money("0")
        closed = closed.repay(owed, on=item.due_date)
    assert closed.position(on=plan.maturity).status == "paid_off"


def test_a_line_draw_takes_the_options_and_the_product_defaults() -> None:
    """A draw names grace, free periods or a balloon; a product's grace is its draws' default."""
    product = attrs.evolve(LoanProduct.installment_loan(), principal_grace=2)
    line = CreditLine.from_product(product, limit=Money("100000"), opened=START)
    drawn = line.draw(Money("60000"), on=START, term=6)
    assert drawn.drawdowns[0].schedule.principal_grace == 2
    own = line.draw(Money("60000"), on=START, term=6, principal_grace=0, balloon=Money("10000"))
    schedule = own.drawdowns[0].schedule
    assert (schedule.principal_grace, schedule.balloon) == (0, Money("10000"))
    # interest only does not take a grace: the product's is not applied to it
    assert (
        line.draw(Money("60000"), on=START, method="interest_only", term=6)
        .drawdowns[0]
        .schedule.principal_grace
        == 0
    )


def test_a_product_grace_must_fit_its_terms() -> None:
    """A product's grace of 3 cannot apply to a term of 3, and is refused naming it."""
    with pytest.raises(InvalidValueError, match="principal_grace: 3 must be less than the term 3"):
        attrs.evolve(LoanProduct.installment_loan(), principal_grace=3)


def test_an_open_ended_draw_refuses_the_options() -> None:
    """An open-ended drawdown has no installments: grace, free periods and balloons are refused."""
    line = CreditLine.revolving(
        limit=Money("50000"), rate=Rate.annual("18%"), opened=START, expires=date(2026, 12, 31)
    )
    with pytest.raises(InvalidValueError, match="principal_grace: 2 does not apply"):
        line.draw(Money("1000"), on=START, maturity=date(2026, 3, 1), principal_grace=2)
    drawn = line.draw(Money("1000"), on=START, method="equal_installment", term=6,
                      interest_free_periods=1)  # fmt: skip
    assert drawn.drawdowns[0].schedule.installments[0].interest == Money("0")


@given(
    origination_arguments(),
    st.integers(1, 10**9),
    st.sampled_from(["reduce_installment", "shorten_term"]),
    st.data(),
)
def test_a_prepaid_originated_loan_still_closes_at_zero(
    case: tuple[str, dict[str, Any]], extra_units: int, excess: str, data: st.DataObject
) -> None:
    """A prepayment on any due date re-plans the rest; paying what falls due then closes the loan."""
    method, arguments = case
    plan = GENERATORS[method](**arguments)
    if method == "bullet" or len(plan) < 2:
        return
    loan = Loan.from_schedule(plan, excess=excess)  # type: ignore[arg-type]
    at = data.draw(st.integers(0, len(plan) - 2))
    for item in plan.installments[: at + 1]:
        due = loan.position(on=item.due_date).due.total
        paid = due if item.number <= at else due + Money.from_minor_units(extra_units)
        paid = min(paid, loan.payoff_amount(on=item.due_date))
        if paid.amount:
            loan = loan.repay(paid, on=item.due_date)
    before = loan.position(on=plan.installments[at].due_date).principal_outstanding
    assert before <= plan.principal
    for item in plan.installments[at + 1 :]:
        due = loan.position(on=item.due_date).due.total
        if due.amount:
            loan = loan.repay(due, on=item.due_date)
    final = loan.position(on=plan.maturity)
    assert final.status == "paid_off"
    assert final.principal_outstanding == Money("0")
