"""Deferral, extension, re-ageing, re-amortisation and repricing of a running loan.

Each is a posting replayed in date order with the others: a back-dated call equals a
full replay, a reversal equals never having posted it, a document keeps it. Known
answers come from Apache Fineract's end-to-end tests (re-ageing, re-amortisation, and the
reschedules that are a deferral and an extension) and
from numpy-financial's annuity (a repriced plan); the properties hold for any history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microloan
from microloan import (
    CreditLine,
    InvalidTypeError,
    InvalidValueError,
    Loan,
    MicroloanError,
    Money,
    Rate,
    _ledger,
    due_dates,
    equal_installment,
    equal_principal,
    from_json,
    to_json,
)
from microloan.loans import _apply
from tests.strategies import fresh_loans, loan_events

_HALF = settings(max_examples=max(10, settings().max_examples // 2))


def _fineract_plan(principal: str, **options: Any) -> microloan.Schedule:
    """A 0 % plan in whole euros, as Fineract's LP2 test products amortise."""
    return equal_installment(
        Money(principal, "EUR"), rate=Rate.annual("0%"), start=date(2024, 1, 1), **options
    )


# -- known answers -------------------------------------------------------------
def test_a_reage_spreads_the_outstanding_over_the_new_monthly_plan() -> None:
    """Fineract re-ages 750 outstanding into 6 monthly installments of 125 from 1 March 2024."""
    # Apache Fineract, fineract-e2e-tests-runner/.../features/LoanReAging.feature, scenario
    # C3050 "Loan re-aging transaction happy path": 1000 EUR at 0 %, 250 paid, re-aged on
    # 20 February 2024 with startDate 01 March 2024, 6 installments every 1 month: 125.0 due
    # on 1 March, 1 April, 1 May, 1 June, 1 July, 1 August 2024; delinquency NO_DELINQUENCY.
    loan = Loan.from_schedule(_fineract_plan("750", term=3))
    assert loan.position(on=date(2024, 2, 20)).days_past_due > 0
    aged = loan.reage(on=date(2024, 2, 20), term=6, first_due=date(2024, 3, 1))
    assert aged.position(on=date(2024, 2, 20)).days_past_due == 0
    dues = [date(2024, m, 1) for m in range(3, 9)]
    for before, due in zip([date(2024, 2, 20), *dues], dues, strict=False):
        position = aged.position(on=before)
        assert (position.next_due_date, position.next_due_amount) == (due, Money("125", "EUR"))
    assert aged.transactions[-1].amount == Money("750", "EUR")  # "Re-age 750.0"


def test_a_reage_every_30_days_from_a_start_date() -> None:
    """Fineract re-ages 750 into two 30-day installments of 375 from 10 March 2024."""
    # Apache Fineract, LoanReAging.feature, scenario C3051 (re-aging by external id):
    # re-aged on 20 February 2024, frequency 30 DAYS, startDate 10 March 2024, 2
    # installments: 375.0 on 10 March 2024 and 375.0 on 09 April 2024.
    loan = Loan.from_schedule(_fineract_plan("750", term=3, frequency=30))
    aged = loan.reage(on=date(2024, 2, 20), term=2, first_due=date(2024, 3, 10))
    first = aged.position(on=date(2024, 2, 20))
    second = aged.position(on=date(2024, 3, 10))
    assert (first.next_due_date, first.next_due_amount) == (date(2024, 3, 10), Money("375", "EUR"))
    assert (second.next_due_date, second.next_due_amount) == (
        date(2024, 4, 9),
        Money("375", "EUR"),
    )


def test_a_reamortization_spreads_the_overdue_principal_over_the_installments_left() -> None:
    """Fineract re-amortises 125 overdue over the two installments left: 187 and 188."""
    # Apache Fineract, LoanReAmortization.feature, scenario C3069 "re-amortization happy
    # path": 500 EUR at 0 %, 125 paid down, installments of 125 on 16 and 31 January and 15
    # February 2024; re-amortised on 25 January 2024: 187.0 on 31 January, 188.0 on 15
    # February ("Re-amortize 125.0"). Whole euros, the residual on the last installment.
    plan = _fineract_plan(
        "375", term=3, frequency=15, installment_multiple=Money("1", "EUR"), rounding="down"
    )
    spread = Loan.from_schedule(plan).reamortize(on=date(2024, 1, 25))
    first = spread.position(on=date(2024, 1, 25))
    second = spread.position(on=date(2024, 1, 31))
    assert first.days_past_due == 0
    assert (first.next_due_date, first.next_due_amount) == (date(2024, 1, 31), Money("187", "EUR"))
    assert (second.next_due_date, second.next_due_amount) == (
        date(2024, 2, 15),
        Money("188", "EUR"),
    )
    assert spread.transactions[-1].amount == Money("125", "EUR")


