"""The command line through a real subprocess: every command, and bad input as one line, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "microloan", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def _fails_with(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


LOANS = """loan_id,disbursed,principal,outstanding,days_past_due
A,2026-01-05,7600,5100.50,0
B,2026-02-10,30000,30000,12
C,2025-11-20,10000,8000,95
"""


@pytest.fixture
def loans_csv(tmp_path: Path) -> Path:
    path = tmp_path / "loans.csv"
    path.write_text(LOANS, encoding="utf-8")
    return path


@pytest.fixture
def applicants_csv(tmp_path: Path) -> Path:
    rows = ["id,inquiries,overdue"]
    # inquiries 0..29, bad when inquiries >= 21 or every fifth applicant
    rows += [f"{i},{i % 30},{1 if i % 30 >= 21 or i % 5 == 0 else 0}" for i in range(300)]
    path = tmp_path / "applicants.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_demo_runs_and_prints_the_tour() -> None:
    """`python -m microloan demo` exits 0 and prints each section."""
    result = _run("demo")
    assert result.returncode == 0, result.stderr
    assert "== Money and rates ==" in result.stdout


def test_version_flag() -> None:
    """--version prints the package version."""
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("microloan ")


@pytest.mark.parametrize("command", ["schedule", "apr", "payoff", "age", "lift", "demo"])
def test_every_command_help_shows_an_example(command: str) -> None:
    """`--help` of every command shows an example."""
    result = _run(command, "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout


def test_schedule_table_has_totals_and_apr() -> None:
    """The schedule table ends with totals and the APR; 10,000 at 18% for 12 months is 916.80 a month.

    916.80 = 10000 × 0.015 / (1 − 1.015^−12), rounded (numpy-financial pmt agrees).
    """
    result = _run(
        "schedule", "--principal", "10000", "--rate", "18%", "--term", "12", "--start", "2026-01-15"
    )
    assert result.returncode == 0, result.stderr
    assert "916.80" in result.stdout
    assert "Total" in result.stdout
    assert "APR" in result.stdout


def test_schedule_json_and_csv_are_machine_readable() -> None:
    """--format json parses and sums to the principal; --format csv has one row per installment."""
    args = ["schedule", "--principal", "5000", "--rate", "0.05%", "--rate-unit", "daily"]
    args += ["--term", "6", "--start", "2026-03-10", "--accrual", "daily", "--days-in-year", "365"]
    document = json.loads(_run(*args, "--format", "json").stdout)
    principal = sum(float(row["principal"]) for row in document["installments"])
    assert round(principal, 2) == 5000.00
    assert document["installments"][-1]["balance"] == "0.00"
    csv_lines = _run(*args, "--format", "csv").stdout.strip().splitlines()
    assert len(csv_lines) == 1 + 6


def test_apr_of_the_pboc_worked_example() -> None:
    """PBoC [2021] No. 3: 99,000 received, 12 × 8,833.30 paid: simple 12.80%, compound 13.58%."""
    flows = ",".join(["-99000"] + ["8833.30"] * 12)
    result = _run("apr", f"--flows={flows}")
    assert result.returncode == 0, result.stderr
    assert "13.58%" in result.stdout
    assert "12.80%" in result.stdout


def test_payoff_after_two_payments() -> None:
    """Payoff after paying the first two installments shows the remaining principal 8,454.90.

    The balance after two installments of 10,000 at 1.5% a month, 916.80 each:
    10000 × 1.015² − 916.80 × (1 + 1.015) = 8454.90 (to the fen).
    """
    result = _run(
        "payoff",
        *("--principal", "10000", "--rate", "18%", "--term", "12", "--start", "2026-01-15"),
        *("--on", "2026-03-20", "--paid", "2026-02-15:916.80", "--paid", "2026-03-15:916.80"),
    )
    assert result.returncode == 0, result.stderr
    assert "8,454.90" in result.stdout


def test_age_report_from_csv(loans_csv: Path) -> None:
    """Three loans: one current, one 12 days late (M1), one 95 days (M4); NPL by balance 8000/43100.50."""
    result = _run("age", str(loans_csv), "--on", "2026-06-30", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    counts = {row["bucket"]: row["loans"] for row in document["buckets"]}
    assert counts["M0"] == 1
    assert counts["M1"] == 1
    assert counts["M4"] == 1
    assert document["summary"]["npl_ratio_by_balance"].startswith("0.18561269")


def test_age_five_tier_table(loans_csv: Path) -> None:
    """The five-tier scheme labels the 95-day loan substandard."""
    result = _run("age", str(loans_csv), "--on", "2026-06-30", "--scheme", "five-tier")
    assert result.returncode == 0, result.stderr
    assert "substandard" in result.stdout


def test_lift_table_with_reject_impact(applicants_csv: Path) -> None:
    """The lift table shows IV, KS and the impact of rejecting the worst bin [21, +inf)."""
    result = _run(
        "lift", str(applicants_csv), "--value", "inquiries", "--bad", "overdue", "--bins", "10,21"
    )
    assert result.returncode == 0, result.stderr
    assert "[21, +inf)" in result.stdout
    assert "IV" in result.stdout
    assert "KS" in result.stdout
    assert "Rejecting [21, +inf)" in result.stdout


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    """A missing CSV names the file."""
    _fails_with(
        _run("age", str(tmp_path / "nope.csv"), "--on", "2026-06-30"), "nope.csv", "no such file"
    )


def test_empty_csv_is_one_line(tmp_path: Path) -> None:
    """An empty CSV says it is empty."""
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    _fails_with(_run("age", str(path), "--on", "2026-06-30"), "empty")


def test_bad_date_in_a_row_names_line_and_column(tmp_path: Path) -> None:
    """A bad date in row 2 names the file, line 2 and the column."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "loan_id,disbursed,principal,outstanding,days_past_due\nA,2026-13-05,1,1,0\n",
        encoding="utf-8",
    )
    _fails_with(_run("age", str(path), "--on", "2026-06-30"), "line 2", "'disbursed'")


