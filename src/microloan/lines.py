"""Credit lines: a limit granted first, money drawn second.

A [`CreditLine`][microloan.CreditLine] is the platform lender's 授信: a limit, a rate,
a validity window, and the loans drawn from it. A **revolving** line (循环贷) is
standby money: draw and repay at will, pay interest only on what is drawn, and
what is repaid can be drawn again. A **fixed** line (固定贷) pays out once.

The line is immutable: `draw`, `repay`, `settle`, `refund`, `with_limit`, `freeze`,
`unfreeze` and `close` return a new line. Every refusal raises a specific error
(all are [`MicroloanError`][microloan.MicroloanError]s and `ValueError`s) and the
line you hold stays as it was.

Conventions (the issue is silent on some; these are the library's choices):

- **Validity** (授信有效期): draws are allowed from `opened` up to and including
  `expires`; a line with nothing drawn by `use_by` (inclusive) lapses. Either way
  its status on a later date is `"expired"`; its loans keep running.
- **Available credit**: revolving — the limit less the principal outstanding
  across drawdowns (less interest, fees and penalty too when the product's
  `interest_consumes_limit` says so), never below zero; fixed — the whole limit
  until the one drawdown, nothing after. Zero on a date the line cannot be drawn
  (frozen, closed, expired, not yet open).
- **Line events in date order**: draws, limit changes, freezes and closure are
  posted on or after the line's last such event (`as_of`); the line holds its
  *current* limit and status. Repayments may be back-dated (each loan rebuilds
  itself), since they can only lower what is outstanding.
- **Repayments** go to one named drawdown, or by default: first what is due on
  each drawdown, oldest first; then prepayment of each drawdown, oldest first,
  up to its payoff amount. Money left over once everything is repaid is held
  on the line as `credit` (a refund due to the borrower), never lost; `refund`
  pays it back (the line's own credit first, then its drawdowns', oldest first).
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict, Unpack, final

import attrs

from microloan._decimal import in_context_methods
from microloan._validators import check_date as _check_date
from microloan._validators import check_option, date_field, option
from microloan.business_days import BusinessDay, Calendar
from microloan.conventions import Conventions
from microloan.daycount import add_months
from microloan.errors import (
    CurrencyMismatchError,
    DrawdownNotFoundError,
    InsufficientCreditError,
    InvalidTypeError,
    LineAlreadyDrawnError,
    LineClosedError,
    LineExpiredError,
    LineFrozenError,
    LineNotYetValidError,
    ProductViolationError,
    TransactionNotFoundError,
    invalid,
    wrong_type,
)
from microloan.fees import Fee, check_fees
from microloan.ledger_rows import LedgerRow, check_journal, line_credit_row, with_journal
from microloan.loans import (
    DeferredInterest,
    Loan,
    LoanPosition,
    Transaction,
    closed_position,
    closing_date,
    owed_on,
    refunded_total,
    worst_days_reached,
)
from microloan.money import Money
from microloan.products import DrawMethod, LineKind, LoanProduct
from microloan.rates import Rate
from microloan.schedules import METHODS, origination_applies
from microloan.terms import NON_ACCRUAL_DAYS, ServicingTerms

if TYPE_CHECKING:
    from microloan.accounting import AccrualEntry, ChartOfAccounts, JournalEntry, NonAccrualPolicy

LineState = Literal["active", "frozen", "closed"]
"""The status a line holds: `"active"`, `"frozen"` (no draws until unfrozen) or
`"closed"` (no draws ever again). Existing drawdowns run to their end in every state."""

LineStatus = Literal["active", "frozen", "closed", "expired"]
"""A line's status on a date: its held [`LineState`][microloan.LineState], or
`"expired"` for an active line past `expires` or lapsed unused past `use_by`."""


def _check_limit(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, Money):
        raise wrong_type("limit", value, "Money")
    if value.amount <= 0 or not value.is_whole:
        raise invalid("limit", value, "must be a positive amount in whole minor units")


def _check_rate(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, Rate):
        raise wrong_type("rate", value, "a Rate, e.g. Rate.annual('18%')")


def _check_product(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if value is not None and not isinstance(value, LoanProduct):
        raise wrong_type("product", value, "a LoanProduct or None")


def _check_drawdowns(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, tuple) or not all(isinstance(loan, Loan) for loan in value):
        raise wrong_type("drawdowns", value, "a tuple of Loans")


def _check_credit(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, Money):
        raise wrong_type("credit", value, "Money")
    if value.amount < 0 or not value.is_whole:
        raise invalid("credit", value, "must be zero or positive, in whole minor units")


def _check_credit_held(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, tuple) or not all(
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], date)
        and not isinstance(item[0], datetime)
        and isinstance(item[1], Money)
        for item in value
    ):
        raise wrong_type("credit_held", value, "a tuple of (date, Money) pairs")
    for _, amount in value:
        if amount.amount <= 0 or not amount.is_whole:
            raise invalid("credit_held", amount, "must be positive, in whole minor units")
    if any(a[0] > b[0] for a, b in itertools.pairwise(value)):
        raise invalid("credit_held", value, "must be in date order (oldest first)")


def _check_refunds(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, tuple) or not all(
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], date)
        and not isinstance(item[0], datetime)
        and isinstance(item[1], Money)
        for item in value
    ):
        raise wrong_type("refunds", value, "a tuple of (date, Money) pairs")
    for _, amount in value:
        if amount.amount <= 0 or not amount.is_whole:
            raise invalid("refunds", amount, "must be positive, in whole minor units")
    if any(a[0] > b[0] for a, b in itertools.pairwise(value)):
        raise invalid("refunds", value, "must be in date order (oldest first)")


def _dated_total(pairs: tuple[tuple[date, Money], ...], day: date, zero: Money) -> Money:
    """The sum of the amounts of `(date, amount)` pairs dated on or before `day`."""
    return sum((amount for on, amount in pairs if on <= day), zero)


class _LineOptions(TypedDict, total=False):
    use_by: date | None
    product: LoanProduct | None


class _LineOpening(_LineOptions):
    """The arguments that open a line, shared by its kinds (see `CreditLine.revolving`)."""

    limit: Money
    rate: Rate
    opened: date
    expires: date


@final
class _Book:
    """Which of a line's drawdowns can still owe something: private, not part of its value.

    `open` holds the indices of the drawdowns not closed (a closed loan owes nothing
    from its last posting on, for good: `closing_date`); the others are all closed
    by `closed_by`. A call on a date from `closed_by` on reads only the open drawdowns,
    so its cost does not grow with the drawdowns repaid; an earlier one reads them all.
    The closed drawdowns are kept as `runs` of consecutive indices `(start, stop,
    worst days past due reached)`, whose positions from `closed_by` on are one shared
    object a run, and `refunded`, the closed ones with a refund of their own (each its
    own position): a line's position lists every drawdown at the cost of its runs.
    """

    __slots__ = ("closed_by", "open", "refunded", "runs", "terms")

    def __init__(
        self,
        open_: tuple[int, ...],
        closed_by: date | None,
        runs: tuple[tuple[int, int, int], ...] = (),
        refunded: tuple[int, ...] = (),
    ) -> None:
        self.open, self.closed_by = open_, closed_by
        self.runs, self.refunded = runs, refunded
        self.terms: ServicingTerms | None = None  # the line's servicing terms, once worked out

    @classmethod
    def of(
        cls, loans: tuple[Loan, ...], before: _Book | None = None, changed: Iterable[int] = ()
    ) -> _Book:
        """The book of `loans`.

        Given the book `before` them, only its open drawdowns and those `changed` are
        looked at again (all of them, should a closed one have changed: a reversal).
        """
        changed = set(changed)
        if before is not None and any(map(before.closed, changed)):
            book = cls.of(loans)
            book.terms = before.terms
            return book
        if before is None:
            candidates: Iterable[int] = range(len(loans))
            closed_by, runs, refunded = None, [], []
        else:
            candidates, closed_by = sorted({*before.open, *changed}), before.closed_by
            runs, refunded = list(before.runs), list(before.refunded)
        still: list[int] = []
        for i in candidates:
            loan = loans[i]
            closed = closing_date(loan)
            if closed is None:
                still.append(i)
                continue
            if closed_by is None or closed > closed_by:
                closed_by = closed
            if refunded_total(loan):
                bisect.insort(refunded, i)
            else:
                _add_to_runs(runs, i, worst_days_reached(loan))
        book = cls(tuple(still), closed_by, tuple(runs), tuple(refunded))
        book.terms = None if before is None else before.terms
        return book

    def closed(self, i: int) -> bool:
        """Whether drawdown `i` is one of the book's closed drawdowns."""
        k = bisect.bisect_right(self.runs, (i, _NO_INDEX, 0)) - 1
        in_run = k >= 0 and self.runs[k][0] <= i < self.runs[k][1]
        return in_run or i in self.refunded


