"""Hypothesis strategies shared by every test module: the one home for generated inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from microloan import CURRENCY_MINOR_UNITS, Money, Rate

currencies = st.sampled_from(sorted(CURRENCY_MINOR_UNITS))


@st.composite
def whole_money(
    draw: st.DrawFn,
    *,
    currency: str | None = None,
    min_units: int = -(10**12),
    max_units: int = 10**12,
) -> Money:
    """An amount in whole minor units of a (drawn) currency."""
    code = currency if currency is not None else draw(currencies)
    return Money.from_minor_units(draw(st.integers(min_units, max_units)), code)


def positive_cny(max_units: int = 10**9) -> st.SearchStrategy[Money]:
    """A positive CNY amount from 1 fen up to `max_units` fen (10 million yuan by default)."""
    return st.integers(1, max_units).map(Money.from_minor_units)


any_decimal = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15, places=6
)

weights = st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(any)

annual_rates = st.decimals(min_value=0, max_value=Decimal("0.36"), places=6).map(Rate.annual)

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
