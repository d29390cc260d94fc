"""The ledger as rows: SQL sums over `ledger_rows()` are the library's figures, to the cent.

With `journal=True` the journal's entries follow as rows: per account their sums are
the trial balance's.

Sums are checked in three places: in Python over the rows, in SQLite (standard
library) over a real table, and in PostgreSQL when a throwaway server can be started
(`initdb` on `PATH`; as root, through `runuser -u nobody`), or at `MICROLOAN_POSTGRES`
(a libpq connection string) when set.
"""

from __future__ import annotations

import contextlib
import doctest
import os
import pwd
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microloan import (
    AccrualEntry,
    ChartOfAccounts,
    CreditLine,
    InvalidTypeError,
    InvalidValueError,
    LedgerRow,
    LedgerRowComponent,
    LedgerRowKind,
    Loan,
    LoanComponent,
    MicroloanError,
    Money,
    Rate,
    TrialBalance,
    from_json,
    interest_only,
    to_dict,
    to_json,
    trial_balance,
)
from tests.strategies import credit_lines, loans_with_history

DAILY = Rate.daily("0.05%")
HOWTO = Path(__file__).parent.parent / "docs" / "how-to" / "databases.md"
#: The kinds whose rows are money received (a credit application spends what was received).
#: The kinds whose rows are money paid in (and its use, as credit).
COLLECTED = frozenset({"repayment", "credit", "recovery"})
#: The kinds whose `"credit"` rows add up to the credit held: put in, used, refunded.
HELD = frozenset({*COLLECTED, "refund"})


def _total(
    rows: Iterable[LedgerRow], currency: str, *, kinds: Iterable[str], component: str
) -> Money:
    wanted = set(kinds)
    units = sum(r.minor_units for r in rows if r.kind in wanted and r.component == component)
    return Money.from_minor_units(units, currency)


def _open_ended(principal: str, start: date, maturity: date) -> Loan:
    return Loan.open_ended(principal=Money(principal), rate=DAILY, start=start, maturity=maturity)


# -- known cases ------------------------------------------------------------------


def test_a_repayment_is_one_row_per_allocation_component() -> None:
    """Disbursement first, then the repayment's interest and principal, each its own row."""
    loan = _open_ended("1000", date(2026, 1, 1), date(2026, 3, 2))
    rows = loan.repay(Money("300"), on=date(2026, 1, 11)).ledger_rows()
    # Interest by the day (PBoC 银发[2005]129号; 算头不算尾), worked by hand:
    # 1,000 × 0.05% a day × 10 days = 5.00
    assert [(r.sequence, r.number, r.kind, r.component, r.amount) for r in rows] == [
        (1, 0, "disbursement", "principal", Decimal("1000.00")),
        (2, 1, "repayment", "interest", Decimal("5.00")),
        (3, 1, "repayment", "principal", Decimal("295.00")),
    ]
    assert [r.minor_units for r in rows] == [100000, 500, 29500]
    assert all(r.currency == "CNY" and r.source == "servicing" for r in rows)
    assert rows[1].installment == 1
    assert rows[1].value_date == date(2026, 1, 11)


def test_an_excess_is_a_credit_row_and_its_use_a_negative_one() -> None:
    """A repayment's excess is put in as credit; the credit application takes it out."""
    # 12,000 at 12% a year, interest only (先息后本): 12,000 × 12% / 12 = 120.00 a month, by hand
    plan = interest_only(Money("12000"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15))
    loan = Loan.from_schedule(plan, excess="credit").repay(Money("200"), on=date(2026, 2, 15))
    posted = loan.ledger_rows()
    assert [(r.kind, r.component, r.installment, str(r.amount)) for r in posted[1:]] == [
        ("repayment", "interest", 1, "120.00"),
        ("repayment", "credit", None, "80.00"),
    ]
    on_due = loan.ledger_rows(on=date(2026, 3, 15))  # the credit pays installment 2's interest
    assert [(r.number, r.kind, r.component, r.installment, str(r.amount)) for r in on_due[3:]] == [
        (0, "credit", "interest", 2, "80.00"),
        (0, "credit", "credit", None, "-80.00"),
    ]
    for day, rows in ((date(2026, 3, 14), loan.ledger_rows()), (date(2026, 3, 15), on_due)):
        held = _total(rows, "CNY", kinds=COLLECTED, component="credit")
        assert held == loan.position(on=day).credit


