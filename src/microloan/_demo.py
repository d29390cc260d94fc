"""The `microloan demo` tour: one short section per capability the library has today."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from microloan.daycount import add_months, day_count, year_fraction
from microloan.money import Money
from microloan.rates import Rate

if TYPE_CHECKING:
    from collections.abc import Callable


def _money_and_rates() -> list[str]:
    rate = Rate.daily("5‱")
    loan = Money("7600")
    days = 123
    interest = (loan * rate.per_day() * days).round()
    return [
        "Money is exact Decimal, rounding is explicit, nothing is lost in a split:",
        f"  {loan} split 3 ways -> {', '.join(str(p) for p in loan.allocate([1, 1, 1]))}",
        (
            f"  {Money('2.345')} rounded half-up {Money('2.345').round()},"
            f" half-even {Money('2.345').round('half_even')}"
        ),
        "",
        (
            f"Rates keep their quoted unit: {rate!r} is {rate.per_year() * 100:.2f}% a year on 360 days"
            f" and {rate.per_year(365) * 100:.2f}% on 365."
        ),
        f"  The seed's merchant: {loan} used for {days} days at {rate} costs {interest}",
        f"  ({interest.amount / loan.amount * 100:.2f}% of the loan, though the annual rate is 18%).",
    ]


def _dates() -> list[str]:
    anchor = date(2024, 1, 31)
    dues = [add_months(anchor, k).isoformat() for k in range(1, 5)]
    start, end = date(2024, 1, 31), date(2024, 3, 1)
    return [
        f"Due dates never drift: from {anchor} monthly -> {', '.join(dues)}",
        (
            f"  {start} to {end}: {day_count(start, end)} actual days,"
            f" {day_count(start, end, '30/360')} on 30/360,"
            f" {year_fraction(start, end, 'act/act'):.6f} of a year act/act."
        ),
    ]


#: The tour's sections in order; each capability adds its own.
SECTIONS: list[tuple[str, Callable[[], list[str]]]] = [
    ("Money and rates", _money_and_rates),
    ("Dates and day counts", _dates),
]


def run_demo() -> None:
    """Print the tour to standard output."""
    print("microloan — a tour of what the library does today\n")
    for title, section in SECTIONS:
        print(f"== {title} ==")
        for line in section():
            print(line)
        print()
