"""Funnels, daily disbursement rates and the repeat-borrowing rate (复借率)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given

from microloan import (
    Funnel,
    InvalidTypeError,
    InvalidValueError,
    compare_funnels,
    disbursement_rate_by_day,
    funnel,
    repeat_borrowing,
)
from microloan._decimal import CONTEXT
from tests.strategies import stage_counts

MAY_1 = date(2019, 5, 1)


def test_step_and_overall_conversion() -> None:
    """The lender's case: sign-up at 4% of visitors is the weak step; overall = last / first."""
    f = funnel(
        {
            "impressions": 100_000,
            "visitors": 10_000,
            "sign-ups": 400,
            "applications": 300,
            "approvals": 150,
            "disbursed": 120,
        }
    )
    rates = {s.name: s.step_rate for s in f.steps}
    assert rates["visitors"] == Decimal("0.1")
    assert rates["sign-ups"] == Decimal("0.04")
    assert rates["disbursed"] == Decimal("0.8")
    assert f.weakest_step.name == "sign-ups"
    assert f.overall_rate == Decimal("0.0012")
    assert f.steps[0].step_rate is None
    assert f.steps[2].lost == 9_600


@given(stage_counts)
def test_funnels_add_up_stage_by_stage(counts: list[int]) -> None:
    """Two funnels of the same stages add their counts; rates are recomputed."""
    names = [f"s{i}" for i in range(len(counts))]
    a = funnel(list(zip(names, counts, strict=True)))
    b = funnel(list(zip(names, [2 * c for c in counts], strict=True)))
    total = a + b
    assert [c for _, c in total.stages] == [3 * c for c in counts]
    assert [s.step_rate for s in total.steps] == [s.step_rate for s in a.steps]


def test_zero_counts_give_undefined_rates() -> None:
    """A stage after a zero stage has no step rate; nothing divides by zero."""
    f = funnel([("a", 0), ("b", 0)])
    assert f.steps[1].step_rate is None
    assert f.overall_rate is None
    with pytest.raises(InvalidValueError, match="no step"):
        _ = f.weakest_step


def test_channels_side_by_side() -> None:
    """Per channel step rates in one row per stage, and the channels' total."""
    cmp = compare_funnels(
        {
            "search": {"visitors": 800, "sign-ups": 48},
            "ads": Funnel(stages=[("visitors", 1200), ("sign-ups", 24)]),
        }
    )
    rows = cmp.as_rows()
    assert rows[1]["search step_rate"] == Decimal("0.06")
    assert rows[1]["ads step_rate"] == Decimal("0.02")
    assert cmp.total.stages == (("visitors", 2000), ("sign-ups", 72))
    with pytest.raises(InvalidValueError, match="other stages"):
        compare_funnels({"a": {"x": 1}, "b": {"y": 1}})


def test_malformed_stages_are_refused() -> None:
    """Empty funnels, repeated stages and negative counts are errors."""
    with pytest.raises(InvalidValueError, match="empty"):
        funnel({})
    with pytest.raises(InvalidValueError, match="twice"):
        funnel([("a", 1), ("a", 2)])
    with pytest.raises(InvalidValueError, match="at least 0"):
        funnel({"a": -1})
    with pytest.raises(InvalidTypeError):
        funnel({"a": 1.5})  # type: ignore[arg-type]


def test_new_user_disbursement_rate_per_day() -> None:
    """Per day, distinct new applicants and how many were paid out; others are left out."""
    days = [MAY_1, MAY_1, MAY_1, MAY_1, MAY_1 + timedelta(1)]
    users = ["a", "a", "b", "c", "d"]
    paid = [0, 1, 0, 1, 0]
    new = [1, 1, 1, 0, 1]
    rates = disbursement_rate_by_day(days, users, paid, is_new=new)
    assert [(r.applicants, r.borrowers, r.rate) for r in rates] == [
        (2, 1, Decimal("0.5")),
        (1, 0, Decimal(0)),
    ]
    returning = disbursement_rate_by_day(days, users, paid, is_new=new, segment="returning")
    assert [(r.applicants, r.borrowers) for r in returning] == [(1, 1)]
    everyone = disbursement_rate_by_day(days, users, paid, segment="all")
    assert everyone[0].applicants == 3
    with pytest.raises(InvalidValueError, match="is_new"):
        disbursement_rate_by_day(days, users, paid)


def test_datetimes_count_by_their_day() -> None:
    """Two applications at different times of one day fall on that day."""
    stamps = [datetime(2019, 5, 1, 9), datetime(2019, 5, 1, 17)]  # noqa: DTZ001 - naive on purpose
    rates = disbursement_rate_by_day(stamps, ["a", "b"], [1, 0], segment="all")
    assert rates[0].day == MAY_1
    assert rates[0].rate == Decimal("0.5")


def test_repeat_borrowing_is_the_share_of_a_days_borrowers_who_borrow_the_next_day() -> None:
    """Of the users who borrowed on day d, the share who borrow again on day d + 1."""
    days = [MAY_1] * 4 + [MAY_1 + timedelta(1)] * 3 + [MAY_1 + timedelta(2)]
    users = ["a", "b", "c", "d", "a", "c", "e", "e"]
    result = repeat_borrowing(days, users)
    assert [(r.borrowers, r.repeat) for r in result.days] == [(4, 2), (3, 1), (1, 0)]
    assert [r.complete for r in result.days] == [True, True, False]
    assert result.rate == CONTEXT.divide(3, 7)


def test_repeat_borrowing_window_and_new_user_base() -> None:
    """A wider window counts later loans; base='new' takes only new users' loans as base."""
    days = [MAY_1, MAY_1, MAY_1 + timedelta(2), MAY_1 + timedelta(3)]
    users = ["a", "b", "a", "z"]
    new = [1, 0, 0, 1]
    assert repeat_borrowing(days, users).days[0].repeat == 0
    wide = repeat_borrowing(days, users, window=2)
    assert wide.days[0].repeat == 1
    assert wide.days[0].complete
    new_user_base = repeat_borrowing(days, users, window=2, is_new=new, base="new")
    assert new_user_base.days[0].borrowers == 1
    assert new_user_base.rate == 1
    with pytest.raises(InvalidValueError, match="window"):
        repeat_borrowing(days, users, window=0)
    with pytest.raises(InvalidValueError, match="is_new"):
        repeat_borrowing(days, users, base="new")


def test_repeat_borrowing_of_no_records_is_empty() -> None:
    """No loans: no days and no rate."""
    result = repeat_borrowing([], [])
    assert result.days == ()
    assert result.rate is None


def test_flags_and_dates_are_checked() -> None:
    """A flag of 2 or a day that is not a date is refused with its position."""
    with pytest.raises(InvalidValueError, match=r"disbursed\[0\]"):
        disbursement_rate_by_day([MAY_1], ["a"], [2], segment="all")
    with pytest.raises(InvalidTypeError, match=r"days\[0\]"):
        repeat_borrowing(["2019-05-01"], ["a"])
