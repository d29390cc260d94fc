"""Packaging: `python -m build` makes a complete wheel and sdist that install and run.

The build runs without isolation (`--no-isolation`), with the `build` and `hatchling`
of the test environment (both in the `dev` extra), so nothing is downloaded. The wheel
is installed with `--no-deps` into a fresh venv made without `--system-site-packages`;
the runtime dependencies the wheel declares (and theirs) are then linked in from the
test environment through one `.pth` file, so the smoke test also proves the declared
dependencies are enough: an undeclared import would fail. About 10 s in all.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from email.message import Message

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("build") is None or importlib.util.find_spec("hatchling") is None,
    reason="needs `build` and `hatchling` (the dev extra) to build offline",
)


def _version() -> str:
    text = (ROOT / "src" / "microloan" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    assert match, "src/microloan/_version.py must set __version__"
    return match.group(1)


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and tools
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist, built once for this module."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT, cwd=ROOT)
    return out


def _wheel(dist: Path) -> Path:
    (wheel,) = dist.glob("microloan-*.whl")
    return wheel


def _metadata(dist: Path) -> Message:
    with zipfile.ZipFile(_wheel(dist)) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode("utf-8"))


def test_wheel_and_sdist_are_named_with_the_one_version(dist: Path) -> None:
    """Both artefacts carry the version kept in src/microloan/_version.py."""
    version = _version()
    assert _wheel(dist).name == f"microloan-{version}-py3-none-any.whl"
    assert (dist / f"microloan-{version}.tar.gz").exists()
    assert _metadata(dist)["Version"] == version


def test_wheel_metadata_is_complete(dist: Path) -> None:
    """Summary, readme, licence, Python requirement, classifiers, URLs and dependencies."""
    meta = _metadata(dist)
    assert meta["Name"] == "microloan"
    assert meta["Summary"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "make demo" in (meta.get_payload() or "")  # the README is the long description
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in meta.get_all("License-File", [])
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = set(meta.get_all("Classifier", []))
    assert {
        "Typing :: Typed",
        "Programming Language :: Python :: 3 :: Only",
        "Topic :: Office/Business :: Financial",
    } <= classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    # no placeholder addresses: the project has no public repository or docs host yet
    assert not meta.get_all("Project-URL", [])
    runtime = {r for r in meta.get_all("Requires-Dist", []) if "extra ==" not in r}
    assert {_name(r) for r in runtime} == {"attrs", "python-dateutil"}


def test_wheel_holds_the_package_typed_with_its_entry_point(dist: Path) -> None:
    """py.typed and every module ship; tests do not; `microloan` is a console script."""
    with zipfile.ZipFile(_wheel(dist)) as archive:
        names = set(archive.namelist())
        (entry_points,) = (n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode("utf-8")
    assert "microloan/py.typed" in names
    modules = {f"microloan/{p.name}" for p in (ROOT / "src" / "microloan").glob("*.py")}
    assert modules <= names
    assert not any(n.startswith(("tests/", "docs/")) for n in names)
    assert "microloan = microloan.cli:main" in scripts


def test_sdist_holds_what_a_rebuild_needs(dist: Path) -> None:
    """The sdist carries pyproject, readme, licence, changelog, sources and tests."""
    with tarfile.open(dist / f"microloan-{_version()}.tar.gz") as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "src/microloan/py.typed",
        "src/microloan/_version.py",
    } <= names
    assert any(n.startswith("tests/") for n in names)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[(]", requirement, maxsplit=1)[0]


def _requirement_names(dist_name: str) -> list[str]:
    requires = importlib.metadata.requires(dist_name) or []
    return [_name(r) for r in requires if "extra ==" not in r]


def _dependency_closure(roots: list[str]) -> set[importlib.metadata.Distribution]:
    """The installed distributions of `roots` and everything they require (markers aside)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        try:
            found[key] = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a requirement for another platform, say; the smoke test will tell
        pending += _requirement_names(name)
    return set(found.values())


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed and only its declared dependencies visible."""
    home = tmp_path_factory.mktemp("venv")
    target = home / "env"
    _run(sys.executable, "-m", "venv", "--without-pip", target, cwd=home)
    python = target / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "--disable-pip-version-check",
        _wheel(dist),
        cwd=home,
    )
    deps = home / "deps"
    deps.mkdir()
    declared = _metadata(dist).get_all("Requires-Dist", [])
    roots = [_name(r) for r in declared if "extra ==" not in r]
    for distribution in _dependency_closure(roots):
        for top in {Path(str(f)).parts[0] for f in distribution.files or []}:
            source = Path(str(distribution.locate_file(top)))
            if top != ".." and source.exists() and not (deps / top).exists():
                (deps / top).symlink_to(source)
    site = next((target / "lib").glob("python3*/site-packages"))
    (site / "_microloan_test_deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    return target


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def test_installed_wheel_imports_from_the_venv(venv: Path, tmp_path: Path) -> None:
    """The smoke import finds the installed copy (not the source tree) and its version."""
    code = (
        "import importlib.util, microloan; print(microloan.__file__); print(microloan.__version__);"
        " print(importlib.util.find_spec('pytest') is None)"
    )
    out = _run(venv / "bin" / "python", "-c", code, cwd=tmp_path, env=_clean_env())
    location, version, isolated = out.split()
    assert Path(location).is_relative_to(venv)
    assert version == _version()
    assert isolated == "True"  # only the declared dependencies are visible


def test_installed_console_script_runs_the_demo(venv: Path, tmp_path: Path) -> None:
    """`microloan demo` from the installed console script prints the tour."""
    out = _run(venv / "bin" / "microloan", "demo", cwd=tmp_path, env=_clean_env())
    assert "== Money and rates ==" in out
