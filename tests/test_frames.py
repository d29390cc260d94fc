"""Reports over DataFrames: every engine gives the pure-Python result, digit for digit."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from microloan import (
    AgeingReport,
    InvalidRecordError,
    InvalidTypeError,
    InvalidValueError,
    LoanRecord,
    MicroloanError,
    SchemeName,
    ageing_report,
)
from tests.frames import (
    ENGINES,
    ON,
    START,
    engine_frame,
    in_engine,
    pandas_frame,
    polars_frame,
    portfolio,
    records,
    roll_snapshots,
    snapshot_frame,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:Dask support is moving out of Narwhals:FutureWarning"
)

SCHEMES: tuple[SchemeName, ...] = ("m", "us", "five-tier")


# -- the same report on every engine --------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", [1, 2])
def test_ageing_report_of_a_frame_equals_the_records_path(engine: str, seed: int) -> None:
    """Stage 1 only adds integers: each engine's report equals the pure-Python one."""
    rows = portfolio(seed, 300)
    frame = engine_frame(engine, rows)
    for scheme in SCHEMES:
        expected = ageing_report(records(rows), on=ON, scheme=scheme)
        assert ageing_report(frame, on=ON, scheme=scheme, currency="CNY") == expected


@pytest.mark.parametrize("amounts", ["text", "decimal"])
@pytest.mark.parametrize("engine", ENGINES)
def test_decimal_and_text_amounts_are_read_exactly(engine: str, amounts: str) -> None:
    """Decimal columns and decimal strings are parsed in the engine to exact minor units."""
    rows = portfolio(3, 200)
    frame = engine_frame(engine, rows, amounts=amounts)
    assert ageing_report(frame, on=ON) == ageing_report(records(rows), on=ON)


@pytest.mark.parametrize("engine", ENGINES)
def test_float_amounts_are_refused_with_moneys_message(engine: str) -> None:
    """A float amount column is refused as `Money` refuses a float, naming the column."""
    frame = engine_frame(engine, portfolio(4, 20), amounts="float")
    with pytest.raises(InvalidTypeError, match=r"column 'outstanding'.*is a float; pass a str"):
        ageing_report(frame, on=ON)


@pytest.mark.parametrize("engine", ENGINES)
def test_float_amounts_round_to_the_nearest_minor_unit_when_asked(engine: str) -> None:
    """`float_amounts="round"` reads a float amount as its nearest minor unit."""
    rows = portfolio(5, 200)
    frame = engine_frame(engine, rows, amounts="float")
    report = ageing_report(frame, on=ON, float_amounts="round")
    assert report == ageing_report(records(rows), on=ON)


def test_float_amounts_off_a_minor_unit_are_refused_even_rounding() -> None:
    """`"round"` refuses a float that is not within a millionth of a minor unit."""
    import polars as pl

    frame = polars_frame(portfolio(6, 5), amounts="float").with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit(1.005))
        .otherwise(pl.col("outstanding"))
        .alias("outstanding")
    )
    with pytest.raises(InvalidRecordError, match=r"records\[3\].*1.005 is not within a millionth"):
        ageing_report(frame, on=ON, float_amounts="round")


def test_an_empty_frame_gives_the_empty_report() -> None:
    """No rows: the same empty report as no records (no currency)."""
    frame = polars_frame([])
    assert ageing_report(frame, on=ON, currency="CNY") == ageing_report([], on=ON)


def test_columns_maps_fields_to_other_names() -> None:
    """`columns=` reads a field from a column of another name."""
    rows = portfolio(7, 50)
    frame = polars_frame(rows).rename({"outstanding": "balance", "days_past_due": "dpd"})
    mapped = ageing_report(
        frame, on=ON, currency="CNY", columns={"outstanding": "balance", "days_past_due": "dpd"}
    )
    assert mapped == ageing_report(records(rows), on=ON)


def test_an_override_scheme_sees_every_row() -> None:
    """A scheme with an override reads the frame as records and applies it per loan."""
    from microloan import BucketScheme

    def restructured(subject: object, _label: str) -> str | None:
        return "loss" if getattr(subject, "loan_id", "").endswith("7") else None

    scheme = BucketScheme.preset("five-tier").with_override(restructured)
    rows = portfolio(8, 60)
    expected = ageing_report(records(rows), on=ON, scheme=scheme)
    assert ageing_report(polars_frame(rows), on=ON, scheme=scheme, currency="CNY") == expected


# -- bad data: specific errors naming the column and the row -------------------------


def _with(rows: list[dict[str, Any]], index: int, **change: object) -> list[dict[str, Any]]:
    out = [dict(r) for r in rows]
    out[index].update(change)
    return out


