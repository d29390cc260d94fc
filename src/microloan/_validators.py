"""Argument validators shared by several modules, each raising a message that names the field.

An option is declared once, as a `Literal` in the module of the concept that owns it;
[`check_option`] checks a value against it (its choices come from `typing.get_args`),
and [`option`] makes the same check an attrs validator that names the field from the
attribute. The other checks here are the few every module repeats (a date, a days-in-year
convention, a name).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, Literal, get_args

import attrs

from microloan.errors import invalid, wrong_type

MAX_EXPONENT: Final = 18
"""`|x| >= MAX_AMOUNT` exactly when `x.adjusted() >= MAX_EXPONENT` (for a non-zero x)."""
MAX_AMOUNT: Final = Decimal(10) ** MAX_EXPONENT
"""The bound on the magnitude of an amount: every `Money` has `|amount| < MAX_AMOUNT`.

10**18 major units (a quintillion yuan) is far beyond any loan, line or book in any
listed currency, and it leaves 16 of the library's 34 significant digits for fractions
of a unit, so rounding to minor units (at most 3 places), allocation and `minor_units`
are exact for every amount. `Money(...)`, `Money.from_minor_units`, `*` and `/` refuse
an amount beyond it, as `irr`, `xirr` and `apr` refuse such a flow. A sum of amounts
(`+`, `sum()`, a report's total) is exact up to about 10**31 and is not bounded.
"""


def check_magnitude(field: str, amount: Decimal, value: object) -> Decimal:
    """Return `amount` if `|amount| < MAX_AMOUNT`, else refuse `value` naming `field` and the bound."""
    if amount and amount.adjusted() >= MAX_EXPONENT:
        raise invalid(field, value, BEYOND_THE_BOUND)
    return amount


BEYOND_THE_BOUND: Final = f"is beyond the bound of an amount, |amount| < 10**{MAX_EXPONENT}"
"""The tail of every refusal of an amount past `MAX_AMOUNT`."""


def check_option(field: str, value: object, literal: Any, *, reason: str | None = None) -> Any:  # noqa: ANN401 - returns the value typed as the Literal
    """Return `value` if it is one of the choices of `literal`, else raise naming `field`.

    Compared with a loop, by exact type and then `==` (never hashed, so `[]` is refused,
    not a crash; a `Decimal("sNaN")` is never compared, so it cannot signal): `True`
    and `False` are never taken for `1` and `0`, nor `360.0` or `Decimal(360)` for `360`,
    which would be stored as given and could not be written to a document. The message
    is `"<field>: <value!r> is not one of [<choices>]"` unless `reason` replaces its tail.
    """
    known = _CHOICES.get(id(literal)) or _choices(literal)
    if type(value) is str and value in known[2]:  # the common case: a str option, hashed
        return value
    for choice in known[1]:
        if type(choice) is type(value) and choice == value:
            return value
    raise invalid(field, value, reason or f"is not one of {list(known[1])}")


def _choices(literal: Any) -> tuple[Any, tuple[Any, ...], frozenset[str]]:  # noqa: ANN401 - any option Literal
    """The choices of an option `Literal` (`typing.get_args`) and its str choices, remembered.

    Remembered in `_CHOICES` by identity (a hot path): an option is declared once, a
    module constant, and the table holds each `Literal` it has seen, so no other object
    can take its id.
    """
    options = get_args(literal)
    names = frozenset(choice for choice in options if type(choice) is str)
    known = _CHOICES[id(literal)] = (literal, options, names)
    return known


_CHOICES: dict[int, tuple[Any, tuple[Any, ...], frozenset[str]]] = {}


def one_of(literal: Any) -> str:  # noqa: ANN401 - any option Literal
    """The tail of a refusal listing the choices in words: `is not 'a', 'b' or 'c'`."""
    names = [repr(choice) for choice in get_args(literal)]
    return f"is not {', '.join(names[:-1])} or {names[-1]}"


def option(literal: Any, *, reason: str | None = None) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator: the field's value must be one of the choices of `literal`."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
        check_option(attribute.name, value, literal, reason=reason)

    return check


def check_int(field: str, value: object, *, minimum: int | None = None) -> int:
    """Return `value` if it is an int (never a bool) of at least `minimum`, else raise naming `field`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(field, value, "an int")
    if minimum is not None and value < minimum:
        reason = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
        raise invalid(field, value, reason)
    return value


def check_date(value: object, field: str) -> date:
    """Return `value` if it is a calendar date (a `datetime` is refused: it carries a time)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise wrong_type(field, value, "a datetime.date")
    return value


def date_field(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    """An attrs validator: the field must be a calendar date."""
    check_date(value, attribute.name)


def check_days_in_year(value: object) -> Literal[360, 365, "actual"]:
    """Return `value` if it is a days-in-year convention: the int 360 or 365, or `"actual"`.

    Only those exact types: `365.0`, `Decimal(360)` or `True` would be stored as given
    and could not be written to a document.
    """
    if isinstance(value, str) and value == "actual":
        return "actual"
    if type(value) is int and value in (360, 365):
        return 360 if value == 360 else 365
    raise invalid("days_in_year", value, 'must be 360, 365 or "actual"')


def check_items(
    field: str, value: object, expected: str = "a sequence of numbers, such as a list"
) -> list[Any]:
    """The items of `value`, an iterable such as a list; a str, bytes or mapping is refused.

    A string is not a list of its characters, nor a mapping a list of its keys.
    """
    return list(check_iterable(field, value, expected))


def check_iterable(field: str, value: object, expected: str) -> Iterator[Any]:
    """An iterator over `value`, read lazily (a stream of records stays a stream).

    A str, bytes or mapping is refused, as by [`check_items`], and so is a non-iterable.
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise wrong_type(field, value, expected)
    return iter(value)


def check_mapping(
    field: str, value: object, expected: str = "a mapping, such as a dict"
) -> Mapping[Any, Any]:
    """`value` if it is a mapping (a dict of name → value), else an error naming `field`."""
    if not isinstance(value, Mapping):
        raise wrong_type(field, value, expected)
    return value


def check_name(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    """An attrs validator: `name` must be a non-empty `str`."""
    if not isinstance(value, str):
        raise wrong_type("name", value, "a str")
    if not value.strip():
        raise invalid("name", value, "must not be empty")


# -- the fields of the analytics' result objects ---------------------------------------
# Each is an attrs validator naming the field; a table built by hand or read from a
# document is refused as an argument would be (an int count, never a bool; a rate a
# finite `Decimal`).


def check_count(field: str, value: object) -> None:
    """A count: an int (never a bool) or, for weighted rows, a `Decimal`; not negative."""
    if isinstance(value, Decimal):
        if not value.is_finite() or value < 0:
            raise invalid(field, value, "must be a finite, non-negative count")
        return
    check_int(field, value, minimum=0)


def check_decimal(
    field: str, value: object, *, low: int | None = None, high: int | None = None
) -> None:
    """A finite `Decimal` from `low` to `high` (each bound optional)."""
    if not isinstance(value, Decimal):
        raise wrong_type(field, value, "a Decimal")
    if not value.is_finite():
        raise invalid(field, value, "must be finite")
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise invalid(field, value, f"must be {span}")


def count_field(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    """An attrs validator: the field is a count (see [`check_count`])."""
    check_count(attribute.name, value)


def optional_count_field(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    """An attrs validator: the field is a count or `None`."""
    if value is not None:
        check_count(attribute.name, value)


def decimal_field(
    *, low: int | None = None, high: int | None = None, optional: bool = False
) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator: a finite `Decimal` from `low` to `high` (or `None` if `optional`)."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
        if value is None and optional:
            return
        check_decimal(attribute.name, value, low=low, high=high)

    return check


def fraction_field(*, optional: bool = False) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator: a share or rate, a finite `Decimal` from 0 to 1 (or `None`)."""
    return decimal_field(low=0, high=1, optional=optional)


def typed_field(kind: type | tuple[type, ...], expected: str) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator: the field is an instance of `kind` (never a bool for an int)."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise wrong_type(attribute.name, value, expected)
        if not isinstance(value, kind):
            raise wrong_type(attribute.name, value, expected)

    return check


def tuple_field(kind: type, expected: str) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator: the field is a tuple of `kind`, each item named by its index."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
        if not isinstance(value, tuple):
            raise wrong_type(attribute.name, value, f"a tuple, each item {expected}")
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, kind):
                raise wrong_type(f"{attribute.name}[{i}]", item, expected)

    return check


def dict_field(kind: type, expected: str, *, optional: bool = False) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator: a dict of str to `kind` (or `None` values, if `optional`)."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
        if not isinstance(value, dict):
            raise wrong_type(attribute.name, value, f"a dict of name to {expected}")
        for key, item in value.items():
            if not isinstance(key, str):
                raise wrong_type(f"{attribute.name}[{key!r}]", key, "a str name")
            if not (isinstance(item, kind) or (optional and item is None)):
                raise wrong_type(f"{attribute.name}[{key!r}]", item, expected)

    return check


def natural_field(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    """An attrs validator: the field is a non-negative int (never a bool)."""
    check_int(attribute.name, value, minimum=0)
