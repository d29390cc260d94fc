"""Coincident and lagged overdue rates on one date, kept by disbursement month."""

# The reports' hot loops read LoanRecord's derived fields, the wing's packed record format.
# ruff: noqa: SLF001

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import final

import attrs

from microloan._validators import check_date
from microloan.errors import invalid
from microloan.money import Money
from microloan.portfolio._cells import (
    Row,
    add_reports,
    check_cells,
    check_currency_field,
    is_zero,
    month_index,
    month_start,
    ratio,
)
from microloan.portfolio._frames import (
    FloatAmounts,
    FrameLike,
    FrameRows,
    frame_options,
    overdue_counts,
)
from microloan.portfolio._records import (
    check_by,
    check_currency,
    check_on,
    is_on_book,
    iter_records,
)
from microloan.portfolio.buckets import check_days
from microloan.portfolio.records import By, LoanLike, LoanRecord


@final
@attrs.frozen(kw_only=True)
class OverdueRates(FrameRows):
    """Overdue loans on one date by disbursement month: coincident and lagged rates.

    Built by [`overdue_rates`][microloan.overdue_rates]; merge with `+`.

    Attributes:
        on: the report date.
        over: a loan is overdue when more than `over` days past due (0: any day).
        currency: the currency of every balance, `None` while empty.
        cells: per disbursement month, `(month index, loans booked, principal booked,
            loans on book, outstanding, overdue loans, overdue outstanding)`, amounts in
            minor units; the month index is `year × 12 + month − 1`.

    Examples:
        >>> from datetime import date
        >>> book = [  # mappings with LoanRecord's keys serve as well as records
        ...     {"loan_id": 1, "disbursed": date(2026, 1, 10), "principal": Money(1000),
        ...      "outstanding": Money(600), "days_past_due": 5},
        ...     {"loan_id": 2, "disbursed": date(2026, 3, 10), "principal": Money(1000),
        ...      "outstanding": Money(1000), "days_past_due": 0},
        ... ]
        >>> rates = overdue_rates(book, on=date(2026, 3, 31))
        >>> rates.coincident()  # 600 overdue / 1,600 outstanding
        Decimal('0.375')
        >>> rates.lagged(months=2)  # 600 overdue / 1,000 lent in January or before
        Decimal('0.6')
    """

    on: date
    over: int = 0
    currency: str | None = None
    cells: tuple[tuple[int, int, int, int, int, int, int], ...] = ()

    def __attrs_post_init__(self) -> None:
        on = check_date(self.on, "on")
        check_days(self.over, "over")
        check_currency_field(self.currency)
        check_cells(
            self.cells,
            shape="(month index, loans booked, principal booked, loans on book, outstanding,"
            " overdue loans, overdue outstanding)",
            keys=1,
            below={0: (month_index(on) + 1, f"is a month after the report date {on}")},
            parts=((3, 1), (5, 3), (6, 4)),
            currency=self.currency,
        )

    def __add__(self, other: object) -> OverdueRates:
        refusal = "is a report of another date or threshold"
        return add_reports(self, other, same=("on", "over"), keys=1, refusal=refusal)

    def __radd__(self, other: object) -> OverdueRates:
        return self if is_zero(other) else NotImplemented

    def coincident(self, *, by: By = "balance") -> Decimal | None:
        """Overdue over the book on the same date.

        By balance: overdue outstanding / outstanding; by count: overdue loans /
        loans on book.
        """
        num, den = (5, 3) if check_by(by) == "count" else (6, 4)
        return ratio(sum(c[num] for c in self.cells), sum(c[den] for c in self.cells))

    def lagged(self, *, months: int, by: By = "balance") -> Decimal | None:
        """Overdue today over what was lent `months` or more months before.

        Only loans disbursed in the month `months` before `on`'s month, or earlier,
        count on both sides. By balance: their overdue outstanding / their principal
        disbursed; by count: their overdue loans / their number.
        """
        if isinstance(months, bool) or not isinstance(months, int) or months < 0:
            raise invalid("months", months, "must be a whole number of months, not negative")
        cutoff = month_index(self.on) - months
        num, den = (5, 1) if check_by(by) == "count" else (6, 2)
        cells = [c for c in self.cells if c[0] <= cutoff]
        return ratio(sum(c[num] for c in cells), sum(c[den] for c in cells))

    def as_rows(self) -> list[Row]:
        """One row per disbursement month: counts, balances and both rates for that month alone."""
        currency = self.currency or "CNY"
        rows: list[Row] = []
        for month, booked, principal, loans, outstanding, bad, bad_units in self.cells:
            rows.append(
                {
                    "cohort": month_start(month).isoformat()[:7],
                    "loans_booked": booked,
                    "principal": Money.from_minor_units(principal, currency),
                    "loans_on_book": loans,
                    "outstanding": Money.from_minor_units(outstanding, currency),
                    "overdue_loans": bad,
                    "overdue_outstanding": Money.from_minor_units(bad_units, currency),
                    "coincident_rate": ratio(bad_units, outstanding),
                    "lagged_rate": ratio(bad_units, principal),
                }
            )
        return rows


