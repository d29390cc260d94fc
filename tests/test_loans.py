"""Loans: the servicing properties, known answers and bad input of `microloan.Loan`."""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

import attrs
import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    CurrencyMismatchError,
    InvalidTypeError,
    InvalidValueError,
    Loan,
    MicroloanError,
    Money,
    Rate,
    Schedule,
    TransactionNotFoundError,
    equal_installment,
    equal_principal,
    flat,
    interest_only,
)
from tests.strategies import repayment_plans, serviced_loans, small_schedules

START = date(2026, 1, 15)


def _plan(method: str = "equal_installment", principal: str = "12000", term: int = 12) -> Schedule:
    makers: dict[str, Any] = {
        "equal_installment": equal_installment,
        "equal_principal": equal_principal,
        "interest_only": interest_only,
        "flat": flat,
    }
    maker = makers[method]
    plan: Schedule = maker(Money(principal), rate=Rate.annual("12%"), term=term, start=START)
    return plan


def _pay_all(loan: Loan, plan: list[tuple[int, int]]) -> Loan:
    for offset, units in sorted(plan):
        loan = loan.repay(Money.from_minor_units(units), on=loan.start + timedelta(days=offset))
    return loan


def _last_day(loan: Loan) -> date:
    return max((t.on for t in loan.transactions), default=loan.start)


# -- properties ---------------------------------------------------------------
@given(st.data())
def test_every_repayment_allocates_exactly_the_amount_paid(data: st.DataObject) -> None:
    """Allocations plus excess equal the amount paid, to the minor unit, with no negative part."""
    loan = data.draw(serviced_loans())
    loan = _pay_all(loan, data.draw(repayment_plans(loan)))
    for tx in loan.transactions:
        total = sum((a.amount for a in tx.allocations), Money.zero()) + tx.excess
        assert total == tx.amount
        assert all(a.amount.amount > 0 and a.amount.is_whole for a in tx.allocations)


@given(small_schedules(), st.integers(0, 5))
def test_paying_each_installment_on_its_due_date_costs_exactly_the_schedule(
    plan: Schedule, grace: int
) -> None:
    """On-time payments: no penalty, DPD 0 throughout, paid off with the schedule's totals."""
    loan = Loan.from_schedule(plan, grace_days=grace)
    for item in plan.installments:
        before = loan.position(on=item.due_date)
        assert before.days_past_due == 0
        assert before.due.total == item.total
        if item.total:  # a zero-rate interest-only installment has nothing to pay
            loan = loan.repay(item.total, on=item.due_date)
        after = loan.position(on=item.due_date)
        assert after.days_past_due == 0
        assert after.penalty_outstanding == Money.zero()
        assert after.due.total == Money.zero()
    end = loan.position(on=plan.maturity + timedelta(days=30))
    assert end.status == "paid_off"
    assert end.payoff_amount == Money.zero()
    assert sum((t.interest for t in loan.transactions), Money.zero()) == plan.total_interest
    assert sum((t.principal for t in loan.transactions), Money.zero()) == plan.principal
    assert sum((t.penalty for t in loan.transactions), Money.zero()) == Money.zero()


@given(st.data())
def test_paying_the_payoff_amount_on_any_date_leaves_nothing_owed(data: st.DataObject) -> None:
    """Repaying payoff_amount(on=d) on d closes the loan: a position of zero, status paid_off."""
    loan = data.draw(serviced_loans())
    loan = _pay_all(loan, data.draw(repayment_plans(loan)))
    day = _last_day(loan) + timedelta(days=data.draw(st.integers(0, 500)))
    payoff = loan.payoff_amount(on=day)
    assert loan.position(on=day).payoff_amount == payoff
    if not payoff:
        return
    closed = loan.repay(payoff, on=day)
    position = closed.position(on=day)
    assert position.status == "paid_off"
    assert position.payoff_amount == Money.zero()
    assert position.principal_outstanding == Money.zero()
    assert position.interest_accrued == Money.zero()
    assert position.penalty_outstanding == Money.zero()
    assert position.credit == Money.zero()
    assert closed.transactions[-1].excess == Money.zero()
    later = closed.position(on=day + timedelta(days=400))
    assert later.status == "paid_off"
    assert later.payoff_amount == Money.zero()


