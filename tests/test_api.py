"""The public API: every name in __all__ exists, is documented and has one home."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

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


def test_every_public_object_reports_the_package_as_its_module() -> None:
    """One public path: reprs, pickles and errors say `microloan.X`, wherever X is defined."""
    for name in microloan.__all__:
        obj = getattr(microloan, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__module__ == "microloan", name


def _modules() -> dict[str, ast.Module]:
    root = Path(microloan.__file__).parent
    found: dict[str, ast.Module] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n == "microloan" or n.startswith("microloan.")}


def test_every_exception_class_is_defined_in_errors() -> None:
    """One home for errors: no module but `microloan.errors` defines an exception class."""
    exception_bases = {"Exception", "MicroloanError", "ValueError", "TypeError", "LookupError"}
    for name, tree in _modules().items():
        if name == "microloan.errors":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                bases |= {b.attr for b in node.bases if isinstance(b, ast.Attribute)}
                is_exception = bool(bases & exception_bases) or any(
                    b.endswith("Error") for b in bases
                )
                assert not is_exception, f"{name}.{node.name}"


def test_the_wings_are_packages() -> None:
    """Portfolio reports and the analyst's metrics are subpackages of their own."""
    import microloan.analytics
    import microloan.portfolio

    assert hasattr(microloan.portfolio, "__path__")
    assert hasattr(microloan.analytics, "__path__")


_LENDING_CHAIN = (
    "microloan.schedules",
    "microloan.conventions",
    "microloan.terms",
    "microloan.loans",
    "microloan.lines",
    "microloan.products",
)
_WINGS = ("microloan.portfolio", "microloan.analytics")
_EDGES = (
    "microloan",
    "microloan.serialization",
    "microloan.cli",
    "microloan._demo",
    "microloan._charts",
)
#: The books read the lending chain and the portfolio reports; the core reaches them only
#: from inside a method (`Loan.journal`), never when it is imported.
_BOOKS = "microloan.accounting"


def _top_level_imports(tree: ast.Module) -> set[str]:
    """What a module imports when it is imported (not inside a function or `TYPE_CHECKING`)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_data_flows_one_way_core_to_wings_to_edges() -> None:
    """The core never imports a wing; the wings never import the lending chain."""
    for name, tree in _modules().items():
        imported = _imports(tree)
        in_wing = name.startswith(_WINGS)
        if name.startswith(_BOOKS):
            continue
        if name not in _EDGES:
            assert not {m for m in _top_level_imports(tree) if m.startswith(_BOOKS)}, name
        if in_wing:
            assert not {m for m in imported if m.startswith(_LENDING_CHAIN)}, name
        elif name not in _EDGES and not name.startswith("microloan._codec"):
            assert not {m for m in imported if m.startswith(_WINGS)}, name


def test_no_module_shares_the_name_of_a_public_object() -> None:
    """`microloan.funnel` is the function, for readers and for the API reference alike:
    a module named like a public object would shadow it in the docs' static view."""
    import pkgutil

    import microloan.accounting
    import microloan.analytics
    import microloan.portfolio

    modules = {
        m.name
        for package in (microloan, microloan.portfolio, microloan.analytics, microloan.accounting)
        for m in pkgutil.iter_modules(package.__path__)
    }
    assert not modules & set(microloan.__all__)


#: The optional extras and the modules that wrap them: loaded only when used.
_LAZY = (
    "sqlite3",
    "sqlalchemy",
    "psycopg",
    "matplotlib",
    "microloan._charts",
    "pydantic",
    "pydantic_core",
    "fastapi",
    "starlette",
    "jsonschema",
    "narwhals",
    "pandas",
    "polars",
    "pyarrow",
    "duckdb",
    "dask",
    "pyspark",
)


def test_import_loads_no_optional_extra() -> None:
    """`import microloan` (and the CLI's module) loads no SQL driver, no plotting code, no
    frame library and neither pydantic, FastAPI nor jsonschema, yet every value object has
    its pydantic hook: each extra is imported only when it is used."""
    import subprocess
    import sys

    probe = (
        "import sys, microloan, microloan.cli; "
        "assert hasattr(microloan.Money, '__get_pydantic_core_schema__'); "
        f"print(sorted(m for m in sys.modules if m in {_LAZY!r} or m.split('.')[0] in {_LAZY!r}))"
    )
    loaded = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]", loaded
