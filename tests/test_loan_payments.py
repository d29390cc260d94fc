"""Loan payments: allocation orders, prepayment, credit, fees, waivers and write-offs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from microloan import (
    InvalidValueError,
    Loan,
    Money,
    Rate,
    Schedule,
    ServicingTerms,
    TransactionNotFoundError,
    bullet,
    equal_installment,
    equal_principal,
)

START = date(2026, 1, 15)


def _plan() -> Schedule:
    # 12,000 at 12 % a year (1 % a month), 12 monthly installments of 1,066.19
    return equal_installment(Money("12000"), rate=Rate.annual("12%"), term=12, start=START)


def _two_overdue(allocation: str) -> tuple[Loan, date]:
    """Installments 1 and 2 unpaid; the position on 20 Mar 2026 (33 and 5 days late)."""
    loan = Loan.from_schedule(_plan(), allocation=allocation)  # type: ignore[arg-type]
    return loan, date(2026, 3, 20)


def test_oldest_first_settles_the_oldest_installment_completely_first() -> None:
    """oldest_first: installment 1's penalty, interest and principal before anything of 2."""
    loan, day = _two_overdue("oldest_first")
    paid = loan.repay(Money("1100"), on=day).transactions[-1]
    touched = [(a.installment, a.component) for a in paid.allocations]
    assert touched[:3] == [(1, "penalty"), (1, "interest"), (1, "principal")]
    assert touched[3][0] == 2


def test_vertical_pays_all_interest_before_any_principal() -> None:
    """vertical: every due penalty, then every due interest, then principal."""
    loan, day = _two_overdue("vertical")
    paid = loan.repay(Money("300"), on=day).transactions[-1]
    components = [a.component for a in paid.allocations]
    assert components == ["penalty", "penalty", "interest", "interest", "principal"]
    # 120.00 + 110.54 interest of installments 1 and 2 are paid in full
    assert paid.interest == Money("230.54")


def test_principal_first_pays_due_principal_before_interest() -> None:
    """principal_first: due principal of every installment, then interest, fees, penalty."""
    loan, day = _two_overdue("principal_first")
    paid = loan.repay(Money("1000"), on=day).transactions[-1]
    assert [a.component for a in paid.allocations] == ["principal", "principal"]
    assert paid.allocations[0].amount == Money("946.19")


def test_a_partial_payment_leaves_the_rest_due() -> None:
    """Paying part of an installment leaves the rest due and the loan past due."""
    loan = Loan.from_schedule(_plan())
    first = loan.schedule.installments[0]
    partial = loan.repay(Money("500"), on=first.due_date)
    position = partial.position(on=first.due_date)
    assert position.due.total == first.total - Money("500")
    assert partial.position(on=first.due_date + timedelta(days=1)).days_past_due == 1


def test_paying_all_overdue_amounts_brings_dpd_back_to_zero() -> None:
    """Once everything overdue (penalty included) is paid, days past due is 0 again."""
    loan = Loan.from_schedule(_plan())
    day = date(2026, 4, 1)
    position = loan.position(on=day)
    assert position.days_past_due == (day - date(2026, 2, 15)).days
    cured = loan.repay(position.overdue.total, on=day).position(on=day)
    assert cured.days_past_due == 0
    assert cured.status == "current"
    assert cured.overdue.total == Money.zero()


def test_reduce_installment_keeps_the_term_with_smaller_installments() -> None:
    """A prepayment with excess="reduce_installment" keeps every due date, lowering the rest."""
    plan = _plan()
    loan = Loan.from_schedule(plan).repay(plan.installments[0].total, on=date(2026, 2, 15))
    prepaid = loan.repay(Money("3000"), on=date(2026, 2, 15))
    assert prepaid.transactions[-1].principal == Money("3000")
    # the remaining 12,000 - 946.19 - 3,000 = 8,053.81 is re-amortised over the same 11 dates with
    # the schedule's own generator (an independent call here):
    remaining = Money("12000") - Money("946.19") - Money("3000")
    again = equal_installment(remaining, rate=Rate.annual("12%"), term=11, start=date(2026, 2, 15))
    position = prepaid.position(on=date(2026, 2, 15))
    assert position.principal_outstanding == remaining
    assert position.next_due_date == date(2026, 3, 15)
    assert position.next_due_amount == again.installments[0].total
    last = prepaid.repay(Money("1"), on=date(2027, 1, 14))
    assert last.position(on=date(2027, 1, 14)).next_due_date == date(2027, 1, 15)


