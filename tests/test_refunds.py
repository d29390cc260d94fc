"""Refunds of a credit held and recoveries after a write-off: postings like any other.

A refund pays credit held (an overpayment) back to the borrower; a recovery is money
received on a written-off loan. Both replay in date order, reverse as if never posted, are
written in documents, and are booked: a refund debits borrower credits and credits cash; a
recovery debits cash and credits recoveries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microloan
from microloan import (
    CreditLine,
    CurrencyMismatchError,
    InvalidTypeError,
    InvalidValueError,
    Loan,
    Money,
    Rate,
    _ledger,
    bullet,
    from_json,
    to_json,
    trial_balance,
)
from microloan.loans import _apply
from tests.strategies import fresh_loans, whole_yuan
from tests.test_stateful import check_loan_conserves

_FAILED = (microloan.MicroloanError,)

#: Histories are many operations, each replayed: half the profile's examples.
_HALF = settings(max_examples=max(10, settings().max_examples // 2))


def _fineract_loan() -> Loan:
    """Apache Fineract's "default Loan" of its credit-balance-refund scenarios: 1,000 lent
    on 1 January 2023 at no interest, repaid in one installment."""
    plan = bullet(Money("1000"), rate=Rate.annual("0%"), term=1, start=date(2023, 1, 1))
    return Loan.from_schedule(plan)


def _overpaid(loan: Loan, on: date, by: int = 200) -> Loan:
    """`loan` repaid in full on `on`, plus `by` yuan held as credit."""
    return loan.repay(loan.payoff_amount(on=on) + Money(by), on=on)


def _open_ended() -> Loan:
    return Loan.open_ended(
        principal=Money("1000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 1, 31),
    )


# -- known answers -------------------------------------------------------------------------


def test_a_refund_of_the_whole_overpayment_closes_the_loan() -> None:
    """Fineract's scenario C2511: 450, 450 and 300 repaid on a 1,000 loan leave 200 overpaid;
    a credit balance refund of 200 closes it, booked overpayment liability to cash."""
    # Source: apache/fineract, fineract-e2e-tests-runner/src/test/resources/features/
    # LoanCBR.feature, "Verify that Loan status goes from overpaid to closed in case of CBR
    # transaction when transaction amount equals overpaid amount" (TestRailId C2511):
    # outstanding 0, overpaid 200; the CBR of 200 debits the Overpayment account 200 and
    # credits the Suspense/Clearing (cash) account 200; the 300 repayment credits loans
    # receivable 100 and the overpayment account 200.
    loan = _fineract_loan()
    loan = loan.repay(Money("450"), on=date(2023, 1, 3))
    loan = loan.repay(Money("450"), on=date(2023, 1, 5))
    loan = loan.repay(Money("300"), on=date(2023, 1, 5))
    overpaid = loan.position(on=date(2023, 1, 5))
    assert (overpaid.payoff_amount, overpaid.credit) == (Money("0"), Money("200"))
    assert loan.transactions[-1].principal == Money("100")
    refunded = loan.refund(Money("200"), on=date(2023, 1, 5))
    closed = refunded.position(on=date(2023, 1, 5))
    assert (closed.status, closed.payoff_amount, closed.credit) == (
        "paid_off",
        Money("0"),
        Money("0"),
    )
    assert closed.refunded == Money("200")
    entries = refunded.journal(until=date(2023, 1, 5))
    cbr = [(e.debit, e.credit, e.amount) for e in entries if e.kind == "refund"]
    assert cbr == [("borrower_credits", "cash", Money("200"))]
    third = [(e.debit, e.credit, e.amount) for e in entries if e.source == loan.transactions[-1]]
    assert third == [
        ("cash", "loans_receivable", Money("100")),
        ("cash", "borrower_credits", Money("200")),
    ]


def test_a_refunded_repayment_is_reversed_only_after_its_refund() -> None:
    """Fineract's scenario C2505 undoes a repayment behind a refund and the refund becomes
    debt (the loan owes 100 again); here a refund never takes more than the credit held, so
    the reversal is refused until the refund is reversed: then 1,100 paid on 1,000 leave 100
    held."""
    # Source: apache/fineract, LoanCBR.feature, TestRailId C2505: 100 (3 Jan), 500 and 600
    # (5 Jan) repaid on 1,000: overpaid 200; CBR 200 on 7 Jan; undo the 100: 100 outstanding.
    loan = _fineract_loan()
    loan = loan.repay(Money("100"), on=date(2023, 1, 3))
    loan = loan.repay(Money("500"), on=date(2023, 1, 5))
    loan = loan.repay(Money("600"), on=date(2023, 1, 5))
    assert loan.position(on=date(2023, 1, 5)).credit == Money("200")
    refunded = loan.refund(Money("200"), on=date(2023, 1, 7))
    first = refunded.transactions[0]
    with pytest.raises(InvalidValueError, match=r"more than the credit"):
        refunded.reverse(first)
    undone = refunded.reverse(refunded.transactions[-1]).reverse(first)
    assert undone.position(on=date(2023, 1, 7)).payoff_amount == Money("0")
    assert undone.position(on=date(2023, 1, 7)).credit == Money("100")  # 1,100 paid on 1,000
    assert (
        undone.refund(Money("100"), on=date(2023, 1, 7)).position(on=date(2023, 1, 7)).status
        == "paid_off"
    )


def test_a_recovery_is_booked_cash_to_recoveries() -> None:
    """Money received after a write-off debits cash and credits the recoveries income account,
    as Fineract books a recovery repayment (fund source to income from recovery)."""
    # Source: apache/fineract, AccrualBasedAccountingProcessorForLoan: a recovery repayment
    # debits the fund source and credits INCOME_FROM_RECOVERY (AccountingConstants).
    loan = _fineract_loan().write_off(on=date(2023, 3, 1))
    back = loan.recover(Money("400"), on=date(2023, 4, 1))
    entries = back.journal(until=date(2023, 4, 1))
    booked = [(e.debit, e.credit, e.amount) for e in entries if e.kind == "recovery"]
    assert booked == [("cash", "recoveries", Money("400"))]
    assert back.payoff_amount(on=date(2023, 4, 1)) == Money("600")
    assert trial_balance(entries, on=date(2023, 4, 1)).balance("recoveries") == Money("400")


# -- refunds -------------------------------------------------------------------------------


@given(loan=fresh_loans(), over=st.integers(1, 500), part=st.integers(1, 100))
def test_a_refund_takes_credit_out_and_changes_nothing_owed(
    loan: Loan, over: int, part: int
) -> None:
    """A refund lowers the credit by its amount, raises `refunded` as much, and leaves every
    other figure of the position as it was."""
    day = loan.start + timedelta(days=3)
    overpaid = _overpaid(loan, day, over)
    amount = Money.from_minor_units(over * part)  # at most the whole credit
    back = overpaid.refund(amount, on=day)
    before, after = overpaid.position(on=day), back.position(on=day)
    assert after.credit == before.credit - amount
    assert after.refunded == before.refunded + amount
    assert attrs.evolve(after, credit=before.credit, refunded=before.refunded) == before
    check_loan_conserves(back, day + timedelta(days=40))


@given(loan=fresh_loans(), over=st.integers(1, 500), extra=st.integers(1, 10_000))
def test_a_refund_larger_than_the_credit_is_refused(loan: Loan, over: int, extra: int) -> None:
    """More than the credit held on the date is refused, naming the amount; the loan is as it
    was."""
    day = loan.start + timedelta(days=2)
    overpaid = _overpaid(loan, day, over)
    held = overpaid.position(on=day).credit
    with pytest.raises(InvalidValueError, match=r"^amount: .* more than the credit"):
        overpaid.refund(held + Money.from_minor_units(extra), on=day)
    with pytest.raises(InvalidValueError, match=r"more than the credit"):
        loan.refund(Money.from_minor_units(extra), on=day)  # no credit at all
    assert overpaid.position(on=day).credit == held


def test_a_refund_needs_a_positive_whole_amount_in_the_loan_currency_and_a_date() -> None:
    """A zero, negative, fractional or foreign amount, or a date before disbursement, is
    refused with the error of its kind."""
    loan = _overpaid(_open_ended(), date(2026, 1, 11))
    for bad in (Money("0"), Money("-5")):
        with pytest.raises(InvalidValueError, match=r"amount: .* must be positive"):
            loan.refund(bad, on=date(2026, 1, 11))
    with pytest.raises(InvalidValueError, match=r"minor units"):
        loan.refund(Money("1.005"), on=date(2026, 1, 11))
    with pytest.raises(CurrencyMismatchError, match=r"currency: amount"):
        loan.refund(Money("5", "USD"), on=date(2026, 1, 11))
    with pytest.raises(InvalidTypeError, match=r"amount"):
        loan.refund(5, on=date(2026, 1, 11))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"before the disbursement"):
        loan.refund(Money("5"), on=date(2025, 12, 31))


def test_a_refund_before_the_credit_arose_is_refused() -> None:
    """A credit exists from the repayment that made it: a refund dated before it is refused."""
    loan = _overpaid(_open_ended(), date(2026, 1, 11))
    with pytest.raises(InvalidValueError, match=r"more than the credit of 0.00"):
        loan.refund(Money("5"), on=date(2026, 1, 10))


def test_a_back_dated_posting_that_would_overdraw_a_refund_is_refused() -> None:
    """A fee charged before a refund, which the credit would pay, would leave the refund more
    than the credit held: the fee is refused and the loan is as it was."""
    loan = _overpaid(_open_ended(), date(2026, 1, 11), by=100).refund(
        Money("100"), on=date(2026, 1, 20)
    )
    with pytest.raises(InvalidValueError, match=r"more than the credit of 70.00"):
        loan.charge_fee(Money("30"), on=date(2026, 1, 15))
    assert loan.position(on=date(2026, 1, 20)).refunded == Money("100")
    # a fee due after the refund leaves it enough: the credit pays it later, or it stays owed
    later = loan.charge_fee(Money("30"), on=date(2026, 1, 15), due=date(2026, 1, 25))
    assert later.position(on=date(2026, 1, 25)).fees_outstanding == Money("30")


def test_a_back_dated_refund_leaves_less_credit_for_what_falls_due() -> None:
    """A refund dated before an installment falls due leaves less credit to pay it."""
    plan = microloan.equal_installment(
        Money("1200"), rate=Rate.annual("12%"), term=2, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan, excess="credit")
    loan = loan.repay(Money("700"), on=date(2026, 1, 20))  # held: nothing due yet
    loan = loan.charge_fee(Money("5"), on=date(2026, 3, 1))  # moves the record past Feb 15
    refunded = loan.refund(Money("200"), on=date(2026, 2, 1))  # back-dated
    paid = [t for t in refunded.transactions if t.kind == "credit"]
    assert sum((t.amount for t in paid), Money("0")) == Money("500")
    assert refunded.position(on=date(2026, 2, 15)).due.total == Money("109.01")  # 609.01 - 500


@given(data=st.data())
def test_reversing_a_refund_equals_never_having_posted_it(data: st.DataObject) -> None:
    """A loan with a refund reversed has the transactions and positions of the loan before."""
    loan = data.draw(fresh_loans())
    day = loan.start + timedelta(days=data.draw(st.integers(0, 30)))
    overpaid = _overpaid(loan, day, data.draw(st.integers(1, 300)))
    held = overpaid.position(on=day).credit.minor_units
    later = day + timedelta(days=data.draw(st.integers(0, 30)))
    amount = Money.from_minor_units(data.draw(st.integers(1, held)))
    try:
        back = overpaid.refund(amount, on=later)
    except InvalidValueError:  # the credit paid what fell due by then
        assert overpaid.position(on=later).credit < amount
        return
    undone = back.reverse(back.transactions[-1])
    assert undone.transactions == overpaid.transactions
    for when in (day, later, later + timedelta(days=60)):
        assert undone.position(on=when) == overpaid.position(on=when)
    assert undone.reversed_transactions == (back.transactions[-1],)


def test_a_refund_shows_in_the_ledger_rows_as_credit_taken_out() -> None:
    """A refund is one `"credit"` row, negated; the credit rows add up to the credit held and
    the repayment rows to the money paid in."""
    loan = _overpaid(_open_ended(), date(2026, 1, 11), by=95)
    back = loan.refund(Money("60"), on=date(2026, 1, 12))
    rows = back.ledger_rows()
    assert [(r.kind, r.component, str(r.amount)) for r in rows if r.kind == "refund"] == [
        ("refund", "credit", "-60.00")
    ]
    credit = sum(r.amount for r in rows if r.component == "credit")
    paid_in = sum(r.amount for r in rows if r.kind == "repayment")
    assert credit == back.position(on=date(2026, 1, 12)).credit.amount
    assert paid_in == loan.transactions[0].amount.amount
    undone = back.reverse(back.transactions[-1]).ledger_rows()
    assert sum(r.amount for r in undone if r.kind == "refund") == 0


def test_a_refund_keeps_the_books_balanced_and_borrower_credits_equal_to_the_credit() -> None:
    """After a refund the trial balance balances and borrower credits is the credit held."""
    loan = _overpaid(_open_ended(), date(2026, 1, 11), by=95).refund(
        Money("40"), on=date(2026, 1, 12)
    )
    tb = trial_balance(loan.journal(until=date(2026, 1, 12)), on=date(2026, 1, 12))
    assert tb.balanced
    assert tb.balance("borrower_credits") == loan.position(on=date(2026, 1, 12)).credit


# -- recoveries ----------------------------------------------------------------------------


def test_a_recovery_before_a_write_off_is_refused() -> None:
    """A loan not written off has repayments, not recoveries; one dated before the write-off
    too."""
    loan = _open_ended()
    with pytest.raises(InvalidValueError, match=r"^on: .* not written off"):
        loan.recover(Money("10"), on=date(2026, 2, 1))
    gone = loan.write_off(on=date(2026, 3, 1))
    with pytest.raises(InvalidValueError, match=r"not written off"):
        gone.recover(Money("10"), on=date(2026, 2, 28))


def test_a_recovery_after_the_write_off_was_reversed_is_refused() -> None:
    """Reversing the write-off makes the loan a live one again: no recovery."""
    gone = _open_ended().write_off(on=date(2026, 3, 1))
    live = gone.reverse(gone.transactions[-1])
    with pytest.raises(InvalidValueError, match=r"not written off"):
        live.recover(Money("10"), on=date(2026, 3, 5))


def test_a_write_off_with_a_recovery_after_it_is_reversed_only_after_the_recovery() -> None:
    """The recovery rests on the write-off: reversing the write-off first is refused."""
    gone = _open_ended().write_off(on=date(2026, 3, 1))
    back = gone.recover(Money("10"), on=date(2026, 3, 5))
    with pytest.raises(InvalidValueError, match=r"not written off"):
        back.reverse(back.transactions[0])
    undone = back.reverse(back.transactions[-1]).reverse(back.transactions[0])
    assert undone.position(on=date(2026, 3, 5)) == _open_ended().position(on=date(2026, 3, 5))
    assert from_json(to_json(undone)) == undone


@given(loan=fresh_loans(), after=st.integers(0, 90), share=st.integers(1, 100))
def test_a_recovery_pays_the_written_off_balance_and_never_makes_a_credit(
    loan: Loan, after: int, share: int
) -> None:
    """A recovery's allocations add up to it, the balance still owed falls by as much, and
    anything above what is still owed is refused."""
    written = loan.start + timedelta(days=after)
    gone = loan.write_off(on=written)
    day = written + timedelta(days=10)
    owed = gone.payoff_amount(on=day)
    amount = Money.from_minor_units(max(1, owed.minor_units * share // 100))
    back = gone.recover(amount, on=day)
    posted = back.transactions[-1]
    assert (posted.kind, posted.excess) == ("recovery", Money("0"))
    assert sum((a.amount for a in posted.allocations), Money("0")) == amount
    assert back.payoff_amount(on=day) == owed - amount
    assert back.position(on=day).status == "written_off"
    with pytest.raises(InvalidValueError, match=r"^amount: .* still owed"):
        back.recover(owed - amount + Money("0.01"), on=day)
    check_loan_conserves(back, day)


@given(loan=fresh_loans(), share=st.integers(1, 100))
def test_reversing_a_recovery_equals_never_having_posted_it(loan: Loan, share: int) -> None:
    """A recovery reversed leaves the written-off loan as it was."""
    gone = loan.write_off(on=loan.start + timedelta(days=5))
    day = loan.start + timedelta(days=20)
    amount = Money.from_minor_units(max(1, gone.payoff_amount(on=day).minor_units * share // 100))
    back = gone.recover(amount, on=day)
    undone = back.reverse(back.transactions[-1])
    assert undone.transactions == gone.transactions
    assert undone.position(on=day) == gone.position(on=day)
    assert undone.journal(until=day)[-1].kind == "reversal"


def test_a_recovery_shows_in_the_ledger_rows_by_component() -> None:
    """A recovery is one row per component it paid, of kind `"recovery"`."""
    gone = _open_ended().write_off(on=date(2026, 1, 21))  # 1,000 and 10 interest
    rows = gone.recover(Money("300"), on=date(2026, 2, 1)).ledger_rows()
    assert [(r.kind, r.component, str(r.amount)) for r in rows if r.kind == "recovery"] == [
        ("recovery", "interest", "10.00"),
        ("recovery", "principal", "290.00"),
    ]


# -- replay: a back-dated call equals a full replay -----------------------------------------


@contextmanager
def _checkpoints_every(count: int) -> Iterator[None]:
    """Checkpoints every `count` postings, so that short histories cross several."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_ledger, "EVERY", count)
        yield


