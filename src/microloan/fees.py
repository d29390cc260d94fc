"""Fees as data: what a lender charges besides interest, and when.

A [`Fee`][microloan.Fee] is a value object with a [`FeeKind`][microloan.FeeKind]:

- `"upfront"`: a fixed amount at disbursement, either deducted from the amount paid
  out (the borrower receives less than the principal) or financed into the
  principal (the principal is the amount paid out plus the fee);
- `"per_installment"`: charged with every installment, a flat amount or a rate on
  the original principal (the 服务费/手续费 of consumer installment loans);
- `"late"`: a fixed charge per installment still unpaid after the grace days;
- `"prepayment"`: a rate on the principal repaid ahead of its due date
  (提前还款违约金).

The schedule generators take upfront and per-installment fees (`fees=`): they show in
the installments and in the APR. Late and prepayment fees are servicing rules: a
[`Loan`][microloan.Loan] charges them through its ledger.

Why named constructors: each kind takes different inputs (an amount, a rate, or
either), and `Fee.per_installment(rate="0.5%")` says what the fee is in the words of
the offer. `Fee(kind=..., amount=..., rate=..., financed=...)` builds the same value
and is checked the same way (a document is read through it).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final, Literal, final, get_args

import attrs

from microloan._decimal import RoundingMode
from microloan._validators import check_option
from microloan.errors import invalid, wrong_type
from microloan.money import Money
from microloan.rates import parse_fraction

FeeKind = Literal["upfront", "per_installment", "late", "prepayment"]
"""When a fee is charged and on what.

- `"upfront"`: once, at disbursement; deducted from the amount paid out, or financed
  into the principal (`financed=True`). Part of the APR (PBoC 2021 No. 3).
- `"per_installment"`: with every installment, a flat amount or a rate on the
  original principal (服务费/手续费 of consumer installment loans, credit-card
  installment plans). Part of the APR.
- `"late"`: a fixed charge once per installment still unpaid after the grace days
  (`ServicingTerms.grace_days`); contingent, so not part of the APR.
- `"prepayment"`: a rate on the principal repaid ahead of its due date
  (提前还款违约金); contingent, so not part of the APR.
