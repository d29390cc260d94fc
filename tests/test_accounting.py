"""The lender's books: accrual, non-accrual, the journal and the trial balance."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings

from microloan import (
    AccrualEntry,
    ChartOfAccounts,
    CreditLine,
    InvalidTypeError,
    InvalidValueError,
    JournalEntry,
    Loan,
    MicroloanError,
    Money,
    Rate,
    TrialBalance,
    equal_installment,
    portfolio_journal,
    trial_balance,
)
from tests.strategies import booked_loans, credit_lines

CHART = ChartOfAccounts()
_FEW = settings(max_examples=20)


def _open_ended(principal: str = "10000", days: int = 30) -> Loan:
    return Loan.open_ended(
        principal=Money(principal),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 1, 1) + timedelta(days=days),
    )


def _by_account(entries: tuple[JournalEntry, ...]) -> dict[str, int]:
    net: dict[str, int] = defaultdict(int)
    for e in entries:
        net[e.debit] += e.amount.minor_units
        net[e.credit] -= e.amount.minor_units
    return net


# -- properties -------------------------------------------------------------------------


@_FEW
@given(booked_loans())
def test_the_books_of_any_loan_balance_and_match_its_position(case: tuple[Loan, date]) -> None:
    """Debits equal credits; receivables (on and off balance) equal what the position owes."""
    loan, until = case
    entries = loan.journal(until=until)
    for on in sorted({until, loan.start, *(t.on for t in loan.transactions if t.on <= until)}):
        tb = trial_balance(entries, on=on)
        assert tb.balanced
        p = loan.position(on=on)
        if p.status == "written_off":
            assert tb.balance(CHART.loans_receivable).minor_units == 0
            continue
        assert tb.balance(CHART.loans_receivable) == p.principal_outstanding
        memo = tb.balance(CHART.off_balance_interest)
        owed = p.interest_accrued + p.penalty_outstanding + p.fees_outstanding
        books = (
            tb.balance(CHART.interest_receivable)
            + tb.balance(CHART.penalty_receivable)
            + tb.balance(CHART.fees_receivable)
        )
        assert books + memo == owed
        assert tb.balance(CHART.borrower_credits) == p.credit
        assert tb.balance(CHART.off_balance_contra) == memo


@_FEW
@given(booked_loans())
def test_accruals_over_two_spans_are_the_accruals_over_their_union(
    case: tuple[Loan, date],
) -> None:
    """accruals [a, b) + [b, c) == accruals [a, c), row for row."""
    loan, until = case
    a, c = loan.start, until + timedelta(1)
    b = a + (c - a) / 2
    assert loan.accruals(a, b) + loan.accruals(b, c) == loan.accruals(a, c)


@_FEW
@given(booked_loans())
def test_income_is_what_was_paid_and_is_owed_less_what_was_reversed(
    case: tuple[Loan, date],
) -> None:
    """Accrued income = paid + accrued unpaid on the books (the rest is waived or reversed)."""
    loan, until = case
    if loan.position(on=until).status == "written_off":
        return
    entries = loan.journal(until=until, non_accrual_days=10_000)  # never non-accruing
    tb = trial_balance(entries, on=until)
    accrued = sum((r.amount for r in loan.accruals(loan.start, until + timedelta(1))), Money("0"))
    # a credit held pays what falls due on its own; a later event makes the loan list that use
    listed = loan.charge_fee(Money("0.01"), on=until + timedelta(1)).transactions
    waived = sum((t.amount for t in listed if t.kind == "waiver" and t.on <= until), Money("0"))
    income = (
        tb.balance(CHART.interest_income)
        + tb.balance(CHART.penalty_income)
        + tb.balance(CHART.fee_income)
    )
    assert income == accrued - waived
    p = loan.position(on=until)
    paid = sum(
        (
            t.interest + t.penalty + t.fees
            for t in listed
            if t.kind in ("repayment", "credit") and t.on <= until
        ),
        Money("0"),
    )
    assert income == paid + p.interest_accrued + p.penalty_outstanding + p.fees_outstanding


@settings(max_examples=10)
@given(credit_lines())
def test_a_credit_lines_books_balance_and_hold_its_principal(line: CreditLine) -> None:
    """A line's journal balances and its loans receivable is the drawdowns' principal."""
    if not line.drawdowns:
        return
    on = line.as_of + timedelta(30)
    tb = trial_balance(line.journal(until=on), on=on)
    assert tb.balanced
    live = [p for p in line.position(on=on).drawdowns if p.status != "written_off"]
    held = sum((p.principal_outstanding for p in live), Money("0"))
    assert tb.balance(CHART.loans_receivable) == held


# -- non-accrual -------------------------------------------------------------------------


def test_a_loan_past_the_threshold_stops_accruing_into_income() -> None:
    """From the end of day 90 past due, accruals are off balance and income is reversed."""
    loan = _open_ended()  # due 31 Jan; day 90 past due is 1 May
    rows = loan.accruals(date(2026, 4, 29), date(2026, 5, 4))
    assert [(r.on.day, r.book) for r in rows if r.component == "penalty"] == [
        (29, "income"),
        (30, "income"),
        (1, "income"),
        (2, "off_balance"),
        (3, "off_balance"),
    ]
    tb = trial_balance(loan.journal(until=date(2026, 5, 1)), on=date(2026, 5, 1))
    assert tb.balance(CHART.interest_receivable).minor_units == 0
    assert tb.balance(CHART.penalty_receivable).minor_units == 0
    p = loan.position(on=date(2026, 5, 1))
    assert tb.balance(CHART.off_balance_interest) == p.interest_accrued + p.penalty_outstanding
    assert tb.balance(CHART.interest_income).minor_units == 0


def test_a_loan_cured_leaves_income_as_if_it_had_never_stopped_accruing() -> None:
    """Non-accrual and back: income at the end equals income with no non-accrual at all."""
    loan = _open_ended()
    cured = loan.repay(loan.payoff_amount(on=date(2026, 6, 1)), on=date(2026, 6, 1))
    day = date(2026, 6, 30)
    with_rule = trial_balance(cured.journal(until=day), on=day)
    without = trial_balance(cured.journal(until=day, non_accrual_days=10_000), on=day)
    for account in ("interest_income", "penalty_income", "cash", "off_balance_interest"):
        assert with_rule.balance(account) == without.balance(account)
    assert with_rule.balance("off_balance_interest").minor_units == 0


def test_a_partial_cure_brings_what_is_owed_back_on_the_books() -> None:
    """Paid back under the threshold, the unpaid income returns to the receivables."""
    plan = equal_installment(
        Money("3000"), rate=Rate.annual("18%"), term=3, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan)
    late = loan.position(on=date(2026, 5, 20))  # the first installment 95 days late
    assert late.days_past_due >= 90
    loan = loan.repay(late.overdue.total, on=date(2026, 5, 20))
    p = loan.position(on=date(2026, 5, 20))
    assert p.days_past_due < 90
    tb = trial_balance(loan.journal(until=date(2026, 5, 20)), on=date(2026, 5, 20))
    assert tb.balance("off_balance_interest").minor_units == 0
    assert tb.balance("interest_receivable") == p.interest_accrued
    assert tb.balance("penalty_receivable") == p.penalty_outstanding


def test_keep_leaves_the_accrued_income_and_books_later_accruals_off_balance() -> None:
    """With non_accrual="keep", nothing is reversed on entry."""
    loan = _open_ended()
    keep = trial_balance(
        loan.journal(until=date(2026, 5, 3), non_accrual="keep"), on=date(2026, 5, 3)
    )
    p = loan.position(on=date(2026, 5, 1))
    assert keep.balance("interest_receivable") == p.interest_accrued
    assert keep.balance("off_balance_interest").minor_units > 0


# -- known answers -------------------------------------------------------------------------


def test_an_open_ended_loans_month_matches_the_published_daily_interest() -> None:
    """10,000 at 0.05% a day for 31 days: 155.00 interest (万分之五 × 31), booked daily.

    The entries follow Apache Fineract's accrual-based loan accounting
    (AccrualBasedAccountingProcessorForLoan): accrual Dr interest receivable / Cr income;
    repayment Dr fund source / Cr loan portfolio and interest receivable.
    """
    loan = _open_ended(days=180).repay(Money("4000"), on=date(2026, 2, 1))
    entries = loan.journal(until=date(2026, 2, 1))
    accruals = [e for e in entries if e.kind == "accrual"]
    assert len(accruals) == 31
    assert {e.amount for e in accruals} == {Money("5.00")}  # 10,000 × 0.0005
    assert all((e.debit, e.credit) == ("interest_receivable", "interest_income") for e in accruals)
    repaid = [(e.debit, e.credit, e.amount) for e in entries if e.kind == "repayment"]
    assert repaid == [
        ("cash", "interest_receivable", Money("155.00")),
        ("cash", "loans_receivable", Money("3845.00")),
    ]
    tb = trial_balance(entries, on=date(2026, 2, 1))
    assert tb.balance("interest_income") == Money("155.00")
    assert tb.balance("loans_receivable") == Money("6155.00")
    assert tb.balance("cash") == Money("-6000.00")


def test_the_books_of_each_event_kind() -> None:
    """Fee, waiver, write-off and recovery go to their accounts."""
    loan = _open_ended().charge_fee(Money("20"), on=date(2026, 1, 5))
    loan = loan.waive("fees", on=date(2026, 1, 6))
    loan = loan.write_off(on=date(2026, 3, 2)).repay(Money("500"), on=date(2026, 3, 10))
    entries = loan.journal(until=date(2026, 3, 10))
    kinds = {e.kind: (e.debit, e.credit) for e in entries}
    assert kinds["fee"] == ("fees_receivable", "fee_income")
    assert kinds["waiver"] == ("fee_income", "fees_receivable")
    assert kinds["write_off"][0] == "write_offs"
    assert kinds["recovery"] == ("cash", "recoveries")
    tb = trial_balance(entries, on=date(2026, 3, 10))
    p = loan.position(on=date(2026, 3, 2))
    assert (
        tb.balance("write_offs")
        == p.principal_outstanding + p.interest_accrued + p.penalty_outstanding
    )
    assert tb.balance("recoveries") == Money("500")
    assert tb.balance("loans_receivable").minor_units == 0


def test_an_overpayment_is_a_credit_held_and_its_use_is_booked() -> None:
    """An excess credits borrower_credits; the credit paying an installment debits it."""
    plan = equal_installment(
        Money("1200"), rate=Rate.annual("12%"), term=2, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan, excess="credit").repay(Money("700"), on=date(2026, 2, 15))
    entries = loan.journal(until=date(2026, 3, 20))
    assert any(e.kind == "credit" and e.debit == "borrower_credits" for e in entries)
    for day in (date(2026, 2, 15), date(2026, 3, 20)):
        tb = trial_balance(entries, on=day)
        assert tb.balance("borrower_credits") == loan.position(on=day).credit


def test_a_reversed_payment_is_booked_and_taken_back() -> None:
    """The reversal's entries mirror the payment's, so nothing is left of it."""
    loan = _open_ended().repay(Money("300"), on=date(2026, 1, 11))
    undone = loan.reverse(loan.transactions[-1])
    entries = undone.journal(until=date(2026, 1, 11))
    assert [e.kind for e in entries].count("reversal") == 2
    tb = trial_balance(entries, on=date(2026, 1, 11))
    assert tb.balance("cash") == Money("-10000")


def test_a_renamed_chart_books_to_its_names() -> None:
    """Remapping a role changes the account every entry uses."""
    chart = ChartOfAccounts(cash="1001 Bank", penalty_receivable="interest_receivable")
    entries = _open_ended().journal(until=date(2026, 3, 1), chart=chart)
    tb = trial_balance(entries, on=date(2026, 3, 1), chart=chart)
    assert "1001 Bank" in tb.accounts
    assert "penalty_receivable" not in tb.accounts
    assert tb.balanced


def test_portfolio_journal_and_trial_balances_merge() -> None:
    """A portfolio's trial balance is the sum of its loans'."""
    a, b = _open_ended(), _open_ended("500")
    day = date(2026, 2, 10)
    whole = trial_balance(portfolio_journal({"a": a, "b": b}, until=day), on=day)
    parts = trial_balance(a.journal(until=day), on=day) + trial_balance(
        b.journal(until=day), on=day
    )
    assert whole == parts
    assert sum([trial_balance(a.journal(until=day), on=day)]) == trial_balance(
        a.journal(until=day), on=day
    )
    assert {e.loan_id for e in portfolio_journal({"a": a}, until=day)} == {"a"}


def test_accrual_rows_name_their_day_component_and_book() -> None:
    """Each row is an AccrualEntry with a positive amount on a day of the span."""
    rows = _open_ended().accruals(start=date(2026, 1, 1), end=date(2026, 2, 1))
    assert all(isinstance(r, AccrualEntry) and r.amount > Money("0") for r in rows)
    assert sum((r.amount for r in rows), Money("0")) == Money("150.00")  # 30 days to 31 Jan


# -- refusals -------------------------------------------------------------------------------


def test_the_books_refuse_bad_options() -> None:
    """A bad threshold, policy, span or chart is refused naming the field."""
    loan = _open_ended()
    with pytest.raises(InvalidValueError, match="non_accrual_days"):
        loan.accruals(date(2026, 1, 1), date(2026, 2, 1), non_accrual_days=0)
    with pytest.raises(InvalidValueError, match="non_accrual"):
        loan.journal(until=date(2026, 2, 1), non_accrual="never")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="end"):
        loan.accruals(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(InvalidTypeError, match="chart"):
        loan.journal(until=date(2026, 2, 1), chart="default")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="cash"):
        ChartOfAccounts(cash=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match=r"entries\[0\]"):
        trial_balance(["x"], on=date(2026, 1, 1))  # type: ignore[list-item]
    with pytest.raises(InvalidTypeError, match="books"):
        portfolio_journal({"a": "loan"}, until=date(2026, 1, 1))  # type: ignore[arg-type]
    assert isinstance(trial_balance([], on=date(2026, 1, 1)), TrialBalance)


def test_a_fee_paid_at_once_by_credit_held_is_income_once() -> None:
    """A fee charged on a day a credit pays it is booked before the credit's use of it."""
    plan = equal_installment(Money("100"), rate=Rate.annual("18%"), term=1, start=date(2024, 1, 1))
    loan = Loan.from_schedule(plan).repay(Money("101"), on=date(2024, 1, 1))  # 1.00 held
    loan = loan.charge_fee(Money("1"), on=date(2024, 1, 1))
    tb = trial_balance(loan.journal(until=date(2024, 1, 2)), on=date(2024, 1, 2))
    assert tb.balance("fee_income") == Money("1")
    assert tb.balance("fees_receivable").minor_units == 0
    assert tb.balance("borrower_credits").minor_units == 0


