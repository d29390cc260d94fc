"""The packed integers and mergeable cells the portfolio reports are made of.

A record's tally packs `(minor units << SHIFT) + 1`, so one integer add counts a
loan and sums its balance; month indexes are `year × 12 + month − 1`; a report's
state is a sorted tuple of integer cells, and merging two reports adds the cells
that share a key. This private module is the reports' shared arithmetic; the
names here are the wing's internal API.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from microloan._decimal import CONTEXT
from microloan._validators import check_int
from microloan.errors import CurrencyMismatchError, invalid, wrong_type
from microloan.money import CURRENCY_MINOR_UNITS

Row = dict[str, object]
"""One row of a report's `as_rows()`."""

SHIFT: Final = 64  # a tally packs (minor units << 64) + count: one integer add per record
LOW: Final = (1 << SHIFT) - 1
MAX_UNITS: Final = 1 << 63  # no single loan is 9.2e16 fen; keeps the packed tallies exact
MAX_DAYS: Final = 1 << 25  # 91,000 years: an ageing key keeps days in 25 bits
#: A small number per currency, packed into the keys of the reports' hot loops.
CURRENCY_INDEX: Final = {code: i for i, code in enumerate(sorted(CURRENCY_MINOR_UNITS))}

Cells = tuple[tuple[int, ...], ...]
Report = TypeVar("Report")


def check_currency_field(value: object) -> None:
    """A report's `currency`: a known currency code, or `None` while the report is empty."""
    if value is None:
        return
    if not isinstance(value, str):
        raise wrong_type("currency", value, "a currency code or None")
    if value not in CURRENCY_MINOR_UNITS:
        raise invalid("currency", value, "is not a known currency code")


def check_cells(
    value: object,
    *,
    shape: str,
    keys: int,
    below: Mapping[int, tuple[int, str]] | None = None,
    parts: tuple[tuple[int, int], ...] = (),
    last: type = int,
    currency: object = None,
) -> None:
    """A report's `cells`, built by hand or read from a document, are the shape its builder makes.

    A tuple of tuples, each of `shape`'s length (`shape` names the columns, as in
    `"(month index, loans, minor units)"`), the first `keys` numbers its key: every
    number a non-negative int (never a bool), the last one a finite non-negative
    `Decimal` when `last` is `Decimal`; `below` maps a column to its bound and the
    refusal past it (a bucket index below the number of buckets); each `(part, whole)` pair of `parts` says a column counts
    a part of another (overdue loans of the loans on book); the keys strictly
    increase (sorted, one cell per key, so merging with `+` adds like with like);
    and cells need a `currency`.
    """
    width = shape.count(",") + 1
    if not isinstance(value, tuple):
        raise wrong_type("cells", value, f"a tuple of {shape} tuples")
    previous: tuple[object, ...] | None = None
    for i, cell in enumerate(value):
        field = f"cells[{i}]"
        if not isinstance(cell, tuple):
            raise wrong_type(field, cell, f"a tuple {shape}")
        if len(cell) != width:
            raise invalid(field, cell, f"has {len(cell)} items, not {width}: {shape}")
        _check_cell(field, cell, below or {}, parts, last)
        key = cell[:keys]
        if previous is not None and key <= previous:
            raise invalid(field, cell, "is out of order: cells are sorted, one per key")
        previous = key
    if value and currency is None:
        raise invalid("currency", currency, "must be a currency code: the report has cells")


def _check_cell(
    field: str,
    cell: tuple[object, ...],
    below: Mapping[int, tuple[int, str]],
    parts: tuple[tuple[int, int], ...],
    last: type,
) -> None:
    """One cell of [`check_cells`]: its numbers, their bounds, its parts within their wholes."""
    for j, item in enumerate(cell):
        if j == len(cell) - 1 and last is Decimal:
            _check_amount(f"{field}[{j}]", item)
            continue
        number = check_int(f"{field}[{j}]", item, minimum=0)
        limit, reason = below.get(j, (None, ""))
        if limit is not None and number >= limit:
            raise invalid(f"{field}[{j}]", number, reason)
    for part, whole in parts:
        if cell[part] > cell[whole]:  # type: ignore[operator]  # checked ints
            raise invalid(f"{field}[{part}]", cell[part], f"must not exceed {field}[{whole}]")


def _check_amount(field: str, value: object) -> None:
    if not isinstance(value, Decimal):
        raise wrong_type(field, value, "a Decimal")
    if not value.is_finite() or value < 0:
        raise invalid(field, value, "must be a finite, non-negative Decimal")


def month_index(day: date) -> int:
    """The month of `day` as one integer, `year × 12 + month − 1`."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    """The first day of the month `index` (the inverse of `month_index`)."""
    return date(index // 12, index % 12 + 1, 1)


def ratio(part: int, whole: int) -> Decimal | None:
    """`part / whole` in the library's context; `None` when `whole` is 0."""
    if whole == 0:
        return None
    return CONTEXT.divide(Decimal(part), Decimal(whole))


def join_currency(first: str | None, second: str | None) -> str | None:
    """The currency of two merged reports (`None` for an empty one); refuse two currencies."""
    if first is None:
        return second
    if second is not None and second != first:
        raise CurrencyMismatchError(f"currency: cannot combine {first} with {second}")
    return first


def merge_cells(a: Cells, b: Cells, *, keys: int) -> Cells:
    """Merge two reports' sorted cells: the first `keys` numbers are the key, the rest add up."""
    out = {cell[:keys]: cell[keys:] for cell in a}
    for cell in b:
        key, values = cell[:keys], cell[keys:]
        old = out.get(key)
        out[key] = values if old is None else tuple(x + y for x, y in zip(old, values, strict=True))
    return tuple(key + values for key, values in sorted(out.items()))


def is_zero(other: object) -> bool:
    """Whether `other` is the `0` that `sum()` starts from."""
    return isinstance(other, int) and not isinstance(other, bool) and other == 0


def add_reports(
    report: Report, other: object, *, same: tuple[str, ...], keys: int, refusal: str
) -> Report:
    """`report + other` for a report whose state is `currency` and `cells`.

    `other` must be a report of the same class with equal `same` fields (else
    `refusal` explains, naming `other`'s first one); the result has the joined
    currency and the merged cells, the first `keys` numbers of a cell its key.
    """
    if type(other) is not type(report):
        return NotImplemented  # type: ignore[no-any-return]
    if any(getattr(other, name) != getattr(report, name) for name in same):
        raise invalid("other", getattr(other, same[0]), refusal)
    merged: Any = attrs.evolve(  # type: ignore[misc]
        report,
        currency=join_currency(report.currency, other.currency),  # type: ignore[attr-defined]
        cells=merge_cells(report.cells, other.cells, keys=keys),  # type: ignore[attr-defined]
    )
    return merged  # type: ignore[no-any-return]
