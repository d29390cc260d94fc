"""Interest rates kept exactly as quoted, with their unit.

A Chinese borrower reads 万分之五 (5‱) a day, a bank quotes 18% a year, an
installment offer says 1.5% a month. [`Rate`][microloan.Rate] keeps the figure
and its unit exactly as quoted and converts on request, following the PBoC
notice on deposit and loan interest (银发〔2005〕129号): monthly = annual / 12,
daily = annual / 360 = monthly / 30. Lenders may contract on 365 days (or the
actual 365/366) instead, so every conversion takes `days_in_year`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal, final

import attrs

from microloan._decimal import CONTEXT, to_decimal
from microloan._validators import check_days_in_year, check_option
from microloan.daycount import days_in_year as _calendar_days
from microloan.errors import invalid, wrong_type

RateUnit = Literal["annual", "monthly", "daily"]
"""The unit a rate is quoted in."""

DaysInYear = Literal[360, 365, "actual"]
"""How many days a year has for a daily rate: 360 (PBoC), 365, or the actual 365/366."""

_SUFFIXES: Final = (("%", 2), ("‰", 3), ("‱", 4))
_PER_YEAR: Final = {"annual": Decimal(1), "monthly": Decimal(12)}
#: A rate above 1,000% a year (on 360 days) is taken for a typing mistake.
_MAX_PER_YEAR: Final = Decimal(10)
_ARTICLE: Final = {"annual": "an", "monthly": "a", "daily": "a"}


def parse_fraction(value: object, field: str) -> Decimal:
    """A fraction written as a `Decimal`, an int or text, `"18%"`, `"1.5‰"` or `"5‱"` too.

    The grammar of a rate's figure (internal API of the lending core, not exported): a
    fee's rate reads the same way. A bad value is refused naming `field`.
    """
    if isinstance(value, str):
        text = value.strip()
        for suffix, places in _SUFFIXES:
            if text.endswith(suffix):
                number = to_decimal(text[: -len(suffix)], field)
                return number.scaleb(-places, CONTEXT)
    return to_decimal(value, field)


def _check_days(days_in_year: object, year: int | None) -> Decimal:
    checked = check_days_in_year(days_in_year)
    if checked != "actual":
        return Decimal(checked)
    if year is None:
        raise invalid("year", year, 'must be given with days_in_year="actual"')
    return Decimal(_calendar_days(year))


def _value(value: object) -> Decimal:
    """The converter of `Rate.value`: the named constructors' grammar, whichever way it is built."""
    return parse_fraction(value, "rate")


def _check_value(instance: Rate, _attribute: object, value: Decimal) -> None:
    unit = _check_unit(instance.unit)
    if value < 0:
        raise invalid("rate", value, "must not be negative")
    # every unit has at least one period a year: a fraction over the bound is refused
    # before it is converted (a rate of 1e999999 would overflow the conversion)
    if (
        value > _MAX_PER_YEAR
        or CONTEXT.multiply(value, _PER_YEAR.get(unit, Decimal(360))) > _MAX_PER_YEAR
    ):
        raise invalid(
            "rate",
            value,
            f"is over 1,000% a year as {_ARTICLE[unit]} {unit} fraction; "
            "write percentages with a sign, e.g. '18%'",
        )


def _check_unit(unit: object) -> RateUnit:
    return check_option(  # type: ignore[no-any-return]
        "unit", unit, RateUnit, reason='must be "annual", "monthly" or "daily"'
    )


