"""Generated portfolios and the frames that hold them, for the frames tests (one home).

A portfolio is a list of rows (dicts of plain values: dates, minor units, days); the
same rows become `LoanRecord`s for the pure-Python path and a frame of each engine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from microloan import LoanRecord, Money

ON = date(2026, 3, 31)
ENGINES = ("polars", "polars-lazy", "pandas", "pyarrow", "duckdb")


def portfolio(seed: int, n: int, *, on: date | None = ON) -> list[dict[str, Any]]:
    """`n` loans on book on `on`: many ties in days past due and amounts, some nulls
    in the optional columns, disbursements spread over a year of monthly cohorts."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    rows = []
    for i in range(n):
        disbursed = date(2025, 4, 1) + timedelta(days=rng.randrange(365))
        principal = rng.choice((100_000, 150_000, 300_000, rng.randrange(1, 10**8)))
        dpd = rng.choice((0, 0, 0, 1, 30, 31, 60, 90, 91, 180, 181, rng.randrange(0, 400)))
        worst = None if rng.random() < 0.3 else dpd + rng.choice((0, 0, 5, 40))
        rows.append(
            {
                "loan_id": f"L{seed}-{i}",
                "disbursed": disbursed,
                "principal": principal,
                "outstanding": rng.choice((0, principal, rng.randrange(principal + 1))),
                "days_past_due": dpd,
                "on": on,
                "max_days_past_due": worst,
            }
        )
    return rows


def records(rows: list[dict[str, Any]], currency: str = "CNY") -> list[LoanRecord]:
    """The rows as records, for the pure-Python path."""
    return [
        LoanRecord(
            **{
                **row,
                "principal": Money.from_minor_units(row["principal"], currency),
                "outstanding": Money.from_minor_units(row["outstanding"], currency),
            }
        )
        for row in rows
    ]


def as_text(units: int, places: int = 2) -> str:
    """Minor units as a decimal string (`150` → `"1.50"`)."""
    return str(Money.from_minor_units(units).amount) if places == 2 else str(units)


def as_decimal(units: int) -> Decimal:
    return Money.from_minor_units(units).amount


def polars_frame(rows: list[dict[str, Any]], *, amounts: str = "units") -> Any:
    """A polars frame of the rows; amounts as `units` (Int64), `text`, `decimal` or `float`."""
    import polars as pl

    schema = {
        "loan_id": pl.String,
        "disbursed": pl.Date,
        "principal": pl.Int64,
        "outstanding": pl.Int64,
        "days_past_due": pl.Int64,
        "on": pl.Date,
        "max_days_past_due": pl.Int64,
    }
    frame = pl.DataFrame(rows, schema=schema)
    money = ("principal", "outstanding")
    if amounts == "text":
        frame = frame.with_columns(
            pl.col(c).map_elements(as_text, return_dtype=pl.String) for c in money
        )
    elif amounts == "decimal":
        frame = frame.with_columns(
            pl.Series(c, [as_decimal(u) for u in frame[c]], dtype=pl.Decimal(20, 2)) for c in money
        )
    elif amounts == "float":
        frame = frame.with_columns(pl.col(c) / 100 for c in money)
    return frame


def engine_frame(engine: str, rows: list[dict[str, Any]], *, amounts: str = "units") -> Any:
    """The rows as a frame of `engine` (pandas with NumPy datetimes and nullable ints)."""
    return in_engine(engine, polars_frame(rows, amounts=amounts))


def in_engine(engine: str, frame: Any, *, pandas: Callable[[Any], Any] | None = None) -> Any:
    """A polars `frame` as a frame of `engine`; `pandas` builds the pandas one (default
    `pandas_frame`)."""
    if engine == "polars":
        return frame
    if engine == "polars-lazy":
        return frame.lazy()
    if engine == "pyarrow":
        return frame.to_arrow()
    if engine == "duckdb":
        import duckdb

        return duckdb.from_arrow(frame.to_arrow())
    if engine == "pandas":
        return (pandas or pandas_frame)(frame)
    raise AssertionError(engine)  # pragma: no cover


def pandas_frame(frame: Any) -> Any:
    """A pandas frame with datetime64 dates, nullable integers and object Decimals."""
    import pandas as pd
    import polars as pl

    out = pd.DataFrame({c: frame[c].to_list() for c in frame.columns})
    for column, dtype in frame.schema.items():
        if dtype == pl.Date:
            out[column] = pd.to_datetime(out[column])
        elif dtype == pl.Int64:
            out[column] = out[column].astype("Int64")
        elif dtype == pl.Float64:
            out[column] = out[column].astype("float64")
        elif dtype == pl.String:
            out[column] = out[column].astype("string")
    return out


START = date(2026, 2, 28)  # the first snapshot of a roll-rate matrix; ON is the second


def roll_snapshots(seed: int, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two month-end snapshots of `n` loans, at START and ON, for roll rates.

    Some loans are written off or closed at START; at ON some are gone (absent), paid
    off, written off, caught up or a month later, and a few new loans have appeared.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    before = portfolio(seed, n, on=START)
    for i, row in enumerate(before):
        row["disbursed"] = min(row["disbursed"], START)
        row["written_off"] = i % 13 == 5
    after = []
    for row in before:
        fate = rng.random()
        if fate < 0.1:
            continue  # no record at the end
        dpd, left = row["days_past_due"], row["outstanding"]
        if fate < 0.2:
            dpd, left = 0, 0  # paid off
        elif fate < 0.5:
            dpd = rng.choice((0, dpd + 31, dpd + 30, rng.randrange(0, 400)))
            left = rng.randrange(left + 1)
        after.append(
            {
                **row,
                "on": ON,
                "days_past_due": dpd,
                "outstanding": left,
                "max_days_past_due": None,
                "written_off": row["written_off"] or 0.5 < fate < 0.55,
            }
        )
    for j in range(n // 10):
        principal = rng.randrange(1, 10**7)
        after.append(
            {
                "loan_id": f"N{seed}-{j}",
                "disbursed": START + timedelta(days=rng.randrange(1, 31)),
                "principal": principal,
                "outstanding": rng.choice((0, principal)),
                "days_past_due": rng.choice((0, 0, 3)),
                "on": ON,
                "max_days_past_due": None,
                "written_off": False,
            }
        )
    rng.shuffle(after)
    return before, after


def snapshot_frame(engine: str, rows: list[dict[str, Any]]) -> Any:
    """The rows, with their `written_off` flags, as a frame of `engine`."""
    import polars as pl

    flags = [row.get("written_off") for row in rows]
    plain = [{k: v for k, v in row.items() if k != "written_off"} for row in rows]
    frame = polars_frame(plain).with_columns(pl.Series("written_off", flags, dtype=pl.Boolean))

    def pandas(polars: Any) -> Any:
        out = pandas_frame(polars)
        out["written_off"] = out["written_off"].astype("boolean")
        return out

    return in_engine(engine, frame, pandas=pandas)
