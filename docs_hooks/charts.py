"""The documentation site's charts, drawn from microloan's own numbers.

Each chart function computes its figures with the library, draws them with matplotlib's
Agg backend and returns PNG bytes. The data is synthetic and seeded, and the PNGs carry no
timestamp or software tag, so a build gives the same bytes every time. Matplotlib is a
docs-only dependency: nothing in `microloan` imports this module.

Examples:
    >>> schedule_split()[:8] == PNG_SIGNATURE
    True
"""

from __future__ import annotations

import contextlib
import io
import random
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

import matplotlib as mpl
import numpy as np
from matplotlib import style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from microloan import (
    LiftTable,
    LoanRecord,
    Money,
    Rate,
    Schedule,
    add_months,
    equal_installment,
    equal_principal,
    lift_table,
    month_end,
    vintage,
)

__all__ = [
    "CHARTS",
    "PNG_SIGNATURE",
    "applicants",
    "inquiries_lift",
    "lift_chart",
    "render_all",
    "schedule_split",
    "schedules",
    "vintage_curves",
    "vintage_panel",
]

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"

_PRINCIPAL: Final = "#3f51b5"  # the site's indigo
_INTEREST: Final = "#ff9800"
_COHORTS: Final = ("#3f51b5", "#009688", "#8bc34a", "#ff9800", "#e91e63", "#795548")
_DPI: Final = 120


def _percent(value: float, _position: object = None) -> str:
    return f"{value:.0%}"


@contextlib.contextmanager
def _styled() -> Iterator[None]:
    """One look for every chart, whatever the builder's matplotlibrc says."""
    with (
        style.context("default"),
        mpl.rc_context(
            {
                "font.size": 9,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.grid": True,
                "axes.grid.axis": "y",
                "grid.alpha": 0.3,
                "legend.frameon": False,
            }
        ),
    ):
        yield


def _png(figure: Figure) -> bytes:
    """Render `figure` with Agg, without metadata that would change from build to build."""
    FigureCanvasAgg(figure)  # attaches itself: PNG output by Agg, whatever the backend
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=_DPI, layout="constrained")


# -- a schedule's principal / interest split -------------------------------------------------


def schedules() -> tuple[Schedule, Schedule]:
    """The tutorial's 12-month credit loan, in equal installments and in equal principal."""
    loan, rate, start = Money("50000"), Rate.annual("21%"), date(2026, 3, 10)
    return (
        equal_installment(loan, rate=rate, term=12, start=start),
        equal_principal(loan, rate=rate, term=12, start=start),
    )


def schedule_split() -> bytes:
    """Stacked bars of principal and interest per installment, for both schedules."""
    with _styled():
        figure = _figure(8, 3.4)
        axes = figure.subplots(1, 2, sharey=True)
        titles = ("Equal installments", "Equal principal")
        for ax, schedule, title in zip(axes, schedules(), titles, strict=True):
            numbers = [i.number for i in schedule]
            principal = [float(i.principal.amount) for i in schedule]
            interest = [float(i.interest.amount) for i in schedule]
            ax.bar(numbers, principal, color=_PRINCIPAL, label="principal")
            ax.bar(numbers, interest, bottom=principal, color=_INTEREST, label="interest")
            ax.set_title(f"{title}: interest {schedule.total_interest.amount:,} CNY")
            ax.set_xlabel("installment")
            ax.set_xticks(numbers)
        axes[0].set_ylabel("CNY")
        axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
        axes[0].set_ylim(top=5800)
        axes[0].legend(loc="upper left", ncols=2)
        figure.suptitle("50,000 CNY at 21% a year over 12 months")
        return _png(figure)


# -- vintage curves --------------------------------------------------------------------------

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


def vintage_panel(loans_per_cohort: int = 300, seed: int = 2026) -> list[LoanRecord]:
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
    return panel


def vintage_curves() -> bytes:
    """Ever-30+ share of principal by months on book, one line per cohort."""
    curves = vintage(vintage_panel(), over=30)
    with _styled():
        figure = _figure(7, 3.6)
        ax = figure.subplots()
        for cohort, color in zip(curves.cohorts, _COHORTS, strict=True):
            curve = [float(share) for share in curves.curve(cohort)]
            ax.plot(range(len(curve)), curve, marker="o", markersize=3, color=color)
            ax.annotate(
                f"{cohort:%Y-%m}",
                (len(curve) - 1, curve[-1]),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                color=color,
            )
        ax.set_xlabel("months on book (MOB)")
        ax.set_ylabel("principal ever 30+ days past due")
        ax.yaxis.set_major_formatter(FuncFormatter(_percent))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(-0.3, 12.5)
        ax.set_ylim(bottom=0)
        ax.set_title("Vintage curves, 30+, by disbursement month (synthetic book)")
        return _png(figure)


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
    """Bad rate per bin with the overall rate, lift on the right axis, cumulative line."""
    table = inquiries_lift()
    rows = [row for row in table.rows if row.count and row.bad_rate is not None]
    overall = float(table.bad_rate)
    with _styled():
        figure = _figure(7.5, 3.8)
        ax = figure.subplots()
        labels = [row.label for row in rows]
        rates = [float(row.bad_rate or Decimal(0)) for row in rows]
        bars = ax.bar(labels, rates, color=_PRINCIPAL, label="bad rate of the bin")
        ax.bar_label(
            bars,
            labels=[f"lift\n{row.lift:.2f}" for row in rows],
            label_type="center",
            color="white",
        )
        cumulative = [float(row.cum_bad_rate or Decimal(0)) for row in rows]
        ax.plot(
            labels,
            cumulative,
            color=_INTEREST,
            marker="o",
            label="bad rate of this bin and every worse one",
        )
        ax.axhline(
            overall,
            color="grey",
            linestyle="--",
            linewidth=1,
            zorder=0.9,  # behind the bars, whose labels it would cross
            label=f"overall bad rate {table.bad_rate:.2%}",
        )
        ax.set_xlabel("credit inquiries")
        ax.set_ylabel("first-payment overdue rate")
        ax.yaxis.set_major_formatter(FuncFormatter(_percent))
        ax.set_ylim(0, max(rates) * 1.15)
        right = ax.secondary_yaxis(
            "right",
            functions=(
                lambda rate: np.multiply(rate, 1 / overall),
                lambda lift: np.multiply(lift, overall),
            ),
        )
        right.set_ylabel("lift")
        ax.legend(loc="upper left")
        ax.set_title(f"Lift of credit inquiries: IV {table.iv:.3f}, KS {table.ks:.3f}")
        return _png(figure)


# -- all of them -----------------------------------------------------------------------------

CHARTS: Final[Mapping[str, Callable[[], bytes]]] = {
    "schedule-split.png": schedule_split,
    "vintage-curves.png": vintage_curves,
    "lift-chart.png": lift_chart,
}


def render_all() -> dict[str, bytes]:
    """Every chart, by file name."""
    return {name: draw() for name, draw in CHARTS.items()}
