"""Reports over distributed frames: Dask on a local two-worker cluster, PySpark in local mode.

The engine does stage 1 on its workers and hands back only the aggregate; the report
equals the pure-Python one on the same rows, however the rows are partitioned.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from microloan import LoanRecord, ageing_report
from tests.frames import (
    ON,
    START,
    pandas_frame,
    polars_frame,
    portfolio,
    records,
    roll_snapshots,
    snapshot_frame,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:Dask support is moving out of Narwhals:FutureWarning",
    "ignore:PySpark does not yet fully support pandas:FutureWarning",
    "ignore::DeprecationWarning",
    "ignore::ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    """A local Dask cluster of two worker processes, started and stopped by the test.

    Its dashboard takes a free port (":0"), so that another cluster on the machine
    (holding the default 8787) does not stop it from starting.
    """
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _partitioned(rows: list[dict[str, Any]], cuts: list[int], *, first: bool = False) -> Any:
    """A Dask frame whose partitions end at `cuts` (equal cuts make empty partitions).

    With `first`, the rows' `first_installment_days_past_due` is a column too.
    """
    import dask.dataframe as dd
    import polars as pl

    frame = polars_frame(rows)
    if first:
        days = [row["first_installment_days_past_due"] for row in rows]
        frame = frame.with_columns(pl.Series("first_installment_days_past_due", days))
    whole = pandas_frame(frame)
    bounds = [0, *cuts, len(whole)]
    parts = [whole.iloc[a:b].copy() for a, b in itertools.pairwise(bounds)]
    return dd.from_map(  # type: ignore[no-untyped-call]
        _identity, parts, meta=whole.iloc[:0], enforce_metadata=False
    )


def _identity(part: Any) -> Any:
    return part


@pytest.mark.usefixtures("dask_client")
def test_dask_report_equals_the_records_path_however_partitioned() -> None:
    """Empty partitions and partitions split mid-cohort give the same report."""
    rows = portfolio(31, 400)
    frame = _partitioned(rows, [0, 0, 97, 97, 250, 399])
    assert frame.npartitions == 7
    expected = ageing_report(records(rows), on=ON, scheme="five-tier")
    assert ageing_report(frame, on=ON, scheme="five-tier", currency="CNY") == expected


@pytest.mark.usefixtures("dask_client")
def test_dask_refuses_a_bad_row_naming_the_column() -> None:
    """A negative balance on a worker is refused naming the column and the loan."""
    rows = portfolio(32, 50)
    rows[40]["outstanding"] = -1
    with pytest.raises(Exception, match=r"'L32-40'.*column 'outstanding'.*must not be negative"):
        ageing_report(_partitioned(rows, [25]), on=ON, currency="CNY")


@pytest.mark.usefixtures("dask_client")
def test_dask_records_from_frame() -> None:
    """`LoanRecord.from_frame` collects a Dask frame's rows as records, in order."""
    rows = portfolio(33, 60)
    assert LoanRecord.from_frame(_partitioned(rows, [10, 10, 30]), currency="CNY") == records(rows)


def _java() -> bool:
    return shutil.which("java") is not None or "JAVA_HOME" in os.environ


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A local PySpark session (one core); skipped without pyspark or a Java runtime.

    A JVM takes tens of seconds to start on a busy machine, so the Spark test runs when
    asked for, with `MICROLOAN_SPARK=1` (see the how-to on Dask and Spark).
    """
    if os.environ.get("MICROLOAN_SPARK") != "1":
        pytest.skip("the Spark engine test runs with MICROLOAN_SPARK=1 (it starts a JVM)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        pytest.skip("pyspark is not installed (pip install pyspark) to test the Spark engine")
    if not _java():
        pytest.skip("no Java runtime (java on PATH or JAVA_HOME) for PySpark's local mode")
    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def test_spark_report_equals_the_records_path(spark: Any) -> None:
    """PySpark in local mode computes stage 1; the report equals the pure-Python one."""
    rows = portfolio(34, 200)
    frame = spark.createDataFrame(polars_frame(rows, amounts="text").to_pandas())
    assert ageing_report(frame, on=ON) == ageing_report(records(rows), on=ON)


def test_spark_roll_rates_equal_the_records_path(spark: Any) -> None:
    """Spark joins the two snapshots by loan id and counts; the matrix equals the records'."""
    from microloan import roll_rates

    before, after = roll_snapshots(38, 200)
    first = spark.createDataFrame(snapshot_frame("pandas", before))
    second = spark.createDataFrame(snapshot_frame("pandas", after))
    for absent in ("paid_off", "written_off"):
        expected = roll_rates(records(before), records(after), start=START, end=ON, absent=absent)
        found = roll_rates(first, second, start=START, end=ON, absent=absent, currency="CNY")
        assert found == expected


