"""Nothing in microloan depends on the caller's global decimal context."""

from __future__ import annotations

import decimal
from datetime import date

from microloan import Money, Rate, equal_installment, equal_principal, year_fraction


def _results() -> list[object]:
    m = Money("1234567.891")
    return [
        m + Money("0.009"),
        m * 3,
        m / 7,
        (m / 7).round(),
        Money("1000000.00").allocate([1, 2, 3]),
        Rate.annual("18.25%").per_day(365),
        Rate.daily("5‱").per_month(),
        year_fraction(date(2003, 11, 1), date(2004, 5, 1), "act/act"),
        Money("12345678901234.56") + Money("0.01"),
        # a level installment rounded to whole yuan
        equal_installment(
            Money("100000"),
            rate=Rate.annual("4.9%"),
            term=12,
            start=date(2026, 1, 15),
            installment_multiple=Money("1"),
        ).installments,
        # a share that rounded up to the multiple would overdraw the last part: floored
        equal_principal(
            Money("870000"),
            rate=Rate.annual("12%"),
            term=12,
            start=date(2026, 1, 15),
            installment_multiple=Money("10000"),
            rounding="up",
        ).installments,
    ]


def test_results_are_unchanged_under_a_hostile_global_context() -> None:
    """Precision 5 and ROUND_DOWN globally change no result."""
    expected = _results()
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.InvalidOperation] = False
        assert _results() == expected


def test_servicing_ignores_a_low_precision_rounding_down_context() -> None:
    """A payoff under prec=3, ROUND_DOWN (and trapping Inexact) is the payoff under any context.

    The figure is the one the adversarial report gave as right, 12,471.80 (it came out
    12,300.00 when the servicing engine read the caller's context).
    """
    from microloan import Loan, equal_installment

    loan = Loan.from_schedule(
        equal_installment(
            Money("12345.67"), rate=Rate.annual("23.9%"), term=12, start=date(2026, 1, 31)
        )
    ).repay(Money("1000.01"), on=date(2026, 3, 5))
    expected = loan.payoff_amount(on=date(2026, 6, 17))
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = True
        assert loan.payoff_amount(on=date(2026, 6, 17)) == expected == Money("12471.80")
        later = loan.repay(Money("500"), on=date(2026, 4, 30))
    assert later == loan.repay(Money("500"), on=date(2026, 4, 30))


def test_a_nested_library_call_runs_in_the_context_its_caller_entered() -> None:
    """The library calling itself enters its context once; a context set in between (by a
    callback, say) is set aside again; the caller's context is back afterwards."""
    import threading

    from microloan._decimal import CONTEXT, in_context

    seen: list[decimal.Context] = []

    @in_context
    def inner() -> None:
        seen.append(decimal.getcontext())

    @in_context
    def outer(hostile: bool) -> None:
        entered = decimal.getcontext()
        inner()
        if hostile:  # a callback replaces the current context
            decimal.setcontext(decimal.Context(prec=3, rounding=decimal.ROUND_DOWN))
            inner()
            decimal.setcontext(entered)

    mine = decimal.Context(prec=5)
    decimal.setcontext(mine)
    try:
        outer(hostile=False)
        assert seen[0] is not mine
        assert seen[0].prec == CONTEXT.prec
        outer(hostile=True)
        assert seen[2] is not seen[1]
        assert seen[2].prec == CONTEXT.prec
        assert decimal.getcontext() is mine
        other: list[int] = []

        def in_a_thread() -> None:
            inner()
            other.append(seen[-1].prec)

        worker = threading.Thread(target=in_a_thread)
        worker.start()
        worker.join()
        assert other == [CONTEXT.prec]
    finally:
        decimal.setcontext(decimal.DefaultContext.copy())
