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
import itertools
import json
import math
import re
import types
import typing
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, final

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


@final
class _PlainCodec(_Codec):
    """`str`, `int` or `bool`: JSON has the type, so the value is written as itself."""

    __slots__ = ("kind", "label", "noun", "plain")

    def __init__(
        self, kind: type, *, label: str, noun: str, plain: Callable[[Any], object]
    ) -> None:
        self.kind = kind
        self.label = label
        self.noun = noun  # what a refused value should have been
        self.plain = plain  # the exact builtin value, not a subclass's

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


_STR: Final = _PlainCodec(str, label="a string", noun="a str", plain=str.__str__)
_INT: Final = _PlainCodec(int, label="an integer", noun="an int", plain=int)
_BOOL: Final = _PlainCodec(bool, label="true or false", noun="a bool", plain=bool)


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


@final
class _IsoCodec(_Codec):
    """`date` (`YYYY-MM-DD`) or `datetime` (ISO 8601 with its fixed UTC offset, if any)."""

    __slots__ = ("example", "kind", "label", "refusal", "text")

    def __init__(
        self, kind: type[date], noun: str, example: str, text: re.Pattern[str], refusal: str
    ) -> None:
        self.kind, self.label, self.example = kind, f"an ISO 8601 {noun}", example
        self.text, self.refusal = text, refusal

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


# (type, noun, example, pattern, refusal of a well-formed text that is no real date)
_DATE: Final = _IsoCodec(date, "date", "2026-01-15", _DATE_TEXT, "is not a date in the calendar")
_DATETIME: Final = _IsoCodec(
    datetime,
    "date and time",
    "2026-01-15T09:30:00+08:00",
    _DATETIME_TEXT,
    "is not an ISO 8601 date and time",
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


@attrs.frozen
class _Field:
    key: str
    attribute: str
    codec: _Codec
    required: bool


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
                out[field.key] = field.codec.encode(getattr(value, field.attribute))
            except DocumentFailure as failure:
                raise failure.at(field.key) from None
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
        out.append(
            _Field(
                key=attribute.alias or attribute.name,
                attribute=attribute.name,
                codec=compile_annotation(annotation, owner),
                required=attribute.default is attrs.NOTHING,
            )
        )
    return tuple(out)


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