def test_a_fee_a_waiver_and_a_write_off_are_rows_of_their_own() -> None:
    """A fee is charged as one row, a waiver says what it waived, a write-off its balance."""
    loan = _open_ended("1000", date(2026, 1, 1), date(2026, 1, 31))
    loan = loan.charge_fee(Money("30"), on=date(2026, 1, 5))
    loan = loan.waive("fees", on=date(2026, 1, 6), amount=Money("10"))
    loan = loan.write_off(on=date(2026, 3, 1))
    rows = loan.ledger_rows()
    assert [(r.number, r.kind, r.fee, r.component, str(r.amount)) for r in rows[1:3]] == [
        (1, "fee", 1, "fees", "30.00"),
        (2, "waiver", 1, "fees", "10.00"),
    ]
    written = rows[3]
    where = loan.position(on=date(2026, 3, 1))
    assert (written.number, written.kind, written.component) == (3, "write_off", "balance")
    owed = (
        where.principal_outstanding
        + where.interest_accrued
        + where.fees_outstanding
        + where.penalty_outstanding
    )
    assert written.money == owed
    assert where.fees_outstanding == Money("20")


def test_a_reversed_transaction_is_its_rows_and_their_negation_on_its_date() -> None:
    """A bounced payment stays in the rows, netted by a negated copy: every sum ignores it."""
    loan = _open_ended("5000", date(2026, 2, 1), date(2026, 5, 1))
    loan = loan.repay(Money("300"), on=date(2026, 3, 3))
    loan = loan.reverse(loan.transactions[-1]).repay(Money("300"), on=date(2026, 3, 5))
    rows = loan.ledger_rows()
    # Interest by the day (PBoC 银发[2005]129号; 算头不算尾), worked by hand:
    # 5,000 × 0.05% = 2.50 a day: 30 days = 75.00, 32 days = 80.00
    third, fifth = date(2026, 3, 3), date(2026, 3, 5)
    assert [(r.number, r.value_date, r.component, str(r.amount), r.reversal) for r in rows[1:]] == [
        (1, third, "interest", "75.00", False),
        (1, third, "principal", "225.00", False),
        (1, third, "interest", "-75.00", True),
        (1, third, "principal", "-225.00", True),
        (2, fifth, "interest", "80.00", False),
        (2, fifth, "principal", "220.00", False),
    ]
    assert _total(rows, "CNY", kinds=COLLECTED, component="interest") == Money("80")


def test_a_line_s_rows_are_its_drawdowns_rows_then_its_own_credit() -> None:
    """Each drawdown's rows carry its index; money beyond everything owed is a row of its day."""
    line = CreditLine.revolving(
        limit=Money("50000"), rate=DAILY, opened=date(2026, 1, 1), expires=date(2026, 12, 31)
    )
    line = line.draw(Money("1000"), on=date(2026, 3, 1), maturity=date(2026, 6, 1))
    line = line.draw(Money("2000"), on=date(2026, 3, 11), maturity=date(2026, 6, 1))
    # Interest by the day (PBoC 银发[2005]129号), worked by hand: 20 days × 0.50 = 10.00
    # and 10 days × 1.00 = 10.00 interest; 3,020 owed, so 80 of 3,100 is held
    line = line.repay(Money("3100"), on=date(2026, 3, 21))
    rows = line.ledger_rows()
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    assert [(r.drawdown, r.kind, r.component, str(r.amount)) for r in rows] == [
        (0, "disbursement", "principal", "1000.00"),
        (0, "repayment", "interest", "10.00"),
        (0, "repayment", "principal", "1000.00"),
        (1, "disbursement", "principal", "2000.00"),
        (1, "repayment", "interest", "10.00"),
        (1, "repayment", "principal", "2000.00"),
        (None, "repayment", "credit", "80.00"),
    ]
    assert rows[-1].value_date == date(2026, 3, 21)
    assert [r.drawdown for r in line.ledger_rows(on=date(2026, 3, 5))] == [0]  # not held yet
    assert [r.drawdown for r in line.ledger_rows(on=date(2026, 3, 21))][-1:] == [None]


def test_ledger_rows_refuse_a_date_before_disbursement_or_not_a_date() -> None:
    """`on` is checked as everywhere else: a date, not before the loan began."""
    loan = _open_ended("1000", date(2026, 1, 1), date(2026, 1, 31))
    with pytest.raises(InvalidValueError, match=r"^on: "):
        loan.ledger_rows(on=date(2025, 12, 31))
    with pytest.raises(InvalidTypeError, match=r"^on: "):
        loan.ledger_rows(on="2026-01-05")  # type: ignore[arg-type]
    line = CreditLine.revolving(
        limit=Money("5000"), rate=DAILY, opened=date(2026, 1, 1), expires=date(2026, 12, 31)
    )
    with pytest.raises(InvalidTypeError, match=r"^on: "):
        line.ledger_rows(on=1)  # type: ignore[arg-type]
    assert line.ledger_rows() == ()


# -- the journal as rows -------------------------------------------------------------


def _journal(rows: Iterable[LedgerRow]) -> list[LedgerRow]:
    return [r for r in rows if r.source == "journal"]


def _by_account(rows: Iterable[LedgerRow]) -> dict[str, tuple[int, int]]:
    """Per account: the journal rows' debits and credits, in minor units."""
    cells: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in _journal(rows):
        assert r.debit is not None
        assert r.credit is not None
        cells[r.debit][0] += r.minor_units
        cells[r.credit][1] += r.minor_units
    return {account: (d, c) for account, (d, c) in cells.items()}


