"""Count tables: rows and bads counted per distinct value, the one pass the metrics share.

A [`CountTable`][microloan.CountTable] is what lift tables, KS, AUC and reject impacts
are built from; count tables merge exactly with ``+``, so partitions counted apart (or on
a distributed engine) combine into the same answer as the whole.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from typing import Any, final

import attrs

from microloan._decimal import in_context, in_context_methods
from microloan._validators import check_mapping
from microloan.analytics._data import (
    Count,
    add,
    all_int_counts,
    column,
    count_value,
    pair_counts,
    sub,
    sum_counts,
)
from microloan.analytics.binning import Bins
from microloan.errors import invalid


def _hashable_mapping(mapping: Mapping[Any, Count]) -> dict[Any, Count]:
    return dict(check_mapping("totals and bads", mapping, "a mapping of value to count"))


@final
@in_context_methods
@attrs.frozen(kw_only=True, hash=False)
class CountTable:
    """Rows and bads counted per distinct value: the one pass every table is built from.

    Missing values (``None``, NaN) are counted together under the key ``None``. With
    weights, counts are ``Decimal`` sums of weights. Two count tables add up exactly
    (``a + b``), so partitions can be counted apart and merged.

    Attributes:
        totals: rows (or summed weights) per distinct value.
        bads: bad rows (or summed weights of bad rows) per distinct value; every key of
            `totals` is present.

    Examples:
        >>> first = CountTable.from_data([1, 2, 2], [0, 1, 0])
        >>> second = CountTable.from_data([2, None], [1, 1])
        >>> merged = first + second
        >>> merged.totals, merged.bads
        ({1: 1, 2: 3, None: 1}, {1: 0, 2: 2, None: 1})
        >>> merged == CountTable.from_data([1, 2, 2, 2, None], [0, 1, 0, 1, 1])
        True
        >>> merged.count, merged.n_bads, merged.n_goods
        (5, 3, 2)
    """

    totals: dict[Any, Count] = attrs.field(converter=_hashable_mapping)
    bads: dict[Any, Count] = attrs.field(converter=_hashable_mapping)
    _sums: tuple[Count, Count] = attrs.field(init=False, repr=False, eq=False)
    #: memo of the value-ordered bads and goods KS and AUC walk (see `in_value_order`)
    _sorted: list[tuple[list[Count], list[Count]]] = attrs.field(
        init=False, repr=False, eq=False, factory=list
    )

    def __attrs_post_init__(self) -> None:
        if self.totals.keys() != self.bads.keys():
            raise invalid("bads", self.bads, "must have exactly the keys of totals")
        totals, bads = self.totals, self.bads
        if not (
            all_int_counts(totals, bads)
            and min(bads.values(), default=0) >= 0
            and all(bads[key] <= total for key, total in totals.items())
        ):  # the common case is checked at C speed; this loop names a culprit
            for key, total in self.totals.items():
                count_value(total, f"totals[{key!r}]")
                bad = count_value(self.bads[key], f"bads[{key!r}]")
                if bad > total:
                    raise invalid(f"bads[{key!r}]", bad, f"exceeds the total {total}")
        sums = (sum_counts(totals.values()), sum_counts(bads.values()))
        object.__setattr__(self, "_sums", sums)

    @classmethod
    def from_data(
        cls,
        values: Iterable[Any],
        bads: Iterable[Any],
        *,
        weights: Iterable[Any] | None = None,
    ) -> CountTable:
        """Count one variable against a 0/1 bad flag in a single pass.

        Args:
            values: the variable (any iterable: list, tuple, range, numpy array, Series).
            bads: 1/True for a bad row, 0/False for a good one; anything else is refused
                with the position of the first offender.
            weights: optional non-negative row weights (ints, Decimals or numeric strings).

        Returns:
            The count table.

        Raises:
            InvalidValueError: lengths differ, or a flag is not 0/1 (its position named).
            InvalidTypeError: a value cannot be counted (unhashable), or a weight is a float.
        """
        vals = column(values, "values")
        flags = column(bads, "bads")
        wts = None if weights is None else column(weights, "weights")
        totals, bad_totals = pair_counts(vals, flags, wts)
        return cls._trusted(totals, bad_totals)

    @classmethod
    def _trusted(cls, totals: dict[Any, Count], bads: dict[Any, Count]) -> CountTable:
        """A table from counts this module made and checked itself (skips the checks)."""
        table = cls.__new__(cls)
        object.__setattr__(table, "totals", totals)
        object.__setattr__(table, "bads", bads)
        sums = (sum_counts(totals.values()), sum_counts(bads.values()))
        object.__setattr__(table, "_sums", sums)
        object.__setattr__(table, "_sorted", [])
        return table

    def __add__(self, other: object) -> CountTable:
        if not isinstance(other, CountTable):
            return NotImplemented
        totals = dict(self.totals)
        bads = dict(self.bads)
        for key, total in other.totals.items():
            totals[key] = add(totals.get(key, 0), total)
            bads[key] = add(bads.get(key, 0), other.bads[key])
        return CountTable._trusted(totals, bads)

    def __radd__(self, other: object) -> CountTable:
        if other == 0:  # sum() starts from 0
            return self
        return NotImplemented

    @property
    def count(self) -> Count:
        """All rows (or all weight)."""
        return self._sums[0]

    @property
    def n_bads(self) -> Count:
        """All bad rows (or their weight)."""
        return self._sums[1]

    @property
    def n_goods(self) -> Count:
        """All good rows (or their weight)."""
        return sub(self._sums[0], self._sums[1])

    def bin_counts(self, bins: Bins) -> tuple[tuple[Count, ...], tuple[Count, ...]]:
        """Rows and bads per bin of `bins`, in row order."""
        totals: list[Count] = [0] * len(bins)
        bads: list[Count] = [0] * len(bins)
        for key, total in self.totals.items():
            row = bins.index(key)
            totals[row] = add(totals[row], total)
            bads[row] = add(bads[row], self.bads[key])
        return tuple(totals), tuple(bads)


@in_context
def counts_of(
    values: Iterable[Any] | CountTable, bads: Iterable[Any] | None, weights: Iterable[Any] | None
) -> CountTable:
    """A count table from data, or the one passed in place of the data."""
    if isinstance(values, CountTable):
        if bads is not None or weights is not None:
            raise invalid("bads", "<given>", "must be omitted when a CountTable is passed")
        return values
    if bads is None:
        raise invalid("bads", None, "is required with data (or pass a CountTable)")
    return CountTable.from_data(values, bads, weights=weights)


@in_context
def in_value_order(table: CountTable) -> tuple[list[Count], list[Count]]:
    """Bads and goods per distinct value, in ascending value order (memoised on the table).

    Raises:
        TypeError: the values cannot be ordered.
    """
    memo = table._sorted  # noqa: SLF001 - the memo belongs to this module's class
    if memo:
        return memo[0]
    totals, bad_counts = table.totals, table.bads
    # Sort positions rather than look keys up in sorted order: the lists are compact,
    # so a million distinct values cost little more than the sort itself.
    keys = list(totals)
    order = sorted(range(len(keys)), key=keys.__getitem__)
    row_totals = list(totals.values())
    if list(bad_counts) == keys:  # same key order (always, from a count): no lookups
        row_bads = list(bad_counts.values())
    else:
        row_bads = list(map(bad_counts.__getitem__, keys))
    if all_int_counts(totals, bad_counts):
        row_goods = list(map(operator.sub, row_totals, row_bads))
    else:
        row_goods = list(map(sub, row_totals, row_bads))
    if len(order) == 1:
        memo.append(([row_bads[0]], [row_goods[0]]))
    else:
        pick = operator.itemgetter(*order)
        memo.append((list(pick(row_bads)), list(pick(row_goods))))
    return memo[0]
