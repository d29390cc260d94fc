"""The `microloan` command line (also `python -m microloan`).

Standard-library `argparse` only. Every command's `--help` shows an example.
Errors print one line on standard error naming the bad argument, row or
column, and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import inspect
import json
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, get_args

from microloan._decimal import CONTEXT, RoundingMode, to_decimal
from microloan._version import __version__
from microloan.analytics import CountTable, categories, lift_table, reject_impact
from microloan.conventions import PRESETS
from microloan.cost import apr
from microloan.errors import CommandLineError, InvalidRecordError, MicroloanError
from microloan.loans import Loan
from microloan.money import Money
from microloan.portfolio import (
    LoanRecord,
    ageing_report,
    first_payment_default,
    roll_rates,
    vintage,
)
from microloan.portfolio._frames import counted
from microloan.portfolio.ageing import ageing_of_loans_file
from microloan.rates import DaysInYear, Rate, RateUnit
from microloan.schedules import METHODS, Accrual, Frequency, Method, Schedule
from microloan.terms import AllocationOrder, PenaltyPreset

if TYPE_CHECKING:  # the optional `plot` extra, for --plot
    from matplotlib.figure import Figure

__all__ = ["main"]

EXIT_USAGE = 2
#: How a CSV is read unless --encoding says otherwise: UTF-8, with or without a byte-order mark.
DEFAULT_ENCODING = "utf-8-sig"
#: The most equal-frequency bins `lift --bins N` makes.
MAX_BINS = 1000
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
#: The most decimal places `--places N` rounds rates and ratios to.
MAX_PLACES = 28


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> date | None:
    """The date written `YYYY-MM-DD`, or None: not `20260115`, `2026-W03-4` or other digits.

    Examples:
        >>> iso_date("2026-01-15"), iso_date("20260115"), iso_date("2026-02-30")
        (datetime.date(2026, 1, 15), None, None)
    """
    if _ISO_DATE.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_date(text: str) -> date:
    """Parse a `YYYY-MM-DD` date (`2026-01-15`) for an argparse argument."""
    day = iso_date(text)
    if day is None:
        msg = f"{text!r} is not a date; write it as YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg)
    return day


class Rows:
    """Stream a CSV file as dicts, remembering the line number of each row.

    Memory does not grow with the number of rows. When standard error is a
    terminal and reading takes longer than `progress_after` seconds, a row
    count is shown there.
    """

    def __init__(
        self,
        path: str,
        *,
        encoding: str = DEFAULT_ENCODING,
        delimiter: str = ",",
        progress_after: float = 2.0,
    ) -> None:
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter
        self.line = 0
        self.columns: list[str] = []
        self._progress_after = progress_after

    def _open(self) -> IO[str]:
        try:
            return Path(self.path).open(newline="", encoding=self.encoding)
        except FileNotFoundError:
            raise CommandLineError(f"{self.path}: no such file") from None
        except OSError as exc:
            raise CommandLineError(f"{self.path}: cannot read ({exc.strerror})") from None

    def __iter__(self) -> Iterator[dict[str, str]]:
        with self._open() as handle:
            try:
                yield from self._rows(csv.reader(handle, delimiter=self.delimiter))
            except UnicodeDecodeError:
                raise self._undecodable() from None
            except UnicodeError as exc:  # utf-16 without a byte-order mark, say
                raise CommandLineError(
                    f"{self.path}: not {self.encoding} text ({exc}); "
                    "give the file's encoding with --encoding"
                ) from None

    def _rows(self, reader: Any) -> Iterator[dict[str, str]]:  # noqa: ANN401 - a csv reader
        try:
            header = next((row for row in reader if row), None)
            if header is None:
                raise CommandLineError(f"{self.path}: the file is empty (expected a header row)")
            self.line = reader.line_num
            if any("\0" in name for name in header):
                utf16 = "utf-16-be" if header[0].startswith("\0") else "utf-16-le"
                raise CommandLineError(
                    f"{self.path}: the header has NUL characters, so the file is not "
                    f"{self.encoding} text; give its encoding with --encoding "
                    f"(UTF-16 without a byte-order mark: --encoding {utf16})"
                )
            repeated = sorted({name for name in header if header.count(name) > 1})
            if repeated:
                raise CommandLineError(
                    f"{self.path}: the header has {', '.join(map(repr, repeated))} more than once"
                )
            self.columns = columns = header
            width = len(columns)
            started = time.monotonic()
            show = sys.stderr.isatty()
            count = 0
            for fields in reader:
                if not fields:  # a blank line
                    continue
                self.line = reader.line_num
                if len(fields) != width:
                    raise CommandLineError(
                        f"{self.path}, line {self.line}: {len(fields)} "
                        f"field{'s' if len(fields) != 1 else ''}, the header has {width}"
                    )
                count += 1
                if (
                    show
                    and count % 100_000 == 0
                    and time.monotonic() - started > self._progress_after
                ):
                    print(f"\r{self.path}: {count:,} rows", end="", file=sys.stderr, flush=True)
                yield dict(zip(columns, fields, strict=True))
        except csv.Error as exc:
            raise CommandLineError(f"{self.path}, line {reader.line_num}: {exc}") from None
        if show and time.monotonic() - started > self._progress_after:
            print(f"\r{self.path}: {count:,} rows, done", file=sys.stderr)

    def _undecodable(self) -> CommandLineError:
        """The error for a file that is not text in `encoding`: where, and what to try."""
        line, what = _first_undecodable(self.path, self.encoding)
        hint = "e.g. --encoding gb18030 or --encoding utf-16"
        with Path(self.path).open("rb") as handle:
            if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                hint = "it starts with a UTF-16 byte-order mark: --encoding utf-16"
        return CommandLineError(
            f"{self.path}, line {line}: {what} is not {self.encoding} text; "
            f"give the file's encoding with --encoding ({hint})"
        )

    def require(self, *names: str) -> None:
        """Fail with a clear message unless the header has every column in `names`."""
        missing = [n for n in names if n not in self.columns]
        if missing:
            hint = ""
            if len(self.columns) == 1:
                found = [mark for mark in ("\t", ";", "|") if mark in self.columns[0]]
                if found:
                    hint = f" (is it separated by {found[0]!r}? give --delimiter)"
            raise CommandLineError(
                f"{self.path}: no column {', '.join(map(repr, missing))}; "
                f"the header has {', '.join(self.columns)}{hint}"
            )

    def fail(self, column: str, value: str, reason: str) -> NoReturn:
        """Raise a one-line error naming the file, line and column."""
        raise CommandLineError(
            f"{self.path}, line {self.line}, column {column!r}: {value!r} {reason}"
        )


def _first_undecodable(path: str, encoding: str) -> tuple[int, str]:
    """The line where `path` stops being `encoding` text, and what is there (`byte 0xd5 ...`).

    Read again in binary, a block at a time; the failing block is fed a byte at a time
    from the decoder's state before it, so the byte and its offset are exact.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    line, offset = 1, 0
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 16):
            state = decoder.getstate()
            try:
                line += decoder.decode(block).count("\n")
            except UnicodeDecodeError:
                decoder.setstate(state)
                for i in range(len(block)):
                    try:
                        line += decoder.decode(block[i : i + 1]).count("\n")
                    except UnicodeDecodeError as exc:  # exc.object: the bytes held, then this one
                        at = offset + i + 1 - len(exc.object) + exc.start
                        return line, f"byte 0x{exc.object[exc.start]:02x} at offset {at:,}"
            offset += len(block)
    return line, "the end of the file, inside a character,"


