"""Loan products: the lender's configuration of what may be lent, and on which terms.

A [`LoanProduct`][microloan.LoanProduct] says which amounts, terms and repayment
methods a lender offers, at which rate and day-count conventions, with which penalty,
grace and allocation terms, and what kind of credit line carries it (revolving or
fixed) for how long. [`LoanProduct.violations`][microloan.LoanProduct.violations]
names *every* bound a requested loan breaks, so an application screen can show them
all at once; [`LoanProduct.check`][microloan.LoanProduct.check] raises one
[`ProductViolationError`][microloan.ProductViolationError] listing them.

The presets are examples drawn from the published description of a platform lender's
products (2010s) — they document the shape of such products, not any company's
current terms:

- [`LoanProduct.order_loan`][microloan.LoanProduct.order_loan] (订单贷款): a 30-day
  bullet at 0.05% a day against shipped-but-unconfirmed orders, at most 1,000,000;
  its limit comes from [`order_loan_limit`][microloan.order_loan_limit];
- [`LoanProduct.revolving_credit`][microloan.LoanProduct.revolving_credit] (循环贷):
  a 50,000–1,000,000 line at 21% a year, drawn and repaid at will, interest by the day;
- [`LoanProduct.fixed_credit`][microloan.LoanProduct.fixed_credit] (固定贷): the
  whole line paid out once, repaid over 6 months;
- [`LoanProduct.installment_loan`][microloan.LoanProduct.installment_loan]: 3, 6, 9
  or 12 monthly installments, equal installments (按月等额本息) or monthly interest
  with principal at maturity (按月付息，到期还本).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_DOWN
from typing import Any, Literal, TypedDict, Unpack, final

import attrs

from microloan._decimal import CONTEXT, RoundingMode, to_decimal
from microloan._validators import check_int, check_items, check_option, option
from microloan._validators import check_name as _check_name
from microloan.business_days import BusinessDay, Calendar
from microloan.conventions import Conventions
from microloan.errors import (
    CurrencyMismatchError,
    ProductViolationError,
    invalid,
    wrong_type,
)
from microloan.fees import Fee, check_fees
from microloan.money import MINOR_UNIT_QUANTA, Money, unchecked_money
from microloan.rates import DaysInYear, Rate
from microloan.schedules import (
    Accrual,
    Frequency,
    Method,
    _check_origination,
    origination_applies,
    periods_per_year,
)
from microloan.terms import AllocationOrder, PenaltyPreset, ServicingTerms

DrawMethod = Literal["open_ended", Method]
"""How a loan (or a drawdown from a line) is repaid.

- `"open_ended"`: interest by the day on what is outstanding, repayable in any
  amount on any day, all due at maturity (随借随还, [`Loan.open_ended`][microloan.Loan.open_ended]);
- the name of a schedule generator: `"equal_installment"` (等额本息),
  `"equal_principal"` (等额本金), `"interest_only"` (先息后本), `"bullet"`
  (到期一次还本付息) or `"flat"` (等本等息).
