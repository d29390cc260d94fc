"""The command line's failures: each is one line on standard error and exit status 2.

Run in process (`main(argv)`), so each case is fast and a hang would be caught by the
test's own run time rather than a subprocess timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from microloan import _demo, cli
from microloan.cli import main

HEADER = "loan_id,disbursed,principal,outstanding,days_past_due"
LOAN = ["--principal", "1000", "--rate", "18%", "--term", "12", "--start", "2026-01-15"]


def _status(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exc:  # argparse's own errors
        return int(str(exc.code))


def _fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `args`; assert exit status 2 and one line on stderr; return that line."""
    status = _status(*args)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _csv(tmp_path: Path, text: str, name: str = "loans.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# -- 1. every failure is one line and exit status 2 --------------------------------


def test_an_unexpected_exception_is_one_internal_error_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug below the command line still gives one line naming the exception type."""

    def broken() -> None:
        msg = "something\nunexpected"
        raise RuntimeError(msg)

    monkeypatch.setattr(_demo, "run_demo", broken)
    line = _fails(capsys, "demo")
    assert line == "microloan demo: internal error (RuntimeError): something unexpected"


def test_an_interrupt_is_one_line_and_status_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during a command: one line and the shell's status for SIGINT, no traceback."""

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_demo, "run_demo", interrupted)
    assert _status("demo") == 130
    assert capsys.readouterr().err == "microloan demo: interrupted\n"


def test_output_the_terminal_cannot_encode_is_one_line(tmp_path: Path) -> None:
    """Chinese labels to an ASCII standard output: one line saying so, not a UnicodeEncodeError.

    Standard error is ASCII too, so Python writes the label there with backslash escapes.
    """
    path = _csv(tmp_path, "name,bad\n张三,1\n李四,0\n", "zh.csv")
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "microloan",
            "lift",
            path,
            "--value",
            "name",
            "--bad",
            "bad",
            "--categorical",
        ],
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        "microloan lift: error: cannot write '\\u5f20\\u4e09' in ascii, the encoding of standard output; set PYTHONIOENCODING=utf-8"
    ], result.stderr


def test_a_library_error_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A MicroloanError is `microloan <command>: error: <message>`."""
    line = _fails(capsys, "schedule", *LOAN, "--principal", "-5")
    assert line == "microloan schedule: error: principal: Money('-5', 'CNY') must be positive"


@pytest.mark.parametrize("command", ["schedule", "apr"])
def test_an_apr_too_large_to_show_is_refused(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """A fee of 999.99 on 1,000 leaves 0.01 lent: the APR (about 3.5E+49%) is refused, not crashed on."""
    line = _fails(capsys, command, *LOAN, "--fee", "999.99")
    assert "the APR is 3.530723E+49%, too large to show" in line


def test_flows_with_an_apr_too_large_to_show_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """1 received, a million repaid a month later: 1E+74% is refused in one line."""
    assert "too large to show" in _fails(capsys, "apr", "--flows=-1,1000000")


@pytest.mark.parametrize("flow", ["nan", "inf", "1.5.0", "0x10", "١٢"])
def test_a_flow_that_is_not_a_decimal_number_is_refused(
    capsys: pytest.CaptureFixture[str], flow: str
) -> None:
    """--flows takes the library's grammar of amounts: no NaN, infinity or other digits."""
    assert "--flows" in _fails(capsys, "apr", f"--flows=-100,{flow}")


@pytest.mark.parametrize(
    "change",
    [
        ["--term", "100000"],
        ["--start", "9999-06-01"],
        ["--frequency", "999999999999"],
    ],
)
@pytest.mark.parametrize("command", ["schedule", "apr", "payoff"])
def test_a_schedule_past_the_last_calendar_date_is_refused(
    capsys: pytest.CaptureFixture[str], command: str, change: list[str]
) -> None:
    """Due dates past 9999-12-31 are refused naming the term (a frequency beyond a century
    names the frequency), not an OverflowError."""
    extra = ["--on", "2026-06-30"] if command == "payoff" else []
    line = _fails(capsys, command, *LOAN, *change, *extra)
    assert "end after 9999-12-31" in line or "frequency: 999999999999 must be at most" in line