@pytest.mark.parametrize("engine", ["polars", "pandas", "pyarrow"])
def test_a_missing_amount_names_its_column_and_row(engine: str) -> None:
    """A null in a required column is refused, naming the column, the row and the loan."""
    rows = _with(portfolio(9, 10), 4, outstanding=None)
    frame = engine_frame(engine, rows)
    with pytest.raises(InvalidRecordError, match=r"records\[4\] \(loan 'L9-4'\): outstanding"):
        ageing_report(frame, on=ON, currency="CNY")


def test_a_negative_balance_is_refused_naming_the_row() -> None:
    """A negative outstanding is refused as `LoanRecord` refuses it."""
    frame = polars_frame(_with(portfolio(10, 10), 2, outstanding=-5))
    with pytest.raises(InvalidRecordError, match=r"records\[2\].*-5 must not be negative"):
        ageing_report(frame, on=ON, currency="CNY")


def test_a_fraction_of_a_fen_is_refused_naming_the_row() -> None:
    """Decimal text with a fraction of a minor unit is refused with the record's reason."""
    import polars as pl

    frame = polars_frame(portfolio(11, 10), amounts="text").with_columns(
        pl.when(pl.int_range(pl.len()) == 6)
        .then(pl.lit("12.345"))
        .otherwise(pl.col("outstanding"))
        .alias("outstanding")
    )
    with pytest.raises(InvalidRecordError, match=r"records\[6\].*must be in whole CNY minor"):
        ageing_report(frame, on=ON)


def test_text_that_is_no_number_is_refused() -> None:
    """Text that is not a decimal number is refused with `Money`'s reason."""
    import polars as pl

    frame = polars_frame(portfolio(12, 4), amounts="text").with_columns(
        pl.lit("lots").alias("principal")
    )
    with pytest.raises(InvalidRecordError, match=r"principal.*'lots' is not a decimal number"):
        ageing_report(frame, on=ON)


def test_integer_amounts_need_a_currency() -> None:
    """Integer amounts are minor units of the `currency=` passed: without one, refused."""
    with pytest.raises(InvalidValueError, match=r"currency.*must be given"):
        ageing_report(polars_frame(portfolio(13, 3)), on=ON)


def test_a_missing_column_is_named() -> None:
    """A report that needs a column the frame lacks says which, and lists the columns."""
    frame = polars_frame(portfolio(14, 3)).drop("days_past_due")
    with pytest.raises(InvalidValueError, match=r"days_past_due.*is not a column"):
        ageing_report(frame, on=ON, currency="CNY")


@pytest.mark.parametrize("engine", ["polars", "pandas", "duckdb"])
def test_a_snapshot_of_another_date_is_refused(engine: str) -> None:
    """A row whose `on` is not the report date is refused, as the records path does."""
    frame = engine_frame(engine, _with(portfolio(15, 5), 1, on=date(2026, 2, 28)))
    with pytest.raises(InvalidRecordError, match=r"2026-02-28 is not the report date"):
        ageing_report(frame, on=ON, currency="CNY")


@pytest.mark.parametrize("engine", ["polars", "pandas", "duckdb"])
def test_a_loan_disbursed_after_the_report_date_is_refused(engine: str) -> None:
    """No loan may be disbursed after the report date (a date or a datetime column)."""
    rows = _with(portfolio(16, 5, on=None), 3, disbursed=date(2026, 4, 1))
    with pytest.raises(InvalidRecordError, match=r"disbursed: 2026-04-01 is after"):
        ageing_report(engine_frame(engine, rows), on=ON, currency="CNY")


def test_frame_options_are_refused_for_records() -> None:
    """`columns=`, `currency=` and `float_amounts=` apply to frames; never silently ignored."""
    with pytest.raises(InvalidValueError, match="applies to a DataFrame input only"):
        ageing_report([], on=ON, currency="CNY")


def test_an_unknown_option_value_is_refused() -> None:
    """An option outside its `Literal` choices is refused, listing them."""
    with pytest.raises(InvalidValueError, match="float_amounts"):
        ageing_report(polars_frame([]), on=ON, float_amounts="truncate")  # type: ignore[arg-type]


# -- LoanRecord.from_frame -----------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_from_frame_builds_the_same_records(engine: str) -> None:
    """`LoanRecord.from_frame` gives the records the rows describe, nulls as defaults."""
    rows = portfolio(17, 80)
    frame = engine_frame(engine, rows, amounts="text")
    assert LoanRecord.from_frame(frame) == records(rows)


def test_from_frame_names_the_bad_row() -> None:
    """A row no record can be built from is refused by position and loan id."""
    rows = _with(portfolio(18, 5), 2, max_days_past_due=0, days_past_due=10)
    with pytest.raises(InvalidRecordError, match=r"records\[2\] \(loan 'L18-2'\).*below"):
        LoanRecord.from_frame(polars_frame(rows), currency="CNY")


# -- to_frame ------------------------------------------------------------------------


def _report() -> AgeingReport:
    return ageing_report(records(portfolio(19, 100)), on=ON, scheme="us")