"""

LineKind = Literal["revolving", "fixed"]
"""A credit line's kind: `"revolving"` (循环贷: draw and repay at will; repaid principal
can be drawn again) or `"fixed"` (固定贷: the line is paid out once)."""


def _check_money(field: str) -> Any:  # noqa: ANN401 - an attrs validator
    def check(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
        if not isinstance(value, Money):
            raise wrong_type(field, value, "Money")
        if value.amount <= 0 or not value.is_whole:
            raise invalid(field, value, "must be a positive amount in whole minor units")

    return check


def _check_count(field: str, minimum: int) -> Any:  # noqa: ANN401
    def check(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
        check_int(field, value, minimum=minimum)

    return check


def _check_optional_days(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if value is not None:
        _check_count("max_days", 1)(None, None, value)


def _check_methods(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, tuple) or not value:
        raise invalid("methods", value, "must be a non-empty tuple of repayment methods")
    for method in value:
        check_option("methods", method, DrawMethod)
    if len(set(value)) != len(value):
        raise invalid("methods", value, "lists a method twice")


def _check_terms(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, tuple):
        raise wrong_type("terms", value, "a tuple of ints")
    for term in value:
        if isinstance(term, bool) or not isinstance(term, int) or term < 1:
            raise invalid("terms", term, "must be a number of installments >= 1")
    if len(set(value)) != len(value):
        raise invalid("terms", value, "lists a term twice")


def _check_rate(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, Rate):
        raise wrong_type("rate", value, "a Rate, e.g. Rate.annual('18%')")


def _check_frequency(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    periods_per_year(value)  # raises InvalidValueError naming frequency


def _check_conventions(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if value is not None and not isinstance(value, Conventions):
        raise wrong_type("conventions", value, "Conventions or None")


def _check_calendar(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if value is not None and not isinstance(value, Calendar):
        raise wrong_type("calendar", value, "a Calendar or None")


def _check_fees(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, tuple):
        raise wrong_type("fees", value, "a tuple of Fee")
    check_fees(value)


def _bundled(name: str) -> Any:  # noqa: ANN401 - an attrs default factory
    """The default of a schedule convention: the product's bundle's, else the library's."""

    def default(product: LoanProduct) -> object:
        bundle = product.conventions  # checked by its validator, which runs after the defaults
        return getattr(bundle if isinstance(bundle, Conventions) else Conventions(), name)

    return default


def _default_min_limit(product: LoanProduct) -> Money:
    return product.min_amount


def _default_max_limit(product: LoanProduct) -> Money:
    return product.max_amount


class _LoanRequest(TypedDict, total=False):
    """What a borrower asks for besides the amount (see `LoanProduct.violations`)."""

    method: DrawMethod | None
    term: int | None
    days: int | None