def _full_replay(loan: Loan) -> _ledger.Trail[Any]:
    """The engine run on the loan's active postings in date order, from disbursement, with
    no checkpoint used (each posting applied after the last)."""
    config = _ledger.Config(
        schedule=loan.schedule, terms=loan.terms, open_ended=loan.kind == "open_ended"
    )
    trail: _ledger.Trail[Any] = _ledger.Trail.fresh(config, _apply)
    active = sorted((p for p in loan._postings if p.undone is None), key=lambda p: (p.on, p.number))
    for posting in active:
        trail = trail.post(posting)
    return trail


def _figures(ledger: _ledger.Ledger, on: date) -> dict[str, Any]:
    snap = ledger.snapshot(on)
    figures: dict[str, Any] = {name: getattr(snap, name) for name in _ledger.Snapshot.__slots__}
    figures.update(credit=ledger.credit, refunded=ledger.refunded, written_off=ledger.written_off)
    return figures


def _records(ledger: _ledger.Ledger) -> list[tuple[Any, ...]]:
    return [
        (r.number, r.kind, r.on, r.amount, r.due, r.allocations, r.excess) for r in ledger.records
    ]


@st.composite
def credit_histories(draw: st.DrawFn) -> Loan:
    """A loan through repayments (some beyond the payoff), fees, refunds, a write-off,
    recoveries and reversals, back-dated at random."""
    loan = draw(fresh_loans())
    for _ in range(draw(st.integers(1, 12))):
        on = loan.start + timedelta(days=draw(st.integers(0, 200)))
        action = draw(
            st.sampled_from(["repay", "overpay", "fee", "refund", "refund", "write_off", "recover"])
        )
        if loan.transactions and draw(st.integers(0, 5)) == 0:
            action = "reverse"
        try:
            if action == "repay":
                loan = loan.repay(draw(whole_yuan(1, 20_000)), on=on)
            elif action == "overpay":
                loan = _overpaid(loan, on, draw(st.integers(1, 300)))
            elif action == "fee":
                loan = loan.charge_fee(draw(whole_yuan(1, 200)), on=on)
            elif action == "write_off":
                loan = loan.write_off(on=on)
            elif action == "reverse":
                loan = loan.reverse(draw(st.sampled_from(loan.transactions)))
            else:
                where = loan.position(on=on)
                most = (where.credit if action == "refund" else where.payoff_amount).minor_units
                amount = Money.from_minor_units(draw(st.integers(1, max(1, most))))
                loan = (loan.refund if action == "refund" else loan.recover)(amount, on=on)
        except _FAILED:
            continue
    return loan