def _fineract_reschedule_loan() -> Loan:
    """Fineract's LP1 reschedule loan: 3000 EUR at 0 %, 1000 a month from 1 July 2023."""
    plan = equal_installment(
        Money("3000", "EUR"), rate=Rate.annual("0%"), term=3, start=date(2023, 7, 1)
    )
    return Loan.from_schedule(plan).repay(Money("1000", "EUR"), on=date(2023, 8, 1))


def _plan_ahead(loan: Loan, start: date) -> list[tuple[date, Money]]:
    """(due date, amount due) of each installment from `start` until the loan is repaid."""
    rows, day = [], start
    while (position := loan.position(on=day)).next_due_date is not None:
        due, amount = position.next_due_date, position.next_due_amount
        rows.append((due, amount))
        loan = loan.repay(amount, on=due)
        day = due + timedelta(days=1)
    return rows


def test_a_deferral_by_one_period_is_fineracts_mid_term_grace_on_principal() -> None:
    """Fineract defers the 1 September installment of 1000: due 1 October and 1 November."""
    # Apache Fineract, fineract-e2e-tests-runner/src/test/resources/features/
    # LoanReschedule.feature, scenario C2807 "multiple installments, mid-term grace period on
    # principal": 3000 EUR at 0 %, 1000.0 due on 1 August, 1 September and 1 October 2023;
    # rescheduled from 01 September 2023 with graceOnPrincipal 1: 1000.0 on 1 August, 0.0 on
    # 1 September, 1000.0 on 1 October and 1000.0 on 1 November 2023 (total 3000). At 0 %
    # "accrue" and "waive" agree; the installment of 0.0 is simply not there.
    for interest in ("waive", "accrue"):
        held = _fineract_reschedule_loan().defer(
            on=date(2023, 8, 5), installments=1, interest=interest
        )
        assert _plan_ahead(held, date(2023, 8, 5)) == [
            (date(2023, 10, 1), Money("1000", "EUR")),
            (date(2023, 11, 1), Money("1000", "EUR")),
        ]
        assert held.transactions[-1].due == date(2023, 11, 1)


def test_an_extension_by_two_terms_is_fineracts_extra_terms() -> None:
    """Fineract spreads the 2000 left over four installments of 500, 1 September to 1 December."""
    # Apache Fineract, LoanReschedule.feature, scenario C2806 "multiple installments,
    # extending repayment schedule": the same 3000 EUR at 0 % loan rescheduled from 01
    # September 2023 with extraTerms 2: 1000.0 on 1 August, then 500.0 on 1 September,
    # 1 October, 1 November and 1 December 2023 (total 3000).
    longer = _fineract_reschedule_loan().extend(on=date(2023, 8, 5), term=4)
    assert _plan_ahead(longer, date(2023, 8, 5)) == [
        (date(2023, m, 1), Money("500", "EUR")) for m in (9, 10, 11, 12)
    ]


def test_a_repriced_plan_is_the_annuity_of_the_balance_at_the_new_rate() -> None:
    """Repriced on a due date, the level installment is numpy-financial's pmt at the new rate."""
    plan = equal_installment(
        Money("120000"), rate=Rate.annual("4.35%"), term=12, start=date(2026, 1, 20)
    )
    loan = Loan.from_schedule(plan)
    for item in plan.installments[:3]:
        loan = loan.repay(item.total, on=item.due_date)
    balance = plan.installments[2].balance.amount
    repriced = loan.reprice(Rate.annual("3.85%"), on=plan.installments[2].due_date)
    # numpy-financial's pmt (the published annuity formula), rounded half up to the fen
    level = Decimal(str(-npf.pmt(0.0385 / 12, 9, float(balance)))).quantize(Decimal("0.01"))
    position = repriced.position(on=plan.installments[2].due_date)
    assert position.next_due_amount == Money(level)
    assert position.principal_outstanding == Money(balance)


