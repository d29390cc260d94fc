"""Griffe extension: give each attrs class of the API reference its real constructor signature.

Griffe reads the sources statically and sees no `__init__` in a class that attrs writes one
for, so the reference would show `ServicingTerms` without its parameters. Once the package
is loaded, this extension imports each attrs class, reads the `__init__` attrs generated
(through `attrs.fields`: the keyword-only flag, the alias of a private field, the default or
the factory) and adds that `__init__` to griffe's view of the class. With the handler's
`merge_init_into_class`, the reference then shows `ServicingTerms(*, penalty_rate: … = '1.5x',
…)`, each annotation the one written on the field (so it links to its own entry).

Registered in mkdocs.yml under the python handler's `options: extensions:`.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import attrs
import griffe

_ATTRS_DECORATORS = ("attrs.frozen", "attrs.define", "attrs.mutable", "attr.s", "attr.attrs")


def _is_attrs_class(cls: griffe.Class) -> bool:
    return any(str(d.value).startswith(_ATTRS_DECORATORS) for d in cls.decorators)


def _runtime(cls: griffe.Class) -> type | None:
    """The class itself, imported from its defining module."""
    try:
        module = importlib.import_module(cls.module.path)
    except ImportError:  # pragma: no cover - the package is importable where the site builds
        return None
    found = getattr(module, cls.name, None)
    return found if isinstance(found, type) and attrs.has(found) else None


def _default(value: object) -> str | None:
    """The default as the signature shows it: `None` when the argument is required."""
    if value is attrs.NOTHING:
        return None
    if isinstance(value, attrs.Factory):  # type: ignore[arg-type]
        factory: Any = value.factory  # type: ignore[attr-defined]
        return f"{factory.__name__}()" if isinstance(factory, type) else "<factory>"
    return repr(value)


def init_of(cls: griffe.Class, runtime: type) -> griffe.Function:
    """The `__init__` attrs wrote for `runtime`, as griffe's model of a function."""
    parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
    for field in attrs.fields(runtime):
        if not field.init:
            continue
        member = cls.members.get(field.name)
        annotation = getattr(member, "annotation", None)
        if annotation is None and isinstance(field.type, str):
            annotation = field.type
        parameters.append(
            griffe.Parameter(
                field.alias or field.name.lstrip("_"),
                annotation=annotation,
                kind=griffe.ParameterKind.keyword_only
                if field.kw_only
                else griffe.ParameterKind.positional_or_keyword,
                default=_default(field.default),
            )
        )
    init = griffe.Function(
        "__init__",
        parameters=griffe.Parameters(*parameters),
        returns="None",
        lineno=cls.lineno,
        endlineno=cls.lineno,
    )
    init.labels.add("attrs-generated")
    return init


def _classes(obj: griffe.Object) -> list[griffe.Class]:
    found: list[griffe.Class] = []
    for member in obj.members.values():
        if member.is_alias:
            continue
        if isinstance(member, griffe.Class):
            found.append(member)
            found.extend(_classes(member))
        elif isinstance(member, griffe.Module):
            found.extend(_classes(member))
    return found


class AttrsSignatures(griffe.Extension):
    """Add the attrs-generated `__init__` to every attrs class that has no `__init__` of its own."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: object) -> None:  # noqa: ARG002 - griffe's hook
        """Once the package is loaded: every attrs class gets its constructor."""
        source = Path(pkg.filepath if isinstance(pkg.filepath, Path) else pkg.filepath[0])
        root = str(source.parent.parent)  # src/, where the package lives
        if root not in sys.path:
            sys.path.insert(0, root)
        for cls in _classes(pkg):
            if "__init__" in cls.members or not _is_attrs_class(cls):
                continue
            runtime = _runtime(cls)
            if runtime is not None:
                cls.set_member("__init__", init_of(cls, runtime))
