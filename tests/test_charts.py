"""Charts: every `.plot()` returns a matplotlib Figure that shows exactly the object's numbers."""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("matplotlib")

from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from microloan import (
    AgeingReport,
    CutBins,
    InvalidTypeError,
    InvalidValueError,
    LiftTable,
    LoanRecord,
    MicroloanError,
    MissingDependencyError,
    Money,
    Rate,
    RollRates,
    Schedule,
    Vintage,
    ageing_report,
    equal_installment,
    roll_rates,
    vintage,
)
from microloan.cli import main
from tests.strategies import loan_books, loan_panels, small_schedules

PNG = b"\x89PNG\r\n\x1a\n"
ON = date(2026, 3, 31)


def _record(loan_id: int, dpd: int, left: int, *, on: date | None = None) -> LoanRecord:
    return LoanRecord(
        loan_id=loan_id,
        disbursed=date(2025, 10, 5),
        principal=Money(1000),
        outstanding=Money(left),
        days_past_due=dpd,
        on=on,
    )


def _schedule() -> Schedule:
    return equal_installment(
        Money("12000"), rate=Rate.annual("18%"), term=6, start=date(2026, 1, 15)
    )


def _lift() -> LiftTable:
    return LiftTable.from_bin_counts(CutBins(cuts=(3, 6)), [500, 300, 200, 0], [40, 45, 60, 0])


def _ageing() -> AgeingReport:
    book = [_record(1, 0, 800), _record(2, 12, 1000), _record(3, 45, 600), _record(4, 0, 300)]
    return ageing_report(book, on=ON)


def _rolls() -> RollRates:
    before = [_record(1, 0, 900), _record(2, 0, 900), _record(3, 10, 1000), _record(4, 40, 1000)]
    after = [_record(1, 0, 800), _record(2, 15, 900), _record(3, 41, 1000), _record(5, 0, 1000)]
    return roll_rates(before, after, start=date(2026, 2, 28), end=ON)


def _vintage() -> Vintage:
    panel = [
        _record(1, 0, 1000, on=date(2025, 11, 30)),
        _record(1, 35, 1000, on=date(2025, 12, 31)),
        _record(2, 0, 1000, on=date(2025, 11, 30)),
        _record(2, 0, 900, on=date(2025, 12, 31)),
    ]
    return vintage(panel, over=30)


CHARTS: dict[str, Callable[[], Any]] = {
    "Schedule": _schedule,
    "LiftTable": _lift,
    "Vintage": _vintage,
    "AgeingReport": _ageing,
    "RollRates": _rolls,
}


def _bars(figure: Figure, container: int = 0) -> list[float]:
    """The values a bar container was drawn from (its heights, before float arithmetic)."""
    bars = figure.axes[0].containers[container]
    assert isinstance(bars, BarContainer)
    return _floats(bars.datavalues)


def _floats(values: object) -> list[float]:
    """A line's or a container's data as a list of Python floats."""
    floats: list[float] = np.asarray(values, dtype=float).tolist()
    return floats


# -- the figure ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_plot_returns_a_figure_that_renders_as_png(name: str, tmp_path: Path) -> None:
    """`.plot()` gives a matplotlib Figure with a titled axes, which saves as a PNG."""
    figure = CHARTS[name]().plot()
    assert isinstance(figure, Figure)
    assert figure.axes[0].get_title()
    path = tmp_path / "chart.png"
    figure.savefig(path)
    assert path.read_bytes().startswith(PNG)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_a_plot_draws_on_the_axes_it_is_given_with_the_title_given(name: str) -> None:
    """With `ax=`, the chart is drawn there and the figure returned is that axes' figure."""
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert CHARTS[name]().plot(ax=right, title="mine") is figure
    assert right.get_title() == "mine"
    assert not left.has_data()


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_a_plot_on_a_subfigure_returns_the_root_figure(name: str) -> None:
    """Axes of a subfigure draw there; the Figure returned is the one that saves the image."""
    figure = Figure()
    part = figure.add_subfigure(figure.add_gridspec(1, 2)[0, 1])
    assert CHARTS[name]().plot(ax=part.add_subplot()) is figure


@pytest.mark.parametrize("name", sorted(CHARTS))
@pytest.mark.parametrize(
    ("argument", "value", "error"),
    [
        ("ax", "left", InvalidTypeError),
        ("ax", 1, InvalidTypeError),
        ("title", 7, InvalidTypeError),
    ],
)
def test_a_plot_refuses_a_bad_argument_naming_it(
    name: str, argument: str, value: object, error: type[MicroloanError]
) -> None:
    """An axes that is not matplotlib's, or a title that is not text, is refused by name."""
    with pytest.raises(error, match=rf"^{argument}: "):
        CHARTS[name]().plot(**{argument: value})


@pytest.mark.parametrize("name", ["Vintage", "AgeingReport", "RollRates"])
def test_a_report_plot_refuses_an_unknown_by(name: str) -> None:
    """`by` is "count" or "balance", checked like the report's own methods check it."""
    with pytest.raises(InvalidValueError, match=r"^by: 'loans'"):
        CHARTS[name]().plot(by="loans")