_NO_INDEX: Final = 1 << 62
"""Beyond any drawdown index: `(i, _NO_INDEX, 0)` sorts after every run starting at i."""


def _add_to_runs(runs: list[tuple[int, int, int]], i: int, worst: int) -> None:
    """Put closed drawdown `i` (its worst days past due `worst`) into the sorted `runs`.

    It joins the run before or after it when it is next to one of the same worst.
    """
    k = bisect.bisect_right(runs, (i, _NO_INDEX, 0))  # runs[k - 1] starts at or before i
    joins_before = k > 0 and runs[k - 1][1] == i and runs[k - 1][2] == worst
    joins_after = k < len(runs) and runs[k][0] == i + 1 and runs[k][2] == worst
    if joins_before and joins_after:
        runs[k - 1 : k + 1] = [(runs[k - 1][0], runs[k][1], worst)]
    elif joins_before:
        runs[k - 1] = (runs[k - 1][0], i + 1, worst)
    elif joins_after:
        runs[k] = (i, runs[k][1], worst)
    else:
        runs.insert(k, (i, i + 1, worst))


def _zero_credit(line: CreditLine) -> Money:
    return Money.zero(line.limit.currency) if isinstance(line.limit, Money) else Money.zero()


def _as_of_default(line: CreditLine) -> date:
    return line.opened


