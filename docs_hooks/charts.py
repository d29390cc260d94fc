"""The documentation site's charts: the library's own `.plot()`, on the tutorials' data.

Each chart computes its figures with microloan and draws them with the same `.plot()` methods
a user calls (see the how-to "Draw the charts"); this module only makes the
synthetic, seeded data and writes PNG bytes with matplotlib's Agg renderer. The PNGs carry no
timestamp or software tag, so a build gives the same bytes every time. Nothing in `microloan`
imports this module.

Examples:
    >>> schedule_split()[:8] == PNG_SIGNATURE
    True
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Callable, Mapping
from datetime import date
from typing import Final

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from microloan import (
    AgeingReport,
    LiftTable,
    LoanRecord,
    Money,
    Rate,
    RollRates,
    Schedule,
    add_months,
    ageing_report,
    equal_installment,
    equal_principal,
    lift_table,
    month_end,
    roll_rates,
    vintage,
)

__all__ = [
    "CHARTS",
    "PNG_SIGNATURE",
    "ageing",
    "applicants",
    "book_ageing",
    "book_rolls",
    "inquiries_lift",
    "lift_chart",
    "render_all",
    "roll_rate_heatmap",
    "schedule_split",
    "schedules",
    "vintage_curves",
    "vintage_panel",
]

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_DPI: Final = 120


def _png(figure: Figure) -> bytes:
    """Render `figure` with Agg, without metadata that would change from build to build."""
    FigureCanvasAgg(figure)  # attaches itself: PNG output by Agg, whatever the backend
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


# -- a schedule's principal / interest split -------------------------------------------------


def schedules() -> tuple[Schedule, Schedule]:
    """The tutorial's 12-month credit loan, in equal installments and in equal principal."""
    loan, rate, start = Money("50000"), Rate.annual("21%"), date(2026, 3, 10)
    return (
        equal_installment(loan, rate=rate, term=12, start=start),
        equal_principal(loan, rate=rate, term=12, start=start),
    )


