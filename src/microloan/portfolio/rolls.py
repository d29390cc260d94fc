"""Roll rates: the bucket-to-bucket transition matrix (迁徙矩阵) between two snapshots."""

# The reports' hot loops read LoanRecord's derived fields, the wing's packed record format.
# ruff: noqa: SLF001

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal, final

import attrs

from microloan._validators import check_date, check_int
from microloan.errors import InvalidRecordError, invalid, wrong_type
from microloan.money import Money
from microloan.portfolio._cells import (
    Row,
    check_cells,
    check_currency_field,
    is_zero,
    join_currency,
    merge_cells,
    ratio,
)
from microloan.portfolio._frames import (
    ABSENT,
    FloatAmounts,
    FrameLike,
    FrameRows,
    RollCounts,
    frame_options,
    records_of,
    roll_counts,
)
from microloan.portfolio._records import (
    check_by,
    check_currency,
    check_on,
    is_on_book,
    iter_records,
)
from microloan.portfolio.buckets import BucketScheme, SchemeName, overridden_index, resolve_scheme
from microloan.portfolio.records import By, LoanLike, LoanRecord

if TYPE_CHECKING:  # the optional `plot` extra, for the annotations of `.plot()`
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_PAID_OFF: Final = "paid_off"
_WRITTEN_OFF: Final = "written_off"


