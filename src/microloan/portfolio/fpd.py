"""First-payment default (首逾率, FPDn): the share of first installments more than n days late."""

# The reports' hot loops read LoanRecord's derived fields, the wing's packed record format.
# ruff: noqa: SLF001

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import final

import attrs

from microloan._validators import check_date
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
    fpd_cells,
    frame_options,
    records_of,
)
from microloan.portfolio._records import check_by, check_currency, iter_records
from microloan.portfolio.buckets import check_days
from microloan.portfolio.records import By, LoanLike, LoanRecord


@final
@attrs.frozen(kw_only=True)
class FirstPaymentDefault(FrameRows):
    """First-payment default (首逾率, FPDn) by disbursement month.

    FPDn = loans whose first installment was more than n days past due / loans
    whose first installment can be judged (it is due, and n days have passed,
    or it is already more than n days late). By balance, the same with principal
    disbursed. Built by [`first_payment_default`][microloan.first_payment_default];
    merge with `+`.

    Attributes:
        over: n: a first installment more than n days past due is a default.
        currency: the currency of every principal, `None` while empty.
        cells: per disbursement month, `(month index, loans judged, their principal,
            defaults, their principal)`, amounts in minor units.

    Examples:
        >>> from datetime import date
        >>> def rec(i: int, first: int) -> LoanRecord:
        ...     return LoanRecord(loan_id=i, disbursed=date(2026, 1, 3), principal=Money(500),
        ...                       outstanding=Money(500), first_installment_days_past_due=first)
        >>> fpd = first_payment_default([rec(1, 0), rec(2, 8), rec(3, 2), rec(4, 0)], over=7)
        >>> fpd.rate()  # 1 of 4 first installments more than 7 days late
        Decimal('0.25')
    """

    over: int
    currency: str | None = None
    cells: tuple[tuple[int, int, int, int, int], ...] = ()

    def __attrs_post_init__(self) -> None:
        check_days(self.over, "over")
        check_currency_field(self.currency)
        check_cells(
            self.cells,
            shape="(month index, loans judged, their principal, defaults, their principal)",
            keys=1,
            parts=((3, 1), (4, 2)),
            currency=self.currency,
        )

    def __add__(self, other: object) -> FirstPaymentDefault:
        refusal = f"is an FPD over {getattr(other, 'over', None)}, not {self.over}"
        return add_reports(self, other, same=("over",), keys=1, refusal=refusal)

    def __radd__(self, other: object) -> FirstPaymentDefault:
        return self if is_zero(other) else NotImplemented

    @property
    def cohorts(self) -> tuple[date, ...]:
        """The cohorts, as the first day of each disbursement month, oldest first."""
        return tuple(month_start(c[0]) for c in self.cells)

    def rate(self, cohort: date | None = None, *, by: By = "count") -> Decimal | None:
        """FPDn of one cohort, or of every loan judged when `cohort` is `None`."""
        num, den = (3, 1) if check_by(by) == "count" else (4, 2)
        cells = self.cells
        if cohort is not None:
            month = month_index(check_date(cohort, "cohort"))
            cells = tuple(c for c in cells if c[0] == month)
        return ratio(sum(c[num] for c in cells), sum(c[den] for c in cells))

    def as_rows(self) -> list[Row]:
        """One row per cohort: loans judged, defaults, and FPDn by count and by principal."""
        currency = self.currency or "CNY"
        return [
            {
                "cohort": month_start(month).isoformat()[:7],
                "loans": loans,
                "principal": Money.from_minor_units(principal, currency),
                "defaults": bad,
                "default_principal": Money.from_minor_units(bad_units, currency),
                "fpd_by_count": ratio(bad, loans),
                "fpd_by_principal": ratio(bad_units, principal),
            }
            for month, loans, principal, bad, bad_units in self.cells
        ]


def first_payment_default(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]] | FrameLike,
    *,
    over: int = 30,
    columns: Mapping[str, str] | None = None,
    currency: str | None = None,
    float_amounts: FloatAmounts = "reject",
) -> FirstPaymentDefault:
    """FPDn by disbursement month: the share of first installments more than `over` days late.

    A record is judged when its `first_installment_days_past_due` is known and
    either exceeds `over` or the installment has been due more than `over` days
    (`on − first_due > over`; assumed when either date is missing). Give one
    record per loan, its latest.

    Args:
        records: one record per loan, or a DataFrame (the `microloan[frames]` extra)
            with a column per field.
        over: n of FPDn: 1, 7, 30 (FPD30) …
        columns: for a frame, the column of each field not named as the field.
        currency: for a frame, the currency of its amounts (required for integer
            minor units).
        float_amounts: for a frame with float amounts: `"reject"` (default) or `"round"`.

    Raises:
        InvalidRecordError: a bad record, or records in two currencies.

    Examples:
        >>> from datetime import date
        >>> young = LoanRecord(loan_id=1, disbursed=date(2026, 3, 1), principal=Money(100),
        ...                    outstanding=Money(100), first_installment_days_past_due=3,
        ...                    first_due=date(2026, 4, 1), on=date(2026, 4, 4))
        >>> first_payment_default([young], over=30).rate() is None  # 3 days late, 27 to go
        True
    """
    over = check_days(over, "over")
    frame = frame_options(records, columns=columns, currency=currency, float_amounts=float_amounts)
    if frame is not None:
        counted = fpd_cells(records, frame, over=over)  # stage 1 in the frame's engine
        if counted is not None:
            return FirstPaymentDefault(over=over, currency=counted[0], cells=counted[1])
        records = records_of(records, frame)  # the frame's rows read as records
    currency = None
    cells: dict[int, list[int]] = {}
    for _, record in iter_records(records):  # type: ignore[arg-type]
        currency = check_currency(record, currency)
        first = record.first_installment_days_past_due
        if first is None:
            continue
        if first <= over and record.first_due is not None and record.on is not None:  # noqa: SIM102
            if (record.on - record.first_due).days <= over:
                continue  # not yet judged: it may still go past `over`
        cell = cells.setdefault(month_index(record.disbursed), [0, 0, 0, 0])
        cell[0] += 1
        cell[1] += record._punits
        if first > over:
            cell[2] += 1
            cell[3] += record._punits
    return FirstPaymentDefault(
        over=over,
        currency=currency,
        cells=tuple((m, *v) for m, v in sorted(cells.items())),  # type: ignore[misc]
    )
