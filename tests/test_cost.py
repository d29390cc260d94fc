"""The cost of credit: irr, xirr and the APR of PBoC [2021] No. 3, to many digits."""

from __future__ import annotations

import contextlib
import decimal
import math
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from microloan import (
    MAX_AMOUNT,
    ConvergenceError,
    InvalidTypeError,
    InvalidValueError,
    Money,
    apr,
    irr,
    xirr,
)
from tests.strategies import period_rates, positive_payments

TEN_DIGITS = Decimal("1e-10")

# -- known answers ----------------------------------------------------------------


def test_pboc_worked_example() -> None:
    """PBoC [2021] No. 3: 100,000 with a 1,000 fee, 12 × 8,833.30 → 1.06698% a month.

    The announcement gives simple 12.80% and compound 13.58%.
    """
    flows = [Decimal(-99_000)] + [Decimal("8833.30")] * 12
    assert round(irr(flows) * 100, 5) == Decimal("1.06698")
    assert round(apr(flows, method="simple") * 100, 2) == Decimal("12.80")
    assert round(apr(flows) * 100, 2) == Decimal("13.58")
    assert round(apr(flows, 12, "compound") * 100, 2) == Decimal("13.58")


def test_excel_irr_documentation_examples() -> None:
    """Microsoft's IRR documentation: 8.66% after 5 years, -2.12% after 4, -44.35% after 2."""
    business = [-70000, 12000, 15000, 18000, 21000, 26000]
    assert round(irr(business) * 100, 2) == Decimal("8.66")
    assert round(irr(business[:5]) * 100, 2) == Decimal("-2.12")
    assert round(irr(business[:3]) * 100, 2) == Decimal("-44.35")


def test_excel_xirr_documentation_example() -> None:
    """Microsoft's / LibreOffice's XIRR example: 0.373362535 (the spreadsheet's own accuracy)."""
    flows = [
        (date(2008, 1, 1), -10000),
        (date(2008, 3, 1), 2750),
        (date(2008, 10, 30), 4250),
        (date(2009, 2, 15), 3250),
        (date(2009, 4, 1), 2750),
    ]
    assert abs(xirr(flows) - Decimal("0.373362535")) < Decimal("2e-9")


def test_exact_rates_come_out_exactly() -> None:
    """-100 then 121 two periods later is 10% a period exactly; 365 days later, 21% a year."""
    assert irr([-100, 0, 121]) == Decimal("0.1")
    assert xirr([(date(2025, 1, 1), -100), (date(2026, 1, 1), 121)]) == Decimal("0.21")


# -- properties -------------------------------------------------------------------


