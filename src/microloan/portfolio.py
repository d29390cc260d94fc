"""Portfolio risk reports: ageing, overdue rates, roll rates, vintage and first-payment default.

Every report takes an iterable of loans: [`LoanRecord`][microloan.LoanRecord]s
(plain records, as a warehouse exports them), mappings with the same keys, or
any object with the same attributes (a loan position). Each report is an
immutable value holding counts **and** balances in whole minor units, with
`as_rows()` for a table, and each is its own accumulator: `a + b` merges two
reports over disjoint parts of a portfolio exactly, so a portfolio too large
for one machine is aggregated partition by partition and the parts summed
(`sum(parts)` works too). The definitions and formulas are on the explanation
page *Ageing and portfolio risk*.

Hot paths add integers only: a record's balances are converted to minor units
once, when the record is built, and `Money` is built only when a report is read.
"""

# The reports read LoanRecord's derived private fields directly: they are one module.
# ruff: noqa: SLF001

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final, Literal, Protocol, final

import attrs

from microloan._checks import check_date as _check_date
from microloan._decimal import CONTEXT
from microloan.ageing import NON_PERFORMING, BucketScheme, SchemeName, resolve_scheme
from microloan.errors import (
    CurrencyMismatchError,
    InvalidRecordError,
    MicroloanError,
    invalid,
    wrong_type,
)
from microloan.money import CURRENCY_MINOR_UNITS, Money

By = Literal["count", "balance"]
"""Whether a rate counts loans (`"count"`) or weighs them by balance (`"balance"`)."""

Row = dict[str, object]