def test_a_prepayment_re_levels_the_plan_in_the_loan_s_own_minor_units() -> None:
    """A yen loan prepaid on its first day is the plan of the yen left: paying it pays it off."""
    start = date(2026, 1, 15)
    plan = equal_installment(Money("100000", "JPY"), rate=Rate.annual("18%"), term=6, start=start)
    loan = Loan.from_schedule(plan).repay(Money("30000", "JPY"), on=start)  # no interest yet
    # 100,000 - 30,000 = 70,000 yen re-amortised over the same six dates, in whole yen, by
    # the schedule's own generator (an independent call here)
    again = equal_installment(Money("70000", "JPY"), rate=Rate.annual("18%"), term=6, start=start)
    for item in again.installments:
        assert loan.position(on=item.due_date).due.total == item.total
        loan = loan.repay(item.total, on=item.due_date)
    last = loan.position(on=again.installments[-1].due_date)
    assert (last.status, last.payoff_amount, last.credit) == (
        "paid_off",
        Money("0", "JPY"),
        Money("0", "JPY"),
    )


def test_shorten_term_keeps_the_installment_and_ends_sooner() -> None:
    """A prepayment with excess="shorten_term" keeps the installment and drops the last dates."""
    plan = _plan()
    loan = Loan.from_schedule(plan, excess="shorten_term")
    loan = loan.repay(plan.installments[0].total, on=date(2026, 2, 15))
    prepaid = loan.repay(Money("3000"), on=date(2026, 2, 15))
    # keep 1,066.19 a month: 8,053.81 at 1 % a month needs 8 installments (numpy-financial
    # nper(0.01, -1066.19, 8053.81) = 7.9…), so the plan now ends 15 Oct 2026
    import numpy_financial as npf

    assert 7 < float(npf.nper(0.01, -1066.19, 8053.81)) < 8
    on_time = prepaid
    for k in range(2, 10):
        due = date(2026, k + 1, 15)
        position = on_time.position(on=due)
        if not position.due.total:
            break
        assert position.due.total <= Money("1066.19")
        on_time = on_time.repay(position.due.total, on=due)
    assert on_time.position(on=date(2026, 10, 15)).status == "paid_off"


def test_shorten_term_can_leave_a_single_installment() -> None:
    """900 of 1,200 prepaid on the first day: the 300 left at 1 % a month is one installment
    of 300 + 3 on 15 Feb."""
    plan = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=3, start=START)
    prepaid = Loan.from_schedule(plan, excess="shorten_term").repay(Money("900"), on=START)
    due = prepaid.position(on=date(2026, 2, 15)).due
    assert (due.principal, due.interest) == (Money("300"), Money("3"))
    paid = prepaid.repay(Money("303"), on=date(2026, 2, 15))
    assert paid.position(on=date(2026, 2, 15)).status == "paid_off"


def test_prepaying_all_the_principal_ahead_but_a_fee_leaves_only_the_fee() -> None:
    """The payoff less a fee of 5 due in June pays every installment's principal: 5 is left."""
    plan = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=3, start=START)
    loan = Loan.from_schedule(plan).charge_fee(
        Money("5"), on=date(2026, 1, 20), due=date(2026, 6, 1)
    )
    day = date(2026, 1, 20)
    paid = loan.repay(loan.payoff_amount(on=day) - Money("5"), on=day)
    position = paid.position(on=day)
    assert (position.principal_outstanding, position.payoff_amount) == (Money("0"), Money("5"))


def test_a_period_that_owes_nothing_is_passed_over_for_the_next_due_date() -> None:
    """At 0 % with one period of grace the first installment is 0: the next one due is 15 Mar."""
    plan = equal_principal(
        Money("1200"), rate=Rate.annual("0%"), term=3, start=START, principal_grace=1
    )
    position = Loan.from_schedule(plan).position(on=date(2026, 1, 20))
    assert (position.next_due_date, position.next_due_amount) == (date(2026, 3, 15), Money("600"))


