"""Cohort retention: first-activity month × months since, aligned by period index."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given

from microloan import Activity, InvalidTypeError, InvalidValueError, cohort_retention
from tests.strategies import activity_records


def test_matrix_is_aligned_by_period_index() -> None:
    """The lender's case: cohorts by first order month; column k = k months after the first."""
    users = ["a", "b", "a", "c", "b", "a", "c", "d"]
    when = [
        date(2019, 1, 3),
        date(2019, 1, 20),
        date(2019, 2, 7),
        date(2019, 2, 9),
        date(2019, 3, 1),
        date(2019, 3, 30),
        date(2019, 4, 2),
        date(2019, 4, 5),
    ]
    matrix = cohort_retention(users, when)
    assert [(r.cohort, r.size, r.active) for r in matrix.rows] == [
        ("2019-01", 2, (2, 1, 2, 0)),
        ("2019-02", 1, (1, 0, 1)),
        ("2019-04", 1, (1,)),
    ]
    assert matrix.periods == 4
    assert matrix.retention("2019-01", 2) == 1
    assert matrix.retention("2019-01", 1) == Decimal("0.5")
    assert matrix.retention("2019-04", 1) is None  # not observed yet
    rows = matrix.as_rows()
    assert rows[1] == {"cohort": "2019-02", "size": 1, "0": 1, "1": 0, "2": 1, "3": None}
    assert matrix.as_rows(measure="active")[0]["2"] == 2
    with pytest.raises(InvalidValueError, match="cohort"):
        matrix.retention("2018-12", 0)


def test_period_index_counts_calendar_months_across_years() -> None:
    """December to February is period 2."""
    matrix = cohort_retention(["a", "a"], [date(2019, 12, 31), date(2020, 2, 1)])
    assert matrix.rows[0].active == (1, 0, 1)


@given(activity_records)
def test_period_zero_is_the_whole_cohort(rows: list[tuple[int, date]]) -> None:
    """Retention at period 0 is 1 and sizes add up to the distinct users."""
    matrix = cohort_retention([u for u, _ in rows], [d for _, d in rows])
    assert all(r.active[0] == r.size and r.retention[0] == 1 for r in matrix.rows)
    assert sum(r.size for r in matrix.rows) == len({u for u, _ in rows})
    assert all(0 <= a <= r.size for r in matrix.rows for a in r.active)


@given(activity_records, activity_records)
def test_activity_logs_merge_exactly(
    first: list[tuple[int, date]], second: list[tuple[int, date]]
) -> None:
    """Reading two partitions apart and adding gives the matrix of all records."""
    both = first + second
    whole = cohort_retention([u for u, _ in both], [d for _, d in both])
    merged = Activity.from_records(
        [u for u, _ in first], [d for _, d in first]
    ) + Activity.from_records([u for u, _ in second], [d for _, d in second])
    assert cohort_retention(merged) == whole


def test_bad_records_are_refused() -> None:
    """Empty input, missing users, non-dates and mismatched columns are errors."""
    with pytest.raises(InvalidValueError, match="empty"):
        cohort_retention([], [])
    with pytest.raises(InvalidValueError, match=r"users\[0\]"):
        cohort_retention([None], [date(2019, 1, 1)])
    with pytest.raises(InvalidTypeError, match=r"dates\[0\]"):
        cohort_retention(["a"], ["2019-01-01"])
    with pytest.raises(InvalidValueError, match="length"):
        cohort_retention(["a", "b"], [date(2019, 1, 1)])
    with pytest.raises(InvalidValueError, match="dates"):
        cohort_retention(["a"])