def test_to_frame_polars_has_typed_columns_and_no_total_row() -> None:
    """Counts are integers, money decimals with the currency's places, rates decimals."""
    import polars as pl

    report = _report()
    frame = report.to_frame("polars")
    assert frame.schema["loans"] == pl.Int64
    assert frame.schema["outstanding"] == pl.Decimal(38, 2)
    assert isinstance(frame.schema["loan_share"], pl.Decimal)
    assert frame["bucket"].to_list() == list(report.labels)
    assert sum(frame["loans"].to_list()) == report.total_count
    assert sum(frame["outstanding"].to_list()) == report.total_outstanding.amount


def test_to_frame_money_as_minor_units_and_rates_as_floats() -> None:
    """The options give integer minor units and float rates."""
    report = _report()
    table = report.to_frame("pyarrow", money="minor_units", rates="float")
    import pyarrow as pa

    assert table.schema.field("outstanding").type == pa.int64()
    assert table.schema.field("balance_share").type == pa.float64()
    assert sum(table.column("outstanding").to_pylist()) == report.total_outstanding.minor_units


def test_to_frame_pandas_keeps_exact_decimals() -> None:
    """pandas gets nullable integer columns and exact decimal columns."""
    report = _report()
    frame = report.to_frame("pandas")
    assert str(frame["loans"].dtype) == "Int64"
    assert frame["outstanding"].sum() == report.total_outstanding.amount
    assert all(isinstance(v, Decimal) for v in frame["outstanding"].to_list())


def test_to_frame_refuses_an_unknown_backend() -> None:
    """A backend outside the choices is refused, listing them."""
    with pytest.raises(InvalidValueError, match="backend"):
        _report().to_frame("excel")  # type: ignore[arg-type]


def test_only_microloan_errors_escape_a_frame_report() -> None:
    """Junk where a frame is read (a column of lists) is a MicroloanError, not the engine's."""
    import polars as pl

    frame = pl.DataFrame({"days_past_due": [[1]], "outstanding": [1]})
    with pytest.raises(MicroloanError):
        ageing_report(frame, on=ON, currency="CNY")


def test_pandas_frame_helper_keeps_numpy_datetimes() -> None:
    """The pandas fixtures hold NumPy datetimes, as most pandas data does."""
    assert str(pandas_frame(polars_frame(portfolio(20, 2)))["disbursed"].dtype).startswith(
        "datetime64"
    )


# -- lift tables and score metrics: the engine counts per distinct value -------------


def _scored(seed: int, n: int) -> tuple[list[Any], list[int]]:
    """Scores with ties and missing values (None and NaN), and a bad flag."""
    import random

    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    scores: list[Any] = []
    for _ in range(n):
        roll = rng.random()
        scores.append(None if roll < 0.03 else rng.choice((0.25, 0.5)) if roll < 0.2 else roll)
    bads = [int(rng.random() < (0.5 if s is None else s * 0.4)) for s in scores]
    return scores, bads


def _score_frame(engine: str, scores: list[Any], bads: list[int]) -> Any:
    import polars as pl

    frame = pl.DataFrame(
        {"score": scores, "bad": bads}, schema={"score": pl.Float64, "bad": pl.Int64}
    )

    def pandas(_: Any) -> Any:  # a missing score is NaN there
        import pandas as pd

        return pd.DataFrame(
            {"score": [float("nan") if s is None else s for s in scores], "bad": bads}
        )

    return in_engine(engine, frame, pandas=pandas)


@pytest.mark.parametrize("engine", ENGINES)
def test_lift_table_of_a_frame_equals_the_columns_path(engine: str) -> None:
    """The lift table (WoE, IV, KS), reject impact, KS and AUC of a frame equal the lists'."""
    from microloan import Rule, auc, ks, lift_table, reject_impact

    scores, bads = _scored(21, 400)
    frame = _score_frame(engine, scores, bads)
    clean = [(s, b) for s, b in zip(scores, bads, strict=True) if s is not None]
    for bins in (5, [0.25, 0.5, 0.75]):
        expected = lift_table(scores, bads, bins=bins)
        assert lift_table(frame, value="score", bad="bad", bins=bins) == expected
    rule = Rule(">=", 0.5)
    assert reject_impact(frame, value="score", bad="bad", reject=rule) == reject_impact(
        scores, bads, reject=rule
    )
    if engine in ("polars", "pyarrow"):  # no missing scores: KS and AUC refuse them
        import polars as pl

        kept = pl.DataFrame({"score": [s for s, _ in clean], "bad": [b for _, b in clean]})
        kept_frame = kept if engine == "polars" else kept.to_arrow()
        plain = ([s for s, _ in clean], [b for _, b in clean])
        assert ks(kept_frame, value="score", bad="bad") == ks(*plain)
        assert auc(kept_frame, value="score", bad="bad") == auc(*plain)