def test_the_books_refuse_a_span_beyond_ten_years() -> None:
    """Day-by-day books stop at ten years from the disbursement: refused, not cut short."""
    loan = _open_ended()
    with pytest.raises(InvalidValueError, match="until"):
        loan.journal(until=date(9999, 12, 31))
    with pytest.raises(InvalidValueError, match="end"):
        loan.accruals(date(2026, 1, 1), date(9999, 12, 31))


@_FEW
@given(booked_loans())
def test_non_accrual_and_cure_change_when_income_is_booked_not_how_much(
    case: tuple[Loan, date],
) -> None:
    """A loan back under the threshold has the income it would have had with no non-accrual."""
    loan, until = case
    p = loan.position(on=until)
    if p.status == "written_off" or p.days_past_due >= 90:
        return
    with_rule = trial_balance(loan.journal(until=until), on=until)
    without = trial_balance(loan.journal(until=until, non_accrual_days=10_000), on=until)
    for account in CHART.accounts:
        assert with_rule.balance(account) == without.balance(account), account


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ((("zz", 1, 2),), "cells[0]: ('zz', 1, 2) names no account of the chart"),
        (
            (("cash", 1, 2), ("cash", 3, 4)),
            "cells[1]: ('cash', 3, 4) is out of order: accounts are sorted and unique",
        ),
        ((("cash", -1, 2),), "cells[0].debit: -1 must not be negative"),
        (
            (("cash", 1),),
            "cells[0]: ('cash', 1) is a tuple; expected an (account, debit, credit) triple",
        ),
    ],
)
def test_a_trial_balance_built_by_hand_is_checked(
    cells: tuple[tuple[str, int, int], ...], message: str
) -> None:
    """A trial balance from a document or a constructor holds sorted, known accounts and
    non-negative minor units, as `trial_balance` makes them."""
    with pytest.raises(MicroloanError) as caught:
        TrialBalance(on=date(2026, 1, 1), currency="CNY", cells=cells)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: JournalEntry(
                on="2026-01-01",  # type: ignore[arg-type]
                debit="cash",
                credit="cash",
                amount=Money(1),
                kind="fee",
            ),
            "on: '2026-01-01' is a str; expected a datetime.date",
        ),
        (
            lambda: JournalEntry(
                on=date(2026, 1, 1),
                debit=5,  # type: ignore[arg-type]
                credit="cash",
                amount=Money(1),
                kind="fee",
            ),
            "debit: 5 is an int; expected an account name (a str)",
        ),
        (
            lambda: JournalEntry(
                on=date(2026, 1, 1), debit="cash", credit="cash", amount=Money(-1), kind="fee"
            ),
            "amount: Money('-1', 'CNY') must be positive",
        ),
        (
            lambda: AccrualEntry(
                on=date(2026, 1, 1), component="interest", amount=Money("0.001"), book="income"
            ),
            "amount: Money('0.001', 'CNY') must be in whole minor units",
        ),
        (
            lambda: AccrualEntry(
                on=date(2026, 1, 1),
                component="tax",  # type: ignore[arg-type]
                amount=Money(1),
                book="income",
            ),
            "component: 'tax' is not one of ['interest', 'penalty', 'fees']",
        ),
    ],
)
def test_an_entry_built_by_hand_is_checked(build: Any, message: str) -> None:
    """Journal and accrual entries, however built, hold a date, accounts, whole minor units
    (a journal amount above zero) and their options' values."""
    with pytest.raises(MicroloanError) as caught:
        build()
    assert str(caught.value) == message
