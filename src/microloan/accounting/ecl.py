"""Expected credit loss: IFRS 9 stages, `ECL = PD × LGD × EAD`, and PD from roll rates.

**Stages** (IFRS 9 §5.5.3, §5.5.11 and B5.5.37): stage 1 (performing) up to 29 days past
due; stage 2 (a significant increase in credit risk, presumed at more than 30 days past
due) from `stages[0]` = 30; stage 3 (credit-impaired, default presumed at 90 days past
due) from `stages[1]` = 90. Stage 1 carries a 12-month PD, stages 2 and 3 a lifetime PD
(CECL, ASC 326, uses the lifetime loss for every loan: give the lifetime PD for stage 1).

**PD from roll rates.** The monthly roll-rate matrix ([`RollRates`][microloan.RollRates])
is a Markov chain whose states are the buckets, with paid off and default absorbing; the
probability of default within `h` months from bucket `s` is the `default` entry of
`e_s · Pʰ`. The arithmetic is exact (`Fraction`s from the matrix's counts, or from the
given `Decimal` probabilities), each row adding up to exactly 1; only the final PD is
rounded to the library's 34 digits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final, final

import attrs

from microloan._decimal import CONTEXT, in_context, in_context_methods
from microloan._validators import check_date, check_int
from microloan.errors import invalid, wrong_type
from microloan.money import Money
from microloan.portfolio import BucketScheme, LoanLike, LoanRecord, RollRates
from microloan.portfolio._cells import check_cells, check_currency_field, join_currency
from microloan.portfolio._records import check_currency, check_on, is_on_book, iter_records
from microloan.portfolio.buckets import SchemeName, resolve_scheme

_DEFAULT: Final = "default"
_PAID_OFF: Final = "paid_off"
_WRITTEN_OFF: Final = "written_off"

Chain = tuple[tuple[str, ...], dict[str, dict[str, Fraction]], str]


def _probability(field: str, value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | Fraction):
        raise wrong_type(field, value, "a Decimal probability, such as Decimal('0.1')")
    if isinstance(value, Decimal) and not value.is_finite():
        raise invalid(field, value, "must be a probability from 0 to 1")
    found = Fraction(value)
    if not 0 <= found <= 1:
        raise invalid(field, value, "must be a probability from 0 to 1")
    return found


def _chain_of_rolls(matrix: RollRates, default: str | None) -> Chain:
    labels = matrix.from_labels
    target = _WRITTEN_OFF if default is None else default
    if target not in (*labels, _WRITTEN_OFF):
        raise invalid("default", target, f"is not a bucket of {list(labels)} or 'written_off'")
    bad = set(labels[labels.index(target) :]) if target in labels else set()
    bad.add(_WRITTEN_OFF)
    rows: dict[str, dict[str, Fraction]] = {}
    columns = matrix.to_labels
    for i, label in enumerate(labels):
        if label in bad:
            continue
        counts = [0] * len(columns)
        for c in matrix.cells:
            if c[0] == i:
                counts[c[1]] += c[2]
        whole = sum(counts)
        row: dict[str, Fraction] = {}
        if whole == 0:  # no loan started in this bucket: it is taken to stay there
            row[label] = Fraction(1)
        for j, n in enumerate(counts):
            if n:
                state = _DEFAULT if columns[j] in bad else columns[j]
                row[state] = row.get(state, Fraction(0)) + Fraction(n, whole)
        rows[label] = row
    states = (*(lbl for lbl in labels if lbl not in bad), _PAID_OFF, _DEFAULT)
    return states, rows, _DEFAULT


def _row(source: str, row: Mapping[object, object]) -> dict[str, Fraction]:
    found: dict[str, Fraction] = {}
    for dest, p in row.items():
        if not isinstance(dest, str):
            raise wrong_type(f"matrix[{source!r}]", dest, "a state name (a str)")
        found[dest] = _probability(f"matrix[{source!r}][{dest!r}]", p)
    if sum(found.values()) != 1:
        raise invalid(f"matrix[{source!r}]", row, "must add up to exactly 1")
    return found


def _chain_of_mapping(matrix: Mapping[object, object], default: str | None) -> Chain:
    target = _DEFAULT if default is None else default
    rows: dict[str, dict[str, Fraction]] = {}
    states: dict[str, None] = {}
    for source, row in matrix.items():
        if not isinstance(source, str):
            raise wrong_type("matrix", source, "a state name (a str)")
        if not isinstance(row, Mapping):
            raise wrong_type(f"matrix[{source!r}]", row, "a mapping of states to probabilities")
        states[source] = None
        rows[source] = _row(source, row)
        states.update(dict.fromkeys(rows[source]))
    if target not in states:
        raise invalid("default", target, f"is not a state of the matrix {list(states)}")
    for absorbing in (target, _PAID_OFF):
        row_of = rows.get(absorbing)
        if row_of is not None and row_of.get(absorbing) != 1:
            raise invalid(f"matrix[{absorbing!r}]", row_of, "must be absorbing (itself: 1)")
        rows.pop(absorbing, None)
    missing = [s for s in states if s not in rows and s not in (target, _PAID_OFF)]
    if missing:
        raise invalid("matrix", missing[0], "is a state with no row of transitions")
    return tuple(states), rows, target


def _chain(matrix: object, default: str | None) -> Chain:
    if isinstance(matrix, RollRates):
        return _chain_of_rolls(matrix, default)
    if isinstance(matrix, Mapping):
        return _chain_of_mapping(matrix, default)
    raise wrong_type("matrix", matrix, "a RollRates or a mapping of mappings of probabilities")


def _pd(chain: Chain, start: str, horizon: int) -> Fraction:
    states, rows, target = chain
    if start not in states:
        raise invalid("start", start, f"is not a state of the matrix {list(states)}")
    vector = {start: Fraction(1)}
    for _ in range(horizon):
        nxt: dict[str, Fraction] = {}
        for state, mass in vector.items():
            row = rows.get(state)
            if row is None:  # absorbing
                nxt[state] = nxt.get(state, Fraction(0)) + mass
                continue
            for dest, p in row.items():
                nxt[dest] = nxt.get(dest, Fraction(0)) + mass * p
        vector = nxt
    return vector.get(target, Fraction(0))


def _decimal(value: Fraction) -> Decimal:
    return CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


@in_context
def lifetime_pd(
    matrix: RollRates | Mapping[str, Mapping[str, Decimal]],
    *,
    start: str,
    horizon: int,
    default: str | None = None,
) -> Decimal:
    """The probability of default within `horizon` steps of the chain, starting in `start`.

    Args:
        matrix: a [`RollRates`][microloan.RollRates] (one step is its period, a month
            for month-end snapshots), or a mapping of each state to a mapping of next
            states to probabilities, each row adding up to exactly 1.
        start: the state the loan is in (a bucket label).
        horizon: the number of steps (12 for a 12-month PD; the months left for lifetime).
        default: the absorbing default state: for a mapping `"default"`; for a
            `RollRates` `"written_off"`, or a bucket from which a loan counts as in default
            (that bucket and the later ones). `"paid_off"` is absorbing too.

    Returns:
        The probability, from 0 to 1; it never falls as `horizon` grows.

    Raises:
        InvalidValueError: a row not adding up to 1, a probability outside 0–1, an
            unknown state, a default state that is not absorbing.

    Examples:
        >>> from decimal import Decimal as D
        >>> chain = {"M0": {"M0": D("0.9"), "M1": D("0.05"), "paid_off": D("0.05")},
        ...          "M1": {"M0": D("0.5"), "M1": D("0.2"), "default": D("0.3")}}
        >>> lifetime_pd(chain, start="M0", horizon=1), lifetime_pd(chain, start="M0", horizon=2)
        (Decimal('0'), Decimal('0.015'))
    """
    chain = _chain(matrix, default)
    if not isinstance(start, str):
        raise wrong_type("start", start, "a state name (a str)")
    steps = check_int("horizon", horizon, minimum=0)
    return _decimal(_pd(chain, start, steps))


Stage = int


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class ExpectedCreditLoss:
    """Expected credit loss of a portfolio on a date, by IFRS 9 stage; merge with `+`.

    Attributes:
        on: the date of the records.
        currency: the currency, `None` while empty.
        cells: `(stage, loans, exposure minor units, expected loss)`, the loss exact
            (unrounded, a `Decimal`), so parts add up to the whole.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal as D
        >>> from microloan import LoanRecord, Money
        >>> book = [LoanRecord(loan_id=i, disbursed=date(2025, 1, 1), principal=Money(1000),
        ...                    outstanding=Money(1000), days_past_due=d) for i, d in enumerate((0, 45, 120))]
        >>> ecl = expected_credit_loss(book, on=date(2026, 1, 31),
        ...                            pd={1: D("0.02"), 2: D("0.2"), 3: D("1")}, lgd=D("0.45"))
        >>> ecl.by_stage, ecl.total
        ({1: Money('9.00', 'CNY'), 2: Money('90.00', 'CNY'), 3: Money('450.00', 'CNY')}, Money('549.00', 'CNY'))
    """

    on: date
    currency: str | None = None
    cells: tuple[tuple[int, int, int, Decimal], ...] = ()

    def __attrs_post_init__(self) -> None:
        check_date(self.on, "on")
        check_currency_field(self.currency)
        check_cells(
            self.cells,
            shape="(stage, loans, exposure minor units, expected loss)",
            keys=1,
            below={0: (4, "is not an IFRS 9 stage: 1, 2 or 3")},
            last=Decimal,
            currency=self.currency,
        )
        for i, cell in enumerate(self.cells):
            if cell[0] == 0:
                raise invalid(f"cells[{i}][0]", cell[0], "is not an IFRS 9 stage: 1, 2 or 3")

    def _round(self, value: Decimal) -> Money:
        currency = self.currency or "CNY"
        exponent = Money.zero(currency).amount
        return Money(value.quantize(exponent, ROUND_HALF_UP, CONTEXT), currency)

    @property
    def by_stage(self) -> dict[int, Money]:
        """The expected loss of each stage (1, 2, 3), rounded half up to the minor unit."""
        return {
            s: self._round(sum((c[3] for c in self.cells if c[0] == s), Decimal(0)))
            for s in (1, 2, 3)
        }

    @property
    def exposure(self) -> dict[int, Money]:
        """The exposure at default (outstanding principal) of each stage."""
        currency = self.currency or "CNY"
        return {
            s: Money.from_minor_units(sum(c[2] for c in self.cells if c[0] == s), currency)
            for s in (1, 2, 3)
        }

    @property
    def total(self) -> Money:
        """The whole portfolio's expected loss, rounded once."""
        return self._round(sum((c[3] for c in self.cells), Decimal(0)))

    def as_rows(self) -> list[dict[str, object]]:
        """One row per stage: `stage`, `loans`, `exposure`, `ecl`."""
        loss, ead = self.by_stage, self.exposure
        return [
            {
                "stage": s,
                "loans": sum(c[1] for c in self.cells if c[0] == s),
                "exposure": ead[s],
                "ecl": loss[s],
            }
            for s in (1, 2, 3)
        ]

    def __add__(self, other: object) -> ExpectedCreditLoss:
        if not isinstance(other, ExpectedCreditLoss):
            return NotImplemented
        if other.on != self.on:
            raise invalid("other", other.on, "is an expected-loss report of another date")
        merged: dict[int, tuple[int, int, Decimal]] = {}
        for stage, loans, units, loss in (*self.cells, *other.cells):
            was = merged.get(stage, (0, 0, Decimal(0)))
            merged[stage] = (was[0] + loans, was[1] + units, CONTEXT.add(was[2], loss))
        return attrs.evolve(
            self,
            currency=join_currency(self.currency, other.currency),
            cells=tuple((k, *v) for k, v in sorted(merged.items())),
        )

    def __radd__(self, other: object) -> ExpectedCreditLoss:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented


def _by_stage(field: str, value: object) -> dict[int, Fraction]:
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in (1, 2, 3) or isinstance(k, bool)]
        if unknown:
            raise invalid(field, unknown[0], "is not a stage (1, 2 or 3)")
        missing = [s for s in (1, 2, 3) if s not in value]
        if missing:
            raise invalid(field, dict(value), f"has no value for stage {missing[0]}")
        return {s: _probability(f"{field}[{s}]", value[s]) for s in (1, 2, 3)}
    one = _probability(field, value)
    return {1: one, 2: one, 3: one}


def _stage_of(days: int, thresholds: tuple[int, int]) -> int:
    if days >= thresholds[1]:
        return 3
    return 2 if days >= thresholds[0] else 1


def _thresholds(stages: object) -> tuple[int, int]:
    if not isinstance(stages, tuple) or len(stages) != 2:
        raise wrong_type("stages", stages, "a pair of days past due, such as (30, 90)")
    two = check_int("stages[0]", stages[0], minimum=1)
    three = check_int("stages[1]", stages[1], minimum=1)
    if three < two:
        raise invalid("stages", stages, "must be in order (stage 2 from, stage 3 from)")
    return two, three


def _is_stage_map(pd: object) -> bool:
    return isinstance(pd, Mapping) and not any(isinstance(v, Mapping) for v in pd.values())