@given(serviced_loans(), st.integers(0, 500), st.integers(0, 200))
def test_interest_charged_on_payoff_never_decreases_with_a_later_date(
    loan: Loan, first: int, gap: int
) -> None:
    """The interest in a payoff on a later date is never less than on an earlier one."""
    early = loan.start + timedelta(days=first)
    late = early + timedelta(days=gap)

    def interest(day: date) -> Money:
        return loan.repay(loan.payoff_amount(on=day), on=day).transactions[-1].interest

    assert interest(early) <= interest(late)


@given(serviced_loans(), st.integers(0, 400), st.integers(0, 400))
def test_penalty_never_decreases_with_lateness(loan: Loan, a: int, b: int) -> None:
    """Paying the first installment later never costs less penalty; accrued penalty only grows."""
    first = loan.schedule.installments[0]
    early, late = sorted((a, b))

    def penalty(days: int) -> Money:
        day = first.due_date + timedelta(days=days)
        return loan.repay(max(first.total, Money("0.01")), on=day).transactions[-1].penalty

    assert penalty(early) <= penalty(late)
    d1, d2 = (first.due_date + timedelta(days=d) for d in (early, late))
    assert loan.position(on=d1).penalty_outstanding <= loan.position(on=d2).penalty_outstanding


@given(st.data())
def test_reversing_a_payment_restores_exactly_the_earlier_position(data: st.DataObject) -> None:
    """A reversed payment leaves every position as if it had never been posted."""
    loan = data.draw(serviced_loans())
    plan = data.draw(repayment_plans(loan).filter(bool))
    index = data.draw(st.integers(0, len(plan) - 1))
    with_it = _pay_all(loan, plan)
    without = _pay_all(loan, plan[:index] + plan[index + 1 :])
    offset, units = plan[index]
    target = next(
        t
        for t in with_it.transactions
        if t.kind == "repayment"
        and t.on == loan.start + timedelta(days=offset)
        and t.amount.minor_units == units
    )
    reversed_ = with_it.reverse(target)
    for day in (_last_day(with_it), _last_day(with_it) + timedelta(days=90)):
        assert reversed_.position(on=day) == without.position(on=day)
    assert reversed_.reversed_transactions == (target,)


@given(st.data())
def test_two_payments_on_one_day_equal_one_payment_of_their_sum(data: st.DataObject) -> None:
    """Paying a then b on one day gives the same position as paying a + b."""
    loan = data.draw(serviced_loans())
    loan = _pay_all(loan, data.draw(repayment_plans(loan)))
    day = _last_day(loan) + timedelta(days=data.draw(st.integers(0, 200)))
    a, b = (Money.from_minor_units(data.draw(st.integers(1, 800_000))) for _ in range(2))
    twice = loan.repay(a, on=day).repay(b, on=day)
    once = loan.repay(a + b, on=day)
    for later in (day, day + timedelta(days=45), day + timedelta(days=400)):
        assert twice.position(on=later) == once.position(on=later)


@given(st.data())
def test_the_order_fees_are_charged_in_does_not_matter(data: st.DataObject) -> None:
    """Charging independent fees in any order gives the same positions and allocation totals."""
    loan = data.draw(serviced_loans())
    fees = data.draw(
        st.lists(
            st.tuples(st.integers(0, 300), st.integers(0, 60), st.integers(1, 50_000)),
            min_size=2,
            max_size=4,
        )
    )
    order = data.draw(st.permutations(range(len(fees))))
    pay_on = loan.start + timedelta(days=data.draw(st.integers(0, 400)))
    pay = Money.from_minor_units(data.draw(st.integers(1, 2_000_000)))

    def charged(sequence: list[int]) -> Loan:
        result = loan
        for i in sequence:
            offset, wait, units = fees[i]
            on = loan.start + timedelta(days=offset)
            result = result.charge_fee(
                Money.from_minor_units(units), on=on, due=on + timedelta(days=wait)
            )
        return result.repay(pay, on=pay_on)

    one, other = charged(list(range(len(fees)))), charged(list(order))
    for day in (pay_on, pay_on + timedelta(days=100)):
        assert one.position(on=day) == other.position(on=day)
    paid_one = next(t for t in one.transactions if t.kind == "repayment")
    paid_other = next(t for t in other.transactions if t.kind == "repayment")
    assert (paid_one.fees, paid_one.interest, paid_one.principal, paid_one.penalty) == (
        paid_other.fees,
        paid_other.interest,
        paid_other.principal,
        paid_other.penalty,
    )