def test_journal_rows_are_the_journal_s_entries_after_the_servicing_rows() -> None:
    """Each entry is one row of source "journal": its accounts, its transaction's number."""
    loan = _open_ended("1000", date(2026, 1, 1), date(2026, 3, 2))
    loan = loan.repay(Money("300"), on=date(2026, 1, 11))
    rows = loan.ledger_rows(journal=True)  # booked to the latest value date, 11 January
    assert rows[:3] == loan.ledger_rows()
    booked = rows[3:]
    assert [r.sequence for r in booked] == list(range(4, len(rows) + 1))
    assert all(r.source == "journal" and r.component is None for r in booked)
    # Interest by the day (PBoC 银发[2005]129号; 算头不算尾), worked by hand:
    # 1,000 × 0.05% = 0.50 a day, 10 days to 11 January = 5.00, paid before principal
    accruals = [r for r in booked if r.kind == "accrual"]
    assert [(r.number, r.debit, r.credit, str(r.amount)) for r in accruals] == [
        (0, "interest_receivable", "interest_income", "0.50")
    ] * 10
    assert [
        (r.number, r.kind, r.debit, r.credit, str(r.amount), r.value_date)
        for r in booked
        if r.kind != "accrual"
    ] == [
        (0, "disbursement", "loans_receivable", "cash", "1000.00", date(2026, 1, 1)),
        (1, "repayment", "cash", "interest_receivable", "5.00", date(2026, 1, 11)),
        (1, "repayment", "cash", "loans_receivable", "295.00", date(2026, 1, 11)),
    ]
    assert all(r.installment is None and r.fee is None and not r.reversal for r in booked)


def test_without_the_journal_flag_the_rows_are_the_servicing_rows() -> None:
    """`ledger_rows()` and `journal=False` give the servicing rows alone, as before."""
    loan = _open_ended("1000", date(2026, 1, 1), date(2026, 3, 2))
    loan = loan.repay(Money("300"), on=date(2026, 1, 11))
    assert loan.ledger_rows() == loan.ledger_rows(journal=False)
    assert {r.source for r in loan.ledger_rows()} == {"servicing"}
    assert all(r.debit is None and r.credit is None for r in loan.ledger_rows())


def test_a_reversed_payment_s_entries_are_followed_by_their_swapped_copies() -> None:
    """A bounced payment's entries stay, each then swapped with `reversal`: nets to zero."""
    loan = _open_ended("5000", date(2026, 2, 1), date(2026, 5, 1))
    loan = loan.repay(Money("300"), on=date(2026, 3, 3))
    loan = loan.reverse(loan.transactions[-1])
    # Interest by the day (PBoC 银发[2005]129号; 算头不算尾), worked by hand:
    # 5,000 × 0.05% = 2.50 a day, 30 days to 3 March = 75.00, then 225.00 of principal
    mine = [r for r in _journal(loan.ledger_rows(journal=True)) if r.number == 1]
    assert [(r.debit, r.credit, str(r.amount), r.reversal) for r in mine] == [
        ("cash", "interest_receivable", "75.00", False),
        ("interest_receivable", "cash", "75.00", True),
        ("cash", "loans_receivable", "225.00", False),
        ("loans_receivable", "cash", "225.00", True),
    ]
    assert all(d == c for d, c in _by_account(mine).values())


def test_journal_rows_follow_the_journal_s_options() -> None:
    """`chart`, `non_accrual_days` and `non_accrual` are the journal's own."""
    chart = ChartOfAccounts(cash="1001 库存现金", loans_receivable="1301 贷款")
    loan = _open_ended("1000", date(2026, 1, 1), date(2026, 1, 31))
    rows = loan.ledger_rows(on=date(2026, 4, 30), journal=True, chart=chart, non_accrual_days=30)
    entries = loan.journal(until=date(2026, 4, 30), chart=chart, non_accrual_days=30)
    assert [(r.debit, r.credit, r.minor_units) for r in _journal(rows)] == [
        (e.debit, e.credit, e.amount.minor_units) for e in entries
    ]
    assert (rows[1].debit, rows[1].credit) == ("1301 贷款", "1001 库存现金")
    assert {"non_accrual"} <= {r.kind for r in rows}


def test_ledger_rows_refuse_bad_journal_options_naming_them() -> None:
    """The flag is a bool; the journal's options are checked as `journal` checks them."""
    loan = _open_ended("1000", date(2026, 1, 1), date(2026, 1, 31))
    line = CreditLine.revolving(
        limit=Money("5000"), rate=DAILY, opened=date(2026, 1, 1), expires=date(2026, 12, 31)
    )
    for account in (loan, line):
        with pytest.raises(InvalidTypeError, match=r"^journal: "):
            account.ledger_rows(journal=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match=r"^chart: "):
        loan.ledger_rows(journal=True, chart="default")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"^non_accrual: "):
        loan.ledger_rows(journal=True, non_accrual="forget")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"^on: "):
        loan.ledger_rows(on=date(2040, 1, 1), journal=True)  # beyond ten years of books


