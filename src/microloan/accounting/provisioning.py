"""Loan-loss provisions by the five-tier classification, and the coverage figures.

**The rates.** The People's Bank of China's 《银行贷款损失准备计提指引》 (银发〔2002〕98号)
sets the specific provision (专项准备) of each class: special mention (关注) 2%,
substandard (次级) 25%, doubtful (可疑) 50%, loss (损失) 100%, the substandard and
doubtful rates allowed to float by 20% either way (20–30% and 40–60%), plus a general
reserve (一般准备) of at least 1% of the loans. That is the preset `"pboc-2002"`.
The Ministry of Finance's 《金融企业准备金计提管理办法》 (财金〔2012〕20号) gives, for its
standard method, the risk coefficients normal 1.5%, special mention 3%, substandard 30%,
doubtful 60%, loss 100% (preset `"mof-2012"`, with no separate general reserve: the 1.5% on
normal loans is it). Any other rates are a mapping of the five labels to `Decimal`s.

**The minimums.** 《商业银行贷款损失准备管理办法》 (银监会令2011年第4号) requires a
provision ratio (贷款拨备率, provisions / loans) of 2.5% and a provision coverage
(拨备覆盖率, provisions / non-performing loans) of 150%, the higher of the two amounts
binding; 《关于调整商业银行贷款损失准备监管要求的通知》 (银监发〔2018〕7号) lets the
regulator set them between 1.5–2.5% and 120–150%.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal, final

import attrs

from microloan._decimal import CONTEXT, in_context, in_context_methods
from microloan._validators import check_date, check_option
from microloan.errors import invalid, wrong_type
from microloan.money import Money
from microloan.portfolio import NON_PERFORMING, BucketScheme, LoanLike, LoanRecord
from microloan.portfolio._cells import check_cells, check_currency_field, join_currency, merge_cells
from microloan.portfolio._records import check_currency, check_on, is_on_book, iter_records
from microloan.portfolio.buckets import overridden_index

ProvisionPreset = Literal["pboc-2002", "mof-2012"]
"""The documented provision rates: `"pboc-2002"` (银发〔2002〕98号: 0 / 2% / 25% / 50% / 100%,
general reserve 1%) and `"mof-2012"` (财金〔2012〕20号 standard method: 1.5% / 3% / 30% /
60% / 100%, no separate general reserve)."""

FIVE_TIER: Final = ("normal", "special_mention", "substandard", "doubtful", "loss")

PROVISION_PRESETS: Final[Mapping[str, tuple[Mapping[str, Decimal], Decimal]]] = {
    "pboc-2002": (
        dict(zip(FIVE_TIER, map(Decimal, ("0", "0.02", "0.25", "0.50", "1")), strict=True)),
        Decimal("0.01"),
    ),
    "mof-2012": (
        dict(zip(FIVE_TIER, map(Decimal, ("0.015", "0.03", "0.30", "0.60", "1")), strict=True)),
        Decimal(0),
    ),
}
"""Each preset's rates by five-tier label, and its general reserve on the whole book."""

PROVISION_RATE_RANGES: Final[Mapping[str, tuple[Decimal, Decimal]]] = {
    "normal": (Decimal(0), Decimal(0)),
    "special_mention": (Decimal("0.02"), Decimal("0.02")),
    "substandard": (Decimal("0.20"), Decimal("0.30")),
    "doubtful": (Decimal("0.40"), Decimal("0.60")),
    "loss": (Decimal(1), Decimal(1)),
}
"""The specific-provision rates 银发〔2002〕98号 allows by label (25% and 50% ± 20%)."""

_SCHEME: Final = BucketScheme.preset("five-tier")