def test_equal_principal_shortening_keeps_the_principal_part() -> None:
    """For equal principal, shorten_term keeps the principal part no larger than before."""
    plan = equal_principal(Money("12000"), rate=Rate.annual("12%"), term=12, start=START)
    loan = Loan.from_schedule(plan, excess="shorten_term")
    prepaid = loan.repay(Money("3000"), on=date(2026, 2, 1))
    position = prepaid.position(on=date(2026, 2, 1))
    assert position.principal_outstanding == Money("12000") - prepaid.transactions[-1].principal
    due = prepaid.position(on=date(2026, 2, 15))
    assert due.due.principal <= Money("1000")


def test_credit_pays_installments_as_they_fall_due() -> None:
    """excess="credit": an early payment waits as credit and pays the installment on its date."""
    plan = _plan()
    loan = Loan.from_schedule(plan, excess="credit")
    first = plan.installments[0]
    early = loan.repay(first.total, on=date(2026, 2, 10))
    assert early.position(on=date(2026, 2, 10)).credit == first.total
    on_due = early.position(on=first.due_date)
    assert on_due.credit == Money.zero()
    assert on_due.due.total == Money.zero()
    assert early.position(on=date(2026, 2, 20)).days_past_due == 0


def test_a_payment_above_the_payoff_closes_the_loan_and_keeps_the_rest_as_credit() -> None:
    """Paying more than the payoff amount closes the loan; the excess is a credit to refund."""
    loan = Loan.from_schedule(_plan())
    day = date(2026, 3, 1)
    payoff = loan.payoff_amount(on=day)
    closed = loan.repay(payoff + Money("10"), on=day)
    position = closed.position(on=day)
    assert position.status == "paid_off"
    assert position.credit == Money("10")
    assert closed.transactions[-1].excess == Money("10")


def test_a_fee_is_paid_with_its_due_date_group() -> None:
    """A late fee due with installment 1 is paid after its penalty and before its interest."""
    plan = _plan()
    first = plan.installments[0]
    loan = Loan.from_schedule(plan).charge_fee(Money("30"), on=first.due_date)
    day = first.due_date + timedelta(days=2)
    paid = loan.repay(Money("40"), on=day).transactions[-1]
    assert [a.component for a in paid.allocations] == ["penalty", "fees", "interest"]
    assert paid.fees == Money("30")
    assert paid.allocations[1].fee == 1


def test_a_fee_not_yet_due_is_in_the_payoff_but_not_due() -> None:
    """A fee charged for a later date counts in the payoff amount, not in what is due now."""
    loan = Loan.from_schedule(_plan())
    charged = loan.charge_fee(Money("15"), on=date(2026, 1, 20), due=date(2026, 2, 15))
    position = charged.position(on=date(2026, 1, 20))
    assert position.due.fees == Money.zero()
    assert position.fees_outstanding == Money("15")
    assert position.payoff_amount == loan.payoff_amount(on=date(2026, 1, 20)) + Money("15")
    assert position.next_due_amount == loan.schedule.installments[0].total + Money("15")


def test_waiving_penalty_removes_it_and_later_penalty_still_accrues() -> None:
    """A penalty waiver clears what accrued so far; penalty keeps accruing afterwards."""
    loan = Loan.from_schedule(_plan())
    day = date(2026, 3, 1)
    accrued = loan.position(on=day).penalty_outstanding
    waived = loan.waive("penalty", on=day)
    assert waived.transactions[-1].amount == accrued
    assert waived.position(on=day).penalty_outstanding == Money.zero()
    assert waived.position(on=day + timedelta(days=5)).penalty_outstanding > Money.zero()
    with pytest.raises(InvalidValueError, match="more than"):
        loan.waive("penalty", on=day, amount=accrued + Money("1"))
    with pytest.raises(InvalidValueError, match="nothing due"):
        loan.waive("fees", on=day)