def test_bad_number_in_a_row_names_line_and_column(tmp_path: Path) -> None:
    """A bad amount names line 3 and the column."""
    path = tmp_path / "bad.csv"
    path.write_text(LOANS.replace("30000,30000", "30000,thirty"), encoding="utf-8")
    _fails_with(_run("age", str(path), "--on", "2026-06-30"), "line 3", "'outstanding'")


def test_unknown_column_is_named(applicants_csv: Path) -> None:
    """An unknown --value column is named, with the header's columns."""
    _fails_with(
        _run("lift", str(applicants_csv), "--value", "score", "--bad", "overdue"),
        "'score'",
        "inquiries",
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["age", "x.csv", "--on", "2026-02-30"], "--on"),
        (["schedule", "--principal", "ten", "--rate", "18%", "--term", "12"], "--principal"),
        (["schedule", "--principal", "100", "--rate", "18", "--term", "12"], "--rate"),
        (["schedule", "--principal", "100", "--rate", "18%", "--term", "0"], "--term"),
        (["schedule", "--principal", "100", "--rate", "18%"], "--term"),
        (["apr", "--flows", "1,2,x"], "--flows"),
        (["lift", "x.csv", "--value", "v", "--bad", "b", "--bins", "x"], "--bins"),
        (["nonsense"], "nonsense"),
    ],
)
def test_bad_arguments_are_one_line_naming_the_argument(args: list[str], fragment: str) -> None:
    """Bad dates, numbers, rates and unknown commands: one line naming the argument, exit 2."""
    _fails_with(_run(*args), fragment)


CHINESE_LOANS = LOANS.replace("days_past_due\n", "days_past_due,borrower\n").replace(
    "\nA,2026-01-05,7600,5100.50,0\nB,2026-02-10,30000,30000,12\nC,2025-11-20,10000,8000,95\n",
    "\nA,2026-01-05,7600,5100.50,0,张三\nB,2026-02-10,30000,30000,12,李四\nC,2025-11-20,10000,8000,95,王五\n",
)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig", "utf-8"])
def test_age_reads_a_csv_in_the_encoding_given(tmp_path: Path, encoding: str) -> None:
    """A CSV with Chinese names in gb18030, gbk or utf-16 ages the same as the UTF-8 one."""
    path = tmp_path / "loans.csv"
    path.write_bytes(CHINESE_LOANS.encode(encoding))
    args = ["--encoding", encoding] if encoding != "utf-8" else []
    result = _run("age", str(path), "--on", "2026-06-30", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["npl_ratio_by_balance"].startswith("0.18561269")


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16"])
def test_lift_reads_chinese_labels_in_the_encoding_given(tmp_path: Path, encoding: str) -> None:
    """Categorical labels in Chinese come out as the same text, whatever the file's encoding."""
    rows = ["城市,overdue"] + [
        f"{city},{i % 3 == 0:d}" for i in range(30) for city in ("北京", "上海")
    ]
    path = tmp_path / "applicants.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
    result = _run(
        "lift", str(path), "--value", "城市", "--bad", "overdue", "--categorical",
        "--encoding", encoding, "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    labels = [cell["bin"] for cell in json.loads(result.stdout)["bins"]]
    assert {"北京", "上海"} <= set(labels)


@pytest.mark.parametrize("delimiter", ["\\t", "tab", ";"])
def test_age_reads_a_csv_with_the_delimiter_given(tmp_path: Path, delimiter: str) -> None:
    """--delimiter takes one character; \\t and tab both mean a tab."""
    mark = ";" if delimiter == ";" else "\t"
    path = tmp_path / "loans.tsv"
    path.write_text(LOANS.replace(",", mark), encoding="utf-8")
    result = _run(
        "age", str(path), "--on", "2026-06-30", "--delimiter", delimiter, "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["loans"] == 3
