"""Serialization: every public value object to and from JSON-safe dicts.

[`to_dict`][microloan.to_dict] turns a value object ([`Money`][microloan.Money],
[`Rate`][microloan.Rate], [`Schedule`][microloan.Schedule] and every other public
attrs class of the library) into a dict of plain JSON values;
[`from_dict`][microloan.from_dict] turns such a dict back into the object, through
the class's own constructor, so every check the class makes runs again.
[`to_json`][microloan.to_json] and [`from_json`][microloan.from_json] add the
`json` text step.

The layout (schema version 1):

- The document is a JSON object with `"type"` (the class's public name, e.g.
  `"Schedule"`), `"version"` (the integer [`SCHEMA_VERSION`][microloan.SCHEMA_VERSION])
  and one key per field, named as the class's constructor keyword (the attribute
  name; a private `_x` field is written as `x`). Fields the constructor does not
  take (`init=False`) are derived, so they are not written and are recomputed.
- `Decimal` values are decimal strings exactly as held (`"1.50"` keeps its two
  places, `"1E+3"` its exponent); dates are ISO 8601 `YYYY-MM-DD`; datetimes are
  ISO 8601 with their fixed UTC offset, if any; `int`, `bool` and `str` are
  themselves; a float is a JSON number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
- A nested value object is a JSON object of its fields, without `"type"` or
  `"version"`; only where a field admits several classes (`Repayment | Fee`)
  does it carry `"type"` to say which. Tuples, lists and sets are arrays (a set
  in a stable order), mappings are objects whose keys are the keys' text (or,
  for keys with no text form such as `object`, arrays of `[key, value]` pairs),
  `None` is `null`, a `Literal` option or an enum is its value, and a field
  declared `object` or `Any` (an identifier, a threshold) holds a JSON string,
  number, boolean or null, a one-key object for a value JSON has no type for
  (`{"decimal": "1.50"}`, `{"date": "2026-01-15"}`, `{"datetime": ...}`), or an
  array of such values for a tuple.
- A field whose type has no JSON form (a callable hook, say) can only be
  written while it is `None`; holding a value, the object cannot be written.

Reading is strict: a missing `"type"`, a newer `"version"`, a field that is
missing (and has no default), an unknown key, a number where a decimal string is
expected, a date that does not exist, or a value the class refuses, all raise
[`SerializationError`][microloan.SerializationError] naming the path of the bad
field, such as `installments[3].principal.amount`. Nothing half-built is returned.
"""

from __future__ import annotations

import collections.abc
import contextlib
import enum
import json
import math
import re
import types
import typing
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, final, overload

import attrs

from microloan._decimal import CONTEXT
from microloan._public import home_namespace
from microloan.errors import (
    DocumentFailure,
    InvalidTypeError,
    MicroloanError,
    SerializationError,
    wrong_type,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


_T = TypeVar("_T")

SCHEMA_VERSION: Final = 1
"""The version of the document layout this release writes (the `"version"` field).

Every document carries it. A release that changes any class's layout in a way an
older reader would refuse or misread (a field renamed, removed or added, a value
encoded differently, a `"type"` renamed) raises it by one and keeps reading every
older version, upgrading such documents before it reads them. A document with a
version above this one was written by a newer microloan and is refused.
"""

#: Upgrades between layouts: `_UPGRADES[v]` turns a version-`v` document into a
#: version-`v + 1` one. Empty while version 1 is the only layout.
_UPGRADES: Final[dict[int, Callable[[dict[str, object]], dict[str, object]]]] = {}

_DECIMAL_TEXT: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_DATE_TEXT: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT_TEXT: Final = re.compile(r"-?[0-9]+")
_FLOAT_WORDS: Final = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_NONE_TYPE: Final = type(None)


def _kind(data: object) -> str:  # noqa: PLR0911 - one answer per JSON kind
    if data is None:
        return "null"
    if isinstance(data, bool):
        return f"boolean {data!r}"
    if isinstance(data, int):
        return "integer" if abs(data) > 10**40 else f"integer {data!r}"
    if isinstance(data, float):
        return f"number {data!r}"
    if isinstance(data, str):
        text = repr(data)
        return f"string {text if len(text) <= 60 else text[:57] + '...'}"
    if isinstance(data, list | tuple):
        return "an array"
    if isinstance(data, dict):
        return "an object"
    return _a(type(data).__name__)


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'AEIOUaeiou' else 'a'} {noun}"


def _expected(what: str, data: object) -> DocumentFailure:
    return DocumentFailure(f"expected {what}, got {_kind(data)}")


def _not_writable(what: str, value: object) -> DocumentFailure:
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return DocumentFailure(f"{text} is a {type(value).__name__}; expected {what}")


# -- codecs: one per annotation, compiled once -------------------------------------


class _Codec:
    """How one annotation's values are written, read, and recognised (for unions)."""

    __slots__ = ()
    label = "a value"

    def accepts(self, value: object) -> bool:
        raise NotImplementedError

    def encode(self, value: object) -> object:
        raise NotImplementedError

    def decode(self, data: object) -> object:
        raise NotImplementedError


