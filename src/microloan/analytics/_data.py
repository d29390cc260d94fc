"""Reading analyst inputs: columns from any iterable, missing values, 0/1 flags, weights.

The analytics modules (lift, scores, funnel, cohorts) take plain Python sequences or
anything iterable — a list, a tuple, a ``range``, a numpy array or a pandas Series —
without importing numpy or pandas. An object with a ``tolist()`` method (numpy arrays,
pandas Series) is converted with it, which yields plain Python scalars and is much
faster to iterate than the array itself.

A value is *missing* when it is ``None`` or is not equal to itself (a float or numpy NaN,
``pandas.NaT``); a value whose self-comparison cannot be turned into a bool
(``pandas.NA``) is missing too.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import compress
from typing import Any

from microloan._decimal import CONTEXT, to_decimal
from microloan._validators import MAX_AMOUNT
from microloan.errors import InvalidTypeError, InvalidValueError, invalid, wrong_type

#: A count: an ``int`` when unweighted, a ``Decimal`` when rows carry weights.
Count = int | Decimal


def is_missing(value: object) -> bool:
    """``None``, NaN (float, numpy or Decimal), ``NaT`` and ``pandas.NA`` are missing."""
    if value is None:
        return True
    try:
        return bool(value != value)  # noqa: PLR0124 - the NaN test without importing math/numpy
    except (TypeError, ValueError):
        return True


def column(data: object, field: str) -> Sequence[Any]:
    """Return ``data`` as a sequence that can be iterated more than once.

    Lists, tuples and ranges are used as they are; numpy arrays and pandas Series
    through their ``tolist()``; any other iterable is read into a list.
    """
    if isinstance(data, list | tuple | range):
        return data
    if isinstance(data, str | bytes | bytearray):
        raise wrong_type(field, data, "a sequence of values, not one string")
    tolist = getattr(data, "tolist", None)
    if callable(tolist):
        result = tolist()
        if isinstance(result, list):
            return result
    if isinstance(data, Iterable):
        return list(data)
    raise wrong_type(field, data, "an iterable of values (list, tuple, range, array, Series)")


def same_length(first: Sequence[Any], second: Sequence[Any], names: tuple[str, str]) -> None:
    """Refuse two columns of different lengths, naming both."""
    if len(first) != len(second):
        raise invalid(
            names[1],
            f"<{len(second)} items>",
            f"has a different length from {names[0]} ({len(first)} items)",
        )


def _valid_flag(flag: object) -> bool:
    if flag is True or flag is False:
        return True
    if isinstance(flag, float | Decimal | str | bytes | complex) or is_missing(flag):
        return False
    try:
        return bool(flag in (0, 1))
    except (TypeError, ValueError):
        return False


def bad_flag_error(bads: Sequence[Any], field: str = "bads") -> InvalidValueError:
    """The error for the first flag in ``bads`` that is not 0, 1, False or True."""
    for position, flag in enumerate(bads):
        if not _valid_flag(flag) or isinstance(flag, float):
            return invalid(f"{field}[{position}]", flag, "is not a bad flag; use 0/1 or False/True")
    return invalid(field, "<column>", "holds a value that is not a bad flag")  # pragma: no cover


def check_flag_values(bads: Sequence[Any], field: str = "bads") -> None:
    """Refuse a flag that is not 0, 1, False or True, checked over the distinct flags."""
    try:
        distinct_flags = set(bads)
    except TypeError:
        raise bad_flag_error(bads, field) from None
    if not all(_valid_flag(flag) for flag in distinct_flags):
        raise bad_flag_error(bads, field)


def check_flag_types(bads: Sequence[Any], field: str = "bads") -> None:
    """Refuse floats, Decimals and strings among the flags, even where they equal 0 or 1.

    A counter merges ``1.0`` with ``1``, so the types are checked over the whole column.
    """
    for kind in set(map(type, bads)):
        if kind is bool or kind is int:
            continue
        if issubclass(kind, float | Decimal | str | bytes | complex) or kind is type(None):
            raise bad_flag_error(bads, field)


def pair_counts(
    values: Sequence[Any],
    bads: Sequence[Any],
    weights: Sequence[Any] | None,
    *,
    fields: tuple[str, str, str] = ("values", "bads", "weights"),
) -> tuple[dict[Any, Count], dict[Any, Count]]:
    """Count rows (or sum weights) and bads per distinct value, missing values under ``None``.

    Returns:
        Two dicts keyed by value: the row count (or weight) and the bad count (or weight).
    """
    same_length(values, bads, fields[:2])
    check_flag_types(bads, fields[1])
    if weights is None:
        return _unweighted(values, bads, fields)
    same_length(values, weights, (fields[0], fields[2]))
    return _weighted(values, bads, weights, fields)


def _unweighted(
    values: Sequence[Any], bads: Sequence[Any], fields: tuple[str, str, str]
) -> tuple[dict[Any, Count], dict[Any, Count]]:
    # Two C-speed passes: all values, then the values of bad rows. Flags are checked
    # through their distinct values (and their types, by the caller), not row by row.
    check_flag_values(bads, fields[1])
    try:
        counted = Counter(values)
    except TypeError:
        raise _unhashable(values, fields[0]) from None
    counted_bads = Counter(compress(values, bads))
    if None not in counted and not _any_nan(counted):
        by_value: dict[Any, Count] = dict.fromkeys(counted, 0)
        by_value.update(counted_bads)  # same key order as the totals
        return dict(counted), by_value
    totals: dict[Any, Count] = {}
    bad_totals: dict[Any, Count] = {}
    for key, count in counted.items():
        merged = None if is_missing(key) else key
        totals[merged] = totals.get(merged, 0) + count
        bad_totals[merged] = bad_totals.get(merged, 0) + counted_bads.get(key, 0)
    return totals, bad_totals


def _any_nan(keys: Iterable[Any]) -> bool:
    """Whether a key is not equal to itself (NaN, NaT), or cannot say (pandas.NA)."""
    try:
        listed = list(keys)
        return any(map(operator.ne, listed, listed))  # the NaN test, at C speed
    except (TypeError, ValueError):
        return True


def _weighted(
    values: Sequence[Any],
    bads: Sequence[Any],
    weights: Sequence[Any],
    fields: tuple[str, str, str],
) -> tuple[dict[Any, Count], dict[Any, Count]]:
    totals: dict[Any, Count] = {}
    bad_totals: dict[Any, Count] = {}
    zero = Decimal(0)
    for position, (value, flag, weight) in enumerate(zip(values, bads, weights, strict=True)):
        if not _valid_flag(flag):
            raise bad_flag_error(bads, fields[1])
        w = weight_value(weight, f"{fields[2]}[{position}]")
        key = None if is_missing(value) else value
        try:
            totals[key] = CONTEXT.add(totals.get(key, zero), w)
        except TypeError:
            raise _unhashable(values, fields[0]) from None
        if flag:
            bad_totals[key] = CONTEXT.add(bad_totals.get(key, zero), w)
        else:
            bad_totals.setdefault(key, zero)
    return totals, bad_totals


def weight_value(weight: object, field: str) -> Decimal:
    """A row weight: a non-negative finite int, Decimal or numeric string."""
    result = to_decimal(
        weight,
        field,
        float_advice="pass ints, Decimals or strings (e.g. map(str, weights)) so every weight is exact",
    )
    if result < 0:
        raise invalid(field, weight, "must be at least 0")
    return result


def count_value(count: object, field: str) -> Count:
    """A count given by the caller: a non-negative int or finite Decimal."""
    if isinstance(count, bool) or not isinstance(count, int | Decimal):
        raise wrong_type(field, count, "a count (an int, or a Decimal for weighted counts)")
    if isinstance(count, Decimal) and not count.is_finite():
        raise invalid(field, count, "is not finite")
    if count < 0:
        raise invalid(field, count, "must be at least 0")
    if count >= MAX_AMOUNT:
        raise invalid(field, count, f"is beyond the bound of a count, {MAX_AMOUNT:.0e}")
    return count


def _unhashable(values: Sequence[Any], field: str) -> InvalidTypeError:
    for position, value in enumerate(values):
        try:
            hash(value)
        except TypeError:
            return wrong_type(f"{field}[{position}]", value, "a hashable value (a number, str, …)")
    return InvalidTypeError(f"{field}: holds a value that cannot be counted")  # pragma: no cover


def divide(numerator: Count, denominator: Count) -> Decimal:
    """``numerator / denominator`` in the library's context (the denominator is not zero)."""
    return CONTEXT.divide(Decimal(numerator), Decimal(denominator))


def tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros (``0.50`` → ``0.5``, ``0E-34`` → ``0``).

    Integers keep a plain exponent (``1E+1`` is shown as ``10``).
    """
    if not value:
        return Decimal(0)
    reduced = value.normalize(CONTEXT)
    if reduced.as_tuple().exponent > 0:  # type: ignore[operator]
        return reduced.quantize(Decimal(1), context=CONTEXT)
    return reduced


def ratio(numerator: Count, denominator: Count) -> Decimal | None:
    """``numerator / denominator``, or ``None`` when the denominator is zero."""
    if not denominator:
        return None
    return divide(numerator, denominator)


# Count arithmetic: ints stay exact Python ints (fast); Decimals go through CONTEXT, never
# through the caller's ambient decimal context.


def add(a: Count, b: Count) -> Count:
    """``a + b`` for counts."""
    if type(a) is int and type(b) is int:
        return a + b
    return CONTEXT.add(a, b)


def sub(a: Count, b: Count) -> Count:
    """``a - b`` for counts."""
    if type(a) is int and type(b) is int:
        return a - b
    return CONTEXT.subtract(a, b)


def mul(a: Count, b: Count) -> Count:
    """``a * b`` for counts."""
    if type(a) is int and type(b) is int:
        return a * b
    return CONTEXT.multiply(a, b)


def sum_counts(counts: Iterable[Count]) -> Count:
    """The sum of counts (0 for none): C-speed for ints, CONTEXT for Decimals."""
    items = list(counts)
    if set(map(type, items)) <= {int}:  # at C speed: no Python loop over a million counts
        return sum(items)
    result: Count = 0
    for c in items:
        result = add(result, c)
    return result


def all_int_counts(*mappings: dict[Any, Count]) -> bool:
    """Whether every count in these mappings is a plain int (the unweighted fast path)."""
    return all(set(map(type, mapping.values())) <= {int} for mapping in mappings)