@given(serviced_loans(), st.integers(0, 600))
def test_operations_never_change_the_loan_they_are_called_on(loan: Loan, offset: int) -> None:
    """Loan is immutable: repaying returns a new loan and the old position is unchanged."""
    day = loan.start + timedelta(days=offset)
    before = loan.position(on=day)
    loan.repay(Money("100"), on=day)
    loan.charge_fee(Money("5"), on=day)
    assert loan.position(on=day) == before
    assert loan.transactions == ()


# -- known answers --------------------------------------------------------------
def test_daily_interest_loan_repaid_in_parts_known_answer() -> None:
    """A 万分之五-a-day drawdown repaid in two parts matches the hand computation."""
    # Interest by the day (PBoC 银发[2005]129号; 算头不算尾), worked by hand:
    #   10,000 drawn 1 Jan 2026 at 0.05 % a day.
    #   31 Jan, 30 days used: interest 10,000 × 0.0005 × 30 = 150.00; a 3,000 payment
    #   pays 150.00 interest and 2,850.00 principal; 7,150.00 left.
    #   2 Mar, 30 more days: 7,150 × 0.0005 × 30 = 107.25 → payoff 7,257.25.
    loan = Loan.open_ended(
        principal=Money("10000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 6, 30),
    )
    loan = loan.repay(Money("3000"), on=date(2026, 1, 31))
    paid = loan.transactions[-1]
    assert (paid.interest, paid.principal) == (Money("150.00"), Money("2850.00"))
    assert loan.position(on=date(2026, 1, 31)).principal_outstanding == Money("7150.00")
    assert loan.payoff_amount(on=date(2026, 3, 2)) == Money("7257.25")


def test_a_merchant_pays_only_for_the_days_used() -> None:
    """The platform's average merchant: 7,600 at 0.05 % a day used 123 days pays 467.40 interest."""
    # Source: an e-commerce platform's micro-loan business (early 2010s): merchants used the money 123 days on average; 按日计息:
    #   7,600 × 0.0005 × 123 = 467.40, though the loan ran 6 months (7,600 × 0.0005 × 181 = 687.80).
    loan = Loan.open_ended(
        principal=Money("7600"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 15),
        maturity=date(2026, 7, 15),
    )
    day = date(2026, 1, 15) + timedelta(days=123)
    closed = loan.repay(loan.payoff_amount(on=day), on=day)
    assert closed.transactions[-1].interest == Money("467.40")
    full = Loan.open_ended(
        principal=Money("7600"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 15),
        maturity=date(2026, 7, 15),
        early_interest="period_end",
    )
    assert full.payoff_amount(on=day) == Money("8287.80")


def test_late_installment_penalty_known_answer() -> None:
    """A late installment bears 1.5 × the contract rate on its principal for each day late."""
    # PBoC 2003 notice (银发[2003]251号): overdue loans pay 30-50 % over the contract rate;
    # 1.5× is market practice. Worked by hand for 12,000 at 12 % a year, 12 monthly
    # installments of 1,066.19 (numpy-financial pmt(0.01, 12, -12000) = 1066.185…), the
    # first (principal 946.19, interest 120.00) due 15 Feb 2026 and paid 10 days late:
    #   daily penalty rate = 12 % / 360 × 1.5 = 0.05 %;
    #   penalty = 946.19 × 0.0005 × 10 = 4.730950 → 4.73.
    assert round(float(-npf.pmt(0.01, 12, 12000)), 2) == 1066.19
    loan = Loan.from_schedule(_plan())
    first = loan.schedule.installments[0]
    assert (first.principal, first.interest) == (Money("946.19"), Money("120.00"))
    late = first.due_date + timedelta(days=10)
    position = loan.position(on=late)
    assert position.days_past_due == 10
    assert position.penalty_outstanding == Money("4.73")
    paid = loan.repay(first.total + Money("4.73"), on=late)
    assert paid.transactions[-1].penalty == Money("4.73")
    assert paid.position(on=late).days_past_due == 0
    # with 3 grace days, paying on day 3 costs no penalty; on day 4 it counts from day 1:
    graced = Loan.from_schedule(_plan(), grace_days=3)
    day3, day4 = first.due_date + timedelta(days=3), first.due_date + timedelta(days=4)
    assert graced.repay(first.total, on=day3).transactions[-1].penalty == Money.zero()
    # 946.19 × 0.0005 × 4 = 1.89238 → 1.89
    assert graced.position(on=day4).penalty_outstanding == Money("1.89")


def test_early_payoff_of_an_installment_loan_known_answer() -> None:
    """Paying off mid-period charges the period's interest only for the days used (art. 677)."""
    # 12,000 at 12 % a year, 12 monthly installments of 1,066.19 from 15 Jan 2026. After
    # three on-time installments the balance is numpy-financial's future value,
    #   -fv(0.01, 3, -1066.19, 12000) = 12,000 × 1.01³ − 1,066.19 × (1.01³ − 1) / 0.01
    #                                 = 12,363.612 − 3,230.662… = 9,132.95.
    # Paid off on 1 May 2026, 16 of the 30 days of the period 15 Apr-15 May: interest
    #   9,132.95 × 1 % × 16 / 30 = 48.709… → 48.71, payoff 9,181.66.
    # "To the end of the period" charges the whole 9,132.95 × 1 % = 91.33: payoff 9,224.28.
    plan = _plan()
    balance = Decimal(str(round(float(-npf.fv(0.01, 3, -1066.19, 12000)), 2)))
    assert balance == Decimal("9132.95")
    loan = Loan.from_schedule(plan)
    for item in plan.installments[:3]:
        loan = loan.repay(item.total, on=item.due_date)
    day = date(2026, 5, 1)
    assert loan.position(on=day).principal_outstanding == Money("9132.95")
    assert loan.payoff_amount(on=day) == Money("9181.66")
    to_end = Loan.from_schedule(plan, early_interest="period_end")
    for item in plan.installments[:3]:
        to_end = to_end.repay(item.total, on=item.due_date)
    assert to_end.payoff_amount(on=day) == Money("9224.28")


# -- bad input ----------------------------------------------------------------
def _busy_loan() -> Loan:
    loan = Loan.from_schedule(_plan())
    return loan.repay(Money("500"), on=date(2026, 2, 15))


def test_a_payment_in_another_currency_is_refused_and_the_loan_unchanged() -> None:
    """Repaying USD on a CNY loan raises CurrencyMismatchError; the loan is as it was."""
    loan = _busy_loan()
    before = loan.position(on=date(2026, 3, 1))
    with pytest.raises(CurrencyMismatchError, match="USD"):
        loan.repay(Money("100", "USD"), on=date(2026, 3, 1))
    with pytest.raises(CurrencyMismatchError):
        loan.charge_fee(Money("1", "USD"), on=date(2026, 3, 1))
    assert loan.position(on=date(2026, 3, 1)) == before


@pytest.mark.parametrize("amount", ["0", "-5", "0.001"])
def test_non_positive_or_fractional_amounts_are_refused(amount: str) -> None:
    """A zero, negative or sub-fen payment or fee raises InvalidValueError naming the amount."""
    loan = _busy_loan()
    with pytest.raises(InvalidValueError, match="amount"):
        loan.repay(Money(amount), on=date(2026, 3, 1))
    with pytest.raises(InvalidValueError, match="amount"):
        loan.charge_fee(Money(amount), on=date(2026, 3, 1))
    assert len(loan.transactions) == 1


def test_dates_before_disbursement_are_refused() -> None:
    """Any operation or position dated before the disbursement raises InvalidValueError."""
    loan = _busy_loan()
    early = START - timedelta(days=1)
    for call in (
        lambda: loan.repay(Money("1"), on=early),
        lambda: loan.charge_fee(Money("1"), on=early),
        lambda: loan.waive("penalty", on=early),
        lambda: loan.write_off(on=early),
        lambda: loan.position(on=early),
        lambda: loan.payoff_amount(on=early),
    ):
        with pytest.raises(InvalidValueError, match="before the disbursement date"):
            call()
    with pytest.raises(InvalidValueError, match="due"):
        loan.charge_fee(Money("1"), on=date(2026, 3, 1), due=date(2026, 2, 1))


def test_wrong_types_are_refused() -> None:
    """A float amount, a datetime or a non-Transaction raises InvalidTypeError."""
    from datetime import datetime

    loan = _busy_loan()
    with pytest.raises(InvalidTypeError, match="amount"):
        loan.repay(100, on=date(2026, 3, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="on"):
        loan.repay(Money("1"), on=datetime(2026, 3, 1))  # noqa: DTZ001
    with pytest.raises(InvalidTypeError, match="transaction"):
        loan.reverse("1")  # type: ignore[arg-type]


def test_reversing_a_transaction_of_another_loan_is_refused() -> None:
    """A transaction that is not active on this loan raises TransactionNotFoundError."""
    loan = _busy_loan()
    other = Loan.from_schedule(_plan()).repay(Money("700"), on=date(2026, 2, 15))
    with pytest.raises(TransactionNotFoundError, match="not an active transaction"):
        loan.reverse(other.transactions[0])
    undone = loan.reverse(loan.transactions[0])
    with pytest.raises(TransactionNotFoundError):
        undone.reverse(loan.transactions[0])
    assert isinstance(TransactionNotFoundError("x"), MicroloanError)
    assert len(loan.transactions) == 1


def test_bad_servicing_options_are_refused() -> None:
    """Unknown options, negative grace and shortening an interest-only plan raise InvalidValueError."""
    plan = _plan()
    bad: list[dict[str, Any]] = [
        {"allocation": "newest_first"},
        {"excess": "refund"},
        {"early_interest": "never"},
        {"penalty_rate": "2x"},
        {"grace_days": -1},
    ]
    for options in bad:
        with pytest.raises(InvalidValueError):
            Loan.from_schedule(plan, **options)
    with pytest.raises(InvalidValueError, match="shorten_term"):
        Loan.from_schedule(_plan("interest_only"), excess="shorten_term")
    with pytest.raises(InvalidValueError, match="excess"):
        Loan.from_schedule(plan).repay(Money("1"), on=START, excess="refund")  # type: ignore[arg-type]


def test_open_ended_arguments_are_checked() -> None:
    """A maturity not after the start or a fractional principal raises InvalidValueError."""
    with pytest.raises(InvalidValueError, match="maturity"):
        Loan.open_ended(principal=Money("1"), rate=Rate.daily("0.05%"), start=START, maturity=START)
    with pytest.raises(InvalidValueError, match="principal"):
        Loan.open_ended(
            principal=Money("1.001"),
            rate=Rate.daily("0.05%"),
            start=START,
            maturity=date(2026, 3, 1),
        )


# -- value-object protocol ----------------------------------------------------
def test_loans_and_positions_are_immutable_and_pickle() -> None:
    """Loan and LoanPosition cannot be changed in place and survive pickling."""
    loan = _busy_loan()
    position = loan.position(on=date(2026, 3, 1))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        loan.terms = loan.terms  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        position.status = "current"  # type: ignore[misc]
    again = pickle.loads(pickle.dumps(loan))
    assert again == loan
    assert again.position(on=date(2026, 3, 1)) == position


def test_position_status_is_one_of_four_strings() -> None:
    """status is current, overdue, paid_off or written_off as the loan's life goes on."""
    loan = Loan.from_schedule(_plan())
    first = loan.schedule.installments[0]
    seen: list[Literal["current", "overdue", "paid_off", "written_off"]] = [
        loan.position(on=START).status,
        loan.position(on=first.due_date + timedelta(days=1)).status,
    ]
    closed = loan.repay(loan.payoff_amount(on=date(2026, 3, 1)), on=date(2026, 3, 1))
    seen.append(closed.position(on=date(2026, 3, 1)).status)
    seen.append(loan.write_off(on=date(2026, 9, 1)).position(on=date(2026, 9, 1)).status)
    assert seen == ["current", "overdue", "paid_off", "written_off"]
