"""The exceptions microloan raises.

Every exception derives from [`MicroloanError`][microloan.MicroloanError], so a
service can catch everything the library raises in one clause; each subclass
also derives from the built-in exception that fits, so code written against
`ValueError` or `TypeError` keeps working.

Messages are built in one place ([`invalid`][microloan.errors.invalid] and
friends) and always name the field and the offending value.
"""

from __future__ import annotations

from typing import final

__all__ = [
    "ConvergenceError",
    "CurrencyMismatchError",
    "InvalidTypeError",
    "InvalidValueError",
    "MicroloanError",
    "invalid",
    "wrong_type",
]


class MicroloanError(Exception):
    """The root of every exception microloan raises.

    Examples:
        >>> from microloan import Money, MicroloanError
        >>> try:
        ...     Money("abc")
        ... except MicroloanError as exc:
        ...     print(exc)
        amount: 'abc' is not a decimal number
    """


@final
class InvalidValueError(MicroloanError, ValueError):
    """A value has the right type but is out of range or malformed.

    Also a `ValueError`.

    Examples:
        >>> from microloan import Money, InvalidValueError
        >>> isinstance(InvalidValueError("x"), ValueError)
        True
    """


@final
class InvalidTypeError(MicroloanError, TypeError):
    """A value has a type the library does not accept (a `float` for money, say).

    Also a `TypeError`.

    Examples:
        >>> from microloan import Money, InvalidTypeError
        >>> try:
        ...     Money(1.5)
        ... except InvalidTypeError as exc:
        ...     print(exc)
        amount: 1.5 is a float; pass a str or Decimal such as '1.5' (floats cannot hold most cent amounts exactly)
    """


@final
class CurrencyMismatchError(MicroloanError, ValueError):
    """Two amounts in different currencies were combined or compared.

    Also a `ValueError`.

    Examples:
        >>> from microloan import Money, CurrencyMismatchError
        >>> try:
        ...     Money(1, "CNY") + Money(1, "USD")
        ... except CurrencyMismatchError as exc:
        ...     print(exc)
        currency: cannot combine CNY with USD
    """


@final
class ConvergenceError(MicroloanError, ArithmeticError):
    """An iterative computation (an IRR, say) has no answer for its input.

    Also an `ArithmeticError`. Raised when cash flows have no sign change, or
    no root can be bracketed, rather than returning a wrong root.

    Examples:
        >>> from microloan import ConvergenceError
        >>> issubclass(ConvergenceError, ArithmeticError)
        True
    """


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def invalid(field: str, value: object, reason: str) -> InvalidValueError:
    """Build an [`InvalidValueError`][microloan.InvalidValueError] naming field and value.

    Args:
        field: the name of the argument or attribute at fault.
        value: the offending value (shown with `repr`, shortened past 80 characters).
        reason: what is wrong with it, in words.

    Returns:
        The exception, for the caller to raise.

    Examples:
        >>> print(invalid("term", 0, "must be at least 1"))
        term: 0 must be at least 1
    """
    return InvalidValueError(f"{field}: {_show(value)} {reason}")


def wrong_type(field: str, value: object, expected: str) -> InvalidTypeError:
    """Build an [`InvalidTypeError`][microloan.InvalidTypeError] naming field, value and type.

    Args:
        field: the name of the argument or attribute at fault.
        value: the offending value.
        expected: what was expected, in words.

    Returns:
        The exception, for the caller to raise.

    Examples:
        >>> print(wrong_type("rate", "18%", "a Rate"))
        rate: '18%' is a str; expected a Rate
    """
    return InvalidTypeError(
        f"{field}: {_show(value)} is a {type(value).__name__}; expected {expected}"
    )
