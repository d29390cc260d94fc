"""Cohort (同期群) retention: users grouped by the month they were first active.

A user's **cohort** is the calendar month of their first activity (first order, first
loan); the **period index** of a later activity is the number of calendar months since
that first month, so period 0 is the cohort month itself (retention 1 by definition;
the lender's case calls it the "1st month"). The matrix is aligned by period index, as
in the lender's case, so cohorts that started in different months are compared at the
same age.

A cohort's row stops at the last month of the data: later periods are not observed yet,
not zero, so the matrix is a triangle.

The counts behind the matrix are an [`Activity`][microloan.Activity] log, which merges
exactly with ``+`` (the union of each user's active months), so partitions of the
records can be read apart and combined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, final

import attrs

from microloan._decimal import in_context, in_context_methods
from microloan._validators import (
    check_items,
    check_mapping,
    natural_field,
    tuple_field,
    typed_field,
)
from microloan.analytics._data import column, is_missing, ratio, same_length
from microloan.errors import invalid, wrong_type
from microloan.portfolio._frames import FrameLike, FrameRows, distinct_columns, is_frame

Month = tuple[int, int]


def _month(value: object, field: str) -> Month:
    if isinstance(value, datetime | date):
        return (value.year, value.month)
    raise wrong_type(field, value, "a date")


def _label(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def _index(first: Month, later: Month) -> int:
    return (later[0] - first[0]) * 12 + (later[1] - first[1])


def _frozen_months(mapping: dict[Any, Iterable[Month]]) -> dict[Any, frozenset[Month]]:
    months = check_mapping("months", mapping, "a mapping of user to (year, month) pairs")
    return {
        user: frozenset(check_items(f"months[{user!r}]", active, "a set of (year, month) pairs"))
        for user, active in months.items()
    }


@final
@in_context_methods
@attrs.frozen(kw_only=True, hash=False)
class Activity:
    """Which calendar months each user was active in: the mergeable count behind cohorts.

    Attributes:
        months: user → the set of ``(year, month)`` pairs in which the user was active.

    Examples:
        >>> from datetime import date
        >>> jan = Activity.from_records(["a", "b"], [date(2019, 1, 5), date(2019, 1, 9)])
        >>> feb = Activity.from_records(["a"], [date(2019, 2, 1)])
        >>> sorted((jan + feb).months["a"])
        [(2019, 1), (2019, 2)]
    """

    months: dict[Any, frozenset[Month]] = attrs.field(converter=_frozen_months)

    @classmethod
    def from_records(cls, users: Iterable[Any], dates: Iterable[Any]) -> Activity:
        """Read (user, activity date) records; a user's records may come in any order.

        Raises:
            InvalidValueError: the columns differ in length or a user is missing.
            InvalidTypeError: a date is not a date.
        """
        user_list = column(users, "users")
        date_list = column(dates, "dates")
        same_length(user_list, date_list, ("users", "dates"))
        months: dict[Any, set[Month]] = {}
        for position, (user, when) in enumerate(zip(user_list, date_list, strict=True)):
            if is_missing(user):
                raise invalid(f"users[{position}]", user, "is missing")
            months.setdefault(user, set()).add(_month(when, f"dates[{position}]"))
        return cls(months=months)  # type: ignore[arg-type]

    def __add__(self, other: object) -> Activity:
        if not isinstance(other, Activity):
            return NotImplemented
        merged = dict(self.months)
        for user, months in other.months.items():
            merged[user] = merged.get(user, frozenset()) | months
        return Activity(months=merged)


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class CohortRow:
    """One cohort of a [`CohortMatrix`][microloan.CohortMatrix].

    Attributes:
        cohort: the first-activity month, ``"YYYY-MM"``.
        size: the users whose first activity fell in that month.
        active: users of the cohort active in each period index 0, 1, 2, … up to the
            last month of the data (``active[0] == size``).
        retention: ``active[k] / size`` for each observed period index.
    """

    cohort: str = attrs.field(validator=typed_field(str, "a str"))
    size: int = attrs.field(validator=natural_field)
    active: tuple[int, ...] = attrs.field(validator=tuple_field(int, "an int count of users"))
    retention: tuple[Decimal, ...] = attrs.field(validator=tuple_field(Decimal, "a Decimal share"))


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class CohortMatrix(FrameRows):
    """Cohorts by first-activity month × period index (months since the first).

    Attributes:
        rows: one [`CohortRow`][microloan.CohortRow] per cohort, oldest first.
        periods: the number of period indexes of the oldest cohort (the matrix width).
    """

    rows: tuple[CohortRow, ...] = attrs.field(validator=tuple_field(CohortRow, "a CohortRow"))
    periods: int = attrs.field(validator=natural_field)

    def retention(self, cohort: str, period: int) -> Decimal | None:
        """The retention of `cohort` at `period`, or ``None`` if not observed yet.

        Raises:
            InvalidValueError: no such cohort.
        """
        for row in self.rows:
            if row.cohort == cohort:
                return row.retention[period] if 0 <= period < len(row.retention) else None
        raise invalid(
            "cohort", cohort, f"is not a cohort; cohorts are {[r.cohort for r in self.rows]}"
        )

    def as_rows(self, *, measure: str = "retention") -> list[dict[str, Any]]:
        """One dict per cohort: ``cohort``, ``size`` and one column per period index.

        Args:
            measure: `"retention"` (shares, default) or `"active"` (user counts).
        """
        if measure not in ("retention", "active"):
            raise invalid("measure", measure, "is not 'retention' or 'active'")
        out = []
        for row in self.rows:
            values = row.retention if measure == "retention" else row.active
            item: dict[str, Any] = {"cohort": row.cohort, "size": row.size}
            for k in range(self.periods):
                item[str(k)] = values[k] if k < len(values) else None
            out.append(item)
        return out


def _activity(
    users: Iterable[Any] | Activity | FrameLike,
    dates: Iterable[Any] | None,
    columns: Mapping[str, str] | None,
) -> Activity:
    """The activity log of the arguments: a frame's distinct pairs, records, or the log."""
    if is_frame(users):  # stage 1 in the engine: the distinct (user, month) pairs
        if dates is not None:
            raise invalid("dates", "<given>", "must be omitted with a DataFrame: name its column")
        found = distinct_columns(users, {"users": "value", "dates": "month"}, columns)
        users, dates = found["users"], found["dates"]
    elif columns is not None:
        raise invalid("columns", columns, "applies to a DataFrame input only")
    if isinstance(users, Activity):
        if dates is not None:
            raise invalid("dates", "<given>", "must be omitted when an Activity is passed")
        return users
    if dates is None:
        raise invalid("dates", None, "is required with user records")
    return Activity.from_records(users, dates)  # type: ignore[arg-type]


