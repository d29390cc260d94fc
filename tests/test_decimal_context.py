"""Nothing in microloan depends on the caller's global decimal context."""

from __future__ import annotations

import decimal
from datetime import date

from microloan import Money, Rate, year_fraction


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
    ]


def test_results_are_unchanged_under_a_hostile_global_context() -> None:
    """Precision 5 and ROUND_DOWN globally change no result."""
    expected = _results()
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.InvalidOperation] = False
        assert _results() == expected