@settings(max_examples=25)
@given(loans_with_history(), st.integers(0, 400))
def test_per_account_the_journal_rows_are_the_trial_balance(loan: Loan, offset: int) -> None:
    """SUM of debits = SUM of credits; per account the rows' sums are the trial balance's."""
    day = loan.start + timedelta(days=offset)
    rows = loan.ledger_rows(on=day, journal=True)
    servicing = loan.ledger_rows(on=day)
    assert rows[: len(servicing)] == servicing
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    entries = loan.journal(until=day)
    booked = rows[len(servicing) :]
    assert len(booked) == len(entries)
    assert all(r.source == "journal" and r.amount > 0 for r in booked)
    cells = _by_account(rows)
    assert sum(d for d, _ in cells.values()) == sum(c for _, c in cells.values())
    tb = trial_balance(entries, on=day)
    assert cells == {account: (d, c) for account, d, c in tb.cells}
    for account in tb.accounts:
        d, c = cells[account]
        net = Money.from_minor_units(d - c, loan.currency)
        assert tb.balance(account) == (-net if account in tb.chart.credit_normal else net)
    for row, entry in zip(booked, entries, strict=True):
        assert (row.value_date, row.debit, row.credit) == (entry.on, entry.debit, entry.credit)
        assert row.reversal == (entry.kind == "reversal")
        if entry.source is not None and not isinstance(entry.source, AccrualEntry):
            assert (row.number, row.kind) == (entry.source.number, entry.source.kind)


@settings(max_examples=15)
@given(credit_lines(), st.integers(0, 400))
def test_a_line_s_journal_rows_are_its_trial_balance_by_drawdown(
    line: CreditLine, offset: int
) -> None:
    """A line's journal rows carry their drawdown; per account they are its trial balance."""
    day = line.opened + timedelta(days=offset)
    rows = line.ledger_rows(on=day, journal=True)
    servicing = line.ledger_rows(on=day)
    assert rows[: len(servicing)] == servicing
    entries = line.journal(until=day)
    booked = rows[len(servicing) :]
    assert [r.drawdown for r in booked] == [e.loan_id for e in entries]
    tb = trial_balance(entries, on=day)
    assert _by_account(rows) == {account: (d, c) for account, d, c in tb.cells}


# -- the row type -----------------------------------------------------------------

_ROW: dict[str, Any] = {
    "sequence": 1,
    "number": 0,
    "kind": "disbursement",
    "value_date": date(2026, 1, 1),
    "component": "principal",
    "amount": Decimal("1000.00"),
    "minor_units": 100000,
}


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("minor_units", 1000, InvalidValueError),
        ("amount", Decimal("1000.0"), InvalidValueError),  # not the currency's places
        ("amount", 1000.0, InvalidTypeError),
        ("amount", Decimal("NaN"), InvalidValueError),
        ("currency", "XXX", InvalidValueError),
        ("kind", "rebate", InvalidValueError),
        ("component", "fee", InvalidValueError),
        ("sequence", 0, InvalidValueError),
        ("number", True, InvalidTypeError),
        ("value_date", "2026-01-01", InvalidTypeError),
        ("installment", 0, InvalidValueError),
        ("drawdown", -1, InvalidValueError),
        ("reversal", 1, InvalidTypeError),
        ("source", "accounting", InvalidValueError),
        ("debit", "cash", InvalidValueError),  # a servicing row names no account
        ("credit", 1, InvalidTypeError),
        ("component", None, InvalidValueError),  # a servicing row needs one
    ],
)
def test_a_ledger_row_refuses_a_bad_field_naming_it(
    field: str, value: object, error: type[MicroloanError]
) -> None:
    """However built, a row holds plain values that agree: the amount is its minor units."""
    with pytest.raises(error, match=f"^{field}: "):
        LedgerRow(**{**_ROW, field: value})


_JOURNAL_ROW: dict[str, Any] = {
    **_ROW,
    "component": None,
    "source": "journal",
    "debit": "loans_receivable",
    "credit": "cash",
}


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("debit", None, InvalidValueError),
        ("credit", None, InvalidValueError),
        ("credit", " ", InvalidValueError),
        ("debit", b"cash", InvalidTypeError),
        ("component", "principal", InvalidValueError),
        ("amount", Decimal("-1000.00"), InvalidValueError),
    ],
)
def test_a_journal_row_refuses_a_bad_field_naming_it(
    field: str, value: object, error: type[MicroloanError]
) -> None:
    """A journal row has both accounts, no component and a positive amount."""
    fields = {**_JOURNAL_ROW, field: value}
    if field == "amount":
        fields["minor_units"] = -100000
    with pytest.raises(error, match=f"^{field}: "):
        LedgerRow(**fields)


