"""Vintage curves (账龄分析): by disbursement month, the share of loans ever over N days past due."""

# The reports' hot loops read LoanRecord's derived fields, the wing's packed record format.
# ruff: noqa: SLF001

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, final

import attrs

from microloan._decimal import CONTEXT
from microloan._validators import check_date, check_int, check_mapping
from microloan.errors import InvalidRecordError, invalid
from microloan.money import Money
from microloan.portfolio._cells import (
    LOW,
    Row,
    check_currency_field,
    is_zero,
    join_currency,
    month_index,
    month_start,
)
from microloan.portfolio._frames import (
    FloatAmounts,
    FrameLike,
    FrameRows,
    frame_options,
    records_of,
    vintage_state,
)
from microloan.portfolio._records import (
    NO_RECORD,
    check_by,
    coerce,
    currency_mismatch,
    record_stream,
)
from microloan.portfolio.buckets import check_days
from microloan.portfolio.records import By, LoanLike, LoanRecord

if TYPE_CHECKING:  # the optional `plot` extra, for the annotations of `.plot()`
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@final
@attrs.frozen(kw_only=True)
class Vintage(FrameRows):
    """Vintage curves (账龄分析): by disbursement month, the share ever over N days past due.

    A cohort is the loans disbursed in one calendar month. Months on book (MOB)
    count calendar months: a snapshot in the month of disbursement is MOB 0, in
    the next month MOB 1. A loan is *bad by MOB m* if any of its records at MOB
    m or earlier shows more than `over` days past due (its `max_days_past_due`,
    else its `days_past_due`); once bad it stays bad, so every curve is
    non-decreasing. A cohort's curve runs up to the latest snapshot month of the
    input. Built by [`vintage`][microloan.vintage]; merge with `+` (the state is
    per loan, so a loan's records may be split across parts at will).

    Attributes:
        over: the threshold N: bad means more than N days past due.
        currency: the currency of every principal, `None` while empty.
        last_month: the latest snapshot month (`year × 12 + month − 1`), -1 while empty.

    Examples:
        >>> from datetime import date
        >>> def rec(i: int, on: date, dpd: int) -> LoanRecord:
        ...     return LoanRecord(loan_id=i, disbursed=date(2026, 1, 20), principal=Money(1000),
        ...                       outstanding=Money(1000), days_past_due=dpd, on=on)
        >>> panel = [rec(1, date(2026, 2, 28), 0), rec(1, date(2026, 3, 31), 31),
        ...          rec(2, date(2026, 2, 28), 0), rec(2, date(2026, 3, 31), 0)]
        >>> v = vintage(panel, over=30)
        >>> v.curve(date(2026, 1, 1))  # MOB 0, 1, 2
        (Decimal('0'), Decimal('0'), Decimal('0.5'))
    """

    over: int
    currency: str | None = None
    last_month: int = -1
    _loans: Mapping[object, int] = attrs.field(factory=dict, repr=False, hash=False)
    _bad: Mapping[object, int] = attrs.field(factory=dict, repr=False, hash=False)
    _table: dict[int, tuple[int, int, tuple[int, ...], tuple[int, ...]]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        _check_packed(self.over, self.currency, self.last_month, self._loans, self._bad)
        cohorts: dict[int, list[int]] = {}
        for ident in self._loans.values():
            cell = cohorts.setdefault(ident >> 70, [0, 0])
            cell[0] += 1
            cell[1] += ident & LOW
        bad: dict[tuple[int, int], list[int]] = {}
        for lid, mob in self._bad.items():
            ident = self._loans[lid]
            cell = bad.setdefault((ident >> 70, mob), [0, 0])
            cell[0] += 1
            cell[1] += ident & LOW
        table = {}
        for month, (loans, principal) in sorted(cohorts.items()):
            counts, units, run_c, run_u = [], [], 0, 0
            for mob in range(self.last_month - month + 1):
                c, u = bad.get((month, mob), (0, 0))
                run_c, run_u = run_c + c, run_u + u
                counts.append(run_c)
                units.append(run_u)
            table[month] = (loans, principal, tuple(counts), tuple(units))
        object.__setattr__(self, "_table", table)

    @classmethod
    def _counted(cls, over: int, state: tuple[Any, ...]) -> Vintage:
        """A vintage from the state a frame's engine counted (checked there).

        `state` is `(currency, last_month, loans, bad, table)`, the cohort table included.
        """
        currency, last_month, loans, bad, table = state
        made = cls.__new__(cls)
        fields = {"over": over, "currency": currency, "last_month": last_month}
        fields.update({"_loans": loans, "_bad": bad, "_table": table})
        for name, value in fields.items():
            object.__setattr__(made, name, value)
        return made

    def __add__(self, other: object) -> Vintage:
        if not isinstance(other, Vintage):
            return NotImplemented
        if other.over != self.over:
            raise invalid("other", other.over, f"is a vintage over {other.over}, not {self.over}")
        loans = dict(self._loans)
        for lid, ident in other._loans.items():
            if loans.setdefault(lid, ident) != ident:
                raise InvalidRecordError(
                    lid, "has another disbursement month or principal in the other part"
                )
        bad = dict(self._bad)
        for lid, mob in other._bad.items():
            if mob < bad.get(lid, mob + 1):
                bad[lid] = mob
        return Vintage(
            over=self.over,
            currency=join_currency(self.currency, other.currency),
            last_month=max(self.last_month, other.last_month),
            loans=loans,
            bad=bad,
        )

    def __radd__(self, other: object) -> Vintage:
        return self if is_zero(other) else NotImplemented

    @property
    def cohorts(self) -> tuple[date, ...]:
        """The cohorts, as the first day of each disbursement month, oldest first."""
        return tuple(month_start(m) for m in self._table)

    def _row(self, cohort: date) -> tuple[int, int, tuple[int, ...], tuple[int, ...]]:
        month = month_index(check_date(cohort, "cohort"))
        try:
            return self._table[month]
        except KeyError:
            raise invalid("cohort", cohort, "has no loans in this vintage") from None

    def loans(self, cohort: date) -> int:
        """The number of loans disbursed in `cohort`'s month."""
        return self._row(cohort)[0]

    def principal(self, cohort: date) -> Money:
        """The principal disbursed in `cohort`'s month."""
        return Money.from_minor_units(self._row(cohort)[1], self.currency or "CNY")

    def curve(self, cohort: date, *, by: By = "balance") -> tuple[Decimal, ...]:
        """The share ever over `over` days past due at MOB 0, 1, … up to the latest snapshot.

        By balance: principal disbursed of the bad loans / the cohort's principal;
        by count: bad loans / the cohort's loans.
        """
        loans, principal, counts, units = self._row(cohort)
        part, whole = (counts, loans) if check_by(by) == "count" else (units, principal)
        return tuple(CONTEXT.divide(Decimal(p), Decimal(whole)) for p in part) if whole else ()

    def share(self, cohort: date, mob: int, *, by: By = "balance") -> Decimal | None:
        """One point of a curve; `None` beyond the latest snapshot."""
        if isinstance(mob, bool) or not isinstance(mob, int) or mob < 0:
            raise invalid("mob", mob, "must be a whole number of months on book, not negative")
        curve = self.curve(cohort, by=by)
        return curve[mob] if mob < len(curve) else None

    def plot(
        self, *, by: By = "balance", ax: Axes | None = None, title: str | None = None
    ) -> Figure:
        """The vintage curves: one line per cohort, the share ever over `over` days by MOB.

        Needs matplotlib (`pip install 'microloan[plot]'`); see
        [Draw the charts](../how-to/charts.md).

        Args:
            by: `"balance"` (share of principal) or `"count"` (share of loans).
            ax: matplotlib axes to draw on (default: a new figure of its own).
            title: the chart's title (default: the threshold).

        Returns:
            The `matplotlib.figure.Figure` drawn on.

        Raises:
            MissingDependencyError: matplotlib is not installed.

        Examples:
            >>> from datetime import date
            >>> r = LoanRecord(loan_id="x", disbursed=date(2026, 1, 5), principal=Money(100),
            ...                outstanding=Money(100), days_past_due=95, on=date(2026, 5, 31))
            >>> [line.get_label() for line in vintage([r], over=90).plot().axes[0].lines]
            ['2026-01']
        """
        from microloan._charts import vintage_chart  # noqa: PLC0415 - matplotlib when drawing

        return vintage_chart(self, by=by, ax=ax, title=title)

    def as_rows(self, *, by: By = "balance") -> list[Row]:
        """One row per cohort: `cohort` (`"YYYY-MM"`), `loans`, `principal`, `mob_0`, `mob_1` and on."""
        width = max((len(t[2]) for t in self._table.values()), default=0)
        rows: list[Row] = []
        for cohort in self.cohorts:
            curve = self.curve(cohort, by=by)
            row: Row = {
                "cohort": cohort.isoformat()[:7],
                "loans": self.loans(cohort),
                "principal": self.principal(cohort),
            }
            for mob in range(width):
                row[f"mob_{mob}"] = curve[mob] if mob < len(curve) else None
            rows.append(row)
        return rows


def vintage(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]] | FrameLike,
    *,
    over: int = 30,
    columns: Mapping[str, str] | None = None,
    currency: str | None = None,
    float_amounts: FloatAmounts = "reject",
) -> Vintage:
    """Vintage curves from snapshots: each record is one loan at one date (`on` required).

    Args:
        records: a panel of snapshots (month-end, say), any number per loan, each
            with its `on` date; one snapshot per loan also works, for a curve
            that only shows what is known at that date.
            Or a DataFrame (the `microloan[frames]` extra) with a column per field.
        over: bad means more than `over` days past due: 30 for 30+ (M1+), 90 for 90+.
        columns: for a frame, the column of each field not named as the field.
        currency: for a frame, the currency of its amounts (required for integer
            minor units).
        float_amounts: for a frame with float amounts: `"reject"` (default) or `"round"`.

    Raises:
        InvalidRecordError: a record without `on`, one loan with two disbursement
            months or principals, records in two currencies, or a bad record.

    Examples:
        >>> from datetime import date
        >>> r = LoanRecord(loan_id="x", disbursed=date(2026, 1, 5), principal=Money(100),
        ...                outstanding=Money(100), days_past_due=95, on=date(2026, 5, 31))
        >>> vintage([r], over=90).share(date(2026, 1, 1), mob=4)
        Decimal('1')
    """
    over = check_days(over, "over")
    frame = frame_options(records, columns=columns, currency=currency, float_amounts=float_amounts)
    if frame is not None:
        state = vintage_state(records, frame, over=over)  # stage 1 in the frame's engine
        if state is not None:
            return Vintage._counted(over, state)
        records = records_of(records, frame)  # the frame's rows read as records
    return _vintage(records, over)  # type: ignore[arg-type]