def schedule_split() -> bytes:
    """`Schedule.plot()` twice, side by side: equal installments and equal principal."""
    figure = Figure(figsize=(8, 3.4), layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    annuity, level = schedules()
    for ax, schedule, name in (
        (left, annuity, "Equal installments"),
        (right, level, "Equal principal"),
    ):
        schedule.plot(ax=ax, title=f"{name}: interest {schedule.total_interest.amount:,} CNY")
    right.set_ylabel("")
    right.get_legend().remove()
    left.set_ylim(top=5800)
    figure.suptitle("50,000 CNY at 21% a year over 12 months")
    return _png(figure)


# -- a synthetic book: vintage curves, ageing, roll rates ------------------------------------

_AS_OF: Final = date(2026, 3, 31)
_COHORT_RISK: Final[Mapping[date, float]] = {
    # the chance a current loan falls behind in a month; September's cohort is the bad one
    date(2025, 4, 1): 0.020,
    date(2025, 5, 1): 0.018,
    date(2025, 6, 1): 0.024,
    date(2025, 7, 1): 0.020,
    date(2025, 8, 1): 0.026,
    date(2025, 9, 1): 0.045,
}


@functools.cache
def vintage_panel(loans_per_cohort: int = 300, seed: int = 2026) -> tuple[LoanRecord, ...]:
    """A synthetic book's month-end snapshots: six monthly cohorts, observed to 31 March 2026.

    Each month a current loan falls behind with its cohort's probability; a late loan
    either catches up (45%) or rolls 30 days further behind.
    """
    rng = random.Random(seed)  # noqa: S311 - seeded synthetic data, not security
    panel: list[LoanRecord] = []
    for cohort, risk in _COHORT_RISK.items():
        for n in range(loans_per_cohort):
            disbursed = cohort.replace(day=rng.randint(1, 28))
            principal = rng.randint(10, 200) * 100
            dpd = 0
            mob = 0
            while (on := month_end(add_months(disbursed, mob))) <= _AS_OF:
                if mob > 0:
                    if dpd == 0:
                        dpd = rng.randint(1, 29) if rng.random() < risk else 0
                    else:
                        dpd = 0 if rng.random() < 0.45 else dpd + 30
                repaid = 0 if dpd else principal * min(mob, 12) // 12
                panel.append(
                    LoanRecord(
                        loan_id=f"{cohort:%Y%m}-{n}",
                        disbursed=disbursed,
                        principal=Money(principal),
                        outstanding=Money(principal - repaid),
                        days_past_due=dpd,
                        on=on,
                    )
                )
                mob += 1
    return tuple(panel)


def vintage_curves() -> bytes:
    """`Vintage.plot()`: ever-30+ share of principal by months on book, one line per cohort."""
    curves = vintage(vintage_panel(), over=30)
    return _png(curves.plot(title="Vintage curves, 30+, by disbursement month (synthetic book)"))


def book_ageing() -> AgeingReport:
    """The synthetic book aged on its last snapshot, 31 March 2026, in M buckets."""
    records = [r for r in vintage_panel() if r.on == _AS_OF]
    return ageing_report(records, on=_AS_OF, scheme="m")


def ageing() -> bytes:
    """`AgeingReport.plot()`: the book's outstanding principal per bucket."""
    return _png(book_ageing().plot())


def book_rolls() -> RollRates:
    """The synthetic book's roll rates from February's month end to March's."""
    february = date(2026, 2, 28)
    panel = vintage_panel()
    before = [r for r in panel if r.on == february]
    after = [r for r in panel if r.on == _AS_OF]
    return roll_rates(before, after, start=february, end=_AS_OF)


def roll_rate_heatmap() -> bytes:
    """`RollRates.plot()`: the February-to-March transition matrix, by count."""
    return _png(book_rolls().plot())


# -- a lift chart ----------------------------------------------------------------------------


def applicants(seed: int = 2024, size: int = 20_000) -> tuple[list[int], list[int]]:
    """The lift tutorial's synthetic applicants: credit inquiries and the overdue flag.

    The same generator, seed and draws as the tutorial, so the chart shows its table.
    """
    rng = random.Random(seed)  # noqa: S311 - seeded synthetic data, not security
    inquiries: list[int] = []
    overdue: list[int] = []
    bump = {"A": -0.08, "B": -0.04, "C": 0.0, "D": 0.05, "E": 0.15}
    for _ in range(size):
        n = min(30, int(rng.expovariate(1 / 6)))
        grade = rng.choices("ABCDE", weights=[15, 30, 30, 15, 10])[0]
        rng.randint(18, 65)  # age, unused here
        if rng.random() >= 0.05:  # income, unused here; missing for 5%
            rng.randint(2, 30)
        inquiries.append(n)
        overdue.append(1 if rng.random() < 0.17 + 0.013 * n + bump[grade] else 0)
    return inquiries, overdue


def inquiries_lift() -> LiftTable:
    """The tutorial's lift table of credit inquiries."""
    inquiries, overdue = applicants()
    return lift_table(inquiries, overdue, bins=[3, 6, 10, 15, 21])


def lift_chart() -> bytes:
    """`LiftTable.plot()`: the tutorial's lift table of credit inquiries."""
    table = inquiries_lift()
    figure = table.plot(
        title=f"Lift of credit inquiries: IV {float(table.iv):.3f}, KS {float(table.ks):.3f}"
    )
    figure.axes[0].set_xlabel("credit inquiries")
    figure.axes[0].set_ylabel("first-payment overdue rate")
    return _png(figure)


# -- all of them -----------------------------------------------------------------------------

CHARTS: Final[Mapping[str, Callable[[], bytes]]] = {
    "schedule-split.png": schedule_split,
    "vintage-curves.png": vintage_curves,
    "lift-chart.png": lift_chart,
    "ageing.png": ageing,
    "roll-rates.png": roll_rate_heatmap,
}


def render_all() -> dict[str, bytes]:
    """Every chart, by file name."""
    return {name: draw() for name, draw in CHARTS.items()}