@final
@attrs.frozen(kw_only=True)
class LinePosition:
    """A credit line on one date: its drawdowns' positions, aggregated.

    Every amount is the sum over the drawdowns disbursed on or before `on`
    (each a [`LoanPosition`][microloan.LoanPosition] in `drawdowns`).

    Attributes:
        on: the date.
        status: the line's [`LineStatus`][microloan.LineStatus] on that date.
        limit: the line's limit.
        available: the credit that could be drawn on that date.
        principal_outstanding: principal not yet repaid, across drawdowns.
        interest_accrued: contract interest accrued and unpaid, across drawdowns.
        fees_outstanding: fees charged and unpaid.
        penalty_outstanding: penalty interest accrued and unpaid.
        overdue: everything past its due date (principal, interest, fees, penalty).
        days_past_due: the days past due of the worst drawdown (0 when none is late).
        max_days_past_due: the most days past due any drawdown reached up to that
            date (a re-aged drawdown's included; at least `days_past_due`).
        payoff_amount: what closes every drawdown on that date, net of their credits.
        credit: money held for the borrower, on the line and on its drawdowns.
        drawdowns: the drawdowns' positions, oldest first.
        refunded: the credit paid back to the borrower up to that date, from the
            line and from its drawdowns ([`CreditLine.refund`][microloan.CreditLine.refund]).

    Examples:
        >>> from datetime import date
        >>> from microloan import CreditLine, Money, Rate
        >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
        ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
        >>> line = line.draw(Money("10000"), on=date(2026, 1, 10), maturity=date(2026, 4, 10))
        >>> where = line.position(on=date(2026, 1, 20))  # 10 days × 5 = 50 interest
        >>> where.principal_outstanding, where.interest_accrued, where.available
        (Money('10000.00', 'CNY'), Money('50.00', 'CNY'), Money('40000.00', 'CNY'))
    """

    on: date
    status: LineStatus
    limit: Money
    available: Money
    principal_outstanding: Money
    interest_accrued: Money
    fees_outstanding: Money
    penalty_outstanding: Money
    overdue: Money
    days_past_due: int
    max_days_past_due: int
    payoff_amount: Money
    credit: Money
    drawdowns: tuple[LoanPosition, ...]
    refunded: Money

    @property
    def outstanding(self) -> Money:
        """Everything owed: principal, interest accrued, fees and penalty.

        Examples:
            >>> from datetime import date
            >>> from microloan import CreditLine, Money, Rate
            >>> line = CreditLine.revolving(limit=Money("5000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line.position(on=date(2026, 6, 1)).outstanding  # nothing drawn, nothing owed
            Money('0.00', 'CNY')
        """
        return (
            self.principal_outstanding
            + self.interest_accrued
            + self.fees_outstanding
            + self.penalty_outstanding
        )


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class CreditLine:
    """A credit line (授信): a limit, a rate, a validity window and the loans drawn from it.

    Build one with [`CreditLine.revolving`][microloan.CreditLine.revolving],
    [`CreditLine.fixed`][microloan.CreditLine.fixed] or
    [`CreditLine.from_product`][microloan.CreditLine.from_product]. Every
    operation returns a new line. The examples of its methods use `date`, `Money` and
    `Rate` imported as in the example below.

    Attributes:
        kind: `"revolving"` (循环贷) or `"fixed"` (固定贷).
        limit: the line's current limit (positive, whole minor units).
        rate: the contract rate of its drawdowns.
        opened: the date the line opens (draws allowed from this day).
        expires: the line's last day (draws allowed up to and including it).
        use_by: the last day of the approval's validity (授信有效期): a line with
            nothing drawn by then lapses. Defaults to `expires`.
        status: the held [`LineState`][microloan.LineState]; see
            [`status_on`][microloan.CreditLine.status_on] for the status on a date.
        product: the [`LoanProduct`][microloan.LoanProduct] whose bounds and
            conventions its drawdowns follow (None: any amount and term, the
            library's default conventions).
        drawdowns: the loans drawn, oldest first.
        credit: money held for the borrower: a repayment beyond everything owed,
            less what was refunded.
        credit_held: when that credit arose: `(date, amount)` pairs, oldest first,
            adding up to `credit` plus `refunds`. Left empty with a `credit` (a line
            written before the dates were kept), the whole credit is taken to have
            arisen on `as_of`.
        refunds: the line's own credit paid back to the borrower
            ([`refund`][microloan.CreditLine.refund]): `(date, amount)` pairs, oldest
            first; on no date more than the credit that had arisen by then.
        as_of: the date of the line's last draw, limit change, freeze, unfreeze or
            closure; later ones must not be earlier.

    Raises:
        InvalidValueError: dates out of order, an unknown kind or status, a
            limit or product in another currency, drawdowns out of order or
            before `opened`, a fixed line with two drawdowns.
        InvalidTypeError: a field of the wrong type.

    Examples:
        >>> from datetime import date
        >>> from microloan import Money, Rate
        >>> line = CreditLine.revolving(limit=Money("100000"), rate=Rate.annual("18%"),
        ...                             opened=date(2026, 3, 1), expires=date(2027, 2, 28))
        >>> line = line.draw(Money("30000"), on=date(2026, 3, 5), maturity=date(2026, 9, 1))
        >>> line.available(on=date(2026, 3, 5))
        Money('70000.00', 'CNY')
        >>> line = line.repay(Money("10000"), on=date(2026, 3, 5))  # the same day: no interest
        >>> line.available(on=date(2026, 3, 5))
        Money('80000.00', 'CNY')
    """

    kind: LineKind = attrs.field(validator=option(LineKind))
    limit: Money = attrs.field(validator=_check_limit)
    rate: Rate = attrs.field(validator=_check_rate)
    opened: date = attrs.field(validator=date_field)
    expires: date = attrs.field(validator=date_field)
    use_by: date = attrs.field(validator=date_field)
    status: LineState = attrs.field(default="active", validator=option(LineState))
    product: LoanProduct | None = attrs.field(default=None, validator=_check_product)
    drawdowns: tuple[Loan, ...] = attrs.field(default=(), validator=_check_drawdowns)
    credit: Money = attrs.field(
        default=attrs.Factory(_zero_credit, takes_self=True), validator=_check_credit
    )
    as_of: date = attrs.field(
        default=attrs.Factory(_as_of_default, takes_self=True), validator=date_field
    )
    credit_held: tuple[tuple[date, Money], ...] = attrs.field(
        default=(), validator=_check_credit_held
    )
    refunds: tuple[tuple[date, Money], ...] = attrs.field(default=(), validator=_check_refunds)
    _book: _Book = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        currency = self.limit.currency
        if self.expires < self.opened:
            raise invalid("expires", self.expires, f"is before opened {self.opened.isoformat()}")
        if not self.opened <= self.use_by <= self.expires:
            raise invalid(
                "use_by",
                self.use_by,
                f"must be between opened {self.opened.isoformat()} and expires {self.expires.isoformat()}",
            )
        if self.as_of < self.opened:
            raise invalid("as_of", self.as_of, f"is before opened {self.opened.isoformat()}")
        if self.credit.currency != currency:
            raise CurrencyMismatchError(
                f"currency: credit {self.credit!r} is in {self.credit.currency}; the line is in {currency}"
            )
        if self.product is not None and self.product.currency != currency:
            raise CurrencyMismatchError(
                f"currency: product lends {self.product.currency}; the line is in {currency}"
            )
        self._check_credit_held()
        self._check_drawdown_order()
        object.__setattr__(self, "_book", _Book.of(self.drawdowns))

    def _check_credit_held(self) -> None:
        """`credit_held` adds up to `credit` and `refunds`; an undated credit is dated on `as_of`.

        No refund takes more than the credit that had arisen by its date.
        """
        held = self.credit_held
        if not held and self.credit.amount and not self.refunds:  # before lines kept the dates
            object.__setattr__(self, "credit_held", ((self.as_of, self.credit),))
            return
        currency = self.limit.currency
        zero = Money.zero(currency)
        for field, pairs in (("credit_held", held), ("refunds", self.refunds)):
            for day, amount in pairs:
                if amount.currency != currency:
                    raise CurrencyMismatchError(
                        f"currency: {field} {amount!r} is in {amount.currency}; the line is in {currency}"
                    )
                if day < self.opened:
                    raise invalid(field, day, f"is before opened {self.opened.isoformat()}")
        for day, _ in self.refunds:
            arisen = _dated_total(held, day, zero)
            if _dated_total(self.refunds, day, zero) > arisen:
                raise invalid(
                    "refunds",
                    day,
                    f"pays back more than the credit of {arisen} that had arisen by then",
                )
        total = sum((amount for _, amount in held), zero) - sum(
            (amount for _, amount in self.refunds), zero
        )
        if total != self.credit:
            raise invalid(
                "credit_held",
                total,
                f"less the refunds does not add up to the credit {self.credit}",
            )

    def _check_drawdown_order(self) -> None:
        currency = self.limit.currency
        previous = self.opened
        for loan in self.drawdowns:
            if loan.currency != currency:
                raise CurrencyMismatchError(
                    f"currency: drawdown of {loan.principal!r} is in {loan.currency}; the line is in {currency}"
                )
            if loan.start < previous:
                raise invalid(
                    "drawdowns",
                    loan.start,
                    "must be disbursed on or after opened and in date order (oldest first)",
                )
            previous = loan.start
        if previous > self.as_of:
            raise invalid(
                "as_of", self.as_of, f"is before the last drawdown {previous.isoformat()}"
            )
        if self.kind == "fixed" and len(self.drawdowns) > 1:
            raise invalid("drawdowns", len(self.drawdowns), "is more than one on a fixed line")

    # -- construction -------------------------------------------------------
    @classmethod
    def revolving(
        cls,
        *,
        limit: Money,
        rate: Rate,
        opened: date,
        expires: date,
        use_by: date | None = None,
        product: LoanProduct | None = None,
    ) -> CreditLine:
        """A revolving line (循环贷): draw and repay at will; repaid principal can be drawn again.

        Args:
            limit: the limit, positive, in whole minor units.
            rate: the contract rate of its drawdowns.
            opened: the first day it can be drawn.
            expires: the last day it can be drawn.
            use_by: the last day for the first draw (授信有效期); default `expires`.
            product: the product whose bounds and conventions apply (optional).

        Returns:
            An active line with nothing drawn.

        Raises:
            InvalidValueError: dates out of order or a bad limit.
            ProductViolationError: the limit is outside the product's line bounds.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("21%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line.available(on=date(2026, 1, 1)), line.kind
            (Money('50000.00', 'CNY'), 'revolving')
        """
        return cls._new(
            "revolving",
            limit=limit,
            rate=rate,
            opened=opened,
            expires=expires,
            use_by=use_by,
            product=product,
        )

    @classmethod
    def fixed(cls, **opening: Unpack[_LineOpening]) -> CreditLine:
        """A fixed line (固定贷): the limit is paid out once; nothing is available after.

        Arguments are those of [`revolving`][microloan.CreditLine.revolving].

        Examples:
            >>> line = CreditLine.fixed(limit=Money("60000"), rate=Rate.annual("21%"),
            ...                         opened=date(2026, 1, 1), expires=date(2026, 1, 31))
            >>> line = line.draw(Money("60000"), on=date(2026, 1, 5), method="equal_installment", term=6)
            >>> line.available(on=date(2026, 1, 5)), len(line.drawdowns[0].schedule)
            (Money('0.00', 'CNY'), 6)
        """
        return cls._new("fixed", **opening)

    @classmethod
    def from_product(cls, product: LoanProduct, *, limit: Money, opened: date) -> CreditLine:
        """A line of `product`: its kind, rate, length and approval validity.

        The line runs `product.line_months` months from `opened` (its last day
        the day before that date), must first be drawn within
        `product.validity_days` days, and carries the product's rate.

        Raises:
            ProductViolationError: the limit is outside the product's line bounds.

        Examples:
            >>> from microloan import LoanProduct, Money
            >>> line = CreditLine.from_product(LoanProduct.revolving_credit(),
            ...                                limit=Money("200000"), opened=date(2026, 1, 15))
            >>> line.kind, line.rate, line.use_by, line.expires
            ('revolving', Rate.annual('21%'), datetime.date(2026, 2, 14), datetime.date(2027, 1, 14))
        """
        if not isinstance(product, LoanProduct):
            raise wrong_type("product", product, "a LoanProduct")
        start = _check_date(opened, "opened")
        expires = add_months(start, product.line_months) - timedelta(days=1)
        use_by = min(start + timedelta(days=product.validity_days), expires)
        return cls._new(
            product.line_kind,
            limit=limit,
            rate=product.rate,
            opened=start,
            expires=expires,
            use_by=use_by,
            product=product,
        )

    @classmethod
    def _new(cls, kind: LineKind, **opening: Unpack[_LineOpening]) -> CreditLine:
        names = _LineOpening.__required_keys__ | _LineOpening.__optional_keys__
        unknown = sorted(set(opening) - names)
        if unknown:
            raise InvalidTypeError(f"{unknown[0]}: is not an argument of CreditLine.{kind}")
        missing = sorted(_LineOpening.__required_keys__ - set(opening))
        if missing:
            raise InvalidTypeError(f"{missing[0]}: is missing; CreditLine.{kind} needs it")
        product = opening.get("product")
        if product is not None:
            if not isinstance(product, LoanProduct):
                raise wrong_type("product", product, "a LoanProduct or None")
            problems = product.limit_violations(opening["limit"])
            if problems:
                raise ProductViolationError(problems)
        use_by = opening.get("use_by")
        return cls(
            kind=kind,
            limit=opening["limit"],
            rate=opening["rate"],
            opened=opening["opened"],
            expires=opening["expires"],
            use_by=opening["expires"] if use_by is None else use_by,
            product=product,
        )

    # -- views --------------------------------------------------------------
    @property
    def currency(self) -> str:
        """The line's currency (that of its limit)."""
        return self.limit.currency

    def status_on(self, *, on: date) -> LineStatus:
        """The line's status on `on`: its held state, or `"expired"`.

        An active line is expired after `expires`, or after `use_by` when nothing
        was drawn by then (the approval lapsed). A frozen or closed line keeps
        that status.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("21%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31),
            ...                             use_by=date(2026, 1, 31))
            >>> line.status_on(on=date(2026, 1, 31)), line.status_on(on=date(2026, 2, 1))
            ('active', 'expired')
        """
        day = _check_date(on, "on")
        if self.status != "active":
            return self.status
        if day > self.expires:
            return "expired"
        if day > self.use_by and not (self.drawdowns and self.drawdowns[0].start <= self.use_by):
            return "expired"  # drawdowns are in date order: the first is the oldest
        return "active"

    def available(self, *, on: date) -> Money:
        """The credit that can be drawn on `on`; never negative, never above the limit.

        Revolving: the limit less the principal outstanding on `on` across the
        drawdowns disbursed by then (less interest, fees and penalty too if the
        product's `interest_consumes_limit` is set), or zero if that is negative
        (a limit cut below what is outstanding). Fixed: the limit until the line
        is drawn, then zero. Zero whenever the line cannot be drawn on `on`.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("21%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("20000"), on=date(2026, 2, 1), maturity=date(2026, 5, 1))
            >>> line.available(on=date(2026, 3, 1)), line.freeze(on=date(2026, 3, 1)).available(on=date(2026, 3, 1))
            (Money('30000.00', 'CNY'), Money('0.00', 'CNY'))
        """
        day = _check_date(on, "on")
        zero = Money.zero(self.currency)
        if day < self.opened or self.status_on(on=day) != "active":
            return zero
        return self._room(self._live_positions(day))

    def position(self, *, on: date) -> LinePosition:
        """The line on `on`: its drawdowns' positions and their sums.

        Args:
            on: the date (everything dated on or before it counts).

        Returns:
            The [`LinePosition`][microloan.LinePosition].

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("10000"), on=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> late = line.position(on=date(2026, 2, 10))
            >>> late.days_past_due, late.overdue  # 10,150 overdue + 10 days of 1.5× penalty
            (10, Money('10225.00', 'CNY'))
        """
        day = _check_date(on, "on")
        positions, worst, refunded = self._positions(day)
        live = tuple(positions[i] for i in self._live(day))  # the others are all zero
        zero = Money.zero(self.currency)

        def total(values: list[Money]) -> Money:
            return sum(values, zero)

        available = zero
        if day >= self.opened and self.status_on(on=day) == "active":
            available = self._room(live)
        return LinePosition(
            on=day,
            status=self.status_on(on=day),
            limit=self.limit,
            available=available,
            principal_outstanding=total([p.principal_outstanding for p in live]),
            interest_accrued=total([p.interest_accrued for p in live]),
            fees_outstanding=total([p.fees_outstanding for p in live]),
            penalty_outstanding=total([p.penalty_outstanding for p in live]),
            overdue=total([p.overdue.total for p in live]),
            days_past_due=max((p.days_past_due for p in live), default=0),
            max_days_past_due=worst,
            payoff_amount=total([p.payoff_amount for p in live]),
            credit=total([_dated_total(self.credit_held, day, zero), *(p.credit for p in live)])
            - _dated_total(self.refunds, day, zero),
            drawdowns=positions,
            refunded=_dated_total(self.refunds, day, zero) + refunded,
        )

    def accruals(
        self,
        start: date,
        end: date,
        *,
        non_accrual_days: int = NON_ACCRUAL_DAYS,
        non_accrual: NonAccrualPolicy = "reverse",
    ) -> tuple[AccrualEntry, ...]:
        """Every drawdown's accruals on the days of `[start, end)`, by date (`loan_id` its index).

        See [`Loan.accruals`][microloan.Loan.accruals].

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("10000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
            >>> [(r.on.day, str(r.amount.amount)) for r in line.accruals(date(2026, 1, 1), date(2026, 1, 3))]
            [(2, '5.00')]
        """
        from microloan.accounting.accrual import line_accruals  # noqa: PLC0415 - the wing

        return line_accruals(
            self, start, end, non_accrual_days=non_accrual_days, non_accrual=non_accrual
        )

    def journal(
        self,
        until: date,
        *,
        chart: ChartOfAccounts | None = None,
        non_accrual_days: int = NON_ACCRUAL_DAYS,
        non_accrual: NonAccrualPolicy = "reverse",
    ) -> tuple[JournalEntry, ...]:
        """The journal of every drawdown to the end of `until`, by date (`loan_id` its index).

        Then the line's own `credit` (money left over after every drawdown is paid), booked
        on the days it arose (`credit_held`): cash debited, borrower credits credited, with
        no `loan_id`. See [`Loan.journal`][microloan.Loan.journal].

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("10000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
            >>> [e.kind for e in line.journal(until=date(2026, 1, 2))]
            ['disbursement', 'accrual']
        """
        from microloan.accounting.journal import line_journal  # noqa: PLC0415 - the wing

        return line_journal(
            self,
            until,
            chart=chart,
            non_accrual_days=non_accrual_days,
            non_accrual=non_accrual,
        )

    def drawdown(self, which: int | Loan) -> Loan:
        """One drawdown, by its index in `drawdowns` (0 the oldest, -1 the latest) or itself.

        A loan is matched by identity (`is`): pass one taken from this line's
        `drawdowns`; after a repayment the line holds a new loan object, so an
        index is the stable way to name a drawdown.

        Raises:
            DrawdownNotFoundError: no such index, or the loan is not on this line.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("21%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("1000"), on=date(2026, 1, 2), maturity=date(2026, 2, 2))
            >>> line.drawdown(0) is line.drawdowns[0]
            True
        """
        return self.drawdowns[self._index(which)]

    # -- operations -----------------------------------------------------------
    def draw(
        self,
        amount: Money,
        *,
        on: date,
        method: DrawMethod | None = None,
        term: int | None = None,
        maturity: date | None = None,
        conventions: Conventions | None = None,
        calendar: Calendar | None = None,
        business_day: BusinessDay | None = None,
        principal_grace: int | None = None,
        interest_free_periods: int | None = None,
        balloon: Money | None = None,
        fees: Sequence[Fee] | None = None,
    ) -> CreditLine:
        """Draw `amount` on `on`: the new line, with a new drawdown loan as its last.

        The drawdown is either an open-ended daily-interest loan
        ([`Loan.open_ended`][microloan.Loan.open_ended]: interest by the day on
        what is outstanding, repayable any day, all due at `maturity`) or a term
        loan on a schedule (`method` names the generator, `term` the installments),
        disbursed on `on` at the line's rate, under the product's conventions
        (day count, rounding, accrual, penalty, grace, allocation) or the
        library's defaults.

        Args:
            amount: a positive amount in the line's currency, whole minor units.
            on: the drawdown date; not before the line's last event (`as_of`).
            method: `"open_ended"` or a schedule method; default the product's
                first method, or `"open_ended"` without a product.
            term: the installments of a schedule method; default the product's first term.
            maturity: the due date of an open-ended drawdown; default `on` +
                the product's `max_days`, or, without a product, the line's `expires`.
            conventions: the drawdown's schedule [`Conventions`][microloan.Conventions],
                instead of the product's (its conventions, accrual, days in year and
                rounding); default the product's, or the library's without a product.
            calendar: the [`Calendar`][microloan.Calendar] the drawdown's due dates
                move on; default the conventions' or the product's.
            business_day: the [`BusinessDay`][microloan.BusinessDay] rule for a due
                date (an open-ended drawdown's maturity) on a non-business day;
                default the conventions' or the product's (`"none"`). The product's
                bounds apply to the nominal term.
            principal_grace: the first installments that pay interest only, for a
                schedule method; default the product's where the method takes it, else 0.
            interest_free_periods: the first periods that charge no interest, for a
                schedule method; default the product's where the method takes it, else 0.
            balloon: principal the last installment repays on top of its level part,
                for a schedule method (see [`equal_installment`][microloan.equal_installment]).
            fees: the drawdown's [`Fee`][microloan.Fee]s (given to its schedule
                generator or to [`Loan.open_ended`][microloan.Loan.open_ended]);
                default the product's `fees`, or none without a product.

        Returns:
            The line with the drawdown appended (and `as_of` moved to `on`).

        Raises:
            LineClosedError: the line is closed.
            LineFrozenError: the line is frozen.
            LineNotYetValidError: `on` is before the line opens.
            LineExpiredError: `on` is past `expires`, or past `use_by` with nothing drawn.
            ProductViolationError: the amount, method, term or length breaks the
                product's bounds (every violation is listed).
            LineAlreadyDrawnError: a fixed line has been drawn already.
            InsufficientCreditError: `amount` (with any financed upfront fee, which
                is principal too) is more than is available.
            InvalidValueError: a bad amount, a date before `as_of`, a missing
                term or maturity, or an argument that does not fit the method.
            CurrencyMismatchError: `amount` is in another currency.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("18%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("12000"), on=date(2026, 1, 15), method="equal_installment", term=12)
            >>> line.drawdowns[0].schedule.installments[0].total
            Money('1100.16', 'CNY')
        """
        money = self._check_amount(amount)
        self._check_drawable(_check_date(on, "on"))
        day = self._check_event_date(on)
        if self.kind == "fixed" and self.drawdowns:
            raise LineAlreadyDrawnError(
                f"amount: {money} cannot be drawn; this fixed line paid out "
                f"{self.drawdowns[0].principal} on {self.drawdowns[0].start.isoformat()} already"
            )
        chosen = method
        if chosen is None:
            chosen = self.product.methods[0] if self.product is not None else "open_ended"
        check_option(
            "method", chosen, DrawMethod, reason=f"is not one of {['open_ended', *sorted(METHODS)]}"
        )
        if conventions is not None and not isinstance(conventions, Conventions):
            raise wrong_type("conventions", conventions, "Conventions or None")
        moves = _moves(self.product, conventions, calendar, business_day)
        charges = check_fees(
            (self.product.fees if self.product is not None else ()) if fees is None else fees
        )
        origination = {
            "principal_grace": principal_grace,
            "interest_free_periods": interest_free_periods,
            "balloon": balloon,
        }
        if chosen == "open_ended":
            for name, value in origination.items():
                if value is not None and value != 0:
                    raise invalid(name, value, "does not apply to an open-ended drawdown")
            loan = self._open_ended(
                money,
                day,
                term=term,
                maturity=maturity,
                bundle=conventions,
                moves=moves,
                fees=charges,
            )
        else:
            loan = self._term_loan(
                money,
                day,
                chosen,
                term=term,
                maturity=maturity,
                bundle=conventions,
                moves=moves,
                origination=origination,
                fees=charges,
            )
        room = self._room(self._live_positions(day))
        if loan.principal > room:  # a financed fee is principal too: it uses the limit
            financed = (
                "" if loan.principal == money else f" ({loan.principal} with its financed fees)"
            )
            raise InsufficientCreditError(
                f"amount: {money}{financed} is more than the {room} available on "
                f"{day.isoformat()} (limit {self.limit})"
            )
        return self._derive((len(self.drawdowns),), drawdowns=(*self.drawdowns, loan), as_of=day)

    def repay(self, amount: Money, *, on: date, drawdown: int | Loan | None = None) -> CreditLine:
        """Receive a repayment of `amount` on `on`, for one drawdown or for the line.

        With `drawdown` (an index in `drawdowns`, or one of its loans), the whole
        amount goes to that loan and its own rules apply (what is due first, then
        prepayment; an excess over its payoff is held as credit on that loan).
        Without it, the amount pays first what is due on each drawdown disbursed
        by `on`, oldest first; then it prepays each of them, oldest first, up to
        its payoff amount; anything left is held as the line's `credit`.
        Repayments are accepted whatever the line's status: its loans keep running.

        Args:
            amount: a positive amount in the line's currency, whole minor units.
            on: the value date; may be earlier than the line's last event.
            drawdown: which drawdown to pay (default: the line's rule above).

        Returns:
            The line with the repayment posted.

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            InvalidValueError: a bad amount, or nothing drawn by `on`.
            CurrencyMismatchError: `amount` is in another currency.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("10000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
            >>> line = line.draw(Money("5000"), on=date(2026, 1, 11), maturity=date(2026, 3, 1))
            >>> line = line.repay(Money("10200"), on=date(2026, 1, 21))
            >>> # the oldest: 10,000 + 20 days × 5; the rest: 25 interest, 75 principal of the second
            >>> [str(p.payoff_amount.amount) for p in line.position(on=date(2026, 1, 21)).drawdowns]
            ['0.00', '4925.00']
        """
        money = self._check_amount(amount)
        day = _check_date(on, "on")
        loans = list(self.drawdowns)
        if drawdown is not None:
            index = self._index(drawdown)
            loans[index] = loans[index].repay(money, on=day)
            return self._derive((index,), drawdowns=tuple(loans))
        if not loans or loans[0].start > day:  # in date order: the first is the oldest
            raise invalid("on", day, "is before any drawdown of this line; nothing to repay")
        live = self._live(day)  # the others owe nothing on `day`
        left = money
        payoffs: dict[int, Money] = {}  # of the drawdowns the first pass left as they were
        for i in live:  # first what is due, oldest first
            due, payoffs[i] = owed_on(loans[i], day)
            if left and due:
                pay = min(left, due)
                loans[i] = loans[i].repay(pay, on=day)
                left -= pay
                del payoffs[i]
        for i in live:  # then prepay, oldest first
            payoff = payoffs[i] if i in payoffs else loans[i].payoff_amount(on=day)
            if left and payoff:
                pay = min(left, payoff)
                loans[i] = loans[i].repay(pay, on=day)
                left -= pay
        if not left:
            return self._derive(live, drawdowns=tuple(loans))
        held = list(self.credit_held)  # in date order: a back-dated repayment goes before
        held.insert(bisect.bisect_right([d for d, _ in held], day), (day, left))
        return self._derive(
            live, drawdowns=tuple(loans), credit=self.credit + left, credit_held=tuple(held)
        )

    def settle(
        self, proceeds: Money, *, on: date, drawdown: int | Loan | None = None
    ) -> tuple[CreditLine, Money]:
        """Repay from `proceeds` (order proceeds on settlement) up to what is owed.

        The platform's order loan is repaid automatically when the orders settle: the
        lender takes what is owed from the buyer's payment and the merchant keeps
        the rest. This repays the smaller of `proceeds` and the payoff amount (of
        `drawdown`, or of every drawdown) and returns what is left.

        Returns:
            The line after the repayment, and the part of `proceeds` left for the merchant.

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            InvalidValueError: a bad amount, or nothing drawn by `on`.

        Examples:
            >>> from microloan import LoanProduct, Money
            >>> line = CreditLine.from_product(LoanProduct.order_loan(), limit=Money("10000"),
            ...                                opened=date(2026, 3, 1))
            >>> line = line.draw(Money("10000"), on=date(2026, 3, 1))
            >>> line, rest = line.settle(Money("12500"), on=date(2026, 3, 21))  # 20 days: 100
            >>> rest, line.position(on=date(2026, 3, 21)).payoff_amount
            (Money('2400.00', 'CNY'), Money('0.00', 'CNY'))
        """
        money = self._check_amount(proceeds, "proceeds")
        day = _check_date(on, "on")
        if drawdown is not None:
            owed = self.drawdowns[self._index(drawdown)].payoff_amount(on=day)
        else:
            if not self.drawdowns or self.drawdowns[0].start > day:
                raise invalid("on", day, "is before any drawdown of this line; nothing to repay")
            owed = sum(
                (self.drawdowns[i].payoff_amount(on=day) for i in self._live(day)),
                Money.zero(self.currency),
            )
        pay = min(money, owed)
        line = self.repay(pay, on=day, drawdown=drawdown) if pay else self
        return line, money - pay

    def refund(self, amount: Money, *, on: date, drawdown: int | Loan | None = None) -> CreditLine:
        """Pay `amount` of the credit held on `on` back to the borrower.

        With `drawdown`, the whole amount comes from that drawdown's credit
        ([`Loan.refund`][microloan.Loan.refund]). Without it, first from the line's own
        credit (money left over once every drawdown was paid), then from each drawdown's
        credit, oldest first: together what `position(on=on).credit` shows. It may be
        back-dated, like a repayment, but never so that a later refund would take more
        than had been held by its date.

        Args:
            amount: a positive amount in the line's currency, whole minor units.
            on: the value date.
            drawdown: which drawdown's credit to pay back (default: the rule above).

        Returns:
            The line with the refund posted (its `refunds`, or its drawdown's transactions).

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            InvalidValueError: a bad amount, or more than the credit held on `on`.
            CurrencyMismatchError: `amount` is in another currency.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
            >>> line = line.repay(Money("1100"), on=date(2026, 1, 21))  # 1,010 owed: 90 held
            >>> back = line.refund(Money("90"), on=date(2026, 1, 25)).position(on=date(2026, 1, 25))
            >>> back.credit, back.refunded
            (Money('0.00', 'CNY'), Money('90.00', 'CNY'))
        """
        money = self._check_amount(amount)
        day = _check_date(on, "on")
        loans = list(self.drawdowns)
        if drawdown is not None:
            index = self._index(drawdown)
            loans[index] = loans[index].refund(money, on=day)
            return self._derive((index,), drawdowns=tuple(loans))
        zero = Money.zero(self.currency)
        # the line's own credit on `day`, and on each later refund's date (it must stay >= 0)
        own = min(
            _dated_total(self.credit_held, d, zero) - _dated_total(self.refunds, d, zero)
            for d in (day, *(d for d, _ in self.refunds if d > day))
        )
        held = [(i, loans[i].position(on=day).credit) for i in self._live(day)]
        total = sum((c for _, c in held), own)
        if money > total:
            raise invalid(
                "amount", money, f"is more than the credit of {total} held on {day.isoformat()}"
            )
        take = min(money, own)
        left = money - take
        for i, credit in held:
            if left and credit:
                part = min(left, credit)
                loans[i] = loans[i].refund(part, on=day)
                left -= part
        changes: dict[str, Any] = {"drawdowns": tuple(loans)}
        if take:
            refunds = list(self.refunds)  # in date order: a back-dated refund goes before
            refunds.insert(bisect.bisect_right([d for d, _ in refunds], day), (day, take))
            changes.update(credit=self.credit - take, refunds=tuple(refunds))
        return self._derive(self._live(day), **changes)

    # -- changes of a drawdown's plan (the loan's own, on one drawdown) ---------
    def defer(
        self,
        *,
        drawdown: int | Loan,
        on: date,
        installments: int,
        interest: DeferredInterest = "accrue",
    ) -> CreditLine:
        """Postpone a drawdown's installments: [`Loan.defer`][microloan.Loan.defer] on it.

        Args:
            drawdown: which drawdown (an index in `drawdowns`, or one of its loans).
            on: the date of the deferral.
            installments: how many installments to postpone, and by how many periods.
            interest: the [`DeferredInterest`][microloan.DeferredInterest] option.

        Returns:
            The line with the deferral posted on that drawdown.

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            InvalidValueError: what `Loan.defer` refuses.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("18%"),
            ...                             opened=date(2020, 1, 1), expires=date(2021, 12, 31))
            >>> line = line.draw(Money("12000"), on=date(2020, 1, 15), method="equal_installment", term=12)
            >>> held = line.defer(drawdown=0, on=date(2020, 2, 1), installments=2, interest="waive")
            >>> held.drawdown(0).position(on=date(2020, 2, 1)).next_due_date
            datetime.date(2020, 4, 15)
        """
        index = self._index(drawdown)
        changed = self.drawdowns[index].defer(on=on, installments=installments, interest=interest)
        return self._changed(index, changed)

    def extend(self, *, drawdown: int | Loan, on: date, term: int) -> CreditLine:
        """Extend a drawdown's plan: [`Loan.extend`][microloan.Loan.extend] on it.

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            InvalidValueError: what `Loan.extend` refuses.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("18%"),
            ...                             opened=date(2026, 1, 1), expires=date(2027, 12, 31))
            >>> line = line.draw(Money("6000"), on=date(2026, 1, 15), method="equal_installment", term=6)
            >>> line.extend(drawdown=0, on=date(2026, 2, 1), term=12).drawdown(0).transactions[-1].due
            datetime.date(2027, 1, 15)
        """
        index = self._index(drawdown)
        return self._changed(index, self.drawdowns[index].extend(on=on, term=term))

    def reage(
        self, *, drawdown: int | Loan, on: date, term: int, first_due: date | None = None
    ) -> CreditLine:
        """Re-age an overdue drawdown: [`Loan.reage`][microloan.Loan.reage] on it.

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            InvalidValueError: what `Loan.reage` refuses.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("18%"),
            ...                             opened=date(2026, 1, 1), expires=date(2027, 12, 31))
            >>> line = line.draw(Money("6000"), on=date(2026, 1, 15), method="equal_installment", term=6)
            >>> late = line.position(on=date(2026, 4, 1)).days_past_due
            >>> again = line.reage(drawdown=0, on=date(2026, 4, 1), term=6).position(on=date(2026, 4, 1))
            >>> late, again.days_past_due
            (45, 0)
        """
        index = self._index(drawdown)
        loan = self.drawdowns[index].reage(on=on, term=term, first_due=first_due)
        return self._changed(index, loan)

    def reamortize(self, *, drawdown: int | Loan, on: date) -> CreditLine:
        """Spread a drawdown's overdue principal: [`Loan.reamortize`][microloan.Loan.reamortize].

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            InvalidValueError: what `Loan.reamortize` refuses.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("18%"),
            ...                             opened=date(2026, 1, 1), expires=date(2027, 12, 31))
            >>> line = line.draw(Money("6000"), on=date(2026, 1, 15), method="equal_installment", term=6)
            >>> line.reamortize(drawdown=0, on=date(2026, 3, 1)).position(on=date(2026, 3, 1)).days_past_due
            0
        """
        index = self._index(drawdown)
        return self._changed(index, self.drawdowns[index].reamortize(on=on))

    def reprice(self, rate: Rate, *, drawdown: int | Loan, on: date) -> CreditLine:
        """A new rate for one drawdown from `on`: [`Loan.reprice`][microloan.Loan.reprice] on it.

        The line's own `rate` (that of new drawdowns) is unchanged.

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            InvalidValueError: what `Loan.reprice` refuses.
            InvalidTypeError: `rate` is not a Rate.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("10000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
            >>> line = line.reprice(Rate.daily("0.04%"), drawdown=0, on=date(2026, 1, 11))
            >>> line.position(on=date(2026, 1, 21)).drawdowns[0].interest_accrued  # 10 × 5 + 10 × 4
            Money('90.00', 'CNY')
        """
        index = self._index(drawdown)
        return self._changed(index, self.drawdowns[index].reprice(rate, on=on))

    # -- undoing a posting ------------------------------------------------------
    def reverse(self, transaction: Transaction, *, drawdown: int | Loan) -> CreditLine:
        """Reverse one of a drawdown's transactions: [`Loan.reverse`][microloan.Loan.reverse] on it.

        The drawdown is then as if the transaction had never been posted (a repayment,
        a fee, a waiver, a write-off, a refund or recovery, a deferral, extension,
        re-ageing, re-amortisation or repricing); the other drawdowns are untouched. A
        line repayment or refund spread over several drawdowns posted a transaction on
        each: reverse each where it should be undone. A refund of the line's own credit
        is undone by [`reverse_refund`][microloan.CreditLine.reverse_refund]. A
        reversed repayment is money the line never had: if the limit was drawn again
        meanwhile, the line is over its limit and nothing is available until it is repaid.

        Args:
            transaction: one of the drawdown's `transactions`.
            drawdown: which drawdown (an index in `drawdowns`, or one of its loans).

        Returns:
            The line with the transaction reversed on that drawdown.

        Raises:
            DrawdownNotFoundError: `drawdown` is not on this line.
            TransactionNotFoundError: what `Loan.reverse` refuses (not that drawdown's
                transaction, an automatic one, or one a later posting rests on).
            InvalidTypeError: `transaction` is not a Transaction.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("18%"),
            ...                             opened=date(2020, 1, 1), expires=date(2021, 12, 31))
            >>> line = line.draw(Money("12000"), on=date(2020, 1, 15), method="equal_installment", term=12)
            >>> held = line.defer(drawdown=0, on=date(2020, 2, 1), installments=2)
            >>> undone = held.reverse(held.drawdown(0).transactions[-1], drawdown=0)
            >>> undone.position(on=date(2020, 6, 1)) == line.position(on=date(2020, 6, 1))
            True
        """
        index = self._index(drawdown)
        return self._changed(index, self.drawdowns[index].reverse(transaction))

    def reverse_refund(self, amount: Money, *, on: date) -> CreditLine:
        """Undo a refund of the line's own credit: the pair `(on, amount)` of `refunds`.

        The credit it paid back is held on the line again from `on`. The part of a
        refund that came from a drawdown's credit is that drawdown's transaction:
        undo it with [`reverse`][microloan.CreditLine.reverse].

        Args:
            amount: the amount refunded from the line's own credit on `on`, as `refunds` shows it.
            on: the refund's date.

        Returns:
            The line without that refund.

        Raises:
            TransactionNotFoundError: the line has no such refund.
            InvalidTypeError: `amount` is not Money, or `on` not a date.
            CurrencyMismatchError: `amount` is in another currency.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
            >>> line = line.repay(Money("1100"), on=date(2026, 1, 21))  # 1,010 owed: 90 held
            >>> back = line.refund(Money("90"), on=date(2026, 1, 25))
            >>> back.refunds
            ((datetime.date(2026, 1, 25), Money('90.00', 'CNY')),)
            >>> back.reverse_refund(Money("90"), on=date(2026, 1, 25)) == line
            True
        """
        money = self._check_amount(amount)
        day = _check_date(on, "on")
        for i in range(len(self.refunds) - 1, -1, -1):  # the latest such refund first
            if self.refunds[i] == (day, money):
                refunds = self.refunds[:i] + self.refunds[i + 1 :]
                return self._derive(self._live(day), credit=self.credit + money, refunds=refunds)
        raise TransactionNotFoundError(
            f"amount: no refund of {money} on {day.isoformat()} from the line's own credit;"
            f" refunds are {[(d.isoformat(), str(a)) for d, a in self.refunds]}"
        )

    def _changed(self, index: int, loan: Loan) -> CreditLine:
        """This line with drawdown `index` replaced by `loan` (the same loan, re-planned)."""
        loans = list(self.drawdowns)
        loans[index] = loan
        return self._derive((index,), drawdowns=tuple(loans))

    def with_limit(self, limit: Money, *, on: date) -> CreditLine:
        """Raise or cut the limit from `on`.

        A cut below what is outstanding is allowed: it blocks new draws until
        repayments bring the outstanding principal under the new limit, and calls
        nothing due.

        Raises:
            LineClosedError: the line is closed.
            ProductViolationError: the limit is outside the product's line bounds.
            InvalidValueError: a bad limit, or `on` before the line's last event.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("21%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("40000"), on=date(2026, 1, 5), maturity=date(2026, 6, 5))
            >>> cut = line.with_limit(Money("30000"), on=date(2026, 2, 1))
            >>> cut.available(on=date(2026, 2, 1)), cut.position(on=date(2026, 2, 1)).overdue
            (Money('0.00', 'CNY'), Money('0.00', 'CNY'))
        """
        day = self._check_event_date(on)
        if self.status == "closed":
            raise LineClosedError(f"limit: {limit!r} cannot be set on {day}: the line is closed")
        _check_limit(None, None, limit)
        if limit.currency != self.currency:
            raise CurrencyMismatchError(
                f"currency: limit {limit!r} is in {limit.currency}; the line is in {self.currency}"
            )
        if self.product is not None:
            problems = self.product.limit_violations(limit)
            if problems:
                raise ProductViolationError(problems)
        return attrs.evolve(self, limit=limit, as_of=day)

    def freeze(self, *, on: date) -> CreditLine:
        """Freeze the line from `on`: no draws until unfrozen; drawdowns keep running.

        Raises:
            LineFrozenError: the line is frozen already.
            LineClosedError: the line is closed.
            InvalidValueError: `on` before the line's last event.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("21%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line.freeze(on=date(2026, 2, 1)).status
            'frozen'
        """
        day = self._check_event_date(on)
        if self.status == "closed":
            raise LineClosedError(f"status: the line is closed; it cannot be frozen on {day}")
        if self.status == "frozen":
            raise LineFrozenError(f"status: the line is frozen already on {day}")
        return attrs.evolve(self, status="frozen", as_of=day)

    def unfreeze(self, *, on: date) -> CreditLine:
        """Lift a freeze from `on`.

        Raises:
            LineClosedError: the line is closed.
            InvalidValueError: the line is not frozen, or `on` before the line's last event.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("21%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line.freeze(on=date(2026, 2, 1)).unfreeze(on=date(2026, 3, 1)).status
            'active'
        """
        day = self._check_event_date(on)
        if self.status == "closed":
            raise LineClosedError(f"status: the line is closed; it cannot be unfrozen on {day}")
        if self.status != "frozen":
            raise invalid("status", self.status, "is not frozen; there is nothing to unfreeze")
        return attrs.evolve(self, status="active", as_of=day)

    def close(self, *, on: date) -> CreditLine:
        """Close the line from `on`: no new draws ever; its drawdowns run to their end.

        Raises:
            LineClosedError: the line is closed already.
            InvalidValueError: `on` before the line's last event.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.annual("21%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line.close(on=date(2026, 6, 30)).status_on(on=date(2026, 7, 1))
            'closed'
        """
        day = self._check_event_date(on)
        if self.status == "closed":
            raise LineClosedError(f"status: the line is closed already on {day}")
        return attrs.evolve(self, status="closed", as_of=day)

    def ledger_rows(
        self,
        *,
        on: date | None = None,
        journal: bool = False,
        chart: ChartOfAccounts | None = None,
        non_accrual_days: int = NON_ACCRUAL_DAYS,
        non_accrual: NonAccrualPolicy = "reverse",
    ) -> tuple[LedgerRow, ...]:
        """The ledger of every drawdown as flat rows of plain values, ready for a SQL table.

        Each drawdown's [`Loan.ledger_rows`][microloan.Loan.ledger_rows], oldest
        drawdown first, with `drawdown` its index in `drawdowns` and `sequence`
        numbered across the line; then, if the line holds a credit (a repayment
        beyond everything owed), one `"credit"` row for each time it arose, dated, and
        one negative `"credit"` row of kind `"refund"` for each refund of it. Sums over
        the rows give the line's figures back as they give a loan's.

        Args:
            on: include only the drawdowns disbursed by this day and what is dated
                on or before it; default: everything posted.
            journal: also the line's [`journal`][microloan.CreditLine.journal] to
                the end of `on` (default: the latest value date of the rows), one row
                of source `"journal"` per entry (`drawdown` its drawdown), after the
                servicing rows.
            chart: the journal's [`ChartOfAccounts`][microloan.ChartOfAccounts].
            non_accrual_days: the journal's days past due from which a drawdown
                stops accruing into income.
            non_accrual: the journal's [`NonAccrualPolicy`][microloan.NonAccrualPolicy].

        Returns:
            The rows, their `sequence` numbered from 1.

        Raises:
            InvalidTypeError: `on` is not a date, `journal` not a bool, or `chart`
                not a chart.
            InvalidValueError: a bad journal option, or (with the journal) `on` more
                than ten years after a drawdown.

        Examples:
            >>> line = CreditLine.revolving(limit=Money("50000"), rate=Rate.daily("0.05%"),
            ...                             opened=date(2026, 1, 1), expires=date(2026, 12, 31))
            >>> line = line.draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 3, 1))
            >>> line = line.repay(Money("1100"), on=date(2026, 1, 21))  # 1,010 owed: 90 held
            >>> [(r.drawdown, r.component, str(r.amount)) for r in line.ledger_rows()]
            [(0, 'principal', '1000.00'), (0, 'interest', '10.00'), (0, 'principal', '1000.00'), (None, 'credit', '90.00')]
            >>> [(r.drawdown, r.debit, r.credit, str(r.amount))
            ...  for r in line.ledger_rows(journal=True) if r.kind == "repayment"][-3:]
            [(0, 'cash', 'interest_receivable', '10.00'), (0, 'cash', 'loans_receivable', '1000.00'), (None, 'cash', 'borrower_credits', '90.00')]
        """
        day = None if on is None else _check_date(on, "on")
        booked = check_journal(journal)
        rows: list[LedgerRow] = []
        for index, loan in enumerate(self.drawdowns):
            if day is not None and loan.start > day:
                continue
            for row in loan.ledger_rows(on=day):
                rows.append(attrs.evolve(row, sequence=len(rows) + 1, drawdown=index))
        for held, amount in self.credit_held:
            if day is None or held <= day:
                rows.append(line_credit_row(len(rows) + 1, amount, on=held))
        for back, amount in self.refunds:
            if day is None or back <= day:
                rows.append(line_credit_row(len(rows) + 1, amount, on=back, refund=True))
        if not booked:
            return tuple(rows)
        return with_journal(
            self,
            tuple(rows),
            on=day,
            chart=chart,
            non_accrual_days=non_accrual_days,
            non_accrual=non_accrual,
        )

    # -- internals ------------------------------------------------------------
    def _positions(self, day: date) -> tuple[tuple[LoanPosition, ...], int, Money]:
        """Every drawdown's position on `day`, the most days past due any reached, and refunds.

        The positions are those of the drawdowns disbursed by `day`, oldest first; the
        refunds are the credit refunded on them. From the book's `closed_by` on, a run
        of closed drawdowns is one shared position (their cost is that of the runs);
        before, each drawdown is looked at.
        """
        book, loans = self._book, self.drawdowns
        if book.closed_by is not None and day >= book.closed_by:
            return self._booked_positions(day)
        zero = Money.zero(self.currency)
        closed: LoanPosition | None = None  # the same for every drawdown closed by `day`
        out: list[LoanPosition] = []
        for loan in loans:
            if loan.schedule.start > day:  # (not `loan.start`: a property, in context)
                break
            since = closing_date(loan)
            if since is not None and since <= day and refunded_total(loan):
                out.append(closed_position(loan, day))  # its own refunded
                continue
            if since is not None and since <= day:
                # shared while the worst days past due reached is the same
                if closed is None or closed.max_days_past_due != worst_days_reached(loan):
                    closed = closed_position(loan, day)
                out.append(closed)
            else:
                out.append(loan.position(on=day))
        worst = max((p.max_days_past_due for p in out), default=0)
        return tuple(out), worst, sum((p.refunded for p in out), zero)

    def _booked_positions(self, day: date) -> tuple[tuple[LoanPosition, ...], int, Money]:
        """`_positions` from the book's `closed_by` on: every closed drawdown closed by `day`."""
        book, loans = self._book, self.drawdowns
        # the runs of closed drawdowns, and each open one or closed one with a refund alone
        singles = ((i, i + 1, None) for i in (*book.open, *book.refunded))
        segments: list[tuple[int, int, int | None]] = sorted([*book.runs, *singles])
        is_open = set(book.open)
        shared: dict[int, LoanPosition] = {}
        out: list[LoanPosition] = []
        worst, refunded = 0, Money.zero(self.currency)
        for start, stop, reached in segments:
            if reached is None:
                loan = loans[start]
                if loan.schedule.start > day:
                    break  # drawdowns are in the order of their dates: none later is out yet
                position = loan.position(on=day) if start in is_open else closed_position(loan, day)
                out.append(position)
                worst, refunded = (
                    max(worst, position.max_days_past_due),
                    refunded + position.refunded,
                )
                continue
            if reached not in shared:
                shared[reached] = closed_position(loans[start], day)
            out.extend(itertools.repeat(shared[reached], stop - start))
            worst = max(worst, reached)
        return tuple(out), worst, refunded

    def _live(self, day: date) -> list[int]:
        """The drawdowns disbursed by `day` that may owe something on it, by index.

        From the book's `closed_by` on, only its open drawdowns; before, all of them.
        """
        book, loans = self._book, self.drawdowns
        if book.closed_by is None or day >= book.closed_by:
            return [i for i in book.open if loans[i].schedule.start <= day]
        return [i for i, loan in enumerate(loans) if loan.schedule.start <= day]

    def _live_positions(self, day: date) -> tuple[LoanPosition, ...]:
        """The positions on `day` of the drawdowns that may owe something on it."""
        return tuple(self.drawdowns[i].position(on=day) for i in self._live(day))

    def _derive(self, changed: Iterable[int], **changes: Any) -> CreditLine:  # noqa: ANN401
        """This line with `changes`, built by the line's own checked operations.

        It skips the validators of the fields (`changes` come from the operations'
        checks) and keeps the book up to date, looking again only at the open
        drawdowns and those `changed`.
        """
        line = object.__new__(CreditLine)
        for name in _field_names():
            object.__setattr__(
                line, name, changes[name] if name in changes else getattr(self, name)
            )
        object.__setattr__(line, "_book", _Book.of(line.drawdowns, self._book, changed))
        return line

    def _room(self, positions: tuple[LoanPosition, ...]) -> Money:
        zero = Money.zero(self.currency)
        if self.kind == "fixed":
            return zero if self.drawdowns else self.limit.round()
        used = sum((p.principal_outstanding for p in positions), zero)
        if self.product is not None and self.product.interest_consumes_limit:
            used += sum(
                (
                    p.interest_accrued + p.fees_outstanding + p.penalty_outstanding
                    for p in positions
                ),
                zero,
            )
        return max(self.limit.round() - used, zero)

    def _check_amount(self, amount: object, field: str = "amount") -> Money:
        if not isinstance(amount, Money):
            raise wrong_type(field, amount, "Money")
        if amount.currency != self.currency:
            raise CurrencyMismatchError(
                f"currency: {field} {amount!r} is in {amount.currency}; the line is in {self.currency}"
            )
        if amount.amount <= 0 or not amount.is_whole:
            raise invalid(field, amount, "must be a positive amount in whole minor units")
        return amount.round()

    def _check_event_date(self, on: object) -> date:
        day = _check_date(on, "on")
        if day < self.as_of:
            raise invalid(
                "on",
                day,
                f"is before the line's last event on {self.as_of.isoformat()}; post line events in date order",
            )
        return day

    def _check_drawable(self, day: date) -> None:
        if self.status == "closed":
            raise LineClosedError(f"on: {day.isoformat()} is after the line was closed; no draws")
        if self.status == "frozen":
            raise LineFrozenError(
                f"on: {day.isoformat()}: the line is frozen; no draws until unfrozen"
            )
        if day < self.opened:
            raise LineNotYetValidError(
                f"on: {day.isoformat()} is before the line opens on {self.opened.isoformat()}"
            )
        if day > self.expires:
            raise LineExpiredError(
                f"on: {day.isoformat()} is after the line expired on {self.expires.isoformat()}"
            )
        if day > self.use_by and not self.drawdowns:
            raise LineExpiredError(
                f"on: {day.isoformat()} is after the use-by date {self.use_by.isoformat()} "
                "with nothing drawn; the approval lapsed"
            )

    def _violations(
        self, money: Money, method: DrawMethod, term: int | None, days: int | None
    ) -> None:
        if self.product is not None:
            problems = self.product.violations(money, method=method, term=term, days=days)
            if problems:
                raise ProductViolationError(problems)

    def _open_ended(
        self,
        money: Money,
        day: date,
        *,
        term: int | None,
        maturity: date | None,
        bundle: Conventions | None,
        moves: dict[str, Any],
        fees: tuple[Fee, ...] = (),
    ) -> Loan:
        if term is not None:
            raise invalid("term", term, "does not apply to an open-ended drawdown; pass maturity=")
        due = maturity
        if due is None:
            if self.product is not None and self.product.max_days is not None:
                due = day + timedelta(days=self.product.max_days)
            elif self.expires > day:
                due = self.expires  # without a product, a drawdown runs to the line's end
            else:
                raise invalid("maturity", None, "is needed for a drawdown on the line's last day")
        due = _check_date(due, "maturity")
        if due <= day:
            raise invalid("maturity", due, f"must be after the drawdown date {day.isoformat()}")
        self._violations(money, "open_ended", None, (due - day).days)
        product = self.product
        options = _conventions(product, bundle, "days_in_year", "rounding")
        if moves:  # the maturity moves under the drawdown's own rule and calendar
            base = options.get("conventions") or Conventions()
            options["conventions"] = attrs.evolve(base, **moves)
        loan = Loan.open_ended(
            principal=money, rate=self.rate, start=day, maturity=due, **options, fees=fees
        )
        # the line's servicing terms, with the open-ended loan's own excess handling
        terms = self._terms()
        if terms.excess != loan.terms.excess:
            terms = attrs.evolve(terms, excess=loan.terms.excess)
        if terms == loan.terms:  # the line's terms are the loan's own: it is the drawdown
            return loan
        return Loan(schedule=loan.schedule, terms=terms, kind=loan.kind)

    def _term_loan(
        self,
        money: Money,
        day: date,
        method: DrawMethod,
        *,
        term: int | None,
        maturity: date | None,
        bundle: Conventions | None,
        moves: dict[str, Any],
        origination: dict[str, Any],
        fees: tuple[Fee, ...] = (),
    ) -> Loan:
        if maturity is not None:
            raise invalid(
                "maturity", maturity, f"does not apply to a {method} drawdown; pass term="
            )
        periods = term
        if periods is None:
            if self.product is None or not self.product.terms:
                raise invalid("term", None, f"is needed for a drawdown repaid by {method}")
            periods = self.product.terms[0]
        self._violations(money, method, periods, None)
        product = self.product
        options = _conventions(product, bundle, "accrual", "days_in_year", "rounding") | moves
        if product is not None:
            options["frequency"] = product.frequency
        for name, given in origination.items():  # the product's default where the method takes it
            value = given
            if value is None and product is not None and name != "balloon":
                value = getattr(product, name) if origination_applies(name, method) else 0
            if value is not None:
                options[name] = value
        schedule = METHODS[method].generate(  # type: ignore[index]  # draw() passes a schedule method
            money, rate=self.rate, term=periods, start=day, fees=fees, **options
        )
        return Loan(schedule=schedule, terms=self._terms())

    def _terms(self) -> ServicingTerms:
        book = self._book
        if book.terms is None:  # worked out once per line and kept in the book
            book.terms = (
                self.product.servicing_terms() if self.product is not None else ServicingTerms()
            )
        return book.terms

    def _index(self, which: object) -> int:
        if isinstance(which, Loan):
            for i, loan in enumerate(self.drawdowns):
                if loan is which:
                    return i
            raise DrawdownNotFoundError(
                f"drawdown: the loan of {which.principal} from {which.start.isoformat()} is not on "
                "this line (loans change with each repayment; name a drawdown by its index)"
            )
        if isinstance(which, bool) or not isinstance(which, int):
            raise wrong_type("drawdown", which, "an int index or a Loan")
        if not -len(self.drawdowns) <= which < len(self.drawdowns):
            raise DrawdownNotFoundError(
                f"drawdown: {which} is not an index of this line's {len(self.drawdowns)} drawdowns"
            )
        return which % len(self.drawdowns)


