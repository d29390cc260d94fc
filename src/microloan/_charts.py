"""The charts behind every `.plot()`: matplotlib figures drawn from an object's own numbers.

Matplotlib is the optional `plot` extra: it is imported here, inside the functions, when a
chart is drawn, and this module itself only when a `.plot()` is called, so `import microloan`
never loads it. Each chart is built on a `matplotlib.figure.Figure` of its own (the
object-oriented API: no pyplot, no global figure, no `rc_context`), so services may draw in
several threads at once; its style is set on the axes, never in the global `rcParams`.

Every function returns the `Figure` (the one `ax` belongs to, when given): save it with
`figure.savefig("chart.png")`, or show it in a notebook as it is. The plotted numbers are the
object's own, converted to `float` only to be drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from microloan.errors import MissingDependencyError, wrong_type
from microloan.portfolio._records import check_by

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from microloan.analytics.lift import LiftTable
    from microloan.portfolio.ageing import AgeingReport
    from microloan.portfolio.records import By
    from microloan.portfolio.rolls import RollRates
    from microloan.portfolio.vintages import Vintage
    from microloan.schedules import Schedule

PRINCIPAL: Final = "#3f51b5"  # indigo: principal, bars of a report
INTEREST: Final = "#ff9800"  # orange: interest, the cumulative line of a lift chart
PALETTE: Final = ("#3f51b5", "#009688", "#8bc34a", "#ff9800", "#e91e63", "#795548")
"""One colour per vintage cohort, in turn."""


def _figure_class(feature: str) -> tuple[type[Figure], type[Axes]]:
    """Matplotlib's `Figure` and `Axes`, or the error that says how to install them."""
    try:
        from matplotlib.axes import Axes  # noqa: PLC0415 - the optional extra, on demand
        from matplotlib.figure import Figure  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError(feature, package="matplotlib", extra="plot") from None
    return Figure, Axes


def _canvas(
    feature: str, ax: object, title: object, size: tuple[float, float]
) -> tuple[Figure, Axes, str | None]:
    """A new figure with one axes, or the figure of `ax`, and the title; all checked first."""
    figure_class, axes_class = _figure_class(feature)
    if title is not None and not isinstance(title, str):
        raise wrong_type("title", title, "a str or None")
    if ax is None:
        figure = figure_class(figsize=size, layout="constrained")
        axes = figure.add_subplot()
    elif isinstance(ax, axes_class):
        axes = ax
        root = ax.figure
        while not isinstance(root, figure_class):  # a subfigure's: up to the root figure
            root = root.figure
        figure = root
    else:
        raise wrong_type("ax", ax, "a matplotlib Axes or None")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_axisbelow(True)
    return figure, axes, title


def _grid(axes: Axes) -> None:
    axes.grid(visible=True, axis="y", alpha=0.3)


def _percent(value: float, _position: object = None) -> str:
    return f"{value:.0%}"


def _thousands(value: float, _position: object = None) -> str:
    return f"{value:,.0f}"


def _share(value: object) -> str:
    return "–" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]


# -- a schedule ----------------------------------------------------------------------------


def schedule_chart(schedule: Schedule, *, ax: object = None, title: object = None) -> Figure:
    """Stacked bars: each installment's principal and interest."""
    figure, axes, title = _canvas("Schedule.plot", ax, title, (7, 3.6))
    from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: PLC0415

    numbers = [item.number for item in schedule]
    principal = [float(item.principal.amount) for item in schedule]
    interest = [float(item.interest.amount) for item in schedule]
    axes.bar(numbers, principal, color=PRINCIPAL, label="principal")
    axes.bar(numbers, interest, bottom=principal, color=INTEREST, label="interest")
    axes.set_xlabel("installment")
    axes.set_ylabel(schedule.principal.currency)
    if len(numbers) <= 24:
        axes.set_xticks(numbers)
    else:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    totals = [p + i for p, i in zip(principal, interest, strict=True)]
    axes.set_ylim(0, max(totals, default=1) * 1.18 or 1)  # room for the legend
    axes.legend(loc="upper left", ncols=2, frameon=False)
    _grid(axes)
    principal_text = f"{schedule.principal.amount:,f} {schedule.principal.currency}"
    axes.set_title(
        f"{principal_text} in {len(numbers)} installments: "
        f"interest {schedule.total_interest.amount:,f}"
        if title is None
        else title
    )
    return figure


# -- a lift table --------------------------------------------------------------------------


def lift_chart(table: LiftTable, *, ax: object = None, title: object = None) -> Figure:
    """Bad rate per bin, labelled with its lift; the overall rate; the cumulative bad rate."""
    figure, axes, title = _canvas("LiftTable.plot", ax, title, (7.5, 3.8))
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    rows = [row for row in table.rows if row.count and row.bad_rate is not None]
    overall = float(table.bad_rate)
    labels = [row.label for row in rows]
    rates = [float(row.bad_rate) for row in rows if row.bad_rate is not None]
    bars = axes.bar(labels, rates, color=PRINCIPAL, label="bad rate of the bin")
    axes.bar_label(
        bars,
        labels=[f"lift\n{float(row.lift or 0):.2f}" for row in rows],
        label_type="center",
        color="white",
    )
    cumulative = [math.nan if row.cum_bad_rate is None else float(row.cum_bad_rate) for row in rows]
    axes.plot(
        labels,
        cumulative,
        color=INTEREST,
        marker="o",
        label="bad rate of this bin and every worse one",
    )
    axes.axhline(
        overall,
        color="grey",
        linestyle="--",
        linewidth=1,
        zorder=0.9,  # behind the bars, whose labels it would cross
        label=f"overall bad rate {overall:.2%}",
    )
    axes.set_xlabel("bin")
    axes.set_ylabel("bad rate")
    axes.yaxis.set_major_formatter(FuncFormatter(_percent))
    axes.set_ylim(0, max([*rates, overall]) * 1.2)
    if overall > 0:

        def lift(rate: Any) -> Any:  # noqa: ANN401 - a float or matplotlib's array
            return rate / overall

        def rate(lift: Any) -> Any:  # noqa: ANN401
            return lift * overall

        right = axes.secondary_yaxis("right", functions=(lift, rate))
        right.set_ylabel("lift")
    axes.legend(loc="upper left", frameon=False)
    _grid(axes)
    axes.set_title(
        f"Lift: IV {float(table.iv):.3f}, KS {float(table.ks):.3f}" if title is None else title
    )
    return figure