@given(rate=period_rates, flows=positive_payments)
def test_irr_recovers_the_rate_the_flows_were_built_from(
    rate: Decimal, flows: list[Decimal]
) -> None:
    """Flows priced at a known rate give that rate back to at least 10 significant digits."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        present = sum((f / (1 + rate) ** t for t, f in enumerate(flows, 1)), Decimal(0))
    # at -90% a period a late flow is worth 10**t times more today: past the amount bound
    # the flows are no cash flows (irr refuses them, rightly)
    assume(present < MAX_AMOUNT)
    got = irr([-present, *flows])
    assert abs(got - rate) <= TEN_DIGITS * max(abs(rate), Decimal("1e-3"))


@given(
    rate=st.decimals(min_value=Decimal("-0.5"), max_value=Decimal(3), places=4),
    days=st.lists(st.integers(1, 3650), min_size=1, max_size=20, unique=True),
    amounts=st.lists(st.integers(1, 10**6), min_size=20, max_size=20),
)
def test_xirr_recovers_the_rate_the_flows_were_built_from(
    rate: Decimal, days: list[int], amounts: list[int]
) -> None:
    """Dated flows priced at a known annual rate (ACT/365) give it back to 10 digits."""
    start = date(2024, 2, 29)
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        present = sum(
            (
                Decimal(a) / (1 + rate) ** (Decimal(d) / 365)
                for d, a in zip(days, amounts, strict=False)
            ),
            Decimal(0),
        )
    flows = [(start + timedelta(days=d), a) for d, a in zip(days, amounts, strict=False)]
    got = xirr([(start, -present), *flows])
    assert abs(got - rate) <= TEN_DIGITS * max(abs(rate), Decimal("1e-3"))


@given(flows=st.lists(st.integers(-(10**6), 10**6), min_size=2, max_size=30))
def test_irr_agrees_with_numpy_financial(flows: list[int]) -> None:
    """Oracle: where numpy-financial finds a rate, irr finds the same one (or names several)."""
    oracle = npf.irr(flows)
    assume(not math.isnan(oracle))  # numpy-financial gives NaN where it finds no rate
    assume(-0.99 < oracle < 100)
    try:
        got, message = irr(flows), ""
    except ConvergenceError as exc:
        got, message = None, str(exc)
    if got is None:
        assert "several" in message
    else:
        assert abs(float(got) - oracle) <= 1e-7 * max(1.0, abs(oracle))


@given(rate=st.decimals(min_value=0, max_value=Decimal("0.1"), places=6), n=st.integers(1, 360))
def test_apr_annualises_simply_and_compounded(rate: Decimal, n: int) -> None:
    """simple = irr × n; compound = (1 + irr)^n − 1; compound >= simple for positive rates."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        flows = [Decimal(-1000), *([Decimal(0)] * 11), 1000 * (1 + rate) ** 12]
        periodic = irr(flows)
        assert abs(periodic - rate) < Decimal("1e-28")
        assert apr(flows, n, "simple") == periodic * n
        compound = apr(flows, n)
        expected = (1 + periodic) ** n - 1
        # 34 significant digits of a figure that may be ~1e9: a relative tolerance
        assert abs(compound - expected) <= abs(expected) * Decimal("1e-30") + Decimal("1e-30")
        assert compound >= apr(flows, n, "simple") - Decimal("1e-30")


def test_apr_takes_fractional_periods_per_year() -> None:
    """A 7-day period on 365 days: 365/7 periods a year."""
    flows = [-1000, 1001]
    n = Decimal(365) / 7
    assert apr(flows, n, "simple") == Decimal("0.001") * n
    assert apr(flows, "52.142857", "simple") == Decimal("0.052142857")


def test_flows_may_start_with_zeros_and_be_money() -> None:
    """Leading zero flows shift nothing; Money and str amounts are read exactly."""
    assert irr([0, 0, Money("-100"), "110"]) == Decimal("0.1")


def test_borrower_and_lender_signs_give_the_same_rate() -> None:
    """Negating every flow (the lender's view) leaves the rate unchanged."""
    flows = [Decimal(-99_000)] + [Decimal("8833.30")] * 12
    assert irr(flows) == irr([-f for f in flows])


def test_huge_and_tiny_rates() -> None:
    """Rates near -100% and above 1,000% a period are solved without overflow."""
    assert irr([-100, 1]) == Decimal("-0.99")
    assert irr([-1, 1000]) == Decimal(999)
    long_flows = [-1] + [0] * 358 + [2]
    assert abs(irr(long_flows) - (Decimal(2) ** (Decimal(1) / 359) - 1)) < Decimal("1e-25")


def test_a_unique_rate_despite_several_sign_changes() -> None:
    """-100, +50, -10, +80 changes sign three times but has one rate; it is found."""
    rate = irr([-100, 50, -10, 80])
    flows = [-100, 50, -10, 80]
    value = sum((Decimal(f) / (1 + rate) ** t for t, f in enumerate(flows)), Decimal(0))
    assert abs(value) < Decimal("1e-20")


