"""The codec engine behind `microloan.serialization`: annotations compiled to codecs.

Each field annotation of an attrs class (`Decimal`, `date`, `tuple[X, ...]`,
`Literal[...]`, `X | Y | None`, a nested class, `object`/`Any`…) is compiled once
into a codec that writes a value as plain JSON data, reads it back strictly, and
recognises its values inside a union; a failure names the path of the bad field.
It also holds the registry of public type names (read from `microloan.__all__`)
that tags the documents. The public face, with the document header and the
schema version, is `microloan.serialization`.
"""

from __future__ import annotations

import collections.abc
import contextlib
import enum
import inspect
import itertools
import json
import math
import re
import types
import typing
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, final

import attrs

from microloan._decimal import CONTEXT
from microloan._public import home_namespace
from microloan.errors import DocumentFailure, InvalidTypeError, MicroloanError, parse_path

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

_DECIMAL_TEXT: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_DATE_TEXT: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_TEXT: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}.*", re.DOTALL)
_INT_TEXT: Final = re.compile(r"-?[0-9]+")
_FLOAT_WORDS: Final = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_NONE_TYPE: Final = type(None)

#: A JSON Schema: an object, or `true`/`false` (any value, no value).
JsonSchema: TypeAlias = dict[str, Any] | bool


def kind(data: object) -> str:  # noqa: PLR0911 - one answer per JSON kind
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


def expected(what: str, data: object) -> DocumentFailure:
    return DocumentFailure(f"expected {what}, got {kind(data)}")


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

    def schema(self, defs: Definitions) -> JsonSchema:
        """The JSON Schema of the data `encode` writes and `decode` reads."""
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
            raise expected("null", data)
        return None

    def schema(self, defs: Definitions) -> JsonSchema:  # noqa: ARG002 - a leaf
        return {"type": "null"}


@final
class _PlainCodec(_Codec):
    """`str`, `int` or `bool`: JSON has the type, so the value is written as itself."""

    __slots__ = ("json_type", "kind", "label", "noun", "plain")

    def __init__(
        self,
        kind: type,
        *,
        label: str,
        noun: str,
        plain: Callable[[Any], object],
        json_type: str,
    ) -> None:
        self.kind = kind
        self.label = label
        self.noun = noun  # what a refused value should have been
        self.plain = plain  # the exact builtin value, not a subclass's
        self.json_type = json_type  # its JSON Schema type

    def accepts(self, value: object) -> bool:
        return isinstance(value, self.kind) and (self.kind is bool or not isinstance(value, bool))

    def encode(self, value: object) -> object:
        if not self.accepts(value):
            raise _not_writable(self.noun, value)
        return self.plain(value)

    def decode(self, data: object) -> object:
        if not self.accepts(data):
            raise expected(self.label, data)
        return self.plain(data)

    def schema(self, defs: Definitions) -> JsonSchema:  # noqa: ARG002 - a leaf
        return {"type": self.json_type}


_STR: Final = _PlainCodec(
    str, label="a string", noun="a str", plain=str.__str__, json_type="string"
)
_INT: Final = _PlainCodec(int, label="an integer", noun="an int", plain=int, json_type="integer")
_BOOL: Final = _PlainCodec(
    bool, label="true or false", noun="a bool", plain=bool, json_type="boolean"
)


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
            raise expected('a number (or "NaN", "Infinity", "-Infinity")', data)
        try:
            return float(data)
        except OverflowError:
            raise expected("a number within the range of a float", data) from None

    def schema(self, defs: Definitions) -> JsonSchema:  # noqa: ARG002 - a leaf
        return {"anyOf": [{"type": "number"}, {"enum": list(_FLOAT_WORDS)}]}


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
            raise expected("a decimal string such as '1.50'", data)
        try:
            value = Decimal(data)
        except ArithmeticError:
            value = Decimal("NaN")
        if not value.is_finite() or not _decimal_in_range(value):
            raise DocumentFailure(f"{data!r} is outside the range of decimals the library handles")
        return value

    def schema(self, defs: Definitions) -> JsonSchema:  # noqa: ARG002 - a leaf
        return {"type": "string", "pattern": _anchored(_DECIMAL_TEXT)}