def test_a_reprice_from_zero_charges_the_new_rate_from_its_date_only() -> None:
    """0 % repriced to 12 % on 1 Feb: the first period (15 Jan to 15 Feb, 31 days) charges
    14 days of its 12.00 at the new rate, 12.00 x 14 / 31 = 5.419… = 5.42."""
    plan = equal_installment(Money("1200"), rate=Rate.annual("0%"), term=3, start=date(2026, 1, 15))
    repriced = Loan.from_schedule(plan).reprice(Rate.annual("12%"), on=date(2026, 2, 1))
    assert repriced.position(on=date(2026, 2, 15)).due.interest == Money("5.42")


def test_an_extension_may_start_from_the_last_installment() -> None:
    """With one installment left, an extension to three moves the plan's end to 15 Jun."""
    plan = equal_installment(
        Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan)
    for item in plan.installments[:2]:
        loan = loan.repay(item.total, on=item.due_date)
    longer = loan.extend(on=date(2026, 3, 20), term=3)
    assert longer.transactions[-1].due == date(2026, 6, 15)
    assert longer.position(on=date(2026, 3, 20)).next_due_date == date(2026, 4, 15)


def test_a_reprice_charges_the_old_rate_before_its_date_and_the_new_after() -> None:
    """An open-ended loan: 10 days at 0.05 % a day then 10 at 0.04 % on 10,000 is 50 + 40."""
    loan = Loan.open_ended(
        principal=Money("10000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 3, 2),
    )
    cheaper = loan.reprice(Rate.daily("0.04%"), on=date(2026, 1, 11))
    assert cheaper.position(on=date(2026, 1, 11)).interest_accrued == Money("50")
    assert cheaper.position(on=date(2026, 1, 21)).interest_accrued == Money("90")


def test_a_waived_deferral_moves_the_next_installments_and_keeps_their_amounts() -> None:
    """A 3-installment deferral on 15 of each month: 15 March falls due on 15 June, unchanged."""
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("12%"), term=12, start=date(2020, 1, 15)
    )
    loan = Loan.from_schedule(plan).repay(plan.installments[0].total, on=date(2020, 2, 15))
    held = loan.defer(on=date(2020, 2, 20), installments=3, interest="waive")
    for k, item in enumerate(plan.installments[1:], start=1):
        before = max(date(2020, 2, 20), item.period_start + timedelta(days=1))
        moved = held.position(on=microloan.add_months(before, 3) if k > 1 else before)
        assert moved.next_due_date == microloan.add_months(item.due_date, 3)
        assert moved.next_due_amount == item.total
    assert held.transactions[-1].amount == Money("0")


def test_an_accrued_deferral_charges_the_interest_of_the_added_periods_with_the_next() -> None:
    """Deferring 2 months at 12 % on 10,000 not yet due adds 2 × 100 to the next installment."""
    plan = equal_installment(
        Money("10000"), rate=Rate.annual("12%"), term=6, start=date(2020, 1, 15)
    )
    held = Loan.from_schedule(plan).defer(on=date(2020, 1, 15), installments=2, interest="accrue")
    first = held.position(on=date(2020, 1, 15))
    # 10,000 × 1 % a month × 2 months: interest on the principal deferred, simple, per period
    assert held.transactions[-1].amount == Money("200")
    assert first.next_due_date == date(2020, 4, 15)
    assert first.next_due_amount == plan.installments[0].total + Money("200")


