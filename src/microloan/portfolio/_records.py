"""The record machinery the portfolio reports share: inputs turned into `LoanRecord`s.

A report accepts `LoanRecord`s, mappings with its field names, objects with its
attributes, and (for dated reports) loan or line positions; this private module
converts them, checks a record's dates and currency against the report's, and
names the record in every error. The names here are the wing's internal API.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any, Final

from microloan._validators import check_iterable
from microloan.errors import InvalidRecordError, invalid
from microloan.portfolio.records import By, LoanLike, LoanRecord, PositionLike

NO_RECORD: Final = object()  # "no record in hand" for the hot loops' fallback
FIELDS: Final = ("loan_id", "disbursed", "principal", "outstanding", "days_past_due")
OPTIONAL: Final = (
    "on",
    "max_days_past_due",
    "first_installment_days_past_due",
    "first_due",
    "written_off",
)


def check_by(by: object) -> By:
    if by not in ("count", "balance"):
        raise invalid("by", by, 'must be "count" or "balance"')
    return by


def coerce(item: object, index: int, *, position_ok: bool = False) -> LoanRecord:
    """Turn a mapping or an object with `LoanRecord`'s fields into a `LoanRecord`.

    With `position_ok` (the ageing report, which reads only days past due, the
    outstanding principal and its currency), a loan or line position — an object with
    `days_past_due`, `principal_outstanding` and `on` but no loan id or disbursement —
    is aged as the record of loan `#index`.
    """
    if isinstance(item, LoanRecord):
        return item
    if position_ok and is_position(item):
        outstanding = item.principal_outstanding  # type: ignore[attr-defined]
        return coerce(
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
        found = {k: item[k] for k in (*FIELDS, *OPTIONAL) if k in item}
    else:
        found = {k: getattr(item, k) for k in (*FIELDS, *OPTIONAL) if hasattr(item, k)}
        if "outstanding" not in found and hasattr(item, "principal_outstanding"):
            found["outstanding"] = item.principal_outstanding  # a loan position's name for it
    loan_id = found.get("loan_id")
    for field in FIELDS:
        if field not in found:
            raise InvalidRecordError(loan_id, f"{field}: is missing", index=index)
    try:
        return LoanRecord(**found)
    except InvalidRecordError as exc:
        raise InvalidRecordError(loan_id, exc.reason, index=index) from None


def is_position(item: object) -> bool:
    """A loan or line position: what a loan owes on a date, without the loan's identity."""
    return (
        not isinstance(item, Mapping)
        and not hasattr(item, "loan_id")
        and all(hasattr(item, name) for name in ("days_past_due", "principal_outstanding", "on"))
    )


def currency_mismatch(record: LoanRecord, currency: str) -> InvalidRecordError:
    return InvalidRecordError(
        record.loan_id,
        f"currency: {record.principal.currency} differs from the portfolio's {currency}",
    )


def check_on(record: LoanRecord, on: date) -> None:
    """Refuse a record of another snapshot date, or disbursed after `on`."""
    if record.disbursed > on or (record.on is not None and record.on != on):
        raise off_date(record, on)


def off_date(record: LoanRecord, on: date) -> InvalidRecordError:
    if record.on is not None and record.on != on:
        return InvalidRecordError(
            record.loan_id, f"on: {record.on.isoformat()} is not the report date {on.isoformat()}"
        )
    return InvalidRecordError(
        record.loan_id,
        f"disbursed: {record.disbursed.isoformat()} is after the report date {on.isoformat()}",
    )


def record_stream(records: object) -> Iterator[Any]:
    """The records one by one, read lazily; a non-iterable (or a str, a mapping) is refused."""
    return check_iterable("records", records, "an iterable of loan records, such as a list")


def iter_records(
    records: Iterable[LoanRecord | LoanLike | PositionLike | Mapping[str, object]],
    *,
    position_ok: bool = False,
) -> Iterable[tuple[int, LoanRecord]]:
    for index, item in enumerate(record_stream(records)):
        if item.__class__ is LoanRecord:
            yield index, item
        else:
            yield index, coerce(item, index, position_ok=position_ok)


def is_on_book(record: LoanRecord) -> bool:
    return not record.written_off and not record.is_closed


def check_currency(record: LoanRecord, currency: str | None) -> str:
    if currency is None:
        return record.principal.currency
    if record.principal.currency != currency:
        raise currency_mismatch(record, currency)
    return currency