@final
@attrs.frozen(kw_only=True)
class LoanProduct:
    """A lender's loan product: bounds, terms, conventions and the line that carries it.

    Attributes:
        name: a label for people (`"revolving credit loan"`).
        rate: the contract rate a line of this product gets by default.
        min_amount: the smallest loan or drawdown (whole minor units; fixes the currency).
        max_amount: the largest loan or drawdown.
        min_limit: the smallest line limit (default `min_amount`).
        max_limit: the largest line limit (default `max_amount`).
        methods: the allowed [`DrawMethod`][microloan.DrawMethod]s; the first is the default.
        terms: the allowed numbers of installments for the schedule methods; the
            first is the default (empty when only `"open_ended"` is offered).
        frequency: the installment frequency (`"monthly"`, `"weekly"`,
            `"biweekly"` or every N days), as for the schedule generators.
        max_days: the longest open-ended drawdown, in days, and its default
            maturity (None: the caller names the maturity, and any is allowed).
        conventions: the [`Conventions`][microloan.Conventions] of its loans'
            schedules (None: the library's defaults); `accrual`, `days_in_year`
            and `rounding` default to the bundle's, and override it when given.
        accrual: `"period"` or `"daily"` accrual of scheduled interest.
        days_in_year: 360 (PBoC, default), 365 or `"actual"`.
        rounding: the rounding mode of interest and installments (default `"half_up"`).
        business_day: the [`BusinessDay`][microloan.BusinessDay] rule for a due date
            on a non-business day (default the bundle's, `"none"`: dates do not move).
        calendar: the [`Calendar`][microloan.Calendar] due dates move on (default the
            bundle's; `None`: Saturday and Sunday off, no holidays).
        penalty_rate: a [`PenaltyPreset`][microloan.PenaltyPreset] or an explicit `Rate`.
        penalty_on_interest: whether overdue interest bears penalty too.
        grace_days: days after a due date within which a payment bears no penalty.
        allocation: the [`AllocationOrder`][microloan.AllocationOrder] of payments.
        line_kind: the [`LineKind`][microloan.LineKind] of the line that carries it.
        line_months: how long a line of this product runs, in months from opening.
        validity_days: the approval's validity (授信有效期): the days after opening
            within which the line must first be drawn, or it lapses.
        interest_consumes_limit: whether interest, fees and penalty owed count
            against a revolving line's limit (by default only principal does).
        principal_grace: the installments of its schedule drawdowns that pay interest
            only first (grace on principal), where the method takes it; 0 for none.
        interest_free_periods: the first periods of its schedule drawdowns that
            charge no interest (免息期), where the method takes it; 0 for none.
        fees: the [`Fee`][microloan.Fee]s of its loans and drawdowns (given to
            [`CreditLine.draw`][microloan.CreditLine.draw] by default).

    Raises:
        InvalidValueError: a bound out of order, an unknown option, amounts in
            several currencies, a term method without terms.
        InvalidTypeError: a field of the wrong type.

    Examples:
        >>> from microloan import Money, Rate
        >>> product = LoanProduct(name="weekly loan", rate=Rate.annual("24%"),
        ...                       min_amount=Money("500"), max_amount=Money("20000"),
        ...                       methods=("equal_installment",), terms=(4, 8), frequency="weekly")
        >>> product.violations(Money("30000"), term=6)
        ['amount: 30,000 CNY is above the maximum 20,000 CNY', 'term: 6 is not one of the allowed terms [4, 8]']
    """

    name: str = attrs.field(validator=_check_name)
    rate: Rate = attrs.field(validator=_check_rate)
    min_amount: Money = attrs.field(validator=_check_money("min_amount"))
    max_amount: Money = attrs.field(validator=_check_money("max_amount"))
    min_limit: Money = attrs.field(
        default=attrs.Factory(_default_min_limit, takes_self=True),
        validator=_check_money("min_limit"),
    )
    max_limit: Money = attrs.field(
        default=attrs.Factory(_default_max_limit, takes_self=True),
        validator=_check_money("max_limit"),
    )
    methods: tuple[DrawMethod, ...] = attrs.field(default=("open_ended",), validator=_check_methods)
    terms: tuple[int, ...] = attrs.field(default=(), validator=_check_terms)
    frequency: Frequency = attrs.field(default="monthly", validator=_check_frequency)
    max_days: int | None = attrs.field(default=None, validator=_check_optional_days)
    conventions: Conventions | None = attrs.field(default=None, validator=_check_conventions)
    accrual: Accrual = attrs.field(
        default=attrs.Factory(_bundled("accrual"), takes_self=True), validator=option(Accrual)
    )
    days_in_year: DaysInYear = attrs.field(
        default=attrs.Factory(_bundled("days_in_year"), takes_self=True),
        validator=option(DaysInYear),
    )
    rounding: RoundingMode = attrs.field(
        default=attrs.Factory(_bundled("rounding"), takes_self=True),
        validator=option(RoundingMode),
    )
    business_day: BusinessDay = attrs.field(
        default=attrs.Factory(_bundled("business_day"), takes_self=True),
        validator=option(BusinessDay),
    )
    calendar: Calendar | None = attrs.field(
        default=attrs.Factory(_bundled("calendar"), takes_self=True), validator=_check_calendar
    )
    penalty_rate: Rate | PenaltyPreset = "1.5x"
    penalty_on_interest: bool = False
    grace_days: int = 0
    allocation: AllocationOrder = "oldest_first"
    line_kind: LineKind = attrs.field(default="revolving", validator=option(LineKind))
    line_months: int = attrs.field(default=12, validator=_check_count("line_months", 1))
    validity_days: int = attrs.field(default=30, validator=_check_count("validity_days", 0))
    interest_consumes_limit: bool = False
    principal_grace: int = attrs.field(default=0, validator=_check_count("principal_grace", 0))
    interest_free_periods: int = attrs.field(
        default=0, validator=_check_count("interest_free_periods", 0)
    )
    fees: tuple[Fee, ...] = attrs.field(default=(), validator=_check_fees)

    def __attrs_post_init__(self) -> None:
        currency = self.min_amount.currency
        for field in ("max_amount", "min_limit", "max_limit"):
            value: Money = getattr(self, field)
            if value.currency != currency:
                raise CurrencyMismatchError(
                    f"currency: {field} {value!r} is in {value.currency}; min_amount is in {currency}"
                )
        if self.max_amount < self.min_amount:
            raise invalid("max_amount", self.max_amount, f"is below min_amount {self.min_amount}")
        if self.max_limit < self.min_limit:
            raise invalid("max_limit", self.max_limit, f"is below min_limit {self.min_limit}")
        if any(m != "open_ended" for m in self.methods) and not self.terms:
            raise invalid("terms", self.terms, f"must list the allowed terms of {self.methods}")
        # the servicing options are checked by the loans module's own validators
        self.servicing_terms()
        self._check_origination()

    def _check_origination(self) -> None:
        """Grace and interest-free periods fit every term of every method that takes them."""
        for method in self.methods:
            if method == "open_ended":
                continue
            for term in self.terms:
                _check_origination(
                    method,
                    term,
                    self.max_amount.amount,
                    self.currency,
                    self.principal_grace if origination_applies("principal_grace", method) else 0,
                    self.interest_free_periods
                    if origination_applies("interest_free_periods", method)
                    else 0,
                    None,
                )

    # -- views ----------------------------------------------------------------
    @property
    def currency(self) -> str:
        """The product's currency (that of its amounts).

        Examples:
            >>> LoanProduct.order_loan().currency
            'CNY'
        """
        return self.min_amount.currency

    def servicing_terms(self) -> ServicingTerms:
        """The [`ServicingTerms`][microloan.ServicingTerms] of loans under this product.

        Examples:
            >>> LoanProduct.revolving_credit().servicing_terms().penalty_rate
            '1.5x'
        """
        return ServicingTerms(
            penalty_rate=self.penalty_rate,
            penalty_on_interest=self.penalty_on_interest,
            grace_days=self.grace_days,
            allocation=self.allocation,
        )

    # -- validation -----------------------------------------------------------
    def violations(
        self,
        amount: Money,
        *,
        method: DrawMethod | None = None,
        term: int | None = None,
        days: int | None = None,
    ) -> list[str]:
        """Every bound of this product that a requested loan breaks; empty when it fits.

        Args:
            amount: the amount requested.
            method: the repayment method (default: the product's first).
            term: the number of installments, for a schedule method (default:
                the product's first term).
            days: the length in days of an open-ended drawdown.

        Returns:
            One message per violated bound, each naming the field and the value.

        Examples:
            >>> from microloan import Money
            >>> LoanProduct.installment_loan().violations(Money("60000"), term=6)
            []
            >>> for problem in LoanProduct.installment_loan().violations(
            ...         Money("10"), method="bullet", term=24):
            ...     print(problem)
            amount: 10 CNY is below the minimum 50,000.00 CNY
            method: 'bullet' is not one of the allowed methods ['equal_installment', 'interest_only']
            term: 24 is not one of the allowed terms [3, 6, 9, 12]
        """
        found: list[str] = []
        if not isinstance(amount, Money):
            raise wrong_type("amount", amount, "Money")
        if amount.currency != self.currency:
            found.append(
                f"amount: {amount!r} is in {amount.currency}; the product lends {self.currency}"
            )
        elif amount < self.min_amount:
            found.append(f"amount: {amount} is below the minimum {self.min_amount}")
        elif amount > self.max_amount:
            found.append(f"amount: {amount} is above the maximum {self.max_amount}")
        chosen = self.methods[0] if method is None else method
        if chosen not in self.methods:
            found.append(
                f"method: {chosen!r} is not one of the allowed methods {list(self.methods)}"
            )
        found += self._term_violations(chosen, term, days)
        return found

    def _term_violations(self, method: str, term: int | None, days: int | None) -> list[str]:
        found: list[str] = []
        if method != "open_ended":
            if term is not None and term not in self.terms:
                found.append(f"term: {term!r} is not one of the allowed terms {list(self.terms)}")
            return found
        if term is not None:
            found.append(f"term: {term!r} does not apply to an open-ended drawdown")
        if days is not None and self.max_days is not None and days > self.max_days:
            found.append(f"days: {days} is longer than the maximum {self.max_days} days")
        if days is not None and days < 1:
            found.append(f"days: {days} must be at least 1")
        return found

    def check(self, amount: Money, **request: Unpack[_LoanRequest]) -> None:
        """Raise if a requested loan breaks any bound; the error lists every violation.

        Arguments are those of [`violations`][microloan.LoanProduct.violations].

        Raises:
            ProductViolationError: one or more bounds are broken (all are listed).

        Examples:
            >>> from microloan import Money
            >>> LoanProduct.order_loan().check(Money("2000000"))
            Traceback (most recent call last):
            ...
            microloan.ProductViolationError: amount: 2,000,000 CNY is above the maximum 1,000,000.00 CNY
        """
        found = self.violations(amount, **request)
        if found:
            raise ProductViolationError(found)

    def limit_violations(self, limit: Money) -> list[str]:
        """The bounds a line limit breaks (currency, minimum and maximum); empty when it fits.

        Examples:
            >>> from microloan import Money
            >>> LoanProduct.revolving_credit().limit_violations(Money("20000"))
            ['limit: 20,000 CNY is below the minimum line 50,000.00 CNY']
        """
        if not isinstance(limit, Money):
            raise wrong_type("limit", limit, "Money")
        if limit.currency != self.currency:
            return [f"limit: {limit!r} is in {limit.currency}; the product lends {self.currency}"]
        if limit < self.min_limit:
            return [f"limit: {limit} is below the minimum line {self.min_limit}"]
        if limit > self.max_limit:
            return [f"limit: {limit} is above the maximum line {self.max_limit}"]
        return []

    # -- presets (examples of the platform's products, not any company's current terms) -----
    @classmethod
    def order_loan(cls) -> LoanProduct:
        """The platform's order loan (订单贷款): a 30-day bullet at 0.05% a day, at most 1,000,000.

        The limit comes from the orders shipped but not yet confirmed by the buyer
        ([`order_loan_limit`][microloan.order_loan_limit]); the loan is repaid
        when the orders settle ([`CreditLine.settle`][microloan.CreditLine.settle]).
        Interest accrues by the day (360-day year), so a loan settled early pays
        only for the days used. A fixed line, valid 30 days.

        Examples:
            >>> LoanProduct.order_loan().methods, LoanProduct.order_loan().frequency
            (('bullet',), 30)
        """
        return cls(
            name="order loan (订单贷款)",
            rate=Rate.daily("0.05%"),
            min_amount=Money("1.00"),
            max_amount=Money("1000000.00"),
            methods=("bullet",),
            terms=(1,),
            frequency=30,
            accrual="daily",
            line_kind="fixed",
            line_months=1,
            validity_days=30,
        )

    @classmethod
    def revolving_credit(cls) -> LoanProduct:
        """The platform's revolving credit loan (循环贷): a 50,000–1,000,000 line at 21% a year.

        Drawdowns are open-ended, interest by the day (360-day year) on what is
        drawn, each repayable at any time within 180 days; the line runs 12
        months and must first be drawn within 30 days of approval.

        Examples:
            >>> product = LoanProduct.revolving_credit()
            >>> product.line_kind, product.min_limit, product.max_days
            ('revolving', Money('50000.00', 'CNY'), 180)
        """
        return cls(
            name="revolving credit loan (循环贷)",
            rate=Rate.annual("21%"),
            min_amount=Money("100.00"),
            max_amount=Money("1000000.00"),
            min_limit=Money("50000.00"),
            max_limit=Money("1000000.00"),
            methods=("open_ended",),
            max_days=180,
            line_kind="revolving",
            line_months=12,
            validity_days=30,
        )

    @classmethod
    def fixed_credit(cls) -> LoanProduct:
        """The platform's fixed credit loan (固定贷): the whole line paid out once, over 6 months.

        50,000–1,000,000 at 21% a year, repaid by 6 monthly equal installments
        (the default) or monthly interest with principal at maturity.

        Examples:
            >>> product = LoanProduct.fixed_credit()
            >>> product.line_kind, product.terms, product.methods
            ('fixed', (6,), ('equal_installment', 'interest_only'))
        """
        return cls(
            name="fixed credit loan (固定贷)",
            rate=Rate.annual("21%"),
            min_amount=Money("50000.00"),
            max_amount=Money("1000000.00"),
            methods=("equal_installment", "interest_only"),
            terms=(6,),
            line_kind="fixed",
            line_months=6,
            validity_days=30,
        )

    @classmethod
    def installment_loan(cls) -> LoanProduct:
        """The platform's installment terms: 3, 6, 9 or 12 months at 21% a year.

        Monthly equal installments (按月等额本息, the default) or monthly
        interest with principal at maturity (按月付息，到期还本); 50,000–1,000,000,
        paid out once (a fixed line) within 30 days of approval.

        Examples:
            >>> LoanProduct.installment_loan().terms
            (3, 6, 9, 12)
        """
        # the fixed credit loan's amounts, rate and methods, over any of four terms
        return attrs.evolve(
            cls.fixed_credit(), name="installment loan", terms=(3, 6, 9, 12), line_months=12
        )


