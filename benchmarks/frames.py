"""Benchmark: reports over DataFrames against an idiomatic polars (and Dask) implementation.

Run with `python benchmarks/frames.py [N] [--dask] [--cli]` (N defaults to 1,000,000).
Each case computes the same report twice in the same run — once with microloan from
the frame, once as a polars user would write it — checks that the peer's numbers equal
microloan's first, then prints the time of each and the ratio (microloan / peer):

- ageing report from a polars DataFrame of N loans (goal: within 1.5x);
- lift table + IV + KS + AUC of a score from the same frame (goal: within 1.5x);
- vintage curves (over 30) from N month-end snapshots (goal: within 1.5x);
- roll rates between two month-end snapshots of N loans each, joined by loan id
  (goal: within 1.5x);
- exact KS and AUC on N distinct float scores against a plain sort of them (goal: 2x);
- with --cli: `microloan age` on an N-row CSV against polars reading the file and
  computing the report (goal: 2x), peak memory of each beside it;
- with --dask: Dask, N rows in 8 partitions on a local cluster of two worker
  processes, against Dask's own group-by (goal: 1.3x); with --dask10, 10N rows too,
  and the growth of the time from N to 10N (goal: linear).
"""

# The equality checks are asserts: a peer that disagrees stops the run.
# ruff: noqa: S101, ANN401

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from microloan import ageing_report, auc, ks, lift_table, roll_rates, vintage

ON = date(2026, 6, 30)
EDGES = (0, 30, 60, 90, 120, 150, 180)  # the M scheme: M0 = 0, M1 = 1-30 ... M7+ > 180
LABELS = ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"]