@pytest.mark.parametrize(
    ("command", "args", "option"),
    [
        ("schedule", ["--principal", "1e999999"], "--principal"),
        ("schedule", ["--installment-multiple", "1e999999"], "--installment-multiple"),
        ("apr", ["--fee", "1e999999"], "--fee"),
        ("payoff", ["--on", "2026-06-30", "--paid", "2026-02-15:1e999999"], "--paid"),
    ],
)
def test_an_amount_argument_past_the_bound_of_an_amount_is_refused(
    capsys: pytest.CaptureFixture[str], command: str, args: list[str], option: str
) -> None:
    """Amounts are below the library's MAX_AMOUNT (10**18), refused in one line naming the option."""
    line = _fails(capsys, command, *LOAN, *args)
    assert f"{option}: " in line
    assert "beyond the bound of an amount" in line


@pytest.mark.parametrize("periods", ["1e999999", "1001"])
def test_more_than_1000_periods_a_year_are_refused(
    capsys: pytest.CaptureFixture[str], periods: str
) -> None:
    """--periods-per-year is at most 1000 (a daily loan has 365): not a decimal.Overflow."""
    line = _fails(capsys, "apr", "--flows=-100,110", "--periods-per-year", periods)
    assert line.endswith(f"--periods-per-year: {periods!r} is more than 1000 periods a year")


def test_an_amount_too_large_for_a_loan_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1e999999 (past any amount) or 9e17 (past what a record tallies) as a principal names
    the line and says why, not decimal.Overflow."""
    for amount, reason in (
        ("1e999999", "beyond the bound"),
        ("9e17", "too large for a single loan"),
    ):
        path = _csv(tmp_path, f"{HEADER}\nA,2026-01-05,{amount},1,0\n")
        line = _fails(capsys, "age", path, "--on", "2026-06-30")
        assert "line 2" in line
        assert reason in line


# -- 2. --encoding, --delimiter and the bound on --bins ----------------------------

CHINESE = f"{HEADER},borrower\nA,2026-01-05,7600,5100.50,0,张三\n"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_an_undecodable_csv_names_the_file_line_and_byte_and_suggests_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    """A gb18030 file read as UTF-8: the line, the first bad byte and its offset, and --encoding."""
    path = _csv(tmp_path, CHINESE, encoding=encoding)
    line = _fails(capsys, "age", path, "--on", "2026-06-30")
    offset = CHINESE.encode(encoding).index("张".encode(encoding))
    assert f"loans.csv, line 2: byte 0x{'张'.encode(encoding)[0]:02x} at offset {offset}" in line
    assert "is not utf-8-sig text; give the file's encoding with --encoding" in line


def test_an_undecodable_byte_late_in_a_large_file_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past the first block read, the line and offset are still exact."""
    rows = [HEADER] + [f"L{i},2026-01-05,100,50,0" for i in range(9000)]
    text = "\n".join(rows) + "\n"
    path = tmp_path / "loans.csv"
    path.write_bytes(text.encode() + b"X,2026-01-05,1\xff,1,0\n")
    line = _fails(capsys, "lift", str(path), "--value", "principal", "--bad", "days_past_due")
    assert f"line 9002: byte 0xff at offset {len(text.encode()) + 14:,}" in line