@final
class _IsoCodec(_Codec):
    """`date` (`YYYY-MM-DD`) or `datetime` (ISO 8601 with its fixed UTC offset, if any)."""

    __slots__ = ("example", "extra", "kind", "label", "refusal", "text")

    def __init__(  # noqa: PLR0917 - the table below reads as one row per kind
        self,
        kind: type[date],
        noun: str,
        example: str,
        text: re.Pattern[str],
        refusal: str,
        extra: dict[str, str],
    ) -> None:
        self.kind, self.label, self.example = kind, f"an ISO 8601 {noun}", example
        self.text, self.refusal = text, refusal
        self.extra = extra  # what JSON Schema says beyond the pattern

    def accepts(self, value: object) -> bool:
        return type(value) is self.kind

    def encode(self, value: object) -> object:
        if not isinstance(value, date) or type(value) is not self.kind:
            raise _not_writable(_a(self.kind.__name__), value)
        if (
            isinstance(value, datetime)
            and value.tzinfo is not None
            and not isinstance(value.tzinfo, timezone)
        ):
            raise _not_writable(
                "a datetime that is naive or has a fixed offset (datetime.timezone)", value
            )
        return value.isoformat()

    def decode(self, data: object) -> object:
        if not isinstance(data, str) or self.text.fullmatch(data) is None:
            raise expected(f"{self.label} such as {self.example!r}", data)
        try:
            return self.kind.fromisoformat(data)
        except ValueError:
            raise DocumentFailure(f"{data!r} {self.refusal}") from None

    def schema(self, defs: Definitions) -> JsonSchema:  # noqa: ARG002 - a leaf
        pattern = _anchored(self.text) if self.kind is date else "^" + _DATE_TEXT.pattern
        return {"type": "string", **self.extra, "pattern": pattern}


# (type, noun, example, pattern, refusal of a well-formed text that is no real date,
# JSON Schema: RFC 3339's `date` format is exactly ISO 8601 `YYYY-MM-DD`; its `date-time`
# requires an offset, which a naive datetime has not, so a datetime is described in words)
_DATE: Final = _IsoCodec(
    date,
    "date",
    "2026-01-15",
    _DATE_TEXT,
    "is not a date in the calendar",
    {"format": "date"},
)
_DATETIME: Final = _IsoCodec(
    datetime,
    "date and time",
    "2026-01-15T09:30:00+08:00",
    _DATETIME_TEXT,
    "is not an ISO 8601 date and time",
    {"description": "ISO 8601 date and time, with its fixed UTC offset if it has one"},
)


@final
class _ChoiceCodec(_Codec):
    """A `Literal[...]` option or an enum: one of a fixed set of JSON strings or integers."""

    __slots__ = ("members", "noun", "values")

    def __init__(
        self, members: tuple[object, ...], values: tuple[object, ...], *, noun: str | None
    ) -> None:
        self.members = members  # what is read back: the literal values, or the enum's members
        self.values = values  # what is written: the same values, or the members' values
        self.noun = noun  # what a refused value should have been; the label if None

    @property
    def label(self) -> str:  # type: ignore[override]  # computed per literal or enum
        return "one of " + ", ".join(json.dumps(v) for v in self.values)

    def accepts(self, value: object) -> bool:
        return any(type(value) is type(m) and value == m for m in self.members)

    def encode(self, value: object) -> object:
        for member, written in zip(self.members, self.values, strict=True):
            if type(value) is type(member) and value == member:
                return written
        raise _not_writable(self.noun or self.label, value)

    def decode(self, data: object) -> object:
        for member, written in zip(self.members, self.values, strict=True):
            if type(data) is type(written) and data == written:
                return member
        raise expected(self.label, data)

    def schema(self, defs: Definitions) -> JsonSchema:  # noqa: ARG002 - a leaf
        return {"enum": list(self.values)}


