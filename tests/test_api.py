"""The public API: every name in __all__ exists, is documented and has one home."""

from __future__ import annotations

import inspect

import microloan


def test_all_names_exist_and_are_sorted_within_groups() -> None:
    """Every name in __all__ is importable from microloan and listed once."""
    assert len(set(microloan.__all__)) == len(microloan.__all__)
    for name in microloan.__all__:
        assert hasattr(microloan, name), name


def test_every_public_callable_has_a_docstring() -> None:
    """Every public class and function carries a docstring for the API reference."""
    for name in microloan.__all__:
        obj = getattr(microloan, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_every_public_name_is_on_the_api_reference() -> None:
    """docs/reference/*.md name every public object."""
    from pathlib import Path

    text = "\n".join(p.read_text() for p in Path("docs/reference").glob("*.md"))
    missing = [n for n in microloan.__all__ if n != "__version__" and f"microloan.{n}" not in text]
    assert not missing, missing
