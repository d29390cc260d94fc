"""The lender's funding limits: how much a micro-loan company may lend, and to one borrower.

A Chinese micro-loan company (小额贷款公司) lends its own capital plus limited
borrowings. Two regulatory texts set the limits, and both are presets of a
[`LeverageRule`][microloan.LeverageRule]:

- **2008 guidance** (银监发〔2008〕23号, 关于小额贷款公司试点的指导意见): funds
  from banks at most 50% of net capital; one borrower at most 5% of net capital.
  The platform lender: 1.6 bn of capital may lend at most 1.6 + 0.8 = 2.4 bn.
- **2020 notice** (银保监办发〔2020〕86号, 关于加强小额贷款公司监督管理的通知):
  bank and shareholder borrowings together at most 1× net assets; one borrower at
  most 10% of net assets (pass net assets as `net_capital`).

[`FundingLimits`][microloan.FundingLimits] applies a rule to a lender's figures
so a service can refuse a drawdown that would breach them:
[`FundingLimits.breaches`][microloan.FundingLimits.breaches] lists every breach,
[`FundingLimits.check`][microloan.FundingLimits.check] raises
[`FundingLimitError`][microloan.FundingLimitError]. Limits are rounded *down*
to whole minor units: a ceiling never rounds up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, final

import attrs

from microloan._decimal import CONTEXT, to_decimal
from microloan.errors import (
    CurrencyMismatchError,
    FundingLimitError,
    invalid,
    wrong_type,
)
from microloan.money import Money


def _share(value: object) -> Decimal:
    if isinstance(value, str) and value.strip().endswith("%"):
        return CONTEXT.divide(to_decimal(value.strip()[:-1], "share"), Decimal(100))
    return to_decimal(value, "share")


def _check_ratio(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, Decimal):
        raise wrong_type(attribute.name, value, "a Decimal")
    if not value.is_finite() or value < 0:
        raise invalid(attribute.name, value, "must be a finite ratio >= 0")


def _check_name(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, str) or not value.strip():
        raise invalid("name", value, "must be a non-empty str")


@final
@attrs.frozen(kw_only=True)
class LeverageRule:
    """A leverage and concentration rule: borrowings and one borrower as shares of capital.

    Attributes:
        name: a label (`"2008 guidance"`).
        borrowing_ratio: the most the lender may borrow, as a multiple of its net
            capital (0.5 in 2008, 1 in 2020).
        single_borrower_share: the most one borrower may owe, as a share of net
            capital (0.05 in 2008, 0.10 in 2020).

    Raises:
        InvalidValueError: a negative or non-finite ratio.

    Examples:
        >>> from microloan import Money
        >>> rule = LeverageRule.guidance_2008()
        >>> rule.lending_capacity(Money("1600000000"))  # the platform lender: 1.6 bn -> 2.4 bn
        Money('2400000000.00', 'CNY')
    """

    name: str = attrs.field(validator=_check_name)
    borrowing_ratio: Decimal = attrs.field(validator=_check_ratio)
    single_borrower_share: Decimal = attrs.field(validator=_check_ratio)

    @classmethod
    def custom(
        cls,
        name: str,
        *,
        borrowing_ratio: str | int | Decimal,
        single_borrower_share: str | int | Decimal,
    ) -> LeverageRule:
        """A rule from ratios written as fractions (`"0.5"`) or percents (`"50%"`).

        Examples:
            >>> LeverageRule.custom("provincial", borrowing_ratio="400%", single_borrower_share="10%").borrowing_ratio
            Decimal('4')
        """
        return cls(
            name=name,
            borrowing_ratio=_share(borrowing_ratio),
            single_borrower_share=_share(single_borrower_share),
        )

    @classmethod
    def guidance_2008(cls) -> LeverageRule:
        """The 2008 guidance: bank funds ≤ 50% of net capital; one borrower ≤ 5%.

        Examples:
            >>> LeverageRule.guidance_2008().single_borrower_share
            Decimal('0.05')
        """
        return cls(
            name="2008 guidance",
            borrowing_ratio=Decimal("0.5"),
            single_borrower_share=Decimal("0.05"),
        )

    @classmethod
    def notice_2020(cls) -> LeverageRule:
        """The 2020 notice: bank and shareholder borrowings ≤ 1× net assets; one borrower ≤ 10%.

        Examples:
            >>> from microloan import Money
            >>> LeverageRule.notice_2020().lending_capacity(Money("1600000000"))
            Money('3200000000.00', 'CNY')
        """
        return cls(
            name="2020 notice",
            borrowing_ratio=Decimal(1),
            single_borrower_share=Decimal("0.10"),
        )

    def max_borrowings(self, net_capital: Money) -> Money:
        """The most the lender may borrow: net capital × the borrowing ratio, rounded down.

        Examples:
            >>> from microloan import Money
            >>> LeverageRule.guidance_2008().max_borrowings(Money("1600000000"))
            Money('800000000.00', 'CNY')
        """
        return (_capital(net_capital) * self.borrowing_ratio).round("down")

    def lending_capacity(self, net_capital: Money) -> Money:
        """The most the lender may have lent: net capital plus the most it may borrow.

        Examples:
            >>> from microloan import Money
            >>> LeverageRule.guidance_2008().lending_capacity(Money("100000000"))
            Money('150000000.00', 'CNY')
        """
        capital = _capital(net_capital)
        return capital.round("down") + self.max_borrowings(capital)

    def single_borrower_limit(self, net_capital: Money) -> Money:
        """The most one borrower may owe: net capital × the single-borrower share, rounded down.

        Examples:
            >>> from microloan import Money
            >>> rule = LeverageRule.guidance_2008()  # 5% of net capital
            >>> rule.single_borrower_limit(Money("1600000000")), rule.single_borrower_share
            (Money('80000000.00', 'CNY'), Decimal('0.05'))
        """
        return (_capital(net_capital) * self.single_borrower_share).round("down")


def _capital(value: object) -> Money:
    if not isinstance(value, Money):
        raise wrong_type("net_capital", value, "Money")
    if value.amount <= 0:
        raise invalid("net_capital", value, "must be positive")
    return value


def _check_capital(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    _capital(value)


def _check_rule(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, LeverageRule):
        raise wrong_type("rule", value, "a LeverageRule")


def _check_borrowings(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if value is None:
        return
    if not isinstance(value, Money):
        raise wrong_type("borrowings", value, "Money or None")
    if value.amount < 0:
        raise invalid("borrowings", value, "must not be negative")


@final
@attrs.frozen(kw_only=True)
class FundingLimits:
    """A lender's funding limits under a leverage rule: what it may lend in all, and to one borrower.

    Attributes:
        net_capital: the lender's net capital (net assets, for the 2020 notice).
        rule: the [`LeverageRule`][microloan.LeverageRule].
        borrowings: what the lender has actually borrowed; None (the default)
            assumes it has borrowed all the rule allows. The funds it can lend
            are net capital plus borrowings, up to the rule's maximum.

    Raises:
        InvalidValueError: non-positive capital or negative borrowings.
        CurrencyMismatchError: borrowings in another currency.

    Examples:
        >>> from microloan import Money
        >>> limits = FundingLimits(net_capital=Money("1600000000"), rule=LeverageRule.guidance_2008())
        >>> limits.capacity, limits.single_borrower_limit
        (Money('2400000000.00', 'CNY'), Money('80000000.00', 'CNY'))
    """

    net_capital: Money = attrs.field(validator=_check_capital)
    rule: LeverageRule = attrs.field(validator=_check_rule)
    borrowings: Money | None = attrs.field(default=None, validator=_check_borrowings)

    def __attrs_post_init__(self) -> None:
        if self.borrowings is not None and self.borrowings.currency != self.net_capital.currency:
            raise CurrencyMismatchError(
                f"currency: borrowings {self.borrowings!r} are in {self.borrowings.currency}; "
                f"net capital is in {self.net_capital.currency}"
            )

    @property
    def max_borrowings(self) -> Money:
        """The most the lender may borrow under its rule."""
        return self.rule.max_borrowings(self.net_capital)

    @property
    def capacity(self) -> Money:
        """The most the lender may have lent: capital plus borrowings (at most the rule's maximum)."""
        allowed = self.max_borrowings
        borrowed = (
            allowed if self.borrowings is None else min(self.borrowings.round("down"), allowed)
        )
        return self.net_capital.round("down") + borrowed

    @property
    def single_borrower_limit(self) -> Money:
        """The most one borrower may owe."""
        return self.rule.single_borrower_limit(self.net_capital)

    def breaches(
        self, amount: Money, *, lent: Money, borrower_owes: Money | None = None
    ) -> list[str]:
        """Every limit a new loan of `amount` would breach; empty when it fits.

        Args:
            amount: the new drawdown.
            lent: the lender's loans outstanding before it.
            borrower_owes: what this borrower owes the lender before it (zero by default).

        Returns:
            One message per breach: the borrowings over the rule's maximum, the
            book over capacity, the borrower over the single-borrower limit.

        Examples:
            >>> from microloan import Money
            >>> limits = FundingLimits(net_capital=Money("1600000000"), rule=LeverageRule.guidance_2008())
            >>> limits.breaches(Money("90000000"), lent=Money("2350000000"))
            ['lent: 2,440,000,000 CNY after this loan is above the capacity 2,400,000,000.00 CNY', 'borrower_owes: 90,000,000.00 CNY after this loan is above the single-borrower limit 80,000,000.00 CNY']
        """
        for field, value in (("amount", amount), ("lent", lent)):
            if not isinstance(value, Money):
                raise wrong_type(field, value, "Money")
        owes = Money.zero(self.net_capital.currency) if borrower_owes is None else borrower_owes
        if not isinstance(owes, Money):
            raise wrong_type("borrower_owes", owes, "Money or None")
        for field, value in (("amount", amount), ("lent", lent), ("borrower_owes", owes)):
            if value.currency != self.net_capital.currency:
                raise CurrencyMismatchError(
                    f"currency: {field} {value!r} is in {value.currency}; "
                    f"net capital is in {self.net_capital.currency}"
                )
            if value.amount < 0:
                raise invalid(field, value, "must not be negative")
        found: list[str] = []
        if self.borrowings is not None and self.borrowings > self.max_borrowings:
            found.append(
                f"borrowings: {self.borrowings} is above the {self.rule.name} maximum "
                f"{self.max_borrowings}"
            )
        book = lent + amount
        if book > self.capacity:
            found.append(f"lent: {book} after this loan is above the capacity {self.capacity}")
        exposure = owes + amount
        if exposure > self.single_borrower_limit:
            found.append(
                f"borrower_owes: {exposure} after this loan is above the single-borrower "
                f"limit {self.single_borrower_limit}"
            )
        return found

    def check(self, amount: Money, *, lent: Money, borrower_owes: Money | None = None) -> None:
        """Raise if a new loan of `amount` would breach any limit (all are listed).

        Raises:
            FundingLimitError: one or more limits would be breached.

        Examples:
            >>> from microloan import Money
            >>> limits = FundingLimits(net_capital=Money("100000000"), rule=LeverageRule.notice_2020())
            >>> limits.check(Money("10000000"), lent=Money("0"))  # 10% of capital: allowed
            >>> limits.check(Money("10000000.01"), lent=Money("0"))
            Traceback (most recent call last):
            ...
            microloan.FundingLimitError: borrower_owes: 10,000,000.01 CNY after this loan is above the single-borrower limit 10,000,000.00 CNY
        """
        found = self.breaches(amount, lent=lent, borrower_owes=borrower_owes)
        if found:
            raise FundingLimitError(found)
