"""Money: an exact amount in a currency, with explicit rounding and exact allocation.

A [`Money`][microloan.Money] holds a `Decimal` amount and an ISO 4217 currency
code. It may carry more decimal places than the currency's minor unit (an
interest accrual of `0.004931506849…` yuan is a legitimate intermediate), but
every amount a schedule or a loan reports as *payable* is rounded to whole
minor units, and [`Money.round`][microloan.Money.round] /
[`Money.allocate`][microloan.Money.allocate] are how you get there.

Arithmetic is done in the library's own 34-digit decimal context, never the
caller's: `+` and `-` between amounts of one currency and `*` by a number are
exact; `/` by a number gives the quotient to 34 significant digits (unrounded
in practice; round it explicitly when you need a payable amount).

An amount is below [`MAX_AMOUNT`][microloan.MAX_AMOUNT] (10**18 major units) in
magnitude: that leaves 16 of the context's 34 digits for fractions of a unit, so
rounding to minor units, allocation and `minor_units` are always exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Final, final, overload

import attrs

from microloan._decimal import CONTEXT, RoundingMode, rounding_constant, to_decimal
from microloan._validators import (
    BEYOND_THE_BOUND,
    MAX_AMOUNT,
    MAX_EXPONENT,
    check_int,
    check_items,
    check_magnitude,
)
from microloan.errors import (
    CurrencyMismatchError,
    InvalidTypeError,
    InvalidValueError,
    invalid,
    wrong_type,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


#: ISO 4217 codes and the number of decimal places of their minor unit.
CURRENCY_MINOR_UNITS: Final[dict[str, int]] = {
    "AED": 2, "ARS": 2, "AUD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2,
    "CHF": 2, "CLP": 0, "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2,
    "GBP": 2, "GHS": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "IQD": 3,
    "ISK": 0, "JOD": 3, "JPY": 0, "KES": 2, "KRW": 0, "KWD": 3, "KZT": 2, "LKR": 2,
    "MAD": 2, "MOP": 2, "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2, "NZD": 2, "OMR": 3,
    "PEN": 2, "PHP": 2, "PKR": 2, "PLN": 2, "QAR": 2, "RON": 2, "RUB": 2, "SAR": 2,
    "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "TWD": 2, "TZS": 2, "UAH": 2,
    "UGX": 0, "USD": 2, "UZS": 2, "VND": 0, "XAF": 0, "XOF": 0, "ZAR": 2,
}  # fmt: skip

MINOR_UNIT_QUANTA: Final[dict[str, Decimal]] = {
    code: Decimal(1).scaleb(-places, CONTEXT) for code, places in CURRENCY_MINOR_UNITS.items()
}
"""Each currency's minor unit as a `Decimal` quantum (`Decimal('0.01')` for CNY), to round to."""


MAX_PARTS: Final = 1_000_000
"""The most parts `Money.split` makes (each part is an object)."""


def minor_unit_places(currency: str) -> int:
    """Return how many decimal places the minor unit of `currency` has.

    Args:
        currency: an ISO 4217 code from
            [`CURRENCY_MINOR_UNITS`][microloan.money.CURRENCY_MINOR_UNITS].

    Returns:
        The number of places: 2 for CNY (fen), 0 for JPY, 3 for KWD.

    Raises:
        InvalidTypeError: the code is not a string.
        InvalidValueError: the code is not a known currency.

    Examples:
        >>> minor_unit_places("CNY"), minor_unit_places("JPY"), minor_unit_places("KWD")
        (2, 0, 3)
    """
    if not isinstance(currency, str):
        raise wrong_type("currency", currency, "an ISO 4217 code such as 'CNY'")
    try:
        return CURRENCY_MINOR_UNITS[currency]
    except KeyError:
        raise invalid(
            "currency", currency, "is not a known ISO 4217 code (write it in capitals, e.g. 'CNY')"
        ) from None


def _check_currency(_instance: object, _attribute: object, value: object) -> None:
    minor_unit_places(value)  # type: ignore[arg-type]  # checked there


def _amount(value: Decimal | int | str) -> Decimal:
    return check_magnitude("amount", to_decimal(value, "amount"), value)