def _each(codecs: Iterable[_Codec], elements: Iterable[object], *, read: bool) -> list[object]:
    """Each element through its codec (read or written); a failure names the element's index."""
    out: list[object] = []
    # not strict: the caller checked the lengths, or `codecs` repeats one codec endlessly
    for index, (codec, element) in enumerate(zip(codecs, elements, strict=False)):
        try:
            out.append(codec.decode(element) if read else codec.encode(element))
        except DocumentFailure as failure:
            raise failure.at(index) from None
    return out


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
        elements = typing.cast("Iterable[object]", value)
        return _each(itertools.repeat(self.item), elements, read=False)

    def decode(self, data: object) -> object:
        if not isinstance(data, list | tuple):
            raise expected("an array", data)
        items = _each(itertools.repeat(self.item), data, read=True)
        return self.make(items)

    def schema(self, defs: Definitions) -> JsonSchema:
        return {"type": "array", "items": self.item.schema(defs)}


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
        return _each(self.items, typing.cast("tuple[object, ...]", value), read=False)

    def decode(self, data: object) -> object:
        if not isinstance(data, list | tuple) or len(data) != len(self.items):
            raise expected(f"an array of {len(self.items)} items", data)
        return tuple(_each(self.items, data, read=True))

    def schema(self, defs: Definitions) -> JsonSchema:
        return _exact_array([item.schema(defs) for item in self.items])


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
            raise expected("an array", data)
        items = _each(itertools.repeat(self.item), data, read=True)
        try:
            result = self.make(items)
        except TypeError:
            raise DocumentFailure("holds values that cannot be members of a set") from None
        if len(result) != len(items):
            raise DocumentFailure("lists the same member more than once")
        return result

    def schema(self, defs: Definitions) -> JsonSchema:
        return {"type": "array", "items": self.item.schema(defs), "uniqueItems": True}


class _KeyedCodec(_Codec):
    """What the two mapping codecs share: a key and a value codec, any `Mapping` accepted."""

    __slots__ = ("key", "value")

    def __init__(self, key: _Codec, value: _Codec) -> None:
        self.key, self.value = key, value

    def accepts(self, value: object) -> bool:
        return isinstance(value, collections.abc.Mapping)

    @staticmethod
    def items(value: object) -> collections.abc.ItemsView[object, object]:
        """The items of a mapping to write, or the refusal of anything else."""
        if not isinstance(value, collections.abc.Mapping):
            raise _not_writable("a mapping", value)
        return typing.cast("Mapping[object, object]", value).items()


@final
class _MappingCodec(_KeyedCodec):
    """`dict[K, V]` and `Mapping[K, V]`: an object keyed by the keys' text."""

    __slots__ = ("int_keys",)
    label = "an object"

    def __init__(self, key: _Codec, value: _Codec, *, int_keys: bool) -> None:
        super().__init__(key, value)
        self.int_keys = int_keys

    def encode(self, value: object) -> object:
        out: dict[str, object] = {}
        for key, element in self.items(value):
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
            raise expected("an object", data)
        out: dict[object, object] = {}
        for text, element in data.items():
            if not isinstance(text, str):
                raise DocumentFailure("keys must be strings").at(repr(text))
            try:
                raw: object = text
                if self.int_keys:
                    if _INT_TEXT.fullmatch(text) is None:
                        raise expected("an integer key", text)
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

    def schema(self, defs: Definitions) -> JsonSchema:
        out: dict[str, object] = {"type": "object"}
        if self.int_keys:  # any integer's text: "01" is read as 1 too
            out["propertyNames"] = {"pattern": _anchored(_INT_TEXT)}
        elif isinstance(self.key, _ChoiceCodec):
            out["propertyNames"] = {"enum": list(self.key.values)}
        elif self.key is not _STR:  # a decimal or a date: its text
            out["propertyNames"] = self.key.schema(defs)
        out["additionalProperties"] = self.value.schema(defs)
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
            raise expected(self.label, data)
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
        raise expected(self.label, data)

    def schema(self, defs: Definitions) -> JsonSchema:
        arms = [arm.schema(defs) for arm in self.arms]
        if self.optional:
            arms.append({"type": "null"})
        return arms[0] if len(arms) == 1 else {"anyOf": arms}