@pytest.mark.parametrize("engine", ENGINES)
def test_ks_and_auc_walked_in_the_engine_equal_the_lists(engine: str) -> None:
    """KS and AUC walked by each engine (ties, -0.0 beside 0.0, both directions) equal the lists'."""
    from microloan import auc, ks

    scores, bads = _scored(24, 300)
    clean = [(s, b) for s, b in zip(scores, bads, strict=True) if s is not None]
    kept = [s for s, _ in clean] + [-0.0, 0.0, 0.0]
    flags = [b for _, b in clean] + [1, 0, 1]
    frame = _score_frame(engine, kept, flags)
    assert ks(frame, value="score", bad="bad") == ks(kept, flags)
    for higher in ("bad", "good"):
        assert auc(frame, value="score", bad="bad", higher=higher) == auc(
            kept, flags, higher=higher
        )


@pytest.mark.parametrize("engine", ENGINES)
def test_integer_scores_with_heavy_ties_walk_the_same_in_the_engine(engine: str) -> None:
    """Integer scores of few distinct values (runs of ties) give the lists' KS and AUC."""
    import polars as pl

    from microloan import auc, ks

    rng = random.Random(25)  # noqa: S311 - reproducible test data
    scores = [rng.randrange(300, 320) for _ in range(500)]
    bads = [int(rng.random() < (s - 295) / 30) for s in scores]
    frame = in_engine(engine, pl.DataFrame({"score": scores, "bad": bads}))
    assert ks(frame, value="score", bad="bad") == ks(scores, bads)
    assert auc(frame, value="score", bad="bad") == auc(scores, bads)
    table = lift_table_of(frame, bins=4)
    assert table == lift_table_of_lists(scores, bads, bins=4)


def lift_table_of(frame: Any, **options: Any) -> Any:
    from microloan import lift_table

    return lift_table(frame, value="score", bad="bad", **options)


def lift_table_of_lists(scores: list[Any], bads: list[int], **options: Any) -> Any:
    from microloan import lift_table

    return lift_table(scores, bads, **options)


@pytest.mark.parametrize("engine", ENGINES)
def test_lift_cuts_are_compared_exactly_in_the_engine(engine: str) -> None:
    """Decimal and float cut points, either end closed, bin a frame's floats as the lists'."""
    from microloan import CutBins

    scores, bads = _scored(26, 300)
    scores += [0.1, 0.30000000000000004, 0.3, 0.5]
    bads += [1, 0, 1, 0]
    frame = _score_frame(engine, scores, bads)
    for bins in (
        CutBins(cuts=(Decimal("0.1"), Decimal("0.3"), Decimal("0.5"))),
        CutBins(cuts=(Decimal("0.1"), 0.3, 1), closed="right"),
        CutBins(cuts=()),
        10,
        1,
    ):
        assert lift_table_of(frame, bins=bins) == lift_table_of_lists(scores, bads, bins=bins)


def test_the_count_table_path_still_serves_category_bins_and_special_values() -> None:
    """Bins the engine does not cut (categories, special values) still give the lists' table."""
    import polars as pl

    from microloan import CategoryBins, CutBins

    scores = [1, 2, 2, 3, -1, -1, 5, 5]
    bads = [0, 1, 0, 1, 1, 0, 1, 0]
    frame = pl.DataFrame({"score": scores, "bad": bads})
    for bins in (CutBins(cuts=(2, 4), special=(-1,)), CategoryBins(groups=((1, 2), (3, 5)))):
        assert lift_table_of(frame, bins=bins) == lift_table_of_lists(scores, bads, bins=bins)


def test_missing_scores_are_refused_by_the_engine_walk() -> None:
    """A null or NaN score stops KS and AUC, as with the lists."""
    import polars as pl

    from microloan import auc, ks

    for missing in (None, float("nan")):
        frame = pl.DataFrame({"score": [0.1, missing, 0.3], "bad": [0, 1, 1]})
        for metric in (ks, auc):
            with pytest.raises(InvalidValueError, match="missing values"):
                metric(frame, value="score", bad="bad")
    one_class = pl.DataFrame({"score": [0.1, 0.2], "bad": [0, 0]})
    with pytest.raises(InvalidValueError, match="all good"):
        ks(one_class, value="score", bad="bad")


def test_psi_of_two_frames_equals_the_counts_path() -> None:
    """PSI over two frames counts both in the same bins, as the bins' own counts do."""
    import polars as pl

    from microloan import CutBins, psi

    before, _ = _scored(22, 300)
    after, _ = _scored(23, 300)
    bins = CutBins(cuts=(0.2, 0.4, 0.6, 0.8))
    expected = psi(bins.counts(before), bins.counts(after))
    frames = [
        pl.DataFrame({"score": data}, schema={"score": pl.Float64}) for data in (before, after)
    ]
    assert psi(*frames, value="score", bins=bins) == expected


