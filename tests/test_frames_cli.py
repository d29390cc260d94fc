"""The report commands read CSV and Parquet through the frames path: the same figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microloan import ageing_report, first_payment_default, lift_table, vintage
from microloan.cli import main
from tests.frames import ON, polars_frame, portfolio, records

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(list(argv)) == 0
    document: dict[str, object] = json.loads(capsys.readouterr().out)
    return document


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_age_reads_csv_and_parquet_to_the_same_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """`microloan age` gives the library's report, from a CSV or a Parquet file alike."""
    rows = portfolio(61, 200)
    path = tmp_path / f"loans.{suffix}"
    frame = polars_frame(rows, amounts="text").drop("on", "max_days_past_due")
    if suffix == "csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
    document = _json(capsys, "age", str(path), "--on", ON.isoformat(), "--format", "json")
    expected = ageing_report(records(rows), on=ON)
    assert document["summary"]["loans"] == expected.total_count  # type: ignore[index]
    assert document["summary"]["outstanding"] == str(expected.total_outstanding.amount)  # type: ignore[index]


def test_lift_reads_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`microloan lift` counts a Parquet file's columns in the engine."""
    import polars as pl

    values = [i % 7 for i in range(100)]
    bads = [int(i % 7 > 4) for i in range(100)]
    path = tmp_path / "applicants.parquet"
    pl.DataFrame({"inquiries": values, "overdue": bads}).write_parquet(path)
    document = _json(
        capsys, "lift", str(path), "--value", "inquiries", "--bad", "overdue", "--bins", "3,5",
        "--format", "json",
    )  # fmt: skip
    expected = lift_table(values, bads, bins=[3, 5])
    assert document["summary"]["iv"] == str(expected.iv)  # type: ignore[index]


def test_vintage_and_fpd_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`microloan vintage` and `microloan fpd` print the library's tables."""
    import polars as pl

    rows = portfolio(62, 100)
    path = tmp_path / "snapshots.parquet"
    frame = polars_frame(rows).with_columns(
        pl.col("days_past_due").alias("first_installment_days_past_due")
    )
    frame.write_parquet(path)
    document = _json(capsys, "vintage", str(path), "--format", "json")
    table = vintage(records(rows))
    assert len(document["rows"]) == len(table.as_rows())  # type: ignore[arg-type]
    assert main(["fpd", str(path)]) == 0
    assert "FPD30" in capsys.readouterr().out
    assert first_payment_default(frame, currency="CNY").rate() is not None


def test_roll_command_reads_two_snapshots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`microloan roll` joins two snapshot files by loan id."""
    rows = portfolio(63, 50, on=None)
    path = tmp_path / "book.csv"
    polars_frame(rows, amounts="text").drop("on", "max_days_past_due").write_csv(path)
    assert main(["roll", str(path), str(path), "--start", "2026-03-31", "--end", "2026-04-30"]) == 0
    assert "Roll rates" in capsys.readouterr().out


def test_a_bad_parquet_value_names_the_file_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A negative balance in a Parquet file is refused naming the file, column and row."""
    rows = portfolio(64, 10)
    rows[3]["outstanding"] = -1
    path = tmp_path / "bad.parquet"
    polars_frame(rows).drop("on").write_parquet(path)
    assert main(["age", str(path), "--on", ON.isoformat()]) != 0
    err = capsys.readouterr().err
    assert "bad.parquet" in err
    assert "column 'outstanding'" in err


def test_age_reads_a_gb18030_csv_through_the_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GB18030 file (Chinese loan ids) is transcoded for the engine: the same report."""
    from microloan import cli

    rows = [{**row, "loan_id": f"贷款{i}"} for i, row in enumerate(portfolio(62, 120))]
    path = tmp_path / "loans.csv"
    text = polars_frame(rows, amounts="text").drop("on", "max_days_past_due").write_csv()
    path.write_bytes(text.encode("gb18030"))
    argv = ["age", str(path), "--on", ON.isoformat(), "--encoding", "gb18030", "--format", "json"]
    through_engine = _json(capsys, *argv)
    monkeypatch.setattr(cli, "_scan", lambda *_args, **_kwargs: None)  # the stdlib reader
    assert _json(capsys, *argv) == through_engine
    expected = ageing_report(records(rows), on=ON)
    assert through_engine["summary"]["loans"] == expected.total_count  # type: ignore[index]


def test_age_refuses_a_loan_id_given_twice_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The engine's one pass finds a repeated loan id; the message names both lines."""
    rows = portfolio(63, 20)
    rows[15]["loan_id"] = rows[4]["loan_id"]
    path = tmp_path / "loans.csv"
    polars_frame(rows, amounts="text").drop("on", "max_days_past_due").write_csv(path)
    assert main(["age", str(path), "--on", ON.isoformat()]) != 0
    assert "line 6 too" in capsys.readouterr().err


@pytest.mark.parametrize("bins", ["4", "0.25,0.5"])
def test_lift_reads_a_csv_through_the_engine_as_the_stdlib_reader_does(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    bins: str,
) -> None:
    """`microloan lift` groups a CSV's text in the engine: the stdlib reader's very table."""
    from microloan import cli

    lines = ["score,bad"] + [
        f"{text},{flag}"
        for i in range(300)
        for text, flag in [
            (("NA", "0.25", "0.250", "1", str(i / 300))[i % 5], ("1", "true", "no", "0")[i % 4])
        ]
    ]
    path = tmp_path / "scores.csv"
    path.write_text("\n".join(lines) + "\n")
    argv = ["lift", str(path), "--value", "score", "--bad", "bad", "--bins", bins]
    through_engine = _json(capsys, *argv, "--format", "json")
    monkeypatch.setattr(cli, "_text_counts", lambda _args: None)
    assert _json(capsys, *argv, "--format", "json") == through_engine
