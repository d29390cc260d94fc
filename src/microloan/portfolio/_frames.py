"""Reports over DataFrames: the engine counts, microloan computes.

A report over a frame (pandas, polars, PyArrow, DuckDB, Dask, PySpark … anything
Narwhals reads) runs in two stages. Stage 1, written here once against Narwhals,
turns the columns a report reads into integers (minor units, days, month indexes)
and group-bys them into integer counts and sums, inside the engine that holds the
data; stage 2 is the report's own exact code, fed the small aggregate. Stage 1 only
adds integers, so a report is the same, digit for digit, on every engine and on the
pure-Python path.

Narwhals (the `microloan[frames]` extra) is imported here, inside the functions,
never when `microloan` is imported. The names here are the wing's internal API.
"""

# Narwhals expressions and native frames are dynamically typed: Any is their honest type.
# ruff: noqa: ANN401

from __future__ import annotations

import contextlib
import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import repeat
from typing import Any, Final, Literal, Protocol, get_args

import attrs

from microloan.errors import (
    InvalidRecordError,
    InvalidTypeError,
    InvalidValueError,
    MicroloanError,
    invalid,
    wrong_type,
)
from microloan.money import CURRENCY_MINOR_UNITS, Money

FloatAmounts = Literal["reject", "round"]
"""What a report does with a float amount column: refuse it as `Money` does (`"reject"`,
the default) or take the nearest minor unit (`"round"`), refusing a value that is not
within a millionth of one."""

MoneyAs = Literal["decimal", "minor_units"]
"""How `to_frame` writes money: `Decimal` amounts (`"decimal"`) or integer minor units."""

RatesAs = Literal["decimal", "float"]
"""How `to_frame` writes shares and rates: exact `Decimal`s (`"decimal"`) or floats."""

Backend = Literal["pandas", "polars", "pyarrow"]
"""The frame library `to_frame` builds."""


class FrameLike(Protocol):
    """A DataFrame of any library Narwhals reads: each has its `columns` (a static type).

    pandas, polars (eager and lazy), PyArrow tables, DuckDB relations, Dask and PySpark
    DataFrames qualify.
    """

    @property
    def columns(self) -> Any:
        """The frame's columns (names or arrays, as the library has it)."""
        ...  # pragma: no cover


#: The top-level modules whose objects are frames a report reads through Narwhals.
_FRAME_MODULES: Final = frozenset(
    {"pandas", "polars", "pyarrow", "duckdb", "dask", "dask_expr", "pyspark", "narwhals"}
    | {"modin", "cudf", "ibis", "sqlframe"}
)
_ROW: Final = "__microloan_row"
_TOLERANCE: Final = Decimal("0.000001")  # float_amounts="round": a millionth of a minor unit


def is_frame(obj: object) -> bool:
    """Whether `obj` is a DataFrame (or a lazy frame) of a library Narwhals reads.

    Decided from the object's module, so that no frame library is imported to ask.
    A Series is not a frame (the score metrics read those as iterables).
    """
    module = type(obj).__module__.partition(".")[0]
    if module not in _FRAME_MODULES:
        return False
    kind = type(obj)  # the class, so that no lazy frame resolves its schema to answer
    return any(hasattr(kind, name) for name in ("columns", "column_names", "schema"))


def narwhals() -> Any:
    """The narwhals module, or a clear refusal naming the extra to install."""
    try:
        import narwhals.stable.v2 as nw  # noqa: PLC0415 - the extra is optional
    except ImportError:  # pragma: no cover - the test extra installs it
        raise InvalidTypeError(
            "frame: reading a DataFrame needs narwhals: pip install 'microloan[frames]'"
        ) from None
    return nw


def check_option(name: str, value: object, options: Any) -> Any:
    choices = get_args(options)
    if value not in choices:
        raise invalid(name, value, f"must be one of {', '.join(map(repr, choices))}")
    return value


@attrs.frozen(kw_only=True)
class Options:
    """How a report reads a frame: the `columns=`, `currency=` and `float_amounts=` passed."""

    columns: Mapping[str, str] | None = None
    currency: str | None = None
    float_amounts: FloatAmounts = "reject"


def frame_options(
    records: object,
    *,
    columns: Mapping[str, str] | None,
    currency: str | None,
    float_amounts: FloatAmounts,
) -> Options | None:
    """The reading options if `records` is a frame; else `None`, refusing a frame-only option."""
    if is_frame(records):
        return Options(columns=columns, currency=currency, float_amounts=float_amounts)
    given = {"columns": columns, "currency": currency, "float_amounts": float_amounts}
    for name, value in given.items():
        if value is not None and value != "reject":
            raise invalid(name, value, "applies to a DataFrame input only")
    return None


