"""Business days: a caller's calendar of holidays and worked weekends, and the rules that move a date.

A [`Calendar`][microloan.Calendar] says which days are business days: Monday to Friday,
less the `holidays`, plus the `workdays` — weekend days that are worked. China's official
calendar needs both: each year the State Council moves working days onto weekends around
the long holidays (调休), so a plain weekday rule is wrong on those days. The library
ships no holiday data; the lender supplies the year's notice.

A [`BusinessDay`][microloan.BusinessDay] rule says where a due date that falls on a
non-business day goes: the ISDA business day conventions (2006 ISDA Definitions,
Section 4.12), as QuantLib's `BusinessDayConvention` implements them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Final, Literal, final

import attrs

from microloan._validators import check_date, check_iterable, check_option
from microloan.errors import invalid, wrong_type

BusinessDay = Literal["following", "preceding", "modified_following", "none"]
"""Where a date that falls on a non-business day moves (the ISDA business day conventions).

`"none"` (default): it stays where it is — the schedule ignores the calendar.
`"following"`: the next business day. `"preceding"`: the business day before.
`"modified_following"`: the next business day, unless that is in the next calendar
month, then the business day before — a month-end date stays in its month. The
definitions are the 2006 ISDA Definitions' (Section 4.12) and QuantLib's
`BusinessDayConvention`; Apache Fineract's `RepaymentRescheduleType` offers `"none"`,
`"following"` and `"preceding"` as "same day", "move to next working day" and "move to
previous working day". Used by the schedule
generators, [`Conventions`][microloan.Conventions], [`LoanProduct`][microloan.LoanProduct],
[`CreditLine.draw`][microloan.CreditLine.draw] and [`Calendar.adjust`][microloan.Calendar.adjust].
"""

#: Monday to Friday are business days unless a holiday (`date.weekday()` 5 and 6 are the weekend).
_SATURDAY: Final = 5
_WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_ONE_DAY: Final = timedelta(days=1)


def _dates(field: str, value: Iterable[date]) -> frozenset[date]:
    """Any iterable of calendar dates (not datetimes) as a frozenset, or an error naming `field`."""
    items = check_iterable(field, value, "an iterable of datetime.date, such as a list")
    return frozenset(check_date(item, field) for item in items)


def _holidays(value: Iterable[date]) -> frozenset[date]:
    """The converter of `Calendar.holidays`."""
    return _dates("holidays", value)


def _workdays(value: Iterable[date]) -> frozenset[date]:
    """The converter of `Calendar.workdays`."""
    return _dates("workdays", value)


@final
@attrs.frozen(kw_only=True, repr=False)
class Calendar:
    """Which days are business days: weekdays, less `holidays`, plus the weekend `workdays`.

    Saturday and Sunday are the weekend. The holidays may include weekend days (a
    notice lists every day off, 10月1日至8日); each workday must be a Saturday or a
    Sunday that is worked (调休上班), and no day may be both. `Calendar()` has no
    holidays: every weekday is a business day.

    Attributes:
        holidays: the dates that are not business days (any iterable of `date`,
            kept as a frozenset).
        workdays: the Saturdays and Sundays that are business days.

    Raises:
        InvalidTypeError: a value that is not an iterable of dates (a `datetime` is refused).
        InvalidValueError: a workday that is not on a weekend, or a date in both sets.

    Examples:
        >>> from datetime import date
        >>> # State Council notice of 2019-11-21 (国办发明电〔2019〕16号): National Day
        >>> # 1 to 8 October 2020 off; Sunday 27 September and Saturday 10 October worked
        >>> national_day = Calendar(
        ...     holidays=[date(2020, 10, d) for d in range(1, 9)],
        ...     workdays=[date(2020, 9, 27), date(2020, 10, 10)],
        ... )
        >>> national_day.is_business_day(date(2020, 10, 10)), national_day.is_business_day(date(2020, 10, 5))
        (True, False)
        >>> national_day.adjust(date(2020, 10, 1), "following")
        datetime.date(2020, 10, 9)
        >>> Calendar(workdays=[date(2020, 10, 9)])
        Traceback (most recent call last):
        ...
        microloan.InvalidValueError: workdays: datetime.date(2020, 10, 9) is a Friday, a business day already; a workday is a Saturday or Sunday that is worked
    """

    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_holidays)
    workdays: frozenset[date] = attrs.field(default=frozenset(), converter=_workdays)

    def __attrs_post_init__(self) -> None:
        for day in sorted(self.workdays):
            if day.weekday() < _SATURDAY:
                raise invalid(
                    "workdays",
                    day,
                    f"is a {_WEEKDAY_NAMES[day.weekday()]}, a business day already; "
                    "a workday is a Saturday or Sunday that is worked",
                )
            if day in self.holidays:
                raise invalid("workdays", day, "is listed in holidays too")

    def __repr__(self) -> str:
        """`Calendar(holidays=[...], workdays=[...])`, the dates in order (it round-trips)."""
        parts = [
            f"{name}={sorted(days)!r}"
            for name, days in (("holidays", self.holidays), ("workdays", self.workdays))
            if days
        ]
        return f"Calendar({', '.join(parts)})"

    def is_business_day(self, day: date) -> bool:
        """Whether `day` is a business day: a worked weekend day, or a weekday not a holiday.

        Args:
            day: a calendar date.

        Raises:
            InvalidTypeError: `day` is not a date (or is a `datetime`).

        Examples:
            >>> from datetime import date
            >>> Calendar().is_business_day(date(2026, 1, 17))  # a Saturday
            False
            >>> Calendar(holidays=[date(2026, 1, 1)]).is_business_day(date(2026, 1, 1))
            False
        """
        check_date(day, "day")
        return self._open(day)

    def _open(self, day: date) -> bool:
        if day.weekday() >= _SATURDAY:
            return day in self.workdays
        return day not in self.holidays

    def adjust(self, day: date, rule: BusinessDay = "following") -> date:
        """`day` moved by `rule` to a business day; a business day stays where it is.

        Args:
            day: a calendar date.
            rule: a [`BusinessDay`][microloan.BusinessDay] rule (default `"following"`);
                `"none"` returns `day` unchanged.

        Returns:
            The adjusted date.

        Raises:
            InvalidTypeError: `day` is not a date.
            InvalidValueError: an unknown rule, or no business day between `day` and
                the end (or start) of the calendar, 9999-12-31 (0001-01-01).

        Examples:
            >>> from datetime import date
            >>> weekends = Calendar()
            >>> saturday = date(2026, 1, 31)
            >>> weekends.adjust(saturday, "following"), weekends.adjust(saturday, "preceding")
            (datetime.date(2026, 2, 2), datetime.date(2026, 1, 30))
            >>> weekends.adjust(saturday, "modified_following")  # stays in January
            datetime.date(2026, 1, 30)
        """
        check_date(day, "day")
        check_option("rule", rule, BusinessDay)
        if rule == "none" or self._open(day):
            return day
        if rule == "preceding":
            return self._step(day, -1)
        following = self._step(day, 1)
        if rule == "modified_following" and following.month != day.month:
            return self._step(day, -1)
        return following

    def _step(self, day: date, direction: int) -> date:
        """The first business day from `day` in `direction` (+1 later, -1 earlier)."""
        step = _ONE_DAY if direction > 0 else -_ONE_DAY
        current = day
        try:
            while True:
                current += step
                if self._open(current):
                    return current
        except OverflowError:
            end = date.max if direction > 0 else date.min
            raise invalid(
                "day",
                day,
                f"has no business day {'after' if direction > 0 else 'before'} it "
                f"up to {end.isoformat()}",
            ) from None

    def add_business_days(self, day: date, days: int) -> date:
        """The date `days` business days after `day` (before it, for a negative count): T+n.

        Counting starts from `day` whatever it is, as QuantLib's `Calendar::advance` in
        days does: T+1 from a Friday is the next Monday, and from a Saturday too.
        `days=0` returns `day` moved to the following business day.

        Args:
            day: a calendar date.
            days: the business days to move, an int (negative: backwards).

        Raises:
            InvalidTypeError: `day` is not a date or `days` is not an int.
            InvalidValueError: the count runs past the end of the calendar.

        Examples:
            >>> from datetime import date
            >>> Calendar().add_business_days(date(2026, 1, 16), 1)  # Friday T+1
            datetime.date(2026, 1, 19)
            >>> Calendar().add_business_days(date(2026, 1, 19), -1)
            datetime.date(2026, 1, 16)
        """
        check_date(day, "day")
        if isinstance(days, bool) or not isinstance(days, int):
            raise wrong_type("days", days, "an int")
        if days == 0:
            return self.adjust(day, "following")
        direction = 1 if days > 0 else -1
        room = (date.max - day).days if days > 0 else (day - date.min).days
        if abs(days) > room:  # each business day is a day at least
            raise invalid("days", days, f"business days from {day.isoformat()} leave the calendar")
        current = day
        for _ in range(abs(days)):
            current = self._step(current, direction)
        return current

    def business_days_between(self, start: date, end: date) -> int:
        """The business days from `start` (counted) to `end` (not counted); negative if reversed.

        Args:
            start: the first date, counted if it is a business day.
            end: the last date, not counted.

        Raises:
            InvalidTypeError: a date is not a date.

        Examples:
            >>> from datetime import date
            >>> Calendar().business_days_between(date(2026, 1, 12), date(2026, 1, 19))  # a week
            5
        """
        check_date(start, "start")
        check_date(end, "end")
        if end < start:
            return -self.business_days_between(end, start)
        span = (end - start).days
        weeks, rest = divmod(span, 7)
        count = 5 * weeks  # a whole week holds five weekdays
        first = start.weekday()
        count += sum(1 for k in range(rest) if (first + k) % 7 < _SATURDAY)
        count -= sum(1 for d in self.holidays if start <= d < end and d.weekday() < _SATURDAY)
        count += sum(1 for d in self.workdays if start <= d < end)
        return count
