"""The ageing report: loans and outstanding principal by bucket on one date, with overdue ratios.

Built by one pass over the records that adds packed integers per (days past due, currency,
snapshot date) key; a scheme with an override sees every record instead.
"""

# The reports' hot loops read LoanRecord's derived fields, the wing's packed record format.
# ruff: noqa: SLF001

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, final

import attrs

from microloan._validators import check_date
from microloan.errors import invalid, wrong_type
from microloan.money import Money
from microloan.portfolio._cells import (
    LOW,
    MAX_DAYS,
    SHIFT,
    Row,
    add_reports,
    check_cells,
    check_currency_field,
    is_zero,
    ratio,
)
from microloan.portfolio._frames import (
    FloatAmounts,
    FrameLike,
    FrameRows,
    Options,
    ageing_counts,
    frame_options,
    records_of,
)
from microloan.portfolio._records import (
    NO_RECORD,
    check_by,
    check_currency,
    check_on,
    coerce,
    currency_mismatch,
    iter_records,
    off_date,
    record_stream,
)
from microloan.portfolio.buckets import (
    NON_PERFORMING,
    BucketScheme,
    SchemeName,
    bucket_index,
    check_days,
    overridden_index,
    resolve_scheme,
)
from microloan.portfolio.records import By, LoanLike, LoanRecord, PositionLike