def test_penalty_on_overdue_interest_compounds_only_when_enabled() -> None:
    """penalty_on_interest=True charges penalty on overdue interest too (复利)."""
    # installment 1: principal 946.19, interest 120.00, 10 days late at 0.05 % a day:
    #   off: 946.19 × 0.0005 × 10 = 4.73; on: (946.19 + 120.00) × 0.0005 × 10 = 5.33
    plan = _plan()
    day = plan.installments[0].due_date + timedelta(days=10)
    plain = Loan.from_schedule(plan).position(on=day).penalty_outstanding
    compounding = Loan.from_schedule(plan, penalty_on_interest=True).position(on=day)
    assert (plain, compounding.penalty_outstanding) == (Money("4.73"), Money("5.33"))


def test_an_explicit_penalty_rate_is_used_as_given() -> None:
    """penalty_rate=Rate.daily("0.1%") charges 0.1 % a day on overdue principal."""
    # 946.19 × 0.001 × 10 = 9.4619 → 9.46
    plan = _plan()
    day = plan.installments[0].due_date + timedelta(days=10)
    loan = Loan.from_schedule(plan, penalty_rate=Rate.daily("0.1%"))
    assert loan.position(on=day).penalty_outstanding == Money("9.46")
    assert (
        Loan.from_schedule(plan, penalty_rate="none").position(on=day).penalty_outstanding
        == Money.zero()
    )


def test_a_payment_within_grace_stops_the_penalty_for_what_it_pays() -> None:
    """With grace days, a partial payment within the grace counts as paid on the due date."""
    # 3 grace days; 500 paid on day 2 goes to interest 120.00 and principal 380.00, leaving
    # 566.19 principal overdue; on day 10 the penalty is 566.19 × 0.0005 × 10 = 2.83095 → 2.83
    plan = _plan()
    first = plan.installments[0]
    loan = Loan.from_schedule(plan, grace_days=3)
    partial = loan.repay(Money("500"), on=first.due_date + timedelta(days=2))
    day10 = first.due_date + timedelta(days=10)
    assert partial.position(on=day10).penalty_outstanding == Money("2.83")