def test_a_ledger_row_is_immutable_and_its_options_are_the_loans_words() -> None:
    """Rows are frozen values; kinds and components extend the loan's own Literals."""
    row = LedgerRow(**_ROW)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        row.amount = Decimal(0)  # type: ignore[misc]
    assert set(get_args(LoanComponent)) < set(get_args(LedgerRowComponent))
    assert "disbursement" in get_args(LedgerRowKind)


# -- properties -------------------------------------------------------------------

_DAYS = st.integers(0, 400)


@given(loans_with_history(), _DAYS)
def test_sums_over_the_rows_are_the_position_on_their_date(loan: Loan, offset: int) -> None:
    """Principal, credit and fees outstanding on a date are sums over the rows up to it."""
    day = loan.start + timedelta(days=offset)
    rows = loan.ledger_rows(on=day)
    where = loan.position(on=day)
    cur = loan.currency
    lent = _total(rows, cur, kinds={"disbursement"}, component="principal")
    repaid = _total(rows, cur, kinds=COLLECTED, component="principal")
    assert lent - repaid == where.principal_outstanding
    assert _total(rows, cur, kinds=HELD, component="credit") == where.credit
    charged = _total(rows, cur, kinds={"fee"}, component="fees")
    settled = _total(rows, cur, kinds={*COLLECTED, "waiver"}, component="fees")
    assert charged - settled == where.fees_outstanding
    assert all(r.value_date is not None and r.value_date <= day for r in rows)


@given(loans_with_history())
def test_the_rows_hold_every_transaction_exactly_once(loan: Loan) -> None:
    """Per kind and component the rows sum to the transactions; a reversal nets to zero."""
    rows = loan.ledger_rows()
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    from_rows: dict[tuple[str, str | None], int] = defaultdict(int)
    for r in rows:
        from_rows[r.kind, r.component] += r.minor_units
    expected: dict[tuple[str, str | None], int] = defaultdict(int)
    expected["disbursement", "principal"] = loan.principal.minor_units
    for t in loan.transactions:
        for a in t.allocations:
            expected[t.kind, a.component] += a.amount.minor_units
        if t.kind == "fee":
            expected["fee", "fees"] += t.amount.minor_units
        elif t.kind == "write_off":
            expected["write_off", "balance"] += t.amount.minor_units
        elif t.kind == "repayment":
            expected["repayment", "credit"] += t.excess.minor_units
        elif t.kind in ("credit", "refund"):
            expected[t.kind, "credit"] -= t.amount.minor_units
    assert {k: v for k, v in from_rows.items() if v} == {k: v for k, v in expected.items() if v}
    paid_in = sum(
        t.amount.minor_units for t in loan.transactions if t.kind in ("repayment", "recovery")
    )
    assert sum(r.minor_units for r in rows if r.kind in COLLECTED) == paid_in
    for undone in loan.reversed_transactions:
        mine = [r for r in rows if r.number == undone.number]
        assert sum(r.minor_units for r in mine) == 0
        assert sum(r.reversal for r in mine) * 2 == len(mine)


@settings(max_examples=25)
@given(loans_with_history())
def test_a_row_rebuilds_from_its_dict_and_its_document(loan: Loan) -> None:
    """`as_dict` holds plain values only and rebuilds the row; its JSON form round-trips."""
    for row in loan.ledger_rows(journal=True):
        values = row.as_dict()
        assert all(v is None or type(v) in (str, int, bool, date, Decimal) for v in values.values())
        fields: dict[str, Any] = dict(values)
        assert LedgerRow(**fields) == row
        assert from_json(to_json(row), LedgerRow) == row


@given(credit_lines(), _DAYS)
def test_sums_over_a_line_s_rows_are_its_position_on_their_date(
    line: CreditLine, offset: int
) -> None:
    """A line's rows sum to its position as a loan's do, its own credit included."""
    day = line.opened + timedelta(days=offset)
    rows = line.ledger_rows(on=day)
    where = line.position(on=day)
    cur = line.currency
    lent = _total(rows, cur, kinds={"disbursement"}, component="principal")
    repaid = _total(rows, cur, kinds=COLLECTED, component="principal")
    assert lent - repaid == where.principal_outstanding
    assert _total(rows, cur, kinds=HELD, component="credit") == where.credit
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    for index, loan in enumerate(line.drawdowns):
        mine = [attrs.evolve(r, sequence=1, drawdown=None) for r in rows if r.drawdown == index]
        theirs = [] if loan.start > day else loan.ledger_rows(on=day)
        assert mine == [attrs.evolve(r, sequence=1) for r in theirs]


# -- SQLite (standard library) ----------------------------------------------------