"""

#: The kinds a schedule carries in its installments and its APR; the others are servicing rules.
SCHEDULE_KINDS: Final = ("upfront", "per_installment")
SERVICING_KINDS: Final = ("late", "prepayment")


def _fraction(value: object) -> Decimal | None:
    """The converter of `Fee.rate`: None, or a fraction written as a Decimal, int or "0.5%"."""
    return None if value is None else parse_fraction(value, "rate")


def _check_kind(_instance: object, _attribute: object, value: object) -> None:
    check_option("kind", value, FeeKind)


def _check_amount(_instance: object, _attribute: object, value: Money | None) -> None:
    if value is None:
        return
    if not isinstance(value, Money):
        raise wrong_type("amount", value, "Money or None")
    if value.amount <= 0 or not value.is_whole:
        raise invalid("amount", value, "must be positive, in whole minor units")


def _check_rate(_instance: object, _attribute: object, value: Decimal | None) -> None:
    if value is not None and not 0 < value < 1:
        raise invalid("rate", value, "must be more than 0 and less than 1 (e.g. '0.5%')")


def _check_financed(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, bool):
        raise wrong_type("financed", value, "a bool")


#: What each kind takes: (an amount, a rate) allowed.
_TAKES: Final[dict[str, tuple[bool, bool]]] = {
    "upfront": (True, False),
    "per_installment": (True, True),
    "late": (True, False),
    "prepayment": (False, True),
}


@final
@attrs.frozen(kw_only=True, repr=False)
class Fee:
    """A fee of a loan: its kind and how much (see [`FeeKind`][microloan.FeeKind]).

    Build one with the named constructors [`upfront`][microloan.Fee.upfront],
    [`per_installment`][microloan.Fee.per_installment], [`late`][microloan.Fee.late]
    and [`prepayment`][microloan.Fee.prepayment]; `Fee(kind=..., ...)` is checked
    the same way.

    Attributes:
        kind: the [`FeeKind`][microloan.FeeKind].
        amount: the fixed amount (upfront, a flat per-installment fee, late), or None.
        rate: the fraction (per-installment: of the original principal, each
            installment; prepayment: of the principal prepaid), or None.
        financed: for an upfront fee, whether it is added to the principal (True)
            rather than deducted from the amount paid out (False, default).

    Raises:
        InvalidValueError: an unknown kind; an amount or rate missing, both given, or
            one the kind does not take; a non-positive or fractional amount; a rate not
            between 0 and 1; `financed` on a kind other than upfront.
        InvalidTypeError: an amount that is not Money, a rate that is not a number.

    Examples:
        >>> from microloan import Money
        >>> Fee.per_installment(rate="0.5%")
        Fee.per_installment(rate=Decimal('0.005'))
        >>> Fee.upfront(Money("200"), financed=True)
        Fee.upfront(Money('200', 'CNY'), financed=True)
        >>> Fee(kind="late", amount=Money("30")) == Fee.late(Money("30"))
        True
    """

    kind: FeeKind = attrs.field(validator=_check_kind)
    amount: Money | None = attrs.field(default=None, validator=_check_amount)
    rate: Decimal | None = attrs.field(default=None, converter=_fraction, validator=_check_rate)
    financed: bool = attrs.field(default=False, validator=_check_financed)

    def __attrs_post_init__(self) -> None:
        takes_amount, takes_rate = _TAKES[self.kind]
        if self.amount is not None and self.rate is not None:
            raise invalid(
                "rate", self.rate, f"is given with an amount; a {self.kind} fee takes one"
            )
        if self.amount is not None and not takes_amount:
            raise invalid("amount", self.amount, f"is not taken by a {self.kind} fee (a rate is)")
        if self.rate is not None and not takes_rate:
            raise invalid("rate", self.rate, f"is not taken by a {self.kind} fee (an amount is)")
        if self.amount is None and self.rate is None:
            what = {(True, True): "an amount or a rate", (True, False): "an amount"}.get(
                (takes_amount, takes_rate), "a rate"
            )
            raise invalid("amount", None, f"is missing: a {self.kind} fee takes {what}")
        if self.financed and self.kind != "upfront":
            raise invalid("financed", True, f"applies to an upfront fee, not a {self.kind} fee")

    # -- named constructors -------------------------------------------------
    @classmethod
    def upfront(cls, amount: Money, *, financed: bool = False) -> Fee:
        """A fee charged once at disbursement (手续费, an arrangement fee).

        Args:
            amount: the fee.
            financed: True to add it to the principal (the borrower repays it with
                interest); False (default) to deduct it from the amount paid out.

        Examples:
            >>> from microloan import Money
            >>> Fee.upfront(Money("300")).financed
            False
        """
        return cls(kind="upfront", amount=amount, financed=financed)

    @classmethod
    def per_installment(
        cls, *, amount: Money | None = None, rate: str | Decimal | int | None = None
    ) -> Fee:
        """A fee charged with every installment: a flat `amount` or a `rate` on the original principal.

        Args:
            amount: the flat fee of each installment.
            rate: the fraction of the original principal charged each installment
                (`"0.5%"`: 50.00 a month on 10,000).

        Examples:
            >>> from microloan import Money
            >>> Fee.per_installment(amount=Money("15")).amount
            Money('15', 'CNY')
        """
        return cls(kind="per_installment", amount=amount, rate=rate)

    @classmethod
    def late(cls, amount: Money) -> Fee:
        """A fixed charge per installment still unpaid after the grace days (滞纳金).

        Examples:
            >>> from microloan import Money
            >>> Fee.late(Money("30")).kind
            'late'
        """
        return cls(kind="late", amount=amount)

    @classmethod
    def prepayment(cls, rate: str | Decimal | int) -> Fee:
        """A rate on the principal repaid ahead of its due date (提前还款违约金).

        Examples:
            >>> Fee.prepayment("2%").rate
            Decimal('0.02')
        """
        return cls(kind="prepayment", rate=rate)

    # -- amounts --------------------------------------------------------------
    def per_installment_amount(
        self, principal: Money, *, rounding: RoundingMode = "half_up"
    ) -> Money:
        """What this per-installment fee charges each installment of a loan of `principal`.

        A rate is applied to the original principal and rounded to minor units with
        `rounding` (a schedule passes its own mode).

        Examples:
            >>> from microloan import Money
            >>> Fee.per_installment(rate="0.5%").per_installment_amount(Money("10000"))
            Money('50.00', 'CNY')
        """
        if self.kind != "per_installment":
            raise invalid("kind", self.kind, "is not a per_installment fee")
        if not isinstance(principal, Money):
            raise wrong_type("principal", principal, "Money")
        check_option("rounding", rounding, RoundingMode)
        if self.amount is not None:
            return self.amount
        return (principal * self.rate).round(rounding)  # type: ignore[operator]  # a rate fee

    def __repr__(self) -> str:
        if self.kind == "upfront":
            tail = ", financed=True" if self.financed else ""
            return f"Fee.upfront({self.amount!r}{tail})"
        if self.kind == "per_installment":
            part = f"amount={self.amount!r}" if self.amount is not None else f"rate={self.rate!r}"
            return f"Fee.per_installment({part})"
        if self.kind == "late":
            return f"Fee.late({self.amount!r})"
        return f"Fee.prepayment({self.rate!r})"


def check_fees(fees: object, *, kinds: tuple[str, ...] = get_args(FeeKind)) -> tuple[Fee, ...]:
    """`fees` as a tuple of Fee of the kinds allowed here, or raise naming the one at fault."""
    if type(fees) is tuple and not fees:  # the default, at once (the ABC check is slow)
        return ()
    if isinstance(fees, (Fee, str, bytes)) or not isinstance(fees, Iterable):
        raise wrong_type("fees", fees, "a sequence of Fee")
    out = tuple(fees)
    for index, fee in enumerate(out):
        if not isinstance(fee, Fee):
            raise wrong_type(f"fees[{index}]", fee, "a Fee")
        if fee.kind not in kinds:
            raise invalid(f"fees[{index}]", fee, f"is not taken here (only {' and '.join(kinds)})")
    return out


def financed_principal(principal: object, fees: object) -> tuple[Any, tuple[Fee, ...]]:
    """The principal a schedule amortises (`principal` plus every financed upfront fee), and the fees.

    Without fees `principal` is returned untouched (a generator checks it).
    """
    checked = check_fees(fees)
    if not checked:
        return principal, checked
    if not isinstance(principal, Money):
        raise wrong_type("principal", principal, "Money, e.g. Money('10000')")
    for index, fee in enumerate(checked):
        if fee.amount is not None and fee.amount.currency != principal.currency:
            raise invalid(
                f"fees[{index}].amount", fee.amount, f"is not in the currency {principal.currency}"
            )
    total = principal
    for fee in checked:
        if fee.kind == "upfront" and fee.financed:
            total += fee.amount
    return total, checked
