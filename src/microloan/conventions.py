"""Conventions: one lender's way of building schedules, as one immutable bundle.

A [`Conventions`][microloan.Conventions] holds every schedule convention on which
lenders differ — the rounding mode, the accrual, the days in the year, the interest
basis, the split, the residual, the day count and the business-day rule (with the
calendar it moves due dates on). Pass it as `conventions=` to a
schedule generator, [`Loan.open_ended`][microloan.Loan.open_ended],
[`CreditLine.draw`][microloan.CreditLine.draw] or a
[`LoanProduct`][microloan.LoanProduct]; a keyword option given explicitly beside it
wins. The presets name the conventions of well-known systems; each is proven
against a published table of that system in `tests/test_conventions.py`.
"""

from __future__ import annotations

from typing import Any, Final, final

import attrs

from microloan._decimal import RoundingMode
from microloan._validators import check_days_in_year, check_option, option
from microloan.business_days import BusinessDay, Calendar
from microloan.daycount import DayCount
from microloan.errors import wrong_type
from microloan.rates import DaysInYear
from microloan.schedules import Accrual, InterestBasis, Residual, Split


def _day_count(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_option(attribute.name, value, DayCount)


def _calendar(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Calendar):
        raise wrong_type(attribute.name, value, "a Calendar or None")


def _days_in_year(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    check_days_in_year(value)


@final
@attrs.frozen(kw_only=True)
class Conventions:
    """The schedule conventions of one lender, passed whole as `conventions=`.

    Every field defaults to the library's default, so `Conventions()` changes
    nothing and `Conventions(rounding="half_even")` only the rounding. An option
    passed explicitly to a generator beside `conventions=` overrides the bundle's.

    Attributes:
        rounding: the [`RoundingMode`][microloan.RoundingMode] of every component
            (default `"half_up"`).
        accrual: the [`Accrual`][microloan.Accrual] (default `"period"`).
        days_in_year: 360 (default), 365 or `"actual"`.
        interest_basis: the [`InterestBasis`][microloan.InterestBasis] of equal
            installments (default `"rounded"`).
        split: the [`Split`][microloan.Split] of equal installments (default
            `"interest_first"`).
        residual: the [`Residual`][microloan.Residual] of equal installments
            (default `"last"`).
        day_count: the [`DayCount`][microloan.DayCount] that measures periods, or
            `None` (default) for actual days over `days_in_year`.
        business_day: the [`BusinessDay`][microloan.BusinessDay] rule for a due date
            on a non-business day (default `"none"`: due dates do not move).
        calendar: the [`Calendar`][microloan.Calendar] the due dates move on (default
            `None`: Saturday and Sunday off, no holidays).

    Raises:
        InvalidValueError: a value outside its option's choices.

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate, equal_installment
        >>> plan = equal_installment(Money("1000000"), rate=Rate.annual("4.9%"), term=360,
        ...                          start=date(2026, 1, 15), conventions=Conventions.cn_bank())
        >>> plan.installments[0].total, plan.installments[-1].total, plan.total_interest
        (Money('5307.27', 'CNY'), Money('5305.19', 'CNY'), Money('910615.12', 'CNY'))
        >>> Conventions.fineract()
        Conventions(rounding='half_even', accrual='period', days_in_year=360, interest_basis='rounded', split='interest_first', residual='balanced', day_count=None, business_day='none', calendar=None)
    """

    rounding: RoundingMode = attrs.field(default="half_up", validator=option(RoundingMode))
    accrual: Accrual = attrs.field(default="period", validator=option(Accrual))
    days_in_year: DaysInYear = attrs.field(default=360, validator=_days_in_year)
    interest_basis: InterestBasis = attrs.field(default="rounded", validator=option(InterestBasis))
    split: Split = attrs.field(default="interest_first", validator=option(Split))
    residual: Residual = attrs.field(default="last", validator=option(Residual))
    day_count: DayCount | None = attrs.field(default=None, validator=_day_count)
    business_day: BusinessDay = attrs.field(default="none", validator=option(BusinessDay))
    calendar: Calendar | None = attrs.field(default=None, validator=_calendar)

    @classmethod
    def cn_bank(cls) -> Conventions:
        """Chinese bank mortgage and consumer-loan calculators (等额本息, 等额本金).

        Monthly periods of annual / 12, interest on the balance actually outstanding,
        rounded half-up to the fen (四舍五入), the residual in the last installment.

        Examples:
            >>> Conventions.cn_bank().rounding, Conventions.cn_bank().interest_basis
            ('half_up', 'rounded')
        """
        return cls()

    @classmethod
    def fineract(cls) -> Conventions:
        """Apache Fineract's schedule defaults: half-even, 360 days, balanced progressive EMI.

        Fineract rounds half-even by default, charges interest on the outstanding
        balance, and its progressive schedules adjust the EMI so that the last
        installment comes as close to the others as the rounding allows.

        Examples:
            >>> Conventions.fineract().rounding, Conventions.fineract().residual
            ('half_even', 'balanced')
        """
        return cls(rounding="half_even", residual="balanced")

    @classmethod
    def spreadsheet(cls) -> Conventions:
        """The spreadsheet functions PMT, IPMT and PPMT, rounded to the cent.

        Interest on the exact annuity's balance (IPMT) and the exact principal part
        (PPMT) rounded, the interest being the rest, so the printed parts add up to
        the installment; the rounding residual in the last installment.

        Examples:
            >>> Conventions.spreadsheet().interest_basis, Conventions.spreadsheet().split
            ('exact', 'principal_first')
        """
        return cls(interest_basis="exact", split="principal_first")

    @classmethod
    def daily(cls) -> Conventions:
        """Online micro-lenders: interest by the day (按日计息) on a 360-day year, half-up.

        Examples:
            >>> Conventions.daily().accrual, Conventions.daily().day_count
            ('daily', 'act/360')
        """
        return cls(accrual="daily", days_in_year=360, day_count="act/360")


#: The presets by name, as the command line's `--conventions` offers them.
PRESETS: Final = {
    "cn-bank": Conventions.cn_bank,
    "fineract": Conventions.fineract,
    "spreadsheet": Conventions.spreadsheet,
    "daily": Conventions.daily,
}
