"""Every event on a credit line's drawdown can be undone, and so can a refund of its own credit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from microloan import (
    CreditLine,
    CurrencyMismatchError,
    DrawdownNotFoundError,
    InvalidTypeError,
    MicroloanError,
    Money,
    Rate,
    TransactionNotFoundError,
)

_OPENED = date(2026, 1, 1)


def _line() -> CreditLine:
    """A revolving line with an installment drawdown (0) and one repaid by the day (1)."""
    line = CreditLine.revolving(
        limit=Money("50000"), rate=Rate.annual("18%"), opened=_OPENED, expires=date(2027, 12, 31)
    )
    line = line.draw(Money("12000"), on=date(2026, 1, 15), method="equal_installment", term=12)
    return line.draw(Money("3000"), on=date(2026, 2, 1), maturity=date(2026, 4, 1))


Event = Callable[[CreditLine, date], CreditLine]

_EVENTS: dict[str, Event] = {
    "repay": lambda line, on: line.repay(Money("500"), on=on, drawdown=0),
    "defer": lambda line, on: line.defer(drawdown=0, on=on, installments=2),
    "defer_waive": lambda line, on: line.defer(drawdown=0, on=on, installments=1, interest="waive"),
    "extend": lambda line, on: line.extend(drawdown=0, on=on, term=18),
    "reage": lambda line, on: line.reage(drawdown=0, on=on, term=6),
    "reamortize": lambda line, on: line.reamortize(drawdown=0, on=on),
    "reprice": lambda line, on: line.reprice(Rate.annual("12%"), drawdown=0, on=on),
    "reprice_by_the_day": lambda line, on: line.reprice(Rate.annual("12%"), drawdown=1, on=on),
}


_DAYS = [_OPENED + timedelta(days=d) for d in range(0, 500, 17)]


@settings(max_examples=40)
@given(kind=st.sampled_from(sorted(_EVENTS)), after=st.integers(1, 200))
def test_reversing_a_drawdown_event_equals_never_having_posted_it(kind: str, after: int) -> None:
    """Post an event on one drawdown; reversing it gives the line as it was, every day after."""
    base = _line()
    which = 1 if kind == "reprice_by_the_day" else 0
    on = base.drawdown(which).start + timedelta(days=after)
    try:
        changed = _EVENTS[kind](base, on)
    except MicroloanError:
        assume(False)  # the event does not apply on that day (nothing overdue to re-age, ...)
        raise
    event = changed.drawdown(which).transactions[-1]
    undone = changed.reverse(event, drawdown=which)
    assert undone.drawdown(which).transactions == base.drawdown(which).transactions
    assert undone.drawdown(1 - which) is changed.drawdown(1 - which)
    for day in _DAYS:
        assert undone.position(on=day) == base.position(on=day), day


def test_a_refund_of_the_line_s_own_credit_is_undone_and_the_credit_held_again() -> None:
    """90 left over on the line, 40 refunded then un-refunded: 90 held again from that day."""
    line = CreditLine.revolving(
        limit=Money("50000"), rate=Rate.daily("0.05%"), opened=_OPENED, expires=date(2026, 12, 31)
    )
    line = line.draw(Money("1000"), on=_OPENED, maturity=date(2026, 3, 1))
    # 20 days × 1,000 × 0.05% = 10.00 interest (interest by the day, PBoC 银发[2005]129号):
    # 1,010 owed, so 90 of the 1,100 paid is held on the line
    line = line.repay(Money("1100"), on=date(2026, 1, 21))
    back = line.refund(Money("40"), on=date(2026, 1, 25))
    assert back.position(on=date(2026, 1, 25)).credit == Money("50")
    again = back.reverse_refund(Money("40"), on=date(2026, 1, 25))
    assert again == line
    assert again.position(on=date(2026, 1, 25)).credit == Money("90")


def test_a_refund_the_line_does_not_have_is_refused_naming_it() -> None:
    line = _line()
    with pytest.raises(TransactionNotFoundError, match=r"no refund of 10\.00 CNY on 2026-01-25"):
        line.reverse_refund(Money("10"), on=date(2026, 1, 25))
    with pytest.raises(CurrencyMismatchError):
        line.reverse_refund(Money("10", "USD"), on=date(2026, 1, 25))
    with pytest.raises(InvalidTypeError):
        line.reverse_refund(Money("10"), on="2026-01-25")  # type: ignore[arg-type]


def test_a_transaction_of_another_drawdown_or_no_drawdown_is_refused() -> None:
    line = _line().repay(Money("500"), on=date(2026, 2, 10), drawdown=0)
    paid = line.drawdown(0).transactions[-1]
    with pytest.raises(TransactionNotFoundError):
        line.reverse(paid, drawdown=1)
    with pytest.raises(DrawdownNotFoundError):
        line.reverse(paid, drawdown=5)
    with pytest.raises(InvalidTypeError):
        line.reverse("repayment", drawdown=0)  # type: ignore[arg-type]
