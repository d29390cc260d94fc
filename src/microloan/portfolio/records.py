"""Loan records: what a warehouse exports for risk reports, and what a report reads.

[`LoanRecord`][microloan.LoanRecord] is one loan on one date, checked and turned
into whole minor units once; [`LoanLike`][microloan.LoanLike] and
[`PositionLike`][microloan.PositionLike] are what a report reads from other
objects (each has `days_past_due`, as [`HasDaysPastDue`][microloan.HasDaysPastDue]
says); [`By`][microloan.By] chooses counting or weighing by balance.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Literal, Protocol, final

import attrs

from microloan._decimal import CONTEXT
from microloan._validators import check_date
from microloan.errors import InvalidRecordError, MicroloanError, invalid, wrong_type
from microloan.money import CURRENCY_MINOR_UNITS, Money
from microloan.portfolio._cells import CURRENCY_INDEX, MAX_DAYS, MAX_UNITS, SHIFT, month_index
from microloan.portfolio.buckets import HasDaysPastDue, check_days

if TYPE_CHECKING:
    from microloan.portfolio._frames import FloatAmounts

By = Literal["count", "balance"]
"""Whether a rate counts loans (`"count"`) or weighs them by balance (`"balance"`)."""


class PositionLike(HasDaysPastDue, Protocol):
    """What the ageing report reads from a loan or line position taken on the report date.

    [`LoanPosition`][microloan.LoanPosition] and [`LinePosition`][microloan.LinePosition]
    qualify as they are.
    """

    @property
    def on(self) -> date:
        """The date of the position."""
        ...  # pragma: no cover

    @property
    def principal_outstanding(self) -> Money:
        """The principal outstanding on that date."""
        ...  # pragma: no cover


class LoanLike(HasDaysPastDue, Protocol):
    """What a report reads from a loan: [`LoanRecord`][microloan.LoanRecord]'s required fields.

    An object with these attributes qualifies as it is. The optional fields of `LoanRecord`
    (`on`, `max_days_past_due`, `first_installment_days_past_due`, `first_due`,
    `written_off`) are read when present.
    """

    @property
    def loan_id(self) -> Hashable:
        """The loan's identifier (a `str` or an `int`)."""
        ...  # pragma: no cover

    @property
    def disbursed(self) -> date:
        """The disbursement date."""
        ...  # pragma: no cover

    @property
    def principal(self) -> Money:
        """The principal disbursed."""
        ...  # pragma: no cover

    @property
    def outstanding(self) -> Money:
        """The principal outstanding on the snapshot date."""
        ...  # pragma: no cover