# -- refusals ---------------------------------------------------------------------
def test_no_sign_change_is_a_convergence_error() -> None:
    """All inflows (or all outflows) have no rate of return: say so, do not guess."""
    with pytest.raises(ConvergenceError, match="no sign change"):
        irr([100, 10, 10])
    with pytest.raises(ConvergenceError, match="no sign change"):
        irr([0, -5, 0])
    with pytest.raises(ConvergenceError, match="no sign change"):
        xirr([(date(2026, 1, 1), -5), (date(2026, 2, 1), -5)])


def test_several_rates_are_refused_not_picked() -> None:
    """-100, +230, -132 has two rates, 10% and 20%: an error naming both, never one of them."""
    with pytest.raises(ConvergenceError, match=r"several rates of return \(0.1, 0.2\)"):
        irr([-100, 230, -132])


def test_the_textbook_pair_of_rates_is_named() -> None:
    """−4,000, +25,000, −25,000 has two rates of return, 25% and 400% (Brealey, Myers and
    Allen, *Principles of Corporate Finance*, ch. 5, "Pitfall 2 — multiple rates of return")."""
    with pytest.raises(ConvergenceError, match=r"several rates of return \(0.25, 4\)"):
        irr([-4000, 25000, -25000])


def test_a_rate_beside_only_absurd_roots_is_the_rate() -> None:
    """−1, +1,000,000, −1,000,000 a day apart fits 0.0365% a year and also about 10^2190 a
    year; the absurd magnitude is not a rate to report, so xirr returns the plausible one
    (formatting the other for an error used to raise decimal.InvalidOperation). Check: with
    v = (1 + r)^(−1/365), −1 + 10^6 v − 10^6 v² = 0 gives v = (1 + √(1 − 4·10⁻⁶)) / 2."""
    day = date(2026, 1, 1)
    flows = [(day, -1), (day + timedelta(1), 1_000_000), (day + timedelta(2), -1_000_000)]
    rate = xirr(flows)
    ctx = decimal.Context(prec=40)
    v = ctx.divide(ctx.add(1, ctx.sqrt(ctx.subtract(1, Decimal("4e-6")))), 2)
    expected = ctx.subtract(ctx.power(ctx.divide(1, v), 365), 1)
    assert abs(rate - expected) < Decimal("1e-15")


def test_several_absurd_roots_are_shown_in_scientific_form() -> None:
    """2, −30, +100 a day apart: v = (1 + r)^(−1/365) is 0.1 or 0.2, rates of 10^365 and
    5^365 a year; with no plausible rate among several the error shows magnitudes."""
    day = date(2026, 1, 1)
    flows = [(day, 2), (day + timedelta(1), -30), (day + timedelta(2), 100)]
    with pytest.raises(ConvergenceError, match=r"several rates of return \(\d\.\d{3}e\+\d+, "):
        xirr(flows)


@given(
    st.lists(st.tuples(st.integers(0, 4000), st.integers(-(10**8), 10**8)), min_size=2, max_size=6)
)
def test_xirr_of_any_flows_is_a_rate_or_a_microloan_error(raw: list[tuple[int, int]]) -> None:
    """Whatever the flows, xirr answers or raises ConvergenceError/InvalidValueError."""
    day = date(2026, 1, 1)
    with contextlib.suppress(ConvergenceError, InvalidValueError):
        xirr([(day + timedelta(offset), amount) for offset, amount in raw])


def test_no_root_despite_sign_changes_is_refused() -> None:
    """-100, +100, -100 changes sign twice but its value is negative at every rate."""
    with pytest.raises(ConvergenceError, match="no rate of return"):
        irr([-100, 100, -100])