@pytest.mark.parametrize(
    ("options", "periods", "interest"),
    [
        # 2020 is a leap year: the added period, 15 Feb to 15 Mar, has 29 days;
        # 10,000 x 12 % x 29 / 360 = 96.666…
        pytest.param({"accrual": "daily"}, 1, "96.67", id="daily"),
        # 10,000 x 12 % x 29 / 365 = 95.342…
        pytest.param({"accrual": "daily", "days_in_year": 365}, 1, "95.34", id="365"),
        # 96.666… rounded down
        pytest.param({"accrual": "daily", "rounding": "down"}, 1, "96.66", id="down"),
        # 30/360 counts the 29 days as 30: 10,000 x 12 % x 30 / 360
        pytest.param({"accrual": "daily", "day_count": "30/360"}, 1, "100.00", id="30/360"),
        # a week at 12 % a year: 10,000 x 12 % / 52 = 23.076…
        pytest.param({"frequency": "weekly"}, 1, "23.08", id="weekly"),
        # 100,040 yen x 1 % = 1,000.40 a month, in whole yen 1,000: 2,000 for two months
        pytest.param({"principal": Money("100040", "JPY")}, 2, "2000", id="yen"),
    ],
)
def test_a_deferral_charges_the_added_periods_as_the_plan_prices_its_own(
    options: dict[str, Any], periods: int, interest: str
) -> None:
    """The interest of the added periods follows the plan's accrual, year, rounding, day count,
    frequency and currency (not the library's defaults)."""
    given = dict(options)  # the parameters are shared: not changed here
    principal = given.pop("principal", Money("10000"))
    plan = equal_installment(
        principal, rate=Rate.annual("12%"), term=6, start=date(2020, 1, 15), **given
    )
    held = Loan.from_schedule(plan).defer(
        on=date(2020, 1, 15), installments=periods, interest="accrue"
    )
    assert held.transactions[-1].amount == Money(interest, principal.currency)


def test_a_deferral_needs_principal_not_yet_due_however_little() -> None:
    """0.02 in three (0.01, 0.01, 0.00): deferred with 0.02 ahead; refused with nothing ahead."""
    plan = equal_principal(Money("0.02"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15))
    loan = Loan.from_schedule(plan)
    held = loan.defer(on=date(2026, 1, 20), installments=1, interest="waive")
    assert held.position(on=date(2026, 1, 20)).next_due_date == date(2026, 3, 15)
    with pytest.raises(InvalidValueError) as caught:  # 0.00 is all that falls due after 20 Mar
        loan.defer(on=date(2026, 3, 20), installments=1)
    assert str(caught.value) == (
        "on: datetime.date(2026, 3, 20) is refused: no installment falls due after it to defer "
        "(re-age instead)"
    )


def test_a_waived_deferral_keeps_a_prepaid_installment_s_rounded_interest() -> None:
    """The last installment, prepaid 1.50 on its first day, owes 4.00 x 398.50 / 400 = 3.985
    of interest: 3.99 rounded half up, before the deferral and after it."""
    plan = equal_principal(Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15))
    loan = Loan.from_schedule(plan)
    for item in plan.installments[:2]:
        loan = loan.repay(item.total, on=item.due_date)
    day = plan.installments[1].due_date  # 15 Mar: the last period starts
    loan = loan.repay(Money("1.50"), on=day)
    held = loan.defer(on=day, installments=1, interest="waive")
    due = held.position(on=date(2026, 5, 15)).due
    assert (due.principal, due.interest) == (Money("398.50"), Money("3.99"))
    assert held.position(on=day).next_due_amount == loan.position(on=day).next_due_amount


def test_a_plan_re_aged_on_the_31st_keeps_the_31st_when_deferred() -> None:
    """Re-aged on 31 Mar, due on each month's last day (30 Apr, 31 May, …, 31 Jul); deferred
    by one period, 30 Apr moves to 31 May and the plan ends on 31 Aug."""
    plan = equal_installment(
        Money("6000"), rate=Rate.annual("12%"), term=6, start=date(2025, 12, 31)
    )
    aged = Loan.from_schedule(plan).reage(on=date(2026, 3, 31), term=4)
    assert aged.transactions[-1].due == date(2026, 7, 31)
    held = aged.defer(on=date(2026, 4, 1), installments=1, interest="waive")
    assert held.position(on=date(2026, 4, 1)).next_due_date == date(2026, 5, 31)
    assert held.transactions[-1].due == date(2026, 8, 31)


def test_a_reaged_plan_numbers_its_installments_on_from_the_old_plan_s_last() -> None:
    """Re-aged after six installments, the new plan's first installment is number 7."""
    aged = _plan_loan().reage(on=date(2026, 4, 1), term=3)
    first = aged.position(on=date(2026, 4, 1))
    assert first.next_due_date == date(2026, 5, 1)  # a month after the re-ageing
    paid = aged.repay(first.next_due_amount, on=date(2026, 5, 1)).transactions[-1]
    assert {a.installment for a in paid.allocations if a.component != "penalty"} == {7}