@_HALF
@given(every=st.sampled_from([1, 2, 3, 32]), data=st.data())
def test_a_checkpointed_loan_with_refunds_and_recoveries_equals_a_full_replay(
    every: int, data: st.DataObject
) -> None:
    """Back-dated refunds and recoveries, and reversals, replayed from a checkpoint give the
    records and the figures on every date of a replay from disbursement."""
    with _checkpoints_every(every):
        loan = data.draw(credit_histories())
        whole = _full_replay(loan)
        assert _records(loan._servicing().ledger) == _records(whole.ledger)
        days = {loan.start, loan.maturity + timedelta(days=30)}
        days.update(p.on for p in loan._postings)
        days.update(p.on - timedelta(days=1) for p in loan._postings if p.on > loan.start)
        for day in sorted(days):
            assert _figures(loan._at(day), day) == _figures(whole.at(day), day), day
        check_loan_conserves(loan, loan.maturity)


@_HALF
@given(data=st.data())
def test_a_loan_with_refunds_and_recoveries_round_trips_through_json(
    data: st.DataObject,
) -> None:
    """A loan's refunds and recoveries, active or reversed, are written and read back."""
    loan = data.draw(credit_histories())
    back = from_json(to_json(loan), Loan)
    assert back == loan
    assert back.transactions == loan.transactions
    assert back.reversed_transactions == loan.reversed_transactions