def _months(lifetime: object) -> Callable[[LoanRecord], int]:
    """Each loan's months of a lifetime PD: one number, or by loan id (12 if not listed)."""
    if isinstance(lifetime, Mapping):
        months = {k: check_int(f"lifetime[{k!r}]", v, minimum=0) for k, v in lifetime.items()}
        return lambda record: months.get(record.loan_id, 12)
    every = check_int("lifetime", lifetime, minimum=0)
    return lambda _record: every


def _probabilities(
    pd: object,
    scheme: SchemeName | BucketScheme,
    default: str | None,
    months: Callable[[LoanRecord], int],
) -> Callable[[LoanRecord, int], Fraction]:
    """The PD of a loan in a stage: given per stage, or read from the chain (cached)."""
    if _is_stage_map(pd):
        fixed = _by_stage("pd", pd)
        return lambda _record, stage: fixed[stage]
    chain = _chain(pd, default)
    plan = pd.scheme if isinstance(pd, RollRates) else resolve_scheme(scheme)
    cache: dict[tuple[str, int], Fraction] = {}

    def read(record: LoanRecord, stage: int) -> Fraction:
        state = plan.classify(record)
        horizon = 12 if stage == 1 else months(record)
        key = (state, horizon)
        if key not in cache:
            if state in chain[0]:
                cache[key] = _pd(chain, state, horizon)
            elif isinstance(pd, RollRates):  # a bucket counted as default
                cache[key] = Fraction(1)
            else:
                raise invalid("pd", state, f"has no row for the loan's bucket {state!r}")
        return cache[key]

    return read