def test_each_change_of_plan_is_a_transaction_dated_on_its_day() -> None:
    """A deferral, extension, re-ageing, re-amortisation and repricing are dated when posted."""
    loan = _plan_loan()
    early, late = date(2026, 2, 1), date(2026, 3, 1)  # re-ageing needs something overdue
    changes: list[tuple[date, Loan]] = [
        (early, loan.defer(on=early, installments=1)),
        (early, loan.extend(on=early, term=8)),
        (late, loan.reage(on=late, term=3)),
        (late, loan.reamortize(on=late)),
        (early, loan.reprice(Rate.annual("10%"), on=early)),
    ]
    for day, changed in changes:
        assert changed.transactions[-1].on == day


# -- refusals ------------------------------------------------------------------
def _plan_loan() -> Loan:
    plan = equal_installment(
        Money("6000"), rate=Rate.annual("12%"), term=6, start=date(2026, 1, 15)
    )
    return Loan.from_schedule(plan)


def test_a_deferral_of_a_repaid_or_written_off_loan_is_refused() -> None:
    """A deferral on a paid-off or written-off loan names `on` and says why, word for word."""
    loan = _plan_loan()
    paid = loan.repay(loan.payoff_amount(on=date(2026, 1, 20)), on=date(2026, 1, 20))
    with pytest.raises(InvalidValueError) as caught:
        paid.defer(on=date(2026, 2, 1), installments=1)
    assert str(caught.value) == (
        "on: datetime.date(2026, 2, 1) is refused: no principal is outstanding on it; "
        "nothing can be deferred"
    )
    gone = loan.write_off(on=date(2026, 3, 1))
    with pytest.raises(InvalidValueError) as caught:
        gone.defer(on=date(2026, 3, 2), installments=1)
    assert str(caught.value) == (
        "on: datetime.date(2026, 3, 2) is refused: the loan was written off on 2026-03-01; "
        "only a running loan can be deferred"
    )


def test_a_reprice_before_the_last_transaction_is_refused() -> None:
    """A new rate dated before the last posting is refused, naming `on`."""
    loan = _plan_loan().repay(Money("100"), on=date(2026, 3, 1))
    with pytest.raises(
        InvalidValueError, match=r"^on: datetime.date\(2026, 2, 1\) is before the loan.s last"
    ):
        loan.reprice(Rate.annual("9%"), on=date(2026, 2, 1))


def test_a_reage_of_a_loan_with_nothing_overdue_is_refused() -> None:
    """Re-ageing needs something overdue; reamortize too."""
    loan = _plan_loan()
    with pytest.raises(InvalidValueError, match="nothing is overdue"):
        loan.reage(on=date(2026, 2, 1), term=3)
    with pytest.raises(InvalidValueError, match="nothing is overdue"):
        loan.reamortize(on=date(2026, 2, 1))


def test_an_extension_must_lengthen_the_plan() -> None:
    """`term` not above the installments left is refused, naming `term`."""
    with pytest.raises(InvalidValueError, match=r"^term: 5 must be more than the 5"):
        _plan_loan().extend(on=date(2026, 2, 20), term=5)


