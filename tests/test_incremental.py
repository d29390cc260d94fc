"""The incremental servicing engine computes what a full replay from disbursement computes.

A loan keeps its ledger after the last posting, shares lines between versions (copy on
write), skips settled lines, keeps running totals and checkpoints for back-dated calls.
These properties replay random histories — back-dated postings, reversals, several
loans derived from one parent — through the plain engine of `tests/reference_ledger.py`
(the engine before it was made incremental) and require every figure to the fen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, cast, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microloan
from microloan import _ledger
from microloan.loans import _apply
from tests import reference_ledger as reference
from tests.strategies import fresh_loans, whole_yuan

_FAILED = (microloan.MicroloanError, ValueError)

#: A history is many operations, each compared with full replays: half the profile's
#: examples keeps the suite's budget (HYPOTHESIS_PROFILE=thorough goes deeper).
_HALF = settings(max_examples=max(10, settings().max_examples // 2))

#: Every figure of a position the engine computes.
_FIGURES = reference.Snapshot.__slots__


@contextmanager
def _checkpoints_every(count: int) -> Iterator[None]:
    """Checkpoints every `count` postings, so that short histories cross several."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_ledger, "EVERY", count)
        yield


def _active(loan: microloan.Loan) -> list[Any]:
    return sorted((p for p in loan._postings if p.undone is None), key=lambda p: (p.on, p.number))


def _replayed(loan: microloan.Loan, until: date | None = None) -> reference.Ledger:
    """The plain engine's ledger: every active posting (dated up to `until`) from disbursement."""
    config = reference.Config(
        schedule=loan.schedule, terms=loan.terms, open_ended=loan.kind == "open_ended"
    )
    ledger = reference.Ledger(config)
    for posting in _active(loan):
        if until is not None and posting.on > until:
            break
        _apply(cast("Any", ledger), posting)
    if until is not None:
        ledger.advance(until)
    return ledger


def _record(record: Any) -> tuple[Any, ...]:
    return (
        record.number,
        record.kind,
        record.on,
        record.amount,
        record.due,
        record.allocations,
        record.excess,
    )


def _figures(ledger: Any, on: date) -> dict[str, Any]:
    snap = ledger.snapshot(on)
    figures = {name: getattr(snap, name) for name in _FIGURES}
    figures.update(credit=ledger.credit, written_off=ledger.written_off, payoff=ledger.payoff(on))
    return figures


def _dates(loan: microloan.Loan, extra: list[int]) -> list[date]:
    """The dates worth a look: disbursement, each posting's date and the day before, a few more."""
    days = {loan.start, loan.maturity, loan.maturity + timedelta(days=40)}
    for posting in loan._postings:
        days.update({posting.on, max(loan.start, posting.on - timedelta(days=1))})
    days.update(loan.start + timedelta(days=d) for d in extra)
    return sorted(days)


def assert_same_as_replay(loan: microloan.Loan, extra: list[int], *, every_date: bool) -> None:
    """The loan's records, and its figures on its dates (or on its last), are a full replay's."""
    whole = _replayed(loan)
    assert [_record(r) for r in loan._servicing().ledger.records] == [
        _record(r) for r in whole.records
    ]
    days = _dates(loan, extra) if every_date else [max(loan._servicing().ledger.time, loan.start)]
    for day in days:
        assert _figures(loan._at(day), day) == _figures(_replayed(loan, day), day), day


@st.composite
def histories(draw: st.DrawFn) -> list[microloan.Loan]:
    """A loan and every version of it along a random history.

    Postings may be back-dated; a reversal undoes a posting; an operation is sometimes
    applied to an earlier version, so that several loans share one parent.
    """
    loans = [draw(fresh_loans())]
    for _ in range(draw(st.integers(1, 12))):
        loan = loans[-1] if draw(st.integers(0, 3)) else draw(st.sampled_from(loans))
        on = loan.start + timedelta(days=draw(st.integers(0, 240)))
        action = draw(st.sampled_from(["repay", "repay", "repay", "fee", "waive", "write_off"]))
        if loan.transactions and draw(st.integers(0, 5)) == 0:
            action = "reverse"
        try:
            if action == "repay":
                excess = draw(st.none() | st.sampled_from(get_args(microloan.ExcessHandling)))
                loan = loan.repay(draw(whole_yuan(1, 20_000)), on=on, excess=excess)
            elif action == "fee":
                due = on + timedelta(days=draw(st.integers(0, 30)))
                loan = loan.charge_fee(draw(whole_yuan(1, 200)), on=on, due=due)
            elif action == "waive":
                component = draw(st.sampled_from(["penalty", "fees", "interest"]))
                part = draw(st.none() | whole_yuan(1, 100))
                loan = loan.waive(component, on=on, amount=part)  # type: ignore[arg-type]
            elif action == "write_off":
                loan = loan.write_off(on=on)
            else:
                loan = loan.reverse(draw(st.sampled_from(loan.transactions)))
        except _FAILED:
            continue
        loans.append(loan)
    return loans