def test_a_bad_flag_outside_zero_and_one_is_refused_naming_the_row() -> None:
    """A flag of 2 is refused, naming the column and the row."""
    import polars as pl

    from microloan import ks

    frame = pl.DataFrame({"score": [1.0, 2.0, 3.0], "bad": [0, 2, 1]})
    with pytest.raises(
        InvalidRecordError, match=r"records\[1\].*column 'bad'.*2 is not a bad flag"
    ):
        ks(frame, value="score", bad="bad")


def test_score_columns_are_named_for_a_frame() -> None:
    """A frame without `value=` is refused: the column is never guessed."""
    import polars as pl

    from microloan import auc

    with pytest.raises(InvalidValueError, match="value"):
        auc(pl.DataFrame({"score": [1.0], "bad": [1]}), bad="bad")


# -- vintage, first-payment default, overdue and roll rates -------------------------


def _written_off(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "written_off": i % 17 == 0} for i, row in enumerate(rows)]


@pytest.mark.parametrize("engine", ENGINES)
def test_overdue_rates_of_a_frame_equal_the_records_path(engine: str) -> None:
    """Coincident and lagged overdue rates per disbursement month: the engine counts."""
    from microloan import overdue_rates

    rows = portfolio(41, 300)
    frame = engine_frame(engine, rows)
    for over in (0, 30):
        expected = overdue_rates(records(rows), on=ON, over=over)
        assert overdue_rates(frame, on=ON, over=over, currency="CNY") == expected


def test_overdue_rates_read_the_written_off_column() -> None:
    """A written-off loan is off the book, as the record's flag says."""
    import polars as pl

    from microloan import overdue_rates

    rows = _written_off(portfolio(42, 100))
    frame = polars_frame([{k: v for k, v in r.items() if k != "written_off"} for r in rows])
    frame = frame.with_columns(pl.Series("written_off", [r["written_off"] for r in rows]))
    assert overdue_rates(frame, on=ON, currency="CNY") == overdue_rates(records(rows), on=ON)


@pytest.mark.parametrize("engine", ENGINES)
def test_vintage_and_fpd_of_a_frame_equal_the_records_path(engine: str) -> None:
    """Vintage curves and FPD from a frame of snapshots (counted by each engine) equal the records'."""
    from datetime import timedelta

    import polars as pl

    from microloan import first_payment_default, vintage

    rows = portfolio(43, 150)
    for row in rows:
        row["first_due"] = row["disbursed"] + timedelta(days=30)
    snapshots = [
        {**row, "on": day, "loan_id": row["loan_id"]}
        for row in rows
        for day in (date(2026, 1, 31), ON)
        if row["disbursed"] <= day and row["first_due"] <= ON
    ]
    frame = polars_frame([{k: v for k, v in r.items() if k != "first_due"} for r in snapshots])
    frame = frame.with_columns(pl.Series("first_due", [r["first_due"] for r in snapshots]))
    for over in (0, 30, 90):
        expected = vintage(records(snapshots), over=over)
        assert vintage(in_engine(engine, frame), over=over, currency="CNY") == expected
    latest = [{**r, "first_installment_days_past_due": r["days_past_due"]} for r in rows]
    fpd_frame = frame.filter(pl.col("on") == ON).with_columns(
        pl.col("days_past_due").alias("first_installment_days_past_due")
    )
    kept = [r for r in latest if r["first_due"] <= ON]
    for over in (1, 7, 30):
        expected_fpd = first_payment_default(records(kept), over=over)
        counted = first_payment_default(in_engine(engine, fpd_frame), over=over, currency="CNY")
        assert counted == expected_fpd


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("principal", [None, 1 << 46])  # below 2^46 minor units, one cell
@pytest.mark.parametrize("change", ["principal", "disbursed"])
def test_a_loan_with_two_principals_is_refused_by_the_engine_vintage(
    engine: str, principal: int | None, change: str
) -> None:
    """Two snapshots of one loan that disagree on its principal (or its disbursement
    month) are refused, naming the loan, whichever way the engine groups them."""
    from datetime import timedelta

    rows = portfolio(45, 3)
    if principal is not None:
        rows = [{**row, "principal": principal, "outstanding": principal} for row in rows]
    other = (
        {"principal": rows[0]["principal"] + 1}
        if change == "principal"
        else {"disbursed": rows[0]["disbursed"] - timedelta(days=40)}
    )
    snapshots = [rows[0], rows[1], {**rows[0], **other}, rows[2]]
    from microloan import vintage

    with pytest.raises(InvalidRecordError, match=r"L45-0.*another disbursement month"):
        vintage(engine_frame(engine, snapshots), currency="CNY")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_vintage_of_large_principals_equals_the_records_path(engine: str) -> None:
    """Principals of 2^46 minor units and more (no packed cell) give the records' vintage."""
    from microloan import vintage

    rows = [
        {**row, "principal": row["principal"] << 25, "outstanding": row["outstanding"] << 25}
        for row in portfolio(48, 60)
    ]
    assert max(row["principal"] for row in rows) >= 1 << 46
    expected = vintage(records(rows), over=30)
    assert vintage(engine_frame(engine, rows), over=30, currency="CNY") == expected