def test_open_ended_principal_unpaid_after_maturity_bears_penalty_not_interest() -> None:
    """After maturity an open-ended loan's principal bears the penalty rate instead of interest."""
    # 1,000 at 0.05 % a day for 30 days: 15.00 interest; 10 days late: 1,000 × 0.075 % × 10 = 7.50
    loan = Loan.open_ended(
        principal=Money("1000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 1, 31),
    )
    position = loan.position(on=date(2026, 2, 10))
    assert position.interest_accrued == Money("15.00")
    assert position.penalty_outstanding == Money("7.50")
    assert position.payoff_amount == Money("1022.50")


def test_a_write_off_stops_accruals_and_recoveries_still_count() -> None:
    """After a write-off nothing accrues; a later recovery reduces the balance."""
    loan = Loan.from_schedule(_plan())
    day = date(2026, 6, 1)
    gone = loan.write_off(on=day)
    balance = gone.transactions[-1].amount
    assert balance == loan.payoff_amount(on=day)
    assert gone.payoff_amount(on=day + timedelta(days=300)) == balance
    recovered = gone.repay(Money("2000"), on=date(2026, 8, 1))
    assert recovered.payoff_amount(on=date(2026, 8, 1)) == balance - Money("2000")
    assert recovered.position(on=date(2026, 8, 1)).status == "written_off"
    with pytest.raises(InvalidValueError, match="already written off"):
        gone.write_off(on=date(2026, 9, 1))


def test_a_backdated_payment_is_applied_in_date_order() -> None:
    """A payment posted late but dated earlier is replayed in value-date order."""
    plan = _plan()
    first, second = plan.installments[:2]
    in_order = Loan.from_schedule(plan).repay(first.total, on=first.due_date)
    in_order = in_order.repay(second.total, on=second.due_date)
    backdated = Loan.from_schedule(plan).repay(second.total, on=second.due_date)
    backdated = backdated.repay(first.total, on=first.due_date)
    day = second.due_date + timedelta(days=1)
    assert in_order.position(on=day) == backdated.position(on=day)
    assert backdated.position(on=day).days_past_due == 0


def test_a_position_before_later_transactions_ignores_them() -> None:
    """position(on=d) only counts transactions dated on or before d."""
    plan = _plan()
    loan = Loan.from_schedule(plan)
    paid = loan.repay(Money("5000"), on=date(2026, 3, 1))
    assert paid.position(on=date(2026, 2, 20)) == loan.position(on=date(2026, 2, 20))


def test_credit_applications_are_recorded_as_automatic_transactions() -> None:
    """Credit paying an installment is a "credit" transaction (number 0) that cannot be reversed."""
    plan = _plan()
    loan = Loan.from_schedule(plan, excess="credit")
    loan = loan.repay(Money("1066.19"), on=date(2026, 2, 10))
    loan = loan.repay(Money("1066.19"), on=date(2026, 3, 15))
    automatic = [t for t in loan.transactions if t.kind == "credit"]
    assert len(automatic) == 1
    (credit,) = automatic
    assert (credit.number, credit.on, credit.amount) == (0, date(2026, 2, 15), Money("1066.19"))
    assert (credit.interest, credit.principal) == (Money("120.00"), Money("946.19"))
    with pytest.raises(TransactionNotFoundError, match="automatic"):
        loan.reverse(credit)
    undone = loan.reverse(loan.transactions[0])
    assert [t.kind for t in undone.transactions] == ["repayment"]
    assert undone.position(on=date(2026, 3, 15)).days_past_due == 28


def test_a_loan_reports_its_plan() -> None:
    """principal, rate, start, maturity and currency come from the schedule."""
    plan = _plan()
    loan = Loan.from_schedule(plan)
    assert (loan.principal, loan.rate, loan.start, loan.maturity, loan.currency) == (
        plan.principal,
        plan.rate,
        plan.start,
        plan.maturity,
        "CNY",
    )
    assert loan.kind == "installments"
    assert Loan(schedule=plan) == loan


def test_credit_used_by_a_closing_payment_is_recorded() -> None:
    """Paid in = allocated + credit held, after a payoff that uses a held excess.

    3,000 at 18% over 3 months; 1,100 on the first due date pays 45.00 interest
    (3,000 × 1.5%) and 985.15 principal and leaves 69.85 as credit. Closing on 1 March,
    14 of the period's 28 days later, owes 2,014.85 × 1.5% × 14 / 28 = 15.11 interest
    (prorated period interest, by hand). The credit pays that interest and 54.74 of
    principal in an automatic "credit" transaction; every fen of principal is accounted.
    """
    from microloan import Loan, equal_installment

    loan = Loan.from_schedule(
        equal_installment(Money("3000"), rate=Rate.annual("18%"), term=3, start=date(2026, 1, 15)),
        excess="credit",
    ).repay(Money("1100"), on=date(2026, 2, 15))
    closed = loan.repay(loan.payoff_amount(on=date(2026, 3, 1)), on=date(2026, 3, 1))
    paid_in = sum((t.amount for t in closed.transactions if t.kind == "repayment"), Money(0))
    allocated = sum(
        (a.amount for t in closed.transactions for a in t.allocations if t.kind != "fee"),
        Money(0),
    )
    assert paid_in == allocated + closed.position(on=date(2026, 3, 1)).credit
    credit = [t for t in closed.transactions if t.kind == "credit"]
    assert [(t.amount, t.interest) for t in credit] == [(Money("69.85"), Money("15.11"))]
    assert sum((t.principal for t in closed.transactions), Money(0)) == Money("3000")


# -- partial waivers over several items ---------------------------------------------

_TWO_LATE = (
    Loan.from_schedule(
        equal_installment(Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15))
    )
    .charge_fee(Money("5"), on=date(2026, 1, 20))
    .charge_fee(Money("7"), on=date(2026, 2, 20))
)
_ON = date(2026, 4, 1)


def _parts(loan: Loan) -> list[tuple[int | None, str]]:
    waiver = loan.transactions[-1]
    return [(a.installment or a.fee, str(a.amount.amount)) for a in waiver.allocations]


