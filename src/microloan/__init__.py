"""microloan: exact, typed domain objects for online micro-lending.

Everything public is importable from here; see the API reference for each name.

Examples:
    >>> from microloan import Money, Rate
    >>> Money("7600") * Rate.daily("0.05%").per_day() * 123
    Money('467.4000', 'CNY')
"""

from microloan._version import __version__
from microloan.daycount import (
    DayCount,
    add_months,
    day_count,
    days_in_year,
    month_end,
    year_fraction,
)
from microloan.errors import (
    ConvergenceError,
    CurrencyMismatchError,
    InvalidTypeError,
    InvalidValueError,
    MicroloanError,
)
from microloan.interest import daily_interest
from microloan.money import CURRENCY_MINOR_UNITS, Money, RoundingMode, minor_unit_places
from microloan.rates import DaysInYear, Rate, RateUnit
from microloan.schedules import Accrual, Frequency, Installment, Method, Schedule

__all__ = [
    # errors
    "ConvergenceError",
    "CurrencyMismatchError",
    "InvalidTypeError",
    "InvalidValueError",
    "MicroloanError",
    # money
    "CURRENCY_MINOR_UNITS",
    "Money",
    "RoundingMode",
    "minor_unit_places",
    # rates
    "DaysInYear",
    "Rate",
    "RateUnit",
    # day counts and dates
    "DayCount",
    "add_months",
    "day_count",
    "days_in_year",
    "month_end",
    "year_fraction",
    # interest
    "daily_interest",
    # schedules
    "Accrual",
    "Frequency",
    "Installment",
    "Method",
    "Schedule",
    # version
    "__version__",
]