Command = Callable[[argparse.Namespace], int]

# the command line spells option values with hyphens: equal-installment, half-up
_METHODS = tuple(method.replace("_", "-") for method in get_args(Method))
_ROUNDINGS = tuple(mode.replace("_", "-") for mode in get_args(RoundingMode))
_ALLOCATIONS = tuple(order.replace("_", "-") for order in get_args(AllocationOrder))


def _decimal_text(value: Decimal) -> str:
    return f"{value:f}"


#: The most periods a year `apr --periods-per-year` takes (a daily loan has 365).
MAX_PERIODS_PER_YEAR = 1000


def _money(text: str, currency: str, field: str) -> Money:
    try:
        money = Money(text, currency)
    except MicroloanError as exc:
        raise CommandLineError(f"--{field}: {text!r} is not an amount ({exc})") from None
    return money


_RATE_MAKERS: dict[str, Callable[[str], Rate]] = {
    "annual": Rate.annual,
    "monthly": Rate.monthly,
    "daily": Rate.daily,
}


def _rate(text: str, unit: str) -> Rate:
    try:
        return _RATE_MAKERS[unit](text)
    except MicroloanError as exc:
        raise CommandLineError(f"--rate: {text!r} is not a rate ({exc})") from None


#: `--penalty-rate 0.075%/day`: what a rate written with a unit is quoted per.
_PER_UNIT: dict[str, RateUnit] = {"day": "daily", "month": "monthly", "year": "annual"}
_PRESETS: tuple[str, ...] = get_args(PenaltyPreset)


def _penalty_rate(text: str, unit: str) -> Rate | PenaltyPreset:
    """`--penalty-rate`: a preset (1.5x, 1.3x, none), or a rate as `--rate` takes it.

    The rate may end in `/day`, `/month` or `/year`; without one it is quoted per
    `--rate-unit`, like `--rate`.

    Examples:
        >>> _penalty_rate("1.3x", "annual"), _penalty_rate("0.075%/day", "annual")
        ('1.3x', Rate.daily('0.075%'))
        >>> _penalty_rate("27%", "annual")
        Rate.annual('27%')
    """
    for preset in _PRESETS:
        if text == preset:
            return preset  # type: ignore[return-value]
    number, slash, per = text.partition("/")
    if slash:
        if per.strip() not in _PER_UNIT:
            raise CommandLineError(
                f"--penalty-rate: {text!r} is not a rate; write its unit as /day, /month "
                f"or /year, or give one of {', '.join(_PRESETS)}"
            )
        unit = _PER_UNIT[per.strip()]
    try:
        return _RATE_MAKERS[unit](number)
    except MicroloanError as exc:
        raise CommandLineError(
            f"--penalty-rate: {text!r} is not {', '.join(_PRESETS)} or a rate ({exc})"
        ) from None


def _places(text: str) -> int:
    """`--places N`: a whole number of decimal places from 0 to MAX_PLACES, in ASCII digits."""
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_PLACES:
        msg = f"{text!r} is not a number of decimal places from 0 to {MAX_PLACES}"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _ratio(value: object, places: int | None, field: str) -> object:
    """A computed rate or ratio for CSV or JSON: as computed, or to `places` places, half-even.

    Anything but a finite Decimal (a count, a label, None) is returned as it is, and
    so is every value when `places` is None (no `--places`). A zero keeps no sign.

    Examples:
        >>> _ratio(Decimal("0.33333350"), 6, "share"), _ratio(Decimal("0.0000125"), 5, "share")
        (Decimal('0.333334'), Decimal('0.00001'))
        >>> _ratio(Decimal("-0.0000001"), 4, "woe"), _ratio(7, 2, "count")
        (Decimal('0.0000'), 7)
    """
    if places is None or not isinstance(value, Decimal) or not value.is_finite():
        return value
    if max(value.adjusted(), 0) + 1 + places >= CONTEXT.prec:
        raise CommandLineError(
            f"--places: {field} {_SHORT.plus(value):E} has too many digits to show "
            f"to {places} decimal places"
        )
    quantum = Decimal((0, (1,), -places))
    rounded = value.quantize(quantum, rounding=ROUND_HALF_EVEN, context=CONTEXT)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _grace_days(text: str) -> int:
    """`--grace-days N`: a whole number of days, 0 or more, in ASCII digits."""
    if _WHOLE.fullmatch(text) is None or text.startswith("-"):
        msg = f"{text!r} is not a whole number of days (0 or more)"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _frequency(text: str) -> Frequency:
    if text in ("monthly", "weekly", "biweekly"):
        return text  # type: ignore[return-value]
    if text.isdigit() and int(text) > 0:
        return int(text)
    msg = f"{text!r} is not a frequency; use monthly, weekly, biweekly or a number of days"
    raise argparse.ArgumentTypeError(msg)


def _days_in_year(text: str) -> DaysInYear:
    if text == "actual":
        return "actual"
    if text in ("360", "365"):
        return int(text)  # type: ignore[return-value]
    msg = f"{text!r} is not a days-in-year; use 360, 365 or actual"
    raise argparse.ArgumentTypeError(msg)


def _add_loan_arguments(
    parser: argparse.ArgumentParser, *, required: bool = True, title: str = "the loan"
) -> None:
    loan = parser.add_argument_group(title)
    loan.add_argument("--principal", required=required, help="the amount lent, e.g. 10000")
    loan.add_argument("--currency", default="CNY", help="ISO 4217 code (default CNY)")
    loan.add_argument("--rate", required=required, help="the contract rate, e.g. 18%%, 5‱ or 0.18")
    loan.add_argument(
        "--rate-unit",
        choices=get_args(RateUnit),
        default="annual",
        help="what --rate is quoted per (default annual)",
    )
    loan.add_argument("--term", required=required, type=int, help="number of installments")
    loan.add_argument("--method", choices=_METHODS, default="equal-installment")
    loan.add_argument(
        "--start", type=parse_date, default=None, help="disbursement date (default today)"
    )
    loan.add_argument("--first-due", type=parse_date, default=None, help="first due date")
    loan.add_argument(
        "--frequency",
        type=_frequency,
        default="monthly",
        help="monthly, weekly, biweekly or N days",
    )
    loan.add_argument(
        "--conventions",
        choices=tuple(PRESETS),
        default=None,
        help="a lender's conventions (the options below override it)",
    )
    loan.add_argument(
        "--accrual", choices=get_args(Accrual), default=None, help="period (default) or daily"
    )
    loan.add_argument(
        "--days-in-year", type=_days_in_year, default=None, help="360 (default), 365 or actual"
    )
    loan.add_argument(
        "--rounding", choices=_ROUNDINGS, default=None, help="the rounding mode (default half-up)"
    )
    loan.add_argument(
        "--installment-multiple", default=None, help="round the level installment to this amount"
    )


def _schedule_from(args: argparse.Namespace) -> Schedule:
    if args.term < 1:
        raise CommandLineError(f"--term: {args.term} must be at least 1")
    principal = _money(args.principal, args.currency, "principal")
    multiple = (
        _money(args.installment_multiple, args.currency, "installment-multiple")
        if args.installment_multiple is not None
        else None
    )
    generator = METHODS[args.method.replace("-", "_")].generate
    return generator(
        principal,
        rate=_rate(args.rate, args.rate_unit),
        term=args.term,
        start=args.start or date.today(),  # noqa: DTZ011 - a calendar date, no zone involved
        frequency=args.frequency,
        first_due=args.first_due,
        accrual=args.accrual,
        days_in_year=args.days_in_year,
        rounding=None if args.rounding is None else args.rounding.replace("-", "_"),
        installment_multiple=multiple,
        conventions=None if args.conventions is None else PRESETS[args.conventions](),
    )


