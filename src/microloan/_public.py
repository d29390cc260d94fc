"""One public path: every public object reports `microloan` as its module.

Users import everything from `microloan`, so reprs, pickles, error messages and
the API reference say `microloan.Money`, and moving code between files is
invisible to them (the same choice as `whenever`). The defining module is kept
for the one reader that needs it: resolving a class's string annotations.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Iterable, Mapping
from types import FunctionType
from typing import Any

import attrs

PACKAGE = "microloan"
_HOMES: dict[object, str] = {}


def publish(namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Set `__module__` of each public class and function in `names` to the package."""
    for name in names:
        obj = namespace[name]
        if isinstance(obj, (type, FunctionType)) and obj.__module__ != PACKAGE:
            if isinstance(obj, type):
                _resolve_annotations(obj)
            _HOMES[obj] = obj.__module__
            obj.__module__ = PACKAGE


def _resolve_annotations(cls: type) -> None:
    """Replace a class's string annotations by the objects they name, in its own module.

    Tools that read annotations (`typing.get_type_hints`, hypothesis, attrs) look
    names up in `sys.modules[cls.__module__]`; once that is the package, names the
    defining module imported (`date`, `Decimal`) would not be found.
    """
    own = inspect.get_annotations(cls)
    if not own:
        return
    hints = typing.get_type_hints(cls, globalns=vars(sys.modules[cls.__module__]))
    resolved = {name: hints.get(name, value) for name, value in own.items()}
    try:
        cls.__annotations__ = resolved
    except (AttributeError, TypeError):  # pragma: no cover - a class that forbids it
        return
    if attrs.has(cls):
        attrs.resolve_types(cls, globalns=vars(sys.modules[cls.__module__]))


def home_namespace(obj: type) -> dict[str, Any]:
    """The globals of the module that defines `obj` (for `typing.get_type_hints`)."""
    return vars(sys.modules[_HOMES.get(obj, obj.__module__)])


def defining_module(obj: object) -> str | None:
    """The name of the module that defines a published object; `None` for any other."""
    try:
        return _HOMES.get(obj)
    except TypeError:  # an unhashable object is never published
        return None