def test_bad_flows_are_refused() -> None:
    """Too few flows, floats and junk are refused with errors naming the field."""
    with pytest.raises(InvalidValueError, match="flows"):
        irr([-100])
    with pytest.raises(InvalidTypeError, match=r"flows\[1\]"):
        irr([-100, 110.0])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match=r"flows\[0\]"):
        irr(["abc", 1])
    with pytest.raises(InvalidValueError, match="dated_flows"):
        xirr([(date(2026, 1, 1), -100), (date(2026, 1, 1), 110)])
    with pytest.raises(InvalidTypeError, match="dated_flows"):
        xirr([("2026-01-01", -100), (date(2026, 2, 1), 110)])  # type: ignore[list-item]
    with pytest.raises(InvalidTypeError, match="dated_flows"):
        xirr([-100, 110])  # type: ignore[list-item]


def test_bad_apr_options_are_refused() -> None:
    """periods_per_year must be positive and method compound or simple."""
    with pytest.raises(InvalidValueError, match="periods_per_year"):
        apr([-100, 110], 0)
    with pytest.raises(InvalidValueError, match="method"):
        apr([-100, 110], 12, "effective")  # type: ignore[arg-type]


def test_the_callers_decimal_context_changes_nothing() -> None:
    """A caller's precision of 3 does not cut the rate's digits."""
    flows = [Decimal(-99_000)] + [Decimal("8833.30")] * 12
    expected = irr(flows)
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        assert irr(flows) == expected


# -- xirr under other day counts ------------------------------------------------------
_XIRR_EXAMPLE = [
    (date(2008, 1, 1), -10000),
    (date(2008, 3, 1), 2750),
    (date(2008, 10, 30), 4250),
    (date(2009, 2, 15), 3250),
    (date(2009, 4, 1), 2750),
]


@pytest.mark.parametrize(
    ("day_count", "expected"),
    [
        # The spreadsheet XIRR example (Excel and LibreOffice documentation) under each day
        # count, as pyxirr 0.10 (an independent implementation) gives it with its DayCount
        # ACT_365F, ACT_360, ACT_ACT_ISDA, THIRTY_360_ISDA, THIRTY_E_360, THIRTY_E_360_ISDA
        # and THIRTY_U_360.
        ("act/365", Decimal("0.3733625335")),
        ("act/360", Decimal("0.3674067735")),
        ("act/act", Decimal("0.3744466966")),
        ("30/360 isda", Decimal("0.3733661079")),
        ("30e/360", Decimal("0.3733661079")),
        ("30e/360 isda", Decimal("0.3733661079")),
        ("30/360", Decimal("0.3733661079")),
    ],
)
def test_xirr_counts_the_years_with_any_day_count(day_count: Any, expected: Decimal) -> None:
    """xirr(flows, day_count=...) measures each flow's time in years of that day count."""
    assert abs(xirr(_XIRR_EXAMPLE, day_count=day_count) - expected) < TEN_DIGITS


def test_xirr_defaults_to_act_365() -> None:
    """The spreadsheet's XIRR counts actual days over 365: the default is unchanged."""
    assert xirr(_XIRR_EXAMPLE) == xirr(_XIRR_EXAMPLE, day_count="act/365")


def test_xirr_refuses_an_unknown_day_count() -> None:
    """A day count outside DayCount is refused naming the field."""
    with pytest.raises(InvalidValueError, match="day_count: 'act/364' is not a day count"):
        xirr(_XIRR_EXAMPLE, day_count="act/364")  # type: ignore[arg-type]


_PYXIRR = {
    "act/365": "ACT_365F",
    "act/360": "ACT_360",
    "act/act": "ACT_ACT_ISDA",
    "30/360 isda": "THIRTY_360_ISDA",
    "30e/360": "THIRTY_E_360",
    "30e/360 isda": "THIRTY_E_360_ISDA",
    "30/360": "THIRTY_U_360",
}