def _schedule(args: argparse.Namespace) -> int:
    """Print a repayment schedule with its totals and APR.

    Example:
      microloan schedule --principal 10000 --rate 18% --term 12 --method equal-installment --start 2026-01-15
    """
    schedule = _schedule_from(args)
    fee = _money(args.fee, args.currency, "fee") if args.fee is not None else None
    compound, simple = schedule.apr(fee), schedule.apr(fee, method="simple")
    _save_plot(args.plot, schedule.plot)
    if args.format == "json":
        rows = [
            {
                k: (
                    v.isoformat()
                    if isinstance(v, date)
                    else _decimal_text(v)
                    if isinstance(v, Decimal)
                    else v
                )
                for k, v in row.items()
            }
            for row in schedule.as_rows()
        ]
        document = {
            "principal": _decimal_text(schedule.principal.amount),
            "currency": schedule.principal.currency,
            "total_interest": _decimal_text(schedule.total_interest.amount),
            "total": _decimal_text(schedule.total.amount),
            "apr_compound": _plain(_ratio(compound, args.places, "apr_compound")),
            "apr_simple": _plain(_ratio(simple, args.places, "apr_simple")),
            "installments": rows,
        }
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif args.format == "csv":
        rows = schedule.as_rows()
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        print(schedule)
        print(f"APR {_percent(compound)} (compound, IRR method); {_percent(simple)} simple")
    return 0


#: The largest percentage shown to 0.01%: past it the library's 34 digits cannot hold the cents.
_MAX_PERCENT = Decimal("1e30")
_SHORT = CONTEXT.copy()  # seven significant digits, to name a value too large to show
_SHORT.prec = 7


def _percent(value: Decimal) -> str:
    scaled = value.scaleb(2, CONTEXT)
    if scaled.copy_abs() >= _MAX_PERCENT:
        raise CommandLineError(f"the APR is {_SHORT.plus(scaled):E}%, too large to show")
    return f"{scaled.quantize(Decimal('0.01'), context=CONTEXT):f}%"


def _apr(args: argparse.Namespace) -> int:
    """Annualised rate (PBoC 2021 No. 3) of a loan with fees or of cash flows.

    Example:
      microloan apr --flows=-99000,8833.30,8833.30,... --periods-per-year 12
      microloan apr --principal 100000 --rate 12% --term 12 --fee 1000
    """
    if args.flows is not None:
        try:
            flows = [to_decimal(part, "flow") for part in args.flows.split(",") if part.strip()]
        except MicroloanError as exc:
            raise CommandLineError(
                f"--flows: {args.flows!r} is not a comma-separated list of amounts ({exc})"
            ) from None
        periods = to_decimal(args.periods_per_year, "--periods-per-year")
        if periods > MAX_PERIODS_PER_YEAR:
            raise CommandLineError(
                f"--periods-per-year: {args.periods_per_year!r} is more than "
                f"{MAX_PERIODS_PER_YEAR} periods a year"
            )
        inputs: dict[str, object] = {"flows": flows, "periods_per_year": periods}
    else:
        if args.principal is None or args.term is None or args.rate is None:
            raise CommandLineError(
                "give either --flows, or --principal, --rate and --term for a loan"
            )
        schedule = _schedule_from(args)
        fee = _money(args.fee, args.currency, "fee") if args.fee is not None else None
        flows = list(schedule.cash_flows(fee))
        periods = schedule.periods_per_year
        inputs = {**_loan_inputs(args, schedule), "fee": _input_amount(fee)}
    compound = apr(flows, periods_per_year=periods, method="compound")
    simple = apr(flows, periods_per_year=periods, method="simple")
    if args.format == "json":
        document = {
            "apr_compound": _ratio(compound, args.places, "apr_compound"),
            "apr_simple": _ratio(simple, args.places, "apr_simple"),
            "periods_per_year": periods,
            "inputs": inputs,
        }
        json.dump(document, sys.stdout, indent=2, default=_json_default)
        print()
        return 0
    print(f"APR {_percent(compound)} compound (IRR method), {_percent(simple)} simple")
    return 0


def _loan_inputs(args: argparse.Namespace, schedule: Schedule) -> dict[str, object]:
    """The loan options as given (the start date as used), for a JSON document."""
    return {
        "principal": schedule.principal.amount,
        "currency": schedule.principal.currency,
        "rate": schedule.rate.value,
        "rate_unit": schedule.rate.unit,
        "term": args.term,
        "method": args.method,
        "start": schedule.start,
        "first_due": args.first_due,
        "frequency": args.frequency,
        "accrual": schedule.accrual,
        "days_in_year": schedule.days_in_year,
        "rounding": schedule.rounding.replace("_", "-"),
        "installment_multiple": _input_amount(
            _money(args.installment_multiple, args.currency, "installment-multiple")
            if args.installment_multiple is not None
            else None
        ),
    }


def _input_amount(money: Money | None) -> Decimal | None:
    """An amount given, in its currency's minor units (`1000` is `1000.00`) when it is whole."""
    if money is None:
        return None
    return (
        Money.from_minor_units(money.minor_units, money.currency).amount
        if money.is_whole
        else money.amount
    )


def _demo(_args: argparse.Namespace) -> int:
    """Print a short tour of what the library can do.

    Example:
      microloan demo
    """
    from microloan._demo import run_demo  # noqa: PLC0415 - only the tour needs it

    run_demo()
    return 0


_WHOLE = re.compile(r"-?[0-9]{1,18}")  # ASCII digits; the library refuses the implausible
_AGE_COLUMNS = ("loan_id", "disbursed", "principal", "outstanding", "days_past_due")


def _age_records(rows: Rows, currency: str) -> Iterator[LoanRecord]:
    seen: set[str] = set()  # the loan ids so far: memory grows with the loans, not their fields
    for row in _checked(rows, *_AGE_COLUMNS):
        has_currency = "currency" in rows.columns
        values: dict[str, str] = {name: (row.get(name) or "").strip() for name in _AGE_COLUMNS}
        code = (row.get("currency") or "").strip() if has_currency else currency
        for name, text in values.items():
            if not text:
                rows.fail(name, text, "is empty")
        loan_id = values["loan_id"]
        if loan_id in seen:
            first = _line_of(rows, loan_id)
            rows.fail("loan_id", loan_id, f"is the loan id of line {first} too")
        seen.add(loan_id)
        disbursed = iso_date(values["disbursed"])
        if disbursed is None:
            rows.fail("disbursed", values["disbursed"], "is not a date (YYYY-MM-DD)")
        if _WHOLE.fullmatch(values["days_past_due"]) is None:
            rows.fail("days_past_due", values["days_past_due"], "is not a whole number of days")
        days = int(values["days_past_due"])
        amounts: dict[str, Money] = {}
        for name in ("principal", "outstanding"):
            try:
                amounts[name] = Money(values[name], code)
            except MicroloanError as exc:
                rows.fail(name, values[name], f"is not an amount ({exc})")
        try:
            yield LoanRecord(
                loan_id=loan_id,
                disbursed=disbursed,
                principal=amounts["principal"],
                outstanding=amounts["outstanding"],
                days_past_due=days,
            )
        except MicroloanError as exc:
            raise CommandLineError(f"{rows.path}, line {rows.line}: {exc}") from None