# -- the plotted numbers are the object's ----------------------------------------------------


@settings(max_examples=15)
@given(schedule=small_schedules())
def test_schedule_plot_bars_are_each_installments_principal_and_interest(
    schedule: Schedule,
) -> None:
    """One principal bar and one interest bar stacked on it per installment, in order."""
    figure = schedule.plot()
    assert _bars(figure, 0) == [float(i.principal.amount) for i in schedule]
    bottoms = [bar.get_y() for bar in figure.axes[0].containers[1]]
    assert bottoms == [float(i.principal.amount) for i in schedule]
    # a stacked bar's height is its top less its bottom, in floats: equal to a float's rounding
    interest = [float(i.interest.amount) for i in schedule]
    assert _bars(figure, 1) == pytest.approx(interest, rel=1e-12, abs=1e-9)


def test_lift_plot_shows_each_non_empty_bins_bad_rate_lift_and_cumulative_rate() -> None:
    """Bars are the bad rates of the bins with rows, labelled with their lift; the line is the
    cumulative bad rate; the dashed line the overall bad rate."""
    table = _lift()
    figure = table.plot()
    rows = [row for row in table.rows if row.count]
    assert len(rows) == 3  # the empty `missing` bin is not drawn
    assert _bars(figure, 0) == [float(row.bad_rate or 0) for row in rows]
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.texts] == [f"lift\n{float(r.lift or 0):.2f}" for r in rows]
    cumulative, overall = axes.lines
    assert _floats(cumulative.get_ydata()) == [float(row.cum_bad_rate or 0) for row in rows]
    assert _floats(overall.get_ydata()) == [float(table.bad_rate)] * 2
    assert [t.get_text() for t in axes.get_xticklabels()] == [row.label for row in rows]


@settings(max_examples=15)
@given(panel=loan_panels(), by=st.sampled_from(["balance", "count"]))
def test_vintage_plot_draws_each_cohorts_curve(panel: list[LoanRecord], by: str) -> None:
    """One line per cohort, labelled with its month, whose points are the curve by MOB."""
    curves = vintage(panel, over=30)
    figure = curves.plot(by=by)  # type: ignore[arg-type]
    lines = figure.axes[0].lines
    assert [line.get_label() for line in lines] == [f"{c:%Y-%m}" for c in curves.cohorts]
    for line, cohort in zip(lines, curves.cohorts, strict=True):
        curve = curves.curve(cohort, by=by)  # type: ignore[arg-type]
        assert _floats(line.get_xdata()) == list(range(len(curve)))
        assert _floats(line.get_ydata()) == [float(share) for share in curve]


@settings(max_examples=15)
@given(book=loan_books(on=ON), by=st.sampled_from(["balance", "count"]))
def test_ageing_plot_bars_are_each_buckets_outstanding_or_loans_and_share(
    book: list[LoanRecord], by: str
) -> None:
    """One bar per bucket: its outstanding principal (or loans), labelled with its share."""
    report = ageing_report(book, on=ON)
    figure = report.plot(by=by)  # type: ignore[arg-type]
    axes = figure.axes[0]
    expected = [
        float(report.outstanding(label).amount) if by == "balance" else report.count(label)
        for label in report.labels
    ]
    assert _bars(figure, 0) == expected
    assert [t.get_text() for t in axes.get_xticklabels()] == list(report.labels)
    shares = [report.share(label, by=by) for label in report.labels]  # type: ignore[arg-type]
    assert [t.get_text() for t in axes.texts] == [
        "–" if s is None else f"{float(s):.1%}" for s in shares
    ]


@pytest.mark.parametrize("by", ["count", "balance"])
def test_roll_rate_heatmap_cells_are_the_matrix_rates(by: str) -> None:
    """The heatmap's cell (i, j) is `rate(from_labels[i], to_labels[j])`, blank for an empty row."""
    rolls = _rolls()
    figure = rolls.plot(by=by)  # type: ignore[arg-type]
    axes = figure.axes[0]
    drawn = axes.get_images()[0].get_array()
    assert drawn is not None
    cells = np.ma.filled(drawn.astype(float), np.nan)  # an empty row is masked: nan again
    for i, source in enumerate(rolls.from_labels):
        for j, target in enumerate(rolls.to_labels):
            rate = rolls.rate(source, target, by=by)  # type: ignore[arg-type]
            if rate is None:
                assert math.isnan(float(cells[i][j]))
            else:
                assert float(cells[i][j]) == float(rate)
    assert [t.get_text() for t in axes.get_yticklabels()] == list(rolls.from_labels)
    assert len(axes.get_xticklabels()) == len(rolls.to_labels)