def test_a_frame_vintage_merges_compares_and_pickles_as_a_records_vintage() -> None:
    """The per-loan state an engine counted (built on first use) merges with `+`,
    compares equal and survives pickling as the state the records path builds."""
    import pickle

    from microloan import vintage

    rows = portfolio(49, 80)
    first, second = rows[:50], rows[30:]  # thirty loans in both parts
    whole = vintage(records(rows), over=30)
    merged = vintage(polars_frame(first), currency="CNY") + vintage(records(second))
    assert merged == whole
    assert vintage(records(second)) + vintage(polars_frame(first), currency="CNY") == whole
    counted = vintage(polars_frame(rows), currency="CNY")
    assert pickle.loads(pickle.dumps(counted)) == whole
    assert counted == whole
    assert vintage(polars_frame(rows), currency="CNY") == counted  # both still unbuilt


def test_a_snapshot_without_its_date_is_refused_by_the_engine_vintage() -> None:
    """A vintage needs each snapshot's date: a null `on` is refused, naming the loan."""
    from microloan import vintage

    rows = portfolio(46, 4)
    rows[2]["on"] = None
    with pytest.raises(InvalidRecordError, match=r"L46-2.*on: is missing"):
        vintage(polars_frame(rows), currency="CNY")


def test_fpd_judges_only_installments_due_long_enough() -> None:
    """An installment due fewer than `over` days ago and not yet late is not judged."""
    import polars as pl

    from microloan import first_payment_default

    rows = portfolio(47, 40)
    for i, row in enumerate(rows):
        row["first_due"] = ON - timedelta(days=i)
        row["disbursed"] = min(row["disbursed"], row["first_due"])
        row["first_installment_days_past_due"] = i % 9
    frame = polars_frame([{k: v for k, v in r.items() if k != "first_due"} for r in rows])
    frame = frame.with_columns(
        pl.Series("first_due", [r["first_due"] for r in rows]),
        pl.Series("first_installment_days_past_due", [i % 9 for i in range(40)]),
    )
    for engine in ENGINES:
        expected = first_payment_default(records(rows), over=7)
        assert first_payment_default(in_engine(engine, frame), over=7, currency="CNY") == expected


def test_roll_rates_of_two_frames_equal_the_records_path() -> None:
    """Roll rates join two snapshot frames by loan id, as the records path does."""
    from microloan import roll_rates

    start = date(2026, 2, 28)
    before = portfolio(44, 120, on=start)
    for row in before:
        row["disbursed"] = min(row["disbursed"], start)
    after = [
        {**row, "on": ON, "days_past_due": row["days_past_due"] + 31, "max_days_past_due": None}
        for row in before[10:]
    ]
    expected = roll_rates(records(before), records(after), start=start, end=ON)
    frames = (polars_frame(before), polars_frame(after))
    assert roll_rates(*frames, start=start, end=ON, currency="CNY") == expected


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", [51, 52])
def test_roll_rates_counted_by_each_engine_equal_the_records_path(engine: str, seed: int) -> None:
    """Absent, new, paid-off and written-off loans: every engine's matrix is the records'."""
    from microloan import roll_rates

    before, after = roll_snapshots(seed, 250)
    frames = (snapshot_frame(engine, before), snapshot_frame(engine, after))
    for scheme in SCHEMES:
        for absent in ("paid_off", "written_off"):
            expected = roll_rates(
                records(before), records(after), start=START, end=ON, scheme=scheme, absent=absent
            )
            assert expected.new_loans
            assert expected.count(expected.from_labels[0], "written_off")
            found = roll_rates(
                *frames, start=START, end=ON, scheme=scheme, absent=absent, currency="CNY"
            )
            assert found == expected