def _line_of(rows: Rows, loan_id: str) -> int:
    """The line of the first row of `loan_id`, read again (only to name a duplicate)."""
    again = Rows(rows.path, encoding=rows.encoding, delimiter=rows.delimiter)
    for row in again:
        if row["loan_id"].strip() == loan_id:
            break
    return again.line


def _age(args: argparse.Namespace) -> int:
    """An ageing report (buckets, overdue rates, NPL) from a CSV of loan records.

    Example:
      microloan age loans.csv --on 2026-06-30 --scheme five-tier

    The CSV has a header with loan_id, disbursed (YYYY-MM-DD), principal,
    outstanding and days_past_due, and optionally currency.
    """
    rows = Rows(args.records, encoding=args.encoding, delimiter=args.delimiter)
    report = _frame_report(args, args.records, _AGE_COLUMNS, _aged, checked=True)
    if report is None:  # the stdlib reader: no frames extra, or a CSV it must diagnose
        records = _age_records(rows, args.currency)
        try:
            report = ageing_report(records, on=args.on, scheme=args.scheme)
        except InvalidRecordError as exc:
            raise CommandLineError(f"{rows.path}, line {rows.line}: {exc}") from None
    if report.total_count == 0:
        raise CommandLineError(f"{rows.path} has no loans (a header and no rows)")
    _save_plot(args.plot, report.plot)
    places = args.places
    table = [
        {
            "bucket": row["bucket"],
            "loans": row["loans"],
            "loan_share": _ratio(row["loan_share"], places, "loan_share"),
            "outstanding": _amount_of(row["outstanding"]),
            "balance_share": _ratio(row["balance_share"], places, "balance_share"),
        }
        for row in report.as_rows()
    ]
    ratios = {
        "overdue_rate_by_count": report.overdue_rate(by="count"),
        "overdue_rate_by_balance": report.overdue_rate(by="balance"),
        "over_30_by_balance": report.rate(over=30),
        "over_90_by_balance": report.rate(over=90),
        "npl_ratio_by_balance": report.npl_ratio(),
    }
    summary = {
        "loans": report.total_count,
        "outstanding": report.total_outstanding.amount,
        **{name: _ratio(value, places, name) for name, value in ratios.items()},
    }
    if args.format != "table":
        document: dict[str, object] = {
            "on": args.on,
            "scheme": args.scheme,
            "currency": report.currency,
            "buckets": table,
            "summary": summary,
        }
        _write_document(args, document, table)
    else:
        print(f"Ageing on {args.on.isoformat()} ({args.scheme} buckets, {report.currency})")
        print(f"{'Bucket':<16}{'Loans':>10}{'Share':>9}{'Outstanding':>20}{'Share':>9}")
        for row in table:
            print(
                f"{row['bucket']:<16}{row['loans']:>10,}{_share(row['loan_share']):>9}"
                f"{row['outstanding']:>20,.2f}{_share(row['balance_share']):>9}"
            )
        print(
            f"Overdue rate {_share(summary['overdue_rate_by_count'])} by count, "
            f"{_share(summary['overdue_rate_by_balance'])} by balance; "
            f"30+ {_share(summary['over_30_by_balance'])}, 90+ {_share(summary['over_90_by_balance'])}, "
            f"NPL {_share(summary['npl_ratio_by_balance'])} by balance"
        )
    return 0


def _amount_of(value: object) -> Decimal:
    return value.amount if isinstance(value, Money) else Decimal(str(value))


_MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})
_BAD = {"1": 1, "0": 0, "true": 1, "false": 0, "yes": 1, "no": 0}


def _lift_counts(
    rows: Rows, value_column: str, bad_column: str, *, categorical: bool
) -> CountTable:
    """Count (value, bad) pairs in one streaming pass; memory grows with distinct values only."""
    totals: dict[object, int] = {}
    bads: dict[object, int] = {}
    for row in _checked(rows, value_column, bad_column):
        text = (row.get(value_column) or "").strip()
        value: object
        if text.lower() in _MISSING:
            value = None
        elif categorical:
            value = text
        elif _WHOLE.fullmatch(text):
            value = int(text)
        else:
            try:
                value = to_decimal(text, value_column)
            except MicroloanError:
                rows.fail(value_column, text, "is not a number (use --categorical for labels)")
        flag_text = (row.get(bad_column) or "").strip().lower()
        flag = _BAD.get(flag_text)
        if flag is None:
            rows.fail(bad_column, flag_text, "is not a bad flag (use 0/1 or true/false)")
        totals[value] = totals.get(value, 0) + 1
        bads[value] = bads.get(value, 0) + flag
    if not totals:
        raise CommandLineError(f"{rows.path}: no rows to count")
    return CountTable(totals=totals, bads=bads)


def _text_counts(args: argparse.Namespace) -> CountTable | None:
    """A CSV's count table, its text grouped by the engine: `_lift_counts`'s, in one pass.

    The engine groups the rows by the stripped text of the value and the bad flag, so
    only the distinct pairs come back; each distinct text is then read as the stdlib
    reader reads it (a whole number, a decimal, a label, missing). `None` when the
    stdlib reader must read the file: no frames extra, or a value or flag it refuses
    (it names the line).
    """
    frame = _scan(args, args.data, (args.value, args.bad), checked=True)
    if frame is None:
        return None
    import polars as pl  # noqa: PLC0415 - _scan found it

    value = pl.col(args.value).str.strip_chars().alias("value")
    flag = pl.col(args.bad).str.strip_chars().str.to_lowercase().alias("flag")
    try:
        found = frame.group_by(value, flag).agg(pl.len().alias("n")).collect().rows()
    except Exception:  # noqa: BLE001 - polars' refusal of a ragged line or bad UTF-8
        return None
    totals: dict[object, int] = {}
    bads: dict[object, int] = {}
    for text, flag_text, n in found:
        bad = _BAD.get(flag_text or "")
        key = _lift_value(text or "", categorical=args.categorical)
        if bad is None or key is _NOT_A_VALUE:
            return None
        totals[key] = totals.get(key, 0) + n
        bads[key] = bads.get(key, 0) + bad * n
    if not totals:
        return None  # the stdlib reader says there are no rows
    return CountTable(totals=totals, bads=bads)


_NOT_A_VALUE = object()


def _lift_value(text: str, *, categorical: bool) -> object:
    """A value's stripped text as `_lift_counts` reads it, or `_NOT_A_VALUE`."""
    if text.lower() in _MISSING:
        return None
    if categorical:
        return text
    if _WHOLE.fullmatch(text):
        return int(text)
    try:
        return to_decimal(text, "value")
    except MicroloanError:
        return _NOT_A_VALUE


def _bins_argument(text: str) -> int | list[Decimal]:
    """`10` for ten equal-frequency bins (2 to MAX_BINS); `3,10,21` (or `21,`) for cut points."""
    if "," not in text:
        if not (text.isascii() and text.isdigit()):
            msg = f"{text!r} is neither a number of bins nor comma-separated cut points"
            raise argparse.ArgumentTypeError(msg)
        if not 2 <= int(text) <= MAX_BINS:
            msg = f"{text} is not a number of bins from 2 to {MAX_BINS}"
            raise argparse.ArgumentTypeError(msg)
        return int(text)
    try:
        cuts = [to_decimal(part, "cut point") for part in text.split(",") if part.strip()]
    except MicroloanError:
        msg = f"{text!r} has a cut point that is not a number"
        raise argparse.ArgumentTypeError(msg) from None
    if len(cuts) >= MAX_BINS:
        msg = f"{len(cuts)} cut points make more than {MAX_BINS} bins"
        raise argparse.ArgumentTypeError(msg)
    return cuts