def _rate(field: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise wrong_type(field, value, "a Decimal rate, such as Decimal('0.25')")
    rate = Decimal(value)
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise invalid(field, value, "must be a rate from 0 to 1")
    return rate


def _stored_rate(field: str, value: object) -> None:
    """A rate held by a report: a `Decimal` from 0 to 1 (an int would be written as one)."""
    if not isinstance(value, Decimal):
        raise wrong_type(field, value, "a Decimal rate, such as Decimal('0.25')")
    _rate(field, value)


def _rates(rates: object, general: object) -> tuple[tuple[Decimal, ...], Decimal]:
    if isinstance(rates, str):
        name = check_option("rates", rates, ProvisionPreset)
        table, reserve = PROVISION_PRESETS[name]
        chosen = tuple(table[label] for label in FIVE_TIER)
        return chosen, reserve if general is None else _rate("general_rate", general)
    if not isinstance(rates, Mapping):
        raise wrong_type("rates", rates, "a preset name or a mapping of five-tier labels to rates")
    unknown = [k for k in rates if k not in FIVE_TIER]
    if unknown:
        raise invalid("rates", unknown[0], f"is not a five-tier label of {list(FIVE_TIER)}")
    chosen = tuple(_rate(f"rates[{label!r}]", rates.get(label, 0)) for label in FIVE_TIER)
    return chosen, Decimal(0) if general is None else _rate("general_rate", general)


def _round(value: Decimal, currency: str) -> Money:
    exponent = Money.zero(currency).amount
    return Money(value.quantize(exponent, ROUND_HALF_UP, CONTEXT), currency)


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class Provisions:
    """Loan-loss provisions of a portfolio on a date, by five-tier class; merge with `+`.

    Each class's provision is its rate × its outstanding principal, rounded half up to the
    minor unit; the general reserve is `general_rate` × all outstanding, rounded the same
    way. Two reports over disjoint parts with the same date and rates add up to the
    report over the whole.

    Attributes:
        on: the date of the records.
        rates: the specific-provision rate of each class, in five-tier order.
        general_rate: the general reserve's rate on all outstanding principal.
        currency: the currency, `None` while empty.
        cells: `(class index, loans, outstanding minor units)`.

    Examples:
        >>> from datetime import date
        >>> from microloan import LoanRecord, Money
        >>> def rec(i: int, dpd: int, left: str) -> LoanRecord:
        ...     return LoanRecord(loan_id=i, disbursed=date(2025, 1, 1), principal=Money(left),
        ...                       outstanding=Money(left), days_past_due=dpd)
        >>> book = [rec(1, 0, "8000"), rec(2, 30, "1000"), rec(3, 100, "600"), rec(4, 400, "400")]
        >>> p = provisions(book, on=date(2026, 1, 31))
        >>> p.by_class["special_mention"], p.by_class["substandard"], p.general, p.total
        (Money('20.00', 'CNY'), Money('150.00', 'CNY'), Money('100.00', 'CNY'), Money('670.00', 'CNY'))
        >>> p.coverage, p.ratio  # 670 / 1,000 non-performing; 670 / 10,000
        (Decimal('0.67'), Decimal('0.067'))
    """

    on: date
    rates: tuple[Decimal, ...]
    general_rate: Decimal
    currency: str | None = None
    cells: tuple[tuple[int, int, int], ...] = ()

    def __attrs_post_init__(self) -> None:
        check_date(self.on, "on")
        rates: object = self.rates  # as given: built by hand or read from a document
        if not isinstance(rates, tuple):
            expected = "a tuple of five Decimal rates, in five-tier order"
            raise wrong_type("rates", rates, expected)
        if len(rates) != len(FIVE_TIER):
            reason = f"has {len(rates)} rates, not one per class of {list(FIVE_TIER)}"
            raise invalid("rates", rates, reason)
        for i, rate in enumerate(rates):
            _stored_rate(f"rates[{i}]", rate)
        _stored_rate("general_rate", self.general_rate)
        check_currency_field(self.currency)
        check_cells(
            self.cells,
            shape="(class index, loans, outstanding minor units)",
            keys=1,
            below={0: (len(FIVE_TIER), f"is not a class index of {list(FIVE_TIER)}")},
            currency=self.currency,
        )

    def _money(self, units: int) -> Money:
        return Money.from_minor_units(units, self.currency or "CNY")

    def _units(self, index: int) -> int:
        return sum(c[2] for c in self.cells if c[0] == index)

    @property
    def outstanding(self) -> Money:
        """All outstanding principal provisioned against."""
        return self._money(sum(c[2] for c in self.cells))

    @property
    def non_performing(self) -> Money:
        """The outstanding principal of substandard, doubtful and loss loans (不良贷款)."""
        nplabels = [i for i, label in enumerate(FIVE_TIER) if label in NON_PERFORMING]
        return self._money(sum(c[2] for c in self.cells if c[0] in nplabels))

    @property
    def balances(self) -> dict[str, Money]:
        """Outstanding principal by class."""
        return {label: self._money(self._units(i)) for i, label in enumerate(FIVE_TIER)}

    @property
    def by_class(self) -> dict[str, Money]:
        """The specific provision of each class."""
        currency = self.currency or "CNY"
        return {
            label: _round(
                CONTEXT.multiply(self.rates[i], self._money(self._units(i)).amount), currency
            )
            for i, label in enumerate(FIVE_TIER)
        }

    @property
    def specific(self) -> Money:
        """The sum of the classes' provisions (专项准备)."""
        return sum(self.by_class.values(), self._money(0))

    @property
    def general(self) -> Money:
        """The general reserve on the whole book (一般准备)."""
        return _round(
            CONTEXT.multiply(self.general_rate, self.outstanding.amount), self.currency or "CNY"
        )

    @property
    def total(self) -> Money:
        """Specific provisions plus the general reserve."""
        return self.specific + self.general

    @property
    def coverage(self) -> Decimal | None:
        """Provision coverage (拨备覆盖率): total / non-performing; `None` with none."""
        bad = self.non_performing.amount
        return None if not bad else CONTEXT.divide(self.total.amount, bad)

    @property
    def ratio(self) -> Decimal | None:
        """The provision ratio (贷款拨备率): total / outstanding; `None` when empty."""
        whole = self.outstanding.amount
        return None if not whole else CONTEXT.divide(self.total.amount, whole)

    def required(
        self, *, coverage: Decimal = Decimal("1.5"), ratio: Decimal = Decimal("0.025")
    ) -> Money:
        """The provision the minimums require: the higher of coverage × NPL and ratio × loans.

        The defaults are the 2011 rule's 150% and 2.5% (银监会令2011年第4号); the 2018
        notice (银监发〔2018〕7号) allows 120–150% and 1.5–2.5%.

        Examples:
            >>> from datetime import date
            >>> from microloan import LoanRecord, Money
            >>> p = provisions([LoanRecord(loan_id=1, disbursed=date(2025, 1, 1), principal=Money(100),
            ...                            outstanding=Money(100), days_past_due=100)],
            ...                on=date(2026, 1, 31))
            >>> p.total, p.required(), p.shortfall()  # 25 + 1; 150% of 100
            (Money('26.00', 'CNY'), Money('150.00', 'CNY'), Money('124.00', 'CNY'))
        """
        low_cover = _minimum("coverage", coverage, 10)
        low_ratio = _minimum("ratio", ratio, 1)
        currency = self.currency or "CNY"
        by_cover = CONTEXT.multiply(low_cover, self.non_performing.amount)
        by_ratio = CONTEXT.multiply(low_ratio, self.outstanding.amount)
        return _round(max(by_cover, by_ratio), currency)

    def shortfall(
        self, *, coverage: Decimal = Decimal("1.5"), ratio: Decimal = Decimal("0.025")
    ) -> Money:
        """How much the total falls short of `required` (zero when it meets it)."""
        gap = self.required(coverage=coverage, ratio=ratio) - self.total
        return max(gap, self._money(0))

    def meets(
        self, *, coverage: Decimal = Decimal("1.5"), ratio: Decimal = Decimal("0.025")
    ) -> bool:
        """Whether the total meets both minimums."""
        return not self.shortfall(coverage=coverage, ratio=ratio)

    def as_rows(self) -> list[dict[str, object]]:
        """One row per class: `class`, `loans`, `outstanding`, `rate`, `provision`."""
        provision = self.by_class
        return [
            {
                "class": label,
                "loans": sum(c[1] for c in self.cells if c[0] == i),
                "outstanding": self._money(self._units(i)),
                "rate": self.rates[i],
                "provision": provision[label],
            }
            for i, label in enumerate(FIVE_TIER)
        ]

    def __add__(self, other: object) -> Provisions:
        if not isinstance(other, Provisions):
            return NotImplemented
        if (other.on, other.rates, other.general_rate) != (self.on, self.rates, self.general_rate):
            raise invalid("other", other.on, "is a provisions report of another date or rates")
        return attrs.evolve(
            self,
            currency=join_currency(self.currency, other.currency),
            cells=merge_cells(self.cells, other.cells, keys=1),  # type: ignore[arg-type]
        )

    def __radd__(self, other: object) -> Provisions:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented


def _minimum(field: str, value: object, top: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise wrong_type(field, value, "a Decimal, such as Decimal('1.5')")
    found = Decimal(value)
    if not found.is_finite() or not 0 <= found <= top:
        raise invalid(field, value, f"must be from 0 to {top}")
    return found


@in_context
def provisions(
    records: Iterable[LoanRecord | LoanLike | Mapping[str, object]],
    *,
    on: date,
    rates: ProvisionPreset | Mapping[str, Decimal] = "pboc-2002",
    general_rate: Decimal | None = None,
    scheme: BucketScheme | None = None,
) -> Provisions:
    """Provisions of a portfolio on `on` by the five-tier classification.

    Written-off and closed loans are left out. Each loan is classed by its days past due
    (the five-tier scheme of the 2023 measures, or `scheme`, a five-tier scheme with an
    override) and provisioned at its class's rate.

    Args:
        records: one record per loan on `on` (records, mappings or loan-like objects).
        on: the date of the records.
        rates: a [`ProvisionPreset`][microloan.ProvisionPreset] or a mapping of five-tier
            labels to rates from 0 to 1 (a label left out is 0).
        general_rate: the general reserve on all outstanding (default: the preset's; 0
            with a mapping).
        scheme: a five-tier [`BucketScheme`][microloan.BucketScheme] with an override.

    Returns:
        The [`Provisions`][microloan.Provisions] report.

    Raises:
        InvalidRecordError: a bad record, records in two currencies, or off `on`.
        InvalidValueError: an unknown preset or label, or a rate outside 0–1.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from microloan import LoanRecord, Money
        >>> book = [LoanRecord(loan_id=1, disbursed=date(2025, 1, 1), principal=Money(1000),
        ...                    outstanding=Money(1000), days_past_due=300)]
        >>> provisions(book, on=date(2026, 1, 31), rates={"doubtful": Decimal("0.6")}).total
        Money('600.00', 'CNY')
    """
    day = check_date(on, "on")
    chosen, reserve = _rates(rates, general_rate)
    plan = _SCHEME if scheme is None else scheme
    if not isinstance(plan, BucketScheme):
        raise wrong_type("scheme", scheme, "a five-tier BucketScheme")
    if plan.labels != FIVE_TIER:
        raise invalid("scheme", plan.name, f"must have the five-tier labels {list(FIVE_TIER)}")
    cells: dict[int, list[int]] = {}
    currency: str | None = None
    for _, record in iter_records(records):
        check_on(record, day)
        currency = check_currency(record, currency)
        if not is_on_book(record):
            continue
        index = overridden_index(plan, record, record.days_past_due)
        cell = cells.setdefault(index, [0, 0])
        cell[0] += 1
        cell[1] += record.outstanding.minor_units
    return Provisions(
        on=day,
        rates=chosen,
        general_rate=reserve,
        currency=currency,
        cells=tuple((k, *v) for k, v in sorted(cells.items())),  # type: ignore[misc]
    )