# -- without matplotlib, in threads, without pyplot ------------------------------------------


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_without_matplotlib_plot_says_which_extra_to_install(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing matplotlib is a MissingDependencyError (an ImportError) naming the extra."""
    value = CHARTS[name]()
    for module in ("matplotlib", "matplotlib.figure", "matplotlib.axes", "matplotlib.ticker"):
        monkeypatch.setitem(sys.modules, module, None)  # `import` of it raises ImportError
    with pytest.raises(MissingDependencyError) as caught:
        value.plot()
    assert isinstance(caught.value, ImportError)
    assert str(caught.value) == (
        f"{name}.plot needs matplotlib, which is not installed: pip install 'microloan[plot]'"
    )
    assert (caught.value.package, caught.value.extra) == ("matplotlib", "plot")


def test_charts_drawn_in_threads_at_once_equal_charts_drawn_one_by_one(tmp_path: Path) -> None:
    """No global figure or style: figures drawn concurrently save the same bytes as alone."""

    def draw(name: str, path: Path) -> None:
        figure = CHARTS[name]().plot()
        figure.savefig(path, format="png", dpi=30, metadata={"Software": None})

    names = ["LiftTable", "RollRates", "Schedule"]  # a bar chart, a heatmap, stacked bars
    for name in names:
        draw(name, tmp_path / f"alone-{name}.png")
    threads = [
        threading.Thread(target=draw, args=(name, tmp_path / f"thread-{name}.png"))
        for name in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in names:
        alone = (tmp_path / f"alone-{name}.png").read_bytes()
        assert (tmp_path / f"thread-{name}.png").read_bytes() == alone, name


def test_plotting_never_imports_pyplot() -> None:
    """The charts use `matplotlib.figure.Figure`, never pyplot and its global state."""
    if "matplotlib.pyplot" in sys.modules:  # pragma: no cover - loaded by something else
        pytest.skip("pyplot was imported before this test")
    for make in CHARTS.values():
        make().plot()
    assert "matplotlib.pyplot" not in sys.modules


# -- the command line --------------------------------------------------------------------------

_LOANS = """loan_id,disbursed,principal,outstanding,days_past_due
A,2026-01-05,7600,5100.50,0
B,2026-02-10,30000,30000,12
C,2025-11-20,10000,8000,95
"""


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_cli_schedule_plot_writes_the_chart_in_the_format_of_its_extension(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`schedule --plot FILE` writes the chart (PNG, SVG or PDF) and prints the table as before."""
    path = tmp_path / f"schedule{suffix}"
    loan = ["--principal", "12000", "--rate", "18%", "--term", "6", "--start", "2026-01-15"]
    assert main(["schedule", *loan, "--plot", str(path)]) == 0
    magic = {".png": PNG, ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix]
    assert path.read_bytes().startswith(magic)
    assert "APR" in capsys.readouterr().out


def test_cli_age_and_lift_plot_write_a_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`age` and `lift` take `--plot` too, with every output format."""
    loans = tmp_path / "loans.csv"
    loans.write_text(_LOANS, encoding="utf-8")
    data = tmp_path / "applicants.csv"
    rows = [f"{i},{i % 30},{1 if i % 30 >= 21 or i % 5 == 0 else 0}" for i in range(300)]
    data.write_text("\n".join(["id,inquiries,overdue", *rows]) + "\n", encoding="utf-8")
    age = ["age", str(loans), "--on", "2026-03-31", "--format", "json"]
    assert main([*age, "--plot", str(tmp_path / "age.png")]) == 0
    lift = ["lift", str(data), "--value", "inquiries", "--bad", "overdue", "--bins", "3,10,21"]
    assert main([*lift, "--format", "csv", "--plot", str(tmp_path / "lift.png")]) == 0
    assert (tmp_path / "age.png").read_bytes().startswith(PNG)
    assert (tmp_path / "lift.png").read_bytes().startswith(PNG)
    capsys.readouterr()


def test_cli_plot_refuses_an_unknown_extension_and_an_unwritable_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that is not .png/.svg/.pdf, or one that cannot be written, is one line, exit 2."""
    loan = ["--principal", "12000", "--rate", "18%", "--term", "6", "--start", "2026-01-15"]
    with pytest.raises(SystemExit) as exited:
        main(["schedule", *loan, "--plot", str(tmp_path / "chart.jpg")])
    assert exited.value.code == 2
    assert "does not end in .png, .svg, .pdf" in capsys.readouterr().err
    missing = tmp_path / "no-such-folder" / "chart.png"
    assert main(["schedule", *loan, "--plot", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"microloan schedule: error: --plot: cannot write {missing}")
    assert captured.out == ""  # nothing printed before the chart fails


def test_cli_plot_without_matplotlib_is_one_line_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without matplotlib `--plot` fails in one line that says how to install it."""
    for module in ("matplotlib", "matplotlib.figure", "matplotlib.axes", "matplotlib.ticker"):
        monkeypatch.setitem(sys.modules, module, None)
    loan = ["--principal", "12000", "--rate", "18%", "--term", "6", "--start", "2026-01-15"]
    assert main(["schedule", *loan, "--plot", str(tmp_path / "chart.png")]) == 2
    assert capsys.readouterr().err == (
        "microloan schedule: error: Schedule.plot needs matplotlib, which is not installed:"
        " pip install 'microloan[plot]'\n"
    )
