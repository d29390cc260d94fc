"""Repayment schedules: the plan of installments for a loan.

A [`Schedule`][microloan.Schedule] is an immutable list of
[`Installment`][microloan.Installment]s plus the inputs it was made from. The
generators (`equal_installment`, `equal_principal`, `interest_only`, `bullet`,
`flat`) build one; principal parts always add up exactly to the principal and
the balance ends at exactly zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Literal, final

import attrs

from microloan._decimal import RoundingMode
from microloan.money import Money
from microloan.rates import DaysInYear, Rate

__all__ = ["Accrual", "Frequency", "Installment", "Method", "Schedule"]

Method = Literal["equal_installment", "equal_principal", "interest_only", "bullet", "flat"]
"""The repayment method a schedule was built with."""

Accrual = Literal["period", "daily"]
"""How interest accrues: per full period (30/360 habit) or per actual day (按日计息)."""

Frequency = Literal["monthly", "weekly", "biweekly"] | int
"""How often installments fall due: a named frequency or every N days."""


@final
@attrs.frozen(kw_only=True)
class Installment:
    """One installment of a schedule: what falls due on one date.

    Attributes:
        number: 1 for the first installment.
        period_start: the first day of the period whose interest this installment carries
            (the disbursement date for the first one, the previous due date after).
        due_date: the date it falls due.
        principal: the principal part, in whole minor units.
        interest: the interest part (for `flat`, the fixed charge), in whole minor units.
        total: principal + interest.
        balance: the principal still outstanding after this installment is paid.
    """

    number: int
    period_start: date
    due_date: date
    principal: Money
    interest: Money
    total: Money
    balance: Money


@final
@attrs.frozen(kw_only=True)
class Schedule:
    """An immutable repayment schedule and the inputs it was made from.

    Attributes:
        installments: the installments in due-date order.
        principal: the amount lent.
        rate: the contract rate.
        term: the number of installments.
        start: the disbursement date.
        method: the repayment method.
        frequency: `"monthly"`, `"weekly"`, `"biweekly"` or a number of days.
        first_due: the first due date.
        accrual: `"period"` or `"daily"`.
        days_in_year: 360, 365 or `"actual"`.
        rounding: the rounding mode of every component.
        installment_multiple: the amount the level installment is rounded to, if any.
    """

    installments: tuple[Installment, ...]
    principal: Money
    rate: Rate
    term: int
    start: date
    method: Method
    frequency: Frequency = "monthly"
    first_due: date
    accrual: Accrual = "period"
    days_in_year: DaysInYear = 360
    rounding: RoundingMode = "half_up"
    installment_multiple: Money | None = None

    @property
    def total_interest(self) -> Money:
        """The interest of all installments together."""
        return sum((i.interest for i in self.installments), Money.zero(self.principal.currency))

    @property
    def total(self) -> Money:
        """Everything the borrower pays: principal plus interest."""
        return sum((i.total for i in self.installments), Money.zero(self.principal.currency))

    @property
    def maturity(self) -> date:
        """The last due date."""
        return self.installments[-1].due_date

    def __iter__(self) -> Iterator[Installment]:
        return iter(self.installments)

    def __len__(self) -> int:
        return len(self.installments)