_SQLITE_SCHEMA = """
CREATE TABLE loans (id INTEGER PRIMARY KEY, document TEXT NOT NULL);
CREATE TABLE ledger (
    loan_id INTEGER NOT NULL, sequence INTEGER NOT NULL, number INTEGER NOT NULL,
    kind TEXT NOT NULL, value_date TEXT, drawdown INTEGER, installment INTEGER, fee INTEGER,
    component TEXT, amount TEXT NOT NULL, minor_units INTEGER NOT NULL,
    currency TEXT NOT NULL, prepayment INTEGER NOT NULL, reversal INTEGER NOT NULL,
    source TEXT NOT NULL, debit TEXT, credit TEXT, PRIMARY KEY (loan_id, sequence)
);
"""
#: The trial balance of one loan from its journal rows: (account, debits, credits).
_SQLITE_TRIAL_BALANCE = """
SELECT account, SUM(debits), SUM(credits) FROM (
    SELECT debit AS account, minor_units AS debits, 0 AS credits FROM ledger
    WHERE source = 'journal' AND loan_id = :loan_id
    UNION ALL
    SELECT credit, 0, minor_units FROM ledger WHERE source = 'journal' AND loan_id = :loan_id
) GROUP BY account ORDER BY account
"""
_FIELDS = [f.name for f in attrs.fields(LedgerRow)]
#: The columns of the how-to's `ledger` and `journal` tables on PostgreSQL.
_SERVICING = [n for n in _FIELDS if n not in {"debit", "credit"}]
_JOURNAL = [
    n for n in _FIELDS if n not in {"installment", "fee", "component", "prepayment", "source"}
]
#: The column names are LedgerRow's own fields, never input.
_INSERT = (
    f"INSERT INTO ledger (loan_id, {', '.join(_FIELDS)}) "  # noqa: S608
    f"VALUES (:loan_id, {', '.join(':' + n for n in _FIELDS)})"
)


def _sqlite_params(loan_id: int, row: LedgerRow) -> dict[str, object]:
    day = row.value_date
    return {
        **row.as_dict(),
        "loan_id": loan_id,
        "amount": str(row.amount),
        "value_date": None if day is None else day.isoformat(),
    }


@contextlib.contextmanager
def _sqlite() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SQLITE_SCHEMA)
        yield db
    finally:
        db.close()


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def _loans_of(account: Loan | CreditLine) -> list[Loan]:
    return list(account.drawdowns) if isinstance(account, CreditLine) else [account]


@settings(max_examples=20)
@given(st.lists(loans_with_history(), min_size=1, max_size=3), credit_lines())
def test_sqlite_sums_equal_the_library_s_figures_to_the_cent(
    loans: list[Loan], line: CreditLine
) -> None:
    """Stored in SQLite and read back: documents equal, SQL sums equal, cent for cent.

    The journal rows share the table (told apart by `source`): per loan, SQL over them
    is the trial balance of its journal to its latest value date.
    """
    accounts: list[Loan | CreditLine] = [*loans, line]
    with _sqlite() as db:
        for loan_id, account in enumerate(accounts, start=1):
            rows = account.ledger_rows(journal=True)
            with db:
                db.execute("INSERT INTO loans VALUES (?, ?)", (loan_id, to_json(account)))
                db.executemany(_INSERT, [_sqlite_params(loan_id, r) for r in rows])
            latest = max((r.value_date for r in rows if r.value_date), default=None)
            if latest is None:
                continue  # a line without drawdowns: nothing booked
            tb = trial_balance(account.journal(until=latest), on=latest)
            cells = db.execute(_SQLITE_TRIAL_BALANCE, {"loan_id": loan_id}).fetchall()
            assert cells == list(tb.cells)
            (total,) = db.execute(
                "SELECT SUM(minor_units) FROM ledger WHERE source = 'journal' AND loan_id = ?",
                (loan_id,),
            ).fetchone()  # each row is one debit and one credit of its amount
            assert total == tb.total_debits.minor_units == tb.total_credits.minor_units
        for loan_id, account in enumerate(accounts, start=1):
            (text,) = db.execute("SELECT document FROM loans WHERE id = ?", (loan_id,)).fetchone()
            assert from_json(text, type(account)) == account
            outstanding, credit = db.execute(
                "SELECT COALESCE(SUM(CASE WHEN component != 'principal' THEN 0"
                " WHEN kind = 'disbursement' THEN minor_units"
                " WHEN kind IN ('repayment', 'credit', 'recovery') THEN -minor_units ELSE 0 END), 0),"
                " COALESCE(SUM(CASE component WHEN 'credit' THEN minor_units ELSE 0 END), 0)"
                " FROM ledger WHERE loan_id = ? AND source = 'servicing'",
                (loan_id,),
            ).fetchone()
            lent = sum(loan.principal.minor_units for loan in _loans_of(account))
            posted = [t for loan in _loans_of(account) for t in loan.transactions]
            repaid = sum(t.principal.minor_units for t in posted if t.kind in COLLECTED)
            held = sum(t.excess.minor_units for t in posted) - sum(
                t.amount.minor_units for t in posted if t.kind in ("credit", "refund")
            )
            if isinstance(account, CreditLine):
                held += account.credit.minor_units
            assert (outstanding, credit) == (lent - repaid, held)
        # interest collected per month, across the book: SQL against the transactions
        by_month = dict(
            db.execute(
                "SELECT substr(value_date, 1, 7), SUM(minor_units) FROM ledger"
                " WHERE component = 'interest' AND kind IN ('repayment', 'credit', 'recovery')"
                " GROUP BY 1 HAVING SUM(minor_units) != 0"
            ).fetchall()
        )
        expected: dict[str, int] = defaultdict(int)
        for account in accounts:
            for loan in _loans_of(account):
                for t in loan.transactions:
                    if t.kind in COLLECTED:
                        expected[_month(t.on)] += t.interest.minor_units
        assert by_month == {k: v for k, v in expected.items() if v}