@final
@attrs.frozen(kw_only=True)
class RollRates(FrameRows):
    """The bucket-to-bucket transition matrix (迁徙矩阵) between two snapshots.

    Rows are the buckets at `start`; columns are the buckets at `end`, then
    `"paid_off"` and `"written_off"`. Each cell holds the number of loans, their
    outstanding principal at `start` and at `end`. Rows add up exactly to the
    bucket's loans and balance at `start`. Built by
    [`roll_rates`][microloan.roll_rates]; merge with `+`.

    Attributes:
        start: the first snapshot's date.
        end: the second snapshot's date.
        scheme: the bucket scheme.
        currency: the currency of every balance, `None` while empty.
        cells: `(from index, to index, loans, start minor units, end minor units)`.
        new_loans: loans at `end` that were not at `start` (not in any row).
        new_outstanding: their outstanding principal at `end`, in minor units.

    Examples:
        >>> from datetime import date
        >>> def rec(i: int, dpd: int, left: int) -> LoanRecord:
        ...     return LoanRecord(loan_id=i, disbursed=date(2026, 1, 1), principal=Money(100),
        ...                       outstanding=Money(left), days_past_due=dpd)
        >>> before = [rec(1, 0, 100), rec(2, 0, 100), rec(3, 10, 100), rec(4, 10, 100)]
        >>> after = [rec(1, 0, 90), rec(2, 12, 100), rec(3, 41, 100), rec(4, 0, 0)]
        >>> rr = roll_rates(before, after, start=date(2026, 3, 1), end=date(2026, 3, 31))
        >>> rr.count("M0", "M1"), rr.count("M1", "M2"), rr.count("M1", "paid_off")
        (1, 1, 1)
        >>> rr.roll_forward("M1", by="count")  # M1 -> M2: 1 of 2
        Decimal('0.5')
    """

    start: date
    end: date
    scheme: BucketScheme
    currency: str | None = None
    cells: tuple[tuple[int, int, int, int, int], ...] = ()
    new_loans: int = 0
    new_outstanding: int = 0

    def __attrs_post_init__(self) -> None:
        start, end = check_date(self.start, "start"), check_date(self.end, "end")
        if end <= start:
            raise invalid("end", end, f"must be after start {start.isoformat()}")
        if not isinstance(self.scheme, BucketScheme):
            raise wrong_type("scheme", self.scheme, "a BucketScheme")
        check_currency_field(self.currency)
        buckets = len(self.scheme.labels)
        check_cells(
            self.cells,
            shape="(from index, to index, loans, start minor units, end minor units)",
            keys=2,
            below={
                0: (buckets, f"is not a bucket of {list(self.from_labels)}"),
                1: (buckets + 2, f"is not a column of {list(self.to_labels)}"),
            },
            currency=self.currency,
        )
        check_int("new_loans", self.new_loans, minimum=0)
        check_int("new_outstanding", self.new_outstanding, minimum=0)

    def __add__(self, other: object) -> RollRates:
        if not isinstance(other, RollRates):
            return NotImplemented
        if (other.start, other.end, other.scheme) != (self.start, self.end, self.scheme):
            raise invalid("other", other.start, "is a matrix of other dates or another scheme")
        cells = merge_cells(self.cells, other.cells, keys=2)
        return RollRates(
            start=self.start,
            end=self.end,
            scheme=self.scheme,
            currency=join_currency(self.currency, other.currency),
            cells=cells,  # type: ignore[arg-type]
            new_loans=self.new_loans + other.new_loans,
            new_outstanding=self.new_outstanding + other.new_outstanding,
        )

    def __radd__(self, other: object) -> RollRates:
        return self if is_zero(other) else NotImplemented

    @property
    def from_labels(self) -> tuple[str, ...]:
        """The row labels: the scheme's buckets."""
        return self.scheme.labels

    @property
    def to_labels(self) -> tuple[str, ...]:
        """The column labels: the scheme's buckets, `"paid_off"` and `"written_off"`."""
        return (*self.scheme.labels, _PAID_OFF, _WRITTEN_OFF)

    def _pair(self, source: str, target: str) -> tuple[int, int]:
        if source not in self.from_labels:
            raise invalid("source", source, f"is not a bucket of {list(self.from_labels)}")
        if target not in self.to_labels:
            raise invalid("target", target, f"is not one of {list(self.to_labels)}")
        return self.from_labels.index(source), self.to_labels.index(target)

    def _sum(self, source: int, target: int | None, col: int) -> int:
        return sum(
            c[col] for c in self.cells if c[0] == source and (target is None or c[1] == target)
        )

    def count(self, source: str, target: str) -> int:
        """Loans in bucket `source` at `start` and in `target` at `end`."""
        i, j = self._pair(source, target)
        return self._sum(i, j, 2)

    def balance(self, source: str, target: str, *, at: Literal["start", "end"] = "start") -> Money:
        """Outstanding principal of the loans moving from `source` to `target`, at `start` or `end`."""
        i, j = self._pair(source, target)
        col = 3 if at == "start" else 4
        if at not in ("start", "end"):
            raise invalid("at", at, 'must be "start" or "end"')
        return Money.from_minor_units(self._sum(i, j, col), self.currency or "CNY")

    def rate(self, source: str, target: str, *, by: By = "count") -> Decimal | None:
        """Share of bucket `source` at `start` found in `target` at `end`.

        By count: loans moved / loans in `source`; by balance: their outstanding
        at `start` / the bucket's outstanding at `start` (so a row sums to 1).
        """
        i, j = self._pair(source, target)
        col = 2 if check_by(by) == "count" else 3
        return ratio(self._sum(i, j, col), self._sum(i, None, col))

    def roll_forward(self, source: str, *, by: By = "count") -> Decimal | None:
        """The roll rate from `source` to the next bucket (M1 → M2, say).

        Raises:
            InvalidValueError: `source` is the last bucket, which has no next.
        """
        labels = self.from_labels
        if source in labels and labels.index(source) == len(labels) - 1:
            raise invalid("source", source, "is the last bucket; it has nowhere to roll to")
        i, _ = self._pair(source, labels[0])
        return self.rate(source, labels[i + 1], by=by)

    def plot(self, *, by: By = "count", ax: Axes | None = None, title: str | None = None) -> Figure:
        """The roll-rate heatmap: the share of each starting bucket in each end state.

        Needs matplotlib (`pip install 'microloan[plot]'`); see
        [Draw the charts](../how-to/charts.md).

        Args:
            by: `"count"` (share of loans) or `"balance"` (of outstanding at `start`).
            ax: matplotlib axes to draw on (default: a new figure of its own).
            title: the chart's title (default: the two dates).

        Returns:
            The `matplotlib.figure.Figure` drawn on.

        Raises:
            MissingDependencyError: matplotlib is not installed.

        Examples:
            >>> from datetime import date
            >>> def rec(i: int, dpd: int) -> LoanRecord:
            ...     return LoanRecord(loan_id=i, disbursed=date(2026, 1, 1), principal=Money(100),
            ...                       outstanding=Money(100), days_past_due=dpd)
            >>> rr = roll_rates([rec(1, 0), rec(2, 0)], [rec(1, 0), rec(2, 12)],
            ...                 start=date(2026, 3, 1), end=date(2026, 3, 31))
            >>> rr.plot().axes[0].get_images()[0].get_array()[0][:2].tolist()  # M0 -> M0, M0 -> M1
            [0.5, 0.5]
        """
        from microloan._charts import roll_rates_chart  # noqa: PLC0415 - matplotlib when drawing

        return roll_rates_chart(self, by=by, ax=ax, title=title)

    def as_rows(self, *, by: By = "count") -> list[Row]:
        """One row per starting bucket: its size, then the rate into every column."""
        col = 2 if check_by(by) == "count" else 3
        rows: list[Row] = []
        for i, label in enumerate(self.from_labels):
            whole = self._sum(i, None, col)
            row: Row = {
                "from": label,
                "loans": self._sum(i, None, 2),
                "outstanding": Money.from_minor_units(
                    self._sum(i, None, 3), self.currency or "CNY"
                ),
            }
            for j, target in enumerate(self.to_labels):
                row[target] = ratio(self._sum(i, j, col), whole)
            rows.append(row)
        return rows