@given(
    every=st.sampled_from([1, 2, 3, 32]),
    data=st.data(),
    extra=st.lists(st.integers(0, 400), max_size=4),
)
def test_every_version_of_a_loan_has_the_figures_of_a_full_replay(
    every: int, data: st.DataObject, extra: list[int]
) -> None:
    """Each version along a history (back-dated, reversed, branched) equals a full replay."""
    with _checkpoints_every(every):
        loans = data.draw(histories())
        for loan in loans[:-1]:
            assert_same_as_replay(loan, [], every_date=False)
        assert_same_as_replay(loans[-1], extra, every_date=True)


@given(every=st.sampled_from([1, 2, 32]), data=st.data())
def test_a_loan_rebuilt_from_its_postings_equals_the_loan_built_step_by_step(
    every: int, data: st.DataObject
) -> None:
    """Loading a loan's postings (a document) gives its transactions and positions."""
    with _checkpoints_every(every):
        loan = data.draw(histories())[-1]
        rebuilt = microloan.Loan(
            schedule=loan.schedule, terms=loan.terms, kind=loan.kind, postings=loan._postings
        )
        assert rebuilt == loan
        assert rebuilt.transactions == loan.transactions
        for day in _dates(loan, []):
            assert rebuilt.position(on=day) == loan.position(on=day)


@_HALF
@given(data=st.data())
def test_a_derived_loan_never_changes_its_parent(data: st.DataObject) -> None:
    """Two loans derived from one parent share its lines, yet each keeps its own figures."""
    loans = data.draw(histories())
    parent = loans[-1]
    on = max((p.on for p in parent._postings), default=parent.start)
    before = [parent.position(on=day) for day in _dates(parent, [])]
    children = []
    back = max(parent.start, on - timedelta(days=20))
    for amount, when in (("100", on), ("5000", on + timedelta(days=3)), ("100", back)):
        try:
            children.append(parent.repay(microloan.Money(amount), on=when))
        except _FAILED:
            continue
    assert [parent.position(on=day) for day in _dates(parent, [])] == before
    for child in children:
        assert_same_as_replay(child, [], every_date=True)


def test_a_long_history_keeps_one_checkpoint_every_so_many_postings() -> None:
    """A loan of 100 postings keeps 100 // EVERY checkpoints after the fresh one, and a
    back-dated position replays from the one before its date."""
    plan = microloan.equal_installment(
        microloan.Money("36000"),
        rate=microloan.Rate.annual("18%"),
        term=36,
        start=date(2026, 1, 15),
    )
    loan = microloan.Loan.from_schedule(plan)
    for item in plan.installments:
        loan = loan.charge_fee(microloan.Money("5"), on=item.due_date)
        loan = loan.repay(item.total, on=item.due_date)
        loan = loan.repay(microloan.Money("5"), on=item.due_date)
    trail = loan._servicing()
    assert len(trail.order) == 108
    assert len(trail.checkpoints) == 1 + 108 // _ledger.EVERY
    assert loan.position(on=date(2026, 1, 15)).status == "current"
    assert_same_as_replay(loan, [400, 900, 1200], every_date=True)


@st.composite
def revolving_histories(draw: st.DrawFn) -> microloan.CreditLine:
    """A revolving line drawn and repaid many times: payoffs, part payments, back-dated
    repayments, a drawdown overpaid (its credit held on the loan)."""
    opened = date(2026, 1, 1)
    line = microloan.CreditLine.revolving(
        limit=microloan.Money("100000"),
        rate=draw(st.sampled_from([microloan.Rate.daily("0.05%"), microloan.Rate.annual("18%")])),
        opened=opened,
        expires=opened + timedelta(days=400),
    )
    day = opened
    for _ in range(draw(st.integers(1, 8))):
        day += timedelta(days=draw(st.integers(0, 20)))
        try:
            if draw(st.booleans()):
                method: Any = draw(st.sampled_from(["open_ended", "equal_installment"]))
                options: dict[str, Any] = (
                    {"maturity": day + timedelta(days=draw(st.integers(1, 60)))}
                    if method == "open_ended"
                    else {"term": draw(st.integers(1, 3))}
                )
                line = line.draw(draw(whole_yuan(100, 5000)), on=day, method=method, **options)
            elif line.drawdowns:
                when = day - timedelta(days=draw(st.sampled_from([0, 0, 0, 5, 30])))
                which = draw(st.none() | st.integers(0, len(line.drawdowns) - 1))
                everything = line.position(on=when).payoff_amount
                amount = (
                    everything
                    if draw(st.booleans()) and everything.amount > 0
                    else draw(whole_yuan(1, 6000))
                )
                line = line.repay(amount, on=when, drawdown=which)
            if (
                line.drawdowns and draw(st.integers(0, 4)) == 0
            ):  # now and then a refund or a reversal
                i = draw(st.integers(0, len(line.drawdowns) - 1))
                loan = line.drawdowns[i]
                credit = loan.position(on=day).credit
                if draw(st.booleans()) and credit.amount > 0:
                    line = line.refund(credit, on=day, drawdown=i)
                elif loan.transactions:
                    line = line.reverse(draw(st.sampled_from(loan.transactions)), drawdown=i)
        except _FAILED:
            continue
    return line


