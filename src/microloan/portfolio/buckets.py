"""Bucket schemes: the classification of days past due into ageing buckets.

Days past due (DPD) count from the day after the due date: a loan due on
10 March and unpaid is 1 day past due on 11 March. A
[`BucketScheme`][microloan.BucketScheme] is an ordered set of inclusive day
ranges starting at 0, each following the last without a gap or an overlap, the
last one open-ended. Three presets are built in:

| preset | buckets (days past due) |
|---|---|
| `"m"` | `M0` 0, `M1` 1–30, `M2` 31–60, `M3` 61–90, `M4` 91–120, `M5` 121–150, `M6` 151–180, `M7+` over 180 |
| `"us"` | `current` 0, `1-29`, `30-59`, `60-89`, `90-119`, `120+` |
| `"five-tier"` | `normal` 0, `special_mention` 1–90, `substandard` 91–270, `doubtful` 271–360, `loss` over 360 |

The five-tier scheme follows the day thresholds of the 2023 measures on the risk
classification of financial assets (《商业银行金融资产风险分类办法》, in force
1 July 2023): any overdue → special mention (关注), over 90 days → substandard
(次级), over 270 → doubtful (可疑), over 360 → loss (损失). The thresholds are the
least severe class a loan may have; a caller who knows more (a restructured
loan, say) attaches an *override* with
[`BucketScheme.with_override`][microloan.BucketScheme.with_override].
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Final, Literal, Protocol, final, runtime_checkable

import attrs

from microloan._validators import check_items
from microloan.errors import invalid, wrong_type

SchemeName = Literal["m", "us", "five-tier"]
"""The names of the preset bucket schemes."""

NON_PERFORMING: Final = frozenset({"substandard", "doubtful", "loss"})
"""The five-tier labels that make a loan non-performing (不良): substandard + doubtful + loss."""

#: Schemes whose open-ended bucket starts at or below this many days get a lookup table.
_TABLE_LIMIT: Final = 4096


@runtime_checkable
class HasDaysPastDue(Protocol):
    """Anything with a `days_past_due` attribute: a loan position, a line position, a record."""

    @property
    def days_past_due(self) -> int:
        """Whole days past due on the position's date; 0 when nothing is overdue."""
        ...  # pragma: no cover


Override = Callable[[object, str], str | None]
"""A caller's override: `(subject, label_by_days) -> label or None`.

`subject` is what was classified (an `int`, a position, a record) and
`label_by_days` the label its days past due give; return another label of the
same scheme to move the subject there, or `None` to keep the label by days.
"""