def roll_rates(
    before: Iterable[LoanRecord | LoanLike | Mapping[str, object]] | FrameLike,
    after: Iterable[LoanRecord | LoanLike | Mapping[str, object]] | FrameLike,
    *,
    start: date,
    end: date,
    scheme: SchemeName | BucketScheme = "m",
    absent: Literal["paid_off", "written_off", "error"] = "paid_off",
    columns: Mapping[str, str] | None = None,
    currency: str | None = None,
    float_amounts: FloatAmounts = "reject",
) -> RollRates:
    """The transition matrix of loans from one snapshot to the next, joined by loan id.

    A loan on book at `start` (not written off, not closed) is a row in its
    bucket. At `end` it is in its bucket, `"written_off"` if its record says so,
    `"paid_off"` if nothing is outstanding or overdue, and, when it has no record
    at `end`, where `absent` says.

    Args:
        before: the snapshot at `start`, one record per loan; or a DataFrame (the
            `microloan[frames]` extra) with a column per field: then the frames'
            engine checks both snapshots, joins them by loan id and counts the
            matrix, and only the counts come back (a scheme with an override, or
            frames of two libraries, are read as records instead).
        after: the snapshot at `end`, one record per loan (a frame if `before` is).
        start: the first snapshot's date.
        end: the second snapshot's date, after `start`.
        scheme: the bucket scheme (an override is applied to each record).
        absent: what a loan missing at `end` became: `"paid_off"` (default),
            `"written_off"`, or `"error"` to refuse such input.
        columns: for frames, the column of each field not named as the field.
        currency: for frames, the currency of their amounts (required for integer
            minor units).
        float_amounts: for frames with float amounts: `"reject"` (default) or `"round"`.

    Raises:
        InvalidRecordError: a bad record, one loan twice in a snapshot, a loan
            missing at `end` with `absent="error"`, or records in two currencies.
        InvalidValueError: `end` is not after `start`, or `absent` is unknown.

    Examples:
        >>> import polars as pl
        >>> def snap(on: date, dpd: list[int], left: list[int]) -> pl.DataFrame:
        ...     return pl.DataFrame({"loan_id": ["A", "B", "C"], "disbursed": [date(2026, 1, 5)] * 3,
        ...                          "principal": [100_000] * 3, "outstanding": left,
        ...                          "days_past_due": dpd, "on": [on] * 3})
        >>> march = snap(date(2026, 3, 31), [0, 10, 10], [90_000, 100_000, 100_000])
        >>> april = snap(date(2026, 4, 30), [12, 41, 0], [90_000, 100_000, 0])
        >>> rr = roll_rates(march, april, start=date(2026, 3, 31), end=date(2026, 4, 30),
        ...                 currency="CNY")  # the engine joins and counts
        >>> rr.count("M0", "M1"), rr.count("M1", "M2"), rr.count("M1", "paid_off")
        (1, 1, 1)
        >>> rr.balance("M1", "M2")
        Money('1000.00', 'CNY')
    """
    start, end = check_date(start, "start"), check_date(end, "end")
    if end <= start:
        raise invalid("end", end, f"must be after start {start.isoformat()}")
    if absent not in (_PAID_OFF, _WRITTEN_OFF, "error"):
        raise invalid("absent", absent, 'must be "paid_off", "written_off" or "error"')
    plan = resolve_scheme(scheme)
    frame = frame_options(before, columns=columns, currency=currency, float_amounts=float_amounts)
    if frame is not None:
        counted = None
        if plan.override is None:  # stage 1 in the frames' engine; an override sees records
            counted = roll_counts(
                before,
                after,
                frame,
                start=start,
                end=end,
                starts=tuple(bucket.low for bucket in plan.buckets),
                absent_error=absent == "error",
            )
        if counted is not None:
            return _counted(start, end, plan, absent, counted)
        before, after = records_of(before, frame), records_of(after, frame)
    later, currency = _snapshot(after, end)  # type: ignore[arg-type]
    cells: dict[tuple[int, int], list[int]] = {}
    seen: set[object] = set()
    for _, record in iter_records(before):  # type: ignore[arg-type]
        check_on(record, start)
        currency = check_currency(record, currency)
        if record.loan_id in seen:
            raise InvalidRecordError(record.loan_id, f"appears twice in the snapshot of {start}")
        seen.add(record.loan_id)
        if not is_on_book(record):
            continue
        source = overridden_index(plan, record, record.days_past_due)
        there = later.get(record.loan_id)
        if there is None and absent == "error":
            raise InvalidRecordError(record.loan_id, "has no record at end (absent='error')")
        target = _end_state(plan, there, absent)
        end_units = 0 if there is None else there._units
        cell = cells.setdefault((source, target), [0, 0, 0])
        cell[0] += 1
        cell[1] += record._units
        cell[2] += end_units
    fresh = [r for lid, r in later.items() if lid not in seen]
    return RollRates(
        start=start,
        end=end,
        scheme=plan,
        currency=currency,
        cells=tuple((*k, *v) for k, v in sorted(cells.items())),  # type: ignore[misc]
        new_loans=len(fresh),
        new_outstanding=sum(r._units for r in fresh),
    )


