"""The operations side of the analyst's work: funnels, daily disbursement and repeat borrowing.

- A [`Funnel`][microloan.Funnel] is ordered stage counts (impressions → visitors →
  sign-ups → applications → approvals → disbursements) with the conversion of each step
  and overall; funnels of the same stages add up (``a + b``) and
  [`compare_funnels`][microloan.compare_funnels] sets channels side by side.
- [`disbursement_rate_by_day`][microloan.disbursement_rate_by_day]: per day, the share
  of applicants (new users by default) who were paid out.
- [`repeat_borrowing`][microloan.repeat_borrowing]: the repeat-borrowing rate (复借率)
  as the lender's case defines it — of the users who borrowed on day ``d``, the share
  who borrow again on day ``d + 1`` — with the window a parameter.

Rates are ``Decimal`` fractions computed in the library's context; a rate whose
denominator is zero is ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, final

import attrs

from microloan._decimal import in_context, in_context_methods
from microloan._validators import (
    check_mapping,
    check_option,
    count_field,
    date_field,
    decimal_field,
    dict_field,
    fraction_field,
    natural_field,
    one_of,
    tuple_field,
    typed_field,
)
from microloan.analytics._data import (
    Count,
    add,
    column,
    count_value,
    ratio,
    same_length,
    sub,
)
from microloan.errors import invalid, wrong_type
from microloan.portfolio._frames import (
    ColumnKind,
    FrameLike,
    FrameRows,
    distinct_columns,
    is_frame,
)

Segment = Literal["new", "returning", "all"]
"""Which users a daily figure covers: new users (default), returning users, or everyone."""


# ---------------------------------------------------------------------------- funnel


def _stages(stages: object) -> tuple[tuple[str, Count], ...]:
    items = stages.items() if isinstance(stages, Mapping) else stages
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise wrong_type("stages", stages, "a mapping or pairs of stage name and count")
    out: list[tuple[str, Count]] = []
    for position, item in enumerate(items):
        try:
            name, count = item
        except (TypeError, ValueError):
            raise wrong_type(f"stages[{position}]", item, "a (name, count) pair") from None
        if not isinstance(name, str):
            raise wrong_type(f"stages[{position}]", name, "a stage name (str)")
        out.append((name, count_value(count, f"stages[{name!r}]")))
    names = [n for n, _ in out]
    if not out:
        raise invalid("stages", stages, "is empty")
    if len(set(names)) != len(names):
        raise invalid("stages", names, "names a stage twice")
    return tuple(out)


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class FunnelStep:
    """One stage of a [`Funnel`][microloan.Funnel].

    Attributes:
        name: the stage.
        count: how many reached it.
        step_rate: ``count / previous stage's count`` (``None`` for the first stage, or
            when the previous count is 0).
        overall_rate: ``count / first stage's count`` (``None`` when that is 0).
        lost: how many of the previous stage did not reach this one (0 for the first).
    """

    name: str = attrs.field(validator=typed_field(str, "a str"))
    count: Count = attrs.field(validator=count_field)
    step_rate: Decimal | None = attrs.field(validator=decimal_field(low=0, optional=True))
    overall_rate: Decimal | None = attrs.field(validator=decimal_field(low=0, optional=True))
    lost: Count = attrs.field(validator=typed_field((int, Decimal), "an int or Decimal count"))


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class Funnel(FrameRows):
    """Ordered stage counts with step and overall conversion.

    Attributes:
        stages: ``(name, count)`` pairs in funnel order.

    Examples:
        >>> f = funnel({"visitors": 1000, "sign-ups": 40, "applications": 30, "loans": 12})
        >>> [(s.name, s.step_rate) for s in f.steps]
        [('visitors', None), ('sign-ups', Decimal('0.04')), ('applications', Decimal('0.75')), ('loans', Decimal('0.4'))]
        >>> f.overall_rate, f.weakest_step.name
        (Decimal('0.012'), 'sign-ups')
    """

    stages: tuple[tuple[str, Count], ...] = attrs.field(converter=_stages)

    @property
    def names(self) -> tuple[str, ...]:
        """The stage names in order."""
        return tuple(name for name, _ in self.stages)

    @property
    def steps(self) -> tuple[FunnelStep, ...]:
        """Each stage with its step and overall conversion."""
        first = self.stages[0][1]
        out = []
        previous: Count | None = None
        for name, count in self.stages:
            out.append(
                FunnelStep(
                    name=name,
                    count=count,
                    step_rate=None if previous is None else ratio(count, previous),
                    overall_rate=ratio(count, first),
                    lost=0 if previous is None else sub(previous, count),
                )
            )
            previous = count
        return tuple(out)

    @property
    def overall_rate(self) -> Decimal | None:
        """Last stage over first stage."""
        return ratio(self.stages[-1][1], self.stages[0][1])

    @property
    def weakest_step(self) -> FunnelStep:
        """The step (after the first stage) with the lowest conversion; the first on a tie.

        Raises:
            InvalidValueError: the funnel has a single stage or no defined step rate.
        """
        candidates = [s for s in self.steps[1:] if s.step_rate is not None]
        if not candidates:
            raise invalid("stages", self.names, "have no step with a conversion rate")
        return min(candidates, key=lambda s: s.step_rate)  # type: ignore[arg-type,return-value]

    def __add__(self, other: object) -> Funnel:
        if not isinstance(other, Funnel):
            return NotImplemented
        if other.names != self.names:
            raise invalid("other", other.names, f"has other stages than {self.names}")
        return Funnel(
            stages=[
                (name, add(a, b))
                for (name, a), (_, b) in zip(self.stages, other.stages, strict=True)
            ]
        )

    def as_rows(self) -> list[dict[str, Any]]:
        """The steps as plain dicts."""
        return [attrs.asdict(step) for step in self.steps]


@in_context
def funnel(stages: Mapping[str, Count] | Iterable[tuple[str, Count]]) -> Funnel:
    """A funnel from ordered stage counts (a dict keeps its insertion order).

    Args:
        stages: stage name → count, in funnel order, or ``(name, count)`` pairs.

    Returns:
        The [`Funnel`][microloan.Funnel].

    Raises:
        InvalidValueError: no stages, a stage named twice, or a negative count.
    """
    return Funnel(stages=stages)


@final
@in_context_methods
@attrs.frozen(kw_only=True, hash=False)
class FunnelComparison(FrameRows):
    """Funnels of several channels over the same stages, side by side.

    Attributes:
        channels: channel name → funnel, all with the same stages.

    Examples:
        >>> cmp = compare_funnels({
        ...     "search": {"visitors": 800, "sign-ups": 48, "loans": 20},
        ...     "ads": {"visitors": 1200, "sign-ups": 24, "loans": 12},
        ... })
        >>> [(r["stage"], r["search step_rate"], r["ads step_rate"]) for r in cmp.as_rows()][1]
        ('sign-ups', Decimal('0.06'), Decimal('0.02'))
        >>> cmp.total.stages
        (('visitors', 2000), ('sign-ups', 72), ('loans', 32))
    """

    channels: dict[str, Funnel] = attrs.field(validator=dict_field(Funnel, "a Funnel"))

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The common stage names."""
        return next(iter(self.channels.values())).names

    @property
    def total(self) -> Funnel:
        """All channels added up."""
        funnels = list(self.channels.values())
        result = funnels[0]
        for f in funnels[1:]:
            result += f
        return result

    def as_rows(self) -> list[dict[str, Any]]:
        """One dict per stage: each channel's count, step rate and overall rate."""
        rows: list[dict[str, Any]] = [{"stage": name} for name in self.stage_names]
        for channel, f in self.channels.items():
            for row, step in zip(rows, f.steps, strict=True):
                row[f"{channel} count"] = step.count
                row[f"{channel} step_rate"] = step.step_rate
                row[f"{channel} overall_rate"] = step.overall_rate
        return rows


