"""A credit line's books: its drawdowns' journals and the line's own credit, dated."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings

from microloan import (
    ChartOfAccounts,
    CreditLine,
    InvalidValueError,
    Money,
    Rate,
    from_dict,
    portfolio_journal,
    to_dict,
    trial_balance,
)
from tests.strategies import credit_lines

CHART = ChartOfAccounts()
DAILY = Rate.daily("0.05%")


def _line() -> CreditLine:
    return CreditLine.revolving(
        limit=Money("50000"), rate=DAILY, opened=date(2026, 1, 1), expires=date(2026, 12, 31)
    )


def _overpaid() -> CreditLine:
    """1,000 drawn on 1 Jan, 1,100 repaid on 21 Jan: 1,010 owed, so 90 held on the line."""
    # Interest by the day (PBoC 银发[2005]129号), by hand: 20 days × 1,000 × 0.05% = 10.00
    line = _line().draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
    return line.repay(Money("1100"), on=date(2026, 1, 21))


@settings(max_examples=25)
@given(credit_lines())
def test_a_line_s_books_reconcile_with_its_position(line: CreditLine) -> None:
    """Debits equal credits; borrower credits are the drawdowns' and the line's credit."""
    if not line.drawdowns:
        return
    last = max(
        [line.as_of, *(d for d, _ in line.credit_held)]
        + [t.on for loan in line.drawdowns for t in loan.transactions]
    )
    until = last + timedelta(30)
    entries = line.journal(until=until)
    days = {until, *(d for d, _ in line.credit_held)}
    days |= {t.on for loan in line.drawdowns for t in loan.transactions}
    for on in sorted(days):
        tb = trial_balance(entries, on=on)
        assert tb.balanced
        p = line.position(on=on)
        live = [d for d in p.drawdowns if d.status != "written_off"]
        assert tb.balance(CHART.loans_receivable) == sum(
            (d.principal_outstanding for d in live), Money("0")
        )
        own = sum((a for d, a in line.credit_held if d <= on), Money("0")) - sum(
            (a for d, a in line.refunds if d <= on), Money("0")
        )  # the line's own credit, less what of it was paid back to the borrower
        drawdowns = sum((d.credit for d in p.drawdowns), Money("0"))
        assert tb.balance(CHART.borrower_credits) == drawdowns + own == p.credit


@settings(max_examples=25)
@given(credit_lines())
def test_a_line_s_own_credit_adds_up_to_its_dated_parts(line: CreditLine) -> None:
    """`credit_held` is in date order and adds up to `credit` and `refunds`, however made."""
    refunded = sum((a for _, a in line.refunds), Money("0"))
    assert sum((a for _, a in line.credit_held), Money("0")) == line.credit + refunded
    assert [d for d, _ in line.credit_held] == sorted(d for d, _ in line.credit_held)
    assert from_dict(to_dict(line), CreditLine) == line


def test_money_beyond_everything_owed_is_booked_as_cash_held_for_the_borrower() -> None:
    """The 90 left over is debited to cash and credited to borrower credits on its day."""
    line = _overpaid()
    assert line.credit_held == ((date(2026, 1, 21), Money("90")),)
    entries = line.journal(until=date(2026, 1, 31))
    own = [e for e in entries if e.loan_id is None]
    assert [(e.on, e.debit, e.credit, e.amount, e.kind) for e in own] == [
        (date(2026, 1, 21), "cash", "borrower_credits", Money("90"), "repayment")
    ]
    tb = trial_balance(entries, on=date(2026, 1, 31))
    assert tb.balanced
    assert tb.balance(CHART.borrower_credits) == Money("90")
    # cash: 1,000 out, 1,100 in
    assert tb.balance(CHART.cash) == Money("100")
    assert trial_balance(entries, on=date(2026, 1, 20)).balance(CHART.borrower_credits) == Money(
        "0"
    )


def test_a_line_s_credit_counts_in_its_position_from_the_day_it_arose() -> None:
    """Before the overpayment the line holds nothing for the borrower; from it, 90."""
    line = _overpaid()
    assert line.position(on=date(2026, 1, 20)).credit == Money("0")
    assert line.position(on=date(2026, 1, 21)).credit == Money("90")


def test_a_back_dated_overpayment_is_held_in_date_order() -> None:
    """A repayment posted later with an earlier value date goes before in `credit_held`."""
    line = _line().draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
    line = line.repay(Money("1010"), on=date(2026, 1, 21))  # 1,000 + 20 × 0.50: paid off
    line = line.repay(Money("100"), on=date(2026, 2, 1))  # nothing owed: held
    line = line.repay(Money("50"), on=date(2026, 1, 25))  # nothing owed then either: held
    assert [d for d, _ in line.credit_held] == [date(2026, 1, 25), date(2026, 2, 1)]
    assert line.credit == Money("150")


def test_a_line_document_without_credit_dates_reads_its_credit_as_arising_on_as_of() -> None:
    """An older document's undated credit is dated on the line's last event, `as_of`."""
    data = to_dict(_overpaid())
    assert isinstance(data, dict)
    del data["credit_held"]
    old = from_dict(data, CreditLine)
    assert old.credit == Money("90")
    assert old.credit_held == ((date(2026, 1, 1), Money("90")),)  # as_of: the draw
    assert trial_balance(old.journal(until=date(2026, 1, 31)), on=date(2026, 1, 31)).balanced


def test_a_line_without_credit_writes_no_credit_dates() -> None:
    """The default (no credit) is left out of documents."""
    data = to_dict(_line())
    assert isinstance(data, dict)
    assert "credit_held" not in data


_OPENING: dict[str, Any] = {
    "kind": "revolving",
    "limit": Money("50000"),
    "rate": DAILY,
    "opened": date(2026, 1, 1),
    "expires": date(2026, 12, 31),
    "use_by": date(2026, 12, 31),
}


@pytest.mark.parametrize(
    "extra",
    [
        {"credit": Money("10"), "credit_held": ((date(2026, 1, 5), Money("9")),)},
        {"credit_held": ((date(2026, 1, 5), Money("9")),)},
        {"credit": Money("9"), "credit_held": ((date(2025, 12, 5), Money("9")),)},
        {
            "credit": Money("9"),
            "credit_held": ((date(2026, 2, 5), Money("4")), (date(2026, 1, 5), Money("5"))),
        },
        {"credit": Money("0"), "credit_held": ((date(2026, 1, 5), Money("0")),)},
    ],
)
def test_credit_dates_that_do_not_add_up_to_the_credit_are_refused(extra: dict[str, Any]) -> None:
    """`credit_held` must add up to `credit`, in date order, from the line's opening."""
    with pytest.raises(InvalidValueError, match="credit_held"):
        CreditLine(**_OPENING, **extra)


def test_a_portfolio_journal_books_a_line_s_credit_under_the_line_s_id() -> None:
    """In a portfolio the line's own credit names the line; its drawdowns `<id>/<index>`."""
    entries = portfolio_journal({"L": _overpaid()}, until=date(2026, 1, 31))
    own = [e for e in entries if e.debit == "cash" and e.credit == "borrower_credits"]
    assert [(e.loan_id, e.amount) for e in own] == [("L", Money("90"))]