def _no_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading a frame's rows as records fail: the engine path must not need it."""
    import microloan.portfolio.rolls

    def refused(*_args: object) -> None:
        raise AssertionError("the frame's rows were read as records")

    monkeypatch.setattr(microloan.portfolio.rolls, "records_of", refused)


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"])
def test_roll_rates_of_lazy_frames_read_no_row_as_a_record(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine joins and counts: microloan never holds the snapshots' rows."""
    from microloan import roll_rates

    before, after = roll_snapshots(53, 80)
    expected = roll_rates(records(before), records(after), start=START, end=ON)
    _no_records(monkeypatch)
    frames = (snapshot_frame(engine, before), snapshot_frame(engine, after))
    assert roll_rates(*frames, start=START, end=ON, currency="CNY") == expected


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("side", ["before", "after"])
def test_roll_rates_refuse_a_loan_twice_in_a_snapshot(engine: str, side: str) -> None:
    """The engine counts each loan id's rows: one given twice is refused, named."""
    from microloan import roll_rates

    before, after = roll_snapshots(54, 60)
    if side == "before":
        before, twice, on = [*before, before[7]], before[7]["loan_id"], START
    else:
        after, twice, on = [*after, after[3]], after[3]["loan_id"], ON
    message = rf"'{twice}': appears twice in the snapshot of {on.isoformat()}"
    with pytest.raises(InvalidRecordError, match=message):
        roll_rates(records(before), records(after), start=START, end=ON)
    frames = (snapshot_frame(engine, before), snapshot_frame(engine, after))
    with pytest.raises(InvalidRecordError, match=message):
        roll_rates(*frames, start=START, end=ON, currency="CNY")


@pytest.mark.parametrize("engine", ENGINES)
def test_roll_rates_refuse_a_missing_loan_when_absent_is_error(engine: str) -> None:
    """`absent="error"`: a loan on book at the start with no record at the end is named."""
    from microloan import roll_rates

    before, after = roll_snapshots(55, 60)
    ids = {row["loan_id"] for row in after}
    book = [r for r in before if not r["written_off"] and (r["outstanding"] or r["days_past_due"])]
    gone, *others = [r["loan_id"] for r in book if r["loan_id"] not in ids]
    after += [{**r, "on": ON, "max_days_past_due": None} for r in book if r["loan_id"] in others]
    message = rf"'{gone}': has no record at end \(absent='error'\)"
    with pytest.raises(InvalidRecordError, match=message):
        roll_rates(records(before), records(after), start=START, end=ON, absent="error")
    frames = (snapshot_frame(engine, before), snapshot_frame(engine, after))
    with pytest.raises(InvalidRecordError, match=message):
        roll_rates(*frames, start=START, end=ON, absent="error", currency="CNY")
    # written off at the start, the loan is in no row: its missing end record is no error
    before = [{**r, "written_off": True} if r["loan_id"] == gone else r for r in before]
    expected = roll_rates(records(before), records(after), start=START, end=ON, absent="error")
    frames = (snapshot_frame(engine, before), snapshot_frame(engine, after))
    assert roll_rates(*frames, start=START, end=ON, absent="error", currency="CNY") == expected


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("side", "change", "message"),
    [
        ("after", {"outstanding": -1}, r"column 'outstanding'\): -1 must not be negative"),
        ("before", {"on": ON}, r"on: 2026-03-31 is not the report date 2026-02-28"),
        ("after", {"on": START}, r"on: 2026-02-28 is not the report date 2026-03-31"),
        ("before", {"disbursed": ON, "on": None}, r"disbursed: 2026-03-31 is after the report"),
        ("before", {"days_past_due": None}, r"days_past_due \(column 'days_past_due'\): is"),
        ("after", {"max_days_past_due": 0, "days_past_due": 3}, r"max_days_past_due: 0 is below"),
    ],
)
def test_roll_rates_refuse_a_bad_row_of_either_snapshot(
    engine: str, side: str, change: dict[str, Any], message: str
) -> None:
    """Each snapshot's rows are checked as records are, in the engine, naming the loan."""
    from microloan import roll_rates

    before, after = roll_snapshots(56, 40)
    rows = before if side == "before" else after
    rows[4] = {**rows[4], **change}
    frames = (snapshot_frame(engine, before), snapshot_frame(engine, after))
    with pytest.raises(InvalidRecordError, match=rf"{rows[4]['loan_id']}.*{message}"):
        roll_rates(*frames, start=START, end=ON, currency="CNY")


def test_roll_rates_of_empty_frames_equal_those_of_no_records() -> None:
    """No rows in either snapshot: the empty matrix, with no currency."""
    from microloan import roll_rates

    expected = roll_rates([], [], start=START, end=ON)
    frames = (snapshot_frame("polars", []), snapshot_frame("polars-lazy", []))
    assert roll_rates(*frames, start=START, end=ON, currency="CNY") == expected
    assert expected.currency is None
    only_new = roll_snapshots(57, 30)[1]
    expected = roll_rates([], records(only_new), start=START, end=ON)
    found = roll_rates(
        snapshot_frame("duckdb", []), snapshot_frame("duckdb", only_new), start=START, end=ON,
        currency="CNY",
    )  # fmt: skip
    assert found == expected
    assert found.new_loans == len(only_new)


def test_roll_rates_of_frames_of_two_libraries_equal_the_records_path() -> None:
    """A polars snapshot and a DuckDB one meet in no engine: they are read as records."""
    from microloan import roll_rates

    before, after = roll_snapshots(61, 50)
    expected = roll_rates(records(before), records(after), start=START, end=ON)
    frames = (snapshot_frame("polars", before), snapshot_frame("duckdb", after))
    assert roll_rates(*frames, start=START, end=ON, currency="CNY") == expected