@pytest.mark.usefixtures("dask_client")
def test_dask_lift_table_ks_and_auc_equal_the_lists() -> None:
    """Scores on the workers: the lift table, KS and AUC equal the lists', empty parts too."""
    import random

    import dask.dataframe as dd
    import pandas as pd

    from microloan import auc, ks, lift_table

    rng = random.Random(35)  # noqa: S311 - reproducible test data
    scores = [rng.choice((0.25, 0.5)) if rng.random() < 0.2 else rng.random() for _ in range(300)]
    bads = [int(rng.random() < s * 0.5) for s in scores]
    whole = pd.DataFrame({"score": scores, "bad": bads})
    parts = [whole.iloc[a:b].copy() for a, b in itertools.pairwise([0, 0, 120, 120, 300])]
    frame = dd.from_map(_identity, parts, meta=whole.iloc[:0], enforce_metadata=False)  # type: ignore[no-untyped-call]
    assert ks(frame, value="score", bad="bad") == ks(scores, bads)
    assert auc(frame, value="score", bad="bad") == auc(scores, bads)
    for bins in (5, [0.25, 0.5]):
        assert lift_table(frame, value="score", bad="bad", bins=bins) == lift_table(
            scores, bads, bins=bins
        )


@pytest.mark.usefixtures("dask_client")
def test_dask_vintage_and_fpd_equal_the_records_path() -> None:
    """A loan's snapshots split across partitions still give the records' vintage and FPD."""
    from datetime import date

    from microloan import first_payment_default, vintage

    rows = portfolio(36, 120)
    snapshots = [
        {**row, "on": day, "first_installment_days_past_due": row["days_past_due"]}
        for day in (date(2026, 1, 31), ON)
        for row in rows
        if row["disbursed"] <= day
    ]
    frame = _partitioned(snapshots, [0, 50, 50, len(snapshots) - 30])
    assert vintage(frame, currency="CNY") == vintage(records(snapshots))
    latest = [r for r in snapshots if r["on"] == ON]
    fpd_frame = _partitioned(latest, [40, 40], first=True)
    assert first_payment_default(fpd_frame, currency="CNY") == first_payment_default(
        records(latest)
    )


def _dask_snapshot(rows: list[dict[str, Any]], cuts: list[int]) -> Any:
    """A snapshot with its `written_off` flags as a Dask frame whose partitions end at `cuts`."""
    import dask.dataframe as dd

    whole = snapshot_frame("pandas", rows)
    bounds = [0, *cuts, len(whole)]
    parts = [whole.iloc[a:b].copy() for a, b in itertools.pairwise(bounds)]
    return dd.from_map(  # type: ignore[no-untyped-call]
        _identity, parts, meta=whole.iloc[:0], enforce_metadata=False
    )


@pytest.mark.usefixtures("dask_client")
def test_dask_roll_rates_equal_the_records_path_however_partitioned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The workers join the snapshots by loan id: empty partitions change nothing."""
    import microloan.portfolio.rolls
    from microloan import roll_rates

    before, after = roll_snapshots(37, 300)
    monkeypatch.setattr(microloan.portfolio.rolls, "records_of", None)  # no row as a record
    first = _dask_snapshot(before, [0, 120, 120, 299])
    second = _dask_snapshot(after, [50, 50])
    for absent in ("paid_off", "written_off"):
        expected = roll_rates(records(before), records(after), start=START, end=ON, absent=absent)
        found = roll_rates(first, second, start=START, end=ON, absent=absent, currency="CNY")
        assert found == expected


@pytest.mark.usefixtures("dask_client")
def test_dask_roll_rates_refuse_a_loan_twice_across_partitions_and_a_missing_one() -> None:
    """A loan id in two partitions is refused, and so is a missing loan with absent="error"."""
    from microloan import InvalidRecordError, roll_rates

    before, after = roll_snapshots(38, 60)
    twice = [*before, before[2]]
    with pytest.raises(InvalidRecordError, match=rf"'{before[2]['loan_id']}': appears twice"):
        roll_rates(
            _dask_snapshot(twice, [30]), _dask_snapshot(after, []), start=START, end=ON,
            currency="CNY",
        )  # fmt: skip
    with pytest.raises(InvalidRecordError) as refused:
        roll_rates(records(before), records(after), start=START, end=ON, absent="error")
    assert "has no record at end" in str(refused.value)
    with pytest.raises(InvalidRecordError, match=r"has no record at end \(absent='error'\)"):
        roll_rates(
            _dask_snapshot(before, [20]), _dask_snapshot(after, [10]), start=START, end=ON,
            absent="error", currency="CNY",
        )  # fmt: skip