@in_context
def compare_funnels(
    channels: Mapping[str, Funnel | Mapping[str, Count] | Iterable[tuple[str, Count]]],
) -> FunnelComparison:
    """Set the funnels of several channels side by side (same stages, same order).

    Args:
        channels: channel name → a [`Funnel`][microloan.Funnel] or its stage counts.

    Returns:
        The [`FunnelComparison`][microloan.FunnelComparison].

    Raises:
        InvalidValueError: no channels, or channels whose stages differ.
    """
    check_mapping("channels", channels, "a mapping of channel name to funnel")
    if not channels:
        raise invalid("channels", channels, "is empty")
    funnels = {
        str(name): f if isinstance(f, Funnel) else Funnel(stages=f) for name, f in channels.items()
    }
    names = next(iter(funnels.values())).names
    for name, f in funnels.items():
        if f.names != names:
            raise invalid(f"channels[{name!r}]", f.names, f"has other stages than {names}")
    return FunnelComparison(channels=funnels)


# ---------------------------------------------------------------------------- daily records


def _day(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise wrong_type(field, value, "a date")


def _days(days: Iterable[Any]) -> list[date]:
    return [_day(d, f"days[{i}]") for i, d in enumerate(column(days, "days"))]


def _required(data: Iterable[Any] | None, field: str) -> Iterable[Any]:
    if data is None:
        raise invalid(field, None, "is required with columns of data (or pass a DataFrame)")
    return data


def frame_columns(columns: Mapping[str, str] | None, *given: object) -> Mapping[str, str] | None:
    """The `columns=` of a frame input, whose other column arguments must be left out."""
    if any(data is not None for data in given):
        raise invalid("users", "<given>", "must be omitted with a DataFrame: name its columns")
    return columns


def _flags(flags: Iterable[Any], field: str) -> list[bool]:
    out = []
    for position, flag in enumerate(column(flags, field)):
        if flag is True or flag is False or (type(flag) is int and flag in (0, 1)):
            out.append(bool(flag))
            continue
        raise invalid(f"{field}[{position}]", flag, "is not a flag; use 0/1 or False/True")
    return out


def _new_flags(
    is_new: Iterable[Any] | None, day_list: Sequence[date], option: tuple[str, Segment]
) -> list[bool]:
    """The is-new flag of each record; without flags everyone counts, for the "all" option."""
    if is_new is None:
        if option[1] != "all":
            raise invalid("is_new", None, f"is needed for {option[0]}={option[1]!r}")
        return [True] * len(day_list)
    new = _flags(is_new, "is_new")
    same_length(day_list, new, ("days", "is_new"))
    return new


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class DailyRate:
    """The disbursement rate of one day.

    Attributes:
        day: the day.
        applicants: distinct users of the segment who applied that day.
        borrowers: distinct users of the segment who were paid out that day.
        rate: ``borrowers / applicants`` (``None`` when nobody applied).
    """

    day: date = attrs.field(validator=date_field)
    applicants: int = attrs.field(validator=natural_field)
    borrowers: int = attrs.field(validator=natural_field)
    rate: Decimal | None = attrs.field(validator=fraction_field(optional=True))


@in_context
def disbursement_rate_by_day(
    days: Iterable[Any] | FrameLike,
    users: Iterable[Any] | None = None,
    disbursed: Iterable[Any] | None = None,
    *,
    is_new: Iterable[Any] | None = None,
    segment: Segment = "new",
    columns: Mapping[str, str] | None = None,
) -> tuple[DailyRate, ...]:
    """Per day, the share of applicants who were paid out (新用户放贷率 for new users).

    One record per application: its day, the user, whether it was disbursed and (for
    the new/returning split) whether the user was new. Users are counted once per day.

    Args:
        days: the application day of each record (dates; datetimes are cut to the day),
            or a DataFrame (the `microloan[frames]` extra) with columns `days`, `users`,
            `disbursed` and (unless ``segment="all"``) `is_new`; its engine groups
            the distinct (day, user, flags) rows, which give the same rates.
        users: the user of each record (any hashable id).
        disbursed: 1/True when the application was paid out.
        is_new: 1/True when the user was new; required unless ``segment="all"``.
        segment: `"new"` (default), `"returning"` or `"all"`.
        columns: for a frame, the column of each argument not named as the argument.

    Returns:
        One [`DailyRate`][microloan.DailyRate] per day with applicants, in day order.

    Raises:
        InvalidValueError: columns of different lengths, a flag not 0/1, or a segment
            without `is_new`.

    Examples:
        >>> from datetime import date
        >>> d1, d2 = date(2019, 5, 1), date(2019, 5, 2)
        >>> rates = disbursement_rate_by_day(
        ...     [d1, d1, d1, d2], ["a", "b", "c", "d"], [1, 0, 1, 1], is_new=[1, 1, 0, 1])
        >>> [(r.day.isoformat(), r.applicants, r.borrowers, r.rate) for r in rates]
        [('2019-05-01', 2, 1, Decimal('0.5')), ('2019-05-02', 1, 1, Decimal('1'))]
    """
    check_option("segment", segment, Segment, reason=one_of(Segment))
    if is_frame(days):  # stage 1 in the engine: the distinct rows
        spec: dict[str, ColumnKind] = {"days": "day", "users": "value", "disbursed": "flag"}
        if segment != "all":
            spec["is_new"] = "flag"
        found = distinct_columns(days, spec, frame_columns(columns, users, disbursed, is_new))
        days, users, disbursed = found["days"], found["users"], found["disbursed"]
        is_new = found.get("is_new")
    elif columns is not None:
        raise invalid("columns", columns, "applies to a DataFrame input only")
    day_list = _days(days)  # type: ignore[arg-type]
    user_list = column(_required(users, "users"), "users")
    paid = _flags(_required(disbursed, "disbursed"), "disbursed")
    same_length(day_list, user_list, ("days", "users"))
    same_length(day_list, paid, ("days", "disbursed"))
    new = _new_flags(is_new, day_list, ("segment", segment))
    applied: dict[date, set[Any]] = {}
    borrowed: dict[date, set[Any]] = {}
    for day, user, was_paid, was_new in zip(day_list, user_list, paid, new, strict=True):
        if segment == "returning" and was_new:
            continue
        if segment == "new" and not was_new:
            continue
        applied.setdefault(day, set()).add(user)
        if was_paid:
            borrowed.setdefault(day, set()).add(user)
    return tuple(
        DailyRate(
            day=day,
            applicants=len(applied[day]),
            borrowers=len(borrowed.get(day, ())),
            rate=ratio(len(borrowed.get(day, ())), len(applied[day])),
        )
        for day in sorted(applied)
    )


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class RepeatDay:
    """The repeat-borrowing figures of one base day.

    Attributes:
        day: the day the base users borrowed.
        borrowers: distinct base users who borrowed that day.
        repeat: of them, those who borrow again within the window after it.
        rate: ``repeat / borrowers``.
        complete: whether the whole window lies within the data (the last days' windows
            run past the end, so their rates are not comparable and are left out of
            the overall rate).
    """

    day: date = attrs.field(validator=date_field)
    borrowers: int = attrs.field(validator=natural_field)
    repeat: int = attrs.field(validator=natural_field)
    rate: Decimal | None = attrs.field(validator=fraction_field(optional=True))
    complete: bool = attrs.field(validator=typed_field(bool, "a bool"))


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class RepeatBorrowing:
    """The repeat-borrowing rate (复借率) per day and overall.

    Attributes:
        days: one [`RepeatDay`][microloan.RepeatDay] per day with base borrowers.
        window: how many days after the base day count as borrowing again (1: the next day).
        borrowers: base borrowers over the complete days.
        repeat: of them, those who borrowed again.
        rate: ``repeat / borrowers`` over the complete days (``None`` if there are none).
    """

    days: tuple[RepeatDay, ...] = attrs.field(validator=tuple_field(RepeatDay, "a RepeatDay"))
    window: int = attrs.field(validator=natural_field)
    borrowers: int = attrs.field(validator=natural_field)
    repeat: int = attrs.field(validator=natural_field)
    rate: Decimal | None = attrs.field(validator=fraction_field(optional=True))


@in_context
def repeat_borrowing(
    days: Iterable[Any] | FrameLike,
    users: Iterable[Any] | None = None,
    *,
    window: int = 1,
    is_new: Iterable[Any] | None = None,
    base: Segment = "all",
    columns: Mapping[str, str] | None = None,
) -> RepeatBorrowing:
    """Of the users who borrowed on day d, the share who borrow again within `window` days.

    The lender's case defines 复借率 as ``window=1``: users paid out on day ``d`` who
    borrow again on day ``d + 1``. The case takes the base from the *new* users paid out
    on ``d`` (``base="new"`` with `is_new`); any later loan counts as a repeat. A day
    whose window runs past the last day of the data is marked incomplete and left out of
    the overall rate.

    Args:
        days: the day of each loan (disbursement) record, or a DataFrame (the
            `microloan[frames]` extra) with columns `days`, `users` and (for a base
            other than `"all"`) `is_new`; its engine groups the distinct rows.
        users: the user of each record.
        window: days after ``d`` that count (``d + 1 … d + window``), at least 1.
        is_new: 1/True when the record's user was new (needed for ``base="new"`` or
            ``"returning"``).
        base: whose day-``d`` loans form the base: `"all"` (default), `"new"` or
            `"returning"`.
        columns: for a frame, the column of each argument not named as the argument.

    Returns:
        The [`RepeatBorrowing`][microloan.RepeatBorrowing].

    Raises:
        InvalidValueError: `window` below 1, columns of different lengths, a base
            without `is_new`.

    Examples:
        >>> from datetime import date
        >>> d = [date(2019, 5, 1)] * 4 + [date(2019, 5, 2)] * 2 + [date(2019, 5, 3)]
        >>> u = ["a", "b", "c", "d", "a", "c", "a"]
        >>> result = repeat_borrowing(d, u)
        >>> [(r.day.day, r.borrowers, r.repeat, r.rate, r.complete) for r in result.days]
        [(1, 4, 2, Decimal('0.5'), True), (2, 2, 1, Decimal('0.5'), True), (3, 1, 0, Decimal('0'), False)]
        >>> result.rate
        Decimal('0.5')
    """
    if isinstance(window, bool) or not isinstance(window, int):
        raise wrong_type("window", window, "a number of days (int)")
    if window < 1:
        raise invalid("window", window, "must be at least 1 day")
    check_option("base", base, Segment, reason=one_of(Segment))
    if is_frame(days):  # stage 1 in the engine: the distinct rows
        spec: dict[str, ColumnKind] = {"days": "day", "users": "value"}
        if base != "all":
            spec["is_new"] = "flag"
        found = distinct_columns(days, spec, frame_columns(columns, users, is_new))
        days, users, is_new = found["days"], found["users"], found.get("is_new")
    elif columns is not None:
        raise invalid("columns", columns, "applies to a DataFrame input only")
    day_list = _days(days)  # type: ignore[arg-type]
    user_list = column(_required(users, "users"), "users")
    same_length(day_list, user_list, ("days", "users"))
    new = _new_flags(is_new, day_list, ("base", base))
    borrowed_on: dict[Any, set[date]] = {}
    base_users: dict[date, set[Any]] = {}
    for day, user, was_new in zip(day_list, user_list, new, strict=True):
        borrowed_on.setdefault(user, set()).add(day)
        if base == "all" or (base == "new") == was_new:
            base_users.setdefault(day, set()).add(user)
    if not day_list:
        return RepeatBorrowing(days=(), window=window, borrowers=0, repeat=0, rate=None)
    last = max(day_list)
    steps = [timedelta(days=k) for k in range(1, window + 1)]
    rows = []
    for day in sorted(base_users):
        group = base_users[day]
        again = sum(1 for u in group if any(day + s in borrowed_on[u] for s in steps))
        rows.append(
            RepeatDay(
                day=day,
                borrowers=len(group),
                repeat=again,
                rate=ratio(again, len(group)),
                complete=day + steps[-1] <= last,
            )
        )
    complete = [r for r in rows if r.complete]
    borrowers = sum(r.borrowers for r in complete)
    repeat = sum(r.repeat for r in complete)
    return RepeatBorrowing(
        days=tuple(rows),
        window=window,
        borrowers=borrowers,
        repeat=repeat,
        rate=ratio(repeat, borrowers),
    )
