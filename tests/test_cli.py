"""The command line: every command through a real subprocess, bad input as one line, exit 2;
then the output options (--format, --places) and payoff's servicing terms, run in process."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import AllocationOrder, Loan, Money, Rate, equal_installment
from microloan.cli import MAX_PLACES, _ratio, build_parser, main
from tests.strategies import rate_fractions


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
    assert "== A deferral year ==" in result.stdout


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


# -- the output options and payoff's servicing terms, in process ----------------------

WIDE = Context(prec=34)  # the tests' own arithmetic, to 34 digits like the library
LOAN = ["--principal", "10000", "--rate", "18%", "--term", "12", "--start", "2026-01-15"]
PAID = ["--paid", "2026-02-15:916.80", "--paid", "2026-03-15:916.80"]
PAYOFF = ["payoff", *LOAN, "--on", "2026-04-20"]


def _out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `args` in process; assert exit status 0 and nothing on stderr; return stdout."""
    status = main(list(args))
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err == ""
    return captured.out


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(_out(capsys, *args, "--format", "json"))


def _choices(command: str, dest: str) -> tuple[str, ...]:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    sub = commands.choices[command]  # type: ignore[index]
    action = next(a for a in sub._actions if a.dest == dest)
    return tuple(action.choices or ())


@pytest.mark.parametrize(
    ("command", "formats"),
    [
        ("schedule", ("table", "csv", "json")),
        ("apr", ("table", "json")),
        ("age", ("table", "csv", "json")),
        ("lift", ("table", "csv", "json")),
        ("payoff", ("table", "csv", "json")),
    ],
)
def test_every_command_but_demo_takes_format_and_places(
    command: str, formats: tuple[str, ...]
) -> None:
    """--format on every command (apr: table or json), table by default; --places beside it."""
    assert _choices(command, "format") == formats
    options = {
        option
        for action in build_parser()._actions
        if action.dest == "command"
        for option in action.choices[command]._option_string_actions  # type: ignore[index]
    }
    assert {"--format", "--places"} <= options


def test_apr_json_has_both_rates_as_decimal_strings_and_the_loan_inputs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """apr --format json: the rates the table shows (14.84%, 13.91%), exact, and what they came from."""
    args = ["apr", "--principal", "100000", "--rate", "12%", "--term", "12", "--fee", "1000"]
    document = _json(capsys, *args, "--start", "2026-01-15")
    plan = equal_installment(
        Money("100000"), rate=Rate.annual("12%"), term=12, start=date(2026, 1, 15)
    )
    assert Decimal(document["apr_compound"]) == plan.apr(Money("1000"))
    assert Decimal(document["apr_simple"]) == plan.apr(Money("1000"), method="simple")
    assert round(Decimal(document["apr_compound"]) * 100, 2) == Decimal("14.84")
    assert document["periods_per_year"] == "12"
    inputs = document["inputs"]
    assert (inputs["principal"], inputs["fee"], inputs["rate"]) == ("100000.00", "1000.00", "0.12")
    assert (inputs["start"], inputs["method"], inputs["days_in_year"]) == (
        "2026-01-15",
        "equal-installment",
        360,
    )


def test_apr_json_of_flows_repeats_the_flows(capsys: pytest.CaptureFixture[str]) -> None:
    """With --flows the inputs are the flows and the periods a year (PBoC example: 12.80% simple)."""
    flows = ",".join(["-99000"] + ["8833.30"] * 12)
    document = _json(capsys, "apr", f"--flows={flows}", "--places", "4")
    assert (document["apr_compound"], document["apr_simple"]) == ("0.1358", "0.1280")
    assert document["inputs"] == {"flows": flows.split(","), "periods_per_year": "12"}