def test_a_partial_waiver_spans_the_items_oldest_first() -> None:
    """Penalty on overdue principal at 1.5 x 12% / 360 = 0.05% a day (PBoC, Yinfa [2003]
    No. 251: overdue loans bear the contract rate plus 30%-50%): installment 1 (396.03
    principal due 15 Feb) is 45 days late on 1 April, 396.03 x 0.05% x 45 = 8.91;
    installment 2 (399.99 due 15 Mar) 17 days, 3.40. Waiving 8.92 clears the first and
    0.01 of the second; interest (12.00, 8.04) and fees (5, 7) split the same way."""
    penalty = _TWO_LATE.waive("penalty", on=_ON, amount=Money("8.92"))
    assert _parts(penalty) == [(1, "8.91"), (2, "0.01")]
    assert penalty.position(on=_ON).penalty_outstanding == Money("3.39")
    interest = _TWO_LATE.waive("interest", on=_ON, amount=Money("13"))
    assert _parts(interest) == [(1, "12.00"), (2, "1.00")]
    fees = _TWO_LATE.waive("fees", on=_ON, amount=Money("6"))
    assert _parts(fees) == [(1, "5.00"), (2, "1.00")]
    assert fees.position(on=_ON).fees_outstanding == Money("6.00")


def test_a_waiver_of_exactly_what_is_due_clears_it_and_one_fen_more_is_refused() -> None:
    """12.31 of penalty is due (8.91 + 3.40): waiving 12.31 leaves none; 12.32 is refused."""
    cleared = _TWO_LATE.waive("penalty", on=_ON, amount=Money("12.31"))
    assert cleared.position(on=_ON).penalty_outstanding == Money("0")
    assert _parts(cleared) == [(1, "8.91"), (2, "3.40")]
    with pytest.raises(InvalidValueError) as caught:
        _TWO_LATE.waive("penalty", on=_ON, amount=Money("12.32"))
    assert str(caught.value) == "amount: Money('12.32', 'CNY') is more than the penalty due (12.31)"


def test_a_waiver_beyond_what_is_due_is_refused_in_the_loan_s_currency() -> None:
    """The refusal shows the amount asked in the loan's own currency, and what was due."""
    loan = Loan.from_schedule(
        equal_installment(Money("1200", "USD"), rate=Rate.annual("12%"), term=3, start=START)
    ).charge_fee(Money("5", "USD"), on=date(2026, 1, 20))
    with pytest.raises(InvalidValueError) as caught:
        loan.waive("fees", on=date(2026, 1, 25), amount=Money("6", "USD"))
    assert str(caught.value) == "amount: Money('6', 'USD') is more than the fees due (5)"


def test_waiving_what_is_not_due_is_refused_naming_the_component() -> None:
    """Nothing of the component due: the refusal names it and the date."""
    plain = Loan.from_schedule(
        equal_installment(Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15))
    )
    with pytest.raises(InvalidValueError) as caught:
        plain.waive("fees", on=_ON)
    assert str(caught.value) == "component: 'fees' has nothing due to waive on 2026-04-01"


# -- boundaries of the engine: due today, credit, write-off on a due date -------------

_PLAN_3 = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15))


def test_credit_held_pays_a_fee_due_the_day_it_is_charged_at_once() -> None:
    """500 paid on 15 Feb against 408.03 due leaves 91.97 as credit; a 10.00 fee due on the
    day it is charged is paid from it at once (an automatic credit transaction), one due
    later waits for its due date."""
    paid = Loan.from_schedule(_PLAN_3, excess="credit").repay(Money("500"), on=date(2026, 2, 15))
    assert paid.position(on=date(2026, 2, 15)).credit == Money("91.97")
    today = paid.charge_fee(Money("10"), on=date(2026, 2, 20))
    credit = [t for t in today.transactions if t.kind == "credit"]
    assert [(t.on, t.amount) for t in credit] == [(date(2026, 2, 20), Money("10.00"))]
    assert today.position(on=date(2026, 2, 20)).credit == Money("81.97")
    later = paid.charge_fee(Money("10"), on=date(2026, 2, 20), due=date(2026, 2, 25))
    assert later.transactions[-1].due == date(2026, 2, 25)
    assert later.position(on=date(2026, 2, 20)).credit == Money("91.97")
    assert later.position(on=date(2026, 2, 20)).fees_outstanding == Money("10.00")


