"""The hostile-context mode: every public call runs under a global decimal context set to break.

With `MICROLOAN_DECIMAL=hostile` (``make test`` runs the suite once more that way) the
test-suite configuration wraps every public function, and every method and property of
every public class, so that it runs with the caller's global context at precision 3,
rounding down, trapping `Inexact`, `Rounded` and `InvalidOperation`. The library promises
that its results never depend on that context; any arithmetic on a library path that
reads it (a bare `+` or `sum()` on `Decimal`s, a `Decimal.__format__`, an unguarded
`quantize`) then rounds or raises, and the test that reached it fails.

The tests' own arithmetic is not wrapped: only the library runs under the hostile context.
"""

from __future__ import annotations

import decimal
import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any

import microloan

#: The context every wrapped call starts from.
HOSTILE = decimal.Context(
    prec=3,
    rounding=decimal.ROUND_DOWN,
    traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation, decimal.DivisionByZero],
)

_SKIP = frozenset(
    {
        "__new__",
        "__init_subclass__",
        "__subclasshook__",
        "__class_getitem__",
        "__getattribute__",
        "__getattr__",
        "__setattr__",
        "__delattr__",
        "__get__",
        "__set__",
        "__set_name__",
        "__getstate__",
        "__setstate__",
        "__reduce__",
        "__reduce_ex__",
        "__copy__",
        "__deepcopy__",
    }
)


def _hostile(func: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(func, "__hostile__", False):
        return func

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        with decimal.localcontext(HOSTILE):
            return func(*args, **kwargs)

    call.__hostile__ = True  # type: ignore[attr-defined]
    return call


def _wrap_class(cls: type) -> None:
    for name, member in list(vars(cls).items()):
        dunder = name.startswith("__") and name.endswith("__")
        if name in _SKIP or name.startswith("__attrs") or (name.startswith("_") and not dunder):
            continue  # hooks and private helpers are reached only through public calls
        if isinstance(member, property):
            setattr(
                cls,
                name,
                property(
                    _hostile(member.fget) if member.fget else None,
                    member.fset,
                    member.fdel,
                    member.__doc__,
                ),
            )
        elif isinstance(member, classmethod):
            setattr(cls, name, classmethod(_hostile(member.__func__)))
        elif isinstance(member, staticmethod):
            setattr(cls, name, staticmethod(_hostile(member.__func__)))
        elif inspect.isfunction(member):
            setattr(cls, name, _hostile(member))


def install() -> None:
    """Wrap every public callable of `microloan` (idempotent)."""
    for name in microloan.__all__:
        obj = getattr(microloan, name)
        if inspect.isclass(obj):
            if not issubclass(obj, BaseException):
                _wrap_class(obj)
        elif inspect.isfunction(obj):
            wrapped = _hostile(obj)
            setattr(microloan, name, wrapped)
            for module in _modules_holding(obj):
                setattr(module, name, wrapped)


def _modules_holding(obj: object) -> list[Any]:
    """The microloan modules whose globals hold `obj` under its own name."""
    name = getattr(obj, "__name__", "")
    return [
        module
        for key, module in list(sys.modules.items())
        if key.startswith("microloan") and getattr(module, name, None) is obj
    ]