@final
class _NoneCodec(_Codec):
    __slots__ = ()
    label = "null"

    def accepts(self, value: object) -> bool:
        return value is None

    def encode(self, value: object) -> object:
        if value is not None:
            raise _not_writable("None", value)
        return None

    def decode(self, data: object) -> object:
        if data is not None:
            raise _expected("null", data)
        return None


@final
class _StrCodec(_Codec):
    __slots__ = ()
    label = "a string"

    def accepts(self, value: object) -> bool:
        return isinstance(value, str)

    def encode(self, value: object) -> object:
        if not isinstance(value, str):
            raise _not_writable("a str", value)
        return str.__str__(value)

    def decode(self, data: object) -> object:
        if not isinstance(data, str):
            raise _expected("a string", data)
        return data


@final
class _IntCodec(_Codec):
    __slots__ = ()
    label = "an integer"

    def accepts(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def encode(self, value: object) -> object:
        if not self.accepts(value):
            raise _not_writable("an int", value)
        return int(value)  # type: ignore[call-overload]  # accepts() checked it is an int

    def decode(self, data: object) -> object:
        if not isinstance(data, int) or isinstance(data, bool):
            raise _expected("an integer", data)
        return int(data)


@final
class _BoolCodec(_Codec):
    __slots__ = ()
    label = "true or false"

    def accepts(self, value: object) -> bool:
        return isinstance(value, bool)

    def encode(self, value: object) -> object:
        if not isinstance(value, bool):
            raise _not_writable("a bool", value)
        return value

    def decode(self, data: object) -> object:
        if not isinstance(data, bool):
            raise _expected("true or false", data)
        return data


@final
class _FloatCodec(_Codec):
    __slots__ = ()
    label = "a number"

    def accepts(self, value: object) -> bool:
        return isinstance(value, float | int) and not isinstance(value, bool)

    def encode(self, value: object) -> object:
        if not isinstance(value, float | int) or isinstance(value, bool):
            raise _not_writable("a float", value)
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return number

    def decode(self, data: object) -> object:
        if isinstance(data, str) and data in _FLOAT_WORDS:
            return _FLOAT_WORDS[data]
        if not isinstance(data, float | int) or isinstance(data, bool):
            raise _expected('a number (or "NaN", "Infinity", "-Infinity")', data)
        try:
            return float(data)
        except OverflowError:
            raise _expected("a number within the range of a float", data) from None


def _decimal_in_range(value: Decimal) -> bool:
    return value.is_zero() or CONTEXT.Emin <= value.adjusted() <= CONTEXT.Emax


@final
class _DecimalCodec(_Codec):
    __slots__ = ()
    label = "a decimal string"

    def accepts(self, value: object) -> bool:
        return isinstance(value, Decimal)

    def encode(self, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal):
            raise _not_writable("a Decimal", value)
        if not value.is_finite() or not _decimal_in_range(value):
            raise _not_writable("a finite Decimal within the library's range", value)
        return str(value)

    def decode(self, data: object) -> object:
        if not isinstance(data, str) or _DECIMAL_TEXT.fullmatch(data) is None:
            raise _expected("a decimal string such as '1.50'", data)
        try:
            value = Decimal(data)
        except ArithmeticError:
            value = Decimal("NaN")
        if not value.is_finite() or not _decimal_in_range(value):
            raise DocumentFailure(f"{data!r} is outside the range of decimals the library handles")
        return value


@final
class _DateCodec(_Codec):
    __slots__ = ()
    label = "an ISO 8601 date"

    def accepts(self, value: object) -> bool:
        return type(value) is date

    def encode(self, value: object) -> object:
        if type(value) is not date:
            raise _not_writable("a date", value)
        return value.isoformat()

    def decode(self, data: object) -> object:
        if not isinstance(data, str) or _DATE_TEXT.fullmatch(data) is None:
            raise _expected("an ISO 8601 date such as '2026-01-15'", data)
        try:
            return date.fromisoformat(data)
        except ValueError:
            raise DocumentFailure(f"{data!r} is not a date in the calendar") from None


@final
class _DateTimeCodec(_Codec):
    __slots__ = ()
    label = "an ISO 8601 date and time"

    def accepts(self, value: object) -> bool:
        return type(value) is datetime

    def encode(self, value: object) -> object:
        if type(value) is not datetime:
            raise _not_writable("a datetime", value)
        if value.tzinfo is not None and not isinstance(value.tzinfo, timezone):
            raise _not_writable(
                "a datetime that is naive or has a fixed offset (datetime.timezone)", value
            )
        return value.isoformat()

    def decode(self, data: object) -> object:
        if not isinstance(data, str) or _DATE_TEXT.match(data) is None:
            raise _expected("an ISO 8601 date and time such as '2026-01-15T09:30:00+08:00'", data)
        try:
            return datetime.fromisoformat(data)
        except ValueError:
            raise DocumentFailure(f"{data!r} is not an ISO 8601 date and time") from None


@final
class _LiteralCodec(_Codec):
    __slots__ = ("values",)

    def __init__(self, values: tuple[object, ...]) -> None:
        self.values = values

    @property
    def label(self) -> str:  # type: ignore[override]  # computed per literal
        return "one of " + ", ".join(json.dumps(v) for v in self.values)

    def accepts(self, value: object) -> bool:
        return any(type(value) is type(v) and value == v for v in self.values)

    def encode(self, value: object) -> object:
        if not self.accepts(value):
            raise _not_writable(self.label, value)
        return value

    def decode(self, data: object) -> object:
        for v in self.values:
            if type(data) is type(v) and data == v:
                return v
        raise _expected(self.label, data)


@final
class _EnumCodec(_Codec):
    __slots__ = ("cls",)

    def __init__(self, cls: type[enum.Enum]) -> None:
        self.cls = cls

    @property
    def label(self) -> str:  # type: ignore[override]  # computed per enum
        return "one of " + ", ".join(json.dumps(m.value) for m in self.cls)

    def accepts(self, value: object) -> bool:
        return isinstance(value, self.cls)

    def encode(self, value: object) -> object:
        if not isinstance(value, self.cls):
            raise _not_writable(_a(self.cls.__name__), value)
        return value.value

    def decode(self, data: object) -> object:
        for member in self.cls:
            if type(data) is type(member.value) and data == member.value:
                return member
        raise _expected(self.label, data)


@final
class _SequenceCodec(_Codec):
    """`tuple[X, ...]`, `list[X]` and `Sequence[X]` (read back as a tuple)."""

    __slots__ = ("item", "kinds", "make")

    def __init__(
        self,
        item: _Codec,
        kinds: tuple[type, ...],
        make: Callable[[list[object]], object],
    ) -> None:
        self.item = item
        self.kinds = kinds
        self.make = make

    label = "an array"

    def accepts(self, value: object) -> bool:
        return isinstance(value, self.kinds)

    def encode(self, value: object) -> object:
        if not isinstance(value, self.kinds):
            raise _not_writable(" or ".join(k.__name__ for k in self.kinds), value)
        out: list[object] = []
        for index, element in enumerate(typing.cast("collections.abc.Iterable[object]", value)):
            try:
                out.append(self.item.encode(element))
            except DocumentFailure as failure:
                raise failure.at(index) from None
        return out

    def decode(self, data: object) -> object:
        if not isinstance(data, list | tuple):
            raise _expected("an array", data)
        items: list[object] = []
        for index, element in enumerate(data):
            try:
                items.append(self.item.decode(element))
            except DocumentFailure as failure:
                raise failure.at(index) from None
        return self.make(items)


@final
class _FixedTupleCodec(_Codec):
    """`tuple[X, Y, Z]`: an array of exactly that many items."""

    __slots__ = ("items",)
    label = "an array"

    def __init__(self, items: tuple[_Codec, ...]) -> None:
        self.items = items

    def accepts(self, value: object) -> bool:
        return isinstance(value, tuple) and len(value) == len(self.items)

    def encode(self, value: object) -> object:
        if not self.accepts(value):
            raise _not_writable(f"a tuple of {len(self.items)} items", value)
        out: list[object] = []
        for index, (codec, element) in enumerate(
            zip(self.items, typing.cast("tuple[object, ...]", value), strict=True)
        ):
            try:
                out.append(codec.encode(element))
            except DocumentFailure as failure:
                raise failure.at(index) from None
        return out

    def decode(self, data: object) -> object:
        if not isinstance(data, list | tuple) or len(data) != len(self.items):
            raise _expected(f"an array of {len(self.items)} items", data)
        items: list[object] = []
        for index, (codec, element) in enumerate(zip(self.items, data, strict=True)):
            try:
                items.append(codec.decode(element))
            except DocumentFailure as failure:
                raise failure.at(index) from None
        return tuple(items)


def _sort_key(encoded: object) -> str:
    return json.dumps(encoded, sort_keys=True)


@final
class _SetCodec(_Codec):
    """`frozenset[X]` and `set[X]`: an array in a stable order, no repeats."""

    __slots__ = ("item", "make")
    label = "an array"

    def __init__(self, item: _Codec, make: type[frozenset[object] | set[object]]) -> None:
        self.item = item
        self.make = make

    def accepts(self, value: object) -> bool:
        return isinstance(value, frozenset | set)

    def encode(self, value: object) -> object:
        if not isinstance(value, frozenset | set):
            raise _not_writable("a set", value)
        try:
            return sorted((self.item.encode(e) for e in value), key=_sort_key)
        except DocumentFailure as failure:
            raise failure.at(0) from None

    def decode(self, data: object) -> object:
        if not isinstance(data, list | tuple):
            raise _expected("an array", data)
        items: list[object] = []
        for index, element in enumerate(data):
            try:
                items.append(self.item.decode(element))
            except DocumentFailure as failure:
                raise failure.at(index) from None
        try:
            result = self.make(items)
        except TypeError:
            raise DocumentFailure("holds values that cannot be members of a set") from None
        if len(result) != len(items):
            raise DocumentFailure("lists the same member more than once")
        return result


@final
class _MappingCodec(_Codec):
    """`dict[K, V]` and `Mapping[K, V]`: an object keyed by the keys' text."""

    __slots__ = ("int_keys", "key", "value")
    label = "an object"

    def __init__(self, key: _Codec, value: _Codec, *, int_keys: bool) -> None:
        self.key = key
        self.value = value
        self.int_keys = int_keys

    def accepts(self, value: object) -> bool:
        return isinstance(value, collections.abc.Mapping)

    def encode(self, value: object) -> object:
        if not isinstance(value, collections.abc.Mapping):
            raise _not_writable("a mapping", value)
        out: dict[str, object] = {}
        for key, element in typing.cast("Mapping[object, object]", value).items():
            try:
                text = self.key.encode(key)
            except DocumentFailure as failure:
                raise failure.at(repr(key)) from None
            text = str(text) if self.int_keys else text
            if not isinstance(text, str):  # pragma: no cover - keys are checked at compile time
                raise DocumentFailure(f"key {key!r} has no text form").at(repr(key))
            try:
                out[text] = self.value.encode(element)
            except DocumentFailure as failure:
                raise failure.at(text) from None
        return out

    def decode(self, data: object) -> object:
        if not isinstance(data, dict):
            raise _expected("an object", data)
        out: dict[object, object] = {}
        for text, element in data.items():
            if not isinstance(text, str):
                raise DocumentFailure("keys must be strings").at(repr(text))
            try:
                raw: object = text
                if self.int_keys:
                    if _INT_TEXT.fullmatch(text) is None:
                        raise _expected("an integer key", text)
                    raw = int(text)
                key = self.key.decode(raw)
            except (DocumentFailure, ValueError) as exc:
                reason = exc.reason if isinstance(exc, DocumentFailure) else "is not a valid key"
                raise DocumentFailure(f"bad key: {reason}").at(text) from None
            try:
                out[key] = self.value.decode(element)
            except DocumentFailure as failure:
                raise failure.at(text) from None
        return out


@final
class _UnionCodec(_Codec):
    """`X | Y | None`: the first arm that takes the value writes it; reading tries arms in order."""

    __slots__ = ("arms", "optional")

    def __init__(self, arms: tuple[_Codec, ...], *, optional: bool) -> None:
        self.arms = arms
        self.optional = optional

    @property
    def label(self) -> str:  # type: ignore[override]  # computed per union
        labels = [arm.label for arm in self.arms] + (["null"] if self.optional else [])
        return " or ".join(labels)

    def accepts(self, value: object) -> bool:
        return (value is None and self.optional) or any(a.accepts(value) for a in self.arms)

    def encode(self, value: object) -> object:
        if value is None and self.optional:
            return None
        for index, arm in enumerate(self.arms):
            if arm.accepts(value):
                encoded = arm.encode(value)
                self._check_unambiguous(index, encoded)
                return encoded
        for arm in self.arms:
            if isinstance(arm, _RefuseCodec):
                arm.encode(value)
        raise _not_writable(self.label, value)

    def _check_unambiguous(self, index: int, encoded: object) -> None:
        for earlier in self.arms[:index]:
            try:
                earlier.decode(encoded)
            except DocumentFailure:
                continue
            raise InvalidTypeError(
                f"the union {self.label} cannot be read back unambiguously: "
                f"{encoded!r} would be read as {earlier.label}; put the arms in another order"
            )

    def decode(self, data: object) -> object:
        if data is None:
            if self.optional:
                return None
            raise _expected(self.label, data)
        if len(self.arms) == 1:
            return self.arms[0].decode(data)
        failures: list[DocumentFailure] = []
        for arm in self.arms:
            try:
                return arm.decode(data)
            except DocumentFailure as failure:
                failures.append(failure)
        deepest = max(failures, key=lambda f: len(f.segments))
        if deepest.segments:
            raise deepest
        raise _expected(self.label, data)


@final
class _PairsCodec(_Codec):
    """A mapping whose keys have no text form (`dict[object, int]`): an array of `[key, value]`."""

    __slots__ = ("key", "value")
    label = "an array of [key, value] pairs"

    def __init__(self, key: _Codec, value: _Codec) -> None:
        self.key = key
        self.value = value

    def accepts(self, value: object) -> bool:
        return isinstance(value, collections.abc.Mapping)

    def encode(self, value: object) -> object:
        if not isinstance(value, collections.abc.Mapping):
            raise _not_writable("a mapping", value)
        out: list[object] = []
        items = typing.cast("Mapping[object, object]", value).items()
        for index, (key, element) in enumerate(items):
            try:
                out.append([self.key.encode(key), self.value.encode(element)])
            except DocumentFailure as failure:
                raise failure.at(index) from None
        return out

    def decode(self, data: object) -> object:
        if not isinstance(data, list | tuple):
            raise _expected(self.label, data)
        out: dict[object, object] = {}
        for index, pair in enumerate(data):
            try:
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise _expected("a [key, value] pair", pair)
                key = self.key.decode(pair[0])
                if key in out:
                    raise DocumentFailure(f"repeats the key {pair[0]!r}")  # noqa: TRY301 - same handler
                out[key] = self.value.decode(pair[1])
            except DocumentFailure as failure:
                raise failure.at(index) from None
            except TypeError:  # a key that cannot be hashed
                raise DocumentFailure("holds a key that cannot be a mapping key").at(
                    index
                ) from None
        return out


#: How `object`/`Any` fields write the values JSON has no type for: a one-key object.
_TAGS: Final[tuple[tuple[str, type, _Codec], ...]] = (
    ("decimal", Decimal, _DecimalCodec()),
    ("date", date, _DateCodec()),
    ("datetime", datetime, _DateTimeCodec()),
)
_MAX_NESTING: Final = 16  # arrays within arrays in an `Any` field: deeper is refused


@final
class _ScalarCodec(_Codec):
    """`object` or `Any` (an identifier, a threshold, a category): a scalar kept with its type.

    JSON strings, integers, finite numbers, booleans and null are themselves; a
    `Decimal`, `date` or `datetime` is a one-key object (`{"decimal": "1.50"}`,
    `{"date": "2026-01-15"}`, `{"datetime": ...}`) so it does not come back as a
    str; a tuple of such values is an array (read back as a tuple).
    """

    __slots__ = ()
    label = (
        'a string, number, boolean, null, {"decimal": ...}, {"date": ...}, '
        '{"datetime": ...} or an array of such values'
    )

    def accepts(self, value: object) -> bool:
        return self._accepts(value, 0)

    def _accepts(self, value: object, depth: int) -> bool:
        if value is None or type(value) in (str, int, bool, Decimal, date, datetime):
            return True
        if type(value) is tuple and depth < _MAX_NESTING:
            return all(self._accepts(item, depth + 1) for item in value)
        return _finite_float(value)

    def encode(self, value: object) -> object:
        if not self.accepts(value):
            raise _not_writable(
                "a str, int, bool, finite float, Decimal, date, datetime, None or a tuple of them",
                value,
            )
        return self._encode(value)

    def _encode(self, value: object) -> object:
        if type(value) is tuple:
            return [self._encode(item) for item in value]
        for tag, kind, codec in _TAGS:
            if type(value) is kind:
                return {tag: codec.encode(value)}
        return value

    def decode(self, data: object) -> object:
        return self._decode(data, 0)

    def _decode(self, data: object, depth: int) -> object:
        if data is None or type(data) in (str, int, bool) or _finite_float(data):
            return data
        if isinstance(data, list | tuple) and depth < _MAX_NESTING:
            items: list[object] = []
            for index, item in enumerate(data):
                try:
                    items.append(self._decode(item, depth + 1))
                except DocumentFailure as failure:
                    raise failure.at(index) from None
            return tuple(items)
        if isinstance(data, dict) and len(data) == 1:
            for tag, _kind, codec in _TAGS:
                if tag in data:
                    try:
                        return codec.decode(data[tag])
                    except DocumentFailure as failure:
                        raise failure.at(tag) from None
        raise _expected(self.label, data)


def _finite_float(value: object) -> bool:
    return type(value) is float and math.isfinite(value)


@final
class _RefuseCodec(_Codec):
    """An annotation with no JSON form (a callable hook, say): only its absence can be written."""

    __slots__ = ("annotation",)
    label = "nothing (the field has no JSON form)"

    def __init__(self, annotation: object) -> None:
        self.annotation = annotation

    def accepts(self, value: object) -> bool:  # noqa: ARG002 - no value is writable
        return False

    def encode(self, value: object) -> object:
        raise DocumentFailure(
            f"holds {_a(type(value).__name__)} (declared {self.annotation!r}), which has no "
            "JSON form; only None can be written here"
        )

    def decode(self, data: object) -> object:
        raise _expected("null (the field has no other JSON form)", data)


@attrs.frozen
class _Field:
    key: str
    attribute: str
    codec: _Codec
    required: bool


@final
class _ClassCodec(_Codec):
    """An attrs class: an object of its constructor's fields (and `"type"` when tagged)."""

    __slots__ = ("_fields", "cls", "name", "tagged")

    def __init__(self, cls: type, name: str, *, tagged: bool) -> None:
        self.cls = cls
        self.name = name
        self.tagged = tagged
        self._fields: tuple[_Field, ...] | None = None

    @property
    def label(self) -> str:  # type: ignore[override]  # computed per class
        return _a(f"{self.name} object")

    @property
    def fields(self) -> tuple[_Field, ...]:
        if self._fields is None:  # compiled on first use, so classes may refer to themselves
            self._fields = _compile_fields(self.cls)
            if self.tagged and any(f.key == "type" for f in self._fields):
                raise InvalidTypeError(
                    f"{self.name}: a field named 'type' clashes with the document's type tag"
                )
        return self._fields

    def accepts(self, value: object) -> bool:
        return type(value) is self.cls

    def encode(self, value: object) -> object:
        if type(value) is not self.cls:
            raise _not_writable(_a(self.name), value)
        out: dict[str, object] = {"type": self.name} if self.tagged else {}
        out.update(self.encode_fields(value))
        return out

    def encode_fields(self, value: object) -> dict[str, object]:
        out: dict[str, object] = {}
        for field in self.fields:
            try:
                out[field.key] = field.codec.encode(getattr(value, field.attribute))
            except DocumentFailure as failure:
                raise failure.at(field.key) from None
        return out

    def decode(self, data: object) -> object:
        if not isinstance(data, dict):
            raise _expected(self.label, data)
        if self.tagged:
            if "type" not in data:
                raise DocumentFailure(f'is missing; expected "{self.name}"').at("type")
            if data["type"] != self.name:
                raise _expected(f'"{self.name}"', data["type"]).at("type")
        return self.decode_fields(data, ignore=("type",) if self.tagged else ())

    def decode_fields(self, data: dict[Any, object], ignore: tuple[str, ...] = ()) -> object:
        fields = self.fields
        known = {f.key for f in fields}
        for key in data:
            if key not in known and key not in ignore:
                segment = key if isinstance(key, str) else repr(key)
                expected = ", ".join(f.key for f in fields)
                raise DocumentFailure(f"is not a field of {self.name} (its fields: {expected})").at(
                    segment
                )
        kwargs: dict[str, object] = {}
        for field in fields:
            if field.key in data:
                try:
                    kwargs[field.key] = field.codec.decode(data[field.key])
                except DocumentFailure as failure:
                    raise failure.at(field.key) from None
            elif field.required:
                raise DocumentFailure(f"is missing ({self.name} requires it)").at(field.key)
        factory: Callable[..., object] = self.cls
        try:
            return factory(**kwargs)
        except (MicroloanError, ValueError, TypeError, ArithmeticError, LookupError) as exc:
            raise DocumentFailure(f"is not a valid {self.name}: {exc}") from exc


def _compile_fields(cls: type) -> tuple[_Field, ...]:
    try:
        hints = typing.get_type_hints(cls, globalns=home_namespace(cls))
    except Exception as exc:
        raise InvalidTypeError(
            f"{cls.__qualname__}: its field annotations cannot be resolved at run time ({exc}); "
            "import the names they use outside `if TYPE_CHECKING:`"
        ) from exc
    out: list[_Field] = []
    for attribute in attrs.fields(cls):
        if not attribute.init:
            continue  # derived state: the constructor recomputes it
        owner = f"{cls.__qualname__}.{attribute.name}"
        annotation = hints.get(attribute.name, attribute.type)
        if annotation is None:
            raise InvalidTypeError(f"{owner}: has no type annotation to serialize by")
        out.append(
            _Field(
                key=attribute.alias or attribute.name,
                attribute=attribute.name,
                codec=_compile(annotation, owner),
                required=attribute.default is attrs.NOTHING,
            )
        )
    return tuple(out)


_SCALARS: Final[dict[object, _Codec]] = {
    str: _StrCodec(),
    int: _IntCodec(),
    bool: _BoolCodec(),
    float: _FloatCodec(),
    Decimal: _DecimalCodec(),
    date: _DateCodec(),
    datetime: _DateTimeCodec(),
    None: _NoneCodec(),
    _NONE_TYPE: _NoneCodec(),
    object: _ScalarCodec(),
    Any: _ScalarCodec(),
}
_CODECS: dict[object, _Codec] = {}
_CLASS_CODECS: dict[tuple[type, bool], _ClassCodec] = {}

_SEQUENCES: Final[dict[object, tuple[tuple[type, ...], Callable[[list[object]], object]]]] = {
    tuple: ((tuple,), tuple),
    list: ((list,), list),
    collections.abc.Sequence: ((tuple, list), tuple),
}
_SETS: Final[dict[object, type[frozenset[object] | set[object]]]] = {
    frozenset: frozenset,
    set: set,
    collections.abc.Set: frozenset,
}
_MAPPINGS: Final = (dict, collections.abc.Mapping)


def _class_codec(cls: type, *, tagged: bool) -> _ClassCodec:
    codec = _CLASS_CODECS.get((cls, tagged))
    if codec is None:
        codec = _ClassCodec(cls, _type_name(cls), tagged=tagged)
        _CLASS_CODECS[cls, tagged] = codec
    return codec


def _unwrap(annotation: object) -> object:
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif hasattr(annotation, "__supertype__"):  # typing.NewType
            annotation = annotation.__supertype__
        elif type(annotation).__name__ == "TypeAliasType":  # the `type X = ...` statement
            annotation = getattr(annotation, "__value__", annotation)
        else:
            return annotation


def _compile(annotation: object, owner: str) -> _Codec:
    annotation = _unwrap(annotation)
    try:
        cached = _CODECS.get(annotation)
    except TypeError:  # an unhashable annotation: compile it every time
        cached = None
    if cached is not None:
        return cached
    codec = _build(annotation, owner)
    with contextlib.suppress(TypeError):  # an unhashable annotation is not cached
        _CODECS[annotation] = codec
    return codec


def _build(annotation: object, owner: str) -> _Codec:  # noqa: PLR0911, PLR0912, C901 - a branch per form
    try:
        return _SCALARS[annotation]
    except (KeyError, TypeError):
        pass
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        if not all(v is None or isinstance(v, str | int) for v in args):
            return _RefuseCodec(annotation)
        return _LiteralCodec(args)
    if origin is typing.Union or origin is types.UnionType:
        return _union(args, owner)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _SequenceCodec(_compile(args[0], owner), (tuple,), tuple)
        return _FixedTupleCodec(tuple(_compile(a, owner) for a in args))
    if origin in _SEQUENCES and len(args) == 1:
        kinds, make = _SEQUENCES[origin]
        return _SequenceCodec(_compile(args[0], owner), kinds, make)
    if origin in _SETS and len(args) == 1:
        return _SetCodec(_compile(args[0], owner), _SETS[origin])
    if origin in _MAPPINGS and len(args) == 2:
        key = _compile(args[0], owner)
        if isinstance(key, _IntCodec) or (
            isinstance(key, _LiteralCodec | _EnumCodec) and _all_int(key)
        ):
            return _MappingCodec(key, _compile(args[1], owner), int_keys=True)
        if isinstance(key, _StrCodec | _DecimalCodec | _DateCodec | _DateTimeCodec) or (
            isinstance(key, _LiteralCodec | _EnumCodec) and _all_str(key)
        ):
            return _MappingCodec(key, _compile(args[1], owner), int_keys=False)
        return _PairsCodec(key, _compile(args[1], owner))
    if isinstance(annotation, type):
        if attrs.has(annotation):
            return _class_codec(annotation, tagged=False)
        if issubclass(annotation, enum.Enum) and all(
            isinstance(m.value, str | int) and not isinstance(m.value, bool) for m in annotation
        ):
            return _EnumCodec(annotation)
    return _RefuseCodec(annotation)


def _values(codec: _LiteralCodec | _EnumCodec) -> list[object]:
    if isinstance(codec, _LiteralCodec):
        return list(codec.values)
    return [m.value for m in codec.cls]


def _all_int(codec: _LiteralCodec | _EnumCodec) -> bool:
    return all(type(v) is int for v in _values(codec))


def _all_str(codec: _LiteralCodec | _EnumCodec) -> bool:
    return all(isinstance(v, str) for v in _values(codec))


def _union(args: tuple[object, ...], owner: str) -> _Codec:
    optional = any(a is None or a is _NONE_TYPE for a in args)
    members = [_unwrap(a) for a in args if a is not None and a is not _NONE_TYPE]
    classes = [m for m in members if isinstance(m, type) and attrs.has(m)]
    tag = len(classes) > 1  # several classes: each object says which one it is
    arms = tuple(
        _class_codec(m, tagged=True) if tag and m in classes else _compile(m, owner)
        for m in members
    )
    return _UnionCodec(arms, optional=optional)


# -- the registry of public types ---------------------------------------------------

_registry: tuple[tuple[str, ...], dict[str, type]] | None = None


def _registered() -> dict[str, type]:
    global _registry  # noqa: PLW0603 - a cache refreshed when __all__ changes
    import microloan  # noqa: PLC0415 - at call time: the package imports this module

    names = tuple(microloan.__all__)
    if _registry is None or _registry[0] != names:
        found: dict[str, type] = {}
        for name in names:
            obj = getattr(microloan, name, None)
            if isinstance(obj, type) and attrs.has(obj):
                found[name] = obj
        _registry = (names, found)
    return _registry[1]


def _type_name(cls: type) -> str:
    for name, registered in _registered().items():
        if registered is cls:
            return name
    return cls.__name__


def serializable_types() -> dict[str, type[object]]:
    """The classes [`from_dict`][microloan.from_dict] can read without being told which.

    Every attrs class named in `microloan.__all__` is registered under that name,
    which is the `"type"` of its documents. The registry is read from `__all__`
    when called, so a class the library adds is picked up without a list to keep.

    Returns:
        A new dict from type name to class, sorted by name.

    Examples:
        >>> types = serializable_types()
        >>> types["Money"], types["Schedule"]
        (<class 'microloan.Money'>, <class 'microloan.Schedule'>)
    """
    return dict(sorted(_registered().items()))


# -- the public functions -----------------------------------------------------------


def to_dict(obj: object) -> dict[str, Any]:
    """Convert a value object into a dict of JSON-safe values.

    Args:
        obj: an instance of an attrs class: any public value object of microloan
            (see [`serializable_types`][microloan.serializable_types]), or one of
            your own built from such fields.

    Returns:
        A new dict: `"type"`, `"version"`, then one key per constructor field in
        the class's order, every value a str, int, bool, float, None, list or dict.

    Raises:
        InvalidTypeError: `obj` is not an attrs instance, or a field's annotation
            is one the serializer does not support.
        SerializationError: a field holds a value its annotation does not admit
            (a `str` where a `date` is declared, say); the error names its path.

    Examples:
        >>> from microloan import Money, Rate
        >>> to_dict(Money("1.50"))
        {'type': 'Money', 'version': 1, 'amount': '1.50', 'currency': 'CNY'}
        >>> to_dict(Rate.daily("5‱"))
        {'type': 'Rate', 'version': 1, 'value': '0.0005', 'unit': 'daily'}
    """
    cls = type(obj)
    if not attrs.has(cls):
        raise wrong_type("obj", obj, "a microloan value object (an attrs class instance)")
    codec = _class_codec(cls, tagged=True)
    if any(f.key in ("type", "version") for f in codec.fields):
        raise InvalidTypeError(
            f"{codec.name}: a field named 'type' or 'version' clashes with the document header"
        )
    try:
        fields = codec.encode_fields(obj)
    except DocumentFailure as failure:
        raise failure.error() from None
    return {"type": codec.name, "version": SCHEMA_VERSION, **fields}


@overload
def from_dict(data: object, cls: type[_T]) -> _T: ...
@overload
def from_dict(data: object, cls: None = None) -> object: ...
def from_dict(data: object, cls: type[Any] | None = None) -> object:
    """Rebuild a value object from a dict made by [`to_dict`][microloan.to_dict] (or JSON).

    The object is built through its class's constructor, field by field from the
    inside out, so every check the classes make runs; on any problem nothing is
    returned and the error names the path of the bad field.

    Args:
        data: the document, a dict as `to_dict` returns it or `json.loads` reads it.
        cls: the class you expect. With it, the document's `"type"` must name that
            class (and the class need not be registered); without it, the type is
            looked up in [`serializable_types`][microloan.serializable_types]
            and the result is typed `object`.

    Returns:
        The rebuilt object, equal to the one written, decimal places and all.

    Raises:
        SerializationError: the document is malformed, is of another type, has a
            newer `"version"`, misses a field, has an unknown one, holds a value of
            the wrong kind, or holds values its class refuses.
        InvalidTypeError: `cls` is not an attrs class.

    Examples:
        >>> from microloan import Money
        >>> data = {"type": "Money", "version": 1, "amount": "1.50", "currency": "CNY"}
        >>> from_dict(data, Money)
        Money('1.50', 'CNY')
        >>> from_dict({**data, "currency": "XYZ"})
        Traceback (most recent call last):
        ...
        microloan.SerializationError: (document): is not a valid Money: currency: 'XYZ' is not a known ISO 4217 code (write it in capitals, e.g. 'CNY')
    """
    if cls is not None and not (isinstance(cls, type) and attrs.has(cls)):
        raise wrong_type("cls", cls, "a microloan value class such as Schedule")
    if not isinstance(data, dict):
        raise _expected("a JSON object with a type and a version", data).error()
    codec = _root_codec(data, cls)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SerializationError("version", f"expected a version number, got {_kind(version)}")
    if version > SCHEMA_VERSION:
        raise SerializationError(
            "version",
            f"{version} is newer than this microloan reads (up to {SCHEMA_VERSION}); "
            "upgrade microloan to read it",
        )
    document: dict[Any, object] = dict(data)
    for step in range(version, SCHEMA_VERSION):
        document = _UPGRADES[step](document)  # pragma: no cover - no older layouts yet
    try:
        return codec.decode_fields(document, ignore=("type", "version"))
    except DocumentFailure as failure:
        raise failure.error() from failure.__cause__


def _root_codec(data: dict[Any, object], cls: type | None) -> _ClassCodec:
    name = data.get("type")
    if name is None:
        raise SerializationError("type", "is missing; expected the name of a microloan type")
    if not isinstance(name, str):
        raise SerializationError("type", f"expected a type name, got {_kind(name)}")
    if cls is None:
        registered = _registered()
        if name not in registered:
            known = ", ".join(sorted(registered))
            raise SerializationError(
                "type", f"{_kind(name)} is not a type microloan reads (it reads {known})"
            )
        cls = registered[name]
    codec = _class_codec(cls, tagged=True)
    if name != codec.name:
        raise SerializationError("type", f'expected "{codec.name}", got {_kind(name)}')
    return codec


def to_json(obj: object, *, indent: int | None = None) -> str:
    """Convert a value object into JSON text: `json.dumps(to_dict(obj))`.

    Args:
        obj: the value object, as for [`to_dict`][microloan.to_dict].
        indent: spaces per level for readable output; `None` (the default) for one line.

    Examples:
        >>> from microloan import Money
        >>> to_json(Money("7600.00"))
        '{"type": "Money", "version": 1, "amount": "7600.00", "currency": "CNY"}'
    """
    return json.dumps(to_dict(obj), indent=indent, allow_nan=False)


@overload
def from_json(text: str | bytes, cls: type[_T]) -> _T: ...
@overload
def from_json(text: str | bytes, cls: None = None) -> object: ...
def from_json(text: str | bytes, cls: type[Any] | None = None) -> object:
    """Rebuild a value object from JSON text made by [`to_json`][microloan.to_json].

    Stricter than `json.loads`: `NaN` and `Infinity` literals and repeated keys in
    one object are refused, as is text that is not JSON at all.

    Args:
        text: the JSON document (bytes are read as UTF-8).
        cls: the class you expect, as for [`from_dict`][microloan.from_dict].

    Raises:
        SerializationError: the text is not JSON, or the document is refused by `from_dict`.

    Examples:
        >>> from microloan import Money
        >>> from_json('{"type": "Money", "version": 1, "amount": "7600.00", "currency": "CNY"}')
        Money('7600.00', 'CNY')
    """
    if not isinstance(text, str | bytes | bytearray):
        raise wrong_type("text", text, "a str or bytes of JSON")
    try:
        data = json.loads(
            text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_repeated_keys
        )
    except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, huge integers
        raise SerializationError("", f"is not valid JSON ({exc})") from None
    return from_dict(data, cls)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _refuse_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"the key {repeated!r} appears twice in one object")
    return result