def test_a_utf16_csv_read_as_utf8_suggests_utf16(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A UTF-16 file (with its byte-order mark) read as UTF-8 is told to use --encoding utf-16."""
    path = _csv(tmp_path, CHINESE, encoding="utf-16")
    line = _fails(capsys, "age", path, "--on", "2026-06-30")
    assert "it starts with a UTF-16 byte-order mark: --encoding utf-16" in line


@pytest.mark.parametrize(
    ("encoding", "hint"), [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")]
)
def test_a_utf16_csv_without_a_byte_order_mark_is_named_by_its_nul_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, hint: str
) -> None:
    """Without a byte-order mark, UTF-16 decodes as UTF-8 with NULs: refused, naming the byte order."""
    path = _csv(tmp_path, CHINESE, encoding=encoding)
    line = _fails(capsys, "age", path, "--on", "2026-06-30")
    assert "the header has NUL characters" in line
    assert f"--encoding {hint}" in line


def test_utf16_without_a_byte_order_mark_read_as_utf16_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--encoding utf-16 on a file without a byte-order mark: one line, not a UnicodeError."""
    path = _csv(tmp_path, CHINESE)
    assert "not utf-16 text" in _fails(
        capsys, "age", path, "--on", "2026-06-30", "--encoding", "utf-16"
    )


@pytest.mark.parametrize("encoding", ["nope", "base64", "rot13"])
def test_an_encoding_that_is_not_a_text_encoding_is_refused(
    capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    """--encoding must name a text encoding Python knows."""
    line = _fails(capsys, "age", "x.csv", "--on", "2026-06-30", "--encoding", encoding)
    assert f"argument --encoding: {encoding!r} is not a text encoding" in line


@pytest.mark.parametrize("delimiter", ["", ",,", "tabs", '"', "\n"])
def test_a_delimiter_that_is_not_one_character_is_refused(
    capsys: pytest.CaptureFixture[str], delimiter: str
) -> None:
    """--delimiter is one character, not a quote or a line break."""
    line = _fails(capsys, "age", "x.csv", "--on", "2026-06-30", f"--delimiter={delimiter}")
    assert "argument --delimiter" in line


def test_a_tab_separated_file_read_with_commas_suggests_delimiter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One column holding tabs: the refusal asks whether the file is tab-separated."""
    path = _csv(tmp_path, f"{HEADER}\nA,2026-01-05,1,1,0\n".replace(",", "\t"))
    line = _fails(capsys, "age", path, "--on", "2026-06-30")
    assert "(is it separated by '\\t'? give --delimiter)" in line


APPLICANTS = "v,bad\n" + "".join(f"{i},{i % 2}\n" for i in range(6)) + ",1\n"


@pytest.mark.parametrize("bins", ["0", "1", "1001", "999999999999", "٣"])
def test_a_number_of_bins_outside_2_to_max_bins_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bins: str
) -> None:
    """--bins N is 2 to MAX_BINS (1000): 999999999999 is refused at once, not a hang."""
    path = _csv(tmp_path, APPLICANTS, "a.csv")
    line = _fails(capsys, "lift", path, "--value", "v", "--bad", "bad", "--bins", bins)
    assert "argument --bins" in line
    assert cli.MAX_BINS == 1000


def test_the_lift_help_states_the_bound_on_bins(capsys: pytest.CaptureFixture[str]) -> None:
    """The help's "2 to 1000" is MAX_BINS (the help is the handler's docstring, not an f-string)."""
    with pytest.raises(SystemExit):
        main(["lift", "--help"])
    assert f"(2 to {cli.MAX_BINS}, at most one a row)" in capsys.readouterr().out


def test_more_cut_points_than_max_bins_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """1000 cut points would make 1001 bins."""
    cuts = ",".join(str(i) for i in range(1000))
    line = _fails(capsys, "lift", "a.csv", "--value", "v", "--bad", "bad", "--bins", cuts)
    assert "1000 cut points make more than 1000 bins" in line


def test_more_bins_than_rows_with_a_value_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Six rows with a value (the seventh is missing) cannot make seven bins; six can be asked for."""
    path = _csv(tmp_path, APPLICANTS, "a.csv")
    line = _fails(capsys, "lift", path, "--value", "v", "--bad", "bad", "--bins", "7")
    assert line == "microloan lift: error: --bins: 7 is more than the 6 rows with a value of 'v'"
    assert _status("lift", path, "--value", "v", "--bad", "bad", "--bins", "6") == 0


# -- 3. the header and the rows of a CSV -------------------------------------------


@pytest.mark.parametrize(
    ("command", "header"),
    [
        ("age", f"{HEADER},principal,loan_id"),
        ("lift", "v,bad,v,bad"),
    ],
)
def test_a_header_with_a_column_twice_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, header: str
) -> None:
    """A repeated column name is refused (the last would silently win), each named once."""
    path = _csv(tmp_path, header + "\n")
    args = ["--on", "2026-06-30"] if command == "age" else ["--value", "v", "--bad", "bad"]
    line = _fails(capsys, command, path, *args)
    twice = "'loan_id', 'principal'" if command == "age" else "'bad', 'v'"
    assert line.endswith(f"loans.csv: the header has {twice} more than once")