def _encoding(text: str) -> str:
    """A text encoding Python knows: utf-8-sig, gb18030, gbk, utf-16 ..."""
    try:
        "".encode(text)  # a LookupError for an unknown name and for bytes codecs (base64)
    except LookupError:
        msg = f"{text!r} is not a text encoding; use e.g. utf-8, gb18030, gbk or utf-16"
        raise argparse.ArgumentTypeError(msg) from None
    return text


def _delimiter(text: str) -> str:
    r"""One character; `\t` or `tab` for a tab."""
    delimiter = "\t" if text.lower() in ("\\t", "tab") else text
    if len(delimiter) != 1 or delimiter in '"\r\n':
        msg = f"{text!r} is not one character other than a quote or a line break (tab: \\t)"
        raise argparse.ArgumentTypeError(msg)
    return delimiter


def _lift(args: argparse.Namespace) -> int:
    """A lift table with IV, KS and the reject impact of the worst bin, from a CSV.

    Example:
      microloan lift applicants.csv --value inquiries --bad overdue --bins 3,6,10,21

    --bins N asks for N equal-frequency bins (2 to 1000, at most one a row);
    --bins 3,6,10,21 (or 21, for one) gives cut points, each bin closed on the
    left: [21, +inf).
    """
    rows = Rows(args.data, encoding=args.encoding, delimiter=args.delimiter)
    if _is_parquet(args.data):  # typed columns: the engine counts per distinct value
        frame = _scan(args, args.data, (args.value, args.bad))
        counts = _frame_call(args.data, lambda: counted(frame, value=args.value, bad=args.bad))
    else:
        counts = _text_counts(args)  # the engine groups the text; None: the stdlib reader
        if counts is None:
            counts = _lift_counts(rows, args.value, args.bad, categorical=args.categorical)
    bins: Any = args.bins
    if args.categorical:
        bins = categories(list(counts.totals))
    elif isinstance(bins, int):
        valued = sum(n for value, n in counts.totals.items() if value is not None)
        if bins > valued:
            raise CommandLineError(
                f"--bins: {bins} is more than the {valued:,} rows with a value of {args.value!r}"
            )
    table = lift_table(counts, bins=bins)
    impact = reject_impact(counts, bins=table.bins)
    _save_plot(args.plot, table.plot)
    cells = [
        {
            "bin": row.label,
            "count": row.count,
            "bads": row.bads,
            "bad_rate": row.bad_rate,
            "lift": row.lift,
            "cum_bad_rate": row.cum_bad_rate,
            "cum_lift": row.cum_lift,
            "woe": row.woe,
            "iv": row.iv,
        }
        for row in table.rows
    ]
    reject = {
        "rule": impact.rule,
        "rejected": impact.rejected,
        "rejected_share": impact.rejected_share,
        "bad_rate_before": impact.bad_rate_before,
        "bad_rate_after": impact.bad_rate_after,
        "reduction_points": impact.reduction_points,
        "reduction_relative": impact.reduction_relative,
        "rejected_lift": impact.rejected_lift,
    }
    if args.format != "table":  # every Decimal of a lift table is a ratio: no money here
        places = args.places
        bin_rows = [{k: _ratio(v, places, k) for k, v in cell.items()} for cell in cells]
        summary = {
            "count": table.count,
            "bads": table.bads,
            "bad_rate": _ratio(table.bad_rate, places, "bad_rate"),
            "iv": _ratio(table.iv, places, "iv"),
            "ks": _ratio(table.ks, places, "ks"),
            "reject_worst_bin": {k: _ratio(v, places, k) for k, v in reject.items()},
        }
        document = {"value": args.value, "bad": args.bad, "bins": bin_rows, "summary": summary}
        _write_document(args, document, bin_rows)
        return 0
    print(f"Lift of {args.value!r} against {args.bad!r}: {table.count:,} rows, {table.bads:,} bad")
    print(
        f"{'Bin':<22}{'Count':>10}{'Bads':>9}{'Bad rate':>10}{'Lift':>7}{'Cum lift':>10}{'WoE':>9}{'IV':>8}"
    )
    for cell in cells:
        print(
            f"{cell['bin']!s:<22}{cell['count']:>10,}{cell['bads']:>9,}{_share(cell['bad_rate']):>10}"
            f"{_fixed(cell['lift'], 2):>7}{_fixed(cell['cum_lift'], 2):>10}"
            f"{_fixed(cell['woe'], 4):>9}{_fixed(cell['iv'], 4):>8}"
        )
    print(f"IV {_fixed(table.iv, 4)}, KS {_fixed(table.ks, 4)}, bad rate {_share(table.bad_rate)}")
    print(
        f"Rejecting {impact.rule}: {impact.rejected:,} rejected ({_share(impact.rejected_share)}), "
        f"bad rate {_share(impact.bad_rate_before)} -> {_share(impact.bad_rate_after)}, "
        f"down {_points(impact.reduction_points)} points ({_share(impact.reduction_relative)} relative), "
        f"lift of the rejected {_fixed(impact.rejected_lift, 2)}"
    )
    return 0


# -- reading through the frames path (the microloan[frames] extra and polars) ---------

_PARQUET = (".parquet", ".pq")
_SNAPSHOT_COLUMNS = (*_AGE_COLUMNS, "on")
_OPTIONAL_COLUMNS = ("max_days_past_due", "first_installment_days_past_due", "first_due")


def _is_parquet(path: str) -> bool:
    return path.lower().endswith(_PARQUET)


def _scan(  # noqa: C901, PLR0911, PLR0912 - one early return per reason to read with the stdlib
    args: argparse.Namespace,
    path: str,
    columns: tuple[str, ...],
    optional: tuple[str, ...] = (),
    *,
    checked: bool = False,
) -> Any:  # noqa: ANN401 - a polars LazyFrame, or None
    """`path` as a lazy polars frame of `columns` (a CSV's as text), streamed by the engine.

    `None` when the stdlib reader should read a CSV instead: without the frames extra
    or polars, text polars cannot split (a delimiter of more than one byte) or that is
    not in its `--encoding`, a column missing (the stdlib reader names it), or a
    `currency` column (one currency per row). A Parquet file needs the extra. A CSV in
    another encoding than UTF-8 (GB18030, say) is transcoded to a temporary UTF-8 copy,
    a block at a time. With `checked`, the report's own pass refuses a ragged line or
    a loan id given twice, so the file is not read first to look for them.
    """
    parquet = _is_parquet(path)
    try:
        import narwhals  # noqa: F401, PLC0415 - only to know the extra is installed
        import polars as pl  # noqa: PLC0415
    except ImportError:
        if parquet:
            raise CommandLineError(
                f"{path}: reading Parquet needs the frames extra and polars: "
                "pip install 'microloan[frames]' polars"
            ) from None
        return None
    if not Path(path).is_file():
        if parquet:
            raise CommandLineError(f"{path}: no such file")
        return None
    if parquet:
        frame = pl.scan_parquet(path)
    elif len(args.delimiter.encode()) != 1:
        return None
    else:
        text: str | None = path
        if codecs.lookup(args.encoding).name not in ("utf-8", "utf-8-sig"):
            text = _utf8_copy(path, args.encoding)
        if text is None:
            return None  # not text in that encoding: the stdlib reader names the line
        frame = pl.scan_csv(text, separator=args.delimiter, infer_schema=False)
    try:
        names = frame.collect_schema().names()
    except Exception as exc:  # noqa: BLE001 - polars' own refusal of the file
        if parquet:
            raise CommandLineError(f"{path}: not a Parquet file polars can read ({exc})") from None
        return None
    missing = [c for c in columns if c not in names]
    renamed = any("_duplicated_" in name for name in names)  # polars' name for a repeat
    if "currency" in names or renamed or (missing and not parquet):
        return None
    if missing:
        raise CommandLineError(f"{path}: no column {missing[0]!r}; it has {', '.join(names)}")
    if not checked and not _well_formed(frame, "loan_id" in columns):
        if parquet:
            raise CommandLineError(f"{path}: a loan id appears twice")
        return None  # the stdlib reader names the line
    return frame.select(*columns, *[c for c in optional if c in names and c not in columns])