@_HALF
@given(line=revolving_histories(), extra=st.lists(st.integers(0, 500), max_size=3))
def test_a_line_reads_its_closed_drawdowns_as_owing_nothing(
    line: microloan.CreditLine, extra: list[int]
) -> None:
    """Skipping the drawdowns closed for good changes no figure of the line on any date."""
    zero = microloan.Money.zero(line.currency)
    days = {line.opened, line.as_of, *(line.opened + timedelta(days=d) for d in extra)}
    for loan in line.drawdowns:
        days.update({loan.start, loan.maturity + timedelta(days=3)})
        days.update(t.on for t in loan.transactions)
    for day in sorted(days):
        slow = tuple(loan.position(on=day) for loan in line.drawdowns if loan.start <= day)
        got = line.position(on=day)
        assert got.drawdowns == slow
        assert got.principal_outstanding == sum((p.principal_outstanding for p in slow), zero)
        assert got.payoff_amount == sum((p.payoff_amount for p in slow), zero)
        held = [amount for on, amount in line.credit_held if on <= day]  # arisen by then
        assert got.credit == sum(held + [p.credit for p in slow], zero)
        assert got.days_past_due == max((p.days_past_due for p in slow), default=0)
        assert got.max_days_past_due == max((p.max_days_past_due for p in slow), default=0)
        refunds = [amount for on, amount in line.refunds if on <= day]
        assert got.refunded == sum(refunds + [p.refunded for p in slow], zero)
        assert got.available == line.available(on=day)
        if got.status == "active" and day >= line.opened:
            used = sum((p.principal_outstanding for p in slow), zero)
            assert got.available == max(line.limit.round() - used, zero)


@given(line=revolving_histories())
def test_a_line_rebuilt_from_its_fields_equals_the_line_built_step_by_step(
    line: microloan.CreditLine,
) -> None:
    """A line built from its fields (a document) reads the same: its book is its own."""
    rebuilt = microloan.CreditLine(
        kind=line.kind,
        limit=line.limit,
        rate=line.rate,
        opened=line.opened,
        expires=line.expires,
        use_by=line.use_by,
        status=line.status,
        product=line.product,
        drawdowns=line.drawdowns,
        credit=line.credit,
        as_of=line.as_of,
        credit_held=line.credit_held,
    )
    assert rebuilt == line
    day = line.as_of + timedelta(days=1)
    assert rebuilt.position(on=day) == line.position(on=day)
    assert rebuilt._book.open == line._book.open


def test_a_line_position_lists_closed_refunded_and_reopened_drawdowns_as_each_reads() -> None:
    """Runs of closed drawdowns, a closed one with a refund of its own and one reopened by
    a reversal: the line's position lists each drawdown's own position, in order."""
    opened = date(2026, 1, 1)
    line = microloan.CreditLine.revolving(
        limit=microloan.Money("100000"),
        rate=microloan.Rate.daily("0.05%"),
        opened=opened,
        expires=opened + timedelta(days=400),
    )
    for i in range(6):
        day = opened + timedelta(days=10 * i)
        line = line.draw(microloan.Money("1000"), on=day, maturity=day + timedelta(days=30))
        payoff = line.position(on=day + timedelta(days=5)).drawdowns[i].payoff_amount
        extra = microloan.Money("7") if i == 2 else microloan.Money("0")
        line = line.repay(payoff + extra, on=day + timedelta(days=5), drawdown=i)
    late = opened + timedelta(days=90)
    line = line.refund(microloan.Money("7"), on=late, drawdown=2)  # its own refunded
    # drawdown 4 repaid late: its worst days past due differ from its neighbours'
    line = line.reverse(line.drawdowns[4].transactions[-1], drawdown=4)
    line = line.repay(line.position(on=late).drawdowns[4].payoff_amount, on=late, drawdown=4)
    assert line._book.refunded == (2,)
    assert len(line._book.runs) >= 2
    for day in (late, late + timedelta(days=1), late + timedelta(days=300)):
        slow = tuple(loan.position(on=day) for loan in line.drawdowns if loan.start <= day)
        got = line.position(on=day)
        assert got.drawdowns == slow
        assert got.max_days_past_due == max(p.max_days_past_due for p in slow) > 0
        assert got.refunded == sum((p.refunded for p in slow), microloan.Money("0"))
        assert got.refunded == microloan.Money("7")
    reopened = line.reverse(line.drawdowns[1].transactions[-1], drawdown=1)  # a closed one
    assert 1 in reopened._book.open
    day = late + timedelta(days=1)
    slow = tuple(loan.position(on=day) for loan in reopened.drawdowns)
    assert reopened.position(on=day).drawdowns == slow
