"""Serialization: every public value object to and from JSON-safe dicts.

[`to_dict`][microloan.to_dict] turns a value object ([`Money`][microloan.Money],
[`Rate`][microloan.Rate], [`Schedule`][microloan.Schedule] and every other public
attrs class of the library) into a dict of plain JSON values;
[`from_dict`][microloan.from_dict] turns such a dict back into the object, through
the class's own constructor, so every check the class makes runs again.
[`to_json`][microloan.to_json] and [`from_json`][microloan.from_json] add the
`json` text step.

The layout (schema version 2; documents of version 1 are upgraded as they are read):

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
- A field that holds its default, written exactly as the default is, is left
  out (`Money("1.50")` is `{"amount": "1.50"}` nested: `"CNY"` is the default
  currency), and the reader fills the default back in. Only fixed defaults are
  left out: one the class computes from the other fields is always written. A
  field's default is therefore part of the layout: changing it is a new
  [`SCHEMA_VERSION`][microloan.SCHEMA_VERSION].

[`json_schema`][microloan.json_schema] gives the JSON Schema of each type's documents.

Reading is strict: a missing `"type"`, a newer `"version"`, a field that is
missing (and has no default), an unknown key, a number where a decimal string is
expected, a date that does not exist, or a value the class refuses, all raise
[`SerializationError`][microloan.SerializationError] naming the path of the bad
field, such as `installments[3].principal.amount`. Nothing half-built is returned.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import attrs

from microloan._codec import Definitions, class_codec, expected, kind, registered
from microloan._validators import check_int
from microloan.errors import (
    DocumentFailure,
    InvalidTypeError,
    SerializationError,
    invalid,
    wrong_type,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from microloan._codec import ClassCodec


_T = TypeVar("_T")

SCHEMA_VERSION: Final = 2
"""The version of the document layout this release writes (the `"version"` field).

Every document carries it. A release that changes any class's layout in a way an
older reader would refuse or misread (a field renamed, removed or added, a value
encoded differently, a `"type"` renamed) raises it by one and keeps reading every
older version, upgrading such documents before it reads them. A document with a
version above this one was written by a newer microloan and is refused.

A field left out because it holds its default keeps the layout: every reader of
a version fills the same default in (no default has changed, and no reader has
required a field that has one). Changing a field's default, or giving a default to
a field and relying on older readers to do without it, is a layout change.