@in_context
def cohort_retention(
    users: Iterable[Any] | Activity | FrameLike,
    dates: Iterable[Any] | None = None,
    *,
    columns: Mapping[str, str] | None = None,
) -> CohortMatrix:
    """Cohort retention from (user, activity date) records, aligned by period index.

    Args:
        users: the user of each record, or an [`Activity`][microloan.Activity] log
            (then leave out `dates`), or a DataFrame (the `microloan[frames]` extra)
            with columns `users` and `dates`; its engine groups the distinct
            (user, month) pairs, which are all a cohort reads.
        dates: the date of each record (dates or datetimes).
        columns: for a frame, the column of each argument not named as the argument.

    Returns:
        The [`CohortMatrix`][microloan.CohortMatrix].

    Raises:
        InvalidValueError: no records, or columns of different lengths.

    Examples:
        >>> from datetime import date
        >>> users = ["a", "b", "a", "c", "b", "a"]
        >>> when = [date(2019, 1, 3), date(2019, 1, 20), date(2019, 2, 7),
        ...         date(2019, 2, 9), date(2019, 3, 1), date(2019, 3, 30)]
        >>> matrix = cohort_retention(users, when)
        >>> [(r.cohort, r.size, r.active) for r in matrix.rows]
        [('2019-01', 2, (2, 1, 2)), ('2019-02', 1, (1, 0))]
        >>> matrix.retention("2019-01", 1)
        Decimal('0.5')
    """
    activity = _activity(users, dates, columns)
    if not activity.months:
        raise invalid("users", "<no records>", "are empty; cohorts need activity")
    last = max(max(months) for months in activity.months.values())
    cohorts: dict[Month, list[frozenset[Month]]] = {}
    for months in activity.months.values():
        cohorts.setdefault(min(months), []).append(months)
    rows = []
    for first in sorted(cohorts):
        members = cohorts[first]
        width = _index(first, last) + 1
        active = [0] * width
        for months in members:
            for month in months:
                active[_index(first, month)] += 1
        rows.append(
            CohortRow(
                cohort=_label(first),
                size=len(members),
                active=tuple(active),
                retention=tuple(ratio(a, len(members)) for a in active),  # type: ignore[misc]
            )
        )
    return CohortMatrix(rows=tuple(rows), periods=len(rows[0].active))
