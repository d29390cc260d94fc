"""Properties of the frame paths: whatever the rows, each engine gives the records' report."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microloan import SchemeName, ageing_report, auc, ks, overdue_rates, roll_rates
from tests.frames import ON, engine_frame, records, snapshot_frame

pytest.importorskip("narwhals", reason="the frames extra (narwhals) is not installed")
pytest.importorskip("polars", reason="polars, the engine the frames are built with, is absent")

pytestmark = pytest.mark.filterwarnings(
    "ignore:Dask support is moving out of Narwhals:FutureWarning"
)

_FEW = settings(max_examples=25, deadline=None)  # each example builds frames: keep it short


@st.composite
def _rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Up to 40 loans on book on ON, with ties, zero balances and missing worst days."""
    out = []
    for i in range(draw(st.integers(0, 40))):
        principal = draw(st.sampled_from([1, 100, 150_000]) | st.integers(1, 10**9))
        dpd = draw(st.sampled_from([0, 1, 30, 31, 90, 91, 180]) | st.integers(0, 2000))
        out.append(
            {
                "loan_id": f"L{i}",
                "disbursed": ON - timedelta(days=draw(st.integers(0, 800))),
                "principal": principal,
                "outstanding": draw(st.sampled_from([0, principal]) | st.integers(0, principal)),
                "days_past_due": dpd,
                "on": ON,
                "max_days_past_due": draw(st.none() | st.integers(dpd, dpd + 100)),
            }
        )
    return out


@_FEW
@given(
    rows=_rows(),
    engine=st.sampled_from(["polars", "pandas", "pyarrow"]),
    scheme=st.sampled_from(["m", "us", "five-tier"]),
)
def test_any_portfolio_ages_the_same_in_a_frame(
    rows: list[dict[str, Any]], engine: str, scheme: SchemeName
) -> None:
    """The engine only counts and adds minor units: the report equals the records' one."""
    frame = engine_frame(engine, rows)
    assert ageing_report(frame, on=ON, scheme=scheme, currency="CNY") == ageing_report(
        records(rows), on=ON, scheme=scheme
    )


@_FEW
@given(rows=_rows(), over=st.sampled_from([0, 30, 90]))
def test_any_portfolio_has_the_same_overdue_rates_in_a_frame(
    rows: list[dict[str, Any]], over: int
) -> None:
    """Coincident and lagged rates from a frame equal those from the records."""
    frame = engine_frame("polars", rows)
    assert overdue_rates(frame, on=ON, over=over, currency="CNY") == overdue_rates(
        records(rows), on=ON, over=over
    )


@_FEW
@given(
    pairs=st.lists(
        st.tuples(st.integers(300, 900) | st.sampled_from([500, 600]), st.sampled_from([0, 1])),
        min_size=2,
        max_size=60,
    ).filter(lambda p: len({b for _, b in p}) == 2)
)
def test_ks_and_auc_of_frame_columns_equal_those_of_the_lists(pairs: list[tuple[int, int]]) -> None:
    """Exact KS and AUC over a frame's columns (ties included) equal the list forms."""
    import polars as pl

    scores, bads = [s for s, _ in pairs], [b for _, b in pairs]
    frame = pl.DataFrame({"score": scores, "bad": bads})
    assert ks(frame, value="score", bad="bad") == ks(scores, bads)
    assert auc(frame, value="score", bad="bad") == auc(scores, bads)


@_FEW
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from([-0.0, 0.0, 0.5, -1.5, math.inf, -math.inf])
            | st.floats(-1e6, 1e6, allow_nan=False),
            st.sampled_from([0, 1]),
        ),
        min_size=2,
        max_size=60,
    ).filter(lambda p: len({b for _, b in p}) == 2)
)
def test_ks_and_auc_of_float_frame_columns_equal_those_of_the_lists(
    pairs: list[tuple[float, int]],
) -> None:
    """Float scores (signed zeros and infinities tied or not) give the lists' KS and AUC."""
    import polars as pl

    scores, bads = [s for s, _ in pairs], [b for _, b in pairs]
    frame = pl.DataFrame({"score": scores, "bad": bads})
    assert ks(frame, value="score", bad="bad") == ks(scores, bads)
    assert auc(frame, value="score", bad="bad") == auc(scores, bads)


@st.composite
def _snapshots(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two snapshots of up to 30 loans: some gone at the end, some new, closed, written off."""
    start = ON - timedelta(days=31)
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 30))):
        principal = draw(st.sampled_from([1, 100, 150_000]) | st.integers(1, 10**9))
        row = {
            "loan_id": f"L{i}",
            "disbursed": start - timedelta(days=draw(st.integers(0, 400))),
            "principal": principal,
            "max_days_past_due": None,
        }
        in_before, in_after = draw(st.sampled_from([(True, True), (True, False), (False, True)]))
        for rows, on, there in ((before, start, in_before), (after, ON, in_after)):
            if there:
                rows.append(
                    {
                        **row,
                        "on": on,
                        "outstanding": draw(st.sampled_from([0, principal]) | st.integers(0, 99)),
                        "days_past_due": draw(
                            st.sampled_from([0, 1, 31, 91]) | st.integers(0, 999)
                        ),
                        "written_off": draw(st.booleans()),
                    }
                )
    return before, after


@_FEW
@given(
    snapshots=_snapshots(),
    engine=st.sampled_from(["polars", "polars-lazy", "pandas", "pyarrow", "duckdb"]),
    scheme=st.sampled_from(["m", "us", "five-tier"]),
    absent=st.sampled_from(["paid_off", "written_off"]),
)
def test_any_two_snapshots_roll_the_same_in_frames(
    snapshots: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    engine: str,
    scheme: SchemeName,
    absent: Literal["paid_off", "written_off"],
) -> None:
    """The engine joins by loan id and counts: the matrix equals the records' one."""
    before, after = snapshots
    start = ON - timedelta(days=31)
    expected = roll_rates(
        records(before), records(after), start=start, end=ON, scheme=scheme, absent=absent
    )
    frames = (snapshot_frame(engine, before), snapshot_frame(engine, after))
    found = roll_rates(*frames, start=start, end=ON, scheme=scheme, absent=absent, currency="CNY")
    assert found == expected