Version 2 added the loan postings `"refund"` and `"recovery"`, a credit line's
`refunds`, and new fields with defaults (schedule and servicing parameters, new
posting kinds). A version 1 reader would refuse a document using any of them, so
they are a new version; every version 1 document reads as it did (it uses none of
them, and each new field's default is what the version 1 object was).
"""


def _upgrade_1(document: dict[str, object]) -> dict[str, object]:
    """A version 1 document as version 2: the same fields (version 2 only added some).

    Each field version 2 added has a default that is what a version 1 object was (no
    fee, no grace, no refund...), and version 1 documents hold no posting kind version
    2 added; so only the version changes.
    """
    return {**document, "version": 2}


#: Upgrades between layouts: `_UPGRADES[v]` turns a version-`v` document into a
#: version-`v + 1` one; `from_dict` applies them in turn up to `SCHEMA_VERSION`.
_UPGRADES: Final[dict[int, Callable[[dict[str, object]], dict[str, object]]]] = {
    1: _upgrade_1,
}


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
    return dict(sorted(registered().items()))


# -- the public functions -----------------------------------------------------------


def to_dict(obj: object) -> dict[str, Any]:
    """Convert a value object into a dict of JSON-safe values.

    Args:
        obj: an instance of an attrs class: any public value object of microloan
            (see [`serializable_types`][microloan.serializable_types]), or one of
            your own built from such fields.

    Returns:
        A new dict: `"type"`, `"version"`, then one key per constructor field in
        the class's order (but those that hold their default), every value a str,
        int, bool, float, None, list or dict.

    Raises:
        InvalidTypeError: `obj` is not an attrs instance, or a field's annotation
            is one the serializer does not support.
        SerializationError: a field holds a value its annotation does not admit
            (a `str` where a `date` is declared, say); the error names its path.

    Examples:
        >>> from microloan import Money, Rate
        >>> to_dict(Money("1.50", "USD"))
        {'type': 'Money', 'version': 2, 'amount': '1.50', 'currency': 'USD'}
        >>> to_dict(Money("1.50"))  # the default currency is left out
        {'type': 'Money', 'version': 2, 'amount': '1.50'}
        >>> to_dict(Rate.daily("5‱"))
        {'type': 'Rate', 'version': 2, 'value': '0.0005', 'unit': 'daily'}
    """
    cls = type(obj)
    if not attrs.has(cls):
        raise wrong_type("obj", obj, "a microloan value object (an attrs class instance)")
    codec = _document_codec(cls)
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
            class (and the class need not be registered), and a document without
            `"type"` and `"version"` (the untagged form nested values take, or what a
            service's own JSON holds) is read as the current version; without it, the
            type is looked up in [`serializable_types`][microloan.serializable_types]
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
        >>> from_dict({"amount": "1.00", "currency": "CNY"}, Money)  # untagged: the class says
        Money('1.00', 'CNY')
        >>> from_dict({**data, "currency": "XYZ"})
        Traceback (most recent call last):
        ...
        microloan.SerializationError: currency: 'XYZ' is not a known ISO 4217 code (write it in capitals, e.g. 'CNY')
    """
    if cls is not None and not (isinstance(cls, type) and attrs.has(cls)):
        raise wrong_type("cls", cls, "a microloan value class such as Schedule")
    if not isinstance(data, dict):
        raise expected("a JSON object with a type and a version", data).error()
    if cls is not None and "type" not in data and "version" not in data:
        try:  # untagged, as nested values are: the class given says what it is
            return class_codec(cls, tagged=False).decode_fields(data)
        except DocumentFailure as failure:
            raise failure.error() from failure.__cause__
    codec = _root_codec(data, cls)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SerializationError("version", f"expected a version number, got {kind(version)}")
    if version > SCHEMA_VERSION:
        raise SerializationError(
            "version",
            f"{version} is newer than this microloan reads (up to {SCHEMA_VERSION}); "
            "upgrade microloan to read it",
        )
    document: dict[Any, object] = dict(data)
    for step in range(version, SCHEMA_VERSION):
        document = _UPGRADES[step](document)
    try:
        return codec.decode_fields(document, ignore=("type", "version"))
    except DocumentFailure as failure:
        raise failure.error() from failure.__cause__


def _root_codec(data: dict[Any, object], cls: type | None) -> ClassCodec:
    name = data.get("type")
    if name is None:
        raise SerializationError("type", "is missing; expected the name of a microloan type")
    if not isinstance(name, str):
        raise SerializationError("type", f"expected a type name, got {kind(name)}")
    if cls is None:
        types = registered()
        if name not in types:
            known = ", ".join(sorted(types))
            raise SerializationError(
                "type", f"{kind(name)} is not a type microloan reads (it reads {known})"
            )
        cls = types[name]
    codec = class_codec(cls, tagged=True)
    if name != codec.name:
        raise SerializationError("type", f'expected "{codec.name}", got {kind(name)}')
    return codec


JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"


def json_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the documents [`to_dict`][microloan.to_dict] writes for `cls`.

    Generated from the class's fields, as the documents are, so a field a class
    gains is in its schema. Each nested class is a definition under `"$defs"`;
    fields with a default are not required (a document leaves them out when they
    hold it) and carry it as `"default"`; descriptions come from the classes'
    docstrings. The schema checks a document's shape (names, kinds, patterns of
    decimals and dates, option values); what the class's own checks refuse (a
    total that is not principal plus interest, say) only
    [`from_dict`][microloan.from_dict] finds.

    Args:
        cls: a value class: any of [`serializable_types`][microloan.serializable_types],
            or one of your own built from such fields.

    Returns:
        A new dict: `"$schema"`, `"title"`, `"description"`, `"type": "object"`,
        `"properties"`, `"required"`, `"additionalProperties": false`, and
        `"$defs"` when the type nests others.

    Raises:
        InvalidTypeError: `cls` is not an attrs class, or one the layout cannot hold.

    Examples:
        >>> from microloan import Money
        >>> schema = json_schema(Money)
        >>> schema["$schema"]
        'https://json-schema.org/draft/2020-12/schema'
        >>> schema["required"]
        ['type', 'version', 'amount']
        >>> schema["properties"]["currency"]["default"]
        'CNY'
    """
    if not (isinstance(cls, type) and attrs.has(cls)):
        raise wrong_type("cls", cls, "a microloan value class such as Schedule")
    codec = _document_codec(cls)
    defs = Definitions()
    body = codec.object_schema(defs, version=SCHEMA_VERSION)
    out: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT, **body}
    if defs.schemas:
        out["$defs"] = dict(sorted(defs.schemas.items()))
    return out


def _document_codec(cls: type) -> ClassCodec:
    codec = class_codec(cls, tagged=True)
    if any(f.key in ("type", "version") for f in codec.fields):
        raise InvalidTypeError(
            f"{codec.name}: a field named 'type' or 'version' clashes with the document header"
        )
    return codec


def to_json(obj: object, *, indent: int | None = None) -> str:
    """Convert a value object into JSON text: `json.dumps(to_dict(obj))`.

    Args:
        obj: the value object, as for [`to_dict`][microloan.to_dict].
        indent: spaces per level for readable output; `None` (the default) for one line.

    Examples:
        >>> from microloan import Money
        >>> to_json(Money("7600.00", "HKD"))
        '{"type": "Money", "version": 2, "amount": "7600.00", "currency": "HKD"}'
    """
    if indent is not None:
        check_int("indent", indent, minimum=0)
        if indent > _MAX_INDENT:
            raise invalid("indent", indent, f"is more than {_MAX_INDENT} spaces a level")
    return json.dumps(to_dict(obj), indent=indent, allow_nan=False)


_MAX_INDENT: Final = 80
"""The widest `indent` of `to_json`: past it a document is mostly spaces."""


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