if TYPE_CHECKING:  # the optional `plot` extra, for the annotations of `.plot()`
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@final
@attrs.frozen(kw_only=True)
class AgeingReport(FrameRows):
    """Loans and outstanding principal by bucket on one date, with the overdue ratios.

    Built by [`ageing_report`][microloan.ageing_report]; merge reports over
    disjoint parts of a portfolio with `+`. Shares and rates are `Decimal`
    fractions (0.0092 for 0.92%), `None` when the portfolio is empty.

    Attributes:
        on: the report date.
        scheme: the bucket scheme.
        currency: the currency of every balance, `None` while the report is empty.
        cells: the exact state, `(days_past_due, bucket index, loans, outstanding
            minor units)` sorted; reports with equal cells are equal.

    Examples:
        >>> from datetime import date
        >>> book = [
        ...     LoanRecord(loan_id=1, disbursed=date(2026, 1, 5), principal=Money(1000),
        ...                outstanding=Money(800), days_past_due=0),
        ...     LoanRecord(loan_id=2, disbursed=date(2026, 1, 9), principal=Money(1000),
        ...                outstanding=Money(200), days_past_due=45),
        ... ]
        >>> report = ageing_report(book, on=date(2026, 3, 31), scheme="m")
        >>> report.count("M2"), report.outstanding("M2")
        (1, Money('200.00', 'CNY'))
        >>> report.overdue_rate(by="count"), report.overdue_rate(by="balance")
        (Decimal('0.5'), Decimal('0.2'))
    """

    on: date
    scheme: BucketScheme
    currency: str | None = None
    cells: tuple[tuple[int, int, int, int], ...] = ()

    def __attrs_post_init__(self) -> None:
        check_date(self.on, "on")
        if not isinstance(self.scheme, BucketScheme):
            raise wrong_type("scheme", self.scheme, "a BucketScheme")
        check_currency_field(self.currency)
        check_cells(
            self.cells,
            shape="(days_past_due, bucket index, loans, outstanding minor units)",
            keys=2,
            below={
                0: (MAX_DAYS, f"must be below {MAX_DAYS} days"),
                1: (len(self.scheme.labels), f"is not a bucket of {list(self.scheme.labels)}"),
            },
            currency=self.currency,
        )
        if self.scheme.override is None:  # by days alone, the bucket follows from the days
            for i, (days, bucket, *_) in enumerate(self.cells):
                if bucket != bucket_index(self.scheme, days):
                    label = self.scheme.labels[bucket_index(self.scheme, days)]
                    reason = f"is not the bucket of {days} days past due, {label}"
                    raise invalid(f"cells[{i}][1]", bucket, reason)

    def __add__(self, other: object) -> AgeingReport:
        refusal = "is a report of another date or scheme"
        return add_reports(self, other, same=("on", "scheme"), keys=2, refusal=refusal)

    def __radd__(self, other: object) -> AgeingReport:
        return self if is_zero(other) else NotImplemented

    # -- per bucket -----------------------------------------------------------
    @property
    def labels(self) -> tuple[str, ...]:
        """The bucket labels in order."""
        return self.scheme.labels

    def _bucket(self, label: str) -> int:
        try:
            return self.scheme.labels.index(label)
        except ValueError:
            raise invalid("label", label, f"is not a bucket of {list(self.labels)}") from None

    def _money(self, units: int) -> Money:
        return Money.from_minor_units(units, self.currency or "CNY")

    def count(self, label: str) -> int:
        """The number of loans in the bucket `label`."""
        index = self._bucket(label)
        return sum(c[2] for c in self.cells if c[1] == index)

    def outstanding(self, label: str) -> Money:
        """The principal outstanding of the loans in the bucket `label`."""
        index = self._bucket(label)
        return self._money(sum(c[3] for c in self.cells if c[1] == index))

    def share(self, label: str, *, by: By = "balance") -> Decimal | None:
        """The bucket's share of the portfolio, by loan count or by outstanding balance."""
        index = self._bucket(label)
        col = 2 if check_by(by) == "count" else 3
        return ratio(sum(c[col] for c in self.cells if c[1] == index), self._total(col))

    # -- whole portfolio ---------------------------------------------------------
    def _total(self, col: int) -> int:
        return sum(c[col] for c in self.cells)

    @property
    def total_count(self) -> int:
        """The number of loans in the report."""
        return self._total(2)

    @property
    def total_outstanding(self) -> Money:
        """The principal outstanding of every loan in the report."""
        return self._money(self._total(3))

    def rate(self, *, over: int, by: By = "balance") -> Decimal | None:
        """The share of the portfolio more than `over` days past due.

        `rate(over=0)` is the overdue rate, `over=30` the M1+ (30+) ratio and
        `over=90` the M3+ (90+) ratio; by count, loans over the threshold over
        all loans; by balance, their outstanding principal over all outstanding.

        Examples:
            >>> from datetime import date
            >>> r = LoanRecord(loan_id=1, disbursed=date(2026, 1, 1), principal=Money(100),
            ...                outstanding=Money(100), days_past_due=31)
            >>> ageing_report([r], on=date(2026, 3, 1)).rate(over=30)
            Decimal('1')
        """
        over = check_days(over, "over")
        col = 2 if check_by(by) == "count" else 3
        return ratio(sum(c[col] for c in self.cells if c[0] > over), self._total(col))

    def overdue_rate(self, *, by: By = "balance") -> Decimal | None:
        """The share of the portfolio past due at all (1 day or more): `rate(over=0)`."""
        return self.rate(over=0, by=by)

    def m1_plus_rate(self, *, by: By = "balance") -> Decimal | None:
        """The M1+ ratio, more than 30 days past due (US 30+): `rate(over=30)`."""
        return self.rate(over=30, by=by)

    def m3_plus_rate(self, *, by: By = "balance") -> Decimal | None:
        """The M3+ ratio, more than 90 days past due (US 90+): `rate(over=90)`."""
        return self.rate(over=90, by=by)

    def npl_ratio(self, *, by: By = "balance") -> Decimal | None:
        """The non-performing ratio: substandard + doubtful + loss over the whole portfolio.

        Under the `"five-tier"` scheme (with its override, if any) this reads the
        buckets; under any other scheme it is the five-tier rule by days alone,
        more than 90 days past due.
        """
        col = 2 if check_by(by) == "count" else 3
        if self.scheme.buckets == BucketScheme.preset("five-tier").buckets:
            bad = {self.labels.index(label) for label in NON_PERFORMING}
            part = sum(c[col] for c in self.cells if c[1] in bad)
        else:
            part = sum(c[col] for c in self.cells if c[0] > 90)
        return ratio(part, self._total(col))

    def plot(
        self, *, by: By = "balance", ax: Axes | None = None, title: str | None = None
    ) -> Figure:
        """The report as a chart: one bar per bucket, labelled with its share of the portfolio.

        Needs matplotlib (`pip install 'microloan[plot]'`); see
        [Draw the charts](../how-to/charts.md).

        Args:
            by: `"balance"` (outstanding principal) or `"count"` (loans).
            ax: matplotlib axes to draw on (default: a new figure of its own).
            title: the chart's title (default: the date, the loans and the overdue rate).

        Returns:
            The `matplotlib.figure.Figure` drawn on.

        Raises:
            MissingDependencyError: matplotlib is not installed.

        Examples:
            >>> from datetime import date
            >>> r = LoanRecord(loan_id=1, disbursed=date(2026, 1, 1), principal=Money(100),
            ...                outstanding=Money(100), days_past_due=31)
            >>> ageing_report([r], on=date(2026, 3, 1)).plot().axes[0].get_title()
            'Ageing on 2026-03-01: 1 loans, overdue 100.0% by balance'
        """
        from microloan._charts import ageing_chart  # noqa: PLC0415 - matplotlib when drawing

        return ageing_chart(self, by=by, ax=ax, title=title)

    def as_rows(self) -> list[Row]:
        """One row per bucket, then a `"total"` row.

        Each row: `bucket`, `loans`, `loan_share`, `outstanding` (Money) and `balance_share`.
        """
        rows: list[Row] = [
            {
                "bucket": label,
                "loans": self.count(label),
                "loan_share": self.share(label, by="count"),
                "outstanding": self.outstanding(label),
                "balance_share": self.share(label, by="balance"),
            }
            for label in self.labels
        ]
        rows.append(
            {
                "bucket": "total",
                "loans": self.total_count,
                "loan_share": Decimal(1) if self._total(2) else None,
                "outstanding": self.total_outstanding,
                "balance_share": Decimal(1) if self._total(3) else None,
            }
        )
        return rows