def test_an_open_ended_loan_has_no_installments_to_defer() -> None:
    """Deferral, extension, re-ageing and re-amortisation need an installment plan."""
    loan = Loan.open_ended(
        principal=Money("1000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 2, 1),
    )
    calls: list[Callable[[], Loan]] = [
        lambda: loan.defer(on=date(2026, 1, 5), installments=1),
        lambda: loan.extend(on=date(2026, 1, 5), term=2),
        lambda: loan.reage(on=date(2026, 3, 5), term=2),
        lambda: loan.reamortize(on=date(2026, 3, 5)),
    ]
    for call in calls:
        with pytest.raises(InvalidValueError, match="open-ended loan has no installments"):
            call()


def test_bad_event_arguments_name_their_field() -> None:
    """A wrong type or option is refused with the field's name."""
    loan = _plan_loan()
    with pytest.raises(InvalidTypeError, match=r"^installments:"):
        loan.defer(on=date(2026, 2, 1), installments="2")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"^installments: 0"):
        loan.defer(on=date(2026, 2, 1), installments=0)
    with pytest.raises(InvalidValueError, match=r"^interest:"):
        loan.defer(on=date(2026, 2, 1), installments=1, interest="forgive")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match=r"^rate:"):
        loan.reprice("5%", on=date(2026, 2, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"^first_due:"):
        loan.reage(on=date(2026, 4, 1), term=2, first_due=date(2026, 4, 1))


def test_a_back_dated_payoff_that_leaves_nothing_to_defer_is_refused() -> None:
    """A repayment dated before a deferral is replayed with it; if it repays the loan the
    deferral no longer applies and the repayment is refused, the loan unchanged."""
    loan = _plan_loan().defer(on=date(2026, 2, 1), installments=1)
    with pytest.raises(MicroloanError, match="no principal"):
        loan.repay(Money("7000"), on=date(2026, 1, 20))


# -- reports -------------------------------------------------------------------
def test_a_reaged_loan_restarts_its_days_past_due_and_keeps_the_worst() -> None:
    """DPD restarts at 0; `max_days_past_due` and the record keep the worst reached."""
    late = _plan_loan()
    aged = late.reage(on=date(2026, 4, 1), term=6)
    position = aged.position(on=date(2026, 5, 20))
    assert position.days_past_due == 19  # the new plan's first installment, 1 May, unpaid
    assert position.max_days_past_due == 44  # 15 Feb to 31 March, the day before the re-ageing
    record = microloan.LoanRecord.from_loan("L-1", aged, on=date(2026, 5, 20))
    assert (record.days_past_due, record.max_days_past_due) == (19, 44)


def test_a_deferred_installment_is_not_past_due() -> None:
    """On its original due date, a deferred installment is not due, nor past due after."""
    loan = _plan_loan().defer(on=date(2026, 2, 1), installments=2, interest="waive")
    position = loan.position(on=date(2026, 3, 1))
    assert (position.days_past_due, position.status, position.due.total) == (
        0,
        "current",
        Money("0"),
    )


def test_a_line_reages_an_overdue_drawdown() -> None:
    """`CreditLine.reage` re-ages one drawdown; the line's DPD follows and keeps the worst."""
    line = CreditLine.revolving(
        limit=Money("50000"),
        rate=Rate.annual("18%"),
        opened=date(2026, 1, 1),
        expires=date(2027, 12, 31),
    )
    line = line.draw(Money("6000"), on=date(2026, 1, 15), method="equal_installment", term=6)
    line = line.draw(Money("1000"), on=date(2026, 1, 20), maturity=date(2026, 6, 1))
    aged = line.reage(drawdown=0, on=date(2026, 4, 1), term=6)
    position = aged.position(on=date(2026, 4, 1))
    assert (position.days_past_due, position.max_days_past_due) == (0, 44)
    assert aged.drawdown(1) is line.drawdown(1)
    assert (
        position.principal_outstanding == line.position(on=date(2026, 4, 1)).principal_outstanding
    )
    with pytest.raises(microloan.DrawdownNotFoundError):
        line.reage(drawdown=5, on=date(2026, 4, 1), term=6)


# -- properties ----------------------------------------------------------------
@contextmanager
def _checkpoints_every(count: int) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_ledger, "EVERY", count)
        yield


def _replayed(loan: Loan, until: date) -> _ledger.Ledger:
    """A fresh ledger with every active posting (dated up to `until`) applied in date order."""
    ledger = _ledger.Ledger(loan._config())
    active = sorted((p for p in loan._postings if p.undone is None), key=lambda p: (p.on, p.number))
    for posting in active:
        if posting.on > until:
            break
        _apply(ledger, posting)
    ledger.advance(until)
    return ledger


def _figures(ledger: _ledger.Ledger, on: date) -> tuple[Any, ...]:
    snap = ledger.snapshot(on)
    return (
        *(getattr(snap, name) for name in _ledger.Snapshot.__slots__),
        ledger.credit,
        ledger.payoff(on),
        ledger.worst_days_past_due(on),
        [(r.number, r.kind, r.on, r.amount, r.due, r.allocations) for r in ledger.records],
    )