_SHIFT: Final = 64  # a tally packs (minor units << 64) + count: one integer add per record
_LOW: Final = (1 << _SHIFT) - 1
_MAX_UNITS: Final = 1 << 63  # no single loan is 9.2e16 fen; keeps the packed tallies exact
_MAX_DAYS: Final = 1 << 25  # 91,000 years: an ageing key keeps days in 25 bits
#: A small number per currency, packed into the keys of the reports' hot loops.
_CURRENCY_INDEX: Final = {code: i for i, code in enumerate(sorted(CURRENCY_MINOR_UNITS))}
_NONE: Final = object()  # "no record in hand" for the hot loops' fallback
_FIELDS: Final = ("loan_id", "disbursed", "principal", "outstanding", "days_past_due")
_OPTIONAL: Final = (
    "on",
    "max_days_past_due",
    "first_installment_days_past_due",
    "first_due",
    "written_off",
)


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_date(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _share(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return CONTEXT.divide(Decimal(part), Decimal(whole))


def _check_by(by: object) -> By:
    if by not in ("count", "balance"):
        raise invalid("by", by, 'must be "count" or "balance"')
    return by


def _check_days(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(field, value, "a whole number of days (int)")
    if value < 0:
        raise invalid(field, value, "must not be negative")
    return value


class PositionLike(Protocol):
    """What the ageing report reads from a loan or line position taken on the report date.

    [`LoanPosition`][microloan.LoanPosition] and [`LinePosition`][microloan.LinePosition]
    qualify as they are.
    """

    @property
    def on(self) -> date:
        """The date of the position."""
        ...  # pragma: no cover

    @property
    def days_past_due(self) -> int:
        """Days past due on that date."""
        ...  # pragma: no cover

    @property
    def principal_outstanding(self) -> Money:
        """The principal outstanding on that date."""
        ...  # pragma: no cover


class LoanLike(Protocol):
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

    @property
    def days_past_due(self) -> int:
        """Days past due on the snapshot date."""
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
        disbursed = _check_date(self.disbursed, "disbursed")
        principal = _whole_units(self.principal, "principal")
        outstanding = _whole_units(self.outstanding, "outstanding")
        if self.outstanding.currency != self.principal.currency:
            raise invalid(
                "outstanding",
                self.outstanding,
                f"is not in {self.principal.currency} as principal is",
            )
        dpd = _check_days(self.days_past_due, "days_past_due")
        if dpd >= _MAX_DAYS:
            raise invalid("days_past_due", dpd, f"is implausible (at least {_MAX_DAYS:,})")
        worst = dpd
        if self.max_days_past_due is not None:
            worst = _check_days(self.max_days_past_due, "max_days_past_due")
            if worst < dpd:
                raise invalid("max_days_past_due", worst, f"is below days_past_due {dpd}")
        if self.first_installment_days_past_due is not None:
            _check_days(self.first_installment_days_past_due, "first_installment_days_past_due")
        for field in ("on", "first_due"):
            day = getattr(self, field)
            if day is not None and _check_date(day, field) < disbursed:
                raise invalid(field, day, f"is before the disbursement on {disbursed.isoformat()}")
        if not isinstance(self.written_off, bool):
            raise wrong_type("written_off", self.written_off, "a bool")
        on = self.on
        currency = _CURRENCY_INDEX[self.principal.currency]
        derived = {
            "_lo": disbursed.toordinal() if on is None else on.toordinal(),
            "_akey": ((0 if on is None else on.toordinal()) << 32) | (dpd << 7) | currency,
            "_tally": (outstanding << _SHIFT) + 1,
            "_punits": principal,
            "_snap": -1 if on is None else _month(on),
            "_worst": worst,
            "_ident": -1
            if on is None
            else (_month(disbursed) << 70) | (currency << 64) | principal,
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
                "written_off": getattr(position, "status", None) == "written_off",
            }
        except AttributeError as exc:
            raise InvalidRecordError(loan_id, f"loan: {exc}") from None
        return cls(loan_id=loan_id, on=on, **fields)

    @property
    def is_closed(self) -> bool:
        """Whether the loan is off the book: nothing outstanding and nothing overdue."""
        return self._units == 0 and self.days_past_due == 0

    @property
    def _units(self) -> int:
        return self._tally >> _SHIFT

    @property
    def _cur(self) -> str:
        return self.principal.currency

    @property
    def _cohort(self) -> int:
        return _month(self.disbursed)


def _check_loan_id(lid: object) -> None:
    if isinstance(lid, bool) or not isinstance(lid, (str, int)):
        raise wrong_type("loan_id", lid, "a str or an int")
    if isinstance(lid, str) and not lid:
        raise invalid("loan_id", lid, "must not be empty")


def _whole_units(money: object, field: str) -> int:
    if not isinstance(money, Money):
        raise wrong_type(field, money, "Money")
    scaled = money.amount.scaleb(CURRENCY_MINOR_UNITS[money.currency], CONTEXT)
    units = int(scaled)
    if units != scaled:
        raise invalid(field, money, f"must be in whole {money.currency} minor units")
    if units < 0:
        raise invalid(field, money, "must not be negative")
    if units >= _MAX_UNITS:
        raise invalid(field, money, "is too large for a single loan")
    return units


def _coerce(item: object, index: int, *, position_ok: bool = False) -> LoanRecord:
    """Turn a mapping or an object with `LoanRecord`'s fields into a `LoanRecord`.

    With `position_ok` (the ageing report, which reads only days past due, the
    outstanding principal and its currency), a loan or line position — an object with
    `days_past_due`, `principal_outstanding` and `on` but no loan id or disbursement —
    is aged as the record of loan `#index`.
    """
    if isinstance(item, LoanRecord):
        return item
    if position_ok and _is_position(item):
        outstanding = item.principal_outstanding  # type: ignore[attr-defined]
        return _coerce(
            {
                "loan_id": f"#{index}",
                "disbursed": item.on,  # type: ignore[attr-defined]
                "principal": outstanding,
                "outstanding": outstanding,
                "days_past_due": item.days_past_due,  # type: ignore[attr-defined]
                "on": item.on,  # type: ignore[attr-defined]
            },
            index,
        )
    if isinstance(item, Mapping):
        found = {k: item[k] for k in (*_FIELDS, *_OPTIONAL) if k in item}
    else:
        found = {k: getattr(item, k) for k in (*_FIELDS, *_OPTIONAL) if hasattr(item, k)}
        if "outstanding" not in found and hasattr(item, "principal_outstanding"):
            found["outstanding"] = item.principal_outstanding  # a loan position's name for it
    loan_id = found.get("loan_id")
    for field in _FIELDS:
        if field not in found:
            raise InvalidRecordError(loan_id, f"{field}: is missing", index=index)
    try:
        return LoanRecord(**found)
    except InvalidRecordError as exc:
        raise InvalidRecordError(loan_id, exc.reason, index=index) from None


def _is_position(item: object) -> bool:
    """A loan or line position: what a loan owes on a date, without the loan's identity."""
    return (
        not isinstance(item, Mapping)
        and not hasattr(item, "loan_id")
        and all(hasattr(item, name) for name in ("days_past_due", "principal_outstanding", "on"))
    )


def _join_currency(first: str | None, second: str | None) -> str | None:
    if first is None:
        return second
    if second is not None and second != first:
        raise CurrencyMismatchError(f"currency: cannot combine {first} with {second}")
    return first


def _merged(a: Mapping[tuple[int, ...], tuple[int, ...]], b: Mapping[tuple[int, ...], tuple[int, ...]]) -> dict[tuple[int, ...], tuple[int, ...]]:  # fmt: skip
    out = dict(a)
    for key, values in b.items():
        old = out.get(key)
        out[key] = values if old is None else tuple(x + y for x, y in zip(old, values, strict=True))
    return out


def _sorted_cells(cells: Mapping[tuple[int, ...], tuple[int, ...]]) -> tuple[tuple[int, ...], ...]:
    return tuple(key + values for key, values in sorted(cells.items()))


def _cell_map(cells: tuple[tuple[int, ...], ...], keys: int) -> dict[tuple[int, ...], tuple[int, ...]]:  # fmt: skip
    return {cell[:keys]: cell[keys:] for cell in cells}


def _currency_mismatch(record: LoanRecord, currency: str) -> InvalidRecordError:
    return InvalidRecordError(
        record.loan_id, f"currency: {record._cur} differs from the portfolio's {currency}"
    )


def _is_zero(other: object) -> bool:
    """Whether `other` is the `0` that `sum()` starts from."""
    return isinstance(other, int) and not isinstance(other, bool) and other == 0


# -- ageing -------------------------------------------------------------------


@final
@attrs.frozen(kw_only=True)
class AgeingReport:
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

    def __add__(self, other: object) -> AgeingReport:
        if not isinstance(other, AgeingReport):
            return NotImplemented
        if other.on != self.on or other.scheme != self.scheme:
            raise invalid("other", other.on, "is a report of another date or scheme")
        cells = _merged(_cell_map(self.cells, 2), _cell_map(other.cells, 2))
        return AgeingReport(
            on=self.on,
            scheme=self.scheme,
            currency=_join_currency(self.currency, other.currency),
            cells=_sorted_cells(cells),  # type: ignore[arg-type]
        )

    def __radd__(self, other: object) -> AgeingReport:
        return self if _is_zero(other) else NotImplemented

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
        col = 2 if _check_by(by) == "count" else 3
        return _share(sum(c[col] for c in self.cells if c[1] == index), self._total(col))

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
        over = _check_days(over, "over")
        col = 2 if _check_by(by) == "count" else 3
        return _share(sum(c[col] for c in self.cells if c[0] > over), self._total(col))

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
        col = 2 if _check_by(by) == "count" else 3
        if self.scheme.buckets == BucketScheme.preset("five-tier").buckets:
            bad = {self.labels.index(label) for label in NON_PERFORMING}
            part = sum(c[col] for c in self.cells if c[1] in bad)
        else:
            part = sum(c[col] for c in self.cells if c[0] > 90)
        return _share(part, self._total(col))

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
    records: Iterable[LoanRecord | LoanLike | PositionLike | Mapping[str, object]],
    *,
    on: date,
    scheme: SchemeName | BucketScheme = "m",
) -> AgeingReport:
    """Age a portfolio on `on`: loans and outstanding principal per bucket.

    Args:
        records: the loans on book on `on`, one record each:
            [`LoanRecord`][microloan.LoanRecord]s (the fast path), mappings with
            its field names, objects with its attributes, or loan and line positions
            taken on `on` (`loan.position(on=...)`, read for their days past due and
            principal outstanding; named `#0`, `#1` … in errors).
        on: the report date; a record's own `on`, if it has one, must be this date,
            and no loan may be disbursed after it.
        scheme: `"m"` (default), `"us"`, `"five-tier"` or a
            [`BucketScheme`][microloan.BucketScheme]; an override is applied per record.

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
    on = _check_date(on, "on")
    plan = resolve_scheme(scheme)
    if plan.override is not None:
        return _ageing_with_override(records, on, plan)
    # The hot loop: one comparison and one integer add per record. A record's
    # `_akey` packs its days past due, its currency and its own snapshot date, so
    # the first record of each key is checked in full and the rest cannot differ;
    # `_tally` packs (outstanding << 64) + 1, counting and summing in one add.
    day = on.toordinal()
    tally: dict[int, int] = {}
    first: LoanRecord | None = None  # the record whose currency is the report's
    items: Iterator[Any] = iter(records)  # LoanRecords; anything else is converted below
    record: Any = _NONE
    while True:
        try:
            for record in items:
                if record._lo > day:
                    raise _off_date(record, on)
                try:
                    tally[record._akey] += record._tally
                except KeyError:
                    first = _first_of_key(record, on, first)
                    tally[record._akey] = record._tally
        except AttributeError:
            if record is _NONE or isinstance(record, LoanRecord):
                raise  # not from a record of another type: a real error
            # a mapping or another object: convert it, count it, and go on fast
            converted = _coerce(
                record, sum(packed & _LOW for packed in tally.values()), position_ok=True
            )
            record = _NONE
            _check_on(converted, on)
            first = _first_of_key(converted, on, first)
            tally[converted._akey] = tally.get(converted._akey, 0) + converted._tally
            continue
        break
    by_days: dict[tuple[int, int], int] = {}
    for key, packed in tally.items():
        dpd = (key >> 7) & (_MAX_DAYS - 1)
        cell = (dpd, plan._index(dpd))
        by_days[cell] = by_days.get(cell, 0) + packed
    return _ageing(on, plan, None if first is None else first._cur, by_days)


def _first_of_key(record: LoanRecord, on: date, first: LoanRecord | None) -> LoanRecord:
    """Check the first record of an ageing key in full; return the record that set the currency."""
    if record.on is not None and record.on != on:
        raise _off_date(record, on)
    if first is None:
        return record
    if record._cur != first._cur:
        raise _currency_mismatch(record, first._cur)
    return first


def _ageing(
    on: date, plan: BucketScheme, currency: str | None, tally: Mapping[tuple[int, int], int]
) -> AgeingReport:
    cells = tuple(
        (dpd, bucket, packed & _LOW, packed >> _SHIFT)
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
    for _, record in _records(records, position_ok=True):
        _check_on(record, on)
        currency = _check_currency(record, currency)
        dpd = record.days_past_due
        key = (dpd, plan._overridden(record, plan._index(dpd)))
        tally[key] = tally.get(key, 0) + record._tally
    return _ageing(on, plan, currency, tally)


def _check_on(record: LoanRecord, on: date) -> None:
    """Refuse a record of another snapshot date, or disbursed after `on`."""
    if record.disbursed > on or (record.on is not None and record.on != on):
        raise _off_date(record, on)


def _off_date(record: LoanRecord, on: date) -> InvalidRecordError:
    if record.on is not None and record.on != on:
        return InvalidRecordError(
            record.loan_id, f"on: {record.on.isoformat()} is not the report date {on.isoformat()}"
        )
    return InvalidRecordError(
        record.loan_id,
        f"disbursed: {record.disbursed.isoformat()} is after the report date {on.isoformat()}",
    )


def _records(
    records: Iterable[LoanRecord | LoanLike | PositionLike | Mapping[str, object]],
    *,
    position_ok: bool = False,
) -> Iterable[tuple[int, LoanRecord]]:
    for index, item in enumerate(records):
        if item.__class__ is LoanRecord:
            yield index, item
        else:
            yield index, _coerce(item, index, position_ok=position_ok)


def _is_on_book(record: LoanRecord) -> bool:
    return not record.written_off and not record.is_closed


# -- coincident and lagged overdue rates -----------------------------------------


@final
@attrs.frozen(kw_only=True)
class OverdueRates:
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
        >>> book = [
        ...     LoanRecord(loan_id=1, disbursed=date(2026, 1, 10), principal=Money(1000),
        ...                outstanding=Money(600), days_past_due=5),
        ...     LoanRecord(loan_id=2, disbursed=date(2026, 3, 10), principal=Money(1000),
        ...                outstanding=Money(1000), days_past_due=0),
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

    def __add__(self, other: object) -> OverdueRates:
        if not isinstance(other, OverdueRates):
            return NotImplemented
        if other.on != self.on or other.over != self.over:
            raise invalid("other", other.on, "is a report of another date or threshold")
        cells = _merged(_cell_map(self.cells, 1), _cell_map(other.cells, 1))
        return OverdueRates(
            on=self.on,
            over=self.over,
            currency=_join_currency(self.currency, other.currency),
            cells=_sorted_cells(cells),  # type: ignore[arg-type]
        )

    def __radd__(self, other: object) -> OverdueRates:
        return self if _is_zero(other) else NotImplemented

    def coincident(self, *, by: By = "balance") -> Decimal | None:
        """Overdue over the book on the same date.

        By balance: overdue outstanding / outstanding; by count: overdue loans /
        loans on book.
        """
        num, den = (5, 3) if _check_by(by) == "count" else (6, 4)
        return _share(sum(c[num] for c in self.cells), sum(c[den] for c in self.cells))

    def lagged(self, *, months: int, by: By = "balance") -> Decimal | None:
        """Overdue today over what was lent `months` or more months before.

        Only loans disbursed in the month `months` before `on`'s month, or earlier,
        count on both sides. By balance: their overdue outstanding / their principal
        disbursed; by count: their overdue loans / their number.
        """
        if isinstance(months, bool) or not isinstance(months, int) or months < 0:
            raise invalid("months", months, "must be a whole number of months, not negative")
        cutoff = _month(self.on) - months
        num, den = (5, 1) if _check_by(by) == "count" else (6, 2)
        cells = [c for c in self.cells if c[0] <= cutoff]
        return _share(sum(c[num] for c in cells), sum(c[den] for c in cells))

    def as_rows(self) -> list[Row]:
        """One row per disbursement month: counts, balances and both rates for that month alone."""
        currency = self.currency or "CNY"
        rows: list[Row] = []
        for month, booked, principal, loans, outstanding, bad, bad_units in self.cells:
            rows.append(
                {
                    "cohort": _month_date(month).isoformat()[:7],
                    "loans_booked": booked,
                    "principal": Money.from_minor_units(principal, currency),
                    "loans_on_book": loans,
                    "outstanding": Money.from_minor_units(outstanding, currency),
                    "overdue_loans": bad,
                    "overdue_outstanding": Money.from_minor_units(bad_units, currency),
                    "coincident_rate": _share(bad_units, outstanding),
                    "lagged_rate": _share(bad_units, principal),
                }
            )
        return rows


def overdue_rates(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]],
    *,
    on: date,
    over: int = 0,
) -> OverdueRates:
    """Coincident and lagged overdue rates on `on`, kept by disbursement month.

    Args:
        records: the loans booked up to `on`, one record each, including loans
            already repaid (nothing outstanding): the lagged rate's denominator is
            everything lent.
        on: the report date.
        over: a loan is overdue when more than `over` days past due; 0 (default)
            for any overdue, 30 for M1+, 90 for M3+.

    Raises:
        InvalidRecordError: a bad record, or one of another date or disbursed after `on`.

    Examples:
        >>> from datetime import date
        >>> r = LoanRecord(loan_id=1, disbursed=date(2026, 1, 10), principal=Money(900),
        ...                outstanding=Money(0), days_past_due=0)
        >>> overdue_rates([r], on=date(2026, 2, 28)).coincident() is None  # nothing on book
        True
    """
    on = _check_date(on, "on")
    over = _check_days(over, "over")
    currency: str | None = None
    cells: dict[int, list[int]] = {}
    for _, record in _records(records, position_ok=True):
        _check_on(record, on)
        currency = _check_currency(record, currency)
        cell = cells.setdefault(record._cohort, [0] * 6)
        cell[0] += 1
        cell[1] += record._punits
        if _is_on_book(record):
            cell[2] += 1
            cell[3] += record._units
            if record.days_past_due > over:
                cell[4] += 1
                cell[5] += record._units
    return OverdueRates(
        on=on,
        over=over,
        currency=currency,
        cells=tuple((m, *v) for m, v in sorted(cells.items())),  # type: ignore[misc]
    )


def _check_currency(record: LoanRecord, currency: str | None) -> str:
    if currency is None:
        return record._cur
    if record._cur != currency:
        raise _currency_mismatch(record, currency)
    return currency


# -- roll rates -----------------------------------------------------------------

_PAID_OFF: Final = "paid_off"
_WRITTEN_OFF: Final = "written_off"


@final
@attrs.frozen(kw_only=True)
class RollRates:
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

    def __add__(self, other: object) -> RollRates:
        if not isinstance(other, RollRates):
            return NotImplemented
        if (other.start, other.end, other.scheme) != (self.start, self.end, self.scheme):
            raise invalid("other", other.start, "is a matrix of other dates or another scheme")
        cells = _merged(_cell_map(self.cells, 2), _cell_map(other.cells, 2))
        return RollRates(
            start=self.start,
            end=self.end,
            scheme=self.scheme,
            currency=_join_currency(self.currency, other.currency),
            cells=_sorted_cells(cells),  # type: ignore[arg-type]
            new_loans=self.new_loans + other.new_loans,
            new_outstanding=self.new_outstanding + other.new_outstanding,
        )

    def __radd__(self, other: object) -> RollRates:
        return self if _is_zero(other) else NotImplemented

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
        col = 2 if _check_by(by) == "count" else 3
        return _share(self._sum(i, j, col), self._sum(i, None, col))

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

    def as_rows(self, *, by: By = "count") -> list[Row]:
        """One row per starting bucket: its size, then the rate into every column."""
        col = 2 if _check_by(by) == "count" else 3
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
                row[target] = _share(self._sum(i, j, col), whole)
            rows.append(row)
        return rows


def roll_rates(
    before: Iterable[LoanRecord | LoanLike | Mapping[str, object]],
    after: Iterable[LoanRecord | LoanLike | Mapping[str, object]],
    *,
    start: date,
    end: date,
    scheme: SchemeName | BucketScheme = "m",
    absent: Literal["paid_off", "written_off", "error"] = "paid_off",
) -> RollRates:
    """The transition matrix of loans from one snapshot to the next, joined by loan id.

    A loan on book at `start` (not written off, not closed) is a row in its
    bucket. At `end` it is in its bucket, `"written_off"` if its record says so,
    `"paid_off"` if nothing is outstanding or overdue, and, when it has no record
    at `end`, where `absent` says.

    Args:
        before: the snapshot at `start`, one record per loan.
        after: the snapshot at `end`, one record per loan.
        start: the first snapshot's date.
        end: the second snapshot's date, after `start`.
        scheme: the bucket scheme (an override is applied to each record).
        absent: what a loan missing at `end` became: `"paid_off"` (default),
            `"written_off"`, or `"error"` to refuse such input.

    Raises:
        InvalidRecordError: a bad record, one loan twice in a snapshot, a loan
            missing at `end` with `absent="error"`, or records in two currencies.
        InvalidValueError: `end` is not after `start`, or `absent` is unknown.
    """
    start, end = _check_date(start, "start"), _check_date(end, "end")
    if end <= start:
        raise invalid("end", end, f"must be after start {start.isoformat()}")
    if absent not in (_PAID_OFF, _WRITTEN_OFF, "error"):
        raise invalid("absent", absent, 'must be "paid_off", "written_off" or "error"')
    plan = resolve_scheme(scheme)
    later, currency = _snapshot(after, end)
    cells: dict[tuple[int, int], list[int]] = {}
    seen: set[object] = set()
    for _, record in _records(before):
        _check_on(record, start)
        currency = _check_currency(record, currency)
        if record.loan_id in seen:
            raise InvalidRecordError(record.loan_id, f"appears twice in the snapshot of {start}")
        seen.add(record.loan_id)
        if not _is_on_book(record):
            continue
        source = plan._overridden(record, plan._index(record.days_past_due))
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


def _snapshot(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]], on: date
) -> tuple[dict[object, LoanRecord], str | None]:
    """Index a snapshot by loan id, checking its dates, currency and that no loan repeats."""
    currency: str | None = None
    found: dict[object, LoanRecord] = {}
    for _, record in _records(records, position_ok=True):
        _check_on(record, on)
        currency = _check_currency(record, currency)
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
    return plan._overridden(there, plan._index(there.days_past_due))


# -- vintage ------------------------------------------------------------------


@final
@attrs.frozen(kw_only=True)
class Vintage:
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
    _loans: dict[object, int] = attrs.field(factory=dict, repr=False, hash=False)
    _bad: dict[object, int] = attrs.field(factory=dict, repr=False, hash=False)
    _table: dict[int, tuple[int, int, tuple[int, ...], tuple[int, ...]]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        cohorts: dict[int, list[int]] = {}
        for ident in self._loans.values():
            cell = cohorts.setdefault(ident >> 70, [0, 0])
            cell[0] += 1
            cell[1] += ident & _LOW
        bad: dict[tuple[int, int], list[int]] = {}
        for lid, mob in self._bad.items():
            ident = self._loans[lid]
            cell = bad.setdefault((ident >> 70, mob), [0, 0])
            cell[0] += 1
            cell[1] += ident & _LOW
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
            currency=_join_currency(self.currency, other.currency),
            last_month=max(self.last_month, other.last_month),
            loans=loans,
            bad=bad,
        )

    def __radd__(self, other: object) -> Vintage:
        return self if _is_zero(other) else NotImplemented

    @property
    def cohorts(self) -> tuple[date, ...]:
        """The cohorts, as the first day of each disbursement month, oldest first."""
        return tuple(_month_date(m) for m in self._table)

    def _row(self, cohort: date) -> tuple[int, int, tuple[int, ...], tuple[int, ...]]:
        month = _month(_check_date(cohort, "cohort"))
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
        part, whole = (counts, loans) if _check_by(by) == "count" else (units, principal)
        return tuple(CONTEXT.divide(Decimal(p), Decimal(whole)) for p in part) if whole else ()

    def share(self, cohort: date, mob: int, *, by: By = "balance") -> Decimal | None:
        """One point of a curve; `None` beyond the latest snapshot."""
        if isinstance(mob, bool) or not isinstance(mob, int) or mob < 0:
            raise invalid("mob", mob, "must be a whole number of months on book, not negative")
        curve = self.curve(cohort, by=by)
        return curve[mob] if mob < len(curve) else None

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
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]],
    *,
    over: int = 30,
) -> Vintage:
    """Vintage curves from snapshots: each record is one loan at one date (`on` required).

    Args:
        records: a panel of snapshots (month-end, say), any number per loan, each
            with its `on` date; one snapshot per loan also works, for a curve
            that only shows what is known at that date.
        over: bad means more than `over` days past due: 30 for 30+ (M1+), 90 for 90+.

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
    over = _check_days(over, "over")
    # The hot loop: a record's `_ident` packs its disbursement month, currency and
    # principal (-1 without a snapshot date), so a loan seen again is checked by
    # one comparison, and a new loan in full.
    loans: dict[object, int] = {}
    bad: dict[object, int] = {}
    known, seen_bad = loans.get, bad.get
    first: LoanRecord | None = None  # the record whose currency is the vintage's
    currency = -1  # its index in _CURRENCY_INDEX, once known
    last = -1
    count = 0  # records read, to name a bad one
    items: Iterator[Any] = iter(records)  # LoanRecords; anything else is converted below
    record: Any = _NONE
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
            if record is _NONE or isinstance(record, LoanRecord):
                raise  # not from a record of another type: a real error
            # a mapping or another object: convert it, count it, and go on fast
            converted = _coerce(record, count)
            record = _NONE
            first = _vintage_one(converted, over, loans, bad, first)
            currency = -1 if first is None else first._ident >> 64 & 127
            last = max(last, converted._snap)
            count += 1
            continue
        break
    code = None if first is None else first._cur
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
        mob = record._snap - record._cohort
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
    if first is not None and record._cur != first._cur:
        raise _currency_mismatch(record, first._cur)
    loans[record.loan_id] = record._ident
    return first or record


# -- first-payment default ------------------------------------------------------


@final
@attrs.frozen(kw_only=True)
class FirstPaymentDefault:
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

    def __add__(self, other: object) -> FirstPaymentDefault:
        if not isinstance(other, FirstPaymentDefault):
            return NotImplemented
        if other.over != self.over:
            raise invalid("other", other.over, f"is an FPD over {other.over}, not {self.over}")
        cells = _merged(_cell_map(self.cells, 1), _cell_map(other.cells, 1))
        return FirstPaymentDefault(
            over=self.over,
            currency=_join_currency(self.currency, other.currency),
            cells=_sorted_cells(cells),  # type: ignore[arg-type]
        )

    def __radd__(self, other: object) -> FirstPaymentDefault:
        return self if _is_zero(other) else NotImplemented

    @property
    def cohorts(self) -> tuple[date, ...]:
        """The cohorts, as the first day of each disbursement month, oldest first."""
        return tuple(_month_date(c[0]) for c in self.cells)

    def rate(self, cohort: date | None = None, *, by: By = "count") -> Decimal | None:
        """FPDn of one cohort, or of every loan judged when `cohort` is `None`."""
        num, den = (3, 1) if _check_by(by) == "count" else (4, 2)
        cells = self.cells
        if cohort is not None:
            month = _month(_check_date(cohort, "cohort"))
            cells = tuple(c for c in cells if c[0] == month)
        return _share(sum(c[num] for c in cells), sum(c[den] for c in cells))

    def as_rows(self) -> list[Row]:
        """One row per cohort: loans judged, defaults, and FPDn by count and by principal."""
        currency = self.currency or "CNY"
        return [
            {
                "cohort": _month_date(month).isoformat()[:7],
                "loans": loans,
                "principal": Money.from_minor_units(principal, currency),
                "defaults": bad,
                "default_principal": Money.from_minor_units(bad_units, currency),
                "fpd_by_count": _share(bad, loans),
                "fpd_by_principal": _share(bad_units, principal),
            }
            for month, loans, principal, bad, bad_units in self.cells
        ]


def first_payment_default(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]],
    *,
    over: int = 30,
) -> FirstPaymentDefault:
    """FPDn by disbursement month: the share of first installments more than `over` days late.

    A record is judged when its `first_installment_days_past_due` is known and
    either exceeds `over` or the installment has been due more than `over` days
    (`on − first_due > over`; assumed when either date is missing). Give one
    record per loan, its latest.

    Args:
        records: one record per loan.
        over: n of FPDn: 1, 7, 30 (FPD30) …

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
    over = _check_days(over, "over")
    currency: str | None = None
    cells: dict[int, list[int]] = {}
    for _, record in _records(records):
        currency = _check_currency(record, currency)
        first = record.first_installment_days_past_due
        if first is None:
            continue
        if first <= over and record.first_due is not None and record.on is not None:  # noqa: SIM102
            if (record.on - record.first_due).days <= over:
                continue  # not yet judged: it may still go past `over`
        cell = cells.setdefault(record._cohort, [0, 0, 0, 0])
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