@in_context
def expected_credit_loss(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]],
    *,
    on: date,
    pd: Mapping[int, Decimal] | RollRates | Mapping[str, Mapping[str, Decimal]],
    lgd: Decimal | Mapping[int, Decimal],
    stages: tuple[int, int] = (30, 90),
    lifetime: int | Mapping[str | int, int] = 12,
    scheme: SchemeName | BucketScheme = "m",
    default: str | None = None,
) -> ExpectedCreditLoss:
    """Expected credit loss on `on`: `PD × LGD × EAD` per loan, by IFRS 9 stage.

    Args:
        records: one record per loan on `on`; written-off and closed loans are left out.
        on: the date of the records.
        pd: a probability per stage (`{1: …, 2: …, 3: …}`), or a roll-rate matrix (a
            `RollRates`, or a mapping of mappings, see
            [`lifetime_pd`][microloan.lifetime_pd]) to derive it from: the 12-month PD
            for stage 1 and the lifetime PD for stages 2 and 3, from the loan's bucket.
        lgd: the loss given default, one `Decimal` or one per stage.
        stages: the days past due from which a loan is in stage 2 and in stage 3.
        lifetime: the months of a lifetime PD: one number, or each loan's months left by
            loan id (a loan not listed gets 12).
        scheme: the buckets of a mapping matrix (a `RollRates` carries its own).
        default: the matrix's default state (see `lifetime_pd`).

    Returns:
        The [`ExpectedCreditLoss`][microloan.ExpectedCreditLoss] report.

    Raises:
        InvalidRecordError: a bad record, or records in two currencies or off `on`.
        InvalidValueError: a probability outside 0–1, a missing stage, bad thresholds.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal as D
        >>> from microloan import LoanRecord, Money
        >>> chain = {"M0": {"M0": D("0.9"), "M1": D("0.05"), "paid_off": D("0.05")},
        ...          "M1": {"M0": D("0.5"), "M1": D("0.2"), "default": D("0.3")}}
        >>> book = [LoanRecord(loan_id=1, disbursed=date(2025, 1, 1), principal=Money(1000),
        ...                    outstanding=Money(1000), days_past_due=0)]
        >>> lifetime_pd(chain, start="M0", horizon=12).quantize(D("0.0001"))
        Decimal('0.1421')
        >>> expected_credit_loss(book, on=date(2026, 1, 31), pd=chain, lgd=D("0.5")).total
        Money('71.06', 'CNY')
    """
    day = check_date(on, "on")
    losses = _by_stage("lgd", lgd)
    thresholds = _thresholds(stages)
    probability_of = _probabilities(pd, scheme, default, _months(lifetime))
    cells: dict[int, list[object]] = {}
    currency: str | None = None
    for _, record in iter_records(records):
        check_on(record, day)
        currency = check_currency(record, currency)
        if not is_on_book(record):
            continue
        stage = _stage_of(record.days_past_due, thresholds)
        loss = probability_of(record, stage) * losses[stage] * Fraction(record.outstanding.amount)
        cell = cells.setdefault(stage, [0, 0, Fraction(0)])
        cell[0] += 1  # type: ignore[operator]
        cell[1] += record.outstanding.minor_units  # type: ignore[operator]
        cell[2] += loss  # type: ignore[operator]
    return ExpectedCreditLoss(
        on=day,
        currency=currency,
        cells=tuple(
            (k, v[0], v[1], _decimal(v[2]))  # type: ignore[misc, arg-type]
            for k, v in sorted(cells.items())
        ),
    )