@final
@attrs.frozen(eq=False, order=False, repr=False)
class Money:
    """An immutable, exact amount of money in one currency.

    Construct it as `Money(amount, currency="CNY")`.

    Attributes:
        amount: the amount as a `Decimal`, exactly as given (`Money("1.50")`
            keeps two places). An `int`, `str` or `Decimal` is accepted; a
            `float` is refused, since most cent amounts have no exact float.
        currency: an ISO 4217 code; `"CNY"` by default.

    Raises:
        InvalidTypeError: the amount is a float or not a number type.
        InvalidValueError: the amount is not a finite decimal, is 10**18 or more in
            magnitude ([`MAX_AMOUNT`][microloan.MAX_AMOUNT]), or the currency is unknown.
            `*` and `/` refuse a result beyond the bound the same way.

    Operators: `+` and `-` take an amount of the same currency (or the int 0, so that
    `sum()` works), the comparisons an amount, `*` and `/` a number (and `/` an amount,
    giving their ratio); any other operand raises `InvalidTypeError` naming its type.
    `==` is `False` for anything that is not an equal amount.

    Examples:
        >>> from decimal import Decimal
        >>> price = Money("7600.00")
        >>> price
        Money('7600.00', 'CNY')
        >>> price + Money("0.35")
        Money('7600.35', 'CNY')
        >>> (price / 3).round()
        Money('2533.33', 'CNY')
        >>> price.split(3)
        (Money('2533.34', 'CNY'), Money('2533.33', 'CNY'), Money('2533.33', 'CNY'))
        >>> sum([Money(1), Money(2)])
        Money('3', 'CNY')
    """

    amount: Decimal = attrs.field(converter=_amount)
    currency: str = attrs.field(default="CNY", validator=_check_currency)

    # -- construction ---------------------------------------------------------
    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        """Return zero in `currency`, with the currency's minor-unit places.

        Examples:
            >>> Money.zero("USD")
            Money('0.00', 'USD')
        """
        places = minor_unit_places(currency)
        return unchecked_money(Decimal(0).scaleb(-places, CONTEXT), currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str = "CNY") -> Money:
        """Build an amount from a whole number of minor units (fen, cents).

        Args:
            units: the count of minor units; negative for a negative amount.
            currency: an ISO 4217 code.

        Examples:
            >>> Money.from_minor_units(760035)
            Money('7600.35', 'CNY')
            >>> Money.from_minor_units(500, "JPY")
            Money('500', 'JPY')
        """
        if isinstance(units, bool) or not isinstance(units, int):
            raise wrong_type("units", units, "an int")
        places = minor_unit_places(currency)
        if abs(units) >= int(MAX_AMOUNT) * 10**places:
            raise invalid("units", units, BEYOND_THE_BOUND)
        return unchecked_money(Decimal(units).scaleb(-places, CONTEXT), currency)

    # -- views ----------------------------------------------------------------
    @property
    def places(self) -> int:
        """The number of decimal places of this currency's minor unit (2 for CNY)."""
        return CURRENCY_MINOR_UNITS[self.currency]

    @property
    def is_whole(self) -> bool:
        """Whether the amount is a whole number of minor units (no fraction of a fen).

        Examples:
            >>> Money("1.25").is_whole, Money("1.255").is_whole
            (True, False)
        """
        exp = MINOR_UNIT_QUANTA[self.currency]
        return self.amount == self.amount.quantize(exp, context=CONTEXT)

    @property
    def minor_units(self) -> int:
        """The amount as a whole number of minor units.

        Raises:
            InvalidValueError: the amount has a fraction of a minor unit; round it first.

        Examples:
            >>> Money("12.34").minor_units
            1234
        """
        if not self.is_whole:
            raise invalid(
                "amount", self.amount, f"is not a whole number of {self.currency} minor units"
            )
        return int(self.amount.scaleb(self.places, CONTEXT))

    # -- rounding and allocation -------------------------------------------
    def round(self, mode: RoundingMode = "half_up") -> Money:
        """Round to whole minor units with an explicit mode.

        Args:
            mode: `"half_up"` (the default; 四舍五入, as Chinese lenders round),
                `"half_even"` (banker's rounding, Apache Fineract's default),
                `"down"` (towards zero), `"up"` (away from zero), `"ceiling"`
                or `"floor"`.

        Returns:
            A new amount with exactly the currency's minor-unit places.

        Examples:
            >>> Money("2.345").round(), Money("2.345").round("half_even")
            (Money('2.35', 'CNY'), Money('2.34', 'CNY'))
            >>> Money("-2.341").round("floor")
            Money('-2.35', 'CNY')
        """
        constant = rounding_constant(mode)
        exp = MINOR_UNIT_QUANTA[self.currency]
        return unchecked_money(
            self.amount.quantize(exp, rounding=constant, context=CONTEXT), self.currency
        )

    def allocate(self, weights: Iterable[int | Decimal | str | Money]) -> tuple[Money, ...]:
        """Split this amount into parts proportional to `weights`, exactly.

        The largest-remainder method: each part gets the whole minor units of
        its exact share, and the minor units left over go one each to the parts
        with the largest fractional remainders; ties go to the earlier part.
        The parts add up exactly to the whole and none differs from its exact
        share by a minor unit or more.

        Args:
            weights: non-negative numbers (or amounts of this currency), not all zero.

        Returns:
            One amount per weight, in whole minor units.

        Raises:
            InvalidValueError: the amount is not in whole minor units, a weight
                is negative, or every weight is zero.

        Examples:
            >>> Money("100").allocate([1, 1, 1])
            (Money('33.34', 'CNY'), Money('33.33', 'CNY'), Money('33.33', 'CNY'))
            >>> Money("0.05").allocate([70, 30])
            (Money('0.04', 'CNY'), Money('0.01', 'CNY'))
        """
        shares = [self._weight(w, i) for i, w in enumerate(check_items("weights", weights))]
        if not shares:
            raise invalid("weights", shares, "must name at least one part")
        total = sum(shares, Fraction(0))
        if total == 0:
            raise invalid("weights", [str(w) for w in shares], "must not all be zero")
        return self._distribute([s / total for s in shares])

    def split(self, parts: int) -> tuple[Money, ...]:
        """Split into `parts` equal parts in whole minor units; earlier parts take the odd units.

        Args:
            parts: how many parts, from 1 to `MAX_PARTS` (a million; the parts are built
                as objects, so a larger count would exhaust memory rather than fail).

        Examples:
            >>> Money("10.00").split(3)
            (Money('3.34', 'CNY'), Money('3.33', 'CNY'), Money('3.33', 'CNY'))
        """
        check_int("parts", parts, minimum=1)
        if parts > MAX_PARTS:
            raise invalid("parts", parts, f"is more than {MAX_PARTS:,} parts")
        units = self.minor_units
        sign = -1 if units < 0 else 1
        base, extra = divmod(abs(units), parts)
        return tuple(
            Money.from_minor_units(sign * (base + (1 if i < extra else 0)), self.currency)
            for i in range(parts)
        )

    def _weight(self, weight: object, index: int) -> Fraction:
        if isinstance(weight, Money):
            self._check_same(weight)
            value = weight.amount
        else:
            value = to_decimal(weight, f"weights[{index}]")
        if value < 0:
            raise invalid(f"weights[{index}]", weight, "must not be negative")
        return Fraction(value)

    def _distribute(self, fractions: list[Fraction]) -> tuple[Money, ...]:
        units = self.minor_units
        sign = -1 if units < 0 else 1
        magnitude = abs(units)
        exact = [magnitude * f for f in fractions]
        floors = [math.floor(e) for e in exact]
        left = magnitude - sum(floors)
        order = sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))
        for i in order[:left]:
            floors[i] += 1
        return tuple(Money.from_minor_units(sign * f, self.currency) for f in floors)

    # -- arithmetic -------------------------------------------------------
    def _check_same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"currency: cannot combine {self.currency} with {other.currency}"
            )

    def __add__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._check_same(other)
            return unchecked_money(CONTEXT.add(self.amount, other.amount), self.currency)
        if _is_int_zero(other):
            return self  # so that sum() of amounts works
        raise _foreign("+", other)

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._check_same(other)
            return unchecked_money(CONTEXT.subtract(self.amount, other.amount), self.currency)
        if _is_int_zero(other):
            return self
        raise _foreign("-", other)

    def __rsub__(self, other: object) -> Money:
        if _is_int_zero(other):
            return -self
        raise _foreign("-", other)

    def __mul__(self, other: int | Decimal) -> Money:
        factor = _factor(other, "multiplier")
        if not (self.amount and factor):
            return unchecked_money(CONTEXT.multiply(self.amount, factor), self.currency)
        # the product is at least 10**(a + b): refuse it before it can overflow
        least = self.amount.adjusted() + factor.adjusted()
        return self._bounded(least, CONTEXT.multiply, factor, "multiplier", other)

    __rmul__ = __mul__

    @overload
    def __truediv__(self, other: Money) -> Decimal: ...
    @overload
    def __truediv__(self, other: int | Decimal) -> Money: ...
    def __truediv__(self, other: object) -> Money | Decimal:
        """Divide by a number (an amount) or by an amount of the same currency (a ratio)."""
        if isinstance(other, Money):
            self._check_same(other)
            if not other.amount:
                raise invalid("divisor", other, "must not be zero")
            if self.amount and self.amount.adjusted() - other.amount.adjusted() > _MAX_RATIO:
                raise invalid(
                    "divisor", other, f"is too small beside {self!r}: the ratio overflows"
                )
            return CONTEXT.divide(self.amount, other.amount)
        divisor = _factor(other, "divisor")
        if not divisor:
            raise invalid("divisor", other, "must not be zero")
        if not self.amount:
            return self  # zero keeps its own places (0 / 2.5 is not 0E+1)
        # the quotient is more than 10**(a - b - 1): refuse it before it can overflow
        least = self.amount.adjusted() - divisor.adjusted() - 1
        return self._bounded(least, CONTEXT.divide, divisor, "divisor", other)

    def _bounded(
        self,
        least: int,
        operation: Callable[[Decimal, Decimal], Decimal],
        operand: Decimal,
        field: str,
        other: object,
    ) -> Money:
        """`operation(amount, operand)` as Money, refused past the bound.

        `least` is a floor of the result's exponent, checked before computing, so
        nothing can overflow.
        """
        if least >= MAX_EXPONENT:
            raise _beyond(field, other, self)
        result = operation(self.amount, operand)
        if result.adjusted() >= MAX_EXPONENT:
            raise _beyond(field, other, self)
        return unchecked_money(result, self.currency)

    def __rtruediv__(self, other: object) -> Money:
        raise _foreign("/", other)  # a number divided by an amount is no amount

    def __neg__(self) -> Money:
        return unchecked_money(CONTEXT.minus(self.amount), self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return unchecked_money(CONTEXT.abs(self.amount), self.currency)

    def __bool__(self) -> bool:
        return bool(self.amount)

    # -- comparison -------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.currency == other.currency and self.amount == other.amount

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            raise _foreign("<", other)
        self._check_same(other)
        return self.amount < other.amount

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            raise _foreign("<=", other)
        self._check_same(other)
        return self.amount <= other.amount

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            raise _foreign(">", other)
        self._check_same(other)
        return self.amount > other.amount

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            raise _foreign(">=", other)
        self._check_same(other)
        return self.amount >= other.amount

    # -- text -------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    def __str__(self) -> str:
        return f"{self.amount:,f} {self.currency}"


#: A ratio of two amounts beyond 10**999_000 cannot be held in the context (Emax 999_999).
_MAX_RATIO: Final = 999_000


def _beyond(field: str, value: object, money: Money) -> InvalidValueError:
    return invalid(field, value, f"takes {money!r} {BEYOND_THE_BOUND.removeprefix('is ')}")


def _is_int_zero(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value == 0


def _foreign(operator: str, value: object) -> InvalidTypeError:
    """The refusal of an operand that is not an amount: `+`, `-` and comparisons take Money."""
    return wrong_type(
        "operand",
        value,
        f"Money for {operator} (only the int 0 is added, so that sum() works)"
        if operator in {"+", "-"}
        else f"Money for {operator}",
    )


def _factor(value: object, field: str) -> Decimal:
    if isinstance(value, Money):
        raise InvalidTypeError(f"{field}: {value!r} is Money; multiply or divide by a number")
    return to_decimal(value, field)


def unchecked_money(amount: Decimal, currency: str) -> Money:
    """Build a `Money` from already-validated parts, skipping validation (hot paths).

    Internal API of the lending core (not exported): the caller vouches that `amount`
    is a finite `Decimal` at the currency's places and `currency` a known code.
    """
    money = object.__new__(Money)
    _SET_AMOUNT(money, amount)
    _SET_CURRENCY(money, currency)
    return money


# the slots' own setters: a frozen class's `object.__setattr__` looks each name up first
_SET_AMOUNT: Final = Money.__dict__["amount"].__set__
_SET_CURRENCY: Final = Money.__dict__["currency"].__set__