def test_an_installment_is_due_on_its_due_date() -> None:
    """On 15 Feb the first installment (396.03 + 12.00) is due, not a day later."""
    due = Loan.from_schedule(_PLAN_3).position(on=date(2026, 2, 15)).due
    assert (due.principal, due.interest) == (Money("396.03"), Money("12.00"))


def test_a_write_off_on_a_due_date_keeps_that_periods_whole_interest() -> None:
    """Written off on the due date, the period's 12.00 is owed in full; a day earlier the
    days used, 30 of 31: 12.00 x 30 / 31 = 11.61. A second write-off is refused."""
    on_due = Loan.from_schedule(_PLAN_3).write_off(on=date(2026, 2, 15))
    assert on_due.position(on=date(2026, 3, 1)).interest_accrued == Money("12.00")
    before = Loan.from_schedule(_PLAN_3).write_off(on=date(2026, 2, 14))
    assert before.position(on=date(2026, 3, 1)).interest_accrued == Money("11.61")
    with pytest.raises(InvalidValueError) as caught:
        on_due.write_off(on=date(2026, 3, 1))
    assert str(caught.value) == (
        "on: datetime.date(2026, 3, 1) is refused: the loan was already written off on 2026-02-15"
    )


def test_an_excess_with_no_principal_ahead_pays_the_fees_ahead() -> None:
    """Once every fen of principal is prepaid, a further excess pays the fees not yet due
    (as when only fees lie ahead); it never records a principal allocation of 0.00."""
    plan = bullet(Money("100"), rate=Rate.daily("0.05%"), term=1, start=date(2024, 1, 1))
    loan = Loan.from_schedule(plan).charge_fee(
        Money("5"), on=date(2024, 1, 1), due=date(2024, 1, 20)
    )
    loan = loan.repay(Money("100"), on=date(2024, 1, 1)).repay(Money("1"), on=date(2024, 1, 1))
    last = loan.transactions[-1]
    assert [(a.component, a.amount) for a in last.allocations] == [("fees", Money("1.00"))]
    assert last.excess == Money("0.00")
    assert loan.position(on=date(2024, 1, 1)).payoff_amount == Money("4.00")


def test_an_excess_with_two_installments_left_relevels_both() -> None:
    """`excess="reduce_installment"` spreads a prepayment over every installment left, two
    of them as well as ten: both come out level (to the fen), not one cut and one whole."""
    terms = ServicingTerms(excess="reduce_installment")
    plan = equal_installment(
        Money("3000"), rate=Rate.annual("18%"), term=3, start=date(2026, 1, 31)
    )
    loan = Loan(schedule=plan, terms=terms)
    loan = loan.repay(plan.installments[0].total + Money("500"), on=date(2026, 2, 28))
    second = loan.position(on=date(2026, 3, 1))
    assert second.next_due_date is not None
    third = loan.repay(second.next_due_amount, on=second.next_due_date).position(
        on=date(2026, 4, 1)
    )
    assert abs(second.next_due_amount - third.next_due_amount) <= Money("0.01")
    assert second.next_due_amount < plan.installments[1].total


def test_installments_credit_pays_on_their_due_dates_never_count_as_past_due() -> None:
    """The worst days past due are taken after the credit pays what falls due each day.

    1,200 at 12% in three: 408.03, 408.03 and 408.02. A 900 credit pays the first two on
    their due dates (816.06) and leaves 83.94, less than the third: only the third is late,
    5 days on 20 April. Before, the worst was taken before the credit paid, and the loan
    showed 4 and 32 days it never was late, and 63 on 20 April.
    """
    plan = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=3, start=START)
    loan = Loan.from_schedule(plan, excess="credit").repay(Money("900"), on=date(2026, 1, 20))
    assert [item.total for item in plan] == [Money("408.03"), Money("408.03"), Money("408.02")]
    assert loan.position(on=date(2026, 2, 20)).max_days_past_due == 0
    assert loan.position(on=date(2026, 3, 20)).max_days_past_due == 0
    late = loan.position(on=date(2026, 4, 20))
    assert (late.days_past_due, late.max_days_past_due) == (5, 5)