def _days(loan: Loan) -> list[date]:
    days = {loan.start, loan.maturity + timedelta(days=40)}
    for posting in loan._postings:
        days.update({posting.on, max(loan.start, posting.on - timedelta(days=1))})
    return sorted(days)


@_HALF
@given(every=st.sampled_from([1, 2, 32]), data=st.data())
def test_a_history_of_events_has_the_figures_of_a_full_replay(
    every: int, data: st.DataObject
) -> None:
    """Any mix of old and new postings, back-dated or reversed, equals a replay from scratch."""
    with _checkpoints_every(every):
        loan = data.draw(loan_events(fresh_loans()))
        for day in _days(loan):
            assert _figures(loan._at(day), day) == _figures(_replayed(loan, day), day), day


@_HALF
@given(data=st.data())
def test_reversing_an_event_equals_never_having_posted_it(data: st.DataObject) -> None:
    """Post an event then other postings; reversing the event gives the loan without it."""
    base = data.draw(loan_events(fresh_loans(), events=False))
    with_event = data.draw(loan_events(st.just(base), events=True, steps=1, back_dated=False))
    if with_event is base or with_event.transactions[-1:] == base.transactions[-1:]:
        return
    event = next(
        (
            t
            for t in with_event.transactions
            if t.kind in _EVENT_KINDS and t not in base.transactions
        ),
        None,
    )
    if event is None:
        return
    undone = with_event.reverse(event)
    assert undone.transactions == base.transactions
    for day in _days(with_event):
        assert undone.position(on=day) == base.position(on=day), day


_EVENT_KINDS = ("deferral", "extension", "reage", "reamortization", "repricing")


@given(loan=fresh_loans(), after=st.integers(0, 200), periods=st.integers(1, 6))
def test_a_waived_deferral_keeps_principal_and_interest_and_moves_due_dates(
    loan: Loan, after: int, periods: int
) -> None:
    """interest="waive": the same principal and interest, the due dates N periods later."""
    on = loan.start + timedelta(days=after)
    try:
        held = loan.defer(on=on, installments=periods, interest="waive")
    except MicroloanError:
        return
    before, later = loan._at(on), held._at(on)
    first = before._ahead(on)
    plan = loan.schedule
    grid = due_dates(
        plan.start, plan.term + periods, frequency=plan.frequency, first_due=plan.first_due
    )
    old, new = before.lines[first:], later.lines[first:]
    assert [ln.due for ln in new] == [grid[grid.index(ln.due) + periods] for ln in old]
    assert [ln.principal for ln in new] == [ln.principal for ln in old]
    assert sum(later.interest_out(ln, ln.due) for ln in later.lines) == sum(
        before.interest_out(ln, ln.due) for ln in before.lines
    )
    assert held.position(on=on).principal_outstanding == loan.position(on=on).principal_outstanding


@given(
    loan=fresh_loans(),
    after=st.integers(0, 300),
    term=st.integers(1, 24),
    kind=st.sampled_from(["extend", "reage", "reamortize", "reprice"]),
)
def test_a_change_of_plan_keeps_the_principal_outstanding(
    loan: Loan, after: int, term: int, kind: str
) -> None:
    """Extension, re-ageing, re-amortisation and repricing keep principal and what is owed."""
    on = loan.start + timedelta(days=after)
    try:
        if kind == "extend":
            changed = loan.extend(on=on, term=term)
        elif kind == "reage":
            changed = loan.reage(on=on, term=term)
        elif kind == "reamortize":
            changed = loan.reamortize(on=on)
        else:
            changed = loan.reprice(Rate.annual(f"{term}%"), on=on)
    except MicroloanError:
        return
    was, now = loan.position(on=on), changed.position(on=on)
    assert now.principal_outstanding == was.principal_outstanding
    assert now.interest_accrued == was.interest_accrued
    assert now.penalty_outstanding == was.penalty_outstanding
    assert now.max_days_past_due >= was.days_past_due - 1
    if kind in ("reage", "reamortize"):
        assert now.days_past_due == 0
    lines = changed._at(on).lines
    assert sum(ln.principal - ln.principal_paid for ln in lines) == was.principal_outstanding.amount