@final
@attrs.frozen(repr=False)
class Rate:
    """An interest rate as quoted: a non-negative fraction and its unit.

    Build one with the named constructors, which accept a `Decimal` or `int`
    fraction (`Decimal("0.18")`), or a string that is a fraction (`"0.18"`),
    percent (`"18%"`), per mille (`"1.5‰"`) or per ten thousand (`"5‱"`).
    `Rate(value=..., unit=...)` takes the same values and checks them the same way.

    Attributes:
        value: the rate as a fraction per unit (`Decimal("0.18")` for 18%).
        unit: `"annual"`, `"monthly"` or `"daily"`.

    Raises:
        InvalidValueError: a negative rate, an unknown unit, or a rate above
            1,000% a year (almost always "18" meant as "18%").
        InvalidTypeError: a value that is not a `Decimal`, `int` or `str` (a float, say).

    Examples:
        >>> Rate.daily("5‱")
        Rate.daily('0.05%')
        >>> Rate.daily("0.05%").per_year()
        Decimal('0.1800')
        >>> Rate.daily("0.05%").per_year(days_in_year=365)
        Decimal('0.1825')
        >>> Rate.annual("18%").per_month()
        Decimal('0.015')
    """

    value: Decimal = attrs.field(converter=_value, validator=_check_value)
    unit: RateUnit = attrs.field()

    @classmethod
    def annual(cls, value: str | Decimal | int) -> Rate:
        """A rate quoted per year (年利率), e.g. `Rate.annual("18%")`."""
        return cls(value=parse_fraction(value, "rate"), unit="annual")

    @classmethod
    def monthly(cls, value: str | Decimal | int) -> Rate:
        """A rate quoted per month (月利率), e.g. `Rate.monthly("1.5%")`."""
        return cls(value=parse_fraction(value, "rate"), unit="monthly")

    @classmethod
    def daily(cls, value: str | Decimal | int) -> Rate:
        """A rate quoted per day (日利率), e.g. `Rate.daily("5‱")`."""
        return cls(value=parse_fraction(value, "rate"), unit="daily")

    def per_year(self, days_in_year: DaysInYear = 360, *, year: int | None = None) -> Decimal:
        """The rate per year as a fraction.

        Args:
            days_in_year: for a daily rate, the days a year has: 360 (PBoC, default),
                365, or `"actual"` (365 or 366, by `year`). Ignored for other units.
            year: the calendar year, needed with `"actual"`.

        Examples:
            >>> Rate.monthly("1.5%").per_year()
            Decimal('0.180')
            >>> Rate.daily("0.05%").per_year("actual", year=2024)
            Decimal('0.1830')
        """
        if self.unit == "daily":
            return CONTEXT.multiply(self.value, _check_days(days_in_year, year))
        return CONTEXT.multiply(self.value, _PER_YEAR[self.unit])

    def per_month(self, days_in_year: DaysInYear = 360, *, year: int | None = None) -> Decimal:
        """The rate per month as a fraction: annual / 12, or daily × days-in-year / 12.

        Examples:
            >>> Rate.annual("21%").per_month()
            Decimal('0.0175')
            >>> Rate.daily("0.05%").per_month()
            Decimal('0.0150')
        """
        if self.unit == "monthly":
            return self.value
        return CONTEXT.divide(self.per_year(days_in_year, year=year), Decimal(12))

    def per_day(self, days_in_year: DaysInYear = 360, *, year: int | None = None) -> Decimal:
        """The rate per day as a fraction: annual / days-in-year.

        Args:
            days_in_year: 360 (PBoC, default), 365, or `"actual"` (365 or 366, by `year`).
            year: the calendar year, needed with `"actual"`.

        Examples:
            >>> Rate.annual("18%").per_day()
            Decimal('0.0005')
            >>> Rate.annual("18.25%").per_day(365)
            Decimal('0.0005')
        """
        if self.unit == "daily":
            return self.value
        return CONTEXT.divide(self.per_year(), _check_days(days_in_year, year))

    def scaled(self, factor: int | Decimal | str) -> Rate:
        """The same kind of rate multiplied by `factor` (a penalty rate of 1.5×, say).

        Examples:
            >>> Rate.daily("0.05%").scaled("1.5")
            Rate.daily('0.075%')
        """
        multiplier = to_decimal(factor, "factor")
        if multiplier < 0:
            raise invalid("factor", factor, "must not be negative")
        if self.value and multiplier and self.value.adjusted() + multiplier.adjusted() >= 1:
            # the product is 10 or more: over the bound in any unit, refused before it overflows
            raise invalid("factor", factor, f"takes {self!r} over 1,000% a year")
        return Rate(value=CONTEXT.multiply(self.value, multiplier), unit=self.unit)

    @property
    def percent(self) -> Decimal:
        """The quoted figure in percent (`Decimal('18')` for 18%)."""
        return self.value.scaleb(2, CONTEXT)

    def __repr__(self) -> str:
        return f"Rate.{self.unit}('{_percent_text(self.value)}%')"

    def __str__(self) -> str:
        per = {"annual": "a year", "monthly": "a month", "daily": "a day"}[self.unit]
        return f"{_percent_text(self.value)}% {per}"


def _percent_text(value: Decimal) -> str:
    return f"{value.scaleb(2, CONTEXT).normalize(CONTEXT):f}"


def rate_argument(value: object, field: str = "rate") -> Rate:
    """Check that `value` is a [`Rate`][microloan.Rate] (for functions taking one)."""
    if not isinstance(value, Rate):
        raise wrong_type(field, value, "a Rate, e.g. Rate.annual('18%')")
    return value
