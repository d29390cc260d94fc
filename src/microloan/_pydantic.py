"""The pydantic v2 hook of every public value object, one implementation for all.

`attach` gives each attrs class in `microloan.__all__` the classmethods pydantic
looks for, `__get_pydantic_core_schema__` and `__get_pydantic_json_schema__`, so a
model field `price: Money` (and a FastAPI body or `response_model=Schedule`):

- validates from the document form, the dict or JSON that
  [`from_dict`][microloan.from_dict] reads (with or without `"type"` and
  `"version"`: the field's class says what it is), or takes an instance as it is;
  a refusal is a pydantic `ValidationError` of type `microloan_document` whose
  message is the library's own, naming the path of the bad field;
- dumps to the document [`to_dict`][microloan.to_dict] writes, in python and in
  JSON mode alike;
- has the JSON Schema of [`json_schema`][microloan.json_schema], with the nested
  definitions written in place (a schema embedded in a model's cannot carry its
  own `$defs`) and, for validation, the header optional.

pydantic is imported inside the hooks, when pydantic itself calls them: `import
microloan` does not import it, and microloan does not depend on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from microloan._codec import Definitions, class_codec
from microloan.errors import MicroloanError, SerializationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic_core import CoreSchema

#: The pydantic error type of a value the library refuses.
ERROR_TYPE = "microloan_document"


def attach(namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Give every attrs class among the public `names` the pydantic hooks."""
    for name in names:
        obj = namespace[name]
        if isinstance(obj, type) and attrs.has(obj):
            # set on the class (slots and frozenness concern instances only)
            type.__setattr__(obj, "__get_pydantic_core_schema__", classmethod(core_schema))
            type.__setattr__(obj, "__get_pydantic_json_schema__", classmethod(json_schema))


def core_schema(cls: type, source: object, handler: GetCoreSchemaHandler) -> CoreSchema:  # noqa: ARG001 - pydantic's signature
    """The pydantic core schema of `cls`: read by `from_dict`, written by `to_dict`."""
    from pydantic_core import core_schema as cs  # noqa: PLC0415 - the optional extra, on use

    from microloan.serialization import to_dict  # noqa: PLC0415 - it imports this module

    return cs.no_info_plain_validator_function(
        _validator(cls),
        serialization=cs.plain_serializer_function_ser_schema(to_dict, when_used="always"),
        ref=f"{cls.__module__}.{cls.__qualname__}:{id(cls)}",
    )


def _validator(cls: type) -> Any:  # noqa: ANN401 - a function of pydantic's own shape
    from pydantic_core import PydanticCustomError  # noqa: PLC0415 - the optional extra

    from microloan.serialization import from_dict  # noqa: PLC0415 - it imports this module

    def validate(value: object) -> object:
        if type(value) is cls:
            return value
        try:
            return from_dict(value, cls)
        except MicroloanError as exc:
            path = exc.path if isinstance(exc, SerializationError) else ""
            raise PydanticCustomError(
                ERROR_TYPE, "{message}", {"message": str(exc), "path": path}
            ) from None

    return validate


def json_schema(
    cls: type,
    core: CoreSchema,  # noqa: ARG001 - pydantic's signature
    handler: GetJsonSchemaHandler,
) -> dict[str, Any]:
    """The JSON Schema of `cls` inside a pydantic model's: self-contained.

    In validation mode `"type"` and `"version"` are optional, as `from_dict` with
    the class given reads documents without them; in serialization mode they are
    required, as `to_dict` always writes them.
    """
    from microloan.serialization import SCHEMA_VERSION  # noqa: PLC0415 - it imports this module

    codec = class_codec(cls, tagged=True)
    header = handler.mode == "serialization"
    return codec.object_schema(Definitions(inline=True), version=SCHEMA_VERSION, header=header)
