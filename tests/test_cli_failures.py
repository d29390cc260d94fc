"""The command line's failures: each is one line on standard error and exit status 2.

Run in process (`main(argv)`), so each case is fast and a hang would be caught by the
test's own run time rather than a subprocess timeout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from microloan import cli
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

    def broken(_args: object) -> int:
        msg = "something\nunexpected"
        raise RuntimeError(msg)

    monkeypatch.setattr(cli, "_demo", broken)
    line = _fails(capsys, "demo")
    assert line == "microloan demo: internal error (RuntimeError): something unexpected"


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
    """Due dates past 9999-12-31 are refused naming the term, not an OverflowError."""
    extra = ["--on", "2026-06-30"] if command == "payoff" else []
    line = _fails(capsys, command, *LOAN, *change, *extra)
    assert "end after 9999-12-31" in line


def test_an_amount_too_large_for_a_loan_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1e999999 as a principal names the line and says it is too large, not decimal.Overflow."""
    path = _csv(tmp_path, f"{HEADER}\nA,2026-01-05,1e999999,1,0\n")
    line = _fails(capsys, "age", path, "--on", "2026-06-30")
    assert "line 2" in line
    assert "too large for a single loan" in line