def overdue_rates(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]] | FrameLike,
    *,
    on: date,
    over: int = 0,
    columns: Mapping[str, str] | None = None,
    currency: str | None = None,
    float_amounts: FloatAmounts = "reject",
) -> OverdueRates:
    """Coincident and lagged overdue rates on `on`, kept by disbursement month.

    Args:
        records: the loans booked up to `on`, one record each, including loans
            already repaid (nothing outstanding): the lagged rate's denominator is
            everything lent. Or a DataFrame (the `microloan[frames]` extra) with
            columns `disbursed`, `principal`, `outstanding`, `days_past_due` (and
            `on`, `written_off` when present): its engine counts.
        on: the report date.
        over: a loan is overdue when more than `over` days past due; 0 (default)
            for any overdue, 30 for M1+, 90 for M3+.
        columns: for a frame, the column of each field not named as the field.
        currency: for a frame, the currency of its amounts (required for integer
            minor units).
        float_amounts: for a frame with float amounts: `"reject"` (default) or `"round"`.

    Raises:
        InvalidRecordError: a bad record, or one of another date or disbursed after `on`.

    Examples:
        >>> from datetime import date
        >>> r = LoanRecord(loan_id=1, disbursed=date(2026, 1, 10), principal=Money(900),
        ...                outstanding=Money(0), days_past_due=0)
        >>> overdue_rates([r], on=date(2026, 2, 28)).coincident() is None  # nothing on book
        True
    """
    on = check_date(on, "on")
    over = check_days(over, "over")
    frame = frame_options(records, columns=columns, currency=currency, float_amounts=float_amounts)
    if frame is not None:  # stage 1 in the frame's engine
        code, found = overdue_counts(records, frame, on=on, over=over)
        return _overdue(on, over, code, found)
    currency = None
    cells: dict[int, list[int]] = {}
    for _, record in iter_records(records, position_ok=True):  # type: ignore[arg-type]
        check_on(record, on)
        currency = check_currency(record, currency)
        cell = cells.setdefault(month_index(record.disbursed), [0] * 6)
        cell[0] += 1
        cell[1] += record._punits
        if is_on_book(record):
            cell[2] += 1
            cell[3] += record._units
            if record.days_past_due > over:
                cell[4] += 1
                cell[5] += record._units
    return _overdue(on, over, currency, cells)


def _overdue(
    on: date, over: int, currency: str | None, cells: dict[int, list[int]]
) -> OverdueRates:
    return OverdueRates(
        on=on,
        over=over,
        currency=currency,
        cells=tuple((m, *v) for m, v in sorted(cells.items())),  # type: ignore[misc]
    )
