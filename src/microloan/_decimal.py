"""The library's own decimal context and conversions.

Nothing in microloan uses the caller's ambient ``decimal`` context: every
operation that could round goes through ``CONTEXT`` explicitly (``CONTEXT.add``,
``CONTEXT.multiply`` …) so a caller who sets ``getcontext().prec = 5`` changes
nothing here.
"""

from __future__ import annotations

import decimal
import functools
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Final, Literal, ParamSpec, TypeVar, get_args

from microloan.errors import InvalidTypeError, invalid, wrong_type

#: 34 significant digits (IEEE decimal128), half-even for the rare inexact
#: intermediate, and traps on everything that would hide a wrong number.
CONTEXT: Final = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

RoundingMode = Literal["half_up", "half_even", "down", "up", "ceiling", "floor"]

"""A rounding mode's name: ``"half_up"`` is ``decimal.ROUND_HALF_UP`` and so on."""

#: The ``decimal`` rounding constant of each mode name, derived from ``RoundingMode``.
ROUNDING_MODES: Final[dict[str, str]] = {
    mode: getattr(decimal, f"ROUND_{mode.upper()}") for mode in get_args(RoundingMode)
}

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)

_P = ParamSpec("_P")
_R = TypeVar("_R")
_T = TypeVar("_T", bound=type)


def in_context(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `func` with `CONTEXT` as the current context.

    For the engines that compute with plain operators on `Decimal`s (servicing,
    credit lines, the analyst's statistics): at their public entry the caller's
    context is set aside, so a bare `+`, `sum()` or `format()` inside rounds as the
    library does, whatever the caller set. The test suite's hostile-context mode
    checks that every public call is safe.
    """

    @functools.wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if decimal.getcontext() is getattr(_ENTERED, "context", None):
            return func(*args, **kwargs)  # called from inside the library: already set
        outer = getattr(_ENTERED, "context", None)
        with decimal.localcontext(CONTEXT) as context:
            _ENTERED.context = context
            try:
                return func(*args, **kwargs)
            finally:
                _ENTERED.context = outer

    return run


_ENTERED: Final = threading.local()
"""The copy of `CONTEXT` the outermost `in_context` call of this thread made current.

A call nested in it (the library calling itself) finds it current and runs as it is,
instead of entering a copy of its own: a public call enters the context once. Any
other current context (the caller's, or one a callback set) is set aside again.
"""


def in_context_methods(cls: _T) -> _T:
    """Class decorator: every public method and property defined on `cls` runs `in_context`.

    Private ones (a leading `_`) are called from the public ones, which have made the
    context current already: wrapping them would only check it again on every call.
    """
    for name, member in list(vars(cls).items()):
        if name.startswith("_") and name not in {"__init__", "__add__", "__radd__"}:
            continue
        if isinstance(member, property) and member.fget is not None:
            wrapped: object = property(in_context(member.fget), doc=member.__doc__)
        elif isinstance(member, classmethod):
            wrapped = classmethod(in_context(member.__func__))
        elif isinstance(member, staticmethod):
            wrapped = staticmethod(in_context(member.__func__))
        elif callable(member) and hasattr(member, "__code__"):
            wrapped = in_context(member)
        else:
            continue
        setattr(cls, name, wrapped)
    return cls


def rounding_constant(mode: str, field: str = "mode") -> str:
    """Return the ``decimal`` rounding constant (``decimal_rounding``) of a mode name."""
    try:
        return ROUNDING_MODES[mode]
    except (KeyError, TypeError):
        raise invalid(
            field, mode, f"is not a rounding mode; use one of {sorted(ROUNDING_MODES)}"
        ) from None


#: The grammar of an amount or a rate written as text: ASCII digits, an optional sign,
#: point and exponent; `_` only between digits, as Python writes `1_000_000`.
_DIGITS: Final = r"[0-9]+(?:_[0-9]+)*"
_NUMBER: Final = re.compile(
    rf"[+-]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?[0-9]+)?"
)


def to_decimal(value: object, field: str, *, float_advice: str | None = None) -> Decimal:
    """Convert ``int``, ``str`` or ``Decimal`` to a finite ``Decimal``; refuse floats and junk.

    A float is refused with `float_advice` (how to pass the value exactly), by default
    a str or Decimal of the same digits.
    """
    if isinstance(value, bool):
        raise wrong_type(field, value, "an int, str or Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if _NUMBER.fullmatch(text) is None:
            raise invalid(field, value, "is not a decimal number")
        result = Decimal(text.replace("_", ""))
    elif isinstance(value, float):
        advice = float_advice or (
            f"pass a str or Decimal such as '{value!r}' (floats cannot hold most cent amounts exactly)"
        )
        raise InvalidTypeError(f"{field}: {value!r} is a float; {advice}")
    else:
        raise wrong_type(field, value, "an int, str or Decimal")
    if not result.is_finite():
        raise invalid(field, value, "is not finite")
    if not result and result.is_signed():
        result = result.copy_abs()  # -0 is 0: it must not print as -0.00
    return result


def quantize(value: Decimal, exponent: Decimal, mode: str) -> Decimal:
    """Round ``value`` to the places of ``exponent`` with ``mode``, in our own context."""
    return value.quantize(exponent, rounding=mode, context=CONTEXT)