def test_without_places_rates_keep_every_digit_as_before(
    loans_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --places: JSON and CSV rates are as computed (34 digits), as they always were."""
    document = _json(capsys, "age", str(loans_csv), "--on", "2026-06-30")
    assert document["summary"]["npl_ratio_by_balance"] == "0.1856126959084001345692045335900976"
    csv_lines = _out(capsys, "age", str(loans_csv), "--on", "2026-06-30", "--format", "csv")
    assert (
        "M4,1,0.3333333333333333333333333333333333,8000.00,0.1856126959084001345692045335900976"
        in csv_lines
    )


@pytest.mark.parametrize("places", [0, 1, 4, 6, 10, MAX_PLACES])
def test_places_rounds_every_rate_and_ratio_half_even_to_n_places(
    loans_csv: Path, applicants_csv: Path, capsys: pytest.CaptureFixture[str], places: int
) -> None:
    """--places N: each rate or ratio of age, lift and schedule is the full one quantized half-even."""
    quantum = Decimal(1).scaleb(-places)

    def rounded(full: str) -> str:
        value = Decimal(full).quantize(quantum, rounding=ROUND_HALF_EVEN, context=WIDE)
        return f"{abs(value) if value.is_zero() else value:f}"

    for args in (
        ["age", str(loans_csv), "--on", "2026-06-30"],
        [
            "lift",
            str(applicants_csv),
            "--value",
            "inquiries",
            "--bad",
            "overdue",
            "--bins",
            "10,21",
        ],
        ["schedule", *LOAN, "--fee", "100"],
    ):
        full, short = _json(capsys, *args), _json(capsys, *args, "--places", str(places))
        pairs = list(_ratio_pairs(full, short, args[0]))
        assert pairs
        for before, after in pairs:
            assert after == rounded(before), (args[0], before, after)


_RATIOS = {
    "age": {"loan_share", "balance_share", "overdue_rate_by_count", "overdue_rate_by_balance",
            "over_30_by_balance", "over_90_by_balance", "npl_ratio_by_balance"},
    "lift": {"bad_rate", "lift", "cum_bad_rate", "cum_lift", "woe", "iv", "ks", "rejected_share",
             "bad_rate_before", "bad_rate_after", "reduction_points", "reduction_relative",
             "rejected_lift"},
    "schedule": {"apr_compound", "apr_simple"},
}  # fmt: skip


def _ratio_pairs(full: object, short: object, command: str) -> Any:
    """The (full, rounded) text of every rate or ratio field of two documents of the same shape."""
    if isinstance(full, dict) and isinstance(short, dict):
        for key, value in full.items():
            if key in _RATIOS[command] and isinstance(value, str):
                yield value, short[key]
            else:
                yield from _ratio_pairs(value, short[key], command)
    elif isinstance(full, list) and isinstance(short, list):
        for a, b in zip(full, short, strict=True):
            yield from _ratio_pairs(a, b, command)


def test_places_rounds_a_tie_to_even(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One loan of eight is 0.125 of the book: --places 2 writes 0.12 (half-even), not 0.13."""
    rows = [f"L{i},2026-01-05,100,100,{12 if i == 0 else 0}" for i in range(8)]
    path = tmp_path / "loans.csv"
    path.write_text("\n".join([LOANS.splitlines()[0], *rows]) + "\n", encoding="utf-8")
    args = ["age", str(path), "--on", "2026-06-30", "--places", "2"]
    shares = {row["bucket"]: row["loan_share"] for row in _json(capsys, *args)["buckets"]}
    assert (shares["M0"], shares["M1"]) == ("0.88", "0.12")  # 0.875 and 0.125, both to even
    assert "M1,1,0.12,100.00,0.12" in _out(capsys, *args, "--format", "csv")


@given(value=rate_fractions, places=st.integers(0, MAX_PLACES))
def test_a_ratio_rounded_is_within_half_a_unit_of_the_last_place(
    value: Decimal, places: int
) -> None:
    """_ratio(value, N) has N places and is within half of 10^-N of the value (never a float)."""
    result = _ratio(value, places, "share")
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -places
    assert abs(result - value) <= Decimal(1).scaleb(-places) / 2


@pytest.mark.parametrize("places", ["0", "2"])
def test_places_never_rounds_money_or_counts(
    loans_csv: Path, capsys: pytest.CaptureFixture[str], places: str
) -> None:
    """Amounts keep their currency's minor units and counts stay whole, whatever --places says."""
    age = ["age", str(loans_csv), "--on", "2026-06-30"]
    full, short = _json(capsys, *age), _json(capsys, *age, "--places", places)
    assert short["summary"]["outstanding"] == full["summary"]["outstanding"] == "43100.50"
    assert [row["outstanding"] for row in short["buckets"]][:2] == ["5100.50", "30000.00"]
    assert short["summary"]["loans"] == 3
    full, short = (
        _json(capsys, "schedule", *LOAN),
        _json(capsys, "schedule", *LOAN, "--places", places),
    )
    assert short["installments"] == full["installments"]
    assert (short["total"], short["total_interest"]) == ("11001.61", "1001.61")
    quote = [*PAYOFF, *PAID]
    assert _json(capsys, *quote, "--places", places) == _json(capsys, *quote)
    full_csv = _out(capsys, "schedule", *LOAN, "--format", "csv")
    assert _out(capsys, "schedule", *LOAN, "--format", "csv", "--places", places) == full_csv


def test_payoff_table_states_the_terms_it_assumed(capsys: pytest.CaptureFixture[str]) -> None:
    """The payoff quote ends with its penalty rate, grace days, allocation and days in year."""
    lines = _out(capsys, *PAYOFF, *PAID).splitlines()
    assert lines[-4:] == [
        "penalty rate           27% a year (1.5x the contract rate)",
        "grace days             0",
        "allocation             oldest-first",
        "days in year           360",
    ]


def test_payoff_json_has_the_assumptions_as_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON: the currency, the penalty rate applied with its unit and preset, grace, allocation, year."""
    document = _json(capsys, *PAYOFF, *PAID, "--penalty-rate", "1.3x", "--days-in-year", "365")
    assert {k: document[k] for k in list(document)[-7:]} == {
        "currency": "CNY",
        "penalty_rate": "0.234",
        "penalty_rate_unit": "annual",
        "penalty_preset": "1.3x",
        "grace_days": 0,
        "allocation": "oldest-first",
        "days_in_year": 365,
    }


def test_payoff_csv_is_one_row_of_the_json_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """--format csv: a header of the JSON's fields and one row with the same values."""
    document = _json(capsys, *PAYOFF, *PAID, "--penalty-rate", "0.05%/day")
    header, row = _out(
        capsys, *PAYOFF, *PAID, "--penalty-rate", "0.05%/day", "--format", "csv"
    ).splitlines()
    assert header.split(",") == list(document)
    assert row.split(",") == ["" if v is None else str(v) for v in document.values()]


def _payoff_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return _json(capsys, *PAYOFF, *PAID, *args)


@pytest.mark.parametrize(
    ("preset", "rate", "rate_unit"),
    [
        ("1.5x", "27%/year", "annual"),
        ("1.5x", "27%", "annual"),
        ("1.3x", "1.95%/month", "annual"),
        ("1.5x", "2.25%", "monthly"),
        ("1.5x", "0.075%/day", "daily"),
    ],
)
def test_a_penalty_rate_written_as_a_rate_charges_what_its_preset_does(
    capsys: pytest.CaptureFixture[str], preset: str, rate: str, rate_unit: str
) -> None:
    """27%/year is 1.5x of 18% a year; without a unit a penalty rate is quoted per --rate-unit."""
    contract = {"annual": "18%", "monthly": "1.5%", "daily": "0.05%"}[rate_unit]
    change = ["--rate", contract, "--rate-unit", rate_unit]
    by_preset = _payoff_json(capsys, *change, "--penalty-rate", preset)
    by_rate = _payoff_json(capsys, *change, "--penalty-rate", rate)
    assert by_rate["penalty_outstanding"] == by_preset["penalty_outstanding"] != "0.00"
    assert (by_preset["penalty_preset"], by_rate["penalty_preset"]) == (preset, None)


def test_penalty_rate_none_charges_no_penalty(capsys: pytest.CaptureFixture[str]) -> None:
    """--penalty-rate none: the late installment bears no penalty; the table says none."""
    assert _payoff_json(capsys, "--penalty-rate", "none")["penalty_outstanding"] == "0.00"
    assert "penalty rate           none\n" in _out(capsys, *PAYOFF, *PAID, "--penalty-rate", "none")


def test_grace_days_forgive_the_penalty_of_a_payment_within_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The second installment paid 3 days late: with under 3 grace days it bears a penalty.

    778.30 of principal 3 days late at 1.5 × 18% / 360 = 0.075% a day is 1.75 of penalty, paid
    first, so 1.75 of principal is left unpaid; with --grace-days 3 the loan is as if paid on time.
    """
    late = ["--paid", "2026-02-15:916.80", "--paid", "2026-03-18:916.80"]
    on = ["payoff", *LOAN, "--on", "2026-03-20", *late]
    for grace in ("0", "2"):
        document = _json(capsys, *on, "--grace-days", grace)
        assert (document["status"], document["principal_outstanding"]) == ("overdue", "8456.65")
    forgiven = _json(capsys, *on, "--grace-days", "3")
    assert (forgiven["status"], forgiven["principal_outstanding"]) == ("current", "8454.90")
    assert forgiven["grace_days"] == 3


@pytest.mark.parametrize("allocation", get_args(AllocationOrder))
def test_allocation_settles_a_partial_payment_in_the_order_of_allocation_order(
    capsys: pytest.CaptureFixture[str], allocation: str
) -> None:
    """1,000 paid late on the first installment: each --allocation gives what the library gives."""
    plan = equal_installment(
        Money("10000"), rate=Rate.annual("18%"), term=12, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan, allocation=allocation)  # type: ignore[arg-type]
    position = loan.repay(Money("1000"), on=date(2026, 3, 20)).position(on=date(2026, 4, 20))
    option = allocation.replace("_", "-")
    args = [*PAYOFF, "--paid", "2026-03-20:1000", "--allocation", option]
    document = _json(capsys, *args)
    assert document["principal_outstanding"] == str(position.principal_outstanding.amount)
    assert document["payoff_amount"] == str(position.payoff_amount.amount)
    assert document["allocation"] == option


def test_allocation_choices_are_the_allocation_order_options() -> None:
    """--allocation offers exactly AllocationOrder's choices, spelled with hyphens."""
    assert _choices("payoff", "allocation") == tuple(
        order.replace("_", "-") for order in get_args(AllocationOrder)
    )