@pytest.mark.parametrize(
    ("command", "text", "fragment"),
    [
        ("age", f"{HEADER}\nA,2026-01-05,1,1,0\nB,2026-01-05,1,1,0,extra\n", "line 3: 6 fields, the header has 5"),
        ("age", f"{HEADER}\nA,2026-01-05,1,1\n", "line 2: 4 fields, the header has 5"),
        ("lift", "v,bad\n1,0\n\n2\n", "line 4: 1 field, the header has 2"),
        ("lift", "v,bad\n1,0,0\n", "line 2: 3 fields, the header has 2"),
    ],
)  # fmt: skip
def test_a_row_with_extra_or_missing_fields_is_refused_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, text: str, fragment: str
) -> None:
    """Every row has as many fields as the header; a blank line is skipped but counted."""
    path = _csv(tmp_path, text)
    args = ["--on", "2026-06-30"] if command == "age" else ["--value", "v", "--bad", "bad"]
    assert fragment in _fails(capsys, command, path, *args)


def test_an_empty_loan_id_is_refused_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line without its loan id is refused by name, whichever reader reads the file."""
    path = _csv(tmp_path, f"{HEADER}\nA,2026-01-05,1,1,0\n,2026-01-05,1,1,0\n")
    assert "line 3, column 'loan_id': '' is empty" in _fails(
        capsys, "age", path, "--on", "2026-06-30"
    )


def test_a_loan_id_twice_is_refused_naming_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A loan counted twice would double its balance: refused with the line of each."""
    text = f"{HEADER}\nA,2026-01-05,1,1,0\nB,2026-01-05,1,1,0\n\n A ,2026-01-06,1,1,0\n"
    line = _fails(capsys, "age", _csv(tmp_path, text), "--on", "2026-06-30")
    assert line.endswith("loans.csv, line 5, column 'loan_id': 'A' is the loan id of line 2 too")


@pytest.mark.parametrize(
    "day", ["20260105", "2026-W02-1", "2026-1-5", "2026-01-05T00:00", "２０２６-01-05"]
)
def test_a_date_not_written_yyyy_mm_dd_is_refused_in_a_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], day: str
) -> None:
    """Only YYYY-MM-DD: Python 3.11's fromisoformat would take 20260105 and week dates."""
    text = f"{HEADER}\nA,{day},1,1,0\n"
    line = _fails(capsys, "age", _csv(tmp_path, text), "--on", "2026-06-30")
    assert f"line 2, column 'disbursed': {day!r} is not a date (YYYY-MM-DD)" in line