def ageing_report(
    records: Iterable[LoanRecord | LoanLike | PositionLike | Mapping[str, object]] | FrameLike,
    *,
    on: date,
    scheme: SchemeName | BucketScheme = "m",
    columns: Mapping[str, str] | None = None,
    currency: str | None = None,
    float_amounts: FloatAmounts = "reject",
) -> AgeingReport:
    """Age a portfolio on `on`: loans and outstanding principal per bucket.

    Args:
        records: the loans on book on `on`, one record each:
            [`LoanRecord`][microloan.LoanRecord]s (the fast path), mappings with
            its field names, objects with its attributes, or loan and line positions
            taken on `on` (`loan.position(on=...)`, read for their days past due and
            principal outstanding; named `#0`, `#1` … in errors), or a DataFrame
            (pandas, polars, PyArrow, DuckDB, Dask, PySpark …; the `microloan[frames]`
            extra) with a column per field it reads: `days_past_due` and `outstanding`,
            and `on`, `disbursed` and `principal`, checked when present.
        on: the report date; a record's own `on`, if it has one, must be this date,
            and no loan may be disbursed after it.
        scheme: `"m"` (default), `"us"`, `"five-tier"` or a
            [`BucketScheme`][microloan.BucketScheme]; an override is applied per record.
        columns: for a frame, the column of each field not named as the field
            (`{"outstanding": "balance"}`).
        currency: for a frame, the currency of its amounts; required when they are
            integer minor units, `"CNY"` by default for decimals and decimal strings.
        float_amounts: for a frame with float amounts: `"reject"` (default) refuses
            them as `Money` does, `"round"` takes the nearest minor unit.

    Returns:
        The report; merge reports over parts of a portfolio with `+`.

    Raises:
        InvalidRecordError: a bad record, a record of another date or disbursed
            after `on`, or records in two currencies; the message names the record.

    Examples:
        >>> from datetime import date
        >>> rows = [{"loan_id": "A", "disbursed": date(2026, 2, 1), "principal": Money(500),
        ...          "outstanding": Money(500), "days_past_due": 95}]
        >>> report = ageing_report(rows, on=date(2026, 6, 1), scheme="five-tier")
        >>> report.count("substandard"), report.npl_ratio()
        (1, Decimal('1'))
    """
    on = check_date(on, "on")
    plan = resolve_scheme(scheme)
    frame = frame_options(records, columns=columns, currency=currency, float_amounts=float_amounts)
    if frame is not None:  # stage 1 in the frame's engine
        return _ageing_of_frame(records, on, plan, frame)
    if plan.override is not None:
        return _ageing_with_override(records, on, plan)  # type: ignore[arg-type]
    # The hot loop: one comparison and one integer add per record. A record's
    # `_akey` packs its days past due, its currency and its own snapshot date, so
    # the first record of each key is checked in full and the rest cannot differ;
    # `_tally` packs (outstanding << 64) + 1, counting and summing in one add.
    day = on.toordinal()
    tally: dict[int, int] = {}
    first: LoanRecord | None = None  # the record whose currency is the report's
    items = record_stream(records)  # LoanRecords; anything else is converted below
    record: Any = NO_RECORD
    while True:
        try:
            for record in items:
                if record._lo > day:
                    raise off_date(record, on)
                try:
                    tally[record._akey] += record._tally
                except KeyError:
                    first = _first_of_key(record, on, first)
                    tally[record._akey] = record._tally
        except AttributeError:
            if record is NO_RECORD or isinstance(record, LoanRecord):
                raise  # not from a record of another type: a real error
            # a mapping or another object: convert it, count it, and go on fast
            converted = coerce(
                record, sum(packed & LOW for packed in tally.values()), position_ok=True
            )
            record = NO_RECORD
            check_on(converted, on)
            first = _first_of_key(converted, on, first)
            tally[converted._akey] = tally.get(converted._akey, 0) + converted._tally
            continue
        break
    by_days: dict[tuple[int, int], int] = {}
    for key, packed in tally.items():
        dpd = (key >> 7) & (MAX_DAYS - 1)
        cell = (dpd, bucket_index(plan, dpd))
        by_days[cell] = by_days.get(cell, 0) + packed
    return _ageing(on, plan, None if first is None else first.principal.currency, by_days)