class Source:
    """A frame, the column each field is read from, and the expressions that read them.

    Each `*_expr` method returns a Narwhals expression of integers and registers the
    checks that guard it (each a 0/1 column summed in the one group-by that stage 1
    runs); `run` runs the group-by and, when a check fails, finds the first bad row
    and raises the error the pure-Python path would.
    """

    def __init__(
        self,
        native: object,
        options: Options,
        *,
        argument: str = "records",
    ) -> None:
        nw = self.nw = narwhals()
        columns, currency = options.columns, options.currency
        float_amounts = options.float_amounts
        check_option("float_amounts", float_amounts, FloatAmounts)
        if columns is None:
            columns = {}
        if not isinstance(columns, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            raise invalid("columns", columns, "must map field names to column names (str → str)")
        if currency is not None and currency not in CURRENCY_MINOR_UNITS:
            raise invalid("currency", currency, "is not a known ISO 4217 currency")
        try:
            frame = nw.from_native(native)
        except TypeError as exc:
            raise InvalidTypeError(
                f"{argument}: {type(native).__name__} is not a frame ({exc})"
            ) from None
        self.native = native
        self.eager = isinstance(frame, nw.DataFrame)
        self.frame = frame
        self.columns = dict(columns)
        self.schema: dict[str, Any] = dict(frame.collect_schema())
        self.currency = currency
        self.float_amounts = float_amounts
        self.checks: list[tuple[str, str, Any, Callable[[dict[str, Any]], MicroloanError]]] = []
        self.derived: dict[str, Any] = {}
        for field, column in self.columns.items():
            if column not in self.schema:
                raise invalid("columns", {field: column}, f"names no column of {list(self.schema)}")

    # -- columns ----------------------------------------------------------------
    def name(self, field: str) -> str:
        return self.columns.get(field, field)

    def has(self, field: str) -> bool:
        return self.name(field) in self.schema

    def require(self, field: str) -> str:
        column = self.name(field)
        if column not in self.schema:
            mapped = f" (mapped by columns= to {column!r})" if field in self.columns else ""
            raise invalid(
                field, column, f"is not a column of the frame{mapped}; it has {list(self.schema)}"
            )
        return column

    @property
    def minor(self) -> int:
        return CURRENCY_MINOR_UNITS[self.currency or "CNY"]

    def column(self, name: str, expr: Any) -> Any:
        """`expr` computed once, as a column of the frame (`__{name}`); a reference to it.

        An engine evaluates each branch of a `when` on its own, and polars does not
        share a subexpression across them: the text of an amount, stripped and matched
        against its patterns, would be computed once for every branch that reads it.
        Made a column, it is computed once per row. A Dask frame's partitions each
        compute it (the frame's native form is kept in step).
        """
        label = f"__{name}"
        with engine_errors():  # an eager frame computes it at once: its refusal is bad data
            self.frame = self.frame.with_columns(**{label: expr})
            self.native = self.frame.to_native()
        return self.nw.col(label)

    def check(
        self, field: str, bad: Any, error: Callable[[dict[str, Any]], MicroloanError]
    ) -> None:
        flag = f"__bad{len(self.checks)}"
        self.derived[flag] = bad.fill_null(value=False).cast(self.nw.Int64())  # 1 where it fails
        self.checks.append((flag, field, bad, error))

    def not_null(self, field: str) -> None:
        column = self.require(field)
        self.check(
            field,
            self.nw.col(column).is_null(),
            lambda row: self.record_error(row, f"{field} (column {column!r}): is missing"),
        )

    def record_error(self, row: dict[str, Any], reason: str) -> MicroloanError:
        loan_id = row.get(self.name("loan_id")) if self.has("loan_id") else None
        index = row.get(_ROW)
        if loan_id is None and index is None:
            return InvalidRecordError("?", reason)
        return InvalidRecordError(loan_id, reason, index=index)

    def days_expr(self, field: str, *, optional: bool = False) -> Any:
        """Whole days (an integer column): refused if fractional, negative or missing."""
        nw = self.nw
        column = self.require(field)
        dtype = self.schema[column]
        if not optional:
            self.not_null(field)
        if dtype == nw.String:  # text, as a CSV holds it: ASCII digits only
            text = self.column(f"{field}_text", nw.col(column).str.strip_chars())
            whole = self.column(f"{field}_whole", text.str.contains("^[0-9]{1,9}$", literal=False))
            self.check(
                field,
                ~nw.col(column).is_null() & ~whole,
                lambda row: self.record_error(
                    row,
                    f"{field} (column {column!r}): {row[column]!r} is not a whole number of days",
                ),
            )
            # a null stays null
            return self.column(f"{field}_days", nw.when(whole).then(text).cast(nw.Int64()))
        if not dtype.is_integer():
            if dtype.is_float():
                col = nw.col(column)
                self.check(
                    field,
                    ~col.is_null() & (col != col.round(0)),
                    lambda row: self.record_error(
                        row,
                        f"{field} (column {column!r}): {row[column]!r} is not a whole number of days",
                    ),
                )
                expr = nw.when(~col.is_null() & (col == col.round(0))).then(col).cast(nw.Int64())
            else:
                raise InvalidTypeError(
                    f"{field}: column {column!r} is {dtype}, not a whole number of days (int)"
                )
        else:
            expr = nw.col(column)  # kept as it is: a cast would refuse a nullable column's nulls
        self.check(
            field,
            expr < 0,
            lambda row: self.record_error(
                row, f"{field} (column {column!r}): {row[column]!r} must not be negative"
            ),
        )
        return expr

    def units_expr(self, field: str) -> Any:
        """An amount column as integer minor units, checked as `LoanRecord` checks it."""
        nw = self.nw
        column = self.require(field)
        dtype = self.schema[column]
        col = nw.col(column)
        minor = self.minor
        code = self.currency or "CNY"
        self.not_null(field)
        if dtype.is_integer():
            if self.currency is None:
                raise invalid(
                    "currency",
                    None,
                    f"must be given: column {column!r} holds integers, read as minor units "
                    "of the currency= passed",
                )
            units = col if dtype == nw.Int64 else col.cast(nw.Int64())
        elif dtype.is_float():
            if self.float_amounts != "round":
                self.check(
                    field,
                    ~col.is_null(),
                    lambda row: _float_refusal(field, column, row),
                )
                units = nw.lit(0)
            else:
                scaled = col * (10**minor)
                units = scaled.round(0).cast(nw.Int64())
                off = (scaled - scaled.round(0)).abs() > float(_TOLERANCE)
                self.check(
                    field,
                    ~col.is_null() & off,
                    lambda row: self.record_error(
                        row,
                        f"{field} (column {column!r}): {row[column]!r} is not within a "
                        f"millionth of a whole {code} minor unit",
                    ),
                )
                units = nw.when(~col.is_null() & ~off).then(units).otherwise(nw.lit(0))
        elif dtype == nw.String or isinstance(dtype, nw.Decimal) or dtype == nw.Object:
            units = self.column(f"{field}_units", self._decimal_text(field, column, minor))
        else:
            raise InvalidTypeError(
                f"{field}: column {column!r} is {dtype}; amounts are integers (minor units, with "
                "currency=), Decimals or decimal strings"
            )
        self.check(
            field,
            units < 0,
            lambda row: self.record_error(
                row,
                f"{field} (column {column!r}): {row[column]!r} must not be negative",
            ),
        )
        return units

    def _decimal_text(self, field: str, column: str, minor: int) -> Any:
        """Parse decimal text (or a Decimal column, written as text) into minor units, exactly.

        A plain decimal with at most 18 significant integer digits less the minor places
        is parsed in the engine; any other text is refused, with the reason the pure-Python
        path gives for it.
        """
        nw = self.nw
        text = self.column(f"{field}_text", nw.col(column).cast(nw.String()).str.strip_chars())
        places = f"\\.[0-9]{{0,{minor}}}0*" if minor else r"\.0*"
        pattern = f"^-?[0-9]{{1,{18 - minor}}}(?:{places})?$"
        # The common amount, at most 15 digits in all before the zeros, is read as a float
        # and scaled: a decimal of 15 significant digits is the float nearest to it, and
        # the scaled value (below 2**50) is within a quarter of its whole minor units, so
        # rounding gives them exactly. Longer text is taken apart digit by digit.
        short = self.column(
            f"{field}_short",
            text.str.contains(f"^-?[0-9]{{1,{15 - minor}}}(?:{places})?$", literal=False),
        )
        rest = nw.when(~short).then(text)  # null where the quick path reads it
        plain = self.column(f"{field}_plain", short | rest.str.contains(pattern, literal=False))
        code = self.currency or "CNY"

        def refusal(row: dict[str, Any]) -> MicroloanError:
            value = row[column]
            try:
                amount = Money(value if isinstance(value, Decimal) else str(value), code)
            except MicroloanError as exc:
                return self.record_error(row, f"{field} (column {column!r}): {exc}")
            reason = "is too large for a single loan"
            if amount.is_whole and abs(amount.amount) < 1:  # pragma: no cover - no such text
                reason = "is not a plain decimal number"
            elif not amount.is_whole:
                reason = f"must be in whole {code} minor units"
            return self.record_error(row, f"{field} (column {column!r}): {amount!r} {reason}")

        self.check(field, ~nw.col(column).is_null() & ~plain.fill_null(value=False), refusal)
        scaled = nw.when(short).then(text).otherwise(nw.lit("0")).cast(nw.Float64()) * (10**minor)
        quick = scaled.round(0).cast(nw.Int64())
        safe = nw.when(plain & ~short).then(text).otherwise(nw.lit("0"))  # "0": read quickly
        negative = safe.str.starts_with("-")
        whole = safe.str.replace_all(r"^-", "", literal=False).str.replace_all(
            r"\..*$", "", literal=False
        )
        units = whole.cast(nw.Int64()) * (10**minor)
        if minor:
            fraction = (
                safe.str.replace_all(r"^[^.]*\.?", "", literal=False)
                .str.slice(0, minor)
                .str.pad_end(minor, "0")
            )
            units = units + fraction.cast(nw.Int64())
        slow = nw.when(negative).then(-units).otherwise(units)
        return nw.when(short).then(quick).otherwise(nw.when(plain).then(slow).otherwise(0))

    def date_expr(self, field: str, *, optional: bool = False) -> Any:
        """A date column (Date, Datetime) as-is, refused if missing where required."""
        column = self.require(field)
        dtype = self.schema[column]
        nw = self.nw
        if not optional:
            self.not_null(field)
        if dtype == nw.String:  # ISO dates as text, as a CSV holds them
            text = self.column(f"{field}_text", nw.col(column).str.strip_chars())
            iso = self.column(
                f"{field}_iso", text.str.contains("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", literal=False)
            )
            self.check(
                field,
                ~nw.col(column).is_null() & ~iso,
                lambda row: self.record_error(
                    row, f"{field} (column {column!r}): {row[column]!r} is not a date (YYYY-MM-DD)"
                ),
            )
            # a null stays null
            return self.column(f"{field}_day", nw.when(iso).then(text).str.to_date("%Y-%m-%d"))
        if not (dtype == nw.Date or isinstance(dtype, nw.Datetime) or dtype == nw.Object):
            raise InvalidTypeError(f"{field}: column {column!r} is {dtype}, not a date column")
        return nw.col(column)

    def month_expr(self, expr: Any) -> Any:
        """A date expression as a month index, `year × 12 + month − 1`."""
        nw = self.nw
        return expr.dt.year().cast(nw.Int64()) * 12 + expr.dt.month().cast(nw.Int64()) - 1

    def _datetime(self, field: str) -> bool:
        return isinstance(self.schema[self.name(field)], self.nw.Datetime)

    def after(self, expr: Any, field: str, day: date) -> Any:
        """Whether the date expression of `field` (from `date_expr`) falls after `day`.

        A comparison with a literal of the column's own kind: cheaper than taking the
        date apart, and each engine compares its dates exactly.
        """
        if self._datetime(field):
            return expr >= datetime.combine(day + timedelta(days=1), time())
        return self.day_expr(expr) > day_number(day) if self._object(field) else expr > day

    def not_on(self, expr: Any, field: str, day: date) -> Any:
        """Whether the date expression of `field` falls on another day than `day`."""
        if self._datetime(field):
            start = datetime.combine(day, time())
            return (expr < start) | (expr >= start + timedelta(days=1))
        return self.day_expr(expr) != day_number(day) if self._object(field) else expr != day

    def _object(self, field: str) -> bool:
        return bool(self.schema[self.name(field)] == self.nw.Object)

    def day_expr(self, expr: Any) -> Any:
        """A date expression as one integer that orders as dates do, `yyyymmdd`."""
        nw = self.nw
        year = expr.dt.year().cast(nw.Int64())
        return (
            year * 10_000 + expr.dt.month().cast(nw.Int64()) * 100 + expr.dt.day().cast(nw.Int64())
        )

    # -- running -----------------------------------------------------------------
    def run(
        self, keys: Mapping[str, Any], sums: Mapping[str, Any], *, null_keys: bool = True
    ) -> list[dict[str, Any]]:
        """Group by `keys` and sum each of `sums` (name → integer expression), and count.

        Every registered check is summed in the same pass; a failed check raises the
        error for the first bad row found. Only sums and counts: partial results of
        any partition of the rows add up to the whole, so a partitioned engine (Dask)
        runs the whole of stage 1 on each partition, as one task, and the partial
        aggregates are added here.
        """
        nw = self.nw
        derived = {f"__key_{k}": v for k, v in keys.items()}
        derived.update({f"__sum_{k}": v for k, v in sums.items()})
        derived["__bad"] = self.failures()
        summaries = [nw.col(f"__sum_{k}").sum().alias(k) for k in sums]
        summaries += [nw.col("__bad").sum(), nw.len().alias("__len")]
        names = [f"__key_{k}" for k in keys]

        def stage(frame: Any) -> Any:
            frame = frame.with_columns(**derived)
            if names:
                # keys that cannot be null (`null_keys=False`) group faster in pandas
                return frame.group_by(*names, drop_null_keys=not null_keys).agg(*summaries)
            return frame.select(*summaries)

        with engine_errors():
            if type(self.native).__module__.startswith(("dask.", "dask_expr")):
                grouped = nw.from_native(_per_partition(self.native, stage, nw))
            else:
                grouped = stage(self.frame)
                if not self.eager:
                    grouped = grouped.collect()
            found = grouped.rows(named=True)
        totals = _add_up(found, names)
        if any(total["__bad"] for total in totals.values()):
            self.raise_failed()
        return [
            {**dict(zip(keys, key, strict=True)), **{k: t[k] for k in sums}, "__len": t["__len"]}
            for key, t in totals.items()
        ]

    def failures(self) -> Any:
        """One expression of every registered check: how many fail on each row.

        A stage sums this one column (per group, with many groups), not one per check;
        the checks are told apart by `raise_failed`, only once one has failed.
        """
        nw = self.nw
        bad = [check[2] for check in self.checks]
        if not bad:
            return nw.lit(0).cast(nw.Int64())
        anyone = functools.reduce(operator.or_, bad[1:], bad[0])  # Kleene: a null is no failure
        return anyone.fill_null(value=False).cast(nw.Int64())

    def raise_failed(self) -> None:
        """Raise the error of the first registered check that fails, for its first bad row."""
        nw = self.nw
        with engine_errors():
            flags = {flag: self.derived[flag] for flag, *_ in self.checks}
            counted = self.frame.with_columns(**flags).select(  # a literal check broadcast
                *[nw.col(flag).sum() for flag in flags]
            )
            if not self.eager:
                counted = counted.collect()
            failed = counted.rows(named=True)[0]
        for flag, _field, bad, error in self.checks:
            if failed[flag]:
                raise error(self.first_bad(bad))
        raise InvalidValueError(  # pragma: no cover - a check failed in the stage
            "records: a check failed in the engine's pass and not when looked for again"
        )

    def value_sums(self, key_column: str, flag: Any) -> tuple[dict[Any, Any], dict[Any, Any]]:
        """Rows and the sum of `flag` per distinct value of `key`, nulls and NaN under `None`.

        Columnar: a million distinct values come back as two lists, not a million rows.
        """
        key = self.nw.col(key_column)
        nw = self.nw
        if self.schema[key_column].is_float():
            key = key.fill_nan(None)  # NaN is missing, as None is: one key
        derived = {"__key": key, "__flag": flag, "__bad": self.failures()}
        summaries = [nw.col("__flag").sum().alias("__sum"), nw.len().alias("__len")]
        summaries.append(nw.col("__bad").sum())

        def stage(frame: Any) -> Any:
            frame = frame.with_columns(**derived)
            return frame.group_by("__key", drop_null_keys=False).agg(*summaries)

        with engine_errors():
            partitioned = type(self.native).__module__.startswith(("dask.", "dask_expr"))
            if partitioned:
                grouped = nw.from_native(_per_partition(self.native, stage, nw))
            else:
                grouped = stage(self.frame)
                if not self.eager:
                    grouped = grouped.collect()
            columns = {n: grouped.get_column(n).to_list() for n in grouped.columns}
        if any(columns["__bad"]):
            self.raise_failed()
        keys, counts, flags = columns["__key"], columns["__len"], columns["__sum"]
        if not partitioned:  # one row per distinct key (NaN made null in the engine)
            return dict(zip(keys, counts, strict=True)), dict(zip(keys, flags, strict=True))
        totals: dict[Any, int] = {}
        sums: dict[Any, int] = {}
        for value, count, total in zip(keys, counts, flags, strict=True):
            key = None if is_null(value) else value
            totals[key] = totals.get(key, 0) + int(count)
            sums[key] = sums.get(key, 0) + int(total or 0)
        return totals, sums

    def first_bad(self, bad: Any) -> dict[str, Any]:
        """The first row where `bad` holds, with its position when the frame is eager."""
        frame = self.frame
        if self.eager:
            frame = frame.with_row_index(_ROW)
        with engine_errors():
            found = frame.filter(bad).head(1)
            if not self.eager:
                found = found.collect()
            rows: list[dict[str, Any]] = found.rows(named=True)
        return rows[0] if rows else {}


def _float_refusal(field: str, column: str, row: Mapping[str, Any]) -> MicroloanError:
    """Money's refusal of a float, naming the column (and the row, when known)."""
    value = row[column]
    try:
        Money(value)
    except MicroloanError as exc:
        reason = str(exc).removeprefix("amount: ")
    else:  # pragma: no cover - Money refuses every float
        reason = f"{value!r} is a float"
    where = "" if row.get(_ROW) is None else f"records[{row[_ROW]}]: "
    return InvalidTypeError(
        f'{where}{field} (column {column!r}): {reason}; or pass float_amounts="round"'
    )


def _add_up(found: list[dict[str, Any]], names: list[str]) -> dict[tuple[Any, ...], dict[str, int]]:
    """The partial aggregates added up per key (the key columns are `names`)."""
    totals: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in found:
        if not row["__len"]:
            continue  # an empty partition's (or frame's) zero sums
        key = tuple(row[n] for n in names)
        total = totals.setdefault(key, dict.fromkeys(row, 0))
        for name, value in row.items():
            if name not in names:
                total[name] += int(value or 0)
    return totals


@contextlib.contextmanager
def engine_errors() -> Iterator[None]:
    """Turn an engine's own refusal of the data into a `MicroloanError` naming its cause.

    The columns are checked before the engine computes; what the engine still refuses
    (a value it cannot cast, a type Narwhals cannot read) is bad data all the same.
    """
    try:
        yield
    except MicroloanError:
        raise
    except Exception as exc:
        raise InvalidValueError(
            f"records: the frame's engine refused the data: {type(exc).__name__}: {exc}"
        ) from exc


def _per_partition(native: Any, stage: Callable[[Any], Any], nw: Any) -> Any:
    """Run `stage` on each partition of a Dask frame (one task each); the partial results."""

    def part(pandas_frame: Any) -> Any:
        return stage(nw.from_native(pandas_frame, eager_only=True)).to_native()

    return native.map_partitions(part, meta=part(native._meta)).compute()  # noqa: SLF001


def is_null(value: object) -> bool:
    """Whether an engine's value is its null: `None`, pandas' `NA` and `NaT`, a float NaN."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # noqa: PLR0124 - NaN is the one float unequal to itself
    return type(value).__name__ in {"NAType", "NaTType"}


def as_date(value: object) -> date:
    """A date from what an engine hands back for a date: a `date`, a datetime, a NumPy value."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    item = getattr(value, "item", None)  # numpy.datetime64
    if item is not None:
        return as_date(value.astype("datetime64[us]").item())  # type: ignore[attr-defined]
    raise InvalidTypeError(f"date: {value!r} is not a date")  # pragma: no cover


# -- output ---------------------------------------------------------------------


def to_frame(
    rows: Iterable[Mapping[str, object]],
    *,
    backend: object,
    money: object,
    rates: object,
) -> Any:
    """Rows of a report as a frame of `backend`, with typed columns (no total row)."""
    check_option("backend", backend, Backend)
    check_option("money", money, MoneyAs)
    check_option("rates", rates, RatesAs)
    rows = list(rows)
    names: list[str] = list(rows[0]) if rows else []
    data: dict[str, list[Any]] = {n: [] for n in names}
    kinds: dict[str, str] = {}
    places: dict[str, int] = {}
    for row in rows:
        for n in names:
            value = row.get(n)
            if isinstance(value, Money):
                kinds[n] = "money"
                places[n] = value.places
                value = value.minor_units if money == "minor_units" else value.amount
            elif isinstance(value, bool):
                kinds.setdefault(n, "bool")
            elif isinstance(value, int):
                kinds.setdefault(n, "int")
            elif isinstance(value, Decimal):
                kinds[n] = "rate"
                value = float(value) if rates == "float" else value
            elif isinstance(value, float):
                kinds[n] = "float"
            elif isinstance(value, date):
                kinds.setdefault(n, "date")
            elif isinstance(value, str):
                kinds.setdefault(n, "str")
            data[n].append(value)
    return _build(backend, data, kinds, places, money=money, rates=rates)


def _build(  # noqa: C901 - one branch per backend and column kind
    backend: object,
    data: dict[str, list[Any]],
    kinds: dict[str, str],
    places: dict[str, int],
    *,
    money: object,
    rates: object,
) -> Any:
    def kind(n: str) -> str:
        k = kinds.get(n, "str")
        if k == "money":
            return "int" if money == "minor_units" else "decimal"
        if k == "rate":
            return "float" if rates == "float" else "decimal"
        return k

    def scale(n: str) -> int:
        if kinds.get(n) == "money":
            return places[n]
        return max(
            (
                -int(v.as_tuple().exponent)
                for v in data[n]
                if isinstance(v, Decimal) and v.is_finite()
            ),
            default=0,
        )

    if backend == "polars":
        import polars as pl  # noqa: PLC0415

        pl_types = {"int": pl.Int64, "bool": pl.Boolean, "float": pl.Float64, "date": pl.Date}
        series = []
        for n, values in data.items():
            k = kind(n)
            if k == "decimal":
                s = max(scale(n), 0)
                series.append(pl.Series(n, values, dtype=pl.Decimal(38, min(s, 38))))
            else:
                series.append(pl.Series(n, values, dtype=pl_types.get(k, pl.String)))
        return pl.DataFrame(series)
    import pyarrow as pa  # noqa: PLC0415

    pa_types = {"int": pa.int64(), "bool": pa.bool_(), "float": pa.float64(), "date": pa.date32()}
    arrays = {}
    for n, values in data.items():
        k = kind(n)
        if k == "decimal":
            s = max(scale(n), 0)
            arrays[n] = pa.array(values, type=pa.decimal128(38, min(s, 38)))
        else:
            arrays[n] = pa.array(values, type=pa_types.get(k, pa.string()))
    table = pa.table(arrays)
    if backend == "pyarrow":
        return table
    import pandas as pd  # noqa: PLC0415

    mapping = {
        pa.int64(): pd.Int64Dtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.string(): pd.StringDtype(),
    }
    return table.to_pandas(
        types_mapper=lambda t: (
            mapping.get(t) or (pd.ArrowDtype(t) if pa.types.is_decimal(t) else None)
        )
    )


def day_number(day: date) -> int:
    """`day` as `Source.day_expr` writes it."""
    return day.year * 10_000 + day.month * 100 + day.day


def check_snapshot(src: Source, on: date, *, disbursed: bool = True) -> None:
    """Register the checks of a snapshot's dates: `on` is the report date, none disbursed after.

    Each check only if the frame has the column.
    """
    if src.has("on"):
        snap_column = src.name("on")
        snap = src.date_expr("on", optional=True)
        src.check(
            "on",
            ~snap.is_null() & src.not_on(snap, "on", on),
            lambda row: src.record_error(
                row,
                f"on: {as_date(row[snap_column]).isoformat()} is not the report date "
                f"{on.isoformat()}",
            ),
        )
    if disbursed and src.has("disbursed"):
        column = src.name("disbursed")
        day = src.date_expr("disbursed")
        src.check(
            "disbursed",
            src.after(day, "disbursed", on),
            lambda row: src.record_error(
                row,
                f"disbursed: {as_date(row[column]).isoformat()} is after the report date "
                f"{on.isoformat()}",
            ),
        )


def ageing_counts(
    frame: object,
    options: Options,
    *,
    on: date,
    unique: str | None = None,
) -> tuple[str | None, dict[int, tuple[int, int]]]:
    """Stage 1 of the ageing report: loans and outstanding minor units per days past due.

    With `unique` (the command line's rule for a file of loans: the loan ids, or a
    hash of them), a value that appears twice in that column is refused in the same pass.
    """
    from microloan.portfolio._cells import MAX_DAYS  # noqa: PLC0415

    src = Source(frame, options)
    if unique is not None:  # read in the pass below too: a file's every field is parsed
        src.check(
            "loan_id",
            src.nw.col(unique).is_null(),
            lambda row: src.record_error(row, "loan_id: is missing"),
        )
        if _repeats(src, unique):
            src.check(  # refused in the pass below, naming the first row given twice
                "loan_id",
                src.nw.col(unique).is_duplicated(),
                lambda row: src.record_error(row, "loan_id: appears twice"),
            )
    dpd = src.days_expr("days_past_due")
    units = src.units_expr("outstanding")
    if src.has("principal"):
        src.units_expr("principal")
    check_snapshot(src, on)
    # a missing day count is refused (its row counted under -1): no key is null
    rows = src.run({"dpd": dpd.fill_null(-1)}, {"units": units}, null_keys=False)
    out: dict[int, tuple[int, int]] = {}
    for row in rows:
        days = int(row["dpd"])
        if days >= MAX_DAYS:
            raise invalid("days_past_due", days, f"is implausible (at least {MAX_DAYS:,})")
        out[days] = (int(row["__len"]), int(row["units"]))
    return (src.currency or "CNY") if out else None, out


def _repeats(src: Source, column: str) -> bool:
    """Whether a value of `column` appears twice: fewer distinct values than rows.

    A count of distinct values is several times cheaper than marking each row that
    repeats another (a million text ids: 0.1 s against 0.4 s in polars), so the rows
    are marked only when there is a repeat to name.
    """
    nw = src.nw
    with engine_errors():
        counted = src.frame.select(nw.col(column).n_unique().alias("distinct"), nw.len())
        if not src.eager:
            counted = counted.collect()
        found = counted.rows(named=True)[0]
    return bool(found["distinct"] < found["len"])


def records_of(  # noqa: C901, PLR0912 - one conversion per optional field
    frame: object,
    options: Options,
) -> list[Any]:
    """`LoanRecord`s from a frame: the columns checked in the engine, then one record a row."""
    from microloan.portfolio._records import FIELDS, OPTIONAL  # noqa: PLC0415
    from microloan.portfolio.records import LoanRecord  # noqa: PLC0415

    src = Source(frame, options)
    nw = src.nw
    code = src.currency or "CNY"
    for field in FIELDS:
        if field != "days_past_due":
            src.require(field)
    src.not_null("loan_id")
    out: dict[str, Any] = {
        "loan_id": nw.col(src.name("loan_id")),
        "disbursed": src.date_expr("disbursed"),
        "principal": src.units_expr("principal"),
        "outstanding": src.units_expr("outstanding"),
    }
    if src.has("days_past_due"):
        out["days_past_due"] = src.days_expr("days_past_due")
    for field in OPTIONAL:
        if not src.has(field):
            continue
        if field in ("on", "first_due"):
            out[field] = src.date_expr(field, optional=True)
        elif field == "written_off":
            out[field] = nw.col(src.name(field))
        else:
            out[field] = src.days_expr(field, optional=True)
    src.run({}, {})
    with engine_errors():
        picked = src.frame.with_columns(**src.derived).select(
            *[expr.alias(f"__out_{k}") for k, expr in out.items()]
        )
        if not src.eager:
            picked = picked.collect()
        picked = picked.rows()
    records = []
    names = list(out)
    for index, values in enumerate(picked):
        fields = {k: v for k, v in zip(names, values, strict=True) if not is_null(v)}
        fields["principal"] = Money.from_minor_units(int(fields["principal"]), code)
        fields["outstanding"] = Money.from_minor_units(int(fields["outstanding"]), code)
        for name in ("disbursed", "on", "first_due"):
            if fields.get(name) is not None:
                fields[name] = as_date(fields[name])
        for name in ("days_past_due", "max_days_past_due", "first_installment_days_past_due"):
            if fields.get(name) is not None:
                fields[name] = int(fields[name])
        if "written_off" in fields:
            fields["written_off"] = bool(fields["written_off"])
        loan_id = fields["loan_id"]
        if not isinstance(loan_id, (str, int)):
            fields["loan_id"] = int(loan_id) if hasattr(loan_id, "__index__") else loan_id
        try:
            records.append(LoanRecord(**fields))
        except InvalidRecordError as exc:
            raise InvalidRecordError(
                fields["loan_id"], exc.reason, index=index if src.eager else None
            ) from None
    return records


class FrameRows:
    """`to_frame()` for a report or table: its `as_rows()` as a typed DataFrame.

    A base of every report and table; the frame library is imported only when called.
    """

    __slots__ = ()

    def to_frame(
        self,
        backend: Backend = "pandas",
        *,
        money: MoneyAs = "decimal",
        rates: RatesAs = "decimal",
    ) -> Any:
        """The rows as a DataFrame of `backend`, typed column by column; no total row.

        Counts are integer columns; money is a decimal column with the currency's
        places (`money="decimal"`) or integer minor units (`money="minor_units"`);
        shares and rates are exact decimals (`rates="decimal"`) or floats
        (`rates="float"`); an empty cell is a null. The report's totals stay on the
        report (`total_count`, `count` …), out of the data rows.

        Args:
            backend: `"pandas"` (default), `"polars"` or `"pyarrow"`; that library must
                be installed (pandas' decimal columns need PyArrow too).
            money: `"decimal"` or `"minor_units"`.
            rates: `"decimal"` or `"float"`.

        Returns:
            A `pandas.DataFrame`, a `polars.DataFrame` or a `pyarrow.Table`.

        Raises:
            InvalidValueError: an option outside its choices.

        Examples:
            >>> from datetime import date
            >>> from microloan import LoanRecord, Money, ageing_report
            >>> book = [LoanRecord(loan_id=1, disbursed=date(2026, 1, 5), principal=Money(1000),
            ...                    outstanding=Money("800.50"), days_past_due=45)]
            >>> table = ageing_report(book, on=date(2026, 3, 31)).to_frame("pyarrow")
            >>> table.column("outstanding").type, table.column("loans").to_pylist()[:3]
            (Decimal128Type(decimal128(38, 2)), [0, 0, 1])
        """
        rows = self.as_rows()  # type: ignore[attr-defined]
        data = [row for row in rows if next(iter(row.values()), None) != "total"]
        return to_frame(data or rows[:0], backend=backend, money=money, rates=rates)


def count_table(frame: object, *, value: object, bad: object, argument: str = "values") -> Any:
    """Stage 1 of the score metrics and lift tables: rows and bads per distinct value.

    The frame's `value` column is grouped as it is (a missing value, null or NaN, under
    `None`, as the iterable path counts it); the `bad` column must hold 0/1 or
    False/True. Returns the [`CountTable`][microloan.CountTable] the metrics start from.
    """
    from microloan.analytics.counts import CountTable  # noqa: PLC0415

    for name, given in (("value", value), ("bad", bad)):
        if not isinstance(given, str) and not (
            name == "bad" and given is None and argument == "psi"
        ):
            raise invalid(
                name, given, f"must name the frame's column (a str) when {argument} is a frame"
            )
    src = Source(frame, Options(), argument=argument)
    nw = src.nw
    src.require(value)  # type: ignore[arg-type]
    if bad is None:  # PSI: rows per value only
        totals, _ = src.value_sums(src.name(value), nw.lit(0))  # type: ignore[arg-type]
        return CountTable._trusted(totals, dict.fromkeys(totals, 0))  # noqa: SLF001
    column = src.require(bad)  # type: ignore[arg-type]
    dtype = src.schema[column]
    flag = nw.col(column)
    if dtype == nw.Boolean:
        flag = flag.cast(nw.Int64())
    elif not dtype.is_integer():
        raise InvalidTypeError(f"{bad}: column {column!r} is {dtype}, not a bad flag (0/1 or bool)")
    src.check(
        column,
        flag.is_null() | ((flag != 0) & (flag != 1)),
        lambda row: src.record_error(
            row, f"{bad} (column {column!r}): {row.get(column)!r} is not a bad flag; use 0/1"
        ),
    )
    totals, bads = src.value_sums(src.name(value), flag)  # type: ignore[arg-type]
    return CountTable._trusted(totals, bads)  # noqa: SLF001 - checked in the engine: 0/1 flags


def counted(values: Any, *, value: object, bad: object, argument: str = "values") -> Any:
    """A frame's count table (stage 1 in its engine), or `values` as given if not a frame.

    `value=` and `bad=` name a frame's columns; with anything else they are refused.
    """
    if is_frame(values):
        return count_table(values, value=value, bad=bad, argument=argument)
    for name, given in (("value", value), ("bad", bad)):
        if given is not None:
            raise invalid(name, given, "names a column: it applies to a DataFrame input only")
    return values


def psi_counts(expected: Any, actual: Any, *, value: object, bins: object) -> Any:
    """Stage 1 of PSI over two frames: rows per bin of `bins` in each, counted by the engines.

    `bins` is a [`CutBins`][microloan.CutBins], a [`CategoryBins`][microloan.CategoryBins],
    cut points, or a number of equal-frequency bins of the expected frame's values.
    """
    from microloan.analytics.lift import resolve_bins  # noqa: PLC0415

    for name, data in (("expected_counts", expected), ("actual_counts", actual)):
        if not is_frame(data):
            raise wrong_type(name, data, "a frame, as the other side is")
    if bins is None:
        raise invalid("bins", None, "is required with frames: the bins to count both sides in")
    first = count_table(expected, value=value, bad=None, argument="psi")
    second = count_table(actual, value=value, bad=None, argument="psi")
    resolved = resolve_bins(bins, first)
    return list(first.bin_counts(resolved)[0]), list(second.bin_counts(resolved)[0])


def overdue_counts(
    frame: object, options: Options, *, on: date, over: int
) -> tuple[str | None, dict[int, list[int]]]:
    """Stage 1 of the overdue rates: per disbursement month, all loans and those on book.

    Each month's cell is `[loans, principal, on-book loans, outstanding, overdue loans,
    overdue outstanding]` in minor units, as the records path adds them.
    """
    src = Source(frame, options)
    nw = src.nw
    dpd = src.days_expr("days_past_due")
    units = src.units_expr("outstanding")
    principal = src.units_expr("principal")
    month = src.month_expr(src.date_expr("disbursed"))
    check_snapshot(src, on)
    closed = (units == 0) & (dpd == 0)
    if src.has("written_off"):
        off = nw.col(src.require("written_off"))
        src.not_null("written_off")
        closed = closed | off
    on_book = nw.when(closed).then(nw.lit(0)).otherwise(nw.lit(1)).cast(nw.Int64())
    late = nw.when(dpd > over).then(nw.lit(1)).otherwise(nw.lit(0)).cast(nw.Int64())
    rows = src.run(
        {"month": month, "book": on_book, "late": late},
        {"principal": principal, "units": units},
    )
    cells: dict[int, list[int]] = {}
    for row in rows:
        cell = cells.setdefault(int(row["month"]), [0] * 6)
        loans = int(row["__len"])
        cell[0] += loans
        cell[1] += int(row["principal"])
        if row["book"]:
            cell[2] += loans
            cell[3] += int(row["units"])
            if row["late"]:
                cell[4] += loans
                cell[5] += int(row["units"])
    return (src.currency or "CNY") if cells else None, cells


ColumnKind = Literal["value", "day", "month", "flag"]


def distinct_columns(
    frame: object, spec: Mapping[str, ColumnKind], columns: Mapping[str, str] | None
) -> dict[str, list[Any]]:
    """Stage 1 of the cohort and funnel metrics: the distinct combinations of a few columns.

    Those metrics count users once per day or month, so the distinct `(user, day, flag …)`
    rows the engine groups out give the same answer as every row. `spec` names each
    argument and how its column is read: as it is (`"value"`, never null), cut to the
    day or the month (`"day"`, `"month"`, as dates) or as a 0/1 flag (`"flag"`).
    """
    src = Source(frame, Options(columns=columns), argument=next(iter(spec)))
    nw = src.nw
    keys: dict[str, Any] = {}
    for name, kind in spec.items():
        column = src.require(name)
        src.not_null(name)
        if kind == "value":
            keys[name] = nw.col(column)
        elif kind == "flag":
            keys[name] = _flag(src, name, column)
        else:
            day = src.date_expr(name)
            keys[name] = src.day_expr(day) if kind == "day" else src.month_expr(day)
    rows = src.run(keys, {})
    out: dict[str, list[Any]] = {name: [] for name in spec}
    for row in rows:
        for name, kind in spec.items():
            value = row[name]
            if kind == "day":
                value = date(value // 10_000, value // 100 % 100, value % 100)
            elif kind == "month":
                value = date(value // 12, value % 12 + 1, 1)
            elif kind == "flag":
                value = int(value)
            out[name].append(value)
    return out


def _flag(src: Source, name: str, column: str) -> Any:
    """A 0/1 (or bool) column as integers, each row checked."""
    nw = src.nw
    dtype = src.schema[column]
    flag = nw.col(column)
    if dtype == nw.Boolean:
        return flag.cast(nw.Int64())
    if not dtype.is_integer():
        raise InvalidTypeError(f"{name}: column {column!r} is {dtype}, not a 0/1 flag")
    src.check(
        name,
        (flag != 0) & (flag != 1),
        lambda row: src.record_error(
            row, f"{name} (column {column!r}): {row.get(column)!r} is not a flag; use 0/1"
        ),
    )
    return flag


# -- score metrics and lift tables in the engine ---------------------------------

#: Below this many rows every integer of the KS and AUC walk fits an Int64 (2·B·G < 2**63).
_INT64_ROWS: Final = 2**31


def _column_names(value: object, bad: object, argument: str) -> None:
    for name, given in (("value", value), ("bad", bad)):
        if not isinstance(given, str):
            raise invalid(
                name, given, f"must name the frame's column (a str) when {argument} is a frame"
            )


def _bad_flag(src: Source, bad: str) -> Any:
    """The `bad` column as a 0/1 Int64 expression, each row checked to be a flag."""
    nw = src.nw
    column = src.require(bad)
    dtype = src.schema[column]
    flag = nw.col(column)
    if dtype == nw.Boolean:
        flag = flag.cast(nw.Int64())
    elif not dtype.is_integer():
        raise InvalidTypeError(f"{bad}: column {column!r} is {dtype}, not a bad flag (0/1 or bool)")
    src.check(
        column,
        flag.is_null() | ((flag != 0) & (flag != 1)),
        lambda row: src.record_error(
            row, f"{bad} (column {column!r}): {row.get(column)!r} is not a bad flag; use 0/1"
        ),
    )
    return flag.cast(nw.Int64())


def _missing(src: Source, column: str) -> Any:
    """Whether a numeric value is missing: null, or a float NaN."""
    key = src.nw.col(column)
    if src.schema[column].is_float():
        return key.is_null() | key.is_nan()
    return key.is_null()


def _numeric(src: Source, column: str) -> bool:
    dtype = src.schema[column]
    return bool(dtype.is_integer() or dtype.is_float())


def _partitioned(src: Source) -> bool:
    return type(src.native).__module__.startswith(("dask.", "dask_expr"))


def _value_counts(src: Source, key: Any, flag: Any) -> Any:
    """An eager frame of `k` (each distinct value), `b` (its bads) and `g` (its goods).

    An eager frame is read as it is, one row a row (`b` the flag): sorting it is the
    whole walk. A lazy frame groups by value in its engine (a Dask frame on each
    partition, the partial counts added up), and only the counts are collected.
    """
    nw = src.nw
    if src.eager:
        return src.frame.select(key.alias("k"), flag.alias("b"), (1 - flag).alias("g"))
    summaries = [nw.col("b").sum(), nw.len().alias("n")]

    def stage(frame: Any) -> Any:
        return frame.select(key.alias("k"), flag.alias("b")).group_by("k").agg(*summaries)

    if _partitioned(src):
        parts = nw.from_native(_per_partition(src.native, stage, nw), eager_only=True)
        grouped = parts.group_by("k").agg(nw.col("b").sum(), nw.col("n").sum())
    else:
        grouped = stage(src.frame).collect()
    b, n = nw.col("b").cast(nw.Int64()), nw.col("n").cast(nw.Int64())
    return grouped.select(nw.col("k"), b.alias("b"), (n - b).alias("g"))


def score_sums(frame: object, *, value: object, bad: object) -> tuple[int, int, int, int] | None:
    """Stage 1 of KS and AUC over a frame's numeric score column, whole in the engine.

    The engine sorts the scores and walks them with cumulative sums of integers:
    ``max |cum_bads·G − cum_goods·B|`` over the ends of runs of equal scores (KS's
    numerator) and ``Σ bads_v·(2·goods below v + goods at v)`` (twice the AUC's
    numerator). Returns those two, B and G, all Python ints — or `None` where the
    count table's walk must do it (a non-numeric score column, or so many rows that
    an Int64 could overflow).
    """
    _column_names(value, bad, "scores")
    src = Source(frame, Options(), argument="scores")
    nw = src.nw
    column = src.require(value)  # type: ignore[arg-type]
    if not _numeric(src, column):
        return None
    flag = _bad_flag(src, bad)  # type: ignore[arg-type]
    src.check(
        column,
        _missing(src, column),
        lambda _row: invalid(
            "scores", "<missing>", "holds missing values; drop or impute them before scoring"
        ),
    )
    totals = src.run({}, {"bad": flag})
    rows = totals[0]["__len"] if totals else 0
    total_bads = totals[0]["bad"] if totals else 0
    total_goods = rows - total_bads
    if not total_bads or not total_goods:
        kind = "good" if not total_bads else "bad"
        raise invalid(
            "bads",
            f"<all {kind}>",
            f"are all {kind}: KS, AUC and Gini need at least one bad and one good",
        )
    if rows >= _INT64_ROWS:
        return None  # pragma: no cover - beyond an Int64: the count table's Python ints
    key = nw.col(column)
    if src.eager and src.frame.implementation.is_polars():
        with engine_errors():
            scored = src.frame.select(key.alias("k"), flag.alias("b")).to_native()
            best, twice = _polars_score_sums(scored, total_bads, total_goods)
        return best, twice, int(total_bads), int(total_goods)
    with engine_errors():
        counts = _value_counts(src, key, flag).sort("k")
        k, b, g = nw.col("k"), nw.col("b"), nw.col("g")
        walked = counts.with_columns(
            cb=b.cum_sum(),
            cg=g.cum_sum(),
            last=(k != k.shift(-1)).fill_null(value=True),
        )
        cb, cg = nw.col("cb"), nw.col("cg")
        gap = (cb * total_goods - cg * total_bads).abs()
        ends = walked.filter(nw.col("last"))
        best = ends.select(gap.max()).item()
        if len(ends) == len(walked):  # no ties: each value's goods below are cg − g
            twice = walked.select((b * (2 * cg - g)).sum()).item()
        else:  # runs of equal scores: goods below the run, and up to its end
            first = (k != k.shift(1)).fill_null(value=True)
            below = nw.when(first).then(cg - g).fill_null(strategy="forward").cast(nw.Int64())
            upto = nw.when(nw.col("last")).then(cg).fill_null(strategy="backward")
            twice = walked.select((b * (below + upto.cast(nw.Int64()))).sum()).item()
    return int(best), int(twice), int(total_bads), int(total_goods)


def _polars_score_sums(scored: Any, bads: int, goods: int) -> tuple[int, int]:
    """`score_sums`' two numerators for a polars frame of scores `k` and flags `b`.

    The bads' and the goods' scores are sorted apart (a column's sort, several times
    faster than sorting the rows by score), and each bad score is looked up among the
    goods and the bads by bisection. Between two bad scores the KS gap
    CB·G − CG·B only falls, so its maximum is reached at a bad score, counting the
    ties up to it, and its minimum just below one: KS needs those points only. The
    AUC sums, for each bad, the goods below its score and those up to it. `-0.0` is
    made `0.0` first (a total order would sort them apart; the walk sees them equal).
    """
    import polars as pl  # noqa: PLC0415 - the frame is polars

    score = scored["k"] + 0  # -0.0 + 0 is 0.0; integers stay integers
    is_bad = scored["b"] == 1
    bad_scores = score.filter(is_bad).sort()
    good_scores = score.filter(~is_bad).sort()
    at = pl.DataFrame(
        {
            "gl": good_scores.search_sorted(bad_scores, side="left"),
            "gr": good_scores.search_sorted(bad_scores, side="right"),
            "bl": bad_scores.search_sorted(bad_scores, side="left"),
            "br": bad_scores.search_sorted(bad_scores, side="right"),
        }
    ).cast(pl.Int64)
    gl, gr, bl, br = pl.col("gl"), pl.col("gr"), pl.col("bl"), pl.col("br")
    found = at.select(
        up=(br * goods - gr * bads).max(),
        down=(gl * bads - bl * goods).max(),
        twice=(gl + gr).sum(),
    ).row(0, named=True)
    return max(int(found["up"]), int(found["down"]), 0), int(found["twice"])


def _cut_thresholds(cut: Any, *, floats: bool, left: bool) -> Any:
    """The literal a numeric column is compared with for `cut ≤ v` (left) or `cut < v`.

    Exact: a float column compares with the nearest float on the right side of the cut
    (`v ≥ up(cut)`, `v > down(cut)`), an integer column with the cut's ceiling or floor.
    """
    import math  # noqa: PLC0415
    from decimal import ROUND_CEILING, ROUND_FLOOR  # noqa: PLC0415

    exact = Decimal(cut)
    if floats:
        near = float(cut)
        if left and Decimal(near) < exact:
            near = math.nextafter(near, math.inf)
        elif not left and Decimal(near) > exact:
            near = math.nextafter(near, -math.inf)
        return near
    return int(exact.to_integral_value(rounding=ROUND_CEILING if left else ROUND_FLOOR))


def _bin_expr(src: Source, column: str, bins: Any) -> Any:
    """The row of `bins` (a `CutBins` without special values) each value falls in."""
    nw = src.nw
    floats = src.schema[column].is_float()
    left = bins.closed == "left"
    col = nw.col(column)
    index = nw.lit(0).cast(nw.Int64())
    for cut in bins.cuts:
        edge = _cut_thresholds(cut, floats=floats, left=left)
        above = (col >= edge) if left else (col > edge)
        index = index + nw.when(above).then(nw.lit(1)).otherwise(nw.lit(0)).cast(nw.Int64())
    missing = len(bins) - 1
    return nw.when(_missing(src, column)).then(nw.lit(missing)).otherwise(index).cast(nw.Int64())


def _equal_frequency_cuts(src: Source, column: str, n_bins: int) -> list[Any]:
    """`equal_frequency(values, n_bins)`'s cut points, found by the engine.

    The j-th cut is the smallest distinct value with at least ``j × N / n_bins`` rows
    strictly below it: the engine sorts the values, counts the rows below each run of
    equal values and keeps, per ``⌊below × n_bins / N⌋``, its first value.
    """
    nw = src.nw
    key = nw.col(column)
    with engine_errors():
        present = src.frame.filter(~_missing(src, column))
        if src.eager:
            counts = present.select(key.alias("k"), nw.lit(1).cast(nw.Int64()).alias("n"))
        else:
            sub = Source(present.to_native(), Options(), argument="values")
            counts = _value_counts(sub, key, nw.lit(0).cast(nw.Int64()))
            counts = counts.select(nw.col("k"), (nw.col("b") + nw.col("g")).alias("n"))
        counts = counts.sort("k")
        total = int(counts.select(nw.col("n").sum()).item() or 0) if len(counts) else 0
        if not total:
            return []
        k, n = nw.col("k"), nw.col("n")
        first = (k != k.shift(1)).fill_null(value=True)
        marked = counts.with_columns(below=n.cum_sum() - n, first=first)
        step = (nw.col("below") * n_bins) // total
        runs = marked.filter(nw.col("first")).with_columns(step=step).filter(nw.col("step") >= 1)
        starts = runs.filter((nw.col("step") != nw.col("step").shift(1)).fill_null(value=True))
        found = [(int(s), v) for s, v in starts.select("step", "k").rows()]
    cast = float if src.schema[column].is_float() else int
    cuts: list[Any] = []
    for j in range(1, n_bins):
        value = next((v for s, v in found if s >= j), None)
        if value is not None and (not cuts or cuts[-1] != cast(value)):
            cuts.append(cast(value))
    return cuts


def lift_counts(frame: object, *, value: object, bad: object, bins: object) -> Any:
    """Stage 1 of a lift table over a frame's numeric column: rows and bads per bin.

    Cut bins (or cut points, or a number of equal-frequency bins, whose cuts the engine
    finds) are applied in the engine, which then counts rows and bads per bin: nothing
    per distinct value leaves it. Returns ``(bins, counts, bads)``, or `None` where the
    count table must do it (category bins, special values, a non-numeric column, or a
    `bins=` the count table's path refuses, so that its error is the one raised).
    """
    from microloan.analytics.binning import CutBins, check_n_bins  # noqa: PLC0415

    _column_names(value, bad, "values")
    src = Source(frame, Options(), argument="values")
    column = src.require(value)  # type: ignore[arg-type]
    if not _numeric(src, column) or isinstance(bins, bool):
        return None
    try:
        if isinstance(bins, int):
            n_bins = check_n_bins(bins)
            resolved = None
        elif isinstance(bins, CutBins):
            resolved = bins
        elif isinstance(bins, str | bytes) or not isinstance(bins, Iterable):
            return None
        else:
            resolved = CutBins(cuts=tuple(bins))
    except MicroloanError:
        return None
    if resolved is not None and (resolved.special or not _numeric_cuts(resolved)):
        return None
    flag = _bad_flag(src, bad)  # type: ignore[arg-type]
    if resolved is None:  # a bad flag is still refused by the counting pass below
        resolved = CutBins(cuts=_equal_frequency_cuts(src, column, n_bins))
    rows = src.run({"bin": _bin_expr(src, column, resolved)}, {"bad": flag})
    counts = [0] * len(resolved)
    bads = [0] * len(resolved)
    for row in rows:
        counts[int(row["bin"])] += int(row["__len"])
        bads[int(row["bin"])] += int(row["bad"])
    return resolved, tuple(counts), tuple(bads)


def _numeric_cuts(bins: Any) -> bool:
    return all(isinstance(c, int | float | Decimal) and not isinstance(c, bool) for c in bins.cuts)


# -- vintage and first-payment default in the engine -------------------------------

AggOp = Literal["sum", "min", "max"]


def grouped(src: Source, keys: Mapping[str, Any], aggs: Mapping[str, tuple[Any, AggOp]]) -> Any:
    """Group by `keys` and aggregate each of `aggs` (name → (expression, op)), and count.

    Like `Source.run`, but with minimums and maximums too, and handing back the
    aggregate as an eager frame (one row per key) for the caller to read columnar.
    Each op is associative, so a Dask frame runs the whole group-by on each
    partition and the partial aggregates are grouped once more. Every registered
    check is summed in the same pass; a failed one raises for its first bad row.
    """
    nw = src.nw
    derived = {f"__key_{k}": v for k, v in keys.items()}
    derived.update({f"__agg_{k}": v for k, (v, _) in aggs.items()})
    names = [f"__key_{k}" for k in keys]
    derived["__bad"] = src.failures()  # one column, told apart only if a check failed
    ops: dict[str, AggOp] = {k: op for k, (_, op) in aggs.items()}
    ops.update({"__bad": "sum", "__len": "sum"})

    def stage(frame: Any) -> Any:
        frame = frame.with_columns(**derived)
        first = [getattr(nw.col(f"__agg_{k}"), op)().alias(k) for k, (_, op) in aggs.items()]
        first += [nw.col("__bad").sum(), nw.len().alias("__len")]
        return frame.group_by(*names, drop_null_keys=False).agg(*first)

    with engine_errors():
        if _partitioned(src):
            parts = nw.from_native(_per_partition(src.native, stage, nw), eager_only=True)
            again = [getattr(nw.col(k), op)().alias(k) for k, op in ops.items()]
            found = parts.group_by(*names, drop_null_keys=False).agg(*again)
        else:
            found = stage(src.frame)
            if not src.eager:
                found = found.collect()
        failed = bool(found.select(nw.col("__bad").sum()).item()) if len(found) else False
    if failed:
        src.raise_failed()
    return found.rename({f"__key_{k}": k for k in keys})


def _record_checks(src: Source) -> tuple[Any, Any, Any]:
    """Register what `LoanRecord` checks of the columns a snapshot report reads.

    Returns the disbursement month, the principal in minor units and the worst days
    past due (`max_days_past_due` where given, else `days_past_due`).
    """
    fields = _record_fields(src)
    return src.month_expr(fields.disbursed), fields.principal, fields.worst


@attrs.frozen
class _Fields:
    """The checked expressions of a snapshot's record fields (minor units, days)."""

    disbursed: Any
    principal: Any
    outstanding: Any
    dpd: Any
    worst: Any


def _record_fields(src: Source) -> _Fields:
    """Register what `LoanRecord` checks of a snapshot's columns; the fields' expressions."""
    from microloan.portfolio._cells import MAX_DAYS  # noqa: PLC0415

    nw = src.nw
    id_column = src.require("loan_id")
    src.not_null("loan_id")
    if src.schema[id_column] == nw.String:
        src.check(
            "loan_id",
            nw.col(id_column) == "",
            lambda row: src.record_error(row, "loan_id: '' must not be empty"),
        )
    disbursed = src.date_expr("disbursed")
    principal = src.units_expr("principal")
    outstanding = src.units_expr("outstanding")
    if src.has("days_past_due"):
        dpd = src.days_expr("days_past_due")
        dpd_column = src.name("days_past_due")
        src.check(
            "days_past_due",
            dpd >= MAX_DAYS,
            lambda row: src.record_error(
                row, f"days_past_due: {row[dpd_column]} is implausible (at least {MAX_DAYS:,})"
            ),
        )
    else:
        dpd = nw.lit(0).cast(nw.Int64())
    worst = dpd
    if src.has("max_days_past_due"):
        most = src.days_expr("max_days_past_due", optional=True)
        most_column = src.name("max_days_past_due")
        src.check(
            "max_days_past_due",
            ~most.is_null() & (most < dpd),
            lambda row: src.record_error(
                row, f"max_days_past_due: {row[most_column]} is below days_past_due"
            ),
        )
        worst = nw.when(most.is_null()).then(dpd).otherwise(most)
    if src.has("first_installment_days_past_due"):
        src.days_expr("first_installment_days_past_due", optional=True)
    kind = src.schema[src.name("disbursed")]
    for field in ("on", "first_due"):
        if src.has(field):
            column = src.name(field)
            day = src.date_expr(field, optional=True)
            start = disbursed
            if src.schema[column] != kind or kind == nw.Object:  # else compared as they are
                day, start = src.day_expr(day), src.day_expr(disbursed)
            refusal = _before_disbursement(src, field, column)
            src.check(field, ~day.is_null() & (day < start), refusal)
    return _Fields(disbursed, principal, outstanding, dpd, worst)


def _before_disbursement(
    src: Source, field: str, column: str
) -> Callable[[dict[str, Any]], MicroloanError]:
    """The refusal of a date (`on`, `first_due`) before the loan's disbursement."""

    def refusal(row: dict[str, Any]) -> MicroloanError:
        day = as_date(row[column]).isoformat()
        return src.record_error(row, f"{field}: {day} is before the disbursement")

    return refusal


def _readable(src: Source) -> bool:
    """Whether a snapshot frame's columns are of the kinds the engine path reads.

    A loan id of another type than text or integers, or a `written_off` column that is
    not boolean, is left to the records path, whose refusal names the record.
    """
    nw = src.nw
    if not src.has("loan_id"):
        return False
    kind = src.schema[src.name("loan_id")]
    if not (kind == nw.String or kind.is_integer()):
        return False
    return not src.has("written_off") or src.schema[src.name("written_off")] == nw.Boolean


def vintage_state(frame: object, options: Options, *, over: int) -> Any:
    """Stage 1 of a vintage: per loan, its disbursement month, principal and first bad MOB.

    Returns `(currency, last month, loans, bad, table)` — the `Vintage`'s own state,
    `loans` and `bad` keyed by loan id (mappings built from the engine's columns on
    first use: a report that only reads the curves never builds them) and the
    per-cohort table counted by the engine — or `None` where the records path must
    read the frame (no `on` column, or a column of a kind the engine path does not
    read).
    """
    src = Source(frame, options)
    nw = src.nw
    if not _readable(src) or not src.has("on"):
        return None
    month, principal, worst = _record_checks(src)
    snap_day = src.date_expr("on", optional=True)
    src.check(
        "on",
        snap_day.is_null(),
        lambda row: src.record_error(row, "on: is missing; vintage needs snapshot dates"),
    )
    snap = src.month_expr(snap_day)
    bad_mob = nw.when(worst > over).then(snap - month)
    code = src.currency or "CNY"
    packed = _eager_loans(src, month, principal, worst > over, snap_day) if src.eager else None
    if packed is not None:
        found, flagged, last = packed
    else:
        found = grouped(
            src,
            {"loan_id": nw.col(src.name("loan_id"))},
            {
                "month": (month, "min"),
                "month_max": (month, "max"),
                "principal": (principal, "min"),
                "principal_max": (principal, "max"),
                "bad": (bad_mob, "min"),
                "last": (snap, "max"),
            },
        )
        if not len(found):
            return None, -1, {}, {}, {}
        with engine_errors():
            split = found.filter(
                (nw.col("month") != nw.col("month_max"))
                | (nw.col("principal") != nw.col("principal_max"))
            )
            _refuse_split(split)
            last = int(found.select(nw.col("last").max()).item())
            flagged = found.filter(~nw.col("bad").is_null())
    with engine_errors():
        cohorts = found.group_by("month").agg(nw.len().alias("n"), nw.col("principal").sum())
        fell = flagged.group_by("month", "bad").agg(nw.len().alias("n"), nw.col("principal").sum())
        cohort_rows = cohorts.rows()
        fell_rows = fell.rows()
    falls = {(int(m), int(b)): (int(n), int(u)) for m, b, n, u in fell_rows}
    table = {}
    for cohort, loans_in, principal_in in sorted(
        (int(m), int(n), int(u)) for m, n, u in cohort_rows
    ):
        counts, sums, run_c, run_u = [], [], 0, 0
        for mob in range(last - cohort + 1):
            c, u = falls.get((cohort, mob), (0, 0))
            run_c, run_u = run_c + c, run_u + u
            counts.append(run_c)
            sums.append(run_u)
        table[cohort] = (loans_in, principal_in, tuple(counts), tuple(sums))
    loans = LazyDict(functools.partial(_loan_cells, found, code), len(found))
    bad = LazyDict(functools.partial(_bad_cells, flagged), len(flagged))
    return code, last, loans, bad, table


_UNITS_BITS: Final = 46
"""An eager vintage packs a loan's month and principal into one Int64: units below 2^46."""


def _eager_loans(src: Source, month: Any, principal: Any, gone_bad: Any, snap_day: Any) -> Any:
    """`vintage_state`'s per-loan stage on an eager frame, with fewer aggregates.

    The columns are computed once, with the checks; the checks and the range of the
    principals are then reduced over the whole column, the latest snapshot month
    over the dates (no grouping: cheap). A loan's month and principal, packed into
    one Int64, are grouped once; a loan whose records disagree has two values of it.
    The month on book of a snapshot is computed for the rows that are bad
    (`gone_bad`) only, and their first bad MOB grouped over them. Returns the loans
    (`loan_id`, `month`, `principal`), the loans gone bad (the same, and `bad`) and
    the last month — or `None` for an empty frame or a principal of 2^46 minor units
    or more, which the general group-by reads.
    """
    nw = src.nw
    if not len(src.frame):
        return None
    with engine_errors():
        columns = src.frame.select(
            nw.col(src.name("loan_id")).alias("loan_id"),
            month.alias("month"),
            principal.alias("principal"),
            src.failures().alias("__bad"),
        )
        top = columns.select(
            nw.col("__bad").sum(),
            nw.col("principal").min().alias("low"),
            nw.col("principal").max().alias("high"),
        ).rows(named=True)[0]
    if top["__bad"]:
        src.raise_failed()
    if not (top["low"] >= 0 and top["high"] < 1 << _UNITS_BITS):  # months are below 2^17
        return None
    with engine_errors():
        last = int(src.frame.select(src.month_expr(snap_day.max())).item())
        shift = nw.lit(1 << _UNITS_BITS).cast(nw.Int64())
        cells = columns.select("loan_id", cell=nw.col("month") * shift + nw.col("principal"))
        cell = nw.col("cell")
        if src.frame.implementation.is_polars():  # its n_unique is fast, min and max slow
            found = cells.group_by("loan_id").agg(cell.first(), cell.n_unique().alias("n"))
            _refuse_split(found.filter(nw.col("n") > 1))
        else:
            found = cells.group_by("loan_id").agg(cell.min(), cell.max().alias("high"))
            _refuse_split(found.filter(cell != nw.col("high")))
        found = found.select(
            "loan_id",
            (cell // shift).alias("month"),
            (cell - (cell // shift) * shift).alias("principal"),
        )
        # a loan's month and principal are the same in each of its rows
        flagged = (
            src.frame.filter(gone_bad)
            .select(
                nw.col(src.name("loan_id")).alias("loan_id"),
                month.alias("month"),
                principal.alias("principal"),
                (src.month_expr(snap_day) - month).alias("bad"),
            )
            .group_by("loan_id")
            .agg(nw.col("month").min(), nw.col("principal").min(), nw.col("bad").min())
        )
    return found, flagged, last


def _refuse_split(split: Any) -> None:
    """Refuse the first of the loans whose records disagree on their month or principal."""
    if len(split):
        raise InvalidRecordError(
            split["loan_id"].to_list()[0],
            "has another disbursement month, principal or currency in an earlier record",
        )


def _loan_cells(found: Any, code: str) -> dict[object, int]:
    """Loan id → the `Vintage`'s packed cell: month, currency index and principal units."""
    from microloan.portfolio._cells import CURRENCY_INDEX  # noqa: PLC0415

    with engine_errors():
        ids = found["loan_id"].to_list()
        months = found["month"].to_list()
        units = found["principal"].to_list()
    tags = map(operator.or_, map((6).__rlshift__, months), repeat(CURRENCY_INDEX[code]))
    idents = map(operator.or_, map((64).__rlshift__, tags), units)  # month, currency, units
    return dict(zip(ids, idents, strict=True))


def _bad_cells(flagged: Any) -> dict[object, int]:
    """Loan id → the first MOB at which the loan was bad, for the loans ever bad."""
    with engine_errors():
        ids = flagged["loan_id"].to_list()
        mobs = flagged["bad"].to_list()
    return dict(zip(ids, map(int, mobs), strict=True))


class LazyDict(Mapping[object, int]):
    """A read-only mapping built on first use, from a function that returns a dict.

    The per-loan state of a report counted in a frame's engine (a vintage's loans)
    is only read to merge or compare reports; building it is left until then. It
    pickles, compares and copies as the dict it stands for.
    """

    __slots__ = ("_build", "_dict", "_len")

    def __init__(self, build: Callable[[], dict[object, int]], length: int) -> None:
        self._build: Callable[[], dict[object, int]] | None = build
        self._dict: dict[object, int] | None = None
        self._len = length

    def _built(self) -> dict[object, int]:
        if self._dict is None:
            assert self._build is not None  # noqa: S101 - one or the other is set
            self._dict, self._build = self._build(), None
        return self._dict

    def __getitem__(self, key: object) -> int:
        return self._built()[key]

    def __iter__(self) -> Iterator[object]:
        return iter(self._built())

    def __len__(self) -> int:
        return self._len

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyDict):
            other = other._built()
        return self._built() == other

    __hash__ = None  # type: ignore[assignment]  # a mapping is not hashable

    def __reduce__(self) -> tuple[type[dict[object, int]], tuple[dict[object, int]]]:
        return dict, (self._built(),)

    def __repr__(self) -> str:
        return repr(self._built())


def fpd_cells(frame: object, options: Options, *, over: int) -> Any:
    """Stage 1 of first-payment default: per disbursement month, loans judged and defaults.

    Returns `(currency, cells)`, each cell `(month, judged, their principal, defaults,
    their principal)` in minor units, or `None` where the records path must read it.
    """
    src = Source(frame, options)
    nw = src.nw
    if not _readable(src):
        return None
    month, principal, _ = _record_checks(src)
    if not src.has("first_installment_days_past_due"):
        seen = src.run({}, {})  # every row checked; no first installment is known: no cell
        return ((src.currency or "CNY") if seen else None), ()
    first = src.days_expr("first_installment_days_past_due", optional=True)
    judged = ~first.is_null()
    if src.has("on") and src.has("first_due"):
        on = _day_count(src, src.date_expr("on", optional=True))
        due = _day_count(src, src.date_expr("first_due", optional=True))
        young = (first <= over) & ~on.is_null() & ~due.is_null() & (on - due <= over)
        judged = judged & ~young.fill_null(value=False)
    is_judged = nw.when(judged).then(nw.lit(1)).otherwise(nw.lit(0)).cast(nw.Int64())
    late = nw.when(judged & (first > over)).then(nw.lit(1)).otherwise(nw.lit(0)).cast(nw.Int64())
    rows = src.run({"month": month, "judged": is_judged, "late": late}, {"units": principal})
    cells: dict[int, list[int]] = {}
    for row in rows:
        if not row["judged"]:
            continue
        cell = cells.setdefault(int(row["month"]), [0, 0, 0, 0])
        cell[0] += int(row["__len"])
        cell[1] += int(row["units"])
        if row["late"]:
            cell[2] += int(row["__len"])
            cell[3] += int(row["units"])
    code = (src.currency or "CNY") if rows else None
    return code, tuple((m, *v) for m, v in sorted(cells.items()))


def _day_count(src: Source, expr: Any) -> Any:
    """A date expression as a count of days (differences are days apart), in integers only.

    The civil-calendar count from year, month and day (March-based years, so that a
    leap day ends its year), which every engine computes alike.
    """
    nw = src.nw
    year = expr.dt.year().cast(nw.Int64())
    month = expr.dt.month().cast(nw.Int64())
    day = expr.dt.day().cast(nw.Int64())
    early = nw.when(month <= 2).then(nw.lit(1)).otherwise(nw.lit(0)).cast(nw.Int64())
    shifted = year - early
    march = month + 12 * early - 3  # March 0 … February 11
    return (
        shifted * 365
        + shifted // 4
        - shifted // 100
        + shifted // 400
        + (153 * march + 2) // 5
        + day
    )


# -- roll rates in the engine ----------------------------------------------------------

#: A loan's row of the matrix when it has none: not in the first snapshot (a new loan),
#: or written off or closed in it (in no row).
_NOT_BEFORE: Final = -3
_OFF_BOOK: Final = -2
#: A loan's column when it is not in the second snapshot (`absent` says where it went).
ABSENT: Final = -1


@attrs.frozen(kw_only=True)
class RollCounts:
    """Stage 1 of roll rates: the matrix's counts and sums, and the new loans'.

    `cells` maps `(from index, to index)` to `(loans, start minor units, end minor
    units)`; a loan missing at the end is under the column `ABSENT`.
    """

    currency: str | None
    cells: dict[tuple[int, int], tuple[int, int, int]]
    new_loans: int
    new_units: int


def roll_counts(
    before: object,
    after: object,
    options: Options,
    *,
    start: date,
    end: date,
    starts: tuple[int, ...],
    absent_error: bool,
) -> RollCounts | None:
    """Stage 1 of roll rates over two snapshot frames, joined by loan id in the engine.

    Each snapshot's rows are checked as `LoanRecord`s are (and dated `start`, `end`)
    and become a few integer columns: the loan id, the state (the bucket by `starts`,
    the buckets' first days, or closed, or written off) and the minor units. A first
    pass over each counts its failed checks, its rows and its distinct loan ids (a
    loan twice shows); then the engine joins the two (a full join: the loans gone and
    the new ones kept) and groups by (from, to). Only those counts are collected.
    `None` where the records path must read the frames (two libraries' frames, a loan
    id or `written_off` column of a kind the engine path does not read, or ids of two
    kinds).
    """
    first = Source(before, options, argument="before")
    second = Source(after, options, argument="after")
    nw = first.nw
    if first.frame.implementation is not second.frame.implementation:
        return None  # frames of two libraries: no engine joins them; read as records
    if not (_readable(first) and _readable(second)):
        return None
    ids = [src.schema[src.name("loan_id")] for src in (first, second)]
    if (ids[0] == nw.String) != (ids[1] == nw.String):
        return None  # a text id never equals an integer one: the records path says so
    sides = []
    for src, on, ident, other in ((second, end, ids[1], ids[0]), (first, start, ids[0], ids[1])):
        fields = _record_fields(src)
        check_snapshot(src, on)
        state = _roll_state(src, fields, starts)
        key = nw.col(src.name("loan_id"))
        if ident not in (nw.String, other):
            key = key.cast(nw.Int64())  # integers of two widths: equal as Python's ints are
        if src is first:  # the matrix's row, or none for a loan off the book
            state = nw.when(state >= len(starts)).then(nw.lit(_OFF_BOOK)).otherwise(state)
        name, units = ("s", "bu") if src is first else ("t", "au")
        narrow = _narrow(
            src,
            {
                "k": key,
                name: state.cast(nw.Int64()),
                units: fields.outstanding,
                "__bad": src.failures(),
            },
        )
        _census(src, narrow, on)  # after first: the records path reads it first
        sides.append(narrow.select("k", name, units))
    late, early = sides
    if first.frame.implementation.is_polars():  # one query: the join and group-by planned
        early, late = early.lazy(), late.lazy()  # together (an eager and a lazy frame too)
    with engine_errors():
        joined = early.join(late, on="k", how="full", suffix="_r")
        table = joined.group_by(
            nw.col("s").fill_null(_NOT_BEFORE), nw.col("t").fill_null(ABSENT)
        ).agg(nw.len().alias("n"), nw.col("bu").sum(), nw.col("au").sum())
        if not isinstance(table, nw.DataFrame):
            table = table.collect()
        found = table.rows(named=True)
    return _roll_table(found, absent_error, early, late, code=options.currency or "CNY")


def _census(src: Source, narrow: Any, on: date) -> None:
    """Refuse a snapshot's bad row, or a loan in it twice: its checks, rows and distinct ids."""
    nw = src.nw
    with engine_errors():
        counted = narrow.select(
            nw.col("__bad").sum().alias("bad"), nw.len().alias("rows"), nw.col("k").n_unique()
        )
        if not isinstance(counted, nw.DataFrame):
            counted = counted.collect()
        bad, rows, distinct = counted.row(0)
    if not is_null(bad) and bad:
        src.raise_failed()
    if int(rows or 0) != (0 if is_null(distinct) else int(distinct)):  # DuckDB: None if empty
        twice = narrow.group_by("k").agg(nw.len().alias("n")).filter(nw.col("n") > 1)
        raise InvalidRecordError(_least(twice, "k"), f"appears twice in the snapshot of {on}")


def _roll_state(src: Source, fields: _Fields, starts: tuple[int, ...]) -> Any:
    """A row's state in its snapshot: its bucket's index, then closed, then written off."""
    nw = src.nw
    dpd = fields.dpd
    bucket = nw.lit(0).cast(nw.Int64())
    for low in starts[1:]:
        bucket = bucket + (dpd >= low).cast(nw.Int64())
    closed = (fields.outstanding == 0) & (dpd == 0)
    state = nw.when(closed).then(nw.lit(len(starts))).otherwise(bucket)
    if src.has("written_off"):  # a null is the field's default, not written off
        off = nw.col(src.name("written_off")).fill_null(value=False)
        state = nw.when(off).then(nw.lit(len(starts) + 1)).otherwise(state)
    return state


def _narrow(src: Source, columns: Mapping[str, Any]) -> Any:
    """The snapshot as the few integer columns of `columns` (lazy where the frame is).

    A Dask frame computes them on each partition (lazily, a frame of frames); the
    rest select them in their engine.
    """
    nw = src.nw

    def stage(frame: Any) -> Any:
        out = frame.select(**columns)
        if out.implementation.is_pandas_like():  # integers a join's nulls leave integers
            native = out.to_native()
            out = nw.from_native(native.astype(dict.fromkeys(native.columns[1:], "Int64")))
        return out

    if not _partitioned(src):
        return stage(src.frame)
    native: Any = src.native

    def part(pandas_frame: Any) -> Any:
        return stage(nw.from_native(pandas_frame, eager_only=True)).to_native()

    return nw.from_native(native.map_partitions(part, meta=part(native._meta)))  # noqa: SLF001


def _least(frame: Any, column: str) -> Any:
    """The least value of `column` in a (possibly lazy) frame, as a plain Python value."""
    nw = narwhals()
    with engine_errors():
        found = frame.select(nw.col(column).min())
        if not isinstance(found, nw.DataFrame):
            found = found.collect()
        value = found.item()
    if hasattr(value, "__index__") and not isinstance(value, int):
        return int(value)  # a NumPy integer
    return value


def _roll_table(
    found: list[dict[str, Any]], absent_error: bool, early: Any, late: Any, *, code: str
) -> RollCounts:
    """Stage 2's input from the (from, to) table; a loan missing at the end refused if asked."""
    nw = narwhals()
    cells: dict[tuple[int, int], tuple[int, int, int]] = {}
    new_loans = new_units = 0
    for row in found:
        source, target = int(row["s"]), int(row["t"])
        n, bu, au = int(row["n"]), int(row["bu"] or 0), int(row["au"] or 0)
        if source == _NOT_BEFORE:
            new_loans, new_units = new_loans + n, new_units + au
        elif source >= 0:
            if target == ABSENT and absent_error:
                with engine_errors():
                    missing = early.filter(nw.col("s") >= 0).join(late, on="k", how="anti")
                raise InvalidRecordError(
                    _least(missing, "k"), "has no record at end (absent='error')"
                )
            c = cells.get((source, target), (0, 0, 0))
            cells[source, target] = (c[0] + n, c[1] + bu, c[2] + au)
    return RollCounts(
        currency=code if found else None, cells=cells, new_loans=new_loans, new_units=new_units
    )