def test_roll_rates_with_an_override_read_the_frames_as_records() -> None:
    """A scheme's override sees each loan: the frames are read as records, as before."""
    from microloan import BucketScheme, roll_rates

    def restructured(subject: object, _label: str) -> str | None:
        return "M7+" if str(getattr(subject, "loan_id", "")).endswith("3") else None

    scheme = BucketScheme.preset("m").with_override(restructured)
    before, after = roll_snapshots(58, 80)
    expected = roll_rates(records(before), records(after), start=START, end=ON, scheme=scheme)
    frames = (snapshot_frame("polars", before), snapshot_frame("polars", after))
    assert roll_rates(*frames, start=START, end=ON, scheme=scheme, currency="CNY") == expected


def test_roll_rates_join_integer_ids_of_two_widths_and_mapped_columns() -> None:
    """Int32 ids meet Int64 ids as Python's ints do; `columns=` maps both snapshots."""
    import polars as pl

    from microloan import roll_rates

    before, after = roll_snapshots(59, 80)
    number = {row["loan_id"]: i for i, row in enumerate([*before, *after])}
    before = [{**row, "loan_id": number[row["loan_id"]]} for row in before]
    after = [{**row, "loan_id": number[row["loan_id"]]} for row in after]
    expected = roll_rates(records(before), records(after), start=START, end=ON)

    def frame(rows: list[dict[str, Any]], width: Any) -> Any:
        out = snapshot_frame("polars", [{**r, "loan_id": str(r["loan_id"])} for r in rows])
        return out.with_columns(pl.col("loan_id").cast(width)).rename({"outstanding": "bal"})

    found = roll_rates(
        frame(before, pl.Int32),
        frame(after, pl.Int64),
        start=START,
        end=ON,
        currency="CNY",
        columns={"outstanding": "bal"},
    )
    assert found == expected


def test_roll_rates_never_match_a_text_id_with_an_integer_one() -> None:
    """Loan "7" and loan 7 are two loans, in frames as in records."""
    import polars as pl

    from microloan import roll_rates

    before, after = roll_snapshots(60, 30)
    before = [{**row, "loan_id": i} for i, row in enumerate(before)]
    after = [{**row, "loan_id": str(i)} for i, row in enumerate(after)]
    expected = roll_rates(records(before), records(after), start=START, end=ON)
    first = snapshot_frame("polars", [{**r, "loan_id": str(r["loan_id"])} for r in before])
    first = first.with_columns(pl.col("loan_id").cast(pl.Int64))
    found = roll_rates(first, snapshot_frame("polars", after), start=START, end=ON, currency="CNY")
    assert found == expected
    assert found.new_loans == len(after)


# -- cohorts and funnels: the engine groups the distinct rows ------------------------


def _applications(seed: int, n: int) -> dict[str, list[Any]]:
    import random
    from datetime import datetime, timedelta

    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    users = [f"u{rng.randrange(60)}" for _ in range(n)]
    first = {u: rng.random() < 0.5 for u in users}
    return {
        "days": [
            datetime(2026, 1, 1, 9) + timedelta(days=rng.randrange(70), hours=rng.randrange(12))  # noqa: DTZ001
            for _ in range(n)
        ],
        "users": users,
        "disbursed": [int(rng.random() < 0.6) for _ in range(n)],
        "is_new": [int(first[u]) for u in users],
    }


@pytest.mark.parametrize("engine", ["polars", "pandas", "duckdb"])
def test_cohort_and_funnel_metrics_of_a_frame_equal_the_columns_path(engine: str) -> None:
    """Cohort retention, repeat borrowing and daily disbursement rates equal the lists'."""
    import polars as pl

    from microloan import cohort_retention, disbursement_rate_by_day, repeat_borrowing

    data = _applications(51, 500)
    frame: Any = pl.DataFrame(data).rename({"users": "customer"})
    if engine == "pandas":
        frame = frame.to_pandas()
    elif engine == "duckdb":
        import duckdb

        frame = duckdb.from_arrow(frame.to_arrow())
    named = {"users": "customer"}
    days, users = data["days"], data["users"]
    assert cohort_retention(frame, columns={**named, "dates": "days"}) == cohort_retention(
        users, days
    )
    assert repeat_borrowing(frame, window=2, base="new", columns=named) == repeat_borrowing(
        days, users, window=2, base="new", is_new=data["is_new"]
    )
    expected = disbursement_rate_by_day(days, users, data["disbursed"], is_new=data["is_new"])
    assert disbursement_rate_by_day(frame, columns=named) == expected


def test_an_engine_refusal_while_reading_text_columns_is_a_library_error() -> None:
    """pandas cannot parse object-dtype text as dates through Narwhals: the refusal is an
    `InvalidValueError` naming the engine's reason, as every other engine refusal is."""
    import pandas as pd

    from microloan import MicroloanError

    frame = pd.DataFrame(
        {
            "loan_id": ["a", "b"],
            "disbursed": ["2026-01-05", "2026-02-01"],
            "principal": ["100.00", "250.50"],
            "outstanding": ["50.00", "250.50"],
            "days_past_due": ["0", "35"],
        }
    )
    with pytest.raises(MicroloanError, match="the frame's engine refused the data"):
        ageing_report(frame, on=ON)