def _vintage(records: Iterable[LoanRecord | LoanLike | Mapping[str, object]], over: int) -> Vintage:
    """The vintage table of checked records: one pass, packed integers per loan and month."""
    # The hot loop: a record's `_ident` packs its disbursement month, currency and
    # principal (-1 without a snapshot date), so a loan seen again is checked by
    # one comparison, and a new loan in full.
    loans: dict[object, int] = {}
    bad: dict[object, int] = {}
    known, seen_bad = loans.get, bad.get
    first: LoanRecord | None = None  # the record whose currency is the vintage's
    currency = -1  # its index in CURRENCY_INDEX, once known
    last = -1
    count = 0  # records read, to name a bad one
    items = record_stream(records)  # LoanRecords; anything else is converted below
    record: Any = NO_RECORD
    while True:
        try:
            for record in items:
                ident = record._ident
                lid = record.loan_id
                old = known(lid)
                if old != ident:
                    if old is None and ident >> 64 & 127 == currency:
                        loans[lid] = ident  # a new, dated loan in the vintage's currency
                    else:
                        first = _new_loan(record, loans, first)
                        currency = first._ident >> 64 & 127
                snap = record._snap
                if record._worst > over:
                    mob = snap - (ident >> 70)
                    was = seen_bad(lid)
                    if was is None or mob < was:
                        bad[lid] = mob
                if snap > last:  # noqa: PLR1730 - a call to max() per record costs more
                    last = snap
                count += 1
        except AttributeError:
            if record is NO_RECORD or isinstance(record, LoanRecord):
                raise  # not from a record of another type: a real error
            # a mapping or another object: convert it, count it, and go on fast
            converted = coerce(record, count)
            record = NO_RECORD
            first = _vintage_one(converted, over, loans, bad, first)
            currency = -1 if first is None else first._ident >> 64 & 127
            last = max(last, converted._snap)
            count += 1
            continue
        break
    code = None if first is None else first.principal.currency
    return Vintage(over=over, currency=code, last_month=last, loans=loans, bad=bad)