@final
@attrs.frozen(kw_only=True)
class LoanRecord:
    """One loan as a plain record: what a warehouse exports for risk reports.

    Everything is checked when the record is built, and the amounts are turned
    into whole minor units once, so reports over millions of records only add
    integers.

    Attributes:
        loan_id: the loan's identifier, a `str` or an `int`.
        disbursed: the disbursement date.
        principal: the principal disbursed, in whole minor units, not negative.
        outstanding: the principal outstanding on the snapshot date, same currency, not negative.
        days_past_due: days past due on the snapshot date (the day after a due date is day 1).
        on: the snapshot date, if the record carries one; needed by
            [`vintage`][microloan.vintage] (months on book) and by roll rates' checks.
        max_days_past_due: the most days past due the loan ever reached up to `on`
            (at least `days_past_due`); `None` means `days_past_due`. Vintage reads it
            so that a loan that went 40 days late and caught up between two
            month-end snapshots still counts as having been over 30.
        first_installment_days_past_due: how many days late the first installment
            was paid (or is, if still unpaid); `None` if it is not yet due. Read by
            [`first_payment_default`][microloan.first_payment_default].
        first_due: the first installment's due date, if known (FPD maturity).
        written_off: whether the loan has been written off (核销); roll rates show it apart.

    Raises:
        InvalidRecordError: a negative or fractional balance, two currencies, a
            snapshot or first due date before disbursement, `max_days_past_due`
            below `days_past_due`, or a field of the wrong type.

    Examples:
        >>> from datetime import date
        >>> r = LoanRecord(loan_id="L-1", disbursed=date(2026, 1, 15), principal=Money("7600"),
        ...                outstanding=Money("5100.50"), days_past_due=12)
        >>> r.days_past_due, r.outstanding
        (12, Money('5100.50', 'CNY'))
    """

    loan_id: str | int
    disbursed: date
    principal: Money
    outstanding: Money
    days_past_due: int = 0
    on: date | None = None
    max_days_past_due: int | None = None
    first_installment_days_past_due: int | None = None
    first_due: date | None = None
    written_off: bool = False
    # derived once, read by the reports' hot loops
    _lo: int = attrs.field(init=False, repr=False, eq=False)
    _akey: int = attrs.field(init=False, repr=False, eq=False)
    _tally: int = attrs.field(init=False, repr=False, eq=False)
    _punits: int = attrs.field(init=False, repr=False, eq=False)
    _snap: int = attrs.field(init=False, repr=False, eq=False)
    _worst: int = attrs.field(init=False, repr=False, eq=False)
    _ident: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        try:
            self._validate()
        except InvalidRecordError:
            raise
        except MicroloanError as exc:
            raise InvalidRecordError(self.loan_id, str(exc)) from None

    def _validate(self) -> None:
        _check_loan_id(self.loan_id)
        disbursed = check_date(self.disbursed, "disbursed")
        principal = _whole_units(self.principal, "principal")
        outstanding = _whole_units(self.outstanding, "outstanding")
        if self.outstanding.currency != self.principal.currency:
            raise invalid(
                "outstanding",
                self.outstanding,
                f"is not in {self.principal.currency} as principal is",
            )
        dpd = check_days(self.days_past_due, "days_past_due")
        if dpd >= MAX_DAYS:
            raise invalid("days_past_due", dpd, f"is implausible (at least {MAX_DAYS:,})")
        worst = dpd
        if self.max_days_past_due is not None:
            worst = check_days(self.max_days_past_due, "max_days_past_due")
            if worst < dpd:
                raise invalid("max_days_past_due", worst, f"is below days_past_due {dpd}")
        if self.first_installment_days_past_due is not None:
            check_days(self.first_installment_days_past_due, "first_installment_days_past_due")
        for field in ("on", "first_due"):
            day = getattr(self, field)
            if day is not None and check_date(day, field) < disbursed:
                raise invalid(field, day, f"is before the disbursement on {disbursed.isoformat()}")
        if not isinstance(self.written_off, bool):
            raise wrong_type("written_off", self.written_off, "a bool")
        on = self.on
        currency = CURRENCY_INDEX[self.principal.currency]
        derived = {
            "_lo": disbursed.toordinal() if on is None else on.toordinal(),
            "_akey": ((0 if on is None else on.toordinal()) << 32) | (dpd << 7) | currency,
            "_tally": (outstanding << SHIFT) + 1,
            "_punits": principal,
            "_snap": -1 if on is None else month_index(on),
            "_worst": worst,
            "_ident": -1
            if on is None
            else (month_index(disbursed) << 70) | (currency << 64) | principal,
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_loan(cls, loan_id: str | int, loan: object, *, on: date) -> LoanRecord:
        """Snapshot a serviced loan on `on`: a record from its position.

        `loan` is anything with `start` (the disbursement date), `principal` and
        `position(on=...)` returning an object with `days_past_due`,
        `principal_outstanding` and `status` — a `microloan.Loan`
        qualifies. A `"written_off"` status marks the record written off.

        Raises:
            InvalidRecordError: the loan lacks one of those, or its figures are invalid.

        Examples:
            >>> from datetime import date
            >>> from types import SimpleNamespace
            >>> position = SimpleNamespace(days_past_due=10, status="overdue",
            ...                            principal_outstanding=Money("1000"))
            >>> loan = SimpleNamespace(start=date(2026, 1, 1), principal=Money("1000"),
            ...                        position=lambda on: position)
            >>> LoanRecord.from_loan("L-1", loan, on=date(2026, 2, 10)).days_past_due
            10
        """
        try:
            position = loan.position(on=on)  # type: ignore[attr-defined]
            fields = {
                "disbursed": loan.start,  # type: ignore[attr-defined]
                "principal": loan.principal,  # type: ignore[attr-defined]
                "outstanding": position.principal_outstanding,
                "days_past_due": position.days_past_due,
                # a re-aged loan's DPD restarts; its record keeps the worst it reached
                "max_days_past_due": getattr(position, "max_days_past_due", None),
                "written_off": getattr(position, "status", None) == "written_off",
            }
        except AttributeError as exc:
            raise InvalidRecordError(loan_id, f"loan: {exc}") from None
        return cls(loan_id=loan_id, on=on, **fields)

    @classmethod
    def from_frame(
        cls,
        frame: object,
        *,
        columns: Mapping[str, str] | None = None,
        currency: str | None = None,
        float_amounts: FloatAmounts = "reject",
    ) -> list[LoanRecord]:
        """One record per row of a DataFrame, for callers who want the objects.

        The reports read a frame directly (and faster); this builds the records
        themselves. The columns are checked in the frame's engine first, then each
        row is built and checked as a record.

        Args:
            frame: a pandas, polars, PyArrow, DuckDB, Dask, PySpark … frame (the
                `microloan[frames]` extra) with a column per field: `loan_id`,
                `disbursed`, `principal` and `outstanding` required, the others read
                when present (a null is the field's default).
            columns: the column of each field not named as the field
                (`{"outstanding": "balance"}`).
            currency: the currency of the amounts; required when they are integer
                minor units, `"CNY"` by default for decimals and decimal strings.
            float_amounts: `"reject"` (default) refuses float amounts as `Money`
                does; `"round"` takes the nearest minor unit, refusing a value that
                is not within a millionth of one.

        Returns:
            The records, in the frame's row order.

        Raises:
            InvalidRecordError: a bad value; the message names the column, and the
                row and loan where the engine can tell.
            InvalidTypeError: a float amount column without `float_amounts="round"`,
                or a column of a type the field cannot be read from.
            InvalidValueError: a missing column, or an option outside its choices.

        Examples:
            >>> import polars as pl
            >>> frame = pl.DataFrame({"loan_id": ["A", "B"], "disbursed": [date(2026, 1, 5)] * 2,
            ...                       "principal": ["1000", "500"], "balance": ["800.50", "0"],
            ...                       "days_past_due": [12, 0]})
            >>> records = LoanRecord.from_frame(frame, columns={"outstanding": "balance"})
            >>> records[0].outstanding, records[1].is_closed
            (Money('800.50', 'CNY'), True)
        """
        from microloan.portfolio._frames import Options, records_of  # noqa: PLC0415

        options = Options(columns=columns, currency=currency, float_amounts=float_amounts)
        records: list[LoanRecord] = records_of(frame, options)
        return records

    @property
    def is_closed(self) -> bool:
        """Whether the loan is off the book: nothing outstanding and nothing overdue."""
        return self._units == 0 and self.days_past_due == 0

    @property
    def _units(self) -> int:
        return self._tally >> SHIFT


def _check_loan_id(lid: object) -> None:
    if isinstance(lid, bool) or not isinstance(lid, (str, int)):
        raise wrong_type("loan_id", lid, "a str or an int")
    if isinstance(lid, str) and not lid:
        raise invalid("loan_id", lid, "must not be empty")


def _whole_units(money: object, field: str) -> int:
    if not isinstance(money, Money):
        raise wrong_type(field, money, "Money")
    minor = CURRENCY_MINOR_UNITS[money.currency]
    if money.amount.adjusted() + minor >= 19:  # 10^19 units > MAX_UNITS; scaleb could overflow
        reason = "must not be negative" if money.amount < 0 else "is too large for a single loan"
        raise invalid(field, money, reason)
    scaled = money.amount.scaleb(minor, CONTEXT)
    units = int(scaled)
    if units != scaled:
        raise invalid(field, money, f"must be in whole {money.currency} minor units")
    if units < 0:
        raise invalid(field, money, "must not be negative")
    if units >= MAX_UNITS:
        raise invalid(field, money, "is too large for a single loan")
    return units