@final
class _PairsCodec(_KeyedCodec):
    """A mapping whose keys have no text form (`dict[object, int]`): an array of `[key, value]`."""

    __slots__ = ()
    label = "an array of [key, value] pairs"

    def encode(self, value: object) -> object:
        out: list[object] = []
        for index, (key, element) in enumerate(self.items(value)):
            try:
                out.append([self.key.encode(key), self.value.encode(element)])
            except DocumentFailure as failure:
                raise failure.at(index) from None
        return out

    def decode(self, data: object) -> object:
        if not isinstance(data, list | tuple):
            raise expected(self.label, data)
        out: dict[object, object] = {}
        for index, pair in enumerate(data):
            try:
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise expected("a [key, value] pair", pair)
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

    def schema(self, defs: Definitions) -> JsonSchema:
        pair = _exact_array([self.key.schema(defs), self.value.schema(defs)])
        return {"type": "array", "items": pair}


#: How `object`/`Any` fields write the values JSON has no type for: a one-key object.
_TAGS: Final[tuple[tuple[str, type, _Codec], ...]] = (
    ("decimal", Decimal, _DecimalCodec()),
    ("date", date, _DATE),
    ("datetime", datetime, _DATETIME),
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
        for tag, tagged_type, codec in _TAGS:
            if type(value) is tagged_type:
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
            for tag, _, codec in _TAGS:
                if tag in data:
                    try:
                        return codec.decode(data[tag])
                    except DocumentFailure as failure:
                        raise failure.at(tag) from None
        raise expected(self.label, data)

    def schema(self, defs: Definitions) -> JsonSchema:
        return defs.ref(_ScalarCodec, "scalar", self._definition)

    def _definition(self, defs: Definitions) -> JsonSchema:
        tagged = [
            {
                "type": "object",
                "properties": {tag: codec.schema(defs)},
                "required": [tag],
                "additionalProperties": False,
            }
            for tag, _, codec in _TAGS
        ]
        return {
            "description": "a value kept with its type: " + self.label,
            "anyOf": [
                {"type": ["string", "number", "boolean", "null"]},
                *tagged,
                {"type": "array", "items": self.schema(defs)},
            ],
        }


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
        raise expected("null (the field has no other JSON form)", data)

    def schema(self, defs: Definitions) -> JsonSchema:  # noqa: ARG002 - a leaf
        return False  # no value: in a union with None, only null


@attrs.frozen
class _Field:
    key: str
    attribute: str
    codec: _Codec
    required: bool
    #: the default as written, left out of documents when the value is written the same;
    #: `ALWAYS_WRITTEN` for a field without one, or whose default depends on the others
    default: object
    #: an amount left out of documents when it is zero (`WRITTEN: "unless_zero"`)
    omit_zero: bool = False


@final
class ClassCodec(_Codec):
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
                data = field.codec.encode(getattr(value, field.attribute))
            except DocumentFailure as failure:
                raise failure.at(field.key) from None
            if field.omit_zero:
                if getattr(value, field.attribute).amount:
                    out[field.key] = data  # an amount left out when zero
            elif field.default is ALWAYS_WRITTEN or not same_data(data, field.default):
                out[field.key] = data  # a field written as its default is left out
        return out

    def decode(self, data: object) -> object:
        if not isinstance(data, dict):
            raise expected(self.label, data)
        if self.tagged:
            if "type" not in data:
                raise DocumentFailure(f'is missing; expected "{self.name}"').at("type")
            if data["type"] != self.name:
                raise expected(f'"{self.name}"', data["type"]).at("type")
        return self.decode_fields(data, ignore=("type",) if self.tagged else ())

    def decode_fields(self, data: dict[Any, object], ignore: tuple[str, ...] = ()) -> object:
        fields = self.fields
        known = {f.key for f in fields}
        own = [key for key in data if key not in ignore]
        if "type" in ignore and "type" in data and own and not known.intersection(own):
            # not one field of the type named: the tag is what is wrong, not the fields
            names = ", ".join(f.key for f in fields)
            raise DocumentFailure(
                f"{self.name!r} does not fit a document with none of its fields ({names})"
            ).at("type")
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
        except MicroloanError as exc:
            raise self._located(exc) from exc
        except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
            raise DocumentFailure(f"is not a valid {self.name}: {exc}") from exc

    def schema(self, defs: Definitions) -> JsonSchema:
        name = f"{self.name}.tagged" if self.tagged else self.name
        return defs.ref(self, name, self.object_schema)

    def object_schema(
        self, defs: Definitions, *, version: int | None = None, header: bool = True
    ) -> dict[str, Any]:
        """The JSON Schema of this class's objects: nested, or a document of `version`.

        A document (`version` given) has `"type"` and `"version"`, required unless
        `header` is false (the class given to `from_dict` says what it is). The version
        is any from 1 to `version`: the upgrades so far only add fields with defaults, so
        an older document has the shape of the current one (and is read).
        """
        properties: dict[str, object] = {}
        required: list[str] = []
        if self.tagged or version is not None:
            properties["type"] = {"const": self.name}
            required += ["type"] if header or version is None else []
        if version is not None:
            properties["version"] = {"type": "integer", "minimum": 1, "maximum": version}
            required += ["version"] if header else []
        described = attribute_docs(self.cls)
        for field in self.fields:
            schema = field.codec.schema(defs)
            if isinstance(schema, dict):
                if field.key in described:
                    schema = {**schema, "description": described[field.key]}
                if field.default is not ALWAYS_WRITTEN:
                    schema = {**schema, "default": field.default}
            properties[field.key] = schema
            if field.required:
                required.append(field.key)
        out: dict[str, Any] = {"title": self.name}
        summary = _summary(self.cls)
        if summary:
            out["description"] = summary
        out.update(type="object", properties=properties, required=required)
        out["additionalProperties"] = False
        return out

    def _located(self, exc: MicroloanError) -> DocumentFailure:
        """The object's own refusal, at the path of the field it names when that is a key here."""
        segments = None if exc.field is None else parse_path(exc.field)
        prefix = f"{exc.field}: "
        if segments and segments[0] in {f.key for f in self.fields} and str(exc).startswith(prefix):
            failure = DocumentFailure(str(exc)[len(prefix) :])
            for segment in reversed(segments):
                failure.at(segment)
            return failure
        return DocumentFailure(f"is not a valid {self.name}: {exc}")


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
        codec = compile_annotation(annotation, owner)
        out.append(
            _Field(
                key=attribute.alias or attribute.name,
                attribute=attribute.name,
                codec=codec,
                required=attribute.default is attrs.NOTHING,
                default=_written_default(attribute, codec),
                omit_zero=attribute.metadata.get(WRITTEN) == "unless_zero",
            )
        )
    return tuple(out)


ALWAYS_WRITTEN: Final = object()
"""The `_Field.default` of a field that every document holds."""

WRITTEN: Final = "microloan.written"
"""The attrs field metadata key that says `"always"`: write the field even when it holds its
default, because an earlier version had another default (a reader would fill in that one);
or `"unless_zero"`: leave out an amount that is zero (its default, in the object's currency)."""


def _written_default(attribute: attrs.Attribute[Any], codec: _Codec) -> object:
    """A field's default as written, if it is one fixed value; else `ALWAYS_WRITTEN`.

    A default computed from the other fields (an attrs `Factory` that takes self, or a
    converter that does) is always written: a reader could only recompute it.
    """
    default = attribute.default
    if default is attrs.NOTHING or attribute.metadata.get(WRITTEN) in {"always", "unless_zero"}:
        return ALWAYS_WRITTEN
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs types Factory as a function
        factory = typing.cast("Any", default)
        if factory.takes_self:
            return ALWAYS_WRITTEN
        default = factory.factory()
    converter: Any = attribute.converter
    if isinstance(converter, attrs.Converter):
        if converter.takes_self or converter.takes_field:  # type: ignore[attr-defined]  # set in its __init__, not declared
            return ALWAYS_WRITTEN
        converter = converter.converter  # type: ignore[attr-defined]
    try:
        if callable(converter):
            default = converter(default)
        return codec.encode(default)
    except (DocumentFailure, MicroloanError, ValueError, TypeError, ArithmeticError):
        return ALWAYS_WRITTEN  # a default with no JSON form: write whatever is held


def same_data(a: object, b: object) -> bool:
    """Equal JSON data of the same JSON types (`0`, `0.0` and `false` differ; `==` says not)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        other = typing.cast("dict[object, object]", b)
        return a.keys() == other.keys() and all(same_data(a[k], other[k]) for k in a)
    if isinstance(a, list):
        other_list = typing.cast("list[object]", b)
        return len(a) == len(other_list) and all(map(same_data, a, other_list))
    return a == b


# -- JSON Schema: each codec describes its own data ---------------------------------


@final
class Definitions:
    """The `$defs` of one JSON Schema being written, each nested class once by name.

    Inline (for a schema embedded in another, as pydantic's are), each definition is
    written out where it is used instead; a definition used within itself is left
    open there (`{}`), since an inline schema cannot refer to itself.
    """

    __slots__ = ("_building", "_names", "inline", "schemas")

    def __init__(self, *, inline: bool = False) -> None:
        self.inline = inline
        self.schemas: dict[str, JsonSchema] = {}
        self._names: dict[object, str] = {}
        self._building: set[object] = set()

    def ref(self, key: object, name: str, build: Callable[[Definitions], JsonSchema]) -> JsonSchema:
        """A reference to the definition of `key` (named `name`), built on first use."""
        if self.inline:
            if key in self._building:
                return {}
            self._building.add(key)
            try:
                return build(self)
            finally:
                self._building.discard(key)
        if key not in self._names:
            unique, n = name, 2
            while unique in self.schemas:  # two classes of one name: the second is Name2
                unique, n = f"{name}{n}", n + 1
            self._names[key] = unique
            self.schemas[unique] = {}  # held while it is built: a class may refer to itself
            self.schemas[unique] = build(self)
        return {"$ref": f"#/$defs/{self._names[key]}"}


def _anchored(pattern: re.Pattern[str]) -> str:
    """A `fullmatch` pattern as JSON Schema writes it (patterns there search)."""
    return f"^(?:{pattern.pattern})$"


def _exact_array(items: list[JsonSchema]) -> JsonSchema:
    return {"type": "array", "prefixItems": items, "minItems": len(items), "items": False}


def _summary(cls: type) -> str:
    """The first paragraph of a class's own docstring, on one line."""
    doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")
    return _plain(" ".join(doc.split("\n\n", 1)[0].split()))


_SECTION: Final = re.compile(r"^(\s*)Attributes:\s*$")


def attribute_docs(cls: type) -> dict[str, str]:
    """What the `Attributes:` section of a class's docstring says of each field."""
    lines = (cls.__dict__.get("__doc__") or "").expandtabs().splitlines()
    out: dict[str, str] = {}
    starts = [i for i, line in enumerate(lines) if _SECTION.match(line)]
    if not starts:
        return out
    indent: int | None = None
    name = ""
    for line in lines[starts[0] + 1 :]:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if indent is None:
            indent = depth
        if depth < indent:
            break  # the section ended
        if depth == indent:
            name, _, text = line.strip().partition(":")
            name = name.split(" (")[0].strip().lstrip("_")
            out[name] = text.strip()
        elif name:
            out[name] = f"{out[name]} {line.strip()}".strip()
    # the first sentence: what the field is (the rest speaks of the constructor's arguments)
    return {key: _plain(_FIRST_SENTENCE.split(text, maxsplit=1)[0]) for key, text in out.items()}


_FIRST_SENTENCE: Final = re.compile(r"(?<=[.;])\s+(?=[A-Z`])")
_CROSS_REFERENCE: Final = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")


def _plain(text: str) -> str:
    """Docstring text without the API reference's cross-references (`[X][microloan.X]`)."""
    return _CROSS_REFERENCE.sub(r"\1", text)


_SCALARS: Final[dict[object, _Codec]] = {
    str: _STR,
    int: _INT,
    bool: _BOOL,
    float: _FloatCodec(),
    Decimal: _DecimalCodec(),
    date: _DATE,
    datetime: _DATETIME,
    None: _NoneCodec(),
    _NONE_TYPE: _NoneCodec(),
    object: _ScalarCodec(),
    Any: _ScalarCodec(),
}
_CODECS: dict[object, _Codec] = {}
_CLASS_CODECS: dict[tuple[type, bool], ClassCodec] = {}

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


def class_codec(cls: type, *, tagged: bool) -> ClassCodec:
    codec = _CLASS_CODECS.get((cls, tagged))
    if codec is None:
        codec = ClassCodec(cls, type_name(cls), tagged=tagged)
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


def compile_annotation(annotation: object, owner: str) -> _Codec:
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
        return _ChoiceCodec(args, args, noun=None)
    if origin is typing.Union or origin is types.UnionType:
        return _union(args, owner)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _SequenceCodec(compile_annotation(args[0], owner), (tuple,), tuple)
        return _FixedTupleCodec(tuple(compile_annotation(a, owner) for a in args))
    if origin in _SEQUENCES and len(args) == 1:
        kinds, make = _SEQUENCES[origin]
        return _SequenceCodec(compile_annotation(args[0], owner), kinds, make)
    if origin in _SETS and len(args) == 1:
        return _SetCodec(compile_annotation(args[0], owner), _SETS[origin])
    if origin in _MAPPINGS and len(args) == 2:
        key = compile_annotation(args[0], owner)
        if key is _INT or (
            isinstance(key, _ChoiceCodec) and all(type(v) is int for v in key.values)
        ):
            return _MappingCodec(key, compile_annotation(args[1], owner), int_keys=True)
        if (
            key is _STR
            or isinstance(key, _DecimalCodec | _IsoCodec)
            or (isinstance(key, _ChoiceCodec) and all(isinstance(v, str) for v in key.values))
        ):
            return _MappingCodec(key, compile_annotation(args[1], owner), int_keys=False)
        return _PairsCodec(key, compile_annotation(args[1], owner))
    if isinstance(annotation, type):
        if attrs.has(annotation):
            return class_codec(annotation, tagged=False)
        if issubclass(annotation, enum.Enum) and all(
            isinstance(m.value, str | int) and not isinstance(m.value, bool) for m in annotation
        ):
            members = tuple(annotation)
            return _ChoiceCodec(
                members, tuple(m.value for m in members), noun=_a(annotation.__name__)
            )
    return _RefuseCodec(annotation)


def _union(args: tuple[object, ...], owner: str) -> _Codec:
    optional = any(a is None or a is _NONE_TYPE for a in args)
    members = [_unwrap(a) for a in args if a is not None and a is not _NONE_TYPE]
    classes = [m for m in members if isinstance(m, type) and attrs.has(m)]
    tag = len(classes) > 1  # several classes: each object says which one it is
    arms = tuple(
        class_codec(m, tagged=True) if tag and m in classes else compile_annotation(m, owner)
        for m in members
    )
    return _UnionCodec(arms, optional=optional)


# -- the registry of public types ---------------------------------------------------

_registry: tuple[tuple[str, ...], dict[str, type]] | None = None


def registered() -> dict[str, type]:
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


def type_name(cls: type) -> str:
    for name, known in registered().items():
        if known is cls:
            return name
    return cls.__name__