def book(n: int, seed: int = 1) -> pl.DataFrame:
    """N loans: amounts in fen (Int64), 95% current, disbursed over two years."""
    rng = random.Random(seed)
    first = date(2024, 7, 1)
    span = (ON - first).days
    principal = [rng.randint(500, 50_000) * 100 for _ in range(n)]
    return pl.DataFrame(
        {
            "loan_id": range(n),
            "disbursed": [first + timedelta(rng.randrange(span)) for _ in range(n)],
            "principal": principal,
            "outstanding": [p // rng.randint(1, 4) for p in principal],
            "days_past_due": [0 if rng.random() < 0.95 else rng.randint(1, 400) for _ in range(n)],
            "score": [rng.random() for _ in range(n)],
        }
    ).with_columns(bad=(pl.col("score") * 0.3 > pl.lit(0.27)).cast(pl.Int64))


def best(run: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The best of `repeat` timings, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def polars_ageing(frame: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """The ageing report as a polars user writes it: bucket by cut, group, count and sum."""
    bucket = pl.col("days_past_due").cut(
        list(EDGES), labels=LABELS, left_closed=False
    )  # polars 1.x
    out = (
        frame.group_by(bucket.alias("bucket"))
        .agg(pl.len().alias("loans"), pl.col("outstanding").sum())
        .rows()
    )
    return {str(b): (int(n), int(u)) for b, n, u in out}


def compare(name: str, ours: float, peer: float, goal: float) -> None:
    ratio = ours / peer
    verdict = "meets" if ratio <= goal else "misses"
    print(f"{name:<44} microloan {ours:8.3f}s  peer {peer:8.3f}s  ratio {ratio:5.2f}x"
          f"  (goal {goal}x: {verdict})")  # fmt: skip


def ageing_case(frame: pl.DataFrame) -> None:
    ours, report = best(lambda: ageing_report(frame, on=ON, currency="CNY"))
    peer, theirs = best(lambda: polars_ageing(frame))
    mine = {label: (report.count(label), report.outstanding(label).minor_units) for label in LABELS}
    assert {k: v for k, v in mine.items() if v[0]} == theirs, "the peer disagrees"
    compare("ageing report (polars frame)", ours, peer, 1.5)


def lift_case(frame: pl.DataFrame) -> None:
    def ours_run() -> Any:
        table = lift_table(frame, value="score", bad="bad", bins=[0.2, 0.4, 0.6, 0.8])
        return table, ks(frame, value="score", bad="bad"), auc(frame, value="score", bad="bad")

    def peer_run() -> Any:
        binned = frame.group_by(pl.col("score").cut([0.2, 0.4, 0.6, 0.8], left_closed=True)).agg(
            pl.len(), pl.col("bad").sum()
        )
        ordered = frame.sort("score").select(
            (pl.col("bad").cum_sum() / pl.col("bad").sum()).alias("fb"),
            ((1 - pl.col("bad")).cum_sum() / (1 - pl.col("bad")).sum()).alias("fg"),
            pl.col("bad"),
        )
        ks_value = (ordered["fb"] - ordered["fg"]).abs().max()
        ranks = frame.select(pl.col("score").rank("average"), pl.col("bad"))
        n_bad = int(frame["bad"].sum())
        n_good = frame.height - n_bad
        rank_sum = float(ranks.filter(pl.col("bad") == 1)["score"].sum())
        auc_value = (rank_sum - n_bad * (n_bad + 1) / 2) / (n_bad * n_good)
        return binned, ks_value, auc_value

    ours, (table, ks_value, auc_value) = best(ours_run)
    peer, (_, peer_ks, peer_auc) = best(peer_run)
    assert abs(float(ks_value) - peer_ks) < 1e-9, (ks_value, peer_ks)
    assert abs(float(auc_value) - peer_auc) < 1e-9, (auc_value, peer_auc)
    assert table.count == frame.height
    compare("lift table + IV + KS + AUC (polars frame)", ours, peer, 1.5)


def snapshots(n: int, seed: int = 2) -> pl.DataFrame:
    """About N month-end snapshots: loans disbursed over the year to ON, one row per month
    end on book (the disbursement month's included), each loan's arrears growing with age."""
    loans = max(round(n / 6.5), 1)  # a loan is on book 6.5 month ends on average
    rng = random.Random(seed)
    ages = [rng.randrange(12) for _ in range(loans)]
    frame = pl.DataFrame(
        {
            "loan_id": range(loans),
            "age": ages,
            "day": [rng.randrange(1, 29) for _ in range(loans)],
            "principal": [rng.randint(500, 50_000) * 100 for _ in range(loans)],
            "risk": [rng.random() for _ in range(loans)],
        }
    )
    first = pl.date(ON.year, ON.month, 1)
    return (
        frame.with_columns(mob=pl.int_ranges(0, pl.col("age") + 1))
        .explode("mob")
        .with_columns(
            disbursed=first.dt.offset_by("-" + pl.col("age").cast(pl.String) + "mo").dt.offset_by(
                (pl.col("day") - 1).cast(pl.String) + "d"
            ),
            on=first.dt.offset_by(
                "-" + (pl.col("age") - pl.col("mob")).cast(pl.String) + "mo"
            ).dt.month_end(),
            outstanding=pl.col("principal"),
            days_past_due=pl.when(pl.col("risk") < 0.03 * pl.col("mob"))
            .then(pl.col("mob") * 17 % 120)
            .otherwise(0),
        )
        .select("loan_id", "disbursed", "principal", "outstanding", "days_past_due", "on")
    )


def polars_vintage(frame: pl.DataFrame, over: int) -> dict[int, tuple[int, int, list[int]]]:
    """The vintage as a polars user writes it: each loan's first bad month on book, then
    per cohort the loans, principal and the cumulative count gone bad by each MOB."""
    month = pl.col("disbursed").dt.year() * 12 + pl.col("disbursed").dt.month() - 1
    snap = pl.col("on").dt.year() * 12 + pl.col("on").dt.month() - 1
    loans = frame.group_by("loan_id").agg(
        cohort=month.first(),
        principal=pl.col("principal").first(),
        bad=(snap - month).filter(pl.col("days_past_due") > over).min(),
    )
    last = int(frame.select(snap.max()).item())
    cohorts = loans.group_by("cohort").agg(pl.len(), pl.col("principal").sum()).sort("cohort")
    fell = (
        loans.filter(pl.col("bad").is_not_null())
        .group_by("cohort", "bad")
        .agg(pl.len().alias("n"))
        .sort("cohort", "bad")
    )
    falls: dict[int, dict[int, int]] = {}
    for cohort, mob, count in fell.rows():
        falls.setdefault(cohort, {})[mob] = count
    out = {}
    for cohort, count, principal in cohorts.rows():
        run, curve = 0, []
        for mob in range(last - cohort + 1):
            run += falls.get(cohort, {}).get(mob, 0)
            curve.append(run)
        out[cohort] = (count, principal, curve)
    return out


def vintage_case(n: int) -> None:
    frame = snapshots(n)
    ours, curves = best(lambda: vintage(frame, over=30, currency="CNY"))
    peer, theirs = best(lambda: polars_vintage(frame, 30))
    for cohort, (count, principal, curve) in theirs.items():
        day = date(cohort // 12, cohort % 12 + 1, 1)
        assert curves.loans(day) == count, "the peer disagrees"
        assert curves.principal(day).minor_units == principal
        assert [round(s * count) for s in curves.curve(day, by="count")] == curve
    compare(f"vintage, {frame.height:,} month-end snapshots", ours, peer, 1.5)


START = date(2026, 5, 31)  # the roll rates' first snapshot; ON is the second


def roll_books(n: int, seed: int = 5) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two snapshots of about N loans: 3% gone by ON, 3% new, 4% paid off, 1% written off,
    the rest a month older with arrears moving; amounts in fen (Int64)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    late = rng.random(n) >= 0.9
    dpd = np.where(late, rng.integers(1, 400, n), 0)
    principal = rng.integers(500, 50_000, n) * 100
    before = pl.DataFrame(
        {
            "loan_id": np.arange(n),
            "disbursed": pl.Series([START - timedelta(400)] * n).dt.offset_by(
                pl.Series(rng.integers(0, 400, n)).cast(pl.String) + "d"
            ),
            "principal": principal,
            "outstanding": principal // rng.integers(1, 5, n),
            "days_past_due": dpd,
            "written_off": rng.random(n) < 0.01,
        }
    ).with_columns(on=pl.lit(START))
    fate = rng.random(n)
    moved = np.where(rng.random(n) < 0.5, dpd + 31, 0)
    after = before.with_columns(
        outstanding=pl.when(pl.Series(fate < 0.07)).then(0).otherwise(pl.col("outstanding")),
        days_past_due=pl.when(pl.Series(fate < 0.07)).then(0).otherwise(pl.Series(moved)),
        written_off=pl.col("written_off") | pl.Series(fate > 0.99),
        on=pl.lit(ON),
    ).filter(pl.Series(fate >= 0.03))
    fresh = after.head(n * 3 // 100).with_columns(
        loan_id=pl.col("loan_id") + n, disbursed=pl.lit(START + timedelta(1)),
        days_past_due=pl.lit(0, dtype=pl.Int64), written_off=pl.lit(value=False),
    )  # fmt: skip
    return before, pl.concat([after, fresh])


def polars_roll_rates(before: pl.DataFrame, after: pl.DataFrame) -> dict[tuple[int, int], tuple]:
    """Roll rates as a polars user writes them (lazily, both queries run together): the
    on-book loans at the start left-joined to the end snapshot, each end state found,
    grouped by (from, to) into counts and sums; the new loans by an anti-join."""
    edges = [low - 1 for low in (1, 31, 61, 91, 121, 151, 181)]

    def bucket(col: pl.Expr) -> pl.Expr:
        return col.cut(edges).to_physical().cast(pl.Int64)  # the bin's index

    closed = (pl.col("outstanding") == 0) & (pl.col("days_past_due") == 0)
    book = (
        before.lazy()
        .filter(~pl.col("written_off") & ~closed)
        .select("loan_id", bucket(pl.col("days_past_due")).alias("from"), pl.col("outstanding"))
    )
    end = after.lazy().select(
        "loan_id",
        pl.when(pl.col("written_off"))
        .then(9)
        .when(closed)
        .then(8)
        .otherwise(bucket(pl.col("days_past_due")))
        .alias("to"),
        pl.col("outstanding").alias("left"),
    )
    cells = (
        book.join(end, on="loan_id", how="left")
        .with_columns(pl.col("to").fill_null(8), pl.col("left").fill_null(0))
        .group_by("from", "to")
        .agg(pl.len(), pl.col("outstanding").sum(), pl.col("left").sum())
    )
    fresh = end.join(before.lazy().select("loan_id"), on="loan_id", how="anti").select(
        pl.len(), pl.col("left").sum()
    )
    table, new = pl.collect_all([cells, fresh])
    out = {(f, t): (n, u, v) for f, t, n, u, v in table.rows()}
    out[-1, -1] = (*new.row(0), 0)
    return out


def roll_case(n: int) -> None:
    before, after = roll_books(n)
    ours, rolls = best(lambda: roll_rates(before, after, start=START, end=ON, currency="CNY"), 5)
    peer, theirs = best(lambda: polars_roll_rates(before, after), 5)
    mine = {(f, t): (c, u, v) for f, t, c, u, v in rolls.cells}
    mine[-1, -1] = (rolls.new_loans, rolls.new_outstanding, 0)
    assert mine == theirs, "the peer disagrees"
    compare(f"roll rates, 2 x {n:,} loans (polars frames)", ours, peer, 1.5)


def scores_case(n: int) -> None:
    rng = random.Random(3)
    scores = [rng.random() for _ in range(n)]
    frame = pl.DataFrame({"score": scores, "bad": [int(rng.random() < s * 0.2) for s in scores]})
    peer, _ = best(frame["score"].sort)
    ks_time, _ = best(lambda: ks(frame, value="score", bad="bad"))
    auc_time, _ = best(lambda: auc(frame, value="score", bad="bad"))
    compare(f"exact KS, {n:,} distinct floats (vs a sort)", ks_time, peer, 2.0)
    compare(f"exact AUC, {n:,} distinct floats (vs a sort)", auc_time, peer, 2.0)
    print(f"{'':<44} KS and AUC both: x{(ks_time + auc_time) / peer:.2f} of one sort")


def cli_case(frame: pl.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "loans.csv"
        (
            frame.select("loan_id", "disbursed", "principal", "outstanding", "days_past_due")
            .with_columns((pl.col(c).cast(pl.Decimal(20, 0)) / 100).cast(pl.Decimal(20, 2))
                          for c in ("principal", "outstanding"))
            .write_csv(path)
        )  # fmt: skip
        command = [sys.executable, "-m", "microloan", "age", str(path), "--on", ON.isoformat()]
        peer_code = (
            "import polars as pl, sys; f = pl.scan_csv(sys.argv[1]);"
            "b = pl.col('days_past_due').cut([0,30,60,90,120,150,180], left_closed=False);"
            "print(f.group_by(b).agg(pl.len(), pl.col('outstanding').sum()).collect())"
        )
        peer_command = [sys.executable, "-c", peer_code, str(path)]
        # as an installed package runs: its modules compiled once (bytecode kept in a
        # folder of the benchmark's own), not at every start as PYTHONDONTWRITEBYTECODE would
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "bytecode")
        _run_measured(command, env)  # compiles; not timed
        _run_measured(peer_command, env)
        ours, ours_mem = min(_run_measured(command, env) for _ in range(2))
        peer, peer_mem = min(_run_measured(peer_command, env) for _ in range(2))
        compare(f"microloan age, {frame.height:,}-row CSV (vs polars)", ours, peer, 2.0)
        print(f"{'':<44} peak memory: microloan {ours_mem:,.0f} MiB, polars {peer_mem:,.0f} MiB")


def _run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time of `command`, and its own peak memory (measured by a wrapper process)."""
    wrapper = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - this interpreter and the benchmark's own commands
        [sys.executable, "-c", wrapper, *command],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    return elapsed, int(done.stdout.strip()) / 1024


def dask_book(n: int, seed: int = 4) -> Any:
    """N loans' days past due and outstanding fen as a pandas frame, made by NumPy (10M fast)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    late = rng.random(n) >= 0.95
    return pd.DataFrame(
        {
            "days_past_due": np.where(late, rng.integers(1, 401, n), 0),
            "outstanding": rng.integers(500, 50_000, n) * 100,
        }
    )


def dask_case(sizes: list[int]) -> None:
    """Dask on a local cluster of two worker processes, 8 partitions, for each size in turn;
    with two sizes, how the time grows against the rows (linear: the ratio of the sizes)."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0")
    timings = []
    with cluster, Client(cluster):
        for n in sizes:
            data = dd.from_pandas(dask_book(n), npartitions=8).persist()
            ours, report = best(lambda data=data: ageing_report(data, on=ON, currency="CNY"), 2)

            def peer_run(data: Any = data) -> Any:
                return data.groupby("days_past_due").outstanding.agg(["count", "sum"]).compute()

            peer, theirs = best(peer_run, repeat=2)
            assert int(theirs["count"].sum()) == report.total_count
            assert int(theirs["sum"].sum()) == report.total_outstanding.minor_units
            compare(f"Dask, {n:,} rows / 8 partitions (vs its group-by)", ours, peer, 1.3)
            timings.append((n, ours))
            del data
    if len(timings) == 2:
        (small, first), (large, second) = timings
        print(
            f"{'':<44} Dask time x{second / first:.1f} for x{large / small:.0f} the rows "
            "(linear: the same factor)"
        )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    frame = book(n)
    print(f"{n:,} loans; each time the best of a few runs; peers checked equal first")
    ageing_case(frame)
    lift_case(frame)
    vintage_case(n)
    roll_case(n)
    scores_case(n)
    if "--cli" in sys.argv:
        cli_case(frame)
    if "--dask" in sys.argv:  # --dask10: also ten times the rows, to see the growth
        dask_case([n, 10 * n] if "--dask10" in sys.argv else [n])


if __name__ == "__main__":
    main()