# -- credit lines --------------------------------------------------------------------------


def _line() -> CreditLine:
    line = CreditLine.revolving(
        limit=Money("50000"),
        rate=Rate.daily("0.05%"),
        opened=date(2026, 1, 1),
        expires=date(2026, 12, 31),
    )
    return line.draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))


def test_a_line_refund_takes_the_line_credit_first_then_the_drawdowns() -> None:
    """Without a drawdown named, the line's own credit is refunded first, then each
    drawdown's credit, oldest first; `position().refunded` counts both."""
    line = _line().repay(Money("1100"), on=date(2026, 1, 21))  # owes 1,010: 90 on the line
    line = line.draw(Money("500"), on=date(2026, 1, 22), maturity=date(2026, 3, 1))
    line = line.repay(Money("550"), on=date(2026, 1, 22), drawdown=1)  # 50 held on the loan
    assert line.position(on=date(2026, 1, 22)).credit == Money("140")
    back = line.refund(Money("120"), on=date(2026, 1, 23))
    assert back.refunds == ((date(2026, 1, 23), Money("90")),)
    assert back.credit == Money("0")
    assert back.drawdowns[1].position(on=date(2026, 1, 23)).refunded == Money("30")
    where = back.position(on=date(2026, 1, 23))
    assert (where.credit, where.refunded) == (Money("20"), Money("120"))
    with pytest.raises(InvalidValueError, match=r"^amount: .* more than the credit of 20.00"):
        back.refund(Money("21"), on=date(2026, 1, 23))
    only = line.refund(Money("50"), on=date(2026, 1, 23), drawdown=1)
    assert only.credit == Money("90")  # the line's own credit untouched