def test_sqlite_holds_the_how_to_s_book() -> None:
    """The how-to's three loans and a line, end of March: 248.61 interest collected."""
    a, b, c, line = _howto_book()
    with _sqlite() as db:
        accounts: list[Loan | CreditLine] = [a, b, c, line]
        for loan_id, account in enumerate(accounts, start=1):
            rows = account.ledger_rows(on=date(2026, 3, 31))
            db.executemany(_INSERT, [_sqlite_params(loan_id, r) for r in rows])
        (march,) = db.execute(
            "SELECT SUM(minor_units) FROM ledger WHERE component = 'interest'"
            " AND kind IN ('repayment', 'credit')"
            " AND value_date >= '2026-03-01' AND value_date < '2026-04-01'"
        ).fetchone()
    # 122.25 + 36.36 + 80.00 + 10.00, each by hand in the how-to
    assert Money.from_minor_units(march) == Money("248.61")


def _howto_book() -> tuple[Loan, Loan, Loan, CreditLine]:
    """The loans of docs/how-to/databases.md."""
    a = _open_ended("10000", date(2026, 1, 10), date(2026, 4, 10))
    a = a.repay(Money("2000"), on=date(2026, 2, 9)).repay(Money("1000"), on=date(2026, 3, 11))
    a = a.repay(Money("500"), on=date(2026, 3, 21))
    b = _open_ended("5000", date(2026, 2, 1), date(2026, 5, 1)).repay(
        Money("300"), on=date(2026, 3, 3)
    )
    b = b.reverse(b.transactions[-1]).repay(Money("300"), on=date(2026, 3, 5))
    c = _open_ended("2000", date(2026, 1, 1), date(2026, 2, 15))
    line = CreditLine.revolving(
        limit=Money("50000"), rate=DAILY, opened=date(2026, 1, 1), expires=date(2026, 12, 31)
    )
    line = line.draw(Money("1000"), on=date(2026, 3, 1), maturity=date(2026, 6, 1))
    line = line.repay(Money("1100"), on=date(2026, 3, 21))
    return a, b, c, line


# -- PostgreSQL (a real server, where one can be started) -------------------------


def _howto_blocks(language: str) -> list[str]:
    text = HOWTO.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def _as_user() -> list[str]:
    """The prefix that runs PostgreSQL's tools as a user they accept (initdb refuses root)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        runuser = None
    if runuser is None:
        pytest.skip("initdb refuses to run as root, and there is no runuser and nobody user")
    return [runuser, "-u", "nobody", "--"]


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A libpq connection string: MICROLOAN_POSTGRES, or a throwaway server on a Unix socket."""
    pytest.importorskip("psycopg", reason="psycopg 3 is not installed (the test extra)")
    given_server = os.environ.get("MICROLOAN_POSTGRES")
    if given_server:
        yield given_server
        return
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("no PostgreSQL: initdb and pg_ctl are not on PATH, MICROLOAN_POSTGRES unset")
    prefix = _as_user()
    scratch = tempfile.mkdtemp(prefix="microloan-pg-")
    data = Path(scratch) / "data"
    try:
        if prefix:
            shutil.chown(scratch, user="nobody")
        init = [initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]
        subprocess.run([*prefix, *init, "-E", "UTF8"], check=True, capture_output=True)  # noqa: S603 - our own arguments
        options = f"-k {scratch} -c listen_addresses='' -F"
        start = [pg_ctl, "-D", str(data), "-o", options, "-l", f"{scratch}/log", "-w", "start"]
        subprocess.run([*prefix, *start], check=True, capture_output=True, timeout=60)  # noqa: S603 - our own arguments
    except (subprocess.SubprocessError, OSError) as failed:
        shutil.rmtree(scratch, ignore_errors=True)
        pytest.skip(f"a throwaway PostgreSQL server did not start: {failed}")
    try:
        yield f"host={scratch} user=postgres dbname=postgres"
    finally:
        stop = [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]
        subprocess.run([*prefix, *stop], check=False, capture_output=True, timeout=60)  # noqa: S603 - our own arguments
        shutil.rmtree(scratch, ignore_errors=True)


