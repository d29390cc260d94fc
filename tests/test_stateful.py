"""Stateful rules: any sequence of operations on a loan or a credit line conserves every cent."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any, get_args

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import microloan
from microloan import CreditLine, Loan, MicroloanError, Money
from tests.strategies import EVENTS, credit_lines, fresh_loans, post_event, whole_yuan


def _allocated(transaction: microloan.Transaction) -> Money:
    return sum((a.amount for a in transaction.allocations), Money.zero(transaction.amount.currency))


def _paid_in(loan: Loan) -> Money:
    """Every repayment and recovery still on the loan (a reversed one is gone from its
    transactions)."""
    paid = [t.amount for t in loan.transactions if t.kind in ("repayment", "recovery")]
    return sum(paid, Money.zero(loan.currency))


def check_loan_conserves(loan: Loan, on: date) -> None:
    """Paid in = Σ allocations + held as credit + refunded, and no component of the
    position is negative."""
    zero = Money.zero(loan.currency)
    excess = zero
    from_credit = zero
    refunded = zero
    allocated = zero
    for t in loan.transactions:
        if t.kind in ("repayment", "recovery"):
            assert _allocated(t) + t.excess == t.amount, t
            excess += t.excess
            allocated += _allocated(t)
        elif t.kind == "credit":
            from_credit += _allocated(t)
            allocated += _allocated(t)
        elif t.kind == "refund":
            assert not t.allocations, t
            refunded += t.amount
        assert t.kind != "recovery" or not t.excess, t  # a recovery never makes a credit
        assert all(a.amount.amount > 0 for a in t.allocations), t
    # The record runs to the last posting; a later position also applies the credit held to
    # what falls due since (recorded as a "credit" transaction once a later posting passes).
    recorded = max((t.on for t in loan.transactions), default=loan.start)
    at_last = loan.position(on=max(recorded, loan.start))
    assert excess - from_credit - refunded == at_last.credit, (excess, from_credit, at_last)
    assert at_last.refunded == refunded, (at_last.refunded, refunded)
    assert _paid_in(loan) == allocated + at_last.credit + at_last.refunded, at_last
    position = loan.position(on=max(on, recorded))
    assert position.credit <= at_last.credit, (position.credit, at_last.credit)
    for name in (
        "principal_outstanding",
        "interest_accrued",
        "fees_outstanding",
        "penalty_outstanding",
        "payoff_amount",
        "credit",
    ):
        assert getattr(position, name).amount >= 0, (name, position)
    if at_last.status != "written_off":
        repaid = sum(
            (t.principal for t in loan.transactions if t.kind in ("repayment", "credit")),
            zero,
        )
        assert repaid + at_last.principal_outstanding == loan.principal, at_last


class LoanLife(RuleBasedStateMachine):
    """Repay, charge, waive, write off, refund, recover and reverse in any order; nothing is
    created or lost."""

    loan: Loan
    day: date

    @initialize(loan=fresh_loans())
    def start(self, loan: Loan) -> None:
        self.loan, self.day = loan, loan.start

    def _apply(self, step: Any, *args: Any, **kwargs: Any) -> None:
        before = (self.loan, self.loan.payoff_amount(on=self.day))
        with contextlib.suppress(MicroloanError):  # refused: the loan is as it was
            self.loan = step(*args, **kwargs)
        assert before[0].payoff_amount(on=self.day) == before[1], "an operation mutated its loan"

    @rule(days=st.integers(0, 40))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(
        amount=whole_yuan(1, 20_000),
        excess=st.none() | st.sampled_from(get_args(microloan.ExcessHandling)),
    )
    def repay(self, amount: Money, excess: microloan.ExcessHandling | None) -> None:
        paid = _paid_in(self.loan)
        before = self.loan
        self._apply(self.loan.repay, amount, on=self.day, excess=excess)
        if self.loan is not before:
            assert _paid_in(self.loan) == paid + amount

    @rule(amount=whole_yuan(1, 300), due_in=st.integers(0, 30))
    def charge_fee(self, amount: Money, due_in: int) -> None:
        self._apply(
            self.loan.charge_fee, amount, on=self.day, due=self.day + timedelta(days=due_in)
        )

    @rule(
        component=st.sampled_from(["penalty", "fees", "interest"]),
        part=st.none() | whole_yuan(1, 100),
    )
    def waive(self, component: Any, part: Money | None) -> None:
        self._apply(self.loan.waive, component, on=self.day, amount=part)

    @rule()
    def write_off(self) -> None:
        self._apply(self.loan.write_off, on=self.day)

    @rule(data=st.data(), back=st.integers(0, 20))
    def refund(self, data: st.DataObject, back: int) -> None:
        """Part or all of the credit held (or more, refused), maybe back-dated."""
        day = max(self.loan.start, self.day - timedelta(days=back))
        held = self.loan.position(on=day).credit.minor_units
        most = held if held and data.draw(st.booleans()) else held + 100
        amount = Money.from_minor_units(data.draw(st.integers(1, max(most, 1))))
        refunded = self.loan.position(on=day).refunded
        before = self.loan
        self._apply(self.loan.refund, amount, on=day)
        event(f"refund {'posted' if self.loan is not before else 'refused'}")
        if self.loan is not before:
            assert amount.minor_units <= held
            assert self.loan.position(on=day).refunded == refunded + amount
            assert self.loan.position(on=day).credit.minor_units == held - amount.minor_units
        elif amount.minor_units <= held:  # refused only when a later posting needs the credit
            assert any(t.on > day for t in self.loan.transactions)

    @rule(data=st.data())
    def recover(self, data: st.DataObject) -> None:
        """Part or all of what a written-off loan still owes (or more, refused)."""
        owed = self.loan.payoff_amount(on=self.day).minor_units
        amount = Money.from_minor_units(data.draw(st.integers(1, max(owed, 1) + 100)))
        paid = _paid_in(self.loan)
        before = self.loan
        self._apply(self.loan.recover, amount, on=self.day)
        event(f"recovery {'posted' if self.loan is not before else 'refused'}")
        if self.loan is not before:
            assert self.loan.position(on=self.day).status == "written_off"
            assert _paid_in(self.loan) == paid + amount
            assert self.loan.payoff_amount(on=self.day).minor_units == owed - amount.minor_units

    @precondition(lambda self: bool(self.loan.transactions))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        chosen = data.draw(st.sampled_from(self.loan.transactions))
        self._apply(self.loan.reverse, chosen)

    @rule(kind=st.sampled_from(EVENTS), data=st.data())
    def change_plan(self, kind: str, data: st.DataObject) -> None:
        """Defer, extend, re-age, re-amortise or reprice: principal owed stays as it was."""
        loan = self.loan
        owed = loan.position(on=self.day).principal_outstanding
        self._apply(lambda: post_event(data.draw, loan, kind, self.day))
        if self.loan is not loan:
            assert self.loan.position(on=self.day).principal_outstanding == owed

    @invariant()
    def conserves_every_cent(self) -> None:
        check_loan_conserves(self.loan, self.day)


class LineLife(RuleBasedStateMachine):
    """Draw, repay, settle, refund, reverse, freeze and change the limit in any order;
    nothing is created or lost."""

    def __init__(self) -> None:
        super().__init__()
        self.line: CreditLine | None = None
        self.day = date(2026, 1, 1)
        self.paid_in = Money.zero()

    @initialize(line=credit_lines())
    def start(self, line: CreditLine) -> None:
        self.line, self.day = line, line.as_of
        self.paid_in = self._held(line)

    @staticmethod
    def _held(line: CreditLine) -> Money:
        """Every repayment on the line's drawdowns plus the credit that arose on the line
        itself (held, or refunded since)."""
        arisen = sum((a for _, a in line.credit_held), Money.zero(line.currency))
        return sum((_paid_in(loan) for loan in line.drawdowns), arisen)

    def _apply(self, step: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return step(*args, **kwargs)
        except MicroloanError:
            return None

    def _change(self, step: Any, *args: Any, **kwargs: Any) -> None:
        """An operation that returns the changed line (or is refused, leaving it as it was)."""
        changed = self._apply(step, *args, **kwargs)
        if changed is not None:
            self.line = changed

    @rule(days=st.integers(0, 40))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(amount=whole_yuan(1, 50_000), data=st.data())
    def draw(self, amount: Money, data: st.DataObject) -> None:
        assert self.line is not None
        method = data.draw(st.sampled_from(["open_ended", "equal_installment", "bullet"]))
        options: dict[str, Any] = (
            {"maturity": self.day + timedelta(days=data.draw(st.integers(1, 90)))}
            if method == "open_ended"
            else {"term": data.draw(st.sampled_from((3, 6, 9, 12)))}
        )
        self._change(self.line.draw, amount, on=self.day, method=method, **options)

    @rule(amount=whole_yuan(1, 30_000))
    def repay(self, amount: Money) -> None:
        assert self.line is not None
        repaid = self._apply(self.line.repay, amount, on=self.day)
        if repaid is not None:
            self.line, self.paid_in = repaid, self.paid_in + amount

    @rule(proceeds=whole_yuan(1, 30_000))
    def settle(self, proceeds: Money) -> None:
        assert self.line is not None
        settled = self._apply(self.line.settle, proceeds, on=self.day)
        if settled is not None:
            line, rest = settled
            assert rest.amount >= 0
            self.line, self.paid_in = line, self.paid_in + proceeds - rest

    @rule(data=st.data(), back=st.integers(0, 20), to_drawdown=st.booleans())
    def refund(self, data: st.DataObject, back: int, to_drawdown: bool) -> None:
        """Part or all of the credit held on the line (or more, refused), maybe back-dated."""
        assert self.line is not None
        day = max(self.line.opened, self.day - timedelta(days=back))
        where = self.line.position(on=day)
        amount = Money.from_minor_units(data.draw(st.integers(1, where.credit.minor_units + 100)))
        drawdown = (
            data.draw(st.integers(0, len(self.line.drawdowns) - 1))
            if to_drawdown and self.line.drawdowns
            else None
        )
        refunded = self._apply(self.line.refund, amount, on=day, drawdown=drawdown)
        event(f"line refund {'refused' if refunded is None else 'posted'}")
        if refunded is not None:
            after = refunded.position(on=day)
            assert after.credit == where.credit - amount
            assert after.refunded == where.refunded + amount
            self.line = refunded

    @precondition(lambda self: self.line is not None and bool(self.line.drawdowns))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        """Any transaction of any drawdown reversed (or refused: a later posting rests on it)."""
        assert self.line is not None
        which = data.draw(st.integers(0, len(self.line.drawdowns) - 1))
        posted = self.line.drawdown(which).transactions
        if not posted:
            return
        chosen = data.draw(st.sampled_from(posted))
        undone = self._apply(self.line.reverse, chosen, drawdown=which)
        event(f"line reversal {'refused' if undone is None else 'posted'}")
        if undone is not None:
            if chosen.kind in ("repayment", "recovery"):
                self.paid_in -= chosen.amount
            self.line = undone

    @precondition(lambda self: self.line is not None and bool(self.line.refunds))
    @rule(data=st.data())
    def reverse_refund(self, data: st.DataObject) -> None:
        """A refund of the line's own credit undone: the credit is held again."""
        assert self.line is not None
        day, amount = data.draw(st.sampled_from(self.line.refunds))
        before = self.line.credit
        self.line = self.line.reverse_refund(amount, on=day)
        assert self.line.credit == before + amount

    @rule(action=st.sampled_from(["freeze", "unfreeze", "close"]))
    def change_state(self, action: str) -> None:
        assert self.line is not None
        self._change(getattr(self.line, action), on=self.day)

    @rule(limit=whole_yuan(1_000, 300_000))
    def with_limit(self, limit: Money) -> None:
        assert self.line is not None
        self._change(self.line.with_limit, limit, on=self.day)

    @precondition(lambda self: self.line is not None and bool(self.line.drawdowns))
    @rule(kind=st.sampled_from(EVENTS), data=st.data())
    def change_plan(self, kind: str, data: st.DataObject) -> None:
        """A drawdown deferred, extended, re-aged, re-amortised or repriced on the line."""
        assert self.line is not None
        which = data.draw(st.integers(0, len(self.line.drawdowns) - 1))
        line = self.line
        day = max(self.day, line.drawdowns[which].start)

        def change() -> CreditLine:
            loan = post_event(data.draw, line.drawdown(which), kind, day)
            return line._changed(which, loan)  # what the line's own event methods do

        self._change(change)

    @invariant()
    def conserves_every_cent(self) -> None:
        if self.line is None:
            return
        assert self._held(self.line) == self.paid_in
        position = self.line.position(on=max(self.day, self.line.as_of))
        line_refunds = sum((a for _, a in self.line.refunds), Money.zero(self.line.currency))
        assert self.line.credit + line_refunds == sum(
            (a for _, a in self.line.credit_held), Money.zero(self.line.currency)
        )
        drawdowns_refunded = sum(
            (
                loan.position(on=position.on).refunded
                for loan in self.line.drawdowns
                if loan.start <= position.on
            ),
            Money.zero(self.line.currency),
        )
        if all(d <= position.on for d, _ in self.line.refunds):
            assert position.refunded == line_refunds + drawdowns_refunded
        assert position.available.amount >= 0
        assert position.available <= position.limit
        for loan in self.line.drawdowns:
            check_loan_conserves(loan, max(self.day, self.line.as_of))


TestLoanLife = LoanLife.TestCase
TestLineLife = LineLife.TestCase

# A run is many operations; a quarter of the profile's examples keeps CI bounded, and the
# "thorough" profile (HYPOTHESIS_PROFILE=thorough) goes deeper on demand.
_RUNS = settings(max_examples=max(10, settings().max_examples // 4), stateful_step_count=25)
TestLoanLife.settings = _RUNS
TestLineLife.settings = _RUNS