@given(
    days=st.lists(st.integers(1, 3000), min_size=1, max_size=6, unique=True),
    payments=st.lists(st.integers(1, 5000), min_size=6, max_size=6),
    convention=st.sampled_from(sorted(_PYXIRR)),
    start=st.dates(date(1990, 1, 1), date(2030, 12, 31)),
)
def test_xirr_agrees_with_pyxirr_under_every_day_count(
    days: list[int], payments: list[int], convention: str, start: date
) -> None:
    """Oracle: a loan's dated flows have the rate pyxirr finds under the same day count."""
    pyxirr = pytest.importorskip("pyxirr")
    flows: list[tuple[date, int]] = [(start, -sum(payments[: len(days)]) // 2 - 1)]
    flows += [(start + timedelta(days=d), p) for d, p in zip(sorted(days), payments, strict=False)]
    try:
        ours = xirr(flows, day_count=convention)  # type: ignore[arg-type]
    except InvalidValueError:  # two dates counted alike leave one time: nothing to solve
        return
    theirs = pyxirr.xirr(flows, day_count=getattr(pyxirr.DayCount, _PYXIRR[convention]))
    assume(theirs is not None and math.isfinite(theirs) and abs(theirs) < 100)
    assert abs(float(ours) - theirs) <= 1e-7 * max(1.0, abs(theirs))


# -- fast paths ------------------------------------------------------------------------
@st.composite
def loan_dated_flows(draw: st.DrawFn) -> list[tuple[date, Decimal]]:
    """A loan's dated flows as `Schedule.dated_cash_flows` gives them: Decimals, date tuples."""
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)))
    lent = draw(st.decimals(min_value=Decimal(1), max_value=Decimal(10**7), places=2))
    days = draw(st.lists(st.integers(1, 3650), min_size=1, max_size=24, unique=True))
    paid = draw(st.lists(positive_payments.map(sum), min_size=len(days), max_size=len(days)))
    return [
        (start, -lent),
        *((start + timedelta(days=d), Decimal(p)) for d, p in zip(days, paid, strict=True)),
    ]


def _reference_pairs(flows: list[tuple[date, Decimal]]) -> Any:
    """The same flows through the general checks: a generator of [date, str] lists."""
    return ([day, str(amount)] for day, amount in flows)


@given(flows=loan_dated_flows())
def test_xirr_fast_input_path_equals_the_general_one(flows: list[tuple[date, Decimal]]) -> None:
    """Tuples of a date and a Decimal (the fast path) give exactly what the general checks give."""
    try:
        expected: Decimal | type[Exception] = xirr(_reference_pairs(flows))
    except ConvergenceError:
        expected = ConvergenceError
    if expected is ConvergenceError:
        with pytest.raises(ConvergenceError):
            xirr(flows)
    else:
        got = xirr(flows)
        assert got == expected
        assert got.as_tuple() == expected.as_tuple()  # type: ignore[union-attr]


@given(flows=st.lists(st.integers(-(10**6), 10**6), min_size=2, max_size=30), money=st.booleans())
def test_irr_fast_input_path_equals_the_general_one(flows: list[int], money: bool) -> None:
    """A list of Decimals (the fast path) gives exactly what any other iterable of amounts does."""
    amounts = [Decimal(f) for f in flows]
    other = (Money(a) for a in amounts) if money else iter(map(str, amounts))
    try:
        expected: Decimal | type[Exception] = irr(other)
    except ConvergenceError:
        expected = ConvergenceError
    if expected is ConvergenceError:
        with pytest.raises(ConvergenceError):
            irr(amounts)
    else:
        got = irr(amounts)
        assert got.as_tuple() == expected.as_tuple()  # type: ignore[union-attr]
        assert irr(tuple(amounts)).as_tuple() == got.as_tuple()


@given(flows=loan_dated_flows())
def test_xirr_does_not_read_the_callers_context(flows: list[tuple[date, Decimal]]) -> None:
    """Without a context switch, xirr and irr still compute alike under any caller's context."""
    try:
        expected = xirr(flows), irr([amount for _, amount in flows])
    except ConvergenceError:
        return
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = ctx.traps[decimal.Rounded] = True
        assert (xirr(flows), irr([amount for _, amount in flows])) == expected
