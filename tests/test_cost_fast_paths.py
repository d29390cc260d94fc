"""The fast paths of irr and xirr for a loan's flows give the general solver's rate.

`irr` and `xirr` take a shorter route for a loan's flows (one amount, then every later
one of the other sign, at a positive rate, the last flow not zero); these properties
compare that route with the general solver through the public functions. A zero flow
after the last leaves the polynomial, and so the rate, as it is, but the flows are no
longer a loan's: the same flows with it take the general solver.
"""

from __future__ import annotations

import decimal
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from microloan import ConvergenceError, irr, xirr

annual_rates = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(2), places=4)
period_rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.5"), places=5)
payments = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**6), places=2)


def _unit(rate: Decimal) -> Decimal:
    """One unit in the 25th significant digit of `rate`, the last the solvers give."""
    return Decimal(1).scaleb(rate.adjusted() - 24)


START = date(2026, 1, 15)


def _dated(days: list[int], amounts: list[Decimal]) -> list[tuple[date, Decimal]]:
    """Flows `days` after `START`."""
    return [(START + timedelta(days=d), a) for d, a in zip(days, amounts, strict=True)]


def _general(flows: list[tuple[date, Decimal]]) -> list[tuple[date, Decimal]]:
    """The same flows with a zero one a day after the last: no loan's, the same rate."""
    return [*flows, (flows[-1][0] + timedelta(days=1), Decimal(0))]


@st.composite
def priced_dated_loans(draw: st.DrawFn, basis: int = 365) -> tuple[list[int], list[Decimal]]:
    """A loan's dated flows at a known positive rate: the days from the first, the amounts.

    The amount lent is the payments' present value at the rate (ACT/`basis`), to the
    cent, so the flows are a loan's at a rate near the one drawn.
    """
    rate = draw(annual_rates)
    days = sorted(draw(st.lists(st.integers(1, 3650), min_size=1, max_size=40, unique=True)))
    level = draw(st.booleans())
    first = draw(payments)
    paid = (
        [first] * len(days)
        if level
        else draw(st.lists(payments, min_size=len(days), max_size=len(days)))
    )
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        present = sum(
            (p / (1 + rate) ** (Decimal(d) / basis) for d, p in zip(days, paid, strict=True)),
            Decimal(0),
        )
    lent = present.quantize(Decimal("0.01"))
    assume(0 < lent < sum(paid))  # to the cent, still a loan at a positive rate
    return [0, *days], [-lent, *paid]


@given(flows=priced_dated_loans())
def test_xirr_fast_path_gives_the_general_solvers_rate(
    flows: tuple[list[int], list[Decimal]],
) -> None:
    """Halley in floats and one Decimal step agree with the general solver to the 25th digit."""
    dated = _dated(*flows)
    fast = xirr(dated)
    general = xirr(_general(dated))
    assert abs(fast - general) <= _unit(general)


@given(flows=priced_dated_loans(basis=360))
def test_xirr_fast_path_counts_act_360_like_the_general_solver(
    flows: tuple[list[int], list[Decimal]],
) -> None:
    """Under act/360 (z = (1 + r)^(−1/360)) the fast path agrees as well."""
    dated = _dated(*flows)
    fast = xirr(dated, day_count="act/360")
    general = xirr(_general(dated), day_count="act/360")
    assert abs(fast - general) <= _unit(general)


@given(
    rate=period_rates,
    paid=st.lists(payments, min_size=1, max_size=60),
    zeros=st.integers(0, 3),
)
def test_irr_fast_path_gives_the_general_solvers_rate(
    rate: Decimal, paid: list[Decimal], zeros: int
) -> None:
    """`irr`'s fast path (Halley on the Horner coefficients) agrees with the general solver."""
    flows = [Decimal(0)] * zeros + paid  # periods without a flow (a grace period, a bullet)
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        present = sum((p / (1 + rate) ** t for t, p in enumerate(flows, 1)), Decimal(0))
    lent = present.quantize(Decimal("0.01"))
    assume(0 < lent < sum(paid))  # to the cent, still a loan at a positive rate
    amounts = [-lent, *flows]
    fast = irr(amounts)
    general = irr([*amounts, Decimal(0)])  # a zero last flow: the general solver
    assert abs(fast - general) <= _unit(general)


def test_dated_flows_that_are_no_loans_get_the_general_solvers_answer() -> None:
    """Two sign changes, a negative rate, or a zero first flow: no loan's flows, solved in general.

    −100, +230, −132 a period apart: −100 + 230v − 132v² = 0 has v = (230 ± 10) / 264, two
    rates (10% and 20% a period), so neither is given. −100 then +90 a year later: −10%.
    Nothing lent: no sign change, no rate.
    """
    with pytest.raises(ConvergenceError):
        irr([Decimal(-100), Decimal(230), Decimal(-132)])
    year = _dated([0, 365], [Decimal(-100), Decimal(90)])
    assert xirr(year) == Decimal("-0.1")
    with pytest.raises(ConvergenceError):
        xirr(_dated([0, 365], [Decimal(0), Decimal(90)]))


def test_a_loans_dated_flows_in_any_input_form_give_one_rate() -> None:
    """Pairs as tuples (the fast input), lists, a generator, unsorted or as str: the same rate."""
    start = date(2026, 1, 15)
    flows = [(start, Decimal("-9800.00"))]
    flows += [(start + timedelta(days=30 * k), Decimal("870.00")) for k in range(1, 13)]
    expected = xirr(flows)
    assert xirr(tuple(flows)) == expected
    assert xirr([[day, amount] for day, amount in flows]) == expected  # type: ignore[misc]
    assert xirr(iter(flows)) == expected
    assert xirr(list(reversed(flows))) == expected
    assert xirr([(day, str(amount)) for day, amount in flows]) == expected


def test_xirr_of_a_level_loan_matches_a_60_digit_root() -> None:
    """10,000 lent on 1 January 2026, 12 × 880 on the 1st of each month: the root found
    by bisection in 60 digits (this test's own arithmetic) to the 25th digit."""
    start = date(2026, 1, 1)
    days = [(date(2026 + (m // 12), m % 12 + 1, 1) - start).days for m in range(1, 13)]
    flows = [(start, Decimal(-10_000)), *((start + timedelta(d), Decimal(880)) for d in days)]
    ctx = decimal.Context(prec=60)
    low, high = Decimal(0), Decimal(1)
    for _ in range(200):
        mid = ctx.divide(ctx.add(low, high), 2)
        growth = ctx.add(1, mid)
        terms = (ctx.multiply(880, ctx.power(growth, ctx.divide(-d, 365))) for d in days)
        value = reduce(ctx.add, terms, Decimal(-10_000))
        low, high = (mid, high) if value > 0 else (low, mid)
    got = xirr(flows)
    assert abs(got - low) <= _unit(got)