def _ageing_of_frame(
    frame: object, on: date, plan: BucketScheme, options: Options, *, unique: str | None = None
) -> AgeingReport:
    """Stage 2 over a frame's stage 1: its counts and sums per days past due, bucketed."""
    if plan.override is not None:  # the override sees every record
        return _ageing_with_override(records_of(frame, options), on, plan)
    code, found = ageing_counts(frame, options, on=on, unique=unique)
    buckets: dict[tuple[int, int], int] = {}
    for dpd, (loans, units) in found.items():
        key = (dpd, bucket_index(plan, dpd))
        buckets[key] = buckets.get(key, 0) + (units << SHIFT) + loans
    return _ageing(on, plan, code, buckets)


def _first_of_key(record: LoanRecord, on: date, first: LoanRecord | None) -> LoanRecord:
    """Check the first record of an ageing key in full; return the record that set the currency."""
    if record.on is not None and record.on != on:
        raise off_date(record, on)
    if first is None:
        return record
    if record.principal.currency != first.principal.currency:
        raise currency_mismatch(record, first.principal.currency)
    return first


def _ageing(
    on: date, plan: BucketScheme, currency: str | None, tally: Mapping[tuple[int, int], int]
) -> AgeingReport:
    cells = tuple(
        (dpd, bucket, packed & LOW, packed >> SHIFT)
        for (dpd, bucket), packed in sorted(tally.items())
    )
    return AgeingReport(on=on, scheme=plan, currency=currency, cells=cells)


def _ageing_with_override(
    records: Iterable[LoanRecord | LoanLike | PositionLike | Mapping[str, object]],
    on: date,
    plan: BucketScheme,
) -> AgeingReport:
    """The ageing loop for a scheme with an override: it sees every record."""
    currency: str | None = None
    tally: dict[tuple[int, int], int] = {}
    for _, record in iter_records(records, position_ok=True):
        check_on(record, on)
        currency = check_currency(record, currency)
        dpd = record.days_past_due
        key = (dpd, overridden_index(plan, record, dpd))
        tally[key] = tally.get(key, 0) + record._tally
    return _ageing(on, plan, currency, tally)


def ageing_of_loans_file(
    frame: object, *, on: date, scheme: SchemeName, currency: str | None, unique: str
) -> AgeingReport | None:
    """The command line's ageing report of a file's frame: one pass, no `unique` value twice.

    `unique` is the frame's column of loan ids, or of a hash of them. `None` for a
    scheme with an override (the command's own reader applies it).
    """
    plan = resolve_scheme(scheme)
    if plan.override is not None:
        return None
    options = Options(columns=None, currency=currency, float_amounts="reject")
    return _ageing_of_frame(frame, check_date(on, "on"), plan, options, unique=unique)