_COPIES: list[Any] = []  # the temporary folders of transcoded files, removed by `main`


def _utf8_copy(path: str, encoding: str) -> str | None:
    """A temporary UTF-8 copy of a text file in `encoding`, or `None` if it is not such text.

    Decoded a block at a time, so memory stays bounded whatever the file's size.
    """
    import tempfile  # noqa: PLC0415 - only when transcoding

    folder = tempfile.TemporaryDirectory(prefix="microloan-")
    _COPIES.append(folder)
    target = Path(folder.name) / "utf8.csv"
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with Path(path).open("rb") as source, target.open("w", encoding="utf-8") as out:
            while block := source.read(1 << 20):
                out.write(decoder.decode(block))
            out.write(decoder.decode(b"", final=True))
    except (UnicodeError, OSError):  # UTF-16 without a byte-order mark is a UnicodeError
        return None
    return str(target)


def _well_formed(frame: Any, unique_ids: bool) -> bool:  # noqa: ANN401 - a polars LazyFrame
    """Whether every line has the header's fields (read in full) and, if asked, no loan id twice."""
    import polars as pl  # noqa: PLC0415 - _scan found it

    checks = [pl.all().null_count(), pl.len().alias("__rows")]
    if unique_ids:
        checks.append(pl.col("loan_id").n_unique().alias("__ids"))
    try:
        found = frame.select(*checks).collect().row(0, named=True)
    except Exception:  # noqa: BLE001 - polars' refusal of a ragged line or bad UTF-8
        return False
    return not unique_ids or found["__ids"] == found["__rows"]


def _frame_call(path: str, compute: Callable[[], Any]) -> Any:  # noqa: ANN401
    """Run a report on a frame; a refusal names the file."""
    try:
        return compute()
    except MicroloanError as exc:
        raise CommandLineError(f"{path}: {exc}") from None


def _frame_report(
    args: argparse.Namespace,
    path: str,
    columns: tuple[str, ...],
    compute: Callable[[argparse.Namespace, Any], Any],
    optional: tuple[str, ...] = (),
    *,
    checked: bool = False,
) -> Any:  # noqa: ANN401 - the report, or None for the stdlib reader
    """A report computed by the engine from `path`, or `None` for the stdlib reader.

    A CSV the engine refuses is read again by the stdlib reader, whose message names the
    line; a Parquet file's refusal names the column (and the row where it can).
    """
    frame = _scan(args, path, columns, optional, checked=checked)
    if frame is None:
        return None
    try:
        return compute(args, frame)
    except Exception as exc:  # noqa: BLE001 - the engine's refusal too (bad UTF-8, say)
        if not _is_parquet(path):
            return None  # the stdlib reader names the line
        raise CommandLineError(f"{path}: {exc}") from None


def _aged(args: argparse.Namespace, frame: Any) -> Any:  # noqa: ANN401
    """The report of a file's frame in one pass of the engine (loan ids checked unique)."""
    return ageing_of_loans_file(
        frame, on=args.on, scheme=args.scheme, currency=args.currency, unique="loan_id"
    )


def _snapshot_records(  # noqa: C901 - one branch per kind of field
    rows: Rows, currency: str, columns: tuple[str, ...]
) -> list[LoanRecord]:
    """Records from a CSV by the stdlib reader (no frames extra): each line checked."""
    records = []
    for row in _checked(rows, *columns):
        fields: dict[str, object] = {}
        for name, raw in row.items():
            text = (raw or "").strip()
            if name not in (*columns, *_OPTIONAL_COLUMNS) or (not text and name not in columns):
                continue
            if not text:
                rows.fail(name, text, "is empty")
            if name in ("disbursed", "on", "first_due"):
                fields[name] = iso_date(text) or rows.fail(name, text, "is not a date (YYYY-MM-DD)")
            elif name in ("principal", "outstanding"):
                try:
                    fields[name] = Money(text, currency)
                except MicroloanError as exc:
                    rows.fail(name, text, f"is not an amount ({exc})")
            elif name == "loan_id":
                fields[name] = text
            elif _WHOLE.fullmatch(text) is None:
                rows.fail(name, text, "is not a whole number of days")
            else:
                fields[name] = int(text)
        try:
            records.append(LoanRecord(**fields))  # type: ignore[arg-type]
        except MicroloanError as exc:
            raise CommandLineError(f"{rows.path}, line {rows.line}: {exc}") from None
    return records


def _read_records(args: argparse.Namespace, path: str, columns: tuple[str, ...]) -> Any:  # noqa: ANN401
    """A frame of `path` for a report, or the records the stdlib reader builds."""
    frame = _scan(args, path, columns, _OPTIONAL_COLUMNS)
    if frame is not None:
        return frame
    rows = Rows(path, encoding=args.encoding, delimiter=args.delimiter)
    return _snapshot_records(rows, args.currency, columns)


def _report_rows(args: argparse.Namespace, title: str, rows: list[dict[str, object]]) -> int:
    """Print report rows as a table (shares as percentages), or write them as CSV or JSON."""
    if not rows:
        raise CommandLineError("no loans to report on")
    places = args.places
    if args.format != "table":
        cells = [
            {k: _ratio(v, places, k) if isinstance(v, Decimal) else v for k, v in row.items()}
            for row in rows
        ]
        cells = [
            {k: _amount_of(v) if isinstance(v, Money) else v for k, v in c.items()} for c in cells
        ]
        _write_document(args, {"title": title, "rows": cells}, cells)
        return 0
    print(title)
    names = list(rows[0])
    print("".join(f" {n:>13}" if i else f"{n:<10}" for i, n in enumerate(names)))
    for row in rows:
        shown = [
            _share(v)
            if isinstance(v, Decimal) or v is None
            else f"{_amount_of(v):,.2f}"
            if isinstance(v, Money)
            else str(v)
            for v in row.values()
        ]
        print("".join(f" {t:>13}" if i else f"{t:<10}" for i, t in enumerate(shown)))
    return 0


def _vintage(args: argparse.Namespace) -> int:
    """Vintage curves (the bad share by months on book) per disbursement month, from snapshots.

    Example:
      microloan vintage snapshots.parquet --over 30

    One row per loan and snapshot date: loan_id, disbursed, principal, outstanding,
    days_past_due and on (YYYY-MM-DD), and optionally max_days_past_due. A CSV or a
    Parquet file (integer amounts in a Parquet file are minor units of --currency).
    """
    data = _read_records(args, args.records, _SNAPSHOT_COLUMNS)
    table = _frame_call(args.records, lambda: vintage(data, over=args.over, **_options(data, args)))
    return _report_rows(args, f"Vintage, bad = over {args.over} days past due", table.as_rows())