def _vintage_one(
    record: LoanRecord,
    over: int,
    loans: dict[object, int],
    bad: dict[object, int],
    first: LoanRecord | None,
) -> LoanRecord | None:
    """What the vintage hot loop does with one record, for a record converted on the way."""
    if loans.get(record.loan_id) != record._ident:
        first = _new_loan(record, loans, first)
    if record._worst > over:
        mob = record._snap - month_index(record.disbursed)
        if mob < bad.get(record.loan_id, mob + 1):
            bad[record.loan_id] = mob
    return first


def _new_loan(record: LoanRecord, loans: dict[object, int], first: LoanRecord | None) -> LoanRecord:
    """Check the first record of a loan in a vintage; refuse one that contradicts an earlier one."""
    if record._ident < 0:
        raise InvalidRecordError(record.loan_id, "on: is missing; vintage needs snapshot dates")
    if record.loan_id in loans:
        raise InvalidRecordError(
            record.loan_id,
            "has another disbursement month, principal or currency in an earlier record",
        )
    if first is not None and record.principal.currency != first.principal.currency:
        raise currency_mismatch(record, first.principal.currency)
    loans[record.loan_id] = record._ident
    return first or record


def _check_packed(
    over: object, currency: object, last_month: object, loans: object, bad: object
) -> None:
    """The fields of a vintage built by hand or read back: the cells `vintage` packs."""
    check_int("over", over, minimum=0)
    check_int("last_month", last_month, minimum=-1)
    check_currency_field(currency)
    for name, cells in (("loans", loans), ("bad", bad)):
        for key, value in check_mapping(name, cells, "a mapping of loan id to int").items():
            check_int(f"{name}[{key!r}]", value, minimum=0)
    for lid in check_mapping("bad", bad):
        if lid not in check_mapping("loans", loans):
            raise invalid(f"bad[{lid!r}]", lid, "is not one of the loans")
