"""Test-suite configuration shared by tests/, doctests in src/ and the docs pages."""

from __future__ import annotations

import doctest
import inspect
import os

from hypothesis import HealthCheck, settings

from microloan._public import defining_module

# "ci": deterministic and bounded, so the whole suite stays within minutes on 2 cores.
settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# "dev": the default locally; random, a little wider.
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# MICROLOAN_DECIMAL=hostile: every public call runs under a global decimal context set
# to break (tests/hostile.py); `make test` runs the suite once more in that mode.
if os.environ.get("MICROLOAN_DECIMAL") == "hostile":
    from tests.hostile import install

    install()


# Every public object reports `microloan` as its module (one public path), so the
# standard doctest finder would look for a class's examples in `microloan/__init__.py`
# and skip its methods there (their globals are the defining module's). Find each
# object's examples in the module that defines it, with that module's globals.
_module_of = doctest.DocTestFinder._from_module  # noqa: SLF001 - the one hook doctest offers


def _from_defining_module(self: doctest.DocTestFinder, module: object, obj: object) -> bool:
    if inspect.isfunction(obj):
        obj = inspect.unwrap(obj)  # a method run in the library's context (`in_context`)
    home = defining_module(obj)
    if home is not None:
        return home == getattr(module, "__name__", None)
    return _module_of(self, module, obj)  # type: ignore[no-any-return]


doctest.DocTestFinder._from_module = _from_defining_module  # type: ignore[method-assign]  # noqa: SLF001