def test_postgresql_runs_the_how_to_s_tables_and_queries(postgres: str) -> None:
    """The how-to's DDL and queries on PostgreSQL: NUMERIC sums are the library's figures."""
    import psycopg
    from psycopg.types.json import Jsonb

    create, march, principals, trial = _howto_blocks("sql")
    book: list[Loan | CreditLine] = [*_howto_book()]
    with psycopg.connect(postgres) as db:
        schema = f"microloan_test_{os.getpid()}"
        db.execute(f"CREATE SCHEMA {schema}")
        try:
            db.execute(f"SET search_path TO {schema}")
            db.execute(create)
            on = date(2026, 3, 31)
            with db.cursor() as cursor:
                for loan_id, account in enumerate(book, start=1):
                    where = account.position(on=on)
                    cursor.execute(
                        "INSERT INTO loans VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        (
                            loan_id,
                            type(account).__name__,
                            Jsonb(to_dict(account)),
                            account.currency,
                            on,
                            where.status,
                            where.days_past_due,
                            where.principal_outstanding.amount,
                        ),
                    )
                    rows = account.ledger_rows(on=on, journal=True)
                    for table, names in (("ledger", _SERVICING), ("journal", _JOURNAL)):
                        placeholders = ", ".join(f"%({n})s" for n in names)
                        source = "servicing" if table == "ledger" else "journal"
                        cursor.executemany(  # LedgerRow's own field names, never input
                            f"INSERT INTO {table} (loan_id, {', '.join(names)})"  # noqa: S608
                            f" VALUES (%(loan_id)s, {placeholders})",
                            [
                                {**r.as_dict(), "loan_id": loan_id}
                                for r in rows
                                if r.source == source
                            ],
                        )
            assert db.execute(march).fetchall() == [("CNY", Decimal("248.61"))]
            tb = sum(trial_balance(x.journal(until=on), on=on) for x in book)
            assert isinstance(tb, TrialBalance)
            assert {r[1]: (r[2], r[3]) for r in db.execute(trial).fetchall()} == {
                account: (tb.debits(account).amount, tb.credits(account).amount)
                for account in tb.accounts
            }
            assert db.execute(principals).fetchall() == [
                (1, "10000.00"),
                (2, "5000.00"),
                (3, "2000.00"),
            ]
            (credit,) = db.execute(
                "SELECT SUM(amount) FROM ledger WHERE component = 'credit'"
            ).fetchone()  # type: ignore[misc]
            assert credit == Decimal("90.00")
            (overdue,) = db.execute(
                "SELECT array_agg(id) FROM loans WHERE status = 'overdue'"
            ).fetchone()  # type: ignore[misc]
            assert overdue == [3]
        finally:
            db.rollback()


def test_postgresql_stores_money_with_the_how_to_s_sqlalchemy_type(postgres: str) -> None:
    """The how-to's MoneyType keeps Money as exact NUMERIC on PostgreSQL; sums come back Money."""
    sqlalchemy = pytest.importorskip("sqlalchemy", reason="sqlalchemy is not installed")
    namespace: dict[str, Any] = {}
    recipe = next(b for b in _howto_blocks("pycon") if "class MoneyType" in b)
    for example in doctest.DocTestParser().get_examples(recipe):
        exec(example.source, namespace)  # noqa: S102 - the how-to's own code, as its doctest runs it
    money_type = namespace["MoneyType"]
    import psycopg

    engine = sqlalchemy.create_engine(
        "postgresql+psycopg://",
        creator=lambda: psycopg.connect(postgres),
        poolclass=sqlalchemy.pool.NullPool,
    )
    metadata = sqlalchemy.MetaData(schema=f"microloan_sa_{os.getpid()}")
    table = sqlalchemy.Table(
        "repayments",
        metadata,
        sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
        sqlalchemy.Column("amount", money_type("CNY"), nullable=False),
    )
    a = _howto_book()[0]
    with engine.connect() as connection:
        connection.execute(sqlalchemy.schema.CreateSchema(metadata.schema))
        metadata.create_all(connection)
        connection.execute(table.insert(), [{"amount": t.amount} for t in a.transactions])
        total = connection.execute(
            sqlalchemy.select(sqlalchemy.func.sum(table.c.amount))
        ).scalar_one()
        kinds = connection.execute(
            sqlalchemy.text(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_schema = :s AND column_name = 'amount'"
            ),
            {"s": metadata.schema},
        ).scalar_one()
        connection.rollback()
    engine.dispose()
    assert total == Money("3500")
    assert kinds == "numeric"