@_HALF
@given(data=st.data())
def test_a_loan_with_events_survives_a_document(data: st.DataObject) -> None:
    """A loan's events (kinds and parameters) are kept through JSON."""
    loan = data.draw(loan_events(fresh_loans()))
    back = from_json(to_json(loan))
    assert back == loan
    assert back.transactions == loan.transactions
    for day in _days(loan):
        assert back.position(on=day) == loan.position(on=day)


def test_an_event_history_conserves_on_a_plain_example() -> None:
    """Repay, defer, reprice, repay late, re-age, extend: every repayment allocated exactly."""
    plan = equal_installment(
        Money("24000"), rate=Rate.annual("8%"), term=12, start=date(2020, 1, 10)
    )
    loan = Loan.from_schedule(plan).repay(plan.installments[0].total, on=date(2020, 2, 10))
    loan = loan.defer(on=date(2020, 2, 20), installments=6, interest="accrue")
    loan = loan.reprice(Rate.annual("6%"), on=date(2020, 3, 1))
    loan = loan.reage(on=date(2020, 10, 1), term=12)
    loan = loan.repay(Money("3000"), on=date(2020, 11, 5)).extend(on=date(2020, 11, 20), term=18)
    repaid = sum((t.principal for t in loan.transactions), Money("0"))
    assert repaid + loan.position(on=date(2021, 1, 1)).principal_outstanding == plan.principal
    assert [t.kind for t in loan.transactions] == [
        "repayment",
        "deferral",
        "repricing",
        "reage",
        "repayment",
        "extension",
    ]


def test_vintage_counts_a_reaged_loan_as_having_been_late() -> None:
    """A loan re-aged before month end is current at the snapshot, yet bad in its vintage."""
    aged = _plan_loan().reage(on=date(2026, 3, 30), term=6)
    snapshot = microloan.LoanRecord.from_loan("L-1", aged, on=date(2026, 3, 31))
    assert (snapshot.days_past_due, snapshot.max_days_past_due) == (0, 42)
    curve = microloan.vintage([snapshot], over=30).curve(date(2026, 1, 1))
    assert curve[-1] == 1
    report = microloan.ageing_report([snapshot], on=date(2026, 3, 31), scheme="m")
    assert report.count("M0") == 1  # aged by its days past due now: current


def test_a_deferral_after_the_last_due_date_is_refused_word_for_word() -> None:
    """Nothing falls due after the maturity: a deferral then is refused, pointing to re-ageing."""
    plan = microloan.equal_installment(
        Money("3000"), rate=Rate.annual("18%"), term=3, start=date(2026, 1, 31)
    )
    with pytest.raises(InvalidValueError) as info:
        Loan.from_schedule(plan).defer(on=date(2026, 5, 1), installments=1)
    assert str(info.value) == (
        "on: datetime.date(2026, 5, 1) is refused: no installment falls due after it to defer "
        "(re-age instead)"
    )


def test_a_reaged_loan_owes_what_it_owed_before_no_more() -> None:
    """Re-ageing rolls what is owed into a new plan: after an installment paid, one paid in
    part and two more overdue, the principal outstanding and the payoff on the day are the same
    before and after, and the re-aged loan is current."""
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("12%"), term=12, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan).repay(plan.installments[0].total, on=date(2026, 2, 15))
    loan = loan.repay(Money("500"), on=date(2026, 3, 20))  # part of the second, late
    day = date(2026, 5, 1)
    before = loan.position(on=day)
    after = loan.reage(on=day, term=6).position(on=day)
    assert before.days_past_due > 0
    assert after.principal_outstanding == before.principal_outstanding
    assert after.payoff_amount == before.payoff_amount
    assert after.days_past_due == 0


def test_an_extension_after_the_last_due_date_is_refused_word_for_word() -> None:
    """Nothing falls due after the maturity to extend; the refusal says to re-age instead."""
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("12%"), term=12, start=date(2026, 1, 15)
    )
    with pytest.raises(InvalidValueError) as info:
        Loan.from_schedule(plan).extend(on=date(2027, 1, 20), term=3)
    assert str(info.value) == (
        "on: datetime.date(2027, 1, 20) is refused: no installment falls due after it to extend"
        " (re-age instead)"
    )