# -- vintage curves ------------------------------------------------------------------------


def vintage_chart(
    vintage: Vintage, *, by: By = "balance", ax: object = None, title: object = None
) -> Figure:
    """One curve per cohort: the share ever over `over` days past due by months on book."""
    by = check_by(by)
    figure, axes, title = _canvas("Vintage.plot", ax, title, (7, 3.6))
    from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: PLC0415

    longest = 0
    for n, cohort in enumerate(vintage.cohorts):
        curve = [float(share) for share in vintage.curve(cohort, by=by)]
        if not curve:
            continue
        color = PALETTE[n % len(PALETTE)]
        axes.plot(
            range(len(curve)), curve, marker="o", markersize=3, color=color, label=f"{cohort:%Y-%m}"
        )
        axes.annotate(
            f"{cohort:%Y-%m}",
            (len(curve) - 1, curve[-1]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            color=color,
        )
        longest = max(longest, len(curve))
    whole = "principal" if by == "balance" else "loans"
    axes.set_xlabel("months on book (MOB)")
    axes.set_ylabel(f"{whole} ever over {vintage.over} days past due")
    axes.yaxis.set_major_formatter(FuncFormatter(_percent))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(-0.3, max(longest - 1, 1) * 1.12 + 0.3)  # room for the cohorts' names
    axes.set_ylim(bottom=0)
    _grid(axes)
    axes.set_title(
        f"Vintage curves over {vintage.over} days past due, by disbursement month"
        if title is None
        else title
    )
    return figure


# -- an ageing report ----------------------------------------------------------------------


def ageing_chart(
    report: AgeingReport, *, by: By = "balance", ax: object = None, title: object = None
) -> Figure:
    """One bar per bucket (outstanding principal, or loans), labelled with its share."""
    by = check_by(by)
    figure, axes, title = _canvas("AgeingReport.plot", ax, title, (7, 3.6))
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    labels = list(report.labels)
    if by == "balance":
        heights = [float(report.outstanding(label).amount) for label in labels]
        axes.set_ylabel(f"outstanding principal, {report.currency or 'CNY'}")
        axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    else:
        heights = [float(report.count(label)) for label in labels]
        axes.set_ylabel("loans")
    bars = axes.bar(labels, heights, color=PRINCIPAL)
    axes.bar_label(bars, labels=[_share(report.share(label, by=by)) for label in labels])
    axes.set_xlabel("bucket")
    axes.set_ylim(0, max(heights, default=0) * 1.15 or 1)
    _grid(axes)
    axes.set_title(
        f"Ageing on {report.on.isoformat()}: {report.total_count:,} loans, "
        f"overdue {_share(report.overdue_rate(by=by))} by {by}"
        if title is None
        else title
    )
    return figure


# -- a roll-rate matrix --------------------------------------------------------------------


def roll_rates_matrix(rolls: RollRates, *, by: By = "count") -> list[list[float]]:
    """The rates of `rolls` as floats, row by row (`nan` for a bucket with no loans at start)."""
    return [
        [
            math.nan if (rate := rolls.rate(source, target, by=by)) is None else float(rate)
            for target in rolls.to_labels
        ]
        for source in rolls.from_labels
    ]


def roll_rates_chart(
    rolls: RollRates, *, by: By = "count", ax: object = None, title: object = None
) -> Figure:
    """A heatmap of the transition matrix: the share of each starting bucket in each end state."""
    by = check_by(by)
    figure, axes, title = _canvas("RollRates.plot", ax, title, (8, 4.2))
    matrix = roll_rates_matrix(rolls, by=by)
    image = axes.imshow(matrix, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            text = "" if math.isnan(value) else f"{value:.0%}"
            color = "white" if value > 0.6 else "black"  # nan > 0.6 is False
            axes.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    _ticks(axes, rolls.from_labels, rolls.to_labels)
    axes.set_xlabel(f"at {rolls.end.isoformat()}")
    axes.set_ylabel(f"bucket at {rolls.start.isoformat()}")
    axes.spines[["left", "bottom"]].set_visible(False)
    colorbar = figure.colorbar(image, ax=axes)
    colorbar.ax.yaxis.set_major_formatter(_percent)
    colorbar.set_label(f"share of the starting bucket, by {by}")
    axes.set_title(
        f"Roll rates {rolls.start.isoformat()} to {rolls.end.isoformat()}"
        if title is None
        else title
    )
    return figure


def _ticks(axes: Axes, rows: Sequence[str], columns: Sequence[str]) -> None:
    axes.set_yticks(range(len(rows)), labels=list(rows))
    axes.set_xticks(range(len(columns)), labels=[c.replace("_", " ") for c in columns])
    axes.tick_params(axis="x", labelrotation=30)