@functools.cache
def _field_names() -> tuple[str, ...]:
    """The names of `CreditLine`'s fields, for `_derive`."""
    return tuple(field.name for field in attrs.fields(CreditLine))


def _moves(
    product: LoanProduct | None,
    bundle: Conventions | None,
    calendar: object,
    business_day: object,
) -> dict[str, Any]:
    """A drawdown's calendar and business-day rule where they are not its conventions' own.

    The draw's own arguments win; else, without a bundle of its own, the product's
    (which default to the product's bundle); an empty dict leaves the conventions alone.
    """
    moves: dict[str, Any] = {}
    if bundle is None and product is not None:
        moves = {"calendar": product.calendar, "business_day": product.business_day}
    if calendar is not None:
        if not isinstance(calendar, Calendar):
            raise wrong_type("calendar", calendar, "a Calendar or None")
        moves["calendar"] = calendar
    if business_day is not None:
        moves["business_day"] = check_option("business_day", business_day, BusinessDay)
    return moves


def _conventions(
    product: LoanProduct | None, bundle: Conventions | None, *names: str
) -> dict[str, Any]:
    """A drawdown's schedule conventions, as keyword arguments of its generator.

    The drawdown's own bundle wins; else the product's bundle and its `names`
    (which default to the bundle's and may override it); else the library's defaults.
    """
    if bundle is not None:
        return {"conventions": bundle}
    if product is None:
        return {}
    return {"conventions": product.conventions} | {name: getattr(product, name) for name in names}