def order_loan_limit(
    orders: Money | Iterable[Money],
    *,
    advance: str | int = "1",
    maximum: Money | None = None,
) -> Money:
    """The line an order loan gets: the value of shipped-but-unconfirmed orders, capped.

    The platform's order loan (订单贷款) lends against the orders a shop has shipped
    and the buyers have not yet confirmed — in effect a pledge of the
    receivable — up to 1,000,000. The limit is the orders' total × `advance`,
    rounded *down* to whole minor units (a limit never rounds up), then capped
    at `maximum`.

    Args:
        orders: one amount or the amounts of the orders.
        advance: the share of the orders' value lent, as a fraction (`"0.8"`) or
            a percent (`"80%"`); 1 (the whole value) by default, since the platform
            gives no figure.
        maximum: the cap (default 1,000,000 in the orders' currency).

    Returns:
        The limit; zero when there are no orders.

    Raises:
        InvalidValueError: a negative order, an advance outside 0–1, no orders at all.
        CurrencyMismatchError: orders in several currencies.

    Examples:
        >>> from microloan import Money
        >>> order_loan_limit([Money("12000"), Money("8000.55")])
        Money('20000.55', 'CNY')
        >>> order_loan_limit(Money("2500000"))
        Money('1000000.00', 'CNY')
        >>> order_loan_limit(Money("1000.01"), advance="80%")
        Money('800.00', 'CNY')
    """
    items = (
        [orders]
        if isinstance(orders, Money)
        else check_items("orders", orders, "Money or a list of amounts")
    )
    if not items:
        raise invalid("orders", orders, "holds no orders; pass at least one amount")
    for item in items:
        if not isinstance(item, Money):
            raise wrong_type("orders", item, "Money")
        if item.amount < 0:
            raise invalid("orders", item, "must not be negative")
    total: Money = sum(items[1:], items[0])
    text = advance.strip() if isinstance(advance, str) else advance
    if isinstance(text, str) and text.endswith("%"):
        share = CONTEXT.divide(to_decimal(text[:-1], "advance"), to_decimal(100, "advance"))
    else:
        share = to_decimal(text, "advance")
    if not 0 <= share <= 1:
        raise invalid("advance", advance, "must be between 0 and 1 (0% and 100%)")
    cap = Money("1000000", total.currency).round() if maximum is None else maximum
    if not isinstance(cap, Money):
        raise wrong_type("maximum", cap, "Money")
    exponent = MINOR_UNIT_QUANTA[total.currency]
    lent = unchecked_money(
        CONTEXT.multiply(total.amount, share).quantize(exponent, ROUND_DOWN, CONTEXT),
        total.currency,
    )
    return min(lent, cap.round())