@pytest.mark.parametrize(
    "args",
    [
        ["age", "x.csv", "--on", "20260630"],
        ["schedule", *LOAN, "--start", "20260115"],
        ["schedule", *LOAN, "--first-due", "2026-W07-1"],
        ["payoff", *LOAN, "--on", "2026-06-30", "--paid", "20260215:916.80"],
    ],
)
def test_a_date_not_written_yyyy_mm_dd_is_refused_as_an_argument(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    """--on, --start, --first-due and --paid take YYYY-MM-DD only."""
    assert "is not a date; write it as YYYY-MM-DD" in _fails(capsys, *args)


@pytest.mark.parametrize("days", ["١٢", "1_0", "1.0", "+-1"])
def test_days_past_due_in_other_than_ascii_digits_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    """Days past due are whole numbers in ASCII digits (int() would take Arabic-Indic digits)."""
    text = f"{HEADER}\nA,2026-01-05,1,1,{days}\n"
    line = _fails(capsys, "age", _csv(tmp_path, text), "--on", "2026-06-30")
    assert "is not a whole number of days" in line


def test_a_header_only_file_has_no_loans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A header and no rows is refused by name, not a table in currency None."""
    path = _csv(tmp_path, HEADER + "\n", name="RECORDS.csv")
    line = _fails(capsys, "age", path, "--on", "2026-06-30", "--format", "json")
    assert line.endswith("RECORDS.csv has no loans (a header and no rows)")
    assert capsys.readouterr().out == ""


# -- 4. --places and payoff's servicing terms ---------------------------------------

PAYOFF = ["payoff", *LOAN, "--on", "2026-06-30"]


@pytest.mark.parametrize("places", ["-1", "29", "999999999999", "x", "1.5", "", "٣", "+2"])
@pytest.mark.parametrize(
    "command",
    [
        ["schedule", *LOAN],
        ["apr", "--flows=-100,110"],
        ["age", "x.csv", "--on", "2026-06-30"],
        ["lift", "x.csv", "--value", "v", "--bad", "b"],
        PAYOFF,
    ],
)
def test_places_other_than_a_whole_number_from_0_to_28_is_refused(
    capsys: pytest.CaptureFixture[str], command: list[str], places: str
) -> None:
    """--places N is 0 to MAX_PLACES (28) in ASCII digits, on every command that takes it."""
    line = _fails(capsys, *command, "--format", "json", f"--places={places}")
    assert line.endswith(
        f"argument --places: {places!r} is not a number of decimal places from 0 to 28 (see --help)"
    )
    assert cli.MAX_PLACES == 28


@pytest.mark.parametrize("command", [["schedule", *LOAN], ["apr", "--flows=-100,110"], PAYOFF])
def test_places_with_the_table_is_refused_not_ignored(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """The table rounds as it shows: --places with it is a mistake said in one line."""
    line = _fails(capsys, *command, "--places", "4")
    assert line.endswith(
        "error: --places: 4 applies to --format csv or json, not to the table (which rounds as it shows)"
    )
    assert capsys.readouterr().out == ""


def test_places_that_would_pass_34_digits_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """An APR of 3.5E+47 to 28 places needs 76 digits: refused naming it, not InvalidOperation."""
    line = _fails(
        capsys, "schedule", *LOAN, "--fee", "999.99", "--format", "json", "--places", "28"
    )
    assert line == (
        "microloan schedule: error: --places: apr_compound 3.530723E+47 has too many digits "
        "to show to 28 decimal places"
    )


@pytest.mark.parametrize(
    ("rate", "reason"),
    [
        ("2x", "'2x' is not 1.5x, 1.3x, none or a rate (rate: '2x' is not a decimal number)"),
        ("1.5X", "'1.5X' is not 1.5x, 1.3x, none or a rate"),
        ("", "'' is not 1.5x, 1.3x, none or a rate"),
        ("-1%/day", "'-1%/day' is not 1.5x, 1.3x, none or a rate"),
        ("18", "'18' is not 1.5x, 1.3x, none or a rate (rate: Decimal('18') is over 1,000% a year"),
        ("nan%/day", "'nan%/day' is not 1.5x, 1.3x, none or a rate"),
        ("0.05%/week", "'0.05%/week' is not a rate; write its unit as /day, /month or /year"),
        ("0.05%/", "'0.05%/' is not a rate; write its unit as /day, /month or /year"),
    ],
)
def test_a_penalty_rate_neither_a_preset_nor_a_rate_is_refused(
    capsys: pytest.CaptureFixture[str], rate: str, reason: str
) -> None:
    """--penalty-rate takes 1.5x, 1.3x, none, or a rate in --rate's grammar with /day, /month, /year."""
    line = _fails(capsys, *PAYOFF, f"--penalty-rate={rate}")
    assert line.startswith(f"microloan payoff: error: --penalty-rate: {reason}"), line


@pytest.mark.parametrize("days", ["-1", "1.5", "x", "٣", "", "1e3", "99999999999999999999"])
def test_grace_days_other_than_a_whole_number_of_days_are_refused(
    capsys: pytest.CaptureFixture[str], days: str
) -> None:
    """--grace-days N is a whole number of days, 0 or more, in ASCII digits."""
    line = _fails(capsys, *PAYOFF, f"--grace-days={days}")
    assert line.endswith(
        f"argument --grace-days: {days!r} is not a whole number of days (0 or more) (see --help)"
    )


@pytest.mark.parametrize("allocation", ["oldest_first", "horizontal", "OLDEST-FIRST"])
def test_an_allocation_not_in_allocation_order_is_refused(
    capsys: pytest.CaptureFixture[str], allocation: str
) -> None:
    """--allocation is one of AllocationOrder's options, spelled with hyphens like --method."""
    line = _fails(capsys, *PAYOFF, "--allocation", allocation)
    assert f"argument --allocation: invalid choice: {allocation!r}" in line
    assert "'oldest-first', 'vertical', 'principal-first'" in line