def _counted(
    start: date, end: date, plan: BucketScheme, absent: str, counted: RollCounts
) -> RollRates:
    """The matrix from the engine's counts: a loan missing at the end goes where `absent` says."""
    gone = len(plan.buckets) + (0 if absent == _PAID_OFF else 1)
    cells: dict[tuple[int, int], list[int]] = {}
    for (source, target), sums in counted.cells.items():
        cell = cells.setdefault((source, gone if target == ABSENT else target), [0, 0, 0])
        for i, value in enumerate(sums):
            cell[i] += value
    return RollRates(
        start=start,
        end=end,
        scheme=plan,
        currency=counted.currency,
        cells=tuple((*k, *v) for k, v in sorted(cells.items())),  # type: ignore[misc]
        new_loans=counted.new_loans,
        new_outstanding=counted.new_units,
    )


def _snapshot(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]], on: date
) -> tuple[dict[object, LoanRecord], str | None]:
    """Index a snapshot by loan id, checking its dates, currency and that no loan repeats."""
    currency: str | None = None
    found: dict[object, LoanRecord] = {}
    for _, record in iter_records(records, position_ok=True):
        check_on(record, on)
        currency = check_currency(record, currency)
        if record.loan_id in found:
            raise InvalidRecordError(record.loan_id, f"appears twice in the snapshot of {on}")
        found[record.loan_id] = record
    return found, currency


def _end_state(plan: BucketScheme, there: LoanRecord | None, absent: str) -> int:
    """The column of a loan at the end: its bucket, or paid off / written off after the buckets."""
    paid_off, written_off = len(plan.buckets), len(plan.buckets) + 1
    if there is None:
        return paid_off if absent == _PAID_OFF else written_off
    if there.written_off:
        return written_off
    if there.is_closed:
        return paid_off
    return overridden_index(plan, there, there.days_past_due)