def test_a_back_dated_line_refund_never_takes_what_a_later_refund_took() -> None:
    """The line's own credit may be refunded on an earlier date only if every later refund
    still finds its credit."""
    line = _line().repay(Money("1100"), on=date(2026, 1, 21))  # 90 held from Jan 21
    line = line.refund(Money("60"), on=date(2026, 2, 1))
    with pytest.raises(InvalidValueError, match=r"more than the credit of 30.00"):
        line.refund(Money("31"), on=date(2026, 1, 25))
    both = line.refund(Money("30"), on=date(2026, 1, 25))
    assert both.refunds == ((date(2026, 1, 25), Money("30")), (date(2026, 2, 1), Money("60")))
    with pytest.raises(InvalidValueError, match=r"more than the credit of 0.00"):
        line.refund(Money("1"), on=date(2026, 1, 20))  # before the credit arose


def test_a_line_built_with_refunds_above_its_credit_is_refused() -> None:
    """Refunds that add up past the credit arisen by their date are refused on construction."""
    line = _line().repay(Money("1100"), on=date(2026, 1, 21))
    fields = {f.name: getattr(line, f.name) for f in attrs.fields(CreditLine) if f.init}
    fields.pop("_book", None)
    with pytest.raises(InvalidValueError, match=r"^refunds: .* more than the credit"):
        CreditLine(
            **{**fields, "credit": Money("0"), "refunds": ((date(2026, 1, 20), Money("90")),)}
        )
    with pytest.raises(InvalidValueError, match=r"credit_held"):
        CreditLine(**{**fields, "refunds": ((date(2026, 1, 22), Money("10")),)})