def _fpd(args: argparse.Namespace) -> int:
    """First-payment default (FPDn) per disbursement month, from one record per loan.

    Example:
      microloan fpd loans.csv --over 30

    Columns: loan_id, disbursed, principal, outstanding, days_past_due, on,
    first_installment_days_past_due and optionally first_due.
    """
    columns = (*_SNAPSHOT_COLUMNS, "first_installment_days_past_due")
    data = _read_records(args, args.records, columns)
    table = _frame_call(
        args.records, lambda: first_payment_default(data, over=args.over, **_options(data, args))
    )
    return _report_rows(args, f"FPD{args.over} by disbursement month", table.as_rows())


def _roll(args: argparse.Namespace) -> int:
    """Roll rates: where each bucket's loans moved between two snapshots, joined by loan id.

    Example:
      microloan roll may.csv june.csv --start 2026-05-31 --end 2026-06-30

    Both files have loan_id, disbursed, principal, outstanding and days_past_due.
    """
    before = _read_records(args, args.before, _AGE_COLUMNS)
    after = _read_records(args, args.after, _AGE_COLUMNS)
    table = _frame_call(
        args.before,
        lambda: roll_rates(
            before,
            after,
            start=args.start,
            end=args.end,
            scheme=args.scheme,
            **_options(before, args),
        ),
    )
    return _report_rows(args, f"Roll rates {args.start} -> {args.end}", table.as_rows())


def _options(data: object, args: argparse.Namespace) -> dict[str, Any]:
    """The currency of a frame's amounts (records carry their own)."""
    return {} if isinstance(data, list) else {"currency": args.currency}


def _fixed(value: object, places: int) -> str:
    if not isinstance(value, Decimal):
        return "-"
    return f"{value.quantize(Decimal(1).scaleb(-places), context=CONTEXT):f}"


def _points(value: object) -> str:
    if not isinstance(value, Decimal):
        return "-"
    return _fixed(value.scaleb(2, CONTEXT), 2)


def _plain(value: object) -> object:
    return _decimal_text(value) if isinstance(value, Decimal) else value


def _payment(text: str) -> tuple[date, str]:
    day, sep, amount = text.partition(":")
    if not sep:
        msg = f"{text!r} is not DATE:AMOUNT, e.g. 2026-02-15:916.80"
        raise argparse.ArgumentTypeError(msg)
    return parse_date(day), amount


def _payoff(args: argparse.Namespace) -> int:
    """What closes a loan on a date, after the payments made so far.

    Example:
      microloan payoff --principal 10000 --rate 18% --term 12 --start 2026-01-15 --on 2026-04-20 --paid 2026-02-15:916.80 --paid 2026-03-15:916.80

    The quote states the servicing terms it assumed: the penalty rate
    (--penalty-rate 1.5x, 1.3x, none or a rate such as 0.075%/day), the grace
    days (--grace-days), the allocation order of a payment (--allocation) and
    the days in a year (--days-in-year).
    """
    schedule = _schedule_from(args)
    penalty = _penalty_rate(args.penalty_rate, args.rate_unit)
    loan = Loan.from_schedule(
        schedule,
        penalty_rate=penalty,
        grace_days=args.grace_days,
        allocation=args.allocation.replace("-", "_"),
    )
    for day, amount in args.paid:
        loan = loan.repay(_money(amount, args.currency, "paid"), on=day)
    position = loan.position(on=args.on)
    applied = loan.terms.penalty_for(schedule.rate)
    lines: dict[str, object] = {
        "on": args.on,
        "status": position.status,
        "days_past_due": position.days_past_due,
        "principal_outstanding": position.principal_outstanding.amount,
        "interest_accrued": position.interest_accrued.amount,
        "penalty_outstanding": position.penalty_outstanding.amount,
        "fees_outstanding": position.fees_outstanding.amount,
        "credit": position.credit.amount,
        "payoff_amount": position.payoff_amount.amount,
    }
    assumed: dict[str, object] = {
        "penalty_rate": applied.value,
        "penalty_rate_unit": applied.unit,
        "penalty_preset": None if isinstance(penalty, Rate) else penalty,
        "grace_days": args.grace_days,
        "allocation": args.allocation,
        "days_in_year": schedule.days_in_year,
    }
    if args.format != "table":
        document = {**lines, "currency": schedule.principal.currency, **assumed}
        _write_document(args, document, [document])
        return 0
    if isinstance(penalty, Rate):
        penalty_text = str(applied)
    elif penalty == "none":
        penalty_text = "none"
    else:
        penalty_text = f"{applied} ({penalty} the contract rate)"
    shown: dict[str, object] = {
        **lines,
        "penalty_rate": penalty_text,
        "grace_days": args.grace_days,
        "allocation": args.allocation,
        "days_in_year": schedule.days_in_year,
    }
    width = max(map(len, shown))
    for name, value in shown.items():
        text = value.isoformat() if isinstance(value, date) else value
        if isinstance(text, Decimal):
            text = f"{text:,.2f} {schedule.principal.currency}"
        print(f"{name.replace('_', ' '):<{width}}  {text}")
    return 0


def _write_document(
    args: argparse.Namespace, document: dict[str, object], rows: list[dict[str, object]]
) -> None:
    """Write `document` as JSON, or `rows` as CSV (decimals as plain text), as --format asks."""
    if args.format == "json":
        json.dump(document, sys.stdout, indent=2, default=_json_default, ensure_ascii=False)
        print()
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _csv_value(v) for k, v in row.items()} for row in rows)


def _csv_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return _plain(value)


def _share(value: object) -> str:
    if not isinstance(value, Decimal):
        return "-"
    return _percent(value)


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Money):
        return _decimal_text(value.amount)
    msg = f"cannot write {type(value).__name__} as JSON"
    raise TypeError(msg)


def _checked(rows: Rows, *columns: str) -> Iterator[dict[str, str]]:
    """Iterate `rows`, checking the header has `columns` before the first row."""
    iterator = iter(rows)
    try:
        first = next(iterator)
    except StopIteration:
        rows.require(*columns)
        return
    rows.require(*columns)
    yield first
    yield from iterator


_FORMATS = ("table", "csv", "json")

#: What `--plot FILE` writes, by the file's extension.
_PLOT_FORMATS = (".png", ".svg", ".pdf")


def _plot_file(text: str) -> Path:
    """`--plot FILE`: a file name ending in .png, .svg or .pdf."""
    path = Path(text)
    if path.suffix.lower() not in _PLOT_FORMATS:
        msg = f"{text!r} does not end in {', '.join(_PLOT_FORMATS)}"
        raise argparse.ArgumentTypeError(msg)
    return path


def _add_plot_argument(parser: _Parser) -> None:
    parser.add_argument(
        "--plot",
        type=_plot_file,
        default=None,
        metavar="FILE.png",
        help="also draw the chart to FILE (.png, .svg or .pdf, by its extension); needs"
        " matplotlib: pip install 'microloan[plot]'",
    )


def _save_plot(path: Path | None, draw: Callable[[], Figure]) -> None:
    """Draw the chart and write it to `path` (before any output, so a failure prints nothing)."""
    if path is None:
        return
    figure = draw()
    try:
        figure.savefig(path, format=path.suffix.lower()[1:], dpi=150)
    except OSError as exc:
        raise CommandLineError(f"--plot: cannot write {path}: {exc.strerror or exc}") from None