def check_days(value: object, field: str = "days_past_due") -> int:
    """Return `value` if it is a whole, non-negative number of days (`field` names it in errors)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(field, value, "a whole number of days (int)")
    if value < 0:
        raise invalid(field, value, "must not be negative")
    return value


@final
@attrs.frozen(kw_only=True)
class Bucket:
    """One inclusive range of days past due, with its label.

    Attributes:
        label: the name reports show (`"M1"`, `"30-59"`, `"substandard"`).
        low: the first day in the range (inclusive).
        high: the last day in the range (inclusive), or `None` for an open-ended last bucket.

    Raises:
        InvalidValueError: `low` is negative, `high` is below `low`, or the label is empty.

    Examples:
        >>> Bucket(label="M1", low=1, high=30).contains(30)
        True
        >>> Bucket(label="M7+", low=181, high=None).contains(10_000)
        True
    """

    label: str
    low: int
    high: int | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label:
            raise invalid("label", self.label, "must be a non-empty str")
        check_days(self.low, "low")
        if self.high is not None:
            check_days(self.high, "high")
            if self.high < self.low:
                raise invalid("high", self.high, f"is below low {self.low}")

    def contains(self, days_past_due: int) -> bool:
        """Whether `days_past_due` falls in this range (both ends inclusive)."""
        return self.low <= days_past_due and (self.high is None or days_past_due <= self.high)


def _check_buckets(_instance: object, _attribute: object, buckets: object) -> None:
    if not isinstance(buckets, tuple) or not buckets:
        raise invalid("buckets", buckets, "must be a non-empty tuple of Bucket")
    for i, bucket in enumerate(buckets):
        if not isinstance(bucket, Bucket):
            raise wrong_type(f"buckets[{i}]", bucket, "a Bucket")
    if buckets[0].low != 0:
        raise invalid("buckets[0].low", buckets[0].low, "must be 0: every loan needs a bucket")
    for i, (this, nxt) in enumerate(itertools.pairwise(buckets)):
        _check_adjacent(i, this, nxt)
    if buckets[-1].high is not None:
        raise invalid(
            f"buckets[{len(buckets) - 1}].high", buckets[-1].high, "must be None (open-ended)"
        )
    labels = [b.label for b in buckets]
    if len(set(labels)) != len(labels):
        raise invalid("buckets", labels, "must have distinct labels")


def _check_adjacent(i: int, this: Bucket, nxt: Bucket) -> None:
    if this.high is None:
        raise invalid(f"buckets[{i}].high", None, "only the last bucket may be open-ended")
    if nxt.low <= this.high:
        raise invalid(
            f"buckets[{i + 1}].low", nxt.low, f"overlaps {this.label!r} (up to {this.high})"
        )
    if nxt.low > this.high + 1:
        raise invalid(
            f"buckets[{i + 1}].low",
            nxt.low,
            f"leaves a gap after {this.label!r}: days {this.high + 1}–{nxt.low - 1} have no bucket",
        )


@final
@attrs.frozen(kw_only=True)
class BucketScheme:
    """An ordered set of day ranges that together cover every number of days past due.

    Build one from [`Bucket`][microloan.Bucket]s (ranges as Apache Fineract
    writes them), from the first day of each bucket with
    [`from_starts`][microloan.BucketScheme.from_starts], or take a preset with
    [`preset`][microloan.BucketScheme.preset]. Buckets are ordered from least to
    most severe; a report lists them in this order.

    Attributes:
        name: a name for reports and error messages.
        buckets: the buckets in order; the first starts at 0, each starts the day
            after the previous ends, and only the last is open-ended.
        override: a caller's hook applied after classification by days (see
            [`Override`][microloan.Override]); `None` for classification by days alone.

    Raises:
        InvalidValueError: a gap, an overlap, a first bucket not starting at 0,
            an open-ended bucket before the last, or a repeated label.

    Examples:
        >>> scheme = BucketScheme(name="weekly", buckets=(
        ...     Bucket(label="current", low=0, high=0),
        ...     Bucket(label="1-7", low=1, high=7),
        ...     Bucket(label="8+", low=8),
        ... ))
        >>> scheme.classify(3), scheme.classify(400)
        ('1-7', '8+')
        >>> BucketScheme(name="gap", buckets=(
        ...     Bucket(label="a", low=0, high=5), Bucket(label="b", low=7),
        ... ))
        Traceback (most recent call last):
        ...
        microloan.InvalidValueError: buckets[1].low: 7 leaves a gap after 'a': days 6–6 have no bucket
    """

    name: str
    buckets: tuple[Bucket, ...] = attrs.field(validator=_check_buckets)
    override: Override | None = attrs.field(default=None, repr=False)
    _table: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise invalid("name", self.name, "must be a non-empty str")
        if self.override is not None and not callable(self.override):
            raise wrong_type("override", self.override, "a callable (subject, label) -> label")
        last = self.buckets[-1].low
        table: tuple[int, ...] = ()
        if last <= _TABLE_LIMIT:
            table = tuple(
                next(i for i, b in enumerate(self.buckets) if b.contains(d)) for d in range(last)
            )
        object.__setattr__(self, "_table", table)

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_starts(cls, name: str, starts: Sequence[tuple[str, int]]) -> BucketScheme:
        """Build a scheme from `(label, first day)` pairs; each bucket ends where the next starts.

        Args:
            name: the scheme's name.
            starts: `(label, first day past due)` in increasing order, the first at day 0.

        Examples:
            >>> s = BucketScheme.from_starts("bi-weekly", [("ok", 0), ("1-14", 1), ("15+", 15)])
            >>> [(b.label, b.low, b.high) for b in s.buckets]
            [('ok', 0, 0), ('1-14', 1, 14), ('15+', 15, None)]
        """
        pairs = check_items("starts", starts, "a sequence of (label, first day) pairs")
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise wrong_type(f"starts[{i}]", pair, "a (label, first day) pair")
        buckets = []
        for i, (label, low) in enumerate(pairs):
            high = None
            if i + 1 < len(pairs):
                nxt = check_days(pairs[i + 1][1], f"starts[{i + 1}]")
                high = nxt - 1
                if high < low:
                    raise invalid(f"starts[{i + 1}]", nxt, f"must be above {low}")
            buckets.append(Bucket(label=label, low=low, high=high))
        return cls(name=name, buckets=tuple(buckets))

    @classmethod
    def preset(cls, name: SchemeName) -> BucketScheme:
        """Return a preset scheme: `"m"`, `"us"` or `"five-tier"` (see the module docs).

        Raises:
            InvalidValueError: `name` is not a preset.

        Examples:
            >>> BucketScheme.preset("us").labels
            ('current', '1-29', '30-59', '60-89', '90-119', '120+')
        """
        try:
            return _PRESETS[name]
        except (KeyError, TypeError):
            raise invalid(
                "scheme", name, f"is not a preset; use one of {sorted(_PRESETS)} or a BucketScheme"
            ) from None

    def with_override(self, override: Override | None) -> BucketScheme:
        """Return this scheme with a caller's override (or without one, given `None`).

        The override sees what was classified and the label by days, and returns
        a label of this scheme or `None` to keep the label by days. Reports call
        it once per record, with the record, so it can look at any attribute.

        Examples:
            >>> def restructured(subject: object, label: str) -> str | None:
            ...     # a restructured loan is at least substandard, whatever its days past due
            ...     if getattr(subject, "restructured", False) and label in ("normal", "special_mention"):
            ...         return "substandard"
            ...     return None
            >>> scheme = BucketScheme.preset("five-tier").with_override(restructured)
            >>> class Position:
            ...     days_past_due = 0
            ...     restructured = True
            >>> scheme.classify(Position()), scheme.classify(0)
            ('substandard', 'normal')
        """
        return attrs.evolve(self, override=override)

    # -- queries ----------------------------------------------------------
    @property
    def labels(self) -> tuple[str, ...]:
        """The bucket labels in order."""
        return tuple(b.label for b in self.buckets)

    def index(self, days_past_due: int) -> int:
        """The position in `buckets` of the bucket that holds `days_past_due` (no override).

        Examples:
            >>> BucketScheme.preset("m").index(31)
            2
        """
        days = check_days(days_past_due)
        return self._index(days)

    def _index(self, days: int) -> int:
        table = self._table
        if days < len(table):
            return table[days]
        if days >= self.buckets[-1].low:
            return len(self.buckets) - 1
        lo, hi = 0, len(self.buckets) - 1  # binary search over bucket starts
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.buckets[mid].low <= days:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _overridden(self, subject: object, index: int) -> int:
        """Apply the override to `subject` whose label by days has `index`; return the final index."""
        if self.override is None:
            return index
        label = self.buckets[index].label
        result = self.override(subject, label)
        if result is None or result == label:
            return index
        try:
            return self.labels.index(result)
        except ValueError:
            raise invalid(
                "override", result, f"is not a label of scheme {self.name!r}: {list(self.labels)}"
            ) from None

    def classify(self, subject: int | HasDaysPastDue) -> str:
        """The label for a number of days past due, or for anything with `days_past_due`.

        Args:
            subject: an `int` of days past due, or an object with a `days_past_due`
                `int` attribute (a loan or line position, a
                [`LoanRecord`][microloan.LoanRecord]).

        Raises:
            InvalidTypeError: the days are not an `int`, or `subject` has no `days_past_due`.
            InvalidValueError: the days are negative, or the override returned an unknown label.

        Examples:
            >>> m = BucketScheme.preset("m")
            >>> [m.classify(d) for d in (0, 1, 30, 31, 180, 181)]
            ['M0', 'M1', 'M1', 'M2', 'M6', 'M7+']
        """
        days = _days_of(subject)
        return self.buckets[self._overridden(subject, self._index(days))].label


def _days_of(subject: object) -> int:
    if isinstance(subject, int) and not isinstance(subject, bool):
        return check_days(subject)
    try:
        days = subject.days_past_due  # type: ignore[attr-defined]
    except AttributeError:
        raise wrong_type(
            "days_past_due", subject, "an int or an object with a days_past_due attribute"
        ) from None
    return check_days(days)


_PRESETS: Final[dict[str, BucketScheme]] = {
    "m": BucketScheme.from_starts(
        "m",
        [
            ("M0", 0),
            ("M1", 1),
            ("M2", 31),
            ("M3", 61),
            ("M4", 91),
            ("M5", 121),
            ("M6", 151),
            ("M7+", 181),
        ],
    ),
    "us": BucketScheme.from_starts(
        "us",
        [("current", 0), ("1-29", 1), ("30-59", 30), ("60-89", 60), ("90-119", 90), ("120+", 120)],
    ),
    "five-tier": BucketScheme.from_starts(
        "five-tier",
        [
            ("normal", 0),
            ("special_mention", 1),
            ("substandard", 91),
            ("doubtful", 271),
            ("loss", 361),
        ],
    ),
}


def resolve_scheme(scheme: SchemeName | BucketScheme) -> BucketScheme:
    """Return `scheme` itself if it is a `BucketScheme`, else the preset of that name."""
    if isinstance(scheme, BucketScheme):
        return scheme
    return BucketScheme.preset(scheme)


def classify(days_past_due: int | HasDaysPastDue, scheme: SchemeName | BucketScheme = "m") -> str:
    """Classify days past due (or a position that has them) under a bucket scheme.

    Args:
        days_past_due: an `int` of days past due, or any object with a
            `days_past_due` `int` attribute (a loan or line position, a record).
        scheme: `"m"` (the default), `"us"`, `"five-tier"`, or a
            [`BucketScheme`][microloan.BucketScheme] (its override, if any, applies).

    Returns:
        The bucket's label.

    Raises:
        InvalidTypeError: the days are not an `int`.
        InvalidValueError: the days are negative, or `scheme` is not a preset name.

    Examples:
        >>> classify(45)
        'M2'
        >>> classify(45, scheme="us")
        '30-59'
        >>> [classify(d, scheme="five-tier") for d in (0, 90, 91, 270, 271, 360, 361)]
        ['normal', 'special_mention', 'substandard', 'substandard', 'doubtful', 'doubtful', 'loss']
    """
    return resolve_scheme(scheme).classify(days_past_due)


def bucket_index(scheme: BucketScheme, days: int) -> int:
    """The index of the bucket holding `days` (already checked), by days alone: a report's hot path."""
    return scheme._index(days)  # noqa: SLF001 - the owning module


def overridden_index(scheme: BucketScheme, subject: object, days: int) -> int:
    """The index of `subject`'s bucket given its checked `days`, after the scheme's override."""
    return scheme._overridden(subject, scheme._index(days))  # noqa: SLF001 - the owning module
