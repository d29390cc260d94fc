"""The documentation site's charts: drawn from the library's numbers, as PNG, reproducibly."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("matplotlib")

from docs_hooks import charts

from microloan import vintage


@pytest.mark.parametrize("name", sorted(charts.CHARTS))
def test_each_chart_is_a_png_reproducible_byte_for_byte(name: str) -> None:
    """Every chart is a drawn PNG, and drawing it again gives the same bytes (no timestamp or
    software tag in the file)."""
    png = charts.CHARTS[name]()
    assert png.startswith(charts.PNG_SIGNATURE)
    assert len(png) > 10_000  # a drawn figure, not an empty canvas
    assert b"Software" not in png
    assert b"tIME" not in png
    assert charts.CHARTS[name]() == png


def test_schedule_chart_data_adds_up_to_the_loan() -> None:
    """The split schedules repay the principal exactly, the annuity at a level installment."""
    annuity, level = charts.schedules()
    for schedule in (annuity, level):
        assert sum(i.principal.amount for i in schedule) == 50_000
    assert len({i.total for i in annuity.installments[:-1]}) == 1
    assert level.total_interest < annuity.total_interest


def test_vintage_chart_bad_cohort_is_worst_from_mob_3() -> None:
    """The synthetic book's September cohort is the worst at every MOB from 3, as the captions say."""
    curves = vintage(charts.vintage_panel(), over=30)
    september = date(2025, 9, 1)
    assert len(curves.cohorts) == 6
    for mob in range(3, len(curves.curve(september))):
        others = [curves.share(c, mob) or 0 for c in curves.cohorts if c != september]
        assert curves.curve(september)[mob] > max(others)


def test_lift_chart_data_is_the_tutorials_table() -> None:
    """The lift chart's applicants reproduce the lift tutorial's counts (4,813 bad of 20,000)."""
    table = charts.inquiries_lift()
    assert (table.count, table.bads) == (20_000, 4_813)
    assert table.row("[21, +inf)").bads == 286


def test_ageing_and_roll_rate_charts_cover_the_whole_book() -> None:
    """The ageing chart ages every loan of the last snapshot; the roll rates follow every one."""
    report, rolls = charts.book_ageing(), charts.book_rolls()
    assert report.total_count == 1_800  # six cohorts of 300, all on book on 31 March
    assert sum(rolls.count(source, "M0") for source in rolls.from_labels) == report.count("M0")
    assert rolls.new_loans == 0


def test_the_site_draws_with_the_librarys_own_plot_methods() -> None:
    """The hook draws nothing itself: no bar, line or heatmap call outside `.plot()`."""
    import inspect

    source = inspect.getsource(charts)
    assert ".plot(" in source
    for primitive in (".bar(", ".imshow(", ".annotate(", "ax.plot("):
        assert primitive not in source, primitive