def _add_command(
    commands: argparse._SubParsersAction[_Parser],
    name: str,
    handler: Command,
    formats: tuple[str, ...] = (),
) -> _Parser:
    """The command `name` run by `handler`; `formats` are its `--format` choices.

    Its help is the handler's docstring: the summary line is the description (and,
    lower-cased, the line in `microloan --help`), the rest, with its example, the epilog.
    """
    summary, _, rest = (inspect.getdoc(handler) or "").partition("\n\n")
    parser = commands.add_parser(
        name,
        help=summary[:1].lower() + summary[1:].removesuffix("."),
        description=summary,
        epilog=rest,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    if formats:
        output = parser.add_argument_group("the output")
        output.add_argument(
            "--format",
            choices=formats,
            default="table",
            help=f"{', '.join(formats)} (default table)",
        )
        output.add_argument(
            "--places",
            type=_places,
            default=None,
            metavar="N",
            help=f"round computed rates and ratios in {' and '.join(formats[1:])} to N decimal"
            f" places, half-even (0 to {MAX_PLACES}; default: as computed); amounts keep"
            " their currency's minor units",
        )
    return parser


def _add_csv_command(
    commands: argparse._SubParsersAction[_Parser],
    name: str,
    handler: Command,
    data: tuple[str, str, str],
) -> _Parser:
    """A command that reads a CSV: `data` is its (dest, metavar, help), then how to read it."""
    parser = _add_command(commands, name, handler, _FORMATS)
    dest, metavar, description = data
    parser.add_argument(dest, metavar=metavar, help=description)
    reading = parser.add_argument_group("reading the CSV")
    reading.add_argument(
        "--encoding",
        type=_encoding,
        default=DEFAULT_ENCODING,
        help=f"the file's text encoding, e.g. gb18030, gbk, utf-16 (default {DEFAULT_ENCODING}:"
        " UTF-8, with or without a byte-order mark)",
    )
    reading.add_argument(
        "--delimiter",
        type=_delimiter,
        default=",",
        help="the field separator, one character; \\t or tab for a tab (default ,)",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    """Build the `microloan` argument parser with every command."""
    parser = _Parser(
        prog="microloan",
        description="Exact arithmetic for online micro-lending.",
        epilog="Example:\n  microloan demo",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"microloan {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    schedule = _add_command(commands, "schedule", _schedule, _FORMATS)
    _add_loan_arguments(schedule)
    schedule.add_argument("--fee", default=None, help="an upfront fee, for the APR")
    _add_plot_argument(schedule)

    apr_parser = _add_command(commands, "apr", _apr, ("table", "json"))
    apr_parser.add_argument(
        "--flows", default=None, help="comma-separated flows, the amount received first (negative)"
    )
    apr_parser.add_argument("--periods-per-year", default="12", help="for --flows (default 12)")
    _add_loan_arguments(apr_parser, required=False, title="or a loan")
    apr_parser.add_argument(
        "--fee", default=None, help="an upfront fee deducted from the amount lent"
    )

    age = _add_csv_command(commands, "age", _age, ("records", "RECORDS.csv", "the loan records"))
    age.add_argument("--on", type=parse_date, required=True, help="the report date")
    age.add_argument("--scheme", choices=("m", "us", "five-tier"), default="m")
    age.add_argument("--currency", default="CNY", help="when the CSV has no currency column")
    _add_plot_argument(age)

    lift = _add_csv_command(
        commands, "lift", _lift, ("data", "DATA.csv", "one row per applicant or loan")
    )
    lift.add_argument("--value", required=True, metavar="COLUMN", help="the variable to bin")
    lift.add_argument("--bad", required=True, metavar="COLUMN", help="the 0/1 bad flag")
    lift.add_argument("--bins", type=_bins_argument, default=10, help="N, or cut points a,b,c")
    lift.add_argument("--categorical", action="store_true", help="treat values as labels")
    _add_plot_argument(lift)

    for name, handler in (("vintage", _vintage), ("fpd", _fpd)):
        report = _add_csv_command(
            commands, name, handler, ("records", "RECORDS", "the loan records (CSV or Parquet)")
        )
        report.add_argument("--over", type=int, default=30, help="bad: over N days past due")
        report.add_argument("--currency", default="CNY", help="the amounts' currency")
    roll = _add_csv_command(
        commands, "roll", _roll, ("before", "BEFORE", "the first snapshot (CSV or Parquet)")
    )
    roll.add_argument("after", metavar="AFTER", help="the second snapshot")
    roll.add_argument("--start", type=parse_date, required=True, help="the first snapshot's date")
    roll.add_argument("--end", type=parse_date, required=True, help="the second snapshot's date")
    roll.add_argument("--scheme", choices=("m", "us", "five-tier"), default="m")
    roll.add_argument("--currency", default="CNY", help="the amounts' currency")

    payoff = _add_command(commands, "payoff", _payoff, _FORMATS)
    _add_loan_arguments(payoff)
    payoff.add_argument("--on", type=parse_date, required=True, help="the payoff date")
    payoff.add_argument(
        "--paid",
        type=_payment,
        action="append",
        default=[],
        metavar="DATE:AMOUNT",
        help="a payment made (repeat for several)",
    )
    servicing = payoff.add_argument_group("the servicing terms")
    servicing.add_argument(
        "--penalty-rate",
        default="1.5x",
        metavar="RATE",
        help=f"{', '.join(_PRESETS)} (of the contract rate), or a rate such as 0.075%%/day,"
        " 2.25%%/month or 27%%/year (without a unit, per --rate-unit); default 1.5x",
    )
    servicing.add_argument(
        "--grace-days",
        type=_grace_days,
        default=0,
        metavar="N",
        help="days after a due date in which no penalty accrues (default 0)",
    )
    servicing.add_argument(
        "--allocation",
        choices=_ALLOCATIONS,
        default="oldest-first",
        help="the order a payment settles what is due (default oldest-first)",
    )

    _add_command(commands, "demo", _demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: `sys.argv[1:]`) and return the exit status.

    Examples:
        >>> main(["demo"])  # doctest: +ELLIPSIS
        microloan — a tour of what the library does today
        ...
        0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        _check_places(args)
        return handler(args)
    except BrokenPipeError:  # `microloan schedule ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        _fail(f"microloan {args.command}: interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - every failure is one line, a bug too
        return _fail(f"microloan {args.command}: {_failure(exc)}")
    finally:
        while _COPIES:  # the transcoded copies of the files read
            _COPIES.pop().cleanup()


def _check_places(args: argparse.Namespace) -> None:
    """`--places` rounds CSV and JSON output: with the table it is refused, not ignored."""
    if getattr(args, "places", None) is not None and args.format == "table":
        raise CommandLineError(
            f"--places: {args.places} applies to --format csv or json, not to the "
            "table (which rounds as it shows)"
        )


def _failure(exc: Exception) -> str:
    """What a failure says after `microloan COMMAND: `."""
    if isinstance(exc, CommandLineError | MicroloanError):
        return f"error: {exc}"
    if isinstance(exc, UnicodeEncodeError):  # Chinese labels to a terminal set to ASCII, say
        text = exc.object[exc.start : exc.end]
        return (
            f"error: cannot write {text!r} in {exc.encoding}, the encoding of standard output; "
            "set PYTHONIOENCODING=utf-8"
        )
    return f"internal error ({type(exc).__name__}): {exc}"


def _fail(message: str) -> int:
    """Print `message` as one line on standard error; the exit status of a failure."""
    print(" ".join(message.splitlines()), file=sys.stderr)
    return EXIT_USAGE