def test_a_line_refund_is_booked_and_shown_in_its_rows() -> None:
    """A refund of the line's own credit is a negated `"credit"` row of kind `"refund"` and a
    journal entry from borrower credits to cash; the line round-trips through JSON."""
    line = (
        _line().repay(Money("1100"), on=date(2026, 1, 21)).refund(Money("90"), on=date(2026, 1, 25))
    )
    rows = line.ledger_rows()
    assert [
        (r.kind, r.component, str(r.amount), r.value_date) for r in rows if r.drawdown is None
    ] == [
        ("repayment", "credit", "90.00", date(2026, 1, 21)),  # the day the credit arose
        ("refund", "credit", "-90.00", date(2026, 1, 25)),  # the day it was paid back
    ]
    entries = line.journal(until=date(2026, 1, 25))
    assert [(e.debit, e.credit, e.amount) for e in entries if e.kind == "refund"] == [
        ("borrower_credits", "cash", Money("90"))
    ]
    tb = trial_balance(entries, on=date(2026, 1, 25))
    assert tb.balanced
    assert tb.balance("borrower_credits") == Money("0")
    assert from_json(to_json(line), CreditLine) == line


def test_a_document_reverses_a_recovery_before_a_later_payment_that_needs_it_gone() -> None:
    """A payment that needs a reversed recovery gone still loads: reversals go newest first."""
    plan = bullet(Money("100"), rate=Rate.daily("0.05%"), term=1, start=date(2024, 1, 1))
    loan = Loan.from_schedule(plan).write_off(on=date(2024, 1, 1))
    loan = loan.repay(Money("1"), on=date(2024, 1, 1))
    loan = loan.recover(Money("0.01"), on=date(2024, 1, 2))
    for number in (3, 2, 1):  # the recovery, the payment, the write-off
        loan = loan.reverse(next(t for t in loan.transactions if t.number == number))
    loan = loan.repay(Money("101"), on=date(2024, 1, 1))
    back = from_json(to_json(loan), Loan)
    assert back == loan
    assert back.reversed_transactions == loan.reversed_transactions
